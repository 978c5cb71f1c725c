// tests/multinode.test.mjs: two Parley nodes on one PostgreSQL database
// behind nginx (round robin, no sticky sessions), and a reader's and a
// moderator's journey across both; then the change notices between nodes:
// a write through one node drops the other's cached anonymous view and
// reaches the live-update streams open on the other.
//
// Needs PARLEY_TEST_DB_URL=postgres://... (tests/pg.sh sets it) and nginx
// (/usr/sbin/nginx, Debian nginx-light); skipped otherwise. nginx runs in
// the foreground from a temporary directory (lib/nginx.mjs) and adds an X-Parley-Upstream header naming the
// node that answered, so the test can see that both nodes served. Last, two
// more nodes with the proof of work on: a solution used through one is
// refused by the other.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { startServer, createUser, tempDb, Client } from './lib/server.mjs';
import { configFile } from './lib/api.mjs';
import { NGINX, freePort, startNginx } from './lib/nginx.mjs';

const skip = !/^postgres(ql)?:\/\//.test(process.env.PARLEY_TEST_DB_URL || '')
  ? 'needs PARLEY_TEST_DB_URL=postgres://... (run tests/pg.sh)'
  : !NGINX ? 'needs nginx (apt-get install nginx-light)' : false;

let db, nodes = [], dir, front;

