/* fuzz/fuzz_coral.c: the Coral reader (import/sources.h) on arbitrary
 * bytes: the input is cut at its first two NUL bytes into the stories,
 * users and comments collections (missing parts are empty files). The
 * export read must keep the promises of fuzz/export_check.h.
 */
#include "export_check.h"
#include "fuzz.h"
#include "import/sources.h"

#include <stdio.h>

/* An empty part is /dev/null: fmemopen refuses an empty buffer. */
static FILE *
open_part(const uint8_t *p, size_t n)
{
    return n > 0 ? fmemopen((void *)p, n, "r") : fopen("/dev/null", "r");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (1 << 20))
        return 0;
    const uint8_t *part[3] = {data, data + size, data + size};
    size_t len[3] = {size, 0, 0};
    for (int k = 0; k < 2; k++) {
        const uint8_t *nul = memchr(part[k], 0, len[k]);
        if (nul == NULL)
            break;
        part[k + 1] = nul + 1;
        len[k + 1] = len[k] - (size_t)(nul + 1 - part[k]);
        len[k] = (size_t)(nul - part[k]);
    }
    FILE *f[3];
    for (int k = 0; k < 3; k++)
        if ((f[k] = open_part(part[k], len[k])) == NULL)
            abort();
    arena *a = arena_new();
    disqus_export x;
    pl_error err = {0};
    int rc = coral_read(f[0], f[1], f[2], a, NULL, NULL, NULL, &x, &err);
    export_check(rc, &err, &x, a);
    for (int k = 0; k < 3; k++)
        fclose(f[k]);
    arena_free(a);
    return 0;
}
