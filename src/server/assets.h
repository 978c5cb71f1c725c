/* server/assets.h: files from web/ compiled into the binary by tools/bin2c.
 *
 * `assets` ends with an entry whose path is NULL. Paths start with "/"
 * ("/embed.js"). The bytes are NUL-terminated beyond size for convenience.
 */
#ifndef PARLEY_SERVER_ASSETS_H
#define PARLEY_SERVER_ASSETS_H
#include <stddef.h>

typedef struct asset {
    const char *path;
    const char *content_type;
    const unsigned char *data;
    long size;
} asset;

extern const asset assets[];

/* Finds an asset by path, or NULL. */
const asset *asset_find(const char *path);

#endif
