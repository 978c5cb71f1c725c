/* fuzz/fuzz_text.c: the bounded parsers of util/text.h on arbitrary bytes.
 *
 * The input, NUL-terminated, goes to each parser. Besides memory errors and
 * undefined behaviour, it checks round trips: a time that parses formats to
 * RFC 3339 text that parses back to the same second, and base64url that
 * decodes re-encodes to the same text (the decoder accepts only canonical
 * input). parse_int must respect its bounds.
 */
#include "fuzz.h"
#include "util/text.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

static int64_t
floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

static void
check_int(const char *s)
{
    static const int64_t bounds[][2] = {
        {0, 100}, {-5, 5}, {INT64_MIN, INT64_MAX}, {0, INT64_MAX}, {1, 1}};
    for (size_t i = 0; i < sizeof bounds / sizeof bounds[0]; i++) {
        int64_t v = 0;
        if (parse_int(s, bounds[i][0], bounds[i][1], &v) == 0 &&
            (v < bounds[i][0] || v > bounds[i][1]))
            abort();
    }
}

static void
check_time(const char *s)
{
    int64_t ms, again;
    if (time_parse_rfc3339(s, &ms) != 0)
        return;
    char out[32];
    time_format_rfc3339(ms, out);
    if (time_parse_rfc3339(out, &again) != 0)
        abort();
    if (again != floor_div(ms, 1000) * 1000)
        abort();
}

static void
check_b64(const char *s, size_t len)
{
    size_t cap = len; /* decoded bytes never exceed the encoded length */
    unsigned char *dec = xmalloc(cap);
    long n = b64url_decode(s, dec, cap);
    if (n >= 0) {
        char *enc = xmalloc(4 * ((size_t)n / 3 + 1) + 1);
        size_t m = b64url_encode(dec, (size_t)n, enc);
        if (m != strlen(s) || memcmp(enc, s, m) != 0)
            abort();
        free(enc);
    }
    free(dec);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = xmalloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    size_t len = strlen(s);

    bool valid = utf8_valid((const char *)data, size);
    if (valid && utf8_length((const char *)data, size) > size)
        abort();
    check_int(s);
    check_time(s);
    (void)article_id_valid(s);
    check_b64(s, len);

    free(s);
    return 0;
}
