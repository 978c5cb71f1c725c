// bench/widget_bench.mjs: how fast the widget shows a 100-comment thread,
// and how much it weighs.
//
// Starts a real `parley serve` (PARLEY_BIN, default ../build/parley) with a
// fresh SQLite database, seeds one article with 100 comments (80 top-level,
// 20 replies) through the API, then opens a page with the two-line embed in
// headless Chromium RUNS times (default 15), each in a fresh browser context
// (nothing cached: a first visit). The time is the widget's own
// performance.mark('parley:rendered'), set right after the comments are in
// the DOM, measured from navigation start. Reported: median, min and max for
// the default page size (25 top-level comments) and for data-page-size=100
// (the whole thread at once), with when embed.js, the comments answer and
// embed.css arrived (Resource Timing), and embed.js + embed.css gzipped (-9).
//
// Run: make build/parley && node bench/widget_bench.mjs   (from the repository root)
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.env.PARLEY_BIN ||= path.join(root, 'build', 'parley');
const require = createRequire(path.join(root, 'tests', 'package.json'));
const { chromium } = require('playwright-core');
const { startServer, Client } = await import(path.join(root, 'tests', 'lib', 'server.mjs'));

const RUNS = Number(process.env.RUNS || 15);
const ARTICLE = 'bench-thread';
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };

const server = await startServer();
let browser;
try {
  const users = [];
  for (let i = 0; i < 5; i++) {
    const c = new Client(server.url);
    const r = await c.register(`Bench Reader ${i}`, `bench${i}@example.org`);
    if (r.status !== 201) throw new Error(`register: ${r.status} ${r.text}`);
    users.push(c);
  }
  const tops = [];
  for (let i = 0; i < 100; i++) {
    const u = users[i % users.length];
    const parent = i >= 80 ? tops[(i * 7) % tops.length] : null;
    const body = `Comment ${i + 1}: the library's telescope scheme is *exactly* the kind of thing a town library should do. ` +
      'It costs little, it brings people together, and children who look at Saturn once tend to remember it for the rest of their lives.';
    const r = await u.post(`/api/v1/articles/${ARTICLE}/comments`, { body, parent_id: parent });
    if (r.status !== 201 || r.json.comment.status !== 'published') throw new Error(`seed: ${r.status} ${r.text}`);
    if (!parent) tops.push(r.json.comment.id);
  }

  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--disable-quic', '--no-first-run'],
  });
  const results = {};
  for (const [label, size, expect] of [['default page (25 top-level + their replies)', null, null], ['whole thread (data-page-size=100)', 100, 100]]) {
    const times = [];
    for (let run = 0; run < RUNS + 1; run++) {
      const ctx = await browser.newContext();
      const page = await ctx.newPage();
      const extra = size ? ` data-page-size="${size}"` : '';
      await page.route(`${server.url}/bench`, (r) => r.fulfill({ contentType: 'text/html; charset=utf-8', body:
        `<!doctype html><html lang="en"><meta charset="utf-8"><title>Bench</title><h1>Article</h1><p>Text.</p><div id="parley" data-article-id="${ARTICLE}"${extra}></div><script src="/embed.js" async></script></html>` }));
      await page.goto(`${server.url}/bench`);
      await page.waitForFunction(() => performance.getEntriesByName('parley:rendered').length > 0);
      const t = await page.evaluate(() => {
        const end = (re) => { const e = performance.getEntriesByType('resource').find((r) => re.test(r.name)); return e ? e.responseEnd : NaN; };
        return { rendered: performance.getEntriesByName('parley:rendered')[0].startTime, js: end(/\/embed\.js/), api: end(/\/comments\?/), css: end(/\/embed\.css/) };
      });
      const n = await page.locator('article.pl-c').count();
      if (expect && n !== expect) throw new Error(`rendered ${n} comments, expected ${expect}`);
      if (run > 0) times.push(t); // run 0 warms the server and the browser process
      await ctx.close();
    }
    const r = times.map((x) => x.rendered);
    results[label] = { median: median(r), min: Math.min(...r), max: Math.max(...r),
      js: median(times.map((x) => x.js)), api: median(times.map((x) => x.api)), css: median(times.map((x) => x.css)) };
  }
  const js = readFileSync(path.join(root, 'web', 'embed.js'));
  const css = readFileSync(path.join(root, 'web', 'embed.css'));
  const gz = (b) => gzipSync(b, { level: 9 }).length;
  console.log(`Widget bench, ${new Date().toISOString().slice(0, 10)}, ${os.cpus()[0].model.trim()} x${os.cpus().length}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}, Chromium ${browser.version()}, ${RUNS} runs`);
  for (const [label, r] of Object.entries(results))
    console.log(`- navigation start to comments rendered, ${label}: median ${r.median.toFixed(1)} ms (min ${r.min.toFixed(1)}, max ${r.max.toFixed(1)}); ` +
      `medians of when embed.js arrived ${r.js.toFixed(1)} ms, the comments answer ${r.api.toFixed(1)} ms, embed.css ${r.css.toFixed(1)} ms`);
  console.log(`- size: embed.js ${js.length} B raw, ${gz(js)} B gzipped; embed.css ${css.length} B raw, ${gz(css)} B gzipped; together ${gz(js) + gz(css)} B gzipped (budget 15360)`);
} finally {
  await browser?.close();
  await server.stop();
}
