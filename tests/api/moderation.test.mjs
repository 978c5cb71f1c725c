// tests/api/moderation.test.mjs: the moderation engine behind the API.
//
// Refused comments get 422 with reasons and are kept for moderators; held
// ones wait (visible to their author); POST /check stores nothing; an
// off-topic comment is published and queued for review; a refused edit
// leaves the comment as it was; repeated refusals suspend the author; the
// author's recent comments (aged in the database, the clock being the only
// thing faked) make a repeat spam within the repeat window only, and
// attacks on the same person over the day harassment.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startServer, Client, BIN } from '../lib/server.mjs';
import { configFile, cast } from '../lib/api.mjs';
import { sql } from './desk_helpers.mjs';

let srv, alice, bob, mod, anon;

before(async () => {
  srv = await startServer();
  ({ alice, bob, mod, anon } = await cast(srv));
});

after(async () => {
  const r = await srv.stop();
  assert.equal(r.code, 0, srv.log());
  assert.doesNotMatch(srv.log(), /AddressSanitizer|runtime error/);
});

const post = (c, art, body, extra = {}) => c.post(`/api/v1/articles/${art}/comments`, { body, ...extra });

// Moves a comment back in time by ms.
const age = (id, ms) => sql(srv.dbUrl, `UPDATE comments SET created_at = created_at - ${ms} WHERE id = ${id}`);
const WINDOW = 600000; // moderation.repeat_window_s, 600 by default
const rules = (r) => r.json.moderation.reasons.map((x) => x.rule).sort();

test('the same comment again is spam within the repeat window and published just outside it', async () => {
  const rita = new Client(srv.url);
  assert.equal((await rita.register('Rita Repeat', 'rita.repeat@example.com')).status, 201);
  const text = 'The consultation on the bypass closes on Friday, send your views in.';
  const first = await post(rita, 'm-repeat', text);
  assert.equal(first.json.comment.status, 'published', first.text);
  // Posted nine minutes ago: the same words, however spaced and shouted, are a repeat.
  age(first.json.comment.id, WINDOW - 60000);
  const again = await post(rita, 'm-repeat', text.toUpperCase().replace(/ /g, '   '));
  assert.equal(again.status, 201, again.text);
  assert.equal(again.json.comment.status, 'pending');
  assert.deepEqual(rules(again), ['spam']);
  assert.match(again.json.moderation.reasons[0].message, /same comment a few minutes ago/);
  // Both just outside the window (by a second): published.
  age(first.json.comment.id, 61000);
  age(again.json.comment.id, WINDOW + 1000);
  const later = await post(rita, 'm-repeat', text);
  assert.equal(later.json.comment.status, 'published', later.text);
  assert.deepEqual(rules(later), []);
});

