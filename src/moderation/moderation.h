/* moderation/moderation.h: the one decision every comment write passes through.
 *
 * api/ calls moderation_decide() for each posted or edited comment and for
 * POST /api/v1/check. The engine is built once at start from the config
 * (lexicons, model, policy table), then immutable and shared by all threads;
 * moderation_decide() is thread-safe and does no I/O.
 *
 * Flow: server -> api -> moderation (here) -> store.
 */
#ifndef PARLEY_MODERATION_MODERATION_H
#define PARLEY_MODERATION_MODERATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "moderation/classifier.h"
#include "util/arena.h"
#include "util/config.h"
#include "util/error.h"

typedef struct moderation moderation;

typedef enum { MOD_PUBLISH = 0, MOD_HOLD = 1, MOD_REJECT = 2 } moderation_decision;

/* Article status as the store keeps it (store_article_status). */
typedef enum {
    MOD_ARTICLE_OPEN = 0,
    MOD_ARTICLE_PREMODERATED = 1,
    MOD_ARTICLE_CLOSED = 2
} moderation_article_status;

/* What the engine derives from an article (its topic words, whether its
 * title and text tell of death or disaster), prepared once for all the
 * comments on it; see moderation_article_prepare. */
typedef struct moderation_article moderation_article;

/* A comment's repeat key (docs/MODERATION.md, "Repeated comments"): the
 * hash and length of its body's folded text, and the version of the fold
 * and hash that made them (ver 0: no key). Stored with each comment
 * (docs/STORAGE.md), so that the repeated-comment check compares keys
 * instead of folding the author's recent bodies. */
typedef struct moderation_fold_key {
    uint64_t hash;
    uint32_t len;
    uint32_t ver;
} moderation_fold_key;

/* A comment's body folded once (see moderation_fold). */
typedef struct moderation_folded moderation_folded;

typedef struct moderation_input {
    const char *body; /* UTF-8, already validated; body_len bytes */
    size_t body_len;
    const char *article_title; /* may be "" */
    const char *article_text;  /* may be "" */
    /* Optional: moderation_article_prepare(article_title, article_text);
     * NULL makes moderation_decide derive it from the title and text. */
    const moderation_article *article;
    moderation_article_status article_status;
    bool article_sensitive;
    const char *parent_body;        /* NULL for a top-level comment */
    const char *parent_author_name; /* NULL for a top-level comment */
    int64_t author_id;              /* 0 when unknown (POST /check anonymously) */
    int64_t author_created_at;      /* 0 when unknown */
    int64_t now;                    /* Unix ms */
    /* The author's recent comment bodies, newest first (spam repetition). */
    const char *const *recent_bodies;
    const int64_t *recent_times;
    size_t n_recent;
    /* Optional (NULL: none): the recent comments' stored repeat keys. Where
     * recent_keys[i] is of this build's version and is not the comment's
     * key, recent_bodies[i] may be NULL (not read); the repeated-comment
     * check folds only the bodies of matching keys and of comments without
     * a key of this version (moderation/spam.h). The repeated-targeting
     * rule reads every body: give them all for a reply to a named author. */
    const moderation_fold_key *recent_keys;
    /* Optional: moderation_fold(body, body_len), so the body is not folded
     * again (NULL: moderation_decide folds it). */
    const moderation_folded *folded;
    /* The widget's bot traps (docs/ANTISPAM.md): the hidden field that a
     * person never sees was filled in; the form was sent fill_ms after it
     * was shown (only when fill_known). Both spam reasons. */
    bool honeypot;
    bool fill_known;
    int64_t fill_ms;
} moderation_input;

typedef struct moderation_reason {
    const char *rule;    /* API.md RULE: "profanity", "premoderated", ... */
    const char *message; /* a sentence for the reader */
    const char *excerpt; /* the words at fault, copied from the original text; "" if none */
} moderation_reason;

typedef struct moderation_result {
    moderation_decision decision;
    moderation_reason *reasons;
    size_t n_reasons;
    /* Scores for moderators, 0..1; negative when the engine did not compute one. */
    double offensive;
    double attack;
    double on_topic;
    /* The model's calibrated score per attribute (classifier.h), -1 where
     * the engine did not run the model. */
    double scores[CLF_ATTRS];
    /* The spam score (spamscore.h), 0..1; -1 when not computed. */
    double spam;
    /* True when a reason fired whose policy is "publish" (off_topic by
     * default): the comment is published and api/ also puts it in the
     * moderators' flagged queue with these reasons. */
    bool queue_for_review;
    /* The comment's language when the engine could tell ("es"), else "". */
    char language[4];
} moderation_result;

/* Builds the engine from the config: the lexicon compiled into the binary
 * (or the lists in the extra setting moderation.lexicon_dir), the classifier
 * when one is built in (the engine runs without scores otherwise), and the
 * policy table (extra settings policy.<rule>, see moderation/policy.h).
 * Other extra settings: moderation.repeat_window_s (600), moderation.
 * new_user_hours (24), moderation.max_links (3), moderation.off_topic_min_words
 * (25), moderation.off_topic_below_percent (10), moderation.classifier (on;
 * off runs the lexicon alone). PL_EINVAL naming a bad setting. */
int moderation_new(const config *cfg, moderation **out, pl_error *err);
void moderation_free(moderation *m); /* m may be NULL */
/* An engine with cfg's policy, numbers and thresholds that shares base's
 * lexicon, language profiles, classifier, spam model and link lists (a
 * site's own settings: docs/SITES.md): a few kilobytes. base must outlive
 * it; moderation_free frees only what is its own. PL_EINVAL as
 * moderation_new. */
int moderation_derive(const moderation *base, const config *cfg, moderation **out, pl_error *err);

/* Decides on one comment. Everything in *out is allocated from a. Never
 * fails: an engine that cannot judge publishes nothing it doubts. */
void moderation_decide(const moderation *m, const moderation_input *in, arena *a,
                       moderation_result *out);

/* Folds a comment's body (n bytes of valid UTF-8) as moderation_decide
 * does, for a caller that needs its repeat key before deciding (to store it
 * with the comment, and to read the author's history by it): sets *key
 * and returns the folded body to pass as moderation_input.folded with the
 * same body. Allocated from a. Thread-safe; needs no engine. */
const moderation_folded *moderation_fold(const char *body, size_t n, arena *a,
                                         moderation_fold_key *key);

/* Prepares an article once so that judging each comment on it does not
 * read the article again (the on-topic score and the tragedy guard need its
 * words). Allocated from a; immutable, so it may be shared by threads while
 * a lives; cache it with the article and prepare again when the title or
 * text changes. */
const moderation_article *moderation_article_prepare(const moderation *m, const char *title,
                                                     const char *text, arena *a);

/* Scores n bytes of text with the engine's model, every attribute; false
 * (out untouched) when the engine runs without one. Thread-safe. */
bool moderation_score_text(const moderation *m, const char *text, size_t n, classifier_scores *out);

/* How far back the repeated-comment check looks (moderation.repeat_window_s),
 * in ms: the only recent comments whose bodies that check reads. */
int64_t moderation_repeat_window_ms(const moderation *m);

/* Bytes held by the loaded lexicon (and model), for the benchmark. */
size_t moderation_memory(const moderation *m);

/* "publish", "hold" or "reject". */
const char *moderation_decision_name(moderation_decision d);

#endif
