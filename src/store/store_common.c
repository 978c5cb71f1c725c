/* store/store_common.c: the parts of reading a thread that do not depend on
 * the database: deciding which comments of a thread a reader sees (and which
 * stay as placeholders), and ordering replies; the search's query text;
 * adding up the rows of the desk's numbers; folding e-mail addresses.
 * sqlite.c and postgres.c fetch the rows their own way and share these, so
 * both keep the same rule. Also the log lines of a schema upgrade. */
#include "store/store_int.h"
#include "util/log.h"
#include "util/text.h"
#include "util/xalloc.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

int
store_cmp_created(const void *x, const void *y)
{
    const store_comment *a = x, *b = y;
    if (a->created_at != b->created_at)
        return a->created_at < b->created_at ? -1 : 1;
    return (a->id > b->id) - (a->id < b->id);
}

/* Index of the comment with this id in v[0..n) sorted by id, or -1. */
static ptrdiff_t
find_id(const store_comment *v, size_t n, int64_t id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && v[lo].id == id ? (ptrdiff_t)lo : -1;
}

size_t
store_thread_filter(store_comment *v, size_t n, int64_t viewer_id, arena *a)
{
    /* Walking the ids downwards sees every child before its parent, so one
     * pass settles which comments have a visible descendant. */
    unsigned char *state = arena_zalloc(a, n != 0 ? n : 1); /* bit 1 visible, 2 has visible desc */
    for (size_t k = n; k-- > 0;) {
        const store_comment *c = &v[k];
        bool visible =
            c->status == COMMENT_PUBLISHED ||
            (c->status == COMMENT_PENDING && viewer_id != 0 && c->author_id == viewer_id) ||
            (state[k] & 2) != 0; /* a placeholder, whatever its own status */
        if (visible)
            state[k] |= 1;
        if (state[k] != 0) {
            ptrdiff_t p = find_id(v, k, c->parent_id);
            if (p >= 0)
                state[p] |= 2;
        }
    }
    size_t kept = 0;
    for (size_t k = 0; k < n; k++)
        if (state[k] & 1)
            v[kept++] = v[k];
    return kept;
}

void
store_viewer_layer_fill(store_viewer_layer *out, const int64_t *rows, size_t n, arena *a)
{
    memset(out, 0, sizeof *out);
    size_t liked = 0, muted = 0;
    for (size_t i = 0; i < n; i++) {
        liked += rows[2 * i] == 1;
        muted += rows[2 * i] == 2;
    }
    out->liked = arena_alloc(a, (liked ? liked : 1) * sizeof *out->liked);
    out->muted = arena_alloc(a, (muted ? muted : 1) * sizeof *out->muted);
    for (size_t i = 0; i < n; i++) {
        int64_t id = rows[2 * i + 1];
        switch (rows[2 * i]) {
        case 1:
            out->liked[out->n_liked++] = id;
            break;
        case 2:
            out->muted[out->n_muted++] = id;
            break;
        case 3:
            out->own_pending = true;
            break;
        default:
            break;
        }
    }
}

