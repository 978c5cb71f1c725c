// tests/proxy/tls.test.mjs: the production nginx configuration
// (dist/nginx/parley.conf) in front of a real `parley serve`, over HTTPS.
//
// The test makes a self-signed certificate for 127.0.0.1 with openssl in a
// temporary directory, writes Parley's settings as docs/DEPLOY.md gives them
// (public_url, trusted_proxy, max_body), and runs dist/nginx/parley.conf
// itself with only its ports and paths replaced (each replacement must match
// exactly once, so an edit to the file that moves them fails here instead of
// testing something else). nginx runs as the current user from the same
// directory (lib/nginx.mjs). Node's clients trust the certificate; Chromium
// is told to ignore certificate errors.
//
// Checked through nginx: HTTP/2 negotiated, plain HTTP redirected (except
// certbot's challenges), HSTS
// sent, the session cookie marked Secure, the client's own address reaching
// Parley through X-Forwarded-For (and a forged one dropped), the body limit
// answered in Parley's error shape, a live-update event delivered while its
// stream stays open, static files served from nginx's cache, and the widget
// in Chromium: a reader registers and posts, another sees it arrive live.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import http2 from 'node:http2';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, BIN } from '../lib/server.mjs';
import { NGINX, freePort, startNginx } from '../lib/nginx.mjs';
import { launch, articlePage, registerInPage } from '../lib/browser.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const DIST = path.resolve(here, '..', '..', 'dist', 'nginx', 'parley.conf');
const MAX_BODY = 65536;

let dir, server, front, browser, ca, base, httpPort, metricsUrl;

// Replaces `from` in `text`, which must hold it exactly once.
function replaceOnce(text, from, to) {
  const n = text.split(from).length - 1;
  assert.equal(n, 1, `dist/nginx/parley.conf should hold "${from}" once, holds it ${n} times`);
  return text.replace(from, () => to);
}

function openssl(args) {
  const r = spawnSync('openssl', args, { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`openssl ${args[0]}: ${r.error?.message ?? r.stderr}`);
}

// An HTTP/2 session to nginx that trusts the test certificate; extra options
// go to tls.connect (localAddress picks the client's address).
function connect(opts = {}) {
  return new Promise((resolve, reject) => {
    const s = http2.connect(base, { ca, ...opts });
    s.once('connect', () => { s.off('error', reject); resolve(s); });
    s.once('error', reject);
  });
}

// One request on an HTTP/2 session: {status, headers, text, json}.
function request(session, method, p, { headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const h = { ':method': method, ':path': p, ...headers };
    if (body !== undefined && !('content-type' in h)) h['content-type'] = 'application/json';
    const s = session.request(h, { endStream: body === undefined });
    let res;
    const chunks = [];
    s.on('response', (hd) => { res = hd; });
    s.on('data', (c) => chunks.push(c));
    s.on('end', () => {
      const text = Buffer.concat(chunks).toString();
      let json = null;
      try { json = text ? JSON.parse(text) : null; } catch { json = null; }
      resolve({ status: res[':status'], headers: res, text, json, bytes: Buffer.concat(chunks).length });
    });
    // nginx may reset the stream after answering early (413): the answer counts.
    s.on('error', (e) => (res ? s.emit('end') : reject(e)));
    if (body !== undefined) s.end(typeof body === 'string' ? body : JSON.stringify(body));
  });
}

// The sum of parley_http_requests_total for one route, from /metrics.
async function served(route) {
  const text = await (await fetch(metricsUrl)).text();
  let n = 0;
  for (const m of text.matchAll(/^parley_http_requests_total\{route="([^"]*)",status="[^"]*"\} (\d+)$/gm)) {
    if (m[1] === route) n += Number(m[2]);
  }
  return n;
}

// Resolves with the first line of Parley's log matching `re` (bounded).
function logLine(re, limit = 5000) {
  return new Promise((resolve, reject) => {
    const find = () => server.log().split('\n').find((l) => re.test(l));
    const done = (l) => { clearTimeout(timer); server.proc.stderr.off('data', onData); resolve(l); };
    const onData = () => { const l = find(); if (l) done(l); };
    const timer = setTimeout(() => {
      server.proc.stderr.off('data', onData);
      reject(new Error(`no log line ${re} within ${limit} ms:\n${server.log()}`));
    }, limit);
    server.proc.stderr.on('data', onData);
    onData();
  });
}

