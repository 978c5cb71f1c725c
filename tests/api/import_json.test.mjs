// tests/api/import_json.test.mjs: `parley import remark42`, `commento` and
// `coral` end to end. Each export is written here in the format the system
// itself writes (Remark42: backend/app/migrator/native.go and
// store/comment.go; Commento: api/domain_export.go and api/comment.go;
// Coral: its comments, stories and users collections as mongoexport writes
// them), imported with the CLI into a fresh database (SQLite, or PostgreSQL
// under tests/pg.sh), and read back through `parley serve`: threads nested,
// deleted comments as placeholders, held ones in the moderators' queue,
// refused ones in the rejected queue, HTML converted and raw HTML escaped.
// Running an import again stores nothing twice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, tempDb, createUser, Client, BIN } from '../lib/server.mjs';
import { stopClean } from '../lib/api.mjs';

function run(args) {
  return spawnSync(BIN, args, { encoding: 'utf8', timeout: 60000 });
}

const lines = (records) => records.map((r) => JSON.stringify(r)).join('\n') + '\n';

async function withFiles(files, fn) {
  const dir = mkdtempSync(path.join(tmpdir(), 'parley-import-json-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  try {
    return await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Imports, checks the summary, imports again (nothing stored twice), then
// hands a running server and a moderator's client to check.
async function importAndServe(source, file, summary, check) {
  const db = tempDb();
  try {
    const dry = run(['import', source, file, '--dry-run']);
    assert.equal(dry.status, 0, dry.stderr);
    assert.match(dry.stdout, new RegExp(`dry run, nothing written: would import ${summary}`));
    const r = run(['import', source, file, '--db', db.url]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^imported ${summary}`));
    const again = run(['import', source, file, '--db', db.url]);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /^imported 0 threads, 0 comments .*, 0 new users/);
    assert.match(again.stdout, /skipped [1-9]\d* threads with comments/);
    const srv = await startServer({ db, keepDb: true });
    try {
      createUser(db.url, { email: 'mod@example.com', name: 'Max Moderator', role: 'moderator' });
      const mod = new Client(srv.url);
      assert.equal((await mod.login('mod@example.com')).status, 200);
      await check(new Client(srv.url), mod, r);
    } finally {
      await stopClean(srv);
    }
  } finally {
    db.cleanup();
  }
}

const PAGE = 'https://news.example/2026/11/city-budget/';
const REMARK42 = lines([
  { version: 1, users: [{ id: 'github_ann', verified: true }],
    posts: [{ url: PAGE, read_only: false }, { url: 'https://news.example/2026/10/old-story/', read_only: true }] },
  { id: 'c1', pid: '', text: '<p>First, <b>bold</b> and &lt;script&gt;alert(1)&lt;/script&gt;</p>', orig: 'First, **bold**',
    user: { name: 'Ann', id: 'github_ann', picture: '', ip: 'b1946ac92492d2347c6235b4d2611184', admin: false },
    locator: { site: 'news', url: PAGE }, score: 3, votes: { google_bob: true }, time: '2026-11-30T10:00:00.123456789+01:00', title: 'City budget passes' },
  { id: 'c2', pid: 'c1', text: '', user: { name: 'Bob', id: 'google_bob' }, locator: { site: 'news', url: PAGE }, time: '2026-11-30T10:05:00Z', delete: true },
  { id: 'c3', pid: 'c2', text: '<p>A reply under the <a href="javascript:alert(1)">deleted</a> one</p>', user: { name: 'Cy', id: 'anonymous_cy' },
    locator: { site: 'news', url: PAGE }, time: '2026-11-30T10:06:00Z' },
  { id: 'c4', pid: 'c9', text: '<p>Its parent is gone</p>', user: { name: 'Ann', id: 'github_ann' },
    locator: { site: 'news', url: 'https://news.example/2026/10/old-story/' }, time: '2026-10-01T08:00:00Z', title: 'Old story' },
]);

test('a Remark42 backup reads back through the API as posted comments, once', async () => {
  await withFiles({ 'backup.jsonl': REMARK42 }, (dir) =>
    importAndServe('remark42', path.join(dir, 'backup.jsonl'),
      '2 threads, 4 comments \\(3 published, 0 pending, 0 rejected, 1 deleted\\), 3 new users',
      async (anon, mod, r) => {
        assert.match(r.stderr, /parley import remark42: line 5: comment c4 replies to c9, which is not in the export/);
        const res = await anon.get('/api/v1/articles/2026:11:city-budget/comments?limit=50');
        assert.equal(res.status, 200, res.text);
        assert.equal(res.json.article.title, 'City budget passes');
        assert.equal(res.json.article.url, PAGE);
        assert.ok(!res.text.includes('@'), 'no e-mail address in the API');
        const [first] = res.json.comments;
        assert.equal(first.author.name, 'Ann');
        assert.equal(first.created_at, '2026-11-30T09:00:00Z');
        assert.ok(first.html.includes('<strong>bold</strong>'), first.html);
        assert.ok(first.html.includes('&lt;script&gt;'), first.html);
        const ph = first.replies[0];
        assert.equal(ph.status, 'deleted');
        assert.equal(ph.html, '');
        assert.equal(ph.replies[0].html, '<p>A reply under the deleted one</p>\n');
        assert.equal(ph.replies[0].author.name, 'Cy');
        const old = await anon.get('/api/v1/articles/2026:10:old-story/comments');
        assert.equal(old.json.article.status, 'closed', 'read_only pages are closed');
        assert.equal(old.json.comments[0].parent_id, null);
      }));
});

const COMMENTO = JSON.stringify({
  version: 1,
  comments: [
    { commentHex: 'aa01', domain: 'news.example', url: '/2026/11/city-budget/', commenterHex: 'c0ffee01',
      markdown: 'First, **bold** and <script>alert(1)</script>', html: '', parentHex: 'root', score: 4, state: 'approved',
      creationDate: '2026-11-30T10:00:00Z', direction: 0 },
    { commentHex: 'aa02', domain: 'news.example', url: '/2026/11/city-budget/', commenterHex: 'anonymous',
      markdown: 'Held for a moderator', html: '', parentHex: 'aa01', score: 0, state: 'unapproved', creationDate: '2026-11-30T10:01:00Z', direction: 0 },
    { commentHex: 'aa03', domain: 'news.example', url: '/2026/11/city-budget/', commenterHex: 'c0ffee02',
      markdown: '[deleted]', html: '', parentHex: 'root', score: 0, state: 'approved', creationDate: '2026-11-30T10:02:00Z', direction: 0, deleted: true },
    { commentHex: 'aa05', domain: 'news.example', url: '/2026/11/city-budget/', commenterHex: 'c0ffee01',
      markdown: 'Under a deleted one', html: '', parentHex: 'aa03', score: 0, state: 'approved', creationDate: '2026-11-30T10:04:00Z', direction: 0 },
    { commentHex: 'aa04', domain: 'news.example', url: '/about', commenterHex: 'c0ffee02',
      markdown: 'Flagged by Akismet', html: '', parentHex: 'root', score: 0, state: 'flagged', creationDate: '2026-11-30T10:03:00Z', direction: 0 },
  ],
  commenters: [
    { commenterHex: 'c0ffee01', email: 'ann@reader.example', name: 'Ann', link: 'undefined', photo: 'undefined', provider: 'commento', joinDate: '2026-01-01T00:00:00Z' },
    { commenterHex: 'c0ffee02', email: 'bob@reader.example', name: 'Bob', link: '', photo: '', provider: 'google', joinDate: '2026-01-01T00:00:00Z' },
  ],
}, null, 1);

test('a Commento export reads back through the API, held comments in the queue, once', async () => {
  await withFiles({ 'commento.json': COMMENTO }, (dir) =>
    importAndServe('commento', path.join(dir, 'commento.json'),
      '2 threads, 5 comments \\(2 published, 2 pending, 0 rejected, 1 deleted\\), 3 new users',
      async (anon, mod) => {
        const res = await anon.get('/api/v1/articles/2026:11:city-budget/comments?limit=50');
        assert.equal(res.status, 200, res.text);
        assert.ok(!res.text.includes('@'), 'no e-mail address in the API');
        const [first, ph] = res.json.comments;
        assert.equal(first.author.name, 'Ann');
        assert.equal(first.created_at, '2026-11-30T10:00:00Z');
        assert.ok(first.html.includes('<strong>bold</strong>'), first.html);
        assert.ok(first.html.includes('&lt;script&gt;'), first.html);
        assert.equal(first.replies.length, 0, 'the unapproved reply is not public');
        assert.equal(ph.status, 'deleted');
        assert.equal(ph.replies[0].html, '<p>Under a deleted one</p>\n');
        const q = await mod.get('/api/v1/mod/queue?queue=pending&limit=50');
        assert.deepEqual(q.json.items.map((i) => i.comment.body).sort(), ['Flagged by Akismet', 'Held for a moderator']);
        const held = q.json.items.find((i) => i.comment.body === 'Held for a moderator');
        assert.equal(held.comment.author.name, 'Anonymous');
      }));
});

const date = (iso) => ({ $date: iso });
const ANN = '0b6e8f0e-1111-4a4a-9c9c-000000000001';
const CORAL = {
  'coral/stories.json': lines([
    { _id: { $oid: '5f0000000000000000000001' }, id: 'city-budget-2026', tenantID: 't1', siteID: 's1', url: PAGE,
      metadata: { title: 'City budget passes' }, createdAt: date('2026-11-29T08:00:00.000Z'), commentCounts: {}, settings: {} },
    { _id: { $oid: '5f0000000000000000000002' }, id: 'https://news.example/closed/', tenantID: 't1', siteID: 's1', url: 'https://news.example/closed/',
      metadata: { title: 'Closed one' }, closedAt: { $date: { $numberLong: '1764547200000' } }, createdAt: date('2026-11-01T08:00:00.000Z') },
  ]),
  'coral/users.json': lines([
    { _id: { $oid: '5f00000000000000000000a1' }, id: ANN, tenantID: 't1', username: 'Ann Reader', email: 'ann@reader.example', role: 'COMMENTER', createdAt: date('2026-01-01T00:00:00.000Z') },
  ]),
  'coral/comments.json': lines([
    { id: 'cm1', tenantID: 't1', storyID: 'city-budget-2026', authorID: ANN, status: 'APPROVED', createdAt: date('2026-11-30T10:00:00Z'),
      revisions: [{ id: 'r1', body: 'old text', createdAt: date('2026-11-30T10:00:00Z') },
        { id: 'r2', body: 'First, <b>bold</b><br><script>alert(1)</script>', createdAt: date('2026-11-30T10:01:00.000Z') }],
      actionCounts: { REACTION: 2 }, ancestorIDs: [], childIDs: ['cm2', 'cm3'] },
    { id: 'cm2', tenantID: 't1', storyID: 'city-budget-2026', parentID: 'cm1', authorID: null, status: 'PREMOD',
      createdAt: date('2026-11-30T10:02:00.000Z'), revisions: [{ id: 'r3', body: 'Waiting in premod' }] },
    { id: 'cm3', tenantID: 't1', storyID: 'city-budget-2026', parentID: 'cm1', authorID: ANN, status: 'REJECTED',
      createdAt: date('2026-11-30T10:03:00.000Z'), revisions: [{ id: 'r4', body: 'Refused by a moderator' }] },
    { id: 'cm4', tenantID: 't1', storyID: 'https://news.example/closed/', authorID: ANN, status: 'NONE',
      createdAt: date('2026-11-02T10:03:00.000Z'), deletedAt: date('2026-11-03T10:03:00.000Z'), revisions: [{ id: 'r5', body: '' }] },
    { id: 'cm5', tenantID: 't1', storyID: 'https://news.example/closed/', parentID: 'cm4', authorID: ANN, status: 'NONE',
      createdAt: date('2026-11-02T10:04:00.000Z'), revisions: [{ id: 'r6', body: 'Hello' }] },
  ]),
};

test('Coral collections read back through the API, rejected and premod comments for moderators, once', async () => {
  await withFiles(CORAL, (dir) =>
    importAndServe('coral', path.join(dir, 'coral'),
      '2 threads, 5 comments \\(2 published, 1 pending, 1 rejected, 1 deleted\\), 2 new users',
      async (anon, mod) => {
        const res = await anon.get('/api/v1/articles/city-budget-2026/comments?limit=50');
        assert.equal(res.status, 200, res.text);
        assert.equal(res.json.article.title, 'City budget passes');
        assert.ok(!res.text.includes('@'), 'no e-mail address in the API');
        const [first] = res.json.comments;
        assert.equal(first.author.name, 'Ann Reader');
        assert.equal(first.created_at, '2026-11-30T10:00:00Z');
        assert.ok(first.html.includes('<strong>bold</strong>'), 'the last revision: ' + first.html);
        assert.ok(!first.html.includes('<script') && !first.html.includes('alert'), first.html);
        assert.equal(first.replies.length, 0);
        const pending = await mod.get('/api/v1/mod/queue?queue=pending&limit=50');
        assert.deepEqual(pending.json.items.map((i) => i.comment.body), ['Waiting in premod']);
        const rejected = await mod.get('/api/v1/mod/queue?queue=rejected&limit=50');
        assert.deepEqual(rejected.json.items.map((i) => i.comment.body), ['Refused by a moderator']);
        // A story whose id is not an article id (here a URL) gets coral-<hash>.
        const list = await mod.get('/api/v1/mod/articles?q=Closed');
        assert.equal(list.json.articles.length, 1);
        assert.match(list.json.articles[0].id, /^coral-[0-9a-f]{32}$/);
        assert.equal(list.json.articles[0].status, 'closed');
        const closed = await anon.get(`/api/v1/articles/${list.json.articles[0].id}/comments`);
        assert.equal(closed.json.comments[0].status, 'deleted');
        assert.equal(closed.json.comments[0].replies[0].html, '<p>Hello</p>\n');
      }));
});

test('malformed exports exit 1 naming the line and write nothing; bad flags exit 2', async () => {
  const db = tempDb();
  try {
    await withFiles({
      'bad.jsonl': lines([{ version: 1 }, { id: 'a', locator: { url: '/x' }, text: 'ok' }]) + '{"id": "b", oops\n',
      'noheader.jsonl': lines([{ id: 'a', locator: { url: '/x' }, text: 'ok' }]),
      'commento.json': '{"version": 1, "comments": [{"commentHex": "a", "url": "/x", "markdown": "ok"},\n {"commentHex": "b",',
      'commento2.json': '{"version": 2, "comments": []}',
      'coral/stories.json': lines([{ id: 's' }]),
      'coral/comments.json': lines([{ id: 'c', storyID: 's', revisions: [{ body: 'ok' }] }]) + '[1, 2]\n',
      'nocomments/stories.json': '',
    }, async (dir) => {
      const cases = [
        ['remark42', 'bad.jsonl', /parley import remark42: .*bad\.jsonl: line 3: not JSON/],
        ['remark42', 'noheader.jsonl', /line 1: not a Remark42 backup: the first line is not its header/],
        ['commento', 'commento.json', /line 2: the file ends early/],
        ['commento', 'commento2.json', /line 1: a Commento export of another version/],
        ['coral', 'coral', /comments: line 2: not a JSON object/],
        ['coral', 'nocomments', /cannot open .*comments\.json/],
      ];
      for (const [source, name, message] of cases) {
        const r = run(['import', source, path.join(dir, name), '--db', db.url]);
        assert.equal(r.status, 1, `${source} ${name}: ${r.stdout}${r.stderr}`);
        assert.match(r.stderr, message);
        assert.equal(r.stdout, '', 'nothing imported');
      }
      const bad = run(['import', 'coral', path.join(dir, 'coral'), '--frobnicate']);
      assert.equal(bad.status, 2);
      assert.match(bad.stderr, /parley import coral: --frobnicate: unknown option/);
      const none = run(['import', 'remark42']);
      assert.equal(none.status, 2);
      assert.match(none.stderr, /the Remark42 backup to import is required/);
    });
    // Nothing was written: a server on the database has no such article.
    const srv = await startServer({ db, keepDb: true });
    try {
      const res = await new Client(srv.url).get('/api/v1/articles/x/comments');
      assert.equal(res.json.comments.length, 0);
    } finally {
      await stopClean(srv);
    }
  } finally {
    db.cleanup();
  }
});
