// tests/api/metrics.test.mjs: GET /metrics on metrics_listen and the
// operations log lines (issue 13). The exposition is checked by Prometheus's
// own `promtool check metrics`; the counters are checked against requests
// this file makes; /metrics never answers on the public address. The log
// must name logins (both outcomes), registrations, moderator decisions,
// bans and 429s, with client addresses only as log_addresses allows and
// without e-mail addresses, comment text or tokens.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { spawnSync } from 'node:child_process';
import { BIN, startServer, createUser, Client } from '../lib/server.mjs';
import { stopClean } from '../lib/api.mjs';

let srv;
let metricsUrl;

function metricsAddress(log) {
  const m = log.match(/msg="metrics listening" url=(\S+)/);
  return m ? m[1] : null;
}

async function scrape(url = metricsUrl) {
  const r = await fetch(url);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
  return r.text();
}

function value(text, series) {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

function promtool(text) {
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  assert.ok(!r.error, `promtool: ${r.error && r.error.message} (Debian package prometheus)`);
  return r;
}

// Waits until the server's log matches re (the line is written before the
// response is sent, but stderr is read asynchronously).
function logged(s, re) {
  return new Promise((resolve) => {
    const check = () => re.test(s.log());
    if (check()) return resolve();
    const on = () => { if (check()) { s.proc.stderr.off('data', on); resolve(); } };
    s.proc.stderr.on('data', on);
  });
}

before(async () => {
  srv = await startServer({ args: ['--metrics-listen', '127.0.0.1:0'] });
  metricsUrl = metricsAddress(srv.log());
  assert.ok(metricsUrl, 'the metrics address is logged');
});
after(async () => { await stopClean(srv); });

test('metrics are off by default and never served on the public address', async () => {
  const plain = await startServer();
  try {
    assert.equal(metricsAddress(plain.log()), null);
    assert.equal((await fetch(plain.url + '/metrics')).status, 404);
  } finally {
    await stopClean(plain);
  }
  assert.equal((await fetch(srv.url + '/metrics')).status, 404);
  assert.equal((await fetch(metricsUrl.replace('/metrics', '/'))).status, 404);
  assert.equal((await fetch(metricsUrl.replace('/metrics', '/healthz'))).status, 404);
});

test('the exposition passes promtool and counts requests, decisions, the cache and commits', async () => {
  const before0 = await scrape();
  const listed0 = value(before0, 'parley_http_requests_total{route="GET /api/v1/articles/*/comments",status="200"}') || 0;
  const alice = new Client(srv.url);
  assert.equal((await alice.register('Alice', 'alice@example.com')).status, 201);
  const ok = await alice.post('/api/v1/articles/met-1/comments', { body: 'A calm remark about the budget.' });
  assert.equal(ok.status, 201);
  const held = await alice.post('/api/v1/articles/met-1/comments', { body: 'You are a complete idiot, Bob.' });
  assert.equal(held.json.moderation.decision, 'hold');
  const anon = new Client(srv.url);
  assert.equal((await anon.get('/api/v1/articles/met-1/comments')).status, 200);
  assert.equal((await anon.get('/api/v1/articles/met-1/comments')).status, 200);
  assert.equal((await anon.get('/api/v1/nowhere')).status, 404);
  assert.equal((await anon.get('/embed.js')).status, 200);

  const text = await scrape();
  const check = promtool(text);
  assert.equal(check.status, 0, `promtool check metrics:\n${check.stdout}${check.stderr}`);
  assert.equal(check.stdout + check.stderr, '', 'no lint warnings');

  assert.equal(value(text, 'parley_http_requests_total{route="GET /api/v1/articles/*/comments",status="200"}'), listed0 + 2);
  assert.equal(value(text, 'parley_http_requests_total{route="POST /api/v1/articles/*/comments",status="201"}'), 2);
  assert.equal(value(text, 'parley_http_requests_total{route="POST /api/v1/auth/register",status="201"}'), 1);
  assert.ok(value(text, 'parley_http_requests_total{route="other",status="404"}') >= 1);
  assert.ok(value(text, 'parley_http_requests_total{route="static",status="200"}') >= 1);
  assert.ok(value(text, 'parley_comments_total{decision="publish"}') >= 1);
  assert.ok(value(text, 'parley_comments_total{decision="hold"}') >= 1);
  assert.equal(value(text, 'parley_moderation_duration_seconds_count'),
    value(text, 'parley_comments_total{decision="publish"}') + value(text, 'parley_comments_total{decision="hold"}') +
    value(text, 'parley_comments_total{decision="reject"}'));
  assert.ok(value(text, 'parley_cache_requests_total{result="hit"}') >= 1, 'the second anonymous read is a hit');
  assert.ok(value(text, 'parley_cache_requests_total{result="miss"}') >= 1);
  assert.ok(value(text, 'parley_commit_duration_seconds_count') >= 3, 'register and two comments committed');
  assert.ok(value(text, 'parley_jobs_committed_total') >= 3);
  assert.equal(value(text, 'parley_write_queue_depth'), 0);
  // A histogram's +Inf bucket equals its count.
  const route = 'route="POST /api/v1/articles/*/comments"';
  assert.equal(value(text, `parley_http_request_duration_seconds_bucket{${route},le="+Inf"}`),
    value(text, `parley_http_request_duration_seconds_count{${route}}`));
  assert.match(text, /^parley_build_info\{version="\d+\.\d+\.\d+\/[^"]+"\} 1$/m);
});

test('open connections and live-update streams are gauges', async () => {
  const stream = await new Promise((resolve, reject) => {
    const u = new URL(srv.url + '/api/v1/articles/met-1/events');
    const rq = http.get({ host: u.hostname, port: u.port, path: u.pathname }, (res) => {
      res.once('data', () => resolve({ rq, res }));
    });
    rq.on('error', reject);
  });
  const text = await scrape();
  assert.equal(value(text, 'parley_live_streams'), 1);
  assert.ok(value(text, 'parley_open_connections') >= 1);
  stream.rq.destroy();
  // The stream is counted out when its connection closes; poll the gauge
  // (each scrape is a real request, no sleeping).
  let n = 1;
  for (let i = 0; i < 200 && n !== 0; i++) n = value(await scrape(), 'parley_live_streams');
  assert.equal(n, 0);
});

test('metrics answer only GET /metrics', async () => {
  const r = await fetch(metricsUrl, { method: 'POST', body: 'x' });
  assert.equal(r.status, 405);
  const q = await fetch(metricsUrl + '?format=text');
  assert.equal(q.status, 200, 'a query string is ignored');
});

test('log lines: logins, registrations, decisions, bans and 429s, without personal data', async () => {
  const s = await startServer({ rateLimit: 'on', args: ['--metrics-listen', '127.0.0.1:0'] });
  try {
    const murl = metricsAddress(s.log());
    createUser(s.dbUrl, { email: 'mod@example.com', name: 'Mo', role: 'moderator' });
    const mod = new Client(s.url);
    assert.equal((await mod.login('mod@example.com')).status, 200);
    const bob = new Client(s.url);
    const reg = await bob.register('Bob', 'bob.secret@example.com');
    assert.equal(reg.status, 201);
    const text = 'Bob writes a private sentence nobody should see in logs, you idiot.';
    const c = await bob.post('/api/v1/articles/log-1/comments', { body: text });
    assert.equal(c.status, 201);
    assert.equal((await mod.post(`/api/v1/mod/comments/${c.json.comment.id}/decision`, { action: 'reject', reason: 'rude' })).status, 200);
    assert.equal((await mod.post(`/api/v1/mod/users/${reg.json.user.id}/ban`, { reason: 'rude', until: null })).status, 200);
    const stranger = new Client(s.url);
    assert.equal((await stranger.login('bob.secret@example.com', 'wrong password!')).status, 401);
    assert.equal((await stranger.login('nobody@example.com', 'wrong password!')).status, 401);
    // The auth bucket holds 10 (four are spent): twelve at once overflow it.
    const flood = await Promise.all(Array.from({ length: 12 }, () => stranger.login('nobody@example.com', 'wrong password!')));
    assert.ok(flood.some((r) => r.status === 429), 'the login flood was rate limited');
    await logged(s, /msg="rate limited"/);
    const m = await (await fetch(murl)).text();
    assert.ok(value(m, 'parley_rate_limited_total') >= 1);
    assert.ok(value(m, 'parley_http_requests_total{route="POST /api/v1/auth/login",status="429"}') >= 1);

    const log = s.log();
    assert.match(log, new RegExp(`msg=login user=\\d+ client=127\\.0\\.0\\.0/24`));
    assert.match(log, new RegExp(`msg=registered user=${reg.json.user.id} client=127\\.0\\.0\\.0/24`));
    assert.match(log, new RegExp(`msg="login failed" reason=bad_password user=${reg.json.user.id} client=127\\.0\\.0\\.0/24`));
    assert.match(log, /msg="login failed" reason=unknown_account client=127\.0\.0\.0\/24/);
    assert.match(log, new RegExp(`msg="moderator decision" moderator=\\d+ comment=${c.json.comment.id} action=reject`));
    assert.match(log, new RegExp(`msg=ban moderator=\\d+ user=${reg.json.user.id}`));
    assert.match(log, /msg="rate limited" client=127\.0\.0\.0\/24 user=0 route="POST \/api\/v1\/auth\/login" retry_after=\d+/);
    for (const secret of ['bob.secret@example.com', 'nobody@example.com', 'mod@example.com', 'private sentence', 'wrong password', 'parley_session', '127.0.0.1 ', 'client=127.0.0.1']) {
      assert.ok(!log.includes(secret), `the log must not contain ${secret}`);
    }
    for (const cookie of [mod.cookie, bob.cookie].filter(Boolean)) {
      assert.ok(!log.includes(cookie.split('=')[1]), 'no session token in the log');
    }
  } finally {
    await stopClean(s);
  }
});

test('log_addresses chooses how much of the address a log line shows', async () => {
  for (const [mode, shown] of [['full', 'client=127.0.0.1'], ['none', 'client=-']]) {
    const s = await startServer({ env: { PARLEY_LOG_ADDRESSES: mode } });
    try {
      const c = new Client(s.url);
      assert.equal((await c.register('Cy', `cy-${mode}@example.com`)).status, 201);
      await logged(s, /msg=registered/);
      assert.ok(s.log().includes(`msg=registered user=1 ${shown}\n`), `${mode}: ${s.log()}`);
    } finally {
      await stopClean(s);
    }
  }
  const bad = spawnSync(BIN, ['config', '--check'], { env: { ...process.env, PARLEY_LOG_ADDRESSES: 'everything' }, encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /log_addresses must be full, network or none/);
});

test('requests slower than slow_request_ms are logged with their route and status', async () => {
  const s = await startServer({ env: { PARLEY_SLOW_REQUEST_MS: '1' } });
  try {
    // Registration hashes a password with argon2id: always over 1 ms.
    assert.equal((await new Client(s.url).register('Sly', 'sly@example.com')).status, 201);
    await logged(s, /msg="slow request"/);
    assert.match(s.log(), /msg="slow request" route="POST \/api\/v1\/auth\/register" status=201 ms=\d+/);
  } finally {
    await stopClean(s);
  }
});
