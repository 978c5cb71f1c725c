/* moderation/classifier.c: featuriser, model file loader and scorer of the
 * linear offensive/attack classifier.
 *
 * The model file (docs/MODERATION.md, "Classifier") is untrusted bytes until
 * classifier_load has checked its magic, version, every parameter, its exact
 * size and its CRC-32; after that the model is immutable, so scoring from
 * many threads needs no lock. Scoring streams the features of the text into
 * integer sums without allocating: its cost is linear in the text length.
 */
#include "moderation/classifier.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "server/assets.h"
#include "util/xalloc.h"

#define MODEL_VERSION 1u

/* The first eight bytes of a model file (not a C string: no NUL). */
static const unsigned char model_magic[8] = {'P', 'L', 'Y', 'M', 'O', 'D', 'E', 'L'};
#define HEADER_SIZE 64u

/* Tokens longer than this are cut into pieces: it bounds the work per
 * token and the stack buffer, and no real word is that long. */
#define TOK_MAX 40

/* Code points beyond Unicode mark padding and placeholders, so they never
 * collide with anything a comment can contain. */
#define PAD_LEFT 0x110001u
#define PAD_RIGHT 0x110002u
#define PH_URL 0x110010u
#define PH_USER 0x110011u
#define PH_NUM 0x110012u

#define FNV_PRIME UINT64_C(0x100000001b3)
#define BASIS_WORD UINT64_C(0xcbf29ce484222325)
#define BASIS_BIGRAM UINT64_C(0x84222325cbf29ce4)
#define BASIS_CHAR UINT64_C(0x9e3779b97f4a7c15)

struct classifier {
    uint32_t log2_buckets;
    uint32_t weight_bits;
    classifier_config cfg;
    float scale[CLASSIFIER_HEADS];
    float bias[CLASSIFIER_HEADS];
    float threshold[CLASSIFIER_HEADS];
    size_t n_weights;
    const int8_t *w8; /* weight_bits 8, else NULL */
    int8_t *w8_owned; /* w8 when it was copied (NULL when it points into borrowed bytes) */
    int16_t *w16;     /* weight_bits 16, else NULL */
};

/* ---- hashing -------------------------------------------------------------- */

static inline uint64_t
mix(uint64_t h, uint32_t c)
{
    return (h ^ c) * FNV_PRIME;
}

/* FNV alone spreads the low bits poorly; the buckets are the low bits. */
static inline uint32_t
finish(uint64_t h)
{
    h ^= h >> 33;
    h *= UINT64_C(0xff51afd7ed558ccd);
    h ^= h >> 33;
    h *= UINT64_C(0xc4ceb9fe1a85ec53);
    h ^= h >> 33;
    return (uint32_t)h;
}

/* ---- featuriser ----------------------------------------------------------- */

/* Features go out in batches: the scorer can then issue all the batch's
 * loads into the weight table before it needs the first one, which hides
 * most cache misses (the table is larger than the caches). */
#define BATCH 64

typedef void (*batch_fn)(const uint32_t *hash, size_t n, void *ctx);

typedef struct fz {
    const classifier_config *cfg;
    batch_fn emit;
    void *ctx;
    uint32_t batch[BATCH];
    size_t n_batch;
    uint32_t tok[TOK_MAX];
    size_t len;
    uint64_t prev_word; /* hash of the previous token, for bigrams */
    int have_prev;
} fz;

static void
push(fz *z, uint32_t hash)
{
    z->batch[z->n_batch++] = hash;
    if (z->n_batch == BATCH) {
        z->emit(z->batch, BATCH, z->ctx);
        z->n_batch = 0;
    }
}

static int
is_letter_cp(uint32_t c)
{
    if (c < 128)
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    switch (utf8proc_category((utf8proc_int32_t)c)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
        return 1;
    default:
        return 0;
    }
}

static int
is_digit_cp(uint32_t c)
{
    return c >= '0' && c <= '9';
}

/* Symbols that belong to a word when they sit inside one: apostrophes
 * ("don't") and the usual leetspeak and masking characters ("sh!t", "a$$",
 * "f*ck", "@ss"). */
