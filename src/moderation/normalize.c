/* moderation/normalize.c: see normalize.h.
 *
 * Two passes. The first decodes code points into "units" (one folded ASCII
 * letter, digit, symbol, separator or other letter, each with the original
 * byte span it came from); one code point may give several units (a
 * ligature, "ß", an emoji word) or none (an ignorable, a combining mark).
 * The second works on tokens of units: it decides which symbols and digits
 * are leetspeak, joins spelled-out letters, then writes the folded bytes,
 * collapsing repeated letters. Both passes are linear: no step looks back
 * or ahead more than a token, and a token is visited a fixed number of times.
 */
#include "moderation/normalize.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "util/xalloc.h"

enum {
    U_SEP,    /* space, punctuation, symbols: ends a token */
    U_LETTER, /* ASCII letter a-z in cp */
    U_DIGIT,  /* ASCII digit in cp */
    U_SYM,    /* @ $ ! | + ( : a letter when inside a word */
    U_MASK,   /* * # % : a masked letter inside a word */
    U_APOS,   /* apostrophe: dropped inside a word ("you're") */
    U_OTHER,  /* a letter or number with no Latin look-alike */
    U_DROP,   /* part of a token that writes nothing */
};

/* Twelve bytes, because every pass walks the units: the original span is
 * [os, os + slen) (slen 0 for the separators around an emoji word). */
enum { UB_CAP = 1, UB_NL = 2 }; /* unit.bits: upper case in the original; a line break */
typedef struct unit {
    uint32_t os;
    uint32_t cp;
    uint8_t kind;
    uint8_t bits;
    uint8_t slen; /* source bytes, 0..4 */
    uint8_t tokf; /* NORM_* flags for the token this unit starts */
} unit;
#define UNIT_OE(x) ((x)->os + (x)->slen)

typedef struct units {
    unit *v;
    size_t n, cap;
    size_t n_other; /* U_OTHER units: the later passes neither make nor change one */
} units;

static inline void
push(units *u, uint32_t os, uint32_t oe, uint32_t cp, int kind, int cap)
{
    if (u->n == u->cap) {
        u->cap = u->cap ? u->cap * 2 : 256;
        u->v = xrealloc(u->v, u->cap * sizeof *u->v);
    }
    u->v[u->n++] = (unit){os, cp, (uint8_t)kind, cap ? UB_CAP : 0, (uint8_t)(oe - os), 0};
}

/* Letters that look like Latin ones, after case folding (so only lower
 * case is listed). Sorted by code point for bsearch. */
typedef struct fold_pair {
    uint32_t cp;
    char to;
} fold_pair;

/* Sorted by code point (bsearch); test_normalize checks the order. */
static const fold_pair confusables[] = {
    {0x0111, 'd'}, {0x0127, 'h'}, {0x0131, 'i'}, {0x0142, 'l'}, {0x0167, 't'}, {0x0180, 'b'},
    {0x0192, 'f'}, {0x01C0, 'l'}, {0x0250, 'a'}, {0x0251, 'a'}, {0x0261, 'g'}, {0x0262, 'g'},
    {0x026A, 'i'}, {0x0274, 'n'}, {0x0280, 'r'}, {0x028F, 'y'}, {0x029C, 'h'}, {0x029F, 'l'},
    {0x03B1, 'a'}, {0x03B2, 'b'}, {0x03B3, 'y'}, {0x03B5, 'e'}, {0x03B7, 'n'}, {0x03B9, 'i'},
    {0x03BA, 'k'}, {0x03BC, 'u'}, {0x03BD, 'v'}, {0x03BF, 'o'}, {0x03C1, 'p'}, {0x03C2, 's'},
    {0x03C3, 'o'}, {0x03C4, 't'}, {0x03C5, 'u'}, {0x03C7, 'x'}, {0x03C9, 'w'}, {0x0430, 'a'},
    {0x0432, 'b'}, {0x0433, 'r'}, {0x0435, 'e'}, {0x043A, 'k'}, {0x043C, 'm'}, {0x043D, 'h'},
    {0x043E, 'o'}, {0x043F, 'n'}, {0x0440, 'p'}, {0x0441, 'c'}, {0x0442, 't'}, {0x0443, 'y'},
    {0x0445, 'x'}, {0x044C, 'b'}, {0x0455, 's'}, {0x0456, 'i'}, {0x0458, 'j'}, {0x04BB, 'h'},
    {0x04CF, 'l'}, {0x0501, 'd'}, {0x051B, 'q'}, {0x051D, 'w'}, {0x1D00, 'a'}, {0x1D04, 'c'},
    {0x1D05, 'd'}, {0x1D07, 'e'}, {0x1D0A, 'j'}, {0x1D0B, 'k'}, {0x1D0D, 'm'}, {0x1D0F, 'o'},
    {0x1D18, 'p'}, {0x1D1B, 't'}, {0x1D1C, 'u'}, {0x1D20, 'v'}, {0x1D21, 'w'}, {0x1D22, 'z'},
    {0xA730, 'f'}, {0xA731, 's'},
};

