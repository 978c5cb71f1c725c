// The reader's account in the widget ("Your account"): mail settings,
// changing the password, downloading one's data and deleting the account,
// all with the keyboard; and "Forgot your password?" in the login dialog.
// Checked against the real API (GET /me/notifications, logins, GET /me).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServer, Client } from '../lib/server.mjs';
import { launch, articlePage, reader, focused } from '../lib/browser.mjs';

let server, browser;
before(async () => {
  server = await startServer({ args: [] });
  browser = await launch();
});
after(async () => { await browser?.close(); await server?.stop(); });

async function as(who) {
  const ctx = await browser.newContext({ acceptDownloads: true });
  const [name, ...v] = who.cookie.split('=');
  await ctx.addCookies([{ name, value: v.join('='), domain: new URL(server.url).hostname, path: '/' }]);
  const page = await articlePage(ctx, server.url, 'account');
  await page.locator('.pl-account', { hasText: `Logged in as ${who.user.name}` }).waitFor();
  return { ctx, page };
}

test('mail settings and password change, by keyboard alone', async () => {
  const ann = await reader(server.url, 'Ann Account');
  const other = new Client(server.url);
  assert.equal((await other.login(ann.email)).status, 200);
  const { ctx, page } = await as(ann);
  await page.getByRole('button', { name: 'Your account' }).focus();
  await page.keyboard.press('Enter');
  const dlg = page.getByRole('dialog', { name: 'Your account' });
  await dlg.waitFor();
  assert.match(await dlg.textContent(), /This site sends no mail at the moment/);
  // Focus starts on the first setting; Space toggles it and saves.
  const f = await focused(page);
  assert.equal(f.label, 'Mail me when someone replies to my comments');
  await page.keyboard.press('Space');
  await dlg.getByRole('status').filter({ hasText: 'Saved: no more of these mails.' }).waitFor();
  assert.deepEqual((await ann.get('/api/v1/me/notifications')).json.notifications, { replies: false, moderation: true });

  // A wrong current password is refused in words.
  await dlg.getByLabel('Current password').fill('not my password');
  await dlg.getByLabel('New password (at least 8 characters)').fill('a brand new password');
  await dlg.getByLabel('New password (at least 8 characters)').press('Enter');
  await dlg.getByRole('alert').filter({ hasText: 'The current password is not right.' }).waitFor();
  await dlg.getByLabel('Current password').fill('correct horse battery');
  await dlg.getByLabel('New password (at least 8 characters)').press('Enter');
  await dlg.getByRole('status').filter({ hasText: 'Your password is changed.' }).waitFor();
  assert.equal((await other.get('/api/v1/me')).status, 401, 'the other session ended');
  assert.equal((await new Client(server.url).login(ann.email, 'a brand new password')).status, 200);
  // Escape closes the dialog and focus returns to its button.
  await page.keyboard.press('Escape');
  await dlg.waitFor({ state: 'detached' });
  assert.equal((await focused(page)).text, 'Your account');
  assert.deepEqual(page.errors, []);
  await ctx.close();
});

test('download my data, then delete the account', async () => {
  const bo = await reader(server.url, 'Bo Leaving');
  assert.equal((await bo.post('/api/v1/articles/account/comments', { body: 'A comment to take along.' })).status, 201);
  const { ctx, page } = await as(bo);
  await page.getByRole('button', { name: 'Your account' }).click();
  const dlg = page.getByRole('dialog', { name: 'Your account' });
  const [download] = await Promise.all([page.waitForEvent('download'), dlg.getByRole('button', { name: 'Download my data' }).click()]);
  assert.equal(download.suggestedFilename(), 'my-comments-data.json');
  const data = JSON.parse(readFileSync(await download.path(), 'utf8'));
  assert.equal(data.user.email, bo.email);
  assert.deepEqual(data.user.notifications, { replies: true, moderation: true, queue_threshold: 0 });
  assert.equal(data.comments[0].body, 'A comment to take along.');

  await dlg.getByRole('button', { name: 'Delete my account…' }).click();
  // The confirmation takes focus; "Keep my account" goes back.
  assert.equal((await focused(page)).text, 'Yes, delete my account');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  assert.equal((await focused(page)).text, 'Delete my account…');
  assert.equal((await bo.get('/api/v1/me')).status, 200, 'kept');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Enter');
  await dlg.waitFor({ state: 'detached' });
  await page.locator('.pl-account', { hasText: 'Log in' }).waitFor();
  assert.equal((await bo.get('/api/v1/me')).status, 401);
  assert.equal((await new Client(server.url).login(bo.email)).status, 401);
  assert.deepEqual(page.errors, []);
  await ctx.close();
});

test('"Forgot your password?" in the login dialog shows the server\'s answer', async () => {
  const ctx = await browser.newContext();
  const page = await articlePage(ctx, server.url, 'account');
  await page.getByRole('button', { name: 'Log in' }).click();
  const dlg = page.locator('dialog.pl-dlg');
  await dlg.getByRole('button', { name: 'Forgot your password?' }).click();
  await dlg.getByRole('alert').filter({ hasText: 'Enter your email above first.' }).waitFor();
  await dlg.getByLabel('Email').fill('someone@example.org');
  await dlg.getByRole('button', { name: 'Forgot your password?' }).click();
  await dlg.getByRole('status').filter({ hasText: /sends no mail/ }).waitFor();
  assert.deepEqual(page.errors, []);
  await ctx.close();
});
