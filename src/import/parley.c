/* import/parley.c: see parley.h. */
#include "import/parley.h"
#include "app/settings.h"
#include "import/idmap.h"
#include "render/markdown.h"
#include "util/text.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* Import map kinds: the source ("parley") and the record type. */
#define MAP_USER "parley:user"
#define MAP_COMMENT "parley:comment"
#define MAP_LOG "parley:log"
#define MAP_FLAG "parley:flag"
#define MAP_SITE "parley:site"

/* Rows read per store call while exporting. */
#define PAGE 500

static const char *const role_names[] = {"reader", "moderator", "admin"};
static const char *const article_status_names[] = {"open", "premoderated", "closed"};
static const char *const comment_status_names[] = {"published", "pending", "rejected", "deleted",
                                                   "hidden"};
static const char *const outcome_names[] = {"open", "upheld", "dismissed"};

/* ---- writing ------------------------------------------------------------------ */

/* RFC 3339 with milliseconds, so times survive the round trip exactly. */
static json_t *
time_json(int64_t ms)
{
    if (ms == 0)
        return json_null();
    char s[32], out[40];
    time_format_rfc3339(ms, s);
    size_t n = strlen(s);
    int64_t frac = ms % 1000;
    if (frac < 0)
        frac += 1000;
    snprintf(out, sizeof out, "%.*s.%03dZ", (int)(n - 1), s, (int)frac);
    return json_string(out);
}

static json_t *
id_json(int64_t id)
{
    if (id == 0)
        return json_null();
    char s[24];
    snprintf(s, sizeof s, "%lld", (long long)id);
    return json_string(s);
}

static int
emit(FILE *out, json_t *o, pl_error *err)
{
    int rc = json_dumpf(o, out, JSON_COMPACT) == 0 && fputc('\n', out) != EOF ? 0 : -1;
    json_decref(o);
    return rc == 0 ? 0 : pl_errorf(err, PL_EIO, "cannot write the export");
}

static int
emit_user(FILE *out, const store_user *u, pl_error *err)
{
    return emit(out,
                json_pack("{s:s, s:o, s:s, s:s, s:s, s:o, s:b, s:o, s:s?, s:b}", "type", "user",
                          "id", id_json(u->id), "email", u->email, "name", u->name, "role",
                          role_names[u->role <= ROLE_ADMIN ? u->role : 0], "created_at",
                          time_json(u->created_at), "banned", u->banned, "banned_until",
                          time_json(u->banned_until), "ban_reason", u->ban_reason, "deleted",
                          u->deleted),
                err);
}

static int
emit_article(FILE *out, const store_article *ar, pl_error *err)
{
    return emit(out,
                json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:o}", "type", "article", "id",
                          ar->id, "title", ar->title, "url", ar->url, "text", ar->text, "status",
                          article_status_names[ar->status <= ARTICLE_CLOSED ? ar->status : 0],
                          "sensitive", ar->sensitive, "created_at", time_json(ar->created_at)),
                err);
}

static int
emit_comment(FILE *out, const store_comment *c, pl_error *err)
{
    json_t *mod = c->moderation[0] ? json_loads(c->moderation, 0, NULL) : NULL;
    return emit(out,
                json_pack("{s:s, s:o, s:s, s:o, s:o, s:s, s:s, s:b, s:o, s:o, s:s, s:o}", "type",
                          "comment", "id", id_json(c->id), "article_id", c->article_id, "parent_id",
                          id_json(c->parent_id), "author_id", id_json(c->author_id), "body",
                          c->body, "status",
                          comment_status_names[c->status <= COMMENT_HIDDEN ? c->status : 0],
                          "featured", c->featured, "created_at", time_json(c->created_at),
                          "edited_at", time_json(c->edited_at), "moderator_reason",
                          c->moderator_reason, "moderation", mod ? mod : json_null()),
                err);
}

static int
emit_log(FILE *out, const store_log_entry *e, pl_error *err)
{
    return emit(out,
                json_pack("{s:s, s:o, s:o, s:o, s:s, s:s, s:s, s:s}", "type", "log", "id",
                          id_json(e->id), "at", time_json(e->at), "actor_id", id_json(e->actor_id),
                          "action", e->action, "target_type", e->target_type, "target_id",
                          e->target_id, "reason", e->reason),
                err);
}

static int
emit_flag(FILE *out, const store_export_flag *f, pl_error *err)
{
    return emit(out,
                json_pack("{s:s, s:o, s:o, s:o, s:s, s:s, s:o, s:b, s:s}", "type", "flag", "id",
                          id_json(f->id), "comment_id", id_json(f->comment_id), "user_id",
                          id_json(f->user_id), "reason", f->reason, "note", f->note, "created_at",
                          time_json(f->created_at), "reviewed", f->reviewed, "outcome",
                          outcome_names[f->outcome <= FLAG_DISMISSED ? f->outcome : 0]),
                err);
}

static int
emit_like(FILE *out, const store_export_like *l, pl_error *err)
{
    return emit(out,
                json_pack("{s:s, s:o, s:o, s:o}", "type", "like", "comment_id",
                          id_json(l->comment_id), "user_id", id_json(l->user_id), "created_at",
                          time_json(l->created_at)),
                err);
}

static int
emit_site(FILE *out, const store_site *v, pl_error *err)
{
    json_t *origins = json_array();
    for (const char *p = v->origins; p != NULL && *p;) {
        size_t n = strcspn(p, " ");
        if (n > 0)
            json_array_append_new(origins, json_stringn(p, n));
        p += n + (p[n] == ' ');
    }
    return emit(out,
                json_pack("{s:s, s:o, s:s, s:s, s:o}", "type", "site", "id", id_json(v->id), "slug",
                          v->slug, "name", v->name, "origins", origins),
                err);
}

/* The settings version in force (the server's; with site > 0, that site's
 * own): its overrides as the object they are. */
static int
emit_settings(FILE *out, int64_t site, const store_settings *v, pl_error *err)
{
    json_t *body = json_loads(v->body, 0, NULL);
    if (!json_is_object(body)) {
        json_decref(body);
        return pl_errorf(err, PL_EINVAL, "the stored settings (version %lld) are not a JSON object",
                         (long long)v->version);
    }
    json_t *o = json_pack("{s:s, s:I, s:o, s:o, s:o}", "type", "settings", "version",
                          (json_int_t)v->version, "at", time_json(v->at), "actor_id",
                          id_json(v->actor_id), "body", body);
    if (site > 0)
        json_object_set_new(o, "site", id_json(site));
    return emit(out, o, err);
}

