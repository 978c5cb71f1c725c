/* util/text.h: bounded parsers and small text helpers for outside input.
 *
 * Everything that reads a number, a time or an id from a request goes
 * through here: no atoi, no unbounded copies.
 */
#ifndef PARLEY_UTIL_TEXT_H
#define PARLEY_UTIL_TEXT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Parses a whole decimal integer in [min, max] ("42"; no sign unless
 * min < 0, no spaces, no trailing bytes). Returns 0 and sets *out, or PL_EINVAL. */
int parse_int(const char *s, int64_t min, int64_t max, int64_t *out);

/* True when the n bytes at s are well-formed UTF-8 (no overlongs, no
 * surrogates, nothing above U+10FFFF). NUL bytes are valid UTF-8 here;
 * callers that forbid them check separately. */
bool utf8_valid(const char *s, size_t n);

/* Number of code points in well-formed UTF-8. */
size_t utf8_length(const char *s, size_t n);

/* Formats a Unix time in milliseconds as RFC 3339 UTC with seconds
 * ("2026-11-27T10:15:00Z") into out, rounding down to the second. Times
 * outside years 0000-9999 are clamped to that range. */
void time_format_rfc3339(int64_t unix_ms, char out[32]);

/* Parses RFC 3339 ("2026-11-27T10:15:00Z", "...T10:15:00.123+01:00").
 * Returns 0 and sets *unix_ms, or PL_EINVAL. */
int time_parse_rfc3339(const char *s, int64_t *unix_ms);

/* Current wall-clock time in milliseconds since the epoch. */
int64_t time_now_ms(void);

/* A 64-bit FNV-1a-style hash of n bytes, for in-memory tables and ETags:
 * fast and well spread, not for anything an attacker must not predict. */
uint64_t text_hash(const char *s, size_t n);

/* True when s is a valid article id: 1-128 bytes of [A-Za-z0-9._:-]. */
bool article_id_valid(const char *s);

/* Base64url without padding. enc writes 4*ceil(n/3) bytes at most plus NUL;
 * dec returns the decoded length or -1 on bad input (out holds n bytes). */
size_t b64url_encode(const unsigned char *in, size_t n, char *out);
long b64url_decode(const char *in, unsigned char *out, size_t out_size);

#endif
