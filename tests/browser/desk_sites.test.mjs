// tests/browser/desk_sites.test.mjs: several sites (issue 15, item 6;
// docs/SITES.md) in Chromium. The desk's Sites tab is the admins' alone; an
// admin adds a site and changes its origins with the keyboard alone, a
// refused field is marked and focused with the server's reason beside it,
// and the tab fits a 360 px screen. The widget with data-site shows that
// site's thread of an article id the default site also has.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, createUser, Client } from '../lib/server.mjs';
import { launch, shot, articlePage, deskPage as openDesk } from '../lib/browser.mjs';
import { sql } from '../api/desk_helpers.mjs';

let srv, browser, admin;
before(async () => {
  srv = await startServer();
  createUser(srv.dbUrl, { email: 'mod@example.com', name: 'Max Moderator', role: 'moderator' });
  createUser(srv.dbUrl, { email: 'admin@example.com', name: 'Ada Admin', role: 'admin' });
  admin = new Client(srv.url);
  await admin.login('admin@example.com');
  browser = await launch();
});
after(async () => { await browser?.close(); await srv?.stop(); });

const deskPage = (email, viewport) => openDesk(browser, srv.url, email, viewport && { viewport });

// The cells of a Numbers chart's table, row by row.
const cells = (page, id) => page.locator(`#${id} tbody tr`).evaluateAll((rows) =>
  rows.map((r) => [...r.children].map((c) => c.textContent)));
const today = () => new Date().toISOString().slice(0, 10);

const activeId = (page) => page.evaluate(() => document.activeElement && document.activeElement.id);

test('moderators do not see the Sites tab', async () => {
  const page = await deskPage('mod@example.com');
  await page.getByRole('tab', { name: 'Pending' }).waitFor();
  assert.equal(await page.getByRole('tab', { name: 'Sites' }).count(), 0);
  assert.deepEqual(page.errors, []);
});

test('an admin adds a site and changes its origins with the keyboard; a refused field is marked', async () => {
  const page = await deskPage('admin@example.com');
  // Arrow keys reach the tab like the others.
  await page.getByRole('tab', { name: 'Settings' }).focus();
  await page.keyboard.press('ArrowRight');
  await page.locator('#sites-panel').waitFor({ state: 'visible' });
  await page.locator('#site-rows tr[data-site="default"]').waitFor();
  assert.equal(await page.getByRole('tab', { name: 'Sites' }).getAttribute('aria-selected'), 'true');

  // A slug the server refuses: the reason beside the field, focus on it.
  await page.locator('#sites-panel').getByLabel('Slug', { exact: true }).focus();
  await page.keyboard.type('Not A Slug');
  await page.keyboard.press('Tab');
  await page.keyboard.type('Sport desk');
  await page.keyboard.press('Enter');
  await page.locator('#site-slug-err:not([hidden])').waitFor();
  assert.match(await page.locator('#site-slug-err').textContent(), /slug/);
  assert.equal(await page.locator('#sites-panel').getByLabel('Slug', { exact: true }).getAttribute('aria-invalid'), 'true');
  assert.equal(await activeId(page), 'site-slug');
  assert.match(await page.locator('#status').textContent(), /Not saved/);

  // Corrected, with an origin: added, listed, focus on its Edit button.
  await page.keyboard.press('Control+A');
  await page.keyboard.type('sport');
  await page.locator('#sites-panel').getByLabel('Origins', { exact: true }).focus();
  await page.keyboard.type('https://sport.example');
  await page.getByRole('button', { name: 'Add site' }).press('Enter');
  await page.locator('#status', { hasText: 'Site sport added.' }).waitFor();
  await page.locator('#site-rows tr[data-site="sport"]').waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('aria-label')), 'Edit sport');
  assert.equal(await page.locator('#sites-panel').getByLabel('Slug', { exact: true }).getAttribute('aria-invalid'), null);
  const listed = (await admin.get('/api/v1/mod/sites')).json.sites.find((s) => s.slug === 'sport');
  assert.deepEqual(listed.origins, ['https://sport.example']);

  // A second site may not take that origin: the reason beside Origins.
  await page.locator('#sites-panel').getByLabel('Slug', { exact: true }).fill('other');
  await page.locator('#sites-panel').getByLabel('Name', { exact: true }).fill('Other');
  await page.locator('#sites-panel').getByLabel('Origins', { exact: true }).fill('https://sport.example');
  await page.locator('#sites-panel').getByLabel('Name', { exact: true }).press('Enter');
  await page.locator('#site-origins-err:not([hidden])').waitFor();
  assert.equal(await activeId(page), 'site-origins');
  assert.match(await page.locator('#site-origins-err').textContent(), /another site/);
  await page.locator('#sites-panel').getByLabel('Slug', { exact: true }).fill('');
  await page.locator('#sites-panel').getByLabel('Name', { exact: true }).fill('');
  await page.locator('#sites-panel').getByLabel('Origins', { exact: true }).fill('');

  // Edit with Enter on the row's button: the slug is fixed, origins change.
  await page.getByRole('button', { name: 'Edit sport' }).focus();
  await page.keyboard.press('Enter');
  assert.equal(await page.locator('#site-form-title').textContent(), 'Editing sport');
  assert.equal(await activeId(page), 'site-name');
  assert.equal(await page.locator('#sites-panel').getByLabel('Slug', { exact: true }).isDisabled(), true);
  await page.locator('#sites-panel').getByLabel('Origins', { exact: true }).fill('https://sport.example\nhttps://www.sport.example');
  await page.getByRole('button', { name: 'Save site' }).click();
  await page.locator('#status', { hasText: 'Site sport saved.' }).waitFor();
  const after = (await admin.get('/api/v1/mod/sites')).json.sites.find((s) => s.slug === 'sport');
  assert.deepEqual(after.origins, ['https://sport.example', 'https://www.sport.example']);
  assert.equal(await page.locator('#site-rows tr[data-site="sport"] li').count(), 2);
  assert.equal(await page.locator('#site-form-title').textContent(), 'New site');
  // Escape leaves an edit without saving.
  await page.getByRole('button', { name: 'Edit sport' }).press('Enter');
  await page.locator('#sites-panel').getByLabel('Name', { exact: true }).press('Escape');
  assert.equal(await page.locator('#site-form-title').textContent(), 'New site');
  assert.equal(await page.locator('#sites-panel').getByLabel('Slug', { exact: true }).isDisabled(), false);
  assert.deepEqual(page.errors, []);
});

