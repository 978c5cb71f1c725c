// The widget in the reader's language: how the language is chosen, that only
// its catalogue is fetched, plural forms, sentences from the server's answers
// and the moderation nudge, and right-to-left layout on a 360 px phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServer, Client, createUser } from '../lib/server.mjs';
import { launch, articlePage, reader, seed, shot } from '../lib/browser.mjs';

const cat = (l) => JSON.parse(readFileSync(new URL(`../../web/i18n/${l}.json`, import.meta.url), 'utf8'));
const ES = cat('es'), FR = cat('fr'), DE = cat('de'), AR = cat('ar'), PL = cat('pl'), EN = cat('en');

let server, browser, kim;
before(async () => {
  server = await startServer();
  createUser(server.dbUrl, { email: 'desk@paper.example.com', name: 'Redaktion Nord', role: 'moderator' });
  browser = await launch();
  kim = await reader(server.url, 'Kim Seed');
  for (let i = 1; i <= 5; i++) await seed(kim, 'five', `Comment number ${i} on this story.`);
  const c = await seed(kim, 'rtl', 'تعليق أول على هذا المقال.');
  await seed(kim, 'rtl', 'ردّ على التعليق الأول.', c.id);
});
after(async () => { await browser?.close(); await server?.stop(); });

const heading = (page) => page.locator('#parley .pl-h').first().textContent();

test('data-lang wins over the page and the browser, and only that catalogue is fetched', async () => {
  const ctx = await browser.newContext({ locale: 'de-DE' });
  const got = [];
  ctx.on('request', (r) => { const m = r.url().match(/\/i18n\/([a-z]+)\.json/); if (m) got.push(m[1]); });
  const page = await articlePage(ctx, server.url, 'empty-es', { lang: 'es' }, { lang: 'fr' });
  await page.locator('.pl-status', { hasText: ES.no_comments }).waitFor();
  assert.equal(await heading(page), ES.comments);
  assert.equal(await page.getByLabel(ES.join).count(), 1, 'the form is labelled in Spanish');
  await page.getByRole('button', { name: ES.sort_oldest }).waitFor();
  assert.equal(await page.locator('#parley .pl').getAttribute('lang'), 'es');
  assert.equal(await page.locator('#parley .pl').getAttribute('dir'), 'ltr');
  assert.deepEqual(got, ['es'], 'one catalogue, the chosen one');
  assert.deepEqual(page.errors, []);
  await ctx.close();
});

test('without data-lang: the page lang (a region is ignored), else the browser, else English', async () => {
  const ctx = await browser.newContext({ locale: 'de-DE' });
  let page = await articlePage(ctx, server.url, 'empty-fr', {}, { lang: 'fr-CA' });
  await page.locator('.pl-status', { hasText: FR.no_comments }).waitFor();
  assert.equal(await heading(page), FR.comments);
  await page.close();
  page = await articlePage(ctx, server.url, 'empty-de', {}, { lang: null });
  await page.locator('.pl-status', { hasText: DE.no_comments }).waitFor();
  await page.close();
  // Languages without a catalogue are skipped: data-lang="xx" and page "yy" leave the browser's.
  page = await articlePage(ctx, server.url, 'empty-de2', { lang: 'xx' }, { lang: 'yy' });
  await page.locator('.pl-status', { hasText: DE.no_comments }).waitFor();
  await ctx.close();
  const ctx2 = await browser.newContext({ locale: 'ja-JP' });
  page = await articlePage(ctx2, server.url, 'empty-ja', {}, { lang: 'ja' });
  await page.locator('.pl-status', { hasText: EN.no_comments }).waitFor();
  assert.equal(await heading(page), 'Comments');
  await ctx2.close();
});

