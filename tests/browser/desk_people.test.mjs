// tests/browser/desk_people.test.mjs: the desk's People and Articles tabs in
// Chromium (issue 15). A moderator finds a reader by name, opens their page,
// adds a note, suspends and lifts, goes back with Esc; an admin changes a
// role; articles show their counts, are closed from the list and the old
// ones all at once; the log filters by a moderator's name; and all of it
// fits a 360 px screen.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { shot, deskFixture, deskPage as openDesk, reader as newReader } from '../lib/browser.mjs';
import { sql } from '../api/desk_helpers.mjs';

let srv, browser, mod;
before(async () => {
  ({ srv, browser, mod } = await deskFixture([{ email: 'admin@example.com', name: 'Ada Admin', role: 'admin' }]));
});
after(async () => { await browser?.close(); await srv?.stop(); });

const reader = (name) => newReader(srv.url, name);

const deskPage = (email, viewport) => openDesk(browser, srv.url, email, viewport && { viewport });

test('people: search, open a reader, note, suspend and lift, Esc back to the list', async () => {
  const pia = await reader('Pia Lindqvist');
  await pia.post('/api/v1/articles/people-b/comments', { body: 'A comment from Pia about the budget.' });
  await reader('Someone Else');
  const page = await deskPage('mod@example.com');
  await page.getByRole('tab', { name: 'People' }).click();
  // The tab lists everyone first; the search's answer replaces that list.
  await page.locator('#status', { hasText: /people\./ }).waitFor();
  await page.getByLabel('Name or address').fill('lindq');
  await page.keyboard.press('Enter');
  await page.locator('#status', { hasText: '1 person.' }).waitFor();
  assert.equal(await page.locator('#people-rows tr').count(), 1, 'only the match is listed');
  assert.match(await page.locator('#people-rows').textContent(), new RegExp(pia.email));

  await page.getByRole('button', { name: 'Pia Lindqvist' }).click();
  await page.locator('#person').waitFor({ state: 'visible' });
  assert.equal(await page.locator('#person-name').textContent(), 'Pia Lindqvist');
  assert.match(await page.locator('#person-comments').textContent(), /A comment from Pia about the budget\./);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'person', 'focus moves to the page');

  await page.getByLabel('New note').fill('Asked her to keep it civil.');
  await page.getByRole('button', { name: 'Add note' }).click();
  await page.locator('#person-notes li', { hasText: 'Asked her to keep it civil.' }).waitFor();
  assert.match(await page.locator('#person-notes').textContent(), /Max Moderator/);

  await page.getByLabel('Ban reason').fill('Cooling-off period');
  const until = new Date(Date.now() + 2 * 86400000);
  const local = new Date(until.getTime() - until.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
  await page.getByLabel('Until (empty: permanent)').fill(local);
  await page.getByRole('button', { name: 'Ban / suspend' }).click();
  await page.locator('#person-summary', { hasText: 'suspended until' }).waitFor();
  assert.match(await page.locator('#person-log').textContent(), /suspend/);
  assert.equal((await pia.post('/api/v1/articles/people-b/comments', { body: 'Can I still write?' })).status, 403);
  await page.getByRole('button', { name: 'Lift ban' }).click();
  await page.locator('#person-summary', { hasText: 'active' }).waitFor();
  assert.match(await page.locator('#person-log').textContent(), /unban/);
  assert.equal(await page.locator('#person-role').isHidden(), true, 'a moderator has no role control');

  await page.keyboard.press('Escape');
  await page.locator('#people-list').waitFor({ state: 'visible' });
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Pia Lindqvist', 'focus returns to the name');
  await shot(page, 'desk-people.png');
  assert.deepEqual(page.errors, []);
});

