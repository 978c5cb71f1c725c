/* import/import_cmd.c: the `parley import` command line (see import_cmd.h).
 *
 * Flags follow src/main.c: `--help` prints the usage on standard output and
 * exits 0; a bad flag or value prints one line naming it and exits 2. The
 * database comes from --db, else the config (file, then environment), else
 * the same default as `parley serve`.
 *
 * The converted messages wait in an unnamed temporary file (import/spool.h)
 * between reading and writing. Its directory: $TMPDIR when set; else, for
 * a SQLite database, the database's own directory (on disk, and with room
 * for the same text soon anyway); else /var/tmp, which, unlike /tmp on many
 * systems, is not kept in memory. A dry run uses it too, so it needs no
 * more memory than a real run.
 */
#include "import/import_cmd.h"
#include "import/disqus.h"
#include "import/import.h"
#include "import/isso.h"
#include "import/parley_cmd.h"
#include "import/sources.h"
#include "import/spool.h"
#include "moderation/moderation.h"
#include "store/store.h"
#include "util/config.h"
#include "util/log.h"
#include "util/text.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define EXIT_USAGE 2

/* A reader of one system's export that opens FILE (the path given, a file
 * or a directory) itself. */
typedef int (*path_reader)(const char *path, arena *a, spool *bodies, disqus_warn_fn warn,
                           void *warn_arg, disqus_export *out, pl_error *err);

typedef struct source_def {
    const char *name; /* as on the command line */
    const char *what; /* for the usage: "Imports the threads and comments of ..." */
    const char *file; /* what FILE is, for "... is required" */
    /* The reader: of the path, or of the file opened as a stream (one of
     * the two is set). */
    path_reader read;
    import_stream_reader read_stream;
} source_def;

static const source_def SOURCES[] = {
    {"disqus", "a Disqus XML export", "the Disqus export", disqus_parse_file, NULL},
    {"wordpress", "a WordPress export (WXR, the XML file of Tools > Export)",
     "the WordPress export", wxr_parse_file, NULL},
    {"isso", "an Isso database (its SQLite file)", "the Isso database", isso_read, NULL},
    {"remark42", "a Remark42 backup file (JSON lines, unpacked)", "the Remark42 backup", NULL,
     remark42_read},
    {"commento", "a Commento export (JSON, unpacked)", "the Commento export", NULL, commento_read},
    {"coral",
     "Coral's stories, users and comments collections, exported with mongoexport\n"
     "into one directory (stories.json, users.json, comments.json)",
     "the directory of Coral's collections", coral_read_dir, NULL},
};

/* Reads file with d's reader, opening it first for a stream reader. */
static int
read_source(const source_def *d, const char *file, arena *a, spool *bodies, disqus_warn_fn warn,
            disqus_export *out, pl_error *err)
{
    if (d->read != NULL)
        return d->read(file, a, bodies, warn, NULL, out, err);
    memset(out, 0, sizeof *out);
    FILE *f = fopen(file, "re");
    if (f == NULL)
        return pl_errorf(err, PL_EIO, "cannot open: %s", strerror(errno));
    int rc = d->read_stream(f, a, bodies, warn, NULL, out, err);
    fclose(f);
    return rc;
}

/* The source being imported (one command per run). */
static const source_def *src_def = &SOURCES[0];
#define src (src_def->name)

static void
usage(FILE *f)
{
    fprintf(f,
            "Usage: parley import %s FILE [--db URL] [--config FILE] [--force]\n"
            "                                 [--dry-run] [--moderate] [--log-level LEVEL]\n"
            "\n"
            "Imports the threads and comments of %s (see docs/IMPORT.md).\n"
            "\n"
            "  --db URL           sqlite:PATH (default sqlite:parley.db) or postgres://...\n"
            "  --config FILE      settings file, 'name = value' per line; import.real_emails =\n"
            "                     on gives imported accounts the export's e-mail addresses\n"
            "  --force            also import threads whose article already has comments\n"
            "  --dry-run          read and count only; the database is not opened\n"
            "  --moderate         judge each comment with the moderation engine: what it\n"
            "                     would hold is stored pending, what it would refuse rejected\n"
            "  --log-level LEVEL  error, warn, info (default) or debug\n",
            src, src_def->what);
}

static int
bad_flag(const char *flag, const char *why)
{
    fprintf(stderr, "parley import %s: %s: %s (see 'parley import %s --help')\n", src, flag, why,
            src);
    return EXIT_USAGE;
}

static void
on_warning(void *arg, size_t line, const char *msg)
{
    (void)arg;
    if (line > 0)
        fprintf(stderr, "parley import: line %zu: %s\n", line, msg);
    else
        fprintf(stderr, "parley import: %s\n", msg);
}

