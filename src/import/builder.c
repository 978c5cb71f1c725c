/* import/builder.c: see builder.h. The records grow in malloc'ed arrays
 * while the file is read and move into the arena at the end, as the Disqus
 * parser's do, so the caller frees nothing but the arena. */
#include "import/builder.h"
#include "import/htmlmd.h"
#include "util/text.h"
#include "util/xalloc.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
ib_init(import_builder *b, arena *a, spool *bodies, disqus_warn_fn warn, void *warn_arg,
        disqus_export *out, const char *source)
{
    memset(b, 0, sizeof *b);
    memset(out, 0, sizeof *out);
    out->source = source;
    out->bodies = bodies;
    b->a = a;
    b->bodies = bodies;
    b->warn = warn;
    b->warn_arg = warn_arg;
    b->x = out;
    b->msg = arena_new();
}

void
ib_warn(import_builder *b, size_t line, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    b->x->warnings++;
    if (b->warn != NULL)
        b->warn(b->warn_arg, line, msg);
}

char *
ib_text(arena *a, const char *str, size_t n, size_t max, bool *cut)
{
    const unsigned char *s = (const unsigned char *)str;
    char *out = arena_alloc(a, (n < max ? n : max) * 3 + 4);
    size_t o = 0;
    bool was_cut = false;
    for (size_t i = 0; i < n;) {
        unsigned char c = s[i];
        size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        const char *piece = (const char *)s + i;
        size_t pn = len;
        if (len == 0 || i + len > n || !utf8_valid(piece, len)) {
            piece = "\xEF\xBF\xBD"; /* U+FFFD */
            pn = 3;
            len = 1;
        } else if (len == 1 && (c < 0x20 || c == 0x7f) && c != '\n' && c != '\t') {
            piece = c == '\r' ? "" : " ";
            pn = c == '\r' ? 0 : 1;
        }
        if (o + pn > max) {
            was_cut = true;
            break;
        }
        memcpy(out + o, piece, pn);
        o += pn;
        i += len;
    }
    out[o] = '\0';
    if (cut != NULL)
        *cut = was_cut;
    return out;
}

const char *
ib_str(import_builder *b, const char *s)
{
    if (s == NULL || s[0] == '\0')
        return "";
    const char *clean = ib_text(b->a, s, strlen(s), IB_MAX_FIELD, NULL);
    int64_t v;
    if (idmap_get(&b->strings, clean, &v))
        /* NOLINTNEXTLINE(performance-no-int-to-ptr): the map stores this pointer as its value */
        return (const char *)(intptr_t)v;
    idmap_add(&b->strings, clean, (int64_t)(intptr_t)clean);
    return clean;
}

static const char *
hashed_id(arena *a, const char *source, const char *s)
{
    unsigned char h[16];
    crypto_generichash(h, sizeof h, (const unsigned char *)s, strlen(s), NULL, 0);
    char hex[33];
    for (size_t i = 0; i < sizeof h; i++)
        snprintf(hex + 2 * i, 3, "%02x", h[i]);
    return arena_printf(a, "%s-%s", source, hex);
}

const char *
ib_path_slug(arena *a, const char *source, const char *p, size_t n)
{
    size_t b = 0, e = n;
    while (b < n && p[b] == '/')
        b++;
    while (e > b && p[e - 1] == '/')
        e--;
    if (e == b)
        return arena_printf(a, "%s-root", source);
    if (e - b > 128)
        return NULL;
    char *id = arena_alloc(a, e - b + 1);
    size_t k = 0;
    for (size_t i = b; i < e; i++) {
        char c = p[i];
        bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
        id[k++] = c == '/' ? ':' : keep ? c : '_';
    }
    id[k] = '\0';
    return id;
}

const char *
ib_path_article_id(arena *a, const char *source, const char *url)
{
    const char *p = url;
    const char *scheme = strstr(url, "://");
    if (scheme != NULL && strcspn(url, "/?#") > (size_t)(scheme - url)) {
        p = scheme + 3;
        p += strcspn(p, "/?#"); /* past the host */
    }
    const char *id = ib_path_slug(a, source, p, strcspn(p, "?#"));
    return id != NULL ? id : hashed_id(a, source, url);
}

const char *
ib_key_article_id(arena *a, const char *source, const char *key)
{
    return article_id_valid(key) ? arena_strdup(a, key) : hashed_id(a, source, key);
}