/* Emoji that stand for a letter or a word. Words are written as a token
 * of their own; letters join the word around them. Sorted by code point. */
typedef struct emoji_word {
    uint32_t cp;
    const char *word;
    bool letter;
} emoji_word;

static const emoji_word emoji_words[] = {
    {0x2716, "x", true},           {0x274C, "x", true},           {0x2B55, "o", true},
    {0x1F18E, "ab", true},         {0x1F37E, "celebrate", false}, {0x1F389, "celebrate", false},
    {0x1F38A, "celebrate", false}, {0x1F4A9, "crap", false},      {0x1F595, "middlefinger", false},
    {0x1F602, "lol", false},       {0x1F606, "lol", false},       {0x1F639, "lol", false},
    {0x1F921, "clown", false},     {0x1F923, "lol", false},       {0x1F973, "celebrate", false},
};

static int
cmp_fold(const void *k, const void *e)
{
    uint32_t a = *(const uint32_t *)k, b = ((const fold_pair *)e)->cp;
    return a < b ? -1 : a > b;
}

static int
cmp_emoji(const void *k, const void *e)
{
    uint32_t a = *(const uint32_t *)k, b = ((const emoji_word *)e)->cp;
    return a < b ? -1 : a > b;
}

/* The unit each ASCII byte makes, but for its offset: its kind, upper-case
 * letters lowered with UB_CAP, a line break a separator with UB_NL. A unit
 * is its offset followed by these eight bytes (see the assertion below), so
 * the walk over an ASCII run copies them whole. */
typedef struct unit_tail {
    uint32_t cp;
    uint8_t kind, bits, slen, tokf;
} unit_tail;
_Static_assert(sizeof(unit) == sizeof(uint32_t) + sizeof(unit_tail) &&
                   offsetof(unit, cp) == sizeof(uint32_t) + offsetof(unit_tail, cp) &&
                   offsetof(unit, kind) == sizeof(uint32_t) + offsetof(unit_tail, kind) &&
                   offsetof(unit, bits) == sizeof(uint32_t) + offsetof(unit_tail, bits) &&
                   offsetof(unit, slen) == sizeof(uint32_t) + offsetof(unit_tail, slen) &&
                   offsetof(unit, tokf) == sizeof(uint32_t) + offsetof(unit_tail, tokf),
               "a unit is its offset and a unit_tail");

#define LOW(c)                                                                                     \
    {                                                                                              \
        (c), U_LETTER, 0, 1, 0                                                                     \
    }
#define CAP(c)                                                                                     \
    {                                                                                              \
        (c) + 32, U_LETTER, UB_CAP, 1, 0                                                           \
    }
