// tests/api/site_settings.test.mjs: each site's own settings (issue 15,
// item 6; docs/SITES.md, "A site's own settings"): a site's policy, words
// and flag threshold judge its comments only; a site's guidelines,
// terms and FAQ replace the server's for that site's pages and the widget
// links them; a site without its own text shows the server's; the server's
// settings stay what they were (a one-site server answers as before);
// admins only, versioned per site, logged with the site, applied on a
// second node.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Client, startServer } from '../lib/server.mjs';
import { deskServer, logLine } from './desk_helpers.mjs';

let D, sport;
const second = [];
before(async () => { D = await deskServer(); });
after(async () => {
  for (const s of second) await s.stop();
  await D.srv.stop();
});

const setting = (res, name) => res.json.settings.find((s) => s.name === name);
const put = (client, version, settings, site = 'sport') => client.put(`/api/v1/mod/settings${site ? `?site=${site}` : ''}`, { version, settings });

test('a one-site server: the guide and the pages are the server\'s, named or not', async () => {
  const anon = new Client(D.url);
  const guide = await anon.get('/api/v1/guide');
  assert.equal(guide.status, 200);
  assert.equal(guide.json.site, undefined);
  assert.equal((await anon.get('/api/v1/guide?site=default')).text, guide.text);
  const page = await anon.get('/guidelines');
  assert.equal(page.status, 200);
  assert.doesNotMatch(page.headers.get('vary') || '', /Origin/, 'one site: nothing varies with the Origin');
  assert.equal((await anon.get('/guidelines?site=default')).text, page.text);
  const unknown = await anon.get('/guidelines?site=nowhere');
  assert.equal(unknown.status, 404);
  assert.equal((await anon.get('/api/v1/guide?site=nowhere')).json.error.code, 'site_not_found');
  // The server's settings answer without a site field.
  const s = await D.admin.get('/api/v1/mod/settings');
  assert.equal(s.status, 200);
  assert.equal(s.json.site, undefined);
  assert.equal((await D.admin.get('/api/v1/mod/settings?site=default')).text, s.text);
});

test('a site\'s own guidelines: its pages, the widget\'s link, the server\'s text where it has none', async () => {
  const made = await D.admin.post('/api/v1/mod/sites', { slug: 'sport', name: 'Sport desk', origins: ['https://sport.example'] });
  assert.equal(made.status, 201, made.text);
  sport = made.json.site;

  // Every setting, each defaulting to the server's.
  let res = await D.admin.get('/api/v1/mod/settings?site=sport');
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.site, sport.id);
  assert.equal(res.json.version, 0);
  assert.deepEqual(res.json.settings.map((x) => x.name), (await D.admin.get('/api/v1/mod/settings')).json.settings.map((x) => x.name));
  assert.equal(setting(res, 'pages.guidelines').overridden, false);

  // The server's own terms, which the site keeps.
  const server = (await D.admin.get('/api/v1/mod/settings')).json.version;
  res = await put(D.admin, server, { 'pages.terms': '# House terms\n\nThe server-wide terms.' }, null);
  assert.equal(res.status, 200, res.text);
  res = await D.admin.get('/api/v1/mod/settings?site=sport');
  assert.equal(setting(res, 'pages.terms').default, '# House terms\n\nThe server-wide terms.');

  res = await put(D.admin, 0, { 'pages.guidelines': '# Sport rules\n\nNo diving in the comments.' });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.version, 1);
  assert.equal(res.json.site, sport.id);
  assert.equal(setting(res, 'pages.guidelines').overridden, true);
  assert.equal(setting(res, 'pages.guidelines').value, '# Sport rules\n\nNo diving in the comments.');

  const anon = new Client(D.url);
  const own = await anon.get('/guidelines?site=sport');
  assert.equal(own.status, 200);
  assert.match(own.text, /No diving in the comments/);
  assert.match(own.headers.get('vary'), /\bOrigin\b/);
  const fromPage = await anon.get('/guidelines', { origin: 'https://sport.example' });
  assert.match(fromPage.text, /No diving in the comments/, 'the Origin decides without site=');
  const server1 = await anon.get('/guidelines');
  assert.doesNotMatch(server1.text, /No diving/, 'the default site keeps the server\'s page');
  // The site has no terms of its own: the server's.
  assert.match((await anon.get('/terms?site=sport')).text, /The server-wide terms/);
  assert.equal((await anon.get('/faq?site=sport')).text, (await anon.get('/faq')).text);

  // The widget's guide names the site so that it links the site's pages.
  const g = await anon.get('/api/v1/guide?site=sport');
  assert.equal(g.status, 200);
  assert.equal(g.json.site, 'sport');
  assert.equal((await anon.get('/api/v1/guide', { origin: 'https://sport.example' })).json.site, 'sport');
  assert.equal((await anon.get('/api/v1/guide')).json.site, undefined);
  // A page of one site cannot name another.
  assert.equal((await anon.get('/api/v1/guide?site=default', { origin: 'https://sport.example' })).status, 403);
  assert.equal((await anon.get('/guidelines?site=default', { origin: 'https://sport.example' })).status, 404);

  // Back to the server's text.
  res = await put(D.admin, 1, { 'pages.guidelines': null });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.version, 2);
  assert.equal(setting(res, 'pages.guidelines').overridden, false);
  assert.equal((await anon.get('/guidelines?site=sport')).text, (await anon.get('/guidelines')).text);
});

