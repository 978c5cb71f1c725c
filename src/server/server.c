/* server/server.c: start-up, threads, connection admission and shutdown.
 *
 * server_run opens the writer store first (it applies migrations), then one
 * read-only store per loop, binds the listening socket once and lets every
 * loop accept from it. The main thread only waits for SIGTERM/SIGINT; then it
 * stops accepting, waits for in-flight requests to be answered (bounded),
 * flushes the writer queue and closes the stores, so nothing acknowledged
 * is lost and nothing half-written is left.
 */
#include "server/events_int.h"
#include "server/pages.h"
#include "server/server_int.h"
#include "util/log.h"
#include "util/text.h"
#include "util/xalloc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/listener.h>
#include <event2/thread.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* ---- per-address counts of connections and streams --------------------- */

typedef struct ip_count {
    char ip[INET6_ADDRSTRLEN];
    long n; /* 0: free slot; -1: tombstone */
} ip_count;

static void
addr_table_init(addr_table *t, int64_t expected)
{
    t->cap = 1;
    while (t->cap < (size_t)expected * 2 && t->cap < (1u << 22))
        t->cap <<= 1;
    t->slots = xcalloc(t->cap, sizeof *t->slots);
    pthread_mutex_init(&t->mu, NULL);
}

static void
addr_table_fini(addr_table *t)
{
    if (t->slots == NULL)
        return;
    pthread_mutex_destroy(&t->mu);
    free(t->slots);
    t->slots = NULL;
}

static ip_count *
ip_slot(addr_table *t, const char *ip, bool insert)
{
    size_t mask = t->cap - 1;
    ip_count *tomb = NULL;
    for (size_t i = text_hash(ip, strlen(ip)) & mask, k = 0; k < t->cap; i = (i + 1) & mask, k++) {
        ip_count *c = &t->slots[i];
        if (c->n == 0)
            return insert ? (tomb ? tomb : c) : NULL;
        if (c->n < 0) {
            if (tomb == NULL)
                tomb = c;
            continue;
        }
        if (strcmp(c->ip, ip) == 0)
            return c;
    }
    return insert ? tomb : NULL;
}

/* Counts one more for ip unless it already holds limit; false then (or when
 * the table is full: more distinct clients than the total allows). */
static bool
addr_take(addr_table *t, const char *ip, int64_t limit)
{
    pthread_mutex_lock(&t->mu);
    ip_count *c = ip_slot(t, ip, false);
    bool ok = true;
    if (c != NULL && c->n >= limit) {
        ok = false;
    } else if (c != NULL) {
        c->n++;
    } else if ((c = ip_slot(t, ip, true)) != NULL) {
        snprintf(c->ip, sizeof c->ip, "%s", ip);
        c->n = 1;
    } else {
        ok = false;
    }
    pthread_mutex_unlock(&t->mu);
    return ok;
}

static void
addr_give(addr_table *t, const char *ip)
{
    pthread_mutex_lock(&t->mu);
    ip_count *c = ip_slot(t, ip, false);
    if (c != NULL && --c->n == 0)
        c->n = -1;
    pthread_mutex_unlock(&t->mu);
}

/* Takes one of limit from *total; false when all are taken. */
static bool
total_take(atomic_long *total, int64_t limit)
{
    if (atomic_fetch_add(total, 1) + 1 > limit) {
        atomic_fetch_sub(total, 1);
        return false;
    }
    return true;
}

bool
app_is_proxy(const app *a, const char *ip)
{
    return a->cfg->trusted_proxy[0] != '\0' && strcmp(ip, a->cfg->trusted_proxy) == 0;
}

bool
app_conn_admit(app *a, const char *ip)
{
    if (!total_take(&a->conns_total, a->cfg->max_connections)) {
        log_warn("msg=\"connection refused: server full\" limit=%lld",
                 (long long)a->cfg->max_connections);
        return false;
    }
    /* The trusted proxy carries every reader's requests: its connections
     * count toward the total only (each reader's streams are counted by the
     * address it forwards, app_stream_admit). */
    if (app_is_proxy(a, ip))
        return true;
    if (!addr_take(&a->conn_ips, ip, a->cfg->max_connections_per_ip)) {
        atomic_fetch_sub(&a->conns_total, 1);
        log_warn("msg=\"connection refused: too many from one address\" client=%s", ip);
        return false;
    }
    return true;
}

