/* tests/unit/moderation/test_classifier.c: the compiled-in model scores
 * clear cases on the right side of its thresholds, the featuriser folds the
 * evasions it promises to fold, and classifier_load refuses damaged bytes.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "moderation/classifier.h"
#include "util/assets.h"

static int
setup(void **state)
{
    classifier *c;
    pl_error err;
    if (classifier_load_builtin(&c, &err) != 0) {
        print_error("builtin model: %s\n", err.msg);
        return -1;
    }
    *state = c;
    return 0;
}

static int
teardown(void **state)
{
    classifier_free(*state);
    return 0;
}

static classifier_scores
score(const classifier *c, const char *s)
{
    classifier_scores out;
    classifier_score(c, s, strlen(s), &out);
    return out;
}

static void
offensive_sentences_score_above_threshold(void **state)
{
    const classifier *c = *state;
    static const char *const cases[] = {
        "You are a fucking idiot.",   "What a load of shit, go fuck yourself.",
        "Shut up, you stupid bitch.", "This asshole should be ashamed, what a piece of shit.",
        "you r a f*cking m0r0n",
    };
    classifier_scores t;
    classifier_thresholds(c, &t);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        classifier_scores s = score(c, cases[i]);
        if (s.p[CLF_TOXICITY] < t.p[CLF_TOXICITY])
            fail_msg("not offensive (%.3f < %.3f): %s", s.p[CLF_TOXICITY], t.p[CLF_TOXICITY],
                     cases[i]);
    }
}

static void
attacks_score_above_threshold(void **state)
{
    const classifier *c = *state;
    static const char *const cases[] = {
        "You are a stupid idiot and everyone here knows it.",
        "you're a pathetic loser, nobody cares what you think",
        "Shut up, you ignorant moron.",
    };
    classifier_scores t;
    classifier_thresholds(c, &t);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        classifier_scores s = score(c, cases[i]);
        if (s.p[CLF_INSULT] < t.p[CLF_INSULT])
            fail_msg("not an attack (%.3f < %.3f): %s", s.p[CLF_INSULT], t.p[CLF_INSULT], cases[i]);
    }
}

static void
benign_sentences_score_below_threshold(void **state)
{
    const classifier *c = *state;
    static const char *const cases[] = {
        "Thanks for the article, it was very informative.",
        "The council meeting is on Tuesday at 7pm in the town hall.",
        "I disagree with this policy, but I respect the effort the mayor put into it.",
        "My neighbour is a gay man and he is a wonderful cook.",
        "Muslim and Jewish families organised the food drive together.",
        "Great photos of the harbour, I hope the weather holds for the festival.",
    };
    classifier_scores t;
    classifier_thresholds(c, &t);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        classifier_scores s = score(c, cases[i]);
        if (s.p[CLF_TOXICITY] >= t.p[CLF_TOXICITY] || s.p[CLF_INSULT] >= t.p[CLF_INSULT])
            fail_msg("flagged (offensive %.3f, attack %.3f): %s", s.p[CLF_TOXICITY],
                     s.p[CLF_INSULT], cases[i]);
    }
}

static void
scores_are_probabilities_even_for_odd_input(void **state)
{
    const classifier *c = *state;
    static const char odd[] = "\xff\xfe\xc3 \xe2\x80\x8b\xcc\x81\xcc\x81 @ $ ** !!";
    classifier_scores s;
    classifier_score(c, odd, sizeof odd - 1, &s);
    assert_true(s.p[CLF_TOXICITY] >= 0 && s.p[CLF_TOXICITY] <= 1);
    assert_true(s.p[CLF_INSULT] >= 0 && s.p[CLF_INSULT] <= 1);
    classifier_score(c, "", 0, &s);
    assert_true(s.p[CLF_TOXICITY] >= 0 && s.p[CLF_TOXICITY] <= 1);
    classifier_scores t;
    classifier_thresholds(c, &t);
    assert_true(t.p[CLF_TOXICITY] > 0 && t.p[CLF_TOXICITY] < 1);
    assert_true(t.p[CLF_INSULT] > 0 && t.p[CLF_INSULT] < 1);
    assert_true(classifier_memory(c) > 0);
}

/* ---- featuriser ------------------------------------------------------------ */

typedef struct hashes {
    uint32_t h[512];
    size_t n;
} hashes;

static void
collect(uint32_t hash, void *ctx)
{
    hashes *x = ctx;
    if (x->n < 512)
        x->h[x->n++] = hash;
}

static hashes
features(const char *s)
{
    static const classifier_config cfg = {CLASSIFIER_F_WORDS | CLASSIFIER_F_BIGRAMS, 2, 5, 1};
    hashes x;
    x.n = 0;
    classifier_featurize(&cfg, s, strlen(s), collect, &x);
    return x;
}

static void
assert_same_features(const char *a, const char *b)
{
    hashes x = features(a), y = features(b);
    if (x.n != y.n || memcmp(x.h, y.h, x.n * sizeof *x.h) != 0)
        fail_msg("features differ: \"%s\" (%zu) vs \"%s\" (%zu)", a, x.n, b, y.n);
}

static void
featuriser_folds_evasions(void **state)
{
    (void)state;
    assert_same_features("You IDIOT", "you idiot");
    assert_same_features("you 1d10t", "you idiot");
    assert_same_features("sh!t", "shit");
    assert_same_features("a$$hole", "asshole");
    assert_same_features("fuuuuuuuck", "fuuck");
    assert_same_features("loooool", "lool");
    assert_same_features("don't", "dont");
    assert_same_features("\xef\xbd\x89\xef\xbd\x84\xef\xbd\x89\xef\xbd\x8f\xef\xbd\x94", "idiot");
    assert_same_features("na\xc3\xafve caf\xc3\xa9", "naive cafe");
    assert_same_features("see https://example.com/a?b=c now", "see www.example.org now");
    assert_same_features("@alice you", "@bob_99 you");
    assert_same_features("\"idiot!!!\"", "idiot");
    /* Numbers are one placeholder, not leetspeak. */
    assert_same_features("in 2019", "in 1984");
    hashes a = features("you idiot"), b = features("you idiom");
    assert_true(a.n == b.n && memcmp(a.h, b.h, a.n * sizeof *a.h) != 0);
}