bool
ib_thread_find(import_builder *b, const char *key, size_t *idx)
{
    int64_t v;
    if (!idmap_get(&b->threads, key, &v))
        return false;
    *idx = (size_t)v;
    return true;
}

size_t
ib_thread(import_builder *b, const char *key, const char *article_id, const char *title,
          const char *link, bool closed, int64_t created, size_t line)
{
    disqus_export *x = b->x;
    size_t idx;
    if (ib_thread_find(b, key, &idx)) {
        disqus_thread *t = &x->threads[idx];
        if (t->title[0] == '\0')
            t->title = ib_str(b, title);
        if (t->link[0] == '\0')
            t->link = ib_str(b, link);
        return idx;
    }
    if (x->n_threads == b->cap_threads) {
        b->cap_threads = b->cap_threads ? b->cap_threads * 2 : 64;
        x->threads = xrealloc(x->threads, b->cap_threads * sizeof *x->threads);
    }
    idx = x->n_threads++;
    disqus_thread *t = &x->threads[idx];
    memset(t, 0, sizeof *t);
    t->dsq_id = ib_str(b, key);
    t->id = arena_strdup(b->a, article_id);
    t->title = ib_str(b, title);
    t->link = ib_str(b, link);
    t->closed = closed;
    t->created_at = created;
    t->line = line;
    idmap_add(&b->threads, t->dsq_id, (int64_t)idx);
    return idx;
}

int
ib_post(import_builder *b, const disqus_post *p, const char *parent_ref, const char *body, size_t n,
        const char *author_key, pl_error *err)
{
    disqus_export *x = b->x;
    const char *id = ib_str(b, p->dsq_id);
    int64_t seen;
    if (id[0] == '\0') {
        ib_warn(b, p->line, "a comment without an id is skipped");
        return 0;
    }
    if (idmap_get(&b->posts, id, &seen)) {
        ib_warn(b, p->line, "comment %s appears twice; the second is skipped", id);
        return 0;
    }
    if (x->n_posts == b->cap_posts) {
        b->cap_posts = b->cap_posts ? b->cap_posts * 2 : 256;
        x->posts = xrealloc(x->posts, b->cap_posts * sizeof *x->posts);
        b->parent_refs = xrealloc(b->parent_refs, b->cap_posts * sizeof *b->parent_refs);
        b->author_refs = xrealloc(b->author_refs, b->cap_posts * sizeof *b->author_refs);
    }
    size_t k = x->n_posts;
    disqus_post *q = &x->posts[k];
    *q = *p;
    q->dsq_id = id;
    q->parent = -1;
    q->author.name = ib_str(b, p->author.name);
    q->author.email = ib_str(b, p->author.email);
    q->author.username = ib_str(b, p->author.username);
    int rc = ib_keep_text(b->bodies, b->a, q, body, n, err);
    if (rc < 0)
        return rc;
    b->parent_refs[k] = ib_str(b, parent_ref);
    b->author_refs[k] = author_key != NULL ? ib_str(b, author_key) : NULL;
    idmap_add(&b->posts, id, (int64_t)k);
    x->n_posts++;
    return 0;
}

int
ib_post_html(import_builder *b, const disqus_post *p, const char *parent_ref, const char *html,
             const char *author_key, pl_error *err)
{
    disqus_post q = *p;
    size_t n = strlen(html);
    if (n > DISQUS_MAX_MESSAGE) {
        n = DISQUS_MAX_MESSAGE;
        while (n > 0 && ((unsigned char)html[n] & 0xC0) == 0x80)
            n--;
        q.truncated = true;
    }
    const char *md = q.deleted ? "" : htmlmd_convert(b->msg, html, n);
    int rc = ib_post(b, &q, parent_ref, md, strlen(md), author_key, err);
    arena_reset(b->msg);
    return rc;
}

int
ib_post_text(import_builder *b, const disqus_post *p, const char *parent_ref, const char *text,
             const char *author_key, pl_error *err)
{
    disqus_post q = *p;
    bool cut = false;
    const char *md = q.deleted ? "" : ib_text(b->msg, text, strlen(text), DISQUS_MAX_MESSAGE, &cut);
    q.truncated = q.truncated || cut;
    int rc = ib_post(b, &q, parent_ref, md, strlen(md), author_key, err);
    arena_reset(b->msg);
    return rc;
}