char *
store_email_fold(const char *email)
{
    char *e = xstrdup(email);
    for (char *p = e; *p != '\0'; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    return e;
}

const char *
store_like_pattern(const char *text, arena *a)
{
    if (text == NULL || text[0] == '\0')
        return NULL;
    size_t len = strlen(text);
    char *p = arena_alloc(a, 2 * len + 3), *w = p;
    *w++ = '%';
    for (const char *r = text; *r != '\0'; r++) {
        if (*r == '%' || *r == '_' || *r == '\\')
            *w++ = '\\';
        *w++ = *r;
    }
    *w++ = '%';
    *w = '\0';
    return p;
}

const char *
store_trigram_phrase(const char *text, arena *a)
{
    size_t chars = 0, quotes = 0, len = 0;
    for (const char *r = text != NULL ? text : ""; *r != '\0'; r++, len++) {
        chars += ((unsigned char)*r & 0xC0) != 0x80; /* not a continuation byte */
        quotes += *r == '"';
    }
    if (chars < 3)
        return NULL;
    char *p = arena_alloc(a, len + quotes + 3), *w = p;
    *w++ = '"';
    for (const char *r = text; *r != '\0'; r++) {
        if (*r == '"')
            *w++ = '"';
        *w++ = *r;
    }
    *w++ = '"';
    *w = '\0';
    return p;
}

static bool
blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

const char *
store_fts5_query(const char *text, arena *a)
{
    if (text == NULL)
        return NULL;
    size_t len = strlen(text);
    /* At worst every byte is a quote (doubled inside its own quotes) or a
     * one-byte word with its quotes and a blank. */
    char *out = arena_alloc(a, 4 * len + 1), *w = out;
    const char *p = text;
    for (;;) {
        while (blank(*p))
            p++;
        if (*p == '\0')
            break;
        if (w != out)
            *w++ = ' ';
        *w++ = '"';
        for (; *p != '\0' && !blank(*p); p++) {
            if (*p == '"')
                *w++ = '"';
            *w++ = *p;
        }
        *w++ = '"';
    }
    *w = '\0';
    return w == out ? NULL : out;
}

bool
store_search_has_word(const char *text)
{
    for (const unsigned char *p = (const unsigned char *)text; p != NULL && *p != '\0'; p++)
        if ((*p >= '0' && *p <= '9') || ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z') || *p >= 0x80)
            return true;
    return false;
}

int
store_search_plan_pick(const store_search *f, int limit, store_comment_list *out,
                       store_search_plan *plan, pl_error *err)
{
    out->items = NULL;
    out->n = 0;
    if (limit < 1)
        return pl_errorf(err, PL_EINVAL, "limit must be positive");
    if (f->text != NULL)
        *plan = store_search_has_word(f->text) ? STORE_SEARCH_TEXT : STORE_SEARCH_NONE;
    else if (f->author_id != 0)
        *plan = STORE_SEARCH_AUTHOR;
    else if (f->article_id != NULL)
        *plan = STORE_SEARCH_ARTICLE;
    else
        *plan = f->status >= 0 ? STORE_SEARCH_STATUS : STORE_SEARCH_ALL;
    return 0;
}

const char *
store_role_name(store_role role)
{
    switch (role) {
    case ROLE_READER:
        return "reader";
    case ROLE_MODERATOR:
        return "moderator";
    case ROLE_ADMIN:
        return "admin";
    }
    return "reader";
}

int
store_role_parse(const char *s, store_role *out)
{
    if (strcmp(s, "reader") == 0)
        *out = ROLE_READER;
    else if (strcmp(s, "moderator") == 0)
        *out = ROLE_MODERATOR;
    else if (strcmp(s, "admin") == 0)
        *out = ROLE_ADMIN;
    else
        return -1;
    return 0;
}

/* ---- the desk's numbers ----------------------------------------------------- */

int
store_stats_begin(store_stats *out, int64_t from, int64_t to, arena *a, pl_error *err)
{
    memset(out, 0, sizeof *out);
    if (to <= from || (to - from) % STORE_DAY_MS != 0 ||
        (to - from) / STORE_DAY_MS > STORE_STATS_MAX_DAYS)
        return pl_errorf(err, PL_EINVAL, "The range must be 1 to %d whole days.",
                         STORE_STATS_MAX_DAYS);
    out->from = from;
    out->to = to;
    out->n_days = (size_t)((to - from) / STORE_DAY_MS);
    out->days = arena_zalloc(a, out->n_days * sizeof *out->days);
    out->median_wait = -1;
    return 0;
}

/* Day index of a row, or -1 when it falls outside the range. */
static ptrdiff_t
stats_day(const store_stats *s, int64_t day)
{
    return day >= 0 && (uint64_t)day < s->n_days ? (ptrdiff_t)day : -1;
}

/* A queue's row: +count from the day it came in, -count from the day it
 * left; store_stats_end adds the steps up. */
static int64_t *
stats_queue(store_stats_day *day, bool flagged)
{
    return flagged ? &day->flagged_queue : &day->pending_queue;
}

static void
stats_queue_row(store_stats *s, const int64_t v[4], bool flagged)
{
    int64_t in = v[0] < 0 ? 0 : v[0];
    if ((uint64_t)in >= s->n_days || v[1] < in)
        return;
    *stats_queue(&s->days[in], flagged) += v[3];
    if ((uint64_t)v[1] < s->n_days)
        *stats_queue(&s->days[v[1]], flagged) -= v[3];
}

static store_stats_reason *
stats_reason(store_stats *s, const char *reason, arena *a)
{
    for (size_t i = 0; i < s->n_reasons; i++)
        if (strcmp(s->reasons[i].reason, reason) == 0)
            return &s->reasons[i];
    if (s->n_reasons == 64) /* the API knows ten; anything else is kept out */
        return NULL;
    if (s->reasons == NULL)
        s->reasons = arena_zalloc(a, 64 * sizeof *s->reasons);
    store_stats_reason *r = &s->reasons[s->n_reasons++];
    r->reason = arena_strndup(a, reason, strlen(reason));
    r->per_day = arena_zalloc(a, s->n_days * sizeof *r->per_day);
    return r;
}

void
store_stats_row(store_stats *s, store_stats_query q, const int64_t v[4], const char *text, arena *a)
{
    ptrdiff_t d = stats_day(s, v[0]);
    if (q == STATS_Q_PENDING || q == STATS_Q_FLAGGED) {
        stats_queue_row(s, v, q == STATS_Q_FLAGGED);
        return;
    }
    if (d < 0)
        return;
    store_stats_day *day = &s->days[d];
    if (q == STATS_Q_COMMENTS) {
        if (v[1] >= 0 && v[1] < 5)
            day->comments[v[1]] += v[3];
    } else if (q == STATS_Q_DECISIONS) {
        *(v[1] ? &day->rejected : &day->approved) += v[3];
        s->decisions += v[3];
        for (int64_t k = 0; k < v[3]; k++) {
            if (s->n_waits == s->cap_waits) {
                size_t cap = s->cap_waits ? 2 * s->cap_waits : 256;
                int64_t *w = arena_alloc(a, cap * sizeof *w);
                int *wd = arena_alloc(a, cap * sizeof *wd);
                if (s->n_waits) {
                    memcpy(w, s->waits, s->n_waits * sizeof *w);
                    memcpy(wd, s->wait_days, s->n_waits * sizeof *wd);
                }
                s->waits = w;
                s->wait_days = wd;
                s->cap_waits = cap;
            }
            s->waits[s->n_waits] = v[2] < 0 ? 0 : v[2];
            s->wait_days[s->n_waits++] = (int)d;
        }
    } else if (q == STATS_Q_FLAGS) {
        day->flags += v[3];
        store_stats_reason *r = stats_reason(s, text != NULL ? text : "", a);
        if (r != NULL) {
            r->count += v[3];
            r->per_day[d] += v[3];
            if (v[2] >= 0 && v[2] < 3)
                r->outcome[v[2]] += v[3];
        }
    } else if (q == STATS_Q_ENGINE && v[1] >= 0 && v[1] < 3) {
        day->engine[v[1]] += v[3];
        s->engine[v[1]] += v[3];
        if (v[2] == 1) {
            day->overturned += v[3];
            s->overturned[v[1]] += v[3];
        } else if (v[2] == 2) {
            day->upheld += v[3];
            s->upheld[v[1]] += v[3];
        }
    }
}

static int
cmp_i64(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return (a > b) - (a < b);
}

static int
cmp_reason(const void *x, const void *y)
{
    const store_stats_reason *a = x, *b = y;
    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    return strcmp(a->reason, b->reason);
}

/* The median of v[0..n) sorted; the mean of the middle two when n is even. */
static int64_t
median(const int64_t *v, size_t n)
{
    return n == 0 ? -1 : n % 2 ? v[n / 2] : v[n / 2 - 1] + (v[n / 2] - v[n / 2 - 1]) / 2;
}

static void
swap_i64(int64_t *x, int64_t *y)
{
    int64_t t = *x;
    *x = *y;
    *y = t;
}

/* Puts v[0..n)'s k-th smallest value (k < n) at v[k], the smaller ones
 * before it and the others after it (quickselect, median-of-three pivot;
 * linear on the day-sorted runs the waits come in). After 64 rounds the
 * rest is sorted, so no order of values makes it quadratic. */
static void
select_kth(int64_t *v, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1;
    for (int round = 0; lo < hi; round++) {
        if (round == 64) {
            qsort(v + lo, hi - lo + 1, sizeof *v, cmp_i64);
            return;
        }
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid] < v[lo])
            swap_i64(&v[mid], &v[lo]);
        if (v[hi] < v[lo])
            swap_i64(&v[hi], &v[lo]);
        if (v[hi] < v[mid])
            swap_i64(&v[hi], &v[mid]);
        int64_t pivot = v[mid];
        size_t i = lo, j = hi;
        while (i <= j) { /* Hoare: v[lo..j] <= pivot <= v[i..hi] */
            while (v[i] < pivot)
                i++;
            while (v[j] > pivot)
                j--;
            if (i <= j) {
                swap_i64(&v[i], &v[j]);
                i++;
                if (j == 0)
                    break;
                j--;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            return; /* between j and i: every value there is the pivot */
    }
}

/* The median of v[0..n) in any order, as median() gives it sorted; v is
 * reordered. */
static int64_t
median_unsorted(int64_t *v, size_t n)
{
    if (n == 0)
        return -1;
    size_t k = n / 2;
    select_kth(v, n, k);
    if (n % 2)
        return v[k];
    int64_t below = v[0]; /* the largest of v[0..k): the (k-1)-th smallest */
    for (size_t i = 1; i < k; i++)
        if (v[i] > below)
            below = v[i];
    return below + (v[k] - below) / 2;
}

void
store_stats_end(store_stats *s, arena *a)
{
    int64_t pending = 0, flagged = 0;
    for (size_t i = 0; i < s->n_days; i++) {
        s->days[i].pending_queue = pending += s->days[i].pending_queue;
        s->days[i].flagged_queue = flagged += s->days[i].flagged_queue;
        s->days[i].median_wait = -1;
    }
    /* The waits come by day, then by wait: each day's run is sorted. The
     * rows of several sites come one site after the other: they are put
     * in day order (a counting sort) and each day's run sorted. */
    if (s->waits_unsorted && s->n_waits > 1) {
        size_t *at = arena_zalloc(a, (s->n_days + 1) * sizeof *at);
        for (size_t i = 0; i < s->n_waits; i++)
            at[s->wait_days[i] + 1]++;
        for (size_t d = 0; d < s->n_days; d++)
            at[d + 1] += at[d];
        int64_t *w = arena_alloc(a, s->n_waits * sizeof *w);
        int *wd = arena_alloc(a, s->n_waits * sizeof *wd);
        for (size_t i = 0; i < s->n_waits; i++) {
            size_t to = at[s->wait_days[i]]++;
            w[to] = s->waits[i];
            wd[to] = s->wait_days[i];
        }
        s->waits = w;
        s->wait_days = wd;
        for (size_t i = 0, j; i < s->n_waits; i = j) {
            for (j = i; j < s->n_waits && s->wait_days[j] == s->wait_days[i]; j++)
                ;
            qsort(s->waits + i, j - i, sizeof *s->waits, cmp_i64);
        }
    }
    for (size_t i = 0, j; i < s->n_waits; i = j) {
        for (j = i; j < s->n_waits && s->wait_days[j] == s->wait_days[i]; j++)
            ;
        s->days[s->wait_days[i]].median_wait = median(s->waits + i, j - i);
    }
    if (s->n_waits > 0) {
        int64_t *all = arena_alloc(a, s->n_waits * sizeof *all);
        memcpy(all, s->waits, s->n_waits * sizeof *all);
        s->median_wait = median_unsorted(all, s->n_waits);
    }
    if (s->n_reasons > 1)
        qsort(s->reasons, s->n_reasons, sizeof *s->reasons, cmp_reason);
}

int64_t
migration_starts(const char *db, int64_t from, int to)
{
    if (from <= 0)
        return 0;
    log_info("msg=\"applying migration\" db=%s version=%d from=%lld", db, to, (long long)from);
    int64_t now = time_now_ms();
    return now != 0 ? now : 1;
}

void
migration_done(const char *db, int to, int64_t started)
{
    log_info("msg=\"applied migration\" db=%s version=%d ms=%lld", db, to,
             (long long)(time_now_ms() - started));
}
