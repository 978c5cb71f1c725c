// tests/api/desk_settings.test.mjs: the site's settings edited in the desk
// (issue 15, item 3): admins only; every field checked with its own error;
// each save a new version on top of the one read (409 otherwise), logged
// with before and after; applied at once on the node that saved it, and on
// a second node on the same database (PostgreSQL: LISTEN/NOTIFY, with the
// second node's own look for a new version put off for an hour so only the
// notice can deliver it; SQLite: that look, every settings_poll_ms), and
// from the start on a node started later.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Client, startServer, createUser } from '../lib/server.mjs';
import { deskServer, post, logLine } from './desk_helpers.mjs';

let D;
const second = [];
before(async () => { D = await deskServer(); });
after(async () => {
  for (const s of second) await s.stop();
  await D.srv.stop();
});

const setting = (res, name) => res.json.settings.find((s) => s.name === name);

async function put(client, version, settings) {
  return client.put('/api/v1/mod/settings', { version, settings });
}

async function check(client, article, body) {
  const res = await client.post('/api/v1/check', { article_id: article, body });
  assert.equal(res.status, 200, res.text);
  return res.json;
}

test('only admins see and change the settings', async () => {
  const r = await D.reader('Rita');
  const anon = new Client(D.url);
  for (const c of [r, D.mod]) {
    for (const res of [await c.get('/api/v1/mod/settings'), await put(c, 0, { flag_threshold: 5 })]) {
      assert.equal(res.status, 403);
      assert.equal(res.json.error.code, 'forbidden');
    }
  }
  assert.equal((await anon.get('/api/v1/mod/settings')).status, 401);
  assert.equal((await put(anon, 0, {})).status, 401);
});

test('the list: every setting with its value, the config file\'s default and its bounds', async () => {
  const res = await D.admin.get('/api/v1/mod/settings');
  assert.equal(res.status, 200);
  assert.equal(res.json.version, 0);
  assert.equal(res.json.updated_at, null);
  assert.equal(res.json.updated_by, null);
  const slur = setting(res, 'policy.slur');
  assert.deepEqual([slur.type, slur.value, slur.default, slur.overridden], ['action', 'reject', 'reject', false]);
  assert.deepEqual(slur.choices, ['publish', 'hold', 'reject', 'off']);
  assert.deepEqual(setting(res, 'policy.unknown_language').choices, ['publish', 'hold']);
  const ft = setting(res, 'flag_threshold');
  assert.deepEqual([ft.type, ft.value, ft.min, ft.max], ['integer', 3, 1, 1000]);
  assert.equal(setting(res, 'moderation.hold_at').value, null, 'the model\'s own threshold');
  assert.equal(setting(res, 'premoderation.all').value, false);
  assert.ok(res.json.settings.every((s) => s.help.length > 10 && s.group));
  assert.equal(setting(res, 'policy.premoderated'), undefined, 'premoderated articles always hold');
});

test('every field is checked, each with its own error; nothing is stored', async () => {
  let res = await put(D.admin, 0, {
    'policy.slur': 'maybe', 'policy.unknown_language': 'reject', 'moderation.hold_at': 1.5,
    'moderation.reject_at': 'off', flag_threshold: 0, 'premoderation.all': 'yes', nope: 1, listen: '0:1',
  });
  assert.equal(res.status, 400);
  assert.equal(res.json.error.code, 'invalid_field');
  assert.equal(res.json.error.field, 'settings.policy.slur');
  const fields = Object.fromEntries(res.json.errors.map((e) => [e.field, e.message]));
  assert.deepEqual(Object.keys(fields).sort(), ['settings.flag_threshold', 'settings.listen', 'settings.moderation.hold_at',
    'settings.nope', 'settings.policy.slur', 'settings.policy.unknown_language', 'settings.premoderation.all']);
  assert.match(fields['settings.policy.unknown_language'], /publish or hold/);
  assert.match(fields['settings.moderation.hold_at'], /above 0 and at most 1/);
  assert.match(fields['settings.flag_threshold'], /from 1 to 1000/);
  assert.match(fields['settings.listen'], /not a setting that can be changed here/);

  for (const body of [{ settings: {} }, { version: -1, settings: {} }, { version: 0 }, { version: 0, settings: [] },
    { version: 0, settings: {}, extra: 1 }]) {
    res = await D.admin.put('/api/v1/mod/settings', body);
    assert.equal(res.status, 400, JSON.stringify(body));
  }
  assert.equal((await D.admin.get('/api/v1/mod/settings')).json.version, 0);
});

