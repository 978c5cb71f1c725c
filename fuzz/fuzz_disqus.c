/* fuzz/fuzz_disqus.c: the Disqus export parser and its HTML converter on
 * arbitrary bytes (no store).
 *
 * The whole input goes to disqus_parse_memory; the same bytes also go to
 * htmlmd_convert as a message would. Beyond memory errors it checks the
 * parser's promises (every post's thread and parent index in range, parents
 * in the same thread and never the post itself, every string valid UTF-8)
 * and the converter's: its Markdown, rendered as a comment would be, never
 * carries a script tag or a link to anything but http(s) or mailto. The
 * same bytes parsed into a spool (a temporary file in /tmp) must give the
 * same result, every message read back equal to the in-memory one.
 */
#include "fuzz.h"
#include "import/disqus.h"
#include "import/htmlmd.h"
#include "import/spool.h"
#include "render/markdown.h"
#include "util/arena.h"
#include "util/text.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void
check_str(const char *s)
{
    if (s == NULL || !utf8_valid(s, strlen(s)))
        abort();
}

static void
check_markdown(arena *a, const char *md)
{
    check_str(md);
    const char *html = md_render_html(a, md, strlen(md));
    if (strstr(html, "<script") != NULL || strstr(html, "<img") != NULL)
        abort();
    for (const char *p = html; (p = strstr(p, "<a href=\"")) != NULL; p += 9)
        if (strncasecmp(p + 9, "http:", 5) != 0 && strncasecmp(p + 9, "https:", 6) != 0 &&
            strncasecmp(p + 9, "mailto:", 7) != 0)
            abort();
}

/* The same parse through a spool: same outcome, same posts, same text. */
static void
check_spooled(const uint8_t *data, size_t size, int rc, const disqus_export *x)
{
    spool *sp;
    pl_error err;
    if (spool_open("/tmp", &sp, &err) < 0)
        abort();
    arena *b = arena_new();
    disqus_export y;
    if ((disqus_parse_memory((const char *)data, size, b, sp, NULL, NULL, &y, &err) == 0) !=
        (rc == 0))
        abort();
    if (rc == 0) {
        if (y.n_posts != x->n_posts)
            abort();
        for (size_t i = 0; i < y.n_posts; i++) {
            const char *md;
            if (y.posts[i].markdown != NULL || disqus_body(&y, &y.posts[i], b, &md, &err) < 0 ||
                strcmp(md, x->posts[i].markdown) != 0 || y.posts[i].body_len != strlen(md))
                abort();
        }
    }
    spool_close(sp);
    arena_free(b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arena *a = arena_new();
    disqus_export x;
    pl_error err;
    int rc = disqus_parse_memory((const char *)data, size, a, NULL, NULL, NULL, &x, &err);
    check_spooled(data, size, rc, &x);
    if (rc == 0) {
        for (size_t i = 0; i < x.n_threads; i++) {
            check_str(x.threads[i].dsq_id);
            check_str(x.threads[i].id);
            check_str(x.threads[i].title);
            check_str(x.threads[i].link);
        }
        for (size_t i = 0; i < x.n_posts; i++) {
            const disqus_post *p = &x.posts[i];
            if (p->thread >= x.n_threads || p->parent < -1 || p->parent >= (long)x.n_posts ||
                p->parent == (long)i || (p->parent >= 0 && x.posts[p->parent].thread != p->thread))
                abort();
            check_str(p->author.name);
            check_str(p->author.email);
            check_str(p->author.username);
            check_markdown(a, p->markdown);
        }
    } else if (strncmp(err.msg, "line ", 5) != 0) {
        abort(); /* every parse error names its line */
    }
    if (size < (1u << 20))
        check_markdown(a, htmlmd_convert(a, (const char *)data, size));
    arena_free(a);
    return 0;
}
