// bench/seed.mjs: posts N comments to one article as fast as the server
// takes them (64 in flight), for the benchmarks' big threads.
// Usage: node bench/seed.mjs BASE_URL COOKIE ARTICLE N
const [base, cookie, article, nArg] = process.argv.slice(2);
const n = Number(nArg);
let next = 0, done = 0, failed = 0;
async function worker() {
  while (next < n) {
    const i = next++;
    const r = await fetch(`${base}/api/v1/articles/${article}/comments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie },
      body: JSON.stringify({ body: `Seeded comment ${i}: the council's budget plan moves money from roads to schools; residents can speak at the hearing next week.` }),
    });
    await r.arrayBuffer();
    if (r.status === 201) done++; else failed++;
  }
}
await Promise.all(Array.from({ length: 64 }, worker));
if (failed) { console.error(`seed: ${failed} posts failed`); process.exit(1); }
console.error(`seed: ${done} comments on ${article}`);
