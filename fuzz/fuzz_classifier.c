/* fuzz/fuzz_classifier.c: classifier_load parses untrusted model bytes, and
 * the featuriser reads untrusted comment text.
 *
 * Each input is tried as a model file (the corpus holds small valid models
 * of versions 2 and 3 and damaged ones). Since a mutated file rarely passes
 * the checksum, every input is also scored and explained as text by two
 * small models built here with classifier_encode (one with pooled filters
 * over words), which drives the featuriser over arbitrary, often invalid,
 * UTF-8; the scores must stay probabilities.
 */
#include "fuzz.h"
#include "moderation/classifier.h"

#include <stdlib.h>
#include <string.h>

/* Scores stay probabilities; explained spans lie inside the text. */
static void
score_checked(const classifier *c, const uint8_t *data, size_t size)
{
    classifier_scores s;
    classifier_score(c, (const char *)data, size, &s);
    for (int a = 0; a < CLF_ATTRS; a++)
        if (!(s.p[a] >= 0 && s.p[a] <= 1))
            abort();
    classifier_span sp[4];
    size_t k = classifier_explain(c, (const char *)data, size, CLF_TOXICITY, 0.0, sp, 4);
    for (size_t i = 0; i < k; i++)
        if (sp[i].begin >= sp[i].end || sp[i].end > size || !(sp[i].weight >= 0))
            abort();
}

/* Encodes p, loads it, and scores and explains the input as text. */
static void
score_and_explain(const classifier_params *p, const uint8_t *data, size_t size)
{
    unsigned char *bytes;
    size_t n;
    pl_error err;
    classifier *c;
    if (classifier_encode(p, &bytes, &n, &err) != 0 || classifier_load(bytes, n, &c, &err) != 0)
        abort();
    score_checked(c, data, size);
    classifier_free(c);
    free(bytes);
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

    /* A small network built here (mutated files rarely pass the
     * checksum), so that scoring and explaining see every input as text. */
    enum { LOG2 = 10, DIM = 4, HID = 3, ROW = DIM + CLF_ATTRS };
    static float rows[ROW << LOG2], w1[HID * DIM], b1[HID], w2[CLF_ATTRS * HID];
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++)
        rows[i] = (float)((int)(i * 37 % 201) - 100) / 25.0f;
    for (size_t i = 0; i < HID * DIM; i++)
        w1[i] = (float)((int)(i * 13 % 7) - 3);
    for (size_t i = 0; i < CLF_ATTRS * HID; i++)
        w2[i] = (float)((int)(i * 5 % 9) - 4) / 2.0f;
    classifier_params p;
    memset(&p, 0, sizeof p);
    p.cfg = (classifier_config){CLASSIFIER_F_WORDS | CLASSIFIER_F_BIGRAMS, 1, 8, 3};
    p.log2_buckets = LOG2;
    p.dim = DIM;
    p.hidden = HID;
    p.rows = rows;
    p.w1 = w1;
    p.b1 = b1;
    p.w2 = w2;
    for (int a = 0; a < CLF_ATTRS; a++) {
        p.cal_a[a] = 1.0f;
        p.threshold[a] = 0.5f;
    }
    score_and_explain(&p, data, size);

    /* The same network reading words in order (version 3): filters over
     * WIDTH words, max-pooled; the explainer's windows around a word left
     * out are the trickiest indexing of the scorer. */
    enum { WIDTH = 3, FILT = 5 };
    static float conv[FILT * WIDTH * DIM], conv_b[FILT], w_pool[HID * FILT];
    for (size_t i = 0; i < FILT * WIDTH * DIM; i++)
        conv[i] = (float)((int)(i * 11 % 13) - 6) / 3.0f;
    for (size_t i = 0; i < FILT; i++)
        conv_b[i] = (float)((int)i - 2) / 2.0f;
    for (size_t i = 0; i < HID * FILT; i++)
        w_pool[i] = (float)((int)(i * 7 % 5) - 2);
    p.width = WIDTH;
    p.filters = FILT;
    p.conv = conv;
    p.conv_b = conv_b;
    p.w_pool = w_pool;
    score_and_explain(&p, data, size);
    return 0;
}
