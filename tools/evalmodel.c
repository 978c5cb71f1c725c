/* tools/evalmodel.c: evaluates a model file on the public test sets and
 * measures scoring speed (make evalmodel). Build time only.
 *
 * Usage: evalmodel [--data DIR] [--model FILE] [--bench-mb N]
 *
 * It loads the quantised file exactly as the server does (classifier_load),
 * so the figures are those of what ships. Reports: OLID subtask A official
 * test macro-F1 and ROC AUC; Kaggle insults test_with_solutions macro-F1 and
 * ROC AUC of the attack head; the share of HateCheck cases per functionality
 * and of the Wikipedia identity sets scored at or above the thresholds (bias
 * check); throughput on 1 KB comments on one core.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dataset.h"
#include "moderation/classifier.h"
#include "util/xalloc.h"

typedef struct scored {
    double p;
    int y;
} scored;

static int
cmp_scored(const void *a, const void *b)
{
    double x = ((const scored *)a)->p, y = ((const scored *)b)->p;
    return x < y ? -1 : x > y;
}

/* ROC AUC by the rank-sum formula, ties given their mean rank. */
static double
roc_auc(scored *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_scored);
    double pos = 0, neg = 0, rank_sum = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && v[j].p == v[i].p)
            j++;
        double mean_rank = (double)(i + j + 1) / 2.0;
        for (size_t k = i; k < j; k++)
            if (v[k].y) {
                rank_sum += mean_rank;
                pos++;
            }
        i = j;
    }
    neg = (double)n - pos;
    if (pos == 0 || neg == 0)
        return NAN;
    return (rank_sum - pos * (pos + 1) / 2) / (pos * neg);
}

static double
macro_f1(const scored *v, size_t n, double t, double *prec, double *rec)
{
    double tp = 0, fp = 0, fn = 0, tn = 0;
    for (size_t i = 0; i < n; i++) {
        int d = v[i].p >= t;
        if (d && v[i].y)
            tp++;
        else if (d)
            fp++;
        else if (v[i].y)
            fn++;
        else
            tn++;
    }
    if (prec)
        *prec = tp + fp > 0 ? tp / (tp + fp) : 0;
    if (rec)
        *rec = tp + fn > 0 ? tp / (tp + fn) : 0;
    double f1p = tp > 0 ? 2 * tp / (2 * tp + fp + fn) : 0;
    double f1n = tn > 0 ? 2 * tn / (2 * tn + fn + fp) : 0;
    return (f1p + f1n) / 2;
}

static void
report_binary(const char *name, const classifier *c, const sample_set *s, int head, int label_head,
              double thr)
{
    scored *v = xmalloc((s->n + 1) * sizeof *v);
    size_t n = 0;
    for (size_t i = 0; i < s->n; i++) {
        classifier_scores sc;
        classifier_score(c, s->v[i].text, s->v[i].len, &sc);
        v[n].p = head == 0 ? sc.p[CLF_TOXICITY] : sc.p[CLF_INSULT];
        v[n++].y = s->v[i].y[label_head];
    }
    double pr, rc, f1 = macro_f1(v, n, thr, &pr, &rc);
    double best = 0, bt = 0;
    for (int k = 1; k < 100; k++) {
        double f = macro_f1(v, n, k / 100.0, NULL, NULL);
        if (f > best) {
            best = f;
            bt = k / 100.0;
        }
    }
    double auc = roc_auc(v, n);
    printf("| %s | %zu | %.3f | %.3f | %.3f | %.3f | %.3f (at %.2f) |\n", name, n, f1, pr, rc, auc,
           best, bt);
    free(v);
}

static double
flag_rate(const classifier *c, const sample_set *s, const char *tag, int want_y, int head,
          double thr, size_t *count)
{
    size_t n = 0, flagged = 0;
    for (size_t i = 0; i < s->n; i++) {
        if ((tag != NULL && strcmp(s->v[i].tag, tag) != 0) ||
            (want_y >= 0 && s->v[i].y[0] != want_y))
            continue;
        classifier_scores sc;
        classifier_score(c, s->v[i].text, s->v[i].len, &sc);
        flagged += (head == 0 ? sc.p[CLF_TOXICITY] : sc.p[CLF_INSULT]) >= thr;
        n++;
    }
    *count = n;
    return n ? (double)flagged / (double)n : 0;
}