#define DIG(c)                                                                                     \
    {                                                                                              \
        (c), U_DIGIT, 0, 1, 0                                                                      \
    }
#define SYM(c)                                                                                     \
    {                                                                                              \
        (c), U_SYM, 0, 1, 0                                                                        \
    }
#define MSK(c)                                                                                     \
    {                                                                                              \
        (c), U_MASK, 0, 1, 0                                                                       \
    }
#define APO(c)                                                                                     \
    {                                                                                              \
        (c), U_APOS, 0, 1, 0                                                                       \
    }
#define NL(c)                                                                                      \
    {                                                                                              \
        (c), U_SEP, UB_NL, 1, 0                                                                    \
    }
#define SEP(c)                                                                                     \
    {                                                                                              \
        (c), U_SEP, 0, 1, 0                                                                        \
    }
static const unit_tail ascii_unit[128] = {
    SEP(0),   SEP(1),   SEP(2),    SEP(3),    SEP(4),   SEP(5),   SEP(6),   SEP(7),   SEP(8),
    SEP(9),   NL('\n'), SEP(11),   SEP(12),   SEP(13),  SEP(14),  SEP(15),  SEP(16),  SEP(17),
    SEP(18),  SEP(19),  SEP(20),   SEP(21),   SEP(22),  SEP(23),  SEP(24),  SEP(25),  SEP(26),
    SEP(27),  SEP(28),  SEP(29),   SEP(30),   SEP(31),  SEP(' '), SYM('!'), SEP('"'), MSK('#'),
    SYM('$'), MSK('%'), SEP('&'),  APO('\''), SYM('('), SEP(')'), MSK('*'), SYM('+'), SEP(','),
    SEP('-'), SEP('.'), SEP('/'),  DIG('0'),  DIG('1'), DIG('2'), DIG('3'), DIG('4'), DIG('5'),
    DIG('6'), DIG('7'), DIG('8'),  DIG('9'),  SEP(':'), SEP(';'), SEP('<'), SEP('='), SEP('>'),
    SEP('?'), SYM('@'), CAP('A'),  CAP('B'),  CAP('C'), CAP('D'), CAP('E'), CAP('F'), CAP('G'),
    CAP('H'), CAP('I'), CAP('J'),  CAP('K'),  CAP('L'), CAP('M'), CAP('N'), CAP('O'), CAP('P'),
    CAP('Q'), CAP('R'), CAP('S'),  CAP('T'),  CAP('U'), CAP('V'), CAP('W'), CAP('X'), CAP('Y'),
    CAP('Z'), SEP('['), SEP('\\'), SEP(']'),  SEP('^'), SEP('_'), SEP('`'), LOW('a'), LOW('b'),
    LOW('c'), LOW('d'), LOW('e'),  LOW('f'),  LOW('g'), LOW('h'), LOW('i'), LOW('j'), LOW('k'),
    LOW('l'), LOW('m'), LOW('n'),  LOW('o'),  LOW('p'), LOW('q'), LOW('r'), LOW('s'), LOW('t'),
    LOW('u'), LOW('v'), LOW('w'),  LOW('x'),  LOW('y'), LOW('z'), SEP('{'), SYM('|'), SEP('}'),
    SEP('~'), SEP(127),
};
#undef LOW
#undef CAP
#undef DIG
#undef SYM
#undef MSK
#undef APO
#undef NL
#undef SEP

static inline void
classify_ascii(units *u, uint32_t os, uint32_t oe, uint32_t c, int cap)
{
    const unit_tail *x = &ascii_unit[c & 0x7F];
    push(u, os, oe, x->cp, x->kind, (x->bits & UB_CAP) || (x->kind == U_LETTER && cap));
    u->v[u->n - 1].bits |= x->bits & UB_NL;
}

