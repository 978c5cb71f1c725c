/* tools/train.c: trains the moderation model and writes
 * data/model/parley.model (make model). Build time only.
 *
 * Usage: train [--data DIR] [--out FILE] [options]   (train --help)
 *
 * The model (moderation/classifier.h) is a small network over hashed word,
 * bigram and character n-gram features: every feature has an embedding row
 * and one linear weight per attribute; the summed embeddings go through one
 * ReLU hidden layer to six sigmoid outputs (TOXICITY ... IDENTITY_ATTACK),
 * to which the linear sums are added ("wide and deep"). With --filters N,
 * the words are also read in order: N filters over --width consecutive
 * word vectors, max-pooled over the text, feed the hidden layer too (model
 * file version 3; off by default). It is fitted by
 * AdaGrad on a masked, weighted binary cross-entropy: each corpus labels
 * only the attributes it speaks to (tools/corpora.h), and crowd shares are
 * soft targets. With --corpus-bias, each group of corpora (tools/cbias.h)
 * also has a learnt offset per attribute, added to the logit in training
 * only, so that the shared weights need not learn each corpus's base rate;
 * the file has no offsets (off by default).
 *
 * Everything runs on one thread in a fixed order drawn from a fixed seed,
 * so the same data and options give the same file, byte for byte.
 *
 * After training, the quantised model is loaded back exactly as the server
 * loads it, and on the DEV splits (never trained on) each attribute gets
 * Platt scaling, so that its score is a calibrated probability, and the
 * hold threshold is chosen. TEST splits are never read for any choice; the
 * trainer prints their ROC AUC for the record only (tools/evalmodel reports
 * everything).
 */
#include <ctype.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "augment.h"
#include "cbias.h"
#include "corpora.h"
#include "metrics.h"
#include "moderation/classifier.h"
#include "util/xalloc.h"

#define K CLF_ATTRS
#define DEFAULT_OUT "data/model/parley.model"

typedef struct opts {
    const char *data;
    const char *out;
    int epochs;
    uint32_t log2_buckets, dim, hidden;
    uint32_t width, filters; /* pooled filters over words; 0: none */
    uint32_t char_min, char_max;
    const char *eval; /* --eval FILE: measure FILE on DEV instead of training */
    double lr, lr_dense, l2;
    int open_only; /* train only on openly licensed corpora */
    double target_fpr;
    double hold_at; /* --hold-at: the hold threshold chosen elsewhere; 0: by target_fpr */
    double hold_attr[CLF_ATTRS]; /* --hold-at ATTR=X: one attribute's own; 0: hold_at's */
    double augment;              /* share of the abusive TRAIN samples given a disguised copy */
    double augment_clean;        /* share of the clean ones */
    int corpus_bias;       /* a learnt offset per (corpus group, attribute), in training only */
    int mean;              /* --mean: a text's rows averaged (CLASSIFIER_F_MEAN) */
    double dropout;        /* share of a sample's features left out of each training step */
    int fold, folds;       /* --news-fold K/N: the news DEV is fold K of N (folds 0: as shipped) */
    const char *dump_news; /* --dump-news FILE: each news DEV comment, scored, with its text */
    uint64_t seed;
    /* per-corpus weight overrides: "name=weight" */
    const char *weights[32];
    int n_weights;
} opts;

/* ---- features ----------------------------------------------------------- */

/* Features of every sample in one pool: bucket with the group in the top
 * bit (set for words and bigrams, as CLASSIFIER_WORD_BIT). */
typedef struct feats {
    size_t *start; /* sample i: start[i] .. start[i+1] */
    uint32_t *idx;
    size_t n, cap;
    /* With pooled filters, the words: sample i has words wstart[i] ..
     * wstart[i+1] - 1, and word w's features begin at idx[word[w]] (they
     * end where the next word's begin, or at the sample's end). */
    size_t *wstart, *word;
    size_t nw, wcap;
} feats;

typedef struct collect {
    feats *f;
    uint32_t mask;
} collect;

static void
collect_word(uint32_t begin, uint32_t end, void *ctx)
{
    collect *c = ctx;
    feats *f = c->f;
    (void)begin;
    (void)end;
    if (f->nw == f->wcap) {
        f->wcap = f->wcap ? f->wcap * 2 : (size_t)1 << 20;
        f->word = xrealloc(f->word, f->wcap * sizeof *f->word);
    }
    f->word[f->nw++] = f->n;
}

static void
collect_emit(uint32_t hash, void *ctx)
{
    collect *c = ctx;
    feats *f = c->f;
    if (f->n == f->cap) {
        f->cap = f->cap ? f->cap * 2 : (size_t)1 << 24;
        f->idx = xrealloc(f->idx, f->cap * sizeof *f->idx);
    }
    f->idx[f->n++] = (hash & c->mask) | (hash & CLASSIFIER_WORD_BIT);
}

static void
featurize_all(const mset *s, const classifier_config *cfg, uint32_t log2b, int words, feats *f)
{
    collect c = {f, (UINT32_C(1) << log2b) - 1};
    f->start = xmalloc((s->n + 1) * sizeof *f->start);
    if (words)
        f->wstart = xmalloc((s->n + 1) * sizeof *f->wstart);
    for (size_t i = 0; i < s->n; i++) {
        f->start[i] = f->n;
        if (words) {
            f->wstart[i] = f->nw;
            classifier_featurize_words(cfg, s->v[i].text, s->v[i].len, collect_emit, collect_word,
                                       &c);
        } else {
            classifier_featurize(cfg, s->v[i].text, s->v[i].len, collect_emit, &c);
        }
    }
    f->start[s->n] = f->n;
    if (words)
        f->wstart[s->n] = f->nw;
}

/* ---- the network in floating point ----------------------------------------- */

typedef struct net {
    size_t nb, row; /* buckets, dim + K */
    uint32_t dim, hidden;
    float *rows, *g_rows; /* [nb][row] and AdaGrad accumulators */
    float *w1, *g_w1;     /* [hidden][dim] */
    float *b1, *g_b1;     /* [hidden] */
    float *w2, *g_w2;     /* [K][hidden] */
    float b2[K], g_b2[K];
    uint32_t width, filters;
    int mean;             /* CLASSIFIER_F_MEAN: the groups' sums over count, not sqrt(count) */
    float *conv, *g_conv; /* [width][dim][filters] (the file's order transposed) */
    float *cb, *g_cb;     /* [filters] */
    float *wp, *g_wp;     /* [hidden][filters] */
    /* --corpus-bias: off[g * K + a] for group g (training only, never in
     * the file); learnt[g * K + a] says whether it is learnt or stays 0 */
    size_t groups;
    float *off, *g_off;
    unsigned char *learnt;
} net;

static uint64_t
rng_next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Uniform in [-a, a). */
static float
rng_uniform(uint64_t *s, float a)
{
    return (float)((double)(rng_next(s) >> 11) / 9007199254740992.0 * 2.0 - 1.0) * a;
}

