/* api/comments.c: listing, posting, editing and deleting comments, likes,
 * counts and the pre-post check.
 *
 * Every write of a comment body passes through moderation_decide() first;
 * the decision picks the stored status (publish: published, hold: pending,
 * reject: rejected, kept for moderators) and, for a reject, the 422 answer.
 * Repeated refusals, or repeated attacks on the same person, suspend the
 * author automatically (see auto_suspend), in the same transaction as the
 * comment that tipped it, and the log says so.
 */
#include "api/api_int.h"
#include "api/cursor.h"
#include "api/threads.h"
#include "app/events.h"
#include "app/metrics.h"
#include "app/settings.h"
#include "moderation/moderation_json.h"
#include "moderation/policy.h"
#include "render/markdown.h"
#include "util/json_out.h"
#include "util/log.h"
#include "util/text.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- reading ------------------------------------------------------------- */

/* The article as a comment on it sees it, from store_article_get's rc
 * and *out (a missing one is open and empty); false with the error sent. */
static bool
article_read(req *r, const char *id, int rc, const pl_error *err, store_article *out)
{
    if (rc == PL_ENOTFOUND) {
        memset(out, 0, sizeof *out);
        out->id = id;
        out->title = out->url = out->text = "";
        out->status = ARTICLE_OPEN;
        return true;
    }
    if (rc < 0) {
        log_error("msg=\"article read failed\" error=\"%s\"", err->msg);
        api_send_rc(r, rc, err);
        return false;
    }
    /* auto_close_days is applied when an article is read, not by a
     * background sweep: the answer is the same at every instant, nothing
     * needs waking up, and a moderator can still see the stored status in
     * the database. The desk shows the effective (closed) status. */
    int64_t days = req_config(r)->auto_close_days;
    if (days > 0 && out->status != ARTICLE_CLOSED && out->created_at > 0 &&
        r->now - out->created_at > days * 86400000LL)
        out->status = ARTICLE_CLOSED;
    return true;
}

static bool
load_article(req *r, const char *id, store_article *out)
{
    pl_error err;
    int rc = store_article_get(req_store(r), id, r->a, out, &err);
    return article_read(r, id, rc, &err, out);
}

void
api_article_get(req *r, const route_args *a)
{
    const char *key;
    if (!api_article_ref(r, a->seg[0], &key))
        return;
    store_article art;
    if (!load_article(r, key, &art))
        return;
    req_send_json(r, 200, json_pack("{s:o}", "article", api_article_json(&art)));
}

/* A small id -> JSON map for nesting replies (open addressing; the arena
 * owns it). */
typedef struct node_map {
    int64_t *ids;
    json_t **nodes;
    size_t cap;
} node_map;

static void
map_init(req *r, node_map *m, size_t n)
{
    m->cap = 16;
    while (m->cap < n * 2)
        m->cap <<= 1;
    m->ids = arena_zalloc(r->a, m->cap * sizeof *m->ids);
    /* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of json_t pointers */
    m->nodes = arena_zalloc(r->a, m->cap * sizeof *m->nodes);
}

static void
map_put(node_map *m, int64_t id, json_t *node)
{
    size_t i = (size_t)id * 11400714819323198485ull & (m->cap - 1);
    while (m->ids[i] != 0 && m->ids[i] != id)
        i = (i + 1) & (m->cap - 1);
    m->ids[i] = id;
    m->nodes[i] = node;
}

static json_t *
map_get(const node_map *m, int64_t id)
{
    size_t i = (size_t)id * 11400714819323198485ull & (m->cap - 1);
    while (m->ids[i] != 0) {
        if (m->ids[i] == id)
            return m->nodes[i];
        i = (i + 1) & (m->cap - 1);
    }
    return NULL;
}

/* Comments listed only to keep the thread's shape show as removed. */
static void
placeholders(store_comment_list *l, int64_t viewer)
{
    for (size_t i = 0; i < l->n; i++) {
        store_comment *c = &l->items[i];
        if (c->status == COMMENT_REJECTED || c->status == COMMENT_HIDDEN ||
            (c->status == COMMENT_PENDING && c->author_id != viewer))
            c->status = COMMENT_DELETED;
    }
}

static int
cmp_reply_created(const void *x, const void *y)
{
    const store_comment *a = (*(thread_reply *const *)x)->c, *b = (*(thread_reply *const *)y)->c;
    if (a->created_at != b->created_at)
        return a->created_at < b->created_at ? -1 : 1;
    return (a->id > b->id) - (a->id < b->id);
}

/* Nests the thread's replies v[0..k) (the page's window) under top, in the
 * order they were written, each under the comment it is shown beneath. */
static void
nest_window(req *r, json_t *top, const thread *t, size_t k)
{
    if (k == 0)
        return;
    node_map map;
    map_init(r, &map, k);
    map_put(&map, t->root_id, top);
    /* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers to replies */
    thread_reply **order = arena_alloc(r->a, k * sizeof *order);
    size_t n = 0;
    for (size_t i = 0; i < k; i++) {
        if (t->v[i].skipped)
            continue;
        map_put(&map, t->v[i].c->id, thread_reply_json(&t->v[i]));
        order[n++] = &t->v[i];
    }
    /* NOLINTNEXTLINE(bugprone-sizeof-expression): sorts the pointers, not the replies */
    qsort(order, n, sizeof *order, cmp_reply_created);
    for (size_t i = 0; i < n; i++) {
        json_t *parent = map_get(&map, order[i]->shown_parent);
        if (parent != NULL)
            json_array_append(json_object_get(parent, "replies"), map_get(&map, order[i]->c->id));
    }
    for (size_t i = 0; i < n; i++)
        json_decref(map_get(&map, order[i]->c->id)); /* the parents hold their own references */
}

/* The dump of a thread view (body taken) and the marks of its comments
 * (the array comments of body). False (nothing kept) if they do not match,
 * which the marks' reasoning rules out; the view is then sent uncached. */
static bool
view_text(req *r, json_t *body, const json_t *comments, char **text, cache_mark **marks,
          size_t *n_marks)
{
    *text = json_dumps(body, JSON_COMPACT);
    bool ok = thread_marks(r->a, comments, *text, marks, n_marks);
    if (!ok)
        log_error("msg=\"thread view without its marks\"");
    return ok;
}

/* A thread view for the viewer (0: anonymous), muted authors left out; NULL
 * when an error answer has been sent. *comments is its array of comments. */
typedef json_t *view_fn(req *r, const void *args, int64_t viewer, const int64_t *muted,
                        size_t n_muted, json_t **comments);

/* Sends the view: cached for an anonymous reader, privately for anyone else. */
static void
send_view(req *r, const void *args, view_fn *fn, const char *article_id, uint64_t gen)
{
    size_t n_muted = 0;
    int64_t *muted = api_muted_ids(r, &n_muted);
    json_t *comments;
    json_t *body = fn(r, args, r->user ? r->user->id : 0, muted, n_muted, &comments);
    if (body == NULL)
        return;
    char *text;
    if (r->user != NULL) { /* a personal view: never cached, so never marked */
        text = json_dumps(body, JSON_COMPACT);
        json_decref(body);
        req_send_private_json(r, text, strlen(text));
        return;
    }
    cache_mark *marks;
    size_t n_marks;
    bool ok = view_text(r, body, comments, &text, &marks, &n_marks);
    json_decref(body);
    if (ok)
        view_send(r, text, marks, n_marks, article_id, gen);
    else
        req_send_private_json(r, text, strlen(text));
}

