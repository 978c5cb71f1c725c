/* api/mod.c: the moderation desk's endpoints (moderators and admins only):
 * queues with everything a decision needs, live counts, decisions on
 * comments and their undo, bans and suspensions, roles (admins only), and
 * the log with filters.
 *
 * Every decision is written to the moderation log in the same transaction
 * as the change it records, so the log cannot miss one. A decision also
 * keeps the comment's state before it (the decisions table), which is what
 * POST /mod/undo restores; the undo is itself a new log entry, so the log
 * stays append-only. Approving a comment dismisses its open flags and
 * rejecting it upholds them: that is the record flags are weighed by.
 */
#include "api/api_int.h"
#include "util/log.h"
#include "util/text.h"

#include <stdio.h>
#include <string.h>

static const char *
id_text(req *r, int64_t id)
{
    return arena_printf(r->a, "%lld", (long long)id);
}

/* COMMENT for moderators: the public shape plus the Markdown body and the
 * moderator's reason. */
json_t *
api_desk_comment_json(const store_comment *c)
{
    json_t *cj = api_comment_json(c);
    json_object_set_new(cj, "body", json_string(c->body ? c->body : ""));
    json_object_set_new(cj, "moderator_reason",
                        json_string(c->moderator_reason ? c->moderator_reason : ""));
    json_object_set_new(cj, "article_id",
                        json_string(c->article_id ? api_article_public(c->article_id) : ""));
    if (c->article_id != NULL)
        api_site_field(cj, c->article_id);
    return cj;
}

static json_t *
history_json(const store_user_history *h)
{
    return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "comments",
                     (json_int_t)h->comments, "published", (json_int_t)h->published, "pending",
                     (json_int_t)h->pending, "rejected", (json_int_t)h->rejected, "hidden",
                     (json_int_t)h->hidden, "flags_received", (json_int_t)h->flags_received,
                     "flags_upheld", (json_int_t)h->flags_upheld, "bans", (json_int_t)h->bans);
}

/* The author as the desk shows them: who, since when, ban state, record. */
json_t *
api_desk_author_json(req *r, store *st, int64_t user_id)
{
    store_user u;
    store_user_history h = {0};
    pl_error err;
    if (store_user_by_id(st, user_id, r->a, &u, &err) < 0)
        return json_null();
    json_t *o = api_user_json(&u, r->now);
    json_object_set_new(o, "created_at", api_time(u.created_at));
    json_object_set_new(o, "deleted", json_boolean(u.deleted));
    if (store_user_history_get(st, user_id, &h, &err) == 0)
        json_object_set_new(o, "history", history_json(&h));
    return o;
}

/* A small cache of per-page lookups keyed by id, so a page of 50 items by
 * a few authors on a few articles asks the store once for each. */
typedef struct page_cache {
    int64_t author_ids[100];
    json_t *authors[100];
    size_t n_authors;
    const char *article_ids[100];
    json_t *articles[100];
    size_t n_articles;
} page_cache;

static json_t *
cached_author(req *r, store *st, page_cache *pc, int64_t id)
{
    for (size_t i = 0; i < pc->n_authors; i++)
        if (pc->author_ids[i] == id)
            return json_incref(pc->authors[i]);
    json_t *o = api_desk_author_json(r, st, id);
    if (pc->n_authors < 100) {
        pc->author_ids[pc->n_authors] = id;
        pc->authors[pc->n_authors++] = json_incref(o);
    }
    return o;
}

static json_t *
cached_article(req *r, store *st, page_cache *pc, const char *id)
{
    for (size_t i = 0; i < pc->n_articles; i++)
        if (strcmp(pc->article_ids[i], id) == 0)
            return json_incref(pc->articles[i]);
    store_article art;
    pl_error err;
    json_t *o;
    if (store_article_get(st, id, r->a, &art, &err) < 0)
        art = (store_article){.id = id, .title = "", .url = "", .status = ARTICLE_OPEN};
    o = api_article_json(&art);
    if (pc->n_articles < 100) {
        pc->article_ids[pc->n_articles] = id;
        pc->articles[pc->n_articles++] = json_incref(o);
    }
    return o;
}

