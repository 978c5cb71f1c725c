/* tests/unit/render/test_markdown.c: the Markdown renderer against golden
 * files and hostile input.
 *
 * Every tests/render/NAME.md is rendered and compared byte for byte with
 * tests/render/NAME.html; files named page_*.md go through
 * md_render_page_html, the rest through md_render_html. Run from the repo
 * root. With the argument --write the program instead rewrites every .html
 * from the renderer (`make golden`), so a change shows up as a diff to review.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "render/markdown.h"
#include "util/arena.h"
#include "util/file.h"
#include "util/xalloc.h"

#define GOLDEN_DIR "tests/render"

typedef struct golden_list {
    char **names; /* base names without .md */
    size_t n;
} golden_list;

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static golden_list
golden_list_load(void)
{
    golden_list g = {NULL, 0};
    DIR *d = opendir(GOLDEN_DIR);
    if (d == NULL)
        return g;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len <= 3 || strcmp(e->d_name + len - 3, ".md") != 0)
            continue;
        g.names = xrealloc(g.names, (g.n + 1) * sizeof *g.names);
        g.names[g.n++] = xstrndup(e->d_name, len - 3);
    }
    closedir(d);
    if (g.n > 1)
        qsort(g.names, g.n, sizeof *g.names, cmp_str);
    return g;
}

static void
golden_list_free(golden_list *g)
{
    for (size_t i = 0; i < g->n; i++)
        free(g->names[i]);
    free(g->names);
}

static char *
render_golden(arena *a, const char *name, const char *md, size_t n)
{
    if (strncmp(name, "page_", 5) == 0)
        return md_render_page_html(a, md, n);
    return md_render_html(a, md, n);
}

/* Parses every tag of the output and checks it against the allow-list:
 * known element names, and only href (with an allowed scheme), title and rel
 * on <a>, start (digits) on <ol>. The renderer writes '<' only to open a tag
 * and escapes quotes inside attribute values, so this reads every tag there
 * is. Text that merely mentions "onerror=" is fine; markup that carries it
 * is not. */
static bool
attr_ok(const char *tag, const char *name, size_t name_len, const char *val, size_t val_len,
        bool page)
{
    if (strcmp(tag, "a") == 0) {
        if (name_len == 4 && memcmp(name, "href", 4) == 0)
            return (page && val_len >= 1 && val[0] == '#') ||
                   (page && val_len >= 2 && val[0] == '/' && val[1] != '/' && val[1] != '\\') ||
                   (val_len >= 5 && strncasecmp(val, "http:", 5) == 0) ||
                   (val_len >= 6 && strncasecmp(val, "https:", 6) == 0) ||
                   (val_len >= 7 && strncasecmp(val, "mailto:", 7) == 0);
        if (name_len == 5 && memcmp(name, "title", 5) == 0)
            return true;
        return name_len == 3 && memcmp(name, "rel", 3) == 0 && val_len == 21 &&
               memcmp(val, "nofollow ugc noopener", 21) == 0;
    }
    if (strcmp(tag, "ol") == 0 && name_len == 5 && memcmp(name, "start", 5) == 0) {
        for (size_t i = 0; i < val_len; i++)
            if (val[i] < '0' || val[i] > '9')
                return false;
        return val_len > 0;
    }
    return false;
}

static void
assert_only_allowed_markup(const char *html, bool page)
{
    static const char *const names[] = {"p",          "em", "strong", "code", "pre",
                                        "blockquote", "ul", "ol",     "li",   "a",
                                        "br",         "h2", "h3",     "h4",   "hr"};
    for (const char *p = strchr(html, '<'); p != NULL; p = strchr(p, '<')) {
        p++;
        bool closing = *p == '/';
        if (closing)
            p++;
        size_t n = strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789");
        char tag[16] = "";
        if (n < sizeof tag)
            memcpy(tag, p, n);
        bool known = false;
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
            known = known || (n < sizeof tag && strcmp(tag, names[i]) == 0);
        if (!known)
            print_error("unexpected tag <%.20s\n", p - closing);
        assert_true(known);
        p += n;
        while (*p == ' ') {
            p++;
            size_t an = strcspn(p, "=> ");
            const char *attr = p;
            assert_true(p[an] == '=' && p[an + 1] == '"');
            const char *val = p + an + 2;
            const char *q = strchr(val, '"');
            assert_non_null(q);
            assert_null(memchr(val, '<', (size_t)(q - val)));
            assert_false(closing);
            if (!attr_ok(tag, attr, an, val, (size_t)(q - val), page))
                print_error("bad attribute in <%s %.40s\n", tag, attr);
            assert_true(attr_ok(tag, attr, an, val, (size_t)(q - val), page));
            p = q + 1;
        }
        assert_int_equal(*p, '>');
    }
    assert_null(strstr(html, "<script"));
    assert_null(strstr(html, "href=\"javascript:"));
}

