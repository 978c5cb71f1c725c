/* app/webhooks.c: see webhooks.h.
 *
 * One thread, one store connection of its own (writable: it claims and
 * records), one libcurl handle per attempt. The thread sleeps on a condition
 * variable until the earliest pending event is due, a write wakes it, or
 * POLL_MS passes (events added by other nodes wake nobody here).
 */
#include "app/webhooks.h"
#include "util/curl_dl.h"
#include "util/log.h"
#include "util/text.h"
#include "util/xalloc.h"

#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* Longest sleep when nothing is due: how late another node's events or a
 * lapsed claim are noticed. */
#define POLL_MS 5000
/* Longest wait before a retry, however many attempts failed. */
#define MAX_BACKOFF_MS 3600000LL
/* A claim outlives the longest attempt, so a live sender never loses its
 * event to another; a dead one's event is due again after it. */
#define LEASE_MARGIN_MS 30000
/* How much of the receiver's answer is read (it is only logged by status). */
#define MAX_ANSWER 65536

struct webhooks {
    const config *cfg;
    store *s;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv; /* on CLOCK_MONOTONIC */
    bool woken;
    atomic_bool stopping;
};

void
webhooks_sign(const char *secret, const char *body, size_t len, char out[WEBHOOKS_SIGNATURE_SIZE])
{
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
    crypto_auth_hmacsha256_final(&st, mac);
    memcpy(out, "sha256=", 7);
    sodium_bin2hex(out + 7, WEBHOOKS_SIGNATURE_SIZE - 7, mac, sizeof mac);
}

/* ---- bodies ------------------------------------------------------------------ */

/* Slack's mrkdwn gives &, < and > a meaning; everything else is literal. */
static const char *
slack_escape(arena *a, const char *s)
{
    if (s == NULL)
        return "";
    size_t n = 0;
    for (const char *p = s; *p; p++)
        n += *p == '&' ? 5 : (*p == '<' || *p == '>') ? 4 : 1;
    char *out = arena_alloc(a, n + 1), *o = out;
    for (const char *p = s; *p; p++) {
        const char *rep = *p == '&' ? "&amp;" : *p == '<' ? "&lt;" : *p == '>' ? "&gt;" : NULL;
        if (rep != NULL) {
            size_t k = strlen(rep);
            memcpy(o, rep, k);
            o += k;
        } else {
            *o++ = *p;
        }
    }
    *o = '\0';
    return out;
}

static const char *
str_at(json_t *o, const char *path1, const char *path2)
{
    json_t *v = json_object_get(o, path1);
    if (path2 != NULL)
        v = json_object_get(v, path2);
    return json_is_string(v) ? json_string_value(v) : "";
}

/* "“Title” (link)" for the article the data names. */
static const char *
slack_article(arena *a, json_t *data)
{
    const char *title = str_at(data, "article", "title");
    const char *url = str_at(data, "article", "url");
    const char *id = str_at(data, "article", "id");
    const char *name = slack_escape(a, title[0] ? title : id);
    if (url[0] != '\0' && strchr(url, '|') == NULL && strchr(url, '>') == NULL)
        return arena_printf(a, "<%s|%s>", url, name);
    return arena_printf(a, "“%s”", name);
}

