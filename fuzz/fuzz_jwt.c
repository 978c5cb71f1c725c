/* fuzz/fuzz_jwt.c: jwt_verify_hs256 on arbitrary tokens.
 *
 * The first byte picks the mode. Even: the rest is the token as sent.
 * Odd: the rest is "header.payload", which the target signs with the key
 * itself before verifying, so the fuzzer also reaches the claim parser
 * behind the signature check. Invariants: a token is accepted only with a
 * correct signature, and an accepted token has every required claim and is
 * neither expired nor issued in the future; a refusal always says why.
 */
#include "api/jwt.h"
#include "fuzz.h"
#include "util/text.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define NOW_S 1800000000LL

static const char key[] = "fuzz-secret";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > JWT_MAX_LEN + 64)
        return 0;
    if (sodium_init() < 0)
        abort();
    bool sign = (data[0] & 1) != 0;
    size_t n = size - 1;
    char *token = malloc(n + 64);
    if (token == NULL)
        abort();
    memcpy(token, data + 1, n);
    if (sign) {
        unsigned char mac[crypto_auth_hmacsha256_BYTES];
        crypto_auth_hmacsha256_state st;
        crypto_auth_hmacsha256_init(&st, (const unsigned char *)key, sizeof key - 1);
        crypto_auth_hmacsha256_update(&st, (const unsigned char *)token, n);
        crypto_auth_hmacsha256_final(&st, mac);
        token[n++] = '.';
        n += b64url_encode(mac, sizeof mac, token + n);
    }
    arena *a = arena_new();
    jwt_claims c;
    pl_error err = {0};
    jwt_status s = jwt_verify_hs256(token, n, (const unsigned char *)key, sizeof key - 1, NOW_S,
                                    600, a, &c, &err);
    if (s == JWT_OK) {
        if (c.sub == NULL || c.email == NULL || c.jti == NULL || c.name == NULL ||
            c.sub[0] == '\0' || c.jti[0] == '\0' || c.exp <= NOW_S || c.iat > NOW_S + 60)
            abort();
        if (!sign && memchr(data + 1, '.', size - 1) == NULL)
            abort(); /* accepted without a signature part */
    } else if (err.msg[0] == '\0') {
        abort();
    }
    arena_free(a);
    free(token);
    return 0;
}
