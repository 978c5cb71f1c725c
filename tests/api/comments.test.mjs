// tests/api/comments.test.mjs: API.md "Articles", "Comments" and "Flags"
// over real HTTP: articles, posting and nesting, sorting and paging through
// 250 comments, edits, deletes, likes, counts, XSS payloads and flags.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, createUser, Client } from '../lib/server.mjs';
import { expectError, stopClean, articleId, configFile } from '../lib/api.mjs';

let srv, alice, bob, carol, mod, anon;

before(async () => {
  // The publisher's pages live on news.example: article URLs must be there.
  srv = await startServer({ args: ['--config', configFile('allowed_origins = https://news.example\n')] });
  createUser(srv.dbUrl, { email: 'mod@example.com', name: 'Moderator', role: 'moderator' });
  alice = new Client(srv.url);
  bob = new Client(srv.url);
  carol = new Client(srv.url);
  mod = new Client(srv.url);
  anon = new Client(srv.url);
  const rs = await Promise.all([
    alice.register('Alice', 'alice@example.com'),
    bob.register('Bob', 'bob@example.com'),
    carol.register('<b>Carol</b> "&" <script>x</script>', 'carol@example.com'),
    mod.login('mod@example.com'),
  ]);
  assert.deepEqual(rs.map((r) => r.status), [201, 201, 201, 200]);
});

after(async () => { await stopClean(srv); });

const comments = (art) => `/api/v1/articles/${art}/comments`;

async function post(client, art, body, parent_id) {
  const r = await client.post(comments(art), parent_id ? { body, parent_id } : { body });
  assert.equal(r.status, 201, r.text);
  return r.json.comment;
}

