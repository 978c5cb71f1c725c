/* moderation/classifier.h: the network over hashed word and character
 * n-grams that scores a comment on the six attributes of Perspective's
 * production models (toxicity, severe toxicity, insult, profanity, threat,
 * identity attack), as calibrated probabilities, and explains a score by the
 * words that raised it.
 *
 * The weights are trained offline by tools/train (make model) from the
 * labelled public data sets (docs/MODERATION.md lists them) and committed
 * under data/model/.
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

/* What the scorer read of a text, kept so that explaining the same text
 * (classifier_word_drops_kept) does not featurise it again: with pooled
 * filters, each word's sums, vector and filter outputs (so the explainer
 * does not sum the rows again either, up to CLASSIFIER_EXPLAIN_WORDS
 * words); without, the text's features. */
typedef struct classifier_kept classifier_kept;

/* As classifier_score, and keeps the text's features in *keep (a new
 * object, freed with classifier_kept_free). The scores are the same bits. */
void classifier_score_keep(const classifier *c, const char *text, size_t n, classifier_scores *out,
                           classifier_kept **keep);
void classifier_kept_free(classifier_kept *k); /* k may be NULL */

/* Another featuriser's config riding on the scorer's pass over a text:
 * feats gets the features classifier_featurize would give for cfg, in the
 * same order, in batches of n (the text is tokenised once for both). With
 * grams and known, a common word's character n-grams are not sent: known
 * gets the word's index in grams (classifier_grams_word) instead, at once,
 * ahead of features sent before it, so it is only for a rider to which
 * the order of the features makes no difference (a sum of integers). */
typedef struct classifier_config classifier_config;
typedef struct classifier_grams classifier_grams;
typedef struct classifier_rider {
    const classifier_config *cfg;
    void (*feats)(const uint32_t *hash, size_t n, void *ctx);
    void *ctx;
    const classifier_grams *grams; /* cfg's common words (classifier_grams_new), or NULL */
    void (*known)(uint32_t word, void *ctx); /* NULL: every feature goes to feats */
} classifier_rider;

/* classifier_score_keep, and rider (may be NULL) gets its features. */
void classifier_score_keep_with(const classifier *c, const char *text, size_t n,
                                classifier_scores *out, classifier_kept **keep,
                                const classifier_rider *rider);

/* Calibrated logits before the sigmoid (the trainer fits calibration on
 * them); out[a] is the raw logit of attribute a. */
void classifier_logits(const classifier *c, const char *text, size_t n, double out[CLF_ATTRS]);

/* The hold thresholds chosen with the model (stored in the model file), one
 * per attribute, as calibrated probabilities: tools/train picks them on
 * held-out data (docs/MODERATION.md). Settings may override them. */
void classifier_thresholds(const classifier *c, classifier_scores *out);

/* A word of the text and how much it raised an attribute's score. */
typedef struct classifier_span {
    uint32_t begin, end; /* byte offsets into the text */
    double weight;       /* how far the probability falls without the word */
} classifier_span;

/* Explains the score of attr by leaving each word out in turn: writes up to
 * max words whose removal lowers the probability by at least min_drop,
 * largest drop first, and returns how many. Costs one pass over the text and
 * a small forward pass per word; allocates a scratch buffer. The same as
 * classifier_word_drops followed by classifier_pick_words. */
size_t classifier_explain(const classifier *c, const char *text, size_t n, classifier_attr attr,
                          double min_drop, classifier_span *out, size_t max);

/* Words beyond this many are scored together with the last one. */
#define CLASSIFIER_EXPLAIN_WORDS 256

/* A word of the text and how far the probability of each attribute falls
 * when it is left out (negative when the word lowers it). */
typedef struct classifier_word {
    uint32_t begin, end; /* byte offsets into the text */
    double drop[CLF_ATTRS];
} classifier_word;

/* Leaves each word out in turn and writes, for up to max words in text
 * order, the drop of every attribute at once (one pass over the text and
 * one small forward pass per word); returns how many. A caller that needs
 * explanations for several attributes computes this once and picks from it.
 * max >= CLASSIFIER_EXPLAIN_WORDS covers every text. Allocates scratch. */
size_t classifier_word_drops(const classifier *c, const char *text, size_t n, classifier_word *out,
                             size_t max);
/* The same, from what classifier_score_keep kept of the same text (text
 * and n as given to it): the same values bit for bit. */
size_t classifier_word_drops_kept(const classifier *c, const classifier_kept *k, const char *text,
                                  size_t n, classifier_word *out, size_t max);

/* The leave-one-out pass of classifier_word_drops_kept (k may be NULL:
 * the text is featurised), kept up to the network's hidden layer, so that
 * a caller who needs the drops of one or two attributes does not pay for
 * the others (each costs a dot product per word and a sigmoid). Free with
 * classifier_drops_free. */
