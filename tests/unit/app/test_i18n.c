/* tests/unit/server/test_i18n.c: the server's catalogues from C: plural
 * categories as Intl.PluralRules picks them, and sentences with their
 * placeholders filled in (the mails, docs/I18N.md). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "app/i18n.h"

/* For each language, the category of 0..230 and of 1000, 10^6, 2*10^6,
 * 3000001 and 10^7, one letter each (z zero, o one, t two, f few, m many,
 * x other), written by Node's Intl.PluralRules (ICU) on 2026-12-04:
 *   new Intl.PluralRules(lang).select(n) */
static const struct {
    const char *lang, *small, *big;
} intl[] = {
    {"en",
     "xoxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
     "xxxxxxxxxxxxxxx",
     "xxxxx"},
    {"ar",
     "zotffffffffmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm"
     "mmmmmmmmmmmmmmmmmmmmmmmmmmmmxxxffffffffmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm"
     "mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmxxxffffffffmmmmm"
     "mmmmmmmmmmmmmmm",
     "xxxxx"},
    {"de",
     "xoxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
     "xxxxxxxxxxxxxxx",
     "xxxxx"},
    {"es",
     "xoxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
     "xxxxxxxxxxxxxxx",
     "xmmxm"},
    {"fa",
     "ooxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
     "xxxxxxxxxxxxxxx",
     "xxxxx"},
    {"fr",
     "ooxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
     "xxxxxxxxxxxxxxx",
     "xmmxm"},
    {"he",
     "xotxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
     "xxxxxxxxxxxxxxx",
     "xxxxx"},
    {"it",
     "xoxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
     "xxxxxxxxxxxxxxx",
     "xmmxm"},
    {"nl",
     "xoxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
     "xxxxxxxxxxxxxxx",
     "xxxxx"},
    {"pl",
     "mofffmmmmmmmmmmmmmmmmmfffmmmmmmmfffmmmmmmmfffmmmmmmmfffmmmmmmmfffmmmmmmm"
     "fffmmmmmmmfffmmmmmmmfffmmmmmmmfffmmmmmmmmmmmmmmmmmfffmmmmmmmfffmmmmmmmff"
     "fmmmmmmmfffmmmmmmmfffmmmmmmmfffmmmmmmmfffmmmmmmmfffmmmmmmmfffmmmmmmmmmmm"
     "mmmmmmfffmmmmmm",
     "mmmmm"},
    {"pt",
     "ooxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
     "xxxxxxxxxxxxxxx",
     "xmmxm"},
    {"tr",
     "xoxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
     "xxxxxxxxxxxxxxx",
     "xxxxx"},
};

static const char *
letter(const char *category)
{
    static const char *const names[] = {"zero", "one", "two", "few", "many", "other"};
    static const char *const letters[] = {"z", "o", "t", "f", "m", "x"};
    for (size_t i = 0; i < 6; i++)
        if (strcmp(category, names[i]) == 0)
            return letters[i];
    return "?";
}

static void
plural_matches_intl(void **state)
{
    (void)state;
    static const long long big[] = {1000, 1000000, 2000000, 3000001, 10000000};
    assert_int_equal(sizeof intl / sizeof intl[0], i18n_n_langs);
    for (size_t l = 0; l < sizeof intl / sizeof intl[0]; l++) {
        assert_true(i18n_lang_ok(intl[l].lang));
        for (long long n = 0; n <= 230; n++) {
            char want[2] = {intl[l].small[n], '\0'};
            if (strcmp(letter(i18n_plural(intl[l].lang, n)), want) != 0)
                fail_msg("%s %lld: %s, Intl says %s", intl[l].lang, n, i18n_plural(intl[l].lang, n),
                         want);
        }
        for (size_t i = 0; i < 5; i++) {
            char want[2] = {intl[l].big[i], '\0'};
            if (strcmp(letter(i18n_plural(intl[l].lang, big[i])), want) != 0)
                fail_msg("%s %lld: %s, Intl says %s", intl[l].lang, big[i],
                         i18n_plural(intl[l].lang, big[i]), want);
        }
    }
}

static void
format_fills_placeholders(void **state)
{
    (void)state;
    arena *a = arena_new();
    const char *v[] = {"name", "Ana <b>", "title", "A & B"};
    assert_string_equal(i18n_format(a, "en", "mail_reply_subject", 0, v, 2, false),
                        "Ana <b> replied to your comment on \"A & B\"");
    assert_string_equal(i18n_format(a, "es", "mail_reply_subject", 0, v, 2, false),
                        "Ana <b> ha respondido a tu comentario en «A & B»");
    /* html: the sentence's own text escaped, the values as given. */
    assert_string_equal(i18n_format(a, "en", "mail_reply_subject", 0, v, 2, true),
                        "Ana <b> replied to your comment on &quot;A & B&quot;");
    /* Plural forms by n, {n} filled in. */
    assert_string_equal(i18n_format(a, "en", "mail_queue_subject", 1, NULL, 0, false),
                        "1 comment waits for review");
    assert_string_equal(i18n_format(a, "en", "mail_queue_subject", 7, NULL, 0, false),
                        "7 comments wait for review");
    assert_string_equal(i18n_format(a, "pl", "mail_queue_subject", 3, NULL, 0, false),
                        "3 komentarze czekają na sprawdzenie");
    assert_string_equal(i18n_format(a, "pl", "mail_queue_subject", 5, NULL, 0, false),
                        "5 komentarzy czeka na sprawdzenie");
    assert_string_equal(i18n_format(a, "ar", "mail_queue_subject", 2, NULL, 0, false),
                        "تعليقان ينتظران المراجعة");
    /* A placeholder without a value stays; an unknown language is English;
     * an unknown key is the key. */
    assert_string_equal(i18n_format(a, "en", "mail_hello", 0, NULL, 0, false), "Hello {name},");
    assert_string_equal(i18n_format(a, "xx", "mail_see_it", 0, NULL, 0, false), "See it");
    assert_string_equal(i18n_format(a, "de", "no_such_key", 0, NULL, 0, false), "no_such_key");
    arena_free(a);
}

static void
user_lang_prefers_the_setting(void **state)
{
    (void)state;
    store_user u = {.language = "pl"};
    assert_string_equal(i18n_user_lang(&u, NULL), "pl");
    u.language = "";
    assert_string_equal(i18n_user_lang(&u, NULL), "en");
    u.language = "xx";
    assert_string_equal(i18n_user_lang(&u, NULL), "en");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plural_matches_intl),
        cmocka_unit_test(format_fills_placeholders),
        cmocka_unit_test(user_lang_prefers_the_setting),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
