/* api/mod.c: the moderation desk's endpoints (moderators and admins only):
 * queues, decisions on comments, bans and suspensions, and the log.
 *
 * Every decision is written to the moderation log in the same transaction
 * as the change it records, so the log cannot miss one.
 */
#include "api/api_int.h"
#include "util/log.h"
#include "util/text.h"

#include <stdio.h>
#include <string.h>

static json_t *
id_string(int64_t id)
{
    char buf[24];
    snprintf(buf, sizeof buf, "%lld", (long long)id);
    return json_string(buf);
}

void
api_mod_queue(req *r, const route_args *a)
{
    (void)a;
    if (!api_require_moderator(r))
        return;
    const char *q_s = req_query(r, "queue", NULL);
    store_queue q = QUEUE_PENDING;
    if (q_s == NULL || strcmp(q_s, "pending") == 0)
        q = QUEUE_PENDING;
    else if (strcmp(q_s, "flagged") == 0)
        q = QUEUE_FLAGGED;
    else if (strcmp(q_s, "rejected") == 0)
        q = QUEUE_REJECTED;
    else {
        req_send_error(r, 400, "invalid_field", "queue must be pending, flagged or rejected.",
                       "queue", NULL);
        return;
    }
    int64_t limit = 50, after = 0;
    const char *s;
    if ((s = req_query(r, "limit", NULL)) && parse_int(s, 1, 100, &limit) < 0) {
        req_send_error(r, 400, "invalid_field", "limit must be a whole number from 1 to 100.",
                       "limit", NULL);
        return;
    }
    if ((s = req_query(r, "after", NULL)) && parse_int(s, 1, INT64_MAX, &after) < 0) {
        req_send_error(r, 400, "invalid_field", "The paging cursor is not valid.", "after", NULL);
        return;
    }
    store_comment_list list = {0};
    bool more = false;
    pl_error err;
    store *st = req_store(r);
    int rc = store_queue_list(st, q, after, (int)limit, r->a, &list, &more, &err);
    if (rc < 0) {
        api_send_rc(r, rc, &err);
        return;
    }
    json_t *items = json_array();
    for (size_t i = 0; i < list.n; i++) {
        const store_comment *c = &list.items[i];
        json_t *mod = c->moderation ? json_loads(c->moderation, 0, NULL) : NULL;
        if (mod == NULL)
            mod = json_pack("{s:s, s:[]}", "decision", "publish", "reasons");
        store_flag_group *groups = NULL;
        size_t ng = 0;
        json_t *flags = json_array();
        if (store_flags_for_comment(st, c->id, r->a, &groups, &ng, &err) == 0)
            for (size_t k = 0; k < ng; k++)
                json_array_append_new(flags, json_pack("{s:s, s:s, s:I}", "reason",
                                                       groups[k].reason, "note", groups[k].notes,
                                                       "count", (json_int_t)groups[k].count));
        json_t *cj = api_comment_json(c);
        json_object_set_new(cj, "body", json_string(c->body ? c->body : ""));
        json_array_append_new(items, json_pack("{s:o, s:s, s:o, s:o}", "comment", cj,
                                               "article_id", c->article_id, "moderation", mod,
                                               "flags", flags));
    }
    json_t *next = more && list.n > 0 ? id_string(list.items[list.n - 1].id) : json_null();
    req_send_json(r, 200, json_pack("{s:o, s:o}", "items", items, "next", next));
}

typedef struct decision_job {
    int64_t id;
    const char *action;
    const char *reason;
    store_comment result;
} decision_job;

static int
decision_write(job *j, store *s, pl_error *err)
{
    decision_job *dj = j->data;
    int rc;
    if (strcmp(dj->action, "approve") == 0)
        rc = store_comment_set_status(s, dj->id, COMMENT_PUBLISHED, err);
    else if (strcmp(dj->action, "reject") == 0)
        rc = store_comment_set_status(s, dj->id, COMMENT_REJECTED, err);
    else
        rc = store_comment_set_featured(s, dj->id, strcmp(dj->action, "feature") == 0, err);
    if (rc < 0)
        return rc;
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)dj->id);
    store_log_entry e = {0,         j->r->now, j->r->user->id, dj->action,
                         "comment", id,        dj->reason ? dj->reason : ""};
    if ((rc = store_log_append(s, &e, err)) < 0)
        return rc;
    return store_comment_get(s, dj->id, 0, j->r->a, &dj->result, err);
}

static void
decision_done(job *j)
{
    decision_job *dj = j->data;
    if (j->rc < 0) {
        api_send_rc(j->r, j->rc, &j->err);
        return;
    }
    req_send_json(j->r, 200, json_pack("{s:o}", "comment", api_comment_json(&dj->result)));
}

void
api_mod_decision(req *r, const route_args *a)
{
    if (!api_require_moderator(r))
        return;
    int64_t id;
    if (!api_comment_id(r, a->seg[0], &id))
        return;
    static const char *const allowed[] = {"action", "reason", NULL};
    json_t *o = api_body_object(r, allowed);
    if (o == NULL)
        return;
    decision_job *dj = arena_zalloc(r->a, sizeof *dj);
    dj->id = id;
    bool ok = api_req_string(r, o, "action", 20, false, false, &dj->action) &&
              api_opt_string(r, o, "reason", 500, true, false, &dj->reason);
    json_decref(o);
    if (!ok)
        return;
    if (strcmp(dj->action, "approve") && strcmp(dj->action, "reject") &&
        strcmp(dj->action, "feature") && strcmp(dj->action, "unfeature")) {
        req_send_error(r, 400, "invalid_field",
                       "action must be approve, reject, feature or unfeature.", "action", NULL);
        return;
    }
    store_comment c;
    pl_error err;
    int rc = store_comment_get(req_store(r), id, 0, r->a, &c, &err);
    if (rc == PL_ENOTFOUND || (rc == 0 && c.status == COMMENT_DELETED)) {
        req_send_error(r, 404, "not_found", "There is no such comment.", NULL, NULL);
        return;
    }
    if (rc < 0) {
        api_send_rc(r, rc, &err);
        return;
    }
    job *j = job_new(r, dj);
    j->write = decision_write;
    j->done = decision_done;
    j->article = c.article_id;
    job_submit(j);
}

