/* tools/train.c: trains the offensive/attack classifier and writes
 * data/model/parley.model (make model). Build time only.
 *
 * Usage: train [--data DIR] [--out FILE] [--epochs N] [--log2-buckets N]
 *              [--bits 8|16] [--l2 X] [--lr X]
 *
 * Logistic regression per head (offensive, attack) over the hashed features
 * of moderation/classifier.c, fitted by AdaGrad with L2 in a fixed sample
 * order drawn from a fixed seed, so equal data gives an equal file. Training
 * runs twice: first without a held-out tenth of OLID and Kaggle insults,
 * whose scores choose the thresholds stored in the model, then on all data.
 * HateCheck and the Wikipedia identity sets are never read here: they are
 * for tools/evalmodel only.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataset.h"
#include "moderation/classifier.h"
#include "util/xalloc.h"

#define HEADS CLASSIFIER_HEADS

typedef struct opts {
    const char *data;
    const char *out;
    int epochs;
    uint32_t log2_buckets;
    uint32_t bits;
    double l2;
    double lr;
    double w_davidson;
    double w_spans;
    double w_kaggle_neg_off;
    double w_identity;
    int split;
    int average;
    uint32_t char_min, char_max;
    double nb;
} opts;

/* Sparse features of every sample, in one pool. */
typedef struct feats {
    size_t *start; /* sample i has entries start[i] .. start[i+1] */
    uint32_t *idx;
    float *val;
    size_t n, cap;
} feats;

typedef struct collect {
    uint32_t *h;
    size_t n, cap;
} collect;

static void
collect_emit(uint32_t hash, void *ctx)
{
    collect *c = ctx;
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 1024;
        c->h = xrealloc(c->h, c->cap * sizeof *c->h);
    }
    c->h[c->n++] = hash;
}

typedef struct entry {
    uint32_t bucket;
    float val;
} entry;

static int
cmp_entry(const void *a, const void *b)
{
    uint32_t x = ((const entry *)a)->bucket, y = ((const entry *)b)->bucket;
    return x < y ? -1 : x > y;
}

/* Turns each sample into sorted (bucket, value) pairs with the value the
 * scorer gives it: count / sqrt(features in its group). */
static void
featurize_all(const sample_set *s, const classifier_config *cfg, uint32_t log2b, feats *f)
{
    collect c = {0};
    entry *e = NULL;
    size_t ecap = 0;
    int split = (cfg->flags & CLASSIFIER_F_SPLIT_NORM) != 0;
    f->start = xmalloc((s->n + 1) * sizeof *f->start);
    f->n = 0;
    for (size_t i = 0; i < s->n; i++) {
        c.n = 0;
        classifier_featurize(cfg, s->v[i].text, s->v[i].len, collect_emit, &c);
        size_t nword = 0;
        for (size_t k = 0; k < c.n; k++)
            nword += (c.h[k] & CLASSIFIER_WORD_BIT) != 0;
        double nw = split ? 1.0 / sqrt((double)(nword ? nword : 1)) : 0;
        double nc = split ? 1.0 / sqrt((double)(c.n - nword ? c.n - nword : 1)) : 0;
        if (!split)
            nw = nc = c.n ? 1.0 / sqrt((double)c.n) : 0;
        if (c.n > ecap) {
            ecap = c.n * 2;
            e = xrealloc(e, ecap * sizeof *e);
        }
        for (size_t k = 0; k < c.n; k++) {
            e[k].bucket = classifier_bucket(c.h[k], log2b);
            e[k].val = (float)((c.h[k] & CLASSIFIER_WORD_BIT) ? nw : nc);
        }
        if (c.n > 1)
            qsort(e, c.n, sizeof *e, cmp_entry);
        f->start[i] = f->n;
        for (size_t k = 0; k < c.n;) {
            size_t j = k;
            double v = 0;
            while (j < c.n && e[j].bucket == e[k].bucket)
                v += e[j++].val;
            if (f->n == f->cap) {
                f->cap = f->cap ? f->cap * 2 : 1 << 20;
                f->idx = xrealloc(f->idx, f->cap * sizeof *f->idx);
                f->val = xrealloc(f->val, f->cap * sizeof *f->val);
            }
            f->idx[f->n] = e[k].bucket;
            f->val[f->n] = (float)v;
            f->n++;
            k = j;
        }
    }
    f->start[s->n] = f->n;
    free(e);
    free(c.h);
}

