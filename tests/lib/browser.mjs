// tests/lib/browser.mjs: what the browser tests share.
//
// launch() starts Debian's Chromium through playwright-core. articlePage()
// opens a page on the server's own origin that embeds the widget for any
// article id: the HTML document is supplied by page.route (the server only
// serves the demo at /), while embed.js, embed.css and every API call go to
// the real server. Seeding goes through the API with the Client of server.mjs.
// deskFixture() starts what the desk's tests need (a server with a moderator,
// Chromium, the moderator's client) and deskPage() opens the desk logged in.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, startServer, createUser } from './server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const SHOTS = path.resolve(here, '..', '..', 'build', 'screenshots');

export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'],
  });
}

export function shot(page, name, opts = {}) {
  mkdirSync(SHOTS, { recursive: true });
  return page.screenshot({ path: path.join(SHOTS, name), ...opts });
}

const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]));

// Opens base/t/ARTICLE with the two-line embed. attrs: extra data-* on the div;
// lang: the page's <html lang> (en unless given; null leaves it out).
// Collects page errors and dialogs (alert/confirm) so tests can assert none.
export async function articlePage(context, base, article, attrs = {}, { lang = 'en' } = {}) {
  const page = await context.newPage();
  page.setDefaultTimeout(10000);
  page.errors = [];
  page.dialogs = [];
  page.on('pageerror', (e) => page.errors.push(String(e)));
  page.on('dialog', (d) => { page.dialogs.push(d.message()); d.dismiss().catch(() => {}); });
  const extra = Object.entries({ 'article-title': 'Test article', ...attrs }).map(([k, v]) => ` data-${k}="${esc(v)}"`).join('');
  const html = `<!doctype html><html${lang == null ? '' : ` lang="${esc(lang)}"`}><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Test article ${esc(article)}</title></head>
<body style="margin:0;padding:16px;font-family:serif"><main><h1>Test article</h1><p>Some text.</p>
<div id="parley" data-article-id="${esc(article)}"${extra}></div>
<script src="/embed.js" async></script></main></body></html>`;
  const url = `${base}/t/${encodeURIComponent(article)}`;
  await page.route(url, (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html }));
  await page.goto(url);
  await page.locator('#parley .pl-list').waitFor({ state: 'attached' });
  // The first page of comments is in (and the account bar drawn with it): a
  // comment, or the status line's sentence (it is there, empty, from the start).
  await page.locator('.pl-c, .pl-status:not(:empty)').first().waitFor({ state: 'attached' });
  return page;
}

// What the desk's browser tests start from: a server with the moderator
// mod@example.com ("Max Moderator") and the users given (createUser's
// fields), Chromium, and the moderator's API client, logged in.
export async function deskFixture(users = []) {
  const srv = await startServer();
  createUser(srv.dbUrl, { email: 'mod@example.com', name: 'Max Moderator', role: 'moderator' });
  for (const u of users) createUser(srv.dbUrl, u);
  const browser = await launch();
  const mod = new Client(srv.url);
  await mod.login('mod@example.com');
  return { srv, browser, mod };
}

// Opens the desk (base/admin/) in a new context of browser and logs in as
// email with the tests' password; context: the context's options (a
// 1100x900 viewport unless given). page.errors collects uncaught errors.
// Returns once the desk has settled: its site list is in (a tab picked before
// that is loaded again, redrawn under the test) and so are its counts.
// prepare(page), when given, runs before the desk is opened (to route its
// requests); the desk is then returned as soon as it shows, unsettled.
export async function deskPage(browser, base, email, context = {}, prepare = null) {
  const ctx = await browser.newContext({ viewport: { width: 1100, height: 900 }, ...context });
  const page = await ctx.newPage();
  page.setDefaultTimeout(10000);
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(String(e)));
  if (prepare) await prepare(page);
  await page.goto(`${base}/admin/`);
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill('correct horse battery');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.locator('#desk').waitFor({ state: 'visible' });
  // aria-label is set when the counts arrive, asked for after the site list.
  if (!prepare) await page.locator('[data-count=pending][aria-label]').waitFor();
  return page;
}

// Registers a reader through the API and returns a Client holding its session.
let n = 0;
export async function reader(base, name) {
  const c = new Client(base);
  const email = `${name.toLowerCase().replace(/\W+/g, '.')}.${process.pid}.${++n}@example.org`;
  const r = await c.register(name, email);
  if (r.status !== 201) throw new Error(`register ${name}: ${r.status} ${r.text}`);
  c.user = r.json.user;
  c.email = email;
  return c;
}

export async function seed(client, article, body, parent = null) {
  const r = await client.post(`/api/v1/articles/${encodeURIComponent(article)}/comments`, { body, parent_id: parent });
  if (r.status !== 201) throw new Error(`post: ${r.status} ${r.text}`);
  return r.json.comment;
}

// Registers in the widget's own dialog (the reader never leaves the page).
export async function registerInPage(page, name, email, password = 'correct horse battery') {
  await page.getByRole('button', { name: 'create an account' }).click();
  const dlg = page.locator('dialog.pl-dlg');
  await dlg.waitFor();
  await dlg.getByLabel('Name shown with your comments').fill(name);
  await dlg.getByLabel('Email').fill(email);
  await dlg.getByLabel('Password').fill(password);
  await dlg.getByRole('button', { name: 'Create account' }).click();
  await dlg.waitFor({ state: 'detached' });
  await page.locator('.pl-account', { hasText: `Logged in as ${name}` }).waitFor();
}

// The shadow root's focused element, described for assertions.
export function focused(page) {
  return page.evaluate(() => {
    let a = document.activeElement;
    while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
    return a ? { tag: a.tagName.toLowerCase(), text: (a.textContent || '').trim(), label: a.labels && a.labels[0] ? a.labels[0].textContent : '', cls: a.className, name: a.name || '', value: a.value } : null;
  });
}
