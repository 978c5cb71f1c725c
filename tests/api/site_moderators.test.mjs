// tests/api/site_moderators.test.mjs: moderators limited to some sites
// (issue 15, item 6; docs/SITES.md, "Moderators of some sites"). An admin
// limits a moderator to the sport site; the moderator then acts on the sport
// site's comments, articles, log, search and people, and every endpoint a
// moderator may call refuses them the default site's. The refusals are
// listed against the route table of src/api/router.c, so a new /mod endpoint
// without a check here fails this test. A moderator without a limit (every
// moderator after the upgrade) keeps every site.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, createUser, startServer } from '../lib/server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
let srv, admin, mod, lim, limId, sport, arts, reader, sportReader, defReader;
let cDef, cSport, cSportHeld;

async function login(email) {
  const c = new Client(srv.url);
  const res = await c.login(email);
  assert.equal(res.status, 200, res.text);
  c.user = res.json.user;
  return c;
}

async function register(name, email) {
  const c = new Client(srv.url);
  const res = await c.register(name, email);
  assert.equal(res.status, 201, res.text);
  c.user = res.json.user;
  return c;
}

async function post(client, p, body) {
  const res = await client.post(p, { body });
  assert.equal(res.status, 201, res.text);
  return res.json.comment;
}

async function limitTo(ids) {
  const res = await admin.put(`/api/v1/mod/users/${limId}/sites`, { sites: ids });
  assert.equal(res.status, 200, res.text);
  return res.json;
}

before(async () => {
  srv = await startServer();
  createUser(srv.dbUrl, { email: 'admin@example.com', name: 'Ada Admin', role: 'admin' });
  createUser(srv.dbUrl, { email: 'mod@example.com', name: 'Max Moderator', role: 'moderator' });
  createUser(srv.dbUrl, { email: 'lou@example.com', name: 'Lou Limited', role: 'moderator' });
  admin = await login('admin@example.com');
  mod = await login('mod@example.com');
  lim = await login('lou@example.com');
  limId = lim.user.id;
  for (const [slug, name] of [['sport', 'Sport'], ['arts', 'Arts']]) {
    const res = await admin.post('/api/v1/mod/sites', { slug, name });
    assert.equal(res.status, 201, res.text);
    if (slug === 'sport') sport = res.json.site;
    else arts = res.json.site;
  }
  reader = await register('Rita Reader', 'rita@example.com');
  sportReader = await register('Sid Sport', 'sid@example.com');
  defReader = await register('Dee Default', 'dee@example.com');
  cDef = await post(defReader, '/api/v1/articles/home-1/comments', 'A comment on the default site.');
  await post(reader, '/api/v1/articles/home-1/comments', 'Rita on the default site.');
  cSport = await post(sportReader, '/api/v1/articles/match-1/comments?site=sport', 'A comment on the sport site.');
  await post(reader, '/api/v1/articles/match-1/comments?site=sport', 'Rita on the sport site.');
  assert.equal((await admin.put('/api/v1/articles/match-2?site=sport', { status: 'premoderated' })).status, 200);
  assert.equal((await admin.put('/api/v1/articles/home-2', { status: 'premoderated' })).status, 200);
  cSportHeld = await post(sportReader, '/api/v1/articles/match-2/comments?site=sport', 'Held on the sport site.');
  await post(defReader, '/api/v1/articles/home-2/comments', 'Held on the default site.');
});
after(async () => {
  if (process.env.SHOWLOG) console.log(srv.log());
  await srv.stop();
});

