/* server/stream.c: Server-Sent Events as transport (see req_stream in
 * server.h): streams per loop, each on a topic, messages published from any
 * thread and delivered by each loop to its own streams (the fan-out below),
 * heartbeats, dead and slow readers dropped, the stream limits. What a topic
 * and a message mean is the product's (app/events.c).
 *
 * Lifetime of a stream's evhttp request: while the connection lives, evhttp
 * owns it and we only write chunks. When the connection goes, evhttp calls
 * the connection's close callback (http.c, which calls ours) before freeing
 * anything; at that moment the request is
 * either still attached to the connection (it will be freed with it) or
 * detached (evhttp_request_get_connection() is NULL: it is ours to free,
 * which evhttp_send_reply_end does for a detached request). Either way the
 * subscriber is unlinked there and never touches the request again.
 */
#include "server/server_int.h"
#include "util/log.h"
#include "util/xalloc.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/uio.h>

/* Bytes a stream may have waiting in our buffer, beyond what the kernel
 * holds, before it counts as not reading. */
#define STREAM_MAX_BACKLOG (64 * 1024)
/* Streams a loop writes to before it answers other connections again
 * (the rest of a fan-out continues on its next turn). */
#define FANOUT_SLICE 256
/* Events given to each stream in one write, at most. */
#define BATCH_MAX 32

typedef struct subscriber {
    struct subscriber *prev, *next;
    loop *lp;
    struct evhttp_request *ev;
    char topic[129];
    char client[64]; /* the address its stream slot is counted under */
    int64_t expires; /* Unix ms when the stream is ended (the browser reconnects) */
    int stalled;     /* heartbeats in a row that found earlier data still unsent */
    bool chunked;    /* the response is chunked (HTTP/1.1): each write is framed */
    bool no_body;    /* a HEAD request: the headers only, as evhttp would send */
    bool dropping;   /* shut down; the close hook will unlink it */
} subscriber;

/* One message for the streams of a topic, as it goes out. */
typedef struct message {
    struct message *next;
    loop *lp;
    char topic[129];
    char text[STREAM_MAX_MESSAGE];
    size_t n;
} message;

/* Per-loop list heads live in a small table beside the loops (a loop's
 * index selects its slot), so loop structs need no knowledge of streams. */
struct stream_list {
    subscriber *head;
    long count;
    int64_t last_beat;
    /* The fan-out: the events being written (batch, to the streams from
     * cursor on, FANOUT_SLICE a turn) and those that arrived meanwhile
     * (pending, written together as the next batch). */
    message *batch;
    message *pending, **pending_tail;
    subscriber *cursor;
    bool fanning;
};
typedef struct stream_list stream_list;

static stream_list *
list_of(loop *lp)
{
    /* app->streams has one slot per loop; a loop touches only its own. */
    return &lp->app->streams[lp->index];
}

static void
unlink_sub(subscriber *s)
{
    stream_list *l = list_of(s->lp);
    if (s->prev)
        s->prev->next = s->next;
    else
        l->head = s->next;
    if (s->next)
        s->next->prev = s->prev;
    if (l->cursor == s)
        l->cursor = s->next;
    l->count--;
    atomic_fetch_sub(&s->lp->app->metrics.streams, 1);
}

static void
free_detached_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    evhttp_send_reply_end(arg); /* a detached request: this frees it */
}

static void
closed_cb(void *arg)
{
    subscriber *s = arg;
    if (evhttp_request_get_connection(s->ev) == NULL)
        event_base_once(s->lp->base, -1, EV_TIMEOUT, free_detached_cb, s->ev, NULL);
    app_stream_release(s->lp->app, s->client);
    unlink_sub(s);
    free(s);
}

/* Bytes of the stream still waiting in our output buffer. */
static size_t
backlog(const subscriber *s)
{
    struct evhttp_connection *evcon = evhttp_request_get_connection(s->ev);
    struct bufferevent *bev = evcon != NULL ? evhttp_connection_get_bufferevent(evcon) : NULL;
    return bev != NULL ? evbuffer_get_length(bufferevent_get_output(bev)) : 0;
}

/* Ends a stream by shutting its connection; the close hook (closed_cb)
 * then releases it, as when the reader leaves. */
static void
drop(subscriber *s, const char *why)
{
    s->dropping = true;
    log_debug("msg=\"stream ended\" client=%s reason=\"%s\"", s->client, why);
    http_conn_drop(s->lp, s->ev);
}

/* Writes text to the stream (framed as a chunk when the response is
 * chunked). When nothing of the stream waits in our buffer, straight to the
 * socket: one system call, and nothing changes in what the loop polls
 * (evhttp_send_reply_chunk arms the write event and disarms it once written:
 * two epoll_ctl calls and a turn of the loop per stream and event). What the
 * kernel does not take goes to the connection's buffer, which libevent
 * writes as usual, so the bytes stay in order. */
