/* api/password.c: the account mail flows: forgotten password and reset,
 * password change, e-mail verification (API.md "Accounts").
 *
 * Tokens mailed to a reader are 256 random bits; only their SHA-256 is
 * stored (store_token_*), a reset token works once within an hour and a
 * verification token once within a week. A reset or a change ends every
 * other session of the account. Without mail configured, forgot still
 * answers 202 but says whom to contact instead, and nobody is asked to
 * verify an address.
 *
 * Every mail is queued by the write step of the job that caused it, inside
 * the same transaction (mail/mail.h); queueing never fails the request.
 */
#include "api/api_int.h"
#include "api/passwords.h"
#include "app/i18n.h"
#include "mail/mail.h"
#include "util/log.h"
#include "util/text.h"

#include <sodium.h>
#include <string.h>

#define RESET_TTL_MS (3600 * 1000LL)
#define VERIFY_TTL_MS (7 * 86400 * 1000LL)

typedef struct pw_job {
    const char *email;
    const char *token;        /* presented by the client */
    char *password;           /* new password; wiped after hashing */
    char *current;            /* /me/password: the current one; wiped */
    const char *current_hash; /* the account's hash, to check current against */
    char pw_hash[crypto_pwhash_STRBYTES];
    bool current_ok;
    store_user user;
    char session[64];
    unsigned char session_hash[STORE_TOKEN_HASH_LEN];
} pw_job;

/* The rules of registration (api/passwords.h); email and name are the
 * account's when it is known. */
static bool
password_ok(req *r, const char *pw, const char *email, const char *name, const char *field)
{
    const char *why = password_refusal(pw, email, name);
    if (why != NULL) {
        req_send_error(r, 400, "invalid_field", why, field, NULL);
        return false;
    }
    return true;
}

static void
hash_new_password(job *j)
{
    pw_job *pj = j->data;
    if (pj->current != NULL) {
        pj->current_ok =
            pj->current_hash != NULL && pj->current_hash[0] != '\0' &&
            crypto_pwhash_str_verify(pj->current_hash, pj->current, strlen(pj->current)) == 0;
        password_wipe(pj->current);
        if (!pj->current_ok) {
            password_wipe(pj->password);
            return;
        }
    }
    (void)password_hash(pj->pw_hash, pj->password); /* an empty hash fails the job */
    password_wipe(pj->password);
}

/* The link a mail carries: {public_url}/PAGE?token=T. */
static const char *
link_to(arena *a, const config *cfg, const char *page, const char *token)
{
    const char *base = cfg->public_url;
    size_t n = strlen(base);
    while (n > 0 && base[n - 1] == '/')
        n--;
    return arena_printf(a, "%.*s/%s?token=%s", (int)n, base, page, token);
}

/* ---- the mails --------------------------------------------------------- */

/* The two link mails differ only in their words: the catalogue's keys
 * (web/i18n/site/, docs/I18N.md) of the subject, the paragraph before the
 * link ({site}), the link's words and the paragraph after it. */
typedef struct link_words {
    const char *subject, *ask, *button, *after;
} link_words;

static const link_words reset_words = {"mail_reset_subject", "mail_reset_ask", "reset_title",
                                       "mail_reset_after"};
static const link_words verify_words = {"mail_verify_subject", "mail_verify_ask", "verify_button",
                                        "mail_verify_after"};

/* The mail in the recipient's language (their setting, else the asking
 * request's Accept-Language: the one who registers or asks for a reset is
 * usually the recipient; else English). */
