/* import/disqus.h: reading a Disqus XML export.
 *
 * `parley import disqus` (import/import_cmd.c) reads the export with this
 * parser, then writes it through store/ (import/import.h). The parser never
 * touches the store, so the fuzz target (fuzz/fuzz_disqus.c) runs it alone.
 *
 * The file is read with libxml2's streaming xmlTextReader: one node at a time,
 * never the whole document as a tree. No network (XML_PARSE_NONET), no
 * external DTD, no DTD attribute defaults, no entity substitution
 * (XML_PARSE_NOENT is not set), and a document type declaration is refused
 * outright: a Disqus export has none. Elements nest at most DISQUS_MAX_DEPTH
 * deep, an element carries at most DISQUS_MAX_ATTRS attributes (counted
 * before libxml2 sees the bytes, since it compares every attribute with
 * every earlier one), the file is read as UTF-8 whatever it declares, and
 * each field keeps at most its own byte limit (longer values are
 * cut at a UTF-8 boundary; a message longer than DISQUS_MAX_MESSAGE bytes is
 * marked truncated), so memory grows with the number of posts, never with
 * the size of one node. Each message is converted to Markdown
 * (import/htmlmd.h) as soon as its post ends; the raw HTML is not kept.
 * Given a spool (import/spool.h), the Markdown goes there and a post keeps
 * only its offset and length, so memory grows with the number of posts and
 * not with their text; without one it stays in the arena.
 *
 * Invariants of a parsed export: every string is valid UTF-8 and non-NULL
 * ("" when absent); thread and post dsq ids are unique (a repeated one is
 * dropped with a warning); post.thread indexes threads, or the post is
 * dropped with a warning; post.parent indexes posts of the same thread or
 * is -1 (a parent that is missing, in another thread or the post itself
 * makes the post top-level). Parents may form cycles in a hostile file: the
 * writer (import.h) breaks them.
 */
#ifndef PARLEY_IMPORT_DISQUS_H
#define PARLEY_IMPORT_DISQUS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "import/spool.h"
#include "util/arena.h"
#include "util/error.h"

#define DISQUS_MAX_DEPTH 16            /* element nesting */
#define DISQUS_MAX_MESSAGE (256 << 10) /* raw HTML bytes of one message kept */
#define DISQUS_MAX_ATTRS 64            /* attributes of one element (Disqus writes 1 to 4) */

typedef struct disqus_author {
    const char *name;
    const char *email;    /* "" when absent */
    const char *username; /* "" when absent (anonymous or guest authors) */
    bool anonymous;
} disqus_author;

typedef struct disqus_thread {
    const char *dsq_id;
    const char *id; /* the site's own identifier; "" when empty */
    const char *link;
    const char *title;
    int64_t created_at; /* Unix ms; 0 when absent or unreadable */
    bool closed;
    bool deleted;
    size_t line; /* where the element starts, for messages */
} disqus_thread;

typedef struct disqus_post {
    const char *dsq_id;
    size_t thread; /* index into threads */
    long parent;   /* index into posts, or -1 */
    /* The message converted, not yet cut to the comment limit: in memory
     * (markdown) when parsed without a spool, else NULL and in the spool at
     * body_off. body_len is its length in bytes either way. Read it with
     * disqus_body. */
    const char *markdown;
    uint64_t body_off;
    size_t body_len;
    bool truncated;     /* the raw message exceeded DISQUS_MAX_MESSAGE */
    int64_t created_at; /* Unix ms; 0 when absent or unreadable */
    bool deleted;
    bool spam;
    bool rejected; /* refused by the source's moderators (Coral): stored rejected */
    bool pending;  /* awaiting moderation at the source (Isso): stored pending */
    disqus_author author;
    size_t line;
} disqus_post;

typedef struct disqus_export {
    disqus_thread *threads;
    size_t n_threads;
    disqus_post *posts;
    size_t n_posts;
    size_t warnings; /* records dropped or repaired; each was reported */
    spool *bodies;   /* where the messages are (borrowed), or NULL: in memory */
    /* The system the export comes from, in synthetic addresses and article
     * ids ("isso-..."); NULL means "disqus". */
    const char *source;
} disqus_export;

/* Called for each warning (a dropped or repaired record), with the line. */
typedef void (*disqus_warn_fn)(void *arg, size_t line, const char *msg);

/* Parses an export from a file or from memory. Everything in *out is
 * allocated from a; the messages go to bodies when it is not NULL (the
 * caller keeps it open as long as *out is used). warn may be NULL. Returns
 * 0, or PL_EINVAL for a malformed document with err naming the line
 * ("line 12: ..."), or PL_EIO when the file cannot be read or the spool
 * written. On failure *out is empty. */
int disqus_parse_file(const char *path, arena *a, spool *bodies, disqus_warn_fn warn,
                      void *warn_arg, disqus_export *out, pl_error *err);
int disqus_parse_memory(const char *data, size_t n, arena *a, spool *bodies, disqus_warn_fn warn,
                        void *warn_arg, disqus_export *out, pl_error *err);

/* The same for a WordPress export (WXR: RSS with the wp: namespace), read
 * by the same parser one level deeper: each <item> is a thread (its
 * wp:post_id the dsq_id, the article id the path of its <link>, else
 * "wordpress-<post_id>"; wp:comment_status closed; wp:status trash is a
 * deleted thread), each <wp:comment> a post (comment_id, comment_parent,
 * comment_author, comment_author_email, comment_user_id as username
 * "user<id>", comment_date_gmt, comment_approved 1/0/spam/trash,
 * comment_content: HTML whose line breaks count, converted like a Disqus
 * message). Pingbacks and trackbacks are left out. The export's source is
 * "wordpress". docs/IMPORT.md has the whole mapping. */
int wxr_parse_file(const char *path, arena *a, spool *bodies, disqus_warn_fn warn, void *warn_arg,
                   disqus_export *out, pl_error *err);
int wxr_parse_memory(const char *data, size_t n, arena *a, spool *bodies, disqus_warn_fn warn,
                     void *warn_arg, disqus_export *out, pl_error *err);

/* The post's converted message, NUL-terminated: p->markdown, or read back
 * from the spool into a. PL_EIO when the spool cannot be read. */
int disqus_body(const disqus_export *x, const disqus_post *p, arena *a, const char **out,
                pl_error *err);

#endif
