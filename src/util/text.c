/* util/text.c: see text.h. */
#include "util/text.h"
#include "util/arena.h"
#include "util/error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <utf8proc.h>

int
parse_int(const char *s, int64_t min, int64_t max, int64_t *out)
{
    if (s == NULL || *s == '\0')
        return PL_EINVAL;
    const char *p = s;
    bool neg = false;
    if (*p == '-') {
        if (min >= 0)
            return PL_EINVAL;
        neg = true;
        p++;
    }
    if (*p < '0' || *p > '9')
        return PL_EINVAL;
    uint64_t v = 0;
    for (; *p; p++) {
        if (*p < '0' || *p > '9')
            return PL_EINVAL;
        if (v > (UINT64_MAX - 9) / 10)
            return PL_EINVAL;
        v = v * 10 + (uint64_t)(*p - '0');
        if (v > (uint64_t)INT64_MAX + 1)
            return PL_EINVAL;
    }
    int64_t r;
    if (neg)
        r = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
    else if (v > (uint64_t)INT64_MAX)
        return PL_EINVAL;
    else
        r = (int64_t)v;
    if (r < min || r > max)
        return PL_EINVAL;
    *out = r;
    return 0;
}

bool
utf8_valid(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t len;
        uint32_t cp;
        if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (n - i < len)
            return false;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += len;
    }
    return true;
}

size_t
utf8_length(const char *s, size_t n)
{
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            count++;
    return count;
}

/* The range RFC 3339 can write: 0000-01-01T00:00:00Z to 9999-12-31T23:59:59Z. */
#define RFC3339_MIN_S INT64_C(-62167219200)
#define RFC3339_MAX_S INT64_C(253402300799)

void
time_format_rfc3339(int64_t unix_ms, char out[32])
{
    /* Floor division: -1 ms is the last second of 1969, not the epoch. */
    int64_t secs = unix_ms / 1000 - (unix_ms % 1000 < 0);
    if (secs < RFC3339_MIN_S)
        secs = RFC3339_MIN_S;
    if (secs > RFC3339_MAX_S)
        secs = RFC3339_MAX_S;
    time_t t = (time_t)secs;
    struct tm tm;
    gmtime_r(&t, &tm);
    /* strftime's %Y does not pad years below 1000 to four digits. The clamp
     * keeps the text at 20 bytes; the wide buffer only quiets the compiler,
     * which cannot see that. */
    char tmp[96];
    snprintf(tmp, sizeof tmp, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    memcpy(out, tmp, 21);
}

static int
digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

int
time_parse_rfc3339(const char *s, int64_t *unix_ms)
{
    int y, mo, d, h, mi, sec;
    if (strlen(s) < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') ||
        s[13] != ':' || s[16] != ':')
        return PL_EINVAL;
    if (digits(s, 4, &y) || digits(s + 5, 2, &mo) || digits(s + 8, 2, &d) ||
        digits(s + 11, 2, &h) || digits(s + 14, 2, &mi) || digits(s + 17, 2, &sec))
        return PL_EINVAL;
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 60)
        return PL_EINVAL;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d > mdays[mo - 1] + (mo == 2 && leap))
        return PL_EINVAL;
    const char *p = s + 19;
    int ms = 0;
    if (*p == '.') {
        p++;
        int scale = 100, nd = 0;
        while (*p >= '0' && *p <= '9') {
            if (nd < 3)
                ms += (*p - '0') * scale;
            scale /= 10;
            nd++;
            p++;
        }
        if (nd == 0)
            return PL_EINVAL;
    }
    int offset_min = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int oh, om;
        if (strlen(p) != 6 || p[3] != ':' || digits(p + 1, 2, &oh) || digits(p + 4, 2, &om) ||
            oh > 23 || om > 59)
            return PL_EINVAL;
        offset_min = (oh * 60 + om) * (*p == '-' ? -1 : 1);
        p += 6;
    } else {
        return PL_EINVAL;
    }
    if (*p != '\0')
        return PL_EINVAL;
    /* Days from civil date (proleptic Gregorian), after H. Hinnant's algorithm. */
    int yy = y - (mo <= 2);
    int era = (yy >= 0 ? yy : yy - 399) / 400;
    int yoe = yy - era * 400;
    int doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    int64_t days = (int64_t)era * 146097 + doe - 719468;
    int64_t secs = days * 86400 + h * 3600 + mi * 60 + sec - offset_min * 60;
    *unix_ms = secs * 1000 + ms;
    return 0;
}

