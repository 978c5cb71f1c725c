/* moderation/normalize.h: folds a comment into the plain form the lexicon
 * matches, and remembers where every folded byte came from.
 *
 * The folded text is lower-case ASCII letters, digits, '*' (a masked letter,
 * as in "f*ck") and the UTF-8 of letters with no Latin look-alike (Chinese,
 * Arabic...), in tokens separated by exactly one space. Folding applies, in
 * order: NFKC compatibility (fullwidth, mathematical and enclosed letters),
 * case folding, removal of default-ignorable characters (zero-width spaces
 * and joiners, soft hyphens, bidi controls, variation selectors) and of
 * combining marks, confusables (Cyrillic, Greek, small capitals...) to Latin,
 * emoji that stand for letters (regional indicators, squared letters) or for
 * words (a middle finger, a clown, laughing faces become "lol"), leetspeak
 * inside words ("sh1t", "@ss", "a$$"), single letters spaced or dotted out
 * ("f.u.c.k", "f u c k") joined into one word, camel-case hashtags split
 * ("#YouAreAnIdiot"), and runs of a repeated letter collapsed to one letter
 * with its run length kept ("fuuuuck" is "fuck" with run[1] == 4), so the
 * matcher can tell "stretched" (3 or more) from a natural double letter.
 *
 * Invariants: out->s[len] == '\0'; for every i < len, ostart[i] <= oend[i]
 * <= n are byte offsets into the original text on UTF-8 character
 * boundaries, non-decreasing in i, and only a space may have an empty span,
 * so any folded range [i, j) that starts and ends on a non-space maps back
 * to the original slice [ostart[i], oend[j-1]). Runs in linear time and memory
 * in n whatever the input (100 KB of combining marks, one 100 KB word).
 * Sits in the flow api -> moderation (normalize -> lexicon -> rules).
 */
#ifndef PARLEY_MODERATION_NORMALIZE_H
#define PARLEY_MODERATION_NORMALIZE_H
#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"

/* flags[i] bits, set on the first byte of a token. */
enum {
    NORM_CAPITAL = 1, /* the token began with an upper-case letter */
    NORM_HASHTAG = 2, /* the token followed a '#' (a hashtag) */
    NORM_JOINED = 4,  /* the token was spelled out in separate letters */
};

typedef struct norm_text {
    char *s;          /* folded text, NUL-terminated */
    size_t len;       /* bytes in s */
    uint8_t *run;     /* run length of each byte (1..255) */
    uint8_t *flags;   /* NORM_* per byte */
    uint32_t *ostart; /* original byte where byte i's source begins */
    uint32_t *oend;   /* original byte where it ends (exclusive) */
    const char *src;  /* the original text, borrowed from the caller */
    size_t src_len;
} norm_text;

/* Folds n bytes of valid UTF-8 (texts over 4 GB are cut). Everything in
 * *out is allocated from a and lives as long as the arena, but for src,
 * which points at the caller's text (the lexicon reads it back to check
 * a fully masked word, "go **** yourself"). */
void norm_fold(arena *a, const char *src, size_t n, norm_text *out);

/* Copies the folded text with each letter repeated min(run, 2) times,
 * for tests and debugging ("fuuuck" -> "fuuck", "asss" -> "ass"). */
char *norm_expand(arena *a, const norm_text *t);

#endif
