// tests/api/pow.test.mjs: the proof of work (setting pow; docs/ANTISPAM.md)
// through a real server: GET /pow gives an ALTCHA challenge that the test
// solves as a client would; registration and a reader's first comment need a
// solution, used once; wrong, reused, tampered and expired ones are refused
// with 400 pow_invalid, a missing one with 400 pow_required. Two servers on
// one database (two processes on one SQLite file; two nodes on one
// PostgreSQL database under tests/pg.sh) refuse each other's used solutions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { startServer, createUser, tempDb, Client } from '../lib/server.mjs';
import { stopClean, configFile, expectError } from '../lib/api.mjs';

const SECRET = 'a proof-of-work key the test knows';
const sha = (s) => createHash('sha256').update(s).digest('hex');

// A client's solver: tries 0, 1, 2... as ALTCHA's widget does.
function solve(c) {
  for (let n = 0; n <= c.maxnumber; n++) {
    if (sha(c.salt + n) === c.challenge) return n;
  }
  throw new Error('no solution');
}
const payload = (c, number, extra = {}) => Buffer.from(JSON.stringify({
  algorithm: c.algorithm, challenge: c.challenge, number, salt: c.salt, signature: c.signature, took: 5, ...extra,
})).toString('base64');

async function solved(client) {
  const r = await client.get('/api/v1/pow');
  assert.equal(r.status, 200);
  return payload(r.json, solve(r.json));
}

async function site(extra = '') {
  return startServer({ args: ['--config', configFile(`pow = on\npow_maxnumber = 2000\npow_secret = ${SECRET}\n${extra}`)] });
}

test('GET /pow gives an ALTCHA challenge signed with the key', async () => {
  const srv = await site();
  try {
    const before = Math.floor(Date.now() / 1000);
    const r = await new Client(srv.url).get('/api/v1/pow');
    assert.equal(r.status, 200);
    const c = r.json;
    assert.equal(c.algorithm, 'SHA-256');
    assert.equal(c.maxnumber, 2000);
    const m = c.salt.match(/^([0-9a-f]{24})\?expires=(\d+)&$/);
    assert.ok(m, c.salt);
    assert.ok(Number(m[2]) >= before + 600 - 1 && Number(m[2]) <= before + 600 + 60, c.salt);
    assert.equal(c.signature, createHmac('sha256', SECRET).update(c.challenge).digest('hex'));
    const n = solve(c);
    assert.ok(n >= 0 && n <= 2000);
    const other = (await new Client(srv.url).get('/api/v1/pow')).json;
    assert.notEqual(other.salt, c.salt);
  } finally {
    await stopClean(srv);
  }
});

test('registration needs a solution, and each solution works once', async () => {
  const srv = await site();
  try {
    const c = new Client(srv.url);
    const body = { name: 'Pia', email: 'pia@example.org', password: 'correct horse battery' };
    expectError(await c.post('/api/v1/auth/register', body), 400, 'pow_required', 'altcha');
    expectError(await c.post('/api/v1/auth/register', { ...body, altcha: 'not base64 !' }), 400, 'pow_invalid', 'altcha');
    expectError(await c.post('/api/v1/auth/register', { ...body, altcha: 42 }), 400, 'invalid_field', 'altcha');
    const ch = (await c.get('/api/v1/pow')).json;
    const n = solve(ch);
    // The wrong number, a changed challenge, a forged signature, another algorithm.
    const wrong = await c.post('/api/v1/auth/register', { ...body, altcha: payload(ch, (n + 1) % 2001) });
    expectError(wrong, 400, 'pow_invalid', 'altcha');
    assert.match(wrong.json.error.message, /does not solve/);
    const forged = sha(ch.salt + 7);
    expectError(await c.post('/api/v1/auth/register', { ...body, altcha: payload(ch, 7, { challenge: forged }) }), 400, 'pow_invalid', 'altcha');
    expectError(await c.post('/api/v1/auth/register', { ...body, altcha: payload(ch, n, { signature: '0'.repeat(64) }) }), 400, 'pow_invalid', 'altcha');
    expectError(await c.post('/api/v1/auth/register', { ...body, altcha: payload(ch, n, { algorithm: 'SHA-1' }) }), 400, 'pow_invalid', 'altcha');
    // The right one registers; used again, it is refused.
    const good = payload(ch, n);
    assert.equal((await c.post('/api/v1/auth/register', { ...body, altcha: good })).status, 201);
    const again = await new Client(srv.url).post('/api/v1/auth/register', { ...body, email: 'pia2@example.org', name: 'Pia Two', altcha: good });
    expectError(again, 400, 'pow_invalid', 'altcha');
    assert.match(again.json.error.message, /already used/);
  } finally {
    await stopClean(srv);
  }
});

test('an expired challenge is refused even with the right number and signature', async () => {
  const srv = await site();
  try {
    const salt = `0123456789abcdef01234567?expires=${Math.floor(Date.now() / 1000) - 5}&`;
    const challenge = sha(salt + 12);
    const signature = createHmac('sha256', SECRET).update(challenge).digest('hex');
    const altcha = payload({ algorithm: 'SHA-256', challenge, salt, signature }, 12);
    const r = await new Client(srv.url).post('/api/v1/auth/register', { name: 'Old', email: 'old@example.org', password: 'correct horse battery', altcha });
    expectError(r, 400, 'pow_invalid', 'altcha');
    assert.match(r.json.error.message, /expired/);
    // The same made with a fresh expiry passes: only the time was wrong.
    const salt2 = `0123456789abcdef01234567?expires=${Math.floor(Date.now() / 1000) + 300}&`;
    const ch2 = sha(salt2 + 12);
    const ok = payload({ algorithm: 'SHA-256', challenge: ch2, salt: salt2, signature: createHmac('sha256', SECRET).update(ch2).digest('hex') }, 12);
    assert.equal((await new Client(srv.url).post('/api/v1/auth/register', { name: 'New', email: 'new@example.org', password: 'correct horse battery', altcha: ok })).status, 201);
  } finally {
    await stopClean(srv);
  }
});

