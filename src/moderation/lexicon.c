/* moderation/lexicon.c: see lexicon.h.
 *
 * The automaton is a complete DFA (goto plus failure transitions folded
 * into one table) over 30 byte classes: 26 letters, space, '*', digits and
 * "anything else", which sends the scan back to the root because no form
 * contains it. Outputs hang off states as a list of the state's own forms
 * plus a dictionary link to the nearest failure ancestor with forms, so
 * reporting every match costs only the matches found.
 */
#include "moderation/lexicon.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "moderation/dict.h"
#include "util/assets.h"
#include "util/file.h"
#include "util/xalloc.h"

/* a-z, space, '*', digits (one class), then the bytes of Arabic-script
 * letters in UTF-8: the lead bytes 0xD8-0xDB and every continuation byte. */
#define NCLASS 98
#define DELTA_OUT 0x80000000u

typedef struct term_rec {
    char *text;
    uint8_t cat, sev, mode;
    char lang[16];     /* "" for every language, else the languages it is abusive in ("es,pt") */
    uint8_t strict;    /* only in text detected as lang (the word is innocent elsewhere) */
    uint8_t homograph; /* the fifth column says "homograph" */
    uint8_t criticism; /* the fifth column says "criticism" */
} term_rec;

typedef struct form {
    uint32_t key;  /* offset of the folded bytes in keys and of their minimum runs in runs */
    uint32_t len;  /* folded bytes */
    uint32_t term; /* index in terms */
    uint8_t via;
    uint8_t gap_len; /* LEX_VIA_GAP: mask characters the original shows at gap */
    uint16_t gap;    /* LEX_VIA_GAP: the folded space where the hidden word was */
} form;

typedef struct mask_word {
    char *w; /* the form as spelled, lower case */
    size_t len;
    uint32_t term;
} mask_word;

/* One word of a multi-word attack or harassment phrase that a mask may
 * hide ("go f*** yourself"): the rest of the phrase must match exactly, so
 * one visible letter is enough. */
typedef struct phrase_slot {
    char *p;       /* the folded phrase */
    uint8_t *need; /* per folded byte: 2 when the phrase has a double letter there, else 1 */
    char *w;       /* the hidden word as spelled, doubles expanded ("kill") */
    uint32_t plen, so, sl, wlen; /* phrase length; slot offset and folded length in p; len of w */
    uint32_t term;
} phrase_slot;

struct lexicon {
    dict *words; /* ordinary words, for glued pairs */
    term_rec *terms;
    size_t nterms, terms_cap;
    form *forms;
    size_t nforms, forms_cap;
    char *keys;
    uint8_t *runs;
    size_t pool_len, pool_cap;
    mask_word *masks; /* by first letter, in the order added within one (index_masks) */
    size_t nmasks, masks_cap;
    uint32_t mask_first[257]; /* masks[mask_first[c] .. mask_first[c + 1]) begin with byte c */
    phrase_slot *slots;
    size_t nslots, slots_cap;
    /* While the forms are added: the profanity and vulgarity terms, in
     * order (swear_word); NULL after. */
    uint32_t *swears;
    size_t nswears;

    /* nstates * NCLASS transitions. Each holds the target state's row
     * offset (state * NCLASS), with bit 31 set when the target has forms
     * to report (its own or along its dictionary links), so the scan
     * touches no other array on a byte that ends no form. */
    uint32_t *delta;
    int32_t *dict; /* next state with forms along the failure chain, or -1 */
    uint32_t *out_start, *out_count;
    uint32_t *outs;
    size_t nstates;
    size_t depth; /* the longest form's length: the automaton's deepest state */
    uint8_t cls[256];
};

static const char *const category_names[LEX_NCATEGORIES] = {
    "profanity",  "vulgarity", "slur",    "insult", "insult_adj", "attack",
    "harassment", "violence",  "tragedy", "mock",   "group",      "allow",
};

const char *
lexicon_category_name(lex_category c)
{
    return (unsigned)c < LEX_NCATEGORIES ? category_names[c] : "unknown";
}

const char *
lexicon_term(const lexicon *lx, uint32_t term)
{
    return term < lx->nterms ? lx->terms[term].text : "";
}

bool
lexicon_has_word(const lexicon *lx, const char *w, size_t n)
{
    return lx != NULL && lx->words != NULL && dict_has(lx->words, w, n);
}

bool
lexicon_term_homograph(const lexicon *lx, uint32_t term)
{
    return term < lx->nterms && lx->terms[term].homograph;
}

bool
lexicon_term_criticism(const lexicon *lx, uint32_t term)
{
    return term < lx->nterms && lx->terms[term].criticism;
}

/* ---- building ------------------------------------------------------------ */

static void
add_form(lexicon *lx, arena *tmp, const char *text, uint32_t term, uint8_t via)
{
    norm_text t;
    norm_fold(tmp, text, strlen(text), &t);
    if (t.len == 0)
        return;
    for (size_t i = 0; i < t.len; i++)
        if (lx->cls[(unsigned char)t.s[i]] == 0)
            return; /* a form the automaton cannot spell (non-Latin): skipped */
    if (lx->pool_len + t.len > lx->pool_cap) {
        lx->pool_cap = (lx->pool_cap + t.len) * 2;
        lx->keys = xrealloc(lx->keys, lx->pool_cap);
        lx->runs = xrealloc(lx->runs, lx->pool_cap);
    }
    memcpy(lx->keys + lx->pool_len, t.s, t.len);
    for (size_t i = 0; i < t.len; i++)
        lx->runs[lx->pool_len + i] = t.run[i] >= 2 ? 2 : 1;
    if (lx->nforms == lx->forms_cap) {
        lx->forms_cap = lx->forms_cap ? lx->forms_cap * 2 : 1024;
        lx->forms = xrealloc(lx->forms, lx->forms_cap * sizeof *lx->forms);
    }
    lx->forms[lx->nforms++] = (form){(uint32_t)lx->pool_len, (uint32_t)t.len, term, via, 0, 0};
    lx->pool_len += t.len;
}

static void
add_mask(lexicon *lx, const char *w, uint32_t term)
{
    if (lx->nmasks == lx->masks_cap) {
        lx->masks_cap = lx->masks_cap ? lx->masks_cap * 2 : 256;
        lx->masks = xrealloc(lx->masks, lx->masks_cap * sizeof *lx->masks);
    }
    lx->masks[lx->nmasks++] = (mask_word){xstrdup(w), strlen(w), term};
}

static bool
maskable(const term_rec *t)
{
    if (strchr(t->text, ' ') != NULL || strlen(t->text) < 3)
        return false;
    switch (t->cat) {
    case LEX_PROFANITY:
    case LEX_VULGARITY:
        /* Mild words too ("b*llocks"): resolved, they count as the word
         * written out does (no reason alone, the classifier may hold). */
        return t->sev >= 1;
    case LEX_INSULT:
        return t->sev >= 2;
    case LEX_SLUR:
        return t->sev >= 3;
    }
    return false;
}

static bool
is_phrase(const term_rec *t)
{
    return (t->cat == LEX_ATTACK || t->cat == LEX_HARASSMENT) && strchr(t->text, ' ') != NULL;
}

/* A swear word people disguise: listed as profanity or vulgarity of at
 * least min_sev. Called for every word of every phrase at start-up, so it
 * walks only those terms (lexicon.swears), and passes over one whose first
 * byte differs before counting its length. */
static bool
swear_word(const lexicon *lx, const char *w, size_t n, int min_sev)
{
    for (size_t i = 0; i < lx->nswears; i++) {
        const term_rec *t = &lx->terms[lx->swears[i]];
        if (t->sev >= min_sev && (n == 0 || t->text[0] == w[0]) && strlen(t->text) == n &&
            memcmp(t->text, w, n) == 0)
            return true;
    }
    return false;
}

static bool
strong_word(const lexicon *lx, const char *w, size_t n)
{
    return swear_word(lx, w, n, 2);
}

/* The words of a multi-word attack or harassment phrase that a mask may
 * hide: in a threat, any word of three letters or more ("k*ll yourself";
 * "f you" keeps its "f"); in an attack, only a listed swear word ("f***
 * off", "go to h***"), because people mask those and not "suck" or "you":
 * "Thank you S*** for the tip" hides a name, not "you suck". */
static void
add_phrase_slots(lexicon *lx, arena *tmp, uint32_t ti)
{
    norm_text t;
    const char *text = lx->terms[ti].text;
    norm_fold(tmp, text, strlen(text), &t);
    if (t.len == 0 || t.len > 120)
        return;
    size_t a = 0;
    while (a < t.len) {
        size_t b = a;
        while (b < t.len && t.s[b] != ' ')
            b++;
        char w[128];
        size_t wl = 0;
        bool letters = true;
        for (size_t i = a; i < b; i++) {
            if (t.s[i] < 'a' || t.s[i] > 'z')
                letters = false;
            for (int k = 0; k < (t.run[i] >= 2 ? 2 : 1) && wl + 1 < sizeof w; k++)
                w[wl++] = t.s[i];
        }
        w[wl] = '\0';
        bool hideable = lx->terms[ti].cat == LEX_HARASSMENT || swear_word(lx, w, wl, 1);
        if (letters && wl >= 3 && b - a < t.len && hideable) {
            if (lx->nslots == lx->slots_cap) {
                lx->slots_cap = lx->slots_cap ? lx->slots_cap * 2 : 128;
                lx->slots = xrealloc(lx->slots, lx->slots_cap * sizeof *lx->slots);
            }
            phrase_slot *ps = &lx->slots[lx->nslots++];
            ps->p = xmalloc(t.len + 1);
            memcpy(ps->p, t.s, t.len);
            ps->p[t.len] = '\0';
            ps->need = xmalloc(t.len);
            for (size_t i = 0; i < t.len; i++)
                ps->need[i] = t.run[i] >= 2 ? 2 : 1;
            ps->w = xstrdup(w);
            ps->plen = (uint32_t)t.len;
            ps->so = (uint32_t)a;
            ps->sl = (uint32_t)(b - a);
            ps->wlen = (uint32_t)wl;
            ps->term = ti;
        }
        a = b + 1;
    }
}

