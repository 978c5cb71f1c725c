/* tests/unit/import/test_disqus.c: the Disqus importer, from XML to what
 * the store returns.
 *
 * Parsing runs on exports written here (no real data): threads, replies
 * whose parent comes later in the file, deleted and spam posts, anonymous
 * authors, a missing parent, a parent cycle, malformed XML and oversized
 * messages. The HTML converter is checked case by case. The end-to-end
 * tests import into a store (a fresh SQLite file, or PARLEY_TEST_DB_URL;
 * ids carry the test's tag so a shared database works) and read it back
 * through store.h, then import again to check skipping and --force.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "import/disqus.h"
#include "import/htmlmd.h"
#include "import/import.h"
#include "import/spool.h"
#include "moderation/moderation.h"
#include "render/markdown.h"
#include "store/store.h"
#include "util/config.h"
#include "util/text.h"
#include "util/xalloc.h"

#include "unit/store/store_fixture.h"

/* ---- helpers ------------------------------------------------------------- */

static const char HEAD[] =
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
    "<disqus xmlns=\"http://disqus.com\" xmlns:dsq=\"http://disqus.com/disqus-internals\" "
    "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n";

/* The export used by most tests; TAG is replaced by the test's tag. */
static const char EXPORT[] =
    "<category dsq:id=\"7\"><forum>news</forum><title>General</title></category>\n"
    "<post dsq:id=\"1003\"><id/><message><![CDATA[<p>Reply to a later parent</p>]]></message>\n"
    "  <createdAt>2013-05-27T12:50:00Z</createdAt><isDeleted>false</isDeleted>"
    "<isSpam>false</isSpam>\n"
    "  <author><name>Bob</name><isAnonymous>false</isAnonymous><username>bob-TAG</username>"
    "</author>\n"
    "  <ipAddress>192.0.2.7</ipAddress><thread dsq:id=\"100\"/><parent dsq:id=\"1002\"/></post>\n"
    "<thread dsq:id=\"100\"><id>story-TAG</id><forum>news</forum><category dsq:id=\"7\"/>\n"
    "  <link>https://news.example.com/story.html</link><title>A story &amp; more</title>\n"
    "  <message/><createdAt>2013-05-27T12:00:00Z</createdAt>\n"
    "  <author><name>Ed</name><isAnonymous>false</isAnonymous><username>ed</username></author>\n"
    "  <isClosed>false</isClosed><isDeleted>false</isDeleted></thread>\n"
    "<post dsq:id=\"1001\"><id/><message><![CDATA[<p>First <b>one</b></p>]]></message>\n"
    "  <createdAt>2013-05-27T12:30:00Z</createdAt><isDeleted>false</isDeleted>"
    "<isSpam>false</isSpam>\n"
    "  <author><name>Alice</name><email>alice@example.com</email>"
    "<isAnonymous>false</isAnonymous><username>alice-TAG</username></author>\n"
    "  <ipAddress>192.0.2.1</ipAddress><thread dsq:id=\"100\"/></post>\n"
    "<post dsq:id=\"1002\"><id/><message><![CDATA[<p>Was here</p>]]></message>\n"
    "  <createdAt>2013-05-27T12:40:00Z</createdAt><isDeleted>true</isDeleted>"
    "<isSpam>false</isSpam>\n"
    "  <author><name>Carol</name><isAnonymous>false</isAnonymous><username>carol-TAG</username>"
    "</author>\n"
    "  <thread dsq:id=\"100\"/><parent dsq:id=\"1001\"/></post>\n"
    "<post dsq:id=\"1004\"><id/><message><![CDATA[Buy <a href=\"http://spam.example\">pills</a>]]>"
    "</message>\n"
    "  <createdAt>2013-05-27T13:00:00Z</createdAt><isDeleted>false</isDeleted>"
    "<isSpam>true</isSpam>\n"
    "  <author><name>Spammer</name><isAnonymous>true</isAnonymous></author>\n"
    "  <thread dsq:id=\"100\"/></post>\n"
    "<post dsq:id=\"1005\"><id/><message><![CDATA[<p>Guest words</p>]]></message>\n"
    "  <createdAt>2013-05-27T13:10:00Z</createdAt><isDeleted>false</isDeleted>"
    "<isSpam>false</isSpam>\n"
    "  <author><name>Guest TAG</name><isAnonymous>true</isAnonymous></author>\n"
    "  <thread dsq:id=\"100\"/><parent dsq:id=\"999999\"/></post>\n"
    "<thread dsq:id=\"200\"><id>not a valid id!</id><link>javascript:alert(1)</link>"
    "<title>Second TAG</title><createdAt>2014-01-01T00:00:00Z</createdAt>"
    "<isClosed>true</isClosed><isDeleted>false</isDeleted></thread>\n"
    "<post dsq:id=\"2001\"><message><![CDATA[Closed thread comment]]></message>"
    "<createdAt>2014-01-02T00:00:00Z</createdAt><isDeleted>false</isDeleted><isSpam>false</isSpam>"
    "<author><name>Alice</name><isAnonymous>false</isAnonymous><username>alice-TAG</username>"
    "</author><thread dsq:id=\"200\"/></post>\n"
    "<thread dsq:id=\"300\"><id>empty-TAG</id><title>No comments</title></thread>\n"
    "</disqus>\n";

static char *
with_tag(const char *body, const char *tag)
{
    size_t cap = strlen(HEAD) + strlen(body) * 2 + 64;
    char *out = xmalloc(cap);
    size_t o = 0;
    memcpy(out, HEAD, strlen(HEAD));
    o = strlen(HEAD);
    for (const char *p = body; *p;) {
        if (strncmp(p, "TAG", 3) == 0) {
            o += (size_t)snprintf(out + o, cap - o, "%s", tag);
            p += 3;
        } else {
            out[o++] = *p++;
        }
    }
    out[o] = '\0';
    return out;
}

