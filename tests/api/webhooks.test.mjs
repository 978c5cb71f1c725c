// tests/api/webhooks.test.mjs: the site's events reach a real HTTP receiver
// on loopback, signed; failed deliveries are retried with growing waits and
// given up after webhook_max_attempts; an event survives a restart; the
// Slack format; the desk's delivery log and test button.
//
// The receiver is a node http server started here. It checks every
// X-Parley-Signature itself (HMAC-SHA256 of the raw body under the shared
// secret) and answers with the status the test sets. Tests wait for
// deliveries as they arrive (an event per request), never for a fixed time;
// each wait is bounded so a missing delivery fails instead of hanging.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServer, tempDb, createUser, Client } from '../lib/server.mjs';
import { stopClean, expectError } from '../lib/api.mjs';
import { deskServer, post } from './desk_helpers.mjs';
import { receiver, signatureOk, waitLog, event, SECRET } from '../lib/webhook_receiver.mjs';

function hookEnv(rcv, extra = {}) {
  return {
    PARLEY_WEBHOOK_URL: rcv.url,
    PARLEY_WEBHOOK_SECRET: SECRET,
    PARLEY_WEBHOOK_RETRY_MS: '100',
    // Article addresses must be on one of the site's own origins.
    PARLEY_ALLOWED_ORIGINS: 'https://news.example.com',
    ...extra,
  };
}

