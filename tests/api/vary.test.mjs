// tests/api/vary.test.mjs: Vary: Origin wherever an answer may depend on the
// Origin (docs/API.md, "Vary: Origin"; issue 11): the API (errors included),
// the Perspective-compatible endpoint (its CORS headers), and the publisher's
// pages on a server with one site as with two, since a second site may be
// added while a page is cached; never on what does not depend on it (the
// widget's files, /healthz).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, createUser, Client } from '../lib/server.mjs';
import { configFile, stopClean } from '../lib/api.mjs';

const KEY = 'pk-vary-0123456789abcdef';
const ALLOWED = 'https://news.example';
let srv, admin;

before(async () => {
  const conf = configFile(`perspective_keys = ${KEY}\nallowed_origins = ${ALLOWED}\n`);
  srv = await startServer({ args: ['--config', conf] });
  createUser(srv.dbUrl, { email: 'admin@example.com', name: 'Admin', role: 'admin' });
  admin = new Client(srv.url);
  await admin.login('admin@example.com');
});
after(async () => { await stopClean(srv); });

const get = (path, origin, method = 'GET', body) => fetch(srv.url + path, {
  method,
  headers: { ...(origin ? { origin } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
  body: body ? JSON.stringify(body) : undefined,
});
const varies = (res) => (res.headers.get('vary') || '').split(/,\s*/).map((v) => v.toLowerCase());

test('the API and the Perspective endpoint say Vary: Origin, with CORS or without, errors too', async () => {
  const analyze = `/v1alpha1/comments:analyze?key=${KEY}`;
  const body = { comment: { text: 'A calm remark about the weather.' }, requestedAttributes: { TOXICITY: {} } };
  for (const origin of [null, ALLOWED, 'https://evil.example']) {
    const p = await get(analyze, origin, 'POST', body);
    assert.equal(p.status, origin === 'https://evil.example' ? 403 : 200, await p.text());
    assert.ok(varies(p).includes('origin'), `/v1alpha1 with Origin ${origin}: ${p.headers.get('vary')}`);
    assert.equal(p.headers.get('access-control-allow-origin'), origin === ALLOWED ? ALLOWED : null);
    const a = await get('/api/v1/articles/vary/comments', origin);
    assert.equal(a.status, 200);
    assert.ok(varies(a).includes('origin'), `API read with Origin ${origin}`);
    const e = await get('/api/v1/comments/999999/flags', origin, 'POST', { reason: 'spam' });
    assert.ok(e.status === 401 || e.status === 403, String(e.status));
    assert.ok(varies(e).includes('origin'), `API error with Origin ${origin}`);
  }
  // A preflight too.
  const pre = await fetch(srv.url + analyze, { method: 'OPTIONS', headers: { origin: ALLOWED, 'access-control-request-method': 'POST' } });
  assert.equal(pre.status, 204);
  assert.ok(varies(pre).includes('origin'));
});

test('the publisher\'s pages say Vary: Origin on a one-site server, and still once a second site exists', async () => {
  for (const path of ['/guidelines', '/terms', '/faq']) {
    for (const origin of [null, ALLOWED]) {
      const r = await get(path, origin);
      assert.equal(r.status, 200, path);
      assert.ok(varies(r).includes('origin'), `${path} (${origin}): ${r.headers.get('vary')}`);
      assert.ok(varies(r).includes('accept-language'), 'the page is translated too');
    }
  }
  const made = await admin.post('/api/v1/mod/sites', { slug: 'sport', name: 'Sport', origins: ['https://sport.example'] });
  assert.equal(made.status, 201, made.text);
  const v = (await admin.get('/api/v1/mod/settings?site=sport')).json.version;
  const saved = await admin.put('/api/v1/mod/settings?site=sport', { version: v, settings: { 'pages.guidelines': '# Sport rules' } });
  assert.equal(saved.status, 200, saved.text);
  // The same URL now answers by Origin: the header it said before is what a cache needed.
  const sport = await get('/guidelines', 'https://sport.example');
  const news = await get('/guidelines', ALLOWED);
  assert.match(await sport.text(), /Sport rules/);
  assert.doesNotMatch(await news.text(), /Sport rules/);
  for (const r of [sport, news]) assert.ok(varies(r).includes('origin'));
});

test('what does not depend on the Origin does not say it: the widget\'s files, /healthz', async () => {
  for (const origin of [null, ALLOWED]) {
    const js = await get('/embed.js', origin);
    assert.equal(js.status, 200);
    assert.deepEqual(varies(js), ['accept-encoding']);
    const h = await get('/healthz', origin);
    assert.equal(h.status, 200);
    assert.ok(!varies(h).includes('origin'), h.headers.get('vary'));
  }
});
