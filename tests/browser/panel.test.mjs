// The reader's account panel of the widget ("Your account", web/panel.js):
// each of its five parts through the real server (the language picker too), checked there (password
// change, notification settings, the data download, account deletion), use by
// keyboard alone, the script fetched only when the panel is opened, and the
// panel in Hebrew, right to left, on a 360 px phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServer, createUser, Client } from '../lib/server.mjs';
import { launch, articlePage, reader, seed, focused, shot } from '../lib/browser.mjs';

const HE = JSON.parse(readFileSync(new URL('../../web/i18n/he.json', import.meta.url), 'utf8'));
const ES = JSON.parse(readFileSync(new URL('../../web/i18n/es.json', import.meta.url), 'utf8'));
const ART = 'panel';
let server, browser;
before(async () => {
  server = await startServer();
  browser = await launch();
});
after(async () => { await browser?.close(); await server?.stop(); });

// A page with the widget, logged in as the client's reader (its session cookie).
async function as(who, opts = {}, attrs = {}) {
  const ctx = await browser.newContext(opts);
  const [name, ...v] = who.cookie.split('=');
  await ctx.addCookies([{ name, value: v.join('='), domain: new URL(server.url).hostname, path: '/' }]);
  const scripts = [];
  ctx.on('request', (r) => { if (r.resourceType() === 'script') scripts.push(new URL(r.url()).pathname); });
  const page = await articlePage(ctx, server.url, ART, attrs);
  page.scripts = scripts;
  return { ctx, page };
}
async function open(page, name = 'Your account') {
  await page.getByRole('button', { name, exact: true }).click();
  const d = page.getByRole('dialog', { name });
  await d.waitFor();
  return d;
}
const said = (d, text) => d.locator('[role=status]', { hasText: text }).waitFor();

test('the panel script loads only when opened; a logged-out reader has no link', async () => {
  const out = await articlePage(await browser.newContext(), server.url, ART);
  await out.getByRole('button', { name: 'Log in', exact: true }).waitFor();
  assert.equal(await out.getByRole('button', { name: 'Your account' }).count(), 0);
  await out.context().close();

  const ann = await reader(server.url, 'Ann Panel');
  const { ctx, page } = await as(ann);
  await page.locator('.pl-account', { hasText: 'Logged in as Ann Panel' }).waitFor();
  assert.deepEqual(page.scripts, ['/embed.js'], 'nothing but the widget before the link is used');
  const d = await open(page);
  assert.deepEqual(page.scripts, ['/embed.js', '/panel.js']);
  for (const h of ['Change password', 'Email notifications', 'Your data', 'Delete my account'])
    await d.getByRole('heading', { name: h }).waitFor();
  assert.deepEqual(page.errors, []);
  await ctx.close();
});

test('change password: a wrong current one is refused at its field, then the new one works and other sessions end', async () => {
  const bea = await reader(server.url, 'Bea Password');
  const other = new Client(server.url);
  assert.equal((await other.login(bea.email)).status, 200);
  const { ctx, page } = await as(bea);
  const d = await open(page);
  const cur = d.getByLabel('Current password'), neu = d.getByLabel('New password');
  await cur.fill('not my password');
  await neu.fill('a much better passphrase');
  await d.getByRole('button', { name: 'Change password' }).click();
  const err = d.locator('#' + await cur.getAttribute('id') + 'e');
  await err.filter({ hasText: 'That is not your current password.' }).waitFor();
  assert.equal(await cur.getAttribute('aria-invalid'), 'true');
  assert.equal((await focused(page)).label, 'Current password');
  assert.equal((await new Client(server.url).login(bea.email, 'a much better passphrase')).status, 401, 'nothing changed');

  // Too short: the browser lets it through (no minlength), the API refuses it at the new field.
  await cur.fill('correct horse battery');
  await neu.fill('short');
  await d.getByRole('button', { name: 'Change password' }).click();
  await d.locator('#' + await neu.getAttribute('id') + 'e', { hasText: 'At least 8 characters.' }).waitFor();
  assert.equal(await neu.getAttribute('aria-invalid'), 'true');
  assert.equal(await cur.getAttribute('aria-invalid'), null);

  await neu.fill('a much better passphrase');
  await d.getByRole('button', { name: 'Change password' }).click();
  await said(d, 'Your password is changed.');
  assert.equal(await cur.inputValue(), '');
  assert.equal(await neu.inputValue(), '');
  assert.equal(await d.locator('[aria-invalid]').count(), 0);
  assert.equal((await new Client(server.url).login(bea.email)).status, 401, 'the old password is refused');
  assert.equal((await new Client(server.url).login(bea.email, 'a much better passphrase')).status, 200);
  assert.equal((await other.get('/api/v1/me')).status, 401, 'the other session ended');
  assert.equal((await bea.get('/api/v1/me')).status, 200, 'this session stays');
  assert.deepEqual(page.errors, []);
  await ctx.close();
});

