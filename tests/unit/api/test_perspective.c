/* tests/unit/api/test_perspective.c: the parsers and the sentence splitter
 * of the Perspective-compatible endpoint (api/perspective.h), case by case;
 * the endpoint itself is tested over HTTP in tests/api/perspective.test.mjs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "api/perspective.h"

/* The sentences of text as "begin-end" byte pairs and "begin16-end16"
 * UTF-16 pairs, space-separated. */
static void
expect_spans(const char *text, const char *bytes, const char *units)
{
    arena *a = arena_new();
    size_t n;
    perspective_span *s = perspective_sentences(text, strlen(text), a, &n);
    char got[512] = "", got16[512] = "";
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(got), l16 = strlen(got16);
        snprintf(got + l, sizeof got - l, "%s%zu-%zu", i ? " " : "", s[i].begin, s[i].end);
        snprintf(got16 + l16, sizeof got16 - l16, "%s%zu-%zu", i ? " " : "", s[i].begin16,
                 s[i].end16);
    }
    assert_string_equal(got, bytes);
    assert_string_equal(got16, units);
    arena_free(a);
}

static void
sentences_end_at_marks_before_space_and_at_line_breaks(void **state)
{
    (void)state;
    /* Perspective's own example: [0,31) and [32,56). */
    expect_spans("What kind of idiot name is foo? Sorry, I like your name.", "0-31 32-56",
                 "0-31 32-56");
    /* Runs of marks, closing quotes and brackets stay with their sentence;
     * a mark inside a word or number does not end one. */
    expect_spans("Really?!\" (Yes.) 3.5 e.g.x ok", "0-9 10-16 17-29", "0-9 10-16 17-29");
    /* Line breaks end sentences; white space around them is left out. */
    expect_spans("  one\n\n two  \nthree", "2-5 8-11 14-19", "2-5 8-11 14-19");
    expect_spans("", "", "");
    expect_spans(" \t\r\n ", "", "");
    expect_spans("no end mark", "0-11", "0-11");
}

static void
spans_count_utf16_units(void **state)
{
    (void)state;
    /* "é" is 2 bytes and 1 unit, "…" 3 bytes and 1 unit (and ends a
     * sentence), the emoji 4 bytes and 2 units, "”" 3 bytes and 1 unit. */
    expect_spans("Caf\xc3\xa9\xe2\x80\xa6 \xf0\x9f\x98\x80 fin.\xe2\x80\x9d next", "0-8 9-21 22-26",
                 "0-5 6-14 15-19");
    assert_int_equal(perspective_utf16_len("\xf0\x9f\x98\x80x", 5), 3);
    assert_int_equal(perspective_utf16_len("\xc3\xa9", 2), 1);
}

static int
analyze(const char *body, perspective_request *r, perspective_error *e, arena *a)
{
    return perspective_parse_analyze(body, strlen(body), a, r, e);
}

static void
accepts_what_clients_send(void **state)
{
    (void)state;
    arena *a = arena_new();
    perspective_request r;
    perspective_error e;
    /* Coral Talk's body. */
    assert_int_equal(analyze("{\"comment\":{\"text\":\"hi there\"},\"languages\":[\"en\"],"
                             "\"doNotStore\":true,\"requestedAttributes\":{\"TOXICITY\":{}}}",
                             &r, &e, a),
                     0);
    assert_string_equal(r.text, "hi there");
    assert_int_equal(r.n_attrs, 1);
    assert_int_equal(r.attrs[0].attr, CLF_TOXICITY);
    assert_false(r.attrs[0].has_threshold);
    assert_true(r.english);
    assert_true(r.do_not_store);
    assert_null(r.client_token);
    /* Every field, snake_case names, attributes kept in request order. */
    assert_int_equal(
        analyze("{\"comment\":{\"text\":\"x\",\"type\":\"PLAIN_TEXT\"},\"requested_attributes\":"
                "{\"THREAT\":{\"score_threshold\":0.25,\"score_type\":\"PROBABILITY\"},"
                "\"INSULT\":null,\"TOXICITY\":{\"scoreType\":1}},\"languages\":[\"EN-gb\"],"
                "\"span_annotations\":true,\"client_token\":\"t\",\"session_id\":\"s\","
                "\"community_id\":\"c\",\"context\":{\"article_and_parent_comment\":{"
                "\"article\":{\"text\":\"a\"},\"parent_comment\":{\"text\":\"p\"}}},"
                "\"drop_unsupported_attributes\":false}",
                &r, &e, a),
        0);
    assert_int_equal(r.n_attrs, 3);
    assert_int_equal(r.attrs[0].attr, CLF_THREAT);
    assert_true(r.attrs[0].has_threshold);
    assert_true(r.attrs[0].threshold == 0.25);
    assert_int_equal(r.attrs[1].attr, CLF_INSULT);
    assert_int_equal(r.attrs[2].attr, CLF_TOXICITY);
    assert_true(r.span_annotations);
    assert_string_equal(r.client_token, "t");
    assert_true(r.english);
    /* A language other than English with dropUnsupportedAttributes. */
    assert_int_equal(analyze("{\"comment\":{\"text\":\"x\"},\"requestedAttributes\":{\"INSULT\":{}"
                             "},\"languages\":[\"fr\"],\"dropUnsupportedAttributes\":true}",
                             &r, &e, a),
                     0);
    assert_false(r.english);
    arena_free(a);
}

static void
expect_refusal(const char *body, const char *error_type, const char *message)
{
    arena *a = arena_new();
    perspective_request r;
    perspective_error e;
    assert_int_equal(analyze(body, &r, &e, a), -1);
    assert_int_equal(e.http_status, 400);
    assert_string_equal(e.status, "INVALID_ARGUMENT");
    if (error_type == NULL)
        assert_null(e.error_type);
    else
        assert_string_equal(e.error_type, error_type);
    assert_non_null(strstr(e.message, message));
    arena_free(a);
}

