// tests/api/personal_views.test.mjs: a logged-in reader's thread view is the
// anonymous view plus their own layer (issue 17): their likes marked, their
// own pending comments in place, the authors they muted left out, right
// after likes, edits, deletions, mutes and moderator decisions. When the
// reader adds nothing but likes, the view is made from the cached anonymous
// bytes; parley_personal_views_total on /metrics says which path answered,
// so each test checks the path as well as the answer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, createUser, Client } from '../lib/server.mjs';
import { stopClean } from '../lib/api.mjs';
import { post } from './desk_helpers.mjs';

let srv, metricsUrl, mod, anon, alice, bob, carol;

before(async () => {
  srv = await startServer({ args: ['--metrics-listen', '127.0.0.1:0'] });
  const m = srv.log().match(/msg="metrics listening" url=(\S+)/);
  assert.ok(m, 'the metrics address is logged');
  metricsUrl = m[1];
  createUser(srv.dbUrl, { email: 'mod@example.com', name: 'Max Moderator', role: 'moderator' });
  mod = new Client(srv.url);
  assert.equal((await mod.login('mod@example.com')).status, 200);
  anon = new Client(srv.url);
  const reader = async (name) => {
    const c = new Client(srv.url);
    const res = await c.register(name, `${name.toLowerCase()}@example.com`);
    assert.equal(res.status, 201, res.text);
    c.user = res.json.user;
    return c;
  };
  alice = await reader('Alice');
  bob = await reader('Bob');
  carol = await reader('Carol');
});
after(async () => { await stopClean(srv); });

const list = (art, q = '?limit=100') => `/api/v1/articles/${art}/comments${q}`;

async function paths() {
  const text = await (await fetch(metricsUrl)).text();
  const get = (p) => Number(text.match(new RegExp(`^parley_personal_views_total\\{path="${p}"\\} (\\d+)$`, 'm'))[1]);
  return { layer: get('layer'), full: get('full') };
}

// Every comment of a view (list or reply page), replies included.
function all(view) {
  const out = [];
  const walk = (cs) => { for (const c of cs) { out.push(c); walk(c.replies); } };
  walk(view.comments || view.replies);
  return out;
}

// The anonymous view as `liked` (ids) and `muted` (author ids) change it.
function personal(anonView, liked = [], muted = []) {
  const v = structuredClone(anonView);
  // A page of replies is flat: a reply under a left-out one goes too
  // (parents come first).
  const gone = new Set();
  const keep = (cs) => cs.filter((c) => {
    const out = (c.author && muted.includes(c.author.id)) || gone.has(c.parent_id);
    if (out) gone.add(c.id);
    return !out;
  });
  const walk = (cs) => keep(cs).map((c) => ({ ...c, liked_by_me: liked.includes(c.id), replies: walk(c.replies) }));
  if (v.comments) v.comments = walk(v.comments);
  else v.replies = walk(v.replies);
  return v;
}

// GETs path as client and checks the answer is the anonymous view with
// `liked` marked and `muted` left out (unless same is false: the reader's
// own pending comments differ), answered by `via` ("layer" or "full"),
// privately. Returns the answer.
async function expectView(client, path, { liked = [], muted = [], via = 'layer', same = true } = {}) {
  const before = await paths();
  const res = await client.get(path);
  const after = await paths();
  assert.equal(res.status, 200, res.text);
  assert.equal(after[via] - before[via], 1, `answered by the ${via} path`);
  assert.equal(res.headers.get('cache-control'), 'no-store');
  assert.equal(res.headers.get('etag'), null);
  const a = await anon.get(path);
  assert.equal(a.status, 200);
  assert.ok(a.headers.get('etag'), 'the anonymous view is cached');
  if (same) assert.deepEqual(res.json, personal(a.json, liked, muted));
  return res;
}

