/* moderation/langid.h: which language a comment is written in.
 *
 * A naive Bayes guess over character trigrams: data/langid/profiles.tsv
 * (built by tools/langprofile.mjs from the gettext translations of Debian
 * packages) gives, per language, the cost (-100 ln p) of its most frequent
 * trigrams and a floor for the rest. The text is folded (lower case,
 * Arabic-script vowel marks and tatweel dropped, every non-letter a word
 * break, words padded with a space on either side), its script decides the
 * candidates (Latin: en es fr de pt it nl pl tr; Arabic: ar fa; Hebrew: he),
 * and the cheapest candidate wins. A guess is reliable when the text has
 * enough trigrams and the winner's lead over the runner-up is wide enough;
 * a text mostly in another script (Cyrillic, Greek, Devanagari, Han...) is
 * reported as such, since none of Parley's lists can read it.
 *
 * Linear in the text (at most LANGID_MAX_TRIGRAMS are scored); the profiles
 * are loaded once and read-only afterwards.
 */
#ifndef PARLEY_MODERATION_LANGID_H
#define PARLEY_MODERATION_LANGID_H
#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

#define LANGID_MAX_LANGS 16
#define LANGID_MAX_TRIGRAMS 400
/* A guess among several languages is reliable from this many trigrams and
 * this lead (nats per trigram) on. */
#define LANGID_MIN_TRIGRAMS 8
#define LANGID_MIN_MARGIN 0.2

typedef struct langid langid;

typedef struct langid_result {
    char lang[4];      /* "en", "fa", ...; "" when no language was guessed */
    bool reliable;     /* enough text and a clear winner */
    bool other_script; /* mostly letters of a script no profile covers */
    int trigrams;      /* trigrams scored */
    double margin;     /* the winner's lead, nats per trigram (0 with one candidate) */
} langid_result;

/* Builds the detector from profiles text (the TSV of data/langid/).
 * PL_EINVAL naming the line on a malformed one. */
int langid_new(const char *text, size_t len, langid **out, pl_error *err);

/* The detector from the profiles compiled into the binary. */
int langid_load(langid **out, pl_error *err);

void langid_free(langid *li); /* li may be NULL */

/* Guesses the language of n bytes of UTF-8 (invalid bytes are word breaks). */
void langid_detect(const langid *li, const char *text, size_t n, langid_result *out);

#endif
