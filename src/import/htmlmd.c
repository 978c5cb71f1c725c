/* import/htmlmd.c: comment HTML to Markdown (see htmlmd.h).
 *
 * The tree from libxml2's HTML parser is walked without recursion: enter()
 * on the way down, leave() on the way back up, following parent pointers.
 * Output goes through one writer that holds back line breaks and spaces
 * until the next visible character, so empty paragraphs, trailing spaces
 * and breaks at the very start or end never reach the Markdown, and the
 * blockquote prefix is written exactly where a line begins.
 */
#include "import/htmlmd.h"
#include "util/xalloc.h"

#define PARLEY_XML_THROUGH_TABLE
#include "import/xml_dl.h"
#include <limits.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#define MAX_QUOTE 8   /* deeper blockquotes are written at this depth */
#define MAX_FRAMES 32 /* open emphasis markers; deeper ones become plain text */
#define MAX_URL 2000  /* longer link targets keep their text only */

typedef struct frame {
    const xmlNode *node;
    size_t pos; /* output length right after the opening marker */
    const char *mark;
} frame;

typedef struct writer {
    char *buf;
    size_t len, cap;
    bool started;      /* something visible was written */
    int pending;       /* 0, 1 (line break) or 2 (paragraph break) before the next text */
    bool space;        /* a space before the next text */
    int quote;         /* blockquote depth now */
    int quote_written; /* blockquote depth of the last line written */
    size_t line_start; /* where the current line's text begins, after its prefix */
    frame frames[MAX_FRAMES];
    int n_frames;
    const xmlNode *link; /* the open link, if any */
    size_t link_pos;
    char *href;
} writer;

static void
put(writer *w, const char *s, size_t n)
{
    if (w->len + n + 1 > w->cap) {
        size_t cap = w->cap ? w->cap : 256;
        while (cap < w->len + n + 1)
            cap *= 2;
        w->buf = xrealloc(w->buf, cap);
        w->cap = cap;
    }
    memcpy(w->buf + w->len, s, n);
    w->len += n;
}

static void
puts_w(writer *w, const char *s)
{
    put(w, s, strlen(s));
}

static void
prefix(writer *w, int depth)
{
    for (int i = 0; i < depth; i++)
        puts_w(w, "> ");
}

/* Writes what was held back (breaks, the quote prefix, a space) before
 * visible output. */
static void
flush(writer *w)
{
    int depth = w->quote > MAX_QUOTE ? MAX_QUOTE : w->quote;
    if (!w->started) {
        prefix(w, depth);
        w->started = true;
        w->line_start = w->len;
    } else if (w->pending == 2) {
        /* The blank line belongs to the shallower of the two quotes, so a
         * quote ends (or begins) exactly here. */
        int blank = depth < w->quote_written ? depth : w->quote_written;
        puts_w(w, "\n");
        for (int i = 0; i < blank; i++)
            puts_w(w, i + 1 < blank ? "> " : ">");
        puts_w(w, "\n");
        prefix(w, depth);
        w->line_start = w->len;
    } else if (w->pending == 1) {
        puts_w(w, "\\\n"); /* a hard line break */
        prefix(w, depth);
        w->line_start = w->len;
    } else if (w->space && w->len > w->line_start) {
        puts_w(w, " ");
    }
    w->pending = 0;
    w->space = false;
    w->quote_written = depth;
}

static void
want_break(writer *w, int kind, bool is_br)
{
    if (!w->started)
        return;
    if (is_br && kind == 1 && w->pending == 1)
        kind = 2; /* <br><br> separates paragraphs */
    if (kind > w->pending)
        w->pending = kind;
}

/* True when the line so far is only digits, so a following '.' or ')'
 * would start an ordered list item. */
static bool
line_is_digits(const writer *w)
{
    if (w->len == w->line_start)
        return false;
    for (size_t i = w->line_start; i < w->len; i++)
        if (w->buf[i] < '0' || w->buf[i] > '9')
            return false;
    return true;
}

static void
text(writer *w, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
            w->space = true;
            continue;
        }
        if (w->pending || w->space || !w->started)
            flush(w);
        bool esc = strchr("\\`*_[]<>#&~|", c) != NULL;
        if (w->len == w->line_start && strchr("-+=", c) != NULL)
            esc = true; /* a list item, or a heading underline */
        if ((c == '.' || c == ')') && line_is_digits(w))
            esc = true; /* "1." would start an ordered list */
        if (esc)
            put(w, "\\", 1);
        put(w, &c, 1);
    }
}

