/* app/i18n.h: the language of what the server itself shows: the
 * guidelines, terms and FAQ pages, the account pages (/reset, /verify,
 * /unsubscribe) and the moderator desk.
 *
 * Their strings are in web/i18n/site/LANG.json, one catalogue per language
 * (the widget's are web/i18n/LANG.json and stay small; docs/I18N.md). The
 * language is the user's own setting (GET/PATCH /api/v1/me) when the
 * request carries a live session, else the best of Accept-Language
 * (util/acceptlang.h), else English. The catalogues are compiled in and
 * parsed once, on first use; they are read-only afterwards. */
#ifndef PARLEY_APP_I18N_H
#define PARLEY_APP_I18N_H

#include "server/server.h"

#include <stdbool.h>
#include <stddef.h>

/* The Content-Security-Policy of the server's own HTML documents. */
#define PAGE_CSP                                                                                   \
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "                 \
    "frame-ancestors 'self'"

/* The catalogue codes, English first (tools/i18ncheck.mjs checks the list
 * against web/i18n/site/). */
extern const char *const i18n_langs[];
extern const size_t i18n_n_langs;

/* True when code names one of i18n_langs exactly. */
bool i18n_lang_ok(const char *code);
/* "rtl" for Arabic, Persian and Hebrew, else "ltr". */
const char *i18n_dir(const char *lang);
/* The language for this request (a member of i18n_langs); loads the
 * session when the request has not. */
const char *i18n_choose(req *r);
/* The text of key in lang's catalogue, else in English's, else the key. */
const char *i18n_text(const char *lang, const char *key);

/* The CLDR plural category ("zero", "one", "two", "few", "many" or
 * "other") of the whole number n >= 0 in lang, as Intl.PluralRules(lang)
 * picks it (tests/unit/app/test_i18n.c compares them). */
const char *i18n_plural(const char *lang, long long n);

/* The sentence of key in lang (else English) with each {NAME} of the pairs
 * (NAME, VALUE) of vars[0..2*nvars) replaced by its VALUE; an entry with
 * plural forms picks its form by n, and {n} is n. With html, the sentence's
 * own text is HTML-escaped and the values go in as given (the caller made
 * them safe); without, nothing is escaped. A placeholder without a value
 * stays as written. Allocated from a. */
char *i18n_format(arena *a, const char *lang, const char *key, long long n, const char *const *vars,
                  size_t nvars, bool html);

/* The language of a mail to u: u's own setting; else, when r is the
 * recipient's own request (registering, asking for a reset), the best of
 * its Accept-Language; else English. r may be NULL. */
const char *i18n_user_lang(const store_user *u, req *r);

/* Sends the HTML template tpl[0..n) in the request's language with status
 * 200: {{lang}} and {{dir}} become the language and its direction,
 * {{t:KEY}} the catalogue's text for KEY (escaped), and {{NAME}} for each
 * pair (NAME, VALUE) of vars[0..2*nvars) the VALUE as given (the caller has
 * made it safe). The answer carries Content-Language and Vary:
 * Accept-Language, Cookie; it is cached as public_cache says, or
 * "private, no-cache" when the request has a session cookie (the user's
 * setting may have chosen the language). */
void i18n_send_html(req *r, const char *tpl, size_t n, const char *const *vars, size_t nvars,
                    const char *public_cache);
/* The same with another status (error pages). */
void i18n_send_page(req *r, int status, const char *tpl, size_t n, const char *const *vars,
                    size_t nvars, const char *public_cache);

#endif
