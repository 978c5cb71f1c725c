/* fuzz/fuzz_classifier.c: classifier_load parses untrusted model bytes.
 *
 * Each input is tried as a model file; when it loads (the corpus holds a
 * small valid model), its own bytes are also scored as text, which drives
 * the featuriser over arbitrary, often invalid, UTF-8.
 */
#include <stddef.h>
#include <stdint.h>

#include "moderation/classifier.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    classifier *c = NULL;
    pl_error err;
    if (classifier_load(data, size, &c, &err) == 0) {
        classifier_scores s;
        classifier_score(c, (const char *)data, size, &s);
        if (!(s.offensive >= 0 && s.offensive <= 1 && s.attack >= 0 && s.attack <= 1))
            __builtin_trap();
        classifier_free(c);
    }
    return 0;
}