before(async () => {
  assert.ok(NGINX, 'nginx is installed (Debian nginx-light, in DEB_TEST)');
  dir = mkdtempSync(path.join(tmpdir(), 'parley-tls-'));
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
    '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')]);
  ca = readFileSync(path.join(dir, 'cert.pem'));

  const httpsPort = await freePort();
  httpPort = await freePort();
  base = `https://127.0.0.1:${httpsPort}`;
  // Parley's side, as docs/DEPLOY.md gives it (log_addresses = full so the
  // test can read the forwarded address in the log).
  writeFileSync(path.join(dir, 'parley.conf'), [
    `public_url = ${base}`,
    'trusted_proxy = 127.0.0.1',
    `max_body = ${MAX_BODY}`,
    'log_addresses = full',
    '',
  ].join('\n'));
  server = await startServer({ args: ['--config', path.join(dir, 'parley.conf'), '--metrics-listen', '127.0.0.1:0'] });
  metricsUrl = (await logLine(/msg="metrics listening"/)).match(/url=(\S+)/)[1];

  let conf = readFileSync(DIST, 'utf8');
  conf = replaceOnce(conf, 'server 127.0.0.1:8080;', `server ${new URL(server.url).host};`);
  conf = replaceOnce(conf, 'listen 80;', `listen 127.0.0.1:${httpPort};`);
  conf = replaceOnce(conf, 'listen 443 ssl http2;', `listen 127.0.0.1:${httpsPort} ssl http2;`);
  conf = replaceOnce(conf, '/etc/letsencrypt/live/comments.example.com/fullchain.pem', path.join(dir, 'cert.pem'));
  conf = replaceOnce(conf, '/etc/letsencrypt/live/comments.example.com/privkey.pem', path.join(dir, 'key.pem'));
  conf = replaceOnce(conf, '/var/cache/nginx/parley', path.join(dir, 'cache'));
  conf = replaceOnce(conf, 'root /var/www/html;', `root ${path.join(dir, 'www')};`);
  mkdirSync(path.join(dir, 'www', '.well-known', 'acme-challenge'), { recursive: true });
  writeFileSync(path.join(dir, 'www', '.well-known', 'acme-challenge', 'token-1'), 'token-1.key\n');
  writeFileSync(path.join(dir, 'parley-nginx.conf'), conf);
  front = await startNginx(dir, `  include ${path.join(dir, 'parley-nginx.conf')};`, async () => {
    const s = await connect();
    try { return (await request(s, 'GET', '/healthz')).status === 200; } finally { s.close(); }
  });
});

after(async () => {
  await browser?.close();
  if (front) {
    const r = await front.stop();
    assert.equal(r.code, 0, `nginx exited ${r.code ?? r.sig}:\n${front.log()}`);
  }
  if (server) {
    const r = await server.stop();
    assert.equal(r.code, 0, `parley exited ${r.code ?? r.sig}:\n${server.log()}`);
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('HTTPS with HTTP/2 and TLS 1.3, HSTS, no nginx version; plain HTTP redirects but for certbot', async () => {
  assert.doesNotMatch(front.log(), /\[(warn|error|crit|alert|emerg)\]/, 'nginx started without a complaint');
  const s = await connect();
  try {
    assert.equal(s.alpnProtocol, 'h2', 'HTTP/2 negotiated');
    assert.equal(s.socket.getProtocol(), 'TLSv1.3');
    const r = await request(s, 'GET', '/healthz');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers['strict-transport-security'], 'max-age=63072000');
    assert.equal(r.headers.server, 'nginx', 'server_tokens off: no version');
    assert.equal(r.headers['x-content-type-options'], 'nosniff', "Parley's own headers pass through");
  } finally {
    s.close();
  }
  const plain = (p) => new Promise((resolve, reject) => {
    http.get(`http://127.0.0.1:${httpPort}${p}`, (res) => {
      let text = '';
      res.on('data', (c) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text }));
    }).on('error', reject);
  });
  const redirect = await plain('/embed.js?v=1');
  assert.equal(redirect.status, 301);
  assert.equal(redirect.headers.location, 'https://comments.example.com/embed.js?v=1');
  // certbot's renewal challenge is answered over plain HTTP.
  const acme = await plain('/.well-known/acme-challenge/token-1');
  assert.equal(acme.status, 200);
  assert.equal(acme.text, 'token-1.key\n');
});