static void
push_word(units *u, uint32_t os, uint32_t oe, const char *w, bool letter)
{
    if (!letter)
        push(u, os, os, ' ', U_SEP, 0);
    for (const char *p = w; *p; p++)
        push(u, os, oe, (uint32_t)*p, U_LETTER, 0);
    if (!letter)
        push(u, oe, oe, ' ', U_SEP, 0);
}

/* Arabic-script letters written several ways: one form each, so one list
 * entry covers Arabic and Persian spellings and the usual substitutions.
 * Hamza and madda forms of alef, waw and yeh are already bare after the
 * decomposition (the hamza is a combining mark); what is left is folded here:
 * wasla alef to alef, the Persian and Urdu kafs to Arabic kaf, Persian yeh,
 * alef maksura and their variants to Arabic yeh, teh marbuta and the other
 * hehs to heh, and Arabic-Indic and Persian digits to ASCII. Tatweel (the
 * stretching line, "كـــلب") returns 0: dropped. */
static int32_t
arabic_fold(int32_t cp)
{
    switch (cp) {
    case 0x0640: /* tatweel */
        return 0;
    case 0x0671: /* alef wasla */
    case 0x0672:
    case 0x0673:
    case 0x0675:
        return 0x0627;
    case 0x06A9: /* keheh (Persian kaf) */
    case 0x06AA:
    case 0x06AB:
    case 0x06AC:
    case 0x06AD:
    case 0x06AE:
        return 0x0643;
    case 0x0649: /* alef maksura */
    case 0x06CC: /* Farsi yeh */
    case 0x06CD:
    case 0x06CE:
    case 0x06D0:
    case 0x06D2:
        return 0x064A;
    case 0x0629: /* teh marbuta */
    case 0x06C0:
    case 0x06C1:
    case 0x06C2:
    case 0x06C3:
    case 0x06D5:
        return 0x0647;
    default:
        break;
    }
    if (cp >= 0x0660 && cp <= 0x0669)
        return '0' + (cp - 0x0660);
    if (cp >= 0x06F0 && cp <= 0x06F9)
        return '0' + (cp - 0x06F0);
    return cp;
}

/* Pass 1: one non-ASCII code point at [os, oe). */
static void
classify_cp(units *u, uint32_t os, uint32_t oe, int32_t cp)
{
    const utf8proc_property_t *p = utf8proc_get_property(cp);
    if (p->ignorable)
        return;
    if (p->category == UTF8PROC_CATEGORY_MN || p->category == UTF8PROC_CATEGORY_MC ||
        p->category == UTF8PROC_CATEGORY_ME)
        return;
    uint32_t key = (uint32_t)cp;
    const emoji_word *ew = bsearch(&key, emoji_words, sizeof emoji_words / sizeof emoji_words[0],
                                   sizeof emoji_words[0], cmp_emoji);
    if (ew != NULL) {
        push_word(u, os, oe, ew->word, ew->letter);
        return;
    }
    /* Regional indicators and negative circled or squared capitals. */
    if (cp >= 0x1F1E6 && cp <= 0x1F1FF) {
        push(u, os, oe, 'a' + (uint32_t)(cp - 0x1F1E6), U_LETTER, 0);
        return;
    }
    if ((cp >= 0x1F150 && cp <= 0x1F169) || (cp >= 0x1F170 && cp <= 0x1F189)) {
        uint32_t base = cp >= 0x1F170 ? 0x1F170 : 0x1F150;
        push(u, os, oe, 'a' + ((uint32_t)cp - base), U_LETTER, 0);
        return;
    }
    int cap = p->category == UTF8PROC_CATEGORY_LU || p->category == UTF8PROC_CATEGORY_LT;
    utf8proc_int32_t buf[32];
    int last = 0;
    utf8proc_ssize_t k =
        utf8proc_decompose_char(cp, buf, 32,
                                UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD |
                                    UTF8PROC_STRIPMARK | UTF8PROC_IGNORE | UTF8PROC_LUMP,
                                &last);
    if (k < 0 || k > 32) {
        push(u, os, oe, ' ', U_SEP, 0);
        return;
    }
    for (utf8proc_ssize_t i = 0; i < k; i++) {
        int32_t r = buf[i];
        if (r < 0x80) {
            classify_ascii(u, os, oe, (uint32_t)r, cap);
            continue;
        }
        uint32_t rk = (uint32_t)r;
        const fold_pair *f = bsearch(&rk, confusables, sizeof confusables / sizeof confusables[0],
                                     sizeof confusables[0], cmp_fold);
        if (f != NULL) {
            push(u, os, oe, (uint32_t)f->to, U_LETTER, cap);
            continue;
        }
        if (r >= 0x0600 && r <= 0x06FF) {
            r = arabic_fold(r);
            if (r == 0)
                continue;
            if (r < 0x80) {
                classify_ascii(u, os, oe, (uint32_t)r, 0);
                continue;
            }
            rk = (uint32_t)r;
        }
        const utf8proc_property_t *q = utf8proc_get_property(r);
        if (q->ignorable || q->category == UTF8PROC_CATEGORY_MN ||
            q->category == UTF8PROC_CATEGORY_MC || q->category == UTF8PROC_CATEGORY_ME)
            continue;
        if ((q->category >= UTF8PROC_CATEGORY_LU && q->category <= UTF8PROC_CATEGORY_LO) ||
            (q->category >= UTF8PROC_CATEGORY_ND && q->category <= UTF8PROC_CATEGORY_NO)) {
            push(u, os, oe, rk, U_OTHER, cap);
            u->n_other++;
        } else {
            push(u, os, oe, ' ', U_SEP, 0);
        }
    }
}

