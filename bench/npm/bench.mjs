// bench/npm/bench.mjs: the npm profanity filters allprofanity and obscenity
// on the same ~1 KB comments and evasion set as bench/moderation_bench.c.
//
// Usage: node bench.mjs COMMENTS_FILE EVASION_TSV
// Speed is CPU time of this process (process.cpuUsage), like the C bench's
// thread CPU time; p50/p99 per comment are wall-clock (process.hrtime).
// Catch rate: share of evasion lines labelled 1 that the filter flags; clean
// flagged: share of lines labelled 0 that it flags.
import fs from 'node:fs';
import profanity from 'allprofanity';
import { RegExpMatcher, englishDataset, englishRecommendedTransformers } from 'obscenity';

const [commentsPath, evasionPath] = process.argv.slice(2);
if (!commentsPath || !evasionPath) {
  console.error('usage: node bench.mjs COMMENTS_FILE EVASION_TSV');
  process.exit(2);
}
const comments = fs.readFileSync(commentsPath, 'utf8').split('\n').filter(Boolean);
const evasion = fs.readFileSync(evasionPath, 'utf8').split('\n').filter(Boolean).map(l => {
  const [id, label, source, text] = l.split('\t');
  return { id, label: label === '1', source, text };
});

const obscenity = new RegExpMatcher({ ...englishDataset.build(), ...englishRecommendedTransformers });
const filters = {
  allprofanity: t => profanity.check(t),
  obscenity: t => obscenity.hasMatch(t),
};

for (const [name, check] of Object.entries(filters)) {
  // Warm up, then time passes over all comments for at least 2 s of CPU.
  for (let i = 0; i < Math.min(200, comments.length); i++) check(comments[i]);
  const lat = [];
  let n = 0, bytes = 0, flagged = 0;
  const c0 = process.cpuUsage();
  let cpu = 0;
  do {
    for (const t of comments) {
      const s = process.hrtime.bigint();
      const f = check(t);
      lat.push(Number(process.hrtime.bigint() - s) / 1000);
      flagged += f ? 1 : 0;
      n++;
      bytes += Buffer.byteLength(t);
    }
    const c = process.cpuUsage(c0);
    cpu = (c.user + c.system) / 1e6;
  } while (cpu < 2);
  lat.sort((a, b) => a - b);
  let pos = 0, caught = 0, neg = 0, fp = 0;
  for (const e of evasion) {
    const f = check(e.text);
    if (e.label) { pos++; caught += f ? 1 : 0; } else { neg++; fp += f ? 1 : 0; }
  }
  console.log(`${name.padEnd(13)} ${String(n).padStart(7)} comments ${(n / cpu).toFixed(0).padStart(8)} comments/s ` +
    `${(bytes / cpu / 1e6).toFixed(2).padStart(6)} MB/s  p50 ${lat[lat.length >> 1].toFixed(1)} us  ` +
    `p99 ${lat[Math.floor(lat.length * 0.99)].toFixed(1)} us  flagged ${(100 * flagged / n).toFixed(1)}%`);
  console.log(`${''.padEnd(13)} evasion set: caught ${caught}/${pos} (${(100 * caught / pos).toFixed(1)}%), ` +
    `clean flagged ${fp}/${neg} (${(100 * fp / neg).toFixed(1)}%)`);
}
