// tests/api/desk_stats_rollup.test.mjs: the desk's numbers and queue counts
// come from summary tables that triggers keep up to date on every write
// (SQLite migration 17, PostgreSQL 18; docs/STORAGE.md). After posts, holds,
// refusals, flags, decisions, an undo, a comment deleted by its author, an
// account deleted with its comments and clocks moved back by hand, the
// numbers read from the tables kept that way are exactly those of tables
// built from scratch (the migration run again on the same data), and the
// queue counts are those of the queues themselves. The same holds for each
// site's numbers and counts (the summary tables by site: SQLite migration 21,
// PostgreSQL 23), and the sites' numbers add up to every site's. Runs on
// SQLite, and on PostgreSQL under tests/pg.sh.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client } from '../lib/server.mjs';
import { deskServer, logSiteDropSql, post, sql, summaryDropSql } from './desk_helpers.mjs';

const DAY = 86400000;
const day = (ms) => new Date(ms).toISOString().slice(0, 10);
const isPg = (url) => /^postgres(ql)?:\/\//.test(url);

let D, second;
after(async () => {
  if (second) await second.stop();
  if (D) await D.srv.stop(); // ended already: removes the database
});

async function numbers(mod) {
  const to = day(Date.now());
  const out = {};
  for (const site of ['', '&site=default', '&site=sport']) {
    for (const [name, q] of [['week', `from=${day(Date.now() - 6 * DAY)}&to=${to}`],
      ['year', `from=${day(Date.now() - 365 * DAY)}&to=${to}`], ['past', 'from=2020-01-01&to=2020-01-31']]) {
      const res = await mod.get(`/api/v1/mod/stats?${q}${site}`);
      assert.equal(res.status, 200, res.text);
      out[name + site] = res.json;
    }
    const counts = await mod.get(`/api/v1/mod/counts${site.replace('&', '?')}`);
    assert.equal(counts.status, 200);
    out[`counts${site}`] = counts.json;
  }
  return out;
}

// Every count of one day (comments by status, queues, decisions, flags,
// engine) of the two sites added up is every site's.
function assertSitesAddUp(n) {
  const keys = (d) => ({ ...d.comments, pq: d.pending_queue, fq: d.flagged_queue, a: d.approved, r: d.rejected, f: d.flags, ...Object.fromEntries(Object.entries(d.engine).map(([k, v]) => [`e_${k}`, v])), o: d.overturned, u: d.upheld });
  for (const range of ['week', 'year']) {
    const all = n[range], def = n[`${range}&site=default`], sp = n[`${range}&site=sport`];
    all.days.forEach((d, i) => {
      const sum = {};
      for (const [k, v] of Object.entries(keys(def.days[i]))) sum[k] = v + keys(sp.days[i])[k];
      assert.deepEqual(sum, keys(d), `${range} ${d.date}`);
    });
    assert.equal(def.decisions.count + sp.decisions.count, all.decisions.count);
  }
  for (const k of ['pending', 'flagged', 'rejected']) assert.equal(n['counts&site=default'][k] + n['counts&site=sport'][k], n.counts[k], k);
}

async function sportPost(client, article, body, parent_id) {
  const res = await client.post(`/api/v1/articles/${article}/comments?site=sport`, parent_id ? { body, parent_id } : { body });
  assert.equal(res.status, 201, res.text);
  return res.json.comment;
}

async function decide(mod, id, action) {
  const res = await mod.post(`/api/v1/mod/comments/${id}/decision`, { action });
  assert.equal(res.status, 200, res.text);
}

// Drops the summary tables and their triggers and forgets the migration
// (and the later ones, the site of each log entry and the sites' own settings), so that the next server
// builds them again from the data.
function forgetSummaries(url) {
  if (!isPg(url)) assert.ok(summaryDropSql(url).split('DROP TRIGGER').length > 10);
  sql(url, `DROP TABLE site_settings; ${summaryDropSql(url)}${logSiteDropSql(url)} DELETE FROM schema_version WHERE version >= ${isPg(url) ? 18 : 17};`);
}

