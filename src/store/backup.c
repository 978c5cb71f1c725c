/* store/backup.c: see backup.h. */
#include "store/backup.h"
#include "store/store_int.h"
#include "util/config.h"
#include "util/text.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define EXIT_USAGE 2

typedef struct counts {
    long long comments, users, articles, schema;
} counts;

static int
usage_error(const char *cmd, const char *flag, const char *why)
{
    fprintf(stderr, "parley %s: %s: %s (see 'parley %s --help')\n", cmd, flag, why, cmd);
    return EXIT_USAGE;
}

/* The path of a sqlite: URL, or NULL (after saying why) for anything else. */
static const char *
sqlite_path(const char *cmd, const char *url)
{
    if (strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0) {
        fprintf(stderr,
                "parley %s: --db: PostgreSQL is backed up with pg_dump or pg_basebackup "
                "(see docs/DEPLOY.md, \"Backups\")\n",
                cmd);
        return NULL;
    }
    const char *p = strncmp(url, "sqlite://", 9) == 0 ? url + 9
                    : strncmp(url, "sqlite:", 7) == 0 ? url + 7
                                                      : NULL;
    if (p == NULL || *p == '\0') {
        fprintf(stderr, "parley %s: --db: want sqlite:PATH, not '%s'\n", cmd, url);
        return NULL;
    }
    return p;
}

static double
now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
one_int(sqlite3 *db, const char *sql, long long *out)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            *out = sqlite3_column_int64(st, 0);
            rc = SQLITE_OK;
        }
    }
    sqlite3_finalize(st);
    return rc;
}

/* Checks an opened copy: quick_check, a schema this program can run (or
 * migrate), and its row counts. Writes why into msg on failure. */
static bool
check_copy(sqlite3 *db, counts *c, char *msg, size_t n)
{
    sqlite3_stmt *st = NULL;
    bool ok = sqlite3_prepare_v2(db, "PRAGMA quick_check", -1, &st, NULL) == SQLITE_OK &&
              sqlite3_step(st) == SQLITE_ROW;
    const char *res = ok ? (const char *)sqlite3_column_text(st, 0) : NULL;
    if (!ok || res == NULL || strcmp(res, "ok") != 0) {
        snprintf(msg, n, "integrity check failed: %s", res ? res : sqlite3_errmsg(db));
        sqlite3_finalize(st);
        return false;
    }
    sqlite3_finalize(st);
    if (one_int(db, "SELECT coalesce(max(version), 0) FROM schema_version", &c->schema) != 0 ||
        one_int(db, "SELECT count(*) FROM comments", &c->comments) != 0 ||
        one_int(db, "SELECT count(*) FROM users", &c->users) != 0 ||
        one_int(db, "SELECT count(*) FROM articles", &c->articles) != 0) {
        snprintf(msg, n, "not a Parley database: %s", sqlite3_errmsg(db));
        return false;
    }
    if (c->schema < 1 || c->schema > store_sqlite_schema_target()) {
        snprintf(msg, n, "schema version %lld, this program knows 1 to %d", c->schema,
                 store_sqlite_schema_target());
        return false;
    }
    return true;
}

/* Copies src into dst with the online backup API in one step: one read
 * transaction on src (writers go on in its WAL), the write lock on dst. */
static int
copy_db(sqlite3 *src, sqlite3 *dst, char *msg, size_t n)
{
    sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
    if (b == NULL) {
        snprintf(msg, n, "%s", sqlite3_errmsg(dst));
        return -1;
    }
    int rc;
    for (int tries = 0; tries < 500; tries++) {
        rc = sqlite3_backup_step(b, -1);
        if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED)
            break;
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    int frc = sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE || frc != SQLITE_OK) {
        snprintf(msg, n, "copy failed: %s", sqlite3_errstr(rc != SQLITE_DONE ? rc : frc));
        return -1;
    }
    return 0;
}

