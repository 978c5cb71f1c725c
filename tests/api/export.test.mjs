// tests/api/export.test.mjs: `parley export` and `parley import parley`.
//
// A site is built through the API of a real server on SQLite (users with
// roles and a ban, articles with statuses, threads three deep, comments
// held, refused, deleted, hidden by flags, featured, with a moderator's
// reason, and the moderation log). It is exported, imported into a second
// database and exported again: the two exports must be the same record for
// record, and a server on the copy must show the same threads, counts and
// statuses. Under tests/pg.sh (PARLEY_TEST_DB_URL = postgres://) the copy
// is a PostgreSQL database, and it goes back to SQLite again: the round
// trip between the two backends. Then: a server with changed settings and
// two more sites is restored whole from its export, and a file of format 1
// is still read; running an import twice or after an interruption stores
// nothing twice; --dry-run opens no database; a broken file names its line.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BIN, startServer, tempDb, createUser, Client } from '../lib/server.mjs';
import { stopClean } from '../lib/api.mjs';
import { sql } from './desk_helpers.mjs';

const dir = mkdtempSync(path.join(tmpdir(), 'parley-export-'));
const cleanups = [() => rmSync(dir, { recursive: true, force: true })];
after(() => { for (const c of cleanups.reverse()) c(); });

function sqliteDb(name) {
  return { url: `sqlite:${path.join(dir, name)}`, cleanup() {} };
}

function freshDb() {
  const db = tempDb();
  cleanups.push(() => db.cleanup());
  return db;
}

