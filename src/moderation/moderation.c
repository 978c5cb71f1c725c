/* moderation/moderation.c: the decision on one comment.
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
 * of it ("the model" section). Nothing is rejected on the model alone.
 *
 * Everything per comment comes from the caller's arena; the engine itself
 * is immutable after moderation_new, so one engine serves all threads.
 */
#include "moderation/moderation.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "moderation/classifier.h"
#include "moderation/langid.h"
#include "moderation/lexicon.h"
#include "moderation/normalize.h"
#include "moderation/policy.h"
#include "moderation/spam.h"
#include "moderation/spamscore.h"
#include "moderation/topic.h"
#include "util/text.h"
#include "util/xalloc.h"

#define EXCERPT_MAX 200
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
 * DEV news comments (docs/MODERATION.md). */
#define MODEL_WORD_AT 0.45
/* The default of moderation.homonym_at: the score at which the model holds
 * a comment with a word that has an innocent twin: a slur with innocent or
 * reclaimed uses that the rules did not find aimed at anyone ("bitch",
 * "faggot"), a mild swear word that is also a plain word ("ass"); chosen
 * on the DEV news comments, HateCheck and the golden cases
 * (docs/MODERATION.md). */
#define MODEL_HOMONYM_AT 0.8

/* The fewest words (outside links) a comment needs for the spam score. */
#define SPAM_MIN_WORDS 5

struct moderation {
    lexicon *lx;
    langid *li;
    classifier *clf;           /* NULL: no model built in */
    double hold_at[CLF_ATTRS]; /* model hold thresholds (calibrated probabilities) */
    double reject_at;          /* model score that turns a rule's hold into a reject; >1: never */
    double confirm_at; /* model score that holds over the rules' innocent reading; >1: never */
    double word_at;    /* TOXICITY or INSULT that holds beside a mild word; >1: never */
    double homonym_at; /* model score that holds beside a word with an innocent twin */
    policy pol;
    int64_t repeat_window_ms;
    int64_t new_user_ms;
    int64_t max_links;
    int64_t off_topic_min_words;
    double off_topic_below;
    topic_stops stops;
    spam_domains *domains; /* moderation.link_allow / link_block (spam.h) */
    spam_model *spam;      /* the spam score (spamscore.h); NULL: none built in */
    double spam_at;        /* hold at this score; >1: never */
    double spam_at_new;    /* the same for new accounts and anonymous checks */
    int64_t min_fill_ms;   /* a form sent sooner is spam; 0: no minimum */
};

struct moderation_article {
    topic_set words; /* content words of the title and text */
    bool has_text;   /* the text has enough words to judge a comment against */
    bool tragic;     /* the title or text tells of death or disaster */
};

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
 * moderation.reject_at, moderation.confirm_at and moderation.word_at; the
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
    return extra_prob(cfg, "moderation.word_at", MODEL_WORD_AT, 2.0, &m->word_at, err);
}

/* The spam score: moderation.spam_at and moderation.spam_at_new (a
 * probability, or off); the defaults come with the model. */
static int
spam_settings(const config *cfg, moderation *m, pl_error *err)
{
    pl_error ignored;
    double hold = 2.0, hold_new = 2.0; /* no model: never */
    if (spam_model_load_builtin(&m->spam, &ignored) == 0)
        spam_model_thresholds(m->spam, &hold, &hold_new);
    int rc = extra_prob(cfg, "moderation.spam_at", hold, 2.0, &m->spam_at, err);
    if (rc == 0)
        rc = extra_prob(cfg, "moderation.spam_at_new", hold_new, 2.0, &m->spam_at_new, err);
    return rc;
}

int
moderation_new(const config *cfg, moderation **out, pl_error *err)
{
    moderation *m = xcalloc(1, sizeof *m);
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
        goto fail;
    if ((rc = spam_domains_new(cfg, &m->domains, err)) < 0)
        goto fail;
    m->repeat_window_ms *= 1000;
    m->new_user_ms *= 3600 * 1000;
    m->off_topic_below = (double)pct / 100.0;
    topic_stops_init(&m->stops);
    const char *dir = cfg ? config_extra(cfg, "moderation.lexicon_dir") : NULL;
    if ((rc = lexicon_load(dir, &m->lx, err)) < 0 || (rc = langid_load(&m->li, err)) < 0)
        goto fail;
    const char *use = cfg ? config_extra(cfg, "moderation.classifier") : NULL;
    if (use != NULL && strcmp(use, "on") != 0 && strcmp(use, "off") != 0) {
        rc =
            pl_errorf(err, PL_EINVAL, "moderation.classifier: expected on or off, not \"%s\"", use);
        goto fail;
    }
    pl_error ignored;
    if (use != NULL && !strcmp(use, "off"))
        m->clf = NULL;
    else if (classifier_load_builtin(&m->clf, &ignored) < 0)
        m->clf = NULL; /* no model built in: the engine runs on the lexicon alone */
    if ((rc = model_settings(cfg, m, err)) < 0 || (rc = spam_settings(cfg, m, err)) < 0)
        goto fail;
    *out = m;
    return 0;
fail:
    moderation_free(m);
    return rc;
}

void
moderation_free(moderation *m)
{
    if (m == NULL)
        return;
    lexicon_free(m->lx);
    langid_free(m->li);
    classifier_free(m->clf);
    spam_domains_free(m->domains);
    spam_model_free(m->spam);
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

/* ---- per-comment context --------------------------------------------------- */

typedef struct found {
    bool on;
    bool model;     /* found with the classifier's help: never more than a hold */
    bool certain;   /* a severe or disguised word: no innocent reading to fear */
    bool homograph; /* a plain word with an innocent twin: never rejected */
    const char *message;
    uint32_t os, oe; /* excerpt in the original body; os == oe: none */
} found;

typedef struct ctx {
    const moderation *m;
    const moderation_input *in;
    arena *a;
    norm_text t;
    lex_hit *hits;
    size_t nhits;
    uint32_t *ts, *te; /* folded token spans */
    size_t ntok;
    found f[RULE_COUNT];
    bool attack_found;
    bool model_offensive;   /* the model reads the text as offensive or profane */
    double spam;            /* the spam score; -1: not computed */
    int8_t *verdict;        /* INSULT_* for each hit (insults only) */
    classifier_word *words; /* the model's leave-one-out drops, once asked for */
    size_t nwords;
} ctx;

static void
tokenize(ctx *c)
{
    const norm_text *t = &c->t;
    size_t cap = t->len / 2 + 2;
    c->ts = arena_alloc(c->a, cap * sizeof *c->ts);
    c->te = arena_alloc(c->a, cap * sizeof *c->te);
    c->ntok = 0;
    size_t i = 0;
    while (i < t->len) {
        const char *sp = memchr(t->s + i, ' ', t->len - i);
        size_t e = sp ? (size_t)(sp - t->s) : t->len;
        c->ts[c->ntok] = (uint32_t)i;
        c->te[c->ntok] = (uint32_t)e;
        c->ntok++;
        i = e + 1;
    }
}

/* The token holding folded byte pos (not a space). */
static long
tok_at(const ctx *c, uint32_t pos)
{
    size_t lo = 0, hi = c->ntok;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (c->ts[mid] <= pos)
            lo = mid;
        else
            hi = mid;
    }
    return (long)lo;
}

/* True when token k spells w; doubles in w match one folded letter, as the
 * folded text keeps a double letter as one byte with a run of two. */
static bool
tok_is(const ctx *c, long k, const char *w)
{
    if (k < 0 || (size_t)k >= c->ntok)
        return false;
    const char *s = c->t.s + c->ts[k];
    size_t n = c->te[k] - c->ts[k], i = 0;
    for (const char *p = w; *p; p++) {
        if (p > w && *p == p[-1])
            continue;
        if (i >= n || s[i] != *p)
            return false;
        i++;
    }
    return i == n;
}

static bool
tok_in(const ctx *c, long k, const char *const *set)
{
    if (k < 0 || (size_t)k >= c->ntok)
        return false;
    /* The first letter rules out almost every word without a call. */
    char first = c->t.s[c->ts[k]];
    for (; *set; set++)
        if ((*set)[0] == first && tok_is(c, k, *set))
            return true;
    return false;
}

static const char *const second_person[] = {"you",  "u",    "ya",       "ye",
                                            "yall", "thou", "yourself", NULL};
static const char *const second_copula[] = {"youre", "ur", "your", "yer", "youve", NULL};
static const char *const third_copula[] = {"hes", "shes", "theyre", NULL};
static const char *const copulas[] = {"is",       "are",   "was",     "were", "be",     "been",
                                      "being",    "r",     "am",      "seem", "seems",  "look",
                                      "looks",    "sound", "sounds",  "act",  "acting", "become",
                                      "becoming", "get",   "getting", NULL};
static const char *const fillers[] = {
    "a",         "an",      "the",      "such",       "so",        "really",     "very",
    "total",     "totally", "complete", "completely", "absolute",  "absolutely", "utter",
    "utterly",   "just",    "pretty",   "too",        "fucking",   "fuckin",     "bloody",
    "damn",      "real",    "big",      "little",     "clearly",   "obviously",  "being",
    "acting",    "like",    "stupid",   "dumb",       "ignorant",  "pathetic",   "worthless",
    "brainless", "lying",   "useless",  "old",        "sad",       "fat",        "ugly",
    "typical",   "of",      "one",      "another",    "certified", "proper",     "right",
    "bit",       "kind",    "sort",     "such",       NULL};
static const char *const negators[] = {"not",      "never",   "no",     "isnt",   "arent", "wasnt",
                                       "werent",   "dont",    "doesnt", "didnt",  "aint",  "nobody",
                                       "noone",    "nothing", "none",   "hardly", "cant",  "wont",
                                       "shouldnt", "neither", "nor",    NULL};
static const char *const person_words[] = {
    "he",         "she",         "him",      "her",      "they",      "them",       "author",
    "writer",     "journalist",  "reporter", "editor",   "columnist", "op",         "poster",
    "commenter",  "commentator", "guy",      "man",      "woman",     "lady",       "dude",
    "mayor",      "president",   "minister", "senator",  "governor",  "councillor", "councilor",
    "politician", "boss",        "ceo",      "chairman", "judge",     "teacher",    "officer",
    "person",     "moderator",   "mod",      "husband",  "wife",      "mother",     "father",
    "mom",        "mum",         "dad",      "son",      "daughter",  "boy",        "girl",
    "reader",     "chancellor",  "premier",  "leader",   "candidate", "spokesman",  "spokeswoman",
    "mp",         "pm",          "king",     "queen",    "prince",    "princess",   "coach",
    "manager",    "player",      "owner",    "founder",  "host",      "anchor",     NULL};
static const char *const first_person[] = {"i",         "im",  "me", "we",  "us", "myself",
                                           "ourselves", "ive", "id", "ill", NULL};
