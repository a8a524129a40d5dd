/* The assertions of the backward-op gradient checks (tests/test_gradcheck_*.c): random and
 * filled input buffers, an analytic gradient that must match central differences
 * (tests/common/gradcheck.h), and the gradient conventions of backend.h: input gradients
 * overwrite (accumulate = 0, whatever the buffer held, NaN included) or add (accumulate = 1),
 * weight gradients always add. Header-only, so the Check-free GPU tests that share tests/common
 * never need the Check library. */
#ifndef SC_TEST_CHECK_GRAD_H
#define SC_TEST_CHECK_GRAD_H

#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tests/common/gradcheck.h"
#include "tests/common/test_util.h"

/* n floats uniform in [lo, hi) from the test RNG keyed by seed (at least one float). */
static inline float *sc_check_uniform(size_t n, uint64_t seed, float lo, float hi) {
    float *x = malloc((n ? n : 1) * sizeof(float));
    ck_assert_ptr_nonnull(x);
    sc_test_fill_uniform(x, n, seed, lo, hi);
    return x;
}

/* n floats all equal to value (at least one float). */
static inline float *sc_check_filled(size_t n, float value) {
    float *x = malloc((n ? n : 1) * sizeof(float));
    ck_assert_ptr_nonnull(x);
    for (size_t i = 0; i < n; i++)
        x[i] = value;
    return x;
}

/* analytic (n_input) must match central differences of sum(r * forward) with respect to input
 * (n_input) with step eps, every element checked, within tolerance; what names the check. */
static inline void sc_check_gradient(const char *what, sc_gradcheck_forward_fn forward, void *ctx,
                                     float *input, size_t n_input, size_t n_out, const float *r,
                                     const float *analytic, float eps, double tolerance) {
    sc_gradcheck_opts opts = sc_gradcheck_opts_default();
    opts.eps = eps;
    sc_gradcheck_result res;
    sc_error err;
    sc_error_clear(&err);
    ck_assert_msg(sc_gradcheck_run(forward, ctx, input, n_input, n_out, r, analytic, &opts, &res,
                                   &err) == SC_OK, "%s: %s", what, err.msg);
    char buf[256];
    ck_assert_msg(res.checked == n_input, "%s: %zu of %zu checked", what, res.checked, n_input);
    ck_assert_msg(res.max_err <= tolerance, "%s: %s (tolerance %g)", what,
                  sc_gradcheck_describe(&res, buf, sizeof buf), tolerance);
}

/* An input-gradient op writing into dx with the given accumulate flag. */
typedef sc_status (*sc_input_grad_fn)(void *ctx, float *dx, int accumulate);

/* accumulate = 0 overwrites (a NaN-filled buffer comes out finite and equal to the gradient
 * computed into zeros), accumulate = 1 adds to what the buffer held. */
static inline void sc_check_accumulate_flag(const char *what, sc_input_grad_fn op, void *ctx,
                                            size_t n) {
    float *from_nan = sc_check_filled(n, NAN);
    float *from_zero = sc_check_filled(n, 0.0f);
    float *base = sc_check_uniform(n, 991, -1.0f, 1.0f);
    float *added = malloc(n * sizeof(float));
    ck_assert_ptr_nonnull(added);
    memcpy(added, base, n * sizeof(float));
    ck_assert_int_eq(op(ctx, from_nan, 0), SC_OK);
    ck_assert_int_eq(op(ctx, from_zero, 1), SC_OK);
    ck_assert_int_eq(op(ctx, added, 1), SC_OK);
    ck_assert_msg(sc_test_count_nonfinite(from_nan, n) == 0, "%s: overwrite kept NaN", what);
    ck_assert_msg(sc_test_max_rel_err(from_nan, from_zero, n, 1e-6) <= 1e-6,
                  "%s: overwrite differs from accumulation into zeros", what);
    double nonzero = 0.0;
    for (size_t i = 0; i < n; i++) {
        nonzero = fmax(nonzero, fabs(from_nan[i]));
        float expect = base[i] + from_nan[i];
        ck_assert_msg(fabsf(added[i] - expect) <= 1e-5f * (1.0f + fabsf(expect)),
                      "%s: accumulate: element %zu is %g, expected %g + %g", what, i,
                      (double)added[i], (double)base[i], (double)from_nan[i]);
    }
    ck_assert_msg(nonzero > 0.0, "%s: the gradient is all zeros (test would prove nothing)", what);
    free(from_nan);
    free(from_zero);
    free(base);
    free(added);
}

/* A weight-gradient op adding into dw. */
typedef sc_status (*sc_weight_grad_fn)(void *ctx, float *dw);

/* Weight gradients accumulate: from d0, one call gives d0 + g and a second d0 + 2 g. */
static inline void sc_check_weight_accumulates(const char *what, sc_weight_grad_fn op, void *ctx,
                                               size_t n) {
    float *once = sc_check_filled(n, 0.0f);
    float *base = sc_check_uniform(n, 992, -1.0f, 1.0f);
    float *twice = malloc(n * sizeof(float));
    ck_assert_ptr_nonnull(twice);
    memcpy(twice, base, n * sizeof(float));
    ck_assert_int_eq(op(ctx, once), SC_OK);
    ck_assert_int_eq(op(ctx, twice), SC_OK);
    ck_assert_int_eq(op(ctx, twice), SC_OK);
    double nonzero = 0.0;
    for (size_t i = 0; i < n; i++) {
        nonzero = fmax(nonzero, fabs(once[i]));
        float expect = base[i] + 2.0f * once[i];
        ck_assert_msg(fabsf(twice[i] - expect) <= 1e-5f * (1.0f + fabsf(expect)),
                      "%s: element %zu is %g after two calls from %g, one call gives %g", what, i,
                      (double)twice[i], (double)base[i], (double)once[i]);
    }
    ck_assert_msg(nonzero > 0.0, "%s: the gradient is all zeros (test would prove nothing)", what);
    free(once);
    free(base);
    free(twice);
}

#endif
