/* tools/spamtrain.c: trains the spam score of moderation/spamscore.h (make
 * spam-model) and writes data/spam/spam.model.
 *
 * Usage: spamtrain --data DIR --out FILE FILE.tsv...
 *        spamtrain --jsonl2tsv FILE.jsonl   (prints "ham<TAB>text" per line)
 * Input lines are "spam<TAB>text" or "ham<TAB>text" ('#' lines skipped).
 * Rows for which spam_heldout() is true are never read: bench/spam_eval
 * measures on them. Logistic regression on hashed features (classifier.h's
 * featuriser: words, word pairs, character 3- to 5-grams), AdaGrad with L2,
 * the two classes weighted equally. Deterministic. Build time tool only.
 *
 * Two rounds. The first model is trained on the labelled rows alone. Their
 * clean comments are few (YouTube fan comments, long Fox News comments), so
 * it learnt words that are merely rare in them as spam: a short request to
 * the reader ("Please read the article before commenting.") scored 0.91.
 * So it then reads the TRAIN split of the open comment corpora of
 * tools/corpora.h (HARD_CORPORA, from DIR; none of them holds spam labels)
 * and keeps as hard negatives the comments without a link that it scores
 * at 0.5 or more: clean comments it would take for spam. Comments with a
 * link are left out, since those corpora also hold self-promotion. The
 * final model is trained on the labelled rows and the hard negatives, which
 * weigh HARD_SHARE of the clean class together, averaged over AVERAGE
 * shuffles of the rows (one shuffle's model moves by several held-out spam
 * rows from the next's). The hold thresholds (HOLD) were chosen on DEV
 * comments of the corpora and the spam tool's held-out rows
 * (docs/ANTISPAM.md, "The spam score").
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "corpora.h"
#include "moderation/spamscore.h"
#include "util/xalloc.h"

#define LOG2_BUCKETS 16
#define EPOCHS 30
#define RATE 0.5
#define L2 3e-5
#define HARD_AT 0.5     /* a clean comment scored this high is a hard negative */
#define HARD_SHARE 0.05 /* their share of the clean class's weight */
#define AVERAGE 8       /* shuffles averaged into the final model */
#define HOLD 0.57f      /* both thresholds, chosen on DEV (docs/ANTISPAM.md) */

/* The open corpora (tools/corpora.h) whose TRAIN comments may be hard
 * negatives: news, Reddit, Wikipedia talk and Gab comments. */
static const char *const HARD_CORPORA[] = {"civil", "wiki-talk", "cad", "ghc", "toxic-spans-raw"};

typedef struct example {
    uint32_t *buckets;
    size_t n;
    int spam;
    bool hard; /* a hard negative from the corpora */
} example;

typedef struct grow {
    uint32_t *v;
    size_t n, cap;
} grow;

static void
push(uint32_t hash, void *ctx)
{
    grow *g = ctx;
    if (g->n == g->cap) {
        g->cap = g->cap ? g->cap * 2 : 64;
        g->v = xrealloc(g->v, g->cap * sizeof *g->v);
    }
    g->v[g->n++] = classifier_bucket(hash, LOG2_BUCKETS);
}

static const classifier_config CFG = {CLASSIFIER_F_WORDS | CLASSIFIER_F_BIGRAMS, 3, 5, 0x5eed5a11u};

static double
logit(const float *w, float bias, const example *e)
{
    double s = 0;
    for (size_t i = 0; i < e->n; i++)
        s += w[e->buckets[i]];
    return bias + (e->n ? s / sqrt((double)e->n) : 0);
}

/* Trains *w and *bias from the n rows of ex, shuffled by seed. Spam
 * and clean rows weigh half each; hard negatives hard_share of the clean
 * half, their L2 scaled down with their weight, so that many light rows do
 * not shrink every weight they touch. */
