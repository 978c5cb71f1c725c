/* moderation/moderation_int.h: what the files of the moderation engine share
 * (moderation.c, ctx.c, rules_words.c, rules_identity.c, rules_article.c,
 * model_use.c): the engine, the per-comment context, and the helpers and
 * word lists the rules read. Not for use outside src/moderation/. */
#ifndef PARLEY_MODERATION_INT_H
#define PARLEY_MODERATION_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "moderation/moderation.h"

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
    double swear_at;   /* TOXICITY or PROFANITY that holds beside mild swearing; >1: never */
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
    /* A derived engine's (moderation_derive): the engine whose lexicon,
     * language profiles, models and link lists it shares; NULL: it owns
     * them. */
    const moderation *base;
    /* An engine of its own (base NULL) owns only its lexicon when it came
     * from moderation.lexicon_dir; the built-in lexicon, the language
     * profiles and the built-in models are loaded once per process and
     * shared by every engine (moderation.c, shared_parts). */
    bool own_lx;
};

/* True once an engine of this process has loaded the built-in classifier
 * (never while every engine built had moderation.classifier = off). */
bool moderation_shared_classifier_loaded(void);

struct moderation_article {
    topic_set words; /* content words of the title and text */
    bool has_text;   /* the text has enough words to judge a comment against */
    bool tragic;     /* the title or text tells of death or disaster */
};

typedef struct found {
    bool on;
    bool model;     /* found with the classifier's help: never more than a hold */
    bool certain;   /* a severe or disguised word: no innocent reading to fear */
    bool homograph; /* a plain word with an innocent twin: never rejected */
    const char *message;
    uint32_t os, oe; /* excerpt in the original body; os == oe: none */
    bool host;       /* a word read across a mark of what could be a host name ("bit.ch");
                      * any other word sets certain or homograph */
} found;

/* moderation_fold's result: the folded body and its hash. */
struct moderation_folded {
    norm_text t;
    uint64_t hash; /* spam_fold_hash(t.s, t.len): the repeat key's hash */
};

typedef struct ctx {
    const moderation *m;
    const moderation_input *in;
    arena *a;
    norm_text t;
    lex_hit *hits;
    size_t nhits;
    lex_hit *allowed; /* the allow-list's hits: innocent words ("snigger") */
    size_t nallowed;
    uint32_t *ts, *te; /* folded token spans */
    size_t ntok;
    found f[RULE_COUNT];
    bool attack_found;
    bool model_offensive; /* the model reads the text as offensive or profane */
    double spam;          /* the spam score; -1: not computed */
    double spam_pre;      /* the spam score from the model's pass, when spam_ready */
    bool spam_ready;
    int8_t *verdict; /* INSULT_* for each hit (insults only) */
    /* The model's leave-one-out pass, once asked for (or NULL), and the
     * drops read from it: words[i].drop[a] is set for the attributes a
     * whose bit is in drops_read. */
    classifier_drops *drops;
    classifier_word *words;
    size_t nwords;
    unsigned drops_read;
    classifier_kept *kept; /* the body's features as the model scored them, or NULL */
    /* The byte offsets of the body's double quotation marks (straight or
     * curly), ascending: read once, when a rule first asks (rules_words.c,
     * quoted). */
    uint32_t *quotes;
    size_t nquotes;
    bool quotes_read;
} ctx;

/* Verdicts on an insult word: aimed at a person, said of something else
 * (an idea, the speaker, a group, a mention, negated), or undecided. Only
 * undecided insults may be settled by the classifier, which reads "this
 * plan is idiotic" as an attack as readily as "you are an idiot". */
enum { INSULT_NOT = -1, INSULT_UNKNOWN = 0, INSULT_AIMED = 1 };

/* ctx.c */
void tokenize(ctx *c);
long tok_at(const ctx *c, uint32_t pos);
bool tok_is(const ctx *c, long k, const char *w);
/* Whether token k is one of the words of set (NULL-terminated), as tok_is
 * reads them. Called hundreds of thousands of times per thousand comments,
 * mostly for a token that begins with no list word's letter: compiled into
 * each caller, so that such a call costs the walk over the list alone. */
static inline __attribute__((always_inline)) bool
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
/* tok_in, or token k misspells a word of set of four letters or more: one
 * letter inside it left out (six or more: "tash", a moustache, is no
 * "trash") or two adjacent letters swapped,
 * the first letter kept ("haet", "contmpt", "disgutsed"), when the token is
 * no word of the dictionary. For the few word lists the identity rules
 * read beside a group's name, where HateCheck's misspellings hide them. */
bool tok_guess_in(const ctx *c, long k, const char *const *set);
extern const char *const second_person[];
extern const char *const second_copula[];
extern const char *const third_copula[];
/* Verbs of being, seeming and saying, by person (ctx.c says which is which). */
extern const char *const be_you[];
extern const char *const be_one[];
extern const char *const be_one_not[];
extern const char *const seem_you[];
extern const char *const seem_one[];
extern const char *const say_verbs[];
extern const char *const copulas[];
extern const char *const fillers[];
extern const char *const negators[];
extern const char *const person_words[];
extern const char *const first_person[];
extern const char *const idea_words[];
void set_reason(ctx *c, moderation_rule r, const char *message, uint32_t os, uint32_t oe);
void span_tokens(const ctx *c, size_t k1, size_t k2, uint32_t *os, uint32_t *oe);
void span_hit(const ctx *c, const lex_hit *h, uint32_t *os, uint32_t *oe);
bool tok_masked(const ctx *c, long k);
bool negated_before(const ctx *c, long k, int window);
/* The negator at j opens an order to the reader about token k ("Don't be
 * (such) an idiot", "Do not be so stupid"): no negation of k. */
bool order_to_reader(const ctx *c, long j, long k);
bool is_parent_author(const ctx *c, long k);
bool looks_like_name(const ctx *c, long k);
char orig_before(const ctx *c, uint32_t os);
char orig_after(const ctx *c, uint32_t oe);
bool disguised(const ctx *c, const lex_hit *h);
void mark_certain(ctx *c, moderation_rule r, const lex_hit *h);
bool same_sentence(const ctx *c, uint32_t a, uint32_t b);

/* rules_words.c */
void rule_words(ctx *c);
void rule_threats(ctx *c);
void rule_personal_details(ctx *c);

/* rules_identity.c */
void rule_identity_hate(ctx *c);

/* rules_article.c */
void rule_repeated_targeting(ctx *c);
void rule_tragedy(ctx *c);
double rule_topic(ctx *c);
void rule_spam(ctx *c);

/* model_use.c */
void model_decide(ctx *c, const classifier_scores *cs);
policy_action model_temper(const ctx *c, moderation_rule r, policy_action act,
                           const classifier_scores *cs);

/* moderation.c */
char *excerpt(const ctx *c, uint32_t os, uint32_t oe);

#endif
