/* server/ratelimit.c: see ratelimit.h.
 *
 * The table is set-associative: a key's bucket lives in one set of WAYS
 * slots, chosen by a keyed hash (BLAKE2b under a random key drawn at start),
 * and is known there by 128 bits of that hash, not by a prefix of its name.
 * Nobody outside the process can tell which keys share a set, so nobody can
 * aim a key at another's bucket. When a set is full, a new key takes the
 * slot whose bucket would be the fullest now: a full bucket is the same as
 * none, so what is lost is the least restriction; an emptied bucket (someone
 * who is being limited) goes last.
 */
#include "server/ratelimit.h"
#include "util/xalloc.h"

#include <math.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define RL_WAYS 8
#define RL_SETS 8192 /* 65,536 buckets, about 3 MB */
#define RL_LOCKS 64
#define RL_ID 16

typedef struct bucket {
    unsigned char id[RL_ID]; /* keyed hash of the key; all zero: free */
    double tokens;
    double rate; /* tokens per ms */
    double burst;
    int64_t at; /* ms of the last refill */
} bucket;

struct ratelimit {
    bucket *slots; /* RL_SETS * RL_WAYS */
    unsigned char key[crypto_generichash_KEYBYTES];
    pthread_mutex_t locks[RL_LOCKS];
};

ratelimit *
ratelimit_new(void)
{
    ratelimit *rl = xcalloc(1, sizeof *rl);
    rl->slots = xcalloc((size_t)RL_SETS * RL_WAYS, sizeof *rl->slots);
    randombytes_buf(rl->key, sizeof rl->key);
    for (int i = 0; i < RL_LOCKS; i++)
        pthread_mutex_init(&rl->locks[i], NULL);
    return rl;
}

void
ratelimit_free(ratelimit *rl)
{
    if (rl == NULL)
        return;
    for (int i = 0; i < RL_LOCKS; i++)
        pthread_mutex_destroy(&rl->locks[i]);
    sodium_memzero(rl->key, sizeof rl->key);
    free(rl->slots);
    free(rl);
}

static bool
is_free(const bucket *b)
{
    static const unsigned char zero[RL_ID];
    return memcmp(b->id, zero, RL_ID) == 0;
}

/* How full b would be at now, from 0 (empty) to 1 (full: as good as free). */
static double
fullness(const bucket *b, int64_t now_ms)
{
    if (is_free(b))
        return 2.0; /* a free slot goes first */
    double t = b->tokens + (now_ms > b->at ? (double)(now_ms - b->at) * b->rate : 0.0);
    return b->burst > 0 ? fmin(1.0, t / b->burst) : 1.0;
}

bool
ratelimit_take(ratelimit *rl, const char *key, double per_minute, double burst, int64_t now_ms,
               int *retry_after_s)
{
    unsigned char id[RL_ID];
    crypto_generichash(id, sizeof id, (const unsigned char *)key, strlen(key), rl->key,
                       sizeof rl->key);
    id[0] |= 1; /* never all zero, which marks a free slot */
    uint64_t h;
    memcpy(&h, id + 8, sizeof h);
    size_t set = (size_t)(h % RL_SETS);
    pthread_mutex_t *mu = &rl->locks[set % RL_LOCKS];
    double rate = per_minute / 60000.0; /* tokens per ms */
    bool ok;
    pthread_mutex_lock(mu);
    bucket *ways = &rl->slots[set * RL_WAYS], *b = NULL;
    for (int i = 0; i < RL_WAYS && b == NULL; i++)
        if (memcmp(ways[i].id, id, RL_ID) == 0)
            b = &ways[i];
    if (b == NULL) {
        b = &ways[0];
        for (int i = 1; i < RL_WAYS; i++)
            if (fullness(&ways[i], now_ms) > fullness(b, now_ms))
                b = &ways[i];
        memcpy(b->id, id, RL_ID);
        b->tokens = burst;
        b->at = now_ms;
    }
    b->rate = rate;
    b->burst = burst;
    if (now_ms > b->at) {
        b->tokens = fmin(burst, b->tokens + (double)(now_ms - b->at) * rate);
        b->at = now_ms;
    }
    if (b->tokens >= 1.0) {
        b->tokens -= 1.0;
        ok = true;
    } else {
        ok = false;
        *retry_after_s = (int)ceil((1.0 - b->tokens) / rate / 1000.0);
        if (*retry_after_s < 1)
            *retry_after_s = 1;
    }
    pthread_mutex_unlock(mu);
    return ok;
}
