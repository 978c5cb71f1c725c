/* moderation/dict.h: a set of ordinary English words, to tell a glued pair
 * ("manyfags": "many" + a slur) from a word that merely contains a listed
 * one ("cocktails", "therapist").
 *
 * The words come from Debian's wamerican and wbritish lists (SCOWL), which
 * the build turns into one sorted file of lower-case ASCII words of 2 to 24
 * letters and compiles into the binary (build/gen/dict.c, `dict_files`).
 * A set is built once, then immutable and shared by all threads.
 */
#ifndef PARLEY_MODERATION_DICT_H
#define PARLEY_MODERATION_DICT_H
#include <stdbool.h>
#include <stddef.h>

typedef struct dict dict;

/* Builds the set from newline-separated words (text is borrowed and must
 * outlive the set); lines that are not 2-24 lower-case ASCII letters are
 * skipped. Never fails but for memory. */
dict *dict_new(const char *text, size_t len);

/* The set compiled into the binary, or an empty set when the build had no
 * word list (then no glued pair is ever recognised). */
dict *dict_builtin(void);

void dict_free(dict *d); /* d may be NULL */

/* True when the n bytes at w are a word of the set (lower case). */
bool dict_has(const dict *d, const char *w, size_t n);

/* Words in the set, and bytes it holds beyond the text. */
size_t dict_size(const dict *d);
size_t dict_memory(const dict *d);

#endif
