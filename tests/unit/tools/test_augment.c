/* tests/unit/tools/test_augment.c: the trainer's disguised copies
 * (tools/augment.h): each kind of disguise, the word they pick, and that the
 * same seed gives the same copy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "augment.h"

/* Disguises "idiot" in "you idiot here" with kind k; out is NUL-terminated. */
static size_t
one(augment_kind k, uint64_t seed, char *out, size_t cap)
{
    const char *t = "you idiot here";
    uint64_t rng = seed;
    size_t n = augment_word(k, t, strlen(t), 4, 9, &rng, out, cap - 1);
    out[n] = '\0';
    return n;
}

static int
count_of(const char *s, char c)
{
    int n = 0;
    for (; *s; s++)
        n += *s == c;
    return n;
}

static void
each_kind_disguises_the_word_and_keeps_the_rest(void **state)
{
    (void)state;
    char out[128];
    for (uint64_t seed = 1; seed < 200; seed++) {
        one(AUGMENT_SPACED, seed, out, sizeof out);
        assert_string_equal(out, "you i d i o t here");

        one(AUGMENT_DOTTED, seed, out, sizeof out);
        assert_true(!strcmp(out, "you i.d.i.o.t here") || !strcmp(out, "you i-d-i-o-t here") ||
                    !strcmp(out, "you i_d_i_o_t here"));

        one(AUGMENT_GLUED, seed, out, sizeof out);
        assert_string_equal(out, "you idiothere");

        /* One or two letters: "1d1ot", "idi0t", "!diot"... */
        size_t n = one(AUGMENT_LEET, seed, out, sizeof out);
        assert_int_equal(n, 14);
        assert_memory_equal(out, "you ", 4);
        assert_string_equal(out + 9, " here");
        assert_true(memcmp(out + 4, "idiot", 5) != 0);
        assert_true(strspn(out + 4, "idot1!07") == 5);

        /* Inner letters only, vowels first: "id*ot", "idi#t". */
        n = one(AUGMENT_MASK, seed, out, sizeof out);
        assert_int_equal(n, 14);
        assert_true(out[4] == 'i' && out[8] == 't');
        int masks = count_of(out, '*') + count_of(out, '#');
        assert_true(masks == 1 || masks == 2);
        for (int i = 5; i < 8; i++)
            assert_true(out[i] == "idiot"[i - 4] || out[i] == '*' || out[i] == '#');
        assert_string_equal(out + 9, " here");

        n = one(AUGMENT_DOUBLED, seed, out, sizeof out);
        assert_true(n == 15 || n == 16);
        assert_memory_equal(out, "you ", 4);
        assert_string_equal(out + n - 5, " here");

        /* Cyrillic look-alikes for i and o: two bytes each in UTF-8. */
        n = one(AUGMENT_HOMOGLYPH, seed, out, sizeof out);
        assert_true(n == 15 || n == 16);
        assert_true(strstr(out, "\xd1\x96") != NULL || strstr(out, "\xd0\xbe") != NULL);
        assert_string_equal(out + n - 5, " here");
    }
}

static void
glued_joins_the_previous_word_at_the_end_and_doubles_when_alone(void **state)
{
    (void)state;
    char out[64];
    uint64_t rng = 7;
    size_t n = augment_word(AUGMENT_GLUED, "what a fag", 10, 7, 10, &rng, out, sizeof out);
    assert_int_equal(n, 9);
    assert_memory_equal(out, "what afag", 9);
    n = augment_word(AUGMENT_GLUED, "fag!", 4, 0, 3, &rng, out, sizeof out);
    assert_true(n == 5 || n == 6);
    assert_int_equal(out[n - 1], '!');
}

static void
a_copy_that_does_not_fit_is_refused(void **state)
{
    (void)state;
    char out[16];
    uint64_t rng = 3;
    assert_int_equal(augment_word(AUGMENT_SPACED, "idiot", 5, 0, 5, &rng, out, 8), 0);
    assert_int_equal(augment_word(AUGMENT_SPACED, "idiot", 5, 0, 5, &rng, out, 9), 9);
}