/* "fcuk off", "fukc you": a phrase whose swear word has two adjacent
 * letters swapped. Only inside the phrase: "FCUK" alone is a brand. */
static void
add_transposed_forms(lexicon *lx, arena *tmp, uint32_t ti)
{
    const char *text = lx->terms[ti].text;
    size_t n = strlen(text);
    char buf[160];
    if (n >= sizeof buf)
        return;
    size_t a = 0;
    while (a < n) {
        size_t b = a;
        while (b < n && text[b] != ' ')
            b++;
        if (b - a >= 3 && strong_word(lx, text + a, b - a)) {
            for (size_t i = a; i + 1 < b; i++) {
                if (text[i] == text[i + 1])
                    continue;
                memcpy(buf, text, n + 1);
                buf[i] = text[i + 1];
                buf[i + 1] = text[i];
                add_form(lx, tmp, buf, ti, LEX_VIA_TRANSPOSED);
            }
        }
        a = b + 1;
    }
}

/* "go **** yourself", "shut the **** up": the normaliser drops a word of
 * masks alone (so "***" ratings and "*" footnotes stay clean), which leaves
 * "go yourself". When a phrase of three words or more hides its swear word
 * inside it, the other words fix it: the form without the word matches, and
 * check_form then wants exactly as many masks in the original between its
 * neighbours as the word has letters. */
static void
add_gap_forms(lexicon *lx, arena *tmp, uint32_t ti)
{
    const char *text = lx->terms[ti].text;
    size_t n = strlen(text), words = 1;
    char buf[160];
    for (size_t i = 0; i < n; i++)
        words += text[i] == ' ';
    if (words < 3 || n >= sizeof buf)
        return;
    size_t a = 0;
    while (a < n) {
        size_t b = a;
        while (b < n && text[b] != ' ')
            b++;
        if (a > 0 && b < n && b - a >= 3 && strong_word(lx, text + a, b - a)) {
            norm_text pre;
            norm_fold(tmp, text, a - 1, &pre);
            memcpy(buf, text, a);
            memcpy(buf + a, text + b + 1, n - b); /* with the NUL */
            size_t before = lx->nforms;
            add_form(lx, tmp, buf, ti, LEX_VIA_GAP);
            if (lx->nforms > before && pre.len < UINT16_MAX) {
                lx->forms[before].gap = (uint16_t)pre.len;
                lx->forms[before].gap_len = (uint8_t)(b - a);
            } else if (lx->nforms > before) {
                lx->nforms--; /* never: phrases are short */
            }
        }
        a = b + 1;
    }
}

/* True when the original text between the folded tokens around the space
 * at folded byte i holds exactly want masks and otherwise blanks. */
static bool
gap_masked(const norm_text *t, size_t i, size_t want)
{
    if (t->src == NULL || i == 0 || i + 1 >= t->len || t->s[i] != ' ')
        return false;
    uint32_t ob = t->oend[i - 1], oe = t->ostart[i + 1];
    if (ob > oe || oe > t->src_len)
        return false;
    size_t masks = 0;
    for (uint32_t k = ob; k < oe; k++) {
        char c = t->src[k];
        if (c == '*' || c == '#' || c == '%')
            masks++;
        else if (c != ' ' && c != '\t')
            return false;
    }
    return masks == want;
}

/* "bullsiht", "fukced": a strong swear word of five letters or more (with
 * its usual endings) with two adjacent letters swapped; of four letters,
 * only its last two ("fukc", "shti": "fcuk" is a brand). A swap that spells
 * a word of the dictionary ("dikc" is none; "tawt" would be) is left out.
 * The forms match whole words only (check_form). */
static void
add_transposed_word(lexicon *lx, arena *tmp, uint32_t ti)
{
    const term_rec *t = &lx->terms[ti];
    static const char *const sfx[] = {"", "s", "ed", "ing", "er", "y"};
    size_t n = strlen(t->text);
    /* Every ending of every long word would double the automaton: short
     * words get their endings ("fukced"), long ones the plural. */
    size_t nsfx = t->mode == LEX_EXACT ? 1 : n <= 5 ? sizeof sfx / sizeof sfx[0] : 2;
    char base[64], buf[64];
    for (const char *c = t->text; *c; c++)
        if (*c < 'a' || *c > 'z')
            return;
    for (size_t k = 0; k < nsfx; k++) {
        int bl = snprintf(base, sizeof base, "%s%s", t->text, sfx[k]);
        if (bl < 4 || (size_t)bl >= sizeof base)
            continue;
        /* Swaps inside the word itself, and across its last letter and the
         * ending ("fukced" is "fucked"); the first letter stays, as it does
         * in nearly every such spelling, and a swap there would start a
         * whole new branch of the automaton for each form. */
        for (size_t i = bl == 4 ? 2 : 1; i + 1 < (size_t)bl && i < n; i++) {
            if (base[i] == base[i + 1])
                continue;
            memcpy(buf, base, (size_t)bl + 1);
            buf[i] = base[i + 1];
            buf[i + 1] = base[i];
            if (!dict_has(lx->words, buf, (size_t)bl))
                add_form(lx, tmp, buf, ti, LEX_VIA_TRANSPOSED);
        }
    }
}

/* Misspellings of the words the rules read for attacks on people, as
 * people make them on purpose to slip past a list (HateCheck's "char_del"
 * and "char_swap" cases) or in haste: one letter inside the word left out
 * ("despicble", "murdr", "womn", "Muslm") or two adjacent letters swapped
 * ("klil", "tortuer", "thraet"). Only for groups, strong slurs and insults,
 * insult adjectives and verbs of violence (guessable): swear words have
 * their own spellings, and a guess would turn a listed "fuckn" from a
 * reject into a hold. The first letter stays, as it does in such
 * spellings; a deletion keeps the last letter too (without it "idiotic"
 * reads the Italian "idioti"); no guess that is a word of the dictionary
 * is a form. A deletion needs six letters or more (a group's name five:
 * four letters left of a five-letter slur are too often a name,
 * "Chik-fil-A" against "chink"); a swap five (a verb of violence four,
 * "klil"). The forms match whole words only (check_form) and a hit never
 * makes a reject certain (mark_certain): a guess is for a moderator. */
static void
add_guessed_words(lexicon *lx, arena *tmp, uint32_t ti)
{
    const term_rec *t = &lx->terms[ti];
    size_t n = strlen(t->text);
    char buf[64];
    size_t min_del = t->cat == LEX_GROUP ? 5 : 6;
    size_t min_swap = t->cat == LEX_VIOLENCE ? 4 : 5;
    if (n < min_swap || n >= sizeof buf || t->lang[0] != '\0' || t->homograph)
        return;
    for (const char *c = t->text; *c; c++)
        if (*c < 'a' || *c > 'z')
            return;
    for (size_t i = 1; n >= min_del && i + 1 < n; i++) {
        if (t->text[i] == t->text[i - 1])
            continue; /* "kiled" once for "killed" */
        memcpy(buf, t->text, i);
        memcpy(buf + i, t->text + i + 1, n - i);
        if (!dict_has(lx->words, buf, n - 1))
            add_form(lx, tmp, buf, ti, LEX_VIA_GUESS);
    }
    for (size_t i = 1; i + 1 < n; i++) {
        if (t->text[i] == t->text[i + 1])
            continue;
        memcpy(buf, t->text, n + 1);
        buf[i] = t->text[i + 1];
        buf[i + 1] = t->text[i];
        if (!dict_has(lx->words, buf, n))
            add_form(lx, tmp, buf, ti, LEX_VIA_GUESS);
    }
}

/* Whether a term gets the forms of add_guessed_words. */
static bool
guessable(const term_rec *t)
{
    switch (t->cat) {
    case LEX_GROUP:
    case LEX_VIOLENCE:
        return true;
    case LEX_SLUR:
    case LEX_INSULT:
        return t->sev >= 2;
    case LEX_INSULT_ADJ:
        return t->sev >= 1;
    default:
        return false;
    }
}

/* All forms of one term: the term, its inflections, and for insults the
 * glued second-person forms. */
