// tests/api/streams.test.mjs: live-update streams cannot exhaust the
// server (docs/SECURITY.md, "Live-update streams"): they are capped per
// client and in total apart from request connections, the client behind
// the trusted proxy is the forwarded address, every stream has a lifetime
// and a heartbeat, a reader that stops reading is dropped, and allowed
// origins get CORS headers on the stream.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { startServer, Client, TIME_SCALE } from '../lib/server.mjs';
import { stopClean, configFile, hostPort } from '../lib/api.mjs';

// Opens a raw stream request; resolves with {sock, status, head, text()} once
// the response head arrived (the body keeps coming into text()).
function openStream(url, article, headers = {}) {
  const { host, port } = hostPort(url);
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host, port });
    let buf = '';
    let done = false;
    sock.on('error', (e) => { if (!done) reject(e); });
    // Refused before any answer (a connection over the limit): status 0.
    sock.on('close', () => { if (!done) { done = true; resolve({ sock, status: 0, head: '', text: () => '' }); } });
    sock.on('connect', () => {
      const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
      sock.write(`GET /api/v1/articles/${article}/events HTTP/1.1\r\nHost: x\r\n${extra}\r\n`);
    });
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      const end = buf.indexOf('\r\n\r\n');
      if (!done && end >= 0) {
        done = true;
        const head = buf.slice(0, end);
        resolve({ sock, status: Number(head.split(' ')[1]), head: head.toLowerCase(), text: () => buf.slice(end + 4) });
      }
    });
  });
}

const STUCK_READER = `
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
s.connect((sys.argv[1], int(sys.argv[2])))
s.sendall(('GET /api/v1/articles/%s/events HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n' % sys.argv[3]).encode())
print(s.recv(200).decode('latin1').split('\\r\\n')[0], flush=True)
time.sleep(120)
`;

const closed = (sock) => new Promise((resolve) => {
  if (sock.destroyed || sock.readyState === 'closed') resolve();
  sock.on('close', resolve);
});

async function until(what, fn, ms = 10000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`timed out waiting for ${what}`);
}

test('streams are capped per client apart from request connections', { timeout: 30000 * TIME_SCALE }, async () => {
  const srv = await startServer({ args: ['--config', configFile('max_connections_per_ip = 3\nmax_streams_per_client = 4\n')] });
  try {
    const streams = [];
    for (let i = 0; i < 4; i++) {
      const s = await openStream(srv.url, 'cap-1');
      assert.equal(s.status, 200, s.head);
      streams.push(s);
    }
    // Four streams are open, more than max_connections_per_ip: request
    // connections are counted apart (two here, the third is for the next).
    const reqs = [];
    for (let i = 0; i < 2; i++) reqs.push(await openStream(srv.url, 'bad%20id'));
    for (const r of reqs) assert.equal(r.status, 400);
    // The fifth stream from the client is refused, with a reason and a delay.
    const extra = await openStream(srv.url, 'cap-1');
    assert.equal(extra.status, 429, extra.head);
    assert.match(extra.head, /retry-after: \d+/);
    await until('the refusal body', () => extra.text().includes('too_many_streams'));
    for (const s of [...streams, ...reqs, extra]) s.sock.destroy();
    // Closing streams gives their slots back.
    await until('a free stream slot', async () => {
      const s = await openStream(srv.url, 'cap-1');
      s.sock.destroy();
      return s.status === 200;
    });
  } finally {
    await stopClean(srv);
  }
});

test('behind the trusted proxy, streams count per forwarded client and the proxy is not capped', { timeout: 30000 * TIME_SCALE }, async () => {
  const srv = await startServer({
    args: ['--config', configFile('trusted_proxy = 127.0.0.1\nmax_connections_per_ip = 2\nmax_streams_per_client = 2\nmax_streams = 5\n')],
  });
  try {
    const as = [];
    for (let i = 0; i < 2; i++) as.push(await openStream(srv.url, 'proxy-1', { 'X-Forwarded-For': '203.0.113.7' }));
    for (const s of as) assert.equal(s.status, 200, s.head);
    const a3 = await openStream(srv.url, 'proxy-1', { 'X-Forwarded-For': '203.0.113.7' });
    assert.equal(a3.status, 429);
    // Another reader through the same proxy still gets streams, and the
    // proxy's connections are not held to max_connections_per_ip.
    const bs = [];
    for (let i = 0; i < 2; i++) bs.push(await openStream(srv.url, 'proxy-1', { 'X-Forwarded-For': '198.51.100.9' }));
    for (const s of bs) assert.equal(s.status, 200, s.head);
    const c1 = await openStream(srv.url, 'proxy-1', { 'X-Forwarded-For': '192.0.2.1' });
    assert.equal(c1.status, 200);
    // max_streams (5) is reached: the server is full for everyone.
    const d1 = await openStream(srv.url, 'proxy-1', { 'X-Forwarded-For': '192.0.2.2' });
    assert.equal(d1.status, 503, d1.head);
    const api = await fetch(`${srv.url}/api/v1/articles/proxy-1/comments`, { headers: { 'X-Forwarded-For': '192.0.2.3' } });
    assert.equal(api.status, 200);
    for (const s of [...as, a3, ...bs, c1, d1]) s.sock.destroy();
  } finally {
    await stopClean(srv);
  }
});

