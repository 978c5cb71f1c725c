/* moderation/spamscore.c: see spamscore.h.
 *
 * File format (little endian): the 8 bytes "PLSPAM1\0"; five uint32:
 * log2 of the bucket count, the featuriser's flags, char_min, char_max and
 * seed; four float32: bias, weight scale, hold and hold_new thresholds; then
 * one int8 weight per bucket (weight = int8 * scale). The logit of a text
 * is bias + (sum of its features' weights) / sqrt(number of features). */
#include "moderation/spamscore.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/assets.h"
#include "util/le.h"
#include "util/xalloc.h"

#define MAGIC "PLSPAM1"
#define HEADER (8 + 5 * 4 + 4 * 4)

struct spam_model {
    classifier_config cfg;
    uint32_t log2_buckets;
    float bias, scale, hold, hold_new;
    int8_t *w;               /* [1 << log2_buckets] */
    classifier_grams *grams; /* cfg's common words */
    /* [words in grams]: each common word's character n-gram weights summed,
     * and how many n-grams it has (the rider's known words) */
    int32_t *gram_sum;
    uint32_t *gram_n;
};

/* The weights of each common word's character n-grams summed at load, so
 * that the rider adds one number for the word (add_known). */
static void
gram_sums_new(spam_model *m)
{
    size_t words = classifier_grams_count(m->grams);
    uint32_t mask = (UINT32_C(1) << m->log2_buckets) - 1;
    m->gram_sum = xcalloc(words + 1, sizeof *m->gram_sum);
    m->gram_n = xcalloc(words + 1, sizeof *m->gram_n);
    for (size_t i = 0; i < words; i++) {
        const char *word = classifier_grams_word(m->grams, i);
        const uint32_t *hash;
        long n = classifier_grams_find(m->grams, word, strlen(word), &hash);
        int32_t sum = 0;
        for (long k = 0; k < n; k++)
            sum += m->w[hash[k] & mask];
        m->gram_sum[i] = sum;
        m->gram_n[i] = n > 0 ? (uint32_t)n : 0;
    }
}

static bool
prob_ok(float f)
{
    return f > 0 && f <= 1;
}

int
spam_model_load(const unsigned char *data, size_t n, spam_model **out, pl_error *err)
{
    *out = NULL;
    if (n < HEADER || memcmp(data, MAGIC, 8) != 0)
        return pl_errorf(err, PL_EINVAL, "spam model: not a spam model file");
    spam_model m = {0};
    m.log2_buckets = le_get_u32(data + 8);
    m.cfg.flags = le_get_u32(data + 12);
    m.cfg.char_min = le_get_u32(data + 16);
    m.cfg.char_max = le_get_u32(data + 20);
    m.cfg.seed = le_get_u32(data + 24);
    m.bias = le_get_f32(data + 28);
    m.scale = le_get_f32(data + 32);
    m.hold = le_get_f32(data + 36);
    m.hold_new = le_get_f32(data + 40);
    if (m.log2_buckets < CLASSIFIER_MIN_LOG2 || m.log2_buckets > CLASSIFIER_MAX_LOG2 ||
        m.cfg.char_max > CLASSIFIER_MAX_CHAR_N ||
        (m.cfg.char_max > 0 && (m.cfg.char_min < 1 || m.cfg.char_min > m.cfg.char_max)) ||
        !isfinite(m.bias) || !isfinite(m.scale) || !(m.scale >= 0) || !prob_ok(m.hold) ||
        !prob_ok(m.hold_new))
        return pl_errorf(err, PL_EINVAL, "spam model: bad parameters");
    size_t buckets = (size_t)1 << m.log2_buckets;
    if (n != HEADER + buckets)
        return pl_errorf(err, PL_EINVAL, "spam model: %zu bytes, expected %zu", n,
                         HEADER + buckets);
    m.w = xmalloc(buckets);
    memcpy(m.w, data + HEADER, buckets);
    m.grams = classifier_grams_new(&m.cfg);
    gram_sums_new(&m);
    *out = xmalloc(sizeof **out);
    **out = m;
    return 0;
}

int
spam_model_load_builtin(spam_model **out, pl_error *err)
{
    const asset *a = asset_find(data_files, "/spam/spam.model");
    if (a == NULL) {
        *out = NULL;
        return pl_errorf(err, PL_ENOTFOUND, "no spam model compiled in (data/spam/spam.model)");
    }
    return spam_model_load(a->data, (size_t)a->size, out, err);
}

void
spam_model_free(spam_model *m)
{
    if (m == NULL)
        return;
    free(m->w);
    free(m->gram_sum);
    free(m->gram_n);
    classifier_grams_free(m->grams);
    free(m);
}

/* The weights are integers, so their sum is kept as one: each partial sum
 * of the old double accumulator was an exact integer too (far below 2^53),
 * so (double)sum is the same number, without a chain of dependent
 * floating-point additions. */
typedef spam_sum sum_acc;

static void
add_feature(uint32_t hash, void *ctx)
{
    sum_acc *s = ctx;
    s->sum += s->m->w[classifier_bucket(hash, s->m->log2_buckets)];
    s->count++;
}

