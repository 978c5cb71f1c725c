// tests/api/antispam.test.mjs: the link lists (moderation.link_block,
// moderation.link_allow; docs/ANTISPAM.md) through a real server: a link to
// a blocked site is held with the link as the reason's excerpt and shows
// in the desk's pending queue with that reason; links to the allowed site
// do not count toward the cap; policy.spam = reject refuses instead.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, createUser, Client } from '../lib/server.mjs';
import { stopClean, configFile } from '../lib/api.mjs';

const LISTS = 'moderation.link_block = casino.example, bit.ly\nmoderation.link_allow = news.example.com\n';

async function site(extra = '') {
  const srv = await startServer({ args: ['--config', configFile(LISTS + extra)] });
  createUser(srv.dbUrl, { email: 'mod@example.com', name: 'Max Moderator', role: 'moderator' });
  const mod = new Client(srv.url);
  await mod.login('mod@example.com');
  const reader = new Client(srv.url);
  assert.equal((await reader.register('Rita', 'rita@example.com')).status, 201);
  return { srv, mod, reader };
}

test('a blocked link is held with the link as its reason; allowed links do not count', async () => {
  const { srv, mod, reader } = await site();
  try {
    const body = 'Best odds tonight at https://www.Casino.example/bonus?ref=7 honestly';
    const r = await reader.post('/api/v1/articles/spam-story/comments', { body });
    assert.equal(r.status, 201);
    assert.equal(r.json.comment.status, 'pending');
    const reason = r.json.moderation.reasons.find((x) => x.rule === 'spam');
    assert.ok(reason, JSON.stringify(r.json.moderation));
    assert.equal(reason.excerpt, 'https://www.Casino.example/bonus?ref=7');
    assert.match(reason.message, /does not accept/);
    const q = await mod.get('/api/v1/mod/queue?queue=pending&limit=100');
    const item = q.json.items.find((i) => i.comment.id === r.json.comment.id);
    assert.ok(item, 'in the pending queue');
    // (Rita's account is new, so her link also carries the new_user reason.)
    assert.deepEqual(item.moderation.reasons.filter((x) => x.rule === 'spam').map((x) => x.excerpt), ['https://www.Casino.example/bonus?ref=7']);

    // Three links to the site's own domain: not too many.
    const own = 'Our coverage https://news.example.com/a https://news.example.com/b https://news.example.com/c';
    const ok = await reader.post('/api/v1/articles/spam-story/comments', { body: own });
    assert.equal(ok.status, 201);
    assert.equal(ok.json.comment.status, 'published');
    // Three links elsewhere: too many.
    const many = await reader.post('/api/v1/articles/spam-story/comments', { body: 'see https://a.org https://b.org https://c.org' });
    assert.equal(many.json.comment.status, 'pending');
  } finally {
    await stopClean(srv);
  }
});

test('policy.spam = reject refuses a blocked link with 422', async () => {
  const { srv, reader } = await site('policy.spam = reject\n');
  try {
    const r = await reader.post('/api/v1/articles/spam-story/comments', { body: 'free followers https://bit.ly/x1' });
    assert.equal(r.status, 422);
    assert.equal(r.json.error.code, 'guideline_violation');
    assert.equal(r.json.moderation.reasons[0].rule, 'spam');
    assert.equal(r.json.moderation.reasons[0].excerpt, 'https://bit.ly/x1');
  } finally {
    await stopClean(srv);
  }
});

test('a list entry that is not a domain stops the server at start', async () => {
  await assert.rejects(startServer({ args: ['--config', configFile('moderation.link_block = bad..com\n')] }),
    (e) => /moderation\.link_block: \\?"bad\.\.com\\?" is not a domain name/.test(e.message) && /exited \(2\)/.test(e.message));
});
