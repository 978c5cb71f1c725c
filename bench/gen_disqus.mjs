// bench/gen_disqus.mjs: writes a synthetic Disqus export for measuring
// `parley import disqus` (docs/IMPORT.md, "Memory and time").
//
//   node bench/gen_disqus.mjs POSTS THREADS [AUTHORS] > export.xml
//
// Deterministic (a fixed-seed generator): POSTS posts spread over THREADS
// threads, about a third of them replies (some to parents later in the
// file), 2% deleted, 1% spam, AUTHORS authors (default 300: the same export
// as before the argument existed), messages of 100 to 1,500 characters of
// HTML with paragraphs, links, emphasis and entities.
const posts = Number(process.argv[2] || 20000);
const threads = Number(process.argv[3] || 1000);
const authors = Number(process.argv[4] || 300);
let seed = 42;
// mulberry32: small, fast and evenly spread.
const rnd = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = (a) => a[Math.floor(rnd() * a.length)];
const words = 'the council budget vote road school park mayor plan tax bus water housing people city ' +
  'think agree never always reason point article report question answer local new old';
const W = words.split(' ');
const sentence = () => {
  const n = 6 + Math.floor(rnd() * 14);
  const ws = Array.from({ length: n }, () => pick(W));
  if (rnd() < 0.2) ws[1] = `<b>${ws[1]}</b>`;
  if (rnd() < 0.1) ws[2] = `<a href="https://example.com/${ws[2]}">${ws[2]}</a>`;
  if (rnd() < 0.1) ws[3] = `${ws[3]} &amp; ${pick(W)}`;
  return ws.join(' ') + '.';
};
const message = () => {
  const target = 100 + Math.floor(rnd() * 1400);
  let s = '';
  while (s.length < target) s += `<p>${sentence()} ${sentence()}</p>`;
  return s;
};
const out = [];
out.push('<?xml version="1.0" encoding="utf-8"?>');
out.push('<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">');
for (let t = 1; t <= threads; t++) {
  out.push(`<thread dsq:id="${t}"><id>bench-${t}</id><forum>news</forum><link>https://news.example.com/a/${t}.html</link>` +
    `<title>Article ${t}</title><message/><createdAt>2015-01-01T00:00:00Z</createdAt>` +
    '<isClosed>false</isClosed><isDeleted>false</isDeleted></thread>');
}
const byThread = new Map();
const forced = new Map(); // post -> thread, for parents named before they appear
for (let p = 1; p <= posts; p++) {
  const t = forced.get(p) || 1 + Math.floor(rnd() * threads);
  const prev = byThread.get(t) || [];
  let parent = '';
  if (prev.length && !forced.has(p) && rnd() < 0.35) parent = `<parent dsq:id="${pick(prev)}"/>`;
  // Now and then a reply names a parent that comes later in the file.
  if (!parent && rnd() < 0.02 && p + 1 <= posts && !forced.has(p + 1)) {
    parent = `<parent dsq:id="${p + 1}"/>`;
    forced.set(p + 1, t);
  }
  prev.push(p);
  byThread.set(t, prev);
  const a = Math.floor(rnd() * authors);
  const ts = new Date(Date.UTC(2015, 0, 1) + p * 60000).toISOString().replace(/\.\d+Z$/, 'Z');
  out.push(`<post dsq:id="${p}"><id/><message><![CDATA[${message()}]]></message><createdAt>${ts}</createdAt>` +
    `<isDeleted>${rnd() < 0.02}</isDeleted><isSpam>${rnd() < 0.01}</isSpam>` +
    `<author><name>Reader ${a}</name><email>reader${a}@example.com</email><isAnonymous>false</isAnonymous>` +
    `<username>reader${a}</username></author><ipAddress>192.0.2.${a % 250}</ipAddress>` +
    `<thread dsq:id="${t}"/>${parent}</post>`);
  // Written in batches: a million posts would pass V8's longest string.
  if (out.length >= 4096) {
    process.stdout.write(out.join('\n') + '\n');
    out.length = 0;
  }
}
out.push('</disqus>');
process.stdout.write(out.join('\n') + '\n');
