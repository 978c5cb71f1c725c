/* fuzz/fuzz_wordpress.c: the WordPress (WXR) reader (import/disqus.h) on
 * arbitrary bytes, with the texts in memory and again through a spool (a
 * temporary file in /tmp): both runs must agree, and each must keep the
 * promises of fuzz/export_check.h (references in range, valid UTF-8,
 * nothing unsafe once rendered).
 */
#include "export_check.h"
#include "fuzz.h"
#include "import/disqus.h"
#include "import/spool.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (1 << 20))
        return 0;
    arena *a = arena_new();
    disqus_export x;
    pl_error err = {0};
    int rc = wxr_parse_memory((const char *)data, size, a, NULL, NULL, NULL, &x, &err);
    export_check(rc, &err, &x, a);
    spool *sp;
    if (spool_open("/tmp", &sp, &err) < 0)
        abort();
    arena *b = arena_new();
    disqus_export y;
    int rc2 = wxr_parse_memory((const char *)data, size, b, sp, NULL, NULL, &y, &err);
    export_check(rc2, &err, &y, b);
    if ((rc == 0) != (rc2 == 0) || x.n_posts != y.n_posts || x.n_threads != y.n_threads)
        abort();
    for (size_t i = 0; rc == 0 && i < x.n_posts; i++) {
        const char *md;
        if (disqus_body(&y, &y.posts[i], b, &md, &err) < 0 || strcmp(md, x.posts[i].markdown) != 0)
            abort();
    }
    spool_close(sp);
    arena_free(b);
    arena_free(a);
    return 0;
}