static void
featuriser_bounds_long_words(void **state)
{
    (void)state;
    char big[4000];
    for (size_t i = 0; i < sizeof big - 1; i++)
        big[i] = (char)('a' + i % 26);
    big[sizeof big - 1] = '\0';
    hashes x = features(big);
    assert_true(x.n > 0);
}

/* ---- loader ------------------------------------------------------------------ */

static unsigned char *
builtin_copy(size_t *n)
{
    const asset *a = asset_find(data_files, "/model/parley.model");
    assert_non_null(a);
    *n = (size_t)a->size;
    unsigned char *p = malloc(*n);
    assert_non_null(p);
    memcpy(p, a->data, *n);
    return p;
}

static void
assert_rejected(const unsigned char *p, size_t n, const char *want)
{
    classifier *c = (classifier *)1;
    pl_error err;
    memset(&err, 0, sizeof err);
    assert_int_equal(classifier_load(p, n, &c, &err), PL_EINVAL);
    assert_null(c);
    if (strstr(err.msg, want) == NULL)
        fail_msg("message \"%s\" lacks \"%s\"", err.msg, want);
}

static void
load_rejects_corrupt_bytes(void **state)
{
    (void)state;
    size_t n;
    unsigned char *p = builtin_copy(&n);

    assert_rejected(p, n - 1, "bytes");
    assert_rejected(p, 10, "too short");
    assert_rejected(NULL, 0, "too short");
    p[0] ^= 0x20;
    assert_rejected(p, n, "magic");
    p[0] ^= 0x20;
    p[n / 2] ^= 0x01; /* one flipped bit in the weights */
    assert_rejected(p, n, "checksum");
    p[n / 2] ^= 0x01;
    unsigned char version = p[8];
    p[8] = 99; /* version */
    assert_rejected(p, n, "version");
    p[8] = version;
    unsigned char b16 = p[16];
    p[16] = 30; /* 2^30 buckets */
    assert_rejected(p, n, "bucket");

    classifier *c;
    pl_error err;
    p[16] = b16;
    assert_int_equal(classifier_load(p, n, &c, &err), 0);
    classifier_free(c);
    free(p);
}

static uint32_t
bucket_of(const classifier_config *cfg, const char *word, uint32_t log2b)
{
    hashes x;
    x.n = 0;
    classifier_featurize(cfg, word, strlen(word), collect, &x);
    assert_true(x.n >= 1);
    return classifier_bucket(x.h[0], log2b);
}

static void
encode_and_load_round_trip(void **state)
{
    (void)state;
    enum { LOG2 = 10, ROW = CLF_ATTRS };
    float *rows = calloc((size_t)ROW << LOG2, sizeof *rows);
    assert_non_null(rows);
    classifier_config cfg = {CLASSIFIER_F_WORDS, 0, 0, 42};
    /* A linear model: one word with a large weight on TOXICITY only. */
    rows[bucket_of(&cfg, "hello", LOG2) * ROW + CLF_TOXICITY] = 4.0f;
    classifier_params p;
    memset(&p, 0, sizeof p);
    p.cfg = cfg;
    p.log2_buckets = LOG2;
    p.rows = rows;
    for (int a = 0; a < CLF_ATTRS; a++) {
        p.b2[a] = -2.0f;
        p.cal_a[a] = 1.0f;
        p.threshold[a] = 0.5f;
    }
    p.cal_b[CLF_THREAT] = -1.0f; /* calibration shifts one attribute */
    unsigned char *bytes;
    size_t n;
    pl_error err;
    assert_int_equal(classifier_encode(&p, &bytes, &n, &err), 0);
    assert_int_equal(bytes[8], 2); /* no pooled filters: still version 2 */
    classifier *c;
    assert_int_equal(classifier_load(bytes, n, &c, &err), 0);
    classifier_scores s;
    classifier_score(c, "hello", 5, &s);
    assert_float_equal(s.p[CLF_TOXICITY], 1.0 / (1.0 + exp(-2.0)), 1e-3);
    assert_float_equal(s.p[CLF_INSULT], 1.0 / (1.0 + exp(2.0)), 1e-3);
    assert_float_equal(s.p[CLF_THREAT], 1.0 / (1.0 + exp(3.0)), 1e-3);
    classifier_score(c, "", 0, &s);
    assert_float_equal(s.p[CLF_TOXICITY], 1.0 / (1.0 + exp(2.0)), 1e-3);
    classifier_free(c);
    free(bytes);
    free(rows);
}

/* A one-unit network in which only "bad" raises TOXICITY: the explainer
 * names that word and its exact bytes, and nothing else. */
