/* tools/cbias.h: the corpus groups of train --corpus-bias. Build time only,
 * never linked into the server.
 *
 * The training corpora label different things at wildly different base
 * rates (Davidson 83% offensive, the identity templates 0%). With
 * --corpus-bias the trainer learns an offset per (group, attribute) that is
 * added to the logit during training only, so that a corpus's prior is
 * explained by its offset and the shared weights learn the ranking within
 * it. The exported model has no offsets.
 */
#ifndef PARLEY_TOOLS_CBIAS_H
#define PARLEY_TOOLS_CBIAS_H
#include <stddef.h>

/* The group of a corpus: every news-site corpus ("civil", "civil-seed",
 * "fox-news", "toxic-spans*", "jigsaw*") is "news", so that the all-toxic
 * and all-clean Civil Comments sets share one offset and stay informative
 * against each other; any other corpus is its own group (the result is
 * corpus itself). Borrowed: a static string or corpus. */
const char *cbias_group(const char *corpus);

/* Whether a (group, attribute) with pos positives (target >= 0.5) among
 * labelled TRAIN samples gets an offset: both classes present, the smaller
 * one at least 5% of the samples. Else the offset stays 0 (single-class
 * sets, the identity templates). */
int cbias_learnt(size_t pos, size_t labelled);

#endif
