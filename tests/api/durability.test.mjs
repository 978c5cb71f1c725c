// tests/api/durability.test.mjs: an acknowledged comment survives kill -9,
// and SIGTERM drains the requests in flight before a clean exit.
//
// The database outlives each server (startServer({db, keepDb: true})); the
// next server opens the same file. Sessions are stored, so the same clients
// keep working across restarts.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, tempDb, Client } from '../lib/server.mjs';
import { stopClean, sanitizerReport } from '../lib/api.mjs';

const db = tempDb();
after(() => db.cleanup());

const ART = 'durable';

test('every comment acknowledged before kill -9 is there after a restart', async () => {
  const srv = await startServer({ db, keepDb: true });
  const alice = new Client(srv.url);
  assert.equal((await alice.register('Alice', 'alice@example.com')).status, 201);
  const acked = [];
  const post = async (i) => {
    try {
      const r = await alice.post(`/api/v1/articles/${ART}/comments`, { body: `durable ${i}` });
      if (r.status === 201) acked.push(r.json.comment);
      else assert.fail(`unexpected ${r.status}: ${r.text}`);
    } catch (e) {
      if (e.code === 'ERR_ASSERTION') throw e;
      // The connection died with the server: not acknowledged, may or may not be stored.
    }
  };
  for (let b = 0; b < 4; b++) await Promise.all(Array.from({ length: 10 }, (_, k) => post(b * 10 + k)));
  assert.equal(acked.length, 40);
  // The last batch: kill -9 as soon as its first answer arrives, with the rest in flight.
  let killed;
  const last = Array.from({ length: 10 }, (_, k) => post(40 + k).then(() => {
    if (!killed) { srv.proc.kill('SIGKILL'); killed = srv.exited; }
  }));
  await Promise.all(last);
  const ex = await killed;
  assert.equal(ex.sig, 'SIGKILL');
  assert.equal(sanitizerReport(srv.log()), null);
  assert.ok(acked.length >= 41, `acknowledged ${acked.length}`);

  const srv2 = await startServer({ db, keepDb: true });
  const a2 = new Client(srv2.url);
  a2.cookie = alice.cookie;
  assert.equal((await a2.get('/api/v1/me')).status, 200, 'the session survived the crash');
  const r = await a2.get(`/api/v1/articles/${ART}/comments?limit=100`);
  assert.equal(r.status, 200);
  const stored = new Map(r.json.comments.map((c) => [c.id, c]));
  for (const c of acked) {
    assert.ok(stored.has(c.id), `acknowledged comment ${c.id} lost`);
    assert.equal(stored.get(c.id).html, c.html);
  }
  assert.ok(stored.size <= 50);
  assert.equal(r.json.article.comment_count, stored.size);
  await stopClean(srv2);
});

test('SIGTERM: requests in flight complete, then the process exits 0', async () => {
  const srv = await startServer({ db, keepDb: true });
  // Registrations are slow on purpose (argon2id on one hashing thread), so
  // most are still in flight when the first one is answered.
  const clients = Array.from({ length: 6 }, () => new Client(srv.url));
  const writer = new Client(srv.url);
  assert.equal((await writer.login('alice@example.com')).status, 200);
  let signalled = false;
  const sigterm = () => { if (!signalled) { signalled = true; srv.proc.kill('SIGTERM'); } };
  const results = await Promise.all([
    ...clients.map((c, i) => c.register(`User ${i}`, `drain${i}@example.com`).then((r) => { sigterm(); return r; })),
    ...Array.from({ length: 10 }, (_, i) => writer.post(`/api/v1/articles/drain/comments`, { body: `drain ${i}` })),
  ]);
  for (const r of results) assert.ok(r.status === 201, `in-flight request answered ${r.status}: ${r.text}`);
  const ex = await srv.exited;
  assert.deepEqual(ex, { code: 0, sig: null }, srv.log().slice(-2000));
  assert.equal(sanitizerReport(srv.log()), null);
  assert.match(srv.log(), /msg=stopped/);
  // Some registrations were answered after the signal: they really were in flight.
  const log = srv.log();
  assert.ok(log.lastIndexOf('msg=registered') > log.indexOf('msg="shutting down"'), 'no request was in flight at SIGTERM');

  // Everything answered is stored: the new accounts' sessions and the comments.
  const srv2 = await startServer({ db, keepDb: true });
  for (const c of clients) {
    const me = await new Client(srv2.url).get('/api/v1/me', { cookie: c.cookie });
    assert.equal(me.status, 200);
  }
  const r = await new Client(srv2.url).get('/api/v1/articles/drain/comments?limit=100');
  assert.equal(r.json.comments.length, 10);
  await stopClean(srv2);
});
