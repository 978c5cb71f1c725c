/* tests/unit/server/test_ratelimit.c: the token buckets (issue 11, item 9).
 * A bucket limits, refills at its rate, and cannot be reset by anybody
 * else's key: not by a key whose unkeyed hash lands on the same slot (the
 * old direct-mapped table started such a bucket full again), and not by a
 * flood of distinct keys, which gives up full buckets before one that is
 * limiting somebody. The clock is a parameter, so nothing here waits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "server/ratelimit.h"
#include "util/text.h"

#define NOW 1700000000000LL

/* Takes tokens until refused; returns how many were granted. */
static int
drain(ratelimit *rl, const char *key, double per_minute, double burst, int64_t now)
{
    int n = 0, retry;
    while (ratelimit_take(rl, key, per_minute, burst, now, &retry))
        n++;
    return n;
}

static void
a_bucket_grants_its_burst_then_refills_at_its_rate(void **state)
{
    (void)state;
    ratelimit *rl = ratelimit_new();
    int retry = 0;
    assert_int_equal(drain(rl, "auth:ip:192.0.2.1", 10, 5, NOW), 5);
    assert_false(ratelimit_take(rl, "auth:ip:192.0.2.1", 10, 5, NOW, &retry));
    assert_int_equal(retry, 6); /* one token every 6 s */
    assert_true(ratelimit_take(rl, "auth:ip:192.0.2.1", 10, 5, NOW + 6000, &retry));
    assert_false(ratelimit_take(rl, "auth:ip:192.0.2.1", 10, 5, NOW + 6000, &retry));
    /* Another key has its own bucket. */
    assert_true(ratelimit_take(rl, "auth:ip:192.0.2.2", 10, 5, NOW, &retry));
    ratelimit_free(rl);
}

/* The table this replaced put key k in slot text_hash(k) % 65536 and
 * started a bucket full whenever another key took the slot. */
static void
a_key_on_the_same_unkeyed_slot_does_not_reset_a_bucket(void **state)
{
    (void)state;
    const char *victim = "login:s:0123456789abcdef0123456789abcdef";
    uint64_t slot = text_hash(victim, strlen(victim)) % 65536;
    char other[64];
    for (unsigned i = 0;; i++) {
        snprintf(other, sizeof other, "auth:ip:10.%u.%u.%u", (i >> 16) & 255, (i >> 8) & 255,
                 i & 255);
        if (text_hash(other, strlen(other)) % 65536 == slot)
            break;
    }
    ratelimit *rl = ratelimit_new();
    int retry;
    assert_int_equal(drain(rl, victim, 1, 10, NOW), 10);
    assert_true(ratelimit_take(rl, other, 1, 10, NOW, &retry));
    assert_false(ratelimit_take(rl, victim, 1, 10, NOW, &retry));
    ratelimit_free(rl);
}

static void
a_flood_of_new_keys_gives_up_full_buckets_first(void **state)
{
    (void)state;
    ratelimit *rl = ratelimit_new();
    int retry;
    assert_int_equal(drain(rl, "login:s:victim", 1, 10, NOW), 10);
    /* Four keys for every bucket in the table, each leaving its bucket
     * fuller than the victim's. */
    char key[64];
    for (unsigned i = 0; i < 4 * 65536; i++) {
        snprintf(key, sizeof key, "read:ip:flood-%u", i);
        ratelimit_take(rl, key, 1, 10, NOW, &retry);
    }
    assert_false(ratelimit_take(rl, "login:s:victim", 1, 10, NOW, &retry));
    ratelimit_free(rl);
}

int
main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_bucket_grants_its_burst_then_refills_at_its_rate),
        cmocka_unit_test(a_key_on_the_same_unkeyed_slot_does_not_reset_a_bucket),
        cmocka_unit_test(a_flood_of_new_keys_gives_up_full_buckets_first),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
