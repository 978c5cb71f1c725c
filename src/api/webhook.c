/* api/webhook.c: the site's events for its webhook, and the desk's view of
 * their delivery.
 *
 * Handlers call api_webhook_emit from their write step (on the writer,
 * inside the job's savepoint), so an event is in the outbox exactly when the
 * change it reports is committed; app/webhooks.c delivers it. Payloads
 * name people by id and display name only: never an e-mail address, a
 * password hash or a session.
 */
#include "api/api_int.h"
#include "util/log.h"
#include "util/text.h"

#include <stdlib.h>
#include <string.h>

/* Events the API documents; webhook.test is the desk's test button. */
static const char *const events[] = {"comment.published",   "comment.held", "comment.flagged",
                                     "moderation.decision", "user.banned",  "webhook.test"};

int
api_webhook_emit(job *j, store *s, const char *event, json_t *data, pl_error *err)
{
    const config *cfg = req_config(j->r);
    if (cfg->webhook_url[0] == '\0') {
        json_decref(data);
        return 0;
    }
    bool known = false;
    for (size_t i = 0; i < sizeof events / sizeof events[0]; i++)
        known = known || strcmp(events[i], event) == 0;
    if (!known) {
        json_decref(data);
        return pl_errorf(err, PL_EINVAL, "unknown webhook event %s", event);
    }
    char *text = json_dumps(data, JSON_COMPACT);
    json_decref(data);
    if (text == NULL)
        return pl_errorf(err, PL_EINVAL, "cannot encode the %s event", event);
    int64_t id;
    int rc = store_outbox_add(s, event, text, j->r->now, &id, err);
    free(text);
    if (rc == 0)
        job_change(j)->webhook = true;
    return rc;
}

json_t *
api_webhook_comment(job *j, store *s, const store_comment *c)
{
    json_t *article = json_pack("{s:s}", "id", api_article_public(c->article_id));
    api_site_field(article, c->article_id);
    store_article art;
    pl_error err;
    if (store_article_get(s, c->article_id, j->r->a, &art, &err) == 0) {
        json_object_set_new(article, "title", json_string(art.title));
        json_object_set_new(article, "url", json_string(art.url));
    }
    json_t *comment = json_pack(
        "{s:o, s:s, s:o, s:o, s:s, s:s, s:s, s:o}", "id", api_id(c->id), "article_id",
        api_article_public(c->article_id), "parent_id",
        c->parent_id ? api_id(c->parent_id) : json_null(), "author_id", api_id(c->author_id),
        "author_name", c->author_name ? c->author_name : "", "body", c->body ? c->body : "",
        "status", api_comment_status_name(c->status), "created_at", api_time(c->created_at));
    return json_pack("{s:o, s:o}", "comment", comment, "article", article);
}

/* ---- the desk: delivery log and test event -------------------------------- */

static bool
require_admin(req *r)
{
    if (!api_require_moderator(r))
        return false;
    if (r->user->role == ROLE_ADMIN)
        return true;
    req_send_error(r, 403, "forbidden", "Only an admin can see and test the webhook.", NULL, NULL);
    return false;
}

static const char *
state_name(store_outbox_state st)
{
    return st == OUTBOX_DELIVERED ? "delivered" : st == OUTBOX_FAILED ? "failed" : "pending";
}

static json_t *
delivery_json(const store_outbox_item *it)
{
    return json_pack("{s:o, s:s, s:s, s:I, s:o, s:o, s:o, s:o, s:s}", "id", api_id(it->id), "event",
                     it->event, "state", state_name(it->state), "attempts",
                     (json_int_t)it->attempts, "created_at", api_time(it->created_at),
                     "last_attempt_at", api_time(it->last_at), "next_attempt_at",
                     it->state == OUTBOX_PENDING ? api_time(it->next_at) : json_null(),
                     "last_status", it->last_status ? json_integer(it->last_status) : json_null(),
                     "last_error", it->last_error ? it->last_error : "");
}

/* The receiver's scheme and host only: a Slack-style URL carries its
 * secret in the path. */
static json_t *
url_origin(const char *url)
{
    if (url[0] == '\0')
        return json_null();
    const char *p = strstr(url, "://");
    size_t n = p ? strcspn(p + 3, "/?#") + (size_t)(p + 3 - url) : strlen(url);
    return json_stringn(url, n);
}

void
api_mod_webhooks(req *r, const route_args *a)
{
    (void)a;
    if (!require_admin(r))
        return;
    int64_t limit = 50, before = 0;
    const char *q;
    if ((q = req_query(r, "limit", NULL)) && parse_int(q, 1, 200, &limit) < 0) {
        req_send_error(r, 400, "invalid_field", "limit must be a whole number from 1 to 200.",
                       "limit", NULL);
        return;
    }
    if ((q = req_query(r, "before", NULL)) && parse_int(q, 1, INT64_MAX, &before) < 0) {
        req_send_error(r, 400, "invalid_field", "The paging cursor is not valid.", "before", NULL);
        return;
    }
    store_outbox_item *items = NULL;
    size_t n = 0;
    pl_error err;
    int rc = store_outbox_list(req_store(r), before, API_PAGE_ASK(limit), r->a, &items, &n, &err);
    bool more;
    if (!api_page_rows(r, rc, &err, &n, limit, &more))
        return;
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, delivery_json(&items[i]));
    const config *cfg = req_config(r);
    json_t *hook = json_pack("{s:b, s:o, s:s, s:b}", "configured", cfg->webhook_url[0] != '\0',
                             "receiver", url_origin(cfg->webhook_url), "format",
                             cfg->webhook_format, "signed", cfg->webhook_secret[0] != '\0');
    req_send_json(r, 200,
                  json_pack("{s:o, s:o, s:o}", "webhook", hook, "deliveries", list, "next",
                            more ? api_id(items[n - 1].id) : json_null()));
}

typedef struct test_job {
    store_outbox_item item;
} test_job;

static int
test_write(job *j, store *s, pl_error *err)
{
    test_job *tj = j->data;
    req *r = j->r;
    json_t *data =
        json_pack("{s:s, s:{s:o, s:s}}", "message", "A test event sent from the moderation desk.",
                  "requested_by", "id", api_id(r->user->id), "name", r->user->name);
    char *text = json_dumps(data, JSON_COMPACT);
    json_decref(data);
    int rc = store_outbox_add(s, "webhook.test", text, r->now, &tj->item.id, err);
    free(text);
    if (rc < 0)
        return rc;
    job_change(j)->webhook = true;
    tj->item.event = "webhook.test";
    tj->item.created_at = r->now;
    tj->item.next_at = r->now;
    tj->item.state = OUTBOX_PENDING;
    return 0;
}

static void
test_done(job *j)
{
    test_job *tj = j->data;
    if (j->rc < 0) {
        api_send_rc(j->r, j->rc, &j->err);
        return;
    }
    req_send_json(j->r, 202, json_pack("{s:o}", "delivery", delivery_json(&tj->item)));
}

void
api_mod_webhook_test(req *r, const route_args *a)
{
    (void)a;
    if (!require_admin(r))
        return;
    static const char *const allowed[] = {NULL};
    json_t *o = api_body_object(r, allowed);
    if (o == NULL)
        return;
    json_decref(o);
    if (req_config(r)->webhook_url[0] == '\0') {
        req_send_error(r, 409, "webhook_not_configured",
                       "No webhook_url is set, so there is nowhere to send a test event.", NULL,
                       NULL);
        return;
    }
    job *j = job_new(r, arena_zalloc(r->a, sizeof(test_job)));
    j->write = test_write;
    j->done = test_done;
    job_submit(j);
}
