/* api/oidc_parse.c: see oidc.h. The ID token's checks run in the same order
 * as api/jwt.c's: shape and size, then the header's alg, then the signature,
 * and only then the claims, so an unsigned payload is never interpreted. */
#include "api/jwt.h"
#include "api/oidc.h"
#include "util/text.h"
#include "util/xalloc.h"

#include <jansson.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define SKEW_S 60

/* A JSON object from n bytes of UTF-8, or NULL. */
static json_t *
load_object(const char *s, size_t n)
{
    if (n == 0 || n > OIDC_MAX_DOC || !utf8_valid(s, n))
        return NULL;
    json_t *o = json_loadb(s, n, JSON_REJECT_DUPLICATES, NULL);
    if (o != NULL && !json_is_object(o)) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* A string member of 1..max bytes without control characters or spaces. */
static const char *
token_str(json_t *o, const char *name, size_t max)
{
    json_t *v = json_object_get(o, name);
    if (!json_is_string(v))
        return NULL;
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (n == 0 || n > max || strlen(s) != n)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7f)
            return NULL;
    return s;
}

bool
oidc_loopback_http(const char *url)
{
    static const char *const hosts[] = {"http://127.0.0.1", "http://[::1]", "http://localhost"};
    for (size_t i = 0; i < sizeof hosts / sizeof hosts[0]; i++) {
        size_t n = strlen(hosts[i]);
        if (strncmp(url, hosts[i], n) == 0 && strchr(":/", url[n]) != NULL)
            return url[n] != '\0';
    }
    return false;
}

static bool
endpoint_ok(const char *url, bool allow_http)
{
    if (strncmp(url, "https://", 8) == 0)
        return url[8] != '\0' && url[8] != '/';
    return allow_http && oidc_loopback_http(url);
}

static bool
array_has(json_t *arr, const char *want)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v) if (json_is_string(v) &&
                                      strcmp(json_string_value(v), want) == 0) return true;
    return false;
}

int
oidc_parse_discovery(const char *json, size_t n, const char *issuer, bool allow_http,
                     oidc_discovery *out, pl_error *err)
{
    memset(out, 0, sizeof *out);
    json_t *o = load_object(json, n);
    if (o == NULL)
        return pl_errorf(err, PL_EINVAL, "the provider's discovery document is not a JSON object");
    static const char *const fields[] = {"authorization_endpoint", "token_endpoint", "jwks_uri"};
    const char *iss = token_str(o, "issuer", 2000);
    int rc = 0;
    if (iss == NULL || strcmp(iss, issuer) != 0)
        rc = pl_errorf(err, PL_EINVAL,
                       "the provider's discovery document names another issuer than the "
                       "configured one (they must be equal, character for character)");
    const char *v[3] = {0};
    for (size_t i = 0; i < 3 && rc == 0; i++) {
        v[i] = token_str(o, fields[i], 2000);
        if (v[i] == NULL || !endpoint_ok(v[i], allow_http))
            rc = pl_errorf(err, PL_EINVAL,
                           "the provider's discovery document has no usable %s (an https:// URL)",
                           fields[i]);
    }
    if (rc == 0) {
        json_t *methods = json_object_get(o, "token_endpoint_auth_methods_supported");
        out->secret_post = json_is_array(methods) && !array_has(methods, "client_secret_basic") &&
                           array_has(methods, "client_secret_post");
        out->issuer = xstrdup(iss);
        out->authorization_endpoint = xstrdup(v[0]);
        out->token_endpoint = xstrdup(v[1]);
        out->jwks_uri = xstrdup(v[2]);
    }
    json_decref(o);
    return rc;
}

void
oidc_discovery_free(oidc_discovery *d)
{
    free(d->issuer);
    free(d->authorization_endpoint);
    free(d->token_endpoint);
    free(d->jwks_uri);
    memset(d, 0, sizeof *d);
}

/* Decodes a base64url member into buf (at most cap bytes); its length, or
 * -1. */
static long
b64_member(json_t *o, const char *name, unsigned char *buf, size_t cap)
{
    const char *s = token_str(o, name, cap * 4 / 3 + 4);
    if (s == NULL)
        return -1;
    return b64url_decode(s, buf, cap);
}

static EVP_PKEY *
from_params(const char *type, OSSL_PARAM_BLD *bld)
{
    EVP_PKEY *pkey = NULL;
    OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
    if (params == NULL || ctx == NULL || EVP_PKEY_fromdata_init(ctx) != 1 ||
        EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1)
        pkey = NULL;
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    return pkey;
}

