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
 *   webhook_outbox(id, event, payload, created_at, state, attempts, next_at,
 *          last_at, last_status, last_error) (migration 4): events waiting
 *          for, or done with, webhook delivery.
 *   import_map(kind, ext_id, local_id) (migration 5): what each imported
 *          record became, so an import stores it once.
 *   comments_fts (migration 10): FTS5 over comments.body (external
 *          content), kept by triggers; the desk's search. Since migration
 *          25 a new comment waits in comments_fts_pending(id) and is indexed
 *          just before its transaction commits (fts_flush).
 * Invariants kept by triggers, so no code path can forget them:
 *   articles.comment_count = number of its comments with status published;
 *   comments.likes = number of rows in likes for that comment.
 *
 * Writes that take several statements run in a transaction of their own
 * (BEGIN IMMEDIATE) when the caller has none open, or in a savepoint inside
 * the caller's transaction, so a failed call never leaves half its work.
 */
#include "store/store_int.h"
#include "util/text.h"
#include "util/xalloc.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- schema ---------------------------------------------------------------- */

/* The numbers' summary tables (migration 17; docs/STORAGE.md). A day is
 * a time in ms divided by 86400000 (UTC days). stats_daily's kinds: 0-4
 * comments created that day by the status they have now; 10 and 11 the
 * pending and flagged queues' net change that day (comments in less
 * comments out); 20 + 3 * engine kind (STATS_HELD, STATS_REFUSED,
 * STATS_REVIEW) + verdict (0 none, 1 overturned, 2 upheld) the engine's
 * decisions that day. */
#define STATS_ADD(kind, day, d, cond)                                                              \
    " INSERT INTO stats_daily (kind, day, n) SELECT " kind ", " day ", " d " WHERE " cond          \
    " ON CONFLICT (kind, day) DO UPDATE SET n = n + excluded.n;"
/* A comment's spans in the queues (row R of stats_span) added (sign 1) or
 * taken away (sign (-1)). */
#define STATS_SPAN_ADD(R, sign)                                                                    \
    STATS_ADD("10", R ".p_in / 86400000", sign, R ".p_in IS NOT NULL")                             \
    STATS_ADD("10", R ".p_out / 86400000", sign " * (-1)", R ".p_out IS NOT NULL")                 \
    STATS_ADD("11", R ".f_in / 86400000", sign, R ".f_in IS NOT NULL")                             \
    STATS_ADD("11", R ".f_out / 86400000", sign " * (-1)", R ".f_out IS NOT NULL")
/* A comment's spans (STATS_SPAN_INNER for comments c, then
 * STATS_SPAN_SELECT): in the pending queue from its creation until the
 * first standing decision taken on it while pending (or still, while it is
 * pending); in the flagged queue from its first flag until the latest
 * decision that closed one (or still, while a flag is open on a published
 * or hidden comment), counting only flags closed or on a published or
 * hidden comment. */
/* clang-format off */
#define STATS_SPAN_INNER                                                                           \
    " SELECT c.id, c.status, c.created_at,"                                                        \
    "  (SELECT d.at FROM decisions d WHERE d.comment_id = c.id AND d.prev_status = 1"              \
    "   AND d.undone = 0 ORDER BY d.at, d.id LIMIT 1) AS t,"                                       \
    "  (SELECT min(f.created_at) FROM flags f WHERE f.comment_id = c.id"                           \
    "   AND (f.reviewed <> 0 OR c.status IN (0, 4))) AS fi,"                                       \
    "  (SELECT CASE WHEN min(f.reviewed) = 0 THEN NULL"                                            \
    "   ELSE max(coalesce(d.at, f.created_at)) END"                                                \
    "   FROM flags f LEFT JOIN decisions d ON d.id = f.decision_id WHERE f.comment_id = c.id"      \
    "   AND (f.reviewed <> 0 OR c.status IN (0, 4))) AS fo FROM comments c"
#define STATS_SPAN_SELECT                                                                          \
    " SELECT id, CASE WHEN status = 1 OR t IS NOT NULL THEN created_at END,"                       \
    " CASE WHEN status <> 1 THEN t END, fi, fo"
#define STATS_SPAN_REFRESH(X)                                                                      \
    " INSERT INTO stats_span (comment_id, p_in, p_out, f_in, f_out)" STATS_SPAN_SELECT            \
    " FROM (" STATS_SPAN_INNER " WHERE c.id = " X ")"                                              \
    " WHERE status = 1 OR t IS NOT NULL OR fi IS NOT NULL"                                         \
    "  OR EXISTS (SELECT 1 FROM stats_span s WHERE s.comment_id = " X ")"                          \
    " ON CONFLICT (comment_id) DO UPDATE SET p_in = excluded.p_in, p_out = excluded.p_out,"        \
    "  f_in = excluded.f_in, f_out = excluded.f_out WHERE p_in IS NOT excluded.p_in"               \
    "  OR p_out IS NOT excluded.p_out OR f_in IS NOT excluded.f_in OR f_out IS NOT excluded.f_out;"
/* A standing approve or reject on a queued comment (or one that closed a
 * flag), its day and its wait: from the first flag it closed, else from
 * the comment's creation. */
#define STATS_DECISION_SELECT                                                                      \
    " SELECT d.id, d.at / 86400000, d.at - coalesce((SELECT min(f.created_at) FROM flags f"        \
    "  WHERE f.decision_id = d.id), c.created_at), d.action = 'reject'"                            \
    " FROM decisions d JOIN comments c ON c.id = d.comment_id"
#define STATS_DECISION_KEPT                                                                        \
    " d.undone = 0 AND d.action IN ('approve', 'reject') AND (d.prev_status <> 0"                  \
    "  OR EXISTS (SELECT 1 FROM flags f WHERE f.decision_id = d.id))"
#define STATS_DECISION_REFRESH(D)                                                                  \
    " DELETE FROM stats_decision WHERE decision_id = " D ";"                                       \
    " INSERT INTO stats_decision (decision_id, day, wait, rejected)" STATS_DECISION_SELECT         \
    " WHERE d.id = " D " AND " STATS_DECISION_KEPT ";"
/* The engine's decisions: a log entry of one of its actions on a comment
 * (not a hold only because the article is premoderated), its kind, and
 * what moderators made of it: the newest standing approve (1) or reject
 * (2) taken on the comment after it, else 0. */
#define STATS_ENGINE_ACTION(action, reason)                                                        \
    " " action " IN ('auto_hold', 'auto_reject', 'auto_reject_edit', 'auto_review')"               \
    " AND " reason " <> 'premoderated'"
#define STATS_ENGINE_KIND(action)                                                                  \
    " CASE " action " WHEN 'auto_hold' THEN 0 WHEN 'auto_review' THEN 2 ELSE 1 END"
#define STATS_VERDICT(cid, at)                                                                     \
    " coalesce((SELECT CASE d.action WHEN 'approve' THEN 1 ELSE 2 END FROM decisions d"            \
    "  WHERE d.comment_id = " cid " AND d.undone = 0 AND d.action IN ('approve', 'reject')"        \
    "  AND d.at >= " at " ORDER BY d.at DESC, d.id DESC LIMIT 1), 0)"
#define STATS_ENGINE_ADD(R, d)                                                                     \
    STATS_ADD("20 + 3 * " R ".kind + " R ".verdict", R ".at / 86400000", d, "1")
#define STATS_ENGINE_REFRESH(cid)                                                                  \
    " UPDATE stats_engine SET verdict ="                                                           \
    STATS_VERDICT("stats_engine.comment_id", "stats_engine.at")                                    \
    " WHERE comment_id = " cid " AND verdict IS NOT"                                               \
    STATS_VERDICT("stats_engine.comment_id", "stats_engine.at") ";"
/* Readers' flags (not the engine's own review requests) by day, reason and
 * outcome: row R added (1) or taken away (-1). */
#define STATS_FLAG_ADD(R, d)                                                                       \
    " INSERT INTO stats_flags (day, reason, outcome, n) SELECT " R ".created_at / 86400000, "      \
    R ".reason, " R ".outcome, " d " WHERE EXISTS (SELECT 1 FROM users u WHERE u.id = " R          \
    ".user_id AND u.kind <> 3)"                                                                    \
    " ON CONFLICT (day, reason, outcome) DO UPDATE SET n = n + excluded.n;"
/* clang-format on */

/* The site of an article key (docs/SITES.md: "N/ID" is site N's, a key
 * without '/' site 1's), and the site a log entry is about: its comment's
 * article's, its article's, the site itself; NULL for a user or a setting,
 * which belong to every site (store_log_append, migration 18). */
/* clang-format off */
#define SITE_OF_KEY(k)                                                                             \
    "(CASE WHEN instr(" k ", '/') > 0"                                                             \
    " THEN CAST(substr(" k ", 1, instr(" k ", '/') - 1) AS INTEGER) ELSE 1 END)"
#define LOG_SITE(type, id)                                                                         \
    "(CASE " type " WHEN 'article' THEN " SITE_OF_KEY(id)                                          \
    " WHEN 'site' THEN CAST(" id " AS INTEGER)"                                                    \
    " WHEN 'comment' THEN (SELECT " SITE_OF_KEY("lc.article_id") " FROM comments lc"               \
    " WHERE lc.id = CAST(" id " AS INTEGER)) END)"
/* clang-format on */

/* The summary tables by site (migration 21; docs/STORAGE.md): the same
 * definitions as migration 17's, each row also keeping the site of its
 * comment's article (SITE_OF_KEY), so that one site's numbers and queue
 * counts are read from them as every site's are. STATS_SITE_OF is the site
 * of the comment with id X (1 when there is none). */
/* clang-format off */
#define STATS_SITE_OF(X)                                                                           \
    " coalesce((SELECT " SITE_OF_KEY("sc.article_id") " FROM comments sc WHERE sc.id = " X "), 1)"
#define STATS_SADD(kind, site, day, d, cond)                                                       \
    " INSERT INTO stats_daily (kind, site, day, n) SELECT " kind ", " site ", " day ", " d          \
    " WHERE " cond " ON CONFLICT (kind, day, site) DO UPDATE SET n = n + excluded.n;"
#define STATS_SSPAN_ADD(R, sign)                                                                   \
    STATS_SADD("10", R ".site", R ".p_in / 86400000", sign, R ".p_in IS NOT NULL")                 \
    STATS_SADD("10", R ".site", R ".p_out / 86400000", sign " * (-1)", R ".p_out IS NOT NULL")     \
    STATS_SADD("11", R ".site", R ".f_in / 86400000", sign, R ".f_in IS NOT NULL")                 \
    STATS_SADD("11", R ".site", R ".f_out / 86400000", sign " * (-1)", R ".f_out IS NOT NULL")
#define STATS_SPAN_INNER_S                                                                         \
    " SELECT c.id, c.status, c.created_at, c.article_id,"                                          \
    "  (SELECT d.at FROM decisions d WHERE d.comment_id = c.id AND d.prev_status = 1"              \
    "   AND d.undone = 0 ORDER BY d.at, d.id LIMIT 1) AS t,"                                       \
    "  (SELECT min(f.created_at) FROM flags f WHERE f.comment_id = c.id"                           \
    "   AND (f.reviewed <> 0 OR c.status IN (0, 4))) AS fi,"                                       \
    "  (SELECT CASE WHEN min(f.reviewed) = 0 THEN NULL"                                            \
    "   ELSE max(coalesce(d.at, f.created_at)) END"                                                \
    "   FROM flags f LEFT JOIN decisions d ON d.id = f.decision_id WHERE f.comment_id = c.id"      \
    "   AND (f.reviewed <> 0 OR c.status IN (0, 4))) AS fo FROM comments c"
#define STATS_SSPAN_REFRESH(X)                                                                     \
    " INSERT INTO stats_span (comment_id, p_in, p_out, f_in, f_out, site)" STATS_SPAN_SELECT       \
    ", " SITE_OF_KEY("article_id") " FROM (" STATS_SPAN_INNER_S " WHERE c.id = " X ")"          \
    " WHERE status = 1 OR t IS NOT NULL OR fi IS NOT NULL"                                         \
    "  OR EXISTS (SELECT 1 FROM stats_span s WHERE s.comment_id = " X ")"                          \
    " ON CONFLICT (comment_id) DO UPDATE SET p_in = excluded.p_in, p_out = excluded.p_out,"        \
    "  f_in = excluded.f_in, f_out = excluded.f_out, site = excluded.site"                         \
    "  WHERE p_in IS NOT excluded.p_in OR p_out IS NOT excluded.p_out"                             \
    "  OR f_in IS NOT excluded.f_in OR f_out IS NOT excluded.f_out OR site IS NOT excluded.site;"
#define STATS_SDECISION_REFRESH(D)                                                                 \
    " DELETE FROM stats_decision WHERE decision_id = " D ";"                                       \
    " INSERT INTO stats_decision (decision_id, day, wait, rejected, site)" STATS_DECISION_SELECT_S \
    " WHERE d.id = " D " AND " STATS_DECISION_KEPT ";"
#define STATS_DECISION_SELECT_S                                                                    \
    " SELECT d.id, d.at / 86400000, d.at - coalesce((SELECT min(f.created_at) FROM flags f"        \
    "  WHERE f.decision_id = d.id), c.created_at), d.action = 'reject', "                          \
    SITE_OF_KEY("c.article_id") " FROM decisions d JOIN comments c ON c.id = d.comment_id"
#define STATS_SENGINE_ADD(R, d)                                                                    \
    STATS_SADD("20 + 3 * " R ".kind + " R ".verdict", R ".site", R ".at / 86400000", d, "1")
#define STATS_SFLAG_ADD(R, d)                                                                      \
    " INSERT INTO stats_flags (day, site, reason, outcome, n) SELECT " R ".created_at / 86400000,"  \
    STATS_SITE_OF(R ".comment_id") ", " R ".reason, " R ".outcome, " d                             \
    " WHERE EXISTS (SELECT 1 FROM users u WHERE u.id = " R ".user_id AND u.kind <> 3)"             \
    " ON CONFLICT (day, reason, outcome, site) DO UPDATE SET n = n + excluded.n;"
