/* tests/unit/moderation/test_spam.c: the link lists of moderation/spam.h:
 * which hosts a domain covers, what the list settings accept, and what
 * spam_links_check reports (counts, allowed links, the blocked link's span).
 * The engine's use of them is in tests/moderation/spam.case. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "moderation/spam.h"

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
    spam_links_check(d, "x https://sub.a.example/p", 25, &r);
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
    spam_links_check(d, t, strlen(t), &r);
    assert_int_equal(r.links, 3);
    assert_int_equal(r.allowed, 1);
    assert_int_equal(r.blocked_end - r.blocked_start,
                     strlen("HTTP://www.Casino.Example:443/x?y=1"));
    assert_memory_equal(t + r.blocked_start, "HTTP://www.Casino.Example:443/x?y=1",
                        r.blocked_end - r.blocked_start);
    /* Only the first blocked link is reported. */
    const char *two = "https://casino.example/1 https://casino.example/2";
    spam_links_check(d, two, strlen(two), &r);
    assert_int_equal(r.links, 2);
    assert_int_equal(r.blocked_start, 0);
    /* No lists: links counted, nothing allowed or blocked. */
    spam_links_check(NULL, t, strlen(t), &r);
    assert_int_equal(r.links, 3);
    assert_int_equal(r.allowed, 0);
    assert_int_equal(r.blocked_end, 0);
    /* A scheme with no host is no link; text cut mid-link is safe. */
    spam_links_check(d, "https:// www.", 13, &r);
    assert_int_equal(r.links, 0);
    spam_links_check(d, "https://casino.exa", 18, &r);
    assert_int_equal(r.blocked_end, 0);
    spam_domains_free(d);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_domain_covers_itself_and_its_subdomains_only),
        cmocka_unit_test(bad_names_are_refused_with_the_setting_named),
        cmocka_unit_test(links_are_counted_allowed_and_blocked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
