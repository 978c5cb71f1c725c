// bench/settings_bench.mjs: how long saving a settings version takes (PUT /mod/settings: the
// engine checked on the hashing thread, the version committed, a new engine built and swapped on
// the writer before the answer), beside a GET of the settings and a POST /check, 21 of each,
// medians. Run from tests/: PARLEY_BIN=../build/parley node ../bench/settings_bench.mjs
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
await srv.stop();
