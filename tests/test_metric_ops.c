/* The CPU backend's map ops of the saliency methods and metrics against closed forms and hand
 * computations: Hoyer sparseness and entropy (map_sparsity), the salient-first ranking
 * (rank_pixels) and the replacement it drives (ranked_replace), the Gaussian blur, the bilinear
 * resize (torch, align_corners=False) and Grad-CAM. test_metric_scores.c covers the per-sample
 * scores and row statistics, test_metric_impute.c the imputation, test_metric_contract.c the
 * refusals and test_metric_threads.c thread-count independence. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/test_util.h"
#include "host/backend/backend.h"
#include "tests/common/check_ops.h"
#include "tests/common/check_run.h"

/* ---- map_sparsity ---------------------------------------------------------------------------- */

/* Entropy of |v| by the definition, in double: q = a / sum a, a = |v| / max + 1e-7. */
static double entropy_reference(const float *v, int n) {
    double max_abs = 0.0, sum = 0.0, h = 0.0;
    for (int i = 0; i < n; i++)
        max_abs = fmax(max_abs, fabs(v[i]));
    for (int i = 0; i < n; i++)
        sum += fabs(v[i]) / max_abs + 1e-7;
    for (int i = 0; i < n; i++) {
        const double q = (fabs(v[i]) / max_abs + 1e-7) / sum;
        h -= q * log(q + 1e-12);
    }
    return h;
}

/* Four 4x4 maps: constant, one-hot (negative: |map| counts), all zero, one NaN; then 2x2 by
 * hand and each output alone. */
START_TEST(test_sparsity_closed_forms) {
    enum { N = 4, HW = 16 };
    sc_backend *be = sc_check_cpu(2);
    float map_data[N * HW], hoyer[N], entropy[N];
    for (int i = 0; i < HW; i++) {
        map_data[0 * HW + i] = 3.0f;
        map_data[1 * HW + i] = i == 9 ? -2.5f : 0.0f;
        map_data[2 * HW + i] = 0.0f;
        map_data[3 * HW + i] = i == 4 ? NAN : 1.0f;
    }
    sc_tensor map = sc_test_map4(map_data, N, 4, 4);
    sc_tensor th = sc_tensor_1d(hoyer, SC_F32, N), te = sc_tensor_1d(entropy, SC_F32, N);
    EXPECT_OK(be, be->ops->map_sparsity(be, &map, &th, &te));
    EXPECT_NEAR(hoyer[0], 0.0, 1e-6);
    EXPECT_NEAR(entropy[0], log(16.0), 1e-6);
    EXPECT_NEAR(hoyer[1], 1.0, 1e-6);
    EXPECT_NEAR(entropy[1], entropy_reference(map_data + HW, HW), 1e-6);
    ck_assert_msg(entropy[1] < 1e-4, "one-hot entropy %g", (double)entropy[1]);
    ck_assert(isnan(hoyer[2]) && isnan(entropy[2]) && isnan(hoyer[3]) && isnan(entropy[3]));
    /* |values| 0, 3, 1, 2: l1 = 6, l2 = sqrt(14), n = 4 */
    float hand[4] = {0.0f, -3.0f, 1.0f, 2.0f};
    sc_tensor hand_map = sc_test_map4(hand, 1, 2, 2);
    sc_tensor h1 = sc_tensor_1d(hoyer, SC_F32, 1), e1 = sc_tensor_1d(entropy, SC_F32, 1);
    EXPECT_OK(be, be->ops->map_sparsity(be, &hand_map, &h1, &e1));
    EXPECT_NEAR(hoyer[0], (2.0 - 6.0 / sqrt(14.0)) / (2.0 - 1.0), 1e-6);
    EXPECT_NEAR(entropy[0], entropy_reference(hand, 4), 1e-6);
    /* either output alone */
    hoyer[0] = entropy[0] = -1.0f;
    EXPECT_OK(be, be->ops->map_sparsity(be, &hand_map, NULL, &e1));
    ck_assert(hoyer[0] == -1.0f);
    EXPECT_NEAR(entropy[0], entropy_reference(hand, 4), 1e-6);
    EXPECT_OK(be, be->ops->map_sparsity(be, &hand_map, &h1, NULL));
    EXPECT_NEAR(hoyer[0], 2.0 - 6.0 / sqrt(14.0), 1e-6);
    sc_backend_destroy(be);
}
END_TEST

