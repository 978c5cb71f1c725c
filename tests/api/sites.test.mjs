// tests/api/sites.test.mjs: several sites in one server (issue 15, item 6;
// docs/SITES.md). A database made before sites migrates to one default site
// with every thread as it was; admins add and change sites; each site has
// its own article namespace (the same article id in two sites is two
// threads) and its own origins, which decide the site of a request without
// a `site` parameter and refuse a page of one site acting for another;
// requests that name no site act for the default site as before.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Client, createUser, startServer, tempDb, TIME_SCALE } from '../lib/server.mjs';
import { logSiteDropSql, sql, summaryDropSql } from './desk_helpers.mjs';

const isPg = (url) => /^postgres(ql)?:\/\//.test(url);
let srv, admin, mod, reader, db;

before(async () => {
  db = tempDb();
  srv = await startServer({ db, keepDb: true, env: { PARLEY_ALLOWED_ORIGINS: 'https://news.example' } });
  createUser(srv.dbUrl, { email: 'admin@example.com', name: 'Ada Admin', role: 'admin' });
  createUser(srv.dbUrl, { email: 'mod@example.com', name: 'Max Moderator', role: 'moderator' });
  admin = new Client(srv.url);
  mod = new Client(srv.url);
  reader = new Client(srv.url);
  assert.equal((await admin.login('admin@example.com')).status, 200);
  assert.equal((await mod.login('mod@example.com')).status, 200);
  assert.equal((await reader.register('Rita Reader', 'rita@example.com')).status, 201);
});
after(async () => {
  if (process.env.SHOWLOG) console.log(srv.log());
  await srv.stop();
  db.cleanup();
});

async function post(client, path, body) {
  const res = await client.post(path, { body });
  assert.equal(res.status, 201, res.text);
  return res.json.comment;
}

const thread = async (client, path) => {
  const res = await client.get(path);
  assert.equal(res.status, 200, res.text);
  return res.json;
};

test('a database from before sites migrates to one default site, every thread as it was', async () => {
  const c1 = await post(reader, '/api/v1/articles/old-1/comments', 'Written before there were sites.');
  await post(reader, '/api/v1/articles/old-2/comments', 'A second article, also from before.');
  assert.equal((await mod.post(`/api/v1/mod/comments/${c1.id}/decision`, { action: 'feature' })).status, 200);
  const beforeThread = await thread(new Client(srv.url), '/api/v1/articles/old-1/comments');
  const beforeCounts = (await new Client(srv.url).get('/api/v1/counts?article=old-1&article=old-2')).json;

  // Undo the sites migration and the later ones (users_lower_name, the numbers' summary tables, the
  // site of each log entry, the sites' own settings), as a
  // database of the previous version is.
  await srv.stop();
  const version = isPg(db.url) ? 16 : 15;
  sql(db.url, `${logSiteDropSql(db.url)} DROP TABLE site_settings; DROP TABLE sites; DROP INDEX users_lower_name; ${summaryDropSql(db.url)} DELETE FROM schema_version WHERE version >= ${version}`);
  srv = await startServer({ db, keepDb: true, env: { PARLEY_ALLOWED_ORIGINS: 'https://news.example' } });
  for (const c of [admin, mod, reader]) c.base = srv.url;

  const sites = await admin.get('/api/v1/mod/sites');
  assert.equal(sites.status, 200, sites.text);
  assert.equal(sites.json.sites.length, 1);
  assert.equal(sites.json.sites[0].id, 1);
  assert.equal(sites.json.sites[0].slug, 'default');
  assert.deepEqual(sites.json.sites[0].origins, []);

  const afterThread = await thread(new Client(srv.url), '/api/v1/articles/old-1/comments');
  assert.deepEqual(afterThread, beforeThread);
  assert.equal(afterThread.article.site, undefined); // the default site's shapes are as they were
  assert.equal(afterThread.comments[0].id, c1.id);
  assert.deepEqual((await new Client(srv.url).get('/api/v1/counts?article=old-1&article=old-2')).json, beforeCounts);
  // Named explicitly, the default site is the same threads.
  assert.deepEqual(await thread(new Client(srv.url), '/api/v1/articles/old-1/comments?site=default'), beforeThread);
  // The publisher's allowed origin keeps working: CORS, and posting from it.
  const page = new Client(srv.url, { origin: 'https://news.example' });
  page.cookie = reader.cookie;
  const res = await page.post('/api/v1/articles/old-1/comments', { body: 'Posted from the publisher page after the upgrade.' });
  assert.equal(res.status, 201, res.text);
  assert.equal(res.headers.get('access-control-allow-origin'), 'https://news.example');
  assert.equal((await thread(new Client(srv.url), '/api/v1/articles/old-1/comments')).comments.length, 2);
  // The log entry written before the upgrade is the default site's (the migration filled its site).
  const log = await mod.get('/api/v1/mod/log?site=default&action=feature');
  assert.equal(log.status, 200, log.text);
  assert.deepEqual(log.json.entries.map((e) => e.target_id), [String(c1.id)]);
});