// Starts nginx in front of the nodes; resolves once it answers /healthz.
async function startFront(upstreams) {
  dir = mkdtempSync(path.join(tmpdir(), 'parley-nginx-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const nginx = await startNginx(dir, `  upstream parley {
${upstreams.map((u) => `    server ${u};`).join('\n')}
    keepalive 8;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://parley;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      add_header X-Parley-Upstream $upstream_addr always;
    }
  }`, async () => (await fetch(url + '/healthz')).status === 200);
  return { url, ...nginx };
}

before(async () => {
  if (skip) return;
  db = tempDb();
  // Both nodes start at once on the fresh database: the migration lock
  // makes one create the schema while the other waits.
  // Cached sessions and layers (server/session_read.c) kept for a minute,
  // one loop per node (so one cache): only the change notices can make a
  // node drop them within a test's 5 s.
  const args = ['--config', configFile('session_cache_ms = 60000\nthreads = 1\n')];
  nodes = await Promise.all([0, 1].map(() => startServer({ db, keepDb: true, args })));
  createUser(db.url, { email: 'mod@example.com', name: 'Moderator', role: 'moderator' });
  front = await startFront(nodes.map((n) => new URL(n.url).host));
});

after(async () => {
  if (front) await front.stop();
  for (const n of nodes) {
    const r = await n.stop();
    assert.equal(r.code, 0, `node exited ${r.code ?? r.sig}:\n${n.log()}`);
  }
  if (db) db.cleanup();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// A client for the same user on another base URL (same cookie).
function sameUser(client, base) {
  const c = new Client(base);
  c.cookie = client.cookie;
  return c;
}

test('a reader and a moderator across two nodes behind nginx', { skip }, async () => {
  const [a, b] = nodes;
  const article = 'multinode-1';

  // Register on node A; log in through nginx; the session works on both.
  const reader = new Client(a.url);
  const reg = await reader.register('Rita Reader', 'rita.reader@example.com', 'a long password');
  assert.equal(reg.status, 201, reg.text);
  const readerId = reg.json.user.id;
  const viaFront = new Client(front.url);
  assert.equal((await viaFront.login('rita.reader@example.com', 'a long password')).status, 200);
  for (const n of nodes) {
    const me = await sameUser(viaFront, n.url).get('/api/v1/me');
    assert.equal(me.status, 200, `session refused by ${n.url}: ${me.text}`);
    assert.equal(me.json.user.id, readerId);
  }

  // Post through nginx until both nodes have served posts.
  const served = new Set();
  const ids = [];
  const places = ['harbour', 'library', 'station', 'market', 'bridge', 'park', 'school', 'museum'];
  for (let i = 0; i < places.length; i++) {
    const r = await viaFront.post(`/api/v1/articles/${article}/comments`,
      { body: `Comment ${i + 1}: the plans for the ${places[i]} look sensible to me.` });
    assert.equal(r.status, 201, r.text);
    served.add(r.headers.get('x-parley-upstream'));
    ids.push(r.json.comment.id);
  }
  assert.deepEqual([...served].sort(), nodes.map((n) => new URL(n.url).host).sort(),
    'round robin sent posts to both nodes');

  // Each node sees every comment, whichever node stored it.
  for (const n of nodes) {
    const r = await sameUser(viaFront, n.url).get(`/api/v1/articles/${article}/comments?limit=100`);
    assert.equal(r.status, 200, r.text);
    const seen = new Set(r.json.comments.map((c) => c.id));
    for (const id of ids) assert.ok(seen.has(id), `${n.url} lacks comment ${id}`);
  }

  // A moderator logged in through nginx bans the reader through node A.
  const modFront = new Client(front.url);
  assert.equal((await modFront.login('mod@example.com')).status, 200);
  const ban = await sameUser(modFront, a.url).post(`/api/v1/mod/users/${readerId}/ban`,
    { reason: 'spam', until: null });
  assert.equal(ban.status, 200, ban.text);

  // Node B refuses the reader's next write at once, and so does nginx
  // whichever node it picks.
  const onB = await sameUser(viaFront, b.url).post(`/api/v1/articles/${article}/comments`,
    { body: 'One more thought about the harbour.' });
  assert.equal(onB.status, 403, onB.text);
  assert.equal(onB.json.error.code, 'banned');
  const refusedBy = new Set();
  for (let i = 0; i < 4; i++) {
    const r = await viaFront.post(`/api/v1/comments/${ids[0]}/likes`);
    assert.equal(r.status, 403, r.text);
    assert.equal(r.json.error.code, 'banned');
    refusedBy.add(r.headers.get('x-parley-upstream'));
  }
  assert.equal(refusedBy.size, 2, 'both nodes refused the banned reader');

  // The ban made through A is in the log read through B.
  const log = await sameUser(modFront, b.url).get('/api/v1/mod/log');
  assert.equal(log.status, 200, log.text);
  assert.ok(JSON.stringify(log.json).includes('"ban"'), 'the ban is in the log on node B');
});

// Fetches B's anonymous view until it lists `id`; resolves with the time it
// took, or rejects after `limit` ms. Each try is a real request; the short
// pause between tries only keeps the loop from spinning.
async function untilListed(client, path, id, limit) {
  const start = Date.now();
  for (;;) {
    const r = await client.get(path);
    assert.equal(r.status, 200, r.text);
    if (r.json.comments.some((c) => c.id === id)) return Date.now() - start;
    if (Date.now() - start > limit) throw new Error(`comment ${id} not listed after ${limit} ms`);
    await new Promise((res) => setTimeout(res, 10));
  }
}

test("a comment posted through node A shows in node B's cached anonymous view", { skip }, async (t) => {
  const [a, b] = nodes;
  const P = '/api/v1/articles/multinode-cache/comments';
  const writer = new Client(a.url);
  assert.equal((await writer.register('Wendy Writer', 'wendy@example.com')).status, 201);
  const first = await writer.post(P, { body: 'The new timetable suits the early shift well.' });
  assert.equal(first.status, 201, first.text);

  // Prime B's view cache and check that it serves from it (304 on the ETag).
  const anonB = new Client(b.url);
  const view = await anonB.get(P);
  assert.equal(view.status, 200, view.text);
  assert.deepEqual(view.json.comments.map((c) => c.id), [first.json.comment.id]);
  const etag = view.headers.get('etag');
  assert.ok(etag, 'the anonymous view is cacheable');
  assert.equal((await anonB.get(P, { 'if-none-match': etag })).status, 304);

  const second = await writer.post(P, { body: 'The late buses still need a second look.' });
  assert.equal(second.status, 201, second.text);
  const ms = await untilListed(anonB, P, second.json.comment.id, 5000);
  t.diagnostic(`node B listed node A's comment after ${ms} ms`);
  const after = await anonB.get(P, { 'if-none-match': etag });
  assert.equal(after.status, 200, 'the old ETag no longer matches');
});

