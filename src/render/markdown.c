/* render/markdown.c: cmark parses, this file writes the HTML.
 *
 * cmark's own HTML renderer is not used: with CMARK_OPT_UNSAFE off it still
 * emits every element it knows, and its idea of a safe URL (anything but
 * javascript:, vbscript:, file: and most data:) is a deny-list. Walking the
 * tree ourselves turns that into an allow-list: an element we do not name
 * below is never written as markup. The walk uses cmark's iterator, so deep
 * nesting costs no C stack.
 */
#include "render/markdown.h"
#include "util/xalloc.h"

#include <cmark.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Link URLs and titles may be repeated through reference definitions
 * ("[a]: http://long..." then "[a][a][a]..."), which would make the output
 * grow with the square of the input. The opening <a> tags of a document may
 * take LINK_PER_BYTE bytes per input byte plus LINK_SLACK; links past that
 * keep only their text. A link written out once costs at most about 6 bytes
 * per byte of its source (percent-encoding, &quot; in titles, the fixed
 * attributes), so only repeated references ever reach the limit. */
#define LINK_PER_BYTE 8
#define LINK_SLACK 4096

/* Block quotes and lists nest at most this deep in the output; deeper ones
 * keep their content without their own indentation, so no comment can push
 * the publisher's page wider (512 nested quotes once made it 7,890 px). */
#define NEST_MAX 6

typedef struct buf {
    char *p;
    size_t n, cap;
} buf;

typedef struct render {
    buf out;
    bool page;          /* headings and thematic breaks allowed */
    size_t link_budget; /* bytes of <a ...> tags still allowed */
    int plain;          /* > 0 inside an image: text only, no markup */
    int nest;           /* block quotes and lists open around the current node */
} render;

/* Marks a link node whose <a> was written, so its exit writes </a>. The
 * pointer is only compared, never dereferenced. */
static const char link_open_mark = 1;

static void
buf_grow(buf *b, size_t more)
{
    if (b->cap - b->n >= more)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap - b->n < more) {
        if (cap > SIZE_MAX / 2)
            abort();
        cap *= 2;
    }
    b->p = xrealloc(b->p, cap);
    b->cap = cap;
}

static void
put(buf *b, const char *s, size_t n)
{
    if (n == 0)
        return; /* b->p may still be NULL, and memcpy wants valid pointers */
    buf_grow(b, n);
    memcpy(b->p + b->n, s, n);
    b->n += n;
}

static void
puts_(buf *b, const char *s)
{
    put(b, s, strlen(s));
}

/* Starts a new line unless the output is empty or already at one, so block
 * tags begin lines without doubling blank lines. */
static void
cr(buf *b)
{
    if (b->n > 0 && b->p[b->n - 1] != '\n')
        put(b, "\n", 1);
}

/* Escapes the five characters that matter in HTML text and quoted attribute
 * values, copying runs of other bytes at once. */
static void
put_escaped(buf *b, const char *s, size_t n)
{
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        const char *rep;
        switch (s[i]) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\'':
            rep = "&#39;";
            break;
        default:
            continue;
        }
        put(b, s + start, i - start);
        puts_(b, rep);
        start = i + 1;
    }
    put(b, s + start, n - start);
}

static void
put_escaped_str(buf *b, const char *s)
{
    if (s != NULL)
        put_escaped(b, s, strlen(s));
}

/* Writes a URL for an href: bytes outside the URL-safe ASCII set are
 * percent-encoded (spaces, quotes, angle brackets, non-ASCII), and & and '
 * are HTML-escaped, so the value can neither leave its attribute nor carry
 * markup. Existing %XX sequences are kept as they are. */
static void
put_href(buf *b, const char *url)
{
    static const char hex[] = "0123456789ABCDEF";
    if (url == NULL)
        return;
    for (const unsigned char *p = (const unsigned char *)url; *p; p++) {
        unsigned char c = *p;
        if (c == '&') {
            puts_(b, "&amp;");
        } else if (c == '\'') {
            puts_(b, "&#39;");
        } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                   strchr("-_.~!*();:@=+$,/?#[]%", c) != NULL) {
            put(b, (const char *)p, 1);
        } else {
            char enc[3] = {'%', hex[c >> 4], hex[c & 15]};
            put(b, enc, 3);
        }
    }
}

/* True for the URLs a link may point to: http:, https: and mailto:, in any
 * case, after leading spaces. cmark has already decoded entities and
 * backslash escapes, so "java&#x09;script:" arrives here as a tab inside the
 * scheme; any control character anywhere rejects the URL, since browsers
 * drop tabs and newlines from URLs before looking at the scheme. Relative
 * URLs are rejected too: a comment has no base it could be relative to. The
 * publisher's pages (page) may also link within the site: a path from the
 * root ("/faq", never "//host", which names another host) or a fragment. */
