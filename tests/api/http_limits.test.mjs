// tests/api/http_limits.test.mjs: limits enforced where bytes arrive, spoken
// over raw sockets (node:net) because fetch() cannot send these requests.
// The server runs with request_timeout_ms = 1000 so the slow-client test is
// short; every request here uses its own connection with Connection: close,
// so no keep-alive socket races the server's idle deadline.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServer } from '../lib/server.mjs';
import { stopClean, configFile, rawRequest, parseResponse, hostPort } from '../lib/api.mjs';

let srv;

before(async () => {
  srv = await startServer({ args: ['--config', configFile('request_timeout_ms = 1000\n')] });
});

after(async () => { await stopClean(srv); });

async function healthy() {
  const res = parseResponse((await rawRequest(srv.url, 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).data);
  assert.ok(res, 'no response to /healthz');
  assert.equal(res.status, 200);
}

test('two different Content-Length headers: 400 and the connection closes', async () => {
  // No Connection: close from the client: the server must close by itself.
  const raw = 'POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
    'Content-Length: 2\r\nContent-Length: 40\r\n\r\n{}' +
    'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n';
  const { data, closed } = await rawRequest(srv.url, raw);
  assert.ok(closed);
  const res = parseResponse(data);
  assert.ok(res, `no response: ${data}`);
  assert.equal(res.status, 400);
  assert.equal(res.headers.connection.toLowerCase(), 'close');
  assert.equal(JSON.parse(res.body.slice(0, Number(res.headers['content-length']))).error.code, 'bad_request');
  // The smuggled second request was never answered.
  assert.equal(data.match(/HTTP\/1\.1 \d{3}/g).length, 1, data);
  await healthy();
});

test('Content-Length beside Transfer-Encoding: chunked is refused', async () => {
  const raw = 'POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
    'Content-Length: 7\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n';
  const { data } = await rawRequest(srv.url, raw);
  const res = parseResponse(data);
  assert.ok(res, `no response: ${data}`);
  assert.equal(res.status, 400);
  assert.equal(data.match(/HTTP\/1\.1 \d{3}/g).length, 1, data);
  await healthy();
});

test('a header block over 8 KiB is refused; one under it is served', async () => {
  let { data } = await rawRequest(srv.url, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Filler: ${'a'.repeat(9000)}\r\nConnection: close\r\n\r\n`);
  let res = parseResponse(data);
  assert.ok(res, `no response to the oversize header: ${data.slice(0, 200)}`);
  assert.ok(res.status >= 400 && res.status < 500, `status ${res.status}`);
  ({ data } = await rawRequest(srv.url, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Filler: ${'a'.repeat(6000)}\r\nConnection: close\r\n\r\n`));
  res = parseResponse(data);
  assert.equal(res.status, 200);
  // Many small headers adding up past the limit count too.
  const many = Array.from({ length: 300 }, (_, i) => `X-H${i}: ${'b'.repeat(30)}\r\n`).join('');
  ({ data } = await rawRequest(srv.url, `GET /healthz HTTP/1.1\r\nHost: x\r\n${many}Connection: close\r\n\r\n`));
  res = parseResponse(data);
  assert.ok(res && res.status >= 400 && res.status < 500, `status ${res && res.status}`);
  await healthy();
});

// Sends `head` then one byte of `trickle` every 200 ms until the server
// closes the socket; resolves with what the server sent. The request is never
// completed, so only the whole-request deadline can end it.
function slowClient(head, trickle) {
  const { host, port } = hostPort(srv.url);
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    let received = '';
    let i = 0;
    let timer;
    sock.on('connect', () => {
      sock.write(head);
      timer = setInterval(() => {
        if (i < trickle.length) sock.write(trickle[i++]);
      }, 200);
    });
    sock.on('data', (d) => { received += d.toString('latin1'); });
    sock.on('error', () => {});
    sock.on('close', () => { clearInterval(timer); resolve({ received, sent: i }); });
  });
}