test('every event arrives signed, with its data and no e-mail address', async () => {
  const rcv = await receiver();
  const D = await deskServer(hookEnv(rcv));
  try {
    const alice = await D.reader('Alice', { established: true });
    const bob = await D.reader('Bob', { established: true });
    const art = 'webhook-events';
    assert.equal((await D.mod.put(`/api/v1/articles/${art}`, { title: 'Harbour plans', url: 'https://news.example.com/harbour' })).status, 200);

    const c1 = await post(alice, art, 'The harbour plan looks sensible to me.');
    const pub = await rcv.next(event('comment.published'));
    assert.equal(pub.method, 'POST');
    assert.equal(pub.path, '/hooks/parley?token=abc');
    assert.match(pub.headers['content-type'], /^application\/json/);
    assert.ok(pub.signed, `bad signature ${pub.headers['x-parley-signature']}`);
    assert.equal(pub.headers['x-parley-delivery'], pub.json.id);
    assert.equal(pub.json.event, 'comment.published');
    assert.match(pub.json.created_at, /^\d{4}-\d\d-\d\dT/);
    assert.equal(pub.json.data.comment.id, c1.id);
    assert.equal(pub.json.data.comment.body, 'The harbour plan looks sensible to me.');
    assert.equal(pub.json.data.comment.author_name, 'Alice');
    assert.equal(pub.json.data.comment.status, 'published');
    assert.deepEqual(pub.json.data.article, { id: art, title: 'Harbour plans', url: 'https://news.example.com/harbour' });
    assert.equal(pub.json.data.moderation.decision, 'publish');

    // Bob flags it: comment.flagged.
    assert.equal((await bob.post(`/api/v1/comments/${c1.id}/flags`, { reason: 'spam', note: 'looks like an ad' })).status, 201);
    const flagged = await rcv.next(event('comment.flagged'));
    assert.ok(flagged.signed);
    assert.equal(flagged.json.data.comment.id, c1.id);
    assert.equal(flagged.json.data.flag.reason, 'spam');
    assert.equal(flagged.json.data.flag.note, 'looks like an ad');
    assert.equal(flagged.json.data.hidden, false);

    // A held comment: comment.held with the engine's reasons.
    assert.equal((await D.mod.put(`/api/v1/articles/${art}`, { status: 'premoderated' })).status, 200);
    const c2 = await post(bob, art, 'Waiting for a moderator.');
    assert.equal(c2.status, 'pending');
    const held = await rcv.next(event('comment.held'));
    assert.ok(held.signed);
    assert.equal(held.json.data.comment.id, c2.id);
    assert.equal(held.json.data.comment.status, 'pending');
    assert.equal(held.json.data.moderation.decision, 'hold');
    assert.equal(held.json.data.moderation.reasons[0].rule, 'premoderated');

    // A moderator approves it: moderation.decision.
    assert.equal((await D.mod.post(`/api/v1/mod/comments/${c2.id}/decision`, { action: 'approve', reason: 'fine' })).status, 200);
    const dec = await rcv.next(event('moderation.decision'));
    assert.ok(dec.signed);
    assert.equal(dec.json.data.action, 'approve');
    assert.equal(dec.json.data.reason, 'fine');
    assert.equal(dec.json.data.moderator.name, 'Max Moderator');
    assert.equal(dec.json.data.comment.id, c2.id);
    assert.equal(dec.json.data.comment.status, 'published');

    // ... and bans Bob: user.banned.
    assert.equal((await D.mod.post(`/api/v1/mod/users/${bob.user.id}/ban`, { reason: 'spamming' })).status, 200);
    const ban = await rcv.next(event('user.banned'));
    assert.ok(ban.signed);
    assert.deepEqual(ban.json.data.user, { id: bob.user.id, name: 'Bob' });
    assert.equal(ban.json.data.action, 'ban');
    assert.equal(ban.json.data.until, null);
    assert.equal(ban.json.data.reason, 'spamming');

    // Unbanning is no event; the ids are distinct and nothing carries an address.
    assert.equal((await D.mod.del(`/api/v1/mod/users/${bob.user.id}/ban`)).status, 200);
    const ids = rcv.got.map((d) => d.json.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const d of rcv.got) {
      assert.ok(!d.raw.includes('@example.com'), `an e-mail address in ${d.raw}`);
      assert.ok(!d.raw.includes('argon2'), 'a password hash in a payload');
    }
    // A body changed in transit no longer matches its signature.
    assert.ok(!signatureOk(Buffer.from(pub.raw.replace('sensible', 'sensibel')), pub.headers['x-parley-signature']));

    // The delivery log shows them delivered, newest first (the sender
    // records an outcome just after the receiver answers: wait for the
    // last one's log line).
    await waitLog(D.srv, new RegExp(`id=${ban.json.id} event=user.banned state=delivered`));
    const log = await D.admin.get('/api/v1/mod/webhooks');
    assert.equal(log.status, 200);
    assert.equal(log.json.webhook.configured, true);
    assert.equal(log.json.webhook.signed, true);
    assert.equal(log.json.webhook.format, 'json');
    assert.equal(log.json.webhook.receiver, new URL(rcv.url).origin, 'the path and query (secrets) stay hidden');
    const events = log.json.deliveries.map((d) => d.event);
    assert.deepEqual(events, ['user.banned', 'moderation.decision', 'comment.held', 'comment.flagged', 'comment.published']);
    for (const d of log.json.deliveries) {
      assert.equal(d.state, 'delivered');
      assert.equal(d.attempts, 1);
      assert.equal(d.last_status, 200);
      assert.equal(d.last_error, '');
      assert.equal(d.next_attempt_at, null);
    }
  } finally {
    await stopClean(D.srv);
    await rcv.close();
  }
});