typedef struct ban_job {
    int64_t user_id;
    bool ban;
    int64_t until;
    const char *reason;
    store_user result;
} ban_job;

static int
ban_write(job *j, store *s, pl_error *err)
{
    ban_job *bj = j->data;
    int rc = store_user_set_ban(s, bj->user_id, bj->ban, bj->until, bj->reason, err);
    if (rc < 0)
        return rc;
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)bj->user_id);
    const char *action = !bj->ban ? "unban" : bj->until ? "suspend" : "ban";
    char *reason = (char *)(bj->reason ? bj->reason : "");
    if (bj->ban && bj->until) {
        char when[32];
        time_format_rfc3339(bj->until, when);
        reason = arena_printf(j->r->a, "%s (until %s)", reason, when);
    }
    store_log_entry e = {0, j->r->now, j->r->user->id, action, "user", id, reason};
    if ((rc = store_log_append(s, &e, err)) < 0)
        return rc;
    return store_user_by_id(s, bj->user_id, j->r->a, &bj->result, err);
}

static void
ban_done(job *j)
{
    ban_job *bj = j->data;
    if (j->rc < 0) {
        api_send_rc(j->r, j->rc, &j->err);
        return;
    }
    req_send_json(j->r, 200, json_pack("{s:o}", "user", api_user_json(&bj->result, j->r->now)));
}

static void
ban(req *r, const route_args *a, bool on)
{
    if (!api_require_moderator(r))
        return;
    int64_t uid;
    if (parse_int(a->seg[0], 1, INT64_MAX, &uid) < 0) {
        req_send_error(r, 404, "not_found", "There is no such user.", NULL, NULL);
        return;
    }
    ban_job *bj = arena_zalloc(r->a, sizeof *bj);
    bj->user_id = uid;
    bj->ban = on;
    if (on) {
        static const char *const allowed[] = {"reason", "until", NULL};
        json_t *o = api_body_object(r, allowed);
        if (o == NULL)
            return;
        const char *until = NULL;
        bool ok = api_req_string(r, o, "reason", 500, true, false, &bj->reason) &&
                  api_opt_string(r, o, "until", 40, false, false, &until);
        json_decref(o);
        if (!ok)
            return;
        if (until != NULL && (time_parse_rfc3339(until, &bj->until) < 0 || bj->until <= r->now)) {
            req_send_error(r, 400, "invalid_field",
                           "until must be a future RFC 3339 time, or null for a permanent ban.",
                           "until", NULL);
            return;
        }
    }
    store_user target;
    pl_error err;
    int rc = store_user_by_id(req_store(r), uid, r->a, &target, &err);
    if (rc == PL_ENOTFOUND) {
        req_send_error(r, 404, "not_found", "There is no such user.", NULL, NULL);
        return;
    }
    if (rc < 0) {
        api_send_rc(r, rc, &err);
        return;
    }
    /* Least privilege: moderators act on readers; only admins on staff. */
    if (target.role != ROLE_READER && r->user->role != ROLE_ADMIN) {
        req_send_error(r, 403, "forbidden", "Only an admin can ban a moderator or an admin.", NULL,
                       NULL);
        return;
    }
    if (target.id == r->user->id) {
        req_send_error(r, 403, "forbidden", "You cannot ban yourself.", NULL, NULL);
        return;
    }
    job *j = job_new(r, bj);
    j->write = ban_write;
    j->done = ban_done;
    job_submit(j);
}

void
api_mod_ban(req *r, const route_args *a)
{
    ban(r, a, true);
}

void
api_mod_unban(req *r, const route_args *a)
{
    ban(r, a, false);
}

void
api_mod_log(req *r, const route_args *a)
{
    (void)a;
    if (!api_require_moderator(r))
        return;
    int64_t limit = 100, before = 0;
    const char *s;
    if ((s = req_query(r, "limit", NULL)) && parse_int(s, 1, 500, &limit) < 0) {
        req_send_error(r, 400, "invalid_field", "limit must be a whole number from 1 to 500.",
                       "limit", NULL);
        return;
    }
    if ((s = req_query(r, "before", NULL)) && parse_int(s, 1, INT64_MAX, &before) < 0) {
        req_send_error(r, 400, "invalid_field", "The paging cursor is not valid.", "before", NULL);
        return;
    }
    store_log_entry *entries = NULL;
    size_t n = 0;
    pl_error err;
    int rc = store_log_list(req_store(r), before, (int)limit, r->a, &entries, &n, &err);
    if (rc < 0) {
        api_send_rc(r, rc, &err);
        return;
    }
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++) {
        const store_log_entry *e = &entries[i];
        json_array_append_new(
            list, json_pack("{s:o, s:o, s:o, s:s, s:s, s:s, s:s}", "id", id_string(e->id), "at",
                            api_time(e->at), "actor_id",
                            e->actor_id ? id_string(e->actor_id) : json_null(), "action",
                            e->action, "target_type", e->target_type, "target_id", e->target_id,
                            "reason", e->reason ? e->reason : ""));
    }
    json_t *next = n == (size_t)limit ? id_string(entries[n - 1].id) : json_null();
    req_send_json(r, 200, json_pack("{s:o, s:o}", "entries", list, "next", next));
}