void
app_conn_release(app *a, const char *ip)
{
    atomic_fetch_sub(&a->conns_total, 1);
    if (!app_is_proxy(a, ip))
        addr_give(&a->conn_ips, ip);
}

int
app_stream_admit(app *a, const char *client)
{
    if (!total_take(&a->streams_total, a->cfg->max_streams)) {
        log_warn("msg=\"stream refused: server full\" limit=%lld", (long long)a->cfg->max_streams);
        return STREAM_SERVER_FULL;
    }
    if (!addr_take(&a->stream_ips, client, a->cfg->max_streams_per_client)) {
        atomic_fetch_sub(&a->streams_total, 1);
        log_warn("msg=\"stream refused: too many from one client\" client=%s", client);
        return STREAM_CLIENT_FULL;
    }
    return STREAM_OK;
}

void
app_stream_release(app *a, const char *client)
{
    atomic_fetch_sub(&a->streams_total, 1);
    addr_give(&a->stream_ips, client);
}

/* ---- listening --------------------------------------------------------- */

static int
split_host_port(const char *listen, char *host, size_t hn, char *port, size_t pn)
{
    const char *colon = strrchr(listen, ':');
    if (colon == NULL || colon == listen)
        return PL_EINVAL;
    const char *h = listen;
    size_t len = (size_t)(colon - listen);
    if (h[0] == '[' && len >= 2 && h[len - 1] == ']') {
        h++;
        len -= 2;
    }
    if (len >= hn || strlen(colon + 1) >= pn || colon[1] == '\0')
        return PL_EINVAL;
    memcpy(host, h, len);
    host[len] = '\0';
    snprintf(port, pn, "%s", colon + 1);
    int64_t p;
    if (parse_int(port, 0, 65535, &p) < 0)
        return PL_EINVAL;
    return 0;
}

bool
server_listen_valid(const char *listen)
{
    char host[256], port[16];
    return split_host_port(listen, host, sizeof host, port, sizeof port) == 0;
}

static int
bind_listen(const char *addr_s, int *fd_out, char *url, size_t url_n)
{
    char host[256], port[16];
    if (split_host_port(addr_s, host, sizeof host, port, sizeof port) < 0) {
        log_error("msg=\"--listen must be HOST:PORT\" value=\"%s\"", addr_s);
        return -1;
    }
    struct addrinfo hints = {0}, *res = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    int gai = getaddrinfo(host, port, &hints, &res);
    if (gai != 0) {
        log_error("msg=\"cannot resolve listen address\" value=\"%s\" error=\"%s\"", addr_s,
                  gai_strerror(gai));
        return -1;
    }
    int fd = socket(res->ai_family, res->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
        bind(fd, res->ai_addr, res->ai_addrlen) < 0 || listen(fd, 1024) < 0) {
        log_error_errno("msg=\"cannot listen\" address=\"%s\"", addr_s);
        if (fd >= 0)
            close(fd);
        freeaddrinfo(res);
        return -1;
    }
    freeaddrinfo(res);
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    getsockname(fd, (struct sockaddr *)&ss, &sl);
    char addr[INET6_ADDRSTRLEN] = "?";
    int p = 0;
    if (ss.ss_family == AF_INET) {
        struct sockaddr_in *in = (struct sockaddr_in *)&ss;
        inet_ntop(AF_INET, &in->sin_addr, addr, sizeof addr);
        p = ntohs(in->sin_port);
        snprintf(url, url_n, "http://%s:%d", addr, p);
    } else {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
        inet_ntop(AF_INET6, &in6->sin6_addr, addr, sizeof addr);
        p = ntohs(in6->sin6_port);
        snprintf(url, url_n, "http://[%s]:%d", addr, p);
    }
    *fd_out = fd;
    return 0;
}

/* ---- loops ------------------------------------------------------------- */

static void
sweep_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    http_sweep(arg);
    events_heartbeat(arg, time_now_ms());
}

