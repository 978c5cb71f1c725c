/* tools/metrics.h: ranking measures shared by the trainer (choices on DEV)
 * and the evaluator (reports on TEST). Build time only. */
#ifndef PARLEY_TOOLS_METRICS_H
#define PARLEY_TOOLS_METRICS_H
#include <stddef.h>

/* A score and its label: y is a target in [0, 1] (a crowd share or 0/1);
 * the sample counts as positive when y >= 0.5. */
typedef struct scored {
    double p;
    double y;
} scored;

static inline int
scored_pos(const scored *s)
{
    return s->y >= 0.5;
}

/* ROC AUC by the rank-sum formula, ties given their mean rank; NAN when
 * either class is empty. Sorts v by ascending score. */
double roc_auc(scored *v, size_t n);

#endif
