/* api/router.c: the table of /api/v1 routes.
 *
 * A pattern is a path of literal segments and "*" (one segment, passed to the
 * handler). An unknown path gets 404 not_found; a known path with the wrong
 * method gets 405 with Allow.
 */
#include "api/api_int.h"

#include <event2/http.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct route {
    int method;
    const char *pattern;
    void (*handler)(req *r, const route_args *a);
} route;

static const route routes[] = {
    {HTTP_GET, "articles/*", api_article_get},
    {HTTP_PUT, "articles/*", api_article_put},
    {HTTP_GET, "articles/*/comments", api_comments_list},
    {HTTP_POST, "articles/*/comments", api_comment_post},
    {HTTP_GET, "articles/*/events", api_events},
    {HTTP_PATCH, "comments/*", api_comment_patch},
    {HTTP_DELETE, "comments/*", api_comment_delete},
    {HTTP_GET, "comments/*/replies", api_comment_replies},
    {HTTP_POST, "comments/*/likes", api_like_post},
    {HTTP_DELETE, "comments/*/likes", api_like_delete},
    {HTTP_POST, "comments/*/flags", api_flag_post},
    {HTTP_GET, "counts", api_counts},
    {HTTP_GET, "guide", api_guide},
    {HTTP_POST, "check", api_check},
    {HTTP_POST, "auth/register", api_register},
    {HTTP_GET, "pow", api_pow_challenge},
    {HTTP_POST, "auth/login", api_login},
    {HTTP_POST, "auth/logout", api_logout},
    {HTTP_GET, "me", api_me},
    {HTTP_PATCH, "me", api_me_patch},
    {HTTP_GET, "mod/queue", api_mod_queue},
    {HTTP_POST, "mod/comments/*/decision", api_mod_decision},
    {HTTP_POST, "mod/users/*/ban", api_mod_ban},
    {HTTP_DELETE, "mod/users/*/ban", api_mod_unban},
    {HTTP_GET, "mod/log", api_mod_log},
    {HTTP_GET, "mod/counts", api_mod_counts},
    {HTTP_POST, "mod/undo", api_mod_undo},
    {HTTP_POST, "mod/users/*/role", api_mod_role},
    {HTTP_GET, "mod/users/*", api_mod_user},
    {HTTP_DELETE, "mod/users/*", api_mod_user_delete},
    {HTTP_GET, "mod/users", api_mod_users},
    {HTTP_POST, "mod/users/*/notes", api_mod_user_note},
    {HTTP_PUT, "mod/users/*/sites", api_mod_user_sites_put},
    {HTTP_GET, "mod/articles", api_mod_articles},
    {HTTP_POST, "mod/articles/close", api_mod_articles_close},
    {HTTP_GET, "mod/search", api_mod_search},
    {HTTP_GET, "mod/stats", api_mod_stats},
    {HTTP_GET, "mod/settings", api_mod_settings_get},
    {HTTP_PUT, "mod/settings", api_mod_settings_put},
    {HTTP_POST, "mod/settings/preview", api_mod_settings_preview},
    {HTTP_POST, "mod/pages/preview", api_mod_pages_preview},
    {HTTP_GET, "mod/sites", api_mod_sites_get},
    {HTTP_POST, "mod/sites", api_mod_sites_post},
    {HTTP_PATCH, "mod/sites/*", api_mod_site_patch},
    {HTTP_GET, "me/mutes", api_mutes_get},
    {HTTP_PUT, "me/mutes/*", api_mute_put},
    {HTTP_DELETE, "me/mutes/*", api_mute_delete},
    {HTTP_GET, "me/comments", api_me_comments},
    {HTTP_GET, "me/export", api_me_export},
    {HTTP_DELETE, "me", api_me_delete},
    {HTTP_POST, "auth/sso", api_sso},
    {HTTP_GET, "auth/oidc", api_oidc_list},
    {HTTP_GET, "auth/oidc/*/start", api_oidc_start},
    {HTTP_GET, "auth/oidc/*/callback", api_oidc_callback},
    {HTTP_POST, "auth/password/forgot", api_password_forgot},
    {HTTP_POST, "auth/password/reset", api_password_reset},
    {HTTP_POST, "me/password", api_me_password},
    {HTTP_POST, "auth/verify", api_verify},
    {HTTP_POST, "auth/verify/resend", api_verify_resend},
    {HTTP_GET, "me/notifications", api_notifications_get},
    {HTTP_PUT, "me/notifications", api_notifications_put},
    {HTTP_POST, "unsubscribe", api_unsubscribe},
    {HTTP_GET, "mod/webhooks", api_mod_webhooks},
    {HTTP_POST, "mod/webhooks/test", api_mod_webhook_test},
};

