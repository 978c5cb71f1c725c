/* tests/unit/moderation/test_langid.c: language detection (langid.h) on
 * comments in the twelve languages it knows, short and mixed text, other
 * scripts, and malformed profiles. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "moderation/langid.h"

static langid *L;

static langid_result
detect(const char *s)
{
    langid_result r;
    langid_detect(L, s, strlen(s), &r);
    return r;
}

static void
knows_twelve_languages(void **state)
{
    (void)state;
    static const struct {
        const char *lang, *text;
    } cases[] = {
        {"en", "The council should have asked residents before closing the library on Sundays."},
        {"es",
         "El ayuntamiento debería haber preguntado a los vecinos antes de cerrar la biblioteca."},
        {"fr", "Le conseil aurait dû consulter les habitants avant de fermer la bibliothèque."},
        {"de", "Der Stadtrat hätte die Anwohner fragen sollen, bevor er die Bibliothek schließt."},
        {"pt", "A câmara devia ter ouvido os moradores antes de fechar a biblioteca aos domingos."},
        {"it",
         "Il consiglio avrebbe dovuto chiedere ai cittadini prima di chiudere la biblioteca."},
        {"nl", "De gemeenteraad had de bewoners moeten vragen voordat de bibliotheek dichtging."},
        {"pl", "Rada miasta powinna była zapytać mieszkańców przed zamknięciem biblioteki."},
        {"tr", "Belediye meclisi kütüphaneyi kapatmadan önce vatandaşlara danışmalıydı."},
        {"ar", "كان على المجلس البلدي أن يستشير السكان قبل إغلاق المكتبة."},
        {"fa", "شورای شهر باید پیش از تعطیلی کتابخانه با مردم مشورت "
               "می‌کرد."},
        {"he", "מועצת העיר הייתה צריכה להתייעץ עם התושבים לפני סגירת הספרייה."},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        langid_result r = detect(cases[i].text);
        if (strcmp(r.lang, cases[i].lang) != 0 || !r.reliable)
            fail_msg("%s: got \"%s\" (reliable %d, margin %.2f)", cases[i].lang, r.lang, r.reliable,
                     r.margin);
        assert_false(r.other_script);
    }
}

static void
persian_and_arabic_apart(void **state)
{
    (void)state;
    /* The same script; Persian's own letters and words decide. */
    langid_result r = detect("مذاکرات ایران و آمریکا هنوز به نتیجه نرسیده است.");
    assert_string_equal(r.lang, "fa");
    r = detect("انفجار في ميناء بندر عباس أدى إلى سقوط ضحايا.");
    assert_string_equal(r.lang, "ar");
    /* Vowel marks and tatweel do not change the guess. */
    r = detect("كَانَ عَلَى المَجْلِسِ أَنْ يَسْتَشِيرَ السُّكَّانَ قَبْلَ الإِغْلَاقِ.");
    assert_string_equal(r.lang, "ar");
    assert_true(r.reliable);
}

static void
short_text_is_not_reliable(void **state)
{
    (void)state;
    assert_false(detect("ok").reliable);
    assert_false(detect("so true").reliable);
    assert_false(detect("").reliable);
    assert_string_equal(detect("").lang, "");
    assert_false(detect("12345 !!! :-)").reliable);
    assert_string_equal(detect("12345 !!! :-)").lang, "");
}

static void
other_scripts_are_reported(void **state)
{
    (void)state;
    langid_result r = detect("Городской совет проголосовал за закрытие библиотеки.");
    assert_true(r.other_script);
    assert_true(r.reliable);
    assert_string_equal(r.lang, "");
    r = detect("市议会投票决定周日关闭图书馆。");
    assert_true(r.other_script);
    /* A Latin comment quoting a word of another script is still Latin. */
    r = detect("The word спасибо means thank you, and the council should say it more often.");
    assert_false(r.other_script);
    assert_string_equal(r.lang, "en");
}

