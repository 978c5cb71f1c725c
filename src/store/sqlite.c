/* store/sqlite.c: the SQLite backend of store.h (the embedded default).
 *
 * One `sq` is one sqlite3 connection used by one thread at a time. Settings:
 * WAL (readers never block the writer), synchronous=FULL (a commit that has
 * returned survives power loss or kill -9), foreign keys on, a 5 s busy
 * timeout. All SQL is fixed text in the `sql` table below, prepared once per
 * connection and reset after every use, so no statement keeps a read
 * transaction open between calls (which would starve WAL checkpoints).
 * Nothing is ever built from input strings: input is only bound.
 *
 * Schema (migration 1, then 2 for the moderator desk; times are Unix ms,
 * ids INTEGER PRIMARY KEY):
 *   schema_version(version PK, applied_at)       one row per applied migration
 *   users(id, email UNIQUE lower-cased, name, pw_hash, role, created_at,
 *         banned, banned_until, ban_reason NULL, deleted)
 *   sessions(hash BLOB PK = SHA-256 of the token, user_id, created_at, expires_at)
 *   articles(id TEXT PK, title, url, text, status, sensitive, comment_count, created_at)
 *   comments(id, article_id, parent_id NULL for top level, root_id (own id
 *            for top level), author_id, body, html, moderation, status,
 *            featured, created_at, edited_at (0 = never), likes)
 *   likes(comment_id, user_id) PK together, created_at
 *   flags(id, comment_id, user_id, reason, note, created_at, reviewed),
 *         UNIQUE(comment_id, user_id)
 *   modlog(id, at, actor_id NULL = automatic, action, target_type, target_id,
 *          reason): append-only, enforced by triggers that abort UPDATE/DELETE.
 * Invariants kept by triggers, so no code path can forget them:
 *   articles.comment_count = number of its comments with status published;
 *   comments.likes = number of rows in likes for that comment.
 *
 * Writes that take several statements run in a transaction of their own
 * (BEGIN IMMEDIATE) when the caller has none open, or in a savepoint inside
 * the caller's transaction, so a failed call never leaves half its work.
 */
#include "store/store_int.h"
#include "util/xalloc.h"

#include <assert.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- schema ---------------------------------------------------------------- */

/* Migrations are append-only: never edit one that has shipped; add the next. */
static const char *const migrations[] = {
    /* 1: the initial schema. */
    "CREATE TABLE users ("
    "  id INTEGER PRIMARY KEY,"
    "  email TEXT NOT NULL UNIQUE,"
    "  name TEXT NOT NULL,"
    "  pw_hash TEXT NOT NULL DEFAULT '',"
    "  role INTEGER NOT NULL DEFAULT 0,"
    "  created_at INTEGER NOT NULL,"
    "  banned INTEGER NOT NULL DEFAULT 0,"
    "  banned_until INTEGER NOT NULL DEFAULT 0,"
    "  ban_reason TEXT,"
    "  deleted INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE sessions ("
    "  hash BLOB PRIMARY KEY,"
    "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  created_at INTEGER NOT NULL,"
    "  expires_at INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE INDEX sessions_user ON sessions(user_id);"
    "CREATE INDEX sessions_expires ON sessions(expires_at);"
    "CREATE TABLE articles ("
    "  id TEXT PRIMARY KEY,"
    "  title TEXT NOT NULL DEFAULT '',"
    "  url TEXT NOT NULL DEFAULT '',"
    "  text TEXT NOT NULL DEFAULT '',"
    "  status INTEGER NOT NULL DEFAULT 0,"
    "  sensitive INTEGER NOT NULL DEFAULT 0,"
    "  comment_count INTEGER NOT NULL DEFAULT 0,"
    "  created_at INTEGER NOT NULL);"
    "CREATE TABLE comments ("
    "  id INTEGER PRIMARY KEY,"
    "  article_id TEXT NOT NULL REFERENCES articles(id),"
    "  parent_id INTEGER REFERENCES comments(id),"
    "  root_id INTEGER NOT NULL,"
    "  author_id INTEGER NOT NULL REFERENCES users(id),"
    "  body TEXT NOT NULL,"
    "  html TEXT NOT NULL,"
    "  moderation TEXT NOT NULL DEFAULT '',"
    "  status INTEGER NOT NULL,"
    "  featured INTEGER NOT NULL DEFAULT 0,"
    "  created_at INTEGER NOT NULL,"
    "  edited_at INTEGER NOT NULL DEFAULT 0,"
    "  likes INTEGER NOT NULL DEFAULT 0);"
    /* Top-level pages: partial indexes, scanned forwards or backwards. */
    "CREATE INDEX comments_top_time ON comments(article_id, created_at, id)"
    "  WHERE parent_id IS NULL;"
    "CREATE INDEX comments_top_likes ON comments(article_id, likes, id)"
    "  WHERE parent_id IS NULL;"
    "CREATE INDEX comments_root ON comments(root_id, id);"
    "CREATE INDEX comments_parent ON comments(parent_id, status);"
    "CREATE INDEX comments_author ON comments(author_id, created_at);"
    "CREATE INDEX comments_status ON comments(status, id);"
    "CREATE TABLE likes ("
    "  comment_id INTEGER NOT NULL REFERENCES comments(id),"
    "  user_id INTEGER NOT NULL REFERENCES users(id),"
    "  created_at INTEGER NOT NULL,"
    "  PRIMARY KEY (comment_id, user_id)) WITHOUT ROWID;"
    "CREATE INDEX likes_user ON likes(user_id);"
    "CREATE TABLE flags ("
    "  id INTEGER PRIMARY KEY,"
    "  comment_id INTEGER NOT NULL REFERENCES comments(id),"
    "  user_id INTEGER NOT NULL REFERENCES users(id),"
    "  reason TEXT NOT NULL,"
    "  note TEXT NOT NULL DEFAULT '',"
    "  created_at INTEGER NOT NULL,"
    "  reviewed INTEGER NOT NULL DEFAULT 0,"
    "  UNIQUE (comment_id, user_id));"
    "CREATE INDEX flags_unreviewed ON flags(comment_id) WHERE reviewed = 0;"
    "CREATE TABLE modlog ("
    "  id INTEGER PRIMARY KEY,"
    "  at INTEGER NOT NULL,"
    "  actor_id INTEGER REFERENCES users(id),"
    "  action TEXT NOT NULL,"
    "  target_type TEXT NOT NULL,"
    "  target_id TEXT NOT NULL,"
    "  reason TEXT NOT NULL DEFAULT '');"
    "CREATE TRIGGER modlog_no_update BEFORE UPDATE ON modlog"
    "  BEGIN SELECT RAISE(ABORT, 'modlog is append-only'); END;"
    "CREATE TRIGGER modlog_no_delete BEFORE DELETE ON modlog"
    "  BEGIN SELECT RAISE(ABORT, 'modlog is append-only'); END;"
    "CREATE TRIGGER comments_count_insert AFTER INSERT ON comments WHEN NEW.status = 0"
    "  BEGIN UPDATE articles SET comment_count = comment_count + 1"
    "        WHERE id = NEW.article_id; END;"
    "CREATE TRIGGER comments_count_status AFTER UPDATE OF status ON comments"
    "  WHEN (OLD.status = 0) <> (NEW.status = 0)"
    "  BEGIN UPDATE articles SET comment_count = comment_count"
    "        + (NEW.status = 0) - (OLD.status = 0) WHERE id = NEW.article_id; END;"
    "CREATE TRIGGER comments_count_delete AFTER DELETE ON comments WHEN OLD.status = 0"
    "  BEGIN UPDATE articles SET comment_count = comment_count - 1"
    "        WHERE id = OLD.article_id; END;"
    "CREATE TRIGGER likes_count_insert AFTER INSERT ON likes"
    "  BEGIN UPDATE comments SET likes = likes + 1 WHERE id = NEW.comment_id; END;"
    "CREATE TRIGGER likes_count_delete AFTER DELETE ON likes"
    "  BEGIN UPDATE comments SET likes = likes - 1 WHERE id = OLD.comment_id; END;",
    /* 2: the moderator's desk: moderator reasons, flag outcomes (for the
     * flaggers' records), undoable decisions, mutes and single sign-on. A
     * comment hidden by flags has status 4, which no reader query shows and
     * the comment_count triggers do not count. */
    "ALTER TABLE comments ADD COLUMN mod_reason TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE flags ADD COLUMN outcome INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE flags ADD COLUMN decision_id INTEGER;"
    "CREATE INDEX flags_user ON flags(user_id, created_at);"
    "CREATE INDEX flags_decision ON flags(decision_id) WHERE decision_id IS NOT NULL;"
    "CREATE TABLE decisions ("
    "  id INTEGER PRIMARY KEY,"
    "  comment_id INTEGER NOT NULL REFERENCES comments(id),"
    "  actor_id INTEGER NOT NULL REFERENCES users(id),"
    "  at INTEGER NOT NULL,"
    "  action TEXT NOT NULL,"
    "  prev_status INTEGER NOT NULL,"
    "  prev_featured INTEGER NOT NULL,"
    "  prev_reason TEXT NOT NULL DEFAULT '',"
    "  undone INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX decisions_actor ON decisions(actor_id, id) WHERE undone = 0;"
    "CREATE TABLE mutes ("
    "  user_id INTEGER NOT NULL REFERENCES users(id),"
    "  muted_id INTEGER NOT NULL REFERENCES users(id),"
    "  created_at INTEGER NOT NULL,"
    "  PRIMARY KEY (user_id, muted_id)) WITHOUT ROWID;"
    "CREATE INDEX mutes_muted ON mutes(muted_id);"
    "CREATE TABLE sso_subjects ("
    "  sub TEXT PRIMARY KEY,"
    "  user_id INTEGER NOT NULL REFERENCES users(id)) WITHOUT ROWID;"
    "CREATE TABLE sso_jti ("
    "  jti TEXT PRIMARY KEY,"
    "  expires_at INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE INDEX sso_jti_expires ON sso_jti(expires_at);"
    "CREATE INDEX modlog_actor ON modlog(actor_id, id);"
    "CREATE INDEX modlog_target ON modlog(target_type, target_id);",
    /* 3: bans kept on the SHA-256 of a deleted account's e-mail address
     * until they end (ends_at 0: never), so deleting the account does not
     * lift them. */
    "CREATE TABLE email_bans ("
    "  hash BLOB PRIMARY KEY,"
    "  ends_at INTEGER NOT NULL,"
    "  reason TEXT NOT NULL) WITHOUT ROWID;",
    /* 4: the desk's people and articles pages: notes between moderators
     * about a user; per-article counts by status; articles newest first. */
    "CREATE TABLE user_notes ("
    "  id INTEGER PRIMARY KEY,"
    "  user_id INTEGER NOT NULL REFERENCES users(id),"
    "  author_id INTEGER NOT NULL REFERENCES users(id),"
    "  body TEXT NOT NULL,"
    "  created_at INTEGER NOT NULL);"
    "CREATE INDEX user_notes_user ON user_notes(user_id, id);"
    "CREATE INDEX comments_article_status ON comments(article_id, status);"
    "CREATE INDEX articles_created ON articles(created_at, id);",
};
#define MIGRATIONS ((int)(sizeof migrations / sizeof migrations[0]))

int
store_sqlite_schema_target(void)
{
    return MIGRATIONS;
}

/* ---- statements ------------------------------------------------------------ */

#define USER_COLS                                                                                  \
    "u.id, u.email, u.name, u.pw_hash, u.role, u.created_at, u.banned, u.banned_until,"            \
    " u.ban_reason, u.deleted"

/* ?1 is always the viewer (0 = anonymous; no user has id 0). */
#define COMMENT_COLS                                                                               \
    "c.id, c.article_id, c.parent_id, c.root_id, c.author_id, u.name, c.body, c.html,"             \
    " c.moderation, c.status, c.featured, c.created_at, c.edited_at, c.likes,"                     \
    " EXISTS (SELECT 1 FROM likes l WHERE l.comment_id = c.id AND l.user_id = ?1),"                \
    " (SELECT count(*) FROM comments r WHERE r.parent_id = c.id AND r.status = 0),"                \
    " c.mod_reason"
#define COMMENT_FROM " FROM comments c JOIN users u ON u.id = c.author_id"

/* Published, the viewer's own pending, or any other top-level comment
 * (deleted, rejected, someone else's pending) with a visible descendant: a
 * placeholder, so the thread keeps its shape. A comment visible only as a
 * placeholder always has a published or own-pending descendant deeper down,
 * so testing those two statuses over the whole thread is enough. */
#define OWN_PENDING(t) "(" t ".status = 1 AND ?1 <> 0 AND " t ".author_id = ?1)"
#define TOP_VISIBLE                                                                                \
    "(c.status = 0 OR " OWN_PENDING("c") " OR (c.status <> 0 AND EXISTS (SELECT 1 FROM"            \
                                         " comments d WHERE d.root_id = c.id AND d.id <> c.id"     \
                                         " AND (d.status = 0 OR " OWN_PENDING("d") "))))"