static char
leet_letter(uint32_t c)
{
    switch (c) {
    case '0':
        return 'o';
    case '1':
        return 'i';
    case '3':
        return 'e';
    case '4':
        return 'a';
    case '5':
        return 's';
    case '7':
        return 't';
    case '8':
        return 'b';
    case '9':
        return 'g';
    case '@':
        return 'a';
    case '$':
        return 's';
    case '!':
        return 'i';
    case '|':
        return 'l';
    case '+':
        return 't';
    case '(':
        return 'c';
    }
    return 0;
}

static bool
is_edge_sym(const unit *x)
{
    /* '@' and '$' stand for letters even at a word's edge ("@ss", "a$$");
     * the other symbols there are punctuation ("idiot!"). */
    return x->kind == U_APOS || (x->kind == U_SYM && x->cp != '@' && x->cp != '$');
}

/* A contraction whose apostrophe parts two words, where dropping it, as in
 * "you're", would spell a listed word: "who're" ("whore"), "he'll"
 * ("hell"). */
static bool
parted_contraction(const unit *v, size_t ts, size_t k, size_t te)
{
    static const char *const pairs[][2] = {{"who", "re"}, {"he", "ll"}};
    for (size_t p = 0; p < sizeof pairs / sizeof *pairs; p++) {
        const char *a = pairs[p][0], *b = pairs[p][1];
        size_t la = strlen(a), lb = strlen(b), i = 0;
        if (k - ts != la || te - k != lb + 1)
            continue;
        while (i < la && v[ts + i].kind == U_LETTER && v[ts + i].cp == (uint32_t)a[i])
            i++;
        if (i < la)
            continue;
        for (i = 0; i < lb && v[k + 1 + i].kind == U_LETTER && v[k + 1 + i].cp == (uint32_t)b[i];)
            i++;
        if (i == lb)
            return true;
    }
    return false;
}

