// tests/api/perspective.test.mjs: the Perspective-compatible endpoint
// (POST /v1alpha1/comments:analyze, :suggestscore) against a real server.
//
// Requests are built the way the clients build them: Coral Talk's toxic
// comment phase and its moderation feedback (URL from the "custom endpoint"
// setting plus /comments:analyze, ?key=, the body's fields in Coral's order),
// Google's discovery-based clients (?key=...&alt=json, no languages), and
// the snake_case field names Google's JSON mapping also accepts. Scores are
// compared with each other, never with fixed numbers, since the model is
// retrained: a toxic sentence must outscore a clean one, an insult must
// outscore a weather report on INSULT, and so on.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { configFile, stopClean } from '../lib/api.mjs';

const KEY = 'pk-test-0123456789abcdef';
const KEY2 = 'second-key';
const ATTRS = ['TOXICITY', 'SEVERE_TOXICITY', 'INSULT', 'PROFANITY', 'THREAT', 'IDENTITY_ATTACK'];
const CLEAN = 'The weather will be sunny and mild tomorrow afternoon.';
const INSULT = 'You are a worthless, pathetic idiot.';
const SECRET_TEXT = 'Zebrafish quartet marmalade 7731 observed by the lighthouse.';

let srv;

before(async () => {
  // Comma- and space-separated keys, as the setting allows.
  const conf = configFile(`perspective_keys = ${KEY},  ${KEY2} third-key\nallowed_origins = https://news.example\n`);
  srv = await startServer({ args: ['--config', conf] });
});

after(async () => {
  await stopClean(srv);
  // Nothing sent here is logged: not the comment, not the key.
  assert.ok(!srv.log().includes('Zebrafish'), 'the comment text reached the log');
  assert.ok(!srv.log().includes(KEY), 'the key reached the log');
});

async function call(path, body, { key = KEY, headers = {}, method = 'POST', query = '' } = {}) {
  const u = new URL(srv.url + path);
  if (key !== null) u.searchParams.set('key', key);
  for (const [k, v] of new URLSearchParams(query)) u.searchParams.append(k, v);
  const h = { 'content-type': 'application/json', ...headers };
  const res = await fetch(u, { method, headers: h, body: method === 'POST' ? (typeof body === 'string' ? body : JSON.stringify(body)) : undefined });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { json = null; }
  return { status: res.status, headers: res.headers, text, json };
}

const analyze = (body, opts) => call('/v1alpha1/comments:analyze', body, opts);

async function scores(text, attrs = ATTRS, extra = {}) {
  const requestedAttributes = Object.fromEntries(attrs.map((a) => [a, {}]));
  const r = await analyze({ comment: { text }, requestedAttributes, languages: ['en'], ...extra });
  assert.equal(r.status, 200, r.text);
  return r.json;
}

function summary(res, attr) {
  return res.attributeScores[attr].summaryScore.value;
}

// Google's error shape: {"error": {"code", "message", "status", "details"?}}.
function expectGoogleError(r, code, status, messagePattern, errorType) {
  assert.equal(r.status, code, r.text);
  assert.match(r.headers.get('content-type') || '', /^application\/json/);
  assert.equal(r.json.error.code, code, r.text);
  assert.equal(r.json.error.status, status, r.text);
  assert.match(r.json.error.message, messagePattern);
  if (errorType !== undefined) {
    assert.equal(r.json.error.details[0].errorType, errorType, r.text);
    assert.equal(r.json.error.details[0]['@type'], 'type.googleapis.com/google.commentanalyzer.v1alpha1.Error');
  }
}

