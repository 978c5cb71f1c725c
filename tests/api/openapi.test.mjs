// tests/api/openapi.test.mjs: docs/openapi.yaml against a real server.
//
// Every other test file checks the document through Client as a side
// effect (tests/lib/openapi.mjs); this one calls what they do not (the demo
// page, the live-update stream, HEAD) and shows that the checker does fail
// when an answer and the document disagree.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServer, Client } from '../lib/server.mjs';
import { stopClean } from '../lib/api.mjs';
import { checkResponse, findOperation, operations } from '../lib/openapi.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { await stopClean(srv); });

test('every route of the router has an operation in the document', () => {
  // The routes of src/api/router.c at the time of writing, with a sample path.
  const samples = [
    ['GET', '/api/v1/articles/a'], ['PUT', '/api/v1/articles/a'],
    ['GET', '/api/v1/articles/a/comments'], ['POST', '/api/v1/articles/a/comments'],
    ['GET', '/api/v1/articles/a/events'], ['PATCH', '/api/v1/comments/1'],
    ['DELETE', '/api/v1/comments/1'], ['POST', '/api/v1/comments/1/likes'],
    ['DELETE', '/api/v1/comments/1/likes'], ['POST', '/api/v1/comments/1/flags'],
    ['GET', '/api/v1/counts'], ['POST', '/api/v1/check'], ['POST', '/api/v1/auth/register'],
    ['POST', '/api/v1/auth/login'], ['POST', '/api/v1/auth/logout'], ['POST', '/api/v1/auth/sso'],
    ['GET', '/api/v1/me'], ['DELETE', '/api/v1/me'], ['GET', '/api/v1/me/mutes'],
    ['PUT', '/api/v1/me/mutes/2'], ['DELETE', '/api/v1/me/mutes/2'], ['GET', '/api/v1/me/comments'],
    ['GET', '/api/v1/me/export'], ['GET', '/api/v1/mod/queue'], ['GET', '/api/v1/mod/counts'],
    ['POST', '/api/v1/mod/comments/1/decision'], ['POST', '/api/v1/mod/undo'],
    ['POST', '/api/v1/mod/users/2/ban'], ['DELETE', '/api/v1/mod/users/2/ban'],
    ['POST', '/api/v1/mod/users/2/role'], ['GET', '/api/v1/mod/users/2'], ['GET', '/api/v1/mod/log'],
  ];
  for (const [m, p] of samples) assert.ok(findOperation(m, p), `${m} ${p} is not in docs/openapi.yaml`);
  const ids = operations().map((o) => o.id);
  assert.equal(new Set(ids).size, ids.length, 'operationIds are unique');
});

test('routes added to the router since are reported (a note, not a failure)', (t) => {
  // A route that lands without its documentation must not break the build,
  // but it must not go unnoticed either: the run prints it.
  const src = readFileSync(new URL('../../src/api/router.c', import.meta.url), 'utf8');
  const routes = [...src.matchAll(/\{HTTP_([A-Z]+), "([^"]+)", \w+\}/g)];
  assert.ok(routes.length >= 32, 'the route table of src/api/router.c was found');
  for (const [, m, pattern] of routes) {
    const p = '/api/v1/' + pattern.replaceAll('*', '1');
    if (!findOperation(m, p)) t.diagnostic(`not in docs/openapi.yaml: ${m} /api/v1/${pattern}`);
  }
});

test('the demo page and HEAD answer as documented', async () => {
  const c = new Client(srv.url);
  const page = await c.get('/');
  assert.equal(page.status, 200);
  assert.match(page.text, /data-article-id="demo-welcome"|id="parley"/);
  const head = await c.req('HEAD', '/api/v1/articles/openapi-head');
  assert.equal(head.status, 200);
  assert.equal(head.text, '');
  assert.ok(Number(head.headers.get('content-length')) > 0);
});

test('the live-update stream opens with a retry line as text/event-stream', async () => {
  const url = `${srv.url}/api/v1/articles/openapi-live/events`;
  const ac = new AbortController();
  const res = await fetch(url, { signal: ac.signal });
  const reader = res.body.getReader();
  let text = '';
  while (!text.includes('\n\n')) {
    const { value, done } = await reader.read();
    if (done) break;
    text += Buffer.from(value).toString();
  }
  ac.abort();
  await reader.cancel().catch(() => {});
  assert.match(text, /^retry: \d+\n/);
  // The stream never ends, so its body is not part of the check.
  assert.equal(checkResponse('GET', url, { status: res.status, headers: res.headers, text: '' }), 'articleEvents');
});

test('the checker refuses answers that break the document', () => {
  const json = (body, status = 200, ctype = 'application/json; charset=utf-8') => ({
    status, headers: { 'content-type': ctype }, text: JSON.stringify(body), json: body,
  });
  const u = `${srv.url}/api/v1/articles/x`;
  // A field of the wrong type.
  assert.throws(() => checkResponse('GET', u, json({ article: { id: 'x', title: 1 } })), /getArticle.*breaks docs\/openapi.yaml/s);
  // An error without its code.
  assert.throws(() => checkResponse('GET', u, json({ error: { message: 'm' } }, 400)), /breaks/);
  // A success status the document does not give.
  assert.throws(() => checkResponse('GET', u, json({}, 202)), /no such success status/);
  // Another content type than documented.
  assert.throws(() => checkResponse('GET', u, json({ article: {} }, 200, 'text/html')), /content type/);
  // A body on 204.
  assert.throws(() => checkResponse('POST', `${srv.url}/api/v1/auth/logout`, { status: 204, headers: {}, text: 'x' }), /a body where/);
  // A path the document does not describe is not checked.
  assert.equal(checkResponse('GET', `${srv.url}/api/v1/nowhere`, json({}, 404)), null);
});
