/* server/jobs.c: the writer thread (group commit) and the hashing thread.
 *
 * The writer takes every queued job (up to commit_batch), opens one
 * transaction, runs each job's write step in its own savepoint, commits once
 * and only then hands each job back to its loop. A job's response is sent
 * after the commit returned, so a 2xx always means the write is durable. If
 * the commit fails, every job of the group fails with PL_ESTORE and nothing
 * of it was acknowledged.
 *
 * Consecutive jobs marked `batch` (two or more) are first tried as one
 * batch (store_batch_begin: on PostgreSQL, no savepoint per job and the new
 * comments in one insert). If any of them fails, or the batch does, the
 * batch is undone and the same jobs run again one by one in savepoints, so
 * each ends as it would have without the batch. A store without batches
 * (SQLite) runs them in savepoints at once.
 */
#include "server/server_int.h"
#include "util/log.h"
#include "util/xalloc.h"

#include <event2/event.h>
#include <string.h>

void
queue_init(queue *q)
{
    memset(q, 0, sizeof *q);
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->cv, NULL);
}

void
queue_fini(queue *q)
{
    pthread_mutex_destroy(&q->mu);
    pthread_cond_destroy(&q->cv);
}

void
queue_push(queue *q, job *j)
{
    j->next = NULL;
    pthread_mutex_lock(&q->mu);
    if (q->tail)
        q->tail->next = j;
    else
        q->head = j;
    q->tail = j;
    q->len++;
    pthread_cond_signal(&q->cv);
    pthread_mutex_unlock(&q->mu);
}

void
queue_close(queue *q)
{
    pthread_mutex_lock(&q->mu);
    q->closing = true;
    pthread_cond_broadcast(&q->cv);
    pthread_mutex_unlock(&q->mu);
}

/* Waits for work; returns up to max jobs as a list, or NULL once the queue is
 * closed and empty. */
static job *
queue_take(queue *q, size_t max, size_t *n)
{
    pthread_mutex_lock(&q->mu);
    while (q->head == NULL && !q->closing)
        pthread_cond_wait(&q->cv, &q->mu);
    job *first = q->head, *last = NULL;
    size_t k = 0;
    for (job *j = q->head; j != NULL && k < max; j = j->next) {
        last = j;
        k++;
    }
    if (last != NULL) {
        q->head = last->next;
        if (q->head == NULL)
            q->tail = NULL;
        last->next = NULL;
        q->len -= k;
    }
    pthread_mutex_unlock(&q->mu);
    *n = k;
    return first;
}

job *
job_new(req *r, void *data)
{
    job *j = arena_zalloc(r->a, sizeof *j);
    j->r = r;
    j->data = data;
    return j;
}

static void
complete_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    job_complete(arg);
}

/* Hands j back to the loop that owns its request. event_base_once is safe
 * from other threads because the bases are created with locking enabled
 * (evthread_use_pthreads), and it wakes the loop. */
static void
to_loop(job *j)
{
    static const struct timeval zero = {0, 0};
    if (event_base_once(rf(j->r)->lp->base, -1, EV_TIMEOUT, complete_cb, j, &zero) != 0) {
        log_error("msg=\"cannot hand a job back to its loop\"");
        abort();
    }
}

void
job_submit(job *j)
{
    app *a = rf(j->r)->app;
    if (j->slow != NULL)
        queue_push(&a->slow, j);
    else if (j->write != NULL)
        queue_push(&a->writes, j);
    else
        to_loop(j);
}

void
job_run(req *r, void *data, int (*write)(job *j, store *s, pl_error *err), void (*done)(job *j))
{
    job *j = job_new(r, data);
    j->write = write;
    j->done = done;
    job_submit(j);
}

void
job_complete(job *j)
{
    /* Refused by the buckets shared with other nodes: nothing was written. */
    if (j->rc == PL_ERATE) {
        req_send_rate_limited(j->r, j->retry_after > 0 ? j->retry_after : 1);
        return;
    }
    j->done(j);
}

void *
slow_main(void *arg)
{
    app *a = arg;
    for (;;) {
        size_t n;
        job *list = queue_take(&a->slow, 1, &n);
        if (list == NULL)
            break;
        list->slow(list);
        list->slow = NULL;
        job_submit(list);
    }
    return NULL;
}

/* A job's write step: the shared rate buckets, the write, the product's
 * work inside the commit; sets j->rc. */
