// tests/api/desk.test.mjs: the moderator desk's API (issue 5): roles, the
// queues and their item shape, counts, decisions with reasons and undo,
// flags closed by decisions, bans and suspensions, roles, and the log.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '../lib/server.mjs';
import { deskServer, post, listIds, sql } from './desk_helpers.mjs';

let D;
before(async () => { D = await deskServer(); });
after(async () => { await D.srv.stop(); });

test('readers and anonymous callers cannot reach /mod', async () => {
  const r = await D.reader('Rita');
  const anon = new Client(D.url);
  for (const [m, p, b] of [['GET', '/api/v1/mod/queue'], ['GET', '/api/v1/mod/counts'], ['GET', '/api/v1/mod/log'],
    ['POST', '/api/v1/mod/undo', {}], ['POST', '/api/v1/mod/comments/1/decision', { action: 'approve' }],
    ['POST', `/api/v1/mod/users/${r.user.id}/ban`, { reason: 'x' }], ['POST', `/api/v1/mod/users/${r.user.id}/role`, { role: 'admin' }],
    ['GET', `/api/v1/mod/users/${r.user.id}`]]) {
    assert.equal((await r.req(m, p, b)).json.error.code, 'forbidden', `${m} ${p} reader`);
    assert.equal((await r.req(m, p, b)).status, 403);
    assert.equal((await anon.req(m, p, b)).status, 401, `${m} ${p} anonymous`);
  }
});

test('pending queue items carry comment, article, parent, moderation, flags and author history', async () => {
  const art = 'desk-shape';
  const writer = await D.reader('Wendy');
  const parent = await post(writer, art, 'The parent comment, published.');
  assert.equal((await D.mod.put(`/api/v1/articles/${art}`, { status: 'premoderated', title: 'Shape story' })).status, 200);
  const held = await post(writer, art, 'A reply that waits for review.', parent.id);
  assert.equal(held.status, 'pending');

  const counts = (await D.mod.get('/api/v1/mod/counts')).json;
  assert.ok(counts.pending >= 1 && 'flagged' in counts && 'rejected' in counts, JSON.stringify(counts));

  const q = await D.mod.get('/api/v1/mod/queue?queue=pending&limit=100');
  assert.equal(q.status, 200);
  const item = q.json.items.find((i) => i.comment.id === held.id);
  assert.ok(item, 'held comment is in the pending queue');
  assert.equal(item.article_id, art);
  assert.equal(item.article.title, 'Shape story');
  assert.equal(item.article.status, 'premoderated');
  assert.equal(item.comment.body, 'A reply that waits for review.');
  assert.equal(item.comment.status, 'pending');
  assert.equal(item.parent.id, parent.id);
  assert.equal(item.parent.body, 'The parent comment, published.');
  assert.equal(item.moderation.decision, 'hold');
  assert.equal(item.moderation.reasons[0].rule, 'premoderated');
  assert.equal(typeof item.moderation.scores, 'object');
  assert.deepEqual(item.flags, []);
  assert.equal(item.author.id, writer.user.id);
  assert.equal(item.author.name, 'Wendy');
  assert.deepEqual(Object.keys(item.author.history).sort(),
    ['bans', 'comments', 'flags_received', 'flags_upheld', 'hidden', 'pending', 'published', 'rejected']);
  assert.equal(item.author.history.comments, 2);
  assert.equal(item.author.history.pending, 1);
  assert.equal(item.author.history.published, 1);

  assert.equal((await D.mod.get('/api/v1/mod/queue?queue=nope')).status, 400);
  assert.equal((await D.mod.get('/api/v1/mod/queue?limit=0')).status, 400);
});

