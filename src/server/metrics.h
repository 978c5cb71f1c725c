/* server/metrics.h: counters for GET /metrics (Prometheus text format),
 * served on its own address, metrics_listen, never on the public one.
 *
 * Request counters and latency histograms are kept per loop and written
 * only by that loop's thread (a relaxed load and store, no locked
 * instruction on the request path); the metrics thread sums the loops when
 * it is scraped. Rarer events (moderation, commits, streams) go to shared
 * atomic counters. All counters only grow, so a scrape that races a request
 * sees it either counted or not yet.
 */
#ifndef PARLEY_SERVER_METRICS_H
#define PARLEY_SERVER_METRICS_H

#include <stdatomic.h>
#include <stdint.h>

#include "moderation/moderation.h"

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
    atomic_ullong cache_hits, cache_misses;
    /* Logged-in thread views: from the cached view and the reader's layer, or
     * built for the reader. */
    atomic_ullong personal_layer, personal_full;
    /* Where their session and layer came from: this loop's cache (hit), or
     * the database (miss); session_read.c. */
    atomic_ullong layer_hits, layer_misses;
} loop_metrics;

typedef struct app_metrics {
    atomic_ullong decisions[3]; /* by moderation_decision */
    histogram moderation;
    histogram commit;
    atomic_ullong commit_failures;
    atomic_ullong jobs_committed;
    atomic_long streams;
    atomic_ullong rate_limited;
    int64_t started_ms;
} app_metrics;

/* Loop thread: counts one answered request (route id, status, duration). */
void metrics_request(loop_metrics *m, int route, int status, int64_t ns);
/* Single-writer histogram (the loop's own, or the writer thread's). */
void metrics_observe_own(histogram *h, int64_t ns);
/* Any thread (locked add). */
void metrics_observe_shared(histogram *h, int64_t ns);

/* Writes the route's label ("GET /api/v1/me", "static") to buf. */
void metrics_route_label(const app *a, int route, char *buf, size_t n);

/* Starts the metrics thread on cfg->metrics_listen (no-op when empty).
 * Returns 0, or -1 after logging why. */
int metrics_start(app *a);
void metrics_stop(app *a);

/* Monotonic nanoseconds. */
int64_t metrics_now_ns(void);

#endif