static int
is_inner_symbol(uint32_t c)
{
    return c == '\'' || c == '@' || c == '$' || c == '*' || c == '!';
}

static uint32_t
leet(uint32_t c)
{
    switch (c) {
    case '0':
        return 'o';
    case '1':
    case '!':
        return 'i';
    case '3':
        return 'e';
    case '4':
    case '@':
        return 'a';
    case '5':
    case '$':
        return 's';
    case '7':
        return 't';
    case '8':
        return 'b';
    case '9':
        return 'g';
    default:
        return c;
    }
}

static void
emit_word(fz *z, const uint32_t *cp, size_t len)
{
    uint64_t h = BASIS_WORD ^ z->cfg->seed;
    for (size_t i = 0; i < len; i++)
        h = mix(h, cp[i]);
    if (z->cfg->flags & CLASSIFIER_F_WORDS)
        push(z, finish(h) | CLASSIFIER_WORD_BIT);
    if ((z->cfg->flags & CLASSIFIER_F_BIGRAMS) && z->have_prev)
        push(z, finish(mix(mix(BASIS_BIGRAM ^ z->cfg->seed, (uint32_t)z->prev_word), (uint32_t)h)) |
                    CLASSIFIER_WORD_BIT);
    z->prev_word = h;
    z->have_prev = 1;
}

static void
emit_chars(fz *z, const uint32_t *cp, size_t len)
{
    uint32_t lo = z->cfg->char_min, hi = z->cfg->char_max;
    uint32_t pad[TOK_MAX + 2];
    size_t plen = len + 2;

    if (hi == 0)
        return;
    pad[0] = PAD_LEFT;
    memcpy(pad + 1, cp, len * sizeof *cp);
    pad[len + 1] = PAD_RIGHT;
    for (size_t s = 0; s < plen; s++) {
        uint64_t h = BASIS_CHAR ^ z->cfg->seed;
        for (size_t k = 1; k <= hi && s + k <= plen; k++) {
            h = mix(h, pad[s + k - 1]);
            if (k >= lo)
                push(z, finish(h) & ~CLASSIFIER_WORD_BIT);
        }
    }
}

static void
emit_placeholder(fz *z, uint32_t ph)
{
    emit_word(z, &ph, 1);
}

/* Ends the current token: trims symbols at its edges, maps leetspeak when it
 * holds a letter, and emits its features. */
static void
flush(fz *z)
{
    uint32_t *t = z->tok;
    size_t a = 0, b = z->len, n = 0;
    int letters = 0, digits = 0;

    z->len = 0;
    while (a < b && t[a] != '$' && t[a] != '@' && is_inner_symbol(t[a]))
        a++;
    while (b > a && is_inner_symbol(t[b - 1]) && t[b - 1] != '$')
        b--;
    if (a == b)
        return;
    for (size_t i = a; i < b; i++) {
        if (is_digit_cp(t[i]))
            digits++;
        else if (!is_inner_symbol(t[i]))
            letters++;
    }
    if (letters == 0) {
        if (digits > 0)
            emit_placeholder(z, PH_NUM);
        return;
    }
    for (size_t i = a; i < b; i++) {
        uint32_t c = leet(t[i]);
        if (c == '\'')
            continue;
        /* Leet mapping can create new runs ("bo0o"): collapse again. */
        if (n >= 2 && t[n - 1] == c && t[n - 2] == c)
            continue;
        t[n++] = c;
    }
    if (n == 0)
        return;
    emit_word(z, t, n);
    emit_chars(z, t, n);
}

static void
add_cp(fz *z, uint32_t c)
{
    if (is_letter_cp(c) || is_digit_cp(c) || (is_inner_symbol(c) && (z->len > 0 || c == '$'))) {
        /* Stretched letters: keep at most two in a row. */
        if (z->len >= 2 && z->tok[z->len - 1] == c && z->tok[z->len - 2] == c)
            return;
        if (z->len == TOK_MAX)
            flush(z);
        z->tok[z->len++] = c;
        return;
    }
    flush(z);
    if (c >= 128) {
        utf8proc_category_t cat = utf8proc_category((utf8proc_int32_t)c);
        /* Emoji and other symbols carry tone ("🖕", "😂"): one word each. */
        if (cat == UTF8PROC_CATEGORY_SO)
            emit_word(z, &c, 1);
    }
}

