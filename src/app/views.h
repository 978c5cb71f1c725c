/* app/views.h: anonymous thread views answered from the view cache
 * (app/cache.h), and the cache kept right when comments change. */
#ifndef PARLEY_APP_VIEWS_H
#define PARLEY_APP_VIEWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/cache.h"
#include "server/server.h"

/* For an anonymous GET: answers from the cache (200, or 304 when
 * If-None-Match matches) and returns true; false when the caller must build
 * the response. */
bool view_serve_cached(req *r, const char *article_id);
/* The article's cache generation; read it before reading the data. */
uint64_t view_generation(req *r, const char *article_id);
/* Marks the article's cached views stale, for a committed write that
 * touched more articles than its job's one (an account deletion). */
void view_bump(req *r, const char *article_id);
/* From a job's write step (writer thread): tells the other nodes that the
 * article changed, for the same kind of write, so they drop their cached
 * views of it too. Delivered only if the job commits. */
int view_notify_article(req *r, store *s, const char *article_id, pl_error *err);
/* Sends text (a thread view's JSON from malloc, taken) as 200: for an
 * anonymous request with an ETag, stored in the cache under the request URI
 * at generation gen with its marks (cache_mark); for anyone else privately
 * (no-store), uncached. */
void view_send(req *r, char *text, const cache_mark *marks, size_t n_marks, const char *article_id,
               uint64_t gen);
/* The fresh cached view of the request URI whoever asks (a logged-in
 * reader's personal view is made from it), referenced, or NULL. */
cache_body *view_get(req *r, const char *article_id);
/* Stores text (JSON from malloc, taken) as the anonymous view of the request
 * URI, as view_send does, without sending it; returns it referenced. */
cache_body *view_put(req *r, char *text, const cache_mark *marks, size_t n_marks,
                     const char *article_id, uint64_t gen, char etag[24]);

#endif
