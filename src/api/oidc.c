/* api/oidc.c: OpenID Connect login (authorization code flow with PKCE).
 *
 * GET /api/v1/auth/oidc lists the configured providers (oidc.NAME.*
 * settings) for the widget's buttons. GET .../{name}/start sends the browser
 * to the provider with a fresh state, nonce and PKCE verifier; those travel
 * in a cookie (parley_oidc) signed with a key derived from the provider's
 * client secret, so any node of the site can finish the login and nothing is
 * stored before the provider answered. GET .../{name}/callback checks that
 * cookie against the state the provider sends back, trades the code for an
 * ID token at the provider's token endpoint, verifies it (api/oidc_parse.c)
 * and logs the reader in through single sign-on's own step
 * (api_sso_login_write): the subject, namespaced by the issuer, is linked to
 * an account by the same rules, so a provider never takes over a staff or
 * password account, and the state is recorded as that step's jti in the
 * same transaction, so a state is good for one login only.
 *
 * Talking to the provider takes network round trips, which neither an event
 * loop nor the hashing thread may wait for: each start and callback runs its
 * HTTP on a thread of its own (at most OIDC_MAX_INFLIGHT at once), which then
 * hands the job on with job_submit. The discovery document is cached for an
 * hour and the key set until a token names a key it does not hold; then it
 * is fetched again, at most once per oidc_jwks_refetch_s.
 */
#define PARLEY_CURL_THROUGH_TABLE
#include "api/oidc.h"
#include "api/api_int.h"
#include "app/i18n.h"
#include "util/assets.h"
#include "util/curl_dl.h"
#include "util/log.h"
#include "util/text.h"
#include "util/xalloc.h"

#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define OIDC_MAX_PROVIDERS 16
#define OIDC_MAX_INFLIGHT 32
#define STATE_TTL_S 600
#define DISCOVERY_TTL_S 3600
#define FIELD_LEN 43 /* 32 random bytes in base64url */

typedef struct provider {
    char id[33];
    const char *display_name, *issuer, *client_id, *client_secret, *scope;
    bool allow_http;
    unsigned char state_key[crypto_auth_hmacsha256_KEYBYTES];
    pthread_mutex_t mu; /* guards the cache below */
    oidc_discovery disc;
    int64_t disc_at;
    oidc_keyset keys;
    int64_t keys_at;
} provider;

static provider providers[OIDC_MAX_PROVIDERS];
static size_t n_providers;
static const config *the_cfg;
static char *public_base; /* public_url without a trailing slash */
static atomic_bool stopping;
static int inflight;
static pthread_mutex_t inflight_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t inflight_cv = PTHREAD_COND_INITIALIZER;

/* ---- settings ------------------------------------------------------------ */

static const char *const fields[] = {"issuer", "client_id", "client_secret", "display_name",
                                     "scope"};

static bool
provider_id_ok(const char *s, size_t n)
{
    if (n == 0 || n > 32)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
              s[i] == '-'))
            return false;
    return true;
}

/* Fills out[] from the oidc.* settings (without checking values). */
static int
collect(const config *cfg, provider *out, size_t *n, pl_error *err)
{
    *n = 0;
    for (size_t i = 0; i < cfg->n_extra; i++) {
        const char *k = cfg->extra_keys[i];
        if (strncmp(k, "oidc.", 5) != 0)
            continue;
        const char *id = k + 5, *dot = strchr(id, '.');
        if (dot == NULL || !provider_id_ok(id, (size_t)(dot - id)))
            return pl_errorf(err, PL_EINVAL,
                             "%s: OpenID Connect settings are oidc.NAME.FIELD, NAME made of a-z, "
                             "0-9, _ and - (at most 32)",
                             k);
        size_t f = 0;
        while (f < sizeof fields / sizeof fields[0] && strcmp(dot + 1, fields[f]) != 0)
            f++;
        if (f == sizeof fields / sizeof fields[0])
            return pl_errorf(err, PL_EINVAL,
                             "%s: unknown field (issuer, client_id, client_secret, display_name "
                             "or scope)",
                             k);
        size_t p = 0;
        while (p < *n && (strlen(out[p].id) != (size_t)(dot - id) ||
                          strncmp(out[p].id, id, (size_t)(dot - id)) != 0))
            p++;
        if (p == *n) {
            if (*n == OIDC_MAX_PROVIDERS)
                return pl_errorf(err, PL_EINVAL, "at most %d OpenID Connect providers",
                                 OIDC_MAX_PROVIDERS);
            memset(&out[p], 0, sizeof out[p]);
            memcpy(out[p].id, id, (size_t)(dot - id));
            (*n)++;
        }
        const char *v = cfg->extra_values[i];
        const char **slot[] = {&out[p].issuer, &out[p].client_id, &out[p].client_secret,
                               &out[p].display_name, &out[p].scope};
        *slot[f] = v;
    }
    return 0;
}

bool
oidc_setting_at_start(const char *name)
{
    return strncmp(name, "oidc.", 5) == 0 || strcmp(name, "oidc_jwks_refetch_s") == 0;
}