test('the Sites tab fits a 360 px screen', async () => {
  const page = await deskPage('admin@example.com', { width: 360, height: 740 });
  await page.getByRole('tab', { name: 'Sites' }).click();
  await page.locator('#site-rows tr[data-site="default"]').waitFor();
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 360, `the page is ${wide} px wide`);
  const form = await page.locator('#site-form').boundingBox();
  assert.ok(form.x >= 0 && form.x + form.width <= 360, JSON.stringify(form));
  await shot(page, 'desk-sites-360.png', { fullPage: true });
  assert.deepEqual(page.errors, []);
});

test('the widget with data-site shows that site\'s thread of an id the default site also has', async () => {
  const made = await admin.post('/api/v1/mod/sites', { slug: 'culture', name: 'Culture' });
  assert.equal(made.status, 201, made.text);
  const r = new Client(srv.url);
  await r.register('Rosa', 'rosa@example.com');
  assert.equal((await r.post('/api/v1/articles/shared-id/comments', { body: 'The default site thread.' })).status, 201);
  assert.equal((await r.post('/api/v1/articles/shared-id/comments?site=culture', { body: 'The culture site thread.' })).status, 201);
  const ctx = await browser.newContext({ viewport: { width: 800, height: 900 } });
  const culture = await articlePage(ctx, srv.url, 'shared-id', { site: 'culture' });
  await culture.locator('#parley .pl-c', { hasText: 'The culture site thread.' }).waitFor();
  assert.equal(await culture.locator('#parley .pl-c').count(), 1);
  const plain = await articlePage(ctx, srv.url, 'shared-id');
  await plain.locator('#parley .pl-c', { hasText: 'The default site thread.' }).waitFor();
  assert.equal(await plain.locator('#parley .pl-c').count(), 1);
  assert.deepEqual([...culture.errors, ...plain.errors], []);
});

