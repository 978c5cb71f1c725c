/* moderation/moderation.c: the engine's settings and the decision on one
 * comment. The rules live in rules_words.c, rules_identity.c and
 * rules_article.c, the per-comment context in ctx.c, the use of the model
 * in model_use.c; moderation_int.h is what they share.
 *
 * The body is folded once (normalize.h) and scanned once by the lexicon's
 * automaton (lexicon.h); every rule then reads the same hits and tokens:
 * strong profanity, vulgarity and slurs (with the words that are innocent
 * or reclaimed in most uses reported only when aimed at someone), personal
 * attacks (an insult with a person as its target: the reader, the parent's
 * author, a named person; an insult said of an idea is criticism),
 * harassment (threats, wishes of harm, personal details, repeated attacks),
 * identity hate (hate against people for who they are, written without
 * slurs: "I hate women", "immigrants are vermin"), the tragedy guard, the
 * on-topic score and spam. Each rule that fires gives one reason; the
 * policy table (policy.h) maps it to publish, hold or reject and the
 * decision is the strictest. The model (classifier.h), when one is built
 * in, scores every comment: a score at or above its hold threshold holds
 * the comment even when no rule fired, naming the words that raised it; a
 * rule that rejects needs the model's agreement (otherwise it holds); and
 * an attack or threat the rules found is rejected when the model is sure
 * of it (model_use.c). Nothing is rejected on the model alone.
 *
 * Everything per comment comes from the caller's arena; the engine itself
 * is immutable after moderation_new, so one engine serves all threads.
 */
#include "moderation/moderation_int.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The default of moderation.reject_at: an attack or threat that the rules
 * found is rejected when the model's INSULT or THREAT score reaches it. */
#define MODEL_REJECT_AT 0.9
/* The default of moderation.confirm_at: the score at which the model holds
 * over the rules' innocent reading of a word. Lower, it holds the readings
 * the golden cases pin as innocent ("I am such an idiot" scores 0.83,
 * "You are not an idiot" 0.82). */
#define MODEL_CONFIRM_AT 0.9
/* The default of moderation.word_at: the TOXICITY or INSULT score that
 * holds a comment with an insult the rules could not place, chosen on the
 * news comments' folds (tools/news_cv.sh) with the golden cases
 * (docs/MODERATION.md, twelfth pass). */
#define MODEL_WORD_AT 0.35
/* The default of moderation.swear_at: the TOXICITY or PROFANITY score that
 * holds a comment with mild swearing ("damn", "crap", "ass"), chosen on the
 * news comments' folds
 * (docs/MODERATION.md, fifteenth pass). */
#define MODEL_SWEAR_AT 0.3
/* The default of moderation.homonym_at: the score at which the model holds
 * a comment with a word that has an innocent twin: a slur with innocent or
 * reclaimed uses that the rules did not find aimed at anyone ("bitch",
 * "faggot"), a mild swear word that is also a plain word ("ass"); chosen
 * on the DEV news comments, HateCheck and the golden cases
 * (docs/MODERATION.md). */
#define MODEL_HOMONYM_AT 0.8

static int
extra_int(const config *cfg, const char *name, int64_t min, int64_t max, int64_t def, int64_t *out,
          pl_error *err)
{
    const char *v = cfg ? config_extra(cfg, name) : NULL;
    if (v == NULL) {
        *out = def;
        return 0;
    }
    if (parse_int(v, min, max, out) < 0)
        return pl_errorf(err, PL_EINVAL, "%s: expected a whole number from %lld to %lld", name,
                         (long long)min, (long long)max);
    return 0;
}

/* A probability setting: a decimal from 0 to 1 ("off" gives off_value
 * where off_value is positive). */
static int
extra_prob(const config *cfg, const char *name, double def, double off_value, double *out,
           pl_error *err)
{
    const char *v = cfg ? config_extra(cfg, name) : NULL;
    if (v == NULL) {
        *out = def;
        return 0;
    }
    if (off_value > 0 && strcmp(v, "off") == 0) {
        *out = off_value;
        return 0;
    }
    char *end;
    double d = strtod(v, &end);
    if (*v == '\0' || *end != '\0' || !(d > 0 && d <= 1))
        return pl_errorf(err, PL_EINVAL,
                         "%s: expected a number above 0 and at most 1%s, not \"%s\"", name,
                         off_value > 0 ? " (or off)" : "", v);
    *out = d;
    return 0;
}

