/* tests/unit/util/test_acceptlang.c: Accept-Language negotiation: q-values,
 * subtags, the wildcard, ties, refusals and malformed input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util/acceptlang.h"

static const char *const LANGS[] = {"en", "ar", "de", "es", "fa", "fr",
                                    "he", "it", "nl", "pl", "pt", "tr"};
#define N (sizeof LANGS / sizeof LANGS[0])

/* The code picked, or "-" for none. */
static const char *
pick(const char *header)
{
    int i = acceptlang_pick(header, LANGS, N);
    return i < 0 ? "-" : LANGS[i];
}

static void
highest_q_wins(void **state)
{
    (void)state;
    assert_string_equal(pick("es"), "es");
    assert_string_equal(pick("fr;q=0.5, de;q=0.9, es;q=0.7"), "de");
    assert_string_equal(pick("da, fr;q=0.8, en;q=0.7"), "fr");
    assert_string_equal(pick("en;q=0.1, ar"), "ar");
    assert_string_equal(pick("fr;q=0.001, it;q=0"), "fr");
    assert_string_equal(pick("pl;Q=1.000"), "pl");
}

static void
ties_go_to_the_first_named(void **state)
{
    (void)state;
    assert_string_equal(pick("it, nl"), "it");
    assert_string_equal(pick("nl, it"), "nl");
    assert_string_equal(pick("nl;q=0.5, it;q=0.5"), "nl");
    /* The best q of a language counts, wherever its best range stands. */
    assert_string_equal(pick("tr;q=0.2, fa;q=0.6, tr-TR;q=0.6"), "fa");
}

static void
subtags_match_their_primary_language(void **state)
{
    (void)state;
    assert_string_equal(pick("es-MX,es;q=0.9"), "es");
    assert_string_equal(pick("pt-BR"), "pt");
    assert_string_equal(pick("zh-Hant-TW, fr-CA;q=0.3"), "fr");
    assert_string_equal(pick("DE-at"), "de");
    assert_string_equal(pick("iw-IL"), "he");
    /* "e" and "english" are not "en". */
    assert_string_equal(pick("e, english"), "-");
}

static void
the_wildcard_and_refusals(void **state)
{
    (void)state;
    assert_string_equal(pick("*"), "en");
    assert_string_equal(pick("da, *;q=0.1"), "en");
    assert_string_equal(pick("en;q=0, *"), "ar");
    assert_string_equal(pick("en;q=0"), "-");
    assert_string_equal(pick("*;q=0"), "-");
    /* A named language beats the wildcard at the same q. */
    assert_string_equal(pick("*, fa"), "fa");
}

static void
unknown_and_empty_give_none(void **state)
{
    (void)state;
    assert_int_equal(acceptlang_pick(NULL, LANGS, N), -1);
    assert_string_equal(pick(""), "-");
    assert_string_equal(pick(" , ,"), "-");
    assert_string_equal(pick("ja, zh-CN;q=0.9, ko;q=0.8"), "-");
    assert_int_equal(acceptlang_pick("en", LANGS, 0), -1);
}

static void
malformed_ranges_and_q_values_are_skipped(void **state)
{
    (void)state;
    /* A bad q spoils its range only. */
    assert_string_equal(pick("fr;q=2, de;q=0.4"), "de");
    assert_string_equal(pick("fr;q=1.5, de;q=0.4"), "de");
    assert_string_equal(pick("fr;q=0.1234, de;q=0.4"), "de");
    assert_string_equal(pick("fr;q=, de;q=0.4"), "de");
    assert_string_equal(pick("fr;q=-1, de;q=0.4"), "de");
    assert_string_equal(pick("fr;q=0.5x, de;q=0.4"), "de");
    assert_string_equal(pick("fr;level=1, de;q=0.4"), "de");
    assert_string_equal(pick("fr;;, de;q=0.4"), "de");
    /* Bad ranges. */
    assert_string_equal(pick("abcdefghi, it;q=0.2"), "it");
    assert_string_equal(pick("es-, it;q=0.2"), "it");
    assert_string_equal(pick("es--MX, it;q=0.2"), "it");
    assert_string_equal(pick("es_MX, it;q=0.2"), "it");
    assert_string_equal(pick("es-abcdefghi, it;q=0.2"), "it");
    assert_string_equal(pick("\xc3\xa9s, it;q=0.2"), "it");
    assert_string_equal(pick("es MX, it;q=0.2"), "it");
    /* Spaces and tabs around the parts are fine. */
    assert_string_equal(pick(" \tnl ; q=0.9 ,\tpl ;q=1"), "pl");
}

static void
limits_bound_the_work(void **state)
{
    (void)state;
    /* Only the first ACCEPTLANG_MAX_ITEMS ranges count. */
    char h[512] = "";
    for (int i = 0; i < ACCEPTLANG_MAX_ITEMS; i++)
        strcat(h, "da;q=0.9, ");
    strcat(h, "es");
    assert_string_equal(pick(h), "-");
    /* Only the first ACCEPTLANG_MAX_BYTES bytes are read. */
    static char big[ACCEPTLANG_MAX_BYTES + 16];
    memset(big, ' ', sizeof big - 1);
    memcpy(big + ACCEPTLANG_MAX_BYTES - 1, ",fr", 3);
    assert_string_equal(pick(big), "-");
    memcpy(big + ACCEPTLANG_MAX_BYTES - 4, ",fr", 3);
    assert_string_equal(pick(big), "fr");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(highest_q_wins),
        cmocka_unit_test(ties_go_to_the_first_named),
        cmocka_unit_test(subtags_match_their_primary_language),
        cmocka_unit_test(the_wildcard_and_refusals),
        cmocka_unit_test(unknown_and_empty_give_none),
        cmocka_unit_test(malformed_ranges_and_q_values_are_skipped),
        cmocka_unit_test(limits_bound_the_work),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