test('each comment stores its repeat key: a repeat is caught across an edit, from a comment without a key, and not outside the window', async () => {
  const rosa = new Client(srv.url);
  assert.equal((await rosa.register('Rosa Keys', 'rosa.keys@example.com')).status, 201);
  const key = (id) => sql(srv.dbUrl, `SELECT fold_ver, fold_len, fold_hash FROM comments WHERE id = ${id}`).split('|');
  const first = (await post(rosa, 'm-keys', 'First thoughts on the bypass plan.')).json.comment;
  assert.equal(first.status, 'published');
  const [ver, len, hash] = key(first.id);
  assert.equal(ver, '3'); // SPAM_FOLD_VERSION
  assert.equal(len, '32'); // folded: 'first thoughts on the bypas plan' (runs of a letter kept once)
  assert.match(hash, /^-?[0-9]+$/);
  // The edit writes the new body's key, so the new words are a repeat and
  // the old ones are not.
  const text = 'The library should open on Sundays, please sign the petition.';
  const edited = await rosa.patch(`/api/v1/comments/${first.id}`, { body: text });
  assert.equal(edited.status, 200, edited.text);
  assert.notEqual(key(first.id)[2], hash);
  const again = await post(rosa, 'm-keys', text.toLowerCase());
  assert.equal(again.json.comment.status, 'pending', again.text);
  assert.deepEqual(rules(again), ['spam']);
  const old = await post(rosa, 'm-keys', 'First thoughts on the bypass plan.');
  assert.equal(old.json.comment.status, 'published', old.text);
  assert.deepEqual(rules(old), []);
  // Comments without a key (imported, or written before keys were stored)
  // and with a key of another fold version: their bodies are folded.
  sql(srv.dbUrl, `UPDATE comments SET fold_hash = NULL, fold_len = NULL, fold_ver = NULL WHERE id = ${first.id}`);
  sql(srv.dbUrl, `UPDATE comments SET fold_hash = 12345, fold_len = 3, fold_ver = 99 WHERE id = ${again.json.comment.id}`);
  const third = await post(rosa, 'm-keys', `  ${text.toUpperCase()} `);
  assert.equal(third.json.comment.status, 'pending', third.text);
  assert.deepEqual(rules(third), ['spam']);
  age(third.json.comment.id, WINDOW + 1000);
  age(again.json.comment.id, WINDOW + 1000);
  const fourth = await post(rosa, 'm-keys', text);
  assert.equal(fourth.json.comment.status, 'pending', fourth.text); // the edited one, without a key
  // All of them just outside the window: published.
  for (const c of [first, fourth.json.comment]) age(c.id, WINDOW + 1000);
  const fifth = await post(rosa, 'm-keys', text);
  assert.equal(fifth.json.comment.status, 'published', fifth.text);
  assert.deepEqual(rules(fifth), []);
});

test('attacks on the same person over the last day are harassment, read from comments older than the repeat window', async () => {
  const dave = new Client(srv.url);
  assert.equal((await dave.register('Dave', 'dave.target@example.com')).status, 201);
  const rob = new Client(srv.url);
  assert.equal((await rob.register('Rob Rude', 'rob.rude@example.com')).status, 201);
  const parent = await post(dave, 'm-target', 'The bypass is a good idea.');
  const a = await post(rob, 'm-target', 'Dave, you have no idea what you are talking about.');
  const b = await post(rob, 'm-target', 'Typical Dave, wrong again.');
  age(a.json.comment.id, 2 * 3600000); // within the day
  age(b.json.comment.id, 25 * 3600000); // a day and an hour ago: not counted
  const one = await post(rob, 'm-target', 'Dave is a moron.', { parent_id: parent.json.comment.id });
  assert.equal(one.json.comment.status, 'pending', one.text);
  assert.deepEqual(rules(one), ['personal_attack']);
  // Three hours ago (outside the repeat window): the same words again are no
  // repeat, but two attacks on Dave in the day make this one harassment.
  age(one.json.comment.id, 3 * 3600000);
  const two = await post(rob, 'm-target', 'Dave is a moron.', { parent_id: parent.json.comment.id });
  assert.equal(two.json.comment.status, 'pending', two.text);
  assert.deepEqual(rules(two), ['harassment', 'personal_attack']);
});

test('strong profanity is refused with 422, its reasons and the words at fault, and kept as rejected', async () => {
  const r = await post(alice, 'm-1', 'This is total bullshit, what a f.u.c.k.i.n.g mess');
  assert.equal(r.status, 422, r.text);
  assert.equal(r.json.error.code, 'guideline_violation');
  assert.equal(r.json.moderation.decision, 'reject');
  const reason = r.json.moderation.reasons.find((x) => x.rule === 'profanity');
  assert.ok(reason, r.text);
  assert.ok(reason.message.length > 10);
  // The excerpt is a slice of what the reader wrote, evasion included.
  assert.ok('This is total bullshit, what a f.u.c.k.i.n.g mess'.includes(reason.excerpt), reason.excerpt);
  assert.equal((await anon.get('/api/v1/articles/m-1/comments')).json.comments.length, 0);
  const q = await mod.get('/api/v1/mod/queue?queue=rejected');
  assert.ok(q.json.items.some((it) => it.comment.body?.includes('bullshit') && it.moderation.decision === 'reject'));
});

