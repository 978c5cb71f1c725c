// The nudge before posting (POST /check), held and refused comments, and
// server errors said as sentences.
//
// The UI of the nudge is driven two ways: with a premoderated article (the
// server holds every comment; no word filtering involved), and with answers
// of /check and of the post replaced through page.route, so the hold and
// reject paths are tested whatever the engine's word lists say. The last two
// tests go through the real moderation engine.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, createUser, Client } from '../lib/server.mjs';
import { launch, articlePage, reader, shot } from '../lib/browser.mjs';

let server, browser, rita, mod;
before(async () => {
  server = await startServer();
  browser = await launch();
  rita = await reader(server.url, 'Rita Reader');
  const m = createUser(server.dbUrl, { email: `mod.${process.pid}@example.org`, name: 'Moe Moderator', role: 'moderator' });
  mod = new Client(server.url);
  const r = await mod.login(m.email, m.password);
  assert.equal(r.status, 200, r.text);
});
after(async () => { await browser?.close(); await server?.stop(); });

async function articleWithStatus(id, status) {
  const r = await mod.put(`/api/v1/articles/${id}`, { title: 'Test', status });
  assert.equal(r.status, 200, r.text);
}
async function asRita(article, opts) {
  const ctx = await browser.newContext(opts);
  const [name, ...v] = rita.cookie.split('=');
  await ctx.addCookies([{ name, value: v.join('='), domain: new URL(server.url).hostname, path: '/' }]);
  const page = await articlePage(ctx, server.url, article);
  await page.locator('.pl-account', { hasText: 'Logged in as Rita Reader' }).waitFor();
  return { ctx, page };
}
const HOLD = { decision: 'hold', reasons: [{ rule: 'personal_attack', message: 'This reads as a personal attack on another commenter.', excerpt: 'you absolute clown' }] };
const REJECT = { decision: 'reject', reasons: [{ rule: 'slur', message: 'This contains a slur.', excerpt: 'the bad word' }] };

test('premoderated article: the reader is told, posts for review, and sees "awaiting review"', async () => {
  await articleWithStatus('premod', 'premoderated');
  const { ctx, page } = await asRita('premod');
  await page.locator('.pl-note', { hasText: 'A moderator reads every comment' }).waitFor();
  await page.getByLabel('Join the discussion').fill('Looking forward to the roof evenings.');
  await page.getByRole('button', { name: 'Post comment' }).click();
  const nudge = page.locator('.pl-form .pl-nudge');
  await nudge.waitFor();
  await page.getByRole('button', { name: 'Post for review' }).click();
  const held = page.locator('article.pl-c', { hasText: 'Looking forward to the roof evenings.' });
  await held.waitFor();
  await held.locator('.pl-tag', { hasText: 'Awaiting review' }).waitFor();
  await page.locator('[role=status]', { hasText: 'awaiting review' }).waitFor();
  // After a reload the author still sees it, marked; others do not see it.
  await page.reload();
  await page.locator('article.pl-c', { hasText: 'Looking forward' }).locator('.pl-tag', { hasText: 'Awaiting review' }).waitFor();
  const anon = await new Client(server.url).get('/api/v1/articles/premod/comments');
  assert.equal(anon.json.comments.length, 0, 'a held comment is not public');
  await ctx.close();
});

test('hold: the reasons and the words at fault, edit, or post anyway for review', async () => {
  await articleWithStatus('nudged', 'premoderated'); // so the real post is held too
  const { ctx, page } = await asRita('nudged');
  let checks = 0;
  await page.route('**/api/v1/check', async (route) => {
    checks++;
    const sent = route.request().postDataJSON();
    assert.equal(sent.article_id, 'nudged');
    await route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(HOLD) });
  });
  const box = page.getByLabel('Join the discussion');
  await box.fill('Only you absolute clown would say that.');
  await page.getByRole('button', { name: 'Post comment' }).click();
  const nudge = page.locator('.pl-form .pl-nudge');
  await nudge.locator('text=may break our community guidelines').waitFor();
  await nudge.locator('li', { hasText: 'This reads as a personal attack on another commenter.' }).waitFor();
  assert.equal(await nudge.locator('q').textContent(), 'you absolute clown');
  await shot(page, 'nudge-hold.png');
  const focusedNudge = await page.evaluate(() => document.querySelector('#parley').shadowRoot.activeElement.className);
  assert.match(focusedNudge, /pl-nudge/, 'focus moves to the explanation');
  // Edit: back to the text, nothing posted.
  await nudge.getByRole('button', { name: 'Edit my comment' }).click();
  await nudge.waitFor({ state: 'hidden' });
  assert.equal(await page.evaluate(() => document.querySelector('#parley').shadowRoot.activeElement.name), 'body');
  assert.equal(await page.locator('article.pl-c').count(), 0);
  await box.fill('Only a clown would say that.');
  await page.getByRole('button', { name: 'Post comment' }).click();
  await nudge.getByRole('button', { name: 'Post anyway for review' }).click();
  const held = page.locator('article.pl-c', { hasText: 'Only a clown would say that.' });
  await held.locator('.pl-tag', { hasText: 'Awaiting review' }).waitFor();
  assert.equal(checks, 2);
  await ctx.close();
});