typedef struct warnings {
    int n;
    char last[256];
} warnings;

static void
collect(void *arg, size_t line, const char *msg)
{
    warnings *w = arg;
    w->n++;
    snprintf(w->last, sizeof w->last, "%zu: %s", line, msg);
}

static const disqus_post *
post_by_id(const disqus_export *x, const char *dsq)
{
    for (size_t i = 0; i < x->n_posts; i++)
        if (strcmp(x->posts[i].dsq_id, dsq) == 0)
            return &x->posts[i];
    return NULL;
}

static long
post_index(const disqus_export *x, const char *dsq)
{
    const disqus_post *p = post_by_id(x, dsq);
    return p ? (long)(p - x->posts) : -2;
}

/* ---- parsing ------------------------------------------------------------- */

static void
parses_threads_posts_and_links(void **state)
{
    (void)state;
    arena *a = arena_new();
    char *xml = with_tag(EXPORT, "t1");
    disqus_export x;
    warnings w = {0};
    pl_error err = {0};
    assert_int_equal(disqus_parse_memory(xml, strlen(xml), a, NULL, collect, &w, &x, &err), 0);
    assert_int_equal(x.n_threads, 3); /* the category is not a thread */
    assert_int_equal(x.n_posts, 6);
    assert_string_equal(x.threads[0].dsq_id, "100");
    assert_string_equal(x.threads[0].id, "story-t1");
    assert_string_equal(x.threads[0].title, "A story & more");
    assert_string_equal(x.threads[0].link, "https://news.example.com/story.html");
    int64_t t0;
    assert_int_equal(time_parse_rfc3339("2013-05-27T12:00:00Z", &t0), 0);
    assert_int_equal(x.threads[0].created_at, t0);
    assert_true(x.threads[1].closed);

    /* 1003 comes first in the file; its parent 1002 later. */
    const disqus_post *p3 = post_by_id(&x, "1003");
    assert_non_null(p3);
    assert_int_equal(p3->parent, post_index(&x, "1002"));
    assert_int_equal(post_by_id(&x, "1002")->parent, post_index(&x, "1001"));
    assert_int_equal(post_by_id(&x, "1001")->parent, -1);
    assert_true(post_by_id(&x, "1002")->deleted);
    assert_true(post_by_id(&x, "1004")->spam);
    assert_true(post_by_id(&x, "1004")->author.anonymous);
    assert_string_equal(post_by_id(&x, "1004")->author.username, "");
    assert_string_equal(post_by_id(&x, "1001")->author.email, "alice@example.com");
    assert_string_equal(post_by_id(&x, "1001")->markdown, "First **one**");
    /* A missing parent makes a top-level post, with a warning naming it. */
    assert_int_equal(post_by_id(&x, "1005")->parent, -1);
    assert_int_equal(w.n, 1);
    assert_non_null(strstr(w.last, "999999"));
    assert_int_equal(x.warnings, 1);
    free(xml);
    arena_free(a);
}

static void
malformed_xml_names_the_line(void **state)
{
    (void)state;
    arena *a = arena_new();
    disqus_export x;
    pl_error err = {0};
    const char *bad = "<?xml version=\"1.0\"?>\n<disqus>\n<thread dsq:id=\"1\">\n"
                      "<title>unclosed</titel>\n</thread></disqus>\n";
    assert_int_equal(disqus_parse_memory(bad, strlen(bad), a, NULL, NULL, NULL, &x, &err),
                     PL_EINVAL);
    if (strncmp(err.msg, "line 4:", 7) != 0)
        fail_msg("want line 4: %s", err.msg);
    assert_int_equal(x.n_posts, 0);

    const char *dtd = "<?xml version=\"1.0\"?>\n<!DOCTYPE disqus [<!ENTITY a \"aaaa\">]>\n"
                      "<disqus><thread dsq:id=\"1\"><title>&a;</title></thread></disqus>\n";
    assert_int_equal(disqus_parse_memory(dtd, strlen(dtd), a, NULL, NULL, NULL, &x, &err),
                     PL_EINVAL);
    assert_non_null(strstr(err.msg, "document type"));

    const char *root = "<rss><thread/></rss>";
    assert_int_equal(disqus_parse_memory(root, strlen(root), a, NULL, NULL, NULL, &x, &err),
                     PL_EINVAL);
    assert_non_null(strstr(err.msg, "not a Disqus export"));

    assert_int_equal(disqus_parse_memory("", 0, a, NULL, NULL, NULL, &x, &err), PL_EINVAL);
    assert_true(strncmp(err.msg, "line ", 5) == 0);

    /* Deep nesting stops at the limit instead of growing. */
    char deep[2048];
    size_t o = (size_t)snprintf(deep, sizeof deep, "<disqus>");
    for (int i = 0; i < 40; i++)
        o += (size_t)snprintf(deep + o, sizeof deep - o, "<x>");
    assert_int_equal(disqus_parse_memory(deep, o, a, NULL, NULL, NULL, &x, &err), PL_EINVAL);
    assert_non_null(strstr(err.msg, "nest"));
    arena_free(a);
}

static double
seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* libxml2 compares every attribute of an element with each earlier one: an
 * export or a message with 200,000 attributes on one element took minutes.
 * The export is refused at the first element over the cap, with its line;
 * a message's tags are written anew with only a link's href, so the same
 * attack in a message, in whatever shape libxml2's HTML parser would have
 * read it, converts at once. */
