// tests/lib/openapi.mjs: checks real responses against docs/openapi.yaml.
//
// checkResponse(method, url, res) finds the operation that answers method and
// url's path, then the response the document gives for res.status (else the
// operation's `default`), and checks the content type and, for JSON, the body
// against that response's schema with Ajv (JSON Schema 2020-12, the dialect of
// OpenAPI 3.1). A status the document does not give, a wrong content type, a
// body where none is documented (204, 304) or a body that breaks the schema
// throws an Error that names the operation and what is wrong.
//
// Client (tests/lib/server.mjs) calls it for every response, so every API
// test checks the document as a side effect. A request to a path or method the
// document does not describe is not checked (a test of 404s and 405s sends
// those on purpose).
//
// Coverage: with PARLEY_OPENAPI_SEEN=DIR (set by `make api`), every checked
// response is recorded as "operationId status" in DIR/PID.txt, and unknown
// /api/ routes answered below 400 as "? METHOD PATH status";
// tests/lib/openapi-coverage.mjs reads them after the suite.
import { appendFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import { parse } from 'yaml';

const here = path.dirname(fileURLToPath(import.meta.url));
export const SPEC_PATH = path.resolve(here, '../../docs/openapi.yaml');
const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

let state = null;

function load() {
  if (state) return state;
  const doc = parse(readFileSync(SPEC_PATH, 'utf8'));
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false });
  // RFC 3339 date-time, as the server writes it (UTC, Z).
  ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
  // The component schemas become the $defs of one schema with an $id, so
  // "#/components/schemas/X" references resolve against it.
  const rewrite = (v) => JSON.parse(JSON.stringify(v).replaceAll('"#/components/schemas/', '"openapi.json#/$defs/'));
  ajv.addSchema({ $id: 'openapi.json', $defs: rewrite((doc.components || {}).schemas || {}) });
  const ops = [];
  for (const [p, item] of Object.entries(doc.paths)) {
    const re = new RegExp('^' + p.split(/\{[^}]+\}/).map((s) => s.replace(/[.*+?^$()|[\]\\]/g, '\\$&')).join('[^/]+') + '$');
    for (const m of METHODS) {
      if (item[m]) ops.push({ method: m.toUpperCase(), path: p, re, op: item[m] });
    }
  }
  state = { doc, ajv, ops, rewrite, compiled: new Map() };
  return state;
}

// Resolves a local "#/components/..." reference (responses are referenced).
function deref(doc, obj) {
  while (obj && obj.$ref) {
    obj = obj.$ref.replace(/^#\//, '').split('/').reduce((o, k) => o[k], doc);
  }
  return obj;
}

// The operation for a method and a path (the raw path of the URL), or null.
export function findOperation(method, pathname) {
  const { ops } = load();
  const m = method === 'HEAD' ? 'GET' : method;
  const hit = ops.find((o) => o.method === m && o.re.test(pathname));
  return hit || null;
}

// Every operation of the document: [{id, method, path, op}].
export function operations() {
  return load().ops.map((o) => ({ id: o.op.operationId, method: o.method, path: o.path, op: o.op }));
}

function record(line) {
  const dir = process.env.PARLEY_OPENAPI_SEEN;
  if (dir) appendFileSync(path.join(dir, `${process.pid}.txt`), line + '\n');
}

function validator(key, schema) {
  const s = load();
  let v = s.compiled.get(key);
  if (!v) {
    v = s.ajv.compile(s.rewrite(schema));
    s.compiled.set(key, v);
  }
  return v;
}

// res: {status, headers (a Headers or a plain object), text, json}.
export function checkResponse(method, url, res) {
  const u = new URL(url, 'http://localhost');
  const hit = findOperation(method, u.pathname);
  if (!hit) {
    if (u.pathname.startsWith('/api/') && res.status < 400) record(`? ${method} ${u.pathname} ${res.status}`);
    return null;
  }
  const { doc } = load();
  const id = hit.op.operationId;
  const where = `${method} ${u.pathname} (${id}) answered ${res.status}`;
  const responses = hit.op.responses;
  const key = String(res.status) in responses ? String(res.status) : 'default';
  const spec = deref(doc, responses[key]);
  if (!spec) throw new Error(`${where}: docs/openapi.yaml documents no such status`);
  if (key === 'default' && res.status < 400) {
    throw new Error(`${where}: docs/openapi.yaml documents no such success status`);
  }
  const get = (h) => (typeof res.headers.get === 'function' ? res.headers.get(h) : res.headers[h.toLowerCase()]);
  const ctype = (get('content-type') || '').split(';')[0].trim();
  const isHead = method === 'HEAD';
  if (!spec.content) {
    if (res.text) throw new Error(`${where}: a body where docs/openapi.yaml documents none: ${res.text.slice(0, 200)}`);
  } else {
    const media = spec.content[ctype];
    if (!media) {
      throw new Error(`${where}: content type "${ctype}", docs/openapi.yaml documents ${Object.keys(spec.content).join(', ')}`);
    }
    if (ctype === 'application/json' && !isHead) {
      let body = res.json;
      if (body === undefined || body === null) {
        try {
          body = JSON.parse(res.text);
        } catch {
          throw new Error(`${where}: the body is not JSON: ${String(res.text).slice(0, 200)}`);
        }
      }
      const v = validator(`${id} ${key} ${ctype}`, media.schema || {});
      if (!v(body)) {
        const errs = v.errors.map((e) => `  ${e.instancePath || '(body)'} ${e.message}${e.params ? ' ' + JSON.stringify(e.params) : ''}`);
        throw new Error(`${where}: the body breaks docs/openapi.yaml:\n${errs.join('\n')}\nbody: ${String(res.text).slice(0, 600)}`);
      }
    }
  }
  record(`${id} ${res.status}`);
  return id;
}
