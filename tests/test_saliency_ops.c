/* The CPU backend's saliency ops against hand computations: the channel reduction of a
 * gradient (every mode, with and without x), the constraint mask (exact counts, the tie rule,
 * the tau-mass rule and its clamps), SGT's fill (image statistics, Philox uniform and mean
 * fills), the Gini index (closed forms, degenerate maps), onehot and argmax.
 * test_perturb_ops.c covers SCAAT's perturbation, test_kl_op.c the KL op and
 * test_saliency_contract.c the refusals and thread-count independence. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/test_util.h"
#include "host/backend/backend.h"
#include "host/core/rng.h"
#include "host/core/saliency_math.h"
#include "tests/common/check_ops.h"
#include "tests/common/check_run.h"

/* ---- saliency_reduce ---------------------------------------------------------------------- */

/* g (2, 3, 1, 2); per sample the channels of pixel 0 and pixel 1. */
static const float reduce_g[12] = {1, -2, -3, 4, 2, 0, 0.5f, -0.5f, 1, 1, -1.5f, 0};
static const float reduce_x[12] = {2, 2, 2, 2, 2, 2, -1, -1, -1, -1, -1, -1};

START_TEST(test_saliency_reduce_modes) {
    static const struct {
        sc_reduce_kind kind;
        int with_x;
        float want[4]; /* (n, pixel) */
    } cases[] = {
        {SC_REDUCE_MEAN, 0, {2.0f, 2.0f, 1.0f, 0.5f}},
        {SC_REDUCE_MAX, 0, {3.0f, 4.0f, 1.5f, 1.0f}},
        {SC_REDUCE_SUM, 0, {6.0f, 6.0f, 3.0f, 1.5f}},
        {SC_REDUCE_SIGNED, 0, {0.0f, 2.0f / 3.0f, 0.0f, 1.0f / 6.0f}},
        {SC_REDUCE_MEAN, 1, {4.0f, 4.0f, 1.0f, 0.5f}},
        {SC_REDUCE_MAX, 1, {6.0f, 8.0f, 1.5f, 1.0f}},
        {SC_REDUCE_SIGNED, 1, {0.0f, 4.0f / 3.0f, 0.0f, -1.0f / 6.0f}},
    };
    sc_backend *be = sc_check_cpu(2);
    float map_data[4];
    sc_tensor g = sc_tensor_4d((float *)reduce_g, SC_F32, 2, 3, 1, 2);
    sc_tensor x = sc_tensor_4d((float *)reduce_x, SC_F32, 2, 3, 1, 2);
    sc_tensor map = sc_test_map4(map_data, 2, 1, 2);
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        sc_saliency_params p = {cases[c].kind};
        EXPECT_OK(be, be->ops->saliency_reduce(be, &p, &g, cases[c].with_x ? &x : NULL, &map));
        for (int i = 0; i < 4; i++)
            ck_assert_msg(fabsf(map_data[i] - cases[c].want[i]) <= 1e-6f,
                          "case %zu pixel %d: %g, expected %g", c, i, (double)map_data[i],
                          (double)cases[c].want[i]);
    }
    sc_backend_destroy(be);
}
END_TEST

/* ---- mask_select --------------------------------------------------------------------------- */

/* Pixel a ranks below pixel b: lower value, or equal values and lower index. */
static int ranks_below(const float *v, int64_t a, int64_t b) {
    return v[a] < v[b] || (v[a] == v[b] && a < b);
}

/* Each sample's mask holds exactly `count` ones, and the highest-ranked pixel inside ranks
 * below the lowest-ranked pixel outside. */
