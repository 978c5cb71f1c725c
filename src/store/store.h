/* store/store.h: the only way to reach Parley's storage.
 *
 * A store is one connection to SQLite ("sqlite:PATH") or PostgreSQL
 * ("postgres://..." or "postgresql://..."). Nothing outside store/ sees
 * SQL. One thread uses a store at a time; the server opens one per event
 * loop (reads) and one for the writer thread (all writes, committed in
 * groups).
 *
 * Memory: strings and arrays in results are allocated from the arena the
 * caller passes and live as long as that arena. Ids are int64 inside the
 * server; the API prints them as decimal strings. Times are Unix
 * milliseconds (UTC).
 *
 * Errors: 0 on success, PL_ENOTFOUND, PL_ECONFLICT (unique key taken),
 * PL_EINVAL (bad argument) or PL_ESTORE (the database failed; err says how).
 * No function here commits on its own when a transaction is open; outside a
 * transaction each write is its own durable transaction.
 */
#ifndef PARLEY_STORE_STORE_H
#define PARLEY_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"
#include "util/error.h"

typedef struct store store;

/* ---- lifecycle ---------------------------------------------------------- */

/* Opens the store named by url and applies pending schema migrations (numbered,
 * each in its own transaction; safe when several processes start at once).
 * read_only opens a connection that never writes (the event loops' readers).
 * On success sets *out and returns 0. */
int store_open(const char *url, bool read_only, store **out, pl_error *err);
/* What store_open checks of url before it connects: a known scheme, a path
 * for sqlite:. 0 or PL_EINVAL. */
int store_url_check(const char *url, pl_error *err);
void store_close(store *s); /* s may be NULL */

/* Cheap liveness probe for /healthz: 0 when the database answers. */
int store_ping(store *s, pl_error *err);

/* Transactions. begin/commit/rollback bracket a group commit; a savepoint
 * isolates one job inside it so a failing job does not undo the others.
 * savepoint_rollback undoes the job's changes and ends its savepoint (do not
 * release it afterwards).
 * commit returns only once the transaction is durable on disk. */
int store_begin(store *s, pl_error *err);
int store_commit(store *s, pl_error *err);
void store_rollback(store *s);
int store_savepoint(store *s, pl_error *err);
int store_savepoint_release(store *s, pl_error *err);
void store_savepoint_rollback(store *s);

/* A batch: a run of jobs of a group commit written together, without a
 * savepoint per job or per operation, for a backend where savepoints and
 * row-at-a-time inserts are what a job costs (PostgreSQL; docs/STORAGE.md,
 * "The writer's batches"). Inside an open transaction, batch_begin starts
 * one for about `jobs` jobs and returns 1, or returns 0 when the backend
 * has no batches (SQLite: the caller runs the jobs in savepoints as
 * usual). Inside a batch a new top-level comment may be held back and
 * written with the others in one statement before anything else is sent;
 * store_comment_insert still sets its id and root_id at once. batch_end
 * writes what was held back and returns 0, or fails when any operation of
 * the batch failed or the batch's own write did: then, as after any
 * failure inside the batch, batch_rollback undoes everything since
 * batch_begin (nothing of it was acknowledged) and the caller runs the
 * same jobs again in savepoints, where each fails alone as it would have. */
int store_batch_begin(store *s, size_t jobs, pl_error *err);
int store_batch_end(store *s, pl_error *err);
void store_batch_rollback(store *s);

/* Test-only fault injection: the nth store call from now (1 = the next)
 * fails with PL_ESTORE; 0 disables. Counted per store. */
void store_fail_after(store *s, int nth);

/* ---- users and sessions -------------------------------------------------- */

typedef enum { ROLE_READER = 0, ROLE_MODERATOR = 1, ROLE_ADMIN = 2 } store_role;

/* "reader", "moderator" or "admin": the one spelling of a role in the API,
 * the command line and the desk. store_role_parse returns -1 for any other
 * text. */
const char *store_role_name(store_role role);
int store_role_parse(const char *s, store_role *out);

/* Who made an account. Accounts no person registered are told apart by this
 * field, never by their address: an address can be typed by anyone. */
typedef enum {
    USER_PERSON = 0,   /* registered, or made by `parley admin create-user` */
    USER_SSO = 1,      /* made by a single sign-on from the publisher's site */
    USER_IMPORTED = 2, /* an author of imported comments */
    USER_ENGINE = 3,   /* the moderation engine's own account */
} store_user_kind;

typedef struct store_user {
    int64_t id;
    const char *email; /* lower-cased on insert */
    const char *name;
    const char *pw_hash; /* libsodium argon2id string; "" for SSO-only users */
    store_role role;
    int64_t created_at;
    /* Ban state: banned && banned_until == 0 is permanent; banned_until > 0 is a
     * suspension that ends then (callers compare with the clock). */
    bool banned;
    int64_t banned_until;
    const char *ban_reason; /* NULL when not banned */
    bool deleted;
    store_user_kind kind;
    const char *language; /* the desk's and pages' language the user chose; "" none */
} store_user;

/* Inserts a user; sets u->id. PL_ECONFLICT when the e-mail is taken
 * (compared case-insensitively). */
int store_user_insert(store *s, store_user *u, pl_error *err);
int store_user_by_id(store *s, int64_t id, arena *a, store_user *out, pl_error *err);
int store_user_by_email(store *s, const char *email, arena *a, store_user *out, pl_error *err);
/* The account of u->kind with address u->email, made from *u (name, role,
 * created_at) when there is none. When the address belongs to an account of
 * another kind or a deleted one (an address someone took before it was
 * reserved), the next of "local+2@domain" ... "local+9@domain" is tried.
 * Fills *u (allocated from a) and sets *created. For accounts no person
 * registers (imported authors, the engine); never reuses a person's. */
int store_user_of_kind(store *s, store_user *u, arena *a, bool *created, pl_error *err);
/* Sets or lifts a ban. banned=false clears until and reason. */
int store_user_set_ban(store *s, int64_t user_id, bool banned, int64_t until, const char *reason,
                       pl_error *err);
int store_user_set_role(store *s, int64_t user_id, store_role role, pl_error *err);
/* language: a catalogue code of web/i18n/site/ (the caller checks it), or "". */
int store_user_set_language(store *s, int64_t user_id, const char *language, pl_error *err);

/* Sessions are looked up by the SHA-256 of their token; the token itself is
 * never stored. */
