/* bench/moderation_bench.c: speed, memory and evasion catch rate of the
 * whole moderation engine on one core (make bench-moderation).
 *
 * Comments of about 1 KB are packed from the lines of a text corpus (OLID
 * tweets by default) and judged by moderation_decide() as replies-free
 * comments on an article with a title and a body, so the on-topic score, the
 * tragedy guard and the spam checks run as they do in the server. Reports
 * comments/s, MB/s, median and p99 time per comment, the bytes held by the
 * loaded lexicon and the growth of the resident set when the engine is
 * built. With --evasion, it also judges every line of bench/evasion.tsv and
 * reports how many disguised bad words it catches and how many clean lines
 * it flags. --out-comments writes the packed comments, one per line, so
 * bench/npm/bench.mjs can time the npm filters on exactly the same text.
 * Times are CPU time of the benchmark's thread (CLOCK_THREAD_CPUTIME_ID), so
 * other load on the machine does not count. A benchmark, not a test: it
 * asserts nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "moderation/moderation.h"
#include "util/xalloc.h"

#define TARGET_BYTES 1024

static const char ARTICLE_TITLE[] = "Council approves the northern bypass after a long debate";
static const char ARTICLE_TEXT[] =
    "The county council approved the long-delayed northern bypass on Tuesday evening after a "
    "four-hour meeting in which councillors argued over its cost, its route through farmland and "
    "the effect on traffic in the town centre. The road, which will run for six kilometres from "
    "the ring road to the industrial estate, is expected to cost 84 million pounds, of which the "
    "national transport fund will pay two thirds. Supporters say the bypass will take heavy "
    "lorries out of the high street, cut journey times to the hospital and make the market square "
    "safer for pedestrians and cyclists. Opponents, including residents of the villages along the "
    "route and the local wildlife trust, warned that the road would destroy ancient hedgerows, "
    "increase noise and encourage more car journeys rather than fewer.";

/* CPU time of this thread: the machine may be shared, and the figure
 * wanted is what one core does. */
static double
now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long
rss_kb(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long size = 0, res = 0;
    if (f == NULL)
        return 0;
    if (fscanf(f, "%ld %ld", &size, &res) != 2)
        res = 0;
    fclose(f);
    return res * (sysconf(_SC_PAGESIZE) / 1024);
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

typedef struct strs {
    char **v;
    size_t n, cap;
} strs;

static void
strs_push(strs *s, char *x)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 1024;
        s->v = xrealloc(s->v, s->cap * sizeof *s->v);
    }
    s->v[s->n++] = x;
}

/* The text of a corpus line: the second tab-separated field when there
 * are tabs (OLID: id, tweet, labels), else the whole line. */
static char *
line_text(char *line)
{
    char *tab = strchr(line, '\t');
    if (tab == NULL)
        return line;
    char *t = tab + 1, *end = strchr(t, '\t');
    if (end)
        *end = '\0';
    return t;
}

static void
pack_comments(const char *path, size_t want, strs *out)
{
    FILE *f = path ? fopen(path, "r") : NULL;
    char *line = NULL;
    size_t cap = 0;
    char buf[TARGET_BYTES + 512];
    size_t n = 0;
    bool header = true;
    while (out->n < want) {
        const char *text;
        if (f != NULL) {
            ssize_t k = getline(&line, &cap, f);
            if (k < 0) {
                rewind(f);
                continue;
            }
            if (header) { /* the first line of a corpus is its header */
                header = false;
                continue;
            }
            while (k > 0 && (line[k - 1] == '\n' || line[k - 1] == '\r'))
                line[--k] = '\0';
            text = line_text(line);
        } else {
            static const char *const filler[] = {
                "The bypass will cost far more than the council admits.",
                "Good reporting, thanks for covering the meeting.",
                "I live on the route and nobody asked us anything.",
                "Buses first, then roads: that is what the town needs.",
            };
            text = filler[out->n % 4];
        }
        size_t l = strlen(text);
        if (l == 0 || n + l + 1 >= sizeof buf)
            continue;
        if (n > 0)
            buf[n++] = ' ';
        memcpy(buf + n, text, l);
        n += l;
        if (n >= TARGET_BYTES) {
            strs_push(out, xstrndup(buf, n));
            n = 0;
        }
    }
    free(line);
    if (f)
        fclose(f);
}