static void
add_term_forms(lexicon *lx, arena *tmp, uint32_t ti)
{
    const term_rec *t = &lx->terms[ti];
    size_t n = strlen(t->text);
    char buf[160];
    bool mask = maskable(t);

    add_form(lx, tmp, t->text, ti, LEX_VIA_LIST);
    if (mask)
        add_mask(lx, t->text, ti);
    if (is_phrase(t)) {
        add_phrase_slots(lx, tmp, ti);
        add_transposed_forms(lx, tmp, ti);
        add_gap_forms(lx, tmp, ti);
    }
    if ((t->cat == LEX_PROFANITY || t->cat == LEX_VULGARITY) && t->sev >= 2)
        add_transposed_word(lx, tmp, ti);
    if (guessable(t) && !is_phrase(t))
        add_guessed_words(lx, tmp, ti);
    if (strchr(t->text, ' ') != NULL && t->cat >= LEX_INSULT && t->cat <= LEX_HARASSMENT &&
        n < sizeof buf) {
        /* "fuckyou", "killyourself": the phrase run together. */
        size_t k = 0;
        for (const char *c = t->text; *c; c++)
            if (*c != ' ')
                buf[k++] = *c;
        buf[k] = '\0';
        add_form(lx, tmp, buf, ti, LEX_VIA_LIST);
    }
    if (t->mode == LEX_GLUE && mask && n + 4 < sizeof buf) {
        /* Masked inflections of glue words ("f*cking"); the automaton
         * already finds the unmasked ones inside longer words. */
        static const char *const sfx[] = {"s", "ing", "in", "er", "ers", "ed", "y"};
        for (size_t k = 0; k < sizeof sfx / sizeof sfx[0]; k++) {
            snprintf(buf, sizeof buf, "%s%s", t->text, sfx[k]);
            add_mask(lx, buf, ti);
        }
    }
    if (t->mode == LEX_WORD && n + 4 < sizeof buf) {
        static const char *const short_sfx[] = {"s", "es"};
        static const char *const long_sfx[] = {"ed", "ing", "in", "er", "ers"};
        /* An English word takes "-es" only where English puts it (asses,
         * bitches, negroes): ending otherwise, it makes another word with
         * it ("spic" and "spices", "jap" and "japes", "prat" and "prates").
         * Another language's word keeps "-es" ("cabrones") but takes no
         * English ending: German "nutte" is no "nutting". */
        bool english = t->lang[0] == '\0';
        char last = n > 0 ? t->text[n - 1] : '\0';
        bool es = !english || (last != '\0' && strchr("sxzo", last) != NULL) ||
                  (n >= 2 && last == 'h' && (t->text[n - 2] == 'c' || t->text[n - 2] == 's'));
        for (size_t k = 0; k < (es ? 2U : 1U); k++) {
            snprintf(buf, sizeof buf, "%s%s", t->text, short_sfx[k]);
            add_form(lx, tmp, buf, ti, LEX_VIA_LIST);
            if (mask)
                add_mask(lx, buf, ti);
        }
        if (n >= 4 && english) {
            for (size_t k = 0; k < 5; k++) {
                snprintf(buf, sizeof buf, "%s%s", t->text, long_sfx[k]);
                add_form(lx, tmp, buf, ti, LEX_VIA_LIST);
                if (mask)
                    add_mask(lx, buf, ti);
            }
            if (t->text[n - 1] == 'e') {
                snprintf(buf, sizeof buf, "%.*sing", (int)(n - 1), t->text);
                add_form(lx, tmp, buf, ti, LEX_VIA_LIST);
                snprintf(buf, sizeof buf, "%sd", t->text);
                add_form(lx, tmp, buf, ti, LEX_VIA_LIST);
            }
        }
    }
    if ((t->cat == LEX_INSULT || t->cat == LEX_INSULT_ADJ) && t->sev >= 1 &&
        strchr(t->text, ' ') == NULL && n + 10 < sizeof buf) {
        static const char *const you[] = {"you",    "u",       "ur",      "youre",
                                          "yourea", "yourean", "youarea", "youarean",
                                          "ura",    "uran",    "youare"};
        for (size_t k = 0; k < sizeof you / sizeof you[0]; k++) {
            snprintf(buf, sizeof buf, "%s%s", you[k], t->text);
            add_form(lx, tmp, buf, ti, LEX_VIA_TARGETED);
        }
    }
}

static int
parse_list(lexicon *lx, const lexicon_source *src, pl_error *err)
{
    const char *p = src->text, *end = src->text + src->len;
    int line = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        line++;
        size_t ll = (size_t)(le - p);
        if (ll > 0 && p[ll - 1] == '\r')
            ll--;
        if (ll == 0 || p[0] == '#') {
            p = nl ? nl + 1 : end;
            continue;
        }
        char row[256];
        if (ll >= sizeof row)
            return pl_errorf(err, PL_EINVAL, "%s:%d: line too long", src->name, line);
        memcpy(row, p, ll);
        row[ll] = '\0';
        p = nl ? nl + 1 : end;
        char *f[7];
        char *save = NULL;
        int nf = 0;
        for (char *tok = strtok_r(row, "\t", &save); tok && nf < 7;
             tok = strtok_r(NULL, "\t", &save))
            f[nf++] = tok;
        if (nf < 4)
            return pl_errorf(err, PL_EINVAL,
                             "%s:%d: expected term, category, severity, match, then an optional "
                             "flag and language",
                             src->name, line);
        if (nf > 6)
            return pl_errorf(err, PL_EINVAL, "%s:%d: more than six columns", src->name, line);
        if (nf >= 5 && strcmp(f[4], "homograph") != 0 && strcmp(f[4], "criticism") != 0 &&
            strcmp(f[4], "-") != 0)
            return pl_errorf(err, PL_EINVAL,
                             "%s:%d: the fifth column may only be \"homograph\", \"criticism\" "
                             "or \"-\"",
                             src->name, line);
        char lang[16] = "";
        uint8_t strict = 0;
        if (nf == 6) {
            size_t ln = strlen(f[5]);
            if (ln > 0 && f[5][ln - 1] == '!') {
                strict = 1;
                ln--;
            }
            /* Codes of two or three lower-case letters, separated by commas. */
            bool ok = ln >= 2 && ln < sizeof lang;
            for (size_t i = 0, run = 0; i <= ln && ok; i++) {
                if (i == ln || f[5][i] == ',') {
                    ok = run == 2 || run == 3;
                    run = 0;
                } else {
                    ok = f[5][i] >= 'a' && f[5][i] <= 'z';
                    run++;
                }
            }
            if (!ok)
                return pl_errorf(err, PL_EINVAL,
                                 "%s:%d: language must be lower-case codes (\"es\" or \"es,pt\"), "
                                 "\"!\" after them for a strict term",
                                 src->name, line);
            memcpy(lang, f[5], ln);
            lang[ln] = '\0';
        }
        int cat = -1;
        for (int c = 0; c < LEX_NCATEGORIES; c++)
            if (!strcmp(f[1], category_names[c]))
                cat = c;
        if (cat < 0)
            return pl_errorf(err, PL_EINVAL, "%s:%d: unknown category \"%s\"", src->name, line,
                             f[1]);
        if (f[2][0] < '0' || f[2][0] > '3' || f[2][1] != '\0')
            return pl_errorf(err, PL_EINVAL, "%s:%d: severity must be 0, 1, 2 or 3", src->name,
                             line);
        if (nf >= 5 && !strcmp(f[4], "criticism") &&
            ((cat != LEX_INSULT_ADJ && cat != LEX_INSULT) || f[2][0] != '0'))
            return pl_errorf(
                err, PL_EINVAL,
                "%s:%d: only an insult or insult_adj of severity 0 may be \"criticism\"", src->name,
                line);
        int mode;
        if (!strcmp(f[3], "word"))
            mode = LEX_WORD;
        else if (!strcmp(f[3], "exact"))
            mode = LEX_EXACT;
        else if (!strcmp(f[3], "glue"))
            mode = LEX_GLUE;
        else
            return pl_errorf(err, PL_EINVAL, "%s:%d: match must be word, exact or glue", src->name,
                             line);
        for (char *c = f[0]; *c; c++)
            if (*c >= 'A' && *c <= 'Z')
                *c = (char)(*c + 32);
        if (lx->nterms == lx->terms_cap) {
            lx->terms_cap = lx->terms_cap ? lx->terms_cap * 2 : 512;
            lx->terms = xrealloc(lx->terms, lx->terms_cap * sizeof *lx->terms);
        }
        term_rec tr = {.text = xstrdup(f[0]),
                       .cat = (uint8_t)cat,
                       .sev = (uint8_t)(f[2][0] - '0'),
                       .mode = (uint8_t)mode,
                       .strict = strict,
                       .homograph = nf >= 5 && !strcmp(f[4], "homograph"),
                       .criticism = nf >= 5 && !strcmp(f[4], "criticism")};
        memcpy(tr.lang, lang, sizeof tr.lang);
        lx->terms[lx->nterms++] = tr;
    }
    return 0;
}