static void
add_features(const uint32_t *hash, size_t n, void *ctx)
{
    sum_acc *s = ctx;
    uint32_t mask = (UINT32_C(1) << s->m->log2_buckets) - 1;
    int64_t sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += s->m->w[hash[i] & mask];
    s->sum += sum;
    s->count += n;
}

static void
features(const spam_model *m, const char *text, size_t n, sum_acc *s)
{
    *s = (sum_acc){m, 0, 0};
    classifier_featurize(&m->cfg, text, n, add_feature, s);
}

/* A common word's character n-grams, summed at load (gram_sums_new). */
static void
add_known(uint32_t word, void *ctx)
{
    sum_acc *s = ctx;
    s->sum += s->m->gram_sum[word];
    s->count += s->m->gram_n[word];
}

/* The sum is of integers, exact in any order (int8 weights, far fewer than
 * 2^55 of them): batches give the same sum as features one by one, and a
 * common word's n-grams added as one sum, out of their place, the same as
 * one by one. */
void
spam_model_rider(const spam_model *m, spam_sum *s, classifier_rider *r)
{
    *s = (sum_acc){m, 0, 0};
    *r = (classifier_rider){&m->cfg, add_features, s, m->grams, add_known};
}

double
spam_sum_score(const spam_sum *s)
{
    double logit = s->m->bias;
    if (s->count > 0)
        logit += (double)s->sum * s->m->scale / sqrt((double)s->count);
    return 1.0 / (1.0 + exp(-logit));
}

double
spam_model_score(const spam_model *m, const char *text, size_t n)
{
    sum_acc s;
    features(m, text, n, &s);
    return spam_sum_score(&s);
}

static bool
word_byte(unsigned char c)
{
    if (c >= 0x80)
        return true;
    if (c <= ' ')
        return false;
    return strchr("\"'(),;!?<>[]{}*`|", c) == NULL;
}

bool
spam_model_explain(const spam_model *m, const char *text, size_t n, uint32_t *begin, uint32_t *end)
{
    sum_acc all;
    features(m, text, n, &all);
    if (all.count == 0)
        return false;
    double norm = sqrt((double)all.count), best = 0;
    bool found = false;
    for (size_t i = 0; i < n;) {
        if (!word_byte((unsigned char)text[i])) {
            i++;
            continue;
        }
        size_t st = i;
        while (i < n && word_byte((unsigned char)text[i]))
            i++;
        size_t en = i;
        while (en > st && (text[en - 1] == '.' || text[en - 1] == ':'))
            en--; /* a sentence's full stop is not part of the word */
        if (en == st || en - st > 200)
            continue;
        sum_acc w;
        features(m, text + st, en - st, &w);
        double contrib = (double)w.sum * m->scale / norm;
        if (contrib > best) {
            best = contrib;
            *begin = (uint32_t)st;
            *end = (uint32_t)en;
            found = true;
        }
    }
    return found;
}

void
spam_model_thresholds(const spam_model *m, double *hold, double *hold_new)
{
    *hold = m->hold;
    *hold_new = m->hold_new;
}

double
spam_hold_at(double at, size_t words, size_t links)
{
    if (links == 0 && words < SPAM_SHORT_WORDS && at < SPAM_SHORT_AT)
        return SPAM_SHORT_AT;
    return at;
}

bool
spam_heldout(const char *text, size_t n)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)text[i];
        h *= 16777619u;
    }
    return h % 4 == 0;
}

int
spam_model_encode(const spam_model_params *p, unsigned char **out, size_t *n, pl_error *err)
{
    if (p->log2_buckets < CLASSIFIER_MIN_LOG2 || p->log2_buckets > CLASSIFIER_MAX_LOG2 ||
        !prob_ok(p->hold) || !prob_ok(p->hold_new))
        return pl_errorf(err, PL_EINVAL, "spam model: bad parameters");
    size_t buckets = (size_t)1 << p->log2_buckets;
    float max = 0;
    for (size_t i = 0; i < buckets; i++)
        if (fabsf(p->w[i]) > max)
            max = fabsf(p->w[i]);
    float scale = max > 0 ? max / 127.0f : 1.0f;
    unsigned char *b = xmalloc(HEADER + buckets);
    memcpy(b, MAGIC, 8);
    le_put_u32(b + 8, p->log2_buckets);
    le_put_u32(b + 12, p->cfg.flags);
    le_put_u32(b + 16, p->cfg.char_min);
    le_put_u32(b + 20, p->cfg.char_max);
    le_put_u32(b + 24, p->cfg.seed);
    le_put_f32(b + 28, p->bias);
    le_put_f32(b + 32, scale);
    le_put_f32(b + 36, p->hold);
    le_put_f32(b + 40, p->hold_new);
    for (size_t i = 0; i < buckets; i++) {
        long q = lrintf(p->w[i] / scale);
        b[HEADER + i] = (unsigned char)(int8_t)(q > 127 ? 127 : q < -127 ? -127 : q);
    }
    *out = b;
    *n = HEADER + buckets;
    return 0;
}