#define PAGE(cmp, order)                                                                           \
    "SELECT " COMMENT_COLS COMMENT_FROM " WHERE c.article_id = ?2 AND c.parent_id IS NULL"         \
    " AND " TOP_VISIBLE " AND " cmp " ORDER BY " order " LIMIT ?5"

enum {
    ST_PING,
    ST_BEGIN,
    ST_BEGIN_READ,
    ST_COMMIT,
    ST_ROLLBACK,
    ST_SAVEPOINT,
    ST_RELEASE,
    ST_ROLLBACK_TO,
    ST_OP_SAVEPOINT,
    ST_OP_RELEASE,
    ST_OP_ROLLBACK_TO,
    ST_USER_INSERT,
    ST_USER_BY_ID,
    ST_USER_BY_EMAIL,
    ST_USER_SET_BAN,
    ST_USER_SET_ROLE,
    ST_SESSION_INSERT,
    ST_SESSION_USER,
    ST_SESSION_DELETE,
    ST_ARTICLE_GET,
    ST_ARTICLE_ENSURE,
    ST_ARTICLE_CREATE,
    ST_ARTICLE_UPDATE,
    ST_ARTICLE_COUNT,
    ST_COMMENT_PARENT,
    ST_COMMENT_INSERT,
    ST_COMMENT_SET_ROOT,
    ST_COMMENT_GET,
    ST_COMMENT_EDIT,
    ST_COMMENT_SET_STATUS,
    ST_COMMENT_SET_FEATURED,
    ST_COMMENT_LIKES,
    ST_PAGE_OLDEST,
    ST_PAGE_NEWEST,
    ST_PAGE_TOP,
    ST_THREAD,
    ST_BY_AUTHOR,
    ST_LIKE_INSERT,
    ST_LIKE_DELETE,
    ST_FLAG_INSERT,
    ST_FLAG_GROUPS,
    ST_FLAG_REVIEWED,
    ST_QUEUE_STATUS,
    ST_QUEUE_FLAGGED,
    ST_LOG_APPEND,
    ST_LOG_LIST,
    ST_QUEUE_COUNTS,
    ST_COMMENT_SET_STATE,
    ST_DECISION_INSERT,
    ST_DECISION_LAST,
    ST_DECISION_UNDONE,
    ST_FLAGS_REOPEN,
    ST_FLAGS_REVIEW,
    ST_FLAGGERS,
    ST_FLAGS_BY_USER_SINCE,
    ST_USER_HISTORY,
    ST_LOG_QUERY,
    ST_MUTE_INSERT,
    ST_MUTE_DELETE,
    ST_MUTES_LIST,
    ST_FLAGS_BY_USER,
    ST_LIKES_BY_USER,
    ST_USER_DELETE,
    ST_USER_DELETE_SESSIONS,
    ST_USER_DELETE_MUTES,
    ST_USER_REMOVE_COMMENTS,
    ST_SSO_JTI_PURGE,
    ST_SSO_JTI_INSERT,
    ST_SSO_SUBJECT,
    ST_SSO_LINK,
    ST_SSO_UPDATE_NAME,
    ST_SSO_UPDATE_EMAIL,
    ST_COMMENT_REVIEWED,
    ST_EMAIL_BAN_SET,
    ST_EMAIL_BAN_GET,
    ST_USERS_SEARCH,
    ST_NOTE_ADD,
    ST_NOTES_LIST,
    ST_FLAGS_GIVEN,
    ST_FLAGS_RECEIVED,
    ST_LOG_ABOUT,
    ST_ARTICLES_LIST,
    ST_ARTICLES_CLOSE_BEFORE,
    ST_COUNT
};

static const char *const sql[ST_COUNT] = {
    [ST_PING] = "SELECT count(*) FROM schema_version",
    [ST_BEGIN] = "BEGIN IMMEDIATE",
    [ST_BEGIN_READ] = "BEGIN",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
    [ST_SAVEPOINT] = "SAVEPOINT job",
    [ST_RELEASE] = "RELEASE job",
    [ST_ROLLBACK_TO] = "ROLLBACK TO job",
    [ST_OP_SAVEPOINT] = "SAVEPOINT op",
    [ST_OP_RELEASE] = "RELEASE op",
    [ST_OP_ROLLBACK_TO] = "ROLLBACK TO op",
    [ST_USER_INSERT] = "INSERT INTO users (email, name, pw_hash, role, created_at, banned,"
                       " banned_until, ban_reason, deleted) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7,"
                       " ?8, ?9)",
    [ST_USER_BY_ID] = "SELECT " USER_COLS " FROM users u WHERE u.id = ?1",
    [ST_USER_BY_EMAIL] = "SELECT " USER_COLS " FROM users u WHERE u.email = ?1",
    [ST_USER_SET_BAN] = "UPDATE users SET banned = ?2, banned_until = ?3, ban_reason = ?4"
                        " WHERE id = ?1",
    [ST_USER_SET_ROLE] = "UPDATE users SET role = ?2 WHERE id = ?1",
    [ST_SESSION_INSERT] = "INSERT INTO sessions (hash, user_id, created_at, expires_at)"
                          " VALUES (?1, ?2, ?3, ?4)",
    [ST_SESSION_USER] = "SELECT " USER_COLS " FROM sessions s JOIN users u ON u.id = s.user_id"
                        " WHERE s.hash = ?1 AND s.expires_at > ?2 AND u.deleted = 0",
    [ST_SESSION_DELETE] = "DELETE FROM sessions WHERE hash = ?1",
    [ST_ARTICLE_GET] = "SELECT id, title, url, text, status, sensitive, comment_count,"
                       " created_at FROM articles WHERE id = ?1",
    [ST_ARTICLE_ENSURE] =
        "INSERT INTO articles (id, title, url, created_at) VALUES (?1, ?2, ?3, ?4)"
        " ON CONFLICT (id) DO UPDATE SET"
        " title = CASE WHEN articles.title = '' THEN excluded.title ELSE articles.title END,"
        " url = CASE WHEN articles.url = '' THEN excluded.url ELSE articles.url END",
    [ST_ARTICLE_CREATE] = "INSERT OR IGNORE INTO articles (id, created_at) VALUES (?1, ?2)",
    [ST_ARTICLE_UPDATE] = "UPDATE articles SET title = coalesce(?2, title),"
                          " url = coalesce(?3, url), text = coalesce(?4, text),"
                          " status = CASE WHEN ?5 THEN ?6 ELSE status END,"
                          " sensitive = CASE WHEN ?7 THEN ?8 ELSE sensitive END WHERE id = ?1",
    [ST_ARTICLE_COUNT] = "SELECT comment_count FROM articles WHERE id = ?1",
    [ST_COMMENT_PARENT] = "SELECT article_id, root_id FROM comments WHERE id = ?1",
    [ST_COMMENT_INSERT] = "INSERT INTO comments (article_id, parent_id, root_id, author_id, body,"
                          " html, moderation, status, featured, created_at)"
                          " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    [ST_COMMENT_SET_ROOT] = "UPDATE comments SET root_id = id WHERE id = ?1",
    [ST_COMMENT_GET] = "SELECT " COMMENT_COLS COMMENT_FROM " WHERE c.id = ?2",
    /* Never on a rejected or deleted comment: an edit cannot bring one back. */
    [ST_COMMENT_EDIT] = "UPDATE comments SET body = ?2, html = ?3, status = ?4, moderation = ?5,"
                        " edited_at = ?6 WHERE id = ?1 AND status NOT IN (2, 3)",
    [ST_COMMENT_SET_STATUS] = "UPDATE comments SET status = ?2,"
                              " body = CASE WHEN ?2 = 3 THEN '' ELSE body END,"
                              " html = CASE WHEN ?2 = 3 THEN '' ELSE html END WHERE id = ?1",
    [ST_COMMENT_SET_FEATURED] = "UPDATE comments SET featured = ?2 WHERE id = ?1",
    [ST_COMMENT_LIKES] = "SELECT likes FROM comments WHERE id = ?1",
    [ST_PAGE_OLDEST] = PAGE("(c.created_at, c.id) > (?3, ?4)", "c.created_at, c.id"),
    [ST_PAGE_NEWEST] = PAGE("(c.created_at, c.id) < (?3, ?4)", "c.created_at DESC, c.id DESC"),
    [ST_PAGE_TOP] = PAGE("(c.likes, c.id) < (?3, ?4)", "c.likes DESC, c.id DESC"),
    [ST_THREAD] = "SELECT " COMMENT_COLS COMMENT_FROM " WHERE c.root_id = ?2 AND c.id <> ?2"
                  " ORDER BY c.id",
    [ST_BY_AUTHOR] = "SELECT " COMMENT_COLS COMMENT_FROM " WHERE c.author_id = ?2"
                     " AND c.created_at >= ?3 ORDER BY c.created_at DESC, c.id DESC LIMIT ?4",
    [ST_LIKE_INSERT] = "INSERT OR IGNORE INTO likes (comment_id, user_id, created_at)"
                       " VALUES (?1, ?2, ?3)",
    [ST_LIKE_DELETE] = "DELETE FROM likes WHERE comment_id = ?1 AND user_id = ?2",
    [ST_FLAG_INSERT] = "INSERT INTO flags (comment_id, user_id, reason, note, created_at)"
                       " VALUES (?1, ?2, ?3, ?4, ?5)",
    [ST_FLAG_GROUPS] = "SELECT reason, count(*),"
                       " coalesce(group_concat(nullif(note, ''), char(10)), '')"
                       " FROM flags WHERE comment_id = ?1 GROUP BY reason"
                       " ORDER BY count(*) DESC, reason",
    [ST_FLAG_REVIEWED] = "UPDATE flags SET reviewed = 1 WHERE comment_id = ?1 AND reviewed = 0",
    [ST_QUEUE_STATUS] = "SELECT " COMMENT_COLS COMMENT_FROM " WHERE c.status = ?2 AND c.id > ?3"
                        " ORDER BY c.id LIMIT ?4",
    /* Driven by the partial index of unreviewed flags, so a page costs the
     * flagged comments, not a scan of every published one. */
    [ST_QUEUE_FLAGGED] = "SELECT " COMMENT_COLS COMMENT_FROM " WHERE c.status IN (0, 4)"
                         " AND c.id > ?2 AND c.id IN (SELECT f.comment_id FROM flags f"
                         " WHERE f.reviewed = 0) ORDER BY c.id LIMIT ?3",
    [ST_LOG_APPEND] = "INSERT INTO modlog (at, actor_id, action, target_type, target_id, reason)"
                      " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [ST_LOG_LIST] = "SELECT id, at, actor_id, action, target_type, target_id, reason FROM modlog"
                    " WHERE id < ?1 ORDER BY id DESC LIMIT ?2",
    [ST_QUEUE_COUNTS] = "SELECT (SELECT count(*) FROM comments WHERE status = 1),"
                        " (SELECT count(*) FROM comments c WHERE c.status IN (0, 4) AND c.id IN"
                        "  (SELECT f.comment_id FROM flags f WHERE f.reviewed = 0)),"
                        " (SELECT count(*) FROM comments WHERE status = 2)",
    [ST_COMMENT_SET_STATE] = "UPDATE comments SET status = ?2, featured = ?3, mod_reason = ?4"
                             " WHERE id = ?1",
    [ST_DECISION_INSERT] = "INSERT INTO decisions (comment_id, actor_id, at, action, prev_status,"
                           " prev_featured, prev_reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [ST_DECISION_LAST] = "SELECT id, comment_id, actor_id, at, action, prev_status, prev_featured,"
                         " prev_reason FROM decisions WHERE actor_id = ?1 AND undone = 0"
                         " ORDER BY id DESC LIMIT 1",
    [ST_DECISION_UNDONE] = "UPDATE decisions SET undone = 1 WHERE id = ?1 AND undone = 0",
    [ST_FLAGS_REOPEN] = "UPDATE flags SET reviewed = 0, outcome = 0, decision_id = NULL"
                        " WHERE decision_id = ?1",
    [ST_FLAGS_REVIEW] = "UPDATE flags SET reviewed = 1, outcome = ?2, decision_id = ?3"
                        " WHERE comment_id = ?1 AND reviewed = 0",
    [ST_FLAGGERS] = "SELECT f.user_id, f.reason, u.created_at,"
                    " (SELECT count(*) FROM flags g WHERE g.user_id = f.user_id AND g.outcome = 1),"
                    " (SELECT count(*) FROM flags g WHERE g.user_id = f.user_id AND g.outcome = 2)"
                    " FROM flags f JOIN users u ON u.id = f.user_id"
                    " WHERE f.comment_id = ?1 AND f.reviewed = 0 ORDER BY f.id",
    [ST_FLAGS_BY_USER_SINCE] = "SELECT count(*) FROM flags WHERE user_id = ?1 AND created_at >= ?2",
    [ST_USER_HISTORY] =
        "SELECT count(*), coalesce(sum(status = 0), 0), coalesce(sum(status = 1), 0),"
        " coalesce(sum(status = 2), 0), coalesce(sum(status = 4), 0),"
        " (SELECT count(*) FROM flags f JOIN comments c ON c.id = f.comment_id"
        "  WHERE c.author_id = ?1),"
        " (SELECT count(*) FROM flags f JOIN comments c ON c.id = f.comment_id"
        "  WHERE c.author_id = ?1 AND f.outcome = 1),"
        " (SELECT count(*) FROM modlog WHERE target_type = 'user' AND target_id = CAST(?1 AS TEXT)"
        "  AND action IN ('ban', 'suspend', 'auto_suspend'))"
        " FROM comments WHERE author_id = ?1",
    /* ?2 actor (0 any, -1 automatic), ?3 action or NULL, ?4 author or 0,
     * ?5 article or NULL. */
    [ST_LOG_QUERY] = "SELECT id, at, actor_id, action, target_type, target_id, reason FROM modlog m"
                     " WHERE id < ?1"
                     " AND (?2 = 0 OR (?2 = -1 AND actor_id IS NULL) OR actor_id = ?2)"
                     " AND (?3 IS NULL OR action = ?3)"
                     " AND (?4 = 0 OR (target_type = 'user' AND target_id = CAST(?4 AS TEXT))"
                     "  OR (target_type = 'comment' AND EXISTS (SELECT 1 FROM comments c"
                     "   WHERE c.id = CAST(m.target_id AS INTEGER) AND c.author_id = ?4)))"
                     " AND (?5 IS NULL OR (target_type = 'article' AND target_id = ?5)"
                     "  OR (target_type = 'comment' AND EXISTS (SELECT 1 FROM comments c"
                     "   WHERE c.id = CAST(m.target_id AS INTEGER) AND c.article_id = ?5)))"
                     " ORDER BY id DESC LIMIT ?6",
    [ST_MUTE_INSERT] = "INSERT OR IGNORE INTO mutes (user_id, muted_id, created_at)"
                       " VALUES (?1, ?2, ?3)",
    [ST_MUTE_DELETE] = "DELETE FROM mutes WHERE user_id = ?1 AND muted_id = ?2",
    [ST_MUTES_LIST] = "SELECT m.muted_id, u.name, m.created_at FROM mutes m"
                      " JOIN users u ON u.id = m.muted_id WHERE m.user_id = ?1"
                      " ORDER BY m.created_at, m.muted_id",
    [ST_FLAGS_BY_USER] = "SELECT id, comment_id, reason, note, created_at, outcome FROM flags"
                         " WHERE user_id = ?1 ORDER BY id",
    [ST_LIKES_BY_USER] = "SELECT comment_id FROM likes WHERE user_id = ?1 ORDER BY comment_id",
    [ST_USER_DELETE] = "UPDATE users SET deleted = 1, name = 'Deleted account',"
                       " email = 'deleted-' || id || '@deleted.invalid', pw_hash = '',"
                       " banned = 0, banned_until = 0, ban_reason = NULL WHERE id = ?1",
    [ST_USER_DELETE_SESSIONS] = "DELETE FROM sessions WHERE user_id = ?1",
    [ST_USER_DELETE_MUTES] = "DELETE FROM mutes WHERE user_id = ?1 OR muted_id = ?1",
    [ST_USER_REMOVE_COMMENTS] = "UPDATE comments SET status = 3, body = '', html = ''"
                                " WHERE author_id = ?1 AND status <> 3",
    [ST_SSO_JTI_PURGE] = "DELETE FROM sso_jti WHERE expires_at < ?1",
    [ST_SSO_JTI_INSERT] = "INSERT INTO sso_jti (jti, expires_at) VALUES (?1, ?2)",
    [ST_SSO_SUBJECT] = "SELECT s.user_id FROM sso_subjects s WHERE s.sub = ?1",
    [ST_SSO_LINK] = "INSERT OR REPLACE INTO sso_subjects (sub, user_id) VALUES (?1, ?2)",
    [ST_SSO_UPDATE_NAME] = "UPDATE users SET name = ?2 WHERE id = ?1",
    [ST_SSO_UPDATE_EMAIL] = "UPDATE OR IGNORE users SET email = ?2 WHERE id = ?1",
    [ST_COMMENT_REVIEWED] = "SELECT EXISTS (SELECT 1 FROM decisions WHERE comment_id = ?1"
                            " AND undone = 0 AND action IN ('approve', 'feature'))",
    /* The longer of two bans wins (0 is permanent). */
    [ST_EMAIL_BAN_SET] = "INSERT INTO email_bans (hash, ends_at, reason) VALUES (?1, ?2, ?3)"
                         " ON CONFLICT (hash) DO UPDATE SET"
                         " ends_at = CASE WHEN email_bans.ends_at = 0 OR excluded.ends_at = 0"
                         " THEN 0 ELSE max(email_bans.ends_at, excluded.ends_at) END,"
                         " reason = excluded.reason",
    [ST_EMAIL_BAN_GET] = "SELECT ends_at, reason FROM email_bans WHERE hash = ?1"
                         " AND (ends_at = 0 OR ends_at > ?2)",
    /* ?2 pattern or NULL, ?3 role or -1, ?4 banned only, ?5 now, ?6 since,
     * ?7 exact name or NULL. */
    [ST_USERS_SEARCH] = "SELECT " USER_COLS ", (SELECT count(*) FROM comments c"
                        " WHERE c.author_id = u.id) FROM users u WHERE u.deleted = 0 AND u.id < ?1"
                        " AND (?2 IS NULL OR u.name LIKE ?2 ESCAPE '\\'"
                        "  OR u.email LIKE ?2 ESCAPE '\\')"
                        " AND (?3 < 0 OR u.role = ?3)"
                        " AND (?4 = 0 OR (u.banned = 1 AND (u.banned_until = 0"
                        "  OR u.banned_until > ?5)))"
                        " AND u.created_at >= ?6 AND (?7 IS NULL OR lower(u.name) = lower(?7))"
                        " ORDER BY u.id DESC LIMIT ?8",
    [ST_NOTE_ADD] = "INSERT INTO user_notes (user_id, author_id, body, created_at)"
                    " VALUES (?1, ?2, ?3, ?4)",
    [ST_NOTES_LIST] = "SELECT n.id, n.user_id, n.author_id, u.name, n.body, n.created_at"
                      " FROM user_notes n JOIN users u ON u.id = n.author_id"
                      " WHERE n.user_id = ?1 ORDER BY n.id DESC LIMIT ?2",
#define FLAG_DETAIL                                                                                \
    "SELECT f.id, f.comment_id, f.user_id, fu.name, c.author_id, au.name, f.reason, f.note,"       \
    " f.created_at, f.outcome FROM flags f JOIN comments c ON c.id = f.comment_id"                 \
    " JOIN users fu ON fu.id = f.user_id JOIN users au ON au.id = c.author_id"
    [ST_FLAGS_GIVEN] = FLAG_DETAIL " WHERE f.user_id = ?1 ORDER BY f.id DESC LIMIT ?2",
    [ST_FLAGS_RECEIVED] = FLAG_DETAIL " WHERE c.author_id = ?1 ORDER BY f.id DESC LIMIT ?2",
    [ST_LOG_ABOUT] = "SELECT id, at, actor_id, action, target_type, target_id, reason FROM modlog"
                     " WHERE target_type = ?1 AND target_id = ?2 ORDER BY id DESC LIMIT ?3",
    /* ?1/?2 the cursor (?2 NULL starts), ?3 pattern or NULL, ?4 status or -1. */
    [ST_ARTICLES_LIST] = "SELECT a.id, a.title, a.url, '', a.status, a.sensitive, a.comment_count,"
                         " a.created_at, (SELECT count(*) FROM comments c"
                         "  WHERE c.article_id = a.id AND c.status = 1),"
                         " (SELECT count(*) FROM comments c WHERE c.article_id = a.id)"
                         " FROM articles a WHERE (?2 IS NULL OR (a.created_at, a.id) < (?1, ?2))"
                         " AND (?3 IS NULL OR a.id LIKE ?3 ESCAPE '\\'"
                         "  OR a.title LIKE ?3 ESCAPE '\\')"
                         " AND (?4 < 0 OR a.status = ?4)"
                         " ORDER BY a.created_at DESC, a.id DESC LIMIT ?5",
    [ST_ARTICLES_CLOSE_BEFORE] = "UPDATE articles SET status = 2 WHERE status <> 2"
                                 " AND created_at < ?1 RETURNING id",
};