static void expect_lowest(const float *map, const float *mask, int64_t n, int64_t hw,
                          int64_t count) {
    for (int64_t s = 0; s < n; s++) {
        const float *v = map + s * hw, *m = mask + s * hw;
        int64_t ones = 0, top_inside = -1, bottom_outside = -1;
        for (int64_t i = 0; i < hw; i++) {
            ck_assert_msg(m[i] == 0.0f || m[i] == 1.0f, "mask value %g", (double)m[i]);
            ones += m[i] == 1.0f;
            if (m[i] == 1.0f && (top_inside < 0 || ranks_below(v, top_inside, i)))
                top_inside = i;
            if (m[i] == 0.0f && (bottom_outside < 0 || ranks_below(v, i, bottom_outside)))
                bottom_outside = i;
        }
        ck_assert_msg(ones == count, "sample %lld: %lld pixels in M, expected %lld",
                      (long long)s, (long long)ones, (long long)count);
        if (top_inside >= 0 && bottom_outside >= 0)
            ck_assert_msg(ranks_below(v, top_inside, bottom_outside),
                          "sample %lld: pixel %lld in M ranks above pixel %lld outside",
                          (long long)s, (long long)top_inside, (long long)bottom_outside);
    }
}

START_TEST(test_mask_lowest_counts_and_ties) {
    sc_backend *be = sc_check_cpu(2);
    enum { N = 3, H = 5, W = 7, HW = H * W };
    float *map_data = sc_check_floats(N * HW), *mask_data = sc_check_floats(N * HW);
    sc_tensor map = sc_test_map4(map_data, N, H, W), mask = sc_test_map4(mask_data, N, H, W);
    float stats = 0.25f;
    sc_tensor stats_t = sc_tensor_1d(&stats, SC_F32, 1);
    sc_test_fill_uniform(map_data, N * HW, 11, -1.0f, 1.0f);
    sc_mask_params half = {SC_MASK_LOWEST, 0.5f, 0, 0, 0};
    EXPECT_OK(be, be->ops->mask_select(be, &half, &map, &mask, &stats_t));
    expect_lowest(map_data, mask_data, N, HW, 17); /* floor(0.5 * 35) */
    ck_assert_float_eq_tol(stats, 0.25f + 3.0f * 17.0f / 35.0f, 1e-6f);
    /* many ties: values from {0, 0.5, 1} */
    for (int i = 0; i < N * HW; i++)
        map_data[i] = 0.5f * (float)((i * 7) % 3);
    sc_mask_params k04 = {SC_MASK_LOWEST, 0.4f, 0, 0, 0};
    EXPECT_OK(be, be->ops->mask_select(be, &k04, &map, &mask, NULL));
    expect_lowest(map_data, mask_data, N, HW, 14); /* floor(0.4 * 35) */
    /* all equal: the first count pixels */
    for (int i = 0; i < N * HW; i++)
        map_data[i] = 0.125f;
    EXPECT_OK(be, be->ops->mask_select(be, &k04, &map, &mask, NULL));
    for (int i = 0; i < N * HW; i++)
        ck_assert_float_eq(mask_data[i], (i % HW) < 14 ? 1.0f : 0.0f);
    /* k = 0 and k = 1 on one image */
    sc_tensor one_map = sc_test_map4(map_data, 1, H, W);
    sc_tensor one_mask = sc_test_map4(mask_data, 1, H, W);
    sc_mask_params none = {SC_MASK_LOWEST, 0.0f, 0, 0, 0}, all = {SC_MASK_LOWEST, 1.0f, 0, 0, 0};
    EXPECT_OK(be, be->ops->mask_select(be, &none, &one_map, &one_mask, NULL));
    for (int i = 0; i < HW; i++)
        ck_assert_float_eq(mask_data[i], 0.0f);
    EXPECT_OK(be, be->ops->mask_select(be, &all, &one_map, &one_mask, NULL));
    for (int i = 0; i < HW; i++)
        ck_assert_float_eq(mask_data[i], 1.0f);
    free(map_data);
    free(mask_data);
    sc_backend_destroy(be);
}
END_TEST

/* The mass rule on a 2x3 map (by hand): mass 1.0 in total; tau 0.6 needs the two highest
 * pixels (0.4 + 0.3 = 0.7), so M = the other 4 unless clamped. */