static int
sync_path(const char *path, bool dir)
{
    int fd = open(path, (dir ? O_RDONLY | O_DIRECTORY : O_RDWR) | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

static int
sync_parent(const char *path)
{
    char *copy = strdup(path);
    int rc = copy ? sync_path(dirname(copy), true) : -1;
    free(copy);
    return rc;
}

static long long
file_size(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? (long long)sb.st_size : -1;
}

/* Reads --db, --config and the command's own flags. */
typedef struct cmd_args {
    const char *db, *config_file, *file;
    bool force;
} cmd_args;

static int
parse_args(const char *cmd, const char *file_flag, int argc, char **argv, cmd_args *a, config *cfg)
{
    memset(a, 0, sizeof *a);
    config_init(cfg);
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (!strcmp(arg, "--force")) {
            a->force = true;
            continue;
        }
        const char **slot = !strcmp(arg, "--db")       ? &a->db
                            : !strcmp(arg, "--config") ? &a->config_file
                            : !strcmp(arg, file_flag)  ? &a->file
                                                       : NULL;
        if (slot == NULL)
            return usage_error(cmd, arg, "unknown option");
        if (i + 1 >= argc)
            return usage_error(cmd, arg, "needs a value");
        *slot = argv[++i];
    }
    if (a->file == NULL || a->file[0] == '\0')
        return usage_error(cmd, file_flag, "is required");
    pl_error err;
    if (a->config_file != NULL && config_load_file(cfg, a->config_file, &err) < 0) {
        fprintf(stderr, "parley %s: --config: %s\n", cmd, err.msg);
        return EXIT_USAGE;
    }
    if (config_load_env(cfg, &err) < 0) {
        fprintf(stderr, "parley %s: %s\n", cmd, err.msg);
        return EXIT_USAGE;
    }
    if (a->db == NULL)
        a->db = cfg->db;
    return 0;
}

static void
print_counts(const char *what, const char *path, const counts *c, long long bytes, double secs)
{
    printf("%s %s: %lld comments, %lld users, %lld articles, schema %lld, %lld bytes, %.2f s\n",
           what, path, c->comments, c->users, c->articles, c->schema, bytes, secs);
}

int
backup_cmd_main(int argc, char **argv)
{
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        printf("Usage: parley backup [--db sqlite:PATH] [--config FILE] --to FILE [--force]\n"
               "\n"
               "Copies a SQLite database while the server runs (one consistent instant),\n"
               "checks the copy and prints its counts. --force replaces an existing FILE.\n");
        return 0;
    }
    cmd_args a;
    config cfg;
    int rc = parse_args("backup", "--to", argc, argv, &a, &cfg);
    const char *src_path = rc == 0 ? sqlite_path("backup", a.db) : NULL;
    if (rc != 0 || src_path == NULL) {
        config_fini(&cfg);
        return rc != 0 ? rc : EXIT_USAGE;
    }
    if (!a.force && access(a.file, F_OK) == 0) {
        config_fini(&cfg);
        return usage_error("backup", "--to", "the file exists (--force replaces it)");
    }
    double t0 = now_s();
    char msg[512] = "";
    char *tmp = NULL;
    sqlite3 *src = NULL, *dst = NULL;
    counts c = {0};
    rc = 1;
    size_t tn = strlen(a.file) + 16;
    tmp = malloc(tn);
    if (tmp == NULL)
        goto out;
    snprintf(tmp, tn, "%s.partial", a.file);
    unlink(tmp); /* left by an interrupted run */
    if (sqlite3_open_v2(src_path, &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        snprintf(msg, sizeof msg, "cannot open %s: %s", src_path,
                 src ? sqlite3_errmsg(src) : "out of memory");
        goto out;
    }
    sqlite3_busy_timeout(src, 5000);
    if (sqlite3_open_v2(tmp, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
        snprintf(msg, sizeof msg, "cannot create %s: %s", tmp,
                 dst ? sqlite3_errmsg(dst) : "out of memory");
        goto out;
    }
    if (copy_db(src, dst, msg, sizeof msg) < 0)
        goto out;
    sqlite3_close(src);
    src = NULL;
    /* One self-contained file: no -wal beside it. */
    if (sqlite3_exec(dst, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL) != SQLITE_OK) {
        snprintf(msg, sizeof msg, "cannot finish the copy: %s", sqlite3_errmsg(dst));
        goto out;
    }
    if (!check_copy(dst, &c, msg, sizeof msg))
        goto out;
    sqlite3_close(dst);
    dst = NULL;
    if (sync_path(tmp, false) < 0 || rename(tmp, a.file) < 0 || sync_parent(a.file) < 0) {
        snprintf(msg, sizeof msg, "cannot write %s: %s", a.file, strerror(errno));
        goto out;
    }
    print_counts("backup", a.file, &c, file_size(a.file), now_s() - t0);
    rc = 0;
out:
    if (rc != 0) {
        fprintf(stderr, "parley backup: %s\n", msg[0] ? msg : "out of memory");
        if (tmp)
            unlink(tmp);
    }
    sqlite3_close(src);
    sqlite3_close(dst);
    free(tmp);
    config_fini(&cfg);
    return rc;
}

int
restore_cmd_main(int argc, char **argv)
{
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        printf("Usage: parley restore --from FILE [--db sqlite:PATH] [--config FILE] [--force]\n"
               "\n"
               "Checks a backup and copies it into the database. Stop the server first;\n"
               "an existing database is replaced only with --force.\n");
        return 0;
    }
    cmd_args a;
    config cfg;
    int rc = parse_args("restore", "--from", argc, argv, &a, &cfg);
    const char *dst_path = rc == 0 ? sqlite_path("restore", a.db) : NULL;
    if (rc != 0 || dst_path == NULL) {
        config_fini(&cfg);
        return rc != 0 ? rc : EXIT_USAGE;
    }
    if (!a.force && access(dst_path, F_OK) == 0) {
        config_fini(&cfg);
        return usage_error("restore", "--db",
                           "the database exists (stop the server, then --force replaces it)");
    }
    double t0 = now_s();
    char msg[512] = "";
    sqlite3 *src = NULL, *dst = NULL;
    counts c = {0};
    rc = 1;
    if (sqlite3_open_v2(a.file, &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        snprintf(msg, sizeof msg, "cannot open %s: %s", a.file,
                 src ? sqlite3_errmsg(src) : "out of memory");
        goto out;
    }
    if (!check_copy(src, &c, msg, sizeof msg))
        goto out;
    if (sqlite3_open_v2(dst_path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        snprintf(msg, sizeof msg, "cannot open %s: %s", dst_path,
                 dst ? sqlite3_errmsg(dst) : "out of memory");
        goto out;
    }
    sqlite3_busy_timeout(dst, 5000);
    if (copy_db(src, dst, msg, sizeof msg) < 0)
        goto out;
    if (sqlite3_exec(dst, "PRAGMA journal_mode = WAL", NULL, NULL, NULL) != SQLITE_OK) {
        snprintf(msg, sizeof msg, "cannot switch %s to WAL: %s", dst_path, sqlite3_errmsg(dst));
        goto out;
    }
    print_counts("restored", dst_path, &c, file_size(a.file), now_s() - t0);
    rc = 0;
out:
    if (rc != 0)
        fprintf(stderr, "parley restore: %s\n", msg);
    sqlite3_close(src);
    sqlite3_close(dst);
    config_fini(&cfg);
    return rc;
}