#define STORE_TOKEN_HASH_LEN 32
int store_session_insert(store *s, const unsigned char hash[STORE_TOKEN_HASH_LEN], int64_t user_id,
                         int64_t expires_at, pl_error *err);
/* Finds the user of an unexpired session (expires_at > now). PL_ENOTFOUND
 * when there is none, or when its user is deleted. */
int store_session_user(store *s, const unsigned char hash[STORE_TOKEN_HASH_LEN], int64_t now,
                       arena *a, store_user *out, pl_error *err);
int store_session_delete(store *s, const unsigned char hash[STORE_TOKEN_HASH_LEN], pl_error *err);

/* ---- articles ------------------------------------------------------------ */

typedef enum {
    ARTICLE_OPEN = 0,
    ARTICLE_PREMODERATED = 1,
    ARTICLE_CLOSED = 2
} store_article_status;

typedef struct store_article {
    const char *id;
    const char *title; /* "" when unknown */
    const char *url;   /* "" when unknown */
    const char *text;  /* "" when unknown; used by the on-topic check */
    store_article_status status;
    bool sensitive;
    int64_t comment_count; /* published comments, replies included */
    int64_t created_at;
} store_article;

int store_article_get(store *s, const char *id, arena *a, store_article *out, pl_error *err);
/* Creates the article open for comments if it does not exist, with the given
 * title and url (either may be NULL); an existing article is left alone
 * except that an empty title or url is filled in. */
int store_article_ensure(store *s, const char *id, const char *title, const char *url,
                         pl_error *err);

/* Fields to change; a NULL pointer or a false has_* leaves the field as is.
 * Creates the article when missing. The typedef cannot also be called
 * store_article_update (the function's name), so it is store_article_changes;
 * `struct store_article_update` names the same type. */
typedef struct store_article_update {
    const char *title;
    const char *url;
    const char *text;
    bool has_status;
    store_article_status status;
    bool has_sensitive;
    bool sensitive;
    int64_t created_at; /* 0 leaves it; an import sets the source's */
} store_article_changes;
int store_article_update(store *s, const char *id, const store_article_changes *up, pl_error *err);

/* Published-comment counts for n article ids; an unknown id counts 0. */
int store_article_counts(store *s, const char *const *ids, size_t n, int64_t *counts,
                         pl_error *err);

/* ---- comments ------------------------------------------------------------ */

typedef enum {
    COMMENT_PUBLISHED = 0,
    COMMENT_PENDING = 1,  /* held for a moderator */
    COMMENT_REJECTED = 2, /* refused by the engine or a moderator; kept for the record */
    COMMENT_DELETED = 3,  /* removed by its author or a moderator; body cleared */
    COMMENT_HIDDEN = 4    /* hidden from readers by flags until a moderator reviews it */
} store_comment_status;

/* A comment's repeat key (docs/STORAGE.md, "Repeat keys"): the hash and
 * length of its body's folded text, and the version of the fold that made
 * them (moderation.h, moderation_fold_key). ver 0: none, stored as NULL
 * (a comment imported or written before the key existed): whoever needs
 * the key folds the body. */
typedef struct store_fold_key {
    uint64_t hash;
    uint32_t len;
    uint32_t ver;
} store_fold_key;

typedef struct store_comment {
    int64_t id;
    const char *article_id;
    int64_t parent_id; /* 0 for a top-level comment */
    int64_t root_id;   /* the top-level ancestor; its own id when top-level */
    int64_t author_id;
    const char *author_name; /* filled on reads */
    const char *body;        /* the Markdown as written */
    const char *html;        /* rendered, sanitised */
    const char *moderation;  /* the MODERATION JSON of the last decision */
    store_comment_status status;
    bool featured;
    int64_t created_at;
    int64_t edited_at; /* 0 when never edited */
    int64_t likes;
    bool liked_by_me;             /* for the viewer passed to the read */
    int64_t reply_count;          /* direct replies visible to everyone (published) */
    const char *moderator_reason; /* the reason of the last moderator decision, "" if none */
    store_role author_role;       /* filled on reads: staff wear a badge */
    /* Written by store_comment_insert (ver 0: none); read only by
     * store_comments_by_authors (zero elsewhere). */
    store_fold_key fold;
} store_comment;

/* Inserts c (id, root_id and created_at are set by the store: created_at
 * from c->created_at when non-zero, else now). The parent, when given, must
 * be in the same article: PL_ENOTFOUND otherwise. Creates the article when
 * missing and keeps its comment_count. */
int store_comment_insert(store *s, store_comment *c, pl_error *err);

/* Reads one comment with its author name and likes. viewer_id (0 = anonymous)
 * decides liked_by_me. */
int store_comment_get(store *s, int64_t id, int64_t viewer_id, arena *a, store_comment *out,
                      pl_error *err);

/* Replaces the body after an edit (edited_at = now), with its new html,
 * status, moderation JSON and repeat key (fold; NULL or ver 0: none).
 * PL_ENOTFOUND when the comment is rejected or deleted: an edit never
 * brings one of those back. */
int store_comment_edit(store *s, int64_t id, const char *body, const char *html,
                       store_comment_status status, const char *moderation,
                       const store_fold_key *fold, int64_t now, pl_error *err);

/* Sets *reviewed when a moderator approved or featured the comment and
 * that decision still stands (it was not undone). */
int store_comment_reviewed(store *s, int64_t id, bool *reviewed, pl_error *err);

/* Sets status (a moderator decision, or deletion). Deleting clears body,
 * html and repeat key but keeps the row, so replies keep their place. */
int store_comment_set_status(store *s, int64_t id, store_comment_status status, pl_error *err);
int store_comment_set_featured(store *s, int64_t id, bool featured, pl_error *err);

typedef enum { SORT_OLDEST = 0, SORT_NEWEST = 1, SORT_TOP = 2 } store_sort;

/* Paging position: the sort key of the last item seen and its id. For
 * SORT_OLDEST/NEWEST key is created_at; for SORT_TOP it is likes. */
typedef struct store_cursor {
    bool set;
    int64_t key;
    int64_t id;
} store_cursor;

typedef struct store_comment_list {
    store_comment *items;
    size_t n;
} store_comment_list;

/* One page of top-level comments of an article, visible to viewer_id:
 * published ones, the viewer's own pending ones, and any other (deleted,
 * rejected, someone else's pending) that still has visible replies, as a
 * placeholder whose status the caller shows as deleted. Returns at most limit items
 * after the cursor; *more is set when another page exists. */
