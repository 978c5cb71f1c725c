/* moderation/check_cmd.c: see check_cmd.h. Reads its inputs whole (bounded
 * by MAX_INPUT), builds one engine, and judges each comment with a fresh
 * arena reset between comments so memory stays flat on large corpora. */
#include "moderation/check_cmd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "moderation/moderation.h"
#include "moderation/moderation_json.h"
#include "util/config.h"
#include "util/file.h"
#include "util/text.h"
#include "util/xalloc.h"

#define MAX_INPUT ((size_t)64 << 20)

static const char USAGE[] =
    "usage: parley check [options] < comment.txt\n"
    "       parley check --tsv FILE [options]\n"
    "\n"
    "Judges a comment as the server would and prints the MODERATION JSON of\n"
    "API.md on one line. With --tsv, reads `id<TAB>text` lines and prints\n"
    "`id<TAB>decision<TAB>rules` per line (rules comma-separated, - if none).\n"
    "With --scores, the JSON gains \"scores\": the engine's scores and the\n"
    "model's probability for every attribute (TOXICITY, SEVERE_TOXICITY,\n"
    "INSULT, PROFANITY, THREAT, IDENTITY_ATTACK); each TSV line gains a fourth\n"
    "column, those probabilities as one JSON object ({} without a model).\n"
    "\n"
    "options:\n"
    "  --article-text FILE   the article's body (on-topic score, tragedy guard)\n"
    "  --article-title TEXT  the article's title\n"
    "  --sensitive           the article is marked sensitive (death, disaster)\n"
    "  --parent-text FILE    the comment replies to this comment\n"
    "  --parent-author NAME  the parent comment's author\n"
    "  --config FILE         a Parley config file (policy.<rule> = ...)\n"
    "  --scores              add the scores (every attribute) to the output\n"
    "  --tsv FILE            judge every line of FILE\n"
    "  --help                this text\n";

static char *
slurp_path(const char *path)
{
    size_t n;
    char *s = file_read(path, MAX_INPUT, &n, NULL);
    if (s == NULL)
        fprintf(stderr, "parley check: %s: %s\n", path, strerror(errno));
    return s;
}

typedef struct opts {
    const char *article_text_path, *article_title, *parent_path, *parent_author, *config_path,
        *tsv_path;
    bool sensitive, scores;
} opts;

static int
parse_opts(int argc, char **argv, opts *o)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **slot = NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(USAGE, stdout);
            return 1;
        } else if (!strcmp(a, "--sensitive")) {
            o->sensitive = true;
            continue;
        } else if (!strcmp(a, "--scores")) {
            o->scores = true;
            continue;
        } else if (!strcmp(a, "--article-text")) {
            slot = &o->article_text_path;
        } else if (!strcmp(a, "--article-title")) {
            slot = &o->article_title;
        } else if (!strcmp(a, "--parent-text")) {
            slot = &o->parent_path;
        } else if (!strcmp(a, "--parent-author")) {
            slot = &o->parent_author;
        } else if (!strcmp(a, "--config")) {
            slot = &o->config_path;
        } else if (!strcmp(a, "--tsv")) {
            slot = &o->tsv_path;
        } else {
            fprintf(stderr, "parley check: unknown option %s (see parley check --help)\n", a);
            return 2;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "parley check: %s needs a value (see parley check --help)\n", a);
            return 2;
        }
        *slot = argv[++i];
    }
    return 0;
}

/* The model's probability for every attribute, by its Perspective name; an
 * empty object when the engine runs without a model. */
static json_t *
attribute_scores(const moderation *m, const char *text, size_t n)
{
    json_t *o = json_object();
    classifier_scores cs;
    if (moderation_score_text(m, text, n, &cs))
        for (int a = 0; a < CLF_ATTRS; a++)
            json_object_set_new(o, classifier_attr_name((classifier_attr)a), json_real(cs.p[a]));
    return o;
}

static void
judge_tsv(const moderation *m, moderation_input *in, FILE *f, bool scores)
{
    arena *a = arena_new();
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, f)) > 0) {
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        char *tab = memchr(line, '\t', (size_t)n);
        if (tab == NULL)
            continue; /* not an id<TAB>text line */
        *tab = '\0';
        in->body = tab + 1;
        in->body_len = (size_t)(line + n - (tab + 1));
        moderation_result r;
        moderation_decide(m, in, a, &r);
        printf("%s\t%s\t", line, moderation_decision_name(r.decision));
        if (r.n_reasons == 0)
            fputs("-", stdout);
        for (size_t i = 0; i < r.n_reasons; i++)
            printf("%s%s", i ? "," : "", r.reasons[i].rule);
        if (scores) {
            json_t *j = attribute_scores(m, in->body, in->body_len);
            char *js = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(4));
            printf("\t%s", js);
            free(js);
            json_decref(j);
        }
        putchar('\n');
        arena_reset(a);
    }
    free(line);
    arena_free(a);
}

int
check_cmd_main(int argc, char **argv)
{
    opts o = {0};
    int rc = parse_opts(argc, argv, &o);
    if (rc != 0)
        return rc == 1 ? 0 : rc;

    config cfg;
    config_init(&cfg);
    pl_error err;
    moderation *m = NULL;
    char *article = NULL, *parent = NULL, *body = NULL;
    arena *art_arena = NULL;
    rc = 1;
    if (o.config_path && config_load_file(&cfg, o.config_path, &err) < 0) {
        fprintf(stderr, "parley check: %s\n", err.msg);
        goto done;
    }
    if (moderation_new(&cfg, &m, &err) < 0) {
        fprintf(stderr, "parley check: %s\n", err.msg);
        goto done;
    }
    if (o.article_text_path && (article = slurp_path(o.article_text_path)) == NULL)
        goto done;
    if (o.parent_path && (parent = slurp_path(o.parent_path)) == NULL)
        goto done;

    moderation_input in = {0};
    in.article_title = o.article_title ? o.article_title : "";
    in.article_text = article ? article : "";
    in.article_status = MOD_ARTICLE_OPEN;
    in.article_sensitive = o.sensitive;
    in.parent_body = parent;
    in.parent_author_name = parent ? (o.parent_author ? o.parent_author : "") : NULL;
    in.now = time_now_ms();
    art_arena = arena_new(); /* the prepared article, shared by every comment */
    in.article = moderation_article_prepare(m, in.article_title, in.article_text, art_arena);

    if (o.tsv_path) {
        FILE *f = fopen(o.tsv_path, "rb");
        if (f == NULL) {
            fprintf(stderr, "parley check: %s: %s\n", o.tsv_path, strerror(errno));
            goto done;
        }
        judge_tsv(m, &in, f, o.scores);
        fclose(f);
        rc = 0;
        goto done;
    }

    size_t n;
    if ((body = file_read_stream(stdin, MAX_INPUT, &n, NULL)) == NULL) {
        fprintf(stderr, "parley check: standard input: %s\n", strerror(errno));
        goto done;
    }
    in.body = body;
    in.body_len = n;
    arena *a = arena_new();
    moderation_result r;
    moderation_decide(m, &in, a, &r);
    json_t *j = moderation_result_to_json(&r, o.scores);
    if (o.scores) {
        json_t *attrs = attribute_scores(m, body, n);
        json_object_update(json_object_get(j, "scores"), attrs);
        json_decref(attrs);
    }
    char *s = json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(4));
    puts(s);
    free(s);
    json_decref(j);
    arena_free(a);
    rc = 0;
done:
    arena_free(art_arena);
    free(article);
    free(parent);
    free(body);
    moderation_free(m);
    config_fini(&cfg);
    return rc;
}
