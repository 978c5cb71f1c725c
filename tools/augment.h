/* tools/augment.h: disguised copies of abusive training texts (train
 * --augment). Build time only, never linked into the server.
 *
 * Commenters who know a filter disguise the word it would catch: leet
 * digits and symbols (a$$hole, c0ck), masks (f*ck), spaced or dotted
 * letters (f a g, f.a.g), words glued to the next one (fagbehaviour),
 * doubled letters (iddiot) and look-alike letters from other scripts
 * (Cyrillic "о" for "o"). The trainer adds copies of a share of its toxic
 * samples with such disguises, made here by rule, so that the model meets
 * them in training; it never reads bench/evasion.tsv, the held-out set
 * that measures them.
 *
 * Which word of a sample to disguise: the one that leans most towards
 * toxic samples in the training data itself (augment_count, then
 * augment_disguise), so that "you are a fag" disguises "fag" and not "you".
 */
#ifndef PARLEY_TOOLS_AUGMENT_H
#define PARLEY_TOOLS_AUGMENT_H
#include <stddef.h>
#include <stdint.h>

typedef enum augment_kind {
    AUGMENT_LEET,      /* one or two letters as digits or symbols: 4 3 1 0 5 7 9 8 @ $ ! v */
    AUGMENT_MASK,      /* one or two inner letters as '*' (or '#'): f*ck, f#ck */
    AUGMENT_SPACED,    /* every letter apart: f a g */
    AUGMENT_DOTTED,    /* letters joined by '.', '-' or '_': f.a.g */
    AUGMENT_GLUED,     /* the word and its neighbour without the space: fagbehaviour */
    AUGMENT_DOUBLED,   /* one or two letters doubled: iddiot */
    AUGMENT_HOMOGLYPH, /* one or two letters as Cyrillic look-alikes: idiоt */
    AUGMENT_KINDS
} augment_kind;

/* Word counts over training texts: how often each word occurs in toxic and
 * in clean texts (words are runs of ASCII letters, folded to lower case;
 * only those of 3 to 24 letters are counted and disguised). */
typedef struct augment augment;

augment *augment_new(void);
void augment_free(augment *a); /* a may be NULL */

/* Counts the words of text, a toxic (toxic != 0) or a clean text. */
void augment_count(augment *a, const char *text, size_t len, int toxic);

/* Writes a disguised copy of text to out (at most cap bytes, not
 * NUL-terminated) and returns its length, or 0 when text has no word that
 * leans towards toxic texts (or the copy would not fit). The word that
 * leans most (and, one time in three, the second one too) is disguised with
 * a kind drawn from *rng; the rest of the text is copied as it is. The same
 * counts, text and *rng give the same copy. */
size_t augment_disguise(const augment *a, const char *text, size_t len, uint64_t *rng, char *out,
                        size_t cap);

/* The same for a clean text: a word of 3 to 24 letters drawn from *rng is
 * disguised, whatever it leans to (0 when text has none). Clean copies
 * keep a model from learning that a disguise alone makes a text toxic. */
size_t augment_disguise_any(const char *text, size_t len, uint64_t *rng, char *out, size_t cap);

/* Disguises the word text[b..e) with kind k, writing the whole text to out
 * (at most cap bytes); returns the length, or 0 when it does not fit.
 * AUGMENT_GLUED removes the blanks before the next word (or, for the last
 * word, after the previous one); without either it doubles letters, as
 * AUGMENT_LEET does without a letter that has a leet form, and
 * AUGMENT_HOMOGLYPH without one that has a look-alike. Draws from *rng for
 * the letters and symbols it picks. */
size_t augment_word(augment_kind k, const char *text, size_t len, size_t b, size_t e, uint64_t *rng,
                    char *out, size_t cap);

/* The xorshift generator both use (never 0 from a state that is not 0). */
uint64_t augment_rng(uint64_t *s);

#endif