int store_comments_page(store *s, const char *article_id, store_sort sort, store_cursor after,
                        int limit, int64_t viewer_id, arena *a, store_comment_list *out, bool *more,
                        pl_error *err);

/* All replies (at any depth) under the given top-level ids, oldest first,
 * with the same visibility rule. The caller nests them by parent_id. */
int store_comments_replies(store *s, const int64_t *root_ids, size_t n, int64_t viewer_id, arena *a,
                           store_comment_list *out, pl_error *err);

/* Recent comments by one author since a time (created_at >= since), newest
 * first, at most limit, whatever their status (spam and repetition checks). */
int store_comments_by_author(store *s, int64_t author_id, int64_t since, int limit, arena *a,
                             store_comment_list *out, pl_error *err);

/* Several reads of many rows at once, in one snapshot (one statement on
 * PostgreSQL, with the ids bound as an array; one read transaction on
 * SQLite, or the one statement alone for one author), for a caller that
 * would otherwise read them one by one (the settings preview, api/settings.c),
 * and the light read of one author's recent comments (a comment write's
 * look at the author's history, api/comments.c).
 *
 * out[i] is author_ids[i]'s newest limits[i] comments (limits[i] >= 1),
 * newest first, whatever their status: the comments, in that order, that
 * store_comments_by_author(author_ids[i], 0, limits[i]) gives, of which
 * only id, author_id, created_at and the repeat key (fold) are read, and
 * body for those created at body_since or later (NULL before; the other
 * fields zero). With want (NULL, or ver 0: every comment, each body from
 * body_since), only the comments of those newest whose stored key is not
 * of want->ver (or is none) or is equal to *want are given out, still
 * newest first: the repeated-comment check's read of the author's last
 * minutes, which has no use for a comment whose key differs. Comments created before
 * from are not read at all (INT64_MIN: every one), as if they did not
 * exist. On SQLite the comments without a body are read from the index
 * alone. */
int store_comments_by_authors(store *s, const int64_t *author_ids, const int *limits, size_t n,
                              int64_t from, int64_t body_since, const store_fold_key *want,
                              arena *a, store_comment_list *out, pl_error *err);
/* store_article_get(article_id) and store_comments_by_authors for the one
 * author_id (limit, from, body_since, want as there) together, as a
 * top-level comment's POST asks them: on PostgreSQL the two statements
 * travel in one pipeline, so they cost one round trip. art->id is NULL
 * when there is no such article; *recent is read either way. PL_EINVAL
 * for an empty article id or a limit below 1. */
int store_article_recent(store *s, const char *article_id, int64_t author_id, int limit,
                         int64_t from, int64_t body_since, const store_fold_key *want, arena *a,
                         store_article *art, store_comment_list *recent, pl_error *err);
/* out[i] is the comment ids[i] as store_comment_get with no viewer reads
 * it; out[i].id is 0 when there is none. */
int store_comments_get_many(store *s, const int64_t *ids, size_t n, arena *a, store_comment *out,
                            pl_error *err);
/* out[i] is the account ids[i]; out[i].id is 0 when there is none. */
int store_users_get_many(store *s, const int64_t *ids, size_t n, arena *a, store_user *out,
                         pl_error *err);
/* out[i] is the article ids[i]; out[i].id is NULL when there is none.
 * PL_EINVAL when an id is not a valid article id (store_article_get). */
int store_articles_get_many(store *s, const char *const *ids, size_t n, arena *a,
                            store_article *out, pl_error *err);

/* What one reader's view of an article adds to the anonymous one (the
 * personal layer of a thread page): the ids of the article's comments they
 * liked, the authors they muted, and whether they have a pending comment
 * there (shown to them in place). One query, one round trip. */
typedef struct store_viewer_layer {
    int64_t *liked; /* ascending */
    size_t n_liked;
    int64_t *muted; /* ascending */
    size_t n_muted;
    bool own_pending;
} store_viewer_layer;

int store_viewer_layer_get(store *s, const char *article_id, int64_t viewer_id, arena *a,
                           store_viewer_layer *out, pl_error *err);

/* store_session_user and store_viewer_layer_get together, for a reader who
 * opens a thread page with a session cookie: the session's user in *user
 * and their layer of the article in *layer. On PostgreSQL the two
 * statements travel in one pipeline, so the view costs one round trip.
 * PL_ENOTFOUND when there is no such unexpired session or its user is
 * deleted (the reader is anonymous). */
int store_session_layer(store *s, const unsigned char hash[STORE_TOKEN_HASH_LEN], int64_t now,
                        const char *article_id, arena *a, store_user *user,
                        store_viewer_layer *layer, pl_error *err);

/* The same read without waiting for the answer, for an event loop that
 * serves other requests meanwhile (PostgreSQL; server/session_read.c). A
 * store opened for this is used for nothing else: store_async_start puts
 * its connection in non-blocking pipeline mode and sets *fd to the socket
 * to watch, or to -1 when the backend answers at once anyway (SQLite: use
 * store_session_layer). store_async_send queues one read (the session's
 * user and their layer of the article) and store_async_flush pushes what
 * is queued to the server: 0 when all is sent, 1 when the socket is full
 * (call it again once writable). Answers come back in the order the reads
 * were sent: store_async_next reads what arrived and returns 1 when the
 * oldest outstanding read is complete, with its result in *result (0, with
 * *user and *layer filled from a; PL_ENOTFOUND for no live session;
 * PL_ESTORE with err), 0 when it is not complete yet, or PL_ESTORE when
 * the connection broke: every outstanding read is lost, close the store.
 * Call it until it returns 0 each time the socket is readable. */
int store_async_start(store *s, int *fd, pl_error *err);
int store_async_send(store *s, const unsigned char hash[STORE_TOKEN_HASH_LEN], int64_t now,
                     const char *article_id, pl_error *err);
int store_async_flush(store *s, pl_error *err);
int store_async_next(store *s, arena *a, store_user *user, store_viewer_layer *layer, int *result,
                     pl_error *err);

/* Likes: idempotent; both set *likes to the comment's new count. */
int store_like_add(store *s, int64_t comment_id, int64_t user_id, int64_t *likes, pl_error *err);
int store_like_remove(store *s, int64_t comment_id, int64_t user_id, int64_t *likes, pl_error *err);

/* ---- flags --------------------------------------------------------------- */

