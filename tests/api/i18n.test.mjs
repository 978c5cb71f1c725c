// tests/api/i18n.test.mjs: the language of the server's own pages (issue 18):
// Accept-Language negotiated with q-values, unknown languages falling back to
// English, the user's setting (PATCH /api/v1/me) winning over the header for
// a logged-in reader, lang and dir on the document, and caching that cannot
// mix languages up (Vary: Accept-Language, Cookie; private with a session).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, Client } from '../lib/server.mjs';
import { expectError, stopClean } from '../lib/api.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const cat = (l) => JSON.parse(readFileSync(path.join(here, '..', '..', 'web', 'i18n', 'site', `${l}.json`), 'utf8'));
const EN = cat('en'), ES = cat('es'), DE = cat('de'), FR = cat('fr'), AR = cat('ar'), FA = cat('fa');

let srv;
before(async () => { srv = await startServer(); });
after(async () => { await stopClean(srv); });

async function page(p, acceptLanguage, cookie) {
  const headers = {};
  if (acceptLanguage !== undefined) headers['accept-language'] = acceptLanguage;
  if (cookie) headers.cookie = cookie;
  const res = await fetch(srv.url + p, { headers });
  const text = await res.text();
  const m = text.match(/<html lang="([^"]*)" dir="([^"]*)">/);
  return { status: res.status, headers: res.headers, text, lang: m && m[1], dir: m && m[2] };
}

const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

