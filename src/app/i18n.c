/* app/i18n.c: see i18n.h. */
#include "app/i18n.h"
#include "server/static.h"
#include "util/acceptlang.h"
#include "util/assets.h"
#include "util/log.h"
#include "util/text.h"
#include "util/xalloc.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const i18n_langs[] = {"en", "ar", "de", "es", "fa", "fr",
                                  "he", "it", "nl", "pl", "pt", "tr"};
const size_t i18n_n_langs = sizeof i18n_langs / sizeof i18n_langs[0];

static json_t *catalogues[sizeof i18n_langs / sizeof i18n_langs[0]];
static pthread_once_t loaded = PTHREAD_ONCE_INIT;

static void
load_catalogues(void)
{
    for (size_t i = 0; i < i18n_n_langs; i++) {
        char path[64];
        snprintf(path, sizeof path, "/i18n/site/%s.json", i18n_langs[i]);
        const asset *as = asset_find(assets, path);
        json_error_t e;
        catalogues[i] = as ? json_loadb((const char *)as->data, (size_t)as->size, 0, &e) : NULL;
        if (catalogues[i] == NULL || !json_is_object(catalogues[i]))
            log_error("msg=\"site catalogue unusable\" path=%s", path);
    }
}

static int
lang_index(const char *code)
{
    for (size_t i = 0; code != NULL && i < i18n_n_langs; i++)
        if (strcmp(code, i18n_langs[i]) == 0)
            return (int)i;
    return -1;
}

bool
i18n_lang_ok(const char *code)
{
    return lang_index(code) >= 0;
}

const char *
i18n_dir(const char *lang)
{
    return strcmp(lang, "ar") == 0 || strcmp(lang, "fa") == 0 || strcmp(lang, "he") == 0 ? "rtl"
                                                                                         : "ltr";
}

const char *
i18n_choose(req *r)
{
    if (r->user == NULL && !r->has_session_cookie)
        req_load_session(r);
    if (r->user != NULL && i18n_lang_ok(r->user->language))
        return r->user->language;
    int i = acceptlang_pick(req_header(r, "Accept-Language"), i18n_langs, i18n_n_langs);
    return i18n_langs[i < 0 ? 0 : i];
}

/* The entry of key in lang's catalogue, else in English's: a string, an
 * object of plural forms, or NULL. */
static json_t *
entry(const char *lang, const char *key)
{
    pthread_once(&loaded, load_catalogues);
    int i = lang_index(lang);
    json_t *v = i >= 0 ? json_object_get(catalogues[i], key) : NULL;
    if (!json_is_string(v) && !json_is_object(v))
        v = json_object_get(catalogues[0], key);
    return v;
}

const char *
i18n_text(const char *lang, const char *key)
{
    const char *s = json_string_value(entry(lang, key));
    return s != NULL ? s : key;
}

const char *
i18n_plural(const char *lang, long long n)
{
    long long n10 = n % 10, n100 = n % 100;
    bool million = n != 0 && n % 1000000 == 0;
    if (strcmp(lang, "ar") == 0)
        return n == 0                     ? "zero"
               : n == 1                   ? "one"
               : n == 2                   ? "two"
               : n100 >= 3 && n100 <= 10  ? "few"
               : n100 >= 11 && n100 <= 99 ? "many"
                                          : "other";
    if (strcmp(lang, "pl") == 0)
        return n == 1                                                ? "one"
               : n10 >= 2 && n10 <= 4 && !(n100 >= 12 && n100 <= 14) ? "few"
                                                                     : "many";
    if (strcmp(lang, "he") == 0)
        return n == 1 ? "one" : n == 2 ? "two" : "other";
    if (strcmp(lang, "fr") == 0 || strcmp(lang, "pt") == 0)
        return n <= 1 ? "one" : million ? "many" : "other";
    if (strcmp(lang, "fa") == 0)
        return n <= 1 ? "one" : "other";
    if (strcmp(lang, "es") == 0 || strcmp(lang, "it") == 0)
        return n == 1 ? "one" : million ? "many" : "other";
    return n == 1 ? "one" : "other"; /* en, de, nl, tr */
}