/* Pass 2a: decides, token by token, what each symbol and digit means. */
static void
resolve_tokens(unit *v, size_t n)
{
    size_t i = 0;
    while (i < n) {
        if (v[i].kind == U_SEP) {
            i++;
            continue;
        }
        size_t ts = i, te = i;
        bool plain = true; /* letters a-z only: nothing below changes them */
        for (; te < n && v[te].kind != U_SEP; te++)
            plain &= v[te].kind == U_LETTER;
        i = te;
        if (plain)
            continue;
        uint8_t tokf = 0;
        if (v[ts].kind == U_MASK && v[ts].cp == '#' && ts + 1 < te) {
            v[ts].kind = U_SEP;
            ts++;
            tokf |= NORM_HASHTAG;
        }
        while (ts < te && (is_edge_sym(&v[ts]) || v[ts].kind == U_MASK))
            v[ts++].kind = U_SEP;
        while (te > ts && is_edge_sym(&v[te - 1]))
            v[--te].kind = U_SEP;
        size_t letters = 0;
        for (size_t k = ts; k < te; k++)
            if (v[k].kind == U_LETTER || v[k].kind == U_OTHER)
                letters++;
        if (letters > 2) /* markdown "*word*" rather than a masked "f***" */
            while (te > ts && v[te - 1].kind == U_MASK)
                v[--te].kind = U_SEP;
        if (ts == te)
            continue;
        for (size_t k = ts; k < te; k++) {
            unit *x = &v[k];
            if (letters == 0) {
                if (x->kind != U_DIGIT)
                    x->kind = U_SEP;
                continue;
            }
            if (x->kind == U_DIGIT || x->kind == U_SYM) {
                char l = leet_letter(x->cp);
                if (l) {
                    x->kind = U_LETTER;
                    x->cp = (uint32_t)l;
                } else if (x->kind == U_SYM) {
                    x->kind = U_SEP;
                }
            } else if (x->kind == U_MASK) {
                x->cp = '*';
            } else if (x->kind == U_APOS) {
                x->kind = parted_contraction(v, ts, k, te) ? U_SEP : U_DROP;
            }
        }
        v[ts].tokf |= tokf;
    }
}

static bool
single_letter_token(const unit *v, size_t n, size_t i, size_t *end)
{
    if (i >= n || v[i].kind != U_LETTER)
        return false;
    size_t j = i + 1;
    while (j < n && v[j].kind == U_DROP)
        j++;
    if (j < n && v[j].kind != U_SEP)
        return false;
    *end = j;
    return true;
}

/* Pass 2b: "f u c k", "f.u.c.k", "f-u-c-k" become one token. Three or more
 * single letters, each gap at most three separators on one line. */
static void
join_spelled(unit *v, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t e;
        if (v[i].kind == U_SEP) {
            i++;
            continue;
        }
        if (!single_letter_token(v, n, i, &e)) {
            while (i < n && v[i].kind != U_SEP) /* to the next token */
                i++;
            continue;
        }
        size_t first = i, count = 1, last_end = e, second = n, third = n;
        /* Every gap is spelled the same: "a f.u.c.k" joins only f..k. */
        uint32_t sep[3];
        size_t nsep = 0;
        for (;;) {
            size_t g = last_end, gaps = 0;
            bool nl = false, same = true;
            while (g < n && v[g].kind == U_SEP && gaps <= 3) {
                nl |= (v[g].bits & UB_NL) != 0;
                if (gaps < 3) {
                    if (count == 1)
                        sep[gaps] = v[g].cp;
                    else
                        same &= gaps < nsep && v[g].cp == sep[gaps];
                }
                g++;
                gaps++;
            }
            if (count == 1)
                nsep = gaps;
            else
                same &= gaps == nsep;
            size_t e2;
            if (gaps == 0 || gaps > 3 || nl || !same || !single_letter_token(v, n, g, &e2))
                break;
            count++;
            last_end = e2;
            if (count == 2)
                second = g;
            if (count == 3)
                third = g;
        }
        /* "u r a ...", "r u a ...": texting for "you are", "are you", not
         * letters of one word; a run may start after them ("u r a b i t c h") */
        if (count >= 3 && ((v[first].cp == 'u' && v[second].cp == 'r') ||
                           (v[first].cp == 'r' && v[second].cp == 'u'))) {
            i = third;
            continue;
        }
        if (count >= 3) {
            for (size_t k = first; k < last_end; k++)
                if (v[k].kind == U_SEP)
                    v[k].kind = U_DROP;
            v[first].tokf |= NORM_JOINED;
            i = last_end;
        } else {
            i = e; /* the next letter may start a run of its own */
        }
    }
}

