/* server/server.h: the HTTP server, transport only: it knows no product.
 * The product (src/main.c builds it: server_product) gives it routes and
 * hooks; handlers see the request through the req_* functions below.
 *
 * Shape: N event-loop threads (one per core by default), each running its
 * own evhttp on one shared listening socket and holding its own read-only
 * store connection; one writer thread that owns the writable store and
 * commits queued writes in groups (many comments per fsync, each acknowledged
 * only once durable); one hashing thread for argon2id so no loop ever waits
 * for a password hash or the disk.
 *
 * A request is parsed, limited and authenticated on its loop (server/http.c),
 * handed to the handler of its route, which either answers at once (reads)
 * or submits a job. A job runs its optional `slow` step on the hashing thread,
 * then its optional `write` step on the writer inside the group transaction
 * (in a savepoint of its own), then its `done` step back on the loop that
 * owns the request, which sends the response.
 */
#ifndef PARLEY_SERVER_SERVER_H
#define PARLEY_SERVER_SERVER_H

#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"
#include "util/arena.h"
#include "util/config.h"

struct evhttp_request;
struct event_base;
struct evkeyvalq;

typedef struct app app;
typedef struct loop loop;
typedef struct req req;
typedef struct job job;

enum { HTTP_GET = 1, HTTP_POST, HTTP_PUT, HTTP_PATCH, HTTP_DELETE, HTTP_HEAD, HTTP_OPTIONS };

/* One incoming request, owned by its loop thread until the response is sent.
 * Everything hangs off its arena. This is what a handler sees; the loop's
 * own fields (the evhttp request, the loop, the parsed query, the shared
 * rate-limit buckets) are the server's alone (server_int.h, req_full). */
struct req {
    arena *a;
    int method;
    bool head;            /* a HEAD request: answered like GET, without the body */
    const char *path;     /* decoded path, without the query */
    const char *raw_path; /* the path as sent (percent-encoded) */
    const char *query;    /* raw query string or NULL */
    const char *body;     /* NUL-terminated copy; body_len bytes */
    size_t body_len;
    const char *client_ip;
    const char *cors_origin; /* an allowed foreign Origin to answer with CORS headers, or NULL */
    bool secure;             /* served over HTTPS (from public_url) */
    int route;               /* route id for metrics (server/metrics.h), 0 until routed */
    int64_t t0_ns;           /* monotonic arrival time */
    bool vary_cookie;        /* the answer depends on the cookie: Vary says so */
    /* Its route answers in Google's shape (ROUTE_GOOGLE_ERRORS); see
     * req_send_google_error. */
    bool google_errors;
    store_user *user; /* the session's user, or NULL */
    bool has_session_cookie;
    unsigned char session_hash[STORE_TOKEN_HASH_LEN];
    int64_t now;
};

/* A unit of deferred work for one request; see the file comment. Allocate
 * from the request arena with job_new. */
struct job {
    req *r;
    /* Runs on the hashing thread (no store). Optional. */
    void (*slow)(job *j);
    /* Runs on the writer thread inside a savepoint; a negative return rolls
     * back this job's writes only. Optional. */
    int (*write)(job *j, store *s, pl_error *err);
    /* True when write may share a batch with its neighbours (store_batch_*):
     * it may then run a second time from its start, after everything it
     * wrote was undone, so it must keep nothing of a first run but what it
     * sets again (server/jobs.c). */
    bool batch;
    /* Runs on the request's loop; sends the response. Required. */
    void (*done)(job *j);
    void *data; /* the handler's own state */
    /* The product's record of what the write changed, for its commit hooks
     * (server_product.in_commit and .committed); the server never reads it. */
    void *change;
    int rc;          /* result of write (0 when none), or PL_ESTORE if the commit failed */
    int retry_after; /* with rc == PL_ERATE: seconds until the shared bucket refills */
    pl_error err;
    job *next;
};

job *job_new(req *r, void *data);

/* Queues j: slow step, then write step, then done on the loop. */
void job_submit(job *j);

/* The usual write job: job_new with write and done set, then job_submit. */
void job_run(req *r, void *data, int (*write)(job *j, store *s, pl_error *err),
             void (*done)(job *j));

/* The client's address as log lines may show it (config log_addresses):
 * whole, its network, or "-". Arena-owned. */
const char *req_client_for_log(req *r);
/* Monotonic nanoseconds (for timing). */
int64_t req_clock_ns(void);

