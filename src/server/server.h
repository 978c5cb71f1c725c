/* server/server.h: the HTTP server around the API handlers.
 *
 * Shape: N event-loop threads (one per core by default), each running its
 * own evhttp on one shared listening socket and holding its own read-only
 * store connection; one writer thread that owns the writable store and
 * commits queued writes in groups (many comments per fsync, each acknowledged
 * only once durable); one hashing thread for argon2id so no loop ever waits
 * for a password hash or the disk.
 *
 * A request is parsed, limited and authenticated on its loop (server/http.c),
 * handed to its api/ handler, which either answers at once (reads) or
 * submits a job. A job runs its optional `slow` step on the hashing thread,
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

#include "app/cache.h"
#include "moderation/moderation.h"
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
 * Everything hangs off its arena. */
struct req {
    struct evhttp_request *ev;
    app *app;
    loop *lp;
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
    /* A request to the Perspective-compatible endpoint (/v1alpha1/): its
     * errors take Google's shape; see req_send_google_error. */
    bool google_errors;
    store_user *user; /* the session's user, or NULL */
    bool has_session_cookie;
    unsigned char session_hash[STORE_TOKEN_HASH_LEN];
    int64_t now;
    struct evkeyvalq *qs; /* parsed query, owned; see req_query */
    /* The shared rate-limit buckets a write job of this request must also
     * take a token from on the writer, so that several nodes count together:
     * the per-address write bucket and the class's own (auth, comment,
     * flag), n_shared of them. */
    struct {
        char key[96];
        double per_minute, burst;
    } shared[3];
    int n_shared;
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
    /* Runs on the request's loop; sends the response. Required. */
    void (*done)(job *j);
    void *data; /* the handler's own state */
    /* The article whose comments this job's write changes, or NULL: after
     * the commit, its cached views are marked stale before anyone is told. */
    const char *article;
    /* With article: the live-update event to announce after the commit
     * ("created", "edited", "removed"; NULL for none) and its comment. */
    const char *event;
    int64_t event_comment;
    int64_t event_author; /* the comment's author, 0 when unknown */
    bool mail;            /* the write step queued mail: wake the sender after the commit */
    bool webhook;         /* the write added webhook events: wake the sender after the commit */
    bool settings;        /* the write stored a settings version: apply it after the commit */
    /* With settings: that version's config, engine and pages, built ahead on
     * the hashing thread (settings_build_new), so that the writer only swaps
     * them in. The writer takes it (and frees it when it cannot serve). */
    struct settings_build *built;
    int rc;          /* result of write (0 when none), or PL_ESTORE if the commit failed */
    int retry_after; /* with rc == PL_ERATE: seconds until the shared bucket refills */
    pl_error err;
    job *next;
};

job *job_new(req *r, void *data);

/* The effective config (base with the overrides of body, a settings
 * version's JSON object), its moderation engine and its pages, built
 * together off the writer thread (building an engine takes a few tenths of
 * a second) and handed to a job's built. 0, or a negative PL_E* code with
 * err naming the setting the engine refused. */
typedef struct settings_build settings_build;
int settings_build_new(const config *base, const char *body, settings_build **out, pl_error *err);
void settings_build_free(settings_build *b);
/* Queues j: slow step, then write step, then done on the loop. */
void job_submit(job *j);

/* Counts a comment the moderation engine judged (posted or edited), with
 * the time the engine took, for /metrics. */
void req_count_moderation(req *r, moderation_decision d, int64_t ns);
/* The client's address as log lines may show it (config log_addresses):
 * whole, its network, or "-". Arena-owned. */
const char *req_client_for_log(req *r);
/* Monotonic nanoseconds (for timing). */
int64_t req_clock_ns(void);

/* Read-side store of the request's loop thread. */
store *req_store(req *r);
const config *req_config(req *r);
/* The config without the settings edited in the desk: the file's,
 * environment's and flags' values (the defaults the desk shows). */
const config *req_base_config(req *r);
const moderation *req_moderation(req *r);

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
    LIMIT_LOGIN    /* login attempts, per account tried (req_rate_limit_subject) */
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

/* ---- the anonymous view cache (app/cache.h) ------------------------- */

/* For an anonymous GET: answers from the cache (200, or 304 when
 * If-None-Match matches) and returns true; false when the caller must build
 * the response. */
bool req_serve_cached(req *r, const char *article_id);
/* The article's cache generation; read it before reading the data. */
uint64_t req_cache_generation(req *r, const char *article_id);
/* Marks the article's cached views stale, for a committed write that
 * touched more articles than its job's one (an account deletion). */
void req_cache_bump(req *r, const char *article_id);
/* From a job's write step (writer thread): tells the other nodes that the
 * article changed, for the same kind of write, so they drop their cached
 * views of it too. Delivered only if the job commits. */
int req_notify_article(req *r, store *s, const char *article_id, pl_error *err);
/* Sends text (a thread view's JSON from malloc, taken) as 200: for an
 * anonymous request with an ETag, stored in the cache under the request URI
 * at generation gen with its marks (cache_mark); for anyone else privately
 * (no-store), uncached. */
void req_send_view(req *r, char *text, const cache_mark *marks, size_t n_marks,
                   const char *article_id, uint64_t gen);
/* The fresh cached view of the request URI whoever asks (a logged-in
 * reader's personal view is made from it), referenced, or NULL. */
cache_body *req_view_get(req *r, const char *article_id);
/* Stores text (JSON from malloc, taken) as the anonymous view of the request
 * URI, as req_send_view does, without sending it; returns it referenced. */
cache_body *req_view_put(req *r, char *text, const cache_mark *marks, size_t n_marks,
                         const char *article_id, uint64_t gen, char etag[24]);
/* Sends text[0..n) (JSON from malloc, taken) as a private 200 (no-store,
 * varies with the cookie). */
void req_send_private_json(req *r, char *text, size_t n);
/* Counts a logged-in reader's thread view in the metrics: made from the
 * cached view and their layer, or built for them. */
void req_count_personal(req *r, bool layer);

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

typedef struct server_options {
    const config *cfg;
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
 * database: the listen address, the database URL's scheme, the length of
 * sso_secret, the page files (read), the moderation settings (policy.*,
 * moderation.*, the word lists: loaded). `parley config --check` runs this
 * very function. 0, or PL_EINVAL with one line naming the setting. */
int server_check_config(const config *cfg, pl_error *err);

#endif
