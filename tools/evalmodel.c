/* tools/evalmodel.c: evaluates a model file on the test splits of the public
 * corpora (tools/corpora.h) and measures scoring speed (make evalmodel).
 * Build time only.
 *
 * Usage: evalmodel [--data DIR] [--model FILE] [--markdown] [--bench-mb N] [--speed-only]
 *        evalmodel [--data DIR] --dump-test CORPUS[,CORPUS...] PREFIX
 *        evalmodel [--data DIR] --dump-dev CORPUS[,CORPUS...] PREFIX
 *
 * It loads the model file exactly as the server does (classifier_load from
 * the file's bytes), so the figures are those of what ships. Only TEST
 * samples are scored; the trainer never sees them. Reports, per corpus with
 * a test split, ROC AUC per attribute and the macro-F1 of TOXICITY at the
 * model's hold threshold (and at the best threshold, an oracle figure); the
 * news-comment view (Civil Comments test rows: share of toxic and of clean
 * comments scored at or above each threshold); HateCheck per functionality;
 * false positives per identity term on the identity-bias sets; calibration
 * per attribute; speed and memory. --markdown prints the tables as Markdown.
 * --speed-only prints the speed table alone (to compare builds side by side
 * quickly).
 *
 * --dump-test writes PREFIX.tsv (id<TAB>text, one test comment a line, for
 * `parley check --tsv`) and PREFIX.key (id<TAB>corpus<TAB>toxic 1/0 or -1
 * when unlabelled<TAB>group) for the named corpora, and needs no model.
 * --dump-dev writes their DEV samples the same way: what decision settings
 * are chosen on (tools/tune_moderation.sh), never the test rows.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "corpora.h"
#include "metrics.h"
#include "moderation/classifier.h"
#include "util/file.h"
#include "util/xalloc.h"

static int markdown;

/* ---- tables, printed as Markdown or as aligned text ----------------------- */

typedef struct table {
    int ncol;
    char **cell; /* row-major, header first */
    size_t n, cap;
} table;

static void
tcell(table *t, const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 64;
        t->cell = xrealloc(t->cell, t->cap * sizeof *t->cell);
    }
    t->cell[t->n++] = xstrdup(buf);
}

static void
theader(table *t, int ncol, ...)
{
    va_list ap;
    memset(t, 0, sizeof *t);
    t->ncol = ncol;
    va_start(ap, ncol);
    for (int i = 0; i < ncol; i++)
        tcell(t, "%s", va_arg(ap, const char *));
    va_end(ap);
}

/* Prints and frees t; the first column is left-aligned, the rest right. */
static void
tprint(table *t)
{
    size_t rows = t->n / (size_t)t->ncol;
    int *w = xcalloc((size_t)t->ncol, sizeof *w);
    for (size_t i = 0; i < rows * (size_t)t->ncol; i++) {
        int l = (int)strlen(t->cell[i]);
        if (l > w[i % (size_t)t->ncol])
            w[i % (size_t)t->ncol] = l;
    }
    for (size_t r = 0; r < rows; r++) {
        for (int c = 0; c < t->ncol; c++) {
            const char *s = t->cell[r * (size_t)t->ncol + (size_t)c];
            if (markdown)
                printf("| %s ", s);
            else
                printf(c == 0 ? "%-*s" : "  %*s", w[c], s);
        }
        printf(markdown ? "|\n" : "\n");
        if (r == 0 && markdown) {
            for (int c = 0; c < t->ncol; c++)
                printf(c == 0 ? "|---" : "|---:");
            printf("|\n");
        }
    }
    printf("\n");
    for (size_t i = 0; i < t->n; i++)
        free(t->cell[i]);
    free(t->cell);
    free(w);
}

static void
heading(const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (markdown) {
        printf("### %s\n\n", buf);
    } else {
        printf("%s\n", buf);
        for (size_t i = 0; buf[i] != '\0'; i++)
            putchar('-');
        printf("\n\n");
    }
}

