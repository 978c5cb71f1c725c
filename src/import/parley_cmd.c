/* import/parley_cmd.c: see parley_cmd.h. Flags follow src/main.c: --help
 * prints the usage and exits 0; a bad flag prints one line and exits 2. */
#include "import/parley_cmd.h"
#include "import/parley.h"
#include "util/config.h"
#include "util/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define EXIT_USAGE 2

typedef struct opts {
    const char *cmd; /* "export" or "import parley", for messages */
    const char *file, *db, *config_file;
    bool dry_run;
} opts;

static int
bad_flag(const opts *o, const char *flag, const char *why)
{
    fprintf(stderr, "parley %s: %s: %s (see 'parley %s --help')\n", o->cmd, flag, why, o->cmd);
    return EXIT_USAGE;
}

static void
export_usage(FILE *f)
{
    fprintf(f, "Usage: parley export --to FILE [--db URL] [--config FILE]\n"
               "\n"
               "Writes the whole server (its sites, users without passwords, the settings edited\n"
               "in the desk, articles, comments with their threads, flags, likes, the moderation\n"
               "log) as JSON lines; see docs/IMPORT.md.\n"
               "\n"
               "  --to FILE       where to write ('-' for standard output); written to\n"
               "                  FILE.partial first and renamed when complete\n"
               "  --db URL        sqlite:PATH (default sqlite:parley.db) or postgres://...\n"
               "  --config FILE   settings file, 'name = value' per line\n");
}

static void
import_usage(FILE *f)
{
    fprintf(f, "Usage: parley import parley FILE [--db URL] [--config FILE] [--dry-run]\n"
               "\n"
               "Reads a file written by 'parley export' into this site. Running it again, or\n"
               "after an interruption, stores nothing twice; see docs/IMPORT.md.\n"
               "\n"
               "  --db URL        sqlite:PATH (default sqlite:parley.db) or postgres://...\n"
               "  --config FILE   settings file, 'name = value' per line\n"
               "  --dry-run       read, check and count only; the database is not opened\n");
}

/* Returns 0, 1 after --help, or EXIT_USAGE. */
static int
parse(int argc, char **argv, opts *o, bool export)
{
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
            if (export)
                export_usage(stdout);
            else
                import_usage(stdout);
            return 1;
        }
        if (!export && !strcmp(arg, "--dry-run")) {
            o->dry_run = true;
            continue;
        }
        const char **slot = !strcmp(arg, "--db")             ? &o->db
                            : !strcmp(arg, "--config")       ? &o->config_file
                            : export && !strcmp(arg, "--to") ? &o->file
                                                             : NULL;
        if (slot == NULL && (arg[0] == '-' || export))
            return bad_flag(o, arg, "unknown option");
        if (slot == NULL) {
            if (o->file != NULL)
                return bad_flag(o, arg, "only one file at a time");
            o->file = arg;
            continue;
        }
        if (i + 1 >= argc)
            return bad_flag(o, arg, "needs a value");
        *slot = argv[++i];
    }
    if (o->file == NULL)
        return bad_flag(o, export ? "--to" : "FILE", "is required");
    return 0;
}

static int
settings(const opts *o, config *cfg)
{
    pl_error err;
    if (o->config_file != NULL && config_load_file(cfg, o->config_file, &err) < 0)
        return bad_flag(o, "--config", err.msg);
    if (config_load_env(cfg, &err) < 0) {
        fprintf(stderr, "parley %s: %s\n", o->cmd, err.msg);
        return EXIT_USAGE;
    }
    if (o->db != NULL && config_set(cfg, "db", o->db, &err) < 0)
        return bad_flag(o, "--db", err.msg);
    int lvl = log_level_parse(cfg->log_level);
    if (lvl >= 0)
        log_level = lvl;
    return 0;
}