/* ---- rank_pixels and ranked_replace ---------------------------------------------------------- */

START_TEST(test_rank_pixels_order) {
    sc_backend *be = sc_check_cpu(2);
    /* descending, ties by index, -0 ties with +0, NaN last */
    float hand[8] = {0.5f, 0.9f, 0.5f, NAN, -1.0f, 0.9f, 0.0f, -0.0f};
    const int32_t want[8] = {2, 0, 3, 7, 6, 1, 4, 5};
    int32_t ranks[8];
    sc_tensor map = sc_test_map4(hand, 1, 2, 4), tr = sc_tensor_4d(ranks, SC_I32, 1, 1, 2, 4);
    EXPECT_OK(be, be->ops->rank_pixels(be, &map, &tr));
    for (int i = 0; i < 8; i++)
        ck_assert_msg(ranks[i] == want[i], "pixel %d: rank %d, expected %d", i, ranks[i], want[i]);
    /* random maps with ties: a permutation, and rank order = (value desc, index asc) */
    enum { N = 3, HW = 35 };
    float values[N * HW];
    int32_t r[N * HW];
    for (int i = 0; i < N * HW; i++)
        values[i] = 0.25f * (float)((i * 7) % 5);
    sc_tensor rmap = sc_test_map4(values, N, 5, 7), trr = sc_tensor_4d(r, SC_I32, N, 1, 5, 7);
    EXPECT_OK(be, be->ops->rank_pixels(be, &rmap, &trr));
    for (int n = 0; n < N; n++) {
        int at[HW];
        memset(at, -1, sizeof at);
        for (int i = 0; i < HW; i++) {
            ck_assert(r[n * HW + i] >= 0 && r[n * HW + i] < HW && at[r[n * HW + i]] < 0);
            at[r[n * HW + i]] = i;
        }
        for (int k = 0; k + 1 < HW; k++) {
            const float a = values[n * HW + at[k]], b = values[n * HW + at[k + 1]];
            ck_assert_msg(a > b || (a == b && at[k] < at[k + 1]), "sample %d ranks %d, %d", n, k,
                          k + 1);
        }
    }
    sc_backend_destroy(be);
}
END_TEST

START_TEST(test_ranked_replace) {
    enum { N = 2, C = 2, HW = 4, TOTAL = N * C * HW };
    sc_backend *be = sc_check_cpu(2);
    /* ranks per sample: pixel p has rank rank_of[n][p] */
    int32_t ranks[N * HW] = {2, 0, 3, 1, 0, 1, 2, 3};
    float x_data[TOTAL], alt_data[TOTAL], out_data[TOTAL];
    for (int i = 0; i < TOTAL; i++) {
        x_data[i] = (float)(i + 1);
        alt_data[i] = -(float)(i + 1);
    }
    sc_tensor x = sc_tensor_4d(x_data, SC_F32, N, C, 2, 2),
              alt = sc_tensor_4d(alt_data, SC_F32, N, C, 2, 2);
    sc_tensor out = sc_tensor_4d(out_data, SC_F32, N, C, 2, 2);
    sc_tensor tr = sc_tensor_4d(ranks, SC_I32, N, 1, 2, 2);
    for (int count = 0; count <= HW; count++)
        for (int least = 0; least < 2; least++)
            for (int with_alt = 0; with_alt < 2; with_alt++) {
                EXPECT_OK(be, be->ops->ranked_replace(be, count, least, &x, with_alt ? &alt : NULL,
                                                      &tr, &out));
                for (int i = 0; i < TOTAL; i++) {
                    const int rank = ranks[(i / (C * HW)) * HW + i % HW];
                    const int replaced = least ? rank >= HW - count : rank < count;
                    const float want = replaced ? (with_alt ? alt_data[i] : 0.0f) : x_data[i];
                    ck_assert_msg(out_data[i] == want, "count %d least %d alt %d element %d: %g",
                                  count, least, with_alt, i, (double)out_data[i]);
                }
            }
    /* in place: the two most salient pixels of each sample set to 0 in every channel */
    EXPECT_OK(be, be->ops->ranked_replace(be, 2, 0, &x, NULL, &tr, &x));
    for (int i = 0; i < TOTAL; i++) {
        const int rank = ranks[(i / (C * HW)) * HW + i % HW];
        ck_assert_float_eq(x_data[i], rank < 2 ? 0.0f : (float)(i + 1));
    }
    sc_backend_destroy(be);
}
END_TEST

