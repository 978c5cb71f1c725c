/* import/idmap.h: a string-keyed hash map to indexes, for the importer.
 *
 * The export's dsq:ids and the authors' keys map to array indexes or user
 * ids while an export is read and written. Keys are kept by reference (the
 * caller keeps them alive, usually in an arena); values are int64. Open
 * addressing, grown at half full, so lookups stay O(1) whatever the file.
 * Not thread-safe; one map per import.
 */
#ifndef PARLEY_IMPORT_IDMAP_H
#define PARLEY_IMPORT_IDMAP_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct idmap {
    const char **keys;
    int64_t *vals;
    size_t cap, n;
} idmap;

/* A zeroed idmap is empty and ready. Adds key -> val unless key is present;
 * returns false (and changes nothing) when it is. */
bool idmap_add(idmap *m, const char *key, int64_t val);
/* Sets *val and returns true when key is present. */
bool idmap_get(const idmap *m, const char *key, int64_t *val);
void idmap_fini(idmap *m);

#endif