test('likes are marked on the cached anonymous view: pages, sorts, cursors and reply pages', async () => {
  const art = 'pv-likes';
  const a1 = await post(alice, art, 'The bridge closure is longer than planned.');
  const a2 = await post(alice, art, 'The detour adds ten minutes.');
  const b1 = await post(bob, art, 'Which bridge?', a1.id);
  const a3 = await post(alice, art, 'The one on Mill Street.', b1.id);
  for (const id of [a1.id, a3.id]) assert.equal((await carol.post(`/api/v1/comments/${id}/likes`)).status, 200);

  // A page nobody asked for yet: the reader's request builds and caches the
  // anonymous view, then adds the layer.
  const res = await expectView(carol, list(art, '?limit=7'), { liked: [a1.id, a3.id] });
  assert.deepEqual(all(res.json).filter((c) => c.liked_by_me).map((c) => c.id), [a1.id, a3.id]);
  assert.equal(all(res.json).length, 4);
  await expectView(carol, list(art), { liked: [a1.id, a3.id] });
  const top = await expectView(carol, list(art, '?sort=top&limit=1'), { liked: [a1.id, a3.id] });
  assert.deepEqual(top.json.comments.map((c) => c.id), [a1.id]);
  assert.ok(top.json.next);
  const next = await expectView(carol, list(art, `?sort=top&limit=1&after=${encodeURIComponent(top.json.next)}`));
  assert.deepEqual(next.json.comments.map((c) => c.id), [a2.id]);
  await expectView(carol, `/api/v1/comments/${a1.id}/replies`, { liked: [a1.id, a3.id] });
  await expectView(carol, `/api/v1/comments/${a1.id}/replies?limit=1`, { liked: [a1.id, a3.id] });
  // Others' likes are not theirs; a moderator's view has no extras.
  await expectView(bob, list(art));
  await expectView(mod, list(art));

  // Unliking and liking show at once, with the counts.
  assert.equal((await carol.del(`/api/v1/comments/${a1.id}/likes`)).status, 200);
  assert.equal((await carol.post(`/api/v1/comments/${a2.id}/likes`)).status, 200);
  const now = await expectView(carol, list(art), { liked: [a2.id, a3.id] });
  assert.deepEqual(now.json.comments.map((c) => c.likes), [0, 1]);
});

test('own pending comments show in place for their author only, until a moderator decides', async () => {
  const art = 'pv-pending';
  const top = await post(alice, art, 'The market opens on Sundays from January.');
  assert.equal((await mod.put(`/api/v1/articles/${art}`, { status: 'premoderated' })).status, 200);
  const held = await post(bob, art, 'Good, Saturdays were too short.', top.id);
  assert.equal(held.status, 'pending');
  const heldTop = await post(bob, art, 'Will the car park open earlier too?');
  assert.equal(heldTop.status, 'pending');

  const mine = (await expectView(bob, list(art), { via: 'full', same: false })).json;
  assert.deepEqual(mine.comments.map((c) => [c.id, c.status]), [[top.id, 'published'], [heldTop.id, 'pending']]);
  assert.deepEqual(mine.comments[0].replies.map((c) => [c.id, c.status, c.html]),
    [[held.id, 'pending', '<p>Good, Saturdays were too short.</p>\n']]);
  // Everyone else's view is the anonymous one, without them.
  const other = await expectView(alice, list(art));
  assert.deepEqual(all(other.json).map((c) => c.id), [top.id]);

  // Approved: published for everyone, and the author's view is the layer again
  // once nothing of theirs is pending.
  for (const [id, action] of [[held.id, 'approve'], [heldTop.id, 'reject']]) {
    const d = await mod.post(`/api/v1/mod/comments/${id}/decision`, { action, reason: 'test' });
    assert.equal(d.status, 200, d.text);
  }
  const after = await expectView(bob, list(art));
  assert.deepEqual(all(after.json).map((c) => [c.id, c.status]), [[top.id, 'published'], [held.id, 'published']]);
  await expectView(alice, list(art));
});