/* ---- gaussian_blur --------------------------------------------------------------------------- */

START_TEST(test_gaussian_blur) {
    sc_backend *be = sc_check_cpu(2);
    /* kernel 3, sigma 1 by hand: w = (e, 1, e) / (1 + 2e), e = exp(-1/2) */
    const double e = exp(-0.5), w[3] = {e / (1 + 2 * e), 1 / (1 + 2 * e), e / (1 + 2 * e)};
    float delta[25] = {0}, out[25];
    delta[12] = 1.0f;
    sc_tensor td = sc_tensor_4d(delta, SC_F32, 1, 1, 5, 5),
              to = sc_tensor_4d(out, SC_F32, 1, 1, 5, 5);
    sc_blur_params k3 = {3, 1.0f};
    EXPECT_OK(be, be->ops->gaussian_blur(be, &k3, &td, &to));
    for (int h = 0; h < 5; h++)
        for (int x = 0; x < 5; x++) {
            const int dh = h - 2, dx = x - 2;
            const double want = (abs(dh) <= 1 && abs(dx) <= 1) ? w[dh + 1] * w[dx + 1] : 0.0;
            EXPECT_NEAR(out[h * 5 + x], want, 1e-7);
        }
    /* reflect padding without repeating the edge: rows of 1, 2, 3, 4 */
    float ramp[12], ramp_out[12];
    for (int i = 0; i < 12; i++)
        ramp[i] = (float)(i % 4 + 1);
    sc_tensor tr = sc_tensor_4d(ramp, SC_F32, 1, 1, 3, 4),
              tro = sc_tensor_4d(ramp_out, SC_F32, 1, 1, 3, 4);
    EXPECT_OK(be, be->ops->gaussian_blur(be, &k3, &tr, &tro));
    for (int h = 0; h < 3; h++) {
        EXPECT_NEAR(ramp_out[h * 4 + 0], w[0] * 2 + w[1] * 1 + w[2] * 2, 1e-6);
        EXPECT_NEAR(ramp_out[h * 4 + 1], 2.0, 1e-6);
        EXPECT_NEAR(ramp_out[h * 4 + 3], w[0] * 3 + w[1] * 4 + w[2] * 3, 1e-6);
    }
    /* a constant image stays constant, also with a kernel wider than the image */
    enum { TOTAL = 2 * 3 * 6 * 5 };
    float flat[TOTAL], flat_out[TOTAL];
    for (int i = 0; i < TOTAL; i++)
        flat[i] = -1.75f;
    sc_tensor tf = sc_tensor_4d(flat, SC_F32, 2, 3, 6, 5),
              tfo = sc_tensor_4d(flat_out, SC_F32, 2, 3, 6, 5);
    const sc_blur_params kernels[3] = {{5, 1.5f}, {11, 5.0f}, {1, 0.3f}};
    for (int k = 0; k < 3; k++) {
        EXPECT_OK(be, be->ops->gaussian_blur(be, &kernels[k], &tf, &tfo));
        for (int i = 0; i < TOTAL; i++)
            EXPECT_NEAR(flat_out[i], -1.75, 2e-6);
    }
    sc_backend_destroy(be);
}
END_TEST

/* ---- resize_bilinear and gradcam ------------------------------------------------------------- */