void
ib_author(import_builder *b, const char *key, const char *name, const char *email,
          const char *username)
{
    const char *k = ib_str(b, key);
    int64_t seen;
    if (idmap_get(&b->authors, k, &seen))
        return;
    if (b->n_authors == b->cap_authors) {
        b->cap_authors = b->cap_authors ? b->cap_authors * 2 : 64;
        b->author_vals = xrealloc(b->author_vals, b->cap_authors * sizeof *b->author_vals);
    }
    disqus_author *au = &b->author_vals[b->n_authors];
    au->name = ib_str(b, name);
    au->email = ib_str(b, email);
    au->username = ib_str(b, username);
    au->anonymous = false;
    idmap_add(&b->authors, k, (int64_t)b->n_authors++);
}

static void
resolve(import_builder *b)
{
    disqus_export *x = b->x;
    for (size_t i = 0; i < x->n_posts; i++) {
        disqus_post *p = &x->posts[i];
        int64_t k;
        if (b->author_refs[i] != NULL && idmap_get(&b->authors, b->author_refs[i], &k))
            p->author = b->author_vals[k];
        if (b->parent_refs[i][0] == '\0')
            continue;
        if (!idmap_get(&b->posts, b->parent_refs[i], &k))
            ib_warn(b, p->line,
                    "comment %s replies to %s, which is not in the export; imported as a "
                    "top-level comment",
                    p->dsq_id, b->parent_refs[i]);
        else if ((size_t)k == i || x->posts[k].thread != p->thread)
            ib_warn(b, p->line,
                    "comment %s has an impossible parent %s; imported as a top-level comment",
                    p->dsq_id, b->parent_refs[i]);
        else
            p->parent = (long)k;
    }
}

int
ib_keep_text(spool *bodies, arena *a, disqus_post *q, const char *md, size_t n, pl_error *err)
{
    if (q->deleted)
        n = 0;
    q->body_len = n;
    if (bodies != NULL) {
        q->markdown = NULL;
        return spool_append(bodies, md, n, &q->body_off, err);
    }
    q->markdown = arena_strndup(a, md, n);
    return 0;
}

/* Moves x's malloc'ed records into a, so the caller frees nothing but the
 * arena; with rc < 0 frees them and empties x (keeping its source and
 * spool). */
static void
export_settle(disqus_export *x, arena *a, int rc)
{
    disqus_thread *t = x->threads;
    disqus_post *p = x->posts;
    x->threads = NULL;
    x->posts = NULL;
    if (rc == 0) {
        if (x->n_threads) {
            x->threads = arena_alloc(a, x->n_threads * sizeof *t);
            memcpy(x->threads, t, x->n_threads * sizeof *t);
        }
        if (x->n_posts) {
            x->posts = arena_alloc(a, x->n_posts * sizeof *p);
            memcpy(x->posts, p, x->n_posts * sizeof *p);
        }
    }
    free(t);
    free(p);
    if (rc < 0) {
        const char *source = x->source;
        spool *bodies = x->bodies;
        memset(x, 0, sizeof *x);
        x->source = source;
        x->bodies = bodies;
    }
}

int
ib_finish(import_builder *b, int rc)
{
    if (rc == 0)
        resolve(b);
    export_settle(b->x, b->a, rc);
    free(b->parent_refs);
    free(b->author_refs);
    free(b->author_vals);
    idmap_fini(&b->threads);
    idmap_fini(&b->posts);
    idmap_fini(&b->strings);
    idmap_fini(&b->authors);
    arena_free(b->msg);
    b->msg = NULL;
    return rc;
}

int
ib_read_json(FILE *in, arena *a, spool *bodies, disqus_warn_fn warn, void *warn_arg,
             disqus_export *out, const char *source, ib_json_body body, pl_error *err)
{
    import_builder b;
    ib_init(&b, a, bodies, warn, warn_arg, out, source);
    jsonin j;
    jsonin_init(&j, in);
    int rc = body(&b, &j, err);
    jsonin_fini(&j);
    return ib_finish(&b, rc);
}

disqus_post
ib_json_post(import_builder *b, const json_t *c, const char *id_key, const char *time_key,
             size_t thread, size_t line)
{
    disqus_post p = {0};
    p.dsq_id = jsonin_str(c, id_key);
    p.thread = thread;
    p.line = line;
    bool bad;
    p.created_at = jsonin_time(json_object_get(c, time_key), &bad);
    if (bad)
        ib_warn(b, line, "comment %s has an unreadable %s; using a fallback time", p.dsq_id,
                time_key);
    return p;
}