test('the site switcher narrows the queue and its counts; an article is saved in its own site', async () => {
  const made = await admin.post('/api/v1/mod/sites', { slug: 'culture', name: 'Culture' });
  assert.ok(made.status === 201 || made.json.error.code === 'conflict', made.text); // made by the widget test when it ran
  for (const path of ['/api/v1/articles/held-here', '/api/v1/articles/held-here?site=culture']) {
    assert.equal((await admin.put(path, { status: 'premoderated' })).status, 200);
  }
  const r = new Client(srv.url);
  await r.register('Pia', 'pia@example.com');
  assert.equal((await r.post('/api/v1/articles/held-here/comments', { body: 'Held on the default site.' })).status, 201);
  assert.equal((await r.post('/api/v1/articles/held-here/comments?site=culture', { body: 'Held on the culture site.' })).status, 201);

  const page = await deskPage('mod@example.com');
  await page.locator('#items .item', { hasText: 'Held on the culture site.' }).waitFor();
  assert.equal(await page.locator('#items .item').count(), 2);
  // The culture item names its site; the default site's does not.
  await page.locator('#items .item', { hasText: 'Held on the culture site.' }).locator('.badge.site', { hasText: 'Culture' }).waitFor();
  assert.equal(await page.locator('#items .item', { hasText: 'Held on the default site.' }).locator('.badge.site').count(), 0);

  // The switcher, by keyboard: the queue and the pending count follow.
  const pick = page.getByLabel('Site', { exact: true });
  await pick.focus();
  await pick.selectOption({ label: 'Culture' });
  await page.locator('#items .item', { hasText: 'Held on the default site.' }).waitFor({ state: 'detached' });
  assert.equal(await page.locator('#items .item').count(), 1);
  await page.locator('[data-count="pending"]', { hasText: '1' }).waitFor();

  // Saving the article from the culture item changes culture's article only.
  const item = page.locator('#items .item', { hasText: 'Held on the culture site.' });
  await item.locator('button[aria-controls$="-art"]').click();
  await item.locator('select[id$="-art-status"]').selectOption('closed');
  await item.getByRole('button', { name: 'Save article' }).click();
  await page.locator('#status', { hasText: 'held-here' }).waitFor();
  assert.equal((await new Client(srv.url).get('/api/v1/articles/held-here?site=culture')).json.article.status, 'closed');
  assert.equal((await new Client(srv.url).get('/api/v1/articles/held-here')).json.article.status, 'premoderated');

  // The Articles tab follows the switcher: culture's held-here only, then both.
  await page.getByRole('tab', { name: 'Articles' }).click();
  const rows = page.locator('#articles-rows tr', { hasText: 'held-here' });
  await rows.first().waitFor();
  assert.equal(await rows.count(), 1);
  await pick.selectOption({ label: 'All sites' });
  await page.locator('#articles-rows tr', { hasText: 'held-here' }).nth(1).waitFor();
  await page.getByRole('tab', { name: 'Pending' }).click();
  await page.locator('#items .item', { hasText: 'Held on the default site.' }).waitFor();
  assert.deepEqual(page.errors, []);
});