typedef struct model {
    size_t nb;
    float *w; /* nb * HEADS */
    float *g; /* AdaGrad accumulators */
    float *r; /* NB log-count ratio per weight (--nb), or NULL */
    double bias[HEADS], gbias[HEADS];
} model;

static double
sigmoid(double x)
{
    return 1.0 / (1.0 + exp(-x));
}

static double
predict(const model *m, const feats *f, size_t i, int h)
{
    double z = m->bias[h];
    for (size_t k = f->start[i]; k < f->start[i + 1]; k++) {
        size_t wi = (size_t)f->idx[k] * HEADS + (size_t)h;
        z += m->w[wi] * (m->r ? m->r[wi] : 1.0f) * f->val[k];
    }
    return sigmoid(z);
}

/* Naive-Bayes log-count ratios per bucket and head (the NB-SVM idea of
 * Wang and Manning): features that split the classes get larger steps. The
 * ratios are folded into the shipped weights, so neither the file format
 * nor the scorer knows about them. */
static void
nb_ratios(model *m, const sample_set *s, const feats *f, const char *skip, double alpha)
{
    size_t nw = m->nb * HEADS;
    float *pos = xcalloc(nw, sizeof *pos), *neg = xcalloc(nw, sizeof *neg);
    double tot[2][HEADS] = {{0}};
    for (size_t i = 0; i < s->n; i++) {
        if (skip != NULL && skip[i])
            continue;
        for (int h = 0; h < HEADS; h++) {
            const sample *x = &s->v[i];
            if (x->y[h] < 0 || x->w[h] <= 0)
                continue;
            float *t = x->y[h] ? pos : neg;
            for (size_t k = f->start[i]; k < f->start[i + 1]; k++) {
                t[(size_t)f->idx[k] * HEADS + (size_t)h] += x->w[h];
                tot[x->y[h] ? 1 : 0][h] += x->w[h];
            }
        }
    }
    for (size_t wi = 0; wi < nw; wi++) {
        int h = (int)(wi % HEADS);
        double p = (pos[wi] + alpha) / (tot[1][h] + alpha * (double)m->nb);
        double q = (neg[wi] + alpha) / (tot[0][h] + alpha * (double)m->nb);
        m->r[wi] = (float)fabs(log(p / q));
    }
    free(pos);
    free(neg);
}

static uint64_t
rng_next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Macro-F1 of the binary decision score >= t. */
static double
macro_f1(const double *p, const int *y, size_t n, double t)
{
    double tp = 0, fp = 0, fn = 0, tn = 0;
    for (size_t i = 0; i < n; i++) {
        int d = p[i] >= t;
        if (d && y[i])
            tp++;
        else if (d)
            fp++;
        else if (y[i])
            fn++;
        else
            tn++;
    }
    double f1p = tp > 0 ? 2 * tp / (2 * tp + fp + fn) : 0;
    double f1n = tn > 0 ? 2 * tn / (2 * tn + fn + fp) : 0;
    return (f1p + f1n) / 2;
}

static double
best_threshold(const double *p, const int *y, size_t n, double *f1)
{
    double best = 0.5, bf = -1;
    for (int k = 5; k <= 95; k++) {
        double t = k / 100.0, v = macro_f1(p, y, n, t);
        if (v > bf) {
            bf = v;
            best = t;
        }
    }
    *f1 = bf;
    return best;
}

typedef struct holdout_eval {
    double thr[HEADS];
    double f1[HEADS];
} holdout_eval;