static int
ascii_lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static int
prefix_ci(const char *s, size_t n, const char *p)
{
    size_t i = 0;
    for (; p[i] != '\0'; i++)
        if (i >= n || ascii_lower((unsigned char)s[i]) != p[i])
            return 0;
    return 1;
}

static int
is_space_byte(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static int
is_name_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

static void
featurize(const classifier_config *cfg, const char *text, size_t n, batch_fn emit, void *ctx)
{
    const unsigned char *s = (const unsigned char *)text;
    fz z;
    size_t i = 0;
    int boundary = 1; /* at the start of the text or after a space */

    z.cfg = cfg;
    z.emit = emit;
    z.ctx = ctx;
    z.n_batch = 0;
    z.len = 0;
    z.prev_word = 0;
    z.have_prev = 0;
    while (i < n) {
        unsigned char b = s[i];
        if (boundary && z.len == 0) {
            size_t j = i;
            if (prefix_ci(text + i, n - i, "http://") || prefix_ci(text + i, n - i, "https://") ||
                prefix_ci(text + i, n - i, "www.")) {
                while (j < n && !is_space_byte(s[j]))
                    j++;
                emit_placeholder(&z, PH_URL);
            } else if (b == '@' && i + 1 < n && is_name_byte(s[i + 1]) &&
                       !(i + 2 < n && s[i + 1] == 's' && s[i + 2] == 's')) {
                for (j = i + 1; j < n && is_name_byte(s[j]);)
                    j++;
                emit_placeholder(&z, PH_USER);
            } else if (n - i >= 3 && memcmp(text + i, "URL", 3) == 0 &&
                       (n - i == 3 || !is_name_byte(s[i + 3]))) {
                /* The public tweet corpora wrote links as the word URL. */
                j = i + 3;
                emit_placeholder(&z, PH_URL);
            }
            if (j != i) {
                i = j;
                boundary = 0;
                continue;
            }
        }
        if (b < 128) {
            add_cp(&z, (uint32_t)ascii_lower(b));
            boundary = is_space_byte(b);
            i++;
            continue;
        }
        utf8proc_int32_t cp;
        utf8proc_ssize_t len = utf8proc_iterate(s + i, (utf8proc_ssize_t)(n - i), &cp);
        if (len <= 0) {
            flush(&z);
            boundary = 1;
            i++;
            continue;
        }
        i += (size_t)len;
        utf8proc_int32_t out[8];
        int last = 0;
        utf8proc_ssize_t m =
            utf8proc_decompose_char(cp, out, 8,
                                    UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD |
                                        UTF8PROC_STRIPMARK | UTF8PROC_IGNORE | UTF8PROC_LUMP,
                                    &last);
        if (m < 0 || m > 8) {
            flush(&z);
            continue;
        }
        for (utf8proc_ssize_t k = 0; k < m; k++)
            add_cp(&z, (uint32_t)(out[k] < 128 ? ascii_lower(out[k]) : out[k]));
        /* Unicode spaces (NBSP and kin) separate words like ASCII ones. */
        boundary = utf8proc_category(cp) == UTF8PROC_CATEGORY_ZS;
    }
    flush(&z);
    if (z.n_batch > 0)
        emit(z.batch, z.n_batch, ctx);
}

typedef struct one_by_one {
    void (*emit)(uint32_t hash, void *ctx);
    void *ctx;
} one_by_one;

static void
emit_each(const uint32_t *hash, size_t n, void *ctx)
{
    one_by_one *o = ctx;
    for (size_t i = 0; i < n; i++)
        o->emit(hash[i], o->ctx);
}

void
classifier_featurize(const classifier_config *cfg, const char *text, size_t n,
                     void (*emit)(uint32_t hash, void *ctx), void *ctx)
{
    one_by_one o = {emit, ctx};
    featurize(cfg, text, n, emit_each, &o);
}

/* ---- scoring -------------------------------------------------------------- */

/* Sums per group: [0] character n-grams, [1] words (or everything in [0]
 * when the model does not normalise the groups apart). */
typedef struct score_acc {
    const classifier *c;
    uint32_t mask;
    int split;
    int64_t sum[2][CLASSIFIER_HEADS];
    uint64_t count[2];
} score_acc;

static void
score_batch(const uint32_t *hash, size_t n, void *ctx)
{
    score_acc *a = ctx;
    const classifier *c = a->c;
    for (size_t i = 0; i < n; i++) {
        size_t b = (size_t)(hash[i] & a->mask) * CLASSIFIER_HEADS;
        if (c->w8 != NULL)
            __builtin_prefetch(c->w8 + b);
        else
            __builtin_prefetch(c->w16 + b);
    }
    for (size_t i = 0; i < n; i++) {
        size_t b = (size_t)(hash[i] & a->mask) * CLASSIFIER_HEADS;
        int g = a->split && (hash[i] & CLASSIFIER_WORD_BIT);
        if (c->w8 != NULL) {
            a->sum[g][0] += c->w8[b];
            a->sum[g][1] += c->w8[b + 1];
        } else {
            a->sum[g][0] += c->w16[b];
            a->sum[g][1] += c->w16[b + 1];
        }
        a->count[g]++;
    }
}

static double
sigmoid(double x)
{
    return 1.0 / (1.0 + exp(-x));
}

void
classifier_score(const classifier *c, const char *text, size_t n, classifier_scores *out)
{
    score_acc a;
    double z[CLASSIFIER_HEADS];

    memset(&a, 0, sizeof a);
    a.c = c;
    a.mask = (UINT32_C(1) << c->log2_buckets) - 1;
    a.split = (c->cfg.flags & CLASSIFIER_F_SPLIT_NORM) != 0;
    featurize(&c->cfg, text, n, score_batch, &a);
    for (int h = 0; h < CLASSIFIER_HEADS; h++) {
        z[h] = c->bias[h];
        for (int g = 0; g < 2; g++)
            if (a.count[g] > 0)
                z[h] += (double)c->scale[h] * (double)a.sum[g][h] / sqrt((double)a.count[g]);
    }
    double off = sigmoid(z[0]), att = sigmoid(z[1]);
    out->p[CLF_TOXICITY] = off;
    out->p[CLF_SEVERE_TOXICITY] = off * off;
    out->p[CLF_INSULT] = att;
    out->p[CLF_PROFANITY] = off;
    out->p[CLF_THREAT] = att * off;
    out->p[CLF_IDENTITY_ATTACK] = att * off;
}

void
classifier_thresholds(const classifier *c, classifier_scores *out)
{
    for (int a = 0; a < CLF_ATTRS; a++)
        out->p[a] = c->threshold[0];
    out->p[CLF_INSULT] = c->threshold[1];
}

static const char *const attr_names[CLF_ATTRS] = {
    [CLF_TOXICITY] = "TOXICITY", [CLF_SEVERE_TOXICITY] = "SEVERE_TOXICITY",
    [CLF_INSULT] = "INSULT",     [CLF_PROFANITY] = "PROFANITY",
    [CLF_THREAT] = "THREAT",     [CLF_IDENTITY_ATTACK] = "IDENTITY_ATTACK",
};

const char *
classifier_attr_name(classifier_attr a)
{
    return (unsigned)a < CLF_ATTRS ? attr_names[a] : NULL;
}

int
classifier_attr_parse(const char *name, size_t n)
{
    for (int a = 0; a < CLF_ATTRS; a++)
        if (strlen(attr_names[a]) == n && memcmp(attr_names[a], name, n) == 0)
            return a;
    return -1;
}

size_t
classifier_memory(const classifier *c)
{
    return sizeof *c + c->n_weights * (c->weight_bits / 8);
}

/* ---- file format ---------------------------------------------------------- */

static uint32_t
crc32_ieee(const unsigned char *p, size_t n)
{
    uint32_t table[256];
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
        table[i] = c;
    }
    uint32_t crc = 0xffffffffu;
    for (size_t i = 0; i < n; i++)
        crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
    return crc ^ 0xffffffffu;
}

