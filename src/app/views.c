/* app/views.c: see views.h. */
#include "app/views.h"
#include "app/metrics.h"
#include "app/site.h"

#include <stdlib.h>
#include <string.h>

static cache *
cache_of(req *r)
{
    return ((site_ctx *)req_product(r))->cache;
}

static void
unref_cb(const void *data, size_t len, void *arg)
{
    (void)data;
    (void)len;
    cache_body_unref(arg);
}

static bool
anonymous_get(req *r)
{
    return r->method == HTTP_GET && r->user == NULL && !r->has_session_cookie;
}

static void
send_cached(req *r, cache_body *b, const char *etag)
{
    r->vary_cookie = true;
    req_add_header(r, "Content-Type", "application/json; charset=utf-8");
    req_add_header(r, "ETag", etag);
    /* Short enough that a CDN in front shows new comments within seconds,
     * long enough to absorb a spike. */
    req_add_header(r, "Cache-Control", "public, max-age=5, stale-while-revalidate=30");
    const char *inm = req_header(r, "If-None-Match");
    int status = inm != NULL && strstr(inm, etag) != NULL ? 304 : 200;
    req_send_ref(r, status, cache_body_data(b), cache_body_len(b), unref_cb, b);
}

bool
view_serve_cached(req *r, const char *article_id)
{
    if (!anonymous_get(r))
        return false;
    char etag[24];
    cache_body *b = cache_get(cache_of(r), req_uri(r), article_id, etag);
    if (b == NULL)
        return false;
    req_metric_count(r, SITE_METRIC_CACHE, SITE_CACHE_HIT);
    send_cached(r, b, etag);
    return true;
}

uint64_t
view_generation(req *r, const char *article_id)
{
    return cache_generation(cache_of(r), article_id);
}

void
view_bump(req *r, const char *article_id)
{
    cache_bump(cache_of(r), article_id);
}

int
view_notify_article(req *r, store *s, const char *article_id, pl_error *err)
{
    return notices_send_article(req_product(r), s, article_id, err);
}

cache_body *
view_get(req *r, const char *article_id)
{
    char etag[24];
    return cache_get(cache_of(r), req_uri(r), article_id, etag);
}

cache_body *
view_put(req *r, char *text, const cache_mark *marks, size_t n_marks, const char *article_id,
         uint64_t gen, char etag[24])
{
    req_metric_count(r, SITE_METRIC_CACHE, SITE_CACHE_MISS);
    cache_body *b = cache_put(cache_of(r), req_uri(r), article_id, gen, text, strlen(text), marks,
                              n_marks, etag);
    free(text);
    return b;
}

void
view_send(req *r, char *text, const cache_mark *marks, size_t n_marks, const char *article_id,
          uint64_t gen)
{
    if (!anonymous_get(r)) {
        req_send_private_json(r, text, strlen(text));
        return;
    }
    char etag[24];
    cache_body *b = view_put(r, text, marks, n_marks, article_id, gen, etag);
    send_cached(r, b, etag);
}
