/* api/accounts.c: register, log in, log out, who am I.
 *
 * Password hashing (argon2id through libsodium, tens of milliseconds) runs
 * on the hashing thread, never on a loop. A login for an unknown e-mail, or
 * for an account without a password (made by single sign-on or an import),
 * still verifies against a fixed hash, so response time does not tell which
 * addresses have accounts or which accounts have passwords. Session tokens
 * are 256 random bits; only their SHA-256 is stored.
 *
 * Registration refuses addresses in reserved domains (Parley's own accounts
 * live under .invalid), names with invisible or bidirectional characters,
 * and the most common passwords (api/passwords.h).
 */
#include "api/api_int.h"
#include "api/passwords.h"
#include "app/i18n.h"
#include "moderation/normalize.h"
#include "util/log.h"
#include "util/text.h"

#include <pthread.h>
#include <sodium.h>
#include <string.h>

typedef struct auth_job {
    const char *name;
    const char *email;
    char *password; /* wiped after hashing */
    char pw_hash[crypto_pwhash_STRBYTES];
    bool ok; /* login: password matched */
    store_user user;
    bool user_found;
    char token[64];
    unsigned char token_hash[STORE_TOKEN_HASH_LEN];
    api_pow pow; /* registration: the proof of work to spend */
} auth_job;

/* Lower-cases ASCII and checks a plausible address: something@domain.tld,
 * no spaces, at most 254 bytes. */