/* moderation.hold_at (every attribute), moderation.hold_at.<attribute>
 * (toxicity, severe_toxicity, insult, profanity, threat, identity_attack),
 * moderation.reject_at, moderation.confirm_at, moderation.homonym_at,
 * moderation.swear_at and moderation.word_at; the
 * hold thresholds come with the model. */
static int
model_settings(const config *cfg, moderation *m, pl_error *err)
{
    classifier_scores thr;
    double all = -1;
    int rc;
    if (m->clf != NULL)
        classifier_thresholds(m->clf, &thr);
    else
        for (int a = 0; a < CLF_ATTRS; a++)
            thr.p[a] = 0.5;
    if ((rc = extra_prob(cfg, "moderation.hold_at", -1, 0, &all, err)) < 0)
        return rc;
    for (int a = 0; a < CLF_ATTRS; a++) {
        char name[64], lower[32];
        const char *an = classifier_attr_name((classifier_attr)a);
        size_t i = 0;
        for (; an[i] != '\0' && i + 1 < sizeof lower; i++)
            lower[i] = (char)(an[i] >= 'A' && an[i] <= 'Z' ? an[i] + 32 : an[i]);
        lower[i] = '\0';
        snprintf(name, sizeof name, "moderation.hold_at.%s", lower);
        if ((rc = extra_prob(cfg, name, all > 0 ? all : thr.p[a], 0, &m->hold_at[a], err)) < 0)
            return rc;
    }
    if ((rc = extra_prob(cfg, "moderation.reject_at", MODEL_REJECT_AT, 2.0, &m->reject_at, err)) <
        0)
        return rc;
    if ((rc = extra_prob(cfg, "moderation.confirm_at", MODEL_CONFIRM_AT, 2.0, &m->confirm_at,
                         err)) < 0)
        return rc;
    if ((rc = extra_prob(cfg, "moderation.homonym_at", MODEL_HOMONYM_AT, 2.0, &m->homonym_at,
                         err)) < 0)
        return rc;
    if ((rc = extra_prob(cfg, "moderation.swear_at", MODEL_SWEAR_AT, 2.0, &m->swear_at, err)) < 0)
        return rc;
    return extra_prob(cfg, "moderation.word_at", MODEL_WORD_AT, 2.0, &m->word_at, err);
}

/* The spam score: moderation.spam_at and moderation.spam_at_new (a
 * probability, or off); the defaults come with the model (m->spam, loaded
 * before). */
static int
spam_settings(const config *cfg, moderation *m, pl_error *err)
{
    double hold = 2.0, hold_new = 2.0; /* no model: never */
    if (m->spam != NULL)
        spam_model_thresholds(m->spam, &hold, &hold_new);
    int rc = extra_prob(cfg, "moderation.spam_at", hold, 2.0, &m->spam_at, err);
    if (rc == 0)
        rc = extra_prob(cfg, "moderation.spam_at_new", hold_new, 2.0, &m->spam_at_new, err);
    return rc;
}

/* Everything of m that its config sets and that is not loaded: the policy,
 * the numbers and the thresholds. */
static int
tune(const config *cfg, moderation *m, pl_error *err)
{
    int64_t pct = 10;
    int rc;
    if (cfg != NULL)
        rc = policy_from_config(cfg, &m->pol, err);
    else {
        policy_defaults(&m->pol);
        rc = 0;
    }
    if (rc < 0 ||
        (rc = extra_int(cfg, "moderation.repeat_window_s", 0, 86400 * 7, 600, &m->repeat_window_ms,
                        err)) < 0 ||
        (rc = extra_int(cfg, "moderation.new_user_hours", 0, 24 * 365, 24, &m->new_user_ms, err)) <
            0 ||
        (rc = extra_int(cfg, "moderation.max_links", 1, 1000, 3, &m->max_links, err)) < 0 ||
        (rc = extra_int(cfg, "moderation.off_topic_min_words", 1, 100000, 25,
                        &m->off_topic_min_words, err)) < 0 ||
        (rc = extra_int(cfg, "moderation.off_topic_below_percent", 0, 100, 10, &pct, err)) < 0 ||
        (rc = extra_int(cfg, "moderation.min_fill_ms", 0, 600000, 0, &m->min_fill_ms, err)) < 0)
        return rc;
    m->repeat_window_ms *= 1000;
    m->new_user_ms *= 3600 * 1000;
    m->off_topic_below = (double)pct / 100.0;
    if ((rc = model_settings(cfg, m, err)) < 0 || (rc = spam_settings(cfg, m, err)) < 0)
        return rc;
    return 0;
}