typedef struct sq {
    struct store base; /* first: a store * is an sq * */
    sqlite3 *db;
    bool read_only;
    sqlite3_stmt *st[ST_COUNT]; /* prepared on first use */
} sq;

static sq *
to_sq(store *s)
{
    return (sq *)s;
}

static int64_t
now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Maps the connection's last error to a PL_E* code and message. Call it
 * before sqlite3_reset so the message is still the statement's. */
static int
db_fail(sq *q, pl_error *err, const char *what)
{
    int ext = sqlite3_extended_errcode(q->db);
    int code = PL_ESTORE;
    if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY)
        code = PL_ECONFLICT;
    else if (ext == SQLITE_CONSTRAINT_FOREIGNKEY)
        code = PL_ENOTFOUND;
    return pl_errorf(err, code, "sqlite %s: %s", what, sqlite3_errmsg(q->db));
}

static int
prep(sq *q, int which, sqlite3_stmt **out, pl_error *err)
{
    if (q->st[which] == NULL && sqlite3_prepare_v3(q->db, sql[which], -1, SQLITE_PREPARE_PERSISTENT,
                                                   &q->st[which], NULL) != SQLITE_OK) {
        q->st[which] = NULL;
        return db_fail(q, err, "prepare");
    }
    *out = q->st[which];
    return 0;
}

/* Every use of a cached statement ends here: reset ends its read of the
 * database, and clearing the bindings drops the borrowed strings. */
static void
finish(sqlite3_stmt *st)
{
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
}

/* Binding fails only on a wrong index or type, mistakes of this file. */
static void
bind_i64(sqlite3_stmt *st, int i, int64_t v)
{
    int rc = sqlite3_bind_int64(st, i, v);
    assert(rc == SQLITE_OK);
    (void)rc;
}

static void
bind_id_or_null(sqlite3_stmt *st, int i, int64_t v)
{
    int rc = v != 0 ? sqlite3_bind_int64(st, i, v) : sqlite3_bind_null(st, i);
    assert(rc == SQLITE_OK);
    (void)rc;
}

/* The string is borrowed until finish(). NULL binds SQL NULL. */
static void
bind_text(sqlite3_stmt *st, int i, const char *v)
{
    int rc = v != NULL ? sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC) : sqlite3_bind_null(st, i);
    assert(rc == SQLITE_OK);
    (void)rc;
}

static void
bind_hash(sqlite3_stmt *st, int i, const unsigned char *hash)
{
    int rc = sqlite3_bind_blob(st, i, hash, STORE_TOKEN_HASH_LEN, SQLITE_STATIC);
    assert(rc == SQLITE_OK);
    (void)rc;
}

/* Column text copied into the arena; "" for NULL. */
static const char *
col_text(sqlite3_stmt *st, int i, arena *a)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    if (t == NULL)
        return "";
    return arena_strndup(a, (const char *)t, (size_t)sqlite3_column_bytes(st, i));
}

/* Runs a statement that returns no rows (or whose rows are ignored). */
static int
run(sq *q, sqlite3_stmt *st, pl_error *err, const char *what)
{
    int rc = sqlite3_step(st);
    int ret = 0;
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        ret = db_fail(q, err, what);
    finish(st);
    return ret;
}

static int
run_id(sq *q, int which, pl_error *err, const char *what)
{
    sqlite3_stmt *st = NULL;
    int rc = prep(q, which, &st, err);
    return rc < 0 ? rc : run(q, st, err, what);
}

static int
check_writable(sq *q, pl_error *err)
{
    if (q->read_only)
        return pl_errorf(err, PL_ESTORE, "sqlite: this store was opened read-only");
    return 0;
}

/* An operation's own atomic unit: a transaction when the caller has none
 * open, else a savepoint inside the caller's. *outer records which. */
static int
op_begin(sq *q, bool *outer, pl_error *err)
{
    int rc = check_writable(q, err);
    if (rc < 0)
        return rc;
    *outer = sqlite3_get_autocommit(q->db) != 0;
    return run_id(q, *outer ? ST_BEGIN : ST_OP_SAVEPOINT, err, "begin");
}

/* Ends the unit: commits when rc is 0, else undoes it and returns rc. */
static int
op_end(sq *q, bool outer, int rc, pl_error *err)
{
    if (rc == 0) {
        rc = run_id(q, outer ? ST_COMMIT : ST_OP_RELEASE, err, "commit");
        if (rc == 0)
            return 0;
    }
    /* An I/O error or the like may already have rolled the whole
     * transaction back; then these fail harmlessly. */
    if (outer) {
        if (!sqlite3_get_autocommit(q->db))
            run_id(q, ST_ROLLBACK, NULL, "rollback");
    } else if (run_id(q, ST_OP_ROLLBACK_TO, NULL, "rollback") == 0) {
        run_id(q, ST_OP_RELEASE, NULL, "release");
    }
    return rc;
}

