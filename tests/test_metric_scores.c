/* The CPU backend's per-sample scores, row statistics and image blends of the metrics against
 * hand computations: target_score (probability, logit, correctness with ties to the first
 * index), curve_auc (trapezoid rule), rank_rows (average ranks of ties), pearson_rows (and
 * Spearman through rank_rows), masked_sum, relative_distance, axpby and add_noise (the exact
 * Philox formulas). */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/test_util.h"
#include "host/backend/backend.h"
#include "host/core/rng.h"
#include "tests/common/check_ops.h"
#include "tests/common/check_run.h"

START_TEST(test_target_score) {
    sc_backend *be = sc_check_cpu(2);
    const float logits[12] = {1, 3, 3, 0, 5, 5, 5, 5, -1, -2, -0.5f, -3};
    int32_t targets[3] = {2, 0, 2};
    float out[9];
    for (int i = 0; i < 9; i++)
        out[i] = 7.0f;
    sc_tensor tl = sc_tensor_2d((float *)logits, SC_F32, 3, 4);
    sc_tensor tt = sc_tensor_1d(targets, SC_I32, 3), to = sc_tensor_2d(out, SC_F32, 3, 3);
    EXPECT_OK(be, be->ops->target_score(be, SC_SCORE_PROB, &tl, &tt, 0, &to));
    EXPECT_OK(be, be->ops->target_score(be, SC_SCORE_LOGIT, &tl, &tt, 1, &to));
    EXPECT_OK(be, be->ops->target_score(be, SC_SCORE_CORRECT, &tl, &tt, 2, &to));
    const double e = exp(1.0);
    EXPECT_NEAR(out[0], pow(e, 3) / (e + 2 * pow(e, 3) + 1), 1e-6);
    EXPECT_NEAR(out[3], 0.25, 1e-7);
    EXPECT_NEAR(out[6], exp(-0.5) / (exp(-1.0) + exp(-2.0) + exp(-0.5) + exp(-3.0)), 1e-6);
    ck_assert(out[1] == 3.0f && out[4] == 5.0f && out[7] == -0.5f);
    /* row 0's argmax is 1 (first of the tie 3, 3), not the target 2; row 1's tie gives 0 */
    ck_assert(out[2] == 0.0f && out[5] == 1.0f && out[8] == 1.0f);
    /* one column at a time: the others untouched */
    for (int i = 0; i < 9; i++)
        out[i] = 7.0f;
    EXPECT_OK(be, be->ops->target_score(be, SC_SCORE_LOGIT, &tl, &tt, 1, &to));
    for (int i = 0; i < 9; i++)
        ck_assert(i % 3 == 1 || out[i] == 7.0f);
    /* a target outside [0, K) is refused when the op runs */
    targets[1] = 4;
    sc_error_clear(&be->err);
    ck_assert_int_eq(be->ops->target_score(be, SC_SCORE_PROB, &tl, &tt, 0, &to), SC_ERR_SHAPE);
    ck_assert_ptr_nonnull(strstr(be->err.msg, "target_score"));
    sc_backend_destroy(be);
}
END_TEST

START_TEST(test_curve_auc) {
    sc_backend *be = sc_check_cpu(2);
    const float curves[20] = {0.7f, 0.7f, 0.7f, 0.7f, 0.7f, 0, 0.25f, 0.5f, 0.75f, 1,
                              1, 0, 0, 0, 0,            0, 1, 0, 1, 0};
    float auc[4];
    sc_tensor tc = sc_tensor_2d((float *)curves, SC_F32, 4, 5), ta = sc_tensor_1d(auc, SC_F32, 4);
    EXPECT_OK(be, be->ops->curve_auc(be, &tc, &ta));
    EXPECT_NEAR(auc[0], 0.7, 1e-7);
    EXPECT_NEAR(auc[1], 0.5, 1e-7);
    EXPECT_NEAR(auc[2], 0.125, 1e-7);
    EXPECT_NEAR(auc[3], 0.5, 1e-7);
    /* two points */
    const float two[2] = {1.0f, 0.0f};
    sc_tensor t2 = sc_tensor_2d((float *)two, SC_F32, 1, 2), a1 = sc_tensor_1d(auc, SC_F32, 1);
    EXPECT_OK(be, be->ops->curve_auc(be, &t2, &a1));
    EXPECT_NEAR(auc[0], 0.5, 1e-7);
    sc_backend_destroy(be);
}
END_TEST

