// tests/api/desk_reader.test.mjs: readers' own tools and publisher
// integration (issue 5): mutes, data export, account deletion (anonymize
// and remove), single sign-on with good and bad tokens, and auto-close.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Client, startServer } from '../lib/server.mjs';
import { deskServer, post, listIds, sql, jwt, claims } from './desk_helpers.mjs';

const SECRET = 'a shared secret between the publisher and Parley';
let D;
before(async () => { D = await deskServer({ PARLEY_SSO_SECRET: SECRET, PARLEY_AUTO_CLOSE_DAYS: '30' }); });
after(async () => { await D.srv.stop(); });

test('mutes hide a reader\'s comments and the replies under them, for the muting reader only', async () => {
  const art = 'mute-story';
  const me = await D.reader('Mia');
  const loud = await D.reader('Loud');
  const other = await D.reader('Olga');
  const a = await post(loud, art, 'Loud top-level.');
  const b = await post(other, art, 'Olga replies to Loud.', a.id);
  const c = await post(other, art, 'Olga top-level.');
  const d = await post(loud, art, 'Loud replies to Olga.', c.id);
  let res = await me.put(`/api/v1/me/mutes/${loud.user.id}`);
  assert.equal(res.status, 200);
  assert.deepEqual(res.json.muted, { id: loud.user.id, name: 'Loud' });
  assert.equal((await me.put(`/api/v1/me/mutes/${loud.user.id}`)).status, 200, 'idempotent');
  res = await me.get('/api/v1/me/mutes');
  assert.deepEqual(res.json.mutes.map((m) => m.user), [{ id: loud.user.id, name: 'Loud' }]);
  assert.deepEqual((await listIds(me, art)).sort(), [c.id].sort());
  assert.deepEqual((await listIds(other, art)).sort(), [a.id, b.id, c.id, d.id].sort());
  assert.equal((await me.put(`/api/v1/me/mutes/${me.user.id}`)).status, 400);
  assert.equal((await me.put('/api/v1/me/mutes/999999')).status, 404);
  assert.equal((await new Client(D.url).get('/api/v1/me/mutes')).status, 401);
  assert.equal((await me.del(`/api/v1/me/mutes/${loud.user.id}`)).status, 204);
  assert.deepEqual((await me.get('/api/v1/me/mutes')).json.mutes, []);
  assert.equal((await listIds(me, art)).length, 4);
});

test('data export holds the account, comments, flags, likes and mutes', async () => {
  const me = await D.reader('Xena');
  const other = await D.reader('Yuri');
  const mine = await post(me, 'export-story', 'My *own* words.');
  const theirs = await post(other, 'export-story', 'Their words.');
  await me.post(`/api/v1/comments/${theirs.id}/likes`);
  await me.post(`/api/v1/comments/${theirs.id}/flags`, { reason: 'spam', note: 'looks like an ad' });
  await me.put(`/api/v1/me/mutes/${other.user.id}`);
  const res = await me.get('/api/v1/me/export');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-disposition'), /attachment/);
  const x = res.json;
  assert.equal(x.user.id, me.user.id);
  assert.equal(x.user.email, me.email);
  assert.deepEqual(x.comments.map((c) => [c.id, c.body, c.article_id]), [[mine.id, 'My *own* words.', 'export-story']]);
  assert.deepEqual(x.flags.map((f) => [f.comment_id, f.reason, f.note, f.outcome]), [[theirs.id, 'spam', 'looks like an ad', 'open']]);
  assert.deepEqual(x.likes, [theirs.id]);
  assert.deepEqual(x.mutes.map((m) => m.user.id), [other.user.id]);
  assert.equal((await new Client(D.url).get('/api/v1/me/export')).status, 401);
});

test('deleting an account (anonymize): comments stay under "Deleted account", the session ends, the log says so', async () => {
  const me = await D.reader('Zoe');
  const c = await post(me, 'delete-story', 'I was here.');
  // An anonymous reader has the thread (and so the server's view cache).
  const before = (await new Client(D.url).get('/api/v1/articles/delete-story/comments')).json.comments;
  assert.equal(before.find((x) => x.id === c.id).author.name, 'Zoe');
  const res = await me.del('/api/v1/me');
  assert.equal(res.status, 204);
  assert.equal((await me.get('/api/v1/me')).status, 401);
  const list = (await new Client(D.url).get('/api/v1/articles/delete-story/comments')).json.comments;
  const shown = list.find((x) => x.id === c.id);
  assert.equal(shown.author.name, 'Deleted account');
  assert.match(shown.html, /I was here/);
  const again = new Client(D.url);
  assert.equal((await again.login(me.email)).status, 401, 'cannot log in any more');
  assert.equal((await again.register('Zoe', me.email)).status, 201, 'the address is free again');
  const log = (await D.mod.get('/api/v1/mod/log?action=delete_account')).json.entries;
  assert.ok(log.some((e) => e.target_id === me.user.id && e.reason === 'comments anonymized'));
});