/* Warnings of the Isso reader: each names the comment (its Isso id) itself. */
static void
on_isso_warning(void *arg, size_t id, const char *msg)
{
    (void)arg;
    (void)id;
    fprintf(stderr, "parley import isso: %s\n", msg);
}

/* Warnings of the JSON readers: the line of the file, when known. */
static void
on_json_warning(void *arg, size_t line, const char *msg)
{
    (void)arg;
    if (line > 0)
        fprintf(stderr, "parley import %s: line %zu: %s\n", src, line, msg);
    else
        fprintf(stderr, "parley import %s: %s\n", src, msg);
}

typedef struct cmd_opts {
    const char *file, *db, *config_file, *log_level;
    bool force, dry_run, moderate;
} cmd_opts;

/* Returns 0, 1 after --help, or EXIT_USAGE. */
static int
parse_args(int argc, char **argv, cmd_opts *o)
{
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
            usage(stdout);
            return 1;
        }
        if (!strcmp(arg, "--force")) {
            o->force = true;
            continue;
        }
        if (!strcmp(arg, "--dry-run")) {
            o->dry_run = true;
            continue;
        }
        if (!strcmp(arg, "--moderate")) {
            o->moderate = true;
            continue;
        }
        const char **slot = !strcmp(arg, "--db")          ? &o->db
                            : !strcmp(arg, "--config")    ? &o->config_file
                            : !strcmp(arg, "--log-level") ? &o->log_level
                                                          : NULL;
        if (slot == NULL && arg[0] == '-')
            return bad_flag(arg, "unknown option");
        if (slot == NULL) {
            if (o->file != NULL)
                return bad_flag(arg, "only one export file at a time");
            o->file = arg;
            continue;
        }
        if (i + 1 >= argc)
            return bad_flag(arg, "needs a value");
        *slot = argv[++i];
    }
    if (o->file == NULL) {
        char why[160];
        snprintf(why, sizeof why, "%s to import is required", src_def->file);
        return bad_flag("FILE", why);
    }
    return 0;
}

/* Settings: file, environment, then the flags, as `parley serve` does. */
static int
load_settings(const cmd_opts *o, config *cfg, bool *real_emails)
{
    pl_error err;
    if (o->config_file != NULL && config_load_file(cfg, o->config_file, &err) < 0) {
        fprintf(stderr, "parley import %s: --config: %s\n", src, err.msg);
        return EXIT_USAGE;
    }
    if (config_load_env(cfg, &err) < 0) {
        fprintf(stderr, "parley import %s: %s\n", src, err.msg);
        return EXIT_USAGE;
    }
    if (o->db != NULL && config_set(cfg, "db", o->db, &err) < 0)
        return bad_flag("--db", err.msg);
    if (o->log_level != NULL && config_set(cfg, "log_level", o->log_level, &err) < 0)
        return bad_flag("--log-level", err.msg);
    int lvl = log_level_parse(cfg->log_level);
    if (lvl < 0)
        return bad_flag(o->log_level ? "--log-level" : "log_level",
                        "must be error, warn, info or debug");
    log_level = lvl;
    const char *re = config_extra(cfg, "import.real_emails");
    *real_emails = false;
    if (re != NULL) {
        if (!strcasecmp(re, "on") || !strcasecmp(re, "true") || !strcmp(re, "1"))
            *real_emails = true;
        else if (strcasecmp(re, "off") != 0 && strcasecmp(re, "false") != 0 && strcmp(re, "0") != 0)
            return bad_flag("import.real_emails", "must be on or off");
    }
    return 0;
}

/* Where the temporary file goes (see the top of this file), in a. */
static const char *
spool_dir(arena *a, const char *db, bool dry_run)
{
    const char *env = getenv("TMPDIR");
    if (env != NULL && env[0] != '\0')
        return env;
    const char *path = NULL;
    if (!dry_run && strncmp(db, "sqlite://", 9) == 0)
        path = db + 9;
    else if (!dry_run && strncmp(db, "sqlite:", 7) == 0)
        path = db + 7;
    if (path == NULL || path[0] == '\0' || path[0] == ':')
        return "/var/tmp"; /* PostgreSQL, a dry run, or no file (":memory:") */
    const char *slash = strrchr(path, '/');
    if (slash == NULL)
        return ".";
    return slash == path ? "/" : arena_strndup(a, path, (size_t)(slash - path));
}