static const char *const not_names[] = {
    "this",       "that",      "it",         "its",      "thats",      "which",     "what",
    "there",      "here",      "the",        "a",        "an",         "and",       "but",
    "or",         "so",        "if",         "then",     "everything", "nothing",   "something",
    "all",        "some",      "many",       "most",     "who",        "why",       "how",
    "when",       "where",     "my",         "our",      "his",        "their",     "these",
    "those",      "today",     "now",        "well",     "yes",        "no",        "oh",
    "ok",         "okay",      "sure",       "honestly", "frankly",    "also",      "plan",
    "idea",       "policy",    "article",    "argument", "law",        "bill",      "decision",
    "proposal",   "comment",   "post",       "claim",    "statement",  "move",      "approach",
    "logic",      "reasoning", "theory",     "rule",     "budget",     "scheme",    "design",
    "piece",      "story",     "take",       "view",     "opinion",    "point",     "question",
    "answer",     "response",  "reply",      "system",   "program",    "programme", "strategy",
    "deal",       "report",    "study",      "vote",     "tax",        "thing",     "stuff",
    "headline",   "title",     "government", "council",  "party",      "brexit",    "congress",
    "parliament", "senate",    "court",      "city",     "country",    "state",     "economy",
    "market",     "company",   "team",       "club",     "school",     "church",    "media",
    "news",       "internet",  "twitter",    "facebook", "somebody",   "someone",   "let",
    "lets",       "please",    "maybe",      "perhaps",  "just",       "only",      "one",
    "nobody",     "anyone",    "anybody",    NULL};
static const char *const idea_words[] = {
    "this",     "that",      "it",         "its",      "thats",     "which",      "plan",
    "idea",     "policy",    "article",    "argument", "law",       "bill",       "decision",
    "proposal", "comment",   "post",       "claim",    "statement", "move",       "approach",
    "logic",    "reasoning", "theory",     "rule",     "budget",    "scheme",     "design",
    "piece",    "story",     "take",       "view",     "opinion",   "point",      "question",
    "answer",   "response",  "reply",      "system",   "program",   "programme",  "strategy",
    "deal",     "report",    "study",      "vote",     "tax",       "thing",      "stuff",
    "headline", "title",     "everything", "nothing",  "something", "government", "plans",
    "ideas",    "policies",  "arguments",  "laws",     "decisions", "comments",   "claims",
    "rules",    "idea",      "what",       NULL};

static void
set_reason(ctx *c, moderation_rule r, const char *message, uint32_t os, uint32_t oe)
{
    if (c->f[r].on || c->m->pol.action[r] == POLICY_OFF)
        return;
    c->f[r] = (found){true, false, false, false, message, os, oe};
}

/* Original byte span of folded tokens [k1, k2]. */
static void
span_tokens(const ctx *c, size_t k1, size_t k2, uint32_t *os, uint32_t *oe)
{
    *os = c->t.ostart[c->ts[k1]];
    *oe = c->t.oend[c->te[k2] - 1];
}

static void
span_hit(const ctx *c, const lex_hit *h, uint32_t *os, uint32_t *oe)
{
    *os = c->t.ostart[h->start];
    *oe = c->t.oend[h->end - 1];
}

/* A masked word ("f*cking") stands where an intensifier would. */
static bool
tok_masked(const ctx *c, long k)
{
    return memchr(c->t.s + c->ts[k], '*', c->te[k] - c->ts[k]) != NULL;
}

static bool
negated_before(const ctx *c, long k, int window)
{
    for (long j = k - 1; j >= 0 && j >= k - window; j--)
        if (tok_in(c, j, negators))
            return true;
    return false;
}

static bool
is_parent_author(const ctx *c, long k)
{
    const char *name = c->in->parent_author_name;
    if (name == NULL || name[0] == '\0' || k < 0 || (size_t)k >= c->ntok)
        return false;
    /* Compare the first word of the name, folded like the comment. */
    norm_text nt;
    size_t n = strlen(name);
    if (n > 128)
        n = 128;
    norm_fold(c->a, name, n, &nt);
    size_t e = 0;
    while (e < nt.len && nt.s[e] != ' ')
        e++;
    return e > 0 && e == c->te[k] - c->ts[k] && !memcmp(nt.s, c->t.s + c->ts[k], e);
}

static bool
looks_like_name(const ctx *c, long k)
{
    if (k < 0 || (size_t)k >= c->ntok)
        return false;
    return (c->t.flags[c->ts[k]] & NORM_CAPITAL) && !tok_in(c, k, not_names) &&
           !tok_in(c, k, first_person);
}

/* The original character before byte os, skipping spaces; 0 at the start. */
static char
orig_before(const ctx *c, uint32_t os)
{
    while (os > 0) {
        char ch = c->in->body[--os];
        if (ch != ' ' && ch != '\t')
            return ch;
    }
    return 0;
}

static char
orig_after(const ctx *c, uint32_t oe)
{
    while (oe < c->in->body_len) {
        char ch = c->in->body[oe++];
        if (ch != ' ' && ch != '\t')
            return ch;
    }
    return 0;
}

/* True when the original spelling of a hit is not plain letters: leetspeak,
 * masks, look-alikes, separators, stretching or invisible characters. */
static bool
disguised(const ctx *c, const lex_hit *h)
{
    uint32_t os = c->t.ostart[h->start], oe = c->t.oend[h->end - 1];
    const char *b = c->in->body;
    for (uint32_t i = os; i < oe; i++) {
        unsigned char ch = (unsigned char)b[i];
        if (ch == '\'')
            continue; /* "nigga's" is a possessive, not a disguise */
        if (ch == 0xE2 && i + 2 < oe && (unsigned char)b[i + 1] == 0x80 &&
            (unsigned char)b[i + 2] == 0x99) {
            i += 2; /* U+2019, the typographic apostrophe */
            continue;
        }
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')))
            return true;
    }
    for (uint32_t i = h->start; i < h->end; i++)
        if (c->t.run[i] >= 3)
            return true;
    return (c->t.flags[c->ts[tok_at(c, h->start)]] & NORM_JOINED) != 0;
}

/* A severe word (severity 3: no innocent use), a disguised one (nobody
 * hides a word for a bird or a degree) or one with no innocent homograph
 * makes a reject certain without the model's agreement (see "the model"
 * below). */
static void
mark_certain(ctx *c, moderation_rule r, const lex_hit *h)
{
    if (!c->f[r].on || c->f[r].model)
        return;
    /* Strong words that are also innocent ones (degrees: "magna cum
     * laude"; birds: "blue tits"; plants and names: "pussy willow", "Dick";
     * doors: "knob") are marked "homograph" in the lexicon: the model cannot
     * tell the twins apart any better than a word list (it scores "pussy
     * willow" as offensive), so their plain spellings are never rejected. */
    bool homograph = lexicon_term_homograph(c->m->lx, h->term);
    if (h->severity >= 3 || disguised(c, h) || !homograph)
        c->f[r].certain = true;
    else
        c->f[r].homograph = true;
}

/* True when no sentence ends between original bytes a and b. */
static bool
same_sentence(const ctx *c, uint32_t a, uint32_t b)
{
    for (uint32_t i = a; i < b && i < c->in->body_len; i++) {
        char ch = c->in->body[i];
        if (ch == '.' || ch == '!' || ch == '?' || ch == '\n')
            return false;
    }
    return true;
}

/* ---- rules ------------------------------------------------------------------ */

static const char MSG_ATTACK[] =
    "This reads as a personal attack. Criticise the argument, not the person.";

/* Verdicts on an insult word: aimed at a person, said of something else
 * (an idea, the speaker, a group, a mention, negated), or undecided. Only
 * undecided insults may be settled by the classifier, which reads "this
 * plan is idiotic" as an attack as readily as "you are an idiot". */
enum { INSULT_NOT = -1, INSULT_UNKNOWN = 0, INSULT_AIMED = 1 };

/* Is the word quoted or named rather than used ("calling people
 * \"idiots\"", "he called me a moron")? */
static bool
mentioned(const ctx *c, const lex_hit *h, long k)
{
    static const char *const calls[] = {"call", "calls", "calling",  "called",  "word",
                                        "term", "label", "labelled", "labeled", NULL};
    for (long j = k - 1; j >= 0 && j >= k - 3; j--)
        if (tok_in(c, j, calls))
            return true;
    uint32_t os = c->t.ostart[h->start], oe = c->t.oend[h->end - 1];
    const unsigned char *b = (const unsigned char *)c->in->body;
    bool open = (os >= 1 && (b[os - 1] == '"' || b[os - 1] == '\'')) ||
                (os >= 3 && b[os - 3] == 0xE2 && b[os - 2] == 0x80 &&
                 (b[os - 1] == 0x9C || b[os - 1] == 0x98));
    bool close = (oe < c->in->body_len && (b[oe] == '"' || b[oe] == '\'')) ||
                 (oe + 2 < c->in->body_len && b[oe] == 0xE2 && b[oe + 1] == 0x80 &&
                  (b[oe + 2] == 0x9D || b[oe + 2] == 0x99));
    return open && close;
}

/* Is the insult in tokens [k, kend] aimed at a person? Sets the excerpt
 * start token in *from. */
static int
insult_target(ctx *c, const lex_hit *h, long k, long kend, long *from)
{
    bool noun = h->category == LEX_INSULT;
    *from = k;
    if (h->via == LEX_VIA_TARGETED)
        return INSULT_AIMED;
    if (negated_before(c, k, 4) || mentioned(c, h, k))
        return INSULT_NOT;
    long j = k - 1;
    int skipped = 0;
    while (j >= 0 && skipped < 5 && (tok_in(c, j, fillers) || tok_masked(c, j))) {
        j--;
        skipped++;
    }
    if (tok_in(c, j, second_person) || tok_in(c, j, second_copula)) {
        /* "you idiot", "you're a moron", "your an idiot"; but "your stupid
         * plan" is about the plan: an adjective after "your" needs "you". */
        if (tok_is(c, j, "your") &&
            !(noun && skipped > 0 && tok_in(c, j + 1, (const char *const[]){"a", "an", NULL})))
            return INSULT_NOT;
        *from = j;
        return INSULT_AIMED;
    }
    if (tok_in(c, j, third_copula)) {
        *from = j;
        return INSULT_AIMED;
    }
    if (tok_in(c, j, copulas)) {
        long s = j - 1;
        if (tok_in(c, s, second_person)) {
            *from = s;
            return INSULT_AIMED;
        }
        if (tok_in(c, s, first_person) || tok_in(c, s, idea_words))
            return INSULT_NOT;
        /* "Politicians are idiots": a plural subject is a group, and
         * insulting a group is not an attack on a person here. */
        if ((tok_is(c, j, "are") || tok_is(c, j, "were")) && s >= 0 && c->te[s] > c->ts[s] &&
            c->t.s[c->te[s] - 1] == 's' && !tok_in(c, s, person_words))
            return INSULT_NOT;
        /* "the author is an idiot", "Bob is a moron" (names only with a
         * noun: "Brexit is stupid" is about a thing). */
        if (tok_in(c, s, person_words) || is_parent_author(c, s) ||
            (noun && looks_like_name(c, s))) {
            *from = s;
            return INSULT_AIMED;
        }
        return noun ? INSULT_UNKNOWN : INSULT_NOT;
    }
    if (tok_in(c, j, first_person))
        return INSULT_NOT; /* "I am such an idiot" was handled above; "me, an idiot" */
    if (!noun) {
        /* "a stupid policy", "what a dumb idea": the adjective qualifies
         * a thing. */
        if (tok_in(c, kend + 1, idea_words) || tok_in(c, kend + 2, idea_words))
            return INSULT_NOT;
        return INSULT_UNKNOWN;
    }
    /* "idiots like you", "what an idiot you are". */
    if (tok_is(c, kend + 1, "like") && tok_in(c, kend + 2, second_person))
        return INSULT_AIMED;
    if (tok_in(c, kend + 1, second_person) && (j < 0 || tok_is(c, j, "what")))
        return INSULT_AIMED;
    /* A vocative: "Nice try, idiot." or "Idiot, read the article." */
    uint32_t os, oe;
    span_hit(c, h, &os, &oe);
    char b = orig_before(c, os), a = orig_after(c, oe);
    if (b == ',' && (a == 0 || a == '.' || a == '!' || a == '?'))
        return INSULT_AIMED;
    if (b == 0 && (a == ',' || a == '!' || a == 0 || a == '.'))
        return INSULT_AIMED;
    /* "What an idiot." */
    if (j >= 0 && tok_is(c, j, "what") && j == 0)
        return INSULT_AIMED;
    return INSULT_UNKNOWN;
}