test('a stream sends heartbeats and ends after its lifetime, freeing its slot', { timeout: 30000 * TIME_SCALE }, async () => {
  const srv = await startServer({
    args: ['--config', configFile('stream_lifetime_s = 3\nstream_heartbeat_s = 1\nmax_streams_per_client = 1\n')],
  });
  try {
    const t0 = Date.now();
    const s = await openStream(srv.url, 'life-1');
    assert.equal(s.status, 200);
    await until('a heartbeat', () => s.text().includes(': ping'), 2500);
    const other = await openStream(srv.url, 'life-1');
    assert.equal(other.status, 429, 'one stream per client here');
    other.sock.destroy();
    await closed(s.sock);
    const life = Date.now() - t0;
    assert.ok(life >= 2500 && life < 6000, `lived ${life} ms`);
    await until('the slot back', async () => {
      const again = await openStream(srv.url, 'life-1');
      again.sock.destroy();
      return again.status === 200;
    });
  } finally {
    await stopClean(srv);
  }
});

// Streams are written straight to their socket (app/events.c), past
// evhttp, which would have left out the body of a HEAD answer: so must they.
test('a HEAD request on the event stream gets the headers and no body, until the stream ends', { timeout: 30000 * TIME_SCALE }, async () => {
  const srv = await startServer({ args: ['--config', configFile('stream_lifetime_s = 3\nstream_heartbeat_s = 1\n')] });
  try {
    const { host, port } = hostPort(srv.url);
    const sock = net.connect({ host, port });
    let buf = '';
    sock.on('data', (d) => { buf += d.toString('latin1'); });
    sock.on('connect', () => sock.write('HEAD /api/v1/articles/head-1/events HTTP/1.1\r\nHost: x\r\n\r\n'));
    await closed(sock); // the stream's lifetime, with two heartbeats in it
    const end = buf.indexOf('\r\n\r\n');
    assert.ok(end > 0, buf);
    assert.match(buf.slice(0, end), /^HTTP\/1\.1 200 /);
    assert.match(buf.slice(0, end).toLowerCase(), /content-type: text\/event-stream/);
    assert.equal(buf.slice(end + 4), '');
  } finally {
    await stopClean(srv);
  }
});

test('a reader that stops reading is dropped', { timeout: 60000 * TIME_SCALE }, async () => {
  const srv = await startServer({ args: ['--config', configFile('stream_heartbeat_s = 1\nmax_streams_per_client = 2\n')] });
  try {
    const alice = new Client(srv.url);
    assert.equal((await alice.register('Alice', 'alice@example.com')).status, 201);
    // A reader with a small receive buffer that reads the response head
    // and then nothing more, so the server's buffers fill up.
    const { host, port } = hostPort(srv.url);
    const stuck = spawn('python3', ['-c', STUCK_READER, host, String(port), 'stuck-1'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const head = await new Promise((resolve) => { let o = ''; stuck.stdout.on('data', (d) => { o += d; if (o.includes('\n')) resolve(o); }); });
    assert.match(head, /^HTTP\/1\.1 200/);
    const live = await openStream(srv.url, 'stuck-1');
    assert.equal(live.status, 200);
    let sent = 0, published = 0;
    // Events pile up for the stuck reader until its buffers are full; then
    // it is dropped and its slot comes back (a third stream is accepted).
    await until('the stuck stream dropped', async () => {
      const rs = await Promise.all(Array.from({ length: 50 }, () =>
        alice.post('/api/v1/articles/stuck-1/comments', { body: `Update ${++sent}: the ${sent % 7 ? 'river' : 'bridge'} is at ${sent} cm.` })));
      published += rs.filter((r) => r.status === 201 && r.json.comment.status === 'published').length;
      const third = await openStream(srv.url, 'stuck-1');
      third.sock.destroy();
      return third.status === 200;
    }, 50000);
    // The reader that kept reading is still there and heard every comment.
    assert.ok(published > 0);
    await until('every event on the live stream', () => (live.text().match(/"created"/g) || []).length === published);
    live.sock.destroy();
    stuck.kill();
  } finally {
    await stopClean(srv);
  }
});

test('the stream answers an allowed origin with CORS headers; every API answer varies by Origin', async () => {
  const srv = await startServer({ args: ['--config', configFile('allowed_origins = https://news.example\n')] });
  try {
    const s = await openStream(srv.url, 'cors-1', { Origin: 'https://news.example' });
    assert.equal(s.status, 200);
    assert.match(s.head, /access-control-allow-origin: https:\/\/news\.example/);
    assert.match(s.head, /access-control-allow-credentials: true/);
    assert.match(s.head, /vary: origin/);
    s.sock.destroy();
    const foreign = await openStream(srv.url, 'cors-1', { Origin: 'https://evil.example' });
    assert.doesNotMatch(foreign.head, /access-control-allow-origin/);
    foreign.sock.destroy();
    const plain = await fetch(`${srv.url}/api/v1/articles/cors-1`);
    assert.equal(plain.headers.get('vary'), 'Origin');
    const err = await fetch(`${srv.url}/api/v1/articles/bad%20id`);
    assert.equal(err.headers.get('vary'), 'Origin');
    const list = await fetch(`${srv.url}/api/v1/articles/cors-1/comments`, { headers: { Origin: 'https://news.example' } });
    assert.equal(list.headers.get('vary'), 'Cookie, Origin');
    assert.equal(list.headers.get('access-control-allow-origin'), 'https://news.example');
  } finally {
    await stopClean(srv);
  }
});
