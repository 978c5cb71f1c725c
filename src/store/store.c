/* store/store.c: the public store functions, dispatched to a backend.
 *
 * store_open chooses the backend from the URL scheme; every other function
 * counts itself for fault injection and calls through s->ops (store_int.h).
 * An injected fault happens before the backend is called, so a failed call
 * has written nothing. rollback, savepoint_rollback, close and fail_after
 * are not counted and never fail: they are how a caller cleans up after a
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

/* Returns nonzero (and fills err) when this call is the injected failure. */
static int
injected(store *s, pl_error *err)
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
        if (injected((s), (err)))                                                                  \
            return PL_ESTORE;                                                                      \
        return (s)->ops->call;                                                                     \
    } while (0)

int
store_ping(store *s, pl_error *err)
{
    DISPATCH(s, err, ping(s, err));
}

int
store_begin(store *s, pl_error *err)
{
    DISPATCH(s, err, begin(s, err));
}

int
store_commit(store *s, pl_error *err)
{
    DISPATCH(s, err, commit(s, err));
}

void
store_rollback(store *s)
{
    s->ops->rollback(s);
}

int
store_savepoint(store *s, pl_error *err)
{
    DISPATCH(s, err, savepoint(s, err));
}

int
store_savepoint_release(store *s, pl_error *err)
{
    DISPATCH(s, err, savepoint_release(s, err));
}

void
store_savepoint_rollback(store *s)
{
    s->ops->savepoint_rollback(s);
}

int
store_user_insert(store *s, store_user *u, pl_error *err)
{
    DISPATCH(s, err, user_insert(s, u, err));
}

int
store_user_by_id(store *s, int64_t id, arena *a, store_user *out, pl_error *err)
{
    DISPATCH(s, err, user_by_id(s, id, a, out, err));
}

int
store_user_by_email(store *s, const char *email, arena *a, store_user *out, pl_error *err)
{
    DISPATCH(s, err, user_by_email(s, email, a, out, err));
}

int
store_user_set_ban(store *s, int64_t user_id, bool banned, int64_t until, const char *reason,
                   pl_error *err)
{
    DISPATCH(s, err, user_set_ban(s, user_id, banned, until, reason, err));
}

int
store_user_set_role(store *s, int64_t user_id, store_role role, pl_error *err)
{
    DISPATCH(s, err, user_set_role(s, user_id, role, err));
}

int
store_user_set_language(store *s, int64_t user_id, const char *language, pl_error *err)
{
    DISPATCH(s, err, user_set_language(s, user_id, language, err));
}

int
store_session_insert(store *s, const unsigned char hash[STORE_TOKEN_HASH_LEN], int64_t user_id,
                     int64_t expires_at, pl_error *err)
{
    DISPATCH(s, err, session_insert(s, hash, user_id, expires_at, err));
}

int
store_session_user(store *s, const unsigned char hash[STORE_TOKEN_HASH_LEN], int64_t now, arena *a,
                   store_user *out, pl_error *err)
{
    DISPATCH(s, err, session_user(s, hash, now, a, out, err));
}

int
store_session_delete(store *s, const unsigned char hash[STORE_TOKEN_HASH_LEN], pl_error *err)
{
    DISPATCH(s, err, session_delete(s, hash, err));
}

int
store_article_get(store *s, const char *id, arena *a, store_article *out, pl_error *err)
{
    DISPATCH(s, err, article_get(s, id, a, out, err));
}

int
store_article_ensure(store *s, const char *id, const char *title, const char *url, pl_error *err)
{
    DISPATCH(s, err, article_ensure(s, id, title, url, err));
}

int
store_article_update(store *s, const char *id, const store_article_changes *up, pl_error *err)
{
    DISPATCH(s, err, article_update(s, id, up, err));
}

int
store_article_counts(store *s, const char *const *ids, size_t n, int64_t *counts, pl_error *err)
{
    DISPATCH(s, err, article_counts(s, ids, n, counts, err));
}

int
store_comment_insert(store *s, store_comment *c, pl_error *err)
{
    DISPATCH(s, err, comment_insert(s, c, err));
}