/* ---- metrics ----------------------------------------------------------------- */

static double
f1_of(double tp, double fp, double fn, double tn)
{
    double f1p = tp > 0 ? 2 * tp / (2 * tp + fp + fn) : 0;
    double f1n = tn > 0 ? 2 * tn / (2 * tn + fn + fp) : 0;
    return (f1p + f1n) / 2;
}

static double
macro_f1(const scored *v, size_t n, double t)
{
    double tp = 0, fp = 0, fn = 0, tn = 0;
    for (size_t i = 0; i < n; i++) {
        int d = v[i].p >= t;
        tp += d && scored_pos(&v[i]);
        fp += d && !scored_pos(&v[i]);
        fn += !d && scored_pos(&v[i]);
        tn += !d && !scored_pos(&v[i]);
    }
    return f1_of(tp, fp, fn, tn);
}

/* The best macro-F1 over every threshold (an oracle: it looks at the test
 * labels); v must be sorted ascending (roc_auc sorts it). */
static double
best_macro_f1(const scored *v, size_t n, double *at)
{
    double pos = 0;
    for (size_t i = 0; i < n; i++)
        pos += scored_pos(&v[i]);
    /* Threshold at v[i].p: everything from i up is flagged. */
    double best = -1, fn = 0, tn = 0;
    *at = 1;
    for (size_t i = 0; i < n;) {
        double tp = pos - fn, fp = (double)n - pos - tn;
        double f = f1_of(tp, fp, fn, tn);
        if (f > best) {
            best = f;
            *at = v[i].p;
        }
        size_t j = i;
        while (j < n && v[j].p == v[i].p) {
            fn += scored_pos(&v[j]);
            tn += !scored_pos(&v[j]);
            j++;
        }
        i = j;
    }
    return best;
}

/* ---- the test samples and their scores ---------------------------------------- */

typedef struct evalset {
    mset s;
    float (*p)[CLF_ATTRS]; /* scores of s.v[i] when it is a test sample */
    classifier_scores hold;
} evalset;

static int
in_corpus(const msample *x, const char *name)
{
    return x->split == SPLIT_TEST && strcmp(x->corpus, name) == 0;
}

/* Test samples of corpus (NULL: every corpus but the synthetic suites) with
 * a label for attr, binarised at 0.5, with their score. */
static size_t
collect(const evalset *e, const char *corpus, int attr, scored **out)
{
    scored *v = xmalloc((e->s.n + 1) * sizeof *v);
    size_t n = 0;
    for (size_t i = 0; i < e->s.n; i++) {
        const msample *x = &e->s.v[i];
        if (x->split != SPLIT_TEST || x->y[attr] < 0)
            continue;
        if (corpus != NULL
                ? strcmp(x->corpus, corpus) != 0
                : strcmp(x->corpus, "hatecheck") == 0 || strcmp(x->corpus, "madlibs") == 0)
            continue;
        v[n].p = e->p[i][attr];
        v[n++].y = x->y[attr] >= 0.5f;
    }
    *out = v;
    return n;
}

static void
count_classes(const scored *v, size_t n, size_t *pos, size_t *neg)
{
    *pos = *neg = 0;
    for (size_t i = 0; i < n; i++) {
        *pos += scored_pos(&v[i]) != 0;
        *neg += scored_pos(&v[i]) == 0;
    }
}

static const char *const attr_short[CLF_ATTRS] = {"TOX", "SEV", "INS", "PRF", "THR", "IDA"};

/* AUC of attr on corpus, or NAN with fewer than 20 of either class. */
static double
auc_of(const evalset *e, const char *corpus, int attr)
{
    scored *v;
    size_t n = collect(e, corpus, attr, &v), pos, neg;
    count_classes(v, n, &pos, &neg);
    double auc = pos >= 20 && neg >= 20 ? roc_auc(v, n) : NAN;
    free(v);
    return auc;
}

typedef struct binres {
    size_t n, pos;
    double auc, f1, best, best_at, recall, fpr;
} binres;

