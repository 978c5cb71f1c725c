/* store/store.c: the public store functions, dispatched to a backend.
 *
 * store_open chooses the backend from the URL scheme; every other function
 * counts itself for fault injection and calls through s->ops (store_int.h).
 * An injected fault happens before the backend is called, so a failed call
 * has written nothing. rollback, savepoint_rollback, batch_rollback, close
 * and fail_after are not counted and never fail: they are how a caller cleans up after a
 * failure, so failing them would test nothing real.
 */
#include "store/store_int.h"

#include <string.h>

/* The scheme prefixes store_open accepts; the longer "sqlite://" first. */
static const char sqlite_slashes[] = "sqlite://";
static const char sqlite_plain[] = "sqlite:";

/* The file path of a sqlite: URL, or NULL for another scheme. */
static const char *
sqlite_path(const char *url)
{
    if (strncmp(url, sqlite_slashes, sizeof sqlite_slashes - 1) == 0)
        return url + sizeof sqlite_slashes - 1;
    if (strncmp(url, sqlite_plain, sizeof sqlite_plain - 1) == 0)
        return url + sizeof sqlite_plain - 1;
    return NULL;
}

static bool
postgres_url(const char *url)
{
    return strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0;
}

int
store_url_check(const char *url, pl_error *err)
{
    if (url == NULL || url[0] == '\0')
        return pl_errorf(err, PL_EINVAL, "no database URL");
    const char *path = sqlite_path(url);
    if (path != NULL && path[0] == '\0')
        return pl_errorf(err, PL_EINVAL, "sqlite URL without a path");
    if (path == NULL && !postgres_url(url))
        return pl_errorf(err, PL_EINVAL,
                         "unknown database URL scheme (want sqlite:PATH or postgres://...)");
    return 0;
}

int
store_open(const char *url, bool read_only, store **out, pl_error *err)
{
    *out = NULL;
    int rc = store_url_check(url, err);
    if (rc < 0)
        return rc;
    const char *path = sqlite_path(url);
    if (path != NULL)
        return store_sqlite_open(path, read_only, out, err);
    /* libpq reads the whole URL itself (host, port, user, dbname, options). */
    return store_postgres_open(url, read_only, out, err);
}

void
store_close(store *s)
{
    if (s != NULL)
        s->ops->close(s);
}

void
store_fail_after(store *s, int nth)
{
    s->fail_countdown = nth > 0 ? nth : 0;
}

int
store_fault_injected(store *s, pl_error *err)
{
    if (s->fail_countdown == 0)
        return 0;
    if (--s->fail_countdown > 0)
        return 0;
    pl_errorf(err, PL_ESTORE, "injected fault (store_fail_after)");
    return 1;
}

#define DISPATCH(s, err, call)                                                                     \
    do {                                                                                           \
        if (store_fault_injected((s), (err)))                                                      \
            return PL_ESTORE;                                                                      \
        return (s)->ops->call;                                                                     \
    } while (0)

/* Every operation of STORE_OPS (store_int.h): counted, then called through
 * the backend's table. */
/* NOLINTBEGIN(bugprone-macro-parentheses): params and args are lists */
#define STORE_OP_FORWARD(name, params, args)                                                       \
    int store_##name params                                                                        \
    {                                                                                              \
        DISPATCH(s, err, name args);                                                               \
    }
STORE_OPS(STORE_OP_FORWARD)
#undef STORE_OP_FORWARD
/* NOLINTEND(bugprone-macro-parentheses) */

void
store_rollback(store *s)
{
    s->ops->rollback(s);
}

void
store_savepoint_rollback(store *s)
{
    s->ops->savepoint_rollback(s);
}

int
store_batch_begin(store *s, size_t jobs, pl_error *err)
{
    if (s->ops->batch_begin == NULL)
        return 0;
    DISPATCH(s, err, batch_begin(s, jobs, err));
}

int
store_batch_end(store *s, pl_error *err)
{
    if (s->ops->batch_end == NULL)
        return 0;
    DISPATCH(s, err, batch_end(s, err));
}

/* Not counted, like the other rollbacks. */
void
store_batch_rollback(store *s)
{
    if (s->ops->batch_rollback != NULL)
        s->ops->batch_rollback(s);
}