/* The sites a moderator (or an account that was one) is limited to. */
static int
emit_moderator_sites(FILE *out, int64_t user, const int64_t *sites, size_t n, pl_error *err)
{
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, id_json(sites[i]));
    return emit(out,
                json_pack("{s:s, s:o, s:o}", "type", "moderator_sites", "user_id", id_json(user),
                          "sites", list),
                err);
}

/* The site may be in use while it is exported: a comment may name an
 * author or an article created after their own section was written (those
 * go out just before it), and a flag or like a comment created after the
 * comments' section (those are left out, as if exported a moment earlier). */
typedef struct export_state {
    arena *keep;         /* article ids written, for the life of the export */
    idmap articles;      /* article id -> 1 */
    int64_t max_user;    /* users up to this id were written in their section */
    int64_t max_comment; /* the last comment written */
    idmap late_users;    /* decimal id -> 1: users written later, where needed */
} export_state;

static int
late_user(store *s, FILE *out, export_state *x, int64_t id, arena *a, parley_counts *counts,
          pl_error *err)
{
    if (id <= x->max_user)
        return 0;
    char *key = arena_printf(x->keep, "%lld", (long long)id);
    int64_t seen;
    if (idmap_get(&x->late_users, key, &seen))
        return 0;
    store_user u;
    int rc;
    if ((rc = store_user_by_id(s, id, a, &u, err)) < 0 || (rc = emit_user(out, &u, err)) < 0)
        return rc;
    idmap_add(&x->late_users, key, 1);
    counts->users++;
    return 0;
}

static int
late_refs(store *s, FILE *out, export_state *x, const store_comment *c, arena *a,
          parley_counts *counts, pl_error *err)
{
    int rc = late_user(s, out, x, c->author_id, a, counts, err);
    if (rc < 0)
        return rc;
    int64_t seen;
    if (!idmap_get(&x->articles, c->article_id, &seen)) {
        store_article ar;
        if ((rc = store_article_get(s, c->article_id, a, &ar, err)) < 0 ||
            (rc = emit_article(out, &ar, err)) < 0)
            return rc;
        idmap_add(&x->articles, arena_strdup(x->keep, c->article_id), 1);
        counts->articles++;
    }
    return 0;
}

int
parley_export(store *s, FILE *out, parley_counts *counts, pl_error *err)
{
    export_state x = {0};
    arena *a = arena_new();
    int rc;
    size_t n;
    x.keep = arena_new();
    memset(counts, 0, sizeof *counts);
    char now[40];
    json_t *t = time_json(time_now_ms());
    snprintf(now, sizeof now, "%s", json_string_value(t));
    json_decref(t);
    rc = emit(out,
              json_pack("{s:s, s:i, s:s}", "type", "parley", "version", PARLEY_FORMAT_VERSION,
                        "exported_at", now),
              err);
    if (rc == 0) {
        store_site *v = NULL;
        if ((rc = store_sites_list(s, a, &v, &n, err)) == 0)
            for (size_t i = 0; i < n && rc == 0; i++)
                if ((rc = emit_site(out, &v[i], err)) == 0)
                    counts->sites++;
    }
    for (int64_t after = 0; rc == 0;) {
        store_user *v;
        arena_reset(a);
        if ((rc = store_export_users(s, after, PAGE, a, &v, &n, err)) < 0 || n == 0)
            break;
        for (size_t i = 0; i < n && rc == 0; i++) {
            int64_t *ms = NULL;
            size_t nms = 0;
            if ((rc = emit_user(out, &v[i], err)) < 0 || v[i].role == ROLE_READER)
                continue;
            if ((rc = store_moderator_sites(s, v[i].id, a, &ms, &nms, err)) == 0 && nms > 0 &&
                (rc = emit_moderator_sites(out, v[i].id, ms, nms, err)) == 0)
                counts->moderator_sites++;
        }
        counts->users += (int64_t)n;
        after = x.max_user = v[n - 1].id;
    }
    if (rc == 0) {
        store_settings cur;
        arena_reset(a);
        if ((rc = store_settings_get(s, a, &cur, err)) == 0 && cur.version > 0 &&
            (rc = late_user(s, out, &x, cur.actor_id, a, counts, err)) == 0 &&
            (rc = emit_settings(out, 0, &cur, err)) == 0)
            counts->settings++;
    }
    if (rc == 0) { /* each site's own, after the server's */
        store_site_settings *v = NULL;
        arena_reset(a);
        if ((rc = store_site_settings_list(s, a, &v, &n, err)) == 0)
            for (size_t i = 0; i < n && rc == 0; i++)
                if (v[i].s.version > 0 &&
                    (rc = late_user(s, out, &x, v[i].s.actor_id, a, counts, err)) == 0 &&
                    (rc = emit_settings(out, v[i].site_id, &v[i].s, err)) == 0)
                    counts->settings++;
    }
    for (const char *after = ""; rc == 0;) {
        store_article *v;
        arena_reset(a);
        if ((rc = store_export_articles(s, after, PAGE, a, &v, &n, err)) < 0 || n == 0)
            break;
        for (size_t i = 0; i < n && rc == 0; i++) {
            rc = emit_article(out, &v[i], err);
            idmap_add(&x.articles, arena_strdup(x.keep, v[i].id), 1);
        }
        counts->articles += (int64_t)n;
        after = arena_strdup(x.keep, v[n - 1].id);
    }
    for (int64_t after = 0; rc == 0;) {
        store_comment_list l;
        arena_reset(a);
        if ((rc = store_export_comments(s, after, PAGE, a, &l, err)) < 0 || l.n == 0)
            break;
        for (size_t i = 0; i < l.n && rc == 0; i++)
            if ((rc = late_refs(s, out, &x, &l.items[i], a, counts, err)) == 0)
                rc = emit_comment(out, &l.items[i], err);
        counts->comments += (int64_t)l.n;
        after = x.max_comment = l.items[l.n - 1].id;
    }
    for (int64_t after = 0; rc == 0;) {
        store_export_flag *v;
        arena_reset(a);
        if ((rc = store_export_flags(s, after, PAGE, a, &v, &n, err)) < 0 || n == 0)
            break;
        for (size_t i = 0; i < n && rc == 0; i++) {
            if (v[i].comment_id > x.max_comment)
                continue;
            if ((rc = late_user(s, out, &x, v[i].user_id, a, counts, err)) == 0 &&
                (rc = emit_flag(out, &v[i], err)) == 0)
                counts->flags++;
        }
        after = v[n - 1].id;
    }
    for (int64_t after_c = 0, after_u = 0; rc == 0;) {
        store_export_like *v;
        arena_reset(a);
        if ((rc = store_export_likes(s, after_c, after_u, PAGE, a, &v, &n, err)) < 0 || n == 0)
            break;
        for (size_t i = 0; i < n && rc == 0; i++) {
            if (v[i].comment_id > x.max_comment)
                continue;
            if ((rc = late_user(s, out, &x, v[i].user_id, a, counts, err)) == 0 &&
                (rc = emit_like(out, &v[i], err)) == 0)
                counts->likes++;
        }
        after_c = v[n - 1].comment_id;
        after_u = v[n - 1].user_id;
    }
    for (int64_t after = 0; rc == 0;) {
        store_log_entry *v;
        arena_reset(a);
        if ((rc = store_export_log(s, after, PAGE, a, &v, &n, err)) < 0 || n == 0)
            break;
        for (size_t i = 0; i < n && rc == 0; i++)
            rc = emit_log(out, &v[i], err);
        counts->log += (int64_t)n;
        after = v[n - 1].id;
    }
    if (rc == 0)
        rc = emit(out,
                  json_pack("{s:s, s:{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}}", "type", "end",
                            "counts", "users", (json_int_t)counts->users, "articles",
                            (json_int_t)counts->articles, "comments", (json_int_t)counts->comments,
                            "flags", (json_int_t)counts->flags, "likes", (json_int_t)counts->likes,
                            "log", (json_int_t)counts->log, "sites", (json_int_t)counts->sites,
                            "settings", (json_int_t)counts->settings, "moderator_sites",
                            (json_int_t)counts->moderator_sites),
                  err);
    if (rc == 0 && fflush(out) != 0)
        rc = pl_errorf(err, PL_EIO, "cannot write the export");
    idmap_fini(&x.articles);
    idmap_fini(&x.late_users);
    arena_free(x.keep);
    arena_free(a);
    return rc;
}