test('plural forms by Intl.PluralRules: Polish few and many, Arabic few', async () => {
  const ctx = await browser.newContext();
  const page = await articlePage(ctx, server.url, 'five', { lang: 'pl' });
  await page.locator('.pl-c').first().waitFor();
  assert.equal(await heading(page), PL.n_comments.many.replace('{n}', '5'), '5 komentarzy');
  // Counts elsewhere on the page use the same catalogue: 2 is "few" in Polish.
  await seed(kim, 'two', 'One.');
  await seed(kim, 'two', 'Two.');
  await page.evaluate(() => {
    const a = document.createElement('a');
    a.dataset.parleyCount = 'two';
    a.id = 'count-two';
    document.body.append(a);
    const s = document.createElement('script');
    s.src = '/embed.js?again';
    document.body.append(s);
  });
  await page.locator('#count-two', { hasText: PL.n_comments.few.replace('{n}', '2') }).waitFor();
  await page.close();
  const ar = await articlePage(ctx, server.url, 'five', {}, { lang: 'ar' });
  await ar.locator('.pl-c').first().waitFor();
  const h = await heading(ar);
  const five = (5).toLocaleString('ar');
  assert.equal(h, AR.n_comments.few.replace('{n}', five), `Arabic heading: ${h}`);
  await ctx.close();
});

test('sentences from the server and the nudge come in the reader\'s language', async () => {
  const ctx = await browser.newContext();
  const page = await articlePage(ctx, server.url, 'nudge-es', { lang: 'es' });
  // A failed login: the 401 sentence is the catalogue's.
  await page.getByRole('button', { name: ES.log_in }).click();
  const dlg = page.locator('dialog.pl-dlg');
  await dlg.getByLabel(ES.field_email).fill(kim.email);
  await dlg.getByLabel(ES.field_password).fill('not the password');
  await dlg.locator('button[type=submit]').click();
  await dlg.locator('[role=alert]', { hasText: ES.err_bad_login }).waitFor();
  await dlg.getByLabel(ES.field_password).fill('correct horse battery');
  await dlg.locator('button[type=submit]').click();
  await page.locator('.pl-account', { hasText: ES.logged_in_as.replace('{name}', 'Kim Seed') }).waitFor();
  // The engine refuses strong language; its English explanation is replaced by the rule's sentence.
  await page.getByLabel(ES.join).fill('This is fucking great news.');
  await page.getByRole('button', { name: ES.post_comment }).click();
  const nudge = page.locator('.pl-form .pl-nudge');
  await nudge.locator('.pl-nudge-h', { hasText: ES.nudge_reject }).waitFor();
  await nudge.locator('li', { hasText: ES.why_profanity }).waitFor();
  await nudge.locator('q', { hasText: 'fucking' }).waitFor();
  // The flag dialog: the ten reasons in Spanish.
  const other = await reader(server.url, 'Otra Lectora');
  await seed(other, 'nudge-es', 'Un comentario para denunciar.');
  await page.reload();
  await page.locator('.pl-c').first().waitFor();
  await page.locator('.pl-flag').first().click();
  const fd = page.locator('dialog.pl-dlg');
  await fd.locator('legend', { hasText: ES.flag_why }).waitFor();
  const labels = (await fd.locator('.pl-radio').allTextContents()).map((s) => s.trim());
  assert.deepEqual(labels, ['profanity', 'vulgarity', 'slur', 'personal_attack', 'harassment', 'tragedy_joke', 'off_topic', 'spam',
    'terms_of_service', 'other'].map((r) => ES['flag_' + r]));
  await fd.locator('input[value=spam]').check();
  await fd.getByRole('button', { name: ES.flag_send }).click();
  await fd.locator('[role=status]', { hasText: ES.flag_thanks }).waitFor();
  assert.deepEqual(page.errors, []);
  await ctx.close();
});

test('account errors are the catalogue\'s: a staff name refused in German', async () => {
  const ctx = await browser.newContext();
  const page = await articlePage(ctx, server.url, 'name-de', { lang: 'de' });
  await page.getByRole('button', { name: DE.create_account_link }).click();
  const dlg = page.locator('dialog.pl-dlg');
  await dlg.getByLabel(DE.field_name).fill('Redaktion N0rd');
  await dlg.getByLabel(DE.field_email).fill(`nord.${process.pid}@example.org`);
  await dlg.getByLabel(DE.field_password).fill('correct horse battery');
  await dlg.getByRole('button', { name: DE.register_submit }).click();
  await dlg.locator('[role=alert]', { hasText: DE.err_name_taken }).waitFor();
  assert.deepEqual(page.errors, []);
  await ctx.close();
});

