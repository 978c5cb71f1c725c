// tests/api/import.test.mjs: `parley import disqus` end to end. An export
// written here is imported with the CLI into a fresh database (SQLite, or
// PostgreSQL under tests/pg.sh), then `parley serve` on that database must
// show the threads through GET /api/v1/articles/{id}/comments exactly as if
// they had been posted: replies nested in order, the deleted comment as an
// empty placeholder, the spam absent, imported HTML escaped as text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BIN, startServer, tempDb, Client } from '../lib/server.mjs';
import { stopClean } from '../lib/api.mjs';

const ART = `imp-${process.pid}-${Date.now().toString(36)}`;

const EXPORT = `<?xml version="1.0" encoding="utf-8"?>
<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">
  <category dsq:id="1"><forum>news</forum><title>General</title></category>
  <post dsq:id="13">
    <id/><message><![CDATA[<p>A reply to a reply, <i>listed before its parent</i></p>]]></message>
    <createdAt>2013-05-27T12:50:00Z</createdAt><isDeleted>false</isDeleted><isSpam>false</isSpam>
    <author><name>Bob</name><email>bob@reader.example</email><isAnonymous>false</isAnonymous><username>bob</username></author>
    <ipAddress>192.0.2.2</ipAddress><thread dsq:id="7"/><parent dsq:id="12"/>
  </post>
  <thread dsq:id="7">
    <id>${ART}</id><forum>news</forum><category dsq:id="1"/>
    <link>https://news.example.com/2013/story.html</link><title>The story</title><message/>
    <createdAt>2013-05-27T12:00:00Z</createdAt>
    <author><name>Editor</name><isAnonymous>false</isAnonymous><username>editor</username></author>
    <isClosed>false</isClosed><isDeleted>false</isDeleted>
  </thread>
  <post dsq:id="11">
    <id/><message><![CDATA[<p>First, <b>bold</b> &lt;script&gt;alert(1)&lt;/script&gt;</p><script>alert(2)</script><p><a href="javascript:alert(3)">trap</a> and <a href="https://example.org/">a link</a></p>]]></message>
    <createdAt>2013-05-27T12:30:00Z</createdAt><isDeleted>false</isDeleted><isSpam>false</isSpam>
    <author><name>Alice</name><email>alice@reader.example</email><isAnonymous>false</isAnonymous><username>alice</username></author>
    <ipAddress>192.0.2.1</ipAddress><thread dsq:id="7"/>
  </post>
  <post dsq:id="12">
    <id/><message><![CDATA[<p>Soon deleted</p>]]></message>
    <createdAt>2013-05-27T12:40:00Z</createdAt><isDeleted>true</isDeleted><isSpam>false</isSpam>
    <author><name>Carol</name><isAnonymous>false</isAnonymous><username>carol</username></author>
    <thread dsq:id="7"/><parent dsq:id="11"/>
  </post>
  <post dsq:id="14">
    <id/><message><![CDATA[Cheap pills <a href="http://spam.example">here</a>]]></message>
    <createdAt>2013-05-27T12:45:00Z</createdAt><isDeleted>false</isDeleted><isSpam>true</isSpam>
    <author><name>Spammer</name><isAnonymous>true</isAnonymous></author>
    <thread dsq:id="7"/>
  </post>
  <post dsq:id="15">
    <id/><message><![CDATA[<p>A later top-level comment</p>]]></message>
    <createdAt>2013-05-28T09:00:00Z</createdAt><isDeleted>false</isDeleted><isSpam>false</isSpam>
    <author><name>Guest</name><isAnonymous>true</isAnonymous></author>
    <thread dsq:id="7"/>
  </post>
</disqus>
`;

function withExport(body, fn) {
  const dir = mkdtempSync(path.join(tmpdir(), 'parley-import-'));
  const file = path.join(dir, 'export.xml');
  writeFileSync(file, body);
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  let r;
  try {
    r = fn(file, dir);
  } catch (e) {
    cleanup();
    throw e;
  }
  if (r && typeof r.then === 'function') return r.finally(cleanup);
  cleanup();
  return r;
}

function run(args, env) {
  return spawnSync(BIN, args, { encoding: 'utf8', timeout: 60000, env: { ...process.env, ...env } });
}