static int
loop_init(app *a, loop *lp, int index)
{
    pl_error err;
    lp->app = a;
    lp->index = index;
    if (store_open(a->cfg->db, true, &lp->reader, &err) < 0) {
        log_error("msg=\"cannot open the database for reading\" error=\"%s\"", err.msg);
        return -1;
    }
    /* The epoll changelist folds the enable/disable pairs evhttp makes around
     * every response into one epoll_ctl (or none) per loop iteration. We
     * never dup() descriptors, the one case the changelist gets wrong. */
    struct event_config *ec = event_config_new();
    if (ec != NULL)
        event_config_set_flag(ec, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
    lp->base = ec != NULL ? event_base_new_with_config(ec) : NULL;
    event_config_free(ec);
    lp->http = evhttp_new(lp->base);
    if (lp->base == NULL || lp->http == NULL) {
        log_error("msg=\"cannot create an event loop\"");
        return -1;
    }
    /* Bodies above max_body get our JSON 413 from http.c; evhttp's own cap,
     * four times higher (at least 1 MiB), only stops floods early. */
    int64_t hard = a->cfg->max_body * 4 < 1048576 ? 1048576 : a->cfg->max_body * 4;
    evhttp_set_max_body_size(lp->http, hard);
    evhttp_set_max_headers_size(lp->http, a->cfg->max_header);
    evhttp_set_timeout(lp->http, (int)((a->cfg->request_timeout_ms + 999) / 1000) * 6);
    evhttp_set_allowed_methods(lp->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_PUT |
                                             EVHTTP_REQ_PATCH | EVHTTP_REQ_DELETE |
                                             EVHTTP_REQ_HEAD | EVHTTP_REQ_OPTIONS);
    evhttp_set_gencb(lp->http, http_handle, lp);
    evhttp_set_bevcb(lp->http, http_new_bufferevent, lp);
    lp->listener = evconnlistener_new(lp->base, NULL, NULL, 0, -1, a->listen_fd);
    if (lp->listener == NULL || evhttp_bind_listener(lp->http, lp->listener) == NULL) {
        log_error("msg=\"cannot attach the listening socket\"");
        return -1;
    }
    lp->sweep = event_new(lp->base, -1, EV_PERSIST, sweep_cb, lp);
    struct timeval tv = {0, 250000};
    event_add(lp->sweep, &tv);
    return 0;
}

static void
loop_fini(loop *lp)
{
    if (lp->sweep)
        event_free(lp->sweep);
    /* evhttp first: freeing its connections calls our close callbacks,
     * which still need the tracking records that http_conns_free drops. */
    if (lp->http)
        evhttp_free(lp->http); /* frees the bound listener too */
    http_conns_free(lp);
    for (int i = 0; i < lp->nspare; i++)
        arena_free(lp->spare[i]);
    lp->nspare = 0;
    if (lp->base)
        event_base_free(lp->base);
    store_close(lp->reader);
}

static void *
loop_main(void *arg)
{
    loop *lp = arg;
    event_base_loop(lp->base, EVLOOP_NO_EXIT_ON_EMPTY);
    return NULL;
}

static void
stop_accepting_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    loop *lp = arg;
    if (lp->listener)
        evconnlistener_disable(lp->listener);
}

static void
exit_loop_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    loop *lp = arg;
    events_close_all(lp);
    event_base_loopbreak(lp->base);
}

static void
parse_origins(app *a)
{
    const config *c = a->cfg;
    if (c->public_url[0] != '\0') {
        /* Keep scheme://host[:port] only. */
        const char *p = strstr(c->public_url, "://");
        const char *end = p ? strchr(p + 3, '/') : NULL;
        a->origin =
            end ? xstrndup(c->public_url, (size_t)(end - c->public_url)) : xstrdup(c->public_url);
    }
    char *copy = xstrdup(c->allowed_origins), *save = NULL;
    for (char *t = strtok_r(copy, " ,", &save); t; t = strtok_r(NULL, " ,", &save)) {
        a->allowed_origins =
            xrealloc(a->allowed_origins, (a->n_allowed + 1) * sizeof *a->allowed_origins);
        a->allowed_origins[a->n_allowed++] = xstrdup(t);
    }
    free(copy);
}

static void
raise_fd_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