static EVP_PKEY *
rsa_key(json_t *k)
{
    unsigned char nb[1024], eb[16];
    long nn = b64_member(k, "n", nb, sizeof nb), en = b64_member(k, "e", eb, sizeof eb);
    if (nn <= 0 || en <= 0)
        return NULL;
    BIGNUM *bn = BN_bin2bn(nb, (int)nn, NULL), *be = BN_bin2bn(eb, (int)en, NULL);
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    EVP_PKEY *pkey = NULL;
    if (bn != NULL && be != NULL && bld != NULL && BN_num_bits(bn) >= 2048 &&
        BN_num_bits(bn) <= 8192 && BN_is_odd(be) && BN_num_bits(be) >= 2 &&
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn) == 1 &&
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be) == 1)
        pkey = from_params("RSA", bld);
    OSSL_PARAM_BLD_free(bld);
    BN_free(bn);
    BN_free(be);
    return pkey;
}

static EVP_PKEY *
p256_key(json_t *k)
{
    const char *crv = token_str(k, "crv", 16);
    unsigned char pub[65], x[33], y[33];
    if (crv == NULL || strcmp(crv, "P-256") != 0 || b64_member(k, "x", x, sizeof x) != 32 ||
        b64_member(k, "y", y, sizeof y) != 32)
        return NULL;
    pub[0] = 4; /* uncompressed point; libcrypto checks it is on the curve */
    memcpy(pub + 1, x, 32);
    memcpy(pub + 33, y, 32);
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    EVP_PKEY *pkey = NULL;
    if (bld != NULL &&
        OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) == 1 &&
        OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof pub) == 1)
        pkey = from_params("EC", bld);
    OSSL_PARAM_BLD_free(bld);
    return pkey;
}

int
oidc_parse_jwks(const char *json, size_t n, oidc_keyset *out, pl_error *err)
{
    memset(out, 0, sizeof *out);
    json_t *o = load_object(json, n);
    json_t *keys = o ? json_object_get(o, "keys") : NULL;
    if (!json_is_array(keys)) {
        json_decref(o);
        return pl_errorf(err, PL_EINVAL, "the provider's key set is not a JSON object with keys");
    }
    size_t i;
    json_t *k;
    json_array_foreach(keys, i, k)
    {
        if (out->n == OIDC_MAX_KEYS)
            break;
        if (!json_is_object(k))
            continue;
        const char *kty = token_str(k, "kty", 8), *use = token_str(k, "use", 8);
        const char *alg = token_str(k, "alg", 16), *kid = token_str(k, "kid", 127);
        if (kty == NULL || (use != NULL && strcmp(use, "sig") != 0) ||
            (json_object_get(k, "kid") != NULL && kid == NULL))
            continue;
        oidc_key *key = &out->keys[out->n];
        if (strcmp(kty, "RSA") == 0 && (alg == NULL || strcmp(alg, "RS256") == 0)) {
            key->alg = OIDC_ALG_RS256;
            key->pkey = rsa_key(k);
        } else if (strcmp(kty, "EC") == 0 && (alg == NULL || strcmp(alg, "ES256") == 0)) {
            key->alg = OIDC_ALG_ES256;
            key->pkey = p256_key(k);
        }
        if (key->pkey == NULL)
            continue;
        snprintf(key->kid, sizeof key->kid, "%s", kid ? kid : "");
        out->n++;
    }
    ERR_clear_error();
    json_decref(o);
    if (out->n == 0)
        return pl_errorf(err, PL_EINVAL,
                         "the provider's key set has no key Parley can use (RSA of 2048 bits or "
                         "more for RS256, P-256 for ES256)");
    return 0;
}

void
oidc_keyset_free(oidc_keyset *ks)
{
    for (size_t i = 0; i < ks->n; i++)
        EVP_PKEY_free(ks->keys[i].pkey);
    ks->n = 0;
}

/* Copies s keeping printable ASCII only, at most max bytes: for the
 * provider's own words, shown to the reader and logged. */
static char *
clean_words(arena *a, const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n > max)
        n = max;
    char *out = arena_strndup(a, s, n);
    for (char *p = out; *p; p++)
        if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
            *p = '?';
    return out;
}

int
oidc_parse_token_response(const char *json, size_t n, arena *a, const char **id_token,
                          pl_error *err)
{
    *id_token = NULL;
    json_t *o = load_object(json, n);
    if (o == NULL)
        return pl_errorf(err, PL_EINVAL, "the provider's token endpoint did not answer with JSON");
    int rc = 0;
    json_t *e = json_object_get(o, "error"), *d = json_object_get(o, "error_description");
    const char *t = token_str(o, "id_token", OIDC_MAX_TOKEN);
    if (json_is_string(e))
        rc = pl_errorf(err, PL_EINVAL, "the provider refused the sign-in: %s%s%s",
                       clean_words(a, json_string_value(e), 64), json_is_string(d) ? " (" : "",
                       json_is_string(d)
                           ? arena_printf(a, "%s)", clean_words(a, json_string_value(d), 200))
                           : "");
    else if (t == NULL)
        rc = pl_errorf(err, PL_EINVAL,
                       "the provider's token endpoint sent no id_token (is \"openid\" in the "
                       "scope?)");
    else
        *id_token = arena_strdup(a, t);
    json_decref(o);
    return rc;
}