/* TOXICITY (or attr) as a binary task at threshold t on corpus. */
static binres
binary(const evalset *e, const char *corpus, int attr, double t)
{
    binres r = {0};
    scored *v;
    size_t neg, n = collect(e, corpus, attr, &v);
    count_classes(v, n, &r.pos, &neg);
    r.n = n;
    r.f1 = macro_f1(v, n, t);
    size_t tp = 0, fp = 0;
    for (size_t i = 0; i < n; i++) {
        tp += scored_pos(&v[i]) && v[i].p >= t;
        fp += !scored_pos(&v[i]) && v[i].p >= t;
    }
    r.recall = r.pos ? (double)tp / (double)r.pos : NAN;
    r.fpr = neg ? (double)fp / (double)neg : NAN;
    r.auc = r.pos > 0 && neg > 0 ? roc_auc(v, n) : NAN;
    r.best = r.pos > 0 && neg > 0 ? best_macro_f1(v, n, &r.best_at) : NAN;
    free(v);
    return r;
}

static const char *
fmt3(char *buf, double v)
{
    if (isnan(v))
        return "-";
    snprintf(buf, 16, "%.3f", v);
    return buf;
}

static const char *
pct(char *buf, double v)
{
    if (isnan(v))
        return "-";
    snprintf(buf, 16, "%.1f%%", 100 * v);
    return buf;
}

/* ---- reports -------------------------------------------------------------------- */

static void
report_headline(const evalset *e)
{
    double t = e->hold.p[CLF_TOXICITY], ti = e->hold.p[CLF_INSULT];
    char a[16], b[16], c[16];
    heading("Headline figures (model alone, official test splits)");
    table tb;
    theader(&tb, 6, "test set", "n", "macro-F1 at hold", "ROC AUC", "oracle macro-F1",
            "at threshold");
    static const struct {
        const char *label, *corpus;
        int attr;
    } rows[] = {
        {"OLID A official test (TOXICITY)", "olid", CLF_TOXICITY},
        {"Kaggle insults test (TOXICITY)", "kaggle-insults", CLF_TOXICITY},
        {"Kaggle insults test (INSULT)", "kaggle-insults", CLF_INSULT},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        binres r = binary(e, rows[i].corpus, rows[i].attr, rows[i].attr == CLF_INSULT ? ti : t);
        if (r.n == 0)
            continue;
        tcell(&tb, "%s", rows[i].label);
        tcell(&tb, "%zu", r.n);
        tcell(&tb, "%s", fmt3(a, r.f1));
        tcell(&tb, "%s", fmt3(b, r.auc));
        tcell(&tb, "%s", fmt3(c, r.best));
        tcell(&tb, "%.3f", r.best_at);
    }
    tprint(&tb);
}

static void
report_corpora(const evalset *e)
{
    double t = e->hold.p[CLF_TOXICITY];
    char a[16], b[16], c[16];
    heading("Per corpus, test split: ROC AUC per attribute (>= 20 of each class), TOXICITY "
            "macro-F1 at the hold threshold %.3f and at the best threshold (oracle)",
            t);
    table tb;
    theader(&tb, 13, "corpus", "licence", "n", "toxic", "AUC TOX", "SEV", "INS", "PRF", "THR",
            "IDA", "F1 at hold", "oracle F1", "at");
    const char *seen[64];
    int nseen = 0;
    for (size_t i = 0; i < e->s.n; i++) {
        const msample *x = &e->s.v[i];
        int k;
        if (x->split != SPLIT_TEST)
            continue;
        for (k = 0; k < nseen; k++)
            if (strcmp(seen[k], x->corpus) == 0)
                break;
        if (k < nseen || nseen == 64)
            continue;
        seen[nseen++] = x->corpus;
        binres r = binary(e, x->corpus, CLF_TOXICITY, t);
        size_t n = 0;
        for (size_t j = 0; j < e->s.n; j++)
            n += in_corpus(&e->s.v[j], x->corpus);
        tcell(&tb, "%s", x->corpus);
        tcell(&tb, "%s", x->licence == LIC_OPEN ? "open" : "research");
        tcell(&tb, "%zu", n);
        tcell(&tb, "%zu", r.pos);
        for (int at = 0; at < CLF_ATTRS; at++)
            tcell(&tb, "%s", fmt3(a, auc_of(e, x->corpus, at)));
        tcell(&tb, "%s", r.pos > 0 && r.pos < r.n ? fmt3(b, r.f1) : "-");
        tcell(&tb, "%s", fmt3(c, r.best));
        tcell(&tb, isnan(r.best) ? "-" : "%.3f", r.best_at);
    }
    tprint(&tb);
}

