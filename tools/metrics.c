/* tools/metrics.c: ranking measures shared by tools/train and tools/evalmodel
 * (metrics.h). */
#include "metrics.h"

#include <math.h>
#include <stdlib.h>

static int
cmp_scored(const void *a, const void *b)
{
    double x = ((const scored *)a)->p, y = ((const scored *)b)->p;
    return x < y ? -1 : x > y;
}

double
roc_auc(scored *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_scored);
    double pos = 0, rank_sum = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && v[j].p == v[i].p)
            j++;
        double mean_rank = (double)(i + j + 1) / 2.0;
        for (size_t k = i; k < j; k++)
            if (scored_pos(&v[k])) {
                rank_sum += mean_rank;
                pos++;
            }
        i = j;
    }
    double neg = (double)n - pos;
    if (pos == 0 || neg == 0)
        return NAN;
    return (rank_sum - pos * (pos + 1) / 2) / (pos * neg);
}
