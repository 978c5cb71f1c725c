/* api/flags.c: readers' reports of comments that break the guidelines or
 * the terms. A reader flags a comment once; their own comments cannot be
 * flagged by them; each reader may flag flags_per_hour comments an hour.
 *
 * Flags that work: once the weighted score of a comment's open flags
 * reaches flag_threshold, the comment is hidden from readers (status
 * hidden) until a moderator reviews it; a slur or harassment flag hides it
 * at once when the engine, run on the comment, finds that rule too. A flag
 * weighs by its flagger's record (flag_weight): flags moderators upheld
 * raise it, dismissed ones lower it, and a new account's flag counts least,
 * with all new accounts' flags together capped at half the threshold, so a
 * brigade of fresh accounts cannot hide a comment on its own. The score is
 * computed on the writer inside the transaction that stores the flag, so
 * concurrent flags cannot both miss the threshold.
 */
#include "api/api_int.h"
#include "util/log.h"

#include <stdio.h>
#include <string.h>

static const char *const flag_reasons[] = {
    "profanity",    "vulgarity", "slur", "personal_attack",  "harassment",
    "tragedy_joke", "off_topic", "spam", "terms_of_service", "other",
};

typedef struct flag_job {
    int64_t comment_id;
    const char *reason;
    const char *note;
    bool confirmed; /* a slur or harassment flag the engine agrees with */
    int64_t flag_id;
    bool hidden;
    bool over_limit; /* flags_per_hour reached, counted on the writer */
    site_limits lim; /* the comment's site's, when it was queued (docs/SITES.md) */
} flag_job;

static void
send_over_limit(req *r)
{
    req_add_header(r, "Retry-After", "3600");
    req_send_error(r, 429, "rate_limited",
                   "You have flagged many comments in the last hour; please try again later.", NULL,
                   NULL);
}

double
api_flag_weight(const site_limits *lim, const store_flagger *f, int64_t now, bool *is_new)
{
    *is_new = now - f->account_created_at < lim->flag_new_account_days * 86400000LL;
    if (*is_new)
        return 0.2;
    double w = (1.0 + (double)f->upheld) / (1.0 + (double)f->dismissed);
    return w < 0.3 ? 0.3 : w > 3.0 ? 3.0 : w;
}

double
api_flag_score(const site_limits *lim, const store_flagger *v, size_t n, int64_t now)
{
    double established = 0, fresh = 0;
    for (size_t i = 0; i < n; i++) {
        bool is_new;
        double w = api_flag_weight(lim, &v[i], now, &is_new);
        if (is_new)
            fresh += w;
        else
            established += w;
    }
    double cap = (double)lim->flag_threshold / 2.0;
    return established + (fresh < cap ? fresh : cap);
}

/* comment.flagged, with the flag and whether it hid the comment. */
static int
emit_flagged(job *j, store *s, const store_comment *c, pl_error *err)
{
    flag_job *fj = j->data;
    if (req_config(j->r)->webhook_url[0] == '\0')
        return 0;
    json_t *data = api_webhook_comment(j, s, c);
    json_object_set_new(data, "flag",
                        json_pack("{s:o, s:s, s:s}", "id", api_id(fj->flag_id), "reason",
                                  fj->reason, "note", fj->note ? fj->note : ""));
    json_object_set_new(data, "hidden", json_boolean(fj->hidden));
    return api_webhook_emit(j, s, "comment.flagged", data, err);
}

static int
flag_write(job *j, store *s, pl_error *err)
{
    flag_job *fj = j->data;
    req *r = j->r;
    const site_limits *lim = &fj->lim;
    /* The hourly limit, counted again where writes are serialised: the
     * loop's count cannot see flags still in flight, so a burst sent at
     * once would otherwise get past it. */
    int64_t recent = 0;
    int rc = store_flags_count_by_user(s, r->user->id, r->now - 3600000, &recent, err);
    if (rc < 0)
        return rc;
    if (recent >= lim->flags_per_hour) {
        fj->over_limit = true;
        return 0;
    }
    rc = store_flag_insert(s, fj->comment_id, r->user->id, fj->reason, fj->note ? fj->note : "",
                           &fj->flag_id, err);
    if (rc < 0)
        return rc;
    store_comment c;
    if ((rc = store_comment_get(s, fj->comment_id, 0, r->a, &c, err)) < 0)
        return rc;
    if (c.status != COMMENT_PUBLISHED)
        return emit_flagged(j, s, &c, err); /* already out of readers' sight */
    store_flagger *v = NULL;
    size_t n = 0;
    if ((rc = store_flaggers_for_comment(s, fj->comment_id, r->a, &v, &n, err)) < 0)
        return rc;
    double score = api_flag_score(lim, v, n, r->now);
    const char *why = NULL;
    if (fj->confirmed)
        why = arena_printf(r->a, "%s flag confirmed by the engine", fj->reason);
    else if (score >= (double)lim->flag_threshold)
        why = arena_printf(r->a, "weighted flag score %.2f reached the threshold %lld (%zu flags)",
                           score, (long long)lim->flag_threshold, n);
    if (why == NULL)
        return emit_flagged(j, s, &c, err);
    if ((rc = store_comment_set_status(s, fj->comment_id, COMMENT_HIDDEN, err)) < 0)
        return rc;
    fj->hidden = true;
    /* Read after the commit on this thread: readers' cached views go stale
     * and live readers are told the comment is gone. */
    job_change(j)->article = c.article_id;
    job_change(j)->event = "removed";
    job_change(j)->event_comment = fj->comment_id;
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)fj->comment_id);
    store_log_entry e = {0, r->now, 0, "auto_hide", "comment", id, why};
    if ((rc = store_log_append(s, &e, err)) < 0)
        return rc;
    c.status = COMMENT_HIDDEN;
    return emit_flagged(j, s, &c, err);
}