test('a site\'s settings: admins only, checked, versioned per site, logged with the site', async () => {
  for (const c of [D.mod, await D.reader('Rita')]) {
    assert.equal((await c.get('/api/v1/mod/settings?site=sport')).status, 403);
    assert.equal((await put(c, 2, { 'pages.faq': 'x' })).status, 403);
  }
  let res = await D.admin.get('/api/v1/mod/settings?site=nowhere');
  assert.equal(res.status, 404);
  assert.equal(res.json.error.code, 'site_not_found');
  res = await put(D.admin, 1, { 'pages.faq': '# Sport FAQ' });
  assert.equal(res.status, 409, 'the site is at version 2');
  res = await put(D.admin, 2, { 'pages.faq': 42 });
  assert.equal(res.status, 400);
  assert.equal(res.json.error.field, 'settings.pages.faq');

  // The server's version is its own: a site's save does not move it.
  const server = (await D.admin.get('/api/v1/mod/settings')).json.version;
  res = await put(D.admin, 2, { 'pages.faq': '# Sport FAQ\n\nWhen is the match thread open? Always.' });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.version, 3);
  assert.equal((await D.admin.get('/api/v1/mod/settings')).json.version, server);
  assert.match((await new Client(D.url).get('/faq?site=sport')).text, /When is the match thread open/);

  const log = (await D.admin.get('/api/v1/mod/log?action=setting&limit=5')).json.entries;
  const e = log.find((x) => x.target_id === 'pages.faq');
  assert.ok(e, JSON.stringify(log));
  const reason = JSON.parse(e.reason);
  assert.equal(reason.site, sport.id);
  assert.equal(reason.version, 3);
  assert.equal(reason.before, null);
  assert.match(reason.after, /Sport FAQ/);
  // The server's own changes are logged as before, without a site.
  assert.equal(JSON.parse(log.find((x) => x.target_id === 'pages.terms').reason).site, undefined);
});

test('a site\'s change applies on a second node; a node started later starts with it', async () => {
  const B = await startServer({ db: { url: D.srv.dbUrl, cleanup() {} } });
  second.push(B);
  const anonB = new Client(B.url);
  assert.match((await anonB.get('/faq?site=sport')).text, /When is the match thread open/, 'started with the site\'s text');

  const res = await put(D.admin, 3, { 'pages.faq': '# Sport FAQ\n\nThe match thread opens at kick-off.' });
  assert.equal(res.status, 200, res.text);
  await logLine(B, new RegExp(`msg="settings applied" version=\\d+ sites="[^"]*\\b${sport.id}:4\\b`), 'the second node applying the site\'s change');
  assert.match((await anonB.get('/faq?site=sport')).text, /opens at kick-off/);
});