test('Arabic on a 360 px phone: right to left, replies indented from the right, nothing overflows', async () => {
  const ctx = await browser.newContext({ viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  const page = await articlePage(ctx, server.url, 'rtl', {}, { lang: 'ar' });
  await page.locator('.pl-replies .pl-c').first().waitFor();
  const m = await page.evaluate(() => {
    const root = document.querySelector('#parley').shadowRoot;
    const sec = root.querySelector('.pl');
    const rep = root.querySelector('.pl-replies');
    const box = root.querySelector('.pl-c');
    const like = box.querySelector('.pl-like').getBoundingClientRect();
    const flag = box.querySelector('.pl-flag').getBoundingClientRect();
    const cs = getComputedStyle(rep);
    return {
      dir: sec.getAttribute('dir'), direction: getComputedStyle(sec).direction, lang: sec.getAttribute('lang'),
      right: parseFloat(cs.borderRightWidth), left: parseFloat(cs.borderLeftWidth),
      marginRight: parseFloat(cs.marginRight), marginLeft: parseFloat(cs.marginLeft),
      likeX: like.x, flagX: flag.x, boxRight: box.getBoundingClientRect().right, likeRight: like.right,
      width: document.documentElement.scrollWidth,
    };
  });
  assert.equal(m.dir, 'rtl');
  assert.equal(m.direction, 'rtl');
  assert.equal(m.lang, 'ar');
  assert.ok(m.right >= 2 && m.left === 0, `the replies' rule is on the right (${m.right} / ${m.left})`);
  assert.ok(m.marginRight > 0 && m.marginLeft === 0, 'replies are indented from the right');
  assert.ok(m.flagX < m.likeX, 'the flag link sits at the far (left) end of the action row');
  assert.ok(m.boxRight - m.likeRight < 40, 'the first action starts at the right');
  assert.ok(m.width <= 360, `page is ${m.width}px wide`);
  const n = (await new Client(server.url).get('/api/v1/articles/rtl/comments')).json.article.comment_count;
  assert.equal(await heading(page), AR.n_comments[new Intl.PluralRules('ar').select(n)].replace('{n}', n.toLocaleString('ar')));
  await shot(page, 'rtl-ar-360.png', { fullPage: true });
  // The login dialog fits and reads right to left too.
  await page.getByRole('button', { name: AR.log_in }).click();
  const d = await page.locator('dialog.pl-dlg').boundingBox();
  assert.ok(d.x >= 0 && d.x + d.width <= 360, 'the dialog fits the screen');
  assert.equal(await page.locator('dialog.pl-dlg').evaluate((e) => getComputedStyle(e).direction), 'rtl');
  await shot(page, 'rtl-ar-360-dialog.png');
  assert.deepEqual(page.errors, []);
  await ctx.close();
});

test('refused fields are the catalogue\'s: an address and a password in Spanish', async () => {
  const ctx = await browser.newContext();
  const page = await articlePage(ctx, server.url, 'fields-es', { lang: 'es' });
  await page.getByRole('button', { name: ES.create_account_link }).click();
  const dlg = page.locator('dialog.pl-dlg');
  await dlg.getByLabel(ES.field_name).fill('Lola');
  // A reserved domain passes the browser's own check; the API refuses the field.
  await dlg.getByLabel(ES.field_email).fill(`lola.${process.pid}@example.test`);
  await dlg.getByLabel(ES.field_password).fill('correct horse battery');
  await dlg.getByRole('button', { name: ES.register_submit }).click();
  await dlg.locator('[role=alert]', { hasText: ES.bad_email }).waitFor();
  // A password refused for being the address: the catalogue's password sentence.
  await dlg.getByLabel(ES.field_email).fill(`lola.${process.pid}@example.org`);
  await dlg.getByLabel(ES.field_password).fill(`lola.${process.pid}@example.org`);
  await dlg.getByRole('button', { name: ES.register_submit }).click();
  await dlg.locator('[role=alert]', { hasText: ES.bad_password }).waitFor();
  assert.deepEqual(page.errors, []);
  await ctx.close();
});
