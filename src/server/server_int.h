/* server/server_int.h: what the files of server/ share and nobody else sees:
 * the app and loop structures, connection tracking and the job queues. */
#ifndef PARLEY_SERVER_SERVER_INT_H
#define PARLEY_SERVER_SERVER_INT_H

#include <pthread.h>

#include "app/cache.h"
#include "app/webhooks.h"
#include "server/metrics.h"
#include "server/ratelimit.h"
#include "server/server.h"

struct evhttp;
struct event;
struct bufferevent;

/* A work queue served by one thread. */
typedef struct queue {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    job *head, *tail;
    size_t len;
    bool closing;
} queue;

typedef struct conn conn;
typedef struct pending_read pending_read;

/* Counts per address (a small open hash under a mutex; server.c). */
typedef struct addr_table addr_table;
struct addr_table {
    pthread_mutex_t mu;
    struct ip_count *slots;
    size_t cap;
};

struct loop {
    app *app;
    int index;
    pthread_t thread;
    struct event_base *base;
    struct evhttp *http;
    struct evconnlistener *listener;
    store *reader;
    conn *conns; /* connections this loop tracks (doubly linked) */
    struct event *sweep;
    atomic_int inflight; /* requests received and not yet answered */
#define LOOP_SPARE_ARENAS 32
    arena *spare[LOOP_SPARE_ARENAS]; /* emptied request arenas, for reuse */
    int nspare;
    loop_metrics *metrics; /* written by this loop only */
    /* Session and layer reads that do not block the loop (session_read.c):
     * async_on with PostgreSQL; async its connection (NULL while broken,
     * until async_retry_ms), the reads sent on it oldest first. */
    bool async_on;
    store *async;
    struct event *async_rev, *async_wev, *async_fev;
    bool async_flush_due; /* async_fev is active: the turn's reads go out after it */
    pending_read *async_head, *async_tail;
    int async_out;
    int64_t async_retry_ms;
    struct layer_cache *layers; /* sessions and layers read lately (session_read.c) */
    /* The Date header, formatted once a second rather than per response. */
    int64_t date_sec;
    char date[32];
};

struct app {
    /* Both replaced by a reload (SIGHUP): a request reads each once and
     * uses it until it is answered; see server.c, "reload". */
    _Atomic(const config *) cfg;
    _Atomic(moderation *) mod;
    int nloops;
    loop *loops;
    int listen_fd;
    char *origin; /* our own origin when public_url is set ("https://x") */
    char **allowed_origins;
    size_t n_allowed;
    origin_check_fn *origin_check; /* server_options.origin_check */
    /* Request connections in total and per peer address, and live-update
     * streams in total and per client (all loops); see server.c. */
    atomic_long conns_total;
    addr_table conn_ips;
    atomic_long streams_total;
    addr_table stream_ips;
    /* Writer and hashing threads. */
    store *writer_store;
    queue writes;
    queue slow;
    pthread_t writer_thread;
    pthread_t slow_thread;
    atomic_bool draining;
    cache *cache;
    /* Bumped after every commit of this node's writer and by other nodes'
     * "people" notices: cached sessions and layers read before are stale
     * (session_read.c). */
    _Atomic uint64_t people_gen;
    ratelimit *limits;
    struct mailer *mailer;       /* NULL when mail is off (mail/mail.h) */
    webhooks *hooks;             /* the webhook sender; NULL when webhook_url is unset */
    struct stream_list *streams; /* one per loop, see events.c */
    /* Change notices from other nodes (PostgreSQL LISTEN/NOTIFY). */
    char node_id[17];
    store *listener;
    struct event *listen_ev;
    int fail_after;
    int64_t started_at;
    /* Publisher's Markdown for /guidelines, /terms, /faq (pages.h); replaced
     * as a whole on reload. */
    _Atomic(struct page_set *) pages;
    struct retired_config *retired; /* configs replaced by reloads, freed at exit */
    /* Settings edited in the desk (server.c, "settings"): cfg is base_cfg
     * (the file, environment and flags, replaced by a reload) with the
     * overrides of settings version settings_version (settings_body, its
     * JSON) set on it. Everything but base_cfg's pointer is under
     * settings_mu, which also serialises reloads. */
    _Atomic(const config *) base_cfg;
    const config *start_cfg; /* the caller's, never freed here */
    pthread_mutex_t settings_mu;
    int64_t settings_version;
    char *settings_body;
    store *poll_store;     /* the main thread's, to look for a newer version */
    pthread_t main_thread; /* woken by SIGUSR2 when another node changed them */
    /* The web files, compressed and hashed once at start (static.h). */
    struct static_table *statics;
    /* /metrics on metrics_listen (metrics.c). */
    app_metrics metrics;
    const char *version;
    struct event_base *metrics_base;
    struct evhttp *metrics_http;
    int metrics_fd;
    pthread_t metrics_thread;
    bool metrics_running;
};

