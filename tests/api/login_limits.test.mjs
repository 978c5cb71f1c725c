// tests/api/login_limits.test.mjs: login rate limits with rate limiting on
// (issue 11, item 9). Password guesses against one account are limited per
// account, however many addresses they come from; an IPv6 client is counted
// by its /64, so a subscriber's block of addresses is one client. Client
// addresses come from X-Forwarded-For through a trusted proxy (the test
// itself, on 127.0.0.1), as behind a real reverse proxy.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client } from '../lib/server.mjs';
import { expectError, stopClean } from '../lib/api.mjs';

let srv;
before(async () => { srv = await startServer({ rateLimit: 'on', env: { PARLEY_TRUSTED_PROXY: '127.0.0.1' } }); });
after(async () => { await stopClean(srv); });

const from = (ip) => ({ 'x-forwarded-for': ip });
const login = (email, ip) => new Client(srv.url).post('/api/v1/auth/login', { email, password: 'not it at all' }, from(ip));

test('password guesses against one account are limited however many addresses they use', async () => {
  const reg = await new Client(srv.url).post('/api/v1/auth/register',
    { name: 'Alice', email: 'alice@example.com', password: 'a long passphrase' }, from('192.0.2.1'));
  assert.equal(reg.status, 201, reg.text);
  const got = [];
  for (let i = 1; i <= 12; i++) {
    const res = await login('Alice@Example.com', `198.51.100.${i}`);
    got.push(res.status);
    if (res.status === 429) {
      expectError(res, 429, 'rate_limited');
      assert.ok(Number(res.headers.get('retry-after')) >= 1);
    }
  }
  assert.deepEqual(got, [401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 429, 429]);
  // Another account, and an address that does not exist, are not affected
  // (the answer for an unknown address is the same as for a known one).
  assert.equal((await login('bob@example.com', '198.51.100.50')).status, 401);
  const ok = await new Client(srv.url).post('/api/v1/auth/login', { email: 'alice@example.com', password: 'a long passphrase' }, from('203.0.113.9'));
  expectError(ok, 429, 'rate_limited');
});

test('an IPv6 client is one client across its /64', async () => {
  // All at once: the per-address bucket (10, then one every 6 s) is taken
  // when each request arrives, before its password is checked.
  const got = await Promise.all(Array.from({ length: 14 }, (_, i) =>
    login(`v6-${i}@example.com`, `2001:db8:1:2::${(i + 1).toString(16)}`).then((r) => r.status)));
  const limited = got.filter((s) => s === 429).length;
  assert.equal(limited + got.filter((s) => s === 401).length, 14, got.join(' '));
  assert.ok(limited >= 3, `14 addresses of one /64 share one bucket of 10: ${got.join(' ')}`);
  assert.equal((await login('v6-other@example.com', '2001:db8:1:3::1')).status, 401, 'the next /64 is another client');
  assert.equal((await login('v4-mapped@example.com', '::ffff:192.0.2.77')).status, 401);
});