int
store_viewer_layer_get(store *s, const char *article_id, int64_t viewer_id, arena *a,
                       store_viewer_layer *out, pl_error *err)
{
    memset(out, 0, sizeof *out);
    DISPATCH(s, err, viewer_layer(s, article_id, viewer_id, a, out, err));
}

int
store_session_layer(store *s, const unsigned char hash[STORE_TOKEN_HASH_LEN], int64_t now,
                    const char *article_id, arena *a, store_user *user, store_viewer_layer *layer,
                    pl_error *err)
{
    memset(layer, 0, sizeof *layer);
    DISPATCH(s, err, session_layer(s, hash, now, article_id, a, user, layer, err));
}

int
store_article_recent(store *s, const char *article_id, int64_t author_id, int limit, int64_t from,
                     int64_t body_since, const store_fold_key *want, arena *a, store_article *art,
                     store_comment_list *recent, pl_error *err)
{
    memset(art, 0, sizeof *art);
    *recent = (store_comment_list){0};
    if (limit < 1)
        return pl_errorf(err, PL_EINVAL, "limit must be positive");
    DISPATCH(s, err,
             article_recent(s, article_id, author_id, limit, from, body_since, want, a, art, recent,
                            err));
}

/* ---- moderation desk ---- */

int
store_pow_spend(store *s, const char *challenge, int64_t expires_at, int64_t now, pl_error *err)
{
    if (challenge == NULL || challenge[0] == '\0')
        return pl_errorf(err, PL_EINVAL, "pow_spend needs a challenge");
    DISPATCH(s, err, pow_spend(s, challenge, expires_at, now, err));
}

int
store_comment_reviewed(store *s, int64_t id, bool *reviewed, pl_error *err)
{
    *reviewed = false;
    DISPATCH(s, err, comment_reviewed(s, id, reviewed, err));
}

int
store_email_ban_get(store *s, const unsigned char hash[STORE_TOKEN_HASH_LEN], int64_t now, arena *a,
                    int64_t *ends_at, const char **reason, pl_error *err)
{
    *ends_at = 0;
    *reason = "";
    DISPATCH(s, err, email_ban_get(s, hash, now, a, ends_at, reason, err));
}

int
store_notify(store *s, const char *payload, pl_error *err)
{
    if (strlen(payload) > 7000)
        return pl_errorf(err, PL_EINVAL, "notice payload too long");
    if (s->ops->notify == NULL)
        return 0;
    DISPATCH(s, err, notify(s, payload, err));
}

int
store_listen(store *s, int *fd, pl_error *err)
{
    *fd = -1;
    if (s->ops->listen == NULL)
        return 0;
    return s->ops->listen(s, fd, err);
}

int
store_notices(store *s, void (*fn)(void *arg, const char *payload), void *arg, pl_error *err)
{
    if (s->ops->notices == NULL)
        return 0;
    return s->ops->notices(s, fn, arg, err);
}

int
store_async_start(store *s, int *fd, pl_error *err)
{
    *fd = -1;
    if (s->ops->async_start == NULL)
        return 0;
    return s->ops->async_start(s, fd, err);
}

int
store_async_send(store *s, const unsigned char hash[STORE_TOKEN_HASH_LEN], int64_t now,
                 const char *article_id, pl_error *err)
{
    if (s->ops->async_send == NULL)
        return pl_errorf(err, PL_EINVAL, "this database answers at once");
    DISPATCH(s, err, async_send(s, hash, now, article_id, err));
}

int
store_async_flush(store *s, pl_error *err)
{
    if (s->ops->async_flush == NULL)
        return 0;
    return s->ops->async_flush(s, err);
}

int
store_async_next(store *s, arena *a, store_user *user, store_viewer_layer *layer, int *result,
                 pl_error *err)
{
    if (s->ops->async_next == NULL)
        return 0;
    memset(layer, 0, sizeof *layer);
    return s->ops->async_next(s, a, user, layer, result, err);
}

int
store_rate_take(store *s, const char *key, double per_minute, double burst, int64_t now,
                int *retry_after_s, pl_error *err)
{
    *retry_after_s = 0;
    if (s->ops->rate_take == NULL)
        return 0;
    DISPATCH(s, err, rate_take(s, key, per_minute, burst, now, retry_after_s, err));
}