static void
refuses_with_perspectives_messages(void **state)
{
    (void)state;
    expect_refusal("{\"comment\":{\"text\":\"\"},\"requestedAttributes\":{\"TOXICITY\":{}}}",
                   "COMMENT_EMPTY", "Comment must be non-empty.");
    expect_refusal("", "COMMENT_EMPTY", "Comment must be non-empty.");
    expect_refusal("{\"comment\":{\"text\":\"x\"}}", "NO_REQUESTED_ATTRIBUTES",
                   "Missing requested_attributes");
    expect_refusal("{\"comment\":{\"text\":\"x\"},\"requestedAttributes\":{\"FLIRTATION\":{}}}",
                   "INVALID_REQUEST", "Unknown requested attribute: FLIRTATION");
    expect_refusal("{\"comment\":{\"text\":\"x\"},\"requestedAttributes\":{\"TOXICITY\":{"
                   "\"scoreType\":\"PERCENTILE\"}}}",
                   "INVALID_REQUEST",
                   "Requested score type PERCENTILE is not supported by attribute TOXICITY");
    expect_refusal("{\"comment\":{\"text\":\"x\"},\"requestedAttributes\":{\"PROFANITY\":{},"
                   "\"TOXICITY\":{}},\"languages\":[\"de\",\"es\"]}",
                   "LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE",
                   "Attribute PROFANITY does not support request languages: de, es");
    expect_refusal("{\"comment\":{\"text\":\"x\",\"type\":\"HTML\"},\"requestedAttributes\":{"
                   "\"TOXICITY\":{}}}",
                   "INVALID_REQUEST", "PLAIN_TEXT");
    expect_refusal("{\"comment\":{\"text\":\"x\"},\"requestedAttributes\":{\"TOXICITY\":{}},"
                   "\"context\":{\"entries\":[],\"articleAndParentComment\":{}}}",
                   "INVALID_REQUEST", "both fields were populated");
    expect_refusal("{\"comment\":{\"text\":\"x\"},\"requestedAttributes\":{\"TOXICITY\":{}},"
                   "\"extra\":1}",
                   NULL, "Unknown name \"extra\"");
    expect_refusal("{\"comment\":{\"text\":true},\"requestedAttributes\":{\"TOXICITY\":{}}}", NULL,
                   "Invalid value at 'comment.text'");
    expect_refusal("{\"comment\":", NULL, "Invalid JSON payload received.");
    expect_refusal("[1]", NULL, "Expected an object");
    expect_refusal("\"text\"", NULL, "Invalid JSON payload received.");
    /* The 20 KB limit counts bytes. */
    char big[PERSPECTIVE_MAX_TEXT + 128];
    int n = snprintf(big, sizeof big, "{\"comment\":{\"text\":\"");
    memset(big + n, 'a', PERSPECTIVE_MAX_TEXT + 1);
    snprintf(big + n + PERSPECTIVE_MAX_TEXT + 1, 64,
             "\"},\"requestedAttributes\":{\"TOXICITY\":{}}}");
    expect_refusal(big, "COMMENT_TOO_LONG", "Comment text too long.");
}

static void
language_refusal_names_attribute_and_languages(void **state)
{
    (void)state;
    arena *a = arena_new();
    perspective_request r;
    perspective_error e;
    assert_int_equal(
        analyze("{\"comment\":{\"text\":\"x\"},\"requestedAttributes\":{\"THREAT\":{}},"
                "\"languages\":[\"en\",\"pt-BR\"]}",
                &r, &e, a),
        -1);
    assert_string_equal(e.attribute, "THREAT");
    assert_int_equal(e.n_languages, 2);
    assert_string_equal(e.languages[1], "pt-BR");
    arena_free(a);
}

static void
suggestscore_accepts_coral_feedback(void **state)
{
    (void)state;
    arena *a = arena_new();
    perspective_error e;
    const char *token;
    const char *coral =
        "{\n  \"comment\": {\"text\": \"a comment\"},\n  \"context\": {\"entries\": "
        "[{\"text\": \"{}\"}]},\n  \"attributeScores\": {\"DELETED\": "
        "{\"summaryScore\": {\"value\": 1}}},\n  \"languages\": [\"EN\"],\n  "
        "\"communityId\": \"Coral:https://x/\",\n  \"clientToken\": \"comment:9\"\n}";
    assert_int_equal(perspective_parse_suggest(coral, strlen(coral), a, &token, &e), 0);
    assert_string_equal(token, "comment:9");
    const char *empty = "{\"comment\":{\"text\":\"x\"},\"attributeScores\":{\"A\":{}}}";
    assert_int_equal(perspective_parse_suggest(empty, strlen(empty), a, &token, &e), -1);
    const char *spans = "{\"comment\":{\"text\":\"x\"},\"attributeScores\":{\"A\":{\"spanScores\":"
                        "[{\"begin\":0,\"score\":{\"value\":1}}]}}}";
    assert_int_equal(perspective_parse_suggest(spans, strlen(spans), a, &token, &e), -1);
    assert_non_null(strstr(e.message, "begin and end"));
    arena_free(a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sentences_end_at_marks_before_space_and_at_line_breaks),
        cmocka_unit_test(spans_count_utf16_units),
        cmocka_unit_test(accepts_what_clients_send),
        cmocka_unit_test(refuses_with_perspectives_messages),
        cmocka_unit_test(language_refusal_names_attribute_and_languages),
        cmocka_unit_test(suggestscore_accepts_coral_feedback),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
