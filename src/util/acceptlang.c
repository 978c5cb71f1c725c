/* util/acceptlang.c: see acceptlang.h. */
#include "util/acceptlang.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

static bool
is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool
is_ows(char c)
{
    return c == ' ' || c == '\t';
}

/* A language range of RFC 4647, 2.1 in p[0..n): "*" or 1*8ALPHA followed
 * by any number of "-" 1*8alphanum. Sets *primary_len. */
static bool
range_ok(const char *p, size_t n, size_t *primary_len)
{
    *primary_len = 0;
    if (n == 1 && p[0] == '*')
        return true;
    size_t i = 0;
    while (i < n && is_alpha(p[i]))
        i++;
    if (i == 0 || i > 8)
        return false;
    *primary_len = i;
    while (i < n) {
        if (p[i] != '-')
            return false;
        size_t start = ++i;
        while (i < n && (is_alpha(p[i]) || is_digit(p[i])))
            i++;
        if (i == start || i - start > 8)
            return false;
    }
    return true;
}

/* A qvalue of RFC 9110, 12.4.2 in p[0..n), in thousandths; -1 when it is
 * not of that form. */
static int
qvalue(const char *p, size_t n)
{
    if (n == 0 || (p[0] != '0' && p[0] != '1'))
        return -1;
    if (n > 1 && (p[1] != '.' || n > 5))
        return -1;
    int q = (p[0] - '0') * 1000, scale = 100;
    for (size_t i = 2; i < n; i++, scale /= 10) {
        if (!is_digit(p[i]) || (p[0] == '1' && p[i] != '0'))
            return -1;
        q += (p[i] - '0') * scale;
    }
    return q;
}

int
acceptlang_pick(const char *header, const char *const *supported, size_t n)
{
    if (header == NULL || n == 0)
        return -1;
    enum { UNNAMED = -1 };
    /* Per supported language: the best q a range names it with, and where. */
    int best_q[64], best_at[64];
    if (n > sizeof best_q / sizeof best_q[0])
        n = sizeof best_q / sizeof best_q[0];
    for (size_t i = 0; i < n; i++) {
        best_q[i] = UNNAMED;
        best_at[i] = 0;
    }
    int star_q = UNNAMED;
    size_t len = strnlen(header, ACCEPTLANG_MAX_BYTES);
    const char *p = header, *end = header + len;
    for (int item = 0; p < end && item < ACCEPTLANG_MAX_ITEMS;) {
        while (p < end && (*p == ',' || is_ows(*p)))
            p++;
        if (p >= end)
            break;
        const char *name = p;
        while (p < end && *p != ',' && *p != ';' && !is_ows(*p))
            p++;
        size_t name_len = (size_t)(p - name), primary = 0;
        bool ok = range_ok(name, name_len, &primary);
        int q = 1000;
        /* Parameters up to the next comma; only q counts, and a bad one
         * spoils its range. */
        while (p < end && *p != ',') {
            if (is_ows(*p)) {
                p++;
                continue;
            }
            if (*p != ';') {
                ok = false;
                p++;
                continue;
            }
            p++;
            while (p < end && is_ows(*p))
                p++;
            const char *v = p;
            while (p < end && *p != ',' && *p != ';' && !is_ows(*p))
                p++;
            if ((size_t)(p - v) >= 2 && (v[0] == 'q' || v[0] == 'Q') && v[1] == '=')
                q = qvalue(v + 2, (size_t)(p - v) - 2);
            else
                ok = false;
            if (q < 0)
                ok = false;
        }
        if (!ok)
            continue;
        int at = item++;
        if (primary == 0) {
            if (q > star_q)
                star_q = q;
            continue;
        }
        for (size_t i = 0; i < n; i++) {
            const char *s = supported[i];
            bool match = strlen(s) == primary && strncasecmp(s, name, primary) == 0;
            if (!match && strcmp(s, "he") == 0 && primary == 2)
                match = strncasecmp(name, "iw", 2) == 0;
            if (match && q > best_q[i]) {
                best_q[i] = q;
                best_at[i] = at;
            }
        }
    }
    int pick = -1, pick_q = 0, pick_at = 0;
    for (size_t i = 0; i < n; i++) {
        int q = best_q[i] == UNNAMED ? star_q : best_q[i];
        /* An unnamed language comes after every named one of its q. */
        int at = best_q[i] == UNNAMED ? ACCEPTLANG_MAX_ITEMS : best_at[i];
        if (q > pick_q || (q == pick_q && q > 0 && pick >= 0 && at < pick_at)) {
            pick = (int)i;
            pick_q = q;
            pick_at = at;
        }
    }
    return pick;
}