test('a personal attack is held: 201 pending, seen by its author only, queued with its reasons', async () => {
  const parent = (await post(bob, 'm-2', 'I think the new tram line is a good idea.')).json.comment;
  const r = await post(alice, 'm-2', 'You are a complete idiot, Bob.', { parent_id: parent.id });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.comment.status, 'pending');
  assert.equal(r.json.moderation.decision, 'hold');
  assert.ok(r.json.moderation.reasons.some((x) => x.rule === 'personal_attack'));
  const id = r.json.comment.id;
  const mine = (await alice.get('/api/v1/articles/m-2/comments')).json.comments[0].replies;
  assert.ok(mine.some((c) => c.id === id && c.status === 'pending'));
  const theirs = (await bob.get('/api/v1/articles/m-2/comments')).json.comments[0].replies;
  assert.ok(!theirs.some((c) => c.id === id));
  const q = (await mod.get('/api/v1/mod/queue?queue=pending')).json.items;
  const item = q.find((it) => it.comment.id === id);
  assert.ok(item, 'held comment in the pending queue');
  assert.ok(item.moderation.reasons.some((x) => x.rule === 'personal_attack'));
  const log = (await mod.get('/api/v1/mod/log')).json.entries;
  assert.ok(log.some((e) => e.action === 'auto_hold' && e.target_id === id && e.actor_id === null));
});

test('criticising an idea is civil and published', async () => {
  const r = await post(alice, 'm-3', 'This plan is idiotic and the budget numbers do not add up.');
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.comment.status, 'published');
  assert.deepEqual(r.json.moderation, { decision: 'publish', reasons: [], language: 'en' });
});

test('POST /check answers the decision and stores nothing', async () => {
  const r = await anon.post('/api/v1/check', { article_id: 'm-4', body: 'You are a moron.' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.decision, undefined);
  assert.equal(r.json.decision, 'hold');
  const ok = await anon.post('/api/v1/check', { article_id: 'm-4', body: 'Thanks for the clear report.' });
  assert.equal(ok.json.decision, 'publish');
  assert.equal((await anon.get('/api/v1/counts?article=m-4')).json.counts['m-4'], 0);
});

test('a joke about the victims of a sensitive story is held as tragedy_joke', async () => {
  const put = await mod.put('/api/v1/articles/m-5', { title: 'Ferry disaster: 40 dead', sensitive: true });
  assert.equal(put.status, 200, put.text);
  const r = await post(alice, 'm-5', 'lol they deserved it 😂');
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.comment.status, 'pending');
  assert.ok(r.json.moderation.reasons.some((x) => x.rule === 'tragedy_joke'), r.text);
  const kind = await post(alice, 'm-5', 'My thoughts are with the families of the victims.');
  assert.equal(kind.json.comment.status, 'published');
});

test('an off-topic comment is published and queued for review', async () => {
  const text = 'The city council approved the new budget for schools and roads on Tuesday after a long debate. ' +
    'The budget adds money for school buildings, new teachers, classroom computers and road repairs across ' +
    'the city districts. Council members argued about property taxes, bus routes and the cost of repairing ' +
    'bridges before the final vote. Parents and teachers filled the public gallery, and the mayor said the ' +
    'spending plan would be reviewed again next spring when the tax figures arrive.';
  assert.equal((await mod.put('/api/v1/articles/m-6', { title: 'Council passes school budget', text })).status, 200);
  const r = await post(bob, 'm-6', 'Has anyone tried the new pizza place on the corner? The crust is thin, ' +
    'the cheese is fresh, the basil is grown on the roof and the wood oven is imported from Naples. ' +
    'Their tiramisu is also excellent and the espresso is strong. Highly recommended for a Friday night ' +
    'with friends after football, movies or concerts; the waiters are friendly and the music is jazz.');
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.comment.status, 'published');
  assert.ok(r.json.moderation.reasons.some((x) => x.rule === 'off_topic'), r.text);
  const q = (await mod.get('/api/v1/mod/queue?queue=flagged')).json.items;
  const item = q.find((it) => it.comment.id === r.json.comment.id);
  assert.ok(item, 'queued for review in the flagged queue');
  assert.ok(item.flags.some((f) => f.reason === 'off_topic'));
  const onTopic = await post(bob, 'm-6', 'Good that the school budget finally passed; the buildings need it.');
  assert.equal(onTopic.json.moderation.reasons.length, 0, onTopic.text);
});