/* ---- reading -------------------------------------------------------------------- */

static int
bad(pl_error *err, const char *field, const char *why)
{
    pl_errorf(err, PL_EINVAL, "%s %s", field, why);
    return PL_EINVAL; /* always negative, which the callers' `< 0` tests rely on */
}

/* A string field; NULL (when optional) for absent or null. */
static int
get_str(json_t *o, const char *field, bool required, arena *a, const char **out, pl_error *err)
{
    json_t *v = json_object_get(o, field);
    *out = NULL;
    if (v == NULL || json_is_null(v))
        return required ? bad(err, field, "is missing") : 0;
    if (!json_is_string(v))
        return bad(err, field, "must be a string");
    *out = arena_strndup(a, json_string_value(v), json_string_length(v));
    if (strlen(*out) != json_string_length(v))
        return bad(err, field, "contains a NUL character");
    return 0;
}

static int
get_bool(json_t *o, const char *field, bool *out, pl_error *err)
{
    json_t *v = json_object_get(o, field);
    *out = false;
    if (v == NULL || json_is_null(v))
        return 0;
    if (!json_is_boolean(v))
        return bad(err, field, "must be true or false");
    *out = json_is_true(v);
    return 0;
}

/* A time (RFC 3339) or null (0). */
static int
get_time(json_t *o, const char *field, bool required, int64_t *out, pl_error *err)
{
    json_t *v = json_object_get(o, field);
    *out = 0;
    if (v == NULL || json_is_null(v))
        return required ? bad(err, field, "is missing") : 0;
    if (!json_is_string(v) || time_parse_rfc3339(json_string_value(v), out) < 0 || *out == 0)
        return bad(err, field, "must be an RFC 3339 time");
    return 0;
}

/* An id: a decimal string from 1 up; NULL when absent or null and optional. */
static int
get_id(json_t *o, const char *field, bool required, arena *a, const char **out, pl_error *err)
{
    int rc = get_str(o, field, required, a, out, err);
    int64_t v;
    if (rc < 0 || *out == NULL)
        return rc;
    if (parse_int(*out, 1, INT64_MAX, &v) < 0)
        return bad(err, field, "must be a decimal id");
    return 0;
}

static int
get_enum(json_t *o, const char *field, const char *const *names, int n, int *out, pl_error *err)
{
    json_t *v = json_object_get(o, field);
    if (json_is_string(v))
        for (int i = 0; i < n; i++)
            if (strcmp(json_string_value(v), names[i]) == 0) {
                *out = i;
                return 0;
            }
    return bad(err, field, "has an unknown value");
}

static int
get_count(json_t *o, const char *field, int64_t *out, pl_error *err)
{
    json_t *v = json_object_get(o, field);
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return bad(err, field, "must be a count");
    *out = json_integer_value(v);
    return 0;
}

static int
parse_user(json_t *o, arena *a, parley_record *r, pl_error *err)
{
    store_user *u = &r->user;
    int role = 0, rc;
    if ((rc = get_id(o, "id", true, a, &r->ext_id, err)) < 0 ||
        (rc = get_str(o, "email", true, a, &u->email, err)) < 0 ||
        (rc = get_str(o, "name", true, a, &u->name, err)) < 0 ||
        (rc = get_enum(o, "role", role_names, 3, &role, err)) < 0 ||
        (rc = get_time(o, "created_at", true, &u->created_at, err)) < 0 ||
        (rc = get_bool(o, "banned", &u->banned, err)) < 0 ||
        (rc = get_time(o, "banned_until", false, &u->banned_until, err)) < 0 ||
        (rc = get_str(o, "ban_reason", false, a, &u->ban_reason, err)) < 0 ||
        (rc = get_bool(o, "deleted", &u->deleted, err)) < 0)
        return rc;
    if (u->email[0] == '\0' || strlen(u->email) > 320 || strchr(u->email, '@') == NULL)
        return bad(err, "email", "must be an e-mail address");
    if (u->name[0] == '\0' || utf8_length(u->name, strlen(u->name)) > 100)
        return bad(err, "name", "must be 1 to 100 characters");
    u->role = (store_role)role;
    u->pw_hash = "";
    return 0;
}