static void
goldens_match(void **state)
{
    (void)state;
    golden_list g = golden_list_load();
    assert_true(g.n >= 25);
    arena *a = arena_new();
    int failures = 0;
    for (size_t i = 0; i < g.n; i++) {
        char path[512];
        size_t mdn, htmln;
        snprintf(path, sizeof path, GOLDEN_DIR "/%s.md", g.names[i]);
        char *md = file_read(path, SIZE_MAX, &mdn, NULL);
        assert_non_null(md);
        snprintf(path, sizeof path, GOLDEN_DIR "/%s.html", g.names[i]);
        char *want = file_read(path, SIZE_MAX, &htmln, NULL);
        if (want == NULL) {
            print_error("missing %s (run make golden)\n", path);
            failures++;
            free(md);
            continue;
        }
        char *got = render_golden(a, g.names[i], md, mdn);
        if (strlen(got) != htmln || memcmp(got, want, htmln) != 0) {
            print_error("%s differs:\n--- want\n%s--- got\n%s---\n", g.names[i], want, got);
            failures++;
        }
        assert_only_allowed_markup(got, strncmp(g.names[i], "page_", 5) == 0);
        free(md);
        free(want);
        arena_reset(a);
    }
    arena_free(a);
    golden_list_free(&g);
    assert_int_equal(failures, 0);
}

static void
check(const char *md, const char *want)
{
    arena *a = arena_new();
    assert_string_equal(md_render_html(a, md, strlen(md)), want);
    arena_free(a);
}

static void
check_page(const char *md, const char *want)
{
    arena *a = arena_new();
    assert_string_equal(md_render_page_html(a, md, strlen(md)), want);
    arena_free(a);
}

static void
allowed_elements(void **state)
{
    (void)state;
    check("*a* **b** `c`", "<p><em>a</em> <strong>b</strong> <code>c</code></p>\n");
    check("> q", "<blockquote>\n<p>q</p>\n</blockquote>\n");
    check("- a\n- b", "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n");
    check("2. a", "<ol start=\"2\">\n<li>a</li>\n</ol>\n");
    check("a  \nb", "<p>a<br>\nb</p>\n");
    check("[x](https://e.com)",
          "<p><a href=\"https://e.com\" rel=\"nofollow ugc noopener\">x</a></p>\n");
    check("[x](MAILTO:a@b.c)",
          "<p><a href=\"MAILTO:a@b.c\" rel=\"nofollow ugc noopener\">x</a></p>\n");
    check("```\n<b>\n```", "<pre><code>&lt;b&gt;\n</code></pre>\n");
    check("- a\n- b\n  - c", "<ul>\n<li>a</li>\n<li>b\n<ul>\n<li>c</li>\n</ul>\n</li>\n</ul>\n");
}

/* Every output of the targeted tests passes the same scan as the goldens. */
static void
markup_scan_catches_attacks(void **state)
{
    (void)state;
    static const char *const attacks[] = {
        "<img src=x onerror=alert(1)>",
        "<script>alert(1)</script>",
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](java&#x09;script:alert(1))",
        "[x](java\\\nscript:alert(1))",
        "[x](&#x6A;&#x61;vascript:alert(1))",
        "[x](vbscript:msgbox(1))",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
        "<javascript:alert(1)>",
        "![x](javascript:alert(1))",
        "[![x](https://e.com/i.png)](javascript:alert(1))",
        "<a href=\"javascript:alert(1)\">x</a>",
        "<svg onload=alert(1)>",
        "[x]: javascript:alert(1)\n\n[x]",
    };
    arena *a = arena_new();
    for (size_t i = 0; i < sizeof attacks / sizeof attacks[0]; i++) {
        const char *md = attacks[i];
        char *html = md_render_html(a, md, strlen(md));
        assert_only_allowed_markup(html, false);
        assert_null(strstr(html, "<a "));
        assert_null(strstr(html, "<svg"));
        html = md_render_page_html(a, md, strlen(md));
        assert_only_allowed_markup(html, true);
        assert_null(strstr(html, "<a "));
    }
    arena_free(a);
}