static int
is_news(const msample *x)
{
    return x->split == SPLIT_TEST &&
           (strcmp(x->corpus, "civil") == 0 || strcmp(x->corpus, "civil-seed") == 0);
}

static void
report_news(const evalset *e)
{
    scored *v = xmalloc((e->s.n + 1) * sizeof *v);
    size_t n = 0, pos = 0, neg = 0, spans = 0;
    for (size_t i = 0; i < e->s.n; i++) {
        const msample *x = &e->s.v[i];
        if (is_news(x) && x->y[CLF_TOXICITY] >= 0) {
            v[n].p = e->p[i][CLF_TOXICITY];
            v[n].y = x->y[CLF_TOXICITY] >= 0.5f;
            pos += scored_pos(&v[n]);
            n++;
        }
        spans += in_corpus(x, "toxic-spans");
    }
    neg = n - pos;
    char a[16];
    double auc = pos > 0 && neg > 0 ? roc_auc(v, n) : NAN;
    heading("News comments (Civil Comments test rows: civil + civil-seed)");
    printf("%zu comments, %zu toxic (crowd share >= 0.5), %zu clean; TOXICITY ROC AUC %s.\n"
           "toxic-spans: its %zu test posts, all toxic (recall only). Hold threshold %.3f.\n\n",
           n, pos, neg, fmt3(a, auc), spans, e->hold.p[CLF_TOXICITY]);
    table tb;
    theader(&tb, 4, "TOXICITY >=", "toxic at or above", "clean at or above",
            "toxic-spans at or above");
    for (int k = 0; k <= 12; k++) {
        double t = 0.30 + 0.05 * k;
        size_t tp = 0, fp = 0, sp = 0;
        for (size_t i = 0; i < n; i++) {
            tp += scored_pos(&v[i]) && v[i].p >= t;
            fp += !scored_pos(&v[i]) && v[i].p >= t;
        }
        for (size_t i = 0; i < e->s.n; i++)
            sp += in_corpus(&e->s.v[i], "toxic-spans") && e->p[i][CLF_TOXICITY] >= t;
        char b[16], c[16], d[16];
        tcell(&tb, "%.2f", t);
        tcell(&tb, "%s", pct(b, pos ? (double)tp / (double)pos : NAN));
        tcell(&tb, "%s", pct(c, neg ? (double)fp / (double)neg : NAN));
        tcell(&tb, "%s", pct(d, spans ? (double)sp / (double)spans : NAN));
    }
    tprint(&tb);
    free(v);
}

/* The share of test samples of corpus at or above the hold threshold of
 * TOXICITY, and of any attribute at or above its own, per group. */
