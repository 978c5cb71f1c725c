/* util/json_out.h: jansson values written as compact JSON, byte for byte
 * what json_dumps(v, JSON_COMPACT) writes, without its per-call costs.
 *
 * json_dumps checks every object and array against its parents for
 * reference cycles (a pointer printed with snprintf and a hash table entry
 * per container, the table set up and freed per call) and goes through a
 * callback per fragment; for the small answers of the API that was most of
 * the cost of writing them (callgrind: bench/RESULTS.md, 2026-12-05, "The
 * 64-reader POST's loops"). Values built by the program have no cycles, so
 * this writer walks them directly into one growing buffer.
 */
#ifndef PARLEY_UTIL_JSON_OUT_H
#define PARLEY_UTIL_JSON_OUT_H
#include <jansson.h>
#include <stddef.h>

/* v written as json_dumps(v, JSON_COMPACT) writes it (keys in insertion
 * order, reals as "%.17g" with ".0" added to whole numbers and the
 * exponent's '+' and leading zeros dropped, only '"', '\\' and control
 * characters escaped), NUL-terminated, from malloc (free() it); *len (when
 * not NULL) gets its length. v must be an object or an array, as for
 * json_dumps; NULL otherwise (as json_dumps). */
char *json_out_compact(const json_t *v, size_t *len);

#endif