START_TEST(test_rank_rows_and_pearson) {
    sc_backend *be = sc_check_cpu(2);
    const float in[16] = {3, 1, 3, 2, 2, 2, 2, 2, 0.0f, -0.0f, 5, -1, 1, NAN, 0, 2};
    const float want[12] = {3.5f, 1, 3.5f, 2, 2.5f, 2.5f, 2.5f, 2.5f, 2.5f, 2.5f, 4, 1};
    float out[16];
    sc_tensor ti = sc_tensor_2d((float *)in, SC_F32, 4, 4), to = sc_tensor_2d(out, SC_F32, 4, 4);
    EXPECT_OK(be, be->ops->rank_rows(be, &ti, &to));
    for (int i = 0; i < 12; i++)
        ck_assert_msg(out[i] == want[i], "entry %d: %g, expected %g", i, (double)out[i],
                      (double)want[i]);
    for (int i = 12; i < 16; i++)
        ck_assert(isnan(out[i]));

    /* rows: +1, -1, constant b, NaN, and (1, 2, 3) vs (1, 3, 2) by hand = 0.5 */
    const float a[15] = {1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 1, 2, 3, 4, 5};
    const float b[15] = {3, 5, 7, 9, 11, -1, -2, -3, -4, -5, 2, 2, 2, 2, 2};
    float r[3];
    sc_tensor tpa = sc_tensor_2d((float *)a, SC_F32, 3, 5),
              tpb = sc_tensor_2d((float *)b, SC_F32, 3, 5);
    sc_tensor tr = sc_tensor_1d(r, SC_F32, 3);
    EXPECT_OK(be, be->ops->pearson_rows(be, &tpa, &tpb, &tr));
    EXPECT_NEAR(r[0], 1.0, 1e-7);
    EXPECT_NEAR(r[1], -1.0, 1e-7);
    ck_assert(isnan(r[2]));
    const float ha[6] = {1, 2, 3, 1, NAN, 3}, hb[6] = {1, 3, 2, 1, 3, 2};
    sc_tensor tha = sc_tensor_2d((float *)ha, SC_F32, 2, 3),
              thb = sc_tensor_2d((float *)hb, SC_F32, 2, 3);
    sc_tensor tr2 = sc_tensor_1d(r, SC_F32, 2);
    EXPECT_OK(be, be->ops->pearson_rows(be, &tha, &thb, &tr2));
    EXPECT_NEAR(r[0], 0.5, 1e-7);
    ck_assert(isnan(r[1]));
    /* Spearman: a monotone but non-linear relation correlates perfectly after ranking */
    const float sa[5] = {0.1f, 0.5f, 0.2f, 4.0f, 3.0f}, sb[5] = {1, 125, 8, 1e6f, 27000};
    float ra[5], rb[5];
    sc_tensor tsa = sc_tensor_2d((float *)sa, SC_F32, 1, 5),
              tsb = sc_tensor_2d((float *)sb, SC_F32, 1, 5);
    sc_tensor tra = sc_tensor_2d(ra, SC_F32, 1, 5), trb = sc_tensor_2d(rb, SC_F32, 1, 5);
    sc_tensor tr1 = sc_tensor_1d(r, SC_F32, 1);
    EXPECT_OK(be, be->ops->pearson_rows(be, &tsa, &tsb, &tr1));
    ck_assert(r[0] < 0.99f);
    EXPECT_OK(be, be->ops->rank_rows(be, &tsa, &tra));
    EXPECT_OK(be, be->ops->rank_rows(be, &tsb, &trb));
    EXPECT_OK(be, be->ops->pearson_rows(be, &tra, &trb, &tr1));
    EXPECT_NEAR(r[0], 1.0, 1e-7);
    sc_backend_destroy(be);
}
END_TEST

START_TEST(test_masked_sum_and_distance) {
    sc_backend *be = sc_check_cpu(2);
    const float map_data[12] = {1, 2, 3, 4, 5, 6, -1, 0.5f, 0.25f, 8, 0, 2};
    const float mask_data[12] = {1, 0, 1, 0, 0, 2, 0, 0, 0, 0, 0, 0};
    float out[6] = {7, 7, 7, 7, 7, 7};
    sc_tensor tm = sc_tensor_4d((float *)map_data, SC_F32, 2, 1, 2, 3);
    sc_tensor tk = sc_tensor_4d((float *)mask_data, SC_F32, 2, 1, 2, 3);
    sc_tensor to = sc_tensor_2d(out, SC_F32, 2, 3);
    EXPECT_OK(be, be->ops->masked_sum(be, &tm, NULL, 0, &to));
    EXPECT_OK(be, be->ops->masked_sum(be, &tm, &tk, 2, &to));
    ck_assert(out[0] == 21.0f && out[3] == 9.75f);
    ck_assert(out[2] == 10.0f && out[5] == 0.0f); /* 1 + 3 + 6; nothing masked */
    ck_assert(out[1] == 7.0f && out[4] == 7.0f);

    /* ||a - b|| / ||b||: (1, 0, 1) against (3, 4, 0) -> sqrt(2) / 5; b = 0 -> NaN; 4-D too */
    const float a[6] = {4, 4, 1, 1, 2, 3}, b[6] = {3, 4, 0, 0, 0, 0};
    float d[2];
    sc_tensor ta = sc_tensor_2d((float *)a, SC_F32, 2, 3),
              tb = sc_tensor_2d((float *)b, SC_F32, 2, 3);
    sc_tensor td = sc_tensor_1d(d, SC_F32, 2);
    EXPECT_OK(be, be->ops->relative_distance(be, &ta, &tb, &td));
    EXPECT_NEAR(d[0], sqrt(2.0) / 5.0, 1e-7);
    ck_assert(isnan(d[1]));
    const float a4[8] = {1, 1, 1, 1, 0, 0, 0, 0}, b4[8] = {1, 1, 1, 1, 2, 0, 0, 0};
    sc_tensor ta4 = sc_tensor_4d((float *)a4, SC_F32, 2, 1, 2, 2);
    sc_tensor tb4 = sc_tensor_4d((float *)b4, SC_F32, 2, 1, 2, 2);
    EXPECT_OK(be, be->ops->relative_distance(be, &ta4, &tb4, &td));
    ck_assert(d[0] == 0.0f && d[1] == 1.0f);
    sc_backend_destroy(be);
}
END_TEST