test('a client trickling one byte per 200 ms is cut off by the whole-request deadline', { timeout: 20000 }, async () => {
  // Headers trickled, and a body trickled after complete headers, side by side.
  const [h, b] = await Promise.all([
    slowClient('GET /healthz HTTP/1.1\r\nHost: x\r\n', 'X-Slow: ' + 'a'.repeat(500)),
    slowClient('POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n', '{"email":"' + 'a'.repeat(390)),
  ]);
  // Neither request was ever completed, so neither got a 2xx.
  assert.doesNotMatch(h.received, /^HTTP\/1\.1 2/);
  assert.doesNotMatch(b.received, /^HTTP\/1\.1 2/);
  assert.ok(h.sent < 500 && b.sent < 390, 'the server closed before the client ran out of bytes');
  await healthy();
});

test('an idle keep-alive connection is closed by the deadline', { timeout: 20000 }, async () => {
  const { host, port } = hostPort(srv.url);
  const sock = net.connect({ host, port });
  let got = '';
  const closed = new Promise((resolve) => sock.on('close', resolve));
  sock.on('error', () => {});
  sock.on('data', (d) => { got += d.toString('latin1'); });
  await new Promise((resolve) => sock.on('connect', resolve));
  sock.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
  await closed;
  assert.match(got, /^HTTP\/1\.1 200/);
});

// Responses are written the moment they are ready (write_now in
// src/server/http.c), and what does not fit in the socket is left to the
// event loop. Many pipelined requests for a 37 KB file, sent while the client
// reads nothing, overrun the socket buffers, so both paths run; every answer
// must arrive whole and in order.
test('pipelined requests overrunning the socket buffer are all answered whole and in order', { timeout: 20000 }, async () => {
  const expected = Buffer.from(await (await fetch(`${srv.url}/embed.js`)).arrayBuffer());
  assert.ok(expected.length > 30000);
  const n = 160;
  const { host, port } = hostPort(srv.url);
  const sock = net.connect({ host, port });
  const chunks = [];
  const closed = new Promise((resolve) => sock.on('close', resolve));
  sock.on('error', () => {});
  sock.on('data', (d) => chunks.push(d));
  await new Promise((resolve) => sock.on('connect', resolve));
  sock.pause();
  let reqs = '';
  for (let i = 0; i < n; i++) reqs += `GET /embed.js?i=${i} HTTP/1.1\r\nHost: x\r\n\r\n`;
  reqs += 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n';
  await new Promise((resolve) => sock.write(reqs, resolve));
  // Give the server time to fill the socket buffers before reading. This is
  // not a synchronisation: the assertions hold whatever the timing, the wait
  // only makes the partly-written path likely to run (it did in every
  // traced run: writev returned short, then the loop finished the answer).
  await new Promise((resolve) => setTimeout(resolve, 300));
  sock.resume();
  await closed;
  const all = Buffer.concat(chunks);
  let at = 0;
  for (let i = 0; i <= n; i++) {
    const end = all.indexOf('\r\n\r\n', at);
    assert.ok(end > 0, `response ${i} missing (${all.length} bytes in all)`);
    const res = parseResponse(all.subarray(at, end + 4).toString('latin1'));
    assert.equal(res.status, 200, `response ${i}`);
    const len = Number(res.headers['content-length']);
    const body = all.subarray(end + 4, end + 4 + len);
    if (i < n) assert.ok(body.equals(expected), `response ${i} differs from /embed.js`);
    else assert.equal(JSON.parse(body.toString()).status, 'ok');
    at = end + 4 + len;
  }
  assert.equal(at, all.length, 'bytes after the last response');
});

test('HTTP/1.0 without keep-alive: the answer is sent whole, then the connection closes', async () => {
  const path = `/api/v1/articles/http10-${process.pid}/comments`;
  // The first read fills the anonymous view cache, the second is served from it.
  for (const round of [1, 2]) {
    const { data, closed } = await rawRequest(srv.url, `GET ${path} HTTP/1.0\r\nHost: x\r\n\r\n`);
    assert.ok(closed);
    const res = parseResponse(data);
    assert.equal(res.status, 200, `round ${round}: ${data.slice(0, 200)}`);
    // evhttp marks the end of an HTTP/1.0 body by closing, without a length.
    if (res.headers['content-length'] !== undefined) assert.equal(res.body.length, Number(res.headers['content-length']));
    assert.deepEqual(JSON.parse(res.body).comments, []);
  }
  await healthy();
});
