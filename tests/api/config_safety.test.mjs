// tests/api/config_safety.test.mjs: settings and files an operator gets
// right or is told about (issue 11, items 3, 4 and 14, and `config
// --check`). `parley config --check` runs the very checks `parley serve`
// makes, so a config it calls ok starts; a short sso_secret is refused by
// both; no database password reaches a log line or a printed message (serve,
// create-user, import); a new SQLite database and its WAL files are readable
// by their owner only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, statSync, writeFileSync, copyFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BIN, startServer, tempDb, Client } from '../lib/server.mjs';
import { configFile, stopClean } from '../lib/api.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));

function run(args, { env = {}, input = '', cwd } = {}) {
  return spawnSync(BIN, args, { encoding: 'utf8', input, cwd, timeout: 30000, env: { ...process.env, ...env } });
}

// A lexicon directory missing one of its lists.
function incompleteLexicon() {
  const dir = mkdtempSync(path.join(tmpdir(), 'parley-lex-'));
  const src = path.resolve(here, '..', '..', 'data', 'lexicon');
  const files = readdirSync(src).filter((f) => f.endsWith('.tsv'));
  for (const f of files.slice(1)) copyFileSync(path.join(src, f), path.join(dir, f));
  return { dir, missing: files[0] };
}

test('config --check refuses what serve refuses, naming the setting, and serve refuses it too', async () => {
  const lex = incompleteLexicon();
  const cwd = mkdtempSync(path.join(tmpdir(), 'parley-cwd-'));
  const cases = [
    ['policy.slur = maybe', /policy\.slur/],
    ['policy.nonsense = hold', /policy\.nonsense/],
    ['guidelines_file = /nonexistent/guidelines.md', /guidelines_file/],
    ['db = mysql://localhost/parley', /db: unknown database URL scheme/],
    [`moderation.lexicon_dir = ${lex.dir}`, new RegExp(lex.missing.replace('.', '\\.'))],
    ['sso_secret = short-secret', /sso_secret: 12 bytes is too short/],
    ['moderation.max_links = many', /moderation\.max_links/],
    ['listen = nowhere', /listen/],
  ];
  try {
    for (const [line, why] of cases) {
      const file = configFile(`${line}\n`);
      const check = run(['config', '--check', '--config', file]);
      assert.equal(check.status, 2, `${line}: config --check exit ${check.status}: ${check.stdout}${check.stderr}`);
      assert.equal(check.stdout, '', `${line}: not "config ok"`);
      assert.match(check.stderr, why, line);
      assert.equal(check.stderr.trim().split('\n').length, 1, check.stderr);
      // serve stops at the same check, before it opens a database or
      // listens (were it to start, it would on the default address).
      const serve = run(['serve', '--config', file], { cwd });
      assert.equal(serve.status, 2, `${line}: serve exit ${serve.status}: ${serve.stderr}`);
      assert.match(serve.stderr, why, line);
    }
    const good = configFile('policy.slur = hold\nsso_secret = 0123456789abcdef0123456789abcdef\n');
    const ok = run(['config', '--check', '--config', good]);
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(ok.stdout, 'config ok\n');
  } finally {
    rmSync(lex.dir, { recursive: true, force: true });
    assert.deepEqual(readdirSync(cwd), [], 'no database was created');
    rmSync(cwd, { recursive: true, force: true });
  }
});

test('a short sso_secret from the environment stops serve at start', () => {
  const r = run(['serve', '--listen', '127.0.0.1:0', '--db', 'sqlite::memory:'], { env: { PARLEY_SSO_SECRET: 'x'.repeat(31) } });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /sso_secret: 31 bytes/);
});

const PW = 'Hunter2-s3cret-pw';
const isPg = (u) => /^postgres(ql)?:\/\//.test(u || '');

test('no database password is logged or printed, by serve, create-user or import', async () => {
  // Nothing listens on port 1: every command fails to connect and says so.
  const url = `postgres://parley:${PW}@127.0.0.1:1/parley?sslmode=disable&password=${PW}2`;
  const serve = run(['serve', '--listen', '127.0.0.1:0', '--db', url]);
  assert.notEqual(serve.status, 0);
  assert.match(serve.stderr, /cannot open the database/);
  const user = run(['admin', 'create-user', '--db', url, '--email', 'a@example.com', '--name', 'A', '--role', 'reader'], { input: 'a long passphrase\n' });
  assert.notEqual(user.status, 0);
  assert.match(user.stderr, /cannot open/);
  const dir = mkdtempSync(path.join(tmpdir(), 'parley-redact-'));
  try {
    const file = path.join(dir, 'export.xml');
    writeFileSync(file, '<?xml version="1.0"?><disqus xmlns="http://disqus.com"></disqus>');
    const imp = run(['import', 'disqus', file, '--db', url]);
    assert.notEqual(imp.status, 0);
    assert.match(imp.stderr, /cannot open/);
    for (const out of [serve, user, imp]) {
      const text = out.stdout + out.stderr;
      assert.ok(!text.includes(PW), `password in output: ${text}`);
      assert.ok(!text.includes('s3cret'), `password in output: ${text}`);
    }
    assert.match(serve.stderr, /parley:\*\*\*@127\.0\.0\.1:1/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // Under tests/pg.sh a real server: the "listening" line names the
  // database without its password (the test cluster trusts every login, so
  // any password is accepted).
  const base = process.env.PARLEY_TEST_DB_URL;
  if (isPg(base)) {
    const db = tempDb(); // a fresh database beside the suite's
    const u = new URL(db.url);
    u.password = PW;
    const srv = await startServer({ db: { url: u.toString(), cleanup: db.cleanup } });
    try {
      assert.match(srv.log(), /msg=listening .*db="postgres:\/\/parley:\*\*\*@/);
      assert.ok(!srv.log().includes(PW));
    } finally {
      await stopClean(srv);
    }
  }
});

test('a new SQLite database and its WAL and shared-memory files are readable by their owner only', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'parley-mode-'));
  const sub = path.join(dir, 'db');
  mkdirSync(sub);
  const file = path.join(sub, 'parley.db');
  const old = process.umask(0o022);
  try {
    const srv = await startServer({ db: { url: `sqlite:${file}`, cleanup() {} } });
    try {
      assert.equal((await new Client(srv.url).register('Mo', 'mo@example.com', 'a long passphrase')).status, 201);
      for (const f of ['parley.db', 'parley.db-wal', 'parley.db-shm']) {
        const mode = statSync(path.join(sub, f)).mode & 0o777;
        assert.equal(mode.toString(8), '600', f);
      }
    } finally {
      await stopClean(srv);
    }
  } finally {
    process.umask(old);
    rmSync(dir, { recursive: true, force: true });
  }
});
