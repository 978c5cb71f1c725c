// tests/api/desk_people.test.mjs: the desk's people and articles (issue 15):
// the user list with search, filters and paging; a user's page (comments,
// flags received and given, log, notes); notes; deleting an account from the
// desk; the article list with counts and closing old articles at once; the
// log's filters by name and the names of its targets.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '../lib/server.mjs';
import { deskServer, post, listIds, sql } from './desk_helpers.mjs';

let D;
before(async () => { D = await deskServer(); });
after(async () => { await D.srv.stop(); });

const DAY = 86400000;

test('readers and anonymous callers cannot reach the people and articles pages', async () => {
  const r = await D.reader('Rhea');
  const anon = new Client(D.url);
  for (const [m, p, b] of [['GET', '/api/v1/mod/users'], ['GET', '/api/v1/mod/articles'],
    ['POST', `/api/v1/mod/users/${r.user.id}/notes`, { body: 'x' }], ['DELETE', `/api/v1/mod/users/${r.user.id}`],
    ['POST', '/api/v1/mod/articles/close', { older_than_days: 1 }]]) {
    const res = await r.req(m, p, b);
    assert.equal(res.status, 403, `${m} ${p} reader`);
    assert.equal(res.json.error.code, 'forbidden');
    assert.equal((await anon.req(m, p, b)).status, 401, `${m} ${p} anonymous`);
  }
});

test('users: search by name or e-mail, filter by role, banned and new, page with next', async () => {
  const tag = `zq${Date.now() % 100000}`;
  const a = await D.reader(`Alma ${tag}`);
  const b = await D.reader(`Bruno ${tag}`);
  const c = await D.reader(`Carla ${tag}`);
  sql(D.srv.dbUrl, `UPDATE users SET created_at = created_at - ${30 * DAY} WHERE id = ${c.user.id}`);

  let res = await D.mod.get(`/api/v1/mod/users?q=${encodeURIComponent(tag)}`);
  assert.equal(res.status, 200);
  assert.deepEqual(res.json.users.map((u) => u.id), [c.user.id, b.user.id, a.user.id], 'newest account first');
  const row = res.json.users.find((u) => u.id === a.user.id);
  assert.equal(row.email, a.email);
  assert.equal(row.role, 'reader');
  assert.equal(row.comments, 0);
  assert.equal(res.json.next, null);

  // By e-mail (a part of it, any case), and % is a plain character.
  res = await D.mod.get(`/api/v1/mod/users?q=${encodeURIComponent(b.email.slice(0, 8).toUpperCase())}`);
  assert.ok(res.json.users.some((u) => u.id === b.user.id));
  assert.equal((await D.mod.get(`/api/v1/mod/users?q=${encodeURIComponent(`${tag}%`)}`)).json.users.length, 0);

  // Paging: one at a time walks all three.
  const seen = [];
  let next = null;
  do {
    res = await D.mod.get(`/api/v1/mod/users?q=${tag}&limit=1${next ? `&before=${next}` : ''}`);
    assert.equal(res.status, 200);
    seen.push(...res.json.users.map((u) => u.id));
    next = res.json.next;
  } while (next);
  assert.deepEqual(seen, [c.user.id, b.user.id, a.user.id]);

  // new: accounts of the last 7 days; banned: a ban in force.
  res = await D.mod.get(`/api/v1/mod/users?q=${tag}&new=true`);
  assert.deepEqual(res.json.users.map((u) => u.id), [b.user.id, a.user.id]);
  assert.equal((await D.mod.post(`/api/v1/mod/users/${b.user.id}/ban`, { reason: 'Spam links' })).status, 200);
  res = await D.mod.get(`/api/v1/mod/users?q=${tag}&banned=true`);
  assert.deepEqual(res.json.users.map((u) => u.id), [b.user.id]);
  assert.equal(res.json.users[0].banned, true);
  assert.equal(res.json.users[0].ban_reason, 'Spam links');

  // role
  res = await D.mod.get('/api/v1/mod/users?role=admin');
  assert.ok(res.json.users.length >= 1 && res.json.users.every((u) => u.role === 'admin'));
  res = await D.mod.get(`/api/v1/mod/users?role=moderator&q=${tag}`);
  assert.deepEqual(res.json.users, []);

  for (const [q, field] of [['role=boss', 'role'], ['banned=yes', 'banned'], ['new=1', 'new'], ['limit=0', 'limit'],
    ['limit=101', 'limit'], ['before=abc', 'before'], [`q=${'x'.repeat(101)}`, 'q'], ['q=%01', 'q']]) {
    res = await D.mod.get(`/api/v1/mod/users?${q}`);
    assert.equal(res.status, 400, q);
    assert.equal(res.json.error.field, field, q);
  }
});

