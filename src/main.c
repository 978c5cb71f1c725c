/* main.c: Parley's command line.
 *
 *   parley serve [--listen HOST:PORT] [--db URL] [--config FILE] [--rate-limit on|off]
 *   parley admin create-user [--db URL] --email E --name N --role reader|moderator|admin
 *   parley check [options] < comment.txt
 *   parley config --check [--config FILE]
 *   parley import disqus FILE [--db URL] [--config FILE] [--force] [--dry-run] [--moderate]
 *   parley backup [--db sqlite:PATH] --to FILE [--force]
 *   parley restore --from FILE [--db sqlite:PATH] [--force]
 *   parley import parley FILE [--db URL] [--config FILE] [--dry-run]
 *   parley export --to FILE [--db URL] [--config FILE]
 *   parley --version
 *
 * A bad flag or value prints one line naming it and exits with status 2.
 */
#include "api/api.h"
#include "api/jwt.h"
#include "api/oidc.h"
#include "api/passwords.h"
#include "api/perspective.h"
#include "app/metrics.h"
#include "app/pages.h"
#include "app/site.h"
#include "import/import_cmd.h"
#include "import/parley_cmd.h"
#include "mail/mail.h"
#include "moderation/check_cmd.h"
#include "server/server.h"
#include "server/static.h"
#include "store/backup.h"
#include "store/store.h"
#include "util/config.h"
#include "util/log.h"
#include "util/text.h"
#include "version.h"

#include <sodium.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXIT_USAGE 2

/* ---- the product as the server sees it ---------------------------------- */

/* The server (src/server/) is transport only: these are its handlers, in the
 * order it tries them, and the product's hooks (server/server.h). */
static const server_route product_routes[] = {
    /* The API: CORS and Origin checks, JSON bodies (api_dispatch reads the
     * session cookie). */
    {"/api/", ROUTE_API_CHECKS | ROUTE_VARY_ORIGIN, "Content-Type", "/api/v1/unsubscribe", NULL,
     api_dispatch},
    /* The Perspective-compatible endpoint: the API's checks, no session,
     * Google's error shape, and only when keys are set. Its CORS headers
     * and Origin check depend on the Origin, as the API's do. */
    {"/v1alpha1/", ROUTE_API_CHECKS | ROUTE_GOOGLE_ERRORS | ROUTE_VARY_ORIGIN,
     "Content-Type, X-Goog-Api-Key", NULL, perspective_open, perspective_dispatch},
    /* Everything else: the widget's files, the pages, the desk, /healthz. */
    {"", 0, NULL, NULL, NULL, pages_dispatch},
};

static void
product_route_label(int route, char *buf, size_t n)
{
    static const char *const fixed[] = {"static", "page", "healthz"};
    if (route >= ROUTE_API && route - ROUTE_API < api_route_count())
        api_route_name(route - ROUTE_API, buf, n);
    else if (route >= ROUTE_STATIC && route < ROUTE_API)
        snprintf(buf, n, "%s", fixed[route - ROUTE_STATIC]);
    else
        snprintf(buf, n, "other");
}

/* The product's part of the checks `parley serve` and `parley config
 * --check` make (server_check_config runs it after the listen address and
 * the database URL): sso_secret, the page files, OpenID Connect, the
 * moderation settings. */
static int
product_check_config(const config *cfg, pl_error *err)
{
    if (jwt_secret_check(cfg->sso_secret, err) < 0 || site_check_config(cfg, err) < 0 ||
        oidc_check_config(cfg, err) < 0)
        return -1;
    return site_check_engine(cfg, err);
}

static int
product_start(void *ctx, app *srv, store *writer)
{
    if (site_start(ctx, srv, writer) != 0)
        return -1;
#ifdef __GLIBC__
    /* Starting frees much of what it allocated (the engine built only to
     * check the configuration, the migrations' work): glibc keeps those
     * pages unless asked. Once, here: 4 MB less resident at idle. */
    malloc_trim(0);
#endif
    pl_error err;
    if (oidc_start(server_config(srv), &err) < 0) {
        log_error("msg=\"cannot start OpenID Connect login\" error=\"%s\"", err.msg);
        return -1;
    }
    return 0;
}

