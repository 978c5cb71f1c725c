/* store/store_int.h: what a storage backend implements (store.c dispatches).
 *
 * Each backend (sqlite.c, postgres.c) defines a struct that begins
 * with `struct store` and a const store_ops table with one entry per public
 * operation of store.h. The public functions in store.c count the call for
 * fault injection and then call through the table; backends never see the
 * fault counter. Every entry has the meaning of the public function of the
 * same name, and every entry is required (none may be NULL) but those
 * marked otherwise. Most operations are one line of STORE_OPS below, from
 * which the table's members, store.c's public functions and each backend's
 * table entries (sq_NAME, pg_NAME) are generated, as pq_dl.h's
 * PQ_FUNCTIONS generates the libpq table. Operations made of several
 * steps whose rule does not depend on the database (single sign-on,
 * account deletion) are written once in accounts.c over the smaller
 * primitives of STORE_PRIMS, which each backend implements.
 */
#ifndef PARLEY_STORE_STORE_INT_H
#define PARLEY_STORE_STORE_INT_H

#include "store/store.h"

/* The operations whose public function only counts the call and calls
 * through the table (store.c generates them): X(name, parameters,
 * arguments). A new operation is one line here, its declaration in store.h
 * and the function in each backend (sq_NAME in sqlite.c, pg_NAME in
 * postgres.c). */
