/* util/assets.h: files from web/ compiled into the binary by tools/bin2c.
 *
 * `assets` ends with an entry whose path is NULL. Paths start with "/"
 * ("/embed.js"). The bytes are NUL-terminated beyond size for convenience.
 */
#ifndef PARLEY_UTIL_ASSETS_H
#define PARLEY_UTIL_ASSETS_H
#include <stddef.h>

typedef struct asset {
    const char *path;
    const char *content_type;
    const unsigned char *data;
    long size;
} asset;

/* web/ files: widget, pages, desk, demo ("/embed.js"). */
extern const asset assets[];
/* data/ files: lexicons and model weights ("/lexicon/slurs.tsv"). */
extern const asset data_files[];
/* The English word list (moderation/dict.h), made from Debian's wamerican
 * and wbritish at build time: one entry, "/dict/en.txt". */
extern const asset dict_files[];

/* Finds a path in a table (assets or data_files), or NULL. */
const asset *asset_find(const asset *table, const char *path);

#endif
