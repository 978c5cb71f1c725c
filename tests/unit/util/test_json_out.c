/* tests/unit/util/test_json_out.c: json_out_compact writes what
 * json_dumps(v, JSON_COMPACT) writes, byte for byte: strings with every
 * control character, quotes, backslashes and UTF-8; integers at their
 * limits; reals of every magnitude; nesting and empty containers; key
 * order. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/json_out.h"

/* Compares both writers on v, then frees v. */
static void
same_as_jansson(json_t *v)
{
    char *want = json_dumps(v, JSON_COMPACT);
    size_t n = 0;
    char *got = json_out_compact(v, &n);
    assert_non_null(want);
    assert_non_null(got);
    assert_string_equal(got, want);
    assert_int_equal(n, strlen(want));
    free(want);
    free(got);
    json_decref(v);
}

static void
strings_escape_as_jansson(void **state)
{
    (void)state;
    char all[160];
    size_t k = 0;
    for (int c = 1; c < 0x80; c++)
        all[k++] = (char)c;
    memcpy(all + k, "\xc3\xa9\xe2\x80\xa8\xf0\x9f\x98\x80", 9); /* é, U+2028, an emoji */
    k += 9;
    json_t *o = json_object();
    json_object_set_new(o, "all", json_stringn(all, k));
    json_object_set_new(o, "nul", json_stringn("a\0b", 3));
    json_object_set_new(o, "", json_string(""));
    json_object_set_new(o, "key \"quoted\"\n\\", json_string("</script>"));
    same_as_jansson(o);
}

static void
numbers_as_jansson(void **state)
{
    (void)state;
    json_t *a = json_array();
    const json_int_t ints[] = {0, 1, -1, 42, INT64_MAX, INT64_MIN, 1000000};
    for (size_t i = 0; i < sizeof ints / sizeof *ints; i++)
        json_array_append_new(a, json_integer(ints[i]));
    const double reals[] = {0.0,
                            -0.0,
                            1.0,
                            -3.0,
                            0.5,
                            0.1,
                            1e16,
                            1e17,
                            1e100,
                            1.5e300,
                            1e-5,
                            1e-4,
                            1e-300,
                            4.6363e-5,
                            123.456,
                            1e21,
                            2.5e-10,
                            -7.25e22,
                            5e-324,
                            1.7976931348623157e308,
                            1e7,
                            123456,
                            0.049901138387460929};
    for (size_t i = 0; i < sizeof reals / sizeof *reals; i++)
        json_array_append_new(a, json_real(reals[i]));
    /* Reals of every magnitude from a fixed sequence. */
    uint64_t x = 88172645463325252ull;
    for (int i = 0; i < 4000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        double m = (double)(x >> 11) / 9007199254740992.0;
        int e = (int)(x % 80) - 40;
        double d = (i & 1 ? -m : m) * pow(10.0, e);
        if (i % 5 == 0)
            d = round(d * 1000.0);
        json_array_append_new(a, json_real(d));
    }
    same_as_jansson(a);
}

static void
nesting_and_order_as_jansson(void **state)
{
    (void)state;
    json_t *v = json_pack("{s:o, s:[], s:{}, s:[{s:b, s:b, s:n}, [[]], {s:{s:[i, f]}}], s:s}", "z",
                          json_null(), "empty", "obj", "list", "t", 1, "f", 0, "n", "deep", "x", 7,
                          2.5, "a", "last");
    assert_non_null(v);
    /* Keys in insertion order, whatever their hash. */
    for (int i = 0; i < 100; i++) {
        char k[16];
        snprintf(k, sizeof k, "k%d", (i * 37) % 100);
        json_object_set_new(v, k, json_integer(i));
    }
    json_object_del(v, "k5");
    json_object_set_new(v, "k5", json_true());
    same_as_jansson(v);
    same_as_jansson(json_array());
    same_as_jansson(json_object());
}

static void
refuses_what_json_dumps_refuses(void **state)
{
    (void)state;
    json_t *s = json_string("bare");
    assert_null(json_out_compact(s, NULL));
    json_decref(s);
    assert_null(json_out_compact(NULL, NULL));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(strings_escape_as_jansson),
        cmocka_unit_test(numbers_as_jansson),
        cmocka_unit_test(nesting_and_order_as_jansson),
        cmocka_unit_test(refuses_what_json_dumps_refuses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
