// OpenID Connect in the widget: the login dialog shows a link per provider;
// following it with the keyboard goes through a real provider on loopback
// (tests/lib/oidc.mjs) and back to the article, logged in.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServer } from '../lib/server.mjs';
import { configFile } from '../lib/api.mjs';
import { freePort } from '../lib/smtp.mjs';
import { startProvider, providerConfig } from '../lib/oidc.mjs';
import { launch, articlePage } from '../lib/browser.mjs';

let server, browser, prov;
before(async () => {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  prov = await startProvider({ redirectUri: `${url}/api/v1/auth/oidc/example/callback` });
  const conf = configFile(`public_url = ${url}\n${providerConfig('example', prov, { display_name: 'Example ID' })}`);
  server = await startServer({ listen: `127.0.0.1:${port}`, args: ['--config', conf] });
  browser = await launch();
});
after(async () => { await browser?.close(); await server?.stop(); await prov?.close(); });

test('the login dialog offers the provider; a keyboard sign-in comes back to the article logged in', async () => {
  const ctx = await browser.newContext();
  // The demo article at / (a page the server itself serves, so the browser
  // can come back to it after the provider's redirects).
  const page = await ctx.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(String(e)));
  const url = server.url + '/';
  await page.goto(url);
  await page.getByRole('button', { name: 'Log in' }).click();
  const link = page.locator('dialog.pl-dlg').getByRole('link', { name: 'Sign in with Example ID' });
  await link.waitFor();
  const href = new URL(await link.getAttribute('href'));
  assert.equal(href.pathname, '/api/v1/auth/oidc/example/start');
  assert.equal(href.searchParams.get('return_to'), url);
  await link.focus();
  await page.keyboard.press('Enter');
  await page.waitForURL(url);
  await page.locator('#parley').getByText('Logged in as').waitFor();
  assert.equal(await page.locator('#parley strong', { hasText: 'Alice Liddell' }).count(), 1);
  await page.getByLabel('Join the discussion').fill('Hello from my identity provider.');
  await page.getByRole('button', { name: 'Post comment' }).click();
  await page.locator('article.pl-c', { hasText: 'Hello from my identity provider.' }).waitFor();
  assert.deepEqual(page.errors, []);
  await ctx.close();
});

test('the provider link speaks the widget\'s language', async () => {
  const ES = JSON.parse(readFileSync(new URL('../../web/i18n/es.json', import.meta.url), 'utf8'));
  const ctx = await browser.newContext();
  const page = await articlePage(ctx, server.url, 'oidc-es', { lang: 'es' });
  await page.getByRole('button', { name: ES.log_in }).click();
  const name = ES.sign_in_with.replace('{name}', 'Example ID');
  assert.notEqual(name, 'Sign in with Example ID');
  await page.locator('dialog.pl-dlg').getByRole('link', { name }).waitFor();
  assert.deepEqual(page.errors, []);
  await ctx.close();
});

test('without providers the dialog shows no sign-in link', async () => {
  const plain = await startServer();
  try {
    const ctx = await browser.newContext();
    const page = await articlePage(ctx, plain.url, 'oidc-none');
    const listed = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/oidc'));
    await page.getByRole('button', { name: 'Log in' }).click();
    const dlg = page.locator('dialog.pl-dlg');
    await dlg.getByLabel('Email').waitFor();
    // The provider list has been asked for and answered (empty).
    assert.deepEqual(await (await listed).json(), { providers: [] });
    await page.evaluate(() => new Promise((r) => setTimeout(r, 0)));
    assert.equal(await dlg.getByRole('link', { name: /Sign in with/ }).count(), 0);
    await ctx.close();
  } finally {
    await plain.stop();
  }
});
