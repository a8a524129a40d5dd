/* The backend-op tests' assertions: a CPU backend that must be created, zeroed buffers that
 * must be allocated, a call that must succeed, a call that must be refused with a message naming
 * the op, and a number within a tolerance. Header-only, so the Check-free GPU tests that share
 * tests/common never need the Check library. */
#ifndef SC_TEST_CHECK_OPS_H
#define SC_TEST_CHECK_OPS_H

#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tests/common/op_test.h"

/* The CPU backend with this many threads. */
static inline sc_backend *sc_check_cpu(int threads) {
    sc_backend *be = NULL;
    sc_error err;
    ck_assert_msg(sc_test_cpu_backend(threads, &be, &err) == SC_OK, "%s", err.msg);
    return be;
}

/* The CPU backend with this many threads and the given convolution path (SCAAT_CPU_CONV:
 * "im2col" or "onednn", see host/cpu/cpu_dnnl.h); the environment is restored afterwards. */
static inline sc_backend *sc_check_cpu_conv(int threads, const char *conv) {
    const char *was = getenv("SCAAT_CPU_CONV");
    char *saved = was ? strdup(was) : NULL;
    ck_assert_int_eq(setenv("SCAAT_CPU_CONV", conv, 1), 0);
    sc_backend *be = sc_check_cpu(threads);
    ck_assert_int_eq(saved ? setenv("SCAAT_CPU_CONV", saved, 1) : unsetenv("SCAAT_CPU_CONV"), 0);
    free(saved);
    return be;
}

/* n zeroed floats (at least one). */
static inline float *sc_check_floats(size_t n) {
    float *x = calloc(n ? n : 1, sizeof(float));
    ck_assert_ptr_nonnull(x);
    return x;
}

/* Zeroed memory big enough for every tensor of a contract test (the refused calls never touch
 * it; the accepted ones stay inside). */
typedef struct sc_op_scratch {
    float a[4096], b[4096], c[4096], d[4096], e[64], f[64];
} sc_op_scratch;

static inline sc_op_scratch *sc_check_scratch(void) {
    sc_op_scratch *m = calloc(1, sizeof *m);
    ck_assert_ptr_nonnull(m);
    return m;
}

/* The backend call must succeed. */
#define EXPECT_OK(be, call) ck_assert_msg((call) == SC_OK, "%s: %s", #call, (be)->err.msg)

/* The call must fail with `expected` and leave a message that names the op. */
#define EXPECT_FAIL(be, expected, op_name, call)                                                   \
    do {                                                                                           \
        sc_error_clear(&(be)->err);                                                                \
        sc_status st_ = (call);                                                                    \
        ck_assert_msg(st_ == (expected), "%s returned %s, expected %s", #call,                     \
                      sc_status_name(st_), sc_status_name(expected));                              \
        ck_assert_msg(strstr((be)->err.msg, (op_name)) != NULL,                                    \
                      "%s: message '%s' does not name %s", #call, (be)->err.msg, (op_name));       \
    } while (0)

/* |got - want| <= tol, in double. */
#define EXPECT_NEAR(got, want, tol)                                                                \
    ck_assert_msg(fabs((double)(got) - (double)(want)) <= (tol), "%s = %.9g, expected %.9g",       \
                  #got, (double)(got), (double)(want))

#endif