static void
flag_done(job *j)
{
    flag_job *fj = j->data;
    req *r = j->r;
    if (j->rc == PL_ECONFLICT) {
        req_send_error(r, 409, "already_flagged", "You have already flagged this comment.", NULL,
                       NULL);
        return;
    }
    if (j->rc < 0) {
        api_send_rc(r, j->rc, &j->err);
        return;
    }
    if (fj->over_limit) {
        send_over_limit(r);
        return;
    }
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)fj->flag_id);
    req_send_json(r, 201, json_pack("{s:{s:s, s:s}}", "flag", "id", id, "reason", fj->reason));
}

/* Asks the engine whether the comment itself breaks the rule it is flagged
 * for (slur, harassment): such a flag needs no threshold. */
static bool
engine_confirms(req *r, const store_comment *c, const char *rule)
{
    store_article art;
    pl_error err;
    moderation_input in = {0};
    in.body = c->body ? c->body : "";
    in.body_len = strlen(in.body);
    in.article_title = in.article_text = "";
    if (store_article_get(req_store(r), c->article_id, r->a, &art, &err) == 0) {
        in.article_title = art.title;
        in.article_text = art.text;
        in.article_sensitive = art.sensitive;
    }
    in.article_status = MOD_ARTICLE_OPEN; /* the rule, not the article's policy */
    in.author_id = c->author_id;
    in.now = r->now;
    moderation_result m;
    moderation_decide(api_site_moderation(r, api_article_site(c->article_id)), &in, r->a, &m);
    for (size_t i = 0; i < m.n_reasons; i++)
        if (strcmp(m.reasons[i].rule, rule) == 0)
            return true;
    return false;
}

void
api_flag_post(req *r, const route_args *a)
{
    if (!api_require_writer(r) || !req_rate_limit(r, LIMIT_FLAG))
        return;
    int64_t cid;
    if (!api_comment_id(r, a->seg[0], &cid))
        return;
    static const char *const allowed[] = {"reason", "note", NULL};
    json_t *o = api_body_object(r, allowed);
    if (o == NULL)
        return;
    const char *reason, *note;
    bool ok = api_req_string(r, o, "reason", 32, false, false, &reason) &&
              api_opt_string(r, o, "note", 500, true, false, &note);
    json_decref(o);
    if (!ok)
        return;
    bool known = false;
    for (size_t i = 0; i < sizeof flag_reasons / sizeof flag_reasons[0]; i++)
        if (strcmp(flag_reasons[i], reason) == 0)
            known = true;
    if (!known) {
        req_send_error(r, 400, "invalid_field",
                       "reason must be one of profanity, vulgarity, slur, personal_attack, "
                       "harassment, tragedy_joke, off_topic, spam, terms_of_service, other.",
                       "reason", NULL);
        return;
    }
    store_comment c;
    pl_error err;
    int rc = store_comment_get(req_store(r), cid, 0, r->a, &c, &err);
    if (rc == PL_ENOTFOUND || (rc == 0 && c.status != COMMENT_PUBLISHED)) {
        req_send_error(r, 404, "not_found", "There is no such comment.", NULL, NULL);
        return;
    }
    if (rc < 0) {
        api_send_rc(r, rc, &err);
        return;
    }
    if (c.author_id == r->user->id) {
        req_send_error(r, 403, "forbidden", "You cannot flag your own comment.", NULL, NULL);
        return;
    }
    /* The hourly limit, checked here first so most refusals cost no write
     * job; flag_write checks it again, exactly. */
    int64_t recent = 0;
    rc = store_flags_count_by_user(req_store(r), r->user->id, r->now - 3600000, &recent, &err);
    if (rc < 0) {
        api_send_rc(r, rc, &err);
        return;
    }
    /* The site's numbers are copied into the job: a replaced config is
     * freed once the loops have moved on, before the write step runs. */
    flag_job *fj = arena_zalloc(r->a, sizeof *fj);
    site_limits_of(req_product(r), api_article_site(c.article_id), req_config(r), &fj->lim);
    if (recent >= fj->lim.flags_per_hour) {
        send_over_limit(r);
        return;
    }
    fj->comment_id = cid;
    fj->reason = reason;
    fj->note = note;
    if (strcmp(reason, "slur") == 0 || strcmp(reason, "harassment") == 0)
        fj->confirmed = engine_confirms(r, &c, reason);
    job_run(r, fj, flag_write, flag_done);
}