static void
build_automaton(lexicon *lx)
{
    size_t cap = 1024, n = 1;
    int32_t *next = xmalloc(cap * NCLASS * sizeof *next);
    for (int c = 0; c < NCLASS; c++)
        next[c] = -1;
    int32_t *first = NULL; /* first own form of each state, chained by form_next */
    int32_t *form_next = xmalloc((lx->nforms + 1) * sizeof *form_next);

    for (size_t fi = 0; fi < lx->nforms; fi++) {
        const form *f = &lx->forms[fi];
        int32_t s = 0;
        for (uint32_t i = 0; i < f->len; i++) {
            int c = lx->cls[(unsigned char)lx->keys[f->key + i]];
            if (next[(size_t)s * NCLASS + (size_t)c] < 0) {
                if (n == cap) {
                    cap *= 2;
                    next = xrealloc(next, cap * NCLASS * sizeof *next);
                }
                for (int k = 0; k < NCLASS; k++)
                    next[n * NCLASS + (size_t)k] = -1;
                next[(size_t)s * NCLASS + (size_t)c] = (int32_t)n;
                n++;
            }
            s = next[(size_t)s * NCLASS + (size_t)c];
        }
        form_next[fi] = s; /* remember the end state for now */
    }
    first = xmalloc(n * sizeof *first);
    for (size_t s = 0; s < n; s++)
        first[s] = -1;
    lx->out_count = xcalloc(n, sizeof *lx->out_count);
    for (size_t fi = 0; fi < lx->nforms; fi++)
        lx->out_count[form_next[fi]]++;
    lx->out_start = xmalloc(n * sizeof *lx->out_start);
    uint32_t acc = 0;
    for (size_t s = 0; s < n; s++) {
        lx->out_start[s] = acc;
        acc += lx->out_count[s];
    }
    lx->outs = xmalloc((acc + 1) * sizeof *lx->outs);
    uint32_t *fill = xcalloc(n, sizeof *fill);
    for (size_t fi = 0; fi < lx->nforms; fi++) {
        int32_t s = form_next[fi];
        lx->outs[lx->out_start[s] + fill[s]++] = (uint32_t)fi;
    }
    free(fill);
    free(first);
    free(form_next);

    /* Breadth-first: failure links, dictionary links, complete transitions. */
    int32_t *fail = xmalloc(n * sizeof *fail);
    int32_t *queue = xmalloc(n * sizeof *queue);
    lx->dict = xmalloc(n * sizeof *lx->dict);
    size_t qh = 0, qt = 0;
    fail[0] = 0;
    lx->dict[0] = -1;
    for (int c = 0; c < NCLASS; c++) {
        int32_t v = next[c];
        if (v < 0) {
            next[c] = 0;
        } else {
            fail[v] = 0;
            lx->dict[v] = -1;
            queue[qt++] = v;
        }
    }
    next[0] = 0; /* class 0 (no form spells it) always returns to the root */
    while (qh < qt) {
        int32_t u = queue[qh++];
        for (int c = 0; c < NCLASS; c++) {
            size_t uc = (size_t)u * NCLASS + (size_t)c;
            int32_t v = next[uc];
            int32_t fv = next[(size_t)fail[u] * NCLASS + (size_t)c];
            if (v < 0 || c == 0) {
                next[uc] = c == 0 ? 0 : fv;
            } else {
                fail[v] = fv;
                lx->dict[v] = lx->out_count[fv] ? fv : lx->dict[fv];
                queue[qt++] = v;
            }
        }
    }
    free(fail);
    free(queue);
    lx->delta = xmalloc(n * NCLASS * sizeof *lx->delta);
    for (size_t i = 0; i < n * NCLASS; i++) {
        size_t t = (size_t)next[i];
        bool out = lx->out_count[t] > 0 || lx->dict[t] >= 0;
        lx->delta[i] = (uint32_t)(t * NCLASS) | (out ? DELTA_OUT : 0);
    }
    free(next);
    lx->nstates = n;
    lx->depth = 0;
    for (size_t fi = 0; fi < lx->nforms; fi++)
        if (lx->forms[fi].len > lx->depth)
            lx->depth = lx->forms[fi].len;
}

/* Orders the mask words by their first byte, keeping the order they were
 * added in within one byte (a counting sort), and records where each byte's
 * run begins: a masked or leetspeak token is compared only with the words
 * that begin like it, in the same order as before, so the same one wins. */
static void
index_masks(lexicon *lx)
{
    uint32_t count[257] = {0};
    for (size_t i = 0; i < lx->nmasks; i++)
        count[(unsigned char)lx->masks[i].w[0] + 1]++;
    for (size_t c = 1; c < 257; c++)
        count[c] += count[c - 1];
    memcpy(lx->mask_first, count, sizeof count);
    if (lx->nmasks == 0)
        return;
    mask_word *sorted = xmalloc(lx->nmasks * sizeof *sorted);
    for (size_t i = 0; i < lx->nmasks; i++)
        sorted[count[(unsigned char)lx->masks[i].w[0]]++] = lx->masks[i];
    free(lx->masks);
    lx->masks = sorted;
    lx->masks_cap = lx->nmasks;
}

int
lexicon_new(const lexicon_source *src, size_t n, lexicon **out, pl_error *err)
{
    lexicon *lx = xcalloc(1, sizeof *lx);
    lx->words = dict_builtin();
    for (int c = 'a'; c <= 'z'; c++)
        lx->cls[c] = (uint8_t)(c - 'a' + 1);
    lx->cls[' '] = 27;
    lx->cls['*'] = 28;
    for (int c = '0'; c <= '9'; c++)
        lx->cls[c] = 29;
    for (int c = 0xD8; c <= 0xDB; c++)
        lx->cls[c] = (uint8_t)(30 + c - 0xD8);
    for (int c = 0x80; c <= 0xBF; c++)
        lx->cls[c] = (uint8_t)(34 + c - 0x80);
    for (size_t i = 0; i < n; i++) {
        int rc = parse_list(lx, &src[i], err);
        if (rc < 0) {
            lexicon_free(lx);
            return rc;
        }
    }
    lx->swears = xmalloc((lx->nterms + 1) * sizeof *lx->swears);
    for (size_t i = 0; i < lx->nterms; i++)
        if (lx->terms[i].cat == LEX_PROFANITY || lx->terms[i].cat == LEX_VULGARITY)
            lx->swears[lx->nswears++] = (uint32_t)i;
    arena *tmp = arena_new();
    for (size_t i = 0; i < lx->nterms; i++) {
        add_term_forms(lx, tmp, (uint32_t)i);
        if (i % 64 == 63)
            arena_reset(tmp);
    }
    arena_free(tmp);
    free(lx->swears);
    lx->swears = NULL;
    lx->nswears = 0;
    build_automaton(lx);
    index_masks(lx);
    *out = lx;
    return 0;
}

static const char *const list_names[] = {
    "profanity.tsv", "slurs.tsv", "insults.tsv", "harassment.tsv", "tragedy.tsv", "allow.tsv",
    "es.tsv",        "fr.tsv",    "de.tsv",      "pt.tsv",         "it.tsv",      "nl.tsv",
    "pl.tsv",        "tr.tsv",    "ar.tsv",      "fa.tsv"};
#define NLISTS (sizeof list_names / sizeof list_names[0])
#define FIRST_LANG_LIST 6 /* es.tsv */

int
lexicon_load(const char *dir, lexicon **out, pl_error *err)
{
    lexicon_source src[NLISTS];
    char *owned[NLISTS] = {0};
    int rc = 0;
    for (size_t i = 0; i < NLISTS; i++) {
        src[i].name = list_names[i];
        bool from_dir = dir != NULL && dir[0] != '\0';
        if (from_dir) {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", dir, list_names[i]);
            /* No list is that long: stop at 16 MiB rather than grow without bound. */
            owned[i] = file_read(path, (size_t)16 << 20, &src[i].len, NULL);
            /* A directory written before the lists of other languages existed
             * keeps working: those come from the binary. */
            if (owned[i] == NULL && errno == ENOENT && i >= FIRST_LANG_LIST) {
                from_dir = false;
            } else if (owned[i] == NULL) {
                rc = pl_errorf(err, PL_ENOTFOUND, "lexicon %s: %s", path, strerror(errno));
                goto done;
            }
            src[i].text = owned[i];
        }
        if (!from_dir) {
            char path[64];
            snprintf(path, sizeof path, "/lexicon/%s", list_names[i]);
            const asset *a = asset_find(data_files, path);
            if (a == NULL) {
                rc = pl_errorf(err, PL_ENOTFOUND, "lexicon %s is not compiled in", path);
                goto done;
            }
            src[i].text = (const char *)a->data;
            src[i].len = (size_t)a->size;
        }
    }
    rc = lexicon_new(src, NLISTS, out, err);
done:
    for (size_t i = 0; i < NLISTS; i++)
        free(owned[i]);
    return rc;
}

void
lexicon_free(lexicon *lx)
{
    if (lx == NULL)
        return;
    dict_free(lx->words);
    for (size_t i = 0; i < lx->nterms; i++)
        free(lx->terms[i].text);
    for (size_t i = 0; i < lx->nmasks; i++)
        free(lx->masks[i].w);
    for (size_t i = 0; i < lx->nslots; i++) {
        free(lx->slots[i].p);
        free(lx->slots[i].need);
        free(lx->slots[i].w);
    }
    free(lx->slots);
    free(lx->terms);
    free(lx->forms);
    free(lx->keys);
    free(lx->runs);
    free(lx->masks);
    free(lx->delta);
    free(lx->dict);
    free(lx->out_start);
    free(lx->out_count);
    free(lx->outs);
    free(lx);
}

void
lexicon_get_stats(const lexicon *lx, lexicon_stats *out)
{
    out->terms = lx->nterms;
    out->patterns = lx->nforms;
    out->states = lx->nstates;
    size_t b = sizeof *lx + lx->nterms * sizeof *lx->terms + lx->nforms * sizeof *lx->forms +
               lx->pool_len * 2 + lx->nmasks * sizeof *lx->masks +
               lx->nstates * (NCLASS * sizeof(int32_t) + sizeof(int32_t) + 2 * sizeof(uint32_t)) +
               lx->nforms * sizeof(uint32_t) + dict_memory(lx->words);
    for (size_t i = 0; i < lx->nterms; i++)
        b += strlen(lx->terms[i].text) + 1;
    for (size_t i = 0; i < lx->nmasks; i++)
        b += lx->masks[i].len + 1;
    for (size_t i = 0; i < lx->nslots; i++)
        b += sizeof *lx->slots + lx->slots[i].plen * 2 + lx->slots[i].wlen + 2;
    out->bytes = b;
}