/* The parts of an engine that no setting changes: the built-in lexicon,
 * the language profiles, the built-in classifier and spam model. They are
 * immutable once loaded, so they are loaded once per process (the first
 * engine built pays for them: about 200 ms, most of it the lexicon's
 * automaton and the 11 MB model) and shared by every engine after, never
 * freed (the process's own until it exits). A save of the settings, a
 * reload and a preview then only build what their config sets. The
 * classifier is loaded by the first engine that uses it: with
 * moderation.classifier = off the process never holds it. */
static struct {
    pthread_mutex_t mu;
    bool lx_done, li_done, spam_done, clf_done;
    lexicon *lx;
    langid *li;
    classifier *clf;
    spam_model *spam;
} shared = {.mu = PTHREAD_MUTEX_INITIALIZER};

/* The built-in lexicon, loaded on first use. */
static int
shared_lexicon(lexicon **out, pl_error *err)
{
    int rc = 0;
    pthread_mutex_lock(&shared.mu);
    if (!shared.lx_done && (rc = lexicon_load(NULL, &shared.lx, err)) == 0)
        shared.lx_done = true;
    *out = shared.lx;
    pthread_mutex_unlock(&shared.mu);
    return rc;
}

/* What a built-in model's load returned, as shared_parts() takes it: none
 * built in (the engine runs without it) is no error; one built in that
 * does not load is. *done is set once the question is settled; the model's
 * pointer stays NULL until a load succeeds. */
static int
builtin_loaded(int rc, bool *done)
{
    if (rc == PL_ENOTFOUND)
        rc = 0;
    *done = rc == 0;
    return rc;
}

/* The language profiles and the built-in models, loaded on first use
 * (the classifier only when with_clf; *clf is NULL without); a model not
 * built in stays NULL (the engine runs without it), but one built in that
 * does not load is an error: the engine must not quietly run without the
 * model its binary was built with. */
static int
shared_parts(bool with_clf, langid **li, classifier **clf, spam_model **spam, pl_error *err)
{
    int rc = 0;
    pthread_mutex_lock(&shared.mu);
    if (!shared.li_done && (rc = langid_load(&shared.li, err)) == 0)
        shared.li_done = true;
    if (rc == 0 && !shared.spam_done)
        rc = builtin_loaded(spam_model_load_builtin(&shared.spam, err), &shared.spam_done);
    if (rc == 0 && with_clf && !shared.clf_done)
        rc = builtin_loaded(classifier_load_builtin(&shared.clf, err), &shared.clf_done);
    *li = shared.li;
    *clf = with_clf ? shared.clf : NULL;
    *spam = shared.spam;
    pthread_mutex_unlock(&shared.mu);
    return rc;
}

bool
moderation_shared_classifier_loaded(void)
{
    pthread_mutex_lock(&shared.mu);
    bool done = shared.clf_done;
    pthread_mutex_unlock(&shared.mu);
    return done;
}

int
moderation_new(const config *cfg, moderation **out, pl_error *err)
{
    moderation *m = xcalloc(1, sizeof *m);
    int rc;
    if ((rc = spam_domains_new(cfg, &m->domains, err)) < 0)
        goto fail;
    topic_stops_init(&m->stops);
    const char *dir = cfg ? config_extra(cfg, "moderation.lexicon_dir") : NULL;
    m->own_lx = dir != NULL && dir[0] != '\0';
    if (m->own_lx)
        rc = lexicon_load(dir, &m->lx, err);
    else
        rc = shared_lexicon(&m->lx, err);
    const char *use = cfg ? config_extra(cfg, "moderation.classifier") : NULL;
    bool with_clf = use == NULL || strcmp(use, "off") != 0;
    if (rc < 0 || (rc = shared_parts(with_clf, &m->li, &m->clf, &m->spam, err)) < 0)
        goto fail;
    if (use != NULL && strcmp(use, "on") != 0 && strcmp(use, "off") != 0) {
        rc =
            pl_errorf(err, PL_EINVAL, "moderation.classifier: expected on or off, not \"%s\"", use);
        goto fail;
    }
    if ((rc = tune(cfg, m, err)) < 0)
        goto fail;
    *out = m;
    return 0;
fail:
    moderation_free(m);
    return rc;
}

