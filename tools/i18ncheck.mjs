// tools/i18ncheck.mjs: the widget's catalogues against the widget, and the
// server's own (pages, account pages, desk) against what uses them
// (`make test` runs it as `make i18n`).
//
// The keys the widget uses are the quoted names inside the first argument
// of every t(...) and tk(...) call in web/embed.js and web/panel.js (both branches of a
// `cond ? 'a' : 'b'` count), and the families built as 'prefix_' + value:
// flag_ for each of REASONS, sort_ for each of SORTS, bad_ for each of FIELDS (a
// refused field's sentence), why_ for each
// moderation rule of src/moderation/policy.c. Every catalogue in web/i18n/ must hold exactly
// those keys (no missing one, no unused one; names starting with "@" are
// notes, and each catalogue must have "@about"); an entry with plural forms
// must give every category Intl.PluralRules knows for its language, and
// each translation must use the same {placeholders} as English. The widget's
// LANGS list and the files must name the same languages, and the key table
// of docs/widget.md must list exactly the keys used.
//
// The server's catalogues (web/i18n/site/) hold the keys of every {{t:KEY}}
// in the HTML the server fills in (SITE_HTML), the page titles of
// src/app/pages.c, the keys the server's C names (SITE_C: the mails, the
// error pages), and the t('key') calls of the desk (SITE_JS); their
// languages must be i18n_langs of src/app/i18n.c, and docs/I18N.md's
// key table must list exactly those keys. The same rules hold for each of
// them. Prints one line per fault and exits 1 when there is any.
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
const FAMILIES = { flag_: list('REASONS'), sort_: list('SORTS'), why_: rules, bad_: list('FIELDS') };
for (const m of src.matchAll(/'([a-z]+_)' \+/g)) {
  if (!FAMILIES[m[1]]) faults.push(`web/embed.js: keys built from '${m[1]}' + ...: add the family to tools/i18ncheck.mjs`);
  else for (const v of FAMILIES[m[1]]) used.add(m[1] + v);
}

const holes = (s) => [...String(s).matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort().join(',');
function readCatalogues(dir, shown) {
  const cats = {};
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.json')).sort()) {
    try {
      cats[f.slice(0, -5)] = JSON.parse(readFileSync(path.join(dir, f), 'utf8'));
    } catch (e) {
      faults.push(`${shown}/${f}: not JSON: ${e.message}`);
    }
  }
  if (!cats.en) faults.push(`${shown}/en.json: missing (English is the reference)`);
  return cats;
}

// Each catalogue of cats against the keys in used (users: who uses them, for the faults).
function checkCatalogues(cats, used, shown, users) {
  for (const [lang, cat] of Object.entries(cats)) {
    const at = `${shown}/${lang}.json`;
    if (typeof cat['@about'] !== 'string') faults.push(`${at}: no "@about" note`);
    const cats_ = new Intl.PluralRules(lang).resolvedOptions().pluralCategories;
    for (const k of used) if (!(k in cat)) faults.push(`${at}: missing key "${k}"`);
    for (const [k, v] of Object.entries(cat)) {
      if (k.startsWith('@')) continue;
      if (!used.has(k)) { faults.push(`${at}: key "${k}" is not used by ${users}`); continue; }
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
          // A form other than "other" may spell the number out and leave {n} out ("un commentaire",
          // "تعليق واحد"); every other placeholder must stay.
          else if (holes(v[c]) !== refHoles && !(c !== 'other' && holes(v[c]) === refHoles.split(',').filter((h) => h !== 'n').join(',')))
            faults.push(`${at}: "${k}" form "${c}" has placeholders {${holes(v[c])}}, English {${refHoles}}`);
        }
      } else faults.push(`${at}: "${k}" is neither a sentence nor plural forms`);
    }
  }
}

// The keys a doc's table lists (the table after the marker) against used.
function checkKeyTable(docPath, marker, used, shown, users) {
  const doc = readFileSync(docPath, 'utf8').split(marker)[1] || '';
  const documented = new Set([...doc.split('\n\n#')[0].matchAll(/^\| `([a-z0-9_]+)` \|/gm)].map((m) => m[1]));
  for (const k of used) if (!documented.has(k)) faults.push(`${shown}: key "${k}" is not in the key table`);
  for (const k of documented) if (!used.has(k)) faults.push(`${shown}: the key table lists "${k}", which ${users} does not use`);
}

const cats = readCatalogues(path.join(web, 'i18n'), 'web/i18n');
for (const l of langs) if (!cats[l] && l !== 'en') faults.push(`web/i18n/${l}.json: missing (LANGS in embed.js names ${l})`);
for (const l of Object.keys(cats)) if (!langs.includes(l)) faults.push(`web/i18n/${l}.json: ${l} is not in LANGS of embed.js`);
checkCatalogues(cats, used, 'web/i18n', 'embed.js or panel.js');
checkKeyTable(path.join(web, '..', 'docs', 'widget.md'), '<!-- i18n-keys', used, 'docs/widget.md', 'the widget');