/* A read made of several statements sees one snapshot. */
static int
read_begin(sq *q, bool *outer, pl_error *err)
{
    *outer = sqlite3_get_autocommit(q->db) != 0;
    return *outer ? run_id(q, ST_BEGIN_READ, err, "begin") : 0;
}

static void
read_end(sq *q, bool outer)
{
    if (outer && !sqlite3_get_autocommit(q->db))
        run_id(q, ST_COMMIT, NULL, "end read");
}

/* ---- lifecycle -------------------------------------------------------------- */

static void
sq_close(store *s)
{
    sq *q = to_sq(s);
    for (int i = 0; i < ST_COUNT; i++)
        sqlite3_finalize(q->st[i]);
    sqlite3_close(q->db);
    free(q);
}

static int
exec_fixed(sq *q, const char *text, pl_error *err, const char *what)
{
    char *msg = NULL;
    if (sqlite3_exec(q->db, text, NULL, NULL, &msg) != SQLITE_OK) {
        int rc = pl_errorf(err, PL_ESTORE, "sqlite %s: %s", what,
                           msg != NULL ? msg : sqlite3_errmsg(q->db));
        sqlite3_free(msg);
        return rc;
    }
    return 0;
}

/* Reads one integer from a fixed query; -1 when it has no row. */
static int
query_int(sq *q, const char *text, int64_t *out, pl_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = 0;
    if (sqlite3_prepare_v2(q->db, text, -1, &st, NULL) != SQLITE_OK)
        return db_fail(q, err, "prepare");
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    else if (step == SQLITE_DONE)
        rc = -1;
    else
        rc = db_fail(q, err, "query");
    sqlite3_finalize(st);
    return rc;
}

static int
schema_version(sq *q, int64_t *v, pl_error *err)
{
    int rc = query_int(q, "SELECT coalesce(max(version), 0) FROM schema_version", v, err);
    return rc == -1 ? pl_errorf(err, PL_ESTORE, "sqlite: schema_version is empty") : rc;
}

/* Applies each pending migration in a transaction of its own. BEGIN
 * IMMEDIATE takes the write lock before the version is read, so when two
 * processes start at once the second waits and then finds the work done. */
static int
migrate(sq *q, pl_error *err)
{
    for (int i = 0; i < MIGRATIONS; i++) {
        int64_t v = 0;
        int rc = exec_fixed(q, "BEGIN IMMEDIATE", err, "begin migration");
        if (rc < 0)
            return rc;
        rc = exec_fixed(q,
                        "CREATE TABLE IF NOT EXISTS schema_version ("
                        " version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)",
                        err, "create schema_version");
        if (rc == 0)
            rc = schema_version(q, &v, err);
        if (rc == 0 && v > MIGRATIONS)
            rc = pl_errorf(err, PL_ESTORE,
                           "sqlite: database schema version %lld is newer than this program's %d",
                           (long long)v, MIGRATIONS);
        if (rc == 0 && v < i + 1) {
            sqlite3_stmt *st = NULL;
            rc = exec_fixed(q, migrations[i], err, "migration");
            if (rc == 0 && sqlite3_prepare_v2(q->db, "INSERT INTO schema_version VALUES (?1, ?2)",
                                              -1, &st, NULL) != SQLITE_OK)
                rc = db_fail(q, err, "prepare");
            if (rc == 0) {
                bind_i64(st, 1, i + 1);
                bind_i64(st, 2, now_ms());
                if (sqlite3_step(st) != SQLITE_DONE)
                    rc = db_fail(q, err, "record migration");
            }
            sqlite3_finalize(st);
        }
        if (rc == 0)
            rc = exec_fixed(q, "COMMIT", err, "commit migration");
        if (rc < 0) {
            if (!sqlite3_get_autocommit(q->db))
                sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
            return rc;
        }
    }
    return 0;
}

static const store_ops sqlite_ops;

int
store_sqlite_open(const char *path, bool read_only, store **out, pl_error *err)
{
    sq *q = xcalloc(1, sizeof *q);
    int rc = 0;
    int flags = read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;

    q->base.ops = &sqlite_ops;
    q->read_only = read_only;
    *out = NULL;
    if (sqlite3_open_v2(path, &q->db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        rc = pl_errorf(err, PL_ESTORE, "sqlite open %s: %s", path,
                       q->db != NULL ? sqlite3_errmsg(q->db) : "out of memory");
        goto fail;
    }
    sqlite3_extended_result_codes(q->db, 1);
    sqlite3_busy_timeout(q->db, 5000);
    rc = exec_fixed(q, "PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL", err, "pragma");
    if (rc < 0)
        goto fail;
    if (read_only) {
        /* The writer creates and migrates; a reader only checks it did. */
        int64_t v = 0;
        rc = schema_version(q, &v, err);
        if (rc == 0 && v != MIGRATIONS)
            rc = pl_errorf(err, PL_ESTORE,
                           "sqlite: schema version %lld, want %d (open read-write first)",
                           (long long)v, MIGRATIONS);
        if (rc < 0)
            goto fail;
    } else {
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(q->db, "PRAGMA journal_mode = WAL", -1, &st, NULL) != SQLITE_OK) {
            rc = db_fail(q, err, "prepare");
            goto fail;
        }
        /* Switching a fresh file to WAL needs an exclusive lock, and the busy
         * handler does not wait for it: when another process is opening the
         * same file at this moment, retry for up to five seconds. */
        int step = sqlite3_step(st);
        for (int tries = 0; (step == SQLITE_BUSY || step == SQLITE_LOCKED) && tries < 500;
             tries++) {
            sqlite3_reset(st);
            struct timespec ts = {0, 10 * 1000 * 1000};
            nanosleep(&ts, NULL);
            step = sqlite3_step(st);
        }
        if (step != SQLITE_ROW) {
            rc = db_fail(q, err, "journal_mode");
        } else {
            const char *mode = (const char *)sqlite3_column_text(st, 0);
            /* An in-memory database (tests) cannot use WAL; a file must. */
            if (mode == NULL || (strcmp(mode, "wal") != 0 && strcmp(mode, "memory") != 0))
                rc = pl_errorf(err, PL_ESTORE, "sqlite: cannot switch %s to WAL (mode %s)", path,
                               mode != NULL ? mode : "unknown");
        }
        sqlite3_finalize(st);
        if (rc == 0)
            rc = migrate(q, err);
        if (rc < 0)
            goto fail;
    }
    *out = &q->base;
    return 0;
fail:
    sqlite3_close(q->db);
    free(q);
    return rc;
}

static int
sq_ping(store *s, pl_error *err)
{
    return run_id(to_sq(s), ST_PING, err, "ping");
}

static int
sq_begin(store *s, pl_error *err)
{
    sq *q = to_sq(s);
    int rc = check_writable(q, err);
    return rc < 0 ? rc : run_id(q, ST_BEGIN, err, "begin");
}

static int
sq_commit(store *s, pl_error *err)
{
    sq *q = to_sq(s);
    int rc = run_id(q, ST_COMMIT, err, "commit");
    /* A failed COMMIT may leave the transaction open; close it, so the
     * connection is usable and the caller's rollback finds nothing. */
    if (rc < 0 && !sqlite3_get_autocommit(q->db))
        run_id(q, ST_ROLLBACK, NULL, "rollback");
    return rc;
}

static void
sq_rollback(store *s)
{
    sq *q = to_sq(s);
    if (!sqlite3_get_autocommit(q->db))
        run_id(q, ST_ROLLBACK, NULL, "rollback");
}

static int
sq_savepoint(store *s, pl_error *err)
{
    sq *q = to_sq(s);
    int rc = check_writable(q, err);
    return rc < 0 ? rc : run_id(q, ST_SAVEPOINT, err, "savepoint");
}

static int
sq_savepoint_release(store *s, pl_error *err)
{
    return run_id(to_sq(s), ST_RELEASE, err, "release");
}

static void
sq_savepoint_rollback(store *s)
{
    sq *q = to_sq(s);
    /* ROLLBACK TO keeps the savepoint on the stack; RELEASE pops it. */
    if (run_id(q, ST_ROLLBACK_TO, NULL, "rollback to") == 0)
        run_id(q, ST_RELEASE, NULL, "release");
}

/* ---- users and sessions ----------------------------------------------------- */

/* E-mail addresses are compared after ASCII lower-casing (the domain is
 * case-insensitive; treating the local part so too is what users expect). */
