/* fuzz/fuzz_langid.c: language detection on arbitrary bytes (a comment's
 * text), and the profile parser on arbitrary profiles.
 *
 * An input starting with "#profiles\n" is parsed as profiles (it must be
 * refused cleanly or give a detector that then runs on a fixed text);
 * anything else is a comment for the detector built from the compiled-in
 * profiles, whose result must be a known code or "", with no more trigrams
 * than LANGID_MAX_TRIGRAMS and a margin of zero or more.
 */
#include "fuzz.h"
#include "moderation/langid.h"

#include <stdlib.h>
#include <string.h>

static langid *
detector(void)
{
    static langid *li; /* built once, read-only afterwards */
    if (li == NULL) {
        pl_error err;
        if (langid_load(&li, &err) < 0)
            abort();
    }
    return li;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char mark[] = "#profiles\n";
    langid_result r;
    if (size >= sizeof mark - 1 && memcmp(data, mark, sizeof mark - 1) == 0) {
        langid *li = NULL;
        pl_error err;
        if (langid_new((const char *)data, size, &li, &err) == 0) {
            langid_detect(li, "the council voted", 17, &r);
            langid_free(li);
        } else if (li != NULL) {
            abort();
        }
        return 0;
    }
    langid_detect(detector(), (const char *)data, size, &r);
    size_t n = strlen(r.lang);
    if (n != 0 && n != 2)
        abort();
    if (r.trigrams < 0 || r.trigrams > LANGID_MAX_TRIGRAMS || r.margin < 0)
        abort();
    if (r.other_script && n != 0)
        abort();
    return 0;
}