test('an imported export reads back through the API as posted comments', async () => {
  const db = tempDb();
  await withExport(EXPORT, async (file) => {
    const r = run(['import', 'disqus', file, '--db', db.url]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /imported 1 threads, 5 comments \(3 published, 0 pending, 1 rejected, 1 deleted\)/);
    assert.ok(!/192\.0\.2/.test(r.stdout + r.stderr), 'IP addresses are never echoed');

    const again = run(['import', 'disqus', file, '--db', db.url]);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /imported 0 threads, 0 comments/);
    assert.match(again.stderr, new RegExp(`skipped thread 7: nothing new since it was imported into article ${ART}`));

    const srv = await startServer({ db, keepDb: true });
    try {
      const anon = new Client(srv.url);
      const res = await anon.get(`/api/v1/articles/${ART}/comments?limit=50`);
      assert.equal(res.status, 200, res.text);
      assert.ok(!res.text.includes('@'), 'no e-mail address in the API');
      assert.equal(res.json.article.title, 'The story');
      assert.equal(res.json.article.url, 'https://news.example.com/2013/story.html');
      const list = res.json.comments;
      assert.deepEqual(list.map((c) => c.author && c.author.name), ['Alice', 'Guest'], 'spam absent, oldest first');
      const [first, later] = list;
      assert.equal(first.created_at, '2013-05-27T12:30:00Z');
      assert.ok(first.html.includes('<strong>bold</strong>'), first.html);
      assert.ok(first.html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'), first.html);
      assert.ok(!first.html.includes('<script'), 'no script markup');
      assert.ok(!first.html.includes('alert(2)'), 'script element content dropped');
      assert.ok(!first.html.includes('javascript:'), 'javascript: link dropped');
      assert.ok(first.html.includes('trap'), 'the dropped link keeps its text');
      assert.ok(first.html.includes('<a href="https://example.org/" rel="nofollow ugc noopener">a link</a>'), first.html);
      // The deleted reply stays as a placeholder because a reply hangs under it.
      assert.equal(first.replies.length, 1);
      const ph = first.replies[0];
      assert.equal(ph.status, 'deleted');
      assert.equal(ph.html, '');
      assert.equal(ph.author, null);
      assert.equal(ph.parent_id, first.id);
      assert.equal(ph.replies.length, 1);
      assert.equal(ph.replies[0].author.name, 'Bob');
      assert.equal(ph.replies[0].parent_id, ph.id);
      assert.equal(ph.replies[0].html, '<p>A reply to a reply, <em>listed before its parent</em></p>\n');
      assert.equal(later.html, '<p>A later top-level comment</p>\n');
      assert.equal(later.replies.length, 0);
      const counts = (await anon.get(`/api/v1/counts?article=${ART}`)).json.counts;
      assert.equal(counts[ART], 3);
      // Imported authors cannot log in: they have no password.
      const login = await anon.login('disqus-alice@import.invalid', '');
      assert.notEqual(login.status, 200);
    } finally {
      await stopClean(srv);
      db.cleanup();
    }
  });
});

// The same thread exported again later, with a reply to Alice's comment by a
// new reader and a top-level comment by Bob.
const NEWER = EXPORT.replace('</disqus>', `  <post dsq:id="16">
    <id/><message><![CDATA[<p>Answering Alice, weeks later</p>]]></message>
    <createdAt>2013-06-01T10:00:00Z</createdAt><isDeleted>false</isDeleted><isSpam>false</isSpam>
    <author><name>Dana</name><isAnonymous>false</isAnonymous><username>dana</username></author>
    <thread dsq:id="7"/><parent dsq:id="11"/>
  </post>
  <post dsq:id="17">
    <id/><message><![CDATA[<p>Bob again, at the top</p>]]></message>
    <createdAt>2013-06-02T10:00:00Z</createdAt><isDeleted>false</isDeleted><isSpam>false</isSpam>
    <author><name>Bob</name><email>bob@reader.example</email><isAnonymous>false</isAnonymous><username>bob</username></author>
    <thread dsq:id="7"/>
  </post>
</disqus>
`);

// The thread as a reader sees it, and the article's count.
async function shown(db) {
  const srv = await startServer({ db, keepDb: true });
  try {
    const anon = new Client(srv.url);
    const res = await anon.get(`/api/v1/articles/${ART}/comments?limit=50`);
    assert.equal(res.status, 200, res.text);
    const count = (await anon.get(`/api/v1/counts?article=${ART}`)).json.counts[ART];
    return { comments: res.json.comments, count };
  } finally {
    await stopClean(srv);
  }
}