test('admins choose a moderator\'s sites; every field is checked; it is logged', async () => {
  const none = await admin.get(`/api/v1/mod/users/${limId}`);
  assert.equal(none.status, 200, none.text);
  assert.deepEqual(none.json.user.moderator_sites, []); // every site, as after the upgrade
  const set = await limitTo([sport.id, sport.id]);
  assert.deepEqual(set.sites, [sport.id]);
  assert.equal(set.user_id, String(limId));
  assert.deepEqual((await admin.get(`/api/v1/mod/users/${limId}`)).json.user.moderator_sites, [sport.id]);
  for (const body of [{ sites: [999999] }, { sites: 'sport' }, { sites: ['1'] }, {}, { sites: [1], extra: 1 }]) {
    const res = await admin.put(`/api/v1/mod/users/${limId}/sites`, body);
    assert.equal(res.status, 400, JSON.stringify(body));
  }
  const notMod = await admin.put(`/api/v1/mod/users/${reader.user.id}/sites`, { sites: [sport.id] });
  assert.equal(notMod.status, 409);
  assert.equal(notMod.json.error.code, 'not_a_moderator');
  assert.equal((await admin.put('/api/v1/mod/users/999999/sites', { sites: [] })).status, 404);
  assert.equal((await mod.put(`/api/v1/mod/users/${limId}/sites`, { sites: [] })).status, 403);
  const log = await admin.get(`/api/v1/mod/log?action=moderator_sites&author=${limId}`);
  assert.equal(log.status, 200, log.text);
  assert.equal(log.json.entries[0].reason, `sites=${sport.id}`);
});

test('a limited moderator works on their site: lists default to it, decisions on it pass', async () => {
  await limitTo([sport.id]);
  const sites = await lim.get('/api/v1/mod/sites');
  assert.equal(sites.status, 200, sites.text);
  assert.deepEqual(sites.json.sites.map((s) => s.slug), ['sport']);
  assert.equal(sites.json.limited, true);
  assert.equal((await mod.get('/api/v1/mod/sites')).json.limited, false);

  const queue = await lim.get('/api/v1/mod/queue?queue=pending');
  assert.equal(queue.status, 200, queue.text);
  assert.ok(queue.json.items.length >= 1);
  assert.ok(queue.json.items.every((i) => i.comment.site === sport.id));
  assert.equal((await lim.get('/api/v1/mod/queue?queue=pending&site=sport')).status, 200);
  const counts = await lim.get('/api/v1/mod/counts');
  assert.deepEqual(counts.json, (await admin.get('/api/v1/mod/counts?site=sport')).json);
  const search = await lim.get('/api/v1/mod/search');
  assert.ok(search.json.comments.length >= 2 && search.json.comments.every((c) => c.site === sport.id));
  const people = await lim.get('/api/v1/mod/users');
  const names = people.json.users.map((u) => u.name);
  assert.ok(names.includes('Sid Sport') && names.includes('Rita Reader') && !names.includes('Dee Default'));
  const page = await lim.get(`/api/v1/mod/users/${reader.user.id}`);
  assert.equal(page.status, 200, page.text);
  assert.ok(page.json.comments.length === 1 && page.json.comments[0].site === sport.id, page.text);
  const decided = await lim.post(`/api/v1/mod/comments/${cSportHeld.id}/decision`, { action: 'approve' });
  assert.equal(decided.status, 200, decided.text);
  const undone = await lim.post('/api/v1/mod/undo');
  assert.equal(undone.status, 200, undone.text);
  assert.equal((await lim.put('/api/v1/articles/match-1?site=sport', { title: 'The match' })).status, 200);
  assert.equal((await lim.post(`/api/v1/mod/users/${sportReader.user.id}/notes`, { body: 'Keeps to the sport site.' })).status, 201);
  const log = await lim.get('/api/v1/mod/log');
  assert.equal(log.status, 200, log.text);
  assert.ok(log.json.entries.some((e) => e.action === 'approve' && e.target_id === String(cSportHeld.id)));
  // A moderator without a limit keeps every site, as before.
  const all = await mod.get('/api/v1/mod/queue?queue=pending');
  assert.ok(all.json.items.some((i) => i.comment.site === undefined) && all.json.items.some((i) => i.comment.site === sport.id));

  // Two sites: the lists must name one.
  await limitTo([sport.id, arts.id]);
  const which = await lim.get('/api/v1/mod/queue');
  assert.equal(which.status, 403);
  assert.equal(which.json.error.code, 'not_your_site');
  assert.equal((await lim.get('/api/v1/mod/queue?site=arts')).status, 200);
  assert.deepEqual((await lim.get('/api/v1/mod/sites')).json.sites.map((s) => s.slug), ['sport', 'arts']);
  await limitTo([sport.id]);
});

