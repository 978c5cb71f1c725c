/* server/metrics.c: see metrics.h. */
#include "server/metrics.h"
#include "server/server_int.h"
#include "util/log.h"
#include "util/text.h"
#include "util/xalloc.h"

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/listener.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const int status_codes[METRICS_STATUSES - 1] = {
    200, 201, 204, 304, 400, 401, 403, 404, 405, 409, 410, 413, 415, 422, 423, 429, 500, 503, 504};
static const double bucket_le[METRICS_BUCKETS - 1] = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};

int64_t
metrics_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int
status_index(int status)
{
    for (int i = 0; i < METRICS_STATUSES - 1; i++)
        if (status_codes[i] == status)
            return i;
    return METRICS_STATUSES - 1; /* "other" */
}

static int
bucket_index(int64_t ns)
{
    double s = (double)ns / 1e9;
    for (int i = 0; i < METRICS_BUCKETS - 1; i++)
        if (s <= bucket_le[i])
            return i;
    return METRICS_BUCKETS - 1;
}

/* One writer: load and store, which compile to plain moves. */
static void
bump_own(atomic_ullong *c, unsigned long long by)
{
    atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + by,
                          memory_order_relaxed);
}

void
metrics_observe_own(histogram *h, int64_t ns)
{
    if (ns < 0)
        ns = 0;
    bump_own(&h->bucket[bucket_index(ns)], 1);
    bump_own(&h->sum_us, (unsigned long long)(ns / 1000));
    bump_own(&h->count, 1);
}

void
metrics_product_count(loop_metrics *m, int slot)
{
    bump_own(&m->product_series[slot], 1);
}

void
metrics_product_observe(loop_metrics *m, int slot, int64_t ns)
{
    metrics_observe_own(&m->product_histograms[slot], ns);
}

/* The number of series of a counter family. */
static int
series_of(const server_metric *m)
{
    return m->label != NULL ? m->n_values : 1;
}

int
metrics_product_slots(app *a)
{
    const server_product *p = a->product;
    int series = 0, histograms = 0;
    if (p->n_metrics > SERVER_METRICS_MAX) {
        log_error("msg=\"too many product metrics\" n=%zu max=%d", p->n_metrics,
                  SERVER_METRICS_MAX);
        return -1;
    }
    for (size_t i = 0; i < p->n_metrics; i++) {
        const server_metric *m = &p->metrics[i];
        bool ok = m->name != NULL && m->help != NULL;
        if (ok && m->kind == METRIC_HISTOGRAM) {
            ok = m->label == NULL && histograms < SERVER_METRIC_HISTOGRAMS_MAX;
            a->metrics.product_slot[i] = histograms++;
        } else if (ok) {
            ok = m->kind == METRIC_COUNTER &&
                 (m->label == NULL ? m->n_values == 0 : m->values != NULL && m->n_values > 0) &&
                 series + series_of(m) <= SERVER_METRIC_SERIES_MAX;
            a->metrics.product_slot[i] = series;
            series += ok ? series_of(m) : 0;
        }
        if (!ok) {
            log_error("msg=\"bad product metric\" index=%zu name=\"%s\"", i,
                      m->name != NULL ? m->name : "");
            return -1;
        }
    }
    return 0;
}

void
metrics_request(loop_metrics *m, int route, int status, int64_t ns)
{
    if (route < 0 || route >= METRICS_ROUTES)
        route = ROUTE_OTHER;
    bump_own(&m->requests[route][status_index(status)], 1);
    metrics_observe_own(&m->latency[route], ns);
}

void
metrics_route_label(const app *a, int route, char *buf, size_t n)
{
    if (route >= ROUTE_PRODUCT && a->product->route_label != NULL)
        a->product->route_label(route, buf, n);
    else
        snprintf(buf, n, "other");
}

/* ---- the exposition ------------------------------------------------------ */

static unsigned long long
get(const atomic_ullong *c)
{
    return atomic_load_explicit(c, memory_order_relaxed);
}

