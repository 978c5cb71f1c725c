/* app/site.c: see site.h. */
#include "app/site.h"
#include "app/events_int.h"
#include "app/settings.h"
#include "mail/mail.h"
#include "util/assets.h"
#include "util/log.h"
#include "util/xalloc.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

site_change *
job_change(job *j)
{
    if (j->change == NULL)
        j->change = arena_zalloc(j->r->a, sizeof(site_change));
    return j->change;
}

site_ctx *
site_new(void)
{
    site_ctx *s = xcalloc(1, sizeof *s);
    s->cache = cache_new(4096, 4 << 20);
    pthread_mutex_init(&s->layer_mu, NULL);
    pthread_mutex_init(&s->slow_mu, NULL);
    return s;
}

static void
free_config(const config *c)
{
    config_fini((config *)c);
    free((config *)c);
}

/* Frees the layer's table of sites and their configs. */
static void
layer_shell_free(site_layer *l)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->sites[i].cfg != NULL)
            free_config(l->sites[i].cfg);
    free(l->sites);
    free(l);
}

/* Frees a layer that no loop reads any more (or never published). With s,
 * its configs are freed under s's layer_mu, so a site_limits_of that is
 * reading it from the writer finishes first; a layer replaced is no longer
 * the one in force, so no later reader finds it. */
static void
layer_free(site_ctx *s, site_layer *l)
{
    if (l == NULL)
        return;
    pages_free(l->pages);
    /* The sites' engines first: they share the server's model and data. */
    for (size_t i = 0; i < l->n; i++) {
        moderation_free((moderation *)l->sites[i].mod);
        pages_free(l->sites[i].pages);
    }
    moderation_free(l->mod);
    l->mod = NULL;
    if (s != NULL)
        pthread_mutex_lock(&s->layer_mu);
    layer_shell_free(l);
    if (s != NULL)
        pthread_mutex_unlock(&s->layer_mu);
}

/* Copies of the sites' newest settings versions (malloc). */
static store_site_settings *
bodies_copy(const store_site_settings *v, size_t n)
{
    store_site_settings *out = xcalloc(n > 0 ? n : 1, sizeof *out);
    for (size_t i = 0; i < n; i++) {
        out[i] = v[i];
        out[i].s.body = xstrdup(v[i].s.body);
    }
    return out;
}

static void
bodies_free(store_site_settings *v, size_t n)
{
    for (size_t i = 0; v != NULL && i < n; i++)
        free((char *)v[i].s.body);
    free(v);
}

/* True when both lists name the same versions of the same sites. */
static bool
same_versions(const store_site_settings *a, size_t na, const store_site_settings *b, size_t nb)
{
    if (na != nb)
        return false;
    for (size_t i = 0; i < na; i++)
        if (a[i].site_id != b[i].site_id || a[i].s.version != b[i].s.version)
            return false;
    return true;
}

void
site_free(site_ctx *s)
{
    if (s == NULL)
        return;
    layer_free(NULL, atomic_load(&s->layer));
    free(s->settings_body);
    bodies_free(s->site_bodies, s->n_site_bodies);
    pthread_mutex_destroy(&s->layer_mu);
    pthread_mutex_destroy(&s->slow_mu);
    static_table_free(s->statics);
    cache_free(s->cache);
    free(s);
}

int
site_check_config(const config *cfg, pl_error *err)
{
    page_set *pages = NULL;
    int rc = pages_load(cfg, &pages, err);
    pages_free(pages);
    return rc;
}

int
site_check_engine(const config *cfg, pl_error *err)
{
    moderation *m = NULL;
    int rc = moderation_new(cfg, &m, err);
    moderation_free(m);
    return rc;
}

