/* mail/curl_dl.h: libcurl, opened only when mail is configured.
 *
 * Only the mail sender speaks SMTP, and Debian's libcurl brings OpenSSL,
 * Kerberos, LDAP and more with it: linked into the binary, they would be
 * mapped into every `parley serve`, mail or not. The sender therefore calls
 * libcurl through this table, filled by dlopen("libcurl.so.4") the first
 * time curl_load() runs (at start, when smtp_url is set); after that the
 * table never changes, so any thread may read it. Types and constants come
 * from libcurl's headers (libcurl4-openssl-dev at build time, libcurl4 at
 * run time), as import/xml_dl.h does for libxml2.
 */
#ifndef PARLEY_MAIL_CURL_DL_H
#define PARLEY_MAIL_CURL_DL_H

/* curl.h's type-checking macros would hide the functions named below. */
#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>

#include "util/error.h"

#define CURL_FUNCTIONS(X)                                                                          \
    X(curl_global_init)                                                                            \
    X(curl_global_cleanup)                                                                         \
    X(curl_easy_init)                                                                              \
    X(curl_easy_setopt)                                                                            \
    X(curl_easy_perform)                                                                           \
    X(curl_easy_getinfo)                                                                           \
    X(curl_easy_cleanup)                                                                           \
    X(curl_easy_strerror)                                                                          \
    X(curl_slist_append)                                                                           \
    X(curl_slist_free_all)

typedef struct curl_api {
#define CURL_MEMBER(f) __typeof__(f) *f;
    CURL_FUNCTIONS(CURL_MEMBER)
#undef CURL_MEMBER
} curl_api;

/* Opens libcurl once. 0, or PL_EINVAL with a message saying what to
 * install. */
int curl_load(pl_error *err);

/* The table; valid once curl_load returned 0. */
const curl_api *curl_table(void);

#ifdef PARLEY_CURL_THROUGH_TABLE
#define CURL_REDIRECT(f) (curl_table()->f)
#define curl_global_init CURL_REDIRECT(curl_global_init)
#define curl_global_cleanup CURL_REDIRECT(curl_global_cleanup)
#define curl_easy_init CURL_REDIRECT(curl_easy_init)
#undef curl_easy_setopt /* curl.h's argument-count check */
#undef curl_easy_getinfo
#undef curl_share_setopt
#undef curl_multi_setopt
#define curl_easy_setopt CURL_REDIRECT(curl_easy_setopt)
#define curl_easy_perform CURL_REDIRECT(curl_easy_perform)
#define curl_easy_getinfo CURL_REDIRECT(curl_easy_getinfo)
#define curl_easy_cleanup CURL_REDIRECT(curl_easy_cleanup)
#define curl_easy_strerror CURL_REDIRECT(curl_easy_strerror)
#define curl_slist_append CURL_REDIRECT(curl_slist_append)
#define curl_slist_free_all CURL_REDIRECT(curl_slist_free_all)
#endif

#endif
