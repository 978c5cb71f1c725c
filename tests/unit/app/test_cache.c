/* tests/unit/server/test_cache.c: the anonymous view cache: hits and misses,
 * invalidation by generation, the rule that an older build
 * never replaces a newer one, the size bound, and bodies that outlive their
 * entry while a response still uses them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "app/cache.h"

#define KEY "/api/v1/articles/a1/comments?limit=100"

static cache_body *
put(cache *c, const char *key, const char *article, const char *body, char etag[24])
{
    return cache_put(c, key, article, cache_generation(c, article), body, strlen(body), NULL, 0,
                     etag);
}

static void
a_stored_view_is_served_for_its_key_and_article_only(void **state)
{
    (void)state;
    cache *c = cache_new(64, 1024);
    char etag[24], got[24];
    cache_body_unref(put(c, KEY, "a1", "{\"comments\":[]}", etag));
    cache_body *b = cache_get(c, KEY, "a1", got);
    assert_non_null(b);
    assert_int_equal(cache_body_len(b), strlen("{\"comments\":[]}"));
    assert_memory_equal(cache_body_data(b), "{\"comments\":[]}", cache_body_len(b));
    assert_string_equal(got, etag);
    assert_int_equal(strlen(etag), 18);
    assert_int_equal(etag[0], '"');
    cache_body_unref(b);
    /* Not for another key or article. */
    assert_null(cache_get(c, KEY "&sort=oldest", "a1", got));
    assert_null(cache_get(c, KEY, "a2", got));
    cache_free(c);
}

static void
a_write_to_the_article_makes_its_views_stale(void **state)
{
    (void)state;
    cache *c = cache_new(64, 1024);
    char etag[24], got[24];
    cache_body_unref(put(c, KEY, "a1", "old", etag));
    cache_body_unref(put(c, "/other", "a2", "other", etag));
    cache_bump(c, "a1");
    assert_null(cache_get(c, KEY, "a1", got));
    cache_body *kept = cache_get(c, "/other", "a2", got); /* another article's view stays */
    assert_non_null(kept);
    cache_body_unref(kept);
    char etag2[24];
    cache_body_unref(put(c, KEY, "a1", "new", etag2));
    assert_string_not_equal(etag, etag2);
    cache_body *b = cache_get(c, KEY, "a1", got);
    assert_non_null(b);
    assert_memory_equal(cache_body_data(b), "new", 3);
    cache_body_unref(b);
    cache_bump_all(c);
    assert_null(cache_get(c, KEY, "a1", got));
    cache_free(c);
}

static void
a_view_read_before_a_write_is_never_served_after_it(void **state)
{
    (void)state;
    cache *c = cache_new(64, 1024);
    char etag[24], got[24];
    /* The handler reads the generation, then the data; a write commits in
     * between and bumps the generation; the handler then stores its view. */
    uint64_t gen = cache_generation(c, "a1");
    cache_bump(c, "a1");
    cache_body_unref(cache_put(c, KEY, "a1", gen, "before", 6, NULL, 0, etag));
    assert_null(cache_get(c, KEY, "a1", got));
    /* And it does not push out a view built after the write. */
    cache_body_unref(put(c, KEY, "a1", "after", etag));
    cache_body_unref(cache_put(c, KEY, "a1", gen, "before", 6, NULL, 0, etag));
    cache_body *b = cache_get(c, KEY, "a1", got);
    assert_non_null(b);
    assert_memory_equal(cache_body_data(b), "after", 5);
    cache_body_unref(b);
    cache_free(c);
}

static void
a_body_over_the_bound_is_returned_but_not_kept(void **state)
{
    (void)state;
    cache *c = cache_new(64, 8);
    char etag[24], got[24];
    cache_body *b = put(c, KEY, "a1", "0123456789", etag);
    assert_non_null(b);
    assert_int_equal(cache_body_len(b), 10);
    assert_string_equal(cache_body_data(b), "0123456789");
    cache_body_unref(b);
    assert_null(cache_get(c, KEY, "a1", got));
    cache_free(c);
}

static void
a_body_in_use_outlives_its_replacement_and_the_cache(void **state)
{
    (void)state;
    cache *c = cache_new(1, 1024); /* one slot: every key shares it */
    char etag[24], got[24];
    cache_body_unref(put(c, KEY, "a1", "first", etag));
    cache_body *held = cache_get(c, KEY, "a1", got); /* a response in flight */
    assert_non_null(held);
    cache_body_unref(put(c, "/other", "a2", "second", etag));
    assert_null(cache_get(c, KEY, "a1", got));
    cache_free(c);
    /* ASan reports it if the body went with its entry or the cache. */
    assert_memory_equal(cache_body_data(held), "first", 5);
    cache_body_unref(held);
}

static void
etags_differ_with_the_bytes(void **state)
{
    (void)state;
    char a[24], b[24], a2[24];
    cache_etag("abc", 3, a);
    cache_etag("abd", 3, b);
    cache_etag("abc", 3, a2);
    assert_string_not_equal(a, b);
    assert_string_equal(a, a2);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_stored_view_is_served_for_its_key_and_article_only),
        cmocka_unit_test(a_write_to_the_article_makes_its_views_stale),
        cmocka_unit_test(a_view_read_before_a_write_is_never_served_after_it),
        cmocka_unit_test(a_body_over_the_bound_is_returned_but_not_kept),
        cmocka_unit_test(a_body_in_use_outlives_its_replacement_and_the_cache),
        cmocka_unit_test(etags_differ_with_the_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