static char *
email_fold(const char *email)
{
    char *e = xstrdup(email);
    for (char *p = e; *p != '\0'; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    return e;
}

static void
read_user(sqlite3_stmt *st, arena *a, store_user *u)
{
    u->id = sqlite3_column_int64(st, 0);
    u->email = col_text(st, 1, a);
    u->name = col_text(st, 2, a);
    u->pw_hash = col_text(st, 3, a);
    u->role = (store_role)sqlite3_column_int(st, 4);
    u->created_at = sqlite3_column_int64(st, 5);
    u->banned = sqlite3_column_int(st, 6) != 0;
    u->banned_until = sqlite3_column_int64(st, 7);
    u->ban_reason = sqlite3_column_type(st, 8) == SQLITE_NULL ? NULL : col_text(st, 8, a);
    u->deleted = sqlite3_column_int(st, 9) != 0;
}

/* Steps a statement expected to return at most one row into read(). */
static int
one_row(sq *q, sqlite3_stmt *st, pl_error *err, const char *what, bool *found)
{
    int step = sqlite3_step(st);
    *found = step == SQLITE_ROW;
    if (step == SQLITE_ROW || step == SQLITE_DONE)
        return 0;
    return db_fail(q, err, what);
}

static int
user_query(sq *q, sqlite3_stmt *st, arena *a, store_user *out, pl_error *err)
{
    bool found;
    int rc = one_row(q, st, err, "read user", &found);
    if (rc == 0 && found)
        read_user(st, a, out);
    else if (rc == 0)
        rc = pl_errorf(err, PL_ENOTFOUND, "no such user");
    finish(st);
    return rc;
}

static int
sq_user_insert(store *s, store_user *u, pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    int rc;
    if (u->email == NULL || u->email[0] == '\0')
        return pl_errorf(err, PL_EINVAL, "user without an e-mail address");
    if ((rc = check_writable(q, err)) < 0 || (rc = prep(q, ST_USER_INSERT, &st, err)) < 0)
        return rc;
    char *email = email_fold(u->email);
    if (u->created_at == 0)
        u->created_at = now_ms();
    bind_text(st, 1, email);
    bind_text(st, 2, u->name != NULL ? u->name : "");
    bind_text(st, 3, u->pw_hash != NULL ? u->pw_hash : "");
    bind_i64(st, 4, u->role);
    bind_i64(st, 5, u->created_at);
    bind_i64(st, 6, u->banned);
    bind_i64(st, 7, u->banned ? u->banned_until : 0);
    bind_text(st, 8, u->banned ? u->ban_reason : NULL);
    bind_i64(st, 9, u->deleted);
    rc = run(q, st, err, "insert user");
    if (rc == PL_ECONFLICT)
        pl_errorf(err, PL_ECONFLICT, "e-mail address already registered");
    else if (rc == 0)
        u->id = sqlite3_last_insert_rowid(q->db);
    free(email);
    return rc;
}

static int
sq_user_by_id(store *s, int64_t id, arena *a, store_user *out, pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    int rc = prep(q, ST_USER_BY_ID, &st, err);
    if (rc < 0)
        return rc;
    bind_i64(st, 1, id);
    return user_query(q, st, a, out, err);
}

static int
sq_user_by_email(store *s, const char *email, arena *a, store_user *out, pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    int rc = prep(q, ST_USER_BY_EMAIL, &st, err);
    if (rc < 0)
        return rc;
    char *e = email_fold(email);
    bind_text(st, 1, e);
    rc = user_query(q, st, a, out, err);
    free(e);
    return rc;
}

/* Runs an UPDATE of one row by id; PL_ENOTFOUND when no row matched. */
static int
update_one(sq *q, sqlite3_stmt *st, pl_error *err, const char *what, const char *missing)
{
    int rc = run(q, st, err, what);
    if (rc == 0 && sqlite3_changes(q->db) == 0)
        rc = pl_errorf(err, PL_ENOTFOUND, "%s", missing);
    return rc;
}

static int
sq_user_set_ban(store *s, int64_t user_id, bool banned, int64_t until, const char *reason,
                pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    int rc;
    if ((rc = check_writable(q, err)) < 0 || (rc = prep(q, ST_USER_SET_BAN, &st, err)) < 0)
        return rc;
    bind_i64(st, 1, user_id);
    bind_i64(st, 2, banned);
    bind_i64(st, 3, banned ? until : 0);
    bind_text(st, 4, banned ? (reason != NULL ? reason : "") : NULL);
    return update_one(q, st, err, "ban user", "no such user");
}

static int
sq_user_set_role(store *s, int64_t user_id, store_role role, pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    int rc;
    if (role < ROLE_READER || role > ROLE_ADMIN)
        return pl_errorf(err, PL_EINVAL, "unknown role %d", (int)role);
    if ((rc = check_writable(q, err)) < 0 || (rc = prep(q, ST_USER_SET_ROLE, &st, err)) < 0)
        return rc;
    bind_i64(st, 1, user_id);
    bind_i64(st, 2, role);
    return update_one(q, st, err, "set role", "no such user");
}

static int
sq_session_insert(store *s, const unsigned char *hash, int64_t user_id, int64_t expires_at,
                  pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    int rc;
    if ((rc = check_writable(q, err)) < 0 || (rc = prep(q, ST_SESSION_INSERT, &st, err)) < 0)
        return rc;
    bind_hash(st, 1, hash);
    bind_i64(st, 2, user_id);
    bind_i64(st, 3, now_ms());
    bind_i64(st, 4, expires_at);
    return run(q, st, err, "insert session");
}

static int
sq_session_user(store *s, const unsigned char *hash, int64_t now, arena *a, store_user *out,
                pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    int rc = prep(q, ST_SESSION_USER, &st, err);
    if (rc < 0)
        return rc;
    bind_hash(st, 1, hash);
    bind_i64(st, 2, now);
    rc = user_query(q, st, a, out, err);
    if (rc == PL_ENOTFOUND)
        pl_errorf(err, PL_ENOTFOUND, "no such session");
    return rc;
}

static int
sq_session_delete(store *s, const unsigned char *hash, pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    int rc;
    if ((rc = check_writable(q, err)) < 0 || (rc = prep(q, ST_SESSION_DELETE, &st, err)) < 0)
        return rc;
    bind_hash(st, 1, hash);
    return run(q, st, err, "delete session");
}

/* ---- articles ----------------------------------------------------------------- */

static int
check_article_id(const char *id, pl_error *err)
{
    if (id == NULL || id[0] == '\0')
        return pl_errorf(err, PL_EINVAL, "empty article id");
    return 0;
}

/* The columns id, title, url, text, status, sensitive, comment_count,
 * created_at, in that order. */
static void
read_article(sqlite3_stmt *st, arena *a, store_article *out)
{
    out->id = col_text(st, 0, a);
    out->title = col_text(st, 1, a);
    out->url = col_text(st, 2, a);
    out->text = col_text(st, 3, a);
    out->status = (store_article_status)sqlite3_column_int(st, 4);
    out->sensitive = sqlite3_column_int(st, 5) != 0;
    out->comment_count = sqlite3_column_int64(st, 6);
    out->created_at = sqlite3_column_int64(st, 7);
}

static int
sq_article_get(store *s, const char *id, arena *a, store_article *out, pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    bool found;
    int rc;
    if ((rc = check_article_id(id, err)) < 0 || (rc = prep(q, ST_ARTICLE_GET, &st, err)) < 0)
        return rc;
    bind_text(st, 1, id);
    rc = one_row(q, st, err, "read article", &found);
    if (rc == 0 && found) {
        read_article(st, a, out);
    } else if (rc == 0) {
        rc = pl_errorf(err, PL_ENOTFOUND, "no such article");
    }
    finish(st);
    return rc;
}

static int
sq_article_ensure(store *s, const char *id, const char *title, const char *url, pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    int rc;
    if ((rc = check_article_id(id, err)) < 0 || (rc = check_writable(q, err)) < 0 ||
        (rc = prep(q, ST_ARTICLE_ENSURE, &st, err)) < 0)
        return rc;
    bind_text(st, 1, id);
    bind_text(st, 2, title != NULL ? title : "");
    bind_text(st, 3, url != NULL ? url : "");
    bind_i64(st, 4, now_ms());
    return run(q, st, err, "ensure article");
}

/* Creates the article (open, no title) if missing; inside the caller's unit. */
static int
article_create(sq *q, const char *id, pl_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = prep(q, ST_ARTICLE_CREATE, &st, err);
    if (rc < 0)
        return rc;
    bind_text(st, 1, id);
    bind_i64(st, 2, now_ms());
    return run(q, st, err, "create article");
}

static int
sq_article_update(store *s, const char *id, const store_article_changes *up, pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    bool outer;
    int rc;
    if ((rc = check_article_id(id, err)) < 0)
        return rc;
    if (up->has_status && (up->status < ARTICLE_OPEN || up->status > ARTICLE_CLOSED))
        return pl_errorf(err, PL_EINVAL, "unknown article status %d", (int)up->status);
    if ((rc = op_begin(q, &outer, err)) < 0)
        return rc;
    rc = article_create(q, id, err);
    if (rc == 0)
        rc = prep(q, ST_ARTICLE_UPDATE, &st, err);
    if (rc == 0) {
        bind_text(st, 1, id);
        bind_text(st, 2, up->title);
        bind_text(st, 3, up->url);
        bind_text(st, 4, up->text);
        bind_i64(st, 5, up->has_status);
        bind_i64(st, 6, up->status);
        bind_i64(st, 7, up->has_sensitive);
        bind_i64(st, 8, up->sensitive);
        rc = run(q, st, err, "update article");
    }
    return op_end(q, outer, rc, err);
}

static int
sq_article_counts(store *s, const char *const *ids, size_t n, int64_t *counts, pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    bool outer;
    int rc;
    if (n == 0)
        return 0;
    if ((rc = prep(q, ST_ARTICLE_COUNT, &st, err)) < 0 || (rc = read_begin(q, &outer, err)) < 0)
        return rc;
    for (size_t i = 0; i < n && rc == 0; i++) {
        bool found;
        counts[i] = 0;
        if (ids[i] == NULL)
            continue;
        bind_text(st, 1, ids[i]);
        rc = one_row(q, st, err, "count comments", &found);
        if (rc == 0 && found)
            counts[i] = sqlite3_column_int64(st, 0);
        finish(st);
    }
    read_end(q, outer);
    return rc;
}

/* ---- comments ------------------------------------------------------------------ */

static void
read_comment(sqlite3_stmt *st, arena *a, store_comment *c)
{
    c->id = sqlite3_column_int64(st, 0);
    c->article_id = col_text(st, 1, a);
    c->parent_id = sqlite3_column_int64(st, 2); /* NULL reads as 0 */
    c->root_id = sqlite3_column_int64(st, 3);
    c->author_id = sqlite3_column_int64(st, 4);
    c->author_name = col_text(st, 5, a);
    c->body = col_text(st, 6, a);
    c->html = col_text(st, 7, a);
    c->moderation = col_text(st, 8, a);
    c->status = (store_comment_status)sqlite3_column_int(st, 9);
    c->featured = sqlite3_column_int(st, 10) != 0;
    c->created_at = sqlite3_column_int64(st, 11);
    c->edited_at = sqlite3_column_int64(st, 12);
    c->likes = sqlite3_column_int64(st, 13);
    c->liked_by_me = sqlite3_column_int(st, 14) != 0;
    c->reply_count = sqlite3_column_int64(st, 15);
    c->moderator_reason = col_text(st, 16, a);
}

/* A growing array in the caller's arena (old copies are simply left there). */
typedef struct clist {
    arena *a;
    store_comment *v;
    size_t n, cap;
} clist;

static store_comment *
clist_push(clist *l)
{
    if (l->n == l->cap) {
        size_t cap = l->cap != 0 ? l->cap * 2 : 16;
        store_comment *v = arena_alloc(l->a, cap * sizeof *v);
        if (l->n != 0)
            memcpy(v, l->v, l->n * sizeof *v);
        l->v = v;
        l->cap = cap;
    }
    return &l->v[l->n++];
}

/* Steps every row of st into l, then finishes st. */
static int
read_comments(sq *q, sqlite3_stmt *st, clist *l, pl_error *err)
{
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW)
        read_comment(st, l->a, clist_push(l));
    int rc = step == SQLITE_DONE ? 0 : db_fail(q, err, "read comments");
    finish(st);
    return rc;
}

static bool
valid_status(store_comment_status st)
{
    return st >= COMMENT_PUBLISHED && st <= COMMENT_HIDDEN;
}

static int
sq_comment_insert(store *s, store_comment *c, pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    bool outer, found;
    int64_t root_id = 0;
    int rc;

    if ((rc = check_article_id(c->article_id, err)) < 0)
        return rc;
    if (c->body == NULL || c->html == NULL || !valid_status(c->status))
        return pl_errorf(err, PL_EINVAL, "comment without body, html or valid status");
    if ((rc = op_begin(q, &outer, err)) < 0)
        return rc;
    if (c->parent_id != 0) {
        if ((rc = prep(q, ST_COMMENT_PARENT, &st, err)) < 0)
            goto done;
        bind_i64(st, 1, c->parent_id);
        rc = one_row(q, st, err, "read parent", &found);
        if (rc == 0 &&
            (!found || strcmp((const char *)sqlite3_column_text(st, 0), c->article_id) != 0))
            rc = pl_errorf(err, PL_ENOTFOUND, "no such parent comment in this article");
        else if (rc == 0)
            root_id = sqlite3_column_int64(st, 1);
        finish(st);
        if (rc < 0)
            goto done;
    }
    if ((rc = article_create(q, c->article_id, err)) < 0 ||
        (rc = prep(q, ST_COMMENT_INSERT, &st, err)) < 0)
        goto done;
    if (c->created_at == 0)
        c->created_at = now_ms();
    bind_text(st, 1, c->article_id);
    bind_id_or_null(st, 2, c->parent_id);
    bind_i64(st, 3, root_id);
    bind_i64(st, 4, c->author_id);
    bind_text(st, 5, c->body);
    bind_text(st, 6, c->html);
    bind_text(st, 7, c->moderation != NULL ? c->moderation : "");
    bind_i64(st, 8, c->status);
    bind_i64(st, 9, c->featured);
    bind_i64(st, 10, c->created_at);
    if ((rc = run(q, st, err, "insert comment")) < 0)
        goto done;
    c->id = sqlite3_last_insert_rowid(q->db);
    if (root_id == 0) {
        /* A top-level comment is its own root; its id exists only now. */
        root_id = c->id;
        if ((rc = prep(q, ST_COMMENT_SET_ROOT, &st, err)) < 0)
            goto done;
        bind_i64(st, 1, c->id);
        rc = run(q, st, err, "set root");
    }
done:
    rc = op_end(q, outer, rc, err);
    if (rc == 0) {
        c->root_id = root_id;
        c->edited_at = 0;
        c->likes = 0;
        c->liked_by_me = false;
        c->reply_count = 0;
    } else {
        c->id = 0;
    }
    return rc;
}

static int
sq_comment_get(store *s, int64_t id, int64_t viewer_id, arena *a, store_comment *out, pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    bool found;
    int rc = prep(q, ST_COMMENT_GET, &st, err);
    if (rc < 0)
        return rc;
    bind_i64(st, 1, viewer_id);
    bind_i64(st, 2, id);
    rc = one_row(q, st, err, "read comment", &found);
    if (rc == 0 && found)
        read_comment(st, a, out);
    else if (rc == 0)
        rc = pl_errorf(err, PL_ENOTFOUND, "no such comment");
    finish(st);
    return rc;
}

static int
sq_comment_edit(store *s, int64_t id, const char *body, const char *html,
                store_comment_status status, const char *moderation, int64_t now, pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    int rc;
    if (body == NULL || html == NULL || !valid_status(status))
        return pl_errorf(err, PL_EINVAL, "edit without body, html or valid status");
    if ((rc = check_writable(q, err)) < 0 || (rc = prep(q, ST_COMMENT_EDIT, &st, err)) < 0)
        return rc;
    bind_i64(st, 1, id);
    bind_text(st, 2, body);
    bind_text(st, 3, html);
    bind_i64(st, 4, status);
    bind_text(st, 5, moderation != NULL ? moderation : "");
    bind_i64(st, 6, now != 0 ? now : now_ms());
    return update_one(q, st, err, "edit comment", "no such comment, or it was removed");
}

static int
sq_comment_set_status(store *s, int64_t id, store_comment_status status, pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    int rc;
    if (!valid_status(status))
        return pl_errorf(err, PL_EINVAL, "unknown comment status %d", (int)status);
    if ((rc = check_writable(q, err)) < 0 || (rc = prep(q, ST_COMMENT_SET_STATUS, &st, err)) < 0)
        return rc;
    bind_i64(st, 1, id);
    bind_i64(st, 2, status);
    return update_one(q, st, err, "set comment status", "no such comment");
}

static int
sq_comment_set_featured(store *s, int64_t id, bool featured, pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    int rc;
    if ((rc = check_writable(q, err)) < 0 || (rc = prep(q, ST_COMMENT_SET_FEATURED, &st, err)) < 0)
        return rc;
    bind_i64(st, 1, id);
    bind_i64(st, 2, featured);
    return update_one(q, st, err, "feature comment", "no such comment");
}