test('a refused edit leaves the comment as it was', async () => {
  const c = (await post(bob, 'm-7', 'A perfectly polite comment.')).json.comment;
  const r = await bob.patch(`/api/v1/comments/${c.id}`, { body: 'what a load of shit' });
  assert.equal(r.status, 422, r.text);
  const list = (await anon.get('/api/v1/articles/m-7/comments')).json.comments;
  assert.equal(list.length, 1);
  assert.equal(list[0].html, '<p>A perfectly polite comment.</p>\n');
  assert.equal(list[0].edited_at, null);
});

test('repeated refusals suspend the author automatically, with the reason and end', async () => {
  const carol = new Client(srv.url);
  assert.equal((await carol.register('Carol', 'carol@example.com')).status, 201);
  for (let i = 0; i < 3; i++) {
    const r = await post(carol, 'm-8', `fuck off number ${i}`);
    assert.equal(r.status, 422, r.text);
  }
  const r = await post(carol, 'm-8', 'A polite comment now.');
  assert.equal(r.status, 403, r.text);
  assert.equal(r.json.error.code, 'suspended');
  assert.match(r.json.error.message, /until \d{4}-\d\d-\d\dT/);
  assert.match(r.json.error.message, /refused/);
  const me = (await carol.get('/api/v1/me')).json.user;
  assert.ok(me.banned_until);
  const log = (await mod.get('/api/v1/mod/log')).json.entries;
  assert.ok(log.some((e) => e.action === 'auto_suspend' && e.target_type === 'user'));
});

test('comments rejected by moderators count toward automatic suspension, which never shortens a ban', async () => {
  const dave = new Client(srv.url);
  assert.equal((await dave.register('Dave', 'dave@example.com')).status, 201);
  const ids = [];
  for (let i = 0; i < 3; i++) {
    const r = await post(dave, 'm-9', `An ordinary comment, number ${i}.`);
    assert.equal(r.status, 201, r.text);
    ids.push(r.json.comment.id);
  }
  for (const id of ids.slice(0, 2)) {
    assert.equal((await mod.post(`/api/v1/mod/comments/${id}/decision`, { action: 'reject', reason: 'off topic' })).status, 200);
  }
  assert.equal((await post(dave, 'm-9', 'Still allowed after two.')).status, 201);
  assert.equal((await mod.post(`/api/v1/mod/comments/${ids[2]}/decision`, { action: 'reject' })).status, 200);
  const r = await post(dave, 'm-9', 'And now?');
  assert.equal(r.status, 403, r.text);
  assert.equal(r.json.error.code, 'suspended');

  // A permanent ban stays permanent when more refusals come in.
  const erin = new Client(srv.url);
  assert.equal((await erin.register('Erin', 'erin@example.com')).status, 201);
  const me = (await erin.get('/api/v1/me')).json.user;
  const c = [];
  for (let i = 0; i < 3; i++) c.push((await post(erin, 'm-9', `Erin says ${i}.`)).json.comment.id);
  assert.equal((await mod.post(`/api/v1/mod/users/${me.id}/ban`, { reason: 'spam account', until: null })).status, 200);
  for (const id of c) assert.equal((await mod.post(`/api/v1/mod/comments/${id}/decision`, { action: 'reject' })).status, 200);
  const after = await post(erin, 'm-9', 'hello');
  assert.equal(after.status, 403);
  assert.equal(after.json.error.code, 'banned', after.text);
});

