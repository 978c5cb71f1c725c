/* api/api_int.h: helpers shared by the handlers of api/: input checks that
 * answer the API's errors, the COMMENT and USER JSON shapes, and the map from
 * PL_E* codes to HTTP statuses. A helper that returns false (or NULL) has
 * already sent the error response; the handler just returns. */
#ifndef PARLEY_API_API_INT_H
#define PARLEY_API_API_INT_H

#include <jansson.h>
#include <stdbool.h>

#include "api/api.h"
#include "app/site.h"
#include "app/views.h"

/* Path segments after /api/v1/ ("articles", "abc", "comments"). */
#define API_MAX_SEGS 6
typedef struct route_args {
    const char *seg[API_MAX_SEGS];
    int n;
} route_args;

/* Sends the error that matches rc (PL_E*), with err's message when set. */
void api_send_rc(req *r, int rc, const pl_error *err);

/* Paging by one row more: the lists whose store call is asked for
 * API_PAGE_ASK(limit) rows, so that an extra row says a next page exists.
 * After that call (rc, err): on an error sends it and returns false; else
 * cuts *n, the rows fetched, to limit and sets *more when there is a next
 * page (its cursor then comes from row *n - 1). */
#define API_PAGE_ASK(limit) ((int)(limit) + 1)
bool api_page_rows(req *r, int rc, const pl_error *err, size_t *n, int64_t limit, bool *more);

/* Parses the body as a JSON object whose keys are all in allowed (NULL-
 * terminated). Sends 400 bad_json / invalid_utf8 / invalid_field. */
json_t *api_body_object(req *r, const char *const *allowed);

/* Reads an optional string field: absent or null leaves *out NULL. A wrong
 * type, invalid text (NUL, control characters when !multiline) or more
 * than max_chars characters sends 400 invalid_field (413 too_large when
 * too_large_413). */
bool api_opt_string(req *r, json_t *o, const char *field, size_t max_chars, bool multiline,
                    bool too_large_413, const char **out);
/* As api_opt_string, but the field must be present and not empty. */
bool api_req_string(req *r, json_t *o, const char *field, size_t max_chars, bool multiline,
                    bool too_large_413, const char **out);

/* Session checks: 401 login_required; 403 banned / suspended for writes. */
bool api_require_user(req *r);
bool api_require_writer(req *r);
/* Moderators and admins; a banned or suspended one gets 403 banned /
 * suspended, like any writer. */
bool api_require_moderator(req *r);

/* True when url is an http(s) URL on one of the site's own origins. */
bool api_own_url(req *r, const char *url);
/* The origin ("https://host:port") of an http(s) url, from r's arena; NULL
 * for any other url or one with no host. */
const char *api_url_origin(req *r, const char *url);
/* Parses a comment id from the path; 404 when it cannot name a comment. */
bool api_comment_id(req *r, const char *s, int64_t *id);
/* Checks an article id; 400 invalid_field when malformed. */
bool api_article_id(req *r, const char *s);

/* Bans that outlive an account (store_email_ban_set). api_email_hash is
 * the SHA-256 of the lower-cased address under a fixed prefix. api_keep_ban
 * keeps u's ban, if one is in force, on its address (before the account is
 * deleted). api_kept_ban finds a kept ban on email and, when it outlasts
 * u's own, puts it on u (the caller stores it) and returns 1; 0 when
 * nothing changed. */
void api_email_hash(const char *email, unsigned char out[STORE_TOKEN_HASH_LEN]);
int api_keep_ban(store *s, const store_user *u, int64_t now, pl_error *err);
int api_kept_ban(store *s, const char *email, int64_t now, arena *a, store_user *u, pl_error *err);

/* Sites (api/sites.c, docs/SITES.md). api_site is the site the request
 * acts for: its `site` parameter (a slug; 404 site_not_found when none has
 * it), else the site whose origins hold the request's Origin, else the
 * default site (id 1); a `site` that is not the Origin's site gets 403
 * cross_origin. NULL when the error was sent. */
const store_site *api_site(req *r);
/* The config and the engine of site_id in force: the server's with the
 * site's own settings (docs/SITES.md). The config on any thread (a write
 * step may ask; configs are kept until exit); the engine on the loop, while
 * the request runs. */
const config *api_site_config(req *r, int64_t site_id);
const moderation *api_site_moderation(req *r, int64_t site_id);
/* The stored key of article id in site: the id itself in the default site,
 * "SITE_ID/" + id in another (ids cannot hold '/'), from r's arena. */
const char *api_article_key(req *r, const store_site *site, const char *id);
/* The article id as the API shows it: a stored key without its site. */
const char *api_article_public(const char *key);
/* The id of the site a stored article key belongs to (1 without a prefix). */
int64_t api_article_site(const char *key);
/* Sets "site" (the site's id) on o when key is an article of a site other
 * than the default one; the default site's shapes stay as they were. */