static void
product_listening(void *ctx)
{
    site_listening(ctx);
}

static int
product_reload_build(void *ctx, const config *nc, const void *arg, void **staged, pl_error *err)
{
    return site_reload_build(ctx, nc, arg, staged, err);
}

static void *
product_reload_publish(void *ctx, void *staged)
{
    return site_reload_publish(ctx, staged);
}

static void
product_reload_release(void *ctx, void *old)
{
    site_reload_release(ctx, old);
}

static void
product_drain(void *ctx)
{
    (void)ctx;
    /* Logins waiting on a provider hand their jobs on before the writer's
     * queue closes. */
    oidc_drain();
}

static void
product_stop(void *ctx)
{
    oidc_stop();
    site_stop(ctx);
}

static int
product_in_commit(void *ctx, job *j, store *s, pl_error *err)
{
    return site_in_commit(ctx, j, s, err);
}

static void
product_committed(void *ctx, job *j, store *s)
{
    site_committed(ctx, j, s);
}

static int
product_config_overlay(void *ctx, const config *base, config **eff, pl_error *err)
{
    return site_config_overlay(ctx, base, eff, err);
}

static void
product_tick(void *ctx)
{
    site_tick(ctx);
}

static uint64_t
product_article_generation(void *ctx, const char *article_id)
{
    return site_article_generation(ctx, article_id);
}

static server_product
product_of(site_ctx *s)
{
    return (server_product){.routes = product_routes,
                            .n_routes = sizeof product_routes / sizeof product_routes[0],
                            .ctx = s,
                            .route_label = product_route_label,
                            .metrics = site_metrics,
                            .n_metrics = SITE_METRIC_COUNT,
                            .check_config = product_check_config,
                            .restart_only = oidc_setting_at_start,
                            .reload_note = "pages=reread engine=rebuilt",
                            .start = product_start,
                            .listening = product_listening,
                            .reload_build = product_reload_build,
                            .reload_publish = product_reload_publish,
                            .reload_release = product_reload_release,
                            .drain = product_drain,
                            .stop = product_stop,
                            .in_commit = product_in_commit,
                            .committed = product_committed,
                            .config_overlay = product_config_overlay,
                            .tick = product_tick,
                            .article_generation = product_article_generation};
}

static void
usage(FILE *f)
{
    fprintf(f, "Usage: parley <command> [options]\n"
               "\n"
               "Parley is a self-hosted comment system for news sites.\n"
               "\n"
               "Commands:\n"
               "  serve     run the comment server\n"
               "  admin     manage accounts (admin create-user ...)\n"
               "  check     judge one comment with the moderation engine\n"
               "  config    check a config file (config --check --config FILE)\n"
               "  import    bring comment history in (import disqus|parley FILE ...)\n"
               "  export    write the whole site as JSON lines (export --to FILE)\n"
               "  backup    copy a SQLite database while the server runs (backup --to FILE)\n"
               "  restore   put a backup in place (restore --from FILE --db sqlite:PATH)\n"
               "\n"
               "Run 'parley <command> --help' for a command's options;\n"
               "'parley --version' prints the version and the commit it was built from.\n");
}

static void
serve_usage(FILE *f)
{
    fprintf(f, "Usage: parley serve [--listen HOST:PORT] [--db URL] [--config FILE]\n"
               "                    [--rate-limit on|off] [--threads N] [--log-level LEVEL]\n"
               "                    [--metrics-listen HOST:PORT]\n"
               "\n"
               "  --listen HOST:PORT   address to listen on (default 127.0.0.1:8080; port 0\n"
               "                       picks a free one and logs it)\n"
               "  --db URL             sqlite:PATH (default sqlite:parley.db) or postgres://...\n"
               "  --config FILE        settings file, 'name = value' per line\n"
               "  --rate-limit on|off  off disables rate limits (tests and benchmarks only)\n"
               "  --threads N          event-loop threads (default: one per core)\n"
               "  --log-level LEVEL    error, warn, info (default) or debug\n"
               "  --metrics-listen HOST:PORT  serve GET /metrics there (default: off)\n"
               "\n");
    config_print_help(f);
}

