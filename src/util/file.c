/* util/file.c: see file.h. */
#include "util/file.h"

#include "util/xalloc.h"

#include <errno.h>
#include <stdlib.h>

char *
file_read_stream(FILE *f, size_t max, size_t *len, bool *more)
{
    size_t cap = 4096, n = 0, k;
    char *buf = xmalloc(cap + 1);
    errno = 0;
    for (;;) {
        size_t want = cap - n < max - n ? cap - n : max - n;
        if (want == 0 || (k = fread(buf + n, 1, want, f)) == 0)
            break;
        n += k;
        if (n == cap && n < max) {
            cap = cap > max / 2 ? max : cap * 2;
            buf = xrealloc(buf, cap + 1);
        }
    }
    if (ferror(f)) {
        free(buf);
        if (errno == 0)
            errno = EIO;
        return NULL;
    }
    if (more != NULL)
        *more = n == max && fgetc(f) != EOF;
    buf[n] = '\0';
    *len = n;
    return buf;
}

char *
file_read(const char *path, size_t max, size_t *len, bool *more)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    char *buf = file_read_stream(f, max, len, more);
    int saved = errno;
    fclose(f);
    errno = saved;
    return buf;
}
