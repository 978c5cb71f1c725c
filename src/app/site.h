/* app/site.h: the product's state beside the server, as one context.
 *
 * The server (src/server/) is transport only: it takes the product's routes
 * and hooks (server_product, built in src/main.c) and hands this context
 * back through req_product and the hooks. What it holds: the moderation
 * engines in force, the view cache of thread pages, the publisher's pages
 * and the web files as HTTP representations, the mail and webhook senders,
 * and the change notices between nodes. The writer tells it what each job changed through the
 * job's change record (job_change), after the commit. */
#ifndef PARLEY_APP_SITE_H
#define PARLEY_APP_SITE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "app/cache.h"
#include "app/pages.h"
#include "app/webhooks.h"
#include "moderation/moderation.h"
#include "server/metrics.h"
#include "server/server.h"
#include "server/static.h"

/* The product's route ids for /metrics (server/metrics.h): the API's routes
 * follow ROUTE_API (api_route_count of them). */
enum { ROUTE_STATIC = ROUTE_PRODUCT, ROUTE_PAGE, ROUTE_HEALTHZ, ROUTE_API };

struct event;
struct mailer;
/* A settings version's config, engine and pages, built ahead of its save
 * (site_settings_build_new). */
typedef struct site_settings_build site_settings_build;

/* A site's own settings in force (docs/SITES.md): what it changes of the
 * server's. */
typedef struct site_own {
    int64_t id;        /* the site's */
    const config *cfg; /* the server's config with the site's overrides (freed with the layer) */
    const moderation
        *mod;        /* its engine, sharing the server's model and dictionary; NULL: the server's */
    page_set *pages; /* its own text of each page; NULL entries: the server's */
} site_own;

/* The product's part of a config in force (replaced as a whole on reload
 * and when settings change): the moderation engine built from it, the
 * publisher's Markdown for /guidelines, /terms, /faq (pages.h) and the
 * sites' own settings. A loop reads it once per use and may keep what it
 * read until its request is answered (the server waits for the loops
 * before site_reload_release frees a replaced one). */
typedef struct site_layer {
    moderation *mod; /* the server's engine; the sites' own derive from it */
    page_set *pages;
    site_own *sites; /* by id; only the sites with settings of their own */
    size_t n;
} site_layer;

typedef struct site_ctx {
    app *srv;
    cache *cache;
    _Atomic(site_layer *) layer;
    /* main.c's: the site a page request is for (api_page_site), 0 when it
     * names none that exists. */
    int64_t (*page_site)(req *r);
    /* The web files, compressed and hashed once at start (static.h). */
    static_table *statics;
    struct mailer *mailer; /* NULL when mail is off (mail/mail.h) */
    webhooks *hooks;       /* NULL when webhook_url is unset */
    /* Change notices from other nodes (PostgreSQL LISTEN/NOTIFY; notices.c). */
    char node_id[17];
    store *listener;
    struct event *listen_ev;
    /* The settings edited in the desk in force (site_settings_refresh): the
     * version and its JSON object (NULL: none yet). Under the server's
     * config lock (server_config_lock). */
    int64_t settings_version;
    char *settings_body;
    /* The sites' own settings in force (their newest versions), under the
     * same lock. */
    store_site_settings *site_bodies;
    size_t n_site_bodies;
    /* Held while a replaced layer is freed and while site_limits_of reads
     * the layer in force from a thread that is not a loop. */
    pthread_mutex_t layer_mu;
    store *poll_store; /* the main thread's, to look for a newer version */
    /* The hashing thread's read-only connection (site_slow_reader_take),
     * kept between its jobs, and the database it is open on; under
     * slow_mu while in use. */
    pthread_mutex_t slow_mu;
    store *slow_reader;
    char *slow_db;
} site_ctx;

/* What a job's write changed, for the hooks after it (allocated from the
 * request's arena on first use, zeroed). */
typedef struct site_change {
    /* The article whose comments the write changed, or NULL: after the
     * commit, its cached views are marked stale before anyone is told. */
    const char *article;
    /* With article: the live-update event to announce after the commit
     * ("created", "edited", "removed"; NULL for none) and its comment. */
    const char *event;
    int64_t event_comment;
    int64_t event_author; /* the comment's author, 0 when unknown */
    bool mail;            /* the write step queued mail: wake the sender */
    bool webhook;         /* the write added webhook events: wake the sender */
    bool settings;        /* the write stored a settings version: put it in force */
    /* With settings: that version built ahead on the hashing thread, so that
     * the writer's committed hook only swaps it in (and takes it: NULL
     * then). The job's done step frees what is left. */
    site_settings_build *built;
} site_change;

site_change *job_change(job *j);

/* A read-only connection to db for a job off the loops (the settings
 * preview, api/settings.c): the one kept between such jobs when it is free
 * (opened on first use; *kept set), else a new one of its own. Give it back
 * with site_slow_reader_give (failed: a read on it failed, so a kept one is
 * closed rather than reused). Saves a connection's opening and statement
 * preparing per job (on PostgreSQL about 15-20 ms and more). */
