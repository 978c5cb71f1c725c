// Reading: comments in one round trip, sorting, paging, threads, local times
// and counts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { launch, articlePage, reader, seed } from '../lib/browser.mjs';

let server, browser, ann, bob;
before(async () => {
  server = await startServer();
  browser = await launch();
  ann = await reader(server.url, 'Ann Early');
  bob = await reader(server.url, 'Bob Late');
});
after(async () => { await browser?.close(); await server?.stop(); });

const names = (page) => page.locator('.pl-list > .pl-item > article.pl-c .pl-body').allTextContents();

test('comments arrive with one API request and render as a thread with local times', async () => {
  const a = await seed(ann, 'thread', 'First, from Ann.');
  const r1 = await seed(bob, 'thread', 'A reply from Bob.', a.id);
  await seed(ann, 'thread', 'Ann answers Bob.', a.id);
  const ctx = await browser.newContext({ timezoneId: 'Asia/Tokyo', locale: 'en-GB' });
  const requests = [];
  ctx.on('request', (r) => { if (r.url().includes('/api/v1/')) requests.push(new URL(r.url()).pathname); });
  const page = await articlePage(ctx, server.url, 'thread');
  await page.locator('.pl-c', { hasText: 'Ann answers Bob.' }).waitFor();
  const listCalls = requests.filter((p) => p.endsWith('/comments'));
  assert.equal(listCalls.length, 1, `one list request, got ${requests.join(', ')}`);
  // Replies nest under their parent, oldest first.
  const replies = await page.locator(`#pl-c-${a.id} + .pl-replies > li > article .pl-body`).allTextContents();
  assert.deepEqual(replies.map((s) => s.trim()), ['A reply from Bob.', 'Ann answers Bob.']);
  assert.equal(await page.locator('.pl-top .pl-h').textContent(), '3 comments');
  // <time datetime> carries the UTC instant; its text is the reader's local time.
  const t = page.locator(`#pl-c-${r1.id} time`);
  assert.equal(await t.getAttribute('datetime'), r1.created_at);
  const expected = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Asia/Tokyo' }).format(new Date(r1.created_at));
  assert.equal(await t.textContent(), expected);
  await ctx.close();
});

test('sorting newest, oldest and top', async () => {
  await seed(ann, 'sorting', 'Comment one.');
  const two = await seed(ann, 'sorting', 'Comment two.');
  await seed(ann, 'sorting', 'Comment three.');
  const l = await bob.post(`/api/v1/comments/${two.id}/likes`, {});
  assert.equal(l.status, 200);
  const ctx = await browser.newContext();
  const page = await articlePage(ctx, server.url, 'sorting');
  await page.locator('.pl-c').nth(2).waitFor();
  const trim = (xs) => xs.map((s) => s.trim());
  assert.deepEqual(trim(await names(page)), ['Comment three.', 'Comment two.', 'Comment one.'], 'newest first by default');
  await page.getByRole('button', { name: 'Oldest' }).click();
  await page.waitForFunction(() => document.querySelector('#parley').shadowRoot.querySelector('.pl-list .pl-body').textContent.includes('Comment one.'));
  assert.deepEqual(trim(await names(page)), ['Comment one.', 'Comment two.', 'Comment three.']);
  assert.equal(await page.getByRole('button', { name: 'Oldest' }).getAttribute('aria-pressed'), 'true');
  await page.getByRole('button', { name: 'Newest' }).click();
  await page.waitForFunction(() => document.querySelector('#parley').shadowRoot.querySelector('.pl-list .pl-body').textContent.includes('Comment three.'));
  await page.getByRole('button', { name: 'Top' }).click();
  await page.waitForFunction(() => document.querySelector('#parley').shadowRoot.querySelector('.pl-list .pl-body').textContent.includes('Comment two.'));
  assert.equal(trim(await names(page))[0], 'Comment two.', 'the liked comment leads');
  await page.locator('[role=status]', { hasText: 'sorted by top' }).waitFor();
  await ctx.close();
});

test('load more pages through a thread longer than one page', async () => {
  for (let i = 1; i <= 30; i++) await seed(i % 2 ? ann : bob, 'paging', `Paged comment number ${i}.`);
  const ctx = await browser.newContext();
  const page = await articlePage(ctx, server.url, 'paging');
  await page.locator('.pl-c').nth(24).waitFor();
  assert.equal(await page.locator('.pl-list > .pl-item').count(), 25, 'first page of 25');
  const more = page.getByRole('button', { name: 'Load more comments' });
  await more.click();
  await page.locator('.pl-c', { hasText: 'Paged comment number 1.' }).waitFor();
  assert.equal(await page.locator('.pl-list > .pl-item').count(), 30);
  await more.waitFor({ state: 'hidden' });
  const bodies = (await names(page)).map((s) => s.trim());
  assert.equal(new Set(bodies).size, 30, 'no comment twice');
  await page.locator('[role=status]', { hasText: '5 more comments loaded.' }).waitFor();
  await ctx.close();
});