/* ---- the ID token ------------------------------------------------------ */

static oidc_status
fail(pl_error *err, oidc_status st, const char *msg)
{
    pl_errorf(err, PL_EINVAL, "%s", msg);
    return st;
}

static bool
verify_sig(const oidc_key *k, const unsigned char *data, size_t n, const unsigned char *sig,
           long sig_n)
{
    unsigned char *der = NULL;
    const unsigned char *s = sig;
    size_t sn = (size_t)sig_n;
    bool ok = false;
    if (k->alg == OIDC_ALG_ES256) {
        /* JWS carries r||s; libcrypto wants the DER of ECDSA-Sig-Value. */
        if (sig_n != 64)
            return false;
        ECDSA_SIG *es = ECDSA_SIG_new();
        BIGNUM *r = BN_bin2bn(sig, 32, NULL), *ss = BN_bin2bn(sig + 32, 32, NULL);
        if (es == NULL || r == NULL || ss == NULL || ECDSA_SIG_set0(es, r, ss) != 1) {
            BN_free(r);
            BN_free(ss);
            ECDSA_SIG_free(es);
            return false;
        }
        int dn = i2d_ECDSA_SIG(es, &der);
        ECDSA_SIG_free(es);
        if (dn <= 0)
            return false;
        s = der;
        sn = (size_t)dn;
    } else if (sig_n != EVP_PKEY_get_size(k->pkey)) {
        return false;
    }
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    if (md != NULL && EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, k->pkey) == 1)
        ok = EVP_DigestVerify(md, s, sn, data, n) == 1;
    EVP_MD_CTX_free(md);
    OPENSSL_free(der);
    ERR_clear_error();
    return ok;
}

/* A NumericDate claim (integer, or a number with a fraction) in range. */
static bool
time_claim(json_t *o, const char *name, int64_t *out)
{
    json_t *v = json_object_get(o, name);
    double d;
    if (json_is_integer(v))
        d = (double)json_integer_value(v);
    else if (json_is_real(v))
        d = json_real_value(v);
    else
        return false;
    if (!(d >= 0 && d < 1e11))
        return false;
    *out = (int64_t)d;
    return true;
}

/* A text claim of at most max bytes, cut at a character boundary; "" when
 * absent or not a string. */
