/* api/articles.c: PUT /api/v1/articles/{id}, moderators setting an article's
 * title, url, text (for the on-topic check), status and sensitive mark.
 * Reading an article lives in comments.c beside the thread it heads. */
#include "api/api_int.h"
#include "util/log.h"

#include <string.h>

typedef struct article_job {
    const char *id;
    store_article_changes up;
    store_article result;
} article_job;

static int
article_write(job *j, store *s, pl_error *err)
{
    article_job *aj = j->data;
    int rc = store_article_update(s, aj->id, &aj->up, err);
    if (rc < 0)
        return rc;
    store_log_entry e = {0, j->r->now, j->r->user->id, "article_update", "article", aj->id, ""};
    if (aj->up.has_status)
        e.reason = arena_printf(j->r->a, "status=%s", api_article_status_name(aj->up.status));
    if ((rc = store_log_append(s, &e, err)) < 0)
        return rc;
    return store_article_get(s, aj->id, j->r->a, &aj->result, err);
}

static void
article_done(job *j)
{
    article_job *aj = j->data;
    if (j->rc < 0) {
        api_send_rc(j->r, j->rc, &j->err);
        return;
    }
    req_send_json(j->r, 200, json_pack("{s:o}", "article", api_article_json(&aj->result)));
}

void
api_article_put(req *r, const route_args *a)
{
    if (!api_article_id(r, a->seg[0]) || !api_require_moderator(r))
        return;
    static const char *const allowed[] = {"title", "url", "text", "status", "sensitive", NULL};
    json_t *o = api_body_object(r, allowed);
    if (o == NULL)
        return;
    article_job *aj = arena_zalloc(r->a, sizeof *aj);
    aj->id = a->seg[0];
    const char *status = NULL;
    bool ok = api_opt_string(r, o, "title", 300, false, false, &aj->up.title) &&
              api_opt_string(r, o, "url", 2000, false, false, &aj->up.url) &&
              api_opt_string(r, o, "text", 200000, true, false, &aj->up.text) &&
              api_opt_string(r, o, "status", 20, false, false, &status);
    json_t *sens = ok ? json_object_get(o, "sensitive") : NULL;
    if (ok && sens != NULL && !json_is_null(sens)) {
        if (!json_is_boolean(sens)) {
            req_send_error(r, 400, "invalid_field", "sensitive must be true or false.", "sensitive",
                           NULL);
            ok = false;
        } else {
            aj->up.has_sensitive = true;
            aj->up.sensitive = json_is_true(sens);
        }
    }
    json_decref(o);
    if (!ok)
        return;
    if (aj->up.url && aj->up.url[0] && !api_own_url(r, aj->up.url)) {
        req_send_error(r, 400, "invalid_field",
                       "url must be an http or https URL on one of this site's own origins "
                       "(public_url or allowed_origins).",
                       "url", NULL);
        return;
    }
    if (status != NULL) {
        aj->up.has_status = true;
        if (strcmp(status, "open") == 0)
            aj->up.status = ARTICLE_OPEN;
        else if (strcmp(status, "premoderated") == 0)
            aj->up.status = ARTICLE_PREMODERATED;
        else if (strcmp(status, "closed") == 0)
            aj->up.status = ARTICLE_CLOSED;
        else {
            req_send_error(r, 400, "invalid_field", "status must be open, premoderated or closed.",
                           "status", NULL);
            return;
        }
    }
    job *j = job_new(r, aj);
    j->write = article_write;
    j->done = article_done;
    j->article = aj->id;
    job_submit(j);
}