static void
net_init(net *m, const opts *o)
{
    uint64_t rs = o->seed;
    m->nb = (size_t)1 << o->log2_buckets;
    m->dim = o->dim;
    m->hidden = o->hidden;
    m->row = o->dim + K;
    m->rows = xcalloc(m->nb * m->row, sizeof *m->rows);
    m->g_rows = xcalloc(m->nb * m->row, sizeof *m->g_rows);
    for (size_t b = 0; b < m->nb; b++)
        for (size_t k = 0; k < m->dim; k++)
            m->rows[b * m->row + k] = rng_uniform(&rs, 0.1f);
    size_t n1 = (size_t)m->hidden * m->dim;
    m->w1 = xmalloc((n1 ? n1 : 1) * sizeof *m->w1);
    m->g_w1 = xcalloc(n1 ? n1 : 1, sizeof *m->g_w1);
    for (size_t i = 0; i < n1; i++)
        m->w1[i] = rng_uniform(&rs, sqrtf(6.0f / (float)(m->dim + m->hidden)));
    m->b1 = xcalloc(m->hidden ? m->hidden : 1, sizeof *m->b1);
    m->g_b1 = xcalloc(m->hidden ? m->hidden : 1, sizeof *m->g_b1);
    size_t n2 = (size_t)K * m->hidden;
    m->w2 = xmalloc((n2 ? n2 : 1) * sizeof *m->w2);
    m->g_w2 = xcalloc(n2 ? n2 : 1, sizeof *m->g_w2);
    for (size_t i = 0; i < n2; i++)
        m->w2[i] = rng_uniform(&rs, sqrtf(6.0f / (float)(m->hidden + K)));
    memset(m->b2, 0, sizeof m->b2);
    memset(m->g_b2, 0, sizeof m->g_b2);
    m->width = o->width;
    m->filters = o->filters;
    m->mean = o->mean;
    size_t nc = (size_t)m->filters * m->width * m->dim, np = (size_t)m->hidden * m->filters;
    m->conv = xmalloc((nc ? nc : 1) * sizeof *m->conv);
    m->g_conv = xcalloc(nc ? nc : 1, sizeof *m->g_conv);
    for (size_t i = 0; i < nc; i++)
        m->conv[i] = rng_uniform(&rs, sqrtf(6.0f / (float)(m->width * m->dim + m->filters)));
    m->cb = xcalloc(m->filters ? m->filters : 1, sizeof *m->cb);
    m->g_cb = xcalloc(m->filters ? m->filters : 1, sizeof *m->g_cb);
    m->wp = xmalloc((np ? np : 1) * sizeof *m->wp);
    m->g_wp = xcalloc(np ? np : 1, sizeof *m->g_wp);
    for (size_t i = 0; i < np; i++)
        m->wp[i] = rng_uniform(&rs, sqrtf(6.0f / (float)(m->filters + m->hidden)));
}

static void
net_free(net *m)
{
    free(m->rows);
    free(m->g_rows);
    free(m->w1);
    free(m->g_w1);
    free(m->b1);
    free(m->g_b1);
    free(m->w2);
    free(m->g_w2);
    free(m->conv);
    free(m->g_conv);
    free(m->cb);
    free(m->g_cb);
    free(m->wp);
    free(m->g_wp);
    free(m->off);
    free(m->g_off);
    free(m->learnt);
}

#define ROWCAP (CLASSIFIER_MAX_DIM + K)

/* Per word of the sample being trained on (pooled filters): its vector,
 * the scale of its features, and the gradient reaching the vector. Grows
 * to the longest sample. */
typedef struct words_buf {
    float *v, *dv; /* [words][dim] */
    float *inv;    /* [words] */
    size_t cap;
} words_buf;

static words_buf wb;

static void
words_reserve(size_t n, size_t dim)
{
    if (n <= wb.cap)
        return;
    wb.cap = n * 2;
    wb.v = xrealloc(wb.v, wb.cap * dim * sizeof *wb.v);
    wb.dv = xrealloc(wb.dv, wb.cap * dim * sizeof *wb.dv);
    wb.inv = xrealloc(wb.inv, wb.cap * sizeof *wb.inv);
}

typedef struct fwd {
    float inv[2];
    float x[ROWCAP];
    float z1[CLASSIFIER_MAX_HIDDEN], h[CLASSIFIER_MAX_HIDDEN];
    float pool[CLASSIFIER_MAX_FILTERS]; /* max over windows, at least 0 */
    long arg[CLASSIFIER_MAX_FILTERS];   /* the window of that max; -1: clipped */
    size_t words;
    double logit[K];
} fwd;

/* The end of word w's features in sample i. */
static size_t
word_end(const feats *f, size_t i, size_t w)
{
    return w + 1 < f->wstart[i + 1] ? f->word[w + 1] : f->start[i + 1];
}

/* Feature dropout (--dropout): while drop_cut is non-zero, feature
 * occurrence j of the sample in the current step is left out of both the
 * forward pass and the update when a hash of (drop_key, j) falls below
 * drop_cut; drop_key changes with every step, so each step drops another
 * set, and the run stays deterministic. Off (0) outside training. */
static uint64_t drop_key, drop_cut;

