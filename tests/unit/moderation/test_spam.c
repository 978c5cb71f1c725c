/* tests/unit/moderation/test_spam.c: the link lists of moderation/spam.h:
 * which hosts a domain covers, what the list settings accept, and what
 * spam_links_check reports (counts, allowed links, the blocked link's span);
 * and the repeated-comment check, whose answers must be those of folding
 * every recent body, whatever its per-thread memo holds.
 * The engine's use of them is in tests/moderation/spam.case. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "moderation/normalize.h"
#include "moderation/spam.h"
#include "util/arena.h"

static bool
in(const char *host, const char *domain)
{
    return spam_host_in(host, strlen(host), domain);
}

static void
a_domain_covers_itself_and_its_subdomains_only(void **state)
{
    (void)state;
    assert_true(in("example.com", "example.com"));
    assert_true(in("news.example.com", "example.com"));
    assert_true(in("a.b.example.com", "example.com"));
    assert_false(in("badexample.com", "example.com"));
    assert_false(in("example.com.evil.test", "example.com"));
    assert_false(in("com", "example.com"));
}

static spam_domains *
lists(const char *allow, const char *block)
{
    config cfg;
    pl_error err;
    spam_domains *d = NULL;
    config_init(&cfg);
    if (allow)
        assert_int_equal(config_set(&cfg, "moderation.link_allow", allow, &err), 0);
    if (block)
        assert_int_equal(config_set(&cfg, "moderation.link_block", block, &err), 0);
    assert_int_equal(spam_domains_new(&cfg, &d, &err), 0);
    config_fini(&cfg);
    return d;
}

/* spam_links_check as the engine asks it: with the prefilter's answer. The
 * report must be the one the walk gives without the prefilter (maybe_link
 * true). */
static void
links_in(const spam_domains *d, const char *t, size_t n, spam_link_report *r)
{
    spam_link_report slow;
    spam_links_check(d, t, n, spam_maybe_link(t, n), r);
    spam_links_check(d, t, n, true, &slow);
    assert_int_equal(r->links, slow.links);
    assert_int_equal(r->allowed, slow.allowed);
    assert_int_equal(r->blocked_start, slow.blocked_start);
    assert_int_equal(r->blocked_end, slow.blocked_end);
}

static void
bad_names_are_refused_with_the_setting_named(void **state)
{
    (void)state;
    const char *bad[] = {"bad..com",     ".lead.com",    "trail.com.",
                         "sp ace/x.com", "ex_ample.com", "-dash.com"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        config cfg;
        pl_error err;
        spam_domains *d = NULL;
        config_init(&cfg);
        assert_int_equal(config_set(&cfg, "moderation.link_block", bad[i], &err), 0);
        assert_int_equal(spam_domains_new(&cfg, &d, &err), PL_EINVAL);
        assert_non_null(strstr(err.msg, "moderation.link_block"));
        assert_null(d);
        config_fini(&cfg);
    }
    spam_domains *d = lists(" A.Example ,b.example,, c.example ", NULL);
    spam_link_report r;
    links_in(d, "x https://sub.a.example/p", 25, &r);
    assert_int_equal(r.allowed, 1); /* lower-cased, blanks and empty items skipped */
    spam_domains_free(d);
}

static void
links_are_counted_allowed_and_blocked(void **state)
{
    (void)state;
    spam_domains *d = lists("news.example", "casino.example");
    spam_link_report r;
    const char *t = "see https://news.example/a, HTTP://www.Casino.Example:443/x?y=1 and "
                    "www.other.example plus xhttp://casino.example and mail@casino.example";
    links_in(d, t, strlen(t), &r);
    assert_int_equal(r.links, 3);
    assert_int_equal(r.allowed, 1);
    assert_int_equal(r.blocked_end - r.blocked_start,
                     strlen("HTTP://www.Casino.Example:443/x?y=1"));
    assert_memory_equal(t + r.blocked_start, "HTTP://www.Casino.Example:443/x?y=1",
                        r.blocked_end - r.blocked_start);
    /* Only the first blocked link is reported. */
    const char *two = "https://casino.example/1 https://casino.example/2";
    links_in(d, two, strlen(two), &r);
    assert_int_equal(r.links, 2);
    assert_int_equal(r.blocked_start, 0);
    /* No lists: links counted, nothing allowed or blocked. */
    links_in(NULL, t, strlen(t), &r);
    assert_int_equal(r.links, 3);
    assert_int_equal(r.allowed, 0);
    assert_int_equal(r.blocked_end, 0);
    /* A scheme with no host is no link; text cut mid-link is safe. */
    links_in(d, "https:// www.", 13, &r);
    assert_int_equal(r.links, 0);
    links_in(d, "https://casino.exa", 18, &r);
    assert_int_equal(r.blocked_end, 0);
    spam_domains_free(d);
}

