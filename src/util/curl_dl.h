/* util/curl_dl.h: libcurl, opened only when something sends HTTP.
 *
 * The webhook sender is the only part of the server that makes outgoing
 * requests, and libcurl brings TLS, Kerberos and LDAP libraries with it:
 * linked, they would sit in every server's memory even with webhooks off
 * (the same reason store/pq_dl.h and import/xml_dl.h exist). So libcurl is
 * called through this table, filled by dlopen("libcurl.so.4") the first time
 * curldl_load() runs; after that the table never changes, so any thread may
 * read it. Types and constants come from libcurl's headers (libcurl4-openssl-dev
 * at build time, libcurl4 at run time).
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

/* Opens libcurl once and initialises it (curl_global_init is not thread
 * safe, so it runs here, under pthread_once). 0, or PL_EINVAL with a
 * message saying what to install. err may be NULL. */
int curldl_load(pl_error *err);

/* The table; valid once curldl_load returned 0. */
const curldl_api *curldl_table(void);

#endif