int
server_run(const server_options *opts)
{
    const config *cfg = opts->cfg;
    app *a = xcalloc(1, sizeof *a);
    int rc = 1;
    pl_error err;
    sigset_t sigs;

    a->cfg = cfg;
    a->listen_fd = -1;
    a->fail_after = opts->fail_after;
    a->started_at = time_now_ms();
    addr_table_init(&a->conn_ips, cfg->max_connections);
    addr_table_init(&a->stream_ips, cfg->max_streams);
    queue_init(&a->writes);
    queue_init(&a->slow);
    parse_origins(a);
    raise_fd_limit();
    a->cache = cache_new(4096, 4 << 20);
    a->limits = ratelimit_new();

    /* Signals are taken by sigwait in this thread only; block them before any
     * thread starts so the others inherit the mask. SIGPIPE is ignored: a
     * client that hangs up must not kill the server. */
    signal(SIGPIPE, SIG_IGN);
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);

    if (evthread_use_pthreads() != 0) {
        log_error("msg=\"libevent has no thread support\"");
        goto out;
    }
    if (pages_init(a, &err) < 0) {
        log_error("msg=\"cannot load the pages\" error=\"%s\"", err.msg);
        goto out;
    }
    if (moderation_new(cfg, &a->mod, &err) < 0) {
        log_error("msg=\"cannot load the moderation engine\" error=\"%s\"", err.msg);
        goto out;
    }
    if (store_open(cfg->db, false, &a->writer_store, &err) < 0) {
        log_error("msg=\"cannot open the database\" db=\"%s\" error=\"%s\"", cfg->db, err.msg);
        goto out;
    }
    if (pages_seed_demo(a, a->writer_store, &err) < 0)
        log_warn("msg=\"cannot store the demo article's text\" error=\"%s\"", err.msg);
    if (a->fail_after > 0)
        store_fail_after(a->writer_store, a->fail_after);
    char url[128];
    if (bind_listen(cfg->listen, &a->listen_fd, url, sizeof url) < 0)
        goto out;

    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    a->nloops = cfg->threads > 0 ? (int)cfg->threads : (ncpu > 0 ? (int)ncpu : 1);
    a->loops = xcalloc((size_t)a->nloops, sizeof *a->loops);
    a->streams = xcalloc((size_t)a->nloops, events_list_size());
    for (int i = 0; i < a->nloops; i++)
        if (loop_init(a, &a->loops[i], i) < 0)
            goto out;

    if (notices_start(a) < 0)
        goto out;
    if (webhooks_start(cfg, &a->hooks, &err) < 0) {
        log_error("msg=\"cannot start the webhook sender\" error=\"%s\"", err.msg);
        goto out;
    }
    pthread_create(&a->writer_thread, NULL, writer_main, a);
    pthread_create(&a->slow_thread, NULL, slow_main, a);
    for (int i = 0; i < a->nloops; i++)
        pthread_create(&a->loops[i].thread, NULL, loop_main, &a->loops[i]);
    log_info("msg=listening url=%s threads=%d db=\"%s\"", url, a->nloops, cfg->db);

    int sig = 0;
    sigwait(&sigs, &sig);
    log_info("msg=\"shutting down\" signal=%s", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    atomic_store(&a->draining, true);
    for (int i = 0; i < a->nloops; i++)
        event_base_once(a->loops[i].base, -1, EV_TIMEOUT, stop_accepting_cb, &a->loops[i], NULL);

    /* Drain: wait (bounded) until every received request has been answered. */
    int64_t deadline = time_now_ms() + 10000;
    for (;;) {
        int busy = 0;
        for (int i = 0; i < a->nloops; i++)
            busy += atomic_load(&a->loops[i].inflight);
        if (busy == 0 || time_now_ms() > deadline) {
            if (busy)
                log_warn("msg=\"drain deadline passed\" inflight=%d", busy);
            break;
        }
        struct timespec ts = {0, 5 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    /* Let writes already queued commit before the writer stops. */
    queue_close(&a->slow);
    pthread_join(a->slow_thread, NULL);
    queue_close(&a->writes);
    pthread_join(a->writer_thread, NULL);
    for (int i = 0; i < a->nloops; i++) {
        event_base_once(a->loops[i].base, -1, EV_TIMEOUT, exit_loop_cb, &a->loops[i], NULL);
        pthread_join(a->loops[i].thread, NULL);
    }
    rc = 0;
    log_info("msg=stopped");
out:
    webhooks_stop(a->hooks);
    notices_stop(a);
    if (a->loops)
        for (int i = 0; i < a->nloops; i++)
            loop_fini(&a->loops[i]);
    free(a->loops);
    free(a->streams);
    if (a->listen_fd >= 0)
        close(a->listen_fd);
    store_close(a->writer_store);
    moderation_free(a->mod);
    pages_fini(a);
    cache_free(a->cache);
    ratelimit_free(a->limits);
    queue_fini(&a->writes);
    queue_fini(&a->slow);
    addr_table_fini(&a->conn_ips);
    addr_table_fini(&a->stream_ips);
    free(a->origin);
    for (size_t i = 0; i < a->n_allowed; i++)
        free(a->allowed_origins[i]);
    free(a->allowed_origins);
    free(a);
    return rc;
}