static const char *
slack_text(arena *a, const char *event, json_t *data)
{
    const char *author = slack_escape(a, str_at(data, "comment", "author_name"));
    const char *body =
        slack_escape(a, text_excerpt(a, str_at(data, "comment", "body"), 300, 0, "…"));
    const char *cid = str_at(data, "comment", "id");
    if (strcmp(event, "comment.published") == 0)
        return arena_printf(a, "New comment by %s on %s:\n>%s", author, slack_article(a, data),
                            body);
    if (strcmp(event, "comment.held") == 0) {
        const char *rules = "";
        json_t *reasons = json_object_get(json_object_get(data, "moderation"), "reasons");
        size_t i;
        json_t *r;
        json_array_foreach(reasons, i, r)
        {
            rules = arena_printf(a, "%s%s%s", rules, i ? ", " : "",
                                 slack_escape(a, str_at(r, "rule", NULL)));
        }
        return arena_printf(a, "Comment %s by %s on %s is held for review (%s):\n>%s", cid, author,
                            slack_article(a, data), rules[0] ? rules : "pre-moderation", body);
    }
    if (strcmp(event, "comment.flagged") == 0)
        return arena_printf(a, "Comment %s by %s on %s was flagged as %s%s:\n>%s", cid, author,
                            slack_article(a, data), slack_escape(a, str_at(data, "flag", "reason")),
                            json_is_true(json_object_get(data, "hidden"))
                                ? " and is hidden until a moderator reviews it"
                                : "",
                            body);
    if (strcmp(event, "moderation.decision") == 0) {
        const char *reason = str_at(data, "reason", NULL);
        return arena_printf(a, "%s: %s on comment %s by %s on %s%s%s",
                            slack_escape(a, str_at(data, "moderator", "name")),
                            slack_escape(a, str_at(data, "action", NULL)), cid, author,
                            slack_article(a, data), reason[0] ? " — " : "",
                            slack_escape(a, reason));
    }
    if (strcmp(event, "user.banned") == 0) {
        const char *until = str_at(data, "until", NULL);
        const char *by = str_at(data, "moderator", "name");
        return arena_printf(a, "%s (user %s) is %s%s by %s: %s",
                            slack_escape(a, str_at(data, "user", "name")),
                            str_at(data, "user", "id"), until[0] ? "suspended until " : "banned",
                            until, by[0] ? slack_escape(a, by) : "the moderation engine",
                            slack_escape(a, str_at(data, "reason", NULL)));
    }
    if (strcmp(event, "webhook.test") == 0)
        return arena_printf(a, "Test event from Parley, sent by %s.",
                            slack_escape(a, str_at(data, "requested_by", "name")));
    return arena_printf(a, "Parley event %s", slack_escape(a, event));
}

const char *
webhooks_body(const config *cfg, const store_outbox_item *item, arena *a)
{
    json_t *data = json_loads(item->payload, JSON_REJECT_DUPLICATES, NULL);
    if (data == NULL)
        return NULL;
    json_t *o;
    if (strcmp(cfg->webhook_format, "slack") == 0) {
        o = json_pack("{s:s}", "text", slack_text(a, item->event, data));
        json_decref(data);
    } else {
        char id[24], at[32];
        snprintf(id, sizeof id, "%lld", (long long)item->id);
        time_format_rfc3339(item->created_at, at);
        o = json_pack("{s:s, s:s, s:s, s:o}", "id", id, "event", item->event, "created_at", at,
                      "data", data);
    }
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    const char *out = text ? arena_strdup(a, text) : NULL;
    free(text);
    return out;
}

/* ---- delivery ---------------------------------------------------------------- */

static size_t
/* NOLINTNEXTLINE(readability-non-const-parameter): libcurl's write callback type */
discard_answer(char *p, size_t size, size_t n, void *arg)
{
    (void)p;
    size_t *seen = arg;
    *seen += size * n;
    return *seen > MAX_ANSWER ? 0 : size * n; /* 0 ends a huge answer early */
}

static int
abort_on_stop(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
    (void)dltotal;
    (void)dlnow;
    (void)ultotal;
    (void)ulnow;
    webhooks *w = arg;
    return atomic_load(&w->stopping) ? 1 : 0;
}

/* One POST. Returns the curl result; *status gets the HTTP status (0 when
 * none came) and errbuf (CURL_ERROR_SIZE) what went wrong. */