static void
explain_names_the_word_that_raised_the_score(void **state)
{
    (void)state;
    enum { LOG2 = 10, DIM = 1, ROW = DIM + CLF_ATTRS };
    float *rows = calloc((size_t)ROW << LOG2, sizeof *rows);
    assert_non_null(rows);
    classifier_config cfg = {CLASSIFIER_F_WORDS | CLASSIFIER_F_BIGRAMS, 0, 0, 7};
    rows[bucket_of(&cfg, "bad", LOG2) * ROW] = 1.0f;
    float w1[1] = {1.0f}, b1[1] = {0.0f}, w2[CLF_ATTRS] = {0};
    w2[CLF_TOXICITY] = 8.0f;
    classifier_params p;
    memset(&p, 0, sizeof p);
    p.cfg = cfg;
    p.log2_buckets = LOG2;
    p.dim = DIM;
    p.hidden = 1;
    p.rows = rows;
    p.w1 = w1;
    p.b1 = b1;
    p.w2 = w2;
    for (int a = 0; a < CLF_ATTRS; a++) {
        p.b2[a] = -3.0f;
        p.cal_a[a] = 1.0f;
        p.threshold[a] = 0.5f;
    }
    unsigned char *bytes;
    size_t n;
    pl_error err;
    assert_int_equal(classifier_encode(&p, &bytes, &n, &err), 0);
    classifier *c;
    assert_int_equal(classifier_load(bytes, n, &c, &err), 0);
    static const char text[] = "what a  BAD day";
    classifier_span sp[4];
    size_t k = classifier_explain(c, text, sizeof text - 1, CLF_TOXICITY, 0.01, sp, 4);
    assert_int_equal(k, 1);
    assert_int_equal(sp[0].begin, 8);
    assert_int_equal(sp[0].end, 11);
    assert_true(sp[0].weight > 0.1);
    /* Nothing raised INSULT. */
    assert_int_equal(classifier_explain(c, text, sizeof text - 1, CLF_INSULT, 0.01, sp, 4), 0);
    /* Every attribute at once (what the engine computes once per held
     * comment): one entry per word in text order, the same drop as above
     * for "bad", and picking from it gives what classifier_explain gives. */
    static classifier_word w[CLASSIFIER_EXPLAIN_WORDS];
    size_t nw = classifier_word_drops(c, text, sizeof text - 1, w, CLASSIFIER_EXPLAIN_WORDS);
    assert_int_equal(nw, 4);
    assert_int_equal(w[0].begin, 0);
    assert_int_equal(w[0].end, 4);
    assert_int_equal(w[2].begin, 8);
    assert_int_equal(w[2].end, 11);
    assert_int_equal(w[3].begin, 12);
    assert_int_equal(w[3].end, 15);
    assert_true(w[2].drop[CLF_TOXICITY] == sp[0].weight);
    for (size_t i = 0; i < nw; i++) {
        assert_true(i == 2 || w[i].drop[CLF_TOXICITY] < 0.01);
        assert_true(fabs(w[i].drop[CLF_INSULT]) < 1e-9);
    }
    classifier_span picked[4];
    assert_int_equal(classifier_pick_words(w, nw, CLF_TOXICITY, 0.01, picked, 4), 1);
    assert_int_equal(picked[0].begin, 8);
    assert_int_equal(picked[0].end, 11);
    assert_int_equal(classifier_pick_words(w, nw, CLF_INSULT, 0.01, picked, 4), 0);
    assert_int_equal(classifier_pick_words(w, nw, (classifier_attr)CLF_ATTRS, 0.0, picked, 4), 0);
    /* A short buffer keeps the first words. */
    assert_int_equal(classifier_word_drops(c, text, sizeof text - 1, w, 2), 2);
    assert_int_equal(w[1].begin, 5);
    classifier_free(c);
    free(bytes);
    free(rows);
}

/* ---- pooled filters (word order, file version 3) ---------------------------- */

static double
tox(const classifier *c, const char *text)
{
    classifier_scores s;
    classifier_score(c, text, strlen(text), &s);
    return s.p[CLF_TOXICITY];
}

static double
sig(double x)
{
    return 1.0 / (1.0 + exp(-x));
}

/* A one-unit network over 2^LOG2 rows of DIM with one pooled filter of WIDTH words: every
 * attribute's bias -3, uncalibrated, threshold 0.5. */
static void
pooled_params(classifier_params *p, classifier_config cfg, uint32_t log2, uint32_t dim,
              const float *rows, const float *w1, const float *b1, const float *w2, uint32_t width,
              const float *conv, const float *conv_b, const float *w_pool)
{
    memset(p, 0, sizeof *p);
    p->cfg = cfg;
    p->log2_buckets = log2;
    p->dim = dim;
    p->hidden = 1;
    p->rows = rows;
    p->w1 = w1;
    p->b1 = b1;
    p->w2 = w2;
    p->width = width;
    p->filters = 1;
    p->conv = conv;
    p->conv_b = conv_b;
    p->w_pool = w_pool;
    for (int a = 0; a < CLF_ATTRS; a++) {
        p->b2[a] = -3.0f;
        p->cal_a[a] = 1.0f;
        p->threshold[a] = 0.5f;
    }
}

/* A network that reads only word order: "not" and "bad" have embeddings
 * (1, 0) and (0, 1), the summed embeddings are ignored (W1 = 0), and one
 * filter over two words fires (0.5) only on "not" right before "bad". */
static classifier *
not_bad_model(unsigned char **bytes, size_t *n)
{
    enum { LOG2 = 10, DIM = 2, ROW = DIM + CLF_ATTRS };
    static float rows[(size_t)ROW << LOG2];
    classifier_config cfg = {CLASSIFIER_F_WORDS, 0, 0, 7};
    uint32_t b_not = bucket_of(&cfg, "not", LOG2), b_bad = bucket_of(&cfg, "bad", LOG2);
    uint32_t b_so = bucket_of(&cfg, "so", LOG2);
    assert_true(b_not != b_bad && b_so != b_not && b_so != b_bad);
    memset(rows, 0, sizeof rows);
    rows[b_not * ROW + 0] = 1.0f;
    rows[b_bad * ROW + 1] = 1.0f;
    static float w1[DIM] = {0, 0}, b1[1] = {0}, w2[CLF_ATTRS];
    /* [filter][offset][dim]: offset 0 is the earlier word. */
    static float conv[2 * DIM] = {1, 0, 0, 1}, conv_b[1] = {-1.5f}, w_pool[1] = {1};
    memset(w2, 0, sizeof w2);
    w2[CLF_TOXICITY] = 8.0f;
    classifier_params p;
    pooled_params(&p, cfg, LOG2, DIM, rows, w1, b1, w2, 2, conv, conv_b, w_pool);
    pl_error err;
    assert_int_equal(classifier_encode(&p, bytes, n, &err), 0);
    classifier *c;
    assert_int_equal(classifier_load(*bytes, *n, &c, &err), 0);
    return c;
}