/* Read-side store of the request's loop thread. */
store *req_store(req *r);
const config *req_config(req *r);
/* The config without the product's overlay (server_product.config_overlay,
 * the settings edited in the desk): the file's, environment's and flags'
 * values (the defaults the desk shows). */
const config *req_base_config(req *r);

/* ---- responses (loop thread only) ------------------------------------- */

/* Sends a JSON body (steals the reference) with the status. */
void req_send_json(req *r, int status, json_t *body);
/* Sends 204 with no body. */
void req_send_empty(req *r, int status);
/* Sends an API error body {"error": {"code", "message", "field"?}}. field may
 * be NULL. extra (stolen, may be NULL) is merged beside "error". */
void req_send_error(req *r, int status, const char *code, const char *message, const char *field,
                    json_t *extra);
/* Sends an error in the shape of Google's APIs, which Perspective clients
 * read: {"error": {"code": status, "message", "status": "INVALID_ARGUMENT"
 * (the canonical name for the HTTP status), "details": [details]}}; details
 * (stolen) may be NULL. req_send_error answers this way by itself when
 * r->google_errors is set. */
void req_send_google_error(req *r, int status, const char *message, json_t *details);
/* Sends raw bytes with a content type (static assets, pages). */
void req_send_bytes(req *r, int status, const char *content_type, const void *data, size_t n,
                    const char *cache_control);
/* Sends bytes that outlive the response (compiled-in or built at start)
 * without copying them; the caller has added the other headers. A NULL
 * content type sends none (a 304). */
void req_send_static(req *r, int status, const char *content_type, const void *data, size_t n);
/* Adds a response header. */
void req_add_header(req *r, const char *name, const char *value);
/* Returns a request header or NULL. */
const char *req_header(req *r, const char *name);
/* Reads the parley_session cookie: sets r->has_session_cookie and, for a
 * live session, r->user. API requests have it done before their handler
 * (api_dispatch), except the thread page, which calls req_session_layer;
 * the localized pages call it themselves. */
void req_load_session(req *r);
/* req_load_session for a thread page of article_id: with a live session,
 * also reads the reader's layer of the article into *layer, together with
 * the session (one round trip on PostgreSQL), and returns true. False for
 * an anonymous reader (no cookie, or no live session behind it). */
bool req_load_session_layer(req *r, const char *article_id, store_viewer_layer *layer);
/* What a handler does once the session and layer are read: r->user is set
 * and layer filled for a logged-in reader; layer is NULL for an anonymous
 * one. */
typedef void req_layer_fn(req *r, void *arg, const store_viewer_layer *layer);
/* The session and layer of a thread page's reader (server/session_read.c):
 * calls resume(r, arg, layer) on this loop, at once when they are known
 * (no session cookie, a fresh entry of the loop's cache, SQLite) or once
 * the database has answered (PostgreSQL: the loop serves other requests
 * meanwhile). The handler returns right after the call; article_id and arg
 * must live in r's arena. */
void req_session_layer(req *r, const char *article_id, req_layer_fn *resume, void *arg);
/* True when origin ("https://host[:port]") is one of the site's own: the
 * public_url's, one of allowed_origins, (without public_url) the Host the
 * request was sent to, or one server_options.origin_check accepts. */
bool req_origin_allowed(req *r, const char *origin);
/* Returns the value of a query parameter (decoded, arena-owned) or NULL;
 * *count receives how many times it appears when count is not NULL. */
const char *req_query(req *r, const char *name, int *count);
/* All values of a repeated query parameter, in order; returns how many. */
int req_query_all(req *r, const char *name, const char **out, int max);

/* ---- rate limits (server/ratelimit.h) ------------------------------------ */

/* Rate limit classes; each has its own per-minute rate and burst. */
typedef enum {
    LIMIT_READ,    /* any request, per client address */
    LIMIT_WRITE,   /* state-changing request, per client address */
    LIMIT_AUTH,    /* register and login, per client address */
    LIMIT_COMMENT, /* comments posted or edited, per account */
    LIMIT_FLAG,    /* flags, per account */
    LIMIT_LOGIN,   /* login attempts, per account tried (req_rate_limit_subject) */
    LIMIT_PREVIEW  /* costly previews (a settings change against recent comments), per account */
} limit_class;