void api_site_field(json_t *o, const char *key);
/* api_article_id, then the key of the id in the request's site; false when
 * the error was sent. */
bool api_article_ref(req *r, const char *id, const char **key);
/* The optional query parameter `article` (the desk's filters) as api_article_ref
 * does; *key NULL when absent or empty. A bad id is 400 naming `article`, the
 * parameter sent (as GET /counts does). */
bool api_article_query(req *r, const char **key);
/* The desk's site filter: *site is 0 (every site) without a `site`
 * parameter, else the named site's id (api_site's errors). */
bool api_site_filter(req *r, int64_t *site);

/* Moderators limited to some sites (docs/SITES.md, "Moderators of some
 * sites"). Every check below sends 403 not_your_site and returns false
 * when the request's moderator may not; admins and moderators without a
 * limit may everything.
 *
 * api_mod_scope: the sites the request's user is limited to (*n 0: every
 * site); false when the store failed (the error was sent).
 * api_mod_site: the site= filter of a /mod list, as api_site_filter, kept
 * inside a limited moderator's sites: site= must be one of theirs, and
 * without it a moderator of one site gets that one (of several: 403).
 * api_mod_site_allowed: the moderator may act on that site's data.
 * api_mod_user_allowed: the moderator may see and act on that person: not
 * limited, or the person wrote on one of their sites (accounts are every
 * site's; a limited moderator reaches those of their own readers).
 * api_mod_unlimited: for what is every site's at once (the numbers,
 * deleting an account): refused to a limited moderator; what says what. */
bool api_mod_scope(req *r, const int64_t **sites, size_t *n);
bool api_mod_site(req *r, int64_t *site);
bool api_mod_site_allowed(req *r, int64_t site);
bool api_mod_user_allowed(req *r, int64_t user_id);
bool api_mod_unlimited(req *r, const char *what);
/* A list of site ids as JSON. */
json_t *api_sites_json(const int64_t *sites, size_t n);
/* True when url is http(s) on the server's own origin or one of site's. */
bool api_site_url(req *r, const store_site *site, const char *url);

/* JSON shapes. */
json_t *api_comment_json(const store_comment *c);
json_t *api_user_json(const store_user *u, int64_t now);
/* Sets the session cookie to token and answers status with {"user": USER}:
 * the end of a login, a registration, a password reset or a single sign-on. */
void api_send_signed_in(req *r, int status, const char *token, const store_user *u);
json_t *api_article_json(const store_article *a);
json_t *api_time(int64_t ms); /* RFC 3339 string, or null for 0 */
json_t *api_id(int64_t id);   /* an id as the API writes it: a decimal string */
const char *api_comment_status_name(store_comment_status s);
const char *api_article_status_name(store_article_status s);

/* In a write step, after one of the author's comments was refused (by the
 * engine or a moderator) or held as an attack: suspends the author when the
 * refusals, or the attacks on one person, within auto_suspend_window_h reach
 * auto_suspend_after (comments.c). */
int api_auto_suspend(job *j, store *s, int64_t author_id, const char *article, pl_error *err);

/* Handlers. */
void api_article_get(req *r, const route_args *a);
void api_article_put(req *r, const route_args *a);
void api_comments_list(req *r, const route_args *a);
void api_comment_replies(req *r, const route_args *a);
void api_comment_post(req *r, const route_args *a);
void api_comment_patch(req *r, const route_args *a);
void api_comment_delete(req *r, const route_args *a);
void api_like_post(req *r, const route_args *a);
void api_like_delete(req *r, const route_args *a);
void api_flag_post(req *r, const route_args *a);
void api_counts(req *r, const route_args *a);
void api_events(req *r, const route_args *a);
void api_check(req *r, const route_args *a);
void api_register(req *r, const route_args *a);
/* Proof of work (pow.c). GET /pow gives a challenge. A solution accepted
 * on the loop (api_pow_check) is spent in the job's write step
 * (api_pow_spend), so that no node accepts it twice; the done step then
 * asks api_pow_refused first. */
typedef struct api_pow {
    char challenge[65]; /* the solution's challenge; "" when none was needed */
    int64_t expires_ms; /* when the challenge expires */
    bool replayed;      /* api_pow_spend found it used before */
} api_pow;
void api_pow_challenge(req *r, const route_args *a);
/* When the setting pow is on, verifies the `altcha` field (NULL: absent)
 * and fills *out; otherwise sends 400 pow_required / pow_invalid and
 * returns false. With pow off, *out needs no spending. */
