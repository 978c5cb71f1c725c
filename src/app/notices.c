/* app/notices.c: keeping several nodes' caches and live updates in step.
 *
 * With several Parley nodes on one PostgreSQL database, a comment written
 * through one node must drop the cached thread views of every node and reach
 * the live-update streams of every node. The writer queues one notice per
 * changed article inside the job's transaction (so it is delivered only if
 * the write commits); each node listens on a connection of its own, watched
 * by its first event loop, and applies the notices of the other nodes as if
 * they were its own writes. On SQLite there is one process, store_listen
 * reports no descriptor, and none of this runs.
 *
 * A notice is one line: "NODE ARTICLE EVENT COMMENT AUTHOR" ("-" for no event,
 * 0 for no author; nodes of the previous version send no AUTHOR). ARTICLE
 * "!settings" (never an article id) says the site's settings changed: the
 * main thread, woken by server_wake, reads and applies the new version
 * (site_tick).
 */
#include "app/events_int.h"
#include "app/site.h"
#include "util/log.h"
#include "util/text.h"

#include <event2/event.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define NOTICE_SETTINGS "!settings"
#define NOTICE_PEOPLE "!people"

static int
send_one(site_ctx *a, store *s, const char *article, const char *event, int64_t comment,
         int64_t author, pl_error *err)
{
    char payload[256];
    snprintf(payload, sizeof payload, "%s %s %s %lld %lld", a->node_id, article,
             event ? event : "-", (long long)comment, (long long)author);
    return store_notify(s, payload, err);
}

int
notices_send(site_ctx *a, store *s, const site_change *c, pl_error *err)
{
    return send_one(a, s, c->article, c->event, c->event_comment, c->event_author, err);
}

int
notices_send_article(site_ctx *a, store *s, const char *article, pl_error *err)
{
    return send_one(a, s, article, NULL, 0, 0, err);
}

int
notices_send_settings(site_ctx *a, store *s, pl_error *err)
{
    return send_one(a, s, NOTICE_SETTINGS, NULL, 0, 0, err);
}

int
notices_send_people(site_ctx *a, store *s, pl_error *err)
{
    return send_one(a, s, NOTICE_PEOPLE, NULL, 0, 0, err);
}

static void
on_notice(void *arg, const char *payload)
{
    site_ctx *a = arg;
    char node[32], article[160], event[16];
    long long comment = 0, author = 0;
    /* A node of the previous version sends no author (four fields). */
    int fields =
        /* NOLINTNEXTLINE(cert-err34-c): a node of this site sent it; checked below */
        sscanf(payload, "%31s %159s %15s %lld %lld", node, article, event, &comment, &author);
    if (fields >= 4 && strcmp(article, NOTICE_SETTINGS) == 0) {
        if (strcmp(node, a->node_id) != 0)
            server_wake(a->srv);
        return;
    }
    if (fields >= 4 && strcmp(article, NOTICE_PEOPLE) == 0) {
        if (strcmp(node, a->node_id) != 0)
            server_sessions_changed(a->srv);
        return;
    }
    if (fields < 4 || !article_key_valid(article)) {
        log_warn("msg=\"ignoring a malformed change notice\"");
        return;
    }
    if (strcmp(node, a->node_id) == 0)
        return; /* our own write: already applied */
    cache_bump(a->cache, article);
    if (strcmp(event, "-") != 0 &&
        (!strcmp(event, "created") || !strcmp(event, "edited") || !strcmp(event, "removed")))
        events_publish(a->srv, article,
                       strcmp(event, "created") == 0  ? "created"
                       : strcmp(event, "edited") == 0 ? "edited"
                                                      : "removed",
                       comment, author > 0 ? author : 0);
}

static int listen_on(site_ctx *a);

static void
readable_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    site_ctx *a = arg;
    pl_error err;
    if (store_notices(a->listener, on_notice, a, &err) == 0)
        return;
    /* The connection broke: every cached view may have missed a change, so
     * drop them all by reconnecting with a fresh listener; until then this
     * node still serves its own writes correctly. */
    log_error("msg=\"change-notice connection lost; reconnecting\" error=\"%s\"", err.msg);
    notices_stop(a);
    cache_bump_all(a->cache); /* what other nodes wrote meanwhile was not heard */
    server_sessions_changed(a->srv);
    if (listen_on(a) < 0)
        log_error("msg=\"cannot listen for change notices; other nodes' writes may show late\"");
}

static int
listen_on(site_ctx *a)
{
    pl_error err;
    int fd = -1;
    if (store_open(server_config(a->srv)->db, true, &a->listener, &err) < 0 ||
        store_listen(a->listener, &fd, &err) < 0) {
        log_error("msg=\"cannot listen for change notices\" error=\"%s\"", err.msg);
        store_close(a->listener);
        a->listener = NULL;
        return -1;
    }
    if (fd < 0) { /* single-process backend */
        store_close(a->listener);
        a->listener = NULL;
        return 0;
    }
    a->listen_ev = event_new(server_loop_base(a->srv, 0), fd, EV_READ | EV_PERSIST, readable_cb, a);
    event_add(a->listen_ev, NULL);
    log_info("msg=\"listening for change notices\" node=%s", a->node_id);
    return 0;
}

int
notices_start(site_ctx *a)
{
    unsigned char id[8];
    randombytes_buf(id, sizeof id);
    for (int i = 0; i < 8; i++)
        snprintf(a->node_id + 2 * i, 3, "%02x", id[i]);
    return listen_on(a);
}

void
notices_stop(site_ctx *a)
{
    if (a->listen_ev) {
        event_free(a->listen_ev);
        a->listen_ev = NULL;
    }
    store_close(a->listener);
    a->listener = NULL;
}
