/* tests/unit/util/test_text.c: bounded parsers and text helpers: integers,
 * UTF-8 validation, RFC 3339 times, article ids and base64url. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util/arena.h"
#include "util/error.h"
#include "util/text.h"

static void
parse_int_accepts_in_range(void **state)
{
    (void)state;
    int64_t v = -1;
    assert_int_equal(parse_int("0", 0, 10, &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(parse_int("10", 0, 10, &v), 0);
    assert_int_equal(v, 10);
    assert_int_equal(parse_int("-5", -5, 5, &v), 0);
    assert_int_equal(v, -5);
    assert_int_equal(parse_int("007", 0, 10, &v), 0);
    assert_int_equal(v, 7);
    assert_int_equal(parse_int("9223372036854775807", INT64_MIN, INT64_MAX, &v), 0);
    assert_true(v == INT64_MAX);
    assert_int_equal(parse_int("-9223372036854775808", INT64_MIN, INT64_MAX, &v), 0);
    assert_true(v == INT64_MIN);
    assert_int_equal(parse_int("-0", -1, 1, &v), 0);
    assert_int_equal(v, 0);
}

static void
parse_int_rejects_out_of_range_and_overflow(void **state)
{
    (void)state;
    int64_t v = 1234;
    assert_int_equal(parse_int("11", 0, 10, &v), PL_EINVAL);
    assert_int_equal(parse_int("-6", -5, 5, &v), PL_EINVAL);
    assert_int_equal(parse_int("4", 5, 10, &v), PL_EINVAL);
    assert_int_equal(parse_int("9223372036854775808", INT64_MIN, INT64_MAX, &v), PL_EINVAL);
    assert_int_equal(parse_int("-9223372036854775809", INT64_MIN, INT64_MAX, &v), PL_EINVAL);
    assert_int_equal(parse_int("18446744073709551615", INT64_MIN, INT64_MAX, &v), PL_EINVAL);
    assert_int_equal(parse_int("18446744073709551616", INT64_MIN, INT64_MAX, &v), PL_EINVAL);
    assert_int_equal(parse_int("99999999999999999999999999999", 0, INT64_MAX, &v), PL_EINVAL);
    /* A minus sign is not allowed when min is not negative. */
    assert_int_equal(parse_int("-0", 0, 10, &v), PL_EINVAL);
    /* Failure leaves *out alone. */
    assert_int_equal(v, 1234);
}

