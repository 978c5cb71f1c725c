/* moderation/dict.c: see dict.h.
 *
 * Open addressing over the borrowed text: each slot holds the offset of a
 * word plus one, 0 for empty; the table is at least twice the word count,
 * so a probe sequence is short. A word is found by its FNV-1a hash and one
 * memcmp.
 */
#include "moderation/dict.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/assets.h"
#include "util/xalloc.h"

enum { DICT_MIN = 2, DICT_MAX = 24 };

struct dict {
    const char *text;
    uint32_t *slot; /* offset + 1 of a word's first byte, 0: empty */
    uint8_t *wlen;  /* length of the word in the slot */
    size_t mask;    /* slots - 1 */
    size_t n;
};

static uint32_t
hash_word(const char *w, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)w[i]) * 16777619u;
    return h;
}

static bool
plain_word(const char *w, size_t n)
{
    if (n < DICT_MIN || n > DICT_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (w[i] < 'a' || w[i] > 'z')
            return false;
    return true;
}

dict *
dict_new(const char *text, size_t len)
{
    dict *d = xcalloc(1, sizeof *d);
    d->text = text;
    size_t lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += text[i] == '\n';
    size_t slots = 64;
    while (slots < 2 * (lines + 1))
        slots *= 2;
    d->slot = xcalloc(slots, sizeof *d->slot);
    d->wlen = xcalloc(slots, 1);
    d->mask = slots - 1;
    size_t a = 0;
    while (a < len && len < UINT32_MAX) {
        const char *nl = memchr(text + a, '\n', len - a);
        size_t b = nl != NULL ? (size_t)(nl - text) : len;
        const char *w = text + a;
        size_t n = b - a;
        if (plain_word(w, n) && !dict_has(d, w, n)) {
            size_t i = hash_word(w, n) & d->mask;
            while (d->slot[i] != 0)
                i = (i + 1) & d->mask;
            d->slot[i] = (uint32_t)a + 1;
            d->wlen[i] = (uint8_t)n;
            d->n++;
        }
        a = b + 1;
    }
    return d;
}

dict *
dict_builtin(void)
{
    const asset *a = asset_find(dict_files, "/dict/en.txt");
    if (a == NULL)
        return dict_new("", 0);
    return dict_new((const char *)a->data, (size_t)a->size);
}

void
dict_free(dict *d)
{
    if (d == NULL)
        return;
    free(d->slot);
    free(d->wlen);
    free(d);
}

bool
dict_has(const dict *d, const char *w, size_t n)
{
    if (d == NULL || !plain_word(w, n))
        return false;
    size_t i = hash_word(w, n) & d->mask;
    while (d->slot[i] != 0) {
        if (d->wlen[i] == n && memcmp(d->text + d->slot[i] - 1, w, n) == 0)
            return true;
        i = (i + 1) & d->mask;
    }
    return false;
}

size_t
dict_size(const dict *d)
{
    return d->n;
}

size_t
dict_memory(const dict *d)
{
    return sizeof *d + (d->mask + 1) * (sizeof *d->slot + 1);
}
