/* server/session_read.c: a logged-in reader's session and layer for a
 * thread page, without blocking the loop and mostly without a query.
 *
 * A thread page for a reader with a session cookie needs the session's user
 * and the reader's layer of the article (store_session_layer). Two things
 * keep that cheap:
 *
 * 1. A small cache per loop of (session, article) -> (user, layer). An
 *    entry is used only while three things hold: it is younger than
 *    session_cache_ms; the article's generation (the product's, through
 *    server_product.article_generation: its view cache's, bumped after every
 *    committed write that touches the article, on this node by the writer
 *    and for other nodes' writes by their change notices) is the one read
 *    before the entry's query; and the node's people generation (bumped
 *    after every commit of this node's writer, whatever it wrote, and by
 *    other nodes' "people" notices (server_sessions_changed), which every write job without an
 *    article sends: mutes, logouts, bans, roles, account deletions) is too.
 *    So the reader's own like, mute, post or logout, a moderator's decision
 *    and anything written on another node count from the next read on (on
 *    another node, once its notice has arrived: milliseconds); only what
 *    bypasses the server (a session expiring, `parley admin`) waits for the
 *    TTL. A lost notice connection bumps both generations everywhere.
 *
 * 2. On PostgreSQL, a miss is read without waiting: each loop keeps a store
 *    connection of its own for these reads (store_async_*), the handler
 *    returns, the loop serves other requests, and the request resumes when
 *    the answer arrives. The reads a loop gathers in one turn go out as one
 *    pipeline batch, so one wake-up of the backend answers them all. When
 *    that connection breaks, the reads waiting on it are done the ordinary
 *    way (req_load_session_layer, on the loop's reader) and the connection
 *    is opened again for a later read, at most once a second.
 */
#include "server/server_int.h"
#include "util/log.h"
#include "util/text.h"
#include "util/xalloc.h"

#include <event2/event.h>
#include <string.h>

/* The article's generation as the product counts it (its view cache:
 * bumped by every committed write to it and by other nodes' notices);
 * 0 without the hook. */
static uint64_t
article_generation(app *a, const char *article_id)
{
    const server_product *p = a->product;
    return p->article_generation != NULL ? p->article_generation(p->ctx, article_id) : 0;
}

/* One read waiting for its answer; from its request's arena. */
struct pending_read {
    req *r;
    const char *article_id;
    uint64_t article_gen, people_gen; /* read before the query was sent */
    req_layer_fn *resume;
    void *arg;
    pending_read *next;
};

/* ---- the cache ------------------------------------------------------------ */

/* Entries per loop (direct-mapped: a new entry replaces the one in its
 * slot); each is used for session_cache_ms at most. */
#define LAYER_SLOTS 512

typedef struct layer_entry {
    unsigned char hash[STORE_TOKEN_HASH_LEN];
    char *article_id; /* in blob, as every pointer below */
    uint64_t article_gen, people_gen;
    int64_t until_ms;
    store_user user; /* without the password hash */
    store_viewer_layer layer;
    char blob[];
} layer_entry;

struct layer_cache {
    layer_entry *slot[LAYER_SLOTS];
};

static size_t
slot_of(const unsigned char *hash, const char *article_id)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < STORE_TOKEN_HASH_LEN; i++)
        h = (h ^ hash[i]) * 1099511628211ull;
    for (const char *p = article_id; *p != '\0'; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ull;
    return (size_t)(h % LAYER_SLOTS);
}

static size_t
str_size(const char *s)
{
    return s != NULL ? strlen(s) + 1 : 0;
}

/* Copies s to *w (advanced past it); NULL stays NULL. */
static char *
put_str(char **w, const char *s)
{
    if (s == NULL)
        return NULL;
    size_t n = strlen(s) + 1;
    char *out = memcpy(*w, s, n);
    *w += n;
    return out;
}

static int64_t *
put_ids(char **w, const int64_t *v, size_t n)
{
    if (n == 0)
        return NULL;
    int64_t *out = memcpy(*w, v, n * sizeof *v);
    *w += n * sizeof *v;
    return out;
}