// ---- the server's own catalogues ----------------------------------------
const SITE_HTML = ['page.html', 'index.html', 'account/reset.html', 'account/verify.html', 'account/unsubscribe.html', 'admin/index.html'];
const SITE_JS = ['admin/desk.js'];
const SITE_C = ['src/api/notify.c', 'src/api/password.c', 'src/app/pages.c', 'src/api/oidc.c'];
const siteUsed = new Set();
for (const f of SITE_HTML) {
  const html = readFileSync(path.join(web, f), 'utf8');
  for (const m of html.matchAll(/\{\{t:([^}]*)\}\}/g)) {
    if (!/^[a-z][a-z0-9_]*$/.test(m[1])) faults.push(`web/${f}: {{t:${m[1]}}}: keys are lower-case words`);
    siteUsed.add(m[1]);
  }
}
const pagesC = readFileSync(path.join(web, '..', 'src', 'app', 'pages.c'), 'utf8');
for (const m of pagesC.matchAll(/\{"\/\w+", "(\w+)", "\/pages\//g)) siteUsed.add(m[1]);
// The server's C: every string literal among the arguments of an
// i18n_text(...) or i18n_format(...) call, and every literal "mail_..." or
// "oidc_err_..." (the mails and the sign-in pages name some keys in tables).
for (const f of SITE_C) {
  const c = readFileSync(path.join(web, '..', f), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
  for (const m of c.matchAll(/\bi18n_(?:text|format)\(/g)) {
    let depth = 0, i = m.index + m[0].length;
    for (; i < c.length && !(c[i] === ')' && depth === 0); i++) {
      if (c[i] === '"') { i = c.indexOf('"', i + 1); continue; }
      if (c[i] === '(') depth++; else if (c[i] === ')') depth--;
    }
    for (const k of c.slice(m.index, i).matchAll(/"([a-z][a-z0-9_]*)"/g)) siteUsed.add(k[1]);
  }
  // (Not an error code of the API: req_send_error(r, 409, "mail_disabled", ...).)
  for (const k of c.matchAll(/(?<!\d{3},\s*)"((?:mail|oidc_err)_[a-z0-9_]+)"/g)) siteUsed.add(k[1]);
}
for (const f of SITE_JS) {
  const js = readFileSync(path.join(web, f), 'utf8').replace(/^\s*\/\/.*$/gm, '');
  // The first argument: a key written out, or a choice of keys written out (cond ? 'a' : 'b').
  for (const m of js.matchAll(/\bt[n]?\(([^),{]*)/g)) {
    const keys = [...m[1].matchAll(/(?<![=!]==\s*)'([a-z][a-z0-9_]*)'/g)].map((k) => k[1]);
    if (!keys.length && !/^key\b/.test(m[1].trim())) faults.push(`web/${f}: t(${m[1].trim()}): write the key out`);
    for (const k of keys) siteUsed.add(k);
  }
}
// The desk's help of each setting: desk_seth_ and the setting's name (dots as
// underscores) for every row of src/app/settings.c (the desk falls back to the
// server's English help for a key the catalogue lacks; every catalogue must have them all).
for (const m of readFileSync(path.join(web, '..', 'src', 'app', 'settings.c'), 'utf8').matchAll(/^\s*S\("([a-z0-9_.]+)"/gm))
  siteUsed.add(`desk_seth_${m[1].replace(/[^a-z0-9]+/g, '_')}`);
const siteCats = readCatalogues(path.join(web, 'i18n', 'site'), 'web/i18n/site');
const cLangs = JSON.parse(readFileSync(path.join(web, '..', 'src', 'app', 'i18n.c'), 'utf8')
  .match(/i18n_langs\[\] = \{([^}]*)\}/)[1].replace(/\s+/g, '').replace(/^/, '[').replace(/,?$/, ']'));
for (const l of cLangs) if (!siteCats[l]) faults.push(`web/i18n/site/${l}.json: missing (i18n_langs of src/app/i18n.c names ${l})`);
for (const l of Object.keys(siteCats)) if (!cLangs.includes(l)) faults.push(`web/i18n/site/${l}.json: ${l} is not in i18n_langs of src/app/i18n.c`);
for (const l of langs) if (!cLangs.includes(l)) faults.push(`src/app/i18n.c: the widget has ${l}, the server's pages do not`);
checkCatalogues(siteCats, siteUsed, 'web/i18n/site', 'the pages or the desk');
checkKeyTable(path.join(web, '..', 'docs', 'I18N.md'), '<!-- site-keys', siteUsed, 'docs/I18N.md', 'the pages or the desk');

for (const f of faults) console.error(f);
if (faults.length) process.exit(1);
console.log(`i18n: ${Object.keys(cats).length} widget catalogues, ${used.size} keys each; ${Object.keys(siteCats).length} site catalogues, ${siteUsed.size} keys each; all present and used`);