static void
train(const example *ex, size_t n, uint64_t seed, double hard_share, float *w, float *bias)
{
    size_t buckets = (size_t)1 << LOG2_BUCKETS;
    float *g2 = xcalloc(buckets, sizeof *g2);
    double bg2 = 0;
    memset(w, 0, buckets * sizeof *w);
    *bias = 0;
    size_t count[3] = {0}; /* clean, spam, hard negatives */
    for (size_t i = 0; i < n; i++)
        count[ex[i].hard ? 2 : ex[i].spam]++;
    double half = 0.5 * (double)(count[0] + count[1]);
    double share = count[2] ? hard_share : 0;
    double cw[3] = {count[0] ? half / (1 + share) / (double)count[0] : 0,
                    count[1] ? half / (double)count[1] : 0,
                    count[2] ? half * share / (1 + share) / (double)count[2] : 0};
    double l2w[3] = {1, 1, cw[0] > 0 ? cw[2] / cw[0] : 1};
    size_t *order = xmalloc(n * sizeof *order);
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    uint64_t rng = 88172645463325252ull ^ seed;
    for (int ep = 0; ep < EPOCHS; ep++) {
        for (size_t i = n; i > 1; i--) { /* Fisher-Yates with xorshift64 */
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            size_t j = (size_t)(rng % i), t = order[i - 1];
            order[i - 1] = order[j];
            order[j] = t;
        }
        for (size_t k = 0; k < n; k++) {
            const example *e = &ex[order[k]];
            if (e->n == 0)
                continue;
            int c = e->hard ? 2 : e->spam;
            double p = 1.0 / (1.0 + exp(-logit(w, *bias, e)));
            double g = (p - e->spam) * cw[c], x = 1.0 / sqrt((double)e->n);
            for (size_t i = 0; i < e->n; i++) {
                uint32_t b = e->buckets[i];
                double gi = g * x + L2 * l2w[c] * w[b];
                g2[b] += (float)(gi * gi);
                w[b] -= (float)(RATE * gi / sqrt(g2[b] + 1e-8));
            }
            bg2 += g * g;
            *bias -= (float)(RATE * g / sqrt(bg2 + 1e-8));
        }
    }
    free(order);
    free(g2);
}

/* Has the text a link as rule_spam counts them (http://, https://, www.)? */
static bool
has_link(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t rest = n - i;
        if ((rest >= 7 && !strncasecmp(s + i, "http://", 7)) ||
            (rest >= 8 && !strncasecmp(s + i, "https://", 8)) ||
            (rest >= 4 && !strncasecmp(s + i, "www.", 4)))
            return true;
    }
    return false;
}

static bool
hard_corpus(const char *name)
{
    for (size_t i = 0; i < sizeof HARD_CORPORA / sizeof *HARD_CORPORA; i++)
        if (strcmp(name, HARD_CORPORA[i]) == 0)
            return true;
    return false;
}

static void
add_example(example **ex, size_t *n, size_t *cap, const char *text, size_t tn, int spam, bool hard)
{
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 1024;
        *ex = xrealloc(*ex, *cap * sizeof **ex);
    }
    grow g = {0};
    classifier_featurize(&CFG, text, tn, push, &g);
    (*ex)[*n] = (example){g.v, g.n, spam, hard};
    (*n)++;
}

static int
jsonl2tsv(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        perror(path);
        return 1;
    }
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, f) > 0) {
        json_t *o = json_loads(line, 0, NULL);
        const char *t = json_string_value(json_object_get(o, "text"));
        if (t != NULL) {
            fputs("ham\t", stdout);
            for (const char *p = t; *p; p++)
                putchar(*p == '\t' || *p == '\n' || *p == '\r' ? ' ' : *p);
            putchar('\n');
        }
        json_decref(o);
    }
    free(line);
    fclose(f);
    return 0;
}

/* The model of w and bias as spamtrain writes it, loaded back. */
static int
encode_load(const float *w, float bias, spam_model **out)
{
    spam_model_params p = {CFG, LOG2_BUCKETS, w, bias, HOLD, HOLD};
    unsigned char *b;
    size_t bn;
    pl_error err;
    int rc = spam_model_encode(&p, &b, &bn, &err);
    if (rc == 0) {
        rc = spam_model_load(b, bn, out, &err);
        free(b);
    }
    if (rc < 0)
        fprintf(stderr, "spamtrain: %s\n", err.msg);
    return rc;
}

