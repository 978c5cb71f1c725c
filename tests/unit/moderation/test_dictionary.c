/* tests/unit/moderation/test_dictionary.c: every word of the English word
 * list compiled into the binary (Debian's wamerican and wbritish,
 * src/moderation/dict.h), said in a bland sentence and alone, through
 * moderation_decide(). The words it rejects must be exactly those of
 * tests/moderation/dictionary_rejects.txt: an innocent word that a listed
 * one hides in ("spices", "sniggers", "administering") is found the day a
 * list or a rule starts to reject it, and a word that stops being rejected
 * is named too, so the file stays the truth. Run from the repository root
 * (make check does). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "moderation/moderation.h"
#include "util/assets.h"
#include "util/file.h"
#include "util/xalloc.h"

#define REJECTS_FILE "tests/moderation/dictionary_rejects.txt"

/* The sentence frame: nothing in it gives a reason of its own. */
#define FRAME_BEFORE "We talked about the "
#define FRAME_AFTER " at the meeting yesterday."

typedef struct words {
    char **v;
    size_t n, cap;
} words;

static void
words_add(words *w, const char *s, size_t n)
{
    if (w->n == w->cap) {
        w->cap = w->cap ? w->cap * 2 : 64;
        w->v = xrealloc(w->v, w->cap * sizeof *w->v);
    }
    char *c = xmalloc(n + 1);
    memcpy(c, s, n);
    c[n] = '\0';
    w->v[w->n++] = c;
}

static bool
words_has(const words *w, const char *s)
{
    for (size_t i = 0; i < w->n; i++)
        if (strcmp(w->v[i], s) == 0)
            return true;
    return false;
}

static void
words_free(words *w)
{
    for (size_t i = 0; i < w->n; i++)
        free(w->v[i]);
    free(w->v);
}

/* One word per line; '#' starts a comment line; blank lines are skipped. */
static void
read_lines(const char *text, size_t len, words *out)
{
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl != NULL ? nl : end;
        if (e > p && *p != '#')
            words_add(out, p, (size_t)(e - p));
        p = e + 1;
    }
}

/* Says every dictionary word between before and after; the rejects must
 * be the listed ones. */
static void
rejects_are_the_listed_ones(const char *before, const char *after)
{
    const asset *d = asset_find(dict_files, "/dict/en.txt");
    assert_non_null(d);
    words dict = {0}, listed = {0}, unexpected = {0}, missing = {0};
    read_lines((const char *)d->data, (size_t)d->size, &dict);
    assert_true(dict.n > 50000);
    size_t len = 0;
    char *text = file_read(REJECTS_FILE, SIZE_MAX, &len, NULL);
    assert_non_null(text);
    read_lines(text, len, &listed);
    free(text);
    assert_true(listed.n > 0);

    moderation *m;
    pl_error err;
    assert_int_equal(moderation_new(NULL, &m, &err), 0);
    arena *a = arena_new();
    words rejected = {0};
    for (size_t i = 0; i < dict.n; i++) {
        char body[128];
        int n = snprintf(body, sizeof body, "%s%s%s", before, dict.v[i], after);
        assert_true(n > 0 && (size_t)n < sizeof body);
        moderation_input in = {
            .body = body, .body_len = (size_t)n, .article_title = "", .article_text = ""};
        moderation_result r;
        arena_reset(a);
        moderation_decide(m, &in, a, &r);
        if (r.decision == MOD_REJECT) {
            words_add(&rejected, dict.v[i], strlen(dict.v[i]));
            if (!words_has(&listed, dict.v[i]))
                words_add(&unexpected, dict.v[i], strlen(dict.v[i]));
        }
    }
    for (size_t i = 0; i < listed.n; i++)
        if (!words_has(&rejected, listed.v[i]))
            words_add(&missing, listed.v[i], strlen(listed.v[i]));
    for (size_t i = 0; i < unexpected.n; i++)
        print_message("rejected, not in %s: %s\n", REJECTS_FILE, unexpected.v[i]);
    for (size_t i = 0; i < missing.n; i++)
        print_message("in %s, not rejected: %s\n", REJECTS_FILE, missing.v[i]);
    print_message("%zu words, %zu rejected\n", dict.n, rejected.n);
    size_t bad = unexpected.n + missing.n;
    arena_free(a);
    moderation_free(m);
    words_free(&dict);
    words_free(&listed);
    words_free(&rejected);
    words_free(&unexpected);
    words_free(&missing);
    assert_int_equal(bad, 0);
}

static void
dictionary_words_rejected_are_the_listed_ones(void **state)
{
    (void)state;
    rejects_are_the_listed_ones(FRAME_BEFORE, FRAME_AFTER);
}

/* The same words alone, a comment each: too short for the language to be
 * known for sure, and the detector may take an English word for another
 * language ("teetering" for Dutch, where `tering` is a swear word). */
static void
dictionary_words_alone_rejected_are_the_listed_ones(void **state)
{
    (void)state;
    rejects_are_the_listed_ones("", "");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dictionary_words_rejected_are_the_listed_ones),
        cmocka_unit_test(dictionary_words_alone_rejected_are_the_listed_ones),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