/* clang-format on */

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
    /* 4: who made an account (store_user_kind), so accounts no person
     * registered are known by this field and not by their .invalid address.
     * Existing ones are recognised by what only Parley made: no password and
     * the address the importer or the engine gave them; an account made by
     * single sign-on is one with a linked subject. */
    "ALTER TABLE users ADD COLUMN kind INTEGER NOT NULL DEFAULT 0;"
    "UPDATE users SET kind = 1 WHERE id IN (SELECT user_id FROM sso_subjects) AND pw_hash = ''"
    "  AND role = 0;"
    "UPDATE users SET kind = 2 WHERE kind = 0 AND pw_hash = '' AND role = 0"
    "  AND (email GLOB 'disqus-*@import.invalid' OR email GLOB 'disqus-*@guest.import.invalid');"
    "UPDATE users SET kind = 3 WHERE kind = 0 AND pw_hash = '' AND role = 0"
    "  AND email = 'moderation-engine@parley.invalid';",
    /* 5: mail: account mail settings, mailed tokens (only their SHA-256)
     * and the outbox that survives restarts. */
    "CREATE TABLE user_mail ("
    "  user_id INTEGER PRIMARY KEY REFERENCES users(id),"
    "  email_verified INTEGER NOT NULL DEFAULT 0,"
    "  notify_replies INTEGER NOT NULL DEFAULT 0,"
    "  notify_moderation INTEGER NOT NULL DEFAULT 0,"
    "  notify_queue INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE account_tokens ("
    "  hash BLOB PRIMARY KEY,"
    "  user_id INTEGER NOT NULL REFERENCES users(id),"
    "  purpose INTEGER NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  expires_at INTEGER NOT NULL,"
    "  used_at INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;"
    "CREATE INDEX account_tokens_user ON account_tokens(user_id, purpose);"
    "CREATE INDEX account_tokens_expires ON account_tokens(expires_at);"
    "CREATE TABLE mail_outbox ("
    "  id INTEGER PRIMARY KEY,"
    "  recipient TEXT NOT NULL,"
    "  message TEXT NOT NULL,"
    "  state INTEGER NOT NULL DEFAULT 0,"
    "  attempts INTEGER NOT NULL DEFAULT 0,"
    "  next_at INTEGER NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  finished_at INTEGER NOT NULL DEFAULT 0,"
    "  last_error TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX mail_outbox_due ON mail_outbox(next_at, id) WHERE state = 0;"
    "CREATE INDEX mail_outbox_recipient ON mail_outbox(recipient, created_at);",
    /* 6: notification pacing: when each reader was last mailed about each
     * thread (thread_id 0: the pending queue, for staff). */
    "CREATE TABLE notify_threads ("
    "  user_id INTEGER NOT NULL REFERENCES users(id),"
    "  thread_id INTEGER NOT NULL,"
    "  last_at INTEGER NOT NULL,"
    "  PRIMARY KEY (user_id, thread_id)) WITHOUT ROWID;"
    "CREATE INDEX user_mail_queue ON user_mail(notify_queue) WHERE notify_queue > 0;",
    /* 7: the webhook outbox: state 0 pending, 1 delivered, 2 failed (gave
     * up); a pending event is not tried before next_at. */
    "CREATE TABLE webhook_outbox ("
    "  id INTEGER PRIMARY KEY,"
    "  event TEXT NOT NULL,"
    "  payload TEXT NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  state INTEGER NOT NULL DEFAULT 0,"
    "  attempts INTEGER NOT NULL DEFAULT 0,"
    "  next_at INTEGER NOT NULL,"
    "  last_at INTEGER NOT NULL DEFAULT 0,"
    "  last_status INTEGER NOT NULL DEFAULT 0,"
    "  last_error TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX webhook_outbox_due ON webhook_outbox(next_at, id) WHERE state = 0;"
    "CREATE INDEX webhook_outbox_done ON webhook_outbox(last_at) WHERE state <> 0;",
    /* 8: what imported records became (parley import), so an import
     * interrupted or run twice stores each record once. */
    "CREATE TABLE import_map ("
    "  kind TEXT NOT NULL,"
    "  ext_id TEXT NOT NULL,"
    "  local_id INTEGER NOT NULL,"
    "  PRIMARY KEY (kind, ext_id)) WITHOUT ROWID;",
    /* 9: the desk's people and articles pages: notes between moderators
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
    /* 10: the desk's search: an FTS5 index of the comments' bodies with
     * external content (the text stays in comments alone), filled from the
     * comments there are and kept in step by triggers, so no write path can
     * forget it. A deleted comment's body becomes '' and leaves the index
     * with its words. unicode61 folds case and, with remove_diacritics 2,
     * accents. */
    "CREATE VIRTUAL TABLE comments_fts USING fts5(body, content='comments',"
    "  content_rowid='id', tokenize='unicode61 remove_diacritics 2');"
    "INSERT INTO comments_fts(comments_fts) VALUES ('rebuild');"
    "CREATE TRIGGER comments_fts_insert AFTER INSERT ON comments"
    "  BEGIN INSERT INTO comments_fts(rowid, body) VALUES (NEW.id, NEW.body); END;"
    "CREATE TRIGGER comments_fts_update AFTER UPDATE OF body ON comments"
    "  WHEN OLD.body IS NOT NEW.body"
    "  BEGIN INSERT INTO comments_fts(comments_fts, rowid, body)"
    "        VALUES ('delete', OLD.id, OLD.body);"
    "        INSERT INTO comments_fts(rowid, body) VALUES (NEW.id, NEW.body); END;"
    "CREATE TRIGGER comments_fts_delete AFTER DELETE ON comments"
    "  BEGIN INSERT INTO comments_fts(comments_fts, rowid, body)"
    "        VALUES ('delete', OLD.id, OLD.body); END;",
    /* 11: the language a user chose for the desk and the server's pages
     * (a code of web/i18n/site/, '' when none: Accept-Language decides). */
    "ALTER TABLE users ADD COLUMN language TEXT NOT NULL DEFAULT '';",
    /* 12: the desk's numbers (store_stats_get): comments by status and
     * time, decisions by comment and by time, flags by time, the log by
     * action and time. */
    "CREATE INDEX comments_status_created ON comments(status, created_at);"
    "CREATE INDEX decisions_comment ON decisions(comment_id, at);"
    "CREATE INDEX decisions_at ON decisions(at);"
    "CREATE INDEX flags_created ON flags(created_at);"
    "CREATE INDEX modlog_action_at ON modlog(action, at);",
    /* 13: proof-of-work solutions used (api/pow.c), by their challenge,
     * until the challenge expires, so that no node of a cluster accepts one
     * twice. */
    "CREATE TABLE pow_spent ("
    "  challenge TEXT PRIMARY KEY,"
    "  expires_at INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE INDEX pow_spent_expires ON pow_spent(expires_at);",
    /* 14: the site's settings edited in the desk (store_settings_*): every
     * version kept, the newest one in force; body is a JSON object of the
     * settings that override the config file. */
    "CREATE TABLE settings ("
    "  version INTEGER PRIMARY KEY,"
    "  at INTEGER NOT NULL,"
    "  actor_id INTEGER REFERENCES users(id) ON DELETE SET NULL,"
    "  body TEXT NOT NULL);",
    /* 15: several sites in one server (store_site_*, docs/SITES.md). Site 1
     * is the one every existing article and request belongs to; its
     * origins add to the config file's. The articles of another site are
     * kept under "ID/" + their id (ids cannot hold '/'), so nothing that
     * exists changes. */
    "CREATE TABLE sites ("
    "  id INTEGER PRIMARY KEY,"
    "  slug TEXT NOT NULL UNIQUE,"
    "  name TEXT NOT NULL,"
    "  origins TEXT NOT NULL DEFAULT '',"
    "  created_at INTEGER NOT NULL);"
    "INSERT INTO sites (id, slug, name, origins, created_at)"
    "  VALUES (1, 'default', 'Default site', '',"
    "          CAST(strftime('%s', 'now') AS INTEGER) * 1000);",
    /* 16: people by their whole name (the log's moderator and author
     * filters given a name: store_users_search's exact_name). */
    "CREATE INDEX users_lower_name ON users(lower(name));",
    /* 17: the desk's numbers kept up to date by triggers (docs/STORAGE.md,
     * "The numbers' summary tables"), so that a year of them is read from a
     * few thousand rows, not counted from every comment: first the tables
     * and the triggers that add their rows into stats_daily, then every
     * table filled from the data there is, then the triggers on the data. */
    "CREATE TABLE stats_daily ("
    "  kind INTEGER NOT NULL,"
    "  day INTEGER NOT NULL,"
    "  n INTEGER NOT NULL,"
    "  PRIMARY KEY (kind, day)) WITHOUT ROWID;"
    "CREATE TABLE stats_span ("
    "  comment_id INTEGER PRIMARY KEY,"
    "  p_in INTEGER, p_out INTEGER, f_in INTEGER, f_out INTEGER);"
    "CREATE TABLE stats_decision ("
    "  decision_id INTEGER PRIMARY KEY,"
    "  day INTEGER NOT NULL,"
    "  wait INTEGER NOT NULL,"
    "  rejected INTEGER NOT NULL);"
    "CREATE INDEX stats_decision_day ON stats_decision(day, wait, rejected);"
    "CREATE TABLE stats_engine ("
    "  log_id INTEGER PRIMARY KEY,"
    "  comment_id INTEGER NOT NULL,"
    "  at INTEGER NOT NULL,"
    "  kind INTEGER NOT NULL,"
    "  verdict INTEGER NOT NULL);"
    "CREATE INDEX stats_engine_comment ON stats_engine(comment_id);"
    "CREATE TABLE stats_flags ("
    "  day INTEGER NOT NULL,"
    "  reason TEXT NOT NULL,"
    "  outcome INTEGER NOT NULL,"
    "  n INTEGER NOT NULL,"
    "  PRIMARY KEY (day, reason, outcome)) WITHOUT ROWID;",
    /* 18: the site each log entry is about (LOG_SITE), so the desk's log
     * shows one site's entries through modlog_site. The log is
     * append-only: its update trigger is dropped for the backfill and made
     * again. */
    /* clang-format off */
    "DROP TRIGGER modlog_no_update;"
    "ALTER TABLE modlog ADD COLUMN site INTEGER;"
    "UPDATE modlog SET site = " LOG_SITE("modlog.target_type", "modlog.target_id") ";"
    "CREATE TRIGGER modlog_no_update BEFORE UPDATE ON modlog"
    "  BEGIN SELECT RAISE(ABORT, 'modlog is append-only'); END;"
    "CREATE INDEX modlog_site ON modlog(site, id);",
    /* clang-format on */
    /* 19: each site's own settings over the server's (store_site_settings_*,
     * docs/SITES.md): versioned per site as settings is; the default site's
     * are the server's, in settings. */
    "CREATE TABLE site_settings ("
    "  site_id INTEGER NOT NULL REFERENCES sites(id),"
    "  version INTEGER NOT NULL,"
    "  at INTEGER NOT NULL,"
    "  actor_id INTEGER REFERENCES users(id) ON DELETE SET NULL,"
    "  body TEXT NOT NULL,"
    "  PRIMARY KEY (site_id, version)) WITHOUT ROWID;",
    /* 20: moderators limited to some sites (store_moderator_sites): a
     * moderator without rows moderates every site. */
    "CREATE TABLE site_moderators ("
    "  user_id INTEGER NOT NULL REFERENCES users(id),"
    "  site_id INTEGER NOT NULL REFERENCES sites(id),"
    "  PRIMARY KEY (user_id, site_id)) WITHOUT ROWID;",
    /* 21: the numbers' summary tables by site (docs/STORAGE.md): migration
     * 17's triggers dropped, the per-comment tables given their comment's
     * site, the day tables counted again by site from them, then the
     * triggers made again keeping the site (migration_21_more). */
    "DROP TRIGGER stats_span_insert; DROP TRIGGER stats_span_update;"
    "DROP TRIGGER stats_span_delete; DROP TRIGGER stats_engine_insert;"
    "DROP TRIGGER stats_engine_update; DROP TRIGGER stats_comments_insert;"
    "DROP TRIGGER stats_comments_update; DROP TRIGGER stats_comments_delete;"
    "DROP TRIGGER stats_decisions_insert; DROP TRIGGER stats_decisions_update;"
    "DROP TRIGGER stats_flags_insert; DROP TRIGGER stats_flags_update;"
    "DROP TRIGGER stats_flags_delete; DROP TRIGGER stats_modlog_insert;",
    /* 22: the desk's people by role (ST_USERS_BY_ROLE): (role, rowid), so
     * the moderators are found without walking every reader. */
    "CREATE INDEX users_role ON users(role);",
    /* 23: the desk's people by a part of a name or address
     * (ST_USERS_TRIGRAM): an FTS5 trigram index over the users' names and
     * addresses, external content like comments_fts, filled from the users
     * there are and kept in step by triggers. It folds case (Unicode), so
     * it finds at least what the LIKE it narrows finds. */
    "CREATE VIRTUAL TABLE users_trgm USING fts5(name, email, content='users',"
    "  content_rowid='id', tokenize='trigram');"
    "INSERT INTO users_trgm(users_trgm) VALUES ('rebuild');"
    "CREATE TRIGGER users_trgm_insert AFTER INSERT ON users BEGIN"
    "  INSERT INTO users_trgm(rowid, name, email) VALUES (NEW.id, NEW.name, NEW.email); END;"
    "CREATE TRIGGER users_trgm_update AFTER UPDATE OF name, email ON users"
    "  WHEN OLD.name IS NOT NEW.name OR OLD.email IS NOT NEW.email BEGIN"
    "  INSERT INTO users_trgm(users_trgm, rowid, name, email)"
    "    VALUES ('delete', OLD.id, OLD.name, OLD.email);"
    "  INSERT INTO users_trgm(rowid, name, email) VALUES (NEW.id, NEW.name, NEW.email); END;"
    "CREATE TRIGGER users_trgm_delete AFTER DELETE ON users BEGIN"
    "  INSERT INTO users_trgm(users_trgm, rowid, name, email)"
    "    VALUES ('delete', OLD.id, OLD.name, OLD.email); END;",
    /* 24: the people by site of a big site (ST_USERS_SEARCH and the
     * others with ?9 > 1): whether a user wrote there is one probe of
     * (author_id, article_id) over the site's key range, and their
     * comments there are counted from the index alone, instead of
     * reading each of their comments' rows. */
    "CREATE INDEX comments_author_article ON comments(author_id, article_id);",
    /* 25: the search index filled once per transaction instead of once per
     * comment. FTS5 writes its pending terms out as a new segment at every
     * savepoint, and the writer runs each job in one (server/jobs.c), so
     * every POST wrote a segment of one document that the automerge then
     * merged again. A new comment's id now waits in comments_fts_pending,
     * and sq_commit / op_end index every waiting comment with its body as
     * it is then, in one statement outside any savepoint, just before the
     * COMMIT (fts_flush): readers only ever see committed states, where
     * the table is empty. A comment still waiting is left to that flush by
     * the edit and delete triggers (it has nothing in the index to take
     * out); a deleted one is simply not found by it. */
    "CREATE TABLE comments_fts_pending (id INTEGER PRIMARY KEY);"
    "DROP TRIGGER comments_fts_insert;"
    "DROP TRIGGER comments_fts_update;"
    "DROP TRIGGER comments_fts_delete;"
    "CREATE TRIGGER comments_fts_insert AFTER INSERT ON comments"
    "  BEGIN INSERT OR IGNORE INTO comments_fts_pending (id) VALUES (NEW.id); END;"
    "CREATE TRIGGER comments_fts_update AFTER UPDATE OF body ON comments"
    "  WHEN OLD.body IS NOT NEW.body"
    "  AND NOT EXISTS (SELECT 1 FROM comments_fts_pending p WHERE p.id = OLD.id)"
    "  BEGIN INSERT INTO comments_fts(comments_fts, rowid, body)"
    "        VALUES ('delete', OLD.id, OLD.body);"
    "        INSERT INTO comments_fts(rowid, body) VALUES (NEW.id, NEW.body); END;"
    "CREATE TRIGGER comments_fts_delete AFTER DELETE ON comments"
    "  WHEN NOT EXISTS (SELECT 1 FROM comments_fts_pending p WHERE p.id = OLD.id)"
    "  BEGIN INSERT INTO comments_fts(comments_fts, rowid, body)"
    "        VALUES ('delete', OLD.id, OLD.body); END;",
    /* 26: each comment's repeat key (store_fold_key, docs/STORAGE.md): the
     * hash and length of its body's folded text and the fold's version,
     * NULL for the comments written before (their bodies are folded when
     * needed, so nothing is filled in). The author index carries the key,
     * so the repeated-comment check reads an author's last minutes from
     * the index alone, and the table row only for a key that matches; it
     * replaces comments_author (author_id, created_at), whose every use it
     * serves, so a write still updates one index for the author. The id
     * comes before the key so that the index keeps the order (created_at,
     * id) the reads sort by (no sort step). */
    "ALTER TABLE comments ADD COLUMN fold_hash INTEGER;"
    "ALTER TABLE comments ADD COLUMN fold_len INTEGER;"
    "ALTER TABLE comments ADD COLUMN fold_ver INTEGER;"
    "CREATE INDEX comments_author_fold"
    "  ON comments(author_id, created_at, id, fold_ver, fold_len, fold_hash);"
    "DROP INDEX comments_author;",
    /* 27: one author index fewer on every insert (docs/STORAGE.md, "One
     * author index"). A group commit writes one leaf page of each index per
     * author it touches, and comments_author_article (24) was the second
     * one keyed by author: it goes. Its uses move to the two that stay,
     * each given the column it lacked: the author index carries the
     * article key at its end, so a user's comments on a site are counted
     * and found from it alone (among all of the user's entries, not a
     * probe of the site's range), and comments_article_status carries the
     * author after the status, so the thread page's "an own pending comment
     * here" is one probe. */
    "DROP INDEX comments_author_fold;"
    "CREATE INDEX comments_author_fold"
    "  ON comments(author_id, created_at, id, fold_ver, fold_len, fold_hash, article_id);"
    "DROP INDEX comments_article_status;"
    "CREATE INDEX comments_article_status ON comments(article_id, status, author_id);"
    "DROP INDEX comments_author_article;",
};
#define MIGRATIONS ((int)(sizeof migrations / sizeof migrations[0]))

/* Migrations longer than a C string may be (4095 characters): the further
 * statements of migration 17, run after migrations[16] in its transaction. */
/* clang-format off */
static const char *const migration_17_more[] = {
    "CREATE TRIGGER stats_span_insert AFTER INSERT ON stats_span BEGIN " STATS_SPAN_ADD(
        "NEW", "1") " END;",
    "CREATE TRIGGER stats_span_update AFTER UPDATE ON stats_span BEGIN " STATS_SPAN_ADD(
        "OLD", "(-1)") STATS_SPAN_ADD("NEW", "1") " END;",
    "CREATE TRIGGER stats_span_delete AFTER DELETE ON stats_span BEGIN " STATS_SPAN_ADD(
        "OLD", "(-1)") " END;",
    "CREATE TRIGGER stats_engine_insert AFTER INSERT ON stats_engine BEGIN " STATS_ENGINE_ADD(
        "NEW", "1") " END;",
    "CREATE TRIGGER stats_engine_update AFTER UPDATE ON stats_engine BEGIN " STATS_ENGINE_ADD(
        "OLD", "-1") STATS_ENGINE_ADD("NEW", "1") " END;",
    "INSERT INTO stats_daily (kind, day, n) SELECT status, created_at / 86400000, count(*)"
    "  FROM comments WHERE status BETWEEN 0 AND 4 GROUP BY 1, 2;",
    "INSERT INTO stats_span (comment_id, p_in, p_out, f_in, f_out)" STATS_SPAN_SELECT
    " FROM (" STATS_SPAN_INNER " WHERE c.id IN (SELECT id FROM comments WHERE status = 1"
    "  UNION SELECT comment_id FROM decisions WHERE prev_status = 1"
    "  UNION SELECT comment_id FROM flags))"
    " WHERE status = 1 OR t IS NOT NULL OR fi IS NOT NULL;",
    "INSERT INTO stats_decision (decision_id, day, wait, rejected) " STATS_DECISION_SELECT
    "  WHERE " STATS_DECISION_KEPT ";",
    "INSERT INTO stats_engine (log_id, comment_id, at, kind, verdict)"
    " SELECT m.id, CAST(m.target_id AS INTEGER), m.at," STATS_ENGINE_KIND("m.action") ","
    STATS_VERDICT("CAST(m.target_id AS INTEGER)", "m.at")
    " FROM modlog m WHERE m.target_type = 'comment' AND"
    STATS_ENGINE_ACTION("m.action", "m.reason") ";",
    "INSERT INTO stats_flags (day, reason, outcome, n)"
    "  SELECT f.created_at / 86400000, f.reason, f.outcome, count(*) FROM flags f"
    "  JOIN users u ON u.id = f.user_id WHERE u.kind <> 3 GROUP BY 1, 2, 3;",
    "CREATE TRIGGER stats_comments_insert AFTER INSERT ON comments BEGIN " STATS_ADD(
        "NEW.status", "NEW.created_at / 86400000", "1", "NEW.status BETWEEN 0 AND 4")
        STATS_SPAN_REFRESH("NEW.id") " END;",
    "CREATE TRIGGER stats_comments_update AFTER UPDATE OF status, created_at ON comments"
    "  WHEN OLD.status IS NOT NEW.status OR OLD.created_at IS NOT NEW.created_at BEGIN " STATS_ADD(
        "OLD.status", "OLD.created_at / 86400000", "-1", "OLD.status BETWEEN 0 AND 4")
        STATS_ADD("NEW.status", "NEW.created_at / 86400000", "1", "NEW.status BETWEEN 0 AND 4")
            STATS_SPAN_REFRESH("NEW.id") " END;",
    "CREATE TRIGGER stats_comments_delete AFTER DELETE ON comments BEGIN " STATS_ADD(
        "OLD.status", "OLD.created_at / 86400000", "-1",
        "OLD.status BETWEEN 0 AND 4") "  DELETE FROM stats_span WHERE comment_id = OLD.id;"
                                      "  DELETE FROM stats_decision WHERE decision_id IN"
                                      "   (SELECT id FROM decisions WHERE comment_id = OLD.id); "
                                      "END;",
    "CREATE TRIGGER stats_decisions_insert AFTER INSERT ON decisions BEGIN " STATS_DECISION_REFRESH(
        "NEW.id") STATS_SPAN_REFRESH("NEW.comment_id")
        STATS_ENGINE_REFRESH("NEW.comment_id") " END;",
    "CREATE TRIGGER stats_decisions_update AFTER UPDATE ON decisions BEGIN " STATS_DECISION_REFRESH(
        "NEW.id") STATS_SPAN_REFRESH("NEW.comment_id")
        STATS_ENGINE_REFRESH("NEW.comment_id") " END;",
    "CREATE TRIGGER stats_flags_insert AFTER INSERT ON flags BEGIN " STATS_FLAG_ADD("NEW", "1")
        STATS_SPAN_REFRESH("NEW.comment_id") STATS_DECISION_REFRESH("NEW.decision_id") " END;",
    "CREATE TRIGGER stats_flags_update AFTER UPDATE ON flags BEGIN " STATS_FLAG_ADD("OLD", "-1")
        STATS_FLAG_ADD("NEW", "1") STATS_SPAN_REFRESH("NEW.comment_id")
            STATS_DECISION_REFRESH("OLD.decision_id")
                STATS_DECISION_REFRESH("NEW.decision_id") " END;",
    "CREATE TRIGGER stats_flags_delete AFTER DELETE ON flags BEGIN " STATS_FLAG_ADD("OLD", "-1")
        STATS_SPAN_REFRESH("OLD.comment_id") STATS_DECISION_REFRESH("OLD.decision_id") " END;",
    "CREATE TRIGGER stats_modlog_insert AFTER INSERT ON modlog"
    "  WHEN NEW.target_type = 'comment' AND " STATS_ENGINE_ACTION(
        "NEW.action",
        "NEW.reason") " BEGIN INSERT INTO stats_engine (log_id, comment_id, at, kind, verdict)"
                      "  VALUES (NEW.id, CAST(NEW.target_id AS INTEGER), "
                      "NEW.at, " STATS_ENGINE_KIND("NEW.action") ", " STATS_VERDICT(
                          "CAST(NEW.target_id AS INTEGER)", "NEW.at") "); END;",
    NULL,
};
/* clang-format on */
/* The further statements of migration 21. The comments of a site other
 * than the default are found through their article keys ("N/...": a digit
 * first, comments_top_time); the default site's counts are the old ones
 * less those. */
/* clang-format off */
#define STATS_OTHER_SITES                                                                          \
    " SELECT id, article_id, status, created_at FROM comments"                                     \
    " WHERE article_id >= '1' AND article_id < ':' AND instr(article_id, '/') > 0"