static void
emit(norm_text *t, char c, uint32_t os, uint32_t oe, uint8_t flags)
{
    size_t i = t->len++;
    t->s[i] = c;
    t->run[i] = 1;
    t->flags[i] = flags;
    t->ostart[i] = os;
    t->oend[i] = oe;
}

/* Pass 2c: writes the folded bytes. */
static void
write_out(arena *a, const unit *v, size_t n, size_t n_other, norm_text *t)
{
    /* A unit writes one byte, plus a space before it, or up to 4 bytes. */
    size_t cap = 2 * n + 2 * n_other + 1;
    t->s = arena_alloc(a, cap);
    t->run = arena_alloc(a, cap);
    t->flags = arena_alloc(a, cap);
    t->ostart = arena_alloc(a, cap * sizeof *t->ostart);
    t->oend = arena_alloc(a, cap * sizeof *t->oend);
    t->len = 0;

    bool in_token = false, pending = false;
    uint32_t sep_os = 0, sep_oe = 0;
    uint8_t tok_flags = 0;
    int prev_lower = 0; /* previous unit of the token was a lower-case letter */
    size_t tok_start = 0;
    for (size_t i = 0; i < n; i++) {
        const unit *x = &v[i];
        if (x->kind == U_SEP) {
            if (in_token || pending) {
                if (!pending)
                    sep_os = x->os;
                sep_oe = UNIT_OE(x);
                pending = true;
            }
            in_token = false;
            continue;
        }
        if (x->kind == U_DROP)
            continue;
        if (in_token && x->kind == U_LETTER && !(tok_flags & NORM_HASHTAG)) {
            /* A letter inside a token, outside a hashtag: what the general
             * case below does for it (a token has written a byte once it is
             * in_token, so the byte's flags are 0). */
            char c = (char)x->cp;
            prev_lower = !(x->bits & UB_CAP);
            if (t->len > tok_start && t->s[t->len - 1] == c) {
                if (t->run[t->len - 1] < 255)
                    t->run[t->len - 1]++;
                t->oend[t->len - 1] = UNIT_OE(x);
            } else {
                emit(t, c, x->os, UNIT_OE(x), 0);
            }
            continue;
        }
        bool new_token = !in_token;
        if (new_token) {
            tok_flags = x->tokf;
            if (x->bits & UB_CAP)
                tok_flags |= NORM_CAPITAL;
        } else if ((tok_flags & NORM_HASHTAG) && (x->bits & UB_CAP) && prev_lower &&
                   x->kind == U_LETTER) {
            /* "#YouAreAnIdiot": a word boundary inside a hashtag. */
            new_token = true;
            pending = true;
            sep_os = sep_oe = x->os;
            tok_flags = (uint8_t)(NORM_HASHTAG | NORM_CAPITAL);
        }
        if (new_token) {
            if (pending && t->len > 0)
                emit(t, ' ', sep_os, sep_oe, 0);
            pending = false;
            tok_start = t->len;
        }
        in_token = true;
        prev_lower = x->kind == U_LETTER && !(x->bits & UB_CAP);
        uint8_t f = t->len == tok_start ? tok_flags : 0;
        if (x->kind == U_LETTER || x->kind == U_MASK) {
            char c = (char)x->cp;
            if (t->len > tok_start && t->s[t->len - 1] == c) {
                if (t->run[t->len - 1] < 255)
                    t->run[t->len - 1]++;
                t->oend[t->len - 1] = UNIT_OE(x);
            } else {
                emit(t, c, x->os, UNIT_OE(x), f);
            }
        } else if (x->kind == U_DIGIT) {
            emit(t, (char)x->cp, x->os, UNIT_OE(x), f);
        } else { /* U_OTHER */
            /* A letter stretched three times or more ("كلللب") counts once;
             * a double is a spelling ("ممتاز"). */
            if (x->cp >= 0x0600 && x->cp <= 0x06FF && i + 2 < n && v[i + 1].kind == U_OTHER &&
                v[i + 1].cp == x->cp && v[i + 2].kind == U_OTHER && v[i + 2].cp == x->cp) {
                size_t j = i + 1;
                while (j < n && v[j].kind == U_OTHER && v[j].cp == x->cp)
                    j++;
                utf8proc_uint8_t b[4];
                utf8proc_ssize_t k = utf8proc_encode_char((utf8proc_int32_t)x->cp, b);
                for (utf8proc_ssize_t q = 0; q < k; q++)
                    emit(t, (char)b[q], x->os, UNIT_OE(&v[j - 1]), q == 0 ? f : 0);
                i = j - 1;
                continue;
            }
            utf8proc_uint8_t b[4];
            utf8proc_ssize_t k = utf8proc_encode_char((utf8proc_int32_t)x->cp, b);
            for (utf8proc_ssize_t j = 0; j < k; j++)
                emit(t, (char)b[j], x->os, UNIT_OE(x), j == 0 ? f : 0);
        }
    }
    t->s[t->len] = '\0';
}