test("a reader's first comment needs a solution, later ones and staff's do not", async () => {
  const srv = await site();
  try {
    const u = createUser(srv.dbUrl, { email: 'sam@example.org', name: 'Sam Reader' });
    const sam = new Client(srv.url);
    assert.equal((await sam.login(u.email, u.password)).status, 200);
    const url = '/api/v1/articles/pow-story/comments';
    expectError(await sam.post(url, { body: 'My first comment here, about the bypass.' }), 400, 'pow_required', 'altcha');
    const first = await sam.post(url, { body: 'My first comment here, about the bypass.', altcha: await solved(sam) });
    assert.equal(first.status, 201, first.text);
    const second = await sam.post(url, { body: 'And a second one, about the bridge.' });
    assert.equal(second.status, 201, second.text);
    const m = createUser(srv.dbUrl, { email: 'mo@example.org', name: 'Mo Moderator', role: 'moderator' });
    const mo = new Client(srv.url);
    assert.equal((await mo.login(m.email, m.password)).status, 200);
    assert.equal((await mo.post(url, { body: 'Please keep to the topic of the article.' })).status, 201);
  } finally {
    await stopClean(srv);
  }
});

// The database remembers every used solution until it expires, so another
// server on it, or this one after a restart, refuses a replay that its own
// memory never saw; and of two servers given the same solution at once,
// exactly one accepts it.
test('a solution used through one server is refused by another on the same database', async () => {
  const db = tempDb();
  const args = ['--config', configFile(`pow = on\npow_maxnumber = 2000\npow_secret = ${SECRET}\n`)];
  let one = await startServer({ db, keepDb: true, args });
  const two = await startServer({ db, keepDb: true, args });
  const account = (name) => ({ name, email: `${name.toLowerCase()}@example.org`, password: 'correct horse battery' });
  try {
    const good = await solved(new Client(one.url));
    assert.equal((await new Client(one.url).post('/api/v1/auth/register', { ...account('Ada'), altcha: good })).status, 201);
    const replay = await new Client(two.url).post('/api/v1/auth/register', { ...account('Bea'), altcha: good });
    expectError(replay, 400, 'pow_invalid', 'altcha');
    assert.match(replay.json.error.message, /already used/);
    // The refused request stored nothing: Bea registers with a fresh solution.
    const bea = new Client(two.url);
    assert.equal((await bea.post('/api/v1/auth/register', { ...account('Bea'), altcha: await solved(bea) })).status, 201);

    // A first comment's solution, used through two, is refused by one.
    const url = '/api/v1/articles/pow-nodes/comments';
    const sam = createUser(db.url, { email: 'sam@example.org', name: 'Sam Reader' });
    const samTwo = new Client(two.url);
    assert.equal((await samTwo.login(sam.email, sam.password)).status, 200);
    const kim = createUser(db.url, { email: 'kim@example.org', name: 'Kim Reader' });
    const kimOne = new Client(one.url);
    assert.equal((await kimOne.login(kim.email, kim.password)).status, 200);
    const first = await solved(samTwo);
    assert.equal((await samTwo.post(url, { body: 'First, through the second server.', altcha: first })).status, 201);
    const stolen = await kimOne.post(url, { body: 'A first comment with a borrowed solution.', altcha: first });
    expectError(stolen, 400, 'pow_invalid', 'altcha');
    assert.match(stolen.json.error.message, /already used/);
    assert.equal((await kimOne.get('/api/v1/articles/pow-nodes/comments')).json.comments.length, 1);

    // The same solution to both at once: one account, one refusal.
    const both = await solved(new Client(one.url));
    const rs = await Promise.all([
      new Client(one.url).post('/api/v1/auth/register', { ...account('Cy'), altcha: both }),
      new Client(two.url).post('/api/v1/auth/register', { ...account('Di'), altcha: both }),
    ]);
    assert.deepEqual(rs.map((r) => r.status).sort(), [201, 400], rs.map((r) => r.text).join('\n'));
    expectError(rs.find((r) => r.status === 400), 400, 'pow_invalid', 'altcha');

    // A restart forgets the process's memory, not the database's.
    await stopClean(one);
    one = await startServer({ db, keepDb: true, args });
    expectError(await new Client(one.url).post('/api/v1/auth/register', { ...account('Eve'), altcha: good }), 400, 'pow_invalid', 'altcha');
  } finally {
    await stopClean(one);
    await stopClean(two);
    db.cleanup();
  }
});

test('with pow off (the default) nothing needs a solution, and /pow still answers', async () => {
  const srv = await startServer();
  try {
    const c = new Client(srv.url);
    assert.equal((await c.register('Quinn', 'quinn@example.org')).status, 201);
    assert.equal((await c.post('/api/v1/articles/free-story/comments', { body: 'No puzzle needed on this site.' })).status, 201);
    assert.equal((await c.get('/api/v1/pow')).status, 200);
  } finally {
    await stopClean(srv);
  }
});