test("Coral Talk's toxic comment request, byte for byte, and the field it reads", async () => {
  // coral-server's toxic phase: endpoint + "/comments:analyze", ?key=, and
  // JSON.stringify({comment: {text}, languages: [language], doNotStore,
  // requestedAttributes: {[model]: {}}}).
  const endpoint = `${srv.url}/v1alpha1`;
  async function coral(text, model = 'TOXICITY') {
    const url = new URL(endpoint.trim());
    url.pathname = url.pathname.replace(/\/$/, '') + '/comments:analyze';
    url.searchParams.set('key', KEY.trim());
    const res = await fetch(url.toString(), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ comment: { text }, languages: ['en'], doNotStore: true, requestedAttributes: { [model]: {} } }),
    });
    assert.equal(res.status, 200);
    const data = await res.json();
    return data.attributeScores[model].summaryScore.value;
  }
  // Coral's later sendToPerspective builds the same request with its fields
  // in another order (comment, doNotStore, requestedAttributes, languages)
  // and path.join on the endpoint, so a trailing slash there is harmless.
  async function coralLater(text, model = 'TOXICITY') {
    const url = new URL(`${endpoint}/`.trim());
    url.pathname = `${url.pathname}/comments:analyze`.replace(/\/+/g, '/');
    url.searchParams.set('key', KEY.trim());
    const res = await fetch(url.toString(), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ comment: { text }, doNotStore: false, requestedAttributes: { [model]: {} }, languages: ['en'] }),
    });
    assert.equal(res.status, 200);
    return (await res.json()).attributeScores[model].summaryScore.value;
  }
  const toxic = await coral(INSULT);
  const clean = await coral(CLEAN);
  assert.equal(await coralLater(INSULT), toxic, 'the same comment scores the same however the body is ordered');
  for (const v of [toxic, clean]) assert.ok(typeof v === 'number' && v >= 0 && v <= 1, `score ${v}`);
  assert.ok(toxic > clean, `the insult (${toxic}) scores above the weather report (${clean})`);
  // The "Toxicity model" setting may name another attribute.
  assert.ok((await coral(INSULT, 'SEVERE_TOXICITY')) > (await coral(CLEAN, 'SEVERE_TOXICITY')));
});

test("Coral's moderation feedback (comments:suggestscore) is accepted, echoed and dropped", async () => {
  // Coral sends it pretty-printed, with languages ["EN"] and its decision as
  // the attribute name, and checks that clientToken comes back.
  const body = {
    comment: { text: SECRET_TEXT },
    context: { entries: [{ text: JSON.stringify({ url: 'https://news.example/story#c1', reply_to_id_Coral_comment_id: undefined, Coral_comment_id: 'c1' }) }] },
    attributeScores: { APPROVED: { summaryScore: { value: 1 } } },
    languages: ['EN'],
    communityId: 'Coral:https://news.example/',
    clientToken: 'comment:c1',
  };
  const r = await call('/v1alpha1/comments:suggestscore', JSON.stringify(body, null, 2));
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json, { clientToken: 'comment:c1' });
  const empty = await call('/v1alpha1/comments:suggestscore', { comment: { text: 'x' }, attributeScores: {} });
  expectGoogleError(empty, 400, 'INVALID_ARGUMENT', /attribute_scores/);
  const noKey = await call('/v1alpha1/comments:suggestscore', body, { key: null });
  expectGoogleError(noKey, 403, 'PERMISSION_DENIED', /missing a valid API key/);
});

test("Google's client libraries: ?key=&alt=json, no languages, every attribute, whole-text spans", async () => {
  const text = `${SECRET_TEXT} Plain words 😀 here.`;
  const r = await analyze({ comment: { text }, requestedAttributes: Object.fromEntries(ATTRS.map((a) => [a, {}])) }, { query: 'alt=json&prettyPrint=false' });
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers.get('content-type'), /^application\/json/);
  assert.equal(r.headers.get('cache-control'), 'no-store');
  assert.deepEqual(Object.keys(r.json.attributeScores), ATTRS, 'every attribute, in request order');
  for (const a of ATTRS) {
    const s = r.json.attributeScores[a];
    assert.equal(s.summaryScore.type, 'PROBABILITY');
    assert.ok(s.summaryScore.value >= 0 && s.summaryScore.value <= 1);
    // One span, the whole comment, in UTF-16 units (the emoji counts two).
    assert.deepEqual(s.spanScores.map((x) => [x.begin, x.end]), [[0, text.length]]);
    assert.equal(s.spanScores[0].score.value, s.summaryScore.value);
  }
  assert.deepEqual(r.json.languages, ['en']);
  assert.deepEqual(r.json.detectedLanguages, ['en']);
  assert.equal(r.json.clientToken, undefined);
});

test('the key may come in the X-Goog-Api-Key header; every listed key works, nothing else does', async () => {
  const body = { comment: { text: 'hello' }, requestedAttributes: { TOXICITY: {} } };
  assert.equal((await analyze(body, { key: null, headers: { 'x-goog-api-key': KEY } })).status, 200);
  assert.equal((await analyze(body, { key: KEY2 })).status, 200);
  assert.equal((await analyze(body, { key: 'third-key' })).status, 200);
  for (const bad of [KEY.slice(0, -1), KEY + 'x', KEY.toUpperCase(), `${KEY},${KEY2}`, ' ']) {
    const r = await analyze(body, { key: bad });
    if (bad === ' ') {
      // A blank key is a key all the same, and not one of ours.
      expectGoogleError(r, 400, 'INVALID_ARGUMENT', /^API key not valid/);
      continue;
    }
    expectGoogleError(r, 400, 'INVALID_ARGUMENT', /^API key not valid\. Please pass a valid API key\.$/);
    assert.equal(r.json.error.details[0].reason, 'API_KEY_INVALID');
  }
  for (const opts of [{ key: null }, { key: '' }, { key: null, headers: { 'x-goog-api-key': '' } }]) {
    expectGoogleError(await analyze(body, opts), 403, 'PERMISSION_DENIED', /^The request is missing a valid API key\.$/);
  }
});

