/* api/common.c: input checks, JSON shapes and the status table shared by
 * the handlers (see api_int.h). */
#include "api/api_int.h"
#include "mail/mail.h"
#include "util/log.h"
#include "util/text.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* PL_E* -> HTTP status and API error code: the one table. */
static const struct {
    int rc;
    int status;
    const char *code;
    const char *message;
} rc_table[] = {
    {PL_EINVAL, 400, "invalid_field", "The request is not valid."},
    {PL_ENOTFOUND, 404, "not_found", "That does not exist."},
    {PL_ECONFLICT, 409, "conflict", "That already exists."},
    {PL_EFORBIDDEN, 403, "forbidden", "You are not allowed to do that."},
    {PL_ECLOSED, 423, "comments_closed", "Comments on this article are closed."},
    {PL_ETOOLARGE, 413, "too_large", "That is too large."},
    {PL_EBUSY, 503, "busy", "The server is busy; try again in a moment."},
    {PL_ERATE, 429, "rate_limited", "Too many requests; please wait and try again."},
    {PL_ESTORE, 500, "internal",
     "The server could not save this; nothing was stored. Please try again."},
};

bool
api_page_rows(req *r, int rc, const pl_error *err, size_t *n, int64_t limit, bool *more)
{
    if (rc < 0) {
        api_send_rc(r, rc, err);
        return false;
    }
    *more = *n > (size_t)limit;
    if (*more)
        *n = (size_t)limit;
    return true;
}

void
api_send_rc(req *r, int rc, const pl_error *err)
{
    for (size_t i = 0; i < sizeof rc_table / sizeof rc_table[0]; i++) {
        if (rc_table[i].rc != rc)
            continue;
        /* Storage errors carry database details: log them, never send them. */
        const char *msg = rc_table[i].message;
        if (rc != PL_ESTORE && err != NULL && err->msg[0] != '\0')
            msg = err->msg;
        req_send_error(r, rc_table[i].status, rc_table[i].code, msg, NULL, NULL);
        return;
    }
    req_send_error(r, 500, "internal", "Something went wrong on the server.", NULL, NULL);
}

json_t *
api_body_object(req *r, const char *const *allowed)
{
    if (r->body_len == 0) {
        req_send_error(r, 400, "bad_json", "The request needs a JSON object body.", NULL, NULL);
        return NULL;
    }
    if (!utf8_valid(r->body, r->body_len)) {
        req_send_error(r, 400, "invalid_utf8", "The request body is not valid UTF-8.", NULL, NULL);
        return NULL;
    }
    json_error_t jerr;
    json_t *o = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
    if (o == NULL) {
        char msg[300];
        snprintf(msg, sizeof msg, "The request body is not valid JSON (%s at line %d, column %d).",
                 jerr.text, jerr.line, jerr.column);
        req_send_error(r, 400, "bad_json", msg, NULL, NULL);
        return NULL;
    }
    if (!json_is_object(o)) {
        json_decref(o);
        req_send_error(r, 400, "bad_json", "The request body must be a JSON object.", NULL, NULL);
        return NULL;
    }
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v)
    {
        bool ok = false;
        for (size_t i = 0; allowed[i] != NULL; i++)
            if (strcmp(allowed[i], key) == 0)
                ok = true;
        if (!ok) {
            char msg[200];
            snprintf(msg, sizeof msg, "Unknown field '%.60s' for this request.", key);
            req_send_error(r, 400, "invalid_field", msg, key, NULL);
            json_decref(o);
            return NULL;
        }
    }
    return o;
}

static bool
string_field(req *r, json_t *o, const char *field, size_t max_chars, bool multiline,
             bool too_large_413, bool required, const char **out)
{
    char msg[200];
    json_t *v = json_object_get(o, field);
    *out = NULL;
    if (v == NULL || json_is_null(v)) {
        if (!required)
            return true;
        snprintf(msg, sizeof msg, "The field '%s' is required.", field);
        req_send_error(r, 400, "invalid_field", msg, field, NULL);
        return false;
    }
    if (!json_is_string(v)) {
        snprintf(msg, sizeof msg, "The field '%s' must be a string.", field);
        req_send_error(r, 400, "invalid_field", msg, field, NULL);
        return false;
    }
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == 0 || (c < 0x20 && !(multiline && (c == '\n' || c == '\r' || c == '\t'))) ||
            c == 0x7f) {
            snprintf(msg, sizeof msg, "The field '%s' contains a control character.", field);
            req_send_error(r, 400, "invalid_field", msg, field, NULL);
            return false;
        }
    }
    size_t chars = utf8_length(s, n);
    if (chars > max_chars) {
        snprintf(msg, sizeof msg, "The field '%s' is longer than %zu characters.", field,
                 max_chars);
        req_send_error(r, too_large_413 ? 413 : 400, too_large_413 ? "too_large" : "invalid_field",
                       msg, field, NULL);
        return false;
    }
    if (required) {
        size_t k = 0;
        while (k < n && (s[k] == ' ' || s[k] == '\n' || s[k] == '\r' || s[k] == '\t'))
            k++;
        if (k == n) {
            snprintf(msg, sizeof msg, "The field '%s' must not be empty.", field);
            req_send_error(r, 400, "invalid_field", msg, field, NULL);
            return false;
        }
    }
    *out = arena_strndup(r->a, s, n);
    return true;
}