/* A logged-in reader's view made from the anonymous one (cached, or built
 * and cached now) and their layer: the one read with their session when
 * layer is not NULL, else one small query now; see threads.h. True
 * when answered (or an error sent); false when the reader has a pending
 * comment in the article or a muted author on the page, and the view must
 * be built for them. Moderators read as everyone else: the view has no
 * extras by role. */
static bool
personal_view(req *r, const void *args, view_fn *fn, const char *article_id,
              const store_viewer_layer *layer)
{
    cache_body *b = view_get(r, article_id);
    if (b == NULL) {
        uint64_t gen = view_generation(r, article_id);
        json_t *comments;
        json_t *body = fn(r, args, 0, NULL, 0, &comments);
        if (body == NULL)
            return true;
        char *text;
        cache_mark *marks;
        size_t n_marks;
        bool ok = view_text(r, body, comments, &text, &marks, &n_marks);
        json_decref(body);
        if (!ok) {
            free(text);
            req_metric_count(r, SITE_METRIC_PERSONAL, SITE_PERSONAL_FULL);
            return false;
        }
        char etag[24];
        b = view_put(r, text, marks, n_marks, article_id, gen, etag);
    }
    store_viewer_layer l;
    if (layer != NULL) {
        l = *layer;
    } else {
        pl_error err;
        int rc = store_viewer_layer_get(req_store(r), article_id, r->user->id, r->a, &l, &err);
        if (rc < 0) {
            cache_body_unref(b);
            log_error("msg=\"viewer layer read failed\" error=\"%s\"", err.msg);
            api_send_rc(r, rc, &err);
            return true;
        }
    }
    size_t n_marks;
    const cache_mark *marks = cache_body_marks(b, &n_marks);
    if (l.own_pending || thread_marks_muted(marks, n_marks, l.muted, l.n_muted)) {
        cache_body_unref(b);
        req_metric_count(r, SITE_METRIC_PERSONAL, SITE_PERSONAL_FULL);
        return false;
    }
    size_t n;
    char *text = thread_personal(cache_body_data(b), cache_body_len(b), marks, n_marks, l.liked,
                                 l.n_liked, &n);
    cache_body_unref(b);
    req_metric_count(r, SITE_METRIC_PERSONAL, SITE_PERSONAL_LAYER);
    req_send_private_json(r, text, n);
    return true;
}

typedef struct list_args {
    const char *article_id;
    store_sort sort;
    store_cursor after;
    int64_t limit;
} list_args;

static json_t *
list_view(req *r, const void *args, int64_t viewer, const int64_t *muted_ids, size_t n_muted,
          json_t **comments)
{
    const list_args *la = args;
    const char *article_id = la->article_id;
    store_sort sort = la->sort;
    store_article art;
    if (!load_article(r, article_id, &art))
        return NULL;

    store_comment_list page = {0}, replies = {0};
    bool more = false;
    pl_error err;
    store *s = req_store(r);
    int rc = store_comments_page(s, article_id, sort, la->after, (int)la->limit, viewer, r->a,
                                 &page, &more, &err);
    if (rc == 0 && page.n > 0) {
        int64_t *roots = arena_alloc(r->a, page.n * sizeof *roots);
        for (size_t i = 0; i < page.n; i++)
            roots[i] = page.items[i].id;
        rc = store_comments_replies(s, roots, page.n, viewer, r->a, &replies, &err);
    }
    if (rc < 0) {
        log_error("msg=\"comment list failed\" error=\"%s\"", err.msg);
        api_send_rc(r, rc, &err);
        return NULL;
    }
    placeholders(&page, viewer);
    placeholders(&replies, viewer);
    /* A muted author's comments, and the replies under them, are left out
     * for this reader only; the page may come out shorter than limit. */

    /* Each top-level comment brings its first replies; the answer stops
     * growing at THREAD_REPLIES_MAX replies or THREAD_BYTES_MAX bytes, and
     * the rest waits for "more replies" or the next page. */
    thread_budget budget = {THREAD_REPLIES_MAX, THREAD_BYTES_MAX};
    json_t *list = json_array();
    size_t shown = 0;
    for (size_t i = 0; i < page.n; i++) {
        store_comment *top = &page.items[i];
        if (!thread_take(&budget, top, false) && i > 0) {
            more = true;
            break;
        }
        shown = i + 1;
        if (top->status != COMMENT_DELETED && thread_muted(muted_ids, n_muted, top->author_id))
            continue;
        json_t *c = api_comment_json(top);
        json_array_append_new(list, c);
        thread t;
        thread_build(r->a, top->id, &replies, muted_ids, n_muted, &t);
        size_t k = 0;
        while (k < t.n && k < THREAD_REPLIES_INLINE && thread_take(&budget, t.v[k].c, true))
            k++;
        nest_window(r, c, &t, k);
        json_object_set_new(c, "more_replies", json_integer((json_int_t)(t.n - k)));
        json_object_set_new(c, "replies_next",
                            k < t.n && k > 0 ? api_id(t.v[k - 1].c->id) : json_null());
    }
    json_t *next =
        more && shown > 0
            ? json_string(cursor_encode(r->a, sort, page.items[shown - 1].created_at,
                                        page.items[shown - 1].likes, page.items[shown - 1].id))
            : json_null();
    *comments = list;
    return json_pack("{s:o, s:o, s:o, s:I}", "article", api_article_json(&art), "comments", list,
                     "next", next, "edit_window_s", (json_int_t)req_config(r)->edit_window_s);
}

/* Answers a thread page once the reader is known: layer is theirs, or
 * NULL for an anonymous reader. */
static void
list_answer(req *r, void *arg, const store_viewer_layer *layer)
{
    const list_args *la = arg;
    if (view_serve_cached(r, la->article_id) ||
        (layer != NULL && personal_view(r, la, list_view, la->article_id, layer)))
        return;
    uint64_t gen = view_generation(r, la->article_id);
    send_view(r, la, list_view, la->article_id, gen);
}

void
api_comments_list(req *r, const route_args *a)
{
    list_args la = {.sort = SORT_OLDEST, .limit = 50};
    if (!api_article_ref(r, a->seg[0], &la.article_id))
        return;
    int count;
    const char *sort_s = req_query(r, "sort", &count);
    if (sort_s != NULL) {
        if (strcmp(sort_s, "oldest") == 0)
            la.sort = SORT_OLDEST;
        else if (strcmp(sort_s, "newest") == 0)
            la.sort = SORT_NEWEST;
        else if (strcmp(sort_s, "top") == 0)
            la.sort = SORT_TOP;
        else {
            req_send_error(r, 400, "invalid_field", "sort must be oldest, newest or top.", "sort",
                           NULL);
            return;
        }
    }
    const char *limit_s = req_query(r, "limit", NULL);
    if (limit_s != NULL && parse_int(limit_s, 1, 100, &la.limit) < 0) {
        req_send_error(r, 400, "invalid_field", "limit must be a whole number from 1 to 100.",
                       "limit", NULL);
        return;
    }
    const char *after_s = req_query(r, "after", NULL);
    if (after_s != NULL && !cursor_decode(after_s, la.sort, &la.after)) {
        req_send_error(r, 400, "invalid_field",
                       "The paging cursor is not valid; start again without 'after'.", "after",
                       NULL);
        return;
    }
    /* list_answer runs once the reader is known: at once, or on
     * PostgreSQL when their session and layer have been read. */
    list_args *lap = arena_alloc(r->a, sizeof *lap);
    *lap = la;
    req_session_layer(r, lap->article_id, list_answer, lap);
}

typedef struct replies_args {
    int64_t root_id;
    int64_t after;
    int64_t limit;
} replies_args;