/* Records a reader's flag. PL_ECONFLICT when this user already flagged this
 * comment; PL_ENOTFOUND when the comment does not exist. Sets *flag_id. */
int store_flag_insert(store *s, int64_t comment_id, int64_t user_id, const char *reason,
                      const char *note, int64_t *flag_id, pl_error *err);

typedef struct store_flag_group {
    const char *reason;
    int64_t count;
    const char *notes; /* notes joined by "\n", "" when none */
} store_flag_group;

/* Flags on one comment grouped by reason. */
int store_flags_for_comment(store *s, int64_t comment_id, arena *a, store_flag_group **out,
                            size_t *n, pl_error *err);
/* Marks every flag on the comment reviewed (a moderator has dealt with it),
 * which takes the comment off the flagged queue until someone flags it
 * again. PL_ENOTFOUND when the comment does not exist. */
int store_flags_mark_reviewed(store *s, int64_t comment_id, pl_error *err);

/* ---- moderation desk ----------------------------------------------------- */

typedef enum { QUEUE_PENDING = 0, QUEUE_FLAGGED = 1, QUEUE_REJECTED = 2 } store_queue;

/* One page of a queue, oldest first by id: pending and rejected by status;
 * flagged = published or hidden comments with unreviewed flags. after_id 0
 * starts. */
int store_queue_list(store *s, store_queue q, int64_t after_id, int limit, arena *a,
                     store_comment_list *out, bool *more, pl_error *err);

typedef struct store_log_entry {
    int64_t id;
    int64_t at;
    int64_t actor_id;        /* 0 for an automatic decision */
    const char *action;      /* "approve", "reject", "ban", "auto_hold", ... */
    const char *target_type; /* "comment", "user", "article" */
    const char *target_id;
    const char *reason; /* "" when none */
} store_log_entry;

/* Appends to the moderation log (append-only: there is no update or delete).
 * The store records the site the entry is about (docs/SITES.md): a comment's
 * article's site, an article key's, a "site" target's own id; none for the
 * rest (users, settings), which belong to every site. */
int store_log_append(store *s, const store_log_entry *e, pl_error *err);
/* Newest first; before_id 0 starts. */
int store_log_list(store *s, int64_t before_id, int limit, arena *a, store_log_entry **out,
                   size_t *n, pl_error *err);

/* ---- moderation desk: decisions, flags that weigh, readers' tools ---------- */

/* Live queue sizes: counts[QUEUE_PENDING], [QUEUE_FLAGGED], [QUEUE_REJECTED]. */
int store_queue_counts(store *s, int64_t counts[3], pl_error *err);
/* store_queue_list and store_queue_counts for the comments of one site
 * (site >= 1; docs/SITES.md: site 1's articles have no "N/" prefix). */
int store_site_queue_list(store *s, int64_t site, store_queue q, int64_t after_id, int limit,
                          arena *a, store_comment_list *out, bool *more, pl_error *err);
int store_site_queue_counts(store *s, int64_t site, int64_t counts[3], pl_error *err);

/* Sets a comment's status, featured mark and moderator reason at once (a
 * moderator decision or its undo). Does not clear the body. */
int store_comment_set_state(store *s, int64_t id, store_comment_status status, bool featured,
                            const char *moderator_reason, pl_error *err);

/* A moderator decision on a comment, kept so it can be undone: the state
 * before it. The modlog records the decision and its undo separately. */
typedef struct store_decision {
    int64_t id;
    int64_t comment_id;
    int64_t actor_id;
    int64_t at;
    const char *action;
    store_comment_status prev_status;
    bool prev_featured;
    const char *prev_reason;
} store_decision;

/* Inserts d and sets d->id. */
int store_decision_insert(store *s, store_decision *d, pl_error *err);
/* The actor's newest decision that is not undone; PL_ENOTFOUND when none. */
int store_decision_last(store *s, int64_t actor_id, arena *a, store_decision *out, pl_error *err);
/* Marks a decision undone and reopens the flags its review closed. */
int store_decision_undo(store *s, int64_t decision_id, pl_error *err);

typedef enum { FLAG_OPEN = 0, FLAG_UPHELD = 1, FLAG_DISMISSED = 2 } store_flag_outcome;

/* Closes every unreviewed flag on the comment with this outcome, recording
 * the decision that closed them (0: none). PL_ENOTFOUND when no comment. */
int store_flags_review(store *s, int64_t comment_id, store_flag_outcome outcome,
                       int64_t decision_id, pl_error *err);

/* One unreviewed flag with what the weighting needs about its flagger. */
typedef struct store_flagger {
    int64_t user_id;
    const char *reason;
    int64_t account_created_at;
    int64_t upheld;    /* the flagger's earlier flags that moderators upheld */
    int64_t dismissed; /* ... and dismissed */
} store_flagger;

int store_flaggers_for_comment(store *s, int64_t comment_id, arena *a, store_flagger **out,
                               size_t *n, pl_error *err);
/* Flags the user made at or after since. */
int store_flags_count_by_user(store *s, int64_t user_id, int64_t since, int64_t *n, pl_error *err);

/* The author's record for the desk. */
typedef struct store_user_history {
    int64_t comments; /* every comment, whatever its status */
    int64_t published;
    int64_t pending;
    int64_t rejected;
    int64_t hidden;
    int64_t flags_received; /* flags on their comments */
    int64_t flags_upheld;   /* of those, upheld by a moderator */
    int64_t bans;           /* ban, suspend and auto_suspend entries in the log */
} store_user_history;

int store_user_history_get(store *s, int64_t user_id, store_user_history *out, pl_error *err);

/* Log with filters; a zero or NULL field does not filter. actor_id -1
 * selects automatic decisions. author_id selects entries on the user and on
 * their comments; article_id entries on the article and on its comments. */
typedef struct store_log_filter {
    int64_t before_id;
    int64_t actor_id;
    int64_t author_id;
    const char *article_id;
    const char *action;
    int64_t site; /* 0: every entry; else the entries about that site's comments,
                   * articles and the site itself (store_log_append) */
} store_log_filter;

int store_log_query(store *s, const store_log_filter *f, int limit, arena *a, store_log_entry **out,
                    size_t *n, pl_error *err);

/* ---- the desk's people and articles (issue 15) ------------------------------ */

