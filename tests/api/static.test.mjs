// tests/api/static.test.mjs: the widget's files as a CDN sees them (issue 13):
// gzip and brotli chosen by Accept-Encoding, strong ETags per representation,
// 304 on If-None-Match, Vary: Accept-Encoding, a year of caching for the
// versioned URL (/embed.js?v=VERSION) and five minutes for the plain one.
// node:http is used instead of fetch, which would add its own
// Accept-Encoding and decompress behind our back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import zlib from 'node:zlib';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BIN, startServer } from '../lib/server.mjs';
import { stopClean } from '../lib/api.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const SOURCE = readFileSync(path.join(here, '..', '..', 'web', 'embed.js'), 'utf8');
// The served embed.js is web/embed.js without its comment lines (tools/bin2c.c):
// a line that starts with //, and the lines of a block comment that starts
// and ends a line.
function withoutComments(js) {
  let block = false;
  return js.split(/(?<=\n)/).filter((l) => {
    const s = l.replace(/\r?\n$/, '').trim();
    const drop = block || s.startsWith('//') || s.startsWith('/*');
    if (!block && s.startsWith('/*')) block = true;
    if (block && s.endsWith('*/')) block = false;
    return !drop;
  }).join('');
}
const EMBED = Buffer.from(withoutComments(SOURCE));
const CSS = readFileSync(path.join(here, '..', '..', 'web', 'embed.css'));

let srv;
let version;

function get(p, headers = {}, method = 'GET') {
  const u = new URL(srv.url + p);
  return new Promise((resolve, reject) => {
    const rq = http.request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    rq.on('error', reject);
    rq.end();
  });
}

// Resolves once the server has logged that the brotli copies are ready.
function brotliReady() {
  return new Promise((resolve) => {
    const check = () => {
      if (/msg="static files compressed"/.test(srv.log())) { resolve(); return true; }
      return false;
    };
    if (check()) return;
    const on = () => { if (check()) srv.proc.stderr.off('data', on); };
    srv.proc.stderr.on('data', on);
  });
}

before(async () => {
  srv = await startServer();
  version = srv.log().match(/ assets=([0-9a-f]{16})/)[1];
});
after(async () => { await stopClean(srv); });

test('parley --version names the version, the commit and the versioned widget URL', () => {
  const r = spawnSync(BIN, ['--version'], { encoding: 'utf8' });
  assert.equal(r.status, 0);
  const lines = r.stdout.trim().split('\n');
  assert.match(lines[0], /^parley \d+\.\d+\.\d+ \(commit ([0-9a-f]{12}(-dirty)?|unknown)\)$/);
  const file = readFileSync(path.join(here, '..', '..', 'VERSION'), 'utf8').trim();
  assert.ok(lines[0].startsWith(`parley ${file} `), `${lines[0]} carries VERSION ${file}`);
  assert.equal(lines[1], `widget: /embed.js?v=${version}`, 'the same version the server announces');
});

test('without Accept-Encoding: the bytes as built, a strong ETag, Vary, five minutes', async () => {
  const r = await get('/embed.js');
  assert.equal(r.status, 200);
  assert.equal(r.headers['content-encoding'], undefined);
  assert.ok(r.body.equals(EMBED), 'identity body is web/embed.js without its comment lines');
  assert.ok(EMBED.length < SOURCE.length * 0.9, `${EMBED.length} of ${Buffer.byteLength(SOURCE)} bytes`);
  const code = SOURCE.split('\n').filter((l) => l.trim() && !/^\s*(\/\/|\/\*|\*)/.test(l));
  for (const l of code) assert.ok(EMBED.includes(l + '\n'), `a line of code is served as written: ${l}`);
  assert.match(r.headers.etag, /^"[0-9a-f]{16}"$/);
  assert.equal(r.headers.vary, 'Accept-Encoding');
  assert.equal(r.headers['cache-control'], 'public, max-age=300');
  assert.match(r.headers['content-type'], /^text\/javascript/);
});

