// tests/api/account_safety.test.mjs: who may take or reach an account
// (issue 11, items 3, 5 and 10, and names). Single sign-on never links a
// token to a staff or password account by e-mail, and links a password-less
// reader's only when the token says the address was verified; the explicit
// link step needs the account's own session. Reserved domains (.invalid,
// .test, .example, .localhost) cannot be registered or signed on with, so
// nobody can take the addresses Parley gives imported authors, and the
// importer knows its accounts by a field, so an account someone took before
// the rule existed never receives an imported history. Names with
// invisible or text-direction characters are refused, common passwords
// too, and a login to a password-less account costs a real argon2 check.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BIN, Client, createUser, tempDb } from '../lib/server.mjs';
import { expectError, stopClean } from '../lib/api.mjs';
import { deskServer, sql, jwt, claims } from './desk_helpers.mjs';

// Runs the CLI without blocking the event loop (spawnSync would: the
// suite's server closes idle connections meanwhile, unseen by the client).
function run(args, input = '') {
  return new Promise((resolve) => {
    const p = spawn(BIN, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => { stderr += d; });
    p.on('close', (status) => resolve({ status, stdout, stderr }));
    p.stdin.end(input);
  });
}
const SECRET = 'a shared secret of more than thirty-two bytes, for tests';
let D;
before(async () => { D = await deskServer({ PARLEY_SSO_SECRET: SECRET }); });
after(async () => { await stopClean(D.srv); });

const sso = (client, over, extra = {}) => client.post('/api/v1/auth/sso', { token: jwt(SECRET, claims(over)), ...extra });

test('registration refuses reserved domains, invisible characters in names and common passwords', async () => {
  const c = new Client(D.url);
  for (const email of ['disqus-alice@import.invalid', 'moderation-engine@parley.invalid', 'deleted-7@deleted.invalid',
    'a@news.test', 'b@site.example', 'c@host.localhost', 'd@X.INVALID', 'e@x.invalid.']) {
    expectError(await c.register('Someone', email), 400, 'invalid_field', 'email');
  }
  for (const name of ['Ada\u202eniam', 'Ad\u200ba', '\u2066Ada\u2069', 'Ada\u00ad', 'Ada\u200d', '\u3164']) {
    const res = await c.register(name, `name${name.length}@example.com`);
    expectError(res, 400, 'invalid_field', 'name');
    assert.match(res.json.error.message, /invisible|direction/);
  }
  for (const [pw, why] of [['password123', /common/], ['Password1', /common/], ['QWERTYUIOP', /common/],
    ['carol.writer@example.com', /e-mail/], ['carol.writer', /e-mail/], ['Carol Writer', /name/]]) {
    const res = await c.post('/api/v1/auth/register', { name: 'Carol Writer', email: 'carol.writer@example.com', password: pw });
    expectError(res, 400, 'invalid_field', 'password');
    assert.match(res.json.error.message, why);
  }
  const ok = await c.register('Carol Writer', 'carol.writer@example.com', 'my own long phrase');
  assert.equal(ok.status, 201, ok.text);
  // `admin create-user` follows the same rules.
  const r = await run(['admin', 'create-user', '--db', D.srv.dbUrl, '--email', 'x@import.invalid', '--name', 'X', '--role', 'moderator'],
    'a long passphrase\n');
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /--email.*reserved/);
  const r2 = await run(['admin', 'create-user', '--db', D.srv.dbUrl, '--email', 'y@example.com', '--name', 'Y', '--role', 'reader'],
    'iloveyou\n');
  assert.equal(r2.status, 2, r2.stderr);
  assert.match(r2.stderr, /common/);
});

test('SSO never links a token to a staff or password account by e-mail, and never renames one', async () => {
  for (const [email, name] of [['mod@example.com', 'Max Moderator'], ['admin@example.com', 'Ada Admin']]) {
    for (const verified of [false, true]) {
      const res = await sso(new Client(D.url), { sub: `evil-${email}-${verified}`, name: 'Mallory', email: email.toUpperCase(), email_verified: verified });
      expectError(res, 409, 'email_taken', 'token');
    }
    assert.equal(sql(D.srv.dbUrl, `SELECT name FROM users WHERE email = '${email}'`), name, 'not renamed');
  }
  const reader = await D.reader('Rita');
  const res = await sso(new Client(D.url), { sub: 'evil-rita', name: 'Mallory', email: reader.email, email_verified: true });
  expectError(res, 409, 'email_taken', 'token');
  assert.match(res.json.error.message, /log in/);
  assert.equal((await reader.get('/api/v1/me')).json.user.name, 'Rita');
  assert.equal(sql(D.srv.dbUrl, "SELECT count(*) FROM sso_subjects WHERE sub LIKE 'evil-%'"), '0');
});