test("the session cookie is Secure, and Parley sees the client's address, not a forged one", async () => {
  // The client connects from 127.0.0.2; nginx (on 127.0.0.1, trusted_proxy)
  // forwards that address. The forged X-Forwarded-For must not survive.
  const s = await connect({ localAddress: '127.0.0.2' });
  try {
    const r = await request(s, 'POST', '/api/v1/auth/register', {
      headers: { origin: base, 'x-forwarded-for': '198.51.100.7' },
      body: { name: 'Fern Forwarded', email: 'fern@example.org', password: 'correct horse battery' },
    });
    assert.equal(r.status, 201, r.text);
    const cookie = [].concat(r.headers['set-cookie']).find((c) => c.startsWith('parley_session='));
    assert.ok(cookie, 'a session cookie is set');
    assert.match(cookie, /; Secure/, 'public_url is https, so the cookie is Secure');
    assert.match(cookie, /; HttpOnly/);
    const line = await logLine(new RegExp(`msg=registered user=${r.json.user.id} `));
    assert.match(line, / client=127\.0\.0\.2$/, line);
  } finally {
    s.close();
  }
});

test("bodies over max_body are refused by nginx in Parley's error shape; max_body itself reaches Parley", async () => {
  const s = await connect();
  try {
    const pad = (n) => JSON.stringify({ body: 'x'.repeat(n - 11) }); // {"body":"..."} is n bytes
    assert.equal(pad(MAX_BODY).length, MAX_BODY);
    const before = await served('POST /api/v1/articles/*/comments');
    const over = await request(s, 'POST', '/api/v1/articles/tls-limit/comments',
      { headers: { origin: base }, body: pad(MAX_BODY + 1) });
    assert.equal(over.status, 413, over.text);
    assert.match(over.headers['content-type'], /^application\/json/);
    assert.deepEqual(over.json, { error: { code: 'too_large', message: `The request body is larger than the limit of ${MAX_BODY} bytes.` } });
    assert.equal(await served('POST /api/v1/articles/*/comments'), before, 'nginx answered, Parley never saw it');

    // Exactly max_body passes nginx; Parley answers (not logged in: 401).
    const at = await request(s, 'POST', '/api/v1/articles/tls-limit/comments',
      { headers: { origin: base }, body: pad(MAX_BODY) });
    assert.equal(at.status, 401, at.text);
    assert.equal(at.json.error.code, 'login_required', at.text);
    assert.equal(await served('POST /api/v1/articles/*/comments'), before + 1);
  } finally {
    s.close();
  }
});

test('a live-update event arrives through nginx while the stream stays open', async () => {
  const s = await connect();
  try {
    const reg = await request(s, 'POST', '/api/v1/auth/register', {
      headers: { origin: base },
      body: { name: 'Lior Live', email: 'lior@example.org', password: 'correct horse battery' },
    });
    assert.equal(reg.status, 201, reg.text);
    const cookie = [].concat(reg.headers['set-cookie'])[0].split(';')[0];

    // The stream and the post share one HTTP/2 connection.
    const stream = s.request({ ':method': 'GET', ':path': '/api/v1/articles/tls-live/events' });
    let buf = '';
    let hello, onEvent;
    const opened = new Promise((resolve, reject) => {
      hello = resolve;
      stream.on('response', (h) => {
        if (h[':status'] !== 200) reject(new Error(`events: HTTP ${h[':status']}`));
        assert.match(h['content-type'], /^text\/event-stream/);
        assert.equal(h['content-encoding'], undefined, 'not compressed (would be buffered)');
      });
      stream.on('error', reject);
    });
    const event = new Promise((resolve) => { onEvent = resolve; });
    stream.on('data', (chunk) => {
      buf += chunk;
      let i;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        if (block.startsWith('retry:')) hello();
        const data = block.split('\n').find((l) => l.startsWith('data: '));
        if (data) onEvent(JSON.parse(data.slice(6)));
      }
    });
    let timer;
    const limit = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error('no event within 5 s')), 5000); });
    try {
      // The first lines (25 bytes) arrive on their own: nothing buffers them.
      await Promise.race([opened, limit]);
      const c = await request(s, 'POST', '/api/v1/articles/tls-live/comments',
        { headers: { origin: base, cookie }, body: { body: 'Good to see the ferry running again.' } });
      assert.equal(c.status, 201, c.text);
      assert.deepEqual(await Promise.race([event, limit]),
        { type: 'created', comment_id: c.json.comment.id, author_id: c.json.comment.author.id });
      assert.equal(stream.closed, false, 'the stream is still open');
    } finally {
      clearTimeout(timer);
      stream.close();
    }
  } finally {
    s.close();
  }
});