static void
parse_int_rejects_garbage(void **state)
{
    (void)state;
    int64_t v;
    static const char *const bad[] = {"",    " 1",  "1 ", "+1",  "1a", "a1",  "0x10",
                                      "1.0", "1e3", "-",  "--1", "1-", "\t1", "１"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(parse_int(bad[i], -100, 100, &v), PL_EINVAL);
    assert_int_equal(parse_int(NULL, 0, 1, &v), PL_EINVAL);
}

static bool
valid(const char *s)
{
    return utf8_valid(s, strlen(s));
}

static void
utf8_valid_accepts_well_formed(void **state)
{
    (void)state;
    assert_true(utf8_valid("", 0));
    assert_true(valid("plain ascii"));
    assert_true(valid("\xc2\x80"));                 /* U+0080, smallest 2-byte */
    assert_true(valid("\xdf\xbf"));                 /* U+07FF */
    assert_true(valid("\xe0\xa0\x80"));             /* U+0800, smallest 3-byte */
    assert_true(valid("\xed\x9f\xbf"));             /* U+D7FF, below surrogates */
    assert_true(valid("\xee\x80\x80"));             /* U+E000, above surrogates */
    assert_true(valid("\xef\xbf\xbf"));             /* U+FFFF */
    assert_true(valid("\xf0\x90\x80\x80"));         /* U+10000, smallest 4-byte */
    assert_true(valid("\xf4\x8f\xbf\xbf"));         /* U+10FFFF, the largest */
    assert_true(valid("caf\xc3\xa9 \xe2\x82\xac")); /* "café €" */
    assert_true(utf8_valid("a\0b", 3));             /* NUL is valid here */
}

static void
utf8_valid_rejects_malformed(void **state)
{
    (void)state;
    assert_false(valid("\xc0\x80"));         /* overlong NUL */
    assert_false(valid("\xc1\xbf"));         /* overlong U+007F */
    assert_false(valid("\xe0\x9f\xbf"));     /* overlong U+07FF */
    assert_false(valid("\xf0\x8f\xbf\xbf")); /* overlong U+FFFF */
    assert_false(valid("\xed\xa0\x80"));     /* U+D800 */
    assert_false(valid("\xed\xbf\xbf"));     /* U+DFFF */
    assert_false(valid("\xf4\x90\x80\x80")); /* U+110000 */
    assert_false(valid("\xf5\x80\x80\x80")); /* lead byte past F4 */
    assert_false(valid("\xff"));
    assert_false(valid("\x80"));         /* lone continuation */
    assert_false(valid("\xc3"));         /* truncated 2-byte */
    assert_false(valid("\xe2\x82"));     /* truncated 3-byte */
    assert_false(valid("\xf0\x9f\x98")); /* truncated 4-byte */
    assert_false(valid("\xe2\x28\xa1")); /* bad continuation */
    assert_false(valid("ok\xc3"));
    /* Truncation by length, not by NUL. */
    assert_false(utf8_valid("\xc3\xa9", 1));
    assert_true(utf8_valid("\xc3\xa9", 2));
}

static void
utf8_length_counts_code_points(void **state)
{
    (void)state;
    assert_int_equal(utf8_length("", 0), 0);
    assert_int_equal(utf8_length("abc", 3), 3);
    const char *s = "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80";
    assert_int_equal(utf8_length(s, strlen(s)), 8);
}

static int64_t
parse_time(const char *s)
{
    int64_t ms = 0;
    assert_int_equal(time_parse_rfc3339(s, &ms), 0);
    return ms;
}

static void
time_parse_known_values(void **state)
{
    (void)state;
    assert_true(parse_time("1970-01-01T00:00:00Z") == 0);
    assert_true(parse_time("1970-01-01t00:00:00z") == 0);
    assert_true(parse_time("2026-11-27T10:15:00Z") == INT64_C(1795774500000));
    assert_true(parse_time("2026-11-27T11:15:00+01:00") == INT64_C(1795774500000));
    assert_true(parse_time("2026-11-27T04:45:00-05:30") == INT64_C(1795774500000));
    assert_true(parse_time("2026-11-27T10:15:00.5Z") == INT64_C(1795774500500));
    assert_true(parse_time("2026-11-27T10:15:00.123Z") == INT64_C(1795774500123));
    /* Digits past milliseconds are dropped, not rounded. */
    assert_true(parse_time("2026-11-27T10:15:00.123999Z") == INT64_C(1795774500123));
    assert_true(parse_time("1969-12-31T23:59:59Z") == -1000);
    assert_true(parse_time("2000-02-29T00:00:00Z") == INT64_C(951782400000));
    assert_true(parse_time("0000-01-01T00:00:00Z") == INT64_C(-62167219200000));
    assert_true(parse_time("9999-12-31T23:59:59Z") == INT64_C(253402300799000));
}

static void
time_parse_rejects(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "2026-11-27",
        "2026-11-27T10:15:00",  /* no offset */
        "2026-11-27 10:15:00Z", /* space instead of T */
        "2026-13-01T00:00:00Z",
        "2026-00-01T00:00:00Z",
        "2026-11-00T00:00:00Z",
        "2026-11-31T00:00:00Z", /* November has 30 days */
        "2026-02-29T00:00:00Z", /* not a leap year */
        "1900-02-29T00:00:00Z", /* not a leap year either */
        "2026-11-27T24:00:00Z",
        "2026-11-27T10:60:00Z",
        "2026-11-27T10:15:61Z",
        "2026-11-27T10:15:00.Z", /* fraction without digits */
        "2026-11-27T10:15:00+1:00",
        "2026-11-27T10:15:00+01:00x",
        "2026-11-27T10:15:00+24:00",
        "2026-11-27T10:15:00Zjunk",
        "2026-1a-27T10:15:00Z",
        "+026-11-27T10:15:00Z",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t ms = 77;
        if (time_parse_rfc3339(bad[i], &ms) != PL_EINVAL)
            print_error("accepted '%s'\n", bad[i]);
        assert_int_equal(time_parse_rfc3339(bad[i], &ms), PL_EINVAL);
        assert_true(ms == 77);
    }
    int64_t ms;
    assert_int_equal(time_parse_rfc3339("2024-02-29T00:00:00Z", &ms), 0);
}

