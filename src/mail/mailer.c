/* mail/mailer.c: the sender thread; see mail.h.
 *
 * One thread per server with its own writable store connection. It claims
 * one due mail at a time (store_mail_claim leases it for ten minutes, so a
 * sender that dies mid-send leaves it to be retried, and senders on other
 * nodes skip it), sends it with libcurl and records the outcome. Then it
 * sleeps until the next waiting mail is due, at most 30 seconds (mail
 * queued by other nodes is noticed within that), or until a commit that
 * queued mail wakes it.
 *
 * The log never holds addresses, message text or the SMTP URL (which may
 * carry a password): only mail ids, attempts and libcurl's error name.
 */
#define PARLEY_CURL_THROUGH_TABLE
#include "mail/mail.h"
#include "util/curl_dl.h"
#include "util/log.h"
#include "util/text.h"
#include "util/xalloc.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LEASE_MS (10 * 60 * 1000)
#define IDLE_MS (30 * 1000)
#define MAX_BACKOFF_MS (6LL * 3600 * 1000)

struct mailer {
    const config *cfg;
    store *s;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool woken;
    atomic_bool stop;
    char from[256];
};

typedef struct upload {
    const char *data;
    size_t left;
} upload;

static size_t
read_cb(char *buf, size_t size, size_t nmemb, void *arg)
{
    upload *u = arg;
    size_t n = size * nmemb < u->left ? size * nmemb : u->left;
    memcpy(buf, u->data, n);
    u->data += n;
    u->left -= n;
    return n;
}

/* Aborts a transfer in progress when the server stops. */
static int
progress_cb(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
    (void)dt;
    (void)dn;
    (void)ut;
    (void)un;
    mailer *m = arg;
    return atomic_load(&m->stop) ? 1 : 0;
}

/* Sends one message. Returns 0 when the server accepted it; else sets
 * *permanent when the server refused it for good (a 5xx answer) and
 * writes why into why. */
static int
send_one(mailer *m, const store_mail *mail, bool *permanent, char *why, size_t why_n)
{
    const config *cfg = m->cfg;
    char errbuf[CURL_ERROR_SIZE] = "";
    char from[300], rcpt[300];
    snprintf(from, sizeof from, "<%s>", m->from);
    snprintf(rcpt, sizeof rcpt, "<%s>", mail->recipient);
    upload u = {mail->message, strlen(mail->message)};
    *permanent = false;

    CURL *c = curl_easy_init();
    if (c == NULL) {
        snprintf(why, why_n, "libcurl could not start");
        return -1;
    }
    struct curl_slist *to = curl_slist_append(NULL, rcpt);
    curl_easy_setopt(c, CURLOPT_URL, cfg->smtp_url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(c, CURLOPT_USE_SSL,
                     (long)(cfg->smtp_require_tls ? CURLUSESSL_ALL : CURLUSESSL_TRY));
    if (cfg->smtp_ca_file[0] != '\0')
        curl_easy_setopt(c, CURLOPT_CAINFO, cfg->smtp_ca_file);
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, to);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
    curl_easy_setopt(c, CURLOPT_READDATA, &u);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 15L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 120L);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, progress_cb);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, m);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    CURLcode res = curl_easy_perform(c);
    long code = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    curl_slist_free_all(to);
    curl_easy_cleanup(c);
    if (res == CURLE_OK)
        return 0;
    *permanent = code >= 500 && code < 600;
    snprintf(why, why_n, "%s (SMTP %ld): %s", curl_easy_strerror(res), code,
             errbuf[0] ? errbuf : "no detail");
    return -1;
}

/* Sends every due mail; returns when none is due, with the time the next
 * one is (0: none waits). */
