// tests/api/cli.test.mjs: the command line of issue 2, with its exact
// spellings: help exits 0, a bad flag or value exits 2 with one line naming
// it, and create-user is safe while a server writes to the same database.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { BIN, startServer, createUser, tempDb, Client } from '../lib/server.mjs';
import { stopClean } from '../lib/api.mjs';

function run(args, input = '') {
  return spawnSync(BIN, args, { input, encoding: 'utf8', timeout: 20000 });
}

function expectUsageError(args, flag) {
  const db = tempDb();
  try {
    const r = run(args.map((a) => (a === 'DB' ? db.url : a)));
    assert.equal(r.status, 2, `${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, `${args.join(' ')}: one line, got:\n${r.stderr}`);
    assert.ok(lines[0].includes(flag), `${args.join(' ')}: the error names ${flag}: ${lines[0]}`);
  } finally {
    db.cleanup();
  }
}

test('--help and <command> --help exit 0 with usage on stdout', () => {
  for (const args of [['--help'], ['serve', '--help'], ['admin', 'create-user', '--help']]) {
    const r = run(args);
    assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stdout, /Usage: parley/);
  }
  const s = run(['serve', '--help']).stdout;
  for (const f of ['--listen', '--db', '--config']) assert.ok(s.includes(f), `serve --help mentions ${f}`);
  const c = run(['admin', 'create-user', '--help']).stdout;
  for (const f of ['--email', '--name', '--role']) assert.ok(c.includes(f), `create-user --help mentions ${f}`);
});

test('bad flags and values exit 2 with one line naming them', () => {
  expectUsageError(['serve', '--bogus'], '--bogus');
  expectUsageError(['serve', '--listen', 'nonsense', '--db', 'DB'], '--listen');
  expectUsageError(['serve', '--listen', '127.0.0.1:70000', '--db', 'DB'], '--listen');
  expectUsageError(['serve', '--listen'], '--listen');
  expectUsageError(['serve', '--rate-limit', 'maybe', '--db', 'DB'], 'rate');
  expectUsageError(['admin', 'create-user', '--db', 'DB', '--email', 'a@example.com', '--name', 'A', '--role', 'king'], '--role');
  expectUsageError(['admin', 'create-user', '--db', 'DB', '--name', 'A', '--role', 'reader'], '--email');
  expectUsageError(['admin', 'create-user', '--db', 'DB', '--email', 'a@example.com', '--name', 'A', '--role', 'reader', '--colour', 'red'], '--colour');
  const r = run(['frobnicate']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /frobnicate/);
});

test('create-user while a server runs on the same database', async () => {
  const srv = await startServer();
  const alice = new Client(srv.url);
  assert.equal((await alice.register('Alice', 'alice@example.com')).status, 201);
  // The server is writing comments while the CLI creates a moderator.
  const cli = new Promise((resolve) => {
    const p = spawn(BIN, ['admin', 'create-user', '--db', srv.dbUrl, '--email', 'Mod@Example.com', '--name', 'Mo', '--role', 'moderator'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d) => { err += d; });
    p.on('exit', (code) => resolve({ code, err }));
    p.stdin.end('a moderator password\n');
  });
  const posts = Array.from({ length: 20 }, (_, i) => alice.post('/api/v1/articles/cli/comments', { body: `while creating ${i}` }));
  const [res, ...rs] = await Promise.all([cli, ...posts]);
  assert.equal(res.code, 0, res.err);
  for (const r of rs) assert.equal(r.status, 201, r.text);
  const mod = new Client(srv.url);
  const r = await mod.login('mod@example.com', 'a moderator password');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.user.role, 'moderator');
  assert.equal((await mod.put('/api/v1/articles/cli', { status: 'closed' })).status, 200);
  // A second account with the same address is refused, and the server is unharmed.
  assert.throws(() => createUser(srv.dbUrl, { email: 'MOD@example.com', name: 'Again', role: 'reader' }), /create-user failed/);
  assert.equal((await alice.get('/api/v1/articles/cli/comments?limit=100')).json.comments.length, 20);
  await stopClean(srv);
});

// libpq and libxml2 are opened at run time, only by what needs them
// (src/store/pq_dl.c, src/import/xml_dl.c): linked, they and the libraries
// they pull in (TLS, Kerberos, ICU) would sit in every
// server's memory. A SQLite server must not have mapped any of them, and
// no server libxml2.
test('a server maps libxml2 never, and libpq (with TLS and Kerberos) only for PostgreSQL', async () => {
  const onPg = Boolean(process.env.PARLEY_TEST_DB_URL);
  const srv = await startServer();
  try {
    const client = new Client(srv.url);
    assert.equal((await client.get('/api/v1/articles/maps/comments')).status, 200);
    const { readFileSync } = await import('node:fs');
    const maps = readFileSync(`/proc/${srv.proc.pid}/maps`, 'utf8');
    assert.match(maps, /libsqlite3/, 'the maps are the server\'s own');
    for (const lib of ['libxml2', 'libicu']) assert.ok(!maps.includes(lib), `${lib} is mapped`);
    if (onPg) assert.match(maps, /libpq/, 'a PostgreSQL server has loaded libpq');
    else for (const lib of ['libpq', 'libssl', 'libkrb5', 'libcurl']) assert.ok(!maps.includes(lib), `${lib} is mapped`);
  } finally {
    await stopClean(srv);
  }
});

// `parley check --scores` (issue 10): every attribute the model scores, by
// Perspective's names, in the JSON; with --tsv, as a fourth column holding
// one JSON object. Compared with each other, not with fixed numbers, since
// the model is retrained.
test('check --scores prints every attribute; --tsv --scores adds them as a fourth column', async () => {
  const ATTRS = ['TOXICITY', 'SEVERE_TOXICITY', 'INSULT', 'PROFANITY', 'THREAT', 'IDENTITY_ATTACK'];
  const insult = run(['check', '--scores'], 'You are a worthless, pathetic idiot.');
  const weather = run(['check', '--scores'], 'The weather will be sunny and mild tomorrow.');
  for (const r of [insult, weather]) assert.equal(r.status, 0, r.stderr);
  const a = JSON.parse(insult.stdout).scores;
  const b = JSON.parse(weather.stdout).scores;
  for (const attr of ATTRS) {
    for (const s of [a, b]) assert.ok(typeof s[attr] === 'number' && s[attr] >= 0 && s[attr] <= 1, `${attr}: ${s[attr]}`);
  }
  assert.ok(a.INSULT > b.INSULT && a.TOXICITY > b.TOXICITY, `${insult.stdout} vs ${weather.stdout}`);
  // Without --scores there are none.
  assert.equal(JSON.parse(run(['check'], 'Hello.').stdout).scores, undefined);

  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const path = await import('node:path');
  const dir = mkdtempSync(path.join(tmpdir(), 'parley-tsv-'));
  try {
    const file = path.join(dir, 'in.tsv');
    writeFileSync(file, 'c1\tYou are a worthless, pathetic idiot.\nc2\tThe weather will be sunny and mild tomorrow.\n');
    const plain = run(['check', '--tsv', file]);
    assert.equal(plain.status, 0, plain.stderr);
    for (const line of plain.stdout.trim().split('\n')) assert.equal(line.split('\t').length, 3, line);
    const scored = run(['check', '--tsv', file, '--scores']);
    assert.equal(scored.status, 0, scored.stderr);
    const rows = scored.stdout.trim().split('\n').map((l) => l.split('\t'));
    assert.deepEqual(rows.map((r) => r.length), [4, 4]);
    assert.deepEqual(rows.map((r) => r[0]), ['c1', 'c2']);
    assert.deepEqual(rows.map((r) => r.slice(0, 3)), plain.stdout.trim().split('\n').map((l) => l.split('\t')), 'the first three columns are unchanged');
    const [s1, s2] = rows.map((r) => JSON.parse(r[3]));
    assert.deepEqual(Object.keys(s1), ATTRS);
    assert.ok(s1.INSULT > s2.INSULT);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const help = run(['check', '--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /--scores/);
  assert.match(help.stdout, /fourth\s+column/);
});
