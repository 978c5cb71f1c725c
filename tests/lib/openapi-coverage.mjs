// tests/lib/openapi-coverage.mjs: after `make api`, fails when an operation
// of docs/openapi.yaml was never answered with a 2xx (or 304, or a redirect
// the document gives as its success) that matched
// the document, so every endpoint is exercised and checked at least once.
//
// An operation that only a test outside Client exercises (its own HTTP code,
// a stream, another protocol) is marked in the document with
//   x-tested-by: api/NAME.test.mjs
// (relative to tests/); it counts as covered when that file exists and names
// the operation's path (its part before the first {parameter}).
//
// Also prints, without failing, the /api/ routes tests reached that the
// document does not describe: an endpoint added after the document was last
// brought up to date, to be described in docs/API.md and docs/openapi.yaml.
//
// Usage: node lib/openapi-coverage.mjs ../docs/openapi.yaml DIR
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const [file, dir] = process.argv.slice(2);
if (!file || !dir) {
  console.error('usage: node lib/openapi-coverage.mjs OPENAPI.yaml SEEN_DIR');
  process.exit(2);
}
const testsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const doc = parse(readFileSync(file, 'utf8'));
const seen = new Map(); // operationId -> Set of statuses
const unknown = new Set();
for (const name of readdirSync(dir)) {
  for (const line of readFileSync(path.join(dir, name), 'utf8').split('\n')) {
    if (!line) continue;
    if (line.startsWith('? ')) {
      unknown.add(line.slice(2).replace(/ \d+$/, ''));
      continue;
    }
    const [id, status] = line.split(' ');
    if (!seen.has(id)) seen.set(id, new Set());
    seen.get(id).add(Number(status));
  }
}

const missing = [];
let total = 0;
let byFile = 0;
for (const [p, item] of Object.entries(doc.paths)) {
  for (const m of ['get', 'put', 'post', 'delete', 'patch']) {
    const op = item[m];
    if (!op) continue;
    total++;
    const statuses = seen.get(op.operationId) || new Set();
    if ([...statuses].some((s) => (s >= 200 && s < 300) || s === 304 || [301, 302, 303, 307].includes(s))) continue;
    const by = op['x-tested-by'];
    if (by) {
      const f = path.join(testsDir, by);
      const stem = p.split('{')[0];
      if (existsSync(f) && readFileSync(f, 'utf8').includes(stem)) {
        byFile++;
        continue;
      }
      missing.push(`${m.toUpperCase()} ${p} (${op.operationId}): x-tested-by ${by} does not exist or never names ${stem}`);
      continue;
    }
    const got = statuses.size ? `only answered ${[...statuses].sort().join(', ')}` : 'never called';
    missing.push(`${m.toUpperCase()} ${p} (${op.operationId}): ${got}`);
  }
}
for (const u of [...unknown].sort()) {
  console.warn(`openapi-coverage: note: ${u} answered without error but docs/openapi.yaml does not describe it`);
}
if (missing.length) {
  console.error(`openapi-coverage: ${missing.length} of ${total} operations were not exercised with a success by any API test:`);
  for (const m of missing) console.error(`  ${m}`);
  console.error('Add a test that calls each through Client (tests/lib/server.mjs), or mark it x-tested-by.');
  process.exit(1);
}
console.log(`openapi-coverage: all ${total} operations of ${path.basename(file)} answered and matched the document` +
  (byFile ? ` (${byFile} through x-tested-by)` : ''));
