/* fuzz/fuzz_static.c: the request headers static files are chosen by,
 * Accept-Encoding and If-None-Match (server/static.h).
 *
 * The input is one header value. The accepted codings must be a subset of
 * gzip and brotli; a header that lists an entity tag must match it, and
 * "*" matches anything. The same bytes are then tried as an If-None-Match
 * list against a fixed tag, which must not read past the NUL. */
#include "fuzz.h"
#include "server/static.h"

#include <stdlib.h>
#include <string.h>

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    int codings = static_accept_encoding(s);
    if (codings & ~(CODING_GZIP | CODING_BR))
        abort();
    (void)static_etag_match(s, "\"0123456789abcdef-gz\"");
    /* A list holding the tag itself always matches. */
    size_t n = strlen(s);
    char *list = malloc(n + 32);
    memcpy(list, s, n);
    memcpy(list + n, ", \"abc\"", 8);
    if (strchr(s, '"') == NULL && !static_etag_match(list, "\"abc\""))
        abort();
    free(list);
    free(s);
    return 0;
}