static void
link_mail(req *r, const config *cfg, const store_user *u, const char *link, const link_words *w,
          mail_msg *m)
{
    arena *a = r->a;
    const char *lang = i18n_user_lang(u, r);
    const char *site = mail_site_name(a, cfg), *esite = html_escape(a, site);
    const char *text[] = {"name", u->name, "site", site};
    const char *html[] = {"name", html_escape(a, u->name), "site", esite};
    m->subject = i18n_format(a, lang, w->subject, 0, text, 2, false);
    m->text = arena_printf(a, "%s\n\n%s\n\n%s\n\n%s\n\n-- \n%s\n",
                           i18n_format(a, lang, "mail_hello", 0, text, 2, false),
                           i18n_format(a, lang, w->ask, 0, text, 2, false), link,
                           i18n_format(a, lang, w->after, 0, text, 2, false),
                           i18n_format(a, lang, "mail_team", 0, text, 2, false));
    m->html = arena_printf(
        a,
        "<!doctype html><html lang=\"%s\" dir=\"%s\"><body style=\"font-family:sans-serif;"
        "line-height:1.5\"><p>%s</p><p>%s</p><p><a href=\"%s\">%s</a></p><p>%s</p><p>%s</p>"
        "</body></html>",
        lang, i18n_dir(lang), i18n_format(a, lang, "mail_hello", 0, html, 2, true),
        i18n_format(a, lang, w->ask, 0, html, 2, true), html_escape(a, link),
        html_escape(a, i18n_text(lang, w->button)),
        i18n_format(a, lang, w->after, 0, html, 2, true),
        i18n_format(a, lang, "mail_team", 0, html, 2, true));
}

int
api_mail_token(job *j, store *s, int64_t user_id, store_token_purpose purpose, int64_t ttl_ms,
               char token[64], pl_error *err)
{
    unsigned char hash[STORE_TOKEN_HASH_LEN];
    session_token_new(token, hash);
    return store_token_insert(s, hash, user_id, purpose, j->r->now, j->r->now + ttl_ms, err);
}

/* Makes a token for the user, stores its hash and queues the mail built by
 * link_mail() with these words. Mail problems are logged, never returned; only a failed token
 * insert (a database error) is. */
static int
mail_with_token(job *j, store *s, const store_user *u, store_token_purpose purpose, int64_t ttl,
                const link_words *words, pl_error *err)
{
    const config *cfg = req_config(j->r);
    char token[64];
    int rc = api_mail_token(j, s, u->id, purpose, ttl, token, err);
    if (rc < 0)
        return rc;
    mail_msg m = {.to = u->email};
    link_mail(j->r, cfg, u,
              link_to(j->r->a, cfg, purpose == TOKEN_RESET ? "reset" : "verify", token), words, &m);
    sodium_memzero(token, sizeof token);
    mail_queue(s, cfg, &m, j->r->now, &job_change(j)->mail);
    return 0;
}

int
api_queue_verification(job *j, store *s, const store_user *u, pl_error *err)
{
    if (!mail_enabled(req_config(j->r)))
        return 0;
    return mail_with_token(j, s, u, TOKEN_VERIFY, VERIFY_TTL_MS, &verify_words, err);
}

/* ---- forgot -------------------------------------------------------------- */

static int
forgot_write(job *j, store *s, pl_error *err)
{
    pw_job *pj = j->data;
    if (!mail_enabled(req_config(j->r)))
        return 0;
    store_user u;
    int rc = store_user_by_email(s, pj->email, j->r->a, &u, err);
    if (rc == PL_ENOTFOUND || (rc == 0 && u.deleted))
        return 0;
    if (rc < 0)
        return rc;
    return mail_with_token(j, s, &u, TOKEN_RESET, RESET_TTL_MS, &reset_words, err);
}

static void
forgot_done(job *j)
{
    req *r = j->r;
    if (j->rc < 0) {
        log_error("msg=\"password reset request failed\" error=\"%s\"", j->err.msg);
        api_send_rc(r, j->rc, &j->err);
        return;
    }
    const config *cfg = req_config(r);
    if (mail_enabled(cfg)) {
        req_send_json(r, 202,
                      json_pack("{s:b, s:s}", "mail", 1, "message",
                                "If an account uses this address, a link to choose a new "
                                "password is on its way. It works once, within an hour."));
        return;
    }
    const char *contact = cfg->account_contact[0] ? cfg->account_contact : "the site's editors";
    char msg[600];
    snprintf(msg, sizeof msg,
             "This site sends no mail, so passwords cannot be reset by e-mail. Please contact "
             "%s to get back into your account.",
             contact);
    req_send_json(r, 202, json_pack("{s:b, s:s}", "mail", 0, "message", msg));
}