test('deleting an account (remove): comments are gone, replies by others stay under a placeholder', async () => {
  const S = await startServer({ env: { PARLEY_DELETE_ACCOUNT_COMMENTS: 'remove' } });
  try {
    const me = new Client(S.url);
    const other = new Client(S.url);
    await me.register('Rem', 'rem@example.com');
    await other.register('Stay', 'stay@example.com');
    const a = await post(me, 'remove-story', 'Top by Rem.');
    const b = await post(other, 'remove-story', 'Reply by Stay.', a.id);
    const lone = await post(me, 'remove-story', 'Lonely comment by Rem.');
    assert.equal((await new Client(S.url).get('/api/v1/articles/remove-story/comments')).json.comments.length, 2);
    assert.equal((await me.del('/api/v1/me')).status, 204);
    const list = (await new Client(S.url).get('/api/v1/articles/remove-story/comments')).json.comments;
    assert.ok(!list.some((x) => x.id === lone.id));
    const top = list.find((x) => x.id === a.id);
    assert.equal(top.status, 'deleted');
    assert.equal(top.html, '');
    assert.deepEqual(top.replies.map((x) => x.id), [b.id]);
  } finally {
    await S.stop();
  }
});

test('SSO: a good token logs in, creates then updates the user', async () => {
  const c = new Client(D.url);
  let res = await c.post('/api/v1/auth/sso', { token: jwt(SECRET, claims({ sub: 'sso-1', name: 'Sam Single', email: 'sam@news.example.com' })) });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.user.name, 'Sam Single');
  assert.equal(res.json.user.role, 'reader');
  const id = res.json.user.id;
  assert.equal((await c.get('/api/v1/me')).json.user.id, id);
  assert.equal((await c.post('/api/v1/articles/sso-story/comments', { body: 'Signed in elsewhere.' })).status, 201);
  const c2 = new Client(D.url);
  res = await c2.post('/api/v1/auth/sso', { token: jwt(SECRET, claims({ sub: 'sso-1', name: 'Sam Renamed', email: 'sam@news.example.com' })) });
  assert.equal(res.json.user.id, id, 'same subject, same user');
  assert.equal(res.json.user.name, 'Sam Renamed');
});

test('SSO: expired, tampered, wrong secret, wrong alg, missing claims and replayed tokens get 401', async () => {
  const c = new Client(D.url);
  const now = Math.floor(Date.now() / 1000);
  const expect401 = async (token, pattern) => {
    const res = await c.post('/api/v1/auth/sso', { token });
    assert.equal(res.status, 401, res.text);
    assert.equal(res.json.error.code, 'invalid_token');
    assert.match(res.json.error.message, pattern);
  };
  await expect401(jwt(SECRET, claims({ iat: now - 400, exp: now - 10 })), /expired/);
  const good = jwt(SECRET, claims());
  const [h, p, s] = good.split('.');
  const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url')), sub: 'admin' })).toString('base64url');
  await expect401(`${h}.${forged}.${s}`, /signature/);
  await expect401(jwt('another secret', claims()), /signature/);
  await expect401(jwt(SECRET, claims(), { alg: 'HS512', typ: 'JWT' }), /HS256/);
  const none = Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url') + '.' + p + '.';
  await expect401(none, /HS256/);
  await expect401('not.a.jwt.at.all', /JWT/);
  await expect401(jwt(SECRET, { sub: 'x', iat: now, exp: now + 60 }), /claims/);
  await expect401(jwt(SECRET, claims({ iat: now - 3600, exp: now + 60 })), /too old/);
  const once = jwt(SECRET, claims({ sub: 'sso-replay', email: 'replay@news.example.com' }));
  assert.equal((await c.post('/api/v1/auth/sso', { token: once })).status, 200);
  await expect401(once, /already used/);
  assert.equal((await c.post('/api/v1/auth/sso', {})).status, 400);
});

test('SSO is off without a secret', async () => {
  const S = await startServer();
  try {
    const res = await new Client(S.url).post('/api/v1/auth/sso', { token: jwt(SECRET, claims()) });
    assert.equal(res.status, 404);
  } finally {
    await S.stop();
  }
});

test('auto_close_days closes articles older than N days', async () => {
  const r = await D.reader('Olaf');
  await post(r, 'old-story', 'Fresh comment on a new article.');
  assert.equal((await r.get('/api/v1/articles/old-story')).json.article.status, 'open');
  sql(D.srv.dbUrl, `UPDATE articles SET created_at = created_at - ${31 * 86400000} WHERE id = 'old-story'`);
  assert.equal((await r.get('/api/v1/articles/old-story')).json.article.status, 'closed');
  const res = await r.post('/api/v1/articles/old-story/comments', { body: 'Too late.' });
  assert.equal(res.status, 423);
  assert.equal(res.json.error.code, 'comments_closed');
});
