// Keyboard-only use, a 360 px phone, hostile text, dark scheme and the
// publisher's custom properties.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { launch, articlePage, reader, seed, focused, shot } from '../lib/browser.mjs';

let server, browser, kim;
before(async () => {
  server = await startServer();
  browser = await launch();
  kim = await reader(server.url, 'Kim Seed');
  const c = await seed(kim, 'access', 'A seeded comment so the list is not empty.');
  await seed(kim, 'access', 'And a reply to it, to show the thread.', c.id);
});
after(async () => { await browser?.close(); await server?.stop(); });

const inner = (page, fn) => page.evaluate(fn);

async function tabTo(page, want, max = 40) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const f = await focused(page);
    if (want(f)) return f;
  }
  throw new Error('never reached the wanted element by Tab');
}

test('keyboard only: register, write, post, with focus always visible', async () => {
  const ctx = await browser.newContext();
  const page = await articlePage(ctx, server.url, 'access');
  await page.locator('.pl-c').first().waitFor();
  await tabTo(page, (f) => f.text === 'create an account');
  const ring = await inner(page, () => {
    const a = document.querySelector('#parley').shadowRoot.activeElement;
    const s = getComputedStyle(a);
    return { style: s.outlineStyle, width: parseFloat(s.outlineWidth) };
  });
  assert.notEqual(ring.style, 'none', 'focused control shows an outline');
  assert.ok(ring.width >= 2);
  await page.keyboard.press('Enter');
  assert.equal((await focused(page)).name, 'name', 'the dialog opens with focus on its first field');
  await page.keyboard.type('Keyboard Kate');
  await page.keyboard.press('Tab');
  await page.keyboard.type(`kate.${process.pid}@example.org`);
  await page.keyboard.press('Tab');
  await page.keyboard.type('correct horse battery');
  await page.keyboard.press('Enter');
  await page.locator('.pl-account', { hasText: 'Logged in as Keyboard Kate' }).waitFor();
  await tabTo(page, (f) => f.tag === 'textarea' && f.label === 'Join the discussion');
  await page.keyboard.type('Typed and posted without a mouse.');
  await tabTo(page, (f) => f.text === 'Post comment', 3);
  await page.keyboard.press('Enter');
  await page.locator('article.pl-c', { hasText: 'Typed and posted without a mouse.' }).waitFor();
  await page.locator('[role=status]', { hasText: 'Your comment was posted.' }).waitFor();
  // Ctrl+Enter posts from the text box too.
  await page.getByLabel('Join the discussion').focus();
  await page.keyboard.type('Second one, sent with Ctrl+Enter.');
  await page.keyboard.press('Control+Enter');
  await page.locator('article.pl-c', { hasText: 'Second one, sent with Ctrl+Enter.' }).waitFor();
  // The like button is a toggle with its state exposed.
  assert.equal(await page.locator('.pl-like').first().getAttribute('aria-pressed'), 'false');
  assert.deepEqual(page.errors, []);
  await ctx.close();
});