static json_t *
replies_view(req *r, const void *args, int64_t viewer, const int64_t *muted_ids, size_t n_muted,
             json_t **comments)
{
    const replies_args *ra = args;
    store_comment_list replies = {0};
    pl_error err;
    int rc = store_comments_replies(req_store(r), &ra->root_id, 1, viewer, r->a, &replies, &err);
    if (rc < 0) {
        log_error("msg=\"reply list failed\" error=\"%s\"", err.msg);
        api_send_rc(r, rc, &err);
        return NULL;
    }
    placeholders(&replies, viewer);
    thread t;
    thread_build(r->a, ra->root_id, &replies, muted_ids, n_muted, &t);
    size_t start = thread_after(&t, ra->after), k = start;
    thread_budget budget = {(size_t)ra->limit, THREAD_BYTES_MAX};
    while (k < t.n && (thread_take(&budget, t.v[k].c, true) || k == start))
        k++;
    json_t *list = json_array();
    for (size_t i = start; i < k; i++)
        if (!t.v[i].skipped)
            json_array_append_new(list, thread_reply_json(&t.v[i]));
    json_t *next = k < t.n && k > start ? api_id(t.v[k - 1].c->id) : json_null();
    *comments = list;
    return json_pack("{s:o, s:o, s:I}", "replies", list, "next", next, "more_replies",
                     (json_int_t)(t.n - k));
}

/* GET /comments/{id}/replies?after=ID&limit=N: the next replies of a
 * top-level comment, oldest first (every parent before its replies), flat:
 * each reply's parent_id names the comment it is shown beneath. */
void
api_comment_replies(req *r, const route_args *a)
{
    replies_args ra = {.limit = 50};
    if (!api_comment_id(r, a->seg[0], &ra.root_id))
        return;
    const char *v;
    if ((v = req_query(r, "limit", NULL)) != NULL && parse_int(v, 1, 100, &ra.limit) < 0) {
        req_send_error(r, 400, "invalid_field", "limit must be a whole number from 1 to 100.",
                       "limit", NULL);
        return;
    }
    if ((v = req_query(r, "after", NULL)) != NULL && parse_int(v, 1, INT64_MAX, &ra.after) < 0) {
        req_send_error(r, 400, "invalid_field",
                       "The paging cursor is not valid; start again without 'after'.", "after",
                       NULL);
        return;
    }
    store_comment root;
    pl_error err;
    int rc = store_comment_get(req_store(r), ra.root_id, 0, r->a, &root, &err);
    if (rc == PL_ENOTFOUND || (rc == 0 && root.parent_id != 0)) {
        req_send_error(r, 404, "not_found",
                       "There is no such top-level comment; replies are paged under the comment "
                       "that starts their thread.",
                       NULL, NULL);
        return;
    }
    if (rc < 0) {
        api_send_rc(r, rc, &err);
        return;
    }
    if (view_serve_cached(r, root.article_id) ||
        (r->user != NULL && personal_view(r, &ra, replies_view, root.article_id, NULL)))
        return;
    uint64_t gen = view_generation(r, root.article_id);
    send_view(r, &ra, replies_view, root.article_id, gen);
}

void
api_events(req *r, const route_args *a)
{
    const char *key;
    if (!api_article_ref(r, a->seg[0], &key))
        return;
    events_subscribe(r, key);
}

void
api_counts(req *r, const route_args *a)
{
    (void)a;
    const char *ids[101];
    int n = req_query_all(r, "article", ids, 101);
    if (n == 0) {
        req_send_error(r, 400, "invalid_field", "Name at least one article: ?article=ID.",
                       "article", NULL);
        return;
    }
    if (n > 100) {
        req_send_error(r, 400, "invalid_field", "Ask for at most 100 articles at once.", "article",
                       NULL);
        return;
    }
    /* The error names the query parameter the client sent: `article`. */
    for (int i = 0; i < n; i++) {
        if (!article_id_valid(ids[i])) {
            req_send_error(r, 400, "invalid_field",
                           "Each article id is 1 to 128 characters of letters, digits and . _ : -",
                           "article", NULL);
            return;
        }
    }
    const store_site *site = api_site(r);
    if (site == NULL)
        return;
    const char *keys[100];
    for (int i = 0; i < n; i++)
        keys[i] = api_article_key(r, site, ids[i]);
    int64_t counts[100];
    pl_error err;
    int rc = store_article_counts(req_store(r), keys, (size_t)n, counts, &err);
    if (rc < 0) {
        api_send_rc(r, rc, &err);
        return;
    }
    json_t *o = json_object();
    for (int i = 0; i < n; i++)
        json_object_set_new(o, ids[i], json_integer(counts[i]));
    req_send_json(r, 200, json_pack("{s:o}", "counts", o));
}

/* ---- moderation input ---------------------------------------------------- */

/* Gathers what the engine needs about the author (recent comments, account
 * age) and the thread (parent), then decides. parent may be NULL; editing
 * names the comment being edited (0 for a new one), which must not count as
 * an earlier post of the same text. */
/* The widget's bot traps (docs/ANTISPAM.md), from a new comment's body. */
typedef struct bot_traps {
    bool honeypot;   /* the hidden field came back filled in */
    bool fill_known; /* fill_ms was sent */
    int64_t fill_ms; /* how long the form was open */
} bot_traps;

/* The site's pre-moderation modes over the engine's decision
 * (app/settings.h, site_premoderate), with the count of the author's
 * earlier comments read only when premoderation.first_comments needs it.
 * Moderators and admins are not held by them. */
static void
premoderate(req *r, const config *cfg, const store_article *art, int64_t editing,
            moderation_result *out)
{
    bool staff = r->user != NULL && r->user->role != ROLE_READER;
    int64_t first = site_first_comments(cfg), earlier = -1;
    if (out->decision == MOD_PUBLISH && !staff && r->user != NULL && first > 0) {
        /* Ids only (no body: from the author index alone on SQLite). */
        store_comment_list list = {0};
        pl_error err;
        int limit = (int)first + 1;
        if (store_comments_by_authors(req_store(r), &r->user->id, &limit, 1, INT64_MIN, INT64_MAX,
                                      NULL, r->a, &list, &err) == 0) {
            earlier = 0;
            for (size_t i = 0; i < list.n; i++)
                earlier += list.items[i].id != editing;
        }
    }
    site_premoderate(cfg, r->a, staff, art->sensitive, earlier, out);
}

/* How many of the author's newest comments the engine reads (see decide). */
#define RECENT_LIMIT 50

/* What a top-level comment's POST reads with its article, in one read
 * (store_article_recent): the body folded, its repeat key, and the
 * author's comments of the repeat window. */
typedef struct early_read {
    const moderation_folded *folded;
    moderation_fold_key key;
    store_comment_list recent;
} early_read;

/* The oldest instant of the author's history the engine reads: the repeat
 * window, or the whole day on a reply to a named author (see decide). */
static int64_t
history_from(const req *r, const moderation *mod, bool targets)
{
    int64_t day = r->now - 24 * 3600 * 1000LL;
    int64_t from = targets ? day : r->now - moderation_repeat_window_ms(mod);
    return from < day ? day : from;
}

/* fold gets the body's repeat key, to store with the comment. pre, when
 * not NULL, is what load_article_recent already read for this body (a
 * top-level comment's). */
