// The flag link: where it sits, the dialog it opens (reasons, note, focus,
// Escape), the confirmation, and a second flag of the same comment.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { launch, articlePage, reader, seed, focused, shot } from '../lib/browser.mjs';

let server, browser, author, flagger;
before(async () => {
  server = await startServer();
  browser = await launch();
  author = await reader(server.url, 'Olga Author');
  flagger = await reader(server.url, 'Fred Flagger');
  const top = await seed(author, 'flags', 'A long comment that wraps over more than one line, so the box is tall enough to show where its corners are. The library deserves every bit of praise it gets for this.');
  await seed(author, 'flags', 'A short reply.', top.id);
});
after(async () => { await browser?.close(); await server?.stop(); });

async function loggedIn(width = 1000) {
  const ctx = await browser.newContext({ viewport: { width, height: 900 } });
  const cookie = flagger.cookie.split('=');
  const u = new URL(server.url);
  await ctx.addCookies([{ name: cookie[0], value: cookie.slice(1).join('='), domain: u.hostname, path: '/' }]);
  const page = await articlePage(ctx, server.url, 'flags');
  await page.locator('.pl-account', { hasText: 'Logged in as Fred Flagger' }).waitFor();
  return { ctx, page };
}

// The flag link lies inside its comment box, in the lower-right corner.
export async function assertFlagCorner(page) {
  const boxes = page.locator('article.pl-c');
  const n = await boxes.count();
  assert.ok(n >= 2);
  for (let i = 0; i < n; i++) {
    const b = await boxes.nth(i).boundingBox();
    const f = await boxes.nth(i).locator('.pl-flag').boundingBox();
    assert.ok(f, 'every comment box has a flag link');
    assert.ok(f.x >= b.x && f.y >= b.y && f.x + f.width <= b.x + b.width + 0.5 && f.y + f.height <= b.y + b.height + 0.5, `flag inside box ${i}`);
    assert.ok(b.x + b.width - (f.x + f.width) < 24, `flag at the right edge of box ${i} (gap ${b.x + b.width - (f.x + f.width)})`);
    assert.ok(b.y + b.height - (f.y + f.height) < 16, `flag at the bottom of box ${i} (gap ${b.y + b.height - (f.y + f.height)})`);
    assert.ok(f.x > b.x + b.width / 2 && f.y > b.y + b.height / 2, `flag in the lower-right quarter of box ${i}`);
    assert.equal(await boxes.nth(i).locator('.pl-flag').evaluate((e) => e.firstChild.data), 'flag', 'the link reads "flag"');
  }
}

test('every comment box has a flag link in its lower-right corner', async () => {
  const { ctx, page } = await loggedIn();
  await assertFlagCorner(page);
  await ctx.close();
});

test('the flag dialog: reasons, note, focus trap, Escape, focus return, confirmation, and flagging twice', async () => {
  const { ctx, page } = await loggedIn();
  const flagLink = page.locator('article.pl-c', { hasText: 'A long comment' }).locator('.pl-flag');
  await flagLink.click();
  const dlg = page.getByRole('dialog', { name: 'Flag this comment' });
  await dlg.waitFor();
  const reasons = await dlg.getByRole('radio').evaluateAll((xs) => xs.map((x) => x.value));
  assert.deepEqual(reasons, ['profanity', 'vulgarity', 'slur', 'personal_attack', 'harassment', 'tragedy_joke', 'off_topic', 'spam', 'terms_of_service', 'other']);
  for (const label of ['Profanity', 'Vulgarity', 'A slur', 'A personal attack', 'Harassment', 'Joking about a tragedy', 'Off topic', 'Spam', 'Breaks the terms of service', 'Something else'])
    await dlg.getByLabel(label, { exact: true }).waitFor();
  assert.equal(await dlg.getByLabel(/Anything else moderators should know/).getAttribute('maxlength'), '500');
  await shot(page, 'flag-dialog.png');

  // Focus starts inside, Tab cycles inside, Escape closes and returns focus.
  assert.equal((await focused(page)).name, 'reason');
  for (let i = 0; i < 20; i++) {
    await page.keyboard.press('Tab');
    const f = await focused(page);
    const inside = await page.evaluate(() => {
      let a = document.activeElement;
      while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
      return !!a.closest('dialog');
    });
    assert.ok(inside, `focus stayed in the dialog after ${i + 1} Tabs (on ${JSON.stringify(f)})`);
  }
  await page.keyboard.press('Escape');
  await dlg.waitFor({ state: 'detached' });
  const back = await focused(page);
  assert.equal(back.text, 'flag comment by Olga Author', 'focus returns to the flag link');

  // Without a reason, the dialog says so; then flag with a note.
  await flagLink.click();
  await dlg.getByRole('button', { name: 'Flag comment' }).click();
  await dlg.getByLabel('Personal attack', { exact: false }).check();
  await dlg.getByLabel(/Anything else moderators should know/).fill('Aimed at the previous commenter.');
  await dlg.locator('text=32 / 500').waitFor();
  await dlg.getByRole('button', { name: 'Flag comment' }).click();
  await dlg.locator('[role=status]', { hasText: 'A moderator will review this comment.' }).waitFor();
  await dlg.getByRole('button', { name: 'Close' }).click();
  await dlg.waitFor({ state: 'detached' });
  assert.equal(await flagLink.evaluate((e) => e.firstChild.data), 'flagged');

  // Again, from a fresh page: the server says 409, the dialog says it in words.
  await page.reload();
  await flagLink.click();
  await dlg.getByLabel('Spam').check();
  await dlg.getByRole('button', { name: 'Flag comment' }).click();
  await dlg.locator('text=You already flagged this comment.').waitFor();
  await ctx.close();
});