bool api_pow_check(req *r, const char *altcha, api_pow *out);
/* The check itself, for api_pow_check and fuzz/fuzz_pow.c: 0 when b64 is a
 * valid, unexpired solution under cfg's key that this process has not seen
 * used (it is then remembered as used here), with *out filled; PL_EINVAL
 * saying why otherwise. */
int api_pow_payload_check(const config *cfg, const char *b64, int64_t now, api_pow *out,
                          pl_error *err);
/* From a write step: records pow's solution as used in the store; 0 when
 * there is none. PL_ECONFLICT, with pow->replayed set, when it was used
 * before, through any node. */
int api_pow_spend(store *s, api_pow *pow, int64_t now, pl_error *err);
/* From a done step: when the write failed because the solution was used
 * (rc < 0 and pow->replayed), sends 400 pow_invalid and returns true. */
bool api_pow_refused(req *r, int rc, const api_pow *pow);
void api_login(req *r, const route_args *a);
void api_logout(req *r, const route_args *a);
void api_me(req *r, const route_args *a);
void api_me_patch(req *r, const route_args *a);
/* A user's language setting as JSON: the code, or null for none. */
json_t *api_language_json(const char *language);
void api_mod_queue(req *r, const route_args *a);
void api_mod_decision(req *r, const route_args *a);
void api_mod_ban(req *r, const route_args *a);
void api_mod_unban(req *r, const route_args *a);
void api_mod_log(req *r, const route_args *a);
void api_mod_counts(req *r, const route_args *a);
void api_mod_undo(req *r, const route_args *a);
void api_mod_role(req *r, const route_args *a);
void api_mod_user(req *r, const route_args *a);
void api_mutes_get(req *r, const route_args *a);
void api_mute_put(req *r, const route_args *a);
void api_mute_delete(req *r, const route_args *a);
void api_me_comments(req *r, const route_args *a);
void api_me_export(req *r, const route_args *a);
void api_me_delete(req *r, const route_args *a);
void api_sso(req *r, const route_args *a);
/* The login step of single sign-on, shared by the publisher's tokens (sso.c)
 * and OpenID Connect (oidc.c), from a write step: store_sso_login with the
 * rules it enforces (no automatic link to staff or password accounts, jti
 * single use), then a deleted account is refused (PL_EFORBIDDEN), a ban kept
 * on the address is applied, and a session is made (token, token_hash).
 * Fills user_id and user. */
typedef struct sso_login {
    const char *sub, *name, *email, *jti;
    bool email_verified;
    int64_t link_user_id;   /* 0, or the session's user for the explicit link step */
    int64_t jti_keep_until; /* ms: until when the jti is remembered */
    int64_t user_id;
    store_user user;
    char token[64];
    unsigned char token_hash[STORE_TOKEN_HASH_LEN];
} sso_login;
int api_sso_login_write(req *r, store *s, sso_login *l, pl_error *err);
void api_oidc_list(req *r, const route_args *a);
void api_oidc_start(req *r, const route_args *a);
void api_oidc_callback(req *r, const route_args *a);
void api_password_forgot(req *r, const route_args *a);
void api_password_reset(req *r, const route_args *a);
void api_me_password(req *r, const route_args *a);
void api_verify(req *r, const route_args *a);
void api_verify_resend(req *r, const route_args *a);

void api_notifications_get(req *r, const route_args *a);
void api_notifications_put(req *r, const route_args *a);
void api_unsubscribe(req *r, const route_args *a);

/* Notification mails (notify.c), from write steps: a published reply (to
 * the parent's author), a moderator's reject or feature (to the author,
 * with the reason), a comment held for review (to staff watching the
 * queue). Each does nothing when mail is off or the recipient does not
 * want it; only database errors are returned. */
int api_notify_reply(job *j, store *s, const store_comment *reply, pl_error *err);
int api_notify_decision(job *j, store *s, const store_comment *c, const char *action,
                        const char *reason, pl_error *err);
int api_notify_queue(job *j, store *s, pl_error *err);

/* False, after sending 409 name_taken (field "name"), when a staff member's
 * name folds to the same letters as name (accounts.c). */
bool api_name_free(req *r, const char *name);
/* The same test on any store (a write step's): *taken when a staff
 * member's name folds like name. */
int api_staff_name(store *s, arena *a, const char *name, bool *taken, pl_error *err);

/* The session user's mail settings (user_mail); false after sending 500
 * when the database failed. */
bool api_user_mail(req *r, store_user_mail *out);

/* Lower-cases ASCII and checks a plausible address (accounts.c); NULL when
 * it is not one. Arena-owned. */
char *api_normalize_email(req *r, const char *email);
/* From a write step: mails the user a link to confirm their address
 * (password.c); nothing when mail is off. Fails only on a database error. */
int api_queue_verification(job *j, store *s, const store_user *u, pl_error *err);