static int
sq_comments_page(store *s, const char *article_id, store_sort sort, store_cursor after, int limit,
                 int64_t viewer_id, arena *a, store_comment_list *out, bool *more, pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    clist l = {.a = a};
    int which, rc;

    out->items = NULL;
    out->n = 0;
    *more = false;
    if ((rc = check_article_id(article_id, err)) < 0)
        return rc;
    if (limit < 1)
        return pl_errorf(err, PL_EINVAL, "page limit must be positive");
    switch (sort) {
    case SORT_OLDEST:
        which = ST_PAGE_OLDEST;
        break;
    case SORT_NEWEST:
        which = ST_PAGE_NEWEST;
        break;
    case SORT_TOP:
        which = ST_PAGE_TOP;
        break;
    default:
        return pl_errorf(err, PL_EINVAL, "unknown sort %d", (int)sort);
    }
    if ((rc = prep(q, which, &st, err)) < 0)
        return rc;
    if (!after.set) {
        /* A cursor before everything in the sort order, so one statement
         * serves both the first and later pages. */
        after.key = after.id = sort == SORT_OLDEST ? INT64_MIN : INT64_MAX;
    }
    bind_i64(st, 1, viewer_id);
    bind_text(st, 2, article_id);
    bind_i64(st, 3, after.key);
    bind_i64(st, 4, after.id);
    bind_i64(st, 5, (int64_t)limit + 1); /* one more, to know whether more exist */
    if ((rc = read_comments(q, st, &l, err)) < 0)
        return rc;
    if (l.n > (size_t)limit) {
        *more = true;
        l.n = (size_t)limit;
    }
    out->items = l.v;
    out->n = l.n;
    return 0;
}

static int
sq_comments_replies(store *s, const int64_t *root_ids, size_t n, int64_t viewer_id, arena *a,
                    store_comment_list *out, pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    clist all = {.a = a};
    bool outer;
    int rc;

    out->items = NULL;
    out->n = 0;
    if (n == 0)
        return 0;
    if ((rc = prep(q, ST_THREAD, &st, err)) < 0 || (rc = read_begin(q, &outer, err)) < 0)
        return rc;
    for (size_t i = 0; i < n && rc == 0; i++) {
        size_t start = all.n;
        bind_i64(st, 1, viewer_id);
        bind_i64(st, 2, root_ids[i]);
        rc = read_comments(q, st, &all, err);
        if (rc == 0)
            all.n = start + store_thread_filter(all.v + start, all.n - start, viewer_id, a);
    }
    read_end(q, outer);
    if (rc < 0)
        return rc;
    if (all.n > 1)
        /* NOLINTNEXTLINE(clang-analyzer-core.NonNullParamChecker): n > 1 means v was allocated */
        qsort(all.v, all.n, sizeof *all.v, store_cmp_created);
    out->items = all.v;
    out->n = all.n;
    return 0;
}

static int
sq_comments_by_author(store *s, int64_t author_id, int64_t since, int limit, arena *a,
                      store_comment_list *out, pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    clist l = {.a = a};
    int rc;

    out->items = NULL;
    out->n = 0;
    if (limit < 1)
        return pl_errorf(err, PL_EINVAL, "limit must be positive");
    if ((rc = prep(q, ST_BY_AUTHOR, &st, err)) < 0)
        return rc;
    bind_i64(st, 1, 0);
    bind_i64(st, 2, author_id);
    bind_i64(st, 3, since);
    bind_i64(st, 4, limit);
    if ((rc = read_comments(q, st, &l, err)) < 0)
        return rc;
    out->items = l.v;
    out->n = l.n;
    return 0;
}

/* Reads comments.likes of one comment; PL_ENOTFOUND when it does not exist. */
static int
comment_likes(sq *q, int64_t comment_id, int64_t *likes, pl_error *err)
{
    sqlite3_stmt *st = NULL;
    bool found;
    int rc = prep(q, ST_COMMENT_LIKES, &st, err);
    if (rc < 0)
        return rc;
    bind_i64(st, 1, comment_id);
    rc = one_row(q, st, err, "read likes", &found);
    if (rc == 0 && found && likes != NULL)
        *likes = sqlite3_column_int64(st, 0);
    else if (rc == 0 && !found)
        rc = pl_errorf(err, PL_ENOTFOUND, "no such comment");
    finish(st);
    return rc;
}

static int
like_change(sq *q, int which, int64_t comment_id, int64_t user_id, int64_t *likes, pl_error *err)
{
    sqlite3_stmt *st = NULL;
    bool outer;
    int rc = op_begin(q, &outer, err);
    if (rc < 0)
        return rc;
    if ((rc = comment_likes(q, comment_id, NULL, err)) == 0 &&
        (rc = prep(q, which, &st, err)) == 0) {
        bind_i64(st, 1, comment_id);
        bind_i64(st, 2, user_id);
        if (which == ST_LIKE_INSERT)
            bind_i64(st, 3, now_ms());
        rc = run(q, st, err, "like");
    }
    if (rc == 0)
        rc = comment_likes(q, comment_id, likes, err);
    return op_end(q, outer, rc, err);
}

static int
sq_like_add(store *s, int64_t comment_id, int64_t user_id, int64_t *likes, pl_error *err)
{
    return like_change(to_sq(s), ST_LIKE_INSERT, comment_id, user_id, likes, err);
}

static int
sq_like_remove(store *s, int64_t comment_id, int64_t user_id, int64_t *likes, pl_error *err)
{
    return like_change(to_sq(s), ST_LIKE_DELETE, comment_id, user_id, likes, err);
}

/* ---- flags and the desk ------------------------------------------------------------ */

static int
sq_flag_insert(store *s, int64_t comment_id, int64_t user_id, const char *reason, const char *note,
               int64_t *flag_id, pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    bool outer;
    int rc;
    if (reason == NULL || reason[0] == '\0')
        return pl_errorf(err, PL_EINVAL, "flag without a reason");
    if ((rc = op_begin(q, &outer, err)) < 0)
        return rc;
    if ((rc = comment_likes(q, comment_id, NULL, err)) == 0 &&
        (rc = prep(q, ST_FLAG_INSERT, &st, err)) == 0) {
        bind_i64(st, 1, comment_id);
        bind_i64(st, 2, user_id);
        bind_text(st, 3, reason);
        bind_text(st, 4, note != NULL ? note : "");
        bind_i64(st, 5, now_ms());
        rc = run(q, st, err, "insert flag");
        if (rc == PL_ECONFLICT)
            pl_errorf(err, PL_ECONFLICT, "this user already flagged this comment");
        else if (rc == 0 && flag_id != NULL)
            *flag_id = sqlite3_last_insert_rowid(q->db);
    }
    return op_end(q, outer, rc, err);
}

static int
sq_flags_for_comment(store *s, int64_t comment_id, arena *a, store_flag_group **out, size_t *n,
                     pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    store_flag_group *v = NULL;
    size_t cap = 0, len = 0;
    int step, rc;

    *out = NULL;
    *n = 0;
    if ((rc = prep(q, ST_FLAG_GROUPS, &st, err)) < 0)
        return rc;
    bind_i64(st, 1, comment_id);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (len == cap) {
            size_t ncap = cap != 0 ? cap * 2 : 8;
            store_flag_group *nv = arena_alloc(a, ncap * sizeof *nv);
            if (len != 0)
                memcpy(nv, v, len * sizeof *nv);
            v = nv;
            cap = ncap;
        }
        v[len].reason = col_text(st, 0, a);
        v[len].count = sqlite3_column_int64(st, 1);
        v[len].notes = col_text(st, 2, a);
        len++;
    }
    rc = step == SQLITE_DONE ? 0 : db_fail(q, err, "read flags");
    finish(st);
    if (rc == 0) {
        *out = v;
        *n = len;
    }
    return rc;
}

static int
sq_flags_mark_reviewed(store *s, int64_t comment_id, pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    bool outer;
    int rc = op_begin(q, &outer, err);
    if (rc < 0)
        return rc;
    if ((rc = comment_likes(q, comment_id, NULL, err)) == 0 &&
        (rc = prep(q, ST_FLAG_REVIEWED, &st, err)) == 0) {
        bind_i64(st, 1, comment_id);
        rc = run(q, st, err, "review flags");
    }
    return op_end(q, outer, rc, err);
}

static int
sq_queue_list(store *s, store_queue queue, int64_t after_id, int limit, arena *a,
              store_comment_list *out, bool *more, pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    clist l = {.a = a};
    int rc;

    out->items = NULL;
    out->n = 0;
    *more = false;
    if (limit < 1)
        return pl_errorf(err, PL_EINVAL, "limit must be positive");
    if (queue != QUEUE_PENDING && queue != QUEUE_FLAGGED && queue != QUEUE_REJECTED)
        return pl_errorf(err, PL_EINVAL, "unknown queue %d", (int)queue);
    if ((rc = prep(q, queue == QUEUE_FLAGGED ? ST_QUEUE_FLAGGED : ST_QUEUE_STATUS, &st, err)) < 0)
        return rc;
    bind_i64(st, 1, 0);
    if (queue == QUEUE_FLAGGED) {
        bind_i64(st, 2, after_id);
        bind_i64(st, 3, (int64_t)limit + 1);
    } else {
        bind_i64(st, 2, queue == QUEUE_PENDING ? COMMENT_PENDING : COMMENT_REJECTED);
        bind_i64(st, 3, after_id);
        bind_i64(st, 4, (int64_t)limit + 1);
    }
    if ((rc = read_comments(q, st, &l, err)) < 0)
        return rc;
    if (l.n > (size_t)limit) {
        *more = true;
        l.n = (size_t)limit;
    }
    out->items = l.v;
    out->n = l.n;
    return 0;
}

/* The columns id, at, actor_id, action, target_type, target_id, reason. */
static void
read_log_entry(sqlite3_stmt *st, arena *a, store_log_entry *e)
{
    e->id = sqlite3_column_int64(st, 0);
    e->at = sqlite3_column_int64(st, 1);
    e->actor_id = sqlite3_column_int64(st, 2);
    e->action = col_text(st, 3, a);
    e->target_type = col_text(st, 4, a);
    e->target_id = col_text(st, 5, a);
    e->reason = col_text(st, 6, a);
}

static int
sq_log_append(store *s, const store_log_entry *e, pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    int rc;
    if (e->action == NULL || e->target_type == NULL || e->target_id == NULL)
        return pl_errorf(err, PL_EINVAL, "log entry without action or target");
    if ((rc = check_writable(q, err)) < 0 || (rc = prep(q, ST_LOG_APPEND, &st, err)) < 0)
        return rc;
    bind_i64(st, 1, e->at != 0 ? e->at : now_ms());
    bind_id_or_null(st, 2, e->actor_id);
    bind_text(st, 3, e->action);
    bind_text(st, 4, e->target_type);
    bind_text(st, 5, e->target_id);
    bind_text(st, 6, e->reason != NULL ? e->reason : "");
    return run(q, st, err, "append log");
}

static int
sq_log_list(store *s, int64_t before_id, int limit, arena *a, store_log_entry **out, size_t *n,
            pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    int step, rc;

    *out = NULL;
    *n = 0;
    if (limit < 1)
        return pl_errorf(err, PL_EINVAL, "limit must be positive");
    if ((rc = prep(q, ST_LOG_LIST, &st, err)) < 0)
        return rc;
    store_log_entry *v = arena_alloc(a, (size_t)limit * sizeof *v);
    size_t len = 0;
    bind_i64(st, 1, before_id > 0 ? before_id : INT64_MAX);
    bind_i64(st, 2, limit);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        store_log_entry *e = &v[len++];
        read_log_entry(st, a, e);
    }
    rc = step == SQLITE_DONE ? 0 : db_fail(q, err, "read log");
    finish(st);
    if (rc == 0) {
        *out = v;
        *n = len;
    }
    return rc;
}

/* ---- moderation desk: decisions, flag weights, mutes, export, SSO ------------ */

/* Steps a one-row statement of integer columns into out[0..n). */
static int
ints_row(sq *q, sqlite3_stmt *st, int64_t *out, int n, pl_error *err, const char *what)
{
    bool found;
    int rc = one_row(q, st, err, what, &found);
    for (int i = 0; i < n; i++)
        out[i] = rc == 0 && found ? sqlite3_column_int64(st, i) : 0;
    finish(st);
    return rc;
}

static int
sq_queue_counts(store *s, int64_t counts[3], pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    int rc = prep(q, ST_QUEUE_COUNTS, &st, err);
    return rc < 0 ? rc : ints_row(q, st, counts, 3, err, "count queues");
}

static int
sq_comment_set_state(store *s, int64_t id, store_comment_status status, bool featured,
                     const char *moderator_reason, pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    int rc;
    if (!valid_status(status))
        return pl_errorf(err, PL_EINVAL, "unknown comment status %d", (int)status);
    if ((rc = check_writable(q, err)) < 0 || (rc = prep(q, ST_COMMENT_SET_STATE, &st, err)) < 0)
        return rc;
    bind_i64(st, 1, id);
    bind_i64(st, 2, status);
    bind_i64(st, 3, featured);
    bind_text(st, 4, moderator_reason != NULL ? moderator_reason : "");
    return update_one(q, st, err, "set comment state", "no such comment");
}