static void
bad_bytes_and_long_input(void **state)
{
    (void)state;
    langid_result r;
    static const char bad[] = "caf\xc3 \xff\xfe la biblioth\xc3\xa8que";
    langid_detect(L, bad, sizeof bad - 1, &r);
    assert_true(r.trigrams > 0);
    size_t n = 200000;
    char *s = malloc(n);
    for (size_t i = 0; i < n; i++)
        s[i] = i % 7 == 6 ? ' ' : (char)('a' + i % 26);
    langid_detect(L, s, n, &r);
    assert_true(r.trigrams <= LANGID_MAX_TRIGRAMS);
    memset(s, 'a', n); /* one 200 KB word */
    langid_detect(L, s, n, &r);
    assert_true(r.trigrams <= LANGID_MAX_TRIGRAMS);
    free(s);
}

/* Past LANGID_MAX_TRIGRAMS the words are no longer scored, but every
 * letter still counts towards the script: a long Latin opening does not
 * hide the Cyrillic (or Arabic) text after it, and marks, tatweel and bytes
 * that are not UTF-8 there count for nothing. */
static void
letters_past_the_scored_trigrams_still_count(void **state)
{
    (void)state;
    static const char *const tails[] = {
        "\xd0\xb3\xd0\xbe\xd1\x80\xd0\xbe\xd0\xb4 ",                 /* город */
        "\xd9\x85\xd9\x80\xd9\x80\xd9\x83\xd8\xaa\xd8\xa8\xd8\xa9 ", /* مـــكتبة with tatweel */
    };
    static const char latin[] = "the council voted to close the library on sundays ";
    for (size_t t = 0; t < sizeof tails / sizeof *tails; t++) {
        size_t cap = 64 * 1024, n = 0;
        char *s = malloc(cap);
        assert_non_null(s);
        while (n + sizeof latin < 4000) {
            memcpy(s + n, latin, sizeof latin - 1);
            n += sizeof latin - 1;
        }
        size_t tl = strlen(tails[t]);
        langid_result r;
        langid_detect(L, s, n, &r);
        assert_int_equal(r.trigrams, LANGID_MAX_TRIGRAMS);
        assert_false(r.other_script);
        assert_string_equal(r.lang, "en");
        /* Twice as many letters of the other script after the cap. */
        for (int k = 0; k < 1000 && n + tl + 4 < cap; k++) {
            memcpy(s + n, tails[t], tl);
            n += tl;
            if (k % 50 == 0)
                s[n++] = (char)0xff;
        }
        langid_detect(L, s, n, &r);
        assert_int_equal(r.trigrams, LANGID_MAX_TRIGRAMS);
        if (t == 0) {
            assert_true(r.other_script);
            assert_string_equal(r.lang, "");
        } else {
            /* The Arabic script wins: one of its languages, by the costs
             * of the Latin words scored before the cap. */
            assert_false(r.other_script);
            assert_true(strcmp(r.lang, "ar") == 0 || strcmp(r.lang, "fa") == 0);
        }
        free(s);
    }
}

static void
malformed_profiles_are_refused(void **state)
{
    (void)state;
    langid *li = NULL;
    pl_error err;
    static const char *const bad[] = {
        "en\tthe\t\n",                          /* no cost */
        "en\tthe\t12x\n",                       /* not a number */
        "english\tthe\t12\n",                   /* not a code */
        "en\tthe\t12\n",                        /* no floor for en */
        "en\t\t900\nen\tabcdefghijklmnop\t5\n", /* trigram too long */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(langid_new(bad[i], strlen(bad[i]), &li, &err), PL_EINVAL);
        assert_null(li);
    }
    const char *ok = "# comment\nen\t\t900\nen\t th\t300\nxx\t\t900\nxx\t zz\t100\n";
    assert_int_equal(langid_new(ok, strlen(ok), &li, &err), 0);
    langid_result r;
    langid_detect(li, "the thin thing", 14, &r);
    assert_string_equal(r.lang, "en");
    langid_free(li);
}

int
main(void)
{
    pl_error err;
    if (langid_load(&L, &err) < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(knows_twelve_languages),
        cmocka_unit_test(persian_and_arabic_apart),
        cmocka_unit_test(short_text_is_not_reliable),
        cmocka_unit_test(other_scripts_are_reported),
        cmocka_unit_test(bad_bytes_and_long_input),
        cmocka_unit_test(letters_past_the_scored_trigrams_still_count),
        cmocka_unit_test(malformed_profiles_are_refused),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    langid_free(L);
    return rc;
}