test('reject: explained, no way to post anyway; a refused post (422) says why', async () => {
  const { ctx, page } = await asRita('refused');
  await page.route('**/api/v1/check', (route) => route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(REJECT) }));
  await page.getByLabel('Join the discussion').fill('Something with the bad word in it.');
  await page.getByRole('button', { name: 'Post comment' }).click();
  const nudge = page.locator('.pl-form .pl-nudge');
  await nudge.locator('text=would not be published').waitFor();
  await nudge.locator('q', { hasText: 'the bad word' }).waitFor();
  assert.equal(await nudge.getByRole('button', { name: /Post anyway/ }).count(), 0);
  // The check said publish but the server refuses: 422 with its reasons.
  await page.unroute('**/api/v1/check');
  await page.route('**/api/v1/check', (route) => route.fulfill({ status: 200, contentType: 'application/json', body: '{"decision":"publish","reasons":[]}' }));
  await page.route('**/api/v1/articles/refused/comments', (route) => route.request().method() === 'POST'
    ? route.fulfill({ status: 422, contentType: 'application/json', body: JSON.stringify({ error: { code: 'guideline_violation', message: 'This comment breaks the guidelines.' }, moderation: REJECT }) })
    : route.continue());
  await page.getByLabel('Join the discussion').fill('Trying again with the bad word.');
  await page.getByRole('button', { name: 'Post comment' }).click();
  await nudge.locator('text=was not published because it breaks our community guidelines').waitFor();
  await nudge.locator('li', { hasText: 'This contains a slur.' }).waitFor();
  assert.equal(await page.getByLabel('Join the discussion').inputValue(), 'Trying again with the bad word.', 'the text is kept');
  await ctx.close();
});

test('server errors appear as plain sentences, never codes', async () => {
  const cases = [
    [429, { error: { code: 'rate_limited', message: 'Too many requests.' } }, { 'Retry-After': '30' }, 'You are doing that too often. Please wait 30 seconds and try again.'],
    [403, { error: { code: 'banned', message: 'You are blocked from commenting until 1 December 2026 for repeated personal attacks.' } }, {}, 'You are blocked from commenting until 1 December 2026 for repeated personal attacks.'],
    [403, { error: { code: 'suspended', message: 'Your account is suspended until 28 November 2026, 10:00 UTC.' } }, {}, 'Your account is suspended until 28 November 2026, 10:00 UTC.'],
    [500, { error: { code: 'internal', message: 'internal' } }, {}, 'Something went wrong on our side. Please try again in a moment.'],
    [413, { error: { code: 'too_large', message: 'x' } }, {}, 'That is too long. Please shorten it and try again.'],
  ];
  const { ctx, page } = await asRita('errors');
  for (const [status, body, headers, want] of cases) {
    await page.unroute('**/api/v1/articles/errors/comments');
    await page.route('**/api/v1/articles/errors/comments', (route) => route.request().method() === 'POST'
      ? route.fulfill({ status, headers, contentType: 'application/json', body: JSON.stringify(body) }) : route.continue());
    await page.getByLabel('Join the discussion').fill(`Attempt for ${status}.`);
    await page.getByRole('button', { name: 'Post comment' }).click();
    const err = page.locator('.pl-form > .pl-err');
    await err.filter({ hasText: want }).waitFor();
    assert.doesNotMatch(await err.textContent(), /\b[a-z]+_[a-z_]+\b|\b[45]\d\d\b|\binternal\b/, 'no error code or status number');
  }
  // Network failure.
  await page.unroute('**/api/v1/articles/errors/comments');
  await page.route('**/api/v1/articles/errors/comments', (route) => route.request().method() === 'POST' ? route.abort() : route.continue());
  await page.getByRole('button', { name: 'Post comment' }).click();
  await page.locator('.pl-form > .pl-err', { hasText: 'could not reach the comment server' }).waitFor();
  await ctx.close();
});

