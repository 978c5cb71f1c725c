// tests/browser/desk_settings.test.mjs: the desk's Settings tab in Chromium
// (issue 15, item 3). Only admins see it; an admin changes a rule's policy,
// a threshold and a pre-moderation mode with the keyboard alone and saves
// with Enter; a bad value is refused beside its field (focus goes there);
// Reset gives a setting back to the config file; the engine follows at once;
// a change is previewed against recent comments before it is saved; and the
// tab fits a 360 px screen.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, createUser, Client } from '../lib/server.mjs';
import { launch, shot, articlePage, deskPage as openDesk } from '../lib/browser.mjs';

let srv, browser;
before(async () => {
  srv = await startServer();
  createUser(srv.dbUrl, { email: 'mod@example.com', name: 'Max Moderator', role: 'moderator' });
  createUser(srv.dbUrl, { email: 'admin@example.com', name: 'Ada Admin', role: 'admin' });
  browser = await launch();
});
after(async () => { await browser?.close(); await srv?.stop(); });

const deskPage = (email, viewport) => openDesk(browser, srv.url, email, viewport && { viewport });

test('moderators do not see the Settings tab', async () => {
  const page = await deskPage('mod@example.com');
  assert.equal(await page.getByRole('tab', { name: 'Settings' }).count(), 0);
  assert.deepEqual(page.errors, []);
});

test('an admin changes settings with the keyboard; errors beside the field; reset; in force at once', async () => {
  const page = await deskPage('admin@example.com');
  const reader = new Client(srv.url);
  await reader.register('Rosa', 'rosa@example.com');
  await reader.post('/api/v1/articles/set-b/comments', { body: 'The new library opening hours are welcome.' });

  // Arrow keys reach the tab like the others.
  await page.getByRole('tab', { name: 'Numbers' }).focus();
  await page.keyboard.press('ArrowRight');
  await page.locator('#settings-panel').waitFor({ state: 'visible' });
  await page.locator('#status', { hasText: /settings\./ }).waitFor();
  assert.match(await page.locator('#settings-version').textContent(), /config file/);

  // A policy by its label, a threshold that is out of range.
  await page.getByLabel('premoderation.all', { exact: true }).check();
  await page.getByLabel('policy.off_topic', { exact: true }).selectOption('hold');
  const flag = page.getByLabel('flag_threshold', { exact: true });
  await flag.fill('0');
  await flag.press('Enter');
  await page.locator('#status', { hasText: 'Not saved' }).waitFor();
  assert.equal(await flag.getAttribute('aria-invalid'), 'true');
  assert.match(await page.locator('#set-flag-threshold-err').textContent(), /from 1 to 1000/);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'set-flag-threshold', 'focus goes to the field at fault');
  assert.equal((await new Client(srv.url).post('/api/v1/check', { article_id: 'set-b', body: 'A calm remark.' })).json.decision,
    'publish', 'nothing was stored');

  await flag.fill('5');
  await flag.press('Enter');
  await page.locator('#status', { hasText: 'Saved version 1: 3 settings changed' }).waitFor();
  assert.match(await page.locator('#settings-version').textContent(), /Version 1, saved .* by Ada Admin/);
  assert.equal(await flag.getAttribute('aria-invalid'), null);
  assert.equal(await page.locator('.set-row', { has: page.getByLabel('flag_threshold', { exact: true }) }).locator('.badge.changed').isVisible(), true);
  assert.equal(await page.locator('.set-row', { has: page.getByLabel('flags_per_hour', { exact: true }) }).locator('.badge.changed').isVisible(), false,
    'only what was changed here is marked');
  assert.equal((await reader.post('/api/v1/check', { article_id: 'set-b', body: 'A calm remark.' })).json.decision, 'hold');

  // Reset gives premoderation.all back to the file (off); the log has both changes.
  await page.getByRole('button', { name: 'Reset premoderation.all to the config file\'s value' }).click();
  assert.equal(await page.getByLabel('premoderation.all', { exact: true }).isChecked(), false);
  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.locator('#status', { hasText: 'Saved version 2: 1 setting changed' }).waitFor();
  assert.equal((await reader.post('/api/v1/check', { article_id: 'set-b', body: 'A calm remark.' })).json.decision, 'publish');
  await page.getByRole('tab', { name: 'Log' }).click();
  await page.locator('#log-rows tr', { hasText: 'premoderation.all' }).first().waitFor();
  assert.match(await page.locator('#log-rows tr', { hasText: 'flag_threshold' }).textContent(), /v1: config file → 5/);
  assert.match(await page.locator('#log-rows tr', { hasText: 'premoderation.all' }).first().textContent(), /v2: true → config file/);
  assert.deepEqual(page.errors, []);
});