static void
dropped_elements(void **state)
{
    (void)state;
    check("# h", "<p>h</p>\n");
    check("a\n\n---\n\nb", "<p>a</p>\n<p>b</p>\n");
    check("![alt *x*](https://e.com/i.png)", "<p>alt x</p>\n");
    check("<b>x</b>", "<p>&lt;b&gt;x&lt;/b&gt;</p>\n");
    check("a <b>x</b>", "<p>a &lt;b&gt;x&lt;/b&gt;</p>\n");
    check("", "");
}

static void
unsafe_links_keep_text(void **state)
{
    (void)state;
    check("[x](javascript:alert(1))", "<p>x</p>\n");
    check("[x](JaVaScRiPt:alert(1))", "<p>x</p>\n");
    check("[x](java&#x09;script:alert(1))", "<p>x</p>\n");
    check("[x](&#x6A;avascript:alert(1))", "<p>x</p>\n");
    check("[x](data:text/html,hi)", "<p>x</p>\n");
    check("[x](/relative)", "<p>x</p>\n");
    check("[x](httpx://e.com)", "<p>x</p>\n");
    check("<javascript:alert(1)>", "<p>javascript:alert(1)</p>\n");
    check("[x](http:)", "<p><a href=\"http:\" rel=\"nofollow ugc noopener\">x</a></p>\n");
}

static void
attributes_cannot_break_out(void **state)
{
    (void)state;
    check("[x](<http://e.com/\"onclick=\"a'>)",
          "<p><a href=\"http://e.com/%22onclick=%22a&#39;\" rel=\"nofollow ugc noopener\">x</a>"
          "</p>\n");
    check("[x](http://e.com \"t\\\" onclick=\\\"a\")",
          "<p><a href=\"http://e.com\" title=\"t&quot; onclick=&quot;a\" "
          "rel=\"nofollow ugc noopener\">x</a></p>\n");
    check("<http://e.com/<x>", "<p>&lt;http://e.com/&lt;x&gt;</p>\n");
}

static void
page_mode(void **state)
{
    (void)state;
    check_page("# a\n## b\n### c\n#### d\n##### e",
               "<h2>a</h2>\n<h2>b</h2>\n<h3>c</h3>\n<h4>d</h4>\n<h4>e</h4>\n");
    check_page("a\n\n***\n\nb", "<p>a</p>\n<hr>\n<p>b</p>\n");
    check_page("<script>x</script>", "<p>&lt;script&gt;x&lt;/script&gt;</p>\n");
}

static void
invalid_utf8_is_replaced(void **state)
{
    (void)state;
    const char md[] = "a\xff"
                      "b\xc0\xaf"
                      "c";
    /* cmark replaces an invalid lead byte and its stray continuation with
     * one U+FFFD. */
    check(md, "<p>a\xef\xbf\xbd"
              "b\xef\xbf\xbd"
              "c</p>\n");
    arena *a = arena_new();
    const char nul[] = {'x', '\0', 'y'};
    assert_string_equal(md_render_html(a, nul, sizeof nul), "<p>x\xef\xbf\xbdy</p>\n");
    arena_free(a);
}

/* Renders and checks the result is bounded by a fixed multiple of the input
 * (a nested block quote writes 27 bytes of tags per byte of input). */
static char *
render_big(arena *a, const char *md, size_t n)
{
    char *html = md_render_html(a, md, n);
    assert_true(strlen(html) < 40 * n + 8192);
    return html;
}

static void
pathological_nested_quotes(void **state)
{
    (void)state;
    size_t n = 100000;
    char *md = xmalloc(n + 2);
    memset(md, '>', n);
    md[n] = 'x';
    md[n + 1] = '\0';
    arena *a = arena_new();
    char *html = render_big(a, md, n + 1);
    assert_non_null(strstr(html, "<blockquote>"));
    assert_non_null(strstr(html, "<p>x</p>"));
    arena_free(a);
    free(md);
}

