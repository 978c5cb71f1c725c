// Reader-side tools of the widget: muting another reader (the Mute action,
// its confirmation, Undo, the "Muted readers" list, keyboard use, nothing for
// logged-out readers), and what a banned or suspended reader is told when
// trying to post (a sentence with the reason, never an error code).
//
// Bans go through the real moderation API (a moderator made with the CLI);
// mutes through the widget, checked against GET /me/mutes and against what
// another reader's widget shows.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, createUser, Client } from '../lib/server.mjs';
import { launch, articlePage, reader, seed, focused } from '../lib/browser.mjs';

const ART = 'mutes';
let server, browser, mod, ann, bob, carl, dana;
before(async () => {
  server = await startServer();
  browser = await launch();
  const m = createUser(server.dbUrl, { email: `mod.${process.pid}@example.org`, name: 'Moe Moderator', role: 'moderator' });
  mod = new Client(server.url);
  assert.equal((await mod.login(m.email, m.password)).status, 200);
  ann = await reader(server.url, 'Ann Able');
  bob = await reader(server.url, 'Bob Blunt');
  carl = await reader(server.url, 'Carl Careful');
  dana = await reader(server.url, 'Dana Distinct');
  const top = await seed(ann, ART, 'Ann on the bridge plans.');
  await seed(bob, ART, 'Bob replying to Ann.', top.id);
  await seed(bob, ART, 'Bob on his own thread.');
  await seed(carl, ART, 'Carl says hello.');
});
after(async () => { await browser?.close(); await server?.stop(); });

async function as(who, article = ART, opts = {}) {
  const ctx = await browser.newContext(opts);
  if (who) {
    const [name, ...v] = who.cookie.split('=');
    await ctx.addCookies([{ name, value: v.join('='), domain: new URL(server.url).hostname, path: '/' }]);
  }
  const page = await articlePage(ctx, server.url, article);
  if (who) await page.locator('.pl-account', { hasText: `Logged in as ${who.user.name}` }).waitFor();
  if (article === ART) await page.locator('article.pl-c').first().waitFor();
  return { ctx, page };
}
const bobs = (page) => page.locator('article.pl-c', { hasText: 'Bob ' });
const live = (page, text) => page.locator('.pl-sr[role=status]', { hasText: text }).waitFor();
async function mutedIds(c) {
  const r = await c.get('/api/v1/me/mutes');
  assert.equal(r.status, 200, r.text);
  return r.json.mutes.map((m) => String(m.user.id));
}

test('a logged-out reader sees no Mute action; a logged-in one sees it on others\' comments only', async () => {
  const out = await as(null);
  assert.equal(await out.page.locator('article.pl-c').count(), 4);
  assert.equal(await out.page.getByRole('button', { name: /^Mute/ }).count(), 0);
  await out.ctx.close();

  const { ctx, page } = await as(carl);
  for (const name of ['Ann Able', 'Bob Blunt']) {
    const box = page.locator('article.pl-c', { hasText: name }).first();
    await box.locator('.pl-acts').getByRole('button', { name: `Mute ${name}`, exact: true }).waitFor();
  }
  const own = page.locator('article.pl-c', { hasText: 'Carl says hello.' });
  assert.equal(await own.getByRole('button', { name: /^Mute/ }).count(), 0, 'no Mute on the reader\'s own comment');
  // The flag link stays the last item of the row.
  assert.equal(await page.locator('.pl-acts > :last-child.pl-flag').count(), 4);
  await ctx.close();
});

test('muting hides that author\'s comments for the muting reader only; Undo brings them back', async () => {
  const { ctx, page } = await as(carl);
  assert.equal(await bobs(page).count(), 2);
  await bobs(page).first().getByRole('button', { name: 'Mute Bob Blunt' }).click();
  const dlg = page.getByRole('dialog', { name: 'Mute Bob Blunt?' });
  await dlg.waitFor();
  await dlg.getByRole('button', { name: 'Mute', exact: true }).click();
  await live(page, 'You muted Bob Blunt. Their comments are hidden for you.');
  await page.locator('.pl-note', { hasText: 'You muted Bob Blunt.' }).getByRole('button', { name: 'Undo' }).waitFor();
  assert.equal(await bobs(page).count(), 0, 'Bob\'s comments are gone');
  assert.equal(await page.locator('article.pl-c', { hasText: 'Ann on the bridge plans.' }).count(), 1);
  assert.equal(await page.locator('article.pl-c', { hasText: 'Carl says hello.' }).count(), 1);
  assert.deepEqual(await mutedIds(carl), [String(bob.user.id)]);

  // Another reader still sees Bob.
  const other = await as(dana);
  assert.equal(await bobs(other.page).count(), 2);
  await other.ctx.close();

  await page.getByRole('button', { name: 'Undo' }).click();
  await live(page, 'You unmuted Bob Blunt. Their comments are shown again.');
  await bobs(page).nth(1).waitFor();
  assert.equal(await bobs(page).count(), 2);
  assert.ok(await page.locator('.pl-note', { hasText: 'You muted' }).isHidden());
  assert.deepEqual(await mutedIds(carl), []);
  assert.deepEqual(page.errors, []);
  await ctx.close();
});