static int
bad_flag(const char *cmd, const char *flag, const char *why)
{
    fprintf(stderr, "parley %s: %s: %s (see 'parley %s --help')\n", cmd, flag, why, cmd);
    return EXIT_USAGE;
}

/* Settings given as flags are applied after the config file and the
 * environment, so they win. */
typedef struct flag_setting {
    const char *flag;
    const char *setting;
} flag_setting;

static const flag_setting serve_flags[] = {
    {"--listen", "listen"},         {"--db", "db"},
    {"--rate-limit", "rate_limit"}, {"--threads", "threads"},
    {"--log-level", "log_level"},   {"--metrics-listen", "metrics_listen"},
};

static bool
ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* Builds the config from defaults, the file, the environment and the flags,
 * in that order, and checks the values no single setting can check. On
 * failure writes one line (without the "parley CMD: " prefix) into why. */
static int
build_config(config *cfg, const char *config_file, const char **names, const char **values, int n,
             char *why, size_t whyn)
{
    pl_error err;
    config_init(cfg);
    if (config_file != NULL && config_load_file(cfg, config_file, &err) < 0) {
        snprintf(why, whyn, "--config: %s", err.msg);
        return EXIT_USAGE;
    }
    if (config_load_env(cfg, &err) < 0) {
        snprintf(why, whyn, "%s", err.msg);
        return EXIT_USAGE;
    }
    for (int i = 0; i < n; i++) {
        if (config_set(cfg, names[i], values[i], &err) < 0) {
            snprintf(why, whyn, "%s", err.msg);
            return EXIT_USAGE;
        }
    }
    if (strcmp(cfg->cookie_samesite, "lax") != 0 && strcmp(cfg->cookie_samesite, "none") != 0) {
        snprintf(why, whyn, "cookie_samesite must be lax or none, not '%s'", cfg->cookie_samesite);
        return EXIT_USAGE;
    }
    if (strcmp(cfg->log_addresses, "full") != 0 && strcmp(cfg->log_addresses, "network") != 0 &&
        strcmp(cfg->log_addresses, "none") != 0) {
        snprintf(why, whyn, "log_addresses must be full, network or none, not '%s'",
                 cfg->log_addresses);
        return EXIT_USAGE;
    }
    if (cfg->metrics_listen[0] != '\0' &&
        (!server_listen_valid(cfg->metrics_listen) ||
         (strcmp(cfg->metrics_listen, cfg->listen) == 0 && !ends_with(cfg->listen, ":0")))) {
        snprintf(why, whyn,
                 "metrics_listen must be HOST:PORT and not the public listen address, not '%s'",
                 cfg->metrics_listen);
        return EXIT_USAGE;
    }
    if (log_level_parse(cfg->log_level) < 0) {
        snprintf(why, whyn, "log_level must be error, warn, info or debug, not '%s'",
                 cfg->log_level);
        return EXIT_USAGE;
    }
    if (mail_check_config(cfg, &err) < 0) {
        snprintf(why, whyn, "%s", err.msg);
        return EXIT_USAGE;
    }
    if (strcmp(cfg->webhook_format, "json") != 0 && strcmp(cfg->webhook_format, "slack") != 0) {
        snprintf(why, whyn, "webhook_format must be json or slack, not '%s'", cfg->webhook_format);
        return EXIT_USAGE;
    }
    if (cfg->webhook_url[0] != '\0' && strncmp(cfg->webhook_url, "https://", 8) != 0 &&
        strncmp(cfg->webhook_url, "http://", 7) != 0) {
        snprintf(why, whyn, "webhook_url must be an http:// or https:// URL");
        return EXIT_USAGE;
    }
    return 0;
}

