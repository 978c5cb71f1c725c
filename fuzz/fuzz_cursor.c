/* fuzz/fuzz_cursor.c: the paging cursor, which clients send back to us.
 * Any input must decode or be refused cleanly; what decodes must encode
 * back to a cursor that decodes to the same position. */
#include "api/cursor.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    for (int sort = SORT_OLDEST; sort <= SORT_TOP; sort++) {
        store_cursor c = {0};
        if (!cursor_decode(s, (store_sort)sort, &c))
            continue;
        arena *a = arena_new();
        char *again = cursor_encode(a, (store_sort)sort, c.key, c.key, c.id);
        store_cursor d = {0};
        if (!cursor_decode(again, (store_sort)sort, &d) || d.key != c.key || d.id != c.id)
            abort();
        arena_free(a);
    }
    free(s);
    return 0;
}