test('muted authors are left out with the replies under them, for the muting reader only', async () => {
  const art = 'pv-mutes';
  const t1 = await post(alice, art, 'The library extends its hours.');
  const t2 = await post(bob, art, 'The pool closes for repairs.');
  const r1 = await post(alice, art, 'For how long?', t2.id);
  await post(carol, art, 'Until March, the sign says.', r1.id);
  await post(bob, art, 'Finally.', t1.id);
  assert.equal((await carol.post(`/api/v1/comments/${t2.id}/likes`)).status, 200);
  assert.equal((await carol.put(`/api/v1/me/mutes/${alice.user.id}`)).status, 200);

  const res = await expectView(carol, list(art), { liked: [t2.id], muted: [alice.user.id], via: 'full' });
  assert.deepEqual(all(res.json).map((c) => c.id), [t2.id]);
  await expectView(carol, `/api/v1/comments/${t2.id}/replies`, { liked: [t2.id], muted: [alice.user.id], via: 'full' });
  // Where the muted author has not written, the view is the layer.
  const quiet = await post(bob, 'pv-mutes-quiet', 'Nothing from Alice here.');
  await expectView(carol, list('pv-mutes-quiet'), { muted: [alice.user.id] });
  // Others are not affected; unmuting shows everything again at once.
  await expectView(bob, list(art));
  assert.equal((await carol.del(`/api/v1/me/mutes/${alice.user.id}`)).status, 204);
  const back = await expectView(carol, list(art), { liked: [t2.id] });
  assert.equal(all(back.json).length, 5);
  assert.ok(quiet);
});

test('edits, deletions and moderators\' removals show at once in the reader\'s view', async () => {
  const art = 'pv-edits';
  const c1 = await post(alice, art, 'The first draft of my remark.');
  const c2 = await post(bob, art, 'A remark a moderator will remove.');
  const c3 = await post(bob, art, 'A remark its author will delete.');
  const reply = await post(alice, art, 'A reply that keeps the deleted one in place.', c3.id);
  for (const c of [c1, c2, c3]) assert.equal((await carol.post(`/api/v1/comments/${c.id}/likes`)).status, 200);
  await expectView(carol, list(art), { liked: [c1.id, c2.id, c3.id] });

  const edit = await alice.patch(`/api/v1/comments/${c1.id}`, { body: 'The *final* version of my remark.' });
  assert.equal(edit.status, 200, edit.text);
  assert.equal((await bob.del(`/api/v1/comments/${c3.id}`)).status, 204);
  const d = await mod.post(`/api/v1/mod/comments/${c2.id}/decision`, { action: 'reject', reason: 'off topic' });
  assert.equal(d.status, 200, d.text);

  const res = await expectView(carol, list(art), { liked: [c1.id, c3.id] });
  const byId = Object.fromEntries(all(res.json).map((c) => [c.id, c]));
  assert.equal(byId[c1.id].html, '<p>The <em>final</em> version of my remark.</p>\n');
  assert.ok(byId[c1.id].edited_at);
  assert.equal(byId[c2.id], undefined, 'the rejected comment is gone');
  assert.equal(byId[c3.id].status, 'deleted', 'the deleted comment stays as a placeholder');
  assert.equal(byId[c3.id].html, '');
  assert.equal(byId[reply.id].html, '<p>A reply that keeps the deleted one in place.</p>\n');
  // The author's own edit that sends the comment back for review: pending,
  // shown to them in place, gone for everyone else.
  assert.equal((await mod.put(`/api/v1/articles/${art}`, { status: 'premoderated' })).status, 200);
  const held = await alice.patch(`/api/v1/comments/${reply.id}`, { body: 'An edited reply, held for review.' });
  assert.equal(held.status, 200, held.text);
  assert.equal(held.json.comment.status, 'pending');
  const own = await expectView(alice, list(art), { via: 'full', same: false });
  const mine = Object.fromEntries(all(own.json).map((c) => [c.id, c]));
  assert.equal(mine[reply.id].status, 'pending');
  assert.equal(mine[reply.id].html, '<p>An edited reply, held for review.</p>\n');
  const theirs = await expectView(carol, list(art), { liked: [c1.id, c3.id] });
  assert.equal(all(theirs.json).some((c) => c.id === reply.id), false);
});