test('a site\'s own moderation: its policy, words and flag threshold judge its comments only', async () => {
  const r = await D.reader('Sid');
  const flagger = await D.reader('Fay', { established: true });
  const swear = 'Holy shit, what a goal in the last minute.';
  const check = async (site, body) => {
    const res = await r.post(`/api/v1/check${site ? `?site=${site}` : ''}`, { article_id: 'derby', body });
    assert.equal(res.status, 200, res.text);
    return res.json;
  };
  assert.equal((await check(null, swear)).decision, 'reject');
  assert.equal((await check('sport', swear)).decision, 'reject', 'the server\'s policy until the site has its own');

  // Every setting may be the site's own, each defaulting to the server's value in force.
  let res = await D.admin.get('/api/v1/mod/settings?site=sport');
  assert.ok(res.json.settings.some((x) => x.name === 'policy.slur'));
  assert.equal(setting(res, 'policy.profanity').default, 'reject');
  const cur = res.json.version;
  res = await put(D.admin, cur, { 'moderation.hold_at': 2 });
  assert.equal(res.status, 400);
  assert.equal(res.json.error.field, 'settings.moderation.hold_at');
  res = await put(D.admin, cur, { 'policy.profanity': 'publish', 'words.block': ['offside trap'], flag_threshold: 1 });
  assert.equal(res.status, 200, res.text);
  assert.equal(setting(res, 'policy.profanity').value, 'publish');
  assert.equal(setting(res, 'policy.profanity').overridden, true);

  // The site's engine judges its comments; the server's, the others'.
  assert.equal((await check('sport', swear)).decision, 'publish');
  assert.equal((await check(null, swear)).decision, 'reject');
  const held = await check('sport', 'They played the offside trap all afternoon.');
  assert.equal(held.decision, 'hold');
  assert.deepEqual(held.reasons.map((x) => x.rule), ['site_words']);
  assert.equal((await check(null, 'They played the offside trap all afternoon.')).decision, 'publish');
  let post = await r.post('/api/v1/articles/derby/comments?site=sport', { body: swear });
  assert.equal(post.status, 201, post.text);
  const onSport = post.json.comment;
  post = await r.post('/api/v1/articles/derby/comments', { body: swear });
  assert.equal(post.status, 422);
  assert.equal(post.json.error.code, 'guideline_violation');
  // The widget's line follows the site's policy.
  assert.ok(!(await new Client(D.url).get('/api/v1/guide?site=sport')).json.rules.includes('profanity'));
  assert.ok((await new Client(D.url).get('/api/v1/guide')).json.rules.includes('profanity'));

  // The site's flag threshold: one established reader's flag hides its comment, not the server's.
  post = await r.post('/api/v1/articles/derby/comments', { body: 'The referee had a fine game today.' });
  assert.equal(post.status, 201, post.text);
  const onDefault = post.json.comment;
  for (const c of [onSport, onDefault])
    assert.equal((await flagger.post(`/api/v1/comments/${c.id}/flags`, { reason: 'other' })).status, 201);
  const shown = async (site) => (await new Client(D.url).get(`/api/v1/articles/derby/comments${site ? `?site=${site}` : ''}`)).json.comments.map((c) => c.id);
  assert.ok(!(await shown('sport')).includes(onSport.id), 'hidden at the site\'s threshold of 1');
  assert.ok((await shown(null)).includes(onDefault.id), 'the server\'s threshold is higher');

  // Given back, the server's policy applies again.
  res = await put(D.admin, cur + 1, { 'policy.profanity': null, 'words.block': null, flag_threshold: null });
  assert.equal(res.status, 200, res.text);
  assert.equal((await check('sport', swear)).decision, 'reject');
});
