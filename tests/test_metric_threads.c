/* The CPU metric ops do not depend on the thread count: above the parallel threshold one pass
 * of every saliency-method and metric op gives bit-identical outputs with 1 and 3 threads. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "common/test_util.h"
#include "host/backend/backend.h"
#include "host/core/rng.h"
#include "tests/common/check_ops.h"
#include "tests/common/check_run.h"

/* Images (TN, TC, TH, TW) and maps (TN, 1, TH, TW): each above SC_CPU_PARALLEL_MIN; Grad-CAM
 * activations (TN, GK, GH, GH); rows (RN, RM) for logits, curves and correlations. */
enum { TN = 9, TC = 3, TH = 64, TW = 60, THW = TH * TW, TMAPS = TN * THW, TTOTAL = TN * TC * THW };
enum { GK = 16, GH = 16, GTOTAL = TN * GK * GH * GH };
enum { RN = 64, RM = 600, RTOTAL = RN * RM };

/* Every output of one pass. */
typedef struct pass_out {
    float *axpby, *noisy_normal, *noisy_uniform, *replaced, *blurred, *imputed; /* TTOTAL each */
    float *cam;         /* (TN, 1, GH, GH) */
    float *cam_resized; /* (TN, 1, TH, TW) */
    float *rank_rows;   /* (RN, RM) */
    int32_t *ranks;     /* (TN, 1, TH, TW) */
    float hoyer[TN], entropy[TN], scores[RN * 3], auc[RN], pearson[RN], sums[TN * 2], dist[TN];
} pass_out;

