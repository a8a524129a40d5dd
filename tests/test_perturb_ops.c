/* The CPU backend's SCAAT ops against hand computations and their defining properties: the
 * per-pixel budget (zero outside M, eps at the least salient pixel, 0 at the most, gamma),
 * the random start and the signed step (inside the budget and the valid range, unmoved where
 * the budget is 0, the step's size and direction, the mean |delta| statistic). */
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

/* Three channels normalised as CIFAR-10: lo/hi are the images of pixels 0 and 1. */
static sc_perturb_params perturb_params(float eps, float step_size) {
    static const float mean[3] = {0.4914f, 0.4822f, 0.4465f}, std[3] = {0.247f, 0.243f, 0.261f};
    sc_perturb_params p;
    memset(&p, 0, sizeof p);
    p.eps = eps;
    p.step_size = step_size;
    p.channels = 3;
    for (int c = 0; c < 3; c++) {
        p.std[c] = std[c];
        p.lo[c] = (0.0f - mean[c]) / std[c];
        p.hi[c] = (1.0f - mean[c]) / std[c];
    }
    p.key = sc_rng_key_make(5, 2, SC_RNG_DELTA);
    return p;
}

/* ---- perturb_budget ------------------------------------------------------------------------ */

START_TEST(test_budget_by_hand) {
    /* sample 0: max 4 at pixel 3, pixel 4 outside M; sample 1: max <= 0, so s/max = 0 */
    const float map_data[10] = {0, 1, 2, 4, 3, -1, -2, -3, -0.5f, -4};
    const float mask_data[10] = {1, 1, 1, 1, 0, 1, 0, 1, 1, 1};
    static const struct {
        float gamma;
        int with_mask;
        float want[10];
    } cases[] = {
        {1.0f, 1, {0.1f, 0.075f, 0.05f, 0, 0, 0.1f, 0, 0.1f, 0.1f, 0.1f}},
        {2.0f, 1, {0.1f, 0.05625f, 0.025f, 0, 0, 0.1f, 0, 0.1f, 0.1f, 0.1f}},
        {0.5f, 1, {0.1f, 0.08660254f, 0.07071068f, 0, 0, 0.1f, 0, 0.1f, 0.1f, 0.1f}},
        {0.0f, 1, {0.1f, 0.1f, 0.1f, 0.1f, 0, 0.1f, 0, 0.1f, 0.1f, 0.1f}},
        {1.0f, 0, {0.1f, 0.075f, 0.05f, 0, 0.025f, 0.1f, 0.1f, 0.1f, 0.1f, 0.1f}},
    };
    sc_backend *be = sc_check_cpu(1);
    float budget_data[10];
    sc_tensor map = sc_tensor_4d((float *)map_data, SC_F32, 2, 1, 1, 5);
    sc_tensor mask = sc_tensor_4d((float *)mask_data, SC_F32, 2, 1, 1, 5);
    sc_tensor budget = sc_tensor_4d(budget_data, SC_F32, 2, 1, 1, 5);
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        sc_budget_params p = {0.1f, cases[c].gamma};
        EXPECT_OK(be, be->ops->perturb_budget(be, &p, &map, cases[c].with_mask ? &mask : NULL,
                                              &budget));
        for (int i = 0; i < 10; i++)
            ck_assert_msg(fabsf(budget_data[i] - cases[c].want[i]) <= 1e-7f,
                          "case %zu pixel %d: %.8g, expected %.8g", c, i,
                          (double)budget_data[i], (double)cases[c].want[i]);
        ck_assert_float_eq(budget_data[0], 0.1f); /* the least salient pixel gets all of eps */
    }
    sc_backend_destroy(be);
}
END_TEST

/* ---- perturb_init and perturb_step --------------------------------------------------------- */

enum { PN = 2, PC = 3, PH = 6, PW = 7, PHW = PH * PW, PTOTAL = PN * PC * PHW };

typedef struct perturb_fix {
    sc_backend *be;
    sc_perturb_params p;
    float x[PTOTAL], g[PTOTAL], xadv[PTOTAL], budget[PN * PHW];
    sc_tensor tx, tg, txadv, tbudget;
} perturb_fix;

