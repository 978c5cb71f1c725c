// tests/api/accounts.test.mjs: API.md "Accounts" and the basics of the
// "Moderation desk": register, log in and out, sessions; the pending queue,
// approval, bans and suspensions, and the moderation log.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, createUser, Client } from '../lib/server.mjs';
import { expectError, stopClean, articleId } from '../lib/api.mjs';

let srv, mod, admin, anon;

before(async () => {
  srv = await startServer();
  createUser(srv.dbUrl, { email: 'mod@example.com', name: 'Moderator', role: 'moderator' });
  createUser(srv.dbUrl, { email: 'admin@example.com', name: 'Admin', role: 'admin' });
  mod = new Client(srv.url);
  admin = new Client(srv.url);
  anon = new Client(srv.url);
  assert.equal((await mod.login('mod@example.com')).status, 200);
  assert.equal((await admin.login('admin@example.com')).status, 200);
});

after(async () => { await stopClean(srv); });

test('register: 201, user, and an HttpOnly SameSite=Lax session cookie', async () => {
  const c = new Client(srv.url);
  const r = await c.register('Dana', 'Dana@Example.com', 'a long password');
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.user.name, 'Dana');
  assert.equal(r.json.user.role, 'reader');
  assert.equal(r.json.user.banned_until, null);
  assert.equal(typeof r.json.user.id, 'string');
  assert.equal(r.json.user.password, undefined);
  assert.equal(r.json.user.pw_hash, undefined);
  const set = r.headers.get('set-cookie');
  assert.match(set, /^parley_session=[A-Za-z0-9_-]{40,};/);
  assert.match(set, /;\s*HttpOnly/i);
  assert.match(set, /;\s*SameSite=Lax/i);
  assert.match(set, /;\s*Path=\//i);
  assert.doesNotMatch(set, /Secure/i, 'plain http: no Secure flag');
  const me = await c.get('/api/v1/me');
  assert.equal(me.status, 200);
  for (const k of ['id', 'name', 'role', 'banned_until']) assert.ok(k in me.json.user, `me lacks ${k}`);
  assert.equal(me.json.user.id, r.json.user.id);
  assert.equal(me.json.user.name, 'Dana');
  assert.equal(me.json.user.role, 'reader');
  assert.equal(me.json.user.banned_until, null);
  assert.deepEqual(me.json.muted_ids, [], 'a new reader has muted nobody');
});

test('register: duplicate e-mail (any case) 409 email_taken; bad fields 400', async () => {
  const c = new Client(srv.url);
  assert.equal((await c.register('Eve', 'eve@example.com')).status, 201);
  for (const email of ['eve@example.com', 'EVE@EXAMPLE.COM', 'Eve@example.com']) {
    const d = new Client(srv.url);
    expectError(await d.register('Other Eve', email), 409, 'email_taken', 'email');
    assert.equal(d.cookie, null);
  }
  const d = new Client(srv.url);
  expectError(await d.register('Short', 'short@example.com', 'seven77'), 400, 'invalid_field', 'password');
  expectError(await d.register('No at', 'not-an-email', 'long enough pw'), 400, 'invalid_field', 'email');
  expectError(await d.register('', 'empty@example.com', 'long enough pw'), 400, 'invalid_field', 'name');
  expectError(await d.post('/api/v1/auth/register', { name: 'X', email: 'x@example.com' }), 400, 'invalid_field', 'password');
  expectError(await d.post('/api/v1/auth/register', { name: 'X', email: 'x@example.com', password: 'long enough pw', role: 'admin' }), 400, 'invalid_field', 'role');
  expectError(await d.post('/api/v1/auth/register', { name: 'X', email: 'x@example.com', password: 12345678 }), 400, 'invalid_field', 'password');
  // None of them made an account: the short-password address is still free.
  assert.equal((await d.register('Short', 'short@example.com', 'now long enough')).status, 201);
});

