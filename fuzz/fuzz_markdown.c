/* fuzz/fuzz_markdown.c: both Markdown renderers on arbitrary bytes.
 *
 * Beyond memory errors it checks the renderer's promises: the output is
 * bounded by a fixed multiple of the input, and no script tag or
 * javascript: link ever appears as markup (the renderer escapes every '<'
 * it did not write itself, so a literal "<script" is a real failure).
 */
#include "fuzz.h"
#include "render/markdown.h"
#include "util/arena.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void
check_output(const char *html, size_t n, bool page)
{
    if (strlen(html) >= 40 * n + 8192)
        abort();
    if (strstr(html, "<script") != NULL || strstr(html, "<img") != NULL ||
        strstr(html, "href=\"javascript:") != NULL || strstr(html, "href=\"data:") != NULL)
        abort();
    /* Every link must start with an allowed scheme. */
    for (const char *p = html; (p = strstr(p, "<a href=\"")) != NULL; p += 9) {
        const char *u = p + 9;
        /* Pages may also link within the site, never to another host. */
        if (page && (u[0] == '#' || (u[0] == '/' && u[1] != '/' && u[1] != '\\')))
            continue;
        if (strncasecmp(u, "http:", 5) != 0 && strncasecmp(u, "https:", 6) != 0 &&
            strncasecmp(u, "mailto:", 7) != 0)
            abort();
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arena *a = arena_new();
    const char *md = (const char *)data;
    check_output(md_render_html(a, md, size), size, false);
    check_output(md_render_page_html(a, md, size), size, true);
    arena_free(a);
    return 0;
}
