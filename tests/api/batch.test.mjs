// tests/api/batch.test.mjs: the writer's batches (docs/STORAGE.md, "The
// writer's batches"). On PostgreSQL new comments that reach the writer
// together are written as one batch, without a savepoint each; when one of
// them fails in the writer, the batch is undone and its jobs run again one
// by one, so the failing one gets the answer it would have had alone and
// the others are stored. The failure here is a proof-of-work solution
// already used through another node, which this node's memory never saw,
// so only the writer's spend refuses it. Under tests/pg.sh a lock on
// `articles` holds the writer until the posts wait in its queue together;
// on SQLite (no batches) the same posts give the same answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { startServer, createUser, tempDb, Client } from '../lib/server.mjs';
import { stopClean, configFile, expectError } from '../lib/api.mjs';

const SECRET = 'a proof-of-work key the batch test knows';
const sha = (s) => createHash('sha256').update(s).digest('hex');
const isPg = (url) => /^postgres(ql)?:\/\//.test(url || '');
const tick = () => new Promise((r) => setTimeout(r, 20));

async function solved(client) {
  const c = (await client.get('/api/v1/pow')).json;
  for (let n = 0; n <= c.maxnumber; n++) {
    if (sha(c.salt + n) === c.challenge) {
      return Buffer.from(JSON.stringify({
        algorithm: c.algorithm, challenge: c.challenge, number: n, salt: c.salt, signature: c.signature, took: 5,
      })).toString('base64');
    }
  }
  throw new Error('no solution');
}

function psqlValue(url, sql) {
  const r = spawnSync('psql', ['-X', '-q', '-A', '-t', '-d', url, '-c', sql], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`psql ${sql}: ${r.stderr}`);
  return r.stdout.trim();
}

async function until(what, fn) {
  for (let i = 0; i < 1500; i++) {
    if (await fn()) return;
    await tick();
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function queueDepth(metricsUrl) {
  const text = await (await fetch(metricsUrl)).text();
  const m = text.match(/^parley_write_queue_depth (\d+)$/m);
  return m ? Number(m[1]) : -1;
}

test('a batch with a job the writer refuses is run again job by job: that job alone fails', async () => {
  const db = tempDb();
  const conf = configFile(`pow = on\npow_maxnumber = 2000\npow_secret = ${SECRET}\n`);
  const one = await startServer({ db, keepDb: true, args: ['--config', conf, '--metrics-listen', '127.0.0.1:0'] });
  const two = await startServer({ db, args: ['--config', conf] });
  let holder = null;
  try {
    await until('the metrics address', () => /msg="metrics listening" url=/.test(one.log()));
    const metricsUrl = one.log().match(/msg="metrics listening" url=(\S+)/)[1];
    const url = '/api/v1/articles/batch-story/comments';
    const users = ['Ann', 'Ben', 'Cai'].map((name) =>
      createUser(one.dbUrl, { email: `${name.toLowerCase()}@example.org`, name }));
    const mo = createUser(one.dbUrl, { email: 'mo@example.org', name: 'Mo', role: 'moderator' });

    // Ann's first comment, through node two, spends a solution there.
    const spent = await solved(new Client(two.url));
    const annTwo = new Client(two.url);
    assert.equal((await annTwo.login(users[0].email)).status, 200);
    const opening = await annTwo.post(url, { body: 'First here, about the bridge repairs.', altcha: spent });
    assert.equal(opening.status, 201, opening.text);

    const [ann, ben, cai, mod] = [users[0], users[1], users[2], mo].map(() => new Client(one.url));
    for (const [c, u] of [[ann, users[0]], [ben, users[1]], [cai, users[2]], [mod, mo]]) {
      assert.equal((await c.login(u.email)).status, 200);
    }
    const fresh = await solved(new Client(one.url));

    const pg = isPg(one.dbUrl);
    if (pg) {
      // Holds the writer: its insert into articles waits for this lock.
      holder = spawn('psql', ['-X', '-q', '-d', one.dbUrl], { stdio: ['pipe', 'ignore', 'inherit'] });
      holder.stdin.write('BEGIN;\nLOCK TABLE articles IN EXCLUSIVE MODE;\n');
      await until('the lock', () => psqlValue(one.dbUrl,
        "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 'articles' AND l.mode = 'ExclusiveLock' AND l.granted") === '1');
    }
    const first = mod.post(url, { body: 'Please keep to the repairs and the closures.' });
    if (pg) {
      await until('the writer to wait', () => psqlValue(one.dbUrl,
        "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 'articles' AND NOT l.granted") !== '0');
    }
    const posts = [
      ann.post(url, { body: 'And a second thought, on the detour signs.' }),
      ben.post(url, { body: 'My first comment, reusing a solution.', altcha: spent }),
      cai.post(url, { body: 'My first comment, about the night works.', altcha: fresh }),
      mod.post(url, { body: 'The council answers questions on Friday.' }),
    ];
    if (pg) {
      await until('four posts in the queue', async () => (await queueDepth(metricsUrl)) === 4);
      holder.stdin.end('COMMIT;\n');
    }
    const [r0, rAnn, rBen, rCai, rMod] = await Promise.all([first, ...posts]);
    assert.equal(r0.status, 201, r0.text);
    assert.equal(rAnn.status, 201, rAnn.text);
    expectError(rBen, 400, 'pow_invalid', 'altcha');
    assert.match(rBen.json.error.message, /already used/);
    assert.equal(rCai.status, 201, rCai.text);
    assert.equal(rMod.status, 201, rMod.text);
    const ids = [r0, rAnn, rCai, rMod].map((r) => r.json.comment.id);
    assert.equal(new Set(ids).size, 4);
    for (const r of [r0, rAnn, rCai, rMod]) assert.equal(r.json.comment.parent_id, null);

    // Exactly the acknowledged comments are stored, and counted.
    const page = await new Client(one.url).get(`${url}?limit=100`);
    assert.equal(page.status, 200);
    const listed = page.json.comments.map((c) => c.id).sort((a, b) => a - b);
    assert.deepEqual(listed, [opening.json.comment.id, ...ids].sort((a, b) => a - b));
    assert.equal(page.json.article.comment_count, 5);
    const undone = one.log().match(/msg="batch undone, its jobs run one by one" jobs=(\d+)/g) || [];
    if (pg) assert.deepEqual(undone, ['msg="batch undone, its jobs run one by one" jobs=4']);
    else assert.deepEqual(undone, []);
    // Nothing of Ben's refused post was kept: his first comment still needs a solution.
    expectError(await ben.post(url, { body: 'Trying again without one.' }), 400, 'pow_required', 'altcha');
    const again = await ben.post(url, { body: 'Trying again with a new one.', altcha: await solved(ben) });
    assert.equal(again.status, 201, again.text);
  } finally {
    if (holder && holder.exitCode === null) holder.stdin.end('ROLLBACK;\n');
    await stopClean(one);
    await stopClean(two);
  }
});
