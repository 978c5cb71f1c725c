// tests/api/desk_flags.test.mjs: flags that work (issue 5): the weighted
// threshold hides a comment from readers until reviewed, flaggers' records
// change the weight, fresh accounts cannot hide a comment alone, decisions
// close the flags (upheld or dismissed), and the hourly limit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '../lib/server.mjs';
import { deskServer, post, listIds } from './desk_helpers.mjs';

let D;
before(async () => { D = await deskServer({ PARLEY_FLAGS_PER_HOUR: '6' }); });
after(async () => { await D.srv.stop(); });

const flag = (c, id, reason = 'personal_attack', note) => c.post(`/api/v1/comments/${id}/flags`, note ? { reason, note } : { reason });

test('three established flags hide a comment from readers; approving dismisses them and brings it back', async () => {
  const art = 'flag-threshold';
  const author = await D.reader('Ann');
  const c = await post(author, art, 'You lot never read past the headline.');
  const f = [];
  for (const n of ['F1', 'F2', 'F3']) f.push(await D.reader(n, { established: true }));
  const anon = new Client(D.url);
  assert.equal((await flag(f[0], c.id, 'personal_attack', 'talks down to us')).status, 201);
  assert.equal((await flag(f[1], c.id, 'personal_attack', 'rude')).status, 201);
  assert.ok((await listIds(anon, art)).includes(c.id), 'two flags (score 2) do not hide it');
  assert.equal((await flag(f[1], c.id)).status, 409);
  assert.equal((await flag(author, c.id)).status, 403);
  assert.equal((await flag(f[2], c.id, 'other')).status, 201);
  assert.ok(!(await listIds(anon, art)).includes(c.id), 'hidden after the third flag');
  assert.ok(!(await listIds(f[0], art)).includes(c.id));
  assert.equal((await anon.get(`/api/v1/articles/${art}`)).json.article.comment_count, 0);
  // Its author cannot bring it back by editing it, and nobody can reply to it.
  const ed = await author.patch(`/api/v1/comments/${c.id}`, { body: 'You are all wise.' });
  assert.equal(ed.status, 200);
  assert.equal(ed.json.comment.status, 'hidden');
  assert.ok(!(await listIds(anon, art)).includes(c.id));
  assert.equal((await f[0].post(`/api/v1/articles/${art}/comments`, { body: 'Reply.', parent_id: c.id })).status, 404);

  const q = (await D.mod.get('/api/v1/mod/queue?queue=flagged&limit=100')).json.items;
  const item = q.find((i) => i.comment.id === c.id);
  assert.ok(item, 'in the flagged queue');
  assert.equal(item.comment.status, 'hidden');
  assert.deepEqual(item.flags.map((g) => [g.reason, g.count]), [['personal_attack', 2], ['other', 1]]);
  assert.deepEqual(item.flags[0].notes.sort(), ['rude', 'talks down to us']);
  assert.equal(item.author.history.flags_received, 3);
  const hide = (await D.mod.get('/api/v1/mod/log?action=auto_hide')).json.entries.find((e) => e.target_id === c.id);
  assert.match(hide.reason, /threshold 3/);

  const before = (await D.mod.get('/api/v1/mod/counts')).json.flagged;
  const res = await D.mod.post(`/api/v1/mod/comments/${c.id}/decision`, { action: 'approve', reason: 'Robust, not abusive.' });
  assert.equal(res.json.comment.status, 'published');
  assert.equal(res.json.comment.body, 'You are all wise.');
  assert.equal((await D.mod.get('/api/v1/mod/counts')).json.flagged, before - 1);
  assert.ok(!(await D.mod.get('/api/v1/mod/queue?queue=flagged&limit=100')).json.items.some((i) => i.comment.id === c.id));
  assert.ok((await listIds(anon, art)).includes(c.id));
  const exp = (await f[0].get('/api/v1/me/export')).json;
  assert.equal(exp.flags.find((x) => x.comment_id === c.id).outcome, 'dismissed');
});

