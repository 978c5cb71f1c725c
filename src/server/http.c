/* server/http.c: from bytes on a socket to a routed request, and back.
 *
 * Limits are enforced where bytes arrive. evhttp caps header and body sizes;
 * on top of it this file counts connections (in total and per client
 * address, app_conn_admit), keeps a whole-request deadline per connection
 * (evhttp's own timeout restarts with every byte, so a client trickling one
 * byte a second would never time out: the sweep shuts down any connection
 * whose request is not complete within request_timeout_ms), refuses
 * conflicting Content-Length headers, and answers bodies over max_body with
 * the API's JSON 413.
 *
 * Connection tracking: evhttp has no accept hook in libevent 2.1, but it asks
 * us for each connection's bufferevent (evhttp_set_bevcb). We keep a
 * reference to it, so the struct and its descriptor stay valid until we let
 * go; evhttp clears its callbacks when it frees the connection, which the
 * sweep notices.
 */
#include "server/server_int.h"
#include "util/json_out.h"
#include "util/log.h"
#include "util/text.h"
#include "util/xalloc.h"

#include <arpa/inet.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/util.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <time.h>

struct conn {
    conn *prev, *next;
    loop *lp;
    struct bufferevent *bev;
    int fd;
    char ip[INET6_ADDRSTRLEN];
    bool registered;
    bool admitted;
    bool refused;
    bool busy;                   /* a request is being handled */
    bool closed;                 /* evhttp closed the connection; only our reference is left */
    void (*on_close)(void *arg); /* a stream's hook (stream.c), or NULL */
    void *on_close_arg;
    int64_t deadline; /* Unix ms by which the next request must be complete */
};

/* fd -> conn, shared by all loops (each loop touches only its own entries;
 * a descriptor belongs to one connection at a time because we hold it open
 * until we drop the entry). */
#define MAX_FD (1 << 20)
/* The most one write call hands the kernel (see http_new_bufferevent). */
#define HTTP_MAX_SINGLE_WRITE (1u << 20)
static _Atomic(conn *) *conn_by_fd;

static void
alloc_table(void)
{
    /* Untouched pages of this table cost no memory. */
    conn_by_fd = xcalloc(MAX_FD, sizeof *conn_by_fd);
}

static void
conn_table_init(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, alloc_table);
}

static void
conn_link(loop *lp, conn *c)
{
    c->next = lp->conns;
    c->prev = NULL;
    if (lp->conns)
        lp->conns->prev = c;
    lp->conns = c;
}

static void
conn_unlink(loop *lp, conn *c)
{
    if (c->prev)
        c->prev->next = c->next;
    else
        lp->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
}

/* Connections are registered lazily: evhttp sets the descriptor right after
 * asking for the bufferevent, so by the next callback it is known. */
static void
conn_register(loop *lp, conn *c)
{
    if (c->registered)
        return;
    c->fd = bufferevent_getfd(c->bev);
    if (c->fd < 0 || c->fd >= MAX_FD)
        return;
    c->registered = true;
    atomic_store(&conn_by_fd[c->fd], c);
    /* Responses go out in one write; without this, Nagle's algorithm and the
     * client's delayed ACK hold the last segment of a large response ~40 ms. */
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    if (getpeername(c->fd, (struct sockaddr *)&ss, &sl) == 0) {
        if (ss.ss_family == AF_INET)
            inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, c->ip, sizeof c->ip);
        else if (ss.ss_family == AF_INET6)
            inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, c->ip, sizeof c->ip);
    }
    if (c->ip[0] == '\0')
        snprintf(c->ip, sizeof c->ip, "unknown");
    c->admitted = app_conn_admit(lp->app, c->ip);
    if (!c->admitted) {
        c->refused = true;
        shutdown(c->fd, SHUT_RDWR);
    }
}

static void
register_pending(loop *lp)
{
    for (conn *c = lp->conns; c != NULL && !c->registered; c = c->next)
        conn_register(lp, c);
}

static void
register_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    register_pending(arg);
}

struct bufferevent *
http_new_bufferevent(struct event_base *base, void *arg)
{
    loop *lp = arg;
    conn_table_init();
    struct bufferevent *bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
    if (bev == NULL)
        return NULL;
    bufferevent_incref(bev);
    /* libevent writes at most 16 KiB per call by default, so a 40 KB thread
     * page took three writev calls and two more trips through epoll. One
     * call hands the kernel the whole response. */
    bufferevent_set_max_single_write(bev, HTTP_MAX_SINGLE_WRITE);
    conn *c = xcalloc(1, sizeof *c);
    c->lp = lp;
    c->bev = bev;
    c->fd = -1;
    c->deadline = time_now_ms() + lp->app->cfg->request_timeout_ms;
    conn_link(lp, c); /* new connections go first: register_pending stops at the first known one */
    static const struct timeval zero = {0, 0};
    event_base_once(base, -1, EV_TIMEOUT, register_cb, lp, &zero);
    return bev;
}

static void
conn_release(loop *lp, conn *c)
{
    if (c->registered)
        atomic_store(&conn_by_fd[c->fd], NULL);
    if (c->admitted)
        app_conn_release(lp->app, c->ip);
    conn_unlink(lp, c);
    bufferevent_decref(c->bev); /* the last reference: closes the descriptor */
    free(c);
}

