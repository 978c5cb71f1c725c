// tests/browser/desk_search.test.mjs: the desk's Search tab in Chromium
// (issue 15): it opens on the newest comments, finds comments by words with
// the words marked, narrows by status, moves with j/k and decides with r and
// a from the keyboard, opens an author's page from a result, and fits a
// 360 px screen.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { shot, deskFixture, deskPage as openDesk, reader as newReader } from '../lib/browser.mjs';

let srv, browser, mod;
before(async () => { ({ srv, browser, mod } = await deskFixture()); });
after(async () => { await browser?.close(); await srv?.stop(); });

const reader = (name) => newReader(srv.url, name);
async function post(c, article, body) {
  const res = await c.post(`/api/v1/articles/${article}/comments`, { body });
  assert.equal(res.status, 201, res.text);
  return res.json.comment;
}

const deskPage = (viewport) => openDesk(browser, srv.url, 'mod@example.com', viewport && { viewport });

const current = (page) => page.evaluate(() => document.querySelector('#found [aria-current=true]')?.id);

test('search: words marked, status filter, j/k and decisions from the keyboard, author page', async () => {
  const kai = await reader('Kai Keeper');
  const lea = await reader('Lea Lantern');
  const c1 = await post(kai, 'lighthouse-story', 'The lighthouse keeper kept the lamp lit all night.');
  const c2 = await post(lea, 'lighthouse-story', 'A lighthouse is no place for a party.');
  await post(lea, 'other-story', 'Nothing to see here about the council.');
  assert.equal((await mod.put('/api/v1/articles/held-story', { status: 'premoderated' })).status, 200);
  const c4 = await post(kai, 'held-story', 'Another lighthouse, held for review.');

  const page = await deskPage();
  await page.getByRole('tab', { name: 'Search' }).click();
  await page.locator('#status', { hasText: '4 comments found.' }).waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.id), 's-q', 'the words field takes the focus');

  await page.getByLabel('Words').fill('LIGHTHOUSE');
  await page.keyboard.press('Enter');
  await page.locator('#status', { hasText: '3 comments found.' }).waitFor();
  assert.deepEqual(await page.locator('#found > li').evaluateAll((ls) => ls.map((l) => l.id)),
    [`found-${c4.id}`, `found-${c2.id}`, `found-${c1.id}`], 'newest first');
  assert.equal(await page.locator('#found mark').count(), 3, 'the word is marked in each');
  assert.equal(await page.locator('#found mark').first().textContent(), 'lighthouse');

  // Esc leaves the field; j/k move; r rejects the selected comment.
  await page.keyboard.press('Escape');
  assert.equal(await current(page), `found-${c4.id}`);
  await page.keyboard.press('j');
  assert.equal(await current(page), `found-${c2.id}`);
  assert.equal(await page.evaluate(() => document.activeElement.id), `found-${c2.id}`, 'focus follows');
  await page.keyboard.press('j');
  await page.keyboard.press('k');
  assert.equal(await current(page), `found-${c2.id}`);
  await page.keyboard.press('r');
  await page.locator(`#found-${c2.id} .badge.rejected`).waitFor();
  assert.equal((await mod.get(`/api/v1/mod/search?q=party`)).json.comments[0].status, 'rejected');

  // The status filter, then approving the held one with a.
  await page.getByLabel('Status', { exact: true }).selectOption('pending');
  await page.getByRole('button', { name: 'Search comments' }).click();
  await page.locator('#status', { hasText: '1 comment found.' }).waitFor();
  await page.keyboard.press('a');
  await page.locator(`#found-${c4.id} .badge.published`).waitFor();
  assert.equal((await kai.get('/api/v1/articles/held-story/comments')).json.comments[0].id, c4.id, 'published');

  // The author's name opens their page.
  await page.getByRole('button', { name: 'Kai Keeper' }).click();
  await page.locator('#person').waitFor({ state: 'visible' });
  assert.equal(await page.locator('#person-name').textContent(), 'Kai Keeper');
  await shot(page, 'desk-search-person.png');
  assert.deepEqual(page.errors, []);
});

test('search: nothing found says so; the tab fits a 360 px screen', async () => {
  const page = await deskPage({ width: 360, height: 740 });
  await page.getByRole('tab', { name: 'Search' }).click();
  await page.locator('#status:not(:empty)').waitFor();
  await page.getByLabel('Words').fill('xylophonically');
  await page.keyboard.press('Enter');
  await page.locator('#status', { hasText: '0 comments found.' }).waitFor();
  assert.equal(await page.locator('#found-empty').isVisible(), true);
  await page.getByLabel('Words').fill('lighthouse');
  await page.keyboard.press('Enter');
  await page.locator('#status', { hasText: /[1-9] comments? found/ }).waitFor();
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 360, `the page is ${wide} px wide`);
  await shot(page, 'desk-search-360.png');
  assert.deepEqual(page.errors, []);
});
