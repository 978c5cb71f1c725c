// tests/lib/openapi-validate.mjs: validates docs/openapi.yaml against the
// OpenAPI 3.1 specification with @readme/openapi-parser (`make openapi`).
// Also checks what the parser does not: every operation has an operationId
// and answers errors with a `default` response, so that tests/lib/openapi.mjs
// can match every real response to a documented one.
//
// Usage: node lib/openapi-validate.mjs ../docs/openapi.yaml
import { readFileSync } from 'node:fs';
import { validate, compileErrors } from '@readme/openapi-parser';
import { parse } from 'yaml';

const file = process.argv[2];
if (!file) {
  console.error('usage: node lib/openapi-validate.mjs OPENAPI.yaml');
  process.exit(2);
}
const doc = parse(readFileSync(file, 'utf8'));
const result = await validate(structuredClone(doc));
const problems = [];
if (!result.valid) problems.push(compileErrors(result));
if (doc.openapi !== '3.1.0') problems.push(`openapi is ${doc.openapi}, expected 3.1.0`);
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];
let n = 0;
for (const [p, item] of Object.entries(doc.paths || {})) {
  for (const m of METHODS) {
    const op = item[m];
    if (!op) continue;
    n++;
    if (!op.operationId) problems.push(`${m.toUpperCase()} ${p}: no operationId`);
    if (!op.responses || !op.responses.default) problems.push(`${m.toUpperCase()} ${p}: no default (error) response`);
    // A success is a 2xx, or for an endpoint a browser navigates to (OpenID
    // Connect's start and callback) a redirect.
    if (!Object.keys(op.responses || {}).some((s) => /^(2|30[1237])/.test(s))) problems.push(`${m.toUpperCase()} ${p}: no 2xx (or redirect) response`);
  }
}
if (problems.length) {
  console.error(`${file} is not valid:\n${problems.join('\n')}`);
  process.exit(1);
}
if (result.warnings && result.warnings.length) console.warn(compileErrors(result));
console.log(`openapi: ${file} is valid OpenAPI ${doc.openapi} (${n} operations)`);