function checkCommentShape(c) {
  for (const k of ['id', 'parent_id', 'author', 'html', 'created_at', 'edited_at', 'status', 'likes', 'liked_by_me', 'reply_count', 'replies']) {
    assert.ok(k in c, `COMMENT lacks ${k}: ${JSON.stringify(c)}`);
  }
  assert.equal(typeof c.id, 'string');
  assert.ok(c.parent_id === null || typeof c.parent_id === 'string');
  assert.match(c.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
  assert.ok(Array.isArray(c.replies));
  for (const r of c.replies) checkCommentShape(r);
}

test('articles: unknown article gives defaults; moderators PUT, readers 403, anonymous 401', async () => {
  const id = articleId('art');
  let r = await anon.get(`/api/v1/articles/${id}`);
  assert.equal(r.status, 200);
  assert.deepEqual(r.json, { article: { id, title: '', url: '', status: 'open', sensitive: false, comment_count: 0 } });
  r = await anon.get(comments(id));
  assert.equal(r.status, 200);
  assert.deepEqual(r.json.comments, []);
  assert.equal(r.json.next, null);
  assert.equal(r.json.article.id, id);

  r = await mod.put(`/api/v1/articles/${id}`, { title: 'Flood in <town>', url: 'https://news.example/flood', text: 'The river rose.', status: 'premoderated', sensitive: true });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.article, { id, title: 'Flood in <town>', url: 'https://news.example/flood', status: 'premoderated', sensitive: true, comment_count: 0 });
  // A partial PUT changes only what it names.
  r = await mod.put(`/api/v1/articles/${id}`, { status: 'open' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.article.title, 'Flood in <town>');
  assert.equal(r.json.article.sensitive, true);
  assert.equal(r.json.article.status, 'open');
  r = await anon.get(`/api/v1/articles/${id}`);
  assert.deepEqual(r.json.article, { id, title: 'Flood in <town>', url: 'https://news.example/flood', status: 'open', sensitive: true, comment_count: 0 });

  expectError(await alice.put(`/api/v1/articles/${id}`, { status: 'closed' }), 403, 'forbidden');
  expectError(await anon.put(`/api/v1/articles/${id}`, { status: 'closed' }), 401, 'login_required');
  expectError(await mod.put(`/api/v1/articles/${id}`, { url: 'javascript:alert(1)' }), 400, 'invalid_field', 'url');
  assert.equal((await anon.get(`/api/v1/articles/${id}`)).json.article.status, 'open');
});

test('post, nest replies to depth 3, replies oldest first, reply_count', async () => {
  const art = articleId('nest');
  const top = await post(alice, art, 'top level');
  checkCommentShape(top);
  assert.equal(top.parent_id, null);
  assert.equal(top.status, 'published');
  assert.equal(top.author.name, 'Alice');
  assert.equal(top.html.trim(), '<p>top level</p>');
  assert.equal(top.edited_at, null);
  assert.equal(top.likes, 0);
  assert.equal(top.liked_by_me, false);
  const r1 = await post(bob, art, 'reply one', top.id);
  assert.equal(r1.parent_id, top.id);
  const r2 = await post(alice, art, 'reply two', top.id);
  const r3 = await post(carol, art, 'reply three', top.id);
  const d2 = await post(alice, art, 'depth two', r1.id);
  const d3 = await post(bob, art, 'depth three', d2.id);

  const r = await anon.get(comments(art));
  assert.equal(r.status, 200);
  assert.equal(r.json.comments.length, 1, 'only the top-level comment is listed at the top');
  const t = r.json.comments[0];
  checkCommentShape(t);
  assert.deepEqual(t.replies.map((c) => c.id), [r1.id, r2.id, r3.id]);
  assert.equal(t.reply_count, 3);
  assert.deepEqual(t.replies[0].replies.map((c) => c.id), [d2.id]);
  assert.equal(t.replies[0].reply_count, 1);
  assert.deepEqual(t.replies[0].replies[0].replies.map((c) => c.id), [d3.id]);
  assert.equal(t.replies[0].replies[0].replies[0].parent_id, d2.id);
  assert.equal(r.json.article.comment_count, 6);
  assert.equal((await anon.get(`/api/v1/articles/${art}`)).json.article.comment_count, 6);
});

test('XSS payloads come back inert; a name with markup is plain JSON text', async () => {
  const art = articleId('xss');
  const payloads = [
    '<img src=x onerror=alert(1)>',
    '<script>alert(1)</script>',
    '[x](javascript:alert(1))',
    '[y](JaVaScRiPt:alert(1))',
    '[z](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
    '<a href="javascript:alert(1)">a</a>',
    '![i](x" onerror="alert(1))',
    '<svg onload=alert(1)>',
    '<iframe src="https://evil.example"></iframe>',
    '[ok](https://example.com/?a="onmouseover=alert(1))',
  ];
  for (const p of payloads) {
    const c = await post(alice, art, p);
    const html = c.html;
    assert.doesNotMatch(html, /<(script|img|svg|iframe)\b/i, `${p} -> ${html}`);
    assert.doesNotMatch(html, /<a [^>]*href="(javascript|data):/i, `${p} -> ${html}`);
    assert.doesNotMatch(html, /<[^>]*\son\w+=/i, `${p} -> ${html}`);
    assert.doesNotMatch(html, /<[^>]*"onmouseover/i, `${p} -> ${html}`);
  }
  const esc = await post(alice, art, '<img src=x onerror=alert(1)>');
  assert.equal(esc.html.trim(), '<p>&lt;img src=x onerror=alert(1)&gt;</p>');
  const js = await post(alice, art, '[x](javascript:alert(1))');
  assert.doesNotMatch(js.html, /<a\b/);
  assert.match(js.html, /x/);

  // Carol's name is returned verbatim as JSON text; the widget renders it as text.
  const c = await post(carol, art, 'hello');
  assert.equal(c.author.name, '<b>Carol</b> "&" <script>x</script>');
  const me = await carol.get('/api/v1/me');
  assert.equal(me.json.user.name, '<b>Carol</b> "&" <script>x</script>');
  const list = await anon.get(comments(art));
  assert.match(list.headers.get('content-type'), /^application\/json/);
  assert.equal(list.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(list.json.comments.at(-1).author.name, '<b>Carol</b> "&" <script>x</script>');
});

test('Markdown: links get rel and keep only safe schemes; emphasis, quotes, lists, code', async () => {
  const art = articleId('md');
  const link = await post(alice, art, '[site](https://example.com) and *em* and **strong**');
  assert.match(link.html, /<a href="https:\/\/example\.com" rel="nofollow ugc noopener">site<\/a>/);
  assert.match(link.html, /<em>em<\/em>/);
  assert.match(link.html, /<strong>strong<\/strong>/);
  const mail = await post(alice, art, '[mail](mailto:a@example.com)');
  assert.match(mail.html, /<a href="mailto:a@example\.com" rel="nofollow ugc noopener">mail<\/a>/);
  const blocks = await post(alice, art, '> quoted\n\n- one\n- two\n\n`code`');
  assert.match(blocks.html, /<blockquote>/);
  assert.match(blocks.html, /<ul>\s*<li>one<\/li>/);
  assert.match(blocks.html, /<code>code<\/code>/);
  const edited = await alice.patch(`/api/v1/comments/${link.id}`, { body: 'now *emphasised*' });
  assert.equal(edited.json.comment.html.trim(), '<p>now <em>emphasised</em></p>');
});

test('250 comments paged with limit 7 in every sort: no gap, no duplicate, right order', async () => {
  const art = articleId('page');
  const N = 250;
  const posted = [];
  for (let i = 0; i < N; i += 25) {
    const batch = await Promise.all(Array.from({ length: Math.min(25, N - i) }, (_, k) => post(alice, art, `comment ${i + k}`)));
    posted.push(...batch);
  }
  // A few replies, which must not appear at the top level.
  await post(bob, art, 'a reply', posted[3].id);
  await post(bob, art, 'another reply', posted[100].id);
  // Likes 0..3 spread over the comments (bob, carol, mod like some).
  const likers = [bob, carol, mod];
  const likes = new Map(posted.map((c) => [c.id, 0]));
  const jobs = [];
  posted.forEach((c, i) => {
    const n = i % 4;
    for (let k = 0; k < n; k++) jobs.push([likers[k], c.id]);
    likes.set(c.id, n);
  });
  for (let i = 0; i < jobs.length; i += 30) {
    const rs = await Promise.all(jobs.slice(i, i + 30).map(([cl, id]) => cl.post(`/api/v1/comments/${id}/likes`)));
    for (const r of rs) assert.equal(r.status, 200, r.text);
  }

  const ids = new Set(posted.map((c) => c.id));
  for (const sort of ['oldest', 'newest', 'top']) {
    const seen = [];
    let after = null;
    let pages = 0;
    for (;;) {
      const q = `?sort=${sort}&limit=7${after ? `&after=${encodeURIComponent(after)}` : ''}`;
      const r = await anon.get(comments(art) + q);
      assert.equal(r.status, 200, r.text);
      pages++;
      assert.ok(r.json.comments.length <= 7);
      seen.push(...r.json.comments);
      if (r.json.next === null) break;
      assert.equal(r.json.comments.length, 7, 'a page before the last one is full');
      after = r.json.next;
      assert.ok(pages < 100, 'paging does not end');
    }
    assert.equal(pages, Math.ceil(N / 7), `${sort}: page count`);
    const seenIds = seen.map((c) => c.id);
    assert.equal(new Set(seenIds).size, seenIds.length, `${sort}: duplicate`);
    assert.equal(seenIds.length, N, `${sort}: gap`);
    for (const id of seenIds) assert.ok(ids.has(id), `${sort}: unknown id ${id}`);
    for (let i = 1; i < seen.length; i++) {
      const a = seen[i - 1], b = seen[i];
      // created_at has whole seconds; the server orders by milliseconds, then id.
      if (sort === 'oldest') assert.ok(a.created_at <= b.created_at, `${sort} order at ${i}`);
      if (sort === 'newest') assert.ok(a.created_at >= b.created_at, `${sort} order at ${i}`);
      if (sort === 'top') assert.ok(a.likes >= b.likes, `${sort} order at ${i}: ${a.likes} < ${b.likes}`);
    }
    for (const c of seen) assert.equal(c.likes, likes.get(c.id), `${sort}: likes of ${c.id}`);
    assert.equal(seen.find((c) => c.id === posted[3].id).replies.length, 1);
  }
  // When the last page is exactly full, next is null on it (no empty page).
  const exact = articleId('exact');
  await Promise.all(Array.from({ length: 14 }, (_, i) => post(bob, exact, `exact ${i}`)));
  const p1 = await anon.get(comments(exact) + '?limit=7');
  assert.equal(p1.json.comments.length, 7);
  assert.equal(typeof p1.json.next, 'string');
  const p2 = await anon.get(comments(exact) + `?limit=7&after=${encodeURIComponent(p1.json.next)}`);
  assert.equal(p2.json.comments.length, 7);
  assert.equal(p2.json.next, null);
  // Oldest first is the default.
  const d = await anon.get(comments(art) + '?limit=3');
  assert.deepEqual(d.json.comments.map((c) => c.id), (await anon.get(comments(art) + '?limit=3&sort=oldest')).json.comments.map((c) => c.id));
  // limit 100 is the most, and gives 100.
  assert.equal((await anon.get(comments(art) + '?limit=100')).json.comments.length, 100);
  // liked_by_me depends on who asks.
  const first = posted.find((c, i) => i % 4 === 3);
  const view = async (cl) => (await cl.get(comments(art) + '?sort=top&limit=100')).json.comments.find((c) => c.id === first.id).liked_by_me;
  assert.equal(await view(bob), true);
  assert.equal(await view(mod), true);
  assert.equal(await view(alice), false);
  assert.equal(await view(anon), false);
  const counts = await anon.get(`/api/v1/counts?article=${art}`);
  assert.deepEqual(counts.json, { counts: { [art]: N + 2 } });
});

test('edit within the window: 200, edited_at set, html re-rendered; others get 403', async () => {
  const art = articleId('edit');
  const c = await post(alice, art, 'plain text');
  const r = await alice.patch(`/api/v1/comments/${c.id}`, { body: 'edited <text>' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.comment.id, c.id);
  assert.equal(r.json.comment.html.trim(), '<p>edited &lt;text&gt;</p>');
  assert.match(r.json.comment.edited_at, /^\d{4}-\d\d-\d\dT.*Z$/);
  assert.equal(r.json.moderation.decision, 'publish');
  const listed = (await anon.get(comments(art))).json.comments[0];
  assert.equal(listed.html.trim(), '<p>edited &lt;text&gt;</p>');
  assert.equal(listed.edited_at, r.json.comment.edited_at);

  expectError(await bob.patch(`/api/v1/comments/${c.id}`, { body: 'hijacked' }), 403, 'forbidden');
  expectError(await bob.del(`/api/v1/comments/${c.id}`), 403, 'forbidden');
  // A moderator cannot edit someone's words either (only delete them).
  expectError(await mod.patch(`/api/v1/comments/${c.id}`, { body: 'moderated' }), 403, 'forbidden');
  const after_ = (await anon.get(comments(art))).json.comments;
  assert.equal(after_.length, 1);
  assert.equal(after_[0].html.trim(), '<p>edited &lt;text&gt;</p>');
});

test('delete: 204; with replies a placeholder stays, without replies it disappears', async () => {
  const art = articleId('del');
  const parent = await post(alice, art, 'parent');
  const reply = await post(bob, art, 'reply', parent.id);
  const lone = await post(alice, art, 'lone');
  const other = await post(bob, art, 'bob top');

  let r = await alice.del(`/api/v1/comments/${parent.id}`);
  assert.equal(r.status, 204);
  assert.equal(r.text, '');
  r = await alice.del(`/api/v1/comments/${lone.id}`);
  assert.equal(r.status, 204);
  const list = (await anon.get(comments(art))).json.comments;
  assert.deepEqual(list.map((c) => c.id), [parent.id, other.id]);
  const ph = list[0];
  assert.equal(ph.status, 'deleted');
  assert.equal(ph.html, '');
  assert.equal(ph.author, null);
  assert.deepEqual(ph.replies.map((c) => c.id), [reply.id]);
  assert.equal(ph.replies[0].html.trim(), '<p>reply</p>');
  // Deleted is gone for every write.
  expectError(await alice.patch(`/api/v1/comments/${parent.id}`, { body: 'back' }), 404, 'not_found');
  expectError(await alice.del(`/api/v1/comments/${parent.id}`), 404, 'not_found');
  expectError(await bob.post(`/api/v1/comments/${parent.id}/likes`), 404, 'not_found');
  expectError(await bob.post(comments(art), { body: 'x', parent_id: lone.id }), 404, 'not_found', 'parent_id');
  // A moderator may delete anyone's comment.
  assert.equal((await mod.del(`/api/v1/comments/${other.id}`)).status, 204);
  assert.deepEqual((await anon.get(comments(art))).json.comments.map((c) => c.id), [parent.id]);
  assert.equal((await anon.get(`/api/v1/counts?article=${art}`)).json.counts[art], 1);
  // Once its last reply is deleted, the placeholder has nothing to hold up.
  assert.equal((await bob.del(`/api/v1/comments/${reply.id}`)).status, 204);
  assert.deepEqual((await anon.get(comments(art))).json.comments, []);
  assert.equal((await anon.get(`/api/v1/counts?article=${art}`)).json.counts[art], 0);
});

test('likes: idempotent, counted, liked_by_me per viewer', async () => {
  const art = articleId('like');
  const c = await post(alice, art, 'likeable');
  const L = `/api/v1/comments/${c.id}/likes`;
  assert.deepEqual((await bob.post(L)).json, { likes: 1 });
  assert.deepEqual((await bob.post(L)).json, { likes: 1 });
  const r = await carol.post(L);
  assert.equal(r.status, 200);
  assert.deepEqual(r.json, { likes: 2 });
  const seen = async (cl) => (await cl.get(comments(art))).json.comments[0];
  assert.equal((await seen(bob)).liked_by_me, true);
  assert.equal((await seen(alice)).liked_by_me, false);
  assert.equal((await seen(anon)).liked_by_me, false);
  assert.equal((await seen(anon)).likes, 2);
  assert.deepEqual((await bob.del(L)).json, { likes: 1 });
  assert.deepEqual((await bob.del(L)).json, { likes: 1 });
  // Concurrent likes by one reader still count once.
  const rs = await Promise.all(Array.from({ length: 10 }, () => bob.post(L)));
  for (const x of rs) assert.deepEqual(x.json, { likes: 2 });
  await bob.del(L);
  assert.equal((await seen(bob)).liked_by_me, false);
  assert.equal((await seen(carol)).liked_by_me, true);
  assert.equal((await seen(anon)).likes, 1);
});

test('counts for several articles; unknown counts 0; 100 allowed, 101 is 400', async () => {
  const a1 = articleId('cnt'), a2 = articleId('cnt'), a3 = articleId('cnt');
  await post(alice, a1, 'one');
  await post(alice, a1, 'two');
  await post(bob, a2, 'three');
  let r = await anon.get(`/api/v1/counts?article=${a1}&article=${a2}&article=${a3}`);
  assert.equal(r.status, 200);
  assert.deepEqual(r.json, { counts: { [a1]: 2, [a2]: 1, [a3]: 0 } });
  const many = Array.from({ length: 100 }, (_, i) => `many-${i}`);
  many[0] = a1;
  r = await anon.get('/api/v1/counts?' + many.map((m) => `article=${m}`).join('&'));
  assert.equal(r.status, 200, r.text);
  assert.equal(Object.keys(r.json.counts).length, 100);
  assert.equal(r.json.counts[a1], 2);
  r = await anon.get('/api/v1/counts?' + [...many, 'one-more'].map((m) => `article=${m}`).join('&'));
  expectError(r, 400, 'invalid_field', 'article');
  expectError(await anon.get('/api/v1/counts'), 400, 'invalid_field', 'article');
});

test('flags: 201 {flag:{id,reason}}, bad reason 400, long note 400, own comment 403, twice 409', async () => {
  const art = articleId('flag');
  const c = await post(alice, art, 'flag me');
  const F = `/api/v1/comments/${c.id}/flags`;
  let r = await bob.post(F, { reason: 'personal_attack', note: 'n'.repeat(500) });
  assert.equal(r.status, 201, r.text);
  assert.deepEqual(Object.keys(r.json.flag).sort(), ['id', 'reason']);
  assert.equal(typeof r.json.flag.id, 'string');
  assert.equal(r.json.flag.reason, 'personal_attack');
  expectError(await bob.post(F, { reason: 'spam' }), 409, 'already_flagged');
  expectError(await carol.post(F, { reason: 'rude' }), 400, 'invalid_field', 'reason');
  expectError(await carol.post(F, {}), 400, 'invalid_field', 'reason');
  expectError(await carol.post(F, { reason: 'other', note: 'n'.repeat(501) }), 400, 'invalid_field', 'note');
  expectError(await carol.post(F, { reason: 'other', note: 'a\u0000b' }), 400, 'invalid_field', 'note');
  expectError(await alice.post(F, { reason: 'spam' }), 403, 'forbidden');
  for (const reason of ['profanity', 'vulgarity', 'slur', 'harassment', 'tragedy_joke', 'off_topic', 'spam', 'terms_of_service', 'other']) {
    const c2 = await post(alice, art, `for ${reason}`);
    r = await carol.post(`/api/v1/comments/${c2.id}/flags`, { reason });
    assert.equal(r.status, 201, `${reason}: ${r.text}`);
  }
  // The flagged queue shows bob's flag with its note.
  r = await mod.get('/api/v1/mod/queue?queue=flagged');
  assert.equal(r.status, 200, r.text);
  const item = r.json.items.find((i) => i.comment.id === c.id);
  assert.ok(item, 'flagged comment is in the flagged queue');
  assert.equal(item.article_id, art);
  assert.deepEqual(item.flags.map((f) => [f.reason, f.count]), [['personal_attack', 1]]);
  assert.ok(item.flags[0].note.includes('n'.repeat(500)));
});

test('concurrent mixed writes keep counts, reply counts and likes consistent', async () => {
  const art = articleId('mix');
  const users = [alice, bob, carol, mod];
  const ids = [];
  for (let i = 0; i < 16; i++) ids.push((await post(users[i % 4], art, `seed ${i}`)).id);
  let seed = 2463534242;
  const rnd = (n) => { seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0; return seed % n; };
  const seen = {};
  for (let round = 0; round < 6; round++) {
    const ops = Array.from({ length: 40 }, () => {
      const u = users[rnd(4)];
      const id = ids[rnd(ids.length)];
      switch (rnd(6)) {
        case 0: return u.post(comments(art), { body: 'a reply', parent_id: id }).then((r) => { if (r.status === 201) ids.push(r.json.comment.id); return r; });
        case 1: return u.post(`/api/v1/comments/${id}/likes`);
        case 2: return u.del(`/api/v1/comments/${id}/likes`);
        case 3: return u.del(`/api/v1/comments/${id}`);
        case 4: return u.patch(`/api/v1/comments/${id}`, { body: 'edited' });
        default: return u.get(comments(art) + '?sort=top&limit=100');
      }
    });
    for (const r of await Promise.all(ops)) {
      assert.ok([200, 201, 204, 403, 404].includes(r.status), `unexpected ${r.status}: ${r.text}`);
      seen[r.status] = (seen[r.status] || 0) + 1;
    }
  }
  assert.ok(seen[201] && seen[204] && seen[200], JSON.stringify(seen));
  const views = await Promise.all([anon, ...users].map((u) => u.get(comments(art) + '?limit=100')));
  const flat = (cs) => cs.flatMap((c) => [c, ...flat(c.replies)]);
  const all = views.map((v) => flat(v.json.comments));
  const published = all[0].filter((c) => c.status === 'published');
  assert.equal(views[0].json.article.comment_count, published.length);
  assert.deepEqual((await anon.get(`/api/v1/counts?article=${art}`)).json.counts[art], published.length);
  for (const c of all[0]) {
    assert.equal(c.reply_count, c.replies.filter((x) => x.status === 'published').length, `reply_count of ${c.id}`);
    if (c.status === 'deleted') assert.ok(c.replies.length > 0, `placeholder ${c.id} without replies`);
    // likes equals the number of users who see liked_by_me.
    const likers = all.slice(1).filter((list) => list.find((x) => x.id === c.id)?.liked_by_me).length;
    assert.equal(c.likes, likers, `likes of ${c.id}`);
  }
});