/* ---- scanning ------------------------------------------------------------ */

typedef struct hits {
    lex_hit *v;
    size_t n, cap;
    /* when not NULL, check_form also keeps here the listed forms that
     * matched but failed only their word boundary ("retard" in
     * "retardant"): lexicon_scan_allow tells from them which allow hits
     * stand over a listed word's letters */
    struct hits *near;
} hits;

static void
hit_push(hits *h, arena *a, lex_hit x)
{
    if (h->n == h->cap) {
        if (h->cap >= LEXICON_MAX_HITS * 2)
            return;
        size_t nc = h->cap ? h->cap * 2 : 16;
        lex_hit *v = arena_alloc(a, nc * sizeof *v);
        if (h->n)
            memcpy(v, h->v, h->n * sizeof *v);
        h->v = v;
        h->cap = nc;
    }
    h->v[h->n++] = x;
}

static size_t
token_start(const norm_text *t, size_t i)
{
    while (i > 0 && t->s[i - 1] != ' ')
        i--;
    return i;
}

static bool
runs_fit(const lexicon *lx, const form *f, const norm_text *t, size_t start)
{
    for (uint32_t j = 0; j < f->len; j++) {
        uint8_t need = lx->runs[f->key + j], r = t->run[start + j];
        /* A single letter matches a single one or a stretched run, never a
         * natural double ("good" is not "god"); a double needs two or more. */
        if (need >= 2 ? r < 2 : r == 2)
            return false;
    }
    return true;
}

/* Spells the folded bytes [a, b) of t with each letter repeated min(run, 2)
 * times into w (cap bytes with the NUL); false when they do not fit or hold
 * anything but a-z. */
static bool
spell(const norm_text *t, size_t a, size_t b, char *w, size_t cap, size_t *n)
{
    size_t k = 0;
    for (size_t i = a; i < b; i++) {
        char ch = t->s[i];
        if (ch < 'a' || ch > 'z')
            return false;
        for (int r = 0; r < (t->run[i] >= 2 ? 2 : 1); r++) {
            if (k + 1 >= cap)
                return false;
            w[k++] = ch;
        }
    }
    w[k] = '\0';
    *n = k;
    return true;
}

bool
lexicon_has_spelled(const lexicon *lx, const norm_text *t, size_t a, size_t b)
{
    char w[64];
    size_t n;
    return lx != NULL && lx->words != NULL && spell(t, a, b, w, sizeof w, &n) &&
           dict_has(lx->words, w, n);
}

/* "Too manyfags", "Typical coonbehaviour": a slur, or a strong swear word,
 * of four letters or more glued to ordinary words. The token itself must not
 * be a word of the dictionary ("therapist", "cocktails", "scunthorpe" stay
 * clean) and each piece around the hit must be one, of three letters or
 * more ("assassin" has "ass" plus "assin", no word). Names count as words
 * ("Cockburn"). Terms of other languages and homographs ("bluetits") are
 * left out. */
static bool
glued(const lexicon *lx, const norm_text *t, const term_rec *tr, size_t ts, size_t start,
      size_t end)
{
    /* slurs that are homographs too: nobody glues a gearbox to a word
     * ("Typical trannybehaviour.") */
    if ((tr->homograph && tr->cat != LEX_SLUR) || tr->lang[0] != '\0')
        return false;
    if (tr->cat == LEX_SLUR ? tr->sev < 1
                            : (tr->cat != LEX_PROFANITY && tr->cat != LEX_VULGARITY) || tr->sev < 2)
        return false;
    size_t te = end;
    while (te < t->len && t->s[te] != ' ')
        te++;
    char w[64];
    size_t n;
    if (!spell(t, start, end, w, sizeof w, &n) || n < 4)
        return false;
    if (!spell(t, ts, te, w, sizeof w, &n) || dict_has(lx->words, w, n))
        return false;
    if (start > ts &&
        (!spell(t, ts, start, w, sizeof w, &n) || n < 3 || !dict_has(lx->words, w, n)))
        return false;
    if (te > end && (!spell(t, end, te, w, sizeof w, &n) || n < 3 || !dict_has(lx->words, w, n)))
        return false;
    return true;
}

/* Is w[0, n) a word of a hashtag: a word of the dictionary of three letters
 * or more, or a common short one? The dictionary's other short entries
 * ("au", "ow") would split anything ("#auspicious" is no "au spic ious"). */
static bool
hashtag_piece(const lexicon *lx, const char *w, size_t n)
{
    static const char *const shorts[] = {"a",  "i",  "am", "an", "as", "at", "be", "by",
                                         "do", "go", "he", "if", "in", "is", "it", "me",
                                         "my", "no", "of", "oh", "ok", "on", "or", "so",
                                         "to", "u",  "up", "ur", "us", "we", NULL};
    if (n >= 3)
        return dict_has(lx->words, w, n);
    for (size_t i = 0; shorts[i] != NULL; i++)
        if (strlen(shorts[i]) == n && memcmp(shorts[i], w, n) == 0)
            return true;
    return false;
}

/* Does w[0, n) split into words of a hashtag ("youarean": "you are an")? An
 * empty piece does. n < 64, so the table of split points is small and the
 * work at most 64 * 24 look-ups. */
static bool
splits_into_words(const lexicon *lx, const char *w, size_t n)
{
    bool ok[64] = {true};
    if (n >= sizeof ok)
        return false;
    for (size_t i = 1; i <= n; i++)
        for (size_t j = i > 24 ? i - 24 : 0; j < i && !ok[i]; j++)
            ok[i] = ok[j] && hashtag_piece(lx, w + j, i - j);
    return ok[n];
}

/* A strong word inside a hashtag, where the spaces were lost
 * ("#fuckthepolice", "#youareanidiot"): the hashtag is no word of the
 * dictionary ("#twitch" holds "twit") and the pieces before and after the
 * hit split into words ("#twitchstreamer" does not: "chstreamer"). */
static bool
hashtag_word(const lexicon *lx, const norm_text *t, size_t ts, size_t start, size_t end)
{
    size_t te = end;
    while (te < t->len && t->s[te] != ' ')
        te++;
    char w[64];
    size_t n;
    if (!spell(t, ts, te, w, sizeof w, &n) || dict_has(lx->words, w, n))
        return false;
    if (!spell(t, ts, start, w, sizeof w, &n) || !splits_into_words(lx, w, n))
        return false;
    return spell(t, end, te, w, sizeof w, &n) && splits_into_words(lx, w, n);
}

/* "You are nothing but a b i t c h": the article before a spelled-out word
 * is a single letter too, so the normaliser joins it ("abitch"). A listed
 * word (a slur, a swear word or an insult, four letters or more) that ends
 * the joined run and starts right after an "a" or an "i" counts as a word. */
static bool
joined_after_article(const norm_text *t, const term_rec *tr, size_t ts, size_t start, size_t end)
{
    if (!(t->flags[ts] & NORM_JOINED) || start != ts + 1 || (t->s[ts] != 'a' && t->s[ts] != 'i'))
        return false;
    if (end != t->len && t->s[end] != ' ')
        return false;
    if (tr->cat >= LEX_HARASSMENT || tr->sev < 1)
        return false;
    char w[64];
    size_t n;
    return spell(t, start, end, w, sizeof w, &n) && n >= 4;
}

/* Is [start, end) a part of a longer token that is an English word of the
 * dictionary? Another language's glue word matches inside its compounds
 * ("teringlijer"), not inside an English word that happens to hold it
 * ("teetering", "sputtering"), even where the detector takes a one-word
 * comment for that language. */
static bool
in_english_word(const lexicon *lx, const norm_text *t, size_t start, size_t end)
{
    size_t ts = token_start(t, start), te = end;
    while (te < t->len && t->s[te] != ' ')
        te++;
    char w[64];
    size_t n;
    return (ts < start || te > end) && spell(t, ts, te, w, sizeof w, &n) &&
           dict_has(lx->words, w, n);
}

/* The guessed forms (a swap, a masked gap, a misspelling) match whole
 * words only. */
static bool
whole_words_only(uint8_t via)
{
    return via == LEX_VIA_TRANSPOSED || via == LEX_VIA_GAP || via == LEX_VIA_GUESS;
}

