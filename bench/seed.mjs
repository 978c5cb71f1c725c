// bench/seed.mjs: posts N comments to one article as fast as the server
// takes them (64 in flight), for the benchmarks' big threads.
// Usage: node bench/seed.mjs BASE_URL COOKIE ARTICLE N
//
// Under load the server may refuse or close connections ("fetch failed").
// A comment is a write, so a failed POST is only sent again where that
// cannot store it twice:
// - refused: the connection was never made (ECONNREFUSED, a connect
//   timeout), so the server read nothing. Sent again after a short
//   back-off, up to RETRIES times.
// - closed: the connection broke after the request may have gone out
//   (ECONNRESET, EPIPE, "other side closed"), or no answer came within
//   TIMEOUT_MS (30 s, SEED_TIMEOUT_MS; a server over max_connections closes new connections in a
//   way Node's fetch may never notice: without the timeout the seeding
//   hung, then exited 13 with the posts unsettled). Only a 201 acknowledges a
//   comment, and a broken connection says neither yes nor no, so it is not
//   sent again blindly. Each comment carries its index ("Seeded comment
//   I:"). When every other request has been answered, one empty
//   `PUT /api/v1/me/notifications` (a write that changes nothing) goes
//   through the server's one writer, which commits in submission order and
//   answers after the commit (docs/ARCHITECTURE.md): a comment the server
//   took before it closed the connection is committed once that PUT is
//   answered. Then the thread is read page by page and only the indexes
//   missing from it are posted again (in up to RETRIES rounds, each with half
//   the connections of the one before).
// The reads of the thread and that empty PUT change nothing, so they are
// sent again after any connection failure.
// Any other answer than 201 (a 4xx or 5xx) was read by the server and is not
// sent again: it counts as failed, and the seeding exits 1.
const [base, cookie, article, nArg] = process.argv.slice(2);
const n = Number(nArg);
const RETRIES = 5;
const TIMEOUT_MS = Number(process.env.SEED_TIMEOUT_MS) || 30000;
let failed = 0;
const closed = new Set(); // indexes whose POST broke after it may have been sent

function body(i) {
  return `Seeded comment ${i}: the council's budget plan moves money from roads to schools; residents can speak at the hearing next week.`;
}

class Timeout extends Error {}

// fetch, given up after TIMEOUT_MS (a timer that keeps the process alive,
// which AbortSignal.timeout's does not).
async function timedFetch(url, opts) {
  const ac = new AbortController();
  const t = setTimeout(() => ac.abort(new Timeout(`no answer in ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
  try {
    const r = await fetch(url, { ...opts, signal: ac.signal });
    // The status line is the server's answer; a body cut short changes nothing.
    await r.arrayBuffer().then((b) => { r.bytes = b; }, () => {});
    return r;
  } finally {
    clearTimeout(t);
  }
}

// 'refused' when the request cannot have reached the server, 'closed' when
// it may have, null when fetch did not fail on the connection.
function connectionFailure(e) {
  const codes = [];
  for (let c = e; c; c = c.cause) if (c.code) codes.push(c.code);
  if (codes.some((c) => c === 'ECONNREFUSED' || c === 'UND_ERR_CONNECT_TIMEOUT')) return 'refused';
  if (e instanceof Timeout || (e instanceof TypeError && e.message === 'fetch failed')) return 'closed';
  return null;
}

// Posts comment i: true when acknowledged (201), false when the server
// answered otherwise; a closed connection puts i into `closed`.
async function post(i) {
  for (let attempt = 0; ; attempt++) {
    let r;
    try {
      r = await timedFetch(`${base}/api/v1/articles/${article}/comments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie },
        body: JSON.stringify({ body: body(i) }),
      });
    } catch (e) {
      const kind = connectionFailure(e);
      if (kind === 'refused' && attempt < RETRIES) {
        await new Promise((res) => setTimeout(res, 50 << attempt)); // back-off, not synchronisation
        continue;
      }
      if (kind === 'closed') {
        closed.add(i);
        return false;
      }
      throw e;
    }
    if (r.status === 201) return true;
    failed++;
    return false;
  }
}

async function run(indexes, workers) {
  let next = 0;
  async function worker() {
    while (next < indexes.length) await post(indexes[next++]);
  }
  await Promise.all(Array.from({ length: workers }, worker));
}

// fetch for a request that changes nothing: sent again after any connection
// failure, up to RETRIES times.
async function fetchAgain(url, opts) {
  for (let attempt = 0; ; attempt++) {
    try {
      const r = await timedFetch(url, opts);
      if (r.bytes === undefined) throw new TypeError('fetch failed'); // the body was cut short
      return r;
    } catch (e) {
      if (!connectionFailure(e) || attempt >= RETRIES) throw e;
      await new Promise((res) => setTimeout(res, 50 << attempt));
    }
  }
}

// The seeded indexes the thread holds (every top-level comment, page by page).
async function stored() {
  const b = await fetchAgain(`${base}/api/v1/me/notifications`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', cookie },
    body: '{}',
  });
  if (b.status !== 200) throw new Error(`seed: the writer barrier answered ${b.status}`);
  const seen = new Set();
  let after = null;
  do {
    const q = `sort=oldest&limit=100${after ? `&after=${encodeURIComponent(after)}` : ''}`;
    const r = await fetchAgain(`${base}/api/v1/articles/${article}/comments?${q}`, { headers: { cookie } });
    if (r.status !== 200) throw new Error(`seed: reading the thread answered ${r.status}`);
    const page = JSON.parse(new TextDecoder().decode(r.bytes));
    for (const c of page.comments) {
      const m = /Seeded comment (\d+):/.exec(c.html);
      if (m) seen.add(Number(m[1]));
    }
    after = page.next;
  } while (after);
  return seen;
}

await run(Array.from({ length: n }, (_, i) => i), 64);
// Each round of posting again uses half the connections of the one before.
for (let round = 0; closed.size > 0 && round < RETRIES; round++) {
  const seen = await stored();
  const missing = [...closed].filter((i) => !seen.has(i));
  console.error(`seed: ${closed.size} posts lost their connection, ${missing.length} of them not stored: posting those again`);
  closed.clear();
  await run(missing, Math.max(1, 64 >> (round + 1)));
}
if (closed.size) failed += closed.size;
if (failed) { console.error(`seed: ${failed} posts failed`); process.exit(1); }
console.error(`seed: ${n} comments on ${article}`);