static double
now_s(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Builds 1 KB comments from real text (OLID test tweets joined) and scores
 * them repeatedly on this thread. */
static void
bench(const classifier *c, const sample_set *s, double mb)
{
    enum { COMMENT = 1024, NCOMM = 512 };
    char *buf = xmalloc((size_t)COMMENT * NCOMM);
    size_t k = 0;
    for (size_t j = 0; j < NCOMM; j++) {
        char *d = buf + j * COMMENT;
        size_t n = 0;
        while (n < COMMENT) {
            const sample *x = &s->v[k++ % s->n];
            size_t take = x->len < COMMENT - n ? x->len : COMMENT - n;
            /* Cut at a character boundary. */
            while (take > 0 && take < x->len && ((unsigned char)x->text[take] & 0xc0) == 0x80)
                take--;
            memcpy(d + n, x->text, take);
            n += take;
            if (n < COMMENT)
                d[n++] = ' ';
            if (take == 0)
                while (n < COMMENT)
                    d[n++] = ' ';
        }
    }
    size_t total = (size_t)(mb * 1024 * 1024 / COMMENT);
    /* Wall time, and this thread's CPU time: on a shared machine the
     * second is the fairer figure (it leaves out time spent descheduled). */
    double sink = 0, t0 = now_s(CLOCK_MONOTONIC), c0 = now_s(CLOCK_THREAD_CPUTIME_ID);
    for (size_t i = 0; i < total; i++) {
        classifier_scores sc;
        classifier_score(c, buf + (i % NCOMM) * COMMENT, COMMENT, &sc);
        sink += sc.p[CLF_TOXICITY];
    }
    double dt = now_s(CLOCK_MONOTONIC) - t0, ct = now_s(CLOCK_THREAD_CPUTIME_ID) - c0;
    double mbs = (double)total * COMMENT / 1048576.0;
    printf("\nThroughput (one thread, %zu comments of 1 KB, built from OLID test tweets):\n"
           "wall: %.1f MB/s, %.0f comments/s, %.1f us per comment\n"
           "thread CPU time: %.1f MB/s, %.0f comments/s, %.1f us per comment (checksum %.3f)\n",
           total, mbs / dt, (double)total / dt, dt / (double)total * 1e6, mbs / ct,
           (double)total / ct, ct / (double)total * 1e6, sink / (double)total);
    printf("Model memory: %zu bytes\n", classifier_memory(c));
    free(buf);
}

static unsigned char *
slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        perror(path);
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    long sz = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *p = xmalloc(sz > 0 ? (size_t)sz : 1);
    *n = fread(p, 1, sz > 0 ? (size_t)sz : 0, f);
    fclose(f);
    return p;
}

