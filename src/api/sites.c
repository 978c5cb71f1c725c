/* api/sites.c: several sites in one server (docs/SITES.md). Which site a
 * request acts for (its `site` parameter, else the page's Origin, else the
 * default site), whether an Origin may call the API at all (the hook the
 * server's Origin check asks), the article namespace of each site, the
 * admins' GET/POST /mod/sites and PATCH /mod/sites/{id}, and moderators
 * limited to some sites (the checks every /mod endpoint makes, and the
 * admins' PUT /mod/users/{id}/sites).
 *
 * The sites are read from the store into an immutable table that every
 * loop shares: at the first request, again when this node changes a site,
 * and otherwise at most every SITES_RECHECK_MS (another node's change). A
 * table that differs from the current one replaces it; the old one stays
 * allocated (a loop may still read it), so memory grows a little with each
 * change of a site, never with time.
 */
#include "api/api_int.h"
#include "util/log.h"
#include "util/text.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SITES_RECHECK_MS 2000
#define SITE_MAX_ORIGINS 20
#define SITE_ORIGIN_MAX 200

typedef struct site_table {
    arena *a;
    store_site *v;
    size_t n;
    struct site_table *older; /* kept: a loop may still read it */
} site_table;

static _Atomic(site_table *) current;
static _Atomic int64_t checked_at;
static pthread_mutex_t reload_mu = PTHREAD_MUTEX_INITIALIZER;

/* The table before any could be read: the default site alone. */
static const store_site fallback_site = {1, "default", "Default site", "", 0};
static site_table fallback = {NULL, (store_site *)&fallback_site, 1, NULL};