test('people: an admin changes a role and deletes an account; the log filters by a name', async () => {
  const rolf = await reader('Rolf Rollen');
  const dora = await reader('Dora Delete');
  await dora.post('/api/v1/articles/people-d/comments', { body: 'Dora was here.' });
  const page = await deskPage('admin@example.com');
  await page.getByRole('tab', { name: 'People' }).click();
  await page.getByLabel('Name or address').fill('Rolf');
  await page.keyboard.press('Enter');
  await page.getByRole('button', { name: 'Rolf Rollen' }).click();
  await page.getByLabel('New role').selectOption('moderator');
  await page.getByRole('button', { name: 'Change role' }).click();
  await page.locator('#person-summary', { hasText: 'moderator' }).waitFor();
  assert.equal((await mod.get(`/api/v1/mod/users/${rolf.user.id}`)).json.user.role, 'moderator');

  await page.keyboard.press('Escape');
  await page.getByLabel('Name or address').fill('Dora');
  await page.keyboard.press('Enter');
  await page.getByRole('button', { name: 'Dora Delete' }).click();
  await page.getByLabel('Delete the account and').selectOption('remove');
  await page.getByRole('button', { name: 'Delete account' }).click();
  await page.locator('#status', { hasText: 'I am sure' }).waitFor();
  assert.equal((await mod.get(`/api/v1/mod/users/${dora.user.id}`)).status, 200, 'nothing happens without the tick');
  await page.getByLabel('I am sure').check();
  await page.getByRole('button', { name: 'Delete account' }).click();
  await page.locator('#status', { hasText: "Dora Delete's account is deleted." }).waitFor();
  assert.equal((await mod.get(`/api/v1/mod/users/${dora.user.id}`)).status, 404);

  await page.getByRole('tab', { name: 'Log' }).click();
  await page.getByLabel('Moderator (name, or “auto”)').fill('Ada Admin');
  await page.getByRole('button', { name: 'Filter' }).click();
  // The tab's own unfiltered answer (Max Moderator's entries too) may be shown first.
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll('#log-rows tr')];
    return rows.length > 0 && rows.every((r) => r.textContent.includes('Ada Admin'));
  });
  await page.locator('#log-rows tr', { hasText: 'delete_account' }).waitFor();
  const rows = await page.locator('#log-rows tr').allTextContents();
  assert.ok(rows.every((r) => r.includes('Ada Admin')), rows.join('\n'));
  assert.ok(rows.some((r) => r.includes('role') && r.includes('Rolf Rollen')), 'targets are shown by name');
  assert.deepEqual(page.errors, []);
});

test('articles: counts and state, edit from the list, close old ones at once', async () => {
  const w = await reader('Wim Writer');
  await mod.put('/api/v1/articles/harbour-story', { title: 'Storm over the harbour', status: 'premoderated' });
  await w.post('/api/v1/articles/harbour-story/comments', { body: 'The harbour wall held, just.' });
  await w.post('/api/v1/articles/ancient-story/comments', { body: 'An old story.' });
  sql(srv.dbUrl, `UPDATE articles SET created_at = created_at - ${90 * 86400000} WHERE id = 'ancient-story'`);

  const page = await deskPage('mod@example.com');
  await page.getByRole('tab', { name: 'Articles' }).click();
  const harbour = page.locator('#articles-rows tr', { hasText: 'Storm over the harbour' });
  await harbour.waitFor();
  const cells = await harbour.locator('td').allTextContents();
  assert.deepEqual(cells.slice(1, 5), ['premoderated', '0', '1', '1'], 'state, published, pending, all');

  await page.getByRole('button', { name: 'Edit Storm over the harbour' }).click();
  const form = page.locator('.edit-row:not([hidden])');
  await form.getByLabel('State').selectOption('closed');
  await form.getByLabel('sensitive').check();
  await form.getByRole('button', { name: 'Save' }).click();
  await page.locator('#status', { hasText: 'Article harbour-story saved: closed, sensitive.' }).waitFor();
  assert.equal((await w.get('/api/v1/articles/harbour-story')).json.article.status, 'closed');

  await page.getByLabel('Close comments on every article older than').fill('60');
  await page.getByRole('button', { name: 'Close them' }).click();
  await page.locator('#status', { hasText: '1 article older than 60 days closed.' }).waitFor();
  assert.equal((await w.post('/api/v1/articles/ancient-story/comments', { body: 'Late.' })).status, 423);
  assert.deepEqual(page.errors, []);
});

test('the people and articles tabs fit a 360 px screen', async () => {
  const page = await deskPage('mod@example.com', { width: 360, height: 740 });
  for (const [tab, said] of [['People', /\d+ (people|person)\b/], ['Articles', /\d+ articles?\b/], ['Log', /\d+ log entr/]]) {
    await page.getByRole('tab', { name: tab }).click();
    // The tab's own status: the one before stays until its answer is drawn.
    await page.locator('#status', { hasText: said }).waitFor();
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(wide <= 360, `${tab}: the page is ${wide} px wide`);
  }
  await page.getByRole('tab', { name: 'People' }).click();
  await page.getByRole('button', { name: 'Max Moderator' }).click();
  await page.locator('#person').waitFor({ state: 'visible' });
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth) <= 360);
  await shot(page, 'desk-people-360.png');
  assert.deepEqual(page.errors, []);
});