static void
report_hatecheck(const evalset *e)
{
    const char *groups[64];
    size_t n[64] = {0}, tox[64] = {0}, any[64] = {0};
    int gold[64] = {0}, ng = 0;
    for (size_t i = 0; i < e->s.n; i++) {
        const msample *x = &e->s.v[i];
        if (!in_corpus(x, "hatecheck") || x->group == NULL)
            continue;
        int k;
        for (k = 0; k < ng; k++)
            if (strcmp(groups[k], x->group) == 0)
                break;
        if (k == ng) {
            if (ng == 64)
                continue;
            groups[ng++] = x->group;
        }
        n[k]++;
        gold[k] = x->y[CLF_IDENTITY_ATTACK] >= 0.5f;
        tox[k] += e->p[i][CLF_TOXICITY] >= e->hold.p[CLF_TOXICITY];
        int a = 0;
        for (int at = 0; at < CLF_ATTRS; at++)
            a |= e->p[i][at] >= e->hold.p[at];
        any[k] += a;
    }
    if (ng == 0)
        return;
    heading("HateCheck per functionality: share at or above the hold threshold");
    table tb;
    theader(&tb, 5, "functionality", "gold", "cases", "TOXICITY", "any attribute");
    for (int k = 0; k < ng; k++) {
        char a[16], b[16];
        tcell(&tb, "%s", groups[k]);
        tcell(&tb, "%s", gold[k] ? "hateful" : "non-hateful");
        tcell(&tb, "%zu", n[k]);
        tcell(&tb, "%s", pct(a, (double)tox[k] / (double)n[k]));
        tcell(&tb, "%s", pct(b, (double)any[k] / (double)n[k]));
    }
    tprint(&tb);
}

typedef struct termrate {
    const char *term;
    size_t n, flagged;
} termrate;

static int
cmp_termrate(const void *a, const void *b)
{
    const termrate *x = a, *y = b;
    double rx = (double)x->flagged / (double)x->n, ry = (double)y->flagged / (double)y->n;
    if (rx != ry)
        return rx < ry ? 1 : -1;
    return x->n < y->n ? 1 : x->n > y->n ? -1 : strcmp(x->term, y->term);
}

/* Identity-bias sets: TOXICITY at the hold threshold on the toxic and the
 * non-toxic rows, and the ten identity terms with the highest false
 * positive rate (terms with at least 10 non-toxic rows). */
static void
report_bias(const evalset *e, const char *corpus, const char *title)
{
    double t = e->hold.p[CLF_TOXICITY];
    binres r = binary(e, corpus, CLF_TOXICITY, t);
    if (r.n == 0)
        return;
    char a[16], b[16], c[16];
    heading("%s", title);
    printf("%zu rows, %zu toxic: TOXICITY ROC AUC %s; at the hold threshold %.3f, %s of the "
           "toxic and %s of the non-toxic rows are flagged.\n\n",
           r.n, r.pos, fmt3(a, r.auc), t, pct(b, r.recall), pct(c, r.fpr));
    termrate tr[128];
    size_t nt = 0;
    for (size_t i = 0; i < e->s.n; i++) {
        const msample *x = &e->s.v[i];
        if (!in_corpus(x, corpus) || x->group == NULL || x->y[CLF_TOXICITY] != 0)
            continue;
        size_t k;
        for (k = 0; k < nt; k++)
            if (strcmp(tr[k].term, x->group) == 0)
                break;
        if (k == nt) {
            if (nt == 128)
                continue;
            tr[nt++] = (termrate){x->group, 0, 0};
        }
        tr[k].n++;
        tr[k].flagged += e->p[i][CLF_TOXICITY] >= t;
    }
    size_t w = 0;
    for (size_t k = 0; k < nt; k++)
        if (tr[k].n >= 10)
            tr[w++] = tr[k];
    qsort(tr, w, sizeof *tr, cmp_termrate);
    table tb;
    theader(&tb, 3, "identity term", "non-toxic rows", "false positive rate");
    for (size_t k = 0; k < w && k < 10; k++) {
        tcell(&tb, "%s", tr[k].term);
        tcell(&tb, "%zu", tr[k].n);
        tcell(&tb, "%s", pct(a, (double)tr[k].flagged / (double)tr[k].n));
    }
    tprint(&tb);
}

/* Expected calibration error (10 equal-width bins of the score) and the
 * reliability line, per attribute, on the pooled test samples labelled for
 * it (crowd shares kept as they are; HateCheck and madlibs left out). */
