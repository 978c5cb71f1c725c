/* import/import.h: writing a parsed Disqus export into Parley's store.
 *
 * Flow: import_cmd (the command line) -> disqus (parse) -> here -> store/.
 * Everything goes through store/store.h, so it works on SQLite and
 * PostgreSQL alike.
 *
 * Invariants:
 * - One thread is one transaction: its article, its new users and all its
 *   comments commit together or not at all. A failure rolls the thread back
 *   and stops the import; threads committed before it stay, and running the
 *   import again skips them.
 * - Every parent is stored before its replies: within a thread, comments go
 *   in by created time, then dsq:id, each as soon as its parent is in.
 *   A parent cycle (only a hostile file has one) is broken by making its
 *   earliest member top-level, so the ordering always ends.
 * - Every comment stored is recorded in the import map ("<source>:comment",
 *   its id in the export), in its thread's transaction. A thread imported
 *   before (its own record, "<source>:thread") is brought up to date: the
 *   comments of the export not in the map are added, replies to earlier
 *   ones under them, and the earlier ones are left as they are; with none
 *   new, the thread is skipped. A thread imported before whose comments are
 *   none of them in the map (an import made before comments were recorded)
 *   is skipped.
 * - A thread whose article already has comments that this source did not
 *   bring is skipped, unless force is set; threads merged into one article
 *   by this same run are not (their comments are looked up in the map).
 *   force writes every comment of the thread again.
 * - Bodies are Markdown within max_chars characters (longer ones are cut,
 *   with a visible marker); html is rendered by render/markdown.h exactly
 *   as for a posted comment. Deleted comments keep no body.
 * - Imported authors get accounts without a password (pw_hash "") and, by
 *   default, a synthetic address under import.invalid, never the reader's
 *   real e-mail (see real_emails).
 * - Readers' IP addresses are never read from the export.
 */
#ifndef PARLEY_IMPORT_IMPORT_H
#define PARLEY_IMPORT_IMPORT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "import/disqus.h"
#include "moderation/moderation.h"
#include "store/store.h"
#include "util/error.h"

typedef struct import_options {
    bool force;       /* import threads whose article already has comments */
    bool dry_run;     /* count only; the store is not touched (it may be NULL) */
    bool real_emails; /* accounts get the export's e-mail when it has one */
    size_t max_chars; /* longest body in characters (config max_comment_chars) */
    /* When set, each comment is judged as if posted: hold -> pending,
     * reject -> rejected, with the MODERATION JSON stored. NULL keeps the
     * statuses of the export. Borrowed for the call. */
    const moderation *mod;
    FILE *progress; /* a line every 1,000 comments and per skipped thread; NULL: quiet */
} import_options;

typedef struct import_stats {
    size_t threads;         /* threads imported */
    size_t threads_skipped; /* already had comments, or nothing new (without force) */
    size_t threads_updated; /* of threads: imported before, new comments added */
    size_t comments_known;  /* in the export and imported before: left as they are */
    size_t threads_deleted; /* marked deleted in the export: not imported */
    size_t threads_empty;   /* without posts: no article created */
    size_t comments;        /* comments stored (or counted, in a dry run) */
    size_t users;           /* accounts created (dry run: distinct authors) */
    size_t users_reused;    /* authors already in the store */
    size_t published, pending, rejected, deleted;
    size_t truncated; /* bodies cut to max_chars */
    size_t orphans;   /* replies stored top-level: parent missing or in a cycle */
} import_stats;

/* Writes x into s. Returns 0, or the store's error (err says which thread
 * failed; that thread was rolled back). *st counts what was done either
 * way. When x's messages are in a spool (x->bodies), each is read back as
 * its post is written; a spool that cannot be read is PL_EIO, for that
 * thread, like a storage failure. */
int import_disqus(store *s, const disqus_export *x, const import_options *o, import_stats *st,
                  pl_error *err);

/* The Parley article id of a thread: its own <id> when that is a valid
 * article id (util/text.h), else "disqus-" and its dsq:id (or a hash of the
 * dsq:id when that is not usable). Allocated from a. */
const char *import_article_id(arena *a, const disqus_thread *t);

#endif