/* Scores held-out OLID (offensive) and Kaggle + OLID (attack) samples. */
static void
evaluate_holdout(const model *m, const sample_set *s, const feats *f, const char *hold,
                 holdout_eval *ev, int quiet_threshold)
{
    double *p = xmalloc(s->n * sizeof *p);
    int *y = xmalloc(s->n * sizeof *y);
    for (int h = 0; h < HEADS; h++) {
        size_t n = 0;
        for (size_t i = 0; i < s->n; i++) {
            if (!hold[i] || s->v[i].y[h] < 0)
                continue;
            /* Offensive is judged on OLID, attack on Kaggle insults: the
             * product's notion of an attack (on a participant) is Kaggle's. */
            if (strcmp(s->v[i].tag, h == 0 ? "olid" : "kaggle") != 0)
                continue;
            p[n] = predict(m, f, i, h);
            y[n++] = s->v[i].y[h];
        }
        ev->thr[h] = best_threshold(p, y, n, &ev->f1[h]);
        if (!quiet_threshold)
            fprintf(stderr, "  held-out %s: n=%zu macro-F1 %.3f at threshold %.2f\n",
                    h == 0 ? "offensive (OLID)" : "attack (Kaggle)", n, ev->f1[h], ev->thr[h]);
    }
    free(p);
    free(y);
}

static void
train(model *m, const sample_set *s, const feats *f, const char *skip, const opts *o,
      const char *hold)
{
    size_t nw = m->nb * HEADS;
    if (m->r != NULL)
        nb_ratios(m, s, f, skip, o->nb);
    memset(m->w, 0, nw * sizeof *m->w);
    memset(m->g, 0, nw * sizeof *m->g);
    memset(m->bias, 0, sizeof m->bias);
    memset(m->gbias, 0, sizeof m->gbias);
    size_t *order = xmalloc(s->n * sizeof *order);
    size_t n = 0;
    for (size_t i = 0; i < s->n; i++)
        if (skip == NULL || !skip[i])
            order[n++] = i;
    uint64_t rng = UINT64_C(0x2545f4914f6cdd1d);
    /* With --average the model is the mean of the weights at the end of
     * each epoch after the first, which steadies the last epochs' noise. */
    float *avg = o->average ? xcalloc(nw, sizeof *avg) : NULL;
    double avg_bias[HEADS] = {0};
    int n_avg = 0;
    for (int ep = 0; ep < o->epochs; ep++) {
        for (size_t i = n; i > 1; i--) {
            size_t j = (size_t)(rng_next(&rng) % i);
            size_t t = order[i - 1];
            order[i - 1] = order[j];
            order[j] = t;
        }
        double loss[HEADS] = {0}, wsum[HEADS] = {0};
        for (size_t r = 0; r < n; r++) {
            size_t i = order[r];
            const sample *x = &s->v[i];
            for (int h = 0; h < HEADS; h++) {
                if (x->y[h] < 0 || x->w[h] <= 0)
                    continue;
                double p = predict(m, f, i, h);
                double y = x->y[h];
                loss[h] -= x->w[h] * (y ? log(p + 1e-12) : log(1 - p + 1e-12));
                wsum[h] += x->w[h];
                double g = (p - y) * x->w[h];
                for (size_t k = f->start[i]; k < f->start[i + 1]; k++) {
                    size_t wi = (size_t)f->idx[k] * HEADS + (size_t)h;
                    /* L2 applied lazily, to the weights this sample touches. */
                    double gi = g * f->val[k] * (m->r ? m->r[wi] : 1.0f) + o->l2 * m->w[wi];
                    m->g[wi] += (float)(gi * gi);
                    m->w[wi] -= (float)(o->lr * gi / sqrt(m->g[wi] + 1e-8));
                }
                m->gbias[h] += g * g;
                m->bias[h] -= o->lr * g / sqrt(m->gbias[h] + 1e-8);
            }
        }
        fprintf(stderr, "  epoch %d/%d: %zu samples, log-loss offensive %.4f attack %.4f\n", ep + 1,
                o->epochs, n, loss[0] / (wsum[0] + 1e-9), loss[1] / (wsum[1] + 1e-9));
        if (avg != NULL && (ep > 0 || o->epochs == 1)) {
            for (size_t k = 0; k < nw; k++)
                avg[k] += m->w[k];
            for (int h = 0; h < HEADS; h++)
                avg_bias[h] += m->bias[h];
            n_avg++;
        }
        if (hold != NULL) {
            holdout_eval ev;
            evaluate_holdout(m, s, f, hold, &ev, 0);
        }
    }
    if (avg != NULL) {
        for (size_t k = 0; k < nw; k++)
            m->w[k] = avg[k] / (float)n_avg;
        for (int h = 0; h < HEADS; h++)
            m->bias[h] = avg_bias[h] / n_avg;
        free(avg);
        if (hold != NULL) {
            holdout_eval ev;
            fprintf(stderr, "  averaged over %d epochs:\n", n_avg);
            evaluate_holdout(m, s, f, hold, &ev, 0);
        }
    }
    free(order);
}