static bool
dropped(size_t j)
{
    if (drop_cut == 0)
        return false;
    uint64_t z = drop_key ^ ((uint64_t)j * 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return (z ^ (z >> 31)) < drop_cut;
}

static void
add_feature(const net *m, uint32_t e, float sum[2][ROWCAP], uint32_t cnt[2], float *v)
{
    int g = (e & CLASSIFIER_WORD_BIT) != 0;
    const float *r = m->rows + (size_t)(e & ~CLASSIFIER_WORD_BIT) * m->row;
    for (size_t k = 0; k < m->row; k++)
        sum[g][k] += r[k];
    if (v != NULL)
        for (size_t k = 0; k < m->dim; k++)
            v[k] += r[k];
    cnt[g]++;
}

/* The pooled filters: window e holds words e - width + 1 .. e (zero beyond
 * the ends), as the server computes them (moderation/classifier.c). */
static void
pool_forward(const net *m, fwd *o)
{
    size_t nw = o->words, w = m->width, dim = m->dim;
    for (uint32_t q = 0; q < m->filters; q++) {
        o->pool[q] = 0;
        o->arg[q] = -1;
    }
    if (nw == 0)
        return;
    size_t nf = m->filters;
    float z[CLASSIFIER_MAX_FILTERS];
    for (size_t e = 0; e + 1 < nw + w; e++) {
        memcpy(z, m->cb, nf * sizeof *z);
        for (size_t off = 0; off < w; off++) {
            size_t p = e + off;
            if (p < w - 1 || p - (w - 1) >= nw)
                continue;
            const float *v = wb.v + (p - (w - 1)) * dim;
            for (size_t k = 0; k < dim; k++) {
                const float *c = m->conv + (off * dim + k) * nf;
                float vk = v[k];
                for (size_t q = 0; q < nf; q++)
                    z[q] += c[q] * vk;
            }
        }
        for (size_t q = 0; q < nf; q++)
            if (z[q] > o->pool[q]) {
                o->pool[q] = z[q];
                o->arg[q] = (long)e;
            }
    }
}

/* The filters in the model file's order, [filters][width][dim]. */
static float *
conv_for_file(const net *m)
{
    size_t nf = m->filters, w = m->width, dim = m->dim;
    size_t n = nf * w * dim;
    float *out = xmalloc((n > 0 ? n : 1) * sizeof *out);
    for (size_t q = 0; q < nf; q++)
        for (size_t off = 0; off < w; off++)
            for (size_t k = 0; k < dim; k++)
                out[(q * w + off) * dim + k] = m->conv[(off * dim + k) * nf + q];
    return out;
}

static void
net_forward(const net *m, const feats *f, size_t i, fwd *o)
{
    uint32_t cnt[2] = {0, 0};
    float sum[2][ROWCAP];
    memset(sum, 0, sizeof sum);
    o->words = 0;
    if (m->filters > 0) {
        size_t w0 = f->wstart[i], nw = f->wstart[i + 1] - w0;
        size_t first = nw > 0 ? f->word[w0] : f->start[i + 1];
        for (size_t j = f->start[i]; j < first; j++)
            add_feature(m, f->idx[j], sum, cnt, NULL);
        words_reserve(nw, m->dim);
        for (size_t t = 0; t < nw; t++) {
            float *v = wb.v + t * m->dim;
            size_t a = f->word[w0 + t], b = word_end(f, i, w0 + t);
            memset(v, 0, m->dim * sizeof *v);
            for (size_t j = a; j < b; j++)
                add_feature(m, f->idx[j], sum, cnt, v);
            wb.inv[t] = b > a ? 1.0f / sqrtf((float)(b - a)) : 0.0f;
            for (size_t k = 0; k < m->dim; k++)
                v[k] *= wb.inv[t];
        }
        o->words = nw;
        pool_forward(m, o);
    } else {
        for (size_t j = f->start[i]; j < f->start[i + 1]; j++)
            if (!dropped(j))
                add_feature(m, f->idx[j], sum, cnt, NULL);
    }
    for (int g = 0; g < 2; g++)
        o->inv[g] = !cnt[g] ? 0.0f : m->mean ? 1.0f / (float)cnt[g] : 1.0f / sqrtf((float)cnt[g]);
    for (size_t k = 0; k < m->row; k++)
        o->x[k] = sum[0][k] * o->inv[0] + sum[1][k] * o->inv[1];
    for (uint32_t j = 0; j < m->hidden; j++) {
        const float *w = m->w1 + (size_t)j * m->dim;
        float z = m->b1[j];
        for (uint32_t k = 0; k < m->dim; k++)
            z += w[k] * o->x[k];
        const float *wp = m->wp + (size_t)j * m->filters;
        for (uint32_t q = 0; q < m->filters; q++)
            z += wp[q] * o->pool[q];
        o->z1[j] = z;
        o->h[j] = z > 0 ? z : 0;
    }
    for (int a = 0; a < K; a++) {
        const float *w = m->w2 + (size_t)a * m->hidden;
        double z = (double)m->b2[a] + (double)o->x[m->dim + (size_t)a];
        for (uint32_t j = 0; j < m->hidden; j++)
            z += (double)(w[j] * o->h[j]);
        o->logit[a] = z;
    }
}

static double
sigmoid(double x)
{
    return 1.0 / (1.0 + exp(-x));
}

static inline void
adagrad(float *w, float *g2, float grad, float lr)
{
    *g2 += grad * grad;
    *w -= lr * grad / sqrtf(*g2 + 1e-8f);
}

/* One step on sample i of corpus group grp (-1: no offsets); returns its
 * loss. */
static double
net_step(net *m, const feats *f, const msample *x, size_t i, long grp, const double *attr_w,
         const opts *o, float lr, float lr_dense)
{
    fwd fw;
    float gl[K], dx[ROWCAP], dz1[CLASSIFIER_MAX_HIDDEN], dp[CLASSIFIER_MAX_FILTERS];
    double loss = 0;
    int any = 0;

    net_forward(m, f, i, &fw);
    if (grp >= 0)
        for (int a = 0; a < K; a++)
            fw.logit[a] += (double)m->off[(size_t)grp * K + (size_t)a];
    for (int a = 0; a < K; a++) {
        gl[a] = 0;
        if (x->y[a] < 0)
            continue;
        double p = sigmoid(fw.logit[a]), y = x->y[a], w = x->w * attr_w[a];
        gl[a] = (float)(w * (p - y));
        loss -= w * (y * log(p + 1e-12) + (1 - y) * log(1 - p + 1e-12));
        any = 1;
    }
    if (!any)
        return 0;
    memset(dx, 0, sizeof dx);
    for (int a = 0; a < K; a++)
        dx[m->dim + (size_t)a] = gl[a];
    for (uint32_t j = 0; j < m->hidden; j++) {
        float dh = 0;
        for (int a = 0; a < K; a++)
            dh += m->w2[(size_t)a * m->hidden + j] * gl[a];
        dz1[j] = fw.z1[j] > 0 ? dh : 0;
    }
    for (uint32_t j = 0; j < m->hidden; j++) {
        if (dz1[j] == 0)
            continue;
        float *w = m->w1 + (size_t)j * m->dim;
        for (uint32_t k = 0; k < m->dim; k++)
            dx[k] += w[k] * dz1[j];
    }
    /* The pooled filters: the gradient reaches each filter's winning
     * window only, and through it the vectors of its words. */
    if (m->filters > 0) {
        size_t w = m->width, dim = m->dim;
        if (fw.words > 0)
            memset(wb.dv, 0, fw.words * dim * sizeof *wb.dv);
        for (uint32_t q = 0; q < m->filters; q++) {
            dp[q] = 0;
            if (fw.arg[q] < 0)
                continue;
            for (uint32_t j = 0; j < m->hidden; j++)
                dp[q] += m->wp[(size_t)j * m->filters + q] * dz1[j];
        }
        for (uint32_t j = 0; j < m->hidden; j++) {
            if (dz1[j] == 0)
                continue;
            for (uint32_t q = 0; q < m->filters; q++)
                if (fw.pool[q] != 0)
                    adagrad(&m->wp[(size_t)j * m->filters + q],
                            &m->g_wp[(size_t)j * m->filters + q], dz1[j] * fw.pool[q], lr_dense);
        }
        for (uint32_t q = 0; q < m->filters; q++) {
            if (dp[q] == 0)
                continue;
            size_t e = (size_t)fw.arg[q];
            for (size_t off = 0; off < w; off++) {
                size_t p = e + off;
                if (p < w - 1 || p - (w - 1) >= fw.words)
                    continue;
                size_t t = p - (w - 1);
                float *dv = wb.dv + t * dim;
                const float *v = wb.v + t * dim;
                for (size_t k = 0; k < dim; k++) {
                    size_t at = (off * dim + k) * m->filters + q;
                    dv[k] += m->conv[at] * dp[q];
                    adagrad(&m->conv[at], &m->g_conv[at], dp[q] * v[k], lr_dense);
                }
            }
            adagrad(&m->cb[q], &m->g_cb[q], dp[q], lr_dense);
        }
    }
    /* dense layers */
    for (int a = 0; a < K; a++) {
        if (gl[a] == 0)
            continue;
        for (uint32_t j = 0; j < m->hidden; j++)
            adagrad(&m->w2[(size_t)a * m->hidden + j], &m->g_w2[(size_t)a * m->hidden + j],
                    gl[a] * fw.h[j], lr_dense);
        adagrad(&m->b2[a], &m->g_b2[a], gl[a], lr_dense);
        /* the group's offset: AdaGrad at the dense rate, no L2 */
        if (grp >= 0 && m->learnt[(size_t)grp * K + (size_t)a]) {
            size_t at = (size_t)grp * K + (size_t)a;
            adagrad(&m->off[at], &m->g_off[at], gl[a], lr_dense);
        }
    }
    for (uint32_t j = 0; j < m->hidden; j++) {
        if (dz1[j] == 0)
            continue;
        for (uint32_t k = 0; k < m->dim; k++)
            adagrad(&m->w1[(size_t)j * m->dim + k], &m->g_w1[(size_t)j * m->dim + k],
                    dz1[j] * fw.x[k], lr_dense);
        adagrad(&m->b1[j], &m->g_b1[j], dz1[j], lr_dense);
    }
    /* feature rows, with L2 on the rows touched; with pooled filters a
     * row of word t also gets the gradient of t's vector */
    float l2 = (float)o->l2;
    size_t w0 = m->filters > 0 ? f->wstart[i] : 0;
    size_t t = 0, t_end = fw.words > 0 ? f->word[w0] : f->start[i + 1];
    const float *dv = NULL;
    float dvs = 0;
    for (size_t j = f->start[i]; j < f->start[i + 1]; j++) {
        while (j == t_end && t < fw.words) { /* word t begins at j */
            dv = wb.dv + t * m->dim;
            dvs = wb.inv[t];
            t_end = word_end(f, i, w0 + t);
            t++;
        }
        if (m->filters == 0 && dropped(j))
            continue;
        uint32_t e = f->idx[j];
        float s = fw.inv[(e & CLASSIFIER_WORD_BIT) != 0];
        size_t b = (size_t)(e & ~CLASSIFIER_WORD_BIT) * m->row;
        for (size_t k = 0; k < m->row; k++) {
            float g = dx[k] * s + l2 * m->rows[b + k];
            if (dv != NULL && k < m->dim)
                g += dv[k] * dvs;
            if (g != 0)
                adagrad(&m->rows[b + k], &m->g_rows[b + k], g, lr);
        }
    }
    return loss;
}

/* ---- measuring ------------------------------------------------------------- */

static double
platt_loss(const scored *v, size_t n, double a, double b)
{
    double l = 0;
    for (size_t i = 0; i < n; i++) {
        double z = a * v[i].p + b;
        /* log(1 + e^z) - y z, computed without overflow */
        l += (z > 0 ? z + log1p(exp(-z)) : log1p(exp(z))) - v[i].y * z;
    }
    return l;
}

/* Platt scaling: a, b minimising the cross-entropy of sigmoid(a z + b)
 * against the (soft) targets, by Newton's method with step halving, so it
 * never diverges on saturated logits. */
static void
platt(const scored *v, size_t n, float *a_out, float *b_out)
{
    double a = 1, b = 0, loss = platt_loss(v, n, a, b);
    for (int it = 0; it < 100 && n > 0; it++) {
        double ga = 0, gb = 0, haa = 1e-6, hab = 0, hbb = 1e-6;
        for (size_t i = 0; i < n; i++) {
            double p = sigmoid(a * v[i].p + b), r = p - v[i].y, w = p * (1 - p);
            ga += r * v[i].p;
            gb += r;
            haa += w * v[i].p * v[i].p;
            hab += w * v[i].p;
            hbb += w;
        }
        double det = haa * hbb - hab * hab;
        if (!(fabs(det) > 1e-12))
            break;
        double da = (hbb * ga - hab * gb) / det, db = (haa * gb - hab * ga) / det;
        double step = 1, nl = loss;
        for (; step > 1e-6; step /= 2) {
            nl = platt_loss(v, n, a - step * da, b - step * db);
            if (nl <= loss)
                break;
        }
        if (step <= 1e-6)
            break;
        a -= step * da;
        b -= step * db;
        if (loss - nl < 1e-9 * (double)n)
            break;
        loss = nl;
    }
    if (!(a > 0) || !isfinite(a) || !isfinite(b) || a > 1e3 || fabs(b) > 1e3) {
        a = 1; /* never invert or break a score */
        b = 0;
    }
    *a_out = (float)a;
    *b_out = (float)b;
}

static int
is_corpus(const msample *x, const char *name)
{
    return strcmp(x->corpus, name) == 0;
}

/* The corpora of comments in the news-comment register: the hold threshold
 * is chosen on their clean DEV samples. */
static int
news_like(const msample *x)
{
    return is_corpus(x, "civil") || is_corpus(x, "fox-news");
}

/* --news-fold K/N: the news-like comments of TRAIN and DEV (TEST stays
 * aside) are dealt into N folds by a hash of their text, another part of
 * it than the one that chose the splits; fold K becomes DEV and the others
 * TRAIN. N runs, one per fold, give every such comment a score from a model
 * that did not train on it: 2,043 comments to rank models on instead of
 * the 257 of the fixed DEV split (tools/news_cv.sh pools them). */
static void
news_folds(mset *s, int k, int n)
{
    size_t moved[2] = {0, 0};
    for (size_t i = 0; i < s->n; i++) {
        msample *x = &s->v[i];
        if (!news_like(x) || x->split == SPLIT_TEST)
            continue;
        uint64_t h = corpora_hash(x->text, x->len) >> 20;
        x->split = (int)(h % (uint64_t)n) == k ? SPLIT_DEV : SPLIT_TRAIN;
        moved[x->split == SPLIT_DEV]++;
    }
    fprintf(stderr, "train: news fold %d/%d: %zu news-like comments in DEV, %zu in TRAIN\n", k, n,
            moved[1], moved[0]);
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* ---- identity mentions ---------------------------------------------------------- */

/* Hate corpora mention identities mostly to attack them, so a model learns
 * that "gay", "Muslim" or "Black" are toxic words. Sentences written for
 * Parley that mention identities neutrally or kindly, each template with
 * each term, are added to TRAIN as clean (every attribute 0) to unlearn
 * that. They are not the test sets' templates (HateCheck, the Wikipedia
 * madlibs), which stay unseen. */
static const char *const identity_terms[] = {
    "gay",     "lesbian",   "bisexual",   "transgender",     "trans",
    "queer",   "straight",  "Black",      "white",           "Asian",
    "Latino",  "Hispanic",  "Indigenous", "Native American", "Jewish",
    "Muslim",  "Christian", "Catholic",   "Hindu",           "Buddhist",
    "Sikh",    "atheist",   "immigrant",  "refugee",         "Mexican",
    "Chinese", "Indian",    "Arab",       "African",         "Palestinian",
    "Israeli", "Iranian",   "deaf",       "blind",           "disabled",
    "older",   "young",     "female",     "nonbinary",       "African American",
};

static const char *const identity_templates[] = {
    "As a %s person, I think the council got this one right.",
    "My %s neighbours helped clear the snow this morning.",
    "The new library will serve %s families across the city.",
    "I grew up in a %s household and this story rings true.",
    "Many %s people live in this district and vote in every election.",
    "The article quotes a %s teacher who has worked there for twenty years.",
    "%s students won three of the five scholarships this year.",
    "My best friend is %s and she agrees with the mayor.",
    "We should listen to %s residents before deciding.",
    "Being %s has nothing to do with how good a doctor you are.",
    "The festival celebrates %s culture with music and food.",
    "I'm %s, and I support this proposal.",
    "%s voters are split on the budget, the poll says.",
    "Hatred of %s people has no place in this town.",
    "The survey asked %s workers about their pay and hours.",
    "She is the first %s judge on the court.",
    "Are there any %s candidates standing this time?",
    "He said %s people deserve the same respect as anyone else.",
    "I don't see why being %s should matter for this job.",
    "%s people are just people, like everyone else here.",
    "Proud to be %s and proud of this city.",
    "The clinic has started offering appointments for %s patients in the evening.",
    "My neighbour is a %s man and he coaches the youth football team.",
    "Our new doctor is a %s woman who grew up here.",
    "A %s couple bought the old bakery and reopened it.",
    "The %s community raised money for the flood victims.",
};

/* Short mentions by plural noun: the shortest comments are where a single
 * group word weighs most. */
static const char *const identity_nouns[] = {
    "women",      "men",       "immigrants", "refugees",   "Muslims",      "Jews",
    "Christians", "Hindus",    "atheists",   "gay people", "trans people", "Black people",
    "Asians",     "Mexicans",  "Arabs",      "Africans",   "Latinos",      "disabled people",
    "old people", "teenagers", "lesbians",   "gay men",    "Catholics",    "Sikhs",
};

static const char *const identity_noun_templates[] = {
    "I love %s.",
    "%s are welcome here.",
    "%s deserve equal rights.",
    "I don't hate %s.",
    "%s built this town too.",
    "There are many %s in my neighbourhood.",
    "Some of my closest friends are %s.",
    "%s matter.",
    "Support for %s is growing, the poll says.",
    "Nobody should attack %s.",
};

static void
add_templated(mset *s, const char *const *tpl, size_t np, const char *const *terms, size_t nt)
{
    for (size_t t = 0; t < np; t++)
        for (size_t i = 0; i < nt; i++) {
            char buf[256];
            const char *tp = tpl[t], *hole = strstr(tp, "%s");
            int n = snprintf(buf, sizeof buf, "%.*s%s%s", (int)(hole - tp), tp, terms[i], hole + 2);
            if (n <= 0 || (size_t)n >= sizeof buf)
                continue;
            if (buf[0] >= 'a' && buf[0] <= 'z')
                buf[0] = (char)(buf[0] - 32);
            if (s->n == s->cap) {
                s->cap = s->cap ? s->cap * 2 : 1024;
                s->v = xrealloc(s->v, s->cap * sizeof *s->v);
            }
            msample *x = &s->v[s->n++];
            memset(x, 0, sizeof *x);
            x->text = xstrndup(buf, (size_t)n);
            x->len = (size_t)n;
            for (int a = 0; a < K; a++)
                x->y[a] = 0;
            x->w = 2; /* few sentences against many hate posts */
            x->split = corpora_hash(buf, (size_t)n) % 10 == 0 ? SPLIT_DEV : SPLIT_TRAIN;
            x->licence = LIC_OPEN;
            x->corpus = "identity-neutral";
        }
}

static void
add_identity_neutral(mset *s)
{
    add_templated(s, identity_templates, sizeof identity_templates / sizeof *identity_templates,
                  identity_terms, sizeof identity_terms / sizeof *identity_terms);
    add_templated(s, identity_noun_templates,
                  sizeof identity_noun_templates / sizeof *identity_noun_templates, identity_nouns,
                  sizeof identity_nouns / sizeof *identity_nouns);
}

/* ---- disguised copies (--augment) ------------------------------------------------ */

/* Toxic, insulting or profane: the samples whose words get disguised. */
static int
abusive(const msample *x)
{
    return x->y[CLF_TOXICITY] >= 0.5f || x->y[CLF_INSULT] >= 0.5f || x->y[CLF_PROFANITY] >= 0.5f;
}

/* Labelled on one of those three and on none of them positive. */
static int
is_clean(const msample *x)
{
    int labelled = x->y[CLF_TOXICITY] >= 0 || x->y[CLF_INSULT] >= 0 || x->y[CLF_PROFANITY] >= 0;
    return labelled && !abusive(x);
}

static double corpus_weight(const opts *o, const char *corpus);

static int
trained_on(const opts *o, const msample *x)
{
    return x->split == SPLIT_TRAIN && !(o->open_only && x->licence != LIC_OPEN) &&
           corpus_weight(o, x->corpus) > 0;
}

/* Adds to TRAIN a disguised copy (tools/augment.h) of o->augment of the
 * abusive TRAIN samples and of o->augment_clean of the clean ones, with
 * their labels, weight and corpus. Which samples, which word and which
 * disguise are drawn from the seed and the text, so the same options give
 * the same copies. */
static void
add_disguised(mset *s, const opts *o)
{
    augment *a = augment_new();
    size_t n = s->n, added[2] = {0, 0}, eligible[2] = {0, 0};
    for (size_t i = 0; i < n; i++)
        if (trained_on(o, &s->v[i]) && (abusive(&s->v[i]) || is_clean(&s->v[i])))
            augment_count(a, s->v[i].text, s->v[i].len, abusive(&s->v[i]));
    uint64_t cut[2] = {(uint64_t)(o->augment_clean * 1e6), (uint64_t)(o->augment * 1e6)};
    for (size_t i = 0; i < n; i++) {
        if (!trained_on(o, &s->v[i]))
            continue;
        int bad = abusive(&s->v[i]);
        if (!bad && !is_clean(&s->v[i]))
            continue;
        eligible[bad]++;
        uint64_t rng = (o->seed ^ corpora_hash(s->v[i].text, s->v[i].len)) | 1;
        if (augment_rng(&rng) % 1000000 >= cut[bad])
            continue;
        size_t cap = 4 * s->v[i].len + 64;
        char *copy = xmalloc(cap);
        size_t len = bad ? augment_disguise(a, s->v[i].text, s->v[i].len, &rng, copy, cap)
                         : augment_disguise_any(s->v[i].text, s->v[i].len, &rng, copy, cap);
        if (len == 0) {
            free(copy);
            continue;
        }
        if (s->n == s->cap) {
            s->cap = s->cap ? s->cap * 2 : 1024;
            s->v = xrealloc(s->v, s->cap * sizeof *s->v);
        }
        msample *x = &s->v[s->n++];
        *x = s->v[i];
        x->text = copy;
        x->len = len;
        added[bad]++;
    }
    fprintf(stderr,
            "train: disguised copies: %zu of %zu abusive TRAIN samples (--augment %.2f), %zu of "
            "%zu clean ones (--augment-clean %.2f)\n",
            added[1], eligible[1], o->augment, added[0], eligible[0], o->augment_clean);
    augment_free(a);
}

/* ---- corpus offsets (--corpus-bias) --------------------------------------------- */

/* Gives each of the n_train samples order[] names its corpus group
 * (cbias_group), sets *names to the groups' names (m->groups of them) and
 * allocates m's offsets, learnt where the group's TRAIN samples have both
 * classes of the attribute (cbias_learnt). Returns each sample's group, -1
 * for samples not trained on; the caller frees both. */
static long *
corpus_groups(const mset *s, const size_t *order, size_t n_train, net *m, const char ***names)
{
    long *grp = xmalloc((s->n ? s->n : 1) * sizeof *grp);
    const char **name = xmalloc((s->n ? s->n : 1) * sizeof *name);
    size_t ng = 0;
    for (size_t i = 0; i < s->n; i++)
        grp[i] = -1;
    for (size_t t = 0; t < n_train; t++) {
        const char *g = cbias_group(s->v[order[t]].corpus);
        size_t k = 0;
        while (k < ng && strcmp(name[k], g) != 0)
            k++;
        if (k == ng)
            name[ng++] = g;
        grp[order[t]] = (long)k;
    }
    size_t *pos = xcalloc((ng ? ng : 1) * K, sizeof *pos);
    size_t *lab = xcalloc((ng ? ng : 1) * K, sizeof *lab);
    for (size_t t = 0; t < n_train; t++) {
        const msample *x = &s->v[order[t]];
        for (int a = 0; a < K; a++)
            if (x->y[a] >= 0) {
                lab[(size_t)grp[order[t]] * K + (size_t)a]++;
                pos[(size_t)grp[order[t]] * K + (size_t)a] += x->y[a] >= 0.5f;
            }
    }
    m->groups = ng;
    m->off = xcalloc((ng ? ng : 1) * K, sizeof *m->off);
    m->g_off = xcalloc((ng ? ng : 1) * K, sizeof *m->g_off);
    m->learnt = xcalloc((ng ? ng : 1) * K, sizeof *m->learnt);
    size_t n_learnt = 0;
    for (size_t k = 0; k < ng * K; k++) {
        m->learnt[k] = (unsigned char)cbias_learnt(pos[k], lab[k]);
        n_learnt += m->learnt[k];
    }
    fprintf(stderr, "train: corpus offsets: %zu groups, %zu (group, attribute) offsets learnt\n",
            ng, n_learnt);
    free(pos);
    free(lab);
    *names = name;
    return grp;
}

/* ---- options ----------------------------------------------------------------- */

static void
usage(FILE *to, int status)
{
    fprintf(to,
            "usage: train [--data DIR] [--out FILE] [--epochs N] [--log2-buckets N] [--dim N]\n"
            "             [--hidden N] [--filters N] [--width N] [--char-min N] [--char-max N]\n"
            "             [--lr X] [--lr-dense X] [--l2 X] [--open-only] [--target-fpr X]\n"
            "             [--hold-at [ATTR=]X]... [--seed N] [--weight CORPUS=X]...\n"
            "             [--augment SHARE]\n"
            "             [--augment-clean SHARE] [--corpus-bias] [--dropout SHARE] [--mean]\n"
            "             [--news-fold K/N] [--dump-news FILE] [--eval MODEL]\n"
            "Trains the moderation model from the labelled corpora in DIR (default\n"
            "../shared/data) and writes it to FILE (default data/model/parley.model).\n"
            "--open-only trains on openly licensed corpora only (docs/MODERATION.md).\n"
            "--target-fpr is the share of clean DEV comments the hold threshold may\n"
            "flag (default 0.02); --hold-at X sets the threshold instead (chosen on\n"
            "the folds of tools/news_cv.sh -e); --hold-at ATTR=X sets one\n"
            "attribute's (threat=0.40). --dim 0 --hidden 0 trains a linear\n"
            "model.\n"
            "--filters N (default 0: none) adds N filters over --width consecutive\n"
            "words (default 1: a max-pool over single words), max-pooled over the\n"
            "text, to the hidden layer's input (model file version 3).\n"
            "--augment SHARE (default 0: none) adds a disguised copy (leet, masks,\n"
            "spaced or dotted letters, glued words, doubled letters, look-alike\n"
            "letters) of SHARE of the toxic, insulting or profane TRAIN samples;\n"
            "--augment-clean SHARE (default 0) of the clean ones.\n"
            "--corpus-bias learns an offset per corpus group and attribute, added\n"
            "to the logit in training only (the news sites' corpora are one group),\n"
            "so that the shared weights need not learn each corpus's base rate; the\n"
            "written model has no offsets (default: off).\n"
            "--mean averages a text's feature rows (divides their sum by their\n"
            "count, not its square root), so a text said twice scores as once.\n"
            "--dropout SHARE (default 0: none) leaves a random SHARE of a sample's\n"
            "features out of each training step (models without --filters only).\n"
            "--news-fold K/N makes fold K of N of the news-like TRAIN and DEV\n"
            "comments the DEV split, the rest TRAIN (tools/news_cv.sh runs every\n"
            "fold); --dump-news FILE writes each news-like DEV comment as\n"
            "corpus<TAB>toxicity label<TAB>TOXICITY logit<TAB>calibrated score<TAB>\n"
            "text (tabs and line breaks as spaces). --eval MODEL with --news-fold\n"
            "K/N measures MODEL on fold K: it must be the model trained on fold K.\n"
            "--eval MODEL trains nothing: it prints the DEV (and TEST) figures of\n"
            "MODEL as a training run prints them, and writes no file.\n");
    exit(status);
}

static double
num_arg(const char *name, const char *v, double lo, double hi)
{
    char *end;
    double d = strtod(v, &end);
    if (*v == '\0' || *end != '\0' || !(d >= lo && d <= hi)) {
        fprintf(stderr, "train: %s expects a number from %g to %g, not \"%s\"\n", name, lo, hi, v);
        exit(2);
    }
    return d;
}

/* --hold-at X (every attribute) or --hold-at ATTR=X (one attribute, by
 * its name in any case: "threat=0.40"), which wins over X for it. */
static void
hold_arg(opts *o, const char *name, const char *v)
{
    const char *eq = strchr(v, '=');
    if (eq == NULL) {
        o->hold_at = num_arg(name, v, 0.05, 0.95);
        return;
    }
    char up[32];
    size_t n = (size_t)(eq - v);
    for (size_t i = 0; i < n && i < sizeof up; i++)
        up[i] = (char)toupper((unsigned char)v[i]);
    int a = n < sizeof up ? classifier_attr_parse(up, n) : -1;
    if (a < 0) {
        fprintf(stderr,
                "train: %s: no attribute \"%.*s\" (toxicity, severe_toxicity, insult, "
                "profanity, threat, identity_attack)\n",
                name, (int)n, v);
        exit(2);
    }
    o->hold_attr[a] = num_arg(name, eq + 1, 0.05, 0.95);
}

/* The weight of a corpus: --weight CORPUS=X, else its default. The Civil
 * Comments posts that raters all judged toxic (toxic-spans-raw) count 0.3:
 * at full weight, 16,000 toxic news comments with no clean ones beside
 * them teach that the subjects news comments argue about are toxic
 * (Civil Comments seed rows: ROC AUC 0.842 at 1, 0.893 at 0.3). */
static double
corpus_weight(const opts *o, const char *corpus)
{
    size_t n = strlen(corpus);
    for (int i = 0; i < o->n_weights; i++)
        if (strncmp(o->weights[i], corpus, n) == 0 && o->weights[i][n] == '=')
            return atof(o->weights[i] + n + 1);
    return strcmp(corpus, "toxic-spans-raw") == 0 ? 0.3 : 1.0;
}

static int
read_file(const char *path, unsigned char **out, size_t *n)
{
    FILE *f = fopen(path, "rb");
    long size = -1;
    if (f != NULL && fseek(f, 0, SEEK_END) == 0)
        size = ftell(f);
    if (f == NULL || size < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fprintf(stderr, "train: cannot read %s\n", path);
        if (f != NULL)
            fclose(f);
        return -1;
    }
    *out = xmalloc((size_t)size + 1);
    *n = fread(*out, 1, (size_t)size, f);
    fclose(f);
    if (*n != (size_t)size) {
        fprintf(stderr, "train: cannot read %s\n", path);
        free(*out);
        return -1;
    }
    return 0;
}

static int
write_file(const char *path, const unsigned char *p, size_t n)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    if (f == NULL || fwrite(p, 1, n, f) != n || fclose(f) != 0) {
        fprintf(stderr, "train: cannot write %s\n", tmp);
        return -1;
    }
    if (rename(tmp, path) != 0) {
        fprintf(stderr, "train: cannot rename %s to %s\n", tmp, path);
        return -1;
    }
    return 0;
}

int
main(int argc, char **argv)
{
    opts o = {.data = "../shared/data",
              .out = DEFAULT_OUT,
              .epochs = 2,
              .log2_buckets = 18,
              .dim = 32,
              .hidden = 32,
              .width = 1,
              .filters = 0,
              .char_min = 2,
              .char_max = 5,
              .lr = 0.02,
              .lr_dense = 0.01,
              .l2 = 1e-5,
              .open_only = 0,
              .target_fpr = 0.02,
              .seed = 0x9e3779b97f4a7c15u};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h"))
            usage(stdout, 0);
        if (!strcmp(a, "--open-only")) {
            o.open_only = 1;
            continue;
        }
        if (!strcmp(a, "--mean")) {
            o.mean = 1;
            continue;
        }
        if (!strcmp(a, "--corpus-bias")) {
            o.corpus_bias = 1;
            continue;
        }
        if (i + 1 >= argc)
            usage(stderr, 2);
        const char *v = argv[++i];
        if (!strcmp(a, "--data"))
            o.data = v;
        else if (!strcmp(a, "--out"))
            o.out = v;
        else if (!strcmp(a, "--news-fold")) {
            char *end = NULL;
            long k = strtol(v, &end, 10), n = *end == '/' ? strtol(end + 1, &end, 10) : 0;
            if (*end != '\0' || n < 2 || n > 20 || k < 0 || k >= n) {
                fprintf(stderr, "train: --news-fold wants K/N with 2 <= N <= 20, 0 <= K < N\n");
                return 2;
            }
            o.fold = (int)k;
            o.folds = (int)n;
        } else if (!strcmp(a, "--dump-news"))
            o.dump_news = v;
        else if (!strcmp(a, "--dropout"))
            o.dropout = num_arg(a, v, 0, 0.9);
        else if (!strcmp(a, "--epochs"))
            o.epochs = (int)num_arg(a, v, 1, 100);
        else if (!strcmp(a, "--log2-buckets"))
            o.log2_buckets = (uint32_t)num_arg(a, v, CLASSIFIER_MIN_LOG2, CLASSIFIER_MAX_LOG2);
        else if (!strcmp(a, "--dim"))
            o.dim = (uint32_t)num_arg(a, v, 0, CLASSIFIER_MAX_DIM);
        else if (!strcmp(a, "--hidden"))
            o.hidden = (uint32_t)num_arg(a, v, 0, CLASSIFIER_MAX_HIDDEN);
        else if (!strcmp(a, "--filters"))
            o.filters = (uint32_t)num_arg(a, v, 0, CLASSIFIER_MAX_FILTERS);
        else if (!strcmp(a, "--width"))
            o.width = (uint32_t)num_arg(a, v, 1, CLASSIFIER_MAX_WIDTH);
        else if (!strcmp(a, "--eval"))
            o.eval = v;
        else if (!strcmp(a, "--char-min"))
            o.char_min = (uint32_t)num_arg(a, v, 1, CLASSIFIER_MAX_CHAR_N);
        else if (!strcmp(a, "--char-max"))
            o.char_max = (uint32_t)num_arg(a, v, 0, CLASSIFIER_MAX_CHAR_N);
        else if (!strcmp(a, "--lr"))
            o.lr = num_arg(a, v, 0, 10);
        else if (!strcmp(a, "--lr-dense"))
            o.lr_dense = num_arg(a, v, 0, 10);
        else if (!strcmp(a, "--l2"))
            o.l2 = num_arg(a, v, 0, 1);
        else if (!strcmp(a, "--target-fpr"))
            o.target_fpr = num_arg(a, v, 0.001, 0.5);
        else if (!strcmp(a, "--hold-at"))
            hold_arg(&o, a, v);
        else if (!strcmp(a, "--augment"))
            o.augment = num_arg(a, v, 0, 1);
        else if (!strcmp(a, "--augment-clean"))
            o.augment_clean = num_arg(a, v, 0, 1);
        else if (!strcmp(a, "--seed"))
            o.seed = (uint64_t)num_arg(a, v, 1, 1e15);
        else if (!strcmp(a, "--weight") && o.n_weights < 32 && strchr(v, '=') != NULL)
            o.weights[o.n_weights++] = v;
        else
            usage(stderr, 2);
    }
    if ((o.dim == 0) != (o.hidden == 0)) {
        fprintf(stderr, "train: --dim and --hidden are both 0 (linear) or both positive\n");
        return 2;
    }
    if (o.filters > 0 && o.dim == 0) {
        fprintf(stderr, "train: --filters needs --dim and --hidden\n");
        return 2;
    }
    if (o.folds > 0 && o.eval == NULL && !strcmp(o.out, DEFAULT_OUT)) {
        /* A fold's model is trained on another split: never the shipped
         * file. (With --eval, MODEL must be the same fold's model: the
         * shipped one trained on most of any fold.) */
        fprintf(stderr, "train: --news-fold needs --out FILE (not the shipped model)\n");
        return 2;
    }
    if (o.filters > 0 && o.dropout > 0) {
        fprintf(stderr, "train: --dropout works only without --filters\n");
        return 2;
    }
    if (o.filters == 0)
        o.width = 0;

    clock_t t0 = clock();
    mset s = {0};
    int missing = corpora_load(&s, o.data);
    if (missing != 0) {
        /* A model trained on part of the data is not the shipped one, and
         * would silently differ from it: stop instead. */
        if (missing > 0)
            fprintf(stderr, "train: %d data sets missing or unreadable under %s (named above).\n",
                    missing, o.data);
        fprintf(stderr, "train: the model is trained from every set data/README.md lists; run "
                        "`make model DATA=DIR` with DIR holding them, one folder each.\n");
        mset_free(&s);
        return 2;
    }
    if (corpus_weight(&o, "identity-neutral") > 0)
        add_identity_neutral(&s);
    if (o.folds > 0)
        news_folds(&s, o.fold, o.folds);
    if ((o.augment > 0 || o.augment_clean > 0) && o.eval == NULL)
        add_disguised(&s, &o);

    classifier_config cfg = {CLASSIFIER_F_WORDS | CLASSIFIER_F_BIGRAMS |
                                 (o.mean ? CLASSIFIER_F_MEAN : 0u),
                             o.char_min, o.char_max, 0x5eed1e55u};
    feats f = {0};
    if (o.eval == NULL) {
        featurize_all(&s, &cfg, o.log2_buckets, o.filters > 0, &f);
        fprintf(stderr, "train: %zu samples, %zu feature occurrences, %zu words (%.1f s)\n", s.n,
                f.n, f.nw, (double)(clock() - t0) / CLOCKS_PER_SEC);
    }

    /* The training order: TRAIN samples of the allowed corpora, shuffled. */
    size_t *order = xmalloc(s.n * sizeof *order), n_train = 0;
    for (size_t i = 0; i < s.n; i++) {
        const msample *x = &s.v[i];
        if (x->split != SPLIT_TRAIN || (o.open_only && x->licence != LIC_OPEN))
            continue;
        if (corpus_weight(&o, x->corpus) <= 0)
            continue;
        order[n_train++] = i;
    }
    /* Per-attribute loss weights: rare attributes count more, so that the
     * shared layers learn them too (calibration undoes the shift). */
    double pos[K] = {0}, lab[K] = {0}, attr_w[K];
    for (size_t t = 0; t < n_train; t++)
        for (int a = 0; a < K; a++)
            if (s.v[order[t]].y[a] >= 0) {
                lab[a]++;
                pos[a] += s.v[order[t]].y[a];
            }
    for (int a = 0; a < K; a++) {
        attr_w[a] = lab[a] > 0 ? fmin(4.0, sqrt(0.2 * lab[a] / (pos[a] + 1))) : 1;
        if (attr_w[a] < 1)
            attr_w[a] = 1;
        fprintf(stderr, "train: %-16s %7.0f labelled, %7.0f positive, loss weight %.2f\n",
                classifier_attr_name((classifier_attr)a), lab[a], pos[a], attr_w[a]);
    }
    float *cw = xmalloc(s.n * sizeof *cw);
    for (size_t i = 0; i < s.n; i++)
        cw[i] = (float)corpus_weight(&o, s.v[i].corpus);

    net m;
    memset(&m, 0, sizeof m);
    if (o.eval == NULL)
        net_init(&m, &o);
    long *grp = NULL;
    const char **gname = NULL;
    if (o.corpus_bias && o.eval == NULL)
        grp = corpus_groups(&s, order, n_train, &m, &gname);
    uint64_t rs = o.seed ^ 0x243f6a8885a308d3u;
    for (int ep = 0; ep < (o.eval == NULL ? o.epochs : 0); ep++) {
        for (size_t t = n_train; t > 1; t--) {
            size_t j = (size_t)(rng_next(&rs) % t);
            size_t tmp = order[t - 1];
            order[t - 1] = order[j];
            order[j] = tmp;
        }
        double loss = 0;
        float decay = 1.0f - 0.5f * (float)ep / (float)o.epochs;
        for (size_t t = 0; t < n_train; t++) {
            msample x = s.v[order[t]];
            x.w *= cw[order[t]];
            if (o.dropout > 0) {
                drop_key = rng_next(&rs);
                drop_cut = (uint64_t)(o.dropout * 18446744073709551615.0);
            }
            loss += net_step(&m, &f, &x, order[t], grp != NULL ? grp[order[t]] : -1, attr_w, &o,
                             (float)o.lr * decay, (float)o.lr_dense * decay);
        }
        drop_cut = 0;
        fprintf(stderr, "train: epoch %d/%d loss %.4f (%.1f s)\n", ep + 1, o.epochs,
                loss / (double)n_train, (double)(clock() - t0) / CLOCKS_PER_SEC);
    }
    for (size_t g = 0; grp != NULL && g < m.groups; g++) {
        char line[256];
        int at = 0;
        for (int a = 0; a < K; a++) {
            size_t k = g * K + (size_t)a;
            at += snprintf(line + at, sizeof line - (size_t)at, m.learnt[k] ? " %+6.2f" : "      -",
                           (double)m.off[k]);
        }
        fprintf(stderr, "train: corpus offset %-20s%s\n", gname[g], line);
    }
    free(grp);
    free(gname);

    /* Encode without calibration, load it as the server would, and fit the
     * calibration on the quantised model's logits over DEV. */
    classifier_params p;
    memset(&p, 0, sizeof p);
    p.cfg = cfg;
    p.log2_buckets = o.log2_buckets;
    p.dim = o.dim;
    p.hidden = o.hidden;
    p.rows = m.rows;
    p.w1 = m.w1;
    p.b1 = m.b1;
    p.w2 = m.w2;
    p.width = o.width;
    p.filters = o.filters;
    float *conv_file = conv_for_file(&m);
    p.conv = conv_file;
    p.conv_b = m.cb;
    p.w_pool = m.wp;
    for (int a = 0; a < K; a++) {
        p.b2[a] = m.b2[a];
        p.cal_a[a] = 1;
        p.cal_b[a] = 0;
        p.threshold[a] = 0.5f;
    }
    unsigned char *bytes;
    size_t nbytes;
    pl_error err;
    classifier *c;
    if (o.eval != NULL ? read_file(o.eval, &bytes, &nbytes) < 0
                       : classifier_encode(&p, &bytes, &nbytes, &err) < 0) {
        if (o.eval == NULL)
            fprintf(stderr, "train: %s\n", err.msg);
        return 1;
    }
    if (classifier_load(bytes, nbytes, &c, &err) < 0) {
        fprintf(stderr, "train: %s\n", err.msg);
        return 1;
    }
    free(bytes);
    double(*logit)[K] = xmalloc(s.n * sizeof *logit);
    for (size_t i = 0; i < s.n; i++)
        if (s.v[i].split != SPLIT_TRAIN)
            classifier_logits(c, s.v[i].text, s.v[i].len, logit[i]);
    classifier_free(c);

    scored *v = xmalloc(s.n * sizeof *v);
    for (int a = 0; a < K; a++) {
        size_t n = 0;
        for (size_t i = 0; i < s.n; i++)
            if (s.v[i].split == SPLIT_DEV && s.v[i].y[a] >= 0)
                v[n++] = (scored){logit[i][a], s.v[i].y[a]};
        platt(v, n, &p.cal_a[a], &p.cal_b[a]);
        double auc = roc_auc(v, n);
        fprintf(stderr, "train: %-16s DEV n=%zu AUC %.3f, calibration a=%.3f b=%.3f\n",
                classifier_attr_name((classifier_attr)a), n, auc, p.cal_a[a], p.cal_b[a]);
    }
    /* DEV TOXICITY AUC per corpus: what choices between models are made on
     * (news-like is Civil Comments and Fox News together). */
    static const char *const dev_report[] = {"news-like", "olid",      "kaggle-insults", "cad",
                                             "wiki-talk", "convabuse", "hatexplain"};
    for (size_t r = 0; r < sizeof dev_report / sizeof *dev_report; r++) {
        size_t n = 0;
        for (size_t i = 0; i < s.n; i++) {
            const msample *x = &s.v[i];
            if (x->split != SPLIT_DEV || x->y[CLF_TOXICITY] < 0)
                continue;
            if (r == 0 ? !news_like(x) : !is_corpus(x, dev_report[r]))
                continue;
            v[n++] = (scored){logit[i][CLF_TOXICITY], x->y[CLF_TOXICITY]};
        }
        if (n > 0)
            fprintf(stderr, "train: DEV %-16s n=%5zu TOXICITY AUC %.3f\n", dev_report[r], n,
                    roc_auc(v, n));
    }
    if (o.dump_news != NULL) {
        FILE *d = fopen(o.dump_news, "w");
        if (d == NULL) {
            fprintf(stderr, "train: %s: cannot write\n", o.dump_news);
            return 1;
        }
        for (size_t i = 0; i < s.n; i++) {
            const msample *x = &s.v[i];
            if (x->split != SPLIT_DEV || !news_like(x) || x->y[CLF_TOXICITY] < 0)
                continue;
            fprintf(d, "%s\t%.4f\t%.6f\t%.6f\t", x->corpus, (double)x->y[CLF_TOXICITY],
                    logit[i][CLF_TOXICITY],
                    sigmoid(p.cal_a[0] * logit[i][CLF_TOXICITY] + p.cal_b[0]));
            corpora_put_line(d, x->text, x->len); /* last, for `parley check --tsv` */
            fputc('\n', d);
        }
        if (fclose(d) != 0) {
            fprintf(stderr, "train: %s: write failed\n", o.dump_news);
            return 1;
        }
    }
    /* The low end of the news ranking: toxic news-like DEV comments scored
     * above the (n+1)-th highest clean one, where a few clean comments
     * held is all a site accepts. */
    {
        size_t nt = 0, nn = 0;
        double *tox = xmalloc(s.n * sizeof *tox), *cln = xmalloc(s.n * sizeof *cln);
        for (size_t i = 0; i < s.n; i++) {
            const msample *x = &s.v[i];
            if (x->split != SPLIT_DEV || !news_like(x) || x->y[CLF_TOXICITY] < 0)
                continue;
            if (x->y[CLF_TOXICITY] >= 0.5)
                tox[nt++] = logit[i][CLF_TOXICITY];
            else
                cln[nn++] = -logit[i][CLF_TOXICITY];
        }
        qsort(cln, nn, sizeof *cln, cmp_double); /* highest logit first */
        static const size_t at_n[] = {2, 5, 8, 16};
        char line[256];
        int at = 0;
        for (size_t r = 0; r < sizeof at_n / sizeof *at_n && at_n[r] < nn; r++) {
            size_t above = 0;
            for (size_t j = 0; j < nt; j++)
                above += tox[j] > -cln[at_n[r]];
            at += snprintf(line + at, sizeof line - (size_t)at, " n=%zu: %zu", at_n[r], above);
        }
        if (nn > 0 && nt > 0)
            fprintf(stderr,
                    "train: DEV news-like: of %zu toxic, above the (n+1)-th of %zu clean:%s\n", nt,
                    nn, line);
        free(tox);
        free(cln);
    }
    /* The hold threshold: the calibrated TOXICITY score that flags
     * target_fpr of the clean DEV comments of the news-like corpora. One
     * value for every attribute, since the scores are calibrated. */
    double *clean = xmalloc(s.n * sizeof *clean);
    size_t nc = 0;
    for (size_t i = 0; i < s.n; i++)
        if (s.v[i].split == SPLIT_DEV && news_like(&s.v[i]) && s.v[i].y[CLF_TOXICITY] == 0)
            clean[nc++] = sigmoid(p.cal_a[0] * logit[i][0] + p.cal_b[0]);
    qsort(clean, nc, sizeof *clean, cmp_double);
    double thr = nc ? clean[(size_t)((1.0 - o.target_fpr) * (double)(nc - 1))] : 0.5;
    thr = fmin(0.95, fmax(0.05, thr));
    fprintf(stderr,
            "train: hold threshold %.3f (flags %.1f%% of %zu clean news-like DEV comments)\n", thr,
            100 * o.target_fpr, nc);
    if (o.hold_at > 0) {
        size_t above = 0;
        for (size_t i = 0; i < nc; i++)
            above += clean[i] >= o.hold_at;
        thr = o.hold_at;
        fprintf(stderr, "train: hold threshold set to %.3f (flags %zu of those %zu)\n", thr, above,
                nc);
    }
    for (int a = 0; a < K; a++) {
        p.threshold[a] = (float)(o.hold_attr[a] > 0 ? o.hold_attr[a] : thr);
        if (o.hold_attr[a] > 0)
            fprintf(stderr, "train: hold threshold of %s set to %.3f\n",
                    classifier_attr_name((classifier_attr)a), o.hold_attr[a]);
    }
    free(clean);

    /* TEST: for the record only; nothing above looked at it. */
    static const char *const report[] = {
        "civil", "civil-seed", "olid",      "kaggle-insults", "cad",
        "ghc",   "edos",       "convabuse", "tweeteval-hate", "toxic-spans-raw"};
    for (size_t r = 0; r < sizeof report / sizeof *report; r++) {
        size_t n = 0, npos = 0, hit = 0, nneg = 0, fp = 0;
        for (size_t i = 0; i < s.n; i++) {
            const msample *x = &s.v[i];
            if (x->split != SPLIT_TEST || !is_corpus(x, report[r]) || x->y[0] < 0)
                continue;
            double pr = sigmoid(p.cal_a[0] * logit[i][0] + p.cal_b[0]);
            v[n++] = (scored){pr, x->y[0]};
            if (x->y[0] >= 0.5) {
                npos++;
                hit += pr >= thr;
            } else {
                nneg++;
                fp += pr >= thr;
            }
        }
        if (n == 0)
            continue;
        /* For the record: the share of toxic caught where 3% of clean is. */
        double *neg = xmalloc((nneg ? nneg : 1) * sizeof *neg), at3 = 1;
        size_t k = 0, caught = 0;
        for (size_t i = 0; i < n; i++)
            if (v[i].y < 0.5)
                neg[k++] = v[i].p;
        qsort(neg, k, sizeof *neg, cmp_double);
        if (k > 0)
            at3 = neg[(size_t)(0.97 * (double)(k - 1))];
        for (size_t i = 0; i < n; i++)
            caught += v[i].y >= 0.5 && v[i].p > at3;
        free(neg);
        fprintf(stderr,
                "train: TEST %-16s n=%5zu TOXICITY AUC %.3f  at threshold: %.1f%% of toxic, "
                "%.1f%% of clean; at 3%% of clean (%.3f): %.1f%% of toxic\n",
                report[r], n, roc_auc(v, n), npos ? 100.0 * (double)hit / (double)npos : 0,
                nneg ? 100.0 * (double)fp / (double)nneg : 0, at3,
                npos ? 100.0 * (double)caught / (double)npos : 0);
    }

    if (o.eval != NULL) {
        fprintf(stderr, "train: measured %s in %.1f s (nothing written)\n", o.eval,
                (double)(clock() - t0) / CLOCKS_PER_SEC);
    } else {
        if (classifier_encode(&p, &bytes, &nbytes, &err) < 0) {
            fprintf(stderr, "train: %s\n", err.msg);
            return 1;
        }
        if (write_file(o.out, bytes, nbytes) < 0)
            return 1;
        fprintf(stderr, "train: wrote %s (%zu bytes) in %.1f s\n", o.out, nbytes,
                (double)(clock() - t0) / CLOCKS_PER_SEC);
        free(bytes);
    }
    free(v);
    free(logit);
    free(cw);
    free(order);
    net_free(&m);
    free(conv_file);
    free(f.start);
    free(f.idx);
    free(f.wstart);
    free(f.word);
    free(wb.v);
    free(wb.dv);
    free(wb.inv);
    mset_free(&s);
    return 0;
}
