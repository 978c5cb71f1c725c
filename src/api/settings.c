/* api/settings.c: GET and PUT /mod/settings, the site's moderation settings
 * that an admin edits in the desk (app/settings.h lists them).
 *
 * Each save writes a new version of the whole set of overrides (the
 * settings the desk changed from the config file's value) on top of the
 * version the admin read, so two admins saving at once cannot overwrite each
 * other unseen (409 conflict). Every changed setting gets a line in the
 * moderation log with its value before and after (null: the config file's).
 * The writer applies the new version on this node before answering and
 * tells the other nodes (server/notices.c), which apply it at once.
 */
#include "app/settings.h"
#include "api/api_int.h"
#include "moderation/moderation.h"
#include "moderation/policy.h"
#include "render/markdown.h"
#include "util/log.h"
#include "util/text.h"
#include "util/xalloc.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Admins only; false when the error was sent. */
static bool
require_admin(req *r)
{
    if (!api_require_moderator(r))
        return false;
    if (r->user->role != ROLE_ADMIN) {
        req_send_error(r, 403, "forbidden", "Only an admin can see or change the settings.", NULL,
                       NULL);
        return false;
    }
    return true;
}

/* The overrides of a stored version (a new reference; {} when unreadable). */
static json_t *
overrides_of(const char *body)
{
    json_t *o = json_loads(body, 0, NULL);
    if (!json_is_object(o)) {
        json_decref(o);
        o = json_object();
    }
    return o;
}

/* The site of a settings request: 0 for the server's (no `site`, or the
 * default site's slug), else the named site's id; false when the error was
 * sent. */
static bool
settings_site(req *r, int64_t *site)
{
    if (!api_site_filter(r, site))
        return false;
    if (*site == 1)
        *site = 0;
    return true;
}

static int
settings_read(store *st, int64_t site, arena *a, store_settings *out, pl_error *err)
{
    return site > 0 ? store_site_settings_get(st, site, a, out, err)
                    : store_settings_get(st, a, out, err);
}

/* The server's settings (site 0; their defaults the config file's) or a
 * site's (their defaults the server's settings in force). */
static json_t *
settings_json(req *r, int64_t site, int64_t version, int64_t at, int64_t actor_id,
              const json_t *over)
{
    const config *base = site > 0 ? req_config(r) : req_base_config(r);
    size_t n;
    const site_setting *list = site_settings(&n);
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++) {
        const site_setting *s = &list[i];
        json_t *def = site_setting_value(s, base);
        json_t *ov = json_object_get(over, s->name);
        json_t *it = json_pack("{s:s, s:s, s:s, s:s, s:O, s:o, s:b}", "name", s->name, "group",
                               s->group, "type", site_kind_name(s->kind), "help", s->help, "value",
                               ov ? ov : def, "default", def, "overridden", ov != NULL);
        if (s->kind == SITE_ACTION)
            json_object_set_new(it, "choices",
                                s->hold_only
                                    ? json_pack("[s,s]", "publish", "hold")
                                    : json_pack("[s,s,s,s]", "publish", "hold", "reject", "off"));
        if (s->kind == SITE_INT || s->kind == SITE_TEXT || s->kind == SITE_WORDS) {
            json_object_set_new(it, "min", json_integer((json_int_t)s->min));
            json_object_set_new(it, "max", json_integer((json_int_t)s->max));
        }
        if (s->kind == SITE_PROB)
            json_object_set_new(it, "off_allowed", json_boolean(s->off_ok));
        json_array_append_new(items, it);
    }
    json_t *by = json_null();
    if (actor_id > 0) {
        store_user u;
        pl_error err;
        if (store_user_by_id(req_store(r), actor_id, r->a, &u, &err) == 0)
            by = json_pack("{s:o, s:s}", "id", api_id(u.id), "name", u.name);
    }
    json_t *o = json_pack("{s:I, s:o, s:o, s:o}", "version", (json_int_t)version, "updated_at",
                          api_time(at), "updated_by", by, "settings", items);
    if (site > 0)
        json_object_set_new(o, "site", json_integer((json_int_t)site));
    return o;
}

void
api_mod_settings_get(req *r, const route_args *a)
{
    (void)a;
    int64_t site;
    if (!require_admin(r) || !settings_site(r, &site))
        return;
    store_settings cur;
    pl_error err;
    int rc = settings_read(req_store(r), site, r->a, &cur, &err);
    if (rc < 0) {
        api_send_rc(r, rc, &err);
        return;
    }
    json_t *over = overrides_of(cur.body);
    req_send_json(r, 200, settings_json(r, site, cur.version, cur.at, cur.actor_id, over));
    json_decref(over);
}

/* ---- PUT ------------------------------------------------------------------ */

typedef struct change {
    const char *name;
    const char *reason; /* the log's: {"version", "before", "after"} (null: the file's value) */
} change;

typedef struct put_job {
    int64_t site;    /* 0: the server's settings */
    int64_t version; /* the one the admin read */
    const char *body;
    const char *server_body;    /* the server's settings to build (body when site is 0) */
    store_site_settings *sites; /* the sites' to build, this save's included */
    size_t n_sites;
    change *changes;
    size_t n_changes;
    const config *base;
    bool invalid; /* the engine refused the new set (slow step) */
    char field[96];
    char msg[300];
    store_settings result;
} put_job;

/* The log keeps a value whole unless its JSON is longer than this (a page's
 * text): then a note of its length stands for it. */
#define LOG_VALUE_MAX 300