test('Cancel mutes nobody; the Muted readers list unmutes', async () => {
  const { ctx, page } = await as(carl);
  const muteBob = bobs(page).first().getByRole('button', { name: 'Mute Bob Blunt' });
  await muteBob.click();
  await page.getByRole('dialog', { name: 'Mute Bob Blunt?' }).getByRole('button', { name: 'Cancel' }).click();
  await page.getByRole('dialog').waitFor({ state: 'detached' });
  assert.deepEqual(await mutedIds(carl), []);
  assert.equal(await bobs(page).count(), 2);

  // The list, empty.
  await page.getByRole('button', { name: 'Muted readers' }).click();
  let list = page.getByRole('dialog', { name: 'Muted readers' });
  await list.getByText('You have not muted anyone.').waitFor();
  await list.getByRole('button', { name: 'Close' }).click();
  await list.waitFor({ state: 'detached' });

  // Mute Bob and Ann, then unmute Bob from the list.
  for (const name of ['Bob Blunt', 'Ann Able']) {
    await page.locator('article.pl-c', { hasText: name }).first().getByRole('button', { name: `Mute ${name}` }).click();
    await page.getByRole('dialog', { name: `Mute ${name}?` }).getByRole('button', { name: 'Mute', exact: true }).click();
    await live(page, `You muted ${name}.`);
  }
  assert.equal(await page.locator('article.pl-c').count(), 1, 'only Carl\'s own comment is left');
  await page.getByRole('button', { name: 'Muted readers' }).click();
  list = page.getByRole('dialog', { name: 'Muted readers' });
  await list.getByRole('button', { name: 'Unmute Bob Blunt' }).click();
  await live(page, 'You unmuted Bob Blunt.');
  await list.getByRole('button', { name: 'Unmute Bob Blunt' }).waitFor({ state: 'detached' });
  assert.equal(await list.getByRole('button', { name: 'Unmute Ann Able' }).count(), 1);
  await list.getByRole('button', { name: 'Close' }).click();
  await bobs(page).first().waitFor();
  assert.equal(await bobs(page).count(), 1, 'Bob\'s own thread is back (his reply sits under muted Ann)');
  assert.ok(await page.locator('.pl-note', { hasText: 'You muted Ann Able.' }).isVisible(), 'the Undo for Ann stays');
  assert.deepEqual(await mutedIds(carl), [String(ann.user.id)]);
  assert.equal((await carl.del(`/api/v1/me/mutes/${ann.user.id}`)).status, 204);
  await ctx.close();
});

test('muting and undoing work from the keyboard alone', async () => {
  const { ctx, page } = await as(carl);
  const box = page.locator('article.pl-c', { hasText: 'Bob on his own thread.' });
  await box.getByRole('button', { name: /^Like/ }).focus();
  await page.keyboard.press('Tab');
  assert.equal((await focused(page)).text, 'Reply');
  await page.keyboard.press('Tab');
  assert.equal((await focused(page)).text, 'Mute Bob Blunt', 'Tab reaches Mute');
  // Escape cancels and gives focus back.
  await page.keyboard.press('Enter');
  const dlg = page.getByRole('dialog', { name: 'Mute Bob Blunt?' });
  await dlg.waitFor();
  assert.equal((await focused(page)).text, 'Mute', 'focus on the confirm button');
  await page.keyboard.press('Escape');
  await dlg.waitFor({ state: 'detached' });
  assert.equal((await focused(page)).text, 'Mute Bob Blunt');
  assert.deepEqual(await mutedIds(carl), []);
  // Enter, Enter: muted; focus lands on Undo.
  await page.keyboard.press('Enter');
  await dlg.waitFor();
  await page.keyboard.press('Enter');
  await live(page, 'You muted Bob Blunt.');
  assert.equal(await bobs(page).count(), 0);
  assert.equal((await focused(page)).text, 'Undo');
  await page.keyboard.press('Enter');
  await live(page, 'You unmuted Bob Blunt.');
  await bobs(page).nth(1).waitFor();
  assert.deepEqual(await mutedIds(carl), []);
  // The list: Tab from Log out reaches "Muted readers"; Enter opens it, focus inside.
  await page.getByRole('button', { name: 'Log out' }).focus();
  await page.keyboard.press('Tab');
  assert.equal((await focused(page)).text, 'Muted readers');
  await page.keyboard.press('Enter');
  await page.getByRole('dialog', { name: 'Muted readers' }).waitFor();
  assert.equal((await focused(page)).text, 'Close');
  await page.keyboard.press('Escape');
  await page.getByRole('dialog').waitFor({ state: 'detached' });
  assert.equal((await focused(page)).text, 'Muted readers');
  assert.deepEqual(page.errors, []);
  await ctx.close();
});

