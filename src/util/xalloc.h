/* util/xalloc.h: allocation that never returns NULL.
 *
 * Running out of memory is not a condition Parley recovers from: like Redis,
 * cmark and jq, these wrappers print one line and abort, so callers never
 * check for NULL.
 */
#ifndef PARLEY_UTIL_XALLOC_H
#define PARLEY_UTIL_XALLOC_H
#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

#endif
