// tests/api/desk_stats.test.mjs: the desk's numbers (issue 15): comments per
// day by the status they have now, the pending queue rebuilt day by day,
// moderator decisions and their wait, readers' flags by reason, the engine's
// holds and refusals with what moderators made of them (a premoderated
// article's holds are not the engine's), the CSV export with the same
// figures; moderators and admins only; every bad parameter. Runs on SQLite,
// and on PostgreSQL under tests/pg.sh.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '../lib/server.mjs';
import { deskServer, post, sql } from './desk_helpers.mjs';

let D;
before(async () => { D = await deskServer(); });
after(async () => { await D.srv.stop(); });

const DAY = 86400000;
const day = (ms) => new Date(ms).toISOString().slice(0, 10);
const today = () => day(Date.now());

async function stats(client, q) {
  const res = await client.get(`/api/v1/mod/stats?${q}`);
  assert.equal(res.status, 200, `${q}: ${res.text}`);
  return res.json;
}

async function decide(id, action) {
  const res = await D.mod.post(`/api/v1/mod/comments/${id}/decision`, { action });
  assert.equal(res.status, 200, res.text);
}

// Runs first: the other tests post nothing, so these are all the comments.
test('the numbers of a seeded day: comments, queue, decisions, flags and the engine', async () => {
  const alice = await D.reader('Alice');
  const pub = await post(alice, 'st-1', 'I think the new tram line is a good idea.');
  const bob = await D.reader('Bob');
  const held1 = await post(bob, 'st-1', 'You are a complete idiot, Alice.', pub.id);
  const carol = await D.reader('Carol');
  const held2 = await post(carol, 'st-1', 'You are a complete idiot, Alice.', pub.id);
  assert.equal(held1.status, 'pending');
  assert.equal(held2.status, 'pending');
  const dave = await D.reader('Dave');
  const refused = await dave.post('/api/v1/articles/st-1/comments',
    { body: 'This is total bullshit, what a f.u.c.k.i.n.g mess' });
  assert.equal(refused.status, 422, refused.text);
  const rejq = await D.mod.get('/api/v1/mod/queue?queue=rejected&limit=100');
  const rej = rejq.json.items.find((i) => i.comment.author.id === dave.user.id).comment;
  assert.equal((await D.mod.put('/api/v1/articles/st-2', { status: 'premoderated' })).status, 200);
  const erin = await D.reader('Erin');
  const pre = await post(erin, 'st-2', 'A calm remark on a premoderated story.');
  assert.equal(pre.status, 'pending');
  const frank = await D.reader('Frank');
  const fl = await frank.post(`/api/v1/comments/${pub.id}/flags`, { reason: 'spam' });
  assert.equal(fl.status, 201, fl.text);

  // The premoderated comment was written two days ago (the clock is the
  // only thing faked), so the pending queue holds it at the end of both
  // earlier days.
  sql(D.srv.dbUrl, `UPDATE comments SET created_at = created_at - ${2 * DAY} WHERE id = ${pre.id}`);

  await decide(held1.id, 'approve'); // the engine overturned
  await decide(held2.id, 'reject'); // the engine upheld
  await decide(rej.id, 'approve'); // the engine's refusal overturned
  await decide(pre.id, 'approve'); // not the engine's hold
  await decide(pub.id, 'reject'); // upholds Frank's flag

  const to = today(), from = day(Date.parse(to) - 2 * DAY);
  const s = await stats(D.mod, `from=${from}&to=${to}`);
  assert.equal(s.from, from);
  assert.equal(s.to, to);
  assert.deepEqual(s.days.map((d) => d.date), [from, day(Date.parse(to) - DAY), to]);
  const [d0, d1, d2] = s.days;
  assert.deepEqual(d0.comments, { published: 1, pending: 0, rejected: 0, deleted: 0, hidden: 0 });
  assert.deepEqual(d1.comments, { published: 0, pending: 0, rejected: 0, deleted: 0, hidden: 0 });
  assert.deepEqual(d2.comments, { published: 2, pending: 0, rejected: 2, deleted: 0, hidden: 0 });
  assert.deepEqual(s.days.map((d) => d.pending_queue), [1, 1, 0]);
  assert.deepEqual(s.days.map((d) => d.flagged_queue), [0, 0, 0]);
  assert.equal(d2.approved, 3);
  assert.equal(d2.rejected, 2);
  assert.equal(d0.approved + d0.rejected + d1.approved + d1.rejected, 0);
  assert.equal(d0.median_wait_ms, null);
  // Four decisions within the test's run, one two days late: the median is
  // one of the quick ones.
  assert.ok(d2.median_wait_ms >= 0 && d2.median_wait_ms < 60000, String(d2.median_wait_ms));
  assert.deepEqual(s.decisions, { count: 5, median_wait_ms: d2.median_wait_ms });
  assert.equal(d2.flags, 1);
  assert.deepEqual(s.flags, [{ reason: 'spam', count: 1, open: 0, upheld: 1, dismissed: 0 }]);
  assert.deepEqual(d2.engine, { held: 2, rejected: 1, review: 0 });
  assert.equal(d2.overturned, 2);
  assert.equal(d2.upheld, 1);
  assert.deepEqual(s.engine.held, { count: 2, overturned: 1, upheld: 1 });
  assert.deepEqual(s.engine.rejected, { count: 1, overturned: 1, upheld: 0 });
  assert.deepEqual(s.engine.review, { count: 0, overturned: 0, upheld: 0 });
  assert.ok(Math.abs(s.engine.overturned_share - 2 / 3) < 1e-9);

  // The CSV holds the same figures, one row per day.
  const res = await D.mod.get(`/api/v1/mod/stats?from=${from}&to=${to}&format=csv`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/csv; charset=utf-8/);
  assert.equal(res.headers.get('content-disposition'), `attachment; filename="parley-numbers-${from}-${to}.csv"`);
  assert.ok(res.text.endsWith('\r\n'));
  const rows = res.text.slice(0, -2).split('\r\n').map((l) => l.split(','));
  assert.deepEqual(rows[0], ['date', 'comments_published', 'comments_pending', 'comments_rejected',
    'comments_deleted', 'comments_hidden', 'pending_queue', 'flagged_queue', 'approved', 'rejected',
    'median_wait_ms', 'flags', 'engine_held', 'engine_rejected', 'engine_review', 'overturned', 'upheld',
    'flags_spam']);
  assert.equal(rows.length, 4);
  assert.deepEqual(rows[1], [from, '1', '0', '0', '0', '0', '1', '0', '0', '0', '', '0', '0', '0', '0', '0', '0', '0']);
  assert.deepEqual(rows[3], [to, '2', '0', '2', '0', '0', '0', '0', '3', '2', String(d2.median_wait_ms), '1',
    '2', '1', '0', '2', '1', '1']);

  // A range before any of it: zeros, no flags, no share.
  const past = await stats(D.mod, 'from=2020-01-01&to=2020-01-02');
  assert.equal(past.days.length, 2);
  assert.equal(past.days[0].pending_queue, 0);
  assert.deepEqual(past.flags, []);
  assert.equal(past.engine.overturned_share, null);
  assert.deepEqual(past.decisions, { count: 0, median_wait_ms: null });
});

