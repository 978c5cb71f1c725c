// tests/browser/axe.test.mjs: an automated accessibility audit of the desk
// and the widget with axe-core (the npm package, run inside Chromium), WCAG
// 2.1 A and AA rules, at a desktop width and on a 360 px phone. Every tab
// of the desk is opened with something in it (a held comment, a flag, a
// reader, an article, a search's answer, the numbers, the settings) and
// audited as a moderator sees it; the widget is audited with its comments
// and its login dialog, inside its shadow root. Any violation fails the
// test, named with its rule, its help text and the elements it found.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { deskFixture, deskPage, reader, seed, articlePage } from '../lib/browser.mjs';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const PHONE = { width: 360, height: 740 };

let srv, browser;
before(async () => {
  ({ srv, browser } = await deskFixture([{ email: 'admin@example.com', name: 'Ada Admin', role: 'admin' }]));
  const kim = await reader(srv.url, 'Kim Audit');
  const lee = await reader(srv.url, 'Lee Audit');
  const first = await seed(kim, 'audit', 'A civil first comment about the bridge repairs.');
  await seed(lee, 'audit', 'A reply that agrees, with a link to the council minutes.', first.id);
  // Held for the queue: an insult the engine holds for a moderator.
  const held = await kim.post('/api/v1/articles/audit/comments', { body: 'You are an idiot and everyone knows it.' });
  assert.equal(held.status, 201, held.text);
  assert.notEqual(held.json.status, 'published', 'the insult is held, so the queue has a row');
  const flagged = await lee.post(`/api/v1/comments/${first.id}/flags`, { reason: 'off_topic' });
  assert.ok(flagged.status < 300, flagged.text);
});
after(async () => { await browser?.close(); await srv?.stop(); });

// The violations axe finds in page (every frame and shadow root), as
// readable lines; [] when none.
async function audit(page) {
  await page.addScriptTag({ path: AXE });
  const found = await page.evaluate(async (tags) => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) }));
  }, TAGS);
  return found.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.join(', ')}`);
}

// The desk's tabs an admin has, each with what shows that it has drawn.
const TABS = [
  ['Pending', '#queue-panel article, #queue-panel li'],
  ['Flagged', '#items .item:has-text("bridge repairs")'], // not Pending's items, still shown
  ['Log', '#log-rows tr'],
  ['People', '#people-rows tr'],
  ['Articles', '#articles-panel tbody tr'],
  ['Search', '#search-panel'],
  ['Numbers', '#numbers-panel svg'],
  ['Settings', '#settings-panel input, #settings-panel select'],
  ['Sites', '#site-rows tr'],
  ['Webhook', '#webhook-summary:not(:empty)'],
];

for (const [label, viewport] of [['desktop', undefined], ['360 px', PHONE]]) {
  test(`the desk passes axe's WCAG 2.1 AA rules on every tab (${label})`, async () => {
    const page = await deskPage(browser, srv.url, 'admin@example.com', { bypassCSP: true, ...(viewport ? { viewport } : {}) });
    const problems = [];
    problems.push(...(await audit(page)).map((p) => `login/queue: ${p}`));
    for (const [tab, ready] of TABS) {
      const button = page.getByRole('tab', { name: new RegExp(`^${tab}`) });
      await button.click();
      assert.equal(await button.getAttribute('aria-selected'), 'true', `${tab} is the selected tab`);
      await page.locator(ready).first().waitFor({ state: 'attached' });
      if (tab === 'Search') {
        await page.getByLabel('Words').fill('bridge');
        await page.keyboard.press('Enter');
        // The tab's first answer (every comment) has the words too: wait for the search's own.
        await page.locator('#status', { hasText: '1 comment found.' }).waitFor();
      }
      problems.push(...(await audit(page)).map((p) => `${tab}: ${p}`));
    }
    assert.deepEqual(problems, [], `axe found:\n${problems.join('\n')}`);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
}

for (const [label, viewport] of [['desktop', { width: 1100, height: 900 }], ['360 px', PHONE]]) {
  test(`the widget passes axe's WCAG 2.1 AA rules, its comments and the login dialog (${label})`, async () => {
    const ctx = await browser.newContext({ viewport, bypassCSP: true });
    const page = await articlePage(ctx, srv.url, 'audit');
    await page.locator('.pl-c').first().waitFor();
    const problems = (await audit(page)).map((p) => `comments: ${p}`);
    await page.getByRole('button', { name: 'log in' }).first().click();
    await page.getByRole('dialog').waitFor();
    problems.push(...(await audit(page)).map((p) => `login dialog: ${p}`));
    assert.deepEqual(problems, [], `axe found:\n${problems.join('\n')}`);
    await ctx.close();
  });
}
