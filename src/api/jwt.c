/* api/jwt.c: see jwt.h. The order of checks matters: shape and size first
 * (cheap, bounded), then the header's alg, then the signature, and only
 * then the claims, so an unsigned payload is never interpreted. */
#include "api/jwt.h"
#include "util/text.h"

#include <jansson.h>
#include <sodium.h>
#include <string.h>

static jwt_status
fail(pl_error *err, jwt_status st, const char *msg)
{
    pl_errorf(err, PL_EINVAL, "%s", msg);
    return st;
}

long
jwt_decode_part(const char *p, size_t n, arena *a, unsigned char **out)
{
    char *text = arena_strndup(a, p, n);
    size_t cap = n * 3 / 4 + 4;
    unsigned char *buf = arena_alloc(a, cap + 1);
    long got = b64url_decode(text, buf, cap);
    if (got < 0)
        return -1;
    buf[got] = '\0';
    *out = buf;
    return got;
}

static json_t *
parse_object(const unsigned char *data, long n)
{
    if (!utf8_valid((const char *)data, (size_t)n))
        return NULL;
    json_t *o = json_loadb((const char *)data, (size_t)n, JSON_REJECT_DUPLICATES, NULL);
    if (o != NULL && !json_is_object(o)) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* A string claim of 1..max bytes without control characters, copied. */
static const char *
str_claim(json_t *o, const char *name, size_t max, bool required, arena *a)
{
    json_t *v = json_object_get(o, name);
    if (v == NULL || json_is_null(v))
        return required ? NULL : "";
    if (!json_is_string(v))
        return NULL;
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (n > max || (required && n == 0) || strlen(s) != n)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return NULL;
    return arena_strndup(a, s, n);
}

static bool
int_claim(json_t *o, const char *name, int64_t *out)
{
    json_t *v = json_object_get(o, name);
    if (!json_is_integer(v))
        return false;
    *out = (int64_t)json_integer_value(v);
    return *out >= 0;
}

jwt_status
jwt_verify_hs256(const char *token, size_t len, const unsigned char *key, size_t key_len,
                 int64_t now_s, int64_t max_age_s, arena *a, jwt_claims *out, pl_error *err)
{
    memset(out, 0, sizeof *out);
    if (len == 0 || len > JWT_MAX_LEN)
        return fail(err, JWT_MALFORMED, "The sign-on token is empty or too long.");
    const char *dot1 = memchr(token, '.', len);
    const char *dot2 = dot1 ? memchr(dot1 + 1, '.', len - (size_t)(dot1 + 1 - token)) : NULL;
    if (dot1 == NULL || dot2 == NULL ||
        memchr(dot2 + 1, '.', len - (size_t)(dot2 + 1 - token)) != NULL)
        return fail(err, JWT_MALFORMED,
                    "The sign-on token is not a JWT (three dot-separated parts).");
    size_t hlen = (size_t)(dot1 - token), plen = (size_t)(dot2 - dot1 - 1);
    size_t slen = len - (size_t)(dot2 + 1 - token);
    unsigned char *hdr, *payload, *sig;
    long hn = jwt_decode_part(token, hlen, a, &hdr);
    long pn = jwt_decode_part(dot1 + 1, plen, a, &payload);
    long sn = jwt_decode_part(dot2 + 1, slen, a, &sig);
    if (hlen == 0 || plen == 0 || hn <= 0 || pn <= 0 || sn < 0)
        return fail(err, JWT_MALFORMED, "The sign-on token is not valid base64url.");

    json_t *h = parse_object(hdr, hn);
    if (h == NULL)
        return fail(err, JWT_MALFORMED, "The sign-on token's header is not a JSON object.");
    json_t *alg = json_object_get(h, "alg");
    json_t *typ = json_object_get(h, "typ");
    bool alg_ok = json_is_string(alg) && strcmp(json_string_value(alg), "HS256") == 0 &&
                  json_string_length(alg) == 5;
    bool typ_ok =
        typ == NULL || (json_is_string(typ) && (strcmp(json_string_value(typ), "JWT") == 0));
    json_decref(h);
    if (!alg_ok)
        return fail(err, JWT_BAD_ALG, "The sign-on token must be signed with HS256.");
    if (!typ_ok)
        return fail(err, JWT_MALFORMED, "The sign-on token's typ must be JWT.");

    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, key, key_len);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)token, (size_t)(dot2 - token));
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_memzero(&st, sizeof st);
    if (sn != (long)sizeof mac || sodium_memcmp(mac, sig, sizeof mac) != 0)
        return fail(err, JWT_BAD_SIGNATURE,
                    "The sign-on token's signature does not match: it was altered or signed with "
                    "another secret.");

    json_t *p = parse_object(payload, pn);
    if (p == NULL)
        return fail(err, JWT_MALFORMED, "The sign-on token's claims are not a JSON object.");
    out->sub = str_claim(p, "sub", 128, true, a);
    out->email = str_claim(p, "email", 254, true, a);
    out->name = str_claim(p, "name", 200, false, a);
    out->jti = str_claim(p, "jti", 128, true, a);
    json_t *verified = json_object_get(p, "email_verified");
    out->email_verified = json_is_true(verified);
    bool ok = out->sub && out->email && out->name && out->jti && int_claim(p, "exp", &out->exp) &&
              int_claim(p, "iat", &out->iat) &&
              (verified == NULL || json_is_null(verified) || json_is_boolean(verified));
    json_decref(p);
    if (!ok)
        return fail(err, JWT_MALFORMED,
                    "The sign-on token needs the claims sub, email, jti (strings), exp and iat "
                    "(whole seconds); email_verified, when present, is true or false.");
    if (out->exp <= now_s)
        return fail(err, JWT_EXPIRED, "The sign-on token has expired; sign in again.");
    if (out->iat > now_s + 60)
        return fail(err, JWT_NOT_YET,
                    "The sign-on token was issued in the future; check the clocks.");
    if (now_s - out->iat > max_age_s)
        return fail(err, JWT_TOO_OLD, "The sign-on token is too old; sign in again.");
    return JWT_OK;
}

int
jwt_secret_check(const char *secret, pl_error *err)
{
    size_t n = strlen(secret);
    if (n > 0 && n < JWT_SECRET_MIN)
        return pl_errorf(err, PL_EINVAL,
                         "sso_secret: %zu bytes is too short to sign tokens safely; use at least "
                         "%d random bytes (e.g. openssl rand -base64 32)",
                         n, JWT_SECRET_MIN);
    return 0;
}