test('decisions: approve and reject with a reason the author sees, feature, unfeature, undo; all logged', async () => {
  const art = 'desk-decide';
  const author = await D.reader('Dora');
  await D.mod.put(`/api/v1/articles/${art}`, { status: 'premoderated' });
  const c = await post(author, art, 'Please review me.');
  const base = `/api/v1/mod/comments/${c.id}/decision`;

  let res = await D.mod.post(base, { action: 'reject', reason: 'Off topic for this story.' });
  assert.equal(res.status, 200);
  assert.equal(res.json.comment.status, 'rejected');
  assert.equal(res.json.comment.moderator_reason, 'Off topic for this story.');
  const mine = (await author.get('/api/v1/me/comments')).json.comments.find((x) => x.id === c.id);
  assert.equal(mine.status, 'rejected');
  assert.equal(mine.moderator_reason, 'Off topic for this story.');
  assert.equal((await D.mod.get('/api/v1/mod/queue?queue=rejected&limit=100')).json.items.some((i) => i.comment.id === c.id), true);

  res = await D.mod.post('/api/v1/mod/undo', {});
  assert.equal(res.status, 200);
  assert.equal(res.json.undone, 'reject');
  assert.equal(res.json.comment.status, 'pending');
  assert.equal(res.json.comment.moderator_reason, '');

  res = await D.mod.post(base, { action: 'approve' });
  assert.equal(res.json.comment.status, 'published');
  assert.ok((await listIds(new Client(D.url), art)).includes(c.id));
  res = await D.mod.post(base, { action: 'feature' });
  assert.equal(res.json.comment.featured, true);
  res = await D.mod.post(base, { action: 'unfeature' });
  assert.equal(res.json.comment.featured, false);
  res = await D.mod.post('/api/v1/mod/undo', {});
  assert.equal(res.json.undone, 'unfeature');
  assert.equal(res.json.comment.featured, true);

  assert.equal((await D.mod.post(base, { action: 'destroy' })).status, 400);
  assert.equal((await D.mod.post('/api/v1/mod/comments/999999/decision', { action: 'approve' })).status, 404);
  // The admin has decided nothing: nothing to undo.
  assert.equal((await D.admin.post('/api/v1/mod/undo', {})).status, 404);

  const log = (await D.mod.get(`/api/v1/mod/log?author=${author.user.id}&limit=50`)).json.entries;
  const actions = log.filter((e) => e.target_id === c.id).map((e) => e.action);
  assert.deepEqual(actions, ['undo', 'unfeature', 'feature', 'approve', 'undo', 'reject', 'auto_hold']);
  const rej = log.find((e) => e.action === 'reject' && e.target_id === c.id);
  assert.equal(rej.reason, 'Off topic for this story.');
  assert.equal(rej.actor.name, 'Max Moderator');
  assert.match(rej.at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  const auto = log.find((e) => e.action === 'auto_hold');
  assert.equal(auto.actor_id, null);
  assert.equal(auto.automatic, true);
});

test('the log filters by moderator, author, article and action, and has no way to change it', async () => {
  const a1 = await D.reader('Fil');
  const c1 = await post(a1, 'log-a', 'First.');
  const c2 = await post(a1, 'log-b', 'Second.');
  await D.mod.post(`/api/v1/mod/comments/${c1.id}/decision`, { action: 'feature' });
  await D.admin.post(`/api/v1/mod/comments/${c2.id}/decision`, { action: 'reject', reason: 'spam' });
  const modId = (await D.mod.get('/api/v1/me')).json.user.id;
  const byMod = (await D.mod.get(`/api/v1/mod/log?moderator=${modId}`)).json.entries;
  assert.ok(byMod.length > 0 && byMod.every((e) => e.actor_id === modId));
  const byArticle = (await D.mod.get('/api/v1/mod/log?article=log-b')).json.entries;
  assert.deepEqual(byArticle.map((e) => [e.action, e.target_id]), [['reject', c2.id]]);
  const byAction = (await D.mod.get('/api/v1/mod/log?action=reject')).json.entries;
  assert.ok(byAction.length > 0 && byAction.every((e) => e.action === 'reject'));
  const both = (await D.mod.get(`/api/v1/mod/log?author=${a1.user.id}&action=feature`)).json.entries;
  assert.deepEqual(both.map((e) => e.target_id), [c1.id]);
  const auto = (await D.mod.get('/api/v1/mod/log?moderator=auto')).json.entries;
  assert.ok(auto.every((e) => e.actor_id === null));
  assert.equal((await D.mod.get('/api/v1/mod/log?author=abc')).status, 400);
  const badArticle = await D.mod.get('/api/v1/mod/log?article=bad%20id');
  assert.equal(badArticle.status, 400);
  assert.equal(badArticle.json.error.field, 'article', 'the parameter sent');
  assert.equal((await D.mod.del('/api/v1/mod/log')).status, 405);
  assert.equal((await D.mod.put('/api/v1/mod/log', {})).status, 405);
  const id = byMod[0].id;
  assert.equal((await D.mod.del(`/api/v1/mod/log/${id}`)).status, 404);
  // Even the database refuses to rewrite it.
  assert.throws(() => sql(D.srv.dbUrl, `DELETE FROM modlog WHERE id = ${id}`), /append-only/);
});

test('bans and suspensions: 403 with the reason and end, one that ends, lifting; staff protected', async () => {
  const r = await D.reader('Bart');
  const c = await post(r, 'ban-story', 'Before the ban.');
  let res = await D.mod.post(`/api/v1/mod/users/${r.user.id}/ban`, { reason: 'Repeated insults', until: null });
  assert.equal(res.status, 200);
  assert.equal(res.json.user.banned, true);
  res = await r.post('/api/v1/articles/ban-story/comments', { body: 'After the ban.' });
  assert.equal(res.status, 403);
  assert.equal(res.json.error.code, 'banned');
  assert.match(res.json.error.message, /Repeated insults/);
  assert.ok((await listIds(new Client(D.url), 'ban-story')).includes(c.id), 'published comments stay');
  assert.equal((await r.post(`/api/v1/comments/${c.id}/likes`)).status, 403);

  const until = new Date(Date.now() + 3 * 86400000).toISOString().replace(/\.\d+Z$/, 'Z');
  res = await D.mod.post(`/api/v1/mod/users/${r.user.id}/ban`, { reason: 'Cool off', until });
  assert.equal(res.json.user.banned_until, until);
  res = await r.post('/api/v1/articles/ban-story/comments', { body: 'Suspended.' });
  assert.equal(res.json.error.code, 'suspended');
  assert.equal(res.json.banned_until, until);
  assert.match(res.json.error.message, /Cool off/);
  assert.match(res.json.error.message, new RegExp(until));

  // The suspension ends: move its end into the past.
  sql(D.srv.dbUrl, `UPDATE users SET banned_until = ${Date.now() - 1000} WHERE id = ${r.user.id}`);
  res = await r.post('/api/v1/articles/ban-story/comments', { body: 'Back again.' });
  assert.equal(res.status, 201);

  await D.mod.post(`/api/v1/mod/users/${r.user.id}/ban`, { reason: 'Again', until: null });
  res = await D.mod.del(`/api/v1/mod/users/${r.user.id}/ban`);
  assert.equal(res.status, 200);
  assert.equal(res.json.user.banned, false);
  assert.equal((await r.post('/api/v1/articles/ban-story/comments', { body: 'Lifted.' })).status, 201);

  const hist = (await D.mod.get(`/api/v1/mod/users/${r.user.id}`)).json.user.history;
  assert.equal(hist.bans, 3);
  const log = (await D.mod.get(`/api/v1/mod/log?author=${r.user.id}`)).json.entries.map((e) => e.action);
  assert.deepEqual(log.filter((a) => a !== 'auto_hold'), ['unban', 'ban', 'suspend', 'ban']);

  assert.equal((await D.mod.post(`/api/v1/mod/users/${r.user.id}/ban`, { reason: 'x', until: '2001-01-01T00:00:00Z' })).status, 400);
  assert.equal((await D.mod.post(`/api/v1/mod/users/${r.user.id}/ban`, { until: null })).status, 400);
  const adminId = (await D.admin.get('/api/v1/me')).json.user.id;
  res = await D.mod.post(`/api/v1/mod/users/${adminId}/ban`, { reason: 'coup' });
  assert.equal(res.status, 403);
  assert.equal((await D.mod.post('/api/v1/mod/users/999999/ban', { reason: 'x' })).status, 404);
});

test('roles: only an admin makes moderators and admins', async () => {
  const r = await D.reader('Rolf');
  let res = await D.mod.post(`/api/v1/mod/users/${r.user.id}/role`, { role: 'admin' });
  assert.equal(res.status, 403);
  assert.equal(res.json.error.code, 'forbidden');
  res = await D.admin.post(`/api/v1/mod/users/${r.user.id}/role`, { role: 'moderator' });
  assert.equal(res.status, 200);
  assert.equal(res.json.user.role, 'moderator');
  assert.equal((await r.get('/api/v1/mod/counts')).status, 200);
  // A moderator cannot ban another moderator.
  assert.equal((await D.mod.post(`/api/v1/mod/users/${r.user.id}/ban`, { reason: 'x' })).status, 403);
  assert.equal((await D.admin.post(`/api/v1/mod/users/${r.user.id}/role`, { role: 'king' })).status, 400);
  const adminId = (await D.admin.get('/api/v1/me')).json.user.id;
  assert.equal((await D.admin.post(`/api/v1/mod/users/${adminId}/role`, { role: 'reader' })).status, 403);
  res = await D.admin.post(`/api/v1/mod/users/${r.user.id}/role`, { role: 'reader' });
  assert.equal(res.json.user.role, 'reader');
  assert.equal((await r.get('/api/v1/mod/counts')).status, 403);
  const log = (await D.mod.get(`/api/v1/mod/log?action=role&author=${r.user.id}`)).json.entries;
  assert.deepEqual(log.map((e) => e.reason), ['reader', 'moderator']);
});