test('a change applies at once, is a new version, is logged with before and after; null goes back', async () => {
  const article = `settings-${Date.now()}`;
  const r = await D.reader('Sam');
  await post(r, article, 'The council should publish the budget figures before the vote.');
  const text = 'What a load of shit this budget is.';
  const was = await check(r, article, text);
  assert.notEqual(was.decision, 'publish', 'profanity is refused by default');

  let res = await put(D.admin, 0, { 'policy.profanity': 'off', flag_threshold: 7, 'moderation.reject_at': 'off' });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.version, 1);
  assert.equal(res.json.updated_by.name, 'Ada Admin');
  assert.ok(res.json.updated_at);
  assert.deepEqual([setting(res, 'policy.profanity').value, setting(res, 'policy.profanity').default,
    setting(res, 'policy.profanity').overridden], ['off', 'reject', true]);
  assert.equal(setting(res, 'flag_threshold').value, 7);
  assert.equal(setting(res, 'flag_threshold').default, 3);
  assert.ok(!(await check(r, article, text)).reasons.some((x) => x.rule === 'profanity'), 'applied before the answer');

  // Saving what is already there writes no version.
  res = await put(D.admin, 1, { flag_threshold: 7 });
  assert.equal(res.json.version, 1);

  // On top of an old version: 409, with the current one.
  res = await put(D.admin, 0, { flag_threshold: 9 });
  assert.equal(res.status, 409);
  assert.equal(res.json.error.code, 'conflict');
  assert.equal(res.json.error.field, 'version');

  const log = await D.admin.get('/api/v1/mod/log?limit=20');
  const lines = log.json.entries.filter((e) => e.action === 'setting');
  const about = (name) => JSON.parse(lines.find((e) => e.target_id === name).reason);
  assert.equal(lines.length, 3);
  assert.ok(lines.every((e) => e.target_type === 'setting' && e.actor.name === 'Ada Admin'));
  assert.deepEqual(about('policy.profanity'), { version: 1, before: null, after: 'off' });
  assert.deepEqual(about('flag_threshold'), { version: 1, before: null, after: 7 });

  res = await put(D.admin, 1, { 'policy.profanity': null, flag_threshold: 4 });
  assert.equal(res.status, 200);
  assert.equal(res.json.version, 2);
  assert.equal(setting(res, 'policy.profanity').overridden, false);
  assert.equal(setting(res, 'flag_threshold').value, 4);
  assert.equal(setting(res, 'moderation.reject_at').value, 'off', 'what the change did not name stays');
  assert.ok((await check(r, article, text)).reasons.some((x) => x.rule === 'profanity'));
  const again = (await D.admin.get('/api/v1/mod/log?limit=20')).json.entries.filter((e) => e.action === 'setting');
  assert.deepEqual(JSON.parse(again.find((e) => e.target_id === 'flag_threshold').reason), { version: 2, before: 7, after: 4 });
});

