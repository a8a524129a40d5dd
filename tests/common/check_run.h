/* The main() tail of every Check unit test: run the suite, report, turn failures into the
 * exit status. Header-only, so the Check-free GPU tests that share tests/common never need
 * the Check library. */
#ifndef SC_TEST_CHECK_RUN_H
#define SC_TEST_CHECK_RUN_H

#include <check.h>
#include <stdlib.h>

static inline int sc_check_run(Suite *suite) {
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* The same for a program of one test in one test case. */
static inline int sc_check_run_test(const char *suite_name, const char *tcase_name,
                                    const TTest *test) {
    Suite *suite = suite_create(suite_name);
    TCase *tc = tcase_create(tcase_name);
    tcase_add_test(tc, test);
    suite_add_tcase(suite, tc);
    return sc_check_run(suite);
}

#endif