static const char *const migration_21_more[] = {
    "ALTER TABLE stats_span ADD COLUMN site INTEGER NOT NULL DEFAULT 1;",
    "ALTER TABLE stats_decision ADD COLUMN site INTEGER NOT NULL DEFAULT 1;",
    "ALTER TABLE stats_engine ADD COLUMN site INTEGER NOT NULL DEFAULT 1;",
    "CREATE TEMP TABLE stats_other AS SELECT id, " SITE_OF_KEY("article_id") " AS site,"
    " status, created_at FROM (" STATS_OTHER_SITES ");",
    "CREATE UNIQUE INDEX temp.stats_other_id ON stats_other(id);",
    "UPDATE stats_span SET site = (SELECT o.site FROM stats_other o"
    " WHERE o.id = stats_span.comment_id)"
    " WHERE comment_id IN (SELECT id FROM stats_other);",
    "UPDATE stats_engine SET site = (SELECT o.site FROM stats_other o"
    " WHERE o.id = stats_engine.comment_id)"
    " WHERE comment_id IN (SELECT id FROM stats_other);",
    "UPDATE stats_decision SET site = (SELECT o.site FROM decisions d JOIN stats_other o"
    " ON o.id = d.comment_id WHERE d.id = stats_decision.decision_id)"
    " WHERE decision_id IN (SELECT d.id FROM decisions d JOIN stats_other o"
    " ON o.id = d.comment_id);",
    "DROP INDEX stats_decision_day;",
    "CREATE INDEX stats_decision_day ON stats_decision(day, wait, rejected, site);",
    "ALTER TABLE stats_daily RENAME TO stats_daily_old;",
    "CREATE TABLE stats_daily ("
    "  kind INTEGER NOT NULL,"
    "  site INTEGER NOT NULL,"
    "  day INTEGER NOT NULL,"
    "  n INTEGER NOT NULL,"
    "  PRIMARY KEY (kind, day, site)) WITHOUT ROWID;",
    /* The comments by status: the default site's are every site's less the
     * other sites'. */
    "INSERT INTO stats_daily (kind, site, day, n)"
    " SELECT status, site, created_at / 86400000, count(*) FROM stats_other"
    " WHERE status BETWEEN 0 AND 4 GROUP BY 1, 2, 3;",
    "INSERT INTO stats_daily (kind, site, day, n)"
    " SELECT o.kind, 1, o.day, o.n - coalesce((SELECT sum(x.n) FROM stats_daily x"
    "  WHERE x.kind = o.kind AND x.day = o.day AND x.site <> 1), 0)"
    " FROM stats_daily_old o WHERE o.kind BETWEEN 0 AND 4;",
    "DROP TABLE stats_daily_old;",
    "INSERT INTO stats_daily (kind, site, day, n) SELECT kind, site, day, sum(n) FROM ("
    " SELECT 10 AS kind, site, p_in / 86400000 AS day, 1 AS n FROM stats_span"
    "  WHERE p_in IS NOT NULL"
    " UNION ALL SELECT 10, site, p_out / 86400000, -1 FROM stats_span WHERE p_out IS NOT NULL"
    " UNION ALL SELECT 11, site, f_in / 86400000, 1 FROM stats_span WHERE f_in IS NOT NULL"
    " UNION ALL SELECT 11, site, f_out / 86400000, -1 FROM stats_span WHERE f_out IS NOT NULL"
    " UNION ALL SELECT 20 + 3 * kind + verdict, site, at / 86400000, 1 FROM stats_engine)"
    " GROUP BY 1, 2, 3;",
    "DROP TABLE stats_flags;",
    "CREATE TABLE stats_flags ("
    "  day INTEGER NOT NULL,"
    "  site INTEGER NOT NULL,"
    "  reason TEXT NOT NULL,"
    "  outcome INTEGER NOT NULL,"
    "  n INTEGER NOT NULL,"
    "  PRIMARY KEY (day, reason, outcome, site)) WITHOUT ROWID;",
    "INSERT INTO stats_flags (day, site, reason, outcome, n)"
    "  SELECT f.created_at / 86400000, coalesce(o.site, 1), f.reason, f.outcome, count(*)"
    "  FROM flags f JOIN users u ON u.id = f.user_id"
    "  LEFT JOIN stats_other o ON o.id = f.comment_id"
    "  WHERE u.kind <> 3 GROUP BY 1, 2, 3, 4;",
    "DROP TABLE stats_other;",
    "CREATE TRIGGER stats_span_insert AFTER INSERT ON stats_span BEGIN " STATS_SSPAN_ADD(
        "NEW", "1") " END;",
    "CREATE TRIGGER stats_span_update AFTER UPDATE ON stats_span BEGIN " STATS_SSPAN_ADD(
        "OLD", "(-1)") STATS_SSPAN_ADD("NEW", "1") " END;",
    "CREATE TRIGGER stats_span_delete AFTER DELETE ON stats_span BEGIN " STATS_SSPAN_ADD(
        "OLD", "(-1)") " END;",
    "CREATE TRIGGER stats_engine_insert AFTER INSERT ON stats_engine BEGIN " STATS_SENGINE_ADD(
        "NEW", "1") " END;",
    "CREATE TRIGGER stats_engine_update AFTER UPDATE ON stats_engine BEGIN " STATS_SENGINE_ADD(
        "OLD", "-1") STATS_SENGINE_ADD("NEW", "1") " END;",
    "CREATE TRIGGER stats_comments_insert AFTER INSERT ON comments BEGIN " STATS_SADD(
        "NEW.status", SITE_OF_KEY("NEW.article_id"), "NEW.created_at / 86400000", "1",
        "NEW.status BETWEEN 0 AND 4") STATS_SSPAN_REFRESH("NEW.id") " END;",
    "CREATE TRIGGER stats_comments_update AFTER UPDATE OF status, created_at ON comments"
    "  WHEN OLD.status IS NOT NEW.status OR OLD.created_at IS NOT NEW.created_at BEGIN " STATS_SADD(
        "OLD.status", SITE_OF_KEY("OLD.article_id"), "OLD.created_at / 86400000", "-1",
        "OLD.status BETWEEN 0 AND 4")
        STATS_SADD("NEW.status", SITE_OF_KEY("NEW.article_id"), "NEW.created_at / 86400000", "1",
                   "NEW.status BETWEEN 0 AND 4") STATS_SSPAN_REFRESH("NEW.id") " END;",
    "CREATE TRIGGER stats_comments_delete AFTER DELETE ON comments BEGIN " STATS_SADD(
        "OLD.status", SITE_OF_KEY("OLD.article_id"), "OLD.created_at / 86400000", "-1",
        "OLD.status BETWEEN 0 AND 4") "  DELETE FROM stats_span WHERE comment_id = OLD.id;"
                                      "  DELETE FROM stats_decision WHERE decision_id IN"
                                      "   (SELECT id FROM decisions WHERE comment_id = OLD.id); "
                                      "END;",
    "CREATE TRIGGER stats_decisions_insert AFTER INSERT ON decisions BEGIN " STATS_SDECISION_REFRESH(
        "NEW.id") STATS_SSPAN_REFRESH("NEW.comment_id")
        STATS_ENGINE_REFRESH("NEW.comment_id") " END;",
    "CREATE TRIGGER stats_decisions_update AFTER UPDATE ON decisions BEGIN " STATS_SDECISION_REFRESH(
        "NEW.id") STATS_SSPAN_REFRESH("NEW.comment_id")
        STATS_ENGINE_REFRESH("NEW.comment_id") " END;",
    "CREATE TRIGGER stats_flags_insert AFTER INSERT ON flags BEGIN " STATS_SFLAG_ADD("NEW", "1")
        STATS_SSPAN_REFRESH("NEW.comment_id") STATS_SDECISION_REFRESH("NEW.decision_id") " END;",
    "CREATE TRIGGER stats_flags_update AFTER UPDATE ON flags BEGIN " STATS_SFLAG_ADD("OLD", "-1")
        STATS_SFLAG_ADD("NEW", "1") STATS_SSPAN_REFRESH("NEW.comment_id")
            STATS_SDECISION_REFRESH("OLD.decision_id")
                STATS_SDECISION_REFRESH("NEW.decision_id") " END;",
    "CREATE TRIGGER stats_flags_delete AFTER DELETE ON flags BEGIN " STATS_SFLAG_ADD("OLD", "-1")
        STATS_SSPAN_REFRESH("OLD.comment_id") STATS_SDECISION_REFRESH("OLD.decision_id") " END;",
    "CREATE TRIGGER stats_modlog_insert AFTER INSERT ON modlog"
    "  WHEN NEW.target_type = 'comment' AND " STATS_ENGINE_ACTION(
        "NEW.action",
        "NEW.reason") " BEGIN INSERT INTO stats_engine (log_id, comment_id, at, kind, verdict, site)"
                      "  VALUES (NEW.id, CAST(NEW.target_id AS INTEGER), "
                      "NEW.at, " STATS_ENGINE_KIND("NEW.action") ", " STATS_VERDICT(
                          "CAST(NEW.target_id AS INTEGER)", "NEW.at") ","
                      STATS_SITE_OF("CAST(NEW.target_id AS INTEGER)") "); END;",
    NULL,
};
#undef STATS_OTHER_SITES
/* clang-format on */
static const struct {
    int version;
    const char *const *sql;
} migration_more[] = {{17, migration_17_more}, {21, migration_21_more}};

int
store_sqlite_schema_target(void)
{
    return MIGRATIONS;
}

/* ---- statements ------------------------------------------------------------ */

/* The article key col is of site ?N (docs/SITES.md); SITE_MATCH for a
 * comment's article. */
#define SITE_KEY_MATCH(col, n)                                                                     \
    "(CASE WHEN ?" n " = 1 THEN instr(" col ", '/') = 0"                                           \
    " ELSE substr(" col ", 1, length(?" n ") + 1) = ?" n " || '/' END)"
#define SITE_MATCH(n) " AND " SITE_KEY_MATCH("c.article_id", n)
/* The article keys of site ?N, N > 1, as a range of the key's index. */
#define SITE_RANGE(col, n) col " >= ?" n " || '/' AND " col " < ?" n " || '0'"

#define USER_COLS                                                                                  \
    "u.id, u.email, u.name, u.pw_hash, u.role, u.created_at, u.banned, u.banned_until,"            \
    " u.ban_reason, u.deleted, u.kind, u.language"

/* ?1 is always the viewer (0 = anonymous; no user has id 0). */
#define COMMENT_COLS                                                                               \
    "c.id, c.article_id, c.parent_id, c.root_id, c.author_id, u.name, c.body, c.html,"             \
    " c.moderation, c.status, c.featured, c.created_at, c.edited_at, c.likes,"                     \
    " EXISTS (SELECT 1 FROM likes l WHERE l.comment_id = c.id AND l.user_id = ?1),"                \
    " (SELECT count(*) FROM comments r WHERE r.parent_id = c.id AND r.status = 0),"                \
    " c.mod_reason, u.role"
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

#define OUTBOX_COLS                                                                                \
    "id, event, payload, created_at, state, attempts, next_at, last_at, last_status, last_error"

enum {
    ST_PING,
    ST_BEGIN,
    ST_BEGIN_READ,
    ST_COMMIT,
    ST_FTS_FLUSH,
    ST_FTS_PENDING_CLEAR,
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
    ST_USER_SET_LANGUAGE,
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
    ST_COMMENT_INSERT_TOP,
    ST_COMMENT_LAST_ID,
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
    ST_BY_AUTHOR_LIGHT,
    ST_BY_AUTHOR_REPEAT,
    ST_LIKE_INSERT,
    ST_LIKE_DELETE,
    ST_FLAG_INSERT,
    ST_FLAG_GROUPS,
    ST_FLAG_REVIEWED,
    ST_QUEUE_STATUS,
    ST_QUEUE_FLAGGED,
    ST_QUEUE_STATUS_SITE,
    ST_QUEUE_FLAGGED_SITE,
    ST_QUEUE_STATUS_RANGE,
    ST_QUEUE_FLAGGED_RANGE,
    ST_SITE_COUNT,
    ST_QUEUE_COUNTS_SITE,
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
    ST_LOG_QUERY_AUTHOR,
    ST_LOG_QUERY_ACTOR,
    ST_LOG_QUERY_AUTO,
    ST_LOG_QUERY_ARTICLE,
    ST_LOG_QUERY_SITE,
    ST_MOD_SITES,
    ST_MOD_SITES_CLEAR,
    ST_MOD_SITES_ADD,
    ST_MUTE_INSERT,
    ST_MUTE_DELETE,
    ST_MUTES_LIST,
    ST_VIEWER_LAYER,
    ST_FLAGS_BY_USER,
    ST_LIKES_BY_USER,
    ST_USER_DELETE,
    ST_USER_DELETE_SESSIONS,
    ST_USER_DELETE_MUTES,
    ST_USER_REMOVE_COMMENTS,
    ST_SSO_JTI_PURGE,
    ST_SSO_JTI_INSERT,
    ST_POW_PURGE,
    ST_POW_SPEND,
    ST_SSO_SUBJECT,
    ST_SSO_LINK,
    ST_SSO_UPDATE_NAME,
    ST_SSO_UPDATE_EMAIL,
    ST_USER_MAIL_GET,
    ST_USER_MAIL_SET,
    ST_USER_SET_PASSWORD,
    ST_USER_END_SESSIONS,
    ST_TOKENS_SPEND_RESET,
    ST_TOKEN_INSERT,
    ST_TOKEN_PURGE,
    ST_TOKEN_USE,
    ST_TOKEN_SPEND,
    ST_MAIL_RECENT,
    ST_MAIL_INSERT,
    ST_MAIL_PURGE,
    ST_MAIL_CLAIM,
    ST_MAIL_NEXT_DUE,
    ST_MAIL_FINISH,
    ST_NOTIFY_ONCE,
    ST_QUEUE_WATCHERS,
    ST_STAFF_LIST,
    ST_COMMENT_REVIEWED,
    ST_EMAIL_BAN_SET,
    ST_EMAIL_BAN_GET,
    ST_OUTBOX_ADD,
    ST_OUTBOX_CLAIM,
    ST_OUTBOX_NEXT,
    ST_OUTBOX_RECORD,
    ST_OUTBOX_LIST,
    ST_OUTBOX_PURGE,
    ST_EXPORT_USERS,
    ST_EXPORT_ARTICLES,
    ST_EXPORT_COMMENTS,
    ST_EXPORT_LOG,
    ST_IMPORT_MAP_GET,
    ST_IMPORT_MAP_PUT,
    ST_EXPORT_FLAGS,
    ST_EXPORT_LIKES,
    ST_FLAG_RESTORE,
    ST_LIKE_RESTORE,
    ST_USERS_SEARCH,
    ST_USERS_BY_NAME,
    ST_USERS_BY_ROLE,
    ST_USERS_TRIGRAM,
    ST_USERS_SITE_SMALL,
    ST_NOTE_ADD,
    ST_NOTES_LIST,
    ST_FLAGS_GIVEN,
    ST_FLAGS_RECEIVED,
    ST_LOG_ABOUT,
    ST_ARTICLES_LIST,
    ST_ARTICLES_CLOSE_BEFORE,
    ST_SEARCH_TEXT,
    ST_SEARCH_TEXT_AUTHOR,
    ST_SEARCH_TEXT_ARTICLE,
    ST_SEARCH_COUNT_AUTHOR,
    ST_SEARCH_COUNT_ARTICLE,
    ST_SEARCH_AUTHOR,
    ST_SEARCH_ARTICLE,
    ST_SEARCH_STATUS,
    ST_SEARCH_ALL,
    ST_SEARCH_RANGE,
    ST_SEARCH_TEXT_RANGE_FEW,
    ST_SEARCH_TEXT_RANGE,
    ST_STATS_COMMENTS,
    ST_STATS_PENDING,
    ST_STATS_FLAGGED,
    ST_STATS_DECISIONS,
    ST_STATS_FLAGS,
    ST_STATS_ENGINE,
    ST_STATS_R_COMMENTS, /* the same six from the summary tables, in the same order */
    ST_STATS_R_PENDING,
    ST_STATS_R_FLAGGED,
    ST_STATS_R_DECISIONS,
    ST_STATS_R_FLAGS,
    ST_STATS_R_ENGINE,
    ST_SETTINGS_GET,
    ST_SETTINGS_PUT,
    ST_SITE_SETTINGS_GET,
    ST_SITE_SETTINGS_PUT,
    ST_SITE_SETTINGS_LIST,
    ST_SITES_LIST,
    ST_SITE_CREATE,
    ST_SITE_UPDATE,
    ST_COUNT
};

/* A queue's row: the day a comment came in (-1 before the range) and the
 * day it left (?3, the number of days, while it is still queued). */
#define STATS_DAY_IN "CASE WHEN t_in < ?1 THEN -1 ELSE (t_in - ?1) / 86400000 END"
#define STATS_DAY_OUT                                                                              \
    "CASE WHEN t_out IS NULL OR t_out >= ?2 THEN ?3 ELSE (t_out - ?1) / 86400000 END"