// Opens an SSE stream; resolves `ready` once the server has sent its retry:
// line, and `next` with the first event (or rejects after `limit` ms).
function openEvents(url, limit) {
  let req, timer;
  const ready = new Promise((resolveReady, rejectReady) => {
    req = http.get(url, (res) => {
      if (res.statusCode !== 200) return rejectReady(new Error(`events: HTTP ${res.statusCode}`));
      let buf = '';
      res.on('data', (chunk) => {
        buf += chunk;
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          if (block.startsWith('retry:')) resolveReady();
          const data = block.split('\n').find((l) => l.startsWith('data: '));
          if (data) req.emit('event', JSON.parse(data.slice(6)));
        }
      });
    });
    req.on('error', rejectReady);
  });
  const next = new Promise((resolve, reject) => {
    req.once('event', resolve);
    req.on('error', reject);
    timer = setTimeout(() => reject(new Error(`no event within ${limit} ms`)), limit);
  });
  const close = () => { clearTimeout(timer); req.destroy(); };
  return { ready, next, close };
}

test('a live-update stream on node B receives a comment posted through node A', { skip }, async () => {
  const [a, b] = nodes;
  const article = 'multinode-live';
  // Registered before the stream opens: the stream's 5 s budget is for the
  // event, not for hashing a password on a loaded machine (3-6 s under ASan).
  const writer = new Client(a.url);
  assert.equal((await writer.register('Lena Live', 'lena@example.com')).status, 201);
  const stream = openEvents(`${b.url}/api/v1/articles/${article}/events`, 5000);
  try {
    await stream.ready;
    const c = await writer.post(`/api/v1/articles/${article}/comments`,
      { body: 'Good to see the library opening on Sundays.' });
    assert.equal(c.status, 201, c.text);
    assert.deepEqual(await stream.next,
      { type: 'created', comment_id: c.json.comment.id, author_id: c.json.comment.author.id });
  } finally {
    stream.close();
  }
});

test("deleting an account through node A renames its comments in node B's cached view", { skip }, async (t) => {
  const [a, b] = nodes;
  // Two articles: the deletion changes every article the account wrote on,
  // more than the one a write job normally names.
  const paths = ['multinode-del-1', 'multinode-del-2'].map((x) => `/api/v1/articles/${x}/comments`);
  const leaving = new Client(a.url);
  assert.equal((await leaving.register('Dora Departing', 'dora@example.com')).status, 201);
  const bodies = ['The market square needs more benches and shade.',
    'Longer opening hours at the pool would help families in the summer.'];
  for (const [i, p] of paths.entries()) {
    const r = await leaving.post(p, { body: bodies[i] });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.comment.status, 'published', r.text);
  }
  const anonB = new Client(b.url);
  for (const p of paths) {
    const v = await anonB.get(p);
    assert.equal(v.json.comments[0].author.name, 'Dora Departing');
  }
  assert.equal((await leaving.del('/api/v1/me')).status, 204);
  for (const p of paths) {
    const start = Date.now();
    for (;;) {
      const v = await anonB.get(p);
      if (v.json.comments[0].author.name === 'Deleted account') break;
      if (Date.now() - start > 5000) assert.fail(`${p} on node B still shows the old name after 5 s`);
      await new Promise((res) => setTimeout(res, 10));
    }
    t.diagnostic(`${p}: renamed on node B after ${Date.now() - start} ms`);
  }
});

