/* tests/unit/moderation/test_normalize.c: the folding of evasions and the
 * map from folded bytes back to the original text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "moderation/normalize.h"

static arena *A;

static const char *
fold(const char *s)
{
    norm_text t;
    norm_fold(A, s, strlen(s), &t);
    return norm_expand(A, &t);
}

static void
folds_case_and_width(void **state)
{
    (void)state;
    assert_string_equal(fold("HeLLo World"), "hello world");
    assert_string_equal(fold("\xef\xbc\xa6\xef\xbd\x95\xef\xbd\x83\xef\xbd\x8b"),
                        "fuck"); /* fullwidth */
    assert_string_equal(fold("\xf0\x9d\x90\x9f\xf0\x9d\x90\xae\xf0\x9d\x90\x9c\xf0\x9d\x90\xa4"),
                        "fuck"); /* mathematical bold */
    assert_string_equal(fold("\xe2\x93\x95\xe2\x93\xa4\xe2\x93\x92\xe2\x93\x9a"),
                        "fuck"); /* circled */
}

static void
strips_ignorables_and_marks(void **state)
{
    (void)state;
    assert_string_equal(fold("i\xe2\x80\x8b"
                             "diot"),
                        "idiot"); /* zero-width space */
    assert_string_equal(fold("id\xc2\xad"
                             "iot"),
                        "idiot"); /* soft hyphen */
    assert_string_equal(fold("i\xe2\x80\x8d"
                             "d\xe2\x81\xa0iot"),
                        "idiot"); /* ZWJ, word joiner */
    assert_string_equal(fold("i\xcc\x81"
                             "d\xcc\xb6i\xcc\xb6o\xcc\xb6t"),
                        "idiot"); /* combining */
    assert_string_equal(fold("caf\xc3\xa9"), "cafe");
}

static void
folds_confusables(void **state)
{
    (void)state;
    /* Cyrillic а, о, с and е inside Latin words. */
    assert_string_equal(fold("\xd0\xb0ss"), "ass");
    assert_string_equal(fold("m\xd0\xber\xd0\xben"), "moron");
    assert_string_equal(fold("\xd1\x81\xd0\xbe\xd1\x81k"), "cock");
    /* Greek omicron and small capitals. */
    assert_string_equal(fold("id\xce\xbf"
                             "t"),
                        "idot");
    assert_string_equal(fold("\xe1\xb4\x8d\xe1\xb4\x8fr\xe1\xb4\x8f\xc9\xb4"), "moron");
}

static void
folds_leetspeak(void **state)
{
    (void)state;
    assert_string_equal(fold("sh1t"), "shit");
    assert_string_equal(fold("@ss"), "ass");
    assert_string_equal(fold("a$$hole"), "asshole");
    assert_string_equal(fold("b!tch"), "bitch");
    assert_string_equal(fold("1d10t"), "idiot");
    assert_string_equal(fold("idiot!"), "idiot");
    assert_string_equal(fold("In 2024, 100 people"), "in 2024 100 people");
    assert_string_equal(fold("f*ck"), "f*ck");
    assert_string_equal(fold("you are an *idiot*"), "you are an idiot");
    assert_string_equal(fold("you're"), "youre");
    /* "who're" parts in two: glued it would be "whore" */
    assert_string_equal(fold("those who're here"), "those who re here");
    assert_string_equal(fold("WHO\xe2\x80\x99RE"), "who re");
    assert_string_equal(fold("wh'ore"), "whore");
    /* "he'll" too ("hell"); other contractions stay glued */
    assert_string_equal(fold("He'll go"), "he ll go");
    assert_string_equal(fold("HE\xe2\x80\x99LL"), "he ll");
    assert_string_equal(fold("she'll"), "shell");
    assert_string_equal(fold("hel'l"), "hell");
}

/* Masks: inside a word they are letters; at a word's start, alone, or
 * after three letters they are dropped ("go **** yourself" leaves "go
 * yourself", and the lexicon reads the original through src to tell). */
