/* fuzz/fuzz_classifier.c: classifier_load parses untrusted model bytes, and
 * the featuriser reads untrusted comment text.
 *
 * Each input is tried as a model file (the corpus holds small valid models
 * and damaged ones). Since a mutated file rarely passes the checksum, every
 * input is also scored as text by a small model built here with
 * classifier_encode, which drives the featuriser over arbitrary, often
 * invalid, UTF-8; the scores must stay probabilities.
 */
#include "fuzz.h"
#include "moderation/classifier.h"

#include <stdlib.h>

static void
score_checked(const classifier *c, const uint8_t *data, size_t size)
{
    classifier_scores s;
    classifier_score(c, (const char *)data, size, &s);
    for (int a = 0; a < CLF_ATTRS; a++)
        if (!(s.p[a] >= 0 && s.p[a] <= 1))
            abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    classifier *c = NULL;
    pl_error err;
    if (classifier_load(data, size, &c, &err) == 0) {
        score_checked(c, data, size);
        classifier_free(c);
    }

    enum { LOG2 = 10 };
    float w[2 << LOG2];
    for (size_t i = 0; i < sizeof w / sizeof *w; i++)
        w[i] = (float)((int)(i * 37 % 201) - 100) / 25.0f;
    classifier_params p = {
        {CLASSIFIER_F_WORDS | CLASSIFIER_F_BIGRAMS | CLASSIFIER_F_SPLIT_NORM, 1, 8, 3},
        LOG2,
        8,
        {-1.0f, 1.0f},
        {0.5f, 0.5f},
        w};
    unsigned char *bytes;
    size_t n;
    if (classifier_encode(&p, &bytes, &n, &err) != 0 || classifier_load(bytes, n, &c, &err) != 0)
        abort();
    score_checked(c, data, size);
    classifier_free(c);
    free(bytes);
    return 0;
}