test('pre-moderation: every comment, a new reader\'s first comments, sensitive articles', async () => {
  const article = `premod-${Date.now()}`;
  const r = await D.reader('Pia');
  const cur = (await D.admin.get('/api/v1/mod/settings')).json.version;
  let res = await put(D.admin, cur, { 'premoderation.all': true });
  assert.equal(res.status, 200, res.text);
  const c = await post(r, article, 'I agree with the point about the bus timetable changes.');
  assert.equal(c.status, 'pending');
  let m = await check(r, article, 'Another calm remark about the timetable.');
  assert.equal(m.decision, 'hold');
  assert.ok(m.reasons.some((x) => x.rule === 'premoderated'));
  // Staff are not held by it.
  assert.equal((await post(D.mod, article, 'Thanks, we have asked the council for the new times.')).status, 'published');

  res = await put(D.admin, cur + 1, { 'premoderation.all': null, 'premoderation.first_comments': 2 });
  assert.equal(res.status, 200, res.text);
  const n = await D.reader('Nell');
  assert.equal((await post(n, article, 'My first comment here, about the timetable.')).status, 'pending');
  assert.equal((await post(n, article, 'My second comment, about the bus stops.')).status, 'pending');
  assert.equal((await post(n, article, 'My third comment, about the fares this year.')).status, 'published');

  // Sensitive articles only.
  res = await put(D.admin, cur + 2, { 'premoderation.first_comments': null, 'premoderation.sensitive': true });
  assert.equal(res.status, 200, res.text);
  assert.equal((await post(n, article, 'A fourth comment, on an ordinary article.')).status, 'published');
  const grave = `${article}-flood`;
  await post(n, grave, 'Thinking of everyone affected by the flood.');
  assert.equal((await D.mod.put(`/api/v1/articles/${grave}`, { sensitive: true })).status, 200);
  m = await check(n, grave, 'Thinking of the families tonight.');
  assert.equal(m.decision, 'hold');
  assert.match(m.reasons.find((x) => x.rule === 'premoderated').message, /this article/);
  res = await put(D.admin, cur + 3, { 'premoderation.sensitive': null });
  assert.equal(res.status, 200, res.text);
  assert.equal((await check(n, grave, 'Thinking of the families tonight.')).decision, 'publish');
});

test('a change on one node applies on a second; a node started later starts with it', async () => {
  const article = `nodes-${Date.now()}`;
  const r = await D.reader('Noor');
  await post(r, article, 'The new bridge design looks good for cyclists.');
  let cur = (await D.admin.get('/api/v1/mod/settings')).json.version;
  let res = await put(D.admin, cur, { 'premoderation.first_comments': null, 'premoderation.all': true });
  assert.equal(res.status, 200, res.text);
  cur = res.json.version;

  // On PostgreSQL the second node looks for a new version once an hour
  // (settings_poll_ms): within logLine's wait only the change notice
  // (notices_send_settings, LISTEN/NOTIFY) can bring it the change. On
  // SQLite there are no notices and that look is the only way.
  const pg = /^postgres(ql)?:\/\//.test(D.srv.dbUrl);
  const B = await startServer({ db: { url: D.srv.dbUrl, cleanup() {} }, env: pg ? { PARLEY_SETTINGS_POLL_MS: '3600000' } : {} });
  second.push(B);
  const rb = new Client(B.url);
  rb.cookie = r.cookie;
  assert.equal((await check(rb, article, 'A calm remark on the bridge.')).decision, 'hold', 'started with version ' + cur);

  res = await put(D.admin, cur, { 'premoderation.all': null });
  assert.equal(res.status, 200, res.text);
  await logLine(B, new RegExp(`msg="settings applied" version=${res.json.version}\\b`), 'the second node applying the change');
  assert.equal((await check(rb, article, 'A calm remark on the bridge.')).decision, 'publish');
});

