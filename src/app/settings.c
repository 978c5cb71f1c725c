/* app/settings.c: see settings.h. */
#include "app/settings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "moderation/policy.h"
#include "util/text.h"
#include "util/xalloc.h"

typedef struct row {
    site_setting s;
    const char *def; /* the value when the config does not set it; NULL: the engine's own */
} row;

/* S(name, group, kind, min, max, off_ok, hold_only, help, default) */
#define S(n, g, k, lo, hi, off, hold, help, def)                                                   \
    {                                                                                              \
        {n, g, k, lo, hi, off, hold, help}, def                                                    \
    }
static const row rows[] = {
    S("policy.profanity", "policy", SITE_ACTION, 0, 0, false, false,
      "Strong profanity (\"fuck\", \"shit\").", NULL),
    S("policy.vulgarity", "policy", SITE_ACTION, 0, 0, false, false, "Vulgar or sexual words.",
      NULL),
    S("policy.slur", "policy", SITE_ACTION, 0, 0, false, false, "Slurs against a group of people.",
      NULL),
    S("policy.personal_attack", "policy", SITE_ACTION, 0, 0, false, false,
      "Insults aimed at a person: another reader, the author, someone named.", NULL),
    S("policy.harassment", "policy", SITE_ACTION, 0, 0, false, false,
      "Threats, wishes of harm, personal details, repeated attacks on one person.", NULL),
    S("policy.identity_hate", "policy", SITE_ACTION, 0, 0, false, false,
      "Hate against people for who they are, written without slurs.", NULL),
    S("policy.tragedy_joke", "policy", SITE_ACTION, 0, 0, false, false,
      "Jokes or mockery under articles about death or disaster.", NULL),
    S("policy.off_topic", "policy", SITE_ACTION, 0, 0, false, false,
      "Comments that share almost nothing with the article.", NULL),
    S("policy.spam", "policy", SITE_ACTION, 0, 0, false, false,
      "Advertising, repeated text, too many links, bot traps.", NULL),
    S("policy.new_user", "policy", SITE_ACTION, 0, 0, false, false,
      "Links from an account younger than moderation.new_user_hours.", NULL),
    S("policy.unknown_language", "policy", SITE_ACTION, 0, 0, false, true,
      "Comments in a language the engine has no word lists for (publish or hold).", NULL),
    S("moderation.hold_at", "model", SITE_PROB, 0, 0, false, false,
      "The model's score (0 to 1) at or above which a comment is held for a moderator.", NULL),
    S("moderation.reject_at", "model", SITE_PROB, 0, 0, true, false,
      "The model's score that turns an attack or threat the rules found into a rejection.", NULL),
    S("moderation.confirm_at", "model", SITE_PROB, 0, 0, true, false,
      "The model's score that holds a comment over the rules' innocent reading of a word.", NULL),
    S("moderation.word_at", "model", SITE_PROB, 0, 0, true, false,
      "The model's score that holds a comment with a mild insult the rules could not place.", NULL),
    S("moderation.homonym_at", "model", SITE_PROB, 0, 0, true, false,
      "The model's score that holds a comment with a slur that has innocent uses, not aimed.",
      NULL),
    S("moderation.swear_at", "model", SITE_PROB, 0, 0, true, false,
      "The model's score that holds a comment with mild swearing (damn, crap).", NULL),
    S("moderation.spam_at", "model", SITE_PROB, 0, 0, true, false,
      "The spam score at or above which a comment is held.", NULL),
    S("moderation.spam_at_new", "model", SITE_PROB, 0, 0, true, false,
      "The spam score that holds comments of new accounts.", NULL),
    S("flag_threshold", "flags", SITE_INT, 1, 1000, false, false,
      "Weighted flag score that hides a comment from readers until a moderator reviews it.", NULL),
    S("flags_per_hour", "flags", SITE_INT, 1, 100000, false, false,
      "Flags one reader may make per hour.", NULL),
    S("flag_new_account_days", "flags", SITE_INT, 0, 3650, false, false,
      "Accounts younger than this many days flag with the least weight.", NULL),
    S("auto_suspend_after", "flags", SITE_INT, 1, 1000, false, false,
      "Refused comments (or attacks on one person) within the window that suspend an author.",
      NULL),
    S("auto_suspend_window_h", "flags", SITE_INT, 1, 24 * 365, false, false,
      "Hours over which refusals are counted for automatic suspension.", NULL),
    S("auto_suspend_hours", "flags", SITE_INT, 1, 24 * 365, false, false,
      "Hours an automatic suspension lasts.", NULL),
    S("premoderation.all", "premoderation", SITE_BOOL, 0, 0, false, false,
      "Hold every comment for a moderator before it is published.", "off"),
    S("premoderation.first_comments", "premoderation", SITE_INT, 0, 1000, false, false,
      "Hold a reader's first comments (this many) for a moderator; 0: none.", "0"),
    S("premoderation.sensitive", "premoderation", SITE_BOOL, 0, 0, false, false,
      "Hold every comment on articles marked sensitive.", "off"),
    S("words.block", "words", SITE_WORDS, 0, 500, false, false,
      "Words and phrases (one a line) that hold a comment for a moderator; whole words, any case.",
      ""),
    S("words.allow", "words", SITE_WORDS, 0, 500, false, false,
      "Words and phrases (one a line) the engine must not object to here, such as a place name.",
      ""),
    S("pages.guidelines", "pages", SITE_TEXT, 0, 50000, false, false,
      "Markdown of the /guidelines page; empty: guidelines_file, else the text that ships.", ""),
    S("pages.terms", "pages", SITE_TEXT, 0, 50000, false, false,
      "Markdown of the /terms page; empty: terms_file, else the text that ships.", ""),
    S("pages.faq", "pages", SITE_TEXT, 0, 50000, false, false,
      "Markdown of the /faq page; empty: faq_file, else the text that ships.", ""),
    S("moderation.new_user_hours", "premoderation", SITE_INT, 0, 24 * 365, false, false,
      "Hours during which an account counts as new (its links follow policy.new_user).", "24"),
};
#undef S
#define N_ROWS (sizeof rows / sizeof rows[0])

