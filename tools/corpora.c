/* tools/corpora.c: readers for every labelled public corpus (see corpora.h).
 *
 * The files come in four shapes: tab-separated text read without any quoting
 * (OLID, CAD, GHC, Stormfront, HASOC, ToxiGen: their texts hold bare quote
 * characters), RFC 4180 CSV with quoted fields spanning lines (with a comma
 * or, for Latent Hatred, a tab between fields), JSON lines (Fox News), and
 * one text per line with a parallel label file (TweetEval). The Kaggle
 * insults text is additionally escaped like a Python string literal, with raw
 * bytes as \xNN; the tweet corpora carry HTML entities. Bytes that do not
 * form UTF-8 after decoding are read as Latin-1.
 *
 * Every reader maps its corpus's labels onto the attributes of
 * moderation/classifier.h with one convention: a sample labelled clean gets
 * 0 for every attribute; a positive gets 1 (or the crowd share) for what the
 * corpus says, -1 for what it does not speak to, and 0 for SEVERE_TOXICITY
 * unless the corpus marks severity. docs/MODERATION.md lists the mappings.
 *
 * Most corpora are tables of one shape (a text column and a few label
 * columns): for those a row's labels are one small function (*_label), and
 * the files, columns, decoding and split are a line of a table (the *_tabs
 * lists before `sources`), all read by read_tab. The others (OLID's test
 * labels, Fox News, the toxic spans, Latent Hatred, ConvAbuse, TweetEval)
 * keep a reader of their own.
 */
#include "corpora.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/file.h"
#include "util/text.h"
#include "util/xalloc.h"

enum {
    TOX = CLF_TOXICITY,
    SEV = CLF_SEVERE_TOXICITY,
    INS = CLF_INSULT,
    PRF = CLF_PROFANITY,
    THR = CLF_THREAT,
    IDA = CLF_IDENTITY_ATTACK,
};

/* Split rules a reader may ask for instead of a fixed split. */
enum {
    BY_HASH = -1,      /* h%10 == 0 TEST, 1 DEV, else TRAIN */
    TRAIN_OR_DEV = -2, /* h%10 == 1 DEV, else TRAIN */
    BY_HASH_WIDE = -3, /* h%10 in 0..2 TEST, 3 DEV, else TRAIN (civil) */
};

#define DEAD 0xff /* split of a sample removed before corpora_load returns */

/* ---- sets ------------------------------------------------------------------ */

void
mset_free(mset *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i].text);
    for (size_t i = 0; i < s->n_owned; i++)
        free(s->owned[i]);
    free(s->v);
    free(s->owned);
    memset(s, 0, sizeof *s);
}

static const char *
own(mset *s, const char *str, size_t n)
{
    for (size_t i = 0; i < s->n_owned; i++)
        if (strncmp(s->owned[i], str, n) == 0 && s->owned[i][n] == '\0')
            return s->owned[i];
    if (s->n_owned == s->cap_owned) {
        s->cap_owned = s->cap_owned ? s->cap_owned * 2 : 16;
        s->owned = xrealloc(s->owned, s->cap_owned * sizeof *s->owned);
    }
    return s->owned[s->n_owned++] = xstrndup(str, n);
}

uint64_t
corpora_hash(const char *p, size_t n)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * UINT64_C(0x100000001b3);
    return h;
}

void
corpora_put_line(FILE *f, const char *text, size_t len)
{
    for (size_t j = 0; j < len; j++) {
        char ch = text[j];
        fputc(ch == '\t' || ch == '\n' || ch == '\r' ? ' ' : ch, f);
    }
}

/* ---- growable byte buffer and text decoding --------------------------------- */

typedef struct sbuf {
    char *p;
    size_t n, cap;
} sbuf;