static bool
same_table(const site_table *t, const store_site *v, size_t n)
{
    if (t == NULL || t->n != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (t->v[i].id != v[i].id || strcmp(t->v[i].slug, v[i].slug) != 0 ||
            strcmp(t->v[i].name, v[i].name) != 0 || strcmp(t->v[i].origins, v[i].origins) != 0)
            return false;
    return true;
}

/* Reads the sites from this loop's store; under reload_mu. */
static void
reload(req *r)
{
    arena *a = arena_new();
    store_site *v = NULL;
    size_t n = 0;
    pl_error err;
    int rc = store_sites_list(req_store(r), a, &v, &n, &err);
    atomic_store(&checked_at, r->now);
    site_table *old = atomic_load(&current);
    if (rc < 0 || n == 0 || same_table(old, v, n)) {
        if (rc < 0)
            log_warn("msg=\"cannot read the sites\" error=\"%s\"", err.msg);
        arena_free(a);
        return;
    }
    site_table *t = arena_zalloc(a, sizeof *t);
    t->a = a;
    t->v = v;
    t->n = n;
    t->older = old;
    atomic_store(&current, t);
    log_info("msg=\"sites read\" sites=%zu", n);
}

static const site_table *
sites_now(req *r)
{
    site_table *t = atomic_load(&current);
    if (t == NULL) {
        pthread_mutex_lock(&reload_mu);
        if (atomic_load(&current) == NULL)
            reload(r);
        pthread_mutex_unlock(&reload_mu);
    } else if (r->now - atomic_load(&checked_at) >= SITES_RECHECK_MS &&
               pthread_mutex_trylock(&reload_mu) == 0) {
        reload(r);
        pthread_mutex_unlock(&reload_mu);
    }
    t = atomic_load(&current);
    return t != NULL ? t : &fallback;
}

/* True when the space- or comma-separated list holds origin (any case). */
static bool
list_has(const char *list, const char *origin)
{
    size_t len = strlen(origin);
    for (const char *p = list; *p != '\0';) {
        p += strspn(p, " ,");
        size_t w = strcspn(p, " ,");
        if (w == len && w > 0 && strncasecmp(p, origin, len) == 0)
            return true;
        p += w;
    }
    return false;
}

/* The server's own origin: public_url's, or without it the Host the
 * request was sent to (the desk and the server's own pages). */
static bool
own_origin(req *r, const char *origin)
{
    const char *pub = req_config(r)->public_url;
    if (pub[0] != '\0') {
        const char *p = strstr(pub, "://");
        size_t len = p ? strcspn(p + 3, "/") + (size_t)(p + 3 - pub) : strlen(pub);
        return strlen(origin) == len && strncasecmp(origin, pub, len) == 0;
    }
    const char *host = req_header(r, "Host");
    const char *rest = strncasecmp(origin, "http://", 7) == 0    ? origin + 7
                       : strncasecmp(origin, "https://", 8) == 0 ? origin + 8
                                                                 : NULL;
    return host != NULL && rest != NULL && strcasecmp(rest, host) == 0;
}

/* The site whose origins hold origin, or NULL. The default site's are the
 * config file's allowed_origins and its own. */
static const store_site *
origin_site(req *r, const site_table *t, const char *origin)
{
    for (size_t i = 0; i < t->n; i++)
        if (list_has(t->v[i].origins, origin))
            return &t->v[i];
    if (list_has(req_config(r)->allowed_origins, origin))
        return &t->v[0];
    return NULL;
}

bool
api_site_origin_known(req *r, const char *origin)
{
    return origin_site(r, sites_now(r), origin) != NULL;
}

/* Why resolve found no site. */
enum { SITE_OK, SITE_UNKNOWN, SITE_CROSS };

/* The site the request acts for (api_site), or NULL with *why. */
static const store_site *
resolve(req *r, const site_table *t, int *why)
{
    const char *slug = req_query(r, "site", NULL);
    const char *origin = req_header(r, "Origin");
    const store_site *by_origin = NULL;
    *why = SITE_OK;
    if (origin != NULL && !own_origin(r, origin))
        by_origin = origin_site(r, t, origin);
    if (slug == NULL || slug[0] == '\0')
        return by_origin != NULL ? by_origin : &t->v[0];
    const store_site *named = NULL;
    for (size_t i = 0; i < t->n && named == NULL; i++)
        if (strcmp(t->v[i].slug, slug) == 0)
            named = &t->v[i];
    if (named == NULL) {
        *why = SITE_UNKNOWN;
        return NULL;
    }
    /* A page of one site may not act for another (CSRF between sites). */
    if (by_origin != NULL && by_origin != named) {
        *why = SITE_CROSS;
        return NULL;
    }
    return named;
}

const store_site *
api_site(req *r)
{
    int why;
    const store_site *s = resolve(r, sites_now(r), &why);
    if (why == SITE_UNKNOWN)
        req_send_error(r, 404, "site_not_found", "There is no site of that name.", "site", NULL);
    else if (why == SITE_CROSS)
        req_send_error(r, 403, "cross_origin",
                       "This page's site is not the one the request names; it was refused.", "site",
                       NULL);
    return s;
}

int64_t
api_page_site(req *r)
{
    int why;
    const site_table *t = sites_now(r);
    const store_site *s = resolve(r, t, &why);
    /* The page's text follows the Origin once the server has a second
     * site: caches keep one per Origin. Said on every server, since sites
     * are added at run time and a page is cached for 5 minutes
     * (docs/API.md, "Vary: Origin"). */
    req_add_header(r, "Vary", "Origin");
    return s != NULL ? s->id : 0;
}

const config *
api_site_config(req *r, int64_t site_id)
{
    const site_own *own = site_own_of(req_product(r), site_id);
    return own != NULL && own->cfg != NULL ? own->cfg : req_config(r);
}

const moderation *
api_site_moderation(req *r, int64_t site_id)
{
    return site_moderation(req_product(r), site_id);
}

const char *
api_article_key(req *r, const store_site *site, const char *id)
{
    if (site->id == 1)
        return id;
    return arena_printf(r->a, "%lld/%s", (long long)site->id, id);
}

const char *
api_article_public(const char *key)
{
    const char *slash = key != NULL ? strchr(key, '/') : NULL;
    return slash != NULL ? slash + 1 : key;
}

bool
api_site_filter(req *r, int64_t *site)
{
    const char *slug = req_query(r, "site", NULL);
    *site = 0;
    if (slug == NULL || slug[0] == '\0')
        return true;
    const store_site *s = api_site(r);
    if (s == NULL)
        return false;
    *site = s->id;
    return true;
}

int64_t
api_article_site(const char *key)
{
    int64_t id = 1;
    const char *slash = key != NULL ? strchr(key, '/') : NULL;
    if (slash != NULL) {
        char digits[24];
        size_t len = (size_t)(slash - key);
        if (len == 0 || len >= sizeof digits)
            return 1;
        memcpy(digits, key, len);
        digits[len] = '\0';
        if (parse_int(digits, 1, INT64_MAX, &id) < 0)
            return 1;
    }
    return id;
}

void
api_site_field(json_t *o, const char *key)
{
    int64_t site = api_article_site(key);
    if (site != 1)
        json_object_set_new(o, "site", json_integer((json_int_t)site));
}

bool
api_article_ref(req *r, const char *id, const char **key)
{
    if (!api_article_id(r, id))
        return false;
    const store_site *site = api_site(r);
    if (site == NULL)
        return false;
    *key = api_article_key(r, site, id);
    return true;
}

bool
api_article_query(req *r, const char **key)
{
    const char *s = req_query(r, "article", NULL);
    if (s == NULL || s[0] == '\0')
        return true;
    if (!article_id_valid(s)) {
        req_send_error(r, 400, "invalid_field",
                       "An article id is 1 to 128 characters of letters, digits and . _ : -",
                       "article", NULL);
        return false;
    }
    return api_article_ref(r, s, key);
}

bool
api_site_url(req *r, const store_site *site, const char *url)
{
    const char *origin = api_url_origin(r, url);
    if (origin == NULL)
        return false;
    if (own_origin(r, origin))
        return true;
    return origin_site(r, sites_now(r), origin) == site;
}

/* ---- moderators limited to some sites -------------------------------------- */

bool
api_mod_scope(req *r, const int64_t **sites, size_t *n)
{
    *sites = NULL;
    *n = 0;
    if (r->user == NULL || r->user->role != ROLE_MODERATOR)
        return true;
    int64_t *v = NULL;
    pl_error err;
    int rc = store_moderator_sites(req_store(r), r->user->id, r->a, &v, n, &err);
    if (rc < 0) {
        api_send_rc(r, rc, &err);
        return false;
    }
    *sites = v;
    return true;
}

static bool
scope_has(const int64_t *sites, size_t n, int64_t site)
{
    for (size_t i = 0; i < n; i++)
        if (sites[i] == site)
            return true;
    return false;
}

static void
not_yours(req *r, const char *msg)
{
    req_send_error(r, 403, "not_your_site", msg, "site", NULL);
}

bool
api_mod_site(req *r, int64_t *site)
{
    const int64_t *v;
    size_t n;
    if (!api_site_filter(r, site) || !api_mod_scope(r, &v, &n))
        return false;
    if (n == 0 || scope_has(v, n, *site))
        return true;
    if (*site == 0 && n == 1) {
        *site = v[0];
        return true;
    }
    not_yours(r, *site == 0 ? "You moderate only some sites: name one of them (site=)."
                            : "You do not moderate that site.");
    return false;
}

bool
api_mod_site_allowed(req *r, int64_t site)
{
    const int64_t *v;
    size_t n;
    if (!api_mod_scope(r, &v, &n))
        return false;
    if (n == 0 || scope_has(v, n, site))
        return true;
    not_yours(r, "That belongs to a site you do not moderate.");
    return false;
}

bool
api_mod_user_allowed(req *r, int64_t user_id)
{
    const int64_t *v;
    size_t n;
    if (!api_mod_scope(r, &v, &n))
        return false;
    for (size_t i = 0; i < n; i++) {
        store_search q = {.author_id = user_id, .status = -1, .site = v[i]};
        store_comment_list l = {0};
        pl_error err;
        int rc = store_comments_search(req_store(r), &q, 1, r->a, &l, &err);
        if (rc < 0) {
            api_send_rc(r, rc, &err);
            return false;
        }
        if (l.n > 0)
            return true;
    }
    if (n == 0)
        return true;
    not_yours(r, "That person has not written on a site you moderate.");
    return false;
}

bool
api_mod_unlimited(req *r, const char *what)
{
    const int64_t *v;
    size_t n;
    if (!api_mod_scope(r, &v, &n))
        return false;
    if (n == 0)
        return true;
    not_yours(r, arena_printf(r->a, "%s every site's; you moderate only some sites.", what));
    return false;
}

/* ---- the admins' API ------------------------------------------------------ */

static json_t *
site_json(const store_site *s)
{
    json_t *origins = json_array();
    for (const char *p = s->origins; *p != '\0';) {
        p += strspn(p, " ,");
        size_t w = strcspn(p, " ,");
        if (w > 0)
            json_array_append_new(origins, json_stringn(p, w));
        p += w;
    }
    return json_pack("{s:I, s:s, s:s, s:o, s:o}", "id", (json_int_t)s->id, "slug", s->slug, "name",
                     s->name, "origins", origins, "created_at", api_time(s->created_at));
}

/* Admins only; false when the error was sent. */
static bool
require_admin(req *r)
{
    if (!api_require_moderator(r))
        return false;
    if (r->user->role != ROLE_ADMIN) {
        req_send_error(r, 403, "forbidden", "Only an admin can see or change the sites.", NULL,
                       NULL);
        return false;
    }
    return true;
}

void
api_mod_sites_get(req *r, const route_args *a)
{
    (void)a;
    if (!api_require_moderator(r)) /* moderators: for the desk's site switcher */
        return;
    store_site *v = NULL;
    size_t n = 0;
    const int64_t *mine;
    size_t n_mine;
    pl_error err;
    if (!api_mod_scope(r, &mine, &n_mine))
        return;
    int rc = store_sites_list(req_store(r), r->a, &v, &n, &err);
    if (rc < 0) {
        api_send_rc(r, rc, &err);
        return;
    }
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++) /* a limited moderator: their sites alone */
        if (n_mine == 0 || scope_has(mine, n_mine, v[i].id))
            json_array_append_new(list, site_json(&v[i]));
    req_send_json(r, 200, json_pack("{s:o, s:b}", "sites", list, "limited", n_mine > 0));
}