test('the site\'s own words: blocked ones hold, allowed ones lift the engine\'s reason, and the preview counts', async () => {
  const article = `words-${Date.now()}`;
  const r = await D.reader('Wren');
  for (const body of ['Pineapple pizza is the best thing on the menu.', 'Who orders PINEAPPLE, pizza! at a derby?', 'Pineapplepizza is one word.'])
    await post(r, article, body);
  const swear = 'Holy shit, what a goal in the last minute.';
  const was = await check(r, article, swear);
  const prof = was.reasons.find((x) => x.rule === 'profanity');
  assert.ok(prof, `the engine objects: ${JSON.stringify(was)}`);

  // The preview before anything is saved: two of the three (whole words only).
  let res = await D.admin.post('/api/v1/mod/settings/preview', { settings: { 'words.block': ['pineapple pizza'], 'words.allow': ['holy shit'] } });
  assert.equal(res.status, 200, res.text);
  assert.ok(res.json.sample >= 3 && res.json.sample <= 1000);
  assert.deepEqual(res.json['words.block'], { now: 0, then: 2 });
  assert.deepEqual(res.json['words.allow'], { now: 0, then: 0 }, 'nothing held says holy shit');
  res = await D.admin.post('/api/v1/mod/settings/preview', { settings: { flag_threshold: 3 } });
  assert.equal(res.status, 200, 'any setting may be previewed');
  assert.equal(res.json.changed_total, 0, 'the flag threshold decides nothing about a new comment');
  res = await D.admin.post('/api/v1/mod/settings/preview', { settings: { 'words.block': ['ok', 'line\nbreak'] } });
  assert.equal(res.status, 400);
  assert.match(res.json.error.message, /entry 2/);
  assert.equal((await D.mod.post('/api/v1/mod/settings/preview', { settings: {} })).status, 403);

  const cur = (await D.admin.get('/api/v1/mod/settings')).json.version;
  res = await put(D.admin, cur, { 'words.block': ['pineapple pizza', 'Derby  Day'], 'words.allow': ['holy shit'] });
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(setting(res, 'words.block').value, ['pineapple pizza', 'Derby  Day']);
  assert.deepEqual(setting(res, 'words.block').default, []);
  let m = await check(r, article, 'I would never eat pineapple pizza.');
  assert.equal(m.decision, 'hold');
  assert.deepEqual(m.reasons.map((x) => [x.rule, x.excerpt]), [['site_words', 'pineapple pizza']]);
  assert.equal((await check(r, article, 'See you on derby day!')).decision, 'hold');
  assert.equal((await check(r, article, 'Pineapplepizza again.')).decision, 'publish', 'whole words only');
  m = await check(r, article, swear);
  assert.equal(m.decision, 'publish', JSON.stringify(m));
  assert.ok(!m.reasons.some((x) => x.rule === 'profanity'));
  assert.notEqual((await check(r, article, 'What a load of shit.')).decision, 'publish', 'only inside the allowed phrase');
  res = await D.admin.post('/api/v1/mod/settings/preview', { settings: { 'words.allow': null } });
  assert.deepEqual(res.json['words.block'], { now: 2, then: 2 });

  res = await put(D.admin, res.status === 200 ? cur + 1 : cur, { 'words.block': null, 'words.allow': null });
  assert.equal(res.status, 200, res.text);
  assert.equal((await check(r, article, 'I would never eat pineapple pizza.')).decision, 'publish');
});

