/* tests/unit/filter.c: a test-name filter for every cmocka runner.
 *
 * Each unit test binary is linked with -Wl,--wrap=_cmocka_run_group_tests
 * (see the Makefile), so its calls to cmocka_run_group_tests() land here
 * first. PARLEY_TEST_FILTER selects the tests to run and PARLEY_TEST_SKIP
 * the ones to leave out, by name, with cmocka's wildcards (`*` any run of
 * characters, `?` one character):
 *
 *   PARLEY_TEST_FILTER='sso_*' build/asan/tests/store/test_store
 *
 * No runner needs to know: a new test file gets the filter by being built.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

int __real__cmocka_run_group_tests(const char *group_name, const struct CMUnitTest *const tests,
                                   const size_t num_tests, CMFixtureFunction group_setup,
                                   CMFixtureFunction group_teardown);
int __wrap__cmocka_run_group_tests(const char *group_name, const struct CMUnitTest *const tests,
                                   const size_t num_tests, CMFixtureFunction group_setup,
                                   CMFixtureFunction group_teardown);

int
__wrap__cmocka_run_group_tests(const char *group_name, const struct CMUnitTest *const tests,
                               const size_t num_tests, CMFixtureFunction group_setup,
                               CMFixtureFunction group_teardown)
{
    const char *only = getenv("PARLEY_TEST_FILTER");
    const char *skip = getenv("PARLEY_TEST_SKIP");
    if (only != NULL && only[0] != '\0')
        cmocka_set_test_filter(only);
    if (skip != NULL && skip[0] != '\0')
        cmocka_set_skip_filter(skip);
    return __real__cmocka_run_group_tests(group_name, tests, num_tests, group_setup,
                                          group_teardown);
}
