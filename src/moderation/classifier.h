/* moderation/classifier.h: the linear model over hashed word and character
 * n-grams that scores how offensive a comment reads and how much it reads as
 * an attack on a person.
 *
 * The weights are trained offline by tools/train (make model) from the
 * labelled public data in ../shared/data and committed under data/model/.
 * A loaded model is immutable and shared read-only by all threads. Its scores
 * feed moderation_decide() together with the lexicon's; they never reject a
 * comment alone.
 *
 * The featuriser (classifier_featurize) lives here too, so the trainer and
 * the server hash exactly the same features: the text is case-folded and
 * compatibility-decomposed with utf8proc, marks stripped, letters stretched
 * past two collapsed ("fuuuck" -> "fuuck"), leetspeak digits and symbols
 * inside words mapped to letters ("1d10t" -> "idiot"), URLs and @mentions
 * replaced by placeholders; then word unigrams, word bigrams and character
 * n-grams (within words padded with "<" and ">") are hashed.
 */
#ifndef PARLEY_MODERATION_CLASSIFIER_H
#define PARLEY_MODERATION_CLASSIFIER_H
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

typedef struct classifier classifier;

/* The attributes the model scores, named as Google's Perspective API names
 * its production attributes so that its clients can switch to Parley. */
typedef enum classifier_attr {
    CLF_TOXICITY,        /* rude, disrespectful or unreasonable */
    CLF_SEVERE_TOXICITY, /* very hateful, aggressive or vulgar */
    CLF_INSULT,          /* insulting or negative towards a person or group */
    CLF_PROFANITY,       /* swear words, curse words, obscenity */
    CLF_THREAT,          /* an intention to inflict pain, injury or violence */
    CLF_IDENTITY_ATTACK, /* hateful towards people for who they are */
    CLF_ATTRS
} classifier_attr;

/* "TOXICITY", "SEVERE_TOXICITY", ...; NULL for an attribute out of range. */
const char *classifier_attr_name(classifier_attr a);
/* The attribute named by n bytes of name (exact, upper case), or -1. */
int classifier_attr_parse(const char *name, size_t n);

/* Calibrated probabilities in [0, 1], one per attribute: p[a] is the share
 * of raters the model expects to call the text a. */
typedef struct classifier_scores {
    double p[CLF_ATTRS];
} classifier_scores;

/* Loads a model from bytes in the format tools/train writes (see
 * docs/MODERATION.md, "Classifier"). The bytes are borrowed for the call
 * only. Bad magic, version, size, parameters or checksum: PL_EINVAL. */
int classifier_load(const unsigned char *data, size_t n, classifier **out, pl_error *err);
/* Loads the model compiled into the binary from data/model/parley.model. */
int classifier_load_builtin(classifier **out, pl_error *err);
void classifier_free(classifier *c); /* c may be NULL */

/* Scores n bytes of UTF-8 text (invalid bytes are treated as separators).
 * Thread-safe; allocates nothing. */
void classifier_score(const classifier *c, const char *text, size_t n, classifier_scores *out);

/* The thresholds chosen with the model (stored in the model file): a score
 * >= out->offensive means the comment reads as offensive, a score >=
 * out->attack that it reads as an attack on a person. They were picked by
 * tools/train on held-out data and checked for bias (docs/MODERATION.md).
 * The model shipped in data/model/ uses 0.39 for both; read them from here,
 * since retraining moves them. */
void classifier_thresholds(const classifier *c, classifier_scores *out);

/* Bytes of memory the loaded model holds. */
size_t classifier_memory(const classifier *c);

/* ---- featuriser and model encoder, shared with tools/train ------------- */

enum {
    CLASSIFIER_HEADS = 2,        /* 0 offensive, 1 attack */
    CLASSIFIER_F_WORDS = 1,      /* word unigrams */
    CLASSIFIER_F_BIGRAMS = 2,    /* word bigrams */
    CLASSIFIER_F_SPLIT_NORM = 4, /* words and character n-grams normalised apart */
    CLASSIFIER_MAX_CHAR_N = 8,   /* longest character n-gram a file may ask for */
    CLASSIFIER_MIN_LOG2 = 10,    /* bucket count bounds (log2) */
    CLASSIFIER_MAX_LOG2 = 24,
};

typedef struct classifier_config {
    uint32_t flags;    /* CLASSIFIER_F_* */
    uint32_t char_min; /* character n-grams from char_min to char_max code */
    uint32_t char_max; /* points; char_max 0 disables them */
    uint32_t seed;     /* hash seed */
} classifier_config;

/* Calls emit(hash, ctx) once per feature occurrence of text. The features of
 * equal text under equal config are always the same, in the same order.
 * Word and bigram hashes have CLASSIFIER_WORD_BIT set, character n-gram
 * hashes have it clear (no model has that many buckets). */
#define CLASSIFIER_WORD_BIT UINT32_C(0x80000000)
void classifier_featurize(const classifier_config *cfg, const char *text, size_t n,
                          void (*emit)(uint32_t hash, void *ctx), void *ctx);

/* Everything a model file holds, in floating point: weights[b * HEADS + h]
 * is the weight of bucket b for head h; the score of head h is
 * sigmoid(bias[h] + sum_f weights[f] * count_f / sqrt(total features)),
 * where with CLASSIFIER_F_SPLIT_NORM the word and the character features
 * are two sums, each divided by the square root of its own count. */
typedef struct classifier_params {
    classifier_config cfg;
    uint32_t log2_buckets;
    uint32_t weight_bits; /* 8 or 16 */
    float bias[CLASSIFIER_HEADS];
    float threshold[CLASSIFIER_HEADS];
    const float *weights;
} classifier_params;

/* Quantises p into the model file format; *out (caller frees) gets *n bytes. */
int classifier_encode(const classifier_params *p, unsigned char **out, size_t *n, pl_error *err);

/* The bucket of a feature hash in a model with 2^log2_buckets buckets. */
static inline uint32_t
classifier_bucket(uint32_t hash, uint32_t log2_buckets)
{
    return hash & ((UINT32_C(1) << log2_buckets) - 1);
}

#endif