test('SSO links a password-less reader by e-mail only when the token says the address is verified', async () => {
  const first = await sso(new Client(D.url), { sub: 'pub-old-id', name: 'Vera', email: 'vera@news.example.com' });
  assert.equal(first.status, 200, first.text);
  const id = first.json.user.id;
  // The publisher moved Vera to a new user id: same address, new subject.
  expectError(await sso(new Client(D.url), { sub: 'pub-new-id', name: 'Vera', email: 'Vera@News.Example.com' }), 409, 'email_taken', 'token');
  const linked = await sso(new Client(D.url), { sub: 'pub-new-id', name: 'Vera V.', email: 'vera@news.example.com', email_verified: true });
  assert.equal(linked.status, 200, linked.text);
  assert.equal(linked.json.user.id, id);
  assert.equal(linked.json.user.name, 'Vera V.');
  const bad = await sso(new Client(D.url), { sub: 'pub-x', email: 'x@news.example.com', email_verified: 'yes' });
  expectError(bad, 401, 'invalid_token', 'token');
});

test('the explicit link step joins a sign-on to the account whose session sends it', async () => {
  const mod = D.mod; // logged in as Max Moderator
  const token = () => jwt(SECRET, claims({ sub: 'pub-max', name: 'Max from the CMS', email: 'max.cms@news.example.com' }));
  expectError(await new Client(D.url).post('/api/v1/auth/sso', { token: token(), link: true }), 401, 'login_required');
  expectError(await mod.post('/api/v1/auth/sso', { token: token(), link: 'yes' }), 400, 'invalid_field', 'link');
  const res = await mod.post('/api/v1/auth/sso', { token: token(), link: true });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.user.role, 'moderator');
  const modId = res.json.user.id;
  // From now on the publisher's sign-on opens the moderator's account, and
  // does not rename it or change its address: staff names are the admin's.
  const later = await sso(new Client(D.url), { sub: 'pub-max', name: 'Someone Else', email: 'other@news.example.com' });
  assert.equal(later.status, 200, later.text);
  assert.equal(later.json.user.id, modId);
  assert.equal(later.json.user.name, 'Max Moderator');
  assert.equal(sql(D.srv.dbUrl, `SELECT email FROM users WHERE id = ${modId}`), 'mod@example.com');
  // A subject linked to one account cannot be moved to another.
  const other = await D.reader('Otto');
  expectError(await other.post('/api/v1/auth/sso', { token: token(), link: true }), 409, 'already_linked', 'token');
});

test('SSO refuses reserved addresses and strips invisible characters from names', async () => {
  for (const email of ['disqus-bob@import.invalid', 'x@y.test', 'z@news.example', 'q@localhost.localhost']) {
    const res = await sso(new Client(D.url), { sub: `res-${email}`, email });
    expectError(res, 401, 'invalid_token', 'token');
    assert.match(res.json.error.message, /reserved/);
  }
  const res = await sso(new Client(D.url), { sub: 'bidi', name: 'Eve\u202e\u200b', email: 'eve@news.example.com' });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.user.name, 'Eve');
});

test('SSO accepts any exp without overflow (far-future tokens still age out by iat)', async () => {
  for (const exp of [Number.MAX_SAFE_INTEGER, 9223372036854775]) {
    const res = await sso(new Client(D.url), { sub: `far-${exp}`, email: `far${exp % 1000}@news.example.com`, exp });
    assert.equal(res.status, 200, res.text);
  }
});

// Median of n timed logins.
async function loginMs(email, n) {
  const times = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    const res = await new Client(D.url).login(email, 'not the password');
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    assert.equal(res.status, 401, res.text);
  }
  return times.sort((a, b) => a - b)[Math.floor(n / 2)];
}

