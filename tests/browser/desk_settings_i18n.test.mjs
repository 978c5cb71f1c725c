// tests/browser/desk_settings_i18n.test.mjs: the desk's Settings tab in
// another language (issue 18): in Arabic (right to left, chosen by
// Accept-Language) at 360 px the tab, its groups, buttons, status line and
// each setting's help come from the catalogue, nothing overflows; in German
// a save's status line and the version line are German.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServer, createUser } from '../lib/server.mjs';
import { launch, shot } from '../lib/browser.mjs';

const cat = (lang) => JSON.parse(readFileSync(new URL(`../../web/i18n/site/${lang}.json`, import.meta.url), 'utf8'));
let srv, browser;
before(async () => {
  srv = await startServer();
  createUser(srv.dbUrl, { email: 'admin@example.com', name: 'Ada Admin', role: 'admin' });
  browser = await launch();
});
after(async () => { await browser?.close(); await srv?.stop(); });

async function settingsIn(locale, viewport) {
  const ctx = await browser.newContext({ locale, viewport });
  const page = await ctx.newPage();
  page.setDefaultTimeout(10000);
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(String(e)));
  await page.goto(`${srv.url}/admin/`);
  await page.locator('#login-email').fill('admin@example.com');
  await page.locator('#login-password').fill('correct horse battery');
  await page.locator('#login-form button[type=submit]').click();
  await page.locator('#desk').waitFor({ state: 'visible' });
  // Counts come after the site list, which loads a tab picked before it again (a new, empty form).
  await page.locator('[data-count=pending][aria-label]').waitFor();
  await page.locator('#tab-settings').click();
  await page.locator('#settings-groups fieldset').first().waitFor();
  return page;
}

test('the Settings tab in Arabic at 360 px: right to left, every text from the catalogue', async () => {
  const ar = cat('ar');
  const page = await settingsIn('ar-EG', { width: 360, height: 740 });
  const m = await page.evaluate(() => ({
    lang: document.documentElement.lang, dir: document.documentElement.dir,
    direction: getComputedStyle(document.querySelector('#settings-panel')).direction,
    tab: document.querySelector('#tab-settings').textContent.trim(),
    legend: document.querySelector('#settings-groups legend').textContent,
    save: document.querySelector('#settings-save').textContent,
    help: document.querySelector('#set-policy-profanity-help').textContent,
    slur: document.querySelector('#set-policy-slur-help').textContent,
    wide: document.documentElement.scrollWidth,
  }));
  assert.equal(m.lang, 'ar');
  assert.equal(m.dir, 'rtl');
  assert.equal(m.direction, 'rtl');
  assert.equal(m.tab, ar.desk_settings);
  assert.equal(m.legend, ar.desk_set_g_policy);
  assert.equal(m.save, ar.desk_set_save);
  assert.equal(m.help, ar.desk_seth_policy_profanity);
  assert.equal(m.slur, ar.desk_seth_policy_slur);
  assert.ok(m.wide <= 360, `the page is ${m.wide} px wide`);
  // The count of settings (one help line each; 34 since moderation.swear_at) takes Arabic's
  // "many" form (11 to 99), with Arabic digits.
  const n = await page.locator('#settings-groups .set-help').count();
  assert.ok(n % 100 >= 11, `${n} settings: not Arabic's "many" form`);
  await page.locator('#status', { hasText: ar.desk_set_count.many.replace('{n}', n.toLocaleString('ar')) }).waitFor();
  await shot(page, 'desk-settings-ar-360.png', { fullPage: true });
  assert.deepEqual(page.errors, []);
});

test('the Settings tab in German: a save\'s status and the version line', async () => {
  const page = await settingsIn('de-DE', { width: 1100, height: 900 });
  assert.equal(await page.locator('#set-flag-threshold-help').textContent(), cat('de').desk_seth_flag_threshold);
  await page.locator('#set-flag-threshold').fill('7');
  await page.locator('#settings-save').click();
  await page.locator('#status', { hasText: /^Version \d+ gespeichert: 1 Einstellung geändert, ab sofort gültig\.$/ }).waitFor();
  assert.match(await page.locator('#settings-version').textContent(), /^Version \d+, gespeichert .* von Ada Admin\.$/);
  assert.deepEqual(page.errors, []);
});