test('a failed delivery is retried with growing waits, then given up', async () => {
  const rcv = await receiver();
  rcv.status = (n) => (n <= 2 ? 503 : 200); // two refusals, then accepted
  const D = await deskServer(hookEnv(rcv, { PARLEY_WEBHOOK_RETRY_MS: '150', PARLEY_WEBHOOK_MAX_ATTEMPTS: '3' }));
  try {
    const alice = await D.reader('Alice');
    await post(alice, 'webhook-retry', 'Third time lucky.');
    const third = await rcv.next(() => true, { from: 2 });
    const tries = rcv.got.slice(0, 3);
    assert.ok(tries.every((d) => d.signed && d.json.id === third.json.id), 'the same delivery each time');
    // Waits at least 150 ms, then at least 300 ms (doubling); never earlier.
    assert.ok(tries[1].at - tries[0].at >= 150, `first wait ${tries[1].at - tries[0].at} ms`);
    assert.ok(tries[2].at - tries[1].at >= 300, `second wait ${tries[2].at - tries[1].at} ms`);
    await waitLog(D.srv, new RegExp(`id=${third.json.id} event=comment.published state=delivered`));
    const log = await D.admin.get('/api/v1/mod/webhooks');
    assert.equal(log.json.deliveries[0].state, 'delivered');
    assert.equal(log.json.deliveries[0].attempts, 3);

    // Always refused: after max attempts (3) the event is marked failed.
    rcv.status = 500;
    const before = rcv.got.length;
    await post(alice, 'webhook-retry', 'This one never gets through.');
    const last = await rcv.next(() => true, { from: before + 2 });
    await waitLog(D.srv, new RegExp(`id=${last.json.id} event=comment.published state=failed`));
    const failed = (await D.admin.get('/api/v1/mod/webhooks')).json.deliveries[0];
    assert.equal(failed.state, 'failed');
    assert.equal(failed.attempts, 3);
    assert.equal(failed.last_status, 500);
    assert.match(failed.last_error, /HTTP 500/);
    assert.equal(rcv.got.length, before + 3, 'no attempt after giving up');
  } finally {
    await stopClean(D.srv);
    await rcv.close();
  }
});

test('an event not yet delivered is delivered after a restart', async () => {
  const rcv = await receiver();
  rcv.status = 503;
  const db = tempDb();
  const env = hookEnv(rcv, { PARLEY_WEBHOOK_RETRY_MS: '100' });
  let srv = await startServer({ db, keepDb: true, env });
  try {
    const alice = new Client(srv.url);
    assert.equal((await alice.register('Alice', 'alice@example.com')).status, 201);
    const c = (await alice.post('/api/v1/articles/restart/comments', { body: 'Said before the restart.' })).json.comment;
    const first = await rcv.next(event('comment.published'));
    assert.equal(first.json.data.comment.id, c.id);
    await stopClean(srv);

    rcv.status = 200;
    const seen = rcv.got.length;
    srv = await startServer({ db, keepDb: true, env });
    const again = await rcv.next(event('comment.published'), { from: seen });
    assert.ok(again.signed);
    assert.equal(again.json.id, first.json.id, 'the same delivery id');
    assert.equal(again.raw, first.raw, 'the same signed body');
  } finally {
    await stopClean(srv);
    db.cleanup();
    await rcv.close();
  }
});

test('webhook_format = slack posts a {"text"} message with mrkdwn escaped', async () => {
  const rcv = await receiver();
  const srv = await startServer({ env: hookEnv(rcv, { PARLEY_WEBHOOK_FORMAT: 'slack' }) });
  try {
    const alice = new Client(srv.url);
    assert.equal((await alice.register('Ann <Admin>', 'ann@example.com')).status, 201);
    assert.equal((await alice.post('/api/v1/articles/slack-story/comments', {
      body: 'Is 3 < 4 & 5 > 2?', article_title: 'Maths & more', article_url: 'https://news.example.com/maths',
    })).status, 201);
    const d = await rcv.next(event('comment.published'));
    assert.ok(d.signed);
    assert.deepEqual(Object.keys(d.json), ['text']);
    assert.match(d.json.text, /^New comment by Ann &lt;Admin&gt; on <https:\/\/news\.example\.com\/maths\|Maths &amp; more>:/);
    assert.match(d.json.text, /Is 3 &lt; 4 &amp; 5 &gt; 2\?/);
  } finally {
    await stopClean(srv);
    await rcv.close();
  }
});

