// bench/soak.mjs: a bounded soak of one `parley serve` on loopback, with
// faults. Usage (bench/soak.sh wraps it): node bench/soak.mjs [MINUTES]
//
// For MINUTES (default 20) it runs, against a server on 127.0.0.1 with a
// temporary SQLite database:
//   readers      anonymous and logged-in comment pages and replies pages;
//   writers      comments and replies (some deep, one huge thread);
//   flaggers     flags on comments they did not write;
//   a moderator  approve / reject decisions from the queues;
//   listeners    live-update streams, reopened when they end;
//   hostiles     slow bodies, request floods, stream floods from one address;
// and kills the server with SIGKILL at random moments (every 30 to 90 s),
// restarting it on the same port at once. Afterwards it checks, with the
// server stopped and the database read directly, that every comment, flag
// and decision the server acknowledged is there; it reports resident memory
// over each run of the server, and the p50/p99 of reads outside the restart
// windows (a read that started within 3 s after a restart, or failed because
// the server was down, is not counted).
//
// The reads are timed twice. Most readers run in a worker thread of their
// own whose event loop does nothing else, so their times are the server's
// answer plus loopback, not the wait of a client loop that also drives 200
// streams, the writers and the floods. Two readers stay on the main loop, as
// the soak measured them before, to show what that loop adds.
//
// Loopback only; nothing leaves the machine. Needs build/parley (PARLEY_BIN)
// and sqlite3.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { Worker } from 'node:worker_threads';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';

const MINUTES = Number(process.argv[2] || 20);
const BIN = process.env.PARLEY_BIN || 'build/parley';
const dir = mkdtempSync(path.join(tmpdir(), 'parley-soak-'));
const db = path.join(dir, 'soak.db');
const conf = path.join(dir, 'parley.conf');
// The moderator rejects at random: without a high auto_suspend_after the
// writers would soon be suspended for it.
writeFileSync(conf, 'max_streams_per_client = 64\nmax_connections_per_ip = 2000\nstream_heartbeat_s = 5\nauto_suspend_after = 1000\n');

let srv = null, port = 0, base = '', restartedAt = 0, up = false;
const memory = []; // {run, at, kb}
let run = 0;

function startServer() {
  return new Promise((resolve, reject) => {
    const p = spawn(BIN, ['serve', '--listen', `127.0.0.1:${port}`, '--db', `sqlite:${db}`, '--config', conf,
      '--rate-limit', 'off', '--log-level', 'warn'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    p.stderr.on('data', (d) => { log += d; if (log.length > 1e6) log = log.slice(-5e5); });
    p.on('exit', () => { up = false; });
    const t0 = Date.now();
    const poll = async () => {
      if (p.exitCode !== null) return reject(new Error('server exited:\n' + log.slice(-2000)));
      const q = port || listeningPort(p.pid);
      if (q) {
        try {
          const r = await fetch(`http://127.0.0.1:${q}/healthz`);
          if (r.ok) { port = q; base = `http://127.0.0.1:${q}`; up = true; run++; restartedAt = Date.now(); return resolve(p); }
        } catch { /* not yet */ }
      }
      if (Date.now() - t0 > 20000) return reject(new Error('server did not come up'));
      setTimeout(poll, 20);
    };
    poll();
  });
}

// The port the server listens on (--listen 127.0.0.1:0 the first time).
function listeningPort(pid) {
  const inodes = new Set();
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try { const m = readlinkSync(`/proc/${pid}/fd/${fd}`).match(/^socket:\[(\d+)\]$/); if (m) inodes.add(m[1]); } catch { /* raced */ }
    }
  } catch { return 0; }
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f[3] === '0A' && inodes.has(f[9])) return parseInt(f[1].split(':')[1], 16);
  }
  return 0;
}

const rssKb = (pid) => { try { return Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)[1]); } catch { return 0; } };

// ---- clients --------------------------------------------------------------

async function call(method, p, body, cookie, extra = {}) {
  const headers = { ...extra };
  if (cookie) headers.cookie = cookie;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const r = await fetch(base + p, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(10000) });
  const text = await r.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: r.status, json, headers: r.headers };
}

