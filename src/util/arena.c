/* util/arena.c: a list of blocks, bump-allocated. Large requests get a block
 * of their own so one big allocation does not waste a standard block. */
#include "util/arena.h"
#include "util/xalloc.h"

#include <assert.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_BLOCK 8192
#define ARENA_ALIGN 16

typedef struct block {
    struct block *next;
    size_t size;
    size_t used;
    _Alignas(ARENA_ALIGN) unsigned char data[];
} block;

struct arena {
    block *head;
    size_t footprint;
};

static block *
block_new(size_t size)
{
    /* A request near SIZE_MAX must fail loudly, not wrap to a small block. */
    if (size > SIZE_MAX - sizeof(block)) {
        fprintf(stderr, "parley: arena allocation of %zu bytes is too large\n", size);
        abort();
    }
    block *b = xmalloc(sizeof *b + size);
    b->next = NULL;
    b->size = size;
    b->used = 0;
    return b;
}

arena *
arena_new(void)
{
    arena *a = xmalloc(sizeof *a);
    a->head = block_new(ARENA_BLOCK);
    a->footprint = sizeof *a->head + ARENA_BLOCK;
    return a;
}

void
arena_free(arena *a)
{
    if (a == NULL)
        return;
    block *b = a->head;
    while (b != NULL) {
        block *next = b->next;
        free(b);
        b = next;
    }
    free(a);
}

/* Keeps one standard block. Not simply the list's tail: a big block
 * requested while the original block was the head is linked behind it, so
 * the tail may be a big block, and keeping that would pin its memory. */
void
arena_reset(arena *a)
{
    block *keep = NULL;
    block *b = a->head;
    while (b != NULL) {
        block *next = b->next;
        if (keep == NULL && b->size == ARENA_BLOCK)
            keep = b;
        else
            free(b);
        b = next;
    }
    assert(keep != NULL); /* arena_new made one and only reset frees them */
    keep->next = NULL;
    keep->used = 0;
    a->head = keep;
    a->footprint = sizeof *keep + keep->size;
}

void *
arena_alloc(arena *a, size_t n)
{
    size_t need = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    if (need < n)
        need = SIZE_MAX; /* overflow: let block_new fail loudly */
    block *b = a->head;
    if (b->size - b->used < need) {
        if (need > ARENA_BLOCK / 4) {
            /* A big allocation gets its own block, linked behind the head so the
             * head keeps serving small ones. */
            block *big = block_new(need);
            big->used = need;
            big->next = b->next;
            b->next = big;
            a->footprint += sizeof *big + need;
            return big->data;
        }
        /* The new block becomes the head; the old one stays in the list and
         * is freed with the arena. */
        block *nb = block_new(ARENA_BLOCK);
        nb->next = b;
        a->head = nb;
        a->footprint += sizeof *nb + ARENA_BLOCK;
        b = nb;
    }
    void *p = b->data + b->used;
    b->used += need;
    return p;
}

void *
arena_zalloc(arena *a, size_t n)
{
    void *p = arena_alloc(a, n);
    memset(p, 0, n);
    return p;
}

char *
arena_strndup(arena *a, const char *s, size_t n)
{
    char *p = arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *
arena_strdup(arena *a, const char *s)
{
    return s == NULL ? NULL : arena_strndup(a, s, strlen(s));
}

char *
arena_printf(arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return arena_strdup(a, "");
    char *p = arena_alloc(a, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

size_t
arena_footprint(const arena *a)
{
    return a->footprint;
}