test('notification settings: read from the server, saved, read back; staff also set the queue threshold', async () => {
  const cy = await reader(server.url, 'Cy Settings');
  const { ctx, page } = await as(cy);
  const d = await open(page);
  const replies = d.getByLabel('replies to my comments'), decisions = d.getByLabel(/a moderator's decision/);
  await d.getByRole('button', { name: 'Save settings' }).and(d.locator(':enabled')).waitFor();
  assert.equal(await replies.isChecked(), true, 'on by default for new accounts');
  assert.equal(await decisions.isChecked(), true);
  assert.equal(await d.getByLabel(/wait for moderation/).count(), 0, 'no queue threshold for a reader');
  await d.getByText('This site sends no email at the moment').waitFor(); // the test server has no SMTP
  await replies.uncheck();
  await d.getByRole('button', { name: 'Save settings' }).click();
  await said(d, 'Your settings are saved.');
  const r = await cy.get('/api/v1/me/notifications');
  assert.equal(r.status, 200);
  assert.equal(r.json.notifications.replies, false);
  assert.equal(r.json.notifications.moderation, true);
  await page.keyboard.press('Escape');
  const again = await open(page);
  await again.getByRole('button', { name: 'Save settings' }).and(again.locator(':enabled')).waitFor();
  assert.equal(await again.getByLabel('replies to my comments').isChecked(), false, 'the saved choice is shown next time');
  await ctx.close();

  const m = createUser(server.dbUrl, { email: `panel.mod.${process.pid}@example.org`, name: 'Mo Desk', role: 'moderator' });
  const mod = new Client(server.url);
  assert.equal((await mod.login(m.email, m.password)).status, 200);
  const s = await as(mod);
  const md = await open(s.page);
  const q = md.getByLabel(/wait for moderation/);
  await md.getByRole('button', { name: 'Save settings' }).and(md.locator(':enabled')).waitFor();
  assert.equal(await q.inputValue(), '0');
  await q.fill('25');
  await md.getByRole('button', { name: 'Save settings' }).click();
  await said(md, 'Your settings are saved.');
  assert.equal((await mod.get('/api/v1/me/notifications')).json.notifications.queue_threshold, 25);
  // Out of range: the server's refusal appears at the field.
  await q.fill('100001');
  await q.evaluate((e) => { e.removeAttribute('max'); });
  await md.getByRole('button', { name: 'Save settings' }).click();
  await md.locator('#' + await q.getAttribute('id') + 'e').filter({ hasText: /./ }).waitFor();
  assert.equal(await q.getAttribute('aria-invalid'), 'true');
  assert.equal((await mod.get('/api/v1/me/notifications')).json.notifications.queue_threshold, 25);
  await s.ctx.close();
});

test('download my data: the file is GET /me/export of this reader', async () => {
  const di = await reader(server.url, 'Di Export');
  await seed(di, ART, 'Di wrote this for the export.');
  const { ctx, page } = await as(di, { acceptDownloads: true });
  const d = await open(page);
  const [dl] = await Promise.all([page.waitForEvent('download'), d.getByRole('button', { name: 'Download my data' }).click()]);
  assert.equal(dl.suggestedFilename(), 'parley-export.json');
  const chunks = [];
  for await (const c of await dl.createReadStream()) chunks.push(c);
  const got = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  const want = (await di.get('/api/v1/me/export')).json;
  assert.equal(got.user.email, di.email);
  assert.equal(got.user.name, 'Di Export');
  assert.deepEqual(got.comments.map((c) => c.body), ['Di wrote this for the export.']);
  delete got.exported_at; delete want.exported_at;
  assert.deepEqual(got, want);
  await said(d, 'Your data is downloaded as parley-export.json.');
  assert.deepEqual(page.errors, []);
  await ctx.close();
});

test('delete my account: nothing happens until confirmed; then the account is gone and the widget logged out', async () => {
  const ed = await reader(server.url, 'Ed Leaving');
  const { ctx, page } = await as(ed);
  let d = await open(page);
  await d.getByRole('button', { name: 'Delete my account' }).click();
  await d.getByText('This cannot be undone.').waitFor();
  assert.equal((await focused(page)).text, 'Cancel', 'the safe choice has focus');
  await d.getByRole('button', { name: 'Cancel' }).click();
  assert.equal((await focused(page)).text, 'Delete my account');
  await page.keyboard.press('Escape');
  await d.waitFor({ state: 'detached' });
  assert.equal((await ed.get('/api/v1/me')).status, 200, 'still there');

  d = await open(page);
  await d.getByRole('button', { name: 'Delete my account' }).click();
  await d.getByRole('button', { name: 'Yes, delete my account' }).click();
  await d.waitFor({ state: 'detached' });
  await page.locator('.pl-account').getByRole('button', { name: 'Log in', exact: true }).waitFor();
  await page.locator('.pl-sr[role=status]', { hasText: 'Your account is deleted. You are logged out.' }).waitFor();
  assert.equal((await focused(page)).tag, 'h2', 'focus on the heading, the link being gone');
  assert.equal((await ed.get('/api/v1/me')).status, 401);
  assert.equal((await new Client(server.url).login(ed.email)).status, 401, 'a deleted account cannot log in');
  assert.deepEqual(page.errors, []);
  assert.deepEqual(page.dialogs, []);
  await ctx.close();
});

test('keyboard only: focus moves in, Tab stays inside, every field is labelled, Escape returns focus', async () => {
  const fay = await reader(server.url, 'Fay Keys');
  const { ctx, page } = await as(fay);
  const link = page.getByRole('button', { name: 'Your account', exact: true });
  await link.focus();
  await page.keyboard.press('Enter');
  const d = page.getByRole('dialog', { name: 'Your account' });
  await d.waitFor();
  assert.equal((await focused(page)).label, 'Current password', 'focus moves into the panel');
  await d.getByRole('button', { name: 'Save settings' }).and(d.locator(':enabled')).waitFor();
  // Every input has a label; statuses go to a live region.
  assert.equal(await d.locator('input').evaluateAll((is) => is.filter((i) => !i.labels || !i.labels.length).length), 0);
  assert.equal(await d.locator('[role=status][aria-live=polite]').count(), 1);
  // Tab through the whole panel: it never leaves the dialog and wraps round.
  const seen = [];
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press('Tab');
    const f = await focused(page);
    assert.ok(await d.evaluate((dlg) => dlg.contains(dlg.getRootNode().activeElement)), `Tab ${i + 1} left the panel`);
    seen.push(f.label || f.text);
  }
  assert.ok(seen.includes('Current password'), `wrapped round: ${seen.join(' | ')}`);
  // Change the reply setting and save, by keyboard.
  await d.getByLabel('replies to my comments').focus();
  await page.keyboard.press('Space');
  await d.getByRole('button', { name: 'Save settings' }).focus();
  await page.keyboard.press('Enter');
  await said(d, 'Your settings are saved.');
  assert.equal((await fay.get('/api/v1/me/notifications')).json.notifications.replies, false);
  await page.keyboard.press('Escape');
  await d.waitFor({ state: 'detached' });
  assert.equal((await focused(page)).text, 'Your account', 'focus returns to the link');
  assert.deepEqual(page.errors, []);
  await ctx.close();
});

