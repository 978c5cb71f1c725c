/* api/threads.h: the shape of a thread as readers get it (api/threads.c).
 *
 * Replies nest at most THREAD_DEPTH_MAX deep: a reply to a comment at that
 * depth is shown beside it, under the same parent (new replies are stored
 * that way, and older deeper ones are shown that way). Replies are paged
 * per top-level comment, oldest first: a page of comments carries the first
 * few replies of each, and GET /comments/{id}/replies the rest. What one
 * answer may hold is capped, in comments and in an estimate of its bytes,
 * so no thread, however long or deep, makes an answer large. */
#ifndef PARLEY_API_THREADS_H
#define PARLEY_API_THREADS_H

#include "api/api_int.h"

#define THREAD_DEPTH_MAX 4
/* Replies of each top-level comment in a page of comments. */
#define THREAD_REPLIES_INLINE 10
/* Replies in one answer, all top-level comments together. */
#define THREAD_REPLIES_MAX 300
/* Estimated bytes of comments in one answer; past it, replies wait for
 * "more replies" and top-level comments for the next page. */
#define THREAD_BYTES_MAX (1024 * 1024)

/* A visible reply of one thread, with where it is shown. */
typedef struct thread_reply {
    store_comment *c;
    int64_t shown_parent; /* the comment it is nested under */
    int depth;            /* 1: a reply to the top-level comment */
    bool skipped;         /* left out for this reader (muted author, or under one) */
} thread_reply;

typedef struct thread {
    int64_t root_id;
    thread_reply *v; /* sorted by id: every parent before its replies */
    size_t n;
} thread;

/* What one answer may still hold. */
typedef struct thread_budget {
    size_t replies;
    size_t bytes;
} thread_budget;

/* Gathers root_id's replies out of all (any order), sorted by id, with
 * depths and shown parents; muted authors' replies (and what is shown
 * under them) are marked skipped. */
void thread_build(arena *a, int64_t root_id, const store_comment_list *all, const int64_t *muted,
                  size_t n_muted, thread *out);

/* True when id is one of muted[0..n). */
bool thread_muted(const int64_t *muted, size_t n, int64_t id);

/* The estimated bytes of one comment in an answer. */
size_t thread_cost(const store_comment *c);

/* Takes from *b what c costs; false (and nothing taken) when it does not fit. */
bool thread_take(thread_budget *b, const store_comment *c, bool is_reply);

/* The COMMENT of a reply as shown: parent_id is the comment it is nested
 * under. */
json_t *thread_reply_json(const thread_reply *t);

/* Index of the first reply with an id above after (0 for the start). */
size_t thread_after(const thread *t, int64_t after);

/* ---- personal views from the anonymous bytes ----------------------------
 *
 * A logged-in reader's view of a thread differs from the anonymous one in
 * three things: their likes are marked (liked_by_me), their own pending
 * comments are shown in place, and the comments of authors they muted (with
 * the replies under them) are left out. When the reader has no pending
 * comment in the article and no muted author on the page, their view is the
 * anonymous bytes with some liked_by_me turned true: the same comments,
 * cursors and counts (visibility depends on the viewer only through their
 * own pending comments). The marks locate each comment's liked_by_me in
 * those bytes. */

/* Finds the comments of a thread view in text, the compact JSON dump of a
 * view whose comments (each with its replies nested under "replies") are
 * the array comments: one mark per comment in document order. The bytes
 * "liked_by_me": occur nowhere else (inside a JSON string every quote is
 * escaped), and every one must read false. False (with *out NULL) when
 * text does not match the tree. */
bool thread_marks(arena *a, const json_t *comments, const char *text, cache_mark **out, size_t *n);

/* True when a comment of marks m[0..n) is by an author in muted[0..n_muted)
 * (ascending). */
bool thread_marks_muted(const cache_mark *m, size_t n, const int64_t *muted, size_t n_muted);

/* The personal view: text[0..len) with liked_by_me true for every marked
 * comment whose id is in liked[0..n_liked) (ascending). Returns it from
 * malloc, NUL-terminated, its length in *out_len. */
char *thread_personal(const char *text, size_t len, const cache_mark *m, size_t n,
                      const int64_t *liked, size_t n_liked, size_t *out_len);

#endif
