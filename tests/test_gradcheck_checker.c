/* The finite-difference gradient checker itself (tests/common/gradcheck.h), which the
 * backward-op checks of tests/test_gradcheck_*.c rely on: a right gradient passes, one wrong
 * element fails and is named, a NaN never passes, inputs are restored and max_points checks an
 * evenly spaced subset. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tests/common/check_grad.h"
#include "tests/common/check_run.h"
#include "tests/common/gradcheck.h"

/* out[j] = x[j]^2 + x[(j + 1) % n]: d(sum r out)/dx[i] = 2 r[i] x[i] + r[i - 1]. */
typedef struct square_fix {
    float *x;
    size_t n;
} square_fix;

static sc_status square_forward(void *ctx, float *out) {
    square_fix *f = ctx;
    for (size_t j = 0; j < f->n; j++)
        out[j] = f->x[j] * f->x[j] + f->x[(j + 1) % f->n];
    return SC_OK;
}

START_TEST(test_checker_judges_gradients) {
    enum { N = 40 };
    square_fix f = {sc_check_uniform(N, 501, -1.0f, 1.0f), N};
    float *r = sc_check_uniform(N, 502, -1.0f, 1.0f);
    float grad[N];
    for (size_t i = 0; i < N; i++)
        grad[i] = 2.0f * r[i] * f.x[i] + r[(i + N - 1) % N];
    float before[N];
    memcpy(before, f.x, sizeof before);
    sc_gradcheck_opts opts = sc_gradcheck_opts_default();
    sc_gradcheck_result res;
    sc_error err;
    ck_assert_int_eq(sc_gradcheck_run(square_forward, &f, f.x, N, N, r, grad, &opts, &res, &err),
                     SC_OK);
    ck_assert_msg(res.max_err < 1e-4, "right gradient judged wrong: %g", res.max_err);
    ck_assert(memcmp(before, f.x, sizeof before) == 0); /* inputs restored */

    grad[17] += 0.1f; /* one wrong element is found and named */
    ck_assert_int_eq(sc_gradcheck_run(square_forward, &f, f.x, N, N, r, grad, &opts, &res, &err),
                     SC_OK);
    ck_assert_msg(res.max_err > 0.03, "wrong gradient passed: %g", res.max_err);
    ck_assert_uint_eq(res.worst_index, 17);

    grad[17] = NAN; /* NaN never passes */
    ck_assert_int_eq(sc_gradcheck_run(square_forward, &f, f.x, N, N, r, grad, &opts, &res, &err),
                     SC_OK);
    ck_assert(isinf(res.max_err));

    opts.max_points = 8; /* a subset of evenly spaced elements */
    ck_assert_int_eq(sc_gradcheck_run(square_forward, &f, f.x, N, N, r, grad, &opts, &res, &err),
                     SC_OK);
    ck_assert_uint_eq(res.checked, 8);
    free(f.x);
    free(r);
}
END_TEST

int main(void) {
    return sc_check_run_test("gradcheck_checker", "checker", test_checker_judges_gradients);
}