test('in Hebrew: right to left, every string from the catalogue, nothing overflows at 360 px', async () => {
  const gil = await reader(server.url, 'Gil Levi');
  const { ctx, page } = await as(gil, { viewport: { width: 360, height: 740 }, locale: 'he-IL' }, { lang: 'he' });
  const d = await open(page, HE.your_account);
  assert.equal(await d.evaluate((e) => getComputedStyle(e).direction), 'rtl');
  for (const k of ['acct_change', 'acct_notifications', 'acct_data', 'acct_delete']) await d.getByRole('heading', { name: HE[k] }).waitFor();
  await d.getByLabel(HE.acct_current).waitFor();
  await d.getByLabel(HE.acct_new).waitFor();
  await d.getByLabel(HE.acct_replies).waitFor();
  await d.getByRole('button', { name: HE.acct_save }).and(d.locator(':enabled')).waitFor();
  await d.getByRole('button', { name: HE.acct_delete }).click();
  await d.getByText(HE.acct_delete_warn).waitFor();
  await d.getByRole('button', { name: HE.acct_delete_yes }).waitFor();
  const fits = await d.evaluate((e) => {
    const r = e.getBoundingClientRect();
    return { left: r.left, right: r.right, sw: e.scrollWidth, cw: e.clientWidth, vw: innerWidth, doc: document.documentElement.scrollWidth };
  });
  assert.ok(fits.left >= 0 && fits.right <= fits.vw, JSON.stringify(fits));
  assert.ok(fits.sw <= fits.cw, `nothing scrolls sideways inside: ${JSON.stringify(fits)}`);
  assert.ok(fits.doc <= fits.vw, `the page does not scroll sideways: ${JSON.stringify(fits)}`);
  // The checkbox sits at the start (the right) of its label.
  const [box, label] = await Promise.all([d.getByLabel(HE.acct_replies).boundingBox(), d.getByText(HE.acct_replies).boundingBox()]);
  assert.ok(box.x > label.x, 'checkbox to the right of its label');
  // A wrong current password, in Hebrew, at its field.
  await d.getByLabel(HE.acct_current).fill('לא נכונה בכלל');
  await d.getByLabel(HE.acct_new).fill('סיסמה חדשה וארוכה');
  await d.getByRole('button', { name: HE.acct_change }).click();
  await d.getByText(HE.acct_wrong_password).waitFor();
  await shot(page, 'panel-he-360.png');
  assert.deepEqual(page.errors, []);
  await ctx.close();
});

