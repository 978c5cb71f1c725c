/* import/import.c: a parsed export into the store (see import.h).
 *
 * Threads are written one per transaction, in file order. Within a thread
 * the posts are ordered once (sort by time and id, then release each post
 * when its parent has been written, smallest first from a heap), so the
 * whole ordering is O(n log n) and never loops, whatever the parent links.
 * Authors are looked up once per run (a hash map from the author's key to
 * the user id), then by their synthetic e-mail in the store, so a second
 * run reuses the accounts of the first.
 *
 * Message bodies are not held: each is read (from the parser's spool, see
 * import/spool.h) when its post is written, and everything made for one
 * post (body, HTML, moderation) lives in an arena reset after that post, so
 * memory does not grow with the size of the messages, not even within one
 * thread. --moderate reads a parent's body again for its replies' context.
 */
#include "import/import.h"
#include "import/idmap.h"
#include "moderation/moderation_json.h"
#include "render/markdown.h"
#include "util/text.h"
#include "util/xalloc.h"

#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define NAME_MAX_CHARS 50   /* as for accounts made by admin create-user */
#define TITLE_MAX_CHARS 300 /* as the API accepts for article_title */
#define URL_MAX 2000
#define TRUNC_MARK "\n\n*[comment shortened on import]*"
#define EMPTY_BODY "*(no text)*"
/* The MODERATION kept with a comment the source had refused. */
#define REFUSED_JSON                                                                               \
    "{\"decision\":\"reject\",\"reasons\":[{\"rule\":\"%s\",\"message\":\"%s on %s.\","            \
    "\"excerpt\":\"\"}],\"scores\":{}}"

typedef struct ctx {
    store *s;
    const disqus_export *x;
    const import_options *o;
    import_stats *st;
    arena *a;        /* lives for the whole run: keys of the maps */
    arena *scratch;  /* reset after each thread */
    arena *post;     /* reset after each post */
    idmap users;     /* author key -> user id (dry run: -1) */
    idmap articles;  /* article ids written by this run -> 1 */
    int64_t *stored; /* post index -> comment id, 0 until written */
    int64_t now;
} ctx;

/* ---- small text helpers -------------------------------------------------- */

/* The first max characters of s (valid UTF-8), in a. */
static char *
cut_chars(arena *a, const char *s, size_t max, bool *cut)
{
    size_t i = 0, chars = 0;
    while (s[i] != '\0' && chars < max) {
        i++;
        while (((unsigned char)s[i] & 0xC0) == 0x80)
            i++;
        chars++;
    }
    *cut = s[i] != '\0';
    return arena_strndup(a, s, i);
}

static void
lower_ascii(char *s)
{
    for (; *s; s++)
        if (*s >= 'A' && *s <= 'Z')
            *s = (char)(*s - 'A' + 'a');
}

static void
hex16(const char *in, char out[33])
{
    unsigned char h[16];
    crypto_generichash(h, sizeof h, (const unsigned char *)in, strlen(in), NULL, 0);
    for (size_t i = 0; i < sizeof h; i++)
        snprintf(out + 2 * i, 3, "%02x", h[i]);
}

/* The source named in synthetic addresses. */
static const char *
source(const disqus_export *x)
{
    return x->source != NULL ? x->source : "disqus";
}