static int
load_config(const char *cmd, config *cfg, const char *config_file, const char **names,
            const char **values, int n)
{
    char why[600];
    int rc = build_config(cfg, config_file, names, values, n, why, sizeof why);
    if (rc != 0) {
        fprintf(stderr, "parley %s: %s\n", cmd, why);
        return rc;
    }
    log_level = log_level_parse(cfg->log_level);
    return 0;
}

/* What `parley serve` was started with, for reloads. */
typedef struct serve_args {
    const char *config_file;
    const char **names, **values;
    int n;
} serve_args;

static int
reload_config(config **out, void *arg, char *why, size_t whyn)
{
    const serve_args *sa = arg;
    config *c = malloc(sizeof *c);
    if (c == NULL) {
        snprintf(why, whyn, "out of memory");
        return 1;
    }
    int rc = build_config(c, sa->config_file, sa->names, sa->values, sa->n, why, whyn);
    if (rc != 0) {
        config_fini(c);
        free(c);
        return rc;
    }
    *out = c;
    return 0;
}

static int
cmd_serve(int argc, char **argv)
{
    const char *config_file = NULL;
    const char *names[16], *values[16];
    int n = 0;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
            serve_usage(stdout);
            return 0;
        }
        if (!strcmp(arg, "--config")) {
            if (i + 1 >= argc)
                return bad_flag("serve", arg, "needs a value");
            config_file = argv[++i];
            continue;
        }
        const flag_setting *fs = NULL;
        for (size_t k = 0; k < sizeof serve_flags / sizeof serve_flags[0]; k++)
            if (!strcmp(arg, serve_flags[k].flag))
                fs = &serve_flags[k];
        if (fs == NULL)
            return bad_flag("serve", arg, "unknown option");
        if (i + 1 >= argc)
            return bad_flag("serve", arg, "needs a value");
        if (n == 16)
            return bad_flag("serve", arg, "too many options");
        names[n] = fs->setting;
        values[n++] = argv[++i];
    }
    config cfg;
    int rc = load_config("serve", &cfg, config_file, names, values, n);
    if (rc != 0) {
        config_fini(&cfg);
        return rc;
    }
    if (!server_listen_valid(cfg.listen)) {
        fprintf(stderr,
                "parley serve: --listen: '%s' is not HOST:PORT with a port from 0 to 65535\n",
                cfg.listen);
        config_fini(&cfg);
        return EXIT_USAGE;
    }
    pl_error err;
    server_product check = product_of(NULL);
    if (server_check_config(&cfg, &check, &err) < 0) {
        fprintf(stderr, "parley serve: %s\n", err.msg);
        config_fini(&cfg);
        return EXIT_USAGE;
    }
    if (sodium_init() < 0) {
        fprintf(stderr, "parley serve: libsodium could not start\n");
        config_fini(&cfg);
        return 1;
    }
    serve_args sa = {config_file, names, values, n};
    site_ctx *st = site_new();
    st->page_site = api_page_site;
    server_product product = product_of(st);
    char assets_version[17];
    static_assets_version(assets, assets_version);
    server_options opts = {.cfg = &cfg,
                           .product = &product,
                           .assets_version = assets_version,
                           .version = PARLEY_VERSION "/" PARLEY_COMMIT,
                           .reload = reload_config,
                           .reload_arg = &sa,
                           .origin_check = api_site_origin_known};
    /* Test hook (tests/api/faults.test.mjs): the writer's nth store call
     * fails, to show that a 500 loses nothing the client was told was kept. */
    const char *fail_after = getenv("PARLEY_TEST_FAIL_AFTER");
    int64_t nth;
    if (fail_after != NULL && parse_int(fail_after, 1, 1000000, &nth) == 0)
        opts.fail_after = (int)nth;
    rc = server_run(&opts);
    site_free(st);
    config_fini(&cfg);
    return rc;
}

static void
create_user_usage(FILE *f)
{
    fprintf(f, "Usage: parley admin create-user [--db URL] --email E --name N\n"
               "                                --role reader|moderator|admin\n"
               "\n"
               "Creates an account. The password is read from standard input (one line).\n"
               "Safe while a server runs on the same database.\n");
}

