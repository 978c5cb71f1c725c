/* import/isso.c: the Isso database reader (see isso.h). */
#include "import/isso.h"
#include "import/builder.h"
#include "import/idmap.h"
#include "util/text.h"
#include "util/xalloc.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FIELD 4096 /* bytes kept of a name, e-mail, title or uri */

typedef struct reader {
    sqlite3 *db;
    arena *a;
    spool *bodies;
    disqus_warn_fn warn;
    void *warn_arg;
    disqus_export *x;
    size_t cap_threads, cap_posts;
    int64_t *parent_ids; /* per post: Isso's parent id, 0 for none */
    int64_t *ids;        /* per post: Isso's id */
    idmap threads;       /* Isso thread id -> index */
    idmap posts;         /* Isso comment id -> index */
} reader;

static void
warnf(reader *rd, int64_t id, const char *msg)
{
    rd->x->warnings++;
    if (rd->warn != NULL)
        rd->warn(rd->warn_arg, (size_t)id, msg);
}

static const char *
column_text(reader *rd, sqlite3_stmt *st, int col, size_t max)
{
    const unsigned char *s = sqlite3_column_text(st, col);
    if (s == NULL)
        return "";
    bool cut;
    return ib_text(rd->a, (const char *)s, (size_t)sqlite3_column_bytes(st, col), max, &cut);
}

const char *
isso_article_id(arena *a, const char *uri, long long thread_id)
{
    const char *id = ib_path_slug(a, "isso", uri, strlen(uri));
    return id != NULL ? id : arena_printf(a, "isso-%lld", thread_id);
}

static int
prepare(reader *rd, const char *sql, const char *what, sqlite3_stmt **st, pl_error *err)
{
    if (sqlite3_prepare_v2(rd->db, sql, -1, st, NULL) != SQLITE_OK)
        return pl_errorf(err, PL_EINVAL, "not an Isso database: %s (%s)", what,
                         sqlite3_errmsg(rd->db));
    return 0;
}

static int
step_error(reader *rd, int rc, pl_error *err)
{
    return pl_errorf(err, rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB ? PL_EINVAL : PL_EIO,
                     "reading the database: %s", sqlite3_errmsg(rd->db));
}

static int
read_threads(reader *rd, pl_error *err)
{
    sqlite3_stmt *st;
    int rc = prepare(rd, "SELECT id, uri, title FROM threads ORDER BY id",
                     "no table threads(id, uri, title)", &st, err);
    if (rc < 0)
        return rc;
    disqus_export *x = rd->x;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        long long id = sqlite3_column_int64(st, 0);
        char key[24];
        snprintf(key, sizeof key, "%lld", id);
        int64_t seen;
        if (idmap_get(&rd->threads, key, &seen)) {
            warnf(rd, 0, "a thread id appears twice; the second is dropped");
            continue;
        }
        if (x->n_threads == rd->cap_threads) {
            rd->cap_threads = rd->cap_threads ? rd->cap_threads * 2 : 64;
            x->threads = xrealloc(x->threads, rd->cap_threads * sizeof *x->threads);
        }
        disqus_thread *t = &x->threads[x->n_threads];
        memset(t, 0, sizeof *t);
        t->dsq_id = arena_strdup(rd->a, key);
        const char *uri = column_text(rd, st, 1, MAX_FIELD);
        t->id = isso_article_id(rd->a, uri, id);
        t->link = "";
        t->title = column_text(rd, st, 2, MAX_FIELD);
        idmap_add(&rd->threads, t->dsq_id, (int64_t)x->n_threads);
        x->n_threads++;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : step_error(rd, rc, err);
}