static void
attributes_are_capped(void **state)
{
    (void)state;
    enum { N = 200000 };
    arena *a = arena_new();
    disqus_export x;
    pl_error err = {0};
    struct timespec t0;
    char *doc = xmalloc((size_t)N * 16 + 512);
    size_t o = (size_t)sprintf(doc, "%s<thread\n", HEAD);
    for (int i = 0; i < N; i++)
        o += (size_t)sprintf(doc + o, " a%d=\"1\"", i);
    o += (size_t)sprintf(doc + o, "/></disqus>\n");
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(disqus_parse_memory(doc, o, a, NULL, NULL, NULL, &x, &err), PL_EINVAL);
    assert_true(seconds_since(&t0) < 2.0);
    if (strncmp(err.msg, "line 4: an element has more attributes", 38) != 0)
        fail_msg("want the line and the cap: %s", err.msg);
    /* At the cap, an element still reads. */
    o = (size_t)sprintf(doc, "%s<category", HEAD);
    for (int i = 0; i < DISQUS_MAX_ATTRS - 3; i++)
        o += (size_t)sprintf(doc + o, " a%d='>'", i);
    o += (size_t)sprintf(doc + o, "/></disqus>\n");
    if (disqus_parse_memory(doc, o, a, NULL, NULL, NULL, &x, &err) != 0)
        fail_msg("at the cap: %s", err.msg);
    /* Not UTF-8: refused before libxml2 could switch encodings on the guard. */
    static const char utf16[] = "<\0d\0i\0s\0q\0u\0s\0/\0>\0";
    assert_int_equal(disqus_parse_memory(utf16, sizeof utf16 - 1, a, NULL, NULL, NULL, &x, &err),
                     PL_EINVAL);
    assert_non_null(strstr(err.msg, "not UTF-8"));
    static const char latin1[] = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<disqus "
                                 "xmlns:dsq=\"http://disqus.com/disqus-internals\">"
                                 "<thread dsq:id=\"1\"><title>Caf\xc3\xa9</title></thread>"
                                 "</disqus>";
    if (disqus_parse_memory(latin1, sizeof latin1 - 1, a, NULL, NULL, NULL, &x, &err) != 0)
        fail_msg("declared ISO-8859-1: %s", err.msg);
    assert_int_equal(x.n_threads, 1);
    assert_string_equal(x.threads[0].title, "Caf\xc3\xa9");

    /* Messages: plain attributes, boolean ones, and a '=' that opens no
     * value (libxml2 would have read the quoted words as attributes). */
    for (int k = 0; k < 3; k++) {
        o = (size_t)sprintf(doc, "<a href=\"https://example.com/\" title=x");
        if (k == 2)
            o += (size_t)sprintf(doc + o, " =\"x");
        for (int i = 0; i < N / 2; i++)
            o += (size_t)sprintf(doc + o, k == 0 ? " b%d=1" : " b%d", i);
        o += (size_t)sprintf(doc + o, ">link</a> and <p c=1 d=2>text</p>");
        clock_gettime(CLOCK_MONOTONIC, &t0);
        const char *md = htmlmd_convert(a, doc, o);
        assert_true(seconds_since(&t0) < 2.0);
        if (k == 0 && strcmp(md, "[link](https://example.com/) and\n\ntext") != 0)
            fail_msg("converted to: %s", md);
    }
    free(doc);
    arena_free(a);
}

static void
missing_file_is_an_io_error(void **state)
{
    (void)state;
    arena *a = arena_new();
    disqus_export x;
    pl_error err = {0};
    assert_int_equal(disqus_parse_file("/nonexistent/export.xml", a, NULL, NULL, NULL, &x, &err),
                     PL_EIO);
    assert_non_null(strstr(err.msg, "/nonexistent/export.xml"));
    arena_free(a);
}

/* ---- HTML to Markdown ---------------------------------------------------- */

