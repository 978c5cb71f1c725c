/* fuzz/fuzz_isso.c: the Isso database reader (import/isso.h) on arbitrary
 * bytes, opened as an SQLite database in memory.
 *
 * Invariants of a database read without error: every thread has a valid
 * article id; every comment names a thread that exists and a parent that is
 * -1 or another comment of the same thread; every string is valid UTF-8; a
 * deleted comment keeps no text. A refusal always says why.
 */
#include "fuzz.h"
#include "import/isso.h"
#include "util/text.h"

#include <stdlib.h>
#include <string.h>

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (1 << 20))
        return 0;
    arena *a = arena_new();
    disqus_export x;
    pl_error err = {0};
    int rc = isso_read_memory(data, size, a, NULL, NULL, NULL, &x, &err);
    if (rc < 0) {
        if (err.msg[0] == '\0' || x.n_posts != 0 || x.n_threads != 0)
            abort();
    } else {
        for (size_t i = 0; i < x.n_threads; i++) {
            const disqus_thread *t = &x.threads[i];
            if (!article_id_valid(t->id) || !utf8_valid(t->title, strlen(t->title)))
                abort();
        }
        for (size_t i = 0; i < x.n_posts; i++) {
            const disqus_post *p = &x.posts[i];
            if (p->thread >= x.n_threads)
                abort();
            if (p->parent != -1 &&
                (p->parent < 0 || (size_t)p->parent >= x.n_posts || (size_t)p->parent == i ||
                 x.posts[p->parent].thread != p->thread))
                abort();
            if (p->markdown == NULL || strlen(p->markdown) != p->body_len ||
                !utf8_valid(p->markdown, p->body_len) || (p->deleted && p->body_len != 0))
                abort();
            if (!utf8_valid(p->author.name, strlen(p->author.name)) ||
                !utf8_valid(p->author.email, strlen(p->author.email)))
                abort();
        }
    }
    arena_free(a);
    return 0;
}