function run(args, opts = {}) {
  const r = spawnSync(BIN, args, { encoding: 'utf8', ...opts });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function exportTo(dbUrl, file) {
  const r = run(['export', '--db', dbUrl, '--to', file]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^exported \d+ users, \d+ articles, \d+ comments, \d+ flags, \d+ likes, \d+ log entries, \d+ sites, \d+ settings versions, \d+ moderators' site limits\n$/);
  return readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
}

function importFile(dbUrl, file, extra = []) {
  return run(['import', 'parley', file, '--db', dbUrl, ...extra]);
}

// Records without the header's time: what must survive a round trip.
const body = (records) => records.slice(1);

// Builds the site; returns what the test compares later. A failure on the
// way stops the server, so the file ends instead of waiting on it.
async function buildSite(db) {
  // Article addresses must be on one of the site's own origins.
  const srv = await startServer({ db, keepDb: true, env: { PARLEY_ALLOWED_ORIGINS: 'https://news.example.com' } });
  try {
    return await fillSite(srv, db);
  } catch (e) {
    srv.proc.kill('SIGKILL');
    throw e;
  }
}

async function fillSite(srv, db) {
  createUser(db.url, { email: 'admin@example.com', name: 'Ada Admin', role: 'admin' });
  createUser(db.url, { email: 'mod@example.com', name: 'Max Moderator', role: 'moderator' });
  const mod = new Client(srv.url);
  await mod.login('mod@example.com');
  const readers = [];
  for (const name of ['Rosa', 'Sam', 'Tia', 'Uma']) {
    const c = new Client(srv.url);
    const r = await c.register(name, `${name.toLowerCase()}@example.com`);
    assert.equal(r.status, 201);
    c.user = r.json.user;
    readers.push(c);
  }
  sql(db.url, 'UPDATE users SET created_at = created_at - 2592000000');
  const [rosa, sam, tia, uma] = readers;
  const postIn = async (c, art, text, parent_id) => {
    const r = await c.post(`/api/v1/articles/${art}/comments`, parent_id ? { body: text, parent_id } : { body: text, article_title: `Story ${art}`, article_url: `https://news.example.com/${art}` });
    assert.ok(r.status === 201 || r.status === 422, `${r.status} ${r.text}`);
    return r.json.comment;
  };
  const a1 = await postIn(rosa, 'harbour', 'The new harbour wall is a good idea.');
  const a2 = await postIn(sam, 'harbour', 'I disagree: it costs **too much**.', a1.id);
  for (const c of [rosa, tia]) assert.equal((await c.post(`/api/v1/comments/${a2.id}/likes`, {})).status, 200);
  const a3 = await postIn(tia, 'harbour', 'Costs are covered by the port fees.', a2.id);
  await postIn(uma, 'harbour', 'Deep reply at level four.', a3.id);
  const held = await postIn(uma, 'harbour', 'You are an idiot, Sam.', a2.id);
  assert.equal(held.status, 'pending');
  await postIn(rosa, 'budget', 'A second article, a second thread.');
  const gone = await postIn(sam, 'budget', 'I will delete this one.');
  assert.equal((await sam.del(`/api/v1/comments/${gone.id}`)).status, 204);
  // A mild plug that the spam score lets through and readers then flag as spam.
  const hidden = await postIn(tia, 'budget', 'Nice watches at the market stall by the bridge this week.');
  for (const c of [rosa, sam, uma]) assert.equal((await c.post(`/api/v1/comments/${hidden.id}/flags`, { reason: 'spam' })).status, 201);
  // Decisions: feature one, reject the held one with a reason.
  assert.equal((await mod.post(`/api/v1/mod/comments/${a1.id}/decision`, { action: 'feature' })).status, 200);
  assert.equal((await mod.post(`/api/v1/mod/comments/${held.id}/decision`, { action: 'reject', reason: 'Name-calling.' })).status, 200);
  assert.equal((await mod.put('/api/v1/articles/budget', { status: 'closed', sensitive: true })).status, 200);
  assert.equal((await mod.post(`/api/v1/mod/users/${uma.user.id}/ban`, { reason: 'repeated insults' })).status, 200);
  // A premoderated article with a pending comment.
  assert.equal((await mod.put('/api/v1/articles/quiet', { status: 'premoderated', title: 'Quiet story' })).status, 200);
  await postIn(rosa, 'quiet', 'Waiting for review.');
  return { srv, mod, ids: { a1: a1.id, held: held.id, hidden: hidden.id, gone: gone.id } };
}

// What readers and moderators see: threads, counts, statuses.
async function view(url) {
  const anon = new Client(url);
  const mod = new Client(url);
  assert.equal((await mod.login('mod@example.com')).status, 200);
  const v = {};
  for (const art of ['harbour', 'budget', 'quiet']) {
    const r = await anon.get(`/api/v1/articles/${art}/comments?limit=100`);
    assert.equal(r.status, 200);
    v[art] = { article: r.json.article, comments: r.json.comments };
  }
  v.counts = (await anon.get('/api/v1/counts?article=harbour&article=budget&article=quiet')).json;
  for (const q of ['pending', 'flagged', 'rejected']) {
    v[q] = (await mod.get(`/api/v1/mod/queue?queue=${q}&limit=100`)).json.items.map((i) => [i.comment.id, i.comment.status, i.comment.body, i.comment.moderator_reason]);
  }
  v.modcounts = (await mod.get('/api/v1/mod/counts')).json;
  return v;
}

test('export, import into another database, export again: the same site', async () => {
  const src = sqliteDb('source.db');
  const site = await buildSite(src);
  const first = path.join(dir, 'first.jsonl');
  const recs = exportTo(src.url, first);
  const before = await view(site.srv.url);
  await stopClean(site.srv);

  // The file: header, end with counts, no secrets.
  assert.deepEqual(Object.keys(recs[0]), ['type', 'version', 'exported_at']);
  assert.equal(recs[0].version, 3);
  const end = recs[recs.length - 1];
  const count = (t) => recs.filter((r) => r.type === t).length;
  assert.deepEqual(end, { type: 'end', counts: { users: count('user'), articles: count('article'), comments: count('comment'), flags: count('flag'), likes: count('like'), log: count('log'), sites: 1, settings: 0, moderator_sites: 0 } });
  assert.deepEqual(recs[1], { type: 'site', id: '1', slug: 'default', name: recs[1].name, origins: [] }, 'the default site, right after the header');
  assert.equal(count('flag'), 3);
  assert.equal(count('like'), 2);
  assert.equal(statSync(first).mode & 0o777, 0o600, 'e-mail addresses: readable by the owner only');
  const text = readFileSync(first, 'utf8');
  assert.ok(!/argon2|pw_hash|password|session/i.test(text), 'no secrets in the export');
  const a1 = recs.find((r) => r.type === 'comment' && r.id === site.ids.a1);
  assert.equal(a1.featured, true);
  assert.match(a1.created_at, /\.\d{3}Z$/, 'times keep their milliseconds');
  const held = recs.find((r) => r.type === 'comment' && r.id === site.ids.held);
  assert.equal(held.status, 'rejected');
  assert.equal(held.moderator_reason, 'Name-calling.');
  assert.equal(held.moderation.decision, 'hold');
  assert.equal(recs.find((r) => r.type === 'comment' && r.id === site.ids.hidden).status, 'hidden');
  assert.equal(recs.find((r) => r.type === 'comment' && r.id === site.ids.gone).body, '');
  assert.ok(recs.some((r) => r.type === 'log' && r.action === 'ban'));
  const uma = recs.find((r) => r.type === 'user' && r.name === 'Uma');
  assert.deepEqual([uma.banned, uma.ban_reason, uma.banned_until], [true, 'repeated insults', null]);

  // Into the copy (PostgreSQL under tests/pg.sh), then back to SQLite.
  const copy = freshDb();
  let r = importFile(copy.url, first);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`^imported ${count('user')} users \\(0 already had an account\\), ${count('article')} articles, ${count('comment')} comments`));
  const second = path.join(dir, 'second.jsonl');
  assert.deepEqual(body(exportTo(copy.url, second)), body(recs), 'the copy exports the same records');
  const back = sqliteDb('back.db');
  r = importFile(back.url, second);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(body(exportTo(back.url, path.join(dir, 'third.jsonl'))), body(recs));

  // A server on the copy shows the same threads, counts and statuses.
  // Passwords are not exported: the moderator gets one here, by SQL, from
  // an account made with the CLI.
  createUser(copy.url, { email: 'mod2@example.com', name: 'Second Moderator', role: 'moderator' });
  sql(copy.url, "UPDATE users SET pw_hash = (SELECT pw_hash FROM users WHERE email = 'mod2@example.com') WHERE email = 'mod@example.com'");
  const srv = await startServer({ db: copy, keepDb: true });
  try {
    const after = await view(srv.url);
    assert.deepEqual(after, before);
  } finally {
    await stopClean(srv);
  }
});

