/* util/curl_dl.h: libcurl, opened only when something sends over the network.
 *
 * Three parts of the server make outgoing connections: the mail sender
 * (SMTP, when smtp_url is set), the webhook sender and OpenID Connect login
 * (discovery, keys and code exchange with the provider). Debian's libcurl
 * brings OpenSSL, Kerberos and LDAP libraries with it: linked, they would sit
 * in every server's memory with none of these configured (the same reason
 * store/pq_dl.h and import/xml_dl.h exist). So all three call libcurl through
 * this one table, filled by dlopen("libcurl.so.4") the first time
 * curldl_load() runs. curl_global_init is not thread-safe and must run once
 * per process: it runs there, under pthread_once, and is never undone (a
 * sender stopping must not pull libcurl from under another). After that the
 * table never changes, so any thread may read it. Types and constants come
 * from libcurl's headers (libcurl4-openssl-dev at build time, libcurl4 at
 * run time).
 *
 * A file that defines PARLEY_CURL_THROUGH_TABLE before including this header
 * may write curl_easy_setopt(...) and so on as usual: the names below are
 * redirected to the table.
 */
#ifndef PARLEY_UTIL_CURL_DL_H
#define PARLEY_UTIL_CURL_DL_H

/* curl.h otherwise turns curl_easy_setopt into a macro, which the table
 * cannot name. */
#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>

#include "util/error.h"

#define CURL_FUNCTIONS(X)                                                                          \
    X(curl_global_init)                                                                            \
    X(curl_easy_init)                                                                              \
    X(curl_easy_setopt)                                                                            \
    X(curl_easy_perform)                                                                           \
    X(curl_easy_getinfo)                                                                           \
    X(curl_easy_cleanup)                                                                           \
    X(curl_easy_strerror)                                                                          \
    X(curl_slist_append)                                                                           \
    X(curl_slist_free_all)

typedef struct curldl_api {
#define CURLDL_MEMBER(f) __typeof__(f) *f;
    CURL_FUNCTIONS(CURLDL_MEMBER)
#undef CURLDL_MEMBER
} curldl_api;

/* Opens libcurl once and initialises it. 0, or PL_EINVAL with a message
 * saying what to install (what names the feature that needs it, for
 * example "sending mail"). err may be NULL. */
int curldl_load(const char *what, pl_error *err);

/* The table; valid once curldl_load returned 0. */
const curldl_api *curldl_table(void);

#ifdef PARLEY_CURL_THROUGH_TABLE
#define CURLDL_CALL(f) (curldl_table()->f)
#undef curl_easy_setopt /* curl.h's argument-count check */
#undef curl_easy_getinfo
#define curl_easy_init CURLDL_CALL(curl_easy_init)
#define curl_easy_setopt CURLDL_CALL(curl_easy_setopt)
#define curl_easy_perform CURLDL_CALL(curl_easy_perform)
#define curl_easy_getinfo CURLDL_CALL(curl_easy_getinfo)
#define curl_easy_cleanup CURLDL_CALL(curl_easy_cleanup)
#define curl_easy_strerror CURLDL_CALL(curl_easy_strerror)
#define curl_slist_append CURLDL_CALL(curl_slist_append)
#define curl_slist_free_all CURLDL_CALL(curl_slist_free_all)
#endif

#endif