static void
decide(req *r, const char *body, const store_article *art, const store_comment *parent,
       int64_t editing, const bot_traps *traps, const early_read *pre, moderation_result *out,
       store_fold_key *fold)
{
    moderation_input in = {0};
    if (traps != NULL) {
        in.honeypot = traps->honeypot;
        in.fill_known = traps->fill_known;
        in.fill_ms = traps->fill_ms;
    }
    in.body = body;
    in.body_len = strlen(body);
    /* Folded once, here or in load_article_recent: the key reads the
     * author's history and is stored with the comment, and the engine
     * reuses the folded text. */
    moderation_fold_key key;
    if (pre != NULL) {
        in.folded = pre->folded;
        key = pre->key;
    } else {
        in.folded = moderation_fold(body, in.body_len, r->a, &key);
    }
    *fold = (store_fold_key){key.hash, key.len, key.ver};
    in.article_title = art->title ? art->title : "";
    in.article_text = art->text ? art->text : "";
    in.article_status = (moderation_article_status)art->status;
    in.article_sensitive = art->sensitive;
    in.now = r->now;
    if (parent != NULL) {
        in.parent_body = parent->body ? parent->body : "";
        in.parent_author_name = parent->author_name ? parent->author_name : "";
    }
    /* The engine and settings of the article's site (docs/SITES.md). */
    int64_t site = api_article_site(art->id);
    const config *cfg = api_site_config(r, site);
    const moderation *mod = api_site_moderation(r, site);
    if (r->user != NULL) {
        in.author_id = r->user->id;
        in.author_created_at = r->user->created_at;
        /* The author's newest 50 comments of the last day, newest first, of
         * which each rule reads only what it needs: the repeated-comment
         * check the keys of the last minutes (moderation.repeat_window_s)
         * and the bodies of those without a key of this version or with
         * the comment's own, the repeated-targeting rule the day's bodies,
         * and only on a reply to a named author. So a top-level comment
         * reads just the window's comments (the same ones of the newest 50
         * of the day that fall in it), from the index alone on SQLite,
         * and is handed only a repeat's candidates, with their bodies: a
         * comment whose key differs could not match (spam_repeat_seen). */
        bool targets = in.parent_author_name != NULL && in.parent_author_name[0] != '\0';
        assert(pre == NULL || !targets);
        int64_t from = history_from(r, mod, targets);
        int limit = RECENT_LIMIT;
        store_comment_list recent = {0};
        pl_error err;
        if (pre != NULL)
            recent = pre->recent;
        else if (store_comments_by_authors(req_store(r), &r->user->id, &limit, 1, from, from,
                                           targets ? NULL : fold, r->a, &recent, &err) < 0)
            recent = (store_comment_list){0};
        if (recent.n > 0) {
            const char **bodies = arena_alloc(r->a, recent.n * sizeof *bodies);
            int64_t *times = arena_alloc(r->a, recent.n * sizeof *times);
            moderation_fold_key *keys = arena_alloc(r->a, recent.n * sizeof *keys);
            size_t k = 0;
            for (size_t i = 0; i < recent.n; i++) {
                const store_comment *c = &recent.items[i];
                if (c->id == editing)
                    continue;
                /* No body with a key: the read left out one that cannot
                 * match; without either, the comment had an empty body. */
                bodies[k] = c->body != NULL ? c->body : c->fold.ver != 0 ? NULL : "";
                keys[k] = (moderation_fold_key){c->fold.hash, c->fold.len, c->fold.ver};
                times[k++] = c->created_at;
            }
            in.recent_bodies = bodies;
            in.recent_keys = keys;
            in.recent_times = times;
            in.n_recent = k;
        }
    }
    int64_t t0 = req_clock_ns();
    moderation_decide(mod, &in, r->a, out);
    req_metric_count(r, SITE_METRIC_COMMENTS, (int)out->decision);
    req_metric_observe(r, SITE_METRIC_MODERATION, req_clock_ns() - t0);
    /* The write step (on the writer thread) logs these; a reload may free
     * the engine they point into once this callback has returned. */
    for (size_t i = 0; i < out->n_reasons; i++) {
        out->reasons[i].rule = arena_strdup(r->a, out->reasons[i].rule);
        out->reasons[i].message = arena_strdup(r->a, out->reasons[i].message);
        out->reasons[i].excerpt = arena_strdup(r->a, out->reasons[i].excerpt);
    }
    site_words_apply(cfg, r->a, body, out);
    premoderate(r, cfg, art, editing, out);
}

static store_comment_status
status_for(moderation_decision d)
{
    return d == MOD_REJECT ? COMMENT_REJECTED : d == MOD_HOLD ? COMMENT_PENDING : COMMENT_PUBLISHED;
}

static bool
has_rule(const moderation_result *m, const char *rule)
{
    for (size_t i = 0; i < m->n_reasons; i++)
        if (strcmp(m->reasons[i].rule, rule) == 0)
            return true;
    return false;
}

/* ---- automatic suspension -------------------------------------------------- */

/* Called in the write transaction after a comment by author was refused
 * (by the engine or a moderator) or held as an attack. Suspends the author when, within the window,
 * the engine refused auto_suspend_after of their comments, or they attacked the same person (the
 * author of the parent comment) that many times. */
int
api_auto_suspend(job *j, store *s, int64_t author_id, const char *article, pl_error *err)
{
    req *r = j->r;
    /* The settings of the site of the comment that counts (docs/SITES.md),
     * copied: this runs on the writer, which may not keep a site's config. */
    site_limits lim;
    site_limits_of(req_product(r), api_article_site(article), req_config(r), &lim);
    store_comment_list recent = {0};
    int64_t since = r->now - lim.auto_suspend_window_h * 3600000LL;
    int rc = store_comments_by_author(s, author_id, since, 100, r->a, &recent, err);
    if (rc < 0)
        return rc;
    int64_t refused = 0;
    int64_t target_counts[100] = {0};
    int64_t targets[100] = {0};
    size_t ntargets = 0;
    int64_t worst = 0;
    for (size_t i = 0; i < recent.n; i++) {
        const store_comment *c = &recent.items[i];
        if (c->status == COMMENT_REJECTED)
            refused++;
        bool attack = c->moderation != NULL && (strstr(c->moderation, "\"personal_attack\"") ||
                                                strstr(c->moderation, "\"harassment\""));
        if (!attack || c->parent_id == 0)
            continue;
        store_comment parent;
        if (store_comment_get(s, c->parent_id, 0, r->a, &parent, err) < 0)
            continue;
        size_t k = 0;
        while (k < ntargets && targets[k] != parent.author_id)
            k++;
        if (k == ntargets && ntargets < 100)
            targets[ntargets++] = parent.author_id;
        if (k < 100 && ++target_counts[k] > worst)
            worst = target_counts[k];
    }
    const char *why = NULL;
    if (refused >= lim.auto_suspend_after)
        why = "repeated comments refused for breaking the community guidelines";
    else if (worst >= lim.auto_suspend_after)
        why = "repeated personal attacks on the same person";
    if (why == NULL)
        return 0;
    int64_t until = r->now + lim.auto_suspend_hours * 3600000LL;
    /* Never shorten what is already in force: a moderator's ban, or a
     * suspension that ends later. */
    store_user u;
    if ((rc = store_user_by_id(s, author_id, r->a, &u, err)) < 0)
        return rc;
    if (u.banned && (u.banned_until == 0 || u.banned_until >= until))
        return 0;
    rc = store_user_set_ban(s, author_id, true, until, why, err);
    if (rc < 0)
        return rc;
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)author_id);
    char *reason =
        arena_printf(r->a, "%s; suspended for %lld hours", why, (long long)lim.auto_suspend_hours);
    store_log_entry e = {0, r->now, 0, "auto_suspend", "user", id, reason};
    log_info("msg=\"author suspended automatically\" user=%s", id);
    if ((rc = store_log_append(s, &e, err)) < 0)
        return rc;
    return api_webhook_emit(j, s, "user.banned",
                            json_pack("{s:{s:s, s:s}, s:s, s:o, s:s, s:n}", "user", "id", id,
                                      "name", u.name, "action", "auto_suspend", "until",
                                      api_time(until), "reason", reason, "moderator"),
                            err);
}