static json_t *
log_value(const json_t *v)
{
    if (v == NULL)
        return json_null();
    char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
    size_t n = s ? strlen(s) : 0;
    free(s);
    if (n <= LOG_VALUE_MAX)
        return json_deep_copy(v);
    char note[64];
    snprintf(note, sizeof note, "(%zu bytes of text)", n);
    return json_string(note);
}

static const char *
change_reason(req *r, int64_t site, int64_t version, const json_t *before, const json_t *after)
{
    json_t *o = json_pack("{s:I, s:o, s:o}", "version", (json_int_t)version, "before",
                          log_value(before), "after", log_value(after));
    if (site > 0)
        json_object_set_new(o, "site", json_integer((json_int_t)site));
    char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    const char *out = arena_strdup(r->a, s ? s : "");
    free(s);
    return out;
}

/* Sets each setting of set on next (the overrides of the version read),
 * checking every value (null gives one back to the config file). With
 * changes, records each that changes something there (its log line says
 * version + 1). The errors, one {"field", "message"} each: an array, empty
 * when every value is good. */
static json_t *
merge_settings(req *r, int64_t site, json_t *next, json_t *set, int64_t version, change *changes,
               size_t *n_changes)
{
    json_t *errors = json_array();
    const char *name;
    json_t *v;
    json_object_foreach(set, name, v)
    {
        const site_setting *s = site_setting_find(name);
        char msg[200], *text = NULL;
        if (s == NULL) {
            snprintf(msg, sizeof msg, "%s is not a setting that can be changed here.", name);
        } else if (json_is_null(v) || site_setting_check(s, v, &text, msg, sizeof msg)) {
            free(text);
            json_t *before = json_object_get(next, name);
            if (json_equal(before, v) || (before == NULL && json_is_null(v)))
                continue;
            if (changes != NULL) {
                change *c = &changes[(*n_changes)++];
                c->name = arena_strdup(r->a, name);
                c->reason = change_reason(r, site, version + 1, before, json_is_null(v) ? NULL : v);
            }
            if (json_is_null(v))
                json_object_del(next, name);
            else
                json_object_set(next, name, v);
            continue;
        }
        json_array_append_new(errors,
                              json_pack("{s:s, s:s}", "field",
                                        arena_printf(r->a, "settings.%s", name), "message", msg));
    }
    return errors;
}

/* 400 naming the first setting at fault, with every one in "errors" (taken). */
static void
send_setting_errors(req *r, json_t *errors)
{
    json_t *first = json_array_get(errors, 0);
    const char *field = arena_strdup(r->a, json_string_value(json_object_get(first, "field")));
    const char *msg = arena_strdup(r->a, json_string_value(json_object_get(first, "message")));
    req_send_error(r, 400, "invalid_field", msg, field, json_pack("{s:o}", "errors", errors));
}

/* Hashing thread: builds the config, engine and pages of the new set, so
 * that a set the engine refuses is never stored and the writer, after the
 * commit, only swaps in what was built here (job_change(j)->built). */
static void
put_check(job *j)
{
    put_job *pj = j->data;
    pl_error err;
    int rc = site_settings_build_new(req_product(j->r), pj->base, pj->server_body, pj->sites,
                                     pj->n_sites, pj->site, &job_change(j)->built, &err);
    if (rc < 0) {
        pj->invalid = true;
        const char *colon = strchr(err.msg, ':');
        size_t fn = colon ? (size_t)(colon - err.msg) : 0;
        snprintf(pj->field, sizeof pj->field, "settings.%.*s", (int)fn, err.msg);
        snprintf(pj->msg, sizeof pj->msg, "%s", err.msg);
        j->write = NULL; /* nothing to store: straight back to the loop */
    }
}

static int
put_write(job *j, store *s, pl_error *err)
{
    put_job *pj = j->data;
    int rc = pj->site > 0
                 ? store_site_settings_put(s, pj->site, pj->version, pj->body, j->r->user->id,
                                           j->r->now, err)
                 : store_settings_put(s, pj->version, pj->body, j->r->user->id, j->r->now, err);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < pj->n_changes; i++) {
        const change *c = &pj->changes[i];
        store_log_entry e = {0,         j->r->now, j->r->user->id, "setting",
                             "setting", c->name,   c->reason};
        if ((rc = store_log_append(s, &e, err)) < 0)
            return rc;
    }
    return settings_read(s, pj->site, j->r->a, &pj->result, err);
}

static void
put_done(job *j)
{
    put_job *pj = j->data;
    req *r = j->r;
    /* What the writer did not take (the save failed, or a later one won). */
    site_settings_build_free(req_product(r), job_change(j)->built);
    job_change(j)->built = NULL;
    if (pj->invalid) {
        req_send_error(r, 400, "invalid_field", pj->msg, pj->field, NULL);
        return;
    }
    if (j->rc < 0) {
        api_send_rc(r, j->rc, &j->err);
        return;
    }
    log_info("msg=\"settings changed\" version=%lld changes=%zu actor=%lld site=%lld",
             (long long)pj->result.version, pj->n_changes, (long long)r->user->id,
             (long long)(pj->site > 0 ? pj->site : 1));
    json_t *over = overrides_of(pj->result.body);
    req_send_json(
        r, 200,
        settings_json(r, pj->site, pj->result.version, pj->result.at, pj->result.actor_id, over));
    json_decref(over);
}

/* The sites' newest versions as a save of site's (0: the server's) on top
 * of cur leaves them, by site id (from r's arena). */
