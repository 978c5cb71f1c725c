/* moderation/langid.c: see langid.h. */
#include "moderation/langid.h"
#include "util/assets.h"
#include "util/xalloc.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* A trigram is at most three code points of four bytes. */
#define KEY_MAX 12
#define NO_COST UINT16_MAX

typedef struct entry {
    char key[KEY_MAX + 1];
    uint8_t len; /* bytes in key; 0: an empty slot */
    uint16_t cost[LANGID_MAX_LANGS];
} entry;

enum { SCRIPT_LATIN, SCRIPT_ARABIC, SCRIPT_HEBREW, SCRIPT_OTHER, SCRIPTS };

struct langid {
    int n;                          /* languages */
    char code[LANGID_MAX_LANGS][4]; /* "en" ... */
    int floor[LANGID_MAX_LANGS];    /* cost of a trigram not in the list */
    int script[LANGID_MAX_LANGS];   /* SCRIPT_* the language is written in */
    entry *tab;                     /* open addressing, size cap (a power of two) */
    size_t cap;
    entry miss; /* the costs of a trigram in no list: each language's floor */
};

static uint32_t
hash(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (uint8_t)s[i]) * 16777619u;
    return h;
}

/* Whether the n bytes at a and b are the same: keys are a few bytes (three
 * for most trigrams), which a plain loop compares for less than a call to
 * memcmp costs. */
static bool
key_eq(const char *a, const char *b, size_t n)
{
    if (n == 3) /* three ASCII bytes: most trigrams */
        return a[0] == b[0] && a[1] == b[1] && a[2] == b[2];
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i])
            return false;
    return true;
}

/* The slot of key, or the empty slot where it would go; the search starts
 * at slot i (hash(key) & (cap - 1)). */
static inline entry *
slot_from(const langid *li, size_t i, const char *key, size_t n)
{
    while (li->tab[i].len != 0 && (li->tab[i].len != n || !key_eq(li->tab[i].key, key, n)))
        i = (i + 1) & (li->cap - 1);
    return &li->tab[i];
}

static entry *
slot(const langid *li, const char *key, size_t n)
{
    return slot_from(li, hash(key, n) & (li->cap - 1), key, n);
}

static int
script_of_lang(const char *code)
{
    if (strcmp(code, "ar") == 0 || strcmp(code, "fa") == 0)
        return SCRIPT_ARABIC;
    if (strcmp(code, "he") == 0)
        return SCRIPT_HEBREW;
    return SCRIPT_LATIN;
}

static inline int
script_of_cp(int32_t cp)
{
    if (cp < 0x250 || (cp >= 0x1E00 && cp <= 0x1EFF))
        return SCRIPT_LATIN;
    if ((cp >= 0x600 && cp <= 0x6FF) || (cp >= 0x750 && cp <= 0x77F) ||
        (cp >= 0xFB50 && cp <= 0xFDFF) || (cp >= 0xFE70 && cp <= 0xFEFF))
        return SCRIPT_ARABIC;
    if ((cp >= 0x590 && cp <= 0x5FF) || (cp >= 0xFB1D && cp <= 0xFB4F))
        return SCRIPT_HEBREW;
    return SCRIPT_OTHER;
}

static int
lang_index(langid *li, const char *code, size_t n)
{
    for (int i = 0; i < li->n; i++)
        if (strlen(li->code[i]) == n && memcmp(li->code[i], code, n) == 0)
            return i;
    if (li->n == LANGID_MAX_LANGS || n < 2 || n > 3)
        return -1;
    memcpy(li->code[li->n], code, n);
    li->code[li->n][n] = '\0';
    li->script[li->n] = script_of_lang(li->code[li->n]);
    li->floor[li->n] = -1;
    return li->n++;
}