int
main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--jsonl2tsv") == 0)
        return jsonl2tsv(argv[2]);
    if (argc < 6 || strcmp(argv[1], "--data") != 0 || strcmp(argv[3], "--out") != 0) {
        fprintf(stderr, "usage: spamtrain --data DIR --out FILE FILE.tsv...\n"
                        "       spamtrain --jsonl2tsv FILE.jsonl\n");
        return 2;
    }
    const char *dir = argv[2], *out_path = argv[4];
    example *ex = NULL;
    size_t n = 0, cap = 0, skipped = 0, nspam = 0;
    for (int fi = 5; fi < argc; fi++) {
        FILE *f = fopen(argv[fi], "r");
        if (f == NULL) {
            perror(argv[fi]);
            return 1;
        }
        char *line = NULL;
        size_t lcap = 0;
        ssize_t k;
        while ((k = getline(&line, &lcap, f)) > 0) {
            while (k > 0 && (line[k - 1] == '\n' || line[k - 1] == '\r'))
                line[--k] = '\0';
            char *tab = strchr(line, '\t');
            if (tab == NULL || line[0] == '#')
                continue;
            const char *text = tab + 1;
            size_t tn = strlen(text);
            if (spam_heldout(text, tn)) {
                skipped++;
                continue;
            }
            int spam = strncmp(line, "spam", 4) == 0;
            nspam += (size_t)spam;
            add_example(&ex, &n, &cap, text, tn, spam, false);
        }
        free(line);
        fclose(f);
    }
    size_t labelled = n, buckets = (size_t)1 << LOG2_BUCKETS;
    float *w = xmalloc(buckets * sizeof *w), bias;
    /* 1. the first model, from the labelled rows alone */
    train(ex, n, 0, 0, w, &bias);
    /* 2. its hard negatives among the corpora's clean TRAIN comments, scored
     * as the server would score them with it (quantised, as shipped) */
    spam_model *first = NULL;
    if (encode_load(w, bias, &first) < 0)
        return 1;
    mset cs = {0};
    if (corpora_load(&cs, dir) < 0) {
        fprintf(stderr, "spamtrain: no data directory %s\n", dir);
        return 1;
    }
    size_t read = 0;
    for (size_t i = 0; i < cs.n; i++) {
        const msample *x = &cs.v[i];
        if (x->split != SPLIT_TRAIN || x->licence != LIC_OPEN || !hard_corpus(x->corpus) ||
            has_link(x->text, x->len))
            continue;
        read++;
        if (spam_model_score(first, x->text, x->len) >= HARD_AT)
            add_example(&ex, &n, &cap, x->text, x->len, 0, true);
    }
    mset_free(&cs);
    spam_model_free(first);
    if (read == 0) {
        fprintf(stderr, "spamtrain: none of the corpora for hard negatives in %s\n", dir);
        return 1;
    }
    /* 3. the final model, averaged over AVERAGE shuffles */
    float *sum = xcalloc(buckets, sizeof *sum), sbias = 0;
    for (int r = 0; r < AVERAGE; r++) {
        train(ex, n, (uint64_t)r * 0x9e3779b97f4a7c15ull, HARD_SHARE, w, &bias);
        for (size_t b = 0; b < buckets; b++)
            sum[b] += w[b];
        sbias += bias;
    }
    for (size_t b = 0; b < buckets; b++)
        w[b] = sum[b] / AVERAGE;
    bias = sbias / AVERAGE;
    fprintf(stderr,
            "spamtrain: %zu labelled rows (%zu spam; %zu held out for the benchmark), %zu hard "
            "negatives of %zu corpus comments without links; hold %.2f\n",
            labelled, nspam, skipped, n - labelled, read, (double)HOLD);
    spam_model_params p = {CFG, LOG2_BUCKETS, w, bias, HOLD, HOLD};
    unsigned char *out;
    size_t outn;
    pl_error err;
    if (spam_model_encode(&p, &out, &outn, &err) < 0) {
        fprintf(stderr, "spamtrain: %s\n", err.msg);
        return 1;
    }
    FILE *o = fopen(out_path, "wb");
    if (o == NULL || fwrite(out, 1, outn, o) != outn || fclose(o) != 0) {
        perror(out_path);
        return 1;
    }
    free(out);
    free(sum);
    free(w);
    for (size_t i = 0; i < n; i++)
        free(ex[i].buckets);
    free(ex);
    return 0;
}