static void
pooled_filters_read_word_order(void **state)
{
    (void)state;
    unsigned char *bytes;
    size_t n;
    classifier *c = not_bad_model(&bytes, &n);
    assert_int_equal(bytes[8], 3);
    /* The same two words, in either order: only "not bad" fires. */
    assert_float_equal(tox(c, "not bad"), sig(1.0), 1e-4);
    assert_float_equal(tox(c, "bad not"), sig(-3.0), 1e-4);
    assert_float_equal(tox(c, "not so bad"), sig(-3.0), 1e-4);
    assert_float_equal(tox(c, "It is NOT bad at all, really."), sig(1.0), 1e-4);
    assert_float_equal(tox(c, ""), sig(-3.0), 1e-4);
    assert_true(classifier_memory(c) > ((size_t)8 << 10));

    /* Leaving a word out gives the score of the text without it: the
     * windows that join its neighbours are computed afresh. */
    static classifier_word w[CLASSIFIER_EXPLAIN_WORDS];
    static const char a[] = "so not bad";
    size_t nw = classifier_word_drops(c, a, sizeof a - 1, w, CLASSIFIER_EXPLAIN_WORDS);
    assert_int_equal(nw, 3);
    assert_float_equal(w[0].drop[CLF_TOXICITY], tox(c, a) - tox(c, "not bad"), 1e-6);
    assert_float_equal(w[1].drop[CLF_TOXICITY], tox(c, a) - tox(c, "so bad"), 1e-6);
    assert_float_equal(w[2].drop[CLF_TOXICITY], tox(c, a) - tox(c, "so not"), 1e-6);
    assert_true(w[1].drop[CLF_TOXICITY] > 0.6 && w[2].drop[CLF_TOXICITY] > 0.6);
    static const char b[] = "not so bad";
    nw = classifier_word_drops(c, b, sizeof b - 1, w, CLASSIFIER_EXPLAIN_WORDS);
    assert_int_equal(nw, 3);
    /* Without "so", "not bad" fires: the word lowers the score. */
    assert_float_equal(w[1].drop[CLF_TOXICITY], tox(c, b) - tox(c, "not bad"), 1e-6);
    assert_true(w[1].drop[CLF_TOXICITY] < -0.6);
    assert_float_equal(w[0].drop[CLF_TOXICITY], 0.0, 1e-6);
    /* One word: without it nothing is left to pool. */
    nw = classifier_word_drops(c, "bad", 3, w, CLASSIFIER_EXPLAIN_WORDS);
    assert_int_equal(nw, 1);
    assert_float_equal(w[0].drop[CLF_TOXICITY], 0.0, 1e-6);
    classifier_span sp[4];
    size_t k = classifier_explain(c, a, sizeof a - 1, CLF_TOXICITY, 0.01, sp, 4);
    assert_int_equal(k, 2);
    assert_true(sp[0].begin == 3 || sp[0].begin == 7);
    classifier_free(c);

    /* The loader refuses what a version-3 header may get wrong. */
    unsigned char *q = malloc(n);
    assert_non_null(q);
    memcpy(q, bytes, n);
    q[52] = 0; /* no filters */
    assert_rejected(q, n, "without pooled filters");
    q[52] = bytes[52];
    q[48] = 5; /* wider than CLASSIFIER_MAX_WIDTH */
    assert_rejected(q, n, "pooled filters");
    q[48] = bytes[48];
    q[8] = 1;
    assert_rejected(q, n, "version 1 (this build reads 2 and 3)");
    q[8] = 3;
    assert_rejected(q, n - 1, "bytes");
    assert_rejected(q, 100, "too short");
    q[n - 10] ^= 0x01;
    assert_rejected(q, n, "checksum");
    q[n - 10] ^= 0x01;
    assert_int_equal(classifier_load(q, n, &c, &(pl_error){0}), 0);
    classifier_free(c);
    free(q);
    free(bytes);
}

/* Width 1 is a max-pool over single words: one strong word weighs the same
 * in a long comment as alone, where the summed embeddings are divided by
 * the square root of the comment's length. */
static void
max_pool_is_not_diluted(void **state)
{
    (void)state;
    enum { LOG2 = 10, DIM = 1, ROW = DIM + CLF_ATTRS };
    static float rows[(size_t)ROW << LOG2];
    classifier_config cfg = {CLASSIFIER_F_WORDS, 0, 0, 9};
    memset(rows, 0, sizeof rows);
    rows[bucket_of(&cfg, "idiot", LOG2) * ROW] = 1.0f;
    float w1[1] = {0}, b1[1] = {0}, w2[CLF_ATTRS] = {0}, conv[1] = {1}, conv_b[1] = {0};
    float w_pool[1] = {1};
    w2[CLF_TOXICITY] = 6.0f;
    classifier_params p;
    pooled_params(&p, cfg, LOG2, DIM, rows, w1, b1, w2, 1, conv, conv_b, w_pool);
    unsigned char *bytes;
    size_t n;
    pl_error err;
    assert_int_equal(classifier_encode(&p, &bytes, &n, &err), 0);
    classifier *c;
    assert_int_equal(classifier_load(bytes, n, &c, &err), 0);
    char text[600] = "";
    for (int i = 0; i < 60; i++)
        strcat(text, "the ");
    strcat(text, "idiot");
    assert_float_equal(tox(c, "idiot"), sig(3.0), 1e-4);
    assert_float_equal(tox(c, text), sig(3.0), 1e-4);
    assert_float_equal(tox(c, "the council met"), sig(-3.0), 1e-4);
    classifier_span sp[2];
    assert_int_equal(classifier_explain(c, text, strlen(text), CLF_TOXICITY, 0.01, sp, 2), 1);
    assert_int_equal(sp[0].begin, 240);
    assert_int_equal(sp[0].end, 245);
    classifier_free(c);
    free(bytes);
}

/* A linear model in which "idiot" raises TOXICITY: divided by the square
 * root of their count, the rows of a text said ten times weigh sqrt(10)
 * times as much as said once; averaged (CLASSIFIER_F_MEAN), exactly as
 * much, so repeating a comment cannot raise its score. */
static double
tox_said(const classifier *c, const char *once, int times)
{
    char text[256] = "";
    for (int i = 0; i < times; i++) {
        assert_true(strlen(text) + strlen(once) + 2 < sizeof text);
        strcat(text, once);
        strcat(text, " ");
    }
    return tox(c, text);
}

