/* moderation/classifier.h: the linear model over hashed word and character
 * n-grams that scores how offensive a comment reads and how much it reads as
 * an attack on a person.
 *
 * The weights are trained offline by tools/train (make model) from the
 * labelled public data in ../shared/data and committed under data/model/.
 * A loaded model is immutable and shared read-only by all threads. Its scores
 * feed moderation_decide() together with the lexicon's; they never reject a
 * comment alone.
 */
#ifndef PARLEY_MODERATION_CLASSIFIER_H
#define PARLEY_MODERATION_CLASSIFIER_H
#include <stddef.h>

#include "util/error.h"

typedef struct classifier classifier;

typedef struct classifier_scores {
    double offensive; /* probability-like score in [0, 1] */
    double attack;    /* attack on a person, in [0, 1] */
} classifier_scores;

/* Loads a model from bytes in the format tools/train writes (see
 * docs/MODERATION.md). The bytes are borrowed for the call only. */
int classifier_load(const unsigned char *data, size_t n, classifier **out, pl_error *err);
/* Loads the model compiled into the binary from data/model/. */
int classifier_load_builtin(classifier **out, pl_error *err);
void classifier_free(classifier *c); /* c may be NULL */

/* Scores n bytes of UTF-8 text. Thread-safe; allocates nothing that outlives
 * the call. */
void classifier_score(const classifier *c, const char *text, size_t n, classifier_scores *out);

#endif
