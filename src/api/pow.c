/* api/pow.c: a proof of work for registration and first comments,
 * compatible with ALTCHA's challenges (docs/ANTISPAM.md).
 *
 * GET /api/v1/pow gives a challenge: a random salt carrying its expiry
 * ("<24 hex>?expires=<unix seconds>&"), a secret number n from 0 to maxnumber,
 * challenge = hex SHA-256(salt + decimal n), and signature = hex
 * HMAC-SHA256(key, challenge). A client finds n by trying 0, 1, 2... and
 * sends back base64(JSON {algorithm, challenge, number, salt, signature})
 * as the field `altcha`. Verifying costs one hash and one HMAC; nothing is
 * stored until a solution is used, and then only its challenge until it
 * expires: in this process's memory, so a replay to the same node is
 * refused without asking the database, and in the database (pow_spent) by
 * the write step of the request that used it, so no node of a cluster
 * accepts it a second time, nor this one after a restart.
 */
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_int.h"
#include "util/text.h"

#define ALGORITHM "SHA-256"
#define USED "this solution was already used"
#define HEX_LEN (crypto_hash_sha256_BYTES * 2)
#define PAYLOAD_MAX 1024 /* base64 characters */
#define USED_MAX 65536   /* solutions remembered in memory */

static unsigned char process_key[crypto_auth_hmacsha256_KEYBYTES];
static pthread_once_t process_key_once = PTHREAD_ONCE_INIT;

static void
make_process_key(void)
{
    randombytes_buf(process_key, sizeof process_key);
}

/* The HMAC key: pow_secret's bytes, as ALTCHA's server libraries use their
 * key (so a site may issue challenges elsewhere and verify them here), or a
 * random key made once per process. Sets *n. */
static const unsigned char *
pow_key(const config *cfg, size_t *n)
{
    if (cfg->pow_secret != NULL && cfg->pow_secret[0] != '\0') {
        *n = strlen(cfg->pow_secret);
        return (const unsigned char *)cfg->pow_secret;
    }
    pthread_once(&process_key_once, make_process_key);
    *n = sizeof process_key;
    return process_key;
}

static void
hex_sha256(const char *s, size_t n, char out[HEX_LEN + 1])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)s, n);
    sodium_bin2hex(out, HEX_LEN + 1, h, sizeof h);
}

static void
hex_hmac(const config *cfg, const char *s, char out[HEX_LEN + 1])
{
    unsigned char h[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    size_t kn;
    const unsigned char *key = pow_key(cfg, &kn);
    crypto_auth_hmacsha256_init(&st, key, kn);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)s, strlen(s));
    crypto_auth_hmacsha256_final(&st, h);
    sodium_memzero(&st, sizeof st);
    sodium_bin2hex(out, HEX_LEN + 1, h, sizeof h);
}

void
api_pow_challenge(req *r, const route_args *a)
{
    (void)a;
    if (!req_rate_limit(r, LIMIT_READ))
        return;
    const config *cfg = req_config(r);
    unsigned char rnd[12];
    randombytes_buf(rnd, sizeof rnd);
    char hex[sizeof rnd * 2 + 1], salt[96], text[128], challenge[HEX_LEN + 1],
        signature[HEX_LEN + 1];
    sodium_bin2hex(hex, sizeof hex, rnd, sizeof rnd);
    long long expires = (long long)(r->now / 1000) + cfg->pow_expires_s;
    snprintf(salt, sizeof salt, "%s?expires=%lld&", hex, expires);
    uint32_t number = randombytes_uniform((uint32_t)cfg->pow_maxnumber + 1);
    int n = snprintf(text, sizeof text, "%s%u", salt, number);
    hex_sha256(text, (size_t)n, challenge);
    hex_hmac(cfg, challenge, signature);
    req_send_json(r, 200,
                  json_pack("{s:s, s:s, s:I, s:s, s:s}", "algorithm", ALGORITHM, "challenge",
                            challenge, "maxnumber", (json_int_t)cfg->pow_maxnumber, "salt", salt,
                            "signature", signature));
}

/* ---- single use ------------------------------------------------------------ */

typedef struct used {
    unsigned char id[16]; /* the first bytes of the challenge's hash */
    int64_t expires_ms;
} used;

static pthread_mutex_t used_lock = PTHREAD_MUTEX_INITIALIZER;
static used *used_v;
static size_t used_n;

/* The fast path: false when this process saw id used before; else true,
 * and id is remembered until expires_ms. The database is the authority
 * (api_pow_spend), so when the table is full of unexpired entries the one
 * that expires first makes room, and when it cannot be allocated nothing is
 * remembered here. */
static bool
take(const unsigned char id[16], int64_t expires_ms, int64_t now)
{
    bool fresh = true;
    pthread_mutex_lock(&used_lock);
    if (used_v == NULL)
        used_v = calloc(USED_MAX, sizeof *used_v);
    if (used_v == NULL)
        goto out;
    size_t first = 0;
    for (size_t i = 0; i < used_n;) {
        if (used_v[i].expires_ms < now) {
            used_v[i] = used_v[--used_n]; /* expired: its challenge fails anyway */
            continue;
        }
        if (memcmp(used_v[i].id, id, 16) == 0) {
            fresh = false;
            goto out;
        }
        if (used_v[i].expires_ms < used_v[first].expires_ms)
            first = i;
        i++;
    }
    size_t at = used_n < USED_MAX ? used_n++ : first;
    memcpy(used_v[at].id, id, 16);
    used_v[at].expires_ms = expires_ms;
out:
    pthread_mutex_unlock(&used_lock);
    return fresh;
}