int
langid_new(const char *text, size_t len, langid **out, pl_error *err)
{
    *out = NULL;
    langid *li = xcalloc(1, sizeof *li);
    size_t lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += text[i] == '\n';
    li->cap = 64;
    while (li->cap < 2 * lines + 2)
        li->cap *= 2;
    li->tab = xcalloc(li->cap, sizeof *li->tab);
    for (size_t i = 0; i < li->cap; i++)
        for (int l = 0; l < LANGID_MAX_LANGS; l++)
            li->tab[i].cost[l] = NO_COST;
    const char *p = text, *end = text + len;
    for (size_t line = 1; p < end; line++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end;
        if (e > p && *p != '#') {
            const char *t1 = memchr(p, '\t', (size_t)(e - p));
            const char *t2 = t1 ? memchr(t1 + 1, '\t', (size_t)(e - t1 - 1)) : NULL;
            int l = t1 ? lang_index(li, p, (size_t)(t1 - p)) : -1;
            /* The cost is read within the line: the text need not end in
             * a NUL (strtol would run past the last line's end). */
            long cost = -1;
            if (t2 != NULL && e > t2 + 1 && e - t2 - 1 <= 5) {
                cost = 0;
                for (const char *d = t2 + 1; d < e && cost >= 0; d++)
                    cost = *d >= '0' && *d <= '9' ? cost * 10 + (*d - '0') : -1;
            }
            size_t kn = t2 ? (size_t)(t2 - t1 - 1) : 0;
            if (l < 0 || cost < 0 || cost >= NO_COST || kn > KEY_MAX) {
                pl_errorf(err, PL_EINVAL,
                          "langid profiles: line %zu is not LANG<TAB>TRIGRAM<TAB>COST", line);
                langid_free(li);
                return PL_EINVAL;
            }
            if (kn == 0) {
                li->floor[l] = (int)cost;
            } else {
                entry *s = slot(li, t1 + 1, kn);
                memcpy(s->key, t1 + 1, kn);
                s->key[kn] = '\0';
                s->len = (uint8_t)kn;
                s->cost[l] = (uint16_t)cost;
            }
        }
        p = e + (nl != NULL);
    }
    for (int l = 0; l < li->n; l++) {
        if (li->floor[l] < 0) {
            pl_errorf(err, PL_EINVAL, "langid profiles: no floor for %s", li->code[l]);
            langid_free(li);
            return PL_EINVAL;
        }
    }
    /* A language without this trigram pays its floor: filled in once here
     * so that scoring is one plain sum per language. */
    for (int l = 0; l < li->n; l++) {
        li->miss.cost[l] = (uint16_t)li->floor[l];
        for (size_t i = 0; i < li->cap; i++)
            if (li->tab[i].cost[l] == NO_COST)
                li->tab[i].cost[l] = (uint16_t)li->floor[l];
    }
    *out = li;
    return 0;
}

int
langid_load(langid **out, pl_error *err)
{
    const asset *a = asset_find(data_files, "/langid/profiles.tsv");
    if (a == NULL) {
        pl_errorf(err, PL_EINVAL, "langid profiles are not compiled in");
        *out = NULL;
        return PL_EINVAL;
    }
    return langid_new((const char *)a->data, (size_t)a->size, out, err);
}

void
langid_free(langid *li)
{
    if (li == NULL)
        return;
    free(li->tab);
    free(li);
}

#define WORD_MAX 64 /* code points of one word that are scored */

_Static_assert((int64_t)LANGID_MAX_TRIGRAMS *UINT16_MAX < INT32_MAX,
               "a text's summed trigram costs fit an int32_t");

/* Sums the costs of one padded word's trigrams (w: code points as UTF-8,
 * with their byte offsets in at[]). */