test("a user's page: comments, flags received and given, log, notes; notes are added and listed", async () => {
  const art = 'people-page';
  const u = await D.reader('Ulla', { established: true });
  const f = await D.reader('Fritz', { established: true });
  const c1 = await post(u, art, 'My first comment on the story.');
  const c2 = await post(f, art, 'Fritz writes too.');
  assert.equal((await f.post(`/api/v1/comments/${c1.id}/flags`, { reason: 'spam', note: 'looks like an ad' })).status, 201);
  assert.equal((await u.post(`/api/v1/comments/${c2.id}/flags`, { reason: 'off_topic' })).status, 201);
  assert.equal((await D.mod.post(`/api/v1/mod/comments/${c1.id}/decision`, { action: 'reject' })).status, 200);
  const until = new Date(Date.now() + DAY).toISOString().replace(/\.\d+Z$/, 'Z');
  assert.equal((await D.mod.post(`/api/v1/mod/users/${u.user.id}/ban`, { reason: 'Cooling off', until })).status, 200);

  let res = await D.mod.post(`/api/v1/mod/users/${u.user.id}/notes`, { body: 'Warned twice by e-mail.\nWatch the links.' });
  assert.equal(res.status, 201);
  assert.equal(res.json.note.body, 'Warned twice by e-mail.\nWatch the links.');
  assert.deepEqual(res.json.note.author, { id: (await D.mod.get('/api/v1/me')).json.user.id, name: 'Max Moderator' });
  assert.equal((await D.admin.post(`/api/v1/mod/users/${u.user.id}/notes`, { body: 'Agreed.' })).status, 201);

  res = await D.mod.get(`/api/v1/mod/users/${u.user.id}`);
  assert.equal(res.status, 200);
  const p = res.json;
  assert.equal(p.user.name, 'Ulla');
  assert.equal(p.user.email, u.email);
  assert.equal(p.user.banned, true);
  assert.equal(p.user.history.comments, 1);
  assert.deepEqual(p.comments.map((c) => [c.id, c.status, c.body]), [[c1.id, 'rejected', 'My first comment on the story.']]);
  assert.equal(p.flags_received.length, 1);
  assert.equal(p.flags_received[0].comment_id, c1.id);
  assert.equal(p.flags_received[0].flagger.name, 'Fritz');
  assert.equal(p.flags_received[0].reason, 'spam');
  assert.equal(p.flags_received[0].note, 'looks like an ad');
  assert.equal(p.flags_received[0].outcome, 'upheld');
  assert.equal(p.flags_given.length, 1);
  assert.equal(p.flags_given[0].comment_id, c2.id);
  assert.equal(p.flags_given[0].author.name, 'Fritz');
  assert.equal(p.flags_given[0].outcome, 'open');
  assert.deepEqual(p.log.map((e) => e.action), ['suspend']);
  assert.equal(p.log[0].target_name, 'Ulla');
  assert.equal(p.log[0].actor.name, 'Max Moderator');
  assert.deepEqual(p.notes.map((n) => [n.author.name, n.body]),
    [['Ada Admin', 'Agreed.'], ['Max Moderator', 'Warned twice by e-mail.\nWatch the links.']]);

  for (const [b, field] of [[{}, 'body'], [{ body: '' }, 'body'], [{ body: 'x'.repeat(2001) }, 'body'], [{ body: 'ok', x: 1 }, 'x']]) {
    res = await D.mod.post(`/api/v1/mod/users/${u.user.id}/notes`, b);
    assert.equal(res.status, 400, JSON.stringify(b).slice(0, 40));
    assert.equal(res.json.error.field, field);
  }
  assert.equal((await D.mod.post('/api/v1/mod/users/999999/notes', { body: 'nobody' })).status, 404);
  assert.equal((await D.mod.get('/api/v1/mod/users/abc')).status, 404);
});