static const char *const sql[ST_COUNT] = {
    [ST_PING] = "SELECT count(*) FROM schema_version",
    [ST_BEGIN] = "BEGIN IMMEDIATE",
    [ST_BEGIN_READ] = "BEGIN",
    [ST_COMMIT] = "COMMIT",
    [ST_FTS_FLUSH] = "INSERT INTO comments_fts(rowid, body) SELECT c.id, c.body"
                     " FROM comments_fts_pending p JOIN comments c ON c.id = p.id",
    [ST_FTS_PENDING_CLEAR] = "DELETE FROM comments_fts_pending",
    [ST_ROLLBACK] = "ROLLBACK",
    [ST_SAVEPOINT] = "SAVEPOINT job",
    [ST_RELEASE] = "RELEASE job",
    [ST_ROLLBACK_TO] = "ROLLBACK TO job",
    [ST_OP_SAVEPOINT] = "SAVEPOINT op",
    [ST_OP_RELEASE] = "RELEASE op",
    [ST_OP_ROLLBACK_TO] = "ROLLBACK TO op",
    [ST_USER_INSERT] = "INSERT INTO users (email, name, pw_hash, role, created_at, banned,"
                       " banned_until, ban_reason, deleted, kind) VALUES (?1, ?2, ?3, ?4, ?5, ?6,"
                       " ?7, ?8, ?9, ?10)",
    [ST_USER_BY_ID] = "SELECT " USER_COLS " FROM users u WHERE u.id = ?1",
    [ST_USER_BY_EMAIL] = "SELECT " USER_COLS " FROM users u WHERE u.email = ?1",
    [ST_USER_SET_BAN] = "UPDATE users SET banned = ?2, banned_until = ?3, ban_reason = ?4"
                        " WHERE id = ?1",
    [ST_USER_SET_ROLE] = "UPDATE users SET role = ?2 WHERE id = ?1",
    [ST_USER_SET_LANGUAGE] = "UPDATE users SET language = ?2 WHERE id = ?1",
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
                          " sensitive = CASE WHEN ?7 THEN ?8 ELSE sensitive END,"
                          " created_at = CASE WHEN ?9 > 0 THEN ?9 ELSE created_at END"
                          " WHERE id = ?1",
    [ST_ARTICLE_COUNT] = "SELECT comment_count FROM articles WHERE id = ?1",
    [ST_COMMENT_PARENT] = "SELECT article_id, root_id FROM comments WHERE id = ?1",
    [ST_COMMENT_INSERT] = "INSERT INTO comments (article_id, parent_id, root_id, author_id, body,"
                          " html, moderation, status, featured, created_at, fold_hash,"
                          " fold_len, fold_ver)"
                          " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    /* A top-level comment's id, chosen before the insert as SQLite would
     * (the largest + 1), so that it is its own root from the start. */
    [ST_COMMENT_INSERT_TOP] =
        "INSERT INTO comments (id, article_id, parent_id, root_id, author_id,"
        " body, html, moderation, status, featured, created_at, fold_hash,"
        " fold_len, fold_ver)"
        " VALUES (?3, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    [ST_COMMENT_LAST_ID] = "SELECT max(id) FROM comments",
    [ST_COMMENT_SET_ROOT] = "UPDATE comments SET root_id = id WHERE id = ?1",
    [ST_COMMENT_GET] = "SELECT " COMMENT_COLS COMMENT_FROM " WHERE c.id = ?2",
    /* Never on a rejected or deleted comment: an edit cannot bring one back. */
    [ST_COMMENT_EDIT] = "UPDATE comments SET body = ?2, html = ?3, status = ?4, moderation = ?5,"
                        " edited_at = ?6, fold_hash = ?7, fold_len = ?8, fold_ver = ?9"
                        " WHERE id = ?1 AND status NOT IN (2, 3)",
    [ST_COMMENT_SET_STATUS] = "UPDATE comments SET status = ?2,"
                              " body = CASE WHEN ?2 = 3 THEN '' ELSE body END,"
                              " html = CASE WHEN ?2 = 3 THEN '' ELSE html END,"
                              " fold_hash = CASE WHEN ?2 = 3 THEN NULL ELSE fold_hash END,"
                              " fold_len = CASE WHEN ?2 = 3 THEN NULL ELSE fold_len END,"
                              " fold_ver = CASE WHEN ?2 = 3 THEN NULL ELSE fold_ver END"
                              " WHERE id = ?1",
    [ST_COMMENT_SET_FEATURED] = "UPDATE comments SET featured = ?2 WHERE id = ?1",
    [ST_COMMENT_LIKES] = "SELECT likes FROM comments WHERE id = ?1",
    [ST_PAGE_OLDEST] = PAGE("(c.created_at, c.id) > (?3, ?4)", "c.created_at, c.id"),
    [ST_PAGE_NEWEST] = PAGE("(c.created_at, c.id) < (?3, ?4)", "c.created_at DESC, c.id DESC"),
    [ST_PAGE_TOP] = PAGE("(c.likes, c.id) < (?3, ?4)", "c.likes DESC, c.id DESC"),
    [ST_THREAD] = "SELECT " COMMENT_COLS COMMENT_FROM " WHERE c.root_id = ?2 AND c.id <> ?2"
                  " ORDER BY c.id",
    [ST_BY_AUTHOR] = "SELECT " COMMENT_COLS COMMENT_FROM " WHERE c.author_id = ?2"
                     " AND c.created_at >= ?3 ORDER BY c.created_at DESC, c.id DESC LIMIT ?4",
    /* Without a wanted key: the body only from ?3 on. SQLite seeks the
     * table row only for a column the index (comments_author_fold:
     * author_id, created_at and the key) lacks, so the other rows are read
     * from the index alone. */
    [ST_BY_AUTHOR_LIGHT] = "SELECT id, created_at, CASE WHEN created_at >= ?3 THEN body END,"
                           " fold_hash, fold_len, fold_ver"
                           " FROM comments WHERE author_id = ?1 AND created_at >= ?4"
                           " ORDER BY created_at DESC, id DESC LIMIT ?2",
    /* The same with a wanted key (?5, ?6, ?7: hash, len, ver; never NULL
     * here), for the repeated-comment check: of the
     * newest ?2 (read from the index alone, comments_author_fold), only the
     * comments whose key is not of ?7's version or equals (?5, ?6), each
     * with its body from ?3 on (one seek of its table row). The others
     * cannot match, and are not handed out at all: in the 64-reader bench
     * that is every one of the 50 (bench/RESULTS.md, 2026-12-05, "The
     * 64-reader POST's loops"). Without the outer ORDER BY the co-routine's order would
     * be an accident of the plan; the sort is of the few candidates. */
    [ST_BY_AUTHOR_REPEAT] =
        "SELECT id, created_at, CASE WHEN created_at >= ?3 THEN"
        " (SELECT b.body FROM comments b WHERE b.id = w.id) END, fold_hash, fold_len, fold_ver"
        " FROM (SELECT id, created_at, fold_hash, fold_len, fold_ver FROM comments"
        " WHERE author_id = ?1 AND created_at >= ?4 ORDER BY created_at DESC, id DESC LIMIT ?2) w"
        " WHERE fold_ver IS NOT ?7 OR (fold_hash = ?5 AND fold_len = ?6)"
        " ORDER BY created_at DESC, id DESC",
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
    /* The same for one site (docs/SITES.md): site 1's articles have no
     * "N/" prefix, site N's have it. */
    [ST_QUEUE_STATUS_SITE] =
        "SELECT " COMMENT_COLS COMMENT_FROM
        " WHERE c.status = ?2 AND c.id > ?3" SITE_MATCH("5") " ORDER BY c.id LIMIT ?4",
    [ST_QUEUE_FLAGGED_SITE] = "SELECT " COMMENT_COLS COMMENT_FROM " WHERE c.status IN (0, 4)"
                              " AND c.id > ?2 AND c.id IN (SELECT f.comment_id FROM flags f"
                              " WHERE f.reviewed = 0)" SITE_MATCH("4") " ORDER BY c.id LIMIT ?3",
    /* The same for a site other than the default whose comments are few
     * (SITE_DRIVE_MAX): driven by the site's article key range
     * ('N/' <= article_id < 'N0') through comments_article_status, whose
     * entries hold the status and the id, so only the page's ids are sorted
     * and only the page's rows are read. */
    [ST_QUEUE_STATUS_RANGE] =
        "SELECT " COMMENT_COLS COMMENT_FROM " WHERE c.id IN (SELECT g.id FROM comments g"
        " INDEXED BY comments_article_status WHERE " SITE_RANGE(
            "g.article_id",
            "5") " AND g.status = ?2 AND g.id > ?3 ORDER BY g.id LIMIT ?4) ORDER BY c.id LIMIT ?4",
    [ST_QUEUE_FLAGGED_RANGE] =
        "SELECT " COMMENT_COLS COMMENT_FROM " WHERE c.id IN (SELECT g.id FROM comments g"
        " INDEXED BY comments_article_status WHERE " SITE_RANGE(
            "g.article_id",
            "4") " AND g.status IN (0, 4) AND g.id > ?2 AND EXISTS (SELECT 1 FROM flags f"
                 " WHERE f.comment_id = g.id AND f.reviewed = 0) ORDER BY g.id LIMIT ?3)"
                 " ORDER BY c.id LIMIT ?3",
    /* How many comments site ?1 (not the default) has, counted up to ?2;
     * with ?3 >= 0 only those of that status, -1 any but deleted, -2 all. */
    [ST_SITE_COUNT] =
        "SELECT count(*) FROM (SELECT 1 FROM comments g"
        " INDEXED BY comments_article_status WHERE " SITE_RANGE(
            "g.article_id",
            "1") " AND (?3 = -2 OR (?3 = -1 AND g.status <> 3) OR g.status = ?3) LIMIT ?2)",
    /* One site's: its rows of the summary tables (migration 21). */
    [ST_QUEUE_COUNTS_SITE] =
        "SELECT (SELECT coalesce(sum(n), 0) FROM stats_daily WHERE kind = 1 AND site = ?1),"
        " (SELECT coalesce(sum(n), 0) FROM stats_daily WHERE kind = 11 AND site = ?1),"
        " (SELECT coalesce(sum(n), 0) FROM stats_daily WHERE kind = 2 AND site = ?1)",
    [ST_LOG_APPEND] = "INSERT INTO modlog (at, actor_id, action, target_type, target_id, reason,"
                      " site) VALUES (?1, ?2, ?3, ?4, ?5, ?6, " LOG_SITE("?4", "?5") ")",
    [ST_LOG_LIST] = "SELECT id, at, actor_id, action, target_type, target_id, reason FROM modlog"
                    " WHERE id < ?1 ORDER BY id DESC LIMIT ?2",
    /* Pending and rejected comments, and comments in the flagged queue:
     * sums of the summary tables' days (migration 17). */
    [ST_QUEUE_COUNTS] = "SELECT (SELECT coalesce(sum(n), 0) FROM stats_daily WHERE kind = 1),"
                        " (SELECT coalesce(sum(n), 0) FROM stats_daily WHERE kind = 11),"
                        " (SELECT coalesce(sum(n), 0) FROM stats_daily WHERE kind = 2)",
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
     * ?5 article or NULL, ?7 site or 0 (LOG_SITE). */
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
                     " AND (?7 = 0 OR site = ?7) ORDER BY id DESC LIMIT ?6",
    /* The same with an author (?4 <> 0) or an article (?5) named: the
     * entries are gathered from the person's or the article's comments
     * through modlog_target instead of checking every entry's comment. */
    [ST_LOG_QUERY_AUTHOR] =
        "SELECT id, at, actor_id, action, target_type, target_id, reason FROM modlog m"
        " WHERE id IN (SELECT id FROM modlog WHERE target_type = 'user'"
        "   AND target_id = CAST(?4 AS TEXT)"
        "  UNION ALL SELECT g.id FROM comments c JOIN modlog g ON g.target_type = 'comment'"
        "   AND g.target_id = CAST(c.id AS TEXT) WHERE c.author_id = ?4)"
        " AND id < ?1 AND (?2 = 0 OR (?2 = -1 AND actor_id IS NULL) OR actor_id = ?2)"
        " AND (?3 IS NULL OR action = ?3)"
        " AND (?5 IS NULL OR (target_type = 'comment' AND EXISTS (SELECT 1 FROM comments c"
        "   WHERE c.id = CAST(m.target_id AS INTEGER) AND c.article_id = ?5)))"
        " AND (?7 = 0 OR site = ?7) ORDER BY id DESC LIMIT ?6",
    /* A moderator (?2 > 0) or the engine (?2 = -1) alone: through
     * modlog_actor (actor_id, id), not past every other entry. */
    [ST_LOG_QUERY_ACTOR] =
        "SELECT id, at, actor_id, action, target_type, target_id, reason FROM modlog m"
        " WHERE actor_id = ?2 AND id < ?1 AND (?3 IS NULL OR action = ?3)"
        " AND ?4 = 0 AND ?5 IS NULL AND (?7 = 0 OR site = ?7) ORDER BY id DESC LIMIT ?6",
    [ST_LOG_QUERY_AUTO] =
        "SELECT id, at, actor_id, action, target_type, target_id, reason FROM modlog m"
        " WHERE actor_id IS NULL AND ?2 = -1 AND id < ?1"
        " AND (?3 IS NULL OR action = ?3) AND ?4 = 0 AND ?5 IS NULL"
        " AND (?7 = 0 OR site = ?7) ORDER BY id DESC LIMIT ?6",
    [ST_MOD_SITES] = "SELECT site_id FROM site_moderators WHERE user_id = ?1 ORDER BY site_id"
                     " LIMIT 1000",
    [ST_MOD_SITES_CLEAR] = "DELETE FROM site_moderators WHERE user_id = ?1",
    [ST_MOD_SITES_ADD] = "INSERT OR IGNORE INTO site_moderators (user_id, site_id)"
                         " SELECT ?1, id FROM sites WHERE id = ?2",
    /* One site's entries alone: through modlog_site (site, id). */
    [ST_LOG_QUERY_SITE] =
        "SELECT id, at, actor_id, action, target_type, target_id, reason FROM modlog m"
        " WHERE site = ?7 AND id < ?1 AND ?2 = 0 AND (?3 IS NULL OR action = ?3)"
        " AND ?4 = 0 AND ?5 IS NULL ORDER BY id DESC LIMIT ?6",
    [ST_LOG_QUERY_ARTICLE] =
        "SELECT id, at, actor_id, action, target_type, target_id, reason FROM modlog m"
        " WHERE id IN (SELECT id FROM modlog WHERE target_type = 'article' AND target_id = ?5"
        "  UNION ALL SELECT g.id FROM comments c JOIN modlog g ON g.target_type = 'comment'"
        "   AND g.target_id = CAST(c.id AS TEXT) WHERE c.article_id = ?5)"
        " AND id < ?1 AND (?2 = 0 OR (?2 = -1 AND actor_id IS NULL) OR actor_id = ?2)"
        " AND (?3 IS NULL OR action = ?3) AND ?4 = 0"
        " AND (?7 = 0 OR site = ?7) ORDER BY id DESC LIMIT ?6",
    [ST_MUTE_INSERT] = "INSERT OR IGNORE INTO mutes (user_id, muted_id, created_at)"
                       " VALUES (?1, ?2, ?3)",
    [ST_MUTE_DELETE] = "DELETE FROM mutes WHERE user_id = ?1 AND muted_id = ?2",
    /* The personal layer of a thread page (store_viewer_layer_get): kind 1 a
     * liked comment of the article, 2 a muted author, 3 an own pending
     * comment there exists. */
    [ST_VIEWER_LAYER] =
        "SELECT 1, l.comment_id FROM likes l JOIN comments c ON c.id = l.comment_id"
        " WHERE l.user_id = ?1 AND c.article_id = ?2"
        " UNION ALL SELECT 2, muted_id FROM mutes WHERE user_id = ?1"
        " UNION ALL SELECT 3, 0 WHERE EXISTS (SELECT 1 FROM comments WHERE article_id = ?2"
        " AND status = 1 AND author_id = ?1) ORDER BY 1, 2",
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
    [ST_USER_REMOVE_COMMENTS] = "UPDATE comments SET status = 3, body = '', html = '',"
                                " fold_hash = NULL, fold_len = NULL, fold_ver = NULL"
                                " WHERE author_id = ?1 AND status <> 3",
    [ST_SSO_JTI_PURGE] = "DELETE FROM sso_jti WHERE expires_at < ?1",
    [ST_SSO_JTI_INSERT] = "INSERT INTO sso_jti (jti, expires_at) VALUES (?1, ?2)",
    [ST_SETTINGS_GET] = "SELECT version, at, actor_id, body FROM settings"
                        " ORDER BY version DESC LIMIT 1",
    /* Only on top of the version the writer read: two admins saving at
     * once cannot both win. */
    [ST_SETTINGS_PUT] = "INSERT INTO settings (version, at, actor_id, body)"
                        " SELECT ?1 + 1, ?2, ?3, ?4"
                        " WHERE (SELECT COALESCE(MAX(version), 0) FROM settings) = ?1"
                        " ON CONFLICT (version) DO NOTHING",
    [ST_SITE_SETTINGS_GET] = "SELECT site_id, version, at, actor_id, body FROM site_settings"
                             " WHERE site_id = ?1 ORDER BY version DESC LIMIT 1",
    [ST_SITE_SETTINGS_PUT] =
        "INSERT INTO site_settings (site_id, version, at, actor_id, body)"
        " SELECT ?1, ?2 + 1, ?3, ?4, ?5"
        " WHERE (SELECT COALESCE(MAX(version), 0) FROM site_settings WHERE site_id = ?1) = ?2"
        " ON CONFLICT (site_id, version) DO NOTHING",
    [ST_SITE_SETTINGS_LIST] =
        "SELECT s.site_id, s.version, s.at, s.actor_id, s.body"
        " FROM site_settings s WHERE s.version ="
        " (SELECT MAX(version) FROM site_settings t WHERE t.site_id = s.site_id)"
        " ORDER BY s.site_id LIMIT ?1",
    [ST_SITES_LIST] = "SELECT id, slug, name, origins, created_at FROM sites ORDER BY id",
    [ST_SITE_CREATE] =
        "INSERT INTO sites (slug, name, origins, created_at) VALUES (?1, ?2, ?3, ?4)",
    [ST_SITE_UPDATE] = "UPDATE sites SET name = coalesce(?2, name), origins = coalesce(?3, origins)"
                       " WHERE id = ?1",
    [ST_POW_PURGE] = "DELETE FROM pow_spent WHERE expires_at < ?1",
    [ST_POW_SPEND] = "INSERT INTO pow_spent (challenge, expires_at) VALUES (?1, ?2)"
                     " ON CONFLICT (challenge) DO NOTHING",
    [ST_SSO_SUBJECT] = "SELECT s.user_id FROM sso_subjects s WHERE s.sub = ?1",
    [ST_SSO_LINK] = "INSERT OR REPLACE INTO sso_subjects (sub, user_id) VALUES (?1, ?2)",
    [ST_SSO_UPDATE_NAME] = "UPDATE users SET name = ?2 WHERE id = ?1 AND role = 0",
    [ST_SSO_UPDATE_EMAIL] = "UPDATE OR IGNORE users SET email = ?2 WHERE id = ?1 AND role = 0",
    [ST_USER_MAIL_GET] = "SELECT email_verified, notify_replies, notify_moderation, notify_queue"
                         " FROM user_mail WHERE user_id = ?1",
    [ST_USER_MAIL_SET] = "INSERT INTO user_mail (user_id, email_verified, notify_replies,"
                         " notify_moderation, notify_queue) VALUES (?1, ?2, ?3, ?4, ?5)"
                         " ON CONFLICT (user_id) DO UPDATE SET"
                         " email_verified = excluded.email_verified,"
                         " notify_replies = excluded.notify_replies,"
                         " notify_moderation = excluded.notify_moderation,"
                         " notify_queue = excluded.notify_queue",
    [ST_USER_SET_PASSWORD] = "UPDATE users SET pw_hash = ?2 WHERE id = ?1 AND deleted = 0",
    [ST_USER_END_SESSIONS] =
        "DELETE FROM sessions WHERE user_id = ?1 AND (?2 IS NULL OR hash <> ?2)",
    [ST_TOKENS_SPEND_RESET] = "UPDATE account_tokens SET used_at = ?2"
                              " WHERE user_id = ?1 AND purpose = 1 AND used_at = 0",
    [ST_TOKEN_INSERT] =
        "INSERT INTO account_tokens (hash, user_id, purpose, created_at, expires_at)"
        " VALUES (?1, ?2, ?3, ?4, ?5)",
    [ST_TOKEN_PURGE] = "DELETE FROM account_tokens WHERE expires_at <= ?1",
    [ST_TOKEN_USE] = "SELECT t.user_id, t.used_at FROM account_tokens t JOIN users u"
                     " ON u.id = t.user_id WHERE t.hash = ?1 AND t.purpose = ?2"
                     " AND t.expires_at > ?3 AND u.deleted = 0",
    [ST_TOKEN_SPEND] = "UPDATE account_tokens SET used_at = ?2 WHERE hash = ?1 AND used_at = 0",
    [ST_MAIL_RECENT] = "SELECT count(*) FROM mail_outbox WHERE recipient = ?1 AND created_at > ?2",
    [ST_MAIL_INSERT] = "INSERT INTO mail_outbox (recipient, message, next_at, created_at)"
                       " VALUES (?1, ?2, ?3, ?3)",
    [ST_MAIL_PURGE] = "DELETE FROM mail_outbox WHERE state <> 0 AND finished_at < ?1",
    [ST_MAIL_CLAIM] = "UPDATE mail_outbox SET next_at = ?2, attempts = attempts + 1"
                      " WHERE id = (SELECT id FROM mail_outbox WHERE state = 0 AND next_at <= ?1"
                      " ORDER BY next_at, id LIMIT 1)"
                      " RETURNING id, recipient, message, attempts, created_at",
    [ST_MAIL_NEXT_DUE] = "SELECT coalesce(min(next_at), 0) FROM mail_outbox WHERE state = 0",
    [ST_MAIL_FINISH] = "UPDATE mail_outbox SET state = ?2, next_at = ?3, last_error = ?4,"
                       " finished_at = CASE WHEN ?2 = 0 THEN 0 ELSE ?5 END WHERE id = ?1",
    [ST_NOTIFY_ONCE] =
        "INSERT INTO notify_threads (user_id, thread_id, last_at) VALUES (?1, ?2, ?3)"
        " ON CONFLICT (user_id, thread_id) DO UPDATE SET last_at = excluded.last_at"
        " WHERE notify_threads.last_at <= ?3 - ?4",
    [ST_QUEUE_WATCHERS] = "SELECT " USER_COLS " FROM users u JOIN user_mail m ON m.user_id = u.id"
                          " WHERE m.notify_queue > 0 AND m.notify_queue <= ?1 AND u.role >= 1"
                          " AND u.deleted = 0 ORDER BY u.id",
    [ST_STAFF_LIST] = "SELECT " USER_COLS " FROM users u WHERE u.role >= 1 AND u.deleted = 0"
                      " ORDER BY u.id",
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
    [ST_OUTBOX_ADD] = "INSERT INTO webhook_outbox (event, payload, created_at, next_at)"
                      " VALUES (?1, ?2, ?3, ?3)",
    [ST_OUTBOX_CLAIM] = "UPDATE webhook_outbox SET next_at = ?2 WHERE id = (SELECT id FROM"
                        " webhook_outbox WHERE state = 0 AND next_at <= ?1 ORDER BY next_at, id"
                        " LIMIT 1) RETURNING " OUTBOX_COLS,
    [ST_OUTBOX_NEXT] = "SELECT min(next_at) FROM webhook_outbox WHERE state = 0",
    [ST_OUTBOX_RECORD] = "UPDATE webhook_outbox SET state = ?2, attempts = ?3, next_at = ?4,"
                         " last_at = ?5, last_status = ?6, last_error = ?7 WHERE id = ?1",
    [ST_OUTBOX_LIST] = "SELECT " OUTBOX_COLS " FROM webhook_outbox WHERE id < ?1"
                       " ORDER BY id DESC LIMIT ?2",
    [ST_OUTBOX_PURGE] = "DELETE FROM webhook_outbox WHERE state <> 0 AND last_at < ?1",
    [ST_EXPORT_USERS] = "SELECT " USER_COLS " FROM users u WHERE u.id > ?1 ORDER BY u.id LIMIT ?2",
    [ST_EXPORT_ARTICLES] = "SELECT id, title, url, text, status, sensitive, comment_count,"
                           " created_at FROM articles WHERE id > ?1 ORDER BY id LIMIT ?2",
    [ST_EXPORT_COMMENTS] = "SELECT " COMMENT_COLS COMMENT_FROM " WHERE c.id > ?2"
                           " ORDER BY c.id LIMIT ?3",
    [ST_EXPORT_LOG] = "SELECT id, at, actor_id, action, target_type, target_id, reason FROM modlog"
                      " WHERE id > ?1 ORDER BY id LIMIT ?2",
    [ST_IMPORT_MAP_GET] = "SELECT local_id FROM import_map WHERE kind = ?1 AND ext_id = ?2",
    [ST_IMPORT_MAP_PUT] = "INSERT INTO import_map (kind, ext_id, local_id) VALUES (?1, ?2, ?3)",
    [ST_EXPORT_FLAGS] = "SELECT id, comment_id, user_id, reason, note, created_at, reviewed,"
                        " outcome FROM flags WHERE id > ?1 ORDER BY id LIMIT ?2",
    [ST_EXPORT_LIKES] = "SELECT comment_id, user_id, created_at FROM likes"
                        " WHERE (comment_id, user_id) > (?1, ?2) ORDER BY comment_id, user_id"
                        " LIMIT ?3",
    [ST_FLAG_RESTORE] = "INSERT INTO flags (comment_id, user_id, reason, note, created_at,"
                        " reviewed, outcome) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [ST_LIKE_RESTORE] = "INSERT OR IGNORE INTO likes (comment_id, user_id, created_at)"
                        " VALUES (?1, ?2, ?3)",
/* ?2 pattern or NULL, ?3 role or -1, ?4 banned only, ?5 now, ?6 since,
 * ?7 exact name or NULL, ?9 site or 0 (people with a comment there; their
 * comments there counted, from the author index alone, which carries the
 * article key since migration 27): the default site's (keys without '/')
 * and a big one's by asking each user, among their entries in
 * comments_author_fold, as enough of the users wrote there; a small one's
 * (SITE_DRIVE_MAX) by ST_USERS_SITE_SMALL. */
#define USERS_SITE_COUNT " AND (?9 = 0 OR " SITE_KEY_MATCH("c.article_id", "9") ")"
#define USERS_SITE                                                                                 \
    " AND (?9 = 0 OR (?9 = 1 AND EXISTS (SELECT 1 FROM comments c WHERE c.author_id = u.id"        \
    " AND instr(c.article_id, '/') = 0)) OR (?9 > 1 AND EXISTS (SELECT 1 FROM comments c"          \
    " WHERE c.author_id = u.id AND " SITE_RANGE("c.article_id", "9") ")))"
#define USERS_REST                                                                                 \
    " AND (?2 IS NULL OR u.name LIKE ?2 ESCAPE '\\' OR u.email LIKE ?2 ESCAPE '\\')"               \
    " AND (?3 < 0 OR u.role = ?3)"                                                                 \
    " AND (?4 = 0 OR (u.banned = 1 AND (u.banned_until = 0 OR u.banned_until > ?5)))"              \
    " AND u.created_at >= ?6"
    [ST_USERS_SEARCH] = "SELECT " USER_COLS ", (SELECT count(*) FROM comments c"
                        " WHERE c.author_id = u.id" USERS_SITE_COUNT ") FROM users u"
                        " WHERE u.deleted = 0 AND u.id < ?1" USERS_SITE USERS_REST
                        " AND (?7 IS NULL OR lower(u.name) = lower(?7))"
                        " ORDER BY u.id DESC LIMIT ?8",
    /* The same with a role (?3): through users_role (role, rowid), so a
     * role few people have is not looked for among every user. */
    [ST_USERS_BY_ROLE] =
        "SELECT " USER_COLS ", (SELECT count(*) FROM comments c"
        " WHERE c.author_id = u.id" USERS_SITE_COUNT ") FROM users u"
        " INDEXED BY users_role WHERE u.role = ?3 AND u.deleted = 0"
        " AND u.id < ?1" USERS_SITE USERS_REST " AND (?7 IS NULL OR lower(u.name) = lower(?7))"
        " ORDER BY u.id DESC LIMIT ?8",
    /* The same with a part of a name or address of 3 characters or more
     * (?11, store_trigram_phrase): the trigram index's matches walked
     * newest first, each checked with the LIKE (?2) as without it. */
    [ST_USERS_TRIGRAM] =
        "SELECT " USER_COLS ", (SELECT count(*) FROM comments c"
        " WHERE c.author_id = u.id" USERS_SITE_COUNT ") FROM users_trgm"
        " JOIN users u ON u.id = users_trgm.rowid"
        " WHERE users_trgm MATCH ?11 AND users_trgm.rowid < ?1"
        " AND u.deleted = 0" USERS_SITE USERS_REST " AND (?7 IS NULL OR lower(u.name) = lower(?7))"
        " ORDER BY users_trgm.rowid DESC LIMIT ?8",
    /* The same with exact_name (?7): through users_lower_name. */
    [ST_USERS_BY_NAME] =
        "SELECT " USER_COLS ", (SELECT count(*) FROM comments c"
        " WHERE c.author_id = u.id" USERS_SITE_COUNT ") FROM users u"
        " WHERE lower(u.name) = lower(?7) AND u.deleted = 0 AND u.id < ?1" USERS_SITE
        " AND (?2 IS NULL OR u.name LIKE ?2 ESCAPE '\\'"
        "  OR u.email LIKE ?2 ESCAPE '\\')"
        " AND (?3 < 0 OR u.role = ?3)"
        " AND (?4 = 0 OR (u.banned = 1 AND (u.banned_until = 0"
        "  OR u.banned_until > ?5)))"
        " AND u.created_at >= ?6 ORDER BY u.id DESC LIMIT ?8",
    /* The people of a small site (?9 > 1, SITE_DRIVE_MAX): its comments'
     * authors gathered from its key range first, then only their rows read,
     * instead of walking every user to find the few who wrote there. */
    [ST_USERS_SITE_SMALL] =
        "SELECT " USER_COLS ", (SELECT count(*) FROM comments c"
        " WHERE c.author_id = u.id" USERS_SITE_COUNT ") FROM users u"
        " WHERE u.id IN (SELECT c.author_id FROM comments c INDEXED BY comments_article_status"
        "  WHERE " SITE_RANGE(
            "c.article_id",
            "9") ") AND u.deleted = 0 AND u.id < ?1" USERS_REST
                 " AND (?7 IS NULL OR lower(u.name) = lower(?7)) ORDER BY u.id DESC LIMIT ?8",
#undef USERS_REST
#undef USERS_SITE
#undef USERS_SITE_COUNT
    [ST_NOTE_ADD] = "INSERT INTO user_notes (user_id, author_id, body, created_at)"
                    " VALUES (?1, ?2, ?3, ?4)",
    [ST_NOTES_LIST] = "SELECT n.id, n.user_id, n.author_id, u.name, n.body, n.created_at"
                      " FROM user_notes n JOIN users u ON u.id = n.author_id"
                      " WHERE n.user_id = ?1 ORDER BY n.id DESC LIMIT ?2",
#define FLAG_DETAIL                                                                                \
    "SELECT f.id, f.comment_id, f.user_id, fu.name, c.author_id, au.name, f.reason, f.note,"       \
    " f.created_at, f.outcome FROM flags f JOIN comments c ON c.id = f.comment_id"                 \
    " JOIN users fu ON fu.id = f.user_id JOIN users au ON au.id = c.author_id"
    /* ?3 a site (0: every site's). */
    [ST_FLAGS_GIVEN] = FLAG_DETAIL " WHERE f.user_id = ?1 AND (?3 = 0 OR " SITE_KEY_MATCH(
        "c.article_id", "3") ") ORDER BY f.id DESC LIMIT ?2",
    [ST_FLAGS_RECEIVED] = FLAG_DETAIL " WHERE c.author_id = ?1 AND (?3 = 0 OR " SITE_KEY_MATCH(
        "c.article_id", "3") ") ORDER BY f.id DESC LIMIT ?2",
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
                         " AND (?6 = 0 OR " SITE_KEY_MATCH(
                             "a.id", "6") ")"
                                          " ORDER BY a.created_at DESC, a.id DESC LIMIT ?5",
    [ST_ARTICLES_CLOSE_BEFORE] = "UPDATE articles SET status = 2 WHERE status <> 2"
                                 " AND created_at < ?1"
                                 " AND (?2 = 0 OR " SITE_KEY_MATCH("id", "2") ") RETURNING id",
/* The desk's search: ?2 the FTS5 query or NULL, ?3 ids below it, ?4 author
 * or 0, ?5 article or NULL, ?6 status or -1 (any but deleted), ?7 limit,
 * ?8 site or 0 (every site).
 * One statement per index that drives it, the one that narrows most: the
 * words (FTS5 walks its matches newest first), else the author's, the
 * article's or the status's comments, else every id backwards. */
#define SEARCH_STATUS "(CASE WHEN ?6 < 0 THEN c.status <> 3 ELSE c.status = ?6 END)"
#define SEARCH_SITE " AND (?8 = 0 OR " SITE_KEY_MATCH("c.article_id", "8") ")"
#define SEARCH_REST                                                                                \
    " AND (?4 = 0 OR c.author_id = ?4) AND (?5 IS NULL OR c.article_id = ?5) AND " SEARCH_STATUS   \
        SEARCH_SITE
    [ST_SEARCH_TEXT] = "SELECT " COMMENT_COLS " FROM comments_fts"
                       " JOIN comments c ON c.id = comments_fts.rowid"
                       " JOIN users u ON u.id = c.author_id"
                       " WHERE comments_fts MATCH ?2 AND comments_fts.rowid < ?3" SEARCH_REST
                       " ORDER BY comments_fts.rowid DESC LIMIT ?7",
    /* Words with an author or an article whose comments are few (see
     * SEARCH_DRIVE_MAX): driven by those comments, FTS5 asked about each
     * one, instead of walking every match of common words. */
    [ST_SEARCH_TEXT_AUTHOR] =
        "SELECT " COMMENT_COLS COMMENT_FROM " WHERE c.author_id = ?4 AND c.id < ?3"
        " AND EXISTS (SELECT 1 FROM comments_fts WHERE comments_fts MATCH ?2"
        "  AND comments_fts.rowid = c.id)" SEARCH_REST " ORDER BY c.id DESC LIMIT ?7",
    [ST_SEARCH_TEXT_ARTICLE] =
        "SELECT " COMMENT_COLS COMMENT_FROM " WHERE c.article_id = ?5 AND c.id < ?3"
        " AND EXISTS (SELECT 1 FROM comments_fts WHERE comments_fts MATCH ?2"
        "  AND comments_fts.rowid = c.id)" SEARCH_REST " ORDER BY c.id DESC LIMIT ?7",
    [ST_SEARCH_COUNT_AUTHOR] = "SELECT count(*) FROM (SELECT 1 FROM comments WHERE author_id = ?1"
                               " LIMIT ?2)",
    [ST_SEARCH_COUNT_ARTICLE] = "SELECT count(*) FROM (SELECT 1 FROM comments"
                                " WHERE article_id = ?1 LIMIT ?2)",
    [ST_SEARCH_AUTHOR] = "SELECT " COMMENT_COLS COMMENT_FROM " WHERE c.author_id = ?4"
                         " AND c.id < ?3 AND ?2 IS NULL" SEARCH_REST " ORDER BY c.id DESC LIMIT ?7",
    [ST_SEARCH_ARTICLE] =
        "SELECT " COMMENT_COLS COMMENT_FROM " WHERE c.article_id = ?5"
        " AND c.id < ?3 AND ?2 IS NULL" SEARCH_REST " ORDER BY c.id DESC LIMIT ?7",
    [ST_SEARCH_STATUS] =
        "SELECT " COMMENT_COLS COMMENT_FROM " WHERE c.status = ?6 AND c.id < ?3"
        " AND ?2 IS NULL AND ?4 = 0 AND ?5 IS NULL" SEARCH_SITE " ORDER BY c.id DESC LIMIT ?7",
    [ST_SEARCH_ALL] = "SELECT " COMMENT_COLS COMMENT_FROM " WHERE c.id < ?3 AND c.status <> 3"
                      " AND ?2 IS NULL AND ?4 = 0 AND ?5 IS NULL AND ?6 < 0" SEARCH_SITE
                      " ORDER BY c.id DESC LIMIT ?7",
/* A site other than the default with few comments (SITE_DRIVE_MAX):
 * its comments of the status from the key range, only the page's ids
 * sorted. */
#define SEARCH_RANGE_IDS                                                                           \
    "SELECT g.id FROM comments g INDEXED BY comments_article_status WHERE " SITE_RANGE(            \
        "g.article_id", "8") " AND g.id < ?3"                                                      \
                             " AND (CASE WHEN ?6 < 0 THEN g.status <> 3 ELSE g.status = ?6 END)"
    [ST_SEARCH_RANGE] = "SELECT " COMMENT_COLS COMMENT_FROM " WHERE c.id IN (" SEARCH_RANGE_IDS
                        " ORDER BY g.id DESC LIMIT ?7) AND ?2 IS NULL AND ?4 = 0 AND ?5 IS NULL"
                        " ORDER BY c.id DESC LIMIT ?7",
    /* Words on such a site with few comments of the status
     * (SEARCH_PROBE_MAX): the site's ids gathered, then walked newest
     * first (the IN list read backwards, no sort), FTS5 asked about each
     * until the page is full. */
    [ST_SEARCH_TEXT_RANGE_FEW] =
        "SELECT " COMMENT_COLS COMMENT_FROM " WHERE c.id IN (" SEARCH_RANGE_IDS ")"
        " AND EXISTS (SELECT 1 FROM comments_fts WHERE comments_fts MATCH ?2"
        "  AND comments_fts.rowid = c.id) AND ?4 = 0 AND ?5 IS NULL ORDER BY c.id DESC LIMIT ?7",
    /* Words on such a site with more: the words' matches walked newest
     * first, each tested against the site's ids gathered once (the unary +
     * keeps FTS5 from being asked about each id instead), so only the kept
     * matches' rows are read. */
    [ST_SEARCH_TEXT_RANGE] = "SELECT " COMMENT_COLS " FROM comments_fts"
                             " JOIN comments c ON c.id = comments_fts.rowid"
                             " JOIN users u ON u.id = c.author_id"
                             " WHERE comments_fts MATCH ?2 AND comments_fts.rowid < ?3"
                             " AND +comments_fts.rowid IN (" SEARCH_RANGE_IDS ")"
                             " AND ?4 = 0 AND ?5 IS NULL"
                             " ORDER BY comments_fts.rowid DESC LIMIT ?7",
#undef SEARCH_RANGE_IDS
#undef SEARCH_SITE
#undef SEARCH_REST
#undef SEARCH_STATUS
    /* The desk's numbers (store_stats_get): ?1 from, ?2 to, ?3 days. */
    [ST_STATS_COMMENTS] = "SELECT (created_at - ?1) / 86400000, status, 0, count(*) FROM comments"
                          " WHERE status IN (0, 1, 2, 3, 4) AND created_at >= ?1"
                          " AND created_at < ?2 GROUP BY 1, 2",
    /* A comment left the pending queue at the first standing decision
     * taken while it was pending. */
    [ST_STATS_PENDING] =
        "SELECT " STATS_DAY_IN ", " STATS_DAY_OUT ", 0, count(*) FROM"
        " (SELECT created_at AS t_in, CAST(NULL AS INTEGER) AS t_out FROM comments"
        "  WHERE status = 1 AND created_at < ?2"
        "  UNION ALL SELECT c.created_at, d.at FROM decisions d JOIN comments c ON c.id = "
        "d.comment_id"
        "  WHERE d.at >= ?1 AND d.prev_status = 1 AND d.undone = 0 AND c.status <> 1"
        "  AND c.created_at < ?2 AND NOT EXISTS (SELECT 1 FROM decisions e"
        "   WHERE e.comment_id = d.comment_id AND e.prev_status = 1 AND e.undone = 0"
        "   AND (e.at < d.at OR (e.at = d.at AND e.id < d.id)))) q GROUP BY 1, 2",
    /* Only comments with an open flag, or a flag closed in the range, can
     * be in the flagged queue in it. */
    [ST_STATS_FLAGGED] =
        "SELECT " STATS_DAY_IN ", " STATS_DAY_OUT ", 0, count(*) FROM"
        " (SELECT min(f.created_at) AS t_in, CASE WHEN min(f.reviewed) = 0 THEN NULL"
        "   ELSE max(coalesce(d.at, f.created_at)) END AS t_out"
        "  FROM flags f JOIN comments c ON c.id = f.comment_id"
        "  LEFT JOIN decisions d ON d.id = f.decision_id"
        "  WHERE f.comment_id IN (SELECT comment_id FROM flags WHERE reviewed = 0"
        "   UNION SELECT g.comment_id FROM decisions e JOIN flags g ON g.decision_id = e.id"
        "   WHERE e.at >= ?1)"
        "  AND f.created_at < ?2 AND (f.reviewed <> 0 OR c.status IN (0, 4))"
        "  GROUP BY f.comment_id) q WHERE t_out IS NULL OR t_out >= ?1 GROUP BY 1, 2",
    [ST_STATS_DECISIONS] =
        "SELECT (d.at - ?1) / 86400000, CASE WHEN d.action = 'reject' THEN 1 ELSE 0 END,"
        " d.at - coalesce((SELECT min(f.created_at) FROM flags f WHERE f.decision_id = d.id),"
        "  c.created_at), count(*)"
        " FROM decisions d JOIN comments c ON c.id = d.comment_id"
        " WHERE d.at >= ?1 AND d.at < ?2 AND d.undone = 0 AND d.action IN ('approve', 'reject')"
        " AND (d.prev_status <> 0 OR EXISTS (SELECT 1 FROM flags f WHERE f.decision_id = d.id))"
        " GROUP BY 1, 2, 3 ORDER BY 1, 3",
    [ST_STATS_FLAGS] = "SELECT (f.created_at - ?1) / 86400000, f.reason, f.outcome, count(*)"
                       " FROM flags f JOIN users u ON u.id = f.user_id"
                       " WHERE f.created_at >= ?1 AND f.created_at < ?2 AND u.kind <> 3"
                       " GROUP BY 1, 2, 3",
    [ST_STATS_ENGINE] =
        "SELECT (m.at - ?1) / 86400000, CASE m.action WHEN 'auto_hold' THEN 0"
        "  WHEN 'auto_review' THEN 2 ELSE 1 END,"
        " coalesce((SELECT CASE d.action WHEN 'approve' THEN 1 ELSE 2 END FROM decisions d"
        "  WHERE d.comment_id = CAST(m.target_id AS INTEGER) AND d.undone = 0"
        "  AND d.action IN ('approve', 'reject') AND d.at >= m.at"
        "  ORDER BY d.at DESC, d.id DESC LIMIT 1), 0), count(*)"
        " FROM modlog m WHERE m.at >= ?1 AND m.at < ?2 AND m.target_type = 'comment'"
        " AND m.action IN ('auto_hold', 'auto_reject', 'auto_reject_edit', 'auto_review')"
        " AND m.reason <> 'premoderated'"
        " GROUP BY 1, 2, 3",
/* The same from the summary tables (migration 17), for ranges of whole
 * UTC days: each queue's size before the range, then its net change
 * each day. */
#define STATS_DAYS " day >= ?1 / 86400000 AND day < ?2 / 86400000 AND (?4 = 0 OR site = ?4)"
    [ST_STATS_R_COMMENTS] = "SELECT day - ?1 / 86400000, kind, 0, n FROM stats_daily"
                            " WHERE kind BETWEEN 0 AND 4 AND" STATS_DAYS,
    [ST_STATS_R_PENDING] = "SELECT -1, ?3, 0, coalesce(sum(n), 0) FROM stats_daily"
                           " WHERE kind = 10 AND day < ?1 / 86400000 AND (?4 = 0 OR site = ?4)"
                           " UNION ALL SELECT day - ?1 / 86400000, ?3, 0, n FROM stats_daily"
                           " WHERE kind = 10 AND" STATS_DAYS,
    [ST_STATS_R_FLAGGED] = "SELECT -1, ?3, 0, coalesce(sum(n), 0) FROM stats_daily"
                           " WHERE kind = 11 AND day < ?1 / 86400000 AND (?4 = 0 OR site = ?4)"
                           " UNION ALL SELECT day - ?1 / 86400000, ?3, 0, n FROM stats_daily"
                           " WHERE kind = 11 AND" STATS_DAYS,
    /* One row per decision, in stats_decision_day's order: no GROUP BY,
     * whose result SQLite sorted again in a temporary b-tree for the
     * ORDER BY (25 of a year's 60 ms on 1,000,000 comments). */
    [ST_STATS_R_DECISIONS] = "SELECT day - ?1 / 86400000, rejected, wait, 1 FROM stats_decision"
                             " WHERE" STATS_DAYS " ORDER BY day, wait",
    [ST_STATS_R_FLAGS] = "SELECT day - ?1 / 86400000, reason, outcome, sum(n) FROM stats_flags"
                         " WHERE" STATS_DAYS " GROUP BY day, reason, outcome HAVING sum(n) <> 0",
    [ST_STATS_R_ENGINE] = "SELECT day - ?1 / 86400000, (kind - 20) / 3, (kind - 20) % 3, n"
                          " FROM stats_daily WHERE kind BETWEEN 20 AND 28 AND" STATS_DAYS,
#undef STATS_DAYS
};

