/* api/flags.c: readers' reports of comments that break the guidelines or
 * the terms. A reader flags a comment once; their own comments cannot be
 * flagged by them. */
#include "api/api_int.h"
#include "util/log.h"

#include <stdio.h>
#include <string.h>

static const char *const flag_reasons[] = {
    "profanity", "vulgarity", "slur",  "personal_attack",  "harassment",
    "tragedy_joke", "off_topic", "spam", "terms_of_service", "other",
};

typedef struct flag_job {
    int64_t comment_id;
    const char *reason;
    const char *note;
    int64_t flag_id;
} flag_job;

static int
flag_write(job *j, store *s, pl_error *err)
{
    flag_job *fj = j->data;
    return store_flag_insert(s, fj->comment_id, j->r->user->id, fj->reason,
                             fj->note ? fj->note : "", &fj->flag_id, err);
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
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)fj->flag_id);
    req_send_json(r, 201, json_pack("{s:{s:s, s:s}}", "flag", "id", id, "reason", fj->reason));
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
    flag_job *fj = arena_zalloc(r->a, sizeof *fj);
    fj->comment_id = cid;
    fj->reason = reason;
    fj->note = note;
    job *j = job_new(r, fj);
    j->write = flag_write;
    j->done = flag_done;
    job_submit(j);
}