/* spam_links_check looks for links only where spam_maybe_link sees "://"
 * or "www.": links at the text's very edges, in any case, are still found,
 * and texts with "h" and "w" but no link give none. Given false, it reads
 * nothing and reports none. */
static void
the_link_prefilter_misses_no_link(void **state)
{
    (void)state;
    spam_domains *d = lists("news.example", "casino.example");
    spam_link_report r;
    static const struct {
        const char *text;
        size_t links;
    } cases[] = {
        {"WWW.Casino.Example", 1},
        {"www.casino.example/x", 1},
        {"a http://casino.example", 1},
        {"HTTPS://casino.example", 1},
        {"h://w", 0},
        {"what we want, who knows", 0},
        {"ww.casino.example", 0},
        {"http:/casino.example", 0},
        {"", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *t = cases[i].text;
        links_in(d, t, strlen(t), &r);
        assert_int_equal(r.links, cases[i].links);
        if (cases[i].links > 0)
            assert_true(spam_maybe_link(t, strlen(t)));
    }
    assert_false(spam_maybe_link("what we want, who knows", 23));
    assert_false(spam_maybe_link("www", 3));
    assert_true(spam_maybe_link("a://", 4));
    assert_false(spam_maybe_link("a:/", 3));
    spam_links_check(d, "https://casino.example", 22, false, &r);
    assert_int_equal(r.links, 0);
    assert_int_equal(r.blocked_end, 0);
    spam_domains_free(d);
}

#define NOW 1800000000000LL
#define WINDOW (600 * 1000LL)

/* spam_repeat_seen for text against bodies posted at times. */
static bool
repeat(arena *a, const char *text, const char *const *bodies, const int64_t *times, size_t n)
{
    norm_text t;
    norm_fold(a, text, strlen(text), &t);
    return spam_repeat_seen(a, t.s, t.len, NULL, bodies, NULL, times, n, NOW, WINDOW);
}

static void
a_repeat_is_found_in_the_window_only(void **state)
{
    (void)state;
    arena *a = arena_new();
    const char *bodies[] = {"The bypass consultation closes on Friday.", "Vote no on the bypass!"};
    int64_t times[] = {NOW - 60000, NOW - 120000};
    /* Asked twice: the second answer comes from the memo. */
    for (int round = 0; round < 2; round++) {
        assert_true(repeat(a, "Vote no on the bypass!", bodies, times, 2));
        assert_true(repeat(a, "VOTE   no on the bypass!!", bodies, times, 2)); /* after folding */
        assert_false(repeat(a, "Vote yes on the bypass!", bodies, times, 2));
    }
    /* Posted exactly the window ago: inside; a millisecond earlier: out. */
    times[1] = NOW - WINDOW;
    assert_true(repeat(a, "Vote no on the bypass!", bodies, times, 2));
    times[1] = NOW - WINDOW - 1;
    assert_false(repeat(a, "Vote no on the bypass!", bodies, times, 2));
    /* No times: every body is recent. */
    assert_true(repeat(a, "vote no on the bypass", bodies, NULL, 2));
    assert_false(repeat(a, "Vote no on the bypass!", bodies, times, 0));
    arena_free(a);
}

/* Whether text's folded form is one of the window's folded bodies. */
static bool
repeat_among(arena *a, const char *text, char *const *folded, const size_t *flen,
             const int64_t *times, size_t n)
{
    norm_text t;
    norm_fold(a, text, strlen(text), &t);
    for (size_t i = 0; i < n; i++)
        if (NOW - times[i] <= WINDOW && flen[i] == t.len && memcmp(folded[i], t.s, t.len) == 0)
            return true;
    return false;
}

/* n bodies made by make(i), checked twice over against folding each. */
static void
memo_matches_folding(size_t n, size_t step, void (*make)(char *, size_t, size_t), size_t size)
{
    arena *a = arena_new(), *keep = arena_new();
    char **texts = calloc(n, sizeof *texts), **folded = calloc(n, sizeof *folded);
    size_t *flen = calloc(n, sizeof *flen);
    int64_t *times = calloc(n, sizeof *times);
    assert_true(texts && folded && flen && times);
    for (size_t i = 0; i < n; i++) {
        texts[i] = arena_alloc(keep, size);
        make(texts[i], size, i);
        norm_text t;
        norm_fold(keep, texts[i], strlen(texts[i]), &t);
        folded[i] = t.s;
        flen[i] = t.len;
        times[i] = NOW - (int64_t)(i % 900) * 1000; /* some outside the window */
    }
    for (int round = 0; round < 2; round++)
        for (size_t i = round; i < n; i += step) {
            arena_reset(a);
            bool want = repeat_among(a, texts[i], folded, flen, times, n);
            assert_int_equal(want, NOW - times[i] <= WINDOW);
            norm_text t;
            norm_fold(a, texts[i], strlen(texts[i]), &t);
            assert_int_equal(spam_repeat_seen(a, t.s, t.len, NULL, (const char *const *)texts, NULL,
                                              times, n, NOW, WINDOW),
                             want);
            /* With stored keys (every third body without one, as an
             * imported comment), and no body where the key differs; the
             * comment's own hash given, as moderation_fold computed it. */
            moderation_fold_key *keys = arena_alloc(a, n * sizeof *keys);
            const char **given = arena_alloc(a, n * sizeof *given);
            moderation_fold_key k;
            moderation_fold(texts[i], strlen(texts[i]), a, &k);
            for (size_t x = 0; x < n; x++) {
                if (x % 3 == 0) {
                    keys[x] = (moderation_fold_key){0};
                } else {
                    keys[x] = (moderation_fold_key){spam_fold_hash(folded[x], flen[x]),
                                                    (uint32_t)flen[x], SPAM_FOLD_VERSION};
                }
                bool match = keys[x].ver != 0 && keys[x].hash == k.hash && keys[x].len == k.len;
                given[x] = keys[x].ver == 0 || match ? texts[x] : NULL;
            }
            assert_int_equal(
                spam_repeat_seen(a, t.s, t.len, &k.hash, given, keys, times, n, NOW, WINDOW), want);
        }
    free(texts);
    free(folded);
    free(flen);
    free(times);
    arena_free(keep);
    arena_free(a);
}

static void
short_body(char *out, size_t size, size_t i)
{
    snprintf(out, size, "Posting comment number %zu about the vote.", i);
}

/* About 1,000 bytes: 1,200 of them are more than the memo keeps. */
static void
long_body(char *out, size_t size, size_t i)
{
    int k = snprintf(out, size, "Comment %zu:", i);
    while ((size_t)k + 12 < size)
        k += snprintf(out + k, size - (size_t)k, " word%zu", (i + (size_t)k) % 97);
}

/* More bodies than the memo has slots, more bytes than it keeps, long ones
 * it does not keep at all: each answer is folding's. */
static void
the_memo_never_changes_an_answer(void **state)
{
    (void)state;
    memo_matches_folding(6000, 97, short_body, 48);
    memo_matches_folding(1200, 41, long_body, 1000);
    arena *a = arena_new();
    char *big = malloc(6001);
    assert_non_null(big);
    for (size_t i = 0; i < 6000; i++)
        big[i] = (char)(i % 11 == 10 ? ' ' : 'a' + i % 7);
    big[6000] = '\0';
    const char *one[] = {big, ""};
    int64_t t1[] = {NOW, NOW};
    for (int round = 0; round < 2; round++) {
        arena_reset(a);
        assert_true(repeat(a, big, one, t1, 2));
        assert_false(repeat(a, "aaaa", one, t1, 2));
    }
    free(big);
    arena_free(a);
}

/* keys[i] for bodies[i] as moderation_fold makes it. */
static void
keys_of(arena *a, const char *const *bodies, size_t n, moderation_fold_key *keys)
{
    for (size_t i = 0; i < n; i++)
        moderation_fold(bodies[i], strlen(bodies[i]), a, &keys[i]);
}

/* With stored keys: a body is folded only where its key matches (then
 * confirmed byte for byte) or is of another version; no body is needed
 * where the key differs. */
static void
a_repeat_is_found_by_its_key(void **state)
{
    (void)state;
    arena *a = arena_new();
    const char *bodies[] = {"The bypass consultation closes on Friday.", "Vote no on the bypass!"};
    int64_t times[] = {NOW - 60000, NOW - 120000};
    moderation_fold_key keys[2];
    keys_of(a, bodies, 2, keys);
    assert_int_equal(keys[1].ver, SPAM_FOLD_VERSION);
    norm_text t;
    norm_fold(a, "VOTE   no on the bypass!!", 25, &t);
    assert_int_equal(keys[1].len, t.len);
    assert_true(keys[1].hash == spam_fold_hash(t.s, t.len));
    /* The first body is not given: its key differs, so it is never read. */
    const char *given[] = {NULL, bodies[1]};
    assert_true(spam_repeat_seen(a, t.s, t.len, NULL, given, keys, times, 2, NOW, WINDOW));
    /* The comment's own hash, when the caller has it (moderation_fold), is
     * taken as given: the folded text is not hashed again. */
    uint64_t own = spam_fold_hash(t.s, t.len);
    assert_true(spam_repeat_seen(a, t.s, t.len, &own, given, keys, times, 2, NOW, WINDOW));
    own ^= 1;
    assert_false(spam_repeat_seen(a, t.s, t.len, &own, given, keys, times, 2, NOW, WINDOW));
    /* Outside the window, the key is not even looked at. */
    int64_t old[] = {NOW - 60000, NOW - WINDOW - 1};
    assert_false(spam_repeat_seen(a, t.s, t.len, NULL, given, keys, old, 2, NOW, WINDOW));
    /* A key that matches a body that does not fold the same (a hash
     * collision, or a key stored wrong): the bytes decide. */
    const char *liar[] = {NULL, "Vote yes on the bypass!"};
    assert_false(spam_repeat_seen(a, t.s, t.len, NULL, liar, keys, times, 2, NOW, WINDOW));
    /* A matching key without its body cannot be confirmed: no repeat. */
    const char *none[] = {NULL, NULL};
    assert_false(spam_repeat_seen(a, t.s, t.len, NULL, none, keys, times, 2, NOW, WINDOW));
    /* A key of another version (a fold since changed), or none (ver 0):
     * the body is folded, whatever the key says. */
    moderation_fold_key stale[2] = {keys[0], {keys[0].hash, keys[0].len, SPAM_FOLD_VERSION + 1}};
    assert_true(spam_repeat_seen(a, t.s, t.len, NULL, bodies, stale, times, 2, NOW, WINDOW));
    stale[1] = (moderation_fold_key){0};
    assert_true(spam_repeat_seen(a, t.s, t.len, NULL, bodies, stale, times, 2, NOW, WINDOW));
    /* A differing key of this version is believed: the body is not read. */
    stale[1] = keys[0];
    assert_false(spam_repeat_seen(a, t.s, t.len, NULL, bodies, stale, times, 2, NOW, WINDOW));
    arena_free(a);
}

/* The keys are stored with the comments (docs/STORAGE.md), so what a text
 * folds to and the hash of the folded bytes are part of the stored format:
 * these pins fail on any change to either. Such a change must raise
 * SPAM_FOLD_VERSION (so that stored keys of the old version are not
 * compared) and update the pins, together. The texts go through each
 * folding step (normalize.h). */
static void
the_keys_of_this_version_are_pinned(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        uint64_t hash;
        uint32_t len;
    } pins[] = {
        {"Vote no on the bypass!", 0x3396b07dca022f71ULL, 20},
        {"VOTE   no on the BYPASS!!", 0x3396b07dca022f71ULL, 20},
        {"\uff36\uff4f\uff54\uff45 no", 0x6b983c47aa359b4bULL, 7},
        {"by\u200bpass caf\u00e9 na\u0131\u0308ve", 0x70eed91a8b549f9aULL, 16},
        {"\u0412\u043e\u0442\u0435 n\u043e", 0xa548f42b1f7c2c21ULL, 7},
        {"\U0001f1fa\U0001f1f8 \U0001f595 \U0001f602", 0x607d4c5147e380acULL, 18},
        {"sh1t @ss a$$ f*ck", 0xf737af78ade0f909ULL, 15},
        {"f.u.c.k and f u c k", 0x69ad1c8b133f89c1ULL, 13},
        {"#YouAreAnIdiot", 0x5bf766fbabfadb3eULL, 16},
        {"fuuuuuck sooo baaad", 0x237a341e1ec897bfULL, 11},
        {"\u4f60\u597d\u4e16\u754c \u0645\u0631\u062d\u0628\u0627", 0x38d9cb120e4606c9ULL, 23},
        {"", 0x90f8749b0fb13233ULL, 0},
        {"a", 0x5e7e33eb895aaaa4ULL, 1},
        {"seven77", 0x773e11fa6e3035eeULL, 6},
        {"eight888", 0x8f98448e49769913ULL, 6},
        {"The council's consultation on the northern bypass closes on Friday; write before then.",
         0xd65ef21ca8713985ULL, 82},
        /* version 2: "who're" folds to two words */
        {"Those who're here", 0x26751132f7a6e8f9ULL, 17},
        /* version 3: "he'll" too */
        {"He'll be there", 0x28fa2f51eb11b1f2ULL, 13},
    };
    assert_int_equal(SPAM_FOLD_VERSION, 3);
    arena *a = arena_new();
    bool ok = true;
    for (size_t i = 0; i < sizeof pins / sizeof pins[0]; i++) {
        moderation_fold_key k;
        moderation_fold(pins[i].text, strlen(pins[i].text), a, &k);
        if (k.hash != pins[i].hash || k.len != pins[i].len || k.ver != SPAM_FOLD_VERSION) {
            printf("    {\"%s\", 0x%016llxULL, %u}, /* pinned: 0x%016llxULL, %u */\n", pins[i].text,
                   (unsigned long long)k.hash, k.len, (unsigned long long)pins[i].hash,
                   pins[i].len);
            ok = false;
        }
    }
    arena_free(a);
    assert_true(ok);
}

