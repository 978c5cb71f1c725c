/* api/cursor.c: see cursor.h. */
#include "api/cursor.h"
#include "util/text.h"

#include <stdio.h>
#include <string.h>

char *
cursor_encode(arena *a, store_sort sort, int64_t created_at, int64_t likes, int64_t id)
{
    char raw[80];
    int64_t key = sort == SORT_TOP ? likes : created_at;
    int n = snprintf(raw, sizeof raw, "%c.%lld.%lld", "ont"[sort], (long long)key, (long long)id);
    char *out = arena_alloc(a, (size_t)n * 2 + 4);
    b64url_encode((const unsigned char *)raw, (size_t)n, out);
    return out;
}

bool
cursor_decode(const char *s, store_sort sort, store_cursor *out)
{
    unsigned char raw[96];
    if (strlen(s) > 120)
        return false;
    long n = b64url_decode(s, raw, sizeof raw - 1);
    if (n < 5)
        return false;
    raw[n] = '\0';
    char *text = (char *)raw;
    if (strlen(text) != (size_t)n || text[0] != "ont"[sort] || text[1] != '.')
        return false;
    char *dot = strchr(text + 2, '.');
    if (dot == NULL)
        return false;
    *dot = '\0';
    if (parse_int(text + 2, 0, INT64_MAX, &out->key) < 0 ||
        parse_int(dot + 1, 1, INT64_MAX, &out->id) < 0)
        return false;
    out->set = true;
    return true;
}