test('rate limits on writes hold across nodes: two nodes share one bucket per address', { skip }, async () => {
  // Two more nodes on the same database, with rate limits on. Logins are
  // limited to 10 a minute per address (burst 10); each node alone sees only
  // six of the twelve attempts, so only the shared bucket can refuse.
  const limited = await Promise.all([0, 1].map(() => startServer({ db, keepDb: true, rateLimit: 'on' })));
  try {
    // All twelve at once: the bucket refills one token every six seconds
    // (counted from each request's arrival), and one after another, each
    // hashing a password under ASan on a busy machine, the twelve took long
    // enough for refills to let every one in.
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) =>
      new Client(limited[i % 2].url).login('nobody-here@example.com', 'not the password')));
    for (const r of answers) {
      if (r.status === 429) assert.match(r.headers.get('retry-after'), /^[1-9][0-9]*$/);
    }
    const statuses = answers.map((r) => r.status).sort();
    assert.deepEqual(statuses, [...Array(10).fill(401), 429, 429], statuses.join(','));
  } finally {
    for (const n of limited) assert.equal((await n.stop()).code, 0, n.log());
  }
});

// A logged-in reader's view is the node's cached anonymous view plus their
// own layer (issue 17), which each node also caches per session and article
// (server/session_read.c): on node B it follows what the reader and others
// did through node A as soon as A's change notice has reached B (the nodes
// keep cached layers for a minute here, so nothing else could). Comments
// others wrote show the same way, as in the anonymous view.
test("a logged-in reader's view on node B follows likes, mutes, pending comments, decisions, edits, deletions and a logout made through node A", { skip }, async (t) => {
  const [a, b] = nodes;
  const art = 'multinode-personal';
  const P = `/api/v1/articles/${art}/comments`;
  const writer = new Client(a.url);
  assert.equal((await writer.register('Petra Poster', 'petra.poster@example.com')).status, 201);
  const readerA = new Client(a.url);
  const reg = await readerA.register('Rhea Reader', 'rhea.reader@example.com');
  assert.equal(reg.status, 201, reg.text);
  const readerB = new Client(b.url);
  readerB.cookie = readerA.cookie; // the same session, on the other node
  const modA = new Client(a.url);
  assert.equal((await modA.login('mod@example.com')).status, 200);
  // Reads the reader's view on B until ok(view) holds (5 s at most); every
  // read before that was served, and cached, by B.
  const until = async (what, ok) => {
    const t0 = Date.now();
    for (;;) {
      const v = await readerB.get(P);
      assert.equal(v.status, 200, v.text);
      if (ok(v.json, v)) {
        t.diagnostic(`node B showed ${what} after ${Date.now() - t0} ms`);
        return v.json;
      }
      if (Date.now() - t0 > 5000) assert.fail(`node B does not show ${what} after 5 s`);
      await new Promise((res) => setTimeout(res, 10));
    }
  };

  const first = (await writer.post(P, { body: 'The ferry timetable changes next month.' })).json.comment;
  let view = await until('the first comment', (v) => v.comments.length === 1);
  assert.deepEqual(view.comments.map((c) => [c.id, c.liked_by_me]), [[first.id, false]]);
  assert.deepEqual((await readerB.get(P)).json, view, 'a second read (from B\'s cache) is the same');
  // A like through A.
  assert.equal((await readerA.post(`/api/v1/comments/${first.id}/likes`)).status, 200);
  await until('the like', (v) => v.comments[0].liked_by_me);

  // A new comment through A, liked through A: once B lists it, it is liked.
  const second = (await writer.post(P, { body: 'The evening crossing is the one I need.' })).json.comment;
  assert.equal((await readerA.post(`/api/v1/comments/${second.id}/likes`)).status, 200);
  view = await until('the second comment, liked', (v) => v.comments.some((c) => c.id === second.id && c.liked_by_me));
  assert.deepEqual(view.comments.map((c) => [c.id, c.liked_by_me, c.likes]), [[first.id, true, 1], [second.id, true, 1]]);

  // A mute through A hides the author on B, and unmuting shows them: a
  // write about no article, which B hears of by the "people" notice.
  const writerId = (await writer.get('/api/v1/me')).json.user.id;
  assert.equal((await readerA.put(`/api/v1/me/mutes/${writerId}`)).status, 200);
  await until('the mute', (v) => v.comments.length === 0);
  assert.equal((await readerA.del(`/api/v1/me/mutes/${writerId}`)).status, 204);
  await until('the unmute', (v) => v.comments.length === 2);

  // The reader's own held comment shows on B, in place; nobody else sees
  // it; approved through A, it stays for them and reaches everyone.
  assert.equal((await modA.put(`/api/v1/articles/${art}`, { status: 'premoderated' })).status, 200);
  const held = await readerA.post(P, { body: 'Is there a bus from the pier?', parent_id: first.id });
  assert.equal(held.status, 201, held.text);
  assert.equal(held.json.comment.status, 'pending');
  view = await until('the own held reply', (v) => v.comments[0].replies.length === 1);
  assert.deepEqual(view.comments[0].replies.map((c) => [c.id, c.status]), [[held.json.comment.id, 'pending']]);
  assert.deepEqual((await new Client(b.url).get(P)).json.comments[0].replies, []);
  const d = await modA.post(`/api/v1/mod/comments/${held.json.comment.id}/decision`, { action: 'approve' });
  assert.equal(d.status, 200, d.text);
  await until('the approved reply', (v) => v.comments[0].replies.length === 1 && v.comments[0].replies[0].status === 'published');
  const anonB = (await new Client(b.url).get(P)).json.comments[0].replies;
  assert.deepEqual(anonB.map((c) => c.id), [held.json.comment.id]);

  // An edit and a deletion through A, their likes still marked.
  assert.equal((await modA.put(`/api/v1/articles/${art}`, { status: 'open' })).status, 200);
  const edit = await writer.patch(`/api/v1/comments/${second.id}`, { body: 'The late crossing is the one I need.' });
  assert.equal(edit.status, 200, edit.text);
  assert.equal((await writer.del(`/api/v1/comments/${first.id}`)).status, 204);
  view = await until('the edit and the deletion', (v) => v.comments[0].status === 'deleted' && v.comments[1].html.includes('late crossing'));
  assert.deepEqual(view.comments.map((c) => [c.id, c.liked_by_me]), [[first.id, true], [second.id, true]]);
  assert.equal(view.comments[0].replies[0].id, held.json.comment.id, 'the reply stays under the deleted comment');

  // A logout through A ends the session on B: the same cookie then reads
  // the anonymous view there.
  assert.equal((await readerA.post('/api/v1/auth/logout')).status, 204);
  view = await until('the logout', (v) => !v.comments.some((c) => c.liked_by_me));
  assert.deepEqual(view, (await new Client(b.url).get(P)).json);
  assert.equal((await readerB.get(P)).headers.get('cache-control'), 'no-store');
});