typedef struct sq {
    struct store base; /* first: a store * is an sq * */
    sqlite3 *db;
    bool read_only;
    /* comments_fts_pending may hold rows in this connection's transaction
     * (fts_flush): set when a comment is inserted, when a savepoint is
     * rolled back to (it may bring back rows a flush inside it had taken)
     * and when the store is opened; cleared only by a flush that emptied
     * the table. A committed state never holds any, so a transaction
     * without a new comment has nothing to flush. */
    bool fts_pending;
    sqlite3_stmt *st[ST_COUNT]; /* prepared on first use */
} sq;

static sq *
to_sq(store *s)
{
    return (sq *)s;
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

/* A repeat key as three parameters from i on (hash, len, ver); NULLs for
 * none (k NULL or ver 0). */
static void
bind_fold(sqlite3_stmt *st, int i, const store_fold_key *k)
{
    if (k == NULL || k->ver == 0) {
        for (int p = 0; p < 3; p++) {
            int rc = sqlite3_bind_null(st, i + p);
            assert(rc == SQLITE_OK);
            (void)rc;
        }
        return;
    }
    bind_i64(st, i, (int64_t)k->hash);
    bind_i64(st, i + 1, k->len);
    bind_i64(st, i + 2, k->ver);
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

/* Indexes the comments waiting in comments_fts_pending (migration 25) and
 * empties it: run in the transaction just before its COMMIT, outside any
 * savepoint, so FTS5 writes the whole transaction's comments as one
 * segment. Nothing to do when no comment was inserted since the last flush
 * (q->fts_pending): then the two statements, and the search index's part
 * in the transaction (FTS5's begin, sync and commit), are left out. */
static int
fts_flush(sq *q, pl_error *err)
{
    if (!q->fts_pending)
        return 0;
    int rc = run_id(q, ST_FTS_FLUSH, err, "index comments");
    if (rc == 0 && (rc = run_id(q, ST_FTS_PENDING_CLEAR, err, "index comments")) == 0)
        q->fts_pending = false;
    return rc;
}

/* Ends the unit: commits when rc is 0, else undoes it and returns rc. */
static int
op_end(sq *q, bool outer, int rc, pl_error *err)
{
    if (rc == 0 && outer)
        rc = fts_flush(q, err);
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
    } else {
        q->fts_pending = true; /* the rollback may bring back flushed rows */
        if (run_id(q, ST_OP_ROLLBACK_TO, NULL, "rollback") == 0)
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
    int64_t found = -1;
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
        if (rc == 0 && found < 0)
            found = v; /* the version the database had when it was opened */
        if (rc == 0 && v > MIGRATIONS)
            rc = pl_errorf(err, PL_ESTORE,
                           "sqlite: database schema version %lld is newer than this program's %d",
                           (long long)v, MIGRATIONS);
        int64_t started = 0;
        if (rc == 0 && v < i + 1) {
            sqlite3_stmt *st = NULL;
            started = migration_starts("sqlite", found, i + 1);
            rc = exec_fixed(q, migrations[i], err, "migration");
            for (size_t m = 0; m < sizeof migration_more / sizeof migration_more[0]; m++)
                for (const char *const *p = migration_more[m].sql;
                     rc == 0 && migration_more[m].version == i + 1 && *p != NULL; p++)
                    rc = exec_fixed(q, *p, err, "migration");
            if (rc == 0 && sqlite3_prepare_v2(q->db, "INSERT INTO schema_version VALUES (?1, ?2)",
                                              -1, &st, NULL) != SQLITE_OK)
                rc = db_fail(q, err, "prepare");
            if (rc == 0) {
                bind_i64(st, 1, i + 1);
                bind_i64(st, 2, time_now_ms());
                if (sqlite3_step(st) != SQLITE_DONE)
                    rc = db_fail(q, err, "record migration");
            }
            sqlite3_finalize(st);
        }
        if (rc == 0)
            rc = exec_fixed(q, "COMMIT", err, "commit migration");
        if (rc == 0 && started != 0)
            migration_done("sqlite", i + 1, started);
        if (rc < 0) {
            if (!sqlite3_get_autocommit(q->db))
                sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
            return rc;
        }
    }
    return 0;
}

static const store_ops sqlite_ops;

/* The sub-journal's in-memory limit (store_sqlite_open's comment on
 * temp_store). SQLite's in-memory journal uses the limit as the size of
 * its one block, and when a job passes it, writes that block to a file in
 * one call; the unix VFS writes at most 0x1ffff bytes a call
 * (seekAndWriteFd masks the length), so a block of 128 KiB or more is cut
 * short and the statement fails with SQLITE_FULL ("database or disk is
 * full"; a limit of 1 MiB did that on 2026-12-06). 120 KiB holds a POST's
 * 76 KiB in one block and spills in writes the VFS takes whole. */
#define SUBJOURNAL_SPILL (120 * 1024)

/* Whether that limit is ours: sqlite3_config works only before SQLite is
 * first used in the process. Every command that writes through a store
 * first uses SQLite through it (backup.c's backup and restore use SQLite
 * alone, with no store), except `parley import isso`: it reads the Isso
 * database (import/isso.c, sqlite3_open_v2) before it opens the store it
 * writes to. There the limit can no longer change (spill_set stays false:
 * checked with gdb on 2026-12-06) and the writer falls back to
 * temp_store = MEMORY. */
static bool spill_set;

static void
spill_once(void)
{
    spill_set = sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL, SUBJOURNAL_SPILL) == SQLITE_OK;
}

