/* api/cursor.h: the opaque paging cursor of comment lists.
 *
 * A cursor is base64url of "<sort>.<key>.<id>" (sort o, n or t; key the last
 * item's created_at or likes). Clients must treat it as opaque; the server
 * checks it strictly, since it comes back from outside.
 */
#ifndef PARLEY_API_CURSOR_H
#define PARLEY_API_CURSOR_H

#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"
#include "util/arena.h"

/* Encodes the position after the given item; the result lives in a. */
char *cursor_encode(arena *a, store_sort sort, int64_t created_at, int64_t likes, int64_t id);
/* Decodes s for the given sort; false when malformed or made for another sort. */
bool cursor_decode(const char *s, store_sort sort, store_cursor *out);

#endif