/* clang-format off */
#define STORE_OPS(X)                                                                               \
    X(ping, (store *s, pl_error *err), (s, err))                                                   \
    X(begin, (store *s, pl_error *err), (s, err))                                                  \
    X(commit, (store *s, pl_error *err), (s, err))                                                 \
    X(savepoint, (store *s, pl_error *err), (s, err))                                              \
    X(savepoint_release, (store *s, pl_error *err), (s, err))                                      \
    X(user_insert, (store *s, store_user *u, pl_error *err), (s, u, err))                          \
    X(user_by_id, (store *s, int64_t id, arena *a, store_user *out, pl_error *err),                \
      (s, id, a, out, err))                                                                        \
    X(user_by_email, (store *s, const char *email, arena *a, store_user *out, pl_error *err),      \
      (s, email, a, out, err))                                                                     \
    X(user_set_ban, (store *s, int64_t user_id, bool banned, int64_t until, const char *reason,    \
      pl_error *err), (s, user_id, banned, until, reason, err))                                    \
    X(user_set_role, (store *s, int64_t user_id, store_role role, pl_error *err),                  \
      (s, user_id, role, err))                                                                     \
    X(user_set_language, (store *s, int64_t user_id, const char *language, pl_error *err),         \
      (s, user_id, language, err))                                                                 \
    X(session_insert, (store *s, const unsigned char hash[STORE_TOKEN_HASH_LEN], int64_t user_id,  \
      int64_t expires_at, pl_error *err), (s, hash, user_id, expires_at, err))                     \
    X(session_user, (store *s, const unsigned char hash[STORE_TOKEN_HASH_LEN], int64_t now,        \
      arena *a, store_user *out, pl_error *err), (s, hash, now, a, out, err))                      \
    X(session_delete, (store *s, const unsigned char hash[STORE_TOKEN_HASH_LEN], pl_error *err),   \
      (s, hash, err))                                                                              \
    X(article_get, (store *s, const char *id, arena *a, store_article *out, pl_error *err),        \
      (s, id, a, out, err))                                                                        \
    X(article_ensure, (store *s, const char *id, const char *title, const char *url,               \
      pl_error *err), (s, id, title, url, err))                                                    \
    X(article_update, (store *s, const char *id, const store_article_changes *up, pl_error *err),  \
      (s, id, up, err))                                                                            \
    X(article_counts, (store *s, const char *const *ids, size_t n, int64_t *counts,                \
      pl_error *err), (s, ids, n, counts, err))                                                    \
    X(comment_insert, (store *s, store_comment *c, pl_error *err), (s, c, err))                    \
    X(comment_get, (store *s, int64_t id, int64_t viewer_id, arena *a, store_comment *out,         \
      pl_error *err), (s, id, viewer_id, a, out, err))                                             \
    X(comment_edit, (store *s, int64_t id, const char *body, const char *html,                     \
      store_comment_status status, const char *moderation, const store_fold_key *fold,             \
      int64_t now, pl_error *err), (s, id, body, html, status, moderation, fold, now, err))        \
    X(comment_set_status, (store *s, int64_t id, store_comment_status status, pl_error *err),      \
      (s, id, status, err))                                                                        \
    X(comment_set_featured, (store *s, int64_t id, bool featured, pl_error *err),                  \
      (s, id, featured, err))                                                                      \
    X(comments_page, (store *s, const char *article_id, store_sort sort, store_cursor after,       \
      int limit, int64_t viewer_id, arena *a, store_comment_list *out, bool *more, pl_error *err), \
      (s, article_id, sort, after, limit, viewer_id, a, out, more, err))                           \
    X(comments_replies, (store *s, const int64_t *root_ids, size_t n, int64_t viewer_id, arena *a, \
      store_comment_list *out, pl_error *err), (s, root_ids, n, viewer_id, a, out, err))           \
    X(comments_by_author, (store *s, int64_t author_id, int64_t since, int limit, arena *a,        \
      store_comment_list *out, pl_error *err), (s, author_id, since, limit, a, out, err))          \
    X(comments_by_authors, (store *s, const int64_t *author_ids, const int *limits, size_t n,      \
      int64_t from, int64_t body_since, const store_fold_key *want, arena *a,                      \
      store_comment_list *out, pl_error *err),                                                     \
      (s, author_ids, limits, n, from, body_since, want, a, out, err))                             \
    X(comments_get_many, (store *s, const int64_t *ids, size_t n, arena *a, store_comment *out,    \
      pl_error *err), (s, ids, n, a, out, err))                                                    \
    X(users_get_many, (store *s, const int64_t *ids, size_t n, arena *a, store_user *out,          \
      pl_error *err), (s, ids, n, a, out, err))                                                    \
    X(articles_get_many, (store *s, const char *const *ids, size_t n, arena *a,                    \
      store_article *out, pl_error *err), (s, ids, n, a, out, err))                                \
    X(like_add, (store *s, int64_t comment_id, int64_t user_id, int64_t *likes, pl_error *err),    \
      (s, comment_id, user_id, likes, err))                                                        \
    X(like_remove, (store *s, int64_t comment_id, int64_t user_id, int64_t *likes, pl_error *err), \
      (s, comment_id, user_id, likes, err))                                                        \
    X(flag_insert, (store *s, int64_t comment_id, int64_t user_id, const char *reason,             \
      const char *note, int64_t *flag_id, pl_error *err),                                          \
      (s, comment_id, user_id, reason, note, flag_id, err))                                        \
    X(flags_for_comment, (store *s, int64_t comment_id, arena *a, store_flag_group **out,          \
      size_t *n, pl_error *err), (s, comment_id, a, out, n, err))                                  \
    X(flags_mark_reviewed, (store *s, int64_t comment_id, pl_error *err), (s, comment_id, err))    \
    X(queue_list, (store *s, store_queue q, int64_t after_id, int limit, arena *a,                 \
      store_comment_list *out, bool *more, pl_error *err),                                         \
      (s, q, after_id, limit, a, out, more, err))                                                  \
    X(log_append, (store *s, const store_log_entry *e, pl_error *err), (s, e, err))                \
    X(log_list, (store *s, int64_t before_id, int limit, arena *a, store_log_entry **out,          \
      size_t *n, pl_error *err), (s, before_id, limit, a, out, n, err))                            \
    X(queue_counts, (store *s, int64_t counts[3], pl_error *err), (s, counts, err))                \
    X(comment_set_state, (store *s, int64_t id, store_comment_status status, bool featured,        \
      const char *moderator_reason, pl_error *err),                                                \
      (s, id, status, featured, moderator_reason, err))                                            \
    X(decision_insert, (store *s, store_decision *d, pl_error *err), (s, d, err))                  \
    X(decision_last, (store *s, int64_t actor_id, arena *a, store_decision *out, pl_error *err),   \
      (s, actor_id, a, out, err))                                                                  \
    X(decision_undo, (store *s, int64_t decision_id, pl_error *err), (s, decision_id, err))        \
    X(flags_review, (store *s, int64_t comment_id, store_flag_outcome outcome,                     \
      int64_t decision_id, pl_error *err), (s, comment_id, outcome, decision_id, err))             \
    X(flaggers_for_comment, (store *s, int64_t comment_id, arena *a, store_flagger **out,          \
      size_t *n, pl_error *err), (s, comment_id, a, out, n, err))                                  \
    X(flags_count_by_user, (store *s, int64_t user_id, int64_t since, int64_t *n, pl_error *err),  \
      (s, user_id, since, n, err))                                                                 \
    X(user_history_get, (store *s, int64_t user_id, store_user_history *out, pl_error *err),       \
      (s, user_id, out, err))                                                                      \
    X(log_query, (store *s, const store_log_filter *f, int limit, arena *a, store_log_entry **out, \
      size_t *n, pl_error *err), (s, f, limit, a, out, n, err))                                    \
    X(mute_set, (store *s, int64_t user_id, int64_t muted_id, bool on, int64_t now,                \
      pl_error *err), (s, user_id, muted_id, on, now, err))                                        \
    X(mutes_list, (store *s, int64_t user_id, arena *a, store_mute **out, size_t *n,               \
      pl_error *err), (s, user_id, a, out, n, err))                                                \
    X(flags_by_user, (store *s, int64_t user_id, arena *a, store_flag_row **out, size_t *n,        \
      pl_error *err), (s, user_id, a, out, n, err))                                                \
    X(likes_by_user, (store *s, int64_t user_id, arena *a, int64_t **comment_ids, size_t *n,       \
      pl_error *err), (s, user_id, a, comment_ids, n, err))                                        \
    X(email_ban_set, (store *s, const unsigned char hash[STORE_TOKEN_HASH_LEN], int64_t ends_at,   \
      const char *reason, pl_error *err), (s, hash, ends_at, reason, err))                         \
    X(user_mail_get, (store *s, int64_t user_id, store_user_mail *out, pl_error *err),             \
      (s, user_id, out, err))                                                                      \
    X(user_mail_set, (store *s, int64_t user_id, const store_user_mail *m, pl_error *err),         \
      (s, user_id, m, err))                                                                        \
    X(user_set_password, (store *s, int64_t user_id, const char *pw_hash,                          \
      const unsigned char *keep, int64_t now, pl_error *err),                                      \
      (s, user_id, pw_hash, keep, now, err))                                                       \
    X(token_insert, (store *s, const unsigned char hash[STORE_TOKEN_HASH_LEN], int64_t user_id,    \
      store_token_purpose purpose, int64_t now, int64_t expires_at, pl_error *err),                \
      (s, hash, user_id, purpose, now, expires_at, err))                                           \
    X(token_use, (store *s, const unsigned char hash[STORE_TOKEN_HASH_LEN],                        \
      store_token_purpose purpose, int64_t now, bool spend, int64_t *user_id, pl_error *err),      \
      (s, hash, purpose, now, spend, user_id, err))                                                \
    X(mail_enqueue, (store *s, const char *recipient, const char *message, int64_t now,            \
      int64_t per_hour, pl_error *err), (s, recipient, message, now, per_hour, err))               \
    X(mail_claim, (store *s, int64_t now, int64_t lease_ms, arena *a, store_mail *out,             \
      int64_t *next_due, pl_error *err), (s, now, lease_ms, a, out, next_due, err))                \
    X(mail_finish, (store *s, int64_t id, store_mail_state state, int64_t retry_at,                \
      const char *error, int64_t now, pl_error *err), (s, id, state, retry_at, error, now, err))   \
    X(staff_list, (store *s, arena *a, store_user **out, size_t *n, pl_error *err),                \
      (s, a, out, n, err))                                                                         \
    X(notify_once, (store *s, int64_t user_id, int64_t key, int64_t now, int64_t window_ms,        \
      bool *allowed, pl_error *err), (s, user_id, key, now, window_ms, allowed, err))              \
    X(queue_watchers, (store *s, int64_t pending, arena *a, store_user **out, size_t *n,           \
      pl_error *err), (s, pending, a, out, n, err))                                                \
    X(outbox_add, (store *s, const char *event, const char *payload, int64_t now, int64_t *id,     \
      pl_error *err), (s, event, payload, now, id, err))                                           \
    X(outbox_claim, (store *s, int64_t now, int64_t lease_ms, arena *a, store_outbox_item *out,    \
      int64_t *next_due, pl_error *err), (s, now, lease_ms, a, out, next_due, err))                \
    X(outbox_record, (store *s, const store_outbox_item *item, pl_error *err), (s, item, err))     \
    X(outbox_list, (store *s, int64_t before_id, int limit, arena *a, store_outbox_item **out,     \
      size_t *n, pl_error *err), (s, before_id, limit, a, out, n, err))                            \
    X(outbox_purge, (store *s, int64_t before, pl_error *err), (s, before, err))                   \
    X(export_users, (store *s, int64_t after, int limit, arena *a, store_user **out, size_t *n,    \
      pl_error *err), (s, after, limit, a, out, n, err))                                           \
    X(export_articles, (store *s, const char *after, int limit, arena *a, store_article **out,     \
      size_t *n, pl_error *err), (s, after, limit, a, out, n, err))                                \
    X(export_comments, (store *s, int64_t after, int limit, arena *a, store_comment_list *out,     \
      pl_error *err), (s, after, limit, a, out, err))                                              \
    X(export_log, (store *s, int64_t after, int limit, arena *a, store_log_entry **out, size_t *n, \
      pl_error *err), (s, after, limit, a, out, n, err))                                           \
    X(import_map_get, (store *s, const char *kind, const char *ext_id, int64_t *local,             \
      pl_error *err), (s, kind, ext_id, local, err))                                               \
    X(import_map_put, (store *s, const char *kind, const char *ext_id, int64_t local,              \
      pl_error *err), (s, kind, ext_id, local, err))                                               \
    X(settings_get, (store *s, arena *a, store_settings *out, pl_error *err), (s, a, out, err))    \
    X(settings_put, (store *s, int64_t expected, const char *body, int64_t actor_id, int64_t now,  \
      pl_error *err), (s, expected, body, actor_id, now, err))                                     \
    X(site_settings_get, (store *s, int64_t site_id, arena *a, store_settings *out,               \
      pl_error *err), (s, site_id, a, out, err))                                                   \
    X(site_settings_put, (store *s, int64_t site_id, int64_t expected, const char *body,           \
      int64_t actor_id, int64_t now, pl_error *err),                                               \
      (s, site_id, expected, body, actor_id, now, err))                                            \
    X(site_settings_list, (store *s, arena *a, store_site_settings **out, size_t *n,               \
      pl_error *err), (s, a, out, n, err))                                                         \
    X(site_queue_list, (store *s, int64_t site, store_queue q, int64_t after_id, int limit,        \
      arena *a, store_comment_list *out, bool *more, pl_error *err),                               \
      (s, site, q, after_id, limit, a, out, more, err))                                            \
    X(site_queue_counts, (store *s, int64_t site, int64_t counts[3], pl_error *err),               \
      (s, site, counts, err))                                                                      \
    X(sites_list, (store *s, arena *a, store_site **out, size_t *n, pl_error *err),                \
      (s, a, out, n, err))                                                                         \
    X(site_create, (store *s, const char *slug, const char *name, const char *origins,             \
      int64_t now, int64_t *id, pl_error *err), (s, slug, name, origins, now, id, err))            \
    X(site_update, (store *s, int64_t id, const char *name, const char *origins, pl_error *err),   \
      (s, id, name, origins, err))                                                                 \
    X(moderator_sites, (store *s, int64_t user_id, arena *a, int64_t **sites, size_t *n,           \
      pl_error *err), (s, user_id, a, sites, n, err))                                              \
    X(moderator_sites_set, (store *s, int64_t user_id, const int64_t *sites, size_t n,             \
      pl_error *err), (s, user_id, sites, n, err))                                                 \
    X(export_flags, (store *s, int64_t after, int limit, arena *a, store_export_flag **out,        \
      size_t *n, pl_error *err), (s, after, limit, a, out, n, err))                                \
    X(export_likes, (store *s, int64_t after_comment, int64_t after_user, int limit, arena *a,     \
      store_export_like **out, size_t *n, pl_error *err),                                          \
      (s, after_comment, after_user, limit, a, out, n, err))                                       \
    X(flag_restore, (store *s, store_export_flag *f, pl_error *err), (s, f, err))                  \
    X(like_restore, (store *s, const store_export_like *l, pl_error *err), (s, l, err))            \
    X(users_search, (store *s, const store_user_filter *f, int limit, arena *a,                    \
      store_user_row **out, size_t *n, pl_error *err), (s, f, limit, a, out, n, err))              \
    X(note_add, (store *s, store_note *note, pl_error *err), (s, note, err))                       \
    X(notes_list, (store *s, int64_t user_id, int limit, arena *a, store_note **out, size_t *n,    \
      pl_error *err), (s, user_id, limit, a, out, n, err))                                         \
    X(flags_about_user, (store *s, int64_t user_id, bool given, int64_t site, int limit, arena *a, \
      store_flag_detail **out, size_t *n, pl_error *err),                                          \
      (s, user_id, given, site, limit, a, out, n, err))                                                  \
    X(log_about, (store *s, const char *target_type, const char *target_id, int limit, arena *a,   \
      store_log_entry **out, size_t *n, pl_error *err),                                            \
      (s, target_type, target_id, limit, a, out, n, err))                                          \
    X(articles_list, (store *s, const store_article_filter *f, int limit, arena *a,                \
      store_article_row **out, size_t *n, pl_error *err), (s, f, limit, a, out, n, err))           \
    X(articles_close_before, (store *s, int64_t cutoff, int64_t site, arena *a, const char ***ids,  \
      size_t *n, pl_error *err), (s, cutoff, site, a, ids, n, err))                                \
    X(comments_search, (store *s, const store_search *q, int limit, arena *a,                      \
      store_comment_list *out, pl_error *err), (s, q, limit, a, out, err))                         \
    X(stats_get, (store *s, int64_t from, int64_t to, const int64_t *sites, size_t n_sites,        \
      arena *a, store_stats *out, pl_error *err), (s, from, to, sites, n_sites, a, out, err))
