/* The CPU backend's noisy linear imputation (impute_linear, ROAD) against its definition:
 * masked pixels inside a linear ramp image are reproduced (one sweep when all neighbours are
 * known, convergence for a block), an edge pixel uses the renormalised weights, zero sweeps
 * leave the start value 0, known pixels are copied bit for bit, and the noise changes only the
 * masked elements, by exactly noise * sc_rng_normal(key, flat NCHW index). */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "host/backend/backend.h"
#include "host/core/rng.h"
#include "tests/common/check_ops.h"
#include "tests/common/check_run.h"

enum { N = 2, C = 2, H = 7, W = 8, HW = H * W, PLANE_COUNT = N * C, TOTAL = PLANE_COUNT * HW };

/* Plane p holds v = a_p * i + b_p * j + c_p at row i, column j. */
static float ramp_value(int plane, int i, int j) {
    return (0.3f + 0.1f * (float)plane) * (float)i - (0.2f + 0.05f * (float)plane) * (float)j +
           0.5f * (float)plane - 1.0f;
}

typedef struct impute_fix {
    sc_backend *be;
    float x[TOTAL], mask[N * HW], out[TOTAL];
    sc_tensor tx, tmask, tout;
} impute_fix;

/* A ramp image; sample 0 masks a 3x2 interior block and one isolated pixel, sample 1 one
 * interior pixel only. */
static void fix_init(impute_fix *f) {
    f->be = sc_check_cpu(2);
    for (int p = 0; p < PLANE_COUNT; p++)
        for (int i = 0; i < H; i++)
            for (int j = 0; j < W; j++)
                f->x[p * HW + i * W + j] = ramp_value(p, i, j);
    memset(f->mask, 0, sizeof f->mask);
    for (int i = 2; i <= 4; i++)
        for (int j = 3; j <= 4; j++)
            f->mask[i * W + j] = 1.0f;
    f->mask[5 * W + 1] = 0.5f; /* any non-zero value masks */
    f->mask[HW + 3 * W + 6] = 1.0f;
    f->tx = sc_tensor_4d(f->x, SC_F32, N, C, H, W);
    f->tmask = sc_tensor_4d(f->mask, SC_F32, N, 1, H, W);
    f->tout = sc_tensor_4d(f->out, SC_F32, N, C, H, W);
}

static int masked(const impute_fix *f, int element) {
    return f->mask[(element / (C * HW)) * HW + element % HW] != 0.0f;
}

START_TEST(test_impute_reproduces_a_ramp) {
    impute_fix f;
    fix_init(&f);
    sc_impute_params converge = {200, 0.0f, sc_rng_key_make(1, 0, SC_RNG_METRIC)};
    EXPECT_OK(f.be, f.be->ops->impute_linear(f.be, &converge, &f.tx, &f.tmask, &f.tout));
    for (int e = 0; e < TOTAL; e++) {
        if (masked(&f, e))
            ck_assert_msg(fabsf(f.out[e] - f.x[e]) <= 1e-5f, "element %d: %.7g, expected %.7g", e,
                          (double)f.out[e], (double)f.x[e]);
        else
            ck_assert_msg(memcmp(&f.out[e], &f.x[e], sizeof(float)) == 0, "known %d changed", e);
    }
    /* one sweep is exact for a pixel whose neighbours are all known (sample 1), and zero
     * sweeps leave the masked pixels at the start value 0 */
    sc_impute_params one = {1, 0.0f, converge.key}, none = {0, 0.0f, converge.key};
    EXPECT_OK(f.be, f.be->ops->impute_linear(f.be, &one, &f.tx, &f.tmask, &f.tout));
    for (int c = 0; c < C; c++) {
        const int e = (C + c) * HW + 3 * W + 6;
        ck_assert(fabsf(f.out[e] - f.x[e]) <= 1e-6f);
    }
    EXPECT_OK(f.be, f.be->ops->impute_linear(f.be, &none, &f.tx, &f.tmask, &f.tout));
    for (int e = 0; e < TOTAL; e++)
        ck_assert(masked(&f, e) ? f.out[e] == 0.0f : f.out[e] == f.x[e]);
    sc_backend_destroy(f.be);
}
END_TEST

/* A masked corner of a 3x3 plane: neighbours (0, 1) and (1, 0) weigh 2, (1, 1) weighs 1. */
START_TEST(test_impute_edge_weights) {
    sc_backend *be = sc_check_cpu(1);
    float x[9] = {100, 2, 3, 4, 5, 6, 7, 8, 9}, mask[9] = {1, 0, 0, 0, 0, 0, 0, 0, 0}, out[9];
    sc_tensor tx = sc_tensor_4d(x, SC_F32, 1, 1, 3, 3), tm = sc_tensor_4d(mask, SC_F32, 1, 1, 3, 3);
    sc_tensor to = sc_tensor_4d(out, SC_F32, 1, 1, 3, 3);
    sc_impute_params p = {3, 0.0f, sc_rng_key_make(1, 0, SC_RNG_METRIC)};
    EXPECT_OK(be, be->ops->impute_linear(be, &p, &tx, &tm, &to));
    ck_assert_float_eq_tol(out[0], (2.0f * 2 + 2.0f * 4 + 5.0f) / 5.0f, 1e-6f);
    for (int i = 1; i < 9; i++)
        ck_assert(out[i] == x[i]);
    sc_backend_destroy(be);
}
END_TEST

START_TEST(test_impute_noise_only_on_masked) {
    impute_fix f;
    fix_init(&f);
    float clean[TOTAL];
    sc_impute_params quiet = {20, 0.0f, sc_rng_key_make(9, 4, SC_RNG_METRIC)};
    sc_impute_params noisy = {20, 0.01f, quiet.key};
    EXPECT_OK(f.be, f.be->ops->impute_linear(f.be, &quiet, &f.tx, &f.tmask, &f.tout));
    memcpy(clean, f.out, sizeof clean);
    EXPECT_OK(f.be, f.be->ops->impute_linear(f.be, &noisy, &f.tx, &f.tmask, &f.tout));
    int changed = 0;
    for (int e = 0; e < TOTAL; e++) {
        if (!masked(&f, e)) {
            ck_assert(memcmp(&f.out[e], &f.x[e], sizeof(float)) == 0);
            continue;
        }
        const float want = clean[e] + 0.01f * sc_rng_normal(noisy.key, (uint64_t)e);
        ck_assert_msg(f.out[e] == want, "element %d: %.9g, expected %.9g", e, (double)f.out[e],
                      (double)want);
        changed += f.out[e] != clean[e];
    }
    ck_assert_int_ge(changed, 10);
    sc_backend_destroy(f.be);
}
END_TEST

static Suite *metric_impute_suite(void) {
    Suite *s = suite_create("metric_impute");
    TCase *tc = tcase_create("impute_linear");
    tcase_add_test(tc, test_impute_reproduces_a_ramp);
    tcase_add_test(tc, test_impute_edge_weights);
    tcase_add_test(tc, test_impute_noise_only_on_masked);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return sc_check_run(metric_impute_suite()); }