test('deleting an account from the desk: anonymize or remove, staff only by admins, never oneself; logged', async () => {
  const art = 'people-delete';
  const anon = new Client(D.url);
  const keep = await D.reader('Kai');
  const kc = await post(keep, art, 'Kai was here.');
  const gone = await D.reader('Gina');
  const gc = await post(gone, art, 'Gina was here.');

  let res = await D.mod.del(`/api/v1/mod/users/${keep.user.id}?comments=anonymize`);
  assert.equal(res.status, 204);
  let list = (await anon.get(`/api/v1/articles/${art}/comments`)).json.comments;
  assert.equal(list.find((c) => c.id === kc.id).author.name, 'Deleted account', 'the comment stays, anonymized');
  assert.equal((await keep.get('/api/v1/me')).status, 401, 'the session is gone');
  assert.equal((await D.mod.get(`/api/v1/mod/users/${keep.user.id}`)).status, 404);

  res = await D.mod.del(`/api/v1/mod/users/${gone.user.id}?comments=remove`);
  assert.equal(res.status, 204);
  assert.ok(!(await listIds(anon, art)).includes(gc.id), 'the comment is removed');

  const log = (await D.mod.get(`/api/v1/mod/log?action=delete_account&moderator=${encodeURIComponent('Max Moderator')}`)).json.entries;
  assert.deepEqual(log.slice(0, 2).map((e) => [e.target_id, e.reason]),
    [[gone.user.id, 'comments removed'], [keep.user.id, 'comments anonymized']]);

  const me = (await D.mod.get('/api/v1/me')).json.user;
  const adminId = (await D.admin.get('/api/v1/me')).json.user.id;
  assert.equal((await D.mod.del(`/api/v1/mod/users/${adminId}`)).status, 403, 'a moderator cannot delete an admin');
  assert.equal((await D.admin.del(`/api/v1/mod/users/${adminId}`)).status, 403, 'nobody deletes themselves here');
  const other = await D.reader('Otto');
  res = await D.mod.del(`/api/v1/mod/users/${other.user.id}?comments=shred`);
  assert.equal(res.status, 400);
  assert.equal(res.json.error.field, 'comments');
  assert.equal((await D.mod.del('/api/v1/mod/users/999999')).status, 404);
  assert.ok(me.id);
});

test('articles: counts by state, search, status filter, paging; state changes through PUT', async () => {
  const tag = `art${Date.now() % 100000}`;
  const w = await D.reader('Wanda');
  await post(w, `${tag}-a`, 'A published comment.');
  await post(w, `${tag}-a`, 'Another published one.');
  assert.equal((await D.mod.put(`/api/v1/articles/${tag}-b`, { status: 'premoderated', title: `Budget ${tag}`, sensitive: true })).status, 200);
  await post(w, `${tag}-b`, 'Waiting for a moderator.');
  sql(D.srv.dbUrl, `UPDATE articles SET created_at = created_at - ${5 * DAY} WHERE id = '${tag}-a'`);

  let res = await D.mod.get(`/api/v1/mod/articles?q=${tag}`);
  assert.equal(res.status, 200);
  assert.deepEqual(res.json.articles.map((a) => a.id), [`${tag}-b`, `${tag}-a`]);
  const [b, a] = res.json.articles;
  assert.deepEqual([b.status, b.sensitive, b.title, b.comment_count, b.pending_count, b.total_count],
    ['premoderated', true, `Budget ${tag}`, 0, 1, 1]);
  assert.deepEqual([a.status, a.comment_count, a.pending_count, a.total_count], ['open', 2, 0, 2]);

  res = await D.mod.get(`/api/v1/mod/articles?q=${encodeURIComponent(`budget ${tag}`)}`);
  assert.deepEqual(res.json.articles.map((x) => x.id), [`${tag}-b`], 'title search, any case');
  res = await D.mod.get(`/api/v1/mod/articles?q=${tag}&status=premoderated`);
  assert.deepEqual(res.json.articles.map((x) => x.id), [`${tag}-b`]);

  res = await D.mod.get(`/api/v1/mod/articles?q=${tag}&limit=1`);
  assert.deepEqual(res.json.articles.map((x) => x.id), [`${tag}-b`]);
  assert.ok(res.json.next);
  res = await D.mod.get(`/api/v1/mod/articles?q=${tag}&limit=1&before=${encodeURIComponent(res.json.next)}`);
  assert.deepEqual(res.json.articles.map((x) => x.id), [`${tag}-a`]);
  assert.equal(res.json.next, null);

  for (const [q, field] of [['status=shut', 'status'], ['limit=0', 'limit'], ['before=nope', 'before'], ['before=12:bad%20id', 'before']]) {
    res = await D.mod.get(`/api/v1/mod/articles?${q}`);
    assert.equal(res.status, 400, q);
    assert.equal(res.json.error.field, field, q);
  }
});

test('closing every article older than N days at once, logged per article', async () => {
  const tag = `old${Date.now() % 100000}`;
  const w = await D.reader('Olga');
  await post(w, `${tag}-old`, 'An old story.');
  await post(w, `${tag}-new`, 'A fresh story.');
  sql(D.srv.dbUrl, `UPDATE articles SET created_at = created_at - ${400 * DAY} WHERE id = '${tag}-old'`);

  let res = await D.mod.post('/api/v1/mod/articles/close', { older_than_days: 365 });
  assert.equal(res.status, 200);
  assert.ok(res.json.closed >= 1);
  const anon = new Client(D.url);
  assert.equal((await anon.get(`/api/v1/articles/${tag}-old`)).json.article.status, 'closed');
  assert.equal((await anon.get(`/api/v1/articles/${tag}-new`)).json.article.status, 'open');
  assert.equal((await w.post(`/api/v1/articles/${tag}-old/comments`, { body: 'Too late?' })).status, 423);
  const log = (await D.mod.get(`/api/v1/mod/log?article=${tag}-old`)).json.entries;
  assert.equal(log[0].action, 'article_update');
  assert.match(log[0].reason, /older than 365 days/);

  res = await D.mod.post('/api/v1/mod/articles/close', { older_than_days: 365 });
  assert.equal(res.json.closed, 0, 'nothing left to close');
  for (const b of [{}, { older_than_days: 0 }, { older_than_days: '3' }, { older_than_days: 1.5 }, { older_than_days: 36501 }]) {
    res = await D.mod.post('/api/v1/mod/articles/close', b);
    assert.equal(res.status, 400, JSON.stringify(b));
    assert.equal(res.json.error.field, 'older_than_days');
  }
});

