// tests/api/live.test.mjs: the anonymous view cache, live updates over
// Server-Sent Events, and rate limits.
//
// The cache must never serve a thread older than an acknowledged write; the
// event stream must announce published comments (and not held ones); rate
// limits answer 429 with Retry-After.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { startServer, Client } from '../lib/server.mjs';

let srv, alice, anon;
const ART = 'live-1';
const P = `/api/v1/articles/${ART}/comments`;

before(async () => {
  srv = await startServer();
  alice = new Client(srv.url);
  anon = new Client(srv.url);
  assert.equal((await alice.register('Alice', 'alice@example.com')).status, 201);
});

after(async () => {
  const r = await srv.stop();
  assert.equal(r.code, 0, srv.log());
});

test('anonymous thread views carry an ETag, revalidate with 304, and never go stale', async () => {
  assert.equal((await alice.post(P, { body: 'one' })).status, 201);
  const a = await anon.get(P);
  assert.equal(a.status, 200);
  const etag = a.headers.get('etag');
  assert.match(etag, /^"[0-9a-f]{16}"$/);
  assert.match(a.headers.get('cache-control'), /public/);
  assert.equal(a.headers.get('vary'), 'Cookie, Origin');
  const again = await anon.get(P, { 'if-none-match': etag });
  assert.equal(again.status, 304);
  assert.equal(again.text, '');
  // A write acknowledged before the next read must show in it.
  for (let i = 0; i < 5; i++) {
    assert.equal((await alice.post(P, { body: `more ${i}` })).status, 201);
    const b = await anon.get(P);
    assert.equal(b.json.comments.length, 2 + i);
    assert.notEqual(b.headers.get('etag'), etag);
  }
  // Likes change what anonymous readers see too.
  const first = (await anon.get(P)).json.comments[0];
  assert.equal((await alice.post(`/api/v1/comments/${first.id}/likes`)).status, 200);
  assert.equal((await anon.get(P)).json.comments[0].likes, 1);
  // A logged-in reader gets a personal, uncached view.
  const mine = await alice.get(P);
  assert.equal(mine.headers.get('etag'), null);
  assert.equal(mine.json.comments[0].liked_by_me, true);
});

// Reads an SSE stream until `want` events arrived; resolves with them.
function collectEvents(url, want) {
  return new Promise((resolve, reject) => {
    const events = [];
    const req = http.get(url, (res) => {
      assert.equal(res.statusCode, 200);
      assert.match(res.headers['content-type'], /^text\/event-stream/);
      let buf = '';
      res.on('data', (chunk) => {
        buf += chunk;
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const data = block.split('\n').find((l) => l.startsWith('data: '));
          if (data) events.push(JSON.parse(data.slice(6)));
          if (block.startsWith('retry:')) req.emit('ready');
          if (events.length === want) { req.destroy(); resolve(events); }
        }
      });
    });
    req.on('error', (e) => { if (events.length < want) reject(e); });
    collectEvents.last = req;
  });
}

test('the event stream announces created, edited and removed comments of its article only', async () => {
  const got = collectEvents(`${srv.url}/api/v1/articles/live-2/events`, 3);
  await new Promise((r) => collectEvents.last.once('ready', r));
  const other = await alice.post(`/api/v1/articles/live-other/comments`, { body: 'elsewhere' });
  assert.equal(other.status, 201);
  const c = await alice.post('/api/v1/articles/live-2/comments', { body: 'hello' });
  assert.equal(c.status, 201);
  const id = c.json.comment.id;
  assert.equal((await alice.patch(`/api/v1/comments/${id}`, { body: 'hello again' })).status, 200);
  assert.equal((await alice.del(`/api/v1/comments/${id}`)).status, 204);
  const events = await got;
  // The author comes along so a widget can leave out readers its reader muted.
  const author_id = c.json.comment.author.id;
  assert.match(author_id, /^[1-9][0-9]*$/);
  assert.deepEqual(events, [
    { type: 'created', comment_id: id, author_id },
    { type: 'edited', comment_id: id, author_id },
    { type: 'removed', comment_id: id, author_id },
  ]);
});