static void
sb_put(sbuf *b, const char *p, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        b->cap = (b->n + n + 1) * 2;
        b->p = xrealloc(b->p, b->cap);
    }
    if (n > 0)
        memcpy(b->p + b->n, p, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static void
sb_putc(sbuf *b, int c)
{
    char ch = (char)c;
    sb_put(b, &ch, 1);
}

static void
sb_put_cp(sbuf *b, unsigned cp)
{
    char u[4];
    if (cp < 0x80) {
        sb_putc(b, (int)cp);
    } else if (cp < 0x800) {
        u[0] = (char)(0xc0 | cp >> 6);
        u[1] = (char)(0x80 | (cp & 0x3f));
        sb_put(b, u, 2);
    } else if (cp < 0x10000) {
        u[0] = (char)(0xe0 | cp >> 12);
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        u[2] = (char)(0x80 | (cp & 0x3f));
        sb_put(b, u, 3);
    } else {
        u[0] = (char)(0xf0 | cp >> 18);
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
        u[3] = (char)(0x80 | (cp & 0x3f));
        sb_put(b, u, 4);
    }
}

/* Length of a valid UTF-8 sequence at p (n bytes left), or 0. */
static size_t
utf8_seq(const unsigned char *p, size_t n)
{
    if (p[0] < 0x80)
        return 1;
    size_t k = p[0] >= 0xf0 && p[0] <= 0xf4  ? 4
               : p[0] >= 0xe0 && p[0] < 0xf0 ? 3
               : p[0] >= 0xc2 && p[0] < 0xe0 ? 2
                                             : 0;
    if (k == 0 || k > n)
        return 0;
    for (size_t i = 1; i < k; i++)
        if ((p[i] & 0xc0) != 0x80)
            return 0;
    return k;
}

/* Copies bytes into b, reading any byte that is not part of valid UTF-8 as
 * Latin-1 and turning CR LF (and a lone CR) into LF. */
static void
sb_put_repaired(sbuf *b, const char *p, size_t n)
{
    const unsigned char *s = (const unsigned char *)p;
    size_t i = 0;
    while (i < n) {
        if (s[i] == '\r') {
            sb_putc(b, '\n');
            i += i + 1 < n && s[i + 1] == '\n' ? 2 : 1;
            continue;
        }
        size_t k = utf8_seq(s + i, n - i);
        if (k == 0) {
            sb_put_cp(b, s[i]);
            i++;
        } else {
            sb_put(b, p + i, k);
            i += k;
        }
    }
}

/* Decodes the Kaggle insults escapes (the field holds "...", escaped) into
 * raw bytes. */
static void
kaggle_decode(sbuf *out, const char *p, size_t n)
{
    if (n >= 2 && p[0] == '"' && p[n - 1] == '"') {
        p++;
        n -= 2;
    }
    for (size_t i = 0; i < n; i++) {
        if (p[i] != '\\' || i + 1 == n) {
            sb_putc(out, p[i]);
            continue;
        }
        char e = p[++i];
        if (e == 'n' || e == 'r' || e == 't') {
            sb_putc(out, e == 't' ? '\t' : '\n');
        } else if (e == 'x' && i + 2 < n && hex_digit(p[i + 1]) >= 0 && hex_digit(p[i + 2]) >= 0) {
            sb_putc(out, hex_digit(p[i + 1]) * 16 + hex_digit(p[i + 2]));
            i += 2;
        } else if (e == 'u' && i + 4 < n && hex_digit(p[i + 1]) >= 0 && hex_digit(p[i + 2]) >= 0 &&
                   hex_digit(p[i + 3]) >= 0 && hex_digit(p[i + 4]) >= 0) {
            unsigned cp = 0;
            for (int k = 1; k <= 4; k++)
                cp = cp * 16 + (unsigned)hex_digit(p[i + k]);
            sb_put_cp(out, cp);
            i += 4;
        } else {
            sb_putc(out, e);
        }
    }
}

/* Decodes the HTML entities the tweet corpora carry: &amp; &lt; &gt; &quot;
 * &apos; and decimal or hexadecimal character references. */
static void
html_decode(sbuf *out, const char *p, size_t n)
{
    static const struct {
        const char *name;
        char c;
    } named[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
    for (size_t i = 0; i < n; i++) {
        if (p[i] != '&') {
            sb_putc(out, p[i]);
            continue;
        }
        size_t k;
        for (k = 0; k < sizeof named / sizeof named[0]; k++) {
            size_t l = strlen(named[k].name);
            if (n - i >= l && memcmp(p + i, named[k].name, l) == 0) {
                sb_putc(out, named[k].c);
                i += l - 1;
                break;
            }
        }
        if (k < sizeof named / sizeof named[0])
            continue;
        if (n - i >= 4 && p[i + 1] == '#') {
            int hex = p[i + 2] == 'x' || p[i + 2] == 'X';
            size_t j = i + 2 + (size_t)hex;
            unsigned cp = 0;
            while (j < n && j < i + 11 && (hex ? hex_digit(p[j]) >= 0 : p[j] >= '0' && p[j] <= '9'))
                cp = cp * (hex ? 16 : 10) + (unsigned)(hex ? hex_digit(p[j++]) : p[j++] - '0');
            if (j < n && p[j] == ';' && j > i + 2 + (size_t)hex && cp > 0 && cp < 0x110000 &&
                (cp < 0xd800 || cp > 0xdfff)) {
                sb_put_cp(out, cp);
                i = j;
                continue;
            }
        }
        sb_putc(out, p[i]);
    }
}

/* Replaces every "[linebreak]" (CAD's newline marker) by a newline. */
static void
linebreak_decode(sbuf *out, const char *p, size_t n)
{
    static const char mark[] = "[linebreak]";
    size_t ml = sizeof mark - 1;
    for (size_t i = 0; i < n; i++) {
        if (n - i >= ml && memcmp(p + i, mark, ml) == 0) {
            sb_putc(out, '\n');
            i += ml - 1;
        } else {
            sb_putc(out, p[i]);
        }
    }
}

/* ---- files and tables --------------------------------------------------------- */

static int
exists(const char *dir, const char *name)
{
    char path[4096];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &st) == 0;
}

static char *
read_file(const char *dir, const char *name, size_t *len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *buf = file_read(path, SIZE_MAX, len, NULL);
    if (buf == NULL)
        fprintf(stderr, "corpora: %s: %s\n", path, strerror(errno));
    return buf;
}

enum { T_PLAIN = 0, T_QUOTED = 1 };

/* A delimited file read row by row: with T_QUOTED, RFC 4180 quoting (fields
 * may span lines); with T_PLAIN, a row is a line split at every separator. */
typedef struct table {
    const char *file;
    char *buf;
    const char *p, *end;
    int sep, mode;
    sbuf row; /* the fields' bytes, each NUL-terminated */
    size_t *off, *len;
    int n, cap;
    char **head; /* header names */
    int nhead;
} table;

static int
tab_row(table *t)
{
    const char *p = t->p, *end = t->end;
    if (p >= end)
        return 0;
    t->row.n = 0;
    t->n = 0;
    for (;;) {
        size_t start = t->row.n;
        if (t->mode == T_QUOTED && p < end && *p == '"') {
            p++;
            while (p < end) {
                if (*p == '"') {
                    if (p + 1 < end && p[1] == '"') {
                        sb_putc(&t->row, '"');
                        p += 2;
                        continue;
                    }
                    p++;
                    break;
                }
                sb_putc(&t->row, *p++);
            }
        }
        const char *q = p;
        while (q < end && *q != t->sep && *q != '\n')
            q++;
        size_t flen = (size_t)(q - p);
        if (q < end && *q == '\n' && flen > 0 && q[-1] == '\r')
            flen--;
        sb_put(&t->row, p, flen);
        p = q;
        if (t->n == t->cap) {
            t->cap = t->cap ? t->cap * 2 : 16;
            t->off = xrealloc(t->off, (size_t)t->cap * sizeof *t->off);
            t->len = xrealloc(t->len, (size_t)t->cap * sizeof *t->len);
        }
        t->off[t->n] = start;
        t->len[t->n] = t->row.n - start;
        t->n++;
        sb_putc(&t->row, '\0');
        if (p < end && *p == t->sep) {
            p++;
            continue;
        }
        if (p < end && *p == '\n')
            p++;
        break;
    }
    t->p = p;
    return 1;
}

static void
tab_close(table *t)
{
    for (int i = 0; i < t->nhead; i++)
        free(t->head[i]);
    free(t->head);
    free(t->off);
    free(t->len);
    free(t->row.p);
    free(t->buf);
    memset(t, 0, sizeof *t);
}

/* Opens dir/name and reads its header row (when header is set). */
static int
tab_open(table *t, const char *dir, const char *name, int sep, int mode, int header)
{
    size_t len;
    memset(t, 0, sizeof *t);
    t->file = name;
    t->buf = read_file(dir, name, &len);
    if (t->buf == NULL)
        return -1;
    t->p = t->buf;
    t->end = t->buf + len;
    if (len >= 3 && memcmp(t->buf, "\xef\xbb\xbf", 3) == 0)
        t->p += 3;
    t->sep = sep;
    t->mode = mode;
    if (header && tab_row(t)) {
        t->head = xmalloc((size_t)t->n * sizeof *t->head);
        t->nhead = t->n;
        for (int i = 0; i < t->n; i++)
            t->head[i] = xstrdup(t->row.p + t->off[i]);
    }
    return 0;
}

/* The index of the header column name, or -1 after saying which is missing. */
static int
tab_col(const table *t, const char *name)
{
    for (int i = 0; i < t->nhead; i++)
        if (strcmp(t->head[i], name) == 0)
            return i;
    fprintf(stderr, "corpora: %s: no column \"%s\"\n", t->file, name);
    return -1;
}

static const char *
fld(const table *t, int i, size_t *len)
{
    if (i < 0 || i >= t->n) {
        *len = 0;
        return "";
    }
    *len = t->len[i];
    return t->row.p + t->off[i];
}

static const char *
fstr(const table *t, int i)
{
    size_t n;
    return fld(t, i, &n);
}

static int
fis(const table *t, int i, const char *s)
{
    return strcmp(fstr(t, i), s) == 0;
}

static int
fnum(const table *t, int i, double *out)
{
    const char *s = fstr(t, i);
    char *e;
    if (*s == '\0')
        return -1;
    *out = strtod(s, &e);
    return *e == '\0' || isspace((unsigned char)*e) ? 0 : -1;
}

/* ---- adding samples ------------------------------------------------------------ */

typedef struct corpus {
    const char *name;
    uint8_t licence;
    float w;
} corpus;

enum { DEC_NONE, DEC_HTML, DEC_KAGGLE, DEC_LINEBREAK };

static sbuf dec_raw, dec_out; /* scratch buffers of add(); freed by corpora_load */

static int
split_of(int rule, uint64_t h)
{
    unsigned d = (unsigned)(h % 10);
    switch (rule) {
    case BY_HASH:
        return d == 0 ? SPLIT_TEST : d == 1 ? SPLIT_DEV : SPLIT_TRAIN;
    case TRAIN_OR_DEV:
        return d == 1 ? SPLIT_DEV : SPLIT_TRAIN;
    case BY_HASH_WIDE:
        return d <= 2 ? SPLIT_TEST : d == 3 ? SPLIT_DEV : SPLIT_TRAIN;
    default:
        return rule;
    }
}

/* Decodes, repairs and trims text, then appends a sample; returns NULL (and
 * adds nothing) for empty, "[deleted]" and "[removed]" texts. */
static msample *
add(mset *s, const corpus *c, const char *text, size_t n, int dec, int split, const float *y)
{
    dec_raw.n = 0;
    dec_out.n = 0;
    sb_put(&dec_raw, "", 0);
    switch (dec) {
    case DEC_HTML:
        html_decode(&dec_raw, text, n);
        break;
    case DEC_KAGGLE:
        kaggle_decode(&dec_raw, text, n);
        break;
    case DEC_LINEBREAK:
        linebreak_decode(&dec_raw, text, n);
        break;
    default:
        sb_put(&dec_raw, text, n);
    }
    sb_put_repaired(&dec_out, dec_raw.p, dec_raw.n);
    sb_put(&dec_out, "", 0);
    const char *p = dec_out.p, *e = dec_out.p + dec_out.n;
    while (p < e && isspace((unsigned char)*p))
        p++;
    while (e > p && isspace((unsigned char)e[-1]))
        e--;
    size_t len = (size_t)(e - p);
    if (len == 0 ||
        (len == 9 && (memcmp(p, "[deleted]", 9) == 0 || memcmp(p, "[removed]", 9) == 0)))
        return NULL;
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 4096;
        s->v = xrealloc(s->v, s->cap * sizeof *s->v);
    }
    msample *x = &s->v[s->n++];
    x->text = xstrndup(p, len);
    x->len = len;
    for (int a = 0; a < CLF_ATTRS; a++)
        x->y[a] = y[a];
    x->w = c->w;
    x->split = (uint8_t)split_of(split, corpora_hash(x->text, len));
    x->licence = c->licence;
    x->corpus = c->name;
    x->group = NULL;
    return x;
}

/* Label vectors: clean (all 0) and the base of a positive (TOX 1, SEV 0,
 * the rest unknown). */
static void
y_clean(float *y)
{
    for (int a = 0; a < CLF_ATTRS; a++)
        y[a] = 0;
}

/* A "not hate" label of a hate-speech corpus: no identity attack, but the
 * text may still be rude, profane or insulting, so nothing else is said. */
static void
y_not_hate(float *y)
{
    for (int a = 0; a < CLF_ATTRS; a++)
        y[a] = -1;
    y[IDA] = 0;
}

/* Hate in a hate-speech corpus: an identity attack. TOXICITY is left
 * unlabelled: these corpora label no toxic-but-not-hateful text, so their
 * positives alone would teach that a mention of a group is toxic. */
static void
y_hate(float *y)
{
    for (int a = 0; a < CLF_ATTRS; a++)
        y[a] = -1;
    y[IDA] = 1;
}

static void
y_pos(float *y)
{
    for (int a = 0; a < CLF_ATTRS; a++)
        y[a] = -1;
    y[TOX] = 1;
    y[SEV] = 0;
}

/* ---- a table of texts to find duplicates -------------------------------------- */

/* Open addressing over 64-bit text hashes; values are sample indices (or any
 * size_t). Equal hashes are resolved by comparing the texts. */
typedef struct tindex {
    uint64_t *h;
    size_t *v;
    size_t cap, n;
} tindex;

static void
ti_free(tindex *t)
{
    free(t->h);
    free(t->v);
    memset(t, 0, sizeof *t);
}

static void
ti_put(tindex *t, uint64_t h, size_t v)
{
    if (2 * (t->n + 1) > t->cap) {
        tindex old = *t;
        t->cap = old.cap ? old.cap * 2 : 1024;
        t->h = xcalloc(t->cap, sizeof *t->h);
        t->v = xmalloc(t->cap * sizeof *t->v);
        t->n = 0;
        for (size_t i = 0; i < old.cap; i++)
            if (old.h[i] != 0)
                ti_put(t, old.h[i], old.v[i]);
        ti_free(&old);
    }
    if (h == 0)
        h = 1; /* 0 marks an empty slot */
    size_t i = (size_t)h & (t->cap - 1);
    while (t->h[i] != 0)
        i = (i + 1) & (t->cap - 1);
    t->h[i] = h;
    t->v[i] = v;
    t->n++;
}