static void
html_becomes_markdown(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"<p>Hello</p><p>World</p>", "Hello\n\nWorld"},
        {"one<br>two", "one\\\ntwo"},
        {"one<br><br>two", "one\n\ntwo"},
        {"<a href=\"https://example.com/a?b=1\">site</a>", "[site](https://example.com/a?b=1)"},
        {"<a href=\"HTTP://example.com/x y\">s</a>", "[s](HTTP://example.com/x%20y)"},
        {"<a href=\"javascript:alert(1)\">click</a>", "click"},
        {"<a href=\" javascript:alert(1)\">x</a>", "x"},
        {"<a href=\"data:text/html,hi\">d</a>", "d"},
        {"<a href=\"/relative\">r</a>", "r"},
        {"<a href=\"https://e.com/\"></a>", "[https://e.com/](https://e.com/)"},
        {"<strong>b</strong> <b>b2</b> <em>i</em> <i>i2</i>", "**b** **b2** *i* *i2*"},
        {"<b></b>text", "text"},
        {"<blockquote>quoted</blockquote>reply", "> quoted\n\nreply"},
        {"<blockquote><p>a</p><p>b</p></blockquote>", "> a\n>\n> b"},
        {"<code>x*y</code>", "`x*y`"},
        {"<code>a`b</code>", "``a`b``"},
        {"&lt;script&gt;alert(1)&lt;/script&gt;", "\\<script\\>alert(1)\\</script\\>"},
        {"<script>alert(1)</script>safe", "safe"},
        {"&amp; &eacute; &#8212; &nbsp;x", "\\& \xC3\xA9 \xE2\x80\x94 \xC2\xA0x"},
        {"*not emphasis* _nor_ [link](http://x) # heading", "\\*not emphasis\\* \\_nor\\_ "
                                                            "\\[link\\](http://x) \\# heading"},
        {"- item", "\\- item"},
        {"1. first", "1\\. first"},
        {"a - b 2. c", "a - b 2. c"},
        {"<ul><li>one</li><li>two</li></ul>", "one\\\ntwo"},
        {"  lots   of\n\n spaces  ", "lots of spaces"},
        {"<img src=\"x.png\" alt=\"pic\">", ""},
        {"", ""},
    };
    arena *a = arena_new();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *md = htmlmd_convert(a, cases[i][0], strlen(cases[i][0]));
        if (strcmp(md, cases[i][1]) != 0)
            fail_msg("case %zu: %s\n  got:  %s\n  want: %s", i, cases[i][0], md, cases[i][1]);
    }
    /* What the renderer makes of it: text as written, never markup. */
    const char *md = htmlmd_convert(a, "&lt;script&gt;x&lt;/script&gt; *a*", 34);
    const char *html = md_render_html(a, md, strlen(md));
    assert_string_equal(html, "<p>&lt;script&gt;x&lt;/script&gt; *a*</p>\n");
    /* Deep nesting is walked without recursion; libxml2 stops reading past
     * its own depth limit (256), which loses the rest but nothing else. */
    size_t n = 200 * 3;
    char *deep = xmalloc(n + 2);
    for (size_t i = 0; i < n; i += 3)
        memcpy(deep + i, "<b>", 3);
    deep[n] = 'x';
    deep[n + 1] = '\0';
    md = htmlmd_convert(a, deep, n + 1);
    assert_non_null(strchr(md, 'x'));
    free(deep);
    n = 100000 * 3;
    deep = xmalloc(n);
    for (size_t i = 0; i < n; i += 3)
        memcpy(deep + i, "<i>", 3);
    md = htmlmd_convert(a, deep, n);
    assert_null(strchr(md, '<'));
    free(deep);
    arena_free(a);
}

/* ---- writing into the store ---------------------------------------------- */

static import_options
defaults(void)
{
    import_options o = {0};
    o.max_chars = 5000;
    return o;
}

static const disqus_export *
parse_tagged(fixture *f, const char *body)
{
    char *xml = with_tag(body, f->tag);
    disqus_export *x = arena_zalloc(f->a, sizeof *x);
    pl_error err = {0};
    int rc = disqus_parse_memory(xml, strlen(xml), f->a, NULL, NULL, NULL, x, &err);
    free(xml);
    if (rc != 0)
        fail_msg("parse: %s", err.msg);
    return x;
}

static void
imports_into_the_store(void **state)
{
    fixture *f = *state;
    const disqus_export *x = parse_tagged(f, EXPORT);
    import_options o = defaults();
    import_stats st;
    pl_error err = {0};
    assert_int_equal(import_disqus(f->s, x, &o, &st, &err), 0);
    assert_int_equal(st.threads, 2);
    assert_int_equal(st.threads_empty, 1);
    assert_int_equal(st.comments, 6);
    assert_int_equal(st.published, 4);
    assert_int_equal(st.rejected, 1);
    assert_int_equal(st.deleted, 1);
    assert_int_equal(st.users, 5); /* alice, bob, carol, the spammer, the guest */

    const char *story = arena_printf(f->a, "story-%s", f->tag);
    store_article art;
    assert_int_equal(store_article_get(f->s, story, f->a, &art, &err), 0);
    assert_string_equal(art.title, "A story & more");
    assert_string_equal(art.url, "https://news.example.com/story.html");
    assert_int_equal(art.comment_count, 3); /* 1001, 1003, 1005: published */
    assert_int_equal(art.status, ARTICLE_OPEN);

    /* Top level, oldest first: 1001 (Alice), then the guest's orphan 1005;
     * the spam is not shown. */
    store_comment_list page;
    bool more;
    store_cursor none = {0};
    assert_int_equal(
        store_comments_page(f->s, story, SORT_OLDEST, none, 50, 0, f->a, &page, &more, &err), 0);
    assert_int_equal(page.n, 2);
    assert_string_equal(page.items[0].author_name, "Alice");
    assert_string_equal(page.items[0].body, "First **one**");
    assert_string_equal(page.items[0].html, "<p>First <strong>one</strong></p>\n");
    int64_t t0;
    assert_int_equal(time_parse_rfc3339("2013-05-27T12:30:00Z", &t0), 0);
    assert_int_equal(page.items[0].created_at, t0);
    assert_string_equal(page.items[1].author_name, arena_printf(f->a, "Guest %s", f->tag));
    assert_int_equal(page.items[1].parent_id, 0);

    /* 1002 (deleted) stays as a placeholder because 1003 replies to it. */
    int64_t root = page.items[0].id;
    store_comment_list replies;
    assert_int_equal(store_comments_replies(f->s, &root, 1, 0, f->a, &replies, &err), 0);
    assert_int_equal(replies.n, 2);
    assert_int_equal(replies.items[0].status, COMMENT_DELETED);
    assert_string_equal(replies.items[0].body, "");
    assert_int_equal(replies.items[0].parent_id, root);
    assert_string_equal(replies.items[1].author_name, "Bob");
    assert_int_equal(replies.items[1].parent_id, replies.items[0].id);
    assert_int_equal(replies.items[1].root_id, root);

    /* The spam is kept, rejected, with the reason for the desk. */
    store_user spammer;
    assert_int_equal(store_user_by_email(f->s,
                                         arena_printf(f->a, "disqus-%s@import.invalid",
                                                      arena_printf(f->a, "bob-%s", f->tag)),
                                         f->a, &spammer, &err),
                     0);
    assert_string_equal(spammer.name, "Bob");
    assert_string_equal(spammer.pw_hash, "");
    store_comment_list byalice;
    store_user alice;
    assert_int_equal(
        store_user_by_email(f->s, arena_printf(f->a, "disqus-alice-%s@import.invalid", f->tag),
                            f->a, &alice, &err),
        0);
    assert_int_equal(store_comments_by_author(f->s, alice.id, 0, 10, f->a, &byalice, &err), 0);
    assert_int_equal(byalice.n, 2); /* one comment in each thread: one account */
    /* Real e-mails are not used by default. */
    assert_int_equal(store_user_by_email(f->s, "alice@example.com", f->a, &alice, &err),
                     PL_ENOTFOUND);

    /* The second thread: an id made from its dsq:id, closed, no bad URL. */
    assert_int_equal(store_article_get(f->s, "disqus-200", f->a, &art, &err), 0);
    assert_int_equal(art.status, ARTICLE_CLOSED);
    assert_string_equal(art.url, "");
    assert_string_equal(art.title, arena_printf(f->a, "Second %s", f->tag));
    /* An empty thread makes no article. */
    assert_int_equal(
        store_article_get(f->s, arena_printf(f->a, "empty-%s", f->tag), f->a, &art, &err),
        PL_ENOTFOUND);

    /* A second run skips both threads; --force imports them again, reusing
     * the accounts. */
    assert_int_equal(import_disqus(f->s, x, &o, &st, &err), 0);
    assert_int_equal(st.threads, 0);
    assert_int_equal(st.threads_skipped, 2);
    assert_int_equal(st.comments, 0);
    assert_int_equal(store_article_get(f->s, story, f->a, &art, &err), 0);
    assert_int_equal(art.comment_count, 3);
    o.force = true;
    assert_int_equal(import_disqus(f->s, x, &o, &st, &err), 0);
    assert_int_equal(st.threads, 2);
    assert_int_equal(st.comments, 6);
    assert_int_equal(st.users, 0);
    assert_int_equal(st.users_reused, 5);
    assert_int_equal(store_article_get(f->s, story, f->a, &art, &err), 0);
    assert_int_equal(art.comment_count, 6);
}

