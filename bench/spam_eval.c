/* bench/spam_eval.c: how much labelled spam the moderation engine holds or
 * refuses, and how many clean comments it stops (make bench-spam).
 *
 * Input: TSV lines "spam<TAB>text" or "ham<TAB>text" (tools/youtube_spam.sh
 * makes them from the YouTube Spam Collection; tests/moderation/spam.case
 * has news-comment spam written for Parley in the same form). Each comment
 * is judged as a top-level comment on a general news article, twice: from
 * an established account and from an account an hour old (the new-account
 * link rules apply). --config FILE loads a Parley config (link lists,
 * policy). Prints, per account kind, the share of spam stopped (held or
 * refused) and of clean comments stopped, on all rows and on the rows the
 * spam score never saw in training (spam_heldout, spamscore.h). A benchmark,
 * not a test.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "moderation/moderation.h"
#include "moderation/spamscore.h"
#include "util/config.h"
#include "util/text.h"

#define HOUR_MS 3600000LL

/* The collection has stray bytes (a mangled byte-order mark): read with
 * replacement, as its README says, so each becomes a space. */
static void
repair_utf8(char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        if (len == 0 || i + len > n || !utf8_valid(s + i, len)) {
            s[i++] = ' ';
            continue;
        }
        i += len;
    }
}

int
main(int argc, char **argv)
{
    const char *config_path = NULL;
    int first = 1;
    if (argc > 2 && strcmp(argv[1], "--config") == 0) {
        config_path = argv[2];
        first = 3;
    }
    if (first >= argc) {
        fprintf(stderr, "usage: spam_eval [--config FILE] FILE.tsv...\n");
        return 2;
    }
    config cfg;
    pl_error err;
    config_init(&cfg);
    if (config_path != NULL && config_load_file(&cfg, config_path, &err) < 0) {
        fprintf(stderr, "spam_eval: %s\n", err.msg);
        return 1;
    }
    moderation *m;
    if (moderation_new(&cfg, &m, &err) < 0) {
        fprintf(stderr, "spam_eval: %s\n", err.msg);
        return 1;
    }
    arena *a = arena_new();
    int64_t now = 1764547200000; /* a fixed clock: results do not depend on the day */
    for (int fi = first; fi < argc; fi++) {
        FILE *f = fopen(argv[fi], "r");
        if (f == NULL) {
            perror(argv[fi]);
            return 1;
        }
        /* [all rows, held-out rows][account kind][0 ham, 1 spam]: seen, stopped */
        size_t seen[2][2][2] = {{{0}}}, stopped[2][2][2] = {{{0}}}, as_spam[2][2][2] = {{{0}}},
               repaired = 0;
        char *line = NULL;
        size_t cap = 0;
        ssize_t k;
        while ((k = getline(&line, &cap, f)) > 0) {
            while (k > 0 && (line[k - 1] == '\n' || line[k - 1] == '\r'))
                line[--k] = '\0';
            char *tab = strchr(line, '\t');
            if (tab == NULL || line[0] == '#')
                continue;
            bool held = spam_heldout(tab + 1, strlen(tab + 1)); /* as the trainer read it */
            if (!utf8_valid(tab + 1, strlen(tab + 1))) {
                repaired++;
                repair_utf8(tab + 1);
            }
            int spam = strncmp(line, "spam", 4) == 0;
            for (int kind = 0; kind < 2; kind++) {
                moderation_input in = {0};
                in.body = tab + 1;
                in.body_len = strlen(tab + 1);
                in.article_title = "Council approves the northern bypass";
                in.article_text = "";
                in.author_id = 42;
                in.now = now;
                in.author_created_at = kind == 0 ? now - 400 * 24 * HOUR_MS : now - HOUR_MS;
                moderation_result r;
                moderation_decide(m, &in, a, &r);
                bool spam_reason = false;
                for (size_t i = 0; i < r.n_reasons; i++)
                    spam_reason |= strcmp(r.reasons[i].rule, "spam") == 0;
                for (int set = 0; set < 1 + held; set++) {
                    seen[set][kind][spam]++;
                    stopped[set][kind][spam] += r.decision != MOD_PUBLISH;
                    as_spam[set][kind][spam] += r.decision != MOD_PUBLISH && spam_reason;
                }
                arena_reset(a);
            }
        }
        free(line);
        fclose(f);
        if (repaired > 0)
            printf("%s: %zu lines had bytes that are not UTF-8 (read as spaces)\n", argv[fi],
                   repaired);
        for (int set = 0; set < 2; set++)
            for (int kind = 0; kind < 2; kind++) {
                size_t *sn = seen[set][kind], *st = stopped[set][kind], *ss = as_spam[set][kind];
                printf("%s, %s rows, %s account: spam stopped %zu/%zu (%.1f%%); clean stopped "
                       "%zu/%zu (%.1f%%), of which as spam %zu (%.1f%%)\n",
                       argv[fi], set == 0 ? "all" : "held-out", kind == 0 ? "established" : "new",
                       st[1], sn[1], 100.0 * (double)st[1] / (double)(sn[1] ? sn[1] : 1), st[0],
                       sn[0], 100.0 * (double)st[0] / (double)(sn[0] ? sn[0] : 1), ss[0],
                       100.0 * (double)ss[0] / (double)(sn[0] ? sn[0] : 1));
            }
    }
    arena_free(a);
    moderation_free(m);
    config_fini(&cfg);
    return 0;
}
