/* moderation/lexicon.h: the word lists and the one automaton that finds
 * every listed word in a folded text in a single pass.
 *
 * The lists are the TSV files of data/lexicon/ (term, category, severity,
 * match, an optional flag ("homograph", "criticism" or "-") and, for the lists of other
 * languages than English, the language; see data/lexicon/README.md),
 * compiled into the binary. Each term is
 * folded like comment text (normalize.h), expanded into its forms (plurals,
 * -ing/-ed/-er; glued "youidiot" forms of insults), and all forms of all
 * lists go into one Aho-Corasick automaton over the folded alphabet, built
 * as a dense transition table so a scan costs one table lookup per byte.
 * Matches then pass the word-boundary rule of their term (whole word, or
 * anywhere for "glue" terms, and anywhere inside hashtags and spelled-out
 * words for strong terms), the stretched-letter rule (a single letter in a
 * term matches one letter or a run of three or more, a double letter needs
 * two or more), and the allow-list: a hit inside an allow-listed word or
 * phrase ("cunt" in Scunthorpe) is dropped. A slur or strong swear word
 * glued to an ordinary word ("Too manyfags") counts when the token is no
 * word of the dictionary (dict.h) and what is left of it is: "therapist"
 * and "cocktails" are words, "manyfags" is not. Masked words ("f*ck", "sh**")
 * are resolved against the strong terms of the same length.
 *
 * A lexicon is built once, then immutable and shared by all threads.
 */
#ifndef PARLEY_MODERATION_LEXICON_H
#define PARLEY_MODERATION_LEXICON_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "moderation/normalize.h"
#include "util/arena.h"
#include "util/error.h"

typedef enum {
    LEX_PROFANITY,
    LEX_VULGARITY,
    LEX_SLUR,
    LEX_INSULT,     /* a noun for a person: "idiot" */
    LEX_INSULT_ADJ, /* an adjective: "stupid" */
    LEX_ATTACK,     /* aimed by itself: "fuck you" */
    LEX_HARASSMENT, /* a threat or a wish of harm */
    LEX_VIOLENCE,   /* a verb of violence: a threat only in context */
    LEX_TRAGEDY,    /* marks an article about death or disaster */
    LEX_MOCK,       /* laughter, celebration, "deserved it" */
    LEX_GROUP,      /* an identity group: "women", "muslims"; "black" before "people" */
    LEX_ALLOW,
    LEX_NCATEGORIES
} lex_category;

typedef enum { LEX_WORD, LEX_EXACT, LEX_GLUE } lex_match_mode;

/* How a hit was found, for tests and moderators. */
enum {
    LEX_VIA_LIST = 0,       /* the term or one of its forms */
    LEX_VIA_TARGETED = 1,   /* a glued "you" form ("youidiot", "urstupid") */
    LEX_VIA_MASK = 2,       /* a masked word ("f*ck"), or a phrase with one ("go f*** yourself") */
    LEX_VIA_TRANSPOSED = 3, /* two letters of a swear word swapped ("fcuk off", "bullsiht") */
    LEX_VIA_GAP = 4,        /* a phrase with its swear word all masks ("go **** yourself") */
    LEX_VIA_GLUED = 5,      /* glued to an ordinary word ("manyfags", "coonbehaviour") */
    LEX_VIA_LEET = 6,       /* leetspeak for another vowel ("f0ck", "f@cker", "fvck3r") */
    LEX_VIA_GUESS = 7,      /* one letter left out or two swapped in a word read for attacks
                             * on people ("murdr", "Muslms", "klil"): whole words only, never
                             * more than a hold */
};

typedef struct lex_hit {
    uint32_t start, end; /* folded bytes [start, end) */
    uint32_t term;       /* index for lexicon_term() */
    uint8_t category;    /* lex_category */
    uint8_t severity;    /* 0..3 */
    uint8_t via;         /* LEX_VIA_* */
    bool host;           /* read across the dot or hyphen of what could be a host name
                          * ("bit.ch", "cu.nt", "s-lut.com"): never more than a hold */
} lex_hit;