test('a server with changed settings and two more sites: the export restores it whole; format 1 is still read', async () => {
  const src = freshDb();
  const srv = await startServer({ db: src, keepDb: true });
  let before;
  try {
    createUser(src.url, { email: 'admin@example.com', name: 'Ada Admin', role: 'admin' });
    const admin = new Client(srv.url);
    await admin.login('admin@example.com');
    let res;
    for (const [slug, name, origins] of [['sport', 'Sport desk', ['https://sport.example']], ['culture', 'Culture', ['https://culture.example', 'http://localhost:9000']]]) {
      res = await admin.post('/api/v1/mod/sites', { slug, name, origins });
      assert.equal(res.status, 201, res.text);
    }
    assert.equal((await admin.patch('/api/v1/mod/sites/1', { name: 'The Daily' })).status, 200);
    const reader = new Client(srv.url);
    assert.equal((await reader.register('Rosa', 'rosa@example.com')).status, 201);
    for (const site of ['default', 'sport', 'culture']) {
      const c = await reader.post(`/api/v1/articles/same-id/comments?site=${site}`, { body: `First on ${site}.` });
      assert.equal(c.status, 201, c.text);
      assert.equal((await reader.post(`/api/v1/articles/same-id/comments?site=${site}`, { body: `A reply on ${site}.`, parent_id: c.json.comment.id })).status, 201);
    }
    res = await admin.put('/api/v1/mod/settings', { version: 0, settings: { flag_threshold: 5, 'policy.profanity': 'hold', 'words.block': ['pineapple pizza'] } });
    assert.equal(res.status, 200, res.text);
    res = await admin.put('/api/v1/mod/settings', { version: 1, settings: { 'premoderation.first_comments': 2, flag_threshold: 7 } });
    assert.equal(res.status, 200, res.text);
    res = await admin.put('/api/v1/mod/settings?site=sport', { version: 0, settings: { 'pages.guidelines': '# Sport rules\n\nBe fair to the referee.' } });
    assert.equal(res.status, 200, res.text);
    // A moderator limited to two sites (docs/SITES.md), and one who is not.
    createUser(src.url, { email: 'mia@example.com', name: 'Mia Moderator', role: 'moderator' });
    createUser(src.url, { email: 'max@example.com', name: 'Max Moderator', role: 'moderator' });
    const ids = Object.fromEntries((await admin.get('/api/v1/mod/sites')).json.sites.map((x) => [x.slug, x.id]));
    const mia = (await admin.get('/api/v1/mod/users?q=mia@example.com')).json.users[0];
    res = await admin.put(`/api/v1/mod/users/${mia.id}/sites`, { sites: [ids.sport, ids.culture] });
    assert.equal(res.status, 200, res.text);
    before = await whole(srv.url);
    assert.equal(before.threads.sport.length, 1);
  } finally {
    await stopClean(srv);
  }
  assert.deepEqual(before.sites.map((x) => x.slug), ['default', 'sport', 'culture']);

  const file = path.join(dir, 'whole.jsonl');
  const recs = exportTo(src.url, file);
  assert.deepEqual(recs.slice(1, 4).map((r) => [r.type, r.slug]), [['site', 'default'], ['site', 'sport'], ['site', 'culture']]);
  const settings = recs.filter((r) => r.type === 'settings');
  assert.equal(settings.length, 2, 'the version in force only: the server\'s, and the sport site\'s own');
  assert.deepEqual([settings[0].version, settings[0].site, settings[0].body], [2, undefined, { flag_threshold: 7, 'policy.profanity': 'hold', 'premoderation.first_comments': 2, 'words.block': ['pineapple pizza'] }]);
  assert.deepEqual([settings[1].version, settings[1].site, settings[1].body], [1, recs[2].id, { 'pages.guidelines': '# Sport rules\n\nBe fair to the referee.' }]);
  assert.ok(recs.findIndex((r) => r.type === 'settings') < recs.findIndex((r) => r.type === 'article'));
  assert.deepEqual(recs[recs.length - 1].counts.sites, 3);
  assert.deepEqual(recs[recs.length - 1].counts.settings, 2);
  const limRec = recs.find((x) => x.type === 'moderator_sites');
  assert.deepEqual(recs.filter((x) => x.type === 'moderator_sites').length, 1, 'Max has no limit');
  assert.equal(recs[recs.indexOf(limRec) - 1].email, 'mia@example.com', 'right after its user');
  assert.deepEqual(limRec.sites, [recs[2].id, recs[3].id]);
  assert.equal(recs[recs.length - 1].counts.moderator_sites, 1);
  assert.equal(recs[0].version, 3);

  // Restored into a fresh database (PostgreSQL under tests/pg.sh) that
  // already has a site of its own, so the sites' ids differ there.
  const copy = freshDb();
  // Makes the schema; passwords are not exported, so this admin of the copy reads it back.
  createUser(copy.url, { email: 'someone@example.com', name: 'Someone', role: 'admin' });
  sql(copy.url, "INSERT INTO sites (slug, name, origins, created_at) VALUES ('local', 'Local', '', 1764892800000)");
  let r = importFile(copy.url, file);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /, 3 sites, 2 settings versions, 1 moderators' site limits; 0 records skipped/);
  const srv2 = await startServer({ db: copy, keepDb: true });
  let after;
  try {
    after = await whole(srv2.url, 'someone@example.com');
  } finally {
    await stopClean(srv2);
  }
  assert.deepEqual(after.settings, before.settings, 'the same settings in force');
  assert.deepEqual(after.sport, before.sport, 'the sport site\'s own guidelines');
  assert.match(JSON.stringify(after.sport), /Sport rules/);
  assert.deepEqual(after.sites.filter((x) => x.slug !== 'local'), before.sites, 'the same sites, names and origins');
  assert.deepEqual(after.threads, before.threads, 'each site\'s thread');
  assert.deepEqual(before.limits, { 'mia@example.com': ['sport', 'culture'], 'max@example.com': [] });
  assert.deepEqual(after.limits, before.limits, 'the moderators\' sites, by slug');
  assert.notEqual(sql(copy.url, "SELECT id FROM sites WHERE slug = 'sport'"), '2', 'the site got another id here');

  // Again: nothing changes, the settings are not stored twice.
  const versions = sql(copy.url, 'SELECT count(*) FROM settings');
  r = importFile(copy.url, file);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /, 0 sites, 0 settings versions, 1 moderators' site limits; \d+ records skipped/);
  assert.equal(sql(copy.url, 'SELECT count(*) FROM settings'), versions);

  // A file of format 1 (as the previous version wrote it) is still read.
  const v1 = path.join(dir, 'v1.jsonl');
  const old = recs.filter((x) => x.type !== 'site' && x.type !== 'settings' && x.type !== 'moderator_sites' && !String(x.id || x.article_id || '').includes('/'))
    .filter((x) => x.type !== 'comment' || !x.article_id.includes('/'));
  old[0] = { ...old[0], version: 1 };
  const n = (t) => old.filter((x) => x.type === t).length;
  old[old.length - 1] = { type: 'end', counts: { users: n('user'), articles: n('article'), comments: n('comment'), flags: n('flag'), likes: n('like'), log: n('log') } };
  writeFileSync(v1, old.map((x) => JSON.stringify(x)).join('\n') + '\n');
  r = importFile(freshDb().url, v1);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`^imported ${n('user')} users .*, 0 sites, 0 settings versions, 0 moderators' site limits;`));

  // A moderator's sites naming a site or a user the file does not have:
  // the import stops, naming the line and the field.
  for (const [bad, msg] of [[{ type: 'moderator_sites', user_id: limRec.user_id, sites: ['999'] }, /line \d+: sites: 999 is not a site earlier in the file/],
    [{ type: 'moderator_sites', user_id: '999', sites: [recs[2].id] }, /line \d+: user_id 999 is not a user earlier in the file/],
    [{ type: 'moderator_sites', user_id: limRec.user_id, sites: [] }, /line \d+: sites must be a list of 1 to 1000 site ids/]]) {
    const f = path.join(dir, 'bad-limits.jsonl');
    const lines = recs.map((x) => JSON.stringify(x === limRec ? bad : x));
    writeFileSync(f, lines.join('\n') + '\n');
    r = importFile(freshDb().url, f);
    assert.notEqual(r.status, 0, JSON.stringify(bad));
    assert.match(r.stderr, msg);
    assert.match(r.stderr, new RegExp(`line ${recs.indexOf(limRec) + 1}:`));
  }
});

