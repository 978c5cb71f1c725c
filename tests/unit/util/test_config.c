/* tests/unit/util/test_config.c: the settings table: defaults, config_set,
 * config files, the environment and extra dotted keys. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/config.h"

/* Writes text to a fresh temporary file; the caller unlinks path. */
static void
write_temp(char path[64], const char *text)
{
    strcpy(path, "/tmp/parley-test-config-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    size_t n = strlen(text);
    assert_int_equal(write(fd, text, n), (ssize_t)n);
    close(fd);
}

/* Loads text as a config file over the defaults; returns the status. */
static int
load_text(config *c, const char *text, pl_error *err, char path_out[64])
{
    char path[64];
    write_temp(path, text);
    int rc = config_load_file(c, path, err);
    unlink(path);
    if (path_out != NULL)
        strcpy(path_out, path);
    return rc;
}

static void
defaults(void **state)
{
    (void)state;
    config c;
    config_init(&c);
    assert_string_equal(c.listen, "127.0.0.1:8080");
    assert_string_equal(c.db, "sqlite:parley.db");
    assert_int_equal(c.threads, 0);
    assert_int_equal(c.max_body, 65536);
    assert_int_equal(c.max_comment_chars, 5000);
    assert_int_equal(c.edit_window_s, 900);
    assert_true(c.rate_limit);
    assert_true(c.demo);
    assert_string_equal(c.public_url, "");
    assert_string_equal(c.log_level, "info");
    assert_int_equal(c.n_extra, 0);
    assert_null(config_extra(&c, "policy.slur"));
    config_fini(&c);
}

static void
set_accepts_each_type(void **state)
{
    (void)state;
    config c;
    config_init(&c);
    pl_error err;
    assert_int_equal(config_set(&c, "threads", "64", &err), 0);
    assert_int_equal(c.threads, 64);
    assert_int_equal(config_set(&c, "rate_limit", "off", &err), 0);
    assert_false(c.rate_limit);
    assert_int_equal(config_set(&c, "rate_limit", "true", &err), 0);
    assert_true(c.rate_limit);
    assert_int_equal(config_set(&c, "db", "postgres://x/y", &err), 0);
    assert_string_equal(c.db, "postgres://x/y");
    assert_int_equal(config_set(&c, "db", "", &err), 0);
    assert_string_equal(c.db, "");
    config_fini(&c);
}

static void
set_errors_name_the_setting(void **state)
{
    (void)state;
    config c;
    config_init(&c);
    pl_error err;
    assert_int_equal(config_set(&c, "threads", "65", &err), PL_EINVAL);
    assert_int_equal(err.code, PL_EINVAL);
    assert_non_null(strstr(err.msg, "threads"));
    assert_non_null(strstr(err.msg, "65"));
    assert_non_null(strstr(err.msg, "0 to 64"));
    assert_int_equal(c.threads, 0); /* unchanged */

    assert_int_equal(config_set(&c, "max_body", "lots", &err), PL_EINVAL);
    assert_non_null(strstr(err.msg, "max_body"));
    assert_int_equal(config_set(&c, "max_body", "1023", &err), PL_EINVAL);
    assert_int_equal(config_set(&c, "rate_limit", "maybe", &err), PL_EINVAL);
    assert_non_null(strstr(err.msg, "rate_limit"));
    assert_int_equal(config_set(&c, "nosuch", "1", &err), PL_EINVAL);
    assert_non_null(strstr(err.msg, "nosuch"));
    /* Names are exact. */
    assert_int_equal(config_set(&c, "THREADS", "1", &err), PL_EINVAL);
    assert_int_equal(config_set(&c, "threads ", "1", &err), PL_EINVAL);
    /* err may be NULL. */
    assert_int_equal(config_set(&c, "threads", "x", NULL), PL_EINVAL);
    config_fini(&c);
}

static void
extra_dotted_keys(void **state)
{
    (void)state;
    config c;
    config_init(&c);
    pl_error err;
    assert_int_equal(config_set(&c, "policy.slur", "hold", &err), 0);
    assert_int_equal(config_set(&c, "classifier.threshold", "0.8", &err), 0);
    assert_int_equal(config_set(&c, "policy.slur", "reject", &err), 0);
    assert_int_equal(c.n_extra, 2);
    assert_string_equal(config_extra(&c, "policy.slur"), "reject");
    assert_string_equal(config_extra(&c, "classifier.threshold"), "0.8");
    assert_null(config_extra(&c, "policy"));
    assert_null(config_extra(&c, "policy.other"));
    config_fini(&c);
}

static void
file_with_comments_and_quotes(void **state)
{
    (void)state;
    config c;
    config_init(&c);
    pl_error err;
    const char *text = "# Parley settings\n"
                       "\n"
                       "   # indented comment\n"
                       "listen = 0.0.0.0:9000\n"
                       "threads=4\n"
                       "\tmax_body   =   2048   \n"
                       "db = \"sqlite:/var/lib/parley/x.db\"\n"
                       "public_url = \"\"\n"
                       "log_level = \"debug\"\n"
                       "rate_limit = off\r\n"
                       "policy.slur = hold\n"
                       "allowed_origins = \"https://a.example https://b.example\"";
    assert_int_equal(load_text(&c, text, &err, NULL), 0);
    assert_string_equal(c.listen, "0.0.0.0:9000");
    assert_int_equal(c.threads, 4);
    assert_int_equal(c.max_body, 2048);
    assert_string_equal(c.db, "sqlite:/var/lib/parley/x.db");
    assert_string_equal(c.public_url, "");
    assert_string_equal(c.log_level, "debug");
    assert_false(c.rate_limit);
    assert_string_equal(config_extra(&c, "policy.slur"), "hold");
    /* The last line has no newline and is still read. */
    assert_string_equal(c.allowed_origins, "https://a.example https://b.example");
    config_fini(&c);
}

static void
file_errors_give_file_and_line(void **state)
{
    (void)state;
    config c;
    pl_error err;
    char path[64], where[96];

    config_init(&c);
    assert_int_equal(load_text(&c, "# ok\nlisten = x\n\nthreads = 99\n", &err, path), PL_EINVAL);
    snprintf(where, sizeof where, "%s:4:", path);
    assert_non_null(strstr(err.msg, where));
    assert_non_null(strstr(err.msg, "threads"));
    config_fini(&c);

    config_init(&c);
    assert_int_equal(load_text(&c, "listen = x\nno equals sign\n", &err, path), PL_EINVAL);
    snprintf(where, sizeof where, "%s:2:", path);
    assert_non_null(strstr(err.msg, where));
    config_fini(&c);

    config_init(&c);
    assert_int_equal(load_text(&c, "\n\n\nbogus = 1\n", &err, path), PL_EINVAL);
    snprintf(where, sizeof where, "%s:4:", path);
    assert_non_null(strstr(err.msg, where));
    assert_non_null(strstr(err.msg, "bogus"));
    config_fini(&c);

    /* A line longer than the reader's buffer is an error, not two lines. */
    config_init(&c);
    size_t n = 10000;
    char *long_text = malloc(n + 16);
    strcpy(long_text, "listen = ");
    memset(long_text + 9, 'x', n);
    strcpy(long_text + 9 + n, "\n");
    assert_int_equal(load_text(&c, long_text, &err, path), PL_EINVAL);
    snprintf(where, sizeof where, "%s:1:", path);
    assert_non_null(strstr(err.msg, where));
    assert_string_equal(c.listen, "127.0.0.1:8080");
    free(long_text);
    config_fini(&c);

    config_init(&c);
    assert_int_equal(config_load_file(&c, "/nonexistent/parley.conf", &err), PL_EINVAL);
    assert_non_null(strstr(err.msg, "/nonexistent/parley.conf"));
    config_fini(&c);
}

static void
environment_overrides(void **state)
{
    (void)state;
    config c;
    config_init(&c);
    pl_error err;
    assert_int_equal(load_text(&c, "threads = 2\nlisten = a:1\n", &err, NULL), 0);
    setenv("PARLEY_THREADS", "8", 1);
    setenv("PARLEY_PUBLIC_URL", "https://comments.example.com", 1);
    setenv("PARLEY_RATE_LIMIT", "no", 1);
    assert_int_equal(config_load_env(&c, &err), 0);
    assert_int_equal(c.threads, 8);
    assert_string_equal(c.public_url, "https://comments.example.com");
    assert_false(c.rate_limit);
    assert_string_equal(c.listen, "a:1"); /* not in the environment: file value stays */

    setenv("PARLEY_MAX_BODY", "12", 1);
    assert_int_equal(config_load_env(&c, &err), PL_EINVAL);
    assert_non_null(strstr(err.msg, "PARLEY_MAX_BODY"));
    assert_non_null(strstr(err.msg, "max_body"));

    unsetenv("PARLEY_THREADS");
    unsetenv("PARLEY_PUBLIC_URL");
    unsetenv("PARLEY_RATE_LIMIT");
    unsetenv("PARLEY_MAX_BODY");
    config_fini(&c);
}

static void
help_lists_every_setting(void **state)
{
    (void)state;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    config_print_help(f);
    fclose(f);
    assert_non_null(strstr(text, "listen"));
    assert_non_null(strstr(text, "max_comment_chars"));
    assert_non_null(strstr(text, "(default 65536)"));
    assert_non_null(strstr(text, "(default on)"));
    assert_non_null(strstr(text, "(default \"127.0.0.1:8080\")"));
    free(text);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults),
        cmocka_unit_test(set_accepts_each_type),
        cmocka_unit_test(set_errors_name_the_setting),
        cmocka_unit_test(extra_dotted_keys),
        cmocka_unit_test(file_with_comments_and_quotes),
        cmocka_unit_test(file_errors_give_file_and_line),
        cmocka_unit_test(environment_overrides),
        cmocka_unit_test(help_lists_every_setting),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
