// tests/api/mail.test.mjs: mail (API.md "Accounts"): the outbox and its
// sender against a real SMTP server on loopback (tests/lib/smtp_sink.py,
// STARTTLS and AUTH), e-mail verification and require_verified_email,
// forgotten passwords, resets and changes that end the other sessions, the
// per-recipient limit, retries across a restart, a permanent refusal, and
// how everything behaves with mail off.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startServer, Client, createUser, tempDb, BIN } from '../lib/server.mjs';
import { expectError, stopClean, configFile, articleId } from '../lib/api.mjs';
import { startSmtp, freePort, linkIn } from '../lib/smtp.mjs';

const FROM = 'Die Zeitung Ü <comments@news.example.org>';

// A server whose public_url is its own address, with mail through smtp.
async function mailServer(smtpUrl, caFile, extra = '', db) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const conf = configFile([
    `public_url = ${url}`,
    `smtp_url = ${smtpUrl}`,
    `smtp_ca_file = ${caFile}`,
    'smtp_require_tls = on',
    `mail_from = ${FROM}`,
    extra,
  ].join('\n'));
  const srv = await startServer({ listen: `127.0.0.1:${port}`, args: ['--config', conf], db, keepDb: !!db });
  assert.equal(srv.url, url);
  return srv;
}

const to = (addr) => (all) => all.filter((m) => m.rcpt_tos.includes(addr));
const one = (addr, subject) => (all) => all.find((m) => m.rcpt_tos.includes(addr) && subject.test(m.headers.subject));

let smtp, srv;

before(async () => {
  smtp = await startSmtp({ auth: 'parley:s3cret pass' });
  srv = await mailServer(smtp.url('parley:s3cret%20pass'), smtp.caFile, 'mail_per_recipient_hour = 3\nrequire_verified_email = on');
});

after(async () => {
  const log = srv.log();
  await stopClean(srv);
  await smtp.stop();
  // The log names no address, token or SMTP password.
  assert.doesNotMatch(log, /@example\.com|s3cret|token=/);
});