bool
api_opt_string(req *r, json_t *o, const char *field, size_t max_chars, bool multiline,
               bool too_large_413, const char **out)
{
    return string_field(r, o, field, max_chars, multiline, too_large_413, false, out);
}

bool
api_req_string(req *r, json_t *o, const char *field, size_t max_chars, bool multiline,
               bool too_large_413, const char **out)
{
    return string_field(r, o, field, max_chars, multiline, too_large_413, true, out);
}

bool
api_require_user(req *r)
{
    if (r->user != NULL)
        return true;
    req_send_error(r, 401, "login_required", "Please log in first.", NULL, NULL);
    return false;
}

static bool
ban_in_force(const store_user *u, int64_t now)
{
    return u->banned && (u->banned_until == 0 || u->banned_until > now);
}

bool
api_user_mail(req *r, store_user_mail *out)
{
    pl_error err;
    if (store_user_mail_get(req_store(r), r->user->id, out, &err) == 0)
        return true;
    log_error("msg=\"mail settings lookup failed\" error=\"%s\"", err.msg);
    api_send_rc(r, PL_ESTORE, NULL);
    return false;
}

/* With require_verified_email (and mail on), a reader who signed up with a
 * password writes only once the address is confirmed. Staff, and accounts
 * that came through the publisher's single sign-on (no password), are
 * vouched for by the publisher. */
static bool
verified_enough(req *r)
{
    const config *cfg = req_config(r);
    const store_user *u = r->user;
    if (!cfg->require_verified_email || !mail_enabled(cfg) || u->role != ROLE_READER ||
        u->pw_hash == NULL || u->pw_hash[0] == '\0')
        return true;
    store_user_mail m;
    if (!api_user_mail(r, &m))
        return false;
    if (!m.email_verified)
        req_send_error(r, 403, "unverified",
                       "Please confirm your e-mail address first: open the link we mailed you "
                       "(you can ask for a new one).",
                       NULL, NULL);
    return m.email_verified;
}

bool
api_require_writer(req *r)
{
    if (!api_require_user(r))
        return false;
    const store_user *u = r->user;
    if (!ban_in_force(u, r->now))
        return verified_enough(r);
    const char *reason = u->ban_reason && u->ban_reason[0] ? u->ban_reason : "no reason given";
    char msg[600];
    if (u->banned_until == 0) {
        snprintf(msg, sizeof msg, "Your account is banned from commenting. Reason: %s", reason);
        req_send_error(r, 403, "banned", msg, NULL,
                       json_pack("{s:n, s:s}", "banned_until", "reason", reason));
        return false;
    }
    if (u->banned_until > r->now) {
        char when[32];
        time_format_rfc3339(u->banned_until, when);
        snprintf(msg, sizeof msg, "Your account is suspended until %s. Reason: %s", when, reason);
        req_send_error(r, 403, "suspended", msg, NULL,
                       json_pack("{s:s, s:s}", "banned_until", when, "reason", reason));
        return false;
    }
    return verified_enough(r); /* the suspension is over */
}

void
api_email_hash(const char *email, unsigned char out[STORE_TOKEN_HASH_LEN])
{
    static const char prefix[] = "parley email ban\n";
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const unsigned char *)prefix, sizeof prefix - 1);
    for (const char *p = email; *p; p++) {
        unsigned char c = (unsigned char)tolower((unsigned char)*p);
        crypto_hash_sha256_update(&st, &c, 1);
    }
    crypto_hash_sha256_final(&st, out);
}

int
api_keep_ban(store *s, const store_user *u, int64_t now, pl_error *err)
{
    if (!u->banned || (u->banned_until != 0 && u->banned_until <= now) || u->email == NULL)
        return 0;
    unsigned char hash[STORE_TOKEN_HASH_LEN];
    api_email_hash(u->email, hash);
    return store_email_ban_set(s, hash, u->banned_until, u->ban_reason ? u->ban_reason : "", err);
}

int
api_kept_ban(store *s, const char *email, int64_t now, arena *a, store_user *u, pl_error *err)
{
    unsigned char hash[STORE_TOKEN_HASH_LEN];
    api_email_hash(email, hash);
    int64_t until;
    const char *reason;
    int rc = store_email_ban_get(s, hash, now, a, &until, &reason, err);
    if (rc == PL_ENOTFOUND)
        return 0;
    if (rc < 0)
        return rc;
    if (u->banned && (u->banned_until == 0 || (until != 0 && u->banned_until >= until)))
        return 0; /* what the account carries already lasts as long */
    u->banned = true;
    u->banned_until = until;
    u->ban_reason = reason;
    return 1;
}

