/* util/arena.h: region allocator for per-request and per-job memory.
 *
 * Everything allocated from an arena lives until arena_free (or arena_reset)
 * and is never freed piece by piece. Allocation failure aborts, as xmalloc.
 * An arena is used by one thread at a time.
 */
#ifndef PARLEY_UTIL_ARENA_H
#define PARLEY_UTIL_ARENA_H
#include <stddef.h>

typedef struct arena arena;

arena *arena_new(void);
void arena_free(arena *a); /* a may be NULL */
/* Frees every block but the first, keeping the arena for reuse. */
void arena_reset(arena *a);

/* Returns n bytes aligned for any type; never NULL. */
void *arena_alloc(arena *a, size_t n);
/* As arena_alloc, zero-filled. */
void *arena_zalloc(arena *a, size_t n);
char *arena_strdup(arena *a, const char *s);
char *arena_strndup(arena *a, const char *s, size_t n);
char *arena_printf(arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Total bytes obtained from malloc, for memory measurements. */
size_t arena_footprint(const arena *a);

#endif
