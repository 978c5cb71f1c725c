/* tests/unit/tools/test_cbias.c: the corpus groups of train --corpus-bias
 * (tools/cbias.h): which corpora share an offset, and which (group,
 * attribute) pairs get one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cbias.h"

static void
the_news_sites_corpora_are_one_group(void **state)
{
    (void)state;
    static const char *const news[] = {"civil",         "civil-seed",       "fox-news",
                                       "toxic-spans",   "toxic-spans-raw",  "toxic-spans-removed",
                                       "jigsaw-sample", "jigsaw-toxic-2018"};
    for (size_t i = 0; i < sizeof news / sizeof *news; i++)
        assert_string_equal(cbias_group(news[i]), "news");
}

static void
every_other_corpus_is_its_own_group(void **state)
{
    (void)state;
    static const char *const own[] = {
        "olid", "kaggle-insults", "davidson",  "wiki-talk", "cad", "identity-neutral",
        "ghc",  "hatexplain",     "civilised", "toxic"};
    for (size_t i = 0; i < sizeof own / sizeof *own; i++) {
        assert_ptr_equal(cbias_group(own[i]), own[i]);
        assert_string_not_equal(cbias_group(own[i]), "news");
    }
}

static void
an_offset_needs_both_classes_with_the_minority_at_five_percent(void **state)
{
    (void)state;
    assert_true(cbias_learnt(50, 1000));    /* 5% positive */
    assert_true(cbias_learnt(950, 1000));   /* 5% negative */
    assert_true(cbias_learnt(500, 1000));   /* balanced */
    assert_false(cbias_learnt(49, 1000));   /* 4.9% */
    assert_false(cbias_learnt(951, 1000));  /* 4.9% negative */
    assert_false(cbias_learnt(0, 1000));    /* all clean: the identity templates */
    assert_false(cbias_learnt(1000, 1000)); /* all toxic */
    assert_false(cbias_learnt(0, 0));       /* not labelled */
    assert_false(cbias_learnt(3, 2));       /* nonsense counts */
    /* Davidson's 83% offensive and Wikipedia Talk's 1.6% toxic */
    assert_true(cbias_learnt(16431, 19797));
    assert_false(cbias_learnt(270, 16901));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_news_sites_corpora_are_one_group),
        cmocka_unit_test(every_other_corpus_is_its_own_group),
        cmocka_unit_test(an_offset_needs_both_classes_with_the_minority_at_five_percent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