static void
rule_words(ctx *c)
{
    for (size_t i = 0; i < c->nhits; i++) {
        const lex_hit *h = &c->hits[i];
        uint32_t os, oe;
        span_hit(c, h, &os, &oe);
        long k = tok_at(c, h->start);
        if (h->category <= LEX_SLUR) /* the whole word: "Fucking", not "Fuck" */
            span_tokens(c, (size_t)k, (size_t)tok_at(c, h->end - 1), &os, &oe);
        switch (h->category) {
        case LEX_PROFANITY:
            if (h->severity >= 2) {
                set_reason(c, RULE_PROFANITY,
                           "This comment uses strong language, which is not allowed here.", os, oe);
                mark_certain(c, RULE_PROFANITY, h);
            }
            break;
        case LEX_VULGARITY:
            if (h->severity >= 2) {
                set_reason(c, RULE_VULGARITY, "This comment uses vulgar language.", os, oe);
                mark_certain(c, RULE_VULGARITY, h);
            }
            break;
        case LEX_SLUR: {
            if (h->severity == 0)
                break;
            bool aimed = h->severity >= 2;
            if (!aimed) {
                /* Reclaimed or innocent in most uses: only when aimed at
                 * someone ("you ...", "... like you", "dirty ..."). */
                static const char *const cues[] = {
                    "dirty",   "filthy", "stinking", "fucking", "fuckin",     "damn",      "bloody",
                    "typical", "those",  "these",    "stupid",  "disgusting", "worthless", "lazy",
                    "ugly",    "fat",    "bunch",    "kill",    "many",       NULL};
                long kend = tok_at(c, h->end - 1);
                for (long j = k - 1; j >= 0 && j >= k - 3 && !aimed; j--)
                    aimed = (tok_in(c, j, second_person) || tok_is(c, j, "youre")) &&
                            same_sentence(c, c->t.ostart[c->ts[j]], os);
                /* Disguised ("f4gg0t", "ｆａｇｇｏｔ"): nobody hides a word for a
                 * meatball or a cigarette. */
                aimed = aimed || disguised(c, h) || tok_in(c, k - 1, cues) ||
                        (tok_is(c, kend + 1, "like") && tok_in(c, kend + 2, second_person));
            }
            if (aimed) {
                set_reason(c, RULE_SLUR, "This comment uses a slur. Slurs are not allowed here.",
                           os, oe);
                mark_certain(c, RULE_SLUR, h);
            }
            break;
        }
        case LEX_INSULT:
        case LEX_INSULT_ADJ: {
            if (h->severity == 0)
                break;
            long from, kend = tok_at(c, h->end - 1);
            c->verdict[i] = (int8_t)insult_target(c, h, k, kend, &from);
            if (c->verdict[i] == INSULT_AIMED) {
                uint32_t fos, foe;
                span_tokens(c, (size_t)from, (size_t)kend, &fos, &foe);
                if (from > kend) /* "idiots like you": the insult itself */
                    fos = os;
                set_reason(c, RULE_PERSONAL_ATTACK, MSG_ATTACK, fos < os ? fos : os, oe);
                c->attack_found = true;
            }
            break;
        }
        case LEX_ATTACK:
            if (negated_before(c, k, 2))
                break;
            if (h->severity >= 2 || c->in->parent_body != NULL) {
                set_reason(c, RULE_PERSONAL_ATTACK, MSG_ATTACK, os, oe);
                c->attack_found = true;
            }
            break;
        case LEX_HARASSMENT:
            /* "don't kill yourself" is care, not a threat. */
            if (h->severity >= 2 && !negated_before(c, k, 2) && !tok_is(c, k - 1, "please"))
                set_reason(c, RULE_HARASSMENT,
                           "This reads as a threat or a wish of harm against a person.", os, oe);
            break;
        default:
            break;
        }
    }
}

static const char *const human_words[] = {
    "you",         "u",           "ya",         "him",       "her",           "them",
    "their",       "his",         "he",         "she",       "they",          "everyone",
    "everybody",   "anyone",      "anybody",    "people",    "person",        "women",
    "woman",       "men",         "man",        "girl",      "girls",         "boy",
    "boys",        "kids",        "children",   "child",     "muslims",       "jews",
    "christians",  "immigrants",  "refugees",   "migrants",  "blacks",        "whites",
    "gays",        "lesbians",    "trans",      "liberals",  "conservatives", "democrats",
    "republicans", "politicians", "cops",       "police",    "journalists",   "reporters",
    "mayor",       "president",   "minister",   "senator",   "judge",         "voters",
    "foreigners",  "yourself",    "yourselves", "himself",   "herself",       "themselves",
    "family",      "wife",        "husband",    "immigrant", "muslim",        "jew",
    "refugee",     "migrant",     "foreigner",  NULL};
static const char *const intent_words[] = {"to",    "will", "shall", "ill",   "well",  "gonna",
                                           "wanna", "lets", "must",  "would", "gotta", NULL};
static const char *const wish_words[] = {"should", "ought", "must", "deserve", "deserves", "wish",
                                         "hope",   "love",  "only", "better",  "just",     NULL};
static const char *const first_subject[] = {"i",    "im",   "ill",  "id",  "we",
                                            "well", "were", "lets", "ive", NULL};

/* Verbs of violence in the base form, which opens an order, and the
 * objects that make the order a threat against a person. */
static const char *const imperatives[] = {
    "kill",     "murder",  "stab",      "shoot",       "lynch", "rape",
    "torture",  "execute", "strangle",  "burn",        "drown", "behead",
    "castrate", "gas",     "slaughter", "exterminate", NULL};
static const char *const objects[] = {"him", "her", "them", "em", NULL};
static const char *const pointers[] = {"this", "that", "these", "those", NULL};
static const char *const object_nouns[] = {"guy",    "guys",   "man",     "men",   "woman", "women",
                                           "person", "people", "bastard", "bitch", "idiot", "scum",
                                           "creep",  "pig",    "thug",    "thugs", NULL};

/* What a person owns or loves, after a possessive: "burn your house down",
 * "I will find your kids". */
static const char *const possessives[] = {"your", "ur", "his", "her", "their", NULL};
static const char *const belongings[] = {
    "house",  "home",   "family", "kids",   "children", "wife",     "husband",
    "mother", "mom",    "father", "dad",    "son",      "daughter", "car",
    "dog",    "office", "head",   "throat", "face",     "skull",    NULL};

/* A person in token k: a pronoun, a group of people ("women", and words
 * for followers or members: "-ists", "-ians"), a name. "Those" and "all"
 * alone are not enough: "stab those balloons" threatens no one. */
static bool
human_at(const ctx *c, long k)
{
    if (tok_in(c, k, human_words) || is_parent_author(c, k) ||
        (looks_like_name(c, k) && !tok_in(c, k, idea_words)))
        return true;
    if (tok_in(c, k, possessives) && tok_in(c, k + 1, belongings))
        return true;
    if (k < 0 || (size_t)k >= c->ntok)
        return false;
    size_t n = c->te[k] - c->ts[k];
    const char *w = c->t.s + c->ts[k];
    return n > 5 && (!memcmp(w + n - 4, "ists", 4) || !memcmp(w + n - 4, "ians", 4));
}

/* Verbs of violence are threats in context: a person says they will do it
 * to someone ("I'm going to stab ..."), or that it should be done to
 * someone ("... should be shot", "someone should strangle ..."), within
 * one sentence, not negated. */
static void
rule_threats(ctx *c)
{
    for (size_t i = 0; i < c->nhits; i++) {
        const lex_hit *h = &c->hits[i];
        if (h->category != LEX_VIOLENCE)
            continue;
        long k = tok_at(c, h->start), kend = tok_at(c, h->end - 1);
        uint32_t os, oe;
        span_hit(c, h, &os, &oe);
        if (negated_before(c, k, 6))
            continue;
        bool intent = false, wish = false, person = false;
        for (long j = k - 1; j >= 0 && j >= k - 6; j--) {
            if (!same_sentence(c, c->t.ostart[c->ts[j]], os))
                break;
            if (tok_in(c, j, first_subject) &&
                (tok_in(c, k - 1, intent_words) || tok_in(c, j, intent_words)))
                intent = true;
            if (tok_in(c, j, wish_words))
                wish = true;
            /* Before the verb a capitalised word is a name only as the
             * subject of the wish ("Smith should be shot"), not as the
             * first word of a sentence ("Somebody should ..."). */
            if (looks_like_name(c, j) ? tok_in(c, j + 1, wish_words) || tok_in(c, j + 1, copulas)
                                      : human_at(c, j))
                person = true;
        }
        bool death_to = tok_is(c, k, "death") && tok_is(c, kend, "to");
        /* An order with a person as its object: "Shoot them all.", "Castrate
         * this guy." (the verb opens its sentence; "kill them with kindness"
         * is an idiom, "shoot him a message" an errand; "beat", "hang" and
         * "hurt" are left out: "beat them at the polls", "hang them out to
         * dry"). */
        if (k == kend && (k == 0 || !same_sentence(c, c->t.ostart[c->ts[k - 1]], os)) &&
            tok_in(c, k, imperatives)) {
            long o = kend + 1;
            bool obj = tok_in(c, o, objects) ||
                       (tok_in(c, o, pointers) && tok_in(c, o + 1, object_nouns)) ||
                       (tok_in(c, o, possessives) && tok_in(c, o + 1, belongings));
            if (obj && !(tok_is(c, o + 1, "with") && tok_is(c, o + 2, "kindness")) &&
                !tok_in(c, o + 1, (const char *const[]){"a", "an", NULL}) &&
                same_sentence(c, os, c->t.ostart[c->ts[o]]))
                intent = person = true;
        }
        /* "shoot the next gay person", four words on */
        for (long j = kend + 1; j <= kend + 4 && (size_t)j < c->ntok; j++) {
            if (!same_sentence(c, oe, c->t.ostart[c->ts[j]]))
                break;
            if (human_at(c, j))
                person = true;
        }
        if (person && (intent || wish || death_to)) {
            set_reason(c, RULE_HARASSMENT,
                       "This reads as a threat or a wish of harm against a person.", os, oe);
            return;
        }
    }
}