static void
layer_put(loop *lp, req *r, const char *article_id, uint64_t article_gen, uint64_t people_gen,
          const store_viewer_layer *layer)
{
    const store_user *u = r->user;
    int64_t ttl_ms = lp->app->cfg->session_cache_ms;
    if (ttl_ms <= 0)
        return;
    if (lp->layers == NULL)
        lp->layers = xcalloc(1, sizeof *lp->layers);
    size_t ids = (layer->n_liked + layer->n_muted) * sizeof(int64_t);
    size_t strs = str_size(article_id) + str_size(u->email) + str_size(u->name) +
                  str_size(u->ban_reason) + str_size(u->language);
    layer_entry *e = xmalloc(sizeof *e + ids + strs);
    char *w = e->blob;
    /* The id arrays first: the blob after the header is aligned for them. */
    e->layer = *layer;
    e->layer.liked = put_ids(&w, layer->liked, layer->n_liked);
    e->layer.muted = put_ids(&w, layer->muted, layer->n_muted);
    e->user = *u;
    e->user.pw_hash = "";
    e->article_id = put_str(&w, article_id);
    e->user.email = put_str(&w, u->email);
    e->user.name = put_str(&w, u->name);
    e->user.ban_reason = put_str(&w, u->ban_reason);
    e->user.language = put_str(&w, u->language);
    memcpy(e->hash, r->session_hash, sizeof e->hash);
    e->article_gen = article_gen;
    e->people_gen = people_gen;
    e->until_ms = time_now_ms() + ttl_ms;
    size_t i = slot_of(e->hash, article_id);
    free(lp->layers->slot[i]);
    lp->layers->slot[i] = e;
}

/* The cached user and layer of r's session for the article, when still
 * good: r->user is set (a copy in r's arena) and *layer filled. */
static bool
layer_get(loop *lp, req *r, const char *article_id, store_viewer_layer *layer)
{
    if (lp->layers == NULL)
        return false;
    size_t i = slot_of(r->session_hash, article_id);
    layer_entry *e = lp->layers->slot[i];
    if (e == NULL || memcmp(e->hash, r->session_hash, sizeof e->hash) != 0 ||
        strcmp(e->article_id, article_id) != 0)
        return false;
    if (time_now_ms() >= e->until_ms || atomic_load(&lp->app->people_gen) != e->people_gen ||
        article_generation(lp->app, article_id) != e->article_gen) {
        free(e);
        lp->layers->slot[i] = NULL;
        return false;
    }
    /* The request is answered before this loop stores another entry, so
     * pointing into the entry is safe for its lifetime; copy anyway, the
     * arrays are small and the answer must not depend on it. */
    store_user *u = arena_alloc(r->a, sizeof *u);
    *u = e->user;
    u->email = arena_strdup(r->a, e->user.email);
    u->name = arena_strdup(r->a, e->user.name);
    u->ban_reason = e->user.ban_reason != NULL ? arena_strdup(r->a, e->user.ban_reason) : NULL;
    u->language = e->user.language != NULL ? arena_strdup(r->a, e->user.language) : NULL;
    *layer = e->layer;
    layer->liked = layer->n_liked > 0 ? arena_alloc(r->a, layer->n_liked * sizeof(int64_t)) : NULL;
    layer->muted = layer->n_muted > 0 ? arena_alloc(r->a, layer->n_muted * sizeof(int64_t)) : NULL;
    if (layer->n_liked > 0)
        memcpy(layer->liked, e->layer.liked, layer->n_liked * sizeof(int64_t));
    if (layer->n_muted > 0)
        memcpy(layer->muted, e->layer.muted, layer->n_muted * sizeof(int64_t));
    r->user = u;
    return true;
}

static void
layers_free(loop *lp)
{
    if (lp->layers == NULL)
        return;
    for (size_t i = 0; i < LAYER_SLOTS; i++)
        free(lp->layers->slot[i]);
    free(lp->layers);
    lp->layers = NULL;
}

/* Reads sent on one connection and not yet answered, at most (beyond,
 * a read waits the ordinary way). */