/* Users for the desk's people page, newest account first. A NULL or zero
 * field does not filter. text matches a part of the name or the e-mail
 * address (case-insensitive for ASCII; % and _ are plain characters);
 * exact_name matches the whole name (case-insensitive). role -1 is any.
 * banned keeps users under a ban or suspension in force at now; since keeps
 * accounts created at or after it. Deleted accounts are never listed. */
typedef struct store_user_filter {
    const char *text;
    const char *exact_name;
    int role;
    bool banned;
    int64_t now;
    int64_t since;
    int64_t before_id; /* paging: ids below this; 0 starts */
    int64_t site;      /* 0: everyone; else people with a comment on that site's
                        * articles, and comments counts only those */
} store_user_filter;

typedef struct store_user_row {
    store_user user;
    int64_t comments; /* every comment, whatever its status */
} store_user_row;

int store_users_search(store *s, const store_user_filter *f, int limit, arena *a,
                       store_user_row **out, size_t *n, pl_error *err);

/* Notes between moderators about a user, newest first. note_add sets n->id
 * (and n->created_at when 0). */
typedef struct store_note {
    int64_t id;
    int64_t user_id;         /* who the note is about */
    int64_t author_id;       /* the moderator who wrote it */
    const char *author_name; /* filled on reads */
    const char *body;
    int64_t created_at;
} store_note;

int store_note_add(store *s, store_note *n, pl_error *err);
int store_notes_list(store *s, int64_t user_id, int limit, arena *a, store_note **out, size_t *n,
                     pl_error *err);

/* Flags a user gave (given) or received on their comments, newest first,
 * with both people's names; with site > 0 only those on that site's
 * comments (the limit applies after that filter). */
typedef struct store_flag_detail {
    int64_t id;
    int64_t comment_id;
    int64_t flagger_id;
    const char *flagger_name;
    int64_t author_id;
    const char *author_name;
    const char *reason;
    const char *note;
    int64_t created_at;
    store_flag_outcome outcome;
} store_flag_detail;

int store_flags_about_user(store *s, int64_t user_id, bool given, int64_t site, int limit, arena *a,
                           store_flag_detail **out, size_t *n, pl_error *err);

/* Log entries about one target (target_type, target_id), newest first. */
int store_log_about(store *s, const char *target_type, const char *target_id, int limit, arena *a,
                    store_log_entry **out, size_t *n, pl_error *err);

/* Articles for the desk, newest first by (created_at, id). text matches a
 * part of the id or the title (as store_users_search); status -1 is any.
 * Paging: before_at/before_id is the last row seen (before_id NULL starts).
 * Rows leave text empty. */
typedef struct store_article_filter {
    const char *text;
    int status;
    int64_t site; /* 0: every site's articles; else one site's (docs/SITES.md) */
    int64_t before_at;
    const char *before_id;
} store_article_filter;

typedef struct store_article_row {
    store_article article;
    int64_t pending; /* comments waiting for a moderator */
    int64_t total;   /* every comment, whatever its status */
} store_article_row;

int store_articles_list(store *s, const store_article_filter *f, int limit, arena *a,
                        store_article_row **out, size_t *n, pl_error *err);

/* Closes every article not closed yet that was created before cutoff, of
 * one site (site >= 1) or of every site (0); hands back the ids (keys) it
 * closed (arena-owned). */
int store_articles_close_before(store *s, int64_t cutoff, int64_t site, arena *a, const char ***ids,
                                size_t *n, pl_error *err);

/* The desk's search over comments, newest first (by id). A zero or NULL
 * field does not filter. text: every word of it must appear, as the
 * database's full-text search splits words (SQLite FTS5's unicode61
 * tokenizer, folding case and diacritics; PostgreSQL's 'simple'
 * configuration, folding case); no character of it is an operator. status
 * -1 is any status but deleted (a deleted comment has no text left), else
 * one store_comment_status. before_id pages: only ids below it. */
typedef struct store_search {
    const char *text;
    int64_t author_id;
    const char *article_id;
    int status;
    int64_t before_id;
    int64_t site; /* 0: every site's comments; else one site's (docs/SITES.md) */
} store_search;

int store_comments_search(store *s, const store_search *q, int limit, arena *a,
                          store_comment_list *out, pl_error *err);

/* The desk's numbers over whole UTC days [from, to) (times in ms; to -
 * from a multiple of STORE_DAY_MS, at most STORE_STATS_MAX_DAYS days), all
 * computed from the tables there are (comments, decisions, flags, modlog):
 *   - comments created each day, by the status they have now;
 *   - the pending and flagged queues' sizes at each day's end, rebuilt from
 *     when comments entered and left them: a comment is pending from its
 *     creation until the first standing moderator decision taken on it while
 *     pending (or still, when it is pending now); it is in the flagged queue
 *     from its first flag until the decision that closed its last one (or
 *     still, while a flag is open on a published or hidden comment).
 *     Comments deleted while queued, and flags closed without a decision,
 *     leave no trace and are not counted;
 *   - moderator decisions (approve, reject; undone ones left out) on
 *     comments that were queued (pending, rejected, hidden or flagged), each
 *     day and their median wait: from the comment's first flag closed by the
 *     decision, else from its creation;
 *   - readers' flags (not the engine's own review requests) by reason and
 *     outcome;
 *   - the engine's decisions from the log (auto_hold, auto_reject and
 *     auto_reject_edit, auto_review; not a hold only because the article is
 *     premoderated, which is the publisher's rule and no judgement) and what
 *     moderators made of them: the newest standing approve (overturned) or
 *     reject (upheld) taken on the comment after it. */
#define STORE_DAY_MS 86400000LL
#define STORE_STATS_MAX_DAYS 366

typedef enum { STATS_HELD = 0, STATS_REFUSED = 1, STATS_REVIEW = 2 } store_stats_engine;

typedef struct store_stats_day {
    int64_t comments[5];   /* created this day, indexed by store_comment_status */
    int64_t pending_queue; /* at the day's end */
    int64_t flagged_queue; /* comments, at the day's end */
    int64_t approved;      /* moderator decisions this day */
    int64_t rejected;
    int64_t median_wait; /* ms, of this day's decisions; -1 when none */
    int64_t flags;       /* readers' flags this day */
    int64_t engine[3];   /* engine decisions this day, by store_stats_engine */
    int64_t overturned;  /* of those, later approved by a moderator */
    int64_t upheld;      /* ... later rejected */
} store_stats_day;

typedef struct store_stats_reason {
    const char *reason;
    int64_t count;
    int64_t outcome[3]; /* by store_flag_outcome: open, upheld, dismissed */
    int64_t *per_day;   /* n_days counts */
} store_stats_reason;