test('the log takes names in its filters and names its targets', async () => {
  const art = 'people-log';
  const n = await D.reader(`Nadia Logtest${Date.now() % 10000}`);
  const c = await post(n, art, 'Please look at this.');
  assert.equal((await D.mod.put(`/api/v1/articles/${art}`, { title: 'The log story' })).status, 200);
  assert.equal((await D.admin.post(`/api/v1/mod/comments/${c.id}/decision`, { action: 'feature' })).status, 200);

  let res = await D.mod.get(`/api/v1/mod/log?author=${encodeURIComponent(n.user.name.toUpperCase())}`);
  assert.equal(res.status, 200);
  assert.equal(res.json.entries[0].action, 'feature');
  assert.equal(res.json.entries[0].target_name, n.user.name, 'a comment entry names its author');
  res = await D.mod.get(`/api/v1/mod/log?moderator=${encodeURIComponent('ada admin')}&action=feature`);
  assert.ok(res.json.entries.length >= 1 && res.json.entries.every((e) => e.actor.name === 'Ada Admin'));
  res = await D.mod.get(`/api/v1/mod/log?article=${art}&action=article_update`);
  assert.equal(res.json.entries[0].target_name, 'The log story');

  res = await D.mod.get('/api/v1/mod/log?author=Nobody%20At%20All');
  assert.equal(res.status, 400);
  assert.equal(res.json.error.field, 'author');
  await D.reader('Twin Name');
  await D.reader('Twin Name');
  res = await D.mod.get('/api/v1/mod/log?moderator=twin%20name');
  assert.equal(res.status, 400);
  assert.match(res.json.error.message, /several/);
});

// A person's page with site=: that site's flags are chosen before the page's
// limit of 50, so one flag on the default site behind more than 50 on
// another site is still listed (it was filtered out after the limit).
test("a person's page by site lists that site's flags behind more than 50 of another site's", async () => {
  const made = await D.admin.post('/api/v1/mod/sites', { slug: 'flagged-elsewhere', name: 'Elsewhere' });
  assert.equal(made.status, 201, made.text);
  const w = await D.reader('Wanda Many');
  const flaggers = [];
  for (let i = 0; i < 4; i++) flaggers.push(await D.reader(`Flagger ${i}`, { established: true }));
  const home = await post(w, 'flags-home', 'One remark on the default site about the harbour.');
  let res = await flaggers[0].post(`/api/v1/comments/${home.id}/flags`, { reason: 'spam' });
  assert.equal(res.status, 201, res.text);
  const topics = ['bridge', 'budget', 'tram', 'library', 'stadium', 'ferry', 'school', 'market', 'park', 'museum', 'harbour', 'station', 'festival'];
  for (let i = 0; i < 52; i++) {
    res = await w.post('/api/v1/articles/flags-away/comments?site=flagged-elsewhere',
      { body: `Thought ${i + 1} on the ${topics[i % topics.length]}: the plans for week ${Math.floor(i / 4) + 1} look different.` });
    assert.equal(res.status, 201, res.text);
    const f = await flaggers[i % 4].post(`/api/v1/comments/${res.json.comment.id}/flags`, { reason: 'off_topic' });
    assert.equal(f.status, 201, f.text);
  }

  res = await D.mod.get(`/api/v1/mod/users/${w.user.id}?site=default`);
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(res.json.flags_received.map((f) => f.comment_id), [home.id]);
  res = await D.mod.get(`/api/v1/mod/users/${flaggers[0].user.id}?site=default`);
  assert.deepEqual(res.json.flags_given.map((f) => f.comment_id), [home.id]);
  res = await D.mod.get(`/api/v1/mod/users/${w.user.id}?site=flagged-elsewhere`);
  assert.equal(res.json.flags_received.length, 50);
  assert.ok(!res.json.flags_received.some((f) => f.comment_id === home.id));
  res = await D.mod.get(`/api/v1/mod/users/${w.user.id}`);
  assert.equal(res.json.flags_received.length, 50, 'every site\'s: the newest 50');
  assert.equal((await D.mod.get(`/api/v1/mod/users/${w.user.id}?site=nowhere`)).status, 404);
});