test('an admin edits a site\'s own guidelines from the switcher; the site\'s widget links them', async () => {
  const made = await admin.post('/api/v1/mod/sites', { slug: 'travel', name: 'Travel' });
  assert.equal(made.status, 201, made.text);
  const page = await deskPage('admin@example.com');
  const pick = page.getByLabel('Site', { exact: true });
  await pick.locator('option', { hasText: 'Travel' }).waitFor({ state: 'attached' });
  await page.getByRole('tab', { name: 'Settings' }).click();
  await page.getByLabel('policy.slur', { exact: true }).waitFor();
  assert.equal(await page.locator('#settings-site').isHidden(), true, 'the server\'s settings name no site');

  // The switcher, by keyboard: the tab shows Travel's own settings.
  await pick.focus();
  await pick.selectOption({ label: 'Travel' });
  await page.locator('#settings-site', { hasText: 'These are Travel\'s own settings' }).waitFor();
  const text = page.getByLabel('pages.guidelines', { exact: true });
  await text.fill('# Travel rules\n\nNo spoilers of other people\'s holidays.');
  await page.getByRole('button', { name: 'Preview pages.guidelines' }).press('Enter');
  await page.frameLocator('iframe[title="Preview of pages.guidelines"]').locator('p', { hasText: 'No spoilers' }).waitFor();
  await page.getByRole('button', { name: 'Save changes' }).press('Enter');
  await page.locator('#status', { hasText: 'Saved version 1: 1 setting changed' }).waitFor();
  assert.equal(await page.locator('.set-row', { has: text }).locator('.badge.changed').isVisible(), true);

  const own = await (await fetch(`${srv.url}/guidelines?site=travel`)).text();
  assert.match(own, /No spoilers of other people/);
  assert.doesNotMatch(await (await fetch(`${srv.url}/guidelines`)).text(), /No spoilers/);
  // Back on All sites, the tab is the server's again.
  await pick.selectOption({ label: 'All sites' });
  await page.locator('#settings-site').waitFor({ state: 'hidden' });
  assert.equal(await page.getByLabel('pages.guidelines', { exact: true }).inputValue(), '', 'the server\'s text is the file\'s');
  // The log (settings changes are listed under All sites) names the site's change.
  await page.getByRole('tab', { name: 'Log' }).click();
  await page.locator('#log-rows tr', { hasText: 'pages.guidelines' }).first().waitFor();
  assert.match(await page.locator('#log-rows tr', { hasText: 'pages.guidelines' }).first().textContent(), /travel v1:/);
  assert.deepEqual(page.errors, []);

  // The widget of that site links its own pages.
  const ctx = await browser.newContext({ viewport: { width: 800, height: 900 } });
  const w = await articlePage(ctx, srv.url, 'trip-notes', { site: 'travel' });
  const link = w.locator('#parley .pl-guide a', { hasText: 'guidelines' });
  await link.waitFor();
  assert.equal(await link.getAttribute('href'), `${srv.url}/guidelines?site=travel`);
  const plain = await articlePage(ctx, srv.url, 'trip-notes');
  const plainLink = plain.locator('#parley .pl-guide a', { hasText: 'guidelines' });
  await plainLink.waitFor();
  assert.equal(await plainLink.getAttribute('href'), `${srv.url}/guidelines`);
  assert.deepEqual([...w.errors, ...plain.errors], []);
});