/* Personal details: "his address is 12 ...", "she lives at 4 ...". */
static void
rule_personal_details(ctx *c)
{
    static const char *const owners[] = {"his", "her", "their", "your", "ur", NULL};
    static const char *const details[] = {"address", "phone", "number", "home", "cell", NULL};
    bool number = false;
    long cue = -1;
    if (strpbrk(c->t.s, "0123456789") == NULL)
        return;
    for (size_t k = 0; k < c->ntok && !number; k++) {
        size_t n = c->te[k] - c->ts[k], digits = 0;
        for (size_t i = c->ts[k]; i < c->te[k]; i++)
            digits += c->t.s[i] >= '0' && c->t.s[i] <= '9';
        number = digits >= 2 && digits == n;
    }
    if (!number)
        return;
    for (size_t k = 0; k < c->ntok; k++) {
        char f = c->t.s[c->ts[k]];
        if (f != 'h' && f != 't' && f != 'y' && f != 'u' && f != 'l')
            continue; /* no owner word nor "lives" starts otherwise */
        if ((tok_in(c, (long)k, owners) && tok_in(c, (long)k + 1, details)) ||
            (tok_is(c, (long)k, "lives") &&
             tok_in(c, (long)k + 1, (const char *const[]){"at", "on", NULL})))
            cue = (long)k;
    }
    if (number && cue >= 0) {
        uint32_t os, oe;
        span_tokens(c, (size_t)cue, (size_t)cue + 1, &os, &oe);
        set_reason(c, RULE_HARASSMENT,
                   "Do not share a person's private details such as an "
                   "address or phone number.",
                   os, oe);
    }
}

/* ---- identity hate ------------------------------------------------------------ */

/* Hate against people for who they are, written without slurs: "I hate
 * women", "immigrants are vermin", "Muslims can't be trusted", "trans
 * people should not be allowed to vote". The lexicon marks the words for
 * identity groups (category group); this rule reads the few tokens around
 * each and fires only on a fixed shape: the speaker's own hate toward the
 * group, the group as the subject of a dehumanising or degrading
 * predicate, the denial of its worth or rights, a call to remove it. It
 * stays quiet when the statement is negated ("I don't hate women", "women
 * are not stupid"), reported or argued against ("saying women are vermin
 * is vile", "you can't believe all women are stupid"), quoted, or says
 * something neutral or kind. Each group word looks at a bounded window, so
 * the rule is linear in the comment. */

static const char MSG_IDENTITY_HATE[] =
    "This reads as an attack on people for who they are. Criticise ideas and actions, not "
    "groups of people.";

/* Words for people after an adjective group ("black people", "trans women"). */
static const char *const ih_people[] = {
    "people",      "person",     "persons",   "folk",        "folks",    "men",
    "women",       "man",        "woman",     "guys",        "kids",     "children",
    "lives",       "life",       "community", "communities", "families", "members",
    "individuals", "couples",    "students",  "workers",     "girls",    "boys",
    "citizens",    "immigrants", "migrants",  "refugees",    NULL};
/* Between a verb of hate and the group: "I hate all these women". */
static const char *const ih_pre_gap[] = {
    "all", "the",     "these",  "those",  "most", "any",  "every", "of",   "for",
    "by",  "towards", "toward", "around", "near", "you",  "so",    "much", "with",
    "at",  "being",   "other",  "such",   "many", "some", NULL};
/* The speaker's own hate, first person only: "he hates" reports another's. */
static const char *const ih_hate_verbs[] = {"hate",   "hated", "despise", "detest",
                                            "loathe", "abhor", NULL};
/* Feelings named as nouns or adjectives: "contempt for", "disgusted by". */
static const char *const ih_hate_feelings[] = {"hatred",   "contempt", "disdain",   "scorn",
                                               "loathing", "disgust",  "revulsion", "disgusted",
                                               "sickened", "repulsed", "sick",      NULL};
/* Between the speaker and the feeling: "I really can't stand", "I have so
 * much hatred", "I feel nothing but contempt". */
static const char *const ih_speaker_gap[] = {
    "really",    "just",    "absolutely", "truly",      "honestly", "so",        "also",
    "seriously", "totally", "fucking",    "completely", "utterly",  "am",        "m",
    "feel",      "have",    "got",        "such",       "a",        "lot",       "of",
    "much",      "deeply",  "always",     "still",      "do",       "genuinely", "personally",
    "literally", "simply",  "frankly",    "get",        "getting",  "bloody",    "too",
    "only",      "pure",    "nothing",    "but",        "utter",    NULL};
/* What happens to the group, not the group itself: "sick of women being
 * paid less" is about the pay. */
static const char *const ih_done_to[] = {"being",  "getting", "treated", "paid",      "having",
                                         "facing", "dying",   "losing",  "suffering", NULL};
/* After the group, before its predicate: "women like you are", "immigrants
 * in this country are". */
static const char *const ih_post_skip[] = {
    "here",      "today",     "now",       "all",    "really",    "just",      "always",
    "honestly",  "truly",     "seriously", "simply", "basically", "literally", "clearly",
    "obviously", "generally", "mostly",    "in",     "this",      "our",       "my",
    "the",       "country",   "town",      "city",   "world",     "society",   "area",
    "around",    "there",     "these",     "days",   NULL};
static const char *const ih_like_whom[] = {"you",   "them",  "her", "him", "that", "this",
                                           "these", "those", "me",  "us",  NULL};
static const char *const ih_copulas[] = {"are", "r", "were", "is", "was", NULL};
static const char *const ih_generic[] = {"a", "an", "any", "every", "each", NULL};
/* Between the copula and the predicate: "are all just", "are nothing but". */
static const char *const ih_attr_gap[] = {
    "all",        "just",       "so",        "such",          "really",     "truly",      "very",
    "a",          "an",         "the",       "absolute",      "absolutely", "total",      "totally",
    "complete",   "completely", "utter",     "utterly",       "simply",     "basically",  "always",
    "literally",  "human",      "common",    "mere",          "merely",     "pure",       "at",
    "ever",       "any",        "by",        "nature",        "naturally",  "inherently", "without",
    "doubt",      "exception",  "most",      "more",          "far",        "much",       "even",
    "still",      "only",       "genuinely", "fundamentally", "born",       "bunch",      "of",
    "one",        "biggest",    "like",      "that",          "as",         "dirty",      "filthy",
    "disgusting", "worthless",  "stinking",  "fucking",       "bloody",     "lazy",       "stupid",
    "dumb",       "useless",    NULL};
/* Dehumanising nouns. */
static const char *const ih_dehum[] = {
    "termites",      "rodents",     "barbarians",  "invaders", "hyenas",    "vermin",  "animals",
    "animal",        "parasites",   "parasite",    "rats",     "rat",       "plague",  "subhuman",
    "subhumans",     "scum",        "filth",       "trash",    "garbage",   "rubbish", "refuse",
    "dirt",          "cockroaches", "cockroach",   "roaches",  "pests",     "pest",    "virus",
    "cancer",        "disease",     "infestation", "beasts",   "beast",     "savages", "apes",
    "monkeys",       "insects",     "insect",      "lice",     "leeches",   "leech",   "worms",
    "maggots",       "swine",       "pigs",        "dogs",     "creatures", "waste",   "sewage",
    "cattle",        "locusts",     "blight",      "scourge",  "stain",     "weeds",   "mongrels",
    "untermenschen", "excrement",   "demons",      "pox",      NULL};
/* Right after a group word, only nouns with no innocent reading: "female
 * vermin", not "women cancer survivors" or "gay animals". */
static const char *const ih_dehum_next[] = {
    "vermin",    "scum",        "filth",     "trash",    "garbage",       "rats",
    "parasites", "cockroaches", "subhumans", "subhuman", "maggots",       "swine",
    "pigs",      "apes",        "monkeys",   "savages",  "untermenschen", "leeches",
    "lice",      "roaches",     "mongrels",  NULL};
/* Degrading attributes of a whole group. */
static const char *const ih_attr[] = {
    "problem",    "enemy",       "stupid",      "dumb",        "disgusting",    "repulsive",
    "despicable", "sickening",   "revolting",   "repugnant",   "dishonest",     "vile",
    "pathetic",   "liars",       "criminals",   "worthless",   "inferior",      "evil",
    "lazy",       "dirty",       "filthy",      "ignorant",    "violent",       "cruel",
    "brainless",  "stupidest",   "dumbest",     "worst",       "useless",       "idiots",
    "morons",     "thieves",     "rapists",     "terrorists",  "dangerous",     "threat",
    "danger",     "uncivilised", "uncivilized", "barbaric",    "primitive",     "backward",
    "disgrace",   "abomination", "degenerate",  "degenerates", "freaks",        "perverts",
    "lesser",     "gross",       "nasty",       "hideous",     "untrustworthy", "deceitful",
    "greedy",     "parasitic",   "horrible",    "awful",       "deplorable",    "incompetent",
    "inbred",     "unclean",     "diseased",    "abhorrent",   "loathsome",     "contemptible",
    "detestable", "wicked",      "savage",      "sick",        "twisted",       "insane",
    "unfit",      "liar",        "criminal",    "thief",       "rapist",        "terrorist",
    NULL};
/* Worth a group is denied when these are negated: "women are not human". */
static const char *const ih_worth[] = {
    "human",    "humans",      "people",  "equal",       "equals",     "worthy",
    "worth",    "intelligent", "smart",   "clever",      "attractive", "welcome",
    "valuable", "important",   "capable", "trustworthy", "civilised",  "civilized",
    "normal",   "deserving",   "wanted",  "needed",      "decent",     "honest",
    "sane",     "useful",      "trusted", "valued",      NULL};
/* Removal: "immigrants should all be deported", "ban Muslims". */
static const char *const ih_removed[] = {
    "deported", "banned",     "expelled",   "exterminated", "eradicated", "eliminated",
    "purged",   "gassed",     "sterilised", "sterilized",   "locked",     "caged",
    "removed",  "segregated", "excluded",   "kicked",       "thrown",     "rounded",
    "dumped",   "shipped",    "sent",       "euthanised",   "euthanized", "culled",
    "wiped",    "killed",     "shot",       "hanged",       "burned",     "interned",
    "exiled",   "banished",   "lynched",    "castrated",    NULL};
static const char *const ih_remove[] = {"deport", "ban",    "expel",     "exterminate", "eradicate",
                                        "purge",  "gas",    "sterilise", "sterilize",   "cull",
                                        "lynch",  "banish", "exile",     NULL};
