// The server's own pages and the moderator desk in the reader's language
// (issue 18): a guidelines page in Arabic, right to left on a 360 px phone;
// a held comment's explanation in Spanish; the desk in German chosen by
// Accept-Language, and in Persian (right to left) chosen by the moderator's
// own setting, then changed to Spanish with the desk's language picker.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServer, Client, createUser } from '../lib/server.mjs';
import { launch, articlePage, reader, shot } from '../lib/browser.mjs';

const site = (l) => JSON.parse(readFileSync(new URL(`../../web/i18n/site/${l}.json`, import.meta.url), 'utf8'));
const widget = (l) => JSON.parse(readFileSync(new URL(`../../web/i18n/${l}.json`, import.meta.url), 'utf8'));
const AR = site('ar'), DE = site('de'), FA = site('fa'), ES = site('es'), ES_W = widget('es');

let server, browser;
before(async () => {
  server = await startServer();
  createUser(server.dbUrl, { email: 'mod-de@example.com', name: 'Moderatorin Berta', role: 'moderator' });
  createUser(server.dbUrl, { email: 'mod-fa@example.com', name: 'Parisa Mod', role: 'moderator' });
  browser = await launch();
});

// A pending comment by a reader on a premoderated article; returns the reader's name.
async function pendingComment(article, name) {
  const mod = new Client(server.url);
  await mod.login('mod-de@example.com');
  await mod.put(`/api/v1/articles/${article}`, { status: 'premoderated', title: 'Harbour story' });
  const w = await reader(server.url, name);
  const r = await w.post(`/api/v1/articles/${article}/comments`, { body: 'The harbour wall held up well.' });
  assert.equal(r.json.comment.status, 'pending');
  return name;
}

async function deskPage(ctx) {
  const page = await ctx.newPage();
  page.setDefaultTimeout(10000);
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(String(e)));
  await page.goto(`${server.url}/admin/`);
  return page;
}
after(async () => { await browser?.close(); await server?.stop(); });

