/* api/people.c: the desk's people pages (moderators and admins only): the
 * list of users with search and filters (site=SLUG: the people who wrote
 * on that site, docs/SITES.md), one user's page (their comments,
 * flags received and given, what the log says about them, notes between
 * moderators), adding a note, and deleting or anonymizing an account.
 * Bans and roles are in mod.c beside the other decisions.
 *
 * Moderators see e-mail addresses here: finding an account by its address
 * is what the people page is for. Like bans, deleting an account is for
 * readers when a moderator does it; an admin may delete anyone but
 * themselves.
 */
#include "api/api_int.h"
#include "util/log.h"
#include "util/text.h"

#include <stdio.h>
#include <string.h>

/* How many of each list the user page carries (the newest). */
#define PAGE_COMMENTS 50
#define PAGE_FLAGS 50
#define PAGE_LOG 50
#define PAGE_NOTES 100

/* An account counts as new on the people page for this long. */
#define NEW_ACCOUNT_MS (7LL * 86400 * 1000)

static bool
bool_param(req *r, const char *name, bool *out)
{
    const char *s = req_query(r, name, NULL);
    *out = false;
    if (s == NULL || s[0] == '\0' || strcmp(s, "false") == 0)
        return true;
    if (strcmp(s, "true") == 0) {
        *out = true;
        return true;
    }
    char msg[80];
    snprintf(msg, sizeof msg, "%s must be true or false.", name);
    req_send_error(r, 400, "invalid_field", msg, name, NULL);
    return false;
}

/* limit=1..max (default def); false when an error was sent. */
bool
api_limit_param(req *r, int64_t def, int64_t max, int64_t *out)
{
    const char *s = req_query(r, "limit", NULL);
    *out = def;
    if (s == NULL || parse_int(s, 1, max, out) == 0)
        return true;
    char msg[80];
    snprintf(msg, sizeof msg, "limit must be a whole number from 1 to %lld.", (long long)max);
    req_send_error(r, 400, "invalid_field", msg, "limit", NULL);
    return false;
}

/* A free-text search parameter: at most 100 characters, no control
 * characters; NULL when absent or empty. False when an error was sent. */
bool
api_text_param(req *r, const char *name, const char **out)
{
    const char *s = req_query(r, name, NULL);
    *out = NULL;
    if (s == NULL || s[0] == '\0')
        return true;
    size_t chars = 0;
    bool ok = utf8_valid(s, strlen(s));
    for (const unsigned char *p = (const unsigned char *)s; ok && *p; p++) {
        if (*p < 0x20 || *p == 0x7f)
            ok = false;
        if ((*p & 0xc0) != 0x80)
            chars++;
    }
    if (!ok || chars > 100) {
        char msg[120];
        snprintf(msg, sizeof msg, "%s must be at most 100 characters of text.", name);
        req_send_error(r, 400, "invalid_field", msg, name, NULL);
        return false;
    }
    *out = s;
    return true;
}

/* USER plus what the list shows: created_at, email, comments. */
static json_t *
user_row_json(req *r, const store_user_row *row)
{
    json_t *o = api_user_json(&row->user, r->now);
    json_object_set_new(o, "email", json_string(row->user.email));
    json_object_set_new(o, "created_at", api_time(row->user.created_at));
    json_object_set_new(o, "comments", json_integer((json_int_t)row->comments));
    return o;
}

void
api_mod_users(req *r, const route_args *a)
{
    (void)a;
    if (!api_require_moderator(r))
        return;
    store_user_filter f = {0};
    f.role = -1;
    f.now = r->now;
    int64_t limit;
    bool is_new;
    const char *s;
    if (!api_text_param(r, "q", &f.text) || !api_limit_param(r, 50, 100, &limit) ||
        !bool_param(r, "banned", &f.banned) || !bool_param(r, "new", &is_new) ||
        !api_mod_site(r, &f.site))
        return;
    if (is_new)
        f.since = r->now - NEW_ACCOUNT_MS;
    if ((s = req_query(r, "role", NULL)) && s[0] != '\0') {
        store_role role;
        if (store_role_parse(s, &role) < 0) {
            req_send_error(r, 400, "invalid_field", "role must be reader, moderator or admin.",
                           "role", NULL);
            return;
        }
        f.role = (int)role;
    }
    if ((s = req_query(r, "before", NULL)) && parse_int(s, 1, INT64_MAX, &f.before_id) < 0) {
        req_send_error(r, 400, "invalid_field", "The paging cursor is not valid.", "before", NULL);
        return;
    }
    store_user_row *rows;
    size_t n;
    pl_error err;
    int rc = store_users_search(req_store(r), &f, API_PAGE_ASK(limit), r->a, &rows, &n, &err);
    bool more;
    if (!api_page_rows(r, rc, &err, &n, limit, &more))
        return;
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, user_row_json(r, &rows[i]));
    json_t *next = more ? api_id(rows[n - 1].user.id) : json_null();
    req_send_json(r, 200, json_pack("{s:o, s:o}", "users", list, "next", next));
}

