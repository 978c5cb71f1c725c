/* api/sso.c: single sign-on. The publisher's site signs a short-lived JWT
 * (HS256 under the config's sso_secret) naming its user; POST
 * /api/v1/auth/sso exchanges it for a Parley session, creating or updating
 * the user. The token is verified on the loop (api/jwt.c, constant-time);
 * its jti is recorded on the writer in the same transaction that logs the
 * user in, so a replayed token loses the race for the unique key and gets
 * 401 like an expired or tampered one.
 *
 * A token is never enough to take over an account someone else holds: a
 * subject seen for the first time is linked by e-mail only to a reader's
 * account without a password, and only when the token says the address was
 * verified (email_verified); staff and password accounts are linked only by
 * the explicit step, {"link": true} sent with the session of that account
 * (store_sso_login). OpenID Connect (api/oidc.c) logs in through the same
 * step, api_sso_login_write, so the same rules hold for it. Addresses in reserved domains are
 * refused, as at registration.
 */
#include "api/api_int.h"
#include "api/jwt.h"
#include "util/log.h"
#include "util/text.h"

#include <string.h>

typedef struct sso_job {
    jwt_claims claims;
    sso_login login;
} sso_job;

int
api_sso_login_write(req *r, store *s, sso_login *l, pl_error *err)
{
    int rc = store_sso_login(s, l->sub, l->name, l->email, l->email_verified, l->link_user_id,
                             l->jti, l->jti_keep_until, r->now, &l->user_id, err);
    if (rc < 0)
        return rc;
    if ((rc = store_user_by_id(s, l->user_id, r->a, &l->user, err)) < 0)
        return rc;
    if (l->user.deleted)
        return pl_errorf(err, PL_EFORBIDDEN, "This account was deleted.");
    /* A ban kept from a deleted account with this address applies here too. */
    if ((rc = api_kept_ban(s, l->user.email, r->now, r->a, &l->user, err)) < 0)
        return rc;
    if (rc == 1 && (rc = store_user_set_ban(s, l->user_id, true, l->user.banned_until,
                                            l->user.ban_reason, err)) < 0)
        return rc;
    session_token_new(l->token, l->token_hash);
    int64_t expires = r->now + req_config(r)->session_days * 86400000LL;
    return store_session_insert(s, l->token_hash, l->user_id, expires, err);
}

static int
sso_write(job *j, store *s, pl_error *err)
{
    sso_job *sj = j->data;
    req *r = j->r;
    /* Remember the jti until the token could no longer pass the age check
     * (iat is at most 60 s ahead of the clock, so this is bounded); exp does
     * not matter here, and any value of it is accepted without arithmetic. */
    sso_login *l = &sj->login;
    l->sub = sj->claims.sub;
    l->name = sj->claims.name;
    l->email = sj->claims.email;
    l->email_verified = sj->claims.email_verified;
    l->jti = sj->claims.jti;
    l->jti_keep_until = (sj->claims.iat + req_config(r)->sso_max_age_s) * 1000 + 60000;
    return api_sso_login_write(r, s, l, err);
}

static void
sso_done(job *j)
{
    sso_job *sj = j->data;
    req *r = j->r;
    if (j->rc == PL_ECONFLICT) {
        req_send_error(r, 401, "invalid_token",
                       "This sign-on token was already used; sign in again on the publisher's "
                       "site.",
                       "token", NULL);
        return;
    }
    if (j->rc == PL_EFORBIDDEN && sj->login.link_user_id != 0) {
        req_send_error(r, 409, "already_linked", j->err.msg, "token", NULL);
        return;
    }
    if (j->rc == PL_EFORBIDDEN && !sj->login.user.deleted) {
        req_send_error(r, 409, "email_taken", j->err.msg, "token", NULL);
        return;
    }
    if (j->rc < 0) {
        if (j->rc == PL_ESTORE)
            log_error("msg=\"sso login failed\" error=\"%s\"", j->err.msg);
        api_send_rc(r, j->rc, &j->err);
        return;
    }
    api_send_signed_in(r, 200, sj->login.token, &sj->login.user);
}

void
api_sso(req *r, const route_args *a)
{
    (void)a;
    const char *secret = req_config(r)->sso_secret;
    if (secret == NULL || secret[0] == '\0') {
        req_send_error(r, 404, "not_found", "Single sign-on is not configured on this server.",
                       NULL, NULL);
        return;
    }
    static const char *const allowed[] = {"token", "link", NULL};
    json_t *o = api_body_object(r, allowed);
    if (o == NULL)
        return;
    const char *token;
    json_t *link = json_object_get(o, "link");
    bool ok = api_req_string(r, o, "token", JWT_MAX_LEN, false, false, &token);
    bool want_link = json_is_true(link);
    if (ok && link != NULL && !json_is_boolean(link)) {
        req_send_error(r, 400, "invalid_field", "link must be true or false.", "link", NULL);
        ok = false;
    }
    json_decref(o);
    if (!ok || (want_link && !api_require_user(r)))
        return;
    sso_job *sj = arena_zalloc(r->a, sizeof *sj);
    sj->login.link_user_id = want_link ? r->user->id : 0;
    pl_error err;
    jwt_status st =
        jwt_verify_hs256(token, strlen(token), (const unsigned char *)secret, strlen(secret),
                         r->now / 1000, req_config(r)->sso_max_age_s, r->a, &sj->claims, &err);
    if (st != JWT_OK) {
        req_send_error(r, 401, "invalid_token", err.msg, "token", NULL);
        return;
    }
    if (!email_shape_valid(sj->claims.email)) {
        req_send_error(r, 401, "invalid_token",
                       "The sign-on token's e-mail address is not a valid address.", "token", NULL);
        return;
    }
    if (email_domain_reserved(sj->claims.email)) {
        req_send_error(r, 401, "invalid_token",
                       "The sign-on token's e-mail address is in a reserved domain (.invalid, "
                       ".test, .example, .localhost), which no reader's address may use.",
                       "token", NULL);
        return;
    }
    /* The publisher's name may carry characters that hide or reorder text;
     * they are dropped rather than refusing the reader's sign-on. */
    if (sj->claims.name[0] != '\0')
        text_strip_invisible((char *)sj->claims.name);
    job_run(r, sj, sso_write, sso_done);
}