static void
dry_run_counts_without_a_store(void **state)
{
    fixture *f = *state;
    const disqus_export *x = parse_tagged(f, EXPORT);
    import_options o = defaults();
    o.dry_run = true;
    import_stats st;
    pl_error err = {0};
    assert_int_equal(import_disqus(NULL, x, &o, &st, &err), 0);
    assert_int_equal(st.threads, 2);
    assert_int_equal(st.comments, 6);
    assert_int_equal(st.users, 5);
    assert_int_equal(st.orphans, 0);
    /* The store given is not touched either. */
    assert_int_equal(import_disqus(f->s, x, &o, &st, &err), 0);
    store_article art;
    assert_int_equal(
        store_article_get(f->s, arena_printf(f->a, "story-%s", f->tag), f->a, &art, &err),
        PL_ENOTFOUND);
}

static void
long_messages_are_shortened_with_a_marker(void **state)
{
    fixture *f = *state;
    size_t big = 6000;
    char *words = xmalloc(big + 1);
    for (size_t i = 0; i < big; i++)
        words[i] = i % 10 == 9 ? ' ' : (char)('a' + i % 10);
    words[big] = '\0';
    size_t cap = big + 1024;
    char *body = xmalloc(cap);
    snprintf(body, cap,
             "<thread dsq:id=\"1\"><id>long-TAG</id><title>Long</title></thread>"
             "<post dsq:id=\"1\"><message><![CDATA[<p>%s</p>]]></message><thread dsq:id=\"1\"/>"
             "<author><name>Long</name><username>long-TAG</username></author></post></disqus>",
             words);
    /* The fixture's export has its own closing tag; this one replaces it. */
    const disqus_export *x = parse_tagged(f, body);
    assert_int_equal(x->n_posts, 1);
    assert_false(x->posts[0].truncated);
    import_options o = defaults();
    import_stats st;
    pl_error err = {0};
    assert_int_equal(import_disqus(f->s, x, &o, &st, &err), 0);
    assert_int_equal(st.truncated, 1);
    store_comment_list page;
    bool more;
    store_cursor none = {0};
    assert_int_equal(store_comments_page(f->s, arena_printf(f->a, "long-%s", f->tag), SORT_OLDEST,
                                         none, 5, 0, f->a, &page, &more, &err),
                     0);
    assert_int_equal(page.n, 1);
    const char *b = page.items[0].body;
    assert_true(utf8_length(b, strlen(b)) <= 5000);
    assert_true(utf8_length(b, strlen(b)) > 4900);
    assert_non_null(strstr(b, "shortened on import"));
    assert_true(strncmp(b, "abcdefghi abc", 13) == 0);

    /* A raw message beyond the parser's limit is cut there and marked. */
    size_t huge = DISQUS_MAX_MESSAGE + 1000;
    char *xml = xmalloc(huge + 512);
    size_t n = (size_t)snprintf(xml, 512,
                                "%s<thread dsq:id=\"1\"/><post dsq:id=\"2\"><thread dsq:id=\"1\"/>"
                                "<message>",
                                HEAD);
    memset(xml + n, 'z', huge);
    n += huge;
    n += (size_t)snprintf(xml + n, 512, "</message></post></disqus>");
    disqus_export y;
    assert_int_equal(disqus_parse_memory(xml, n, f->a, NULL, NULL, NULL, &y, &err), 0);
    assert_int_equal(y.n_posts, 1);
    assert_true(y.posts[0].truncated);
    assert_int_equal(strlen(y.posts[0].markdown), DISQUS_MAX_MESSAGE);
    free(xml);
    free(body);
    free(words);
}