/* Takes a token for this request in class cls (per account when the class is
 * per account and there is a session, else per client address; an IPv6
 * address counts by its /64, the block one subscriber usually holds). When
 * over the limit, sends 429 with Retry-After and returns false. Always true
 * when rate limits are off. */
bool req_rate_limit(req *r, limit_class cls);
/* The same for a bucket named by subject instead (the account a login
 * tries, whether or not it exists). */
bool req_rate_limit_subject(req *r, limit_class cls, const char *subject);

/* ---- bodies the server does not copy, per-loop state ---------------------- */

/* The request URI as sent (path and query). */
const char *req_uri(req *r);
/* The index of the request's loop (0 .. loops - 1), for state a product
 * keeps per loop and touches from that loop's thread only. */
int req_loop_index(req *r);
/* The product context given in server_product.ctx. */
void *req_product(req *r);
/* The number of event loops (fixed once the server runs). */
int server_loops(const app *a);
/* The settings in force (a reload may replace them; see server.c). */
const config *server_config(const app *a);
/* Loop i's event base, for a product's own events on that loop. */
struct event_base *server_loop_base(app *a, int i);
/* Any thread: wakes the main thread, which then runs server_product.tick
 * at once (another node changed what the product layers over the config). */
void server_wake(app *a);
/* Any thread: the sessions and layers the loops cached are stale (another
 * node wrote something about people: a mute, a logout, a ban, a role). */
void server_sessions_changed(app *a);

/* ---- the config in force: the base and the product's overlay --------------
 *
 * The config in force is the base (file, environment, flags; replaced by a
 * SIGHUP reload) with what the product layers over it
 * (server_product.config_overlay: the settings edited in the desk). The
 * config lock serialises reloads and server_config_publish; the product keeps
 * the state its overlay reads under it. Not on a loop thread: applying a
 * config waits for the loops. */
void server_config_lock(app *a);
void server_config_unlock(app *a);
/* With the lock held: the base config. */
const config *server_base_config(const app *a);
/* What a config brings with it, built: the config and the product's part
 * (server_product.reload_build). */
typedef struct server_config_set server_config_set;
/* Any thread but a loop's, no lock needed (what the product builds may take
 * a few tenths of a second): builds eff's set (eff, built over
 * server_base_config, is taken); arg goes to the product's reload_build.
 * 0 and *out, or <0 (err says why) with eff freed. */
int server_config_build(app *a, config *eff, const void *arg, server_config_set **out,
                        pl_error *err);
/* With the lock held, not on a loop: puts set (taken) in force as a reload
 * does, waits for the loops and frees what it replaced. */
void server_config_publish(app *a, server_config_set *set);
/* Frees a set never published (NULL: nothing). */
void server_config_set_free(app *a, server_config_set *set);
/* What a set holds until it is published or freed: its config and the
 * product's part (its reload_build's *staged; a preview of the product's
 * uses them without publishing the set). */
const config *server_config_set_config(const server_config_set *set);
void *server_config_set_product(const server_config_set *set);

/* Sends data[0..n) with the status and the headers added before (the
 * caller adds Content-Type and Cache-Control); release(data, n, arg) runs
 * once the bytes are sent or dropped. A 304 sends no body. */
void req_send_ref(req *r, int status, const void *data, size_t n,
                  void (*release)(const void *data, size_t n, void *arg), void *arg);
/* Sends text[0..n) (JSON from malloc, taken) as a private 200 (no-store,
 * varies with the cookie). */
void req_send_private_json(req *r, char *text, size_t n);

/* ---- the product's metrics (GET /metrics, server/metrics.c) ----------------
 *
 * The server names only its own metrics (requests and their latency, the
 * writer's commits, limits, connections, streams, sessions). The product
 * names its own in a table it hands over (server_product.metrics): each
 * family a counter, with one series per value of its label or one series
 * without a label, or a histogram of durations in the server's latency
 * buckets. A handler counts on its request's loop, which alone writes its
 * loop's copy (no locked instruction); /metrics adds up the loops and
 * prints the families in the table's order. */
typedef enum { METRIC_COUNTER, METRIC_HISTOGRAM } metric_kind;

typedef struct server_metric {
    const char *name; /* "parley_cache_requests_total" */
    metric_kind kind;
    const char *help; /* one line */
    /* A counter's label, and its values: series 0 .. n_values - 1. NULL
     * and 0: a single series (series 0). Not for histograms. */
    const char *label;
    const char *const *values;
    int n_values;
} server_metric;