static void
time_format_and_round_trip(void **state)
{
    (void)state;
    char out[32];
    time_format_rfc3339(0, out);
    assert_string_equal(out, "1970-01-01T00:00:00Z");
    time_format_rfc3339(INT64_C(1795774500999), out);
    assert_string_equal(out, "2026-11-27T10:15:00Z");
    /* Times before the epoch round down to the earlier second. */
    time_format_rfc3339(-1, out);
    assert_string_equal(out, "1969-12-31T23:59:59Z");
    time_format_rfc3339(INT64_C(-62167219200000), out);
    assert_string_equal(out, "0000-01-01T00:00:00Z");
    time_format_rfc3339(INT64_C(-30610224000000), out);
    assert_string_equal(out, "1000-01-01T00:00:00Z");
    time_format_rfc3339(INT64_C(-59011459200000), out);
    assert_string_equal(out, "0100-01-01T00:00:00Z");
    /* Out of range clamps rather than writing an unparsable year. */
    time_format_rfc3339(INT64_MAX, out);
    assert_string_equal(out, "9999-12-31T23:59:59Z");
    time_format_rfc3339(INT64_MIN, out);
    assert_string_equal(out, "0000-01-01T00:00:00Z");

    static const char *const texts[] = {"2026-11-27T10:15:00.250+01:00", "1969-07-20T20:17:40Z",
                                        "2000-02-29T23:59:59.999-12:00", "1600-03-01T00:00:00Z"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        int64_t ms = parse_time(texts[i]);
        time_format_rfc3339(ms, out);
        int64_t again = parse_time(out);
        int64_t floor_s = ms / 1000 - (ms % 1000 < 0);
        assert_true(again == floor_s * 1000);
    }
}

static void
time_now_is_recent(void **state)
{
    (void)state;
    /* After this code was written and before year 3000. */
    assert_true(time_now_ms() > INT64_C(1790000000000));
    assert_true(time_now_ms() < INT64_C(32503680000000));
}

static void
article_ids(void **state)
{
    (void)state;
    assert_true(article_id_valid("a"));
    assert_true(article_id_valid("news:2026-11-27.front_page"));
    assert_false(article_id_valid(""));
    assert_false(article_id_valid("a b"));
    assert_false(article_id_valid("a/b"));
    assert_false(article_id_valid("a?b"));
    assert_false(article_id_valid("caf\xc3\xa9"));
    char id[130];
    memset(id, 'x', 128);
    id[128] = '\0';
    assert_true(article_id_valid(id));
    id[128] = 'x';
    id[129] = '\0';
    assert_false(article_id_valid(id));
}

static void
b64url_round_trip(void **state)
{
    (void)state;
    unsigned char in[256], back[256];
    char enc[400];
    for (size_t i = 0; i < sizeof in; i++)
        in[i] = (unsigned char)(255 - i);
    for (size_t n = 0; n <= sizeof in; n++) {
        size_t m = b64url_encode(in, n, enc);
        assert_int_equal(m, strlen(enc));
        assert_int_equal(m, (4 * n + 2) / 3);
        assert_null(strchr(enc, '='));
        assert_null(strchr(enc, '+'));
        assert_null(strchr(enc, '/'));
        assert_int_equal(b64url_decode(enc, back, sizeof back), (long)n);
        assert_memory_equal(in, back, n);
    }
    b64url_encode((const unsigned char *)"hello world", 11, enc);
    assert_string_equal(enc, "aGVsbG8gd29ybGQ");
    b64url_encode((const unsigned char *)"\xfb\xff", 2, enc);
    assert_string_equal(enc, "-_8");
}