int site_slow_reader_take(site_ctx *s, const char *db, store **out, bool *kept, pl_error *err);
void site_slow_reader_give(site_ctx *s, store *st, bool kept, bool failed);

site_ctx *site_new(void);
void site_free(site_ctx *s); /* s may be NULL */

/* The checks of `parley config --check` for the product's files (pages). */
int site_check_config(const config *cfg, pl_error *err);
/* The same for the moderation settings (policy.*, moderation.*, the word
 * lists): an engine is built from them and freed. */
int site_check_engine(const config *cfg, pl_error *err);
/* server_product's hooks (see server/server.h); each logs what fails. */
int site_start(site_ctx *s, app *srv, store *writer);
void site_listening(site_ctx *s);
int site_reload_build(site_ctx *s, const config *nc, const void *arg, void **staged, pl_error *err);
void *site_reload_publish(site_ctx *s, void *staged);
void site_reload_release(site_ctx *s, void *old);
void site_stop(site_ctx *s);
int site_in_commit(site_ctx *s, job *j, store *st, pl_error *err);
void site_committed(site_ctx *s, job *j, store *st);
/* The config in force over base: base with the settings version in force
 * set on it (app/settings.h, site_settings_overlay). */
int site_config_overlay(site_ctx *s, const config *base, config **eff, pl_error *err);
/* Main thread, every settings_poll_ms and when another node saved settings:
 * site_settings_refresh through the main thread's own store. */
void site_tick(site_ctx *s);
/* The article's generation in the view cache (server_product.article_generation). */
uint64_t site_article_generation(site_ctx *s, const char *article_id);

/* site_id's own settings in force, or NULL when it has none (the server's
 * apply). Only on a loop thread, valid while the request's callback runs:
 * a replaced layer (configs, engines, pages) is freed once every loop has
 * finished the callback it was running. A write step, which runs on the
 * writer after its request's callback returned, never keeps the result:
 * it takes the values it needs with site_limits_of. */
const site_own *site_own_of(site_ctx *s, int64_t site_id);
/* The moderation engine that judges site_id's comments: its own, or the
 * server's (site_id 0 or 1, or a site without an engine of its own). Loop
 * thread only, valid until the request is answered. */
const moderation *site_moderation(site_ctx *s, int64_t site_id);

/* The numbers of a site's settings that write steps read (flags and
 * automatic suspension), copied out of the config in force. */
typedef struct site_limits {
    int64_t flag_threshold;
    int64_t flags_per_hour;
    int64_t flag_new_account_days;
    int64_t auto_suspend_after;
    int64_t auto_suspend_hours;
    int64_t auto_suspend_window_h;
} site_limits;

/* site_id's values into *out: its own config's, else server's (the
 * server's config in force, which the caller holds). Any thread: it reads
 * the layer under layer_mu, which the freeing of a replaced layer takes. */
void site_limits_of(site_ctx *s, int64_t site_id, const config *server, site_limits *out);

/* Reads the newest settings version through st and, when it is not the one
 * in force, puts the base config with its overrides in force with a new
 * engine and pages (server_config_build, then server_config_publish), as
 * a reload does. Never from a loop (it waits for the loops). A version
 * that cannot apply is logged and skipped: the running settings stay. */
void site_settings_refresh(site_ctx *s, store *st);
/* Builds the config, engine and pages of body (the server's settings
 * version's JSON) and of the sites' own (sites[0..n), their newest
 * versions) over base (req_base_config), off the writer thread: 0 and
 * *out, or a negative PL_E* code with err naming the setting refused. A
 * site's settings that cannot apply are logged and left out, but those of
 * site strict (0: none) fail the build. */
int site_settings_build_new(site_ctx *s, const config *base, const char *body,
                            const store_site_settings *sites, size_t n, int64_t strict,
                            site_settings_build **out, pl_error *err);
void site_settings_build_free(site_ctx *s, site_settings_build *b); /* b may be NULL */
/* The effective config and the engine of a build (until it is freed). */
const config *site_settings_build_config(const site_settings_build *b);
const moderation *site_settings_build_engine(const site_settings_build *b);
/* The config and the engine that judge site_id's comments in a build: the
 * site's own where its settings there have them, else the build's (the
 * server's). Valid until the build is freed. */
void site_settings_build_site(const site_settings_build *b, int64_t site_id, const config **cfg,
                              const moderation **mod);

/* notices.c: tells other nodes about a job's committed change (from the
 * writer, inside the job's savepoint), and hears theirs. */
int notices_send(site_ctx *a, store *s, const site_change *c, pl_error *err);
/* The same for one more article a job changed, without an event. */
int notices_send_article(site_ctx *a, store *s, const char *article, pl_error *err);
/* The same for a change of the site's settings: other nodes apply theirs. */
int notices_send_settings(site_ctx *a, store *s, pl_error *err);
/* The same for a write about no article (it may be about people): other
 * nodes drop the sessions and layers they cached (server/session_read.c). */
int notices_send_people(site_ctx *a, store *s, pl_error *err);
int notices_start(site_ctx *a);
void notices_stop(site_ctx *a);

#endif