static void pass_run(sc_backend *be, const float *x_data, const float *map_data,
                     const float *act_data, const float *grad_data, const float *rows_data,
                     const int32_t *targets, pass_out *o) {
    const sc_backend_ops *ops = be->ops;
    sc_tensor x = sc_tensor_4d((float *)x_data, SC_F32, TN, TC, TH, TW);
    sc_tensor map = sc_tensor_4d((float *)map_data, SC_F32, TN, 1, TH, TW);
    sc_tensor act = sc_tensor_4d((float *)act_data, SC_F32, TN, GK, GH, GH);
    sc_tensor grad = sc_tensor_4d((float *)grad_data, SC_F32, TN, GK, GH, GH);
    sc_tensor rows_a = sc_tensor_2d((float *)rows_data, SC_F32, RN, RM);
    sc_tensor rows_b = sc_tensor_2d((float *)rows_data + RTOTAL, SC_F32, RN, RM);
    sc_tensor tt = sc_tensor_1d((int32_t *)targets, SC_I32, RN);
    sc_tensor axpby = sc_tensor_4d(o->axpby, SC_F32, TN, TC, TH, TW);
    sc_tensor normal = sc_tensor_4d(o->noisy_normal, SC_F32, TN, TC, TH, TW);
    sc_tensor uniform = sc_tensor_4d(o->noisy_uniform, SC_F32, TN, TC, TH, TW);
    sc_tensor replaced = sc_tensor_4d(o->replaced, SC_F32, TN, TC, TH, TW);
    sc_tensor blurred = sc_tensor_4d(o->blurred, SC_F32, TN, TC, TH, TW);
    sc_tensor imputed = sc_tensor_4d(o->imputed, SC_F32, TN, TC, TH, TW);
    sc_tensor cam = sc_tensor_4d(o->cam, SC_F32, TN, 1, GH, GH);
    sc_tensor cam_resized = sc_tensor_4d(o->cam_resized, SC_F32, TN, 1, TH, TW);
    sc_tensor ranked = sc_tensor_2d(o->rank_rows, SC_F32, RN, RM);
    sc_tensor ranks = sc_tensor_4d(o->ranks, SC_I32, TN, 1, TH, TW);
    sc_tensor hoyer = sc_tensor_1d(o->hoyer, SC_F32, TN),
              entropy = sc_tensor_1d(o->entropy, SC_F32, TN);
    sc_tensor scores = sc_tensor_2d(o->scores, SC_F32, RN, 3),
              auc = sc_tensor_1d(o->auc, SC_F32, RN);
    sc_tensor pearson = sc_tensor_1d(o->pearson, SC_F32, RN);
    sc_tensor sums = sc_tensor_2d(o->sums, SC_F32, TN, 2), dist = sc_tensor_1d(o->dist, SC_F32, TN);
    sc_noise_params np = {SC_NOISE_NORMAL_RANGE, 0.15f, sc_rng_key_make(4, 1, SC_RNG_NOISE)};
    sc_noise_params up = {SC_NOISE_UNIFORM, 0.05f, sc_rng_key_make(4, 2, SC_RNG_NOISE)};
    sc_blur_params bp = {11, 5.0f};
    sc_impute_params ip = {12, 0.01f, sc_rng_key_make(4, 3, SC_RNG_METRIC)};
    memcpy(o->axpby, x_data, TTOTAL * sizeof(float));
    EXPECT_OK(be, ops->axpby(be, 0.5f, &x, -2.0f, &axpby));
    EXPECT_OK(be, ops->add_noise(be, &np, &x, &normal));
    EXPECT_OK(be, ops->add_noise(be, &up, &x, &uniform));
    EXPECT_OK(be, ops->gradcam(be, &act, &grad, &cam));
    EXPECT_OK(be, ops->resize_bilinear(be, &cam, &cam_resized));
    EXPECT_OK(be, ops->map_sparsity(be, &map, &hoyer, &entropy));
    EXPECT_OK(be, ops->rank_pixels(be, &map, &ranks));
    EXPECT_OK(be, ops->ranked_replace(be, THW / 3, 0, &x, &uniform, &ranks, &replaced));
    EXPECT_OK(be, ops->gaussian_blur(be, &bp, &x, &blurred));
    EXPECT_OK(be, ops->target_score(be, SC_SCORE_PROB, &rows_a, &tt, 0, &scores));
    EXPECT_OK(be, ops->target_score(be, SC_SCORE_LOGIT, &rows_a, &tt, 1, &scores));
    EXPECT_OK(be, ops->target_score(be, SC_SCORE_CORRECT, &rows_a, &tt, 2, &scores));
    EXPECT_OK(be, ops->curve_auc(be, &rows_a, &auc));
    EXPECT_OK(be, ops->rank_rows(be, &rows_a, &ranked));
    EXPECT_OK(be, ops->pearson_rows(be, &rows_a, &rows_b, &pearson));
    EXPECT_OK(be, ops->masked_sum(be, &map, NULL, 0, &sums));
    EXPECT_OK(be, ops->masked_sum(be, &map, &map, 1, &sums));
    EXPECT_OK(be, ops->relative_distance(be, &normal, &x, &dist));
    EXPECT_OK(be, ops->impute_linear(be, &ip, &x, &map, &imputed));
}

static void pass_alloc(pass_out *o) {
    memset(o, 0, sizeof *o);
    float **images[6] = {&o->axpby, &o->noisy_normal, &o->noisy_uniform,
                         &o->replaced, &o->blurred, &o->imputed};
    for (int i = 0; i < 6; i++)
        *images[i] = sc_check_floats(TTOTAL);
    o->cam = sc_check_floats(TN * GH * GH);
    o->cam_resized = sc_check_floats(TMAPS);
    o->rank_rows = sc_check_floats(RTOTAL);
    ck_assert_ptr_nonnull(o->ranks = calloc(TMAPS, sizeof(int32_t)));
}

static void pass_free(pass_out *o) {
    free(o->axpby);
    free(o->noisy_normal);
    free(o->noisy_uniform);
    free(o->replaced);
    free(o->blurred);
    free(o->imputed);
    free(o->cam);
    free(o->cam_resized);
    free(o->rank_rows);
    free(o->ranks);
}

