/* util/xalloc.h: allocation that never returns NULL.
 *
 * Running out of memory is not a condition Parley recovers from: like Redis,
 * cmark and jq, these wrappers print one line and abort, so callers never
 * check for NULL.
 */
#ifndef PARLEY_UTIL_XALLOC_H
#define PARLEY_UTIL_XALLOC_H
#include <stddef.h>

/* returns_nonnull tells the compiler and clang-tidy's analyzer what the
 * wrappers promise, so callers are not suspected of using a NULL. */
#define XALLOC_NONNULL __attribute__((returns_nonnull))
void *xmalloc(size_t n) XALLOC_NONNULL;
void *xcalloc(size_t count, size_t size) XALLOC_NONNULL;
void *xrealloc(void *p, size_t n) XALLOC_NONNULL;
char *xstrdup(const char *s) XALLOC_NONNULL;
char *xstrndup(const char *s, size_t n);

#endif
