/* tests/unit/store/store_fixture.h: the fixture both store suites use.
 *
 * Each test opens the store named by PARLEY_TEST_DB_URL, or, without it, a
 * fresh SQLite file in a temporary directory of its own; `tag` is unique to
 * the test, so names made from it never collide in a shared database.
 * Include after cmocka.h and store/store.h.
 */
#ifndef PARLEY_TESTS_STORE_FIXTURE_H
#define PARLEY_TESTS_STORE_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct fixture {
    store *s;
    arena *a;
    char dir[64]; /* temporary directory; "" when the URL came from outside */
    char url[128];
    char tag[48]; /* unique to this test, for e-mails and article ids */
    int seq;
} fixture;

static inline int
setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    pl_error err = {0};
    struct timespec ts;
    const char *env = getenv("PARLEY_TEST_DB_URL");

    clock_gettime(CLOCK_REALTIME, &ts);
    snprintf(f->tag, sizeof f->tag, "%ld-%lld-%ld", (long)getpid(), (long long)ts.tv_sec,
             ts.tv_nsec);
    if (env != NULL && env[0] != '\0') {
        snprintf(f->url, sizeof f->url, "%s", env);
    } else {
        snprintf(f->dir, sizeof f->dir, "/tmp/parley-store-XXXXXX");
        if (mkdtemp(f->dir) == NULL)
            return -1;
        snprintf(f->url, sizeof f->url, "sqlite:%s/test.db", f->dir);
    }
    if (store_open(f->url, false, &f->s, &err) != 0) {
        fprintf(stderr, "store_open %s: %s\n", f->url, err.msg);
        return -1;
    }
    f->a = arena_new();
    *state = f;
    return 0;
}

static inline int
teardown(void **state)
{
    fixture *f = *state;
    char path[160];
    store_close(f->s);
    arena_free(f->a);
    if (f->dir[0] != '\0') {
        static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
        for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
            snprintf(path, sizeof path, "%s/test.db%s", f->dir, suffix[i]);
            unlink(path);
        }
        rmdir(f->dir);
    }
    free(f);
    return 0;
}

#endif