/* Iterates the values stored under h: start with *pos = SIZE_MAX. */
static int
ti_next(const tindex *t, uint64_t h, size_t *pos, size_t *v)
{
    if (t->cap == 0)
        return 0;
    if (h == 0)
        h = 1;
    size_t i = *pos == SIZE_MAX ? (size_t)h & (t->cap - 1) : (*pos + 1) & (t->cap - 1);
    while (t->h[i] != 0) {
        if (t->h[i] == h) {
            *pos = i;
            *v = t->v[i];
            return 1;
        }
        i = (i + 1) & (t->cap - 1);
    }
    return 0;
}

static int
same_text(const msample *a, const msample *b)
{
    return a->len == b->len && memcmp(a->text, b->text, a->len) == 0;
}

/* ---- identity terms (bias sets) ------------------------------------------------ */

/* The identity terms of the Wikipedia bias study, longest first so that
 * "african american" wins over "african" and "american". */
static const char *const ident_terms[] = {
    "african american",
    "middle eastern",
    "middle aged",
    "heterosexual",
    "transgender",
    "homosexual",
    "nonbinary",
    "bisexual",
    "christian",
    "protestant",
    "buddhist",
    "catholic",
    "hispanic",
    "teenage",
    "elderly",
    "european",
    "american",
    "canadian",
    "japanese",
    "mexican",
    "african",
    "chinese",
    "lesbian",
    "latino",
    "latina",
    "latinx",
    "muslim",
    "jewish",
    "indian",
    "female",
    "straight",
    "younger",
    "older",
    "taoist",
    "paralyzed",
    "asian",
    "black",
    "white",
    "queer",
    "lgbtq",
    "male",
    "trans",
    "lgbt",
    "sikh",
    "young",
    "blind",
    "deaf",
    "gay",
    "old",
};

/* The first identity term (in the order above) that occurs as whole words
 * in text, case-insensitively, or NULL. */
static const char *
ident_term(const char *text, size_t n)
{
    for (size_t k = 0; k < sizeof ident_terms / sizeof ident_terms[0]; k++) {
        const char *t = ident_terms[k];
        size_t l = strlen(t);
        for (size_t i = 0; i + l <= n; i++) {
            if (strncasecmp(text + i, t, l) != 0)
                continue;
            int before = i == 0 || !isalnum((unsigned char)text[i - 1]);
            int after = i + l == n || !isalnum((unsigned char)text[i + l]);
            if (before && after)
                return t;
        }
    }
    return NULL;
}

/* ---- readers ---------------------------------------------------------------------- */

/* Opens dir/name with its header row and finds the columns cols names
 * (NULL-ended) into col, in that order; -1, the table closed, when the file
 * or any column is missing (tab_col says which). */
static int
tab_open_cols(table *t, const char *dir, const char *name, int sep, int mode,
              const char *const *cols, int *col)
{
    if (tab_open(t, dir, name, sep, mode, 1) < 0)
        return -1;
    int bad = 0;
    for (int i = 0; cols[i] != NULL; i++)
        bad |= (col[i] = tab_col(t, cols[i])) < 0;
    if (bad)
        tab_close(t);
    return bad ? -1 : 0;
}

/* The shape most corpora have: one table, a text column and a few label
 * columns. label reads a row's labels into y (every attribute) and may
 * change its split; it returns 0 to skip the row. added, when set, is given
 * each sample added (to set its group). */
enum { TAB_MAX_COLS = 8 };
typedef struct tabspec {
    const corpus *c;
    const char *file; /* below the data folder */
    int sep, mode;
    const char *const *cols; /* NULL-ended, at most TAB_MAX_COLS */
    int text;                /* index in cols of the text */
    int dec, split;
    int (*label)(const table *t, const int *col, float *y, int *split);
    void (*added)(mset *s, msample *x, const table *t, const int *col);
} tabspec;

/* Adds every row of the table ts describes that its label takes; -1 when
 * the file or a column is missing. */
static int
read_tab(mset *s, const char *dir, const tabspec *ts)
{
    table t;
    int col[TAB_MAX_COLS];
    float y[CLF_ATTRS];
    if (tab_open_cols(&t, dir, ts->file, ts->sep, ts->mode, ts->cols, col) < 0)
        return -1;
    while (tab_row(&t)) {
        int split = ts->split;
        if (!ts->label(&t, col, y, &split))
            continue;
        size_t n;
        const char *tx = fld(&t, col[ts->text], &n);
        msample *x = add(s, ts->c, tx, n, ts->dec, split, y);
        if (x != NULL && ts->added != NULL)
            ts->added(s, x, &t, col);
    }
    tab_close(&t);
    return 0;
}

/* Reads the tables of a list ended by a NULL file, in order; -1 at the
 * first that cannot be read. */
static int
read_tabs(mset *s, const char *dir, const tabspec *ts)
{
    for (; ts->file != NULL; ts++)
        if (read_tab(s, dir, ts) < 0)
            return -1;
    return 0;
}

/* OLID: ids with the label of one official test level. */
typedef struct idlab {
    long id;
    char lab[8];
} idlab;

static int
cmp_idlab(const void *a, const void *b)
{
    long x = ((const idlab *)a)->id, y = ((const idlab *)b)->id;
    return x < y ? -1 : x > y;
}

static idlab *
olid_labels(const char *dir, const char *name, size_t *n)
{
    table t;
    *n = 0;
    if (tab_open(&t, dir, name, ',', T_PLAIN, 1) < 0)
        return NULL;
    size_t cap = 1024;
    idlab *v = xmalloc(cap * sizeof *v);
    while (tab_row(&t)) {
        if (t.n < 2)
            continue;
        if (*n == cap) {
            cap *= 2;
            v = xrealloc(v, cap * sizeof *v);
        }
        v[*n].id = strtol(fstr(&t, 0), NULL, 10);
        snprintf(v[*n].lab, sizeof v[*n].lab, "%s", fstr(&t, 1));
        (*n)++;
    }
    tab_close(&t);
    qsort(v, *n, sizeof *v, cmp_idlab);
    return v;
}

static const char *
olid_find(const idlab *v, size_t n, long id)
{
    idlab key = {.id = id};
    const idlab *r = v ? bsearch(&key, v, n, sizeof *v, cmp_idlab) : NULL;
    return r ? r->lab : NULL;
}

/* OLID labels of one tweet (a, b, c as in the files, "NULL" when absent). */
static void
olid_y(float *y, const char *a, const char *b, const char *c)
{
    if (strcmp(a, "OFF") != 0) {
        y_clean(y);
        return;
    }
    y_pos(y);
    if (strcmp(b, "UNT") == 0) {
        y[PRF] = 1;
        y[INS] = 0;
    } else if (strcmp(b, "TIN") == 0) {
        if (strcmp(c, "IND") == 0) {
            y[INS] = 1;
        } else if (strcmp(c, "GRP") == 0) {
            y[INS] = 1;
            y[IDA] = 0.5f;
        }
    }
}

static int
olid_label(const table *t, const int *col, float *y, int *split)
{
    (void)split;
    if (t->n < 5)
        return 0;
    olid_y(y, fstr(t, col[1]), fstr(t, col[2]), fstr(t, col[3]));
    return 1;
}

static int
rd_olid(mset *s, const char *dir)
{
    static const corpus c = {"olid", LIC_RESEARCH, 1};
    static const char *const cols[] = {"tweet", "subtask_a", "subtask_b", "subtask_c", NULL};
    static const tabspec train[] = {{&c, "olid/olid-training-v1.0.tsv", '\t', T_PLAIN, cols, 0,
                                     DEC_HTML, TRAIN_OR_DEV, olid_label, NULL}};
    table t;
    float y[CLF_ATTRS];
    if (read_tab(s, dir, &train[0]) < 0)
        return -1;

    size_t na, nb, nc;
    idlab *la = olid_labels(dir, "olid/labels-levela.csv", &na);
    idlab *lb = olid_labels(dir, "olid/labels-levelb.csv", &nb);
    idlab *lc = olid_labels(dir, "olid/labels-levelc.csv", &nc);
    if (la == NULL || tab_open(&t, dir, "olid/testset-levela.tsv", '\t', T_PLAIN, 1) < 0) {
        free(la);
        free(lb);
        free(lc);
        return -1;
    }
    while (tab_row(&t)) {
        if (t.n < 2)
            continue;
        long id = strtol(fstr(&t, 0), NULL, 10);
        const char *a = olid_find(la, na, id), *b = olid_find(lb, nb, id),
                   *cl = olid_find(lc, nc, id);
        if (a == NULL)
            continue;
        olid_y(y, a, b ? b : "NULL", cl ? cl : "NULL");
        size_t n;
        const char *tx = fld(&t, 1, &n);
        add(s, &c, tx, n, DEC_HTML, SPLIT_TEST, y);
    }
    tab_close(&t);
    free(la);
    free(lb);
    free(lc);
    return 0;
}