static void
report_calibration(const evalset *e)
{
    heading("Calibration on pooled test samples (HateCheck and madlibs left out): expected "
            "calibration error and mean score / mean label per score decile");
    table tb;
    theader(&tb, 13, "attribute", "n", "ECE", "0-.1", ".1-.2", ".2-.3", ".3-.4", ".4-.5", ".5-.6",
            ".6-.7", ".7-.8", ".8-.9", ".9-1");
    for (int at = 0; at < CLF_ATTRS; at++) {
        double sp[10] = {0}, sy[10] = {0};
        size_t cnt[10] = {0}, n = 0;
        for (size_t i = 0; i < e->s.n; i++) {
            const msample *x = &e->s.v[i];
            if (x->split != SPLIT_TEST || x->y[at] < 0 || strcmp(x->corpus, "hatecheck") == 0 ||
                strcmp(x->corpus, "madlibs") == 0)
                continue;
            double p = e->p[i][at];
            int b = p >= 1 ? 9 : p <= 0 ? 0 : (int)(p * 10);
            sp[b] += p;
            sy[b] += x->y[at];
            cnt[b]++;
            n++;
        }
        if (n == 0)
            continue;
        double ece = 0;
        for (int b = 0; b < 10; b++)
            if (cnt[b] > 0)
                ece += fabs(sp[b] - sy[b]) / (double)n;
        tcell(&tb, "%s", classifier_attr_name((classifier_attr)at));
        tcell(&tb, "%zu", n);
        tcell(&tb, "%.3f", ece);
        for (int b = 0; b < 10; b++) {
            if (cnt[b] == 0)
                tcell(&tb, "-");
            else
                tcell(&tb, "%.2f/%.2f (%zu)", sp[b] / (double)cnt[b], sy[b] / (double)cnt[b],
                      cnt[b]);
        }
    }
    tprint(&tb);
}

static double
now_s(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Scores comments of size bytes, built from the test texts, on this thread
 * until mb megabytes have been scored; fills one table row. */
static void
bench_size(const classifier *c, const mset *s, size_t size, double mb, int explain, table *tb)
{
    enum { NCOMM = 512 };
    char *buf = xmalloc(size * NCOMM);
    size_t k = 0;
    for (size_t j = 0; j < NCOMM; j++) {
        char *d = buf + j * size;
        size_t n = 0;
        while (n < size) {
            const msample *x = &s->v[k++ % s->n];
            if (x->split != SPLIT_TEST)
                continue;
            size_t take = x->len < size - n ? x->len : size - n;
            while (take > 0 && take < x->len && ((unsigned char)x->text[take] & 0xc0) == 0x80)
                take--; /* cut at a character boundary */
            memcpy(d + n, x->text, take);
            n += take;
            if (n < size)
                d[n++] = ' ';
            if (take == 0)
                while (n < size)
                    d[n++] = ' ';
        }
    }
    size_t total = (size_t)(mb * 1048576 / (double)size);
    if (total < NCOMM)
        total = NCOMM;
    classifier_word *w = explain ? xmalloc(CLASSIFIER_EXPLAIN_WORDS * sizeof *w) : NULL;
    double sink = 0, t0 = now_s(CLOCK_MONOTONIC), c0 = now_s(CLOCK_THREAD_CPUTIME_ID);
    for (size_t i = 0; i < total; i++) {
        classifier_scores sc;
        classifier_score(c, buf + (i % NCOMM) * size, size, &sc);
        sink += sc.p[CLF_TOXICITY];
        if (explain) /* what the engine adds for a comment it holds */
            classifier_word_drops(c, buf + (i % NCOMM) * size, size, w, CLASSIFIER_EXPLAIN_WORDS);
    }
    free(w);
    double dt = now_s(CLOCK_MONOTONIC) - t0, ct = now_s(CLOCK_THREAD_CPUTIME_ID) - c0;
    double mbs = (double)total * (double)size / 1048576.0;
    tcell(tb, explain ? "%zu bytes, explained" : "%zu bytes", size);
    tcell(tb, "%zu", total);
    tcell(tb, "%.1f", mbs / ct);
    tcell(tb, "%.0f", (double)total / ct);
    tcell(tb, "%.1f", mbs / dt);
    tcell(tb, "%.0f", (double)total / dt);
    tcell(tb, "%.3f", sink / (double)total);
    free(buf);
}

static void
report_speed(const classifier *c, const mset *s, double mb)
{
    heading("Speed of classifier_score on one thread (comments built from the test texts)");
    table tb;
    theader(&tb, 7, "comment size", "comments", "MB/s (thread CPU)", "comments/s (CPU)",
            "MB/s (wall)", "comments/s (wall)", "mean TOXICITY");
    bench_size(c, s, 1024, mb, 0, &tb);
    bench_size(c, s, 200, mb / 4, 0, &tb);
    bench_size(c, s, 1024, mb / 4, 1, &tb);
    tprint(&tb);
    printf("Model memory (classifier_memory): %zu bytes (%.1f MB)\n\n", classifier_memory(c),
           (double)classifier_memory(c) / 1048576.0);
}

/* ---- dumping test comments for the engine --------------------------------------- */

static int
listed(const char *list, const char *name)
{
    size_t l = strlen(name);
    for (const char *p = list; *p != '\0';) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n == l && strncmp(p, name, n) == 0)
            return 1;
        p += n + (e != NULL);
    }
    return 0;
}

