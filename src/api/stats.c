/* api/stats.c: GET /api/v1/mod/stats, the desk's numbers over a range of
 * whole UTC days (from and to, both included, at most 366 days; the last 30
 * days by default), for moderators and admins: comments per day by the
 * status they have now, the pending and flagged queues at each day's end,
 * moderator decisions and their median wait, readers' flags by reason, and
 * the engine's decisions with the share moderators overturned. JSON, or
 * with format=csv one CSV row per day (RFC 4180) for a spreadsheet. The
 * store works everything out from the tables it has (store_stats_get).
 * With site=SLUG the numbers of that site alone; a moderator limited to
 * some sites gets theirs only (docs/SITES.md): site= one of them, or
 * without it all of theirs added up.
 */
#include "api/api_int.h"
#include "util/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const status_names[5] = {"published", "pending", "rejected", "deleted",
                                            "hidden"};
static const char *const engine_names[3] = {"held", "rejected", "review"};

/* A date parameter YYYY-MM-DD as the Unix ms of its UTC midnight; def when
 * absent. False when an error was sent. */
static bool
date_param(req *r, const char *name, int64_t def, int64_t *out)
{
    const char *s = req_query(r, name, NULL);
    *out = def;
    if (s == NULL || s[0] == '\0')
        return true;
    if (strlen(s) == 10 && time_parse_rfc3339(arena_printf(r->a, "%sT00:00:00Z", s), out) == 0 &&
        *out >= 0)
        return true;
    req_send_error(r, 400, "invalid_field",
                   arena_printf(r->a, "%s must be a date such as 2026-03-01 (YYYY-MM-DD).", name),
                   name, NULL);
    return false;
}

static const char *
day_text(req *r, int64_t ms)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    char buf[16];
    gmtime_r(&t, &tm);
    strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
    return arena_strdup(r->a, buf);
}

static json_t *
wait_json(int64_t ms)
{
    return ms < 0 ? json_null() : json_integer((json_int_t)ms);
}

static json_t *
day_json(req *r, const store_stats *st, size_t i)
{
    const store_stats_day *d = &st->days[i];
    json_t *comments = json_object();
    for (int k = 0; k < 5; k++)
        json_object_set_new(comments, status_names[k], json_integer((json_int_t)d->comments[k]));
    json_t *engine = json_object();
    for (int k = 0; k < 3; k++)
        json_object_set_new(engine, engine_names[k], json_integer((json_int_t)d->engine[k]));
    return json_pack("{s:s, s:o, s:I, s:I, s:I, s:I, s:o, s:I, s:o, s:I, s:I}", "date",
                     day_text(r, st->from + (int64_t)i * STORE_DAY_MS), "comments", comments,
                     "pending_queue", (json_int_t)d->pending_queue, "flagged_queue",
                     (json_int_t)d->flagged_queue, "approved", (json_int_t)d->approved, "rejected",
                     (json_int_t)d->rejected, "median_wait_ms", wait_json(d->median_wait), "flags",
                     (json_int_t)d->flags, "engine", engine, "overturned",
                     (json_int_t)d->overturned, "upheld", (json_int_t)d->upheld);
}

static json_t *
stats_json(req *r, const store_stats *st)
{
    json_t *days = json_array();
    for (size_t i = 0; i < st->n_days; i++)
        json_array_append_new(days, day_json(r, st, i));
    json_t *flags = json_array();
    for (size_t i = 0; i < st->n_reasons; i++) {
        const store_stats_reason *x = &st->reasons[i];
        json_array_append_new(flags, json_pack("{s:s, s:I, s:I, s:I, s:I}", "reason", x->reason,
                                               "count", (json_int_t)x->count, "open",
                                               (json_int_t)x->outcome[FLAG_OPEN], "upheld",
                                               (json_int_t)x->outcome[FLAG_UPHELD], "dismissed",
                                               (json_int_t)x->outcome[FLAG_DISMISSED]));
    }
    json_t *engine = json_object();
    int64_t overturned = 0, reviewed = 0;
    for (int k = 0; k < 3; k++) {
        json_object_set_new(engine, engine_names[k],
                            json_pack("{s:I, s:I, s:I}", "count", (json_int_t)st->engine[k],
                                      "overturned", (json_int_t)st->overturned[k], "upheld",
                                      (json_int_t)st->upheld[k]));
        overturned += st->overturned[k];
        reviewed += st->overturned[k] + st->upheld[k];
    }
    json_object_set_new(engine, "overturned_share",
                        reviewed ? json_real((double)overturned / (double)reviewed) : json_null());
    return json_pack("{s:s, s:s, s:o, s:{s:I, s:o}, s:o, s:o}", "from", day_text(r, st->from), "to",
                     day_text(r, st->to - STORE_DAY_MS), "days", days, "decisions", "count",
                     (json_int_t)st->decisions, "median_wait_ms", wait_json(st->median_wait),
                     "flags", flags, "engine", engine);
}