typedef struct retired_config {
    config *cfg;
    struct retired_config *next;
} retired_config;

/* server.c: binds a listening socket on HOST:PORT; url receives
 * "http://ADDR:PORT" with the real port. Logs and returns -1 on failure. */
int server_bind(const char *addr, int *fd_out, char *url, size_t url_n);
/* Formats a client address for a log line as log_addresses allows: whole,
 * shortened to its network (IPv4 /24, IPv6 /48) or "-". */
void server_log_addr(const app *a, const char *ip, char *out, size_t n);

/* http.c: the evhttp request callback and connection hooks. */
void http_handle(struct evhttp_request *ev, void *arg);
struct bufferevent *http_new_bufferevent(struct event_base *base, void *arg);
void http_sweep(loop *lp);
void http_conn_request_started(loop *lp, struct evhttp_request *ev);
void http_conn_request_finished(loop *lp, struct evhttp_request *ev);
/* Calls fn(arg) once when the request's connection closes (streams). False
 * when the connection is not tracked or already closed. */
bool http_conn_set_on_close(loop *lp, struct evhttp_request *ev, void (*fn)(void *), void *arg);
/* The request's connection now carries a live-update stream: it leaves the
 * connection counts (events.c counts it as a stream) and gets the socket
 * options that find a dead peer. False when the connection is gone. */
bool http_conn_to_stream(loop *lp, struct evhttp_request *ev, int heartbeat_ms);
/* Shuts the request's connection down; evhttp then closes it, which runs
 * its close hook. */
void http_conn_drop(loop *lp, struct evhttp_request *ev);
/* Releases connection-tracking state at shutdown. */
void http_conns_free(loop *lp);
/* Reads the parley_session cookie into r->session_hash (and sets
 * r->has_session_cookie); false when there is none. */
bool http_session_cookie(req *r);

/* session_read.c: each loop's connection for session and layer reads that
 * do not wait (PostgreSQL; nothing on SQLite). */
int session_read_init(loop *lp);
void session_read_fini(loop *lp);

/* server.c: connection admission (limits across all loops). A request
 * connection counts toward max_connections and, unless its peer is the
 * trusted proxy, max_connections_per_ip. Once it turns into a live-update
 * stream it leaves those counts for max_streams and max_streams_per_client,
 * where the client is the forwarded address behind the trusted proxy. */
bool app_is_proxy(const app *a, const char *ip);
bool app_conn_admit(app *a, const char *ip);
void app_conn_release(app *a, const char *ip);
enum { STREAM_OK = 0, STREAM_SERVER_FULL = 1, STREAM_CLIENT_FULL = 2 };
int app_stream_admit(app *a, const char *client);
void app_stream_release(app *a, const char *client);

/* jobs.c */
void queue_init(queue *q);
void queue_fini(queue *q);
void queue_push(queue *q, job *j);
void queue_close(queue *q);
void *writer_main(void *arg);
void *slow_main(void *arg);
/* Finishes a job on its loop (done step) and releases the request. */
void job_complete(job *j);

/* notices.c: tells other nodes about a job's committed change (called by
 * the writer inside the job's savepoint), and hears theirs. */
int notices_send(app *a, store *s, const job *j, pl_error *err);
/* The same for one more article the job changed, without an event. */
int notices_send_article(app *a, store *s, const char *article, pl_error *err);
/* The same for a change of the site's settings: other nodes rebuild theirs. */
int notices_send_settings(app *a, store *s, pl_error *err);
/* The same for a write about no article (it may be about people): other
 * nodes drop the sessions and layers they cached (server/session_read.c). */
int notices_send_people(app *a, store *s, pl_error *err);
int notices_start(app *a);
void notices_stop(app *a);

/* server.c: reads the newest settings version through s and, when it is
 * not the one in force (or force), builds the config, engine and pages from
 * the base config and its overrides and publishes them as a reload does.
 * Never from a loop (it waits for the loops). A version that cannot apply
 * is logged and skipped: the running settings stay. */
void settings_refresh(app *a, store *s, bool force);
/* The same after this node's own save: ready (taken, may be NULL) is what
 * the save built ahead and is swapped in without building when it is the
 * newest version's body on the base in force. */
void settings_refresh_ready(app *a, store *s, settings_build *ready);

/* Sends 429 rate_limited with Retry-After. */
void req_send_rate_limited(req *r, int retry_after_s);

/* The request is answered: frees its arena and counts it out. */
void req_finish(req *r);

#endif