static void
check_form(const lexicon *lx, const norm_text *t, uint32_t fi, size_t end, hits *h, arena *a)
{
    const form *f = &lx->forms[fi];
    if (f->len > end)
        return;
    size_t start = end - f->len;
    const term_rec *tr = &lx->terms[f->term];
    uint8_t via = f->via;
    if (!runs_fit(lx, f, t, start))
        return;
    if (f->via == LEX_VIA_GAP && !gap_masked(t, start + f->gap, f->gap_len))
        return;
    if (tr->mode == LEX_GLUE && tr->lang[0] != '\0' && in_english_word(lx, t, start, end))
        return;
    if (tr->mode != LEX_GLUE || f->via == LEX_VIA_TRANSPOSED || f->via == LEX_VIA_GUESS) {
        bool left = start == 0 || t->s[start - 1] == ' ';
        bool right = end == t->len || t->s[end] == ' ';
        if (!left || !right) {
            if (whole_words_only(f->via))
                return;
            if (memchr(t->s + start, ' ', f->len) != NULL)
                return;
            size_t ts = token_start(t, start);
            /* Inside a hashtag or a spelled-out run the spaces are lost:
             * strong words match anywhere there. */
            bool strong = tr->sev >= 2 && f->len >= 4 && tr->cat < LEX_HARASSMENT;
            if (strong && (t->flags[ts] & NORM_JOINED))
                ;
            else if (strong && (t->flags[ts] & NORM_HASHTAG) && hashtag_word(lx, t, ts, start, end))
                ;
            else if (joined_after_article(t, tr, ts, start, end))
                ;
            else if (glued(lx, t, tr, ts, start, end))
                via = LEX_VIA_GLUED;
            else {
                if (h->near != NULL && tr->cat != LEX_ALLOW)
                    hit_push(h->near, a,
                             (lex_hit){(uint32_t)start, (uint32_t)end, f->term, tr->cat, tr->sev,
                                       via, false});
                return;
            }
        }
    }
    hit_push(h, a,
             (lex_hit){(uint32_t)start, (uint32_t)end, f->term, tr->cat, tr->sev, via, false});
}

/* True when the folded text at [at, at + n) spells p[0, n) with the
 * phrase's double letters doubled and its single letters not doubled (the
 * stretch rule of runs_fit). */
static bool
phrase_part_fits(const norm_text *t, size_t at, const char *p, const uint8_t *need, size_t n)
{
    if (memcmp(t->s + at, p, n) != 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        uint8_t r = t->run[at + i];
        if (need[i] >= 2 ? r < 2 : r == 2)
            return false;
    }
    return true;
}

/* A masked token that stands for one word of an attack or harassment
 * phrase whose other words are all there ("go f*** yourself", "k*ll
 * yourself"): the phrase fixes the word, so one visible letter is enough.
 * w is the token spelled out (n bytes, '*' for a hidden letter). */
static void
resolve_phrase_mask(const lexicon *lx, const norm_text *t, size_t ts, size_t te, const char *w,
                    size_t n, hits *h, arena *a)
{
    for (size_t m = 0; m < lx->nslots; m++) {
        const phrase_slot *ps = &lx->slots[m];
        if (ps->wlen != n || ps->so > ts)
            continue;
        size_t i = 0;
        while (i < n && (w[i] == '*' || w[i] == ps->w[i]))
            i++;
        if (i < n)
            continue;
        size_t ps0 = ts - ps->so, rest = ps->plen - ps->so - ps->sl;
        if (te + rest > t->len || (ps0 > 0 && t->s[ps0 - 1] != ' ') ||
            (te + rest < t->len && t->s[te + rest] != ' '))
            continue;
        if (!phrase_part_fits(t, ps0, ps->p, ps->need, ps->so) ||
            !phrase_part_fits(t, te, ps->p + ps->so + ps->sl, ps->need + ps->so + ps->sl, rest))
            continue;
        const term_rec *tr = &lx->terms[ps->term];
        hit_push(h, a,
                 (lex_hit){(uint32_t)ps0, (uint32_t)(te + rest), ps->term, tr->cat, tr->sev,
                           LEX_VIA_MASK, false});
    }
}

/* A token with masked letters ("f*ck", "sh**"): the strongest listed word
 * of the same spelled length whose letters agree where they show. */
static void
resolve_mask(const lexicon *lx, const norm_text *t, size_t ts, size_t te, hits *h, arena *a)
{
    char w[64];
    size_t n = 0, visible = 0, stars = 0;
    for (size_t i = ts; i < te; i++) {
        int reps = t->run[i] >= 2 ? (t->s[i] == '*' ? t->run[i] : 2) : 1;
        for (int k = 0; k < reps; k++) {
            if (n + 1 >= sizeof w)
                return;
            w[n++] = t->s[i];
            if (t->s[i] == '*')
                stars++;
            else if (t->s[i] >= 'a' && t->s[i] <= 'z')
                visible++;
            else
                return;
        }
    }
    if (stars == 0 || visible == 0)
        return;
    resolve_phrase_mask(lx, t, ts, te, w, n, h, a);
    if (visible < 2 || w[0] == '*')
        return;
    const mask_word *best = NULL;
    unsigned char first = (unsigned char)w[0];
    for (size_t m = lx->mask_first[first]; m < lx->mask_first[first + 1]; m++) {
        const mask_word *mw = &lx->masks[m];
        /* A glue word may begin a longer masked word ("c*ntface"). */
        bool prefix = lx->terms[mw->term].mode == LEX_GLUE;
        if ((prefix ? mw->len > n : mw->len != n) || mw->w[0] != w[0])
            continue;
        size_t i = 0;
        while (i < mw->len && (w[i] == '*' || w[i] == mw->w[i]))
            i++;
        if (i == mw->len && (best == NULL || lx->terms[mw->term].sev > lx->terms[best->term].sev))
            best = mw;
    }
    if (best != NULL) {
        const term_rec *tr = &lx->terms[best->term];
        hit_push(h, a,
                 (lex_hit){(uint32_t)ts, (uint32_t)te, best->term, tr->cat, tr->sev, LEX_VIA_MASK,
                           false});
    }
}

static bool
is_vowel(char c)
{
    return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
}

/* The bytes that leet_byte reads as leetspeak: a table, since the scan
 * asks of every folded byte of most comments. */
static const bool leet_src[256] = {
    ['0'] = true, ['1'] = true, ['2'] = true, ['3'] = true, ['4'] = true, ['5'] = true,
    ['6'] = true, ['7'] = true, ['8'] = true, ['9'] = true, ['@'] = true, ['$'] = true,
    ['!'] = true, ['|'] = true, ['+'] = true, ['('] = true,
};

/* True when folded byte i of t was written as a digit or a symbol
 * ("0" in "f0ck", "@" in "f@ck"): leetspeak, which the normaliser read as
 * one letter but the writer may have meant for another. */
static inline bool
leet_byte(const norm_text *t, size_t i)
{
    if (t->src == NULL || t->ostart[i] >= t->src_len)
        return false;
    return leet_src[(unsigned char)t->src[t->ostart[i]]];
}

/* "f0ck", "f@cker", "@ssfvcker": a token in leetspeak whose plain reading
 * is no listed word, but which spells a maskable one (a strong swear word,
 * a severe slur) when each vowel written as a digit or symbol may stand for
 * any vowel and a "v" for a "u". Only tokens with leetspeak: nobody writes
 * "fock" for a bird, and a word written in plain letters keeps its
 * spelling. The first letter must be the word's own. */
static void
resolve_leet(const lexicon *lx, const norm_text *t, size_t ts, size_t te, hits *h, arena *a)
{
    char w[64];
    uint8_t free_vowel[64];
    size_t n = 0;
    bool any = false;
    for (size_t i = ts; i < te; i++) {
        char c = t->s[i];
        if (c < 'a' || c > 'z')
            return;
        bool lv = leet_byte(t, i) && is_vowel(c);
        any = any || lv;
        for (int r = 0; r < (t->run[i] >= 2 ? 2 : 1); r++) {
            if (n + 1 >= sizeof w)
                return;
            free_vowel[n] = lv;
            w[n++] = c;
        }
    }
    if (!any || n < 4)
        return;
    const mask_word *best = NULL;
    unsigned char first = (unsigned char)w[0];
    for (size_t m = lx->mask_first[first]; m < lx->mask_first[first + 1]; m++) {
        const mask_word *mw = &lx->masks[m];
        if (mw->len != n || mw->w[0] != w[0])
            continue;
        size_t i = 1;
        while (i < n && (w[i] == mw->w[i] || (free_vowel[i] && is_vowel(mw->w[i])) ||
                         (w[i] == 'v' && mw->w[i] == 'u')))
            i++;
        if (i == n && (best == NULL || lx->terms[mw->term].sev > lx->terms[best->term].sev))
            best = mw;
    }
    if (best != NULL) {
        const term_rec *tr = &lx->terms[best->term];
        hit_push(h, a,
                 (lex_hit){(uint32_t)ts, (uint32_t)te, best->term, tr->cat, tr->sev, LEX_VIA_LEET,
                           false});
    }
}

static int
cmp_hit(const void *pa, const void *pb)
{
    const lex_hit *x = pa, *y = pb;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    if (x->end != y->end)
        return x->end > y->end ? -1 : 1; /* longer first */
    if (x->category != y->category)
        return x->category < y->category ? -1 : 1;
    return x->severity > y->severity ? -1 : x->severity < y->severity;
}

/* Whether a hit of term counts in text of language lang (reliable: the
 * detector is sure of it); see lexicon_scan_in. */
static bool
lang_ok(const lexicon *lx, uint32_t term, const char *lang, bool reliable)
{
    const term_rec *tr = &lx->terms[term];
    if (tr->lang[0] == '\0')
        return true;
    if (!reliable)
        return !tr->strict;
    size_t n = strlen(lang);
    for (const char *p = tr->lang; *p;) {
        size_t k = strcspn(p, ",");
        if (k == n && memcmp(p, lang, n) == 0)
            return true;
        p += k + (p[k] == ',');
    }
    return false;
}

size_t
lexicon_scan(const lexicon *lx, const norm_text *t, arena *a, lex_hit **out)
{
    return lexicon_scan_in(lx, t, "", false, a, out);
}