static const char *const ih_rights[] = {"vote",  "work",  "exist", "live",      "drive", "marry",
                                        "adopt", "teach", "breed", "reproduce", "serve", "lead",
                                        "hold",  "run",   "own",   "speak",     "enter", "stay",
                                        "have",  "be",    "come",  "immigrate", "pray",  NULL};
static const char *const ih_belong_in[] = {"zoo",   "zoos",  "cage",  "cages", "kitchen", "gutter",
                                           "sewer", "trash", "bin",   "dump",  "jail",    "prison",
                                           "camps", "camp",  "ovens", "oven",  NULL};
/* The speaker reports or argues against what follows: "saying women are
 * vermin", "comments like ...", "you really believe ...". */
static const char *const ih_report[] = {
    "say",       "says",       "said",       "saying",     "call",       "calls",      "called",
    "calling",   "claim",      "claims",     "claimed",    "claiming",   "write",      "writes",
    "wrote",     "writing",    "written",    "believe",    "believes",   "think",      "thinks",
    "thought",   "statement",  "statements", "comment",    "comments",   "post",       "posts",
    "things",    "stuff",      "words",      "tweet",      "tweets",     "message",    "messages",
    "argue",     "argues",     "suggest",    "suggests",   "suggesting", "imply",      "implying",
    "pretend",   "pretending", "assume",     "assuming",   "myth",       "stereotype", "notion",
    "lie",       "lies",       "idea",       "insist",     "insists",    "insisting",  "tell",
    "telling",   "told",       "tells",      "hear",       "heard",      "read",       "realise",
    "realising", "realize",    "realizing",  "prove",      "proves",     "proved",     "spread",
    "spreading", "shouting",   "chanting",   "chant",      "chants",     "sign",       "signs",
    "slogan",    "slogans",    "rhetoric",   "propaganda", "meme",       "memes",      "joke",
    "jokes",     "accuse",     "accused",    "accusing",   "portray",    "portrays",   "portraying",
    "treat",     "treats",     "treating",   "view",       "views",      "see",        "sees",
    NULL};
/* First-person opinion: "I think women are scum" is the speaker's own. */
static const char *const ih_own_view[] = {"think", "believe", "say",    "said",  "feel", "telling",
                                          "tell",  "know",    "reckon", "heard", NULL};

static bool
ih_start(const ctx *c, long k)
{
    return k <= 0 || !same_sentence(c, c->t.oend[c->te[k - 1] - 1], c->t.ostart[c->ts[k]]);
}

/* Is the feeling at token j the speaker's: "I (really) hate", "Disgusted by"
 * at the start of a sentence? Not "you hate", "his contempt", "I don't hate". */
static bool
ih_speaker(const ctx *c, long j)
{
    for (long k = j - 1, n = 0; k >= 0 && n < 6 && !ih_start(c, k + 1); k--, n++) {
        if (tok_in(c, k, first_person) || tok_is(c, k, "im"))
            return true;
        if (tok_is(c, k, "nothing") && tok_is(c, k + 1, "but"))
            continue;
        if (tok_in(c, k, negators) || !tok_in(c, k, ih_speaker_gap))
            return false;
    }
    return true;
}

/* Is the statement before token g negated or reported ("I never said",
 * "no one should say", "comments like", "you believe")? A first-person
 * opinion ("I think", "I'm telling you") is the speaker's own. */
static bool
ih_disowned(const ctx *c, long g)
{
    for (long k = g - 1, n = 0; k >= 0 && n < 10 && !ih_start(c, k + 1); k--, n++) {
        /* "nothing but", and the rhetorical "isn't it ..." */
        if ((tok_is(c, k, "nothing") && tok_is(c, k + 1, "but")) ||
            (tok_in(c, k, (const char *const[]){"isnt", "wasnt", NULL}) &&
             tok_in(c, k + 1, (const char *const[]){"it", "that", "this", NULL})))
            continue;
        if (tok_in(c, k, negators))
            return true;
        if (tok_in(c, k, ih_report)) {
            if (tok_in(c, k, ih_own_view)) {
                long s = k - 1;
                while (s >= 0 && k - s <= 3 && tok_in(c, s, ih_speaker_gap))
                    s--;
                if (tok_in(c, s, first_person) || tok_is(c, s, "im"))
                    continue; /* own view; a negator before it still counts */
            }
            return true;
        }
    }
    return false;
}

/* Is the statement attributed after the fact: "... are liars, said the
 * lawyer", "... are dangerous, apparently"? */
static bool
ih_attributed(const ctx *c, long cue)
{
    static const char *const after[] = {"said",       "says",       "according", "claimed",
                                        "claims",     "apparently", "allegedly", "supposedly",
                                        "reportedly", "tweeted",    "wrote",     "writes",
                                        "argued",     "argues",     "insisted",  NULL};
    for (long k = cue + 1; k <= cue + 8 && (size_t)k < c->ntok && !ih_start(c, k); k++)
        if (tok_in(c, k, after))
            return true;
    return false;
}

/* True when original byte pos is inside double quotation marks; *q and
 * *inq carry the scan over from the previous call (positions ascend). */
static bool
ih_quoted(const ctx *c, uint32_t pos, uint32_t *q, bool *inq)
{
    const unsigned char *b = (const unsigned char *)c->in->body;
    for (; *q < pos; (*q)++) {
        if (b[*q] == '"')
            *inq = !*inq;
        else if (b[*q] == 0xE2 && *q + 2 < c->in->body_len && b[*q + 1] == 0x80 &&
                 (b[*q + 2] == 0x9C || b[*q + 2] == 0x9D))
            *inq = b[*q + 2] == 0x9C;
    }
    return *inq;
}

/* Is token k a degrading word: a listed one, or an insult the lexicon
 * found there ("idiots")? */
static bool
ih_degrading(const ctx *c, long k)
{
    if (tok_in(c, k, ih_dehum) || tok_in(c, k, ih_attr))
        return true;
    uint32_t s = c->ts[k];
    size_t lo = 0, hi = c->nhits;
    while (lo < hi) { /* first hit starting at or after s */
        size_t mid = (lo + hi) / 2;
        if (c->hits[mid].start < s)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo; i < c->nhits && c->hits[i].start < c->te[k]; i++)
        if ((c->hits[i].category == LEX_INSULT || c->hits[i].category == LEX_INSULT_ADJ) &&
            c->hits[i].severity >= 1)
            return true;
    return false;
}

/* Is the degrading word at q about something else: "sick of being
 * targeted", "the worst affected by the cuts", "worst hit"? */
static bool
ih_not_of_them(const ctx *c, long q)
{
    long n = q + 1;
    if ((size_t)n >= c->ntok || ih_start(c, n) || tok_is(c, q, "waste")) /* "waste of space" */
        return false;
    if (tok_in(c, n, (const char *const[]){"of", "with", "off", "hit", "by", "at", "for", NULL}))
        return true;
    /* "the problem" ends the clause; "the problem solvers" names other things. */
    if (tok_in(c, q, (const char *const[]){"problem", "enemy", NULL}))
        return !tok_in(c, n,
                       (const char *const[]){"here", "in", "now", "today", "and", "not",
                                             "everywhere", "within", NULL});
    size_t len = c->te[n] - c->ts[n];
    return len > 3 && !memcmp(c->t.s + c->te[n] - 2, "ed", 2) && !tok_in(c, n, ih_dehum);
}

/* After a copula at token p: "are (all just) vermin", "are not human".
 * Returns the deciding token or -1. */
static long
ih_predicate(const ctx *c, long p, bool neg)
{
    for (long q = p + 1; q <= p + 7 && (size_t)q < c->ntok; q++) {
        if (ih_start(c, q))
            return -1;
        if ((tok_is(c, q, "nothing") && tok_is(c, q + 1, "but")) ||
            (tok_is(c, q, "no") && tok_is(c, q + 1, "better"))) {
            q++;
            if (tok_is(c, q + 1, "than"))
                q++;
            continue;
        }
        if (tok_in(c, q, negators)) {
            neg = true;
            continue;
        }
        /* "not our equal", "not worth any less" */
        if (neg && (tok_is(c, q, "our") || tok_is(c, q, "your") || tok_is(c, q, "my")))
            continue;
        /* "not equal under the law" states a fact; "not our equals" denies it. */
        if (tok_in(c, q, (const char *const[]){"equal", "equals", NULL}) &&
            !tok_in(c, q - 1, (const char *const[]){"our", "my", "your", NULL}))
            return -1;
        if (ih_degrading(c, q) && !tok_in(c, q, ih_attr_gap))
            return neg || ih_not_of_them(c, q) ? -1 : q;
        if (tok_in(c, q, ih_worth)) {
            /* "worth nothing", "worth absolutely nothing" */
            if (!neg && tok_is(c, q, "worth") &&
                (tok_is(c, q + 1, "nothing") ||
                 (tok_in(c, q + 1, ih_attr_gap) && tok_is(c, q + 2, "nothing"))))
                return q;
            if (!neg && tok_in(c, q, ih_attr_gap))
                continue; /* "human garbage" */
            if (!neg)
                return -1;
            for (long r = q + 1; r <= q + 3; r++)
                if (tok_in(c, r, (const char *const[]){"less", "fewer", "than", NULL}))
                    return -1;
            return q;
        }
        if (!tok_in(c, q, ih_attr_gap))
            return -1;
        /* A degrading word used as a filler still counts at the end:
         * "are filthy" */
        if (ih_degrading(c, q) && (size_t)q + 1 < c->ntok && !tok_in(c, q + 1, ih_dehum) &&
            !tok_in(c, q + 1, ih_attr) && !tok_in(c, q + 1, ih_attr_gap))
            return neg || ih_not_of_them(c, q) ? -1 : q;
        if (ih_degrading(c, q) && ((size_t)q + 1 >= c->ntok || ih_start(c, q + 1)))
            return neg ? -1 : q;
    }
    return -1;
}

