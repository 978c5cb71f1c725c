/* server/server.c: start-up, threads, connection admission and shutdown.
 *
 * server_run opens the writer store first (it applies migrations), then one
 * read-only store per loop, binds the listening socket once and lets every
 * loop accept from it. The main thread only waits for SIGTERM/SIGINT; then it
 * stops accepting, waits for in-flight requests to be answered (bounded),
 * flushes the writer queue and closes the stores, so nothing acknowledged
 * is lost and nothing half-written is left.
 */
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
#include <sys/un.h>
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
        char shown[64];
        server_log_addr(a, ip, shown, sizeof shown);
        log_warn("msg=\"connection refused: too many from one address\" client=%s", shown);
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

/* ---- settings ----------------------------------------------------------- */

int
server_check_config(const config *cfg, const server_product *product, pl_error *err)
{
    pl_error e;
    if (!server_listen_valid(cfg->listen))
        return pl_errorf(err, PL_EINVAL,
                         "listen: '%s' is not HOST:PORT with a port from 0 to 65535", cfg->listen);
    if (store_url_check(cfg->db, &e) < 0)
        return pl_errorf(err, PL_EINVAL, "db: %s", e.msg);
    if (product != NULL && product->check_config != NULL && product->check_config(cfg, &e) < 0)
        return pl_errorf(err, PL_EINVAL, "%s", e.msg);
    return 0;
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

int
server_bind(const char *addr_s, int *fd_out, char *url, size_t url_n)
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

void
server_log_addr(const app *a, const char *ip, char *out, size_t n)
{
    const char *mode = a->cfg->log_addresses;
    if (strcmp(mode, "full") == 0) {
        snprintf(out, n, "%s", ip);
        return;
    }
    if (strcmp(mode, "network") != 0) {
        snprintf(out, n, "-");
        return;
    }
    unsigned char b[16];
    char text[INET6_ADDRSTRLEN];
    if (inet_pton(AF_INET, ip, b) == 1) {
        b[3] = 0;
        inet_ntop(AF_INET, b, text, sizeof text);
        snprintf(out, n, "%s/24", text);
    } else if (inet_pton(AF_INET6, ip, b) == 1) {
        memset(b + 6, 0, 10);
        inet_ntop(AF_INET6, b, text, sizeof text);
        snprintf(out, n, "%s/48", text);
    } else {
        snprintf(out, n, "-");
    }
}

/* ---- loops ------------------------------------------------------------- */

static void
sweep_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    http_sweep(arg);
    stream_heartbeat(arg, time_now_ms());
}

static int
loop_init(app *a, loop *lp, int index)
{
    pl_error err;
    lp->app = a;
    lp->index = index;
    lp->metrics = xcalloc(1, sizeof *lp->metrics);
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
    return session_read_init(lp);
}