static void
mean_rows_ignore_repetition(void **state)
{
    (void)state;
    enum { LOG2 = 10, ROW = CLF_ATTRS };
    static float rows[(size_t)ROW << LOG2];
    for (int mean = 0; mean < 2; mean++) {
        classifier_config cfg = {CLASSIFIER_F_WORDS | (mean ? CLASSIFIER_F_MEAN : 0u), 0, 0, 5};
        memset(rows, 0, sizeof rows);
        rows[bucket_of(&cfg, "idiot", LOG2) * ROW + CLF_TOXICITY] = 2.0f;
        classifier_params p;
        memset(&p, 0, sizeof p);
        p.cfg = cfg;
        p.log2_buckets = LOG2;
        p.rows = rows;
        for (int a = 0; a < CLF_ATTRS; a++) {
            p.b2[a] = -1.0f;
            p.cal_a[a] = 1.0f;
            p.threshold[a] = 0.5f;
        }
        unsigned char *bytes;
        size_t n;
        pl_error err;
        assert_int_equal(classifier_encode(&p, &bytes, &n, &err), 0);
        classifier *c;
        assert_int_equal(classifier_load(bytes, n, &c, &err), 0);
        /* "you idiot": rows 0 and 2, summed 2 over two features. */
        double once = tox_said(c, "you idiot", 1), ten = tox_said(c, "you idiot", 10);
        if (mean) {
            assert_float_equal(once, sig(2.0 / 2 - 1), 1e-6);
            assert_float_equal(ten, once, 1e-6);
        } else {
            assert_float_equal(once, sig(2.0 / sqrt(2) - 1), 1e-6);
            assert_float_equal(ten, sig(20.0 / sqrt(20) - 1), 1e-6);
        }
        classifier_free(c);
        free(bytes);
    }
}

/* ---- the scorer against a plain reference ----------------------------------- */

/* The network written out the plain way (one feature, one word, one
 * window, one unit at a time, from the features classifier_featurize_words
 * reports), with every sum in the order the format defines (docs/
 * MODERATION.md): the scorer's batches across words, prefetching, vector
 * blocks and the explainer's shortcuts must give the same doubles, bit for
 * bit. The rows are integers with one value of 127 each, so quantising them
 * to int8 is exact (scale 1). */
enum { REF_LOG2 = 10, REF_WORDS = 250, REF_FEATS = 8192 };

typedef struct ref_model {
    classifier_params p;
    float *rows, *w1, *b1, *w2, *conv, *conv_b, *w_pool;
} ref_model;

typedef struct ref_text {
    uint32_t feat[REF_FEATS];
    uint32_t first[REF_WORDS + 1]; /* word t's features: first[t] .. first[t + 1] - 1 */
    size_t n_feat, n_words;
} ref_text;

static uint32_t ref_seed = 12345;

static uint32_t
ref_rand(void)
{
    ref_seed = ref_seed * 1103515245u + 12345u;
    return ref_seed >> 8;
}

static float
ref_weight(float scale)
{
    return ((float)(ref_rand() % 2001) - 1000.0f) / 1000.0f * scale;
}

static void
ref_model_init(ref_model *m, uint32_t dim, uint32_t hidden, uint32_t width, uint32_t filters)
{
    size_t row = dim + CLF_ATTRS, b = (size_t)1 << REF_LOG2;
    m->rows = malloc(b * row * sizeof *m->rows);
    m->w1 = malloc((size_t)hidden * dim * sizeof *m->w1);
    m->b1 = malloc(hidden * sizeof *m->b1);
    m->w2 = malloc((size_t)CLF_ATTRS * hidden * sizeof *m->w2);
    m->conv = malloc((size_t)filters * width * dim * sizeof *m->conv);
    m->conv_b = malloc(filters * sizeof *m->conv_b);
    m->w_pool = malloc((size_t)hidden * filters * sizeof *m->w_pool);
    assert_true(m->rows && m->w1 && m->b1 && m->w2 && m->conv && m->conv_b && m->w_pool);
    for (size_t r = 0; r < b; r++) {
        for (size_t k = 0; k < row; k++)
            m->rows[r * row + k] = (float)((int)(ref_rand() % 255) - 127);
        m->rows[r * row + ref_rand() % row] = (ref_rand() & 1) ? 127.0f : -127.0f;
    }
    for (size_t i = 0; i < (size_t)hidden * dim; i++)
        m->w1[i] = ref_weight(0.01f);
    for (size_t i = 0; i < hidden; i++)
        m->b1[i] = ref_weight(0.5f);
    for (size_t i = 0; i < (size_t)CLF_ATTRS * hidden; i++)
        m->w2[i] = ref_weight(0.3f);
    for (size_t i = 0; i < (size_t)filters * width * dim; i++)
        m->conv[i] = ref_weight(0.02f);
    for (size_t i = 0; i < filters; i++)
        m->conv_b[i] = ref_weight(1.0f);
    for (size_t i = 0; i < (size_t)hidden * filters; i++)
        m->w_pool[i] = ref_weight(0.3f);
    classifier_config cfg = {CLASSIFIER_F_WORDS | CLASSIFIER_F_BIGRAMS, 2, 5, 11};
    memset(&m->p, 0, sizeof m->p);
    m->p.cfg = cfg;
    m->p.log2_buckets = REF_LOG2;
    m->p.dim = dim;
    m->p.hidden = hidden;
    m->p.rows = m->rows;
    m->p.w1 = m->w1;
    m->p.b1 = m->b1;
    m->p.w2 = m->w2;
    m->p.width = width;
    m->p.filters = filters;
    m->p.conv = m->conv;
    m->p.conv_b = m->conv_b;
    m->p.w_pool = m->w_pool;
    for (int a = 0; a < CLF_ATTRS; a++) {
        m->p.b2[a] = ref_weight(1.0f);
        m->p.cal_a[a] = 1.0f;
        m->p.threshold[a] = 0.5f;
    }
}

static void
ref_model_free(ref_model *m)
{
    free(m->rows);
    free(m->w1);
    free(m->b1);
    free(m->w2);
    free(m->conv);
    free(m->conv_b);
    free(m->w_pool);
}

static void
ref_feat(uint32_t hash, void *ctx)
{
    ref_text *t = ctx;
    assert_true(t->n_feat < REF_FEATS);
    t->feat[t->n_feat++] = hash;
}

static void
ref_word(uint32_t begin, uint32_t end, void *ctx)
{
    ref_text *t = ctx;
    (void)begin;
    (void)end;
    assert_true(t->n_words < REF_WORDS);
    t->first[t->n_words++] = (uint32_t)t->n_feat;
}

