/* import/jsonin.h: reading the JSON exports of other systems a record at a
 * time.
 *
 * Two shapes occur: JSON lines (Remark42's backup, mongoexport's output for
 * Coral), one object per line, read with jsonin_next; and one large object
 * whose members are arrays of records (Commento's export), read with
 * jsonin_object_stream, which hands over one array element at a time. Only
 * one record is ever parsed (by jansson) at once, and no record may exceed
 * JSONIN_MAX_RECORD bytes, so memory does not grow with the file. Errors
 * name the line ("line 12: ...").
 */
#ifndef PARLEY_IMPORT_JSONIN_H
#define PARLEY_IMPORT_JSONIN_H
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "util/error.h"

#define JSONIN_MAX_RECORD (16u << 20) /* bytes of one line or array element */

typedef struct jsonin {
    FILE *in;
    char *buf;
    size_t cap;
    size_t line; /* of the record last returned (1-based) */
    size_t next_line;
} jsonin;

void jsonin_init(jsonin *j, FILE *in);
void jsonin_fini(jsonin *j);

/* The next non-blank line as a JSON object (*out, to json_decref). 1, 0 at
 * the end of the file, or PL_EINVAL (not JSON, not an object, too long) or
 * PL_EIO (read error) with err naming the line. */
int jsonin_next(jsonin *j, json_t **out, pl_error *err);

/* Called for each member of the top-level object: for an array, once per
 * element with its index; for any other value, once with index -1. The
 * value is borrowed. Nonzero stops the stream with that result. */
typedef int (*jsonin_member_fn)(void *arg, const char *key, long index, json_t *value, size_t line,
                                pl_error *err);

/* Reads one JSON object from j's file member by member (see above). 0, or
 * the callback's result, or PL_EINVAL/PL_EIO with err naming the line. */
int jsonin_object_stream(jsonin *j, jsonin_member_fn fn, void *arg, pl_error *err);

/* Field helpers for records: the member's string, or "" when it is absent
 * or not a string. */
const char *jsonin_str(const json_t *obj, const char *key);
/* A time: an RFC 3339 string, or MongoDB extended JSON ({"$date": string},
 * {"$date": {"$numberLong": "ms"}}, {"$date": ms}). Unix ms, or 0 when
 * absent, null, false or unreadable (*bad set for unreadable; bad may be
 * NULL). */
int64_t jsonin_time(const json_t *v, bool *bad);

#endif
