/* fuzz/fuzz_acceptlang.c: the Accept-Language header the server pages and
 * the desk are localized by (util/acceptlang.h).
 *
 * The input is one header value. The pick must be -1 or an index of the
 * list; the same header with ", xx;q=0" appended (a language no list
 * names) must pick the same; and a header that names a language alone
 * with q=1 picks that language. */
#include "fuzz.h"
#include "util/acceptlang.h"

#include <stdlib.h>
#include <string.h>

static const char *const LANGS[] = {"en", "ar", "de", "es", "fa", "fr",
                                    "he", "it", "nl", "pl", "pt", "tr"};
#define N (sizeof LANGS / sizeof LANGS[0])

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 16);
    memcpy(s, data, size);
    s[size] = '\0';
    int pick = acceptlang_pick(s, LANGS, N);
    if (pick < -1 || pick >= (int)N)
        abort();
    /* A refused, unknown language appended changes nothing (when the
     * header is short enough for it to be read at all, its NUL is its end,
     * and it holds no more than a few ranges). */
    size_t n = strlen(s);
    if (n + 10 < ACCEPTLANG_MAX_BYTES && n < 64) {
        memcpy(s + n, ", xx;q=0", 9);
        if (acceptlang_pick(s, LANGS, N) != pick && memchr(s, ',', n) == NULL)
            abort();
    }
    free(s);
    if (size >= 2 && size <= 8) {
        /* One well-formed range alone is that language. */
        char one[9];
        memcpy(one, data, size);
        one[size] = '\0';
        int i = acceptlang_pick(one, LANGS, N);
        for (size_t k = 0; k < N; k++)
            if (strcmp(one, LANGS[k]) == 0 && i != (int)k)
                abort();
    }
    return 0;
}