// A site's own settings say the server's where they follow it (not the
// config file's), and their preview judges that site's comments only.
test('a site\'s settings: the server\'s values as defaults, and a preview of that site\'s comments', async () => {
  const made = await admin.post('/api/v1/mod/sites', { slug: 'books', name: 'Books' });
  assert.equal(made.status, 201, made.text);
  const r = new Client(srv.url);
  await r.register('Bea', 'bea@example.com');
  const onBooks = await r.post('/api/v1/articles/review/comments?site=books', { body: 'The pineapple on the cover gave the plot away.' });
  assert.equal(onBooks.status, 201, onBooks.text);
  const onDefault = await r.post('/api/v1/articles/review/comments', { body: 'A pineapple cake recipe from the weekend edition.' });
  assert.equal(onDefault.status, 201, onDefault.text);
  const page = await deskPage('admin@example.com');
  const pick = page.getByLabel('Site', { exact: true });
  await pick.locator('option', { hasText: 'Books' }).waitFor({ state: 'attached' });
  await pick.selectOption({ label: 'Books' });
  await page.getByRole('tab', { name: 'Settings' }).click();
  await page.locator('#settings-site', { hasText: 'These are Books\'s own settings' }).waitFor();
  assert.match(await page.locator('#settings-intro').textContent(), /override the server's for this site; "Reset" gives one back to the server's value/);
  assert.equal(await page.locator('#settings-version').textContent(), 'Nothing changed here yet: every setting is the server\'s.');
  assert.match(await page.locator('#settings-groups legend', { hasText: 'Guidelines' }).textContent(), /empty: the server's text/);
  assert.doesNotMatch(await page.locator('#settings-panel').textContent(), /config file|the file's/);

  // The preview, by keyboard, of Books' comments only.
  await page.getByLabel('words.block', { exact: true }).fill('pineapple');
  await page.getByRole('button', { name: 'Preview against recent comments' }).press('Enter');
  await page.locator('#settings-preview-result', { hasText: /^Would have held 1 and rejected 0 of this site's last 1 comments \(now: 0 and 0\)\. Comments whose decision would change: 1\.$/ }).waitFor();
  const item = page.locator('#settings-preview-changes li');
  assert.equal(await item.count(), 1);
  assert.match(await item.textContent(), new RegExp(`^published → held #${onBooks.json.comment.id} · Bea · books/review The pineapple on the cover`));
  await page.getByRole('button', { name: 'Save changes' }).press('Enter');
  await page.locator('#status', { hasText: 'Saved version 1: 1 setting changed' }).waitFor();
  const reset = page.locator('.set-row', { has: page.getByLabel('words.block', { exact: true }) }).getByRole('button', { name: 'Reset words.block to the server\'s value' });
  assert.equal(await reset.isVisible(), true);

  // The log says the site's setting was the server's before.
  await pick.selectOption({ label: 'All sites' });
  await page.getByRole('tab', { name: 'Log' }).click();
  const row = page.locator('#log-rows tr', { hasText: 'books v1:' }).first();
  await row.waitFor();
  assert.match(await row.textContent(), /books v1: the server's → \["pineapple"\]/);
  assert.deepEqual(page.errors, []);
  // Given back, for the tests after this one.
  assert.equal((await admin.put('/api/v1/mod/settings?site=books', { version: 1, settings: { 'words.block': null } })).status, 200);
});

test('an admin limits a moderator to a site from the People tab; that moderator sees only it', async () => {
  const made = await admin.post('/api/v1/mod/sites', { slug: 'culture', name: 'Culture' });
  assert.ok(made.status === 201 || made.json.error.code === 'conflict', made.text);
  const culture = (await admin.get('/api/v1/mod/sites')).json.sites.find((s) => s.slug === 'culture');
  createUser(srv.dbUrl, { email: 'lou@example.com', name: 'Lou Limited', role: 'moderator' });
  for (const path of ['/api/v1/articles/lim-here', '/api/v1/articles/lim-here?site=culture']) {
    assert.equal((await admin.put(path, { status: 'premoderated' })).status, 200);
  }
  const r = new Client(srv.url);
  await r.register('Quin', 'quin@example.com');
  assert.equal((await r.post('/api/v1/articles/lim-here/comments', { body: 'Quin waits on the default site.' })).status, 201);
  assert.equal((await r.post('/api/v1/articles/lim-here/comments?site=culture', { body: 'Quin waits on the culture site.' })).status, 201);

  // The admin ticks Culture on Lou's page, with the keyboard.
  const page = await deskPage('admin@example.com');
  await page.getByRole('tab', { name: 'People' }).click();
  await page.locator('#p-q').fill('Lou');
  await page.locator('#p-q').press('Enter');
  await page.getByRole('button', { name: 'Lou Limited' }).click();
  await page.locator('#person-sites').waitFor({ state: 'visible' });
  const box = page.locator('#person-sites').getByLabel('Culture');
  await box.focus();
  await page.keyboard.press('Space');
  await page.getByRole('button', { name: 'Save sites' }).press('Enter');
  await page.locator('#status', { hasText: 'Lou Limited' }).waitFor();
  const lou = (await admin.get('/api/v1/mod/users?q=lou@example.com')).json.users[0];
  assert.deepEqual((await admin.get(`/api/v1/mod/users/${lou.id}`)).json.user.moderator_sites, [culture.id]);
  assert.deepEqual(page.errors, []);

  // The admin's Numbers tab follows the switcher: Culture's numbers alone.
  await page.getByRole('tab', { name: 'Numbers' }).click();
  await page.locator('#status', { hasText: 'Numbers from' }).waitFor();
  await page.locator('#site-pick').selectOption('culture');
  await page.waitForFunction(() => /site=culture/.test(document.getElementById('n-csv').getAttribute('href')));
  // Culture's figures of today, as the API gives them, differ from every site's.
  const dayRow = (n) => [today(), ...['published', 'pending', 'rejected', 'hidden', 'deleted'].map((k) => String(n.days.at(-1).comments[k]))];
  const cultureN = (await admin.get('/api/v1/mod/stats?site=culture')).json;
  const allN = (await admin.get('/api/v1/mod/stats')).json;
  assert.ok(cultureN.days.at(-1).comments.pending >= 1, 'Quin\'s comment waits');
  assert.notDeepEqual(dayRow(cultureN), dayRow(allN));
  await page.waitForFunction((want) => {
    const last = [...document.querySelectorAll('#n-comments tbody tr')].at(-1);
    return last && [...last.children].map((c) => c.textContent).join() === want;
  }, dayRow(cultureN).join());
  assert.equal((await cells(page, 'n-queues')).at(-1)[1], String(cultureN.days.at(-1).pending_queue));

  // Lou's desk: only Culture's queue; no "All sites"; Culture's numbers; the log follows.
  const desk = await deskPage('lou@example.com');
  await desk.locator('#items .item', { hasText: 'Quin waits on the culture site.' }).waitFor();
  assert.equal(await desk.locator('#items .item', { hasText: 'Quin waits on the default site.' }).count(), 0);
  const labels = await desk.locator('#site-pick option').allTextContents();
  assert.ok(!labels.includes('All sites'), labels.join());
  await desk.locator('#items .item', { hasText: 'Quin waits on the culture site.' }).getByRole('button', { name: 'Approve (a)' }).click();
  await desk.locator('#items .item', { hasText: 'Quin waits on the culture site.' }).waitFor({ state: 'detached' });
  await desk.getByRole('tab', { name: 'Numbers' }).click();
  await desk.locator('#status', { hasText: 'Numbers from' }).waitFor();
  assert.match(await desk.getByRole('link', { name: 'Download CSV' }).getAttribute('href'), /&site=culture&format=csv$/);
  const approved = (await admin.get('/api/v1/mod/stats?site=culture')).json;
  assert.equal(approved.days.at(-1).comments.published, cultureN.days.at(-1).comments.published + 1, 'approved by Lou');
  assert.deepEqual((await cells(desk, 'n-comments')).at(-1), dayRow(approved));
  assert.equal((await cells(desk, 'n-queues')).at(-1)[1], String(approved.days.at(-1).pending_queue));
  await desk.getByRole('tab', { name: 'Log' }).click();
  await desk.locator('#log-rows tr', { hasText: 'approve' }).first().waitFor();
  assert.deepEqual(desk.errors, []);
  assert.equal((await admin.get('/api/v1/articles/lim-here/comments')).json.comments.length, 0); // the default site's still waits
});

// "Close articles older than N days" keeps to the switcher's site: an admin
// on one site closes that site's old articles, not every site's.
test('closing old articles with the switcher on one site leaves the other site\'s open', async () => {
  const made = await admin.post('/api/v1/mod/sites', { slug: 'archive', name: 'Archive' });
  assert.equal(made.status, 201, made.text);
  const archive = (await admin.get('/api/v1/mod/sites')).json.sites.find((s) => s.slug === 'archive');
  const r = new Client(srv.url);
  await r.register('Otto', 'otto@example.com');
  for (const q of ['', '?site=archive']) {
    const res = await r.post(`/api/v1/articles/aged-story/comments${q}`, { body: 'Written long ago.' });
    assert.equal(res.status, 201, res.text);
  }
  sql(srv.dbUrl, `UPDATE articles SET created_at = created_at - ${90 * 86400000} WHERE id IN ('aged-story', '${archive.id}/aged-story')`);

  const page = await deskPage('admin@example.com');
  const pick = page.getByLabel('Site', { exact: true });
  await pick.locator('option', { hasText: 'Archive' }).waitFor({ state: 'attached' });
  await pick.selectOption({ label: 'Archive' });
  await page.getByRole('tab', { name: 'Articles' }).click();
  await page.locator('#articles-rows tr', { hasText: 'aged-story' }).waitFor();
  assert.equal(await page.locator('#articles-rows tr', { hasText: 'aged-story' }).count(), 1);
  await page.getByLabel('Close comments on every article older than').fill('60');
  await page.getByRole('button', { name: 'Close them' }).press('Enter');
  await page.locator('#status', { hasText: '1 article older than 60 days closed.' }).waitFor();
  const anon = new Client(srv.url);
  assert.equal((await anon.get('/api/v1/articles/aged-story?site=archive')).json.article.status, 'closed');
  assert.equal((await anon.get('/api/v1/articles/aged-story')).json.article.status, 'open', 'the default site\'s old article stays open');
  assert.deepEqual(page.errors, []);
});