static void
loop_fini(loop *lp)
{
    if (lp->sweep)
        event_free(lp->sweep);
    session_read_fini(lp);
    /* evhttp first: freeing its connections calls our close callbacks,
     * which still need the tracking records that http_conns_free drops. */
    if (lp->http)
        evhttp_free(lp->http); /* frees the bound listener too */
    http_conns_free(lp);
    /* A stream whose connection closed just before the loop stopped has its
     * detached request's free still queued (stream.c, closed_cb): run what
     * is queued, so nothing is left for event_base_free to drop. */
    if (lp->base)
        event_base_loop(lp->base, EVLOOP_NONBLOCK);
    for (int i = 0; i < lp->nspare; i++)
        arena_free(lp->spare[i]);
    lp->nspare = 0;
    if (lp->base)
        event_base_free(lp->base);
    store_close(lp->reader);
    free(lp->metrics);
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
    stream_close_all(lp);
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

/* ---- systemd notifications (Type=notify) ----------------------------------- */

/* The notification protocol is one datagram to the socket named in
 * NOTIFY_SOCKET; doing it here spares the server libsystemd and the
 * compression and crypto libraries it would load. No-op outside systemd. */
static void
notify(const char *msg)
{
    const char *path = getenv("NOTIFY_SOCKET");
    if (path == NULL || (path[0] != '/' && path[0] != '@'))
        return;
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    size_t n = strlen(path);
    if (n >= sizeof sa.sun_path)
        return;
    memcpy(sa.sun_path, path, n);
    if (sa.sun_path[0] == '@')
        sa.sun_path[0] = '\0'; /* abstract namespace */
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return;
    if (sendto(fd, msg, strlen(msg), MSG_NOSIGNAL, (struct sockaddr *)&sa,
               (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n)) < 0)
        log_warn_errno("msg=\"cannot notify systemd\"");
    close(fd);
}

static void
notify_reloading(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    char msg[96];
    snprintf(msg, sizeof msg, "RELOADING=1\nMONOTONIC_USEC=%llu",
             (unsigned long long)ts.tv_sec * 1000000ULL + (unsigned long long)ts.tv_nsec / 1000);
    notify(msg);
}

/* The watchdog interval systemd asks for (WATCHDOG_USEC), in ms; 0: none. */
static int64_t
watchdog_ms(void)
{
    const char *usec = getenv("WATCHDOG_USEC"), *pid = getenv("WATCHDOG_PID");
    int64_t us = 0, p = 0;
    if (usec == NULL || parse_int(usec, 1, INT64_MAX / 2, &us) < 0)
        return 0;
    if (pid != NULL && (parse_int(pid, 1, INT64_MAX, &p) < 0 || p != (int64_t)getpid()))
        return 0;
    return us / 1000 > 0 ? us / 1000 : 1;
}

/* ---- reload (SIGHUP) ------------------------------------------------------ */

/* Settings bound at start (sockets, threads, the database, limits evhttp and
 * the connection table were sized with, the origins parsed once): a reload
 * keeps their running values and says a restart is needed. */
static const char *const restart_only[] = {"listen",
                                           "db",
                                           "threads",
                                           "metrics_listen",
                                           "public_url",
                                           "allowed_origins",
                                           "max_body",
                                           "max_header",
                                           "request_timeout_ms",
                                           "max_connections",
                                           "max_connections_per_ip",
                                           "commit_batch",
                                           NULL};

typedef struct reload_diff {
    const server_product *product;
    char changed[1024];
    char restart[512];
} reload_diff;

static void
append_name(char *buf, size_t n, const char *name)
{
    size_t len = strlen(buf);
    if (len + strlen(name) + 2 < n)
        snprintf(buf + len, n - len, "%s%s", len ? "," : "", name);
}

static void
note_change(const char *name, void *arg)
{
    reload_diff *d = arg;
    /* The product's settings it takes at start only. */
    if (d->product->restart_only != NULL && d->product->restart_only(name)) {
        append_name(d->restart, sizeof d->restart, name);
        return;
    }
    for (const char *const *p = restart_only; *p; p++)
        if (strcmp(*p, name) == 0) {
            append_name(d->restart, sizeof d->restart, name);
            return;
        }
    append_name(d->changed, sizeof d->changed, name);
}

static void
ack_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    atomic_fetch_add((atomic_int *)arg, 1);
}

/* Waits until every loop has finished the callback it was running: after
 * that no request handler can still hold a pointer it read before. Jobs
 * never keep the memory of the product's part (the product copies what it
 * needs into the request's arena), so the loops are the only readers. False if a loop did
 * not answer within 10 s (the caller then keeps the old data). */