/* What follows the group at tokens [g, ge]; returns the deciding token or -1. */
static long
ih_after(const ctx *c, long g, long ge, bool question)
{
    long p = ge + 1;
    for (int n = 0; n < 5 && (size_t)p < c->ntok && !ih_start(c, p); n++) {
        if (tok_is(c, p, "like") && tok_in(c, p + 1, ih_like_whom))
            p += 2;
        else if (tok_in(c, p, ih_post_skip))
            p++;
        else
            break;
    }
    if ((size_t)p >= c->ntok || ih_start(c, p))
        return -1;
    if (question) /* "why are women so ...", "I find women ...": the verb came first */
        return ih_predicate(c, p - 1, false);
    /* "... disgust me", "... make me sick" */
    if (tok_in(c, p,
               (const char *const[]){"disgust", "disgusts", "sicken", "sickens", "repulse",
                                     "repulses", "revolt", "revolts", "nauseate", NULL}) &&
        tok_in(c, p + 1, (const char *const[]){"me", "us", NULL}))
        return p;
    if (tok_in(c, p, (const char *const[]){"make", "makes", NULL}) &&
        tok_in(c, p + 1, (const char *const[]){"me", "us", NULL})) {
        long q = p + 2;
        if (tok_in(c, q, (const char *const[]){"so", "really", "physically", "feel", NULL}))
            q++;
        if (tok_in(c, q,
                   (const char *const[]){"sick", "ill", "angry", "furious", "puke", "vomit", "boil",
                                         "mad", "gag", "retch", "cringe", NULL}))
            return q;
        return -1;
    }
    if (tok_in(c, p, ih_copulas)) {
        /* "a woman is", "every Muslim is"; but "the woman is" is one person. */
        if ((tok_is(c, p, "is") || tok_is(c, p, "was")) && !tok_in(c, g - 1, ih_generic))
            return -1;
        return ih_predicate(c, p, false);
    }
    /* "can be so ignorant", "can never be as smart", "will always be" */
    if (tok_in(c, p,
               (const char *const[]){"can", "will", "would", "could", "cant", "wont", "cannot",
                                     NULL})) {
        long q = p + 1;
        bool neg = tok_in(c, p, negators);
        while (q <= p + 3 && (tok_in(c, q, negators) || tok_in(c, q, ih_attr_gap))) {
            neg |= tok_in(c, q, negators);
            q++;
        }
        if (tok_is(c, q, "be"))
            return ih_predicate(c, q, neg);
    }
    /* "can't be trusted", "can never be trusted" */
    for (long q = p; q <= p + 3 && (size_t)q < c->ntok; q++)
        if (tok_is(c, q, "trusted") &&
            tok_in(c, p, (const char *const[]){"cant", "cannot", "can", "shouldnt", NULL}) &&
            (tok_in(c, p, negators) || tok_in(c, p + 1, negators)))
            return q;
    bool modal = tok_in(c, p, (const char *const[]){"should", "must", "need", "ought", NULL});
    bool modal_not = tok_in(c, p, (const char *const[]){"shouldnt", "mustnt", NULL}) ||
                     (modal && tok_in(c, p + 1, (const char *const[]){"not", "never", NULL}));
    if (modal_not) {
        long q = p + (tok_in(c, p, (const char *const[]){"shouldnt", "mustnt", NULL}) ? 1 : 2);
        if (tok_is(c, q, "even"))
            q++;
        if (tok_is(c, q, "be") &&
            tok_in(c, q + 1,
                   (const char *const[]){"allowed", "permitted", "trusted", "tolerated", "hired",
                                         "employed", "given", "let", NULL}))
            return q + 1;
        if (tok_is(c, q, "be")) /* "should not be important to anyone" */
            return ih_predicate(c, q, true);
        if (tok_in(c, q, ih_rights) && !tok_is(c, q, "be"))
            return q;
        return -1;
    }
    if (modal) {
        long q = p + 1;
        if (tok_in(c, q, (const char *const[]){"to", "all", NULL}))
            q++;
        if (tok_is(c, q, "all"))
            q++;
        if (tok_is(c, q, "be") && tok_in(c, q + 1, ih_removed))
            return q + 1;
        if (tok_in(c, q, (const char *const[]){"go", "get", NULL}) &&
            tok_in(c, q + 1, (const char *const[]){"back", "out", NULL}))
            return q + 1;
        return -1;
    }
    /* "don't deserve rights", but "don't deserve to be hurt" defends them. */
    long q = p;
    if (tok_in(c, q, (const char *const[]){"do", "does", NULL}) &&
        tok_in(c, q + 1, (const char *const[]){"not", "never", NULL}))
        q += 2;
    else if (tok_in(c, q, (const char *const[]){"dont", "doesnt", "never", NULL}))
        q++;
    else
        q = -1;
    if (q >= 0) {
        if (tok_in(c, q, (const char *const[]){"deserve", "deserves", NULL}))
            return tok_is(c, q + 1, "to") && tok_is(c, q + 2, "be") ? -1 : q;
        /* but "don't belong to a union", "don't count on it" */
        if ((tok_is(c, q, "belong") && !tok_is(c, q + 1, "to")) || tok_is(c, q, "matter") ||
            (tok_is(c, q, "count") && !tok_is(c, q + 1, "on")))
            return q;
        return -1;
    }
    /* "have no right to", "have no place in" */
    if (tok_in(c, p, (const char *const[]){"have", "has", NULL}) && tok_is(c, p + 1, "no") &&
        tok_in(c, p + 2,
               (const char *const[]){"right", "rights", "place", "value", "worth", "business",
                                     "purpose", NULL}))
        return p + 2;
    /* "belong in a zoo" */
    if (tok_in(c, p, (const char *const[]){"belong", "belongs", NULL}) && tok_is(c, p + 1, "in")) {
        long r = p + 2;
        if (tok_in(c, r, (const char *const[]){"a", "the", NULL}))
            r++;
        return tok_in(c, r, ih_belong_in) ? r : -1;
    }
    return -1;
}

/* What comes before the group at token g; returns the deciding token or -1.
 * Sets *question for "are women ..." and "I find women ...", whose predicate
 * follows the group directly. */
static long
ih_before(const ctx *c, long g, bool *question)
{
    *question = false;
    long j = g - 1;
    /* "swarms of immigrants" */
    if (tok_is(c, j, "of") &&
        tok_in(c, j - 1,
               (const char *const[]){"swarms", "swarm", "hordes", "horde", "plague", "infestation",
                                     "herd", "herds", "vermin", NULL}))
        return j - 1;
    /* "typical woman", "typical of a woman" */
    for (long k = j; k >= g - 3 && k >= 0; k--) {
        if (tok_is(c, k, "typical"))
            return k;
        if (!tok_in(c, k, (const char *const[]){"a", "an", "of", NULL}))
            break;
    }
    /* "never trust a woman" */
    for (long k = j; k >= g - 3 && k >= 0; k--) {
        if (tok_is(c, k, "trust")) /* the cue starts at the negator */
            return tok_in(c, k - 1,
                          (const char *const[]){"never", "dont", "cant", "cannot", "not", NULL}) &&
                           !tok_in(c, k - 2, first_person)
                       ? k - 1
                       : -1;
        if (!tok_in(c, k,
                    (const char *const[]){"a", "an", "any", "single", "word", "by", "said", "from",
                                          NULL}))
            break;
    }
    /* "deport all immigrants", "get rid of Muslims"; "are women ..." */
    long k = j;
    while (k >= 0 && g - k <= 4 &&
           tok_in(c, k,
                  (const char *const[]){"all", "the", "these", "those", "every", "any", "most",
                                        "so", "many", "of", "you", NULL}))
        k--;
    if (k >= 0 && (tok_in(c, k, ih_remove) || (tok_is(c, k + 1, "of") && tok_is(c, k, "rid")))) {
        /* A call: "Deport them", "we should ban ...", "time to expel ...";
         * not a report: "they used to lynch ...". v is the verb's first
         * token ("get rid of"). */
        long v = tok_is(c, k, "rid") && tok_is(c, k - 1, "get") ? k - 1 : k;
        if (ih_start(c, v) ||
            (tok_in(c, v - 1,
                    (const char *const[]){"should", "must", "lets", "gotta", "need", "needs", "we",
                                          "just", "please", "will", "ill", "gonna", "wanna", "to",
                                          NULL}) &&
             !(tok_is(c, v - 1, "to") &&
               tok_in(c, v - 2, (const char *const[]){"used", "right", "rights", NULL}))))
            return v;
        return -1;
    }
    if (k >= 0 &&
        (tok_in(c, k, (const char *const[]){"are", "arent", "r", NULL}) ||
         (tok_in(c, k, (const char *const[]){"find", "consider", NULL}) && ih_speaker(c, k)))) {
        *question = true;
        return -1;
    }
    /* A feeling: "I hate (all) women", "contempt for women". */
    for (k = j; k >= 0 && g - k <= 6 && !ih_start(c, k + 1); k--) {
        bool verb = tok_in(c, k, ih_hate_verbs) ||
                    (tok_is(c, k, "stand") &&
                     tok_in(c, k - 1, (const char *const[]){"cant", "cannot", NULL}));
        bool feeling = tok_in(c, k, ih_hate_feelings);
        if (verb || feeling) {
            long s = tok_is(c, k, "stand") ? k - 1 : k;
            /* "contempt for", "sick of", "disgusted by": a feeling needs a
             * preposition before the group, a verb takes it directly. */
            if (feeling && !(tok_in(c, k + 1,
                                    (const char *const[]){"for", "of", "by", "towards", "toward",
                                                          "with", "at", NULL})))
                return -1;
            return ih_speaker(c, s) ? s : -1;
        }
        if (!tok_in(c, k, ih_pre_gap))
            return -1;
    }
    return -1;
}

static void
rule_identity_hate(ctx *c)
{
    uint32_t qpos = 0;
    bool inq = false;
    for (size_t i = 0; i < c->nhits; i++) {
        const lex_hit *h = &c->hits[i];
        if (h->category != LEX_GROUP)
            continue;
        long g = tok_at(c, h->start), ge = tok_at(c, h->end - 1);
        if (tok_in(c, g - 1,
                   (const char *const[]){"word", "words", "term", "terms", "label", "name", NULL}))
            continue; /* "the word Muslim": a mention */
        /* "the women", "some men", "two immigrants": particular people, or
         * not the whole group. */
        if ((tok_in(c, g - 1,
                    (const char *const[]){"some", "certain", "few", "several", "two", "three",
                                          "four", "both", "many", NULL}) ||
             (tok_is(c, g - 1, "the") && !tok_is(c, g - 2, "all"))))
            continue;
        if (tok_in(c, ge + 1, ih_people) && !ih_start(c, ge + 1))
            ge++;
        else if (tok_in(c, ge + 1, ih_dehum_next) && !ih_start(c, ge + 1)) {
            /* "female vermin", "common Muslim trash" */
            long cue = ge + 1;
            if (ih_disowned(c, g) || ih_quoted(c, c->t.ostart[h->start], &qpos, &inq))
                continue;
            uint32_t os, oe;
            span_tokens(c, (size_t)g, (size_t)cue, &os, &oe);
            set_reason(c, RULE_IDENTITY_HATE, MSG_IDENTITY_HATE, os, oe);
            return;
        } else if (h->severity == 0)
            continue;
        bool question;
        long cue = ih_before(c, g, &question);
        bool feeling =
            cue >= 0 && (tok_in(c, cue, ih_hate_verbs) || tok_in(c, cue, ih_hate_feelings) ||
                         (tok_in(c, cue, (const char *const[]){"cant", "cannot", NULL}) &&
                          tok_is(c, cue + 1, "stand")));
        if (feeling && tok_in(c, ge + 1, ih_done_to))
            cue = -1;
        if (cue < 0) {
            long none_before = g - 1; /* "no woman deserves to live" */
            if (tok_is(c, none_before, "no")) {
                long p = ge + 1;
                if (tok_in(c, p, (const char *const[]){"deserves", "deserve", NULL}) &&
                    (tok_in(c, p + 1,
                            (const char *const[]){"to", "rights", "respect", "life", "dignity",
                                                  "equality", NULL})) &&
                    (!tok_is(c, p + 1, "to") ||
                     tok_in(c, p + 2,
                            (const char *const[]){"live", "exist", "vote", "work", "respect",
                                                  "rights", NULL})))
                    cue = p + 1;
                else if (tok_in(c, p, (const char *const[]){"can", "is", "will", "could", NULL})) {
                    long q = p + 1;
                    if (tok_is(c, q, "ever"))
                        q++;
                    if (tok_is(c, q, "be"))
                        q++;
                    if (tok_in(c, q, (const char *const[]){"a", "an", NULL}))
                        q++;
                    if (tok_in(c, q, ih_worth) || tok_in(c, q + 1, ih_worth))
                        cue = tok_in(c, q, ih_worth) ? q : q + 1;
                }
                if (cue >= 0 && ih_disowned(c, g - 1))
                    cue = -1;
            } else {
                cue = ih_after(c, g, ge, question);
                if (cue >= 0 && ih_disowned(c, question ? g - 2 : g))
                    cue = -1;
            }
        } else if (!feeling && ih_disowned(c, cue)) {
            cue = -1;
        }
        if (cue < 0 || ih_attributed(c, cue > ge ? cue : ge) ||
            ih_quoted(c, c->t.ostart[h->start], &qpos, &inq))
            continue;
        uint32_t os, oe;
        span_tokens(c, (size_t)(cue < g ? cue : g), (size_t)(cue > ge ? cue : ge), &os, &oe);
        set_reason(c, RULE_IDENTITY_HATE, MSG_IDENTITY_HATE, os, oe);
        return;
    }
}

