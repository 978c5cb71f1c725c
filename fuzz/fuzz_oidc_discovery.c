/* fuzz/fuzz_oidc_discovery.c: oidc_parse_discovery on arbitrary documents.
 *
 * The first byte says whether http:// endpoints on the loopback are
 * allowed. Invariants: an accepted document names exactly the expected
 * issuer and every endpoint it yields is https:// (or loopback http:// when
 * allowed); a refusal always says why and leaves nothing allocated.
 */
#include "api/oidc.h"
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

static const char issuer[] = "https://id.example.org";

static bool
endpoint_ok(const char *u, bool allow_http)
{
    return u != NULL && (strncmp(u, "https://", 8) == 0 || (allow_http && oidc_loopback_http(u)));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > OIDC_MAX_DOC)
        return 0;
    bool allow_http = (data[0] & 1) != 0;
    oidc_discovery d;
    pl_error err = {0};
    int rc = oidc_parse_discovery((const char *)data + 1, size - 1, issuer, allow_http, &d, &err);
    if (rc == 0) {
        if (d.issuer == NULL || strcmp(d.issuer, issuer) != 0 ||
            !endpoint_ok(d.authorization_endpoint, allow_http) ||
            !endpoint_ok(d.token_endpoint, allow_http) || !endpoint_ok(d.jwks_uri, allow_http))
            abort();
        oidc_discovery_free(&d);
    } else if (err.msg[0] == '\0' || d.issuer != NULL) {
        abort();
    }
    return 0;
}