static bool
name_is(const xmlNode *n, const char *const *names)
{
    for (; *names; names++)
        if (xmlStrcasecmp(n->name, (const xmlChar *)*names) == 0)
            return true;
    return false;
}

static const char *const para_tags[] = {
    "p",      "div",     "h1",    "h2",      "h3",      "h4",      "h5",      "h6",    "ul",
    "ol",     "dl",      "table", "section", "article", "header",  "footer",  "aside", "nav",
    "figure", "address", "hr",    "center",  "main",    "details", "summary", NULL};
static const char *const line_tags[] = {"li", "tr", "dt", "dd", "caption", "figcaption", NULL};
static const char *const skip_tags[] = {"script", "style",  "template", "head", "title", "noscript",
                                        "iframe", "object", "svg",      "math", NULL};
static const char *const code_tags[] = {"code", "pre", "tt", "kbd", "samp", NULL};
static const char *const strong_tags[] = {"strong", "b", NULL};
static const char *const em_tags[] = {"em", "i", NULL};

/* Inline code: the subtree's text on one line, in a fence of backticks one
 * longer than the longest run inside. */
static void
code(writer *w, const xmlNode *n)
{
    xmlChar *content = xmlNodeGetContent(n);
    if (content == NULL)
        return;
    const char *s = (const char *)content;
    size_t len = strlen(s), out = 0, run = 0, longest = 0;
    char *line = xmalloc(len + 1);
    bool space = false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
            space = out > 0;
            continue;
        }
        if (space)
            line[out++] = ' ';
        space = false;
        line[out++] = c;
        run = c == '`' ? run + 1 : 0;
        if (run > longest)
            longest = run;
    }
    if (out > 0) {
        flush(w);
        for (size_t i = 0; i <= longest; i++)
            put(w, "`", 1);
        bool pad = line[0] == '`' || line[out - 1] == '`';
        if (pad)
            put(w, " ", 1);
        put(w, line, out);
        if (pad)
            put(w, " ", 1);
        for (size_t i = 0; i <= longest; i++)
            put(w, "`", 1);
    }
    free(line);
    xmlFree(content);
}

/* Only absolute http(s) links survive; the renderer would drop the others
 * anyway, and their text is what the reader saw. */
static char *
link_target(const xmlNode *n)
{
    xmlChar *href = xmlGetProp(n, (const xmlChar *)"href");
    if (href == NULL)
        return NULL;
    const char *h = (const char *)href;
    while (*h == ' ' || *h == '\t' || *h == '\n' || *h == '\r' || *h == '\f')
        h++;
    size_t len = strlen(h);
    while (len > 0 && (h[len - 1] == ' ' || h[len - 1] == '\t' || h[len - 1] == '\n' ||
                       h[len - 1] == '\r' || h[len - 1] == '\f'))
        len--;
    char *out = NULL;
    if ((strncasecmp(h, "http://", 7) == 0 && len > 7) ||
        (strncasecmp(h, "https://", 8) == 0 && len > 8)) {
        if (len <= MAX_URL)
            out = xstrndup(h, len);
    }
    xmlFree(href);
    return out;
}

/* The link destination, percent-encoding what would end or confuse it. */
static void
put_url(writer *w, const char *u)
{
    static const char hex[] = "0123456789ABCDEF";
    for (; *u; u++) {
        unsigned char c = (unsigned char)*u;
        if (c <= 0x20 || c == 0x7f || c == '(' || c == ')' || c == '<' || c == '>' || c == '\\' ||
            c == '"' || c == '`') {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            put(w, e, 3);
        } else {
            put(w, (const char *)&c, 1);
        }
    }
}

/* Returns whether to walk into n's children. */
static bool
enter(writer *w, const xmlNode *n)
{
    if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
        if (n->content != NULL)
            text(w, (const char *)n->content, strlen((const char *)n->content));
        return false;
    }
    if (n->type != XML_ELEMENT_NODE)
        return false;
    if (name_is(n, skip_tags))
        return false;
    if (name_is(n, code_tags)) {
        code(w, n);
        return false;
    }
    if (xmlStrcasecmp(n->name, (const xmlChar *)"br") == 0) {
        want_break(w, 1, true);
        return false;
    }
    if (xmlStrcasecmp(n->name, (const xmlChar *)"blockquote") == 0) {
        want_break(w, 2, false);
        w->quote++;
    } else if (name_is(n, para_tags)) {
        want_break(w, 2, false);
    } else if (name_is(n, line_tags)) {
        want_break(w, 1, false);
    } else if (xmlStrcasecmp(n->name, (const xmlChar *)"a") == 0 && w->link == NULL) {
        char *href = link_target(n);
        if (href != NULL) {
            flush(w);
            put(w, "[", 1);
            w->link = n;
            w->link_pos = w->len;
            w->href = href;
        }
    } else if ((name_is(n, strong_tags) || name_is(n, em_tags)) && w->n_frames < MAX_FRAMES) {
        flush(w);
        frame *f = &w->frames[w->n_frames++];
        f->node = n;
        f->mark = name_is(n, strong_tags) ? "**" : "*";
        puts_w(w, f->mark);
        f->pos = w->len;
    }
    return true;
}