/* The same person attacked again and again: this comment is an attack on
 * the parent's author, and the author's recent comments name them too. */
static void
rule_repeated_targeting(ctx *c)
{
    const moderation_input *in = c->in;
    if (!c->attack_found || in->parent_author_name == NULL || in->parent_author_name[0] == '\0')
        return;
    size_t nl = strlen(in->parent_author_name), times = 0;
    for (size_t i = 0; i < in->n_recent; i++) {
        if (in->recent_times && in->now - in->recent_times[i] > 86400000)
            continue;
        const char *b = in->recent_bodies[i];
        for (const char *p = b; (p = strchr(p, in->parent_author_name[0])) != NULL; p++)
            if (!strncmp(p, in->parent_author_name, nl)) {
                times++;
                break;
            }
    }
    if (times >= 2)
        set_reason(c, RULE_HARASSMENT, "You have repeatedly attacked the same person. Please stop.",
                   c->f[RULE_PERSONAL_ATTACK].os, c->f[RULE_PERSONAL_ATTACK].oe);
}

/* Does an article's title or text tell of death or disaster? One strong
 * word in the title, or three in the text, say so. */
static bool
article_tragic(const moderation *m, const char *title, const char *text, arena *a)
{
    const char *parts[2] = {title, text};
    for (int p = 0; p < 2; p++) {
        if (parts[p] == NULL || parts[p][0] == '\0')
            continue;
        norm_text nt;
        norm_fold(a, parts[p], strlen(parts[p]), &nt);
        lex_hit *h;
        size_t n = lexicon_scan(m->lx, &nt, a, &h), count = 0, weight = 0;
        for (size_t i = 0; i < n; i++)
            if (h[i].category == LEX_TRAGEDY) {
                count++;
                weight += h[i].severity;
            }
        if (p == 0 && weight >= 2)
            return true;
        if (p == 1 && count >= 3 && weight >= 6)
            return true;
    }
    return false;
}

/* The article's content words; false when its text is too short to judge
 * a comment against. */
static bool
article_words(const moderation *m, const char *title, const char *text, arena *a, topic_set *out)
{
    *out = (topic_set){0};
    if (text == NULL || text[0] == '\0')
        return false;
    topic_add_plain(&m->stops, a, out, text, strlen(text));
    if (out->n < 30)
        return false;
    if (title != NULL && title[0] != '\0')
        topic_add_plain(&m->stops, a, out, title, strlen(title));
    return true;
}

const moderation_article *
moderation_article_prepare(const moderation *m, const char *title, const char *text, arena *a)
{
    moderation_article *art = arena_zalloc(a, sizeof *art);
    art->has_text = article_words(m, title, text, a, &art->words);
    art->tragic = article_tragic(m, title, text, a);
    return art;
}

static bool
text_is_sensitive(ctx *c)
{
    const moderation_input *in = c->in;
    if (in->article_sensitive)
        return true;
    if (in->article != NULL)
        return in->article->tragic;
    return article_tragic(c->m, in->article_title, in->article_text, c->a);
}

static void
rule_tragedy(ctx *c)
{
    size_t strong = 0, weak = 0;
    const lex_hit *first = NULL;
    for (size_t i = 0; i < c->nhits; i++) {
        const lex_hit *h = &c->hits[i];
        if (h->category != LEX_MOCK)
            continue;
        if (negated_before(c, tok_at(c, h->start), 3))
            continue;
        if (h->severity >= 2)
            strong++;
        else
            weak++;
        if (first == NULL)
            first = h;
    }
    if (first == NULL || (strong == 0 && weak < 2))
        return;
    if (!text_is_sensitive(c))
        return;
    uint32_t os, oe;
    span_hit(c, first, &os, &oe);
    set_reason(c, RULE_TRAGEDY_JOKE,
               "This story is about people who died or were hurt: comments that joke about or "
               "celebrate it are not allowed.",
               os, oe);
}

static double
rule_topic(ctx *c)
{
    const moderation_input *in = c->in;
    if (in->article == NULL && (in->article_text == NULL || in->article_text[0] == '\0'))
        return -1;
    if (in->article != NULL && !in->article->has_text)
        return -1;
    topic_set mine = {0}, art, parent = {0};
    /* Cheap test first: a short comment never counts as off topic. */
    topic_add(&c->m->stops, c->a, &mine, &c->t);
    if (mine.n < (size_t)c->m->off_topic_min_words)
        return -1;
    const topic_set *words = &art;
    if (in->article != NULL)
        words = &in->article->words;
    else if (!article_words(c->m, in->article_title, in->article_text, c->a, &art))
        return -1; /* too little article text to judge */
    if (in->parent_body && in->parent_body[0])
        topic_add_plain(&c->m->stops, c->a, &parent, in->parent_body, strlen(in->parent_body));
    double score = topic_share(&mine, words, parent.n ? &parent : NULL);
    if (score < c->m->off_topic_below)
        set_reason(c, RULE_OFF_TOPIC,
                   "This comment seems to be about something other than the article.", 0, 0);
    return score;
}

/* Could the text hold a link at all? "://" or "www." (any case). */
static bool
maybe_link(const char *s, size_t n)
{
    for (const char *d = s; (d = memchr(d, ':', n - (size_t)(d - s))) != NULL; d++)
        if ((size_t)(d - s) + 2 < n && d[1] == '/' && d[2] == '/')
            return true;
    for (const char *d = s; (d = memchr(d, '.', n - (size_t)(d - s))) != NULL; d++)
        if (d - s >= 3 && ((d[-1] | 0x20) == 'w') && ((d[-2] | 0x20) == 'w') &&
            ((d[-3] | 0x20) == 'w'))
            return true;
    return false;
}

static size_t
count_links(const char *s, size_t n, size_t *words_outside)
{
    size_t links = 0, words = 0, i = 0;
    *words_outside = 0;
    bool may = maybe_link(s, n);
    while (i < n) {
        while (i < n && (s[i] == ' ' || s[i] == '\n' || s[i] == '\t' || s[i] == '\r'))
            i++;
        size_t st = i;
        bool letter = false, link = false;
        while (i < n && s[i] != ' ' && s[i] != '\n' && s[i] != '\t' && s[i] != '\r') {
            char ch = s[i] | 0x20;
            letter |= (ch >= 'a' && ch <= 'z') || (unsigned char)s[i] >= 0x80;
            i++;
        }
        size_t len = i - st;
        for (size_t k = st; may && k < i && !link; k++) {
            char lc = s[k] | 0x20;
            if (lc != 'h' && lc != 'w')
                continue;
            size_t rest = i - k;
            if ((rest >= 7 && !strncasecmp(s + k, "http://", 7)) ||
                (rest >= 8 && !strncasecmp(s + k, "https://", 8)) ||
                (rest >= 4 && !strncasecmp(s + k, "www.", 4)))
                link = true;
        }
        if (link)
            links++;
        else if (letter && len > 0)
            words++;
    }
    *words_outside = words;
    return links;
}

static void
rule_spam(ctx *c)
{
    const moderation_input *in = c->in;
    size_t words;
    size_t links = count_links(in->body, in->body_len, &words);
    spam_link_report lr;
    spam_links_check(c->m->domains, in->body, in->body_len, &lr);
    if (lr.blocked_end > 0)
        set_reason(c, RULE_SPAM, "This comment links to a site this community does not accept.",
                   lr.blocked_start, lr.blocked_end);
    links -= lr.allowed < links ? lr.allowed : links; /* allowed sites do not count */
    if ((int64_t)links >= c->m->max_links)
        set_reason(c, RULE_SPAM, "This comment has too many links.", 0, 0);
    bool new_account = in->author_created_at > 0 && in->now > 0 &&
                       in->now - in->author_created_at < c->m->new_user_ms;
    if (links > 0 && new_account) {
        if (words == 0)
            set_reason(c, RULE_SPAM, "New accounts cannot post comments that are only links.", 0,
                       0);
        else
            set_reason(c, RULE_NEW_USER, "This comment has links and comes from a new account.", 0,
                       0);
    }
    if (in->honeypot)
        set_reason(c, RULE_SPAM, "This comment filled in a field that is hidden from readers.", 0,
                   0);
    if (in->fill_known && in->fill_ms < c->m->min_fill_ms)
        set_reason(c, RULE_SPAM, "This comment was sent faster than a person can write one.", 0, 0);
    /* The score needs words to read: a comment of a few words ("f*** off", a
     * bare link) says too little to tell spam from a quip, and the link rules
     * above judge bare links. */
    if (c->m->spam != NULL && words >= SPAM_MIN_WORDS &&
        (c->m->spam_at <= 1 || c->m->spam_at_new <= 1)) {
        c->spam = spam_model_score(c->m->spam, in->body, in->body_len);
        if (c->spam >= (new_account ? c->m->spam_at_new : c->m->spam_at)) {
            uint32_t os = 0, oe = 0;
            spam_model_explain(c->m->spam, in->body, in->body_len, &os, &oe);
            set_reason(c, RULE_SPAM, "This comment reads like advertising or spam.", os, oe);
        }
    }
    if (c->t.len == 0)
        return;
    for (size_t i = 0; i < in->n_recent; i++) {
        if (in->recent_times && in->now - in->recent_times[i] > c->m->repeat_window_ms)
            continue;
        const char *b = in->recent_bodies[i];
        norm_text rt;
        norm_fold(c->a, b, strlen(b), &rt);
        if (rt.len == c->t.len && !memcmp(rt.s, c->t.s, rt.len)) {
            set_reason(c, RULE_SPAM, "You posted the same comment a few minutes ago.", 0, 0);
            break;
        }
    }
}

