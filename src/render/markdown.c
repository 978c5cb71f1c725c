/* render/markdown.c: placeholder until the cmark renderer lands: escapes the
 * text and wraps it in one paragraph, so nothing unsafe can pass. */
#include "render/markdown.h"

#include <string.h>

char *
md_render_html(arena *a, const char *md, size_t n)
{
    char *out = arena_alloc(a, n * 6 + 8);
    size_t o = 0;
    memcpy(out, "<p>", 3);
    o = 3;
    for (size_t i = 0; i < n; i++) {
        const char *rep = NULL;
        switch (md[i]) {
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '&': rep = "&amp;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        default: break;
        }
        if (rep) {
            memcpy(out + o, rep, strlen(rep));
            o += strlen(rep);
        } else {
            out[o++] = md[i];
        }
    }
    memcpy(out + o, "</p>", 5);
    return out;
}

char *
md_render_page_html(arena *a, const char *md, size_t n)
{
    return md_render_html(a, md, n);
}