START_TEST(test_mask_mass_rule) {
    static const struct {
        float map[6];
        float tau, k_min, k_max;
        float want[6];
    } cases[] = {
        {{0.1f, 0.4f, 0.2f, 0.0f, 0.3f, 0.0f}, 0.6f, 0.0f, 1.0f, {1, 0, 1, 1, 0, 1}},
        /* a negative pixel has no mass but ranks lowest; the scale is max |value| = 0.5 */
        {{0.1f, 0.4f, 0.2f, -0.5f, 0.3f, 0.0f}, 0.6f, 0.0f, 1.0f, {1, 0, 1, 1, 0, 1}},
        /* clamped to floor(0.5 * 6) = 3 and floor(0.9 * 6) = 5 pixels */
        {{0.1f, 0.4f, 0.2f, 0.0f, 0.3f, 0.0f}, 0.6f, 0.0f, 0.5f, {1, 0, 0, 1, 0, 1}},
        {{0.1f, 0.4f, 0.2f, 0.0f, 0.3f, 0.0f}, 0.6f, 0.9f, 1.0f, {1, 0, 1, 1, 1, 1}},
        /* tau 1: every positive pixel is salient; tau 0: none is */
        {{0.1f, 0.4f, 0.2f, 0.0f, 0.3f, 0.0f}, 1.0f, 0.0f, 1.0f, {0, 0, 0, 1, 0, 1}},
        {{0.1f, 0.4f, 0.2f, 0.0f, 0.3f, 0.0f}, 0.0f, 0.0f, 1.0f, {1, 1, 1, 1, 1, 1}},
        /* an all-zero map has no salient pixel: M is clamped to k_max, first indices */
        {{0, 0, 0, 0, 0, 0}, 0.9f, 0.1f, 0.9f, {1, 1, 1, 1, 1, 0}},
        {{0, 0, 0, 0, 0, 0}, 0.9f, 0.1f, 1.0f, {1, 1, 1, 1, 1, 1}},
    };
    sc_backend *be = sc_check_cpu(1);
    float mask_data[6], stats = 0.0f;
    sc_tensor mask = sc_test_map4(mask_data, 1, 2, 3), stats_t = sc_tensor_1d(&stats, SC_F32, 1);
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        sc_tensor map = sc_test_map4((float *)cases[c].map, 1, 2, 3);
        sc_mask_params p = {SC_MASK_MASS, 0.0f, cases[c].tau, cases[c].k_min, cases[c].k_max};
        stats = 0.0f;
        EXPECT_OK(be, be->ops->mask_select(be, &p, &map, &mask, &stats_t));
        float ones = 0.0f;
        for (int i = 0; i < 6; i++) {
            ck_assert_msg(mask_data[i] == cases[c].want[i], "case %zu pixel %d: %g, expected %g",
                          c, i, (double)mask_data[i], (double)cases[c].want[i]);
            ones += mask_data[i];
        }
        ck_assert_float_eq_tol(stats, ones / 6.0f, 1e-7f);
    }
    sc_backend_destroy(be);
}
END_TEST

/* ---- image_stats and mask_fill ------------------------------------------------------------- */