int
main(int argc, char **argv)
{
    const char *dir = "../shared/data", *path = "data/model/parley.model";
    double mb = 64;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--data"))
            dir = argv[i + 1];
        else if (!strcmp(argv[i], "--model"))
            path = argv[i + 1];
        else if (!strcmp(argv[i], "--bench-mb"))
            mb = strtod(argv[i + 1], NULL);
        else {
            fprintf(stderr, "usage: evalmodel [--data DIR] [--model FILE] [--bench-mb N]\n");
            return 2;
        }
    }
    size_t n;
    unsigned char *bytes = slurp(path, &n);
    if (bytes == NULL)
        return 1;
    classifier *c;
    pl_error err;
    if (classifier_load(bytes, n, &c, &err) < 0) {
        fprintf(stderr, "%s: %s\n", path, err.msg);
        return 1;
    }
    free(bytes);
    classifier_scores thr;
    classifier_thresholds(c, &thr);
    printf("Model %s: thresholds offensive >= %.2f, attack >= %.2f\n\n", path, thr.p[CLF_TOXICITY],
           thr.p[CLF_INSULT]);

    sample_set olid = {0}, kag = {0}, hc = {0}, wiki = {0}, mad = {0};
    if (ds_olid_test_a(&olid, dir) < 0 || ds_kaggle(&kag, dir, "test_with_solutions.csv") < 0 ||
        ds_hatecheck(&hc, dir) < 0 || ds_wiki_bias(&wiki, dir) < 0 || ds_madlibs(&mad, dir) < 0)
        return 1;

    printf("| test set (head) | n | macro-F1 at threshold | precision | recall | ROC AUC | best "
           "macro-F1 (oracle threshold) |\n|---|---|---|---|---|---|---|\n");
    report_binary("OLID A official test (offensive)", c, &olid, 0, 0, thr.p[CLF_TOXICITY]);
    report_binary("Kaggle insults test_with_solutions (attack)", c, &kag, 1, 1, thr.p[CLF_INSULT]);
    report_binary("Kaggle insults test_with_solutions (offensive)", c, &kag, 0, 1,
                  thr.p[CLF_TOXICITY]);
    report_binary("Wikipedia identity subset, toxic (offensive)", c, &wiki, 0, 0,
                  thr.p[CLF_TOXICITY]);

    printf("\nShare scored at or above the threshold (bias check: *_nh should be low):\n\n"
           "| set | n | offensive | attack |\n|---|---|---|---|\n");
    static const char *const fns[] = {
        "ident_neutral_nh",
        "ident_pos_nh",
        "counter_quote_nh",
        "counter_ref_nh",
        "negate_neg_nh",
        "slur_homonym_nh",
        "slur_reclaimed_nh",
        "target_obj_nh",
        "target_indiv_nh",
        "target_group_nh",
        "profanity_nh",
        "profanity_h",
        "derog_neg_emote_h",
        "derog_neg_attrib_h",
        "derog_dehum_h",
        "derog_impl_h",
        "threat_dir_h",
        "threat_norm_h",
        "slur_h",
        "spell_char_swap_h",
        "spell_char_del_h",
        "spell_space_del_h",
        "spell_space_add_h",
        "spell_leet_h",
        "phrase_question_h",
        "phrase_opinion_h",
        "ref_subs_clause_h",
        "ref_subs_sent_h",
        "negate_pos_h",
    };
    for (size_t i = 0; i < sizeof fns / sizeof *fns; i++) {
        size_t k;
        double o = flag_rate(c, &hc, fns[i], -1, 0, thr.p[CLF_TOXICITY], &k);
        double a = flag_rate(c, &hc, fns[i], -1, 1, thr.p[CLF_INSULT], &k);
        printf("| HateCheck %s | %zu | %.1f%% | %.1f%% |\n", fns[i], k, 100 * o, 100 * a);
    }
    size_t k;
    double o, a;
    o = flag_rate(c, &wiki, NULL, 0, 0, thr.p[CLF_TOXICITY], &k);
    a = flag_rate(c, &wiki, NULL, 0, 1, thr.p[CLF_INSULT], &k);
    printf("| Wikipedia identity subset, non-toxic | %zu | %.1f%% | %.1f%% |\n", k, 100 * o,
           100 * a);
    o = flag_rate(c, &wiki, NULL, 1, 0, thr.p[CLF_TOXICITY], &k);
    a = flag_rate(c, &wiki, NULL, 1, 1, thr.p[CLF_INSULT], &k);
    printf("| Wikipedia identity subset, toxic | %zu | %.1f%% | %.1f%% |\n", k, 100 * o, 100 * a);
    o = flag_rate(c, &mad, NULL, 0, 0, thr.p[CLF_TOXICITY], &k);
    a = flag_rate(c, &mad, NULL, 0, 1, thr.p[CLF_INSULT], &k);
    printf("| bias madlibs NOT_BAD | %zu | %.1f%% | %.1f%% |\n", k, 100 * o, 100 * a);
    o = flag_rate(c, &mad, NULL, 1, 0, thr.p[CLF_TOXICITY], &k);
    a = flag_rate(c, &mad, NULL, 1, 1, thr.p[CLF_INSULT], &k);
    printf("| bias madlibs BAD | %zu | %.1f%% | %.1f%% |\n", k, 100 * o, 100 * a);

    if (mb > 0)
        bench(c, &olid, mb);

    set_free(&olid);
    set_free(&kag);
    set_free(&hc);
    set_free(&wiki);
    set_free(&mad);
    classifier_free(c);
    return 0;
}
