/* import/disqus.c: the Disqus export reader (see disqus.h).
 *
 * One pass over the reader's nodes fills a record per <thread> and <post>;
 * references between them (a post's thread and parent, which may come later
 * in the file) are resolved once the document has been read, through hash
 * maps from dsq:id to index. Every limit is checked where the bytes arrive,
 * in append(): nothing depends on the file being well-behaved. With a
 * spool, each message is converted in an arena of its own, appended to the
 * spool and the arena reset, so no message outlives its post in memory.
 */
#include "import/disqus.h"
#include "import/builder.h"
#include "import/htmlmd.h"
#include "import/idmap.h"
#include "util/text.h"
#include "util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#define PARLEY_XML_THROUGH_TABLE
#include "import/xml_dl.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define DSQ_NS "http://disqus.com/disqus-internals"
#define MAX_FIELD 4096 /* bytes kept of any field but the message */
#define STR_(x) #x
#define STR(x) STR_(x)

/* ---- parser state -------------------------------------------------------- */

typedef struct raw_post {
    disqus_post p;
    const char *thread_ref;
    const char *parent_ref;
} raw_post;

typedef enum { REC_NONE, REC_THREAD, REC_POST, REC_OTHER } rec_kind;

/* The bytes on their way to libxml2 pass a small scanner first (see
 * guard_scan): where it stands in the markup, and why it stopped the
 * input, if it did. */
typedef enum {
    G_TEXT,
    G_LT,         /* after '<' */
    G_BANG,       /* after "<!" */
    G_BANG_DASH,  /* after "<!-" */
    G_COMMENT,    /* run: '-' seen in a row */
    G_CDATA_OPEN, /* run: bytes of "CDATA[" matched */
    G_CDATA,      /* run: ']' seen in a row */
    G_PI,         /* run: the last byte was '?' */
    G_END_TAG,    /* "</name ...>" */
    G_START_TAG,  /* quote: the open quote of a value, or 0 */
} guard_state;

typedef struct guard {
    int fd; /* -1: the bytes are mem[0, mem_n) */
    const char *mem;
    size_t mem_n, mem_off;
    uint64_t seen; /* bytes scanned */
    size_t line;
    guard_state state;
    char quote;
    int run;
    int attrs;        /* of the start tag being read */
    char failed[200]; /* why the input was cut, "" while it flows */
} guard;

typedef struct parser {
    xmlTextReaderPtr r;
    /* A WordPress export (WXR) rather than Disqus': <rss><channel> hold
     * <item> records (threads), each with its <wp:comment> fields (posts).
     * Read with the same machinery one level deeper: item is a record,
     * its children fields, a comment's children subs. */
    bool wxr;
    size_t item_first_post; /* the first post of the <item> being read */
    bool wxr_type_skip;     /* the <wp:comment> is a pingback or trackback */
    size_t wxr_skipped;     /* pingbacks and trackbacks left out */
    guard g;
    arena *a;
    spool *bodies; /* NULL: messages stay in a */
    arena *msg;    /* one message's conversion, with a spool */
    bool spool_failed;
    pl_error spool_err;
    disqus_warn_fn warn;
    void *warn_arg;
    size_t warnings;
    /* the first libxml2 error, with its line */
    char xml_err[200];
    int xml_err_line;
    bool xml_err_fatal;

    disqus_thread *threads;
    size_t n_threads, cap_threads;
    raw_post *posts;
    size_t n_posts, cap_posts;
    idmap thread_ids;
    idmap strings; /* interned strings -> themselves */

    rec_kind rec;
    disqus_thread t;
    raw_post p;
    char field[32];  /* the record's child element being read */
    char sub[32];    /* its child (inside <author>) */
    char *buf;       /* the text of the field being read */
    size_t len, cap; /* bytes in buf; its allocation */
    size_t limit;    /* bytes the current field may keep */
    bool cut;        /* the current field exceeded limit */
} parser;

