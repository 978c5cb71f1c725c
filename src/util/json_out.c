/* util/json_out.c: compact JSON from jansson values (json_out.h). */
#include "util/json_out.h"
#include "util/xalloc.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    char *p;
    size_t n, cap;
} out_buf;

static void
reserve(out_buf *b, size_t more)
{
    if (b->n + more <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->n + more)
        cap *= 2;
    b->p = xrealloc(b->p, cap);
    b->cap = cap;
}

static void
put(out_buf *b, const char *s, size_t n)
{
    reserve(b, n);
    memcpy(b->p + b->n, s, n);
    b->n += n;
}

static void
put_c(out_buf *b, char c)
{
    reserve(b, 1);
    b->p[b->n++] = c;
}

/* As jansson: '"', '\\' and the control characters escaped, the short
 * forms where JSON has one, else \u00XX in capitals; all else as is. */
static void
put_string(out_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    reserve(b, n + 2);
    b->p[b->n++] = '"';
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        put(b, s + run, i - run);
        run = i + 1;
        char esc[6] = {'\\', 0, 0, 0, 0, 0};
        size_t k = 2;
        switch (c) {
        case '"':
        case '\\':
            esc[1] = (char)c;
            break;
        case '\b':
            esc[1] = 'b';
            break;
        case '\f':
            esc[1] = 'f';
            break;
        case '\n':
            esc[1] = 'n';
            break;
        case '\r':
            esc[1] = 'r';
            break;
        case '\t':
            esc[1] = 't';
            break;
        default:
            memcpy(esc + 1, "u00", 3);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            k = 6;
        }
        put(b, esc, k);
    }
    put(b, s + run, n - run);
    put_c(b, '"');
}

/* jansson's real: "%.17g", ".0" after a whole number, and the exponent
 * without '+' and without leading zeros. */
static void
put_real(out_buf *b, double d)
{
    char t[64];
    int n = snprintf(t, sizeof t - 2, "%.17g", d);
    if (n < 0 || (size_t)n >= sizeof t - 2)
        n = 0;
    if (memchr(t, '.', (size_t)n) == NULL && memchr(t, 'e', (size_t)n) == NULL) {
        memcpy(t + n, ".0", 2);
        n += 2;
    }
    char *e = memchr(t, 'e', (size_t)n);
    if (e != NULL) {
        char *from = e + 1, *to = e + 1;
        if (*from == '+')
            from++;
        else if (*from == '-')
            from = to = e + 2;
        char *digits = from;
        while (*digits == '0' && digits + 1 < t + n)
            digits++;
        size_t tail = (size_t)(t + n - digits);
        memmove(to, digits, tail);
        n = (int)(to + tail - t);
    }
    put(b, t, (size_t)n);
}

/* As deep as the value, which json_dumps walks the same way; jansson's
 * parser refuses more than 2048 levels. */
static void
/* NOLINTNEXTLINE(misc-no-recursion): as deep as the value, as json_dumps */
put_value(out_buf *b, const json_t *v)
{
    char t[32];
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        put_c(b, '{');
        const char *key;
        json_t *item;
        bool first = true;
        /* Insertion order, as json_dumps without JSON_SORT_KEYS. */
        json_object_foreach((json_t *)v, key, item)
        {
            if (!first)
                put_c(b, ',');
            first = false;
            put_string(b, key, strlen(key));
            put_c(b, ':');
            put_value(b, item);
        }
        put_c(b, '}');
        break;
    }
    case JSON_ARRAY: {
        put_c(b, '[');
        size_t n = json_array_size(v);
        for (size_t i = 0; i < n; i++) {
            if (i > 0)
                put_c(b, ',');
            put_value(b, json_array_get(v, i));
        }
        put_c(b, ']');
        break;
    }
    case JSON_STRING:
        put_string(b, json_string_value(v), json_string_length(v));
        break;
    case JSON_INTEGER: {
        int n = snprintf(t, sizeof t, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        put(b, t, (size_t)n);
        break;
    }
    case JSON_REAL:
        put_real(b, json_real_value(v));
        break;
    case JSON_TRUE:
        put(b, "true", 4);
        break;
    case JSON_FALSE:
        put(b, "false", 5);
        break;
    case JSON_NULL:
        put(b, "null", 4);
        break;
    }
}

char *
json_out_compact(const json_t *v, size_t *len)
{
    if (v == NULL || (!json_is_object(v) && !json_is_array(v)))
        return NULL;
    out_buf b = {0};
    put_value(&b, v);
    put_c(&b, '\0');
    if (len != NULL)
        *len = b.n - 1;
    return b.p;
}