int
store_sqlite_open(const char *path, bool read_only, store **out, pl_error *err)
{
    sq *q = xcalloc(1, sizeof *q);
    int rc = 0;
    int flags = read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;

    q->base.ops = &sqlite_ops;
    q->read_only = read_only;
    q->fts_pending = true;
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, spill_once);
    *out = NULL;
    /* The database holds e-mail addresses and password hashes: a new file
     * is made readable by its owner only. SQLite gives the -wal and -shm
     * files it creates beside it the same mode. An existing file keeps the
     * mode its owner chose. */
    if (!read_only && strcmp(path, ":memory:") != 0 && strncmp(path, "file:", 5) != 0) {
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd >= 0)
            close(fd);
        else if (errno != EEXIST) {
            rc = pl_errorf(err, PL_ESTORE, "sqlite open %s: %s", path, strerror(errno));
            goto fail;
        }
    }
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
        /* The writer runs every job in a savepoint (server/jobs.c), and
         * SQLite keeps the old image of each page a savepoint changes in a
         * sub-journal, which spills to a temporary file beyond
         * SQLITE_CONFIG_STMTJRNL_SPILL (64 KiB by default; opened, unlinked
         * and closed once per group commit). One POST changes about 19
         * pages (76 KiB), so with the default every group spilled and each
         * POST cost about 38 pwrite calls to a file nobody reads unless a
         * job is undone (bench/RESULTS.md, 2026-12-05). spill_once raises
         * the limit to SUBJOURNAL_SPILL (120 KiB) for the process: a job's
         * sub-journal is one block, allocated at its first change and freed
         * at its release, and a bigger one (an account removed with its
         * thousands of comments) spills to a file as before. A limit of
         * 128 KiB or more fails such jobs (SUBJOURNAL_SPILL's comment).
         * temp_store = MEMORY keeps it in memory too, but in 1 KiB pieces,
         * each allocated and freed per job (about 50,000 instructions per
         * POST, bench/RESULTS.md, 2026-12-06): it is the fallback when
         * SQLite was set up before the first store was opened (spill_set).
         * Set after the migrations, so that their index builds may still
         * sort through temporary files. Durability is unchanged: the WAL
         * and synchronous = FULL decide what a commit means. */
        if (rc == 0 && !spill_set)
            rc = exec_fixed(q, "PRAGMA temp_store = MEMORY", err, "pragma");
        /* The automatic checkpoint runs in the connection that committed,
         * right after its commit: on the server's writer thread, while the
         * next group waits. At SQLite's default, every 1,000 pages of WAL,
         * it read back and copied the same hot pages (the ends of the
         * comment indexes of each article and author a group touched) to
         * the database again and again; every 10,000 pages, POSTs by 64
         * authors over 16 articles write about 15% fewer bytes and read
         * about 30% fewer (bench/RESULTS.md, 2026-12-06). The WAL file
         * grows to about 40 MiB and keeps that size. Durability is
         * unchanged: a commit has returned once its frames are in the WAL
         * and fsynced; a checkpoint only copies them into the database. */
        if (rc == 0)
            rc = exec_fixed(q, "PRAGMA wal_autocheckpoint = 10000", err, "pragma");
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
    int rc = fts_flush(q, err);
    if (rc == 0)
        rc = run_id(q, ST_COMMIT, err, "commit");
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
    q->fts_pending = true; /* the rollback may bring back flushed rows */
    /* ROLLBACK TO keeps the savepoint on the stack; RELEASE pops it. */
    if (run_id(q, ST_ROLLBACK_TO, NULL, "rollback to") == 0)
        run_id(q, ST_RELEASE, NULL, "release");
}

/* ---- users and sessions ----------------------------------------------------- */

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
    u->kind = (store_user_kind)sqlite3_column_int(st, 10);
    u->language = col_text(st, 11, a);
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
    char *email = store_email_fold(u->email);
    if (u->created_at == 0)
        u->created_at = time_now_ms();
    bind_text(st, 1, email);
    bind_text(st, 2, u->name != NULL ? u->name : "");
    bind_text(st, 3, u->pw_hash != NULL ? u->pw_hash : "");
    bind_i64(st, 4, u->role);
    bind_i64(st, 5, u->created_at);
    bind_i64(st, 6, u->banned);
    bind_i64(st, 7, u->banned ? u->banned_until : 0);
    bind_text(st, 8, u->banned ? u->ban_reason : NULL);
    bind_i64(st, 9, u->deleted);
    bind_i64(st, 10, u->kind);
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
    char *e = store_email_fold(email);
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
sq_user_set_language(store *s, int64_t user_id, const char *language, pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    int rc;
    if ((rc = check_writable(q, err)) < 0 || (rc = prep(q, ST_USER_SET_LANGUAGE, &st, err)) < 0)
        return rc;
    bind_i64(st, 1, user_id);
    bind_text(st, 2, language);
    return update_one(q, st, err, "set language", "no such user");
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
    bind_i64(st, 3, time_now_ms());
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
        out->id = col_text(st, 0, a);
        out->title = col_text(st, 1, a);
        out->url = col_text(st, 2, a);
        out->text = col_text(st, 3, a);
        out->status = (store_article_status)sqlite3_column_int(st, 4);
        out->sensitive = sqlite3_column_int(st, 5) != 0;
        out->comment_count = sqlite3_column_int64(st, 6);
        out->created_at = sqlite3_column_int64(st, 7);
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
    bind_i64(st, 4, time_now_ms());
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
    bind_i64(st, 2, time_now_ms());
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
        bind_i64(st, 9, up->created_at);
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
    c->author_role = (store_role)sqlite3_column_int(st, 17);
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
    if ((rc = article_create(q, c->article_id, err)) < 0)
        goto done;
    /* A top-level comment is its own root: its id is taken here (the
     * writer holds the database's write lock, so nobody else takes it)
     * instead of being set by a second statement after the insert, which
     * rewrote the row and moved its comments_root entry. When the largest
     * id is the largest there can be, SQLite picks a free one at random;
     * then it is set after the insert, as before. */
    bool set_root = false;
    if (c->parent_id == 0) {
        if ((rc = prep(q, ST_COMMENT_LAST_ID, &st, err)) < 0)
            goto done;
        rc = one_row(q, st, err, "read the last comment id", &found);
        int64_t last = rc == 0 && found ? sqlite3_column_int64(st, 0) : 0;
        finish(st);
        if (rc < 0)
            goto done;
        if (last < INT64_MAX)
            root_id = last + 1;
        else
            set_root = true;
    }
    if ((rc = prep(q, c->parent_id != 0 || set_root ? ST_COMMENT_INSERT : ST_COMMENT_INSERT_TOP,
                   &st, err)) < 0)
        goto done;
    if (c->created_at == 0)
        c->created_at = time_now_ms();
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
    bind_fold(st, 11, &c->fold);
    q->fts_pending = true; /* comments_fts_insert queues the new comment */
    if ((rc = run(q, st, err, "insert comment")) < 0)
        goto done;
    c->id = sqlite3_last_insert_rowid(q->db);
    if (set_root) {
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
                store_comment_status status, const char *moderation, const store_fold_key *fold,
                int64_t now, pl_error *err)
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
    bind_i64(st, 6, now != 0 ? now : time_now_ms());
    bind_fold(st, 7, fold);
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

/* The reads of many rows below: the one-row statements, each run in one
 * read transaction (one snapshot; SQLite has no round trip to save). */
static int
sq_comments_by_authors(store *s, const int64_t *author_ids, const int *limits, size_t n,
                       int64_t from, int64_t body_since, const store_fold_key *want, arena *a,
                       store_comment_list *out, pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    bool outer, repeat;
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        out[i] = (store_comment_list){0};
        if (limits[i] < 1)
            return pl_errorf(err, PL_EINVAL, "limit must be positive");
    }
    /* One author is one statement, a snapshot of its own: no transaction
     * around it (the comment write's history read, api/comments.c). */
    outer = false;
    repeat = want != NULL && want->ver != 0;
    if (n == 0 || (rc = prep(q, repeat ? ST_BY_AUTHOR_REPEAT : ST_BY_AUTHOR_LIGHT, &st, err)) < 0 ||
        (n > 1 && (rc = read_begin(q, &outer, err)) < 0))
        return rc;
    for (size_t i = 0; i < n && rc == 0; i++) {
        store_comment *v = arena_alloc(a, (size_t)limits[i] * sizeof *v);
        size_t k = 0;
        int step;
        bind_i64(st, 1, author_ids[i]);
        bind_i64(st, 2, limits[i]);
        bind_i64(st, 3, body_since);
        bind_i64(st, 4, from);
        if (repeat)
            bind_fold(st, 5, want);
        while ((step = sqlite3_step(st)) == SQLITE_ROW && k < (size_t)limits[i]) {
            v[k] = (store_comment){0};
            v[k].id = sqlite3_column_int64(st, 0);
            v[k].author_id = author_ids[i];
            v[k].created_at = sqlite3_column_int64(st, 1);
            v[k].body = sqlite3_column_type(st, 2) == SQLITE_NULL ? NULL : col_text(st, 2, a);
            if (sqlite3_column_type(st, 5) != SQLITE_NULL) {
                v[k].fold.hash = (uint64_t)sqlite3_column_int64(st, 3);
                v[k].fold.len = (uint32_t)sqlite3_column_int64(st, 4);
                v[k].fold.ver = (uint32_t)sqlite3_column_int64(st, 5);
            }
            k++;
        }
        if (step != SQLITE_ROW && step != SQLITE_DONE)
            rc = db_fail(q, err, "read comments");
        finish(st);
        out[i].items = k > 0 ? v : NULL;
        out[i].n = k;
    }
    read_end(q, outer);
    return rc;
}

static int
sq_comments_get_many(store *s, const int64_t *ids, size_t n, arena *a, store_comment *out,
                     pl_error *err)
{
    sq *q = to_sq(s);
    bool outer;
    int rc = 0;
    if (n == 0 || (rc = read_begin(q, &outer, err)) < 0)
        return rc;
    for (size_t i = 0; i < n && rc == 0; i++) {
        out[i] = (store_comment){0};
        if ((rc = sq_comment_get(s, ids[i], 0, a, &out[i], err)) == PL_ENOTFOUND) {
            out[i] = (store_comment){0};
            rc = 0;
        }
    }
    read_end(q, outer);
    return rc;
}

static int
sq_users_get_many(store *s, const int64_t *ids, size_t n, arena *a, store_user *out, pl_error *err)
{
    sq *q = to_sq(s);
    bool outer;
    int rc = 0;
    if (n == 0 || (rc = read_begin(q, &outer, err)) < 0)
        return rc;
    for (size_t i = 0; i < n && rc == 0; i++) {
        out[i] = (store_user){0};
        if ((rc = sq_user_by_id(s, ids[i], a, &out[i], err)) == PL_ENOTFOUND) {
            out[i] = (store_user){0};
            rc = 0;
        }
    }
    read_end(q, outer);
    return rc;
}

