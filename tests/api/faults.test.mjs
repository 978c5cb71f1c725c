// tests/api/faults.test.mjs: the 500 row of API.md. "A bug; nothing the
// client sent is lost (it was either stored or clearly refused)."
//
// PARLEY_TEST_FAIL_AFTER=n makes the writer's nth store call fail once. For
// each n the same sequence of writes runs; whichever call fails (begin, a
// savepoint, an insert, a release, the commit), every request answered 2xx
// is stored, every request answered 500 carries the API's error body and is
// not stored, and the server keeps serving.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, createUser, Client } from '../lib/server.mjs';
import { expectError, sanitizerReport } from '../lib/api.mjs';

const ART = 'faults';

async function runWith(n) {
  const srv = await startServer({ env: { PARLEY_TEST_FAIL_AFTER: String(n) } });
  let failures = 0;
  try {
    createUser(srv.dbUrl, { email: 'writer@example.com', name: 'Writer' });
    const c = new Client(srv.url);
    let r = await c.login('writer@example.com');
    if (r.status === 500) {
      expectError(r, 500, 'internal');
      assert.equal(c.cookie, null, 'a failed login sets no session');
      failures++;
      r = await c.login('writer@example.com');
    }
    assert.equal(r.status, 200, r.text);
    const stored = [];
    const refused = [];
    for (let i = 0; i < 6; i++) {
      const body = `fault ${n} comment ${i}`;
      r = await c.post(`/api/v1/articles/${ART}/comments`, { body });
      if (r.status === 500) {
        expectError(r, 500, 'internal');
        assert.doesNotMatch(r.json.error.message, /sqlite|injected/i, 'no database details in the message');
        refused.push(body);
        failures++;
      } else {
        assert.equal(r.status, 201, r.text);
        stored.push(body);
      }
    }
    r = await c.get(`/api/v1/articles/${ART}/comments?limit=100`);
    assert.equal(r.status, 200);
    const listed = r.json.comments.map((x) => x.html.replace(/<\/?p>|\n/g, ''));
    assert.deepEqual(listed, stored, `n=${n}: listed comments are exactly the acknowledged ones`);
    assert.equal(r.json.article.comment_count, stored.length);
    for (const b of refused) assert.ok(!listed.includes(b));
    assert.equal((await c.get('/healthz')).status, 200);
  } finally {
    const ex = await srv.stop();
    assert.equal(sanitizerReport(srv.log()), null, srv.log().slice(-3000));
    assert.deepEqual(ex, { code: 0, sig: null });
  }
  return failures;
}

test('a failed store call at any point of a write answers 500 and stores nothing of it', async () => {
  // 3 falls inside the login; 6 to 11 walk through every store call of one
  // comment post (begin, savepoint, insert, release, commit) and into the next.
  for (const n of [3, 6, 7, 8, 9, 10, 11]) {
    const f = await runWith(n);
    assert.equal(f, 1, `n=${n}: the one injected fault reached a request`);
  }
});