START_TEST(test_axpby) {
    sc_backend *be = sc_check_cpu(2);
    float x[6] = {1, 2, 3, -1, 0.5f, 0}, y[6] = {1, 1, 1, 2, 2, 2};
    sc_tensor tx = sc_tensor_4d(x, SC_F32, 1, 2, 1, 3), ty = sc_tensor_4d(y, SC_F32, 1, 2, 1, 3);
    EXPECT_OK(be, be->ops->axpby(be, 2.0f, &tx, 3.0f, &ty));
    const float want[6] = {5, 7, 9, 4, 7, 6};
    for (int i = 0; i < 6; i++)
        ck_assert(y[i] == want[i]);
    /* beta 0 does not read y: a NaN there does not survive */
    float y1[6] = {NAN, NAN, NAN, NAN, NAN, NAN};
    sc_tensor ty1 = sc_tensor_1d(y1, SC_F32, 6), tx1 = sc_tensor_1d(x, SC_F32, 6);
    EXPECT_OK(be, be->ops->axpby(be, -1.0f, &tx1, 0.0f, &ty1));
    for (int i = 0; i < 6; i++)
        ck_assert(y1[i] == -x[i]);
    sc_backend_destroy(be);
}
END_TEST

START_TEST(test_add_noise) {
    enum { N = 2, C = 3, HW = 20, PER = C * HW, TOTAL = N * PER };
    sc_backend *be = sc_check_cpu(2);
    float x[TOTAL], out[TOTAL];
    sc_test_fill_uniform(x, TOTAL, 41, -1.0f, 1.0f);
    for (int i = PER; i < TOTAL; i++)
        x[i] *= 10.0f; /* the second image has 10 times the range */
    sc_tensor tx = sc_tensor_4d(x, SC_F32, N, C, 4, 5), to = sc_tensor_4d(out, SC_F32, N, C, 4, 5);
    sc_noise_params uniform = {SC_NOISE_UNIFORM, 0.05f, sc_rng_key_make(5, 2, SC_RNG_NOISE)};
    EXPECT_OK(be, be->ops->add_noise(be, &uniform, &tx, &to));
    int moved = 0;
    for (int i = 0; i < TOTAL; i++) {
        const float u = sc_rng_uniform(uniform.key, (uint64_t)i);
        ck_assert(out[i] == x[i] + 0.05f * (2.0f * u - 1.0f));
        ck_assert(fabsf(out[i] - x[i]) <= 0.05f * 1.0001f);
        moved += out[i] != x[i];
    }
    ck_assert(moved > TOTAL / 2);
    sc_noise_params normal = {SC_NOISE_NORMAL_RANGE, 0.15f, sc_rng_key_make(5, 3, SC_RNG_NOISE)};
    EXPECT_OK(be, be->ops->add_noise(be, &normal, &tx, &to));
    for (int n = 0; n < N; n++) {
        float lo = x[n * PER], hi = x[n * PER];
        for (int i = n * PER; i < (n + 1) * PER; i++) {
            lo = fminf(lo, x[i]);
            hi = fmaxf(hi, x[i]);
        }
        const float range = hi - lo;
        ck_assert(range > (n ? 10.0f : 1.0f));
        for (int i = n * PER; i < (n + 1) * PER; i++)
            ck_assert_msg(out[i] == x[i] + 0.15f * range * sc_rng_normal(normal.key, (uint64_t)i),
                          "element %d", i);
    }
    sc_backend_destroy(be);
}
END_TEST

static Suite *metric_scores_suite(void) {
    Suite *s = suite_create("metric_scores");
    TCase *tc = tcase_create("metric scores");
    tcase_add_test(tc, test_target_score);
    tcase_add_test(tc, test_curve_auc);
    tcase_add_test(tc, test_rank_rows_and_pearson);
    tcase_add_test(tc, test_masked_sum_and_distance);
    tcase_add_test(tc, test_axpby);
    tcase_add_test(tc, test_add_noise);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return sc_check_run(metric_scores_suite()); }