/* clang-format on */

/* What the primitive user_erase removes of an account (store_user_delete's steps):
 * ACCOUNT marks the user deleted, renames it and clears its e-mail,
 * password and ban (PL_ENOTFOUND when there is no such user); SESSIONS and
 * MUTES drop its sessions and the mutes by or of it; COMMENTS makes its
 * comments deleted with their bodies cleared. */
typedef enum store_erase {
    STORE_ERASE_ACCOUNT,
    STORE_ERASE_SESSIONS,
    STORE_ERASE_MUTES,
    STORE_ERASE_COMMENTS,
} store_erase;
/* What each step does, for error messages ("delete user": ...). */
extern const char *const store_erase_what[];

/* The primitives each backend offers the store-neutral operations of
 * accounts.c (single sign-on, account deletion), which compose them so
 * that the rule is written once: X(name, parameters). They are not public
 * and not counted for fault injection (the public operation counts
 * itself once), and each runs inside the unit the caller opened:
 *   unit_begin   opens an atomic unit: a transaction when none is open,
 *                else a savepoint inside the caller's; *outer says which
 *                (PL_ESTORE on a read-only store);
 *   unit_end     ends it: commits when rc is 0, else undoes it; returns rc
 *                or the commit's failure;
 *   sso_jti_record  drops the single sign-on token ids that expired before
 *                now and records jti until expires; PL_ECONFLICT when it
 *                was recorded before (a replay);
 *   sso_subject  the user linked to a publisher's subject, 0 when none;
 *   sso_link     links the subject to user_id;
 *   sso_set_name, sso_set_email  set a reader's name, or e-mail (folded
 *                already, store_email_fold) when no other account holds it
 *                (staff accounts are left alone);
 *   user_erase   one step of deleting an account (store_erase). */