test('login 200 with the right password (any e-mail case), 401 when wrong; logout 204 then /me 401', async () => {
  const reg = new Client(srv.url);
  assert.equal((await reg.register('Finn', 'finn@example.com', 'finn password')).status, 201);
  const c = new Client(srv.url);
  expectError(await c.login('finn@example.com', 'wrong password'), 401, 'invalid_credentials');
  assert.equal(c.cookie, null);
  expectError(await c.login('nobody@example.com', 'finn password'), 401, 'invalid_credentials');
  let r = await c.login('FINN@example.com', 'finn password');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.user.name, 'Finn');
  assert.match(r.headers.get('set-cookie'), /HttpOnly/i);
  assert.equal((await c.get('/api/v1/me')).status, 200);
  // Two sessions of one user are independent.
  const old = c.cookie;
  r = await c.post('/api/v1/auth/logout');
  assert.equal(r.status, 204);
  assert.match(r.headers.get('set-cookie'), /parley_session=;.*Max-Age=0/i);
  expectError(await c.get('/api/v1/me'), 401, 'login_required');
  expectError(await anon.get('/api/v1/me', { cookie: old }), 401, 'login_required');
  assert.equal((await reg.get('/api/v1/me')).status, 200, 'the other session is still valid');
  // Logging out without a session is harmless.
  assert.equal((await anon.post('/api/v1/auth/logout')).status, 204);
});

test('a reader gets 403 on every /api/v1/mod/ endpoint', async () => {
  const c = new Client(srv.url);
  const r = await c.register('Gus', 'gus@example.com');
  const uid = r.json.user.id;
  expectError(await c.get('/api/v1/mod/queue'), 403, 'forbidden');
  expectError(await c.get('/api/v1/mod/log'), 403, 'forbidden');
  expectError(await c.post('/api/v1/mod/comments/1/decision', { action: 'approve' }), 403, 'forbidden');
  expectError(await c.post(`/api/v1/mod/users/${uid}/ban`, { reason: 'self' }), 403, 'forbidden');
  expectError(await c.del(`/api/v1/mod/users/${uid}/ban`), 403, 'forbidden');
  expectError(await anon.get('/api/v1/mod/queue'), 401, 'login_required');
});