const site_setting *
site_settings(size_t *n)
{
    static site_setting list[N_ROWS];
    static bool filled; /* written once, the same values each time */
    if (!filled) {
        for (size_t i = 0; i < N_ROWS; i++)
            list[i] = rows[i].s;
        filled = true;
    }
    *n = N_ROWS;
    return list;
}

static const row *
find_row(const char *name)
{
    for (size_t i = 0; i < N_ROWS; i++)
        if (strcmp(rows[i].s.name, name) == 0)
            return &rows[i];
    return NULL;
}

const site_setting *
site_setting_find(const char *name)
{
    const row *r = find_row(name);
    return r ? &r->s : NULL;
}

const char *
site_kind_name(site_kind k)
{
    static const char *const names[SITE_KIND_END] = {"action",  "number", "integer",
                                                     "boolean", "text",   "words"};
    return (unsigned)k < SITE_KIND_END ? names[k] : "text";
}

/* The longest entry of a word list, in characters. */
#define WORD_MAX_CHARS 100

static bool
check_words(const site_setting *s, const json_t *v, char **out, char *msg, size_t msgn)
{
    if (!json_is_array(v) || json_array_size(v) > (size_t)s->max) {
        snprintf(msg, msgn, "%s must be a list of at most %lld words or phrases.", s->name,
                 (long long)s->max);
        return false;
    }
    size_t total = 1, i;
    const json_t *w;
    json_array_foreach(v, i, w)
    {
        const char *t = json_string_value(w);
        bool control = false;
        for (const char *p = t; p != NULL && *p; p++)
            control = control || (unsigned char)*p < 0x20 || *p == 0x7f;
        if (t == NULL || t[0] == '\0' || control || utf8_length(t, strlen(t)) > WORD_MAX_CHARS) {
            snprintf(msg, msgn,
                     "%s: entry %zu must be a word or phrase of 1 to %d characters on one line.",
                     s->name, i + 1, WORD_MAX_CHARS);
            return false;
        }
        total += strlen(t) + 1;
    }
    char *text = xmalloc(total), *p = text;
    json_array_foreach(v, i, w)
    {
        const char *t = json_string_value(w);
        size_t n = strlen(t);
        if (p != text)
            *p++ = '\n';
        memcpy(p, t, n);
        p += n;
    }
    *p = '\0';
    *out = text;
    return true;
}