/* Word t's row sums by group (s[0] character n-grams, s[1] the rest). */
static void
ref_word_sums(const ref_model *m, const ref_text *x, size_t t, float s[2][CLASSIFIER_MAX_DIM + 8],
              uint32_t n[2])
{
    size_t row = m->p.dim + CLF_ATTRS;
    memset(s, 0, 2 * sizeof *s);
    n[0] = n[1] = 0;
    uint32_t end = t + 1 < x->n_words ? x->first[t + 1] : (uint32_t)x->n_feat;
    for (uint32_t i = x->first[t]; i < end; i++) {
        uint32_t h = x->feat[i];
        int g = (h & CLASSIFIER_WORD_BIT) != 0;
        const float *r = m->rows + classifier_bucket(h, REF_LOG2) * row;
        for (size_t k = 0; k < row; k++)
            s[g][k] += 1.0f * r[k];
        n[g]++;
    }
}

/* The logits of the words of x but skip (none when skip >= n_words), with
 * the summed rows of all words less those of skip, as the explainer
 * leaves a word out. */
static void
ref_logits(const ref_model *m, const ref_text *x, size_t skip, double out[CLF_ATTRS])
{
    const classifier_params *p = &m->p;
    size_t dim = p->dim, row = dim + CLF_ATTRS, nf = p->filters, w = p->width, nw = 0;
    static float v[REF_WORDS][CLASSIFIER_MAX_DIM];
    float sum[2][CLASSIFIER_MAX_DIM + 8], ws[2][CLASSIFIER_MAX_DIM + 8], pooled[128];
    uint32_t count[2] = {0, 0}, wn[2];
    memset(sum, 0, sizeof sum);
    float skipped[2][CLASSIFIER_MAX_DIM + 8];
    uint32_t skipped_n[2] = {0, 0};
    for (size_t t = 0; t < x->n_words; t++) {
        ref_word_sums(m, x, t, ws, wn);
        for (int g = 0; g < 2; g++) {
            for (size_t k = 0; k < row; k++)
                sum[g][k] += ws[g][k];
            count[g] += wn[g];
        }
        if (t == skip) {
            memcpy(skipped, ws, sizeof ws);
            skipped_n[0] = wn[0];
            skipped_n[1] = wn[1];
            continue;
        }
        uint32_t n = wn[0] + wn[1];
        float inv = n > 0 ? 1.0f / sqrtf((float)n) : 0.0f;
        for (size_t k = 0; k < dim; k++)
            v[nw][k] = (ws[0][k] + ws[1][k]) * inv;
        nw++;
    }
    if (skip < x->n_words)
        for (int g = 0; g < 2; g++) {
            for (size_t k = 0; k < row; k++)
                sum[g][k] = sum[g][k] - skipped[g][k];
            count[g] -= skipped_n[g];
        }
    /* Window e spans words e - w + 1 .. e, zero vectors beyond the ends. */
    for (size_t f = 0; f < nf; f++) {
        float best = 0;
        for (size_t e = 0; nw > 0 && e + 1 < nw + w; e++) {
            float u = p->conv_b[f];
            for (size_t o = 0; o < w; o++) {
                size_t q = e + o; /* word q - (w - 1) */
                if (q < w - 1 || q - (w - 1) >= nw)
                    continue;
                for (size_t k = 0; k < dim; k++)
                    u += p->conv[(f * w + o) * dim + k] * v[q - (w - 1)][k];
            }
            best = u > best ? u : best;
        }
        pooled[f] = best;
    }
    float x0[CLASSIFIER_MAX_DIM + 8], h[CLASSIFIER_MAX_HIDDEN];
    float inv[2];
    for (int g = 0; g < 2; g++) {
        if (count[g] == 0)
            inv[g] = 0.0f;
        else if (p->cfg.flags & CLASSIFIER_F_MEAN)
            inv[g] = 1.0f / (float)count[g];
        else
            inv[g] = 1.0f / sqrtf((float)count[g]);
    }
    for (size_t k = 0; k < row; k++)
        x0[k] = sum[0][k] * inv[0] + sum[1][k] * inv[1];
    for (size_t j = 0; j < p->hidden; j++) {
        float a = p->b1[j];
        for (size_t k = 0; k < dim; k++)
            a += p->w1[j * dim + k] * x0[k];
        for (size_t f = 0; f < nf; f++)
            if (pooled[f] != 0)
                a += p->w_pool[j * nf + f] * pooled[f];
        h[j] = a > 0 ? a : 0;
    }
    for (int a = 0; a < CLF_ATTRS; a++) {
        double z = (double)p->b2[a] + (double)x0[dim + (size_t)a];
        for (size_t j = 0; j < p->hidden; j++)
            z += (double)(p->w2[(size_t)a * p->hidden + j] * h[j]);
        out[a] = z;
    }
}

static double
ref_p(double logit)
{
    return 1.0 / (1.0 + exp(-(1.0 * logit + 0.0)));
}

/* A random comment: words, glued and stretched words, leet, numbers,
 * links, emoji, punctuation and words longer than a token, up to about
 * 1.5 kB and 200 words (more than three batches of features). */
static size_t
ref_comment(char *out, size_t cap)
{
    static const char *const parts[] = {
        "the ",
        "idiot ",
        "you're ",
        "f*ck ",
        "sh!t ",
        "1d10t ",
        "council ",
        "2024 ",
        "!!! ",
        "\xf0\x9f\x98\x82 ",
        "https://example.org/x?y=1 ",
        "@someone ",
        "soooo ",
        "na\xc3\xafve ",
        "a,b.c;d ",
        "extraordinarilylongwordthatgoesonandonforeverandever ",
        "not ",
        "bad ",
        "$$$ ",
        "'quoted' ",
        "\t\n",
        "URL ",
        "x ",
        "Ab12 ",
    };
    size_t n = 0, words = ref_rand() % 200;
    for (size_t i = 0; i < words; i++) {
        const char *s = parts[ref_rand() % (sizeof parts / sizeof *parts)];
        size_t l = strlen(s);
        if (n + l >= cap)
            break;
        memcpy(out + n, s, l);
        n += l;
    }
    return n;
}

/* A reference model of this shape (and extra config flags), encoded and
 * loaded. */
static classifier *
ref_classifier(ref_model *m, uint32_t dim, uint32_t hidden, uint32_t width, uint32_t filters,
               uint32_t flags)
{
    ref_model_init(m, dim, hidden, width, filters);
    m->p.cfg.flags |= flags;
    unsigned char *bytes;
    size_t nb;
    pl_error err;
    assert_int_equal(classifier_encode(&m->p, &bytes, &nb, &err), 0);
    classifier *c;
    assert_int_equal(classifier_load(bytes, nb, &c, &err), 0);
    free(bytes);
    return c;
}

