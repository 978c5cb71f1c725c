// tests/api/security.test.mjs: the rules of docs/SECURITY.md that guard
// moderators' decisions (issue 11): an author's edit cannot overturn a
// moderator, banned or suspended staff cannot act, undo never restores a
// comment deleted since, and deleting a banned account keeps the ban on the
// address until it ends. Each test failed on the code before the fix.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '../lib/server.mjs';
import { expectError, stopClean } from '../lib/api.mjs';
import { deskServer, post, sql } from './desk_helpers.mjs';

let D;
before(async () => { D = await deskServer(); });
after(async () => { await stopClean(D.srv); });

const P = (art) => `/api/v1/articles/${art}/comments`;
const decide = (client, id, action, reason) =>
  client.post(`/api/v1/mod/comments/${id}/decision`, reason ? { action, reason } : { action });
// A reader the admin makes a moderator (through the API: the test's event
// loop never stops for a child process while connections are pooled).
async function newModerator(name) {
  const m = await D.reader(name);
  assert.equal((await D.admin.post(`/api/v1/mod/users/${m.user.id}/role`, { role: 'moderator' })).status, 200);
  return m;
}
const queueIds = async (q) =>
  (await D.mod.get(`/api/v1/mod/queue?queue=${q}&limit=100`)).json.items.map((i) => i.comment.id);

test('a rejected comment cannot be edited back to life, with the same text or another', async () => {
  const w = await D.reader('Rex');
  const c = await post(w, 'sec-reject', 'A perfectly civil remark about the budget.');
  assert.equal((await decide(D.mod, c.id, 'reject', 'off topic')).status, 200);
  for (const body of ['A perfectly civil remark about the budget.', 'A different civil remark.']) {
    const r = await w.patch(`/api/v1/comments/${c.id}`, { body });
    expectError(r, 403, 'forbidden');
    assert.match(r.json.error.message, /cannot be edited/);
  }
  const desk = (await D.mod.get(`/api/v1/mod/users/${w.user.id}`)).json.user.history;
  assert.equal(desk.rejected, 1);
  assert.ok((await queueIds('rejected')).includes(c.id), 'still in the rejected queue');
  assert.equal((await new Client(D.url).get(P('sec-reject'))).json.comments.length, 0);
});