// ---- banned and suspended readers ------------------------------------------

async function tryToPost(page) {
  await page.getByLabel('Join the discussion').fill('May I still post?');
  await page.getByRole('button', { name: 'Post comment' }).click();
  const err = page.locator('.pl-form > .pl-err');
  await err.filter({ hasText: /\S/ }).waitFor();
  return (await err.textContent()).trim();
}
const NO_CODE = /\b[1-5]\d\d\b|banned_until|suspended_until|forbidden|\b(error|code)\b|[{}"_]/i;

test('new comments by a muted reader are not announced live; others\' still are', async () => {
  // Dana mutes Bob through the API before opening the page, so the widget
  // learns the mute from GET /me; then Bob and Ann post while it is open.
  const LIVE = 'mutes-live';
  await seed(carl, LIVE, 'Carl opens the live thread.');
  assert.equal((await dana.put(`/api/v1/me/mutes/${bob.user.id}`, {})).status, 200);
  const me = await dana.get('/api/v1/me');
  assert.deepEqual(me.json.muted_ids, [String(bob.user.id)]);
  const { ctx, page } = await as(dana, LIVE);
  await page.locator('article.pl-c', { hasText: 'Carl opens the live thread.' }).waitFor();
  await page.locator('section.pl[data-live=open]').waitFor({ state: 'attached' });
  await seed(bob, LIVE, 'Bob, whom Dana muted, posts live.');
  await seed(ann, LIVE, 'Ann posts live after Bob.');
  // Events arrive in order: once Ann's is counted, Bob's was seen and left out.
  const show = page.getByRole('button', { name: 'Show 1 new comment', exact: true });
  await show.waitFor();
  await show.click();
  await page.locator('article.pl-c', { hasText: 'Ann posts live after Bob.' }).waitFor();
  assert.equal(await page.locator('article.pl-c', { hasText: 'Bob, whom Dana muted' }).count(), 0);
  await show.waitFor({ state: 'hidden' });
  // Once unmuted, Bob's next comment is counted again.
  assert.equal((await dana.del(`/api/v1/me/mutes/${bob.user.id}`)).status, 204);
  await ctx.close();
  const again = await as(dana, LIVE);
  await again.page.locator('section.pl[data-live=open]').waitFor({ state: 'attached' });
  await seed(bob, LIVE, 'Bob, unmuted now, posts again.');
  await again.page.getByRole('button', { name: 'Show 1 new comment', exact: true }).waitFor();
  await again.ctx.close();
});

test('a banned reader who tries to post is told why, in a sentence', async () => {
  const ben = await reader(server.url, 'Ben Banned');
  const b = await mod.post(`/api/v1/mod/users/${ben.user.id}/ban`, { reason: 'Advertising a casino.', until: null });
  assert.equal(b.status, 200, b.text);
  const { ctx, page } = await as(ben, 'ban-widget');
  const said = await tryToPost(page);
  assert.equal(said, 'Your account is banned from commenting. Reason: Advertising a casino.');
  assert.doesNotMatch(said, NO_CODE);
  assert.equal(await page.locator('article.pl-c').count(), 0, 'nothing was posted');
  assert.equal(await page.getByLabel('Join the discussion').inputValue(), 'May I still post?', 'the text stays');
  await ctx.close();
});

test('a suspended reader who tries to post is told until when (local time) and why', async () => {
  const sam = await reader(server.url, 'Sam Suspended');
  const until = new Date(Date.now() + 3 * 86400 * 1000);
  until.setUTCSeconds(0, 0);
  const b = await mod.post(`/api/v1/mod/users/${sam.user.id}/ban`, { reason: 'Insults in three threads', until: until.toISOString().replace(/\.\d+Z$/, 'Z') });
  assert.equal(b.status, 200, b.text);
  for (const [timezoneId, locale] of [['Asia/Tokyo', 'en-GB'], ['America/Los_Angeles', 'en-US']]) {
    const { ctx, page } = await as(sam, 'ban-widget', { timezoneId, locale });
    const local = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: timezoneId }).format(until);
    const said = await tryToPost(page);
    assert.equal(said, `Your account is suspended until ${local}. Reason: Insults in three threads.`);
    assert.doesNotMatch(said.replace(local, ''), NO_CODE);
    assert.equal(await page.locator('article.pl-c').count(), 0);
    await ctx.close();
  }
});