static void
page_cache_free(page_cache *pc)
{
    for (size_t i = 0; i < pc->n_authors; i++)
        json_decref(pc->authors[i]);
    for (size_t i = 0; i < pc->n_articles; i++)
        json_decref(pc->articles[i]);
}

/* Flags grouped by reason: API.md's {"reason", "note", "count"} (note: the
 * notes joined by newlines) plus the notes as a list. */
static json_t *
flags_json(req *r, store *st, int64_t comment_id)
{
    store_flag_group *groups = NULL;
    size_t ng = 0;
    pl_error err;
    json_t *flags = json_array();
    if (store_flags_for_comment(st, comment_id, r->a, &groups, &ng, &err) < 0)
        return flags;
    for (size_t k = 0; k < ng; k++) {
        json_t *notes = json_array();
        const char *p = groups[k].notes;
        while (p && *p) {
            const char *nl = strchr(p, '\n');
            size_t n = nl ? (size_t)(nl - p) : strlen(p);
            json_array_append_new(notes, json_stringn(p, n));
            p = nl ? nl + 1 : NULL;
        }
        json_array_append_new(flags, json_pack("{s:s, s:s, s:I, s:o}", "reason", groups[k].reason,
                                               "note", groups[k].notes, "count",
                                               (json_int_t)groups[k].count, "notes", notes));
    }
    return flags;
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
    int64_t site;
    if (!api_mod_site(r, &site))
        return;
    store_comment_list list = {0};
    bool more = false;
    pl_error err;
    store *st = req_store(r);
    int rc = site ? store_site_queue_list(st, site, q, after, (int)limit, r->a, &list, &more, &err)
                  : store_queue_list(st, q, after, (int)limit, r->a, &list, &more, &err);
    if (rc < 0) {
        api_send_rc(r, rc, &err);
        return;
    }
    page_cache pc = {0};
    json_t *items = json_array();
    for (size_t i = 0; i < list.n; i++) {
        const store_comment *c = &list.items[i];
        json_t *mod = c->moderation && c->moderation[0] ? json_loads(c->moderation, 0, NULL) : NULL;
        if (mod == NULL)
            mod = json_pack("{s:s, s:[], s:{}}", "decision", "publish", "reasons", "scores");
        json_t *parent = json_null();
        if (c->parent_id != 0) {
            store_comment pcm;
            if (store_comment_get(st, c->parent_id, 0, r->a, &pcm, &err) == 0) {
                json_decref(parent);
                parent = api_desk_comment_json(&pcm);
            }
        }
        json_t *item = json_pack(
            "{s:o, s:s, s:o, s:o, s:o, s:o, s:o}", "comment", api_desk_comment_json(c),
            "article_id", api_article_public(c->article_id), "article",
            cached_article(r, st, &pc, c->article_id), "parent", parent, "moderation", mod, "flags",
            flags_json(r, st, c->id), "author", cached_author(r, st, &pc, c->author_id));
        json_array_append_new(items, item);
    }
    page_cache_free(&pc);
    json_t *next = more && list.n > 0 ? api_id(list.items[list.n - 1].id) : json_null();
    req_send_json(r, 200, json_pack("{s:o, s:o}", "items", items, "next", next));
}

void
api_mod_counts(req *r, const route_args *a)
{
    (void)a;
    if (!api_require_moderator(r))
        return;
    int64_t counts[3], site;
    if (!api_mod_site(r, &site))
        return;
    pl_error err;
    int rc = site ? store_site_queue_counts(req_store(r), site, counts, &err)
                  : store_queue_counts(req_store(r), counts, &err);
    if (rc < 0) {
        api_send_rc(r, rc, &err);
        return;
    }
    req_send_json(r, 200,
                  json_pack("{s:I, s:I, s:I}", "pending", (json_int_t)counts[QUEUE_PENDING],
                            "flagged", (json_int_t)counts[QUEUE_FLAGGED], "rejected",
                            (json_int_t)counts[QUEUE_REJECTED]));
}

/* ---- decisions and undo -------------------------------------------------- */

typedef struct decision_job {
    int64_t id;
    const char *action;
    const char *reason;
    bool undo;
    const char *undone_action; /* undo: what was undone */
    const int64_t *sites;      /* undo: the moderator's sites (api_mod_scope) */
    size_t n_sites;
    bool skipped; /* undo: the comment was deleted since; nothing restored */
    store_comment result;
} decision_job;

