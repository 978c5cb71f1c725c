// tests/api/conn_limits.test.mjs: the per-address connection limit, on a
// server of its own (max_connections_per_ip = 4) so no other test's sockets
// count against it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServer, TIME_SCALE } from '../lib/server.mjs';
import { stopClean, configFile, rawRequest, parseResponse, hostPort } from '../lib/api.mjs';

let srv;

before(async () => {
  srv = await startServer({ args: ['--config', configFile('max_connections_per_ip = 4\n')] });
});

after(async () => { await stopClean(srv); });

const HEALTH = 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n';

test('connections past max_connections_per_ip are refused; closing them makes room', { timeout: 20000 * TIME_SCALE }, async () => {
  const { host, port } = hostPort(srv.url);
  // Four connections, each proven admitted by a keep-alive request answered 200.
  const held = [];
  for (let i = 0; i < 4; i++) {
    const sock = net.connect({ host, port });
    sock.on('error', () => {});
    await new Promise((resolve) => sock.on('connect', resolve));
    const first = new Promise((resolve) => sock.once('data', (d) => resolve(d.toString('latin1'))));
    sock.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.match(await first, /^HTTP\/1\.1 200/);
    held.push(sock);
  }
  // The fifth is closed without being served.
  const { data } = await rawRequest(srv.url, HEALTH);
  assert.doesNotMatch(data, /^HTTP\/1\.1 200/, data);
  if (data) assert.match(data, /^HTTP\/1\.1 503/);
  // Let them go. The server notices closed connections on its next sweep
  // (every 250 ms), so ask until a new connection is served, bounded.
  await Promise.all(held.map((s) => new Promise((resolve) => { s.on('close', resolve); s.destroy(); })));
  for (let i = 0; i < 100; i++) {
    const res = parseResponse((await rawRequest(srv.url, HEALTH)).data);
    if (res && res.status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.fail('the closed connections were never released');
});
