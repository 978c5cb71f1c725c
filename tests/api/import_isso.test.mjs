// tests/api/import_isso.test.mjs: `parley import isso` end to end. An Isso
// database is made here with the sqlite3 tool, in the schema Isso itself
// creates (isso/db/{threads,comments}.py), and imported with the CLI into a
// fresh database (SQLite, or PostgreSQL under tests/pg.sh); `parley serve`
// on it must show the threads as posted comments: replies nested, the
// pending comment held for the moderators, the deleted one a placeholder,
// Markdown rendered and raw HTML escaped. Running it again stores nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BIN, startServer, tempDb, createUser, Client } from '../lib/server.mjs';
import { stopClean } from '../lib/api.mjs';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS comments (
    tid REFERENCES threads(id), id INTEGER PRIMARY KEY, parent INTEGER,
    created FLOAT NOT NULL, modified FLOAT, mode INTEGER, remote_addr VARCHAR,
    text VARCHAR, author VARCHAR, email VARCHAR, website VARCHAR,
    likes INTEGER DEFAULT 0, dislikes INTEGER DEFAULT 0, voters BLOB NOT NULL,
    notification INTEGER DEFAULT 0);
CREATE TABLE IF NOT EXISTS preferences (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS threads (id INTEGER PRIMARY KEY, uri VARCHAR(256) UNIQUE, title VARCHAR(256));
`;
// Isso's modes: 1 accepted, 2 waiting for moderation, 4 deleted but with replies.
const DATA = `
INSERT INTO threads VALUES (1, '/2026/11/city-budget/', 'City budget passes'), (2, '/about', NULL);
INSERT INTO comments (tid, id, parent, created, mode, remote_addr, text, author, email, website, voters) VALUES
 (1, 10, NULL, 1764547200.25, 1, '198.51.100.7', 'First, **bold** and <script>alert(1)</script>', 'Ann', 'ann@reader.example', 'https://ann.example', x''),
 (1, 11, 10, 1764547260, 4, '198.51.100.8', 'removed later', 'Bob', NULL, NULL, x''),
 (1, 12, 11, 1764547320, 1, '198.51.100.9', 'A reply under the deleted one', NULL, NULL, NULL, x''),
 (1, 13, NULL, 1764547380, 2, '198.51.100.7', 'Still waiting for a moderator', 'Ann', 'ann@reader.example', NULL, x''),
 (2, 14, 10, 1764547440, 1, '198.51.100.7', 'Its parent is in another thread', 'Cy', '', NULL, x'');
`;

function withIsso(sql, fn) {
  const dir = mkdtempSync(path.join(tmpdir(), 'parley-isso-'));
  const file = path.join(dir, 'comments.db');
  const r = spawnSync('sqlite3', [file], { input: sql, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return Promise.resolve(fn(file, dir)).finally(() => rmSync(dir, { recursive: true, force: true }));
}

function run(args) {
  return spawnSync(BIN, args, { encoding: 'utf8', timeout: 60000 });
}

test('an Isso database reads back through the API as posted comments, once', async () => {
  const db = tempDb();
  await withIsso(SCHEMA + DATA, async (file) => {
    const dry = run(['import', 'isso', file, '--dry-run']);
    assert.equal(dry.status, 0, dry.stderr);
    assert.match(dry.stdout, /dry run, nothing written: would import 2 threads, 5 comments \(3 published, 1 pending, 0 rejected, 1 deleted\)/);
    const r = run(['import', 'isso', file, '--db', db.url]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /imported 2 threads, 5 comments \(3 published, 1 pending, 0 rejected, 1 deleted\), 4 new users/);
    assert.match(r.stderr, /parley import isso: comment 14 has an impossible parent 10; imported as a top-level comment\n/);
    assert.ok(!/198\.51\.100/.test(r.stdout + r.stderr), 'addresses are never read');
    const again = run(['import', 'isso', file, '--db', db.url]);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /imported 0 threads, 0 comments/);
    assert.match(again.stderr, /skipped thread 1: nothing new since it was imported into article 2026:11:city-budget/);

    const srv = await startServer({ db, keepDb: true });
    try {
      const anon = new Client(srv.url);
      const res = await anon.get('/api/v1/articles/2026:11:city-budget/comments?limit=50');
      assert.equal(res.status, 200, res.text);
      assert.equal(res.json.article.title, 'City budget passes');
      assert.ok(!res.text.includes('@'), 'no e-mail address in the API');
      const [first] = res.json.comments;
      assert.equal(res.json.comments.length, 1, 'the pending comment is not public');
      assert.equal(first.author.name, 'Ann');
      assert.match(first.created_at, /^2025-12-01T00:00:00(\.250)?Z$/);
      assert.ok(first.html.includes('<strong>bold</strong>'), first.html);
      assert.ok(first.html.includes('&lt;script&gt;'), first.html);
      assert.ok(!first.html.includes('<script'), first.html);
      const ph = first.replies[0];
      assert.equal(ph.status, 'deleted');
      assert.equal(ph.html, '');
      assert.equal(ph.replies[0].html, '<p>A reply under the deleted one</p>\n');
      assert.equal(ph.replies[0].author.name, 'Anonymous');
      const about = await anon.get('/api/v1/articles/about/comments');
      assert.equal(about.json.comments[0].html, '<p>Its parent is in another thread</p>\n');
      assert.equal(about.json.comments[0].parent_id, null);
      // The pending one waits in the desk's queue.
      createUser(db.url, { email: 'mod@example.com', name: 'Max Moderator', role: 'moderator' });
      const mod = new Client(srv.url);
      assert.equal((await mod.login('mod@example.com')).status, 200);
      const q = await mod.get('/api/v1/mod/queue?queue=pending&limit=50');
      assert.deepEqual(q.json.items.map((i) => i.comment.body), ['Still waiting for a moderator']);
      // Imported authors cannot log in: no password.
      assert.notEqual((await anon.login('isso-x@guest.import.invalid', '')).status, 200);
    } finally {
      await stopClean(srv);
      db.cleanup();
    }
  });
});

test('a file that is not an Isso database exits 1 and writes nothing; bad flags exit 2', async () => {
  await withIsso('CREATE TABLE other (x);', async (file, dir) => {
    const r = run(['import', 'isso', file, '--dry-run']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /not an Isso database: no table threads/);
    const text = path.join(dir, 'notes.txt');
    writeFileSync(text, 'not a database at all, just words\n'.repeat(40));
    const t = run(['import', 'isso', text, '--dry-run']);
    assert.equal(t.status, 1);
    assert.match(t.stderr, /parley import isso: .*notes\.txt: /);
    const missing = run(['import', 'isso', path.join(dir, 'nope.db'), '--dry-run']);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /cannot open/);
    const bad = run(['import', 'isso', file, '--frobnicate']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /parley import isso: --frobnicate: unknown option/);
    const none = run(['import', 'isso']);
    assert.equal(none.status, 2);
    assert.match(none.stderr, /the Isso database to import is required/);
  });
});