int
oidc_check_config(const config *cfg, pl_error *err)
{
    provider ps[OIDC_MAX_PROVIDERS];
    size_t n;
    int rc = collect(cfg, ps, &n, err);
    if (rc < 0 || n == 0)
        return rc;
    const char *pu = cfg->public_url;
    if (strncmp(pu, "https://", 8) != 0 && strncmp(pu, "http://", 7) != 0)
        return pl_errorf(err, PL_EINVAL,
                         "OpenID Connect providers are configured, so public_url must be set "
                         "(http:// or https://): the provider sends readers back there");
    for (size_t i = 0; i < n; i++) {
        provider *p = &ps[i];
        if (p->issuer == NULL || p->client_id == NULL || p->client_secret == NULL)
            return pl_errorf(err, PL_EINVAL,
                             "oidc.%s needs issuer, client_id and client_secret (display_name and "
                             "scope are optional)",
                             p->id);
        size_t il = strlen(p->issuer);
        if ((strncmp(p->issuer, "https://", 8) != 0 && !oidc_loopback_http(p->issuer)) ||
            il > 1000 || strpbrk(p->issuer, " \t\r\n?#") != NULL)
            return pl_errorf(err, PL_EINVAL,
                             "oidc.%s.issuer must be an https:// URL without query (http:// only "
                             "on the loopback, for tests), not '%s'",
                             p->id, p->issuer);
        if (p->client_id[0] == '\0' || p->client_secret[0] == '\0' || strlen(p->client_id) > 500 ||
            strlen(p->client_secret) > 500)
            return pl_errorf(err, PL_EINVAL,
                             "oidc.%s: client_id and client_secret must not be empty (at most "
                             "500 bytes)",
                             p->id);
        if (p->display_name != NULL &&
            (strlen(p->display_name) > 64 || !utf8_valid(p->display_name, strlen(p->display_name))))
            return pl_errorf(err, PL_EINVAL, "oidc.%s.display_name: at most 64 bytes of UTF-8",
                             p->id);
        if (p->scope != NULL && strstr(p->scope, "openid") == NULL)
            return pl_errorf(err, PL_EINVAL, "oidc.%s.scope must include openid", p->id);
    }
    return 0;
}

int
oidc_start(const config *cfg, pl_error *err)
{
    int rc = oidc_check_config(cfg, err);
    if (rc < 0)
        return rc;
    if ((rc = collect(cfg, providers, &n_providers, err)) < 0 || n_providers == 0)
        return rc;
    if ((rc = curldl_load("OpenID Connect login", err)) < 0) {
        n_providers = 0;
        return rc;
    }
    the_cfg = cfg;
    size_t n = strlen(cfg->public_url);
    while (n > 0 && cfg->public_url[n - 1] == '/')
        n--;
    public_base = xstrndup(cfg->public_url, n);
    atomic_store(&stopping, false);
    for (size_t i = 0; i < n_providers; i++) {
        provider *p = &providers[i];
        if (p->display_name == NULL || p->display_name[0] == '\0')
            p->display_name = p->id;
        if (p->scope == NULL || p->scope[0] == '\0')
            p->scope = "openid email profile";
        p->allow_http = oidc_loopback_http(p->issuer);
        /* The state cookie's MAC key: the client secret, which every node
         * has and no reader knows, hashed under a label of its own. */
        crypto_hash_sha256_state h;
        crypto_hash_sha256_init(&h);
        crypto_hash_sha256_update(&h, (const unsigned char *)"parley oidc state\n", 18);
        crypto_hash_sha256_update(&h, (const unsigned char *)p->client_secret,
                                  strlen(p->client_secret));
        crypto_hash_sha256_final(&h, p->state_key);
        pthread_mutex_init(&p->mu, NULL);
        log_info("msg=\"OpenID Connect provider\" name=%s issuer=\"%s\"", p->id, p->issuer);
    }
    return 0;
}

void
oidc_drain(void)
{
    atomic_store(&stopping, true);
    pthread_mutex_lock(&inflight_mu);
    while (inflight > 0)
        pthread_cond_wait(&inflight_cv, &inflight_mu);
    pthread_mutex_unlock(&inflight_mu);
}

void
oidc_stop(void)
{
    oidc_drain();
    for (size_t i = 0; i < n_providers; i++) {
        oidc_discovery_free(&providers[i].disc);
        oidc_keyset_free(&providers[i].keys);
        pthread_mutex_destroy(&providers[i].mu);
        sodium_memzero(providers[i].state_key, sizeof providers[i].state_key);
    }
    n_providers = 0;
    free(public_base);
    public_base = NULL;
}

static provider *
find_provider(const char *id)
{
    for (size_t i = 0; i < n_providers; i++)
        if (strcmp(providers[i].id, id) == 0)
            return &providers[i];
    return NULL;
}

/* ---- HTTP to the provider -------------------------------------------------- */

typedef struct body {
    char *p;
    size_t n;
    bool too_big;
} body;