/* ---- posting ----------------------------------------------------------- */

typedef struct post_job {
    store_comment c;
    moderation_result mod;
    json_t *mod_json; /* for the response */
    const char *title, *url;
    bool edit;
    bool unchanged; /* an edit with the very same text: nothing was written */
    bool review;    /* an edit of an approved or featured comment, held for review */
    api_pow pow;    /* a reader's first comment: the proof of work to spend */
} post_job;

static int
log_decision(job *j, store *s, post_job *pj, pl_error *err)
{
    if (pj->mod.decision == MOD_PUBLISH && !pj->mod.queue_for_review)
        return 0;
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)pj->c.id);
    const char *rules = "";
    for (size_t i = 0; i < pj->mod.n_reasons; i++)
        rules = arena_printf(j->r->a, "%s%s%s", rules, i ? "," : "", pj->mod.reasons[i].rule);
    const char *action = pj->mod.decision == MOD_PUBLISH ? "auto_review"
                         : pj->mod.decision == MOD_HOLD  ? "auto_hold"
                         : pj->edit                      ? "auto_reject_edit"
                                                         : "auto_reject";
    store_log_entry e = {0, j->r->now, 0, action, "comment", id, rules};
    return store_log_append(s, &e, err);
}

/* The account that files the engine's own review requests: a reader with
 * no password (it cannot log in), made on first use, and known by its kind
 * (USER_ENGINE), never by its address alone. */
#define REVIEWER_EMAIL "moderation-engine@parley.invalid"

static int
engine_reviewer(job *j, store *s, int64_t *id, pl_error *err)
{
    store_user u = {0};
    u.email = REVIEWER_EMAIL;
    u.name = "Parley moderation engine";
    u.pw_hash = "";
    u.role = ROLE_READER;
    u.created_at = j->r->now;
    u.kind = USER_ENGINE;
    bool created;
    int rc = store_user_of_kind(s, &u, j->r->a, &created, err);
    *id = u.id;
    return rc;
}

/* A comment published but worth a moderator's look (off topic, a new
 * account's links): the engine files a flag on it, so it appears in the
 * flagged queue with the engine's reasons as the note. One flag from a
 * fresh account never hides a comment by itself. */
static int
queue_for_review(job *j, store *s, post_job *pj, pl_error *err)
{
    int64_t reviewer;
    int rc = engine_reviewer(j, s, &reviewer, err);
    if (rc < 0)
        return rc;
    const char *reason = "other", *note = "";
    for (size_t i = 0; i < pj->mod.n_reasons; i++) {
        const char *rule = pj->mod.reasons[i].rule;
        if (strcmp(rule, "off_topic") == 0 || strcmp(rule, "spam") == 0)
            reason = rule;
        note = arena_printf(j->r->a, "%s%sAutomatic: %s", note, i ? " " : "",
                            pj->mod.reasons[i].message);
    }
    if (strlen(note) > 500)
        note = arena_strndup(j->r->a, note, 497);
    int64_t flag_id;
    rc = store_flag_insert(s, pj->c.id, reviewer, reason, note, &flag_id, err);
    return rc == PL_ECONFLICT ? 0 : rc; /* an edit re-queues an already queued comment */
}

/* comment.published for a new public comment, comment.held for a comment
 * (new or edited) that waits for a moderator. */
static int
emit_post(job *j, store *s, post_job *pj, pl_error *err)
{
    const char *event = pj->c.status == COMMENT_PENDING                  ? "comment.held"
                        : pj->c.status == COMMENT_PUBLISHED && !pj->edit ? "comment.published"
                                                                         : NULL;
    if (event == NULL || req_config(j->r)->webhook_url[0] == '\0')
        return 0;
    json_t *data = api_webhook_comment(j, s, &pj->c);
    json_t *reasons = json_array();
    for (size_t i = 0; i < pj->mod.n_reasons; i++)
        json_array_append_new(reasons, json_pack("{s:s, s:s}", "rule", pj->mod.reasons[i].rule,
                                                 "message", pj->mod.reasons[i].message));
    json_object_set_new(data, "moderation",
                        json_pack("{s:s, s:o}", "decision",
                                  pj->mod.decision == MOD_HOLD ? "hold" : "publish", "reasons",
                                  reasons));
    return api_webhook_emit(j, s, event, data, err);
}

#define EDIT_REFUSED_MSG                                                                           \
    "This comment was refused or removed and cannot be edited back; write a new comment instead."
#define REVIEW_RULE "moderator_review"
#define REVIEW_MESSAGE                                                                             \
    "A moderator approved or featured this comment; the changed text waits for their review "      \
    "before it shows again."

/* Turns a MODERATION object into a hold for a moderator's review. */
static void
mark_for_review(json_t *m)
{
    json_object_set_new(m, "decision", json_string("hold"));
    json_t *reasons = json_object_get(m, "reasons");
    if (!json_is_array(reasons)) {
        reasons = json_array();
        json_object_set_new(m, "reasons", reasons);
    }
    json_array_append_new(reasons, json_pack("{s:s, s:s, s:s}", "rule", REVIEW_RULE, "message",
                                             REVIEW_MESSAGE, "excerpt", ""));
}

/* The edit policy, decided against the comment as it is in the database
 * now (a moderator may have acted since the request was read):
 * - a rejected or deleted comment cannot be edited (403);
 * - the very same text changes nothing, whatever the engine says today;
 * - a refused new text leaves the comment as it was (422);
 * - a changed text of a comment a moderator approved or featured goes back
 *   to them (pending, no longer featured), whatever the engine says;
 * - a comment hidden by flags stays hidden until reviewed. */
static int
edit_write(job *j, store *s, post_job *pj, pl_error *err)
{
    store_comment cur;
    int rc = store_comment_get(s, pj->c.id, 0, j->r->a, &cur, err);
    if (rc < 0)
        return rc;
    if (cur.status == COMMENT_REJECTED || cur.status == COMMENT_DELETED)
        return pl_errorf(err, PL_EFORBIDDEN, EDIT_REFUSED_MSG);
    if (strcmp(cur.body ? cur.body : "", pj->c.body) == 0) {
        pj->unchanged = true;
        pj->c = cur;
        return 0;
    }
    if (pj->mod.decision == MOD_REJECT) {
        /* A refused edit leaves the comment as it was; only the log keeps
         * the attempt (the author gets 422 with the reasons). */
        return log_decision(j, s, pj, err);
    }
    bool reviewed;
    if ((rc = store_comment_reviewed(s, cur.id, &reviewed, err)) < 0)
        return rc;
    if (cur.featured || reviewed) {
        pj->review = true;
        pj->c.status = COMMENT_PENDING;
        json_t *stored = json_loads(pj->c.moderation, 0, NULL);
        if (stored != NULL) {
            mark_for_review(stored);
            char *text = json_dumps(stored, JSON_COMPACT);
            pj->c.moderation = arena_strdup(j->r->a, text);
            free(text);
            json_decref(stored);
        }
    } else if (cur.status == COMMENT_HIDDEN && pj->c.status == COMMENT_PUBLISHED) {
        /* Flags hid it until a moderator reviews it: an edit does not bring
         * it back on its own. */
        pj->c.status = COMMENT_HIDDEN;
    }
    if ((rc = store_comment_edit(s, pj->c.id, pj->c.body, pj->c.html, pj->c.status,
                                 pj->c.moderation, &pj->c.fold, j->r->now, err)) < 0)
        return rc;
    if (cur.featured && (rc = store_comment_set_featured(s, cur.id, false, err)) < 0)
        return rc;
    pj->c.featured = false;
    pj->c.edited_at = j->r->now;
    if (pj->review) {
        char id[24];
        snprintf(id, sizeof id, "%lld", (long long)cur.id);
        store_log_entry e = {0,
                             j->r->now,
                             0,
                             "edit_review",
                             "comment",
                             id,
                             cur.featured ? "edited after being featured"
                                          : "edited after a moderator approved it"};
        if ((rc = store_log_append(s, &e, err)) < 0)
            return rc;
    }
    return 1; /* written; post_write goes on */
}

