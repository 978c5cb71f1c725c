/* app/cache.h: the in-memory cache of anonymous thread views.
 *
 * Almost every page view is an anonymous GET of a thread's first page, so
 * its JSON bytes are kept here, keyed by the request URI, and served
 * without touching the database. Each entry remembers the generation of its
 * article at the moment its data was read; every committed write that
 * touches an article bumps that generation (jobs.c does it after the commit,
 * before the writer answers), so a stale entry is never served after the
 * write is acknowledged. Generations are kept per hash bucket of the article
 * id: two articles sharing a bucket only cost each other extra rebuilds.
 *
 * The table is direct-mapped and fixed in size, so memory is bounded; bodies
 * are reference-counted so a response can be sent from an entry that is
 * being replaced. Thread-safe.
 */
#ifndef PARLEY_APP_CACHE_H
#define PARLEY_APP_CACHE_H

#include <stddef.h>
#include <stdint.h>

typedef struct cache cache;
typedef struct cache_body cache_body;

/* Where one comment sits in a cached thread view, so a reader's personal
 * view can be made from the anonymous bytes without re-rendering them (see
 * api/comments.c): its id, its author (0 when shown as deleted) and the
 * offset of the value of its "liked_by_me" member, which reads false. */
typedef struct cache_mark {
    int64_t id;
    int64_t author_id;
    size_t at;
} cache_mark;

cache *cache_new(size_t slots, size_t max_body);
void cache_free(cache *c);

/* The article's current generation; read it BEFORE reading the data a new
 * entry will hold. */
uint64_t cache_generation(cache *c, const char *article_id);
/* Marks every entry of the article stale. */
void cache_bump(cache *c, const char *article_id);
/* Marks every entry stale (notices from other nodes may have been missed). */
void cache_bump_all(cache *c);

/* Returns a referenced body for key when a fresh entry exists, else NULL.
 * etag receives the entry's ETag (quoted) when found. */
cache_body *cache_get(cache *c, const char *key, const char *article_id, char etag[24]);
/* Stores a copy of body under key for the article, built at generation gen,
 * with a copy of its marks (n_marks of them, by ascending offset; none for a
 * body that is not a thread view). Returns a referenced body (the stored
 * one) and its etag. */
cache_body *cache_put(cache *c, const char *key, const char *article_id, uint64_t gen,
                      const char *body, size_t n, const cache_mark *marks, size_t n_marks,
                      char etag[24]);

const char *cache_body_data(const cache_body *b);
size_t cache_body_len(const cache_body *b);
const cache_mark *cache_body_marks(const cache_body *b, size_t *n);
void cache_body_unref(cache_body *b);

/* Computes the ETag (quoted, 18 chars + NUL) of arbitrary bytes. */
void cache_etag(const char *body, size_t n, char etag[24]);

#endif