typedef struct store_stats {
    int64_t from, to;
    size_t n_days;
    store_stats_day *days;
    store_stats_reason *reasons; /* most flagged first */
    size_t n_reasons;
    int64_t decisions;                           /* every day's approved + rejected */
    int64_t median_wait;                         /* ms, over the whole range; -1 when no decision */
    int64_t engine[3], overturned[3], upheld[3]; /* by store_stats_engine */
    /* Filled while the rows arrive (store_common.c): */
    int64_t *waits; /* every decision's wait, by day then wait */
    int *wait_days;
    size_t n_waits, cap_waits;
    bool waits_unsorted; /* rows of several sites: store_stats_end sorts the waits */
} store_stats;

/* Fills *out (arena-owned) with the numbers of the sites sites[0..n_sites)
 * added up, or of every site when n_sites is 0 (each row of the summary
 * tables keeps its comment's site; docs/SITES.md). PL_EINVAL when the range
 * is not whole days or is longer than STORE_STATS_MAX_DAYS, or when sites
 * are named and from is not a UTC midnight (only the summary tables are
 * kept by site). */
int store_stats_get(store *s, int64_t from, int64_t to, const int64_t *sites, size_t n_sites,
                    arena *a, store_stats *out, pl_error *err);

/* Mutes: user_id no longer sees muted_id's comments. Idempotent. */
typedef struct store_mute {
    int64_t user_id; /* the muted user */
    const char *name;
    int64_t created_at;
} store_mute;

int store_mute_set(store *s, int64_t user_id, int64_t muted_id, bool on, int64_t now,
                   pl_error *err);
int store_mutes_list(store *s, int64_t user_id, arena *a, store_mute **out, size_t *n,
                     pl_error *err);

/* A user's own flags and likes, for the data export. */
typedef struct store_flag_row {
    int64_t id;
    int64_t comment_id;
    const char *reason;
    const char *note;
    int64_t created_at;
    store_flag_outcome outcome;
} store_flag_row;

int store_flags_by_user(store *s, int64_t user_id, arena *a, store_flag_row **out, size_t *n,
                        pl_error *err);
int store_likes_by_user(store *s, int64_t user_id, arena *a, int64_t **comment_ids, size_t *n,
                        pl_error *err);

/* Deletes an account: marks it deleted, renames it "Deleted account",
 * clears e-mail, password and ban, drops its sessions and mutes. With
 * remove_comments its comments become deleted (bodies cleared); otherwise
 * they stay, shown under the deleted account's name. */
int store_user_delete(store *s, int64_t user_id, bool remove_comments, pl_error *err);

/* Bans that outlive an account: when a banned or suspended reader deletes
 * their account, the ban is kept on the SHA-256 of the lower-cased e-mail
 * address (hash) until ends_at (0: for good); a later account with that
 * address starts under it. Setting an address already kept keeps the
 * longer ban. email_ban_get finds the ban in force at now, or PL_ENOTFOUND;
 * reason is arena-owned. */
int store_email_ban_set(store *s, const unsigned char hash[STORE_TOKEN_HASH_LEN], int64_t ends_at,
                        const char *reason, pl_error *err);
int store_email_ban_get(store *s, const unsigned char hash[STORE_TOKEN_HASH_LEN], int64_t now,
                        arena *a, int64_t *ends_at, const char **reason, pl_error *err);

/* Single sign-on: records jti (PL_ECONFLICT when it was seen before: a
 * replay), then finds the user linked to the publisher's subject. A subject
 * seen for the first time is linked to:
 *   - link_user_id when it is not 0 (the explicit link step: the reader is
 *     logged in to that account);
 *   - else the account with this e-mail, only when email_verified and that
 *     account is a reader's without a password (made by single sign-on or an
 *     import), never staff's, a password account's, the engine's;
 *   - else a new account (USER_SSO), when the e-mail is free.
 * PL_EFORBIDDEN (message saying so) when an account holds the e-mail but may
 * not be linked automatically, and when the subject is already linked to
 * another account than link_user_id. Then updates the name of a reader's
 * account (staff names are the admin's to set) and its e-mail when that is
 * free. Sets *user_id. */
int store_sso_login(store *s, const char *sub, const char *name, const char *email,
                    bool email_verified, int64_t link_user_id, const char *jti, int64_t jti_expires,
                    int64_t now, int64_t *user_id, pl_error *err);

/* Proof of work (api/pow.c): records that the solution of challenge (its
 * 64 hex digits) was used, until expires_at, when its challenge expires and
 * no node would accept it anyway; PL_ECONFLICT when it was recorded before
 * (a replay, through this node or another). Drops the records that expired
 * before now. */
int store_pow_spend(store *s, const char *challenge, int64_t expires_at, int64_t now,
                    pl_error *err);

/* ---- mail: account settings, single-use tokens, the outbox ------------------ */

/* A user's mail settings, kept beside the account (user_mail): whether the
 * address is confirmed, and which notifications they want. A user without
 * a row has the zero value (unconfirmed, no notifications). */
typedef struct store_user_mail {
    bool email_verified;
    bool notify_replies;    /* a mail when someone replies to them */
    bool notify_moderation; /* a mail when a moderator decides on their comment */
    int64_t notify_queue;   /* staff: a mail when the pending queue reaches this; 0 = off */
} store_user_mail;

int store_user_mail_get(store *s, int64_t user_id, store_user_mail *out, pl_error *err);
/* Replaces the whole row (inserting it when missing). */
int store_user_mail_set(store *s, int64_t user_id, const store_user_mail *m, pl_error *err);

/* Sets a new password hash, ends every session of the user except keep
 * (the SHA-256 of the session to keep; NULL ends them all) and spends
 * every unused password-reset token of the user. PL_ENOTFOUND when there
 * is no such (undeleted) user. */
int store_user_set_password(store *s, int64_t user_id, const char *pw_hash,
                            const unsigned char *keep, int64_t now, pl_error *err);

/* Tokens mailed to a user (reset, verify, unsubscribe): only the SHA-256
 * of the token is stored. */
typedef enum {
    TOKEN_RESET = 1,            /* single use, one hour */
    TOKEN_VERIFY = 2,           /* single use */
    TOKEN_UNSUB_REPLIES = 3,    /* reusable until it expires */
    TOKEN_UNSUB_MODERATION = 4, /* reusable until it expires */
    TOKEN_UNSUB_QUEUE = 5       /* staff: the pending-queue mail; reusable */
} store_token_purpose;

