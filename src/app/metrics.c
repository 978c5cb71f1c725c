/* app/metrics.c: see metrics.h. */
#include "app/metrics.h"
#include "moderation/moderation.h"

static const char *const cache_results[] = {[SITE_CACHE_HIT] = "hit", [SITE_CACHE_MISS] = "miss"};
static const char *const personal_paths[] = {
    [SITE_PERSONAL_LAYER] = "layer", [SITE_PERSONAL_FULL] = "full"};
static const char *const decisions[] = {
    [MOD_PUBLISH] = "publish", [MOD_HOLD] = "hold", [MOD_REJECT] = "reject"};

const server_metric site_metrics[SITE_METRIC_COUNT] = {
    [SITE_METRIC_CACHE] = {"parley_cache_requests_total", METRIC_COUNTER,
                           "Anonymous thread views answered from the cache (hit) or built (miss).",
                           "result", cache_results, 2},
    [SITE_METRIC_PERSONAL] = {"parley_personal_views_total", METRIC_COUNTER,
                              "Logged-in readers' thread views: made from the cached view and the "
                              "reader's own layer (layer), or built for the reader (full: a "
                              "pending comment of theirs in the article, or a muted author on the "
                              "page).",
                              "path", personal_paths, 2},
    [SITE_METRIC_COMMENTS] = {"parley_comments_total", METRIC_COUNTER,
                              "Comments judged by the moderation engine when posted or edited, by "
                              "decision.",
                              "decision", decisions, 3},
    [SITE_METRIC_MODERATION] = {"parley_moderation_duration_seconds", METRIC_HISTOGRAM,
                                "Time the moderation engine took per comment.", NULL, NULL, 0},
};
