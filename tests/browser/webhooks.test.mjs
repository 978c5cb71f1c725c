// tests/browser/webhooks.test.mjs: the desk's Webhook tab in Chromium. An
// admin sees where events go, sends a test event that a real receiver on
// loopback gets (signed), and sees it delivered in the delivery log; a
// moderator has no such tab.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, createUser } from '../lib/server.mjs';
import { launch, deskPage as openDesk } from '../lib/browser.mjs';
import { receiver, waitLog, event, SECRET } from '../lib/webhook_receiver.mjs';

let srv, browser, rcv;
before(async () => {
  rcv = await receiver();
  srv = await startServer({ env: { PARLEY_WEBHOOK_URL: rcv.url, PARLEY_WEBHOOK_SECRET: SECRET } });
  createUser(srv.dbUrl, { email: 'admin@example.com', name: 'Ada Admin', role: 'admin' });
  createUser(srv.dbUrl, { email: 'mod@example.com', name: 'Max Moderator', role: 'moderator' });
  browser = await launch();
});
after(async () => { await browser?.close(); await srv?.stop(); await rcv?.close(); });

const deskPage = (email) => openDesk(browser, srv.url, email, { viewport: { width: 1100, height: 800 } });

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