/* How much the product may name: families, counter series in all, and
 * histograms. server_run refuses to start past them. */
#define SERVER_METRICS_MAX 16
#define SERVER_METRIC_SERIES_MAX 32
#define SERVER_METRIC_HISTOGRAMS_MAX 4

/* Loop thread: adds one to a series of the product's counter `metric`
 * (its index in server_product.metrics). */
void req_metric_count(req *r, int metric, int series);
/* Loop thread: adds a duration (nanoseconds) to the product's histogram
 * `metric`. */
void req_metric_observe(req *r, int metric, int64_t ns);

/* ---- event streams (server/stream.c) -------------------------------------- */

/* The longest message stream_publish sends. */
#define STREAM_MAX_MESSAGE 256

/* Takes over r and keeps its connection as a Server-Sent Events stream on
 * topic (at most 128 bytes) until the client leaves, the stream's lifetime
 * (stream_lifetime_s) ends or the server stops; hello[0..n) is sent first.
 * Streams are admitted against max_streams and max_streams_per_client
 * (else 503 busy or 429 too_many_streams), get a comment line every
 * stream_heartbeat_s and are dropped when their reader stops reading. */
void req_stream(req *r, const char *topic, const char *hello, size_t n);
/* Any thread: sends text[0..n) (n <= STREAM_MAX_MESSAGE) to every stream
 * of topic on every loop. */
void stream_publish(app *a, const char *topic, const char *text, size_t n);

/* ---- sessions ------------------------------------------------------------ */

/* Makes a new session token; writes the cookie value (base64url, 43 chars +
 * NUL) and the hash to store. */
void session_token_new(char token[64], unsigned char hash[STORE_TOKEN_HASH_LEN]);
/* Hashes a presented token. */
void session_token_hash(const char *token, unsigned char hash[STORE_TOKEN_HASH_LEN]);
/* Adds the Set-Cookie header for a new session (or, token NULL, one that
 * clears it). */
void session_set_cookie(req *r, const char *token);

/* ---- lifecycle --------------------------------------------------------- */

/* The product's own further origins (api/sites.c: each site's): an Origin
 * it accepts passes the Origin check and gets CORS headers as one of
 * allowed_origins does. Called on the request's loop. */
typedef bool origin_check_fn(req *r, const char *origin);

/* ---- what the product hands the server (src/main.c builds it) ----------- */

/* How the server treats a route's requests before its handler runs. */
enum {
    /* The API's checks: CORS (a preflight from an allowed origin is answered
     * here), a state-changing request from a foreign Origin refused (403
     * cross_origin), bodies JSON only (415). */
    ROUTE_API_CHECKS = 1,
    /* Errors in the shape of Google's APIs (req_send_google_error). */
    ROUTE_GOOGLE_ERRORS = 4,
    /* Answers carry Vary: Origin (and Cookie when they depend on it: an
     * anonymous thread view, a private answer). */
    ROUTE_VARY_ORIGIN = 8,
};

typedef struct server_route {
    /* The decoded paths it takes start with this; "" takes every path. */
    const char *prefix;
    unsigned flags;
    /* With ROUTE_API_CHECKS: Access-Control-Allow-Headers of a preflight. */
    const char *allow_headers;
    /* With ROUTE_API_CHECKS: a POST to exactly this path may send a form
     * (RFC 8058 one-click unsubscribe), or NULL. */
    const char *form_path;
    /* Optional, before the body and the limits: false when it answered the
     * request (the route is switched off). */
    bool (*open)(req *r);
    /* Answers the request (at once, or through a job). */
    void (*handle)(req *r);
} server_route;

/* The product: its routes and the hooks the server calls at its points of
 * the lifecycle and of the write path. Every hook is optional. */
