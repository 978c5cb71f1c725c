/* tests/unit/api/test_threads.c: personal views from the anonymous bytes
 * (api/threads.h): the marks found in a dumped thread view, and the view
 * with a reader's likes written into it, whatever the comments' text holds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "api/threads.h"

/* A COMMENT as the API writes it, with the given replies (taken). */
static json_t *
comment(int64_t id, int64_t author, const char *html, json_t *replies)
{
    json_t *who = author == 0 ? json_null()
                              : json_pack("{s:o, s:s, s:s}", "id", api_id(author), "name",
                                          "A \"liked_by_me\":false name", "role", "reader");
    return json_pack("{s:o, s:n, s:o, s:s, s:s, s:b, s:I, s:b, s:o}", "id", api_id(id), "parent_id",
                     "author", who, "html", html, "status", author == 0 ? "deleted" : "published",
                     "featured", 0, "likes", (json_int_t)3, "liked_by_me", 0, "replies",
                     replies ? replies : json_array());
}

/* A view of three comments whose text imitates the members it sits among. */
static json_t *
view(void)
{
    json_t *nested = json_pack("[o]", comment(12, 7, "<p>\"liked_by_me\":true</p>", NULL));
    json_t *replies = json_pack("[o, o]", comment(11, 0, "", nested),
                                comment(13, 8, "<p>\\\",\"liked_by_me\":false,\\</p>", NULL));
    return json_pack("{s:{s:s}, s:[o, o], s:n}", "article", "id", "a1", "comments",
                     comment(10, 7, "<p>one</p>", replies), comment(20, 9, "<p>two</p>", NULL),
                     "next");
}

/* The view, its dump and the dump's marks, for each test. */
typedef struct marked {
    arena *a;
    json_t *v;
    char *text;
    cache_mark *m;
    size_t n;
} marked;

static int
setup(void **state)
{
    marked *f = calloc(1, sizeof *f);
    f->a = arena_new();
    f->v = view();
    f->text = json_dumps(f->v, JSON_COMPACT);
    if (!thread_marks(f->a, json_object_get(f->v, "comments"), f->text, &f->m, &f->n))
        return -1;
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    marked *f = *state;
    free(f->text);
    json_decref(f->v);
    arena_free(f->a);
    free(f);
    return 0;
}

static void
marks_follow_the_document_order(void **state)
{
    marked *f = *state;
    const char *text = f->text;
    const cache_mark *m = f->m;
    size_t n = f->n;
    assert_int_equal(n, 5);
    const int64_t ids[] = {10, 11, 12, 13, 20}, authors[] = {7, 0, 7, 8, 9};
    for (size_t i = 0; i < n; i++) {
        assert_true(m[i].id == ids[i]);
        assert_true(m[i].author_id == authors[i]);
        assert_memory_equal(text + m[i].at, "false", 5);
        assert_memory_equal(text + m[i].at - 14, "\"liked_by_me\":", 14);
        if (i > 0)
            assert_true(m[i].at > m[i - 1].at);
    }
    const int64_t muted[] = {3, 8};
    assert_true(thread_marks_muted(m, n, muted, 2));
    const int64_t deleted[] = {0};
    assert_false(thread_marks_muted(m, n, deleted, 1)); /* a placeholder has no author */
    assert_false(thread_marks_muted(m, n, NULL, 0));
}

/* Sets liked_by_me on the comments of list (and their replies) with the
 * given ids. */
static void
like(json_t *list, const int64_t *ids, size_t n)
{
    size_t i;
    json_t *c;
    json_array_foreach(list, i, c)
    {
        int64_t id = strtoll(json_string_value(json_object_get(c, "id")), NULL, 10);
        for (size_t k = 0; k < n; k++)
            if (ids[k] == id)
                json_object_set_new(c, "liked_by_me", json_true());
        like(json_object_get(c, "replies"), ids, n);
    }
}

static void
personal_view_marks_the_likes_and_changes_nothing_else(void **state)
{
    marked *f = *state;
    const char *text = f->text;
    const int64_t liked[] = {5, 12, 13, 20, 99}; /* 5 and 99 are not on the page */
    size_t len;
    char *out = thread_personal(text, strlen(text), f->m, f->n, liked, 5, &len);
    assert_int_equal(len, strlen(out));
    assert_int_equal(len, strlen(text) - 3);
    json_t *want = json_deep_copy(f->v);
    like(json_object_get(want, "comments"), liked, 5);
    char *want_text = json_dumps(want, JSON_COMPACT);
    assert_string_equal(out, want_text);
    free(want_text);
    free(out);
    /* Nothing liked: the same bytes. */
    out = thread_personal(text, strlen(text), f->m, f->n, NULL, 0, &len);
    assert_string_equal(out, text);
    free(out);
    json_decref(want);
}

static void
marks_refuse_text_that_does_not_match(void **state)
{
    marked *f = *state;
    arena *a = f->a;
    json_t *v = f->v;
    cache_mark *m;
    size_t n;
    /* A liked comment in the text (a personal view is never marked). */
    json_t *liked = json_deep_copy(v);
    const int64_t ids[] = {13};
    like(json_object_get(liked, "comments"), ids, 1);
    char *text = json_dumps(liked, JSON_COMPACT);
    assert_false(thread_marks(a, json_object_get(v, "comments"), text, &m, &n));
    assert_null(m);
    assert_int_equal(n, 0);
    free(text);
    /* Fewer comments in the tree than in the text, and more. */
    text = json_dumps(v, JSON_COMPACT);
    json_t *fewer = json_pack("[o]", comment(10, 7, "", NULL));
    assert_false(thread_marks(a, fewer, text, &m, &n));
    json_t *more = json_deep_copy(json_object_get(v, "comments"));
    json_array_append_new(more, comment(30, 7, "", NULL));
    assert_false(thread_marks(a, more, text, &m, &n));
    /* An empty view: no marks, and fine. */
    json_t *none = json_array();
    assert_true(thread_marks(a, none, "{\"comments\":[]}", &m, &n));
    assert_int_equal(n, 0);
    json_decref(none);
    json_decref(more);
    json_decref(fewer);
    free(text);
    json_decref(liked);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(marks_follow_the_document_order, setup, teardown),
        cmocka_unit_test_setup_teardown(personal_view_marks_the_likes_and_changes_nothing_else,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(marks_refuse_text_that_does_not_match, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
