/* util/text.h: bounded parsers and small text helpers for outside input.
 *
 * Everything that reads a number, a time or an id from a request goes
 * through here: no atoi, no unbounded copies.
 */
#ifndef PARLEY_UTIL_TEXT_H
#define PARLEY_UTIL_TEXT_H
#include "util/arena.h"

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

/* The value of a hexadecimal digit (0-9, a-f, A-F), or -1. */
int hex_digit(int c);

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
/* A stored article key (docs/SITES.md): an article id, or a site id of 1 to
 * 19 digits, '/' and an article id. */
bool article_key_valid(const char *s);

/* Base64url without padding. enc writes 4*ceil(n/3) bytes at most plus NUL;
 * dec returns the decoded length or -1 on bad input (out holds n bytes). */
size_t b64url_encode(const unsigned char *in, size_t n, char *out);
long b64url_decode(const char *in, unsigned char *out, size_t out_size);

/* Copies url to out (n bytes, always NUL-terminated), with every credential
 * replaced by "***": the password of a scheme://user:password@host URL and
 * the value of any query parameter whose name contains "password" (libpq's
 * ?password= and sslpassword=). Anything that is not such a URL is copied
 * as it is. For every URL that is logged or printed. */
void text_redact_url(const char *url, char *out, size_t n);

/* Replaces each occurrence of secret (when it is at least 1 byte long) in
 * the NUL-terminated s by "***", in place, as far as s has room: for outside
 * error messages that may echo a connection string. */
void text_redact_secret(char *s, size_t cap, const char *secret);

/* The password in url (scheme://user:password@host...), as written or
 * percent-decoded, into out; "" when there is none. */
void text_url_password(const char *url, bool decode, char *out, size_t n);

/* True when email has the shape Parley accepts for an account's address: at
 * most 254 bytes, one '@' after a non-empty local part, a domain holding a
 * dot that neither starts nor ends it, and no blank, control character or
 * any of <>,;" (which would break a mail header). Registration, `admin
 * create-user`, sign-on tokens, OpenID Connect and the importers all ask
 * this one question; none of them checks deliverability. */
bool email_shape_valid(const char *email);

/* True when the e-mail address's domain is, or is under, a top-level domain
 * reserved by RFC 2606 and RFC 6761: .invalid, .test, .example, .localhost.
 * Parley uses .invalid for accounts that no person registered (imported
 * authors, the moderation engine, deleted accounts), so nobody may take such
 * an address. */
bool email_domain_reserved(const char *email);

/* Characters that show nothing or reorder what follows, so a name holding
 * them can pass for another: bidirectional controls, zero-width and other
 * format characters (Unicode category Cf), control characters, line and
 * paragraph separators, private-use, unassigned and surrogate code points,
 * and the blank Hangul and Braille fillers. s must be valid UTF-8.
 * Returns true when the n bytes at s hold one. */
bool text_has_invisible(const char *s, size_t n);

/* Removes those characters from the NUL-terminated UTF-8 string s in place. */
void text_strip_invisible(char *s);

/* Escapes text for HTML element content and quoted attribute values (&, <,
 * >, ", ' become entities); the copy comes from a. */
char *html_escape(arena *a, const char *s);

/* text_excerpt's options (or 0: count bytes, keep the text as it is). */
#define TEXT_EXCERPT_CHARS 1u /* max counts characters (UTF-8 sequences), not bytes */
#define TEXT_EXCERPT_FOLD                                                                          \
    2u /* one line: each run of spaces, tabs and line breaks is one space, none at the ends */

/* The beginning of the NUL-terminated UTF-8 text s, cut at a character
 * boundary, with more ("...") after it when something was cut. Counting
 * bytes, whole characters are kept while they fit in max bytes; counting
 * characters, max characters are kept (folding, the space before a word
 * counts as one and may take the last one a character over). Without
 * TEXT_EXCERPT_FOLD, s itself is returned when nothing is cut; otherwise
 * the result comes from a. */
const char *text_excerpt(arena *a, const char *s, size_t max, unsigned opts, const char *more);

#endif