/* The headline and address a comment's widget sent correct the article's
 * (the publisher's page is the authority on both), unless a moderator set
 * them: a moderator's article_update in the log locks them. Each
 * correction is logged as an automatic article_meta entry. */
static int
article_meta(job *j, store *s, const char *id, const char *title, const char *url, pl_error *err)
{
    store_article art;
    int rc = store_article_get(s, id, j->r->a, &art, err);
    if (rc == PL_ENOTFOUND)
        return store_article_ensure(s, id, title, url, err);
    if (rc < 0)
        return rc;
    bool new_title = title != NULL && strcmp(title, art.title) != 0;
    bool new_url = url != NULL && strcmp(url, art.url) != 0;
    if (!new_title && !new_url)
        return 0;
    store_log_filter f = {.article_id = id, .action = "article_update"};
    store_log_entry *e = NULL;
    size_t n = 0;
    if ((rc = store_log_query(s, &f, 1, j->r->a, &e, &n, err)) < 0)
        return rc;
    if (n > 0)
        return 0;
    store_article_changes up = {.title = new_title ? title : NULL, .url = new_url ? url : NULL};
    if ((rc = store_article_update(s, id, &up, err)) < 0)
        return rc;
    store_log_entry le = {0,
                          j->r->now,
                          0,
                          "article_meta",
                          "article",
                          id,
                          new_title && new_url ? "title and url from the publisher's page"
                          : new_title          ? "title from the publisher's page"
                                               : "url from the publisher's page"};
    return store_log_append(s, &le, err);
}

static int
post_write(job *j, store *s, pl_error *err)
{
    post_job *pj = j->data;
    int rc;
    if (pj->edit) {
        if ((rc = edit_write(j, s, pj, err)) <= 0)
            return rc;
    } else {
        if ((rc = api_pow_spend(s, &pj->pow, j->r->now, err)) < 0)
            return rc;
        if ((pj->title || pj->url) &&
            (rc = article_meta(j, s, pj->c.article_id, pj->title, pj->url, err)) < 0)
            return rc;
        rc = store_comment_insert(s, &pj->c, err);
    }
    if (rc < 0)
        return rc;
    /* Readers hear of a comment only once it is public. */
    job_change(j)->event_comment = pj->c.id;
    job_change(j)->event_author = pj->c.author_id;
    job_change(j)->event = pj->c.status == COMMENT_PUBLISHED ? (pj->edit ? "edited" : "created")
                           : pj->edit                        ? "removed"
                                                             : NULL;
    if ((rc = log_decision(j, s, pj, err)) < 0 || (rc = emit_post(j, s, pj, err)) < 0)
        return rc;
    if (pj->mod.queue_for_review && pj->c.status == COMMENT_PUBLISHED &&
        (rc = queue_for_review(j, s, pj, err)) < 0)
        return rc;
    if (!pj->edit && (rc = api_notify_reply(j, s, &pj->c, err)) < 0)
        return rc;
    if (pj->c.status == COMMENT_PENDING && (rc = api_notify_queue(j, s, err)) < 0)
        return rc;
    if (pj->mod.decision == MOD_REJECT || has_rule(&pj->mod, "personal_attack") ||
        has_rule(&pj->mod, "harassment"))
        return api_auto_suspend(j, s, pj->c.author_id, pj->c.article_id, err);
    return 0;
}

static void
post_done(job *j)
{
    post_job *pj = j->data;
    req *r = j->r;
    if (j->rc < 0) {
        json_decref(pj->mod_json);
        if (api_pow_refused(r, j->rc, &pj->pow))
            return;
        if (j->rc == PL_ENOTFOUND) {
            req_send_error(r, 404, "not_found", "The comment you reply to does not exist.",
                           "parent_id", NULL);
            return;
        }
        if (j->rc == PL_ESTORE)
            log_error("msg=\"comment write failed\" error=\"%s\"", j->err.msg);
        api_send_rc(r, j->rc, &j->err);
        return;
    }
    if (pj->review)
        mark_for_review(pj->mod_json);
    if (pj->unchanged) {
        /* Nothing was decided: say where the comment stands. */
        json_decref(pj->mod_json);
        pj->mod_json = json_pack("{s:s, s:[]}", "decision",
                                 pj->c.status == COMMENT_PUBLISHED ? "publish" : "hold", "reasons");
    }
    if (pj->mod.decision == MOD_REJECT && !pj->unchanged) {
        req_send_error(r, 422, "guideline_violation",
                       "This comment breaks the community guidelines and was not published; "
                       "see the reasons, and edit it.",
                       NULL, json_pack("{s:o}", "moderation", pj->mod_json));
        return;
    }
    json_t *c = api_comment_json(&pj->c);
    req_send_json(r, pj->edit ? 200 : 201,
                  json_pack("{s:o, s:o}", "comment", c, "moderation", pj->mod_json));
}

/* A top-level comment's article and its author's repeat window, in one
 * read (store_article_recent); the body is folded first, for its repeat
 * key. The same read as decide's own for a comment without a parent. */
static bool
load_article_recent(req *r, const char *id, const char *body, store_article *out, early_read *e)
{
    e->folded = moderation_fold(body, strlen(body), r->a, &e->key);
    int64_t from = history_from(r, api_site_moderation(r, api_article_site(id)), false);
    store_fold_key want = {e->key.hash, e->key.len, e->key.ver};
    pl_error err;
    int rc = store_article_recent(req_store(r), id, r->user->id, RECENT_LIMIT, from, from, &want,
                                  r->a, out, &e->recent, &err);
    if (rc == 0 && out->id == NULL)
        rc = PL_ENOTFOUND;
    return article_read(r, id, rc, &err, out);
}

/* Fills pj->c's body, html, status and moderation from the decision. */
static void
prepare(req *r, post_job *pj, const char *body, const store_article *art,
        const store_comment *parent, const bot_traps *traps, const early_read *pre)
{
    decide(r, body, art, parent, pj->edit ? pj->c.id : 0, traps, pre, &pj->mod, &pj->c.fold);
    pj->mod_json = moderation_result_to_json(&pj->mod, false);
    json_t *stored = moderation_result_to_json(&pj->mod, true);
    char *text = json_out_compact(stored, NULL); /* json_dumps(stored, JSON_COMPACT)'s bytes */
    pj->c.moderation = arena_strdup(r->a, text);
    free(text);
    json_decref(stored);
    pj->c.body = body;
    pj->c.html = md_render_html(r->a, body, strlen(body));
    pj->c.status = status_for(pj->mod.decision);
}