/* The automaton's walk over a long text is a chain of dependent loads from
 * a table of megabytes, most of them cache misses, so the scan walks
 * SCAN_CHAINS stretches of the text at once (the processor overlaps their
 * misses). The state after a byte is the longest suffix of the text so far
 * that is a path from the root, at most lx->depth bytes long, so a walk
 * started at the root lx->depth bytes before its stretch is in the right
 * state where the stretch begins. The walk only notes where forms end; the
 * forms are then checked stretch by stretch in the text's order, exactly as
 * a single walk would check them. */
#define SCAN_CHAINS 4

typedef struct scan_chain {
    size_t at, end;  /* next byte to read; the stretch's end */
    uint32_t row;    /* the state's row offset */
    uint32_t *ev, n; /* byte index + 1 and state of every byte that ends forms */
} scan_chain;

static inline void
scan_step(const lexicon *lx, const unsigned char *s, scan_chain *c)
{
    uint32_t v = lx->delta[c->row + lx->cls[s[c->at]]];
    c->row = v & ~DELTA_OUT;
    c->at++;
    if (v & DELTA_OUT) {
        c->ev[2 * c->n] = (uint32_t)c->at;
        c->ev[2 * c->n + 1] = c->row / NCLASS;
        c->n++;
    }
}

static void
scan_walk(const lexicon *lx, const norm_text *t, hits *h, arena *a)
{
    const unsigned char *s = (const unsigned char *)t->s;
    size_t nc = t->len >= 4 * lx->depth + 64 ? SCAN_CHAINS : 1;
    scan_chain c[SCAN_CHAINS];
    for (size_t k = 0; k < nc; k++) {
        size_t b = t->len * k / nc, e = t->len * (k + 1) / nc;
        c[k] = (scan_chain){.at = b,
                            .end = e,
                            .row = 0,
                            .ev = arena_alloc(a, (2 * (e - b) + 2) * sizeof(uint32_t))};
    }
    if (nc == SCAN_CHAINS) {
        /* Warm up: each later stretch's walk reads the depth bytes before
         * it (inside the stretch before, which is longer) and notes nothing. */
        for (size_t i = lx->depth; i > 0; i--)
            for (size_t k = 1; k < SCAN_CHAINS; k++)
                c[k].row = lx->delta[c[k].row + lx->cls[s[c[k].at - i]]] & ~DELTA_OUT;
        size_t common = c[0].end - c[0].at;
        for (size_t k = 1; k < nc; k++)
            if (c[k].end - c[k].at < common)
                common = c[k].end - c[k].at;
        for (size_t j = 0; j < common; j++) {
            scan_step(lx, s, &c[0]);
            scan_step(lx, s, &c[1]);
            scan_step(lx, s, &c[2]);
            scan_step(lx, s, &c[3]);
        }
    }
    for (size_t k = 0; k < nc; k++) {
        while (c[k].at < c[k].end)
            scan_step(lx, s, &c[k]);
        for (uint32_t e = 0; e < c[k].n; e++) {
            size_t end = c[k].ev[2 * e];
            int32_t st = (int32_t)c[k].ev[2 * e + 1];
            for (int32_t o = lx->out_count[st] ? st : lx->dict[st]; o >= 0; o = lx->dict[o]) {
                const uint32_t *fo = lx->outs + lx->out_start[o];
                for (uint32_t q = 0; q < lx->out_count[o]; q++)
                    check_form(lx, t, fo[q], end, h, a);
            }
        }
    }
}

/* The run [*b, *e) of non-blank bytes of the original text around byte m,
 * at most 256 bytes to either side. */
static void
blank_run(const norm_text *t, uint32_t m, uint32_t *b, uint32_t *e)
{
    *b = m;
    *e = m + 1;
    while (*b > 0 && t->src[*b - 1] != ' ' && t->src[*b - 1] != '\n' && m - *b < 256)
        (*b)--;
    while (*e < t->src_len && t->src[*e] != ' ' && t->src[*e] != '\n' && *e - m < 256)
        (*e)++;
}

/* Is the mark at byte m of the original text inside a link or an address
 * ("www.bit.ch", "x.com/a", "me@mail.com"): a slash, a colon or an "@" in
 * its run of non-blank bytes, or a second dot there? */
static bool
in_link(const norm_text *t, uint32_t m)
{
    uint32_t b, e;
    blank_run(t, m, &b, &e);
    int dots = 0;
    for (uint32_t k = b; k < e; k++) {
        char ch = t->src[k];
        if (ch == '/' || ch == ':' || ch == '@')
            return true;
        dots += ch == '.' && k + 1 < e && t->src[k + 1] != '.';
    }
    return dots >= 2;
}