// The settings in force, the sites and each site's thread of same-id.
async function whole(url, admin = 'admin@example.com') {
  const c = new Client(url);
  assert.equal((await c.login(admin)).status, 200);
  const settings = (await c.get('/api/v1/mod/settings')).json.settings.map((s) => [s.name, s.value]);
  const sites = (await c.get('/api/v1/mod/sites')).json.sites.map((s) => ({ slug: s.slug, name: s.name, origins: s.origins }));
  const sport = (await c.get('/api/v1/mod/settings?site=sport')).json.settings.map((s) => [s.name, s.value, s.overridden]);
  const threads = {};
  for (const site of ['default', 'sport', 'culture']) {
    const t = (await new Client(url).get(`/api/v1/articles/same-id/comments?site=${site}&limit=100`)).json;
    threads[site] = t.comments.map((x) => [x.author.name, x.html, x.status, x.replies.map((y) => [y.author.name, y.html, y.status])]);
  }
  const limits = {};
  const slugs = Object.fromEntries((await c.get('/api/v1/mod/sites')).json.sites.map((s) => [s.id, s.slug]));
  for (const email of ['mia@example.com', 'max@example.com']) {
    const u = (await c.get(`/api/v1/mod/users?q=${email}`)).json.users[0];
    if (u) limits[email] = (await c.get(`/api/v1/mod/users/${u.id}`)).json.user.moderator_sites.map((id) => slugs[id]);
  }
  return { settings, sites, sport, threads, limits };
}