test('a session cookie that names no session gets the anonymous view, uncached', async () => {
  const art = 'pv-likes';
  const res = await anon.get(list(art), { cookie: 'parley_session=not-a-session' });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('cache-control'), 'no-store');
  assert.deepEqual(res.json, (await anon.get(list(art))).json);
});

// On PostgreSQL a loop sends a reader's session and layer read and serves
// other requests until the answer comes; answers come back in the order the
// reads went out, many of them in flight on one connection. Each reader,
// asking all at once among anonymous readers and a cookie naming no
// session, must get their own likes and nobody else's.
test('many readers at once, among anonymous ones, each get their own layer', async () => {
  const art = 'pv-crowd';
  const ids = [];
  for (let i = 0; i < 6; i++) ids.push((await post(alice, art, `Crowd comment number ${i + 1}.`)).id);
  const readers = [];
  for (let i = 0; i < 6; i++) {
    const c = new Client(srv.url);
    const res = await c.register(`Crowd${i}`, `crowd${i}@example.com`);
    assert.equal(res.status, 201, res.text);
    // Reader i likes the comments from i on: every layer differs.
    for (const id of ids.slice(i)) assert.equal((await c.post(`/api/v1/comments/${id}/likes`)).status, 200);
    readers.push({ c, liked: ids.slice(i) });
  }
  const anonView = (await anon.get(list(art))).json;
  const asks = [];
  for (let round = 0; round < 8; round++) {
    for (const r of readers) asks.push({ p: r.c.get(list(art)), liked: r.liked });
    asks.push({ p: anon.get(list(art)), liked: [] });
    asks.push({ p: anon.get(list(art), { cookie: 'parley_session=no-such-session' }), liked: [] });
  }
  const answers = await Promise.all(asks.map((a) => a.p));
  answers.forEach((res, i) => {
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json, personal(anonView, asks[i].liked), `answer ${i}`);
  });
});

// Nothing of a session is kept between requests: the next read after a
// logout is anonymous, and the likes made just before it count.
test('a logout counts from the next read; the layer follows the last like', async () => {
  const art = 'pv-logout';
  const c1 = await post(alice, art, 'A remark to like and then leave.');
  const dave = new Client(srv.url);
  assert.equal((await dave.register('Dave', 'dave@example.com')).status, 201);
  const cookie = dave.cookie;
  assert.equal((await dave.post(`/api/v1/comments/${c1.id}/likes`)).status, 200);
  await expectView(dave, list(art), { liked: [c1.id] });
  assert.equal((await dave.post('/api/v1/auth/logout')).status, 204);
  const after = await anon.get(list(art), { cookie });
  assert.equal(after.status, 200);
  assert.equal(after.headers.get('cache-control'), 'no-store');
  assert.deepEqual(after.json, (await anon.get(list(art))).json, 'the old cookie reads as anonymous');
});