static int
kaggle_label(const table *t, const int *col, float *y, int *split)
{
    (void)split;
    int ins = fis(t, col[0], "1");
    if (!ins && !fis(t, col[0], "0"))
        return 0;
    for (int a = 0; a < CLF_ATTRS; a++)
        y[a] = -1;
    y[TOX] = y[INS] = ins ? 1 : 0;
    if (ins)
        y[SEV] = 0;
    return 1;
}

static int
davidson_label(const table *t, const int *col, float *y, int *split)
{
    (void)split;
    const char *k = fstr(t, col[0]);
    if (strcmp(k, "2") == 0) {
        y_clean(y);
    } else if (strcmp(k, "0") == 0 || strcmp(k, "1") == 0) {
        y_pos(y);
        y[IDA] = k[0] == '0' ? 1 : 0;
    } else {
        return 0;
    }
    return 1;
}

/* Copies a Fox News comment without the commenters' names it carries: every
 * @handle, and the word before a leading run of @handles (the tail of a
 * display name, as in "barker @name Don't count on it."). */
static void
fox_strip_names(sbuf *out, const char *p, size_t n)
{
    size_t i = 0;
    /* A leading "Word @handle": skip the word. */
    size_t w = 0;
    while (w < n && !isspace((unsigned char)p[w]) && p[w] != '@')
        w++;
    if (w > 0 && w + 1 < n && p[w] == ' ' && p[w + 1] == '@')
        i = w + 1;
    while (i < n) {
        int start = i == 0 || !isalnum((unsigned char)p[i - 1]);
        if (p[i] == '@' && start && i + 1 < n &&
            (isalnum((unsigned char)p[i + 1]) || p[i + 1] == '_')) {
            i++;
            while (i < n && (isalnum((unsigned char)p[i]) || p[i] == '_'))
                i++;
            while (i < n && p[i] == ' ')
                i++;
            continue;
        }
        sb_putc(out, p[i++]);
    }
}

static int
rd_fox(mset *s, const char *dir)
{
    static const corpus c = {"fox-news", LIC_OPEN, 1};
    size_t len;
    char *buf = read_file(dir, "fox-news-comments/fox-news-comments.json", &len);
    float y[CLF_ATTRS];
    if (buf == NULL)
        return -1;
    /* One JSON object per line; only text and label are read (the user
     * names in user and mentions are never looked at). */
    for (char *p = buf, *e; p < buf + len; p = e + 1) {
        e = memchr(p, '\n', (size_t)(buf + len - p));
        if (e == NULL)
            e = buf + len;
        json_error_t jerr;
        json_t *o = json_loadb(p, (size_t)(e - p), 0, &jerr);
        if (o == NULL)
            continue;
        json_t *tx = json_object_get(o, "text"), *lab = json_object_get(o, "label");
        if (json_is_string(tx) && json_is_integer(lab)) {
            if (json_integer_value(lab) == 1) {
                y_pos(y);
            } else {
                y_clean(y);
            }
            sbuf clean = {0};
            fox_strip_names(&clean, json_string_value(tx), json_string_length(tx));
            add(s, &c, clean.p ? clean.p : "", clean.n, DEC_NONE, BY_HASH, y);
            free(clean.p);
        }
        json_decref(o);
    }
    free(buf);
    return 0;
}

/* Toxic spans: the SemEval splits, then the raw per-rater ACL 2022 release.
 * A raw comment equal to a SemEval test post is test; one equal to a SemEval
 * train or trial post replaces it (its labels are richer). */
typedef struct idslot {
    long id;
    size_t slot;
} idslot;

static int
cmp_idslot(const void *a, const void *b)
{
    long x = ((const idslot *)a)->id, y = ((const idslot *)b)->id;
    return x < y ? -1 : x > y;
}

static size_t
idslot_find(const idslot *v, size_t n, long id)
{
    idslot key = {.id = id};
    const idslot *r = bsearch(&key, v, n, sizeof *v, cmp_idslot);
    return r ? r->slot : SIZE_MAX;
}

/* A toxic post with the characters its raters marked toxic taken out: what
 * is left is mostly the civil part of the comment (its topic, its
 * argument). Added as clean, weight 0.3, so that the model learns that
 * the marked words, not the subjects news comments argue about, make a
 * post toxic. Only posts with marked spans and 30 bytes left. */
static void
add_spans_removed(mset *s, const char *tx, size_t n, const char *spans)
{
    static const corpus cr = {"toxic-spans-removed", LIC_OPEN, 0.3f};
    char *keep = xcalloc(n + 1, 1), *out = xmalloc(n + 1);
    size_t marked = 0, m = 0;
    for (const char *p = spans; p != NULL && *p != '\0';) {
        while (*p != '\0' && (*p < '0' || *p > '9'))
            p++;
        if (*p == '\0')
            break;
        char *end;
        unsigned long v = strtoul(p, &end, 10);
        if (v < n) {
            keep[v] = 1;
            marked++;
        }
        p = end;
    }
    for (size_t i = 0; i < n; i++) {
        if (keep[i])
            continue;
        if (tx[i] == ' ' && m > 0 && out[m - 1] == ' ')
            continue;
        out[m++] = tx[i];
    }
    /* never cut a UTF-8 sequence: drop stray continuation bytes */
    size_t k = 0;
    for (size_t i = 0; i < m; i++) {
        unsigned char b = (unsigned char)out[i];
        if ((b & 0xC0) == 0x80 && (k == 0 || ((unsigned char)out[k - 1] & 0x80) == 0))
            continue;
        out[k++] = out[i];
    }
    if (marked > 0 && k >= 30) {
        float y[CLF_ATTRS];
        y_clean(y);
        add(s, &cr, out, k, DEC_NONE, SPLIT_TRAIN, y);
    }
    free(keep);
    free(out);
}

typedef struct rawpost {
    size_t first; /* index in comments.csv of the first comment with this text */
    int raters, toxic, type[4];
} rawpost;