test('a 360 px phone: nothing overflows sideways, dialogs fit', async () => {
  const ctx = await browser.newContext({ viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  const long = 'https://example.org/' + 'a'.repeat(300);
  await seed(kim, 'phone', `A very long link ${long} and a longwordwithoutanyspaces${'x'.repeat(120)}`);
  const page = await articlePage(ctx, server.url, 'phone');
  await page.locator('.pl-c').first().waitFor();
  const width = await inner(page, () => document.documentElement.scrollWidth);
  assert.ok(width <= 360, `page is ${width}px wide`);
  const host = await page.locator('#parley').boundingBox();
  for (const sel of ['article.pl-c', '.pl-form', '.pl-top']) {
    const b = await page.locator(sel).first().boundingBox();
    assert.ok(b.x >= host.x - 0.5 && b.x + b.width <= host.x + host.width + 0.5, `${sel} fits`);
  }
  await shot(page, 'phone-360.png', { fullPage: true });
  await page.locator('.pl-flag').first().tap();
  const dlg = page.getByRole('dialog', { name: 'Log in' });
  await dlg.waitFor();
  const d = await dlg.boundingBox();
  assert.ok(d.x >= 0 && d.x + d.width <= 360, 'the dialog fits the screen');
  await ctx.close();
});

test('hostile text is shown as text and runs nothing', async () => {
  const payload = '<img src=x onerror=alert(1)>';
  const evil = await reader(server.url, '<b onmouseover=alert(2)>Mallory</b>').catch(() => null);
  const poster = evil || kim;
  await seed(poster, 'xss', payload);
  await seed(poster, 'xss', `<script>alert(3)</script> and [click](javascript:alert(4)) and "quotes" & ampersands`);
  const ctx = await browser.newContext();
  const page = await articlePage(ctx, server.url, 'xss', { 'article-title': '<img src=y onerror=alert(5)>' });
  const c = page.locator('article.pl-c', { hasText: payload });
  await c.waitFor();
  assert.equal((await c.locator('.pl-body').innerText()).trim(), payload);
  const found = await inner(page, () => {
    const r = document.querySelector('#parley').shadowRoot;
    return { img: r.querySelectorAll('img').length, script: r.querySelectorAll('.pl-list script').length,
      js: [...r.querySelectorAll('a')].filter((a) => /^javascript:/i.test(a.getAttribute('href') || '')).length };
  });
  assert.deepEqual(found, { img: 0, script: 0, js: 0 });
  if (evil) assert.equal(await page.locator('.pl-name').first().textContent(), '<b onmouseover=alert(2)>Mallory</b>');
  // The same payload posted through the form.
  await page.getByLabel('Join the discussion').fill(payload + ' typed');
  await page.getByRole('button', { name: 'Post comment' }).click();
  if (!(await page.locator('.pl-account', { hasText: 'Logged in' }).count())) {
    const dlg = page.locator('dialog.pl-dlg');
    await dlg.getByLabel('Email').fill(kim.email);
    await dlg.getByLabel('Password').fill('correct horse battery');
    await dlg.getByRole('button', { name: 'Log in' }).click();
  }
  await page.locator('article.pl-c', { hasText: payload + ' typed' }).waitFor();
  await page.locator('.pl-name').first().hover();
  assert.equal(await inner(page, () => document.querySelector('#parley').shadowRoot.querySelectorAll('img').length), 0);
  assert.deepEqual(page.dialogs, [], 'no alert fired');
  assert.deepEqual(page.errors, []);
  await ctx.close();
});

async function colours(page) {
  return inner(page, () => {
    const r = document.querySelector('#parley').shadowRoot;
    const s = getComputedStyle(r.querySelector('.pl'));
    const c = getComputedStyle(r.querySelector('.pl-c'));
    return { bg: s.backgroundColor, fg: s.color, box: c.backgroundColor, btn: getComputedStyle(r.querySelector('.pl-form .pl-btn')).backgroundColor };
  });
}
// Relative luminance of "rgb(r, g, b)".
const lum = (rgb) => {
  const [r, g, b] = rgb.match(/\d+(\.\d+)?/g).slice(0, 3).map(Number).map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
};
const contrast = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };

test('light and dark schemes follow prefers-color-scheme, with readable contrast', async () => {
  for (const scheme of ['light', 'dark']) {
    const ctx = await browser.newContext({ colorScheme: scheme });
    const page = await articlePage(ctx, server.url, 'access');
    await page.locator('.pl-c').first().waitFor();
    await page.waitForFunction(() => document.querySelector('#parley').shadowRoot.querySelector('.pl').style.visibility === '');
    const c = await colours(page);
    assert.equal(lum(c.bg) > 0.5, scheme === 'light', `${scheme}: background ${c.bg}`);
    assert.ok(contrast(c.fg, c.bg) >= 7, `${scheme}: text contrast ${contrast(c.fg, c.bg)}`);
    assert.ok(contrast(c.fg, c.box) >= 7, `${scheme}: comment box contrast`);
    if (scheme === 'dark') await shot(page, 'widget-dark.png', { fullPage: true });
    await ctx.close();
  }
  // data-theme="light" keeps a light-only site light for dark-scheme readers.
  const ctx = await browser.newContext({ colorScheme: 'dark' });
  const page = await articlePage(ctx, server.url, 'access', { theme: 'light' });
  await page.locator('.pl-c').first().waitFor();
  assert.ok(lum((await colours(page)).bg) > 0.5);
  await ctx.close();
});

test('the publisher restyles through --parley-* custom properties', async () => {
  const ctx = await browser.newContext({ colorScheme: 'light' });
  const page = await articlePage(ctx, server.url, 'access');
  await page.locator('.pl-c').first().waitFor();
  await page.addStyleTag({ content: '#parley { --parley-accent: rgb(150, 20, 60); --parley-font: Georgia, serif; --parley-surface: rgb(250, 245, 230); } button { background: lime !important; }' });
  const s = await inner(page, () => {
    const r = document.querySelector('#parley').shadowRoot;
    return { btn: getComputedStyle(r.querySelector('.pl-form .pl-btn')).backgroundColor, font: getComputedStyle(r.querySelector('.pl')).fontFamily,
      box: getComputedStyle(r.querySelector('.pl-c')).backgroundColor };
  });
  assert.equal(s.btn, 'rgb(150, 20, 60)', 'accent applies, and the page\'s own button rule does not leak in');
  assert.match(s.font, /Georgia/);
  assert.equal(s.box, 'rgb(250, 245, 230)');
  await ctx.close();
});

test('under a strict Content Security Policy with Trusted Types the widget still works', async () => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error' && /Content Security Policy|Trusted Type/i.test(m.text())) errors.push(m.text()); });
  const csp = `default-src 'none'; script-src ${server.url}; style-src ${server.url}; connect-src ${server.url}; require-trusted-types-for 'script'; trusted-types parley`;
  await page.route(`${server.url}/csp`, (r) => r.fulfill({ contentType: 'text/html', headers: { 'Content-Security-Policy': csp }, body:
    '<!doctype html><div id="parley" data-article-id="access"></div><script src="/embed.js" async></script>' }));
  await page.goto(`${server.url}/csp`);
  await page.locator('article.pl-c', { hasText: 'A seeded comment' }).waitFor();
  await page.waitForFunction(() => document.querySelector('#parley').shadowRoot.querySelector('.pl').style.visibility === '');
  assert.deepEqual(errors, []);
  await ctx.close();
});
