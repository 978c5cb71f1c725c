/* api/articles.c: PUT /api/v1/articles/{id}, moderators setting an article's
 * title, url, text (for the on-topic check), status and sensitive mark; the
 * desk's list of articles with their counts, and closing every article
 * older than some days at once. Reading an article lives in comments.c
 * beside the thread it heads. */
#include "api/api_int.h"
#include "util/log.h"
#include "util/text.h"

#include <string.h>

/* open | premoderated | closed; false when the error was sent. */
static bool
status_parse(req *r, const char *s, store_article_status *out)
{
    if (strcmp(s, "open") == 0)
        *out = ARTICLE_OPEN;
    else if (strcmp(s, "premoderated") == 0)
        *out = ARTICLE_PREMODERATED;
    else if (strcmp(s, "closed") == 0)
        *out = ARTICLE_CLOSED;
    else {
        req_send_error(r, 400, "invalid_field", "status must be open, premoderated or closed.",
                       "status", NULL);
        return false;
    }
    return true;
}

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
    if (!api_article_id(r, a->seg[0]))
        return;
    const store_site *site = api_site(r);
    if (site == NULL || !api_require_moderator(r) || !api_mod_site_allowed(r, site->id))
        return;
    static const char *const allowed[] = {"title", "url", "text", "status", "sensitive", NULL};
    json_t *o = api_body_object(r, allowed);
    if (o == NULL)
        return;
    article_job *aj = arena_zalloc(r->a, sizeof *aj);
    aj->id = api_article_key(r, site, a->seg[0]);
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
    if (aj->up.url && aj->up.url[0] && !api_site_url(r, site, aj->up.url)) {
        req_send_error(r, 400, "invalid_field",
                       "url must be an http or https URL on one of this site's own origins "
                       "(public_url, allowed_origins or the site's origins).",
                       "url", NULL);
        return;
    }
    if (status != NULL) {
        aj->up.has_status = true;
        if (!status_parse(r, status, &aj->up.status))
            return;
    }
    job *j = job_new(r, aj);
    j->write = article_write;
    j->done = article_done;
    job_change(j)->article = aj->id;
    job_submit(j);
}

/* ---- the desk's articles ---------------------------------------------------- */

/* The paging cursor of the article list: "<created_at ms>:<article id>"
 * (the id may hold ':' itself; the time never does). */
static bool
cursor_parse(req *r, const char *s, store_article_filter *f)
{
    const char *colon = strchr(s, ':');
    int64_t at;
    char digits[24];
    size_t len = colon ? (size_t)(colon - s) : 0;
    if (colon != NULL && len > 0 && len < sizeof digits) {
        memcpy(digits, s, len);
        digits[len] = '\0';
        if (parse_int(digits, 0, INT64_MAX, &at) == 0 && article_key_valid(colon + 1)) {
            f->before_at = at;
            f->before_id = colon + 1;
            return true;
        }
    }
    req_send_error(r, 400, "invalid_field", "The paging cursor is not valid.", "before", NULL);
    return false;
}

void
api_mod_articles(req *r, const route_args *a)
{
    (void)a;
    if (!api_require_moderator(r))
        return;
    store_article_filter f = {0};
    f.status = -1;
    if (!api_mod_site(r, &f.site))
        return;
    int64_t limit;
    const char *s;
    if (!api_text_param(r, "q", &f.text) || !api_limit_param(r, 50, 100, &limit))
        return;
    if ((s = req_query(r, "status", NULL)) && s[0] != '\0') {
        store_article_status st;
        if (!status_parse(r, s, &st))
            return;
        f.status = (int)st;
    }
    if ((s = req_query(r, "before", NULL)) && !cursor_parse(r, s, &f))
        return;
    store_article_row *rows;
    size_t n;
    pl_error err;
    int rc = store_articles_list(req_store(r), &f, API_PAGE_ASK(limit), r->a, &rows, &n, &err);
    bool more;
    if (!api_page_rows(r, rc, &err, &n, limit, &more))
        return;
    const config *cfg = req_config(r);
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++) {
        store_article *art = &rows[i].article;
        json_t *o = api_article_json(art);
        /* auto_close_days closes an article when it is read; the list says
         * so too (nothing is stored, as for GET /articles/{id}). */
        if (cfg->auto_close_days > 0 &&
            r->now - art->created_at > (int64_t)cfg->auto_close_days * 86400000)
            json_object_set_new(o, "status", json_string("closed"));
        json_object_set_new(o, "created_at", api_time(art->created_at));
        json_object_set_new(o, "pending_count", json_integer((json_int_t)rows[i].pending));
        json_object_set_new(o, "total_count", json_integer((json_int_t)rows[i].total));
        json_array_append_new(list, o);
    }
    json_t *next = json_null();
    if (more)
        next = json_string(arena_printf(r->a, "%lld:%s", (long long)rows[n - 1].article.created_at,
                                        rows[n - 1].article.id));
    req_send_json(r, 200, json_pack("{s:o, s:o}", "articles", list, "next", next));
}

typedef struct close_job {
    int64_t days;
    int64_t site; /* 0: every site */
    const char **ids;
    size_t n;
} close_job;

static int
close_write(job *j, store *s, pl_error *err)
{
    close_job *cj = j->data;
    req *r = j->r;
    int rc = store_articles_close_before(s, r->now - cj->days * 86400000, cj->site, r->a, &cj->ids,
                                         &cj->n, err);
    if (rc < 0)
        return rc;
    const char *reason = arena_printf(r->a, "status=closed (every article older than %lld days)",
                                      (long long)cj->days);
    for (size_t i = 0; i < cj->n; i++) {
        store_log_entry e = {0,         r->now,     r->user->id, "article_update",
                             "article", cj->ids[i], reason};
        if ((rc = store_log_append(s, &e, err)) < 0 ||
            (rc = view_notify_article(r, s, cj->ids[i], err)) < 0)
            return rc;
    }
    return 0;
}

static void
close_done(job *j)
{
    close_job *cj = j->data;
    if (j->rc < 0) {
        api_send_rc(j->r, j->rc, &j->err);
        return;
    }
    for (size_t i = 0; i < cj->n; i++)
        view_bump(j->r, cj->ids[i]);
    log_info("msg=\"articles closed\" moderator=%lld older_than_days=%lld closed=%zu",
             (long long)j->r->user->id, (long long)cj->days, cj->n);
    req_send_json(j->r, 200, json_pack("{s:I}", "closed", (json_int_t)cj->n));
}

void
api_mod_articles_close(req *r, const route_args *a)
{
    (void)a;
    int64_t site;
    if (!api_require_moderator(r) || !api_mod_site(r, &site))
        return;
    static const char *const allowed[] = {"older_than_days", NULL};
    json_t *o = api_body_object(r, allowed);
    if (o == NULL)
        return;
    json_t *d = json_object_get(o, "older_than_days");
    close_job *cj = arena_zalloc(r->a, sizeof *cj);
    bool ok = json_is_integer(d) && json_integer_value(d) >= 1 && json_integer_value(d) <= 36500;
    if (ok)
        cj->days = (int64_t)json_integer_value(d);
    cj->site = site;
    json_decref(o);
    if (!ok) {
        req_send_error(r, 400, "invalid_field",
                       "older_than_days must be a whole number of days from 1 to 36500.",
                       "older_than_days", NULL);
        return;
    }
    job_run(r, cj, close_write, close_done);
}