test('only admins see and change the sites; every field is checked', async () => {
  const anon = new Client(srv.url);
  assert.equal((await anon.get('/api/v1/mod/sites')).status, 401);
  for (const c of [reader, mod]) {
    const reads = c === reader ? [await c.get('/api/v1/mod/sites')] : [];
    for (const res of [...reads, await c.post('/api/v1/mod/sites', { slug: 'x', name: 'X' }),
      await c.patch('/api/v1/mod/sites/1', { name: 'X' })]) {
      assert.equal(res.status, 403, res.text);
      assert.equal(res.json.error.code, 'forbidden');
    }
  }
  // Moderators read the list (the desk's site switcher).
  const seen = await mod.get('/api/v1/mod/sites');
  assert.equal(seen.status, 200, seen.text);
  assert.equal(seen.json.sites[0].slug, 'default');
  const bad = [
    [{ slug: 'Has Caps', name: 'X' }, 'slug'],
    [{ slug: '-lead', name: 'X' }, 'slug'],
    [{ slug: 'ok' }, 'name'],
    [{ slug: 'ok', name: 'X', origins: 'https://a.example' }, 'origins'],
    [{ slug: 'ok', name: 'X', origins: ['https://a.example/path'] }, 'origins'],
    [{ slug: 'ok', name: 'X', origins: ['ftp://a.example'] }, 'origins'],
  ];
  for (const [body, field] of bad) {
    const res = await admin.post('/api/v1/mod/sites', body);
    assert.equal(res.status, 400, JSON.stringify(body));
    assert.equal(res.json.error.field, field, JSON.stringify(body));
  }
  const unknown = await admin.post('/api/v1/mod/sites', { slug: 'ok', name: 'X', color: 'red' });
  assert.equal(unknown.status, 400);
  // The default site's config origin, and the server's own, name no other site.
  for (const origin of ['https://news.example', new URL(srv.url).origin]) {
    const res = await admin.post('/api/v1/mod/sites', { slug: 'taken', name: 'Taken', origins: [origin] });
    assert.equal(res.status, 409, origin);
    assert.equal(res.json.error.code, 'origin_taken');
  }
  assert.equal((await admin.patch('/api/v1/mod/sites/999', { name: 'Nobody' })).status, 404);
  assert.equal((await admin.patch('/api/v1/mod/sites/abc', { name: 'Nobody' })).status, 404);
});