static size_t
take(char *data, size_t size, size_t nmemb, void *arg)
{
    body *b = arg;
    size_t n = size * nmemb;
    if (n == 0)
        return 0;
    if (b->n + n > OIDC_MAX_DOC) {
        b->too_big = true;
        return 0;
    }
    b->p = xrealloc(b->p, b->n + n + 1);
    memcpy(b->p + b->n, data, n);
    b->n += n;
    b->p[b->n] = '\0';
    return n;
}

static int
abort_on_stop(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
    (void)arg;
    (void)dt;
    (void)dn;
    (void)ut;
    (void)un;
    return atomic_load(&stopping) ? 1 : 0;
}

/* GET url (form NULL) or POST the form; 0 with the answer's body in *b
 * (malloc'd, the caller frees b->p) when the provider answered 200, or 400
 * for a token endpoint's error answer (tokens == true), which the caller
 * reads. Else an error naming what failed. */
/* Percent-encodes s into out (room for 3 * strlen(s) + 1 bytes): every
 * byte but letters, digits and "-._~", as a query or a form needs. */
static void
url_encode_into(char *out, const char *s)
{
    char *o = out;
    for (const unsigned char *q = (const unsigned char *)s; *q; q++) {
        if ((*q >= 'A' && *q <= 'Z') || (*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9') ||
            strchr("-._~", *q) != NULL) {
            *o++ = (char)*q;
        } else {
            o += sprintf(o, "%%%02X", *q);
        }
    }
    *o = '\0';
}

static char *
xurl_encode(const char *s)
{
    char *out = xmalloc(strlen(s) * 3 + 1);
    url_encode_into(out, s);
    return out;
}

static int
http_call(const provider *p, const char *what, const char *url, const char *form, bool basic,
          bool tokens, body *b, pl_error *err)
{
    memset(b, 0, sizeof *b);
    if (strncmp(url, "https://", 8) != 0 && !(p->allow_http && oidc_loopback_http(url)))
        return pl_errorf(err, PL_EINVAL, "the provider's %s is not an https:// URL", what);
    CURL *c = curl_easy_init();
    if (c == NULL)
        return pl_errorf(err, PL_ESTORE, "libcurl could not start");
    char errbuf[CURL_ERROR_SIZE] = "";
    struct curl_slist *hdr = curl_slist_append(NULL, "Accept: application/json");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, p->allow_http ? "http,https" : "https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "Parley-OIDC/1");
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, take);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, b);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, abort_on_stop);
    if (form != NULL) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, form);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(form));
    }
    char *user = NULL, *pass = NULL;
    if (basic) {
        /* RFC 6749 2.3.1: both form-encoded before they go into Basic. */
        user = xurl_encode(p->client_id);
        pass = xurl_encode(p->client_secret);
        curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(c, CURLOPT_USERNAME, user);
        curl_easy_setopt(c, CURLOPT_PASSWORD, pass);
    }
    CURLcode res = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(hdr);
    curl_easy_cleanup(c);
    if (pass != NULL)
        sodium_memzero(pass, strlen(pass));
    free(user);
    free(pass);
    int rc = 0;
    if (b->too_big)
        rc = pl_errorf(err, PL_EINVAL, "the provider's %s answered with more than %d bytes", what,
                       OIDC_MAX_DOC);
    else if (res != CURLE_OK)
        rc = pl_errorf(err, PL_EIO, "cannot reach the provider's %s: %s", what,
                       errbuf[0] ? errbuf : curl_easy_strerror(res));
    else if (status != 200 && !(tokens && status >= 400 && status < 500 && b->n > 0))
        rc = pl_errorf(err, PL_EIO, "the provider's %s answered HTTP %ld", what, status);
    if (rc < 0) {
        free(b->p);
        b->p = NULL;
        b->n = 0;
    }
    return rc;
}

/* Copies the provider's endpoints into the arena, fetching the discovery
 * document when it is not cached or is older than DISCOVERY_TTL_S. */
static int
discovery(provider *p, arena *a, oidc_discovery *out, pl_error *err)
{
    pthread_mutex_lock(&p->mu);
    bool fresh = p->disc.issuer != NULL && (time_now_ms() / 1000) - p->disc_at < DISCOVERY_TTL_S;
    pthread_mutex_unlock(&p->mu);
    if (!fresh) {
        size_t n = strlen(p->issuer);
        while (n > 0 && p->issuer[n - 1] == '/')
            n--;
        char *url = arena_printf(a, "%.*s/.well-known/openid-configuration", (int)n, p->issuer);
        body b;
        int rc = http_call(p, "discovery document", url, NULL, false, false, &b, err);
        oidc_discovery d;
        if (rc == 0) {
            rc = oidc_parse_discovery(b.p, b.n, p->issuer, p->allow_http, &d, err);
            free(b.p);
        }
        if (rc < 0) {
            log_warn("msg=\"OpenID Connect discovery failed\" provider=%s error=\"%s\"", p->id,
                     err->msg);
            return rc;
        }
        pthread_mutex_lock(&p->mu);
        oidc_discovery_free(&p->disc);
        p->disc = d;
        p->disc_at = time_now_ms() / 1000;
        pthread_mutex_unlock(&p->mu);
    }
    pthread_mutex_lock(&p->mu);
    out->issuer = arena_strdup(a, p->disc.issuer);
    out->authorization_endpoint = arena_strdup(a, p->disc.authorization_endpoint);
    out->token_endpoint = arena_strdup(a, p->disc.token_endpoint);
    out->jwks_uri = arena_strdup(a, p->disc.jwks_uri);
    out->secret_post = p->disc.secret_post;
    pthread_mutex_unlock(&p->mu);
    return 0;
}