typedef struct lexicon lexicon;

/* One list: a name for error messages ("profanity.tsv") and its text. */
typedef struct lexicon_source {
    const char *name;
    const char *text;
    size_t len;
} lexicon_source;

/* Builds a lexicon from lists. PL_EINVAL naming the list and line on a
 * malformed line. The sources are borrowed for the call. */
int lexicon_new(const lexicon_source *src, size_t n, lexicon **out, pl_error *err);

/* Builds the lexicon from the lists compiled into the binary, or, when dir
 * is not NULL or "", from the files of the same names in dir. */
int lexicon_load(const char *dir, lexicon **out, pl_error *err);

void lexicon_free(lexicon *lx); /* lx may be NULL */

/* Finds every listed word in t, allow-listed ones removed, sorted by start;
 * a hit inside a longer hit of the same category is dropped. At most
 * LEXICON_MAX_HITS are returned. The array comes from a. */
#define LEXICON_MAX_HITS 512
size_t lexicon_scan(const lexicon *lx, const norm_text *t, arena *a, lex_hit **out);

/* The same for text in language lang ("es"; reliable: the detector is sure
 * of it, langid.h). A term listed for other languages counts only when
 * lang is one of them, or, when the language is not known for sure, unless
 * it is strict (innocent in other languages: Persian "کس", "person", is
 * vulgar in Arabic). lexicon_scan is this with the language unknown. */
size_t lexicon_scan_in(const lexicon *lx, const norm_text *t, const char *lang, bool reliable,
                       arena *a, lex_hit **out);

/* lexicon_scan_in, and the allow-list's hits that shielded a listed word
 * ("snigger" over "nigger", "scunthorpe" over "cunt"), sorted by start, in
 * *allowed (from a; NULL and 0 when there are none; not one that also
 * covered a group's name: "homosexual" over "homo"). The engine keeps the
 * model from holding a comment on such a word alone (docs/MODERATION.md).
 * allowed may be NULL. */
size_t lexicon_scan_allow(const lexicon *lx, const norm_text *t, const char *lang, bool reliable,
                          arena *a, lex_hit **out, lex_hit **allowed, size_t *nallowed);

/* The term as listed ("fuck"); lives as long as the lexicon. */
const char *lexicon_term(const lexicon *lx, uint32_t term);

/* True when the list marks the term "homograph": a strong word that is
 * also an innocent one ("cum" in "magna cum laude", "tits" the birds), so
 * its plain spelling is held for a moderator, never rejected. */
bool lexicon_term_homograph(const lexicon *lx, uint32_t term);

/* True when the folded word w[0, n) is a word of the English dictionary
 * the lexicon was built with (data/lexicon/words; the guesses of the rules
 * leave real words alone). */
bool lexicon_has_word(const lexicon *lx, const char *w, size_t n);

/* True when the folded bytes [a, b) of t, spelt with their double letters
 * ("runing" with a run of two is "running"), are a word of the dictionary. */
bool lexicon_has_spelled(const lexicon *lx, const norm_text *t, size_t a, size_t b);

/* True when the list marks the term "criticism": an adjective that judges
 * a thing harshly ("ridiculous", "disgraceful"; an insult_adj of severity
 * 0). It gives no reason; said of a thing, the model must reach confirm_at
 * to hold a comment whose score rests on it. */
bool lexicon_term_criticism(const lexicon *lx, uint32_t term);

/* Figures for the benchmark: terms, patterns (forms), automaton states and
 * bytes held. */
typedef struct lexicon_stats {
    size_t terms, patterns, states, bytes;
} lexicon_stats;
void lexicon_get_stats(const lexicon *lx, lexicon_stats *out);

/* "profanity", "slur", ... */
const char *lexicon_category_name(lex_category c);

#endif