static void
header(struct evbuffer *b, const char *name, const char *type, const char *help)
{
    evbuffer_add_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* Writes a histogram's series; labels is "" or `route="..."` (no braces). */
static void
histogram_series(struct evbuffer *b, const char *name, const char *labels, const histogram *h)
{
    unsigned long long cum = 0;
    const char *sep = labels[0] ? "," : "";
    for (int i = 0; i < METRICS_BUCKETS; i++) {
        cum += get(&h->bucket[i]);
        if (i < METRICS_BUCKETS - 1)
            evbuffer_add_printf(b, "%s_bucket{%s%sle=\"%g\"} %llu\n", name, labels, sep,
                                bucket_le[i], cum);
        else
            evbuffer_add_printf(b, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", name, labels, sep, cum);
    }
    if (labels[0])
        evbuffer_add_printf(b, "%s_sum{%s} %.6f\n%s_count{%s} %llu\n", name, labels,
                            (double)get(&h->sum_us) / 1e6, name, labels, cum);
    else
        evbuffer_add_printf(b, "%s_sum %.6f\n%s_count %llu\n", name, (double)get(&h->sum_us) / 1e6,
                            name, cum);
}

static void
histogram_add(histogram *into, const histogram *h)
{
    for (int i = 0; i < METRICS_BUCKETS; i++)
        bump_own(&into->bucket[i], get(&h->bucket[i]));
    bump_own(&into->sum_us, get(&h->sum_us));
    bump_own(&into->count, get(&h->count));
}

/* The product's families (server_product.metrics), from the loops' sum. */
static void
product_families(const app *a, struct evbuffer *b, const loop_metrics *sum)
{
    const server_product *p = a->product;
    for (size_t i = 0; i < p->n_metrics; i++) {
        const server_metric *m = &p->metrics[i];
        int slot = a->metrics.product_slot[i];
        if (m->kind == METRIC_HISTOGRAM) {
            header(b, m->name, "histogram", m->help);
            histogram_series(b, m->name, "", &sum->product_histograms[slot]);
            continue;
        }
        header(b, m->name, "counter", m->help);
        if (m->label == NULL) {
            evbuffer_add_printf(b, "%s %llu\n", m->name, get(&sum->product_series[slot]));
            continue;
        }
        for (int v = 0; v < m->n_values; v++)
            evbuffer_add_printf(b, "%s{%s=\"%s\"} %llu\n", m->name, m->label, m->values[v],
                                get(&sum->product_series[slot + v]));
    }
}

static void
render(app *a, struct evbuffer *b)
{
    /* Sum the loops into one private copy. */
    loop_metrics *sum = xcalloc(1, sizeof *sum);
    for (int l = 0; l < a->nloops; l++) {
        const loop_metrics *m = a->loops[l].metrics;
        for (int r = 0; r < METRICS_ROUTES; r++) {
            for (int s = 0; s < METRICS_STATUSES; s++)
                bump_own(&sum->requests[r][s], get(&m->requests[r][s]));
            histogram_add(&sum->latency[r], &m->latency[r]);
        }
        bump_own(&sum->layer_hits, get(&m->layer_hits));
        bump_own(&sum->layer_misses, get(&m->layer_misses));
        for (int i = 0; i < SERVER_METRIC_SERIES_MAX; i++)
            bump_own(&sum->product_series[i], get(&m->product_series[i]));
        for (int i = 0; i < SERVER_METRIC_HISTOGRAMS_MAX; i++)
            histogram_add(&sum->product_histograms[i], &m->product_histograms[i]);
    }
    char label[160];
    header(b, "parley_http_requests_total", "counter",
           "HTTP requests answered, by route and status.");
    for (int r = 0; r < METRICS_ROUTES; r++) {
        metrics_route_label(a, r, label, sizeof label);
        for (int s = 0; s < METRICS_STATUSES; s++) {
            unsigned long long n = get(&sum->requests[r][s]);
            if (n == 0)
                continue;
            if (s < METRICS_STATUSES - 1)
                evbuffer_add_printf(b,
                                    "parley_http_requests_total{route=\"%s\",status=\"%d\"} %llu\n",
                                    label, status_codes[s], n);
            else
                evbuffer_add_printf(
                    b, "parley_http_requests_total{route=\"%s\",status=\"other\"} %llu\n", label,
                    n);
        }
    }
    header(b, "parley_http_request_duration_seconds", "histogram",
           "Time from a request's arrival to its response, by route.");
    for (int r = 0; r < METRICS_ROUTES; r++) {
        if (get(&sum->latency[r].count) == 0)
            continue;
        char labels[200];
        metrics_route_label(a, r, label, sizeof label);
        snprintf(labels, sizeof labels, "route=\"%s\"", label);
        histogram_series(b, "parley_http_request_duration_seconds", labels, &sum->latency[r]);
    }
    product_families(a, b, sum);
    header(b, "parley_session_layer_reads_total", "counter",
           "Logged-in readers' sessions and layers for thread views: from the node's cache "
           "(hit) or read from the database (miss).");
    evbuffer_add_printf(b, "parley_session_layer_reads_total{result=\"hit\"} %llu\n",
                        get(&sum->layer_hits));
    evbuffer_add_printf(b, "parley_session_layer_reads_total{result=\"miss\"} %llu\n",
                        get(&sum->layer_misses));
    free(sum);

    app_metrics *am = &a->metrics;
    header(b, "parley_commit_duration_seconds", "histogram",
           "Time of one group commit (begin to durable), including its jobs' writes.");
    histogram_series(b, "parley_commit_duration_seconds", "", &am->commit);
    header(b, "parley_commit_failures_total", "counter", "Group commits that failed.");
    evbuffer_add_printf(b, "parley_commit_failures_total %llu\n", get(&am->commit_failures));
    header(b, "parley_batches_undone_total", "counter",
           "Batches of a group commit undone and run again job by job.");
    evbuffer_add_printf(b, "parley_batches_undone_total %llu\n", get(&am->batches_undone));
    header(b, "parley_jobs_committed_total", "counter", "Write jobs in committed groups.");
    evbuffer_add_printf(b, "parley_jobs_committed_total %llu\n", get(&am->jobs_committed));
    header(b, "parley_rate_limited_total", "counter", "Requests refused with 429.");
    evbuffer_add_printf(b, "parley_rate_limited_total %llu\n", get(&am->rate_limited));

    pthread_mutex_lock(&a->writes.mu);
    size_t depth = a->writes.len;
    pthread_mutex_unlock(&a->writes.mu);
    header(b, "parley_write_queue_depth", "gauge", "Write jobs waiting for the writer thread.");
    evbuffer_add_printf(b, "parley_write_queue_depth %zu\n", depth);
    header(b, "parley_open_connections", "gauge", "Open client connections (public listener).");
    evbuffer_add_printf(b, "parley_open_connections %ld\n", atomic_load(&a->conns_total));
    header(b, "parley_live_streams", "gauge", "Open live-update (Server-Sent Events) streams.");
    evbuffer_add_printf(b, "parley_live_streams %ld\n", atomic_load(&am->streams));
    header(b, "parley_start_time_seconds", "gauge", "When the server started (Unix time).");
    evbuffer_add_printf(b, "parley_start_time_seconds %.3f\n", (double)am->started_ms / 1000.0);
    header(b, "parley_build_info", "gauge", "The running version and commit (value 1).");
    evbuffer_add_printf(b, "parley_build_info{version=\"%s\"} 1\n",
                        a->version != NULL ? a->version : "unknown");
}

static void
metrics_cb(struct evhttp_request *ev, void *arg)
{
    app *a = arg;
    struct evbuffer *b = evbuffer_new();
    struct evkeyvalq *h = evhttp_request_get_output_headers(ev);
    const char *uri = evhttp_request_get_uri(ev);
    size_t plen = strcspn(uri, "?");
    bool get_or_head = evhttp_request_get_command(ev) == EVHTTP_REQ_GET ||
                       evhttp_request_get_command(ev) == EVHTTP_REQ_HEAD;
    if (plen != 8 || strncmp(uri, "/metrics", 8) != 0 || !get_or_head) {
        evhttp_add_header(h, "Content-Type", "text/plain; charset=utf-8");
        evbuffer_add_printf(b, "This address serves GET /metrics only.\n");
        bool wrong_method = plen == 8 && strncmp(uri, "/metrics", 8) == 0;
        evhttp_send_reply(ev, wrong_method ? 405 : 404,
                          wrong_method ? "Method Not Allowed" : "Not Found", b);
        evbuffer_free(b);
        return;
    }
    render(a, b);
    evhttp_add_header(h, "Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    evhttp_add_header(h, "Cache-Control", "no-store");
    evhttp_send_reply(ev, 200, "OK", b);
    evbuffer_free(b);
}

static void *
metrics_main(void *arg)
{
    app *a = arg;
    event_base_loop(a->metrics_base, EVLOOP_NO_EXIT_ON_EMPTY);
    return NULL;
}

int
metrics_start(app *a)
{
    if (a->cfg->metrics_listen[0] == '\0')
        return 0;
    char url[128];
    if (server_bind(a->cfg->metrics_listen, &a->metrics_fd, url, sizeof url) < 0)
        return -1;
    a->metrics_base = event_base_new();
    a->metrics_http = a->metrics_base ? evhttp_new(a->metrics_base) : NULL;
    if (a->metrics_http == NULL || evhttp_accept_socket(a->metrics_http, a->metrics_fd) != 0) {
        log_error("msg=\"cannot serve metrics\" address=\"%s\"", a->cfg->metrics_listen);
        return -1;
    }
    a->metrics_fd = -1; /* evhttp owns it now */
    evhttp_set_max_headers_size(a->metrics_http, 8192);
    evhttp_set_max_body_size(a->metrics_http, 4096);
    evhttp_set_timeout(a->metrics_http, 10);
    evhttp_set_gencb(a->metrics_http, metrics_cb, a);
    if (pthread_create(&a->metrics_thread, NULL, metrics_main, a) != 0) {
        log_error("msg=\"cannot start the metrics thread\"");
        return -1;
    }
    a->metrics_running = true;
    log_info("msg=\"metrics listening\" url=%s/metrics", url);
    return 0;
}

static void
metrics_exit_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    event_base_loopbreak(arg);
}

void
metrics_stop(app *a)
{
    if (a->metrics_running) {
        event_base_once(a->metrics_base, -1, EV_TIMEOUT, metrics_exit_cb, a->metrics_base, NULL);
        pthread_join(a->metrics_thread, NULL);
        a->metrics_running = false;
    }
    if (a->metrics_http)
        evhttp_free(a->metrics_http);
    if (a->metrics_base)
        event_base_free(a->metrics_base);
    if (a->metrics_fd >= 0)
        close(a->metrics_fd);
    a->metrics_http = NULL;
    a->metrics_base = NULL;
    a->metrics_fd = -1;
}
