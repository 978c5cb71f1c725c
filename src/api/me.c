/* api/me.c: a reader's own tools: mutes, the author's view of their own
 * comments (with moderators' reasons), the data export and account
 * deletion.
 *
 * Only an author with a published comment can be muted (their name is
 * public); for anyone else the answer is 404, as for an unknown id.
 * A mute hides the muted reader's comments (and the replies under them)
 * from the muting reader's comment lists only (api_comments_list asks
 * api_muted_ids). Deletion marks the account deleted and, per the config
 * delete_account_comments, keeps its comments under "Deleted account"
 * (anonymize) or removes them (remove): removed comments with replies stay
 * as placeholders, like any deleted comment. Either way the log records it.
 */
#include "api/api_int.h"
#include "util/log.h"
#include "util/text.h"

#include <stdio.h>
#include <string.h>

/* COMMENT as its author sees it: with the Markdown, the article and the
 * moderator's reason for the last decision. */
static json_t *
own_comment_json(const store_comment *c)
{
    json_t *o = api_comment_json(c);
    json_object_set_new(o, "article_id", json_string(api_article_public(c->article_id)));
    api_site_field(o, c->article_id);
    json_object_set_new(o, "body", json_string(c->body ? c->body : ""));
    json_object_set_new(o, "moderator_reason",
                        json_string(c->moderator_reason ? c->moderator_reason : ""));
    return o;
}

int64_t *
api_muted_ids(req *r, size_t *n)
{
    *n = 0;
    if (r->user == NULL)
        return NULL;
    store_mute *v = NULL;
    pl_error err;
    if (store_mutes_list(req_store(r), r->user->id, r->a, &v, n, &err) < 0) {
        log_error("msg=\"mute list failed\" error=\"%s\"", err.msg);
        *n = 0;
        return NULL;
    }
    int64_t *ids = arena_alloc(r->a, (*n ? *n : 1) * sizeof *ids);
    for (size_t i = 0; i < *n; i++)
        ids[i] = v[i].user_id;
    return ids;
}

static json_t *
mutes_json(req *r, bool *ok)
{
    store_mute *v = NULL;
    size_t n = 0;
    pl_error err;
    *ok = store_mutes_list(req_store(r), r->user->id, r->a, &v, &n, &err) == 0;
    json_t *list = json_array();
    for (size_t i = 0; ok && i < n; i++)
        json_array_append_new(list, json_pack("{s:{s:o, s:s}, s:o}", "user", "id",
                                              api_id(v[i].user_id), "name", v[i].name, "created_at",
                                              api_time(v[i].created_at)));
    return list;
}

void
api_mutes_get(req *r, const route_args *a)
{
    (void)a;
    if (!api_require_user(r))
        return;
    bool ok;
    json_t *list = mutes_json(r, &ok);
    if (!ok) {
        json_decref(list);
        api_send_rc(r, PL_ESTORE, NULL);
        return;
    }
    req_send_json(r, 200, json_pack("{s:o}", "mutes", list));
}

typedef struct mute_job {
    int64_t muted_id;
    bool on;
    store_user target;
} mute_job;

static int
mute_write(job *j, store *s, pl_error *err)
{
    mute_job *mj = j->data;
    return store_mute_set(s, j->r->user->id, mj->muted_id, mj->on, j->r->now, err);
}

static void
mute_done(job *j)
{
    mute_job *mj = j->data;
    if (j->rc < 0) {
        api_send_rc(j->r, j->rc, &j->err);
        return;
    }
    if (!mj->on) {
        req_send_empty(j->r, 204);
        return;
    }
    req_send_json(
        j->r, 200,
        json_pack("{s:{s:o, s:s}}", "muted", "id", api_id(mj->target.id), "name", mj->target.name));
}

