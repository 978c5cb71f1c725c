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

#endif