static void
b64url_rejects(void **state)
{
    (void)state;
    unsigned char out[64];
    assert_int_equal(b64url_decode("", out, sizeof out), 0);
    assert_int_equal(b64url_decode("A", out, sizeof out), -1); /* 1 mod 4 */
    assert_int_equal(b64url_decode("AAAAA", out, sizeof out), -1);
    assert_int_equal(b64url_decode("aGVsbG8=", out, sizeof out), -1); /* padding */
    assert_int_equal(b64url_decode("ab+c", out, sizeof out), -1);     /* standard alphabet */
    assert_int_equal(b64url_decode("ab/c", out, sizeof out), -1);
    assert_int_equal(b64url_decode("ab c", out, sizeof out), -1);
    assert_int_equal(b64url_decode("AB", out, sizeof out), -1); /* non-zero spare bits */
    assert_int_equal(b64url_decode("AAB", out, sizeof out), -1);
    assert_int_equal(b64url_decode("AA", out, sizeof out), 1);
    assert_int_equal(b64url_decode("AAE", out, sizeof out), 2);
    /* Output that does not fit. */
    assert_int_equal(b64url_decode("aGVsbG8", out, 4), -1);
    assert_int_equal(b64url_decode("aGVsbG8", out, 5), 5);
    assert_memory_equal(out, "hello", 5);
}

