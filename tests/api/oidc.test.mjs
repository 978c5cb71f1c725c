// tests/api/oidc.test.mjs: OpenID Connect login (docs/ACCOUNTS.md) against a
// real provider on loopback (tests/lib/oidc.mjs: panva's oidc-provider):
// discovery, the code flow with PKCE, RS256 and ES256 ID tokens, a wrong
// signature, a wrong audience, an expired token, a replayed state, a key
// rotation (and the limit on fetching keys again), the linking rules shared
// with single sign-on, staff names, and the settings check.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { startServer, Client, createUser, BIN } from '../lib/server.mjs';
import { expectError, stopClean, configFile } from '../lib/api.mjs';
import { freePort } from '../lib/smtp.mjs';
import { startProvider, providerConfig, Jar, walkProvider } from '../lib/oidc.mjs';

// A Parley server at its own public_url with the providers given as
// [name, provider, extra settings] triples.
async function oidcServer(providers, extra = '') {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const conf = configFile([`public_url = ${url}`, extra,
    ...providers.map(([name, p, more]) => providerConfig(name, p, more))].join('\n'));
  const srv = await startServer({ listen: `127.0.0.1:${port}`, args: ['--config', conf] });
  assert.equal(srv.url, url);
  return srv;
}

// The redirect_uri a provider named `name` must allow for a server on port.
const callbackFor = (url, name) => `${url}/api/v1/auth/oidc/${name}/callback`;

// Starts a login as a browser does: the start redirect (keeping the state
// cookie in jar), then the provider's pages, up to the address the provider
// sends the browser back to. finish() follows that address.
async function beginLogin(srv, { client = new Client(srv.url), provider = 'main', returnTo, link } = {}) {
  const q = new URLSearchParams();
  if (returnTo) q.set('return_to', returnTo);
  if (link) q.set('link', 'true');
  const start = await client.get(`/api/v1/auth/oidc/${provider}/start?${q}`);
  assert.equal(start.status, 302, start.text);
  assert.equal(start.headers.get('cache-control'), 'no-store');
  const jar = new Jar();
  jar.take(start);
  assert.ok(jar.map.has('parley_oidc'), 'the state cookie is set');
  assert.match(start.headers.get('set-cookie'), /parley_oidc=[^;]+; Path=\/api\/v1\/auth\/oidc\/; HttpOnly; SameSite=Lax; Max-Age=600/);
  const authUrl = start.headers.get('location');
  const callback = await walkProvider(authUrl);
  const finish = async (cb = callback, cookies = jar) => {
    const u = new URL(cb);
    return client.get(u.pathname + u.search, { cookie: cookies.header() });
  };
  return { client, jar, authUrl, callback, finish };
}

async function login(srv, opts) {
  const l = await beginLogin(srv, opts);
  return { ...l, res: await l.finish() };
}

let srv, prov, srvPort;

before(async () => {
  srvPort = await freePort();
  const url = `http://127.0.0.1:${srvPort}`;
  prov = await startProvider({ redirectUri: callbackFor(url, 'main') });
  const conf = configFile([`public_url = ${url}`, 'oidc_jwks_refetch_s = 0',
    providerConfig('main', prov, { display_name: 'Example ID' })].join('\n'));
  srv = await startServer({ listen: `127.0.0.1:${srvPort}`, args: ['--config', conf] });
});

after(async () => {
  const log = srv.log();
  await stopClean(srv);
  await prov.close();
  // Neither the client secret nor a code or token reaches the log.
  assert.ok(!log.includes(prov.clientSecret), 'the client secret is not logged');
  assert.doesNotMatch(log, /code=|id_token|eyJ/);
});

test('GET /auth/oidc lists the configured providers for the widget', async () => {
  const r = await new Client(srv.url).get('/api/v1/auth/oidc');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json, { providers: [{ id: 'main', name: 'Example ID', start: '/api/v1/auth/oidc/main/start' }] });
});

