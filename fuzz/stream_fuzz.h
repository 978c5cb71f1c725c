/* fuzz/stream_fuzz.h: the one harness of the readers of a file read as a
 * stream (import/sources.h: Remark42, Commento). The arbitrary bytes are
 * given as the file, with the texts in memory and again through a spool (a
 * temporary file in /tmp): both runs must agree, and each must keep the
 * promises of fuzz/export_check.h. A target is one line:
 *
 *     int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
 *     { return stream_fuzz(remark42_read, data, size); }
 */
#ifndef PARLEY_FUZZ_STREAM_FUZZ_H
#define PARLEY_FUZZ_STREAM_FUZZ_H
#include "export_check.h"
#include "fuzz.h"
#include "import/sources.h"

#include <stdio.h>

static int
stream_fuzz_run(import_stream_reader read, const uint8_t *data, size_t size, spool *sp, arena *a,
                disqus_export *x, pl_error *err)
{
    FILE *f = fmemopen((void *)data, size, "r");
    if (f == NULL)
        abort();
    int rc = read(f, a, sp, NULL, NULL, x, err);
    fclose(f);
    return rc;
}

static int
stream_fuzz(import_stream_reader read, const uint8_t *data, size_t size)
{
    if (size == 0 || size > (1 << 20))
        return 0; /* fmemopen refuses an empty buffer */
    arena *a = arena_new();
    disqus_export x;
    pl_error err = {0};
    int rc = stream_fuzz_run(read, data, size, NULL, a, &x, &err);
    export_check(rc, &err, &x, a);
    spool *sp;
    if (spool_open("/tmp", &sp, &err) < 0)
        abort();
    arena *b = arena_new();
    disqus_export y;
    int rc2 = stream_fuzz_run(read, data, size, sp, b, &y, &err);
    export_check(rc2, &err, &y, b);
    if ((rc == 0) != (rc2 == 0) || x.n_posts != y.n_posts || x.n_threads != y.n_threads)
        abort();
    spool_close(sp);
    arena_free(b);
    arena_free(a);
    return 0;
}

#endif