test('spanAnnotations: one span per sentence, in UTF-16 units, the toxic sentence above the clean one', async () => {
  const text = 'Great photo 😀 of the harbour.  You are a worthless, pathetic idiot! Thanks for posting it.';
  const r = await scores(text, ['TOXICITY', 'INSULT'], { spanAnnotations: true });
  for (const a of ['TOXICITY', 'INSULT']) {
    const spans = r.attributeScores[a].spanScores;
    assert.deepEqual(spans.map((s) => text.slice(s.begin, s.end)), [
      'Great photo 😀 of the harbour.',
      'You are a worthless, pathetic idiot!',
      'Thanks for posting it.',
    ]);
    for (const s of spans) assert.ok(s.begin < s.end && s.end <= text.length);
    assert.ok(spans[1].score.value > spans[0].score.value, `${a}: toxic sentence above the first clean one`);
    assert.ok(spans[1].score.value > spans[2].score.value, `${a}: toxic sentence above the last clean one`);
  }
  // Line breaks end sentences too; white space around them is left out.
  const lines = await scores('  first line\nsecond line  ', ['TOXICITY'], { span_annotations: true });
  assert.deepEqual(lines.attributeScores.TOXICITY.spanScores.map((s) => [s.begin, s.end]), [[2, 12], [13, 24]]);
});

test('scores rise with what they measure', async () => {
  const weather = await scores(CLEAN);
  const pairs = [
    ['INSULT', INSULT],
    ['TOXICITY', INSULT],
    ['PROFANITY', 'What a load of fucking bullshit.'],
    ['SEVERE_TOXICITY', 'Shut up, you fucking worthless piece of shit.'],
    ['THREAT', 'I will find you and I will kill you.'],
    ['IDENTITY_ATTACK', 'All immigrants are filthy animals and should be driven out.'],
  ];
  for (const [attr, text] of pairs) {
    const s = await scores(text);
    assert.ok(summary(s, attr) > summary(weather, attr), `${attr}: "${text}" (${summary(s, attr)}) above the weather report (${summary(weather, attr)})`);
  }
});

test('scoreThreshold leaves out what scores below it, and the whole map when nothing is left', async () => {
  const toxic = summary(await scores(INSULT, ['TOXICITY']), 'TOXICITY');
  const clean = summary(await scores(CLEAN, ['TOXICITY']), 'TOXICITY');
  assert.ok(toxic > clean);
  const mid = (toxic + clean) / 2;
  const req = (text) => analyze({ comment: { text }, languages: ['en'], requestedAttributes: { TOXICITY: { scoreType: 'PROBABILITY', scoreThreshold: mid }, INSULT: {} } });
  const high = await req(INSULT);
  assert.equal(high.status, 200);
  assert.deepEqual(Object.keys(high.json.attributeScores), ['TOXICITY', 'INSULT']);
  const low = await req(CLEAN);
  assert.deepEqual(Object.keys(low.json.attributeScores), ['INSULT'], 'TOXICITY below its threshold is left out');
  const none = await analyze({ comment: { text: CLEAN }, requestedAttributes: { TOXICITY: { scoreThreshold: mid } }, clientToken: 'tok-9' });
  assert.equal(none.status, 200);
  assert.deepEqual(none.json, { languages: ['en'], detectedLanguages: ['en'], clientToken: 'tok-9' });
  // Spans below the threshold go too: only the toxic sentence is left.
  const both = `${CLEAN} ${INSULT}`;
  const spans = await analyze({ comment: { text: both }, spanAnnotations: true, requestedAttributes: { TOXICITY: { scoreThreshold: mid } } });
  const left = spans.json.attributeScores.TOXICITY.spanScores.map((s) => both.slice(s.begin, s.end));
  assert.deepEqual(left, [INSULT]);
});

