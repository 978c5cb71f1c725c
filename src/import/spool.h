/* import/spool.h: the converted messages of an export, parked in a
 * temporary file while the export is read.
 *
 * The importer reads the whole export before writing anything (a malformed
 * file must change nothing), but must not hold every message in memory: a
 * large site's export is several gigabytes. The parser (import/disqus.h)
 * appends each converted message here and keeps only its offset and length;
 * the writer (import/import.h) reads each one back when it stores the post.
 *
 * Invariants: the file loses its name as soon as it is created (mkstemp,
 * then unlink at once), so neither a finished run nor a crash leaves
 * anything behind; its space is returned
 * when the spool is closed or the process ends. Appends go through a small
 * buffer (memory stays a few tens of KiB whatever the total); a failed
 * write (disk full) is an error from that append on, never a silent loss.
 * Reads return exactly the bytes appended at that offset, or an error.
 * One spool per import, used by one thread.
 */
#ifndef PARLEY_IMPORT_SPOOL_H
#define PARLEY_IMPORT_SPOOL_H
#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"
#include "util/error.h"

typedef struct spool spool;

/* Creates an unnamed temporary file in dir. PL_EIO (err naming dir and the
 * reason) when it cannot be created. */
int spool_open(const char *dir, spool **out, pl_error *err);
/* A spool over fd, an open read-write file the spool then owns (closes).
 * For tests, which need to reach the file underneath. */
spool *spool_from_fd(int fd);
/* Appends n bytes; *off is where they start. PL_EIO when the file cannot be
 * written (err: "writing the temporary file: No space left on device"). */
int spool_append(spool *s, const char *data, size_t n, uint64_t *off, pl_error *err);
/* The n bytes at off, NUL-terminated, allocated from a. PL_EIO when they
 * cannot be read back in full. */
int spool_read(spool *s, uint64_t off, size_t n, arena *a, char **out, pl_error *err);
/* Bytes appended so far: the disk space the spool takes. */
uint64_t spool_size(const spool *s);
void spool_close(spool *s); /* s may be NULL */

#endif