test('a second site: its own article namespace, its origins decide and are checked', async () => {
  const made = await admin.post('/api/v1/mod/sites', { slug: 'sport', name: 'Sport desk', origins: ['https://sport.example'] });
  assert.equal(made.status, 201, made.text);
  const site = made.json.site;
  assert.equal(site.slug, 'sport');
  assert.deepEqual(site.origins, ['https://sport.example']);
  assert.ok(site.id > 1);
  const again = await admin.post('/api/v1/mod/sites', { slug: 'sport', name: 'Again' });
  assert.equal(again.status, 409);
  assert.equal(again.json.error.code, 'conflict');
  const clash = await admin.post('/api/v1/mod/sites', { slug: 'other', name: 'Other', origins: ['https://sport.example'] });
  assert.equal(clash.status, 409);
  assert.equal(clash.json.error.code, 'origin_taken');
  const list = (await admin.get('/api/v1/mod/sites')).json.sites;
  assert.deepEqual(list.map((s) => s.slug), ['default', 'sport']);

  // The same article id in the two sites is two threads.
  await post(reader, '/api/v1/articles/same-id/comments', 'On the default site.');
  const s1 = await post(reader, '/api/v1/articles/same-id/comments?site=sport', 'On the sport site, by name.');
  const sportPage = new Client(srv.url, { origin: 'https://sport.example' });
  sportPage.cookie = reader.cookie;
  const byOrigin = await sportPage.post('/api/v1/articles/same-id/comments', { body: 'On the sport site, by its origin.' });
  assert.equal(byOrigin.status, 201, byOrigin.text);
  assert.equal(byOrigin.headers.get('access-control-allow-origin'), 'https://sport.example');

  const def = await thread(new Client(srv.url), '/api/v1/articles/same-id/comments');
  assert.equal(def.comments.length, 1);
  assert.equal(def.article.id, 'same-id');
  assert.equal(def.article.site, undefined);
  const sport = await thread(new Client(srv.url), '/api/v1/articles/same-id/comments?site=sport');
  assert.equal(sport.comments.length, 2);
  assert.equal(sport.article.id, 'same-id');
  assert.equal(sport.article.site, site.id);
  assert.ok(sport.comments.some((c) => c.id === s1.id));
  const viaOrigin = await thread(new Client(srv.url, { origin: 'https://sport.example' }), '/api/v1/articles/same-id/comments');
  assert.deepEqual(viaOrigin.comments.map((c) => c.id), sport.comments.map((c) => c.id));
  const art = await new Client(srv.url).get('/api/v1/articles/same-id?site=sport');
  assert.equal(art.json.article.comment_count, 2);
  assert.equal((await new Client(srv.url).get('/api/v1/counts?article=same-id&site=sport')).json.counts['same-id'], 2);
  assert.equal((await new Client(srv.url).get('/api/v1/counts?article=same-id')).json.counts['same-id'], 1);

  // The reader's own comments name the article and its site.
  const mine = await reader.get('/api/v1/me/comments');
  const own = mine.json.comments.find((c) => c.id === s1.id);
  assert.equal(own.article_id, 'same-id');
  assert.equal(own.site, site.id);

  // A page of one site may not act for another; an unknown site is 404.
  const cross = await sportPage.post('/api/v1/articles/same-id/comments?site=default', { body: 'Sneaking across sites.' });
  assert.equal(cross.status, 403);
  assert.equal(cross.json.error.code, 'cross_origin');
  const newsPage = new Client(srv.url, { origin: 'https://news.example' });
  newsPage.cookie = reader.cookie;
  assert.equal((await newsPage.post('/api/v1/articles/same-id/comments?site=sport', { body: 'Across, the other way.' })).status, 403);
  const nowhere = await new Client(srv.url).get('/api/v1/articles/same-id/comments?site=nowhere');
  assert.equal(nowhere.status, 404);
  assert.equal(nowhere.json.error.code, 'site_not_found');
  const evil = new Client(srv.url, { origin: 'https://evil.example' });
  evil.cookie = reader.cookie;
  const refused = await evil.post('/api/v1/articles/same-id/comments?site=sport', { body: 'From nowhere.' });
  assert.equal(refused.status, 403);
  assert.equal(refused.json.error.code, 'cross_origin');
  // The server's own origin (the desk) may act for any site.
  const desk = new Client(srv.url, { origin: new URL(srv.url).origin });
  desk.cookie = reader.cookie;
  assert.equal((await desk.post('/api/v1/articles/same-id/comments?site=sport', { body: 'From the server page.' })).status, 201);

  // An article's address must be on its own site's origins.
  const url = await sportPage.post('/api/v1/articles/with-url/comments', { body: 'With the page address.', article_url: 'https://news.example/a' });
  assert.equal(url.status, 400);
  assert.equal(url.json.error.field, 'article_url');
  const ok = await sportPage.post('/api/v1/articles/with-url/comments', { body: 'With the page address.', article_url: 'https://sport.example/a' });
  assert.equal(ok.status, 201, ok.text);
  const put = await admin.put('/api/v1/articles/with-url?site=sport', { title: 'Cup final', status: 'premoderated' });
  assert.equal(put.status, 200, put.text);
  assert.equal(put.json.article.id, 'with-url');
  assert.equal(put.json.article.site, site.id);
  assert.equal((await new Client(srv.url).get('/api/v1/articles/with-url')).json.article.title, '');

  // The desk's queue names each comment's article and site.
  await post(sportPage, '/api/v1/articles/with-url/comments', 'Held: the article is premoderated now.');
  const queue = await mod.get('/api/v1/mod/queue?status=pending');
  const held = queue.json.items.find((i) => i.article_id === 'with-url');
  assert.ok(held, queue.text);
  assert.equal(held.comment.site, site.id);
  assert.equal(held.article.site, site.id);
  assert.equal(held.article.title, 'Cup final');
});