test('languages: English in any spelling is scored; others are refused as Perspective refuses them', async () => {
  for (const languages of [['en'], ['EN'], ['en-US'], ['en_GB'], []]) {
    const r = await analyze({ comment: { text: 'hello there' }, requestedAttributes: { TOXICITY: {} }, languages });
    assert.equal(r.status, 200, `${languages}: ${r.text}`);
    assert.deepEqual(r.json.languages, languages.length ? languages : ['en']);
  }
  const fr = await analyze({ comment: { text: 'bonjour' }, requestedAttributes: { INSULT: {}, TOXICITY: {} }, languages: ['fr', 'en'] });
  expectGoogleError(fr, 400, 'INVALID_ARGUMENT', /^Attribute INSULT does not support request languages: fr, en$/, 'LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE');
  assert.deepEqual(fr.json.error.details[0].languageNotSupportedByAttributeError, { requestedLanguages: ['fr', 'en'], attribute: 'INSULT' });
  // dropUnsupportedAttributes: no error, and no scores.
  const drop = await analyze({ comment: { text: 'bonjour' }, requestedAttributes: { TOXICITY: {} }, languages: ['de'], dropUnsupportedAttributes: true });
  assert.equal(drop.status, 200, drop.text);
  assert.deepEqual(drop.json, { languages: ['de'], detectedLanguages: ['en'] });
});

test('every refusal of a bad request, in Google’s shape', async () => {
  const attrs = { TOXICITY: {} };
  const cases = [
    [{ comment: { text: '' }, requestedAttributes: attrs }, /^Comment must be non-empty\.$/, 'COMMENT_EMPTY'],
    [{ requestedAttributes: attrs }, /^Comment must be non-empty\.$/, 'COMMENT_EMPTY'],
    [{ comment: { text: 'x' } }, /^Missing requested_attributes$/, 'NO_REQUESTED_ATTRIBUTES'],
    [{ comment: { text: 'x' }, requestedAttributes: {} }, /^Missing requested_attributes$/, 'NO_REQUESTED_ATTRIBUTES'],
    [{ comment: { text: 'x' }, requestedAttributes: { SPAM: {} } }, /^Unknown requested attribute: SPAM$/, 'INVALID_REQUEST'],
    [{ comment: { text: 'x' }, requestedAttributes: { toxicity: {} } }, /^Unknown requested attribute: toxicity$/, 'INVALID_REQUEST'],
    [{ comment: { text: 'x' }, requestedAttributes: { TOXICITY: { scoreType: 'STD_DEV_SCORE' } } }, /^Requested score type STD_DEV_SCORE is not supported by attribute TOXICITY$/, 'INVALID_REQUEST'],
    [{ comment: { text: '<b>x</b>', type: 'HTML' }, requestedAttributes: attrs }, /PLAIN_TEXT/, 'INVALID_REQUEST'],
    [{ comment: { text: 'x' }, requestedAttributes: attrs, context: { entries: [{ text: 'a' }], articleAndParentComment: { article: { text: 'b' } } } }, /both fields were populated/, 'INVALID_REQUEST'],
    [{ comment: { text: 'x' }, requestedAttributes: attrs, colour: 'red' }, /^Invalid JSON payload received\. Unknown name "colour"/],
    [{ comment: { text: 'x', lang: 'en' }, requestedAttributes: attrs }, /Unknown name "lang" at 'comment'/],
    [{ comment: { text: 5 }, requestedAttributes: attrs }, /^Invalid value at 'comment\.text'/],
    [{ comment: { text: 'x' }, requestedAttributes: { TOXICITY: { scoreThreshold: 'high' } } }, /score_threshold/],
    [{ comment: { text: 'x' }, requestedAttributes: attrs, languages: 'en' }, /^Invalid value at 'languages'/],
    [{ comment: { text: 'x' }, requestedAttributes: attrs, doNotStore: 'yes' }, /^Invalid value at 'do_not_store'/],
    [{ comment: 'x', requestedAttributes: attrs }, /^Invalid value at 'comment'/],
    ['{"comment": {"text": "x"', /^Invalid JSON payload received\./],
    ['[1, 2]', /^Invalid JSON payload received\. Expected an object/],
  ];
  for (const [body, message, errorType] of cases) {
    const r = await analyze(body);
    expectGoogleError(r, 400, 'INVALID_ARGUMENT', message, errorType);
    if (errorType === undefined) assert.equal(r.json.error.details, undefined);
  }
});

test("Perspective's 20 KB limit counts bytes, not characters", async () => {
  const ok = async (text) => analyze({ comment: { text }, requestedAttributes: { TOXICITY: {} } });
  assert.equal((await ok('a'.repeat(20480))).status, 200);
  assert.equal((await ok('é'.repeat(10240))).status, 200);
  expectGoogleError(await ok('a'.repeat(20481)), 400, 'INVALID_ARGUMENT', /^Comment text too long\.$/, 'COMMENT_TOO_LONG');
  expectGoogleError(await ok('é'.repeat(10241)), 400, 'INVALID_ARGUMENT', /^Comment text too long\.$/, 'COMMENT_TOO_LONG');
  // A body over the server's max_body is refused before it is read, in the same shape.
  const big = await analyze({ comment: { text: 'a'.repeat(70000) }, requestedAttributes: { TOXICITY: {} } });
  expectGoogleError(big, 413, 'INVALID_ARGUMENT', /larger than the limit/);
});