static const char *
text_claim(json_t *o, const char *name, size_t max, arena *a)
{
    json_t *v = json_object_get(o, name);
    if (!json_is_string(v))
        return "";
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (strlen(s) != n)
        return "";
    if (n > max) {
        n = max;
        while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
            n--;
    }
    char *out = arena_strndup(a, s, n);
    for (char *p = out; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = ' ';
    return out;
}

static bool
audience_ok(json_t *p, const char *client_id)
{
    json_t *aud = json_object_get(p, "aud"), *azp = json_object_get(p, "azp");
    bool ok = false;
    if (json_is_string(aud)) {
        ok = strcmp(json_string_value(aud), client_id) == 0;
    } else if (json_is_array(aud)) {
        ok = array_has(aud, client_id);
        /* With other audiences beside us, the token must say it was issued
         * to us (OpenID Connect Core 3.1.3.7). */
        if (ok && json_array_size(aud) > 1 && !json_is_string(azp))
            ok = false;
    }
    if (ok && azp != NULL)
        ok = json_is_string(azp) && strcmp(json_string_value(azp), client_id) == 0;
    return ok;
}

oidc_status
oidc_verify_id_token(const char *token, size_t len, const oidc_keyset *ks, const char *issuer,
                     const char *client_id, const char *nonce, int64_t now_s, arena *a,
                     oidc_claims *out, pl_error *err)
{
    memset(out, 0, sizeof *out);
    if (len == 0 || len > OIDC_MAX_TOKEN)
        return fail(err, OIDC_MALFORMED, "the ID token is empty or too long");
    const char *d1 = memchr(token, '.', len);
    const char *d2 = d1 ? memchr(d1 + 1, '.', len - (size_t)(d1 + 1 - token)) : NULL;
    if (d1 == NULL || d2 == NULL || memchr(d2 + 1, '.', len - (size_t)(d2 + 1 - token)) != NULL)
        return fail(err, OIDC_MALFORMED, "the ID token is not a signed JWT (three parts)");
    unsigned char *hb, *pb, *sb;
    long hn = jwt_decode_part(token, (size_t)(d1 - token), a, &hb);
    long pn = jwt_decode_part(d1 + 1, (size_t)(d2 - d1 - 1), a, &pb);
    long sn = jwt_decode_part(d2 + 1, len - (size_t)(d2 + 1 - token), a, &sb);
    if (hn <= 0 || pn <= 0 || sn <= 0)
        return fail(err, OIDC_MALFORMED, "the ID token is not base64url");
    json_t *h = load_object((const char *)hb, (size_t)hn);
    if (h == NULL)
        return fail(err, OIDC_MALFORMED, "the ID token's header is not a JSON object");
    json_t *alg_v = json_object_get(h, "alg"), *kid_v = json_object_get(h, "kid");
    const char *alg = json_is_string(alg_v) ? json_string_value(alg_v) : "";
    oidc_alg want = strcmp(alg, "RS256") == 0   ? OIDC_ALG_RS256
                    : strcmp(alg, "ES256") == 0 ? OIDC_ALG_ES256
                                                : 0;
    const char *kid = json_is_string(kid_v) ? arena_strdup(a, json_string_value(kid_v)) : NULL;
    bool kid_bad = kid_v != NULL && kid == NULL;
    json_decref(h);
    if (want == 0)
        return fail(err, OIDC_MALFORMED, "the ID token is not signed with RS256 or ES256");
    if (kid_bad)
        return fail(err, OIDC_MALFORMED, "the ID token's kid is not a string");
    /* The key: the one with the token's kid, or, for a token without kid,
     * any key of the right type. */
    bool tried = false, good = false;
    for (size_t i = 0; i < ks->n && !good; i++) {
        const oidc_key *k = &ks->keys[i];
        if (k->alg != want || (kid != NULL && strcmp(k->kid, kid) != 0))
            continue;
        tried = true;
        good = verify_sig(k, (const unsigned char *)token, (size_t)(d2 - token), sb, sn);
    }
    if (!tried)
        return fail(err, OIDC_UNKNOWN_KEY,
                    "the ID token is signed with a key the provider's key set does not hold");
    if (!good)
        return fail(err, OIDC_BAD_SIGNATURE, "the ID token's signature is not valid");

    json_t *p = load_object((const char *)pb, (size_t)pn);
    if (p == NULL)
        return fail(err, OIDC_MALFORMED, "the ID token's claims are not a JSON object");
    oidc_status st = OIDC_OK;
    const char *iss = token_str(p, "iss", 2000);
    const char *sub = token_str(p, "sub", 255);
    json_t *nv = json_object_get(p, "nonce");
    size_t want_n = strlen(nonce);
    int64_t exp = 0, iat = 0;
    if (iss == NULL || strcmp(iss, issuer) != 0)
        st = fail(err, OIDC_BAD_CLAIMS, "the ID token was issued by another issuer");
    else if (!audience_ok(p, client_id))
        st = fail(err, OIDC_BAD_CLAIMS, "the ID token was issued for another client (aud)");
    else if (!json_is_string(nv) || json_string_length(nv) != want_n ||
             sodium_memcmp(json_string_value(nv), nonce, want_n) != 0)
        st = fail(err, OIDC_BAD_CLAIMS,
                  "the ID token's nonce is not the one of this sign-in (a replayed token?)");
    else if (sub == NULL)
        st = fail(err, OIDC_BAD_CLAIMS, "the ID token has no usable sub");
    else if (!time_claim(p, "exp", &exp) || !time_claim(p, "iat", &iat))
        st = fail(err, OIDC_BAD_CLAIMS, "the ID token has no exp or iat");
    else if (exp + SKEW_S <= now_s)
        st = fail(err, OIDC_EXPIRED, "the ID token has expired");
    else if (iat > now_s + SKEW_S)
        st = fail(err, OIDC_EXPIRED, "the ID token was issued in the future (check the clock)");
    if (st == OIDC_OK) {
        out->sub = arena_strdup(a, sub);
        out->exp = exp;
        out->iat = iat;
        out->email = text_claim(p, "email", 254, a);
        json_t *ev = json_object_get(p, "email_verified");
        /* Some providers send the boolean as a string. */
        out->email_verified =
            json_is_true(ev) || (json_is_string(ev) && strcmp(json_string_value(ev), "true") == 0);
        static const char *const names[] = {"name", "preferred_username", "nickname"};
        out->name = "";
        for (size_t i = 0; i < 3 && out->name[0] == '\0'; i++)
            out->name = text_claim(p, names[i], 100, a);
    }
    json_decref(p);
    return st;
}