test('the preview judges the newest comments with the settings in force and with a change; nothing is stored', async () => {
  const article = `preview-${Date.now()}`;
  const r = await D.reader('Pia');
  const posted = [];
  for (const body of ['The new bridge opens to cyclists next week, and the ferry keeps its Sunday service.',
    'Holy shit, the bridge finally opens.',
    'Pineapple pizza at the bridge party again.',
    'Go back to the sewer you crawled out of, nobody wants to read your garbage.']) {
    const res = await r.post(`/api/v1/articles/${article}/comments`, { body });
    assert.ok(res.status === 201 || res.status === 422, res.text);
    // A refused comment is stored for the moderators; its author finds its id in their list.
    const id = res.status === 201 ? res.json.comment.id : (await r.get('/api/v1/me/comments?limit=1')).json.comments[0].id;
    posted.push({ id, decision: res.json.moderation.decision });
  }
  const [calm, swear, pizza, sewer] = posted;
  assert.equal(calm.decision, 'publish');
  assert.equal(swear.decision, 'reject');
  assert.equal(pizza.decision, 'publish');
  assert.notEqual(sewer.decision, 'publish', 'the model objects to it');
  const now = { publish: 0, hold: 0, reject: 0 };
  for (const p of posted) now[p.decision]++;
  const version = (await D.admin.get('/api/v1/mod/settings')).json.version;
  const preview = async (settings, limit = 4) => {
    const res = await D.admin.post(`/api/v1/mod/settings/preview?limit=${limit}`, { version, settings });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.sample, 4);
    assert.deepEqual(res.json.decisions.now, now, 'the settings in force decide as the posts were decided');
    return res.json;
  };
  const changed = (p) => Object.fromEntries(p.changed.map((c) => [c.id, `${c.before}>${c.after}`]));

  // A rule's policy and the site's words.
  let p = await preview({ 'policy.profanity': 'hold', 'words.block': ['pineapple pizza'] });
  assert.deepEqual(changed(p), { [swear.id]: 'reject>hold', [pizza.id]: 'publish>hold' });
  assert.equal(p.changed_total, 2);
  assert.deepEqual(p.decisions.then, { publish: now.publish - 1, hold: now.hold + 2, reject: now.reject - 1 });
  const c = p.changed.find((x) => x.id === pizza.id);
  assert.deepEqual([c.article_id, c.author, c.excerpt, c.rules_before, c.rules_after],
    [article, 'Pia', 'Pineapple pizza at the bridge party again.', [], ['site_words']]);
  assert.deepEqual(p['words.block'], { now: 0, then: 1 });

  // The model's thresholds.
  p = await preview({ 'moderation.hold_at': 0.999, 'moderation.reject_at': 'off' });
  assert.deepEqual(changed(p), { [sewer.id]: `${sewer.decision}>publish` });

  // Pre-moderation of a reader's first comments counts the comments before each one.
  p = await preview({ 'premoderation.first_comments': 2 });
  assert.deepEqual(changed(p), { [calm.id]: 'publish>hold' }, 'the third comment is not among the first two');
  p = await preview({ 'premoderation.all': true });
  assert.deepEqual(changed(p), { [calm.id]: 'publish>hold', [pizza.id]: 'publish>hold' });

  // The default sample, and bounds.
  let res = await D.admin.post('/api/v1/mod/settings/preview', { settings: {} });
  assert.equal(res.status, 200, res.text);
  assert.ok(res.json.sample >= 4 && res.json.sample <= 1000);
  assert.deepEqual(res.json.decisions.now, res.json.decisions.then);
  assert.deepEqual(res.json.changed, []);
  for (const limit of ['0', '5001', 'x']) {
    res = await D.admin.post(`/api/v1/mod/settings/preview?limit=${limit}`, { settings: {} });
    assert.equal(res.status, 400);
    assert.equal(res.json.error.field, 'limit');
  }
  res = await D.admin.post('/api/v1/mod/settings/preview', { settings: { flag_threshold: 0, listen: '0.0.0.0:1' } });
  assert.equal(res.status, 400);
  assert.deepEqual(res.json.errors.map((e) => e.field).sort(), ['settings.flag_threshold', 'settings.listen']);
  res = await D.admin.post('/api/v1/mod/settings/preview', { settings: [] });
  assert.equal(res.status, 400);
  assert.equal(res.json.error.field, 'settings');
  assert.equal((await D.mod.post('/api/v1/mod/settings/preview', { settings: {} })).status, 403);
  assert.equal((await new Client(D.url).post('/api/v1/mod/settings/preview', { settings: {} })).status, 401);

  // Nothing was stored or put in force.
  assert.equal((await D.admin.get('/api/v1/mod/settings')).json.version, version);
  assert.equal((await check(await D.reader('Quin'), article, 'I had pineapple pizza for lunch.')).decision, 'publish');
});

