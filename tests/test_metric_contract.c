/* The CPU metric ops' contract outside the numerics: every saliency-method and metric op
 * refuses bad shapes, missing tensors, wrong dtypes, aliasing it cannot do and bad parameters
 * with a status and a message naming the op (the checks of shape_check_metrics.c, shared with
 * the CUDA backend), and the backend stays usable afterwards. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "host/backend/backend.h"
#include "host/core/rng.h"
#include "tests/common/check_ops.h"
#include "tests/common/check_run.h"

START_TEST(test_bad_calls_refused) {
    sc_backend *be = sc_check_cpu(2);
    const sc_backend_ops *o = be->ops;
    sc_op_scratch *m = sc_check_scratch();
    float *a = m->a, *b = m->b, *c = m->c, *d = m->d;
    int32_t ints[64] = {0};
    sc_tensor x = sc_tensor_4d(a, SC_F32, 2, 3, 4, 5), x2 = sc_tensor_4d(d, SC_F32, 2, 3, 4, 5);
    sc_tensor x_wide = sc_tensor_4d(d, SC_F32, 2, 3, 4, 6),
              x_n3 = sc_tensor_4d(d, SC_F32, 3, 3, 4, 5);
    sc_tensor x_c2 = sc_tensor_4d(d, SC_F32, 2, 2, 8, 8), x_2d = sc_tensor_2d(a, SC_F32, 2, 60);
    sc_tensor x_bf16 = sc_tensor_4d(a, SC_BF16, 2, 3, 4, 5);
    sc_tensor map = sc_tensor_4d(b, SC_F32, 2, 1, 4, 5), mask = sc_tensor_4d(c, SC_F32, 2, 1, 4, 5);
    sc_tensor map_c2 = sc_tensor_4d(b, SC_F32, 2, 2, 4, 5),
              map_n3 = sc_tensor_4d(b, SC_F32, 3, 1, 4, 5);
    sc_tensor ranks = sc_tensor_4d(ints, SC_I32, 2, 1, 4, 5),
              ranks_f32 = sc_tensor_4d(c, SC_F32, 2, 1, 4, 5);
    sc_tensor ranks_wide = sc_tensor_4d(ints, SC_I32, 2, 1, 4, 6);
    sc_tensor vec2 = sc_tensor_1d(c, SC_F32, 2), vec3 = sc_tensor_1d(c, SC_F32, 3);
    sc_tensor rows = sc_tensor_2d(a, SC_F32, 2, 5), rows6 = sc_tensor_2d(b, SC_F32, 2, 6);
    sc_tensor rows_s1 = sc_tensor_2d(a, SC_F32, 2, 1), col2x3 = sc_tensor_2d(d, SC_F32, 2, 3);
    sc_tensor col3x3 = sc_tensor_2d(d, SC_F32, 3, 3);
    sc_tensor logits = sc_tensor_2d(a, SC_F32, 2, 4),
              logits4d = sc_tensor_4d(a, SC_F32, 2, 4, 1, 1);
    sc_tensor targets = sc_tensor_1d(ints, SC_I32, 2), targets_f32 = sc_tensor_1d(c, SC_F32, 2);

    EXPECT_FAIL(be, SC_ERR_SHAPE, "axpby", o->axpby(be, 1.0f, &x, 1.0f, &x_wide));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "axpby", o->axpby(be, 1.0f, NULL, 1.0f, &x));
    EXPECT_FAIL(be, SC_ERR_UNSUPPORTED, "axpby", o->axpby(be, 1.0f, &x, 1.0f, &x_bf16));

    sc_noise_params noise = {SC_NOISE_UNIFORM, 0.1f, sc_rng_key_make(1, 0, SC_RNG_NOISE)};
    sc_noise_params bad_kind = noise, negative = noise, scale_nan = noise;
    bad_kind.kind = (sc_noise_kind)9;
    negative.scale = -0.1f;
    scale_nan.scale = NAN;
    EXPECT_FAIL(be, SC_ERR_SHAPE, "add_noise", o->add_noise(be, &bad_kind, &x, &x2));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "add_noise", o->add_noise(be, &negative, &x, &x2));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "add_noise", o->add_noise(be, &scale_nan, &x, &x2));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "add_noise", o->add_noise(be, &noise, &x, &x));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "add_noise", o->add_noise(be, &noise, &x, &x_wide));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "add_noise", o->add_noise(be, &noise, &x_2d, &x2));

    EXPECT_FAIL(be, SC_ERR_SHAPE, "gradcam", o->gradcam(be, &x, &x_wide, &map));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "gradcam", o->gradcam(be, &x, NULL, &map));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "gradcam", o->gradcam(be, &x, &x2, &map_c2));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "gradcam", o->gradcam(be, &x, &x2, &map_n3));

    EXPECT_FAIL(be, SC_ERR_SHAPE, "resize_bilinear", o->resize_bilinear(be, &x, &x_n3));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "resize_bilinear", o->resize_bilinear(be, &x, &x_c2));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "resize_bilinear", o->resize_bilinear(be, &x, NULL));

    EXPECT_FAIL(be, SC_ERR_SHAPE, "map_sparsity", o->map_sparsity(be, &map_c2, &vec2, NULL));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "map_sparsity", o->map_sparsity(be, &map, &vec3, NULL));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "map_sparsity", o->map_sparsity(be, &map, NULL, &rows));

    EXPECT_FAIL(be, SC_ERR_UNSUPPORTED, "rank_pixels", o->rank_pixels(be, &map, &ranks_f32));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "rank_pixels", o->rank_pixels(be, &map, &ranks_wide));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "rank_pixels", o->rank_pixels(be, &map, NULL));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "rank_pixels", o->rank_pixels(be, &map_c2, &ranks));

    EXPECT_FAIL(be, SC_ERR_SHAPE, "ranked_replace",
                o->ranked_replace(be, -1, 0, &x, NULL, &ranks, &x2));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "ranked_replace",
                o->ranked_replace(be, 21, 1, &x, NULL, &ranks, &x2));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "ranked_replace",
                o->ranked_replace(be, 3, 0, &x, NULL, &ranks_wide, &x2));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "ranked_replace",
                o->ranked_replace(be, 3, 0, &x, &x_wide, &ranks, &x2));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "ranked_replace",
                o->ranked_replace(be, 3, 0, &x, NULL, &ranks, NULL));

    const sc_blur_params even = {4, 1.0f}, zero = {0, 1.0f}, huge = {129, 1.0f};
    const sc_blur_params flat = {3, 0.0f}, sigma_nan = {3, NAN}, blur = {3, 1.0f};
    EXPECT_FAIL(be, SC_ERR_SHAPE, "gaussian_blur", o->gaussian_blur(be, &even, &x, &x2));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "gaussian_blur", o->gaussian_blur(be, &zero, &x, &x2));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "gaussian_blur", o->gaussian_blur(be, &huge, &x, &x2));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "gaussian_blur", o->gaussian_blur(be, &flat, &x, &x2));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "gaussian_blur", o->gaussian_blur(be, &sigma_nan, &x, &x2));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "gaussian_blur", o->gaussian_blur(be, &blur, &x, &x));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "gaussian_blur", o->gaussian_blur(be, &blur, &x, &x_wide));

    EXPECT_FAIL(be, SC_ERR_SHAPE, "target_score",
                o->target_score(be, (sc_score_kind)7, &logits, &targets, 0, &col2x3));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "target_score",
                o->target_score(be, SC_SCORE_PROB, &logits, &targets, -1, &col2x3));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "target_score",
                o->target_score(be, SC_SCORE_PROB, &logits, &targets, 3, &col2x3));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "target_score",
                o->target_score(be, SC_SCORE_PROB, &logits, &targets, 0, &col3x3));
    EXPECT_FAIL(be, SC_ERR_UNSUPPORTED, "target_score",
                o->target_score(be, SC_SCORE_PROB, &logits, &targets_f32, 0, &col2x3));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "target_score",
                o->target_score(be, SC_SCORE_PROB, &logits4d, &targets, 0, &col2x3));

    EXPECT_FAIL(be, SC_ERR_SHAPE, "curve_auc", o->curve_auc(be, &rows_s1, &vec2));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "curve_auc", o->curve_auc(be, &rows, &vec3));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "curve_auc", o->curve_auc(be, &vec2, &vec2));

    EXPECT_FAIL(be, SC_ERR_SHAPE, "rank_rows", o->rank_rows(be, &rows, &rows6));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "rank_rows", o->rank_rows(be, &x, &x2));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "rank_rows", o->rank_rows(be, &rows, NULL));

    EXPECT_FAIL(be, SC_ERR_SHAPE, "pearson_rows", o->pearson_rows(be, &rows, &rows6, &vec2));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "pearson_rows", o->pearson_rows(be, &rows, &rows, &vec3));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "pearson_rows", o->pearson_rows(be, &rows, NULL, &vec2));

    EXPECT_FAIL(be, SC_ERR_SHAPE, "masked_sum", o->masked_sum(be, &map, &map_n3, 0, &col2x3));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "masked_sum", o->masked_sum(be, &map, &mask, 3, &col2x3));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "masked_sum", o->masked_sum(be, &map, NULL, 0, &vec2));

    EXPECT_FAIL(be, SC_ERR_SHAPE, "relative_distance",
                o->relative_distance(be, &x, &x_wide, &vec2));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "relative_distance", o->relative_distance(be, &x, &x2, &vec3));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "relative_distance", o->relative_distance(be, NULL, &x2, &vec2));

    sc_impute_params impute = {10, 0.01f, sc_rng_key_make(1, 0, SC_RNG_METRIC)};
    sc_impute_params no_sweeps = impute, noise_neg = impute, noise_inf = impute;
    no_sweeps.iterations = -1;
    noise_neg.noise = -0.01f;
    noise_inf.noise = INFINITY;
    EXPECT_FAIL(be, SC_ERR_SHAPE, "impute_linear",
                o->impute_linear(be, &no_sweeps, &x, &mask, &x2));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "impute_linear",
                o->impute_linear(be, &noise_neg, &x, &mask, &x2));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "impute_linear",
                o->impute_linear(be, &noise_inf, &x, &mask, &x2));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "impute_linear", o->impute_linear(be, &impute, &x, NULL, &x2));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "impute_linear", o->impute_linear(be, &impute, &x, &map_n3, &x2));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "impute_linear", o->impute_linear(be, &impute, &x, &mask, &x));

    /* still usable, and the optional arguments may be left out */
    EXPECT_OK(be, o->add_noise(be, &noise, &x, &x2));
    EXPECT_OK(be, o->rank_pixels(be, &map, &ranks));
    EXPECT_OK(be, o->ranked_replace(be, 20, 1, &x, NULL, &ranks, &x));
    EXPECT_OK(be, o->masked_sum(be, &map, NULL, 2, &col2x3));
    EXPECT_OK(be, o->map_sparsity(be, &map, NULL, NULL));
    EXPECT_OK(be, o->impute_linear(be, &impute, &x, &mask, &x2));
    free(m);
    sc_backend_destroy(be);
}
END_TEST

int main(void) {
    return sc_check_run_test("metric_contract", "metric contract", test_bad_calls_refused);
}