/* moderation.decision: who decided what on which comment. */
static int
emit_decision(job *j, store *s, const store_comment *c, const char *action, const char *reason,
              const char *undone, pl_error *err)
{
    req *r = j->r;
    if (req_config(r)->webhook_url[0] == '\0')
        return 0;
    json_t *data = api_webhook_comment(j, s, c);
    json_object_set_new(data, "action", json_string(action));
    json_object_set_new(data, "reason", json_string(reason ? reason : ""));
    if (undone != NULL)
        json_object_set_new(data, "undone", json_string(undone));
    json_object_set_new(data, "moderator",
                        json_pack("{s:o, s:s}", "id", api_id(r->user->id), "name", r->user->name));
    return api_webhook_emit(j, s, "moderation.decision", data, err);
}

static int
decision_write(job *j, store *s, pl_error *err)
{
    decision_job *dj = j->data;
    req *r = j->r;
    store_comment c;
    int rc = store_comment_get(s, dj->id, 0, r->a, &c, err);
    if (rc < 0)
        return rc;
    if (c.status == COMMENT_DELETED)
        return pl_errorf(err, PL_ENOTFOUND, "There is no such comment.");
    store_comment_status status = c.status;
    bool featured = c.featured;
    const char *reason = c.moderator_reason;
    store_flag_outcome outcome = FLAG_OPEN;
    if (strcmp(dj->action, "approve") == 0) {
        status = COMMENT_PUBLISHED;
        reason = dj->reason ? dj->reason : "";
        outcome = FLAG_DISMISSED;
    } else if (strcmp(dj->action, "reject") == 0) {
        status = COMMENT_REJECTED;
        featured = false;
        reason = dj->reason ? dj->reason : "";
        outcome = FLAG_UPHELD;
    } else if (strcmp(dj->action, "feature") == 0) {
        if (c.status != COMMENT_PUBLISHED)
            return pl_errorf(err, PL_EINVAL, "Only a published comment can be featured.");
        featured = true;
    } else {
        featured = false;
    }
    store_decision d = {0,          c.id,     r->user->id, r->now,
                        dj->action, c.status, c.featured,  c.moderator_reason};
    if ((rc = store_decision_insert(s, &d, err)) < 0 ||
        (rc = store_comment_set_state(s, c.id, status, featured, reason, err)) < 0)
        return rc;
    if (outcome != FLAG_OPEN && (rc = store_flags_review(s, c.id, outcome, d.id, err)) < 0)
        return rc;
    store_log_entry e = {0,
                         r->now,
                         r->user->id,
                         dj->action,
                         "comment",
                         id_text(r, c.id),
                         dj->reason ? dj->reason : ""};
    if ((rc = store_log_append(s, &e, err)) < 0)
        return rc;
    /* The author hears of a new rejection or feature, with the reason. */
    bool news = strcmp(dj->action, "reject") == 0 ? c.status != COMMENT_REJECTED : !c.featured;
    if (news && (rc = api_notify_decision(j, s, &c, dj->action, dj->reason, err)) < 0)
        return rc;
    /* Comments rejected by moderators count toward automatic suspension
     * like those the engine refused. */
    if (status == COMMENT_REJECTED && c.status != COMMENT_REJECTED &&
        (rc = api_auto_suspend(j, s, c.author_id, c.article_id, err)) < 0)
        return rc;
    if ((rc = store_comment_get(s, dj->id, 0, r->a, &dj->result, err)) < 0)
        return rc;
    return emit_decision(j, s, &dj->result, dj->action, dj->reason, NULL, err);
}

