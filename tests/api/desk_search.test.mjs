// tests/api/desk_search.test.mjs: the desk's search over comments (issue 15):
// words through the database's own full-text search (every word must appear,
// any case, no operators), by author (id or name), article and status,
// combined, newest first, paged; edits and deletions reach the index; the
// migration indexes the comments a database already has; moderators only;
// every bad parameter. Runs on SQLite, and on PostgreSQL under tests/pg.sh.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Client, createUser, startServer, tempDb } from '../lib/server.mjs';
import { deskServer, logSiteDropSql, post, sql, summaryDropSql } from './desk_helpers.mjs';

let D;
before(async () => { D = await deskServer(); });
after(async () => { await D.srv.stop(); });

const isPg = (url) => /^postgres(ql)?:\/\//.test(url);

async function search(client, q) {
  const res = await client.get(`/api/v1/mod/search?${q}`);
  assert.equal(res.status, 200, `${q}: ${res.text}`);
  return res.json;
}
const ids = (r) => r.comments.map((c) => c.id);

test('search is for moderators and admins only', async () => {
  const r = await D.reader('Rex Reader');
  const res = await r.get('/api/v1/mod/search?q=x');
  assert.equal(res.status, 403);
  assert.equal(res.json.error.code, 'forbidden');
  assert.equal((await new Client(D.url).get('/api/v1/mod/search?q=x')).status, 401);
  assert.equal((await D.admin.get('/api/v1/mod/search?q=x')).status, 200);
});

test('words, author, article and status combine; every status but deleted; newest first; paged', async () => {
  const sam = await D.reader('Sam Searcher');
  const tia = await D.reader('Tia Searcher');
  const a1 = await post(sam, 'search-one', 'The Harbour wall held during the storm.');
  const a2 = await post(tia, 'search-one', 'Nothing about walls here, only the council budget.');
  const a3 = await post(sam, 'search-two', 'Another harbour story: the ferry was late.');
  assert.equal((await D.mod.put('/api/v1/articles/search-three', { status: 'premoderated' })).status, 200);
  const a4 = await post(tia, 'search-three', 'Harbour fees went up and the FERRY too.');
  assert.equal(a4.status, 'pending');
  const S = (q) => search(D.mod, q);

  assert.deepEqual(ids(await S('q=harbour')), [a4.id, a3.id, a1.id], 'newest first, pending included');
  assert.deepEqual(ids(await S('q=HARBOUR%20ferry')), [a4.id, a3.id], 'every word must appear, in any case');
  assert.deepEqual(ids(await S('q=ferry%20harbour')), [a4.id, a3.id], 'in any order');
  assert.deepEqual(ids(await S('q=wall')), [a1.id], 'whole words: "walls" is another word');
  assert.deepEqual(ids(await S(`q=harbour&author=${sam.user.id}`)), [a3.id, a1.id], 'author by id');
  assert.deepEqual(ids(await S('q=harbour&author=tia%20SEARCHER')), [a4.id], 'author by name, any case');
  assert.deepEqual(ids(await S('q=harbour&article=search-one')), [a1.id]);
  assert.deepEqual(ids(await S('q=harbour&status=pending')), [a4.id]);
  assert.deepEqual(ids(await S('q=harbour&status=published')), [a3.id, a1.id]);
  assert.deepEqual(ids(await S('article=search-one')), [a2.id, a1.id], 'an article alone');
  assert.deepEqual(ids(await S(`author=${tia.user.id}`)), [a4.id, a2.id], 'an author alone');
  assert.deepEqual(ids(await S(`author=${tia.user.id}&status=pending`)), [a4.id]);
  assert.deepEqual(ids(await S('article=search-three&status=published')), []);
  assert.deepEqual(ids(await S('status=pending')).slice(0, 1), [a4.id], 'a status alone');
  assert.deepEqual(ids(await S('limit=4')), [a4.id, a3.id, a2.id, a1.id], 'no filter: the newest comments');

  // Each result has the desk's shape: body, article, status, author.
  const r = await S('q=fees');
  assert.equal(r.comments.length, 1);
  const c = r.comments[0];
  assert.equal(c.body, 'Harbour fees went up and the FERRY too.');
  assert.equal(c.article_id, 'search-three');
  assert.equal(c.status, 'pending');
  assert.equal(c.author.name, 'Tia Searcher');
  assert.equal(r.next, null);

  // Operators and quotes are plain text; punctuation alone finds nothing.
  assert.deepEqual(ids(await S(`q=${encodeURIComponent('harbour OR budget')}`)), [], 'OR is a word to find');
  assert.deepEqual(ids(await S(`q=${encodeURIComponent('harbour NOT ferry')}`)), []);
  assert.deepEqual(ids(await S(`q=${encodeURIComponent('"harbour" NEAR(ferry)')}`)), []);
  assert.deepEqual(ids(await S(`q=${encodeURIComponent('body:harbour')}`)), [], 'no column filter');
  assert.deepEqual(ids(await S(`q=${encodeURIComponent('!!! ???')}`)), []);
  assert.deepEqual(ids(await S(`q=${encodeURIComponent('"harbour"')}`)), [a4.id, a3.id, a1.id]);
  assert.deepEqual(ids(await S(`q=${encodeURIComponent('harbour*')}`)), [a4.id, a3.id, a1.id], '* is not a prefix');

  // Paging one at a time walks all three, and next is null on the last page.
  const seen = [];
  let next = null;
  do {
    const page = await S(`q=harbour&limit=1${next ? `&before=${next}` : ''}`);
    assert.ok(page.comments.length <= 1);
    seen.push(...ids(page));
    next = page.next;
  } while (next);
  assert.deepEqual(seen, [a4.id, a3.id, a1.id]);
  const two = await S('q=harbour&limit=2');
  assert.deepEqual(ids(two), [a4.id, a3.id]);
  assert.equal(two.next, a3.id);
  assert.deepEqual(ids(await S(`q=harbour&before=${two.next}`)), [a1.id]);
});