test('the desk: delivery log and test event for admins only; bad settings', async () => {
  const rcv = await receiver();
  const D = await deskServer(hookEnv(rcv));
  try {
    const reader = await D.reader('Rita');
    expectError(await reader.post('/api/v1/mod/webhooks/test', {}), 403, 'forbidden');
    expectError(await D.mod.post('/api/v1/mod/webhooks/test', {}), 403, 'forbidden');
    expectError(await D.mod.get('/api/v1/mod/webhooks'), 403, 'forbidden');
    expectError(await new Client(D.url).get('/api/v1/mod/webhooks'), 401, 'login_required');
    expectError(await D.admin.post('/api/v1/mod/webhooks/test', { nope: 1 }), 400, 'invalid_field', 'nope');
    expectError(await D.admin.get('/api/v1/mod/webhooks?limit=0'), 400, 'invalid_field', 'limit');
    expectError(await D.admin.get('/api/v1/mod/webhooks?before=x'), 400, 'invalid_field', 'before');

    const res = await D.admin.post('/api/v1/mod/webhooks/test', {});
    assert.equal(res.status, 202);
    assert.equal(res.json.delivery.event, 'webhook.test');
    assert.equal(res.json.delivery.state, 'pending');
    const d = await rcv.next(event('webhook.test'));
    assert.ok(d.signed);
    assert.equal(d.json.id, res.json.delivery.id);
    assert.equal(d.json.data.requested_by.name, 'Ada Admin');

    // Paging: two more tests, pages of one.
    await D.admin.post('/api/v1/mod/webhooks/test', {});
    await D.admin.post('/api/v1/mod/webhooks/test', {});
    const p1 = (await D.admin.get('/api/v1/mod/webhooks?limit=1')).json;
    assert.equal(p1.deliveries.length, 1);
    const p2 = (await D.admin.get(`/api/v1/mod/webhooks?limit=1&before=${p1.next}`)).json;
    assert.equal(p2.deliveries.length, 1);
    assert.ok(BigInt(p2.deliveries[0].id) < BigInt(p1.deliveries[0].id));
    const all = (await D.admin.get('/api/v1/mod/webhooks?limit=200')).json;
    assert.equal(all.deliveries.length, 3);
    assert.equal(all.next, null);

    // The sender maps libcurl; a server without webhooks does not (cli.test.mjs).
    assert.match(readFileSync(`/proc/${D.srv.proc.pid}/maps`, 'utf8'), /libcurl/);
  } finally {
    await stopClean(D.srv);
    await rcv.close();
  }

  // Without webhook_url: no events are kept, and the test button says why.
  const plain = await startServer();
  try {
    createUser(plain.dbUrl, { email: 'admin@example.com', name: 'Ada Admin', role: 'admin' });
    const admin = new Client(plain.url);
    await admin.login('admin@example.com');
    assert.equal((await admin.post('/api/v1/articles/quiet/comments', { body: 'Nobody is told.' })).status, 201);
    const log = (await admin.get('/api/v1/mod/webhooks')).json;
    assert.equal(log.webhook.configured, false);
    assert.equal(log.webhook.receiver, null);
    assert.deepEqual(log.deliveries, []);
    expectError(await admin.post('/api/v1/mod/webhooks/test', {}), 409, 'webhook_not_configured');
  } finally {
    await stopClean(plain);
  }

  // Settings are checked before the server starts (exit 2).
  for (const [env, re] of [
    [{ PARLEY_WEBHOOK_FORMAT: 'teams' }, /webhook_format must be json or slack/],
    [{ PARLEY_WEBHOOK_URL: 'ftp://example.com/x' }, /webhook_url must be an http/],
    [{ PARLEY_WEBHOOK_RETRY_MS: '1' }, /webhook_retry_ms/],
  ]) {
    await assert.rejects(startServer({ env }), (e) => re.test(e.message) && /exited \(2\)/.test(e.message));
  }
});