static int
dump_split(const mset *s, int split, const char *list, const char *prefix)
{
    char tp[4096], kp[4096];
    snprintf(tp, sizeof tp, "%s.tsv", prefix);
    snprintf(kp, sizeof kp, "%s.key", prefix);
    FILE *ft = fopen(tp, "w"), *fk = fopen(kp, "w");
    if (ft == NULL || fk == NULL) {
        perror(ft == NULL ? tp : kp);
        if (ft)
            fclose(ft);
        if (fk)
            fclose(fk);
        return 1;
    }
    size_t id = 0;
    for (size_t i = 0; i < s->n; i++) {
        const msample *x = &s->v[i];
        if (x->split != split || !listed(list, x->corpus))
            continue;
        id++;
        fprintf(ft, "%zu\t", id);
        corpora_put_line(ft, x->text, x->len);
        fputc('\n', ft);
        float y = x->y[CLF_TOXICITY];
        fprintf(fk, "%zu\t%s\t%d\t%s\n", id, x->corpus, y < 0 ? -1 : y >= 0.5f,
                x->group ? x->group : "-");
    }
    int bad = ferror(ft) || ferror(fk);
    bad |= fclose(ft) != 0;
    bad |= fclose(fk) != 0;
    if (bad) {
        fprintf(stderr, "evalmodel: could not write %s or %s\n", tp, kp);
        return 1;
    }
    if (id == 0) {
        fprintf(stderr, "evalmodel: no %s samples in corpora %s\n",
                split == SPLIT_DEV ? "DEV" : "test", list);
        return 1;
    }
    fprintf(stderr, "evalmodel: %zu %s comments in %s and %s\n", id,
            split == SPLIT_DEV ? "DEV" : "test", tp, kp);
    return 0;
}

/* ---- main ------------------------------------------------------------------------ */

static const char USAGE[] =
    "usage: evalmodel [--data DIR] [--model FILE] [--markdown] [--bench-mb N] [--speed-only]\n"
    "       evalmodel [--data DIR] --dump-test CORPUS[,CORPUS...] PREFIX\n"
    "       evalmodel [--data DIR] --dump-dev CORPUS[,CORPUS...] PREFIX\n";