test('the preview reads what came before its sample: the author\'s earlier comments repeat and count', async () => {
  const article = `preview-before-${Date.now()}`;
  const r = await D.reader('Rex');
  const body = 'The ferry timetable changes on Monday, so check it before you travel to the island.';
  const first = await r.post(`/api/v1/articles/${article}/comments`, { body });
  assert.equal(first.status, 201, first.text);
  assert.equal(first.json.moderation.decision, 'publish');
  const again = await r.post(`/api/v1/articles/${article}/comments`, { body });
  assert.ok(again.status === 201 || again.status === 422, again.text);
  const dec = again.json.moderation.decision;
  assert.notEqual(dec, 'publish', 'the same comment again is spam');
  // A sample of one: the repeat, whose earlier twin is outside it.
  const preview = async (settings) => {
    const res = await D.admin.post('/api/v1/mod/settings/preview?limit=1', { settings });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.sample, 1);
    assert.equal(res.json.decisions.now[dec], 1, 'the comment before the sample makes this one a repeat');
    return res.json.decisions.then;
  };
  // With spam published, only the count of the comments before it is left.
  assert.equal((await preview({ 'policy.spam': 'publish' })).publish, 1);
  assert.equal((await preview({ 'policy.spam': 'publish', 'premoderation.first_comments': 1 })).publish, 1);
  assert.equal((await preview({ 'policy.spam': 'publish', 'premoderation.first_comments': 2 })).hold, 1,
    'one comment before it: the second of the first two');
});

test('the preview is rate-limited per admin', async () => {
  const srv = await startServer({ rateLimit: 'on' });
  second.push(srv);
  createUser(srv.dbUrl, { email: 'boss@example.com', name: 'Bo Boss', role: 'admin' });
  const admin = new Client(srv.url);
  await admin.login('boss@example.com');
  // Each try takes a token before its body is read, so refused bodies (cheap) use the burst up.
  for (let i = 0; i < 5; i++) assert.equal((await admin.post('/api/v1/mod/settings/preview', {})).status, 400);
  const res = await admin.post('/api/v1/mod/settings/preview', { settings: {} });
  assert.equal(res.status, 429);
  assert.equal(res.json.error.code, 'rate_limited');
  assert.ok(Number(res.headers.get('retry-after')) >= 1);
});

test('guidelines, terms and FAQ: Markdown edited here replaces the page at once; preview renders without storing', async () => {
  const anon = new Client(D.url);
  const before = await anon.get('/guidelines');
  assert.equal(before.status, 200);
  assert.doesNotMatch(before.text, /Be kind to the river folk/);

  let res = await D.admin.post('/api/v1/mod/pages/preview', { markdown: '# Our rules\n\nBe *kind*.\n\n<script>alert(1)</script>' });
  assert.equal(res.status, 200);
  assert.match(res.json.html, /<h2>Our rules<\/h2>/, "the page's own h1 is its title");
  assert.match(res.json.html, /<em>kind<\/em>/);
  assert.doesNotMatch(res.json.html, /<script/);
  assert.equal((await D.mod.post('/api/v1/mod/pages/preview', { markdown: 'x' })).status, 403);
  assert.equal((await D.admin.post('/api/v1/mod/pages/preview', { markdown: 'x'.repeat(50001) })).status, 413);

  const cur = (await D.admin.get('/api/v1/mod/settings')).json.version;
  res = await put(D.admin, cur, { 'pages.guidelines': '# House rules\n\nBe kind to the river folk.' });
  assert.equal(res.status, 200, res.text);
  const page = await anon.get('/guidelines');
  assert.match(page.text, /<h2>House rules<\/h2>/);
  assert.match(page.text, /Be kind to the river folk\./);
  const log = (await D.admin.get('/api/v1/mod/log?action=setting&limit=5')).json.entries;
  assert.deepEqual(JSON.parse(log.find((e) => e.target_id === 'pages.guidelines').reason).after, '# House rules\n\nBe kind to the river folk.');
  res = await put(D.admin, cur + 1, { 'pages.guidelines': 'y'.repeat(50001) });
  assert.equal(res.status, 400);
  assert.equal(res.json.error.field, 'settings.pages.guidelines');

  res = await put(D.admin, cur + 1, { 'pages.guidelines': null });
  assert.equal(res.status, 200);
  assert.doesNotMatch((await anon.get('/guidelines')).text, /river folk/);
});