static CURLcode
post(webhooks *w, const store_outbox_item *item, const char *body, long *status, char *errbuf)
{
    const curldl_api *c = curldl_table();
    const config *cfg = w->cfg;
    CURL *h = c->curl_easy_init();
    *status = 0;
    errbuf[0] = '\0';
    if (h == NULL) {
        snprintf(errbuf, CURL_ERROR_SIZE, "cannot create a curl handle");
        return CURLE_OUT_OF_MEMORY;
    }
    char line[128];
    struct curl_slist *headers = c->curl_slist_append(NULL, "Content-Type: application/json");
    snprintf(line, sizeof line, "X-Parley-Event: %s", item->event);
    headers = c->curl_slist_append(headers, line);
    snprintf(line, sizeof line, "X-Parley-Delivery: %lld", (long long)item->id);
    headers = c->curl_slist_append(headers, line);
    if (cfg->webhook_secret[0] != '\0') {
        char sig[WEBHOOKS_SIGNATURE_SIZE];
        webhooks_sign(cfg->webhook_secret, body, strlen(body), sig);
        snprintf(line, sizeof line, "X-Parley-Signature: %s", sig);
        headers = c->curl_slist_append(headers, line);
    }
    headers = c->curl_slist_append(headers, "Expect:"); /* no 100-continue round trip */
    size_t seen = 0;
    c->curl_easy_setopt(h, CURLOPT_URL, cfg->webhook_url);
    c->curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    c->curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    c->curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    c->curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    c->curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    c->curl_easy_setopt(h, CURLOPT_USERAGENT, "Parley-Webhook/1");
    c->curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)cfg->webhook_timeout_ms);
    c->curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)cfg->webhook_timeout_ms);
    c->curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    c->curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard_answer);
    c->curl_easy_setopt(h, CURLOPT_WRITEDATA, &seen);
    c->curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    c->curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, abort_on_stop);
    c->curl_easy_setopt(h, CURLOPT_XFERINFODATA, w);
    CURLcode rc = c->curl_easy_perform(h);
    c->curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
    if (rc == CURLE_WRITE_ERROR && *status >= 200 && *status < 300)
        rc = CURLE_OK; /* an over-long answer still acknowledged the event */
    if (rc != CURLE_OK && errbuf[0] == '\0')
        snprintf(errbuf, CURL_ERROR_SIZE, "%s", c->curl_easy_strerror(rc));
    c->curl_slist_free_all(headers);
    c->curl_easy_cleanup(h);
    return rc;
}

static int64_t
backoff(const config *cfg, int64_t attempts)
{
    int64_t d = cfg->webhook_retry_ms;
    for (int64_t i = 1; i < attempts && d < MAX_BACKOFF_MS; i++)
        d *= 2;
    if (d > MAX_BACKOFF_MS)
        d = MAX_BACKOFF_MS;
    /* Up to a tenth more, so events that failed together spread out. */
    return d + (int64_t)randombytes_uniform((uint32_t)(d / 10 + 1));
}

static void
deliver(webhooks *w, store_outbox_item *item, arena *a)
{
    const config *cfg = w->cfg;
    pl_error err;
    const char *body = webhooks_body(cfg, item, a);
    long status = 0;
    char errbuf[CURL_ERROR_SIZE];
    CURLcode cc = CURLE_OK;
    if (body == NULL)
        snprintf(errbuf, sizeof errbuf, "the stored event is not JSON");
    else
        cc = post(w, item, body, &status, errbuf);
    int64_t now = time_now_ms();
    if (cc == CURLE_ABORTED_BY_CALLBACK) {
        /* Shutting down: not an attempt; due again at the next start. */
        item->next_at = now;
        item->last_error = "interrupted by shutdown";
    } else {
        item->attempts++;
        item->last_at = now;
        item->last_status = status;
        if (body != NULL && cc == CURLE_OK && status >= 200 && status < 300) {
            item->state = OUTBOX_DELIVERED;
            item->last_error = "";
        } else {
            item->last_error = cc != CURLE_OK || body == NULL
                                   ? arena_strdup(a, errbuf)
                                   : arena_printf(a, "the receiver answered HTTP %ld", status);
            if (item->attempts >= cfg->webhook_max_attempts || body == NULL)
                item->state = OUTBOX_FAILED;
            else
                item->next_at = now + backoff(cfg, item->attempts);
        }
    }
    /* Recorded first, then logged: the log line means the record is there. */
    if (store_outbox_record(w->s, item, &err) < 0)
        log_error("msg=\"cannot record a webhook delivery\" id=%lld error=\"%s\"",
                  (long long)item->id, err.msg);
    log_info("msg=\"webhook delivery\" id=%lld event=%s state=%s attempts=%lld status=%ld",
             (long long)item->id, item->event,
             item->state == OUTBOX_DELIVERED ? "delivered"
             : item->state == OUTBOX_FAILED  ? "failed"
                                             : "pending",
             (long long)item->attempts, status);
}