enum { NO_ARTICLE, ARTICLE_PER_COMMENT, ARTICLE_PREPARED };

static void
run_speed(const moderation *m, const strs *c, int article, double min_seconds)
{
    static const char *const names[] = {"no article", "article text per comment",
                                        "article prepared once"};
    arena *a = arena_new(), *pa = arena_new();
    const moderation_article *prepared =
        moderation_article_prepare(m, ARTICLE_TITLE, ARTICLE_TEXT, pa);
    size_t total = 0, passes = 0, bytes = 0;
    double *lat = xmalloc(c->n * sizeof *lat * 64);
    size_t nlat = 0;
    size_t flagged = 0;
    double t0 = now_s();
    do {
        for (size_t i = 0; i < c->n; i++) {
            moderation_input in = {0};
            in.body = c->v[i];
            in.body_len = strlen(c->v[i]);
            in.article_title = article != NO_ARTICLE ? ARTICLE_TITLE : "";
            in.article_text = article != NO_ARTICLE ? ARTICLE_TEXT : "";
            in.article = article == ARTICLE_PREPARED ? prepared : NULL;
            in.author_id = 1;
            in.author_created_at = 1;
            in.now = 1800000000000;
            moderation_result r;
            double s = now_s();
            moderation_decide(m, &in, a, &r);
            double e = now_s();
            if (nlat < c->n * 64)
                lat[nlat++] = e - s;
            flagged += r.decision != MOD_PUBLISH;
            bytes += in.body_len;
            total++;
            arena_reset(a);
        }
        passes++;
    } while (now_s() - t0 < min_seconds && passes < 64);
    double el = now_s() - t0;
    qsort(lat, nlat, sizeof *lat, cmp_double);
    printf("%-26s %7zu comments %7.0f comments/s %6.1f MB/s  p50 %5.1f us  p99 %6.1f us  "
           "flagged %.1f%%\n",
           names[article], total, (double)total / el, (double)bytes / el / 1e6, lat[nlat / 2] * 1e6,
           lat[(size_t)((double)nlat * 0.99)] * 1e6, 100.0 * (double)flagged / (double)total);
    free(lat);
    arena_free(a);
    arena_free(pa);
}

static bool
caught(const moderation_result *r)
{
    for (size_t i = 0; i < r->n_reasons; i++) {
        const char *rule = r->reasons[i].rule;
        if (!strcmp(rule, "profanity") || !strcmp(rule, "vulgarity") || !strcmp(rule, "slur") ||
            !strcmp(rule, "personal_attack") || !strcmp(rule, "harassment"))
            return true;
    }
    return false;
}