/* clang-format off */
#define STORE_PRIMS(X)                                                                             \
    X(unit_begin, (store *s, bool *outer, pl_error *err))                                          \
    X(unit_end, (store *s, bool outer, int rc, pl_error *err))                                     \
    X(sso_jti_record, (store *s, const char *jti, int64_t expires, int64_t now, pl_error *err))    \
    X(sso_subject, (store *s, const char *sub, int64_t *user_id, pl_error *err))                   \
    X(sso_link, (store *s, const char *sub, int64_t user_id, pl_error *err))                       \
    X(sso_set_name, (store *s, int64_t user_id, const char *name, pl_error *err))                  \
    X(sso_set_email, (store *s, int64_t user_id, const char *email, pl_error *err))                \
    X(user_erase, (store *s, int64_t user_id, store_erase part, pl_error *err))
/* clang-format on */

typedef struct store_ops {
    const char *name; /* "sqlite", "postgres": for messages */
    /* Not counted and never failing: how a caller cleans up (store.c). */
    void (*close)(store *s);
    void (*rollback)(store *s);
    void (*savepoint_rollback)(store *s);
    /* Operations whose public function does more than count and forward:
     * it clears the output first or checks its input (store.c). */
    int (*viewer_layer)(store *s, const char *article_id, int64_t viewer_id, arena *a,
                        store_viewer_layer *out, pl_error *err);
    int (*session_layer)(store *s, const unsigned char *hash, int64_t now, const char *article_id,
                         arena *a, store_user *user, store_viewer_layer *layer, pl_error *err);
    int (*article_recent)(store *s, const char *article_id, int64_t author_id, int limit,
                          int64_t from, int64_t body_since, const store_fold_key *want, arena *a,
                          store_article *art, store_comment_list *recent, pl_error *err);
    int (*pow_spend)(store *s, const char *challenge, int64_t expires_at, int64_t now,
                     pl_error *err);
    int (*comment_reviewed)(store *s, int64_t id, bool *reviewed, pl_error *err);
    int (*email_ban_get)(store *s, const unsigned char *hash, int64_t now, arena *a,
                         int64_t *ends_at, const char **reason, pl_error *err);
    /* Change notices; NULL when the backend has none (store.c then does
     * nothing, see store.h). */
    int (*notify)(store *s, const char *payload, pl_error *err);
    int (*listen)(store *s, int *fd, pl_error *err);
    int (*notices)(store *s, void (*fn)(void *arg, const char *payload), void *arg, pl_error *err);
    /* Reads of a session and its layer that do not wait (store_async_*);
     * NULL when the backend answers at once (SQLite). */
    int (*async_start)(store *s, int *fd, pl_error *err);
    int (*async_send)(store *s, const unsigned char *hash, int64_t now, const char *article_id,
                      pl_error *err);
    int (*async_flush)(store *s, pl_error *err);
    int (*async_next)(store *s, arena *a, store_user *user, store_viewer_layer *layer, int *result,
                      pl_error *err);
    /* The writer's batches (store_batch_*); NULL when the backend has none
     * (store.c then answers that there is no batch). */
    int (*batch_begin)(store *s, size_t jobs, pl_error *err);
    int (*batch_end)(store *s, pl_error *err);
    void (*batch_rollback)(store *s);
    /* Shared rate-limit buckets; NULL when the backend has none (allowed). */
    int (*rate_take)(store *s, const char *key, double per_minute, double burst, int64_t now,
                     int *retry_after_s, pl_error *err);
    /* The primitives of STORE_PRIMS. */
    /* NOLINTNEXTLINE(bugprone-macro-parentheses): params is a parameter list */
#define STORE_PRIM_MEMBER(name, params) int(*name) params;
    STORE_PRIMS(STORE_PRIM_MEMBER)
#undef STORE_PRIM_MEMBER
    /* Every operation of STORE_OPS. */
    /* NOLINTNEXTLINE(bugprone-macro-parentheses): params is a parameter list */
#define STORE_OP_MEMBER(name, params, args) int(*name) params;
    STORE_OPS(STORE_OP_MEMBER)
#undef STORE_OP_MEMBER
} store_ops;