static int
fetch_keys(provider *p, const char *jwks_uri, pl_error *err)
{
    body b;
    int rc = http_call(p, "key set (jwks_uri)", jwks_uri, NULL, false, false, &b, err);
    oidc_keyset ks = {0};
    if (rc == 0) {
        rc = oidc_parse_jwks(b.p, b.n, &ks, err);
        free(b.p);
    }
    if (rc < 0) {
        log_warn("msg=\"OpenID Connect key set fetch failed\" provider=%s error=\"%s\"", p->id,
                 err->msg);
        return rc;
    }
    pthread_mutex_lock(&p->mu);
    oidc_keyset_free(&p->keys);
    p->keys = ks;
    p->keys_at = time_now_ms() / 1000;
    pthread_mutex_unlock(&p->mu);
    log_info("msg=\"OpenID Connect keys fetched\" provider=%s keys=%zu", p->id, ks.n);
    return 0;
}

/* Verifies the ID token, fetching the key set when none is held or, at
 * most once per oidc_jwks_refetch_s, when the token names a key the held
 * set lacks (the provider rotated its keys). -1 (err set) when the keys
 * cannot be had. */
static oidc_status
verify_held(provider *p, const char *token, const char *nonce, arena *a, oidc_claims *c,
            int64_t *age, pl_error *err)
{
    pthread_mutex_lock(&p->mu);
    oidc_status st = oidc_verify_id_token(token, strlen(token), &p->keys, p->issuer, p->client_id,
                                          nonce, time_now_ms() / 1000, a, c, err);
    *age = (time_now_ms() / 1000) - p->keys_at;
    pthread_mutex_unlock(&p->mu);
    return st;
}

static int
verify(provider *p, const char *jwks_uri, const char *token, const char *nonce, arena *a,
       oidc_claims *c, oidc_status *st, pl_error *err)
{
    pthread_mutex_lock(&p->mu);
    bool have = p->keys.n > 0;
    pthread_mutex_unlock(&p->mu);
    int rc;
    if (!have && (rc = fetch_keys(p, jwks_uri, err)) < 0)
        return rc;
    int64_t age;
    *st = verify_held(p, token, nonce, a, c, &age, err);
    if (*st != OIDC_UNKNOWN_KEY)
        return 0;
    if (age < the_cfg->oidc_jwks_refetch_s) {
        log_warn("msg=\"ID token names a key the provider's set lacks; set fetched too recently "
                 "to fetch again\" provider=%s age_s=%lld",
                 p->id, (long long)age);
        return 0;
    }
    if ((rc = fetch_keys(p, jwks_uri, err)) < 0)
        return rc;
    *st = verify_held(p, token, nonce, a, c, &age, err);
    return 0;
}

/* ---- the flow ------------------------------------------------------------ */

typedef enum { STEP_START, STEP_CALLBACK } step;

typedef enum {
    OUT_OK,
    OUT_UNAVAILABLE, /* 502: the provider cannot be reached or answered nonsense */
    OUT_REFUSED,     /* 401 provider_refused */
    OUT_BAD_TOKEN,   /* 401 invalid_token */
    OUT_BUSY         /* 503 */
} outcome;

typedef struct oidc_job {
    step step;
    provider *p;
    outcome out;
    char why[300];
    /* start */
    const char *location;
    const char *cookie;
    /* callback: from the request and the cookie */
    const char *code, *state, *nonce, *verifier, *return_to;
    int64_t state_exp;
    /* callback: the login */
    sso_login login;
    bool name_taken;
} oidc_job;

/* Percent-encodes s for a query or a form. */
static char *
url_encode(arena *a, const char *s)
{
    char *out = arena_alloc(a, strlen(s) * 3 + 1);
    url_encode_into(out, s);
    return out;
}

static char *
random_field(arena *a)
{
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    char *out = arena_alloc(a, FIELD_LEN + 4);
    b64url_encode(raw, sizeof raw, out);
    return out;
}

static const char *
redirect_uri(arena *a, const provider *p)
{
    return arena_printf(a, "%s/api/v1/auth/oidc/%s/callback", public_base, p->id);
}

/* The state cookie: NAME.STATE.NONCE.VERIFIER.EXP.LINK.RETURN.MAC, RETURN
 * base64url, MAC the HMAC-SHA-256 of everything before it under the
 * provider's state key. */
static char *
cookie_mac(arena *a, const provider *p, const char *payload)
{
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, p->state_key, sizeof p->state_key);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)payload, strlen(payload));
    crypto_auth_hmacsha256_final(&st, mac);
    char *out = arena_alloc(a, 48);
    b64url_encode(mac, sizeof mac, out);
    return out;
}

