// bench/sse_listeners.mjs: memory of idle live-update listeners.
//
// Starts `parley serve` (PARLEY_BIN, default build/parley) on a temp SQLite
// database, reads its resident memory, opens N Server-Sent Event streams
// (default 10,000) spread over 100 articles, reads the memory again, posts a
// comment to one article and checks that its listeners got the event, then
// closes everything. Usage: node bench/sse_listeners.mjs [N]
// Needs a descriptor limit above N for both processes (ulimit -n).
import { spawn } from 'node:child_process';
import { readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import net from 'node:net';

const N = Number(process.argv[2] || 10000);
const bin = process.env.PARLEY_BIN || 'build/parley';
const dir = mkdtempSync(path.join(tmpdir(), 'parley-sse-'));
const conf = path.join(dir, 'parley.conf');
writeFileSync(conf, `max_connections = ${N + 1000}\nmax_connections_per_ip = ${N + 1000}\nmax_streams = ${N + 1000}\nmax_streams_per_client = ${N + 1000}\nrequest_timeout_ms = 600000\n`);
const srv = spawn(bin, ['serve', '--listen', '127.0.0.1:0', '--db', `sqlite:${dir}/p.db`, '--config', conf,
  '--rate-limit', 'off', '--log-level', 'warn'], { stdio: ['ignore', 'ignore', 'pipe'] });
let log = '';
srv.stderr.on('data', (d) => { log += d; });

const rssKb = () => Number(readFileSync(`/proc/${srv.pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)[1]);

async function waitHealthy(port) {
  for (let i = 0; i < 200; i++) {
    try { const r = await fetch(`http://127.0.0.1:${port}/healthz`); if (r.ok) return; } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('server did not start:\n' + log);
}

// With --log-level warn the listening line is not printed, so find the port
// from /proc: the server's only listening TCP socket.
function listeningPort() {
  const inodes = new Set();
  for (const fd of require_fs().readdirSync(`/proc/${srv.pid}/fd`)) {
    try {
      const l = require_fs().readlinkSync(`/proc/${srv.pid}/fd/${fd}`);
      const m = l.match(/^socket:\[(\d+)\]$/);
      if (m) inodes.add(m[1]);
    } catch { /* raced */ }
  }
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f[3] === '0A' && inodes.has(f[9])) return parseInt(f[1].split(':')[1], 16);
  }
  return 0;
}
import * as fs from 'node:fs';
function require_fs() { return fs; }

function openStream(port, article) {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => {
      s.write(`GET /api/v1/articles/${article}/events HTTP/1.1\r\nHost: x\r\n\r\n`);
    });
    let got = '';
    s.on('data', (d) => {
      got += d;
      if (!s.ready && got.includes(': connected')) { s.ready = true; resolve(s); }
      if (got.includes('"created"')) s.sawEvent = true;
    });
    s.on('error', reject);
  });
}

let port = 0;
for (let i = 0; i < 200 && !port; i++) {
  await new Promise((r) => setTimeout(r, 25));
  port = listeningPort();
}
await waitHealthy(port);
const idle = rssKb();
const socks = [];
const t0 = Date.now();
for (let i = 0; i < N; i += 500) {
  const batch = [];
  for (let k = i; k < Math.min(N, i + 500); k++) batch.push(openStream(port, `sse-${k % 100}`));
  socks.push(...(await Promise.all(batch)));
}
const opened = Date.now() - t0;
const withListeners = rssKb();

// One comment on sse-7: every listener of sse-7 must hear of it.
const reg = await fetch(`http://127.0.0.1:${port}/api/v1/auth/register`, { method: 'POST',
  headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'B', email: 'b@example.com', password: 'benchmark-pass' }) });
const cookie = reg.headers.get('set-cookie').split(';')[0];
const t1 = Date.now();
await fetch(`http://127.0.0.1:${port}/api/v1/articles/sse-7/comments`, { method: 'POST',
  headers: { 'content-type': 'application/json', cookie }, body: JSON.stringify({ body: 'news for listeners' }) });
const listeners7 = socks.filter((_, k) => k % 100 === 7);
for (let i = 0; i < 400 && !listeners7.every((s) => s.sawEvent); i++) await new Promise((r) => setTimeout(r, 5));
const delivered = listeners7.filter((s) => s.sawEvent).length;
const fanout = Date.now() - t1;

for (const s of socks) s.destroy();
srv.kill('SIGTERM');
await new Promise((r) => srv.on('exit', r));
rmSync(dir, { recursive: true, force: true });
console.log(`# ${new Date().toISOString()} ${N} SSE listeners on ${bin}`);
console.log(`idle RSS ${idle} kB; with ${N} listeners ${withListeners} kB (+${withListeners - idle} kB, ${((withListeners - idle) * 1024 / N).toFixed(0)} bytes each); opened in ${opened} ms`);
console.log(`one comment reached ${delivered}/${listeners7.length} listeners of its article within ${fanout} ms (includes the POST)`);
if (delivered !== listeners7.length) process.exit(1);