static bool
slug_valid(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > 32 || s[0] == '-')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
            return false;
    return true;
}

/* "http(s)://host[:port]" with no path, lower case: an Origin header's
 * shape. */
static bool
origin_valid(const char *s)
{
    const char *rest = strncmp(s, "https://", 8) == 0  ? s + 8
                       : strncmp(s, "http://", 7) == 0 ? s + 7
                                                       : NULL;
    if (rest == NULL || rest[0] == '\0' || strlen(s) > SITE_ORIGIN_MAX)
        return false;
    for (const char *p = rest; *p != '\0'; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '.' || *p == '-' ||
              *p == ':' || *p == '[' || *p == ']'))
            return false;
    return true;
}

/* The origins field (an array of origins) as the stored space-separated
 * text; absent leaves *out NULL. An origin of another site, or the server's
 * own, is refused: each origin names one site. */
static bool
origins_field(req *r, json_t *o, int64_t self, const char **out)
{
    json_t *v = json_object_get(o, "origins");
    *out = NULL;
    if (v == NULL || json_is_null(v))
        return true;
    if (!json_is_array(v) || json_array_size(v) > SITE_MAX_ORIGINS) {
        req_send_error(r, 400, "invalid_field",
                       "origins must be a list of at most 20 origins (https://host[:port]).",
                       "origins", NULL);
        return false;
    }
    const site_table *t = sites_now(r);
    char *text = arena_zalloc(r->a, json_array_size(v) * (SITE_ORIGIN_MAX + 1) + 1);
    size_t i, at = 0;
    json_t *e;
    json_array_foreach(v, i, e)
    {
        const char *s = json_is_string(e) ? json_string_value(e) : NULL;
        if (s == NULL || !origin_valid(s)) {
            req_send_error(r, 400, "invalid_field",
                           "Each origin is http:// or https:// and a lower-case host with an "
                           "optional port, with no path (https://news.example).",
                           "origins", NULL);
            return false;
        }
        const store_site *other = origin_site(r, t, s);
        if (own_origin(r, s) || (other != NULL && other->id != self) ||
            (self != 1 && list_has(req_config(r)->allowed_origins, s))) {
            req_send_error(r, 409, "origin_taken",
                           "That origin belongs to another site (or is the server's own); an "
                           "origin names one site.",
                           "origins", json_pack("{s:s}", "origin", s));
            return false;
        }
        size_t len = strlen(s); /* at most SITE_ORIGIN_MAX (origin_valid) */
        if (i > 0)
            text[at++] = ' ';
        memcpy(text + at, s, len);
        at += len;
    }
    text[at] = '\0';
    *out = text;
    return true;
}

