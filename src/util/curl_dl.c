/* util/curl_dl.c: see curl_dl.h. */
#include "util/curl_dl.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Written once under pthread_once, then only read. */
static curldl_api table;
static bool loaded;
static char load_error[200];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void
load(void)
{
    void *h = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (h == NULL) {
        snprintf(load_error, sizeof load_error, "%s", dlerror());
        return;
    }
    /* ISO C has no conversion from object to function pointers; POSIX
     * guarantees dlsym's result is one, so copy its bytes. */
#define CURLDL_LOAD(f)                                                                             \
    {                                                                                              \
        void *sym = dlsym(h, #f);                                                                  \
        if (sym == NULL) {                                                                         \
            snprintf(load_error, sizeof load_error, "libcurl has no %s (too old?)", #f);           \
            return;                                                                                \
        }                                                                                          \
        memcpy(&table.f, &sym, sizeof sym);                                                        \
    }
    CURL_FUNCTIONS(CURLDL_LOAD)
#undef CURLDL_LOAD
    if (table.curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        snprintf(load_error, sizeof load_error, "curl_global_init failed");
        return;
    }
    loaded = true;
}

int
curldl_load(const char *what, pl_error *err)
{
    pthread_once(&once, load);
    if (loaded)
        return 0;
    if (err == NULL)
        return PL_EINVAL;
    return pl_errorf(err, PL_EINVAL, "%s needs libcurl (Debian package libcurl4): %s", what,
                     load_error);
}

const curldl_api *
curldl_table(void)
{
    return &table;
}