/* The common head of every backend's connection struct. */
struct store {
    const store_ops *ops;
    /* Fault injection (store_fail_after): calls left before the failing one;
     * 0 when disabled. Only store.c touches it. */
    int fail_countdown;
};

/* Shared by the backends (store_common.c). store_thread_filter keeps the
 * comments of one thread v[0..n) (sorted by id, so every child comes after
 * its parent) that viewer_id sees, moved to the front, and returns how
 * many: published ones, the viewer's own pending ones, and any other that
 * has a visible descendant (a placeholder). store_cmp_created orders
 * comments by (created_at, id) for qsort. */
size_t store_thread_filter(store_comment *v, size_t n, int64_t viewer_id, arena *a);
/* Fills a viewer layer from the rows of ST_VIEWER_LAYER, n (kind, id) pairs in
 * kind then id order. */
void store_viewer_layer_fill(store_viewer_layer *out, const int64_t *rows, size_t n, arena *a);
int store_cmp_created(const void *x, const void *y);
/* A LIKE pattern (escape character backslash) matching text anywhere: "%" + text with
 * %, _ and backslash escaped + "%". NULL for NULL or "". Arena-owned. */
const char *store_like_pattern(const char *text, arena *a);
/* An SQLite FTS5 query in which every word of text must appear: each run of
 * bytes between blanks (space, tab, CR, LF) becomes a string in double
 * quotes, a double quote inside it doubled, so no character of text acts as
 * an FTS5 operator or column filter. NULL when text is blank. Arena-owned. */