test('an import run twice, or after an interruption, stores nothing twice', async () => {
  const src = sqliteDb('twice-source.db');
  const site = await buildSite(src);
  await stopClean(site.srv);
  const file = path.join(dir, 'twice.jsonl');
  const recs = exportTo(src.url, file);
  const lines = readFileSync(file, 'utf8').trim().split('\n');

  // Cut short after the first comments: an error, but what was read stays.
  const cut = path.join(dir, 'cut.jsonl');
  const firstComment = lines.findIndex((l) => l.includes('"type":"comment"'));
  writeFileSync(cut, lines.slice(0, firstComment + 3).join('\n') + '\n');
  const db = sqliteDb('twice.db');
  let r = importFile(db.url, cut);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /line \d+: the file ends before its end record/);
  assert.equal(sql(db.url, 'SELECT count(*) FROM comments'), '3');

  // The whole file completes it; a second run stores nothing.
  r = importFile(db.url, file);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /records skipped/);
  const total = recs.filter((x) => x.type === 'comment').length;
  assert.equal(sql(db.url, 'SELECT count(*) FROM comments'), String(total));
  const logs = sql(db.url, 'SELECT count(*) FROM modlog');
  r = importFile(db.url, file);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^imported 0 users \(0 already had an account\), \d+ articles, 0 comments .* 0 log entries, 0 sites, 0 settings versions, 0 moderators' site limits; \d+ records skipped/);
  assert.equal(sql(db.url, 'SELECT count(*) FROM comments'), String(total));
  assert.equal(sql(db.url, 'SELECT count(*) FROM modlog'), logs);
  assert.deepEqual(body(exportTo(db.url, path.join(dir, 'twice-out.jsonl'))), body(recs));

  // Into a site that already has one of the accounts: matched by e-mail.
  const other = sqliteDb('other.db');
  createUser(other.url, { email: 'rosa@example.com', name: 'Rosa Elsewhere' });
  r = importFile(other.url, file);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /\(1 already had an account\)/);
  assert.equal(sql(other.url, "SELECT count(*) FROM users WHERE email = 'rosa@example.com'"), '1');
});