static int
parse_article(json_t *o, arena *a, parley_record *r, pl_error *err)
{
    store_article *ar = &r->article;
    int status = 0, rc;
    if ((rc = get_str(o, "id", true, a, &ar->id, err)) < 0 ||
        (rc = get_str(o, "title", false, a, &ar->title, err)) < 0 ||
        (rc = get_str(o, "url", false, a, &ar->url, err)) < 0 ||
        (rc = get_str(o, "text", false, a, &ar->text, err)) < 0 ||
        (rc = get_enum(o, "status", article_status_names, 3, &status, err)) < 0 ||
        (rc = get_bool(o, "sensitive", &ar->sensitive, err)) < 0 ||
        (rc = get_time(o, "created_at", false, &ar->created_at, err)) < 0)
        return rc;
    if (!article_key_valid(ar->id))
        return bad(err, "id", "is not a valid article id");
    ar->title = ar->title ? ar->title : "";
    ar->url = ar->url ? ar->url : "";
    ar->text = ar->text ? ar->text : "";
    ar->status = (store_article_status)status;
    return 0;
}

static int
parse_comment(json_t *o, arena *a, parley_record *r, pl_error *err)
{
    store_comment *c = &r->comment;
    int status = 0, rc;
    json_t *mod = json_object_get(o, "moderation");
    if ((rc = get_id(o, "id", true, a, &r->ext_id, err)) < 0 ||
        (rc = get_str(o, "article_id", true, a, &c->article_id, err)) < 0 ||
        (rc = get_id(o, "parent_id", false, a, &r->parent_ext, err)) < 0 ||
        (rc = get_id(o, "author_id", true, a, &r->author_ext, err)) < 0 ||
        (rc = get_str(o, "body", true, a, &c->body, err)) < 0 ||
        (rc = get_enum(o, "status", comment_status_names, 5, &status, err)) < 0 ||
        (rc = get_bool(o, "featured", &c->featured, err)) < 0 ||
        (rc = get_time(o, "created_at", true, &c->created_at, err)) < 0 ||
        (rc = get_time(o, "edited_at", false, &c->edited_at, err)) < 0 ||
        (rc = get_str(o, "moderator_reason", false, a, &c->moderator_reason, err)) < 0)
        return rc;
    if (!article_key_valid(c->article_id))
        return bad(err, "article_id", "is not a valid article id");
    if (r->parent_ext != NULL && strcmp(r->parent_ext, r->ext_id) == 0)
        return bad(err, "parent_id", "names the comment itself");
    if (mod != NULL && !json_is_null(mod) && !json_is_object(mod))
        return bad(err, "moderation", "must be an object or null");
    c->moderation = "";
    if (json_is_object(mod)) {
        char *text = json_dumps(mod, JSON_COMPACT);
        c->moderation = arena_strdup(a, text ? text : "");
        free(text);
    }
    c->moderator_reason = c->moderator_reason ? c->moderator_reason : "";
    c->status = (store_comment_status)status;
    return 0;
}

static int
parse_flag(json_t *o, arena *a, parley_record *r, pl_error *err)
{
    store_export_flag *f = &r->flag;
    int outcome = 0, rc;
    if ((rc = get_id(o, "id", true, a, &r->ext_id, err)) < 0 ||
        (rc = get_id(o, "comment_id", true, a, &r->comment_ext, err)) < 0 ||
        (rc = get_id(o, "user_id", true, a, &r->user_ext, err)) < 0 ||
        (rc = get_str(o, "reason", true, a, &f->reason, err)) < 0 ||
        (rc = get_str(o, "note", false, a, &f->note, err)) < 0 ||
        (rc = get_time(o, "created_at", true, &f->created_at, err)) < 0 ||
        (rc = get_bool(o, "reviewed", &f->reviewed, err)) < 0 ||
        (rc = get_enum(o, "outcome", outcome_names, 3, &outcome, err)) < 0)
        return rc;
    if (f->reason[0] == '\0' || strlen(f->reason) > 32)
        return bad(err, "reason", "must be 1 to 32 bytes");
    f->note = f->note ? f->note : "";
    f->outcome = (store_flag_outcome)outcome;
    return 0;
}

static int
parse_like(json_t *o, arena *a, parley_record *r, pl_error *err)
{
    int rc;
    if ((rc = get_id(o, "comment_id", true, a, &r->comment_ext, err)) < 0 ||
        (rc = get_id(o, "user_id", true, a, &r->user_ext, err)) < 0)
        return rc;
    return get_time(o, "created_at", true, &r->like.created_at, err);
}

static int
parse_log(json_t *o, arena *a, parley_record *r, pl_error *err)
{
    store_log_entry *e = &r->log;
    int rc;
    if ((rc = get_id(o, "id", true, a, &r->ext_id, err)) < 0 ||
        (rc = get_time(o, "at", true, &e->at, err)) < 0 ||
        (rc = get_id(o, "actor_id", false, a, &r->actor_ext, err)) < 0 ||
        (rc = get_str(o, "action", true, a, &e->action, err)) < 0 ||
        (rc = get_str(o, "target_type", true, a, &e->target_type, err)) < 0 ||
        (rc = get_str(o, "target_id", true, a, &e->target_id, err)) < 0 ||
        (rc = get_str(o, "reason", false, a, &e->reason, err)) < 0)
        return rc;
    e->reason = e->reason ? e->reason : "";
    return 0;
}

/* A count of the end record that format 1 did not have: 0 when absent. */
static int
get_count_new(json_t *o, const char *field, int64_t *out, pl_error *err)
{
    *out = 0;
    return json_object_get(o, field) == NULL ? 0 : get_count(o, field, out, err);
}

/* The longest origin and how many a site has (as the API allows). */
#define ORIGIN_MAX 200
#define ORIGINS_MAX 20

static int
parse_site(json_t *o, arena *a, parley_record *r, pl_error *err)
{
    store_site *v = &r->site;
    int rc;
    if ((rc = get_id(o, "id", true, a, &r->ext_id, err)) < 0 ||
        (rc = get_str(o, "slug", true, a, &v->slug, err)) < 0 ||
        (rc = get_str(o, "name", true, a, &v->name, err)) < 0)
        return rc;
    size_t n = strlen(v->slug);
    if (n == 0 || n > 32 || v->slug[0] == '-' ||
        strspn(v->slug, "abcdefghijklmnopqrstuvwxyz0123456789-") != n)
        return bad(err, "slug", "must be 1 to 32 of a-z, 0-9 and -, not starting with -");
    if (v->name[0] == '\0' || utf8_length(v->name, strlen(v->name)) > 100)
        return bad(err, "name", "must be 1 to 100 characters");
    json_t *list = json_object_get(o, "origins"), *e;
    if (list != NULL && !json_is_null(list) &&
        (!json_is_array(list) || json_array_size(list) > ORIGINS_MAX))
        return bad(err, "origins", "must be a list of at most 20 origins");
    char *joined = arena_alloc(a, json_array_size(list) * (ORIGIN_MAX + 1) + 1), *p = joined;
    size_t i;
    json_array_foreach(list, i, e)
    {
        const char *t = json_string_value(e);
        size_t k = t ? strlen(t) : 0;
        bool plain = t != NULL && k == json_string_length(e) && k > 0 && k <= ORIGIN_MAX;
        for (size_t c = 0; plain && c < k; c++)
            plain = (unsigned char)t[c] > 0x20 && (unsigned char)t[c] < 0x7f;
        if (!plain)
            return bad(err, "origins", "must be origins of 1 to 200 printable ASCII characters");
        if (p != joined)
            *p++ = ' ';
        memcpy(p, t, k);
        p += k;
    }
    *p = '\0';
    v->origins = joined;
    return 0;
}

