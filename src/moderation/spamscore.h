/* moderation/spamscore.h: how much a comment's words read like spam, as a
 * probability, from a small linear model over hashed words, word pairs and
 * character n-grams (the features of classifier.h).
 *
 * The weights are trained offline by tools/spamtrain (make spam-model) from
 * labelled comments: the YouTube Spam Collection, the news-comment spam and
 * clean comments of bench/spam_news.tsv and clean news comments; a quarter
 * of every set (chosen by spam_heldout) is never trained on, so that
 * bench/spam_eval measures on unseen rows. Clean comments of other corpora
 * that a first model took for spam are added as hard negatives
 * (docs/ANTISPAM.md). The model is committed as data/spam/spam.model and
 * compiled into the binary. A loaded model is immutable and shared
 * read-only by all threads.
 *
 * The engine (rules_article.c, rule "spam") holds a comment whose score
 * reaches moderation.spam_at (moderation.spam_at_new for accounts younger
 * than moderation.new_user_hours and for anonymous checks), with the word
 * that raised the score most as the reason's excerpt.
 */
#ifndef PARLEY_MODERATION_SPAMSCORE_H
#define PARLEY_MODERATION_SPAMSCORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "moderation/classifier.h"
#include "util/error.h"

typedef struct spam_model spam_model;

/* Loads a model in the format spam_model_encode writes. The bytes are
 * copied. Bad magic, size or parameters: PL_EINVAL. */
int spam_model_load(const unsigned char *data, size_t n, spam_model **out, pl_error *err);
/* The model compiled in from data/spam/spam.model; PL_ENOTFOUND without. */
int spam_model_load_builtin(spam_model **out, pl_error *err);
void spam_model_free(spam_model *m); /* m may be NULL */

/* The probability that n bytes of UTF-8 text are spam. Thread-safe. */
double spam_model_score(const spam_model *m, const char *text, size_t n);

/* The score's running sum, fed by the model's pass over the text
 * (classifier_score_keep_with): spam_model_rider starts s and points r at
 * it; after the pass, spam_sum_score gives what spam_model_score gives for
 * the same text, bit for bit. */
typedef struct spam_sum {
    const spam_model *m;
    int64_t sum;
    size_t count;
} spam_sum;
void spam_model_rider(const spam_model *m, spam_sum *s, classifier_rider *r);
double spam_sum_score(const spam_sum *s);

/* The word of the text that adds most to its score: its byte span in
 * [*begin, *end). False (spans untouched) when no word adds anything. */
bool spam_model_explain(const spam_model *m, const char *text, size_t n, uint32_t *begin,
                        uint32_t *end);

/* The thresholds chosen with the model: for established accounts and for
 * new ones (docs/ANTISPAM.md). */
void spam_model_thresholds(const spam_model *m, double *hold, double *hold_new);

/* A short comment without a link gives the score few features to read, and
 * a single word the model learnt from channel spam ("check", "site",
 * "comment") carries it past the threshold: "A comment needing no address
 * check." scored 0.78. So a comment of fewer than SPAM_SHORT_WORDS words
 * (rules_article.c counts them) and no link is held by the score only from
 * SPAM_SHORT_AT, or from `at` if that is higher (docs/ANTISPAM.md, "Short
 * comments"). */
#define SPAM_SHORT_WORDS 8
#define SPAM_SHORT_AT 0.9
/* The score from which a comment of `words` words and `links` links is
 * held, for the site's threshold `at` (above 1: never). */
double spam_hold_at(double at, size_t words, size_t links);

/* True for the quarter of texts kept out of training (a hash of the
 * bytes): the trainer skips them and the benchmark measures on them. */
bool spam_heldout(const char *text, size_t n);

/* ---- encoder, for tools/spamtrain ---------------------------------------- */

typedef struct spam_model_params {
    classifier_config cfg;
    uint32_t log2_buckets;
    const float *w; /* [1 << log2_buckets] */
    float bias;
    float hold, hold_new;
} spam_model_params;

/* Quantises p into the file format; *out (caller frees) gets *n bytes. */
int spam_model_encode(const spam_model_params *p, unsigned char **out, size_t *n, pl_error *err);

#endif