test('accents and other alphabets are words too', async () => {
  const z = await D.reader('Zoë Ünal');
  const c1 = await post(z, 'search-intl', 'Le café était fermé à Zürich.');
  const c2 = await post(z, 'search-intl', 'Ночь над гаванью была тихой.');
  assert.deepEqual(ids(await search(D.mod, `q=${encodeURIComponent('café zürich')}`)), [c1.id]);
  assert.deepEqual(ids(await search(D.mod, `q=${encodeURIComponent('гаванью')}`)), [c2.id], 'other alphabets are words');
  if (isPg(D.srv.dbUrl)) {
    // PostgreSQL's 'simple' configuration keeps accents (and folds case beyond
    // ASCII as the database's locale says; tests/pg.sh's cluster is C).
    assert.deepEqual(ids(await search(D.mod, 'q=cafe')), []);
  } else {
    // SQLite's unicode61 tokenizer folds accents and case in every alphabet.
    assert.deepEqual(ids(await search(D.mod, 'q=cafe%20zurich')), [c1.id]);
    assert.deepEqual(ids(await search(D.mod, `q=${encodeURIComponent('ГАВАНЬЮ')}`)), [c2.id]);
  }
});

test('edits, decisions and deletions reach the index', async () => {
  const ed = await D.reader('Eddie Editor');
  const c = await post(ed, 'search-edit', 'A first draft about lighthouses.');
  assert.deepEqual(ids(await search(D.mod, 'q=lighthouses')), [c.id]);
  assert.equal((await ed.patch(`/api/v1/comments/${c.id}`, { body: 'Rewritten about windmills.' })).status, 200);
  assert.deepEqual(ids(await search(D.mod, 'q=lighthouses')), [], 'the old words are gone');
  assert.deepEqual(ids(await search(D.mod, 'q=windmills')), [c.id]);

  const res = await D.mod.post(`/api/v1/mod/comments/${c.id}/decision`, { action: 'reject', reason: 'Off topic' });
  assert.equal(res.status, 200);
  const found = await search(D.mod, 'q=windmills&status=rejected');
  assert.deepEqual(ids(found), [c.id], 'a rejected comment keeps its words');
  assert.equal(found.comments[0].moderator_reason, 'Off topic');

  const d = await post(ed, 'search-edit', 'Windmills again, to be deleted.');
  assert.equal((await ed.del(`/api/v1/comments/${d.id}`)).status, 204);
  assert.deepEqual(ids(await search(D.mod, 'q=windmills')), [c.id], 'a deleted comment has no words left');
  assert.ok(!ids(await search(D.mod, `author=${ed.user.id}`)).includes(d.id), 'nor is it listed by author');
});