/* A moderator's sites: the user and at most 1,000 sites, by their ids in
 * the file. */
static int
parse_moderator_sites(json_t *o, arena *a, parley_record *r, pl_error *err)
{
    int rc = get_id(o, "user_id", true, a, &r->user_ext, err);
    if (rc < 0)
        return rc;
    json_t *list = json_object_get(o, "sites"), *e;
    if (!json_is_array(list) || json_array_size(list) == 0 || json_array_size(list) > 1000)
        return bad(err, "sites", "must be a list of 1 to 1000 site ids");
    r->sites_ext = arena_alloc(a, json_array_size(list) * sizeof *r->sites_ext);
    size_t i;
    json_array_foreach(list, i, e)
    {
        int64_t v;
        const char *t = json_string_value(e);
        if (t == NULL || strlen(t) != json_string_length(e) || parse_int(t, 1, INT64_MAX, &v) < 0)
            return bad(err, "sites", "must hold decimal site ids as strings");
        r->sites_ext[i] = arena_strdup(a, t);
    }
    r->n_sites = json_array_size(list);
    return 0;
}

/* The body is checked setting by setting as the desk checks a save. */
static int
parse_settings(json_t *o, arena *a, parley_record *r, pl_error *err)
{
    json_t *v = json_object_get(o, "version"), *body = json_object_get(o, "body");
    int rc;
    if (!json_is_integer(v) || json_integer_value(v) < 1)
        return bad(err, "version", "must be a version number from 1");
    if ((rc = get_time(o, "at", true, &r->settings_at, err)) < 0 ||
        (rc = get_id(o, "actor_id", false, a, &r->actor_ext, err)) < 0 ||
        (rc = get_id(o, "site", false, a, &r->site_ext, err)) < 0)
        return rc;
    if (!json_is_object(body))
        return bad(err, "body", "must be an object of settings");
    const char *name;
    json_t *value;
    json_object_foreach(body, name, value)
    {
        const site_setting *st = site_setting_find(name);
        char msg[200], *text = NULL;
        bool ok = st != NULL && site_setting_check(st, value, &text, msg, sizeof msg);
        free(text);
        if (!ok) {
            pl_errorf(err, PL_EINVAL, "body: %s",
                      st == NULL ? "names a setting this version does not know" : msg);
            return PL_EINVAL;
        }
    }
    char *text = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
    r->settings = arena_strdup(a, text ? text : "{}");
    free(text);
    return 0;
}

int
parley_parse_line(const char *line, size_t len, arena *a, parley_record *out, pl_error *err)
{
    static const char *const kinds[] = {"parley",         "user", "article", "comment", "flag",
                                        "like",           "log",  "end",     "site",    "settings",
                                        "moderator_sites"};
    json_error_t jerr;
    memset(out, 0, sizeof *out);
    json_t *o = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
    if (o == NULL)
        return pl_errorf(err, PL_EINVAL, "not JSON (%s at column %d)", jerr.text, jerr.column);
    int kind = 0, rc;
    if (!json_is_object(o))
        rc = pl_errorf(err, PL_EINVAL, "not a JSON object");
    else
        rc = get_enum(o, "type", kinds, 11, &kind, err);
    if (rc == 0) {
        out->kind = (parley_kind)kind;
        switch (out->kind) {
        case PARLEY_HEADER: {
            json_t *v = json_object_get(o, "version");
            if (!json_is_integer(v))
                rc = bad(err, "version", "must be a number");
            else
                out->version = json_integer_value(v);
            break;
        }
        case PARLEY_USER:
            rc = parse_user(o, a, out, err);
            break;
        case PARLEY_ARTICLE:
            rc = parse_article(o, a, out, err);
            break;
        case PARLEY_COMMENT:
            rc = parse_comment(o, a, out, err);
            break;
        case PARLEY_FLAG:
            rc = parse_flag(o, a, out, err);
            break;
        case PARLEY_LIKE:
            rc = parse_like(o, a, out, err);
            break;
        case PARLEY_LOG:
            rc = parse_log(o, a, out, err);
            break;
        case PARLEY_END: {
            json_t *c = json_object_get(o, "counts");
            if (!json_is_object(c))
                rc = bad(err, "counts", "must be an object");
            else if ((rc = get_count(c, "users", &out->counts.users, err)) == 0 &&
                     (rc = get_count(c, "articles", &out->counts.articles, err)) == 0 &&
                     (rc = get_count(c, "comments", &out->counts.comments, err)) == 0 &&
                     (rc = get_count(c, "flags", &out->counts.flags, err)) == 0 &&
                     (rc = get_count(c, "likes", &out->counts.likes, err)) == 0 &&
                     (rc = get_count(c, "log", &out->counts.log, err)) == 0 &&
                     (rc = get_count_new(c, "sites", &out->counts.sites, err)) == 0 &&
                     (rc = get_count_new(c, "settings", &out->counts.settings, err)) == 0)
                rc = get_count_new(c, "moderator_sites", &out->counts.moderator_sites, err);
            break;
        }
        case PARLEY_SITE:
            rc = parse_site(o, a, out, err);
            break;
        case PARLEY_SETTINGS:
            rc = parse_settings(o, a, out, err);
            break;
        case PARLEY_MODERATOR_SITES:
            rc = parse_moderator_sites(o, a, out, err);
            break;
        }
    }
    json_decref(o);
    return rc;
}

/* ---- importing ------------------------------------------------------------------ */

typedef struct import_ctx {
    store *s; /* NULL in a dry run */
    arena *a; /* per batch */
    parley_import_stats *st;
    /* A dry run has no import map: the ids seen so far stand in for it. */
    arena *keep;
    idmap users, comments, sites;
} import_ctx;