/* The source as its makers write its name, for moderators. */
static const char *
source_title(const disqus_export *x)
{
    static const char *const names[][2] = {
        {"disqus", "Disqus"},     {"isso", "Isso"},         {"wordpress", "WordPress"},
        {"remark42", "Remark42"}, {"commento", "Commento"}, {"coral", "Coral"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(names[i][0], source(x)) == 0)
            return names[i][1];
    return source(x);
}

const char *
import_article_id(arena *a, const disqus_thread *t)
{
    if (article_id_valid(t->id))
        return arena_strdup(a, t->id);
    char *id = arena_printf(a, "disqus-%s", t->dsq_id);
    if (article_id_valid(id))
        return id;
    char h[33];
    hex16(t->dsq_id, h);
    return arena_printf(a, "disqus-%s", h);
}

/* The body as stored: the post's converted Markdown within max_chars
 * characters, in c->post. */
static int
body_of(ctx *c, const disqus_post *p, const char **body, bool *truncated, pl_error *err)
{
    const char *md;
    int rc = disqus_body(c->x, p, c->post, &md, err);
    if (rc < 0)
        return rc;
    if (md[0] == '\0')
        md = EMPTY_BODY;
    size_t max = c->o->max_chars;
    size_t mark = utf8_length(TRUNC_MARK, strlen(TRUNC_MARK));
    bool cut;
    char *b = cut_chars(c->post, md, max, &cut);
    *truncated = cut || p->truncated;
    *body = b;
    if (!*truncated)
        return 0;
    b = cut_chars(c->post, md, max > mark ? max - mark : 0, &cut);
    size_t n = strlen(b), slashes = 0;
    while (n > slashes && b[n - 1 - slashes] == '\\')
        slashes++;
    if (slashes % 2 == 1)
        b[--n] = '\0'; /* a lone backslash would escape the marker's line break */
    *body = arena_printf(c->post, "%s%s", b, max > mark ? TRUNC_MARK : "");
    return 0;
}

/* ---- authors ------------------------------------------------------------- */

static bool
username_usable(const char *u)
{
    size_t n = 0;
    for (; u[n]; n++) {
        char ch = u[n];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' ||
              ch == '-'))
            return false;
    }
    return n >= 1 && n <= 64;
}

static bool
email_usable(const char *e)
{
    return email_shape_valid(e) && !email_domain_reserved(e);
}

/* The display name: the author's name without control characters, at most
 * 50 characters; the username, or "Anonymous", when there is none. */
static const char *
display_name(ctx *c, const disqus_author *au)
{
    const char *src = au->name[0] ? au->name : au->username[0] ? au->username : "Anonymous";
    char *n = arena_strdup(c->post, src);
    text_strip_invisible(n); /* nothing that hides or reorders text */
    for (char *p = n; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = ' ';
    bool cut;
    n = cut_chars(c->post, n, NAME_MAX_CHARS, &cut);
    return n[0] ? n : "Anonymous";
}

/* Finds or creates the account of a post's author; sets *id (dry run: -1). */
static int
author_id(ctx *c, const disqus_post *p, int64_t *id, pl_error *err)
{
    const disqus_author *au = &p->author;
    char *user = arena_strdup(c->post, au->username);
    char *mail = arena_strdup(c->post, au->email);
    lower_ascii(user);
    lower_ascii(mail);
    /* One account per Disqus username; authors without one (guests) are
     * told apart by name and e-mail. */
    const char *key = user[0] ? arena_printf(c->post, "u:%s", user)
                              : arena_printf(c->post, "n:%s\x1f%s", au->name, mail);
    if (idmap_get(&c->users, key, id))
        return 0;
    const char *email;
    bool real = c->o->real_emails && email_usable(mail);
    if (real) {
        email = mail;
    } else if (user[0] && username_usable(user)) {
        email = arena_printf(c->post, "%s-%s@import.invalid", source(c->x), user);
    } else {
        char h[33];
        hex16(key, h);
        email = arena_printf(c->post, "%s-%s@guest.import.invalid", source(c->x), h);
    }
    if (c->s == NULL) {
        *id = -1;
        c->st->users++;
        idmap_add(&c->users, arena_strdup(c->a, key), *id);
        return 0;
    }
    store_user u = {0};
    u.email = email;
    u.name = display_name(c, au);
    u.pw_hash = ""; /* no password: nobody can log in as an imported author */
    u.role = ROLE_READER;
    u.created_at = p->created_at ? p->created_at : c->now;
    u.kind = USER_IMPORTED;
    int rc;
    if (real) {
        /* import.real_emails: the reader's own address; an account that has
         * it already (the reader registered) gets the history. */
        rc = store_user_by_email(c->s, email, c->post, &u, err);
        if (rc == 0) {
            c->st->users_reused++;
        } else if (rc == PL_ENOTFOUND) {
            if ((rc = store_user_insert(c->s, &u, err)) < 0)
                return rc;
            c->st->users++;
        } else {
            return rc;
        }
    } else {
        /* A synthetic address: only an imported account may carry it, so an
         * account someone registered with it (before such addresses were
         * refused) never receives the history. */
        bool created;
        if ((rc = store_user_of_kind(c->s, &u, c->post, &created, err)) < 0)
            return rc;
        if (created)
            c->st->users++;
        else
            c->st->users_reused++;
    }
    *id = u.id;
    idmap_add(&c->users, arena_strdup(c->a, key), *id);
    return 0;
}

/* ---- ordering ------------------------------------------------------------ */

/* A post's sort key: created time, then dsq:id, then file position. */
typedef struct sort_key {
    int64_t time;
    const char *dsq_id;
    size_t idx;
} sort_key;

static int
cmp_keys(const void *pa, const void *pb)
{
    const sort_key *a = pa, *b = pb;
    if (a->time != b->time)
        return a->time < b->time ? -1 : 1;
    /* dsq:ids are decimal: shorter is smaller; other strings compare bytewise. */
    size_t la = strlen(a->dsq_id), lb = strlen(b->dsq_id);
    if (la != lb)
        return la < lb ? -1 : 1;
    int c = strcmp(a->dsq_id, b->dsq_id);
    return c != 0 ? c : (a->idx < b->idx ? -1 : a->idx > b->idx);
}

/* A min-heap of ranks (positions in the sorted order). */
typedef struct heap {
    size_t *v;
    size_t n;
} heap;

static void
heap_push(heap *h, size_t x)
{
    size_t i = h->n++;
    h->v[i] = x;
    while (i > 0 && h->v[(i - 1) / 2] > h->v[i]) {
        size_t p = (i - 1) / 2, t = h->v[p];
        h->v[p] = h->v[i];
        h->v[i] = t;
        i = p;
    }
}

static size_t
heap_pop(heap *h)
{
    size_t top = h->v[0], i = 0;
    h->v[0] = h->v[--h->n];
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < h->n && h->v[l] < h->v[m])
            m = l;
        if (r < h->n && h->v[r] < h->v[m])
            m = r;
        if (m == i)
            break;
        size_t t = h->v[m];
        h->v[m] = h->v[i];
        h->v[i] = t;
        i = m;
    }
    return top;
}