static augment *
counted(void)
{
    augment *a = augment_new();
    for (int i = 0; i < 20; i++) {
        augment_count(a, "you are a moron and an idiot", 28, 1);
        augment_count(a, "what a moron", 12, 1);
        augment_count(a, "you are right and the mayor is wrong", 36, 0);
        augment_count(a, "what a lovely morning", 21, 0);
    }
    return a;
}

static void
the_word_that_leans_towards_toxic_texts_is_disguised(void **state)
{
    (void)state;
    augment *a = counted();
    const char *t = "honestly you are a moron";
    char out[128];
    for (uint64_t seed = 1; seed < 100; seed++) {
        uint64_t rng = seed;
        size_t n = augment_disguise(a, t, strlen(t), &rng, out, sizeof out - 1);
        assert_true(n > 0);
        out[n] = '\0';
        /* "moron" leans most (40 toxic, 0 clean): it is disguised (or
         * glued to "a"), and "honestly you are " keeps its letters; no
         * second word leans far enough to be disguised. */
        assert_memory_equal(out, "honestly you are ", 17);
        assert_true(strcmp(out + 17, "a moron") != 0);
    }
    /* No word that leans towards toxic texts: no copy. */
    uint64_t rng = 5;
    assert_int_equal(augment_disguise(a, "the mayor is right", 18, &rng, out, sizeof out), 0);
    augment_free(a);
}

static void
a_clean_text_gets_one_word_disguised_whatever_it_leans_to(void **state)
{
    (void)state;
    const char *t = "a lovely morning in the park";
    char out[128];
    int seen[4] = {0, 0, 0, 0}; /* lovely, morning, the, park */
    for (uint64_t seed = 1; seed < 200; seed++) {
        uint64_t rng = seed;
        size_t n = augment_disguise_any(t, strlen(t), &rng, out, sizeof out - 1);
        assert_true(n > 0);
        out[n] = '\0';
        assert_true(strcmp(out, t) != 0);
        /* "a" and "in" are too short to be picked; one word changes, or
         * two are glued together. */
        int kept = 0;
        static const char *const words[] = {"lovely", "morning", "the", "park"};
        for (int w = 0; w < 4; w++)
            if (strstr(out, words[w]) != NULL)
                kept++;
            else
                seen[w]++;
        assert_true(kept >= 3); /* a glued word keeps its letters: "thepark" */
        assert_memory_equal(out, "a ", 2);
    }
    for (int w = 0; w < 4; w++)
        assert_true(seen[w] > 0);
    uint64_t rng = 9;
    assert_int_equal(augment_disguise_any("ok by me", 8, &rng, out, sizeof out), 0);
}

static void
the_same_seed_gives_the_same_copy(void **state)
{
    (void)state;
    augment *a = counted();
    const char *t = "an idiot and a moron, what a moron";
    char x[128], y[128];
    int differ = 0;
    for (uint64_t seed = 1; seed < 100; seed++) {
        uint64_t r1 = seed, r2 = seed, r3 = seed + 1;
        size_t n1 = augment_disguise(a, t, strlen(t), &r1, x, sizeof x);
        size_t n2 = augment_disguise(a, t, strlen(t), &r2, y, sizeof y);
        assert_true(n1 > 0);
        assert_int_equal(n1, n2);
        assert_memory_equal(x, y, n1);
        size_t n3 = augment_disguise(a, t, strlen(t), &r3, y, sizeof y);
        differ += n3 != n1 || memcmp(x, y, n1) != 0;
    }
    assert_true(differ > 50); /* and another seed, mostly another copy */
    augment_free(a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(each_kind_disguises_the_word_and_keeps_the_rest),
        cmocka_unit_test(glued_joins_the_previous_word_at_the_end_and_doubles_when_alone),
        cmocka_unit_test(a_copy_that_does_not_fit_is_refused),
        cmocka_unit_test(the_word_that_leans_towards_toxic_texts_is_disguised),
        cmocka_unit_test(a_clean_text_gets_one_word_disguised_whatever_it_leans_to),
        cmocka_unit_test(the_same_seed_gives_the_same_copy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