test('the numbers kept by the triggers equal the numbers counted again from scratch', async () => {
  D = await deskServer();
  const url = D.srv.dbUrl;
  const made = await D.admin.post('/api/v1/mod/sites', { slug: 'sport', name: 'Sport' });
  assert.equal(made.status, 201, made.text);
  const ann = await D.reader('Ann');
  const p1 = await post(ann, 'ru-1', 'The new library opening hours are very welcome.');
  const p2 = await post(ann, 'ru-2', 'Glad to see the bridge repaired at last.');
  const ben = await D.reader('Ben');
  const h1 = await post(ben, 'ru-1', 'You are a complete idiot, Ann.', p1.id);
  const cat = await D.reader('Cat');
  const h2 = await post(cat, 'ru-1', 'You are a complete idiot, Ann.', p1.id);
  const h3 = await post(cat, 'ru-2', 'You are a complete idiot, Ann.', p2.id);
  for (const h of [h1, h2, h3]) assert.equal(h.status, 'pending');
  const dan = await D.reader('Dan');
  const refused = await dan.post('/api/v1/articles/ru-1/comments', { body: 'This is total bullshit, what a f.u.c.k.i.n.g mess' });
  assert.equal(refused.status, 422, refused.text);
  const rej = (await D.mod.get('/api/v1/mod/queue?queue=rejected&limit=100')).json.items
    .find((i) => i.comment.author.id === dan.user.id).comment;
  // The sport site: a published comment, two held, one flagged twice.
  const s1 = await sportPost(ann, 'ru-1', 'The match went to extra time and penalties.');
  const s2 = await sportPost(ben, 'ru-1', 'You are a complete idiot, Ann.', s1.id);
  const s3 = await sportPost(cat, 'ru-1', 'You are a complete idiot, Ann.', s1.id);
  const s4 = await sportPost(dan, 'ru-2', 'A fine goal in the second half.');
  for (const h of [s2, s3]) assert.equal(h.status, 'pending');
  for (const [who, target, reason] of [['Eve', p1, 'spam'], ['Fay', p1, 'off_topic'], ['Gus', p2, 'spam'],
    ['Hal', s1, 'spam'], ['Ivy', s1, 'off_topic'], ['Jo', s4, 'spam']]) {
    const r = await D.reader(who);
    const res = await r.post(`/api/v1/comments/${target.id}/flags`, { reason });
    assert.equal(res.status, 201, res.text);
  }

  // Clocks moved back: comments and flags written days ago (the triggers
  // see these updates as they see the server's own; the log is append-only).
  sql(url, `UPDATE comments SET created_at = created_at - ${3 * DAY} WHERE id IN (${p1.id}, ${h1.id}, ${s1.id})`);
  sql(url, `UPDATE flags SET created_at = created_at - ${2 * DAY} WHERE comment_id = ${p1.id}`);

  await decide(D.mod, h1.id, 'approve');
  assert.equal((await D.mod.post('/api/v1/mod/undo', {})).status, 200);
  await decide(D.mod, h1.id, 'reject');
  await decide(D.mod, h2.id, 'approve');
  await decide(D.mod, rej.id, 'approve');
  await decide(D.mod, p1.id, 'reject'); // upholds Eve's and Fay's flags
  await decide(D.admin, p2.id, 'approve'); // dismisses Gus's flag
  await decide(D.mod, s2.id, 'reject');
  await decide(D.mod, s1.id, 'approve'); // dismisses Hal's and Ivy's flags
  sql(url, `UPDATE decisions SET at = at - ${DAY} WHERE comment_id = ${h2.id}`);
  assert.equal((await ann.del(`/api/v1/comments/${p2.id}`)).status, 204);
  assert.equal((await D.mod.del(`/api/v1/mod/users/${cat.user.id}?comments=remove`)).status, 204);
  const late = await post(ben, 'ru-1', 'You are a complete idiot, Dan.', rej.id); // pending now
  assert.equal(late.status, 'pending');

  const kept = await numbers(D.mod);
  // The counts are the queues' own, of every site and of each.
  for (const site of ['', '&site=default', '&site=sport']) {
    const queue = async (q) => (await D.mod.get(`/api/v1/mod/queue?queue=${q}&limit=100${site}`)).json.items.length;
    assert.deepEqual(kept[`counts${site}`], { pending: await queue('pending'), flagged: await queue('flagged'), rejected: await queue('rejected') }, site);
  }
  assert.ok(kept['counts&site=sport'].flagged === 1 && kept['counts&site=sport'].rejected >= 1, JSON.stringify(kept['counts&site=sport']));
  assert.ok(kept['week&site=sport'].decisions.count >= 2, JSON.stringify(kept['week&site=sport'].decisions));
  assertSitesAddUp(kept);
  assert.ok(kept.week.days.some((d) => d.pending_queue > 0));
  assert.ok(kept.week.decisions.count >= 5, JSON.stringify(kept.week.decisions));

  D.srv.proc.kill('SIGTERM');
  await D.srv.exited;
  forgetSummaries(url);
  second = await startServer({ db: { url, cleanup() {} } });
  const mod = new Client(second.url);
  await mod.login('mod@example.com');
  assert.deepEqual(await numbers(mod), kept);
});
