/* import/xml_dl.c: see xml_dl.h. */
#include "import/xml_dl.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Written once under pthread_once, then only read. */
static xml_api table;
static bool loaded;
static char load_error[200];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void
load(void)
{
    void *h = dlopen("libxml2.so.2", RTLD_NOW | RTLD_LOCAL);
    if (h == NULL) {
        snprintf(load_error, sizeof load_error, "%s", dlerror());
        return;
    }
    /* ISO C has no conversion from object to function pointers; POSIX
     * guarantees dlsym's result is one, so copy its bytes. */
#define XML_LOAD(f)                                                                                \
    {                                                                                              \
        void *sym = dlsym(h, #f);                                                                  \
        if (sym == NULL) {                                                                         \
            snprintf(load_error, sizeof load_error, "libxml2 has no %s (too old?)", #f);           \
            return;                                                                                \
        }                                                                                          \
        memcpy(&table.f, &sym, sizeof sym);                                                        \
    }
    XML_FUNCTIONS(XML_LOAD)
#undef XML_LOAD
    /* The library's own deallocator (free unless a program changed it). */
    table.free_fn = dlsym(h, "xmlFree");
    if (table.free_fn == NULL) {
        snprintf(load_error, sizeof load_error, "libxml2 has no xmlFree");
        return;
    }
    loaded = true;
}

int
xml_load(pl_error *err)
{
    pthread_once(&once, load);
    if (loaded)
        return 0;
    if (err == NULL)
        return PL_EINVAL;
    return pl_errorf(err, PL_EINVAL, "importing needs libxml2 (Debian package libxml2): %s",
                     load_error);
}

const xml_api *
xml_table(void)
{
    return &table;
}
