/* util/acceptlang.h: server-side language negotiation, the Accept-Language
 * request header (RFC 9110, 12.5.4) against the languages Parley has
 * catalogues for.
 *
 * The header is outside input: it is read once, left to right, never past
 * its NUL, and at most ACCEPTLANG_MAX_BYTES bytes and ACCEPTLANG_MAX_ITEMS
 * ranges of it count. A range that is not of the form of RFC 4647
 * (1*8ALPHA *("-" 1*8alphanum), or "*") or whose q is not of the form of
 * RFC 9110 ("0" ["." 0*3DIGIT] / "1" ["." 0*3"0"]) is skipped, not the
 * whole header. Matching is on the primary subtag, case-insensitive ("es-MX"
 * asks for "es"; "iw", Hebrew's withdrawn code, for "he"). */
#ifndef PARLEY_UTIL_ACCEPTLANG_H
#define PARLEY_UTIL_ACCEPTLANG_H

#include <stddef.h>

#define ACCEPTLANG_MAX_BYTES 4096
#define ACCEPTLANG_MAX_ITEMS 32

/* The index in supported[0..n) (lower-case primary subtags, at most 8
 * letters) of the language the header prefers: the highest q a range
 * naming it gives (a language named with q=0 only is refused; "*" gives
 * its q to every language no range names), ties going to the language
 * named first in the header, then to the earlier in supported. -1 when
 * the header is NULL, empty, or accepts none of them. */
int acceptlang_pick(const char *header, const char *const *supported, size_t n);

#endif