int
store_comment_get(store *s, int64_t id, int64_t viewer_id, arena *a, store_comment *out,
                  pl_error *err)
{
    DISPATCH(s, err, comment_get(s, id, viewer_id, a, out, err));
}

int
store_comment_edit(store *s, int64_t id, const char *body, const char *html,
                   store_comment_status status, const char *moderation, int64_t now, pl_error *err)
{
    DISPATCH(s, err, comment_edit(s, id, body, html, status, moderation, now, err));
}

int
store_comment_set_status(store *s, int64_t id, store_comment_status status, pl_error *err)
{
    DISPATCH(s, err, comment_set_status(s, id, status, err));
}

int
store_comment_set_featured(store *s, int64_t id, bool featured, pl_error *err)
{
    DISPATCH(s, err, comment_set_featured(s, id, featured, err));
}

int
store_comments_page(store *s, const char *article_id, store_sort sort, store_cursor after,
                    int limit, int64_t viewer_id, arena *a, store_comment_list *out, bool *more,
                    pl_error *err)
{
    DISPATCH(s, err,
             comments_page(s, article_id, sort, after, limit, viewer_id, a, out, more, err));
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
store_comments_replies(store *s, const int64_t *root_ids, size_t n, int64_t viewer_id, arena *a,
                       store_comment_list *out, pl_error *err)
{
    DISPATCH(s, err, comments_replies(s, root_ids, n, viewer_id, a, out, err));
}

int
store_comments_by_author(store *s, int64_t author_id, int64_t since, int limit, arena *a,
                         store_comment_list *out, pl_error *err)
{
    DISPATCH(s, err, comments_by_author(s, author_id, since, limit, a, out, err));
}

int
store_like_add(store *s, int64_t comment_id, int64_t user_id, int64_t *likes, pl_error *err)
{
    DISPATCH(s, err, like_add(s, comment_id, user_id, likes, err));
}

int
store_like_remove(store *s, int64_t comment_id, int64_t user_id, int64_t *likes, pl_error *err)
{
    DISPATCH(s, err, like_remove(s, comment_id, user_id, likes, err));
}

int
store_flag_insert(store *s, int64_t comment_id, int64_t user_id, const char *reason,
                  const char *note, int64_t *flag_id, pl_error *err)
{
    DISPATCH(s, err, flag_insert(s, comment_id, user_id, reason, note, flag_id, err));
}

int
store_flags_for_comment(store *s, int64_t comment_id, arena *a, store_flag_group **out, size_t *n,
                        pl_error *err)
{
    DISPATCH(s, err, flags_for_comment(s, comment_id, a, out, n, err));
}

int
store_flags_mark_reviewed(store *s, int64_t comment_id, pl_error *err)
{
    DISPATCH(s, err, flags_mark_reviewed(s, comment_id, err));
}

int
store_queue_list(store *s, store_queue q, int64_t after_id, int limit, arena *a,
                 store_comment_list *out, bool *more, pl_error *err)
{
    DISPATCH(s, err, queue_list(s, q, after_id, limit, a, out, more, err));
}

int
store_log_append(store *s, const store_log_entry *e, pl_error *err)
{
    DISPATCH(s, err, log_append(s, e, err));
}

int
store_log_list(store *s, int64_t before_id, int limit, arena *a, store_log_entry **out, size_t *n,
               pl_error *err)
{
    DISPATCH(s, err, log_list(s, before_id, limit, a, out, n, err));
}

/* ---- moderation desk ---- */

int
store_queue_counts(store *s, int64_t counts[3], pl_error *err)
{
    DISPATCH(s, err, queue_counts(s, counts, err));
}

int
store_comment_set_state(store *s, int64_t id, store_comment_status status, bool featured,
                        const char *moderator_reason, pl_error *err)
{
    DISPATCH(s, err, comment_set_state(s, id, status, featured, moderator_reason, err));
}

int
store_decision_insert(store *s, store_decision *d, pl_error *err)
{
    DISPATCH(s, err, decision_insert(s, d, err));
}

int
store_decision_last(store *s, int64_t actor_id, arena *a, store_decision *out, pl_error *err)
{
    DISPATCH(s, err, decision_last(s, actor_id, a, out, err));
}

int
store_decision_undo(store *s, int64_t decision_id, pl_error *err)
{
    DISPATCH(s, err, decision_undo(s, decision_id, err));
}

int
store_flags_review(store *s, int64_t comment_id, store_flag_outcome outcome, int64_t decision_id,
                   pl_error *err)
{
    DISPATCH(s, err, flags_review(s, comment_id, outcome, decision_id, err));
}

int
store_flaggers_for_comment(store *s, int64_t comment_id, arena *a, store_flagger **out, size_t *n,
                           pl_error *err)
{
    DISPATCH(s, err, flaggers_for_comment(s, comment_id, a, out, n, err));
}

int
store_flags_count_by_user(store *s, int64_t user_id, int64_t since, int64_t *n, pl_error *err)
{
    DISPATCH(s, err, flags_count_by_user(s, user_id, since, n, err));
}

int
store_user_history_get(store *s, int64_t user_id, store_user_history *out, pl_error *err)
{
    DISPATCH(s, err, user_history_get(s, user_id, out, err));
}

int
store_log_query(store *s, const store_log_filter *f, int limit, arena *a, store_log_entry **out,
                size_t *n, pl_error *err)
{
    DISPATCH(s, err, log_query(s, f, limit, a, out, n, err));
}

int
store_mute_set(store *s, int64_t user_id, int64_t muted_id, bool on, int64_t now, pl_error *err)
{
    DISPATCH(s, err, mute_set(s, user_id, muted_id, on, now, err));
}

int
store_mutes_list(store *s, int64_t user_id, arena *a, store_mute **out, size_t *n, pl_error *err)
{
    DISPATCH(s, err, mutes_list(s, user_id, a, out, n, err));
}

int
store_flags_by_user(store *s, int64_t user_id, arena *a, store_flag_row **out, size_t *n,
                    pl_error *err)
{
    DISPATCH(s, err, flags_by_user(s, user_id, a, out, n, err));
}

int
store_likes_by_user(store *s, int64_t user_id, arena *a, int64_t **comment_ids, size_t *n,
                    pl_error *err)
{
    DISPATCH(s, err, likes_by_user(s, user_id, a, comment_ids, n, err));
}

int
store_user_delete(store *s, int64_t user_id, bool remove_comments, pl_error *err)
{
    DISPATCH(s, err, user_delete(s, user_id, remove_comments, err));
}

int
store_sso_login(store *s, const char *sub, const char *name, const char *email, bool email_verified,
                int64_t link_user_id, const char *jti, int64_t jti_expires, int64_t now,
                int64_t *user_id, pl_error *err)
{
    DISPATCH(s, err,
             sso_login(s, sub, name, email, email_verified, link_user_id, jti, jti_expires, now,
                       user_id, err));
}

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
store_email_ban_set(store *s, const unsigned char hash[STORE_TOKEN_HASH_LEN], int64_t ends_at,
                    const char *reason, pl_error *err)
{
    DISPATCH(s, err, email_ban_set(s, hash, ends_at, reason, err));
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
store_user_mail_get(store *s, int64_t user_id, store_user_mail *out, pl_error *err)
{
    DISPATCH(s, err, user_mail_get(s, user_id, out, err));
}

int
store_user_mail_set(store *s, int64_t user_id, const store_user_mail *m, pl_error *err)
{
    DISPATCH(s, err, user_mail_set(s, user_id, m, err));
}

int
store_user_set_password(store *s, int64_t user_id, const char *pw_hash, const unsigned char *keep,
                        int64_t now, pl_error *err)
{
    DISPATCH(s, err, user_set_password(s, user_id, pw_hash, keep, now, err));
}

int
store_token_insert(store *s, const unsigned char hash[STORE_TOKEN_HASH_LEN], int64_t user_id,
                   store_token_purpose purpose, int64_t now, int64_t expires_at, pl_error *err)
{
    DISPATCH(s, err, token_insert(s, hash, user_id, purpose, now, expires_at, err));
}

int
store_token_use(store *s, const unsigned char hash[STORE_TOKEN_HASH_LEN],
                store_token_purpose purpose, int64_t now, bool spend, int64_t *user_id,
                pl_error *err)
{
    DISPATCH(s, err, token_use(s, hash, purpose, now, spend, user_id, err));
}

int
store_mail_enqueue(store *s, const char *recipient, const char *message, int64_t now,
                   int64_t per_hour, pl_error *err)
{
    DISPATCH(s, err, mail_enqueue(s, recipient, message, now, per_hour, err));
}

int
store_mail_claim(store *s, int64_t now, int64_t lease_ms, arena *a, store_mail *out,
                 int64_t *next_due, pl_error *err)
{
    DISPATCH(s, err, mail_claim(s, now, lease_ms, a, out, next_due, err));
}

int
store_mail_finish(store *s, int64_t id, store_mail_state state, int64_t retry_at, const char *error,
                  int64_t now, pl_error *err)
{
    DISPATCH(s, err, mail_finish(s, id, state, retry_at, error, now, err));
}

int
store_staff_list(store *s, arena *a, store_user **out, size_t *n, pl_error *err)
{
    DISPATCH(s, err, staff_list(s, a, out, n, err));
}

int
store_notify_once(store *s, int64_t user_id, int64_t key, int64_t now, int64_t window_ms,
                  bool *allowed, pl_error *err)
{
    DISPATCH(s, err, notify_once(s, user_id, key, now, window_ms, allowed, err));
}

int
store_queue_watchers(store *s, int64_t pending, arena *a, store_user **out, size_t *n,
                     pl_error *err)
{
    DISPATCH(s, err, queue_watchers(s, pending, a, out, n, err));
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

int
store_outbox_add(store *s, const char *event, const char *payload, int64_t now, int64_t *id,
                 pl_error *err)
{
    DISPATCH(s, err, outbox_add(s, event, payload, now, id, err));
}

int
store_outbox_claim(store *s, int64_t now, int64_t lease_ms, arena *a, store_outbox_item *out,
                   int64_t *next_due, pl_error *err)
{
    DISPATCH(s, err, outbox_claim(s, now, lease_ms, a, out, next_due, err));
}

int
store_outbox_record(store *s, const store_outbox_item *item, pl_error *err)
{
    DISPATCH(s, err, outbox_record(s, item, err));
}

int
store_outbox_list(store *s, int64_t before_id, int limit, arena *a, store_outbox_item **out,
                  size_t *n, pl_error *err)
{
    DISPATCH(s, err, outbox_list(s, before_id, limit, a, out, n, err));
}

int
store_outbox_purge(store *s, int64_t before, pl_error *err)
{
    DISPATCH(s, err, outbox_purge(s, before, err));
}

int
store_export_users(store *s, int64_t after, int limit, arena *a, store_user **out, size_t *n,
                   pl_error *err)
{
    DISPATCH(s, err, export_users(s, after, limit, a, out, n, err));
}

int
store_export_articles(store *s, const char *after, int limit, arena *a, store_article **out,
                      size_t *n, pl_error *err)
{
    DISPATCH(s, err, export_articles(s, after, limit, a, out, n, err));
}

int
store_export_comments(store *s, int64_t after, int limit, arena *a, store_comment_list *out,
                      pl_error *err)
{
    DISPATCH(s, err, export_comments(s, after, limit, a, out, err));
}

int
store_export_log(store *s, int64_t after, int limit, arena *a, store_log_entry **out, size_t *n,
                 pl_error *err)
{
    DISPATCH(s, err, export_log(s, after, limit, a, out, n, err));
}

int
store_import_map_get(store *s, const char *kind, const char *ext_id, int64_t *local, pl_error *err)
{
    DISPATCH(s, err, import_map_get(s, kind, ext_id, local, err));
}

int
store_import_map_put(store *s, const char *kind, const char *ext_id, int64_t local, pl_error *err)
{
    DISPATCH(s, err, import_map_put(s, kind, ext_id, local, err));
}

int
store_settings_get(store *s, arena *a, store_settings *out, pl_error *err)
{
    DISPATCH(s, err, settings_get(s, a, out, err));
}

int
store_settings_put(store *s, int64_t expected, const char *body, int64_t actor_id, int64_t now,
                   pl_error *err)
{
    DISPATCH(s, err, settings_put(s, expected, body, actor_id, now, err));
}

int
store_site_queue_list(store *s, int64_t site, store_queue q, int64_t after_id, int limit, arena *a,
                      store_comment_list *out, bool *more, pl_error *err)
{
    DISPATCH(s, err, site_queue_list(s, site, q, after_id, limit, a, out, more, err));
}

int
store_site_queue_counts(store *s, int64_t site, int64_t counts[3], pl_error *err)
{
    DISPATCH(s, err, site_queue_counts(s, site, counts, err));
}

int
store_sites_list(store *s, arena *a, store_site **out, size_t *n, pl_error *err)
{
    DISPATCH(s, err, sites_list(s, a, out, n, err));
}

int
store_site_create(store *s, const char *slug, const char *name, const char *origins, int64_t now,
                  int64_t *id, pl_error *err)
{
    DISPATCH(s, err, site_create(s, slug, name, origins, now, id, err));
}

int
store_site_update(store *s, int64_t id, const char *name, const char *origins, pl_error *err)
{
    DISPATCH(s, err, site_update(s, id, name, origins, err));
}

int
store_export_flags(store *s, int64_t after, int limit, arena *a, store_export_flag **out, size_t *n,
                   pl_error *err)
{
    DISPATCH(s, err, export_flags(s, after, limit, a, out, n, err));
}

int
store_export_likes(store *s, int64_t after_comment, int64_t after_user, int limit, arena *a,
                   store_export_like **out, size_t *n, pl_error *err)
{
    DISPATCH(s, err, export_likes(s, after_comment, after_user, limit, a, out, n, err));
}

int
store_flag_restore(store *s, store_export_flag *f, pl_error *err)
{
    DISPATCH(s, err, flag_restore(s, f, err));
}

int
store_like_restore(store *s, const store_export_like *l, pl_error *err)
{
    DISPATCH(s, err, like_restore(s, l, err));
}

int
store_users_search(store *s, const store_user_filter *f, int limit, arena *a, store_user_row **out,
                   size_t *n, pl_error *err)
{
    DISPATCH(s, err, users_search(s, f, limit, a, out, n, err));
}

int
store_note_add(store *s, store_note *note, pl_error *err)
{
    DISPATCH(s, err, note_add(s, note, err));
}

int
store_notes_list(store *s, int64_t user_id, int limit, arena *a, store_note **out, size_t *n,
                 pl_error *err)
{
    DISPATCH(s, err, notes_list(s, user_id, limit, a, out, n, err));
}

int
store_flags_about_user(store *s, int64_t user_id, bool given, int limit, arena *a,
                       store_flag_detail **out, size_t *n, pl_error *err)
{
    DISPATCH(s, err, flags_about_user(s, user_id, given, limit, a, out, n, err));
}

int
store_log_about(store *s, const char *target_type, const char *target_id, int limit, arena *a,
                store_log_entry **out, size_t *n, pl_error *err)
{
    DISPATCH(s, err, log_about(s, target_type, target_id, limit, a, out, n, err));
}

int
store_articles_list(store *s, const store_article_filter *f, int limit, arena *a,
                    store_article_row **out, size_t *n, pl_error *err)
{
    DISPATCH(s, err, articles_list(s, f, limit, a, out, n, err));
}

int
store_articles_close_before(store *s, int64_t cutoff, arena *a, const char ***ids, size_t *n,
                            pl_error *err)
{
    DISPATCH(s, err, articles_close_before(s, cutoff, a, ids, n, err));
}

int
store_comments_search(store *s, const store_search *q, int limit, arena *a, store_comment_list *out,
                      pl_error *err)
{
    DISPATCH(s, err, comments_search(s, q, limit, a, out, err));
}

int
store_stats_get(store *s, int64_t from, int64_t to, arena *a, store_stats *out, pl_error *err)
{
    DISPATCH(s, err, stats_get(s, from, to, a, out, err));
}