#define ASYNC_MAX_OUT 4096
/* After a broken connection, how long before opening a new one. */
#define ASYNC_RETRY_MS 1000

static void readable_cb(evutil_socket_t fd, short what, void *arg);
static void writable_cb(evutil_socket_t fd, short what, void *arg);
static void flush_cb(evutil_socket_t fd, short what, void *arg);

static void
async_close(loop *lp)
{
    if (lp->async_rev != NULL)
        event_free(lp->async_rev);
    if (lp->async_wev != NULL)
        event_free(lp->async_wev);
    lp->async_rev = lp->async_wev = NULL;
    lp->async_flush_due = false;
    store_close(lp->async);
    lp->async = NULL;
}

/* Opens the loop's connection for reads that do not wait. False when the
 * backend answers at once (SQLite) or the connection cannot be opened. */
static bool
async_open(loop *lp)
{
    pl_error err;
    int fd = -1;
    if (store_open(lp->app->cfg->db, true, &lp->async, &err) < 0 ||
        store_async_start(lp->async, &fd, &err) < 0) {
        log_error("msg=\"cannot open the connection for session reads\" error=\"%s\"", err.msg);
        fd = -1;
    }
    if (fd < 0) {
        store_close(lp->async);
        lp->async = NULL;
        return false;
    }
    lp->async_rev = event_new(lp->base, fd, EV_READ | EV_PERSIST, readable_cb, lp);
    lp->async_wev = event_new(lp->base, fd, EV_WRITE, writable_cb, lp);
    if (lp->async_rev == NULL || lp->async_wev == NULL || event_add(lp->async_rev, NULL) != 0) {
        log_error("msg=\"cannot watch the connection for session reads\"");
        async_close(lp);
        return false;
    }
    return true;
}

int
session_read_init(loop *lp)
{
    lp->async_head = lp->async_tail = NULL;
    lp->async_out = 0;
    lp->async_retry_ms = 0;
    /* Only a backend that can answer later gets a connection: SQLite reads
     * are function calls. */
    lp->async_on = strncmp(lp->app->cfg->db, "postgres", 8) == 0;
    if (!lp->async_on)
        return 0;
    lp->async_fev = event_new(lp->base, -1, 0, flush_cb, lp);
    if (lp->async_fev == NULL)
        return -1;
    async_open(lp);
    return 0;
}

void
session_read_fini(loop *lp)
{
    layers_free(lp);
    async_close(lp);
    if (lp->async_fev != NULL)
        event_free(lp->async_fev);
    lp->async_fev = NULL;
}

/* Resumes r the ordinary way: its read is done now, on the loop's reader. */
static void
resume_blocking(pending_read *p)
{
    store_viewer_layer layer;
    bool personal = req_load_session_layer(p->r, p->article_id, &layer);
    if (personal)
        layer_put(rf(p->r)->lp, p->r, p->article_id, p->article_gen, p->people_gen, &layer);
    p->resume(p->r, p->arg, personal ? &layer : NULL);
}

/* The connection broke: the reads waiting on it are done the ordinary way,
 * and a later read opens a new connection. */
static void
async_broken(loop *lp, const pl_error *err)
{
    log_error("msg=\"connection for session reads lost\" waiting=%d error=\"%s\"", lp->async_out,
              err->msg);
    pending_read *p = lp->async_head;
    lp->async_head = lp->async_tail = NULL;
    lp->async_out = 0;
    async_close(lp);
    lp->async_retry_ms = time_now_ms() + ASYNC_RETRY_MS;
    while (p != NULL) {
        pending_read *next = p->next;
        resume_blocking(p);
        p = next;
    }
}

/* Sends what the socket took; arms the write event for the rest. */
static void
async_flush(loop *lp)
{
    pl_error err;
    int rc = store_async_flush(lp->async, &err);
    if (rc < 0)
        async_broken(lp, &err);
    else if (rc == 1)
        event_add(lp->async_wev, NULL);
}

static void
flush_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    loop *lp = arg;
    lp->async_flush_due = false;
    if (lp->async != NULL)
        async_flush(lp);
}

static void
writable_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    async_flush(arg);
}