test('wrong method, unknown method name, wrong content type, and snake_case names', async () => {
  const get = await analyze(undefined, { method: 'GET' });
  expectGoogleError(get, 405, 'UNIMPLEMENTED', /POST/);
  assert.equal(get.headers.get('allow'), 'POST');
  expectGoogleError(await call('/v1alpha1/comments:frobnicate', {}), 404, 'NOT_FOUND', /not found/);
  expectGoogleError(await call('/v1alpha1/', {}), 404, 'NOT_FOUND', /not found/);
  const plain = await analyze('{}', { headers: { 'content-type': 'text/plain' } });
  expectGoogleError(plain, 415, 'INVALID_ARGUMENT', /application\/json/);
  // The colon may come percent-encoded.
  const enc = await call('/v1alpha1/comments%3Aanalyze', { comment: { text: 'hi' }, requestedAttributes: { TOXICITY: {} } });
  assert.equal(enc.status, 200, enc.text);
  const snake = await analyze({ comment: { text: 'hi', type: 'PLAIN_TEXT' }, requested_attributes: { INSULT: { score_type: 'PROBABILITY' } }, do_not_store: true, client_token: 'ct', session_id: 's', community_id: 'c', span_annotations: false });
  assert.equal(snake.status, 200, snake.text);
  assert.deepEqual(Object.keys(snake.json.attributeScores), ['INSULT']);
  assert.equal(snake.json.clientToken, 'ct');
});

test('CORS like the rest of the API: allowed origins get the headers, others are refused', async () => {
  const body = { comment: { text: 'hi' }, requestedAttributes: { TOXICITY: {} } };
  const pre = await fetch(`${srv.url}/v1alpha1/comments:analyze`, {
    method: 'OPTIONS',
    headers: { origin: 'https://news.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, x-goog-api-key' },
  });
  assert.equal(pre.status, 204);
  assert.equal(pre.headers.get('access-control-allow-origin'), 'https://news.example');
  assert.match(pre.headers.get('access-control-allow-headers'), /X-Goog-Api-Key/i);
  const ok = await analyze(body, { headers: { origin: 'https://news.example' } });
  assert.equal(ok.status, 200);
  assert.equal(ok.headers.get('access-control-allow-origin'), 'https://news.example');
  const foreign = await analyze(body, { headers: { origin: 'https://evil.example' } });
  expectGoogleError(foreign, 403, 'PERMISSION_DENIED', /another site/);
  assert.equal(foreign.headers.get('access-control-allow-origin'), null);
});

test('without perspective_keys the endpoint is off: 404, saying which setting turns it on', async () => {
  const plain = await startServer();
  try {
    const res = await fetch(`${plain.url}/v1alpha1/comments:analyze?key=${KEY}`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ comment: { text: 'hi' }, requestedAttributes: { TOXICITY: {} } }),
    });
    const text = await res.text();
    expectGoogleError({ status: res.status, headers: res.headers, text, json: JSON.parse(text) }, 404, 'NOT_FOUND', /perspective_keys/);
  } finally {
    await stopClean(plain);
  }
});

test('rate limited like other API writes, with a Retry-After and Google’s RESOURCE_EXHAUSTED', async () => {
  const limited = await startServer({ rateLimit: 'on', args: ['--config', configFile(`perspective_keys = ${KEY}\n`)] });
  try {
    let refused = null;
    // The per-address write bucket holds 60; 200 requests overrun it even on
    // a slow machine (it refills two a second).
    for (let i = 0; i < 200 && refused === null; i++) {
      const res = await fetch(`${limited.url}/v1alpha1/comments:analyze?key=${KEY}`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ comment: { text: 'hi' }, requestedAttributes: { TOXICITY: {} } }),
      });
      if (res.status === 429) refused = { res, json: await res.json() };
      else assert.equal(res.status, 200);
    }
    assert.ok(refused, 'no request was refused');
    assert.ok(Number(refused.res.headers.get('retry-after')) >= 1);
    assert.equal(refused.json.error.code, 429);
    assert.equal(refused.json.error.status, 'RESOURCE_EXHAUSTED');
  } finally {
    await stopClean(limited);
  }
});
