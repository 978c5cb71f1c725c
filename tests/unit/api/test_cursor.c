/* tests/unit/api/test_cursor.c: the paging cursor and the MODERATION JSON,
 * the two JSON-facing helpers clients see besides the API itself. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "api/cursor.h"
#include "moderation/moderation_json.h"
#include "util/text.h"

static void
cursor_round_trips_each_sort(void **state)
{
    (void)state;
    arena *a = arena_new();
    for (int s = SORT_OLDEST; s <= SORT_TOP; s++) {
        char *c = cursor_encode(a, (store_sort)s, 1764238500123, 42, 987654321);
        store_cursor out = {0};
        assert_true(cursor_decode(c, (store_sort)s, &out));
        assert_true(out.set);
        assert_true(out.key == (s == SORT_TOP ? 42 : 1764238500123));
        assert_true(out.id == 987654321);
        /* Only base64url characters: safe in a query string as is. */
        assert_int_equal(
            strspn(c, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
            strlen(c));
    }
    arena_free(a);
}

static void
cursor_refuses_another_sort_and_garbage(void **state)
{
    (void)state;
    arena *a = arena_new();
    char *oldest = cursor_encode(a, SORT_OLDEST, 100, 0, 7);
    store_cursor out = {0};
    assert_false(cursor_decode(oldest, SORT_NEWEST, &out));
    assert_false(cursor_decode(oldest, SORT_TOP, &out));
    static const char *const bad[] = {
        "",         "zzz", "!!!!", "by4xLjE=", /* padding is not base64url here */
        "by4tMS4x",                            /* "o.-1.1": negative key */
        "by4xLjA",                             /* "o.1.0": id 0 */
        "by4xMjM",                             /* "o.123": no id */
        "eC4xLjE",                             /* "x.1.1": unknown sort */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(cursor_decode(bad[i], SORT_OLDEST, &out));
    char longer[200];
    memset(longer, 'A', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    assert_false(cursor_decode(longer, SORT_OLDEST, &out));
    arena_free(a);
}

static void
moderation_json_has_the_api_shape(void **state)
{
    (void)state;
    moderation_reason reasons[2] = {0};
    reasons[0].rule = "personal_attack";
    reasons[0].message = "This reads as an attack on a person.";
    reasons[0].excerpt = "you idiot";
    reasons[1].rule = "off_topic";
    reasons[1].message = "This seems to be about something else.";
    reasons[1].excerpt = "";
    moderation_result r = {.decision = MOD_HOLD,
                           .reasons = reasons,
                           .n_reasons = 2,
                           .offensive = 0.91,
                           .attack = 0.88,
                           .on_topic = -1};
    json_t *j = moderation_result_to_json(&r, false);
    assert_string_equal(json_string_value(json_object_get(j, "decision")), "hold");
    json_t *list = json_object_get(j, "reasons");
    assert_int_equal(json_array_size(list), 2);
    json_t *first = json_array_get(list, 0);
    assert_string_equal(json_string_value(json_object_get(first, "rule")), "personal_attack");
    assert_string_equal(json_string_value(json_object_get(first, "excerpt")), "you idiot");
    assert_null(json_object_get(j, "scores")); /* readers never see scores */
    json_decref(j);

    j = moderation_result_to_json(&r, true);
    json_t *scores = json_object_get(j, "scores");
    assert_non_null(scores);
    assert_true(json_real_value(json_object_get(scores, "offensive")) > 0.9);
    assert_null(json_object_get(scores, "on_topic")); /* not computed */
    json_decref(j);

    moderation_result empty = {
        .decision = MOD_PUBLISH, .offensive = -1, .attack = -1, .on_topic = -1};
    j = moderation_result_to_json(&empty, false);
    char *text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    assert_string_equal(text, "{\"decision\":\"publish\",\"reasons\":[]}");
    free(text);
    json_decref(j);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cursor_round_trips_each_sort),
        cmocka_unit_test(cursor_refuses_another_sort_and_garbage),
        cmocka_unit_test(moderation_json_has_the_api_shape),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