int
moderation_derive(const moderation *base, const config *cfg, moderation **out, pl_error *err)
{
    moderation *m = xmalloc(sizeof *m);
    *m = *base;
    m->base = base;
    int rc = tune(cfg, m, err);
    if (rc < 0) {
        free(m);
        *out = NULL;
        return rc;
    }
    *out = m;
    return 0;
}

void
moderation_free(moderation *m)
{
    if (m == NULL)
        return;
    if (m->base == NULL) {
        if (m->own_lx)
            lexicon_free(m->lx);
        spam_domains_free(m->domains);
    }
    free(m);
}

bool
moderation_score_text(const moderation *m, const char *text, size_t n, classifier_scores *out)
{
    if (m->clf == NULL)
        return false;
    classifier_score(m->clf, text, n, out);
    return true;
}

int64_t
moderation_repeat_window_ms(const moderation *m)
{
    return m->repeat_window_ms;
}

size_t
moderation_memory(const moderation *m)
{
    lexicon_stats st;
    lexicon_get_stats(m->lx, &st);
    return sizeof *m + st.bytes + (m->clf ? classifier_memory(m->clf) : 0);
}

const char *
moderation_decision_name(moderation_decision d)
{
    switch (d) {
    case MOD_PUBLISH:
        return "publish";
    case MOD_HOLD:
        return "hold";
    case MOD_REJECT:
        return "reject";
    }
    return "publish";
}

/* ---- decision ---------------------------------------------------------------- */

static const char *
suffix_for(policy_action a)
{
    switch (a) {
    case POLICY_REJECT:
        return " Please edit the comment and post it again.";
    case POLICY_HOLD:
        return " A moderator will review it before it appears.";
    case POLICY_PUBLISH:
        return " It is published, and a moderator may review it.";
    case POLICY_OFF:
        break;
    }
    return "";
}

char *
excerpt(const ctx *c, uint32_t os, uint32_t oe)
{
    if (oe <= os || oe > c->in->body_len)
        return "";
    if (oe - os > EXCERPT_MAX) {
        oe = os + EXCERPT_MAX;
        while (oe > os && ((unsigned char)c->in->body[oe] & 0xC0) == 0x80)
            oe--; /* never cut a character in half */
    }
    return arena_strndup(c->a, c->in->body + os, oe - os);
}

static double
lexicon_offensive(const ctx *c)
{
    static const double w[4] = {0.15, 0.3, 0.7, 0.9};
    double keep = 1.0;
    for (size_t i = 0; i < c->nhits; i++) {
        const lex_hit *h = &c->hits[i];
        if (h->category <= LEX_HARASSMENT)
            keep *= 1.0 - w[h->severity & 3];
    }
    return 1.0 - keep;
}

/* ---- languages ------------------------------------------------------------- */

/* The languages the engine has lists for (English: all its rules and the model). */
static bool
judged_language(const langid_result *lr)
{
    static const char *const judged[] = {"en", "es", "fr", "de", "pt", "it",
                                         "nl", "pl", "tr", "ar", "fa"};
    if (lr->other_script)
        return false;
    for (size_t i = 0; i < sizeof judged / sizeof judged[0]; i++)
        if (strcmp(lr->lang, judged[i]) == 0)
            return true;
    return false;
}

const moderation_folded *
moderation_fold(const char *body, size_t n, arena *a, moderation_fold_key *key)
{
    moderation_folded *f = arena_alloc(a, sizeof *f);
    norm_fold(a, body, n, &f->t);
    f->hash = spam_fold_hash(f->t.s, f->t.len);
    key->hash = f->hash;
    key->len = (uint32_t)f->t.len;
    key->ver = SPAM_FOLD_VERSION;
    return f;
}

