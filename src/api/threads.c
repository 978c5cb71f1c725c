/* api/threads.c: see threads.h. */
#include "api/threads.h"

#include "util/xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int
cmp_id(const void *x, const void *y)
{
    const thread_reply *a = x, *b = y;
    return (a->c->id > b->c->id) - (a->c->id < b->c->id);
}

/* Index of the reply with this id, or -1. */
static ptrdiff_t
find(const thread *t, int64_t id)
{
    size_t lo = 0, hi = t->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->v[mid].c->id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < t->n && t->v[lo].c->id == id ? (ptrdiff_t)lo : -1;
}

bool
thread_muted(const int64_t *muted, size_t n, int64_t id)
{
    for (size_t i = 0; i < n; i++)
        if (muted[i] == id)
            return true;
    return false;
}

void
thread_build(arena *a, int64_t root_id, const store_comment_list *all, const int64_t *muted,
             size_t n_muted, thread *out)
{
    size_t n = 0;
    for (size_t i = 0; i < all->n; i++)
        if (all->items[i].root_id == root_id && all->items[i].id != root_id)
            n++;
    out->root_id = root_id;
    out->n = 0;
    out->v = arena_zalloc(a, (n ? n : 1) * sizeof *out->v);
    for (size_t i = 0; i < all->n; i++)
        if (all->items[i].root_id == root_id && all->items[i].id != root_id)
            out->v[out->n++].c = &all->items[i];
    qsort(out->v, out->n, sizeof *out->v, cmp_id);
    /* Parents have smaller ids than their replies, so one pass in id order
     * settles every depth from its parent's. A parent that is not visible
     * does not occur (the store keeps placeholders); if it did, the reply
     * would show under the top-level comment. */
    for (size_t i = 0; i < out->n; i++) {
        thread_reply *t = &out->v[i];
        ptrdiff_t p = t->c->parent_id == root_id ? -1 : find(out, t->c->parent_id);
        if (p < 0 || (size_t)p >= i) {
            t->depth = 1;
            t->shown_parent = root_id;
        } else if (out->v[p].depth >= THREAD_DEPTH_MAX) {
            t->depth = out->v[p].depth;
            t->shown_parent = out->v[p].shown_parent;
        } else {
            t->depth = out->v[p].depth + 1;
            t->shown_parent = out->v[p].c->id;
        }
        ptrdiff_t shown = t->shown_parent == root_id ? -1 : find(out, t->shown_parent);
        t->skipped =
            (t->c->status != COMMENT_DELETED && thread_muted(muted, n_muted, t->c->author_id)) ||
            (shown >= 0 && out->v[shown].skipped);
    }
}

size_t
thread_cost(const store_comment *c)
{
    /* The fixed fields of COMMENT, the name and the html (escaping in JSON
     * adds little to sanitised HTML). */
    return 320 + (c->author_name ? strlen(c->author_name) : 0) + (c->html ? strlen(c->html) : 0);
}

bool
thread_take(thread_budget *b, const store_comment *c, bool is_reply)
{
    size_t cost = thread_cost(c);
    if (cost > b->bytes || (is_reply && b->replies == 0))
        return false;
    b->bytes -= cost;
    if (is_reply)
        b->replies--;
    return true;
}

json_t *
thread_reply_json(const thread_reply *t)
{
    json_t *o = api_comment_json(t->c);
    json_object_set_new(o, "parent_id", api_id(t->shown_parent));
    return o;
}

size_t
thread_after(const thread *t, int64_t after)
{
    size_t lo = 0, hi = t->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->v[mid].c->id <= after)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* ---- personal views ------------------------------------------------------ */

#define LIKED_KEY "\"liked_by_me\":"

static int64_t
json_id(const json_t *v)
{
    const char *s = json_string_value(v);
    return s != NULL ? strtoll(s, NULL, 10) : 0;
}

/* Walks the comments of list and their replies in document order (each
 * comment's own members, liked_by_me among them, come before its "replies"),
 * filling m[0..) unless m is NULL. Returns how many, or SIZE_MAX when they
 * nest deeper than a thread can. */
static size_t
walk_comments(const json_t *list, cache_mark *m)
{
    struct {
        const json_t *list;
        size_t i;
    } st[THREAD_DEPTH_MAX + 2];
    size_t depth = 1, k = 0;
    st[0].list = list;
    st[0].i = 0;
    while (depth > 0) {
        const json_t *c = json_array_get(st[depth - 1].list, st[depth - 1].i++);
        if (c == NULL) {
            depth--;
            continue;
        }
        if (m != NULL) {
            m[k].id = json_id(json_object_get(c, "id"));
            m[k].author_id = json_id(json_object_get(json_object_get(c, "author"), "id"));
        }
        k++;
        const json_t *replies = json_object_get(c, "replies");
        if (json_array_size(replies) > 0) {
            if (depth == sizeof st / sizeof st[0])
                return SIZE_MAX;
            st[depth].list = replies;
            st[depth].i = 0;
            depth++;
        }
    }
    return k;
}

bool
thread_marks(arena *a, const json_t *comments, const char *text, cache_mark **out, size_t *n)
{
    size_t want = walk_comments(comments, NULL);
    if (want == SIZE_MAX) {
        *out = NULL;
        *n = 0;
        return false;
    }
    cache_mark *m = arena_alloc(a, (want ? want : 1) * sizeof *m);
    walk_comments(comments, m);
    const char *p = text;
    size_t found = 0;
    while ((p = strstr(p, LIKED_KEY)) != NULL) {
        p += strlen(LIKED_KEY);
        if (found == want || strncmp(p, "false", 5) != 0)
            break;
        m[found++].at = (size_t)(p - text);
    }
    if (p != NULL || found != want) {
        *out = NULL;
        *n = 0;
        return false;
    }
    *out = m;
    *n = want;
    return true;
}

static bool
has_id(const int64_t *v, size_t n, int64_t id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && v[lo] == id;
}

bool
thread_marks_muted(const cache_mark *m, size_t n, const int64_t *muted, size_t n_muted)
{
    for (size_t i = 0; i < n && n_muted > 0; i++)
        if (m[i].author_id != 0 && has_id(muted, n_muted, m[i].author_id))
            return true;
    return false;
}

char *
thread_personal(const char *text, size_t len, const cache_mark *m, size_t n, const int64_t *liked,
                size_t n_liked, size_t *out_len)
{
    char *out = xmalloc(len + 1);
    size_t from = 0, o = 0;
    for (size_t i = 0; i < n && n_liked > 0; i++) {
        if (!has_id(liked, n_liked, m[i].id))
            continue;
        memcpy(out + o, text + from, m[i].at - from);
        o += m[i].at - from;
        memcpy(out + o, "true", 4);
        o += 4;
        from = m[i].at + 5; /* past "false" */
    }
    memcpy(out + o, text + from, len - from);
    o += len - from;
    out[o] = '\0';
    *out_len = o;
    return out;
}
