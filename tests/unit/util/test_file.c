/* tests/unit/util/test_file.c: reading a whole file (util/file.h) and the
 * little-endian helpers (util/le.h): every size around the buffer's growth,
 * the limit and whether more was there, a missing file, a stream. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/file.h"
#include "util/le.h"
#include "util/text.h"

/* A temporary file holding n bytes (byte i is i % 251); its path in path. */
static void
make_file(char path[64], size_t n)
{
    snprintf(path, 64, "/tmp/parley-test-file-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "wb");
    assert_non_null(f);
    for (size_t i = 0; i < n; i++)
        fputc((int)(i % 251), f);
    assert_int_equal(fclose(f), 0);
}

static void
check_bytes(const char *buf, size_t n)
{
    for (size_t i = 0; i < n; i++)
        assert_int_equal((unsigned char)buf[i], i % 251);
    assert_int_equal(buf[n], '\0');
}

static void
reads_every_size_whole(void **state)
{
    (void)state;
    static const size_t sizes[] = {0, 1, 4095, 4096, 4097, 8192, 100000, (size_t)1 << 20};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        char path[64];
        make_file(path, sizes[k]);
        size_t n = 7;
        bool more = true;
        char *buf = file_read(path, SIZE_MAX, &n, &more);
        assert_non_null(buf);
        assert_int_equal(n, sizes[k]);
        assert_false(more);
        check_bytes(buf, n);
        free(buf);
        unlink(path);
    }
}

static void
stops_at_the_limit_and_says_more(void **state)
{
    (void)state;
    char path[64];
    make_file(path, 10000);
    static const size_t limits[] = {0, 1, 4096, 5000, 9999, 10000, 10001};
    for (size_t k = 0; k < sizeof limits / sizeof limits[0]; k++) {
        size_t n;
        bool more;
        char *buf = file_read(path, limits[k], &n, &more);
        assert_non_null(buf);
        assert_int_equal(n, limits[k] < 10000 ? limits[k] : 10000);
        assert_int_equal(more, limits[k] < 10000);
        check_bytes(buf, n);
        free(buf);
        /* more may be left out. */
        buf = file_read(path, limits[k], &n, NULL);
        assert_non_null(buf);
        free(buf);
    }
    unlink(path);
}

static void
missing_file_sets_errno(void **state)
{
    (void)state;
    size_t n;
    errno = 0;
    assert_null(file_read("/nonexistent/parley/file", SIZE_MAX, &n, NULL));
    assert_int_equal(errno, ENOENT);
}

static void
reads_a_stream(void **state)
{
    (void)state;
    char path[64];
    make_file(path, 5000);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fgetc(f), 0); /* the stream is read from where it stands */
    size_t n;
    bool more;
    char *buf = file_read_stream(f, SIZE_MAX, &n, &more);
    fclose(f);
    assert_non_null(buf);
    assert_int_equal(n, 4999);
    assert_false(more);
    for (size_t i = 0; i < n; i++)
        assert_int_equal((unsigned char)buf[i], (i + 1) % 251);
    free(buf);
    unlink(path);
}

static void
little_endian_round_trips(void **state)
{
    (void)state;
    unsigned char b[4];
    le_put_u32(b, 0x12345678u);
    assert_int_equal(b[0], 0x78);
    assert_int_equal(b[1], 0x56);
    assert_int_equal(b[2], 0x34);
    assert_int_equal(b[3], 0x12);
    assert_int_equal(le_get_u32(b), 0x12345678u);
    le_put_f32(b, -1.5f);
    assert_int_equal(le_get_u32(b), 0xBFC00000u);
    assert_true(le_get_f32(b) == -1.5f);
}

static void
hex_digits(void **state)
{
    (void)state;
    for (int c = -128; c < 256; c++) {
        int want = c >= '0' && c <= '9'   ? c - '0'
                   : c >= 'a' && c <= 'f' ? c - 'a' + 10
                   : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                          : -1;
        assert_int_equal(hex_digit(c), want);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reads_every_size_whole),
        cmocka_unit_test(stops_at_the_limit_and_says_more),
        cmocka_unit_test(missing_file_sets_errno),
        cmocka_unit_test(reads_a_stream),
        cmocka_unit_test(little_endian_round_trips),
        cmocka_unit_test(hex_digits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