static bool
quiesce_loops(app *a, int64_t within_ms)
{
    /* Before the loops run (the product's start), nothing can hold it. */
    if (!atomic_load(&a->loops_running))
        return true;
    /* The counter outlives a late answer: a loop that answers after the
     * deadline still writes to it. */
    atomic_int *acks = xcalloc(1, sizeof *acks);
    for (int i = 0; i < a->nloops; i++)
        event_base_once(a->loops[i].base, -1, EV_TIMEOUT, ack_cb, acks, NULL);
    int64_t deadline = time_now_ms() + within_ms;
    while (atomic_load(acks) < a->nloops) {
        if (time_now_ms() > deadline)
            return false; /* acks is left allocated on purpose (see above) */
        struct timespec ts = {0, 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    free(acks);
    return true;
}

/* Keeps c until exit unless it is the caller's (see reload). Under
 * config_mu. */
static void
retire(app *a, const config *c)
{
    if (c == NULL || c == a->start_cfg)
        return;
    for (retired_config *r = a->retired; r != NULL; r = r->next)
        if (r->cfg == c)
            return;
    retired_config *rc = xcalloc(1, sizeof *rc);
    rc->cfg = (config *)c;
    rc->next = a->retired;
    a->retired = rc;
}

/* Builds what a config brings with it: the product's part (its
 * reload_build). */
static int
build_for(app *a, const config *cfg, const void *arg, void **staged, pl_error *err)
{
    const server_product *p = a->product;
    *staged = NULL;
    if (p->reload_build != NULL)
        return p->reload_build(p->ctx, cfg, arg, staged, err);
    return 0;
}

/* Publishes a config in force and what build_for made for it (atomic
 * pointers), waits for the loops and frees the product's old part; the old
 * config is retired. Under config_mu. */
static void
swap_in(app *a, const config *cfg, void *staged)
{
    const server_product *p = a->product;
    const config *old = atomic_load(&a->cfg);
    if (old != atomic_load(&a->base_cfg))
        retire(a, old);
    atomic_store(&a->cfg, cfg);
    void *old_product = p->reload_publish != NULL ? p->reload_publish(p->ctx, staged) : NULL;
    if (quiesce_loops(a, 10000)) {
        if (p->reload_release != NULL)
            p->reload_release(p->ctx, old_product);
    } else {
        log_warn("msg=\"a loop did not answer; the product's old part is kept in memory\"");
    }
}

/* The product's overlay of base (base itself without one). Under
 * config_mu. */
static int
overlay(app *a, const config *base, const config **eff, pl_error *err)
{
    const server_product *p = a->product;
    config *c = NULL;
    *eff = base;
    if (p->config_overlay != NULL && p->config_overlay(p->ctx, base, &c, err) != 0)
        return -1;
    if (c != NULL)
        *eff = c;
    return 0;
}

static void
free_config(const config *c)
{
    config_fini((config *)c);
    free((config *)c);
}

void
server_config_lock(app *a)
{
    pthread_mutex_lock(&a->config_mu);
}

void
server_config_unlock(app *a)
{
    pthread_mutex_unlock(&a->config_mu);
}

const config *
server_base_config(const app *a)
{
    return atomic_load(&a->base_cfg);
}

struct server_config_set {
    config *cfg;
    void *staged; /* the product's part (its reload_build) */
};

int
server_config_build(app *a, config *eff, const void *arg, server_config_set **out, pl_error *err)
{
    void *staged;
    *out = NULL;
    int rc = build_for(a, eff, arg, &staged, err);
    if (rc < 0) {
        free_config(eff);
        return rc;
    }
    server_config_set *set = xcalloc(1, sizeof *set);
    set->cfg = eff;
    set->staged = staged;
    *out = set;
    return 0;
}

void
server_config_publish(app *a, server_config_set *set)
{
    swap_in(a, set->cfg, set->staged);
    free(set);
}

void
server_config_set_free(app *a, server_config_set *set)
{
    if (set == NULL)
        return;
    const server_product *p = a->product;
    if (set->staged != NULL && p->reload_release != NULL)
        p->reload_release(p->ctx, set->staged);
    free_config(set->cfg);
    free(set);
}

const config *
server_config_set_config(const server_config_set *set)
{
    return set->cfg;
}

void *
server_config_set_product(const server_config_set *set)
{
    return set->staged;
}

void
server_wake(app *a)
{
    pthread_kill(a->main_thread, SIGUSR2);
}

void
server_sessions_changed(app *a)
{
    atomic_fetch_add(&a->people_gen, 1);
}

/* Re-reads the config (file, environment, flags, as at start) and the
 * product's part (its reload_build), with the product's overlay (the
 * settings edited in the desk) set on top. All are built first; any failure
 * keeps everything running as it was and logs why. Then the new ones are
 * published (atomic pointers), the loops are waited for, and the product's
 * old part is freed. Old configs are kept until exit (a few
 * hundred bytes each): the writer thread may be reading one for a job in
 * progress. */
static void
reload(app *a, const server_options *opts)
{
    char why[512] = "";
    pl_error err;
    config *nc = NULL;
    if (opts->reload == NULL || opts->reload(&nc, opts->reload_arg, why, sizeof why) != 0) {
        log_warn("msg=\"reload failed; the running settings stay\" error=\"%s\"",
                 why[0] ? why : "no config to reload");
        return;
    }
    pthread_mutex_lock(&a->config_mu);
    const config *old = atomic_load(&a->base_cfg);
    reload_diff d = {a->product, "", ""};
    config_diff(old, nc, note_change, &d);
    for (const char *const *p = restart_only; *p; p++)
        config_copy_setting(nc, old, *p);
    int lvl = log_level_parse(nc->log_level);
    const config *eff = NULL;
    void *staged = NULL;
    if (lvl < 0) {
        log_warn("msg=\"reload failed; the running settings stay\" error=\"bad log_level\"");
    } else if (overlay(a, nc, &eff, &err) < 0) {
        log_warn("msg=\"reload failed; the running settings stay\" error=\"%s\"", err.msg);
    } else if (build_for(a, eff, NULL, &staged, &err) < 0) {
        log_warn("msg=\"reload failed; the running settings stay\" error=\"%s\"", err.msg);
        if (eff != nc)
            free_config(eff);
    } else {
        atomic_store(&a->base_cfg, nc);
        swap_in(a, eff, staged);
        retire(a, old);
        log_level = lvl;
        pthread_mutex_unlock(&a->config_mu);
        if (d.restart[0])
            log_warn("msg=\"settings changed that need a restart; they keep their running "
                     "values\" settings=\"%s\"",
                     d.restart);
        const char *note = a->product->reload_note;
        log_info("msg=reloaded changed=\"%s\"%s%s", d.changed, note != NULL ? " " : "",
                 note != NULL ? note : "");
        return;
    }
    pthread_mutex_unlock(&a->config_mu);
    free_config(nc);
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

/* Stops the helper threads that started and frees everything server_run
 * made, whichever step it reached. start_cfg is the caller's config. */
static void
app_free(app *a, const config *start_cfg)
{
    metrics_stop(a);
    if (a->product_started && a->product->stop != NULL)
        a->product->stop(a->product->ctx);
    if (a->loops)
        for (int i = 0; i < a->nloops; i++)
            loop_fini(&a->loops[i]);
    free(a->loops);
    free(a->streams);
    if (a->listen_fd >= 0)
        close(a->listen_fd);
    store_close(a->writer_store);
    const config *cur = atomic_load(&a->cfg), *base = atomic_load(&a->base_cfg);
    if (cur != NULL && cur != start_cfg && cur != base) {
        config_fini((config *)cur);
        free((config *)cur);
    }
    if (base != NULL && base != start_cfg) {
        config_fini((config *)base);
        free((config *)base);
    }
    pthread_mutex_destroy(&a->config_mu);
    while (a->retired != NULL) {
        retired_config *next = a->retired->next;
        config_fini(a->retired->cfg);
        free(a->retired->cfg);
        free(a->retired);
        a->retired = next;
    }
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
}

/* Drain: waits (at most limit_ms) until every received request has been
 * answered. */
static void
wait_inflight(app *a, int64_t limit_ms)
{
    int64_t deadline = time_now_ms() + limit_ms;
    for (;;) {
        int busy = 0;
        for (int i = 0; i < a->nloops; i++)
            busy += atomic_load(&a->loops[i].inflight);
        if (busy == 0 || time_now_ms() > deadline) {
            if (busy)
                log_warn("msg=\"drain deadline passed\" inflight=%d", busy);
            return;
        }
        struct timespec ts = {0, 5 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

/* The main thread once the server runs: waits for signals, reloads on
 * SIGHUP, runs the product's tick on SIGUSR2 (server_wake) and every
 * settings_poll_ms (the config in force, so a reload changes it), feeds the
 * systemd watchdog; returns SIGTERM or SIGINT. */
static int
main_loop(app *a, const server_options *opts, const sigset_t *sigs)
{
    /* With a systemd watchdog, the main thread pings it at half the
     * interval, but only while every event loop still answers. */
    int64_t wd = watchdog_ms();
    int sig = 0;
    const server_product *p = a->product;
    for (;;) {
        int64_t tick = atomic_load(&a->cfg)->settings_poll_ms;
        int64_t wait = wd > 0 && wd / 2 < tick ? wd / 2 : tick;
        struct timespec ts = {(time_t)(wait / 1000), (long)(wait % 1000) * 1000000L};
        sig = sigtimedwait(sigs, NULL, &ts);
        if (sig < 0) {
            if (wd > 0) {
                if (quiesce_loops(a, wd / 2))
                    notify("WATCHDOG=1");
                else
                    log_warn("msg=\"an event loop is not answering; watchdog not fed\"");
            }
            if (p->tick != NULL)
                p->tick(p->ctx);
            continue;
        }
        if (sig == SIGUSR2) {
            if (p->tick != NULL)
                p->tick(p->ctx);
            continue;
        }
        if (sig != SIGHUP)
            break;
        notify_reloading();
        reload(a, opts);
        notify("READY=1\nSTATUS=listening");
    }
    return sig;
}

int
server_run(const server_options *opts)
{
    const config *cfg = opts->cfg;
    app *a = xcalloc(1, sizeof *a);
    int rc = 1;
    pl_error err;
    sigset_t sigs;

    atomic_store(&a->cfg, cfg);
    atomic_store(&a->base_cfg, cfg);
    a->start_cfg = cfg;
    a->main_thread = pthread_self();
    pthread_mutex_init(&a->config_mu, NULL);
    a->listen_fd = -1;
    a->metrics_fd = -1;
    a->version = opts->version;
    a->origin_check = opts->origin_check;
    a->product = opts->product;
    a->metrics.started_ms = time_now_ms();
    a->fail_after = opts->fail_after;
    a->started_at = time_now_ms();
    addr_table_init(&a->conn_ips, cfg->max_connections);
    addr_table_init(&a->stream_ips, cfg->max_streams);
    queue_init(&a->writes);
    queue_init(&a->slow);
    parse_origins(a);
    raise_fd_limit();
    a->limits = ratelimit_new();

    /* Signals are taken by sigwait in this thread only; block them before any
     * thread starts so the others inherit the mask. SIGPIPE is ignored: a
     * client that hangs up must not kill the server. */
    signal(SIGPIPE, SIG_IGN);
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGHUP);
    sigaddset(&sigs, SIGUSR2); /* server_wake: the product's tick at once */
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);

    if (evthread_use_pthreads() != 0) {
        log_error("msg=\"libevent has no thread support\"");
        goto out;
    }
    char db_shown[512];
    text_redact_url(cfg->db, db_shown, sizeof db_shown);
    if (store_open(cfg->db, false, &a->writer_store, &err) < 0) {
        log_error("msg=\"cannot open the database\" db=\"%s\" error=\"%s\"", db_shown, err.msg);
        goto out;
    }
    char url[128];
    if (server_bind(cfg->listen, &a->listen_fd, url, sizeof url) < 0)
        goto out;

    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    a->nloops = cfg->threads > 0 ? (int)cfg->threads : (ncpu > 0 ? (int)ncpu : 1);
    a->loops = xcalloc((size_t)a->nloops, sizeof *a->loops);
    a->streams = xcalloc((size_t)a->nloops, stream_list_size());
    for (int i = 0; i < a->nloops; i++)
        if (loop_init(a, &a->loops[i], i) < 0)
            goto out;

    if (metrics_product_slots(a) < 0 || metrics_start(a) < 0)
        goto out;
    /* The product's part: from here on its stop hook runs at exit, whatever
     * it reached. */
    a->product_started = true;
    if (a->product->start != NULL && a->product->start(a->product->ctx, a, a->writer_store) != 0)
        goto out;
    /* The test hook counts the writer's calls from here: what the
     * product's start writes is not counted. */
    if (a->fail_after > 0)
        store_fail_after(a->writer_store, a->fail_after);
    pthread_create(&a->writer_thread, NULL, writer_main, a);
    pthread_create(&a->slow_thread, NULL, slow_main, a);
    atomic_store(&a->loops_running, true);
    for (int i = 0; i < a->nloops; i++)
        pthread_create(&a->loops[i].thread, NULL, loop_main, &a->loops[i]);
    log_info("msg=listening url=%s threads=%d db=\"%s\" version=%s assets=%s", url, a->nloops,
             db_shown, opts->version ? opts->version : "?",
             opts->assets_version ? opts->assets_version : "?");
    if (a->product->listening != NULL)
        a->product->listening(a->product->ctx);

    notify("READY=1\nSTATUS=listening");
    int sig = main_loop(a, opts, &sigs);
    notify("STOPPING=1");
    log_info("msg=\"shutting down\" signal=%s", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    atomic_store(&a->draining, true);
    for (int i = 0; i < a->nloops; i++)
        event_base_once(a->loops[i].base, -1, EV_TIMEOUT, stop_accepting_cb, &a->loops[i], NULL);

    wait_inflight(a, 10000);
    /* Logins waiting on a provider hand their jobs on first; then let writes
     * already queued commit before the writer stops. */
    if (a->product->drain != NULL)
        a->product->drain(a->product->ctx);
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
    app_free(a, opts->cfg);
    return rc;
}