/* ---- verification ------------------------------------------------------------ */

static bool
is_hex64(const char *s)
{
    if (s == NULL || strlen(s) != HEX_LEN)
        return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return false;
    return true;
}

/* The expiry (Unix seconds) of a salt "...?expires=N&...", or -1. */
static long long
salt_expires(const char *salt)
{
    const char *q = strchr(salt, '?');
    if (q == NULL)
        return -1;
    for (const char *p = q + 1; *p;) {
        if (strncmp(p, "expires=", 8) == 0) {
            int64_t v;
            char num[24];
            size_t k = 0;
            for (p += 8; *p >= '0' && *p <= '9' && k + 1 < sizeof num; p++)
                num[k++] = *p;
            num[k] = '\0';
            return parse_int(num, 1, INT64_MAX / 1000, &v) == 0 ? (long long)v : -1;
        }
        p = strchr(p, '&');
        if (p == NULL)
            break;
        p++;
    }
    return -1;
}

int
api_pow_payload_check(const config *cfg, const char *b64, int64_t now, api_pow *out, pl_error *err)
{
    *out = (api_pow){0};
    size_t n = strlen(b64);
    if (n == 0 || n > PAYLOAD_MAX)
        return pl_errorf(err, PL_EINVAL, "not an ALTCHA payload");
    unsigned char bin[PAYLOAD_MAX];
    size_t bin_len;
    if (sodium_base642bin(bin, sizeof bin, b64, n, NULL, &bin_len, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0 &&
        sodium_base642bin(bin, sizeof bin, b64, n, NULL, &bin_len, NULL,
                          sodium_base64_VARIANT_ORIGINAL_NO_PADDING) != 0)
        return pl_errorf(err, PL_EINVAL, "not base64");
    json_error_t je;
    json_t *o = json_loadb((const char *)bin, bin_len, JSON_REJECT_DUPLICATES, &je);
    if (!json_is_object(o)) {
        json_decref(o);
        return pl_errorf(err, PL_EINVAL, "not a JSON object");
    }
    const char *alg = json_string_value(json_object_get(o, "algorithm"));
    const char *challenge = json_string_value(json_object_get(o, "challenge"));
    const char *salt = json_string_value(json_object_get(o, "salt"));
    const char *signature = json_string_value(json_object_get(o, "signature"));
    json_t *num = json_object_get(o, "number");
    int rc = 0;
    if (alg == NULL || strcmp(alg, ALGORITHM) != 0 || !is_hex64(challenge) ||
        !is_hex64(signature) || salt == NULL || strlen(salt) > 80 || !json_is_integer(num) ||
        json_integer_value(num) < 0 || json_integer_value(num) > cfg->pow_maxnumber) {
        rc = pl_errorf(err, PL_EINVAL, "fields missing or out of range");
        goto out;
    }
    long long expires = salt_expires(salt);
    if (expires < 0 || expires * 1000 <= now ||
        expires * 1000 > now + (cfg->pow_expires_s + 60) * 1000) {
        rc = pl_errorf(err, PL_EINVAL, "the challenge has expired");
        goto out;
    }
    char expect[HEX_LEN + 1], text[128];
    hex_hmac(cfg, challenge, expect);
    if (sodium_memcmp(expect, signature, HEX_LEN) != 0) {
        rc = pl_errorf(err, PL_EINVAL, "the signature does not match");
        goto out;
    }
    int k = snprintf(text, sizeof text, "%s%lld", salt, (long long)json_integer_value(num));
    hex_sha256(text, (size_t)k, expect);
    if (sodium_memcmp(expect, challenge, HEX_LEN) != 0) {
        rc = pl_errorf(err, PL_EINVAL, "the number does not solve the challenge");
        goto out;
    }
    unsigned char id[16];
    sodium_hex2bin(id, sizeof id, challenge, 32, NULL, NULL, NULL);
    if (!take(id, expires * 1000, now)) {
        rc = pl_errorf(err, PL_EINVAL, USED);
        goto out;
    }
    memcpy(out->challenge, challenge, HEX_LEN + 1);
    out->expires_ms = expires * 1000;
out:
    json_decref(o);
    return rc;
}

static void
send_invalid(req *r, const char *why)
{
    char msg[400];
    snprintf(msg, sizeof msg, "The proof of work is not valid (%s); solve a new one.", why);
    req_send_error(r, 400, "pow_invalid", msg, "altcha", NULL);
}

bool
api_pow_check(req *r, const char *altcha, api_pow *out)
{
    const config *cfg = req_config(r);
    *out = (api_pow){0};
    if (!cfg->pow)
        return true;
    if (altcha == NULL) {
        req_send_error(r, 400, "pow_required",
                       "This needs a proof of work: solve GET /api/v1/pow and send it as altcha.",
                       "altcha", NULL);
        return false;
    }
    pl_error err;
    if (api_pow_payload_check(cfg, altcha, r->now, out, &err) < 0) {
        send_invalid(r, err.msg);
        return false;
    }
    return true;
}

int
api_pow_spend(store *s, api_pow *pow, int64_t now, pl_error *err)
{
    if (pow->challenge[0] == '\0')
        return 0;
    int rc = store_pow_spend(s, pow->challenge, pow->expires_ms, now, err);
    pow->replayed = rc == PL_ECONFLICT;
    return rc;
}

bool
api_pow_refused(req *r, int rc, const api_pow *pow)
{
    if (rc >= 0 || !pow->replayed)
        return false;
    send_invalid(r, USED);
    return true;
}