test("static files are served from nginx's cache; API answers are not", async () => {
  const version = spawnSync(BIN, ['--version'], { encoding: 'utf8' }).stdout.match(/embed\.js\?v=(\w+)/)[1];
  const s = await connect();
  try {
    const get = (p, headers = {}) => request(s, 'GET', p, { headers: { 'accept-encoding': 'gzip', ...headers } });
    const start = await served('static');
    const first = await get(`/embed.css?v=${version}`);
    assert.equal(first.status, 200);
    assert.equal(first.headers['content-encoding'], 'gzip');
    assert.equal(first.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(first.headers['strict-transport-security'], 'max-age=63072000');
    assert.equal(await served('static'), start + 1, 'the first request went to Parley');

    const again = await get(`/embed.css?v=${version}`);
    assert.equal(again.status, 200);
    assert.equal(again.bytes, first.bytes);
    assert.equal(again.headers.etag, first.headers.etag);
    const revalidated = await get(`/embed.css?v=${version}`, { 'if-none-match': first.headers.etag });
    assert.equal(revalidated.status, 304);
    assert.equal(await served('static'), start + 1, 'nginx answered both from its cache');

    // Another encoding is another entry (Vary: Accept-Encoding). Parley
    // makes its brotli copies in the background after it starts listening:
    // under ASan on a loaded 2-core machine that took 16 s for the 58 KB of
    // brotli the assets (widget catalogues included) make, hence the bound.
    await logLine(/msg="static files compressed"/, 60000);
    const br = await get(`/embed.css?v=${version}`, { 'accept-encoding': 'br' });
    assert.equal(br.headers['content-encoding'], 'br');
    assert.equal(await served('static'), start + 2);

    const route = 'GET /api/v1/articles/*/comments';
    const api = await served(route);
    for (let i = 0; i < 2; i++) assert.equal((await get('/api/v1/articles/tls-static/comments')).status, 200);
    assert.equal(await served(route), api + 2, 'every API read reaches Parley');
  } finally {
    s.close();
  }
});

test('the widget through nginx in Chromium: a reader registers and posts, another sees it live', async () => {
  browser = await launch();
  const article = 'tls-widget';
  const watcherCtx = await browser.newContext({ ignoreHTTPSErrors: true });
  const watcher = await articlePage(watcherCtx, base, article);
  await watcher.locator('section.pl[data-live=open]').waitFor({ state: 'attached' });

  const ctx = await browser.newContext({ ignoreHTTPSErrors: true });
  const page = await articlePage(ctx, base, article);
  const protocol = await page.evaluate(() =>
    performance.getEntriesByType('resource').find((e) => e.name.includes('/embed.js')).nextHopProtocol);
  assert.equal(protocol, 'h2', 'the widget came over HTTP/2');
  await registerInPage(page, 'Wren Widget', 'wren@example.org');
  const session = (await ctx.cookies(base)).find((c) => c.name === 'parley_session');
  assert.ok(session, 'logged in');
  assert.equal(session.secure, true);
  assert.equal(session.httpOnly, true);

  await page.getByLabel('Join the discussion').fill('Posted through nginx over HTTP/2.');
  await page.getByRole('button', { name: 'Post comment' }).click();
  await page.locator('article.pl-c', { hasText: 'Posted through nginx over HTTP/2.' }).waitFor();
  await page.locator('[role=status]', { hasText: 'Your comment was posted.' }).waitFor();

  // The other reader's open stream announces it; showing it loads it.
  const show = watcher.getByRole('button', { name: 'Show 1 new comment', exact: true });
  await show.click();
  await watcher.locator('article.pl-c', { hasText: 'Posted through nginx over HTTP/2.' }).waitFor();
  assert.deepEqual(page.errors, []);
  assert.deepEqual(watcher.errors, []);
  await ctx.close();
  await watcherCtx.close();
});