int
site_start(site_ctx *s, app *srv, store *writer)
{
    const config *cfg = server_config(srv);
    pl_error err;
    s->srv = srv;
    moderation *mod = NULL;
    if (moderation_new(cfg, &mod, &err) < 0) {
        log_error("msg=\"cannot load the moderation engine\" error=\"%s\"", err.msg);
        return -1;
    }
    page_set *pages = NULL;
    if (pages_load(cfg, &pages, &err) < 0) {
        log_error("msg=\"cannot load the pages\" error=\"%s\"", err.msg);
        moderation_free(mod);
        return -1;
    }
    site_layer *l = xcalloc(1, sizeof *l);
    l->mod = mod;
    l->pages = pages;
    atomic_store(&s->layer, l);
    s->statics = static_table_new(assets);
    /* The settings edited in the desk override the file's from the start. */
    site_settings_refresh(s, writer);
    if (store_open(cfg->db, true, &s->poll_store, &err) < 0) {
        log_error("msg=\"cannot open the database\" error=\"%s\"", err.msg);
        return -1;
    }
    if (pages_seed_demo(cfg, writer, &err) < 0)
        log_warn("msg=\"cannot store the demo article's text\" error=\"%s\"", err.msg);
    if (mail_enabled(cfg) && mailer_start(cfg, &s->mailer, &err) < 0) {
        log_error("msg=\"cannot start the mail sender\" error=\"%s\"", err.msg);
        return -1;
    }
    if (notices_start(s) < 0)
        return -1;
    if (webhooks_start(cfg, &s->hooks, &err) < 0) {
        log_error("msg=\"cannot start the webhook sender\" error=\"%s\"", err.msg);
        return -1;
    }
    return 0;
}

void
site_listening(site_ctx *s)
{
    static_table_compress_more(s->statics);
}

/* The settings of the engine (policy, thresholds): a site that changes
 * one of them gets an engine of its own. */
static bool
changes_engine(const json_t *over)
{
    const char *name;
    json_t *v;
    json_object_foreach((json_t *)over, name, v)
    {
        (void)v;
        if (strncmp(name, "policy.", 7) == 0 || strncmp(name, "moderation.", 11) == 0)
            return true;
    }
    return false;
}

/* site's own settings (body) over nc, the server's config in force: its
 * config, its engine when it changes the engine's settings, its own pages. */
static int
own_build(const config *nc, const moderation *engine, const store_site_settings *site,
          site_own *out, pl_error *err)
{
    json_error_t je;
    json_t *o = json_loads(site->s.body, 0, &je);
    config *cfg = NULL;
    moderation *mod = NULL;
    int rc;
    memset(out, 0, sizeof *out);
    out->id = site->site_id;
    if (o == NULL)
        return pl_errorf(err, PL_EINVAL, "the stored settings are not JSON: %s", je.text);
    if ((rc = site_settings_overlay(nc, o, &cfg, err)) < 0 ||
        (changes_engine(o) && engine != NULL &&
         (rc = moderation_derive(engine, cfg, &mod, err)) < 0)) {
        json_decref(o);
        if (cfg != NULL)
            free_config(cfg);
        return rc;
    }
    json_decref(o);
    out->cfg = cfg;
    out->mod = mod;
    out->pages = pages_own(cfg, nc);
    return 0;
}

/* What reload_build's arg names: the sites' settings to build. */
typedef struct site_bodies {
    const store_site_settings *v;
    size_t n;
    int64_t strict; /* the site whose settings must apply; 0: none */
} site_bodies;

int
site_reload_build(site_ctx *s, const config *nc, const void *arg, void **staged, pl_error *err)
{
    /* SIGHUP (no arg) holds the config lock: the sites' settings in force. */
    site_bodies now = {NULL, 0, 0};
    if (arg == NULL) {
        now.v = s->site_bodies;
        now.n = s->n_site_bodies;
    }
    const site_bodies *b = arg != NULL ? arg : &now;
    moderation *engine = NULL;
    page_set *np = NULL;
    int rc = moderation_new(nc, &engine, err);
    if (rc < 0)
        return rc;
    if ((rc = pages_load(nc, &np, err)) < 0) {
        moderation_free(engine);
        return rc;
    }
    site_layer *l = xcalloc(1, sizeof *l);
    l->mod = engine;
    l->pages = np;
    l->sites = xcalloc(b->n > 0 ? b->n : 1, sizeof *l->sites);
    for (size_t i = 0; i < b->n; i++) {
        if (strcmp(b->v[i].s.body, "{}") == 0)
            continue; /* nothing of its own */
        pl_error e;
        site_own own;
        if (own_build(nc, engine, &b->v[i], &own, &e) == 0) {
            l->sites[l->n++] = own;
        } else if (b->v[i].site_id == b->strict) {
            layer_free(NULL, l);
            return pl_errorf(err, PL_EINVAL, "%s", e.msg);
        } else {
            log_error("msg=\"a site's stored settings cannot apply; the server's stay\" site=%lld "
                      "version=%lld error=\"%s\"",
                      (long long)b->v[i].site_id, (long long)b->v[i].s.version, e.msg);
        }
    }
    *staged = l;
    return 0;
}

