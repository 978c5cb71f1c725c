// The demo article at /, the guidelines, terms and FAQ pages, embedding from
// another origin, and the widget's size budget.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import http from 'node:http';
import { startServer } from '../lib/server.mjs';
import { launch, reader, seed, shot } from '../lib/browser.mjs';

let server, browser;
before(async () => {
  server = await startServer();
  browser = await launch();
  const a = await reader(server.url, 'Maria Lopez');
  const b = await reader(server.url, 'Sam Okoro');
  const first = await seed(a, 'demo-welcome', 'What a lovely idea. My daughter has been asking for a telescope for a year; we will put our names down today.');
  await seed(b, 'demo-welcome', 'Same here! Does anyone know if the beginners’ evening needs booking?', first.id);
  await seed(a, 'demo-welcome', 'The library’s page says no booking is needed, just turn up at seven.', first.id);
  await seed(b, 'demo-welcome', 'Good to see the astronomy club doing this. The park by the river is much darker than the town centre, if you want to see the *Pleiades* properly.');
});
after(async () => { await browser?.close(); await server?.stop(); });

test('the demo article page shows a working comment section', async () => {
  for (const [scheme, width, name] of [['light', 1280, 'demo-page.png'], ['dark', 1280, 'demo-page-dark.png'], ['light', 360, 'demo-page-360.png']]) {
    const ctx = await browser.newContext({ colorScheme: scheme, viewport: { width, height: 900 } });
    const page = await ctx.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(server.url + '/');
    assert.match(await page.title(), /Millbrook/);
    await page.locator('h1', { hasText: 'telescopes' }).waitFor();
    assert.equal(await page.locator('#parley').getAttribute('data-article-id'), 'demo-welcome');
    await page.locator('article.pl-c', { hasText: 'Pleiades' }).waitFor();
    await page.locator('.pl-top .pl-h', { hasText: '4 comments' }).waitFor();
    await page.waitForFunction(() => document.querySelector('#parley').shadowRoot.querySelector('.pl').style.visibility === '');
    for (const [text, href] of [['guidelines', '/guidelines'], ['terms', '/terms'], ['FAQ', '/faq']])
      assert.equal(await page.locator('.pl-guide a', { hasText: text }).getAttribute('href'), server.url + href);
    if (width === 360) assert.ok(await page.evaluate(() => document.documentElement.scrollWidth) <= 360);
    await shot(page, name, { fullPage: true });
    assert.deepEqual(errors, []);
    await ctx.close();
  }
});

test('guidelines, terms and FAQ pages are readable HTML from the template', async () => {
  const want = { '/guidelines': ['Community guidelines', 'Keep it civil and on topic'], '/terms': ['Terms of service', 'Your comments'], '/faq': ['Frequently asked questions', 'What does flagging do?'] };
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  for (const [path, [title, text]] of Object.entries(want)) {
    const res = await page.goto(server.url + path);
    assert.equal(res.status(), 200);
    assert.match(res.headers()['content-type'], /text\/html/);
    assert.equal(await page.title(), `${title} · Parley`);
    const html = await page.content();
    assert.doesNotMatch(html, /\{\{(title|content)\}\}/);
    await page.locator('main h1, main h2', { hasText: title === 'Frequently asked questions' ? text : title }).first().waitFor();
    await page.locator('main', { hasText: text }).waitFor();
    assert.equal(await page.locator('link[rel=stylesheet][href="/site.css"]').count(), 1);
    if (path === '/faq') {
      for (const q of ['What does flagging do?', 'Why is my comment "awaiting review"?', 'How does blocking work?', 'How do I appeal?'])
        await page.locator('main h2', { hasText: q }).waitFor();
      await shot(page, 'faq-page.png', { fullPage: true });
    }
  }
  const css = await page.goto(server.url + '/site.css');
  assert.match(css.headers()['content-type'], /text\/css/);
  await ctx.close();
});

test('a publisher page on another origin loads the widget and its API from the script\'s origin', async () => {
  const html = `<!doctype html><meta charset="utf-8"><title>Publisher</title><h1>Elsewhere</h1>
<div id="parley" data-article-id="demo-welcome" data-article-title="Demo"></div><script src="${server.url}/embed.js" async></script>`;
  const pub = http.createServer((req, res) => { res.writeHead(200, { 'content-type': 'text/html' }); res.end(html); });
  await new Promise((r) => pub.listen(0, '127.0.0.1', r));
  const origin = `http://localhost:${pub.address().port}`; // another origin than the server's 127.0.0.1
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const api = [];
  page.on('request', (r) => { if (r.url().includes('/api/v1/') || r.url().endsWith('.css')) api.push(r.url()); });
  await page.goto(origin + '/');
  await page.locator('#parley .pl-list').waitFor({ state: 'attached' });
  await page.waitForFunction(() => document.querySelector('#parley').shadowRoot.querySelector('.pl-c, .pl-status:not(:empty)'));
  assert.ok(api.length >= 2);
  for (const u of api) assert.ok(u.startsWith(server.url + '/'), `${u} goes to the comment server`);
  // Whether the comments show depends on the server's CORS answer for this origin.
  const shown = await page.locator('article.pl-c').count();
  const status = await page.locator('.pl-status').textContent();
  assert.ok(shown > 0 || /could not/.test(status), 'comments, or a sentence saying they could not load');
  await ctx.close();
  pub.close();
});

test('embed.js and embed.css together weigh at most 15 KB gzipped', async () => {
  let total = 0;
  for (const f of ['/embed.js', '/embed.css']) {
    const r = await fetch(server.url + f);
    assert.equal(r.status, 200);
    total += gzipSync(Buffer.from(await r.arrayBuffer()), { level: 9 }).length;
  }
  assert.ok(total <= 15 * 1024, `${total} bytes gzipped`);
});