/* x inside [lo + margin, hi - margin] per channel, and a budget from a random map and mask
 * (a third of the pixels outside M, so their budget is 0). */
static perturb_fix *perturb_fix_new(float margin) {
    perturb_fix *f = calloc(1, sizeof *f);
    ck_assert_ptr_nonnull(f);
    f->be = sc_check_cpu(2);
    f->p = perturb_params(8.0f / 255.0f, 0.25f);
    for (int i = 0; i < PTOTAL; i++) {
        int c = (i / PHW) % PC;
        float u = sc_rng_uniform(sc_rng_key_make(41, 0, SC_RNG_TEST), (uint64_t)i);
        f->x[i] = f->p.lo[c] + margin + (f->p.hi[c] - f->p.lo[c] - 2.0f * margin) * u;
    }
    float map_data[PN * PHW], mask_data[PN * PHW];
    sc_test_fill_uniform(map_data, PN * PHW, 42, 0.0f, 1.0f);
    for (int i = 0; i < PN * PHW; i++)
        mask_data[i] = (float)(i % 3 != 0);
    f->tx = sc_tensor_4d(f->x, SC_F32, PN, PC, PH, PW);
    f->tg = sc_tensor_4d(f->g, SC_F32, PN, PC, PH, PW);
    f->txadv = sc_tensor_4d(f->xadv, SC_F32, PN, PC, PH, PW);
    f->tbudget = sc_tensor_4d(f->budget, SC_F32, PN, 1, PH, PW);
    sc_tensor map = sc_tensor_4d(map_data, SC_F32, PN, 1, PH, PW);
    sc_tensor mask = sc_tensor_4d(mask_data, SC_F32, PN, 1, PH, PW);
    sc_budget_params bp = {f->p.eps, 1.0f};
    EXPECT_OK(f->be, f->be->ops->perturb_budget(f->be, &bp, &map, &mask, &f->tbudget));
    return f;
}

static void perturb_fix_free(perturb_fix *f) {
    sc_backend_destroy(f->be);
    free(f);
}

/* The budget of element i in normalised units (NULL budget map: eps). */
static float elem_budget(const perturb_fix *f, int i, int with_map) {
    int c = (i / PHW) % PC, pixel = (i / (PC * PHW)) * PHW + i % PHW;
    return (with_map ? f->budget[pixel] : f->p.eps) / f->p.std[c];
}

/* |xadv - x| within the budget (plus rounding), xadv == x where the budget is 0, and xadv
 * inside the channel's valid range. */
static void expect_inside_budget(const perturb_fix *f, int with_map) {
    for (int i = 0; i < PTOTAL; i++) {
        int c = (i / PHW) % PC;
        float e = elem_budget(f, i, with_map), d = fabsf(f->xadv[i] - f->x[i]);
        ck_assert_msg(d <= e * (1.0f + 1e-6f) + 1e-6f, "element %d: |delta| %g > budget %g", i,
                      (double)d, (double)e);
        if (e == 0.0f)
            ck_assert_msg(f->xadv[i] == f->x[i], "element %d moved with budget 0", i);
        ck_assert(f->xadv[i] >= f->p.lo[c] && f->xadv[i] <= f->p.hi[c]);
    }
}

START_TEST(test_perturb_init_properties) {
    perturb_fix *f = perturb_fix_new(0.0f);
    f->x[5] = f->p.hi[0]; /* on the edges of the range: the start is clipped */
    f->x[PHW + 6] = f->p.lo[1];
    EXPECT_OK(f->be, f->be->ops->perturb_init(f->be, &f->p, &f->tx, &f->tbudget, &f->txadv));
    expect_inside_budget(f, 1);
    int zero_budget = 0;
    for (int i = 0; i < PTOTAL; i++) {
        int c = (i / PHW) % PC;
        float want = sc_perturb_init_elem(f->x[i], elem_budget(f, i, 1),
                                          sc_rng_uniform(f->p.key, (uint64_t)i), f->p.lo[c],
                                          f->p.hi[c]);
        ck_assert_msg(memcmp(&want, &f->xadv[i], sizeof want) == 0, "element %d", i);
        zero_budget += elem_budget(f, i, 1) == 0.0f;
    }
    ck_assert_int_ge(zero_budget, PTOTAL / 3);
    /* without a budget map every element may move by eps / std */
    EXPECT_OK(f->be, f->be->ops->perturb_init(f->be, &f->p, &f->tx, NULL, &f->txadv));
    expect_inside_budget(f, 0);
    float widest = 0.0f;
    for (int i = 0; i < PTOTAL; i++)
        widest = fmaxf(widest, fabsf(f->xadv[i] - f->x[i]) / elem_budget(f, i, 0));
    ck_assert_msg(widest > 0.9f, "the random start spans only %g of the budget", (double)widest);
    perturb_fix_free(f);
}
END_TEST