/* ---- the thread -------------------------------------------------------------- */

static void
wait_until(webhooks *w, int64_t ms_from_now)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += ms_from_now / 1000;
    ts.tv_nsec += (long)(ms_from_now % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&w->mu);
    while (!w->woken && !atomic_load(&w->stopping))
        if (pthread_cond_timedwait(&w->cv, &w->mu, &ts) == ETIMEDOUT)
            break;
    w->woken = false;
    pthread_mutex_unlock(&w->mu);
}

static void *
sender_main(void *arg)
{
    webhooks *w = arg;
    const config *cfg = w->cfg;
    arena *a = arena_new();
    int64_t lease = cfg->webhook_timeout_ms * 2 + LEASE_MARGIN_MS;
    int64_t purged_at = 0;
    while (!atomic_load(&w->stopping)) {
        pl_error err;
        int64_t now = time_now_ms(), next_due = 0, sleep_ms = POLL_MS;
        arena_reset(a);
        if (now - purged_at > 3600000) {
            if (store_outbox_purge(w->s, now - cfg->webhook_keep_days * 86400000LL, &err) < 0)
                log_warn("msg=\"cannot purge the webhook outbox\" error=\"%s\"", err.msg);
            purged_at = now;
        }
        store_outbox_item item;
        int rc = store_outbox_claim(w->s, now, lease, a, &item, &next_due, &err);
        if (rc == 0) {
            deliver(w, &item, a);
            continue;
        }
        if (rc == PL_ENOTFOUND) {
            if (next_due > 0 && next_due - now < sleep_ms)
                sleep_ms = next_due > now ? next_due - now : 1;
        } else {
            log_warn("msg=\"cannot read the webhook outbox\" error=\"%s\"", err.msg);
            sleep_ms = 1000;
        }
        wait_until(w, sleep_ms);
    }
    arena_free(a);
    return NULL;
}

int
webhooks_start(const config *cfg, webhooks **out, pl_error *err)
{
    *out = NULL;
    if (cfg->webhook_url[0] == '\0')
        return 0;
    int rc = curldl_load("sending webhooks", err);
    if (rc < 0)
        return rc;
    webhooks *w = xcalloc(1, sizeof *w);
    w->cfg = cfg;
    if ((rc = store_open(cfg->db, false, &w->s, err)) < 0) {
        free(w);
        return rc;
    }
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&w->cv, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&w->mu, NULL);
    atomic_init(&w->stopping, false);
    pthread_create(&w->thread, NULL, sender_main, w);
    *out = w;
    return 0;
}

void
webhooks_wake(webhooks *w)
{
    if (w == NULL)
        return;
    pthread_mutex_lock(&w->mu);
    w->woken = true;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

void
webhooks_stop(webhooks *w)
{
    if (w == NULL)
        return;
    pthread_mutex_lock(&w->mu);
    atomic_store(&w->stopping, true);
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    store_close(w->s);
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->mu);
    free(w);
}