void
norm_fold(arena *a, const char *src, size_t n, norm_text *out)
{
    if (n > UINT32_MAX - 1)
        n = UINT32_MAX - 1;
    units u = {0};
    u.cap = n + 64; /* one unit per ASCII byte; grows for the rest */
    u.v = xmalloc(u.cap * sizeof *u.v);
    const uint8_t *p = (const uint8_t *)src;
    size_t i = 0;
    while (i < n) {
        if (p[i] < 0x80) {
            /* A run of ASCII bytes, most of a comment: one unit each, as
             * classify_ascii makes them (upper case: the letter lowered and
             * UB_CAP; a line break: UB_NL), with room made once. */
            size_t e = i + 1;
            while (e < n && p[e] < 0x80)
                e++;
            if (u.cap - u.n < e - i) {
                u.cap = u.n + (e - i) + 64;
                u.v = xrealloc(u.v, u.cap * sizeof *u.v);
            }
            unit *x = u.v + u.n;
            for (; i < e; i++, x++) {
                x->os = (uint32_t)i;
                memcpy((char *)x + offsetof(unit, cp), &ascii_unit[p[i]], sizeof(unit_tail));
            }
            u.n = (size_t)(x - u.v);
            continue;
        }
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate(p + i, (utf8proc_ssize_t)(n - i), &cp);
        if (k <= 0) { /* not UTF-8 after all: treat the byte as a separator */
            push(&u, (uint32_t)i, (uint32_t)i + 1, ' ', U_SEP, 0);
            i++;
            continue;
        }
        classify_cp(&u, (uint32_t)i, (uint32_t)(i + (size_t)k), cp);
        i += (size_t)k;
    }
    resolve_tokens(u.v, u.n);
    join_spelled(u.v, u.n);
    write_out(a, u.v, u.n, u.n_other, out);
    out->src = src;
    out->src_len = n;
    free(u.v);
}

char *
norm_expand(arena *a, const norm_text *t)
{
    char *s = arena_alloc(a, t->len * 2 + 1);
    size_t k = 0;
    for (size_t i = 0; i < t->len; i++) {
        s[k++] = t->s[i];
        if (t->run[i] >= 2)
            s[k++] = t->s[i];
    }
    s[k] = '\0';
    return s;
}