// An HTTP/1.0 stream: not chunked, the events as they are, until the end.
function collectRaw(port, path, want) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1', () => sock.write(`GET ${path} HTTP/1.0\r\nHost: x\r\n\r\n`));
    const events = [];
    let buf = '';
    let head = null;
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      if (head === null) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        head = buf.slice(0, end);
        buf = buf.slice(end + 4);
      }
      let i;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const data = block.split('\n').find((l) => l.startsWith('data: '));
        if (data) events.push(JSON.parse(data.slice(6)));
        if (block.startsWith('retry:')) sock.emit('ready');
        if (events.length === want) { sock.destroy(); resolve({ head, events }); }
      }
    });
    sock.on('error', reject);
    collectRaw.last = sock;
  });
}

// Events published while a fan-out is under way go out together in one
// write per stream (app/events.c): each stream still gets each event once,
// framed whole, in the order of the commits, chunked or not.
test('a burst of comments reaches every stream of the article once each, in order', async () => {
  const N = 12;
  const path = '/api/v1/articles/live-burst/events';
  const streams = [];
  for (let k = 0; k < 3; k++) {
    streams.push(collectEvents(`${srv.url}${path}`, N));
    await new Promise((r) => collectEvents.last.once('ready', r));
  }
  const raw = collectRaw(new URL(srv.url).port, path, N);
  await new Promise((r) => collectRaw.last.once('ready', r));
  const elsewhere = collectEvents(`${srv.url}/api/v1/articles/live-burst-2/events`, 1);
  await new Promise((r) => collectEvents.last.once('ready', r));
  const posts = await Promise.all(Array.from({ length: N }, (_, i) =>
    alice.post('/api/v1/articles/live-burst/comments', { body: `burst number ${i}: ${'word '.repeat(i + 1)}` })));
  for (const p of posts) assert.equal(p.status, 201);
  const ids = posts.map((p) => p.json.comment.id).sort((a, b) => Number(a) - Number(b));
  const r = await raw;
  assert.doesNotMatch(r.head.toLowerCase(), /transfer-encoding: chunked/);
  for (const events of [...(await Promise.all(streams)), r.events]) {
    assert.deepEqual(events.map((e) => e.type), Array(N).fill('created'));
    assert.deepEqual(events.map((e) => e.comment_id), ids);
  }
  // The other article's stream got nothing of the burst.
  const own = await alice.post('/api/v1/articles/live-burst-2/comments', { body: 'only this one' });
  assert.equal(own.status, 201);
  assert.deepEqual((await elsewhere).map((e) => e.comment_id), [own.json.comment.id]);
});

test('a bad article id on the event stream is refused', async () => {
  const r = await anon.get('/api/v1/articles/bad%20id/events');
  assert.equal(r.status, 400);
  assert.equal(r.json.error.code, 'invalid_field');
});

test('rate limits answer 429 with Retry-After when on', async () => {
  const limited = await startServer({ rateLimit: 'on' });
  try {
    const c = new Client(limited.url);
    // All twelve at once: the auth bucket holds ten and refills one every six
    // seconds, so sent one after another (each login hashes a password,
    // slowly under ASan on a busy machine) a refill could let an eleventh in.
    const answers = await Promise.all(Array.from({ length: 12 }, () => c.login('nobody@example.com', 'wrong password')));
    for (const r of answers) {
      if (r.status === 429) {
        assert.equal(r.json.error.code, 'rate_limited');
        assert.match(r.headers.get('retry-after'), /^[1-9][0-9]*$/);
      }
    }
    assert.deepEqual(answers.map((r) => r.status).sort(), [...Array(10).fill(401), 429, 429]);
  } finally {
    await limited.stop();
  }
});