void *
site_reload_publish(site_ctx *s, void *staged)
{
    return atomic_exchange(&s->layer, (site_layer *)staged);
}

void
site_reload_release(site_ctx *s, void *old)
{
    layer_free(s, old);
}

/* site_id's own settings in l, or NULL. */
static const site_own *
own_in(const site_layer *l, int64_t site_id)
{
    if (l == NULL || site_id <= 1)
        return NULL;
    size_t lo = 0, hi = l->n;
    while (lo < hi) { /* the sites are by id */
        size_t mid = (lo + hi) / 2;
        if (l->sites[mid].id < site_id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < l->n && l->sites[lo].id == site_id ? &l->sites[lo] : NULL;
}

void
site_limits_of(site_ctx *s, int64_t site_id, const config *server, site_limits *out)
{
    pthread_mutex_lock(&s->layer_mu);
    const site_own *own = site_own_of(s, site_id);
    const config *c = own != NULL && own->cfg != NULL ? own->cfg : server;
    out->flag_threshold = c->flag_threshold;
    out->flags_per_hour = c->flags_per_hour;
    out->flag_new_account_days = c->flag_new_account_days;
    out->auto_suspend_after = c->auto_suspend_after;
    out->auto_suspend_hours = c->auto_suspend_hours;
    out->auto_suspend_window_h = c->auto_suspend_window_h;
    pthread_mutex_unlock(&s->layer_mu);
}

const site_own *
site_own_of(site_ctx *s, int64_t site_id)
{
    return own_in(atomic_load_explicit(&s->layer, memory_order_acquire), site_id);
}

const moderation *
site_moderation(site_ctx *s, int64_t site_id)
{
    /* One load: the site's engine and the server's from the same layer. */
    const site_layer *l = atomic_load_explicit(&s->layer, memory_order_acquire);
    const site_own *own = own_in(l, site_id);
    return own != NULL && own->mod != NULL ? own->mod : l->mod;
}

void
site_stop(site_ctx *s)
{
    mailer_stop(s->mailer);
    s->mailer = NULL;
    webhooks_stop(s->hooks);
    s->hooks = NULL;
    notices_stop(s);
    store_close(s->poll_store);
    s->poll_store = NULL;
    pthread_mutex_lock(&s->slow_mu);
    store_close(s->slow_reader);
    s->slow_reader = NULL;
    free(s->slow_db);
    s->slow_db = NULL;
    pthread_mutex_unlock(&s->slow_mu);
}

int
site_slow_reader_take(site_ctx *s, const char *db, store **out, bool *kept, pl_error *err)
{
    *out = NULL;
    *kept = pthread_mutex_trylock(&s->slow_mu) == 0;
    if (!*kept)
        return store_open(db, true, out, err); /* in use: one of its own */
    if (s->slow_reader != NULL && strcmp(s->slow_db, db) != 0) {
        store_close(s->slow_reader); /* the config names another database now */
        s->slow_reader = NULL;
    }
    if (s->slow_reader == NULL) {
        int rc = store_open(db, true, &s->slow_reader, err);
        if (rc < 0) {
            s->slow_reader = NULL;
            pthread_mutex_unlock(&s->slow_mu);
            *kept = false;
            return rc;
        }
        free(s->slow_db);
        s->slow_db = xstrdup(db);
    }
    *out = s->slow_reader;
    return 0;
}

void
site_slow_reader_give(site_ctx *s, store *st, bool kept, bool failed)
{
    if (!kept) {
        store_close(st);
        return;
    }
    if (failed) {
        store_close(s->slow_reader);
        s->slow_reader = NULL;
    }
    pthread_mutex_unlock(&s->slow_mu);
}

int
site_in_commit(site_ctx *s, job *j, store *st, pl_error *err)
{
    const site_change *c = j->change;
    /* A write about no article may be about people (a mute, a logout, a
     * ban, a role): other nodes drop their cached sessions and layers. */
    if (c == NULL || c->article == NULL) {
        if (notices_send_people(s, st, err) < 0)
            return -1;
        if (c == NULL)
            return 0;
    } else if (notices_send(s, st, c, err) < 0) {
        return -1;
    }
    if (c->settings && notices_send_settings(s, st, err) < 0)
        return -1;
    return 0;
}

/* True when a job after j in its group also committed a settings save. */
static bool
later_save(const job *j)
{
    for (const job *k = j->next; k != NULL; k = k->next) {
        const site_change *c = k->change;
        if (k->rc == 0 && c != NULL && c->settings)
            return true;
    }
    return false;
}

static void settings_apply(site_ctx *s, store *st, site_settings_build *ready);

void
site_committed(site_ctx *s, job *j, store *st)
{
    const site_change *c = j->change;
    if (c == NULL)
        return;
    /* Applied on this node before the answer: the admin who saved them sees
     * them in force. The newest save of the group built what is now stored
     * (an earlier one's build is left to its done step to free); it is only
     * swapped in here, so the writer does not hold the other writes to
     * build an engine. */
    if (c->settings && !later_save(j)) {
        settings_apply(s, st, c->built);
        ((site_change *)j->change)->built = NULL; /* taken */
    }
    if (c->mail)
        mailer_wake(s->mailer);
    if (c->webhook)
        webhooks_wake(s->hooks);
    if (c->article == NULL)
        return;
    cache_bump(s->cache, c->article);
    if (c->event != NULL)
        events_publish(s->srv, c->article, c->event, c->event_comment, c->event_author);
}

/* A copy of base with the overrides of body (a settings version's JSON
 * object) set on it. */
static int
overlay_body(const config *base, const char *body, config **eff, pl_error *err)
{
    json_error_t je;
    json_t *o = json_loads(body, 0, &je);
    *eff = NULL;
    if (o == NULL)
        return pl_errorf(err, PL_EINVAL, "the stored settings are not JSON: %s", je.text);
    int rc = site_settings_overlay(base, o, eff, err);
    json_decref(o);
    return rc;
}

int
site_config_overlay(site_ctx *s, const config *base, config **eff, pl_error *err)
{
    return overlay_body(base, s != NULL && s->settings_body != NULL ? s->settings_body : "{}", eff,
                        err);
}

struct site_settings_build {
    const config *base; /* built on; base configs are kept until exit */
    char *body;
    store_site_settings *sites; /* the sites' versions built (malloc copies) */
    size_t n_sites;
    server_config_set *set;
};

int
site_settings_build_new(site_ctx *s, const config *base, const char *body,
                        const store_site_settings *sites, size_t n, int64_t strict,
                        site_settings_build **out, pl_error *err)
{
    config *eff;
    server_config_set *set;
    int rc;
    site_bodies b = {sites, n, strict};
    *out = NULL;
    if ((rc = overlay_body(base, body, &eff, err)) < 0 ||
        (rc = server_config_build(s->srv, eff, &b, &set, err)) < 0)
        return rc;
    site_settings_build *sb = xcalloc(1, sizeof *sb);
    sb->base = base;
    sb->body = xstrdup(body);
    sb->sites = bodies_copy(sites, n);
    sb->n_sites = n;
    sb->set = set;
    *out = sb;
    return 0;
}

void
site_settings_build_free(site_ctx *s, site_settings_build *b)
{
    if (b == NULL)
        return;
    server_config_set_free(s->srv, b->set);
    bodies_free(b->sites, b->n_sites);
    free(b->body);
    free(b);
}

const config *
site_settings_build_config(const site_settings_build *b)
{
    return server_config_set_config(b->set);
}

const moderation *
site_settings_build_engine(const site_settings_build *b)
{
    const site_layer *l = server_config_set_product(b->set);
    return l->mod;
}

void
site_settings_build_site(const site_settings_build *b, int64_t site_id, const config **cfg,
                         const moderation **mod)
{
    const site_own *own = own_in(server_config_set_product(b->set), site_id);
    *cfg = own != NULL && own->cfg != NULL ? own->cfg : site_settings_build_config(b);
    *mod = own != NULL && own->mod != NULL ? own->mod : site_settings_build_engine(b);
}

/* The server's newest settings version and the sites' (from ar). */
static int
read_newest(store *st, arena *ar, store_settings *cur, store_site_settings **sites, size_t *n,
            pl_error *err)
{
    int rc = store_settings_get(st, ar, cur, err);
    if (rc == 0)
        rc = store_site_settings_list(st, ar, sites, n, err);
    return rc;
}

/* The engine is built outside the config lock (it takes a few tenths of a
 * second, and the writer thread also applies versions), then published
 * under it if the versions read are still the newest and the base the one
 * in force; otherwise the newer state is read and built again. ready
 * (taken, may be NULL) is what this node's save built ahead: swapped in
 * without building when it is the newest versions' on the base in force. */
static void
settings_apply(site_ctx *s, store *st, site_settings_build *ready)
{
    arena *ar = arena_new();
    for (int tries = 0; tries < 3; tries++) {
        store_settings cur;
        store_site_settings *sites = NULL;
        size_t n = 0;
        pl_error err;
        server_config_lock(s->srv);
        int rc = read_newest(st, ar, &cur, &sites, &n, &err);
        bool need = rc == 0 && (cur.version != s->settings_version ||
                                !same_versions(sites, n, s->site_bodies, s->n_site_bodies));
        const config *base = server_base_config(s->srv);
        server_config_unlock(s->srv);
        if (rc < 0)
            log_warn("msg=\"cannot read the settings\" error=\"%s\"", err.msg);
        if (!need)
            break;
        site_settings_build *b = NULL;
        if (ready != NULL && ready->base == base && strcmp(ready->body, cur.body) == 0 &&
            same_versions(ready->sites, ready->n_sites, sites, n)) {
            b = ready; /* built ahead by the save: nothing to build here */
            ready = NULL;
        } else {
            rc = site_settings_build_new(s, base, cur.body, sites, n, 0, &b, &err);
        }
        server_config_lock(s->srv);
        store_settings now;
        store_site_settings *now_sites = NULL;
        size_t now_n = 0;
        pl_error err2;
        bool stale = read_newest(st, ar, &now, &now_sites, &now_n, &err2) < 0 ||
                     now.version != cur.version || !same_versions(now_sites, now_n, sites, n) ||
                     server_base_config(s->srv) != base;
        if (stale) {
            server_config_unlock(s->srv);
            site_settings_build_free(s, b);
            continue; /* changed meanwhile: read and build again */
        }
        if (s->settings_version == cur.version &&
            same_versions(sites, n, s->site_bodies, s->n_site_bodies)) {
            site_settings_build_free(s, b); /* another thread applied it meanwhile */
        } else if (rc < 0) {
            log_error("msg=\"the stored settings cannot apply; the running ones stay\" "
                      "version=%lld error=\"%s\"",
                      (long long)cur.version, err.msg);
        } else {
            server_config_publish(s->srv, b->set);
            b->set = NULL; /* published: only the wrapper is freed */
            site_settings_build_free(s, b);
            free(s->settings_body);
            s->settings_body = xstrdup(cur.body);
            /* The sites' own versions as "2:3,5:1" (the first few). */
            char own[160] = "";
            size_t used = 0;
            for (size_t i = 0; i < n && used + 48 < sizeof own; i++)
                used +=
                    (size_t)snprintf(own + used, sizeof own - used, "%s%lld:%lld", i > 0 ? "," : "",
                                     (long long)sites[i].site_id, (long long)sites[i].s.version);
            if (n == 0)
                log_info("msg=\"settings applied\" version=%lld", (long long)cur.version);
            else
                log_info("msg=\"settings applied\" version=%lld sites=\"%s\"",
                         (long long)cur.version, own);
        }
        /* A bad one is not tried again. */
        s->settings_version = cur.version;
        bodies_free(s->site_bodies, s->n_site_bodies);
        s->site_bodies = bodies_copy(sites, n);
        s->n_site_bodies = n;
        server_config_unlock(s->srv);
        break;
    }
    site_settings_build_free(s, ready);
    arena_free(ar);
}

void
site_settings_refresh(site_ctx *s, store *st)
{
    settings_apply(s, st, NULL);
}

void
site_tick(site_ctx *s)
{
    site_settings_refresh(s, s->poll_store);
}

uint64_t
site_article_generation(site_ctx *s, const char *article_id)
{
    return cache_generation(s->cache, article_id);
}