const char *store_fts5_query(const char *text, arena *a);
/* An SQLite FTS5 phrase of the trigram tokenizer matching text anywhere
 * (text in double quotes, a double quote inside it doubled): NULL when text
 * has fewer than 3 characters, which such a phrase cannot find. Arena-owned. */
const char *store_trigram_phrase(const char *text, arena *a);
/* True when text has something a full-text search can make a word of: an
 * ASCII letter or digit, or any byte of a multi-byte UTF-8 character. A
 * search for text without one matches nothing, and the backends answer it
 * without asking the database. */
bool store_search_has_word(const char *text);
/* What a desk search (store_comments_search) runs: the statement filtering
 * first on what an index serves best, the words, else the author, else the
 * article, else the status, else none; the other filters apply inside it.
 * STORE_SEARCH_NONE: the text has no word, nothing can match, and the
 * backend answers without asking the database. */
typedef enum store_search_plan {
    STORE_SEARCH_NONE,
    STORE_SEARCH_TEXT,
    STORE_SEARCH_AUTHOR,
    STORE_SEARCH_ARTICLE,
    STORE_SEARCH_STATUS,
    STORE_SEARCH_ALL,
} store_search_plan;
/* Empties out and picks f's plan; PL_EINVAL when limit is below 1. */
int store_search_plan_pick(const store_search *f, int limit, store_comment_list *out,
                           store_search_plan *plan, pl_error *err);

