/* tests/unit/moderation/test_golden.c: runs every tests/moderation/NAME.case
 * file through moderation_decide() and checks the decision, the rules and
 * the excerpts (format in tests/moderation/README.md). One cmocka test per
 * file; a failing file lists every case that failed. Run from the
 * repository root (make check does). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "moderation/moderation.h"
#include "moderation/moderation_json.h"
#include "util/file.h"
#include "util/text.h"
#include "util/xalloc.h"

#define CASE_DIR "tests/moderation"
#define MAX_LIST 16
#define RULE_LIMIT_FOR_TEST 16

typedef struct golden_case {
    char *name;
    int line;
    char *text, *expect, *title, *article, *parent, *parent_author;
    char *excerpts[MAX_LIST];
    size_t n_excerpts;
    char *policies[MAX_LIST];
    size_t n_policies;
    char *settings[MAX_LIST]; /* "name=value": any other setting (link lists) */
    size_t n_settings;
    char *recent[MAX_LIST];
    int64_t recent_ago[MAX_LIST];
    size_t n_recent;
    bool sensitive, premoderated, queued, queued_set;
    int64_t created_ago_s; /* -1: unknown */
} golden_case;

/* \n \t \\ \xHH \u{HEX} */
static char *
unescape(const char *s)
{
    char *out = xmalloc(strlen(s) * 4 + 1), *o = out;
    while (*s) {
        if (*s != '\\') {
            *o++ = *s++;
            continue;
        }
        s++;
        if (*s == 'n') {
            *o++ = '\n';
            s++;
        } else if (*s == 't') {
            *o++ = '\t';
            s++;
        } else if (*s == 'x' && hex_digit(s[1]) >= 0 && hex_digit(s[2]) >= 0) {
            *o++ = (char)(hex_digit(s[1]) * 16 + hex_digit(s[2]));
            s += 3;
        } else if (*s == 'u' && s[1] == '{') {
            uint32_t cp = 0;
            s += 2;
            while (hex_digit(*s) >= 0)
                cp = cp * 16 + (uint32_t)hex_digit(*s++);
            if (*s == '}')
                s++;
            if (cp < 0x80) {
                *o++ = (char)cp;
            } else if (cp < 0x800) {
                *o++ = (char)(0xC0 | (cp >> 6));
                *o++ = (char)(0x80 | (cp & 0x3F));
            } else if (cp < 0x10000) {
                *o++ = (char)(0xE0 | (cp >> 12));
                *o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
                *o++ = (char)(0x80 | (cp & 0x3F));
            } else {
                *o++ = (char)(0xF0 | (cp >> 18));
                *o++ = (char)(0x80 | ((cp >> 12) & 0x3F));
                *o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
                *o++ = (char)(0x80 | (cp & 0x3F));
            }
        } else if (*s) {
            *o++ = *s++;
        }
    }
    *o = '\0';
    return out;
}