static bool
conn_gone(conn *c)
{
    bufferevent_event_cb ev = NULL;
    bufferevent_getcb(c->bev, NULL, NULL, &ev, NULL);
    return ev == NULL;
}

void
http_sweep(loop *lp)
{
    int64_t now = time_now_ms();
    register_pending(lp);
    conn *next;
    for (conn *c = lp->conns; c != NULL; c = next) {
        next = c->next;
        if (conn_gone(c)) {
            conn_release(lp, c);
        } else if (!c->busy && c->deadline > 0 && now > c->deadline && c->registered) {
            /* Too slow (or idle past keep-alive): shut the socket; evhttp sees
             * the end of the stream and frees the connection, and the next
             * sweep releases our reference. */
            char shown[64];
            server_log_addr(lp->app, c->ip, shown, sizeof shown);
            log_debug("msg=\"request deadline passed\" client=%s", shown);
            shutdown(c->fd, SHUT_RDWR);
            c->deadline = 0;
        }
    }
}

void
http_conns_free(loop *lp)
{
    while (lp->conns != NULL) {
        conn *c = lp->conns;
        /* NOLINTNEXTLINE(clang-analyzer-unix.Malloc): conn_unlink moved the head on */
        if (c->registered)
            atomic_store(&conn_by_fd[c->fd], NULL);
        if (c->admitted)
            app_conn_release(lp->app, c->ip);
        conn_unlink(lp, c);
        bufferevent_decref(c->bev);
        free(c);
    }
}

static conn *
conn_of(loop *lp, struct evhttp_request *ev)
{
    struct evhttp_connection *evcon = evhttp_request_get_connection(ev);
    if (evcon == NULL)
        return NULL;
    int fd = bufferevent_getfd(evhttp_connection_get_bufferevent(evcon));
    if (fd < 0 || fd >= MAX_FD)
        return NULL;
    conn *c = atomic_load(&conn_by_fd[fd]);
    if (c == NULL) {
        register_pending(lp);
        c = atomic_load(&conn_by_fd[fd]);
    }
    return c != NULL && c->lp == lp ? c : NULL;
}

/* evhttp is about to free the connection: give its slot back at once (a
 * client opening many short connections must not be refused for ones it
 * already closed), and tell a stream that lives on it. Our reference keeps
 * the bufferevent until the sweep sees evhttp let go of it. */
static void
conn_closed_cb(struct evhttp_connection *evcon, void *arg)
{
    (void)evcon;
    conn *c = arg;
    if (c->closed)
        return;
    c->closed = true;
    if (c->admitted) {
        app_conn_release(c->lp->app, c->ip);
        c->admitted = false;
    }
    if (c->on_close != NULL)
        c->on_close(c->on_close_arg);
    c->on_close = NULL;
}

bool
http_conn_set_on_close(loop *lp, struct evhttp_request *ev, void (*fn)(void *), void *arg)
{
    conn *c = conn_of(lp, ev);
    if (c == NULL || c->closed)
        return false;
    c->on_close = fn;
    c->on_close_arg = arg;
    return true;
}

