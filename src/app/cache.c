/* app/cache.c: see cache.h. */
#include "app/cache.h"
#include "util/text.h"
#include "util/xalloc.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GEN_BUCKETS 4096
#define LOCKS 64

struct cache_body {
    atomic_int refs;
    size_t n;
    size_t n_marks;
    cache_mark *marks; /* in the same allocation, after data */
    char data[];
};

typedef struct entry {
    char *key;
    char *article;
    uint64_t gen;
    cache_body *body;
    char etag[24];
} entry;

struct cache {
    size_t slots;
    size_t max_body;
    entry *entries;
    pthread_mutex_t locks[LOCKS];
    _Atomic uint64_t gens[GEN_BUCKETS];
};

cache *
cache_new(size_t slots, size_t max_body)
{
    cache *c = xcalloc(1, sizeof *c);
    c->slots = slots ? slots : 1;
    c->max_body = max_body;
    c->entries = xcalloc(c->slots, sizeof *c->entries);
    for (int i = 0; i < LOCKS; i++)
        pthread_mutex_init(&c->locks[i], NULL);
    for (int i = 0; i < GEN_BUCKETS; i++)
        atomic_init(&c->gens[i], 1);
    return c;
}

void
cache_body_unref(cache_body *b)
{
    if (b != NULL && atomic_fetch_sub(&b->refs, 1) == 1)
        free(b);
}

void
cache_free(cache *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < c->slots; i++) {
        free(c->entries[i].key);
        free(c->entries[i].article);
        cache_body_unref(c->entries[i].body);
    }
    for (int i = 0; i < LOCKS; i++)
        pthread_mutex_destroy(&c->locks[i]);
    free(c->entries);
    free(c);
}

static _Atomic uint64_t *
gen_of(cache *c, const char *article_id)
{
    return &c->gens[text_hash(article_id, strlen(article_id)) % GEN_BUCKETS];
}

uint64_t
cache_generation(cache *c, const char *article_id)
{
    return atomic_load(gen_of(c, article_id));
}

void
cache_bump(cache *c, const char *article_id)
{
    atomic_fetch_add(gen_of(c, article_id), 1);
}

void
cache_bump_all(cache *c)
{
    for (int i = 0; i < GEN_BUCKETS; i++)
        atomic_fetch_add(&c->gens[i], 1);
}

void
cache_etag(const char *body, size_t n, char etag[24])
{
    snprintf(etag, 24, "\"%016llx\"", (unsigned long long)text_hash(body, n));
}

cache_body *
cache_get(cache *c, const char *key, const char *article_id, char etag[24])
{
    uint64_t h = text_hash(key, strlen(key));
    size_t slot = h % c->slots;
    pthread_mutex_t *mu = &c->locks[slot % LOCKS];
    uint64_t gen = cache_generation(c, article_id);
    cache_body *b = NULL;
    pthread_mutex_lock(mu);
    entry *e = &c->entries[slot];
    if (e->key != NULL && e->gen == gen && strcmp(e->key, key) == 0 &&
        strcmp(e->article, article_id) == 0) {
        b = e->body;
        atomic_fetch_add(&b->refs, 1);
        memcpy(etag, e->etag, 24);
    }
    pthread_mutex_unlock(mu);
    return b;
}

cache_body *
cache_put(cache *c, const char *key, const char *article_id, uint64_t gen, const char *body,
          size_t n, const cache_mark *marks, size_t n_marks, char etag[24])
{
    /* The marks follow the text in the same allocation, aligned. */
    size_t at = offsetof(cache_body, data) + n + 1;
    at = (at + _Alignof(cache_mark) - 1) / _Alignof(cache_mark) * _Alignof(cache_mark);
    cache_body *b = xmalloc(at + n_marks * sizeof *marks);
    atomic_init(&b->refs, 1); /* the caller's reference */
    b->n = n;
    memcpy(b->data, body, n);
    b->data[n] = '\0';
    b->n_marks = n_marks;
    b->marks = (cache_mark *)(void *)((char *)b + at);
    if (n_marks > 0)
        memcpy(b->marks, marks, n_marks * sizeof *marks);
    cache_etag(body, n, etag);
    if (n > c->max_body)
        return b;
    uint64_t h = text_hash(key, strlen(key));
    size_t slot = h % c->slots;
    pthread_mutex_t *mu = &c->locks[slot % LOCKS];
    pthread_mutex_lock(mu);
    entry *e = &c->entries[slot];
    cache_body *old = NULL;
    /* Never replace a newer entry with an older one. */
    if (e->key == NULL || e->gen <= gen || strcmp(e->key, key) != 0) {
        free(e->key);
        free(e->article);
        old = e->body;
        e->key = xstrdup(key);
        e->article = xstrdup(article_id);
        e->gen = gen;
        e->body = b;
        atomic_fetch_add(&b->refs, 1); /* the entry's reference */
        memcpy(e->etag, etag, 24);
    }
    pthread_mutex_unlock(mu);
    cache_body_unref(old);
    return b;
}

const char *
cache_body_data(const cache_body *b)
{
    return b->data;
}

size_t
cache_body_len(const cache_body *b)
{
    return b->n;
}

const cache_mark *
cache_body_marks(const cache_body *b, size_t *n)
{
    *n = b->n_marks;
    return b->marks;
}
