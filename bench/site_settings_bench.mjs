// bench/site_settings_bench.mjs: what each site's own settings cost (docs/SITES.md, "A site's own
// settings"): the server's resident memory with no site, then with N sites that each have
// settings of their own (a policy, a word list and a guidelines page: each gets its own config,
// an engine that shares the server's model and dictionary, and its page), so the memory per
// extra site, and what each further save adds (RSS, and the heap's bytes in use as glibc's
// malloc_stats() counts them, read by attaching gdb when it is installed: RSS alone hides a
// few hundred kB behind the allocator's free lists); and how long a save takes (PUT /mod/settings, the server's and one site's) with no
// site of its own and with N, 11 of each, medians. Each save rebuilds every site's layer.
// Run from tests/: PARLEY_BIN=../build/parley node ../bench/site_settings_bench.mjs [N]
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { startServer, createUser, Client } from '../tests/lib/server.mjs';

const N = Number(process.argv[2] || 50);
const srv = await startServer();
createUser(srv.dbUrl, { email: 'a@example.com', name: 'Admin', role: 'admin' });
const c = new Client(srv.url);
await c.login('a@example.com');
const rss = () => Number(readFileSync(`/proc/${srv.proc.pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)[1]);
// The heap's bytes in use (all arenas and mmap), or NaN without gdb: malloc_stats() prints
// them on the server's stderr; waits for its total line there.
const heap = () => new Promise((resolve) => {
  let text = '';
  const onData = (chunk) => {
    text += chunk.toString();
    const m = text.match(/Total \(incl\. mmap\):\s*system bytes\s*=\s*\d+\s*in use bytes\s*=\s*(\d+)/);
    if (m) { srv.proc.stderr.off('data', onData); resolve(Number(m[1])); }
  };
  srv.proc.stderr.on('data', onData);
  const g = spawnSync('gdb', ['-p', String(srv.proc.pid), '-batch', '-nx', '-ex', 'call (void)malloc_stats()'], { encoding: 'utf8' });
  if (g.status !== 0 || g.error) { srv.proc.stderr.off('data', onData); resolve(NaN); }
});
const med = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };
const ok = (res) => { if (res.status !== 200 && res.status !== 201) throw new Error(`${res.status} ${res.text}`); return res; };

let server = 0;
// 11 saves of the server's settings and 11 of one site's (site given), ms each.
async function saves(site) {
  const t = { server: [], site: [] };
  let sv = site ? (await c.get(`/api/v1/mod/settings?site=${site}`)).json.version : 0;
  for (let i = 0; i < 11; i++) {
    let t0 = process.hrtime.bigint();
    server = ok(await c.put('/api/v1/mod/settings', { version: server, settings: { flag_threshold: 4 + (i % 2) } })).json.version;
    t.server.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (!site) continue;
    t0 = process.hrtime.bigint();
    sv = ok(await c.put(`/api/v1/mod/settings?site=${site}`, { version: sv, settings: { flag_threshold: 4 + (i % 2) } })).json.version;
    t.site.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return t;
}

// Warm up (the first engine swap, the allocator's arenas), then the baseline.
await saves(null);
const before = rss();
const t0 = await saves(null);
const guide = '# Our rules\n\n' + 'Be kind to each other and stay on the subject of the article. '.repeat(20);
for (let i = 1; i <= N; i++) {
  ok(await c.post('/api/v1/mod/sites', { slug: `s${i}`, name: `Site ${i}` }));
  ok(await c.put(`/api/v1/mod/settings?site=s${i}`, {
    version: 0,
    settings: { 'policy.profanity': 'publish', 'words.block': [`word${i}`], 'pages.guidelines': `${guide}\n\nSite ${i}.` },
  }));
}
const made = rss();
const heapMade = await heap();
const t1 = await saves('s1');
const after = rss();
const heapAfter = await heap();
console.log(`load ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
console.log(`RSS: ${before} kB with no site of its own, ${made} kB once ${N} have theirs (${((made - before) / N).toFixed(1)} kB per site,`
  + ` ${N} saves made them), ${after} kB after 22 more saves (${((after - made) / 22).toFixed(1)} kB per save)`);
console.log(`heap in use: ${heapMade} bytes once ${N} have theirs, ${heapAfter} after the 22 saves (${((heapAfter - heapMade) / 22 / 1024).toFixed(2)} kB per save)`);
console.log(`PUT /mod/settings (server's), no site of its own: median ${med(t0.server).toFixed(1)} ms (11)`);
console.log(`PUT /mod/settings (server's), ${N} sites of their own: median ${med(t1.server).toFixed(1)} ms (11)`);
console.log(`PUT /mod/settings?site= (one site's), ${N} sites of their own: median ${med(t1.site).toFixed(1)} ms (11)`);
await srv.stop();
