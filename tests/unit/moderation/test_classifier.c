/* tests/unit/moderation/test_classifier.c: the compiled-in model scores
 * clear cases on the right side of its thresholds, the featuriser folds the
 * evasions it promises to fold, and classifier_load refuses damaged bytes.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "moderation/classifier.h"
#include "server/assets.h"

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
    p[8] = 99; /* version */
    assert_rejected(p, n, "version");
    p[8] = 1;
    p[16] = 30; /* 2^30 buckets */
    assert_rejected(p, n, "bucket");

    classifier *c;
    pl_error err;
    p[16] = 20;
    assert_int_equal(classifier_load(p, n, &c, &err), 0);
    classifier_free(c);
    free(p);
}

static void
encode_and_load_round_trip(void **state)
{
    (void)state;
    enum { LOG2 = 10 };
    float *w = calloc((size_t)2 << LOG2, sizeof *w);
    assert_non_null(w);
    classifier_config cfg = {CLASSIFIER_F_WORDS, 0, 0, 42};
    hashes x;
    x.n = 0;
    classifier_featurize(&cfg, "hello", 5, collect, &x);
    assert_int_equal(x.n, 1);
    /* One word with a large positive weight on head 0 only. */
    w[classifier_bucket(x.h[0], LOG2) * 2] = 4.0f;
    classifier_params p = {cfg, LOG2, 16, {-2.0f, -2.0f}, {0.5f, 0.5f}, w};
    unsigned char *bytes;
    size_t n;
    pl_error err;
    assert_int_equal(classifier_encode(&p, &bytes, &n, &err), 0);
    classifier *c;
    assert_int_equal(classifier_load(bytes, n, &c, &err), 0);
    classifier_scores s;
    classifier_score(c, "hello", 5, &s);
    assert_float_equal(s.p[CLF_TOXICITY], 1.0 / (1.0 + exp(-2.0)), 1e-3);
    assert_float_equal(s.p[CLF_INSULT], 1.0 / (1.0 + exp(2.0)), 1e-3);
    classifier_score(c, "", 0, &s);
    assert_float_equal(s.p[CLF_TOXICITY], 1.0 / (1.0 + exp(2.0)), 1e-3);
    classifier_free(c);
    free(bytes);
    free(w);
}

int
main(void)
{
    const struct CMUnitTest model_tests[] = {
        cmocka_unit_test(offensive_sentences_score_above_threshold),
        cmocka_unit_test(attacks_score_above_threshold),
        cmocka_unit_test(benign_sentences_score_below_threshold),
        cmocka_unit_test(scores_are_probabilities_even_for_odd_input),
    };
    const struct CMUnitTest plain_tests[] = {
        cmocka_unit_test(featuriser_folds_evasions),
        cmocka_unit_test(featuriser_bounds_long_words),
        cmocka_unit_test(load_rejects_corrupt_bytes),
        cmocka_unit_test(encode_and_load_round_trip),
    };
    int failed = cmocka_run_group_tests(model_tests, setup, teardown);
    return failed + cmocka_run_group_tests(plain_tests, NULL, NULL);
}