/* A CSV field: quoted when it holds a comma, a quote or a line end; a
 * leading = + - @ gets a quote mark first so a spreadsheet shows it as
 * text, never as a formula. */
static void
csv_field(FILE *f, const char *s)
{
    if (strchr("=+-@", s[0]) != NULL && s[0] != '\0')
        fputc('\'', f);
    if (strpbrk(s, ",\"\r\n") == NULL) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static void
send_csv(req *r, const store_stats *st, const char *slug)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (f == NULL) {
        req_send_error(r, 500, "internal", "The CSV could not be written.", NULL, NULL);
        return;
    }
    fputs("date", f);
    for (int k = 0; k < 5; k++)
        fprintf(f, ",comments_%s", status_names[k]);
    fputs(",pending_queue,flagged_queue,approved,rejected,median_wait_ms,flags", f);
    for (int k = 0; k < 3; k++)
        fprintf(f, ",engine_%s", engine_names[k]);
    fputs(",overturned,upheld", f);
    for (size_t k = 0; k < st->n_reasons; k++) {
        fputc(',', f);
        csv_field(f, arena_printf(r->a, "flags_%s", st->reasons[k].reason));
    }
    fputs("\r\n", f);
    for (size_t i = 0; i < st->n_days; i++) {
        const store_stats_day *d = &st->days[i];
        fputs(day_text(r, st->from + (int64_t)i * STORE_DAY_MS), f);
        for (int k = 0; k < 5; k++)
            fprintf(f, ",%lld", (long long)d->comments[k]);
        fprintf(f, ",%lld,%lld,%lld,%lld,", (long long)d->pending_queue,
                (long long)d->flagged_queue, (long long)d->approved, (long long)d->rejected);
        if (d->median_wait >= 0)
            fprintf(f, "%lld", (long long)d->median_wait);
        fprintf(f, ",%lld", (long long)d->flags);
        for (int k = 0; k < 3; k++)
            fprintf(f, ",%lld", (long long)d->engine[k]);
        fprintf(f, ",%lld,%lld", (long long)d->overturned, (long long)d->upheld);
        for (size_t k = 0; k < st->n_reasons; k++)
            fprintf(f, ",%lld", (long long)st->reasons[k].per_day[i]);
        fputs("\r\n", f);
    }
    fclose(f);
    req_add_header(r, "Content-Disposition",
                   arena_printf(r->a, "attachment; filename=\"parley-numbers-%s%s%s-%s.csv\"",
                                slug != NULL ? slug : "", slug != NULL ? "-" : "",
                                day_text(r, st->from), day_text(r, st->to - STORE_DAY_MS)));
    req_send_bytes(r, 200, "text/csv; charset=utf-8", buf, len, "no-store");
    free(buf);
}

void
api_mod_stats(req *r, const route_args *a)
{
    (void)a;
    int64_t site;
    const int64_t *scope;
    size_t n_scope;
    if (!api_require_moderator(r) || !api_site_filter(r, &site) ||
        !api_mod_scope(r, &scope, &n_scope))
        return;
    /* The sites counted: the one named, or a limited moderator's own. */
    const int64_t *sites = NULL;
    size_t n_sites = 0;
    if (site != 0) {
        if (n_scope > 0 && !api_mod_site_allowed(r, site))
            return;
        sites = &site;
        n_sites = 1;
    } else if (n_scope > 0) {
        sites = scope;
        n_sites = n_scope;
    }
    const char *format = req_query(r, "format", NULL);
    bool csv = format != NULL && strcmp(format, "csv") == 0;
    if (format != NULL && !csv && strcmp(format, "json") != 0) {
        req_send_error(r, 400, "invalid_field", "format must be json or csv.", "format", NULL);
        return;
    }
    int64_t today = r->now - r->now % STORE_DAY_MS, from, to;
    if (!date_param(r, "to", today, &to) ||
        !date_param(r, "from", to - (int64_t)29 * STORE_DAY_MS, &from))
        return;
    if (from > to) {
        req_send_error(r, 400, "invalid_field", "from must not be after to.", "from", NULL);
        return;
    }
    if ((to - from) / STORE_DAY_MS + 1 > STORE_STATS_MAX_DAYS) {
        req_send_error(
            r, 400, "invalid_field",
            arena_printf(r->a, "The range may cover at most %d days.", STORE_STATS_MAX_DAYS),
            "from", NULL);
        return;
    }
    store_stats st;
    pl_error err;
    int rc =
        store_stats_get(req_store(r), from, to + STORE_DAY_MS, sites, n_sites, r->a, &st, &err);
    if (rc < 0) {
        api_send_rc(r, rc, &err);
        return;
    }
    if (csv)
        send_csv(r, &st, site != 0 ? api_site(r)->slug : NULL);
    else
        req_send_json(r, 200, stats_json(r, &st));
}