static void
readable_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    loop *lp = arg;
    for (;;) {
        pending_read *p = lp->async_head;
        pl_error err;
        int rc, result = 0;
        store_viewer_layer layer;
        if (p == NULL) {
            /* Nothing asked for: only takes what the server sent (a notice,
             * the end of the connection); an answer here would be to no read. */
            store_user none;
            arena *scratch = arena_new();
            rc = store_async_next(lp->async, scratch, &none, &layer, &result, &err);
            arena_free(scratch);
            if (rc == 1)
                rc = pl_errorf(&err, PL_ESTORE, "an answer to no read");
            if (rc < 0)
                async_broken(lp, &err);
            return;
        }
        store_user *u = arena_zalloc(p->r->a, sizeof *u);
        rc = store_async_next(lp->async, p->r->a, u, &layer, &result, &err);
        if (rc < 0) {
            async_broken(lp, &err);
            return;
        }
        if (rc == 0)
            return;
        lp->async_head = p->next;
        if (lp->async_head == NULL)
            lp->async_tail = NULL;
        lp->async_out--;
        req *r = p->r;
        if (result == 0 && !u->deleted) {
            r->user = u;
            layer_put(lp, r, p->article_id, p->article_gen, p->people_gen, &layer);
            p->resume(r, p->arg, &layer);
        } else if (result == 0 || result == PL_ENOTFOUND) {
            p->resume(r, p->arg, NULL);
        } else { /* a failed statement (or one after it in its batch) */
            log_warn("msg=\"session read failed; reading again\" error=\"%s\"", err.msg);
            resume_blocking(p);
        }
        /* The resumed request may have been the last thing keeping the loop
         * busy; a broken connection inside resume cannot happen (it uses
         * the loop's reader), so lp->async is still ours. */
        if (lp->async == NULL)
            return;
    }
}

/* Sends r's read on the loop's own connection; false when it was not sent. */
static bool
read_later(req *r, pending_read *p)
{
    loop *lp = rf(r)->lp;
    if (!lp->async_on)
        return false;
    if (lp->async == NULL) {
        if (time_now_ms() < lp->async_retry_ms)
            return false;
        if (!async_open(lp)) {
            lp->async_retry_ms = time_now_ms() + ASYNC_RETRY_MS;
            return false;
        }
    }
    if (lp->async_out >= ASYNC_MAX_OUT)
        return false;
    pl_error err;
    int rc = store_async_send(lp->async, r->session_hash, r->now, p->article_id, &err);
    if (rc == PL_ESTORE)
        async_broken(lp, &err);
    if (rc < 0)
        return false;
    if (lp->async_tail != NULL)
        lp->async_tail->next = p;
    else
        lp->async_head = p;
    lp->async_tail = p;
    lp->async_out++;
    /* The reads of this loop turn go out together, after its callbacks. */
    if (!lp->async_flush_due) {
        lp->async_flush_due = true;
        event_active(lp->async_fev, EV_TIMEOUT, 0);
    }
    return true;
}

void
req_session_layer(req *r, const char *article_id, req_layer_fn *resume, void *arg)
{
    store_viewer_layer layer;
    if (!http_session_cookie(r)) {
        resume(r, arg, NULL);
        return;
    }
    loop_metrics *m = rf(r)->lp->metrics;
    bool hit = layer_get(rf(r)->lp, r, article_id, &layer);
    atomic_ullong *n = hit ? &m->layer_hits : &m->layer_misses;
    atomic_store_explicit(n, atomic_load_explicit(n, memory_order_relaxed) + 1,
                          memory_order_relaxed);
    if (hit) {
        resume(r, arg, &layer);
        return;
    }
    pending_read *p = arena_alloc(r->a, sizeof *p);
    p->r = r;
    p->article_id = article_id;
    p->resume = resume;
    p->arg = arg;
    p->next = NULL;
    /* Generations first: a write committed while the query runs makes
     * the entry stale at once. */
    p->people_gen = atomic_load(&rf(r)->app->people_gen);
    p->article_gen = article_generation(rf(r)->app, article_id);
    if (!read_later(r, p))
        resume_blocking(p);
}