static void
parent_cycles_end_top_level(void **state)
{
    fixture *f = *state;
    const char *body =
        "<thread dsq:id=\"9\"><id>cycle-TAG</id></thread>"
        "<post dsq:id=\"1\"><message>a</message><createdAt>2020-01-01T00:00:02Z</createdAt>"
        "<thread dsq:id=\"9\"/><parent dsq:id=\"2\"/><author><name>A</name></author></post>"
        "<post dsq:id=\"2\"><message>b</message><createdAt>2020-01-01T00:00:01Z</createdAt>"
        "<thread dsq:id=\"9\"/><parent dsq:id=\"1\"/><author><name>B</name></author></post>"
        "<post dsq:id=\"3\"><message>c</message><createdAt>2020-01-01T00:00:00Z</createdAt>"
        "<thread dsq:id=\"9\"/><parent dsq:id=\"3\"/><author><name>C</name></author></post>"
        "</disqus>";
    const disqus_export *x = parse_tagged(f, body);
    assert_int_equal(x->n_posts, 3);
    assert_int_equal(x->posts[2].parent, -1); /* its own parent */
    import_options o = defaults();
    import_stats st;
    pl_error err = {0};
    assert_int_equal(import_disqus(f->s, x, &o, &st, &err), 0);
    assert_int_equal(st.comments, 3);
    assert_int_equal(st.orphans, 1);
    store_comment_list page;
    bool more;
    store_cursor none = {0};
    assert_int_equal(store_comments_page(f->s, arena_printf(f->a, "cycle-%s", f->tag), SORT_OLDEST,
                                         none, 5, 0, f->a, &page, &more, &err),
                     0);
    assert_int_equal(page.n, 2); /* c, and b (the earlier of the cycle) */
    assert_string_equal(page.items[0].body, "c");
    assert_string_equal(page.items[1].body, "b");
    store_comment_list replies;
    assert_int_equal(store_comments_replies(f->s, &page.items[1].id, 1, 0, f->a, &replies, &err),
                     0);
    assert_int_equal(replies.n, 1);
    assert_string_equal(replies.items[0].body, "a");
}

static void
real_emails_when_configured(void **state)
{
    fixture *f = *state;
    const char *body = "<thread dsq:id=\"5\"><id>mail-TAG</id></thread>"
                       "<post dsq:id=\"1\"><message>hello</message><thread dsq:id=\"5\"/>"
                       "<author><name>Real</name><email>Real-TAG@Example.com</email>"
                       "<username>real-TAG</username></author></post>"
                       "<post dsq:id=\"2\"><message>hi</message><thread dsq:id=\"5\"/>"
                       "<author><name>No mail</name><username>nomail TAG</username></author>"
                       "</post></disqus>";
    const disqus_export *x = parse_tagged(f, body);
    import_options o = defaults();
    o.real_emails = true;
    import_stats st;
    pl_error err = {0};
    assert_int_equal(import_disqus(f->s, x, &o, &st, &err), 0);
    assert_int_equal(st.users, 2);
    store_user u;
    assert_int_equal(store_user_by_email(f->s, arena_printf(f->a, "real-%s@example.com", f->tag),
                                         f->a, &u, &err),
                     0);
    assert_string_equal(u.name, "Real");
    assert_string_equal(u.pw_hash, "");
    /* Without an e-mail, and with a username unfit for an address: hashed. */
    store_comment_list l;
    bool more;
    store_cursor none = {0};
    assert_int_equal(store_comments_page(f->s, arena_printf(f->a, "mail-%s", f->tag), SORT_OLDEST,
                                         none, 5, 0, f->a, &l, &more, &err),
                     0);
    assert_int_equal(l.n, 2);
    assert_int_equal(store_user_by_id(f->s, l.items[1].author_id, f->a, &u, &err), 0);
    assert_non_null(strstr(u.email, "@guest.import.invalid"));
    assert_true(strncmp(u.email, "disqus-", 7) == 0);
    assert_int_equal(strlen(u.email), strlen("disqus-@guest.import.invalid") + 32);
}

/* The first comment of the article in a moderation queue, or NULL. */
static const store_comment *
queued(fixture *f, store_queue q, const char *article)
{
    int64_t after = 0;
    bool more = true;
    pl_error err = {0};
    while (more) {
        store_comment_list l;
        if (store_queue_list(f->s, q, after, 100, f->a, &l, &more, &err) != 0)
            fail_msg("queue: %s", err.msg);
        for (size_t i = 0; i < l.n; i++)
            if (strcmp(l.items[i].article_id, article) == 0)
                return &l.items[i];
        if (l.n == 0)
            break;
        after = l.items[l.n - 1].id;
    }
    return NULL;
}