test('a newer export of an imported thread brings only its new comments, once', async () => {
  const db = tempDb();
  try {
    await withExport(EXPORT, async (file) => {
      const r = run(['import', 'disqus', file, '--db', db.url]);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /imported 1 threads, 5 comments/);
    });
    const before = await shown(db);
    assert.deepEqual(before.comments.map((c) => c.author.name), ['Alice', 'Guest']);
    await withExport(NEWER, async (file) => {
      const r = run(['import', 'disqus', file, '--db', db.url]);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /^imported 1 threads, 2 comments \(2 published, 0 pending, 0 rejected, 0 deleted\), 1 new users, 1 existing users; 1 threads imported before brought up to date, 5 comments imported before left as they are; skipped 0 threads/);
    });
    const after = await shown(db);
    assert.equal(after.count, before.count + 2);
    const [alice, guest, bob] = after.comments;
    assert.deepEqual(after.comments.map((c) => c.author.name), ['Alice', 'Guest', 'Bob']);
    // The comments of the first import kept their ids; the reply is under Alice's.
    assert.equal(alice.id, before.comments[0].id);
    assert.equal(guest.id, before.comments[1].id);
    assert.deepEqual(alice.replies.map((c) => c.author && c.author.name), [null, 'Dana']);
    assert.equal(alice.replies[0].id, before.comments[0].replies[0].id);
    assert.equal(alice.replies[0].replies[0].id, before.comments[0].replies[0].replies[0].id);
    const dana = alice.replies[1];
    assert.equal(dana.parent_id, alice.id);
    assert.equal(dana.html, '<p>Answering Alice, weeks later</p>\n');
    assert.equal(dana.created_at, '2013-06-01T10:00:00Z');
    assert.equal(bob.html, '<p>Bob again, at the top</p>\n');
    assert.equal(bob.parent_id, null);
    assert.equal(bob.replies.length, 0);

    // Run again: nothing new, nothing changes.
    await withExport(NEWER, async (file) => {
      const r = run(['import', 'disqus', file, '--db', db.url]);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /^imported 0 threads, 0 comments .*, 0 new users, 0 existing users; 0 threads imported before brought up to date, 7 comments imported before left as they are; skipped 1 threads with comments/);
      assert.match(r.stderr, new RegExp(`skipped thread 7: nothing new since it was imported into article ${ART}`));
    });
    assert.deepEqual(await shown(db), after);
  } finally {
    db.cleanup();
  }
});

test('--dry-run writes nothing; a malformed file exits 1 naming the line', () => {
  const db = tempDb();
  try {
    withExport(EXPORT, (file) => {
      const r = run(['import', 'disqus', file, '--db', db.url, '--dry-run']);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /dry run, nothing written: would import 1 threads, 5 comments/);
      if (db.dir) assert.ok(!existsSync(path.join(db.dir, 'parley.db')), 'no database file created');
    });
    const broken = EXPORT.replace('<title>The story</title>', '<title>The story</titel>');
    withExport(broken, (file) => {
      const r = run(['import', 'disqus', file, '--db', db.url]);
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, /export\.xml: line 12: .*titel/);
      assert.equal(r.stdout, '');
    });
    // Neither run stored anything: the real import finds no comments to skip.
    withExport(EXPORT, (file) => {
      const r = run(['import', 'disqus', file, '--db', db.url]);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /imported 1 threads, 5 comments/);
    });
  } finally {
    db.cleanup();
  }
});

test('messages wait in a temporary file under TMPDIR that is gone afterwards', () => {
  const db = tempDb();
  const tmp = mkdtempSync(path.join(tmpdir(), 'parley-spool-'));
  try {
    withExport(EXPORT, (file) => {
      // An unusable TMPDIR stops the import before anything is written.
      const bad = run(['import', 'disqus', file, '--db', db.url], { TMPDIR: path.join(tmp, 'missing') });
      assert.equal(bad.status, 1, bad.stderr);
      assert.match(bad.stderr, /cannot create a temporary file in .*missing: No such file or directory \(set TMPDIR/);
      assert.equal(bad.stdout, '');
      for (const extra of [['--dry-run'], []]) {
        const r = run(['import', 'disqus', file, '--db', db.url, ...extra], { TMPDIR: tmp });
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stdout, /(imported|would import) 1 threads, 5 comments/);
        assert.deepEqual(readdirSync(tmp), [], 'nothing left in TMPDIR');
      }
    });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    db.cleanup();
  }
});

test('import usage errors exit 2 with one line naming the flag', () => {
  for (const [args, word] of [
    [['import', 'disqus'], 'FILE'],
    [['import', 'disqus', 'x.xml', '--bogus'], '--bogus'],
    [['import', 'disqus', 'x.xml', '--db'], '--db'],
    [['import', 'livefyre', 'x.xml'], 'livefyre'],
  ]) {
    const r = run(args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.ok(lines[0].includes(word), lines[0]);
  }
  const h = run(['import', 'disqus', '--help']);
  assert.equal(h.status, 0);
  assert.match(h.stdout, /Usage: parley import disqus FILE/);
  for (const f of ['--db', '--config', '--force', '--dry-run', '--moderate']) assert.ok(h.stdout.includes(f), f);
});
