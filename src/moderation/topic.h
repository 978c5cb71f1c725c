/* moderation/topic.h: how much a comment is about its article.
 *
 * Both texts become sets of content words: folded (normalize.h), stop words
 * dropped, lightly stemmed (plural, -ing, -ed, -ly, -er endings off, then cut
 * to six letters so "elections" and "electoral" meet) and hashed. The score
 * is the share of the comment's distinct content words that also occur in
 * the article (its title and text, and for a reply the parent comment):
 * 1 when every word is shared, 0 when none is. No state but the stop-word
 * table the caller builds once.
 */
#ifndef PARLEY_MODERATION_TOPIC_H
#define PARLEY_MODERATION_TOPIC_H
#include <stddef.h>
#include <stdint.h>

#include "moderation/normalize.h"
#include "util/arena.h"

/* The stop words as a hash table, built once (topic_stops_init) and then
 * read-only. */
#define TOPIC_STOP_SLOTS 512
typedef struct topic_stops {
    uint32_t slots[TOPIC_STOP_SLOTS];
} topic_stops;

void topic_stops_init(topic_stops *st);

typedef struct topic_set {
    uint32_t *slots; /* open addressing, 0 = empty */
    size_t cap;      /* a power of two */
    size_t n;        /* distinct words */
} topic_set;

/* Adds the content words of a folded text to set (created on first use). */
void topic_add(const topic_stops *st, arena *a, topic_set *set, const norm_text *t);

/* As topic_add for trusted text (an article, its title, a parent comment
 * already published): ASCII words split on anything else, without the
 * normaliser's cost. Words with other letters never match, which only
 * makes a comment look less on topic when both share such words. */
void topic_add_plain(const topic_stops *st, arena *a, topic_set *set, const char *text, size_t n);

/* Share of the distinct content words of comment found in article or in
 * also (which may be NULL), in [0, 1]; 1 when the comment has none. */
double topic_share(const topic_set *comment, const topic_set *article, const topic_set *also);

#endif