static void
folds_masks(void **state)
{
    (void)state;
    assert_string_equal(fold("f*** off"), "f** off"); /* one "*", run 3, shown twice */
    assert_string_equal(fold("f### off"), "f** off");
    assert_string_equal(fold("**ck off"), "ck off");
    assert_string_equal(fold("go **** yourself"), "go yourself");
    assert_string_equal(fold("I gave it 4/5 ***"), "i gave it 4 5");
    assert_string_equal(fold("5 * 3"), "5 3");
    assert_string_equal(fold("*really* good"), "really good");
    const char *s = "go **** yourself";
    norm_text t;
    norm_fold(A, s, strlen(s), &t);
    assert_ptr_equal(t.src, s);
    assert_int_equal(t.src_len, strlen(s));
    assert_int_equal(t.oend[1], 2);   /* "go" ends at byte 2 */
    assert_int_equal(t.ostart[3], 8); /* "yourself" starts at byte 8 */
}

static void
joins_spelled_letters(void **state)
{
    (void)state;
    assert_string_equal(fold("f u c k you"), "fuck you");
    assert_string_equal(fold("f.u.c.k"), "fuck");
    assert_string_equal(fold("f-u-c-k off"), "fuck off");
    assert_string_equal(fold("a b"), "a b");
    assert_string_equal(fold("f\nu\nc"), "f u c");
    /* texting "you are", "are you": words, not letters of one word */
    assert_string_equal(fold("u r a homo"), "u r a homo");
    assert_string_equal(fold("R U A fool"), "r u a fool");
    assert_string_equal(fold("u r a b i t c h"), "u r abitch");
}

static void
collapses_stretching(void **state)
{
    (void)state;
    norm_text t;
    norm_fold(A, "fuuuuuck", 8, &t);
    assert_string_equal(t.s, "fuck");
    assert_int_equal(t.run[1], 5);
    assert_string_equal(fold("shiiiiiit"), "shiit");
    assert_string_equal(fold("good"), "good");
}

static void
splits_hashtags_and_maps_emoji(void **state)
{
    (void)state;
    assert_string_equal(fold("#YouAreAnIdiot"), "you are an idiot");
    assert_string_equal(fold("\xf0\x9f\x87\xab\xf0\x9f\x87\xba\xf0\x9f\x87\xa8\xf0\x9f\x87\xb0"),
                        "fuck"); /* regional indicators */
    assert_string_equal(fold("so funny\xf0\x9f\x98\x82"), "so funny lol");
    assert_string_equal(fold("\xf0\x9f\x85\xb0ss"), "ass");
}

static void
maps_back_to_original(void **state)
{
    (void)state;
    const char *s = "Well, y\xd0\xbeu are an i\xe2\x80\x8b"
                    "d1\xc3\xb6t!!";
    norm_text t;
    norm_fold(A, s, strlen(s), &t);
    assert_string_equal(t.s, "wel you are an idiot"); /* "ll" is one byte, run 2 */
    const char *p = strstr(t.s, "idiot");
    size_t i = (size_t)(p - t.s), j = i + 5;
    assert_int_equal(t.oend[j - 1] - t.ostart[i], strlen("i\xe2\x80\x8b"
                                                         "d1\xc3\xb6t"));
    assert_memory_equal(s + t.ostart[i],
                        "i\xe2\x80\x8b"
                        "d1\xc3\xb6t",
                        t.oend[j - 1] - t.ostart[i]);
    for (size_t k = 1; k < t.len; k++)
        assert_true(t.ostart[k] >= t.ostart[k - 1]);
    assert_true(t.flags[0] & NORM_CAPITAL);
}