static const char *
outcome_name(store_flag_outcome o)
{
    return o == FLAG_UPHELD ? "upheld" : o == FLAG_DISMISSED ? "dismissed" : "open";
}

static json_t *
flags_json(req *r, store *st, int64_t user_id, bool given, int64_t site)
{
    store_flag_detail *v;
    size_t n;
    pl_error err;
    json_t *list = json_array();
    /* The site's flags are chosen before the page's limit (a site's few
     * flags behind PAGE_FLAGS of another site's are still listed). */
    if (store_flags_about_user(st, user_id, given, site, PAGE_FLAGS, r->a, &v, &n, &err) < 0)
        return list;
    for (size_t i = 0; i < n; i++)
        json_array_append_new(
            list, json_pack("{s:o, s:o, s:{s:o, s:s}, s:{s:o, s:s}, s:s, s:s, s:o, s:s}", "id",
                            api_id(v[i].id), "comment_id", api_id(v[i].comment_id), "flagger", "id",
                            api_id(v[i].flagger_id), "name", v[i].flagger_name, "author", "id",
                            api_id(v[i].author_id), "name", v[i].author_name, "reason", v[i].reason,
                            "note", v[i].note, "created_at", api_time(v[i].created_at), "outcome",
                            outcome_name(v[i].outcome)));
    return list;
}

static json_t *
note_json(const store_note *n)
{
    return json_pack("{s:o, s:{s:o, s:s}, s:s, s:o}", "id", api_id(n->id), "author", "id",
                     api_id(n->author_id), "name", n->author_name ? n->author_name : "", "body",
                     n->body, "created_at", api_time(n->created_at));
}

/* GET /mod/users/{id}: the author shape of the queue with the e-mail
 * address, and beside it the newest comments, flags, log entries and notes.
 * With site= (a limited moderator: always one of theirs), the comments and
 * flags are that site's. A moderator's user carries the sites they are
 * limited to (moderator_sites; [] for every site). */
void
api_mod_user(req *r, const route_args *a)
{
    int64_t site;
    if (!api_require_moderator(r) || !api_mod_site(r, &site))
        return;
    store_user target;
    if (!api_desk_user(r, a->seg[0], &target) || !api_mod_user_allowed(r, target.id))
        return;
    store *st = req_store(r);
    pl_error err;
    json_t *user = api_desk_author_json(r, st, target.id);
    if (json_is_object(user))
        json_object_set_new(user, "email", json_string(target.email));
    int64_t *sites;
    size_t n_sites;
    if (json_is_object(user) && target.role == ROLE_MODERATOR &&
        store_moderator_sites(st, target.id, r->a, &sites, &n_sites, &err) == 0)
        json_object_set_new(user, "moderator_sites", api_sites_json(sites, n_sites));

    json_t *comments = json_array();
    store_comment_list cl = {0};
    store_search q = {.author_id = target.id, .status = -1, .site = site};
    if ((site != 0
             ? store_comments_search(st, &q, PAGE_COMMENTS, r->a, &cl, &err)
             : store_comments_by_author(st, target.id, 0, PAGE_COMMENTS, r->a, &cl, &err)) == 0)
        for (size_t i = 0; i < cl.n; i++)
            json_array_append_new(comments, api_desk_comment_json(&cl.items[i]));

    json_t *log = json_array();
    store_log_entry *e;
    size_t n;
    api_name_cache *nc = api_name_cache_new(r);
    const char *id_text = arena_printf(r->a, "%lld", (long long)target.id);
    if (store_log_about(st, "user", id_text, PAGE_LOG, r->a, &e, &n, &err) == 0)
        for (size_t i = 0; i < n; i++)
            json_array_append_new(log, api_log_entry_json(r, st, nc, &e[i]));

    json_t *notes = json_array();
    store_note *nv;
    if (store_notes_list(st, target.id, PAGE_NOTES, r->a, &nv, &n, &err) == 0)
        for (size_t i = 0; i < n; i++)
            json_array_append_new(notes, note_json(&nv[i]));

    req_send_json(r, 200,
                  json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}", "user", user, "comments", comments,
                            "flags_received", flags_json(r, st, target.id, false, site),
                            "flags_given", flags_json(r, st, target.id, true, site), "log", log,
                            "notes", notes));
}