static int
undo_write(job *j, store *s, pl_error *err)
{
    decision_job *dj = j->data;
    req *r = j->r;
    store_decision d;
    int rc = store_decision_last(s, r->user->id, r->a, &d, err);
    if (rc == PL_ENOTFOUND)
        return pl_errorf(err, PL_ENOTFOUND, "You have no decision left to undo.");
    if (rc < 0)
        return rc;
    store_comment now;
    if ((rc = store_comment_get(s, d.comment_id, 0, r->a, &now, err)) < 0)
        return rc;
    /* A moderator whose sites an admin has narrowed since cannot undo on
     * a site that is no longer theirs. */
    bool mine = dj->n_sites == 0;
    for (size_t i = 0; i < dj->n_sites && !mine; i++)
        mine = dj->sites[i] == api_article_site(now.article_id);
    if (!mine)
        return pl_errorf(err, PL_EFORBIDDEN,
                         "Your last decision was on a site you no longer moderate; it stays.");
    if (now.status == COMMENT_DELETED) {
        /* Its author (or another moderator) deleted it since: nothing may
         * bring it back. The decision can no longer be undone, so it
         * leaves the undo list and the next undo reaches the one before. */
        if ((rc = store_decision_undo(s, d.id, err)) < 0)
            return rc;
        /* The flags that decision closed keep the outcome it gave them
         * (store_decision_undo reopened them): they still count in their
         * flaggers' records. */
        store_flag_outcome outcome = strcmp(d.action, "approve") == 0  ? FLAG_DISMISSED
                                     : strcmp(d.action, "reject") == 0 ? FLAG_UPHELD
                                                                       : FLAG_OPEN;
        if (outcome != FLAG_OPEN &&
            (rc = store_flags_review(s, d.comment_id, outcome, d.id, err)) < 0)
            return rc;
        dj->skipped = true;
        return 0;
    }
    if ((rc = store_comment_set_state(s, d.comment_id, d.prev_status, d.prev_featured,
                                      d.prev_reason, err)) < 0 ||
        (rc = store_decision_undo(s, d.id, err)) < 0)
        return rc;
    dj->id = d.comment_id;
    dj->undone_action = d.action;
    store_comment c;
    if ((rc = store_comment_get(s, d.comment_id, 0, r->a, &c, err)) < 0)
        return rc;
    job_change(j)->article = c.article_id; /* set here: the comment is known only now */
    job_change(j)->event = "edited";
    job_change(j)->event_comment = c.id;
    job_change(j)->event_author = c.author_id;
    store_log_entry e = {0,
                         r->now,
                         r->user->id,
                         "undo",
                         "comment",
                         id_text(r, d.comment_id),
                         arena_printf(r->a, "undid %s", d.action)};
    if ((rc = store_log_append(s, &e, err)) < 0 ||
        (rc = store_comment_get(s, d.comment_id, 0, r->a, &dj->result, err)) < 0)
        return rc;
    return emit_decision(j, s, &dj->result, "undo", "", d.action, err);
}