static uint32_t
get_u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void
put_u32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

static float
get_f32(const unsigned char *p)
{
    uint32_t u = get_u32(p);
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

static void
put_f32(unsigned char *p, float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    put_u32(p, u);
}

static int
check_config(const classifier_config *cfg, uint32_t log2_buckets, uint32_t bits, pl_error *err)
{
    if (log2_buckets < CLASSIFIER_MIN_LOG2 || log2_buckets > CLASSIFIER_MAX_LOG2)
        return pl_errorf(err, PL_EINVAL, "model: bucket count 2^%u out of range", log2_buckets);
    if (bits != 8 && bits != 16)
        return pl_errorf(err, PL_EINVAL, "model: weight width %u is neither 8 nor 16", bits);
    if (cfg->flags &
        ~(uint32_t)(CLASSIFIER_F_WORDS | CLASSIFIER_F_BIGRAMS | CLASSIFIER_F_SPLIT_NORM))
        return pl_errorf(err, PL_EINVAL, "model: unknown feature flags %#x", cfg->flags);
    if (cfg->char_max != 0 && (cfg->char_min < 1 || cfg->char_min > cfg->char_max ||
                               cfg->char_max > CLASSIFIER_MAX_CHAR_N))
        return pl_errorf(err, PL_EINVAL, "model: character n-gram range %u..%u invalid",
                         cfg->char_min, cfg->char_max);
    return 0;
}

int
classifier_encode(const classifier_params *p, unsigned char **out, size_t *n, pl_error *err)
{
    int rc = check_config(&p->cfg, p->log2_buckets, p->weight_bits, err);
    if (rc < 0)
        return rc;
    size_t nw = ((size_t)1 << p->log2_buckets) * CLASSIFIER_HEADS;
    size_t wb = p->weight_bits / 8;
    size_t size = HEADER_SIZE + nw * wb + 4;
    unsigned char *buf = xcalloc(1, size);
    float qmax = p->weight_bits == 8 ? 127.0f : 32767.0f;
    float scale[CLASSIFIER_HEADS];

    for (int h = 0; h < CLASSIFIER_HEADS; h++) {
        float m = 0;
        for (size_t i = (size_t)h; i < nw; i += CLASSIFIER_HEADS)
            m = fmaxf(m, fabsf(p->weights[i]));
        scale[h] = m > 0 ? m / qmax : 1.0f;
    }
    memcpy(buf, model_magic, sizeof model_magic);
    put_u32(buf + 8, MODEL_VERSION);
    put_u32(buf + 12, CLASSIFIER_HEADS);
    put_u32(buf + 16, p->log2_buckets);
    put_u32(buf + 20, p->weight_bits);
    put_u32(buf + 24, p->cfg.flags);
    put_u32(buf + 28, p->cfg.char_min);
    put_u32(buf + 32, p->cfg.char_max);
    put_u32(buf + 36, p->cfg.seed);
    for (int h = 0; h < CLASSIFIER_HEADS; h++) {
        put_f32(buf + 40 + 4 * (size_t)h, scale[h]);
        put_f32(buf + 48 + 4 * (size_t)h, p->bias[h]);
        put_f32(buf + 56 + 4 * (size_t)h, p->threshold[h]);
    }
    unsigned char *w = buf + HEADER_SIZE;
    for (size_t i = 0; i < nw; i++) {
        long q = lrintf(p->weights[i] / scale[i % CLASSIFIER_HEADS]);
        q = q > (long)qmax ? (long)qmax : q < -(long)qmax ? -(long)qmax : q;
        uint16_t u = (uint16_t)(int16_t)q;
        w[i * wb] = (unsigned char)u;
        if (wb == 2)
            w[i * wb + 1] = (unsigned char)(u >> 8);
    }
    put_u32(buf + size - 4, crc32_ieee(buf, size - 4));
    *out = buf;
    *n = size;
    return 0;
}

/* Parses and checks a model. With keep, n bytes outlive the model (the
 * copy compiled into the binary), and 8-bit weights are used in place
 * instead of copied: 2 MB less memory for every server. */
static int
load(const unsigned char *data, size_t n, bool keep, classifier **out, pl_error *err)
{
    classifier c;
    int rc;

    *out = NULL;
    if (data == NULL || n < HEADER_SIZE + 4)
        return pl_errorf(err, PL_EINVAL, "model: %zu bytes is too short for a model file", n);
    if (memcmp(data, model_magic, sizeof model_magic) != 0)
        return pl_errorf(err, PL_EINVAL, "model: bad magic (not a Parley model file)");
    if (get_u32(data + 8) != MODEL_VERSION)
        return pl_errorf(err, PL_EINVAL, "model: unsupported version %u", get_u32(data + 8));
    if (get_u32(data + 12) != CLASSIFIER_HEADS)
        return pl_errorf(err, PL_EINVAL, "model: %u heads, expected %d", get_u32(data + 12),
                         CLASSIFIER_HEADS);
    memset(&c, 0, sizeof c);
    c.log2_buckets = get_u32(data + 16);
    c.weight_bits = get_u32(data + 20);
    c.cfg.flags = get_u32(data + 24);
    c.cfg.char_min = get_u32(data + 28);
    c.cfg.char_max = get_u32(data + 32);
    c.cfg.seed = get_u32(data + 36);
    if ((rc = check_config(&c.cfg, c.log2_buckets, c.weight_bits, err)) < 0)
        return rc;
    c.n_weights = ((size_t)1 << c.log2_buckets) * CLASSIFIER_HEADS;
    size_t want = HEADER_SIZE + c.n_weights * (c.weight_bits / 8) + 4;
    if (n != want)
        return pl_errorf(err, PL_EINVAL, "model: %zu bytes, its header implies %zu", n, want);
    for (int h = 0; h < CLASSIFIER_HEADS; h++) {
        c.scale[h] = get_f32(data + 40 + 4 * (size_t)h);
        c.bias[h] = get_f32(data + 48 + 4 * (size_t)h);
        c.threshold[h] = get_f32(data + 56 + 4 * (size_t)h);
        if (!isfinite(c.scale[h]) || c.scale[h] < 0 || c.scale[h] > 1e6f || !isfinite(c.bias[h]) ||
            fabsf(c.bias[h]) > 1e6f || !(c.threshold[h] >= 0) || !(c.threshold[h] <= 1))
            return pl_errorf(err, PL_EINVAL, "model: scale, bias or threshold of head %d invalid",
                             h);
    }
    uint32_t crc = crc32_ieee(data, n - 4);
    if (crc != get_u32(data + n - 4))
        return pl_errorf(err, PL_EINVAL, "model: checksum mismatch (file damaged)");

    classifier *m = xmalloc(sizeof *m);
    *m = c;
    const unsigned char *w = data + HEADER_SIZE;
    if (c.weight_bits == 8 && keep) {
        m->w8 = (const int8_t *)w;
    } else if (c.weight_bits == 8) {
        m->w8_owned = xmalloc(c.n_weights);
        memcpy(m->w8_owned, w, c.n_weights);
        m->w8 = m->w8_owned;
    } else {
        m->w16 = xmalloc(c.n_weights * sizeof *m->w16);
        for (size_t i = 0; i < c.n_weights; i++)
            m->w16[i] = (int16_t)(uint16_t)(w[2 * i] | w[2 * i + 1] << 8);
    }
    *out = m;
    return 0;
}

int
classifier_load(const unsigned char *data, size_t n, classifier **out, pl_error *err)
{
    return load(data, n, false, out, err);
}

int
classifier_load_builtin(classifier **out, pl_error *err)
{
    const asset *a = asset_find(data_files, "/model/parley.model");
    if (a == NULL) {
        *out = NULL;
        return pl_errorf(err, PL_ENOTFOUND, "no model compiled in (data/model/parley.model)");
    }
    return load(a->data, (size_t)a->size, true, out, err);
}

void
classifier_free(classifier *c)
{
    if (c == NULL)
        return;
    free(c->w8_owned);
    free(c->w16);
    free(c);
}