test('an edit with the same text changes nothing, not even a featured mark', async () => {
  const w = await D.reader('Sam');
  const c = await post(w, 'sec-same', 'Worth featuring: the council met twice.');
  assert.equal((await decide(D.mod, c.id, 'feature')).status, 200);
  const r = await w.patch(`/api/v1/comments/${c.id}`, { body: 'Worth featuring: the council met twice.' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.comment.status, 'published');
  assert.equal(r.json.comment.featured, true);
  assert.equal(r.json.comment.edited_at, null);
});

test('a changed edit of a featured comment loses the mark and goes to review', async () => {
  const w = await D.reader('Tia');
  const c = await post(w, 'sec-feature', 'The bridge reopens in May, says the city.');
  assert.equal((await decide(D.mod, c.id, 'feature')).status, 200);
  const r = await w.patch(`/api/v1/comments/${c.id}`, { body: 'Buy cheap watches at my shop, best prices in town.' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.comment.status, 'pending');
  assert.equal(r.json.comment.featured, false);
  assert.equal(r.json.moderation.decision, 'hold');
  assert.ok(r.json.moderation.reasons.some((x) => x.rule === 'moderator_review'), r.text);
  // Readers no longer see it; moderators find it in the pending queue.
  const anon = (await new Client(D.url).get(P('sec-feature'))).json.comments;
  assert.equal(anon.length, 0);
  assert.ok((await queueIds('pending')).includes(c.id));
  const log = (await D.mod.get('/api/v1/mod/log?action=edit_review')).json.entries;
  assert.ok(log.some((e) => e.target_id === c.id && e.automatic), JSON.stringify(log));
});

test('a changed edit of an approved comment goes back to review; an unreviewed one does not', async () => {
  const w = await D.reader('Uma');
  assert.equal((await D.mod.put('/api/v1/articles/sec-approved', { status: 'premoderated' })).status, 200);
  const held = await post(w, 'sec-approved', 'The school board vote was close.');
  assert.equal(held.status, 'pending');
  assert.equal((await decide(D.mod, held.id, 'approve')).status, 200);
  assert.equal((await D.mod.put('/api/v1/articles/sec-approved', { status: 'open' })).status, 200);
  const plain = await post(w, 'sec-approved', 'Turnout was higher than last year.');
  assert.equal(plain.status, 'published');

  const r1 = await w.patch(`/api/v1/comments/${held.id}`, { body: 'The school board vote was very close.' });
  assert.equal(r1.status, 200, r1.text);
  assert.equal(r1.json.comment.status, 'pending');
  const r2 = await w.patch(`/api/v1/comments/${plain.id}`, { body: 'Turnout was much higher than last year.' });
  assert.equal(r2.status, 200, r2.text);
  assert.equal(r2.json.comment.status, 'published');
  // Once the moderator approves the new text, the author may edit again (to review again).
  assert.equal((await decide(D.mod, held.id, 'approve')).status, 200);
  assert.equal((await new Client(D.url).get(P('sec-approved'))).json.comments.length, 2);
});

test('edits racing rejections never undo them', async () => {
  const w = await D.reader('Vera');
  // Edits and rejections in flight together, in both orders: whichever
  // commits second, every comment ends rejected.
  const ids = [];
  for (let i = 0; i < 10; i++) ids.push((await post(w, 'sec-race', `Parking fees go up in week ${i + 1}.`)).id);
  await Promise.all(ids.map((id, i) => {
    const edit = () => w.patch(`/api/v1/comments/${id}`, { body: `Parking fees go up in month ${i + 1}.` });
    const reject = () => decide(D.mod, id, 'reject', 'duplicate');
    return Promise.all(i % 2 ? [edit(), reject()] : [reject(), edit()]).then(([a, b]) => {
      for (const r of [a, b]) assert.ok(r.status === 200 || r.status === 403, r.text);
    });
  }));
  for (const id of ids) assert.equal(sql(D.srv.dbUrl, `SELECT status FROM comments WHERE id = ${id}`), '2', `comment ${id}`);
});

test('a banned or suspended moderator cannot act; an admin can lift it', async () => {
  const mod2 = await newModerator('Mia');
  const w = await D.reader('Walt');
  const c = await post(w, 'sec-staff', 'A comment for the desk to judge.');
  const me = mod2.user;

  const until = new Date(Date.now() + 3600e3).toISOString();
  assert.equal((await D.admin.post(`/api/v1/mod/users/${me.id}/ban`, { reason: 'rogue decisions', until })).status, 200);
  const attempts = [
    ['GET', '/api/v1/mod/queue'], ['GET', '/api/v1/mod/counts'], ['GET', '/api/v1/mod/log'],
    ['POST', `/api/v1/mod/comments/${c.id}/decision`, { action: 'reject' }], ['POST', '/api/v1/mod/undo', {}],
    ['POST', `/api/v1/mod/users/${w.user.id}/ban`, { reason: 'x' }], ['DELETE', `/api/v1/mod/users/${w.user.id}/ban`],
    ['PUT', '/api/v1/articles/sec-staff', { status: 'closed' }], ['DELETE', `/api/v1/comments/${c.id}`],
  ];
  for (const [m, p, b] of attempts) expectError(await mod2.req(m, p, b), 403, 'suspended');
  assert.equal(sql(D.srv.dbUrl, `SELECT status FROM comments WHERE id = ${c.id}`), '0');
  assert.equal(sql(D.srv.dbUrl, "SELECT status FROM articles WHERE id = 'sec-staff'"), '0');

  assert.equal((await D.admin.post(`/api/v1/mod/users/${me.id}/ban`, { reason: 'for good' })).status, 200);
  expectError(await mod2.post(`/api/v1/mod/comments/${c.id}/decision`, { action: 'reject' }), 403, 'banned');

  assert.equal((await D.admin.del(`/api/v1/mod/users/${me.id}/ban`)).status, 200);
  assert.equal((await mod2.post(`/api/v1/mod/comments/${c.id}/decision`, { action: 'reject' })).status, 200);
});

test('undo does not restore a comment its author deleted since, and moves on to the decision before', async () => {
  const w = await D.reader('Xena');
  const a = await post(w, 'sec-undo', 'First comment, to be approved and kept.');
  const b = await post(w, 'sec-undo', 'Second comment, rejected and then deleted by its author.');
  const m = await newModerator('Moe');
  assert.equal((await decide(m, a.id, 'feature')).status, 200);
  assert.equal((await decide(m, b.id, 'approve')).status, 200);
  assert.equal((await w.del(`/api/v1/comments/${b.id}`)).status, 204);

  const r = await m.post('/api/v1/mod/undo', {});
  expectError(r, 409, 'comment_deleted');
  assert.equal(sql(D.srv.dbUrl, `SELECT status FROM comments WHERE id = ${b.id}`), '3');
  const ids = (await new Client(D.url).get(P('sec-undo'))).json.comments.map((c) => c.id);
  assert.deepEqual(ids, [a.id]);
  // The next undo reaches the feature decision on the first comment.
  const next = await m.post('/api/v1/mod/undo', {});
  assert.equal(next.status, 200, next.text);
  assert.equal(next.json.undone, 'feature');
  assert.equal(next.json.comment.id, a.id);
  assert.equal(next.json.comment.featured, false);
});

test('deleting a suspended account keeps the suspension on the address until it ends', async () => {
  const w = await D.reader('Yuri');
  const until = new Date(Date.now() + 2 * 3600e3);
  assert.equal((await D.mod.post(`/api/v1/mod/users/${w.user.id}/ban`, { reason: 'spam run', until: until.toISOString() })).status, 200);
  assert.equal((await w.del('/api/v1/me', { confirm: true })).status, 204);
  // No e-mail address is stored in the clear for the kept ban.
  assert.equal(sql(D.srv.dbUrl, `SELECT count(*) FROM email_bans`), '1');

  const again = new Client(D.url);
  const reg = await again.register('Yuri Again', w.email.toUpperCase());
  assert.equal(reg.status, 201, reg.text);
  assert.equal(reg.json.user.banned, true);
  assert.equal(reg.json.user.ban_reason, 'spam run');
  assert.equal(Date.parse(reg.json.user.banned_until), Math.floor(until.getTime() / 1000) * 1000);
  expectError(await again.post(P('sec-deleted'), { body: 'Back again.' }), 403, 'suspended');

  // Once the term is over, the address is free of it.
  sql(D.srv.dbUrl, `UPDATE email_bans SET ends_at = 1`);
  sql(D.srv.dbUrl, `UPDATE users SET banned_until = 1 WHERE id = ${reg.json.user.id}`);
  assert.equal((await again.del('/api/v1/me', { confirm: true })).status, 204);
  const third = new Client(D.url);
  const r3 = await third.register('Yuri Third', w.email);
  assert.equal(r3.status, 201, r3.text);
  assert.equal(r3.json.user.banned, false);
  assert.equal((await third.post(P('sec-deleted'), { body: 'A fresh start.' })).status, 201);
});

test('deleting a permanently banned account keeps the ban for good; an unbanned one keeps nothing', async () => {
  const w = await D.reader('Zed');
  assert.equal((await D.mod.post(`/api/v1/mod/users/${w.user.id}/ban`, { reason: 'threats' })).status, 200);
  assert.equal((await w.del('/api/v1/me', { confirm: true })).status, 204);
  const back = new Client(D.url);
  const r = await back.register('Zed', w.email);
  assert.equal(r.json.user.banned, true);
  assert.equal(r.json.user.banned_until, null);
  expectError(await back.post(P('sec-deleted'), { body: 'Hello.' }), 403, 'banned');

  const ok = await D.reader('Ola');
  const before = sql(D.srv.dbUrl, 'SELECT count(*) FROM email_bans');
  assert.equal((await ok.del('/api/v1/me', { confirm: true })).status, 204);
  assert.equal(sql(D.srv.dbUrl, 'SELECT count(*) FROM email_bans'), before);
});
