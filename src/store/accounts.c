/* store/accounts.c: the account operations made of several steps, written
 * once for every backend: single sign-on (find, link or create the account
 * of a publisher's subject), deleting an account, and the accounts no
 * person registers. They compose the backends' primitives (STORE_PRIMS in
 * store_int.h) inside one unit, a transaction or a savepoint in the
 * caller's, so a failed step leaves nothing behind; the backends hold only
 * their statements. */
#include "store/store_int.h"
#include "util/arena.h"

#include <stdlib.h>
#include <string.h>

const char *const store_erase_what[] = {
    [STORE_ERASE_ACCOUNT] = "delete user",
    [STORE_ERASE_SESSIONS] = "delete sessions",
    [STORE_ERASE_MUTES] = "delete mutes",
    [STORE_ERASE_COMMENTS] = "remove comments",
};

/* 0 when the account u holding a token's e-mail may be linked to a subject
 * seen for the first time: a reader's account without a password (made by
 * single sign-on or an import), when the token says the address was
 * verified; PL_EFORBIDDEN with the reason otherwise. */
static int
sso_may_link(const store_user *u, bool email_verified, pl_error *err)
{
    if (u->deleted || u->kind == USER_ENGINE)
        return pl_errorf(err, PL_EFORBIDDEN, "This e-mail address cannot be used to sign in.");
    if (u->role != ROLE_READER || (u->pw_hash != NULL && u->pw_hash[0] != '\0'))
        return pl_errorf(err, PL_EFORBIDDEN,
                         "An account with this e-mail address exists already; log in to it and "
                         "link this sign-on to it.");
    if (!email_verified)
        return pl_errorf(err, PL_EFORBIDDEN,
                         "An account with this e-mail address exists already, and the sign-on "
                         "token does not say the address was verified.");
    return 0;
}

/* The account of a subject seen for the first time with no one logged in:
 * the one holding the e-mail when sso_may_link allows it, else a new
 * single sign-on account (PL_ECONFLICT should the address be taken
 * meanwhile). */
static int
sso_account(store *s, const char *name, const char *email, bool email_verified, int64_t now,
            int64_t *user_id, pl_error *err)
{
    arena *a = arena_new();
    store_user u;
    int rc = s->ops->user_by_email(s, email, a, &u, err);
    if (rc == 0) {
        if ((rc = sso_may_link(&u, email_verified, err)) == 0)
            *user_id = u.id;
    } else if (rc == PL_ENOTFOUND) {
        store_user made = {0};
        made.email = email;
        made.name = name != NULL ? name : "";
        made.pw_hash = "";
        made.created_at = now;
        made.kind = USER_SSO;
        if ((rc = s->ops->user_insert(s, &made, err)) == 0)
            *user_id = made.id;
    }
    arena_free(a);
    return rc;
}

int
store_sso_login(store *s, const char *sub, const char *name, const char *email, bool email_verified,
                int64_t link_user_id, const char *jti, int64_t jti_expires, int64_t now,
                int64_t *user_id, pl_error *err)
{
    const store_ops *o = s->ops;
    int64_t uid = 0;
    bool outer;
    if (store_fault_injected(s, err))
        return PL_ESTORE;
    if (sub == NULL || sub[0] == '\0' || jti == NULL || jti[0] == '\0' || email == NULL ||
        email[0] == '\0')
        return pl_errorf(err, PL_EINVAL, "sso login needs sub, email and jti");
    int rc = o->unit_begin(s, &outer, err);
    if (rc < 0)
        return rc;
    /* Expired ids can never be replayed (their tokens are refused as
     * expired), so they are dropped here and the table stays small. */
    rc = o->sso_jti_record(s, jti, jti_expires, now, err);
    if (rc == 0)
        rc = o->sso_subject(s, sub, &uid, err);
    bool linked = uid != 0;
    if (rc == 0 && linked && link_user_id != 0 && uid != link_user_id)
        rc = pl_errorf(err, PL_EFORBIDDEN, "This sign-on is linked to another account already.");
    else if (rc == 0 && !linked && link_user_id != 0)
        uid = link_user_id;
    else if (rc == 0 && !linked)
        rc = sso_account(s, name, email, email_verified, now, &uid, err);
    else if (rc == 0) {
        char *folded = store_email_fold(email);
        rc = o->sso_set_email(s, uid, folded, err);
        free(folded);
    }
    if (rc == 0 && !linked)
        rc = o->sso_link(s, sub, uid, err);
    if (rc == 0 && name != NULL && name[0] != '\0')
        rc = o->sso_set_name(s, uid, name, err);
    rc = o->unit_end(s, outer, rc, err);
    if (rc == 0)
        *user_id = uid;
    return rc;
}

int
store_user_delete(store *s, int64_t user_id, bool remove_comments, pl_error *err)
{
    static const store_erase steps[] = {STORE_ERASE_ACCOUNT, STORE_ERASE_SESSIONS,
                                        STORE_ERASE_MUTES, STORE_ERASE_COMMENTS};
    const size_t n = remove_comments ? 4 : 3;
    bool outer;
    if (store_fault_injected(s, err))
        return PL_ESTORE;
    int rc = s->ops->unit_begin(s, &outer, err);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = s->ops->user_erase(s, user_id, steps[i], err);
    return s->ops->unit_end(s, outer, rc, err);
}

int
store_user_of_kind(store *s, store_user *u, arena *a, bool *created, pl_error *err)
{
    const char *want = u->email;
    const char *at = strrchr(want, '@');
    if (at == NULL)
        return pl_errorf(err, PL_EINVAL, "user without an e-mail address");
    store_user made = *u;
    *created = false;
    for (int n = 1; n <= 9; n++) {
        const char *email =
            n == 1 ? want : arena_printf(a, "%.*s+%d%s", (int)(at - want), want, n, at);
        store_user found;
        int rc = store_user_by_email(s, email, a, &found, err);
        if (rc == 0 && found.kind == made.kind && !found.deleted) {
            *u = found;
            return 0;
        }
        if (rc == PL_ENOTFOUND) {
            made.email = email;
            if ((rc = store_user_insert(s, &made, err)) < 0)
                return rc;
            *u = made;
            *created = true;
            return 0;
        }
        if (rc < 0)
            return rc;
    }
    return pl_errorf(err, PL_ECONFLICT, "every address like %s is taken by another account", want);
}
