/* Finite-difference checks of the CPU backend's softmax cross-entropy (softmax_xent: the loss
 * and its dlogits in one call) with and without label smoothing and at several gradient scales;
 * the loss statistics must not depend on whether dlogits is asked for. (The KL divergence op
 * has its own check in test_kl_op.c.) */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "host/backend/backend.h"
#include "tests/common/check_grad.h"
#include "tests/common/check_ops.h"
#include "tests/common/check_run.h"

typedef struct xent_fix {
    sc_backend *be;
    sc_xent_params p;
    int n, k;
    float *logits;   /* (N, K) */
    int32_t *labels; /* (N) */
} xent_fix;

/* Output: the batch's loss sum (stats[0]); with r = grad_scale / N the analytic gradient of
 * r * loss_sum is exactly what softmax_xent writes into dlogits. */
static sc_status xent_run(xent_fix *f, float *dlogits_data, float *stats_data) {
    sc_tensor logits = sc_tensor_2d(f->logits, SC_F32, f->n, f->k);
    sc_tensor labels = sc_tensor_1d(f->labels, SC_I32, f->n);
    sc_tensor dlogits = sc_tensor_2d(dlogits_data, SC_F32, f->n, f->k);
    sc_tensor stats = sc_tensor_1d(stats_data, SC_F32, 2);
    return f->be->ops->softmax_xent(f->be, &f->p, &logits, &labels,
                                    dlogits_data ? &dlogits : NULL, &stats);
}

static sc_status xent_forward(void *ctx, float *out) {
    float stats[2] = {0.0f, 0.0f};
    sc_status st = xent_run(ctx, NULL, stats);
    out[0] = stats[0];
    return st;
}

/* (label smoothing, grad scale) */
static const float xent_cases[][2] = {{0.0f, 1.0f}, {0.1f, 1.0f}, {0.0f, 2.5f}, {0.2f, 0.5f}};

START_TEST(test_xent_gradient) {
    xent_fix f;
    f.be = sc_check_cpu(2);
    f.p.label_smoothing = xent_cases[_i][0];
    f.p.grad_scale = xent_cases[_i][1];
    f.n = 3;
    f.k = 5;
    f.logits = sc_check_uniform(15, 400 + (uint64_t)_i, -2.0f, 2.0f);
    int32_t labels[3] = {0, 4, 2};
    f.labels = labels;
    float *dlogits = sc_check_filled(15, NAN);
    float stats_with[2] = {0.0f, 0.0f}, stats_without[2] = {0.0f, 0.0f};
    ck_assert_int_eq(xent_run(&f, dlogits, stats_with), SC_OK);
    ck_assert_int_eq(xent_run(&f, NULL, stats_without), SC_OK);
    ck_assert_msg(stats_with[0] == stats_without[0] && stats_with[1] == stats_without[1],
                  "softmax_xent: stats depend on whether dlogits is computed");
    float r = f.p.grad_scale / (float)f.n;
    char what[64];
    snprintf(what, sizeof what, "softmax_xent smoothing %g grad_scale %g",
             (double)f.p.label_smoothing, (double)f.p.grad_scale);
    sc_check_gradient(what, xent_forward, &f, f.logits, 15, 1, &r, dlogits, 1e-2f, 2e-3);
    free(dlogits);
    free(f.logits);
    sc_backend_destroy(f.be);
}
END_TEST

static Suite *gradcheck_xent_suite(void) {
    Suite *s = suite_create("gradcheck_xent");
    TCase *tc = tcase_create("softmax_xent backward");
    tcase_add_loop_test(tc, test_xent_gradient, 0, (int)(sizeof xent_cases / sizeof xent_cases[0]));
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    return sc_check_run(gradcheck_xent_suite());
}