int64_t
time_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool
article_id_valid(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++) {
        char c = s[n];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == ':' || c == '-'))
            return false;
        if (n >= 128)
            return false;
    }
    return n >= 1 && n <= 128;
}

bool
article_key_valid(const char *s)
{
    size_t d = strspn(s, "0123456789");
    if (d > 0 && d <= 19 && s[d] == '/')
        return article_id_valid(s + d + 1);
    return article_id_valid(s);
}

static const char b64chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

size_t
b64url_encode(const unsigned char *in, size_t n, char *out)
{
    size_t o = 0;
    size_t i = 0;
    for (; i + 2 < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        out[o++] = b64chars[v >> 18];
        out[o++] = b64chars[(v >> 12) & 63];
        out[o++] = b64chars[(v >> 6) & 63];
        out[o++] = b64chars[v & 63];
    }
    if (n - i == 1) {
        uint32_t v = (uint32_t)in[i] << 16;
        out[o++] = b64chars[v >> 18];
        out[o++] = b64chars[(v >> 12) & 63];
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
        out[o++] = b64chars[v >> 18];
        out[o++] = b64chars[(v >> 12) & 63];
        out[o++] = b64chars[(v >> 6) & 63];
    }
    out[o] = '\0';
    return o;
}

static int
b64val(char c)
{
    const char *p = c ? strchr(b64chars, c) : NULL;
    return p ? (int)(p - b64chars) : -1;
}

long
b64url_decode(const char *in, unsigned char *out, size_t out_size)
{
    size_t n = strlen(in), o = 0;
    if (n % 4 == 1)
        return -1;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        int v = b64val(in[i]);
        if (v < 0)
            return -1;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (o >= out_size)
                return -1;
            out[o++] = (unsigned char)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    if (acc != 0) /* non-canonical trailing bits */
        return -1;
    return (long)o;
}

uint64_t
text_hash(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h;
}

/* ---- credentials in URLs ---------------------------------------------------- */

typedef struct outbuf {
    char *p;
    size_t n, len;
} outbuf;

static void
out_put(outbuf *o, const char *s, size_t k)
{
    for (size_t i = 0; i < k && o->len + 1 < o->n; i++)
        o->p[o->len++] = s[i];
    o->p[o->len] = '\0';
}

static bool
name_has_password(const char *k, size_t n)
{
    static const char word[] = "password";
    for (size_t i = 0; i + sizeof word - 1 <= n; i++) {
        size_t j = 0;
        while (j < sizeof word - 1 && (k[i + j] | 0x20) == word[j])
            j++;
        if (j == sizeof word - 1)
            return true;
    }
    return false;
}

/* Where the userinfo's password of url lies: [*pw, *pw + *pw_len). False
 * when url has no scheme://user:password@. */
static bool
url_password_span(const char *url, const char **pw, size_t *pw_len)
{
    const char *sep = strstr(url, "://");
    if (sep == NULL)
        return false;
    const char *auth = sep + 3;
    size_t alen = strcspn(auth, "/?#");
    const char *at = NULL;
    for (size_t i = 0; i < alen; i++)
        if (auth[i] == '@')
            at = auth + i;
    if (at == NULL)
        return false;
    const char *colon = memchr(auth, ':', (size_t)(at - auth));
    if (colon == NULL)
        return false;
    *pw = colon + 1;
    *pw_len = (size_t)(at - colon - 1);
    return true;
}