/* A thread's memo is its own and is freed when the thread ends (the
 * sanitizer build reports a leak otherwise). */
static void *
check_on_a_thread(void *arg)
{
    (void)arg;
    arena *a = arena_new();
    const char *bodies[] = {"Vote no on the bypass!"};
    int64_t times[] = {NOW - 1000};
    bool seen = repeat(a, "Vote no on the bypass!", bodies, times, 1);
    arena_free(a);
    return seen ? (void *)1 : NULL;
}

static void
each_thread_has_its_own_memo(void **state)
{
    (void)state;
    for (int i = 0; i < 3; i++) {
        pthread_t t;
        void *seen = NULL;
        assert_int_equal(pthread_create(&t, NULL, check_on_a_thread, NULL), 0);
        assert_int_equal(pthread_join(t, &seen), 0);
        assert_non_null(seen);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_domain_covers_itself_and_its_subdomains_only),
        cmocka_unit_test(bad_names_are_refused_with_the_setting_named),
        cmocka_unit_test(links_are_counted_allowed_and_blocked),
        cmocka_unit_test(the_link_prefilter_misses_no_link),
        cmocka_unit_test(a_repeat_is_found_in_the_window_only),
        cmocka_unit_test(the_memo_never_changes_an_answer),
        cmocka_unit_test(each_thread_has_its_own_memo),
        cmocka_unit_test(a_repeat_is_found_by_its_key),
        cmocka_unit_test(the_keys_of_this_version_are_pinned),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
