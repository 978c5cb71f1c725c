// tools/i18ncheck.mjs: the widget's catalogues against the widget
// (`make test` runs it as `make i18n`).
//
// The keys the widget uses are the quoted names inside the first argument
// of every t(...) and tk(...) call in web/embed.js and web/panel.js (both branches of a
// `cond ? 'a' : 'b'` count), and the families built as 'prefix_' + value:
// flag_ for each of REASONS, sort_ for each of SORTS, why_ for each
// moderation rule of src/moderation/policy.c. Every catalogue in web/i18n/ must hold exactly
// those keys (no missing one, no unused one; names starting with "@" are
// notes, and each catalogue must have "@about"); an entry with plural forms
// must give every category Intl.PluralRules knows for its language, and
// each translation must use the same {placeholders} as English. The widget's
// LANGS list and the files must name the same languages, and the key table
// of docs/widget.md must list exactly the keys used. Prints one line per
// fault and exits 1 when there is any.
//
// Usage: node tools/i18ncheck.mjs [WEBDIR]   (default: web)
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const web = process.argv[2] || 'web';
// The account panel (panel.js) is loaded by embed.js and uses its t().
const src = ['embed.js', 'panel.js'].map((f) => readFileSync(path.join(web, f), 'utf8')).join('\n').replace(/^\s*\/\/.*$/gm, '');
const faults = [];

// The first argument of each call: up to a comma or closing parenthesis at depth 0.
const used = new Set();
for (const m of src.matchAll(/\bt[k]?\(/g)) {
  let depth = 0, i = m.index + m[0].length, arg = '';
  for (; i < src.length; i++) {
    const c = src[i];
    if (c === "'") { const j = src.indexOf("'", i + 1); arg += src.slice(i, j + 1); i = j; continue; }
    if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) { if (depth === 0) break; depth--; } else if (c === ',' && depth === 0) break;
    arg += c;
  }
  // A literal compared with (code === 'x') is a value, not a key.
  const keys = [...arg.matchAll(/(?<![=!]==\s*)'([a-z][a-z0-9_]*)'(?!\s*\+)/g)].map((k) => k[1]);
  // Only t's and tk's own definitions pass a variable (`key`).
  if (!keys.length && !/^\s*('[a-z]+_' \+|key\s*$)/.test(arg)) faults.push(`web/embed.js: t(${arg.trim()}): write the key out`);
  for (const k of keys) used.add(k);
}
const list = (name) => JSON.parse(src.match(new RegExp(`const ${name} = (\\[[^\\]]*\\])`))[1].replace(/'/g, '"'));
const langs = list('LANGS');

// Keys built from a prefix and a value ('flag_' + reason): each family names
// where its values come from, and every value's key counts as used.
const rules = readFileSync(path.join(web, '..', 'src', 'moderation', 'policy.c'), 'utf8')
  .match(/rule_names\[[^\]]*\] = \{([^}]*)\}/)[1].match(/"\w+"/g).map((x) => x.slice(1, -1));
const FAMILIES = { flag_: list('REASONS'), sort_: list('SORTS'), why_: rules };
for (const m of src.matchAll(/'([a-z]+_)' \+/g)) {
  if (!FAMILIES[m[1]]) faults.push(`web/embed.js: keys built from '${m[1]}' + ...: add the family to tools/i18ncheck.mjs`);
  else for (const v of FAMILIES[m[1]]) used.add(m[1] + v);
}

const holes = (s) => [...String(s).matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort().join(',');
const files = readdirSync(path.join(web, 'i18n')).filter((f) => f.endsWith('.json')).sort();
const cats = {};
for (const f of files) {
  const lang = f.slice(0, -5);
  try {
    cats[lang] = JSON.parse(readFileSync(path.join(web, 'i18n', f), 'utf8'));
  } catch (e) {
    faults.push(`web/i18n/${f}: not JSON: ${e.message}`);
  }
}
if (!cats.en) faults.push('web/i18n/en.json: missing (English is the reference)');
for (const l of langs) if (!cats[l] && l !== 'en') faults.push(`web/i18n/${l}.json: missing (LANGS in embed.js names ${l})`);
for (const l of Object.keys(cats)) if (!langs.includes(l)) faults.push(`web/i18n/${l}.json: ${l} is not in LANGS of embed.js`);

for (const [lang, cat] of Object.entries(cats)) {
  const at = `web/i18n/${lang}.json`;
  if (typeof cat['@about'] !== 'string') faults.push(`${at}: no "@about" note`);
  const cats_ = new Intl.PluralRules(lang).resolvedOptions().pluralCategories;
  for (const k of used) if (!(k in cat)) faults.push(`${at}: missing key "${k}"`);
  for (const [k, v] of Object.entries(cat)) {
    if (k.startsWith('@')) continue;
    if (!used.has(k)) { faults.push(`${at}: key "${k}" is not used by embed.js or panel.js`); continue; }
    const ref = cats.en && cats.en[k];
    const refHoles = holes(typeof ref === 'object' && ref ? ref.other : ref);
    if (typeof v === 'string') {
      if (typeof ref === 'object') faults.push(`${at}: "${k}" needs plural forms`);
      else if (holes(v) !== refHoles) faults.push(`${at}: "${k}" has placeholders {${holes(v)}}, English {${refHoles}}`);
      if (!v.trim()) faults.push(`${at}: "${k}" is empty`);
    } else if (v && typeof v === 'object') {
      if (typeof ref !== 'object') faults.push(`${at}: "${k}" has plural forms but English has one sentence`);
      for (const c of cats_) if (typeof v[c] !== 'string') faults.push(`${at}: "${k}" lacks the plural form "${c}"`);
      for (const c of Object.keys(v)) {
        if (!cats_.includes(c)) faults.push(`${at}: "${k}" has a form "${c}" that ${lang} does not use`);
        // "one" may spell the number out ("un commentaire" is fine as "1 commentaire" too), the rest must show it.
        else if (holes(v[c]) !== refHoles && !(c !== 'other' && holes(v[c]) === '' && refHoles === 'n'))
          faults.push(`${at}: "${k}" form "${c}" has placeholders {${holes(v[c])}}, English {${refHoles}}`);
      }
    } else faults.push(`${at}: "${k}" is neither a sentence nor plural forms`);
  }
}
// docs/widget.md documents every key: the table after the i18n-keys marker.
const doc = readFileSync(path.join(web, '..', 'docs', 'widget.md'), 'utf8').split('<!-- i18n-keys')[1] || '';
const documented = new Set([...doc.split('\n\n#')[0].matchAll(/^\| `([a-z0-9_]+)` \|/gm)].map((m) => m[1]));
for (const k of used) if (!documented.has(k)) faults.push(`docs/widget.md: key "${k}" is not in the key table`);
for (const k of documented) if (!used.has(k)) faults.push(`docs/widget.md: the key table lists "${k}", which the widget does not use`);

for (const f of faults) console.error(f);
if (faults.length) process.exit(1);
console.log(`i18n: ${Object.keys(cats).length} catalogues, ${used.size} keys each, all present and used`);
