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
  // Said on one site too: a second site may be added while the page is cached (tests/api/vary.test.mjs).
  assert.match(page.headers.get('vary') || '', /\bOrigin\b/);
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

// The write steps of flags and of automatic suspension run on the writer
// after their request has returned; they read the site's numbers they were
// given (or read them under the layer's lock), never a config that a save
// frees meanwhile (docs/SITES.md, "Memory"). Saves race the flags and the
// decisions here; under AddressSanitizer a freed config read would abort.
test('flags and automatic suspension read a site\'s settings while saves replace them', async () => {
  const author = await D.reader('Ali');
  const flaggers = [];
  for (let i = 0; i < 3; i++) flaggers.push(await D.reader(`Flo${i}`, { established: true }));
  let v = (await D.admin.get('/api/v1/mod/settings?site=sport')).json.version;
  let res = await put(D.admin, v, { flag_threshold: 100, auto_suspend_after: 1, auto_suspend_hours: 5 });
  assert.equal(res.status, 200, res.text);
  v = res.json.version;
  const posts = [];
  for (let i = 0; i < 6; i++) {
    const p = await author.post('/api/v1/articles/relay/comments?site=sport', { body: `Leg ${i} of the relay was the fastest this season.` });
    assert.equal(p.status, 201, p.text);
    posts.push(p.json.comment);
  }
  const victim = await D.reader('Vic');
  const bad = await victim.post('/api/v1/articles/relay/comments?site=sport', { body: 'The anchor leg ran well today.' });
  assert.equal(bad.status, 201, bad.text);

  // Ten saves of the site's settings (each replaces every site's config)
  // while the flags and a moderator's rejection are written.
  const saves = (async () => {
    for (let i = 0; i < 10; i++) {
      const r = await put(D.admin, v, { flag_threshold: 100 + (i % 2), auto_suspend_after: 1, auto_suspend_hours: 5 });
      assert.equal(r.status, 200, r.text);
      v = r.json.version;
    }
  })();
  const flags = Promise.all(posts.flatMap((c) => flaggers.map((f) => f.post(`/api/v1/comments/${c.id}/flags`, { reason: 'other' }))));
  const reject = D.mod.post(`/api/v1/mod/comments/${bad.json.comment.id}/decision`, { action: 'reject', reason: 'test' });
  const [, flagged, rejected] = await Promise.all([saves, flags, reject]);
  assert.ok(flagged.every((f) => f.status === 201), flagged.map((f) => f.status).join(','));
  assert.equal(rejected.status, 200, rejected.text);
  // The site's threshold (100 or 101) held every comment up; its suspension
  // (after 1 refusal, for 5 hours, not the server's 24) applied.
  const shown = (await new Client(D.url).get('/api/v1/articles/relay/comments?site=sport&limit=50')).json.comments.map((c) => c.id);
  for (const c of posts) assert.ok(shown.includes(c.id), `comment ${c.id} stays up`);
  const log = (await D.admin.get('/api/v1/mod/log')).json.entries;
  const suspended = log.find((e) => e.action === 'auto_suspend' && e.target_id === String(victim.user.id));
  assert.ok(suspended, JSON.stringify(log.slice(0, 5)));
  assert.match(suspended.reason, /suspended for 5 hours/);
  // Given back for the tests after this one.
  res = await put(D.admin, v, { flag_threshold: null, auto_suspend_after: null, auto_suspend_hours: null });
  assert.equal(res.status, 200, res.text);
});

