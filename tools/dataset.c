/* tools/dataset.c: readers for the public corpora (see dataset.h).
 *
 * The corpora come in three shapes: TSV read without any quoting (OLID,
 * whose tweets hold bare quote characters), RFC 4180 CSV with quoted fields
 * spanning lines (everything else), and JSON lines. The Kaggle insults text
 * is additionally escaped like a Python string literal, with raw bytes as
 * \xNN; bytes that do not form UTF-8 after decoding are read as Latin-1.
 */
#include "dataset.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

/* ---- sets ----------------------------------------------------------------- */

void
set_free(sample_set *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i].text);
    for (size_t i = 0; i < s->n_owned; i++)
        free(s->owned[i]);
    free(s->v);
    free(s->owned);
    memset(s, 0, sizeof *s);
}

sample *
set_add(sample_set *s, const char *text, size_t len, const char *tag)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 1024;
        s->v = xrealloc(s->v, s->cap * sizeof *s->v);
    }
    sample *x = &s->v[s->n++];
    x->text = xstrndup(text, len);
    x->len = len;
    x->y[0] = x->y[1] = -1;
    x->w[0] = x->w[1] = 0;
    x->tag = tag;
    return x;
}

const char *
set_own_tag(sample_set *s, const char *tag)
{
    for (size_t i = 0; i < s->n_owned; i++)
        if (strcmp(s->owned[i], tag) == 0)
            return s->owned[i];
    if (s->n_owned == s->cap_owned) {
        s->cap_owned = s->cap_owned ? s->cap_owned * 2 : 16;
        s->owned = xrealloc(s->owned, s->cap_owned * sizeof *s->owned);
    }
    return s->owned[s->n_owned++] = xstrdup(tag);
}

uint64_t
ds_hash(const char *p, size_t n)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * UINT64_C(0x100000001b3);
    return h;
}

/* ---- files and text --------------------------------------------------------- */