test('bad parameters get 400 naming the field', async () => {
  for (const [q, field] of [[`q=${'x'.repeat(101)}`, 'q'], ['q=%01', 'q'], ['q=%FF', 'q'], ['limit=0', 'limit'],
    ['limit=101', 'limit'], ['limit=x', 'limit'], ['before=x', 'before'], ['before=0', 'before'],
    ['article=bad%20id', 'article'], ['author=Nobody%20Called%20This', 'author'], ['status=deleted', 'status'],
    ['status=all', 'status']]) {
    const res = await D.mod.get(`/api/v1/mod/search?${q}`);
    assert.equal(res.status, 400, q);
    assert.equal(res.json.error.code, 'invalid_field', q);
    assert.equal(res.json.error.field, field, q);
  }
});

// A database made before the search existed: its comments are indexed by the
// migration when a new server first opens it.
test('the migration indexes the comments a database already has', async () => {
  const db = tempDb();
  let srv = await startServer({ db, keepDb: true });
  try {
    // A new database's schema is made without a line per migration.
    assert.doesNotMatch(srv.log(), /applying migration/);
    const w = new Client(srv.url);
    assert.equal((await w.register('Old Timer', 'oldtimer@example.com')).status, 201);
    const old = (await w.post('/api/v1/articles/search-old/comments', { body: 'Written before the search: barnacles.' })).json.comment;
    await srv.stop();
    // Undo the search's migration and the later ones (SQLite 10, PostgreSQL 11 on: users.language,
    // the numbers' indexes, pow_spent, settings, sites, users_lower_name, the numbers' summary tables,
    // the site of each log entry, the sites' own settings, moderators by site, PostgreSQL's
    // comments_site_range, users_role, the people's trigram index, comments_author_article, SQLite's comments_fts_pending,
    // the comments' repeat keys, the one author index), as if
    // this database came from the version before.
    // The newest migration is whatever this build wrote; the upgrade below must apply every one up to it.
    const last = Number(sql(db.url, 'SELECT max(version) FROM schema_version'));
    const later = `${logSiteDropSql(db.url)} ALTER TABLE users DROP COLUMN language; DROP INDEX comments_status_created;`
      + ' DROP INDEX decisions_comment; DROP INDEX decisions_at; DROP INDEX flags_created; DROP INDEX modlog_action_at;'
      + ` DROP TABLE pow_spent; DROP TABLE settings; DROP TABLE site_settings; DROP TABLE sites; DROP INDEX users_lower_name; ${summaryDropSql(db.url)}`;
    if (isPg(db.url)) {
      sql(db.url, `DROP INDEX comments_words; ${later} DELETE FROM schema_version WHERE version >= 11`);
      assert.equal(sql(db.url, "SELECT count(*) FROM pg_indexes WHERE indexname = 'comments_words'"), '0');
    } else {
      sql(db.url, `${later} DROP TRIGGER comments_fts_insert; DROP TRIGGER comments_fts_update; DROP TRIGGER comments_fts_delete;`
        + ' DROP TABLE comments_fts; DELETE FROM schema_version WHERE version >= 10;');
    }
    srv = await startServer({ db, keepDb: true });
    // An upgrade says what it applies and how long each step took, since a
    // large database keeps the server from listening for a while.
    const [first, backend] = isPg(db.url) ? [11, 'postgres'] : [10, 'sqlite'];
    assert.ok(last > first, `the schema is at version ${last}`);
    const log = srv.log();
    assert.match(log, new RegExp(`msg="applying migration" db=${backend} version=${first} from=${first - 1}\\b`));
    assert.match(log, new RegExp(`msg="applied migration" db=${backend} version=${last} ms=\\d+`));
    assert.equal(log.match(/msg="applied migration"/g).length, last - first + 1);
    assert.ok(log.indexOf('applied migration') < log.indexOf('msg=listening'));
    createUser(db.url, { email: 'mod-old@example.com', name: 'Mo Old', role: 'moderator' });
    const mod = new Client(srv.url);
    await mod.login('mod-old@example.com');
    assert.deepEqual(ids(await search(mod, 'q=barnacles')), [old.id]);
    if (isPg(db.url)) assert.equal(sql(db.url, "SELECT count(*) FROM pg_indexes WHERE indexname = 'comments_words'"), '1');
    else assert.equal(sql(db.url, "SELECT count(*) FROM comments_fts WHERE comments_fts MATCH 'barnacles'"), '1');
  } finally {
    await srv.stop();
    db.cleanup();
  }
});
