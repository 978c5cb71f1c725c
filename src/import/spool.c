/* import/spool.c: an unnamed temporary file of message bodies (see
 * spool.h).
 *
 * Offsets are logical (bytes appended so far), so a read of bytes still in
 * the write buffer flushes it first. The first failed write is kept: every
 * later append and read reports it, so a caller that missed one error can
 * never read back a body that was not written.
 */
#include "import/spool.h"
#include "util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SPOOL_BUF (64u << 10)

struct spool {
    int fd;
    uint64_t flushed; /* bytes on disk */
    char *buf;        /* bytes after them, not yet written */
    size_t len;
    int write_errno; /* the first failed write, 0 while none */
};

spool *
spool_from_fd(int fd)
{
    spool *s = xcalloc(1, sizeof *s);
    s->fd = fd;
    s->buf = xmalloc(SPOOL_BUF);
    return s;
}

int
spool_open(const char *dir, spool **out, pl_error *err)
{
    *out = NULL;
    /* The name lives only until the unlink right after: a crash after it
     * leaves nothing, and the space is freed when the descriptor closes. */
    size_t n = strlen(dir) + sizeof "/parley-import-XXXXXX";
    char *path = xmalloc(n);
    snprintf(path, n, "%s/parley-import-XXXXXX", dir);
    int fd = mkstemp(path);
    if (fd >= 0) {
        unlink(path);
        fcntl(fd, F_SETFD, FD_CLOEXEC);
    }
    free(path);
    if (fd < 0)
        return pl_errorf(err, PL_EIO, "cannot create a temporary file in %s: %s", dir,
                         strerror(errno));
    *out = spool_from_fd(fd);
    return 0;
}

static int
write_all(spool *s, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(s->fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            s->write_errno = w < 0 ? errno : EIO;
            return -1;
        }
        p += w;
        n -= (size_t)w;
        s->flushed += (uint64_t)w;
    }
    return 0;
}

static int
write_error(const spool *s, pl_error *err)
{
    return pl_errorf(err, PL_EIO, "writing the temporary file: %s", strerror(s->write_errno));
}

static int
flush(spool *s, pl_error *err)
{
    if (s->len > 0 && write_all(s, s->buf, s->len) < 0)
        return write_error(s, err);
    s->len = 0;
    return 0;
}

int
spool_append(spool *s, const char *data, size_t n, uint64_t *off, pl_error *err)
{
    if (s->write_errno != 0)
        return write_error(s, err);
    *off = s->flushed + s->len;
    if (s->len + n > SPOOL_BUF && flush(s, err) < 0)
        return PL_EIO;
    if (n >= SPOOL_BUF)
        return write_all(s, data, n) < 0 ? write_error(s, err) : 0;
    memcpy(s->buf + s->len, data, n);
    s->len += n;
    return 0;
}

int
spool_read(spool *s, uint64_t off, size_t n, arena *a, char **out, pl_error *err)
{
    *out = NULL;
    if (s->write_errno != 0)
        return write_error(s, err);
    if (off + n < off || off + n > s->flushed + s->len)
        return pl_errorf(err, PL_EIO, "reading the temporary file: offset beyond its end");
    if (off + n > s->flushed && flush(s, err) < 0)
        return PL_EIO;
    char *b = arena_alloc(a, n + 1);
    size_t got = 0;
    while (got < n) {
        ssize_t r = pread(s->fd, b + got, n - got, (off_t)(off + got));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return pl_errorf(err, PL_EIO, "reading the temporary file: %s", strerror(errno));
        if (r == 0)
            return pl_errorf(err, PL_EIO, "reading the temporary file: it ended early");
        got += (size_t)r;
    }
    b[n] = '\0';
    *out = b;
    return 0;
}

uint64_t
spool_size(const spool *s)
{
    return s->flushed + s->len;
}

void
spool_close(spool *s)
{
    if (s == NULL)
        return;
    close(s->fd);
    free(s->buf);
    free(s);
}