test('the language picker saves the reader\'s language, draws the widget in it and keeps it on the next visit', async () => {
  const lu = await reader(server.url, 'Lu Language');
  const { ctx, page } = await as(lu);
  let d = await open(page);
  const pick = d.getByRole('combobox', { name: 'Language' });
  assert.equal(await pick.inputValue(), '', 'no setting: as this page chooses');
  assert.deepEqual((await pick.locator('option').allTextContents()).slice(0, 4), ['As this page chooses', 'English', 'Español', 'Français']);
  assert.equal(await pick.locator('option[value=ar]').textContent(), 'العربية');
  await pick.selectOption('es');
  // The widget is drawn again in Spanish; the panel reopens at the picker.
  d = page.getByRole('dialog', { name: ES.your_account });
  await said(d, ES.acct_lang_saved);
  assert.equal((await focused(page)).name, 'language');
  assert.equal(await d.getByRole('combobox', { name: ES.acct_language }).inputValue(), 'es');
  await d.getByRole('heading', { name: ES.acct_change }).waitFor();
  assert.equal(await page.locator('#parley .pl').getAttribute('lang'), 'es');
  assert.equal((await lu.get('/api/v1/me')).json.user.language, 'es', 'saved on the server');
  await d.getByRole('button', { name: ES.close }).click();
  await page.locator('.pl-account', { hasText: 'Lu Language' }).getByRole('button', { name: ES.log_out }).waitFor();
  await page.getByRole('button', { name: ES.sort_oldest }).waitFor();

  // Next visit (the page is English): the reader's setting wins once /me answers.
  const streams = [];
  ctx.on('request', (r) => { if (/\/events$/.test(new URL(r.url()).pathname)) streams.push(r.url()); });
  const again = await articlePage(ctx, server.url, ART);
  await again.locator('#parley .pl[lang=es]').waitFor();
  await again.getByRole('button', { name: ES.your_account, exact: true }).waitFor();
  await again.locator('#parley .pl[data-live=open]').waitFor();
  assert.equal(streams.length, 1, 'one live connection: the first drawing opened none');
  // Back to "as this page chooses": English again, and null on the server.
  d = await open(again, ES.your_account);
  await d.getByRole('combobox', { name: ES.acct_language }).selectOption('');
  await again.getByRole('dialog', { name: 'Your account' }).locator('[role=status]', { hasText: 'Your language is saved.' }).waitFor();
  assert.equal(await again.locator('#parley .pl').getAttribute('lang'), 'en');
  assert.equal((await lu.get('/api/v1/me')).json.user.language, null);
  assert.deepEqual(page.errors, []);
  assert.deepEqual(again.errors, []);
  await ctx.close();
});