char *
i18n_format(arena *a, const char *lang, const char *key, long long n, const char *const *vars,
            size_t nvars, bool html)
{
    json_t *v = entry(lang, key);
    if (json_is_object(v)) {
        json_t *form = json_object_get(v, i18n_plural(lang, n));
        v = json_is_string(form) ? form : json_object_get(v, "other");
    }
    const char *s = json_string_value(v);
    if (s == NULL)
        s = key;
    char num[24];
    snprintf(num, sizeof num, "%lld", n);
    const char *out = "";
    while (*s) {
        const char *open = strchr(s, '{');
        const char *close = open ? strchr(open, '}') : NULL;
        if (open == NULL || close == NULL) { /* the rest is text */
            out = arena_printf(a, "%s%s", out, html ? html_escape(a, s) : s);
            break;
        }
        const char *lit = arena_strndup(a, s, (size_t)(open - s));
        out = arena_printf(a, "%s%s", out, html ? html_escape(a, lit) : lit);
        size_t len = (size_t)(close - open - 1);
        const char *value = len == 1 && open[1] == 'n' ? num : NULL;
        for (size_t i = 0; value == NULL && i < nvars; i++)
            if (strlen(vars[2 * i]) == len && memcmp(vars[2 * i], open + 1, len) == 0)
                value = vars[2 * i + 1];
        if (value == NULL) { /* not a placeholder: the brace as it is */
            out = arena_printf(a, "%s%s", out, html ? html_escape(a, "{") : "{");
            s = open + 1;
            continue;
        }
        out = arena_printf(a, "%s%s", out, value);
        s = close + 1;
    }
    return (char *)out;
}

const char *
i18n_user_lang(const store_user *u, req *r)
{
    if (u != NULL && i18n_lang_ok(u->language))
        return u->language;
    if (r == NULL)
        return i18n_langs[0];
    int i = acceptlang_pick(req_header(r, "Accept-Language"), i18n_langs, i18n_n_langs);
    return i18n_langs[i < 0 ? 0 : i];
}

/* A growing output buffer. */
typedef struct {
    char *p;
    size_t n, cap;
} buf;

static void
put(buf *b, const char *s, size_t n)
{
    if (n == 0)
        return;
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2;
        b->p = xrealloc(b->p, b->cap);
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
}

void
i18n_send_html(req *r, const char *tpl, size_t n, const char *const *vars, size_t nvars,
               const char *public_cache)
{
    i18n_send_page(r, 200, tpl, n, vars, nvars, public_cache);
}

void
i18n_send_page(req *r, int status, const char *tpl, size_t n, const char *const *vars, size_t nvars,
               const char *public_cache)
{
    const char *lang = i18n_choose(r), *dir = i18n_dir(lang);
    buf b = {0};
    const char *p = tpl, *end = tpl + n;
    while (p < end) {
        const char *open = memchr(p, '{', (size_t)(end - p));
        if (open == NULL || end - open < 4 || open[1] != '{') {
            size_t k = open ? (size_t)(open - p) + 1 : (size_t)(end - p);
            put(&b, p, k);
            p += k;
            continue;
        }
        put(&b, p, (size_t)(open - p));
        const char *name = open + 2, *close = NULL;
        for (const char *q = name; q + 1 < end && q - name <= 64; q++)
            if (q[0] == '}' && q[1] == '}') {
                close = q;
                break;
            }
        if (close == NULL) {
            put(&b, open, 2);
            p = open + 2;
            continue;
        }
        size_t len = (size_t)(close - name);
        const char *value = NULL;
        char key[80];
        if (len == 4 && memcmp(name, "lang", 4) == 0) {
            value = lang;
        } else if (len == 3 && memcmp(name, "dir", 3) == 0) {
            value = dir;
        } else if (len > 2 && memcmp(name, "t:", 2) == 0 && len - 2 < sizeof key) {
            memcpy(key, name + 2, len - 2);
            key[len - 2] = '\0';
            value = html_escape(r->a, i18n_text(lang, key));
        } else {
            for (size_t i = 0; i < nvars; i++)
                if (strlen(vars[2 * i]) == len && memcmp(vars[2 * i], name, len) == 0)
                    value = vars[2 * i + 1];
        }
        if (value == NULL) { /* not a placeholder: the bytes as they are */
            put(&b, open, 2);
            p = open + 2;
            continue;
        }
        put(&b, value, strlen(value));
        p = close + 2;
    }
    req_add_header(r, "Content-Language", lang);
    req_add_header(r, "Vary", "Accept-Language, Cookie, Accept-Encoding");
    req_add_header(r, "Content-Security-Policy", PAGE_CSP);
    const char *cache_control = r->has_session_cookie ? "private, no-cache" : public_cache;
    /* Made per request, so compressed per request when it is worth it. */
    size_t zn = 0;
    unsigned char *z =
        b.n >= 1024 && (static_accept_encoding(req_header(r, "Accept-Encoding")) & CODING_GZIP)
            ? static_gzip((const unsigned char *)b.p, b.n, &zn)
            : NULL;
    if (z != NULL && zn < b.n) {
        req_add_header(r, "Content-Encoding", "gzip");
        req_send_bytes(r, status, "text/html; charset=utf-8", z, zn, cache_control);
    } else {
        req_send_bytes(r, status, "text/html; charset=utf-8", b.p ? b.p : "", b.n, cache_control);
    }
    free(z);
    free(b.p);
}