test('register sends a verification mail over STARTTLS with AUTH; verify confirms once', async () => {
  const c = new Client(srv.url);
  const r = await c.register('Vera', 'vera@example.com');
  assert.equal(r.status, 201, r.text);
  let me = await c.get('/api/v1/me');
  assert.equal(me.json.user.email_verified, false);
  const mail = await smtp.waitFor(one('vera@example.com', /Confirm your address/));
  assert.equal(mail.tls, true, 'sent after STARTTLS');
  assert.equal(mail.auth, true, 'authenticated with the URL credentials');
  assert.equal(mail.mail_from, 'comments@news.example.org');
  assert.equal(mail.headers.from, FROM, 'display name decoded from RFC 2047');
  assert.equal(mail.headers.to, 'vera@example.com');
  assert.equal(mail.content_type, 'multipart/alternative');
  assert.match(mail.headers.date, /^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000$/);
  assert.match(mail.headers['message-id'], /^<[0-9a-f]{32}@news\.example\.org>$/);
  assert.equal(mail.headers['list-unsubscribe'], undefined, 'a transactional mail has no unsubscribe');
  assert.match(mail.text, /Hello Vera/);
  assert.match(mail.html, /<a href="http:\/\/127\.0\.0\.1:\d+\/verify\?token=/);
  const { url, token } = linkIn(mail, 'verify');
  assert.ok(url.startsWith(srv.url + '/verify?token='));
  // The page the link opens.
  const page = await fetch(url);
  assert.equal(page.status, 200);
  const html = await page.text();
  assert.match(html, /Confirm your address/);
  assert.match(html, /<meta name="referrer" content="no-referrer">/, 'the token never leaks in a Referer');

  // libcurl is opened at run time, by a server with mail only (cli.test.mjs
  // checks that one without mail maps no TLS library).
  const { readFileSync } = await import('node:fs');
  assert.match(readFileSync(`/proc/${srv.proc.pid}/maps`, 'utf8'), /libcurl/);

  const anon = new Client(srv.url);
  const v = await anon.post('/api/v1/auth/verify', { token });
  assert.equal(v.status, 200, v.text);
  assert.equal(v.json.user.name, 'Vera');
  assert.equal(v.json.user.email_verified, true);
  expectError(await anon.post('/api/v1/auth/verify', { token }), 400, 'invalid_token', 'token');
  me = await c.get('/api/v1/me');
  assert.equal(me.json.user.email_verified, true);
  expectError(await c.post('/api/v1/auth/verify/resend', {}), 409, 'already_verified');
});

test('require_verified_email: an unverified reader cannot write until confirmed; resend works', async () => {
  const c = new Client(srv.url);
  assert.equal((await c.register('Ursula', 'ursula@example.com')).status, 201);
  const art = articleId('unverified');
  expectError(await c.post(`/api/v1/articles/${art}/comments`, { body: 'Hello there, a fine article.' }), 403, 'unverified');
  const first = await smtp.waitFor(one('ursula@example.com', /Confirm/));
  const r = await c.post('/api/v1/auth/verify/resend', {});
  assert.equal(r.status, 202, r.text);
  const second = await smtp.waitFor((all) => { const l = to('ursula@example.com')(all); return l.length === 2 && l[1]; });
  assert.notEqual(linkIn(first, 'verify').token, linkIn(second, 'verify').token);
  assert.equal((await c.post('/api/v1/auth/verify', { token: linkIn(second, 'verify').token })).status, 200);
  const p = await c.post(`/api/v1/articles/${art}/comments`, { body: 'Hello there, a fine article.' });
  assert.equal(p.status, 201, p.text);
  // Staff made on the command line are confirmed already.
  createUser(srv.dbUrl, { email: 'staff@example.com', name: 'Staff Member', role: 'moderator' });
  const s = new Client(srv.url);
  await s.login('staff@example.com');
  assert.equal((await s.get('/api/v1/me')).json.user.email_verified, true);
});

test('forgot + reset: 202 either way, a single-use link, every other session ends', async () => {
  const a = new Client(srv.url);
  assert.equal((await a.register('Rosa', 'rosa@example.com', 'old password 1')).status, 201);
  const b = new Client(srv.url);
  assert.equal((await b.login('rosa@example.com', 'old password 1')).status, 200);

  const anon = new Client(srv.url);
  const unknown = await anon.post('/api/v1/auth/password/forgot', { email: 'nobody@example.com' });
  const known = await anon.post('/api/v1/auth/password/forgot', { email: 'ROSA@example.com' });
  assert.equal(unknown.status, 202);
  assert.equal(known.status, 202);
  assert.deepEqual(unknown.json, known.json, 'the answer does not tell whether the account exists');
  assert.equal(known.json.mail, true);
  const mail = await smtp.waitFor(one('rosa@example.com', /new password/));
  // Mail leaves in the order it was queued, so had the unknown address
  // been sent anything, it would be here by now.
  assert.deepEqual(to('nobody@example.com')(smtp.messages()), []);
  const { url, token } = linkIn(mail, 'reset');
  assert.ok(url.startsWith(srv.url + '/reset?token='));
  assert.match(mail.text, /within the next hour/);

  expectError(await anon.post('/api/v1/auth/password/reset', { token, password: 'short' }), 400, 'invalid_field', 'password');
  expectError(await anon.post('/api/v1/auth/password/reset', { token: 'x'.repeat(43), password: 'a new password 2' }), 400, 'invalid_token', 'token');
  const c = new Client(srv.url);
  const r = await c.post('/api/v1/auth/password/reset', { token, password: 'a new password 2' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.user.name, 'Rosa');
  assert.ok(c.cookie, 'the reset logs the reader in');
  assert.equal((await c.get('/api/v1/me')).status, 200);
  assert.equal((await c.get('/api/v1/me')).json.user.email_verified, true, 'the mail reached its owner');
  expectError(await a.get('/api/v1/me'), 401, 'login_required');
  expectError(await b.get('/api/v1/me'), 401, 'login_required');
  expectError(await anon.post('/api/v1/auth/password/reset', { token, password: 'a third password' }), 400, 'invalid_token', 'token');
  assert.equal((await new Client(srv.url).login('rosa@example.com', 'old password 1')).status, 401);
  assert.equal((await new Client(srv.url).login('rosa@example.com', 'a new password 2')).status, 200);
});

test('a reset link stops working once the password changes another way', async () => {
  const a = new Client(srv.url);
  assert.equal((await a.register('Tim', 'tim@example.com', 'first password')).status, 201);
  await new Client(srv.url).post('/api/v1/auth/password/forgot', { email: 'tim@example.com' });
  const { token } = linkIn(await smtp.waitFor(one('tim@example.com', /new password/)), 'reset');
  const ch = await a.post('/api/v1/me/password', { current_password: 'first password', new_password: 'second password' });
  assert.equal(ch.status, 204, ch.text);
  expectError(await new Client(srv.url).post('/api/v1/auth/password/reset', { token, password: 'third password' }), 400, 'invalid_token');
});

test('POST /me/password: 403 wrong_password; 204 keeps this session and ends the others', async () => {
  const a = new Client(srv.url);
  assert.equal((await a.register('Paul', 'paul@example.com', 'first password')).status, 201);
  const b = new Client(srv.url);
  assert.equal((await b.login('paul@example.com', 'first password')).status, 200);
  expectError(await new Client(srv.url).post('/api/v1/me/password', { current_password: 'first password', new_password: 'whatever 123' }), 401, 'login_required');
  expectError(await a.post('/api/v1/me/password', { current_password: 'not it at all', new_password: 'second password' }), 403, 'wrong_password', 'current_password');
  expectError(await a.post('/api/v1/me/password', { current_password: 'first password', new_password: 'short' }), 400, 'invalid_field', 'new_password');
  expectError(await a.post('/api/v1/me/password', { current_password: 'first password' }), 400, 'invalid_field', 'new_password');
  assert.equal((await b.get('/api/v1/me')).status, 200, 'a refused change ends nothing');
  const r = await a.post('/api/v1/me/password', { current_password: 'first password', new_password: 'second password' });
  assert.equal(r.status, 204, r.text);
  assert.equal((await a.get('/api/v1/me')).status, 200, 'this session stays');
  expectError(await b.get('/api/v1/me'), 401, 'login_required');
  assert.equal((await new Client(srv.url).login('paul@example.com', 'first password')).status, 401);
  assert.equal((await new Client(srv.url).login('paul@example.com', 'second password')).status, 200);
});

test('the per-recipient limit drops mail beyond mail_per_recipient_hour', async () => {
  const a = new Client(srv.url);
  assert.equal((await a.register('Lim', 'lim@example.com')).status, 201); // mail 1: verification
  const anon = new Client(srv.url);
  for (let i = 0; i < 4; i++) assert.equal((await anon.post('/api/v1/auth/password/forgot', { email: 'lim@example.com' })).status, 202);
  assert.equal((await new Client(srv.url).register('Other', 'other-lim@example.com')).status, 201);
  // Mail leaves in queue order: once the later one is here, every queued
  // mail to lim@ is too, and only three were allowed.
  await smtp.waitFor(one('other-lim@example.com', /Confirm/));
  assert.equal(to('lim@example.com')(smtp.messages()).length, 3);
});

test('bad bodies: 400 with the field at fault', async () => {
  const anon = new Client(srv.url);
  expectError(await anon.post('/api/v1/auth/password/forgot', { email: 'not an address' }), 400, 'invalid_field', 'email');
  expectError(await anon.post('/api/v1/auth/password/forgot', {}), 400, 'invalid_field', 'email');
  expectError(await anon.post('/api/v1/auth/password/forgot', { email: 'a@example.com', extra: 1 }), 400, 'invalid_field', 'extra');
  expectError(await anon.post('/api/v1/auth/verify', { token: 5 }), 400, 'invalid_field', 'token');
  expectError(await anon.post('/api/v1/auth/verify', { token: 'nope' }), 400, 'invalid_token', 'token');
  expectError(await anon.post('/api/v1/auth/password/reset', { token: 'nope' }), 400, 'invalid_field', 'password');
  expectError(await anon.post('/api/v1/auth/verify/resend', {}), 401, 'login_required');
});

test('a mail queued while the SMTP server is down is sent after a restart', async () => {
  const port = await freePort();
  const db = tempDb();
  let s1 = await mailServer(`smtp://127.0.0.1:${port}`, smtp.caFile, 'mail_retry_s = 1', db);
  const c = new Client(s1.url);
  assert.equal((await c.register('Later', 'later@example.com')).status, 201, 'mail never delays or fails the request');
  // Wait until the sender has tried and failed at least once.
  const deadline = Date.now() + 20000;
  while (!/mail failed; will retry/.test(s1.log())) {
    assert.ok(Date.now() < deadline, `no failed attempt logged:\n${s1.log()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  await stopClean(s1);
  const late = await startSmtp({ port });
  try {
    const s2 = await mailServer(late.url(), smtp.caFile, 'mail_retry_s = 1', db);
    try {
      const mail = await late.waitFor(one('later@example.com', /Confirm/));
      assert.match(mail.text, /Hello Later/);
    } finally {
      await stopClean(s2);
    }
  } finally {
    await late.stop();
    db.cleanup();
  }
});

test('a permanent refusal (550) is given up at once, not retried', async () => {
  const c = new Client(srv.url);
  assert.equal((await c.register('Bounce', 'bounce@example.com')).status, 201);
  const deadline = Date.now() + 20000;
  while (!/mail given up.*attempts=1 .*SMTP 550/.test(srv.log())) {
    assert.ok(Date.now() < deadline, `no give-up logged:\n${srv.log().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
});

test('without mail: forgot says whom to contact, nothing needs verifying', async () => {
  const conf = configFile('account_contact = the desk at letters@paper.example.com\nrequire_verified_email = on\n');
  const s = await startServer({ args: ['--config', conf] });
  try {
    const c = new Client(s.url);
    assert.equal((await c.register('Nomail', 'nomail@example.com')).status, 201);
    const f = await c.post('/api/v1/auth/password/forgot', { email: 'nomail@example.com' });
    assert.equal(f.status, 202);
    assert.equal(f.json.mail, false);
    assert.match(f.json.message, /letters@paper\.example/);
    expectError(await c.post('/api/v1/auth/verify/resend', {}), 409, 'mail_disabled');
    const p = await c.post(`/api/v1/articles/${articleId('nomail')}/comments`, { body: 'A comment needing no address check.' });
    assert.equal(p.status, 201, p.text);
  } finally {
    await stopClean(s);
  }
});

test('config: mail settings are checked before serving', () => {
  const bad = [
    ['smtp_url = http://mail.example.org\nmail_from = a@b.example\npublic_url = https://c.example', /smtp_url must start with smtp:\/\/ or smtps:\/\//],
    ['smtp_url = smtp://u:secretpw@mail.example.org\npublic_url = https://c.example', /mail_from must be set/],
    ['smtp_url = smtp://mail.example.org\nmail_from = a@b.example', /public_url must be set/],
    ['smtp_url = smtps://mail.example.org\nmail_from = no address here\npublic_url = https://c.example', /mail_from must be an address/],
  ];
  for (const [text, why] of bad) {
    const r = spawnSync(BIN, ['config', '--check', '--config', configFile(text)], { encoding: 'utf8' });
    assert.equal(r.status, 2, `${text}: ${r.stderr}`);
    assert.match(r.stderr, why);
    assert.doesNotMatch(r.stderr, /secretpw/, 'the SMTP password is never printed');
  }
  const good = spawnSync(BIN, ['config', '--check', '--config', configFile('smtp_url = smtps://u:p@mail.example.org:465\nmail_from = Desk <a@b.example>\npublic_url = https://c.example')], { encoding: 'utf8' });
  assert.equal(good.status, 0, good.stderr);
});
