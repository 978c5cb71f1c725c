// tests/api/backup.test.mjs: `parley backup` and `parley restore` (issue 13).
// A backup taken while four clients keep posting comments must hold every
// comment acknowledged (201) before it began, nothing that was never
// acknowledged, and pass its own checks; restoring it gives a database a
// server runs on. The copy is read with the sqlite3 shell, independently of
// Parley.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BIN, startServer, tempDb, Client } from '../lib/server.mjs';
import { stopClean } from '../lib/api.mjs';

const isPg = /^postgres/.test(process.env.PARLEY_TEST_DB_URL || '');

function run(args) {
  return new Promise((resolve) => {
    const p = spawn(BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (c) => { out += c; });
    p.stderr.on('data', (c) => { err += c; });
    p.on('exit', (code) => resolve({ code, out, err }));
  });
}

function sqliteIds(file) {
  const r = spawnSync('sqlite3', [file, 'SELECT id FROM comments ORDER BY id'], { encoding: 'utf8' });
  assert.equal(r.status, 0, `sqlite3: ${r.error ? r.error.message : r.stderr}`);
  return new Set(r.stdout.split('\n').filter(Boolean).map(Number));
}

const TOPICS = ['budget', 'schools', 'roads', 'library', 'council', 'harbour', 'parks', 'buses'];

test('a backup under write load holds every comment acknowledged before it began', { skip: isPg && 'SQLite only' }, async () => {
  const srv = await startServer({ keepDb: true });
  const dir = path.dirname(srv.dbUrl.slice('sqlite:'.length));
  const copy = path.join(dir, 'copy.db');
  try {
    const acked = [];
    let stop = false;
    let reached;
    const warm = new Promise((resolve) => { reached = resolve; });
    const clients = await Promise.all([0, 1, 2, 3].map(async (k) => {
      const c = new Client(srv.url);
      assert.equal((await c.register(`Writer ${k}`, `w${k}@example.com`)).status, 201);
      return c;
    }));
    const writer = async (k) => {
      const c = clients[k];
      for (let i = 0; !stop; i++) {
        const topic = TOPICS[(i + k) % TOPICS.length];
        const r = await c.post(`/api/v1/articles/bk-${k}/comments`, { body: `Writer ${k}, note ${i}: the ${topic} figures for week ${i} look different from last year.` });
        assert.equal(r.status, 201, r.text);
        acked.push(Number(r.json.comment.id));
        if (acked.length >= 60) reached();
      }
    };
    const writers = [0, 1, 2, 3].map(writer);
    await warm;
    const before = [...acked];
    const b = await run(['backup', '--db', srv.dbUrl, '--to', copy]);
    const duringBackup = acked.length - before.length;
    stop = true;
    await Promise.all(writers);
    assert.equal(b.code, 0, b.err);
    const m = b.out.match(/^backup (\S+): (\d+) comments, (\d+) users, \d+ articles, schema \d+, \d+ bytes, [\d.]+ s$/m);
    assert.ok(m, b.out);
    assert.equal(m[1], copy);
    assert.equal(Number(m[3]), 4);

    const ids = sqliteIds(copy);
    assert.equal(ids.size, Number(m[2]), 'the printed count is the copy\'s');
    for (const id of before) assert.ok(ids.has(id), `comment ${id}, acknowledged before the backup, is in it`);
    const all = new Set(acked);
    for (const id of ids) assert.ok(all.has(id), `comment ${id} in the copy was acknowledged`);
    assert.ok(ids.size <= before.length + duringBackup + 4, 'no more than was acknowledged by the time it ended (+ in flight)');
    assert.equal(existsSync(copy + '.partial'), false);
    assert.equal(existsSync(copy + '-wal'), false, 'the copy is one file');

    // Restored into a fresh path, a server runs on it and lists the comments.
    const target = tempDb();
    try {
      const r = await run(['restore', '--from', copy, '--db', target.url]);
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, new RegExp(`^restored .*: ${ids.size} comments, 4 users`));
      const again = await startServer({ db: target, keepDb: true });
      try {
        const list = await new Client(again.url).get('/api/v1/articles/bk-0/comments?limit=100');
        assert.equal(list.status, 200);
        assert.ok(list.json.comments.length > 0);
        for (const c of list.json.comments) assert.ok(ids.has(Number(c.id)));
      } finally {
        await stopClean(again);
      }
      // An existing database is replaced only with --force.
      const refused = await run(['restore', '--from', copy, '--db', target.url]);
      assert.equal(refused.code, 2);
      assert.match(refused.err, /--force/);
    } finally {
      target.cleanup();
    }
  } finally {
    await stopClean(srv);
    spawnSync('rm', ['-rf', dir]);
  }
});

test('backup and restore refuse what they cannot do, leaving files alone', { skip: isPg && 'SQLite only' }, async () => {
  const db = tempDb();
  const dir = path.dirname(db.url.slice('sqlite:'.length));
  try {
    const exists = path.join(dir, 'exists.db');
    writeFileSync(exists, 'keep me');
    let r = await run(['backup', '--db', db.url, '--to', exists]);
    assert.equal(r.code, 2);
    assert.match(r.err, /--to: the file exists/);
    r = await run(['backup', '--db', 'postgres://localhost/parley', '--to', path.join(dir, 'x')]);
    assert.equal(r.code, 2);
    assert.match(r.err, /pg_dump/);
    r = await run(['backup', '--db', db.url]);
    assert.equal(r.code, 2);
    assert.match(r.err, /--to: is required/);
    r = await run(['backup', '--db', `sqlite:${path.join(dir, 'missing.db')}`, '--to', path.join(dir, 'y')]);
    assert.equal(r.code, 1);
    assert.equal(existsSync(path.join(dir, 'y')), false);
    assert.equal(existsSync(path.join(dir, 'y.partial')), false);
    // Not a database: refused before the target is touched.
    r = await run(['restore', '--from', exists, '--db', `sqlite:${path.join(dir, 'new.db')}`]);
    assert.equal(r.code, 1);
    assert.match(r.err, /integrity check failed|not a database/);
    assert.equal(existsSync(path.join(dir, 'new.db')), false);
    assert.equal((await run(['backup', '--help'])).code, 0);
    assert.equal((await run(['restore', '--help'])).code, 0);
  } finally {
    db.cleanup();
  }
});
