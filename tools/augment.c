/* tools/augment.c: disguised copies of abusive training texts (augment.h). */
#include "augment.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

#define WORD_MIN 3
#define WORD_MAX 24
/* A word leans towards toxic texts when its share of the toxic words is at
 * least e (2.7) times its share of the clean ones, in at least MIN_TOXIC
 * occurrences: a rarer word is as likely a name as an insult. */
#define LEAN_MIN 1.0
#define MIN_TOXIC 5

typedef struct slot {
    uint64_t key; /* 0: empty */
    uint32_t toxic, clean;
} slot;

struct augment {
    slot *t;
    size_t cap, n;       /* cap a power of two */
    double toxic, clean; /* words counted in each */
};

uint64_t
augment_rng(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static int
is_letter(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static unsigned char
lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

/* FNV-1a of the folded word, never 0. */
static uint64_t
word_key(const char *w, size_t n)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (size_t i = 0; i < n; i++) {
        h ^= lower((unsigned char)w[i]);
        h *= 0x100000001b3u;
    }
    return h ? h : 1;
}

augment *
augment_new(void)
{
    augment *a = xcalloc(1, sizeof *a);
    a->cap = (size_t)1 << 16;
    a->t = xcalloc(a->cap, sizeof *a->t);
    return a;
}

void
augment_free(augment *a)
{
    if (a == NULL)
        return;
    free(a->t);
    free(a);
}

static slot *
find(const augment *a, uint64_t key)
{
    size_t i = (size_t)key & (a->cap - 1);
    while (a->t[i].key != 0 && a->t[i].key != key)
        i = (i + 1) & (a->cap - 1);
    return &a->t[i];
}

static void
grow(augment *a)
{
    slot *old = a->t;
    size_t n = a->cap;
    a->cap *= 2;
    a->t = xcalloc(a->cap, sizeof *a->t);
    for (size_t i = 0; i < n; i++)
        if (old[i].key != 0)
            *find(a, old[i].key) = old[i];
    free(old);
}

/* The next word of text at or after *pos: sets [*b, *e) and returns 1, or
 * returns 0 at the end. */
static int
next_word(const char *text, size_t len, size_t *pos, size_t *b, size_t *e)
{
    size_t i = *pos;
    while (i < len && !is_letter((unsigned char)text[i]))
        i++;
    if (i == len)
        return 0;
    *b = i;
    while (i < len && is_letter((unsigned char)text[i]))
        i++;
    *e = i;
    *pos = i;
    return 1;
}

void
augment_count(augment *a, const char *text, size_t len, int toxic)
{
    size_t pos = 0, b, e;
    while (next_word(text, len, &pos, &b, &e)) {
        if (e - b < WORD_MIN || e - b > WORD_MAX)
            continue;
        if (2 * (a->n + 1) > a->cap)
            grow(a);
        uint64_t key = word_key(text + b, e - b);
        slot *s = find(a, key);
        if (s->key == 0) {
            s->key = key;
            a->n++;
        }
        if (toxic) {
            s->toxic++;
            a->toxic++;
        } else {
            s->clean++;
            a->clean++;
        }
    }
}

/* How far the word leans towards toxic texts: the log of its share of the
 * toxic words over its share of the clean ones (add-half smoothing), or
 * -INFINITY for a word seen fewer than MIN_TOXIC times in toxic texts. */
static double
lean(const augment *a, const char *w, size_t n)
{
    const slot *s = find(a, word_key(w, n));
    if (s->key == 0 || s->toxic < MIN_TOXIC)
        return -INFINITY;
    return log((s->toxic + 0.5) / (a->toxic + 1)) - log((s->clean + 0.5) / (a->clean + 1));
}

/* ---- one word --------------------------------------------------------------- */

typedef struct buf {
    char *p;
    size_t n, cap;
    int full;
} buf;

static void
put(buf *o, const char *s, size_t n)
{
    if (o->n + n > o->cap) {
        o->full = 1;
        return;
    }
    memcpy(o->p + o->n, s, n);
    o->n += n;
}

static void
put_c(buf *o, char c)
{
    put(o, &c, 1);
}

static const char *
leet_of(unsigned char c, uint64_t *rng)
{
    switch (lower(c)) {
    case 'a':
        return augment_rng(rng) & 1 ? "4" : "@";
    case 'e':
        return "3";
    case 'i':
        return augment_rng(rng) & 1 ? "1" : "!";
    case 'o':
        return "0";
    case 's':
        return augment_rng(rng) & 1 ? "5" : "$";
    case 't':
        return "7";
    case 'g':
        return "9";
    case 'b':
        return "8";
    case 'u':
        return "v";
    case 'l':
        return "1";
    default:
        return NULL;
    }
}

/* Cyrillic letters that look like Latin ones (UTF-8). */
static const char *
homoglyph_of(unsigned char c)
{
    switch (c) {
    case 'a':
        return "\xd0\xb0";
    case 'c':
        return "\xd1\x81";
    case 'e':
        return "\xd0\xb5";
    case 'o':
        return "\xd0\xbe";
    case 'p':
        return "\xd1\x80";
    case 'x':
        return "\xd1\x85";
    case 'y':
        return "\xd1\x83";
    case 'i':
        return "\xd1\x96";
    case 'A':
        return "\xd0\x90";
    case 'E':
        return "\xd0\x95";
    case 'O':
        return "\xd0\x9e";
    case 'C':
        return "\xd0\xa1";
    default:
        return NULL;
    }
}

static int
is_vowel(unsigned char c)
{
    c = lower(c);
    return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
}

/* Picks one or two distinct positions of w[0..n) for which ok() holds
 * (lo <= position < hi); returns how many (0 when none qualifies). */
static int
pick(const char *w, size_t lo, size_t hi, int (*ok)(unsigned char), uint64_t *rng, size_t at[2])
{
    size_t cand[WORD_MAX], nc = 0;
    for (size_t i = lo; i < hi && nc < WORD_MAX; i++)
        if (ok((unsigned char)w[i]))
            cand[nc++] = i;
    if (nc == 0)
        return 0;
    at[0] = cand[augment_rng(rng) % nc];
    if (nc == 1 || augment_rng(rng) % 3 != 0)
        return 1;
    at[1] = cand[augment_rng(rng) % nc];
    if (at[1] == at[0])
        return 1;
    if (at[1] < at[0]) {
        size_t t = at[0];
        at[0] = at[1];
        at[1] = t;
    }
    return 2;
}

static int
has_leet(unsigned char c)
{
    uint64_t dummy = 1;
    return leet_of(c, &dummy) != NULL;
}

static int
has_homoglyph(unsigned char c)
{
    return homoglyph_of(c) != NULL;
}

static int
any_letter(unsigned char c)
{
    return is_letter(c);
}

static int
vowel(unsigned char c)
{
    return is_vowel(c);
}

/* The word w[0..n) with the letters at at[0..np) replaced by what sub()
 * gives (or doubled, when sub is NULL). */
static void
put_replaced(buf *o, const char *w, size_t n, const size_t *at, int np,
             const char *(*sub)(unsigned char, uint64_t *), uint64_t *rng)
{
    int k = 0;
    for (size_t i = 0; i < n; i++) {
        if (k < np && at[k] == i) {
            k++;
            if (sub == NULL) {
                put_c(o, w[i]);
                put_c(o, w[i]);
            } else {
                const char *s = sub((unsigned char)w[i], rng);
                put(o, s, strlen(s));
            }
            continue;
        }
        put_c(o, w[i]);
    }
}

static const char *
homoglyph_sub(unsigned char c, uint64_t *rng)
{
    (void)rng;
    return homoglyph_of(c);
}

static const char *
mask_sub(unsigned char c, uint64_t *rng)
{
    (void)c;
    return augment_rng(rng) % 3 == 0 ? "#" : "*";
}

static void
put_doubled(buf *o, const char *w, size_t n, uint64_t *rng)
{
    size_t at[2];
    int np = pick(w, 0, n, any_letter, rng, at);
    put_replaced(o, w, n, at, np, NULL, rng);
}

/* One or two letters for which ok() holds replaced by what sub() gives;
 * letters doubled when none qualifies. */
static void
put_swapped(buf *o, const char *w, size_t n, int (*ok)(unsigned char),
            const char *(*sub)(unsigned char, uint64_t *), uint64_t *rng)
{
    size_t at[2];
    int np = pick(w, 0, n, ok, rng, at);
    if (np == 0)
        put_doubled(o, w, n, rng);
    else
        put_replaced(o, w, n, at, np, sub, rng);
}

static int
is_blank(char c)
{
    return c == ' ' || c == '\t';
}

size_t
augment_word(augment_kind k, const char *text, size_t len, size_t b, size_t e, uint64_t *rng,
             char *out, size_t cap)
{
    buf o = {out, 0, cap, 0};
    const char *w = text + b;
    size_t n = e - b, at[2];
    int np;

    if (k == AUGMENT_GLUED) {
        size_t j = e;
        while (j < len && is_blank(text[j]))
            j++;
        if (j > e && j < len && is_letter((unsigned char)text[j])) {
            put(&o, text, e);
            put(&o, text + j, len - j);
            return o.full ? 0 : o.n;
        }
        j = b;
        while (j > 0 && is_blank(text[j - 1]))
            j--;
        if (j < b && j > 0 && is_letter((unsigned char)text[j - 1])) {
            put(&o, text, j);
            put(&o, text + b, len - b);
            return o.full ? 0 : o.n;
        }
        k = AUGMENT_DOUBLED;
    }
    put(&o, text, b);
    switch (k) {
    case AUGMENT_LEET:
        put_swapped(&o, w, n, has_leet, leet_of, rng);
        break;
    case AUGMENT_MASK:
        /* An inner vowel where there is one (f*ck), else any inner letter. */
        np = pick(w, 1, n - 1, vowel, rng, at);
        if (np == 0)
            np = pick(w, 1, n - 1, any_letter, rng, at);
        put_replaced(&o, w, n, at, np, mask_sub, rng);
        break;
    case AUGMENT_SPACED:
    case AUGMENT_DOTTED: {
        static const char seps[] = ".-_";
        char sep = k == AUGMENT_SPACED ? ' ' : seps[augment_rng(rng) % 3];
        for (size_t i = 0; i < n; i++) {
            if (i > 0)
                put_c(&o, sep);
            put_c(&o, w[i]);
        }
        break;
    }
    case AUGMENT_HOMOGLYPH:
        put_swapped(&o, w, n, has_homoglyph, homoglyph_sub, rng);
        break;
    case AUGMENT_DOUBLED:
    default:
        put_doubled(&o, w, n, rng);
        break;
    }
    put(&o, text + e, len - e);
    return o.full ? 0 : o.n;
}

/* ---- a whole text ----------------------------------------------------------------- */

size_t
augment_disguise(const augment *a, const char *text, size_t len, uint64_t *rng, char *out,
                 size_t cap)
{
    size_t pos = 0, b, e, wb[2] = {0, 0}, we[2] = {0, 0};
    double best[2] = {LEAN_MIN, LEAN_MIN};
    int found = 0;
    while (next_word(text, len, &pos, &b, &e)) {
        if (e - b < WORD_MIN || e - b > WORD_MAX)
            continue;
        double l = lean(a, text + b, e - b);
        if (l <= best[1])
            continue;
        if (l > best[0]) {
            best[1] = best[0];
            wb[1] = wb[0];
            we[1] = we[0];
            best[0] = l;
            wb[0] = b;
            we[0] = e;
        } else {
            best[1] = l;
            wb[1] = b;
            we[1] = e;
        }
        found++;
    }
    if (found == 0)
        return 0;
    augment_kind k0 = (augment_kind)(augment_rng(rng) % AUGMENT_KINDS);
    if (found == 1 || augment_rng(rng) % 3 != 0)
        return augment_word(k0, text, len, wb[0], we[0], rng, out, cap);
    /* Two words: the later one first, so that the earlier one's place in
     * the text holds. */
    augment_kind k1 = (augment_kind)(augment_rng(rng) % AUGMENT_KINDS);
    int late = wb[1] > wb[0];
    char *tmp = xmalloc(cap > 0 ? cap : 1);
    size_t n = augment_word(late ? k1 : k0, text, len, wb[late], we[late], rng, tmp, cap);
    if (n > 0)
        n = augment_word(late ? k0 : k1, tmp, n, wb[!late], we[!late], rng, out, cap);
    free(tmp);
    return n;
}

size_t
augment_disguise_any(const char *text, size_t len, uint64_t *rng, char *out, size_t cap)
{
    size_t pos = 0, b, e, n = 0;
    while (next_word(text, len, &pos, &b, &e))
        n += e - b >= WORD_MIN && e - b <= WORD_MAX;
    if (n == 0)
        return 0;
    size_t want = (size_t)(augment_rng(rng) % n);
    pos = 0;
    while (next_word(text, len, &pos, &b, &e))
        if (e - b >= WORD_MIN && e - b <= WORD_MAX && want-- == 0)
            break;
    augment_kind k = (augment_kind)(augment_rng(rng) % AUGMENT_KINDS);
    return augment_word(k, text, len, b, e, rng, out, cap);
}