test('the model holds what no rule names, explains it with the words that raised the score, and shows moderators its scores', async () => {
  // No listed word: the lexicon alone publishes this.
  const body = 'Go back to the sewer you crawled out of, nobody wants to read your garbage.';
  const r = await post(alice, 'm-model-1', body);
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.moderation.decision, 'hold', r.text);
  const reason = r.json.moderation.reasons[0];
  assert.ok(reason, r.text);
  assert.ok(reason.excerpt.length > 0, 'a hold on the model names words');
  assert.ok(body.includes(reason.excerpt), reason.excerpt);
  const q = (await mod.get('/api/v1/mod/queue?queue=pending')).json.items;
  const item = q.find((it) => it.comment.id === r.json.comment.id);
  assert.ok(item, 'held comment in the pending queue');
  // The desk sees the reasons; POST /check never shows readers the scores.
  assert.ok(item.moderation.reasons.length > 0);
  const chk = await anon.post('/api/v1/check', { article_id: 'm-model-1', body });
  assert.equal(chk.json.decision, 'hold');
  assert.equal(chk.json.scores, undefined);
});

test('moderation.hold_at is a setting: a high threshold publishes what the default holds; a bad value stops the server', async () => {
  const lax = await startServer({ args: ['--config', configFile('moderation.hold_at = 0.999\nmoderation.reject_at = off\n')] });
  try {
    const c = new Client(lax.url);
    assert.equal((await c.register('Carol', 'carol@example.com')).status, 201);
    const r = await c.post('/api/v1/articles/m-model-2/comments', {
      body: 'Go back to the sewer you crawled out of, nobody wants to read your garbage.',
    });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.moderation.decision, 'publish', r.text);
  } finally {
    assert.equal((await lax.stop()).code, 0);
  }
  const bad = spawnSync(BIN, ['check', '--config', configFile('moderation.hold_at = 1.5\n')], { input: 'hello' });
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr.toString(), /moderation\.hold_at/);
  const badAttr = spawnSync(BIN, ['check', '--config', configFile('moderation.hold_at.insult = none\n')], { input: 'hello' });
  assert.notEqual(badAttr.status, 0);
  assert.match(badAttr.stderr.toString(), /moderation\.hold_at\.insult/);
});

test('other languages: their lists judge them, the language is reported, and policy.unknown_language holds what no list reads', async () => {
  // Spanish abuse is refused with the words at fault; the check names the language.
  let r = await post(alice, 'm-lang', 'Qué artículo de mierda, el periódico ya no sabe ni escribir una noticia.');
  assert.equal(r.status, 422, r.text);
  assert.equal(r.json.moderation.language, 'es');
  assert.ok(r.json.moderation.reasons.some((x) => x.rule === 'profanity' && /mierda/.test(x.excerpt)), r.text);
  // Persian: the word for "person" that is vulgar in Arabic publishes.
  r = await post(alice, 'm-lang', 'هیچ کس درباره انفجار بندرعباس پاسخ روشنی نداد.');
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.moderation.decision, 'publish');
  assert.equal(r.json.moderation.language, 'fa');
  // A Russian comment publishes by default (policy.unknown_language = publish).
  const ru = 'Городской совет проголосовал за закрытие библиотеки по воскресеньям.';
  r = await alice.post('/api/v1/check', { article_id: 'm-lang', body: ru });
  assert.equal(r.status, 200);
  assert.equal(r.json.decision, 'publish');
  const strict = await startServer({ args: ['--config', configFile('policy.unknown_language = hold\n')] });
  try {
    const c = new Client(strict.url);
    assert.equal((await c.register('Olga', 'olga@example.com')).status, 201);
    r = await c.post('/api/v1/articles/m-lang/comments', { body: ru });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.comment.status, 'pending');
    assert.deepEqual(r.json.moderation.reasons.map((x) => x.rule), ['unknown_language']);
    // French is read by its list: not held.
    r = await c.post('/api/v1/articles/m-lang/comments', { body: 'Le conseil municipal a voté la fermeture de la bibliothèque le dimanche.' });
    assert.equal(r.json.comment.status, 'published', r.text);
  } finally {
    assert.equal((await strict.stop()).code, 0);
  }
  const bad = spawnSync(BIN, ['check', '--config', configFile('policy.unknown_language = reject\n')], { input: 'hello' });
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr.toString(), /policy\.unknown_language: "reject" is not publish or hold/);
});
