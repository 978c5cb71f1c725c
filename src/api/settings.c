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

static json_t *
settings_json(req *r, int64_t version, int64_t at, int64_t actor_id, const json_t *over)
{
    const config *base = req_base_config(r);
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
    return json_pack("{s:I, s:o, s:o, s:o}", "version", (json_int_t)version, "updated_at",
                     api_time(at), "updated_by", by, "settings", items);
}

void
api_mod_settings_get(req *r, const route_args *a)
{
    (void)a;
    if (!require_admin(r))
        return;
    store_settings cur;
    pl_error err;
    int rc = store_settings_get(req_store(r), r->a, &cur, &err);
    if (rc < 0) {
        api_send_rc(r, rc, &err);
        return;
    }
    json_t *over = overrides_of(cur.body);
    req_send_json(r, 200, settings_json(r, cur.version, cur.at, cur.actor_id, over));
    json_decref(over);
}

/* ---- PUT ------------------------------------------------------------------ */

typedef struct change {
    const char *name;
    const char *reason; /* the log's: {"version", "before", "after"} (null: the file's value) */
} change;

typedef struct put_job {
    int64_t version; /* the one the admin read */
    const char *body;
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
change_reason(req *r, int64_t version, const json_t *before, const json_t *after)
{
    json_t *o = json_pack("{s:I, s:o, s:o}", "version", (json_int_t)version, "before",
                          log_value(before), "after", log_value(after));
    char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    const char *out = arena_strdup(r->a, s ? s : "");
    free(s);
    return out;
}

/* Hashing thread: builds the config, engine and pages of the new set, so
 * that a set the engine refuses is never stored and the writer, after the
 * commit, only swaps in what was built here (job_change(j)->built). */
static void
put_check(job *j)
{
    put_job *pj = j->data;
    pl_error err;
    int rc =
        site_settings_build_new(req_product(j->r), pj->base, pj->body, &job_change(j)->built, &err);
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
    int rc = store_settings_put(s, pj->version, pj->body, j->r->user->id, j->r->now, err);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < pj->n_changes; i++) {
        const change *c = &pj->changes[i];
        store_log_entry e = {0,         j->r->now, j->r->user->id, "setting",
                             "setting", c->name,   c->reason};
        if ((rc = store_log_append(s, &e, err)) < 0)
            return rc;
    }
    return store_settings_get(s, j->r->a, &pj->result, err);
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
    log_info("msg=\"settings changed\" version=%lld changes=%zu actor=%lld",
             (long long)pj->result.version, pj->n_changes, (long long)r->user->id);
    json_t *over = overrides_of(pj->result.body);
    req_send_json(r, 200,
                  settings_json(r, pj->result.version, pj->result.at, pj->result.actor_id, over));
    json_decref(over);
}