static void
moderate_judges_each_comment(void **state)
{
    fixture *f = *state;
    const char *body =
        "<thread dsq:id=\"5\"><id>mod-TAG</id><title>Council budget</title></thread>"
        "<post dsq:id=\"1\"><message>This is fucking ridiculous.</message>"
        "<createdAt>2020-01-01T00:00:00Z</createdAt><thread dsq:id=\"5\"/>"
        "<author><name>A</name><username>m1-TAG</username></author></post>"
        "<post dsq:id=\"2\"><message>What a spineless coward the columnist is.</message>"
        "<createdAt>2020-01-01T00:00:01Z</createdAt><thread dsq:id=\"5\"/>"
        "<author><name>B</name><username>m2-TAG</username></author></post>"
        "<post dsq:id=\"3\"><message>A fair point about the council budget.</message>"
        "<createdAt>2020-01-01T00:00:02Z</createdAt><thread dsq:id=\"5\"/>"
        "<author><name>C</name><username>m3-TAG</username></author></post>"
        "</disqus>";
    const disqus_export *x = parse_tagged(f, body);
    config cfg;
    config_init(&cfg);
    moderation *m = NULL;
    pl_error err = {0};
    assert_int_equal(moderation_new(&cfg, &m, &err), 0);
    import_options o = defaults();
    o.mod = m;
    import_stats st;
    assert_int_equal(import_disqus(f->s, x, &o, &st, &err), 0);
    assert_int_equal(st.comments, 3);
    assert_int_equal(st.rejected, 1);
    assert_int_equal(st.pending, 1);
    assert_int_equal(st.published, 1);
    store_comment_list page;
    bool more;
    store_cursor none = {0};
    assert_int_equal(store_comments_page(f->s, arena_printf(f->a, "mod-%s", f->tag), SORT_OLDEST,
                                         none, 5, 0, f->a, &page, &more, &err),
                     0);
    assert_int_equal(page.n, 1);
    assert_string_equal(page.items[0].author_name, "C");
    const store_comment *c = queued(f, QUEUE_REJECTED, arena_printf(f->a, "mod-%s", f->tag));
    assert_non_null(c);
    assert_string_equal(c->author_name, "A");
    assert_non_null(strstr(c->moderation, "\"profanity\""));
    c = queued(f, QUEUE_PENDING, arena_printf(f->a, "mod-%s", f->tag));
    assert_non_null(c);
    assert_string_equal(c->author_name, "B");
    assert_non_null(strstr(c->moderation, "\"hold\""));
    moderation_free(m);
    config_fini(&cfg);
}

/* ---- bodies parked in a spool -------------------------------------------- */

/* Post i's message: "p<i>" then words, multi-byte ones among them, up to n
 * bytes; plain text, so its Markdown is itself. */
static char *
big_text(size_t i, size_t n)
{
    char *t = xmalloc(n + 1);
    size_t o = (size_t)snprintf(t, n + 1, "p%zu", i);
    for (size_t k = 0;; k++) {
        char w[8];
        if (k % 7 == 3) {
            memcpy(w, " \xc3\xa9t\xc3\xa9", 7); /* " été" */
        } else {
            w[0] = ' ';
            for (int j = 1; j < 6; j++)
                w[j] = (char)('a' + (i + k + (size_t)j) % 26);
            w[6] = '\0';
        }
        size_t wl = strlen(w);
        if (o + wl > n)
            break;
        memcpy(t + o, w, wl);
        o += wl;
    }
    t[o] = '\0';
    return t;
}