START_TEST(test_resize_bilinear) {
    sc_backend *be = sc_check_cpu(2);
    /* torch.nn.functional.interpolate([[0, 1], [2, 3]], size=4, mode="bilinear") */
    float in[4] = {0, 1, 2, 3}, out[16];
    const float want[16] = {0.0f, 0.25f, 0.75f, 1.0f, 0.5f, 0.75f, 1.25f, 1.5f,
                            1.5f, 1.75f, 2.25f, 2.5f, 2.0f, 2.25f, 2.75f, 3.0f};
    sc_tensor ti = sc_tensor_4d(in, SC_F32, 1, 1, 2, 2), to = sc_tensor_4d(out, SC_F32, 1, 1, 4, 4);
    EXPECT_OK(be, be->ops->resize_bilinear(be, &ti, &to));
    for (int i = 0; i < 16; i++)
        ck_assert_msg(out[i] == want[i], "element %d: %g, expected %g", i, (double)out[i],
                      (double)want[i]);
    /* equal sizes: the identity; halving: the mean of each 2x2 block, per (n, c) plane */
    enum { TOTAL = 2 * 2 * 4 * 4 };
    float x[TOTAL], same[TOTAL], half[TOTAL / 4];
    sc_test_fill_uniform(x, TOTAL, 5, -1.0f, 1.0f);
    sc_tensor tx = sc_tensor_4d(x, SC_F32, 2, 2, 4, 4), ts = sc_tensor_4d(same, SC_F32, 2, 2, 4, 4);
    sc_tensor th = sc_tensor_4d(half, SC_F32, 2, 2, 2, 2);
    EXPECT_OK(be, be->ops->resize_bilinear(be, &tx, &ts));
    ck_assert(memcmp(x, same, sizeof x) == 0);
    EXPECT_OK(be, be->ops->resize_bilinear(be, &tx, &th));
    for (int plane = 0; plane < 4; plane++)
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 2; j++) {
                const float *p = x + plane * 16 + 2 * i * 4 + 2 * j;
                EXPECT_NEAR(half[plane * 4 + i * 2 + j], 0.25 * (p[0] + p[1] + p[4] + p[5]), 1e-6);
            }
    sc_backend_destroy(be);
}
END_TEST

START_TEST(test_gradcam) {
    sc_backend *be = sc_check_cpu(2);
    /* act (2, 2, 2, 2): channel 0 = 1, 2, 3, 4, channel 1 = 4, 3, 2, 1 in both samples.
     * Sample 0: alpha = (1, -1), map = ReLU(-3, -1, 1, 3); sample 1: alpha = (0.5, 0.25). */
    const float act[16] = {1, 2, 3, 4, 4, 3, 2, 1, 1, 2, 3, 4, 4, 3, 2, 1};
    const float grad[16] = {1, 1, 1, 1, -2, 0, 0, -2, 0.5f, 0.5f, 0.5f, 0.5f, 1, 0, 0, 0};
    const float want[8] = {0, 0, 1, 3, 1.5f, 1.75f, 2.0f, 2.25f};
    float map_data[8];
    sc_tensor ta = sc_tensor_4d((float *)act, SC_F32, 2, 2, 2, 2);
    sc_tensor tg = sc_tensor_4d((float *)grad, SC_F32, 2, 2, 2, 2);
    sc_tensor tm = sc_test_map4(map_data, 2, 2, 2);
    EXPECT_OK(be, be->ops->gradcam(be, &ta, &tg, &tm));
    for (int i = 0; i < 8; i++)
        EXPECT_NEAR(map_data[i], want[i], 1e-6);
    sc_backend_destroy(be);
}
END_TEST

static Suite *metric_ops_suite(void) {
    Suite *s = suite_create("metric_ops");
    TCase *tc = tcase_create("metric map ops");
    tcase_add_test(tc, test_sparsity_closed_forms);
    tcase_add_test(tc, test_rank_pixels_order);
    tcase_add_test(tc, test_ranked_replace);
    tcase_add_test(tc, test_gaussian_blur);
    tcase_add_test(tc, test_resize_bilinear);
    tcase_add_test(tc, test_gradcam);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return sc_check_run(metric_ops_suite()); }