START_TEST(test_image_stats_and_fill) {
    enum { N = 2, C = 3, H = 4, W = 5, HW = H * W, TOTAL = N * C * HW };
    sc_backend *be = sc_check_cpu(2);
    float *x_data = sc_check_floats(TOTAL), *out_data = sc_check_floats(TOTAL);
    float mask_data[N * HW], stat_data[N * C * 3];
    sc_test_fill_uniform(x_data, TOTAL, 21, -2.0f, 2.0f);
    for (int i = 0; i < N * HW; i++)
        mask_data[i] = (float)((i * 5 + 1) % 3 == 0);
    sc_tensor x = sc_tensor_4d(x_data, SC_F32, N, C, H, W);
    sc_tensor out = sc_tensor_4d(out_data, SC_F32, N, C, H, W);
    sc_tensor mask = sc_test_map4(mask_data, N, H, W);
    sc_tensor stats = sc_tensor_make(stat_data, SC_F32, 3, (int64_t[]){N, C, 3});
    EXPECT_OK(be, be->ops->image_stats(be, &x, &stats));
    for (int plane = 0; plane < N * C; plane++) {
        float lo = INFINITY, hi = -INFINITY;
        double sum = 0.0;
        for (int i = 0; i < HW; i++) {
            lo = fminf(lo, x_data[plane * HW + i]);
            hi = fmaxf(hi, x_data[plane * HW + i]);
            sum += x_data[plane * HW + i];
        }
        ck_assert_float_eq(stat_data[plane * 3 + 0], lo);
        ck_assert_float_eq(stat_data[plane * 3 + 1], hi);
        ck_assert_float_eq_tol(stat_data[plane * 3 + 2], (float)(sum / HW), 1e-6f);
    }
    for (int kind = 0; kind < 2; kind++) {
        sc_fill_params p = {kind ? SC_FILL_MEAN : SC_FILL_UNIFORM,
                            sc_rng_key_make(7, 3, SC_RNG_FILL)};
        EXPECT_OK(be, be->ops->mask_fill(be, &p, &x, &mask, &stats, &out));
        for (int i = 0; i < TOTAL; i++) {
            const int plane = i / HW, pixel = (plane / C) * HW + i % HW;
            const float *s = stat_data + plane * 3;
            if (mask_data[pixel] == 0.0f) {
                ck_assert_msg(memcmp(&out_data[i], &x_data[i], sizeof(float)) == 0,
                              "element %d outside M changed", i);
            } else if (kind) {
                ck_assert_float_eq(out_data[i], s[2]);
            } else {
                float u = sc_rng_uniform(p.key, (uint64_t)i);
                ck_assert_float_eq(out_data[i], s[0] + (s[1] - s[0]) * u);
                ck_assert(out_data[i] >= s[0] && out_data[i] <= s[1]);
            }
        }
    }
    /* a constant image: min = max = mean, and every fill gives the constant; in place */
    for (int i = 0; i < TOTAL; i++)
        x_data[i] = 0.7f;
    EXPECT_OK(be, be->ops->image_stats(be, &x, &stats));
    for (int i = 0; i < N * C * 3; i++)
        ck_assert_float_eq_tol(stat_data[i], 0.7f, 1e-7f);
    sc_fill_params uniform = {SC_FILL_UNIFORM, sc_rng_key_make(7, 4, SC_RNG_FILL)};
    EXPECT_OK(be, be->ops->mask_fill(be, &uniform, &x, &mask, &stats, &x));
    for (int i = 0; i < TOTAL; i++)
        ck_assert_float_eq_tol(x_data[i], 0.7f, 1e-7f);
    free(x_data);
    free(out_data);
    sc_backend_destroy(be);
}
END_TEST

/* ---- map_gini ------------------------------------------------------------------------------ */

/* Four 4x4 maps: constant, one-hot (negative: the index is of |map|), all zero, one NaN;
 * then a 2x2 map by hand. */
