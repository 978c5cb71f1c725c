/* fuzz/fuzz_oidc_token.c: oidc_parse_token_response on arbitrary answers
 * of a token endpoint.
 *
 * Invariants: accepted, the id_token is a non-empty string without control
 * characters or spaces of at most OIDC_MAX_TOKEN bytes; refused, the error
 * says why, and the provider's words in it are printable ASCII.
 */
#include "api/oidc.h"
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > OIDC_MAX_DOC)
        return 0;
    arena *a = arena_new();
    const char *t = NULL;
    pl_error err = {0};
    int rc = oidc_parse_token_response((const char *)data, size, a, &t, &err);
    if (rc == 0) {
        size_t n = t ? strlen(t) : 0;
        if (n == 0 || n > OIDC_MAX_TOKEN)
            abort();
        for (size_t i = 0; i < n; i++)
            if ((unsigned char)t[i] <= 0x20 || t[i] == 0x7f)
                abort();
    } else {
        if (err.msg[0] == '\0' || t != NULL)
            abort();
        for (const char *p = err.msg; *p; p++)
            if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
                abort();
    }
    arena_free(a);
    return 0;
}