static int
read_password(char *buf, size_t n)
{
    if (fgets(buf, (int)n, stdin) == NULL)
        return -1;
    size_t len = strlen(buf);
    if (len > 0 && buf[len - 1] != '\n' && !feof(stdin))
        return -2; /* too long */
    while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
        buf[--len] = '\0';
    return 0;
}

static int
cmd_create_user(int argc, char **argv)
{
    const char *db = NULL, *email = NULL, *name = NULL, *role_s = NULL, *config_file = NULL;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
            create_user_usage(stdout);
            return 0;
        }
        const char **slot = !strcmp(arg, "--db")       ? &db
                            : !strcmp(arg, "--email")  ? &email
                            : !strcmp(arg, "--name")   ? &name
                            : !strcmp(arg, "--role")   ? &role_s
                            : !strcmp(arg, "--config") ? &config_file
                                                       : NULL;
        if (slot == NULL)
            return bad_flag("admin create-user", arg, "unknown option");
        if (i + 1 >= argc)
            return bad_flag("admin create-user", arg, "needs a value");
        *slot = argv[++i];
    }
    if (email == NULL)
        return bad_flag("admin create-user", "--email", "is required");
    if (name == NULL || name[0] == '\0' || utf8_length(name, strlen(name)) > 50 ||
        !utf8_valid(name, strlen(name)))
        return bad_flag("admin create-user", "--name", "is required (1 to 50 characters)");
    if (text_has_invisible(name, strlen(name)))
        return bad_flag("admin create-user", "--name",
                        "holds invisible or text-direction characters");
    store_role role;
    if (role_s == NULL)
        return bad_flag("admin create-user", "--role", "is required (reader, moderator or admin)");
    if (store_role_parse(role_s, &role) < 0)
        return bad_flag("admin create-user", "--role", "must be reader, moderator or admin");
    if (!email_shape_valid(email))
        return bad_flag("admin create-user", "--email", "is not a valid e-mail address");
    if (email_domain_reserved(email))
        return bad_flag("admin create-user", "--email",
                        "is in a reserved domain (.invalid, .test, .example, .localhost)");

    config cfg;
    const char *names[1] = {"db"}, *values[1] = {db};
    int rc = load_config("admin create-user", &cfg, config_file, names, values, db ? 1 : 0);
    if (rc != 0) {
        config_fini(&cfg);
        return rc;
    }
    char pw[1100];
    int prc = read_password(pw, sizeof pw);
    if (prc < 0 || strlen(pw) < 8 || strlen(pw) > 1024) {
        fprintf(stderr, "parley admin create-user: the password on standard input must be one "
                        "line of 8 to 1024 bytes\n");
        config_fini(&cfg);
        return EXIT_USAGE;
    }
    const char *why = password_refusal(pw, email, name);
    if (why != NULL) {
        fprintf(stderr, "parley admin create-user: %s\n", why);
        sodium_memzero(pw, sizeof pw);
        config_fini(&cfg);
        return EXIT_USAGE;
    }
    if (sodium_init() < 0) {
        config_fini(&cfg);
        return 1;
    }
    char hash[crypto_pwhash_STRBYTES];
    if (password_hash(hash, pw) < 0) {
        fprintf(stderr, "parley admin create-user: not enough memory to hash the password\n");
        config_fini(&cfg);
        return 1;
    }
    sodium_memzero(pw, sizeof pw);
    char *lower = strdup(email);
    for (char *p = lower; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    store *s = NULL;
    pl_error err;
    rc = 1;
    if (store_open(cfg.db, false, &s, &err) < 0) {
        char shown[512];
        text_redact_url(cfg.db, shown, sizeof shown);
        fprintf(stderr, "parley admin create-user: cannot open %s: %s\n", shown, err.msg);
        goto out;
    }
    store_user u = {0};
    u.email = lower;
    u.name = name;
    u.pw_hash = hash;
    u.role = role;
    u.created_at = time_now_ms();
    int irc = store_user_insert(s, &u, &err);
    if (irc == PL_ECONFLICT) {
        fprintf(stderr, "parley admin create-user: an account with e-mail %s already exists\n",
                lower);
        goto out;
    }
    /* The operator vouches for the address. A failure here leaves a
     * working account whose owner can still confirm by mail. */
    store_user_mail um = {
        .email_verified = true, .notify_replies = true, .notify_moderation = true};
    if (irc == 0 && store_user_mail_set(s, u.id, &um, &err) < 0)
        fprintf(stderr, "parley admin create-user: the address is not marked confirmed: %s\n",
                err.msg);
    if (irc < 0) {
        fprintf(stderr, "parley admin create-user: %s\n", err.msg);
        goto out;
    }
    printf("created user %lld (%s, %s)\n", (long long)u.id, lower, role_s);
    rc = 0;
out:
    store_close(s);
    free(lower);
    config_fini(&cfg);
    return rc;
}