void
api_password_forgot(req *r, const route_args *a)
{
    (void)a;
    if (!req_rate_limit(r, LIMIT_AUTH))
        return;
    static const char *const allowed[] = {"email", NULL};
    json_t *o = api_body_object(r, allowed);
    if (o == NULL)
        return;
    const char *email;
    bool ok = api_req_string(r, o, "email", 254, false, false, &email);
    json_decref(o);
    if (!ok)
        return;
    const char *norm = api_normalize_email(r, email);
    if (norm == NULL) {
        req_send_error(r, 400, "invalid_field", "The e-mail address is not valid.", "email", NULL);
        return;
    }
    pw_job *pj = arena_zalloc(r->a, sizeof *pj);
    pj->email = norm;
    job_run(r, pj, forgot_write, forgot_done);
}

/* ---- reset --------------------------------------------------------------- */

static int
new_session(job *j, store *s, pw_job *pj, int64_t user_id, pl_error *err)
{
    session_token_new(pj->session, pj->session_hash);
    int64_t expires = j->r->now + req_config(j->r)->session_days * 86400000LL;
    return store_session_insert(s, pj->session_hash, user_id, expires, err);
}

/* The end of a token's job when it failed: 400 invalid_token for an
 * unknown, used or expired token, else the error. True when it answered. */
static bool
token_failed(job *j, const char *what)
{
    if (j->rc == PL_ENOTFOUND) {
        req_send_error(j->r, 400, "invalid_token",
                       "This link is unknown, used already or expired. Ask for a new one.", "token",
                       NULL);
        return true;
    }
    if (j->rc < 0) {
        log_error("msg=\"%s failed\" error=\"%s\"", what, j->err.msg);
        api_send_rc(j->r, j->rc, &j->err);
        return true;
    }
    return false;
}

/* The mail reached its owner: the address is confirmed. */
static int
mark_verified(store *s, int64_t uid, pl_error *err)
{
    store_user_mail m;
    int rc = store_user_mail_get(s, uid, &m, err);
    if (rc < 0 || m.email_verified)
        return rc;
    m.email_verified = true;
    return store_user_mail_set(s, uid, &m, err);
}

static int
reset_write(job *j, store *s, pl_error *err)
{
    pw_job *pj = j->data;
    if (pj->pw_hash[0] == '\0')
        return pl_errorf(err, PL_EBUSY, "The server could not hash the password; try again.");
    unsigned char hash[STORE_TOKEN_HASH_LEN];
    session_token_hash(pj->token, hash);
    int64_t uid;
    int rc = store_token_use(s, hash, TOKEN_RESET, j->r->now, true, &uid, err);
    if (rc == 0)
        rc = store_user_set_password(s, uid, pj->pw_hash, NULL, j->r->now, err);
    if (rc == 0)
        rc = mark_verified(s, uid, err);
    if (rc == 0)
        rc = new_session(j, s, pj, uid, err);
    if (rc == 0)
        rc = store_user_by_id(s, uid, j->r->a, &pj->user, err);
    return rc;
}

static void
reset_done(job *j)
{
    pw_job *pj = j->data;
    req *r = j->r;
    if (token_failed(j, "password reset"))
        return;
    log_info("msg=\"password reset\" user=%lld", (long long)pj->user.id);
    api_send_signed_in(r, 200, pj->session, &pj->user);
}

void
api_password_reset(req *r, const route_args *a)
{
    (void)a;
    if (!req_rate_limit(r, LIMIT_AUTH))
        return;
    static const char *const allowed[] = {"token", "password", NULL};
    json_t *o = api_body_object(r, allowed);
    if (o == NULL)
        return;
    const char *token, *password;
    bool ok = api_req_string(r, o, "token", 128, false, false, &token) &&
              api_req_string(r, o, "password", 1024, true, false, &password);
    json_decref(o);
    if (!ok || !password_ok(r, password, NULL, NULL, "password"))
        return;
    pw_job *pj = arena_zalloc(r->a, sizeof *pj);
    pj->token = token;
    pj->password = (char *)password;
    job *j = job_new(r, pj);
    j->slow = hash_new_password;
    j->write = reset_write;
    j->done = reset_done;
    job_submit(j);
}

/* ---- change -------------------------------------------------------------- */

static int
change_write(job *j, store *s, pl_error *err)
{
    pw_job *pj = j->data;
    if (!pj->current_ok)
        return 0;
    if (pj->pw_hash[0] == '\0')
        return pl_errorf(err, PL_EBUSY, "The server could not hash the password; try again.");
    return store_user_set_password(s, j->r->user->id, pj->pw_hash, j->r->session_hash, j->r->now,
                                   err);
}