/* Ends a step with outcome out, why (a sentence) kept for the answer. */
static void
fail(oidc_job *oj, outcome out, const char *why)
{
    oj->out = out;
    snprintf(oj->why, sizeof oj->why, "%s", why);
}

/* The provider's endpoints for a step; false, the step ended with 502, when
 * they cannot be had. */
static bool
step_discovery(oidc_job *oj, arena *a, oidc_discovery *d)
{
    pl_error err = {0};
    if (discovery(oj->p, a, d, &err) == 0)
        return true;
    fail(oj, OUT_UNAVAILABLE, err.msg);
    return false;
}

static void
start_step(job *j)
{
    oidc_job *oj = j->data;
    req *r = j->r;
    provider *p = oj->p;
    oidc_discovery d;
    if (!step_discovery(oj, r->a, &d))
        return;
    char *state = random_field(r->a), *nonce = random_field(r->a), *verifier = random_field(r->a);
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, (const unsigned char *)verifier, strlen(verifier));
    char challenge[48];
    b64url_encode(digest, sizeof digest, challenge);
    oj->location = arena_printf(
        r->a,
        "%s%cresponse_type=code&client_id=%s&redirect_uri=%s&scope=%s&state=%s&nonce=%s"
        "&code_challenge=%s&code_challenge_method=S256",
        d.authorization_endpoint, strchr(d.authorization_endpoint, '?') ? '&' : '?',
        url_encode(r->a, p->client_id), url_encode(r->a, redirect_uri(r->a, p)),
        url_encode(r->a, p->scope), state, nonce, challenge);
    size_t rn = strlen(oj->return_to);
    char *ret = arena_alloc(r->a, rn * 4 / 3 + 8);
    b64url_encode((const unsigned char *)oj->return_to, rn, ret);
    char *payload = arena_printf(r->a, "%s.%s.%s.%s.%lld.%lld.%s", p->id, state, nonce, verifier,
                                 (long long)(r->now / 1000) + STATE_TTL_S,
                                 (long long)oj->login.link_user_id, ret);
    oj->cookie = arena_printf(r->a, "%s.%s", payload, cookie_mac(r->a, p, payload));
}

static void
callback_step(job *j)
{
    oidc_job *oj = j->data;
    req *r = j->r;
    provider *p = oj->p;
    pl_error err = {0};
    oidc_discovery d;
    if (!step_discovery(oj, r->a, &d))
        return;
    char *form = arena_printf(r->a,
                              "grant_type=authorization_code&code=%s&redirect_uri=%s"
                              "&code_verifier=%s&client_id=%s",
                              url_encode(r->a, oj->code), url_encode(r->a, redirect_uri(r->a, p)),
                              oj->verifier, url_encode(r->a, p->client_id));
    if (d.secret_post)
        form = arena_printf(r->a, "%s&client_secret=%s", form, url_encode(r->a, p->client_secret));
    body b;
    if (http_call(p, "token endpoint", d.token_endpoint, form, !d.secret_post, true, &b, &err) <
        0) {
        fail(oj, OUT_UNAVAILABLE, err.msg);
        return;
    }
    sodium_memzero(form, strlen(form));
    const char *id_token;
    int rc = oidc_parse_token_response(b.p, b.n, r->a, &id_token, &err);
    free(b.p);
    if (rc < 0) {
        fail(oj, OUT_REFUSED, err.msg);
        log_info("msg=\"OpenID Connect code exchange refused\" provider=%s error=\"%s\"", p->id,
                 err.msg);
        return;
    }
    oidc_claims c;
    oidc_status st;
    if (verify(p, d.jwks_uri, id_token, oj->nonce, r->a, &c, &st, &err) < 0) {
        fail(oj, OUT_UNAVAILABLE, err.msg);
        return;
    }
    if (st != OIDC_OK) {
        fail(oj, OUT_BAD_TOKEN, err.msg);
        log_warn("msg=\"OpenID Connect ID token refused\" provider=%s error=\"%s\"", p->id,
                 err.msg);
        return;
    }
    if (c.email[0] == '\0') {
        fail(oj, OUT_BAD_TOKEN,
             "The provider did not share an e-mail address, which Parley needs for an "
             "account (is \"email\" in the scope?).");
        return;
    }
    if (!email_shape_valid(c.email)) {
        fail(oj, OUT_BAD_TOKEN,
             "The provider's e-mail address is not one Parley can use for an account.");
        return;
    }
    if (email_domain_reserved(c.email)) {
        fail(oj, OUT_BAD_TOKEN,
             "The provider's e-mail address is in a reserved domain (.invalid, .test, "
             ".example, .localhost), which no reader's address may use.");
        return;
    }
    char *name = arena_strdup(r->a, c.name);
    if (name[0] != '\0' && utf8_valid(name, strlen(name)))
        text_strip_invisible(name);
    else
        name[0] = '\0';
    oj->login.sub = arena_printf(r->a, "oidc:%s#%s", p->issuer, c.sub);
    oj->login.name = name;
    oj->login.email = arena_strdup(r->a, c.email);
    for (char *q = (char *)oj->login.email; *q; q++)
        if (*q >= 'A' && *q <= 'Z')
            *q = (char)(*q - 'A' + 'a');
    oj->login.email_verified = c.email_verified;
    oj->login.jti = arena_printf(r->a, "oidc-state:%s", oj->state);
    oj->login.jti_keep_until = oj->state_exp * 1000 + 60000;
    oj->out = OUT_OK;
}

