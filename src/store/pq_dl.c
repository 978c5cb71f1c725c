/* store/pq_dl.c: see pq_dl.h. */
#include "store/pq_dl.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Written once under pthread_once, then only read. */
static pq_api table;
static bool loaded;
static char load_error[200];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void
load(void)
{
    void *h = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
    if (h == NULL) {
        snprintf(load_error, sizeof load_error, "%s", dlerror());
        return;
    }
    /* ISO C has no conversion from object to function pointers; POSIX
     * guarantees dlsym's result is one, so copy its bytes. */
#define PQ_LOAD(f)                                                                                 \
    {                                                                                              \
        void *sym = dlsym(h, #f);                                                                  \
        if (sym == NULL) {                                                                         \
            snprintf(load_error, sizeof load_error, "libpq has no %s (too old?)", #f);             \
            return;                                                                                \
        }                                                                                          \
        memcpy(&table.f, &sym, sizeof sym);                                                        \
    }
    PQ_FUNCTIONS(PQ_LOAD)
#undef PQ_LOAD
    loaded = true;
}

int
pq_load(pl_error *err)
{
    pthread_once(&once, load);
    if (loaded)
        return 0;
    return pl_errorf(err, PL_EINVAL,
                     "PostgreSQL needs libpq 14 or newer (Debian package libpq5): %s", load_error);
}

const pq_api *
pq_table(void)
{
    return &table;
}