START_TEST(test_gini_closed_forms) {
    enum { N = 4, HW = 16 };
    sc_backend *be = sc_check_cpu(2);
    float map_data[N * HW], gini_data[N], stats[2] = {1.0f, 2.0f};
    for (int i = 0; i < HW; i++) {
        map_data[0 * HW + i] = 3.0f;
        map_data[1 * HW + i] = i == 9 ? -2.5f : 0.0f;
        map_data[2 * HW + i] = 0.0f;
        map_data[3 * HW + i] = i == 4 ? NAN : 1.0f;
    }
    sc_tensor map = sc_test_map4(map_data, N, 4, 4), gini = sc_tensor_1d(gini_data, SC_F32, N);
    sc_tensor stats_t = sc_tensor_1d(stats, SC_F32, 2);
    EXPECT_OK(be, be->ops->map_gini(be, &map, &gini, &stats_t));
    /* one-hot: a = 1e-7 everywhere but 1 + 1e-7 at the top; G = (n-1)/n up to the 1e-7 */
    double weighted = 0.0, sum = 0.0;
    for (int i = 1; i <= HW; i++) {
        double a = (i == HW ? 1.0 : 0.0) + 1e-7;
        weighted += (2.0 * i - HW - 1) * a;
        sum += a;
    }
    const double one_hot = weighted / (HW * sum);
    ck_assert_msg(fabsf(gini_data[0]) <= 1e-6f, "constant map: gini %g", (double)gini_data[0]);
    ck_assert_msg(fabs(gini_data[1] - one_hot) <= 1e-6 && fabs(one_hot - 15.0 / 16.0) < 1e-5,
                  "one-hot map: gini %g, expected %g", (double)gini_data[1], one_hot);
    ck_assert(isnan(gini_data[2]) && isnan(gini_data[3]));
    ck_assert_float_eq_tol(stats[0], 1.0f + gini_data[0] + gini_data[1], 1e-6f);
    ck_assert_float_eq(stats[1], 4.0f); /* 2 + the two valid maps */
    /* by hand: |values| sorted 0, 1, 2, 3, max 3, a = v / 3 + 1e-7, weights -3, -1, 1, 3:
     * sum (2i - n - 1) a = 10 / 3 (the 1e-7 terms cancel), sum a = 2 + 4e-7 */
    float hand[4] = {0.0f, -3.0f, 1.0f, 2.0f};
    sc_tensor hand_map = sc_test_map4(hand, 1, 2, 2);
    sc_tensor hand_gini = sc_tensor_1d(gini_data, SC_F32, 1);
    EXPECT_OK(be, be->ops->map_gini(be, &hand_map, &hand_gini, NULL));
    const double want = (10.0 / 3.0) / (4.0 * (2.0 + 4e-7));
    ck_assert_msg(fabs(gini_data[0] - want) <= 1e-6, "gini %.8g, expected %.8g",
                  (double)gini_data[0], want);
    /* stats without per-sample output */
    stats[0] = stats[1] = 0.0f;
    EXPECT_OK(be, be->ops->map_gini(be, &hand_map, NULL, &stats_t));
    ck_assert_float_eq_tol(stats[0], (float)want, 1e-6f);
    ck_assert_float_eq(stats[1], 1.0f);
    sc_backend_destroy(be);
}
END_TEST

/* ---- onehot and argmax --------------------------------------------------------------------- */

START_TEST(test_onehot_and_argmax) {
    sc_backend *be = sc_check_cpu(1);
    int32_t targets[3] = {2, 0, 3};
    float out_data[12];
    sc_tensor t = sc_tensor_1d(targets, SC_I32, 3), out = sc_tensor_2d(out_data, SC_F32, 3, 4);
    EXPECT_OK(be, be->ops->onehot(be, -0.5f, &t, &out));
    for (int n = 0; n < 3; n++)
        for (int j = 0; j < 4; j++)
            ck_assert_float_eq(out_data[n * 4 + j], j == targets[n] ? -0.5f : 0.0f);
    targets[1] = 4; /* outside [0, K) */
    sc_error_clear(&be->err);
    ck_assert_int_eq(be->ops->onehot(be, 1.0f, &t, &out), SC_ERR_SHAPE);
    ck_assert_ptr_nonnull(strstr(be->err.msg, "onehot"));

    const float logits[12] = {1, 3, 3, 0, 5, 5, 5, 5, -1, -2, -0.5f, -3};
    int32_t pred[3] = {-1, -1, -1};
    sc_tensor l = sc_tensor_2d((float *)logits, SC_F32, 3, 4), p = sc_tensor_1d(pred, SC_I32, 3);
    EXPECT_OK(be, be->ops->argmax(be, &l, &p));
    ck_assert_int_eq(pred[0], 1); /* ties go to the first index */
    ck_assert_int_eq(pred[1], 0);
    ck_assert_int_eq(pred[2], 2);
    sc_backend_destroy(be);
}
END_TEST

static Suite *saliency_ops_suite(void) {
    Suite *s = suite_create("saliency_ops");
    TCase *tc = tcase_create("saliency ops");
    tcase_add_test(tc, test_saliency_reduce_modes);
    tcase_add_test(tc, test_mask_lowest_counts_and_ties);
    tcase_add_test(tc, test_mask_mass_rule);
    tcase_add_test(tc, test_image_stats_and_fill);
    tcase_add_test(tc, test_gini_closed_forms);
    tcase_add_test(tc, test_onehot_and_argmax);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    return sc_check_run(saliency_ops_suite());
}
