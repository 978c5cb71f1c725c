/* mail/curl_dl.c: see curl_dl.h. */
#include "mail/curl_dl.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Written once under pthread_once, then only read. */
static curl_api table;
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
#define CURL_LOAD(f)                                                                               \
    {                                                                                              \
        void *sym = dlsym(h, #f);                                                                  \
        if (sym == NULL) {                                                                         \
            snprintf(load_error, sizeof load_error, "libcurl has no %s (too old?)", #f);           \
            return;                                                                                \
        }                                                                                          \
        memcpy(&table.f, &sym, sizeof sym);                                                        \
    }
    CURL_FUNCTIONS(CURL_LOAD)
#undef CURL_LOAD
    loaded = true;
}

int
curl_load(pl_error *err)
{
    pthread_once(&once, load);
    if (loaded)
        return 0;
    return pl_errorf(err, PL_EINVAL, "sending mail needs libcurl (Debian package libcurl4): %s",
                     load_error);
}

const curl_api *
curl_table(void)
{
    return &table;
}
