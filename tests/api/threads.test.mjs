// tests/api/threads.test.mjs: long and deep threads cannot make answers
// large (docs/SECURITY.md, "Threads"): replies come in pages per top-level
// comment, every answer is capped and stays cacheable, replies nest at most
// four deep, and an article's headline and address come from the
// publisher's own pages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '../lib/server.mjs';
import { expectError, stopClean } from '../lib/api.mjs';
import { deskServer, post, sql } from './desk_helpers.mjs';

let D, w;
before(async () => {
  D = await deskServer();
  w = await D.reader('Wren');
});
after(async () => { await stopClean(D.srv); });

const list = (client, art, q = '') => client.get(`/api/v1/articles/${art}/comments${q}`);

// Adds n published replies under root straight into the database (what
// many readers would have written), each parent_id given by parentOf(i)
// (0-based; null: the root). Ids are fixed, far above the ones the API hands out.
function insertReplies(art, root, n, base, parentOf = () => null) {
  const parent = (i) => (parentOf(i) === null ? root.id : String(base + parentOf(i)));
  const rows = [];
  for (let i = 0; i < n; i++) {
    rows.push(`(${base + i}, '${art}', ${parent(i)}, ${root.id}, ${w.user.id}, 'reply ${i}', '<p>reply ${i}</p>', '', 0, ${Date.parse(root.created_at) + 1000 + i})`);
  }
  for (let i = 0; i < rows.length; i += 500) { // one command-line argument holds at most 128 KiB
    sql(D.srv.dbUrl, 'INSERT INTO comments (id, article_id, parent_id, root_id, author_id, body, html, moderation, status, created_at) VALUES ' +
      rows.slice(i, i + 500).join(', '));
  }
}

test('replies come in pages per top-level comment, each answer cacheable', async () => {
  const root = await post(w, 'th-page', 'A story with a long discussion.');
  insertReplies('th-page', root, 25, 1000000);
  const anon = new Client(D.url);
  const r = await list(anon, 'th-page');
  assert.equal(r.status, 200);
  const top = r.json.comments[0];
  assert.equal(top.replies.length, 10);
  assert.deepEqual(top.replies.map((c) => c.html), Array.from({ length: 10 }, (_, i) => `<p>reply ${i}</p>`));
  assert.equal(top.more_replies, 15);
  assert.equal(top.replies_next, String(1000009));

  const seen = top.replies.map((c) => c.id);
  let after = top.replies_next;
  for (const [count, more] of [[10, 5], [5, 0]]) {
    const p = await anon.get(`/api/v1/comments/${root.id}/replies?limit=10&after=${after}`);
    assert.equal(p.status, 200, p.text);
    assert.match(p.headers.get('etag'), /^"[0-9a-f]{16}"$/);
    assert.match(p.headers.get('cache-control'), /public/);
    assert.equal(p.json.replies.length, count);
    assert.equal(p.json.more_replies, more);
    for (const c of p.json.replies) assert.equal(c.parent_id, root.id);
    seen.push(...p.json.replies.map((c) => c.id));
    after = p.json.next;
    const again = await anon.get(`/api/v1/comments/${root.id}/replies?limit=10&after=${seen[seen.length - count - 1]}`, { 'if-none-match': p.headers.get('etag') });
    assert.equal(again.status, 304);
  }
  assert.equal(after, null);
  assert.equal(new Set(seen).size, 25);
  // From the start without a cursor; bad parameters and a reply's id are refused.
  const first = await anon.get(`/api/v1/comments/${root.id}/replies?limit=3`);
  assert.deepEqual(first.json.replies.map((c) => c.id), seen.slice(0, 3));
  expectError(await anon.get(`/api/v1/comments/${root.id}/replies?limit=0`), 400, 'invalid_field', 'limit');
  expectError(await anon.get(`/api/v1/comments/${root.id}/replies?after=x`), 400, 'invalid_field', 'after');
  expectError(await anon.get(`/api/v1/comments/${seen[0]}/replies`), 404, 'not_found');
  expectError(await anon.get('/api/v1/comments/99999999/replies'), 404, 'not_found');
});

