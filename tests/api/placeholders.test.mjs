// tests/api/placeholders.test.mjs: a comment removed by a moderator keeps
// its published replies in place, as a placeholder that shows nothing of it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { cast } from '../lib/api.mjs';

let srv, alice, bob, mod, anon;
const P = '/api/v1/articles/ph-1/comments';

before(async () => {
  srv = await startServer();
  ({ alice, bob, mod, anon } = await cast(srv));
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