static bool
same_bits(double a, double b)
{
    uint64_t x, y;
    memcpy(&x, &a, sizeof x);
    memcpy(&y, &b, sizeof y);
    return x == y;
}

/* c's logits of text and every word's drops are the reference's, bit for
 * bit (shape sh, text i name a failure). */
static void
expect_reference_bits(const classifier *c, const ref_model *m, const char *text, size_t n,
                      size_t sh, int i)
{
    static ref_text x;
    static classifier_word w[CLASSIFIER_EXPLAIN_WORDS];
    memset(&x, 0, sizeof x);
    classifier_featurize_words(&m->p.cfg, text, n, ref_feat, ref_word, &x);
    double got[CLF_ATTRS], want[CLF_ATTRS];
    classifier_logits(c, text, n, got);
    ref_logits(m, &x, SIZE_MAX, want);
    assert_memory_equal(got, want, sizeof got);
    /* Leaving each word out: the same as the reference without it. */
    size_t nw = classifier_word_drops(c, text, n, w, CLASSIFIER_EXPLAIN_WORDS);
    assert_int_equal(nw, x.n_words);
    for (size_t t = 0; t < nw; t++) {
        double rest[CLF_ATTRS];
        ref_logits(m, &x, t, rest);
        for (int a = 0; a < CLF_ATTRS; a++) {
            double drop = ref_p(want[a]) - ref_p(rest[a]);
            if (!same_bits(drop, w[t].drop[a]))
                fail_msg("shape %zu text %d word %zu attr %d: %a, reference %a", sh, i, t, a,
                         w[t].drop[a], drop);
        }
    }
}

static void
scorer_matches_reference_bit_for_bit(void **state)
{
    (void)state;
    static const uint32_t shapes[][5] = {
        /* dim, hidden, width, filters, extra flags: model A's shape, then
         * odd sizes and a wider window (the blocks' remainders, the ring of
         * windows), then the shipped shape with the rows averaged. */
        {32, 32, 1, 32, 0},
        {12, 37, 3, 37, 0},
        {40, 8, 2, 5, 0},
        {32, 32, 1, 32, CLASSIFIER_F_MEAN},
    };
    char text[1600];
    for (size_t sh = 0; sh < sizeof shapes / sizeof *shapes; sh++) {
        ref_model m;
        classifier *c = ref_classifier(&m, shapes[sh][0], shapes[sh][1], shapes[sh][2],
                                       shapes[sh][3], shapes[sh][4]);
        for (int i = 0; i < 30; i++) {
            size_t n = ref_comment(text, sizeof text);
            expect_reference_bits(c, &m, text, n, sh, i);
        }
        classifier_free(c);
        ref_model_free(&m);
    }
}

/* Scoring a text while keeping its features, then explaining it from them,
 * gives the same bits as scoring and explaining it from scratch: with the
 * shipped model (pooled filters of width 1: the scorer keeps its words),
 * with wider filters, and without filters (the scorer keeps its batches). */
static void
expect_kept_same(const classifier *c, const char *text, size_t n)
{
    static classifier_word w[CLASSIFIER_EXPLAIN_WORDS], wk[CLASSIFIER_EXPLAIN_WORDS];
    classifier_scores want, got;
    classifier_kept *k = NULL;
    classifier_score(c, text, n, &want);
    classifier_score_keep(c, text, n, &got, &k);
    assert_non_null(k);
    assert_memory_equal(&got, &want, sizeof got);
    size_t nw = classifier_word_drops(c, text, n, w, CLASSIFIER_EXPLAIN_WORDS);
    size_t nk = classifier_word_drops_kept(c, k, text, n, wk, CLASSIFIER_EXPLAIN_WORDS);
    assert_int_equal(nk, nw);
    assert_memory_equal(wk, w, nw * sizeof *w);
    /* One attribute at a time, in any order: the same spans and drops. */
    static classifier_word one[CLASSIFIER_EXPLAIN_WORDS];
    classifier_drops *d = classifier_drops_new(c, k, text, n, CLASSIFIER_EXPLAIN_WORDS);
    for (int a = CLF_ATTRS; a-- > 0;) {
        assert_int_equal(classifier_drops_fill(d, (classifier_attr)a, one), nw);
        for (size_t t = 0; t < nw; t++) {
            assert_int_equal(one[t].begin, w[t].begin);
            assert_int_equal(one[t].end, w[t].end);
            assert_true(same_bits(one[t].drop[a], w[t].drop[a]));
        }
    }
    classifier_drops_free(d);
    /* A short explanation stops where the fresh one does. */
    assert_int_equal(classifier_word_drops_kept(c, k, text, n, wk, 3),
                     classifier_word_drops(c, text, n, w, 3));
    assert_memory_equal(wk, w, (nw < 3 ? nw : 3) * sizeof *w);
    classifier_kept_free(k);
}

/* A text of exactly words words (the explainer keeps CLASSIFIER_EXPLAIN_WORDS
 * and joins the rest into the last), some of them insults. */
static size_t
words_text(char *out, size_t cap, size_t words)
{
    static const char *const w[] = {"you", "idiot", "the", "council", "stupid", "road", "x"};
    size_t n = 0;
    for (size_t i = 0; i < words; i++) {
        const char *s = w[(i * 5 + i / 7) % (sizeof w / sizeof *w)];
        size_t l = strlen(s);
        assert_true(n + l + 1 < cap);
        if (i > 0)
            out[n++] = ' ';
        memcpy(out + n, s, l);
        n += l;
    }
    out[n] = '\0';
    return n;
}