static int
callback_write(job *j, store *s, pl_error *err)
{
    oidc_job *oj = j->data;
    int rc = api_sso_login_write(j->r, s, &oj->login, err);
    if (rc < 0 || oj->login.user.role != ROLE_READER || oj->login.name[0] == '\0')
        return rc;
    /* The provider's name is the reader's; one that reads like a staff
     * member's is refused as at registration (staff keep the names the
     * admin gave them, which a provider never changes). */
    bool taken;
    if ((rc = api_staff_name(s, j->r->a, oj->login.name, &taken, err)) < 0)
        return rc;
    if (taken) {
        oj->name_taken = true;
        return pl_errorf(err, PL_EINVAL, "name taken");
    }
    return 0;
}

static void *
worker(void *arg)
{
    job *j = arg;
    oidc_job *oj = j->data;
    if (oj->step == STEP_START)
        start_step(j);
    else
        callback_step(j);
    if (oj->step == STEP_CALLBACK && oj->out == OUT_OK)
        j->write = callback_write;
    j->slow = NULL;
    job_submit(j);
    pthread_mutex_lock(&inflight_mu);
    if (--inflight == 0)
        pthread_cond_broadcast(&inflight_cv);
    pthread_mutex_unlock(&inflight_mu);
    return NULL;
}

/* Runs the job's provider step on a thread of its own; false after sending
 * 503 when too many are running or the server is stopping. */
static bool
dispatch(job *j)
{
    pthread_mutex_lock(&inflight_mu);
    bool ok = !atomic_load(&stopping) && inflight < OIDC_MAX_INFLIGHT;
    if (ok)
        inflight++;
    pthread_mutex_unlock(&inflight_mu);
    pthread_t t;
    pthread_attr_t at;
    pthread_attr_init(&at);
    pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
    if (ok && pthread_create(&t, &at, worker, j) != 0) {
        pthread_mutex_lock(&inflight_mu);
        inflight--;
        pthread_mutex_unlock(&inflight_mu);
        ok = false;
    }
    pthread_attr_destroy(&at);
    if (!ok)
        req_send_error(j->r, 503, "busy",
                       "Too many sign-ins are in progress; try again in a moment.", NULL, NULL);
    return ok;
}

static void
state_cookie(req *r, const char *value)
{
    const char *secure = r->secure ? "; Secure" : "";
    req_add_header(r, "Set-Cookie",
                   value != NULL
                       ? arena_printf(r->a,
                                      "parley_oidc=%s; Path=/api/v1/auth/oidc/; HttpOnly; "
                                      "SameSite=Lax; Max-Age=%d%s",
                                      value, STATE_TTL_S, secure)
                       : arena_printf(r->a,
                                      "parley_oidc=; Path=/api/v1/auth/oidc/; HttpOnly; "
                                      "SameSite=Lax; Max-Age=0%s",
                                      secure));
}

/* The sentence for each error code of the sign-in pages, in the server's
 * catalogues (docs/I18N.md); another code gets oidc_err_other. */
static const struct {
    const char *code, *key;
} nav_sentences[] = {
    {"provider_unavailable", "oidc_err_provider_unavailable"},
    {"provider_refused", "oidc_err_provider_refused"},
    {"invalid_token", "oidc_err_invalid_token"},
    {"invalid_state", "oidc_err_invalid_state"},
    {"invalid_field", "oidc_err_invalid_field"},
    {"name_taken", "oidc_err_name_taken"},
    {"already_linked", "oidc_err_already_linked"},
    {"email_taken", "oidc_err_email_taken"},
    {"login_required", "oidc_err_login_required"},
};

/* The start and the callback are page loads in the reader's browser, not
 * calls of the widget: a browser (Accept naming text/html) gets the error as
 * a short page with a way back, in its language (web/page.html: the
 * catalogue's sentence for the code, then the server's own words, which
 * are English, and the code); other clients get the API's JSON. Same status
 * and code either way. */