/* Fills out[0..n) with the thread's posts (export indexes in idx) in an
 * order where every parent precedes its replies. top[k] is set when out[k]
 * must be stored top-level although it names a parent (a cycle). rank is
 * scratch indexed by export index. */
static void
order_thread(const disqus_export *x, size_t *idx, size_t n, const int64_t *time, size_t *rank,
             size_t *out, bool *top)
{
    sort_key *keys = xmalloc((n ? n : 1) * sizeof *keys);
    for (size_t k = 0; k < n; k++)
        keys[k] = (sort_key){time[idx[k]], x->posts[idx[k]].dsq_id, idx[k]};
    qsort(keys, n, sizeof *keys, cmp_keys);
    for (size_t k = 0; k < n; k++)
        idx[k] = keys[k].idx;
    free(keys);
    for (size_t k = 0; k < n; k++)
        rank[idx[k]] = k;
    /* Children of each rank, as lists in arrays (first child, next sibling). */
    size_t none = (size_t)-1;
    size_t *first = xmalloc((n ? n : 1) * sizeof *first);
    size_t *next = xmalloc((n ? n : 1) * sizeof *next);
    bool *done = xcalloc(n ? n : 1, sizeof *done);
    heap h = {xmalloc((n ? n : 1) * sizeof *h.v), 0};
    for (size_t k = 0; k < n; k++)
        first[k] = none;
    for (size_t k = n; k-- > 0;) {
        long parent = x->posts[idx[k]].parent;
        if (parent < 0) {
            next[k] = none;
            continue;
        }
        size_t pr = rank[parent];
        next[k] = first[pr];
        first[pr] = k;
    }
    for (size_t k = 0; k < n; k++)
        if (x->posts[idx[k]].parent < 0)
            heap_push(&h, k);
    size_t emitted = 0, scan = 0;
    while (emitted < n) {
        bool cycle = false;
        if (h.n == 0) {
            /* Only posts caught in a parent cycle are left: the earliest of
             * them goes in as top-level, which frees the rest. */
            while (done[scan])
                scan++;
            heap_push(&h, scan);
            cycle = true;
        }
        size_t k = heap_pop(&h);
        if (done[k])
            continue;
        done[k] = true;
        top[emitted] = cycle;
        out[emitted++] = idx[k];
        for (size_t ch = first[k]; ch != none; ch = next[ch])
            if (!done[ch])
                heap_push(&h, ch);
    }
    free(first);
    free(next);
    free(done);
    free(h.v);
}

/* ---- one thread ---------------------------------------------------------- */