static void
leave(writer *w, const xmlNode *n)
{
    if (n->type != XML_ELEMENT_NODE)
        return;
    if (xmlStrcasecmp(n->name, (const xmlChar *)"blockquote") == 0) {
        want_break(w, 2, false);
        w->quote--;
    } else if (name_is(n, para_tags)) {
        want_break(w, 2, false);
    } else if (name_is(n, line_tags)) {
        want_break(w, 1, false);
    } else if (n == w->link) {
        if (w->len == w->link_pos)
            text(w, w->href, strlen(w->href)); /* a link without text shows its address */
        puts_w(w, "](");
        put_url(w, w->href);
        puts_w(w, ")");
        free(w->href);
        w->href = NULL;
        w->link = NULL;
    } else if (w->n_frames > 0 && w->frames[w->n_frames - 1].node == n) {
        frame *f = &w->frames[--w->n_frames];
        if (w->len == f->pos)
            w->len -= strlen(f->mark); /* nothing inside: no marker at all */
        else
            puts_w(w, f->mark);
    }
}

/* Length of the well-formed UTF-8 sequence at s (at most n bytes), or 0. */
static size_t
utf8_seq(const unsigned char *s, size_t n)
{
    if (s[0] < 0x80)
        return 1;
    size_t len = s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC2 ? 2 : 0;
    if (len == 0 || s[0] > 0xF4 || len > n)
        return 0;
    for (size_t i = 1; i < len; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    if ((s[0] == 0xE0 && s[1] < 0xA0) || (s[0] == 0xED && s[1] >= 0xA0) ||
        (s[0] == 0xF0 && s[1] < 0x90) || (s[0] == 0xF4 && s[1] >= 0x90))
        return 0; /* overlong, surrogate, or above U+10FFFF */
    return len;
}

/* libxml2's HTML parser passes some invalid bytes through unchanged, so
 * they are replaced by U+FFFD before parsing. NULL when s is valid. */
static char *
scrub_utf8(const char *s, size_t n, size_t *out_n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        size_t l = utf8_seq(u + i, n - i);
        if (l == 0 || u[i] == 0)
            break;
        i += l;
    }
    if (i == n)
        return NULL;
    char *out = xmalloc(n * 3 + 1);
    size_t o = 0;
    for (i = 0; i < n;) {
        size_t l = u[i] == 0 ? 0 : utf8_seq(u + i, n - i);
        if (l == 0) {
            memcpy(out + o, "\xEF\xBF\xBD", 3);
            o += 3;
            i++;
        } else {
            memcpy(out + o, s + i, l);
            o += l;
            i += l;
        }
    }
    *out_n = o;
    return out;
}

/* ---- tags written anew --------------------------------------------------- */

static bool
tag_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ':' ||
           c == '_' || c == '.' || c == '-';
}

static bool
blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static bool
letter(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static void
put_escaped(char *out, size_t *o, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"') {
            memcpy(out + *o, "&quot;", 6);
            *o += 6;
        } else if (s[i] == '<') {
            memcpy(out + *o, "&lt;", 4);
            *o += 4;
        } else {
            out[(*o)++] = s[i];
        }
    }
}

/* Reads one tag starting at s[i] == '<' (a start or end tag: the caller
 * checked the letter) and writes it anew; returns the index after it. */