static int
read_comments(reader *rd, pl_error *err)
{
    sqlite3_stmt *st;
    int rc =
        prepare(rd,
                "SELECT tid, id, parent, created, mode, text, author, email FROM comments "
                "ORDER BY id",
                "no table comments(tid, id, parent, created, mode, text, author, email)", &st, err);
    if (rc < 0)
        return rc;
    disqus_export *x = rd->x;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        long long id = sqlite3_column_int64(st, 1);
        char key[24], tkey[24];
        snprintf(key, sizeof key, "%lld", id);
        snprintf(tkey, sizeof tkey, "%lld", (long long)sqlite3_column_int64(st, 0));
        int64_t thread, seen;
        if (!idmap_get(&rd->threads, tkey, &thread)) {
            warnf(rd, id, "the comment's thread is not in the database; the comment is dropped");
            continue;
        }
        if (idmap_get(&rd->posts, key, &seen)) {
            warnf(rd, id, "a comment id appears twice; the second is dropped");
            continue;
        }
        if (x->n_posts == rd->cap_posts) {
            rd->cap_posts = rd->cap_posts ? rd->cap_posts * 2 : 256;
            x->posts = xrealloc(x->posts, rd->cap_posts * sizeof *x->posts);
            rd->parent_ids = xrealloc(rd->parent_ids, rd->cap_posts * sizeof *rd->parent_ids);
            rd->ids = xrealloc(rd->ids, rd->cap_posts * sizeof *rd->ids);
        }
        size_t k = x->n_posts;
        disqus_post *p = &x->posts[k];
        memset(p, 0, sizeof *p);
        p->dsq_id = arena_strdup(rd->a, key);
        p->thread = (size_t)thread;
        p->parent = -1;
        rd->ids[k] = id;
        rd->parent_ids[k] =
            sqlite3_column_type(st, 2) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, 2);
        double created = sqlite3_column_double(st, 3);
        p->created_at = created > 0 && created < 32503680000.0 ? (int64_t)(created * 1000) : 0;
        int mode = sqlite3_column_int(st, 4);
        p->deleted = mode == 4;
        p->pending = mode == 2;
        if (mode != 1 && mode != 2 && mode != 4)
            warnf(rd, id, "unknown mode; imported as published");
        /* The text: into the spool as soon as it is read. */
        const unsigned char *text = sqlite3_column_text(st, 5);
        bool cut = false;
        arena *tmp = arena_new();
        const char *md = text
                             ? ib_text(tmp, (const char *)text, (size_t)sqlite3_column_bytes(st, 5),
                                       DISQUS_MAX_MESSAGE, &cut)
                             : "";
        p->truncated = cut;
        rc = ib_keep_text(rd->bodies, rd->a, p, md, strlen(md), err);
        arena_free(tmp);
        if (rc < 0) {
            sqlite3_finalize(st);
            return rc;
        }
        p->author.name = column_text(rd, st, 6, MAX_FIELD);
        p->author.email = column_text(rd, st, 7, MAX_FIELD);
        p->author.username = "";
        p->author.anonymous = p->author.name[0] == '\0';
        p->line = (size_t)id;
        idmap_add(&rd->posts, p->dsq_id, (int64_t)k);
        x->n_posts++;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return step_error(rd, rc, err);
    /* Parents, now that every comment is known: one in another thread, or
     * missing, or the comment itself makes it top-level. */
    for (size_t i = 0; i < x->n_posts; i++) {
        if (rd->parent_ids[i] == 0)
            continue;
        char key[24];
        snprintf(key, sizeof key, "%lld", (long long)rd->parent_ids[i]);
        int64_t pi;
        if (!idmap_get(&rd->posts, key, &pi) || (size_t)pi == i ||
            x->posts[pi].thread != x->posts[i].thread) {
            warnf(rd, rd->ids[i],
                  "the comment's parent is missing or elsewhere; it becomes top-level");
            continue;
        }
        x->posts[i].parent = (long)pi;
    }
    return 0;
}

static int
read_all(reader *rd, pl_error *err)
{
    /* A hostile file cannot run code through its schema: no triggers or
     * views of it are trusted, and nothing is written. */
    sqlite3_db_config(rd->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
    sqlite3_db_config(rd->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
    sqlite3_exec(rd->db, "PRAGMA query_only = 1", NULL, NULL, NULL);
    int rc = read_threads(rd, err);
    if (rc == 0)
        rc = read_comments(rd, err);
    return rc;
}

/* The records move into the arena, as the Disqus parser's live there: the
 * caller frees nothing but the arena. */
static void
reader_done(reader *rd, int rc)
{
    idmap_fini(&rd->threads);
    idmap_fini(&rd->posts);
    free(rd->parent_ids);
    free(rd->ids);
    ib_export_settle(rd->x, rd->a, rc);
}

static void
reader_init(reader *rd, arena *a, spool *bodies, disqus_warn_fn warn, void *warn_arg,
            disqus_export *out)
{
    memset(out, 0, sizeof *out);
    out->source = "isso";
    out->bodies = bodies;
    memset(rd, 0, sizeof *rd);
    rd->a = a;
    rd->bodies = bodies;
    rd->warn = warn;
    rd->warn_arg = warn_arg;
    rd->x = out;
}

int
isso_read(const char *path, arena *a, spool *bodies, disqus_warn_fn warn, void *warn_arg,
          disqus_export *out, pl_error *err)
{
    reader rd;
    reader_init(&rd, a, bodies, warn, warn_arg, out);
    FILE *probe = fopen(path, "rb");
    if (probe == NULL)
        return pl_errorf(err, PL_EIO, "cannot open: %s", strerror(errno));
    fclose(probe);
    if (sqlite3_open_v2(path, &rd.db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        int rc = pl_errorf(err, PL_EIO, "cannot open: %s", sqlite3_errmsg(rd.db));
        sqlite3_close(rd.db);
        return rc;
    }
    int rc = read_all(&rd, err);
    sqlite3_close(rd.db);
    reader_done(&rd, rc);
    return rc;
}

int
isso_read_memory(const void *data, size_t n, arena *a, spool *bodies, disqus_warn_fn warn,
                 void *warn_arg, disqus_export *out, pl_error *err)
{
    reader rd;
    reader_init(&rd, a, bodies, warn, warn_arg, out);
    if (sqlite3_open_v2(":memory:", &rd.db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        sqlite3_close(rd.db);
        return pl_errorf(err, PL_EIO, "cannot open an in-memory database");
    }
    unsigned char *copy = sqlite3_malloc64(n ? n : 1);
    if (copy == NULL) {
        sqlite3_close(rd.db);
        return pl_errorf(err, PL_EIO, "out of memory");
    }
    memcpy(copy, data, n);
    int rc;
    if (sqlite3_deserialize(rd.db, "main", copy, (sqlite3_int64)n, (sqlite3_int64)n,
                            SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_READONLY) !=
        SQLITE_OK)
        rc = pl_errorf(err, PL_EINVAL, "not an SQLite database");
    else
        rc = read_all(&rd, err);
    sqlite3_close(rd.db);
    reader_done(&rd, rc);
    return rc;
}