static int
judge(ctx *c, const disqus_thread *t, const moderation_article *art, const disqus_post *p,
      int64_t author, const char *body, store_comment *cm, pl_error *err)
{
    moderation_input in = {0};
    in.body = body;
    in.body_len = strlen(body);
    in.article_title = t->title;
    in.article_text = "";
    in.article = art;
    in.article_status = MOD_ARTICLE_OPEN;
    /* The parent's body as stored, when it is in already (it is not, in a
     * broken cycle) and was not deleted. */
    const disqus_post *pp = p->parent >= 0 ? &c->x->posts[p->parent] : NULL;
    if (pp != NULL && c->stored[p->parent] != 0 && !pp->deleted) {
        bool cut;
        int rc = body_of(c, pp, &in.parent_body, &cut, err);
        if (rc < 0)
            return rc;
        in.parent_author_name = pp->author.name;
    }
    in.author_id = author;
    in.now = cm->created_at;
    moderation_result r;
    moderation_decide(c->o->mod, &in, c->post, &r);
    json_t *j = moderation_result_to_json(&r, true);
    char *s = json_dumps(j, JSON_COMPACT);
    cm->moderation = arena_strdup(c->post, s);
    free(s);
    json_decref(j);
    return r.decision == MOD_REJECT ? COMMENT_REJECTED
           : r.decision == MOD_HOLD ? COMMENT_PENDING
                                    : COMMENT_PUBLISHED;
}

static int
write_post(ctx *c, const disqus_thread *t, const char *article, const moderation_article *art,
           const disqus_post *p, size_t pi, bool top, int64_t created, pl_error *err)
{
    int64_t author;
    int rc = author_id(c, p, &author, err);
    if (rc < 0)
        return rc;
    store_comment cm = {0};
    cm.article_id = article;
    cm.author_id = author;
    cm.created_at = created;
    cm.moderation = "";
    long parent = top ? -1 : p->parent;
    cm.parent_id = parent >= 0 ? c->stored[parent] : 0;
    if (p->deleted) {
        cm.status = COMMENT_DELETED;
        cm.body = cm.html = ""; /* as the store clears a deleted comment */
    } else {
        bool truncated;
        if ((rc = body_of(c, p, &cm.body, &truncated, err)) < 0)
            return rc;
        cm.html = md_render_html(c->post, cm.body, strlen(cm.body));
        c->st->truncated += truncated;
        if (p->spam || p->rejected) {
            cm.status = COMMENT_REJECTED;
            cm.moderation = arena_printf(c->post, REFUSED_JSON, p->spam ? "spam" : "imported",
                                         p->spam ? "Marked as spam" : "Rejected by moderators",
                                         source_title(c->x));
        } else if (p->pending) {
            cm.status = COMMENT_PENDING; /* the source's moderators never approved it */
        } else if (c->o->mod != NULL) {
            if ((rc = judge(c, t, art, p, author, cm.body, &cm, err)) < 0)
                return rc;
            cm.status = rc;
        } else {
            cm.status = COMMENT_PUBLISHED;
        }
    }
    if (c->s != NULL && (rc = store_comment_insert(c->s, &cm, err)) < 0)
        return rc;
    c->stored[pi] = c->s != NULL ? cm.id : 1;
    c->st->comments++;
    c->st->published += cm.status == COMMENT_PUBLISHED;
    c->st->pending += cm.status == COMMENT_PENDING;
    c->st->rejected += cm.status == COMMENT_REJECTED;
    c->st->deleted += cm.status == COMMENT_DELETED;
    if (c->o->progress != NULL && c->st->comments % 1000 == 0)
        fprintf(c->o->progress, "parley import: %zu comments\n", c->st->comments);
    return 0;
}

/* True when the article already has comments that a run must not double. */
static int
has_comments(ctx *c, const char *article, bool *exists, bool *has, pl_error *err)
{
    store_article art;
    int rc = store_article_get(c->s, article, c->scratch, &art, err);
    *exists = rc == 0;
    *has = false;
    if (rc == PL_ENOTFOUND)
        return 0;
    if (rc < 0)
        return rc;
    if (art.comment_count > 0) {
        *has = true;
        return 0;
    }
    /* Placeholders (deleted comments with replies) count too. */
    store_comment_list page;
    bool more;
    store_cursor none = {0};
    if ((rc = store_comments_page(c->s, article, SORT_OLDEST, none, 1, 0, c->scratch, &page, &more,
                                  err)) < 0)
        return rc;
    *has = page.n > 0;
    return 0;
}