static void
nav_error(req *r, int status, const char *code, const char *message, const char *field,
          const char *back)
{
    const char *accept = req_header(r, "Accept");
    if (accept == NULL || strstr(accept, "text/html") == NULL) {
        req_send_error(r, status, code, message, field, NULL);
        return;
    }
    const char *lang = i18n_choose(r);
    const char *key = "oidc_err_other";
    for (size_t i = 0; i < sizeof nav_sentences / sizeof nav_sentences[0]; i++)
        if (strcmp(code, nav_sentences[i].code) == 0)
            key = nav_sentences[i].key;
    arena *a = r->a;
    const char *content = arena_printf(
        a,
        "<p>%s</p>\n<p lang=\"en\" dir=\"ltr\">%s</p>\n<p>(%s)</p>\n<p><a href=\"%s\">%s</a></p>",
        html_escape(a, i18n_text(lang, key)), html_escape(a, message), html_escape(a, code),
        html_escape(a, back != NULL ? back : arena_printf(a, "%s/", public_base)),
        html_escape(a, i18n_text(lang, "oidc_back")));
    const char *vars[] = {"title", html_escape(a, i18n_text(lang, "oidc_title")), "content",
                          content};
    const asset *tpl = asset_find(assets, "/page.html");
    if (tpl == NULL) {
        req_send_bytes(r, status, "text/html; charset=utf-8", content, strlen(content), "no-store");
        return;
    }
    i18n_send_page(r, status, (const char *)tpl->data, (size_t)tpl->size, vars, 2, "no-store");
}

static void
send_outcome_error(req *r, oidc_job *oj)
{
    switch (oj->out) {
    case OUT_UNAVAILABLE:
        nav_error(r, 502, "provider_unavailable",
                  arena_printf(r->a, "The sign-in provider could not be used: %s", oj->why), NULL,
                  oj->return_to);
        break;
    case OUT_REFUSED:
        nav_error(r, 401, "provider_refused", oj->why, NULL, oj->return_to);
        break;
    default:
        nav_error(r, 401, "invalid_token", oj->why, NULL, oj->return_to);
        break;
    }
}

static void
start_done(job *j)
{
    oidc_job *oj = j->data;
    req *r = j->r;
    if (oj->out != OUT_OK) {
        send_outcome_error(r, oj);
        return;
    }
    state_cookie(r, oj->cookie);
    req_add_header(r, "Location", oj->location);
    req_send_empty(r, 302);
}

static void
callback_done(job *j)
{
    oidc_job *oj = j->data;
    req *r = j->r;
    /* The state is spent whatever happened: the browser starts again. */
    state_cookie(r, NULL);
    if (oj->out != OUT_OK) {
        send_outcome_error(r, oj);
        return;
    }
    if (oj->name_taken) {
        nav_error(r, 409, "name_taken",
                  "Your name at the sign-in provider is one a member of the site's staff "
                  "uses (or looks the same); change it there, or register with a password.",
                  NULL, oj->return_to);
        return;
    }
    if (j->rc == PL_ECONFLICT) {
        nav_error(r, 400, "invalid_state",
                  "This sign-in was completed already; start again from the comments.", NULL,
                  oj->return_to);
        return;
    }
    if (j->rc == PL_EFORBIDDEN && oj->login.link_user_id != 0) {
        nav_error(r, 409, "already_linked", j->err.msg, NULL, oj->return_to);
        return;
    }
    if (j->rc == PL_EFORBIDDEN && !oj->login.user.deleted) {
        nav_error(r, 409, "email_taken", j->err.msg, NULL, oj->return_to);
        return;
    }
    if (j->rc < 0) {
        if (j->rc == PL_ESTORE)
            log_error("msg=\"oidc login failed\" error=\"%s\"", j->err.msg);
        api_send_rc(r, j->rc, &j->err);
        return;
    }
    session_set_cookie(r, oj->login.token);
    req_add_header(r, "Location", oj->return_to);
    req_send_empty(r, 303);
}

/* ---- handlers -------------------------------------------------------------- */

void
api_oidc_list(req *r, const route_args *a)
{
    (void)a;
    json_t *list = json_array();
    for (size_t i = 0; i < n_providers; i++)
        json_array_append_new(
            list,
            json_pack("{s:s, s:s, s:s}", "id", providers[i].id, "name", providers[i].display_name,
                      "start", arena_printf(r->a, "/api/v1/auth/oidc/%s/start", providers[i].id)));
    req_send_json(r, 200, json_pack("{s:o}", "providers", list));
}

static provider *
route_provider(req *r, const route_args *a)
{
    provider *p = find_provider(a->seg[0]);
    if (p == NULL)
        req_send_error(r, 404, "not_found",
                       "There is no such sign-in provider on this server (GET /api/v1/auth/oidc "
                       "lists them).",
                       NULL, NULL);
    return p;
}

void
api_oidc_start(req *r, const route_args *a)
{
    provider *p = route_provider(r, a);
    if (p == NULL || !req_rate_limit(r, LIMIT_AUTH))
        return;
    const char *ret = req_query(r, "return_to", NULL), *link = req_query(r, "link", NULL);
    bool plain = true; /* no control characters or spaces: it becomes a Location */
    for (const char *q = ret; q != NULL && *q; q++)
        plain = plain && (unsigned char)*q > 0x20 && *q != 0x7f;
    if (ret != NULL && (strlen(ret) > 2000 || !plain || !api_own_url(r, ret))) {
        req_send_error(r, 400, "invalid_field",
                       "return_to must be an address on one of the site's own origins.",
                       "return_to", NULL);
        return;
    }
    if (link != NULL && strcmp(link, "true") != 0 && strcmp(link, "false") != 0) {
        req_send_error(r, 400, "invalid_field", "link must be true or false.", "link", NULL);
        return;
    }
    bool want_link = link != NULL && strcmp(link, "true") == 0;
    if (want_link && !api_require_user(r))
        return;
    oidc_job *oj = arena_zalloc(r->a, sizeof *oj);
    oj->step = STEP_START;
    oj->p = p;
    oj->return_to = ret != NULL ? ret : arena_printf(r->a, "%s/", public_base);
    oj->login.link_user_id = want_link ? r->user->id : 0;
    job *j = job_new(r, oj);
    j->done = start_done;
    dispatch(j);
}