test('a reader who is not logged in is asked to log in before flagging', async () => {
  const ctx = await browser.newContext();
  const page = await articlePage(ctx, server.url, 'flags');
  await page.locator('article.pl-c', { hasText: 'A short reply.' }).locator('.pl-flag').click();
  const login = page.getByRole('dialog', { name: 'Log in' });
  await login.waitFor();
  await login.locator('text=Log in or create an account to flag comments.').waitFor();
  await login.getByLabel('Email').fill(flagger.email);
  await login.getByLabel('Password').fill('correct horse battery');
  await login.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('dialog', { name: 'Flag this comment' }).waitFor();
  await ctx.close();
});

test('the flag link keeps its corner on a 360 px screen', async () => {
  const { ctx, page } = await loggedIn(360);
  await assertFlagCorner(page);
  await ctx.close();
});

test('flagging by keyboard only', async () => {
  const kay = await reader(server.url, 'Kay Keys');
  const ctx = await browser.newContext();
  const [name, ...v] = kay.cookie.split('=');
  await ctx.addCookies([{ name, value: v.join('='), domain: new URL(server.url).hostname, path: '/' }]);
  const page = await articlePage(ctx, server.url, 'flags');
  const sent = [];
  page.on('request', (r) => { if (r.url().endsWith('/flags')) sent.push(r.postDataJSON()); });
  await page.locator('.pl-account', { hasText: 'Logged in as Kay Keys' }).waitFor();
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press('Tab');
    if ((await focused(page)).text === 'flag comment by Olga Author') break;
  }
  assert.equal((await focused(page)).text, 'flag comment by Olga Author');
  await page.keyboard.press('Enter');
  const dlg = page.getByRole('dialog', { name: 'Flag this comment' });
  await dlg.waitFor();
  await page.keyboard.press('ArrowDown'); // radio group: Profanity -> Vulgarity
  await page.keyboard.press('ArrowDown'); // -> A slur
  await page.keyboard.press('ArrowDown'); // -> A personal attack
  assert.equal((await focused(page)).value, 'personal_attack');
  await page.keyboard.press('Tab');
  await page.keyboard.type('Typed without a mouse.');
  await page.keyboard.press('Tab');
  assert.equal((await focused(page)).text, 'Flag comment');
  await page.keyboard.press('Enter');
  await dlg.locator('[role=status]', { hasText: 'A moderator will review this comment.' }).waitFor();
  assert.equal((await focused(page)).text, 'Close');
  await page.keyboard.press('Enter');
  await dlg.waitFor({ state: 'detached' });
  assert.equal((await focused(page)).text, 'flagged comment by Olga Author', 'focus is back on the link, now "flagged"');
  assert.deepEqual(sent, [{ reason: 'personal_attack', note: 'Typed without a mouse.' }]);
  await ctx.close();
});