/* Prefixes err's message with the thread. The message is copied first:
 * vsnprintf must not read from the buffer it writes. */
static int
thread_error(pl_error *err, int rc, const disqus_thread *t, const char *article, const char *what)
{
    char why[sizeof err->msg];
    snprintf(why, sizeof why, "%s", err->msg);
    return pl_errorf(err, rc, "thread %s (article %s)%s: %s", t->dsq_id, article, what, why);
}

/* Finds the thread's comments that an earlier run stored (in the import
 * map under kind): sets c->stored for each, and *known to their number. */
static int
known_posts(ctx *c, const char *kind, const size_t *order_, size_t n, size_t *known, pl_error *err)
{
    *known = 0;
    for (size_t k = 0; k < n; k++) {
        size_t pi = order_[k];
        int64_t local;
        int rc = store_import_map_get(c->s, kind, c->x->posts[pi].dsq_id, &local, err);
        if (rc == PL_ENOTFOUND)
            continue;
        if (rc < 0)
            return rc;
        c->stored[pi] = local;
        (*known)++;
    }
    return 0;
}

static void
skipped(ctx *c, const disqus_thread *t, const char *why)
{
    c->st->threads_skipped++;
    if (c->o->progress != NULL)
        fprintf(c->o->progress, "parley import: skipped thread %s: %s\n", t->dsq_id, why);
}

static int
write_thread(ctx *c, const disqus_thread *t, const size_t *order_, const bool *top, size_t n,
             const int64_t *time, pl_error *err)
{
    const char *article = import_article_id(c->a, t);
    int64_t seen;
    bool merging = idmap_get(&c->articles, article, &seen);
    bool exists = false, has = false;
    int rc;
    /* A thread this database imported before (any run, from this source)
     * is in import_map, whatever became of its comments since; so is each
     * comment stored. */
    const char *map_kind = arena_printf(c->scratch, "%s:thread", source(c->x));
    const char *post_kind = arena_printf(c->scratch, "%s:comment", source(c->x));
    bool imported = false;
    size_t known = 0;
    if (c->s != NULL && !merging) {
        int64_t local;
        rc = store_import_map_get(c->s, map_kind, t->dsq_id, &local, err);
        if (rc < 0 && rc != PL_ENOTFOUND)
            return thread_error(err, rc, t, article, "");
        imported = rc == 0;
        if ((rc = has_comments(c, article, &exists, &has, err)) < 0)
            return thread_error(err, rc, t, article, "");
    }
    if (c->s != NULL && (imported || merging) && !c->o->force &&
        (rc = known_posts(c, post_kind, order_, n, &known, err)) < 0)
        return thread_error(err, rc, t, article, "");
    if (!c->o->force && imported && known == 0) {
        skipped(c, t,
                arena_printf(c->scratch,
                             "imported before, into article %s, by a version that did not record "
                             "its comments (--force imports it again)",
                             article));
        return 0;
    }
    if (!c->o->force && (imported || merging) && known == n) {
        c->st->comments_known += known;
        skipped(
            c, t,
            arena_printf(c->scratch, "nothing new since it was imported into article %s", article));
        return 0;
    }
    if (!c->o->force && has && !imported) {
        skipped(c, t,
                arena_printf(c->scratch,
                             "article %s already has comments (--force imports it again)",
                             article));
        return 0;
    }
    idmap_add(&c->articles, article, 1);
    const moderation_article *art = NULL;
    if (c->o->mod != NULL)
        art = moderation_article_prepare(c->o->mod, t->title, "", c->scratch);
    if (c->s != NULL && (rc = store_begin(c->s, err)) < 0)
        return rc;
    bool cut;
    const char *title = cut_chars(c->scratch, t->title, TITLE_MAX_CHARS, &cut);
    const char *url =
        (strncmp(t->link, "https://", 8) == 0 || strncmp(t->link, "http://", 7) == 0) &&
                strlen(t->link) <= URL_MAX
            ? t->link
            : NULL;
    if (c->s != NULL) {
        rc = store_article_ensure(c->s, article, title[0] ? title : NULL, url, err);
        /* A thread closed on Disqus stays closed, unless the article was
         * already in Parley (the site decides there). */
        if (rc == 0 && t->closed && !exists && !merging) {
            store_article_changes up = {0};
            up.has_status = true;
            up.status = ARTICLE_CLOSED;
            rc = store_article_update(c->s, article, &up, err);
        }
    } else {
        rc = 0;
    }
    for (size_t k = 0; rc == 0 && k < n; k++) {
        size_t pi = order_[k];
        if (c->stored[pi] != 0)
            continue; /* imported before: stays as it is, its replies go under it */
        if (top[k])
            c->st->orphans++;
        rc = write_post(c, t, article, art, &c->x->posts[pi], pi, top[k], time[pi], err);
        if (rc == 0 && c->s != NULL) {
            rc = store_import_map_put(c->s, post_kind, c->x->posts[pi].dsq_id, c->stored[pi], err);
            if (rc == PL_ECONFLICT && c->o->force)
                rc = 0; /* imported again: the map keeps the first copy */
        }
        arena_reset(c->post);
    }
    if (c->s != NULL) {
        /* Servers on the same PostgreSQL database drop their cached views of
         * the article when this commits (the notice format of
         * app/notices.c, from a node named "import"); on SQLite this does
         * nothing. */
        if (rc == 0) {
            rc = store_import_map_put(c->s, map_kind, t->dsq_id, 1, err);
            if (rc == PL_ECONFLICT)
                rc = 0; /* --force: imported again */
        }
        if (rc == 0)
            rc = store_notify(c->s, arena_printf(c->scratch, "import %s - 0 0", article), err);
        if (rc == 0)
            rc = store_commit(c->s, err);
        else
            store_rollback(c->s);
    }
    if (rc < 0)
        return thread_error(err, rc, t, article, " was not imported");
    c->st->threads++;
    c->st->comments_known += known;
    c->st->threads_updated += known > 0;
    return 0;
}

