// tests/api/names.test.mjs: names (issue 14): comments say whether their
// author is staff (author.role), and a reader cannot register a name a
// staff member uses, compared after the moderation normaliser's folding
// (case, look-alike letters, leetspeak, spacing, invisible characters).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, createUser } from '../lib/server.mjs';
import { expectError, stopClean, articleId } from '../lib/api.mjs';

let srv, editor;
before(async () => {
  srv = await startServer();
  createUser(srv.dbUrl, { email: 'editor@paper.example.com', name: 'The Editor', role: 'admin' });
  createUser(srv.dbUrl, { email: 'mod@paper.example.com', name: 'Night Desk', role: 'moderator' });
  editor = new Client(srv.url);
  assert.equal((await editor.login('editor@paper.example.com')).status, 200);
});
after(async () => { await stopClean(srv); });

test('comments carry author.role; staff are told apart from readers', async () => {
  const art = articleId('badge');
  const reader = new Client(srv.url);
  assert.equal((await reader.register('Plain Reader', 'plain@example.com')).status, 201);
  const a = await editor.post(`/api/v1/articles/${art}/comments`, { body: 'A word from the editor on this story.' });
  assert.equal(a.status, 201, a.text);
  assert.equal(a.json.comment.author.role, 'admin', 'the answer to the POST already says so');
  assert.equal((await reader.post(`/api/v1/articles/${art}/comments`, { body: 'Thanks for the explanation.', parent_id: a.json.comment.id })).status, 201);
  const list = await new Client(srv.url).get(`/api/v1/articles/${art}/comments`);
  assert.equal(list.json.comments[0].author.role, 'admin');
  assert.equal(list.json.comments[0].replies[0].author.role, 'reader');
});

test('a reader cannot take a staff name, however it is disguised', async () => {
  const disguises = ['The Editor', 'the editor', 'THE EDITOR', 'The-Editor', 'TheEditor',
    'Τhe Εditor' /* Greek capitals */, 'The Edit0r', 'The\u200bEditor', 'ｔｈｅ ｅｄｉｔｏｒ', 'night desk', 'N1ght D3sk'];
  for (const name of disguises) {
    const c = new Client(srv.url);
    const email = `d${disguises.indexOf(name)}@example.com`;
    const r = await c.register(name, email);
    if (r.status === 400) continue; // refused outright (an invisible character), fine too
    expectError(r, 409, 'name_taken', 'name');
    assert.equal(c.cookie, null, `${name}: no account, no session`);
  }
  for (const name of ['The Editorial Fan', 'Editor', 'Nightdesk Watcher']) {
    const r = await new Client(srv.url).register(name, `${name.replace(/\W/g, '')}@example.com`);
    assert.equal(r.status, 201, `${name} is a different name: ${r.text}`);
  }
});