void api_mod_webhooks(req *r, const route_args *a);
void api_mod_webhook_test(req *r, const route_args *a);

/* Webhook events (api/webhook.c), from a job's write step: adds the event
 * with data (stolen) to the outbox in the job's transaction when a webhook
 * is configured, else drops it. api_webhook_comment builds the
 * {"comment", "article"} part shared by the comment events. */
int api_webhook_emit(job *j, store *s, const char *event, json_t *data, pl_error *err);
json_t *api_webhook_comment(job *j, store *s, const store_comment *c);
void api_mod_users(req *r, const route_args *a);
void api_mod_user_note(req *r, const route_args *a);
void api_mod_user_delete(req *r, const route_args *a);
void api_mod_articles(req *r, const route_args *a);
void api_mod_articles_close(req *r, const route_args *a);
void api_mod_search(req *r, const route_args *a);
void api_mod_stats(req *r, const route_args *a);
/* settings.c: the site's settings edited in the desk (admins). */
void api_mod_settings_get(req *r, const route_args *a);
void api_mod_settings_put(req *r, const route_args *a);
void api_mod_settings_preview(req *r, const route_args *a);
void api_mod_pages_preview(req *r, const route_args *a);
void api_mod_sites_get(req *r, const route_args *a);
void api_mod_sites_post(req *r, const route_args *a);
void api_mod_site_patch(req *r, const route_args *a);
void api_mod_user_sites_put(req *r, const route_args *a);
/* GET /guide: what the widget's line of guidelines says (public). */
void api_guide(req *r, const route_args *a);

/* Makes a mail token for user_id inside a write job (password.c): a new
 * random token into token, its hash stored with purpose, valid for ttl_ms
 * from the request's time. */
int api_mail_token(job *j, store *s, int64_t user_id, store_token_purpose purpose, int64_t ttl_ms,
                   char token[64], pl_error *err);

/* Deletes user_id's account inside a write job (me.c): keeps a ban in force
 * on the address, deletes (remove) or anonymizes the comments, tells other
 * nodes about every article touched and logs delete_account with the
 * session's user as the actor. *articles (arena) lists those articles;
 * api_account_deleted drops this node's cached views of them once the job
 * is done. */
int api_account_delete(job *j, store *s, int64_t user_id, bool remove, const char ***articles,
                       size_t *n_articles, pl_error *err);
void api_account_deleted(req *r, const char *const *articles, size_t n_articles);

/* The desk's shapes (mod.c): COMMENT with body, moderator_reason and
 * article_id; the author with created_at, deleted and history (JSON null
 * when the user cannot be read); a log entry with its actor's name. */
json_t *api_desk_comment_json(const store_comment *c);
json_t *api_desk_author_json(req *r, store *st, int64_t user_id);
/* Loads the user of a /mod/users/{id} path; false when 404 (unknown or
 * deleted) or another error was sent. */
bool api_desk_user(req *r, const char *id_s, store_user *target);
/* The checks of a desk action on an account, each answering 403 forbidden
 * with why: api_desk_not_self, that the account is not the caller's own;
 * api_desk_staff_ok, that only an admin acts on a moderator or an admin.
 * False when the answer was sent. */
bool api_desk_not_self(req *r, const store_user *target, const char *why);
bool api_desk_staff_ok(req *r, const store_user *target, const char *why);
/* A log entry as GET /mod/log writes it, with the actor's name and the
 * target's name (a user's name, an article's title, a comment author's
 * name); the cache keeps names already looked up in this request. */
typedef struct api_name_cache api_name_cache;
api_name_cache *api_name_cache_new(req *r);
json_t *api_log_entry_json(req *r, store *st, api_name_cache *nc, const store_log_entry *e);
/* Query parameters of the desk's lists: limit=1..max (def when absent), and
 * a free-text search of at most 100 characters (NULL when absent or empty).
 * False when an error was sent. */
bool api_limit_param(req *r, int64_t def, int64_t max, int64_t *out);
bool api_text_param(req *r, const char *name, const char **out);
/* A query parameter naming a user, as the log's filters take one: an id, or
 * a whole name in any case (400 invalid_field naming the parameter when
 * nobody or several people have it). *out is 0 when absent. False when an
 * error was sent. */
bool api_user_param(req *r, const char *name, int64_t *out);

/* The ids of the users the session's reader muted (arena-owned); NULL and
 * *n = 0 when none or anonymous. */
int64_t *api_muted_ids(req *r, size_t *n);

/* Flag weighting (api/flags.c): one flag's weight by its flagger's record,
 * and a comment's score from its open flags. */
double api_flag_weight(const site_limits *lim, const store_flagger *f, int64_t now, bool *is_new);
double api_flag_score(const site_limits *lim, const store_flagger *v, size_t n, int64_t now);

#endif