char *
api_normalize_email(req *r, const char *email)
{
    if (!email_shape_valid(email))
        return NULL;
    char *out = arena_strdup(r->a, email);
    for (char *p = out; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    return out;
}

/* A name folded as the moderation engine folds text (look-alike letters,
 * leetspeak, case, invisible characters), without its spaces and with
 * doubled letters made single (the folder already shrinks runs inside a
 * word, and "TheEditor" is one word): "The Editor", "the-editor",
 * "TheEditor" and "Τhe Εditor" in Greek letters all give "theditor". */
static const char *
name_key(arena *a, const char *name)
{
    norm_text t;
    norm_fold(a, name, strlen(name), &t);
    char *out = arena_alloc(a, t.len + 1), *o = out;
    for (size_t i = 0; i < t.len; i++)
        if (t.s[i] != ' ' && (o == out || o[-1] != t.s[i]))
            *o++ = t.s[i];
    *o = '\0';
    return out;
}

int
api_staff_name(store *s, arena *a, const char *name, bool *taken, pl_error *err)
{
    store_user *staff;
    size_t n;
    *taken = false;
    int rc = store_staff_list(s, a, &staff, &n, err);
    if (rc < 0)
        return rc;
    const char *key = name_key(a, name);
    for (size_t i = 0; i < n && key[0] != '\0'; i++)
        if (strcmp(key, name_key(a, staff[i].name)) == 0)
            *taken = true;
    return 0;
}

bool
api_name_free(req *r, const char *name)
{
    pl_error err;
    bool taken;
    if (api_staff_name(req_store(r), r->a, name, &taken, &err) < 0) {
        log_error("msg=\"staff lookup failed\" error=\"%s\"", err.msg);
        api_send_rc(r, PL_ESTORE, NULL);
        return false;
    }
    if (taken) {
        req_send_error(r, 409, "name_taken",
                       "A member of the site's staff uses this name (or one that looks the "
                       "same); please choose another.",
                       "name", NULL);
        return false;
    }
    return true;
}

static bool
check_password(req *r, const char *pw, const char *email, const char *name)
{
    const char *why = password_refusal(pw, email, name);
    if (why != NULL) {
        req_send_error(r, 400, "invalid_field", why, "password", NULL);
        return false;
    }
    return true;
}

/* ---- register ---------------------------------------------------------- */

static void
register_slow(job *j)
{
    auth_job *aj = j->data;
    (void)password_hash(aj->pw_hash, aj->password); /* an empty hash fails the job */
    password_wipe(aj->password);
}

static int
register_write(job *j, store *s, pl_error *err)
{
    auth_job *aj = j->data;
    if (aj->pw_hash[0] == '\0')
        return pl_errorf(err, PL_EBUSY, "The server could not hash the password; try again.");
    int rc = api_pow_spend(s, &aj->pow, j->r->now, err);
    if (rc < 0)
        return rc;
    memset(&aj->user, 0, sizeof aj->user);
    aj->user.email = aj->email;
    aj->user.name = aj->name;
    aj->user.pw_hash = aj->pw_hash;
    aj->user.role = ROLE_READER;
    aj->user.created_at = j->r->now;
    /* A reader who deleted a banned account gets the ban back with the
     * address, until it ends. */
    rc = api_kept_ban(s, aj->email, j->r->now, j->r->a, &aj->user, err);
    if (rc < 0)
        return rc;
    rc = store_user_insert(s, &aj->user, err);
    if (rc < 0)
        return rc;
    session_token_new(aj->token, aj->token_hash);
    int64_t expires = j->r->now + req_config(j->r)->session_days * 86400000LL;
    rc = store_session_insert(s, aj->token_hash, aj->user.id, expires, err);
    /* New accounts hear about replies and moderators' decisions unless
     * they turn it off. */
    store_user_mail m = {.notify_replies = true, .notify_moderation = true};
    if (rc == 0)
        rc = store_user_mail_set(s, aj->user.id, &m, err);
    if (rc == 0)
        rc = api_queue_verification(j, s, &aj->user, err);
    return rc;
}

static void
register_done(job *j)
{
    auth_job *aj = j->data;
    req *r = j->r;
    if (api_pow_refused(r, j->rc, &aj->pow))
        return;
    if (j->rc == PL_ECONFLICT) {
        req_send_error(r, 409, "email_taken", "An account with this e-mail address already exists.",
                       "email", NULL);
        return;
    }
    if (j->rc < 0) {
        if (j->rc == PL_ESTORE)
            log_error("msg=\"register failed\" error=\"%s\"", j->err.msg);
        api_send_rc(r, j->rc, &j->err);
        return;
    }
    log_info("msg=registered user=%lld client=%s", (long long)aj->user.id,
             req_client_for_log(j->r));
    api_send_signed_in(r, 201, aj->token, &aj->user);
}

void
api_register(req *r, const route_args *a)
{
    (void)a;
    if (!req_rate_limit(r, LIMIT_AUTH))
        return;
    static const char *const allowed[] = {"name", "email", "password", "altcha", NULL};
    json_t *o = api_body_object(r, allowed);
    if (o == NULL)
        return;
    const char *name, *email, *password, *altcha;
    bool ok = api_req_string(r, o, "name", 50, false, false, &name) &&
              api_req_string(r, o, "email", 254, false, false, &email) &&
              api_req_string(r, o, "password", 1024, true, false, &password) &&
              api_opt_string(r, o, "altcha", 1024, false, false, &altcha);
    json_decref(o);
    if (!ok)
        return;
    char *norm = api_normalize_email(r, email);
    if (norm == NULL) {
        req_send_error(r, 400, "invalid_field", "The e-mail address is not valid.", "email", NULL);
        return;
    }
    if (email_domain_reserved(norm)) {
        req_send_error(r, 400, "invalid_field",
                       "Addresses under .invalid, .test, .example and .localhost are reserved "
                       "and cannot be registered.",
                       "email", NULL);
        return;
    }
    if (text_has_invisible(name, strlen(name))) {
        req_send_error(r, 400, "invalid_field",
                       "The name holds invisible or text-direction characters; use visible "
                       "letters only.",
                       "name", NULL);
        return;
    }
    api_pow pow;
    if (!check_password(r, password, norm, name) || !api_name_free(r, name) ||
        !api_pow_check(r, altcha, &pow))
        return;
    auth_job *aj = arena_zalloc(r->a, sizeof *aj);
    aj->pow = pow;
    aj->name = name;
    aj->email = norm;
    aj->password = (char *)password;
    job *j = job_new(r, aj);
    j->slow = register_slow;
    j->write = register_write;
    j->done = register_done;
    job_submit(j);
}

/* ---- login --------------------------------------------------------------- */

/* A hash of a random password, made once, to verify unknown addresses
 * against. Written once under pthread_once, then only read. */
static char login_dummy_hash[crypto_pwhash_STRBYTES];

static void
make_dummy(void)
{
    unsigned char pw[16];
    randombytes_buf(pw, sizeof pw);
    char text[sizeof pw * 2 + 1];
    sodium_bin2hex(text, sizeof text, pw, sizeof pw);
    (void)password_hash(login_dummy_hash, text);
}

static void
login_slow(job *j)
{
    auth_job *aj = j->data;
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    /* Made on the first login of any kind, so that first one does not
     * tell either. */
    pthread_once(&once, make_dummy);
    if (!aj->user_found || aj->user.pw_hash[0] == '\0') {
        /* No account, or one that cannot log in with a password: the same
         * work as a real check. The result is ignored: only the time spent
         * matters here. */
        if (login_dummy_hash[0] != '\0' &&
            crypto_pwhash_str_verify(login_dummy_hash, aj->password, strlen(aj->password)) == 0)
            log_debug("msg=\"unexpected match against the dummy hash\"");
        aj->ok = false;
    } else {
        aj->ok =
            crypto_pwhash_str_verify(aj->user.pw_hash, aj->password, strlen(aj->password)) == 0;
    }
    password_wipe(aj->password);
}

static int
login_write(job *j, store *s, pl_error *err)
{
    auth_job *aj = j->data;
    if (!aj->ok)
        return 0;
    session_token_new(aj->token, aj->token_hash);
    int64_t expires = j->r->now + req_config(j->r)->session_days * 86400000LL;
    return store_session_insert(s, aj->token_hash, aj->user.id, expires, err);
}

static void
login_done(job *j)
{
    auth_job *aj = j->data;
    req *r = j->r;
    if (j->rc < 0) {
        log_error("msg=\"login failed\" error=\"%s\"", j->err.msg);
        api_send_rc(r, j->rc, &j->err);
        return;
    }
    if (!aj->ok) {
        /* The account is named when there is one; the address given never is. */
        if (aj->user_found)
            log_info("msg=\"login failed\" reason=bad_password user=%lld client=%s",
                     (long long)aj->user.id, req_client_for_log(r));
        else
            log_info("msg=\"login failed\" reason=unknown_account client=%s",
                     req_client_for_log(r));
        req_send_error(r, 401, "invalid_credentials", "The e-mail address or password is wrong.",
                       NULL, NULL);
        return;
    }
    log_info("msg=login user=%lld client=%s", (long long)aj->user.id, req_client_for_log(r));
    api_send_signed_in(r, 200, aj->token, &aj->user);
}

void
api_login(req *r, const route_args *a)
{
    (void)a;
    if (!req_rate_limit(r, LIMIT_AUTH))
        return;
    static const char *const allowed[] = {"email", "password", NULL};
    json_t *o = api_body_object(r, allowed);
    if (o == NULL)
        return;
    const char *email, *password;
    bool ok = api_req_string(r, o, "email", 254, false, false, &email) &&
              api_req_string(r, o, "password", 1024, true, false, &password);
    json_decref(o);
    if (!ok)
        return;
    auth_job *aj = arena_zalloc(r->a, sizeof *aj);
    aj->password = (char *)password;
    char *norm = api_normalize_email(r, email);
    /* Per account tried, whether it exists or not (so a 429 tells nothing),
     * named by a hash: no address is kept in the buckets. */
    unsigned char h[crypto_hash_sha256_BYTES];
    const char *who = norm != NULL ? norm : email;
    crypto_hash_sha256(h, (const unsigned char *)who, strlen(who));
    char subject[33];
    sodium_bin2hex(subject, sizeof subject, h, 16);
    if (!req_rate_limit_subject(r, LIMIT_LOGIN, subject))
        return;
    pl_error err;
    if (norm != NULL) {
        int rc = store_user_by_email(req_store(r), norm, r->a, &aj->user, &err);
        if (rc == 0 && !aj->user.deleted)
            aj->user_found = true;
        else if (rc < 0 && rc != PL_ENOTFOUND) {
            log_error("msg=\"login lookup failed\" error=\"%s\"", err.msg);
            api_send_rc(r, rc, &err);
            return;
        }
    }
    job *j = job_new(r, aj);
    j->slow = login_slow;
    j->write = login_write;
    j->done = login_done;
    job_submit(j);
}

/* ---- logout, me ---------------------------------------------------------- */

static int
logout_write(job *j, store *s, pl_error *err)
{
    return store_session_delete(s, j->r->session_hash, err);
}

static void
logout_done(job *j)
{
    if (j->rc < 0 && j->rc != PL_ENOTFOUND) {
        api_send_rc(j->r, j->rc, &j->err);
        return;
    }
    session_set_cookie(j->r, NULL);
    req_send_empty(j->r, 204);
}

void
api_logout(req *r, const route_args *a)
{
    (void)a;
    if (!r->has_session_cookie) {
        session_set_cookie(r, NULL);
        req_send_empty(r, 204);
        return;
    }
    job_run(r, NULL, logout_write, logout_done);
}

void
api_me(req *r, const route_args *a)
{
    (void)a;
    if (!api_require_user(r))
        return;
    /* The ids this reader muted, so a widget can leave their new comments
     * out of its live "N new comments" count (the lists are filtered by
     * the server already). */
    size_t n;
    int64_t *muted = api_muted_ids(r, &n);
    json_t *ids = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(ids, api_id(muted[i]));
    store_user_mail m;
    pl_error err;
    if (store_user_mail_get(req_store(r), r->user->id, &m, &err) < 0) {
        log_error("msg=\"mail settings lookup failed\" error=\"%s\"", err.msg);
        json_decref(ids);
        api_send_rc(r, PL_ESTORE, NULL);
        return;
    }
    json_t *u = api_user_json(r->user, r->now);
    json_object_set_new(u, "email_verified", json_boolean(m.email_verified));
    json_object_set_new(u, "language", api_language_json(r->user->language));
    req_send_json(r, 200, json_pack("{s:o, s:o}", "user", u, "muted_ids", ids));
}

/* ---- PATCH /me: the user's own settings ---------------------------------- */

/* The language of the desk and the server's pages, or null for none (then
 * Accept-Language decides; app/i18n.h). */
json_t *
api_language_json(const char *language)
{
    return language != NULL && language[0] != '\0' ? json_string(language) : json_null();
}

static int
me_patch_write(job *j, store *s, pl_error *err)
{
    return store_user_set_language(s, j->r->user->id, j->data, err);
}

static void
me_patch_done(job *j)
{
    if (j->rc < 0) {
        api_send_rc(j->r, j->rc, &j->err);
        return;
    }
    store_user u = *j->r->user;
    u.language = j->data;
    json_t *o = api_user_json(&u, j->r->now);
    json_object_set_new(o, "language", api_language_json(u.language));
    req_send_json(j->r, 200, json_pack("{s:o}", "user", o));
}

void
api_me_patch(req *r, const route_args *a)
{
    (void)a;
    if (!api_require_user(r))
        return;
    static const char *const allowed[] = {"language", NULL};
    json_t *o = api_body_object(r, allowed);
    if (o == NULL)
        return;
    json_t *v = json_object_get(o, "language");
    const char *lang = json_is_null(v) ? "" : json_string_value(v);
    if (lang == NULL || (!json_is_null(v) && !i18n_lang_ok(lang))) {
        json_decref(o);
        char msg[160] = "language must be null or one of:";
        for (size_t i = 0; i < i18n_n_langs; i++) {
            size_t n = strlen(msg);
            snprintf(msg + n, sizeof msg - n, " %s%s", i18n_langs[i],
                     i + 1 < i18n_n_langs ? "," : ".");
        }
        req_send_error(r, 400, "invalid_field", msg, "language", NULL);
        return;
    }
    char *copy = arena_strdup(r->a, lang);
    json_decref(o);
    job_run(r, copy, me_patch_write, me_patch_done);
}