static void
mute(req *r, const route_args *a, bool on)
{
    if (!api_require_user(r))
        return;
    mute_job *mj = arena_zalloc(r->a, sizeof *mj);
    mj->on = on;
    pl_error err;
    int rc = parse_int(a->seg[0], 1, INT64_MAX, &mj->muted_id) < 0
                 ? PL_ENOTFOUND
                 : store_user_by_id(req_store(r), mj->muted_id, r->a, &mj->target, &err);
    /* A reader can mute only whom they can see: an author with a published
     * comment, whose name is public already. Anyone else answers as if
     * there were no such user, so the endpoint tells no name and no
     * account's existence. */
    store_user_history h = {0};
    if (rc == 0 && on && mj->muted_id != r->user->id &&
        (rc = store_user_history_get(req_store(r), mj->muted_id, &h, &err)) == 0 &&
        h.published == 0)
        rc = PL_ENOTFOUND;
    if (rc == PL_ENOTFOUND) {
        req_send_error(r, 404, "not_found", "There is no such user.", NULL, NULL);
        return;
    }
    if (rc < 0) {
        api_send_rc(r, rc, &err);
        return;
    }
    if (mj->muted_id == r->user->id) {
        req_send_error(r, 400, "invalid_field", "You cannot mute yourself.", NULL, NULL);
        return;
    }
    job_run(r, mj, mute_write, mute_done);
}

void
api_mute_put(req *r, const route_args *a)
{
    mute(r, a, true);
}

void
api_mute_delete(req *r, const route_args *a)
{
    mute(r, a, false);
}

void
api_me_comments(req *r, const route_args *a)
{
    (void)a;
    if (!api_require_user(r))
        return;
    int64_t limit = 50;
    const char *s = req_query(r, "limit", NULL);
    if (s != NULL && parse_int(s, 1, 100, &limit) < 0) {
        req_send_error(r, 400, "invalid_field", "limit must be a whole number from 1 to 100.",
                       "limit", NULL);
        return;
    }
    store_comment_list list = {0};
    pl_error err;
    int rc = store_comments_by_author(req_store(r), r->user->id, 0, (int)limit, r->a, &list, &err);
    if (rc < 0) {
        api_send_rc(r, rc, &err);
        return;
    }
    json_t *out = json_array();
    for (size_t i = 0; i < list.n; i++)
        if (list.items[i].status != COMMENT_DELETED)
            json_array_append_new(out, own_comment_json(&list.items[i]));
    req_send_json(r, 200, json_pack("{s:o}", "comments", out));
}

void
api_me_export(req *r, const route_args *a)
{
    (void)a;
    if (!api_require_user(r))
        return;
    store *st = req_store(r);
    const store_user *u = r->user;
    pl_error err;
    store_comment_list comments = {0};
    store_flag_row *flags = NULL;
    int64_t *likes = NULL;
    size_t nflags = 0, nlikes = 0;
    int rc = store_comments_by_author(st, u->id, 0, 1000000, r->a, &comments, &err);
    if (rc == 0)
        rc = store_flags_by_user(st, u->id, r->a, &flags, &nflags, &err);
    if (rc == 0)
        rc = store_likes_by_user(st, u->id, r->a, &likes, &nlikes, &err);
    store_user_mail um;
    if (rc == 0)
        rc = store_user_mail_get(st, u->id, &um, &err);
    bool ok = rc == 0;
    json_t *mutes = ok ? mutes_json(r, &ok) : json_array();
    if (!ok) {
        json_decref(mutes);
        api_send_rc(r, rc < 0 ? rc : PL_ESTORE, &err);
        return;
    }
    json_t *user = api_user_json(u, r->now);
    json_object_set_new(user, "email", json_string(u->email));
    json_object_set_new(user, "created_at", api_time(u->created_at));
    json_object_set_new(user, "email_verified", json_boolean(um.email_verified));
    json_object_set_new(user, "notifications",
                        json_pack("{s:b, s:b, s:I}", "replies", um.notify_replies, "moderation",
                                  um.notify_moderation, "queue_threshold",
                                  (json_int_t)um.notify_queue));
    json_t *cl = json_array();
    for (size_t i = 0; i < comments.n; i++)
        json_array_append_new(cl, own_comment_json(&comments.items[i]));
    json_t *fl = json_array();
    static const char *const outcomes[] = {"open", "upheld", "dismissed"};
    for (size_t i = 0; i < nflags; i++)
        json_array_append_new(
            fl, json_pack("{s:o, s:o, s:s, s:s, s:o, s:s}", "id", api_id(flags[i].id), "comment_id",
                          api_id(flags[i].comment_id), "reason", flags[i].reason, "note",
                          flags[i].note, "created_at", api_time(flags[i].created_at), "outcome",
                          outcomes[flags[i].outcome <= FLAG_DISMISSED ? flags[i].outcome : 0]));
    json_t *ll = json_array();
    for (size_t i = 0; i < nlikes; i++)
        json_array_append_new(ll, api_id(likes[i]));
    req_add_header(r, "Content-Disposition", "attachment; filename=\"parley-export.json\"");
    req_send_json(r, 200,
                  json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}", "exported_at", api_time(r->now),
                            "user", user, "comments", cl, "flags", fl, "likes", ll, "mutes",
                            mutes));
}