int
main(int argc, char **argv)
{
    const char *dir = "../shared/data", *path = "data/model/parley.model";
    const char *dump_list = NULL, *dump_prefix = NULL;
    int dump_what = SPLIT_TEST;
    double mb = 16;
    int speed_only = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--markdown")) {
            markdown = 1;
        } else if (!strcmp(a, "--speed-only")) {
            speed_only = 1;
        } else if (!strcmp(a, "--data") && i + 1 < argc) {
            dir = argv[++i];
        } else if (!strcmp(a, "--model") && i + 1 < argc) {
            path = argv[++i];
        } else if (!strcmp(a, "--bench-mb") && i + 1 < argc) {
            mb = strtod(argv[++i], NULL);
        } else if ((!strcmp(a, "--dump-test") || !strcmp(a, "--dump-dev")) && i + 2 < argc) {
            dump_what = !strcmp(a, "--dump-dev") ? SPLIT_DEV : SPLIT_TEST;
            dump_list = argv[++i];
            dump_prefix = argv[++i];
        } else {
            fputs(USAGE, stderr);
            return 2;
        }
    }

    evalset e = {0};
    int missing = corpora_load(&e.s, dir);
    if (missing != 0) {
        /* Figures over part of the test sets would read as the real ones. */
        if (missing > 0)
            fprintf(stderr,
                    "evalmodel: %d data sets missing or unreadable under %s (named above).\n",
                    missing, dir);
        fprintf(stderr,
                "evalmodel: it needs the public labelled sets data/README.md lists (OLID, Kaggle "
                "insults, Civil Comments, toxic spans, CAD, GHC, EDOS, ConvAbuse, TweetEval hate, "
                "HateCheck, the Wikipedia identity-bias sets and the others there), one folder "
                "each; run `make evalmodel DATA=DIR` (or --data DIR).\n");
        mset_free(&e.s);
        return 2;
    }
    if (dump_list != NULL) {
        int rc = dump_split(&e.s, dump_what, dump_list, dump_prefix);
        mset_free(&e.s);
        return rc;
    }

    size_t n;
    unsigned char *bytes = (unsigned char *)file_read(path, SIZE_MAX, &n, NULL);
    if (bytes == NULL) {
        perror(path);
        mset_free(&e.s);
        return 1;
    }
    classifier *c;
    pl_error err;
    if (classifier_load(bytes, n, &c, &err) < 0) {
        fprintf(stderr, "%s: %s\n", path, err.msg);
        free(bytes);
        mset_free(&e.s);
        return 1;
    }
    free(bytes);
    if (speed_only) {
        report_speed(c, &e.s, mb > 0 ? mb : 16);
        mset_free(&e.s);
        classifier_free(c);
        return 0;
    }
    classifier_thresholds(c, &e.hold);

    e.p = xmalloc((e.s.n + 1) * sizeof *e.p);
    size_t ntest = 0;
    double t0 = now_s(CLOCK_MONOTONIC);
    for (size_t i = 0; i < e.s.n; i++) {
        const msample *x = &e.s.v[i];
        if (x->split != SPLIT_TEST)
            continue;
        classifier_scores sc;
        classifier_score(c, x->text, x->len, &sc);
        for (int a = 0; a < CLF_ATTRS; a++)
            e.p[i][a] = (float)sc.p[a];
        ntest++;
    }
    fprintf(stderr, "evalmodel: scored %zu test samples in %.1f s\n", ntest,
            now_s(CLOCK_MONOTONIC) - t0);

    printf(markdown ? "Model `%s` (%zu bytes loaded), hold thresholds:"
                    : "Model %s (%zu bytes "
                      "loaded), hold "
                      "thresholds:",
           path, n);
    for (int a = 0; a < CLF_ATTRS; a++)
        printf(" %s %.3f", attr_short[a], e.hold.p[a]);
    printf("\n\n");

    report_headline(&e);
    report_news(&e);
    report_corpora(&e);
    report_hatecheck(&e);
    report_bias(&e, "wiki-identity",
                "Wikipedia Talk identity subset (non-fuzzed): TOXICITY false positives per "
                "identity term");
    report_bias(&e, "madlibs", "Bias madlibs: TOXICITY false positives per identity term");
    report_calibration(&e);
    if (mb > 0)
        report_speed(c, &e.s, mb);

    free(e.p);
    mset_free(&e.s);
    classifier_free(c);
    return 0;
}