static void
run_evasion(const moderation *m, const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        perror(path);
        return;
    }
    arena *a = arena_new();
    char *line = NULL;
    size_t cap = 0, pos = 0, pos_caught = 0, neg = 0, neg_flagged = 0;
    ssize_t k;
    double t0 = now_s();
    while ((k = getline(&line, &cap, f)) > 0) {
        while (k > 0 && (line[k - 1] == '\n' || line[k - 1] == '\r'))
            line[--k] = '\0';
        char *f1 = strchr(line, '\t'), *f2 = f1 ? strchr(f1 + 1, '\t') : NULL,
             *f3 = f2 ? strchr(f2 + 1, '\t') : NULL;
        if (f3 == NULL)
            continue;
        bool bad = f1[1] == '1';
        moderation_input in = {0};
        in.body = f3 + 1;
        in.body_len = strlen(f3 + 1);
        in.article_title = in.article_text = "";
        moderation_result r;
        moderation_decide(m, &in, a, &r);
        if (bad) {
            pos++;
            pos_caught += caught(&r);
        } else {
            neg++;
            neg_flagged += caught(&r);
        }
        arena_reset(a);
    }
    double el = now_s() - t0;
    printf(
        "evasion set %s: caught %zu/%zu (%.1f%%), clean flagged %zu/%zu (%.1f%%), %.0f lines/s\n",
        path, pos_caught, pos, 100.0 * (double)pos_caught / (double)(pos ? pos : 1), neg_flagged,
        neg, 100.0 * (double)neg_flagged / (double)(neg ? neg : 1), (double)(pos + neg) / el);
    free(line);
    fclose(f);
    arena_free(a);
}

int
main(int argc, char **argv)
{
    const char *corpus = NULL, *evasion = NULL, *out_comments = NULL;
    size_t n = 4000;
    double seconds = 3;
    bool lexicon_only = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--corpus") && i + 1 < argc)
            corpus = argv[++i];
        else if (!strcmp(argv[i], "--evasion") && i + 1 < argc)
            evasion = argv[++i];
        else if (!strcmp(argv[i], "--out-comments") && i + 1 < argc)
            out_comments = argv[++i];
        else if (!strcmp(argv[i], "--n") && i + 1 < argc)
            n = (size_t)strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
            seconds = strtod(argv[++i], NULL);
        else if (!strcmp(argv[i], "--lexicon-only"))
            lexicon_only = true;
        else {
            fprintf(stderr, "usage: moderation_bench [--corpus FILE] [--evasion FILE] "
                            "[--out-comments FILE] [--n N] [--seconds S] [--lexicon-only]\n");
            return 2;
        }
    }
    if (corpus && access(corpus, R_OK) != 0) {
        fprintf(stderr, "moderation_bench: %s not found, using built-in filler text\n", corpus);
        corpus = NULL;
    }
    strs c = {0};
    pack_comments(corpus, n, &c);
    if (out_comments) {
        FILE *o = fopen(out_comments, "w");
        if (o) {
            for (size_t i = 0; i < c.n; i++) {
                for (char *p = c.v[i]; *p; p++)
                    if (*p == '\n' || *p == '\r')
                        *p = ' ';
                fprintf(o, "%s\n", c.v[i]);
            }
            fclose(o);
        }
    }

    long before = rss_kb();
    double t0 = now_s();
    moderation *m;
    pl_error err;
    config cfg;
    config_init(&cfg);
    if (lexicon_only && config_set(&cfg, "moderation.classifier", "off", &err) < 0)
        return 1;
    if (moderation_new(&cfg, &m, &err) < 0) {
        fprintf(stderr, "moderation_bench: %s\n", err.msg);
        return 1;
    }
    double build = now_s() - t0;
    long after = rss_kb();
    printf("corpus: %s, %zu comments of ~%d bytes; %s\n", corpus ? corpus : "(built-in)", c.n,
           TARGET_BYTES,
           lexicon_only ? "lexicon only (moderation.classifier = off)"
                        : "lexicon and classifier (if one is built in)");
    printf("engine: built in %.1f ms, lexicon and tables %zu KB (moderation_memory), resident "
           "set +%ld KB\n",
           build * 1e3, moderation_memory(m) / 1024, after - before);
    run_speed(m, &c, ARTICLE_PREPARED, seconds);
    run_speed(m, &c, ARTICLE_PER_COMMENT, seconds);
    run_speed(m, &c, NO_ARTICLE, seconds);
    if (evasion)
        run_evasion(m, evasion);
    moderation_free(m);
    config_fini(&cfg);
    for (size_t i = 0; i < c.n; i++)
        free(c.v[i]);
    free(c.v);
    return 0;
}
