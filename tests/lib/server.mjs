// tests/lib/server.mjs: start a real `parley serve` for API and browser tests.
//
// startServer() runs the binary named by PARLEY_BIN (default ../build/parley)
// on 127.0.0.1 port 0 with a fresh database (tempDb(), unless the test passes
// {db}), waits for the "listening" log line that carries the real URL, and
// returns {url, dbUrl, proc, stop()}. No sleeps: readiness is the log line.
//
// Databases: without PARLEY_TEST_DB_URL each fresh database is a temporary
// SQLite file. With a postgres:// URL there (tests/pg.sh sets one), each is a
// new PostgreSQL database created beside that one with psql (CREATE
// DATABASE) and dropped again by cleanup(), so every test file starts empty.
// With a sqlite: URL there, every server shares that one file.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkResponse } from './openapi.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const BIN = path.resolve(here, '..', process.env.PARLEY_BIN || '../build/parley');

const isPg = (url) => /^postgres(ql)?:\/\//.test(url || '');
let pgSeq = 0;

function psql(url, sql) {
  const r = spawnSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', url, '-c', sql], { encoding: 'utf8' });
  if (r.error) throw new Error(`psql: ${r.error.message} (is PostgreSQL's bin directory on PATH?)`);
  if (r.status !== 0) throw new Error(`psql ${sql} failed (${r.status}): ${r.stderr}`);
}

// A new, empty PostgreSQL database on the server of baseUrl.
function pgFreshDb(baseUrl) {
  const name = `parley_t${process.pid}_${++pgSeq}_${Date.now().toString(36)}`;
  psql(baseUrl, `CREATE DATABASE ${name}`);
  const u = new URL(baseUrl);
  u.pathname = '/' + name;
  return { url: u.toString(), cleanup: () => psql(baseUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

export function tempDb() {
  if (isPg(process.env.PARLEY_TEST_DB_URL)) return pgFreshDb(process.env.PARLEY_TEST_DB_URL);
  const dir = mkdtempSync(path.join(tmpdir(), 'parley-test-'));
  return { url: `sqlite:${path.join(dir, 'parley.db')}`, dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function startServer(opts = {}) {
  const env = process.env.PARLEY_TEST_DB_URL;
  const db = opts.db || (env && !isPg(env) ? { url: env, cleanup() {} } : tempDb());
  const args = ['serve', '--listen', opts.listen || '127.0.0.1:0', '--db', db.url, '--rate-limit', opts.rateLimit || 'off', ...(opts.args || [])];
  const proc = spawn(BIN, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...(opts.env || {}) } });
  let log = '';
  const url = await new Promise((resolve, reject) => {
    const onData = (chunk) => {
      log += chunk.toString();
      const m = log.match(/msg=listening url=(\S+)/);
      if (m) resolve(m[1]);
    };
    proc.stderr.on('data', onData);
    proc.stdout.on('data', (c) => { log += c.toString(); });
    proc.on('exit', (code, sig) => reject(new Error(`parley exited (${code ?? sig}) before listening:\n${log}`)));
  });
  const exited = new Promise((resolve) => proc.on('exit', (code, sig) => resolve({ code, sig })));
  return {
    url,
    dbUrl: db.url,
    proc,
    log: () => log,
    exited,
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      const r = await exited;
      if (!opts.keepDb) db.cleanup();
      return r;
    },
  };
}

// Creates a user with the CLI (password on standard input), as an operator would.
export function createUser(dbUrl, { email, name, role = 'reader', password = 'correct horse battery' }) {
  const r = spawnSync(BIN, ['admin', 'create-user', '--db', dbUrl, '--email', email, '--name', name, '--role', role], { input: password + '\n' });
  if (r.status !== 0) throw new Error(`create-user failed (${r.status}): ${r.stderr}`);
  return { email, name, role, password };
}

// A tiny client that keeps the session cookie, as a browser would. Every
// response it receives is checked against docs/openapi.yaml (lib/openapi.mjs).
export class Client {
  constructor(base, { origin } = {}) { this.base = base; this.cookie = null; this.origin = origin; }
  async req(method, p, body, headers = {}) {
    const h = { ...headers };
    if (this.cookie) h.cookie = h.cookie ? `${h.cookie}; ${this.cookie}` : this.cookie;
    if (this.origin && !('origin' in h)) h.origin = this.origin;
    let payload;
    if (body !== undefined) {
      if (typeof body === 'string' || body instanceof Uint8Array) payload = body;
      else payload = JSON.stringify(body);
      if (!('content-type' in h)) h['content-type'] = 'application/json';
    }
    const res = await fetch(this.base + p, { method, headers: h, body: payload, redirect: 'manual' });
    const set = res.headers.get('set-cookie');
    if (set) {
      const m = set.match(/parley_session=([^;]*)/);
      if (m) this.cookie = m[1] ? `parley_session=${m[1]}` : null;
    }
    const text = await res.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch { json = null; }
    const out = { status: res.status, headers: res.headers, text, json };
    // Every answer must match docs/openapi.yaml (throws when it does not).
    checkResponse(method, this.base + p, out);
    return out;
  }
  get(p, h) { return this.req('GET', p, undefined, h); }
  post(p, b, h) { return this.req('POST', p, b, h); }
  put(p, b, h) { return this.req('PUT', p, b, h); }
  patch(p, b, h) { return this.req('PATCH', p, b, h); }
  del(p, b, h) { return this.req('DELETE', p, b, h); }
  async register(name, email, password = 'correct horse battery') {
    return this.post('/api/v1/auth/register', { name, email, password });
  }
  async login(email, password = 'correct horse battery') {
    return this.post('/api/v1/auth/login', { email, password });
  }
}
