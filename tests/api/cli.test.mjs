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