// The Numbers tab by site (the summary tables keep each comment's site): a
// limited moderator gets their sites' numbers, added up without site=.
test('a limited moderator gets the numbers of their sites only', async () => {
  const artsPost = await post(reader, '/api/v1/articles/gallery-1/comments?site=arts', 'A comment on the arts site.');
  assert.ok(artsPost.id);
  const published = (n) => n.days.reduce((a, d) => a + d.comments.published + d.comments.pending, 0);
  const get = async (c, q) => {
    const res = await c.get(`/api/v1/mod/stats${q}`);
    assert.equal(res.status, 200, `${q}: ${res.text}`);
    return res.json;
  };
  const all = await get(admin, '');
  const sportN = await get(admin, '?site=sport');
  const artsN = await get(admin, '?site=arts');
  const defN = await get(admin, '?site=default');
  assert.equal(published(sportN), 3);
  assert.equal(published(artsN), 1);
  assert.equal(published(defN), 3);
  assert.equal(published(all), 7);
  assert.ok(sportN.days.at(-1).pending_queue >= 1, JSON.stringify(sportN.days.at(-1)));
  // Without site= a moderator of every site gets every site's, as before.
  assert.deepEqual(await get(mod, ''), all);

  await limitTo([sport.id]);
  assert.deepEqual(await get(lim, ''), sportN);
  assert.deepEqual(await get(lim, '?site=sport'), sportN);
  for (const q of ['?site=default', '?site=arts']) {
    const res = await lim.get(`/api/v1/mod/stats${q}`);
    assert.equal(res.status, 403, q);
    assert.equal(res.json.error.code, 'not_your_site', q);
  }
  const csv = await lim.get('/api/v1/mod/stats?format=csv');
  assert.equal(csv.status, 200);
  assert.equal(csv.text, (await admin.get('/api/v1/mod/stats?format=csv&site=sport')).text);
  assert.match((await admin.get('/api/v1/mod/stats?format=csv&site=sport')).headers.get('content-disposition'), /parley-numbers-sport-\d{4}-/);

  // Two sites: both added up.
  await limitTo([sport.id, arts.id]);
  const both = await get(lim, '');
  assert.equal(published(both), 4);
  assert.equal(both.days.at(-1).pending_queue, sportN.days.at(-1).pending_queue + artsN.days.at(-1).pending_queue);
  assert.deepEqual(await get(lim, '?site=arts'), artsN);
  await limitTo([sport.id]);
});