static int
rd_toxic_spans(mset *s, const char *dir)
{
    static const corpus c = {"toxic-spans", LIC_OPEN, 1};
    static const corpus craw = {"toxic-spans-raw", LIC_OPEN, 1};
    static const char *const files[] = {"tsd_test.csv", "tsd_train.csv", "tsd_trial.csv"};
    float y[CLF_ATTRS];
    size_t base = s->n;
    for (int f = 0; f < 3; f++) {
        char name[128];
        table t;
        snprintf(name, sizeof name, "toxic-spans/semeval2021/%s", files[f]);
        if (tab_open(&t, dir, name, ',', T_QUOTED, 1) < 0)
            return -1;
        int ct = tab_col(&t, "text"), cs = tab_col(&t, "spans");
        if (ct < 0) {
            tab_close(&t);
            return -1;
        }
        while (tab_row(&t)) {
            size_t n;
            const char *tx = fld(&t, ct, &n);
            y_pos(y);
            add(s, &c, tx, n, DEC_NONE, f == 0 ? SPLIT_TEST : SPLIT_TRAIN, y);
            if (f != 0 && cs >= 0)
                add_spans_removed(s, tx, n, fld(&t, cs, &(size_t){0}));
        }
        tab_close(&t);
    }
    tindex semeval = {0};
    for (size_t i = base; i < s->n; i++)
        ti_put(&semeval, corpora_hash(s->v[i].text, s->v[i].len), i);

    /* comments: unique texts; ids map to the slot of their text. */
    table t;
    if (tab_open(&t, dir, "toxic-spans/acl2022-raw/comments.csv", ',', T_QUOTED, 1) < 0) {
        ti_free(&semeval);
        return -1;
    }
    int cid = tab_col(&t, "comment_id"), ctx = tab_col(&t, "comment_text");
    mset texts = {0}; /* one sample per unique text, to hold it */
    static const corpus tmp = {"", LIC_OPEN, 1};
    tindex byt = {0};
    size_t nids = 0, capids = 1024;
    idslot *ids = xmalloc(capids * sizeof *ids);
    while (cid >= 0 && ctx >= 0 && tab_row(&t)) {
        size_t n;
        const char *tx = fld(&t, ctx, &n);
        y_clean(y);
        msample *x = add(&texts, &tmp, tx, n, DEC_NONE, SPLIT_TRAIN, y);
        if (x == NULL)
            continue;
        uint64_t h = corpora_hash(x->text, x->len);
        size_t pos = SIZE_MAX, v, slot = texts.n - 1;
        while (ti_next(&byt, h, &pos, &v))
            if (same_text(&texts.v[v], x)) {
                slot = v;
                break;
            }
        if (slot != texts.n - 1) {
            free(x->text);
            texts.n--;
        } else {
            ti_put(&byt, h, slot);
        }
        if (nids == capids) {
            capids *= 2;
            ids = xrealloc(ids, capids * sizeof *ids);
        }
        ids[nids].id = strtol(fstr(&t, cid), NULL, 10);
        ids[nids++].slot = slot;
    }
    tab_close(&t);
    ti_free(&byt);
    qsort(ids, nids, sizeof *ids, cmp_idslot);

    /* annotations: one per rater; annotation id -> slot, toxic or not. A
     * rater counts the post toxic when they ticked "all toxic" or marked a
     * span (in this release "not toxic" is also set on most "all toxic"
     * judgements, so it cannot be read on its own). */
    rawpost *post = xcalloc(texts.n ? texts.n : 1, sizeof *post);
    size_t nann = 0;
    long *ann_id = NULL;
    size_t *ann_slot = NULL;
    int *ann_all = NULL, *ann_types = NULL;
    int rc = 0;
    if (tab_open(&t, dir, "toxic-spans/acl2022-raw/annotations.csv", ',', T_QUOTED, 1) < 0) {
        rc = -1;
    } else {
        int ca = tab_col(&t, "annotation"), cc = tab_col(&t, "comment_id"),
            call = tab_col(&t, "all toxic");
        size_t cap = 0;
        while (ca >= 0 && cc >= 0 && call >= 0 && tab_row(&t)) {
            size_t slot = idslot_find(ids, nids, strtol(fstr(&t, cc), NULL, 10));
            if (slot == SIZE_MAX)
                continue;
            if (nann == cap) {
                cap = cap ? cap * 2 : 65536;
                ann_id = xrealloc(ann_id, cap * sizeof *ann_id);
                ann_slot = xrealloc(ann_slot, cap * sizeof *ann_slot);
                ann_all = xrealloc(ann_all, cap * sizeof *ann_all);
                ann_types = xrealloc(ann_types, cap * sizeof *ann_types);
            }
            ann_id[nann] = strtol(fstr(&t, ca), NULL, 10);
            ann_slot[nann] = slot;
            ann_all[nann] = fis(&t, call, "True");
            ann_types[nann] = 0;
            nann++;
        }
        if (ca < 0 || cc < 0 || call < 0)
            rc = -1;
        tab_close(&t);
    }
    /* Annotation ids are row numbers in this release; look them up by
     * bsearch over a sorted copy so that any order works. */
    idslot *annix = xmalloc((nann ? nann : 1) * sizeof *annix);
    for (size_t i = 0; i < nann; i++) {
        annix[i].id = ann_id[i];
        annix[i].slot = i;
    }
    qsort(annix, nann, sizeof *annix, cmp_idslot);
    if (rc == 0 && tab_open(&t, dir, "toxic-spans/acl2022-raw/spans.csv", ',', T_QUOTED, 1) < 0)
        rc = -1;
    if (rc == 0) {
        static const char *const types[] = {"Insult", "Profane/Obscene", "Identity based Attack",
                                            "Threat"};
        int ca = tab_col(&t, "annotation"), cty = tab_col(&t, "type");
        while (ca >= 0 && cty >= 0 && tab_row(&t)) {
            size_t a = idslot_find(annix, nann, strtol(fstr(&t, ca), NULL, 10));
            if (a == SIZE_MAX)
                continue;
            ann_types[a] |= 16; /* marked some span */
            for (int k = 0; k < 4; k++)
                if (fis(&t, cty, types[k]))
                    ann_types[a] |= 1 << k;
        }
        if (ca < 0 || cty < 0)
            rc = -1;
        tab_close(&t);
    }
    for (size_t i = 0; i < nann; i++) {
        rawpost *q = &post[ann_slot[i]];
        q->raters++;
        q->toxic += ann_all[i] || (ann_types[i] & 16);
        for (int k = 0; k < 4; k++)
            q->type[k] += (ann_types[i] >> k) & 1;
    }
    for (size_t i = 0; rc == 0 && i < texts.n; i++) {
        rawpost *q = &post[i];
        if (q->raters < 3)
            continue;
        double r = q->raters;
        y[TOX] = (float)(q->toxic / r);
        y[SEV] = 0;
        y[INS] = (float)(q->type[0] / r);
        y[PRF] = (float)(q->type[1] / r);
        y[IDA] = (float)(q->type[2] / r);
        y[THR] = (float)(q->type[3] / r);
        msample *x = &texts.v[i];
        int split = SPLIT_TRAIN;
        size_t pos = SIZE_MAX, v;
        while (ti_next(&semeval, corpora_hash(x->text, x->len), &pos, &v)) {
            if (!same_text(&s->v[v], x))
                continue;
            if (s->v[v].split == SPLIT_TEST)
                split = SPLIT_TEST;
            else
                s->v[v].split = DEAD;
        }
        add(s, &craw, x->text, x->len, DEC_NONE, split, y);
    }
    free(annix);
    free(ann_id);
    free(ann_slot);
    free(ann_all);
    free(ann_types);
    free(post);
    free(ids);
    mset_free(&texts);
    ti_free(&semeval);
    return rc;
}

/* Civil Comments: a crowd share per attribute, each in [0, 1]. */
static int
civil_label(const table *t, const int *col, float *y, int *split)
{
    (void)split;
    int ok = 1;
    for (int a = 0; a < CLF_ATTRS; a++) {
        double v;
        ok &= fnum(t, col[1 + a], &v) == 0 && v >= 0 && v <= 1;
        y[a] = ok ? (float)v : 0;
    }
    return ok;
}

/* The hand-labelled seed set: toxic or not, nothing else said. */
static int
civil_seed_label(const table *t, const int *col, float *y, int *split)
{
    (void)split;
    if (fis(t, col[1], "toxic")) {
        for (int a = 0; a < CLF_ATTRS; a++)
            y[a] = -1;
        y[TOX] = 1;
    } else if (fis(t, col[1], "not toxic")) {
        y_clean(y);
    } else {
        return 0;
    }
    return 1;
}

/* The six Jigsaw 2018 labels, in file order, and their attributes. */
static int
jigsaw_label(const table *t, const int *col, float *y, int *split)
{
    static const int attr[] = {TOX, SEV, PRF, THR, INS, IDA};
    (void)split;
    for (int k = 0; k < 6; k++)
        y[attr[k]] = fis(t, col[1 + k], "1") ? 1 : 0;
    return 1;
}

static int
rd_jigsaw(mset *s, const char *dir)
{
    static const corpus head = {"jigsaw-head349", LIC_OPEN, 1};
    static const corpus sample = {"jigsaw-sample", LIC_OPEN, 1};
    static const char *const cols[] = {"comment_text", "toxic",  "severe_toxic",  "obscene",
                                       "threat",       "insult", "identity_hate", NULL};
    static const tabspec tabs[] = {{&head, "jigsaw-toxic-2018-head349/data/sample_data.csv", ',',
                                    T_QUOTED, cols, 0, DEC_NONE, SPLIT_TRAIN, jigsaw_label, NULL},
                                   {&sample, "jigsaw-toxic-sample/test_examples.csv", ',', T_QUOTED,
                                    cols, 0, DEC_NONE, SPLIT_TEST, jigsaw_label, NULL}};
    if (read_tab(s, dir, &tabs[0]) < 0)
        return -1;
    if (!exists(dir, "jigsaw-toxic-sample")) {
        fprintf(stderr, "corpora: jigsaw-sample: not found in %s/jigsaw-toxic-sample\n", dir);
        return -1;
    }
    return read_tab(s, dir, &tabs[1]);
}

/* A yes/no label in one cell: a positive, clean, or 0 for any other word. */
static int
yes_no(const table *t, int col, const char *yes, const char *no, float *y)
{
    if (fis(t, col, yes))
        y_pos(y);
    else if (fis(t, col, no))
        y_clean(y);
    else
        return 0;
    return 1;
}

static int
wiki_label(const table *t, const int *col, float *y, int *split)
{
    (void)split;
    return yes_no(t, col[1], "1", "0", y);
}

static int
cad_label(const table *t, const int *col, float *y, int *split)
{
    (void)split;
    const char *l = fstr(t, col[1]);
    int person = strstr(l, "PersonDirectedAbuse") != NULL,
        ident = strstr(l, "IdentityDirectedAbuse") != NULL,
        affil = strstr(l, "AffiliationDirectedAbuse") != NULL;
    if (person || ident || affil) {
        y_pos(y);
        y[INS] = person || affil ? 1 : -1;
        y[IDA] = ident ? 1 : 0;
    } else if (strstr(l, "Neutral") != NULL || strstr(l, "CounterSpeech") != NULL) {
        y_clean(y);
    } else {
        return 0;
    }
    return 1;
}

static int
ghc_label(const table *t, const int *col, float *y, int *split)
{
    (void)split;
    int hd = fis(t, col[1], "1"), cv = fis(t, col[2], "1"), vo = fis(t, col[3], "1");
    if (hd || cv || vo) {
        y_pos(y);
        y[IDA] = hd || cv ? 1 : 0;
        y[THR] = y[SEV] = cv ? 1 : 0;
        y[PRF] = vo ? 1 : 0;
    } else {
        y_clean(y);
    }
    return 1;
}

static int
edos_label(const table *t, const int *col, float *y, int *split)
{
    *split = fis(t, col[3], "train")  ? SPLIT_TRAIN
             : fis(t, col[3], "dev")  ? SPLIT_DEV
             : fis(t, col[3], "test") ? SPLIT_TEST
                                      : -9;
    if (*split < 0)
        return 0;
    if (fis(t, col[1], "sexist")) {
        y_hate(y);
        y[IDA] = 1;
        y[THR] = strncmp(fstr(t, col[2]), "1. threats", 10) == 0 ? 1 : 0;
    } else if (fis(t, col[1], "not sexist")) {
        y_not_hate(y);
    } else {
        return 0;
    }
    return 1;
}