static void
html_escapes(void **state)
{
    (void)state;
    arena *a = arena_new();
    assert_string_equal(html_escape(a, "<a href=\"x\">'&'</a>"),
                        "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    assert_string_equal(html_escape(a, ""), "");
    assert_string_equal(html_escape(a, "plain \xc3\xa9"), "plain \xc3\xa9");
    arena_free(a);
}

/* text_excerpt counting bytes, text kept (mail notices, webhooks): whole
 * characters while they fit, the text itself when nothing is cut. */
static void
excerpt_bytes_keeps_lines(void **state)
{
    (void)state;
    arena *a = arena_new();
    const char *s = "line one\nline two";
    assert_ptr_equal(text_excerpt(a, s, 17, 0, "..."), s);
    assert_string_equal(text_excerpt(a, s, 10, 0, "..."), "line one\nl...");
    /* "caf\xc3\xa9" is 5 bytes: 4 do not hold the \xc3\xa9, which goes whole. */
    assert_string_equal(text_excerpt(a, "caf\xc3\xa9!", 4, 0, "\xe2\x80\xa6"), "caf\xe2\x80\xa6");
    assert_string_equal(text_excerpt(a, "caf\xc3\xa9!", 5, 0, "..."), "caf\xc3\xa9...");
    assert_string_equal(text_excerpt(a, "\xf0\x9f\x98\x80", 3, 0, "..."), "...");
    assert_string_equal(text_excerpt(a, "", 0, 0, "..."), "");
    arena_free(a);
}

/* Counting characters, text kept: max characters, whatever their bytes. */
static void
excerpt_chars_keeps_lines(void **state)
{
    (void)state;
    arena *a = arena_new();
    const char *s = "\xc3\xa9\xc3\xa9\n\xc3\xa9";
    assert_ptr_equal(text_excerpt(a, s, 4, TEXT_EXCERPT_CHARS, "..."), s);
    assert_string_equal(text_excerpt(a, s, 3, TEXT_EXCERPT_CHARS, "..."), "\xc3\xa9\xc3\xa9\n...");
    assert_string_equal(text_excerpt(a, s, 0, TEXT_EXCERPT_CHARS, "..."), "...");
    arena_free(a);
}

/* Folding white space (the settings preview's list): one line, one space
 * between words, none at the ends; counting characters, the space counts. */
static void
excerpt_chars_folds_space(void **state)
{
    (void)state;
    arena *a = arena_new();
    unsigned f = TEXT_EXCERPT_CHARS | TEXT_EXCERPT_FOLD;
    assert_string_equal(text_excerpt(a, "  one\n\n two\t ", 20, f, "..."), "one two");
    assert_string_equal(text_excerpt(a, "one two three", 7, f, "..."), "one two...");
    /* The space and the next word's first letter may take the last
     * character one over, as the preview always did. */
    assert_string_equal(text_excerpt(a, "one two", 4, f, "..."), "one t...");
    assert_string_equal(text_excerpt(a, "\xc3\xa9t\xc3\xa9 \xc3\xa9t\xc3\xa9", 3, f, "..."),
                        "\xc3\xa9t\xc3\xa9...");
    /* Exactly max characters, then only white space: nothing is cut. */
    assert_string_equal(text_excerpt(a, "abc", 3, f, "..."), "abc");
    assert_string_equal(text_excerpt(a, "abc  ", 3, f, "..."), "abc...");
    arena_free(a);
}

/* Folding white space and counting bytes: whole words' characters while
 * they fit, the space included. */
static void
excerpt_bytes_folds_space(void **state)
{
    (void)state;
    arena *a = arena_new();
    assert_string_equal(text_excerpt(a, "one\n\ntwo", 7, TEXT_EXCERPT_FOLD, "..."), "one two");
    assert_string_equal(text_excerpt(a, "one\n\ntwo", 5, TEXT_EXCERPT_FOLD, "..."), "one t...");
    assert_string_equal(text_excerpt(a, "ab \xc3\xa9", 4, TEXT_EXCERPT_FOLD, "..."), "ab...");
    assert_string_equal(text_excerpt(a, "  ", 0, TEXT_EXCERPT_FOLD, "..."), "");
    arena_free(a);
}

/* One shape for every path that takes an address (registration, admin
 * create-user, sign-on, OpenID Connect, imports). */
static void
email_shapes(void **state)
{
    (void)state;
    assert_true(email_shape_valid("reader@news.example.com"));
    assert_true(email_shape_valid("A.B+tag@sub.example.org"));
    assert_true(email_shape_valid("caf\xc3\xa9@example.fr"));
    static const char *const bad[] = {
        "",
        "plain",
        "@example.com",
        "a@b",
        "a@@example.com",
        "a@b@c.com",
        "a@.example.com",
        "a@example.com.",
        "a b@example.com",
        "a@exa\tmple.com",
        "a\r@example.com",
        "a@example.com\n",
        "<a>@example.com",
        "a,b@example.com",
        "a;b@example.com",
        "\"a\"@example.com",
        "a\x7f@example.com",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(email_shape_valid(bad[i]));
    char longest[300];
    memset(longest, 'a', sizeof longest);
    memcpy(longest + 254 - 12, "@example.com", 13); /* 254 bytes and the NUL */
    assert_true(email_shape_valid(longest));
    longest[0] = '\0';
    memset(longest, 'a', 243);
    memcpy(longest + 243, "@example.com", 13); /* 255 bytes */
    assert_false(email_shape_valid(longest));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_int_accepts_in_range),
        cmocka_unit_test(parse_int_rejects_out_of_range_and_overflow),
        cmocka_unit_test(parse_int_rejects_garbage),
        cmocka_unit_test(utf8_valid_accepts_well_formed),
        cmocka_unit_test(utf8_valid_rejects_malformed),
        cmocka_unit_test(utf8_length_counts_code_points),
        cmocka_unit_test(time_parse_known_values),
        cmocka_unit_test(time_parse_rejects),
        cmocka_unit_test(time_format_and_round_trip),
        cmocka_unit_test(time_now_is_recent),
        cmocka_unit_test(article_ids),
        cmocka_unit_test(b64url_round_trip),
        cmocka_unit_test(b64url_rejects),
        cmocka_unit_test(html_escapes),
        cmocka_unit_test(excerpt_bytes_keeps_lines),
        cmocka_unit_test(excerpt_chars_keeps_lines),
        cmocka_unit_test(excerpt_chars_folds_space),
        cmocka_unit_test(excerpt_bytes_folds_space),
        cmocka_unit_test(email_shapes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
