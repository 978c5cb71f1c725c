// tests/api/run.test.mjs: choosing the address (issue 13). `make run PORT=N`
// listens on N, `make run` and `parley serve` without --listen honour
// PARLEY_LISTEN, and the database comes from PARLEY_DB. `make run` is run
// for real, as a new user would, in its own process group so that stopping
// it stops the server it started.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BIN, tempDb } from '../lib/server.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

// Starts cmd, waits for the "listening" line, checks /healthz and the
// database it reports, then stops the whole process group.
async function runUntilListening(cmd, args, env) {
  const clean = { ...process.env, ...env };
  for (const k of ['MAKEFLAGS', 'MFLAGS', 'MAKELEVEL', 'MAKEOVERRIDES']) delete clean[k];
  const p = spawn(cmd, args, { cwd: root, env: clean, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const exited = new Promise((resolve) => p.on('exit', (code, sig) => resolve({ code, sig })));
  try {
    const line = await new Promise((resolve, reject) => {
      const on = (c) => {
        log += c.toString();
        const m = log.match(/msg=listening url=(\S+)[^\n]* db="([^"]*)"/);
        if (m) resolve({ url: m[1], db: m[2] });
      };
      p.stdout.on('data', on);
      p.stderr.on('data', on);
      p.on('exit', (code) => reject(new Error(`${cmd} exited ${code} before listening:\n${log}`)));
    });
    const health = await fetch(line.url + '/healthz');
    assert.equal(health.status, 200);
    return line;
  } finally {
    try { process.kill(-p.pid, 'SIGTERM'); } catch { /* already gone */ }
    await exited;
  }
}

test('parley serve without --listen listens where PARLEY_LISTEN says', async () => {
  const db = tempDb();
  try {
    const port = await freePort();
    const r = await runUntilListening(BIN, ['serve', '--db', db.url, '--rate-limit', 'off'], { PARLEY_LISTEN: `127.0.0.1:${port}` });
    assert.equal(r.url, `http://127.0.0.1:${port}`);
  } finally {
    db.cleanup();
  }
});

test('make run PORT=N listens on N; without PORT it honours PARLEY_LISTEN and PARLEY_DB', async () => {
  const db = tempDb();
  try {
    const port = await freePort();
    const a = await runUntilListening('make', ['-s', 'run', `PORT=${port}`], { PARLEY_DB: db.url, PORT: '' });
    assert.equal(a.url, `http://127.0.0.1:${port}`);
    assert.equal(a.db, db.url, 'the database from PARLEY_DB, not ./parley.db');
    const other = await freePort();
    const b = await runUntilListening('make', ['-s', 'run'], { PARLEY_DB: db.url, PARLEY_LISTEN: `127.0.0.1:${other}`, PORT: '' });
    assert.equal(b.url, `http://127.0.0.1:${other}`);
  } finally {
    db.cleanup();
  }
});