static void
summary(const cmd_opts *o, const import_stats *st)
{
    printf("%s%zu threads, %zu comments (%zu published, %zu pending, %zu rejected, %zu "
           "deleted), %zu new users, %zu existing users; %zu threads imported before brought up "
           "to date, %zu comments imported before left as they are; skipped %zu threads with "
           "comments, %zu deleted threads, %zu empty threads; %zu shortened, %zu orphaned "
           "replies\n",
           o->dry_run ? "dry run, nothing written: would import " : "imported ", st->threads,
           st->comments, st->published, st->pending, st->rejected, st->deleted, st->users,
           st->users_reused, st->threads_updated, st->comments_known, st->threads_skipped,
           st->threads_deleted, st->threads_empty, st->truncated, st->orphans);
}

static int
import_disqus_main(int argc, char **argv)
{
    cmd_opts o = {0};
    int rc = parse_args(argc, argv, &o);
    if (rc != 0)
        return rc == 1 ? 0 : rc;
    config cfg;
    config_init(&cfg);
    bool real_emails;
    moderation *mod = NULL;
    store *s = NULL;
    arena *a = NULL;
    spool *bodies = NULL;
    pl_error err;
    if ((rc = load_settings(&o, &cfg, &real_emails)) != 0)
        goto done;
    rc = 1;
    if (sodium_init() < 0) {
        fprintf(stderr, "parley import %s: libsodium could not start\n", src);
        goto done;
    }
    if (o.moderate && moderation_new(&cfg, &mod, &err) < 0) {
        fprintf(stderr, "parley import %s: %s\n", src, err.msg);
        goto done;
    }
    /* The whole file is read before anything is written, so a malformed
     * export changes nothing. */
    a = arena_new();
    const char *tmp = spool_dir(a, cfg.db, o.dry_run);
    if (spool_open(tmp, &bodies, &err) < 0) {
        fprintf(stderr, "parley import %s: %s (set TMPDIR to another directory)\n", src, err.msg);
        goto done;
    }
    disqus_export x;
    disqus_warn_fn warn = !strcmp(src, "disqus") || !strcmp(src, "wordpress") ? on_warning
                          : !strcmp(src, "isso")                              ? on_isso_warning
                                                                              : on_json_warning;
    if (read_source(src_def, o.file, a, bodies, warn, &x, &err) < 0) {
        fprintf(stderr, "parley import %s: %s: %s\n", src, o.file, err.msg);
        goto done;
    }
    log_debug("import: %zu posts read; their messages take %llu bytes in a temporary file in %s",
              x.n_posts, (unsigned long long)spool_size(bodies), tmp);
    if (!o.dry_run && store_open(cfg.db, false, &s, &err) < 0) {
        char shown[512];
        text_redact_url(cfg.db, shown, sizeof shown);
        fprintf(stderr, "parley import %s: cannot open %s: %s\n", src, shown, err.msg);
        goto done;
    }
    import_options io = {0};
    io.force = o.force;
    io.dry_run = o.dry_run;
    io.real_emails = real_emails;
    io.max_chars = (size_t)cfg.max_comment_chars;
    io.mod = mod;
    io.progress = stderr;
    import_stats st;
    int irc = import_disqus(s, &x, &io, &st, &err);
    summary(&o, &st);
    if (irc < 0) {
        fprintf(stderr, "parley import %s: %s\n", src, err.msg);
        goto done;
    }
    rc = 0;
done:
    store_close(s);
    spool_close(bodies);
    arena_free(a);
    moderation_free(mod);
    config_fini(&cfg);
    return rc;
}

int
import_cmd_main(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fprintf(argc < 2 ? stderr : stdout,
                "Usage: parley import disqus FILE [--db URL] [--config FILE] [--force] "
                "[--dry-run] [--moderate]\n"
                "       parley import isso FILE [--db URL] [--config FILE] [--force] "
                "[--dry-run] [--moderate]\n"
                "       parley import wordpress FILE ...  (the same flags)\n"
                "       parley import remark42 FILE ...   (the same flags)\n"
                "       parley import commento FILE ...   (the same flags)\n"
                "       parley import coral DIR ...       (the same flags)\n"
                "       parley import parley FILE [--db URL] [--config FILE] [--dry-run]\n");
        return argc < 2 ? EXIT_USAGE : 0;
    }
    for (size_t i = 0; i < sizeof SOURCES / sizeof SOURCES[0]; i++) {
        if (!strcmp(argv[1], SOURCES[i].name)) {
            src_def = &SOURCES[i];
            return import_disqus_main(argc - 1, argv + 1);
        }
    }
    if (!strcmp(argv[1], "parley"))
        return parley_import_main(argc - 1, argv + 1);
    fprintf(stderr, "parley import: unknown source '%s' (see 'parley import --help')\n", argv[1]);
    return EXIT_USAGE;
}