static bool
url_allowed(const char *url, bool page)
{
    if (url == NULL)
        return false;
    for (const unsigned char *p = (const unsigned char *)url; *p; p++)
        if (*p < 0x20 || *p == 0x7F)
            return false;
    while (*url == ' ')
        url++;
    if (page && ((url[0] == '/' && url[1] != '/' && url[1] != '\\') || url[0] == '#'))
        return true;
    const char *colon = strchr(url, ':');
    if (colon == NULL)
        return false;
    size_t n = (size_t)(colon - url);
    static const char *const schemes[] = {"http", "https", "mailto"};
    for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++)
        if (strlen(schemes[i]) == n && strncasecmp(url, schemes[i], n) == 0)
            return true;
    return false;
}

/* Tight lists write their paragraphs without <p>, as CommonMark's own
 * renderer does. */
static bool
in_tight_list(cmark_node *paragraph)
{
    cmark_node *item = cmark_node_parent(paragraph);
    if (item == NULL || cmark_node_get_type(item) != CMARK_NODE_ITEM)
        return false;
    cmark_node *list = cmark_node_parent(item);
    return list != NULL && cmark_node_get_list_tight(list);
}

/* Writes a block's literal text (raw HTML) escaped inside a paragraph,
 * without the trailing newline cmark keeps. */
static void
put_literal_block(render *r, cmark_node *node)
{
    const char *lit = cmark_node_get_literal(node);
    size_t n = lit ? strlen(lit) : 0;
    while (n > 0 && lit[n - 1] == '\n')
        n--;
    cr(&r->out);
    puts_(&r->out, "<p>");
    put_escaped(&r->out, lit ? lit : "", n);
    puts_(&r->out, "</p>\n");
}

static void
enter_link(render *r, cmark_node *node)
{
    const char *url = cmark_node_get_url(node);
    const char *title = cmark_node_get_title(node);
    if (r->plain > 0 || !url_allowed(url, r->page))
        return;
    /* The tag is never shorter than its URL and title; this check spares
     * writing them only to take them back. */
    if (strlen(url) + (title ? strlen(title) : 0) > r->link_budget)
        return;
    size_t start = r->out.n;
    puts_(&r->out, "<a href=\"");
    put_href(&r->out, url);
    puts_(&r->out, "\"");
    if (title != NULL && *title != '\0') {
        puts_(&r->out, " title=\"");
        put_escaped_str(&r->out, title);
        puts_(&r->out, "\"");
    }
    puts_(&r->out, " rel=\"nofollow ugc noopener\">");
    /* Counting what was written, escapes included, keeps the bound exact.
     * Over budget, the tag is taken back, this link and every later one stay
     * text (an empty budget makes the check above refuse them before any
     * writing, so a long repeated reference is not written again and again). */
    size_t cost = r->out.n - start;
    if (cost > r->link_budget) {
        r->out.n = start;
        r->link_budget = 0;
        return;
    }
    r->link_budget -= cost;
    cmark_node_set_user_data(node, (void *)&link_open_mark);
}

static void
heading_tag(render *r, cmark_node *node, bool entering)
{
    if (entering)
        cr(&r->out);
    if (!r->page) {
        puts_(&r->out, entering ? "<p>" : "</p>\n");
        return;
    }
    int level = cmark_node_get_heading_level(node);
    level = level < 2 ? 2 : level > 4 ? 4 : level;
    char tag[16];
    int len = snprintf(tag, sizeof tag, entering ? "<h%d>" : "</h%d>\n", level);
    put(&r->out, tag, (size_t)len);
}

static void
list_tag(buf *b, cmark_node *node, bool entering)
{
    bool ordered = cmark_node_get_list_type(node) == CMARK_ORDERED_LIST;
    cr(b);
    if (!entering) {
        puts_(b, ordered ? "</ol>\n" : "</ul>\n");
    } else if (!ordered) {
        puts_(b, "<ul>\n");
    } else {
        /* cmark keeps the start as an int of at most nine digits. */
        int start = cmark_node_get_list_start(node);
        if (start != 1) {
            char tmp[40];
            int len = snprintf(tmp, sizeof tmp, "<ol start=\"%d\">\n", start);
            put(b, tmp, (size_t)len);
        } else {
            puts_(b, "<ol>\n");
        }
    }
}