test('an article without comments invites the first one', async () => {
  const ctx = await browser.newContext();
  const page = await articlePage(ctx, server.url, 'empty-article');
  await page.locator('.pl-status', { hasText: 'No comments yet' }).waitFor();
  assert.equal(await page.locator('.pl-top .pl-h').textContent(), 'Comments');
  await ctx.close();
});

test('comment counts fill data-parley-count elements', async () => {
  await seed(ann, 'counted', 'One.');
  await seed(ann, 'counted', 'Two.');
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.route(`${server.url}/index-page`, (r) => r.fulfill({ contentType: 'text/html', body:
    '<!doctype html><p><a href="#" data-parley-count="counted">comments</a> <a href="#" data-parley-count="nothing-here">comments</a></p><script src="/embed.js" async></script>' }));
  await page.goto(`${server.url}/index-page`);
  await page.locator('a', { hasText: '2 comments' }).waitFor();
  await page.locator('a', { hasText: '0 comments' }).waitFor();
  await ctx.close();
});

test('comments published while the page is open are announced and shown on request', async () => {
  await seed(ann, 'live', 'Already here.');
  const ctx = await browser.newContext();
  const [name, ...v] = bob.cookie.split('=');
  await ctx.addCookies([{ name, value: v.join('='), domain: new URL(server.url).hostname, path: '/' }]);
  const page = await articlePage(ctx, server.url, 'live');
  await page.locator('.pl-c', { hasText: 'Already here.' }).waitFor();
  await page.locator('section.pl[data-live=open]').waitFor({ state: 'attached' });
  // Bob's own post from the page is not "new" to him.
  await page.getByLabel('Join the discussion').fill('Bob writes from the page.');
  await page.getByRole('button', { name: 'Post comment' }).click();
  await page.locator('.pl-c', { hasText: 'Bob writes from the page.' }).waitFor();
  assert.equal(await page.locator('.pl-fresh').isVisible(), false, 'no "new comments" button for my own');
  // Ann posts elsewhere: announced, not inserted until asked.
  await seed(ann, 'live', 'Ann, live from another tab.');
  const show = page.getByRole('button', { name: 'Show 1 new comment', exact: true });
  await show.waitFor();
  await page.locator('[role=status]', { hasText: '1 new comment posted while you were reading.' }).waitFor();
  assert.equal(await page.locator('.pl-c', { hasText: 'Ann, live from another tab.' }).count(), 0);
  await show.click();
  await page.locator('.pl-c', { hasText: 'Ann, live from another tab.' }).waitFor();
  await show.waitFor({ state: 'hidden' });
  assert.equal(await page.locator('.pl-c', { hasText: 'Bob writes from the page.' }).count(), 1);
  await ctx.close();
});

test('when the comments cannot be loaded, a sentence says so and the account bar still works', async () => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.route(`${server.url}/t/broken`, (r) => r.fulfill({ contentType: 'text/html', body: '<!doctype html><div id="parley" data-article-id="broken"></div><script src="/embed.js" async></script>' }));
  await page.route('**/api/v1/articles/broken/comments*', (r) => r.fulfill({ status: 500, contentType: 'application/json', body: '{"error":{"code":"internal","message":"x"}}' }));
  await page.goto(`${server.url}/t/broken`);
  await page.locator('.pl-status', { hasText: 'The comments could not be loaded. Something went wrong on our side.' }).waitFor();
  await page.locator('.pl-account', { hasText: 'Log in' }).waitFor();
  await ctx.close();
});

test('a missing or malformed article id is reported instead of calling the API', async () => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const calls = [];
  page.on('request', (r) => { if (r.url().includes('/api/v1/articles/')) calls.push(r.url()); });
  await page.route(`${server.url}/t/bad-id`, (r) => r.fulfill({ contentType: 'text/html', body: '<!doctype html><div id="parley" data-article-id="no spaces/allowed"></div><script src="/embed.js" async></script>' }));
  await page.goto(`${server.url}/t/bad-id`);
  await page.locator('.pl-status', { hasText: 'missing a valid data-article-id' }).waitFor();
  assert.deepEqual(calls, []);
  await ctx.close();
});
