// The widget's bot traps (docs/ANTISPAM.md): the hidden field no reader sees
// or reaches, and the time the form was open, sent with every new comment and
// judged by the real engine. Two servers: one with the default settings (no
// minimum fill time), one whose minimum fill time (ten minutes) no test can
// meet, so the "too fast" case does not depend on the machine's speed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, createUser, Client } from '../lib/server.mjs';
import { launch, articlePage, reader } from '../lib/browser.mjs';
import { configFile } from '../lib/api.mjs';

let plain, strict, browser;
async function site(args) {
  const server = await startServer({ args });
  const rita = await reader(server.url, 'Rita Reader');
  const m = createUser(server.dbUrl, { email: `mod.${process.pid}@example.org`, name: 'Moe Moderator', role: 'moderator' });
  const mod = new Client(server.url);
  assert.equal((await mod.login(m.email, m.password)).status, 200);
  return { server, rita, mod };
}
before(async () => {
  plain = await site([]);
  strict = await site(['--config', configFile('moderation.min_fill_ms = 600000\n')]);
  browser = await launch();
});
after(async () => { await browser?.close(); await plain?.server.stop(); await strict?.server.stop(); });

async function asRita(s, article) {
  const ctx = await browser.newContext();
  const [name, ...v] = s.rita.cookie.split('=');
  await ctx.addCookies([{ name, value: v.join('='), domain: new URL(s.server.url).hostname, path: '/' }]);
  const page = await articlePage(ctx, s.server.url, article);
  await page.locator('.pl-account', { hasText: 'Logged in as Rita Reader' }).waitFor();
  return { ctx, page };
}

async function post(page, text) {
  const sent = page.waitForRequest((r) => r.method() === 'POST' && /\/articles\/[^/]+\/comments$/.test(r.url()));
  await page.getByLabel('Join the discussion').fill(text);
  await page.getByRole('button', { name: 'Post comment' }).click();
  return (await sent).postDataJSON();
}

test('the trap field is out of sight, out of the tab order and out of the accessibility tree', async () => {
  const { ctx, page } = await asRita(plain, 'traps-a11y');
  const hp = page.locator('.pl-form input[name=website]').first();
  assert.equal(await hp.getAttribute('tabindex'), '-1');
  assert.equal(await hp.getAttribute('autocomplete'), 'off');
  const box = await hp.boundingBox();
  assert.ok(box === null || box.x + box.width <= 0 || box.y + box.height <= 0, JSON.stringify(box));
  assert.equal(await page.getByRole('textbox', { name: /website/i }).count(), 0);
  // Tabbing from the comment box never lands in it.
  await page.getByLabel('Join the discussion').focus();
  for (let i = 0; i < 4; i++) {
    await page.keyboard.press('Tab');
    assert.notEqual(await page.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.name ?? document.activeElement?.name), 'website');
  }
  await ctx.close();
});

test('a reader posts: the empty trap and the time go with the comment, which is published', async () => {
  const { ctx, page } = await asRita(plain, 'traps-person');
  const body = await post(page, 'The consultation closes on Friday, so there is still time to answer it.');
  assert.equal(body.honeypot, '');
  assert.ok(Number.isInteger(body.fill_ms) && body.fill_ms >= 0, JSON.stringify(body));
  await page.locator('[role=status]', { hasText: 'Your comment was posted.' }).waitFor();
  const r = await new Client(plain.server.url).get('/api/v1/articles/traps-person/comments');
  assert.equal(r.json.comments.length, 1);
  await ctx.close();
});

test('a program that fills the hidden field gets its comment held as spam', async () => {
  const { ctx, page } = await asRita(plain, 'traps-bot');
  await page.locator('.pl-form input[name=website]').first().fill('https://cheap-seo.example');
  const body = await post(page, 'Great article, the council should listen to residents more often.');
  assert.equal(body.honeypot, 'https://cheap-seo.example');
  await page.locator('[role=status]', { hasText: 'awaiting review' }).waitFor();
  const q = await plain.mod.get('/api/v1/mod/queue?queue=pending&limit=50');
  const item = q.json.items.find((i) => i.comment.article_id === 'traps-bot');
  assert.ok(item, 'in the pending queue');
  assert.ok(item.moderation.reasons.some((x) => x.rule === 'spam' && /hidden from readers/.test(x.message)), JSON.stringify(item.moderation));
  await ctx.close();
});

test('a form sent sooner than moderation.min_fill_ms is held as spam', async () => {
  const { ctx, page } = await asRita(strict, 'traps-fast');
  const body = await post(page, 'The new timetable starts in January according to the operator.');
  assert.ok(body.fill_ms < 600000);
  await page.locator('[role=status]', { hasText: 'awaiting review' }).waitFor();
  const q = await strict.mod.get('/api/v1/mod/queue?queue=pending&limit=50');
  const item = q.json.items.find((i) => i.comment.article_id === 'traps-fast');
  assert.ok(item.moderation.reasons.some((x) => x.rule === 'spam' && /faster than a person/.test(x.message)), JSON.stringify(item.moderation));
  await ctx.close();
});