/* Where a reply to parent is stored: under parent, unless parent is already
 * THREAD_DEPTH_MAX deep; then beside it, under the comment parent is shown
 * beneath (the thread stays at most that deep). The engine still judges the
 * reply against the comment it answers. */
static bool
reply_parent(req *r, const store_comment *parent, int64_t *out)
{
    *out = parent->id;
    store *s = req_store(r);
    pl_error err;
    store_comment up = *parent;
    int depth = 0; /* parent's, once the walk reaches the top */
    while (up.parent_id != 0 && depth <= THREAD_DEPTH_MAX) {
        int64_t pid = up.parent_id;
        if (store_comment_get(s, pid, 0, r->a, &up, &err) < 0) {
            api_send_rc(r, PL_ESTORE, &err);
            return false;
        }
        depth++;
    }
    if (depth < THREAD_DEPTH_MAX)
        return true;
    if (depth == THREAD_DEPTH_MAX) {
        *out = parent->parent_id;
        return true;
    }
    /* Deeper still: a thread from before the limit. Ask the thread where
     * parent is shown. */
    store_comment_list all = {0};
    int rc = store_comments_replies(s, &parent->root_id, 1, 0, r->a, &all, &err);
    if (rc < 0) {
        api_send_rc(r, rc, &err);
        return false;
    }
    thread t;
    thread_build(r->a, parent->root_id, &all, NULL, 0, &t);
    for (size_t i = 0; i < t.n; i++)
        if (t.v[i].c->id == parent->id)
            *out = t.v[i].shown_parent;
    return true;
}

/* fill_ms: optional, a whole number of milliseconds from 0; a form left
 * open for more than a day counts as a day. */
static bool
fill_time(req *r, json_t *o, bot_traps *t)
{
    json_t *v = json_object_get(o, "fill_ms");
    if (v == NULL || json_is_null(v))
        return true;
    if (!json_is_integer(v) || json_integer_value(v) < 0) {
        req_send_error(r, 400, "invalid_field",
                       "fill_ms must be a whole number of milliseconds, 0 or more.", "fill_ms",
                       NULL);
        return false;
    }
    t->fill_known = true;
    t->fill_ms = json_integer_value(v) > 86400000 ? 86400000 : (int64_t)json_integer_value(v);
    return true;
}

/* With the setting pow on, a reader's first comment (no comment of theirs
 * stored yet, whatever its status) needs a proof of work (pow.c): accounts
 * made by single sign-on or an import never registered through one. */
static bool
first_comment_pow(req *r, const char *altcha, api_pow *pow)
{
    *pow = (api_pow){0};
    if (!req_config(r)->pow || r->user->role != ROLE_READER)
        return true;
    /* Whether the author wrote any comment: one id, no body. */
    store_comment_list mine = {0};
    pl_error err;
    int one = 1;
    int rc = store_comments_by_authors(req_store(r), &r->user->id, &one, 1, INT64_MIN, INT64_MAX,
                                       NULL, r->a, &mine, &err);
    if (rc < 0) {
        api_send_rc(r, rc, &err);
        return false;
    }
    return mine.n > 0 || api_pow_check(r, altcha, pow);
}

void
api_comment_post(req *r, const route_args *a)
{
    if (!api_article_id(r, a->seg[0]))
        return;
    const store_site *site = api_site(r);
    if (site == NULL)
        return;
    const char *article_id = api_article_key(r, site, a->seg[0]);
    if (!api_require_writer(r) || !req_rate_limit(r, LIMIT_COMMENT))
        return;
    static const char *const allowed[] = {"body",     "parent_id", "article_title", "article_url",
                                          "honeypot", "fill_ms",   "altcha",        NULL};
    json_t *o = api_body_object(r, allowed);
    if (o == NULL)
        return;
    const char *body, *parent_s, *title, *url, *honeypot, *altcha;
    size_t max = (size_t)req_config(r)->max_comment_chars;
    bot_traps traps = {0};
    bool ok = api_req_string(r, o, "body", max, true, true, &body) &&
              api_opt_string(r, o, "parent_id", 32, false, false, &parent_s) &&
              api_opt_string(r, o, "article_title", 300, false, false, &title) &&
              api_opt_string(r, o, "article_url", 2000, false, false, &url) &&
              api_opt_string(r, o, "honeypot", 1000, true, false, &honeypot) &&
              api_opt_string(r, o, "altcha", 1024, false, false, &altcha) &&
              fill_time(r, o, &traps);
    json_decref(o);
    if (!ok)
        return;
    traps.honeypot = honeypot != NULL && honeypot[0] != '\0';
    if (url != NULL && !api_site_url(r, site, url)) {
        req_send_error(r, 400, "invalid_field",
                       "article_url must be an http or https URL on one of this site's own "
                       "origins (public_url, allowed_origins or the site's origins).",
                       "article_url", NULL);
        return;
    }
    /* A top-level comment reads its article and its author's repeat window
     * together (one round trip on PostgreSQL); a reply reads its parent
     * first, since a reply to a named author reads the whole day. */
    store_article art;
    early_read early, *pre = NULL;
    if (parent_s == NULL) {
        if (!load_article_recent(r, article_id, body, &art, &early))
            return;
        pre = &early;
    } else if (!load_article(r, article_id, &art)) {
        return;
    }
    if (art.status == ARTICLE_CLOSED) {
        req_send_error(r, 423, "comments_closed", "Comments on this article are closed.", NULL,
                       NULL);
        return;
    }
    store_comment parent = {0};
    bool has_parent = false;
    if (parent_s != NULL) {
        int64_t pid;
        pl_error err;
        int rc = parse_int(parent_s, 1, INT64_MAX, &pid) < 0
                     ? PL_ENOTFOUND
                     : store_comment_get(req_store(r), pid, 0, r->a, &parent, &err);
        if (rc == 0 &&
            (strcmp(parent.article_id, article_id) != 0 || parent.status == COMMENT_REJECTED ||
             parent.status == COMMENT_DELETED || parent.status == COMMENT_HIDDEN ||
             (parent.status == COMMENT_PENDING && parent.author_id != r->user->id)))
            rc = PL_ENOTFOUND;
        if (rc == PL_ENOTFOUND) {
            req_send_error(r, 404, "not_found",
                           "The comment you reply to does not exist in this article.", "parent_id",
                           NULL);
            return;
        }
        if (rc < 0) {
            api_send_rc(r, rc, &err);
            return;
        }
        has_parent = true;
    }
    int64_t shown_parent = 0;
    if (has_parent && !reply_parent(r, &parent, &shown_parent))
        return;
    api_pow pow;
    if (!first_comment_pow(r, altcha, &pow))
        return;
    post_job *pj = arena_zalloc(r->a, sizeof *pj);
    pj->pow = pow;
    pj->c.article_id = article_id;
    pj->c.parent_id = shown_parent;
    pj->c.author_id = r->user->id;
    pj->c.author_name = r->user->name;
    pj->c.author_role = r->user->role;
    pj->c.created_at = r->now;
    pj->title = title;
    pj->url = url;
    prepare(r, pj, body, &art, has_parent ? &parent : NULL, &traps, pre);
    job *j = job_new(r, pj);
    j->write = post_write;
    j->batch = true; /* post_write sets again all it keeps: may run twice */
    j->done = post_done;
    job_change(j)->article = article_id;
    job_submit(j);
}

