/* import/sources.h: the readers of Remark42, Commento and Coral exports.
 *
 * Each fills a disqus_export through import/builder.h, so the writer
 * (import/import.h) stores them as it stores a Disqus export: one
 * transaction per thread, parents first, the comment length limit,
 * synthetic addresses, threads whose article has comments skipped on a
 * second run. Each reads its file a record at a time (import/jsonin.h) and
 * puts the texts in the spool as they come. docs/IMPORT.md says what maps
 * to what. warn's line argument is the line of the file.
 *
 * All return 0, PL_EINVAL when the file is not what they read (err naming
 * the line and what is wrong; *out is then empty), or PL_EIO when it cannot
 * be read or the spool written.
 */
#ifndef PARLEY_IMPORT_SOURCES_H
#define PARLEY_IMPORT_SOURCES_H
#include <stdio.h>

#include "import/disqus.h"

/* The signature of the readers of one file read as a stream (Remark42,
 * Commento). */
typedef int (*import_stream_reader)(FILE *in, arena *a, spool *bodies, disqus_warn_fn warn,
                                    void *warn_arg, disqus_export *out, pl_error *err);

/* Remark42's backup: a header line {"version":1,"users":[...],"posts":[...]}
 * then one comment per line. */
int remark42_read(FILE *in, arena *a, spool *bodies, disqus_warn_fn warn, void *warn_arg,
                  disqus_export *out, pl_error *err);

/* Commento's export: {"version":1,"comments":[...],"commenters":[...]}. */
int commento_read(FILE *in, arena *a, spool *bodies, disqus_warn_fn warn, void *warn_arg,
                  disqus_export *out, pl_error *err);

/* Coral's stories, users and comments collections, each as mongoexport
 * writes it (one document per line, extended JSON). users may be NULL.
 * Warnings name the file by its collection ("comments line 3: ...") through
 * the warning's message. */
int coral_read(FILE *stories, FILE *users, FILE *comments, arena *a, spool *bodies,
               disqus_warn_fn warn, void *warn_arg, disqus_export *out, pl_error *err);
/* The same from a directory holding stories.json, users.json (optional)
 * and comments.json. */
int coral_read_dir(const char *dir, arena *a, spool *bodies, disqus_warn_fn warn, void *warn_arg,
                   disqus_export *out, pl_error *err);

#endif