static void
send_text(subscriber *s, const char *text, size_t n)
{
    struct evhttp_connection *evcon = evhttp_request_get_connection(s->ev);
    struct bufferevent *bev = evcon != NULL ? evhttp_connection_get_bufferevent(evcon) : NULL;
    if (bev == NULL || n == 0 || s->no_body)
        return;
    char head[24];
    size_t hn = 0;
    if (s->chunked)
        hn = (size_t)snprintf(head, sizeof head, "%zx\r\n", n);
    char crlf[] = "\r\n";
    struct iovec iov[3] = {{head, hn}, {(void *)text, n}, {crlf, s->chunked ? 2 : 0}};
    struct evbuffer *out = bufferevent_get_output(bev);
    size_t done = 0;
    evutil_socket_t fd = bufferevent_getfd(bev);
    if (fd >= 0 && evbuffer_get_length(out) == 0) {
        struct msghdr mh = {.msg_iov = iov, .msg_iovlen = 3};
        ssize_t w = sendmsg(fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
        /* An error other than a full buffer is left to libevent's own
         * write, which reports it and closes the connection. */
        done = w > 0 ? (size_t)w : 0;
    }
    for (int i = 0; i < 3; i++) {
        size_t len = iov[i].iov_len;
        if (done >= len) {
            done -= len;
            continue;
        }
        bufferevent_write(bev, (const char *)iov[i].iov_base + done, len - done);
        done = 0;
    }
}

void
req_stream(req *r, const char *topic, const char *hello, size_t hello_n)
{
    loop *lp = rf(r)->lp;
    app *a = rf(r)->app;
    struct evhttp_connection *evcon = evhttp_request_get_connection(rf(r)->ev);
    if (evcon == NULL) {
        req_send_empty(r, 204);
        return;
    }
    /* Streams have limits of their own, so open widgets can never take the
     * connections readers need for requests. The client is the forwarded
     * address behind the trusted proxy. */
    int refused = app_stream_admit(a, r->client_ip);
    if (refused != 0) {
        req_add_header(r, "Retry-After", "60");
        if (refused == STREAM_CLIENT_FULL)
            req_send_error(r, 429, "too_many_streams",
                           "Too many live-update streams are open from your address; close some "
                           "pages or try again later.",
                           NULL, NULL);
        else
            req_send_error(r, 503, "busy",
                           "The server has as many live-update streams open as it allows; try "
                           "again later.",
                           NULL, NULL);
        return;
    }
    const config *cfg = a->cfg;
    subscriber *s = xcalloc(1, sizeof *s);
    s->lp = lp;
    s->ev = rf(r)->ev;
    snprintf(s->topic, sizeof s->topic, "%s", topic);
    snprintf(s->client, sizeof s->client, "%s", r->client_ip);
    /* Up to a tenth earlier, so streams opened together do not all end (and
     * reconnect) in the same second. */
    int64_t life = cfg->stream_lifetime_s * 1000;
    s->expires = r->now + life - (int64_t)randombytes_uniform((uint32_t)(life / 10) + 1);
    if (!http_conn_set_on_close(lp, rf(r)->ev, closed_cb, s) ||
        !http_conn_to_stream(lp, rf(r)->ev, (int)(cfg->stream_heartbeat_s * 1000))) {
        http_conn_set_on_close(lp, rf(r)->ev, NULL, NULL);
        app_stream_release(a, s->client);
        free(s);
        req_send_empty(r, 204);
        return;
    }
    stream_list *l = list_of(lp);
    s->next = l->head;
    if (l->head)
        l->head->prev = s;
    l->head = s;
    l->count++;
    atomic_fetch_add(&a->metrics.streams, 1);

    struct evkeyvalq *h = evhttp_request_get_output_headers(rf(r)->ev);
    evhttp_add_header(h, "Content-Type", "text/event-stream; charset=utf-8");
    evhttp_add_header(h, "Cache-Control", "no-store");
    evhttp_add_header(h, "X-Accel-Buffering", "no"); /* nginx: do not buffer the stream */
    if (r->cors_origin != NULL) {
        /* A widget on an allowed origin (EventSource withCredentials). */
        evhttp_add_header(h, "Access-Control-Allow-Origin", r->cors_origin);
        evhttp_add_header(h, "Access-Control-Allow-Credentials", "true");
    }
    evhttp_add_header(h, "Vary", "Origin");
    evhttp_send_reply_start(rf(r)->ev, 200, "OK");
    const char *te = evhttp_find_header(h, "Transfer-Encoding");
    s->chunked = te != NULL && strcasecmp(te, "chunked") == 0;
    s->no_body = evhttp_request_get_command(rf(r)->ev) == EVHTTP_REQ_HEAD;
    send_text(s, hello, hello_n);
    /* The stream no longer counts as a request in flight, and its arena
     * is not needed: only the subscriber record stays. */
    atomic_fetch_sub(&lp->inflight, 1);
    if (rf(r)->qs != NULL) {
        evhttp_clear_headers(rf(r)->qs);
        free(rf(r)->qs);
    }
    arena_free(r->a);
}

static void
free_messages(message *m)
{
    while (m != NULL) {
        message *next = m->next;
        free(m);
        m = next;
    }
}

/* Writes the batch's messages of its topic to one stream, in one write. */
static void
deliver_to(subscriber *s, const message *batch)
{
    char text[BATCH_MAX * sizeof batch->text];
    size_t n = 0;
    for (const message *m = batch; m != NULL; m = m->next)
        if (strcmp(s->topic, m->topic) == 0) {
            memcpy(text + n, m->text, m->n);
            n += m->n;
        }
    if (n == 0)
        return;
    if (backlog(s) > STREAM_MAX_BACKLOG)
        drop(s, "not reading");
    else
        send_text(s, text, n);
}

static void fanout_cb(evutil_socket_t fd, short what, void *arg);

/* The next turn of the fan-out, after the loop's next poll (a zero
 * timeout): the connections waiting for an answer go first. */
static bool
fanout_later(loop *lp)
{
    static const struct timeval now = {0, 0};
    return event_base_once(lp->base, -1, EV_TIMEOUT, fanout_cb, lp, &now) == 0;
}

/* Takes up to BATCH_MAX pending events as the next batch, for every
 * stream from the first. */
static void
take_batch(stream_list *l)
{
    message *m = l->pending, **tail = &l->pending;
    for (int k = 0; m != NULL && k < BATCH_MAX; k++) {
        tail = &m->next;
        m = m->next;
    }
    l->batch = l->pending;
    *tail = NULL;
    l->pending = m;
    if (m == NULL)
        l->pending_tail = &l->pending;
    l->cursor = l->head;
    l->fanning = true;
}

/* Turns of the fan-out: FANOUT_SLICE streams, then the loop answers others
 * before the next turn. Events that arrive during a fan-out wait for the
 * next batch, and each stream gets them in one write. */
static void
fanout_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    loop *lp = arg;
    stream_list *l = list_of(lp);
    for (;;) {
        for (int k = 0; l->cursor != NULL && k < FANOUT_SLICE; k++) {
            subscriber *s = l->cursor;
            l->cursor = s->next;
            if (!s->dropping)
                deliver_to(s, l->batch);
        }
        if (l->cursor == NULL) {
            free_messages(l->batch);
            l->batch = NULL;
            l->fanning = false;
            if (l->pending == NULL)
                return;
            take_batch(l);
        }
        if (fanout_later(lp))
            return;
        /* No memory for a later turn: carry on now. */
    }
}