typedef struct site_job {
    int64_t id;
    const char *slug, *name, *origins;
    store_site result;
} site_job;

/* Writes the site and logs it; reads it back for the answer. */
static int
site_write(job *j, store *s, pl_error *err)
{
    site_job *sj = j->data;
    int rc = sj->id == 0 ? store_site_create(s, sj->slug, sj->name, sj->origins ? sj->origins : "",
                                             j->r->now, &sj->id, err)
                         : store_site_update(s, sj->id, sj->name, sj->origins, err);
    if (rc < 0)
        return rc;
    const char *target = arena_printf(j->r->a, "%lld", (long long)sj->id);
    const char *reason =
        sj->origins ? arena_printf(j->r->a, "origins=%s", sj->origins) : arena_strdup(j->r->a, "");
    store_log_entry e = {
        0,      j->r->now, j->r->user->id, sj->slug ? "site_create" : "site_update",
        "site", target,    reason};
    if ((rc = store_log_append(s, &e, err)) < 0)
        return rc;
    store_site *v = NULL;
    size_t n = 0;
    if ((rc = store_sites_list(s, j->r->a, &v, &n, err)) < 0)
        return rc;
    for (size_t i = 0; i < n; i++)
        if (v[i].id == sj->id)
            sj->result = v[i];
    return 0;
}