START_TEST(test_perturb_step_properties) {
    perturb_fix *f = perturb_fix_new(0.5f); /* far from the range edges: no clipping */
    sc_test_fill_uniform(f->g, PTOTAL, 43, -1.0f, 1.0f);
    for (int i = 0; i < PTOTAL; i += 5)
        f->g[i] = 0.0f;
    memcpy(f->xadv, f->x, sizeof f->x);
    float stats = 0.5f;
    sc_tensor stats_t = sc_tensor_1d(&stats, SC_F32, 1);
    EXPECT_OK(f->be, f->be->ops->perturb_step(f->be, &f->p, &f->tx, &f->tg, &f->tbudget,
                                              &f->txadv, &stats_t));
    double hand = 0.0;
    for (int i = 0; i < PTOTAL; i++) {
        int c = (i / PHW) % PC;
        float e = elem_budget(f, i, 1), want = 0.25f * e * sc_signf(f->g[i]);
        ck_assert_msg(fabsf((f->xadv[i] - f->x[i]) - want) <= 1e-6f,
                      "element %d moved %g, expected %g", i, (double)(f->xadv[i] - f->x[i]),
                      (double)want);
        if (f->g[i] == 0.0f)
            ck_assert(f->xadv[i] == f->x[i]);
        hand += fabs((double)f->xadv[i] - (double)f->x[i]) * f->p.std[c] / (PC * PHW);
    }
    ck_assert_msg(fabs((stats - 0.5) - hand) <= 1e-7, /* a float ulp at 0.5 is 6e-8 */
                  "stats %g, expected %g", stats - 0.5, hand);
    /* more steps of half the budget: projected back into the budget every time */
    f->p.step_size = 0.5f;
    for (int step = 0; step < 8; step++) {
        sc_test_fill_uniform(f->g, PTOTAL, 50 + (uint64_t)step, -1.0f, 1.0f);
        EXPECT_OK(f->be, f->be->ops->perturb_step(f->be, &f->p, &f->tx, &f->tg, &f->tbudget,
                                                  &f->txadv, NULL));
        expect_inside_budget(f, 1);
    }
    /* uniform eps, one full step from x: every element with g != 0 moves by exactly eps / std */
    memcpy(f->xadv, f->x, sizeof f->x);
    f->p.step_size = 1.0f;
    EXPECT_OK(f->be, f->be->ops->perturb_step(f->be, &f->p, &f->tx, &f->tg, NULL, &f->txadv, NULL));
    for (int i = 0; i < PTOTAL; i++)
        if (f->g[i] != 0.0f)
            ck_assert(fabsf(fabsf(f->xadv[i] - f->x[i]) - elem_budget(f, i, 0)) <= 1e-6f);
    /* at the top of the range a positive step is clipped */
    f->x[0] = f->xadv[0] = f->p.hi[0];
    f->g[0] = 1.0f;
    EXPECT_OK(f->be, f->be->ops->perturb_step(f->be, &f->p, &f->tx, &f->tg, NULL, &f->txadv, NULL));
    ck_assert_float_eq(f->xadv[0], f->p.hi[0]);
    perturb_fix_free(f);
}
END_TEST

static Suite *perturb_ops_suite(void) {
    Suite *s = suite_create("perturb_ops");
    TCase *tc = tcase_create("perturbation");
    tcase_add_test(tc, test_budget_by_hand);
    tcase_add_test(tc, test_perturb_init_properties);
    tcase_add_test(tc, test_perturb_step_properties);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    return sc_check_run(perturb_ops_suite());
}