test('rejecting upholds the flags, and upheld flaggers weigh more (one with two upheld flags hides alone), dismissed ones less', async () => {
  const art = 'flag-weight';
  const author = await D.reader('Bea');
  const trusted = await D.reader('Trusty', { established: true });
  const helper = await D.reader('Helper', { established: true });
  // Build a record: two flags upheld by rejections.
  for (let i = 0; i < 2; i++) {
    const c = await post(author, art, `Bad comment ${i}.`);
    await flag(trusted, c.id, 'spam');
    await D.mod.post(`/api/v1/mod/comments/${c.id}/decision`, { action: 'reject', reason: 'spam' });
  }
  const exp = (await trusted.get('/api/v1/me/export')).json;
  assert.deepEqual(exp.flags.map((x) => x.outcome), ['upheld', 'upheld']);
  // Weight (1+2)/(1+0) = 3 reaches the threshold alone.
  const c = await post(author, art, 'Another one.');
  await flag(trusted, c.id, 'spam');
  assert.ok(!(await listIds(new Client(D.url), art)).includes(c.id), 'a trusted flagger hides it alone');
  assert.equal((await D.mod.get(`/api/v1/mod/users/${author.user.id}`)).json.user.history.flags_upheld, 2);

  // A flagger whose flags were dismissed weighs less: 1/(1+1) = 0.5.
  const c2 = await post(author, art, 'Borderline but fine.');
  await flag(helper, c2.id, 'other');
  await D.mod.post(`/api/v1/mod/comments/${c2.id}/decision`, { action: 'approve' });
  const c3 = await post(author, art, 'Fine again.');
  const others = [await D.reader('O1', { established: true }), await D.reader('O2', { established: true })];
  await flag(helper, c3.id, 'other');
  await flag(others[0], c3.id, 'other');
  await flag(others[1], c3.id, 'other');
  assert.ok((await listIds(new Client(D.url), art)).includes(c3.id), '0.5 + 1 + 1 = 2.5 stays under 3');
});

test('a brigade of fresh accounts cannot hide a comment alone', async () => {
  const art = 'flag-brigade';
  const author = await D.reader('Cleo');
  const c = await post(author, art, 'An unpopular but civil opinion.');
  for (let i = 0; i < 12; i++) {
    const fresh = await D.reader(`Fresh${i}`);
    assert.equal((await flag(fresh, c.id, 'other')).status, 201);
  }
  assert.ok((await listIds(new Client(D.url), art)).includes(c.id), 'twelve fresh flags do not hide it');
  // ... but they still count: with one established flag and one trusted-ish it tips.
  const e1 = await D.reader('Est1', { established: true });
  const e2 = await D.reader('Est2', { established: true });
  await flag(e1, c.id, 'other');
  assert.ok((await listIds(new Client(D.url), art)).includes(c.id), 'fresh cap 1.5 + 1 = 2.5');
  await flag(e2, c.id, 'other');
  assert.ok(!(await listIds(new Client(D.url), art)).includes(c.id), '1.5 + 2 = 3.5 hides');
});

test('a harassment flag waits for the threshold unless the engine confirms it, then it hides at once', async () => {
  const author = await D.reader('Dan');
  const c = await post(author, 'flag-slur', 'A perfectly polite remark.');
  const f = await D.reader('Eve', { established: true });
  assert.equal((await flag(f, c.id, 'slur')).status, 201);
  assert.ok((await listIds(new Client(D.url), 'flag-slur')).includes(c.id), 'an unconfirmed flag waits');
  // A threat the engine holds as harassment; a moderator approves it (say,
  // by mistake), then one flag for harassment, which the engine confirms,
  // hides it at once.
  const text = 'I know where you live and I will hurt you.';
  const probe = await f.post('/api/v1/check', { article_id: 'flag-slur', body: text });
  assert.ok(probe.json.reasons.some((y) => y.rule === 'harassment'), probe.text);
  const held = (await author.post('/api/v1/articles/flag-slur/comments', { body: text })).json;
  assert.equal(held.comment.status, 'pending');
  const id = held.comment.id;
  assert.equal((await D.mod.post(`/api/v1/mod/comments/${id}/decision`, { action: 'approve' })).status, 200);
  assert.ok((await listIds(new Client(D.url), 'flag-slur')).includes(id), 'published after approval');
  assert.equal((await flag(f, id, 'harassment')).status, 201);
  assert.ok(!(await listIds(new Client(D.url), 'flag-slur')).includes(id), 'hidden at once');
});

test('flagging is limited per reader per hour', async () => {
  const author = await D.reader('Gus');
  const f = await D.reader('Hal', { established: true });
  const ids = [];
  for (let i = 0; i < 7; i++) ids.push((await post(author, 'flag-limit', `Comment ${i}.`)).id);
  // Earlier tests did not use Hal: six flags pass, the seventh is limited.
  for (let i = 0; i < 6; i++) assert.equal((await flag(f, ids[i], 'spam')).status, 201);
  const res = await flag(f, ids[6], 'spam');
  assert.equal(res.status, 429);
  assert.equal(res.json.error.code, 'rate_limited');
  assert.equal(res.headers.get('retry-after'), '3600');
});

test('a burst of flags sent at once cannot get past the hourly limit', async () => {
  const author = await D.reader('Ivy');
  const f = await D.reader('Jon', { established: true });
  const ids = [];
  for (let i = 0; i < 10; i++) ids.push((await post(author, 'flag-burst', `Burst comment ${i}.`)).id);
  // All ten in flight together: the loop's count sees none of the others.
  const res = await Promise.all(ids.map((id) => flag(f, id, 'spam')));
  const statuses = res.map((r) => r.status).sort();
  assert.deepEqual(statuses, [...Array(6).fill(201), ...Array(4).fill(429)], statuses.join(','));
  for (const r of res.filter((x) => x.status === 429)) assert.equal(r.json.error.code, 'rate_limited');
});
