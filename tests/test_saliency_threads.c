/* The CPU saliency ops do not depend on the thread count: above the parallel threshold one
 * pass of every op (reduce, both mask rules, Gini, image statistics, fill, budget, random
 * start, step, KL) gives bit-identical outputs and stats with 1 and 3 threads. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "common/test_util.h"
#include "host/backend/backend.h"
#include "host/core/rng.h"
#include "tests/common/check_ops.h"
#include "tests/common/check_run.h"

enum { TN = 9, TC = 3, TH = 64, TW = 60, THW = TH * TW, TTOTAL = TN * TC * THW };
enum { KL_ROWS = 64, KL_CLASSES = 600 }; /* 38400 logits: above the parallel threshold */

/* Every output of one pass of the ops over the same inputs. */
typedef struct pass_out {
    float *map, *mask_lowest, *mask_mass, *filled, *budget, *xadv, *dp, *dq;
    float gini[TN], table[TN * TC * 3], stats[6];
} pass_out;

static void pass_run(sc_backend *be, const float *g_data, const float *x_data, const float *logits,
                     pass_out *o) {
    const sc_backend_ops *ops = be->ops;
    sc_tensor g = sc_tensor_4d((float *)g_data, SC_F32, TN, TC, TH, TW);
    sc_tensor x = sc_tensor_4d((float *)x_data, SC_F32, TN, TC, TH, TW);
    sc_tensor map = sc_tensor_4d(o->map, SC_F32, TN, 1, TH, TW);
    sc_tensor lowest = sc_tensor_4d(o->mask_lowest, SC_F32, TN, 1, TH, TW);
    sc_tensor mass = sc_tensor_4d(o->mask_mass, SC_F32, TN, 1, TH, TW);
    sc_tensor filled = sc_tensor_4d(o->filled, SC_F32, TN, TC, TH, TW);
    sc_tensor budget = sc_tensor_4d(o->budget, SC_F32, TN, 1, TH, TW);
    sc_tensor xadv = sc_tensor_4d(o->xadv, SC_F32, TN, TC, TH, TW);
    sc_tensor gini = sc_tensor_1d(o->gini, SC_F32, TN);
    sc_tensor table = sc_tensor_make(o->table, SC_F32, 3, (int64_t[]){TN, TC, 3});
    sc_tensor p_logits = sc_tensor_2d((float *)logits, SC_F32, KL_ROWS, KL_CLASSES);
    sc_tensor q_logits =
        sc_tensor_2d((float *)logits + KL_ROWS * KL_CLASSES, SC_F32, KL_ROWS, KL_CLASSES);
    sc_tensor dp = sc_tensor_2d(o->dp, SC_F32, KL_ROWS, KL_CLASSES);
    sc_tensor dq = sc_tensor_2d(o->dq, SC_F32, KL_ROWS, KL_CLASSES);
    sc_tensor s0 = sc_tensor_1d(&o->stats[0], SC_F32, 1),
              s1 = sc_tensor_1d(&o->stats[1], SC_F32, 1);
    sc_tensor s23 = sc_tensor_1d(&o->stats[2], SC_F32, 2),
              s4 = sc_tensor_1d(&o->stats[4], SC_F32, 1);
    sc_tensor s5 = sc_tensor_1d(&o->stats[5], SC_F32, 1);
    sc_saliency_params reduce = {SC_REDUCE_MEAN};
    sc_mask_params k03 = {SC_MASK_LOWEST, 0.3f, 0, 0, 0}, tau = {SC_MASK_MASS, 0, 0.8f, 0.1f, 0.9f};
    sc_fill_params fill = {SC_FILL_UNIFORM, sc_rng_key_make(9, 1, SC_RNG_FILL)};
    sc_budget_params bp = {0.03f, 2.0f};
    sc_perturb_params pp = sc_test_perturb_params();
    sc_kl_params kl = {1.0f, 0};
    EXPECT_OK(be, ops->saliency_reduce(be, &reduce, &g, &x, &map));
    EXPECT_OK(be, ops->mask_select(be, &k03, &map, &lowest, &s0));
    EXPECT_OK(be, ops->mask_select(be, &tau, &map, &mass, &s1));
    EXPECT_OK(be, ops->map_gini(be, &map, &gini, &s23));
    EXPECT_OK(be, ops->image_stats(be, &x, &table));
    EXPECT_OK(be, ops->mask_fill(be, &fill, &x, &lowest, &table, &filled));
    EXPECT_OK(be, ops->perturb_budget(be, &bp, &map, &mass, &budget));
    EXPECT_OK(be, ops->perturb_init(be, &pp, &x, &budget, &xadv));
    EXPECT_OK(be, ops->perturb_step(be, &pp, &x, &g, &budget, &xadv, &s4));
    EXPECT_OK(be, ops->kl_div(be, &kl, &p_logits, &q_logits, &dp, &dq, &s5));
}