// The lists by keyboard alone (the queues' and search's keys): / to the
// search field, Esc back to the rows, j/k between rows, Enter opens a person,
// e opens an article's edit row and Esc cancels it, unsaved.
test('people and articles by keyboard alone: j/k, Enter opens a person, e edits an article, Esc cancels', async () => {
  const kim = await reader('Kim Keyboard');
  await kim.post('/api/v1/articles/keys-story/comments', { body: 'Typed without a mouse.' });
  await reader('Kit Keyboard');
  await mod.put('/api/v1/articles/keys-story', { title: 'Keys and keyboards' });
  const page = await deskPage('mod@example.com');
  const focusedText = () => page.evaluate(() => document.activeElement.textContent);
  const current = (tbody) => page.locator(`#${tbody} tr[aria-current="true"]`);

  await page.getByRole('tab', { name: 'People' }).focus();
  await page.keyboard.press('Enter');
  await page.locator('#status', { hasText: /people\./ }).waitFor();
  await page.keyboard.press('/');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'p-q');
  await page.keyboard.type('Keyboard');
  await page.keyboard.press('Enter');
  await page.locator('#status', { hasText: '2 people.' }).waitFor();
  const names = await page.locator('#people-rows tr td:first-child').allTextContents();
  assert.deepEqual([...names].sort(), ['Kim Keyboard', 'Kit Keyboard']);
  await page.keyboard.press('Escape'); // out of the field, onto the first row
  assert.equal(await focusedText(), names[0]);
  await page.keyboard.press('j');
  assert.equal(await focusedText(), names[1]);
  assert.equal(await current('people-rows').locator('td').first().textContent(), names[1]);
  await page.keyboard.press('j'); // the last row stays
  assert.equal(await focusedText(), names[1]);
  await page.keyboard.press('k');
  assert.equal(await focusedText(), names[0]);
  if (names[0] !== 'Kim Keyboard') await page.keyboard.press('j');
  await page.keyboard.press('Enter');
  await page.locator('#person').waitFor({ state: 'visible' });
  assert.equal(await page.locator('#person-name').textContent(), 'Kim Keyboard');
  await page.keyboard.press('Escape');
  await page.locator('#people-list').waitFor({ state: 'visible' });
  assert.equal(await focusedText(), 'Kim Keyboard');

  await page.getByRole('tab', { name: 'Articles' }).focus();
  await page.keyboard.press('Enter');
  await page.locator('#articles-rows tr', { hasText: 'Keys and keyboards' }).waitFor();
  await page.keyboard.press('/');
  await page.keyboard.type('keys-story');
  await page.keyboard.press('Enter');
  await page.locator('#status', { hasText: /^1 article\b/ }).waitFor();
  await page.keyboard.press('Escape');
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('aria-label')), 'Edit Keys and keyboards');
  // e opens the edit row; Esc cancels what was typed.
  await page.keyboard.press('e');
  const edit = page.locator('.edit-row:not([hidden])');
  await edit.waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.value), 'Keys and keyboards');
  await page.keyboard.type(' (draft)');
  await page.keyboard.press('Escape');
  await edit.waitFor({ state: 'detached' });
  await page.locator('#status', { hasText: 'Edit of keys-story cancelled: nothing saved.' }).waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('aria-expanded')), 'false');
  assert.equal((await mod.get('/api/v1/articles/keys-story')).json.article.title, 'Keys and keyboards');
  // Again, and this time closed by keyboard: title, address, state (c), sensitive, Save.
  await page.keyboard.press('e');
  assert.equal(await page.evaluate(() => document.activeElement.value), 'Keys and keyboards', 'the cancelled text is gone');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.tagName), 'SELECT');
  await page.keyboard.press('c');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await page.locator('#status', { hasText: 'Article keys-story saved: closed.' }).waitFor();
  assert.equal((await mod.get('/api/v1/articles/keys-story')).json.article.status, 'closed');
  assert.deepEqual(page.errors, []);
});