typedef struct classifier_drops classifier_drops;
classifier_drops *classifier_drops_new(const classifier *c, const classifier_kept *k,
                                       const char *text, size_t n, size_t max);
/* Writes each word's span and drop[a] into out (its other drops are left
 * as they are) and returns how many words: for those fields, what
 * classifier_word_drops_kept writes, bit for bit. */
size_t classifier_drops_fill(const classifier_drops *d, classifier_attr a, classifier_word *out);
void classifier_drops_free(classifier_drops *d); /* d may be NULL */

/* Of n_words words from classifier_word_drops, writes up to max whose
 * removal lowers attr's probability by at least min_drop, largest drop
 * first, and returns how many. */
size_t classifier_pick_words(const classifier_word *w, size_t n_words, classifier_attr attr,
                             double min_drop, classifier_span *out, size_t max);

/* Bytes of memory the loaded model holds. */
size_t classifier_memory(const classifier *c);

/* ---- featuriser and model encoder, shared with tools/train ------------- */

enum {
    CLASSIFIER_F_WORDS = 1,    /* word unigrams */
    CLASSIFIER_F_BIGRAMS = 2,  /* word bigrams */
    CLASSIFIER_F_MEAN = 4,     /* a text's rows averaged, not over sqrt(count) */
    CLASSIFIER_MAX_CHAR_N = 8, /* longest character n-gram a file may ask for */
    CLASSIFIER_MIN_LOG2 = 10,  /* bucket count bounds (log2) */
    CLASSIFIER_MAX_LOG2 = 24,
    CLASSIFIER_MAX_DIM = 128,     /* embedding width bound */
    CLASSIFIER_MAX_HIDDEN = 128,  /* hidden layer bound */
    CLASSIFIER_MAX_WIDTH = 4,     /* word window of the pooled filters bound */
    CLASSIFIER_MAX_FILTERS = 128, /* pooled filters bound */
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
/* The same, and word(begin, end, ctx) is called before the features of
 * each word (a token: a run of letters and digits, a placeholder, an
 * emoji), with its byte span: the features until the next call are that
 * word's (its unigram, the bigram it ends, its character n-grams). */
void classifier_featurize_words(const classifier_config *cfg, const char *text, size_t n,
                                void (*emit)(uint32_t hash, void *ctx),
                                void (*word)(uint32_t begin, uint32_t end, void *ctx), void *ctx);

/* The features of the commonest English words ("the", "people", "dont"),
 * worked out once for one config: when the featuriser meets one of them it
 * copies its character n-grams and its word hash from here instead of
 * hashing them again (the same features, in the same order). Built once,
 * then immutable and shared by all threads. A model builds its own at
 * load; a rider hands its config's in classifier_rider.grams. */
classifier_grams *classifier_grams_new(const classifier_config *cfg);
void classifier_grams_free(classifier_grams *g); /* g may be NULL */
size_t classifier_grams_memory(const classifier_grams *g);
/* Words in the table, and word i's letters (NUL-terminated). */
size_t classifier_grams_count(const classifier_grams *g);
const char *classifier_grams_word(const classifier_grams *g, size_t i);
/* The character n-grams of the n letters at word when the table holds them
 * (*hash, returning their count, 0 or more), else -1. */
long classifier_grams_find(const classifier_grams *g, const char *word, size_t n,
                           const uint32_t **hash);

/* Everything a model file holds, in floating point. rows[b * (dim +
 * CLF_ATTRS) + k] is value k of bucket b: dim embedding values, then one
 * linear weight per attribute. With dim and hidden 0 the model is linear.
 *
 * With filters > 0 the model also reads words in order (file version 3):
 * each word's vector (the first dim values of its features' rows, summed
 * and divided by the square root of their count) goes through filters
 * convolution filters over width consecutive words (zero beyond the
 * text's ends), each max-pooled over the text and clipped at 0; the
 * pooled values enter the hidden layer beside the summed embeddings
 * (w_pool). Width 1 is a max-pool over single words. */
typedef struct classifier_params {
    classifier_config cfg;
    uint32_t log2_buckets;
    uint32_t dim, hidden;
    const float *rows; /* [buckets][dim + CLF_ATTRS] */
    const float *w1;   /* [hidden][dim] */
    const float *b1;   /* [hidden] */
    const float *w2;   /* [CLF_ATTRS][hidden] */
    float b2[CLF_ATTRS];
    float cal_a[CLF_ATTRS], cal_b[CLF_ATTRS]; /* p = sigmoid(cal_a * logit + cal_b) */
    float threshold[CLF_ATTRS];
    uint32_t width, filters; /* 0 and 0: no pooled filters (file version 2) */
    const float *conv;       /* [filters][width][dim]: offset 0 is the earliest word */
    const float *conv_b;     /* [filters] */
    const float *w_pool;     /* [hidden][filters] */
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
