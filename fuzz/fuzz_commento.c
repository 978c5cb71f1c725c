/* fuzz/fuzz_commento.c: the Commento reader (import/sources.h) on arbitrary
 * bytes given as the file, with the texts in memory and again through a
 * spool (a temporary file in /tmp): both runs must agree, and each must
 * keep the promises of fuzz/export_check.h.
 */
#include "export_check.h"
#include "fuzz.h"
#include "import/sources.h"

#include <stdio.h>

static int
run(const uint8_t *data, size_t size, spool *sp, arena *a, disqus_export *x, pl_error *err)
{
    FILE *f = fmemopen((void *)data, size, "r");
    if (f == NULL)
        abort();
    int rc = commento_read(f, a, sp, NULL, NULL, x, err);
    fclose(f);
    return rc;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0 || size > (1 << 20))
        return 0; /* fmemopen refuses an empty buffer */
    arena *a = arena_new();
    disqus_export x;
    pl_error err = {0};
    int rc = run(data, size, NULL, a, &x, &err);
    export_check(rc, &err, &x, a);
    spool *sp;
    if (spool_open("/tmp", &sp, &err) < 0)
        abort();
    arena *b = arena_new();
    disqus_export y;
    int rc2 = run(data, size, sp, b, &y, &err);
    export_check(rc2, &err, &y, b);
    if ((rc == 0) != (rc2 == 0) || x.n_posts != y.n_posts || x.n_threads != y.n_threads)
        abort();
    spool_close(sp);
    arena_free(b);
    arena_free(a);
    return 0;
}
