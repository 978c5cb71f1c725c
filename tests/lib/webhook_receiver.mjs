// tests/lib/webhook_receiver.mjs: a webhook receiver on loopback for the
// API and browser tests (tests/api/webhooks.test.mjs, tests/browser/).
//
// receiver() starts a node http server on 127.0.0.1 port 0 that records
// every request, checks its X-Parley-Signature itself (HMAC-SHA256 of the
// raw body under SECRET) and answers r.status (a number, or a function of
// the request count). r.next(pred) resolves with the first delivery that
// matches, as soon as it arrives; every wait is bounded, so a missing
// delivery fails the test instead of hanging it.
import http from 'node:http';
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SECRET = 'a shared webhook secret';

export function signatureOk(raw, header, secret = SECRET) {
  const want = 'sha256=' + createHmac('sha256', secret).update(raw).digest('hex');
  return typeof header === 'string' && header.length === want.length &&
    timingSafeEqual(Buffer.from(header), Buffer.from(want));
}

// A loopback receiver: records every request, answers `status` (a number or
// a function of the request count).
export async function receiver() {
  const got = [];
  const waiters = [];
  const r = { got, status: 200 };
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const d = {
        at: Date.now(),
        method: req.method,
        path: req.url,
        headers: req.headers,
        raw: raw.toString('utf8'),
        signed: signatureOk(raw, req.headers['x-parley-signature']),
        json: JSON.parse(raw.toString('utf8')),
      };
      got.push(d);
      const status = typeof r.status === 'function' ? r.status(got.length) : r.status;
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(status < 300 ? 'ok' : 'not now');
      for (const w of waiters.splice(0)) w();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  r.url = `http://127.0.0.1:${server.address().port}/hooks/parley?token=abc`;
  // Resolves with the first delivery (from index `from`) matching pred.
  r.next = (pred, { from = 0, timeoutMs = 15000 } = {}) => new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no matching delivery within ${timeoutMs} ms; got ${JSON.stringify(got.map((g) => [g.headers['x-parley-event'], g.json.id]))}`)), timeoutMs);
    const check = () => {
      const hit = got.slice(from).find(pred);
      if (hit) { clearTimeout(timer); resolve(hit); } else waiters.push(check);
    };
    check();
  });
  r.count = (pred) => got.filter(pred).length;
  r.close = () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); });
  return r;
}

export const event = (name) => (d) => d.headers['x-parley-event'] === name;

// Resolves once the server's log matches re: the sender logs each outcome
// after recording it, so the delivery log is up to date by then.
export function waitLog(srv, re, timeoutMs = 15000) {
  return new Promise((resolve, reject) => {
    const done = (fn, v) => { clearTimeout(timer); srv.proc.stderr.off('data', check); fn(v); };
    const check = () => { const m = srv.log().match(re); if (m) done(resolve, m); };
    const timer = setTimeout(() => done(reject, new Error(`no log line ${re} within ${timeoutMs} ms:\n${srv.log().slice(-2000)}`)), timeoutMs);
    srv.proc.stderr.on('data', check);
    check();
  });
}