test('a login to a password-less account takes as long as a wrong password', async () => {
  const made = await sso(new Client(D.url), { sub: 'timing', email: 'timing@news.example.com' });
  assert.equal(made.status, 200);
  const reader = await D.reader('Tim');
  // Interleaved, so a busy machine slows both alike.
  const pwless = [], withPw = [];
  for (let i = 0; i < 3; i++) {
    pwless.push(await loginMs('timing@news.example.com', 3));
    withPw.push(await loginMs(reader.email, 3));
  }
  const a = pwless.sort((x, y) => x - y)[1], b = withPw.sort((x, y) => x - y)[1];
  // argon2id costs tens of milliseconds; skipping it answers in one or two.
  assert.ok(a > b * 0.4, `password-less ${a.toFixed(1)} ms vs password ${b.toFixed(1)} ms`);
});

test('PUT /me/mutes/{id} tells no name: only authors with a published comment can be muted', async () => {
  const me = await D.reader('Mia');
  const quiet = await D.reader('Quentin Quiet');
  const modId = (await D.mod.get('/api/v1/me')).json.user.id;
  const unknown = await me.put('/api/v1/me/mutes/987654321');
  expectError(unknown, 404, 'not_found');
  for (const id of [quiet.user.id, modId]) {
    const res = await me.put(`/api/v1/me/mutes/${id}`);
    expectError(res, 404, 'not_found');
    assert.equal(res.text, unknown.text, 'the same answer as for an id nobody has');
    assert.ok(!res.text.includes('Quentin') && !res.text.includes('Max'));
  }
  const posted = await quiet.post('/api/v1/articles/mute-names/comments', { body: 'Now I have said something.' });
  assert.equal(posted.status, 201, posted.text);
  const res = await me.put(`/api/v1/me/mutes/${quiet.user.id}`);
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(res.json.muted, { id: quiet.user.id, name: 'Quentin Quiet' });
});

const EXPORT = `<?xml version="1.0" encoding="utf-8"?>
<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">
  <thread dsq:id="7"><id>squat-story</id><link>https://news.example.com/squat</link><title>Squat</title>
    <createdAt>2013-05-27T12:00:00Z</createdAt><isClosed>false</isClosed><isDeleted>false</isDeleted></thread>
  <post dsq:id="11"><id/><message><![CDATA[<p>Alice's old words</p>]]></message>
    <createdAt>2013-05-27T12:30:00Z</createdAt><isDeleted>false</isDeleted><isSpam>false</isSpam>
    <author><name>Alice</name><email>alice@reader.example.com</email><isAnonymous>false</isAnonymous><username>alice</username></author>
    <thread dsq:id="7"/></post>
</disqus>
`;

test('an account that took an importer address before the rule never receives the imported history', async () => {
  const db = tempDb();
  const dir = mkdtempSync(path.join(tmpdir(), 'parley-squat-'));
  try {
    createUser(db.url, { email: 'editor@example.com', name: 'Editor', role: 'admin' }); // creates the schema
    // What an attacker could do before: register the address the importer
    // would give Disqus user "alice" (pw_hash set, as registration does).
    sql(db.url, "INSERT INTO users (email, name, pw_hash, role, created_at) VALUES ('disqus-alice@import.invalid', 'Mallory', 'x', 0, 1)");
    const squatter = sql(db.url, "SELECT id FROM users WHERE email = 'disqus-alice@import.invalid'");
    const file = path.join(dir, 'export.xml');
    writeFileSync(file, EXPORT);
    for (let i = 0; i < 2; i++) {
      const r = await run(['import', 'disqus', file, '--db', db.url, '--force']);
      assert.equal(r.status, 0, r.stderr);
    }
    const authors = sql(db.url, 'SELECT DISTINCT author_id FROM comments').split('\n');
    assert.equal(authors.length, 1, 'both runs used one account');
    assert.notEqual(authors[0], squatter, 'the squatter got nothing');
    assert.equal(sql(db.url, `SELECT kind FROM users WHERE id = ${authors[0]}`), '2');
    assert.equal(sql(db.url, `SELECT email FROM users WHERE id = ${authors[0]}`), 'disqus-alice+2@import.invalid');
    assert.equal(sql(db.url, `SELECT count(*) FROM comments WHERE author_id = ${squatter}`), '0');
  } finally {
    rmSync(dir, { recursive: true, force: true });
    db.cleanup();
  }
});