test('a reader signs in with the code flow and PKCE; the same subject finds the same account', async () => {
  prov.account = 'alice';
  const returnTo = `${srv.url}/articles/one?x=1#comments`;
  const { res, client, authUrl } = await login(srv, { returnTo });
  const q = new URL(authUrl).searchParams;
  assert.equal(q.get('response_type'), 'code');
  assert.equal(q.get('code_challenge_method'), 'S256');
  assert.match(q.get('code_challenge'), /^[A-Za-z0-9_-]{43}$/);
  assert.match(q.get('nonce'), /^[A-Za-z0-9_-]{43}$/);
  assert.equal(q.get('scope'), 'openid email profile');
  assert.equal(res.status, 303, res.text);
  assert.equal(res.headers.get('location'), returnTo);
  assert.match(res.headers.get('set-cookie'), /parley_oidc=; Path=\/api\/v1\/auth\/oidc\/;[^,]*Max-Age=0/);
  const me = await client.get('/api/v1/me');
  assert.equal(me.status, 200, me.text);
  assert.equal(me.json.user.name, 'Alice Liddell');
  const exp = await client.get('/api/v1/me/export');
  assert.equal(exp.json.user.email, 'alice@example.org');
  // The session writes like any other.
  const post = await client.post('/api/v1/articles/oidc-1/comments', { body: 'Signed in through my provider.' });
  assert.equal(post.status, 201, post.text);

  const again = await login(srv);
  assert.equal(again.res.status, 303, again.res.text);
  assert.equal(again.res.headers.get('location'), `${srv.url}/`, 'without return_to: the site');
  const me2 = await again.client.get('/api/v1/me');
  assert.equal(me2.json.user.id, me.json.user.id);
});

test('start refuses a return_to on another site, an unknown provider, and a bad link value', async () => {
  const c = new Client(srv.url);
  expectError(await c.get('/api/v1/auth/oidc/main/start?return_to=https%3A%2F%2Fevil.example%2F'), 400, 'invalid_field', 'return_to');
  expectError(await c.get(`/api/v1/auth/oidc/main/start?return_to=${encodeURIComponent(srv.url + '/a\r\nSet-Cookie: x=1')}`), 400, 'invalid_field', 'return_to');
  expectError(await c.get('/api/v1/auth/oidc/nope/start'), 404, 'not_found');
  expectError(await c.get('/api/v1/auth/oidc/main/start?link=yes'), 400, 'invalid_field', 'link');
  expectError(await c.get('/api/v1/auth/oidc/main/start?link=true'), 401, 'login_required');
});

test('an ID token with a wrong signature is refused', async () => {
  prov.account = 'alice';
  prov.tamper('signature');
  try {
    const { res, client } = await login(srv);
    expectError(res, 401, 'invalid_token');
    assert.match(res.json.error.message, /signature/);
    assert.equal((await client.get('/api/v1/me')).status, 401, 'no session');
  } finally {
    prov.tamper(null);
  }
});

test('an ID token for another audience is refused', async () => {
  prov.tamper('audience');
  try {
    const { res } = await login(srv);
    expectError(res, 401, 'invalid_token');
    assert.match(res.json.error.message, /another client/);
  } finally {
    prov.tamper(null);
  }
});

test('an expired ID token is refused', async () => {
  prov.tamper('expired');
  try {
    const { res } = await login(srv);
    expectError(res, 401, 'invalid_token');
    assert.match(res.json.error.message, /expired/);
  } finally {
    prov.tamper(null);
  }
});

test('a state is good for one login: a replay with a fresh code is refused', async () => {
  prov.account = 'alice';
  const l = await beginLogin(srv);
  const first = await l.finish();
  assert.equal(first.status, 303, first.text);
  // The same authorization request again gives a new code for the same
  // state; with the state cookie kept, it must still not log in twice.
  const second = await walkProvider(l.authUrl);
  assert.notEqual(second, l.callback);
  const tokensBefore = prov.tokenRequests;
  const replay = await new Client(srv.url).get(new URL(second).pathname + new URL(second).search, { cookie: l.jar.header() });
  expectError(replay, 400, 'invalid_state');
  assert.match(replay.json.error.message, /completed already/);
  assert.equal(prov.tokenRequests, tokensBefore + 1);
});