typedef struct delete_job {
    bool remove;
    const char **articles; /* every article the account commented on */
    size_t n_articles;
} delete_job;

int
api_account_delete(job *j, store *s, int64_t user_id, bool remove, const char ***articles,
                   size_t *n_articles, pl_error *err)
{
    req *r = j->r;
    store_comment_list mine = {0};
    int rc = store_comments_by_author(s, user_id, 0, 1000000, r->a, &mine, err);
    if (rc < 0)
        return rc;
    const char **arts = arena_alloc(r->a, (mine.n ? mine.n : 1) * sizeof *arts);
    size_t n = 0;
    for (size_t i = 0; i < mine.n; i++) {
        size_t k = 0;
        while (k < n && strcmp(arts[k], mine.items[i].article_id) != 0)
            k++;
        if (k == n)
            arts[n++] = mine.items[i].article_id;
    }
    *articles = arts;
    *n_articles = n;
    /* A ban in force stays with the address (hashed) until it ends, so
     * deleting the account and registering again does not lift it. Read
     * here, in the write: a ban may have come after the request. */
    store_user who;
    if ((rc = store_user_by_id(s, user_id, r->a, &who, err)) < 0 ||
        (rc = api_keep_ban(s, &who, r->now, err)) < 0)
        return rc;
    rc = store_user_delete(s, user_id, remove, err);
    if (rc < 0)
        return rc;
    /* The other nodes drop their views of those articles too (this node
     * does when the job is done, with api_account_deleted). */
    for (size_t i = 0; i < n; i++)
        if ((rc = view_notify_article(r, s, arts[i], err)) < 0)
            return rc;
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)user_id);
    store_log_entry e = {0,
                         r->now,
                         r->user->id,
                         "delete_account",
                         "user",
                         id,
                         remove ? "comments removed" : "comments anonymized"};
    return store_log_append(s, &e, err);
}

void
api_account_deleted(req *r, const char *const *articles, size_t n_articles)
{
    for (size_t i = 0; i < n_articles; i++)
        view_bump(r, articles[i]);
}

static int
delete_me_write(job *j, store *s, pl_error *err)
{
    delete_job *dj = j->data;
    return api_account_delete(j, s, j->r->user->id, dj->remove, &dj->articles, &dj->n_articles,
                              err);
}

static void
delete_me_done(job *j)
{
    if (j->rc < 0) {
        api_send_rc(j->r, j->rc, &j->err);
        return;
    }
    delete_job *dj = j->data;
    /* The names (or the comments) changed on every article the account
     * wrote on; a job carries one article, so the rest are marked here. */
    api_account_deleted(j->r, dj->articles, dj->n_articles);
    log_info("msg=\"account deleted\" user=%lld", (long long)j->r->user->id);
    session_set_cookie(j->r, NULL);
    req_send_empty(j->r, 204);
}

void
api_me_delete(req *r, const route_args *a)
{
    (void)a;
    if (!api_require_user(r))
        return;
    delete_job *dj = arena_zalloc(r->a, sizeof *dj);
    dj->remove = strcmp(req_config(r)->delete_account_comments, "remove") == 0;
    job_run(r, dj, delete_me_write, delete_me_done);
}
