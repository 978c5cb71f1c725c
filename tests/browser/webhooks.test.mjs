// tests/browser/webhooks.test.mjs: the desk's Webhook tab in Chromium. An
// admin sees where events go, sends a test event that a real receiver on
// loopback gets (signed), and sees it delivered in the delivery log; a
// moderator has no such tab.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { startServer, createUser } from '../lib/server.mjs';
import { receiver, waitLog, event, SECRET } from '../lib/webhook_receiver.mjs';

let srv, browser, rcv;
before(async () => {
  rcv = await receiver();
  srv = await startServer({ env: { PARLEY_WEBHOOK_URL: rcv.url, PARLEY_WEBHOOK_SECRET: SECRET } });
  createUser(srv.dbUrl, { email: 'admin@example.com', name: 'Ada Admin', role: 'admin' });
  createUser(srv.dbUrl, { email: 'mod@example.com', name: 'Max Moderator', role: 'moderator' });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'],
  });
});
after(async () => { await browser?.close(); await srv?.stop(); await rcv?.close(); });

async function deskPage(email) {
  const ctx = await browser.newContext({ viewport: { width: 1100, height: 800 } });
  const page = await ctx.newPage();
  page.setDefaultTimeout(10000);
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(String(e)));
  await page.goto(`${srv.url}/admin/`);
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill('correct horse battery');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.locator('#desk').waitFor({ state: 'visible' });
  return page;
}

test('an admin sends a test event and sees it delivered', async () => {
  const page = await deskPage('admin@example.com');
  await page.getByRole('tab', { name: 'Webhook' }).click();
  await page.locator('#webhook-summary').filter({ hasText: 'signed' }).waitFor();
  const summary = await page.locator('#webhook-summary').textContent();
  assert.match(summary, new RegExp(`Events go to ${new URL(rcv.url).origin.replace(/\./g, '\\.')} as JSON, signed\\.`));
  assert.ok(!summary.includes('token=abc'), 'the receiver path (a secret) is not shown');

  await page.getByRole('button', { name: 'Send test event' }).click();
  const d = await rcv.next(event('webhook.test'));
  assert.ok(d.signed);
  assert.equal(d.json.data.requested_by.name, 'Ada Admin');
  await waitLog(srv, new RegExp(`id=${d.json.id} event=webhook.test state=delivered`));
  await page.getByRole('button', { name: 'Refresh' }).click();
  const row = page.locator('#webhook-rows tr[data-state=delivered]');
  await row.waitFor();
  assert.match(await row.textContent(), /webhook\.test.*delivered.*1.*HTTP 200/);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('a moderator has no Webhook tab', async () => {
  const page = await deskPage('mod@example.com');
  assert.equal(await page.getByRole('tab', { name: 'Webhook' }).count(), 0);
  assert.equal(await page.locator('#tab-webhooks').isHidden(), true);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
