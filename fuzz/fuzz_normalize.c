/* fuzz/fuzz_normalize.c: the normaliser, the lexicon automaton and the whole
 * moderation engine on arbitrary bytes.
 *
 * Checks the normaliser's invariants (normalize.h: spans inside the input,
 * non-decreasing, single spaces between tokens, runs of at least one), that
 * every lexicon hit lies inside the folded text on token-consistent bounds,
 * and that every excerpt moderation_decide() returns is a slice of the
 * input. The engine is built once per process: building it is the slow part
 * and it is immutable afterwards.
 */
#include "fuzz.h"
#include "moderation/lexicon.h"
#include "moderation/moderation.h"
#include "moderation/normalize.h"

#include <stdlib.h>
#include <string.h>

static moderation *
engine(void)
{
    static moderation *m; /* built once, read-only afterwards */
    if (m == NULL) {
        pl_error err;
        if (moderation_new(NULL, &m, &err) < 0)
            abort();
    }
    return m;
}

static lexicon *
words(void)
{
    static lexicon *lx; /* built once, read-only afterwards */
    if (lx == NULL) {
        pl_error err;
        if (lexicon_load(NULL, &lx, &err) < 0)
            abort();
    }
    return lx;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1 << 20)
        return 0;
    arena *a = arena_new();
    const char *s = (const char *)data;
    norm_text t;
    norm_fold(a, s, size, &t);
    if (t.s[t.len] != '\0')
        abort();
    for (size_t i = 0; i < t.len; i++) {
        if (t.ostart[i] > t.oend[i] || t.oend[i] > size || t.run[i] == 0)
            abort();
        if (i > 0 && t.ostart[i] < t.ostart[i - 1])
            abort();
        if (t.s[i] == ' ' && (i == 0 || i + 1 == t.len || t.s[i + 1] == ' '))
            abort();
        if (t.s[i] != ' ' && t.ostart[i] == t.oend[i])
            abort();
    }
    lex_hit *h, *al;
    size_t nal;
    size_t n = lexicon_scan_allow(words(), &t, "", false, a, &h, &al, &nal);
    if (n > LEXICON_MAX_HITS)
        abort();
    for (size_t i = 0; i < n; i++)
        if (h[i].start >= h[i].end || h[i].end > t.len || h[i].category >= LEX_NCATEGORIES)
            abort();
    for (size_t i = 0; i < nal; i++)
        if (al[i].start >= al[i].end || al[i].end > t.len || al[i].category != LEX_ALLOW)
            abort();

    /* The whole engine, with the input as comment, article and parent. */
    char *body = arena_strndup(a, s, size);
    moderation_input in = {.body = body,
                           .body_len = size,
                           .article_title = body,
                           .article_text = body,
                           .parent_body = body,
                           .parent_author_name = "Dave",
                           .article_sensitive = size % 2,
                           .author_created_at = 1,
                           .now = 2,
                           .recent_bodies = (const char *[]){body},
                           .recent_times = (const int64_t[]){1},
                           .n_recent = 1};
    moderation_result r;
    moderation_decide(engine(), &in, a, &r);
    if (r.decision > MOD_REJECT)
        abort();
    for (size_t i = 0; i < r.n_reasons; i++) {
        const char *e = r.reasons[i].excerpt;
        size_t el = strlen(e);
        if (el == 0)
            continue;
        bool found = false;
        for (size_t k = 0; k + el <= size && !found; k++)
            found = !memcmp(s + k, e, el);
        if (!found)
            abort();
    }
    arena_free(a);
    return 0;
}
