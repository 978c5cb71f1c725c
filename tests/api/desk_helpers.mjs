// tests/api/desk_helpers.mjs: shared set-up for the moderator-desk API tests:
// a server with an admin, a moderator and readers, and direct SQL on the
// test database for what the API cannot do on purpose (age an account or an
// article, end a suspension) — the clock is the only thing faked.
import { spawnSync } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { startServer, createUser, Client, TIME_SCALE } from '../lib/server.mjs';

// SQLite through sqlite3, PostgreSQL (tests/pg.sh) through psql; statements
// keep to SQL both accept (no integer products beyond 32 bits: PostgreSQL
// computes them as int4 and fails).
export function sql(dbUrl, statement) {
  if (/^postgres(ql)?:\/\//.test(dbUrl)) {
    const r = spawnSync('psql', ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', dbUrl, '-c', statement],
      { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`psql failed: ${r.stderr || r.error}`);
    return r.stdout.trim();
  }
  const file = dbUrl.replace(/^sqlite:(\/\/)?/, '');
  const r = spawnSync('sqlite3', ['-cmd', '.timeout 5000', file, statement], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`sqlite3 failed: ${r.stderr}`);
  return r.stdout.trim();
}

// SQL that drops the numbers' summary tables and their triggers (SQLite
// migration 17, PostgreSQL 18; kept by site since SQLite 21, PostgreSQL 23),
// for tests that undo migrations.
export function summaryDropSql(dbUrl) {
  if (/^postgres(ql)?:\/\//.test(dbUrl)) {
    return 'DROP TABLE stats_daily, stats_span, stats_decision, stats_engine, stats_flags CASCADE;'
      + ' DROP FUNCTION stats_comments_changed, stats_decisions_changed, stats_flags_changed,'
      + ' stats_modlog_changed, stats_span_changed, stats_engine_changed, stats_span_refresh,'
      + ' stats_decision_refresh, stats_engine_refresh, stats_verdict, stats_add, stats_site CASCADE;';
  }
  const triggers = sql(dbUrl, "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'stats%'")
    .split('\n').filter(Boolean);
  return triggers.map((t) => `DROP TRIGGER ${t};`).join(' ')
    + ' DROP TABLE stats_daily; DROP TABLE stats_span; DROP TABLE stats_decision;'
    + ' DROP TABLE stats_engine; DROP TABLE stats_flags;';
}

// SQL that undoes the migrations after the summary tables, for tests that
// undo migrations: the site of each log entry (SQLite 18, PostgreSQL 19), the
// moderators' sites (SQLite 20, PostgreSQL 21), PostgreSQL's
// comments_site_range (22; SQLite has none), users_role (SQLite 22,
// PostgreSQL 24), the people's trigram index (SQLite 23, PostgreSQL 25),
// comments_author_article (SQLite 24, PostgreSQL 26; gone again since
// SQLite 27 and PostgreSQL 28, which widen the indexes that stay), SQLite's
// comments_fts_pending (25), with the search index's triggers as migration
// 10 made them (the later migrations' writes to comments fire them), and the
// comments' repeat keys (SQLite 26, with comments_author back in place of
// comments_author_fold; PostgreSQL 27).
export function logSiteDropSql(dbUrl) {
  const trigram = /^postgres(ql)?:\/\//.test(dbUrl)
    ? ' DROP INDEX IF EXISTS users_name_trgm; DROP INDEX IF EXISTS users_email_trgm;'
      + ' ALTER TABLE comments DROP COLUMN fold_hash, DROP COLUMN fold_len, DROP COLUMN fold_ver;'
    : ' DROP TRIGGER IF EXISTS users_trgm_insert; DROP TRIGGER IF EXISTS users_trgm_update;'
      + ' DROP TRIGGER IF EXISTS users_trgm_delete; DROP TABLE IF EXISTS users_trgm;'
      + ' DROP TRIGGER comments_fts_insert; DROP TRIGGER comments_fts_update; DROP TRIGGER comments_fts_delete;'
      + ' CREATE TRIGGER comments_fts_insert AFTER INSERT ON comments'
      + '  BEGIN INSERT INTO comments_fts(rowid, body) VALUES (NEW.id, NEW.body); END;'
      + ' CREATE TRIGGER comments_fts_update AFTER UPDATE OF body ON comments WHEN OLD.body IS NOT NEW.body'
      + "  BEGIN INSERT INTO comments_fts(comments_fts, rowid, body) VALUES ('delete', OLD.id, OLD.body);"
      + '  INSERT INTO comments_fts(rowid, body) VALUES (NEW.id, NEW.body); END;'
      + ' CREATE TRIGGER comments_fts_delete AFTER DELETE ON comments'
      + "  BEGIN INSERT INTO comments_fts(comments_fts, rowid, body) VALUES ('delete', OLD.id, OLD.body); END;"
      + ' DROP TABLE comments_fts_pending;'
      + ' DROP INDEX comments_author_fold; ALTER TABLE comments DROP COLUMN fold_hash;'
      + ' ALTER TABLE comments DROP COLUMN fold_len; ALTER TABLE comments DROP COLUMN fold_ver;'
      + ' CREATE INDEX comments_author ON comments(author_id, created_at);';
  return ' DROP INDEX modlog_site; ALTER TABLE modlog DROP COLUMN site; DROP TABLE site_moderators;'
    + ` DROP INDEX IF EXISTS comments_site_range; DROP INDEX users_role;${trigram}`
    + ' DROP INDEX IF EXISTS comments_author_article;';
}

export async function deskServer(env = {}) {
  const srv = await startServer({ env });
  createUser(srv.dbUrl, { email: 'admin@example.com', name: 'Ada Admin', role: 'admin' });
  createUser(srv.dbUrl, { email: 'mod@example.com', name: 'Max Moderator', role: 'moderator' });
  const admin = new Client(srv.url);
  const mod = new Client(srv.url);
  await admin.login('admin@example.com');
  await mod.login('mod@example.com');
  let n = 0;
  // A new reader with a session; established readers' accounts are aged past
  // flag_new_account_days so their flags carry full weight.
  async function reader(name, { established = false } = {}) {
    const c = new Client(srv.url);
    const email = `${name.toLowerCase().replace(/[^a-z0-9]/g, '')}${++n}@example.com`;
    const res = await c.register(name, email);
    if (res.status !== 201) throw new Error(`register ${res.status} ${res.text}`);
    c.user = res.json.user;
    c.email = email;
    if (established) sql(srv.dbUrl, `UPDATE users SET created_at = created_at - ${30 * 86400000} WHERE id = ${c.user.id}`);
    return c;
  }
  return { srv, admin, mod, reader, url: srv.url };
}

export async function post(client, article, body, parent_id) {
  const res = await client.post(`/api/v1/articles/${article}/comments`, parent_id ? { body, parent_id } : { body });
  if (res.status !== 201) throw new Error(`post ${res.status} ${res.text}`);
  return res.json.comment;
}

export async function listIds(client, article) {
  const res = await client.get(`/api/v1/articles/${article}/comments?limit=100`);
  const ids = [];
  const walk = (cs) => { for (const c of cs) { ids.push(c.id); walk(c.replies); } };
  walk(res.json.comments);
  return ids;
}

const b64 = (x) => Buffer.from(typeof x === 'string' ? x : JSON.stringify(x)).toString('base64url');

export function jwt(secret, claims, header = { alg: 'HS256', typ: 'JWT' }) {
  const head = b64(header) + '.' + b64(claims);
  const sig = createHmac('sha256', secret).update(head).digest('base64url');
  return head + '.' + sig;
}

export function claims(over = {}) {
  const now = Math.floor(Date.now() / 1000);
  return { sub: 'pub-42', name: 'Paula Publisher', email: 'paula@news.example.com', iat: now, exp: now + 300, jti: randomUUID(), ...over };
}

// Resolves when the server's log has a line matching re (the log is the event).
export function logLine(srv, re, what) {
  if (re.test(srv.log())) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => { srv.proc.stderr.off('data', on); reject(new Error(`no log line for ${what}:\n${srv.log()}`)); },
      20000 * TIME_SCALE);
    function on() {
      if (re.test(srv.log())) { clearTimeout(t); srv.proc.stderr.off('data', on); resolve(); }
    }
    srv.proc.stderr.on('data', on);
  });
}
