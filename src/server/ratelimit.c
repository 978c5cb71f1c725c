/* server/ratelimit.c: see ratelimit.h. */
#include "server/ratelimit.h"
#include "util/text.h"
#include "util/xalloc.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define RL_SLOTS 65536
#define RL_LOCKS 64
#define RL_KEY 96

typedef struct bucket {
    char key[RL_KEY];
    double tokens;
    int64_t at; /* ms of the last refill */
} bucket;

struct ratelimit {
    bucket *slots;
    pthread_mutex_t locks[RL_LOCKS];
};

ratelimit *
ratelimit_new(void)
{
    ratelimit *rl = xcalloc(1, sizeof *rl);
    rl->slots = xcalloc(RL_SLOTS, sizeof *rl->slots);
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
    free(rl->slots);
    free(rl);
}

bool
ratelimit_take(ratelimit *rl, const char *key, double per_minute, double burst, int64_t now_ms,
               int *retry_after_s)
{
    size_t slot = text_hash(key, strlen(key)) % RL_SLOTS;
    pthread_mutex_t *mu = &rl->locks[slot % RL_LOCKS];
    bool ok;
    pthread_mutex_lock(mu);
    bucket *b = &rl->slots[slot];
    if (strncmp(b->key, key, RL_KEY - 1) != 0) {
        /* A new key (or a collision): start it full. */
        strncpy(b->key, key, RL_KEY - 1);
        b->key[RL_KEY - 1] = '\0';
        b->tokens = burst;
        b->at = now_ms;
    }
    double rate = per_minute / 60000.0; /* tokens per ms */
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