// What a limited moderator is refused, for every route a moderator may call:
// each entry asks for the default site's data (or what is every site's) and
// says which error code it expects.
const refusals = {
  'GET mod/queue': ['not_your_site', () => lim.get('/api/v1/mod/queue?site=default')],
  'POST mod/comments/*/decision': ['not_your_site', () => lim.post(`/api/v1/mod/comments/${cDef.id}/decision`, { action: 'reject' })],
  'POST mod/users/*/ban': ['not_your_site', () => lim.post(`/api/v1/mod/users/${defReader.user.id}/ban`, { reason: 'x' })],
  'DELETE mod/users/*/ban': ['not_your_site', () => lim.del(`/api/v1/mod/users/${defReader.user.id}/ban`)],
  'GET mod/log': ['not_your_site', () => lim.get('/api/v1/mod/log?site=default')],
  'GET mod/counts': ['not_your_site', () => lim.get('/api/v1/mod/counts?site=default')],
  'POST mod/undo': ['not_your_site', async () => {
    // A decision on the sport site, then the admin takes the sport site away.
    const d = await lim.post(`/api/v1/mod/comments/${cSport.id}/decision`, { action: 'approve' });
    assert.equal(d.status, 200, d.text);
    await limitTo([arts.id]);
    const res = await lim.post('/api/v1/mod/undo');
    await limitTo([sport.id]);
    return res;
  }],
  'POST mod/users/*/role': ['forbidden', () => lim.post(`/api/v1/mod/users/${defReader.user.id}/role`, { role: 'moderator' })],
  'GET mod/users/*': ['not_your_site', () => lim.get(`/api/v1/mod/users/${defReader.user.id}`)],
  'DELETE mod/users/*': ['not_your_site', () => lim.del(`/api/v1/mod/users/${sportReader.user.id}`)],
  'GET mod/users': ['not_your_site', () => lim.get('/api/v1/mod/users?site=default')],
  'POST mod/users/*/notes': ['not_your_site', () => lim.post(`/api/v1/mod/users/${defReader.user.id}/notes`, { body: 'x' })],
  'PUT mod/users/*/sites': ['forbidden', () => lim.put(`/api/v1/mod/users/${limId}/sites`, { sites: [] })],
  'GET mod/articles': ['not_your_site', () => lim.get('/api/v1/mod/articles?site=default')],
  'POST mod/articles/close': ['not_your_site', () => lim.post('/api/v1/mod/articles/close?site=default', { older_than_days: 1 })],
  'GET mod/search': ['not_your_site', () => lim.get('/api/v1/mod/search?site=default')],
  'GET mod/stats': ['not_your_site', () => lim.get('/api/v1/mod/stats?site=default')],
  'GET mod/settings': ['forbidden', () => lim.get('/api/v1/mod/settings')],
  'PUT mod/settings': ['forbidden', () => lim.put('/api/v1/mod/settings', { version: 0, settings: {} })],
  'POST mod/settings/preview': ['forbidden', () => lim.post('/api/v1/mod/settings/preview', { settings: {} })],
  'POST mod/pages/preview': ['forbidden', () => lim.post('/api/v1/mod/pages/preview', { markdown: 'x' })],
  'GET mod/sites': [null, async () => {
    const res = await lim.get('/api/v1/mod/sites');
    assert.ok(!res.json.sites.some((s) => s.slug === 'default'), res.text); // only theirs
    return res;
  }],
  'POST mod/sites': ['forbidden', () => lim.post('/api/v1/mod/sites', { slug: 'lim', name: 'Lim' })],
  'PATCH mod/sites/*': ['forbidden', () => lim.patch('/api/v1/mod/sites/1', { name: 'Mine' })],
  'GET mod/webhooks': ['forbidden', () => lim.get('/api/v1/mod/webhooks')],
  'POST mod/webhooks/test': ['forbidden', () => lim.post('/api/v1/mod/webhooks/test')],
  // The moderator's powers outside /mod: an article's settings, deleting another's comment.
  'PUT articles/*': ['not_your_site', () => lim.put('/api/v1/articles/home-1', { status: 'closed' })],
  'DELETE comments/*': ['not_your_site', () => lim.del(`/api/v1/comments/${cDef.id}`)],
};

test('every moderator endpoint refuses a limited moderator another site\'s data (from the route table)', async () => {
  const router = readFileSync(path.join(here, '..', '..', 'src', 'api', 'router.c'), 'utf8');
  const routes = [...router.matchAll(/\{HTTP_(\w+), "([^"]+)", (\w+)\}/g)].map((m) => `${m[1]} ${m[2]}`);
  assert.ok(routes.length > 50, 'the route table was read');
  const modRoutes = routes.filter((r) => r.split(' ')[1].startsWith('mod/'));
  const missing = modRoutes.filter((r) => !(r in refusals));
  assert.deepEqual(missing, [], 'a /mod route without a site check in this test');
  for (const r of Object.keys(refusals)) assert.ok(routes.includes(r), `${r} is not a route any more`);

  await limitTo([sport.id]);
  for (const [route, [code, call]] of Object.entries(refusals)) {
    const res = await call();
    if (code === null) {
      assert.equal(res.status, 200, `${route}: ${res.text}`);
      continue;
    }
    assert.equal(res.status, 403, `${route}: ${res.status} ${res.text}`);
    assert.equal(res.json.error.code, code, `${route}: ${res.text}`);
  }
  // Nothing of the default site changed.
  const def = await admin.get('/api/v1/articles/home-1/comments');
  assert.ok(def.json.comments.some((c) => c.id === cDef.id));
  assert.equal(def.json.article.status, 'open');
  const dee = await admin.get(`/api/v1/mod/users/${defReader.user.id}`);
  assert.equal(dee.json.user.banned, false);
  assert.deepEqual(dee.json.notes, []);
  // The same moderator, unlimited again, may.
  await limitTo([]);
  assert.equal((await lim.get('/api/v1/mod/queue?site=default')).status, 200);
  assert.equal((await lim.get(`/api/v1/mod/users/${defReader.user.id}`)).status, 200);
  assert.equal((await lim.get('/api/v1/mod/stats')).status, 200);
});
