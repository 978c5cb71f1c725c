// tests/api/edit_window.test.mjs: PATCH outside the edit window. The server
// runs with a config file setting edit_window_s = 0, so every edit is past
// the window; nothing about the comment changes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client } from '../lib/server.mjs';
import { expectError, stopClean, configFile } from '../lib/api.mjs';

let srv, alice;

before(async () => {
  srv = await startServer({ args: ['--config', configFile('# edits are never allowed\nedit_window_s = 0\n')] });
  alice = new Client(srv.url);
  assert.equal((await alice.register('Alice', 'alice@example.com')).status, 201);
});

after(async () => { await stopClean(srv); });

test('an edit outside the window gets 403 and changes nothing', async () => {
  let r = await alice.post('/api/v1/articles/w1/comments', { body: 'as first written' });
  assert.equal(r.status, 201, r.text);
  const c = r.json.comment;
  r = await alice.get('/api/v1/articles/w1/comments');
  assert.equal(r.json.edit_window_s, 0);
  r = await alice.patch(`/api/v1/comments/${c.id}`, { body: 'rewritten' });
  expectError(r, 403, 'edit_window_closed');
  r = await alice.get('/api/v1/articles/w1/comments');
  assert.equal(r.json.comments.length, 1);
  assert.equal(r.json.comments[0].html, c.html);
  assert.equal(r.json.comments[0].edited_at, null);
  // Deleting one's own comment is not bound by the window.
  assert.equal((await alice.del(`/api/v1/comments/${c.id}`)).status, 204);
  assert.equal((await alice.get('/api/v1/articles/w1/comments')).json.comments.length, 0);
});