bool
site_setting_check(const site_setting *s, const json_t *v, char **out, char *msg, size_t msgn)
{
    char buf[64];
    *out = NULL;
    switch (s->kind) {
    case SITE_ACTION: {
        const char *t = json_string_value(v);
        bool ok = t != NULL && (!strcmp(t, "publish") || !strcmp(t, "hold") ||
                                (!s->hold_only && (!strcmp(t, "reject") || !strcmp(t, "off"))));
        if (!ok) {
            snprintf(msg, msgn, "%s must be %s.", s->name,
                     s->hold_only ? "publish or hold" : "publish, hold, reject or off");
            return false;
        }
        *out = xstrdup(t);
        return true;
    }
    case SITE_PROB: {
        const char *t = json_string_value(v);
        if (t != NULL && s->off_ok && !strcmp(t, "off")) {
            *out = xstrdup("off");
            return true;
        }
        double d = json_is_number(v) ? json_number_value(v) : -1;
        if (!(d > 0 && d <= 1)) {
            snprintf(msg, msgn, "%s must be a number above 0 and at most 1%s.", s->name,
                     s->off_ok ? ", or \"off\"" : "");
            return false;
        }
        snprintf(buf, sizeof buf, "%.6g", d);
        *out = xstrdup(buf);
        return true;
    }
    case SITE_INT: {
        json_int_t i = json_is_integer(v) ? json_integer_value(v) : s->min - 1;
        if (i < s->min || i > s->max) {
            snprintf(msg, msgn, "%s must be a whole number from %lld to %lld.", s->name,
                     (long long)s->min, (long long)s->max);
            return false;
        }
        snprintf(buf, sizeof buf, "%lld", (long long)i);
        *out = xstrdup(buf);
        return true;
    }
    case SITE_BOOL:
        if (!json_is_boolean(v)) {
            snprintf(msg, msgn, "%s must be true or false.", s->name);
            return false;
        }
        *out = xstrdup(json_is_true(v) ? "on" : "off");
        return true;
    case SITE_TEXT: {
        const char *t = json_string_value(v);
        if (t == NULL || utf8_length(t, strlen(t)) > (size_t)s->max) {
            snprintf(msg, msgn, "%s must be text of at most %lld characters.", s->name,
                     (long long)s->max);
            return false;
        }
        *out = xstrdup(t);
        return true;
    }
    case SITE_WORDS:
        return check_words(s, v, out, msg, msgn);
    case SITE_KIND_END:
        break;
    }
    snprintf(msg, msgn, "%s cannot be set here.", s->name);
    return false;
}

json_t *
site_setting_value(const site_setting *s, const config *cfg)
{
    char buf[64];
    const char *t = config_get_text(cfg, s->name, buf, sizeof buf);
    const row *r = find_row(s->name);
    if (t == NULL && s->kind == SITE_ACTION) {
        policy p;
        pl_error err;
        if (policy_from_config(cfg, &p, &err) < 0)
            policy_defaults(&p);
        for (int i = 0; i < RULE_COUNT; i++)
            if (!strcmp(s->name + 7, policy_rule_name((moderation_rule)i)))
                return json_string(policy_action_name(p.action[i]));
    }
    if (t == NULL)
        t = r ? r->def : NULL;
    if (t == NULL)
        return json_null();
    switch (s->kind) {
    case SITE_PROB: {
        if (!strcmp(t, "off"))
            return json_string("off");
        char *end;
        double d = strtod(t, &end);
        return *end == '\0' ? json_real(d) : json_null();
    }
    case SITE_INT: {
        int64_t i;
        return parse_int(t, INT64_MIN, INT64_MAX, &i) == 0 ? json_integer((json_int_t)i)
                                                           : json_null();
    }
    case SITE_BOOL:
        return json_boolean(!strcmp(t, "on") || !strcmp(t, "1") || !strcmp(t, "true") ||
                            !strcmp(t, "yes"));
    case SITE_WORDS: {
        json_t *list = json_array();
        for (const char *p = t; *p;) {
            size_t n = strcspn(p, "\n");
            if (n > 0)
                json_array_append_new(list, json_stringn(p, n));
            p += n + (p[n] == '\n');
        }
        return list;
    }
    case SITE_ACTION:
    case SITE_TEXT:
    case SITE_KIND_END:
        break;
    }
    return json_string(t);
}

