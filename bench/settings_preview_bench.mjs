// bench/settings_preview_bench.mjs: how long a preview of a settings change takes
// (POST /mod/settings/preview: two engines built on the hashing thread, the newest N comments
// read on a connection of its own and judged with both), for N = 1,000 and 5,000, with a change
// and with none (one engine built), and what it does to the loop meanwhile: a reader's GET of a
// thread timed while previews of 5,000 run back to back, against the same GETs alone.
// The comments are the texts of bench/evasion.tsv and bench/spam_news.tsv (abuse, disguised
// abuse, spam, clean news comments), posted by 40 readers on 100 articles, 5,200 in all.
// Run from tests/: PARLEY_BIN=../build/parley node ../bench/settings_preview_bench.mjs
// (PARLEY_TEST_DB_URL=postgres://... under tests/pg.sh -- for PostgreSQL). The server's log line
// "settings preview" splits each preview into build, read and judge times.
import { readFileSync } from 'node:fs';
import { startServer, createUser, Client } from '../tests/lib/server.mjs';

const texts = [];
for (const l of readFileSync(new URL('evasion.tsv', import.meta.url), 'utf8').split('\n')) {
  const f = l.split('\t');
  if (f.length >= 4 && f[3].trim()) texts.push(f[3]);
}
for (const l of readFileSync(new URL('spam_news.tsv', import.meta.url), 'utf8').split('\n')) {
  const f = l.split('\t');
  if (!l.startsWith('#') && f.length >= 2 && f[1].trim()) texts.push(f[1]);
}
const srv = await startServer();
createUser(srv.dbUrl, { email: 'a@example.com', name: 'Admin', role: 'admin' });
const admin = new Client(srv.url);
await admin.login('a@example.com');
// Abusive texts would suspend their authors (auto_suspend_after): not here.
const put = await admin.put('/api/v1/mod/settings', { version: 0, settings: { auto_suspend_after: 1000, auto_suspend_window_h: 1 } });
if (put.status !== 200) throw new Error(`PUT ${put.status} ${put.text}`);
const readers = [];
for (let i = 0; i < 40; i++) {
  const c = new Client(srv.url);
  await c.register(`Reader ${i}`, `r${i}@example.com`);
  readers.push(c);
}
const TOTAL = 5200;
let next = 0;
async function worker() {
  while (next < TOTAL) {
    const i = next++;
    const res = await readers[i % readers.length].post(`/api/v1/articles/bench-${i % 100}/comments`,
      { body: `${texts[i % texts.length]} (${i})` });
    if (res.status !== 201 && res.status !== 422) throw new Error(`POST ${res.status} ${res.text}`); // 422: stored, rejected
  }
}
let t0 = Date.now();
await Promise.all(Array.from({ length: 8 }, worker));
console.log(`seeded ${TOTAL} comments in ${((Date.now() - t0) / 1000).toFixed(0)} s`);

const change = { 'policy.profanity': 'hold', 'moderation.hold_at': 0.5, 'words.block': ['replica watches', 'council'] };
const med = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };
async function preview(limit, settings) {
  const t = process.hrtime.bigint();
  const res = await admin.post(`/api/v1/mod/settings/preview?limit=${limit}`, { settings });
  if (res.status !== 200) throw new Error(`preview ${res.status} ${res.text}`);
  return { ms: Number(process.hrtime.bigint() - t) / 1e6, json: res.json };
}
const runs = { 'change 1000': [], 'change 5000': [], 'none 1000': [], 'none 5000': [] };
let last;
for (let round = 0; round < 5; round++) {
  for (const [name, limit, settings] of [['change 1000', 1000, change], ['none 1000', 1000, {}], ['change 5000', 5000, change], ['none 5000', 5000, {}]]) {
    const r = await preview(limit, settings);
    runs[name].push(r.ms);
    if (name === 'change 5000') last = r.json;
  }
}
for (const [name, v] of Object.entries(runs)) console.log(`preview ${name}: median ${med(v).toFixed(0)} ms (${v.map((x) => x.toFixed(0)).join(', ')})`);
console.log(`last preview of 5000 with the change: now ${JSON.stringify(last.decisions.now)}, then ${JSON.stringify(last.decisions.then)}, ${last.changed_total} changed`);
const lines = srv.log().split('\n').filter((l) => l.includes('msg="settings preview"'));
const part = (k) => med(lines.filter((l) => / sample=5000 /.test(l)).map((l) => Number(l.match(new RegExp(`${k}=(\\d+)`))[1])));
console.log(`server's split for 5000 (medians): build ${part('build_ms')} ms, read ${part('read_ms')} ms, judge ${part('judge_ms')} ms`);

// The loop while previews run: a reader's GETs of a thread.
const reader = new Client(srv.url);
const gets = async (stop) => {
  const t = [];
  for (let i = 0; stop ? !stop() : i < 100; i++) {
    const s = process.hrtime.bigint();
    await reader.get('/api/v1/articles/bench-1/comments?limit=20');
    t.push(Number(process.hrtime.bigint() - s) / 1e6);
  }
  return t;
};
const pct = (a, p) => { const s = [...a].sort((x, y) => x - y); return s[Math.min(s.length - 1, Math.floor(s.length * p))].toFixed(1); };
const alone = await gets();
let busy = true;
const bg = (async () => { for (let i = 0; i < 3; i++) await preview(5000, change); busy = false; })();
const during = await gets(() => !busy);
await bg;
console.log(`GET thread alone: median ${pct(alone, 0.5)} ms, p90 ${pct(alone, 0.9)} ms, worst ${pct(alone, 1)} ms (${alone.length})`);
console.log(`GET thread during 3 previews of 5000: median ${pct(during, 0.5)} ms, p90 ${pct(during, 0.9)} ms, worst ${pct(during, 1)} ms (${during.length})`);
await srv.stop();