void
text_redact_url(const char *url, char *out, size_t n)
{
    if (n == 0)
        return;
    outbuf o = {out, n, 0};
    out[0] = '\0';
    if (url == NULL)
        return;
    const char *pw;
    size_t pw_len;
    const char *rest = url;
    if (url_password_span(url, &pw, &pw_len)) {
        out_put(&o, url, (size_t)(pw - url));
        out_put(&o, "***", 3);
        rest = pw + pw_len;
    }
    const char *q = strchr(rest, '?');
    if (q == NULL) {
        out_put(&o, rest, strlen(rest));
        return;
    }
    out_put(&o, rest, (size_t)(q + 1 - rest));
    for (const char *p = q + 1; *p != '\0';) {
        size_t len = strcspn(p, "&#");
        const char *eq = memchr(p, '=', len);
        if (eq != NULL && name_has_password(p, (size_t)(eq - p))) {
            out_put(&o, p, (size_t)(eq + 1 - p));
            out_put(&o, "***", 3);
        } else {
            out_put(&o, p, len);
        }
        p += len;
        if (*p == '&') {
            out_put(&o, "&", 1);
            p++;
        } else if (*p == '#') {
            out_put(&o, p, strlen(p));
            break;
        }
    }
}

int
hex_digit(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

void
text_url_password(const char *url, bool decode, char *out, size_t n)
{
    const char *pw;
    size_t pw_len, k = 0;
    if (n == 0)
        return;
    if (url != NULL && url_password_span(url, &pw, &pw_len)) {
        for (size_t i = 0; i < pw_len && k + 1 < n; i++) {
            int hi, lo;
            if (decode && pw[i] == '%' && i + 2 < pw_len && (hi = hex_digit(pw[i + 1])) >= 0 &&
                (lo = hex_digit(pw[i + 2])) >= 0) {
                out[k++] = (char)(hi * 16 + lo);
                i += 2;
            } else {
                out[k++] = pw[i];
            }
        }
    }
    out[k] = '\0';
}

void
text_redact_secret(char *s, size_t cap, const char *secret)
{
    size_t sn = secret != NULL ? strlen(secret) : 0;
    if (sn == 0 || s == NULL)
        return;
    for (char *p = strstr(s, secret); p != NULL; p = strstr(p, secret)) {
        size_t len = strlen(s), tail = len - (size_t)(p - s) - sn;
        size_t room = cap - (size_t)(p - s) - 1; /* bytes from p up to the NUL */
        if (room < 3) {
            *p = '\0';
            return;
        }
        size_t keep = tail < room - 3 ? tail : room - 3;
        memmove(p + 3, p + sn, keep);
        memcpy(p, "***", 3);
        p[3 + keep] = '\0';
        p += 3;
    }
}

/* ---- e-mail addresses and invisible characters --------------------------- */

bool
email_shape_valid(const char *email)
{
    size_t n = strlen(email);
    const char *at = strchr(email, '@');
    if (n == 0 || n > 254 || at == NULL || at == email || strchr(at + 1, '@') != NULL ||
        strchr(at + 1, '.') == NULL || at[1] == '.' || email[n - 1] == '.')
        return false;
    for (const unsigned char *p = (const unsigned char *)email; *p; p++)
        if (*p <= ' ' || *p == 0x7f || strchr("<>,;\"", *p) != NULL)
            return false;
    return true;
}

bool
email_domain_reserved(const char *email)
{
    static const char *const tlds[] = {"invalid", "test", "example", "localhost"};
    const char *at = email != NULL ? strrchr(email, '@') : NULL;
    if (at == NULL)
        return false;
    const char *domain = at + 1;
    size_t n = strlen(domain);
    while (n > 0 && domain[n - 1] == '.')
        n--; /* a fully qualified "x.invalid." too */
    size_t start = n;
    while (start > 0 && domain[start - 1] != '.')
        start--;
    const char *tld = domain + start;
    size_t tn = n - start;
    for (size_t i = 0; i < sizeof tlds / sizeof tlds[0]; i++) {
        size_t k = strlen(tlds[i]);
        if (tn != k)
            continue;
        size_t j = 0;
        while (j < k && (tld[j] | 0x20) == tlds[i][j])
            j++;
        if (j == k)
            return true;
    }
    return false;
}

static bool
invisible(int32_t cp)
{
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_CF: /* bidi controls, zero-width, soft hyphen, tags */
    case UTF8PROC_CATEGORY_CC:
    case UTF8PROC_CATEGORY_ZL:
    case UTF8PROC_CATEGORY_ZP:
    case UTF8PROC_CATEGORY_CO:
    case UTF8PROC_CATEGORY_CS:
    case UTF8PROC_CATEGORY_CN:
        return true;
    default:
        break;
    }
    /* Letters and symbols that render blank, and the combining grapheme
     * joiner (a mark that draws nothing). */
    return cp == 0x034F || cp == 0x115F || cp == 0x1160 || cp == 0x3164 || cp == 0xFFA0 ||
           cp == 0x2800 || (cp >= 0x180B && cp <= 0x180F);
}