bool
site_setting_on(const config *cfg, const char *name)
{
    const char *v = config_extra(cfg, name);
    return v != NULL &&
           (!strcmp(v, "on") || !strcmp(v, "1") || !strcmp(v, "true") || !strcmp(v, "yes"));
}

int
site_settings_overlay(const config *base, const json_t *overrides, config **out, pl_error *err)
{
    config *c = xcalloc(1, sizeof *c);
    config_copy(c, base);
    const char *name;
    json_t *v;
    int rc = 0;
    *out = NULL;
    if (!json_is_object(overrides))
        rc = pl_errorf(err, PL_EINVAL, "the stored settings are not a JSON object");
    json_object_foreach((json_t *)overrides, name, v)
    {
        if (rc < 0)
            break;
        const site_setting *s = site_setting_find(name);
        char msg[200], *text = NULL;
        pl_error e;
        if (s == NULL)
            rc = pl_errorf(err, PL_EINVAL, "%s: not a setting that can be changed here", name);
        else if (!site_setting_check(s, v, &text, msg, sizeof msg))
            rc = pl_errorf(err, PL_EINVAL, "%s: %s", name, msg);
        else if (config_set(c, name, text, &e) < 0)
            rc = pl_errorf(err, PL_EINVAL, "%s: %s", name, e.msg);
        free(text);
    }
    if (rc < 0) {
        config_fini(c);
        free(c);
        return rc;
    }
    *out = c;
    return 0;
}

/* ---- the publisher's words --------------------------------------------------- */

static bool
word_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

/* " w1 w2 " of the n bytes at text. */
static char *
fold_n(arena *a, const char *text, size_t n)
{
    char *out = arena_alloc(a, n + 3), *o = out;
    *o++ = ' ';
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)text[i];
        if (word_byte(c))
            *o++ = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
        else if (o[-1] != ' ')
            *o++ = ' ';
    }
    if (o[-1] != ' ')
        *o++ = ' ';
    *o = '\0';
    return out;
}

const char *
site_words_fold(arena *a, const char *text)
{
    return fold_n(a, text, strlen(text));
}

void
site_words_compile(arena *a, const char *list, site_words *out)
{
    size_t cap = 0;
    for (const char *p = list; p != NULL && *p; p++)
        cap += *p == '\n';
    cap += 1;
    out->raw = arena_alloc(a, cap * sizeof *out->raw);
    out->folded = arena_alloc(a, cap * sizeof *out->folded);
    out->n = 0;
    for (const char *p = list; p != NULL && *p;) {
        size_t n = strcspn(p, "\n");
        const char *e = fold_n(a, p, n);
        if (e[1] != '\0' && out->n < cap) {
            out->raw[out->n] = arena_strndup(a, p, n);
            out->folded[out->n++] = e;
        }
        p += n + (p[n] == '\n');
    }
}

const char *
site_words_find(const site_words *w, const char *folded)
{
    for (size_t i = 0; i < w->n; i++)
        if (strstr(folded, w->folded[i]) != NULL)
            return w->raw[i];
    return NULL;
}

bool
site_words_allow(arena *a, const site_words *w, const char *folded, const char *excerpt)
{
    const char *x = excerpt ? site_words_fold(a, excerpt) : " ";
    if (x[1] == '\0')
        return false;
    for (size_t i = 0; i < w->n; i++)
        if (strstr(folded, w->folded[i]) != NULL && strstr(w->folded[i], x) != NULL)
            return true;
    return false;
}

