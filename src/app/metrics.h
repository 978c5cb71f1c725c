/* app/metrics.h: the product's metrics on GET /metrics: the families the
 * product names (main.c hands site_metrics to the server as
 * server_product.metrics) and their ids, which handlers count with
 * req_metric_count and req_metric_observe (server/server.h). The server's
 * own (requests, latency, commits, connections, streams) are not here.
 */
#ifndef PARLEY_APP_METRICS_H
#define PARLEY_APP_METRICS_H

#include "server/server.h"

/* Index of each family in site_metrics. */
enum {
    /* parley_cache_requests_total{result}: anonymous thread views answered
     * from the view cache (SITE_CACHE_HIT) or built (SITE_CACHE_MISS). */
    SITE_METRIC_CACHE,
    /* parley_personal_views_total{path}: logged-in readers' thread views,
     * made from the cached view and their layer (SITE_PERSONAL_LAYER) or
     * built for them (SITE_PERSONAL_FULL). */
    SITE_METRIC_PERSONAL,
    /* parley_comments_total{decision}: comments the moderation engine
     * judged, posted or edited; the series is the moderation_decision. */
    SITE_METRIC_COMMENTS,
    /* parley_moderation_duration_seconds: the engine's time per comment. */
    SITE_METRIC_MODERATION,
    SITE_METRIC_COUNT
};

enum { SITE_CACHE_HIT, SITE_CACHE_MISS };
enum { SITE_PERSONAL_LAYER, SITE_PERSONAL_FULL };

extern const server_metric site_metrics[SITE_METRIC_COUNT];

#endif