/* store_stats_get's queries. Each backend runs them all with the
 * parameters from, to, the number of days and the site (0: every site;
 * once per site when several are named), and hands every row (four
 * integers, or three with the text of a flag's reason in the second
 * column) to store_stats_row; store_stats_end then works out the queues
 * and medians. The rows are:
 *   COMMENTS  day, status, -, count
 *   PENDING   day in (-1 before from), day out (n_days: still queued), -, count
 *   FLAGGED   the same for the flagged queue
 *   DECISIONS day, 1 for reject (0 approve), wait in ms, count; by day then wait
 *   FLAGS     day, reason (text), outcome, count
 *   ENGINE    day, store_stats_engine, verdict (0 none, 1 approve, 2 reject), count */
typedef enum {
    STATS_Q_COMMENTS,
    STATS_Q_PENDING,
    STATS_Q_FLAGGED,
    STATS_Q_DECISIONS,
    STATS_Q_FLAGS,
    STATS_Q_ENGINE,
    STATS_Q_COUNT
} store_stats_query;

/* Checks the range (PL_EINVAL) and zeroes *out with its days. */
int store_stats_begin(store_stats *out, int64_t from, int64_t to, arena *a, pl_error *err);
void store_stats_row(store_stats *s, store_stats_query q, const int64_t v[4], const char *text,
                     arena *a);
void store_stats_end(store_stats *s, arena *a);

/* Backend constructors, called by store_open: SQLite with the part of the
 * URL after the scheme ("sqlite:" or "sqlite://" removed), PostgreSQL with
 * the whole URL (libpq parses it). Each allocates its struct, sets ->ops,
 * and on failure returns a PL_E* code with nothing left open. */
int store_sqlite_open(const char *path, bool read_only, store **out, pl_error *err);
/* The schema version this program's SQLite migrations lead to. */
int store_sqlite_schema_target(void);
int store_postgres_open(const char *url, bool read_only, store **out, pl_error *err);

/* Migration progress in the log, for an upgrade of an existing database
 * only (from > 0; a new database's schema is made silently): a migration
 * can take seconds on a large database (docs/STORAGE.md), during which the
 * server does not listen yet. migration_starts logs the version about to
 * be applied and returns the time it started (Unix ms, never 0 when it
 * logged, else 0); migration_done logs how long it took. DB names the
 * backend ("sqlite" or "postgres"). */
int64_t migration_starts(const char *db, int64_t from, int to);
void migration_done(const char *db, int to, int64_t started);

/* E-mail addresses are compared after ASCII lower-casing (the domain is
 * case-insensitive; treating the local part so too is what users expect).
 * Returns the folded copy (xmalloc, the caller frees). */
char *store_email_fold(const char *email);

/* Store-neutral code (accounts.c) that composes primitives calls this once
 * for the public operation it implements, as store.c's forwarding functions
 * do: nonzero (err filled, PL_ESTORE to return) when this call is the
 * injected failure of store_fail_after. */
int store_fault_injected(store *s, pl_error *err);

#endif
