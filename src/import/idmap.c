/* import/idmap.c: see idmap.h. text_hash with linear probing; the
 * table size is a power of two so the probe wraps with a mask. */
#include "import/idmap.h"
#include "util/text.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

static void
grow(idmap *m)
{
    idmap g = {0};
    g.cap = m->cap ? m->cap * 2 : 64;
    g.keys = xcalloc(g.cap, sizeof *g.keys);
    g.vals = xcalloc(g.cap, sizeof *g.vals);
    for (size_t i = 0; i < m->cap; i++) {
        if (m->keys[i] == NULL)
            continue;
        size_t j = text_hash(m->keys[i], strlen(m->keys[i])) & (g.cap - 1);
        while (g.keys[j] != NULL)
            j = (j + 1) & (g.cap - 1);
        g.keys[j] = m->keys[i];
        g.vals[j] = m->vals[i];
    }
    g.n = m->n;
    free(m->keys);
    free(m->vals);
    *m = g;
}

bool
idmap_add(idmap *m, const char *key, int64_t val)
{
    if ((m->n + 1) * 2 > m->cap)
        grow(m);
    size_t j = text_hash(key, strlen(key)) & (m->cap - 1);
    while (m->keys[j] != NULL) {
        if (strcmp(m->keys[j], key) == 0)
            return false;
        j = (j + 1) & (m->cap - 1);
    }
    m->keys[j] = key;
    /* NOLINTNEXTLINE(clang-analyzer-unix.Malloc): grow() replaced the arrays before the probe */
    m->vals[j] = val;
    m->n++;
    return true;
}

bool
idmap_get(const idmap *m, const char *key, int64_t *val)
{
    if (m->cap == 0)
        return false;
    size_t j = text_hash(key, strlen(key)) & (m->cap - 1);
    while (m->keys[j] != NULL) {
        if (strcmp(m->keys[j], key) == 0) {
            *val = m->vals[j];
            return true;
        }
        j = (j + 1) & (m->cap - 1);
    }
    return false;
}

void
idmap_fini(idmap *m)
{
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof *m);
}
