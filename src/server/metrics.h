/* server/metrics.h: counters for GET /metrics (Prometheus text format),
 * served on its own address, metrics_listen, never on the public one.
 *
 * The server's own metrics are transport: requests and their latency by
 * route, sessions read for thread pages, commits, rate limits, connections,
 * streams. The product's are named by the product (server_product.metrics,
 * server.h) and printed after the request counters.
 *
 * Request counters, latency histograms and the product's metrics are kept
 * per loop and written only by that loop's thread (a relaxed load and
 * store, no locked instruction on the request path); the metrics thread
 * sums the loops when it is scraped. Rarer events (commits, streams) go to
 * shared atomic counters. All counters only grow, so a scrape that races a
 * request sees it either counted or not yet.
 */
#ifndef PARLEY_SERVER_METRICS_H
#define PARLEY_SERVER_METRICS_H

#include <stdatomic.h>
#include <stdint.h>

#include "server/server.h"

typedef struct app app;
typedef struct loop loop;

/* Route ids (req.route): ROUTE_OTHER until a handler sets one; the
 * product's own start at ROUTE_PRODUCT and are named by its route_label
 * hook (server/server.h). */
enum { ROUTE_OTHER = 0, ROUTE_PRODUCT };
#define METRICS_ROUTES 96
#define METRICS_STATUSES 20
/* Latency buckets, seconds: 0.5 ms ... 5 s, then +Inf. */
#define METRICS_BUCKETS 14

typedef struct histogram {
    atomic_ullong bucket[METRICS_BUCKETS]; /* not cumulative: bucket i counts (le[i-1], le[i]] */
    atomic_ullong sum_us;
    atomic_ullong count;
} histogram;

typedef struct loop_metrics {
    atomic_ullong requests[METRICS_ROUTES][METRICS_STATUSES];
    histogram latency[METRICS_ROUTES];
    /* Where a thread page's session and layer came from: this loop's cache
     * (hit), or the database (miss); session_read.c. */
    atomic_ullong layer_hits, layer_misses;
    /* The product's metrics (server_product.metrics): counter series and
     * histograms, at the slots app_metrics.product_slot gives. */
    atomic_ullong product_series[SERVER_METRIC_SERIES_MAX];
    histogram product_histograms[SERVER_METRIC_HISTOGRAMS_MAX];
} loop_metrics;

typedef struct app_metrics {
    /* Where each of the product's metrics is kept: a counter's first
     * series in loop_metrics.product_series, a histogram's index in
     * loop_metrics.product_histograms (metrics_product_slots). */
    int product_slot[SERVER_METRICS_MAX];
    histogram commit;
    atomic_ullong commit_failures;
    atomic_ullong batches_undone;
    atomic_ullong jobs_committed;
    atomic_long streams;
    atomic_ullong rate_limited;
    int64_t started_ms;
} app_metrics;

/* Loop thread: counts one answered request (route id, status, duration). */
void metrics_request(loop_metrics *m, int route, int status, int64_t ns);
/* Single-writer histogram (the loop's own, or the writer thread's). */
void metrics_observe_own(histogram *h, int64_t ns);
/* Loop thread: one more in the product's counter series (its slot, see
 * app_metrics.product_slot), or a duration in its histogram. */
void metrics_product_count(loop_metrics *m, int slot);
void metrics_product_observe(loop_metrics *m, int slot, int64_t ns);

/* Checks the product's metric table (names, kinds, labels, the limits of
 * server.h) and fills a->metrics.product_slot. Returns 0, or -1 after
 * logging what is wrong. */
int metrics_product_slots(app *a);

/* Writes the route's label ("GET /api/v1/me", "static") to buf. */
void metrics_route_label(const app *a, int route, char *buf, size_t n);

/* Starts the metrics thread on cfg->metrics_listen (no-op when empty).
 * Returns 0, or -1 after logging why. */
int metrics_start(app *a);
void metrics_stop(app *a);

/* Monotonic nanoseconds. */
int64_t metrics_now_ns(void);

#endif
