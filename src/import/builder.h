/* import/builder.h: filling a disqus_export record by record.
 *
 * The writer (import/import.h) takes every export as a disqus_export. The
 * readers of the other systems' exports (WordPress, Remark42, Commento,
 * Coral, Isso) meet records one at a time, with references (a comment's thread
 * and parent, its author) that may point forward in the file. The builder
 * keeps what the writer needs of each record, puts each comment's text in
 * the spool (import/spool.h) as soon as it arrives, and resolves the
 * references once the file has been read:
 *   - a thread is found or added by the source's own key (a URL, a story
 *     id); two records with the same key are one thread;
 *   - a comment's parent is named by the source's comment id; a parent that
 *     is missing, in another thread or the comment itself makes the comment
 *     top-level, with a warning; a repeated comment id is dropped, with a
 *     warning;
 *   - authors may be given later by key (Commento and Coral keep them in a
 *     list of their own): ib_author fills every comment that named the key.
 * Every string kept is valid UTF-8 (ib_text cleans it).
 */
#ifndef PARLEY_IMPORT_BUILDER_H
#define PARLEY_IMPORT_BUILDER_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "import/disqus.h"
#include "import/idmap.h"
#include "import/jsonin.h"

#define IB_MAX_FIELD 4096 /* bytes kept of a name, e-mail, title, URL or id */

typedef struct import_builder {
    arena *a;
    spool *bodies;
    disqus_warn_fn warn;
    void *warn_arg;
    disqus_export *x;
    size_t cap_threads, cap_posts;
    const char **parent_refs; /* per post: the parent's id, "" for none */
    const char **author_refs; /* per post: an author key for ib_author, or NULL */
    idmap threads;            /* thread key -> index */
    idmap posts;              /* comment id -> index */
    idmap strings;            /* interned strings */
    idmap authors;            /* author key -> index into author_vals */
    disqus_author *author_vals;
    size_t n_authors, cap_authors;
    arena *msg; /* one message's conversion */
} import_builder;

/* Starts an empty export from the named source ("wordpress", ...), whose
 * texts go to bodies when it is not NULL, else stay in a. */
void ib_init(import_builder *b, arena *a, spool *bodies, disqus_warn_fn warn, void *warn_arg,
             disqus_export *out, const char *source);

/* Reports a repaired or dropped record (line: where it is, 0 if unknown). */
void ib_warn(import_builder *b, size_t line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* n bytes as valid UTF-8 (invalid bytes become U+FFFD), control characters
 * other than line breaks and tabs as spaces (CR dropped), at most max bytes
 * cut at a character boundary (*cut says so; cut may be NULL). In a. */
char *ib_text(arena *a, const char *s, size_t n, size_t max, bool *cut);

/* A copy of s (cleaned, at most IB_MAX_FIELD bytes) kept once however often
 * it is given. NULL gives "". */
const char *ib_str(import_builder *b, const char *s);

/* The Parley article id of the path p[0..n) with the slashes around it
 * trimmed: slashes as colons, other characters outside [A-Za-z0-9._-] as
 * "_"; "<source>-root" when nothing is left; NULL when more than 128
 * characters are (the caller names the article otherwise). In a. */
const char *ib_path_slug(arena *a, const char *source, const char *p, size_t n);

/* The Parley article id of a page's address or path: the path without its
 * scheme, host, query and fragment ("https://news.example/2026/11/budget/"
 * -> "2026:11:budget"), slashes as colons, other characters outside
 * [A-Za-z0-9._-] as "_". "<source>-root" for an empty path, and
 * "<source>-<32 hex digits>" (a hash of the address) when the path gives
 * more than 128 characters. In a. */
const char *ib_path_article_id(arena *a, const char *source, const char *url);

/* key as the article id when it is a valid one, else "<source>-<hash>". */
const char *ib_key_article_id(arena *a, const char *source, const char *key);

/* The index of the thread with this key; a new one (the fields copied) when
 * the key is new. For a known key, empty title and link are filled in. */
size_t ib_thread(import_builder *b, const char *key, const char *article_id, const char *title,
                 const char *link, bool closed, int64_t created, size_t line);
/* The index of a known thread. */
bool ib_thread_find(import_builder *b, const char *key, size_t *idx);

/* Adds a comment: p's fields (thread, created_at, flags, author, line,
 * dsq_id as the source's id; strings copied), the body (n bytes of
 * Markdown, already cleaned) and the parent's id ("" for none). author_key,
 * when not NULL, names an author given later to ib_author. A comment whose
 * id was seen already is dropped with a warning. 0, or PL_EIO when the
 * spool cannot be written. */
int ib_post(import_builder *b, const disqus_post *p, const char *parent_ref, const char *body,
            size_t n, const char *author_key, pl_error *err);

/* ib_post with the text converted: html is a message in HTML (converted to
 * Markdown by import/htmlmd.h), text one in Markdown as the reader typed it
 * (kept as written, cleaned by ib_text). Either is cut at
 * DISQUS_MAX_MESSAGE bytes, and the comment marked truncated. */
int ib_post_html(import_builder *b, const disqus_post *p, const char *parent_ref, const char *html,
                 const char *author_key, pl_error *err);
int ib_post_text(import_builder *b, const disqus_post *p, const char *parent_ref, const char *text,
                 const char *author_key, pl_error *err);

/* The author for a key given to ib_post (before or after the comments that
 * name it). A key given twice keeps the first. */
void ib_author(import_builder *b, const char *key, const char *name, const char *email,
               const char *username);

/* Keeps a comment's text, n bytes of md (none for a deleted comment): in
 * bodies when it is not NULL, else in a; sets q's body fields. 0, or PL_EIO
 * when the spool cannot be written. */
int ib_keep_text(spool *bodies, arena *a, disqus_post *q, const char *md, size_t n, pl_error *err);

/* Resolves parents and authors and moves the records into the arena; with
 * rc < 0, empties the export. Returns rc. */
int ib_finish(import_builder *b, int rc);

/* For the readers of one JSON file (Remark42, Commento): reads in as the
 * export of source between ib_init and ib_finish, body reading the
 * records from j into b. body's result, or ib_finish's. */
typedef int (*ib_json_body)(import_builder *b, jsonin *j, pl_error *err);
int ib_read_json(FILE *in, arena *a, spool *bodies, disqus_warn_fn warn, void *warn_arg,
                 disqus_export *out, const char *source, ib_json_body body, pl_error *err);

/* A comment record of a JSON reader: its id (c's member id_key), thread,
 * line and time (the member time_key; one jsonin_time cannot read is 0,
 * with a warning naming the member). */
disqus_post ib_json_post(import_builder *b, const json_t *c, const char *id_key,
                         const char *time_key, size_t thread, size_t line);

#endif