static bool
ascii_letter(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

/* The top-level domains a host name in a comment may end with: every
 * country code of the root zone and the common generic ones, lower case,
 * separated by spaces. Written for Parley (2026-12-06) from the root zone's
 * country codes; the generic ones are those a reader is likely to cite. */
static const char tlds[] =
    " ac ad ae af ag ai al am ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bm bn bo bq"
    " br bs bt bv bw by bz ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj dk dm"
    " do dz ec ee eg er es et eu fi fj fk fm fo fr ga gb gd ge gf gg gh gi gl gm gn gp gq gr gs"
    " gt gu gw gy hk hm hn hr ht hu id ie il im in io iq ir is it je jm jo jp ke kg kh ki km kn"
    " kp kr kw ky kz la lb lc li lk lr ls lt lu lv ly ma mc md me mg mh mk ml mm mn mo mp mq mr"
    " ms mt mu mv mw mx my mz na nc ne nf ng ni nl no np nr nu nz om pa pe pf pg ph pk pl pm pn"
    " pr ps pt pw py qa re ro rs ru rw sa sb sc sd se sg sh si sj sk sl sm sn so sr ss st su sv"
    " sx sy sz tc td tf tg th tj tk tl tm tn to tr tt tv tw tz ua ug uk us uy uz va vc ve vg vi"
    " vn vu wf ws ye yt za zm zw"
    " com net org edu gov mil int biz info name pro mobi aero coop asia jobs museum tel travel"
    " app dev xyz top art fun icu vip win ltd inc llc bid ink"
    " online site website shop store club live blog news tech life world today space email"
    " cloud page link click media ";

/* Country codes whose registry takes no names right under the code: names
 * are registered a level lower ("x.co.ck"), so "fu.ck" names no site.
 * These are every two-letter wildcard of the Public Suffix List ("*.ck";
 * `grep -E '^\*\.[a-z]{2}$'` over public_suffix_list.dat of Debian's
 * publicsuffix 20230209), copied here: nothing reads the list at build or
 * run time. Its one exception among them is "!www.ck"; host_like takes
 * "www" under any of them for a host, which reads no word either way. */
static const char third_level_only[] = " bd ck er fk jm kh mm np pg ";

/* Is s[0, n) (lower case) one of the space-separated words of list? */
static bool
in_word_list(const char *list, const char *s, size_t n)
{
    for (const char *p = strchr(list, ' '); p != NULL && p[1] != '\0'; p = strchr(p + 1, ' '))
        if (strncmp(p + 1, s, n) == 0 && p[1 + n] == ' ')
            return true;
    return false;
}

/* Could the run of non-blank bytes around the mark at byte m of the
 * original text be a host name ("bit.ch", "sex.com", "s-lut.com")? Letters,
 * digits and hyphens in labels, exactly one dot, and a last label that is a
 * top-level domain of tlds and ends the run; brackets, quotes and sentence
 * marks around it do not count. Under a country code that registers names
 * only a level lower, only "www" is a host ("fu.ck" is none). A word read
 * across such a mark has an innocent reading; one read across "cu.nt" or
 * "wh.ore" has none. */
static bool
host_like(const norm_text *t, uint32_t m)
{
    uint32_t b, e;
    blank_run(t, m, &b, &e);
    while (b < m && t->src[b] != '\0' && strchr("([{\"'", t->src[b]) != NULL)
        b++;
    while (e > m + 1 && t->src[e - 1] != '\0' && strchr(".,;!?)]}\"'", t->src[e - 1]) != NULL)
        e--;
    uint32_t dot = e, dots = 0;
    for (uint32_t k = b; k < e; k++) {
        char ch = t->src[k];
        if (ch == '.') {
            dot = k;
            dots++;
        } else if (!ascii_letter(ch) && !(ch >= '0' && ch <= '9') && ch != '-') {
            return false;
        }
    }
    char tld[8];
    size_t n = e - dot - 1;
    if (dots != 1 || dot == b || n < 2 || n >= sizeof tld)
        return false;
    for (size_t k = 0; k < n; k++) {
        char ch = t->src[dot + 1 + k];
        if (!ascii_letter(ch))
            return false;
        tld[k] = (char)(ch | 0x20);
    }
    if (!in_word_list(tlds, tld, n))
        return false;
    if (in_word_list(third_level_only, tld, n))
        return dot - b == 3 && strncasecmp(t->src + b, "www", 3) == 0;
    return true;
}

/* "fu.cking", "f.ucking", "sh-ithead": a strong glue word ("fuck", "shit",
 * "cunt") that opens the word joined across a mark at na, with the mark
 * inside it, and a rest that is an ending of the word or a word of the
 * dictionary of three letters or more. A hyphenated compound splits
 * between two words ("class-action", "shit-faced"), never inside a swear
 * word that opens it; "shi-tao" leaves "ao", no ending and no word. */
static bool
split_stem(const lexicon *lx, const norm_text *u, const lex_hit *x, size_t na)
{
    static const char *const endings[] = {"s",  "es",  "ed",   "er", "ers",
                                          "in", "ing", "ings", "y",  NULL};
    const term_rec *tr = &lx->terms[x->term];
    if (x->start != 0 || x->end <= na || x->end >= u->len || x->via != LEX_VIA_LIST)
        return false;
    if (tr->mode != LEX_GLUE || tr->homograph || tr->lang[0] != '\0' || tr->sev < 2 ||
        (tr->cat != LEX_PROFANITY && tr->cat != LEX_VULGARITY && tr->cat != LEX_SLUR))
        return false;
    char w[64];
    size_t n;
    if (!spell(u, x->end, u->len, w, sizeof w, &n))
        return false;
    for (size_t i = 0; endings[i] != NULL; i++)
        if (strcmp(endings[i], w) == 0)
            return true;
    return n >= 3 && dict_has(lx->words, w, n);
}

/* "re.tarded", "sh.it", "fu-ck": one dot or hyphen inside a word splits it
 * in two tokens. Where a lower-case letter follows the mark right after a
 * letter ("idiot.Then" is a missing space, "U.S." an abbreviation), the two
 * tokens are scanned again as one word, and a listed word that is the whole
 * of it counts. Linear: each mark is looked at once, and the two tokens it
 * joins are read twice at most (a word of up to 40 letters). */
static void
resolve_split(const lexicon *lx, const norm_text *t, hits *h, arena *a)
{
    for (size_t sp = 1; sp + 1 < t->len; sp++) {
        if (t->s[sp] != ' ' || t->s[sp - 1] < 'a' || t->s[sp - 1] > 'z' || t->s[sp + 1] < 'a' ||
            t->s[sp + 1] > 'z')
            continue;
        uint32_t ge = t->oend[sp - 1], gs = t->ostart[sp + 1];
        if (gs != ge + 1 || gs >= t->src_len || (t->src[ge] != '.' && t->src[ge] != '-') ||
            t->src[gs] < 'a' || t->src[gs] > 'z')
            continue;
        if (in_link(t, ge))
            continue;
        size_t i = token_start(t, sp - 1), e = sp + 1;
        while (e < t->len && t->s[e] != ' ')
            e++;
        size_t n = e - i - 1, na = sp - i;
        if (n > 40)
            continue;
        norm_text u = {.s = arena_alloc(a, n + 1),
                       .len = n,
                       .run = arena_alloc(a, n),
                       .flags = arena_alloc(a, n),
                       .ostart = arena_alloc(a, n * sizeof(uint32_t)),
                       .oend = arena_alloc(a, n * sizeof(uint32_t)),
                       .src = t->src,
                       .src_len = t->src_len};
        for (size_t k = 0; k < n; k++) {
            size_t from = k < na ? i + k : sp + 1 + (k - na);
            u.s[k] = t->s[from];
            u.run[k] = t->run[from];
            u.flags[k] = t->flags[from];
            u.ostart[k] = t->ostart[from];
            u.oend[k] = t->oend[from];
        }
        u.s[n] = '\0';
        bool host = host_like(t, ge);
        hits sub = {0};
        scan_walk(lx, &u, &sub, a);
        for (size_t k = 0; k < sub.n; k++)
            if ((sub.v[k].start == 0 && sub.v[k].end == n) || /* an allow hit shields "cock-tail" */
                split_stem(lx, &u, &sub.v[k], na)) {
                lex_hit x = sub.v[k];
                x.start = (uint32_t)i;
                x.end = (uint32_t)e;
                x.host = host;
                hit_push(h, a, x);
            }
    }
}

size_t
lexicon_scan_in(const lexicon *lx, const norm_text *t, const char *lang, bool reliable, arena *a,
                lex_hit **out)
{
    return lexicon_scan_allow(lx, t, lang, reliable, a, out, NULL, NULL);
}

size_t
lexicon_scan_allow(const lexicon *lx, const norm_text *t, const char *lang, bool reliable, arena *a,
                   lex_hit **out, lex_hit **allowed, size_t *nallowed)
{
    if (allowed != NULL) {
        *allowed = NULL;
        *nallowed = 0;
    }
    hits h = {0}, near = {0};
    if (allowed != NULL)
        h.near = &near;
    scan_walk(lx, t, &h, a);
    h.near = NULL;
    if (t->src != NULL &&
        (memchr(t->src, '.', t->src_len) != NULL || memchr(t->src, '-', t->src_len) != NULL))
        resolve_split(lx, t, &h, a);
    if (memchr(t->s, '*', t->len) != NULL) {
        size_t i = 0;
        while (i < t->len) {
            size_t e = i;
            while (e < t->len && t->s[e] != ' ')
                e++;
            if (memchr(t->s + i, '*', e - i) != NULL)
                resolve_mask(lx, t, i, e, &h, a);
            i = e + 1;
        }
    }
    /* Tokens in leetspeak with no hit of their own (a byte map of what the
     * hits cover: linear in the text and the hits' lengths). */
    bool any_leet = false;
    for (size_t i = 0; i < t->len && !any_leet; i++)
        any_leet = leet_byte(t, i);
    if (any_leet) {
        uint8_t *cover = arena_zalloc(a, t->len + 1);
        for (size_t j = 0; j < h.n; j++)
            memset(cover + h.v[j].start, 1, h.v[j].end - h.v[j].start);
        for (size_t i = 0; i < t->len;) {
            size_t e = i;
            bool leet = false, covered = false;
            for (; e < t->len && t->s[e] != ' '; e++) {
                leet = leet || leet_byte(t, e);
                covered = covered || cover[e];
            }
            if (leet && !covered)
                resolve_leet(lx, t, i, e, &h, a);
            i = e + 1;
        }
    }
    if (h.n == 0) {
        *out = NULL;
        return 0;
    }
    qsort(h.v, h.n, sizeof *h.v, cmp_hit);
    /* Drop allow-listed hits and hits inside a longer one of the same
     * category; keep the allow hits out of the result. The kept hits are
     * written over h.v, so the hits are read from a copy: a hit that an
     * earlier kept one overwrote could otherwise no longer shield. */
    lex_hit *v = arena_alloc(a, h.n * sizeof *v);
    memcpy(v, h.v, h.n * sizeof *v);
    /* per allow hit: 1 when it shielded a listed word, 2 when one of them
     * names a group ("homosexual"): a name is no look-alike */
    uint8_t *shield = allowed != NULL ? arena_zalloc(a, h.n * sizeof *shield) : NULL;
    size_t k = 0, nshield = 0;
    for (size_t i = 0; i < h.n; i++) {
        const lex_hit *x = &v[i];
        if (x->category == LEX_ALLOW || !lang_ok(lx, x->term, lang, reliable))
            continue;
        bool drop = false;
        for (size_t j = 0; j < h.n && !drop; j++) {
            const lex_hit *y = &v[j];
            if (y->start > x->start)
                break; /* sorted by start */
            if (j == i || !lang_ok(lx, y->term, lang, reliable))
                continue;
            if (y->end < x->end)
                continue;
            if (y->category == LEX_ALLOW) {
                drop = true;
                if (shield != NULL && shield[j] != 2)
                    shield[j] = x->category == LEX_GROUP ? 2 : 1;
            } else if (y->category == x->category &&
                       (y->start < x->start || y->end > x->end || j < i)) {
                drop = true;
            }
        }
        if (!drop && k < LEXICON_MAX_HITS)
            h.v[k++] = *x;
    }
    /* An allow hit that is a whole word over a mild or contextual listed
     * form that failed only its word boundary ("retardant" over "retard")
     * shields it too; not when a listed word is read over the same letters
     * ("bitches" beside the town of Bitche), nor over a group's name or a
     * strong word ("homosexuality", "Pakistani"): those are no look-alikes
     * the model mistakes, and "massive" inside a glued insult is no word. */
    for (size_t j = 0; shield != NULL && j < h.n && near.n > 0; j++) {
        const lex_hit *y = &v[j];
        if (y->category != LEX_ALLOW || shield[j] != 0 ||
            (y->start > 0 && t->s[y->start - 1] != ' ') ||
            (y->end < t->len && t->s[y->end] != ' ') || !lang_ok(lx, y->term, lang, reliable))
            continue;
        bool look_alike = false, other = false;
        for (size_t i = 0; i < near.n && !other; i++) {
            const lex_hit *x = &near.v[i];
            if (x->start < y->start || x->end > y->end || !lang_ok(lx, x->term, lang, reliable))
                continue;
            if (x->category == LEX_GROUP || x->severity >= 2)
                other = true;
            else
                look_alike = true;
        }
        for (size_t i = 0; i < k && look_alike && !other; i++)
            other = h.v[i].start < y->end && h.v[i].end > y->start;
        if (look_alike && !other)
            shield[j] = 1;
    }
    for (size_t i = 0; shield != NULL && i < h.n; i++)
        nshield += shield[i] == 1;
    if (nshield > 0) {
        /* the allow hits that shielded a listed word */
        *allowed = arena_alloc(a, nshield * sizeof **allowed);
        for (size_t i = 0; i < h.n; i++)
            if (shield[i] == 1)
                (*allowed)[(*nallowed)++] = v[i];
    }
    *out = h.v;
    return k;
}
