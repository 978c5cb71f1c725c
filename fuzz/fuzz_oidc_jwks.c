/* fuzz/fuzz_oidc_jwks.c: oidc_parse_jwks on arbitrary key sets.
 *
 * Invariants: an accepted set holds 1..OIDC_MAX_KEYS keys, each with a key
 * object and an algorithm Parley verifies; a refusal always says why and
 * holds no key.
 */
#include "api/oidc.h"
#include "fuzz.h"

#include <stdlib.h>

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > OIDC_MAX_DOC)
        return 0;
    oidc_keyset ks;
    pl_error err = {0};
    int rc = oidc_parse_jwks((const char *)data, size, &ks, &err);
    if (rc == 0) {
        if (ks.n == 0 || ks.n > OIDC_MAX_KEYS)
            abort();
        for (size_t i = 0; i < ks.n; i++)
            if (ks.keys[i].pkey == NULL ||
                (ks.keys[i].alg != OIDC_ALG_RS256 && ks.keys[i].alg != OIDC_ALG_ES256))
                abort();
        oidc_keyset_free(&ks);
    } else if (err.msg[0] == '\0' || ks.n != 0) {
        abort();
    }
    return 0;
}