int
import_disqus(store *s, const disqus_export *x, const import_options *o, import_stats *st,
              pl_error *err)
{
    memset(st, 0, sizeof *st);
    ctx c = {0};
    c.s = o->dry_run ? NULL : s;
    c.x = x;
    c.o = o;
    c.st = st;
    c.a = arena_new();
    c.scratch = arena_new();
    c.post = arena_new();
    c.now = time_now_ms();
    size_t np = x->n_posts ? x->n_posts : 1, nt = x->n_threads;
    c.stored = xcalloc(np, sizeof *c.stored);
    /* Posts grouped by thread (a counting sort keeps file order inside). */
    size_t *start = xcalloc(nt + 1, sizeof *start);
    size_t *by_thread = xmalloc(np * sizeof *by_thread);
    for (size_t i = 0; i < x->n_posts; i++)
        start[x->posts[i].thread + 1]++;
    for (size_t t = 0; t < nt; t++)
        start[t + 1] += start[t];
    size_t *fill = xmalloc((nt ? nt : 1) * sizeof *fill);
    if (nt)
        memcpy(fill, start, nt * sizeof *fill);
    for (size_t i = 0; i < x->n_posts; i++)
        by_thread[fill[x->posts[i].thread]++] = i;
    int64_t *time = xmalloc(np * sizeof *time);
    for (size_t i = 0; i < x->n_posts; i++) {
        const disqus_thread *t = &x->threads[x->posts[i].thread];
        time[i] = x->posts[i].created_at ? x->posts[i].created_at
                  : t->created_at        ? t->created_at
                                         : c.now;
    }
    size_t *rank = xmalloc(np * sizeof *rank);
    size_t *ord = xmalloc(np * sizeof *ord);
    bool *top = xmalloc(np * sizeof *top);
    int rc = 0;
    for (size_t t = 0; t < nt && rc == 0; t++) {
        const disqus_thread *th = &x->threads[t];
        size_t n = start[t + 1] - start[t];
        if (th->deleted) {
            st->threads_deleted++;
            continue;
        }
        if (n == 0) {
            st->threads_empty++;
            continue;
        }
        order_thread(x, by_thread + start[t], n, time, rank, ord, top);
        rc = write_thread(&c, th, ord, top, n, time, err);
        arena_reset(c.scratch);
    }
    free(start);
    free(by_thread);
    free(fill);
    free(time);
    free(rank);
    free(ord);
    free(top);
    free(c.stored);
    idmap_fini(&c.users);
    idmap_fini(&c.articles);
    arena_free(c.post);
    arena_free(c.scratch);
    arena_free(c.a);
    return rc;
}