/* Reads the parley_oidc cookie into oj; false when there is none, it is not
 * one this server signed for p, or it expired. */
static bool
read_state_cookie(req *r, provider *p, oidc_job *oj)
{
    const char *cookie = req_header(r, "Cookie"), *v = cookie;
    while (v != NULL && (v = strstr(v, "parley_oidc=")) != NULL && v != cookie && v[-1] != ' ' &&
           v[-1] != ';')
        v++;
    if (v == NULL)
        return false;
    v += strlen("parley_oidc=");
    size_t n = strcspn(v, "; ");
    if (n == 0 || n > 4000)
        return false;
    char *text = arena_strndup(r->a, v, n);
    char *mac = strrchr(text, '.');
    if (mac == NULL)
        return false;
    *mac++ = '\0';
    const char *want = cookie_mac(r->a, p, text);
    if (strlen(mac) != strlen(want) || sodium_memcmp(mac, want, strlen(want)) != 0)
        return false;
    char *part[7];
    char *save = NULL, *s = text;
    for (int i = 0; i < 7; i++, s = NULL)
        if ((part[i] = strtok_r(s, ".", &save)) == NULL)
            return false;
    int64_t exp = 0, link = 0;
    if (strcmp(part[0], p->id) != 0 || parse_int(part[4], 0, INT64_MAX / 1000, &exp) < 0 ||
        parse_int(part[5], 0, INT64_MAX, &link) < 0 || exp * 1000 <= r->now)
        return false;
    size_t rn = strlen(part[6]);
    unsigned char *ret = arena_alloc(r->a, rn + 1);
    long got = b64url_decode(part[6], ret, rn);
    if (got <= 0)
        return false;
    ret[got] = '\0';
    oj->state = part[1];
    oj->nonce = part[2];
    oj->verifier = part[3];
    oj->state_exp = exp;
    oj->login.link_user_id = link;
    oj->return_to = (const char *)ret;
    return true;
}

void
api_oidc_callback(req *r, const route_args *a)
{
    provider *p = route_provider(r, a);
    if (p == NULL || !req_rate_limit(r, LIMIT_AUTH))
        return;
    const char *error = req_query(r, "error", NULL);
    if (error != NULL) {
        const char *desc = req_query(r, "error_description", NULL);
        char words[300];
        snprintf(words, sizeof words, "%s%s%s", error, desc ? ": " : "", desc ? desc : "");
        for (char *q = words; *q; q++)
            if ((unsigned char)*q < 0x20 || (unsigned char)*q >= 0x7f)
                *q = '?';
        state_cookie(r, NULL);
        nav_error(r, 401, "provider_refused",
                  arena_printf(r->a, "The sign-in provider did not sign you in (%s).", words), NULL,
                  NULL);
        return;
    }
    oidc_job *oj = arena_zalloc(r->a, sizeof *oj);
    oj->step = STEP_CALLBACK;
    oj->p = p;
    const char *code = req_query(r, "code", NULL), *state = req_query(r, "state", NULL);
    const char *iss = req_query(r, "iss", NULL);
    if (code == NULL || code[0] == '\0' || strlen(code) > 2000) {
        nav_error(r, 400, "invalid_field", "The provider sent no authorization code.", "code",
                  NULL);
        return;
    }
    if (state == NULL || !read_state_cookie(r, p, oj) || strlen(state) != strlen(oj->state) ||
        sodium_memcmp(state, oj->state, strlen(state)) != 0) {
        state_cookie(r, NULL);
        nav_error(r, 400, "invalid_state",
                  "This sign-in does not match one started in this browser in the last "
                  "ten minutes; start again from the comments.",
                  "state", NULL);
        return;
    }
    /* RFC 9207: a provider that names itself must be this one. */
    if (iss != NULL && strcmp(iss, p->issuer) != 0) {
        state_cookie(r, NULL);
        nav_error(r, 400, "invalid_state",
                  "The answer names another provider than the one this sign-in started "
                  "with.",
                  "iss", oj->return_to);
        return;
    }
    if (oj->login.link_user_id != 0 && (r->user == NULL || r->user->id != oj->login.link_user_id)) {
        state_cookie(r, NULL);
        nav_error(r, 401, "login_required",
                  "Linking needs the session of the account it started from.", NULL, oj->return_to);
        return;
    }
    oj->code = code;
    job *j = job_new(r, oj);
    j->done = callback_done;
    dispatch(j);
}