typedef struct server_product {
    const server_route *routes; /* tried in order: the first whose prefix matches */
    size_t n_routes;
    void *ctx; /* handed to the hooks; req_product(r) returns it */
    /* The /metrics and log label of a route id >= ROUTE_PRODUCT (metrics.h). */
    void (*route_label)(int route, char *buf, size_t n);
    /* The product's metric families (see req_metric_count), at most
     * SERVER_METRICS_MAX. */
    const server_metric *metrics;
    size_t n_metrics;
    /* `parley serve`'s and `parley config --check`'s checks of the
     * product's settings (server_check_config calls it). */
    int (*check_config)(const config *cfg, pl_error *err);
    /* True for a setting of the product's that it takes at start only: a
     * reload keeps its running value and logs that a restart is needed
     * (besides the server's own: listen, db, threads and so on). */
    bool (*restart_only)(const char *name);
    /* Words the reload's log line ends with (what the product's
     * reload_build rereads, e.g. "pages=reread"), or NULL. */
    const char *reload_note;
    /* Main thread, once the writable store and the loops exist and before
     * any loop runs (server_config_publish does not wait for them yet).
     * Nonzero stops the start (the hook has logged why). */
    int (*start)(void *ctx, app *srv, store *writer);
    /* Main thread, once the server listens. */
    void (*listening)(void *ctx);
    /* SIGHUP and server_config_build: builds what the product rereads
     * with the new config into *staged (nonzero: the reload is refused and
     * nothing changed); arg is server_config_build's (NULL on SIGHUP, which
     * holds the config lock); publish swaps it in and returns what it
     * replaced; release frees that once no loop can hold it any more (or a
     * staged one never published). */
    int (*reload_build)(void *ctx, const config *nc, const void *arg, void **staged, pl_error *err);
    void *(*reload_publish)(void *ctx, void *staged);
    void (*reload_release)(void *ctx, void *old);
    /* Shutdown, main thread: drain runs once requests in flight are
     * answered and before the writer's queue closes (work that still
     * submits jobs hands them on); stop runs before the loops are freed,
     * also after a failed start. */
    void (*drain)(void *ctx);
    void (*stop)(void *ctx);
    /* Writer thread, inside a job's savepoint after its write step
     * succeeded: what must commit with the job (negative: the job is rolled
     * back, as when its write fails). */
    int (*in_commit)(void *ctx, job *j, store *s, pl_error *err);
    /* Writer thread, after the group committed, for each job whose write
     * committed, before any of them is answered; s is the writer's store. */
    void (*committed)(void *ctx, job *j, store *s);
    /* With the config lock held (reload, and the product's own callers of
     * server_config_build): the config in force over base, newly allocated into *eff
     * (the server owns it), or *eff = NULL for base itself. Nonzero: base
     * cannot be used (a reload is refused). */
    int (*config_overlay)(void *ctx, const config *base, config **eff, pl_error *err);
    /* Main thread, every settings_poll_ms (config) while the server runs
     * and at once after server_wake. */
    void (*tick)(void *ctx);
    /* Any loop: the article's generation, which changes whenever a
     * committed write (here or on another node) touches it; the loops'
     * cache of sessions and layers (session_read.c) keeps an entry only
     * while it is unchanged. */
    uint64_t (*article_generation)(void *ctx, const char *article_id);
} server_product;

typedef struct server_options {
    const config *cfg;
    /* The routes and hooks of the product; required. */
    const server_product *product;
    /* The version of the compiled-in web files, for the start-up log line. */
    const char *assets_version;
    /* Test hook: the writer fails the nth store call (0: off). */
    int fail_after;
    /* "VERSION (commit C)", for the start-up log line. */
    const char *version;
    /* SIGHUP: builds the config anew as at start (file, environment, flags)
     * into *out (allocated; the server owns it) and returns 0, or writes why
     * it cannot and returns nonzero. NULL: reloads are refused. */
    int (*reload)(config **out, void *arg, char *why, size_t n);
    void *reload_arg;
    /* NULL: only public_url and allowed_origins. */
    origin_check_fn *origin_check;
} server_options;

/* True when listen is HOST:PORT (or [V6]:PORT) with a port from 0 to 65535;
 * checked before starting so a bad value is a usage error (exit 2). */
bool server_listen_valid(const char *listen);

/* Runs the server until SIGTERM or SIGINT (SIGHUP reloads the settings that
 * can change safely, see docs/DEPLOY.md), then drains in-flight requests,
 * flushes queued writes and closes the database. Returns 0 or an exit status. */
int server_run(const server_options *opts);

/* Every check `parley serve` makes of its settings before it opens the
 * database: the listen address, the database URL's scheme and the
 * product's (product->check_config, may be NULL). `parley config --check`
 * runs this very function. 0, or PL_EINVAL with one line naming the
 * setting. */
int server_check_config(const config *cfg, const server_product *product, pl_error *err);

#endif