test('the guidelines page speaks the language Accept-Language prefers', async () => {
  const r = await page('/guidelines', 'es-MX,es;q=0.9,en;q=0.8');
  assert.equal(r.status, 200);
  assert.equal(r.lang, 'es');
  assert.equal(r.dir, 'ltr');
  assert.equal(r.headers.get('content-language'), 'es');
  assert.match(r.text, new RegExp(`<h1>${esc(ES.title_guidelines)}</h1>`));
  assert.ok(r.text.includes(`<title>${esc(ES.title_guidelines)} · Parley</title>`));
  assert.ok(r.text.includes(esc(ES.footer)), 'the footer is Spanish');
  assert.ok(r.text.includes(`>${esc(ES.title_terms)}</a>`), 'so is the navigation');
  // The publisher's own text is not translated.
  assert.ok(r.text.includes('Keep it civil and on topic'), 'the Markdown content stays as written');
  // Every placeholder was filled.
  assert.doesNotMatch(r.text, /\{\{/);
});

test('q-values decide, not the order; ties go to the first named', async () => {
  assert.equal((await page('/terms', 'fr;q=0.5, de;q=0.9, es;q=0.7')).lang, 'de');
  assert.equal((await page('/terms', 'da, fr;q=0.8, en;q=0.7')).lang, 'fr');
  assert.equal((await page('/terms', 'nl;q=0.5, it;q=0.5')).lang, 'nl');
  assert.equal((await page('/terms', 'en;q=0, *')).lang, 'ar', 'the wildcard takes the first language not refused');
  const de = await page('/faq', 'de-AT');
  assert.ok(de.text.includes(`<h1>${esc(DE.title_faq)}</h1>`));
});

test('unknown, malformed or absent Accept-Language gives English', async () => {
  for (const h of ['ja, zh-CN;q=0.9', 'fr;q=2', 'es_MX', 'x'.repeat(5000) + ', fr', '', undefined]) {
    const r = await page('/guidelines', h);
    assert.equal(r.status, 200, String(h));
    assert.equal(r.lang, 'en', `${String(h).slice(0, 40)} falls back to English`);
    assert.ok(r.text.includes(`<h1>${esc(EN.title_guidelines)}</h1>`));
  }
});

test('Arabic, Persian and Hebrew pages are right to left', async () => {
  for (const [l, c] of [['ar', AR], ['fa', FA], ['he', cat('he')]]) {
    const r = await page('/guidelines', `${l};q=0.9`);
    assert.equal(r.lang, l);
    assert.equal(r.dir, 'rtl');
    assert.ok(r.text.includes(esc(c.title_guidelines)));
  }
});

test('negotiated answers vary on Accept-Language and Cookie, and stay public without a session', async () => {
  const fr = await page('/guidelines', 'fr');
  const de = await page('/guidelines', 'de');
  for (const r of [fr, de]) {
    const vary = r.headers.get('vary').split(/,\s*/).map((v) => v.toLowerCase());
    assert.ok(vary.includes('accept-language') && vary.includes('cookie'), r.headers.get('vary'));
    assert.equal(r.headers.get('cache-control'), 'public, max-age=300');
    assert.equal(r.headers.get('etag'), null, 'no one tag for several languages');
  }
  assert.notEqual(fr.text, de.text);
  // The same language gives the same bytes, so a cache keyed on the header is right.
  assert.equal((await page('/guidelines', 'fr')).text, fr.text);
  // The account pages are negotiated too, and never stored.
  const reset = await page('/reset', 'fa');
  assert.equal(reset.lang, 'fa');
  assert.equal(reset.dir, 'rtl');
  assert.equal(reset.headers.get('cache-control'), 'no-cache');
  assert.ok(reset.headers.get('vary').includes('Accept-Language'));
  assert.ok(reset.text.includes(`<h1>${esc(FA.reset_title)}</h1>`));
  assert.ok(reset.text.includes(`data-no-token="${esc(FA.acct_no_token)}"`), 'the script\'s sentences come with the page');
  for (const p of ['/verify', '/unsubscribe']) {
    const r = await page(p, 'fr');
    assert.equal(r.lang, 'fr');
    assert.doesNotMatch(r.text, /\{\{/, p);
  }
});

test('the desk\'s page is negotiated too, and never stored', async () => {
  for (const p of ['/admin', '/admin/']) {
    const r = await page(p, 'pl;q=0.8, he');
    assert.equal(r.status, 200);
    assert.equal(r.lang, 'he');
    assert.equal(r.dir, 'rtl');
    assert.equal(r.headers.get('cache-control'), 'no-cache');
    assert.ok(r.text.includes(`<h1>${esc(cat('he').desk_heading)}</h1>`));
    assert.doesNotMatch(r.text, /\{\{/);
  }
  assert.equal((await page('/admin/', 'tr')).lang, 'tr');
  assert.equal((await page('/admin/desk.js', 'tr')).status, 200, 'its script and style are plain files');
});

test('the templates themselves are not served', async () => {
  for (const p of ['/account/reset.html', '/account/verify.html', '/account/unsubscribe.html', '/page.html', '/admin/index.html', '/index.html']) {
    assert.equal((await page(p, 'es')).status, 404, p);
  }
  // The catalogues are public, like the widget's.
  const r = await fetch(srv.url + '/i18n/site/es.json');
  assert.equal(r.status, 200);
  assert.equal((await r.json()).title_guidelines, ES.title_guidelines);
});

test('a user\'s language setting wins over Accept-Language', async () => {
  const c = new Client(srv.url);
  assert.equal((await c.register('Lang Setter', 'lang-setter@example.com')).status, 201);
  let me = await c.get('/api/v1/me');
  assert.equal(me.json.user.language, null, 'no setting at first');
  // Without a setting the header decides, but the answer is private: a session came with it.
  let r = await page('/guidelines', 'fr', c.cookie);
  assert.equal(r.lang, 'fr');
  assert.equal(r.headers.get('cache-control'), 'private, no-cache');
  const set = await c.patch('/api/v1/me', { language: 'de' });
  assert.equal(set.status, 200);
  assert.equal(set.json.user.language, 'de');
  assert.equal(set.json.user.name, 'Lang Setter');
  me = await c.get('/api/v1/me');
  assert.equal(me.json.user.language, 'de');
  r = await page('/guidelines', 'fr', c.cookie);
  assert.equal(r.lang, 'de');
  assert.equal(r.headers.get('content-language'), 'de');
  assert.equal(r.headers.get('cache-control'), 'private, no-cache');
  assert.ok(r.text.includes(`<h1>${esc(DE.title_guidelines)}</h1>`));
  // Without the cookie the same browser gets what its header asks for.
  assert.equal((await page('/guidelines', 'fr')).lang, 'fr');
  // A cookie of no live session: the header decides, still privately.
  r = await page('/guidelines', 'fr', 'parley_session=not-a-session');
  assert.equal(r.lang, 'fr');
  assert.equal(r.headers.get('cache-control'), 'private, no-cache');
  // null clears the setting.
  const cleared = await c.patch('/api/v1/me', { language: null });
  assert.equal(cleared.status, 200);
  assert.equal(cleared.json.user.language, null);
  assert.equal((await page('/guidelines', 'fr', c.cookie)).lang, 'fr');
});

test('PATCH /me refuses what is not a language it has', async () => {
  const c = new Client(srv.url);
  assert.equal((await c.register('Lang Refused', 'lang-refused@example.com')).status, 201);
  for (const bad of ['xx', 'ES', 'es-MX', '', 12, true, ['es']]) {
    expectError(await c.patch('/api/v1/me', { language: bad }), 400, 'invalid_field', 'language');
  }
  expectError(await c.patch('/api/v1/me', {}), 400, 'invalid_field', 'language');
  const extra = await c.patch('/api/v1/me', { language: 'es', name: 'Other' });
  assert.equal(extra.status, 400);
  assert.equal((await c.get('/api/v1/me')).json.user.language, null, 'nothing changed');
  expectError(await new Client(srv.url).patch('/api/v1/me', { language: 'es' }), 401, 'login_required');
});

test('the 404 page speaks the request\'s language', async () => {
  const r = await page('/no/such/page', 'es-ES,es;q=0.9');
  assert.equal(r.status, 404);
  assert.equal(r.lang, 'es');
  assert.equal(r.headers.get('content-language'), 'es');
  assert.equal(r.headers.get('cache-control'), 'no-store');
  assert.match(r.text, new RegExp(`<h1>${esc(ES.nf_title)}</h1>`));
  assert.match(r.text, new RegExp(`<p>${esc(ES.nf_text)}</p>`));
  const fa = await page('/nothing-here', 'fa');
  assert.equal(fa.status, 404);
  assert.equal(fa.dir, 'rtl');
  assert.match(fa.text, new RegExp(esc(FA.nf_text)));
  const en = await page('/nothing-here');
  assert.match(en.text, /<h1>Not found<\/h1>/);
  assert.match(en.text, /There is no page at this address\./);
});

test('the demo article\'s page around it is in the request\'s language; the article stays English', async () => {
  const ar = await page('/', 'ar');
  assert.equal(ar.status, 200);
  assert.equal(ar.lang, 'ar');
  assert.equal(ar.dir, 'rtl');
  assert.equal(ar.headers.get('cache-control'), 'no-cache');
  for (const k of ['demo_skip', 'demo_served', 'demo_news', 'demo_opinion', 'demo_footer', 'title_guidelines'])
    assert.ok(ar.text.includes(esc(AR[k])), k);
  assert.match(ar.text, new RegExp(`aria-label="${esc(AR.demo_comments)}"`));
  assert.match(ar.text, /<article lang="en" dir="ltr">\s*<p class="kicker">Local · Science<\/p>\s*<h1>Millbrook library starts lending telescopes/);
  assert.doesNotMatch(ar.text, /\{\{/, 'every placeholder filled in');
  const en = await page('/');
  assert.equal(en.lang, 'en');
  assert.match(en.text, /<a class="skip" href="#main">Skip to the article<\/a>/);
  // The demo article was seeded from the same page, its English headline and text.
  const list = await (await fetch(srv.url + '/api/v1/articles/demo-welcome/comments')).json();
  assert.match(list.article.title, /^Millbrook library starts lending telescopes/);
});