static void
expect_kept_same_all(const classifier *c, int random_texts)
{
    static char text[4096];
    for (int i = 0; i < random_texts; i++) {
        size_t n = ref_comment(text, 1600);
        expect_kept_same(c, text, n);
    }
    static const char *const fixed[] = {"", "idiot", "You are a complete idiot, @user! http://x.y",
                                        "f u c k this #YouAreAnIdiot \xf0\x9f\x96\x95"};
    for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++)
        expect_kept_same(c, fixed[i], strlen(fixed[i]));
    /* Around the explainer's last word: the scorer keeps every word up to
     * CLASSIFIER_EXPLAIN_WORDS, and beyond, the explainer featurises again. */
    static const size_t words[] = {1,
                                   63,
                                   64,
                                   65,
                                   CLASSIFIER_EXPLAIN_WORDS - 1,
                                   CLASSIFIER_EXPLAIN_WORDS,
                                   CLASSIFIER_EXPLAIN_WORDS + 1,
                                   400};
    for (size_t i = 0; i < sizeof words / sizeof *words; i++)
        expect_kept_same(c, text, words_text(text, sizeof text, words[i]));
}

static void
kept_features_give_the_same_bits(void **state)
{
    expect_kept_same_all(*state, 40);
    static const uint32_t shapes[][4] = {
        /* dim, hidden, width, filters: wider filters; no filters at all */
        {12, 37, 3, 37},
        {16, 8, 0, 0},
    };
    for (size_t sh = 0; sh < sizeof shapes / sizeof *shapes; sh++) {
        ref_model m;
        classifier *c =
            ref_classifier(&m, shapes[sh][0], shapes[sh][1], shapes[sh][2], shapes[sh][3], 0);
        expect_kept_same_all(c, 20);
        classifier_free(c);
        ref_model_free(&m);
    }
}

typedef struct hash_list {
    uint32_t h[256];
    size_t n;
} hash_list;

static void
collect_hash(uint32_t hash, void *ctx)
{
    hash_list *l = ctx;
    assert_true(l->n < sizeof l->h / sizeof *l->h);
    l->h[l->n++] = hash;
}

/* The table of common words holds, for each, the character n-grams the
 * featuriser gives that word (its config without words and bigrams), for
 * the shipped ranges and others; nothing else is found in it. */
static void
common_words_hold_the_featurisers_ngrams(void **state)
{
    (void)state;
    static const classifier_config cfgs[] = {
        {CLASSIFIER_F_WORDS | CLASSIFIER_F_BIGRAMS, 2, 5, 0x1234u},
        {CLASSIFIER_F_WORDS | CLASSIFIER_F_BIGRAMS, 3, 5, 0x5eed5a11u},
        {CLASSIFIER_F_WORDS, 1, 8, 7},
        {CLASSIFIER_F_WORDS | CLASSIFIER_F_BIGRAMS, 0, 0, 9},
    };
    for (size_t k = 0; k < sizeof cfgs / sizeof *cfgs; k++) {
        classifier_grams *g = classifier_grams_new(&cfgs[k]);
        classifier_config chars = cfgs[k];
        chars.flags = 0;
        size_t n = classifier_grams_count(g);
        assert_true(n >= 500);
        assert_true(classifier_grams_memory(g) > n * sizeof(uint32_t));
        assert_null(classifier_grams_word(g, n));
        for (size_t i = 0; i < n; i++) {
            const char *w = classifier_grams_word(g, i);
            hash_list want = {.n = 0};
            classifier_featurize(&chars, w, strlen(w), collect_hash, &want);
            const uint32_t *got = NULL;
            long m = classifier_grams_find(g, w, strlen(w), &got);
            if (m < 0 || (size_t)m != want.n)
                fail_msg("config %zu word %s: %ld n-grams, featuriser %zu", k, w, m, want.n);
            if (m > 0)
                assert_memory_equal(got, want.h, want.n * sizeof *want.h);
        }
        static const char *const absent[] = {"zzyzx", "The",  "peoplee",
                                             "p",     "sh1t", "counterrevolutionary"};
        for (size_t i = 0; i < sizeof absent / sizeof *absent; i++) {
            const uint32_t *got = NULL;
            assert_int_equal(classifier_grams_find(g, absent[i], strlen(absent[i]), &got), -1);
        }
        const uint32_t *got = NULL;
        assert_true(classifier_grams_find(g, "the", 3, &got) >= 0);
        assert_true(classifier_grams_find(g, "dont", 4, &got) >= 0);
        assert_int_equal(classifier_grams_find(g, "people", 5, &got), -1);
        classifier_grams_free(g);
    }
    classifier_grams_free(NULL);
}

static void
attribute_names_round_trip(void **state)
{
    (void)state;
    for (int a = 0; a < CLF_ATTRS; a++) {
        const char *n = classifier_attr_name((classifier_attr)a);
        assert_non_null(n);
        assert_int_equal(classifier_attr_parse(n, strlen(n)), a);
    }
    assert_int_equal(classifier_attr_parse("toxicity", 8), -1);
    assert_int_equal(classifier_attr_parse("TOXICITYX", 9), -1);
    assert_int_equal(classifier_attr_parse("SEXUALLY_EXPLICIT", 17), -1);
    assert_null(classifier_attr_name(CLF_ATTRS));
}

int
main(void)
{
    const struct CMUnitTest model_tests[] = {
        cmocka_unit_test(offensive_sentences_score_above_threshold),
        cmocka_unit_test(attacks_score_above_threshold),
        cmocka_unit_test(benign_sentences_score_below_threshold),
        cmocka_unit_test(scores_are_probabilities_even_for_odd_input),
        cmocka_unit_test(kept_features_give_the_same_bits),
    };
    const struct CMUnitTest plain_tests[] = {
        cmocka_unit_test(featuriser_folds_evasions),
        cmocka_unit_test(featuriser_bounds_long_words),
        cmocka_unit_test(load_rejects_corrupt_bytes),
        cmocka_unit_test(explain_names_the_word_that_raised_the_score),
        cmocka_unit_test(attribute_names_round_trip),
        cmocka_unit_test(encode_and_load_round_trip),
        cmocka_unit_test(pooled_filters_read_word_order),
        cmocka_unit_test(max_pool_is_not_diluted),
        cmocka_unit_test(mean_rows_ignore_repetition),
        cmocka_unit_test(scorer_matches_reference_bit_for_bit),
        cmocka_unit_test(common_words_hold_the_featurisers_ngrams),
    };
    int failed = cmocka_run_group_tests(model_tests, setup, teardown);
    return failed + cmocka_run_group_tests(plain_tests, NULL, NULL);
}
