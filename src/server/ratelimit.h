/* server/ratelimit.h: token buckets per client address and per account.
 *
 * A bucket holds up to `burst` tokens and refills at `per_minute` tokens a
 * minute; each request takes one. Buckets live in a fixed-size table, so a
 * flood of distinct keys cannot grow memory; keys are placed by a hash
 * under a secret drawn at start, so no key can be chosen to land on, or
 * reset, another's bucket, and when room runs out the fullest bucket (the
 * one that restricts least) is the one given up. Call after sodium_init.
 * Limits are per process: with several nodes behind a balancer each node
 * enforces them on its share. Thread-safe.
 */
#ifndef PARLEY_SERVER_RATELIMIT_H
#define PARLEY_SERVER_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

typedef struct ratelimit ratelimit;

ratelimit *ratelimit_new(void);
void ratelimit_free(ratelimit *rl);

/* Takes one token from the bucket named key. Returns true when allowed;
 * otherwise sets *retry_after_s to the seconds until a token is back. */
bool ratelimit_take(ratelimit *rl, const char *key, double per_minute, double burst, int64_t now_ms,
                    int *retry_after_s);

#endif
