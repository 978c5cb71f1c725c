// Long and deep threads in the widget: replies beyond the first page come
// with "Show N more replies", each under the comment it answers, and a
// reply deep in a thread appears beside its parent, where a reload shows it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { launch, articlePage, reader, seed } from '../lib/browser.mjs';

let server, browser, ann, bob;
before(async () => {
  server = await startServer();
  browser = await launch();
  ann = await reader(server.url, 'Ann Thread');
  bob = await reader(server.url, 'Bob Thread');
});
after(async () => { await browser?.close(); await server?.stop(); });

const WORDS = ['river', 'bridge', 'council', 'budget', 'school', 'library', 'market', 'harbour', 'station',
  'garden', 'museum', 'stadium', 'theatre', 'hospital', 'airport'];

test('"Show N more replies" brings the rest of a long thread, each reply under its parent', async () => {
  const root = await seed(ann, 'long-thread', 'What should the city fix first?');
  const ids = [];
  for (let i = 0; i < 13; i++) {
    const parent = i === 12 ? ids[11] : root.id; // the last answers the twelfth
    ids.push((await seed(i % 2 ? ann : bob, 'long-thread', `The ${WORDS[i]}, surely.`, parent)).id);
  }
  const ctx = await browser.newContext();
  const page = await articlePage(ctx, server.url, 'long-thread');
  const shown = () => page.locator(`#pl-c-${root.id} ~ .pl-replies article.pl-c`).count();
  await page.locator(`#pl-c-${ids[9]}`).waitFor();
  assert.equal(await shown(), 10);
  const more = page.getByRole('button', { name: 'Show 3 more replies' });
  await more.click();
  await page.locator(`#pl-c-${ids[12]}`).waitFor();
  assert.equal(await shown(), 13);
  assert.equal(await more.count(), 0, 'the button goes once everything is shown');
  // The thirteenth answers the twelfth: it sits in the twelfth's replies.
  assert.equal(await page.locator(`#pl-c-${ids[11]} + .pl-replies > li > #pl-c-${ids[12]}`).count(), 1);
  assert.deepEqual(page.errors, []);
  await ctx.close();
});

test('a thread nests at most four replies deep; a deeper reply appears beside its parent', async () => {
  const chain = [await seed(ann, 'deep-thread', 'Level zero of the debate.')];
  for (let i = 1; i <= 4; i++) chain.push(await seed(i % 2 ? bob : ann, 'deep-thread', `Level ${i} of the debate.`, chain[i - 1].id));
  const ctx = await browser.newContext();
  const page = await articlePage(ctx, server.url, 'deep-thread');
  await page.locator(`#pl-c-${chain[4].id}`).waitFor();
  await page.locator('.pl-account').getByRole('button', { name: 'Log in' }).click();
  const dlg = page.locator('dialog.pl-dlg');
  await dlg.getByLabel('Email').fill(ann.email);
  await dlg.getByLabel('Password').fill('correct horse battery');
  await dlg.getByRole('button', { name: 'Log in' }).click();
  await page.locator('.pl-account', { hasText: 'Logged in as Ann Thread' }).waitFor();
  const deepest = page.locator(`#pl-c-${chain[4].id}`);
  // The list is fetched again for Ann; a reply form opened in the old one would vanish.
  await deepest.getByRole('button', { name: 'Edit' }).waitFor();
  await deepest.getByRole('button', { name: 'Reply' }).click();
  await page.getByLabel('Reply to Ann Thread').fill('And a fifth level, which sits beside the fourth.');
  await page.getByRole('button', { name: 'Post reply' }).click();
  const fifth = page.locator('.pl-c', { hasText: 'which sits beside the fourth' });
  await fifth.waitFor();
  // Beside the fourth level: in the third level's replies, not the fourth's.
  const id = (await fifth.getAttribute('id')).slice(5);
  assert.equal(await page.locator(`#pl-c-${chain[3].id} + .pl-replies > li > #pl-c-${id}`).count(), 1);
  const depth = await page.evaluate(() => {
    const root = document.getElementById('parley').shadowRoot;
    let max = 0;
    for (const ol of root.querySelectorAll('.pl-replies:not(:empty)')) {
      let d = 0;
      for (let e = ol; e; e = e.parentElement?.closest('.pl-replies')) d++;
      max = Math.max(max, d);
    }
    return max;
  });
  assert.equal(depth, 4);
  // A reload shows it in the same place.
  await page.reload();
  await page.locator(`#pl-c-${chain[3].id} + .pl-replies > li > #pl-c-${id}`).waitFor();
  assert.deepEqual(page.errors, []);
  await ctx.close();
});