static int
rd_implicit(mset *s, const char *dir)
{
    static const corpus c = {"implicit-hate", LIC_OPEN, 1};
    static const corpus chalf = {"implicit-hate", LIC_OPEN, 0.5f};
    table t;
    float y[CLF_ATTRS];
    /* Stage 2 first: post text -> threatening or not. */
    if (tab_open(&t, dir, "implicit-hate/implicit-hate-corpus/implicit_hate_v1_stg2_posts.tsv",
                 '\t', T_QUOTED, 1) < 0)
        return -1;
    int cp = tab_col(&t, "post"), c1 = tab_col(&t, "implicit_class"),
        c2 = tab_col(&t, "extra_implicit_class");
    mset st2 = {0};
    static const corpus tmp = {"", LIC_OPEN, 1};
    tindex ix = {0};
    while (cp >= 0 && c1 >= 0 && c2 >= 0 && tab_row(&t)) {
        size_t n;
        const char *tx = fld(&t, cp, &n);
        y_clean(y);
        y[THR] = fis(&t, c1, "threatening") || fis(&t, c2, "threatening") ? 1 : 0;
        msample *x = add(&st2, &tmp, tx, n, DEC_NONE, SPLIT_TRAIN, y);
        if (x != NULL)
            ti_put(&ix, corpora_hash(x->text, x->len), st2.n - 1);
    }
    tab_close(&t);
    int rc = cp < 0 || c1 < 0 || c2 < 0 ? -1 : 0;
    if (rc == 0 &&
        tab_open(&t, dir, "implicit-hate/implicit-hate-corpus/implicit_hate_v1_stg1_posts.tsv",
                 '\t', T_QUOTED, 1) < 0)
        rc = -1;
    if (rc == 0) {
        int cpost = tab_col(&t, "post"), ccl = tab_col(&t, "class");
        while (cpost >= 0 && ccl >= 0 && tab_row(&t)) {
            int implicit = fis(&t, ccl, "implicit_hate");
            if (implicit || fis(&t, ccl, "explicit_hate")) {
                y_hate(y);
                y[IDA] = 1;
            } else if (fis(&t, ccl, "not_hate")) {
                y_not_hate(y);
            } else {
                continue;
            }
            size_t n;
            const char *tx = fld(&t, cpost, &n);
            msample *x = add(s, implicit ? &chalf : &c, tx, n, DEC_NONE, BY_HASH, y);
            if (x == NULL || x->y[TOX] < 1)
                continue;
            size_t pos = SIZE_MAX, v;
            while (ti_next(&ix, corpora_hash(x->text, x->len), &pos, &v))
                if (same_text(&st2.v[v], x)) {
                    if (x->y[THR] < st2.v[v].y[THR])
                        x->y[THR] = st2.v[v].y[THR];
                }
        }
        if (cpost < 0 || ccl < 0)
            rc = -1;
        tab_close(&t);
    }
    ti_free(&ix);
    mset_free(&st2);
    return rc;
}

static int
stormfront_label(const table *t, const int *col, float *y, int *split)
{
    if (fis(t, col[1], "hate")) {
        y_hate(y);
        y[IDA] = 1;
    } else if (fis(t, col[1], "noHate")) {
        y_not_hate(y);
    } else {
        return 0; /* relation, idk/skip */
    }
    /* The balanced official sample keeps its split; the unsampled rest
     * (all noHate) is training data. */
    *split = fis(t, col[2], "sampled_test")    ? SPLIT_TEST
             : fis(t, col[2], "sampled_train") ? SPLIT_TRAIN
                                               : TRAIN_OR_DEV;
    return 1;
}

static int
toxigen_label(const table *t, const int *col, float *y, int *split)
{
    (void)split;
    if (fis(t, col[1], "hate")) {
        y_hate(y);
        y[IDA] = 1;
    } else if (fis(t, col[1], "neutral")) {
        y_clean(y);
    } else {
        return 0;
    }
    return 1;
}

/* The target groups, when the row names any. */
static void
toxigen_group(mset *s, msample *x, const table *t, const int *col)
{
    size_t gn;
    const char *g = fld(t, col[2], &gn);
    if (gn > 0)
        x->group = own(s, g, gn);
}

/* A ConvAbuse flag cell: "1", or one value per repeated annotation by the
 * same annotator ("1, 1", "0, 1"); set when at least half the values are 1. */
static int
convabuse_flag(const char *v)
{
    int ones = 0, all = 0;
    for (const char *p = v; *p != '\0'; p++) {
        if (*p == '0' || *p == '1') {
            all++;
            ones += *p == '1';
        }
    }
    return ones > 0 && 2 * ones >= all;
}

/* ConvAbuse: per annotator a one-hot is_abuse (1 not abusive, 0 ambiguous,
 * -1..-3 mildly to very strongly abusive) and type flags. Abusive when a
 * strict majority of the row's annotators chose -1, -2 or -3. */
static int
rd_convabuse(mset *s, const char *dir)
{
    static const corpus c = {"convabuse", LIC_OPEN, 1};
    static const char *const files[] = {"ConvAbuseEMNLPtrain.csv", "ConvAbuseEMNLPvalid.csv",
                                        "ConvAbuseEMNLPtest.csv"};
    static const char *const ident[] = {"ableist", "homophobic", "racist", "sexist", "transphobic"};
    float y[CLF_ATTRS];
    for (int f = 0; f < 3; f++) {
        char name[128];
        table t;
        snprintf(name, sizeof name, "convabuse/2_splits/%s", files[f]);
        if (tab_open(&t, dir, name, ',', T_QUOTED, 1) < 0)
            return -1;
        int cu = tab_col(&t, "user");
        if (cu < 0) {
            tab_close(&t);
            return -1;
        }
        /* Annotators present in the header: AnnotatorN_is_abuse.1 etc. */
        int nann = 0;
        for (int i = 0; i < t.nhead; i++) {
            int k;
            if (sscanf(t.head[i], "Annotator%d_", &k) == 1 && k > nann)
                nann = k;
        }
        while (tab_row(&t)) {
            int raters = 0, abusive = 0, intel = 0, idn = 0, harass = 0;
            for (int k = 1; k <= nann; k++) {
                char col[64];
                int ab = 0, rated = 0;
                for (int v = 1; v >= -3; v--) {
                    snprintf(col, sizeof col, "Annotator%d_is_abuse.%d", k, v);
                    for (int i = 0; i < t.nhead; i++)
                        if (strcmp(t.head[i], col) == 0 && *fstr(&t, i) != '\0') {
                            rated = 1;
                            if (v < 0 && convabuse_flag(fstr(&t, i)))
                                ab = 1;
                        }
                }
                if (!rated)
                    continue;
                raters++;
                abusive += ab;
                if (!ab)
                    continue;
                int is_id = 0, is_int = 0, is_sh = 0;
                for (int i = 0; i < t.nhead; i++) {
                    char pre[32];
                    int pl = snprintf(pre, sizeof pre, "Annotator%d_", k);
                    if (strncmp(t.head[i], pre, (size_t)pl) != 0 || !convabuse_flag(fstr(&t, i)))
                        continue;
                    const char *ty = t.head[i] + pl;
                    for (size_t j = 0; j < sizeof ident / sizeof ident[0]; j++)
                        is_id |= strcmp(ty, ident[j]) == 0;
                    is_int |= strcmp(ty, "intellectual") == 0;
                    is_sh |= strcmp(ty, "sex_harassment") == 0;
                }
                idn += is_id;
                intel += is_int;
                harass += is_sh;
            }
            if (raters == 0)
                continue;
            if (2 * abusive > raters) {
                y_pos(y);
                /* Shares among the annotators who found it abusive. */
                y[IDA] = idn > 0 ? (float)idn / (float)abusive : harass > 0 ? -1 : 0;
                y[INS] = intel > 0 ? (float)intel / (float)abusive : -1;
            } else {
                y_clean(y);
            }
            size_t n;
            const char *tx = fld(&t, cu, &n);
            add(s, &c, tx, n, DEC_NONE, f, y);
        }
        tab_close(&t);
    }
    return 0;
}

static int
hatexplain_label(const table *t, const int *col, float *y, int *split)
{
    (void)split;
    if (fis(t, col[1], "2") || fis(t, col[1], "1")) {
        y_pos(y);
        y[IDA] = fis(t, col[1], "2") ? 1 : 0;
    } else if (fis(t, col[1], "0")) {
        y_clean(y);
    } else {
        return 0;
    }
    return 1;
}

static int
rd_tweeteval(mset *s, const char *dir)
{
    static const corpus c = {"tweeteval-hate", LIC_RESEARCH, 1};
    static const char *const parts[] = {"train", "val", "test"};
    float y[CLF_ATTRS];
    for (int f = 0; f < 3; f++) {
        char tn[160], ln[160];
        size_t tl, ll;
        snprintf(tn, sizeof tn, "tweeteval/datasets/hate/%s_text.txt", parts[f]);
        snprintf(ln, sizeof ln, "tweeteval/datasets/hate/%s_labels.txt", parts[f]);
        char *tb = read_file(dir, tn, &tl), *lb = tb ? read_file(dir, ln, &ll) : NULL;
        if (lb == NULL) {
            free(tb);
            return -1;
        }
        char *tp = tb, *lp = lb;
        long lines = 0, labels = 0;
        while (*tp != '\0' && *lp != '\0') {
            char *te = strchr(tp, '\n'), *le = strchr(lp, '\n');
            size_t n = te ? (size_t)(te - tp) : strlen(tp);
            lines++;
            labels++;
            if (*lp == '1') {
                y_hate(y);
                y[IDA] = 1;
            } else {
                y_not_hate(y);
            }
            if (*lp == '0' || *lp == '1')
                add(s, &c, tp, n, DEC_HTML, f, y);
            tp = te ? te + 1 : tp + n;
            lp = le ? le + 1 : lp + strlen(lp);
        }
        if (*tp != '\0' || *lp != '\0')
            fprintf(stderr, "corpora: %s and %s differ in length\n", tn, ln);
        free(tb);
        free(lb);
    }
    return 0;
}