int store_token_insert(store *s, const unsigned char hash[STORE_TOKEN_HASH_LEN], int64_t user_id,
                       store_token_purpose purpose, int64_t now, int64_t expires_at, pl_error *err);
/* Finds an unexpired token of this purpose whose user is not deleted and
 * sets *user_id; with spend, it must be unused and is marked used (so a
 * single-use token works once, even when two requests race). PL_ENOTFOUND
 * otherwise. Expired tokens are purged on the way. */
int store_token_use(store *s, const unsigned char hash[STORE_TOKEN_HASH_LEN],
                    store_token_purpose purpose, int64_t now, bool spend, int64_t *user_id,
                    pl_error *err);

/* The outbox. A mail is queued inside the transaction of the change that
 * caused it, so it exists exactly when that change committed, and stays
 * until it is sent or given up, across restarts. */
typedef struct store_mail {
    int64_t id;
    const char *recipient; /* the envelope address */
    const char *message;   /* the whole message, headers and body, CRLF lines */
    int64_t attempts;      /* including the one just claimed */
    int64_t created_at;
} store_mail;

/* Queues a mail due at once. When per_hour or more mails to the same
 * recipient were queued within the hour before now: PL_ERATE, nothing
 * queued (the per-recipient limit). */
int store_mail_enqueue(store *s, const char *recipient, const char *message, int64_t now,
                       int64_t per_hour, pl_error *err);
/* Claims the oldest due mail for lease_ms (no other sender, on this node
 * or another, takes it meanwhile) and counts the attempt. PL_ENOTFOUND when
 * none is due; then *next_due is when the next waiting mail is due (0 when
 * none waits). Also purges finished mails older than a week. */
int store_mail_claim(store *s, int64_t now, int64_t lease_ms, arena *a, store_mail *out,
                     int64_t *next_due, pl_error *err);

typedef enum { MAIL_WAITING = 0, MAIL_SENT = 1, MAIL_FAILED = 2 } store_mail_state;

/* Records an attempt: sent, failed for good, or waiting again until
 * retry_at. error ("" when sent) is kept for the operator. */
int store_mail_finish(store *s, int64_t id, store_mail_state state, int64_t retry_at,
                      const char *error, int64_t now, pl_error *err);

/* Staff accounts (moderators and admins, not deleted), by id: whose names
 * readers may not take. */
int store_staff_list(store *s, arena *a, store_user **out, size_t *n, pl_error *err);

/* Notification pacing: true in *allowed (and the time recorded) when
 * user_id was last notified about key more than window_ms before now, or
 * never; false otherwise. key is a thread's root comment id, or 0 for the
 * pending queue. */
int store_notify_once(store *s, int64_t user_id, int64_t key, int64_t now, int64_t window_ms,
                      bool *allowed, pl_error *err);

/* Staff (moderators and admins, not deleted) who asked for a mail when the
 * pending queue holds at least their threshold, and pending reaches it. */
int store_queue_watchers(store *s, int64_t pending, arena *a, store_user **out, size_t *n,
                         pl_error *err);

/* ---- change notices across nodes ------------------------------------------ */

/* Several nodes on one PostgreSQL database tell each other about committed
 * changes (to drop cached views and feed live updates) with LISTEN/NOTIFY.
 * SQLite serves one process, so there these do nothing.
 *
 * store_notify queues payload (at most 7,000 bytes) with the current
 * transaction: listeners receive it when, and only if, it commits. Outside a
 * transaction it is sent at once. */
int store_notify(store *s, const char *payload, pl_error *err);

/* Makes this connection receive notices. *fd receives a descriptor to watch
 * for readability, or -1 when the backend has no notices (SQLite: returns 0
 * with *fd = -1). Use a connection of its own for listening. */
int store_listen(store *s, int *fd, pl_error *err);

/* Reads what arrived and calls fn(arg, payload) for each notice, including
 * this node's own (the payload should say who sent it). Returns 0, or
 * PL_ESTORE when the connection broke (then reopen and listen again). */
int store_notices(store *s, void (*fn)(void *arg, const char *payload), void *arg, pl_error *err);

/* ---- rate limits shared by several nodes ----------------------------------- */

/* Takes one token from the bucket named key (refilling at per_minute tokens
 * a minute, holding at most burst) in the database, so every node sees the
 * same bucket. Returns 0 when allowed, or PL_ERATE and sets *retry_after_s.
 * Backends serving one process (SQLite) have no shared buckets and always
 * allow: the server's in-memory buckets already cover everything. */
int store_rate_take(store *s, const char *key, double per_minute, double burst, int64_t now,
                    int *retry_after_s, pl_error *err);

/* ---- webhook outbox -------------------------------------------------------- */

/* Events for the site's webhook wait here until a sender has delivered them.
 * A write that causes an event adds it in the same transaction, so an event
 * exists exactly when its change was committed, and survives restarts. */
typedef enum { OUTBOX_PENDING = 0, OUTBOX_DELIVERED = 1, OUTBOX_FAILED = 2 } store_outbox_state;

typedef struct store_outbox_item {
    int64_t id;
    const char *event;   /* "comment.published", ... */
    const char *payload; /* the JSON body as signed and sent */
    int64_t created_at;
    store_outbox_state state;
    int64_t attempts;
    int64_t next_at;        /* pending: not tried again before this time */
    int64_t last_at;        /* 0 when never tried */
    int64_t last_status;    /* HTTP status of the last answer, 0 when none came */
    const char *last_error; /* "" when the last attempt succeeded or none was made */
} store_outbox_item;

/* Adds a pending event due at once; sets *id. */
int store_outbox_add(store *s, const char *event, const char *payload, int64_t now, int64_t *id,
                     pl_error *err);

/* Claims the oldest pending event due at now (next_at <= now) for one
 * delivery attempt: moves its next_at to now + lease_ms, so no other sender
 * (another node) takes it meanwhile and a sender that dies leaves it due
 * again after the lease. PL_ENOTFOUND when nothing is due; then *next_due
 * (when not NULL) receives the earliest next_at of a pending event, or 0
 * when none is pending. */
int store_outbox_claim(store *s, int64_t now, int64_t lease_ms, arena *a, store_outbox_item *out,
                       int64_t *next_due, pl_error *err);

