/* util/file.h: reading a whole file into memory, the one way every module
 * and tool does it (word lists, pages, `parley check` input, corpora, test
 * fixtures).
 */
#ifndef PARLEY_UTIL_FILE_H
#define PARLEY_UTIL_FILE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Reads f to its end, or to max bytes, into a buffer with a NUL after the
 * bytes (free it); *len is the number of bytes read. *more (when not NULL)
 * says whether f held more than max. NULL on a read error, with errno set. */
char *file_read_stream(FILE *f, size_t max, size_t *len, bool *more);

/* Opens path and reads it as file_read_stream does; NULL, with errno set,
 * when it cannot be opened or read. */
char *file_read(const char *path, size_t max, size_t *len, bool *more);

#endif