static void
change_done(job *j)
{
    pw_job *pj = j->data;
    req *r = j->r;
    if (j->rc < 0) {
        log_error("msg=\"password change failed\" error=\"%s\"", j->err.msg);
        api_send_rc(r, j->rc, &j->err);
        return;
    }
    if (!pj->current_ok) {
        req_send_error(r, 403, "wrong_password", "The current password is not right.",
                       "current_password", NULL);
        return;
    }
    log_info("msg=\"password changed\" user=%lld", (long long)r->user->id);
    req_send_empty(r, 204);
}

void
api_me_password(req *r, const route_args *a)
{
    (void)a;
    if (!api_require_user(r) || !req_rate_limit(r, LIMIT_AUTH))
        return;
    static const char *const allowed[] = {"current_password", "new_password", NULL};
    json_t *o = api_body_object(r, allowed);
    if (o == NULL)
        return;
    const char *current, *password;
    bool ok = api_req_string(r, o, "current_password", 1024, true, false, &current) &&
              api_req_string(r, o, "new_password", 1024, true, false, &password);
    json_decref(o);
    if (!ok || !password_ok(r, password, r->user->email, r->user->name, "new_password"))
        return;
    pw_job *pj = arena_zalloc(r->a, sizeof *pj);
    pj->current = (char *)current;
    pj->current_hash = r->user->pw_hash;
    pj->password = (char *)password;
    job *j = job_new(r, pj);
    j->slow = hash_new_password;
    j->write = change_write;
    j->done = change_done;
    job_submit(j);
}

/* ---- verification -------------------------------------------------------- */

static int
verify_write(job *j, store *s, pl_error *err)
{
    pw_job *pj = j->data;
    unsigned char hash[STORE_TOKEN_HASH_LEN];
    session_token_hash(pj->token, hash);
    int64_t uid;
    int rc = store_token_use(s, hash, TOKEN_VERIFY, j->r->now, true, &uid, err);
    if (rc == 0)
        rc = mark_verified(s, uid, err);
    if (rc == 0)
        rc = store_user_by_id(s, uid, j->r->a, &pj->user, err);
    return rc;
}

static void
verify_done(job *j)
{
    pw_job *pj = j->data;
    req *r = j->r;
    if (token_failed(j, "verification"))
        return;
    json_t *u = api_user_json(&pj->user, r->now);
    json_object_set_new(u, "email_verified", json_true());
    req_send_json(r, 200, json_pack("{s:o}", "user", u));
}

void
api_verify(req *r, const route_args *a)
{
    (void)a;
    if (!req_rate_limit(r, LIMIT_AUTH))
        return;
    static const char *const allowed[] = {"token", NULL};
    json_t *o = api_body_object(r, allowed);
    if (o == NULL)
        return;
    const char *token;
    bool ok = api_req_string(r, o, "token", 128, false, false, &token);
    json_decref(o);
    if (!ok)
        return;
    pw_job *pj = arena_zalloc(r->a, sizeof *pj);
    pj->token = token;
    job_run(r, pj, verify_write, verify_done);
}

static int
resend_write(job *j, store *s, pl_error *err)
{
    return api_queue_verification(j, s, j->r->user, err);
}

static void
resend_done(job *j)
{
    if (j->rc < 0) {
        log_error("msg=\"verification mail failed\" error=\"%s\"", j->err.msg);
        api_send_rc(j->r, j->rc, &j->err);
        return;
    }
    req_send_json(
        j->r, 202,
        json_pack("{s:s}", "message", "A new confirmation link is on its way to your address."));
}

void
api_verify_resend(req *r, const route_args *a)
{
    (void)a;
    if (!api_require_user(r) || !req_rate_limit(r, LIMIT_AUTH))
        return;
    if (!mail_enabled(req_config(r))) {
        req_send_error(r, 409, "mail_disabled",
                       "This site sends no mail, so there is no address to confirm.", NULL, NULL);
        return;
    }
    store_user_mail m;
    if (!api_user_mail(r, &m))
        return;
    if (m.email_verified) {
        req_send_error(r, 409, "already_verified", "Your address is confirmed already.", NULL,
                       NULL);
        return;
    }
    job_run(r, NULL, resend_write, resend_done);
}