static int
sq_decision_insert(store *s, store_decision *d, pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    int rc;
    if (d->action == NULL)
        return pl_errorf(err, PL_EINVAL, "decision without an action");
    if ((rc = check_writable(q, err)) < 0 || (rc = prep(q, ST_DECISION_INSERT, &st, err)) < 0)
        return rc;
    bind_i64(st, 1, d->comment_id);
    bind_i64(st, 2, d->actor_id);
    bind_i64(st, 3, d->at != 0 ? d->at : now_ms());
    bind_text(st, 4, d->action);
    bind_i64(st, 5, d->prev_status);
    bind_i64(st, 6, d->prev_featured);
    bind_text(st, 7, d->prev_reason != NULL ? d->prev_reason : "");
    rc = run(q, st, err, "insert decision");
    if (rc == 0)
        d->id = sqlite3_last_insert_rowid(q->db);
    return rc;
}

static int
sq_decision_last(store *s, int64_t actor_id, arena *a, store_decision *out, pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    bool found;
    int rc = prep(q, ST_DECISION_LAST, &st, err);
    if (rc < 0)
        return rc;
    bind_i64(st, 1, actor_id);
    rc = one_row(q, st, err, "read decision", &found);
    if (rc == 0 && found) {
        out->id = sqlite3_column_int64(st, 0);
        out->comment_id = sqlite3_column_int64(st, 1);
        out->actor_id = sqlite3_column_int64(st, 2);
        out->at = sqlite3_column_int64(st, 3);
        out->action = col_text(st, 4, a);
        out->prev_status = (store_comment_status)sqlite3_column_int(st, 5);
        out->prev_featured = sqlite3_column_int(st, 6) != 0;
        out->prev_reason = col_text(st, 7, a);
    } else if (rc == 0) {
        rc = pl_errorf(err, PL_ENOTFOUND, "no decision to undo");
    }
    finish(st);
    return rc;
}

static int
sq_decision_undo(store *s, int64_t decision_id, pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    bool outer;
    int rc = op_begin(q, &outer, err);
    if (rc < 0)
        return rc;
    if ((rc = prep(q, ST_DECISION_UNDONE, &st, err)) == 0) {
        bind_i64(st, 1, decision_id);
        rc = update_one(q, st, err, "undo decision", "no such decision, or already undone");
    }
    if (rc == 0 && (rc = prep(q, ST_FLAGS_REOPEN, &st, err)) == 0) {
        bind_i64(st, 1, decision_id);
        rc = run(q, st, err, "reopen flags");
    }
    return op_end(q, outer, rc, err);
}

static int
sq_flags_review(store *s, int64_t comment_id, store_flag_outcome outcome, int64_t decision_id,
                pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    bool outer;
    if (outcome != FLAG_UPHELD && outcome != FLAG_DISMISSED)
        return pl_errorf(err, PL_EINVAL, "a review upholds or dismisses");
    int rc = op_begin(q, &outer, err);
    if (rc < 0)
        return rc;
    if ((rc = comment_likes(q, comment_id, NULL, err)) == 0 &&
        (rc = prep(q, ST_FLAGS_REVIEW, &st, err)) == 0) {
        bind_i64(st, 1, comment_id);
        bind_i64(st, 2, outcome);
        bind_id_or_null(st, 3, decision_id);
        rc = run(q, st, err, "review flags");
    }
    return op_end(q, outer, rc, err);
}

/* A growing array of fixed-size rows in an arena. */
static void *
grow(arena *a, void *v, size_t len, size_t *cap, size_t size)
{
    if (len < *cap)
        return v;
    size_t ncap = *cap != 0 ? *cap * 2 : 8;
    void *nv = arena_alloc(a, ncap * size);
    if (len != 0)
        memcpy(nv, v, len * size);
    *cap = ncap;
    return nv;
}

static int
sq_flaggers_for_comment(store *s, int64_t comment_id, arena *a, store_flagger **out, size_t *n,
                        pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    store_flagger *v = NULL;
    size_t len = 0, cap = 0;
    int step, rc;
    *out = NULL;
    *n = 0;
    if ((rc = prep(q, ST_FLAGGERS, &st, err)) < 0)
        return rc;
    bind_i64(st, 1, comment_id);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        v = grow(a, v, len, &cap, sizeof *v);
        store_flagger *f = &v[len++];
        f->user_id = sqlite3_column_int64(st, 0);
        f->reason = col_text(st, 1, a);
        f->account_created_at = sqlite3_column_int64(st, 2);
        f->upheld = sqlite3_column_int64(st, 3);
        f->dismissed = sqlite3_column_int64(st, 4);
    }
    rc = step == SQLITE_DONE ? 0 : db_fail(q, err, "read flaggers");
    finish(st);
    if (rc == 0) {
        *out = v;
        *n = len;
    }
    return rc;
}

static int
sq_flags_count_by_user(store *s, int64_t user_id, int64_t since, int64_t *n, pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    int rc = prep(q, ST_FLAGS_BY_USER_SINCE, &st, err);
    if (rc < 0)
        return rc;
    bind_i64(st, 1, user_id);
    bind_i64(st, 2, since);
    return ints_row(q, st, n, 1, err, "count flags");
}

static int
sq_user_history_get(store *s, int64_t user_id, store_user_history *out, pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    int64_t v[8];
    int rc = prep(q, ST_USER_HISTORY, &st, err);
    if (rc < 0)
        return rc;
    bind_i64(st, 1, user_id);
    if ((rc = ints_row(q, st, v, 8, err, "read history")) < 0)
        return rc;
    out->comments = v[0];
    out->published = v[1];
    out->pending = v[2];
    out->rejected = v[3];
    out->hidden = v[4];
    out->flags_received = v[5];
    out->flags_upheld = v[6];
    out->bans = v[7];
    return 0;
}

static int
sq_log_query(store *s, const store_log_filter *f, int limit, arena *a, store_log_entry **out,
             size_t *n, pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    int step, rc;
    *out = NULL;
    *n = 0;
    if (limit < 1)
        return pl_errorf(err, PL_EINVAL, "limit must be positive");
    if ((rc = prep(q, ST_LOG_QUERY, &st, err)) < 0)
        return rc;
    store_log_entry *v = arena_alloc(a, (size_t)limit * sizeof *v);
    size_t len = 0;
    bind_i64(st, 1, f->before_id > 0 ? f->before_id : INT64_MAX);
    bind_i64(st, 2, f->actor_id);
    bind_text(st, 3, f->action);
    bind_i64(st, 4, f->author_id);
    bind_text(st, 5, f->article_id);
    bind_i64(st, 6, limit);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        store_log_entry *e = &v[len++];
        read_log_entry(st, a, e);
    }
    rc = step == SQLITE_DONE ? 0 : db_fail(q, err, "read log");
    finish(st);
    if (rc == 0) {
        *out = v;
        *n = len;
    }
    return rc;
}

static int
sq_mute_set(store *s, int64_t user_id, int64_t muted_id, bool on, int64_t now, pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    int rc;
    if ((rc = check_writable(q, err)) < 0 ||
        (rc = prep(q, on ? ST_MUTE_INSERT : ST_MUTE_DELETE, &st, err)) < 0)
        return rc;
    bind_i64(st, 1, user_id);
    bind_i64(st, 2, muted_id);
    if (on)
        bind_i64(st, 3, now != 0 ? now : now_ms());
    return run(q, st, err, "mute");
}

static int
sq_mutes_list(store *s, int64_t user_id, arena *a, store_mute **out, size_t *n, pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    store_mute *v = NULL;
    size_t len = 0, cap = 0;
    int step, rc;
    *out = NULL;
    *n = 0;
    if ((rc = prep(q, ST_MUTES_LIST, &st, err)) < 0)
        return rc;
    bind_i64(st, 1, user_id);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        v = grow(a, v, len, &cap, sizeof *v);
        store_mute *m = &v[len++];
        m->user_id = sqlite3_column_int64(st, 0);
        m->name = col_text(st, 1, a);
        m->created_at = sqlite3_column_int64(st, 2);
    }
    rc = step == SQLITE_DONE ? 0 : db_fail(q, err, "read mutes");
    finish(st);
    if (rc == 0) {
        *out = v;
        *n = len;
    }
    return rc;
}

static int
sq_flags_by_user(store *s, int64_t user_id, arena *a, store_flag_row **out, size_t *n,
                 pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    store_flag_row *v = NULL;
    size_t len = 0, cap = 0;
    int step, rc;
    *out = NULL;
    *n = 0;
    if ((rc = prep(q, ST_FLAGS_BY_USER, &st, err)) < 0)
        return rc;
    bind_i64(st, 1, user_id);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        v = grow(a, v, len, &cap, sizeof *v);
        store_flag_row *f = &v[len++];
        f->id = sqlite3_column_int64(st, 0);
        f->comment_id = sqlite3_column_int64(st, 1);
        f->reason = col_text(st, 2, a);
        f->note = col_text(st, 3, a);
        f->created_at = sqlite3_column_int64(st, 4);
        f->outcome = (store_flag_outcome)sqlite3_column_int(st, 5);
    }
    rc = step == SQLITE_DONE ? 0 : db_fail(q, err, "read flags");
    finish(st);
    if (rc == 0) {
        *out = v;
        *n = len;
    }
    return rc;
}

static int
sq_likes_by_user(store *s, int64_t user_id, arena *a, int64_t **comment_ids, size_t *n,
                 pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    int64_t *v = NULL;
    size_t len = 0, cap = 0;
    int step, rc;
    *comment_ids = NULL;
    *n = 0;
    if ((rc = prep(q, ST_LIKES_BY_USER, &st, err)) < 0)
        return rc;
    bind_i64(st, 1, user_id);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        v = grow(a, v, len, &cap, sizeof *v);
        v[len++] = sqlite3_column_int64(st, 0);
    }
    rc = step == SQLITE_DONE ? 0 : db_fail(q, err, "read likes");
    finish(st);
    if (rc == 0) {
        *comment_ids = v;
        *n = len;
    }
    return rc;
}

/* Runs a statement whose only parameter is one id, inside the caller's unit. */
static int
run_with_id(sq *q, int which, int64_t id, pl_error *err, const char *what)
{
    sqlite3_stmt *st = NULL;
    int rc = prep(q, which, &st, err);
    if (rc < 0)
        return rc;
    bind_i64(st, 1, id);
    return run(q, st, err, what);
}

static int
sq_user_delete(store *s, int64_t user_id, bool remove_comments, pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    bool outer;
    int rc = op_begin(q, &outer, err);
    if (rc < 0)
        return rc;
    if ((rc = prep(q, ST_USER_DELETE, &st, err)) == 0) {
        bind_i64(st, 1, user_id);
        rc = update_one(q, st, err, "delete user", "no such user");
    }
    if (rc == 0)
        rc = run_with_id(q, ST_USER_DELETE_SESSIONS, user_id, err, "delete sessions");
    if (rc == 0)
        rc = run_with_id(q, ST_USER_DELETE_MUTES, user_id, err, "delete mutes");
    if (rc == 0 && remove_comments)
        rc = run_with_id(q, ST_USER_REMOVE_COMMENTS, user_id, err, "remove comments");
    return op_end(q, outer, rc, err);
}

static int
sq_comment_reviewed(store *s, int64_t id, bool *reviewed, pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    int64_t v = 0;
    int rc = prep(q, ST_COMMENT_REVIEWED, &st, err);
    if (rc < 0)
        return rc;
    bind_i64(st, 1, id);
    rc = ints_row(q, st, &v, 1, err, "read decisions");
    *reviewed = rc == 0 && v != 0;
    return rc;
}

static int
sq_email_ban_set(store *s, const unsigned char *hash, int64_t ends_at, const char *reason,
                 pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    int rc;
    if ((rc = check_writable(q, err)) < 0 || (rc = prep(q, ST_EMAIL_BAN_SET, &st, err)) < 0)
        return rc;
    bind_hash(st, 1, hash);
    bind_i64(st, 2, ends_at);
    bind_text(st, 3, reason != NULL ? reason : "");
    return run(q, st, err, "keep ban");
}

static int
sq_email_ban_get(store *s, const unsigned char *hash, int64_t now, arena *a, int64_t *ends_at,
                 const char **reason, pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    bool found;
    int rc = prep(q, ST_EMAIL_BAN_GET, &st, err);
    if (rc < 0)
        return rc;
    bind_hash(st, 1, hash);
    bind_i64(st, 2, now);
    rc = one_row(q, st, err, "read kept ban", &found);
    if (rc == 0 && found) {
        *ends_at = sqlite3_column_int64(st, 0);
        *reason = col_text(st, 1, a);
    } else if (rc == 0) {
        rc = pl_errorf(err, PL_ENOTFOUND, "no ban on this address");
    }
    finish(st);
    return rc;
}

