/* fuzz/fuzz_perspective.c: the request parsers and the sentence splitter of
 * the Perspective-compatible endpoint (api/perspective.h).
 *
 * The first byte picks the mode; the rest is the input. 'a' (and any byte
 * not listed): an AnalyzeCommentRequest body; 's': a SuggestCommentScore
 * body; 't': raw text for perspective_sentences, even when it is not UTF-8.
 * Invariants: an accepted request has a comment of 1 to 20 KB of UTF-8 and
 * 1 to CLF_ATTRS distinct known attributes; a refusal is a 400 that says
 * why, and a language refusal names its attribute; sentence spans lie
 * inside the text in order, never empty, never overlapping, trimmed of
 * white space, and their UTF-16 bounds agree with the byte bounds.
 */
#include "api/perspective.h"
#include "fuzz.h"
#include "util/text.h"

#include <stdlib.h>
#include <string.h>

static bool
space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

static void
check_sentences(const char *text, size_t n, arena *a)
{
    size_t count, prev_end = 0;
    perspective_span *s = perspective_sentences(text, n, a, &count);
    for (size_t i = 0; i < count; i++) {
        if (s[i].begin >= s[i].end || s[i].end > n || s[i].begin < prev_end)
            abort();
        if (space(text[s[i].begin]) || space(text[s[i].end - 1]))
            abort();
        if (s[i].begin16 != perspective_utf16_len(text, s[i].begin) ||
            s[i].end16 != perspective_utf16_len(text, s[i].end))
            abort();
        prev_end = s[i].end;
    }
    /* A text with anything but white space has a sentence. */
    bool blank = true;
    for (size_t i = 0; i < n; i++)
        blank &= space(text[i]);
    if (blank != (count == 0))
        abort();
}

static void
check_error(const perspective_error *e)
{
    if (e->http_status != 400 || e->status == NULL || e->message[0] == '\0')
        abort();
    if (e->error_type != NULL && !strcmp(e->error_type, "LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE") &&
        (e->attribute == NULL || e->n_languages == 0))
        abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > (1 << 16))
        return 0;
    const char *body = (const char *)data + 1;
    size_t n = size - 1;
    arena *a = arena_new();
    perspective_error e;
    if (data[0] == 't') {
        check_sentences(body, n, a);
    } else if (data[0] == 's') {
        const char *token;
        if (perspective_parse_suggest(body, n, a, &token, &e) < 0)
            check_error(&e);
    } else {
        perspective_request r;
        if (perspective_parse_analyze(body, n, a, &r, &e) < 0) {
            check_error(&e);
        } else {
            if (r.text_len == 0 || r.text_len > PERSPECTIVE_MAX_TEXT ||
                strlen(r.text) != r.text_len || !utf8_valid(r.text, r.text_len))
                abort();
            if (r.n_attrs == 0 || r.n_attrs > CLF_ATTRS)
                abort();
            for (size_t i = 0; i < r.n_attrs; i++) {
                if ((unsigned)r.attrs[i].attr >= CLF_ATTRS)
                    abort();
                for (size_t j = 0; j < i; j++)
                    if (r.attrs[j].attr == r.attrs[i].attr)
                        abort();
            }
            check_sentences(r.text, r.text_len, a);
        }
    }
    arena_free(a);
    return 0;
}
