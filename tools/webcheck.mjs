// tools/webcheck.mjs: the style check for web/ (`make format` runs it).
//
// Every file in web/ must be UTF-8 with LF line ends, no tabs, no trailing
// blanks and one final newline. Scripts must parse (node --check) and lines
// must stay within a limit per kind of file: 200 characters in scripts and
// styles (the widget's one-line arrow functions), 300 in HTML (the demo
// article's paragraphs are one line each); Markdown pages are one paragraph
// per line, as cmark reads them, so they have no limit. Prints one line per
// fault (file:line: what) and exits 1 when there is any.
//
// Usage: node tools/webcheck.mjs [DIR]   (default: web)
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const LIMITS = { '.js': 200, '.mjs': 200, '.css': 200, '.html': 300, '.md': Infinity };

function files(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else out.push(p);
  }
  return out;
}

const root = process.argv[2] || 'web';
const faults = [];
let checked = 0;
for (const file of files(root)) {
  const ext = path.extname(file);
  const limit = LIMITS[ext];
  if (limit === undefined) continue; // images and fonts: nothing to check
  checked++;
  const bytes = readFileSync(file);
  let text;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    faults.push(`${file}: not valid UTF-8`);
    continue;
  }
  if (text.length > 0 && !text.endsWith('\n')) faults.push(`${file}: no newline at the end`);
  if (text.endsWith('\n\n')) faults.push(`${file}: blank lines at the end`);
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    const at = `${file}:${i + 1}`;
    if (line.endsWith('\r')) faults.push(`${at}: CRLF line end`);
    if (line.includes('\t')) faults.push(`${at}: tab (indent with spaces)`);
    if (/[ \t]+\r?$/.test(line)) faults.push(`${at}: trailing blanks`);
    const len = [...line].length;
    if (len > limit) faults.push(`${at}: ${len} characters (at most ${limit} in ${ext} files)`);
  });
  if (ext === '.js' || ext === '.mjs') {
    const r = spawnSync(process.execPath, ['--check', file], { encoding: 'utf8' });
    if (r.status !== 0) faults.push(`${file}: does not parse:\n${r.stderr.trim()}`);
  }
}
for (const f of faults) console.error(f);
if (faults.length > 0) {
  console.error(`webcheck: ${faults.length} fault(s) in ${root}/`);
  process.exit(1);
}
console.log(`webcheck: ${checked} files in ${root}/ follow the web style`);