/* Neutral and positive sentences that mention identities, written for the
 * project, as negatives for both heads: without them a model trained on
 * tweets learns that naming a group is offensive. */
static long
add_identity_negatives(sample_set *s, double weight)
{
    static const char *const idents[] = {
        "gay",
        "lesbian",
        "bisexual",
        "trans",
        "transgender",
        "queer",
        "black",
        "white",
        "asian",
        "latino",
        "hispanic",
        "mexican",
        "african",
        "arab",
        "indian",
        "chinese",
        "jewish",
        "muslim",
        "christian",
        "catholic",
        "hindu",
        "buddhist",
        "sikh",
        "atheist",
        "immigrant",
        "refugee",
        "disabled",
        "deaf",
        "blind",
        "autistic",
        "older",
        "young",
        "female",
        "male",
        "nonbinary",
        "native american",
        "african american",
        "middle eastern",
        "homosexual",
        "lgbt",
    };
    static const char *const templates[] = {
        "My neighbour is a %s woman and she runs the bakery on our street.",
        "I am %s and I have lived in this town for twenty years.",
        "As a %s person, I think the council made the right call here.",
        "The article interviews a %s teacher about the new school budget.",
        "Our team hired two %s engineers last spring and they are great.",
        "%s families have been part of this neighbourhood for generations.",
        "I'm proud to be %s.",
        "My best friend is %s and we go hiking every weekend.",
        "The %s community organised a food drive for the flood victims.",
        "Being %s is just one part of who I am.",
        "She is a %s doctor who volunteers at the clinic on Sundays.",
        "We should listen to %s voters on this issue.",
        "The mayor met with %s residents to talk about housing.",
        "%s people deserve the same rights as everyone else.",
        "I love my %s grandparents.",
        "There are many %s students at the university this year.",
        "A %s author won the prize for best novel.",
        "My %s coworker brought cake for everyone today.",
        "Thank you for writing about %s athletes, it was a good read.",
        "He is %s, and that has nothing to do with this debate.",
        "Is it true that the new museum exhibit is about %s history?",
        "I don't see why being %s should matter for the job.",
        "%s",
        "%s people",
        "i am a %s man",
        "you are %s and that is fine",
    };
    long added = 0;
    char buf[512];
    for (size_t i = 0; i < sizeof idents / sizeof *idents; i++)
        for (size_t t = 0; t < sizeof templates / sizeof *templates; t++) {
            /* Templates mark the identity with one %s; no format string. */
            const char *mark = strstr(templates[t], "%s");
            int n = snprintf(buf, sizeof buf, "%.*s%s%s", (int)(mark - templates[t]), templates[t],
                             idents[i], mark + 2);
            sample *x = set_add(s, buf, (size_t)n, "identity");
            x->y[0] = x->y[1] = 0;
            x->w[0] = x->w[1] = (float)weight;
            added++;
        }
    return added;
}