test('the guidelines in Arabic on a 360 px phone: lang, dir, mirrored layout, nothing overflows', async () => {
  const ctx = await browser.newContext({ locale: 'ar-EG', viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  const res = await page.goto(server.url + '/guidelines');
  assert.equal(res.headers()['content-language'], 'ar');
  const m = await page.evaluate(() => {
    const html = document.documentElement, h1 = document.querySelector('h1');
    const nav = [...document.querySelectorAll('.nav a')].map((a) => a.getBoundingClientRect());
    const range = document.createRange();
    range.selectNodeContents(h1);
    const h = range.getBoundingClientRect(), main = document.querySelector('main').getBoundingClientRect();
    const foot = document.querySelector('.foot p');
    return {
      lang: html.lang, dir: html.dir, direction: getComputedStyle(document.body).direction,
      h1: h1.textContent, title: document.title, navText: [...document.querySelectorAll('.nav a')].map((a) => a.textContent),
      firstNavRight: nav[0].right, secondNavRight: nav[1].right, h1Right: h.right, h1Left: h.left,
      mainRight: main.right, mainLeft: main.left, width: document.documentElement.scrollWidth,
      footAlign: getComputedStyle(foot).textAlign, footDir: getComputedStyle(foot).direction,
      contentDir: getComputedStyle(document.querySelector('main .content')).direction,
      content: document.querySelector('main .content p').textContent,
      skip: document.querySelector('.skip').textContent,
    };
  });
  assert.equal(m.lang, 'ar');
  assert.equal(m.dir, 'rtl');
  assert.equal(m.direction, 'rtl');
  assert.equal(m.h1, AR.title_guidelines);
  assert.equal(m.title, `${AR.title_guidelines} · Parley`);
  assert.deepEqual(m.navText, [AR.title_guidelines, AR.title_terms, AR.nav_faq]);
  assert.equal(m.skip, AR.skip);
  // Right to left: the first link is the rightmost, the title starts at the right.
  assert.ok(m.firstNavRight > m.secondNavRight, `the first link is on the right (${m.firstNavRight} > ${m.secondNavRight})`);
  assert.ok(m.mainRight - m.h1Right < 20 && m.h1Left - m.mainLeft > 20, 'the title starts at the right');
  assert.equal(m.footDir, 'rtl');
  // The publisher's English text is not translated, and keeps its own direction.
  assert.match(m.content, /^Keep it civil/);
  assert.equal(m.contentDir, 'ltr');
  assert.ok(m.width <= 360, `page is ${m.width}px wide`);
  assert.deepEqual(errors, []);
  await shot(page, 'site-guidelines-ar-360.png', { fullPage: true });
  await ctx.close();
});

test('a held comment is explained in Spanish', async () => {
  const kim = await reader(server.url, 'Kim Hold');
  const ctx = await browser.newContext({ locale: 'es-ES' });
  const page = await articlePage(ctx, server.url, 'hold-es', { lang: 'es' });
  await page.getByRole('button', { name: ES_W.log_in }).click();
  const dlg = page.locator('dialog.pl-dlg');
  await dlg.getByLabel(ES_W.field_email).fill(kim.email);
  await dlg.getByLabel(ES_W.field_password).fill('correct horse battery');
  await dlg.locator('button[type=submit]').click();
  await page.locator('.pl-account', { hasText: ES_W.logged_in_as.replace('{name}', 'Kim Hold') }).waitFor();
  // A personal attack is held for a moderator, not refused: the reader is told why, in Spanish.
  await page.getByLabel(ES_W.join).fill('You are a complete idiot and everyone knows it.');
  await page.getByRole('button', { name: ES_W.post_comment }).click();
  const nudge = page.locator('.pl-form .pl-nudge');
  await nudge.locator('.pl-nudge-h', { hasText: ES_W.nudge_hold }).waitFor();
  await nudge.locator('li', { hasText: ES_W.why_personal_attack }).waitFor();
  assert.equal(await nudge.locator('li', { hasText: 'attacks a person' }).count(), 0, 'no English sentence is left');
  await nudge.getByRole('button', { name: ES_W.post_anyway }).waitFor();
  assert.deepEqual(page.errors, []);
  await shot(page, 'site-hold-es.png', { fullPage: true });
  await ctx.close();
});

test('the desk in German, chosen by Accept-Language: the page and the script\'s sentences', async () => {
  const name = await pendingComment('desk-de', 'Walt Leser');
  const ctx = await browser.newContext({ locale: 'de-DE', viewport: { width: 1100, height: 900 } });
  const page = await deskPage(ctx);
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'de');
  assert.equal(await page.locator('h1').textContent(), DE.desk_heading);
  await page.getByLabel(DE.desk_email).fill('mod-de@example.com');
  await page.getByLabel(DE.desk_password).fill('correct horse battery');
  await page.locator('#login-form').getByRole('button', { name: DE.desk_log_in }).click();
  await page.locator('#desk').waitFor({ state: 'visible' });
  await page.getByRole('tab', { name: new RegExp(`^${DE.desk_pending}`) }).waitFor();
  await page.getByRole('tab', { name: DE.desk_people }).waitFor();
  // Written by desk.js from the catalogue: the item's buttons, the count's label, the status line.
  const item = page.locator('.item', { hasText: 'The harbour wall' });
  await item.getByRole('button', { name: DE.desk_approve_a }).waitFor();
  await item.locator('h3', { hasText: DE.desk_author }).waitFor();
  await page.locator('[data-count=pending][aria-label]').waitFor(); // set when the counts arrive
  assert.equal(await page.locator('[data-count=pending]').getAttribute('aria-label'), DE.desk_n_waiting.one.replace('{n}', '1'));
  await item.getByRole('button', { name: DE.desk_approve_a }).click();
  await page.locator('#status', { hasText: DE.desk_done_undo.replace('{action}', 'approve').replace('{name}', name) }).waitFor();
  assert.deepEqual(page.errors, []);
  await ctx.close();
});

test('the desk\'s Numbers tab and its errors in German: labels, charts, figures, units; unknown codes keep the server\'s words', async () => {
  const ctx = await browser.newContext({ locale: 'de-DE', viewport: { width: 1100, height: 900 } });
  const page = await deskPage(ctx);
  // A refused login: the code's sentence, not the server's English message.
  await page.getByLabel(DE.desk_email).fill('mod-de@example.com');
  await page.getByLabel(DE.desk_password).fill('not the password');
  await page.locator('#login-form').getByRole('button', { name: DE.desk_log_in }).click();
  await page.locator('#status', { hasText: DE.desk_err_login }).waitFor();
  await page.getByLabel(DE.desk_password).fill('correct horse battery');
  await page.locator('#login-form').getByRole('button', { name: DE.desk_log_in }).click();
  await page.locator('#desk').waitFor({ state: 'visible' });
  await page.getByRole('tab', { name: DE.desk_numbers }).click();
  await page.locator('#status', { hasText: /^Zahlen vom \d{4}-\d\d-\d\d bis \d{4}-\d\d-\d\d\.$/ }).waitFor();
  await page.getByLabel(DE.desk_n_from, { exact: true }).waitFor();
  await page.getByRole('button', { name: DE.desk_n_last30 }).waitFor();
  await page.getByRole('link', { name: DE.desk_n_csv }).waitFor();
  assert.equal(await page.locator('#numbers-help').textContent(), DE.desk_n_help);
  for (const k of ['desk_n_c_comments', 'desk_n_c_queues', 'desk_n_c_wait', 'desk_n_c_engine', 'desk_n_c_flags'])
    await page.getByRole('img', { name: new RegExp('^' + DE[k].replace(/[()]/g, '\\$&')) }).waitFor();
  const facts = await page.locator('#n-summary').textContent();
  assert.match(facts, /Kommentare? vom \d{4}-\d\d-\d\d bis/);
  assert.match(facts, /Entscheidung(en)? der Moderation; Wartezeit im Median/);
  assert.match(facts, /Meldung(en)? von Lesern/);
  // The legend and the table header in German; comment statuses as the API names them.
  await page.locator('#n-engine .legend li', { hasText: DE.desk_n_not_reviewed }).waitFor();
  await page.locator('#n-queues .legend li', { hasText: DE.desk_pending }).waitFor();
  await page.locator('#n-comments .legend li', { hasText: 'published' }).waitFor();
  assert.equal(await page.locator('#n-comments thead th').first().textContent(), DE.desk_n_day);
  assert.equal(await page.locator('#n-flags thead th').first().textContent(), DE.desk_n_reason);
  assert.equal(await page.locator('#n-wait summary').textContent(), DE.desk_n_figures.replace('{title}', DE.desk_n_c_wait));
  // A range the server refuses (400 invalid_field): its own English words.
  await page.getByLabel(DE.desk_n_from, { exact: true }).fill('2023-01-01');
  await page.getByRole('button', { name: DE.desk_n_show }).click();
  await page.locator('#status', { hasText: 'at most 366 days' }).waitFor();
  assert.deepEqual(page.errors, []);
  await ctx.close();
});

test('the desk in the moderator\'s own language, Persian and right to left, then changed to Spanish', async () => {
  const mod = new Client(server.url);
  await mod.login('mod-fa@example.com');
  assert.equal((await mod.patch('/api/v1/me', { language: 'fa' })).status, 200);
  await pendingComment('desk-fa', 'Dara Reader');
  // The browser asks for English; before the login the page is English.
  const ctx = await browser.newContext({ locale: 'en-US', viewport: { width: 1100, height: 900 } });
  const page = await deskPage(ctx);
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  await page.getByLabel('E-mail').fill('mod-fa@example.com');
  await page.getByLabel('Password').fill('correct horse battery');
  await page.locator('#login-form').getByRole('button', { name: 'Log in' }).click();
  // The session's setting wins: the desk comes again in Persian.
  await page.waitForFunction(() => document.documentElement.lang === 'fa');
  await page.locator('#desk').waitFor({ state: 'visible' });
  const m = await page.evaluate(() => {
    const tabs = [...document.querySelectorAll('[role=tab]')].filter((t) => !t.hidden).map((t) => t.getBoundingClientRect());
    return { dir: document.documentElement.dir, direction: getComputedStyle(document.body).direction, first: tabs[0].right, second: tabs[1].right,
      pick: document.getElementById('lang-pick').value };
  });
  assert.equal(m.dir, 'rtl');
  assert.equal(m.direction, 'rtl');
  assert.ok(m.first > m.second, 'the first tab is the rightmost');
  assert.equal(m.pick, 'fa', 'the picker shows the setting');
  await page.getByRole('tab', { name: new RegExp(`^${FA.desk_pending}`) }).waitFor();
  const item = page.locator('.item', { hasText: 'The harbour wall' });
  await item.getByRole('button', { name: FA.desk_reject_r }).waitFor();
  await shot(page, 'desk-fa-rtl.png');
  // The picker changes the setting and the page.
  await page.locator('#lang-pick').selectOption('es');
  await page.waitForFunction(() => document.documentElement.lang === 'es');
  await page.locator('#desk').waitFor({ state: 'visible' });
  assert.equal(await page.evaluate(() => document.documentElement.dir), 'ltr');
  await page.getByRole('tab', { name: ES.desk_articles }).waitFor();
  assert.equal((await mod.get('/api/v1/me')).json.user.language, 'es');
  assert.deepEqual(page.errors, []);
  await ctx.close();
});
