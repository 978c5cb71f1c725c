// Staff wear a badge in the widget; readers do not.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, createUser, Client } from '../lib/server.mjs';
import { launch, articlePage, reader, seed } from '../lib/browser.mjs';

let server, browser;
before(async () => {
  server = await startServer();
  browser = await launch();
});
after(async () => { await browser?.close(); await server?.stop(); });

test('a moderator\'s comment shows a Staff badge, a reader\'s none', async () => {
  createUser(server.dbUrl, { email: 'desk@paper.example.com', name: 'Desk Moderator', role: 'moderator' });
  const mod = new Client(server.url);
  assert.equal((await mod.login('desk@paper.example.com')).status, 200);
  const ann = await reader(server.url, 'Ann Reader');
  const top = await seed(ann, 'badges', 'A question for the newsroom.');
  const answer = await seed(mod, 'badges', 'The newsroom answers.', top.id);
  const ctx = await browser.newContext();
  const page = await articlePage(ctx, server.url, 'badges');
  const modMeta = page.locator(`#pl-c-${answer.id} > .pl-meta`);
  await modMeta.waitFor();
  const badge = modMeta.locator('.pl-staff');
  assert.equal(await badge.textContent(), 'Staff');
  assert.equal(await page.locator(`#pl-c-${top.id} > .pl-meta .pl-staff`).count(), 0);
  await ctx.close();
});
