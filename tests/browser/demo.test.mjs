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

test('the flag dialog over the demo article', async () => {
  const r = await reader(server.url, 'Demo Flagger');
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const [name, ...v] = r.cookie.split('=');
  await ctx.addCookies([{ name, value: v.join('='), domain: new URL(server.url).hostname, path: '/' }]);
  const page = await ctx.newPage();
  await page.goto(server.url + '/');
  const c = page.locator('article.pl-c', { hasText: 'What a lovely idea' });
  await c.waitFor();
  await c.scrollIntoViewIfNeeded();
  await c.locator('.pl-flag').click();
  await page.getByRole('dialog', { name: 'Flag this comment' }).getByLabel('Off topic').check();
  await shot(page, 'demo-flag-dialog.png');
  await ctx.close();
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
    assert.equal(await page.locator('main h1').textContent(), title);
    assert.equal(await page.locator('main h1').count(), 1, 'one h1, from the template');
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

// A publisher's page on another origin: serves the two-line embed.
async function publisher(scriptUrl) {
  const html = `<!doctype html><meta charset="utf-8"><title>Publisher</title><h1>Elsewhere</h1>
<div id="parley" data-article-id="demo-welcome" data-article-title="Demo"></div><script src="${scriptUrl}" async></script>`;
  const pub = http.createServer((req, res) => { res.writeHead(200, { 'content-type': 'text/html' }); res.end(html); });
  await new Promise((r) => pub.listen(0, '127.0.0.1', r));
  return { origin: `http://localhost:${pub.address().port}`, close: () => pub.close() }; // localhost: not the server's 127.0.0.1
}

test('on another origin the widget takes its API and stylesheet from its own script URL', async () => {
  const pub = await publisher(`${server.url}/embed.js`);
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const seen = [];
  page.on('request', (r) => { if (r.url().includes('/api/v1/') || r.url().endsWith('.css')) seen.push(r.url()); });
  await page.goto(pub.origin + '/');
  await page.waitForFunction(() => document.querySelector('#parley').shadowRoot?.querySelector('.pl-c, .pl-status:not(:empty)'));
  assert.ok(seen.some((u) => u.endsWith('/embed.css')) && seen.some((u) => u.includes('/api/v1/articles/demo-welcome/comments')), seen.join(' '));
  for (const u of seen) assert.ok(u.startsWith(server.url + '/'), `${u} goes to the comment server`);
  await ctx.close();
  pub.close();
});

test('served under a path prefix (behind a proxy), the widget keeps to that prefix', async () => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const seen = [];
  // A stand-in for a proxy mapping /comments/* to the server's /*.
  await page.route(`${server.url}/comments/**`, async (route) => {
    const u = new URL(route.request().url());
    seen.push(u.pathname);
    // route.fetch waits for a whole body, which a live-update stream never
    // ends: refuse the stream (the widget then simply has no live updates).
    if (u.pathname.endsWith('/events')) return route.abort();
    try {
      const r = await route.fetch({ url: server.url + u.pathname.slice('/comments'.length) + u.search });
      await route.fulfill({ response: r });
    } catch (e) {
      if (!/disposed|closed/.test(String(e))) throw e; // the context closed mid-request
    }
  });
  await page.route(`${server.url}/article`, (r) => r.fulfill({ contentType: 'text/html', body:
    '<!doctype html><div id="parley" data-article-id="demo-welcome"></div><script src="/comments/embed.js" async></script>' }));
  await page.goto(`${server.url}/article`);
  await page.locator('article.pl-c', { hasText: 'Pleiades' }).waitFor();
  assert.equal(await page.locator('.pl-guide a', { hasText: 'FAQ' }).getAttribute('href'), `${server.url}/comments/faq`);
  for (const p of ['/comments/embed.js', '/comments/embed.css', '/comments/api/v1/me', '/comments/api/v1/articles/demo-welcome/comments'])
    assert.ok(seen.includes(p), `${p} requested (saw ${seen.join(', ')})`);
  await ctx.close();
});

test('on an allowed origin the comments load across origins', async () => {
  const pub = await publisher('about:blank');
  pub.close();
  const other = await startServer({ env: { PARLEY_ALLOWED_ORIGINS: pub.origin } });
  try {
    const a = await reader(other.url, 'Cross Origin');
    await seed(a, 'demo-welcome', 'Seen from another origin.');
    const pub2 = http.createServer((req, res) => { res.writeHead(200, { 'content-type': 'text/html' }); res.end(`<!doctype html><div id="parley" data-article-id="demo-welcome"></div><script src="${other.url}/embed.js" async></script>`); });
    await new Promise((r) => pub2.listen(Number(new URL(pub.origin).port), '127.0.0.1', r));
    const ctx = await browser.newContext();
    try {
      const page = await ctx.newPage();
      await page.goto(pub.origin + '/');
      await page.locator('article.pl-c', { hasText: 'Seen from another origin.' }).waitFor({ timeout: 5000 });
    } finally {
      await ctx.close();
      pub2.close();
    }
  } finally {
    await other.stop();
  }
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
