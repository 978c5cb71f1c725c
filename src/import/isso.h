/* import/isso.h: reading an Isso database (its SQLite file).
 *
 * `parley import isso` reads the file with this reader, then writes it with
 * the same writer as a Disqus export (import/import.h): the reader fills a
 * disqus_export (threads -> articles, comments -> comments), so everything
 * the writer guarantees (one transaction per thread, parents first, the
 * comment length limit, synthetic addresses, skipping threads whose article
 * already has comments) holds for Isso too. docs/IMPORT.md says what maps
 * to what.
 *
 * The file is opened read-only, with SQLite's defences against a hostile
 * database on (no triggers or views of the file run: trusted_schema off,
 * query_only), and read a row at a time; each comment's text goes to the
 * spool (import/spool.h) as it is read, so memory grows with the number of
 * comments, not with their text. Isso stores what readers typed (Markdown),
 * kept as written; invalid UTF-8 becomes U+FFFD, control characters other
 * than line breaks and tabs become spaces, and a text longer than
 * DISQUS_MAX_MESSAGE bytes is cut (and marked shortened by the writer).
 * Readers' IP addresses (remote_addr), likes, votes and notification
 * settings are never read.
 */
#ifndef PARLEY_IMPORT_ISSO_H
#define PARLEY_IMPORT_ISSO_H
#include <stddef.h>

#include "import/disqus.h"

/* Reads the Isso database at path (or, for isso_read_memory, n bytes of
 * one, as the fuzz target does). Everything in *out is allocated from a;
 * the texts go to bodies when it is not NULL. warn may be NULL; its line
 * argument is the comment's id. Returns 0, PL_EINVAL when the file is not
 * an Isso database (err names the missing table or column), or PL_EIO when
 * it cannot be read or the spool written. */
int isso_read(const char *path, arena *a, spool *bodies, disqus_warn_fn warn, void *warn_arg,
              disqus_export *out, pl_error *err);
int isso_read_memory(const void *data, size_t n, arena *a, spool *bodies, disqus_warn_fn warn,
                     void *warn_arg, disqus_export *out, pl_error *err);

/* The article id of an Isso thread's uri ("/2026/11/budget/" ->
 * "2026:11:budget"): slashes become colons, leading and trailing ones are
 * dropped, other characters outside [A-Za-z0-9._-] become "_"; an empty
 * result is "isso-root", one longer than 128 characters "isso-<thread id>".
 * Allocated from a. */
const char *isso_article_id(arena *a, const char *uri, long long thread_id);

#endif