START_TEST(test_thread_count_independent) {
    float *g_data = sc_check_floats(TTOTAL), *x_data = sc_check_floats(TTOTAL);
    float *logits = sc_check_floats(2 * KL_ROWS * KL_CLASSES);
    sc_test_fill_uniform(g_data, TTOTAL, 31, -1.0f, 1.0f);
    sc_test_fill_uniform(x_data, TTOTAL, 32, -1.0f, 1.0f);
    sc_test_fill_uniform(logits, 2 * KL_ROWS * KL_CLASSES, 33, -3.0f, 3.0f);
    pass_out outs[2];
    for (int b = 0; b < 2; b++) {
        pass_out *o = &outs[b];
        memset(o, 0, sizeof *o);
        o->map = sc_check_floats(TN * THW);
        o->mask_lowest = sc_check_floats(TN * THW);
        o->mask_mass = sc_check_floats(TN * THW);
        o->budget = sc_check_floats(TN * THW);
        o->filled = sc_check_floats(TTOTAL);
        o->xadv = sc_check_floats(TTOTAL);
        o->dp = sc_check_floats(KL_ROWS * KL_CLASSES);
        o->dq = sc_check_floats(KL_ROWS * KL_CLASSES);
        sc_backend *be = sc_check_cpu(b == 0 ? 1 : 3);
        pass_run(be, g_data, x_data, logits, o);
        sc_backend_destroy(be);
    }
    const size_t map_bytes = TN * THW * sizeof(float), image_bytes = TTOTAL * sizeof(float);
    const size_t kl_bytes = KL_ROWS * KL_CLASSES * sizeof(float);
    ck_assert(memcmp(outs[0].map, outs[1].map, map_bytes) == 0);
    ck_assert(memcmp(outs[0].mask_lowest, outs[1].mask_lowest, map_bytes) == 0);
    ck_assert(memcmp(outs[0].mask_mass, outs[1].mask_mass, map_bytes) == 0);
    ck_assert(memcmp(outs[0].budget, outs[1].budget, map_bytes) == 0);
    ck_assert(memcmp(outs[0].filled, outs[1].filled, image_bytes) == 0);
    ck_assert(memcmp(outs[0].xadv, outs[1].xadv, image_bytes) == 0);
    ck_assert(memcmp(outs[0].dp, outs[1].dp, kl_bytes) == 0);
    ck_assert(memcmp(outs[0].dq, outs[1].dq, kl_bytes) == 0);
    ck_assert(memcmp(outs[0].gini, outs[1].gini, sizeof outs[0].gini) == 0);
    ck_assert(memcmp(outs[0].table, outs[1].table, sizeof outs[0].table) == 0);
    ck_assert(memcmp(outs[0].stats, outs[1].stats, sizeof outs[0].stats) == 0);
    /* and the outputs are not trivial */
    ck_assert_float_eq_tol(outs[0].stats[0], TN * 0.3f, 1e-3f);
    ck_assert_float_eq(outs[0].stats[3], (float)TN);
    ck_assert(outs[0].stats[4] > 0.0f && outs[0].stats[5] > 0.0f);
    for (int b = 0; b < 2; b++) {
        free(outs[b].map);
        free(outs[b].mask_lowest);
        free(outs[b].mask_mass);
        free(outs[b].budget);
        free(outs[b].filled);
        free(outs[b].xadv);
        free(outs[b].dp);
        free(outs[b].dq);
    }
    free(g_data);
    free(x_data);
    free(logits);
}
END_TEST

int main(void) {
    return sc_check_run_test("saliency_threads", "thread count", test_thread_count_independent);
}