static void
decision_done(job *j)
{
    decision_job *dj = j->data;
    if (j->rc == PL_EFORBIDDEN) { /* undo_write: another site's decision */
        req_send_error(j->r, 403, "not_your_site", j->err.msg, "site", NULL);
        return;
    }
    if (j->rc < 0) {
        api_send_rc(j->r, j->rc, &j->err);
        return;
    }
    if (dj->skipped) {
        req_send_error(j->r, 409, "comment_deleted",
                       "That comment was deleted after your decision, so undo cannot bring it "
                       "back; it has left your undo list. Undo again to reach your decision "
                       "before it.",
                       NULL, NULL);
        return;
    }
    log_info("msg=\"moderator decision\" moderator=%lld comment=%lld action=%s%s%s",
             (long long)j->r->user->id, (long long)dj->result.id, dj->undo ? "undo" : dj->action,
             dj->undo ? " undone=" : "", dj->undo ? dj->undone_action : "");
    json_t *o = json_pack("{s:o}", "comment", api_desk_comment_json(&dj->result));
    if (dj->undo)
        json_object_set_new(o, "undone", json_string(dj->undone_action));
    req_send_json(j->r, 200, o);
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
    if (strcmp(dj->action, "approve") != 0 && strcmp(dj->action, "reject") != 0 &&
        strcmp(dj->action, "feature") != 0 && strcmp(dj->action, "unfeature") != 0) {
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
    if (!api_mod_site_allowed(r, api_article_site(c.article_id)))
        return;
    job *j = job_new(r, dj);
    j->write = decision_write;
    j->done = decision_done;
    job_change(j)->article = c.article_id;
    job_change(j)->event_comment = id;
    job_change(j)->event_author = c.author_id;
    job_change(j)->event = strcmp(dj->action, "approve") == 0  ? "created"
                           : strcmp(dj->action, "reject") == 0 ? "removed"
                                                               : "edited";
    job_submit(j);
}

void
api_mod_undo(req *r, const route_args *a)
{
    (void)a;
    if (!api_require_moderator(r))
        return;
    decision_job *dj = arena_zalloc(r->a, sizeof *dj);
    dj->undo = true;
    if (!api_mod_scope(r, &dj->sites, &dj->n_sites))
        return;
    job_run(r, dj, undo_write, decision_done);
}

/* ---- bans and roles ------------------------------------------------------ */

typedef struct ban_job {
    int64_t user_id;
    bool ban;
    int64_t until;
    const char *reason;
    store_role role; /* role changes */
    store_user result;
} ban_job;

static int
ban_write(job *j, store *s, pl_error *err)
{
    ban_job *bj = j->data;
    int rc = store_user_set_ban(s, bj->user_id, bj->ban, bj->until, bj->reason, err);
    if (rc < 0)
        return rc;
    const char *action = !bj->ban ? "unban" : bj->until ? "suspend" : "ban";
    char *reason = (char *)(bj->reason ? bj->reason : "");
    if (bj->ban && bj->until) {
        char when[32];
        time_format_rfc3339(bj->until, when);
        reason = arena_printf(j->r->a, "%s (until %s)", reason, when);
    }
    store_log_entry e = {
        0, j->r->now, j->r->user->id, action, "user", id_text(j->r, bj->user_id), reason};
    if ((rc = store_log_append(s, &e, err)) < 0 ||
        (rc = store_user_by_id(s, bj->user_id, j->r->a, &bj->result, err)) < 0)
        return rc;
    if (!bj->ban)
        return 0;
    return api_webhook_emit(j, s, "user.banned",
                            json_pack("{s:{s:o, s:s}, s:s, s:o, s:s, s:{s:o, s:s}}", "user", "id",
                                      api_id(bj->user_id), "name", bj->result.name, "action",
                                      action, "until", api_time(bj->until), "reason",
                                      bj->reason ? bj->reason : "", "moderator", "id",
                                      api_id(j->r->user->id), "name", j->r->user->name),
                            err);
}

static void
ban_done(job *j)
{
    ban_job *bj = j->data;
    if (j->rc < 0) {
        api_send_rc(j->r, j->rc, &j->err);
        return;
    }
    if (j->write == ban_write)
        log_info("msg=%s moderator=%lld user=%lld",
                 !bj->ban    ? "unban"
                 : bj->until ? "suspend"
                             : "ban",
                 (long long)j->r->user->id, (long long)bj->user_id);
    else
        log_info("msg=\"role changed\" admin=%lld user=%lld role=%s", (long long)j->r->user->id,
                 (long long)bj->user_id, store_role_name(bj->role));
    req_send_json(j->r, 200, json_pack("{s:o}", "user", api_user_json(&bj->result, j->r->now)));
}

/* Loads the target user of /mod/users/{id}/...; false when an error was sent. */
bool
api_desk_user(req *r, const char *id_s, store_user *target)
{
    int64_t uid;
    pl_error err;
    int rc = parse_int(id_s, 1, INT64_MAX, &uid) < 0
                 ? PL_ENOTFOUND
                 : store_user_by_id(req_store(r), uid, r->a, target, &err);
    if (rc == PL_ENOTFOUND || (rc == 0 && target->deleted)) {
        req_send_error(r, 404, "not_found", "There is no such user.", NULL, NULL);
        return false;
    }
    if (rc < 0) {
        api_send_rc(r, rc, &err);
        return false;
    }
    return true;
}

bool
api_desk_not_self(req *r, const store_user *target, const char *why)
{
    if (target->id != r->user->id)
        return true;
    req_send_error(r, 403, "forbidden", why, NULL, NULL);
    return false;
}

bool
api_desk_staff_ok(req *r, const store_user *target, const char *why)
{
    if (target->role == ROLE_READER || r->user->role == ROLE_ADMIN)
        return true;
    req_send_error(r, 403, "forbidden", why, NULL, NULL);
    return false;
}

static void
ban(req *r, const route_args *a, bool on)
{
    if (!api_require_moderator(r))
        return;
    ban_job *bj = arena_zalloc(r->a, sizeof *bj);
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
    if (!api_desk_user(r, a->seg[0], &target) || !api_mod_user_allowed(r, target.id))
        return;
    bj->user_id = target.id;
    /* Least privilege: moderators act on readers; only admins on staff. */
    if (!api_desk_staff_ok(r, &target, "Only an admin can ban a moderator or an admin.") ||
        !api_desk_not_self(r, &target, "You cannot ban yourself."))
        return;
    job_run(r, bj, ban_write, ban_done);
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

static int
role_write(job *j, store *s, pl_error *err)
{
    ban_job *bj = j->data;
    int rc = store_user_set_role(s, bj->user_id, bj->role, err);
    if (rc < 0)
        return rc;
    store_log_entry e = {0,
                         j->r->now,
                         j->r->user->id,
                         "role",
                         "user",
                         id_text(j->r, bj->user_id),
                         store_role_name(bj->role)};
    if ((rc = store_log_append(s, &e, err)) < 0)
        return rc;
    return store_user_by_id(s, bj->user_id, j->r->a, &bj->result, err);
}

void
api_mod_role(req *r, const route_args *a)
{
    if (!api_require_moderator(r))
        return;
    if (r->user->role != ROLE_ADMIN) {
        req_send_error(r, 403, "forbidden", "Only an admin can change roles.", NULL, NULL);
        return;
    }
    static const char *const allowed[] = {"role", NULL};
    json_t *o = api_body_object(r, allowed);
    if (o == NULL)
        return;
    const char *role_s;
    bool ok = api_req_string(r, o, "role", 20, false, false, &role_s);
    json_decref(o);
    if (!ok)
        return;
    ban_job *bj = arena_zalloc(r->a, sizeof *bj);
    if (store_role_parse(role_s, &bj->role) < 0) {
        req_send_error(r, 400, "invalid_field", "role must be reader, moderator or admin.", "role",
                       NULL);
        return;
    }
    store_user target;
    if (!api_desk_user(r, a->seg[0], &target) ||
        !api_desk_not_self(r, &target, "You cannot change your own role; ask another admin."))
        return;
    bj->user_id = target.id;
    job_run(r, bj, role_write, ban_done);
}

/* ---- log ------------------------------------------------------------------ */

/* Names looked up once per request: users by id, articles by id. */
#define NAME_CACHE 64
struct api_name_cache {
    int64_t user_ids[NAME_CACHE];
    const char *user_names[NAME_CACHE];
    size_t n_users;
    const char *article_ids[NAME_CACHE];
    const char *article_titles[NAME_CACHE];
    size_t n_articles;
};

api_name_cache *
api_name_cache_new(req *r)
{
    return arena_zalloc(r->a, sizeof(api_name_cache));
}

static const char *
user_name(req *r, store *st, api_name_cache *nc, int64_t id)
{
    for (size_t k = 0; k < nc->n_users; k++)
        if (nc->user_ids[k] == id)
            return nc->user_names[k];
    store_user u;
    pl_error err;
    const char *name = store_user_by_id(st, id, r->a, &u, &err) == 0 ? u.name : "";
    if (nc->n_users < NAME_CACHE) {
        nc->user_ids[nc->n_users] = id;
        nc->user_names[nc->n_users++] = name;
    }
    return name;
}

static const char *
article_title(req *r, store *st, api_name_cache *nc, const char *id)
{
    for (size_t k = 0; k < nc->n_articles; k++)
        if (strcmp(nc->article_ids[k], id) == 0)
            return nc->article_titles[k];
    store_article art;
    pl_error err;
    const char *title = store_article_get(st, id, r->a, &art, &err) == 0 ? art.title : "";
    if (nc->n_articles < NAME_CACHE) {
        nc->article_ids[nc->n_articles] = id;
        nc->article_titles[nc->n_articles++] = title;
    }
    return title;
}

/* What the desk shows for a log entry's target: a user's name, an
 * article's title, or the name of a comment's author; "" when unknown. */
static const char *
target_name(req *r, store *st, api_name_cache *nc, const store_log_entry *e)
{
    int64_t id;
    if (strcmp(e->target_type, "article") == 0)
        return article_title(r, st, nc, e->target_id);
    if (parse_int(e->target_id, 1, INT64_MAX, &id) < 0)
        return "";
    if (strcmp(e->target_type, "user") == 0)
        return user_name(r, st, nc, id);
    store_comment c;
    pl_error err;
    if (strcmp(e->target_type, "comment") == 0 && store_comment_get(st, id, 0, r->a, &c, &err) == 0)
        return user_name(r, st, nc, c.author_id);
    return "";
}

json_t *
api_log_entry_json(req *r, store *st, api_name_cache *nc, const store_log_entry *e)
{
    json_t *actor = json_null();
    if (e->actor_id != 0)
        actor = json_pack("{s:o, s:s}", "id", api_id(e->actor_id), "name",
                          user_name(r, st, nc, e->actor_id));
    return json_pack("{s:o, s:o, s:o, s:o, s:s, s:s, s:s, s:s, s:s, s:b}", "id", api_id(e->id),
                     "at", api_time(e->at), "actor_id",
                     e->actor_id ? api_id(e->actor_id) : json_null(), "actor", actor, "action",
                     e->action, "target_type", e->target_type, "target_id", e->target_id,
                     "target_name", target_name(r, st, nc, e), "reason", e->reason ? e->reason : "",
                     "automatic", e->actor_id == 0);
}

bool
api_user_param(req *r, const char *name, int64_t *out)
{
    const char *s = req_query(r, name, NULL);
    *out = 0;
    if (s == NULL || s[0] == '\0')
        return true;
    if (parse_int(s, 1, INT64_MAX, out) == 0)
        return true;
    const char *text;
    if (!api_text_param(r, name, &text))
        return false;
    store_user_filter f = {0};
    f.exact_name = text;
    f.role = -1;
    store_user_row *rows;
    size_t n;
    pl_error err;
    int rc = store_users_search(req_store(r), &f, 2, r->a, &rows, &n, &err);
    if (rc < 0) {
        api_send_rc(r, rc, &err);
        return false;
    }
    char msg[200];
    if (n != 1) {
        snprintf(msg, sizeof msg,
                 n == 0 ? "%s: nobody is called that; give a name as it is shown, or an id."
                        : "%s: several people have that name; give the id instead.",
                 name);
        req_send_error(r, 400, "invalid_field", msg, name, NULL);
        return false;
    }
    *out = rows[0].user.id;
    return true;
}

void
api_mod_log(req *r, const route_args *a)
{
    (void)a;
    if (!api_require_moderator(r))
        return;
    int64_t limit;
    store_log_filter f = {0};
    const char *s;
    if (!api_limit_param(r, 100, 500, &limit))
        return;
    if ((s = req_query(r, "before", NULL)) && parse_int(s, 1, INT64_MAX, &f.before_id) < 0) {
        req_send_error(r, 400, "invalid_field", "The paging cursor is not valid.", "before", NULL);
        return;
    }
    s = req_query(r, "moderator", NULL);
    if (s != NULL && strcmp(s, "auto") == 0)
        f.actor_id = -1;
    else if (!api_user_param(r, "moderator", &f.actor_id))
        return;
    if (!api_user_param(r, "author", &f.author_id) || !api_mod_site(r, &f.site))
        return;
    if (!api_article_query(r, &f.article_id))
        return;
    if ((s = req_query(r, "action", NULL)) && s[0] != '\0') {
        if (strlen(s) > 40) {
            req_send_error(r, 400, "invalid_field", "action is at most 40 characters.", "action",
                           NULL);
            return;
        }
        f.action = s;
    }
    store_log_entry *entries = NULL;
    size_t n = 0;
    pl_error err;
    store *st = req_store(r);
    int rc = store_log_query(st, &f, (int)limit, r->a, &entries, &n, &err);
    if (rc < 0) {
        api_send_rc(r, rc, &err);
        return;
    }
    api_name_cache *nc = api_name_cache_new(r);
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, api_log_entry_json(r, st, nc, &entries[i]));
    json_t *next = n == (size_t)limit ? api_id(entries[n - 1].id) : json_null();
    req_send_json(r, 200, json_pack("{s:o, s:o}", "entries", list, "next", next));
}