static void
run_job(app *a, store *s, job *j)
{
    const server_product *p = a->product;
    j->rc = 0;
    for (int k = 0; k < rf(j->r)->n_shared && j->rc == 0 && a->cfg->rate_limit; k++)
        j->rc = store_rate_take(s, rf(j->r)->shared[k].key, rf(j->r)->shared[k].per_minute,
                                rf(j->r)->shared[k].burst, j->r->now, &j->retry_after, &j->err);
    if (j->rc == 0)
        j->rc = j->write(j, s, &j->err);
    if (j->rc >= 0 && p->in_commit != NULL && p->in_commit(p->ctx, j, s, &j->err) < 0)
        j->rc = PL_ESTORE;
}

/* A job in its own savepoint: a failure undoes this job only. */
static void
run_saved(app *a, store *s, job *j)
{
    if (store_savepoint(s, &j->err) < 0) {
        j->rc = PL_ESTORE;
        return;
    }
    run_job(a, s, j);
    if (j->rc < 0) {
        /* Undoes the job and ends its savepoint: releasing it again would
         * fail, and on PostgreSQL that error aborts the whole group. */
        store_savepoint_rollback(s);
    } else if (store_savepoint_release(s, &j->err) < 0) {
        store_savepoint_rollback(s);
        j->rc = PL_ESTORE;
    }
}

/* The n jobs from first up to end as one batch; false when the store has no
 * batches or the batch failed and was undone (its jobs are to run again). */
static bool
run_batch(app *a, store *s, job *first, const job *end, size_t n)
{
    pl_error err;
    if (store_batch_begin(s, n, &err) <= 0)
        return false;
    const job *failed = NULL;
    for (job *j = first; j != end && failed == NULL; j = j->next) {
        run_job(a, s, j);
        if (j->rc < 0)
            failed = j;
    }
    if (failed == NULL && store_batch_end(s, &err) == 0)
        return true;
    store_batch_rollback(s);
    atomic_fetch_add_explicit(&a->metrics.batches_undone, 1, memory_order_relaxed);
    log_info("msg=\"batch undone, its jobs run one by one\" jobs=%zu error=\"%s\"", n,
             failed != NULL ? failed->err.msg : err.msg);
    return false;
}

static void
run_group(app *a, job *list)
{
    const server_product *p = a->product;
    store *s = a->writer_store;
    pl_error err;
    int64_t t0 = metrics_now_ns();
    int rc = store_begin(s, &err);
    if (rc < 0) {
        log_error("msg=\"cannot begin a write transaction\" error=\"%s\"", err.msg);
        for (job *j = list; j != NULL; j = j->next) {
            j->rc = PL_ESTORE;
            j->err = err;
        }
        goto hand_back;
    }
    for (job *j = list; j != NULL;) {
        job *end = j;
        size_t n = 0;
        while (end != NULL && end->batch) {
            end = end->next;
            n++;
        }
        if (n >= 2 && run_batch(a, s, j, end, n)) {
            j = end;
            continue;
        }
        if (n == 0)
            end = j->next;
        for (; j != end; j = j->next)
            run_saved(a, s, j);
    }
    if (store_commit(s, &err) < 0) {
        log_error("msg=\"group commit failed\" error=\"%s\"", err.msg);
        atomic_fetch_add_explicit(&a->metrics.commit_failures, 1, memory_order_relaxed);
        store_rollback(s);
        for (job *j = list; j != NULL; j = j->next) {
            j->rc = PL_ESTORE;
            j->err = err;
        }
    }
    metrics_observe_own(&a->metrics.commit, metrics_now_ns() - t0);
    /* The product's after-commit work (stale views, live updates, waking
     * its senders, putting a saved settings version in force) is done before
     * any job of the group is answered, so no reader is served a view older
     * than an acknowledged write and an admin sees the settings they saved
     * in force. Whatever was written, sessions and layers the loops cached
     * before are stale from now on, before anyone hears of the write
     * (server/session_read.c). */
    bool wrote = false;
    for (job *j = list; j != NULL; j = j->next)
        wrote = wrote || (j->rc == 0 && j->write != NULL);
    if (wrote)
        atomic_fetch_add(&a->people_gen, 1);
    for (job *j = list; j != NULL; j = j->next) {
        if (j->rc >= 0)
            atomic_fetch_add_explicit(&a->metrics.jobs_committed, 1, memory_order_relaxed);
        if (j->rc == 0 && p->committed != NULL)
            p->committed(p->ctx, j, s);
    }
hand_back:
    while (list != NULL) {
        job *next = list->next;
        to_loop(list);
        list = next;
    }
}

void *
writer_main(void *arg)
{
    app *a = arg;
    size_t batch = (size_t)a->cfg->commit_batch;
    for (;;) {
        size_t n;
        job *list = queue_take(&a->writes, batch, &n);
        if (list == NULL)
            break;
        log_debug("msg=\"group commit\" jobs=%zu", n);
        run_group(a, list);
    }
    return NULL;
}