async function account(name) {
  for (;;) {
    try {
      const r = await fetch(base + '/api/v1/auth/register', { method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name, email: `${name.toLowerCase().replace(/\W/g, '')}@soak.example.com`, password: 'correct horse battery' }) });
      if (r.status === 201) return { cookie: r.headers.get('set-cookie').split(';')[0], id: (await r.json()).user.id };
    } catch { /* down: retry */ }
    await sleep(200);
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pick = (a) => a[Math.floor(Math.random() * a.length)];
const ARTICLES = Array.from({ length: 20 }, (_, i) => `soak-${i}`);
// Varied, civil sentences: the engine must publish them (repeated text
// would be held as spam, and refusals would suspend the writers).
const SUBJECTS = ['The council', 'Our school board', 'The new library', 'The harbour office', 'The tram company', 'My neighbour', 'The mayor', 'The museum', 'This paper', 'The city budget'];
const VERBS = ['should explain', 'finally fixed', 'keeps delaying', 'voted on', 'paid for', 'wrote about', 'asked us about', 'reopened', 'measured', 'planned'];
const OBJECTS = ['the bridge repairs', 'the bus timetable', 'the park benches', 'the flood barrier', 'the cycle lanes', 'the night market', 'the water pipes', 'the school roof', 'the station lifts', 'the river path'];
let seq = 0;
const sentence = () => `${pick(SUBJECTS)} ${pick(VERBS)} ${pick(OBJECTS)} in week ${1 + Math.floor(Math.random() * 52)}, and ${pick(SUBJECTS).toLowerCase()} ${pick(VERBS)} ${pick(OBJECTS)} (note ${++seq}).`;

const acked = { comments: new Map(), flags: [], decisions: [] };
const stats = { refused: {}, reads: [], readErrors: 0, writes: 0, writeErrors: 0, flags: 0, decisions: 0, streams: 0, streamEvents: 0, kills: 0, hostile: 0 };
let stopping = false;

async function reader() {
  while (!stopping) {
    const t0 = Date.now();
    try {
      const r = await call('GET', `/api/v1/articles/${pick(ARTICLES)}/comments?limit=25&sort=${pick(['newest', 'oldest', 'top'])}`);
      if (r.status === 200 && up && t0 - restartedAt > 3000) stats.reads.push(Date.now() - t0);
    } catch { stats.readErrors++; await sleep(100); }
    await sleep(20);
  }
}

// The timed readers: READERS loops in a worker thread, each reading a page,
// timing it with the monotonic clock and waiting 20 ms. Every read is sent
// back as [start (epoch ms), duration (ms), status]; the main thread keeps
// the ones that started outside a restart window (see counted()).
const READER_SRC = `
const { parentPort, workerData } = require('node:worker_threads');
const { base, articles, readers } = workerData;
let stopping = false, batch = [];
parentPort.on('message', (m) => { if (m === 'stop') stopping = true; });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pick = (a) => a[Math.floor(Math.random() * a.length)];
async function loop() {
  while (!stopping) {
    const at = performance.timeOrigin + performance.now();
    const t0 = performance.now();
    let status = 0;
    try {
      const r = await fetch(base + '/api/v1/articles/' + pick(articles) + '/comments?limit=25&sort=' + pick(['newest', 'oldest', 'top']), { signal: AbortSignal.timeout(10000) });
      await r.arrayBuffer();
      status = r.status;
    } catch { status = 0; }
    batch.push([at, performance.now() - t0, status]);
    await sleep(status ? 20 : 100);
  }
}
const flush = setInterval(() => { if (batch.length) { parentPort.postMessage(batch); batch = []; } }, 1000);
Promise.all(Array.from({ length: readers }, loop)).then(() => { clearInterval(flush); parentPort.postMessage(batch); parentPort.postMessage('done'); });
`;
const timed = []; // [start, ms, status]
const downs = []; // [killed at, up again at]: no read that starts in [killed, up + 3 s] counts
function startTimedReaders(readers) {
  const w = new Worker(READER_SRC, { eval: true, workerData: { base, articles: ARTICLES, readers } });
  const done = new Promise((resolve) => w.on('message', (m) => { if (m === 'done') resolve(); else for (const r of m) timed.push(r); }));
  return { stop: async () => { w.postMessage('stop'); await done; await w.terminate(); } };
}
const counted = (r) => r[2] === 200 && !downs.some(([k, u]) => r[0] >= k && r[0] <= u + 3000);

async function writer(u, huge) {
  const mine = [];
  while (!stopping) {
    const art = huge ? 'soak-huge' : pick(ARTICLES);
    // A reply answers one of this writer's comments on the same article (a
    // parent from another article is refused with 404).
    const here = huge ? [] : mine.filter((m) => m.art === art);
    const parent = huge ? acked.huge : here.length && Math.random() < 0.4 ? pick(here).id : null;
    const body = sentence();
    try {
      const r = await call('POST', `/api/v1/articles/${art}/comments`, { body, parent_id: parent }, u.cookie);
      if (r.status === 201) {
        stats.writes++;
        acked.comments.set(r.json.comment.id, body);
        mine.push({ id: r.json.comment.id, art });
        if (huge && !acked.huge) acked.huge = r.json.comment.id;
      } else {
        stats.refused[r.status] = (stats.refused[r.status] || 0) + 1;
        if (r.status >= 500) stats.writeErrors++;
      }
    } catch { stats.writeErrors++; await sleep(100); }
    await sleep(huge ? 10 : 150);
  }
}

