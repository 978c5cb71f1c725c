// bench/settings_bench.mjs: how long saving a settings version takes (PUT /mod/settings: the
// engine checked on the hashing thread, the version committed, a new engine built and swapped on
// the writer before the answer), beside a GET of the settings and a POST /check, 21 of each,
// medians. Then what a save does to the node's other writes: a reader posts comments one after
// the other (a POST of a comment goes through the writer) while nothing else happens, then while
// an admin saves settings versions back to back; the POSTs' latencies are compared (median, 90th
// percentile, worst).
// Run from tests/: PARLEY_BIN=../build/parley node ../bench/settings_bench.mjs
import { startServer, createUser, Client } from '../tests/lib/server.mjs';
const srv = await startServer();
createUser(srv.dbUrl, { email: 'a@example.com', name: 'Admin', role: 'admin' });
const c = new Client(srv.url);
await c.login('a@example.com');
const put = [], get = [], check = [];
let v = 0;
const r0 = new Client(srv.url);
await r0.register('R', 'r@example.com');
await r0.post('/api/v1/articles/b/comments', { body: 'A first comment on the bench article.' });
for (let i = 0; i < 21; i++) {
  let t = process.hrtime.bigint();
  const res = await c.put('/api/v1/mod/settings', { version: v, settings: { flag_threshold: 3 + (i % 2) + 1 } });
  put.push(Number(process.hrtime.bigint() - t) / 1e6);
  v = res.json.version;
  t = process.hrtime.bigint();
  await c.get('/api/v1/mod/settings');
  get.push(Number(process.hrtime.bigint() - t) / 1e6);
  t = process.hrtime.bigint();
  await r0.post('/api/v1/check', { article_id: 'b', body: 'Another calm comment about the bench.' });
  check.push(Number(process.hrtime.bigint() - t) / 1e6);
}
const med = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)].toFixed(1); };
console.log(`PUT median ${med(put)} ms, GET median ${med(get)} ms, POST /check median ${med(check)} ms (21 each), version ${v}`);

// A reader's POSTs alone, then during saves.
const posts = async (n, stop) => {
  const t = [];
  for (let i = 0; stop ? !stop() : i < n; i++) {
    const t0 = process.hrtime.bigint();
    const res = await r0.post('/api/v1/articles/b/comments', { body: `Calm comment number ${i} on the bench article.` });
    if (res.status !== 201 && res.status !== 202) throw new Error(`POST ${res.status}`);
    t.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return t;
};
const pct = (a, p) => { const s = [...a].sort((x, y) => x - y); return s[Math.min(s.length - 1, Math.floor(s.length * p))].toFixed(1); };
const alone = await posts(60);
let saving = true;
const saves = (async () => {
  for (let i = 0; i < 15; i++) {
    const res = await c.put('/api/v1/mod/settings', { version: v, settings: { flag_threshold: 3 + (i % 2) + 1 } });
    v = res.json.version;
  }
  saving = false;
})();
const during = await posts(0, () => !saving);
await saves;
console.log(`POST comment alone: median ${pct(alone, 0.5)} ms, p90 ${pct(alone, 0.9)} ms, worst ${pct(alone, 1)} ms (${alone.length})`);
console.log(`POST comment during 15 saves: median ${pct(during, 0.5)} ms, p90 ${pct(during, 0.9)} ms, worst ${pct(during, 1)} ms (${during.length})`);
await srv.stop();
