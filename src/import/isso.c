/* import/isso.c: the Isso database reader (see isso.h). */
#include "import/isso.h"
#include "import/builder.h"
#include "util/text.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct reader {
    sqlite3 *db;
    import_builder b; /* the records, their parents and the warnings */
} reader;

/* A column as cleaned text (at most max bytes) in the builder's scratch
 * arena, which is reset after each row. */
static const char *
column_text(reader *rd, sqlite3_stmt *st, int col, size_t max, bool *cut)
{
    const unsigned char *s = sqlite3_column_text(st, col);
    if (cut != NULL)
        *cut = false;
    if (s == NULL)
        return "";
    return ib_text(rd->b.msg, (const char *)s, (size_t)sqlite3_column_bytes(st, col), max, cut);
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
    import_builder *b = &rd->b;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        long long id = sqlite3_column_int64(st, 0);
        char key[24];
        snprintf(key, sizeof key, "%lld", id);
        size_t seen;
        if (ib_thread_find(b, key, &seen))
            ib_warn(b, 0, "a thread id appears twice; the second is dropped");
        else
            ib_thread(b, key,
                      isso_article_id(b->msg, column_text(rd, st, 1, IB_MAX_FIELD, NULL), id),
                      column_text(rd, st, 2, IB_MAX_FIELD, NULL), "", false, 0, 0);
        arena_reset(b->msg);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : step_error(rd, rc, err);
}

/* One comment row into the builder: its parent by Isso's id (NULL or 0 for
 * none), resolved by ib_finish once every comment is known. */
static int
read_comment(reader *rd, sqlite3_stmt *st, pl_error *err)
{
    import_builder *b = &rd->b;
    long long id = sqlite3_column_int64(st, 1);
    char key[24], tkey[24], parent[24] = "";
    snprintf(key, sizeof key, "%lld", id);
    snprintf(tkey, sizeof tkey, "%lld", (long long)sqlite3_column_int64(st, 0));
    size_t thread;
    if (!ib_thread_find(b, tkey, &thread)) {
        ib_warn(
            b, (size_t)id,
            "comment %lld names thread %s, which is not in the database; the comment is dropped",
            id, tkey);
        return 0;
    }
    long long pid = sqlite3_column_type(st, 2) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, 2);
    if (pid != 0)
        snprintf(parent, sizeof parent, "%lld", pid);
    disqus_post p = {0};
    p.dsq_id = key;
    p.thread = thread;
    p.line = (size_t)id;
    double created = sqlite3_column_double(st, 3);
    p.created_at = created > 0 && created < 32503680000.0 ? (int64_t)(created * 1000) : 0;
    int mode = sqlite3_column_int(st, 4);
    p.deleted = mode == 4;
    p.pending = mode == 2;
    /* Every column is read with its length (a NUL inside becomes a space);
     * a text cut marks the comment truncated, deleted or not. ib_post puts
     * the text in the spool at once. */
    const char *md = column_text(rd, st, 5, DISQUS_MAX_MESSAGE, &p.truncated);
    p.author.name = column_text(rd, st, 6, IB_MAX_FIELD, NULL);
    p.author.email = column_text(rd, st, 7, IB_MAX_FIELD, NULL);
    p.author.anonymous = p.author.name[0] == '\0';
    size_t before = b->x->n_posts;
    int rc = ib_post(b, &p, parent, md, strlen(md), NULL, err);
    if (rc == 0 && b->x->n_posts > before && mode != 1 && mode != 2 && mode != 4)
        ib_warn(b, (size_t)id, "comment %lld has an unknown mode %d; imported as published", id,
                mode);
    return rc;
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
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int r = read_comment(rd, st, err);
        arena_reset(rd->b.msg);
        if (r < 0) {
            sqlite3_finalize(st);
            return r;
        }
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : step_error(rd, rc, err);
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

int
isso_read(const char *path, arena *a, spool *bodies, disqus_warn_fn warn, void *warn_arg,
          disqus_export *out, pl_error *err)
{
    reader rd = {0};
    ib_init(&rd.b, a, bodies, warn, warn_arg, out, "isso");
    FILE *probe = fopen(path, "rb");
    if (probe == NULL)
        return ib_finish(&rd.b, pl_errorf(err, PL_EIO, "cannot open: %s", strerror(errno)));
    fclose(probe);
    if (sqlite3_open_v2(path, &rd.db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        int rc = pl_errorf(err, PL_EIO, "cannot open: %s", sqlite3_errmsg(rd.db));
        sqlite3_close(rd.db);
        return ib_finish(&rd.b, rc);
    }
    int rc = read_all(&rd, err);
    sqlite3_close(rd.db);
    return ib_finish(&rd.b, rc);
}

int
isso_read_memory(const void *data, size_t n, arena *a, spool *bodies, disqus_warn_fn warn,
                 void *warn_arg, disqus_export *out, pl_error *err)
{
    reader rd = {0};
    ib_init(&rd.b, a, bodies, warn, warn_arg, out, "isso");
    if (sqlite3_open_v2(":memory:", &rd.db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        sqlite3_close(rd.db);
        return ib_finish(&rd.b, pl_errorf(err, PL_EIO, "cannot open an in-memory database"));
    }
    unsigned char *copy = sqlite3_malloc64(n ? n : 1);
    if (copy == NULL) {
        sqlite3_close(rd.db);
        return ib_finish(&rd.b, pl_errorf(err, PL_EIO, "out of memory"));
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
    return ib_finish(&rd.b, rc);
}