static store_site_settings *
sites_after(req *r, const store_site_settings *sites, size_t n, int64_t site,
            const store_settings *cur, const char *body, size_t *out_n)
{
    store_site_settings *v = arena_alloc(r->a, (n + 1) * sizeof *v);
    store_site_settings saved = {site, *cur};
    saved.s.version = cur->version + 1;
    saved.s.body = body;
    size_t k = 0;
    bool placed = site == 0;
    for (size_t i = 0; i < n; i++) {
        if (!placed && sites[i].site_id >= site) {
            v[k++] = saved;
            placed = true;
            if (sites[i].site_id == site)
                continue;
        }
        v[k++] = sites[i];
    }
    if (!placed)
        v[k++] = saved;
    *out_n = k;
    return v;
}

void
api_mod_settings_put(req *r, const route_args *a)
{
    (void)a;
    int64_t site;
    if (!require_admin(r) || !settings_site(r, &site))
        return;
    static const char *const allowed[] = {"version", "settings", NULL};
    json_t *o = api_body_object(r, allowed);
    if (o == NULL)
        return;
    json_t *ver = json_object_get(o, "version"), *set = json_object_get(o, "settings");
    if (!json_is_integer(ver) || json_integer_value(ver) < 0) {
        req_send_error(r, 400, "invalid_field",
                       "version must be the version you read (a whole number, 0 for none).",
                       "version", NULL);
        json_decref(o);
        return;
    }
    if (!json_is_object(set)) {
        req_send_error(r, 400, "invalid_field",
                       "settings must be an object of setting names and their new values "
                       "(null: back to the config file's).",
                       "settings", NULL);
        json_decref(o);
        return;
    }
    /* The versions in force: this one's, the server's, the sites'. */
    store_settings cur, server;
    store_site_settings *sites = NULL;
    size_t n_sites = 0;
    pl_error err;
    int rc = settings_read(req_store(r), site, r->a, &cur, &err);
    if (rc == 0)
        rc = store_settings_get(req_store(r), r->a, &server, &err);
    if (rc == 0)
        rc = store_site_settings_list(req_store(r), r->a, &sites, &n_sites, &err);
    if (rc < 0) {
        json_decref(o);
        api_send_rc(r, rc, &err);
        return;
    }
    put_job *pj = arena_zalloc(r->a, sizeof *pj);
    pj->site = site;
    pj->version = (int64_t)json_integer_value(ver);
    if (pj->version != cur.version) {
        json_decref(o);
        req_send_error(r, 409, "conflict",
                       "The settings were changed by someone else since you read them; reload "
                       "them and make your change again.",
                       "version", json_pack("{s:I}", "version", (json_int_t)cur.version));
        return;
    }
    json_t *next = overrides_of(cur.body);
    pj->changes = arena_zalloc(r->a, (json_object_size(set) + 1) * sizeof *pj->changes);
    json_t *errors = merge_settings(r, site, next, set, cur.version, pj->changes, &pj->n_changes);
    json_decref(o);
    if (json_array_size(errors) > 0) {
        json_decref(next);
        send_setting_errors(r, errors);
        return;
    }
    json_decref(errors);
    if (pj->n_changes == 0) { /* nothing changes: no new version */
        req_send_json(r, 200, settings_json(r, site, cur.version, cur.at, cur.actor_id, next));
        json_decref(next);
        return;
    }
    char *body = json_dumps(next, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(next);
    pj->body = arena_strdup(r->a, body ? body : "{}");
    free(body);
    pj->server_body = site > 0 ? server.body : pj->body;
    pj->sites = sites_after(r, sites, n_sites, site, &cur, pj->body, &pj->n_sites);
    pj->base = req_base_config(r);
    job *j = job_new(r, pj);
    j->slow = put_check;
    j->write = put_write;
    j->done = put_done;
    job_change(j)->settings = true;
    job_submit(j);
}

/* ---- preview of a settings change against recent comments --------------------- */

/* How many of the newest comments a preview looks at: by default, at most. */
#define PREVIEW_SAMPLE 1000
#define PREVIEW_MAX 5000
/* The changed comments listed (the count covers them all). */
#define PREVIEW_CHANGED_MAX 50
/* The characters of a comment the list shows. */
#define PREVIEW_EXCERPT 160
/* The engine looks back this far at an author's comments (api/comments.c). */
#define PREVIEW_DAY_MS (24 * 3600 * 1000LL)
#define PREVIEW_RECENT_MAX 50

/* One comment of the sample and what the engine is given about it, as a
 * comment write gives it (api/comments.c, decide). */
typedef struct pv_item {
    const store_comment *c;
    const store_article *art;    /* NULL: unknown (judged without its text) */
    size_t art_group;            /* index of its article in the prepared ones */
    const store_comment *parent; /* NULL: top-level, or gone */
    int64_t author_created_at;
    bool staff;
    int64_t earlier; /* the author's comments before it (-1: unknown) */
    const char **recent_bodies;
    int64_t *recent_times;
    size_t n_recent;
} pv_item;

typedef struct preview_job {
    const char *db; /* the preview reads on a connection of its own, off the loop */
    const config *base;
    int64_t site;                     /* 0: the server's settings; else this site's */
    const char *server_body;          /* with site: the server's overrides in force */
    const char *body_now, *body_then; /* the overrides in force, and with the change */
    int limit;
    bool invalid; /* the engine refused the proposed set */
    char field[96];
    char msg[300];
    int rc; /* reading failed, or the settings in force could not be built */
    pl_error err;
    json_t *answer;
} preview_job;

/* The count of recent comments an entry of list is found in; with
 * refused_only, only those held or refused (which the list may release). */
static int64_t
count_matches(arena *a, const char *list, const store_comment_list *recent, bool refused_only)
{
    site_words w;
    site_words_compile(a, list, &w);
    int64_t n = 0;
    for (size_t i = 0; i < recent->n && w.n > 0; i++) {
        const store_comment *c = &recent->items[i];
        if (refused_only && c->status != COMMENT_PENDING && c->status != COMMENT_REJECTED)
            continue;
        n += site_words_find(&w, site_words_fold(a, c->body ? c->body : "")) != NULL;
    }
    return n;
}

typedef struct pv_key {
    int64_t num;
    const char *str;
    size_t i;
} pv_key;

static int
by_str(const void *x, const void *y)
{
    const pv_key *a = x, *b = y;
    int c = strcmp(a->str, b->str);
    return c != 0 ? c : (a->i > b->i) - (a->i < b->i);
}

static int
by_num(const void *x, const void *y)
{
    const pv_key *a = x, *b = y;
    return a->num != b->num ? (a->num > b->num) - (a->num < b->num) : (a->i > b->i) - (a->i < b->i);
}

/* The comment of the sample with this id (the sample is newest first). */
static const store_comment *
sample_find(const store_comment_list *l, int64_t id)
{
    size_t lo = 0, hi = l->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int64_t m = l->items[mid].id;
        if (m == id)
            return &l->items[mid];
        if (m > id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* Reads what the engine needs about each comment of the sample through st:
 * its article, its parent, its author's account and the author's comments
 * before it (the day before, for the spam rules; how many, for
 * premoderation.first_comments). Each kind is read for the whole sample at
 * once (store_comments_get_many and the like: one statement each on
 * PostgreSQL). Sets *n_arts to the articles' count and items[i].art_group
 * to each one's. */
static int
preview_gather(store *st, arena *a, const store_comment_list *l, pv_item *items,
               const store_article ***arts, size_t *n_arts, int64_t first_max, pl_error *err)
{
    size_t n = l->n;
    pv_key *k = arena_alloc(a, (n + 1) * sizeof *k);
    int64_t *ids = arena_alloc(a, (n + 1) * sizeof *ids);
    size_t *at = arena_alloc(a, (n + 1) * sizeof *at);
    size_t m = 0;
    int rc;
    /* Parents outside the sample. */
    for (size_t i = 0; i < n; i++) {
        items[i].c = &l->items[i];
        items[i].earlier = -1;
        const store_comment *c = &l->items[i];
        if (c->parent_id != 0 && (items[i].parent = sample_find(l, c->parent_id)) == NULL) {
            ids[m] = c->parent_id;
            at[m++] = i;
        }
    }
    if (m > 0) {
        store_comment *parents = arena_alloc(a, m * sizeof *parents);
        if ((rc = store_comments_get_many(st, ids, m, a, parents, err)) < 0)
            return rc;
        for (size_t x = 0; x < m; x++)
            if (parents[x].id != 0)
                items[at[x]].parent = &parents[x];
    }
    /* Articles, each read once. */
    for (size_t i = 0; i < n; i++)
        k[i] = (pv_key){0, l->items[i].article_id ? l->items[i].article_id : "", i};
    qsort(k, n, sizeof *k, by_str);
    const char **keys = arena_alloc(a, (n + 1) * sizeof *keys);
    m = 0;
    for (size_t g = 0; g < n; g++)
        if (g == 0 || strcmp(k[g].str, k[g - 1].str) != 0)
            keys[m++] = k[g].str;
    store_article *found = arena_alloc(a, (m + 1) * sizeof *found);
    if (m > 0 && (rc = store_articles_get_many(st, keys, m, a, found, err)) < 0)
        return rc;
    *arts = arena_alloc(a, (m + 1) * sizeof(const store_article *));
    *n_arts = m;
    for (size_t g = 0, group = 0; g < n; g++) {
        if (g > 0 && strcmp(k[g].str, k[g - 1].str) != 0)
            group++;
        const store_article *art = found[group].id != NULL ? &found[group] : NULL;
        items[k[g].i].art = art;
        items[k[g].i].art_group = group;
        (*arts)[group] = art;
    }
    /* Authors: the account once, and their comments before the oldest of
     * theirs here (newest first, as the live check reads them). */
    for (size_t i = 0; i < n; i++)
        k[i] = (pv_key){l->items[i].author_id, NULL, i};
    qsort(k, n, sizeof *k, by_num);
    int *wants = arena_alloc(a, (n + 1) * sizeof *wants);
    /* The bodies of the comments a day before the oldest here on: the
     * only ones the engine reads (the rest are counted). */
    int64_t oldest = INT64_MAX;
    for (size_t i = 0; i < n; i++)
        if (l->items[i].created_at < oldest)
            oldest = l->items[i].created_at;
    m = 0;
    for (size_t g = 0; g < n;) {
        size_t e = g;
        while (e < n && k[e].num == k[g].num)
            e++;
        ids[m] = k[g].num;
        wants[m++] = (int)(e - g) +
                     (int)(first_max > PREVIEW_RECENT_MAX ? first_max : PREVIEW_RECENT_MAX) + 1;
        g = e;
    }
    store_user *users = arena_alloc(a, (m + 1) * sizeof *users);
    store_comment_list *hist = arena_alloc(a, (m + 1) * sizeof *hist);
    /* Without premoderation.first_comments on either side no count of the
     * author's earlier comments is needed: only the day before each
     * comment is read (on a big site most authors have none there, where
     * their newest 51 would be read otherwise). */
    int64_t since = oldest - PREVIEW_DAY_MS;
    int64_t from = first_max > 0 ? INT64_MIN : since;
    if (m > 0 &&
        ((rc = store_users_get_many(st, ids, m, a, users, err)) < 0 ||
         (rc = store_comments_by_authors(st, ids, wants, m, from, since, NULL, a, hist, err)) < 0))
        return rc;
    /* An author's newest comments may be on other sites than the sample's
     * (a site's preview) and newer than theirs here: then they took the
     * places of the comments before those, which a POST would have read
     * (a repeat, the first comments). Such an author is read again with
     * twice the room until the comments before their oldest here are
     * there, or all of them are. */
    int64_t need = (first_max > PREVIEW_RECENT_MAX ? first_max : PREVIEW_RECENT_MAX) + 1;
    for (size_t g = 0, x = 0; g < n; x++) {
        int64_t oldest_id = l->items[k[g].i].id;
        size_t e = g;
        for (; e < n && k[e].num == k[g].num; e++)
            if (l->items[k[e].i].id < oldest_id)
                oldest_id = l->items[k[e].i].id;
        for (;;) {
            int64_t older = 0;
            for (size_t z = 0; z < hist[x].n; z++)
                older += hist[x].items[z].id < oldest_id;
            if (hist[x].n < (size_t)wants[x] || older >= need || wants[x] > INT_MAX / 2)
                break;
            wants[x] *= 2;
            if ((rc = store_comments_by_authors(st, &ids[x], &wants[x], 1, from, since, NULL, a,
                                                &hist[x], err)) < 0)
                return rc;
        }
        g = e;
    }
    for (size_t g = 0, x = 0; g < n; x++) {
        size_t e = g;
        while (e < n && k[e].num == k[g].num)
            e++;
        const store_user *u = &users[x];
        const store_comment_list *h = &hist[x];
        bool whole = h->n < (size_t)wants[x]; /* the author's every comment */
        for (size_t y = g; y < e; y++) {
            pv_item *it = &items[k[y].i];
            it->author_created_at = u->created_at;
            it->staff = u->id != 0 && u->role != ROLE_READER;
            int64_t before = 0;
            it->recent_bodies = arena_alloc(a, PREVIEW_RECENT_MAX * sizeof *it->recent_bodies);
            it->recent_times = arena_alloc(a, PREVIEW_RECENT_MAX * sizeof *it->recent_times);
            for (size_t z = 0; z < h->n; z++) {
                const store_comment *o = &h->items[z];
                if (o->id >= it->c->id)
                    continue;
                before++;
                if (o->created_at >= it->c->created_at - PREVIEW_DAY_MS &&
                    it->n_recent < PREVIEW_RECENT_MAX) {
                    it->recent_bodies[it->n_recent] = o->body ? o->body : "";
                    it->recent_times[it->n_recent++] = o->created_at;
                }
            }
            it->earlier = whole || before >= first_max ? before : -1;
        }
        g = e;
    }
    return 0;
}

/* The config and engine a preview judges with: the server's of a build,
 * or a site's (site_settings_build_site). */
typedef struct pv_rules {
    const config *cfg;
    const moderation *mod;
} pv_rules;

/* The engine's decision on it (mod: the engine of a pv_rules), before the
 * site's words and pre-moderation (preview_rest). Results from a. */
static void
preview_engine(const moderation *mod, const moderation_article *prepared, const pv_item *it,
               arena *a, moderation_result *out)
{
    const store_comment *c = it->c;
    const char *body = c->body ? c->body : "";
    moderation_input in = {0};
    in.body = body;
    in.body_len = strlen(body);
    in.article_title = it->art && it->art->title ? it->art->title : "";
    in.article_text = it->art && it->art->text ? it->art->text : "";
    in.article = prepared;
    in.article_status = it->art ? (moderation_article_status)it->art->status : MOD_ARTICLE_OPEN;
    in.article_sensitive = it->art && it->art->sensitive;
    in.now = c->created_at;
    if (it->parent != NULL) {
        in.parent_body = it->parent->body ? it->parent->body : "";
        in.parent_author_name = it->parent->author_name ? it->parent->author_name : "";
    }
    in.author_id = c->author_id;
    in.author_created_at = it->author_created_at;
    in.recent_bodies = it->recent_bodies;
    in.recent_times = it->recent_times;
    in.n_recent = it->n_recent;
    moderation_decide(mod, &in, a, out);
}

/* The rest of the decision the settings of b take on it after the engine's
 * (engine, a copy of which is changed into *out): the site's words and
 * pre-moderation, as api/comments.c applies them. */
static void
preview_rest(const pv_rules *b, const pv_item *it, const moderation_result *engine, arena *a,
             moderation_result *out)
{
    *out = *engine;
    if (engine->n_reasons > 0) {
        /* site_words_apply drops reasons in place: a copy of its own. */
        out->reasons = arena_alloc(a, engine->n_reasons * sizeof *out->reasons);
        memcpy(out->reasons, engine->reasons, engine->n_reasons * sizeof *out->reasons);
    }
    site_words_apply(b->cfg, a, it->c->body ? it->c->body : "", out);
    site_premoderate(b->cfg, a, it->staff, it->art && it->art->sensitive, it->earlier, out);
}

/* Whether the engines of x and y decide alike: every setting the engine
 * reads (moderation.*, policy.*; the rest of what it loads is the config
 * file's, the same for both) has the same value in both. A change of the
 * site's words or of pre-moderation then runs the engine once per comment. */
static bool
same_engine_settings(const config *x, const config *y)
{
    size_t n;
    const site_setting *list = site_settings(&n);
    for (size_t i = 0; i < n; i++) {
        const char *name = list[i].name;
        if (strncmp(name, "moderation.", 11) != 0 && strncmp(name, "policy.", 7) != 0)
            continue;
        const char *vx = config_extra(x, name), *vy = config_extra(y, name);
        if ((vx == NULL) != (vy == NULL) || (vx != NULL && strcmp(vx, vy) != 0))
            return false;
    }
    return true;
}

static json_t *
rules_json(const moderation_result *m)
{
    json_t *o = json_array();
    for (size_t i = 0; i < m->n_reasons; i++)
        json_array_append_new(o, json_string(m->reasons[i].rule));
    return o;
}

static json_t *
decisions_json(const int64_t n[3])
{
    return json_pack("{s:I, s:I, s:I}", "publish", (json_int_t)n[MOD_PUBLISH], "hold",
                     (json_int_t)n[MOD_HOLD], "reject", (json_int_t)n[MOD_REJECT]);
}

/* Runs the sample (the newest comments of site, 0: of every site) through
 * the rules of b_now and b_then; the answer. */
static int
preview_compare(store *st, arena *a, const pv_rules *b_now, const pv_rules *b_then, int64_t site,
                int limit, json_t **answer, int64_t *ms, pl_error *err)
{
    store_search q = {NULL, 0, NULL, -1, 0, site};
    store_comment_list l = {0};
    int64_t ts = req_clock_ns();
    int rc = store_comments_search(st, &q, limit, a, &l, err);
    if (rc < 0)
        return rc;
    ms[2] = (req_clock_ns() - ts) / 1000000;
    int64_t first_now = site_first_comments(b_now->cfg);
    int64_t first_then = site_first_comments(b_then->cfg);
    pv_item *items = arena_zalloc(a, (l.n + 1) * sizeof *items);
    const store_article **arts = NULL;
    size_t n_arts = 0;
    int64_t t0 = req_clock_ns();
    if ((rc = preview_gather(st, a, &l, items, &arts, &n_arts,
                             first_now > first_then ? first_now : first_then, err)) < 0)
        return rc;
    int64_t t1 = req_clock_ns();
    bool one_engine = b_then->mod == b_now->mod || same_engine_settings(b_now->cfg, b_then->cfg);
    /* Each article prepared once for each engine. */
    const moderation_article **prep_now =
        arena_zalloc(a, (n_arts + 1) * sizeof(const moderation_article *));
    const moderation_article **prep_then =
        arena_zalloc(a, (n_arts + 1) * sizeof(const moderation_article *));
    for (size_t i = 0; i < n_arts; i++) {
        const store_article *ar = arts[i];
        const char *title = ar && ar->title ? ar->title : "",
                   *text = ar && ar->text ? ar->text : "";
        prep_now[i] = moderation_article_prepare(b_now->mod, title, text, a);
        prep_then[i] =
            one_engine ? prep_now[i] : moderation_article_prepare(b_then->mod, title, text, a);
    }
    int64_t now_n[3] = {0}, then_n[3] = {0}, changed = 0;
    json_t *list = json_array();
    arena *scratch = arena_new();
    for (size_t i = 0; i < l.n; i++) {
        moderation_result engine, before, after;
        preview_engine(b_now->mod, prep_now[items[i].art_group], &items[i], scratch, &engine);
        preview_rest(b_now, &items[i], &engine, scratch, &before);
        if (b_then == b_now) {
            after = before;
        } else {
            if (!one_engine)
                preview_engine(b_then->mod, prep_then[items[i].art_group], &items[i], scratch,
                               &engine);
            preview_rest(b_then, &items[i], &engine, scratch, &after);
        }
        now_n[before.decision]++;
        then_n[after.decision]++;
        if (before.decision != after.decision) {
            if (changed < PREVIEW_CHANGED_MAX) {
                const store_comment *c = items[i].c;
                /* The article as the API names it: its id, and its site
                 * beside it when not the default (docs/SITES.md). */
                const char *key = c->article_id ? c->article_id : "";
                json_t *item =
                    json_pack("{s:o, s:s, s:s, s:s, s:s, s:s, s:o, s:o}", "id", api_id(c->id),
                              "article_id", api_article_public(key), "author",
                              c->author_name ? c->author_name : "", "excerpt",
                              text_excerpt(scratch, c->body ? c->body : "", PREVIEW_EXCERPT,
                                           TEXT_EXCERPT_CHARS | TEXT_EXCERPT_FOLD, "..."),
                              "before", moderation_decision_name(before.decision), "after",
                              moderation_decision_name(after.decision), "rules_before",
                              rules_json(&before), "rules_after", rules_json(&after));
                if (api_article_site(key) != 1)
                    json_object_set_new(item, "site",
                                        json_integer((json_int_t)api_article_site(key)));
                json_array_append_new(list, item);
            }
            changed++;
        }
        arena_reset(scratch);
    }
    const config *cn = b_now->cfg, *ct = b_then->cfg;
    json_t *block = json_pack(
        "{s:I, s:I}", "now",
        (json_int_t)count_matches(scratch, config_extra(cn, "words.block"), &l, false), "then",
        (json_int_t)count_matches(scratch, config_extra(ct, "words.block"), &l, false));
    json_t *allow = json_pack(
        "{s:I, s:I}", "now",
        (json_int_t)count_matches(scratch, config_extra(cn, "words.allow"), &l, true), "then",
        (json_int_t)count_matches(scratch, config_extra(ct, "words.allow"), &l, true));
    arena_free(scratch);
    int64_t t2 = req_clock_ns();
    ms[0] = (t1 - t0) / 1000000;
    ms[1] = (t2 - t1) / 1000000;
    *answer =
        json_pack("{s:I, s:{s:o, s:o}, s:I, s:o, s:o, s:o}", "sample", (json_int_t)l.n, "decisions",
                  "now", decisions_json(now_n), "then", decisions_json(then_n), "changed_total",
                  (json_int_t)changed, "changed", list, "words.block", block, "words.allow", allow);
    return 0;
}

/* Builds the server's settings of body, or with pj->site the server's in
 * force with that site's settings of body on them (its config and, when it
 * changes them, its engine; the other sites are not built). */
static int
preview_build(site_ctx *site, const preview_job *pj, const char *body, site_settings_build **out,
              pl_error *err)
{
    if (pj->site == 0)
        return site_settings_build_new(site, pj->base, body, NULL, 0, 0, out, err);
    store_site_settings own = {pj->site, {0, 0, 0, body}};
    return site_settings_build_new(site, pj->base, pj->server_body, &own, 1, pj->site, out, err);
}

/* The rules of b that judge the preview's comments. */
static pv_rules
preview_rules(const preview_job *pj, const site_settings_build *b)
{
    pv_rules r = {site_settings_build_config(b), site_settings_build_engine(b)};
    if (pj->site > 0)
        site_settings_build_site(b, pj->site, &r.cfg, &r.mod);
    return r;
}

/* Hashing thread: builds the engine of the proposed settings (as a save
 * does, site_settings_build_new) and of those in force, reads the newest
 * comments (of the site, for a site's settings) on a read-only connection
 * of its own, and judges each with both. Nothing here touches the loops or
 * the writer. */
static void
preview_run(job *j)
{
    preview_job *pj = j->data;
    site_ctx *site = req_product(j->r);
    arena *a = j->r->a;
    int64_t t0 = req_clock_ns();
    site_settings_build *b_then = NULL, *b_now = NULL;
    pl_error err;
    if (preview_build(site, pj, pj->body_then, &b_then, &err) < 0) {
        pj->invalid = true;
        const char *colon = strchr(err.msg, ':');
        size_t fn = colon ? (size_t)(colon - err.msg) : 0;
        snprintf(pj->field, sizeof pj->field, "settings.%.*s", (int)fn, err.msg);
        snprintf(pj->msg, sizeof pj->msg, "%s", err.msg);
        return;
    }
    if (strcmp(pj->body_now, pj->body_then) != 0 &&
        (pj->rc = preview_build(site, pj, pj->body_now, &b_now, &pj->err)) < 0) {
        log_error("msg=\"the settings in force cannot be built for a preview\" error=\"%s\"",
                  pj->err.msg);
        site_settings_build_free(site, b_then);
        return;
    }
    int64_t t1 = req_clock_ns();
    store *st = NULL;
    int64_t ms[3] = {0, 0, 0};
    pv_rules then = preview_rules(pj, b_then), now = b_now ? preview_rules(pj, b_now) : then;
    bool kept = false;
    pj->rc = site_slow_reader_take(site, pj->db, &st, &kept, &pj->err);
    int64_t t2 = req_clock_ns();
    if (pj->rc == 0)
        pj->rc = preview_compare(st, a, b_now ? &now : &then, &then, pj->site, pj->limit,
                                 &pj->answer, ms, &pj->err);
    if (pj->rc == 0 && pj->site > 0)
        json_object_set_new(pj->answer, "site", json_integer((json_int_t)pj->site));
    if (st != NULL)
        site_slow_reader_give(site, st, kept, pj->rc < 0);
    site_settings_build_free(site, b_now);
    site_settings_build_free(site, b_then);
    if (pj->rc == 0)
        log_info("msg=\"settings preview\" site=%lld sample=%lld changed=%lld build_ms=%lld "
                 "open_ms=%lld sample_ms=%lld read_ms=%lld judge_ms=%lld",
                 (long long)(pj->site > 0 ? pj->site : 1),
                 (long long)json_integer_value(json_object_get(pj->answer, "sample")),
                 (long long)json_integer_value(json_object_get(pj->answer, "changed_total")),
                 (long long)((t1 - t0) / 1000000), (long long)((t2 - t1) / 1000000),
                 (long long)ms[2], (long long)ms[0], (long long)ms[1]);
}

static void
preview_done(job *j)
{
    preview_job *pj = j->data;
    if (pj->invalid) {
        req_send_error(j->r, 400, "invalid_field", pj->msg, pj->field, NULL);
    } else if (pj->rc < 0) {
        /* A database failure, or settings in force that no longer build:
         * both are the server's to fix, and the log says which. */
        log_warn("msg=\"settings preview failed\" error=\"%s\"", pj->err.msg);
        req_send_error(j->r, 500, "internal", "The preview could not be made; please try again.",
                       NULL, NULL);
    } else {
        req_send_json(j->r, 200, pj->answer);
    }
}

void
api_mod_settings_preview(req *r, const route_args *a)
{
    (void)a;
    int64_t site;
    if (!require_admin(r) || !settings_site(r, &site) || !req_rate_limit(r, LIMIT_PREVIEW))
        return;
    int64_t limit = PREVIEW_SAMPLE;
    const char *ls = req_query(r, "limit", NULL);
    if (ls != NULL && parse_int(ls, 1, PREVIEW_MAX, &limit) < 0) {
        req_send_error(r, 400, "invalid_field", "limit must be a whole number from 1 to 5000.",
                       "limit", NULL);
        return;
    }
    static const char *const allowed[] = {"version", "settings", NULL};
    json_t *o = api_body_object(r, allowed);
    if (o == NULL)
        return;
    json_t *ver = json_object_get(o, "version"), *set = json_object_get(o, "settings");
    if (ver != NULL && (!json_is_integer(ver) || json_integer_value(ver) < 0)) {
        json_decref(o);
        req_send_error(r, 400, "invalid_field",
                       "version must be the version you read (a whole number, 0 for none).",
                       "version", NULL);
        return;
    }
    if (!json_is_object(set)) {
        json_decref(o);
        req_send_error(r, 400, "invalid_field",
                       "settings must be an object of setting names and their proposed values "
                       "(null: back to the config file's).",
                       "settings", NULL);
        return;
    }
    /* The version in force of these settings (the site's, for a site),
     * and the server's, which a site's are built on. */
    store_settings cur, server = {0, 0, 0, "{}"};
    pl_error err;
    int rc = settings_read(req_store(r), site, r->a, &cur, &err);
    if (rc == 0 && site > 0)
        rc = store_settings_get(req_store(r), r->a, &server, &err);
    if (rc < 0) {
        json_decref(o);
        api_send_rc(r, rc, &err);
        return;
    }
    json_t *next = overrides_of(cur.body);
    char *now = json_dumps(next, JSON_COMPACT | JSON_SORT_KEYS);
    json_t *errors = merge_settings(r, site, next, set, cur.version, NULL, NULL);
    json_decref(o);
    if (json_array_size(errors) > 0) {
        free(now);
        json_decref(next);
        send_setting_errors(r, errors);
        return;
    }
    json_decref(errors);
    char *then = json_dumps(next, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(next);
    preview_job *pj = arena_zalloc(r->a, sizeof *pj);
    pj->body_now = arena_strdup(r->a, now ? now : "{}");
    pj->body_then = arena_strdup(r->a, then ? then : "{}");
    free(now);
    free(then);
    pj->db = arena_strdup(r->a, req_config(r)->db);
    pj->base = req_base_config(r);
    pj->site = site;
    pj->server_body = server.body;
    pj->limit = (int)limit;
    job *j = job_new(r, pj);
    j->slow = preview_run;
    j->done = preview_done;
    job_submit(j);
}

/* ---- preview of a page's Markdown --------------------------------------------- */

void
api_mod_pages_preview(req *r, const route_args *a)
{
    (void)a;
    if (!require_admin(r))
        return;
    static const char *const allowed[] = {"markdown", NULL};
    json_t *o = api_body_object(r, allowed);
    if (o == NULL)
        return;
    const char *md = NULL;
    bool ok = api_opt_string(r, o, "markdown", 50000, true, true, &md);
    json_decref(o);
    if (!ok)
        return;
    if (md == NULL)
        md = "";
    req_send_json(r, 200, json_pack("{s:s}", "html", md_render_page_html(r->a, md, strlen(md))));
}

/* ---- the widget's line of guidelines ------------------------------------------ */

/* The rules a reader is told about (the others are about accounts, links
 * or languages, not about what to write). */
static const moderation_rule guide_rules[] = {
    RULE_PROFANITY,       RULE_VULGARITY,  RULE_SLUR,
    RULE_PERSONAL_ATTACK, RULE_HARASSMENT, RULE_IDENTITY_HATE,
    RULE_TRAGEDY_JOKE,    RULE_OFF_TOPIC,  RULE_SPAM,
};

void
api_guide(req *r, const route_args *a)
{
    (void)a;
    const store_site *site = api_site(r);
    if (site == NULL)
        return;
    const config *cfg = api_site_config(r, site->id);
    policy pol;
    pl_error err;
    if (policy_from_config(cfg, &pol, &err) < 0)
        policy_defaults(&pol);
    json_t *rules = json_array();
    for (size_t i = 0; i < sizeof guide_rules / sizeof guide_rules[0]; i++)
        if (pol.action[guide_rules[i]] == POLICY_HOLD ||
            pol.action[guide_rules[i]] == POLICY_REJECT)
            json_array_append_new(rules, json_string(policy_rule_name(guide_rules[i])));
    int64_t first = 0;
    const char *fv = config_extra(cfg, "premoderation.first_comments");
    if (fv == NULL || parse_int(fv, 0, 1000, &first) < 0)
        first = 0;
    json_t *o = json_pack("{s:o, s:{s:b, s:b, s:I}}", "rules", rules, "premoderation", "all",
                          site_setting_on(cfg, "premoderation.all"), "sensitive",
                          site_setting_on(cfg, "premoderation.sensitive"), "first_comments",
                          (json_int_t)first);
    /* The widget links the site's pages with it (docs/SITES.md). */
    if (site->id != 1)
        json_object_set_new(o, "site", json_string(site->slug));
    req_send_json(r, 200, o);
}