static void
site_done(job *j)
{
    site_job *sj = j->data;
    if (j->rc == PL_ECONFLICT) {
        req_send_error(j->r, 409, "conflict", "A site of that name exists.", "slug", NULL);
        return;
    }
    if (j->rc < 0) {
        api_send_rc(j->r, j->rc, &j->err);
        return;
    }
    /* This node knows of the change at once; others within SITES_RECHECK_MS. */
    pthread_mutex_lock(&reload_mu);
    reload(j->r);
    pthread_mutex_unlock(&reload_mu);
    req_send_json(j->r, sj->slug ? 201 : 200, json_pack("{s:o}", "site", site_json(&sj->result)));
}

void
api_mod_sites_post(req *r, const route_args *a)
{
    (void)a;
    if (!require_admin(r))
        return;
    static const char *const allowed[] = {"slug", "name", "origins", NULL};
    json_t *o = api_body_object(r, allowed);
    if (o == NULL)
        return;
    site_job *sj = arena_zalloc(r->a, sizeof *sj);
    bool ok = api_req_string(r, o, "slug", 32, false, false, &sj->slug);
    if (ok && !slug_valid(sj->slug)) {
        req_send_error(r, 400, "invalid_field",
                       "slug is 1 to 32 characters of a-z, 0-9 and -, not starting with -.", "slug",
                       NULL);
        ok = false;
    }
    ok = ok && api_req_string(r, o, "name", 100, false, false, &sj->name) &&
         origins_field(r, o, -1, &sj->origins);
    json_decref(o);
    if (!ok)
        return;
    job_run(r, sj, site_write, site_done);
}

void
api_mod_site_patch(req *r, const route_args *a)
{
    int64_t id;
    if (!require_admin(r))
        return;
    if (parse_int(a->seg[0], 1, INT64_MAX, &id) < 0) {
        req_send_error(r, 404, "not_found", "There is no such site.", NULL, NULL);
        return;
    }
    static const char *const allowed[] = {"name", "origins", NULL};
    json_t *o = api_body_object(r, allowed);
    if (o == NULL)
        return;
    site_job *sj = arena_zalloc(r->a, sizeof *sj);
    sj->id = id;
    bool ok = api_opt_string(r, o, "name", 100, false, false, &sj->name) &&
              origins_field(r, o, id, &sj->origins);
    json_decref(o);
    if (!ok)
        return;
    job_run(r, sj, site_write, site_done);
}