static int
load_training(sample_set *s, const opts *o)
{
    long n;
    size_t before;

    if ((n = ds_olid_train(s, o->data)) < 0)
        return -1;
    fprintf(stderr, "read OLID train: %ld\n", n);
    if ((n = ds_kaggle(s, o->data, "train.csv")) < 0)
        return -1;
    fprintf(stderr, "read Kaggle insults train: %ld\n", n);
    before = s->n;
    if ((n = ds_kaggle(s, o->data, "impermium_verification_labels.csv")) < 0)
        return -1;
    fprintf(stderr, "read Kaggle insults verification: %ld\n", n);
    /* A Kaggle non-insult may still swear: a weak negative for offensive. */
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i].tag, "kaggle") == 0 && s->v[i].y[0] == 0)
            s->v[i].w[0] = (float)o->w_kaggle_neg_off;
    (void)before;
    before = s->n;
    if ((n = ds_davidson(s, o->data)) < 0)
        return -1;
    /* Davidson's coders over-flag African-American English: weak weight. */
    for (size_t i = before; i < s->n; i++)
        s->v[i].w[0] = (float)o->w_davidson;
    fprintf(stderr, "read Davidson: %ld (weight %.2f)\n", n, o->w_davidson);
    before = s->n;
    if (ds_toxic_spans(s, o->data, "tsd_train.csv") < 0 ||
        ds_toxic_spans(s, o->data, "tsd_trial.csv") < 0)
        return -1;
    for (size_t i = before; i < s->n; i++)
        s->v[i].w[0] = (float)o->w_spans;
    fprintf(stderr, "read toxic spans (toxic posts): %zu (weight %.2f)\n", s->n - before,
            o->w_spans);
    n = add_identity_negatives(s, o->w_identity);
    fprintf(stderr, "identity negatives: %ld (weight %.2f)\n", n, o->w_identity);
    return 0;
}

static int
write_file(const char *path, const unsigned char *p, size_t n)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    if (f == NULL) {
        perror(tmp);
        return -1;
    }
    if (fwrite(p, 1, n, f) != n || fclose(f) != 0) {
        perror(tmp);
        return -1;
    }
    if (rename(tmp, path) != 0) {
        perror(path);
        return -1;
    }
    return 0;
}

/* A numeric option: the whole argument must be a number in [lo, hi]. */
static double
num_arg(const char *name, const char *v, double lo, double hi)
{
    char *end;
    double x = strtod(v, &end);
    if (end == v || *end != '\0' || !(x >= lo && x <= hi)) {
        fprintf(stderr, "train: %s wants a number in [%g, %g], not \"%s\"\n", name, lo, hi, v);
        exit(2);
    }
    return x;
}

static void
usage(void)
{
    fprintf(stderr,
            "usage: train [--data DIR] [--out FILE] [--epochs N] [--log2-buckets N]\n"
            "             [--bits 8|16] [--l2 X] [--lr X] [--w-davidson X]\n"
            "             [--w-spans X] [--w-kaggle-neg X] [--w-identity X]\n"
            "             [--split-norm 0|1] [--average 0|1] [--char-min N] [--char-max N]\n"
            "             [--nb ALPHA]\n");
    exit(2);
}