/* ---- what the settings add to the engine's decision ---------------------------- */

/* The strictest policy action of reasons[0..n) (a rule the policy does
 * not name counts as hold). */
static moderation_decision
strictest(const config *cfg, const moderation_reason *reasons, size_t n)
{
    policy pol;
    pl_error err;
    if (policy_from_config(cfg, &pol, &err) < 0)
        policy_defaults(&pol);
    moderation_decision top = MOD_PUBLISH;
    for (size_t i = 0; i < n; i++) {
        moderation_decision d = MOD_HOLD;
        for (int k = 0; k < RULE_COUNT; k++)
            if (!strcmp(reasons[i].rule, policy_rule_name((moderation_rule)k)))
                d = pol.action[k] == POLICY_REJECT ? MOD_REJECT
                    : pol.action[k] == POLICY_HOLD ? MOD_HOLD
                                                   : MOD_PUBLISH;
        if (d > top)
            top = d;
    }
    return top;
}

/* out held with one more reason. */
static void
hold_with(arena *a, moderation_result *out, const char *rule, const char *message,
          const char *excerpt)
{
    moderation_reason *reasons = arena_alloc(a, (out->n_reasons + 1) * sizeof *reasons);
    if (out->n_reasons > 0)
        memcpy(reasons, out->reasons, out->n_reasons * sizeof *reasons);
    reasons[out->n_reasons] = (moderation_reason){rule, message, excerpt};
    out->reasons = reasons;
    out->n_reasons++;
    out->decision = MOD_HOLD;
}

void
site_words_apply(const config *cfg, arena *a, const char *body, moderation_result *out)
{
    const char *allow = config_extra(cfg, "words.allow"), *block = config_extra(cfg, "words.block");
    bool has_allow = allow != NULL && allow[0] != '\0',
         has_block = block != NULL && block[0] != '\0';
    if (!has_allow && !has_block)
        return;
    const char *folded = site_words_fold(a, body);
    site_words list;
    if (has_allow && out->n_reasons > 0) {
        site_words_compile(a, allow, &list);
        size_t k = 0;
        for (size_t i = 0; i < out->n_reasons; i++)
            if (!site_words_allow(a, &list, folded, out->reasons[i].excerpt))
                out->reasons[k++] = out->reasons[i];
        if (k < out->n_reasons) {
            out->n_reasons = k;
            moderation_decision cap = strictest(cfg, out->reasons, k);
            if (cap < out->decision)
                out->decision = cap;
            if (k == 0)
                out->queue_for_review = false;
        }
    }
    if (!has_block || out->decision != MOD_PUBLISH)
        return;
    site_words_compile(a, block, &list);
    const char *hit = site_words_find(&list, folded);
    if (hit == NULL)
        return;
    hold_with(a, out, "site_words",
              "This comment uses a word or phrase this site does not allow. A moderator will "
              "review it before it appears.",
              hit);
}

int64_t
site_first_comments(const config *cfg)
{
    int64_t first = 0;
    const char *fv = config_extra(cfg, "premoderation.first_comments");
    if (fv == NULL || parse_int(fv, 1, 1000, &first) < 0)
        return 0;
    return first;
}

void
site_premoderate(const config *cfg, arena *a, bool staff, bool sensitive, int64_t earlier,
                 moderation_result *out)
{
    if (out->decision != MOD_PUBLISH || staff)
        return;
    const char *msg = NULL;
    if (site_setting_on(cfg, "premoderation.all"))
        msg = "A moderator reads every comment on this site before it appears.";
    else if (sensitive && site_setting_on(cfg, "premoderation.sensitive"))
        msg = "A moderator reads every comment on this article before it appears.";
    else if (earlier >= 0 && earlier < site_first_comments(cfg))
        msg = "A moderator reads a new reader's first comments before they appear.";
    if (msg != NULL)
        hold_with(a, out, "premoderated", msg, "");
}