static void
score_word(const langid *li, const char *w, const size_t *at, int ncp, int32_t *cost, int *count)
{
    /* Past LANGID_MAX_TRIGRAMS no trigram is scored: no word's slots are
     * hashed or fetched either (a long text has thousands of words). */
    if (*count >= LANGID_MAX_TRIGRAMS)
        return;
    /* The table is megabytes and each trigram's slot a cache miss: the
     * word's slots are asked for first, so that their loads overlap. */
    size_t first[WORD_MAX + 2];
    int nt = ncp - 2 < WORD_MAX + 2 ? ncp - 2 : WORD_MAX + 2;
    for (int i = 0; i < nt; i++) {
        size_t kn = at[i + 3] - at[i];
        first[i] = kn > KEY_MAX ? 0 : hash(w + at[i], kn) & (li->cap - 1);
        __builtin_prefetch(&li->tab[first[i]]);
        __builtin_prefetch((const char *)&li->tab[first[i]] + sizeof(entry) - 1);
    }
    for (int i = 0; i + 3 <= ncp && *count < LANGID_MAX_TRIGRAMS; i++) {
        size_t kn = at[i + 3] - at[i];
        if (kn > KEY_MAX)
            continue;
        const entry *s = i < nt ? slot_from(li, first[i], w + at[i], kn) : slot(li, w + at[i], kn);
        if (s->len == 0)
            s = &li->miss;
        /* All LANGID_MAX_LANGS lanes, a fixed count the compiler turns into
         * a few vector additions; the lanes past li->n are never read. At
         * most LANGID_MAX_TRIGRAMS costs below 2^16 each: no sum reaches
         * 2^31. */
        for (int l = 0; l < LANGID_MAX_LANGS; l++)
            cost[l] += s->cost[l];
        (*count)++;
    }
}

/* What langid_detect's walk does to letters[] from byte i on, without
 * building words: once LANGID_MAX_TRIGRAMS are scored, no word of the rest
 * of the text is (score_word), and only its letters still count towards
 * the script. The same letters, marks and bytes that are not UTF-8 as the
 * walk's. */
static void
count_letters(const uint8_t *p, size_t i, size_t n, int *letters)
{
    while (i < n) {
        int latin = 0;
        /* Eight ASCII bytes at a time: with every byte below 0x80, adding
         * 0x1f sets a byte's top bit when its lower case is 'a' or more,
         * adding 0x05 when it is past 'z', and no byte carries into the
         * next. */
        for (; i + 8 <= n; i += 8) {
            uint64_t x;
            memcpy(&x, p + i, sizeof x);
            if (x & UINT64_C(0x8080808080808080))
                break;
            uint64_t y = x | UINT64_C(0x2020202020202020);
            uint64_t ge_a = y + UINT64_C(0x1f1f1f1f1f1f1f1f);
            uint64_t gt_z = y + UINT64_C(0x0505050505050505);
            /* the flags are the bytes' top bits: moved to their low bits,
             * one multiplication adds the eight into the top byte (without
             * a popcount instruction, __builtin_popcountll is a call) */
            uint64_t is = (ge_a & ~gt_z & UINT64_C(0x8080808080808080)) >> 7;
            latin += (unsigned)((is * UINT64_C(0x0101010101010101)) >> 56);
        }
        for (; i < n && p[i] < 0x80; i++)
            latin += (unsigned)((p[i] | 0x20) - 'a') < 26;
        letters[SCRIPT_LATIN] += latin;
        if (i >= n)
            break;
        int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate(p + i, (utf8proc_ssize_t)(n - i), &cp);
        if (k <= 0) {
            i++;
            continue;
        }
        const utf8proc_property_t *pr = utf8proc_get_property(cp);
        bool letter = pr->category >= UTF8PROC_CATEGORY_LU && pr->category <= UTF8PROC_CATEGORY_LO;
        bool skip = cp == 0x640 || pr->category == UTF8PROC_CATEGORY_MN ||
                    pr->category == UTF8PROC_CATEGORY_MC || pr->ignorable;
        if (letter && !skip)
            letters[script_of_cp(cp)]++;
        i += (size_t)k;
    }
}

