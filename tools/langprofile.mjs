// tools/langprofile.mjs: builds data/langid/profiles.tsv, the character
// trigram profiles src/moderation/langid.c detects a comment's language with
// (`make langid`; docs/MODERATION.md, "Languages").
//
// The text: the translations Debian packages install as gettext catalogues,
// /usr/share/locale/LANG/LC_MESSAGES/*.mo (menus, messages and help of GTK,
// GLib, apt, PAM, PackageKit and the like, written by each language's
// translation teams; English is their msgids). Lists of names (the iso_*
// catalogues: countries, currencies, languages) are left out. Each string is
// cleaned of markup, format directives and mnemonics; a catalogue whose
// strings are mostly the English originals (untranslated) is skipped. Files
// are read in name order and every third string is held out for testing
// (`node tools/langprofile.mjs --test`), so a rerun on the same machine gives
// the same profiles.
//
// Text is folded as langid.c folds it: lower case, Arabic-script vowel marks
// and tatweel removed, anything not a letter a word break, each word padded
// with one space on either side. The TOP most frequent trigrams of each
// language are kept with their cost, round(-100 * ln p); a trigram outside a
// language's list costs that language's floor.
//
// Usage: node tools/langprofile.mjs [--locale DIR] [--out FILE] [--test]
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';

const LANGS = { en: null, es: ['es'], fr: ['fr'], de: ['de'], pt: ['pt', 'pt_BR'], it: ['it'], nl: ['nl'],
  pl: ['pl'], tr: ['tr'], ar: ['ar'], fa: ['fa'], he: ['he'] };
const TOP = 1200;
const MAX_CHARS = 400000; // per language, training part
const args = process.argv.slice(2);
const opt = (k, d) => { const i = args.indexOf(k); return i >= 0 ? args[i + 1] : d; };
const LOCALE = opt('--locale', '/usr/share/locale');
const OUT = opt('--out', 'data/langid/profiles.tsv');

function readMo(file) {
  const b = readFileSync(file);
  if (b.length < 28) return [];
  let le = b.readUInt32LE(0) === 0x950412de;
  if (!le && b.readUInt32BE(0) !== 0x950412de) return [];
  const u32 = (o) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const n = u32(8), orig = u32(12), trans = u32(16), out = [];
  for (let i = 0; i < n; i++) {
    const ol = u32(orig + 8 * i), oo = u32(orig + 8 * i + 4);
    const tl = u32(trans + 8 * i), to = u32(trans + 8 * i + 4);
    if (ol === 0) continue; // the header entry
    const id = b.toString('utf8', oo, oo + ol).split('\0')[0];
    const str = b.toString('utf8', to, to + tl).split('\0')[0];
    out.push([id, str]);
  }
  return out;
}

const clean = (s) => s.replace(/<[^>]*>/g, ' ').replace(/%(\d+\$)?[-+ #0]*\d*(\.\d+)?[a-zA-Z]/g, ' ')
  .replace(/\{[^}]*\}/g, ' ').replace(/[_&~](?=\p{L})/gu, '').replace(/\\[nt]/g, ' ');

export function fold(s) {
  return s.normalize('NFC').toLowerCase().replace(/[\u064B-\u065F\u0670\u0640]/g, '')
    .replace(/[^\p{L}]+/gu, ' ').trim();
}
export function trigrams(text) {
  const out = [];
  for (const w of fold(text).split(' ')) {
    if (!w) continue;
    const c = [' ', ...w, ' '];
    for (let i = 0; i + 3 <= c.length; i++) out.push(c[i] + c[i + 1] + c[i + 2]);
  }
  return out;
}

function strings(lang) {
  const dirs = lang === 'en' ? ['de'] : LANGS[lang];
  const got = [];
  for (const d of dirs) {
    const dir = path.join(LOCALE, d, 'LC_MESSAGES');
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).sort()) {
      if (!f.endsWith('.mo') || f.startsWith('iso_')) continue;
      const pairs = readMo(path.join(dir, f));
      const same = pairs.filter(([a, b]) => a === b).length;
      if (lang !== 'en' && same > pairs.length / 3) continue; // mostly untranslated
      for (const [id, str] of pairs) {
        const t = clean(lang === 'en' ? id : str);
        if (lang !== 'en' && str === id) continue;
        if (fold(t).replace(/ /g, '').length >= 4) got.push(t);
      }
    }
  }
  return got;
}

const data = {};
for (const l of Object.keys(LANGS)) {
  const all = strings(l);
  data[l] = { train: all.filter((_, i) => i % 3 !== 2), test: all.filter((_, i) => i % 3 === 2) };
}

if (args.includes('--test')) {
  // Prints what the held-out strings are detected as, by length, with the
  // profiles in OUT (the same scoring as langid.c, without its thresholds).
  const prof = {}, floor = {};
  for (const line of readFileSync(OUT, 'utf8').split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const [l, t, c] = line.split('\t');
    if (t === '') { floor[l] = +c; continue; }
    (prof[t] = prof[t] || {})[l] = +c;
  }
  const langs = Object.keys(floor);
  for (const l of langs) {
    let ok = 0, n = 0;
    for (const s of data[l].test.slice(0, 2000)) {
      const tg = trigrams(s);
      if (tg.length < 8) continue;
      let best = null, bc = Infinity;
      for (const x of langs) {
        let c = 0;
        for (const g of tg) c += prof[g] && prof[g][x] != null ? prof[g][x] : floor[x];
        if (c < bc) { bc = c; best = x; }
      }
      n++; ok += best === l;
    }
    console.log(`${l}\t${n} held-out strings of 8+ trigrams\t${(100 * ok / n).toFixed(1)}% right`);
  }
  process.exit(0);
}

let out = `# Character trigram profiles for src/moderation/langid.c, built by tools/langprofile.mjs
# from the gettext catalogues of Debian packages (see that file). Columns: language, trigram
# (spaces mark word edges), cost = round(-100 ln p). An empty trigram gives the language's floor.
`;
for (const l of Object.keys(LANGS)) {
  const counts = new Map();
  let total = 0, chars = 0;
  for (const s of data[l].train) {
    if (chars > MAX_CHARS) break;
    chars += s.length;
    for (const g of trigrams(s)) { counts.set(g, (counts.get(g) || 0) + 1); total++; }
  }
  const top = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, TOP);
  const cost = (n) => Math.round(-100 * Math.log(n / total));
  const fl = cost(top[top.length - 1][1]) + 70; // unseen: about half as likely as the rarest kept
  out += `${l}\t\t${fl}\n`;
  for (const [g, n] of top) out += `${l}\t${g}\t${cost(n)}\n`;
  process.stderr.write(`${l}: ${data[l].train.length} strings, ${chars} characters, ${total} trigrams, ${counts.size} distinct\n`);
}
writeFileSync(OUT, out);