int
main(int argc, char **argv)
{
    opts o = {.data = "../shared/data",
              .out = "data/model/parley.model",
              .epochs = 6,
              .log2_buckets = 20,
              .bits = 8,
              .l2 = 1e-6,
              .lr = 0.1,
              .w_davidson = 0.1,
              .w_spans = 0.0,
              .w_kaggle_neg_off = 0.5,
              .w_identity = 2.0,
              .split = 0,
              .average = 1,
              .char_min = 2,
              .char_max = 5,
              .nb = 1.0};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (i + 1 >= argc)
            usage();
        const char *v = argv[++i];
        if (!strcmp(a, "--data"))
            o.data = v;
        else if (!strcmp(a, "--out"))
            o.out = v;
        else if (!strcmp(a, "--epochs"))
            o.epochs = (int)num_arg(a, v, 0, 1000);
        else if (!strcmp(a, "--log2-buckets"))
            o.log2_buckets = (uint32_t)num_arg(a, v, 0, 64);
        else if (!strcmp(a, "--bits"))
            o.bits = (uint32_t)num_arg(a, v, 0, 64);
        else if (!strcmp(a, "--l2"))
            o.l2 = num_arg(a, v, 0, 1e6);
        else if (!strcmp(a, "--lr"))
            o.lr = num_arg(a, v, 0, 1e6);
        else if (!strcmp(a, "--w-davidson"))
            o.w_davidson = num_arg(a, v, 0, 1e6);
        else if (!strcmp(a, "--w-spans"))
            o.w_spans = num_arg(a, v, 0, 1e6);
        else if (!strcmp(a, "--w-kaggle-neg"))
            o.w_kaggle_neg_off = num_arg(a, v, 0, 1e6);
        else if (!strcmp(a, "--w-identity"))
            o.w_identity = num_arg(a, v, 0, 1e6);
        else if (!strcmp(a, "--split-norm"))
            o.split = (int)num_arg(a, v, 0, 1000);
        else if (!strcmp(a, "--average"))
            o.average = (int)num_arg(a, v, 0, 1000);
        else if (!strcmp(a, "--char-min"))
            o.char_min = (uint32_t)num_arg(a, v, 0, 64);
        else if (!strcmp(a, "--char-max"))
            o.char_max = (uint32_t)num_arg(a, v, 0, 64);
        else if (!strcmp(a, "--nb"))
            o.nb = num_arg(a, v, 0, 1e6);
        else
            usage();
    }
    if (o.epochs < 1 || o.epochs > 100 || o.log2_buckets < CLASSIFIER_MIN_LOG2 ||
        o.log2_buckets > CLASSIFIER_MAX_LOG2)
        usage();

    sample_set s = {0};
    if (load_training(&s, &o) < 0)
        return 1;
    classifier_config cfg = {CLASSIFIER_F_WORDS | CLASSIFIER_F_BIGRAMS, o.char_min, o.char_max,
                             0x5eed1e55u};
    if (o.split)
        cfg.flags |= CLASSIFIER_F_SPLIT_NORM;
    feats f = {0};
    fprintf(stderr, "featurising %zu samples...\n", s.n);
    featurize_all(&s, &cfg, o.log2_buckets, &f);
    fprintf(stderr, "  %zu distinct (sample, bucket) features\n", f.n);

    /* Hold out a fixed tenth of OLID and Kaggle, chosen by hashing the text. */
    char *hold = xcalloc(s.n, 1);
    size_t nh = 0;
    for (size_t i = 0; i < s.n; i++)
        if ((strcmp(s.v[i].tag, "olid") == 0 || strcmp(s.v[i].tag, "kaggle") == 0) &&
            ds_hash(s.v[i].text, s.v[i].len) % 10 == 0) {
            hold[i] = 1;
            nh++;
        }
    model m;
    m.nb = (size_t)1 << o.log2_buckets;
    m.w = xmalloc(m.nb * HEADS * sizeof *m.w);
    m.g = xmalloc(m.nb * HEADS * sizeof *m.g);
    m.r = o.nb > 0 ? xmalloc(m.nb * HEADS * sizeof *m.r) : NULL;

    fprintf(stderr, "pass 1: training without %zu held-out samples\n", nh);
    train(&m, &s, &f, hold, &o, hold);
    holdout_eval ev;
    evaluate_holdout(&m, &s, &f, hold, &ev, 1);
    fprintf(stderr, "thresholds: offensive %.2f (held-out macro-F1 %.3f), attack %.2f (%.3f)\n",
            ev.thr[0], ev.f1[0], ev.thr[1], ev.f1[1]);

    fprintf(stderr, "pass 2: training on all %zu samples\n", s.n);
    train(&m, &s, &f, NULL, &o, NULL);

    classifier_params p;
    p.cfg = cfg;
    p.log2_buckets = o.log2_buckets;
    p.weight_bits = o.bits;
    for (int h = 0; h < HEADS; h++) {
        p.bias[h] = (float)m.bias[h];
        p.threshold[h] = (float)ev.thr[h];
    }
    if (m.r != NULL)
        for (size_t k = 0; k < m.nb * HEADS; k++)
            m.w[k] *= m.r[k];
    p.weights = m.w;
    unsigned char *out;
    size_t n;
    pl_error err;
    if (classifier_encode(&p, &out, &n, &err) < 0) {
        fprintf(stderr, "encode: %s\n", err.msg);
        return 1;
    }
    if (write_file(o.out, out, n) < 0)
        return 1;
    fprintf(stderr, "wrote %s (%zu bytes)\n", o.out, n);
    free(out);
    free(m.w);
    free(m.g);
    free(m.r);
    free(hold);
    free(f.start);
    free(f.idx);
    free(f.val);
    set_free(&s);
    return 0;
}
