/* tools/csv2tsv.c: selects columns of a CSV file (RFC 4180 quoting) and
 * prints them tab-separated, for tools/eval_moderation.sh.
 *
 * Usage: csv2tsv [--unescape] FILE COLUMN...
 * COLUMN is a header name, or "#" for the row number (1 = first data row).
 * Tabs, carriage returns and line breaks inside a field become spaces so
 * each row stays one line. --unescape decodes the backslash escapes of the
 * Kaggle insults corpus (\n, \t, \xNN, \uNNNN, \\, \', \") and strips one
 * pair of surrounding double quotes from each field. Build time tool only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/text.h"

#define MAX_COLS 64

static void
put_utf8(unsigned cp, FILE *o)
{
    if (cp < 0x80) {
        fputc((int)cp, o);
    } else if (cp < 0x800) {
        fputc((int)(0xC0 | (cp >> 6)), o);
        fputc((int)(0x80 | (cp & 0x3F)), o);
    } else {
        fputc((int)(0xE0 | (cp >> 12)), o);
        fputc((int)(0x80 | ((cp >> 6) & 0x3F)), o);
        fputc((int)(0x80 | (cp & 0x3F)), o);
    }
}

static void
put_field(const char *s, size_t n, int unescape, FILE *o)
{
    if (unescape && n >= 2 && s[0] == '"' && s[n - 1] == '"') {
        s++;
        n -= 2;
    }
    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)s[i];
        if (unescape && c == '\\' && i + 1 < n) {
            int d = s[++i];
            if (d == 'n' || d == 't' || d == 'r') {
                fputc(' ', o);
            } else if (d == 'x' && i + 2 < n && hex_digit(s[i + 1]) >= 0 &&
                       hex_digit(s[i + 2]) >= 0) {
                int b = hex_digit(s[i + 1]) * 16 + hex_digit(s[i + 2]);
                fputc(b == '\t' || b == '\n' || b == '\r' ? ' ' : b, o);
                i += 2;
            } else if (d == 'u' && i + 4 < n) {
                unsigned cp = 0;
                int ok = 1;
                for (int k = 1; k <= 4; k++) {
                    int h = hex_digit(s[i + (size_t)k]);
                    if (h < 0)
                        ok = 0;
                    else
                        cp = cp * 16 + (unsigned)h;
                }
                if (ok) {
                    put_utf8(cp, o);
                    i += 4;
                } else {
                    fputc(d, o);
                }
            } else {
                fputc(d, o);
            }
            continue;
        }
        fputc(c == '\t' || c == '\n' || c == '\r' ? ' ' : c, o);
    }
}

/* Reads one CSV record into fields (pointers into buf). Returns the number of
 * fields, 0 at end of file. */
static int
read_record(FILE *f, char **buf, size_t *cap, char **fields, size_t *lens)
{
    size_t n = 0, offs[MAX_COLS];
    int nf = 0, c, quoted = 0, any = 0;
    size_t start = 0;
    while ((c = fgetc(f)) != EOF) {
        any = 1;
        if (n + 2 >= *cap) {
            *cap = *cap ? *cap * 2 : 4096;
            *buf = realloc(*buf, *cap);
            if (*buf == NULL)
                abort();
        }
        if (quoted) {
            if (c == '"') {
                int d = fgetc(f);
                if (d == '"') {
                    (*buf)[n++] = '"';
                } else {
                    quoted = 0;
                    if (d != EOF)
                        ungetc(d, f);
                }
            } else {
                (*buf)[n++] = (char)c;
            }
            continue;
        }
        if (c == '"') {
            quoted = 1;
        } else if (c == ',' || c == '\n') {
            if (nf < MAX_COLS) {
                lens[nf] = n - start;
                offs[nf++] = start;
            }
            (*buf)[n++] = '\0';
            start = n;
            if (c == '\n')
                break;
        } else if (c != '\r') {
            (*buf)[n++] = (char)c;
        }
    }
    if (!any)
        return 0;
    if (c == EOF && nf < MAX_COLS) {
        if (n + 1 >= *cap) {
            *cap = *cap ? *cap * 2 : 4096;
            *buf = realloc(*buf, *cap);
            if (*buf == NULL)
                abort();
        }
        (*buf)[n] = '\0';
        lens[nf] = n - start;
        offs[nf++] = start;
    }
    /* The buffer may have moved while growing: point into it only now. */
    for (int i = 0; i < nf; i++)
        fields[i] = *buf + offs[i];
    return nf;
}

int
main(int argc, char **argv)
{
    int unescape = 0, a = 1;
    if (a < argc && !strcmp(argv[a], "--unescape")) {
        unescape = 1;
        a++;
    }
    if (argc - a < 2) {
        fprintf(stderr, "usage: csv2tsv [--unescape] FILE COLUMN...\n");
        return 2;
    }
    FILE *f = fopen(argv[a], "rb");
    if (f == NULL) {
        perror(argv[a]);
        return 1;
    }
    char *buf = NULL;
    size_t cap = 0, lens[MAX_COLS];
    char *fields[MAX_COLS];
    int nf = read_record(f, &buf, &cap, fields, lens);
    int want[MAX_COLS], nw = 0;
    for (int i = a + 1; i < argc && nw < MAX_COLS; i++) {
        int idx = -2;
        if (!strcmp(argv[i], "#"))
            idx = -1;
        for (int k = 0; k < nf && idx == -2; k++)
            if (!strcmp(fields[k], argv[i]))
                idx = k;
        if (idx == -2) {
            fprintf(stderr, "csv2tsv: no column %s in %s\n", argv[i], argv[a]);
            return 2;
        }
        want[nw++] = idx;
    }
    long row = 0;
    while ((nf = read_record(f, &buf, &cap, fields, lens)) > 0) {
        row++;
        for (int i = 0; i < nw; i++) {
            if (i)
                fputc('\t', stdout);
            if (want[i] < 0)
                printf("%ld", row);
            else if (want[i] < nf)
                put_field(fields[want[i]], lens[want[i]], unescape && i == nw - 1, stdout);
        }
        fputc('\n', stdout);
    }
    free(buf);
    fclose(f);
    return 0;
}