static void warnf(parser *ps, size_t line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
warnf(parser *ps, size_t line, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    ps->warnings++;
    if (ps->warn != NULL)
        ps->warn(ps->warn_arg, line, msg);
}

/* Keeps the first fatal error (the one that stopped the reader), else the
 * first error. */
static void
on_xml_error(void *arg, xmlErrorPtr e)
{
    parser *ps = arg;
    if (e == NULL || e->level < XML_ERR_ERROR)
        return;
    if (ps->xml_err[0] != '\0' && (ps->xml_err_fatal || e->level != XML_ERR_FATAL))
        return;
    snprintf(ps->xml_err, sizeof ps->xml_err, "%s", e->message ? e->message : "malformed XML");
    size_t n = strlen(ps->xml_err);
    while (n > 0 && (ps->xml_err[n - 1] == '\n' || ps->xml_err[n - 1] == ' '))
        ps->xml_err[--n] = '\0';
    for (char *c = ps->xml_err; *c; c++)
        if (*c == '\n' || *c == '\r')
            *c = ' '; /* one line: some messages carry the bytes at fault on a second */
    ps->xml_err_line = e->line;
    ps->xml_err_fatal = e->level == XML_ERR_FATAL;
}

static size_t
line_now(parser *ps)
{
    int l = xmlTextReaderGetParserLineNumber(ps->r);
    return l > 0 ? (size_t)l : 0;
}

/* Keeps at most ps->limit bytes of a field, cut at a character boundary. */
static void
append(parser *ps, const char *s, size_t n)
{
    if (ps->len + n > ps->limit) {
        ps->cut = true;
        n = ps->limit > ps->len ? ps->limit - ps->len : 0;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--; /* s[n] is a continuation byte: do not split its character */
    }
    if (n == 0)
        return;
    if (ps->len + n + 1 > ps->cap) {
        size_t cap = ps->cap ? ps->cap : 1024;
        while (cap < ps->len + n + 1)
            cap *= 2;
        ps->buf = xrealloc(ps->buf, cap);
        ps->cap = cap;
    }
    memcpy(ps->buf + ps->len, s, n);
    ps->len += n;
    ps->buf[ps->len] = '\0';
}

static void
field_start(parser *ps, size_t limit)
{
    ps->len = 0;
    ps->cut = false;
    ps->limit = limit;
    if (ps->buf != NULL)
        ps->buf[0] = '\0';
}

/* The field's text without surrounding white space, in place (valid until
 * the next field starts). */
static const char *
field_trimmed(parser *ps)
{
    if (ps->buf == NULL)
        return "";
    char *s = ps->buf;
    size_t b = 0, e = ps->len;
    while (b < e && (s[b] == ' ' || s[b] == '\t' || s[b] == '\n' || s[b] == '\r'))
        b++;
    while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\n' || s[e - 1] == '\r'))
        e--;
    s[e] = '\0';
    return s + b;
}

/* The field's trimmed text, copied to the arena. */
static const char *
field_value(parser *ps)
{
    return arena_strdup(ps->a, field_trimmed(ps));
}

/* s, or the copy of an equal string kept earlier: authors and thread
 * references repeat across posts, and each is kept once. */
static const char *
intern(parser *ps, const char *s)
{
    int64_t v;
    if (s[0] == '\0')
        return "";
    if (idmap_get(&ps->strings, s, &v))
        /* NOLINTNEXTLINE(performance-no-int-to-ptr): the map stores this pointer as its value */
        return (const char *)(intptr_t)v;
    const char *copy = arena_strdup(ps->a, s);
    idmap_add(&ps->strings, copy, (int64_t)(intptr_t)copy);
    return copy;
}

static bool
field_bool(parser *ps)
{
    const char *v = field_trimmed(ps);
    return strcasecmp(v, "true") == 0 || strcmp(v, "1") == 0;
}

/* WordPress' "2026-11-30 10:00:00" (UTC, in the _gmt fields). An empty or
 * zero one ("0000-00-00 00:00:00", in drafts) is no time. */
static int64_t
wxr_time(parser *ps, const char *what)
{
    const char *v = field_trimmed(ps);
    if (v[0] == '\0' || strncmp(v, "0000-00-00", 10) == 0)
        return 0;
    char iso[40];
    int64_t ms;
    if (strlen(v) != 19 || v[10] != ' ')
        ms = -1;
    else {
        snprintf(iso, sizeof iso, "%.10sT%.8sZ", v, v + 11);
        if (time_parse_rfc3339(iso, &ms) < 0)
            ms = -1;
    }
    if (ms < 0) {
        warnf(ps, line_now(ps), "%s has an unreadable date; using a fallback time", what);
        return 0;
    }
    return ms;
}

static int64_t
field_time(parser *ps, const char *what)
{
    const char *v = field_trimmed(ps);
    int64_t ms;
    if (v[0] == '\0')
        return 0;
    if (time_parse_rfc3339(v, &ms) < 0) {
        warnf(ps, line_now(ps), "%s has an unreadable createdAt; using a fallback time", what);
        return 0;
    }
    return ms;
}

static const char *
dsq_attr(parser *ps, bool interned)
{
    xmlChar *v = xmlTextReaderGetAttributeNs(ps->r, (const xmlChar *)"id", (const xmlChar *)DSQ_NS);
    if (v == NULL)
        v = xmlTextReaderGetAttribute(ps->r, (const xmlChar *)"dsq:id");
    if (v == NULL)
        return "";
    if (strlen((const char *)v) > 128)
        v[128] = '\0';
    const char *out = interned ? intern(ps, (const char *)v) : arena_strdup(ps->a, (const char *)v);
    xmlFree(v);
    return out;
}

static void
copy_name(char *dst, size_t cap, const xmlChar *name)
{
    snprintf(dst, cap, "%s", name ? (const char *)name : "");
}

/* ---- records ------------------------------------------------------------- */

static void
record_start(parser *ps, const char *name)
{
    ps->field[0] = ps->sub[0] = '\0';
    if (!ps->wxr && strcmp(name, "thread") == 0) {
        ps->rec = REC_THREAD;
        memset(&ps->t, 0, sizeof ps->t);
        ps->t.dsq_id = dsq_attr(ps, false);
        ps->t.id = ps->t.link = ps->t.title = "";
        ps->t.line = line_now(ps);
    } else if (ps->wxr ? strcmp(name, "item") == 0 : false) {
        ps->rec = REC_THREAD;
        memset(&ps->t, 0, sizeof ps->t);
        ps->t.dsq_id = ps->t.id = ps->t.link = ps->t.title = "";
        ps->t.line = line_now(ps);
        ps->item_first_post = ps->n_posts;
    } else if (!ps->wxr && strcmp(name, "post") == 0) {
        ps->rec = REC_POST;
        memset(&ps->p, 0, sizeof ps->p);
        ps->p.p.dsq_id = dsq_attr(ps, false);
        ps->p.p.markdown = ps->bodies != NULL ? NULL : "";
        ps->p.p.parent = -1;
        ps->p.p.author.name = ps->p.p.author.email = ps->p.p.author.username = "";
        ps->p.thread_ref = ps->p.parent_ref = "";
        ps->p.p.line = line_now(ps);
    } else {
        ps->rec = REC_OTHER; /* <category> and anything newer: not imported */
    }
}

static void
record_end(parser *ps)
{
    if (ps->rec == REC_THREAD && ps->wxr) {
        /* The item's comments belong to it, whatever order its fields came in. */
        for (size_t k = ps->item_first_post; k < ps->n_posts; k++)
            ps->posts[k].thread_ref = ps->t.dsq_id;
        if (ps->t.dsq_id[0] != '\0')
            ps->t.id = ps->t.link[0] ? ib_path_article_id(ps->a, "wordpress", ps->t.link)
                                     : arena_printf(ps->a, "wordpress-%s", ps->t.dsq_id);
    }
    if (ps->rec == REC_THREAD) {
        if (ps->t.dsq_id[0] == '\0') {
            warnf(ps, ps->t.line, "a thread without dsq:id is skipped");
        } else if (!idmap_add(&ps->thread_ids, ps->t.dsq_id, (int64_t)ps->n_threads)) {
            warnf(ps, ps->t.line, "thread %s appears twice; the second is skipped", ps->t.dsq_id);
        } else {
            if (ps->n_threads == ps->cap_threads) {
                ps->cap_threads = ps->cap_threads ? ps->cap_threads * 2 : 16;
                ps->threads = xrealloc(ps->threads, ps->cap_threads * sizeof *ps->threads);
            }
            ps->threads[ps->n_threads++] = ps->t;
        }
    } else if (ps->rec == REC_POST) {
        if (ps->p.p.dsq_id[0] == '\0') {
            warnf(ps, ps->p.p.line, "a post without dsq:id is skipped");
        } else {
            if (ps->n_posts == ps->cap_posts) {
                ps->cap_posts = ps->cap_posts ? ps->cap_posts * 2 : 64;
                ps->posts = xrealloc(ps->posts, ps->cap_posts * sizeof *ps->posts);
            }
            ps->posts[ps->n_posts++] = ps->p;
        }
    }
    ps->rec = REC_NONE;
}

/* The message in buf[0, n) (HTML) converted and kept: in the spool, or
 * in the arena without one. */
static void
keep_message(parser *ps, disqus_post *p, const char *buf, size_t n)
{
    p->truncated = ps->cut;
    if (ps->bodies == NULL) {
        p->markdown = htmlmd_convert(ps->a, buf, n);
        p->body_len = strlen(p->markdown);
    } else {
        const char *md = htmlmd_convert(ps->msg, buf, n);
        p->body_len = strlen(md);
        if (spool_append(ps->bodies, md, p->body_len, &p->body_off, &ps->spool_err) < 0)
            ps->spool_failed = true;
        arena_reset(ps->msg);
    }
}

/* WordPress keeps what the commenter typed: HTML where line breaks mean
 * something (a blank line a new paragraph, a single one a break), as
 * WordPress shows it. The breaks become <p> and <br> for the converter. */
static void
keep_wxr_message(parser *ps, disqus_post *p)
{
    arena *a = ps->bodies != NULL ? ps->msg : ps->a;
    const char *s = ps->buf ? ps->buf : "";
    size_t n = ps->len;
    char *out = arena_alloc(a, n * 4 + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\r')
            continue;
        if (s[i] != '\n') {
            out[o++] = s[i];
            continue;
        }
        size_t j = i + 1;
        while (j < n && (s[j] == '\r' || s[j] == ' ' || s[j] == '\t'))
            j++;
        if (j < n && s[j] == '\n') {
            memcpy(out + o, "<p>", 3);
            o += 3;
            while (j < n && (s[j] == '\n' || s[j] == '\r' || s[j] == ' ' || s[j] == '\t'))
                j++;
            i = j - 1;
        } else {
            memcpy(out + o, "<br>", 4);
            o += 4;
        }
    }
    out[o] = '\0';
    keep_message(ps, p, out, o);
}

/* A child of <thread> or <post> begins (depth 2). */
static void
field_begin(parser *ps, const char *name)
{
    copy_name(ps->field, sizeof ps->field, (const xmlChar *)name);
    ps->sub[0] = '\0';
    if (ps->wxr && ps->rec == REC_THREAD && strcmp(name, "comment") == 0) {
        memset(&ps->p, 0, sizeof ps->p);
        ps->p.p.dsq_id = "";
        ps->p.p.markdown = ps->bodies != NULL ? NULL : "";
        ps->p.p.parent = -1;
        ps->p.p.author.name = ps->p.p.author.email = ps->p.p.author.username = "";
        ps->p.thread_ref = ps->p.parent_ref = "";
        ps->p.p.line = line_now(ps);
        ps->wxr_type_skip = false;
    }
    bool message = ps->rec == REC_POST && strcmp(name, "message") == 0;
    field_start(ps, message ? DISQUS_MAX_MESSAGE : MAX_FIELD);
    if (ps->rec == REC_POST && strcmp(name, "thread") == 0)
        ps->p.thread_ref = dsq_attr(ps, true);
    else if (ps->rec == REC_POST && strcmp(name, "parent") == 0)
        ps->p.parent_ref = dsq_attr(ps, false);
}

static void
wxr_field_end(parser *ps)
{
    const char *f = ps->field;
    disqus_thread *t = &ps->t;
    if (!strcmp(f, "post_id")) {
        t->dsq_id = field_value(ps);
    } else if (!strcmp(f, "link")) {
        t->link = field_value(ps);
    } else if (!strcmp(f, "title")) {
        t->title = field_value(ps);
    } else if (!strcmp(f, "post_date_gmt")) {
        t->created_at = wxr_time(ps, "a post");
    } else if (!strcmp(f, "comment_status")) {
        t->closed = strcmp(field_trimmed(ps), "closed") == 0;
    } else if (!strcmp(f, "status")) {
        t->deleted = strcmp(field_trimmed(ps), "trash") == 0;
    } else if (!strcmp(f, "comment")) {
        if (ps->wxr_type_skip) {
            ps->wxr_skipped++;
        } else if (ps->p.p.dsq_id[0] == '\0') {
            warnf(ps, ps->p.p.line, "a comment without wp:comment_id is skipped");
        } else {
            if (ps->p.p.deleted) {
                /* Trashed: no text is kept (it may have come before the status). */
                ps->p.p.body_len = 0;
                if (ps->p.p.markdown != NULL)
                    ps->p.p.markdown = "";
            }
            if (ps->n_posts == ps->cap_posts) {
                ps->cap_posts = ps->cap_posts ? ps->cap_posts * 2 : 64;
                ps->posts = xrealloc(ps->posts, ps->cap_posts * sizeof *ps->posts);
            }
            ps->posts[ps->n_posts++] = ps->p;
        }
    }
    ps->field[0] = '\0';
}

static void
field_end(parser *ps)
{
    const char *f = ps->field;
    if (ps->wxr) {
        if (ps->rec == REC_THREAD)
            wxr_field_end(ps);
        ps->field[0] = '\0';
        return;
    }
    if (ps->rec == REC_THREAD) {
        disqus_thread *t = &ps->t;
        if (!strcmp(f, "id"))
            t->id = field_value(ps);
        else if (!strcmp(f, "link"))
            t->link = field_value(ps);
        else if (!strcmp(f, "title"))
            t->title = field_value(ps);
        else if (!strcmp(f, "createdAt"))
            t->created_at = field_time(ps, "a thread");
        else if (!strcmp(f, "isClosed"))
            t->closed = field_bool(ps);
        else if (!strcmp(f, "isDeleted"))
            t->deleted = field_bool(ps);
    } else if (ps->rec == REC_POST) {
        disqus_post *p = &ps->p.p;
        if (!strcmp(f, "message")) {
            keep_message(ps, p, ps->buf ? ps->buf : "", ps->len);
        } else if (!strcmp(f, "createdAt")) {
            p->created_at = field_time(ps, "a post");
        } else if (!strcmp(f, "isDeleted")) {
            p->deleted = field_bool(ps);
        } else if (!strcmp(f, "isSpam")) {
            p->spam = field_bool(ps);
        }
        /* <ipAddress> is read past and never kept. */
    }
    ps->field[0] = '\0';
}

/* A child of <author> (depth 3). */
static void
wxr_sub_end(parser *ps)
{
    disqus_post *p = &ps->p.p;
    const char *f = ps->sub;
    if (!strcmp(f, "comment_id")) {
        const char *v = field_trimmed(ps);
        p->dsq_id = arena_strndup(ps->a, v, strnlen(v, 128));
    } else if (!strcmp(f, "comment_author")) {
        p->author.name = intern(ps, field_trimmed(ps));
    } else if (!strcmp(f, "comment_author_email")) {
        p->author.email = intern(ps, field_trimmed(ps));
    } else if (!strcmp(f, "comment_user_id")) {
        const char *v = field_trimmed(ps);
        if (v[0] != '\0' && strcmp(v, "0") != 0 && strspn(v, "0123456789") == strlen(v) &&
            strlen(v) <= 20)
            p->author.username = intern(ps, arena_printf(ps->msg ? ps->msg : ps->a, "user%s", v));
    } else if (!strcmp(f, "comment_date_gmt")) {
        p->created_at = wxr_time(ps, "a comment");
    } else if (!strcmp(f, "comment_content")) {
        keep_wxr_message(ps, p);
    } else if (!strcmp(f, "comment_approved")) {
        const char *v = field_trimmed(ps);
        p->pending = !strcmp(v, "0");
        p->spam = !strcmp(v, "spam");
        p->deleted = !strcmp(v, "trash") || !strcmp(v, "post-trashed");
        if (strcmp(v, "1") != 0 && !p->pending && !p->spam && !p->deleted)
            warnf(ps, line_now(ps),
                  "comment %s has comment_approved '%.40s'; imported as "
                  "published",
                  p->dsq_id, v);
    } else if (!strcmp(f, "comment_type")) {
        const char *v = field_trimmed(ps);
        ps->wxr_type_skip = !strcmp(v, "pingback") || !strcmp(v, "trackback");
    } else if (!strcmp(f, "comment_parent")) {
        const char *v = field_trimmed(ps);
        ps->p.parent_ref = strcmp(v, "0") != 0 ? arena_strndup(ps->a, v, strnlen(v, 128)) : "";
    }
    /* comment_author_IP is read past and never kept. */
    ps->sub[0] = '\0';
}

static void
sub_end(parser *ps)
{
    if (ps->wxr) {
        if (ps->rec == REC_THREAD && !strcmp(ps->field, "comment"))
            wxr_sub_end(ps);
        ps->sub[0] = '\0';
        return;
    }
    disqus_author *au = &ps->p.p.author;
    if (ps->rec != REC_POST || strcmp(ps->field, "author") != 0)
        return;
    if (!strcmp(ps->sub, "name"))
        au->name = intern(ps, field_trimmed(ps));
    else if (!strcmp(ps->sub, "email"))
        au->email = intern(ps, field_trimmed(ps));
    else if (!strcmp(ps->sub, "username"))
        au->username = intern(ps, field_trimmed(ps));
    else if (!strcmp(ps->sub, "isAnonymous"))
        au->anonymous = field_bool(ps);
    ps->sub[0] = '\0';
}

/* ---- the reader loop ----------------------------------------------------- */

static int
fail(parser *ps, pl_error *err, const char *what, const char *arg)
{
    return pl_errorf(err, PL_EINVAL, "line %zu: %s%s", line_now(ps), what, arg);
}

static int
read_nodes(parser *ps, pl_error *err)
{
    bool root_seen = false, channel_seen = false;
    int rc;
    while ((rc = xmlTextReaderRead(ps->r)) == 1) {
        int type = xmlTextReaderNodeType(ps->r);
        int depth = xmlTextReaderDepth(ps->r);
        if (depth > DISQUS_MAX_DEPTH)
            return fail(ps, err, "elements nest too deep (more than 16 levels)", "");
        if (type == XML_READER_TYPE_DOCUMENT_TYPE)
            return fail(ps, err, "a document type declaration is not allowed in an export", "");
        /* A WXR file has one more level (<channel>) above its records. */
        if (ps->wxr && depth == 1) {
            if (type == XML_READER_TYPE_ELEMENT) {
                const char *name = (const char *)xmlTextReaderConstLocalName(ps->r);
                channel_seen |= name != NULL && strcmp(name, "channel") == 0;
            }
            continue;
        }
        if (ps->wxr && depth > 1)
            depth--;
        const char *sub_of = ps->wxr ? "comment" : "author";
        if (type == XML_READER_TYPE_ELEMENT) {
            const char *name = (const char *)xmlTextReaderConstLocalName(ps->r);
            if (name == NULL)
                name = "";
            bool empty = xmlTextReaderIsEmptyElement(ps->r) == 1;
            if (depth == 0) {
                if (strcmp(name, ps->wxr ? "rss" : "disqus") != 0)
                    return fail(ps, err,
                                ps->wxr ? "not a WordPress export: the root element is "
                                        : "not a Disqus export: the root element is ",
                                name);
                root_seen = true;
            } else if (depth == 1) {
                record_start(ps, name);
                if (empty)
                    record_end(ps);
            } else if (depth == 2 && (ps->rec == REC_THREAD || ps->rec == REC_POST)) {
                field_begin(ps, name);
                if (empty)
                    field_end(ps);
            } else if (depth == 3 && (ps->rec == REC_POST || ps->wxr) &&
                       !strcmp(ps->field, sub_of)) {
                copy_name(ps->sub, sizeof ps->sub, (const xmlChar *)name);
                field_start(ps, ps->wxr && !strcmp(name, "comment_content") ? DISQUS_MAX_MESSAGE
                                                                            : MAX_FIELD);
                if (empty)
                    sub_end(ps);
            }
        } else if (type == XML_READER_TYPE_END_ELEMENT) {
            if (depth == 1)
                record_end(ps);
            else if (depth == 2 && ps->field[0] != '\0')
                field_end(ps);
            else if (depth == 3 && ps->sub[0] != '\0')
                sub_end(ps);
        } else if (type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA ||
                   type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE ||
                   type == XML_READER_TYPE_WHITESPACE) {
            /* Text of a field (depth 3) or of an author's (a comment's) field
             * (depth 4); text anywhere else is not part of the format. */
            bool in_field = depth == 3 && ps->field[0] != '\0' && strcmp(ps->field, sub_of) != 0;
            bool in_sub = depth == 4 && ps->sub[0] != '\0';
            if (in_field || in_sub) {
                const char *v = (const char *)xmlTextReaderConstValue(ps->r);
                if (v != NULL)
                    append(ps, v, strlen(v));
            }
        }
        if (ps->spool_failed) {
            *err = ps->spool_err;
            return PL_EIO;
        }
    }
    if (ps->g.failed[0] != '\0')
        return pl_errorf(err, PL_EINVAL, "line %zu: %s", ps->g.line, ps->g.failed);
    if (rc < 0 || ps->xml_err[0] != '\0') {
        if (ps->xml_err[0] != '\0')
            return pl_errorf(err, PL_EINVAL, "line %d: %s", ps->xml_err_line, ps->xml_err);
        return pl_errorf(err, PL_EINVAL, "line %zu: malformed XML", line_now(ps));
    }
    if (!root_seen)
        return pl_errorf(err, PL_EINVAL,
                         ps->wxr ? "line 1: not a WordPress export (no <rss> element)"
                                 : "line 1: not a Disqus export (no <disqus> element)");
    if (ps->wxr && !channel_seen)
        return pl_errorf(err, PL_EINVAL, "not a WordPress export (no <channel> element)");
    if (ps->wxr_skipped > 0 && ps->warn != NULL) {
        char msg[96];
        snprintf(msg, sizeof msg, "%zu pingbacks and trackbacks are not comments; left out",
                 ps->wxr_skipped);
        ps->warn(ps->warn_arg, 0, msg);
    }
    return 0;
}

/* Resolves each post's thread and parent and copies the records to the
 * arena. */
static void
resolve(parser *ps, disqus_export *out)
{
    idmap post_ids = {0};
    out->threads = arena_alloc(ps->a, (ps->n_threads ? ps->n_threads : 1) * sizeof *out->threads);
    if (ps->n_threads)
        memcpy(out->threads, ps->threads, ps->n_threads * sizeof *out->threads);
    out->n_threads = ps->n_threads;
    out->posts = arena_alloc(ps->a, (ps->n_posts ? ps->n_posts : 1) * sizeof *out->posts);
    const char **parent_refs = xcalloc(ps->n_posts ? ps->n_posts : 1, sizeof *parent_refs);
    size_t n = 0;
    for (size_t i = 0; i < ps->n_posts; i++) {
        raw_post *rp = &ps->posts[i];
        int64_t t;
        if (!idmap_get(&ps->thread_ids, rp->thread_ref, &t)) {
            warnf(ps, rp->p.line, "post %s names no known thread ('%s'); skipped", rp->p.dsq_id,
                  rp->thread_ref);
            continue;
        }
        if (!idmap_add(&post_ids, rp->p.dsq_id, (int64_t)n)) {
            warnf(ps, rp->p.line, "post %s appears twice; the second is skipped", rp->p.dsq_id);
            continue;
        }
        rp->p.thread = (size_t)t;
        parent_refs[n] = rp->parent_ref;
        out->posts[n++] = rp->p;
    }
    out->n_posts = n;
    for (size_t i = 0; i < n; i++) {
        disqus_post *p = &out->posts[i];
        int64_t k;
        p->parent = -1;
        if (parent_refs[i][0] == '\0')
            continue;
        if (!idmap_get(&post_ids, parent_refs[i], &k)) {
            warnf(ps, p->line,
                  "post %s replies to post %s, which is not in the export; imported "
                  "as a top-level comment",
                  p->dsq_id, parent_refs[i]);
        } else if ((size_t)k == i || out->posts[k].thread != p->thread) {
            warnf(ps, p->line,
                  "post %s has an impossible parent %s; imported as a top-level "
                  "comment",
                  p->dsq_id, parent_refs[i]);
        } else {
            p->parent = (long)k;
        }
    }
    free(parent_refs);
    idmap_fini(&post_ids);
}

/* ---- the guard in front of libxml2 ----------------------------------------- */

/* libxml2 checks each attribute of an element against every earlier one,
 * so 200,000 attributes on one element cost minutes; a Disqus element has
 * at most a few. The guard counts them as the bytes stream past and cuts
 * the input at the first element with more than DISQUS_MAX_ATTRS.
 *
 * It counts exactly what libxml2 would read: the export is taken as UTF-8
 * (XML_PARSE_IGNORE_ENC: an encoding declaration cannot switch it, and no
 * ASCII byte occurs inside a UTF-8 sequence), so a NUL byte (UTF-16, UCS-4)
 * or EBCDIC's "<?xm" stops the input; in a start tag, '=' outside quoted
 * values begins an attribute's value, and well-formed XML has no other;
 * comments, CDATA sections and processing instructions are skipped;
 * declarations (<!DOCTYPE ...>) are refused, as read_nodes refuses them. */
static bool
guard_fail(guard *g, const char *why)
{
    snprintf(g->failed, sizeof g->failed, "%s", why);
    return false;
}

static bool
guard_scan(guard *g, const char *buf, size_t n)
{
    static const char cdata[] = "CDATA[";
    if (g->seen == 0 && n >= 4 && memcmp(buf, "\x4C\x6F\xA7\x94", 4) == 0)
        return guard_fail(g, "the export is not UTF-8 (it looks like EBCDIC)");
    for (size_t i = 0; i < n; i++) {
        char c = buf[i];
        if (c == '\0')
            return guard_fail(g, "the export is not UTF-8 (it holds a NUL byte; UTF-16?)");
        if (c == '\n')
            g->line++;
        switch (g->state) {
        case G_TEXT:
            if (c == '<')
                g->state = G_LT;
            break;
        case G_LT:
            g->state = c == '!' ? G_BANG : c == '?' ? G_PI : c == '/' ? G_END_TAG : G_START_TAG;
            g->run = 0;
            g->quote = 0;
            g->attrs = 0;
            if (c == '>')
                g->state = G_TEXT;
            break;
        case G_BANG:
            if (c == '-')
                g->state = G_BANG_DASH;
            else if (c == '[')
                g->state = G_CDATA_OPEN;
            else
                return guard_fail(g, "a document type declaration is not allowed in an export");
            break;
        case G_BANG_DASH:
            if (c != '-')
                return guard_fail(g, "a comment must begin with \"<!--\"");
            g->state = G_COMMENT;
            g->run = 0;
            break;
        case G_COMMENT:
            if (c == '>' && g->run >= 2)
                g->state = G_TEXT;
            g->run = c == '-' ? g->run + 1 : 0;
            break;
        case G_CDATA_OPEN:
            if (c != cdata[g->run])
                return guard_fail(g, "\"<![\" begins nothing but a CDATA section");
            if (cdata[++g->run] == '\0') {
                g->state = G_CDATA;
                g->run = 0;
            }
            break;
        case G_CDATA:
            if (c == '>' && g->run >= 2)
                g->state = G_TEXT;
            g->run = c == ']' ? g->run + 1 : 0;
            break;
        case G_PI:
            if (c == '>' && g->run)
                g->state = G_TEXT;
            g->run = c == '?';
            break;
        case G_END_TAG:
            if (c == '>')
                g->state = G_TEXT;
            break;
        case G_START_TAG:
            if (g->quote != 0) {
                if (c == g->quote)
                    g->quote = 0;
            } else if (c == '"' || c == '\'') {
                g->quote = c;
            } else if (c == '=' && ++g->attrs > DISQUS_MAX_ATTRS) {
                return guard_fail(g, "an element has more attributes than any Disqus export "
                                     "carries (at most " STR(DISQUS_MAX_ATTRS) ")");
            } else if (c == '>') {
                g->state = G_TEXT;
            }
            break;
        }
    }
    g->seen += n;
    return true;
}

/* libxml2's input callback: the next bytes of the file or buffer, scanned. */
static int
guard_read(void *ctx, char *buf, int len)
{
    guard *g = ctx;
    if (g->failed[0] != '\0' || len <= 0)
        return -1;
    size_t got;
    if (g->fd >= 0) {
        ssize_t r;
        do
            r = read(g->fd, buf, (size_t)len);
        while (r < 0 && errno == EINTR);
        if (r < 0) {
            snprintf(g->failed, sizeof g->failed, "cannot read the export: %s", strerror(errno));
            return -1;
        }
        got = (size_t)r;
    } else {
        got = g->mem_n - g->mem_off < (size_t)len ? g->mem_n - g->mem_off : (size_t)len;
        memcpy(buf, g->mem + g->mem_off, got);
        g->mem_off += got;
    }
    return guard_scan(g, buf, got) ? (int)got : -1;
}

static int
guard_close(void *ctx)
{
    (void)ctx;
    return 0;
}

static int
run_reader(parser *ps, disqus_export *out, pl_error *err)
{
    xmlTextReaderSetStructuredErrorHandler(ps->r, on_xml_error, ps);
    /* Limits libxml2 applies beyond ours: the default maximum text node and
     * name sizes stay in force because XML_PARSE_HUGE is not set. */
    if (ps->bodies != NULL)
        ps->msg = arena_new();
    int rc = read_nodes(ps, err);
    if (rc == 0) {
        resolve(ps, out);
        out->bodies = ps->bodies;
        out->source = ps->wxr ? "wordpress" : NULL;
    }
    arena_free(ps->msg);
    out->warnings = ps->warnings;
    free(ps->threads);
    free(ps->posts);
    free(ps->buf);
    idmap_fini(&ps->thread_ids);
    idmap_fini(&ps->strings);
    xmlFreeTextReader(ps->r);
    if (rc < 0)
        memset(out, 0, sizeof *out);
    return rc;
}

/* No network, no entity substitution, no DTD loading or attribute defaults:
 * none of XML_PARSE_NOENT, DTDLOAD, DTDATTR, HUGE. The input is UTF-8
 * whatever it declares (IGNORE_ENC; see the guard). */
#define READER_OPTS                                                                                \
    (XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOXINCNODE |            \
     XML_PARSE_IGNORE_ENC)

/* Starts the reader on ps->g's input. */
static bool
open_reader(parser *ps, const char *name)
{
    ps->g.line = 1;
    ps->r = xmlReaderForIO(guard_read, guard_close, &ps->g, name, "UTF-8", READER_OPTS);
    return ps->r != NULL;
}

static int
parse_memory(bool wxr, const char *data, size_t n, arena *a, spool *bodies, disqus_warn_fn warn,
             void *warn_arg, disqus_export *out, pl_error *err)
{
    memset(out, 0, sizeof *out);
    if (xml_load(err) < 0)
        return PL_EINVAL;
    if (n > INT32_MAX)
        return pl_errorf(err, PL_EINVAL, "the export is larger than 2 GiB; import it from a file");
    parser ps = {0};
    ps.a = a;
    ps.bodies = bodies;
    ps.warn = warn;
    ps.warn_arg = warn_arg;
    ps.wxr = wxr;
    ps.g.fd = -1;
    ps.g.mem = data;
    ps.g.mem_n = n;
    if (!open_reader(&ps, "export.xml"))
        return pl_errorf(err, PL_EINVAL, "line 1: the XML reader could not start");
    return run_reader(&ps, out, err);
}

static int
parse_file(bool wxr, const char *path, arena *a, spool *bodies, disqus_warn_fn warn, void *warn_arg,
           disqus_export *out, pl_error *err)
{
    memset(out, 0, sizeof *out);
    if (xml_load(err) < 0)
        return PL_EINVAL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return pl_errorf(err, PL_EIO, "cannot open %s: %s", path, strerror(errno));
    parser ps = {0};
    ps.a = a;
    ps.bodies = bodies;
    ps.warn = warn;
    ps.warn_arg = warn_arg;
    ps.wxr = wxr;
    ps.g.fd = fd;
    if (!open_reader(&ps, path)) {
        close(fd);
        return pl_errorf(err, PL_EIO, "cannot read %s", path);
    }
    int rc = run_reader(&ps, out, err);
    close(fd);
    return rc;
}

int
disqus_parse_memory(const char *data, size_t n, arena *a, spool *bodies, disqus_warn_fn warn,
                    void *warn_arg, disqus_export *out, pl_error *err)
{
    return parse_memory(false, data, n, a, bodies, warn, warn_arg, out, err);
}

int
disqus_parse_file(const char *path, arena *a, spool *bodies, disqus_warn_fn warn, void *warn_arg,
                  disqus_export *out, pl_error *err)
{
    return parse_file(false, path, a, bodies, warn, warn_arg, out, err);
}

int
wxr_parse_memory(const char *data, size_t n, arena *a, spool *bodies, disqus_warn_fn warn,
                 void *warn_arg, disqus_export *out, pl_error *err)
{
    return parse_memory(true, data, n, a, bodies, warn, warn_arg, out, err);
}

int
wxr_parse_file(const char *path, arena *a, spool *bodies, disqus_warn_fn warn, void *warn_arg,
               disqus_export *out, pl_error *err)
{
    return parse_file(true, path, a, bodies, warn, warn_arg, out, err);
}

int
disqus_body(const disqus_export *x, const disqus_post *p, arena *a, const char **out, pl_error *err)
{
    if (p->markdown != NULL || p->body_len == 0 || x->bodies == NULL) {
        *out = p->markdown != NULL ? p->markdown : "";
        return 0;
    }
    char *b;
    int rc = spool_read(x->bodies, p->body_off, p->body_len, a, &b, err);
    *out = rc == 0 ? b : "";
    return rc;
}