test('the numbers are for moderators and admins only', async () => {
  const r = await D.reader('Rex Reader');
  const res = await r.get('/api/v1/mod/stats');
  assert.equal(res.status, 403);
  assert.equal(res.json.error.code, 'forbidden');
  assert.equal((await r.get('/api/v1/mod/stats?format=csv')).status, 403);
  assert.equal((await new Client(D.url).get('/api/v1/mod/stats')).status, 401);
  assert.equal((await new Client(D.url).get('/api/v1/mod/stats?format=csv')).status, 401);
  assert.equal((await D.admin.get('/api/v1/mod/stats')).status, 200);
});

test('the range: the last 30 days by default, up to 366 days, whole dates only', async () => {
  const def = await stats(D.mod, '');
  assert.equal(def.days.length, 30);
  assert.equal(def.to, today());
  assert.equal(def.from, day(Date.parse(today()) - 29 * DAY));
  const back = await stats(D.mod, 'to=2024-03-31');
  assert.equal(back.from, '2024-03-02', 'from defaults to 29 days before to');
  assert.equal((await stats(D.mod, 'from=2024-01-01&to=2024-12-31')).days.length, 366, 'a leap year');
  assert.equal((await stats(D.mod, 'from=2024-02-29&to=2024-02-29&format=json')).days.length, 1);

  const bad = async (q, field) => {
    const res = await D.mod.get(`/api/v1/mod/stats?${q}`);
    assert.equal(res.status, 400, q);
    assert.equal(res.json.error.code, 'invalid_field', q);
    assert.equal(res.json.error.field, field, q);
  };
  await bad('from=2023-02-29', 'from');
  await bad('from=2024-13-01', 'from');
  await bad('to=yesterday', 'to');
  await bad('to=2024-1-01', 'to');
  await bad('from=2024-01-01T00:00:00Z', 'from');
  await bad('from=1969-12-31', 'from');
  await bad('from=2024-03-02&to=2024-03-01', 'from');
  await bad('from=2024-01-01&to=2025-01-01', 'from'); // 367 days
  await bad('format=xml', 'format');
});