/* The local id an ext id of this kind became; PL_ENOTFOUND when none. */
static int
mapped(import_ctx *x, const char *kind, const char *ext, int64_t *local, pl_error *err)
{
    if (x->s != NULL)
        return store_import_map_get(x->s, kind, ext, local, err);
    idmap *m = strcmp(kind, MAP_USER) == 0   ? &x->users
               : strcmp(kind, MAP_SITE) == 0 ? &x->sites
                                             : &x->comments;
    if (idmap_get(m, ext, local))
        return 0;
    return pl_errorf(err, PL_ENOTFOUND, "not seen");
}

static int
remember(import_ctx *x, const char *kind, const char *ext, int64_t local, pl_error *err)
{
    if (x->s != NULL)
        return store_import_map_put(x->s, kind, ext, local, err);
    if (strcmp(kind, MAP_LOG) != 0)
        idmap_add(strcmp(kind, MAP_USER) == 0   ? &x->users
                  : strcmp(kind, MAP_SITE) == 0 ? &x->sites
                                                : &x->comments,
                  arena_strdup(x->keep, ext), local);
    return 0;
}

static int
import_user(import_ctx *x, parley_record *r, pl_error *err)
{
    int64_t local;
    int rc = mapped(x, MAP_USER, r->ext_id, &local, err);
    if (rc != PL_ENOTFOUND) {
        x->st->skipped += rc == 0;
        return rc;
    }
    x->st->stored.users++;
    if (x->s == NULL)
        return remember(x, MAP_USER, r->ext_id, 1, err);
    store_user existing;
    rc = store_user_by_email(x->s, r->user.email, x->a, &existing, err);
    if (rc == 0) {
        x->st->users_matched++;
        return remember(x, MAP_USER, r->ext_id, existing.id, err);
    }
    if (rc != PL_ENOTFOUND || (rc = store_user_insert(x->s, &r->user, err)) < 0)
        return rc;
    return remember(x, MAP_USER, r->ext_id, r->user.id, err);
}

/* A site by slug: the file's name and origins on the one here, or a new
 * one. */
static int
import_site(import_ctx *x, parley_record *r, pl_error *err)
{
    int64_t local;
    int rc = mapped(x, MAP_SITE, r->ext_id, &local, err);
    if (rc != PL_ENOTFOUND) {
        x->st->skipped += rc == 0;
        return rc;
    }
    x->st->stored.sites++;
    if (x->s == NULL)
        return remember(x, MAP_SITE, r->ext_id, 1, err);
    store_site *v = NULL;
    size_t n = 0;
    if ((rc = store_sites_list(x->s, x->a, &v, &n, err)) < 0)
        return rc;
    local = 0;
    for (size_t i = 0; i < n && local == 0; i++)
        if (strcmp(v[i].slug, r->site.slug) == 0)
            local = v[i].id;
    if (local != 0)
        rc = store_site_update(x->s, local, r->site.name, r->site.origins, err);
    else
        rc = store_site_create(x->s, r->site.slug, r->site.name, r->site.origins, time_now_ms(),
                               &local, err);
    if (rc < 0)
        return rc;
    return remember(x, MAP_SITE, r->ext_id, local, err);
}

/* An article key of the file ("SITE/ID" for a site other than the
 * default) as stored here: SITE becomes the id its site got here (a site
 * the file did not bring stays as written). */
static int
local_key(import_ctx *x, const char **key, pl_error *err)
{
    const char *k = *key;
    size_t d = strspn(k, "0123456789");
    if (x->s == NULL || d == 0 || k[d] != '/')
        return 0;
    int64_t local;
    const char *site = arena_strndup(x->a, k, d);
    int rc = mapped(x, MAP_SITE, site, &local, err);
    if (rc == PL_ENOTFOUND)
        return 0;
    if (rc < 0)
        return rc;
    *key = local == 1 ? arena_strdup(x->a, k + d + 1)
                      : arena_printf(x->a, "%lld/%s", (long long)local, k + d + 1);
    return 0;
}

/* The settings version of the file (the server's, or a site's own), on
 * top of the one in force here. */
static int
import_settings(import_ctx *x, parley_record *r, pl_error *err)
{
    int64_t site = 0;
    int rc;
    if (r->site_ext != NULL) {
        rc = mapped(x, MAP_SITE, r->site_ext, &site, err);
        if (rc == PL_ENOTFOUND)
            return pl_errorf(err, PL_EINVAL, "site %s is not a site earlier in the file",
                             r->site_ext);
        if (rc < 0)
            return rc;
    }
    if (x->s == NULL) {
        x->st->stored.settings++;
        return 0;
    }
    if (site == 1) /* the default site's settings are the server's */
        return pl_errorf(err, PL_EINVAL,
                         "site %s is the default site, whose settings are the server's (a "
                         "settings record without site)",
                         r->site_ext);
    store_settings cur;
    rc = site > 0 ? store_site_settings_get(x->s, site, x->a, &cur, err)
                  : store_settings_get(x->s, x->a, &cur, err);
    if (rc < 0)
        return rc;
    json_t *o = json_loads(cur.body, 0, NULL);
    char *now = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(o);
    bool same = now != NULL && strcmp(now, r->settings) == 0;
    free(now);
    if (same) {
        x->st->skipped++;
        return 0;
    }
    int64_t actor = 0;
    if (r->actor_ext != NULL && (rc = mapped(x, MAP_USER, r->actor_ext, &actor, err)) < 0 &&
        rc != PL_ENOTFOUND)
        return rc;
    x->st->stored.settings++;
    if (rc != 0)
        actor = 0;
    return site > 0
               ? store_site_settings_put(x->s, site, cur.version, r->settings, actor,
                                         r->settings_at, err)
               : store_settings_put(x->s, cur.version, r->settings, actor, r->settings_at, err);
}

/* A moderator's sites, mapped to the ids here, replace the limit the
 * account has here. Idempotent, so not kept in the import map. */
static int
import_moderator_sites(import_ctx *x, parley_record *r, pl_error *err)
{
    int64_t user;
    int rc = mapped(x, MAP_USER, r->user_ext, &user, err);
    if (rc == PL_ENOTFOUND)
        return pl_errorf(err, PL_EINVAL, "user_id %s is not a user earlier in the file",
                         r->user_ext);
    if (rc < 0)
        return rc;
    int64_t *sites = arena_alloc(x->a, r->n_sites * sizeof *sites);
    size_t n = 0;
    for (size_t i = 0; i < r->n_sites; i++) {
        int64_t local;
        if ((rc = mapped(x, MAP_SITE, r->sites_ext[i], &local, err)) == PL_ENOTFOUND)
            return pl_errorf(err, PL_EINVAL, "sites: %s is not a site earlier in the file",
                             r->sites_ext[i]);
        if (rc < 0)
            return rc;
        bool seen = false;
        for (size_t k = 0; k < n && !seen; k++)
            seen = sites[k] == local;
        if (!seen)
            sites[n++] = local;
    }
    x->st->stored.moderator_sites++;
    return x->s == NULL ? 0 : store_moderator_sites_set(x->s, user, sites, n, err);
}