static int
hasoc_label(const table *t, const int *col, float *y, int *split)
{
    (void)split;
    if (fis(t, col[1], "HOF")) {
        y_pos(y);
        if (fis(t, col[2], "HATE"))
            y[IDA] = 1;
        else if (fis(t, col[2], "OFFN"))
            y[INS] = 1;
        else if (fis(t, col[2], "PRFN"))
            y[PRF] = 1;
    } else if (fis(t, col[1], "NOT")) {
        y_clean(y);
    } else {
        return 0;
    }
    return 1;
}

static int
ruddit_label(const table *t, const int *col, float *y, int *split)
{
    (void)split;
    double v;
    if (fnum(t, col[1], &v) < 0)
        return 0;
    if (v >= 0.5)
        y_pos(y);
    else if (v <= 0)
        y_clean(y);
    else
        return 0;
    return 1;
}

/* HateCheck: hateful cases are identity attacks; non-hateful ones are
 * clean, except profanity_nh ("Fuck, that was a great game"), which is
 * profane but not toxic under the guidelines' reading of the suite. */
static int
hatecheck_label(const table *t, const int *col, float *y, int *split)
{
    (void)split;
    if (fis(t, col[2], "hateful")) {
        y_pos(y);
        y[IDA] = 1;
    } else if (fis(t, col[2], "non-hateful")) {
        y_clean(y);
        if (fis(t, col[0], "profanity_nh")) {
            y[TOX] = -1;
            y[PRF] = 1;
        }
    } else {
        return 0;
    }
    return 1;
}

/* A case's group: its functionality. */
static void
hatecheck_group(mset *s, msample *x, const table *t, const int *col)
{
    size_t fn;
    const char *fu = fld(t, col[0], &fn);
    x->group = own(s, fu, fn);
}

static int
bias_wiki_label(const table *t, const int *col, float *y, int *split)
{
    (void)split;
    return yes_no(t, col[1], "True", "False", y);
}

static int
bias_madlibs_label(const table *t, const int *col, float *y, int *split)
{
    (void)split;
    return yes_no(t, col[1], "BAD", "NOT_BAD", y);
}

/* A bias sample's group: the identity term it names. */
static void
bias_group(mset *s, msample *x, const table *t, const int *col)
{
    (void)s;
    (void)t;
    (void)col;
    x->group = ident_term(x->text, x->len);
}

/* ---- loading, leak checks, summary ---------------------------------------------- */

/* The corpora that are tables of the common shape (read_tab), each a list of
 * tables ended by a NULL file. */
static const corpus c_kaggle = {"kaggle-insults", LIC_RESEARCH, 1};
static const corpus c_davidson = {"davidson", LIC_OPEN, 0.5f};
static const corpus c_civil = {"civil", LIC_OPEN, 1};
static const corpus c_civil_seed = {"civil-seed", LIC_OPEN, 1};
static const corpus c_wiki = {"wiki-talk", LIC_OPEN, 1};
static const corpus c_cad = {"cad", LIC_OPEN, 1};
static const corpus c_ghc = {"ghc", LIC_OPEN, 1};
static const corpus c_edos = {"edos", LIC_OPEN, 1};
static const corpus c_stormfront = {"stormfront", LIC_OPEN, 1};
static const corpus c_toxigen = {"toxigen", LIC_OPEN, 0.5f};
static const corpus c_hatexplain = {"hatexplain", LIC_OPEN, 0.5f};
static const corpus c_hasoc = {"hasoc", LIC_RESEARCH, 1};
static const corpus c_ruddit = {"ruddit", LIC_RESEARCH, 1};
static const corpus c_hatecheck = {"hatecheck", LIC_OPEN, 1};
static const corpus c_wiki_identity = {"wiki-identity", LIC_OPEN, 1};
static const corpus c_madlibs = {"madlibs", LIC_OPEN, 1};

static const char *const kaggle_cols[] = {"Insult", "Comment", NULL};
static const tabspec kaggle_tabs[] = {
    {&c_kaggle, "kaggle-insults-2012/train.csv", ',', T_QUOTED, kaggle_cols, 1, DEC_KAGGLE,
     TRAIN_OR_DEV, kaggle_label, NULL},
    {&c_kaggle, "kaggle-insults-2012/test_with_solutions.csv", ',', T_QUOTED, kaggle_cols, 1,
     DEC_KAGGLE, SPLIT_TEST, kaggle_label, NULL},
    {&c_kaggle, "kaggle-insults-2012/impermium_verification_labels.csv", ',', T_QUOTED, kaggle_cols,
     1, DEC_KAGGLE, SPLIT_DEV, kaggle_label, NULL},
    {0}};

static const tabspec davidson_tabs[] = {{&c_davidson, "davidson2017/labeled_data.csv", ',',
                                         T_QUOTED, (const char *const[]){"class", "tweet", NULL}, 1,
                                         DEC_HTML, BY_HASH, davidson_label, NULL},
                                        {0}};

static const tabspec civil_tabs[] = {
    {&c_civil, "civil-comments-autolabel/examples/civil_comments.csv", ',', T_QUOTED,
     (const char *const[]){"text", [1 + TOX] = "toxicity", [1 + SEV] = "severe_toxicity",
                           [1 + INS] = "insult", [1 + PRF] = "obscene", [1 + THR] = "threat",
                           [1 + IDA] = "identity_attack", NULL},
     0, DEC_NONE, BY_HASH_WIDE, civil_label, NULL},
    {&c_civil_seed, "civil-comments-autolabel/examples/civil_comments/civil_comments_seed.csv", ',',
     T_QUOTED, (const char *const[]){"example", "label", NULL}, 0, DEC_NONE, SPLIT_TEST,
     civil_seed_label, NULL},
    {0}};

static const tabspec wiki_tabs[] = {
    {&c_wiki, "wiki-talk-context-toxicity/data/CAT_LARGE/gn.csv", ',', T_QUOTED,
     (const char *const[]){"text", "label", NULL}, 0, DEC_NONE, BY_HASH, wiki_label, NULL},
    {&c_wiki, "wiki-talk-context-toxicity/data/CAT_LARGE/gc.csv", ',', T_QUOTED,
     (const char *const[]){"text", "label", NULL}, 0, DEC_NONE, BY_HASH, wiki_label, NULL},
    {&c_wiki, "wiki-talk-context-toxicity/data/CAT_SMALL/cat_small.csv", ',', T_QUOTED,
     (const char *const[]){"text", "label_oc", NULL}, 0, DEC_NONE, BY_HASH, wiki_label, NULL},
    {0}};

static const char *const cad_cols[] = {"text", "labels", NULL};
static const tabspec cad_tabs[] = {
    {&c_cad, "cad-reddit/data/reddit-abusive-comments/cad_v1_1_train.tsv", '\t', T_PLAIN, cad_cols,
     0, DEC_LINEBREAK, SPLIT_TRAIN, cad_label, NULL},
    {&c_cad, "cad-reddit/data/reddit-abusive-comments/cad_v1_1_dev.tsv", '\t', T_PLAIN, cad_cols, 0,
     DEC_LINEBREAK, SPLIT_DEV, cad_label, NULL},
    {&c_cad, "cad-reddit/data/reddit-abusive-comments/cad_v1_1_test.tsv", '\t', T_PLAIN, cad_cols,
     0, DEC_LINEBREAK, SPLIT_TEST, cad_label, NULL},
    {0}};

static const char *const ghc_cols[] = {"text", "hd", "cv", "vo", NULL};
static const tabspec ghc_tabs[] = {{&c_ghc, "gab-hate-corpus/GabHateCorpus/Data/ghc_train.tsv",
                                    '\t', T_PLAIN, ghc_cols, 0, DEC_NONE, SPLIT_TRAIN, ghc_label,
                                    NULL},
                                   {&c_ghc, "gab-hate-corpus/GabHateCorpus/Data/ghc_test.tsv", '\t',
                                    T_PLAIN, ghc_cols, 0, DEC_NONE, SPLIT_TEST, ghc_label, NULL},
                                   {0}};

static const tabspec edos_tabs[] = {
    {&c_edos, "edos/data/edos_labelled_aggregated.csv", ',', T_QUOTED,
     (const char *const[]){"text", "label_sexist", "label_category", "split", NULL}, 0, DEC_NONE,
     SPLIT_TRAIN, edos_label, NULL},
    {0}};

static const tabspec stormfront_tabs[] = {{&c_stormfront, "stormfront/stormfront_all_DERIVED.tsv",
                                           '\t', T_PLAIN,
                                           (const char *const[]){"text", "label", "split", NULL}, 0,
                                           DEC_NONE, TRAIN_OR_DEV, stormfront_label, NULL},
                                          {0}};

static const tabspec toxigen_tabs[] = {
    {&c_toxigen, "toxigen-seed-statements/toxigen_seed_statements_DERIVED.tsv", '\t', T_PLAIN,
     (const char *const[]){"text", "label", "groups", NULL}, 0, DEC_NONE, BY_HASH, toxigen_label,
     toxigen_group},
    {0}};

static const tabspec hatexplain_tabs[] = {
    {&c_hatexplain, "hatexplain-magpie/datasets/92_HateXplain/preprocessed.csv", ',', T_QUOTED,
     (const char *const[]){"text", "label", NULL}, 0, DEC_NONE, BY_HASH, hatexplain_label, NULL},
    {0}};