static char *
read_file(const char *dir, const char *name, size_t *len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        perror(path);
        return NULL;
    }
    size_t cap = 1 << 20, n = 0;
    char *buf = xmalloc(cap);
    size_t r;
    while ((r = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += r;
        if (cap - n - 1 == 0) {
            cap *= 2;
            buf = xrealloc(buf, cap);
        }
    }
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

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

/* Length of a valid UTF-8 sequence at p, or 0. */
static size_t
utf8_seq(const unsigned char *p, size_t n)
{
    if (p[0] < 0x80)
        return 1;
    size_t k = p[0] >= 0xf0 && p[0] <= 0xf4 ? 4 : p[0] >= 0xe0 ? 3 : p[0] >= 0xc2 ? 2 : 0;
    if (k == 0 || k > n || (p[0] >= 0xf8))
        return 0;
    for (size_t i = 1; i < k; i++)
        if ((p[i] & 0xc0) != 0x80)
            return 0;
    return k;
}

/* Copies bytes into b, reading any byte that is not part of valid UTF-8 as
 * Latin-1. */
static void
sb_put_repaired(sbuf *b, const char *p, size_t n)
{
    const unsigned char *s = (const unsigned char *)p;
    size_t i = 0;
    while (i < n) {
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

static int
hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes the Kaggle insults escapes (the field holds "...", escaped). */
static void
kaggle_decode(sbuf *out, const char *p, size_t n)
{
    sbuf raw = {0};
    if (n >= 2 && p[0] == '"' && p[n - 1] == '"') {
        p++;
        n -= 2;
    }
    for (size_t i = 0; i < n; i++) {
        if (p[i] != '\\' || i + 1 == n) {
            sb_putc(&raw, p[i]);
            continue;
        }
        char e = p[++i];
        if (e == 'n' || e == 'r' || e == 't') {
            sb_putc(&raw, e == 't' ? '\t' : '\n');
        } else if (e == 'x' && i + 2 < n && hexval(p[i + 1]) >= 0 && hexval(p[i + 2]) >= 0) {
            sb_putc(&raw, hexval(p[i + 1]) * 16 + hexval(p[i + 2]));
            i += 2;
        } else if (e == 'u' && i + 4 < n && hexval(p[i + 1]) >= 0 && hexval(p[i + 2]) >= 0 &&
                   hexval(p[i + 3]) >= 0 && hexval(p[i + 4]) >= 0) {
            unsigned cp = 0;
            for (int k = 1; k <= 4; k++)
                cp = cp * 16 + (unsigned)hexval(p[i + k]);
            sb_put_cp(&raw, cp);
            i += 4;
        } else {
            sb_putc(&raw, e);
        }
    }
    sb_put_repaired(out, raw.p ? raw.p : "", raw.n);
    free(raw.p);
}

/* Decodes the few HTML entities in the Davidson tweets. */
static void
html_decode(sbuf *out, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '&') {
            if (n - i >= 5 && memcmp(p + i, "&amp;", 5) == 0) {
                sb_putc(out, '&');
                i += 4;
                continue;
            }
            if (n - i >= 4 && (memcmp(p + i, "&lt;", 4) == 0 || memcmp(p + i, "&gt;", 4) == 0)) {
                sb_putc(out, p[i + 1] == 'l' ? '<' : '>');
                i += 3;
                continue;
            }
            if (n - i >= 4 && p[i + 1] == '#') {
                size_t j = i + 2;
                unsigned cp = 0;
                while (j < n && j < i + 10 && p[j] >= '0' && p[j] <= '9')
                    cp = cp * 10 + (unsigned)(p[j++] - '0');
                if (j < n && p[j] == ';' && j > i + 2 && cp > 0 && cp < 0x110000) {
                    sb_put_cp(out, cp);
                    i = j;
                    continue;
                }
            }
        }
        sb_putc(out, p[i]);
    }
}

/* ---- CSV -------------------------------------------------------------------- */

#define MAX_FIELDS 16

typedef struct csv_row {
    sbuf buf;
    size_t off[MAX_FIELDS];
    size_t len[MAX_FIELDS];
    int n;
} csv_row;

/* Reads one RFC 4180 record at *pp; returns 0 at the end of input. */
static int
csv_next(const char **pp, const char *end, csv_row *r)
{
    const char *p = *pp;
    if (p >= end)
        return 0;
    r->buf.n = 0;
    r->n = 0;
    for (;;) {
        size_t start = r->buf.n;
        if (p < end && *p == '"') {
            p++;
            while (p < end) {
                if (*p == '"') {
                    if (p + 1 < end && p[1] == '"') {
                        sb_putc(&r->buf, '"');
                        p += 2;
                        continue;
                    }
                    p++;
                    break;
                }
                sb_putc(&r->buf, *p++);
            }
        }
        while (p < end && *p != ',' && *p != '\n' && *p != '\r')
            sb_putc(&r->buf, *p++);
        if (r->n < MAX_FIELDS) {
            r->off[r->n] = start;
            r->len[r->n] = r->buf.n - start;
            r->n++;
        }
        sb_putc(&r->buf, '\0'); /* each field is NUL-terminated in buf */
        if (p < end && *p == ',') {
            p++;
            continue;
        }
        if (p < end && *p == '\r')
            p++;
        if (p < end && *p == '\n')
            p++;
        break;
    }
    *pp = p;
    return 1;
}

static const char *
field(const csv_row *r, int i, size_t *len)
{
    if (i >= r->n) {
        *len = 0;
        return "";
    }
    *len = r->len[i];
    return r->buf.p + r->off[i];
}

static int
field_is(const csv_row *r, int i, const char *s)
{
    size_t n;
    const char *f = field(r, i, &n);
    return n == strlen(s) && memcmp(f, s, n) == 0;
}

/* ---- readers ---------------------------------------------------------------- */

/* Splits a line of OLID TSV at tabs, with no quoting at all. */
static int
tsv_split(char *line, char **f, int max)
{
    int n = 0;
    f[n++] = line;
    for (char *p = line; *p != '\0' && n < max; p++)
        if (*p == '\t') {
            *p = '\0';
            f[n++] = p + 1;
        }
    return n;
}

static char *
next_line(char **pp)
{
    char *p = *pp, *e;
    if (*p == '\0')
        return NULL;
    e = strchr(p, '\n');
    if (e == NULL) {
        *pp = p + strlen(p);
    } else {
        *e = '\0';
        *pp = e + 1;
    }
    size_t n = strlen(p);
    if (n > 0 && p[n - 1] == '\r')
        p[n - 1] = '\0';
    return p;
}

long
ds_olid_train(sample_set *s, const char *dir)
{
    size_t len;
    char *buf = read_file(dir, "olid/olid-training-v1.0.tsv", &len), *p = buf, *line;
    long added = 0;
    if (buf == NULL)
        return -1;
    next_line(&p); /* header */
    while ((line = next_line(&p)) != NULL) {
        char *f[8];
        if (tsv_split(line, f, 8) < 5)
            continue;
        sample *x = set_add(s, f[1], strlen(f[1]), "olid");
        x->y[0] = strcmp(f[2], "OFF") == 0;
        x->y[1] = strcmp(f[4], "IND") == 0;
        x->w[0] = x->w[1] = 1;
        added++;
    }
    free(buf);
    return added;
}

long
ds_olid_test_a(sample_set *s, const char *dir)
{
    size_t len, llen;
    char *tb = read_file(dir, "olid/testset-levela.tsv", &len);
    char *lb = read_file(dir, "olid/labels-levela.csv", &llen);
    long added = 0;
    if (tb == NULL || lb == NULL) {
        free(tb);
        free(lb);
        return -1;
    }
    /* Labels by id; the label file has a header and CRLF line ends. */
    size_t nl = 0, cap = 1024;
    long *ids = xmalloc(cap * sizeof *ids);
    int *labs = xmalloc(cap * sizeof *labs);
    char *p = lb, *line;
    while ((line = next_line(&p)) != NULL) {
        if (strncmp(line, "id,", 3) == 0 || *line == '\0')
            continue;
        char *comma = strchr(line, ',');
        if (comma == NULL)
            continue;
        if (nl == cap) {
            cap *= 2;
            ids = xrealloc(ids, cap * sizeof *ids);
            labs = xrealloc(labs, cap * sizeof *labs);
        }
        ids[nl] = strtol(line, NULL, 10);
        labs[nl++] = strcmp(comma + 1, "OFF") == 0;
    }
    p = tb;
    next_line(&p);
    while ((line = next_line(&p)) != NULL) {
        char *f[4];
        if (tsv_split(line, f, 4) < 2)
            continue;
        long id = strtol(f[0], NULL, 10);
        for (size_t i = 0; i < nl; i++)
            if (ids[i] == id) {
                sample *x = set_add(s, f[1], strlen(f[1]), "olid-test");
                x->y[0] = labs[i];
                added++;
                break;
            }
    }
    free(ids);
    free(labs);
    free(tb);
    free(lb);
    return added;
}

long
ds_kaggle(sample_set *s, const char *dir, const char *file)
{
    char name[256];
    size_t len;
    snprintf(name, sizeof name, "kaggle-insults-2012/%s", file);
    char *buf = read_file(dir, name, &len);
    const char *p = buf, *end;
    csv_row r = {0};
    long added = 0;
    if (buf == NULL)
        return -1;
    end = buf + len;
    csv_next(&p, end, &r);
    int base = field_is(&r, 0, "id") ? 1 : 0; /* verification file has an id column */
    sbuf t = {0};
    while (csv_next(&p, end, &r)) {
        size_t n;
        const char *lab = field(&r, base, &n);
        if (n != 1 || (lab[0] != '0' && lab[0] != '1'))
            continue;
        const char *c = field(&r, base + 2, &n);
        t.n = 0;
        kaggle_decode(&t, c, n);
        sample *x = set_add(s, t.p ? t.p : "", t.n, "kaggle");
        x->y[0] = x->y[1] = lab[0] == '1';
        x->w[0] = x->w[1] = 1;
        added++;
    }
    free(t.p);
    free(r.buf.p);
    free(buf);
    return added;
}

long
ds_davidson(sample_set *s, const char *dir)
{
    size_t len;
    char *buf = read_file(dir, "davidson2017/labeled_data.csv", &len);
    const char *p = buf;
    csv_row r = {0};
    sbuf t = {0};
    long added = 0;
    if (buf == NULL)
        return -1;
    csv_next(&p, buf + len, &r);
    while (csv_next(&p, buf + len, &r)) {
        size_t n;
        const char *cls = field(&r, 5, &n);
        if (n != 1)
            continue;
        const char *tw = field(&r, 6, &n);
        t.n = 0;
        html_decode(&t, tw, n);
        sample *x = set_add(s, t.p ? t.p : "", t.n, "davidson");
        x->y[0] = cls[0] != '2';
        x->w[0] = 1;
        added++;
    }
    free(t.p);
    free(r.buf.p);
    free(buf);
    return added;
}

long
ds_toxic_spans(sample_set *s, const char *dir, const char *file)
{
    char name[256];
    size_t len;
    snprintf(name, sizeof name, "toxic-spans/semeval2021/%s", file);
    char *buf = read_file(dir, name, &len);
    const char *p = buf;
    csv_row r = {0};
    long added = 0;
    if (buf == NULL)
        return -1;
    csv_next(&p, buf + len, &r);
    while (csv_next(&p, buf + len, &r)) {
        size_t n;
        const char *tx = field(&r, 1, &n);
        sample *x = set_add(s, tx, n, "toxic-spans");
        x->y[0] = 1;
        x->w[0] = 1;
        added++;
    }
    free(r.buf.p);
    free(buf);
    return added;
}

long
ds_hatecheck(sample_set *s, const char *dir)
{
    size_t len;
    char *buf = read_file(dir, "hatecheck/test_suite_cases.csv", &len);
    const char *p = buf;
    csv_row r = {0};
    long added = 0;
    if (buf == NULL)
        return -1;
    csv_next(&p, buf + len, &r);
    while (csv_next(&p, buf + len, &r)) {
        size_t n, fn;
        const char *fu = field(&r, 1, &fn);
        char tag[64];
        snprintf(tag, sizeof tag, "%.*s", (int)(fn < 63 ? fn : 63), fu);
        const char *tx = field(&r, 3, &n);
        sample *x = set_add(s, tx, n, set_own_tag(s, tag));
        x->y[0] = field_is(&r, 4, "hateful");
        added++;
    }
    free(r.buf.p);
    free(buf);
    return added;
}

long
ds_wiki_bias(sample_set *s, const char *dir)
{
    size_t len;
    char *buf = read_file(dir, "wikipedia-toxicity-bias-eval/toxicity_nonfuzzed_testset.csv", &len);
    const char *p = buf;
    csv_row r = {0};
    long added = 0;
    if (buf == NULL)
        return -1;
    csv_next(&p, buf + len, &r);
    while (csv_next(&p, buf + len, &r)) {
        size_t n;
        const char *tx = field(&r, 1, &n);
        sample *x = set_add(s, tx, n, "wiki-identity");
        x->y[0] = field_is(&r, 2, "True");
        added++;
    }
    free(r.buf.p);
    free(buf);
    return added;
}

long
ds_madlibs(sample_set *s, const char *dir)
{
    size_t len;
    char *buf = read_file(dir, "wikipedia-toxicity-bias-eval/bias_madlibs_77k.csv", &len);
    const char *p = buf;
    csv_row r = {0};
    long added = 0;
    if (buf == NULL)
        return -1;
    csv_next(&p, buf + len, &r);
    while (csv_next(&p, buf + len, &r)) {
        size_t n;
        const char *tx = field(&r, 0, &n);
        sample *x = set_add(s, tx, n, "madlibs");
        x->y[0] = field_is(&r, 1, "BAD");
        added++;
    }
    free(r.buf.p);
    free(buf);
    return added;
}
