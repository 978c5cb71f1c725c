/* tests/unit/util/test_arena.c: the region allocator: alignment, small and
 * big allocations, reset and printf. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util/arena.h"

static void
small_allocations_are_aligned_and_distinct(void **state)
{
    (void)state;
    arena *a = arena_new();
    unsigned char *prev = NULL;
    /* Enough to span several standard blocks. */
    for (size_t i = 0; i < 5000; i++) {
        size_t n = 1 + i % 100;
        unsigned char *p = arena_alloc(a, n);
        assert_int_equal((uintptr_t)p % 16, 0);
        memset(p, (int)(i & 0xFF), n);
        if (prev != NULL)
            assert_ptr_not_equal(p, prev);
        prev = p;
    }
    /* The last allocation still holds what was written. */
    assert_int_equal(prev[0], 4999 & 0xFF);
    assert_true(arena_footprint(a) > (size_t)5000 * 16);
    arena_free(a);
}

static void
earlier_allocations_survive_later_ones(void **state)
{
    (void)state;
    arena *a = arena_new();
    char *first = arena_strdup(a, "first");
    char *big = arena_alloc(a, 1 << 20);
    memset(big, 'b', 1 << 20);
    for (int i = 0; i < 1000; i++)
        arena_alloc(a, 64);
    char *big2 = arena_alloc(a, 3000); /* just over a quarter block */
    memset(big2, 'c', 3000);
    assert_string_equal(first, "first");
    assert_int_equal(big[0], 'b');
    assert_int_equal(big[(1 << 20) - 1], 'b');
    assert_int_equal(big2[2999], 'c');
    arena_free(a);
}

static void
big_allocation_is_counted(void **state)
{
    (void)state;
    arena *a = arena_new();
    size_t before = arena_footprint(a);
    char *p = arena_alloc(a, 10 << 20);
    memset(p, 1, 10 << 20);
    assert_true(arena_footprint(a) >= before + (10 << 20));
    /* Small allocations after a big one still come from a standard block. */
    size_t mid = arena_footprint(a);
    arena_alloc(a, 16);
    assert_int_equal(arena_footprint(a), mid);
    arena_free(a);
}

static void
zalloc_zeroes(void **state)
{
    (void)state;
    arena *a = arena_new();
    /* Dirty memory first, then reset so zalloc may reuse it. */
    memset(arena_alloc(a, 4000), 0xAA, 4000);
    arena_reset(a);
    unsigned char *z = arena_zalloc(a, 4000);
    for (size_t i = 0; i < 4000; i++)
        assert_int_equal(z[i], 0);
    arena_free(a);
}

static void
reset_returns_to_one_standard_block(void **state)
{
    (void)state;
    arena *a = arena_new();
    size_t fresh = arena_footprint(a);
    /* A big block first, while the head is the original block. */
    arena_alloc(a, 1 << 20);
    for (int i = 0; i < 2000; i++)
        arena_alloc(a, 100);
    arena_alloc(a, 1 << 16);
    assert_true(arena_footprint(a) > fresh);
    arena_reset(a);
    assert_int_equal(arena_footprint(a), fresh);
    /* The arena is usable after reset, for small and big requests. */
    char *s = arena_strdup(a, "again");
    assert_string_equal(s, "again");
    assert_int_equal(arena_footprint(a), fresh);
    memset(arena_alloc(a, 1 << 18), 0, 1 << 18);
    arena_reset(a);
    arena_reset(a);
    assert_int_equal(arena_footprint(a), fresh);
    arena_free(a);
}

static void
strdup_and_strndup(void **state)
{
    (void)state;
    arena *a = arena_new();
    assert_null(arena_strdup(a, NULL));
    assert_string_equal(arena_strdup(a, ""), "");
    char *s = arena_strndup(a, "abcdef", 3);
    assert_string_equal(s, "abc");
    /* strndup copies n bytes even past a NUL, and terminates. */
    char *t = arena_strndup(a, "a\0b", 3);
    assert_int_equal(t[2], 'b');
    assert_int_equal(t[3], '\0');
    arena_free(a);
}

static void
printf_formats_short_and_long(void **state)
{
    (void)state;
    arena *a = arena_new();
    assert_string_equal(arena_printf(a, "%s=%d", "x", 42), "x=42");
    assert_string_equal(arena_printf(a, "%s", ""), "");
    char big[20000];
    memset(big, 'q', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    char *p = arena_printf(a, "<%s>", big);
    assert_int_equal(strlen(p), sizeof big + 1);
    assert_int_equal(p[0], '<');
    assert_int_equal(p[sizeof big], '>');
    arena_free(a);
}

static void
free_accepts_null(void **state)
{
    (void)state;
    arena_free(NULL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(small_allocations_are_aligned_and_distinct),
        cmocka_unit_test(earlier_allocations_survive_later_ones),
        cmocka_unit_test(big_allocation_is_counted),
        cmocka_unit_test(zalloc_zeroes),
        cmocka_unit_test(reset_returns_to_one_standard_block),
        cmocka_unit_test(strdup_and_strndup),
        cmocka_unit_test(printf_formats_short_and_long),
        cmocka_unit_test(free_accepts_null),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