static const char *const hasoc_cols[] = {"text", "task_1", "task_2", NULL};
static const tabspec hasoc_tabs[] = {
    {&c_hasoc, "hasoc-en/hasoc2019_english_dataset_EXTRACTED/english_dataset.tsv", '\t', T_PLAIN,
     hasoc_cols, 0, DEC_HTML, TRAIN_OR_DEV, hasoc_label, NULL},
    {&c_hasoc, "hasoc-en/hasoc2019_english_dataset_EXTRACTED/hasoc2019_en_test-2919.tsv", '\t',
     T_PLAIN, hasoc_cols, 0, DEC_HTML, SPLIT_TEST, hasoc_label, NULL},
    {&c_hasoc, "hasoc-en/Code/task1A/en/data/rawData.csv", ',', T_QUOTED, hasoc_cols, 0, DEC_HTML,
     SPLIT_TRAIN, hasoc_label, NULL},
    {0}};

static const tabspec ruddit_tabs[] = {
    {&c_ruddit, "ruddit/ruddit_with_text.csv", ',', T_QUOTED,
     (const char *const[]){"comment_body", "offensiveness_score", NULL}, 0, DEC_NONE, BY_HASH,
     ruddit_label, NULL},
    {0}};

static const tabspec hatecheck_tabs[] = {
    {&c_hatecheck, "hatecheck/test_suite_cases.csv", ',', T_QUOTED,
     (const char *const[]){"functionality", "test_case", "label_gold", NULL}, 1, DEC_NONE,
     SPLIT_TEST, hatecheck_label, hatecheck_group},
    {0}};

static const tabspec bias_tabs[] = {
    {&c_wiki_identity, "wikipedia-toxicity-bias-eval/toxicity_nonfuzzed_testset.csv", ',', T_QUOTED,
     (const char *const[]){"comment", "toxic", NULL}, 0, DEC_NONE, SPLIT_TEST, bias_wiki_label,
     bias_group},
    {&c_madlibs, "wikipedia-toxicity-bias-eval/bias_madlibs_77k.csv", ',', T_QUOTED,
     (const char *const[]){"Text", "Label", NULL}, 0, DEC_NONE, SPLIT_TEST, bias_madlibs_label,
     bias_group},
    {0}};

/* Every corpus in the order it is read: its own reader, or its tables. */
static const struct source {
    const char *name, *folder;
    int (*read)(mset *s, const char *dir);
    const tabspec *tabs; /* when read is NULL */
} sources[] = {
    {"olid", "olid", rd_olid, NULL},
    {"kaggle-insults", "kaggle-insults-2012", NULL, kaggle_tabs},
    {"davidson", "davidson2017", NULL, davidson_tabs},
    {"fox-news", "fox-news-comments", rd_fox, NULL},
    {"toxic-spans", "toxic-spans", rd_toxic_spans, NULL},
    {"civil", "civil-comments-autolabel", NULL, civil_tabs},
    {"jigsaw", "jigsaw-toxic-2018-head349", rd_jigsaw, NULL},
    {"wiki-talk", "wiki-talk-context-toxicity", NULL, wiki_tabs},
    {"cad", "cad-reddit", NULL, cad_tabs},
    {"ghc", "gab-hate-corpus", NULL, ghc_tabs},
    {"edos", "edos", NULL, edos_tabs},
    {"implicit-hate", "implicit-hate", rd_implicit, NULL},
    {"stormfront", "stormfront", NULL, stormfront_tabs},
    {"toxigen", "toxigen-seed-statements", NULL, toxigen_tabs},
    {"convabuse", "convabuse", rd_convabuse, NULL},
    {"hatexplain", "hatexplain-magpie", NULL, hatexplain_tabs},
    {"tweeteval-hate", "tweeteval", rd_tweeteval, NULL},
    {"hasoc", "hasoc-en", NULL, hasoc_tabs},
    {"ruddit", "ruddit", NULL, ruddit_tabs},
    {"hatecheck", "hatecheck", NULL, hatecheck_tabs},
    {"wiki-identity", "wikipedia-toxicity-bias-eval", NULL, bias_tabs},
};

/* Test posts of these news-comment corpora must not be trained on under any
 * corpus name (Civil Comments posts recur across them). */
static int
news_corpus(const char *name)
{
    return strcmp(name, "civil") == 0 || strcmp(name, "civil-seed") == 0 ||
           strcmp(name, "toxic-spans") == 0 || strcmp(name, "toxic-spans-raw") == 0;
}

typedef struct cstat {
    const char *name;
    uint8_t licence;
    long n[3], pos[CLF_ATTRS], lab[CLF_ATTRS], leak_own, leak_news;
} cstat;

static cstat *
stat_of(cstat *st, int *nst, const char *name, uint8_t licence)
{
    for (int i = 0; i < *nst; i++)
        if (st[i].name == name || strcmp(st[i].name, name) == 0)
            return &st[i];
    cstat *c = &st[(*nst)++];
    memset(c, 0, sizeof *c);
    c->name = name;
    c->licence = licence;
    return c;
}

/* Drops every TRAIN or DEV sample whose text is also a TEST text of its own
 * corpus, or of a news-comment corpus; counts them per corpus. */
static void
drop_leaks(mset *s, cstat *st, int *nst)
{
    tindex test = {0};
    for (size_t i = 0; i < s->n; i++)
        if (s->v[i].split == SPLIT_TEST)
            ti_put(&test, corpora_hash(s->v[i].text, s->v[i].len), i);
    for (size_t i = 0; i < s->n; i++) {
        msample *x = &s->v[i];
        if (x->split != SPLIT_TRAIN && x->split != SPLIT_DEV)
            continue;
        size_t pos = SIZE_MAX, v;
        int own_leak = 0, news_leak = 0;
        while (ti_next(&test, corpora_hash(x->text, x->len), &pos, &v)) {
            const msample *t = &s->v[v];
            if (!same_text(t, x))
                continue;
            if (strcmp(t->corpus, x->corpus) == 0)
                own_leak = 1;
            else if (news_corpus(t->corpus))
                news_leak = 1;
        }
        if (own_leak || news_leak) {
            cstat *c = stat_of(st, nst, x->corpus, x->licence);
            c->leak_own += own_leak;
            c->leak_news += !own_leak && news_leak;
            x->split = DEAD;
        }
    }
    ti_free(&test);
}

static const char *const attr_short[CLF_ATTRS] = {"TOX", "SEV", "INS", "PRF", "THR", "IDA"};

int
corpora_load(mset *s, const char *dir)
{
    struct stat sb;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        fprintf(stderr, "corpora: %s: no such directory\n", dir);
        return -1;
    }
    int failed = 0;
    size_t first = s->n;
    for (size_t k = 0; k < sizeof sources / sizeof sources[0]; k++) {
        const struct source *src = &sources[k];
        size_t before = s->n;
        if (!exists(dir, src->folder)) {
            fprintf(stderr, "corpora: %s: not found in %s/%s\n", src->name, dir, src->folder);
            failed++;
            continue;
        }
        if ((src->read != NULL ? src->read(s, dir) : read_tabs(s, dir, src->tabs)) < 0) {
            fprintf(stderr, "corpora: %s: could not be read from %s/%s\n", src->name, dir,
                    src->folder);
            for (size_t i = before; i < s->n; i++)
                s->v[i].split = DEAD;
            failed++;
        }
    }
    free(dec_raw.p);
    free(dec_out.p);
    memset(&dec_raw, 0, sizeof dec_raw);
    memset(&dec_out, 0, sizeof dec_out);

    cstat st[64];
    int nst = 0;
    for (size_t i = first; i < s->n; i++)
        if (s->v[i].split != DEAD)
            stat_of(st, &nst, s->v[i].corpus, s->v[i].licence);
    drop_leaks(s, st, &nst);

    /* Compact away the dropped samples, keeping the order. */
    size_t w = first;
    for (size_t i = first; i < s->n; i++) {
        if (s->v[i].split == DEAD) {
            free(s->v[i].text);
            continue;
        }
        s->v[w++] = s->v[i];
    }
    s->n = w;

    for (size_t i = first; i < s->n; i++) {
        const msample *x = &s->v[i];
        cstat *c = stat_of(st, &nst, x->corpus, x->licence);
        c->n[x->split]++;
        for (int a = 0; a < CLF_ATTRS; a++) {
            c->lab[a] += x->y[a] >= 0;
            c->pos[a] += x->y[a] >= 0.5f;
        }
    }
    fprintf(stderr, "%-20s %-8s %7s %6s %6s  positives/labelled per attribute  leaks dropped\n",
            "corpus", "licence", "train", "dev", "test");
    long tot[3] = {0, 0, 0};
    for (int i = 0; i < nst; i++) {
        const cstat *c = &st[i];
        fprintf(stderr, "%-20s %-8s %7ld %6ld %6ld ", c->name,
                c->licence == LIC_OPEN ? "open" : "research", c->n[0], c->n[1], c->n[2]);
        for (int a = 0; a < CLF_ATTRS; a++)
            fprintf(stderr, " %s %ld/%ld", attr_short[a], c->pos[a], c->lab[a]);
        fprintf(stderr, "  own %ld news %ld\n", c->leak_own, c->leak_news);
        for (int k = 0; k < 3; k++)
            tot[k] += c->n[k];
    }
    fprintf(stderr, "%-20s %-8s %7ld %6ld %6ld\n", "total", "", tot[0], tot[1], tot[2]);
    return failed;
}