static int
sq_articles_get_many(store *s, const char *const *ids, size_t n, arena *a, store_article *out,
                     pl_error *err)
{
    sq *q = to_sq(s);
    bool outer;
    int rc = 0;
    if (n == 0 || (rc = read_begin(q, &outer, err)) < 0)
        return rc;
    for (size_t i = 0; i < n && rc == 0; i++) {
        out[i] = (store_article){0};
        if ((rc = sq_article_get(s, ids[i], a, &out[i], err)) == PL_ENOTFOUND) {
            out[i] = (store_article){0};
            rc = 0;
        }
    }
    read_end(q, outer);
    return rc;
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
            bind_i64(st, 3, time_now_ms());
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
        bind_i64(st, 5, time_now_ms());
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

static int ints_row(sq *q, sqlite3_stmt *st, int64_t *out, int n, pl_error *err, const char *what);

/* A site other than the default with at most this many comments is read
 * from its article key range (its index entries scanned, some 0.1 us
 * each), not by walking a queue or every id and testing each comment's
 * article; a bigger one holds enough of the comments for the walk to find a
 * page soon. */
#define SITE_DRIVE_MAX 20000

/* Words searched on such a site: with at most this many comments of the
 * status there, the site's ids are walked newest first and FTS5 asked about
 * each until the page is full; with more, the words' matches are walked
 * and tested against the site's ids. A probe costs some 25 us for words
 * few comments have and 100 us or more for words most have, a walked
 * match about 0.1 us: on 1,000,000 comments, for a site with 1,000 of
 * them, probing took 11 ms for two words every comment has and 28 ms for
 * a word none has, the walk 10 ms and 1 ms (bench/RESULTS.md, 2026-12-05),
 * so the walk is kept beyond a few hundred comments. */
#define SEARCH_PROBE_MAX 200

/* Whether site (not the default) has at most max comments of status (-1 any
 * but deleted, -2 all): the count stops at max + 1. */
static int
site_is_small(sq *q, int64_t site, int64_t status, int64_t max, bool *small, pl_error *err)
{
    sqlite3_stmt *st = NULL;
    int64_t n = 0;
    int rc;

    *small = false;
    if (site <= 1)
        return 0;
    if ((rc = prep(q, ST_SITE_COUNT, &st, err)) < 0)
        return rc;
    bind_i64(st, 1, site);
    bind_i64(st, 2, max + 1);
    bind_i64(st, 3, status);
    if ((rc = ints_row(q, st, &n, 1, err, "count a site's comments")) < 0)
        return rc;
    *small = n <= max;
    return 0;
}

/* A page of a queue, of every site (site 0) or one. */
static int
queue_page(store *s, int64_t site, store_queue queue, int64_t after_id, int limit, arena *a,
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
    bool small;
    if ((rc = site_is_small(q, site, -2, SITE_DRIVE_MAX, &small, err)) < 0)
        return rc;
    int which = queue == QUEUE_FLAGGED ? (small  ? ST_QUEUE_FLAGGED_RANGE
                                          : site ? ST_QUEUE_FLAGGED_SITE
                                                 : ST_QUEUE_FLAGGED)
                                       : (small  ? ST_QUEUE_STATUS_RANGE
                                          : site ? ST_QUEUE_STATUS_SITE
                                                 : ST_QUEUE_STATUS);
    if ((rc = prep(q, which, &st, err)) < 0)
        return rc;
    bind_i64(st, 1, 0);
    if (queue == QUEUE_FLAGGED) {
        bind_i64(st, 2, after_id);
        bind_i64(st, 3, (int64_t)limit + 1);
        if (site)
            bind_i64(st, 4, site);
    } else {
        bind_i64(st, 2, queue == QUEUE_PENDING ? COMMENT_PENDING : COMMENT_REJECTED);
        bind_i64(st, 3, after_id);
        bind_i64(st, 4, (int64_t)limit + 1);
        if (site)
            bind_i64(st, 5, site);
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

static int
sq_queue_list(store *s, store_queue queue, int64_t after_id, int limit, arena *a,
              store_comment_list *out, bool *more, pl_error *err)
{
    return queue_page(s, 0, queue, after_id, limit, a, out, more, err);
}

static int
sq_site_queue_list(store *s, int64_t site, store_queue queue, int64_t after_id, int limit, arena *a,
                   store_comment_list *out, bool *more, pl_error *err)
{
    if (site < 1)
        return pl_errorf(err, PL_EINVAL, "no such site");
    return queue_page(s, site, queue, after_id, limit, a, out, more, err);
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
    bind_i64(st, 1, e->at != 0 ? e->at : time_now_ms());
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
        e->id = sqlite3_column_int64(st, 0);
        e->at = sqlite3_column_int64(st, 1);
        e->actor_id = sqlite3_column_int64(st, 2);
        e->action = col_text(st, 3, a);
        e->target_type = col_text(st, 4, a);
        e->target_id = col_text(st, 5, a);
        e->reason = col_text(st, 6, a);
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
sq_site_queue_counts(store *s, int64_t site, int64_t counts[3], pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    int rc = prep(q, ST_QUEUE_COUNTS_SITE, &st, err);
    if (rc < 0)
        return rc;
    bind_i64(st, 1, site);
    return ints_row(q, st, counts, 3, err, "count queues");
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
    bind_i64(st, 3, d->at != 0 ? d->at : time_now_ms());
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
    int which = f->author_id != 0       ? ST_LOG_QUERY_AUTHOR
                : f->article_id != NULL ? ST_LOG_QUERY_ARTICLE
                : f->actor_id > 0       ? ST_LOG_QUERY_ACTOR
                : f->actor_id == -1     ? ST_LOG_QUERY_AUTO
                : f->site > 0           ? ST_LOG_QUERY_SITE
                                        : ST_LOG_QUERY;
    if ((rc = prep(q, which, &st, err)) < 0)
        return rc;
    store_log_entry *v = arena_alloc(a, (size_t)limit * sizeof *v);
    size_t len = 0;
    bind_i64(st, 1, f->before_id > 0 ? f->before_id : INT64_MAX);
    bind_i64(st, 2, f->actor_id);
    bind_text(st, 3, f->action);
    bind_i64(st, 4, f->author_id);
    bind_text(st, 5, f->article_id);
    bind_i64(st, 6, limit);
    bind_i64(st, 7, f->site);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        store_log_entry *e = &v[len++];
        e->id = sqlite3_column_int64(st, 0);
        e->at = sqlite3_column_int64(st, 1);
        e->actor_id = sqlite3_column_int64(st, 2);
        e->action = col_text(st, 3, a);
        e->target_type = col_text(st, 4, a);
        e->target_id = col_text(st, 5, a);
        e->reason = col_text(st, 6, a);
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
        bind_i64(st, 3, now != 0 ? now : time_now_ms());
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
sq_viewer_layer(store *s, const char *article_id, int64_t viewer_id, arena *a,
                store_viewer_layer *out, pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    int64_t *rows = NULL;
    size_t len = 0, cap = 0;
    int step, rc;
    if ((rc = check_article_id(article_id, err)) < 0 ||
        (rc = prep(q, ST_VIEWER_LAYER, &st, err)) < 0)
        return rc;
    bind_i64(st, 1, viewer_id);
    bind_text(st, 2, article_id);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        rows = grow(a, rows, len, &cap, 2 * sizeof *rows);
        rows[2 * len] = sqlite3_column_int64(st, 0);
        rows[2 * len + 1] = sqlite3_column_int64(st, 1);
        len++;
    }
    rc = step == SQLITE_DONE ? 0 : db_fail(q, err, "read viewer layer");
    finish(st);
    if (rc == 0)
        store_viewer_layer_fill(out, rows, len, a);
    return rc;
}

/* Two local statements: without a network there is no round trip to save. */
static int
sq_session_layer(store *s, const unsigned char *hash, int64_t now, const char *article_id, arena *a,
                 store_user *user, store_viewer_layer *layer, pl_error *err)
{
    int rc = sq_session_user(s, hash, now, a, user, err);
    if (rc < 0)
        return rc;
    return sq_viewer_layer(s, article_id, user->id, a, layer, err);
}

/* Two local statements here too. */
static int
sq_article_recent(store *s, const char *article_id, int64_t author_id, int limit, int64_t from,
                  int64_t body_since, const store_fold_key *want, arena *a, store_article *art,
                  store_comment_list *recent, pl_error *err)
{
    /* Not found leaves *art as store_article_recent cleared it. */
    int rc = sq_article_get(s, article_id, a, art, err);
    if (rc < 0 && rc != PL_ENOTFOUND)
        return rc;
    return sq_comments_by_authors(s, &author_id, &limit, 1, from, body_since, want, a, recent, err);
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

/* The statement of each step of deleting an account, in store_erase's order. */
static const int erase_st[] = {ST_USER_DELETE, ST_USER_DELETE_SESSIONS, ST_USER_DELETE_MUTES,
                               ST_USER_REMOVE_COMMENTS};

static int
sq_user_erase(store *s, int64_t user_id, store_erase part, pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    int rc = prep(q, erase_st[part], &st, err);
    if (rc < 0)
        return rc;
    bind_i64(st, 1, user_id);
    if (part == STORE_ERASE_ACCOUNT)
        return update_one(q, st, err, store_erase_what[part], "no such user");
    return run(q, st, err, store_erase_what[part]);
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

/* A table of single-use ids (sso_jti, pow_spent): drops the ids that
 * expired before now (statement purge), then records key until expires
 * (statement insert); PL_ECONFLICT saying used when key is there. */
static int
record_once(sq *q, int purge, int insert, const char *key, int64_t expires, int64_t now,
            const char *used, pl_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = prep(q, purge, &st, err);
    if (rc == 0) {
        bind_i64(st, 1, now);
        rc = run(q, st, err, "purge used ids");
    }
    if (rc == 0 && (rc = prep(q, insert, &st, err)) == 0) {
        bind_text(st, 1, key);
        bind_i64(st, 2, expires);
        rc = run(q, st, err, "record used id");
        if (rc == PL_ECONFLICT || (rc == 0 && sqlite3_changes(q->db) == 0))
            rc = pl_errorf(err, PL_ECONFLICT, "%s", used);
    }
    return rc;
}

static int
sq_unit_begin(store *s, bool *outer, pl_error *err)
{
    return op_begin(to_sq(s), outer, err);
}

static int
sq_unit_end(store *s, bool outer, int rc, pl_error *err)
{
    return op_end(to_sq(s), outer, rc, err);
}

static int
sq_sso_jti_record(store *s, const char *jti, int64_t expires, int64_t now, pl_error *err)
{
    return record_once(to_sq(s), ST_SSO_JTI_PURGE, ST_SSO_JTI_INSERT, jti, expires, now,
                       "this token was used before", err);
}

static int
sq_sso_subject(store *s, const char *sub, int64_t *user_id, pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    bool found = false;
    *user_id = 0;
    int rc = prep(q, ST_SSO_SUBJECT, &st, err);
    if (rc < 0)
        return rc;
    bind_text(st, 1, sub);
    rc = one_row(q, st, err, "read subject", &found);
    if (rc == 0 && found)
        *user_id = sqlite3_column_int64(st, 0);
    finish(st);
    return rc;
}

/* Runs a statement of an id (?1) and a text (?2) inside the caller's unit. */
static int
run_id_text(sq *q, int which, int64_t id, const char *text, pl_error *err, const char *what)
{
    sqlite3_stmt *st = NULL;
    int rc = prep(q, which, &st, err);
    if (rc < 0)
        return rc;
    bind_i64(st, 1, id);
    bind_text(st, 2, text);
    return run(q, st, err, what);
}

static int
sq_sso_link(store *s, const char *sub, int64_t user_id, pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    int rc = prep(q, ST_SSO_LINK, &st, err);
    if (rc < 0)
        return rc;
    bind_text(st, 1, sub);
    bind_i64(st, 2, user_id);
    return run(q, st, err, "link subject");
}

static int
sq_sso_set_name(store *s, int64_t user_id, const char *name, pl_error *err)
{
    return run_id_text(to_sq(s), ST_SSO_UPDATE_NAME, user_id, name, err, "update name");
}

static int
sq_sso_set_email(store *s, int64_t user_id, const char *email, pl_error *err)
{
    return run_id_text(to_sq(s), ST_SSO_UPDATE_EMAIL, user_id, email, err, "update email");
}

static int
sq_pow_spend(store *s, const char *challenge, int64_t expires_at, int64_t now, pl_error *err)
{
    sq *q = to_sq(s);
    bool outer;
    int rc = op_begin(q, &outer, err);
    if (rc < 0)
        return rc;
    /* An expired challenge is refused before it gets here, so its record
     * is no longer needed. */
    rc = record_once(q, ST_POW_PURGE, ST_POW_SPEND, challenge, expires_at, now,
                     "this solution was already used", err);
    return op_end(q, outer, rc, err);
}

/* ---- mail: settings, tokens, the outbox ----------------------------------- */

static int
sq_user_mail_get(store *s, int64_t user_id, store_user_mail *out, pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    bool found;
    int rc = prep(q, ST_USER_MAIL_GET, &st, err);
    if (rc < 0)
        return rc;
    bind_i64(st, 1, user_id);
    memset(out, 0, sizeof *out);
    rc = one_row(q, st, err, "read mail settings", &found);
    if (rc == 0 && found) {
        out->email_verified = sqlite3_column_int(st, 0) != 0;
        out->notify_replies = sqlite3_column_int(st, 1) != 0;
        out->notify_moderation = sqlite3_column_int(st, 2) != 0;
        out->notify_queue = sqlite3_column_int64(st, 3);
    }
    finish(st);
    return rc;
}

static int
sq_user_mail_set(store *s, int64_t user_id, const store_user_mail *m, pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    int rc;
    if ((rc = check_writable(q, err)) < 0 || (rc = prep(q, ST_USER_MAIL_SET, &st, err)) < 0)
        return rc;
    bind_i64(st, 1, user_id);
    bind_i64(st, 2, m->email_verified);
    bind_i64(st, 3, m->notify_replies);
    bind_i64(st, 4, m->notify_moderation);
    bind_i64(st, 5, m->notify_queue);
    return run(q, st, err, "write mail settings");
}

static int
sq_user_set_password(store *s, int64_t user_id, const char *pw_hash, const unsigned char *keep,
                     int64_t now, pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    bool outer;
    int rc = op_begin(q, &outer, err);
    if (rc < 0)
        return rc;
    if ((rc = prep(q, ST_USER_SET_PASSWORD, &st, err)) == 0) {
        bind_i64(st, 1, user_id);
        bind_text(st, 2, pw_hash);
        rc = update_one(q, st, err, "set password", "no such user");
    }
    if (rc == 0 && (rc = prep(q, ST_USER_END_SESSIONS, &st, err)) == 0) {
        bind_i64(st, 1, user_id);
        if (keep != NULL)
            bind_hash(st, 2, keep);
        else
            bind_text(st, 2, NULL);
        rc = run(q, st, err, "end sessions");
    }
    if (rc == 0 && (rc = prep(q, ST_TOKENS_SPEND_RESET, &st, err)) == 0) {
        bind_i64(st, 1, user_id);
        bind_i64(st, 2, now);
        rc = run(q, st, err, "spend reset tokens");
    }
    return op_end(q, outer, rc, err);
}

static int
sq_token_insert(store *s, const unsigned char *hash, int64_t user_id, store_token_purpose purpose,
                int64_t now, int64_t expires_at, pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    int rc;
    if ((rc = check_writable(q, err)) < 0 || (rc = prep(q, ST_TOKEN_INSERT, &st, err)) < 0)
        return rc;
    bind_hash(st, 1, hash);
    bind_i64(st, 2, user_id);
    bind_i64(st, 3, purpose);
    bind_i64(st, 4, now);
    bind_i64(st, 5, expires_at);
    return run(q, st, err, "insert token");
}

static int
sq_token_use(store *s, const unsigned char *hash, store_token_purpose purpose, int64_t now,
             bool spend, int64_t *user_id, pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    bool outer, found = false;
    int64_t uid = 0, used_at = 0;
    int rc = op_begin(q, &outer, err);
    if (rc < 0)
        return rc;
    if ((rc = prep(q, ST_TOKEN_PURGE, &st, err)) == 0) {
        bind_i64(st, 1, now);
        rc = run(q, st, err, "purge tokens");
    }
    if (rc == 0 && (rc = prep(q, ST_TOKEN_USE, &st, err)) == 0) {
        bind_hash(st, 1, hash);
        bind_i64(st, 2, purpose);
        bind_i64(st, 3, now);
        rc = one_row(q, st, err, "read token", &found);
        if (rc == 0 && found) {
            uid = sqlite3_column_int64(st, 0);
            used_at = sqlite3_column_int64(st, 1);
        }
        finish(st);
    }
    if (rc == 0 && (!found || (spend && used_at != 0)))
        rc = pl_errorf(err, PL_ENOTFOUND, "no such token");
    if (rc == 0 && spend && (rc = prep(q, ST_TOKEN_SPEND, &st, err)) == 0) {
        bind_hash(st, 1, hash);
        bind_i64(st, 2, now);
        rc = update_one(q, st, err, "spend token", "no such token");
    }
    rc = op_end(q, outer, rc, err);
    if (rc == 0)
        *user_id = uid;
    return rc;
}

static int
sq_mail_enqueue(store *s, const char *recipient, const char *message, int64_t now, int64_t per_hour,
                pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    bool outer, found;
    int64_t recent = 0;
    int rc = op_begin(q, &outer, err);
    if (rc < 0)
        return rc;
    if ((rc = prep(q, ST_MAIL_RECENT, &st, err)) == 0) {
        bind_text(st, 1, recipient);
        bind_i64(st, 2, now - 3600000);
        rc = one_row(q, st, err, "count recent mail", &found);
        if (rc == 0 && found)
            recent = sqlite3_column_int64(st, 0);
        finish(st);
    }
    if (rc == 0 && recent >= per_hour)
        rc = pl_errorf(err, PL_ERATE, "too many mails to this address within the hour");
    if (rc == 0 && (rc = prep(q, ST_MAIL_INSERT, &st, err)) == 0) {
        bind_text(st, 1, recipient);
        bind_text(st, 2, message);
        bind_i64(st, 3, now);
        rc = run(q, st, err, "queue mail");
    }
    return op_end(q, outer, rc, err);
}

static int
sq_mail_claim(store *s, int64_t now, int64_t lease_ms, arena *a, store_mail *out, int64_t *next_due,
              pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    bool found = false;
    int rc;
    *next_due = 0;
    if ((rc = check_writable(q, err)) < 0 || (rc = prep(q, ST_MAIL_PURGE, &st, err)) < 0)
        return rc;
    bind_i64(st, 1, now - 7 * 86400000LL);
    if ((rc = run(q, st, err, "purge mail")) < 0 || (rc = prep(q, ST_MAIL_CLAIM, &st, err)) < 0)
        return rc;
    bind_i64(st, 1, now);
    bind_i64(st, 2, now + lease_ms);
    rc = one_row(q, st, err, "claim mail", &found);
    if (rc == 0 && found) {
        out->id = sqlite3_column_int64(st, 0);
        out->recipient = col_text(st, 1, a);
        out->message = col_text(st, 2, a);
        out->attempts = sqlite3_column_int64(st, 3);
        out->created_at = sqlite3_column_int64(st, 4);
    }
    /* Stepping to the end completes the UPDATE ... RETURNING. */
    if (rc == 0 && found && sqlite3_step(st) != SQLITE_DONE)
        rc = db_fail(q, err, "claim mail");
    finish(st);
    if (rc < 0 || found)
        return rc;
    if ((rc = prep(q, ST_MAIL_NEXT_DUE, &st, err)) < 0)
        return rc;
    rc = one_row(q, st, err, "next mail", &found);
    if (rc == 0 && found)
        *next_due = sqlite3_column_int64(st, 0);
    finish(st);
    return rc < 0 ? rc : pl_errorf(err, PL_ENOTFOUND, "no mail is due");
}

static int
sq_mail_finish(store *s, int64_t id, store_mail_state state, int64_t retry_at, const char *error,
               int64_t now, pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    int rc;
    if ((rc = check_writable(q, err)) < 0 || (rc = prep(q, ST_MAIL_FINISH, &st, err)) < 0)
        return rc;
    bind_i64(st, 1, id);
    bind_i64(st, 2, state);
    bind_i64(st, 3, retry_at);
    bind_text(st, 4, error != NULL ? error : "");
    bind_i64(st, 5, now);
    return update_one(q, st, err, "finish mail", "no such mail");
}

static int
sq_notify_once(store *s, int64_t user_id, int64_t key, int64_t now, int64_t window_ms,
               bool *allowed, pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    int rc;
    *allowed = false;
    if ((rc = check_writable(q, err)) < 0 || (rc = prep(q, ST_NOTIFY_ONCE, &st, err)) < 0)
        return rc;
    bind_i64(st, 1, user_id);
    bind_i64(st, 2, key);
    bind_i64(st, 3, now);
    bind_i64(st, 4, window_ms);
    rc = run(q, st, err, "pace notification");
    if (rc == 0)
        *allowed = sqlite3_changes(q->db) > 0;
    return rc;
}

/* Reads every row of a user query into an arena array. */
static int
users_query(sq *q, sqlite3_stmt *st, arena *a, store_user **out, size_t *n, pl_error *err)
{
    size_t cap = 0;
    int step, rc = 0;
    *out = NULL;
    *n = 0;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 8;
            store_user *v = arena_alloc(a, cap * sizeof *v);
            if (*n)
                memcpy(v, *out, *n * sizeof *v);
            *out = v;
        }
        read_user(st, a, &(*out)[(*n)++]);
    }
    if (step != SQLITE_DONE)
        rc = db_fail(q, err, "read users");
    finish(st);
    return rc;
}

static int
sq_queue_watchers(store *s, int64_t pending, arena *a, store_user **out, size_t *n, pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    int rc = prep(q, ST_QUEUE_WATCHERS, &st, err);
    *out = NULL;
    *n = 0;
    if (rc < 0)
        return rc;
    bind_i64(st, 1, pending);
    return users_query(q, st, a, out, n, err);
}

static int
sq_staff_list(store *s, arena *a, store_user **out, size_t *n, pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    int rc = prep(q, ST_STAFF_LIST, &st, err);
    *out = NULL;
    *n = 0;
    return rc < 0 ? rc : users_query(q, st, a, out, n, err);
}

/* ---- webhook outbox ------------------------------------------------------------ */

static int
sq_outbox_add(store *s, const char *event, const char *payload, int64_t now, int64_t *id,
              pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    int rc;
    if ((rc = check_writable(q, err)) < 0 || (rc = prep(q, ST_OUTBOX_ADD, &st, err)) < 0)
        return rc;
    bind_text(st, 1, event);
    bind_text(st, 2, payload);
    bind_i64(st, 3, now);
    if ((rc = run(q, st, err, "add to the webhook outbox")) == 0)
        *id = sqlite3_last_insert_rowid(q->db);
    return rc;
}

static void
outbox_row(sqlite3_stmt *st, arena *a, void *item)
{
    store_outbox_item *o = item;
    o->id = sqlite3_column_int64(st, 0);
    o->event = col_text(st, 1, a);
    o->payload = col_text(st, 2, a);
    o->created_at = sqlite3_column_int64(st, 3);
    o->state = (store_outbox_state)sqlite3_column_int(st, 4);
    o->attempts = sqlite3_column_int64(st, 5);
    o->next_at = sqlite3_column_int64(st, 6);
    o->last_at = sqlite3_column_int64(st, 7);
    o->last_status = sqlite3_column_int64(st, 8);
    o->last_error = col_text(st, 9, a);
}

static int
sq_outbox_claim(store *s, int64_t now, int64_t lease_ms, arena *a, store_outbox_item *out,
                int64_t *next_due, pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    int rc, step;
    bool found = false;
    if (next_due != NULL)
        *next_due = 0;
    if ((rc = check_writable(q, err)) < 0 || (rc = prep(q, ST_OUTBOX_CLAIM, &st, err)) < 0)
        return rc;
    bind_i64(st, 1, now);
    bind_i64(st, 2, now + lease_ms);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        outbox_row(st, a, out);
        found = true;
    }
    rc = step == SQLITE_DONE ? 0 : db_fail(q, err, "claim from the webhook outbox");
    finish(st);
    if (rc < 0 || found)
        return rc;
    if (next_due != NULL) {
        if ((rc = prep(q, ST_OUTBOX_NEXT, &st, err)) < 0)
            return rc;
        step = sqlite3_step(st);
        if (step == SQLITE_ROW)
            *next_due = sqlite3_column_int64(st, 0); /* NULL (none pending) reads as 0 */
        else
            rc = db_fail(q, err, "read the webhook outbox");
        finish(st);
        if (rc < 0)
            return rc;
    }
    return PL_ENOTFOUND;
}

static int
sq_outbox_record(store *s, const store_outbox_item *o, pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    int rc;
    if ((rc = check_writable(q, err)) < 0 || (rc = prep(q, ST_OUTBOX_RECORD, &st, err)) < 0)
        return rc;
    bind_i64(st, 1, o->id);
    bind_i64(st, 2, o->state);
    bind_i64(st, 3, o->attempts);
    bind_i64(st, 4, o->next_at);
    bind_i64(st, 5, o->last_at);
    bind_i64(st, 6, o->last_status);
    bind_text(st, 7, o->last_error != NULL ? o->last_error : "");
    return run(q, st, err, "record a webhook delivery");
}

static int read_rows(sq *q, sqlite3_stmt *st, int limit, size_t size,
                     void (*fn)(sqlite3_stmt *, arena *, void *), arena *a, void *out, size_t *n,
                     pl_error *err, const char *what);
static int page_begin(sq *q, int which, int limit, sqlite3_stmt **st, void *out, size_t *n,
                      pl_error *err);

static int
sq_outbox_list(store *s, int64_t before_id, int limit, arena *a, store_outbox_item **out, size_t *n,
               pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    int rc = page_begin(q, ST_OUTBOX_LIST, limit, &st, out, n, err);
    if (rc < 0)
        return rc;
    bind_i64(st, 1, before_id > 0 ? before_id : INT64_MAX);
    bind_i64(st, 2, limit);
    return read_rows(q, st, limit, sizeof **out, outbox_row, a, out, n, err,
                     "read the webhook outbox");
}

static int
sq_outbox_purge(store *s, int64_t before, pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    int rc;
    if ((rc = check_writable(q, err)) < 0 || (rc = prep(q, ST_OUTBOX_PURGE, &st, err)) < 0)
        return rc;
    bind_i64(st, 1, before);
    return run(q, st, err, "purge the webhook outbox");
}

/* ---- export and import ------------------------------------------------------- */

/* Steps every row of st (bound by the caller, at most limit rows) into an
 * array of `size`-byte items from a, each filled by fn; finishes st. */
static int
read_rows(sq *q, sqlite3_stmt *st, int limit, size_t size,
          void (*fn)(sqlite3_stmt *, arena *, void *), arena *a, void *out, size_t *n,
          pl_error *err, const char *what)
{
    int step, rc;
    char *v = arena_alloc(a, (size_t)limit * size);
    size_t len = 0;
    while ((step = sqlite3_step(st)) == SQLITE_ROW && len < (size_t)limit)
        fn(st, a, v + size * len++);
    rc = step == SQLITE_DONE || step == SQLITE_ROW ? 0 : db_fail(q, err, what);
    finish(st);
    if (rc == 0) {
        memcpy(out, &v, sizeof v);
        *n = len;
    }
    return rc;
}

/* Prepares statement `which` for a page of at most limit rows. */
static int
page_begin(sq *q, int which, int limit, sqlite3_stmt **st, void *out, size_t *n, pl_error *err)
{
    memset(out, 0, sizeof(void *));
    *n = 0;
    if (limit < 1)
        return pl_errorf(err, PL_EINVAL, "limit must be positive");
    return prep(q, which, st, err);
}

static void
user_row(sqlite3_stmt *st, arena *a, void *item)
{
    read_user(st, a, item);
}

static void
article_row(sqlite3_stmt *st, arena *a, void *item)
{
    store_article *o = item;
    o->id = col_text(st, 0, a);
    o->title = col_text(st, 1, a);
    o->url = col_text(st, 2, a);
    o->text = col_text(st, 3, a);
    o->status = (store_article_status)sqlite3_column_int(st, 4);
    o->sensitive = sqlite3_column_int(st, 5) != 0;
    o->comment_count = sqlite3_column_int64(st, 6);
    o->created_at = sqlite3_column_int64(st, 7);
}

static void
log_row(sqlite3_stmt *st, arena *a, void *item)
{
    store_log_entry *e = item;
    e->id = sqlite3_column_int64(st, 0);
    e->at = sqlite3_column_int64(st, 1);
    e->actor_id = sqlite3_column_int64(st, 2);
    e->action = col_text(st, 3, a);
    e->target_type = col_text(st, 4, a);
    e->target_id = col_text(st, 5, a);
    e->reason = col_text(st, 6, a);
}

static void
flag_row(sqlite3_stmt *st, arena *a, void *item)
{
    store_export_flag *f = item;
    f->id = sqlite3_column_int64(st, 0);
    f->comment_id = sqlite3_column_int64(st, 1);
    f->user_id = sqlite3_column_int64(st, 2);
    f->reason = col_text(st, 3, a);
    f->note = col_text(st, 4, a);
    f->created_at = sqlite3_column_int64(st, 5);
    f->reviewed = sqlite3_column_int(st, 6) != 0;
    f->outcome = (store_flag_outcome)sqlite3_column_int(st, 7);
}

static void
like_row(sqlite3_stmt *st, arena *a, void *item)
{
    (void)a;
    store_export_like *l = item;
    l->comment_id = sqlite3_column_int64(st, 0);
    l->user_id = sqlite3_column_int64(st, 1);
    l->created_at = sqlite3_column_int64(st, 2);
}

static int
sq_export_users(store *s, int64_t after, int limit, arena *a, store_user **out, size_t *n,
                pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    int rc = page_begin(q, ST_EXPORT_USERS, limit, &st, out, n, err);
    if (rc < 0)
        return rc;
    bind_i64(st, 1, after);
    bind_i64(st, 2, limit);
    return read_rows(q, st, limit, sizeof **out, user_row, a, out, n, err, "export users");
}

static int
sq_export_articles(store *s, const char *after, int limit, arena *a, store_article **out, size_t *n,
                   pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    int rc = page_begin(q, ST_EXPORT_ARTICLES, limit, &st, out, n, err);
    if (rc < 0)
        return rc;
    bind_text(st, 1, after != NULL ? after : "");
    bind_i64(st, 2, limit);
    return read_rows(q, st, limit, sizeof **out, article_row, a, out, n, err, "export articles");
}

static int
sq_export_comments(store *s, int64_t after, int limit, arena *a, store_comment_list *out,
                   pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    clist l = {.a = a};
    int rc;
    out->items = NULL;
    out->n = 0;
    if (limit < 1)
        return pl_errorf(err, PL_EINVAL, "limit must be positive");
    if ((rc = prep(q, ST_EXPORT_COMMENTS, &st, err)) < 0)
        return rc;
    bind_i64(st, 1, 0);
    bind_i64(st, 2, after);
    bind_i64(st, 3, limit);
    if ((rc = read_comments(q, st, &l, err)) < 0)
        return rc;
    out->items = l.v;
    out->n = l.n;
    return 0;
}

static int
sq_export_log(store *s, int64_t after, int limit, arena *a, store_log_entry **out, size_t *n,
              pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    int rc = page_begin(q, ST_EXPORT_LOG, limit, &st, out, n, err);
    if (rc < 0)
        return rc;
    bind_i64(st, 1, after);
    bind_i64(st, 2, limit);
    return read_rows(q, st, limit, sizeof **out, log_row, a, out, n, err, "export log");
}

static int
sq_export_flags(store *s, int64_t after, int limit, arena *a, store_export_flag **out, size_t *n,
                pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    int rc = page_begin(q, ST_EXPORT_FLAGS, limit, &st, out, n, err);
    if (rc < 0)
        return rc;
    bind_i64(st, 1, after);
    bind_i64(st, 2, limit);
    return read_rows(q, st, limit, sizeof **out, flag_row, a, out, n, err, "export flags");
}

static int
sq_export_likes(store *s, int64_t after_comment, int64_t after_user, int limit, arena *a,
                store_export_like **out, size_t *n, pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    int rc = page_begin(q, ST_EXPORT_LIKES, limit, &st, out, n, err);
    if (rc < 0)
        return rc;
    bind_i64(st, 1, after_comment);
    bind_i64(st, 2, after_user);
    bind_i64(st, 3, limit);
    return read_rows(q, st, limit, sizeof **out, like_row, a, out, n, err, "export likes");
}

static int
sq_flag_restore(store *s, store_export_flag *f, pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    int rc;
    if ((rc = check_writable(q, err)) < 0 || (rc = prep(q, ST_FLAG_RESTORE, &st, err)) < 0)
        return rc;
    bind_i64(st, 1, f->comment_id);
    bind_i64(st, 2, f->user_id);
    bind_text(st, 3, f->reason);
    bind_text(st, 4, f->note != NULL ? f->note : "");
    bind_i64(st, 5, f->created_at);
    bind_i64(st, 6, f->reviewed);
    bind_i64(st, 7, f->outcome);
    if ((rc = run(q, st, err, "restore flag")) == 0)
        f->id = sqlite3_last_insert_rowid(q->db);
    return rc;
}

static int
sq_like_restore(store *s, const store_export_like *l, pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    int rc;
    if ((rc = check_writable(q, err)) < 0 || (rc = prep(q, ST_LIKE_RESTORE, &st, err)) < 0)
        return rc;
    bind_i64(st, 1, l->comment_id);
    bind_i64(st, 2, l->user_id);
    bind_i64(st, 3, l->created_at);
    return run(q, st, err, "restore like");
}

static int
sq_import_map_get(store *s, const char *kind, const char *ext_id, int64_t *local, pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    bool found;
    int rc;
    if ((rc = prep(q, ST_IMPORT_MAP_GET, &st, err)) < 0)
        return rc;
    bind_text(st, 1, kind);
    bind_text(st, 2, ext_id);
    rc = one_row(q, st, err, "read import map", &found);
    if (rc == 0 && found)
        *local = sqlite3_column_int64(st, 0);
    else if (rc == 0)
        rc = pl_errorf(err, PL_ENOTFOUND, "not imported");
    finish(st);
    return rc;
}

static int
sq_import_map_put(store *s, const char *kind, const char *ext_id, int64_t local, pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    int rc;
    if ((rc = check_writable(q, err)) < 0 || (rc = prep(q, ST_IMPORT_MAP_PUT, &st, err)) < 0)
        return rc;
    bind_text(st, 1, kind);
    bind_text(st, 2, ext_id);
    bind_i64(st, 3, local);
    return run(q, st, err, "write import map");
}

/* ---- site settings ---------------------------------------------------------------- */

static int
sq_settings_get(store *s, arena *a, store_settings *out, pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    bool found;
    int rc = prep(q, ST_SETTINGS_GET, &st, err);
    if (rc < 0)
        return rc;
    memset(out, 0, sizeof *out);
    out->body = "{}";
    rc = one_row(q, st, err, "read settings", &found);
    if (rc == 0 && found) {
        out->version = sqlite3_column_int64(st, 0);
        out->at = sqlite3_column_int64(st, 1);
        out->actor_id = sqlite3_column_int64(st, 2);
        out->body = col_text(st, 3, a);
    }
    finish(st);
    return rc;
}

static int
sq_settings_put(store *s, int64_t expected, const char *body, int64_t actor_id, int64_t now,
                pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    int rc;
    if ((rc = check_writable(q, err)) < 0 || (rc = prep(q, ST_SETTINGS_PUT, &st, err)) < 0)
        return rc;
    bind_i64(st, 1, expected);
    bind_i64(st, 2, now);
    bind_id_or_null(st, 3, actor_id);
    bind_text(st, 4, body);
    rc = run(q, st, err, "write settings");
    if (rc == PL_ECONFLICT || (rc == 0 && sqlite3_changes(q->db) == 0))
        rc = pl_errorf(err, PL_ECONFLICT,
                       "the settings were changed by someone else since version %lld",
                       (long long)expected);
    return rc;
}

/* ---- sites ---------------------------------------------------------------------- */

static void
site_row(sqlite3_stmt *st, arena *a, void *item)
{
    store_site *o = item;
    o->id = sqlite3_column_int64(st, 0);
    o->slug = col_text(st, 1, a);
    o->name = col_text(st, 2, a);
    o->origins = col_text(st, 3, a);
    o->created_at = sqlite3_column_int64(st, 4);
}

/* At most this many sites are read (docs/SITES.md). */
#define SITES_MAX 1000

static int
sq_sites_list(store *s, arena *a, store_site **out, size_t *n, pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    int rc = page_begin(q, ST_SITES_LIST, SITES_MAX, &st, out, n, err);
    if (rc < 0)
        return rc;
    return read_rows(q, st, SITES_MAX, sizeof **out, site_row, a, out, n, err, "list sites");
}

static int
sq_site_create(store *s, const char *slug, const char *name, const char *origins, int64_t now,
               int64_t *id, pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    int rc;
    if ((rc = check_writable(q, err)) < 0 || (rc = prep(q, ST_SITE_CREATE, &st, err)) < 0)
        return rc;
    bind_text(st, 1, slug);
    bind_text(st, 2, name);
    bind_text(st, 3, origins);
    bind_i64(st, 4, now);
    rc = run(q, st, err, "create site");
    if (rc == PL_ECONFLICT)
        return pl_errorf(err, PL_ECONFLICT, "a site named %s exists", slug);
    if (rc == 0)
        *id = sqlite3_last_insert_rowid(q->db);
    return rc;
}

static int
sq_site_update(store *s, int64_t id, const char *name, const char *origins, pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    int rc;
    if ((rc = check_writable(q, err)) < 0 || (rc = prep(q, ST_SITE_UPDATE, &st, err)) < 0)
        return rc;
    bind_i64(st, 1, id);
    bind_text(st, 2, name);
    bind_text(st, 3, origins);
    rc = run(q, st, err, "update site");
    if (rc == 0 && sqlite3_changes(q->db) == 0)
        rc = pl_errorf(err, PL_ENOTFOUND, "no such site");
    return rc;
}

/* ---- a site's own settings ---------------------------------------------------- */

static void
site_settings_row(sqlite3_stmt *st, arena *a, void *item)
{
    store_site_settings *o = item;
    o->site_id = sqlite3_column_int64(st, 0);
    o->s.version = sqlite3_column_int64(st, 1);
    o->s.at = sqlite3_column_int64(st, 2);
    o->s.actor_id = sqlite3_column_int64(st, 3);
    o->s.body = col_text(st, 4, a);
}

static int
sq_site_settings_get(store *s, int64_t site_id, arena *a, store_settings *out, pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    bool found;
    int rc = prep(q, ST_SITE_SETTINGS_GET, &st, err);
    if (rc < 0)
        return rc;
    memset(out, 0, sizeof *out);
    out->body = "{}";
    bind_i64(st, 1, site_id);
    rc = one_row(q, st, err, "read a site's settings", &found);
    if (rc == 0 && found) {
        store_site_settings row;
        site_settings_row(st, a, &row);
        *out = row.s;
    }
    finish(st);
    return rc;
}

static int
sq_site_settings_put(store *s, int64_t site_id, int64_t expected, const char *body,
                     int64_t actor_id, int64_t now, pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    int rc;
    if ((rc = check_writable(q, err)) < 0 || (rc = prep(q, ST_SITE_SETTINGS_PUT, &st, err)) < 0)
        return rc;
    bind_i64(st, 1, site_id);
    bind_i64(st, 2, expected);
    bind_i64(st, 3, now);
    bind_id_or_null(st, 4, actor_id);
    bind_text(st, 5, body);
    rc = run(q, st, err, "write a site's settings");
    if (rc == PL_ECONFLICT || (rc == 0 && sqlite3_changes(q->db) == 0))
        rc = pl_errorf(err, PL_ECONFLICT,
                       "the site's settings were changed by someone else since version %lld",
                       (long long)expected);
    return rc;
}

static int
sq_site_settings_list(store *s, arena *a, store_site_settings **out, size_t *n, pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    int rc = page_begin(q, ST_SITE_SETTINGS_LIST, SITES_MAX, &st, out, n, err);
    if (rc < 0)
        return rc;
    bind_i64(st, 1, SITES_MAX);
    return read_rows(q, st, SITES_MAX, sizeof **out, site_settings_row, a, out, n, err,
                     "list the sites' settings");
}

static int
sq_moderator_sites(store *s, int64_t user_id, arena *a, int64_t **sites, size_t *n, pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    int64_t *v = NULL;
    size_t len = 0, cap = 0;
    int step, rc;
    *sites = NULL;
    *n = 0;
    if ((rc = prep(q, ST_MOD_SITES, &st, err)) < 0)
        return rc;
    bind_i64(st, 1, user_id);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        v = grow(a, v, len, &cap, sizeof *v);
        v[len++] = sqlite3_column_int64(st, 0);
    }
    rc = step == SQLITE_DONE ? 0 : db_fail(q, err, "read moderator sites");
    finish(st);
    if (rc == 0) {
        *sites = v;
        *n = len;
    }
    return rc;
}

static int
sq_moderator_sites_set(store *s, int64_t user_id, const int64_t *sites, size_t n, pl_error *err)
{
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    bool outer;
    int rc = check_writable(q, err);
    if (rc < 0 || (rc = op_begin(q, &outer, err)) < 0)
        return rc;
    if ((rc = prep(q, ST_MOD_SITES_CLEAR, &st, err)) == 0) {
        bind_i64(st, 1, user_id);
        rc = run(q, st, err, "clear moderator sites");
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if ((rc = prep(q, ST_MOD_SITES_ADD, &st, err)) < 0)
            break;
        bind_i64(st, 1, user_id);
        bind_i64(st, 2, sites[i]);
        rc = run(q, st, err, "add moderator site");
        if (rc == 0 && sqlite3_changes(q->db) == 0)
            rc = pl_errorf(err, PL_ENOTFOUND, "no site %lld", (long long)sites[i]);
    }
    return op_end(q, outer, rc, err);
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
    bool small = false;
    if ((rc = site_is_small(q, f->site, -2, SITE_DRIVE_MAX, &small, err)) < 0)
        return rc;
    const char *phrase = store_trigram_phrase(f->text, a);
    int which = small                   ? ST_USERS_SITE_SMALL
                : f->exact_name != NULL ? ST_USERS_BY_NAME
                : phrase != NULL        ? ST_USERS_TRIGRAM
                : f->role >= 0          ? ST_USERS_BY_ROLE
                                        : ST_USERS_SEARCH;
    if ((rc = prep(q, which, &st, err)) < 0)
        return rc;
    bind_i64(st, 1, f->before_id > 0 ? f->before_id : INT64_MAX);
    bind_text(st, 2, store_like_pattern(f->text, a));
    bind_i64(st, 3, f->role);
    bind_i64(st, 4, f->banned);
    bind_i64(st, 5, f->now);
    bind_i64(st, 6, f->since);
    bind_text(st, 7, f->exact_name);
    bind_i64(st, 8, limit);
    bind_i64(st, 9, f->site);
    if (which == ST_USERS_TRIGRAM)
        bind_text(st, 11, phrase);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        v = grow(a, v, len, &cap, sizeof *v);
        read_user(st, a, &v[len].user);
        v[len++].comments = sqlite3_column_int64(st, 12);
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
        note->created_at = time_now_ms();
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
sq_flags_about_user(store *s, int64_t user_id, bool given, int64_t site, int limit, arena *a,
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
    bind_i64(st, 3, site);
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
    bind_i64(st, 6, f->site);
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
sq_articles_close_before(store *s, int64_t cutoff, int64_t site, arena *a, const char ***ids,
                         size_t *n, pl_error *err)
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
        bind_i64(st, 2, site);
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

/* ---- the desk's search ------------------------------------------------------------ */

/* Words searched with an author or an article: up to this many comments of
 * theirs, each is asked about the words (some 40 us each); beyond, the
 * words' matches are walked newest first and checked against the filter. */
#define SEARCH_DRIVE_MAX 2000

static int
sq_comments_search(store *s, const store_search *f, int limit, arena *a, store_comment_list *out,
                   pl_error *err)
{
    static const int stmt[] = {[STORE_SEARCH_TEXT] = ST_SEARCH_TEXT,
                               [STORE_SEARCH_AUTHOR] = ST_SEARCH_AUTHOR,
                               [STORE_SEARCH_ARTICLE] = ST_SEARCH_ARTICLE,
                               [STORE_SEARCH_STATUS] = ST_SEARCH_STATUS,
                               [STORE_SEARCH_ALL] = ST_SEARCH_ALL};
    sq *q = to_sq(s);
    sqlite3_stmt *st = NULL;
    const char *match = NULL;
    clist l = {.a = a};
    store_search_plan plan;
    int rc = store_search_plan_pick(f, limit, out, &plan, err);
    if (rc < 0 || plan == STORE_SEARCH_NONE)
        return rc;
    if (plan == STORE_SEARCH_TEXT && (match = store_fts5_query(f->text, a)) == NULL)
        return 0;
    /* Inside the writer's own transaction, the comments it wrote are
     * indexed before it searches them (fts_flush; never on a reader, whose
     * snapshot is a committed one where nothing waits). */
    if (plan == STORE_SEARCH_TEXT && !q->read_only && !sqlite3_get_autocommit(q->db) &&
        (rc = fts_flush(q, err)) < 0)
        return rc;
    int which = stmt[plan];
    if (plan == STORE_SEARCH_TEXT && (f->author_id != 0 || f->article_id != NULL)) {
        bool by_author = f->author_id != 0;
        int64_t few = 0;
        if ((rc = prep(q, by_author ? ST_SEARCH_COUNT_AUTHOR : ST_SEARCH_COUNT_ARTICLE, &st, err)) <
            0)
            return rc;
        if (by_author)
            bind_i64(st, 1, f->author_id);
        else
            bind_text(st, 1, f->article_id);
        bind_i64(st, 2, SEARCH_DRIVE_MAX + 1);
        if ((rc = ints_row(q, st, &few, 1, err, "count comments")) < 0)
            return rc;
        if (few <= SEARCH_DRIVE_MAX)
            which = by_author ? ST_SEARCH_TEXT_AUTHOR : ST_SEARCH_TEXT_ARTICLE;
    } else if (f->site > 1 && plan != STORE_SEARCH_AUTHOR && plan != STORE_SEARCH_ARTICLE) {
        /* A site with few comments: from its key range (SITE_DRIVE_MAX). */
        bool small;
        if ((rc = site_is_small(q, f->site, -2, SITE_DRIVE_MAX, &small, err)) < 0)
            return rc;
        if (small && plan != STORE_SEARCH_TEXT)
            which = ST_SEARCH_RANGE;
        else if (small) {
            bool tiny;
            if ((rc = site_is_small(q, f->site, f->status, SEARCH_PROBE_MAX, &tiny, err)) < 0)
                return rc;
            which = tiny ? ST_SEARCH_TEXT_RANGE_FEW : ST_SEARCH_TEXT_RANGE;
        }
    }
    if ((rc = prep(q, which, &st, err)) < 0)
        return rc;
    bind_i64(st, 1, 0);
    bind_text(st, 2, match);
    bind_i64(st, 3, f->before_id > 0 ? f->before_id : INT64_MAX);
    bind_i64(st, 4, f->author_id);
    bind_text(st, 5, f->article_id);
    bind_i64(st, 6, f->status);
    bind_i64(st, 7, limit);
    bind_i64(st, 8, f->site);
    if ((rc = read_comments(q, st, &l, err)) < 0)
        return rc;
    out->items = l.v;
    out->n = l.n;
    return 0;
}

static int
sq_stats_get(store *s, int64_t from, int64_t to, const int64_t *sites, size_t n_sites, arena *a,
             store_stats *out, pl_error *err)
{
    sq *q = to_sq(s);
    int rc = store_stats_begin(out, from, to, a, err);
    /* The summary tables count by UTC day and site: other ranges are
     * counted from the data, of every site. */
    bool rolled = from % STORE_DAY_MS == 0;
    if (rc == 0 && n_sites > 0 && !rolled)
        rc = pl_errorf(err, PL_EINVAL, "The numbers of a site start at a UTC midnight.");
    out->waits_unsorted = n_sites > 1;
    size_t passes = n_sites > 0 ? n_sites : 1;
    for (int k = 0; rc == 0 && k < STATS_Q_COUNT * (int)passes; k++) {
        int i = k % STATS_Q_COUNT;
        sqlite3_stmt *st = NULL;
        if ((rc = prep(q, (rolled ? ST_STATS_R_COMMENTS : ST_STATS_COMMENTS) + i, &st, err)) < 0)
            break;
        bind_i64(st, 1, from);
        bind_i64(st, 2, to);
        if (sqlite3_bind_parameter_count(st) >= 3) /* the queues' */
            bind_i64(st, 3, (int64_t)out->n_days);
        if (sqlite3_bind_parameter_count(st) >= 4) /* the summary tables' */
            bind_i64(st, 4, n_sites > 0 ? sites[k / STATS_Q_COUNT] : 0);
        int step;
        while ((step = sqlite3_step(st)) == SQLITE_ROW) {
            int64_t v[4];
            for (int c = 0; c < 4; c++)
                v[c] = sqlite3_column_int64(st, c);
            const char *text = (const char *)sqlite3_column_text(st, 1);
            store_stats_row(out, (store_stats_query)i, v, text, a);
        }
        rc = step == SQLITE_DONE ? 0 : db_fail(q, err, "read numbers");
        finish(st);
    }
    if (rc == 0)
        store_stats_end(out, a);
    return rc;
}

/* The entries of STORE_OPS (store_int.h) are sq_NAME. */
/* NOLINTNEXTLINE(bugprone-macro-parentheses): name is a member name */
#define SQ_OP(name, params, args) .name = sq_##name,
#define SQ_PRIM(name, params) .name = sq_##name,
/* clang-format off */
static const store_ops sqlite_ops = {
    .name = "sqlite",
    .close = sq_close,
    .rollback = sq_rollback,
    .savepoint_rollback = sq_savepoint_rollback,
    .viewer_layer = sq_viewer_layer,
    .session_layer = sq_session_layer,
    .article_recent = sq_article_recent,
    .pow_spend = sq_pow_spend,
    .comment_reviewed = sq_comment_reviewed,
    .email_ban_get = sq_email_ban_get,
    STORE_OPS(SQ_OP)
    STORE_PRIMS(SQ_PRIM)
};
/* clang-format on */
#undef SQ_OP
#undef SQ_PRIM