int
parley_export_main(int argc, char **argv)
{
    opts o = {.cmd = "export"};
    int rc = parse(argc, argv, &o, true);
    if (rc != 0)
        return rc == 1 ? 0 : rc;
    config cfg;
    config_init(&cfg);
    store *s = NULL;
    FILE *out = NULL;
    char *partial = NULL;
    pl_error err;
    if ((rc = settings(&o, &cfg)) != 0)
        goto done;
    rc = 1;
    if (store_open(cfg.db, true, &s, &err) < 0) {
        fprintf(stderr, "parley export: cannot open %s: %s\n", cfg.db, err.msg);
        goto done;
    }
    bool to_stdout = strcmp(o.file, "-") == 0;
    if (to_stdout) {
        out = stdout;
    } else {
        size_t n = strlen(o.file) + sizeof ".partial";
        partial = malloc(n);
        if (partial == NULL)
            abort();
        snprintf(partial, n, "%s.partial", o.file);
        /* The file holds readers' e-mail addresses: readable by its owner
         * only, whatever the umask. */
        int fd = open(partial, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0 || (out = fdopen(fd, "w")) == NULL) {
            fprintf(stderr, "parley export: cannot create %s: %s\n", partial, strerror(errno));
            if (fd >= 0)
                close(fd);
            goto done;
        }
    }
    parley_counts c;
    int erc = parley_export(s, out, &c, &err);
    if (!to_stdout) {
        if (fclose(out) != 0 && erc == 0)
            erc = pl_errorf(&err, PL_EIO, "cannot write %s: %s", partial, strerror(errno));
        out = NULL;
        if (erc == 0 && rename(partial, o.file) != 0)
            erc = pl_errorf(&err, PL_EIO, "cannot rename %s to %s: %s", partial, o.file,
                            strerror(errno));
        if (erc < 0)
            remove(partial);
    }
    if (erc < 0) {
        fprintf(stderr, "parley export: %s\n", err.msg);
        goto done;
    }
    fprintf(to_stdout ? stderr : stdout,
            "exported %lld users, %lld articles, %lld comments, %lld flags, %lld likes, %lld log "
            "entries, %lld sites, %lld settings versions, %lld moderators' site limits\n",
            (long long)c.users, (long long)c.articles, (long long)c.comments, (long long)c.flags,
            (long long)c.likes, (long long)c.log, (long long)c.sites, (long long)c.settings,
            (long long)c.moderator_sites);
    rc = 0;
done:
    if (out != NULL && out != stdout)
        fclose(out);
    free(partial);
    store_close(s);
    config_fini(&cfg);
    return rc;
}

int
parley_import_main(int argc, char **argv)
{
    opts o = {.cmd = "import parley"};
    int rc = parse(argc, argv, &o, false);
    if (rc != 0)
        return rc == 1 ? 0 : rc;
    config cfg;
    config_init(&cfg);
    store *s = NULL;
    FILE *in = NULL;
    pl_error err;
    if ((rc = settings(&o, &cfg)) != 0)
        goto done;
    rc = 1;
    if ((in = fopen(o.file, "r")) == NULL) {
        fprintf(stderr, "parley import parley: cannot open %s: %s\n", o.file, strerror(errno));
        goto done;
    }
    if (!o.dry_run && store_open(cfg.db, false, &s, &err) < 0) {
        fprintf(stderr, "parley import parley: cannot open %s: %s\n", cfg.db, err.msg);
        goto done;
    }
    parley_import_stats st;
    size_t line = 0;
    int irc = parley_import(s, in, o.dry_run, &st, &line, &err);
    printf("%s%lld users (%lld already had an account), %lld articles, %lld comments "
           "(%lld published, %lld pending, %lld rejected, %lld deleted, %lld hidden; %lld "
           "orphaned replies), %lld flags, %lld likes, %lld log entries, %lld sites, %lld "
           "settings versions, %lld moderators' site limits; %lld records skipped (imported "
           "before)\n",
           o.dry_run ? "dry run, nothing written: would import " : "imported ",
           (long long)st.stored.users, (long long)st.users_matched, (long long)st.stored.articles,
           (long long)st.stored.comments, (long long)st.published, (long long)st.pending,
           (long long)st.rejected, (long long)st.deleted, (long long)st.hidden,
           (long long)st.orphans, (long long)st.stored.flags, (long long)st.stored.likes,
           (long long)st.stored.log, (long long)st.stored.sites, (long long)st.stored.settings,
           (long long)st.stored.moderator_sites, (long long)st.skipped);
    if (irc < 0) {
        fprintf(stderr, "parley import parley: %s: line %zu: %s\n", o.file, line, err.msg);
        goto done;
    }
    rc = 0;
done:
    if (in != NULL)
        fclose(in);
    store_close(s);
    config_fini(&cfg);
    return rc;
}
