/* The command-line tests' assertions over cli_runner.h: a scratch directory with data, run
 * scaat (it must start and exit, not crash) and expect an input error. Header-only, so the Check-free GPU tests that share
 * tests/common never need the Check library. */
#ifndef SC_TEST_CHECK_CLI_H
#define SC_TEST_CHECK_CLI_H

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "tests/common/cli_runner.h"
#include "tests/common/synthetic_data.h"
#include "tests/common/test_util.h"

/* A fresh scratch directory dir (sc_test_tmpdir with tag) and in data = dir/data synthetic
 * MNIST-style data (sc_synthetic_write_idx: n_train and n_test 28x28 images of 10 classes). */
static inline void sc_check_cli_mnist(const char *tag, char dir[256], char data[300],
                                      int64_t n_train, int64_t n_test, uint64_t seed) {
    ck_assert_ptr_nonnull(sc_test_tmpdir(tag, dir, 256));
    snprintf(data, 300, "%s/data", dir);
    mkdir(data, 0755);
    ck_assert_int_eq(sc_synthetic_write_idx(data, n_train, n_test, 10, 28, seed), 0);
}

/* Runs build/scaat with args (NULL-terminated), capturing stdout and stderr; fails the test
 * when it cannot be run or crashes. */
static inline sc_cli_result sc_check_cli(const char *scratch, const char *const *args) {
    sc_cli_result r;
    ck_assert_msg(sc_cli_run(scratch, args, &r) == 0, "%s", r.why);
    return r;
}

/* A usage or input error: exit 2 and exactly one line, an error line containing needle; and,
 * unless out_dir is NULL, no out_dir left behind. */
static inline void sc_check_cli_input_error(const char *scratch, const char *const *args,
                                            const char *needle, const char *out_dir) {
    sc_cli_result r = sc_check_cli(scratch, args);
    ck_assert_msg(r.exit_code == 2, "exit %d for %s (stderr: %s)", r.exit_code, args[0], r.err);
    ck_assert_msg(sc_test_count_lines(r.err) == 1, "expected one error line, got: %s", r.err);
    ck_assert_msg(strncmp(r.err, "scaat: error: ", 14) == 0, "not an error line: %s", r.err);
    ck_assert_msg(strstr(r.err, needle) != NULL, "'%s' not in: %s", needle, r.err);
    if (out_dir)
        ck_assert_msg(!sc_test_file_exists(out_dir), "a refused call left %s behind", out_dir);
}

#endif