void
api_mod_settings_put(req *r, const route_args *a)
{
    (void)a;
    if (!require_admin(r))
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
    store_settings cur;
    pl_error err;
    int rc = store_settings_get(req_store(r), r->a, &cur, &err);
    if (rc < 0) {
        json_decref(o);
        api_send_rc(r, rc, &err);
        return;
    }
    put_job *pj = arena_zalloc(r->a, sizeof *pj);
    pj->version = (int64_t)json_integer_value(ver);
    if (pj->version != cur.version) {
        json_decref(o);
        req_send_error(r, 409, "conflict",
                       "The settings were changed by someone else since you read them; reload "
                       "them and make your change again.",
                       "version", json_pack("{s:I}", "version", (json_int_t)cur.version));
        return;
    }
    json_t *next = overrides_of(cur.body), *errors = json_array();
    pj->changes = arena_zalloc(r->a, (json_object_size(set) + 1) * sizeof *pj->changes);
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
            change *c = &pj->changes[pj->n_changes++];
            c->name = arena_strdup(r->a, name);
            c->reason = change_reason(r, cur.version + 1, before, json_is_null(v) ? NULL : v);
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
    json_decref(o);
    if (json_array_size(errors) > 0) {
        json_t *first = json_array_get(errors, 0);
        const char *field = arena_strdup(r->a, json_string_value(json_object_get(first, "field")));
        const char *msg = arena_strdup(r->a, json_string_value(json_object_get(first, "message")));
        json_decref(next);
        req_send_error(r, 400, "invalid_field", msg, field, json_pack("{s:o}", "errors", errors));
        return;
    }
    json_decref(errors);
    if (pj->n_changes == 0) { /* nothing changes: no new version */
        req_send_json(r, 200, settings_json(r, cur.version, cur.at, cur.actor_id, next));
        json_decref(next);
        return;
    }
    char *body = json_dumps(next, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(next);
    pj->body = arena_strdup(r->a, body ? body : "{}");
    free(body);
    pj->base = req_base_config(r);
    job *j = job_new(r, pj);
    j->slow = put_check;
    j->write = put_write;
    j->done = put_done;
    job_change(j)->settings = true;
    job_submit(j);
}

/* ---- preview of the word lists ---------------------------------------------- */

/* How many of the newest comments a preview looks at. */
#define PREVIEW_SAMPLE 1000

typedef struct preview_job {
    store_comment_list recent;
    const char *block_now, *block, *allow_now, *allow;
    int64_t held_now, held, allowed_now, allowed;
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

/* Hashing thread (no store): the matching, up to 500 entries over 1,000
 * comments, kept off the loop. */
static void
preview_count(job *j)
{
    preview_job *pj = j->data;
    arena *a = j->r->a;
    pj->held_now = count_matches(a, pj->block_now, &pj->recent, false);
    pj->held = count_matches(a, pj->block, &pj->recent, false);
    pj->allowed_now = count_matches(a, pj->allow_now, &pj->recent, true);
    pj->allowed = count_matches(a, pj->allow, &pj->recent, true);
}

static void
preview_done(job *j)
{
    preview_job *pj = j->data;
    req_send_json(j->r, 200,
                  json_pack("{s:I, s:{s:I, s:I}, s:{s:I, s:I}}", "sample", (json_int_t)pj->recent.n,
                            "words.block", "now", (json_int_t)pj->held_now, "then",
                            (json_int_t)pj->held, "words.allow", "now", (json_int_t)pj->allowed_now,
                            "then", (json_int_t)pj->allowed));
}

void
api_mod_settings_preview(req *r, const route_args *a)
{
    (void)a;
    if (!require_admin(r))
        return;
    static const char *const allowed[] = {"settings", NULL};
    json_t *o = api_body_object(r, allowed);
    if (o == NULL)
        return;
    json_t *set = json_object_get(o, "settings");
    const char *name;
    json_t *v;
    preview_job *pj = arena_zalloc(r->a, sizeof *pj);
    const config *cfg = req_config(r);
    pj->block_now = config_extra(cfg, "words.block");
    pj->allow_now = config_extra(cfg, "words.allow");
    pj->block = pj->block_now;
    pj->allow = pj->allow_now;
    if (!json_is_object(set)) {
        json_decref(o);
        req_send_error(r, 400, "invalid_field",
                       "settings must be an object with words.block and/or words.allow.",
                       "settings", NULL);
        return;
    }
    json_object_foreach(set, name, v)
    {
        const site_setting *s = site_setting_find(name);
        char msg[200], *text = NULL;
        if (s == NULL || s->kind != SITE_WORDS) {
            snprintf(msg, sizeof msg, "%s cannot be previewed: only words.block and words.allow.",
                     name);
        } else if (json_is_null(v) || site_setting_check(s, v, &text, msg, sizeof msg)) {
            const char *list = json_is_null(v) ? config_extra(req_base_config(r), name) : text;
            *(strcmp(name, "words.block") == 0 ? &pj->block : &pj->allow) =
                list ? arena_strdup(r->a, list) : NULL;
            free(text);
            continue;
        }
        const char *field = arena_printf(r->a, "settings.%s", name);
        const char *message = arena_strdup(r->a, msg);
        json_decref(o);
        req_send_error(r, 400, "invalid_field", message, field, NULL);
        return;
    }
    json_decref(o);
    store_search q = {NULL, 0, NULL, -1, 0, 0};
    pl_error err;
    int rc = store_comments_search(req_store(r), &q, PREVIEW_SAMPLE, r->a, &pj->recent, &err);
    if (rc < 0) {
        api_send_rc(r, rc, &err);
        return;
    }
    job *j = job_new(r, pj);
    j->slow = preview_count;
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
    const config *cfg = req_config(r);
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
    req_send_json(r, 200,
                  json_pack("{s:o, s:{s:b, s:b, s:I}}", "rules", rules, "premoderation", "all",
                            site_setting_on(cfg, "premoderation.all"), "sensitive",
                            site_setting_on(cfg, "premoderation.sensitive"), "first_comments",
                            (json_int_t)first));
}