static size_t
entries_in(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

#define BIG_POSTS 2000
#define BIG_THREADS 40
#define BIG_BYTES 20000

static void
spooled_bodies_come_back_byte_for_byte(void **state)
{
    fixture *f = *state;
    /* 2,000 messages of 20 KB (40 MB), posts of the 40 threads interleaved
     * so bodies are read back far from file order. */
    size_t cap = (size_t)BIG_POSTS * (BIG_BYTES + 400) + 65536;
    char *xml = xmalloc(cap);
    size_t o = (size_t)snprintf(xml, cap, "%s", HEAD);
    for (int t = 0; t < BIG_THREADS; t++)
        o += (size_t)snprintf(xml + o, cap - o,
                              "<thread dsq:id=\"%d\"><id>big-%d-%s</id></thread>\n", t, t, f->tag);
    for (size_t i = 0; i < BIG_POSTS; i++) {
        char *text = big_text(i, BIG_BYTES);
        o += (size_t)snprintf(xml + o, cap - o,
                              "<post dsq:id=\"%zu\"><message><![CDATA[<p>%s</p>]]></message>"
                              "<thread dsq:id=\"%zu\"/><author><name>N%zu</name></author></post>\n",
                              i + 1, text, i % BIG_THREADS, i % 7);
        free(text);
    }
    o += (size_t)snprintf(xml + o, cap - o, "</disqus>\n");

    char dir[] = "/tmp/parley-spool-XXXXXX";
    assert_non_null(mkdtemp(dir));
    spool *sp;
    pl_error err = {0};
    assert_int_equal(spool_open(dir, &sp, &err), 0);
    assert_int_equal(entries_in(dir), 0); /* unlinked as soon as made */

    arena *a = arena_new();
    disqus_export x;
    assert_int_equal(disqus_parse_memory(xml, o, a, sp, NULL, NULL, &x, &err), 0);
    free(xml);
    assert_int_equal(x.n_posts, BIG_POSTS);
    /* The messages are in the spool, not in memory: the parsed export is a
     * small fraction of their size. */
    uint64_t total = 0;
    for (size_t i = 0; i < x.n_posts; i++) {
        assert_null(x.posts[i].markdown);
        total += x.posts[i].body_len;
    }
    assert_true(total > (uint64_t)BIG_POSTS * (BIG_BYTES - 10));
    assert_true(spool_size(sp) == total);
    if (arena_footprint(a) * 20 > total)
        fail_msg("the export takes %zu bytes for %llu bytes of messages", arena_footprint(a),
                 (unsigned long long)total);

    import_options opt = defaults();
    opt.max_chars = 100000;
    import_stats st;
    assert_int_equal(import_disqus(f->s, &x, &opt, &st, &err), 0);
    assert_int_equal(st.comments, BIG_POSTS);
    assert_int_equal(st.truncated, 0);
    spool_close(sp);
    assert_int_equal(entries_in(dir), 0);
    rmdir(dir);

    bool *seen = xcalloc(BIG_POSTS, sizeof *seen);
    for (int t = 0; t < BIG_THREADS; t++) {
        store_comment_list page;
        bool more;
        store_cursor none = {0};
        arena *r = arena_new();
        assert_int_equal(store_comments_page(f->s, arena_printf(r, "big-%d-%s", t, f->tag),
                                             SORT_OLDEST, none, 100, 0, r, &page, &more, &err),
                         0);
        assert_int_equal(page.n, BIG_POSTS / BIG_THREADS);
        assert_false(more);
        for (size_t k = 0; k < page.n; k++) {
            const char *b = page.items[k].body;
            size_t i = strtoul(b + 1, NULL, 10);
            assert_true(b[0] == 'p' && i < BIG_POSTS && i % BIG_THREADS == (size_t)t);
            assert_false(seen[i]);
            seen[i] = true;
            char *want = big_text(i, BIG_BYTES);
            if (strcmp(b, want) != 0)
                fail_msg("post %zu: body differs (%zu bytes, want %zu)", i, strlen(b),
                         strlen(want));
            free(want);
        }
        arena_free(r);
    }
    free(seen);
    arena_free(a);
}

/* A spool that cannot be written (disk full) or read back stops the import
 * with the reason; nothing of the failing thread is stored. */
static void
spool_failures_stop_the_import(void **state)
{
    fixture *f = *state;
    pl_error err = {0};
    arena *a = arena_new();
    char *xml = with_tag(EXPORT, f->tag);
    const char *story = arena_printf(f->a, "story-%s", f->tag);
    import_options o = defaults();
    import_stats st;
    store_article art;

    /* Disk full while writing: small messages stay buffered through the
     * parse, so the failure shows when the first body is read back. */
    int fd = open("/dev/full", O_RDWR | O_CLOEXEC);
    assert_true(fd >= 0);
    spool *sp = spool_from_fd(fd);
    disqus_export x;
    assert_int_equal(disqus_parse_memory(xml, strlen(xml), a, sp, NULL, NULL, &x, &err), 0);
    assert_int_equal(import_disqus(f->s, &x, &o, &st, &err), PL_EIO);
    if (strstr(err.msg, "No space left on device") == NULL)
        fail_msg("%s", err.msg);
    assert_non_null(strstr(err.msg, "was not imported"));
    assert_int_equal(st.threads, 0);
    assert_int_equal(store_article_get(f->s, story, f->a, &art, &err), PL_ENOTFOUND);
    spool_close(sp);

    /* A message larger than the buffer is written at once: the parse
     * itself fails. */
    size_t huge = 100000;
    char *big = xmalloc(huge + 512);
    size_t n = (size_t)snprintf(big, 512,
                                "%s<thread dsq:id=\"1\"/><post dsq:id=\"2\">"
                                "<thread dsq:id=\"1\"/><message>",
                                HEAD);
    memset(big + n, 'z', huge);
    n += huge;
    n += (size_t)snprintf(big + n, 512, "</message></post></disqus>");
    fd = open("/dev/full", O_RDWR | O_CLOEXEC);
    sp = spool_from_fd(fd);
    assert_int_equal(disqus_parse_memory(big, n, a, sp, NULL, NULL, &x, &err), PL_EIO);
    assert_non_null(strstr(err.msg, "writing the temporary file"));
    assert_int_equal(x.n_posts, 0);
    spool_close(sp);
    free(big);

    /* Written but unreadable. */
    char path[] = "/tmp/parley-spool-XXXXXX";
    fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    fd = open(path, O_WRONLY | O_CLOEXEC);
    unlink(path);
    sp = spool_from_fd(fd);
    assert_int_equal(disqus_parse_memory(xml, strlen(xml), a, sp, NULL, NULL, &x, &err), 0);
    assert_int_equal(import_disqus(f->s, &x, &o, &st, &err), PL_EIO);
    assert_non_null(strstr(err.msg, "reading the temporary file"));
    assert_int_equal(store_article_get(f->s, story, f->a, &art, &err), PL_ENOTFOUND);
    spool_close(sp);

    /* A directory that does not exist names itself. */
    assert_int_equal(spool_open("/nonexistent/dir", &sp, &err), PL_EIO);
    assert_non_null(strstr(err.msg, "/nonexistent/dir"));
    free(xml);
    arena_free(a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_threads_posts_and_links),
        cmocka_unit_test(malformed_xml_names_the_line),
        cmocka_unit_test(missing_file_is_an_io_error),
        cmocka_unit_test(html_becomes_markdown),
        cmocka_unit_test(attributes_are_capped),
        cmocka_unit_test_setup_teardown(imports_into_the_store, setup, teardown),
        cmocka_unit_test_setup_teardown(dry_run_counts_without_a_store, setup, teardown),
        cmocka_unit_test_setup_teardown(long_messages_are_shortened_with_a_marker, setup, teardown),
        cmocka_unit_test_setup_teardown(parent_cycles_end_top_level, setup, teardown),
        cmocka_unit_test_setup_teardown(moderate_judges_each_comment, setup, teardown),
        cmocka_unit_test_setup_teardown(real_emails_when_configured, setup, teardown),
        cmocka_unit_test_setup_teardown(spooled_bodies_come_back_byte_for_byte, setup, teardown),
        cmocka_unit_test_setup_teardown(spool_failures_stop_the_import, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