static void
pathological_inputs_finish(void **state)
{
    (void)state;
    size_t n = 100000;
    char *s = malloc(n + 2);
    s[0] = 'a';
    for (size_t i = 1; i + 1 < n; i += 2) {
        s[i] = (char)0xcc;
        s[i + 1] = (char)0x81;
    }
    norm_text t;
    norm_fold(A, s, n - 1, &t);
    assert_string_equal(t.s, "a");
    memset(s, 'x', n);
    norm_fold(A, s, n, &t);
    assert_int_equal(t.len, 1);
    assert_int_equal(t.run[0], 255);
    for (size_t i = 0; i < n; i++)
        s[i] = (char)('a' + i % 26);
    norm_fold(A, s, n, &t);
    assert_int_equal(t.len, n);
    for (size_t i = 0; i < n; i++)
        s[i] = i % 2 ? ' ' : 'q';
    norm_fold(A, s, n, &t); /* fifty thousand spelled-out letters join */
    assert_string_equal(t.s, "q");
    for (size_t i = 0; i < n; i++)
        s[i] = i % 3 == 2 ? ' ' : 'q';
    norm_fold(A, s, n, &t);
    assert_int_equal(t.len, 66667); /* "q q q ..." with runs of two */
    free(s);
}

static void
folds_arabic_script_variants(void **state)
{
    (void)state;
    /* Tatweel dropped; vowel marks stripped; three or more of a letter count once. */
    assert_string_equal(fold("\u0643\u0640\u0640\u0640\u0644\u0628"), "\u0643\u0644\u0628");
    assert_string_equal(fold("\u0634\u064e\u0631\u0652\u0645\u064f\u0648\u0637\u064e\u0629"),
                        "\u0634\u0631\u0645\u0648\u0637\u0647");
    assert_string_equal(fold("\u0643\u0644\u0644\u0644\u0644\u0628"), "\u0643\u0644\u0628");
    assert_string_equal(fold("\u0645\u0645\u062a\u0627\u0632"),
                        "\u0645\u0645\u062a\u0627\u0632"); /* a double stays */
    /* Persian keheh and yeh, alef maksura: Arabic kaf and yeh. Alef forms: alef. */
    assert_string_equal(fold("\u06a9\u06cc\u0631"), "\u0643\u064a\u0631");
    assert_string_equal(fold("\u0639\u0644\u0649"), "\u0639\u0644\u064a");
    static const char *const alefs[] = {"\u0623", "\u0625", "\u0622", "\u0671"};
    for (size_t i = 0; i < 4; i++)
        assert_string_equal(fold(alefs[i]), "\u0627");
    /* Persian and Arabic-Indic digits are digits. */
    assert_string_equal(fold("\u06f1\u06f4\u06f0\u06f2 \u0661\u0669"), "1402 19");
    /* Zero-width non-joiners and joiners inside a word vanish. */
    assert_string_equal(fold("\u06a9\u200d\u06cc\u200c\u0631"), "\u0643\u064a\u0631");
}

static void
folds_latin_letters_without_decomposition(void **state)
{
    (void)state;
    /* Polish, Turkish, Croatian and Maltese letters with no decomposition. */
    assert_string_equal(fold("peda\u0142 am\u0131na \u0111ak \u0127a"), "pedal amina dak ha");
    assert_string_equal(fold("\u0130BNE"), "ibne");
}

int
main(void)
{
    A = arena_new();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(folds_case_and_width),
        cmocka_unit_test(strips_ignorables_and_marks),
        cmocka_unit_test(folds_confusables),
        cmocka_unit_test(folds_leetspeak),
        cmocka_unit_test(folds_masks),
        cmocka_unit_test(joins_spelled_letters),
        cmocka_unit_test(collapses_stretching),
        cmocka_unit_test(splits_hashtags_and_maps_emoji),
        cmocka_unit_test(maps_back_to_original),
        cmocka_unit_test(pathological_inputs_finish),
        cmocka_unit_test(folds_arabic_script_variants),
        cmocka_unit_test(folds_latin_letters_without_decomposition),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    arena_free(A);
    return rc;
}
