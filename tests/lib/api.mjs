// tests/lib/api.mjs: small helpers shared by the API tests in tests/api/.
//
// expectError() checks one error row of API.md (status, error.code, a
// non-empty message, and field where one field is at fault). stopClean()
// stops a server and fails the test when it did not exit 0 or when its log
// holds a sanitizer report, so every test file also checks the server stayed
// clean under ASan/UBSan. rawRequest() speaks HTTP over a plain socket for the
// cases fetch() cannot produce (duplicate headers, huge header blocks).
// cast() registers the readers and logs in the moderator most files start with.
import assert from 'node:assert/strict';
import net from 'node:net';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createUser, Client } from './server.mjs';

export function expectError(res, status, code, field) {
  assert.equal(res.status, status, `expected ${status} ${code}, got ${res.status}: ${res.text}`);
  assert.ok(res.json && res.json.error, `error body missing: ${res.text}`);
  assert.equal(res.json.error.code, code, `wrong code: ${res.text}`);
  assert.equal(typeof res.json.error.message, 'string');
  assert.ok(res.json.error.message.length > 0, 'empty error message');
  if (field !== undefined) assert.equal(res.json.error.field, field, `wrong field: ${res.text}`);
  assert.match(res.headers.get('content-type') || '', /^application\/json/);
}

export function sanitizerReport(log) {
  const m = log.match(/(ERROR: AddressSanitizer|ERROR: LeakSanitizer|WARNING: ThreadSanitizer|runtime error:)[^\n]*/);
  return m ? m[0] : null;
}

// Stops the server with SIGTERM and asserts a clean exit and a clean log.
// With PARLEY_TEST_LOG_DIR set, the server's log is kept there for reading.
export async function stopClean(srv) {
  const r = await srv.stop('SIGTERM');
  if (process.env.PARLEY_TEST_LOG_DIR) {
    const name = `${path.basename(process.argv[1] || 'test')}-${process.pid}-${Date.now()}.log`;
    writeFileSync(path.join(process.env.PARLEY_TEST_LOG_DIR, name), srv.log());
  }
  const report = sanitizerReport(srv.log());
  const errors = srv.log().split('\n').filter((l) => / level=error /.test(l));
  assert.deepEqual(errors, [], 'the server logged errors');
  assert.equal(report, null, `sanitizer report in the server log:\n${srv.log().slice(-4000)}`);
  assert.deepEqual(r, { code: 0, sig: null }, `server exit: ${JSON.stringify(r)}\n${srv.log().slice(-2000)}`);
}

// Writes a config file in a fresh temporary directory and returns its path.
export function configFile(text) {
  const dir = mkdtempSync(path.join(tmpdir(), 'parley-conf-'));
  const file = path.join(dir, 'parley.conf');
  writeFileSync(file, text);
  return file;
}

export function hostPort(url) {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port) };
}

// Sends raw bytes, collects everything until the server closes the socket
// (or until timeoutMs, then rejects). Resolves {data, closed: true}.
export function rawRequest(url, bytes, { timeoutMs = 10000 } = {}) {
  const { host, port } = hostPort(url);
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host, port });
    const chunks = [];
    const timer = setTimeout(() => { sock.destroy(); reject(new Error(`no close within ${timeoutMs} ms; got: ${Buffer.concat(chunks).toString().slice(0, 500)}`)); }, timeoutMs);
    sock.on('connect', () => sock.write(bytes));
    sock.on('data', (d) => chunks.push(d));
    sock.on('error', () => {}); // a reset counts as a close
    sock.on('close', () => { clearTimeout(timer); resolve({ data: Buffer.concat(chunks).toString('latin1'), closed: true }); });
  });
}

// Parses the first HTTP response out of raw text: {status, headers, body}.
export function parseResponse(raw) {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const lines = raw.slice(0, end).split('\r\n');
  const m = lines[0].match(/^HTTP\/1\.[01] (\d{3})/);
  if (!m) return null;
  const headers = {};
  for (const l of lines.slice(1)) {
    const i = l.indexOf(':');
    headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  return { status: Number(m[1]), headers, body: raw.slice(end + 4) };
}

let seq = 0;
// A unique article id per call, so tests in one file do not share threads.
export function articleId(prefix = 'a') {
  seq += 1;
  return `${prefix}-${process.pid}-${seq}`;
}

// The cast most API tests start with: Alice and Bob registered, a moderator
// (mod@example.com, named modName, logged in) and a client with no session.
export async function cast(srv, modName = 'Mod') {
  createUser(srv.dbUrl, { email: 'mod@example.com', name: modName, role: 'moderator' });
  const c = { alice: new Client(srv.url), bob: new Client(srv.url), mod: new Client(srv.url), anon: new Client(srv.url) };
  assert.equal((await c.alice.register('Alice', 'alice@example.com')).status, 201);
  assert.equal((await c.bob.register('Bob', 'bob@example.com')).status, 201);
  assert.equal((await c.mod.login('mod@example.com')).status, 200);
  return c;
}