/* ---- notes ------------------------------------------------------------------ */

typedef struct note_job {
    store_note note;
} note_job;

static int
note_write(job *j, store *s, pl_error *err)
{
    note_job *nj = j->data;
    int rc = store_note_add(s, &nj->note, err);
    if (rc < 0)
        return rc;
    nj->note.author_name = j->r->user->name;
    return 0;
}

static void
note_done(job *j)
{
    note_job *nj = j->data;
    if (j->rc < 0) {
        api_send_rc(j->r, j->rc, &j->err);
        return;
    }
    log_info("msg=\"note added\" moderator=%lld user=%lld", (long long)j->r->user->id,
             (long long)nj->note.user_id);
    req_send_json(j->r, 201, json_pack("{s:o}", "note", note_json(&nj->note)));
}

void
api_mod_user_note(req *r, const route_args *a)
{
    if (!api_require_moderator(r))
        return;
    static const char *const allowed[] = {"body", NULL};
    json_t *o = api_body_object(r, allowed);
    if (o == NULL)
        return;
    note_job *nj = arena_zalloc(r->a, sizeof *nj);
    bool ok = api_req_string(r, o, "body", 2000, true, false, &nj->note.body);
    json_decref(o);
    if (!ok)
        return;
    store_user target;
    if (!api_desk_user(r, a->seg[0], &target) || !api_mod_user_allowed(r, target.id))
        return;
    nj->note.user_id = target.id;
    nj->note.author_id = r->user->id;
    nj->note.created_at = r->now;
    job_run(r, nj, note_write, note_done);
}

/* ---- deleting an account -------------------------------------------------------- */

typedef struct user_delete_job {
    int64_t user_id;
    bool remove;
    const char **articles;
    size_t n_articles;
} user_delete_job;

static int
user_delete_write(job *j, store *s, pl_error *err)
{
    user_delete_job *dj = j->data;
    return api_account_delete(j, s, dj->user_id, dj->remove, &dj->articles, &dj->n_articles, err);
}

static void
user_delete_done(job *j)
{
    user_delete_job *dj = j->data;
    if (j->rc < 0) {
        api_send_rc(j->r, j->rc, &j->err);
        return;
    }
    api_account_deleted(j->r, dj->articles, dj->n_articles);
    log_info("msg=\"account deleted by moderator\" moderator=%lld user=%lld comments=%s",
             (long long)j->r->user->id, (long long)dj->user_id,
             dj->remove ? "removed" : "anonymized");
    req_send_empty(j->r, 204);
}

void
api_mod_user_delete(req *r, const route_args *a)
{
    if (!api_require_moderator(r) || !api_mod_unlimited(r, "An account is"))
        return;
    user_delete_job *dj = arena_zalloc(r->a, sizeof *dj);
    const char *mode = req_query(r, "comments", NULL);
    if (mode == NULL || mode[0] == '\0')
        dj->remove = strcmp(req_config(r)->delete_account_comments, "remove") == 0;
    else if (strcmp(mode, "remove") == 0 || strcmp(mode, "anonymize") == 0)
        dj->remove = mode[0] == 'r';
    else {
        req_send_error(r, 400, "invalid_field", "comments must be anonymize or remove.", "comments",
                       NULL);
        return;
    }
    store_user target;
    if (!api_desk_user(r, a->seg[0], &target) ||
        !api_desk_not_self(
            r, &target,
            "You cannot delete your own account from the desk; use your account page.") ||
        !api_desk_staff_ok(r, &target, "Only an admin can delete a moderator or an admin."))
        return;
    dj->user_id = target.id;
    job_run(r, dj, user_delete_write, user_delete_done);
}