test('gzip is negotiated and decompresses to the same bytes, with its own ETag', async () => {
  const plain = await get('/embed.js');
  const r = await get('/embed.js', { 'accept-encoding': 'gzip, deflate' });
  assert.equal(r.status, 200);
  assert.equal(r.headers['content-encoding'], 'gzip');
  assert.ok(zlib.gunzipSync(r.body).equals(EMBED));
  assert.ok(r.body.length < EMBED.length / 2, `gzip ${r.body.length} of ${EMBED.length}`);
  assert.equal(Number(r.headers['content-length']), r.body.length);
  assert.equal(r.headers.etag, plain.headers.etag.replace(/"$/, '-gz"'));
  assert.equal(r.headers.vary, 'Accept-Encoding');
  const css = await get('/embed.css', { 'accept-encoding': 'x-gzip' });
  assert.equal(css.headers['content-encoding'], 'gzip');
  assert.ok(zlib.gunzipSync(css.body).equals(CSS));
});

test('brotli, once compressed, is preferred and decompresses to the same bytes', async () => {
  await brotliReady();
  const r = await get('/embed.js', { 'accept-encoding': 'gzip, deflate, br' });
  assert.equal(r.headers['content-encoding'], 'br');
  assert.ok(zlib.brotliDecompressSync(r.body).equals(EMBED));
  assert.match(r.headers.etag, /^"[0-9a-f]{16}-br"$/);
  const gz = await get('/embed.js', { 'accept-encoding': 'gzip' });
  assert.ok(r.body.length < gz.body.length, `brotli ${r.body.length} < gzip ${gz.body.length}`);
});

test('q=0 refuses a coding; * accepts the unnamed ones; unknown codings get identity', async () => {
  await brotliReady();
  const cases = [
    ['gzip;q=0, br;q=0.000', undefined],
    ['br;q=0, gzip;q=0.8', 'gzip'],
    ['*', 'br'],
    ['*;q=0.1, br;q=0', 'gzip'],
    ['*;q=0', undefined],
    ['identity', undefined],
    ['deflate, compress', undefined],
    ['GZIP ; Q=1', 'gzip'],
  ];
  for (const [ae, want] of cases) {
    const r = await get('/embed.js', { 'accept-encoding': ae });
    assert.equal(r.headers['content-encoding'], want, `Accept-Encoding: ${ae}`);
    const body = want === 'gzip' ? zlib.gunzipSync(r.body) : want === 'br' ? zlib.brotliDecompressSync(r.body) : r.body;
    assert.ok(body.equals(EMBED), `Accept-Encoding: ${ae}: the same bytes`);
  }
});

test('If-None-Match: 304 without a body for the representation sent, 200 for another', async () => {
  const gz = await get('/embed.js', { 'accept-encoding': 'gzip' });
  const tag = gz.headers.etag;
  for (const inm of [tag, `W/${tag}`, `"nope", ${tag}`, '*']) {
    const r = await get('/embed.js', { 'accept-encoding': 'gzip', 'if-none-match': inm });
    assert.equal(r.status, 304, `If-None-Match: ${inm}`);
    assert.equal(r.body.length, 0);
    assert.equal(r.headers.etag, tag);
    assert.equal(r.headers['cache-control'], 'public, max-age=300');
    assert.equal(r.headers.vary, 'Accept-Encoding');
    assert.equal(r.headers['content-encoding'], undefined, 'a 304 carries no body to encode');
  }
  // The gzip tag does not validate the uncompressed representation.
  const plain = await get('/embed.js', { 'if-none-match': tag });
  assert.equal(plain.status, 200);
  assert.ok(plain.body.equals(EMBED));
  const stale = await get('/embed.js', { 'accept-encoding': 'gzip', 'if-none-match': '"0000000000000000-gz"' });
  assert.equal(stale.status, 200);
});

test('the versioned URL is cached for a year, an old version for five minutes', async () => {
  const r = await get(`/embed.js?v=${version}`, { 'accept-encoding': 'gzip' });
  assert.equal(r.status, 200);
  assert.equal(r.headers['cache-control'], 'public, max-age=31536000, immutable');
  assert.ok(zlib.gunzipSync(r.body).equals(EMBED));
  const css = await get(`/embed.css?v=${version}`);
  assert.equal(css.headers['cache-control'], 'public, max-age=31536000, immutable');
  const old = await get('/embed.js?v=0000000000000000');
  assert.equal(old.headers['cache-control'], 'public, max-age=300');
  assert.ok(old.body.equals(EMBED), 'an old versioned URL still gets the current widget');
  // HTML documents are always revalidated, compressed or not.
  const page = await get(`/?v=${version}`, { 'accept-encoding': 'gzip' });
  assert.equal(page.headers['cache-control'], 'no-cache');
  assert.equal(page.headers['content-encoding'], 'gzip');
  assert.match(page.headers['content-security-policy'], /default-src 'self'/);
});

test('HEAD gives the representation\'s length and no body', async () => {
  const gz = await get('/embed.js', { 'accept-encoding': 'gzip' });
  const r = await get('/embed.js', { 'accept-encoding': 'gzip' }, 'HEAD');
  assert.equal(r.status, 200);
  assert.equal(r.body.length, 0);
  assert.equal(Number(r.headers['content-length']), gz.body.length);
  assert.equal(r.headers['content-encoding'], 'gzip');
  assert.equal(r.headers.etag, gz.headers.etag);
});
