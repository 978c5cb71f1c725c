// bench/sse_hold.mjs: holds N live-update streams open on one article for
// bench/mixed_bench.sh. Writes "ready N" to READY_FILE once every stream is
// connected; on SIGTERM writes how many streams saw at least one event and
// exits. Usage: node bench/sse_hold.mjs PORT ARTICLE N READY_FILE
import net from 'node:net';
import { writeFileSync } from 'node:fs';

const [port, article, nArg, readyFile] = process.argv.slice(2);
const n = Number(nArg);
const socks = [];
function open() {
  return new Promise((resolve, reject) => {
    const s = net.connect(Number(port), '127.0.0.1', () => {
      s.write(`GET /api/v1/articles/${article}/events HTTP/1.1\r\nHost: x\r\n\r\n`);
    });
    let got = '';
    s.on('data', (d) => {
      if (s.sawEvent) return;
      got += d;
      if (!s.ready && got.includes(': connected')) { s.ready = true; resolve(s); }
      if (got.includes('"created"')) s.sawEvent = true;
    });
    s.on('error', reject);
  });
}
for (let i = 0; i < n; i += 250) {
  const batch = [];
  for (let k = i; k < Math.min(n, i + 250); k++) batch.push(open());
  socks.push(...await Promise.all(batch));
}
writeFileSync(readyFile, `ready ${socks.length}\n`);
process.on('SIGTERM', () => {
  writeFileSync(readyFile, `ready ${socks.length}\nsaw_event ${socks.filter((s) => s.sawEvent).length}\n`);
  for (const s of socks) s.destroy();
  process.exit(0);
});
setInterval(() => {}, 1 << 30);