static void
case_free(golden_case *c)
{
    free(c->name);
    free(c->text);
    free(c->expect);
    free(c->title);
    free(c->article);
    free(c->parent);
    free(c->parent_author);
    for (size_t i = 0; i < c->n_excerpts; i++)
        free(c->excerpts[i]);
    for (size_t i = 0; i < c->n_policies; i++)
        free(c->policies[i]);
    for (size_t i = 0; i < c->n_settings; i++)
        free(c->settings[i]);
    for (size_t i = 0; i < c->n_recent; i++)
        free(c->recent[i]);
    memset(c, 0, sizeof *c);
    c->created_ago_s = -1;
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Runs one case; appends a line to report on failure. */
static bool
run_case(moderation *shared, golden_case *gc, const char *file, char *report, size_t cap)
{
    moderation *m = shared, *own = NULL;
    char why[2048] = "";
    if (gc->n_policies > 0 || gc->n_settings > 0) {
        config cfg;
        config_init(&cfg);
        pl_error err;
        for (size_t i = 0; i < gc->n_policies + gc->n_settings; i++) {
            bool pol = i < gc->n_policies;
            char *kv = pol ? gc->policies[i] : gc->settings[i - gc->n_policies];
            char *eq = strchr(kv, '=');
            assert_non_null(eq);
            *eq = '\0';
            char key[128];
            snprintf(key, sizeof key, "%s%s", pol ? "policy." : "", kv);
            assert_int_equal(config_set(&cfg, key, eq + 1, &err), 0);
            *eq = '=';
        }
        assert_int_equal(moderation_new(&cfg, &own, &err), 0);
        config_fini(&cfg);
        m = own;
    }
    int64_t now = 1800000000000;
    const char *bodies[MAX_LIST];
    int64_t times[MAX_LIST];
    for (size_t i = 0; i < gc->n_recent; i++) {
        bodies[i] = gc->recent[i];
        times[i] = now - gc->recent_ago[i] * 1000;
    }
    moderation_input in = {
        .body = gc->text,
        .body_len = strlen(gc->text),
        .article_title = gc->title ? gc->title : "",
        .article_text = gc->article ? gc->article : "",
        .article_status = gc->premoderated ? MOD_ARTICLE_PREMODERATED : MOD_ARTICLE_OPEN,
        .article_sensitive = gc->sensitive,
        .parent_body = gc->parent,
        .parent_author_name = gc->parent ? (gc->parent_author ? gc->parent_author : "") : NULL,
        .author_id = 7,
        .author_created_at = gc->created_ago_s >= 0 ? now - gc->created_ago_s * 1000 : 0,
        .now = now,
        .recent_bodies = bodies,
        .recent_times = times,
        .n_recent = gc->n_recent,
    };
    arena *a = arena_new();
    moderation_result r;
    moderation_decide(m, &in, a, &r);

    /* The same decision, to the byte, as a comment write takes it
     * (api/comments.c): the body folded once beforehand, the recent
     * comments' stored keys, and no body where a key differs (but on a
     * reply to a named author, whose rule reads them all). */
    moderation_fold_key keys[MAX_LIST], key;
    const char *given[MAX_LIST];
    moderation_input kin = in;
    kin.folded = moderation_fold(in.body, in.body_len, a, &key);
    bool targets = in.parent_author_name != NULL && in.parent_author_name[0] != '\0';
    for (size_t i = 0; i < gc->n_recent; i++) {
        moderation_fold(bodies[i], strlen(bodies[i]), a, &keys[i]);
        bool differs = keys[i].hash != key.hash || keys[i].len != key.len;
        given[i] = differs && !targets ? NULL : bodies[i];
    }
    kin.recent_bodies = given;
    kin.recent_keys = keys;
    moderation_result kr;
    moderation_decide(m, &kin, a, &kr);
    json_t *j1 = moderation_result_to_json(&r, true), *j2 = moderation_result_to_json(&kr, true);
    char *s1 = json_dumps(j1, JSON_COMPACT | JSON_SORT_KEYS);
    char *s2 = json_dumps(j2, JSON_COMPACT | JSON_SORT_KEYS);
    if (strcmp(s1, s2) != 0)
        snprintf(why, sizeof why, "with stored keys: %s, without: %s", s2, s1);
    free(s1);
    free(s2);
    json_decref(j1);
    json_decref(j2);

    /* Actual "decision rule,rule" with rules sorted. */
    const char *rules[RULE_LIMIT_FOR_TEST];
    size_t nr = 0;
    for (size_t i = 0; i < r.n_reasons && nr < RULE_LIMIT_FOR_TEST; i++)
        rules[nr++] = r.reasons[i].rule;
    qsort(rules, nr, sizeof *rules, cmp_str);
    char got[512];
    int k = snprintf(got, sizeof got, "%s ", moderation_decision_name(r.decision));
    if (nr == 0)
        snprintf(got + k, sizeof got - (size_t)k, "-");
    for (size_t i = 0; i < nr; i++)
        k += snprintf(got + k, sizeof got - (size_t)k, "%s%s", i ? "," : "", rules[i]);

    /* Expected, normalised the same way. */
    char want[512];
    snprintf(want, sizeof want, "%s", gc->expect ? gc->expect : "");
    char *sp = strchr(want, ' ');
    if (sp != NULL && strcmp(sp + 1, "-") != 0) {
        char *list[RULE_LIMIT_FOR_TEST];
        size_t nl = 0;
        char copy[512];
        snprintf(copy, sizeof copy, "%s", sp + 1);
        char *save = NULL;
        for (char *t = strtok_r(copy, ",", &save); t && nl < RULE_LIMIT_FOR_TEST;
             t = strtok_r(NULL, ",", &save))
            list[nl++] = t;
        qsort(list, nl, sizeof *list, cmp_str);
        int w = (int)(sp - want) + 1;
        want[w] = '\0';
        for (size_t i = 0; i < nl; i++)
            w += snprintf(want + w, sizeof want - (size_t)w, "%s%s", i ? "," : "", list[i]);
    }
    if (strcmp(got, want) != 0)
        snprintf(why, sizeof why, "got \"%s\", want \"%s\"", got, want);

    for (size_t i = 0; i < gc->n_excerpts && why[0] == '\0'; i++) {
        char *eq = strchr(gc->excerpts[i], '=');
        assert_non_null(eq);
        *eq = '\0';
        bool seen = false;
        for (size_t j = 0; j < r.n_reasons; j++)
            if (!strcmp(r.reasons[j].rule, gc->excerpts[i])) {
                seen = true;
                if (strcmp(r.reasons[j].excerpt, eq + 1) != 0)
                    snprintf(why, sizeof why, "%s excerpt \"%s\", want \"%s\"", gc->excerpts[i],
                             r.reasons[j].excerpt, eq + 1);
                /* Every excerpt is a slice of the original text. */
                if (r.reasons[j].excerpt[0] && strstr(gc->text, r.reasons[j].excerpt) == NULL)
                    snprintf(why, sizeof why, "excerpt \"%s\" is not in the text",
                             r.reasons[j].excerpt);
            }
        if (!seen && why[0] == '\0')
            snprintf(why, sizeof why, "no %s reason for the excerpt", gc->excerpts[i]);
        *eq = '=';
    }
    for (size_t j = 0; j < r.n_reasons && why[0] == '\0'; j++) {
        if (r.reasons[j].excerpt[0] && strstr(gc->text, r.reasons[j].excerpt) == NULL)
            snprintf(why, sizeof why, "excerpt \"%s\" is not in the text", r.reasons[j].excerpt);
        if (r.reasons[j].message == NULL || strlen(r.reasons[j].message) < 20)
            snprintf(why, sizeof why, "reason %s has no sentence", r.reasons[j].rule);
    }
    if (gc->queued_set && r.queue_for_review != gc->queued && why[0] == '\0')
        snprintf(why, sizeof why, "queue_for_review %d, want %d", r.queue_for_review, gc->queued);

    arena_free(a);
    moderation_free(own);
    if (why[0] != '\0') {
        size_t used = strlen(report);
        snprintf(report + used, cap - used, "  %s:%d (%s): %s\n", file, gc->line, gc->name, why);
        return false;
    }
    return true;
}

static void
run_file(void **state)
{
    const char *file = *state;
    moderation *m;
    pl_error err;
    assert_int_equal(moderation_new(NULL, &m, &err), 0);
    char path[512];
    snprintf(path, sizeof path, "%s/%s", CASE_DIR, file);
    char *text = file_read(path, SIZE_MAX, &(size_t){0}, NULL);
    assert_non_null(text);

    size_t cap = 65536;
    char *report = xcalloc(1, cap);
    golden_case gc;
    memset(&gc, 0, sizeof gc);
    gc.created_ago_s = -1;
    int line = 0, failed = 0, total = 0;
    bool open = false;
    char *save = NULL;
    for (char *ln = strtok_r(text, "\n", &save);; ln = strtok_r(NULL, "\n", &save)) {
        line++;
        bool header = ln != NULL && !strncmp(ln, "=== ", 4);
        if ((ln == NULL || header) && open) {
            total++;
            if (gc.text == NULL || gc.text[0] == '\0' || gc.expect == NULL) {
                size_t used = strlen(report);
                snprintf(report + used, cap - used, "  %s:%d (%s): needs a text and expect\n", file,
                         gc.line, gc.name);
                failed++;
            } else if (!run_case(m, &gc, file, report, cap)) {
                failed++;
            }
            case_free(&gc);
            open = false;
        }
        if (ln == NULL)
            break;
        if (header) {
            gc.name = xstrdup(ln + 4);
            gc.line = line;
            open = true;
            continue;
        }
        if (ln[0] == '#' || ln[0] == '\0' || !open)
            continue;
        char *colon = strstr(ln, ": ");
        if (colon == NULL)
            colon = strchr(ln, ':');
        if (colon == NULL)
            continue;
        *colon = '\0';
        char *val = colon[1] == ' ' ? colon + 2 : colon + 1;
        const char *key = ln;
        if (!strcmp(key, "text"))
            gc.text = unescape(val);
        else if (!strcmp(key, "expect"))
            gc.expect = xstrdup(val);
        else if (!strcmp(key, "title"))
            gc.title = unescape(val);
        else if (!strcmp(key, "article"))
            gc.article = unescape(val);
        else if (!strcmp(key, "article_file")) {
            char p2[512];
            snprintf(p2, sizeof p2, "%s/%s", CASE_DIR, val);
            gc.article = file_read(p2, SIZE_MAX, &(size_t){0}, NULL);
            assert_non_null(gc.article);
        } else if (!strcmp(key, "parent"))
            gc.parent = unescape(val);
        else if (!strcmp(key, "parent_author"))
            gc.parent_author = xstrdup(val);
        else if (!strcmp(key, "excerpt") && gc.n_excerpts < MAX_LIST)
            gc.excerpts[gc.n_excerpts++] = unescape(val);
        else if (!strcmp(key, "policy") && gc.n_policies < MAX_LIST)
            gc.policies[gc.n_policies++] = xstrdup(val);
        else if (!strcmp(key, "setting") && gc.n_settings < MAX_LIST)
            gc.settings[gc.n_settings++] = xstrdup(val);
        else if (!strcmp(key, "recent") && gc.n_recent < MAX_LIST) {
            /* "SECONDS_AGO | text" */
            char *bar = strchr(val, '|');
            assert_non_null(bar);
            *bar = '\0';
            gc.recent_ago[gc.n_recent] = strtoll(val, NULL, 10);
            gc.recent[gc.n_recent++] = unescape(bar[1] == ' ' ? bar + 2 : bar + 1);
        } else if (!strcmp(key, "sensitive"))
            gc.sensitive = !strcmp(val, "yes");
        else if (!strcmp(key, "premoderated"))
            gc.premoderated = !strcmp(val, "yes");
        else if (!strcmp(key, "queued")) {
            gc.queued_set = true;
            gc.queued = !strcmp(val, "yes");
        } else if (!strcmp(key, "created_ago_s"))
            gc.created_ago_s = strtoll(val, NULL, 10);
        else {
            size_t used = strlen(report);
            snprintf(report + used, cap - used, "  %s:%d: unknown key %s\n", file, line, key);
            failed++;
        }
    }
    case_free(&gc);
    if (failed)
        print_error("%s: %d of %d cases failed:\n%s", file, failed, total, report);
    else
        print_message("%s: %d cases\n", file, total);
    free(report);
    free(text);
    moderation_free(m);
    assert_true(total > 0);
    assert_int_equal(failed, 0);
}

int
main(void)
{
    DIR *d = opendir(CASE_DIR);
    if (d == NULL) {
        fprintf(stderr, "cannot open %s (run from the repository root)\n", CASE_DIR);
        return 1;
    }
    char *names[256];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < 256) {
        size_t l = strlen(e->d_name);
        if (l > 5 && !strcmp(e->d_name + l - 5, ".case"))
            names[n++] = xstrdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_str);
    struct CMUnitTest *tests = xcalloc(n, sizeof *tests);
    for (size_t i = 0; i < n; i++) {
        tests[i].name = names[i];
        tests[i].test_func = run_file;
        tests[i].initial_state = names[i];
    }
    int rc = _cmocka_run_group_tests("moderation golden cases", tests, n, NULL, NULL);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(tests);
    return rc;
}
