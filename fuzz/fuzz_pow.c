/* fuzz/fuzz_pow.c: api_pow_payload_check (the ALTCHA solution a client
 * sends as `altcha`) on arbitrary input.
 *
 * The first byte picks the mode. Even: the rest is the field as sent.
 * Odd: the rest is "SALT\nNUMBER", from which the target builds the
 * challenge and signs it with the key itself, so the fuzzer also reaches the
 * checks behind the signature. Invariants: an accepted solution names its
 * challenge and a future expiry, and is refused the second time (this
 * process remembers it); a refusal is PL_EINVAL and says why.
 */
#include "api/api_int.h"
#include "fuzz.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOW_MS 1800000000000LL

static const char key[] = "fuzz-secret";

static void
hex_sha256(const char *s, size_t n, char out[65])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)s, n);
    sodium_bin2hex(out, 65, h, sizeof h);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 2048)
        return 0;
    if (sodium_init() < 0)
        abort();
    config cfg;
    config_init(&cfg);
    free(cfg.pow_secret);
    cfg.pow_secret = strdup(key);
    cfg.pow = true;
    cfg.pow_maxnumber = 1000;
    char *field = NULL;
    if (data[0] & 1) {
        const char *rest = (const char *)data + 1;
        size_t n = size - 1;
        const char *nl = memchr(rest, '\n', n);
        if (nl == NULL || nl - rest > 100 || memchr(rest, '\0', n) != NULL) {
            config_fini(&cfg);
            return 0;
        }
        char salt[128], num[64], text[256], challenge[65], sig[65];
        memcpy(salt, rest, (size_t)(nl - rest));
        salt[nl - rest] = '\0';
        size_t k = n - (size_t)(nl - rest) - 1;
        if (k >= sizeof num) {
            config_fini(&cfg);
            return 0;
        }
        memcpy(num, nl + 1, k);
        num[k] = '\0';
        int tn = snprintf(text, sizeof text, "%s%s", salt, num);
        hex_sha256(text, (size_t)tn, challenge);
        unsigned char mac[crypto_auth_hmacsha256_BYTES];
        crypto_auth_hmacsha256_state st;
        crypto_auth_hmacsha256_init(&st, (const unsigned char *)key, sizeof key - 1);
        crypto_auth_hmacsha256_update(&st, (const unsigned char *)challenge, 64);
        crypto_auth_hmacsha256_final(&st, mac);
        sodium_bin2hex(sig, sizeof sig, mac, sizeof mac);
        json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "algorithm", "SHA-256", "challenge",
                              challenge, "salt", salt, "signature", sig);
        json_t *nv = json_loads(num, JSON_DECODE_ANY, NULL);
        json_object_set_new(o, "number", nv != NULL ? nv : json_string(num));
        char *js = json_dumps(o, JSON_COMPACT);
        json_decref(o);
        if (js == NULL) {
            config_fini(&cfg);
            return 0;
        }
        size_t b64n = sodium_base64_encoded_len(strlen(js), sodium_base64_VARIANT_ORIGINAL);
        field = malloc(b64n);
        sodium_bin2base64(field, b64n, (const unsigned char *)js, strlen(js),
                          sodium_base64_VARIANT_ORIGINAL);
        free(js);
    } else {
        field = malloc(size);
        memcpy(field, data + 1, size - 1);
        field[size - 1] = '\0';
    }
    pl_error err = {0};
    api_pow pow;
    int rc = api_pow_payload_check(&cfg, field, NOW_MS, &pow, &err);
    if (rc == 0) {
        pl_error again = {0};
        api_pow pow2;
        if (strlen(pow.challenge) != 64 || pow.expires_ms <= NOW_MS)
            abort();
        if (api_pow_payload_check(&cfg, field, NOW_MS, &pow2, &again) != PL_EINVAL)
            abort(); /* used once only */
    } else if (err.msg[0] == '\0' || rc != PL_EINVAL) {
        abort();
    }
    free(field);
    config_fini(&cfg);
    return 0;
}