test('GET /guide: the widget\'s line of guidelines follows the policy and pre-moderation', async () => {
  const anon = new Client(D.url);
  let g = (await anon.get('/api/v1/guide')).json;
  assert.deepEqual(g.rules, ['profanity', 'vulgarity', 'slur', 'personal_attack', 'harassment', 'identity_hate', 'tragedy_joke', 'spam'],
    'off_topic publishes by default, so the line does not name it');
  assert.deepEqual(g.premoderation, { all: false, sensitive: false, first_comments: 0 });
  const cur = (await D.admin.get('/api/v1/mod/settings')).json.version;
  let res = await put(D.admin, cur, { 'policy.profanity': 'publish', 'policy.off_topic': 'hold', 'policy.spam': 'off', 'premoderation.first_comments': 3 });
  assert.equal(res.status, 200, res.text);
  g = (await anon.get('/api/v1/guide')).json;
  assert.deepEqual(g.rules, ['vulgarity', 'slur', 'personal_attack', 'harassment', 'identity_hate', 'tragedy_joke', 'off_topic']);
  assert.deepEqual(g.premoderation, { all: false, sensitive: false, first_comments: 3 });
  res = await put(D.admin, cur + 1, { 'policy.profanity': null, 'policy.off_topic': null, 'policy.spam': null, 'premoderation.first_comments': null });
  assert.equal(res.status, 200, res.text);
  assert.equal((await anon.get('/api/v1/guide')).json.rules.length, 8);
});

// flags_per_hour from the desk: in force for the next flag, and the file's
// value again once reset.
test('flags_per_hour set in the desk limits a reader\'s flags at once', async () => {
  const article = `flagrate-${Date.now()}`;
  const w = await D.reader('Wilma');
  const ids = [];
  for (const body of ['The ferry timetable changed again.', 'Parking by the harbour is free on Sundays.', 'The library opens late on Thursdays.'])
    ids.push((await post(w, article, body)).id);
  const f = await D.reader('Flavia', { established: true });
  let cur = (await D.admin.get('/api/v1/mod/settings')).json.version;
  let res = await put(D.admin, cur, { flags_per_hour: 2 });
  assert.equal(res.status, 200, res.text);
  assert.equal(setting(res, 'flags_per_hour').value, 2);
  cur = res.json.version;
  for (const id of ids.slice(0, 2)) {
    res = await f.post(`/api/v1/comments/${id}/flags`, { reason: 'off_topic' });
    assert.equal(res.status, 201, res.text);
  }
  res = await f.post(`/api/v1/comments/${ids[2]}/flags`, { reason: 'off_topic' });
  assert.equal(res.status, 429, 'the third flag in the hour');
  assert.equal(res.json.error.code, 'rate_limited');
  assert.equal(res.headers.get('retry-after'), '3600');

  res = await put(D.admin, cur, { flags_per_hour: null });
  assert.equal(res.status, 200, res.text);
  assert.equal(setting(res, 'flags_per_hour').value, 20, 'the file\'s default again');
  res = await f.post(`/api/v1/comments/${ids[2]}/flags`, { reason: 'off_topic' });
  assert.equal(res.status, 201, res.text);
});