async function flagger(u) {
  while (!stopping) {
    const ids = [...acked.comments.keys()];
    if (ids.length) {
      const id = pick(ids);
      try {
        const r = await call('POST', `/api/v1/comments/${id}/flags`, { reason: pick(['spam', 'off_topic', 'profanity']) }, u.cookie);
        if (r.status === 201) { stats.flags++; acked.flags.push(r.json.flag.id); }
      } catch { await sleep(100); }
    }
    await sleep(300);
  }
}

async function moderator(m) {
  while (!stopping) {
    try {
      const q = await call('GET', `/api/v1/mod/queue?queue=${pick(['flagged', 'pending'])}&limit=10`, undefined, m.cookie);
      for (const item of (q.json && q.json.items) || []) {
        const action = pick(['approve', 'reject']);
        const r = await call('POST', `/api/v1/mod/comments/${item.comment.id}/decision`, { action, reason: 'soak' }, m.cookie);
        if (r.status === 200) { stats.decisions++; acked.decisions.push({ id: item.comment.id, action, status: r.json.comment.status }); }
      }
    } catch { await sleep(100); }
    await sleep(1000);
  }
}

function listener() {
  const open = () => {
    if (stopping) return;
    const s = net.connect(port, '127.0.0.1', () => s.write(`GET /api/v1/articles/${pick(ARTICLES)}/events HTTP/1.1\r\nHost: x\r\n\r\n`));
    stats.streams++;
    s.on('data', (d) => { stats.streamEvents += (String(d).match(/event: comment/g) || []).length; });
    s.on('error', () => {});
    s.on('close', () => setTimeout(open, 1000));
  };
  open();
}

// Hostile clients: a body that trickles in, a flood of requests, a flood
// of streams from one address. None of them must hurt the others.
async function hostile() {
  while (!stopping) {
    const kind = pick(['slow', 'flood', 'streams']);
    stats.hostile++;
    try {
      if (kind === 'slow') {
        const s = net.connect(port, '127.0.0.1');
        s.on('error', () => {});
        s.write('POST /api/v1/articles/soak-0/comments HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n');
        for (let i = 0; i < 30 && !stopping && !s.destroyed; i++) { s.write('x'); await sleep(500); }
        s.destroy();
      } else if (kind === 'flood') {
        await Promise.allSettled(Array.from({ length: 200 }, () => call('GET', '/api/v1/articles/soak-1/comments?limit=100')));
      } else {
        const socks = Array.from({ length: 80 }, () => {
          const s = net.connect(port, '127.0.0.1', () => s.write('GET /api/v1/articles/soak-2/events HTTP/1.1\r\nHost: x\r\n\r\n'));
          s.on('error', () => {});
          return s;
        });
        await sleep(3000);
        for (const s of socks) s.destroy();
      }
    } catch { /* the server may be down */ }
    await sleep(2000);
  }
}

// ---- chaos ------------------------------------------------------------------

async function chaos(endAt) {
  while (Date.now() < endAt - 45000) {
    await sleep(30000 + Math.random() * 60000);
    if (Date.now() >= endAt - 15000) break;
    const killedAt = Date.now();
    srv.kill('SIGKILL');
    stats.kills++;
    await new Promise((r) => srv.once('exit', r));
    srv = await startServer();
    downs.push([killedAt, restartedAt]);
  }
}

async function sampleMemory() {
  while (!stopping) {
    const kb = up ? rssKb(srv.pid) : 0;
    if (kb > 0) memory.push({ run, at: Date.now() - restartedAt, kb }); // 0: killed just now
    await sleep(5000);
  }
}

// ---- main -------------------------------------------------------------------

const quantile = (v, p) => Math.round(10 * ([...v].sort((a, b) => a - b)[Math.floor(p * (v.length - 1))] || 0)) / 10;
// Each 30-second window on its own: the whole run's p99 mixes quiet and busy
// minutes of a shared machine, so the windows carry the load average too.
const windows = [];
let windowStart = 0;

