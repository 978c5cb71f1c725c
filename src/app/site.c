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
    return s;
}

void
site_free(site_ctx *s)
{
    if (s == NULL)
        return;
    pages_free(atomic_load(&s->pages));
    free(s->settings_body);
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
site_start(site_ctx *s, app *srv, store *writer)
{
    const config *cfg = server_config(srv);
    pl_error err;
    s->srv = srv;
    page_set *pages = NULL;
    if (pages_load(cfg, &pages, &err) < 0) {
        log_error("msg=\"cannot load the pages\" error=\"%s\"", err.msg);
        return -1;
    }
    atomic_store(&s->pages, pages);
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

int
site_reload_build(site_ctx *s, const config *nc, void **staged, pl_error *err)
{
    (void)s;
    page_set *np = NULL;
    int rc = pages_load(nc, &np, err);
    if (rc < 0)
        return rc;
    *staged = np;
    return 0;
}

void *
site_reload_publish(site_ctx *s, void *staged)
{
    return atomic_exchange(&s->pages, (page_set *)staged);
}

void
site_reload_release(site_ctx *s, void *old)
{
    (void)s;
    pages_free(old);
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
    server_config_set *set;
};

int
site_settings_build_new(site_ctx *s, const config *base, const char *body,
                        site_settings_build **out, pl_error *err)
{
    config *eff;
    server_config_set *set;
    int rc;
    *out = NULL;
    if ((rc = overlay_body(base, body, &eff, err)) < 0 ||
        (rc = server_config_build(s->srv, eff, &set, err)) < 0)
        return rc;
    site_settings_build *b = xcalloc(1, sizeof *b);
    b->base = base;
    b->body = xstrdup(body);
    b->set = set;
    *out = b;
    return 0;
}

void
site_settings_build_free(site_ctx *s, site_settings_build *b)
{
    if (b == NULL)
        return;
    server_config_set_free(s->srv, b->set);
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
    return server_config_set_moderation(b->set);
}

/* The engine is built outside the config lock (it takes a few tenths of a
 * second, and the writer thread also applies versions), then published
 * under it if the version read is still the newest and the base the one in
 * force; otherwise the newer state is read and built again. ready (taken,
 * may be NULL) is what this node's save built ahead: swapped in without
 * building when it is the newest version's body on the base in force. */
static void
settings_apply(site_ctx *s, store *st, site_settings_build *ready)
{
    arena *ar = arena_new();
    for (int tries = 0; tries < 3; tries++) {
        store_settings cur;
        pl_error err;
        server_config_lock(s->srv);
        int rc = store_settings_get(st, ar, &cur, &err);
        bool need = rc == 0 && cur.version != s->settings_version;
        const config *base = server_base_config(s->srv);
        server_config_unlock(s->srv);
        if (rc < 0)
            log_warn("msg=\"cannot read the settings\" error=\"%s\"", err.msg);
        if (!need)
            break;
        site_settings_build *b = NULL;
        if (ready != NULL && ready->base == base && strcmp(ready->body, cur.body) == 0) {
            b = ready; /* built ahead by the save: nothing to build here */
            ready = NULL;
        } else {
            rc = site_settings_build_new(s, base, cur.body, &b, &err);
        }
        server_config_lock(s->srv);
        store_settings now;
        pl_error err2;
        bool stale = store_settings_get(st, ar, &now, &err2) < 0 || now.version != cur.version ||
                     server_base_config(s->srv) != base;
        if (stale) {
            server_config_unlock(s->srv);
            site_settings_build_free(s, b);
            continue; /* changed meanwhile: read and build again */
        }
        if (s->settings_version == cur.version) {
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
            log_info("msg=\"settings applied\" version=%lld", (long long)cur.version);
        }
        s->settings_version = cur.version; /* a bad one is not tried again */
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