// POST /mod/settings/preview?site=SLUG (docs/SITES.md): a change of a
// site's own settings is judged on that site's newest comments, with the
// server's settings in force under the site's, as a save would apply them.
test('the preview of a site\'s settings judges that site\'s newest comments with its settings', async () => {
  const made = await D.admin.post('/api/v1/mod/sites', { slug: 'club', name: 'Club news' });
  assert.equal(made.status, 201, made.text);
  const club = made.json.site;
  const r = await D.reader('Pat');
  const posted = {};
  for (const [name, site, body] of [['keeper', 'club', 'The keeper saved a penalty in the last minute.'],
    ['pies', 'club', 'The pineapple stand at the ground sold out before kick-off.'],
    ['swear', 'club', 'Holy shit, what a goal from the winger.'],
    ['canteen', null, 'The pineapple at the canteen was fresh today.']]) {
    const res = await r.post(`/api/v1/articles/cup/comments${site ? `?site=${site}` : ''}`, { body });
    assert.ok(res.status === 201 || res.status === 422, res.text);
    const id = res.status === 201 ? res.json.comment.id : (await r.get('/api/v1/me/comments?limit=1')).json.comments[0].id;
    posted[name] = { id, decision: res.json.moderation.decision };
  }
  assert.equal(posted.swear.decision, 'reject', 'the server\'s policy, which the club follows');
  const preview = async (settings, site = 'club') => {
    const res = await D.admin.post(`/api/v1/mod/settings/preview?limit=50${site ? `&site=${site}` : ''}`, { settings });
    assert.equal(res.status, 200, res.text);
    return res.json;
  };
  const changed = (p) => Object.fromEntries(p.changed.map((c) => [c.id, `${c.before}>${c.after}`]));

  // The site's words: only the club's comments are the sample.
  let p = await preview({ 'words.block': ['pineapple'] });
  assert.equal(p.site, club.id);
  assert.equal(p.sample, 3, 'the club\'s three comments, not the default site\'s');
  assert.deepEqual(p.decisions.now, { publish: 2, hold: 0, reject: 1 });
  assert.deepEqual(changed(p), { [posted.pies.id]: 'publish>hold' });
  assert.deepEqual([p.changed[0].article_id, p.changed[0].site], ['cup', club.id], 'the article as the API names it');
  assert.deepEqual(p['words.block'], { now: 0, then: 1 });
  // The server's preview of the same change takes every site's comments.
  const all = await preview({ 'words.block': ['pineapple'] }, null);
  assert.equal(all.site, undefined);
  const canteen = all.changed.find((c) => c.id === posted.canteen.id);
  assert.ok(canteen, 'the default site\'s comment is in the server\'s sample');
  assert.deepEqual([canteen.article_id, canteen.site], ['cup', undefined]);

  // An engine setting of the site's own: its engine is derived for the preview.
  p = await preview({ 'policy.profanity': 'publish' });
  assert.deepEqual(changed(p), { [posted.swear.id]: 'reject>publish' });

  // Once saved, the site's settings are the ones in force ("now"), and
  // null gives one back to the server's.
  const v = (await D.admin.get('/api/v1/mod/settings?site=club')).json.version;
  const saved = await put(D.admin, v, { 'words.block': ['pineapple'] }, 'club');
  assert.equal(saved.status, 200, saved.text);
  p = await preview({ 'words.block': null });
  assert.deepEqual(p.decisions.now, { publish: 1, hold: 1, reject: 1 });
  assert.deepEqual(changed(p), { [posted.pies.id]: 'hold>publish' });
  // Nothing was stored by the previews.
  assert.equal((await D.admin.get('/api/v1/mod/settings?site=club')).json.version, v + 1);

  // Refusals: a bad value names its setting, an unknown site is 404, a
  // moderator may not preview, and the default site's slug is the server's.
  let res = await D.admin.post('/api/v1/mod/settings/preview?site=club', { settings: { 'moderation.hold_at': 2 } });
  assert.equal(res.status, 400);
  assert.equal(res.json.error.field, 'settings.moderation.hold_at');
  res = await D.admin.post('/api/v1/mod/settings/preview?site=nowhere', { settings: {} });
  assert.equal(res.status, 404);
  assert.equal(res.json.error.code, 'site_not_found');
  res = await D.mod.post('/api/v1/mod/settings/preview?site=club', { settings: {} });
  assert.equal(res.status, 403);
  res = await D.admin.post('/api/v1/mod/settings/preview?site=default&limit=50', { settings: {} });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.site, undefined);
  assert.ok(res.json.sample >= 4);
  res = await put(D.admin, v + 1, { 'words.block': null }, 'club');
  assert.equal(res.status, 200, res.text);
});

// The preview of a site's settings reads each author's comments before
// theirs in the sample as a POST reads them, whatever the author wrote on
// other sites after: here a repeat on the rowing site, then 52 comments
// on the default site, newer than it and more than the preview's first
// read of the author holds (the newest 51 beside the sample's one).
test('a site\'s preview finds a repeat behind the author\'s newer comments on other sites', async () => {
  const made = await D.admin.post('/api/v1/mod/sites', { slug: 'rowing', name: 'Rowing club' });
  assert.equal(made.status, 201, made.text);
  const r = await D.reader('Rowan');
  const body = 'The regatta starts at nine, so bring the boats down to the slipway early.';
  const first = await r.post('/api/v1/articles/regatta/comments?site=rowing', { body });
  assert.equal(first.status, 201, first.text);
  assert.equal(first.json.moderation.decision, 'publish');
  const again = await r.post('/api/v1/articles/regatta/comments?site=rowing', { body });
  assert.ok(again.status === 201 || again.status === 422, again.text);
  const dec = again.json.moderation.decision;
  assert.notEqual(dec, 'publish', 'the same comment again is spam');
  assert.ok(again.json.moderation.reasons.some((x) => x.rule === 'spam'), again.text);
  const colours = ['red', 'green', 'blue', 'grey'], animals = ['heron', 'otter', 'swan', 'trout'];
  const places = ['weir', 'lock', 'bridge', 'meadow'];
  for (let i = 0; i < 52; i++) {
    const text = `The ${colours[i % 4]} ${animals[(i >> 2) % 4]} by the ${places[(i >> 4) % 4]} was seen on walk ${['one', 'two', 'three', 'four'][i % 4]}.`;
    const res = await r.post('/api/v1/articles/towpath/comments', { body: text });
    assert.ok(res.status === 201 || res.status === 422, res.text);
  }
  const res = await D.admin.post('/api/v1/mod/settings/preview?site=rowing&limit=1', { settings: { 'policy.spam': 'publish' } });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.sample, 1);
  assert.equal(res.json.decisions.now[dec], 1, 'the settings in force decide the repeat as its POST was decided');
  assert.equal(res.json.decisions.then.publish, 1);
  assert.equal(res.json.changed.length, 1);
  assert.ok(res.json.changed[0].rules_before.includes('spam'), JSON.stringify(res.json.changed[0]));
});