void
langid_detect(const langid *li, const char *text, size_t n, langid_result *out)
{
    memset(out, 0, sizeof *out);
    int32_t cost[LANGID_MAX_LANGS] = {0};
    int letters[SCRIPTS] = {0};
    char w[(WORD_MAX + 2) * 4];
    size_t at[WORD_MAX + 3];
    int ncp = 0;
    const uint8_t *p = (const uint8_t *)text;
    size_t i = 0;
    for (;;) {
        /* The rest of a word's ASCII letters, most of the text: what the
         * loop below does for each, without its other cases. */
        while (ncp > 0 && ncp <= WORD_MAX && i < n && (unsigned)((p[i] | 0x20) - 'a') < 26) {
            letters[SCRIPT_LATIN]++;
            w[at[ncp]] = (char)(p[i] | 0x20);
            at[ncp + 1] = at[ncp] + 1;
            ncp++;
            i++;
        }
        int32_t cp = -1;
        utf8proc_ssize_t k = 1;
        bool letter = false, skip = false;
        if (i < n && p[i] < 0x80) {
            /* ASCII, most of the text in Latin-script languages: letters
             * are a-z and A-Z, nothing is a mark or ignorable (as
             * utf8proc says for all 128). */
            cp = p[i];
            letter = (cp | 0x20) >= 'a' && (cp | 0x20) <= 'z';
        } else if (i < n) {
            k = utf8proc_iterate(p + i, (utf8proc_ssize_t)(n - i), &cp);
            if (k <= 0) {
                k = 1;
                cp = -1;
            }
        }
        if (cp >= 0x80) {
            const utf8proc_property_t *pr = utf8proc_get_property(cp);
            letter = pr->category >= UTF8PROC_CATEGORY_LU && pr->category <= UTF8PROC_CATEGORY_LO;
            /* Vowel marks and tatweel are not written consistently. */
            skip = cp == 0x640 || pr->category == UTF8PROC_CATEGORY_MN ||
                   pr->category == UTF8PROC_CATEGORY_MC || pr->ignorable;
        }
        if (skip) {
            i += (size_t)k;
            continue;
        }
        if (letter) {
            letters[script_of_cp(cp)]++;
            if (ncp == 0) {
                w[0] = ' ';
                at[0] = 0;
                at[1] = 1;
                ncp = 1;
            }
            if (ncp <= WORD_MAX && cp < 0x80) {
                w[at[ncp]] = (char)(cp | 0x20);
                at[ncp + 1] = at[ncp] + 1;
                ncp++;
            } else if (ncp <= WORD_MAX) {
                int32_t lc = utf8proc_tolower(cp);
                utf8proc_ssize_t m = utf8proc_encode_char(lc, (utf8proc_uint8_t *)w + at[ncp]);
                at[ncp + 1] = at[ncp] + (size_t)m;
                ncp++;
            }
        } else if (ncp > 0) {
            w[at[ncp]] = ' ';
            at[ncp + 1] = at[ncp] + 1;
            ncp++;
            score_word(li, w, at, ncp, cost, &out->trigrams);
            ncp = 0;
            if (out->trigrams >= LANGID_MAX_TRIGRAMS) {
                if (i < n)
                    count_letters(p, i + (size_t)k, n, letters);
                break;
            }
        }
        if (i >= n)
            break;
        i += (size_t)k;
    }
    int total = letters[0] + letters[1] + letters[2] + letters[3];
    if (total == 0)
        return;
    int script = SCRIPT_LATIN;
    for (int s = 1; s < SCRIPTS; s++)
        if (letters[s] > letters[script])
            script = s;
    if (script == SCRIPT_OTHER) {
        out->other_script = true;
        out->reliable = total >= 4;
        return;
    }
    int best = -1, second = -1;
    for (int l = 0; l < li->n; l++) {
        if (li->script[l] != script)
            continue;
        if (best < 0 || cost[l] < cost[best]) {
            second = best;
            best = l;
        } else if (second < 0 || cost[l] < cost[second]) {
            second = l;
        }
    }
    if (best < 0 || out->trigrams == 0)
        return;
    memcpy(out->lang, li->code[best], sizeof out->lang);
    out->margin = second < 0 ? 0 : (double)(cost[second] - cost[best]) / 100.0 / out->trigrams;
    /* One candidate (Hebrew): a few letters suffice. Several: enough text
     * and a lead of a fifth of a nat per trigram (tests/unit/moderation/
     * test_langid.c and bench/RESULTS.md, "Languages", show the trade). */
    out->reliable = second < 0
                        ? out->trigrams >= 4
                        : out->trigrams >= LANGID_MIN_TRIGRAMS && out->margin >= LANGID_MIN_MARGIN;
}
