// bench/npm/make_evasion.mjs: builds bench/evasion.tsv, the evasion test set
// shared by bench/moderation_bench.c and bench/npm/bench.mjs.
//
// Usage: node make_evasion.mjs DATA_DIR > ../evasion.tsv
// DATA_DIR is ../shared/data (the Surge AI obscenity list, MIT, and HateCheck,
// CC BY 4.0; see data/lexicon/README.md for credits). Columns: id, label
// (1: contains profanity, vulgarity or a slur; 0: clean), source, text.
// Deterministic: the same data gives the same file.
import fs from 'node:fs';
import path from 'node:path';

const dataDir = process.argv[2];
if (!dataDir) {
  console.error('usage: node make_evasion.mjs DATA_DIR');
  process.exit(2);
}

// A small CSV reader (quoted fields, doubled quotes, CRLF).
function parseCsv(text) {
  const rows = [];
  let row = [], field = '', q = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (q) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') q = false;
      else field += c;
    } else if (c === '"') q = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\n') { row.push(field.replace(/\r$/, '')); rows.push(row); row = []; field = ''; }
    else field += c;
  }
  if (field || row.length) { row.push(field); rows.push(row); }
  const head = rows.shift();
  return rows.filter(r => r.length === head.length).map(r => Object.fromEntries(head.map((h, i) => [h, r[i]])));
}

const out = [];
const clean = s => s.replace(/[\t\r\n]+/g, ' ').trim();
const add = (label, source, text) => out.push([label, source, clean(text)]);

// 1. Surge AI list: obfuscated spellings (digits, symbols, separators) of
// unambiguous strong words.
const strong = new Set(['fuck', 'shit', 'cunt', 'bitch', 'ass', 'dick', 'cock', 'pussy', 'nigger',
  'faggot', 'whore', 'slut', 'motherfucker', 'bastard', 'twat', 'wank', 'prick', 'tit', 'jizz',
  'cum', 'piss', 'spic', 'kike', 'chink', 'retard', 'skank']);
const surge = parseCsv(fs.readFileSync(path.join(dataDir, 'lexicons/surge-ai-profanity/profanity_en.csv'), 'utf8'));
for (const r of surge) {
  const t = r.text;
  if (!strong.has(r.canonical_form_1) || r.severity_description === 'Mild') continue;
  if (/^[a-z ]+$/i.test(t)) continue; // plain spelling: not an evasion
  add(1, 'surge_obfuscated', `what a ${t} that was`);
}

// 2. HateCheck spelling variations that hide a slur or a swear word.
const hc = parseCsv(fs.readFileSync(path.join(dataDir, 'hatecheck/test_suite_cases.csv'), 'utf8'));
const swear = /fuk|fuck|bullsiht|shit|bitch|cunt/i;
for (const r of hc) {
  if (!r.functionality.startsWith('spell_')) continue;
  if (!(r.focus_words.includes('SLUR') || swear.test(r.focus_words))) continue;
  add(1, r.functionality, r.test_case);
}

// 3. Unicode and spelling tricks applied to strong words in sentences.
const words = ['fuck', 'shit', 'cunt', 'bitch', 'asshole', 'motherfucker', 'bastard', 'whore',
  'slut', 'nigger', 'faggot', 'twat', 'wanker', 'bullshit', 'fucking', 'dickhead'];
const homo = { a: '\u0430', e: '\u0435', o: '\u043e', c: '\u0441', p: '\u0440', x: '\u0445', y: '\u0443', i: '\u0456', s: '\u0455' };
const leet = { a: '4', e: '3', i: '1', o: '0', s: '5', t: '7' };
const cp = (base, ch) => String.fromCodePoint(base + ch.charCodeAt(0) - 97);
const firstVowel = w => w.search(/[aeiou]/);
const tricks = {
  zero_width: w => [...w].join('\u200b'),
  soft_hyphen: w => [...w].join('\u00ad'),
  homoglyph: w => [...w].map(c => homo[c] || c).join(''),
  fullwidth: w => [...w].map(c => String.fromCodePoint(c.charCodeAt(0) + 0xfee0)).join(''),
  math_bold: w => [...w].map(c => cp(0x1d41a, c)).join(''),
  circled: w => [...w].map(c => cp(0x24d0, c)).join(''),
  combining: w => [...w].map(c => c + '\u0301').join(''),
  spaced: w => [...w].join(' '),
  dotted: w => [...w].join('.'),
  stretched: w => { const i = firstVowel(w); return w.slice(0, i) + w[i].repeat(6) + w.slice(i + 1); },
  masked: w => { const i = firstVowel(w); return w.slice(0, i) + '*' + w.slice(i + 1); },
  leet: w => [...w].map(c => leet[c] || c).join(''),
  upper_mixed: w => [...w].map((c, i) => i % 2 ? c.toUpperCase() : c).join(''),
  leet_zero_width: w => [...w].map(c => leet[c] || c).join('\u200b'),
};
const templates = ['what a {} this is', '{} to the council', 'total {} from start to end'];
let k = 0;
for (const [name, f] of Object.entries(tricks))
  for (const w of words)
    add(1, 'trick_' + name, templates[k++ % templates.length].replace('{}', f(w)));

// 4. Clean text: the Scunthorpe traps, the same tricks on innocent words,
// and HateCheck's neutral and positive mentions of identities.
const traps = ['Scunthorpe United won again', 'The Penistone line reopens', 'Roads in Middlesex, Essex and Sussex',
  'A cocktail bar on the high street', 'A Dickens festival in December', 'The assassin was never caught',
  'A classic case of bad planning', 'He plays bass in a band', 'The grape harvest was poor',
  'My therapist says hello', 'The analysis of the budget', 'Shitake mushrooms on the menu',
  'A peacock in the cockpit', 'The assessment of passenger numbers', 'Hancock resigned in June',
  'Cucumber salad with cumin', 'The title went to the Titans', 'Arsenal lost again',
  'Matsushita built the plant', 'I heard a snigger from the back row', 'Japan and Pakistan signed the deal',
  'Dick Cheney spoke at the conference', 'The harassment inquiry reports', 'A raccoon found a cocoon',
  'Good grief, good news at last', 'Document the circumstances', 'The shell company was dissolved',
  'Hello from Essex', 'The class assignment is due', 'Assumptions about the mass transit budget'];
for (const t of traps) add(0, 'scunthorpe', t);
const innocent = ['classic', 'cocktail', 'scunthorpe', 'assassin', 'therapist', 'analysis', 'hello', 'document'];
for (const [name, f] of Object.entries(tricks))
  for (const w of innocent) add(0, 'clean_trick_' + name, `a ${f(w)} moment`);
for (const r of hc)
  if (r.functionality === 'ident_neutral_nh' || r.functionality === 'ident_pos_nh')
    add(0, r.functionality, r.test_case);

let id = 0;
for (const [label, source, text] of out)
  process.stdout.write(`e${++id}\t${label}\t${source}\t${text}\n`);