static int
sq_sso_login(store *s, const char *sub, const char *name, const char *email, const char *jti,
             int64_t jti_expires, int64_t now, int64_t *user_id, pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    bool outer, found = false;
    int64_t uid = 0;
    if (sub == NULL || sub[0] == '\0' || jti == NULL || jti[0] == '\0' || email == NULL ||
        email[0] == '\0')
        return pl_errorf(err, PL_EINVAL, "sso login needs sub, email and jti");
    int rc = op_begin(q, &outer, err);
    if (rc < 0)
        return rc;
    /* Expired ids can never be replayed (their tokens are refused as
     * expired), so they are dropped here and the table stays small. */
    if ((rc = prep(q, ST_SSO_JTI_PURGE, &st, err)) == 0) {
        bind_i64(st, 1, now);
        rc = run(q, st, err, "purge jti");
    }
    if (rc == 0 && (rc = prep(q, ST_SSO_JTI_INSERT, &st, err)) == 0) {
        bind_text(st, 1, jti);
        bind_i64(st, 2, jti_expires);
        rc = run(q, st, err, "record jti");
        if (rc == PL_ECONFLICT)
            pl_errorf(err, PL_ECONFLICT, "this token was used before");
    }
    if (rc == 0 && (rc = prep(q, ST_SSO_SUBJECT, &st, err)) == 0) {
        bind_text(st, 1, sub);
        rc = one_row(q, st, err, "read subject", &found);
        if (rc == 0 && found)
            uid = sqlite3_column_int64(st, 0);
        finish(st);
    }
    if (rc == 0 && !found) {
        char *e = email_fold(email);
        if ((rc = prep(q, ST_USER_BY_EMAIL, &st, err)) == 0) {
            bind_text(st, 1, e);
            rc = one_row(q, st, err, "read user", &found);
            if (rc == 0 && found && sqlite3_column_int(st, 9) == 0)
                uid = sqlite3_column_int64(st, 0);
            finish(st);
        }
        free(e);
        if (rc == 0 && uid == 0) {
            store_user u = {0};
            u.email = email;
            u.name = name != NULL ? name : "";
            u.pw_hash = "";
            u.created_at = now;
            rc = sq_user_insert(s, &u, err);
            uid = u.id;
        }
        if (rc == 0 && (rc = prep(q, ST_SSO_LINK, &st, err)) == 0) {
            bind_text(st, 1, sub);
            bind_i64(st, 2, uid);
            rc = run(q, st, err, "link subject");
        }
    } else if (rc == 0) {
        char *e = email_fold(email);
        if ((rc = prep(q, ST_SSO_UPDATE_EMAIL, &st, err)) == 0) {
            bind_i64(st, 1, uid);
            bind_text(st, 2, e);
            rc = run(q, st, err, "update email");
        }
        free(e);
    }
    if (rc == 0 && name != NULL && name[0] != '\0' &&
        (rc = prep(q, ST_SSO_UPDATE_NAME, &st, err)) == 0) {
        bind_i64(st, 1, uid);
        bind_text(st, 2, name);
        rc = run(q, st, err, "update name");
    }
    rc = op_end(q, outer, rc, err);
    if (rc == 0)
        *user_id = uid;
    return rc;
}

/* ---- the desk's people and articles ---------------------------------------------- */

static int
sq_users_search(store *s, const store_user_filter *f, int limit, arena *a, store_user_row **out,
                size_t *n, pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    store_user_row *v = NULL;
    size_t len = 0, cap = 0;
    int step, rc;
    *out = NULL;
    *n = 0;
    if ((rc = prep(q, ST_USERS_SEARCH, &st, err)) < 0)
        return rc;
    bind_i64(st, 1, f->before_id > 0 ? f->before_id : INT64_MAX);
    bind_text(st, 2, store_like_pattern(f->text, a));
    bind_i64(st, 3, f->role);
    bind_i64(st, 4, f->banned);
    bind_i64(st, 5, f->now);
    bind_i64(st, 6, f->since);
    bind_text(st, 7, f->exact_name);
    bind_i64(st, 8, limit);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        v = grow(a, v, len, &cap, sizeof *v);
        read_user(st, a, &v[len].user);
        v[len++].comments = sqlite3_column_int64(st, 10);
    }
    rc = step == SQLITE_DONE ? 0 : db_fail(q, err, "search users");
    finish(st);
    if (rc == 0) {
        *out = v;
        *n = len;
    }
    return rc;
}

static int
sq_note_add(store *s, store_note *note, pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    int rc;
    if (note->body == NULL)
        return pl_errorf(err, PL_EINVAL, "a note needs a body");
    if ((rc = check_writable(q, err)) < 0 || (rc = prep(q, ST_NOTE_ADD, &st, err)) < 0)
        return rc;
    if (note->created_at == 0)
        note->created_at = now_ms();
    bind_i64(st, 1, note->user_id);
    bind_i64(st, 2, note->author_id);
    bind_text(st, 3, note->body);
    bind_i64(st, 4, note->created_at);
    rc = run(q, st, err, "add note");
    if (rc == 0)
        note->id = sqlite3_last_insert_rowid(q->db);
    return rc;
}

static int
sq_notes_list(store *s, int64_t user_id, int limit, arena *a, store_note **out, size_t *n,
              pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    store_note *v = NULL;
    size_t len = 0, cap = 0;
    int step, rc;
    *out = NULL;
    *n = 0;
    if ((rc = prep(q, ST_NOTES_LIST, &st, err)) < 0)
        return rc;
    bind_i64(st, 1, user_id);
    bind_i64(st, 2, limit);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        v = grow(a, v, len, &cap, sizeof *v);
        store_note *e = &v[len++];
        e->id = sqlite3_column_int64(st, 0);
        e->user_id = sqlite3_column_int64(st, 1);
        e->author_id = sqlite3_column_int64(st, 2);
        e->author_name = col_text(st, 3, a);
        e->body = col_text(st, 4, a);
        e->created_at = sqlite3_column_int64(st, 5);
    }
    rc = step == SQLITE_DONE ? 0 : db_fail(q, err, "read notes");
    finish(st);
    if (rc == 0) {
        *out = v;
        *n = len;
    }
    return rc;
}

static int
sq_flags_about_user(store *s, int64_t user_id, bool given, int limit, arena *a,
                    store_flag_detail **out, size_t *n, pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    store_flag_detail *v = NULL;
    size_t len = 0, cap = 0;
    int step, rc;
    *out = NULL;
    *n = 0;
    if ((rc = prep(q, given ? ST_FLAGS_GIVEN : ST_FLAGS_RECEIVED, &st, err)) < 0)
        return rc;
    bind_i64(st, 1, user_id);
    bind_i64(st, 2, limit);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        v = grow(a, v, len, &cap, sizeof *v);
        store_flag_detail *f = &v[len++];
        f->id = sqlite3_column_int64(st, 0);
        f->comment_id = sqlite3_column_int64(st, 1);
        f->flagger_id = sqlite3_column_int64(st, 2);
        f->flagger_name = col_text(st, 3, a);
        f->author_id = sqlite3_column_int64(st, 4);
        f->author_name = col_text(st, 5, a);
        f->reason = col_text(st, 6, a);
        f->note = col_text(st, 7, a);
        f->created_at = sqlite3_column_int64(st, 8);
        f->outcome = (store_flag_outcome)sqlite3_column_int(st, 9);
    }
    rc = step == SQLITE_DONE ? 0 : db_fail(q, err, "read flags");
    finish(st);
    if (rc == 0) {
        *out = v;
        *n = len;
    }
    return rc;
}

static int
sq_log_about(store *s, const char *target_type, const char *target_id, int limit, arena *a,
             store_log_entry **out, size_t *n, pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    store_log_entry *v = NULL;
    size_t len = 0, cap = 0;
    int step, rc;
    *out = NULL;
    *n = 0;
    if ((rc = prep(q, ST_LOG_ABOUT, &st, err)) < 0)
        return rc;
    bind_text(st, 1, target_type);
    bind_text(st, 2, target_id);
    bind_i64(st, 3, limit);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        v = grow(a, v, len, &cap, sizeof *v);
        store_log_entry *e = &v[len++];
        read_log_entry(st, a, e);
    }
    rc = step == SQLITE_DONE ? 0 : db_fail(q, err, "read log");
    finish(st);
    if (rc == 0) {
        *out = v;
        *n = len;
    }
    return rc;
}

static int
sq_articles_list(store *s, const store_article_filter *f, int limit, arena *a,
                 store_article_row **out, size_t *n, pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    store_article_row *v = NULL;
    size_t len = 0, cap = 0;
    int step, rc;
    *out = NULL;
    *n = 0;
    if ((rc = prep(q, ST_ARTICLES_LIST, &st, err)) < 0)
        return rc;
    bind_i64(st, 1, f->before_at);
    bind_text(st, 2, f->before_id);
    bind_text(st, 3, store_like_pattern(f->text, a));
    bind_i64(st, 4, f->status);
    bind_i64(st, 5, limit);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        v = grow(a, v, len, &cap, sizeof *v);
        store_article_row *r = &v[len++];
        read_article(st, a, &r->article);
        r->pending = sqlite3_column_int64(st, 8);
        r->total = sqlite3_column_int64(st, 9);
    }
    rc = step == SQLITE_DONE ? 0 : db_fail(q, err, "list articles");
    finish(st);
    if (rc == 0) {
        *out = v;
        *n = len;
    }
    return rc;
}

static int
sq_articles_close_before(store *s, int64_t cutoff, arena *a, const char ***ids, size_t *n,
                         pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    const char **v = NULL;
    size_t len = 0, cap = 0;
    int step;
    bool outer;
    *ids = NULL;
    *n = 0;
    int rc = op_begin(q, &outer, err);
    if (rc < 0)
        return rc;
    if ((rc = prep(q, ST_ARTICLES_CLOSE_BEFORE, &st, err)) == 0) {
        bind_i64(st, 1, cutoff);
        while ((step = sqlite3_step(st)) == SQLITE_ROW) {
            v = grow(a, v, len, &cap, sizeof *v);
            v[len++] = col_text(st, 0, a);
        }
        rc = step == SQLITE_DONE ? 0 : db_fail(q, err, "close articles");
        finish(st);
    }
    rc = op_end(q, outer, rc, err);
    if (rc == 0) {
        *ids = v;
        *n = len;
    }
    return rc;
}

static const store_ops sqlite_ops = {
    .name = "sqlite",
    .close = sq_close,
    .ping = sq_ping,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .savepoint = sq_savepoint,
    .savepoint_release = sq_savepoint_release,
    .savepoint_rollback = sq_savepoint_rollback,
    .user_insert = sq_user_insert,
    .user_by_id = sq_user_by_id,
    .user_by_email = sq_user_by_email,
    .user_set_ban = sq_user_set_ban,
    .user_set_role = sq_user_set_role,
    .session_insert = sq_session_insert,
    .session_user = sq_session_user,
    .session_delete = sq_session_delete,
    .article_get = sq_article_get,
    .article_ensure = sq_article_ensure,
    .article_update = sq_article_update,
    .article_counts = sq_article_counts,
    .comment_insert = sq_comment_insert,
    .comment_get = sq_comment_get,
    .comment_edit = sq_comment_edit,
    .comment_set_status = sq_comment_set_status,
    .comment_set_featured = sq_comment_set_featured,
    .comments_page = sq_comments_page,
    .comments_replies = sq_comments_replies,
    .comments_by_author = sq_comments_by_author,
    .like_add = sq_like_add,
    .like_remove = sq_like_remove,
    .flag_insert = sq_flag_insert,
    .flags_for_comment = sq_flags_for_comment,
    .flags_mark_reviewed = sq_flags_mark_reviewed,
    .queue_list = sq_queue_list,
    .log_append = sq_log_append,
    .log_list = sq_log_list,
    .queue_counts = sq_queue_counts,
    .comment_set_state = sq_comment_set_state,
    .decision_insert = sq_decision_insert,
    .decision_last = sq_decision_last,
    .decision_undo = sq_decision_undo,
    .flags_review = sq_flags_review,
    .flaggers_for_comment = sq_flaggers_for_comment,
    .flags_count_by_user = sq_flags_count_by_user,
    .user_history_get = sq_user_history_get,
    .log_query = sq_log_query,
    .mute_set = sq_mute_set,
    .mutes_list = sq_mutes_list,
    .flags_by_user = sq_flags_by_user,
    .likes_by_user = sq_likes_by_user,
    .user_delete = sq_user_delete,
    .sso_login = sq_sso_login,
    .comment_reviewed = sq_comment_reviewed,
    .email_ban_set = sq_email_ban_set,
    .email_ban_get = sq_email_ban_get,
    .users_search = sq_users_search,
    .note_add = sq_note_add,
    .notes_list = sq_notes_list,
    .flags_about_user = sq_flags_about_user,
    .log_about = sq_log_about,
    .articles_list = sq_articles_list,
    .articles_close_before = sq_articles_close_before,
};
