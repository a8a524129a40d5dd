/* The CPU saliency ops' contract outside the numerics: every op refuses bad shapes, missing
 * tensors, wrong dtypes and bad parameters with a status and a message naming the op (the
 * checks of shape_check_saliency.c, shared with the CUDA backend), and the backend stays
 * usable afterwards. */
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
    float stats[2] = {0, 0};
    int32_t labels[8] = {0};
    sc_tensor x = sc_tensor_4d(a, SC_F32, 2, 3, 4, 5), x2 = sc_tensor_4d(d, SC_F32, 2, 3, 4, 5);
    sc_tensor x_wide = sc_tensor_4d(d, SC_F32, 2, 3, 4, 6);
    sc_tensor map = sc_tensor_4d(b, SC_F32, 2, 1, 4, 5), mask = sc_tensor_4d(c, SC_F32, 2, 1, 4, 5);
    sc_tensor map_c2 = sc_tensor_4d(b, SC_F32, 2, 2, 4, 5),
              map_n3 = sc_tensor_4d(b, SC_F32, 3, 1, 4, 5);
    sc_tensor map_bf16 = sc_tensor_4d(b, SC_BF16, 2, 1, 4, 5);
    sc_tensor map_missing = sc_tensor_4d(NULL, SC_F32, 2, 1, 4, 5);
    sc_tensor stats1 = sc_tensor_1d(stats, SC_F32, 1), stats2 = sc_tensor_1d(stats, SC_F32, 2);
    sc_tensor table = sc_tensor_make(d, SC_F32, 3, (int64_t[]){2, 3, 3});
    sc_tensor table_c2 = sc_tensor_make(d, SC_F32, 3, (int64_t[]){2, 2, 3});
    sc_tensor logits = sc_tensor_2d(a, SC_F32, 2, 4), logits5 = sc_tensor_2d(b, SC_F32, 2, 5);
    sc_tensor logits4d = sc_tensor_4d(a, SC_F32, 2, 4, 1, 1);
    sc_tensor labels2 = sc_tensor_1d(labels, SC_I32, 2), labels3 = sc_tensor_1d(labels, SC_I32, 3);
    sc_tensor labels_f32 = sc_tensor_1d(c, SC_F32, 2);

    sc_saliency_params mean = {SC_REDUCE_MEAN}, bad_reduce = {(sc_reduce_kind)7};
    EXPECT_FAIL(be, SC_ERR_SHAPE, "saliency_reduce",
                o->saliency_reduce(be, &mean, &x, NULL, &map_c2));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "saliency_reduce",
                o->saliency_reduce(be, &mean, &x, NULL, &map_n3));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "saliency_reduce",
                o->saliency_reduce(be, &mean, &x, &x_wide, &map));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "saliency_reduce",
                o->saliency_reduce(be, &bad_reduce, &x, NULL, &map));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "saliency_reduce", o->saliency_reduce(be, &mean, &x, NULL, NULL));

    sc_mask_params k_high = {SC_MASK_LOWEST, 1.5f, 0, 0, 0},
                   k_low = {SC_MASK_LOWEST, -0.1f, 0, 0, 0};
    sc_mask_params k_nan = {SC_MASK_LOWEST, NAN, 0, 0, 0}, half = {SC_MASK_LOWEST, 0.5f, 0, 0, 0};
    sc_mask_params mass_swapped = {SC_MASK_MASS, 0, 0.9f, 0.8f, 0.2f};
    sc_mask_params mass_tau = {SC_MASK_MASS, 0, 1.1f, 0.1f, 0.9f};
    EXPECT_FAIL(be, SC_ERR_SHAPE, "mask_select", o->mask_select(be, &k_high, &map, &mask, NULL));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "mask_select", o->mask_select(be, &k_low, &map, &mask, NULL));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "mask_select", o->mask_select(be, &k_nan, &map, &mask, NULL));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "mask_select",
                o->mask_select(be, &mass_swapped, &map, &mask, NULL));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "mask_select", o->mask_select(be, &mass_tau, &map, &mask, NULL));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "mask_select", o->mask_select(be, &half, &map, &map_n3, NULL));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "mask_select", o->mask_select(be, &half, &map, &mask, &stats2));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "mask_select",
                o->mask_select(be, &half, &map_missing, &mask, NULL));
    EXPECT_FAIL(be, SC_ERR_UNSUPPORTED, "mask_select",
                o->mask_select(be, &half, &map_bf16, &mask, NULL));

    EXPECT_FAIL(be, SC_ERR_SHAPE, "image_stats", o->image_stats(be, &x, &table_c2));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "image_stats", o->image_stats(be, &map_missing, &table));
    sc_fill_params fill = {SC_FILL_UNIFORM, sc_rng_key_make(1, 0, SC_RNG_FILL)};
    sc_fill_params bad_fill = {(sc_fill_kind)5, sc_rng_key_make(1, 0, SC_RNG_FILL)};
    EXPECT_FAIL(be, SC_ERR_SHAPE, "mask_fill", o->mask_fill(be, &fill, &x, &mask, &table_c2, &x2));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "mask_fill", o->mask_fill(be, &fill, &x, &map_n3, &table, &x2));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "mask_fill", o->mask_fill(be, &fill, &x, &mask, &table, &x_wide));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "mask_fill", o->mask_fill(be, &bad_fill, &x, &mask, &table, &x2));

    sc_budget_params budget_ok = {0.03f, 1.0f}, gamma_neg = {0.03f, -1.0f}, eps_nan = {NAN, 1.0f};
    EXPECT_FAIL(be, SC_ERR_SHAPE, "perturb_budget",
                o->perturb_budget(be, &gamma_neg, &map, &mask, &mask));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "perturb_budget",
                o->perturb_budget(be, &eps_nan, &map, &mask, &mask));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "perturb_budget",
                o->perturb_budget(be, &budget_ok, &map, &mask, &map_n3));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "perturb_budget",
                o->perturb_budget(be, &budget_ok, &map, &map_c2, &mask));

    sc_perturb_params pp = sc_test_perturb_params(), two_channels = pp, five_channels = pp;
    sc_perturb_params zero_std = pp, swapped_range = pp, negative_step = pp;
    two_channels.channels = 2;
    five_channels.channels = 5;
    zero_std.std[1] = 0.0f;
    swapped_range.lo[2] = 3.0f;
    negative_step.step_size = -0.5f;
    EXPECT_FAIL(be, SC_ERR_SHAPE, "perturb_init",
                o->perturb_init(be, &two_channels, &x, &mask, &x2));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "perturb_init",
                o->perturb_init(be, &five_channels, &x, &mask, &x2));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "perturb_init", o->perturb_init(be, &zero_std, &x, &mask, &x2));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "perturb_init",
                o->perturb_init(be, &swapped_range, &x, &mask, &x2));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "perturb_init", o->perturb_init(be, &pp, &x, &map_n3, &x2));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "perturb_init", o->perturb_init(be, &pp, &x, &mask, &x_wide));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "perturb_step",
                o->perturb_step(be, &pp, &x, NULL, &mask, &x2, NULL));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "perturb_step",
                o->perturb_step(be, &negative_step, &x, &x, &mask, &x2, NULL));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "perturb_step",
                o->perturb_step(be, &pp, &x, &x_wide, &mask, &x2, NULL));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "perturb_step",
                o->perturb_step(be, &pp, &x, &x, &mask, &x2, &stats2));

    sc_kl_params kl = {1.0f, 0}, kl_inf = {INFINITY, 0};
    EXPECT_FAIL(be, SC_ERR_SHAPE, "kl_div",
                o->kl_div(be, &kl, &logits, &logits5, NULL, NULL, NULL));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "kl_div",
                o->kl_div(be, &kl, &logits, &logits, &logits5, NULL, NULL));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "kl_div",
                o->kl_div(be, &kl, &logits, &logits, NULL, &logits5, NULL));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "kl_div",
                o->kl_div(be, &kl, &logits, &logits, NULL, NULL, &stats2));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "kl_div",
                o->kl_div(be, &kl, &logits4d, &logits4d, NULL, NULL, NULL));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "kl_div",
                o->kl_div(be, &kl_inf, &logits, &logits, NULL, NULL, NULL));

    sc_tensor gini3 = sc_tensor_1d(d, SC_F32, 3);
    EXPECT_FAIL(be, SC_ERR_SHAPE, "map_gini", o->map_gini(be, &map, &gini3, NULL));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "map_gini", o->map_gini(be, &map, NULL, &stats1));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "map_gini", o->map_gini(be, &map_c2, NULL, NULL));

    EXPECT_FAIL(be, SC_ERR_SHAPE, "onehot", o->onehot(be, 1.0f, &labels3, &logits));
    EXPECT_FAIL(be, SC_ERR_UNSUPPORTED, "onehot", o->onehot(be, 1.0f, &labels_f32, &logits));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "onehot", o->onehot(be, 1.0f, NULL, &logits));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "argmax", o->argmax(be, &logits, &labels3));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "argmax", o->argmax(be, &logits4d, &labels2));
    EXPECT_FAIL(be, SC_ERR_UNSUPPORTED, "argmax", o->argmax(be, &logits, &labels_f32));

    /* still usable, and the optional arguments may be left out */
    EXPECT_OK(be, o->mask_select(be, &half, &map, &mask, &stats1));
    EXPECT_OK(be, o->perturb_budget(be, &budget_ok, &map, NULL, &mask));
    EXPECT_OK(be, o->perturb_init(be, &pp, &x, NULL, &x2));
    EXPECT_OK(be, o->map_gini(be, &map, NULL, NULL));
    free(m);
    sc_backend_destroy(be);
}
END_TEST

int main(void) {
    return sc_check_run_test("saliency_contract", "saliency contract", test_bad_calls_refused);
}