static int
cmd_admin(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fprintf(argc < 2 ? stderr : stdout,
                "Usage: parley admin create-user [--db URL] --email E --name N --role ROLE\n");
        return argc < 2 ? EXIT_USAGE : 0;
    }
    if (!strcmp(argv[1], "create-user"))
        return cmd_create_user(argc - 1, argv + 1);
    fprintf(stderr, "parley admin: unknown subcommand '%s' (see 'parley admin --help')\n", argv[1]);
    return EXIT_USAGE;
}

static int
cmd_config(int argc, char **argv)
{
    const char *config_file = NULL;
    bool check = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf("Usage: parley config --check [--config FILE]\n"
                   "       parley config --sample   (a config file with every setting)\n\n");
            config_print_help(stdout);
            return 0;
        } else if (!strcmp(argv[i], "--sample")) {
            config_print_sample(stdout);
            return 0;
        } else if (!strcmp(argv[i], "--check")) {
            check = true;
        } else if (!strcmp(argv[i], "--config")) {
            if (i + 1 >= argc)
                return bad_flag("config", argv[i], "needs a value");
            config_file = argv[++i];
        } else {
            return bad_flag("config", argv[i], "unknown option");
        }
    }
    if (!check)
        return bad_flag("config", "--check", "is required");
    config cfg;
    int rc = load_config("config", &cfg, config_file, NULL, NULL, 0);
    pl_error err;
    server_product product = product_of(NULL);
    if (rc == 0 && server_check_config(&cfg, &product, &err) < 0) {
        fprintf(stderr, "parley config: %s\n", err.msg);
        rc = EXIT_USAGE;
    }
    if (rc == 0)
        printf("config ok\n");
    config_fini(&cfg);
    return rc;
}

int
main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
        char assets_version[17];
        static_assets_version(assets, assets_version);
        printf("parley %s (commit %s)\nwidget: /embed.js?v=%s\n", PARLEY_VERSION, PARLEY_COMMIT,
               assets_version);
        return 0;
    }
    if (!strcmp(cmd, "serve"))
        return cmd_serve(argc - 1, argv + 1);
    if (!strcmp(cmd, "admin"))
        return cmd_admin(argc - 1, argv + 1);
    if (!strcmp(cmd, "check"))
        return check_cmd_main(argc - 1, argv + 1);
    if (!strcmp(cmd, "config"))
        return cmd_config(argc - 1, argv + 1);
    if (!strcmp(cmd, "import"))
        return import_cmd_main(argc - 1, argv + 1);
    if (!strcmp(cmd, "backup"))
        return backup_cmd_main(argc - 1, argv + 1);
    if (!strcmp(cmd, "restore"))
        return restore_cmd_main(argc - 1, argv + 1);
    if (!strcmp(cmd, "export"))
        return parley_export_main(argc - 1, argv + 1);
    fprintf(stderr, "parley: unknown command '%s' (see 'parley --help')\n", cmd);
    return EXIT_USAGE;
}
