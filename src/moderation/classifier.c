/* moderation/classifier.c: placeholder until the trained model lands (XXX #3).
 * No model is compiled in yet, so loading reports that honestly and the
 * engine runs without classifier scores. */
#include "moderation/classifier.h"

int
classifier_load(const unsigned char *data, size_t n, classifier **out, pl_error *err)
{
    (void)data;
    (void)n;
    *out = NULL;
    return pl_errorf(err, PL_ENOTFOUND, "the classifier is not built yet");
}

int
classifier_load_builtin(classifier **out, pl_error *err)
{
    return classifier_load(NULL, 0, out, err);
}

void
classifier_free(classifier *c)
{
    (void)c;
}

void
classifier_score(const classifier *c, const char *text, size_t n, classifier_scores *out)
{
    (void)c;
    (void)text;
    (void)n;
    out->offensive = -1;
    out->attack = -1;
}
