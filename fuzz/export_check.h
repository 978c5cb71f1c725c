/* fuzz/export_check.h: the promises every import reader makes about the
 * export it fills (import/disqus.h), checked by the fuzz targets of the
 * readers built on import/builder.h. Aborts on a broken one.
 *
 * A read that failed leaves the export empty and says why. A read that
 * succeeded gives: threads with a valid article id and valid UTF-8 fields;
 * comments naming a thread that exists and a parent that is -1 or another
 * comment of the same thread (never itself); every string valid UTF-8; a
 * deleted comment without text; each text (read back from the spool when
 * there is one) of the length recorded, and safe once rendered: no script
 * or image, no link to anything but http(s) or mailto.
 */
#ifndef PARLEY_FUZZ_EXPORT_CHECK_H
#define PARLEY_FUZZ_EXPORT_CHECK_H
#include "import/disqus.h"
#include "render/markdown.h"
#include "util/text.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void
export_check_str(const char *s)
{
    if (s == NULL || !utf8_valid(s, strlen(s)))
        abort();
}

static void
export_check(int rc, const pl_error *err, const disqus_export *x, arena *a)
{
    if (rc < 0) {
        if (err->msg[0] == '\0' || x->n_posts != 0 || x->n_threads != 0)
            abort();
        return;
    }
    for (size_t i = 0; i < x->n_threads; i++) {
        const disqus_thread *t = &x->threads[i];
        if (!article_id_valid(t->id))
            abort();
        export_check_str(t->title);
        export_check_str(t->link);
        export_check_str(t->dsq_id);
    }
    for (size_t i = 0; i < x->n_posts; i++) {
        const disqus_post *p = &x->posts[i];
        if (p->thread >= x->n_threads)
            abort();
        if (p->parent != -1 && (p->parent < 0 || (size_t)p->parent >= x->n_posts ||
                                (size_t)p->parent == i || x->posts[p->parent].thread != p->thread))
            abort();
        export_check_str(p->dsq_id);
        export_check_str(p->author.name);
        export_check_str(p->author.email);
        export_check_str(p->author.username);
        const char *md;
        pl_error e;
        if (disqus_body(x, p, a, &md, &e) < 0 || strlen(md) != p->body_len)
            abort();
        export_check_str(md);
        if (p->deleted && p->body_len != 0)
            abort();
        const char *html = md_render_html(a, md, strlen(md));
        if (strstr(html, "<script") != NULL || strstr(html, "<img") != NULL)
            abort();
        for (const char *h = html; (h = strstr(h, "<a href=\"")) != NULL; h += 9)
            if (strncasecmp(h + 9, "http:", 5) != 0 && strncasecmp(h + 9, "https:", 6) != 0 &&
                strncasecmp(h + 9, "mailto:", 7) != 0)
                abort();
    }
}

#endif