test('a callback without the state cookie, or with another state, is refused before the provider is asked', async () => {
  const l = await beginLogin(srv);
  const tokensBefore = prov.tokenRequests;
  const c = new Client(srv.url);
  const u = new URL(l.callback);
  expectError(await c.get(u.pathname + u.search), 400, 'invalid_state', 'state');
  u.searchParams.set('state', 'A'.repeat(43));
  expectError(await c.get(u.pathname + u.search, { cookie: l.jar.header() }), 400, 'invalid_state', 'state');
  // A cookie altered by the browser's owner fails its MAC.
  const forged = new Jar();
  forged.map.set('parley_oidc', l.jar.map.get('parley_oidc').replace(/\.\d+\./, '.9999999999.'));
  expectError(await l.finish(l.callback, forged), 400, 'invalid_state', 'state');
  const other = new URL(l.callback);
  other.searchParams.set('iss', 'https://other.example');
  expectError(await c.get(other.pathname + other.search, { cookie: l.jar.header() }), 400, 'invalid_state', 'iss');
  assert.equal(prov.tokenRequests, tokensBefore, 'the token endpoint was never called');
  expectError(await c.get('/api/v1/auth/oidc/main/callback?error=access_denied&error_description=The+user+said+no'), 401, 'provider_refused');
  // A browser (the callback is a page load) gets the same answer as a page,
  // with the provider's words escaped and a way back to the site.
  const page = await fetch(`${srv.url}/api/v1/auth/oidc/main/callback?error=access_denied&error_description=%3Cscript%3Ealert(1)%3C%2Fscript%3E`,
    { headers: { Accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.8' } });
  assert.equal(page.status, 401);
  assert.match(page.headers.get('content-type'), /^text\/html/);
  const html = await page.text();
  assert.match(html, /Sign-in did not complete/);
  assert.match(html, /provider_refused/);
  assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  assert.doesNotMatch(html, /<script>/);
  assert.match(html, /<a href="http:\/\/[^"]+\/">Back to the comments<\/a>/);
  // In the browser's language (docs/I18N.md): the code's sentence from the
  // catalogue, the server's own (English) words kept beside it.
  const DE = JSON.parse(readFileSync(new URL('../../web/i18n/site/de.json', import.meta.url), 'utf8'));
  const de = await fetch(`${srv.url}/api/v1/auth/oidc/main/callback?error=access_denied`,
    { headers: { Accept: 'text/html', 'Accept-Language': 'de-AT, en;q=0.5' } });
  assert.equal(de.status, 401);
  assert.equal(de.headers.get('content-language'), 'de');
  const dt = await de.text();
  assert.match(dt, /<html lang="de" dir="ltr">/);
  assert.ok(dt.includes(`<h1>${DE.oidc_title}</h1>`), dt);
  assert.ok(dt.includes(`<p>${DE.oidc_err_provider_refused}</p>`));
  assert.match(dt, /<p lang="en" dir="ltr">The sign-in provider did not sign you in \(access_denied\)\.<\/p>/);
  assert.match(dt, new RegExp(`<a href="http://[^"]+/">${DE.oidc_back}</a>`));
});

test('the provider rotates its keys: the new key is fetched on its first token', async () => {
  prov.account = 'alice';
  assert.equal((await login(srv)).res.status, 303);
  const before = prov.jwksRequests;
  prov.rotate();
  const { res } = await login(srv);
  assert.equal(res.status, 303, res.text);
  assert.equal(prov.jwksRequests, before + 1, 'one fetch of the new key set');
  assert.equal((await login(srv)).res.status, 303);
  assert.equal(prov.jwksRequests, before + 1, 'the new keys are kept');
});

test('fetching keys again is rate-limited; ES256 tokens verify', async () => {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const es = await startProvider({ redirectUri: callbackFor(url, 'es'), alg: 'ES256' });
  const conf = configFile([`public_url = ${url}`, 'oidc_jwks_refetch_s = 3600', providerConfig('es', es)].join('\n'));
  const s = await startServer({ listen: `127.0.0.1:${port}`, args: ['--config', conf] });
  try {
    const ok = await login(s, { provider: 'es' });
    assert.equal(ok.res.status, 303, ok.res.text);
    assert.equal((await ok.client.get('/api/v1/me/export')).json.user.email, 'alice@example.org');
    assert.equal(es.jwksRequests, 1);
    es.rotate();
    const { res } = await login(s, { provider: 'es' });
    expectError(res, 401, 'invalid_token');
    assert.equal(es.jwksRequests, 1, 'no second fetch within oidc_jwks_refetch_s');
    assert.match(s.log(), /fetched too recently/);
  } finally {
    await stopClean(s);
    await es.close();
  }
});

test('a provider never takes over a password or staff account; the owner links it explicitly', async () => {
  createUser(srv.dbUrl, { email: 'ed@example.org', name: 'Editor Ed', role: 'moderator' });
  const pw = new Client(srv.url);
  assert.equal((await pw.register('Pat', 'pat@example.org')).status, 201);
  prov.accounts.pat = { email: 'pat@example.org', email_verified: true, name: 'Pat at provider' };
  prov.accounts.ed = { email: 'ed@example.org', email_verified: true, name: 'Not the editor' };

  prov.account = 'pat';
  const r1 = await login(srv);
  expectError(r1.res, 409, 'email_taken');
  assert.equal((await r1.client.get('/api/v1/me')).status, 401);
  prov.account = 'ed';
  expectError((await login(srv)).res, 409, 'email_taken');

  // Pat, logged in with the password, links the provider's account.
  prov.account = 'pat';
  const linked = await login(srv, { client: pw, link: true });
  assert.equal(linked.res.status, 303, linked.res.text);
  const mine = (await pw.get('/api/v1/me')).json.user;
  const viaProvider = await login(srv);
  assert.equal(viaProvider.res.status, 303, viaProvider.res.text);
  assert.equal((await viaProvider.client.get('/api/v1/me')).json.user.id, mine.id);
  // The password still works.
  assert.equal((await new Client(srv.url).login('pat@example.org')).status, 200);
});

test('an unverified address is not linked; a staff name is refused', async () => {
  prov.accounts.quinn = { email: 'quinn@example.org', email_verified: true, name: 'Quinn' };
  prov.account = 'quinn';
  assert.equal((await login(srv)).res.status, 303);
  // Another subject claiming the same address without verifying it.
  prov.accounts.mallory = { email: 'quinn@example.org', email_verified: false, name: 'Mallory' };
  prov.account = 'mallory';
  expectError((await login(srv)).res, 409, 'email_taken');

  createUser(srv.dbUrl, { email: 'chief@example.org', name: 'The Chief Editor', role: 'admin' });
  prov.accounts.fake = { email: 'fake@example.org', email_verified: true, name: 'The Chief Edit0r' };
  prov.account = 'fake';
  const r = await login(srv);
  expectError(r.res, 409, 'name_taken');
  assert.equal((await r.client.get('/api/v1/me')).status, 401);
});

test('config: OpenID Connect settings are checked before serving', () => {
  const cases = [
    ['public_url = https://c.example\noidc.g.issuer = https://accounts.google.com\noidc.g.client_id = x', /needs issuer, client_id and client_secret/],
    ['public_url = https://c.example\noidc.g.issuer = http://id.example.org\noidc.g.client_id = x\noidc.g.client_secret = y', /must be an https:\/\/ URL/],
    ['oidc.g.issuer = https://accounts.google.com\noidc.g.client_id = x\noidc.g.client_secret = y', /public_url must be set/],
    ['public_url = https://c.example\noidc.g.colour = blue', /unknown field/],
    ['public_url = https://c.example\noidc.G!.issuer = https://a.example', /oidc.NAME.FIELD/],
  ];
  for (const [text, want] of cases) {
    const r = spawnSync(BIN, ['config', '--check', '--config', configFile(text)], { encoding: 'utf8' });
    assert.equal(r.status, 2, `${text}\n${r.stderr}`);
    assert.match(r.stderr, want);
  }
  const good = spawnSync(BIN, ['config', '--check', '--config', configFile('public_url = https://c.example\noidc.g.issuer = https://accounts.google.com\noidc.g.client_id = x\noidc.g.client_secret = y')], { encoding: 'utf8' });
  assert.equal(good.status, 0, good.stderr);
});

test('a provider that cannot be reached gives 502 and the server stays up', async () => {
  const port = await freePort();
  const dead = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const conf = configFile([`public_url = ${url}`, `oidc.gone.issuer = http://127.0.0.1:${dead}`, 'oidc.gone.client_id = x', 'oidc.gone.client_secret = y'].join('\n'));
  const s = await startServer({ listen: `127.0.0.1:${port}`, args: ['--config', conf] });
  try {
    const c = new Client(s.url);
    expectError(await c.get('/api/v1/auth/oidc/gone/start'), 502, 'provider_unavailable');
    assert.equal((await c.get('/api/v1/auth/oidc')).status, 200);
  } finally {
    await stopClean(s);
  }
});