test('changing a site\'s origins applies at once: the old origin is refused, the new one served', async () => {
  const list = (await admin.get('/api/v1/mod/sites')).json.sites;
  const sport = list.find((s) => s.slug === 'sport');
  const res = await admin.patch(`/api/v1/mod/sites/${sport.id}`, { origins: ['https://sports.example'], name: 'Sports' });
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(res.json.site.origins, ['https://sports.example']);
  assert.equal(res.json.site.name, 'Sports');
  assert.equal(res.json.site.slug, 'sport');
  const oldPage = new Client(srv.url, { origin: 'https://sport.example' });
  oldPage.cookie = reader.cookie;
  const gone = await oldPage.post('/api/v1/articles/same-id/comments', { body: 'From the old address.' });
  assert.equal(gone.status, 403);
  assert.equal(gone.json.error.code, 'cross_origin');
  const newPage = new Client(srv.url, { origin: 'https://sports.example' });
  newPage.cookie = reader.cookie;
  const here = await newPage.post('/api/v1/articles/same-id/comments', { body: 'From the new address.' });
  assert.equal(here.status, 201, here.text);
  const t = await thread(new Client(srv.url), '/api/v1/articles/same-id/comments?site=sport&limit=100');
  assert.ok(t.comments.some((c) => c.id === here.json.comment.id));
  // The change is in the moderation log.
  const log = await admin.get('/api/v1/mod/log?limit=100');
  assert.ok(log.json.entries.some((e) => e.action === 'site_update'), log.text);
  assert.ok(log.json.entries.some((e) => e.action === 'site_create'), log.text);
});

test('the desk\'s queues by site: site= filters a queue and its counts; without it, every site', async () => {
  const sport = (await mod.get('/api/v1/mod/sites')).json.sites.find((s) => s.slug === 'sport');
  for (const path of ['/api/v1/articles/queue-1', '/api/v1/articles/queue-1?site=sport']) {
    assert.equal((await admin.put(path, { status: 'premoderated' })).status, 200);
  }
  const held = await post(reader, '/api/v1/articles/queue-1/comments', 'Waiting on the default site.');
  const heldSport = await post(reader, '/api/v1/articles/queue-1/comments?site=sport', 'Waiting on the sport site.');
  const ids = async (q) => {
    const res = await mod.get(`/api/v1/mod/queue?queue=pending&limit=100${q}`);
    assert.equal(res.status, 200, res.text);
    return res.json.items;
  };
  const all = await ids('');
  assert.ok(all.some((i) => i.comment.id === held.id) && all.some((i) => i.comment.id === heldSport.id));
  const onlySport = await ids('&site=sport');
  assert.ok(onlySport.length >= 1);
  assert.ok(onlySport.every((i) => i.article.site === sport.id && i.comment.site === sport.id), JSON.stringify(onlySport));
  assert.ok(onlySport.some((i) => i.comment.id === heldSport.id));
  const onlyDefault = await ids('&site=default');
  assert.ok(onlyDefault.every((i) => i.article.site === undefined));
  assert.ok(onlyDefault.some((i) => i.comment.id === held.id));
  assert.equal(onlyDefault.length + onlySport.length, all.length);

  const counts = async (q) => (await mod.get(`/api/v1/mod/counts${q}`)).json;
  const [cAll, cSport, cDefault] = [await counts(''), await counts('?site=sport'), await counts('?site=default')];
  assert.equal(cSport.pending, onlySport.length);
  assert.equal(cDefault.pending, onlyDefault.length);
  for (const k of ['pending', 'flagged', 'rejected']) assert.equal(cSport[k] + cDefault[k], cAll[k], k);
  const none = await mod.get('/api/v1/mod/queue?site=nowhere');
  assert.equal(none.status, 404);
  assert.equal(none.json.error.code, 'site_not_found');
});