/* ---- the model --------------------------------------------------------------- */

/* The model scores every comment (classifier.h: six calibrated
 * probabilities). Three bands:
 *  - below every hold threshold the model adds nothing;
 *  - at or above an attribute's hold threshold the comment is held even
 *    when no listed word appears, under the rule that attribute maps to,
 *    with the words that raised the score as the excerpt;
 *  - a rule that rejects by policy (strong profanity, vulgarity, slurs)
 *    rejects only when the model agrees that the text is offensive (its
 *    TOXICITY or PROFANITY score reaches the hold threshold): an innocent
 *    homograph ("magna cum laude", "blue tits") is held at worst. Attacks
 *    and threats that the rules found and the model scores at or above
 *    reject_at are rejected.
 * Without a model the rules decide alone, as the policy table says. */

/* The rule a model attribute holds under. */
static moderation_rule
attr_rule(classifier_attr a)
{
    switch (a) {
    case CLF_PROFANITY:
        return RULE_PROFANITY;
    case CLF_THREAT:
        return RULE_HARASSMENT;
    case CLF_IDENTITY_ATTACK:
        return RULE_IDENTITY_HATE;
    default:
        return RULE_PERSONAL_ATTACK;
    }
}

static const char *
attr_message(classifier_attr a)
{
    switch (a) {
    case CLF_PROFANITY:
        return "This comment reads as vulgar or profane.";
    case CLF_THREAT:
        return "This reads as a threat or a wish of harm against a person.";
    case CLF_IDENTITY_ATTACK:
        return "This comment reads as an attack on people for who they are.";
    case CLF_INSULT:
        return "This comment reads as insulting.";
    default:
        return "This comment reads as uncivil: hostile, insulting or abusive.";
    }
}

/* Words that explain attribute a's score, as one excerpt: the strongest
 * word, widened to the next strongest ones when they sit close by. The
 * leave-one-out pass runs once per comment, for every attribute at once,
 * and only for comments the model holds. */
static void
model_excerpt(ctx *c, classifier_attr a, uint32_t *os, uint32_t *oe)
{
    classifier_span sp[4];
    if (c->words == NULL) {
        c->words = arena_alloc(c->a, CLASSIFIER_EXPLAIN_WORDS * sizeof *c->words);
        c->nwords = classifier_word_drops(c->m->clf, c->in->body, c->in->body_len, c->words,
                                          CLASSIFIER_EXPLAIN_WORDS);
    }
    size_t n = classifier_pick_words(c->words, c->nwords, a, 0.02, sp, 4);
    *os = *oe = 0;
    if (n == 0)
        return;
    *os = sp[0].begin;
    *oe = sp[0].end;
    for (size_t i = 1; i < n; i++) {
        if (sp[i].weight < sp[0].weight / 2)
            break;
        uint32_t b = sp[i].begin < *os ? sp[i].begin : *os;
        uint32_t e = sp[i].end > *oe ? sp[i].end : *oe;
        if (e - b <= 40) {
            *os = b;
            *oe = e;
        }
    }
}

static void
model_decide(ctx *c, const classifier_scores *cs)
{
    const moderation *m = c->m;
    /* The attribute furthest above its hold threshold. */
    int best = -1;
    double margin = 0;
    for (int a = 0; a < CLF_ATTRS; a++) {
        double d = cs->p[a] - m->hold_at[a];
        if (d >= 0 && (best < 0 || d > margin)) {
            best = a;
            margin = d;
        }
    }
    /* How sure the model is: the score of the attribute furthest above its
     * line, before a sharper attribute is named for the reason. */
    double conf = best >= 0 ? cs->p[best] : 0;
    /* TOXICITY above the line says "held"; name the sharper attribute
     * when one is close to its own line. */
    if (best == CLF_TOXICITY || best == CLF_SEVERE_TOXICITY) {
        static const classifier_attr specific[] = {CLF_THREAT, CLF_IDENTITY_ATTACK, CLF_INSULT,
                                                   CLF_PROFANITY};
        double top = -1;
        for (size_t i = 0; i < sizeof specific / sizeof *specific; i++) {
            double r =
                cs->p[specific[i]] / (m->hold_at[specific[i]] > 0 ? m->hold_at[specific[i]] : 1);
            if (r >= 0.7 && r > top) {
                top = r;
                best = (int)specific[i];
            }
        }
    }
    c->model_offensive = cs->p[CLF_TOXICITY] >= m->hold_at[CLF_TOXICITY] ||
                         cs->p[CLF_PROFANITY] >= m->hold_at[CLF_PROFANITY] ||
                         cs->p[CLF_SEVERE_TOXICITY] >= m->hold_at[CLF_SEVERE_TOXICITY];
    /* Where the rules looked at offensive-looking words and read them as
     * innocent (an insult said of an idea, of oneself, negated or quoted;
     * an ambiguous word; swearing the publisher allows), the model must be
     * as sure as confirm_at to hold. Mild swearing ("damn", "ass") and a
     * slur with an innocent or reclaimed use that was not aimed at anyone
     * do not raise the bar: the model holds them at its usual thresholds,
     * so "keep his f****t ass in the closet" is held while "queer theory"
     * and "damn, that is impressive" publish (a contextual slur is held
     * when the model reads the comment as hostile, never rejected on the
     * word alone). An insult the rules could not place (no target found:
     * "Typical clueless clown.") lowers the bar: news readers call most
     * comments with one uncivil, so TOXICITY or INSULT at word_at is
     * enough there. */
    bool guarded = false, mild = false, homonym = false;
    for (size_t i = 0; i < c->nhits; i++) {
        const lex_hit *h = &c->hits[i];
        if (h->category > LEX_HARASSMENT)
            continue;
        if (h->category == LEX_INSULT || h->category == LEX_INSULT_ADJ) {
            guarded |= c->verdict[i] == INSULT_NOT;
            mild |= h->severity >= 1 && c->verdict[i] == INSULT_UNKNOWN;
        } else if (h->severity == 1 && h->category == LEX_SLUR) {
            homonym = true;
        } else if (h->severity == 1 &&
                   (h->category == LEX_PROFANITY || h->category == LEX_VULGARITY)) {
            /* mild swearing: the model's usual thresholds, or homonym_at
             * when the word has an innocent twin */
            homonym |= lexicon_term_homograph(m->lx, h->term);
        } else {
            guarded |= h->severity <= 1;
        }
        /* Swearing the publisher allows is not the model's to hold. */
        if (h->category == LEX_PROFANITY)
            guarded |= m->pol.action[RULE_PROFANITY] <= POLICY_PUBLISH;
        if (h->category == LEX_VULGARITY)
            guarded |= m->pol.action[RULE_VULGARITY] <= POLICY_PUBLISH;
    }
    if (mild && !guarded && best < 0) {
        /* The word lowers the bar for TOXICITY and INSULT to word_at. */
        double t = cs->p[CLF_TOXICITY], u = cs->p[CLF_INSULT];
        if (u >= m->word_at && u >= t)
            best = CLF_INSULT;
        else if (t >= m->word_at)
            best = CLF_TOXICITY;
        conf = best >= 0 ? cs->p[best] : 0;
    }
    if (best < 0)
        return;
    if (guarded && conf < m->confirm_at)
        return;
    if (homonym && conf < m->homonym_at)
        return;
    moderation_rule r = attr_rule((classifier_attr)best);
    /* Beside a rule that already fired, the model adds only what it is
     * sure of (reject_at) and the rules did not name: an insult or a
     * threat. General toxicity adds nothing to a reason already given. */
    bool fired = false;
    for (int k = 0; k < RULE_COUNT; k++)
        fired |= c->f[k].on && k != RULE_OFF_TOPIC && k != RULE_NEW_USER && k != RULE_SPAM &&
                 k != RULE_PREMODERATED;
    if (fired) {
        static const classifier_attr sure[] = {CLF_INSULT, CLF_THREAT};
        for (size_t i = 0; i < sizeof sure / sizeof *sure; i++) {
            moderation_rule sr = attr_rule(sure[i]);
            if (cs->p[sure[i]] < m->reject_at || c->f[sr].on || m->pol.action[sr] == POLICY_OFF)
                continue;
            uint32_t sos, soe;
            model_excerpt(c, sure[i], &sos, &soe);
            c->f[sr] = (found){true, true, false, false, attr_message(sure[i]), sos, soe};
        }
        return;
    }
    if (c->f[r].on || m->pol.action[r] == POLICY_OFF)
        return;
    uint32_t os, oe;
    model_excerpt(c, (classifier_attr)best, &os, &oe);
    if (oe == os && best != CLF_TOXICITY)
        model_excerpt(c, CLF_TOXICITY, &os, &oe);
    c->f[r] = (found){true, true, false, false, attr_message((classifier_attr)best), os, oe};
}

/* What the policy says for rule r, tempered by the model: a reject needs
 * the model's agreement, and an attack or threat the rules found becomes a
 * reject when the model is sure of it. */
static policy_action
model_temper(const ctx *c, moderation_rule r, policy_action act, const classifier_scores *cs)
{
    const moderation *m = c->m;
    if (m->clf == NULL || cs->p[CLF_TOXICITY] < 0)
        return act;
    if (c->f[r].model)
        return act == POLICY_REJECT ? POLICY_HOLD : act;
    bool word_rule = r == RULE_PROFANITY || r == RULE_VULGARITY || r == RULE_SLUR;
    if (act == POLICY_REJECT && word_rule && c->f[r].homograph)
        return POLICY_HOLD; /* an innocent twin is possible: a moderator decides */
    if (act == POLICY_REJECT && word_rule && !c->model_offensive && !c->f[r].certain)
        return POLICY_HOLD; /* the words may be innocent here: a moderator decides */
    if (act == POLICY_HOLD && m->reject_at <= 1.0) {
        if (r == RULE_PERSONAL_ATTACK && cs->p[CLF_INSULT] >= m->reject_at)
            return POLICY_REJECT;
        if (r == RULE_HARASSMENT && cs->p[CLF_THREAT] >= m->reject_at)
            return POLICY_REJECT;
    }
    return act;
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

static char *
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

void
moderation_decide(const moderation *m, const moderation_input *in, arena *a, moderation_result *out)
{
    ctx *c = arena_zalloc(a, sizeof *c);
    c->m = m;
    c->in = in;
    c->a = a;
    c->spam = -1;
    norm_fold(a, in->body, in->body_len, &c->t);
    langid_result lr;
    langid_detect(m->li, in->body, in->body_len, &lr);
    c->nhits = lexicon_scan_in(m->lx, &c->t, lr.lang, lr.reliable, a, &c->hits);
    c->verdict = arena_zalloc(a, c->nhits + 1);
    tokenize(c);

    rule_words(c);
    rule_threats(c);
    rule_personal_details(c);
    rule_identity_hate(c);
    classifier_scores cs;
    for (int k = 0; k < CLF_ATTRS; k++)
        cs.p[k] = -1;
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
    if (m->clf != NULL) {
        classifier_score(m->clf, in->body, in->body_len, &cs);
        model_decide(c, &cs);
    }

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
}
