/* fuzz/fuzz_lexicon.c: the word-list parser (data/lexicon/README.md) on
 * arbitrary bytes, as a list a publisher puts in moderation.lexicon_dir.
 *
 * The input is one list file. It must be refused cleanly (an error, no
 * lexicon) or give a lexicon that then scans a fixed text and the same text
 * forty times over, in a reliable language and with the language unknown,
 * with every hit inside the text.
 */
#include "fuzz.h"
#include "moderation/lexicon.h"
#include "moderation/normalize.h"
#include "util/arena.h"

#include <stdlib.h>
#include <string.h>

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lexicon_source src[] = {{"fuzz.tsv", (const char *)data, size}};
    lexicon *lx = NULL;
    pl_error err;
    if (lexicon_new(src, 1, &lx, &err) != 0) {
        if (lx != NULL)
            abort();
        return 0;
    }
    static const char text[] = "Zork said the mierda council was a bite of merde, کس.";
    /* The text alone, and forty times over: a long text is walked in
     * stretches (lexicon.c, scan_walk). */
    char longer[40 * sizeof text];
    for (size_t k = 0; k < 40; k++) {
        memcpy(longer + k * sizeof text, text, sizeof text - 1);
        longer[(k + 1) * sizeof text - 1] = ' ';
    }
    arena *a = arena_new();
    norm_text t;
    for (int pass = 0; pass < 4; pass++) {
        if (pass % 2 == 0)
            norm_fold(a, pass ? longer : text, pass ? sizeof longer : sizeof text - 1, &t);
        lex_hit *h;
        size_t n =
            pass % 2 ? lexicon_scan_in(lx, &t, "fr", true, a, &h) : lexicon_scan(lx, &t, a, &h);
        for (size_t i = 0; i < n; i++)
            if (h[i].start >= h[i].end || h[i].end > t.len || h[i].severity > 3 ||
                lexicon_term(lx, h[i].term)[0] == '\0')
                abort();
    }
    arena_free(a);
    lexicon_free(lx);
    return 0;
}