/* Loads a comment named in the path for a change by the current user. */
static bool
load_own_comment(req *r, const char *id_s, store_comment *c)
{
    int64_t id;
    if (!api_comment_id(r, id_s, &id))
        return false;
    pl_error err;
    int rc = store_comment_get(req_store(r), id, r->user ? r->user->id : 0, r->a, c, &err);
    if (rc == PL_ENOTFOUND || (rc == 0 && c->status == COMMENT_DELETED)) {
        req_send_error(r, 404, "not_found", "There is no such comment.", NULL, NULL);
        return false;
    }
    if (rc < 0) {
        api_send_rc(r, rc, &err);
        return false;
    }
    return true;
}

void
api_comment_patch(req *r, const route_args *a)
{
    if (!api_require_writer(r) || !req_rate_limit(r, LIMIT_COMMENT))
        return;
    store_comment c;
    if (!load_own_comment(r, a->seg[0], &c))
        return;
    if (c.author_id != r->user->id) {
        req_send_error(r, 403, "forbidden", "You can only edit your own comments.", NULL, NULL);
        return;
    }
    if (c.status == COMMENT_REJECTED) {
        req_send_error(r, 403, "forbidden", EDIT_REFUSED_MSG, NULL, NULL);
        return;
    }
    if (r->now - c.created_at >= req_config(r)->edit_window_s * 1000) {
        req_send_error(r, 403, "edit_window_closed", "The time to edit this comment has passed.",
                       NULL, NULL);
        return;
    }
    static const char *const allowed[] = {"body", NULL};
    json_t *o = api_body_object(r, allowed);
    if (o == NULL)
        return;
    const char *body;
    bool ok =
        api_req_string(r, o, "body", (size_t)req_config(r)->max_comment_chars, true, true, &body);
    json_decref(o);
    if (!ok)
        return;
    store_article art;
    if (!load_article(r, c.article_id, &art))
        return;
    if (art.status == ARTICLE_CLOSED) {
        req_send_error(r, 423, "comments_closed", "Comments on this article are closed.", NULL,
                       NULL);
        return;
    }
    store_comment parent = {0};
    bool has_parent = c.parent_id != 0 &&
                      store_comment_get(req_store(r), c.parent_id, 0, r->a, &parent, NULL) == 0;
    post_job *pj = arena_zalloc(r->a, sizeof *pj);
    pj->c = c;
    pj->edit = true;
    prepare(r, pj, body, &art, has_parent ? &parent : NULL, NULL, NULL);
    job *j = job_new(r, pj);
    j->write = post_write;
    j->done = post_done;
    job_change(j)->article = c.article_id;
    job_submit(j);
}

typedef struct simple_job {
    int64_t id;
    int64_t n;
    bool moderator;
} simple_job;

static int
delete_write(job *j, store *s, pl_error *err)
{
    simple_job *sj = j->data;
    int rc = store_comment_set_status(s, sj->id, COMMENT_DELETED, err);
    if (rc < 0 || !sj->moderator)
        return rc;
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)sj->id);
    store_log_entry e = {0, j->r->now, j->r->user->id, "delete", "comment", id, ""};
    return store_log_append(s, &e, err);
}

static void
empty_done(job *j)
{
    if (j->rc < 0) {
        api_send_rc(j->r, j->rc, &j->err);
        return;
    }
    req_send_empty(j->r, 204);
}

void
api_comment_delete(req *r, const route_args *a)
{
    if (!api_require_user(r))
        return;
    store_comment c;
    if (!load_own_comment(r, a->seg[0], &c))
        return;
    bool moderator = r->user->role == ROLE_MODERATOR || r->user->role == ROLE_ADMIN;
    if (c.author_id != r->user->id && !moderator) {
        req_send_error(r, 403, "forbidden", "You can only delete your own comments.", NULL, NULL);
        return;
    }
    /* Someone else's comment: only staff with no ban in force, of its site. */
    if (c.author_id != r->user->id &&
        (!api_require_moderator(r) || !api_mod_site_allowed(r, api_article_site(c.article_id))))
        return;
    if (c.author_id == r->user->id && !api_require_writer(r))
        return;
    simple_job *sj = arena_zalloc(r->a, sizeof *sj);
    sj->id = c.id;
    sj->moderator = c.author_id != r->user->id;
    job *j = job_new(r, sj);
    j->write = delete_write;
    j->done = empty_done;
    job_change(j)->article = c.article_id;
    job_change(j)->event = "removed";
    job_change(j)->event_comment = c.id;
    job_change(j)->event_author = c.author_id;
    job_submit(j);
}

/* ---- likes ------------------------------------------------------------- */

static int
like_add_write(job *j, store *s, pl_error *err)
{
    simple_job *sj = j->data;
    return store_like_add(s, sj->id, j->r->user->id, &sj->n, err);
}

static int
like_remove_write(job *j, store *s, pl_error *err)
{
    simple_job *sj = j->data;
    return store_like_remove(s, sj->id, j->r->user->id, &sj->n, err);
}

static void
like_done(job *j)
{
    simple_job *sj = j->data;
    if (j->rc < 0) {
        api_send_rc(j->r, j->rc, &j->err);
        return;
    }
    req_send_json(j->r, 200, json_pack("{s:I}", "likes", (json_int_t)sj->n));
}

static void
like(req *r, const route_args *a, bool add)
{
    if (!api_require_writer(r))
        return;
    store_comment c;
    if (!load_own_comment(r, a->seg[0], &c))
        return;
    if (c.status != COMMENT_PUBLISHED) {
        req_send_error(r, 404, "not_found", "There is no such comment.", NULL, NULL);
        return;
    }
    simple_job *sj = arena_zalloc(r->a, sizeof *sj);
    sj->id = c.id;
    job *j = job_new(r, sj);
    j->write = add ? like_add_write : like_remove_write;
    j->done = like_done;
    job_change(j)->article = c.article_id;
    job_submit(j);
}

void
api_like_post(req *r, const route_args *a)
{
    like(r, a, true);
}

void
api_like_delete(req *r, const route_args *a)
{
    like(r, a, false);
}

/* ---- check ------------------------------------------------------------- */

void
api_check(req *r, const route_args *a)
{
    (void)a;
    /* comment_id (an extension): the comment being edited, so its own
     * current text does not count as an earlier post of the same words. */
    static const char *const allowed[] = {"article_id", "body", "parent_id", "comment_id", NULL};
    json_t *o = api_body_object(r, allowed);
    if (o == NULL)
        return;
    const char *article_id, *body, *parent_s, *editing_s;
    bool ok =
        api_req_string(r, o, "article_id", 128, false, false, &article_id) &&
        api_req_string(r, o, "body", (size_t)req_config(r)->max_comment_chars, true, true, &body) &&
        api_opt_string(r, o, "parent_id", 32, false, false, &parent_s) &&
        api_opt_string(r, o, "comment_id", 32, false, false, &editing_s);
    json_decref(o);
    if (!ok || !api_article_ref(r, article_id, &article_id))
        return;
    store_article art;
    if (!load_article(r, article_id, &art))
        return;
    store_comment parent = {0};
    bool has_parent = false;
    int64_t pid;
    if (parent_s != NULL && parse_int(parent_s, 1, INT64_MAX, &pid) == 0 &&
        store_comment_get(req_store(r), pid, 0, r->a, &parent, NULL) == 0 &&
        strcmp(parent.article_id, article_id) == 0)
        has_parent = true;
    int64_t editing = 0;
    if (editing_s != NULL && parse_int(editing_s, 1, INT64_MAX, &editing) < 0)
        editing = 0;
    moderation_result m;
    store_fold_key fold;
    decide(r, body, &art, has_parent ? &parent : NULL, editing, NULL, NULL, &m, &fold);
    req_send_json(r, 200, moderation_result_to_json(&m, false));
}
