// The proof of work in the widget (setting pow; docs/ANTISPAM.md): a reader
// registers in the widget's dialog and posts a first comment on a server that
// requires a proof of work for both. The widget meets pow_required, loads
// pow.js on demand (never before), solves the server's challenge in a Web
// Worker and sends it again; under a Content-Security-Policy that forbids
// workers it solves on the page's thread in slices.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServer, Client } from '../lib/server.mjs';
import { launch, articlePage, registerInPage } from '../lib/browser.mjs';
import { configFile } from '../lib/api.mjs';

let server, browser;
before(async () => {
  server = await startServer({ args: ['--config', configFile('pow = on\npow_maxnumber = 20000\n')] });
  browser = await launch();
});
after(async () => { await browser?.close(); await server?.stop(); });

function watch(page) {
  const seen = { powJs: 0, challenges: 0, workers: 0 };
  page.on('request', (r) => {
    if (/\/pow\.js$/.test(r.url())) seen.powJs++;
    if (/\/api\/v1\/pow$/.test(r.url())) seen.challenges++;
  });
  page.on('worker', () => { seen.workers++; });
  return seen;
}

async function journey(page, seen, who) {
  assert.equal(seen.powJs, 0, 'pow.js is not loaded with the widget');
  await registerInPage(page, who, `${who.toLowerCase()}.${process.pid}@example.org`);
  assert.equal(seen.powJs, 1);
  assert.equal(seen.challenges, 1);
  await page.getByLabel('Join the discussion').fill(`${who} thinks the bypass consultation should be extended.`);
  await page.getByRole('button', { name: 'Post comment' }).click();
  await page.locator('article.pl-c', { hasText: `${who} thinks the bypass` }).waitFor();
  await page.locator('[role=status]', { hasText: 'Your comment was posted.' }).waitFor();
  assert.equal(seen.challenges, 2, 'the first comment needed its own proof of work');
  assert.equal(seen.powJs, 1, 'pow.js is loaded once');
  assert.deepEqual(page.errors, []);
}

test('the widget solves the proof of work in a worker to register and post a first comment', async () => {
  const ctx = await browser.newContext();
  const page = await articlePage(ctx, server.url, 'pow-story');
  const seen = watch(page);
  await journey(page, seen, 'Wendy');
  assert.ok(seen.workers >= 2, `workers: ${seen.workers}`);
  const r = await new Client(server.url).get('/api/v1/articles/pow-story/comments');
  assert.equal(r.json.comments.length, 1);
  await ctx.close();
});

test('where workers are forbidden, it solves on the page in slices', async () => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  page.setDefaultTimeout(10000);
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(String(e)));
  const seen = watch(page);
  const url = `${server.url}/t/pow-csp`;
  // A publisher's page whose policy forbids workers (blob: ones included).
  await page.route(url, (route) => route.fulfill({
    status: 200,
    headers: { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': "worker-src 'none'" },
    body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Strict page</title></head>
<body><main><h1>Strict page</h1><div id="parley" data-article-id="pow-csp"></div>
<script src="/embed.js" async></script></main></body></html>`,
  }));
  await page.goto(url);
  await page.locator('#parley .pl-list').waitFor({ state: 'attached' });
  await journey(page, seen, 'Carla');
  assert.equal(seen.workers, 0);
  await ctx.close();
});

test('when pow.js cannot be loaded the reader is told so in the widget\'s language', async () => {
  const FR = JSON.parse(readFileSync(new URL('../../web/i18n/fr.json', import.meta.url), 'utf8'));
  const ctx = await browser.newContext();
  await ctx.route(/\/pow\.js$/, (route) => route.abort());
  const page = await articlePage(ctx, server.url, 'pow-fr', { lang: 'fr' });
  await page.getByRole('button', { name: FR.create_account_link }).click();
  const dlg = page.locator('dialog.pl-dlg');
  await dlg.getByLabel(FR.field_name).fill('Fanny');
  await dlg.getByLabel(FR.field_email).fill(`fanny.${process.pid}@example.org`);
  await dlg.getByLabel(FR.field_password).fill('correct horse battery');
  await dlg.getByRole('button', { name: FR.register_submit }).click();
  await dlg.locator('[role=alert]', { hasText: FR.err_pow }).waitFor();
  assert.deepEqual(page.errors, []);
  await ctx.close();
});