/* ---- PUT /mod/users/{id}/sites (admins) --------------------------------------- */

typedef struct modsites_job {
    int64_t user_id;
    int64_t *sites;
    size_t n;
} modsites_job;

static int
modsites_write(job *j, store *s, pl_error *err)
{
    modsites_job *mj = j->data;
    int rc = store_moderator_sites_set(s, mj->user_id, mj->sites, mj->n, err);
    if (rc < 0)
        return rc;
    char *reason = arena_strdup(j->r->a, mj->n == 0 ? "every site" : "sites=");
    for (size_t i = 0; i < mj->n; i++)
        reason =
            arena_printf(j->r->a, "%s%s%lld", reason, i > 0 ? "," : "", (long long)mj->sites[i]);
    store_log_entry e = {0,
                         j->r->now,
                         j->r->user->id,
                         "moderator_sites",
                         "user",
                         arena_printf(j->r->a, "%lld", (long long)mj->user_id),
                         reason};
    return store_log_append(s, &e, err);
}

json_t *
api_sites_json(const int64_t *sites, size_t n)
{
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, json_integer((json_int_t)sites[i]));
    return list;
}

static void
modsites_done(job *j)
{
    modsites_job *mj = j->data;
    if (j->rc < 0) {
        api_send_rc(j->r, j->rc, &j->err);
        return;
    }
    log_info("msg=\"moderator sites\" admin=%lld user=%lld sites=%zu", (long long)j->r->user->id,
             (long long)mj->user_id, mj->n);
    req_send_json(j->r, 200,
                  json_pack("{s:o, s:o}", "user_id", api_id(mj->user_id), "sites",
                            api_sites_json(mj->sites, mj->n)));
}

static int
id_cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

void
api_mod_user_sites_put(req *r, const route_args *a)
{
    if (!api_require_moderator(r))
        return;
    if (r->user->role != ROLE_ADMIN) {
        req_send_error(r, 403, "forbidden", "Only an admin can choose a moderator's sites.", NULL,
                       NULL);
        return;
    }
    static const char *const allowed[] = {"sites", NULL};
    json_t *o = api_body_object(r, allowed);
    if (o == NULL)
        return;
    json_t *v = json_object_get(o, "sites");
    const site_table *t = sites_now(r);
    modsites_job *mj = arena_zalloc(r->a, sizeof *mj);
    bool ok = json_is_array(v) && json_array_size(v) <= t->n;
    if (ok)
        mj->sites = arena_alloc(r->a, (json_array_size(v) + 1) * sizeof *mj->sites);
    size_t i;
    json_t *e;
    if (ok)
        json_array_foreach(v, i, e)
        {
            int64_t id = json_is_integer(e) ? (int64_t)json_integer_value(e) : 0;
            bool known = false;
            for (size_t k = 0; k < t->n && !known; k++)
                known = t->v[k].id == id;
            if (!known) {
                ok = false;
                break;
            }
            mj->sites[mj->n++] = id;
        }
    json_decref(o);
    if (!ok) {
        req_send_error(r, 400, "invalid_field",
                       "sites must be a list of the ids of existing sites ([] for every site).",
                       "sites", NULL);
        return;
    }
    qsort(mj->sites, mj->n, sizeof *mj->sites, id_cmp);
    size_t w = 0;
    for (size_t k = 0; k < mj->n; k++)
        if (w == 0 || mj->sites[w - 1] != mj->sites[k])
            mj->sites[w++] = mj->sites[k];
    mj->n = w;
    store_user target;
    if (!api_desk_user(r, a->seg[0], &target))
        return;
    if (target.role != ROLE_MODERATOR) {
        req_send_error(r, 409, "not_a_moderator",
                       "Only a moderator's sites can be chosen: admins moderate every site, and "
                       "readers none.",
                       NULL, NULL);
        return;
    }
    mj->user_id = target.id;
    job_run(r, mj, modsites_write, modsites_done);
}