static size_t count(const char *s, const char *needle);

/* However deep quotes and lists nest in the source, the HTML nests at most
 * six containers (they indent the publisher's page), and keeps the text. */
static void
nesting_is_capped(void **state)
{
    (void)state;
    char md[4096];
    size_t n = 0;
    for (int i = 0; i < 512; i++)
        n += (size_t)snprintf(md + n, sizeof md - n, "> ");
    n += (size_t)snprintf(md + n, sizeof md - n, "deep words\n");
    arena *a = arena_new();
    char *html = md_render_html(a, md, n);
    assert_int_equal(count(html, "<blockquote>"), 6);
    assert_int_equal(count(html, "</blockquote>"), 6);
    assert_non_null(strstr(html, "<p>deep words</p>"));
    n = 0;
    for (int i = 0; i < 40; i++)
        n += (size_t)snprintf(md + n, sizeof md - n, "%*s- level %d\n", 2 * i, "", i);
    html = md_render_html(a, md, n);
    assert_int_equal(count(html, "<ul>"), 6);
    assert_int_equal(count(html, "</ul>"), 6);
    assert_int_equal(count(html, "<li>"), 6);
    assert_non_null(strstr(html, "<p>level 39</p>"));
    arena_free(a);
}

static void
pathological_stars(void **state)
{
    (void)state;
    size_t n = 1 << 20;
    char *md = xmalloc(n);
    memset(md, '*', n);
    arena *a = arena_new();
    render_big(a, md, n);
    /* Stars in words and across a line. */
    for (size_t i = 0; i < n; i += 2)
        md[i] = 'a';
    render_big(a, md, n);
    arena_free(a);
    free(md);
}

static void
pathological_brackets(void **state)
{
    (void)state;
    size_t n = (size_t)100 * 1024;
    char *md = xmalloc(n);
    memset(md, '[', n);
    arena *a = arena_new();
    char *html = render_big(a, md, n);
    assert_int_equal(strlen(html), n + strlen("<p></p>\n"));
    for (size_t i = 0; i < n; i += 2) /* "[]" pairs and "](" openers */
        md[i + 1] = i % 4 ? ']' : '(';
    render_big(a, md, n);
    arena_free(a);
    free(md);
}

static void
pathological_combining_marks(void **state)
{
    (void)state;
    /* "a" followed by 50,000 U+0301 COMBINING ACUTE ACCENT. */
    size_t marks = 50000, n = 1 + 2 * marks;
    char *md = xmalloc(n);
    md[0] = 'a';
    for (size_t i = 0; i < marks; i++) {
        md[1 + 2 * i] = '\xcc';
        md[2 + 2 * i] = '\x81';
    }
    arena *a = arena_new();
    char *html = render_big(a, md, n);
    assert_int_equal(strlen(html), n + strlen("<p></p>\n"));
    arena_free(a);
    free(md);
}

static void
pathological_nested_lists_and_emphasis(void **state)
{
    (void)state;
    arena *a = arena_new();
    size_t depth = 20000, n = 0;
    char *md = xmalloc(depth * 3 + 2);
    for (size_t i = 0; i < depth; i++) { /* "- - - - ... x" */
        md[n++] = '-';
        md[n++] = ' ';
    }
    md[n++] = 'x';
    render_big(a, md, n);
    n = 0;
    for (size_t i = 0; i < depth; i++)
        md[n++] = '_';
    md[n++] = 'x';
    for (size_t i = 0; i < depth; i++)
        md[n++] = '_';
    render_big(a, md, n);
    arena_free(a);
    free(md);
}

static size_t
count(const char *s, const char *needle)
{
    size_t k = 0;
    for (const char *p = s; (p = strstr(p, needle)) != NULL; p++)
        k++;
    return k;
}

/* A long URL defined once and referenced many times would square the
 * output; the link budget turns the extra references into text. */