static void
render_node(render *r, cmark_node *node, cmark_event_type ev)
{
    bool entering = ev == CMARK_EVENT_ENTER;
    buf *b = &r->out;
    cmark_node_type type = cmark_node_get_type(node);

    /* Inside an image only the alt text is written: literals, escaped. */
    if (r->plain > 0 && type != CMARK_NODE_IMAGE) {
        if (type == CMARK_NODE_TEXT || type == CMARK_NODE_CODE || type == CMARK_NODE_HTML_INLINE)
            put_escaped_str(b, cmark_node_get_literal(node));
        else if (type == CMARK_NODE_SOFTBREAK || type == CMARK_NODE_LINEBREAK)
            puts_(b, " ");
        return;
    }

    switch (type) {
    case CMARK_NODE_DOCUMENT:
        break;
    case CMARK_NODE_PARAGRAPH:
        /* (In a list too deep to be written, paragraphs keep their <p>.) */
        if (in_tight_list(node) && r->nest <= NEST_MAX)
            break;
        if (entering)
            cr(b);
        puts_(b, entering ? "<p>" : "</p>\n");
        break;
    case CMARK_NODE_BLOCK_QUOTE:
    case CMARK_NODE_LIST: {
        /* Counted on the way in and out alike, so a container too deep
         * writes neither its opening nor its closing tag. */
        if (entering)
            r->nest++;
        bool too_deep = r->nest > NEST_MAX;
        if (!entering)
            r->nest--;
        if (too_deep)
            cr(b);
        else if (type == CMARK_NODE_LIST)
            list_tag(b, node, entering);
        else {
            cr(b);
            puts_(b, entering ? "<blockquote>\n" : "</blockquote>\n");
        }
        break;
    }
    case CMARK_NODE_ITEM:
        if (r->nest > NEST_MAX) {
            /* An item of a list too deep: its paragraphs stand alone. */
            cr(b);
            break;
        }
        if (entering)
            cr(b);
        puts_(b, entering ? "<li>" : "</li>\n");
        break;
    case CMARK_NODE_CODE_BLOCK:
        cr(b);
        puts_(b, "<pre><code>");
        put_escaped_str(b, cmark_node_get_literal(node));
        puts_(b, "</code></pre>\n");
        break;
    case CMARK_NODE_HTML_BLOCK:
        put_literal_block(r, node);
        break;
    case CMARK_NODE_HEADING:
        heading_tag(r, node, entering);
        break;
    case CMARK_NODE_THEMATIC_BREAK:
        if (r->page) {
            cr(b);
            puts_(b, "<hr>\n");
        }
        break;
    case CMARK_NODE_TEXT:
    case CMARK_NODE_HTML_INLINE:
        put_escaped_str(b, cmark_node_get_literal(node));
        break;
    case CMARK_NODE_CODE:
        puts_(b, "<code>");
        put_escaped_str(b, cmark_node_get_literal(node));
        puts_(b, "</code>");
        break;
    case CMARK_NODE_SOFTBREAK:
        puts_(b, "\n");
        break;
    case CMARK_NODE_LINEBREAK:
        puts_(b, "<br>\n");
        break;
    case CMARK_NODE_EMPH:
        puts_(b, entering ? "<em>" : "</em>");
        break;
    case CMARK_NODE_STRONG:
        puts_(b, entering ? "<strong>" : "</strong>");
        break;
    case CMARK_NODE_LINK:
        if (entering)
            enter_link(r, node);
        else if (cmark_node_get_user_data(node) == &link_open_mark)
            puts_(b, "</a>");
        break;
    case CMARK_NODE_IMAGE:
        r->plain += entering ? 1 : -1;
        break;
    default:
        /* Custom blocks and inlines (never produced by the parser) and any
         * type a later cmark adds: their children are rendered, the node
         * itself writes nothing. */
        break;
    }
}

static char *
render_markdown(arena *a, const char *md, size_t n, bool page)
{
    cmark_node *doc =
        cmark_parse_document(md ? md : "", md ? n : 0, CMARK_OPT_DEFAULT | CMARK_OPT_VALIDATE_UTF8);
    if (doc == NULL)
        abort(); /* cmark returns NULL only when its allocator failed */
    render r = {.page = page, .link_budget = LINK_SLACK};
    r.link_budget +=
        n > (SIZE_MAX - LINK_SLACK) / LINK_PER_BYTE ? SIZE_MAX - LINK_SLACK : n * LINK_PER_BYTE;
    cmark_iter *it = cmark_iter_new(doc);
    cmark_event_type ev;
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE)
        render_node(&r, cmark_iter_get_node(it), ev);
    cmark_iter_free(it);
    cmark_node_free(doc);

    char *html = arena_strndup(a, r.out.p ? r.out.p : "", r.out.n);
    free(r.out.p);
    return html;
}

char *
md_render_html(arena *a, const char *md, size_t n)
{
    return render_markdown(a, md, n, false);
}

char *
md_render_page_html(arena *a, const char *md, size_t n)
{
    return render_markdown(a, md, n, true);
}
