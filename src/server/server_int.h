/* server/server_int.h: what the files of server/ share and nobody else sees:
 * the app and loop structures, connection tracking and the job queues. */
#ifndef PARLEY_SERVER_SERVER_INT_H
#define PARLEY_SERVER_SERVER_INT_H

#include <pthread.h>

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
    /* Replaced by a reload (SIGHUP): a request reads it once and uses it
     * until it is answered; see server.c, "reload". */
    _Atomic(const config *) cfg;
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
    /* Bumped after every commit of this node's writer and by other nodes'
     * "people" notices: cached sessions and layers read before are stale
     * (session_read.c). */
    _Atomic uint64_t people_gen;
    ratelimit *limits;
    struct stream_list *streams; /* one per loop, see stream.c */
    const server_product *product;
    bool product_started; /* its start hook was called: its stop hook runs at exit */
    int fail_after;
    int64_t started_at;
    struct retired_config *retired; /* configs replaced by reloads, freed at exit */
    /* The config in force (cfg, above) is base_cfg (the file, environment
     * and flags, replaced by a reload) with the product's overlay
     * (server_product.config_overlay) set on it. Changes of either are
     * made under config_mu (server_config_lock), which serialises reloads. */
    _Atomic(const config *) base_cfg;
    const config *start_cfg; /* the caller's, never freed here */
    pthread_mutex_t config_mu;
    pthread_t main_thread;     /* woken by SIGUSR2 (server_wake) */
    atomic_bool loops_running; /* quiesce_loops waits for them only then */
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

/* A request as the server holds it: first the part handlers see (req),
 * then the loop's own fields. http.c allocates it; rf() turns the req a
 * handler passes back into it. */
typedef struct req_full {
    req pub;
    struct evhttp_request *ev;
    app *app;
    loop *lp;
    struct evkeyvalq *qs; /* parsed query, owned; see req_query */
    bool vary_origin;     /* its route answers with Vary: Origin (ROUTE_VARY_ORIGIN) */
    /* The shared rate-limit buckets a write job of this request must also
     * take a token from on the writer, so that several nodes count together:
     * the per-address write bucket and the class's own (auth, comment,
     * flag), n_shared of them. */
    struct {
        char key[96];
        double per_minute, burst;
    } shared[3];
    int n_shared;
} req_full;

static inline req_full *
rf(req *r)
{
    return (req_full *)r;
}

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
 * connection counts (stream.c counts it as a stream) and gets the socket
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

/* stream.c (loop thread): sends the keep-alive comment when it is due and
 * ends streams past their lifetime; ends every stream of the loop
 * (shutdown); the size of one loop's stream list, for app->streams. */
void stream_heartbeat(loop *lp, int64_t now_ms);
void stream_close_all(loop *lp);
size_t stream_list_size(void);

/* Sends 429 rate_limited with Retry-After. */
void req_send_rate_limited(req *r, int retry_after_s);

/* The request is answered: frees its arena and counts it out. */
void req_finish(req *r);

#endif