void
moderation_decide(const moderation *m, const moderation_input *in, arena *a, moderation_result *out)
{
    ctx *c = arena_zalloc(a, sizeof *c);
    c->m = m;
    c->in = in;
    c->a = a;
    c->spam = -1;
    if (in->folded != NULL)
        c->t = in->folded->t;
    else
        norm_fold(a, in->body, in->body_len, &c->t);
    langid_result lr;
    langid_detect(m->li, in->body, in->body_len, &lr);
    c->nhits = lexicon_scan_allow(m->lx, &c->t, lr.lang, lr.reliable, a, &c->hits, &c->allowed,
                                  &c->nallowed);
    c->verdict = arena_zalloc(a, c->nhits + 1);
    tokenize(c);

    rule_words(c);
    rule_threats(c);
    rule_personal_details(c);
    rule_identity_hate(c);
    classifier_scores cs;
    for (int k = 0; k < CLF_ATTRS; k++)
        cs.p[k] = -1;
    if (m->clf != NULL) {
        /* Kept for the explainer, which would otherwise featurise the
         * body again for every comment the model holds; and the spam
         * score's features ride on the same pass over the body (its
         * tokens are the model's), for rule_spam. */
        spam_sum ss;
        classifier_rider rider;
        bool ride = m->spam != NULL && (m->spam_at <= 1 || m->spam_at_new <= 1);
        if (ride)
            spam_model_rider(m->spam, &ss, &rider);
        classifier_score_keep_with(m->clf, in->body, in->body_len, &cs, &c->kept,
                                   ride ? &rider : NULL);
        if (ride) {
            c->spam_pre = spam_sum_score(&ss);
            c->spam_ready = true;
        }
    }
    rule_repeated_targeting(c);
    rule_tragedy(c);
    double on_topic = rule_topic(c);
    rule_spam(c);
    if (in->article_status == MOD_ARTICLE_PREMODERATED)
        c->f[RULE_PREMODERATED] = (found){
            .on = true,
            .message = "Comments on this article are reviewed by a moderator before they appear."};
    if (lr.reliable && !judged_language(&lr) && m->pol.action[RULE_UNKNOWN_LANGUAGE] == POLICY_HOLD)
        c->f[RULE_UNKNOWN_LANGUAGE] =
            (found){.on = true,
                    .message = "The automatic checks cannot read the language of this comment, so "
                               "a moderator reads it before it appears."};
    if (m->clf != NULL)
        model_decide(c, &cs);

    size_t n = 0;
    for (int r = 0; r < RULE_COUNT; r++)
        n += c->f[r].on;
    out->decision = MOD_PUBLISH;
    out->reasons = n ? arena_alloc(a, n * sizeof *out->reasons) : NULL;
    out->n_reasons = 0;
    out->queue_for_review = false;
    for (int r = 0; r < RULE_COUNT; r++) {
        if (!c->f[r].on)
            continue;
        /* The article's and the language's holds say nothing against the text. */
        bool plain = r == RULE_PREMODERATED || r == RULE_UNKNOWN_LANGUAGE;
        policy_action act = r == RULE_PREMODERATED ? POLICY_HOLD : m->pol.action[r];
        if (!plain)
            act = model_temper(c, (moderation_rule)r, act, &cs);
        /* A word read only across a mark of what could be a host name
         * (every other word makes the rule certain or a homograph). */
        if (act == POLICY_REJECT && c->f[r].host && !c->f[r].certain && !c->f[r].homograph)
            act = POLICY_HOLD;
        const char *msg =
            plain ? c->f[r].message : arena_printf(a, "%s%s", c->f[r].message, suffix_for(act));
        out->reasons[out->n_reasons++] = (moderation_reason){
            policy_rule_name((moderation_rule)r), msg, excerpt(c, c->f[r].os, c->f[r].oe)};
        if (act == POLICY_PUBLISH)
            out->queue_for_review = true;
        if ((int)act > (int)out->decision)
            out->decision = (moderation_decision)act;
    }
    double lo = lexicon_offensive(c);
    out->offensive = cs.p[CLF_TOXICITY] > lo ? cs.p[CLF_TOXICITY] : lo;
    double la = c->attack_found ? 0.9 : 0.0;
    out->attack = cs.p[CLF_INSULT] > la ? cs.p[CLF_INSULT] : la;
    for (int k = 0; k < CLF_ATTRS; k++)
        out->scores[k] = cs.p[k];
    out->on_topic = on_topic;
    out->spam = c->spam;
    if (lr.reliable)
        memcpy(out->language, lr.lang, sizeof out->language);
    else
        out->language[0] = '\0';
    classifier_drops_free(c->drops);
    c->drops = NULL;
    classifier_kept_free(c->kept);
    c->kept = NULL;
}