test('moderation desk: pending queue, approve, ban, suspend, lift, log newest first', async () => {
  const reader = new Client(srv.url);
  const reg = await reader.register('Hana', 'hana@example.com');
  const uid = reg.json.user.id;
  const art = articleId('desk');
  assert.equal((await mod.put(`/api/v1/articles/${art}`, { status: 'premoderated' })).status, 200);
  let r = await reader.post(`/api/v1/articles/${art}/comments`, { body: 'please review me' });
  assert.equal(r.status, 201, r.text);
  const cid = r.json.comment.id;
  assert.equal(r.json.comment.status, 'pending');

  r = await mod.get('/api/v1/mod/queue?queue=pending');
  assert.equal(r.status, 200, r.text);
  const item = r.json.items.find((i) => i.comment.id === cid);
  assert.ok(item, `pending comment in the queue: ${r.text}`);
  assert.equal(item.article_id, art);
  assert.equal(item.comment.status, 'pending');
  assert.equal(item.moderation.decision, 'hold');
  assert.ok(item.moderation.reasons.some((x) => x.rule === 'premoderated'));
  assert.deepEqual(item.flags, []);
  assert.ok('next' in r.json);
  expectError(await mod.get('/api/v1/mod/queue?queue=bogus'), 400, 'invalid_field', 'queue');

  // An anonymous view taken before the decision must not be served after it.
  assert.deepEqual((await anon.get(`/api/v1/articles/${art}/comments`)).json.comments, []);
  expectError(await mod.post(`/api/v1/mod/comments/${cid}/decision`, { action: 'smite' }), 400, 'invalid_field', 'action');
  expectError(await mod.post('/api/v1/mod/comments/99999999/decision', { action: 'approve' }), 404, 'not_found');
  r = await mod.post(`/api/v1/mod/comments/${cid}/decision`, { action: 'approve', reason: 'fine' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.comment.id, cid);
  assert.equal(r.json.comment.status, 'published');
  r = await anon.get(`/api/v1/articles/${art}/comments`);
  assert.deepEqual(r.json.comments.map((c) => c.id), [cid]);
  assert.equal(r.json.comments[0].status, 'published');
  r = await mod.get('/api/v1/mod/queue?queue=pending');
  assert.ok(!r.json.items.some((i) => i.comment.id === cid), 'approved comment left the queue');

  // Reject and feature: a rejected comment leaves the thread for everyone
  // (its author included) and waits in the rejected queue.
  const other = await reader.post(`/api/v1/articles/${articleId('desk-rej')}/comments`, { body: 'to be rejected' });
  assert.equal(other.status, 201);
  const pending = (await mod.get('/api/v1/mod/queue?queue=pending')).json.items;
  assert.ok(!pending.some((i) => i.comment.id === other.json.comment.id), 'published comments are not pending');
  r = await mod.post(`/api/v1/mod/comments/${other.json.comment.id}/decision`, { action: 'reject', reason: 'off the rails' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.comment.status, 'rejected');
  r = await mod.get('/api/v1/mod/queue?queue=rejected');
  assert.ok(r.json.items.some((i) => i.comment.id === other.json.comment.id));
  r = await mod.post(`/api/v1/mod/comments/${cid}/decision`, { action: 'feature' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.comment.status, 'published');

  // Permanent ban: writes get 403 banned with the reason.
  const open = articleId('desk-open');
  r = await mod.post(`/api/v1/mod/users/${uid}/ban`, { reason: 'spamming links', until: null });
  assert.equal(r.status, 200, r.text);
  r = await reader.post(`/api/v1/articles/${open}/comments`, { body: 'still here?' });
  expectError(r, 403, 'banned');
  assert.match(r.json.error.message, /spamming links/);
  expectError(await reader.post(`/api/v1/comments/${cid}/likes`), 403, 'banned');
  expectError(await reader.patch(`/api/v1/comments/${cid}`, { body: 'edit' }), 403, 'banned');
  // Reading still works, and /me says so.
  assert.equal((await reader.get(`/api/v1/articles/${open}/comments`)).status, 200);
  assert.equal((await reader.get('/api/v1/me')).status, 200);

  // A suspension with until: 403 suspended naming the time.
  const until = new Date(Date.now() + 3 * 86400e3).toISOString().replace(/\.\d+Z$/, 'Z');
  r = await mod.post(`/api/v1/mod/users/${uid}/ban`, { reason: 'cool down', until });
  assert.equal(r.status, 200, r.text);
  r = await reader.post(`/api/v1/articles/${open}/comments`, { body: 'now?' });
  expectError(r, 403, 'suspended');
  assert.match(r.json.error.message, /cool down/);
  assert.ok(r.json.error.message.includes(until), r.json.error.message);
  assert.equal((await reader.get('/api/v1/me')).json.user.banned_until, until);
  expectError(await mod.post(`/api/v1/mod/users/${uid}/ban`, { reason: 'past', until: '2001-01-01T00:00:00Z' }), 400, 'invalid_field', 'until');
  expectError(await mod.post(`/api/v1/mod/users/${uid}/ban`, { reason: 'bad', until: 'tomorrow' }), 400, 'invalid_field', 'until');
  expectError(await mod.post('/api/v1/mod/users/99999999/ban', { reason: 'ghost' }), 404, 'not_found');
  // A moderator cannot ban staff; an admin can't ban themselves.
  const modId = (await mod.get('/api/v1/me')).json.user.id;
  expectError(await mod.post(`/api/v1/mod/users/${modId}/ban`, { reason: 'x' }), 403, 'forbidden');

  // DELETE lifts it.
  r = await mod.del(`/api/v1/mod/users/${uid}/ban`);
  assert.equal(r.status, 200, r.text);
  assert.equal((await reader.get('/api/v1/me')).json.user.banned_until, null);
  r = await reader.post(`/api/v1/articles/${open}/comments`, { body: 'back again' });
  assert.equal(r.status, 201, r.text);

  // The log: newest first, with every decision above.
  r = await mod.get('/api/v1/mod/log');
  assert.equal(r.status, 200, r.text);
  const entries = r.json.entries;
  assert.ok(Array.isArray(entries));
  const mine = entries.filter((e) => (e.target_type === 'user' && e.target_id === uid) || (e.target_type === 'comment' && e.target_id === cid));
  assert.deepEqual(mine.map((e) => e.action), ['unban', 'suspend', 'ban', 'feature', 'approve', 'auto_hold']);
  for (let i = 1; i < entries.length; i++) {
    assert.ok(entries[i - 1].at >= entries[i].at, 'newest first');
    assert.ok(BigInt(entries[i - 1].id) > BigInt(entries[i].id), 'newest first by id');
  }
  assert.equal(mine[4].reason, 'fine');
  assert.equal(mine[2].reason, 'spamming links');
  assert.equal(mine[0].actor_id, modId);
  assert.equal(mine[5].actor_id, null, 'automatic decisions have no actor');
  assert.ok(entries.some((e) => e.action === 'reject' && e.target_id === other.json.comment.id && e.reason === 'off the rails'));
});