static void
reference_amplification_is_bounded(void **state)
{
    (void)state;
    size_t urllen = 8000, refs = 20000;
    size_t cap = urllen + 64 + refs * 3;
    char *md = xmalloc(cap);
    size_t n = 0;
    for (size_t i = 0; i < refs; i++) {
        memcpy(md + n, "[a]", 3);
        n += 3;
    }
    memcpy(md + n, "\n\n[a]: http://e.com/", 20);
    n += 20;
    memset(md + n, 'x', urllen);
    n += urllen;
    arena *a = arena_new();
    char *html = md_render_html(a, md, n);
    assert_true(strlen(html) < 40 * n + 8192);
    assert_non_null(strstr(html, "<a href=\"http://e.com/xxx"));
    /* Some references became links, the rest kept their text (cmark 0.30
     * also stops expanding references after a total size of its own). */
    assert_true(count(html, "<a href=") > 0 && count(html, "<a href=") < refs);
    arena_free(a);
    free(md);
}

/* The same with a title of quotes and a URL of NULs, which cmark turns into
 * U+FFFD and the renderer into %EF%BF%BD: the escapes count too. */
static void
escaped_reference_amplification_is_bounded(void **state)
{
    (void)state;
    size_t refs = 5000, fill = 2000;
    char *md = xmalloc(refs * 3 + 2 * fill + 64);
    size_t n = 0;
    for (size_t i = 0; i < refs; i++) {
        memcpy(md + n, "[a]", 3);
        n += 3;
    }
    memcpy(md + n, "\n\n[a]: http:", 12);
    n += 12;
    memset(md + n, '\0', fill);
    n += fill;
    memcpy(md + n, " '", 2);
    n += 2;
    memset(md + n, '"', fill);
    n += fill;
    md[n++] = '\'';
    arena *a = arena_new();
    char *html = md_render_html(a, md, n);
    assert_true(strlen(html) < 40 * n + 8192);
    assert_non_null(strstr(html, "<a href=\"http:%EF%BF%BD"));
    assert_non_null(strstr(html, "title=\"&quot;&quot;"));
    /* Each link costs about 30 KB of tag here, so the budget (8 bytes per
     * input byte plus 4 KiB) stops them after a handful; the rest are text. */
    assert_true(count(html, "<a href=") >= 1 && count(html, "<a href=") <= 6);
    assert_non_null(strstr(html, "</a>a"));
    arena_free(a);
    free(md);
}

static int
write_goldens(void)
{
    golden_list g = golden_list_load();
    arena *a = arena_new();
    int rc = 0;
    for (size_t i = 0; i < g.n; i++) {
        char path[512];
        size_t mdn;
        snprintf(path, sizeof path, GOLDEN_DIR "/%s.md", g.names[i]);
        char *md = file_read(path, SIZE_MAX, &mdn, NULL);
        if (md == NULL) {
            rc = 1;
            continue;
        }
        char *html = render_golden(a, g.names[i], md, mdn);
        snprintf(path, sizeof path, GOLDEN_DIR "/%s.html", g.names[i]);
        FILE *f = fopen(path, "wb");
        if (f == NULL || fwrite(html, 1, strlen(html), f) != strlen(html) || fclose(f) != 0) {
            fprintf(stderr, "cannot write %s\n", path);
            rc = 1;
        }
        free(md);
        arena_reset(a);
    }
    printf("wrote %zu golden files in %s\n", g.n, GOLDEN_DIR);
    arena_free(a);
    golden_list_free(&g);
    return rc;
}

int
main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--write") == 0)
        return write_goldens();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(goldens_match),
        cmocka_unit_test(allowed_elements),
        cmocka_unit_test(dropped_elements),
        cmocka_unit_test(markup_scan_catches_attacks),
        cmocka_unit_test(unsafe_links_keep_text),
        cmocka_unit_test(attributes_cannot_break_out),
        cmocka_unit_test(page_mode),
        cmocka_unit_test(invalid_utf8_is_replaced),
        cmocka_unit_test(pathological_nested_quotes),
        cmocka_unit_test(nesting_is_capped),
        cmocka_unit_test(pathological_stars),
        cmocka_unit_test(pathological_brackets),
        cmocka_unit_test(pathological_combining_marks),
        cmocka_unit_test(pathological_nested_lists_and_emphasis),
        cmocka_unit_test(reference_amplification_is_bounded),
        cmocka_unit_test(escaped_reference_amplification_is_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