static int64_t
drain(mailer *m, arena *a)
{
    const config *cfg = m->cfg;
    while (!atomic_load(&m->stop)) {
        arena_reset(a);
        store_mail mail;
        int64_t next = 0, now = time_now_ms();
        pl_error err;
        int rc = store_mail_claim(m->s, now, LEASE_MS, a, &mail, &next, &err);
        if (rc == PL_ENOTFOUND)
            return next;
        if (rc < 0) {
            log_warn("msg=\"mail outbox unavailable\" error=\"%s\"", err.msg);
            return now + IDLE_MS;
        }
        bool permanent;
        char why[512];
        rc = send_one(m, &mail, &permanent, why, sizeof why);
        now = time_now_ms();
        store_mail_state state = MAIL_SENT;
        int64_t retry_at = 0;
        if (rc == 0) {
            log_info("msg=\"mail sent\" mail=%lld attempts=%lld", (long long)mail.id,
                     (long long)mail.attempts);
            why[0] = '\0';
        } else if (atomic_load(&m->stop)) {
            state = MAIL_WAITING; /* interrupted: the next start sends it */
            retry_at = now;
            mail.attempts--;
        } else if (permanent || mail.attempts >= cfg->mail_max_attempts) {
            state = MAIL_FAILED;
            log_warn("msg=\"mail given up\" mail=%lld attempts=%lld error=\"%s\"",
                     (long long)mail.id, (long long)mail.attempts, why);
        } else {
            state = MAIL_WAITING;
            int64_t delay = cfg->mail_retry_s * 1000;
            for (int64_t k = 1; k < mail.attempts && delay < MAX_BACKOFF_MS; k++)
                delay *= 2;
            if (delay > MAX_BACKOFF_MS)
                delay = MAX_BACKOFF_MS;
            retry_at = now + delay;
            log_warn("msg=\"mail failed; will retry\" mail=%lld attempts=%lld retry_in_s=%lld "
                     "error=\"%s\"",
                     (long long)mail.id, (long long)mail.attempts, (long long)(delay / 1000), why);
        }
        if (store_mail_finish(m->s, mail.id, state, retry_at, why, now, &err) < 0)
            log_warn("msg=\"cannot record a mail's outcome\" mail=%lld error=\"%s\"",
                     (long long)mail.id, err.msg);
    }
    return 0;
}

static void *
mailer_main(void *arg)
{
    mailer *m = arg;
    arena *a = arena_new();
    while (!atomic_load(&m->stop)) {
        int64_t next = drain(m, a);
        int64_t now = time_now_ms();
        int64_t wake = now + IDLE_MS;
        if (next > 0 && next < wake)
            wake = next;
        struct timespec ts = {(time_t)(wake / 1000), (long)(wake % 1000) * 1000000};
        pthread_mutex_lock(&m->mu);
        while (!m->woken && !atomic_load(&m->stop))
            if (pthread_cond_timedwait(&m->cv, &m->mu, &ts) == ETIMEDOUT)
                break;
        m->woken = false;
        pthread_mutex_unlock(&m->mu);
    }
    arena_free(a);
    return NULL;
}

int
mailer_start(const config *cfg, mailer **out, pl_error *err)
{
    *out = NULL;
    int rc = curldl_load("sending mail", err);
    if (rc < 0)
        return rc;
    mailer *m = xcalloc(1, sizeof *m);
    m->cfg = cfg;
    const char *f = cfg->mail_from, *lt = strchr(f, '<');
    snprintf(m->from, sizeof m->from, "%s", lt ? lt + 1 : f);
    char *gt = strchr(m->from, '>');
    if (gt != NULL)
        *gt = '\0';
    rc = store_open(cfg->db, false, &m->s, err);
    if (rc < 0) {
        free(m);
        return rc;
    }
    pthread_mutex_init(&m->mu, NULL);
    pthread_cond_init(&m->cv, NULL);
    pthread_create(&m->thread, NULL, mailer_main, m);
    *out = m;
    return 0;
}

void
mailer_wake(mailer *m)
{
    if (m == NULL)
        return;
    pthread_mutex_lock(&m->mu);
    m->woken = true;
    pthread_cond_signal(&m->cv);
    pthread_mutex_unlock(&m->mu);
}

void
mailer_stop(mailer *m)
{
    if (m == NULL)
        return;
    pthread_mutex_lock(&m->mu);
    atomic_store(&m->stop, true);
    pthread_cond_signal(&m->cv);
    pthread_mutex_unlock(&m->mu);
    pthread_join(m->thread, NULL);
    pthread_mutex_destroy(&m->mu);
    pthread_cond_destroy(&m->cv);
    store_close(m->s);
    free(m);
}