test('the desk\'s log and search by site: site= keeps one site\'s entries and comments', async () => {
  const sport = (await mod.get('/api/v1/mod/sites')).json.sites.find((x) => x.slug === 'sport');
  const a = await post(reader, '/api/v1/articles/log-1/comments', 'A plover seen on the default site.');
  const b = await post(reader, '/api/v1/articles/log-1/comments?site=sport', 'A plover seen on the sport site.');
  for (const c of [a, b]) {
    const res = await mod.post(`/api/v1/mod/comments/${c.id}/decision`, { action: 'reject', reason: 'birds' });
    assert.equal(res.status, 200, res.text);
  }
  assert.equal((await admin.put('/api/v1/articles/log-1?site=sport', { title: 'Plovers' })).status, 200);
  const spammer = new Client(srv.url);
  const reg = await spammer.register('Sam Spam', 'sam-spam@example.com');
  assert.equal(reg.status, 201, reg.text);
  assert.equal((await mod.post(`/api/v1/mod/users/${reg.json.user.id}/ban`, { reason: 'spam' })).status, 200);

  const log = async (q) => {
    const res = await mod.get(`/api/v1/mod/log?limit=500${q}`);
    assert.equal(res.status, 200, res.text);
    return res.json.entries;
  };
  const has = (entries, action, target) => entries.some((e) => e.action === action && e.target_id === target);
  const [all, onlySport, onlyDefault] = [await log(''), await log('&site=sport'), await log('&site=default')];
  assert.ok(has(onlySport, 'reject', String(b.id)) && !has(onlySport, 'reject', String(a.id)));
  assert.ok(has(onlyDefault, 'reject', String(a.id)) && !has(onlyDefault, 'reject', String(b.id)));
  assert.ok(has(onlySport, 'article_update', `${sport.id}/log-1`));
  assert.ok(has(onlySport, 'site_create', String(sport.id)) && has(onlySport, 'site_update', String(sport.id)));
  // Entries about people (a ban) are every site's: shown only without a site.
  assert.ok(has(all, 'ban', String(reg.json.user.id)));
  assert.ok(!has(onlySport, 'ban', String(reg.json.user.id)) && !has(onlyDefault, 'ban', String(reg.json.user.id)));
  const ofSites = all.filter((e) => e.target_type !== 'user' && e.target_type !== 'setting');
  assert.equal(onlySport.length + onlyDefault.length, ofSites.length);
  // With the other filters, newest first, paged.
  assert.deepEqual((await log('&site=sport&action=reject')).map((e) => e.target_id), [String(b.id)]);
  assert.ok(has(await log('&site=default&moderator=Max%20Moderator'), 'reject', String(a.id)));
  assert.ok(!has(await log('&site=default&moderator=Max%20Moderator'), 'reject', String(b.id)));
  assert.deepEqual((await log(`&site=sport&author=Rita%20Reader&action=reject`)).map((e) => e.target_id), [String(b.id)]);
  const byArticle = await log('&site=sport&article=log-1');
  assert.ok(has(byArticle, 'reject', String(b.id)) && has(byArticle, 'article_update', `${sport.id}/log-1`));
  assert.ok(!has(byArticle, 'reject', String(a.id)));
  const page1 = await mod.get('/api/v1/mod/log?site=sport&limit=1');
  const page2 = await mod.get(`/api/v1/mod/log?site=sport&limit=1&before=${page1.json.next}`);
  assert.deepEqual([...page1.json.entries, ...page2.json.entries].map((e) => e.id), onlySport.slice(0, 2).map((e) => e.id));
  const unknown = await mod.get('/api/v1/mod/log?site=nowhere');
  assert.equal(unknown.status, 404);
  assert.equal(unknown.json.error.code, 'site_not_found');

  const search = async (q) => {
    const res = await mod.get(`/api/v1/mod/search?limit=100${q}`);
    assert.equal(res.status, 200, res.text);
    return res.json.comments;
  };
  const ids = (cs) => cs.map((c) => c.id);
  assert.deepEqual(ids(await search('&q=plover')), [b.id, a.id]);
  assert.deepEqual(ids(await search('&q=plover&site=sport')), [b.id]);
  assert.deepEqual(ids(await search('&q=plover&site=default')), [a.id]);
  assert.deepEqual(ids(await search('&status=rejected&site=sport&q=plover')), [b.id]);
  assert.deepEqual(ids(await search('&author=Rita%20Reader&site=default&status=rejected')), [a.id]);
  const sportAll = await search('&site=sport');
  assert.ok(sportAll.length >= 3 && sportAll.every((c) => c.site === sport.id), JSON.stringify(sportAll));
  assert.ok((await search('&site=default')).every((c) => c.site === undefined));
  assert.ok((await search('&status=rejected&site=sport')).every((c) => c.site === sport.id && c.status === 'rejected'));
  assert.equal((await mod.get('/api/v1/mod/search?site=nowhere')).status, 404);
});