bool
text_has_invisible(const char *s, size_t n)
{
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
    for (utf8proc_ssize_t left = (utf8proc_ssize_t)n; left > 0;) {
        int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate(p, left, &cp);
        if (k <= 0 || invisible(cp))
            return true;
        p += k;
        left -= k;
    }
    return false;
}

void
text_strip_invisible(char *s)
{
    utf8proc_uint8_t *r = (utf8proc_uint8_t *)s, *w = r;
    utf8proc_ssize_t left = (utf8proc_ssize_t)strlen(s);
    while (left > 0) {
        int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate(r, left, &cp);
        if (k <= 0)
            k = 1; /* not UTF-8: drop the byte */
        else if (!invisible(cp)) {
            memmove(w, r, (size_t)k);
            w += k;
        }
        r += k;
        left -= k;
    }
    *w = '\0';
}

char *
html_escape(arena *a, const char *s)
{
    size_t n = 0;
    for (const char *p = s; *p; p++)
        n += strchr("&<>\"'", *p) ? 6 : 1;
    char *out = arena_alloc(a, n + 1), *o = out;
    for (const char *p = s; *p; p++) {
        switch (*p) {
        case '&':
            o += sprintf(o, "&amp;");
            break;
        case '<':
            o += sprintf(o, "&lt;");
            break;
        case '>':
            o += sprintf(o, "&gt;");
            break;
        case '"':
            o += sprintf(o, "&quot;");
            break;
        case '\'':
            o += sprintf(o, "&#39;");
            break;
        default:
            *o++ = *p;
        }
    }
    *o = '\0';
    return out;
}

static bool
excerpt_space(char ch)
{
    return ch == ' ' || ch == '\n' || ch == '\r' || ch == '\t';
}

const char *
text_excerpt(arena *a, const char *s, size_t max, unsigned opts, const char *more)
{
    bool chars = (opts & TEXT_EXCERPT_CHARS) != 0, fold = (opts & TEXT_EXCERPT_FOLD) != 0;
    size_t n = strlen(s), i = 0, used = 0;
    char *out = NULL, *o = NULL;
    if (fold)
        out = o = arena_alloc(a, n + strlen(more) + 1);
    bool space = false; /* folding: a run of white space waits for the next word */
    while (i < n) {
        if (fold && excerpt_space(s[i])) {
            if (chars && used >= max)
                break;
            space = o != out;
            i++;
            continue;
        }
        /* One character: its lead byte and continuation bytes (a stray
         * continuation byte counts as no character). */
        size_t len = 1;
        while (i + len < n && ((unsigned char)s[i + len] & 0xC0) == 0x80)
            len++;
        bool lead = ((unsigned char)s[i] & 0xC0) != 0x80;
        bool sep = fold && space && lead; /* the space written before it */
        if (chars ? used >= max : used + len + sep > max)
            break;
        used += chars ? (size_t)lead + sep : len + sep;
        if (fold) {
            if (sep)
                *o++ = ' ';
            if (lead)
                space = false;
            memcpy(o, s + i, len);
            o += len;
        }
        i += len;
    }
    if (!fold)
        return i < n ? arena_printf(a, "%.*s%s", (int)i, s, more) : s;
    if (i < n)
        o = stpcpy(o, more);
    *o = '\0';
    return out;
}