test('--dry-run opens no database; broken files name their line; bad flags exit 2', async () => {
  const src = sqliteDb('dry-source.db');
  const site = await buildSite(src);
  await stopClean(site.srv);
  const file = path.join(dir, 'dry.jsonl');
  const recs = exportTo(src.url, file);
  const target = path.join(dir, 'never.db');
  let r = importFile(`sqlite:${target}`, file, ['--dry-run']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`^dry run, nothing written: would import ${recs.filter((x) => x.type === 'user').length} users`));
  assert.equal(existsSync(target), false);

  // --to - writes to standard output, the summary to standard error.
  r = run(['export', '--db', src.url, '--to', '-']);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(body(r.stdout.trim().split('\n').map((l) => JSON.parse(l))), body(recs));
  assert.match(r.stderr, /^exported /);

  const lines = readFileSync(file, 'utf8').trim().split('\n');
  const broken = (name, ls) => { const f = path.join(dir, name); writeFileSync(f, ls.join('\n') + '\n'); return f; };
  const cases = [
    [broken('notjson.jsonl', [lines[0], lines[1], '{"type": "user", oops}']), /line 3: not JSON/],
    [broken('noheader.jsonl', lines.slice(1)), /line 1: not a Parley export/],
    [broken('v4.jsonl', ['{"type":"parley","version":4}', ...lines.slice(1)]), /line 1: format version 4; this program reads 1 to 3/],
    [broken('limits.jsonl', [lines[0], '{"type":"moderator_sites","user_id":"7","sites":"2"}']), /line 2: sites must be a list of 1 to 1000 site ids/],
    [broken('limits-user.jsonl', [lines[0], '{"type":"moderator_sites","user_id":"7","sites":["1"]}']), /line 2: user_id 7 is not a user earlier in the file/],
    [broken('settings.jsonl', [lines[0], '{"type":"settings","version":1,"at":"2026-01-01T00:00:00Z","body":{"flag_threshold":0}}']), /line 2: body: flag_threshold must be a whole number from 1 to 1000/],
    [broken('site.jsonl', [lines[0], '{"type":"site","id":"2","slug":"Sport","name":"Sport"}']), /line 2: slug must be 1 to 32 of a-z/],
    [broken('site-settings.jsonl', [lines[0], '{"type":"settings","version":1,"at":"2026-01-01T00:00:00Z","site":"7","body":{"pages.faq":"Hi"}}']), /line 2: site 7 is not a site earlier in the file/],
    [broken('site-policy.jsonl', [lines[0], '{"type":"settings","version":1,"at":"2026-01-01T00:00:00Z","site":"7","body":{"policy.slur":"maybe"}}']), /line 2: body: policy.slur must be publish, hold, reject or off/],
    [broken('counts.jsonl', [...lines.slice(0, -1), '{"type":"end","counts":{"users":1,"articles":0,"comments":0,"flags":0,"likes":0,"log":0}}']), /the end record counts 1 users/],
    [broken('author.jsonl', [lines[0], '{"type":"comment","id":"1","article_id":"x","author_id":"99","body":"hi","status":"published","created_at":"2026-01-01T00:00:00Z"}']), /line 2: author_id 99 is not a user earlier in the file/],
    [broken('status.jsonl', [lines[0], '{"type":"article","id":"x","status":"archived"}']), /line 2: status has an unknown value/],
    [broken('after-end.jsonl', [...lines, lines[1]]), /a record after the end record/],
  ];
  for (const [f, re] of cases) {
    for (const extra of [['--dry-run'], []]) {
      r = importFile(sqliteDb(`${path.basename(f)}-${extra.length}.db`).url, f, extra);
      assert.equal(r.status, 1, `${f} ${extra}: ${r.stdout} ${r.stderr}`);
      assert.match(r.stderr, re);
    }
  }
  r = importFile(src.url, path.join(dir, 'missing.jsonl'));
  assert.equal(r.status, 1);
  assert.match(r.stderr, /cannot open .*missing\.jsonl/);

  for (const args of [['export'], ['export', '--to'], ['export', '--to', 'x', '--nope'], ['import', 'parley'], ['import', 'parley', 'a', 'b'], ['import', 'parley', 'a', '--force']]) {
    r = run(args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
  for (const args of [['export', '--help'], ['import', 'parley', '--help']]) {
    r = run(args);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /^Usage: parley (export|import parley)/);
  }
  // A failed export leaves no file behind (not even a partial one).
  const out = path.join(dir, 'nodir', 'x.jsonl');
  r = run(['export', '--db', src.url, '--to', out]);
  assert.equal(r.status, 1);
  assert.equal(existsSync(out), false);
});