test('a page with a huge thread stays small: one top-level comment with 3,000 replies', async () => {
  const root = await post(w, 'th-huge', 'Everyone answered this one.');
  insertReplies('th-huge', root, 3000, 2000000, (i) => (i % 3 === 0 ? null : i - 1));
  const r = await list(new Client(D.url), 'th-huge', '?limit=1');
  assert.equal(r.status, 200);
  assert.ok(r.text.length < 64 * 1024, `${r.text.length} bytes`);
  const count = (cs) => cs.reduce((n, c) => n + 1 + count(c.replies), 0);
  assert.equal(count(r.json.comments), 11);
  assert.equal(r.json.comments[0].more_replies, 2990);
  // Many top-level comments with many replies each: the answer holds at most
  // 300 replies however many the threads have.
  for (let i = 0; i < 40; i++) {
    const top = await post(w, 'th-wide', `Top-level comment number ${i}, with replies.`);
    insertReplies('th-wide', top, 12, 3000000 + i * 100);
  }
  const wide = await list(new Client(D.url), 'th-wide', '?limit=100');
  const replies = wide.json.comments.reduce((n, c) => n + count(c.replies), 0);
  assert.equal(wide.json.comments.length, 40);
  assert.equal(replies, 300);
  assert.ok(wide.json.comments.every((c) => c.replies.length + c.more_replies === 12));
});

test('replies nest at most four deep: deeper ones are shown, and stored, beside their parent', async () => {
  const root = await post(w, 'th-deep', 'Start of a long back-and-forth.');
  // A chain 60 deep from before the limit.
  insertReplies('th-deep', root, 60, 4000000, (i) => (i === 0 ? null : i - 1));
  const r = await list(new Client(D.url), 'th-deep');
  const depth = (cs) => (cs.length ? 1 + Math.max(...cs.map((c) => depth(c.replies))) : 0);
  assert.equal(depth(r.json.comments), 5); // the top-level comment and four levels of replies
  const l3 = r.json.comments[0].replies[0].replies[0].replies[0];
  assert.equal(l3.replies.length, 7); // replies 3..9 of the first page, side by side
  for (const c of l3.replies) assert.equal(c.parent_id, l3.id);
  const rest = await new Client(D.url).get(`/api/v1/comments/${root.id}/replies?after=${r.json.comments[0].replies_next}&limit=100`);
  assert.equal(rest.json.replies.length, 50);
  for (const c of rest.json.replies) assert.equal(c.parent_id, l3.id);

  // A new reply to a comment four deep is stored beside it, under its parent.
  const a = await post(w, 'th-deep2', 'Level zero.');
  const b = await post(w, 'th-deep2', 'Level one.', a.id);
  const c = await post(w, 'th-deep2', 'Level two.', b.id);
  const d = await post(w, 'th-deep2', 'Level three.', c.id);
  const e = await post(w, 'th-deep2', 'Level four.', d.id);
  assert.equal(e.parent_id, d.id);
  const f = await post(w, 'th-deep2', 'Would be level five.', e.id);
  assert.equal(f.parent_id, d.id);
  assert.equal(sql(D.srv.dbUrl, `SELECT parent_id FROM comments WHERE id = ${f.id}`), d.id);
  // A reply into the old 60-deep chain goes beside the deepest shown level too.
  const g = await post(w, 'th-deep', 'Answering the very last one.', String(4000059));
  assert.equal(g.parent_id, l3.id);
});

test('the headline and address come from the publisher\'s own pages and can be corrected, unless a moderator set them', async () => {
  const own = `${D.url}/story`;
  let r = await w.post('/api/v1/articles/th-meta/comments', { body: 'First!', article_title: 'Budget pases', article_url: own });
  assert.equal(r.status, 201, r.text);
  // A later post from the publisher's page corrects a typo.
  r = await w.post('/api/v1/articles/th-meta/comments', { body: 'Second.', article_title: 'Budget passes', article_url: `${own}?utm=x` });
  assert.equal(r.status, 201, r.text);
  let art = (await new Client(D.url).get('/api/v1/articles/th-meta')).json.article;
  assert.equal(art.title, 'Budget passes');
  assert.equal(art.url, `${own}?utm=x`);
  const log = (await D.mod.get('/api/v1/mod/log?article=th-meta&action=article_meta')).json.entries;
  assert.equal(log.length, 1);
  assert.equal(log[0].automatic, true);
  // An address on another site is refused, for posts and for moderators alike.
  expectError(await w.post('/api/v1/articles/th-meta/comments', { body: 'Third.', article_url: 'https://evil.example/story' }), 400, 'invalid_field', 'article_url');
  expectError(await D.mod.put('/api/v1/articles/th-meta', { url: 'https://evil.example/story' }), 400, 'invalid_field', 'url');
  // Once a moderator set them, posts no longer change them.
  assert.equal((await D.mod.put('/api/v1/articles/th-meta', { title: 'Council passes the budget', url: own })).status, 200);
  r = await w.post('/api/v1/articles/th-meta/comments', { body: 'Fourth.', article_title: 'Spam title', article_url: `${own}#x` });
  assert.equal(r.status, 201);
  art = (await new Client(D.url).get('/api/v1/articles/th-meta')).json.article;
  assert.equal(art.title, 'Council passes the budget');
  assert.equal(art.url, own);
});