bool
api_require_moderator(req *r)
{
    if (!api_require_user(r))
        return false;
    if (r->user->role != ROLE_MODERATOR && r->user->role != ROLE_ADMIN) {
        req_send_error(r, 403, "forbidden", "Only moderators can do that.", NULL, NULL);
        return false;
    }
    /* A banned or suspended moderator or admin keeps the role (an admin
     * can lift the ban) but may not act with it meanwhile. */
    return api_require_writer(r);
}

/* True when url is http(s) on one of the site's own origins: only the
 * publisher's own pages can name an article's address. */
bool
api_own_url(req *r, const char *url)
{
    const char *origin = api_url_origin(r, url);
    return origin != NULL && req_origin_allowed(r, origin);
}

const char *
api_url_origin(req *r, const char *url)
{
    const char *rest = strncmp(url, "https://", 8) == 0  ? url + 8
                       : strncmp(url, "http://", 7) == 0 ? url + 7
                                                         : NULL;
    if (rest == NULL)
        return NULL;
    size_t host = strcspn(rest, "/?#");
    if (host == 0)
        return NULL;
    return arena_strndup(r->a, url, (size_t)(rest - url) + host);
}

bool
api_comment_id(req *r, const char *s, int64_t *id)
{
    if (parse_int(s, 1, INT64_MAX, id) == 0)
        return true;
    req_send_error(r, 404, "not_found", "There is no such comment.", NULL, NULL);
    return false;
}

bool
api_article_id(req *r, const char *s)
{
    if (article_id_valid(s))
        return true;
    req_send_error(r, 400, "invalid_field",
                   "An article id is 1 to 128 characters of letters, digits and . _ : -",
                   "article_id", NULL);
    return false;
}

json_t *
api_time(int64_t ms)
{
    if (ms == 0)
        return json_null();
    char buf[32];
    time_format_rfc3339(ms, buf);
    return json_string(buf);
}

json_t *
api_id(int64_t id)
{
    char buf[24];
    snprintf(buf, sizeof buf, "%lld", (long long)id);
    return json_string(buf);
}

static json_t *
id_json(int64_t id)
{
    return id == 0 ? json_null() : api_id(id);
}

const char *
api_comment_status_name(store_comment_status s)
{
    switch (s) {
    case COMMENT_PUBLISHED:
        return "published";
    case COMMENT_PENDING:
        return "pending";
    case COMMENT_REJECTED:
        return "rejected";
    case COMMENT_DELETED:
        return "deleted";
    case COMMENT_HIDDEN:
        return "hidden";
    }
    return "published";
}

const char *
api_article_status_name(store_article_status s)
{
    switch (s) {
    case ARTICLE_OPEN:
        return "open";
    case ARTICLE_PREMODERATED:
        return "premoderated";
    case ARTICLE_CLOSED:
        return "closed";
    }
    return "open";
}

json_t *
api_comment_json(const store_comment *c)
{
    bool deleted = c->status == COMMENT_DELETED;
    json_t *author = deleted ? json_null()
                             : json_pack("{s:o, s:s, s:s}", "id", id_json(c->author_id), "name",
                                         c->author_name ? c->author_name : "", "role",
                                         store_role_name(c->author_role));
    return json_pack("{s:o, s:o, s:o, s:s, s:o, s:o, s:s, s:I, s:b, s:I, s:b, s:[]}", "id",
                     id_json(c->id), "parent_id", id_json(c->parent_id), "author", author, "html",
                     deleted || c->html == NULL ? "" : c->html, "created_at",
                     api_time(c->created_at), "edited_at", api_time(c->edited_at), "status",
                     api_comment_status_name(c->status), "likes", (json_int_t)c->likes,
                     "liked_by_me", c->liked_by_me, "reply_count", (json_int_t)c->reply_count,
                     "featured", c->featured, "replies");
}

json_t *
api_user_json(const store_user *u, int64_t now)
{
    json_t *until;
    bool banned = u->banned && (u->banned_until == 0 || u->banned_until > now);
    until = banned && u->banned_until > 0 ? api_time(u->banned_until) : json_null();
    json_t *o =
        json_pack("{s:o, s:s, s:s, s:o, s:b}", "id", id_json(u->id), "name", u->name, "role",
                  store_role_name(u->role), "banned_until", until, "banned", banned);
    if (banned && u->ban_reason)
        json_object_set_new(o, "ban_reason", json_string(u->ban_reason));
    return o;
}

void
api_send_signed_in(req *r, int status, const char *token, const store_user *u)
{
    session_set_cookie(r, token);
    req_send_json(r, status, json_pack("{s:o}", "user", api_user_json(u, r->now)));
}

json_t *
api_article_json(const store_article *a)
{
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:b, s:I}", "id", api_article_public(a->id),
                          "title", a->title ? a->title : "", "url", a->url ? a->url : "", "status",
                          api_article_status_name(a->status), "sensitive", a->sensitive,
                          "comment_count", (json_int_t)a->comment_count);
    api_site_field(o, a->id);
    return o;
}
