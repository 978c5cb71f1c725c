/* moderation/topic.h: how much a comment is about its article.
 *
 * Both texts become sets of content words: folded (normalize.h), stop words
 * dropped, lightly stemmed (plural, -ing, -ed, -ly, -er endings off, then cut
 * to six letters so "elections" and "electoral" meet) and hashed. The score
 * is the share of the comment's distinct content words that also occur in
 * the article (its title and text, and for a reply the parent comment):
 * 1 when every word is shared, 0 when none is. Pure functions, no state.
 */
#ifndef PARLEY_MODERATION_TOPIC_H
#define PARLEY_MODERATION_TOPIC_H
#include <stddef.h>
#include <stdint.h>

#include "moderation/normalize.h"
#include "util/arena.h"

typedef struct topic_set {
    uint32_t *slots; /* open addressing, 0 = empty */
    size_t cap;      /* a power of two */
    size_t n;        /* distinct words */
} topic_set;

/* Adds the content words of a folded text to set (created on first use). */
void topic_add(arena *a, topic_set *set, const norm_text *t);

/* Number of distinct content words in a folded text. */
size_t topic_count(arena *a, const norm_text *t);

/* Share of the distinct content words of comment found in article, in
 * [0, 1]; *n_words receives their number. 1 when the comment has none. */
double topic_overlap(arena *a, const norm_text *comment, const topic_set *article,
                     size_t *n_words);

#endif