test('word lists: one per line, previewed against recent comments before saving', async () => {
  const c = new Client(srv.url);
  await c.register('Wim', 'wim@example.com');
  const posted = await c.post('/api/v1/articles/set-w/comments', { body: 'The roadworks on Mill Lane again, really?' });
  const page = await deskPage('admin@example.com');
  await page.getByRole('tab', { name: 'Settings' }).click();
  await page.locator('#status', { hasText: /settings\./ }).waitFor();
  await page.getByLabel('words.block', { exact: true }).fill('mill lane\n\n  roadworks  ');
  await page.getByRole('button', { name: 'Preview against recent comments' }).click();
  const result = page.locator('#settings-preview-result', { hasText: /^Would have held (\d+) and rejected (\d+) of the last \d+ comments \(now: (\d+) and \2\)\. Comments whose decision would change: 1\.$/ });
  await result.waitFor();
  const [, held, , heldNow] = (await result.textContent()).match(/held (\d+) and rejected (\d+) of the last \d+ comments \(now: (\d+)/);
  assert.equal(Number(held), Number(heldNow) + 1, 'one more held than now');
  const item = page.locator('#settings-preview-changes li');
  assert.equal(await item.count(), 1);
  assert.match(await item.textContent(), new RegExp(`^published → held #${posted.json.comment.id} · Wim · set-w The roadworks on Mill Lane again, really\\?$`));
  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.locator('#status', { hasText: /Saved version \d+: 1 setting changed/ }).waitFor();
  assert.equal(await page.getByLabel('words.block', { exact: true }).inputValue(), 'mill lane\nroadworks');
  assert.equal((await c.post('/api/v1/check', { article_id: 'set-w', body: 'Roadworks everywhere.' })).json.decision, 'hold');
  assert.deepEqual(page.errors, []);
});

test('a page\'s Markdown: previewed in a sandboxed frame, saved, served at once', async () => {
  const page = await deskPage('admin@example.com');
  await page.getByRole('tab', { name: 'Settings' }).click();
  await page.locator('#status', { hasText: /settings\./ }).waitFor();
  await page.getByLabel('pages.faq', { exact: true }).fill('## Can I delete my comment?\n\nYes, with **Delete** under it.\n\n<img src=x onerror=alert(1)>');
  await page.getByRole('button', { name: 'Preview pages.faq' }).click();
  const frame = page.frameLocator('iframe[title="Preview of pages.faq"]');
  await frame.locator('strong', { hasText: 'Delete' }).waitFor();
  assert.equal(await frame.locator('img').count(), 0, 'the renderer drops what the pages never show');
  assert.equal(await page.locator('iframe[title="Preview of pages.faq"]').getAttribute('sandbox'), '');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.locator('#status', { hasText: /Saved version \d+: 1 setting changed/ }).waitFor();
  const faq = await (await fetch(`${srv.url}/faq`)).text();
  assert.match(faq, /Can I delete my comment\?/);
  assert.deepEqual(page.errors, []);
});

test('the widget\'s line of guidelines is made from the policy in force, in the page\'s language', async () => {
  const admin = new Client(srv.url);
  await admin.login('admin@example.com');
  const line = async (lang) => {
    const ctx = await browser.newContext();
    const page = await articlePage(ctx, srv.url, 'guide-line', {}, { lang });
    const g = page.locator('.pl-guide');
    await g.locator('a').first().waitFor();
    const text = (await g.textContent()).replace(/\s+/g, ' ').trim();
    const links = await g.locator('a').count();
    await ctx.close();
    return { text, links };
  };
  // From the config file's policy (the tests above changed some of it).
  const base = (await admin.get('/api/v1/mod/settings')).json.version;
  const none = { 'policy.profanity': null, 'policy.vulgarity': null, 'policy.off_topic': null, 'policy.spam': null, 'premoderation.all': null,
    'premoderation.first_comments': null };
  assert.equal((await admin.put('/api/v1/mod/settings', { version: base, settings: none })).status, 200);
  let l = await line('en');
  assert.match(l.text, /^Keep it civil: no profanity, vulgarity, slurs, personal attacks, harassment, hate against groups, jokes about tragedies,? and spam\./);
  assert.doesNotMatch(l.text, /off-topic/);
  assert.match(l.text, /Read our guidelines, terms and FAQ\.$/);
  assert.equal(l.links, 3);

  const cur = (await admin.get('/api/v1/mod/settings')).json.version;
  let res = await admin.put('/api/v1/mod/settings', { version: cur, settings: { 'policy.profanity': 'publish', 'policy.vulgarity': 'publish', 'policy.off_topic': 'hold', 'premoderation.all': true } });
  assert.equal(res.status, 200, res.text);
  l = await line('en');
  assert.match(l.text, /^Keep it civil: no slurs, .*off-topic comments,? and spam\. A moderator reads every comment before it appears\. Read our/);
  assert.doesNotMatch(l.text, /profanity|vulgarity/);
  l = await line('de');
  assert.match(l.text, /^Bleiben Sie sachlich: .*Kommentare ohne Bezug zum Thema.* sind nicht erlaubt\. Eine Moderatorin oder ein Moderator liest jeden Kommentar/);
  res = await admin.put('/api/v1/mod/settings', { version: cur + 1, settings: { 'policy.profanity': null, 'policy.vulgarity': null, 'policy.off_topic': null, 'premoderation.all': null } });
  assert.equal(res.status, 200, res.text);
});

test('the Settings tab fits a 360 px screen, with a preview shown; the preview is reached by the keyboard', async () => {
  const page = await deskPage('admin@example.com', { width: 360, height: 740 });
  await page.getByRole('tab', { name: 'Settings' }).click();
  await page.locator('#status', { hasText: /settings\./ }).waitFor();
  await page.getByLabel('premoderation.all', { exact: true }).check();
  await page.locator('#settings-save').focus();
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'settings-preview');
  await page.keyboard.press('Enter');
  await page.locator('#settings-preview-result', { hasText: /Comments whose decision would change: [1-9]/ }).waitFor();
  assert.ok(await page.locator('#settings-preview-changes li').count() >= 1);
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 360, `the page is ${wide} px wide`);
  await shot(page, 'desk-settings-360.png', { fullPage: true });
  assert.deepEqual(page.errors, []);
});