static int
import_article(import_ctx *x, parley_record *r, pl_error *err)
{
    x->st->stored.articles++;
    if (x->s == NULL)
        return 0;
    int rc = local_key(x, &r->article.id, err);
    if (rc < 0)
        return rc;
    store_article_changes up = {0};
    up.title = r->article.title;
    up.url = r->article.url;
    up.text = r->article.text;
    up.has_status = true;
    up.status = r->article.status;
    up.has_sensitive = true;
    up.sensitive = r->article.sensitive;
    up.created_at = r->article.created_at;
    return store_article_update(x->s, r->article.id, &up, err);
}

static int
import_comment(import_ctx *x, parley_record *r, pl_error *err)
{
    store_comment *c = &r->comment;
    int64_t local;
    int rc = mapped(x, MAP_COMMENT, r->ext_id, &local, err);
    if (rc != PL_ENOTFOUND) {
        x->st->skipped += rc == 0;
        return rc;
    }
    if ((rc = mapped(x, MAP_USER, r->author_ext, &c->author_id, err)) == PL_ENOTFOUND)
        return pl_errorf(err, PL_EINVAL, "author_id %s is not a user earlier in the file",
                         r->author_ext);
    if (rc < 0)
        return rc;
    c->parent_id = 0;
    if (r->parent_ext != NULL) {
        rc = mapped(x, MAP_COMMENT, r->parent_ext, &c->parent_id, err);
        if (rc == PL_ENOTFOUND)
            x->st->orphans++; /* stored top-level */
        else if (rc < 0)
            return rc;
    }
    if ((rc = local_key(x, &c->article_id, err)) < 0)
        return rc;
    x->st->stored.comments++;
    int64_t *by_status[] = {&x->st->published, &x->st->pending, &x->st->rejected, &x->st->deleted,
                            &x->st->hidden};
    (*by_status[c->status])++;
    if (x->s == NULL)
        return remember(x, MAP_COMMENT, r->ext_id, 1, err);
    c->html = md_render_html(x->a, c->body, strlen(c->body));
    if ((rc = store_comment_insert(x->s, c, err)) < 0)
        return rc == PL_ENOTFOUND
                   ? pl_errorf(err, PL_EINVAL, "parent_id %s is in another article", r->parent_ext)
                   : rc;
    if (c->moderator_reason[0] != '\0' &&
        (rc = store_comment_set_state(x->s, c->id, c->status, c->featured, c->moderator_reason,
                                      err)) < 0)
        return rc;
    return remember(x, MAP_COMMENT, r->ext_id, c->id, err);
}

/* A flag's or like's comment and user, which the file must have brought. */
static int
refs(import_ctx *x, parley_record *r, int64_t *comment, int64_t *user, pl_error *err)
{
    int rc = mapped(x, MAP_COMMENT, r->comment_ext, comment, err);
    if (rc == PL_ENOTFOUND)
        return pl_errorf(err, PL_EINVAL, "comment_id %s is not a comment earlier in the file",
                         r->comment_ext);
    if (rc < 0)
        return rc;
    rc = mapped(x, MAP_USER, r->user_ext, user, err);
    if (rc == PL_ENOTFOUND)
        return pl_errorf(err, PL_EINVAL, "user_id %s is not a user earlier in the file",
                         r->user_ext);
    return rc;
}

static int
import_flag(import_ctx *x, parley_record *r, pl_error *err)
{
    store_export_flag *f = &r->flag;
    int64_t local;
    int rc;
    if (x->s != NULL) {
        rc = store_import_map_get(x->s, MAP_FLAG, r->ext_id, &local, err);
        if (rc != PL_ENOTFOUND) {
            x->st->skipped += rc == 0;
            return rc;
        }
    }
    if ((rc = refs(x, r, &f->comment_id, &f->user_id, err)) < 0)
        return rc;
    x->st->stored.flags++;
    if (x->s == NULL)
        return 0;
    /* The same reader flagging the same comment twice cannot happen in one
     * site; from two merged sites the first flag stands. */
    rc = store_flag_restore(x->s, f, err);
    if (rc == PL_ECONFLICT) {
        x->st->stored.flags--;
        x->st->skipped++;
    } else if (rc < 0) {
        return rc;
    }
    return store_import_map_put(x->s, MAP_FLAG, r->ext_id, f->id, err);
}

static int
import_like(import_ctx *x, parley_record *r, pl_error *err)
{
    int rc = refs(x, r, &r->like.comment_id, &r->like.user_id, err);
    if (rc < 0)
        return rc;
    x->st->stored.likes++; /* restoring a like that exists changes nothing */
    return x->s != NULL ? store_like_restore(x->s, &r->like, err) : 0;
}

static int
import_log(import_ctx *x, parley_record *r, pl_error *err)
{
    store_log_entry *e = &r->log;
    int64_t local;
    int rc;
    if (x->s != NULL) {
        rc = store_import_map_get(x->s, MAP_LOG, r->ext_id, &local, err);
        if (rc != PL_ENOTFOUND) {
            x->st->skipped += rc == 0;
            return rc;
        }
    }
    x->st->stored.log++;
    if (x->s == NULL)
        return 0;
    /* Ids in the entry are the source site's: name what they became here
     * when the file brought it (an unknown one stays as written). */
    e->actor_id = 0;
    if (r->actor_ext != NULL && (rc = mapped(x, MAP_USER, r->actor_ext, &e->actor_id, err)) < 0 &&
        rc != PL_ENOTFOUND)
        return rc;
    const char *kind = strcmp(e->target_type, "comment") == 0 ? MAP_COMMENT
                       : strcmp(e->target_type, "user") == 0  ? MAP_USER
                                                              : NULL;
    if (kind != NULL) {
        rc = mapped(x, kind, e->target_id, &local, err);
        if (rc == 0)
            e->target_id = arena_printf(x->a, "%lld", (long long)local);
        else if (rc != PL_ENOTFOUND)
            return rc;
    } else if (strcmp(e->target_type, "article") == 0 &&
               (rc = local_key(x, &e->target_id, err)) < 0) {
        return rc;
    } else if (strcmp(e->target_type, "site") == 0 &&
               (rc = mapped(x, MAP_SITE, e->target_id, &local, err)) != PL_ENOTFOUND) {
        if (rc < 0)
            return rc;
        e->target_id = arena_printf(x->a, "%lld", (long long)local);
    }
    if ((rc = store_log_append(x->s, e, err)) < 0)
        return rc;
    return store_import_map_put(x->s, MAP_LOG, r->ext_id, 1, err);
}