bool
http_conn_to_stream(loop *lp, struct evhttp_request *ev, int heartbeat_ms)
{
    conn *c = conn_of(lp, ev);
    if (c == NULL || c->closed)
        return false;
    if (c->admitted) {
        app_conn_release(lp->app, c->ip);
        c->admitted = false;
    }
    /* A peer that vanished (no FIN, no RST) leaves the heartbeats
     * unacknowledged: the kernel gives up on the connection after two missed
     * beats and a margin, and evhttp reports it closed. A small send buffer
     * bounds what a stream that is not read can hold in the kernel. */
    int one = 1;
    unsigned int user_timeout = (unsigned int)heartbeat_ms * 2 + 10000;
    int sndbuf = 16384;
    setsockopt(c->fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
    setsockopt(c->fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &user_timeout, sizeof user_timeout);
    setsockopt(c->fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
    return true;
}

void
http_conn_drop(loop *lp, struct evhttp_request *ev)
{
    conn *c = conn_of(lp, ev);
    if (c != NULL && !c->closed && c->registered)
        shutdown(c->fd, SHUT_RDWR);
}

static void
request_complete_cb(struct evhttp_request *ev, void *arg)
{
    (void)ev;
    conn *c = arg;
    c->busy = false;
    c->deadline = time_now_ms() + c->lp->app->cfg->request_timeout_ms;
}

/* ---- responses --------------------------------------------------------- */

void
req_finish(req *r)
{
    atomic_fetch_sub(&rf(r)->lp->inflight, 1);
    if (rf(r)->qs != NULL) {
        evhttp_clear_headers(rf(r)->qs);
        free(rf(r)->qs);
    }
    /* Keep a few emptied arenas for the loop's next requests: most requests
     * fit in one block, so this saves a malloc and a free each. */
    loop *lp = rf(r)->lp;
    arena *a = r->a;
    if (lp->nspare < LOOP_SPARE_ARENAS) {
        arena_reset(a);
        lp->spare[lp->nspare++] = a;
    } else {
        arena_free(a);
    }
}

void
req_add_header(req *r, const char *name, const char *value)
{
    evhttp_add_header(evhttp_request_get_output_headers(rf(r)->ev), name, value);
}

const char *
req_header(req *r, const char *name)
{
    return evhttp_find_header(evhttp_request_get_input_headers(rf(r)->ev), name);
}

/* The IMF-fixdate of the request's second (RFC 9110), kept per loop: evhttp
 * would otherwise format one for every response. libevent's formatter uses
 * its own day and month names, so no locale can change them. */
static const char *
http_date(req *r)
{
    loop *lp = rf(r)->lp;
    int64_t sec = r->now / 1000;
    if (sec != lp->date_sec || lp->date[0] == '\0') {
        time_t t = (time_t)sec;
        struct tm tm;
        gmtime_r(&t, &tm);
        evutil_date_rfc1123(lp->date, sizeof lp->date, &tm);
        lp->date_sec = sec;
    }
    return lp->date;
}

static void
common_headers(req *r)
{
    struct evkeyvalq *h = evhttp_request_get_output_headers(rf(r)->ev);
    evhttp_add_header(h, "Date", http_date(r));
    if (r->cors_origin != NULL) {
        /* A publisher's page on an allowed origin reads the API with the
         * reader's cookie (fetch with credentials: 'include'). */
        evhttp_add_header(h, "Access-Control-Allow-Origin", r->cors_origin);
        evhttp_add_header(h, "Access-Control-Allow-Credentials", "true");
    }
    /* Every API answer depends on Origin (CORS headers or not), so a shared
     * cache must never hand one origin's answer to another; anonymous
     * thread views depend on the cookie too (app/views.c). */
    if (rf(r)->vary_origin)
        evhttp_add_header(h, "Vary", r->vary_cookie ? "Cookie, Origin" : "Origin");
    evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
    if (atomic_load(&rf(r)->app->draining))
        evhttp_add_header(h, "Connection", "close");
}

static const char *
reason_phrase(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 204:
        return "No Content";
    case 304:
        return "Not Modified";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 409:
        return "Conflict";
    case 413:
        return "Payload Too Large";
    case 415:
        return "Unsupported Media Type";
    case 422:
        return "Unprocessable Content";
    case 423:
        return "Locked";
    case 429:
        return "Too Many Requests";
    case 500:
        return "Internal Server Error";
    case 503:
        return "Service Unavailable";
    default:
        return status < 400 ? "OK" : "Error";
    }
}

/* evhttp only queues a response: it asks epoll to report the socket
 * writable, writes on the next turn of the loop, then asks epoll to stop
 * reporting it. That is two epoll_ctl calls and an extra epoll_wait for
 * every request, although a socket that has just delivered a request almost
 * always has room for the answer. So write it at once, as bufferevent's own
 * write callback would (the output buffer is frozen to everyone else), and
 * when it all went out, tell evhttp its write finished: the connection goes
 * straight back to reading, and the two epoll changes cancel out in the
 * changelist before they reach the kernel. What does not fit stays queued
 * and goes out the usual way. evhttp may free the request and, for a
 * closing connection, the connection inside that call; the bufferevent
 * lives on through our own reference (see http_new_bufferevent). */
static void
write_now(struct bufferevent *bev)
{
    int fd = bufferevent_getfd(bev);
    struct evbuffer *out = bufferevent_get_output(bev);
    if (fd < 0 || evbuffer_get_length(out) == 0)
        return;
    evbuffer_unfreeze(out, 1);
    int n = evbuffer_write_atmost(out, fd, HTTP_MAX_SINGLE_WRITE);
    evbuffer_freeze(out, 1);
    if (n > 0 && evbuffer_get_length(out) == 0)
        bufferevent_trigger(bev, EV_WRITE, 0);
}

static void
send_buffer(req *r, int status, struct evbuffer *buf)
{
    const char *reason = reason_phrase(status);
    if (r->head) {
        /* HEAD answers with GET's headers, Content-Length included (a CDN or
         * a health check may read it); evhttp would leave it out. Not on a
         * 304 or 204, which must not claim a length of their own. */
        if (status >= 200 && status < 300 && status != 204) {
            char len[24];
            snprintf(len, sizeof len, "%zu", evbuffer_get_length(buf));
            evhttp_add_header(evhttp_request_get_output_headers(rf(r)->ev), "Content-Length", len);
        }
        evbuffer_drain(buf, evbuffer_get_length(buf));
    }
    int64_t ns = metrics_now_ns() - r->t0_ns;
    metrics_request(rf(r)->lp->metrics, r->route, status, ns);
    if (ns / 1000000 >= rf(r)->app->cfg->slow_request_ms) {
        char route[160];
        metrics_route_label(rf(r)->app, r->route, route, sizeof route);
        log_warn("msg=\"slow request\" route=\"%s\" status=%d ms=%lld", route, status,
                 (long long)(ns / 1000000));
    }
    struct evhttp_connection *evcon = evhttp_request_get_connection(rf(r)->ev);
    struct bufferevent *bev = evcon != NULL ? evhttp_connection_get_bufferevent(evcon) : NULL;
    evhttp_send_reply(rf(r)->ev, status, reason, buf);
    evbuffer_free(buf);
    rf(r)->ev = NULL; /* evhttp's from here on, and may be freed by write_now */
    if (bev != NULL)
        write_now(bev);
    req_finish(r);
}

void
req_send_bytes(req *r, int status, const char *content_type, const void *data, size_t n,
               const char *cache_control)
{
    common_headers(r);
    struct evkeyvalq *h = evhttp_request_get_output_headers(rf(r)->ev);
    evhttp_add_header(h, "Content-Type", content_type);
    /* Only a document sends a Referer from its links and requests; JSON,
     * scripts and styles have no use for this header. */
    if (strncmp(content_type, "text/html", 9) == 0)
        evhttp_add_header(h, "Referrer-Policy", "strict-origin-when-cross-origin");
    if (cache_control)
        evhttp_add_header(h, "Cache-Control", cache_control);
    struct evbuffer *buf = evbuffer_new();
    evbuffer_add(buf, data, n);
    send_buffer(r, status, buf);
}

void
req_send_static(req *r, int status, const char *content_type, const void *data, size_t n)
{
    common_headers(r);
    struct evkeyvalq *h = evhttp_request_get_output_headers(rf(r)->ev);
    if (content_type != NULL) {
        evhttp_add_header(h, "Content-Type", content_type);
        if (strncmp(content_type, "text/html", 9) == 0)
            evhttp_add_header(h, "Referrer-Policy", "strict-origin-when-cross-origin");
    }
    struct evbuffer *buf = evbuffer_new();
    if (n > 0)
        evbuffer_add_reference(buf, data, n, NULL, NULL);
    send_buffer(r, status, buf);
}

void
req_send_json(req *r, int status, json_t *body)
{
    size_t n = 0;
    char *s = json_out_compact(body, &n); /* json_dumps(body, JSON_COMPACT)'s bytes */
    json_decref(body);
    common_headers(r);
    struct evkeyvalq *h = evhttp_request_get_output_headers(rf(r)->ev);
    evhttp_add_header(h, "Content-Type", "application/json; charset=utf-8");
    if (evhttp_find_header(h, "Cache-Control") == NULL)
        evhttp_add_header(h, "Cache-Control", "no-store");
    struct evbuffer *buf = evbuffer_new();
    evbuffer_add(buf, s, n);
    free(s);
    send_buffer(r, status, buf);
}

void
req_send_empty(req *r, int status)
{
    common_headers(r);
    evhttp_add_header(evhttp_request_get_output_headers(rf(r)->ev), "Cache-Control", "no-store");
    struct evbuffer *buf = evbuffer_new();
    send_buffer(r, status, buf);
}

/* The canonical status name Google's APIs give each HTTP status. */
static const char *
google_status(int status)
{
    switch (status) {
    case 400:
    case 413:
    case 415:
        return "INVALID_ARGUMENT";
    case 401:
        return "UNAUTHENTICATED";
    case 403:
        return "PERMISSION_DENIED";
    case 404:
        return "NOT_FOUND";
    case 405:
        return "UNIMPLEMENTED";
    case 409:
        return "ALREADY_EXISTS";
    case 429:
        return "RESOURCE_EXHAUSTED";
    case 503:
        return "UNAVAILABLE";
    default:
        return status < 500 ? "FAILED_PRECONDITION" : "INTERNAL";
    }
}

void
req_send_google_error(req *r, int status, const char *message, json_t *details)
{
    json_t *e = json_pack("{s:i, s:s, s:s}", "code", status, "message", message, "status",
                          google_status(status));
    if (details != NULL)
        json_object_set_new(e, "details", json_pack("[o]", details));
    req_send_json(r, status, json_pack("{s:o}", "error", e));
}

void
req_send_error(req *r, int status, const char *code, const char *message, const char *field,
               json_t *extra)
{
    if (r->google_errors) {
        json_decref(extra);
        req_send_google_error(r, status, message, NULL);
        return;
    }
    json_t *e = json_pack("{s:s, s:s}", "code", code, "message", message);
    if (field)
        json_object_set_new(e, "field", json_string(field));
    json_t *body = json_pack("{s:o}", "error", e);
    if (extra) {
        json_object_update(body, extra);
        json_decref(extra);
    }
    req_send_json(r, status, body);
}

/* ---- rate limits ----------------------------------------------------------- */

static const struct {
    const char *name;
    double per_minute, burst;
    bool per_account;
} limit_table[] = {
    [LIMIT_READ] = {"read", 1200, 600, false},
    [LIMIT_WRITE] = {"write", 120, 60, false},
    [LIMIT_AUTH] = {"auth", 10, 10, false},
    [LIMIT_COMMENT] = {"comment", 6, 6, true},
    [LIMIT_FLAG] = {"flag", 20.0 / 60.0, 20, true},
    /* Ten tries at once, then one every three minutes, per account, from
     * wherever they come: a password guesser with many addresses gets no
     * further than one with one. */
    [LIMIT_LOGIN] = {"login", 20.0 / 60.0, 10, true},
    /* A costly preview takes seconds of the hashing thread: five a
     * minute, in bursts of five. */
    [LIMIT_PREVIEW] = {"preview", 5, 5, true},
};

/* The rate-limit name of a client address: itself for IPv4 (and IPv4
 * written as IPv6), its /64 for IPv6, since one subscriber is usually given
 * a whole /64 and could otherwise use a new address per request. */
static void
address_key(const char *ip, char *out, size_t n)
{
    struct in6_addr a6;
    if (strchr(ip, ':') == NULL || inet_pton(AF_INET6, ip, &a6) != 1 || IN6_IS_ADDR_V4MAPPED(&a6)) {
        snprintf(out, n, "%s", ip);
        return;
    }
    memset(a6.s6_addr + 8, 0, 8);
    char text[INET6_ADDRSTRLEN];
    inet_ntop(AF_INET6, &a6, text, sizeof text);
    snprintf(out, n, "%s/64", text);
}

void
req_send_rate_limited(req *r, int retry)
{
    char value[16], msg[160], shown[64], route[160];
    atomic_fetch_add_explicit(&rf(r)->app->metrics.rate_limited, 1, memory_order_relaxed);
    server_log_addr(rf(r)->app, r->client_ip, shown, sizeof shown);
    metrics_route_label(rf(r)->app, r->route, route, sizeof route);
    log_info("msg=\"rate limited\" client=%s user=%lld route=\"%s\" retry_after=%d", shown,
             r->user ? (long long)r->user->id : 0LL, route, retry);
    snprintf(value, sizeof value, "%d", retry);
    req_add_header(r, "Retry-After", value);
    snprintf(msg, sizeof msg, "Too many requests; please wait %d second%s and try again.", retry,
             retry == 1 ? "" : "s");
    req_send_error(r, 429, "rate_limited", msg, NULL, NULL);
}

static bool take(req *r, limit_class cls, const char *key);

bool
req_rate_limit(req *r, limit_class cls)
{
    if (!rf(r)->app->cfg->rate_limit)
        return true;
    char key[96], addr[64];
    if (limit_table[cls].per_account && r->user != NULL) {
        snprintf(key, sizeof key, "%s:u:%lld", limit_table[cls].name, (long long)r->user->id);
    } else {
        address_key(r->client_ip, addr, sizeof addr);
        snprintf(key, sizeof key, "%s:ip:%s", limit_table[cls].name, addr);
    }
    return take(r, cls, key);
}

bool
req_rate_limit_subject(req *r, limit_class cls, const char *subject)
{
    if (!rf(r)->app->cfg->rate_limit)
        return true;
    char key[96];
    snprintf(key, sizeof key, "%s:s:%s", limit_table[cls].name, subject);
    return take(r, cls, key);
}

static bool
take(req *r, limit_class cls, const char *key)
{
    int retry = 1;
    if (ratelimit_take(rf(r)->app->limits, key, limit_table[cls].per_minute, limit_table[cls].burst,
                       r->now, &retry)) {
        /* The classes that guard writes are also counted in the database
         * by the writer, so several nodes share their buckets (jobs.c).
         * Reads are not: they never reach the writer, and a flood of them
         * is a CDN's or proxy's to absorb. */
        if (cls != LIMIT_READ &&
            rf(r)->n_shared < (int)(sizeof rf(r)->shared / sizeof rf(r)->shared[0])) {
            snprintf(rf(r)->shared[rf(r)->n_shared].key, sizeof rf(r)->shared[0].key, "%s", key);
            rf(r)->shared[rf(r)->n_shared].per_minute = limit_table[cls].per_minute;
            rf(r)->shared[rf(r)->n_shared].burst = limit_table[cls].burst;
            rf(r)->n_shared++;
        }
        return true;
    }
    req_send_rate_limited(r, retry);
    return false;
}

/* ---- bodies the server does not copy ----------------------------------- */

/* evbuffer cleanup for text from malloc. */
static void
free_cb(const void *data, size_t len, void *arg)
{
    (void)len;
    (void)arg;
    free((void *)data);
}

const char *
req_uri(req *r)
{
    return evhttp_request_get_uri(rf(r)->ev);
}

int
req_loop_index(req *r)
{
    return rf(r)->lp->index;
}

void *
req_product(req *r)
{
    return rf(r)->app->product->ctx;
}

int
server_loops(const app *a)
{
    return a->nloops;
}

const config *
server_config(const app *a)
{
    return atomic_load(&a->cfg);
}

struct event_base *
server_loop_base(app *a, int i)
{
    return a->loops[i].base;
}

void
req_send_ref(req *r, int status, const void *data, size_t n,
             void (*release)(const void *data, size_t n, void *arg), void *arg)
{
    common_headers(r);
    struct evbuffer *buf = evbuffer_new();
    if (status == 304 || n == 0) {
        if (release != NULL)
            release(data, n, arg);
    } else {
        evbuffer_add_reference(buf, data, n, release, arg);
    }
    send_buffer(r, status, buf);
}

/* The product's metric `metric` when it is of kind, else NULL (a wrong id
 * is not counted). */
static const server_metric *
product_metric(req *r, int metric, metric_kind kind)
{
    const server_product *p = rf(r)->app->product;
    if (metric < 0 || (size_t)metric >= p->n_metrics || p->metrics[metric].kind != kind)
        return NULL;
    return &p->metrics[metric];
}

void
req_metric_count(req *r, int metric, int series)
{
    const server_metric *m = product_metric(r, metric, METRIC_COUNTER);
    if (m != NULL && series >= 0 && series < (m->label != NULL ? m->n_values : 1))
        metrics_product_count(rf(r)->lp->metrics,
                              rf(r)->app->metrics.product_slot[metric] + series);
}

void
req_metric_observe(req *r, int metric, int64_t ns)
{
    if (product_metric(r, metric, METRIC_HISTOGRAM) != NULL)
        metrics_product_observe(rf(r)->lp->metrics, rf(r)->app->metrics.product_slot[metric], ns);
}

void
req_send_private_json(req *r, char *text, size_t n)
{
    r->vary_cookie = true;
    common_headers(r);
    struct evkeyvalq *h = evhttp_request_get_output_headers(rf(r)->ev);
    evhttp_add_header(h, "Content-Type", "application/json; charset=utf-8");
    evhttp_add_header(h, "Cache-Control", "no-store");
    struct evbuffer *buf = evbuffer_new();
    evbuffer_add_reference(buf, text, n, free_cb, NULL);
    send_buffer(r, 200, buf);
}

/* ---- queries ----------------------------------------------------------- */

/* Parses the query string on first use; req_finish frees it. */
static struct evkeyvalq *
parsed_query(req *r)
{
    if (rf(r)->qs == NULL) {
        rf(r)->qs = xmalloc(sizeof *rf(r)->qs);
        TAILQ_INIT(rf(r)->qs);
        if (r->query != NULL && evhttp_parse_query_str(r->query, rf(r)->qs) != 0)
            evhttp_clear_headers(rf(r)->qs); /* a malformed query counts as empty */
    }
    return rf(r)->qs;
}

const char *
req_query(req *r, const char *name, int *count)
{
    struct evkeyvalq *q = parsed_query(r);
    const char *first = NULL;
    int n = 0;
    if (q != NULL) {
        struct evkeyval *kv;
        TAILQ_FOREACH(kv, q, next)
        {
            if (strcmp(kv->key, name) == 0) {
                if (first == NULL)
                    first = arena_strdup(r->a, kv->value);
                n++;
            }
        }
    }
    if (count)
        *count = n;
    return first;
}

int
req_query_all(req *r, const char *name, const char **out, int max)
{
    struct evkeyvalq *q = parsed_query(r);
    int n = 0;
    if (q == NULL)
        return 0;
    struct evkeyval *kv;
    TAILQ_FOREACH(kv, q, next)
    {
        if (strcmp(kv->key, name) == 0) {
            if (n < max)
                out[n] = arena_strdup(r->a, kv->value);
            n++;
        }
    }
    return n;
}

const char *
req_client_for_log(req *r)
{
    char *out = arena_alloc(r->a, 64);
    server_log_addr(rf(r)->app, r->client_ip, out, 64);
    return out;
}

int64_t
req_clock_ns(void)
{
    return metrics_now_ns();
}

store *
req_store(req *r)
{
    return rf(r)->lp->reader;
}

const config *
req_config(req *r)
{
    return rf(r)->app->cfg;
}

const config *
req_base_config(req *r)
{
    return atomic_load(&rf(r)->app->base_cfg);
}

/* ---- sessions ------------------------------------------------------------ */

void
session_token_new(char token[64], unsigned char hash[STORE_TOKEN_HASH_LEN])
{
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    b64url_encode(raw, sizeof raw, token);
    session_token_hash(token, hash);
    sodium_memzero(raw, sizeof raw);
}

void
session_token_hash(const char *token, unsigned char hash[STORE_TOKEN_HASH_LEN])
{
    crypto_hash_sha256(hash, (const unsigned char *)token, strlen(token));
}

void
session_set_cookie(req *r, const char *token)
{
    char *v;
    /* SameSite=None (which browsers accept only with Secure) lets a
     * publisher on another site keep the reader logged in; the Origin check
     * then does all of the CSRF protection. */
    bool none = strcmp(rf(r)->app->cfg->cookie_samesite, "none") == 0;
    const char *site = none ? "None" : "Lax";
    const char *secure = r->secure || none ? "; Secure" : "";
    if (token != NULL)
        v = arena_printf(r->a, "parley_session=%s; Path=/; HttpOnly; SameSite=%s; Max-Age=%lld%s",
                         token, site, (long long)rf(r)->app->cfg->session_days * 86400, secure);
    else
        v = arena_printf(r->a, "parley_session=; Path=/; HttpOnly; SameSite=%s; Max-Age=0%s", site,
                         secure);
    req_add_header(r, "Set-Cookie", v);
}

/* Finds parley_session in the Cookie header: sets r->has_session_cookie and
 * r->session_hash; false when there is none. */
static bool
session_cookie(req *r)
{
    const char *cookie = req_header(r, "Cookie");
    if (cookie == NULL)
        return false;
    const char *p = cookie;
    while ((p = strstr(p, "parley_session=")) != NULL) {
        if (p == cookie || p[-1] == ' ' || p[-1] == ';')
            break;
        p++;
    }
    if (p == NULL)
        return false;
    p += strlen("parley_session=");
    size_t n = strcspn(p, "; ");
    if (n == 0 || n > 128)
        return false;
    char token[129];
    memcpy(token, p, n);
    token[n] = '\0';
    r->has_session_cookie = true;
    session_token_hash(token, r->session_hash);
    return true;
}

/* Takes the session's user (rc 0, u filled) or logs why there is none. */
static bool
session_found(req *r, int rc, store_user *u, const pl_error *err)
{
    if (rc == 0 && !u->deleted) {
        r->user = u;
        return true;
    }
    if (rc < 0 && rc != PL_ENOTFOUND)
        log_error("msg=\"session lookup failed\" error=\"%s\"", err->msg);
    return false;
}

bool
http_session_cookie(req *r)
{
    return session_cookie(r);
}

void
req_load_session(req *r)
{
    if (!session_cookie(r))
        return;
    store_user *u = arena_zalloc(r->a, sizeof *u);
    pl_error err;
    int rc = store_session_user(req_store(r), r->session_hash, r->now, r->a, u, &err);
    session_found(r, rc, u, &err);
}

bool
req_load_session_layer(req *r, const char *article_id, store_viewer_layer *layer)
{
    if (!session_cookie(r))
        return false;
    store_user *u = arena_zalloc(r->a, sizeof *u);
    pl_error err;
    int rc = store_session_layer(req_store(r), r->session_hash, r->now, article_id, r->a, u, layer,
                                 &err);
    return session_found(r, rc, u, &err);
}

/* ---- request checks ------------------------------------------------------ */

static bool
origin_allowed(req *r, const char *origin)
{
    app *a = rf(r)->app;
    if (a->origin != NULL && strcasecmp(origin, a->origin) == 0)
        return true;
    for (size_t i = 0; i < a->n_allowed; i++)
        if (strcasecmp(origin, a->allowed_origins[i]) == 0)
            return true;
    /* Without public_url, our own origin is whatever Host the browser used. */
    const char *host = req_header(r, "Host");
    if (a->origin == NULL && host != NULL) {
        const char *rest = NULL;
        if (strncasecmp(origin, "http://", 7) == 0)
            rest = origin + 7;
        else if (strncasecmp(origin, "https://", 8) == 0)
            rest = origin + 8;
        if (rest != NULL && strcasecmp(rest, host) == 0)
            return true;
    }
    return a->origin_check != NULL && a->origin_check(r, origin);
}

bool
req_origin_allowed(req *r, const char *origin)
{
    return origin_allowed(r, origin);
}

/* Counts headers named name; sets *conflict when two disagree. */
static int
header_count(req *r, const char *name, bool *conflict)
{
    struct evkeyvalq *h = evhttp_request_get_input_headers(rf(r)->ev);
    struct evkeyval *kv;
    const char *first = NULL;
    int n = 0;
    *conflict = false;
    TAILQ_FOREACH(kv, h, next)
    {
        if (strcasecmp(kv->key, name) == 0) {
            if (first == NULL)
                first = kv->value;
            else if (strcmp(first, kv->value) != 0)
                *conflict = true;
            n++;
        }
    }
    return n;
}

static int
method_of(struct evhttp_request *ev)
{
    switch (evhttp_request_get_command(ev)) {
    case EVHTTP_REQ_GET:
        return HTTP_GET;
    case EVHTTP_REQ_POST:
        return HTTP_POST;
    case EVHTTP_REQ_PUT:
        return HTTP_PUT;
    case EVHTTP_REQ_PATCH:
        return HTTP_PATCH;
    case EVHTTP_REQ_DELETE:
        return HTTP_DELETE;
    case EVHTTP_REQ_HEAD:
        return HTTP_HEAD;
    case EVHTTP_REQ_OPTIONS:
        return HTTP_OPTIONS;
    default:
        return 0;
    }
}

static void
refuse_and_close(req *r, int status, const char *code, const char *message)
{
    req_add_header(r, "Connection", "close");
    req_send_error(r, status, code, message, NULL, NULL);
}

/* The client's address: the peer's, or behind trusted_proxy the last
 * address of its X-Forwarded-For (the proxy appends the one it saw). */
static const char *
client_address(req *r, const char *peer)
{
    const char *xff = req_header(r, "X-Forwarded-For");
    const char *proxy = rf(r)->app->cfg->trusted_proxy;
    if (xff != NULL && proxy[0] != '\0' && strcmp(peer, proxy) == 0) {
        const char *last = strrchr(xff, ',');
        last = last ? last + 1 : xff;
        while (*last == ' ')
            last++;
        if (*last != '\0' && strlen(last) < 64)
            return arena_strdup(r->a, last);
    }
    return arena_strdup(r->a, peer);
}

/* The API's own checks before dispatch: CORS (a preflight is answered here),
 * the Origin of state-changing requests and their content type. False when
 * it answered the request. */
static bool
api_checks(req *r, const server_route *rt, bool state_changing, size_t blen)
{
    const char *origin_h = req_header(r, "Origin");
    if (origin_h != NULL && origin_allowed(r, origin_h))
        r->cors_origin = arena_strdup(r->a, origin_h);
    if (r->method == HTTP_OPTIONS && r->cors_origin != NULL &&
        req_header(r, "Access-Control-Request-Method") != NULL) {
        /* A CORS preflight from an allowed origin. */
        req_add_header(r, "Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE");
        req_add_header(r, "Access-Control-Allow-Headers",
                       rt->allow_headers != NULL ? rt->allow_headers : "Content-Type");
        req_add_header(r, "Access-Control-Max-Age", "600");
        req_send_empty(r, 204);
        return false;
    }
    if (state_changing) {
        if (origin_h != NULL && r->cors_origin == NULL) {
            req_send_error(r, 403, "cross_origin",
                           "This request came from another site and was refused.", NULL, NULL);
            return false;
        }
        const char *ct = req_header(r, "Content-Type");
        bool json = ct != NULL && strncasecmp(ct, "application/json", 16) == 0 &&
                    (ct[16] == '\0' || ct[16] == ';' || ct[16] == ' ');
        /* RFC 8058: a mail client's one-click unsubscribe posts a form
         * ("List-Unsubscribe=One-Click"); the token in the address is all
         * that endpoint reads. */
        bool one_click = r->method == HTTP_POST && rt->form_path != NULL &&
                         strcmp(r->path, rt->form_path) == 0 && ct != NULL &&
                         (strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0 ||
                          strncasecmp(ct, "multipart/form-data", 19) == 0);
        if ((blen > 0 || ct != NULL) && !json && !one_click) {
            req_send_error(r, 415, "unsupported_media_type",
                           "Send the request body as JSON with Content-Type: application/json.",
                           NULL, NULL);
            return false;
        }
    }
    return true;
}

/* The product's route for a decoded path: the first whose prefix it
 * starts with. */
static const server_route *
route_of(const server_product *p, const char *path)
{
    for (size_t i = 0; i < p->n_routes; i++) {
        const server_route *rt = &p->routes[i];
        if (strncmp(path, rt->prefix, strlen(rt->prefix)) == 0)
            return rt;
    }
    return NULL;
}

void
http_handle(struct evhttp_request *ev, void *arg)
{
    loop *lp = arg;
    app *a = lp->app;
    conn *c = conn_of(lp, ev);

    req *r;
    {
        arena *ar = lp->nspare > 0 ? lp->spare[--lp->nspare] : arena_new();
        r = arena_zalloc(ar, sizeof(req_full));
        r->a = ar;
    }
    rf(r)->ev = ev;
    rf(r)->app = a;
    rf(r)->lp = lp;
    r->now = time_now_ms();
    r->t0_ns = metrics_now_ns();
    r->method = method_of(ev);
    r->head = r->method == HTTP_HEAD;
    r->secure = a->origin != NULL && strncmp(a->origin, "https:", 6) == 0;
    atomic_fetch_add(&lp->inflight, 1);
    if (c != NULL) {
        c->busy = true;
        evhttp_request_set_on_complete_cb(ev, request_complete_cb, c);
        evhttp_connection_set_closecb(evhttp_request_get_connection(ev), conn_closed_cb, c);
        r->client_ip = client_address(r, c->ip); /* copied: the conn may go before a job ends */
    } else {
        char *host = NULL;
        ev_uint16_t port = 0;
        struct evhttp_connection *evcon = evhttp_request_get_connection(ev);
        if (evcon)
            evhttp_connection_get_peer(evcon, &host, &port);
        r->client_ip = arena_strdup(r->a, host ? host : "unknown");
    }
    if (c != NULL && c->refused) {
        refuse_and_close(r, 503, "too_many_connections",
                         "Too many open connections from your address; try again shortly.");
        return;
    }

    const char *uri = evhttp_request_get_uri(ev);
    const char *qmark = strchr(uri, '?');
    size_t plen = qmark ? (size_t)(qmark - uri) : strlen(uri);
    char *raw_path = arena_strndup(r->a, uri, plen);
    size_t dlen = 0;
    char *decoded = evhttp_uridecode(raw_path, 0, &dlen);
    if (decoded == NULL || strlen(decoded) != dlen || !utf8_valid(decoded, dlen) ||
        raw_path[0] != '/') {
        free(decoded);
        r->path = "/";
        req_send_error(r, 400, "invalid_path", "The request path is not valid.", NULL, NULL);
        return;
    }
    r->path = arena_strdup(r->a, decoded);
    r->raw_path = raw_path;
    free(decoded);
    const server_route *rt = route_of(a->product, r->path);
    if (rt == NULL) {
        req_send_error(r, 404, "not_found", "Nothing is served at this path.", NULL, NULL);
        return;
    }
    r->google_errors = (rt->flags & ROUTE_GOOGLE_ERRORS) != 0;
    rf(r)->vary_origin = (rt->flags & ROUTE_VARY_ORIGIN) != 0;
    if (rt->open != NULL && !rt->open(r))
        return;
    r->query = qmark ? arena_strdup(r->a, qmark + 1) : NULL;

    /* Request smuggling guards: one length, and never a length beside a
     * chunked transfer. */
    bool conflict;
    int ncl = header_count(r, "Content-Length", &conflict);
    bool dummy;
    int nte = header_count(r, "Transfer-Encoding", &dummy);
    if (conflict || (ncl > 0 && nte > 0)) {
        refuse_and_close(r, 400, "bad_request",
                         "The request has conflicting Content-Length or Transfer-Encoding "
                         "headers.");
        return;
    }

    struct evbuffer *in = evhttp_request_get_input_buffer(ev);
    size_t blen = evbuffer_get_length(in);
    if ((int64_t)blen > a->cfg->max_body) {
        char msg[128];
        snprintf(msg, sizeof msg, "The request body is larger than the limit of %lld bytes.",
                 (long long)a->cfg->max_body);
        refuse_and_close(r, 413, "too_large", msg);
        return;
    }
    char *body = arena_alloc(r->a, blen + 1);
    evbuffer_remove(in, body, blen);
    body[blen] = '\0';
    r->body = body;
    r->body_len = blen;

    bool state_changing = r->method == HTTP_POST || r->method == HTTP_PUT ||
                          r->method == HTTP_PATCH || r->method == HTTP_DELETE;
    if ((rt->flags & ROUTE_API_CHECKS) && !api_checks(r, rt, state_changing, blen))
        return;
    if (!req_rate_limit(r, LIMIT_READ))
        return;
    if (state_changing && !req_rate_limit(r, LIMIT_WRITE))
        return;
    rt->handle(r); /* the API's handler loads the session itself */
}