static const char *
method_name(int m)
{
    switch (m) {
    case HTTP_GET:
        return "GET";
    case HTTP_POST:
        return "POST";
    case HTTP_PUT:
        return "PUT";
    case HTTP_PATCH:
        return "PATCH";
    case HTTP_DELETE:
        return "DELETE";
    default:
        return "";
    }
}

/* Splits the raw (still percent-encoded) rest of the path into decoded
 * segments, so an encoded slash stays inside its segment ("a%2Fb" is one
 * id, refused by the id check, not two segments). False when there are too
 * many, an empty one ("a//b", trailing slash) or one that decodes to a NUL. */
static bool
split(req *r, const char *rest, route_args *out)
{
    out->n = 0;
    const char *p = rest;
    while (*p) {
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t)(slash - p) : strlen(p);
        if (len == 0 || out->n == API_MAX_SEGS)
            return false;
        if (memchr(p, '%', len) == NULL) {
            out->seg[out->n++] = arena_strndup(r->a, p, len); /* nothing to decode */
        } else {
            char *raw = arena_strndup(r->a, p, len);
            size_t dlen = 0;
            char *dec = evhttp_uridecode(raw, 0, &dlen);
            if (dec == NULL || strlen(dec) != dlen) {
                free(dec);
                return false;
            }
            out->seg[out->n++] = arena_strdup(r->a, dec);
            free(dec);
        }
        if (!slash)
            break;
        p = slash + 1;
        if (*p == '\0')
            return false;
    }
    return out->n > 0;
}

/* Walks the pattern in place: every request tries several routes, so no
 * copies and no tokenising. */
static bool
match(const char *pattern, const route_args *path, route_args *args)
{
    args->n = 0;
    int i = 0;
    for (const char *p = pattern; *p != '\0';) {
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t)(slash - p) : strlen(p);
        if (i == path->n)
            return false;
        if (len == 1 && *p == '*')
            args->seg[args->n++] = path->seg[i];
        else if (strncmp(path->seg[i], p, len) != 0 || path->seg[i][len] != '\0')
            return false;
        i++;
        if (slash == NULL)
            break;
        p = slash + 1;
    }
    return i == path->n;
}

int
api_route_count(void)
{
    return (int)(sizeof routes / sizeof routes[0]);
}

void
api_route_name(int i, char *buf, size_t n)
{
    snprintf(buf, n, "%s /api/v1/%s", method_name(routes[i].method), routes[i].pattern);
}

void
api_dispatch(req *r)
{
    route_args path;
    if (r->method == HTTP_HEAD)
        r->method = HTTP_GET; /* answered without a body by the sender */
    if (strncmp(r->raw_path, "/api/v1/", 8) != 0 || !split(r, r->raw_path + 8, &path)) {
        req_send_error(r, 404, "not_found", "There is no API endpoint at this address.", NULL,
                       NULL);
        return;
    }
    char allow[64] = "";
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        route_args args;
        if (!match(routes[i].pattern, &path, &args))
            continue;
        if (routes[i].method == r->method) {
            r->route = ROUTE_API + (int)i;
            /* A thread page reads the session with the reader's layer of
             * the article (req_session_layer). */
            if (routes[i].handler != api_comments_list)
                req_load_session(r);
            routes[i].handler(r, &args);
            return;
        }
        if (allow[0])
            strncat(allow, ", ", sizeof allow - strlen(allow) - 1);
        strncat(allow, method_name(routes[i].method), sizeof allow - strlen(allow) - 1);
    }
    if (allow[0]) {
        req_add_header(r, "Allow", allow);
        req_send_error(r, 405, "method_not_allowed", "This endpoint does not accept that method.",
                       NULL, NULL);
        return;
    }
    req_send_error(r, 404, "not_found", "There is no API endpoint at this address.", NULL, NULL);
}