srv = await startServer();
const made = spawnSync('sh', ['-c', `echo correct horse battery | ${BIN} admin create-user --db sqlite:${db} --email mod@soak.example.com --name Mod --role moderator`], { encoding: 'utf8' });
if (made.status !== 0) { srv.kill('SIGKILL'); console.error(`soak: creating the moderator failed: ${made.stderr}`); process.exit(1); }
const modLogin = await fetch(base + '/api/v1/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'mod@soak.example.com', password: 'correct horse battery' }) });
if (modLogin.status !== 200) { srv.kill('SIGKILL'); console.error(`soak: the moderator's login answered ${modLogin.status}`); process.exit(1); }
const mod = { cookie: modLogin.headers.get('set-cookie').split(';')[0] };
const writers = [];
for (let i = 0; i < 8; i++) writers.push(await account(`Writer ${i}`));
const flaggers = [];
for (let i = 0; i < 4; i++) flaggers.push(await account(`Flagger ${i}`));
// Old accounts: their flags weigh fully, so some comments get hidden.
spawnSync('sqlite3', [db, `UPDATE users SET created_at = created_at - 864000000`]);

const startedAt = Date.now();
const endAt = startedAt + MINUTES * 60000;
const work = [];
for (let i = 0; i < 2; i++) work.push(reader());
const timedReaders = startTimedReaders(14);
for (let i = 0; i < 7; i++) work.push(writer(writers[i], false));
work.push(writer(writers[7], true));
for (const f of flaggers) work.push(flagger(f));
work.push(moderator(mod));
work.push(hostile());
work.push(sampleMemory());
for (let i = 0; i < 200; i++) listener();
const progress = setInterval(() => {
  const w = timed.slice(windowStart);
  windowStart = timed.length;
  // A window's reads may still include one that began inside a restart
  // window whose end is not known yet; the final figures filter again.
  const ms = w.filter(counted).map((r) => r[1]);
  const row = { t: Math.round((Date.now() - startedAt) / 1000), reads: ms.length, p50: quantile(ms, 0.5), p99: quantile(ms, 0.99), load1: Number(loadavg()[0].toFixed(1)) };
  windows.push(row);
  console.error(`t=${row.t}s writes=${stats.writes} reads=${timed.length} window: p50=${row.p50}ms p99=${row.p99}ms load=${row.load1} kills=${stats.kills} rss=${rssKb(srv.pid)}KB`);
}, 30000);
await chaos(endAt);
while (Date.now() < endAt) await sleep(500);
stopping = true;
clearInterval(progress);
await timedReaders.stop();
await Promise.allSettled(work);
srv.kill('SIGTERM');
await new Promise((r) => srv.once('exit', r));

// ---- checks -----------------------------------------------------------------

const rows = (sql) => spawnSync('sqlite3', ['-separator', '\t', db, sql], { encoding: 'utf8', maxBuffer: 1 << 28 }).stdout.trim().split('\n').filter(Boolean);
const bodies = new Map(rows('SELECT id, body, status FROM comments').map((l) => { const [id, body, status] = l.split('\t'); return [id, { body, status }]; }));
let missing = 0, changed = 0;
for (const [id, body] of acked.comments) {
  const row = bodies.get(id);
  if (!row) missing++;
  else if (row.body !== body && row.status !== '3') changed++;
}
const flagIds = new Set(rows('SELECT id FROM flags'));
const missingFlags = acked.flags.filter((id) => !flagIds.has(id)).length;
const decided = rows("SELECT comment_id || ':' || action FROM decisions");
const decidedSet = new Set(decided);
const missingDecisions = acked.decisions.filter((d) => !decidedSet.has(`${d.id}:${d.action}`)).length;

const runs = [...new Set(memory.map((m) => m.run))];
const memRuns = runs.map((r) => {
  const ms = memory.filter((m) => m.run === r);
  const warm = ms.filter((m) => m.at > 30000);
  return { run: r, seconds: Math.round(ms[ms.length - 1].at / 1000), firstKb: warm.length ? warm[0].kb : ms[0].kb, lastKb: ms[ms.length - 1].kb, maxKb: Math.max(...ms.map((m) => m.kb)) };
});
const readMs = timed.filter(counted).map((r) => r[1]);
const result = {
  minutes: MINUTES, kills: stats.kills, writes_acknowledged: acked.comments.size, comments_missing: missing, comments_changed: changed,
  flags_acknowledged: acked.flags.length, flags_missing: missingFlags, decisions_acknowledged: acked.decisions.length, decisions_missing: missingDecisions,
  reads_counted: readMs.length, read_p50_ms: quantile(readMs, 0.5), read_p99_ms: quantile(readMs, 0.99), read_p999_ms: quantile(readMs, 0.999),
  reads_failed_or_in_restarts: timed.length - readMs.length,
  read_p99_ms_median_of_windows: quantile(windows.map((w) => w.p99), 0.5),
  main_loop_reads_counted: stats.reads.length, main_loop_read_p50_ms: quantile(stats.reads, 0.5), main_loop_read_p99_ms: quantile(stats.reads, 0.99),
  main_loop_read_errors: stats.readErrors,
  writes_not_acknowledged: stats.refused,
  read_windows: windows,
  streams_opened: stats.streams, stream_events: stats.streamEvents, hostile_rounds: stats.hostile, memory_by_run: memRuns,
};
console.log(JSON.stringify(result, null, 2));
rmSync(dir, { recursive: true, force: true });
const ok = missing === 0 && changed === 0 && missingFlags === 0 && missingDecisions === 0;
process.exit(ok ? 0 : 1);