test('a closed article shows no form and says so; a post racing the close gets 423 in words', async () => {
  const a = await rita.post('/api/v1/articles/closing/comments', { body: 'Posted while it was open.', parent_id: null });
  assert.equal(a.status, 201);
  const { ctx, page } = await asRita('closing');
  await articleWithStatus('closing', 'closed');
  await page.getByLabel('Join the discussion').fill('Too late?');
  await page.getByRole('button', { name: 'Post comment' }).click();
  await page.locator('.pl-note', { hasText: 'Comments on this article are closed.' }).waitFor();
  await page.locator('.pl-form').first().waitFor({ state: 'hidden' });
  await page.reload();
  await page.locator('.pl-c', { hasText: 'Posted while it was open.' }).waitFor();
  await page.locator('.pl-note', { hasText: 'Comments on this article are closed.' }).waitFor();
  assert.equal(await page.locator('.pl > .pl-form').isVisible(), false);
  await ctx.close();
});

test('the real engine: a personal attack is held (post anyway → awaiting review), strong language refused', async () => {
  const { ctx, page } = await asRita('engine');
  const form = page.getByLabel('Join the discussion');
  const nudge = page.locator('.pl-form .pl-nudge');
  await form.fill('What a pathetic idiot the columnist is.');
  await page.getByRole('button', { name: 'Post comment' }).click();
  await nudge.locator('li', { hasText: 'personal attack' }).waitFor();
  assert.ok((await nudge.locator('q').allTextContents()).some((q) => /pathetic|idiot|moron/i.test(q)), 'the words at fault are quoted');
  await shot(page, 'nudge-engine-hold.png');
  await nudge.getByRole('button', { name: 'Post anyway for review' }).click();
  await page.locator('article.pl-c', { hasText: 'pathetic idiot' }).locator('.pl-tag', { hasText: 'Awaiting review' }).waitFor();
  const anon = await new Client(server.url).get('/api/v1/articles/engine/comments');
  assert.equal(anon.json.comments.length, 0, 'held, so not public');

  await form.fill('This is fucking great news.');
  await page.getByRole('button', { name: 'Post comment' }).click();
  await nudge.locator('text=would not be published').waitFor();
  await nudge.locator('q', { hasText: 'fucking' }).waitFor();
  assert.equal(await nudge.getByRole('button', { name: /Post anyway/ }).count(), 0, 'no posting a refusal anyway');
  await ctx.close();
});

test('the real engine refuses a post the check did not see coming: 422 explained', async () => {
  const { ctx, page } = await asRita('engine-422');
  // Only the advice is replaced; the post goes to the real server.
  await page.route('**/api/v1/check', (route) => route.fulfill({ status: 200, contentType: 'application/json', body: '{"decision":"publish","reasons":[]}' }));
  await page.getByLabel('Join the discussion').fill('This is fucking great news.');
  await page.getByRole('button', { name: 'Post comment' }).click();
  const nudge = page.locator('.pl-form .pl-nudge');
  await nudge.locator('text=was not published because it breaks our community guidelines').waitFor();
  await nudge.locator('q', { hasText: 'fucking' }).waitFor();
  assert.equal(await page.locator('article.pl-c').count(), 0);
  await ctx.close();
});

test('a suspended reader is told until when (in local time) and why, before and when posting', async () => {
  const sue = await reader(server.url, 'Sue Suspended');
  const until = new Date(Date.now() + 26 * 3600 * 1000);
  until.setUTCSeconds(0, 0);
  const b = await mod.post(`/api/v1/mod/users/${sue.user.id}/ban`, { reason: 'Repeated personal attacks.', until: until.toISOString().replace(/\.\d+Z$/, 'Z') });
  assert.equal(b.status, 200, b.text);
  const ctx = await browser.newContext({ timezoneId: 'America/New_York', locale: 'en-US' });
  const [name, ...v] = sue.cookie.split('=');
  await ctx.addCookies([{ name, value: v.join('='), domain: new URL(server.url).hostname, path: '/' }]);
  const page = await articlePage(ctx, server.url, 'suspended');
  const local = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'America/New_York' }).format(until);
  const want = `Your account is suspended until ${local}. Reason: Repeated personal attacks.`;
  await page.locator('.pl-ban', { hasText: want }).waitFor();
  await page.getByLabel('Join the discussion').fill('Can I post?');
  await page.getByRole('button', { name: 'Post comment' }).click();
  await page.locator('.pl-form > .pl-err', { hasText: want }).waitFor();
  await ctx.close();
});