static size_t
retag(const char *s, size_t n, size_t i, char *out, size_t *o)
{
    bool end = s[i + 1] == '/';
    size_t j = i + 1 + (end ? 1 : 0), name = j;
    while (j < n && tag_char(s[j]))
        j++;
    size_t name_n = j - name < 32 ? j - name : 32;
    bool is_a = name_n == 1 && (s[name] | 0x20) == 'a';
    const char *href = NULL;
    size_t href_n = 0;
    while (j < n && s[j] != '>') {
        if (blank(s[j]) || s[j] == '/') {
            j++;
            continue;
        }
        size_t an = j;
        do
            j++;
        while (j < n && !blank(s[j]) && s[j] != '=' && s[j] != '>' && s[j] != '/');
        size_t an_n = j - an;
        while (j < n && blank(s[j]))
            j++;
        if (j >= n || s[j] != '=')
            continue;
        j++;
        while (j < n && blank(s[j]))
            j++;
        size_t v = j;
        if (j < n && (s[j] == '"' || s[j] == '\'')) {
            char q = s[j++];
            v = j;
            while (j < n && s[j] != q)
                j++;
        } else {
            while (j < n && !blank(s[j]) && s[j] != '>')
                j++;
        }
        if (is_a && !end && href == NULL && an_n == 4 && strncasecmp(s + an, "href", 4) == 0) {
            href = s + v;
            href_n = j - v;
        }
        if (j < n && (s[j] == '"' || s[j] == '\''))
            j++;
    }
    out[(*o)++] = '<';
    if (end)
        out[(*o)++] = '/';
    memcpy(out + *o, s + name, name_n);
    *o += name_n;
    if (href != NULL) {
        memcpy(out + *o, " href=\"", 7);
        *o += 7;
        put_escaped(out, o, href, href_n);
        out[(*o)++] = '"';
    }
    out[(*o)++] = '>';
    return j < n ? j + 1 : n;
}

/* libxml2's HTML parser compares each attribute of an element with every
 * one before it, so an element with 100,000 of them takes minutes. The
 * message is therefore written anew before it is parsed: each start or end
 * tag as <name> or </name>, keeping only an a element's href (the one
 * attribute the conversion reads); comments, declarations and processing
 * instructions dropped; any other '<' written as &lt;. Whatever libxml2
 * would have made of the original, what it reads now has at most one
 * attribute per element. Linear; a malloc'd buffer of *out_n bytes. */
static char *
tame_tags(const char *s, size_t n, size_t *out_n)
{
    char *out = xmalloc(n * 6 + 64);
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        if (s[i] != '<') {
            out[o++] = s[i++];
        } else if (i + 1 < n &&
                   (letter(s[i + 1]) || (s[i + 1] == '/' && i + 2 < n && letter(s[i + 2])))) {
            i = retag(s, n, i, out, &o);
        } else if (i + 3 < n && memcmp(s + i, "<!--", 4) == 0) {
            const char *e = NULL;
            for (size_t k = i + 4; k + 2 < n && e == NULL; k++)
                if (s[k] == '-' && s[k + 1] == '-' && s[k + 2] == '>')
                    e = s + k + 3;
            i = e != NULL ? (size_t)(e - s) : n;
        } else if (i + 1 < n && (s[i + 1] == '!' || s[i + 1] == '?')) {
            const char *e = memchr(s + i, '>', n - i);
            i = e != NULL ? (size_t)(e - s) + 1 : n;
        } else {
            memcpy(out + o, "&lt;", 4);
            o += 4;
            i++;
        }
    }
    *out_n = o;
    return out;
}

char *
htmlmd_convert(arena *a, const char *html, size_t n)
{
    /* Without libxml2 (the importer has said so already) nothing converts. */
    if (n == 0 || n > INT_MAX / 3 || xml_load(NULL) < 0)
        return arena_strdup(a, "");
    size_t clean_n = 0;
    char *clean = scrub_utf8(html, n, &clean_n);
    if (clean != NULL) {
        html = clean;
        n = clean_n;
    }
    size_t tame_n;
    char *tame = tame_tags(html, n, &tame_n);
    free(clean);
    htmlDocPtr doc =
        tame_n > INT_MAX
            ? NULL
            : htmlReadMemory(tame, (int)tame_n, NULL, "UTF-8",
                             HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                                 HTML_PARSE_NODEFDTD | HTML_PARSE_RECOVER);
    free(tame);
    if (doc == NULL)
        return arena_strdup(a, "");
    writer w = {0};
    xmlNode *cur = doc->children;
    while (cur != NULL) {
        if (enter(&w, cur)) {
            if (cur->children != NULL) {
                cur = cur->children;
                continue;
            }
            leave(&w, cur);
        }
        while (cur != NULL && cur->next == NULL) {
            cur = cur->parent;
            if (cur == NULL || cur == (xmlNode *)doc)
                cur = NULL;
            else
                leave(&w, cur);
        }
        if (cur != NULL)
            cur = cur->next;
    }
    xmlFreeDoc(doc);
    free(w.href); /* a link left open by a malformed tree */
    char *out = arena_strndup(a, w.buf ? w.buf : "", w.len);
    free(w.buf);
    return out;
}