// A node keeps a reader's session and layer of an article for a moment
// (server/session_read.c, session_cache_ms); any write it commits, whoever
// made it, drops what it kept, so the next read asks the database again.
test('a repeated read takes the session and layer from the node\'s cache until the next write', async () => {
  const art = 'pv-cache';
  const c1 = await post(alice, art, 'A remark read twice.');
  const reads = async () => {
    const text = await (await fetch(metricsUrl)).text();
    const get = (r) => Number(text.match(new RegExp(`^parley_session_layer_reads_total\\{result="${r}"\\} (\\d+)$`, 'm'))[1]);
    return { hit: get('hit'), miss: get('miss') };
  };
  // Loops share no cache: read until one of them answers from its own.
  let r0 = await reads();
  await expectView(carol, list(art));
  for (let i = 0; i < 20 && (await reads()).hit === r0.hit; i++) await expectView(carol, list(art));
  assert.ok((await reads()).hit > r0.hit, 'a repeated read is a hit');
  // Someone else's write (not about this article) drops it: a miss, then right.
  assert.equal((await bob.put(`/api/v1/me/mutes/${alice.user.id}`)).status, 200);
  r0 = await reads();
  await expectView(carol, list(art));
  let r1 = await reads();
  assert.deepEqual([r1.hit - r0.hit, r1.miss - r0.miss], [0, 1], 'the read after a write asks the database');
  assert.equal((await bob.del(`/api/v1/me/mutes/${alice.user.id}`)).status, 204);
  // The reader's own like: the next read has it.
  assert.equal((await carol.post(`/api/v1/comments/${c1.id}/likes`)).status, 200);
  r0 = await reads();
  await expectView(carol, list(art), { liked: [c1.id] });
  r1 = await reads();
  assert.equal(r1.miss - r0.miss, 1);
});

// PostgreSQL: the database ends every connection of the server (a restart,
// a failover). The loops' connections for sessions and layers see it, hand
// what waits on them to the ordinary reader and open again; logged-in reads
// are answered throughout and are soon right again. On a server of its own:
// the lost connections are logged as errors.
test('logged-in reads survive the database ending every connection', { skip: !/^postgres/.test(process.env.PARLEY_TEST_DB_URL || '') && 'PostgreSQL only' }, async () => {
  const { spawnSync } = await import('node:child_process');
  const own = await startServer();
  try {
    const art = 'pv-reconnect';
    const writer = new Client(own.url), reader = new Client(own.url);
    assert.equal((await writer.register('Wanda', 'wanda@example.com')).status, 201);
    assert.equal((await reader.register('Rolf', 'rolf@example.com')).status, 201);
    const c1 = await post(writer, art, 'A remark read across a database restart.');
    assert.equal((await reader.post(`/api/v1/comments/${c1.id}/likes`)).status, 200);
    assert.equal((await reader.get(list(art))).json.comments[0].liked_by_me, true);
    const kill = spawnSync('psql', [own.dbUrl, '-Atc',
      'SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()']);
    assert.equal(kill.status, 0, String(kill.stderr));
    assert.ok(Number(String(kill.stdout).trim()) >= 3, `ended ${kill.stdout} connections`);
    const t0 = Date.now();
    for (;;) {
      const res = await Promise.all([0, 1, 2, 3].map(() => reader.get(list(art))));
      for (const r of res) assert.equal(r.status, 200, r.text);
      if (res.every((r) => r.json.comments[0].liked_by_me)) break;
      if (Date.now() - t0 > 10000) assert.fail('logged-in reads are not right again after 10 s');
      await new Promise((r) => setTimeout(r, 50));
    }
    // A write (which reconnects the writer) drops what the loops cached;
    // after a second their own connections are open again.
    for (let i = 0; i < 5; i++) {
      const w = await writer.post(`/api/v1/comments/${c1.id}/likes`);
      if (w.status === 200) break;
    }
    await new Promise((r) => setTimeout(r, 1100));
    const again = await Promise.all([0, 1, 2, 3].map(() => reader.get(list(art))));
    for (const r of again) assert.deepEqual([r.status, r.json.comments[0].liked_by_me, r.json.comments[0].likes], [200, true, 2]);
    assert.match(own.log(), /connection for session reads lost/);
  } finally {
    const r = await own.stop();
    assert.deepEqual(r, { code: 0, sig: null }, own.log().slice(-2000));
    assert.doesNotMatch(own.log(), /AddressSanitizer|runtime error/);
  }
});