// A client's proof of work: GET /pow, then the number whose hash is the
// challenge (ALTCHA's search), sent back base64-encoded.
async function solvePow(client) {
  const c = (await client.get('/api/v1/pow')).json;
  for (let n = 0; n <= c.maxnumber; n++) {
    if (createHash('sha256').update(c.salt + n).digest('hex') === c.challenge) {
      return Buffer.from(JSON.stringify({ algorithm: c.algorithm, challenge: c.challenge, number: n, salt: c.salt, signature: c.signature })).toString('base64');
    }
  }
  throw new Error('no solution');
}

test('a proof-of-work solution used through node A is refused by node B', { skip }, async () => {
  // Two more nodes with the same pow_secret, so each verifies the other's
  // challenges; only the database can know that B's solution was used on A.
  const args = ['--config', configFile('pow = on\npow_maxnumber = 2000\npow_secret = the nodes share this key\n')];
  const [pa, pb] = await Promise.all([0, 1].map(() => startServer({ db, keepDb: true, args })));
  try {
    const altcha = await solvePow(new Client(pb.url));
    const reg = (base, name) => new Client(base).post('/api/v1/auth/register', { name, email: `${name.toLowerCase()}-pow@example.com`, password: 'correct horse battery', altcha });
    assert.equal((await reg(pa.url, 'Noor')).status, 201);
    const replay = await reg(pb.url, 'Omar');
    assert.equal(replay.status, 400, replay.text);
    assert.equal(replay.json.error.code, 'pow_invalid');
    assert.match(replay.json.error.message, /already used/);
  } finally {
    for (const n of [pa, pb]) assert.equal((await n.stop()).code, 0, n.log());
  }
});