static int
import_record(import_ctx *x, parley_record *r, pl_error *err)
{
    switch (r->kind) {
    case PARLEY_USER:
        x->st->read.users++;
        return import_user(x, r, err);
    case PARLEY_ARTICLE:
        x->st->read.articles++;
        return import_article(x, r, err);
    case PARLEY_COMMENT:
        x->st->read.comments++;
        return import_comment(x, r, err);
    case PARLEY_FLAG:
        x->st->read.flags++;
        return import_flag(x, r, err);
    case PARLEY_LIKE:
        x->st->read.likes++;
        return import_like(x, r, err);
    case PARLEY_LOG:
        x->st->read.log++;
        return import_log(x, r, err);
    case PARLEY_SITE:
        x->st->read.sites++;
        return import_site(x, r, err);
    case PARLEY_SETTINGS:
        x->st->read.settings++;
        return import_settings(x, r, err);
    case PARLEY_MODERATOR_SITES:
        x->st->read.moderator_sites++;
        return import_moderator_sites(x, r, err);
    case PARLEY_HEADER:
        return pl_errorf(err, PL_EINVAL, "a second header");
    case PARLEY_END:
        break;
    }
    return pl_errorf(err, PL_EINVAL, "a record after the end record");
}

/* Reads one line into *buf (grown as needed, at most PARLEY_MAX_LINE).
 * Returns its length, -1 at the end of the file, -2 when too long, -3 on a
 * read error. */
static long
read_line(FILE *in, char **buf, size_t *cap)
{
    size_t n = 0;
    int ch;
    while ((ch = getc(in)) != EOF && ch != '\n') {
        if (n + 1 >= *cap) {
            if (*cap >= PARLEY_MAX_LINE)
                return -2;
            *cap = *cap ? *cap * 2 : 4096;
            *buf = realloc(*buf, *cap);
            if (*buf == NULL)
                abort();
        }
        (*buf)[n++] = (char)ch;
    }
    if (ferror(in))
        return -3;
    if (ch == EOF && n == 0)
        return -1;
    if (*buf == NULL) {
        *cap = 16;
        *buf = malloc(*cap);
        if (*buf == NULL)
            abort();
    }
    (*buf)[n] = '\0';
    return (long)n;
}

int
parley_import(store *s, FILE *in, bool dry_run, parley_import_stats *st, size_t *line,
              pl_error *err)
{
    import_ctx x = {0};
    char *buf = NULL;
    size_t cap = 0, in_batch = 0;
    bool header = false, end = false, open = false;
    int rc = 0;
    memset(st, 0, sizeof *st);
    x.s = dry_run ? NULL : s;
    x.st = st;
    x.a = arena_new();
    x.keep = arena_new();
    *line = 0;
    for (;;) {
        long n = read_line(in, &buf, &cap);
        if (n == -1)
            break;
        ++*line;
        if (n == -2) {
            rc = pl_errorf(err, PL_EINVAL, "longer than %u bytes", PARLEY_MAX_LINE);
            break;
        }
        if (n == -3) {
            rc = pl_errorf(err, PL_EIO, "cannot read the file");
            break;
        }
        if (n == 0)
            continue; /* a blank line */
        parley_record r;
        if ((rc = parley_parse_line(buf, (size_t)n, x.a, &r, err)) < 0)
            break;
        if (!header) {
            if (r.kind != PARLEY_HEADER) {
                rc = pl_errorf(err, PL_EINVAL, "not a Parley export (no header line)");
                break;
            }
            if (r.version < PARLEY_FORMAT_MIN || r.version > PARLEY_FORMAT_VERSION) {
                rc = pl_errorf(err, PL_EINVAL, "format version %lld; this program reads %d to %d",
                               (long long)r.version, PARLEY_FORMAT_MIN, PARLEY_FORMAT_VERSION);
                break;
            }
            header = true;
            continue;
        }
        if (end) {
            rc = pl_errorf(err, PL_EINVAL, "a record after the end record");
            break;
        }
        if (r.kind == PARLEY_END) {
            end = true;
            if (memcmp(&r.counts, &st->read, sizeof r.counts) != 0) {
                rc = pl_errorf(err, PL_EINVAL,
                               "the end record counts %lld users, %lld articles, %lld comments, "
                               "%lld flags, %lld likes, %lld log entries, %lld sites, %lld "
                               "settings and %lld moderators' sites, but the file has %lld, "
                               "%lld, %lld, %lld, %lld, %lld, %lld, %lld and %lld",
                               (long long)r.counts.users, (long long)r.counts.articles,
                               (long long)r.counts.comments, (long long)r.counts.flags,
                               (long long)r.counts.likes, (long long)r.counts.log,
                               (long long)r.counts.sites, (long long)r.counts.settings,
                               (long long)r.counts.moderator_sites, (long long)st->read.users,
                               (long long)st->read.articles, (long long)st->read.comments,
                               (long long)st->read.flags, (long long)st->read.likes,
                               (long long)st->read.log, (long long)st->read.sites,
                               (long long)st->read.settings, (long long)st->read.moderator_sites);
                break;
            }
            continue;
        }
        if (x.s != NULL && !open) {
            if ((rc = store_begin(x.s, err)) < 0)
                break;
            open = true;
        }
        if ((rc = import_record(&x, &r, err)) < 0)
            break;
        if (++in_batch == PARLEY_BATCH) {
            in_batch = 0;
            if (open) {
                open = false;
                if ((rc = store_commit(x.s, err)) < 0) {
                    store_rollback(x.s);
                    break;
                }
            }
            arena_reset(x.a);
        }
    }
    if (open) {
        if (rc < 0)
            store_rollback(x.s);
        else if ((rc = store_commit(x.s, err)) < 0)
            store_rollback(x.s);
    }
    if (rc == 0 && !header)
        rc = pl_errorf(err, PL_EINVAL, "empty file: not a Parley export");
    else if (rc == 0 && !end)
        rc = pl_errorf(err, PL_EINVAL, "the file ends before its end record (cut short?)");
    free(buf);
    idmap_fini(&x.users);
    idmap_fini(&x.comments);
    idmap_fini(&x.sites);
    arena_free(x.keep);
    arena_free(x.a);
    return rc;
}