test('the desk\'s people by site: those who wrote on the site, their comments there counted', async () => {
  const sport = (await mod.get('/api/v1/mod/sites')).json.sites.find((x) => x.slug === 'sport');
  const only = new Client(srv.url);
  const reg = await only.register('Olive Onlysport', 'olive@example.com');
  assert.equal(reg.status, 201, reg.text);
  await post(only, '/api/v1/articles/people-1/comments?site=sport', 'Only ever on the sport site.');
  await post(only, '/api/v1/articles/people-2/comments?site=sport', 'Again on the sport site.');
  const people = async (q) => {
    const res = await mod.get(`/api/v1/mod/users?limit=100${q}`);
    assert.equal(res.status, 200, res.text);
    return res.json.users;
  };
  const find = (list, name) => list.find((u) => u.name === name);
  const [all, onlySport, onlyDefault] = [await people(''), await people('&site=sport'), await people('&site=default')];
  assert.equal(find(all, 'Olive Onlysport').comments, 2);
  assert.equal(find(onlySport, 'Olive Onlysport').comments, 2);
  assert.equal(find(onlyDefault, 'Olive Onlysport'), undefined);
  // Rita wrote on both: each site counts its own comments.
  const rita = find(all, 'Rita Reader');
  assert.equal(find(onlySport, 'Rita Reader').comments + find(onlyDefault, 'Rita Reader').comments, rita.comments);
  assert.ok(find(onlySport, 'Rita Reader').comments > 0 && find(onlyDefault, 'Rita Reader').comments > 0);
  // Staff who never wrote are nobody's on a site; with the other filters.
  assert.equal(find(onlySport, 'Max Moderator'), undefined);
  assert.ok(find(all, 'Max Moderator'));
  assert.deepEqual((await people('&site=sport&q=olive')).map((u) => u.name), ['Olive Onlysport']);
  assert.deepEqual(await people('&site=default&q=olive'), []);
  assert.equal(sport.slug, 'sport');
  assert.equal((await mod.get('/api/v1/mod/users?site=nowhere')).status, 404);
});

test('a second node on the same database learns of a new site within seconds', async () => {
  const second = await startServer({ db, keepDb: true, env: { PARLEY_ALLOWED_ORIGINS: 'https://news.example' } });
  try {
    const page = new Client(second.url, { origin: 'https://late.example' });
    const read = () => page.get('/api/v1/articles/late-1/comments');
    assert.equal((await read()).headers.get('access-control-allow-origin'), null); // unknown yet: no CORS
    const made = await admin.post('/api/v1/mod/sites', { slug: 'late', name: 'Late', origins: ['https://late.example'] });
    assert.equal(made.status, 201, made.text);
    // The second node looks again at most every 2 s, when a request comes:
    // ask until it answers the new origin (bounded), pacing on its log.
    const deadline = Date.now() + 15000 * TIME_SCALE;
    let res;
    while ((res = await read()).headers.get('access-control-allow-origin') !== 'https://late.example') {
      assert.ok(Date.now() < deadline, `the second node never took the new site:\n${second.log()}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    assert.equal(res.status, 200);
    assert.match(second.log(), /msg="sites read" sites=3/);
  } finally {
    await second.stop();
  }
});

test('the desk\'s article list pages across sites: the cursor holds another site\'s article', async () => {
  // The newest article is a second site's: a page of one ends on it.
  await post(reader, '/api/v1/articles/page-last/comments?site=sport', 'The newest article is the sport site\'s.');
  const first = await mod.get('/api/v1/mod/articles?limit=1');
  assert.equal(first.status, 200, first.text);
  assert.equal(first.json.articles[0].id, 'page-last');
  assert.ok(first.json.articles[0].site > 1);
  assert.ok(first.json.next);
  const second = await mod.get(`/api/v1/mod/articles?limit=1&before=${encodeURIComponent(first.json.next)}`);
  assert.equal(second.status, 200, second.text);
  assert.notEqual(second.json.articles[0].id, 'page-last');

  // By site: one site's articles, or the default site's.
  const sport = await mod.get('/api/v1/mod/articles?limit=100&site=sport');
  assert.equal(sport.status, 200, sport.text);
  assert.ok(sport.json.articles.length >= 2);
  assert.ok(sport.json.articles.every((a) => a.site > 1), sport.text);
  assert.ok(sport.json.articles.some((a) => a.id === 'page-last'));
  const plain = await mod.get('/api/v1/mod/articles?limit=100&site=default');
  assert.ok(plain.json.articles.every((a) => a.site === undefined), plain.text);
  assert.ok(plain.json.articles.some((a) => a.id === 'old-1'));
  const all = await mod.get('/api/v1/mod/articles?limit=100');
  assert.equal(all.json.articles.length, sport.json.articles.length + plain.json.articles.length);
  assert.equal((await mod.get('/api/v1/mod/articles?site=nowhere')).status, 404);
});