/* Records the outcome of an attempt on item->id: state, attempts, next_at,
 * last_at, last_status and last_error are stored as given. */
int store_outbox_record(store *s, const store_outbox_item *item, pl_error *err);

/* The delivery log: newest first, ids below before_id (0 starts). */
int store_outbox_list(store *s, int64_t before_id, int limit, arena *a, store_outbox_item **out,
                      size_t *n, pl_error *err);

/* Drops delivered and failed events last tried before `before`. */
int store_outbox_purge(store *s, int64_t before, pl_error *err);

/* ---- whole-site export and import (parley export / parley import parley) --- */

/* Every row of a kind, in id order, one page at a time: rows after `after`
 * (0, or "" for articles, starts), at most limit. Users come with their
 * e-mail and pw_hash as stored; the caller decides what to write out.
 * Comments have every status, with author_name and moderator_reason. */
int store_export_users(store *s, int64_t after, int limit, arena *a, store_user **out, size_t *n,
                       pl_error *err);
int store_export_articles(store *s, const char *after, int limit, arena *a, store_article **out,
                          size_t *n, pl_error *err);
int store_export_comments(store *s, int64_t after, int limit, arena *a, store_comment_list *out,
                          pl_error *err);
int store_export_log(store *s, int64_t after, int limit, arena *a, store_log_entry **out, size_t *n,
                     pl_error *err);

/* Flags and likes as the export writes and the import restores them. */
typedef struct store_export_flag {
    int64_t id;
    int64_t comment_id;
    int64_t user_id;
    const char *reason;
    const char *note;
    int64_t created_at;
    bool reviewed;
    store_flag_outcome outcome;
} store_export_flag;

typedef struct store_export_like {
    int64_t comment_id;
    int64_t user_id;
    int64_t created_at;
} store_export_like;

/* Flags by id; likes by (comment_id, user_id) after the pair given. */
int store_export_flags(store *s, int64_t after, int limit, arena *a, store_export_flag **out,
                       size_t *n, pl_error *err);
int store_export_likes(store *s, int64_t after_comment, int64_t after_user, int limit, arena *a,
                       store_export_like **out, size_t *n, pl_error *err);
/* Stores a flag as it was (time, review, outcome); sets f->id. PL_ECONFLICT
 * when this user already flagged this comment. */
int store_flag_restore(store *s, store_export_flag *f, pl_error *err);
/* Stores a like with its time; one that exists is left alone. */
int store_like_restore(store *s, const store_export_like *l, pl_error *err);

/* What an imported record became: kind names the source and the record
 * type ("parley:comment"), ext_id its id there. get: PL_ENOTFOUND when the
 * record was never imported. put: PL_ECONFLICT when it already was. Written
 * in the transaction that stores the record, so a record is imported once
 * however often the import runs or is interrupted. */
int store_import_map_get(store *s, const char *kind, const char *ext_id, int64_t *local,
                         pl_error *err);
int store_import_map_put(store *s, const char *kind, const char *ext_id, int64_t local,
                         pl_error *err);

/* ---- site settings edited in the desk (versioned) ------------------------ */

/* One version of the site's settings: a JSON object of the settings that
 * override the config file ("policy.slur": "hold", ...), written whole by
 * each change. version 0 (body "{}") when none was ever written. */
typedef struct store_settings {
    int64_t version;
    int64_t at;
    int64_t actor_id;
    const char *body; /* from the caller's arena */
} store_settings;

/* The newest version, or version 0 with body "{}" when there is none. */
int store_settings_get(store *s, arena *a, store_settings *out, pl_error *err);
/* Writes version expected + 1 with body (a JSON object). PL_ECONFLICT when
 * the newest version is not expected (someone changed the settings since
 * they were read). */
int store_settings_put(store *s, int64_t expected, const char *body, int64_t actor_id, int64_t now,
                       pl_error *err);

/* A site's own settings over the server's (docs/SITES.md): versioned per
 * site as the server's are; the default site (1) has none of its own (its
 * settings are the server's, store_settings_*). */
typedef struct store_site_settings {
    int64_t site_id;
    store_settings s;
} store_site_settings;

/* The newest version of site_id's, or version 0 with body "{}". */
int store_site_settings_get(store *s, int64_t site_id, arena *a, store_settings *out,
                            pl_error *err);
/* Writes site_id's version expected + 1; PL_ECONFLICT as store_settings_put. */
int store_site_settings_put(store *s, int64_t site_id, int64_t expected, const char *body,
                            int64_t actor_id, int64_t now, pl_error *err);
/* The newest version of every site that has one, by site id (at most 1,000). */
int store_site_settings_list(store *s, arena *a, store_site_settings **out, size_t *n,
                             pl_error *err);

/* ---- sites: several publishers in one server (docs/SITES.md) ------------- */

/* A site: its own origins and article namespace. Site 1 ("default") is
 * made by the migration and is the one of every request that names no
 * other; its origins add to the config file's public_url and
 * allowed_origins. */
typedef struct store_site {
    int64_t id;
    const char *slug;    /* 1-32 of a-z 0-9 -, unique; from the caller's arena */
    const char *name;    /* shown in the desk */
    const char *origins; /* space-separated origins ("https://a.example"), '' when none */
    int64_t created_at;
} store_site;

/* Every site, by id. *out from a. */
int store_sites_list(store *s, arena *a, store_site **out, size_t *n, pl_error *err);
/* Adds a site; *id gets its id. PL_ECONFLICT when the slug is taken. */
int store_site_create(store *s, const char *slug, const char *name, const char *origins,
                      int64_t now, int64_t *id, pl_error *err);
/* Changes a site's name and origins (NULL keeps one). PL_ENOTFOUND when
 * there is no such site. */
int store_site_update(store *s, int64_t id, const char *name, const char *origins, pl_error *err);

/* The sites a moderator is limited to (docs/SITES.md, "Moderators of some
 * sites"), by id, ascending; none (*n 0) is every site, as for every
 * moderator before there were limits. *sites from a. */
int store_moderator_sites(store *s, int64_t user_id, arena *a, int64_t **sites, size_t *n,
                          pl_error *err);
/* Limits a moderator to these sites (distinct ids), replacing the limit
 * before; n 0 lifts it. PL_ENOTFOUND when one of the sites does not exist
 * (nothing changed). */
int store_moderator_sites_set(store *s, int64_t user_id, const int64_t *sites, size_t n,
                              pl_error *err);

#endif
