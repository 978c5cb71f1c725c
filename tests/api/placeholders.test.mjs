// tests/api/placeholders.test.mjs: a comment removed by a moderator keeps
// its published replies in place, as a placeholder that shows nothing of it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, createUser, Client } from '../lib/server.mjs';

let srv, alice, bob, mod, anon;
const P = '/api/v1/articles/ph-1/comments';

before(async () => {
  srv = await startServer();
  createUser(srv.dbUrl, { email: 'mod@example.com', name: 'Mod', role: 'moderator' });
  alice = new Client(srv.url);
  bob = new Client(srv.url);
  mod = new Client(srv.url);
  anon = new Client(srv.url);
  assert.equal((await alice.register('Alice', 'alice@example.com')).status, 201);
  assert.equal((await bob.register('Bob', 'bob@example.com')).status, 201);
  assert.equal((await mod.login('mod@example.com')).status, 200);
});

after(async () => { assert.equal((await srv.stop()).code, 0); });

test('a rejected comment with a published reply stays as an empty placeholder', async () => {
  const parent = (await alice.post(P, { body: 'the parent, soon rejected' })).json.comment;
  const reply = (await bob.post(P, { body: 'a civil reply', parent_id: parent.id })).json.comment;
  const lone = (await alice.post(P, { body: 'rejected, no replies' })).json.comment;
  for (const id of [parent.id, lone.id]) {
    const d = await mod.post(`/api/v1/mod/comments/${id}/decision`, { action: 'reject', reason: 'test' });
    assert.equal(d.status, 200, d.text);
  }
  for (const viewer of [anon, bob, alice]) {
    const list = (await viewer.get(P)).json.comments;
    assert.equal(list.length, 1, 'the lone rejected comment is gone');
    const [ph] = list;
    assert.equal(ph.id, parent.id);
    assert.equal(ph.status, 'deleted');
    assert.equal(ph.html, '');
    assert.equal(ph.author, null);
    assert.equal(ph.replies.length, 1);
    assert.equal(ph.replies[0].id, reply.id);
    assert.equal(ph.replies[0].html, '<p>a civil reply</p>\n');
  }
  const counts = (await anon.get('/api/v1/counts?article=ph-1')).json.counts;
  assert.equal(counts['ph-1'], 1, 'only the published reply counts');
});