START_TEST(test_thread_count_independent) {
    float *x = sc_check_floats(TTOTAL), *map = sc_check_floats(TMAPS);
    float *act = sc_check_floats(GTOTAL), *grad = sc_check_floats(GTOTAL);
    float *rows = sc_check_floats(2 * RTOTAL);
    int32_t targets[RN];
    sc_test_fill_uniform(x, TTOTAL, 51, -1.0f, 1.0f);
    sc_test_fill_uniform(map, TMAPS, 52, 0.0f, 1.0f);
    for (int i = 0; i < TMAPS; i += 7)
        map[i] = 0.0f; /* ties, and unmasked pixels for the imputation */
    sc_test_fill_uniform(act, GTOTAL, 53, 0.0f, 2.0f);
    sc_test_fill_uniform(grad, GTOTAL, 54, -1.0f, 1.0f);
    sc_test_fill_uniform(rows, 2 * RTOTAL, 55, -3.0f, 3.0f);
    for (int n = 0; n < RN; n++)
        targets[n] = (n * 37) % RM;
    pass_out outs[2];
    for (int b = 0; b < 2; b++) {
        pass_alloc(&outs[b]);
        sc_backend *be = sc_check_cpu(b == 0 ? 1 : 3);
        pass_run(be, x, map, act, grad, rows, targets, &outs[b]);
        sc_backend_destroy(be);
    }
    const size_t image_bytes = TTOTAL * sizeof(float), map_bytes = TMAPS * sizeof(float);
    const pass_out *p = &outs[0], *q = &outs[1];
    ck_assert(memcmp(p->axpby, q->axpby, image_bytes) == 0);
    ck_assert(memcmp(p->noisy_normal, q->noisy_normal, image_bytes) == 0);
    ck_assert(memcmp(p->noisy_uniform, q->noisy_uniform, image_bytes) == 0);
    ck_assert(memcmp(p->replaced, q->replaced, image_bytes) == 0);
    ck_assert(memcmp(p->blurred, q->blurred, image_bytes) == 0);
    ck_assert(memcmp(p->imputed, q->imputed, image_bytes) == 0);
    ck_assert(memcmp(p->cam, q->cam, TN * GH * GH * sizeof(float)) == 0);
    ck_assert(memcmp(p->cam_resized, q->cam_resized, map_bytes) == 0);
    ck_assert(memcmp(p->rank_rows, q->rank_rows, RTOTAL * sizeof(float)) == 0);
    ck_assert(memcmp(p->ranks, q->ranks, TMAPS * sizeof(int32_t)) == 0);
    ck_assert(memcmp(p->hoyer, q->hoyer, sizeof p->hoyer) == 0);
    ck_assert(memcmp(p->entropy, q->entropy, sizeof p->entropy) == 0);
    ck_assert(memcmp(p->scores, q->scores, sizeof p->scores) == 0);
    ck_assert(memcmp(p->auc, q->auc, sizeof p->auc) == 0);
    ck_assert(memcmp(p->pearson, q->pearson, sizeof p->pearson) == 0);
    ck_assert(memcmp(p->sums, q->sums, sizeof p->sums) == 0);
    ck_assert(memcmp(p->dist, q->dist, sizeof p->dist) == 0);
    /* and the outputs are not trivial */
    ck_assert(p->hoyer[0] > 0.0f && p->entropy[0] > 0.0f && p->dist[0] > 0.0f);
    ck_assert(p->sums[0] > 0.0f && memcmp(p->blurred, x, image_bytes) != 0);
    ck_assert(memcmp(p->imputed, x, image_bytes) != 0 && memcmp(p->replaced, x, image_bytes) != 0);
    for (int b = 0; b < 2; b++)
        pass_free(&outs[b]);
    free(x);
    free(map);
    free(act);
    free(grad);
    free(rows);
}
END_TEST

int main(void) {
    return sc_check_run_test("metric_threads", "thread count", test_thread_count_independent);
}
