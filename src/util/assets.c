/* util/assets.c: lookup in the compiled-in asset table. */
#include "util/assets.h"

#include <string.h>

const asset *
asset_find(const asset *table, const char *path)
{
    for (const asset *a = table; a->path != NULL; a++)
        if (strcmp(a->path, path) == 0)
            return a;
    return NULL;
}