static void
deliver_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    message *m = arg;
    loop *lp = m->lp;
    stream_list *l = list_of(lp);
    m->next = NULL;
    if (l->pending_tail == NULL)
        l->pending_tail = &l->pending;
    *l->pending_tail = m;
    l->pending_tail = &m->next;
    if (l->fanning)
        return;
    take_batch(l);
    if (!fanout_later(lp))
        fanout_cb(-1, EV_TIMEOUT, lp);
}

void
stream_publish(app *a, const char *topic, const char *text, size_t n)
{
    if (n == 0 || n > STREAM_MAX_MESSAGE)
        return;
    for (int i = 0; i < a->nloops; i++) {
        message *m = xmalloc(sizeof *m);
        m->lp = &a->loops[i];
        snprintf(m->topic, sizeof m->topic, "%s", topic);
        memcpy(m->text, text, n);
        m->n = n;
        if (event_base_once(m->lp->base, -1, EV_TIMEOUT, deliver_cb, m, NULL) != 0)
            free(m);
    }
}

void
stream_heartbeat(loop *lp, int64_t now_ms)
{
    stream_list *l = list_of(lp);
    bool beat = now_ms - l->last_beat >= lp->app->cfg->stream_heartbeat_s * 1000;
    if (beat)
        l->last_beat = now_ms;
    static const char ping[] = ": ping\n\n";
    for (subscriber *s = l->head; s != NULL; s = s->next) {
        if (s->dropping)
            continue;
        if (now_ms >= s->expires) {
            drop(s, "lifetime over");
            continue;
        }
        if (!beat)
            continue;
        /* Data from the last beat still unsent means the kernel's buffer
         * is full: the reader stopped reading (a vanished peer is found by
         * TCP_USER_TIMEOUT, see http_conn_to_stream). Two beats in a row,
         * and the stream goes. */
        size_t queued = backlog(s);
        s->stalled = queued > 0 ? s->stalled + 1 : 0;
        if (s->stalled >= 2 || queued > STREAM_MAX_BACKLOG) {
            drop(s, "not reading");
            continue;
        }
        send_text(s, ping, sizeof ping - 1);
    }
}

void
stream_close_all(loop *lp)
{
    stream_list *l = list_of(lp);
    free_messages(l->batch);
    free_messages(l->pending);
    l->batch = l->pending = NULL;
    l->pending_tail = &l->pending;
    l->cursor = NULL;
    l->fanning = false;
    while (l->head != NULL) {
        subscriber *s = l->head;
        /* NOLINTNEXTLINE(clang-analyzer-unix.Malloc): unlink_sub moved the head on */
        http_conn_set_on_close(lp, s->ev, NULL, NULL);
        app_stream_release(lp->app, s->client);
        unlink_sub(s);
        evhttp_send_reply_end(s->ev);
        free(s);
    }
}

size_t
stream_list_size(void)
{
    return sizeof(stream_list);
}
