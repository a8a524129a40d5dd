/* Finite-difference checks of the CPU backend's batch-norm backward ops: bn_train_bwd (dx,
 * dgamma, dbeta, through the batch statistics; dx the same whether or not the weight gradients
 * are asked for) on a plain shape and one with a single pixel per image, and bn_infer_bwd (dx,
 * through the running statistics); and of their gradient conventions: dx overwrites or adds by
 * its accumulate flag, dgamma and dbeta always add (tests/common/check_grad.h). Loss =
 * sum(r * y) for a fixed random r, so the analytic gradient is the backward pass seeded with
 * dy = r. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "host/backend/backend.h"
#include "tests/common/check_grad.h"
#include "tests/common/check_ops.h"
#include "tests/common/check_run.h"

typedef struct bn_fix {
    sc_backend *be;
    sc_bn_params p;
    int n, c, h, w;
    int infer; /* 1: the inference form (running statistics) */
    float *x, *r;                         /* (N, C, H, W) */
    float *gamma, *beta, *running_mean, *running_var, *save_mean, *save_invstd; /* (C) */
    float *scratch;                       /* (N, C, H, W): a dx nobody looks at */
} bn_fix;

static sc_tensor bn_big(const bn_fix *f, float *data) {
    return sc_tensor_4d(data, SC_F32, f->n, f->c, f->h, f->w);
}
static sc_tensor bn_vec(const bn_fix *f, float *data) { return sc_tensor_1d(data, SC_F32, f->c); }

static sc_status bn_forward(void *ctx, float *out) {
    bn_fix *f = ctx;
    sc_tensor x = bn_big(f, f->x), y = bn_big(f, out);
    sc_tensor g = bn_vec(f, f->gamma), b = bn_vec(f, f->beta);
    sc_tensor rm = bn_vec(f, f->running_mean), rv = bn_vec(f, f->running_var);
    sc_tensor sm = bn_vec(f, f->save_mean), si = bn_vec(f, f->save_invstd);
    if (f->infer)
        return f->be->ops->bn_infer_fwd(f->be, &f->p, &x, &g, &b, &rm, &rv, &y);
    return f->be->ops->bn_train_fwd(f->be, &f->p, &x, &g, &b, &rm, &rv, &sm, &si, &y);
}

/* The training backward with any of dx / dgamma / dbeta. */
static sc_status bn_train_bwd_into(bn_fix *f, float *dx_data, float *dgamma_data,
                                   float *dbeta_data, int accumulate) {
    sc_tensor x = bn_big(f, f->x), dy = bn_big(f, f->r), dx = bn_big(f, dx_data);
    sc_tensor g = bn_vec(f, f->gamma), sm = bn_vec(f, f->save_mean), si = bn_vec(f, f->save_invstd);
    sc_tensor dg = bn_vec(f, dgamma_data), db = bn_vec(f, dbeta_data);
    return f->be->ops->bn_train_bwd(f->be, &f->p, &x, &dy, &g, &sm, &si, &dx,
                                    dgamma_data ? &dg : NULL, dbeta_data ? &db : NULL, accumulate);
}

static sc_status bn_dx_op(void *ctx, float *dx_data, int accumulate) {
    bn_fix *f = ctx;
    if (f->infer) {
        sc_tensor dy = bn_big(f, f->r), dx = bn_big(f, dx_data);
        sc_tensor g = bn_vec(f, f->gamma), rv = bn_vec(f, f->running_var);
        return f->be->ops->bn_infer_bwd(f->be, &f->p, &dy, &g, &rv, &dx, accumulate);
    }
    return bn_train_bwd_into(f, dx_data, NULL, NULL, accumulate);
}

static sc_status bn_dgamma_op(void *ctx, float *dgamma) {
    bn_fix *f = ctx;
    return bn_train_bwd_into(f, f->scratch, dgamma, NULL, 0);
}

static sc_status bn_dbeta_op(void *ctx, float *dbeta) {
    bn_fix *f = ctx;
    return bn_train_bwd_into(f, f->scratch, NULL, dbeta, 0);
}

static void bn_setup(bn_fix *f, int n, int c, int h, int w, int infer, uint64_t seed) {
    f->be = sc_check_cpu(2);
    f->p.eps = 1e-5f;
    f->p.momentum = 0.0f; /* batch statistics, running statistics untouched */
    f->n = n;
    f->c = c;
    f->h = h;
    f->w = w;
    f->infer = infer;
    size_t big = (size_t)n * c * h * w;
    f->x = sc_check_uniform(big, seed, -1.0f, 1.0f);
    f->r = sc_check_uniform(big, seed + 1, -1.0f, 1.0f);
    f->scratch = sc_check_filled(big, 0.0f);
    f->gamma = sc_check_uniform(c, seed + 2, 0.5f, 1.5f);
    f->beta = sc_check_uniform(c, seed + 3, -0.5f, 0.5f);
    f->running_mean = sc_check_uniform(c, seed + 4, -0.2f, 0.2f);
    f->running_var = sc_check_uniform(c, seed + 5, 0.5f, 1.5f);
    f->save_mean = sc_check_filled(c, 0.0f);
    f->save_invstd = sc_check_filled(c, 0.0f);
}

static void bn_teardown(bn_fix *f) {
    float *bufs[] = {f->x, f->r, f->scratch, f->gamma, f->beta, f->running_mean, f->running_var,
                     f->save_mean, f->save_invstd};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++)
        free(bufs[i]);
    sc_backend_destroy(f->be);
}

/* (N, C, H, W) of the batch-norm cases: a plain one and one with a single pixel per image. */
static const int bn_shapes[][4] = {{2, 3, 3, 4}, {5, 2, 1, 1}};

START_TEST(test_bn_train_gradients) {
    const int *s = bn_shapes[_i];
    bn_fix f;
    bn_setup(&f, s[0], s[1], s[2], s[3], 0, 100 + 10 * (uint64_t)_i);
    size_t big = (size_t)f.n * f.c * f.h * f.w;
    float *y = sc_check_filled(big, 0.0f);
    ck_assert_int_eq(bn_forward(&f, y), SC_OK); /* save_mean / save_invstd of the batch */

    float *dx_full = sc_check_filled(big, NAN), *dx_only = sc_check_filled(big, NAN);
    float *dgamma = sc_check_filled(f.c, 0.0f), *dbeta = sc_check_filled(f.c, 0.0f);
    ck_assert_int_eq(bn_train_bwd_into(&f, dx_full, dgamma, dbeta, 0), SC_OK);
    ck_assert_int_eq(bn_train_bwd_into(&f, dx_only, NULL, NULL, 0), SC_OK);
    ck_assert_msg(memcmp(dx_full, dx_only, big * sizeof(float)) == 0,
                  "bn_train_bwd: dx differs when dgamma/dbeta are NULL");
    sc_check_gradient("bn_train_bwd dx", bn_forward, &f, f.x, big, big, f.r, dx_full, 1e-3f, 2e-3);
    sc_check_gradient("bn_train_bwd dx (no weight grads)", bn_forward, &f, f.x, big, big, f.r,
                      dx_only, 1e-3f, 2e-3);
    sc_check_gradient("bn_train_bwd dgamma", bn_forward, &f, f.gamma, (size_t)f.c, big, f.r,
                      dgamma, 1e-2f, 1e-3);
    sc_check_gradient("bn_train_bwd dbeta", bn_forward, &f, f.beta, (size_t)f.c, big, f.r, dbeta,
                      1e-2f, 1e-3);

    sc_check_accumulate_flag("bn_train_bwd dx", bn_dx_op, &f, big);
    sc_check_weight_accumulates("bn_train_bwd dgamma", bn_dgamma_op, &f, (size_t)f.c);
    sc_check_weight_accumulates("bn_train_bwd dbeta", bn_dbeta_op, &f, (size_t)f.c);
    free(y);
    free(dx_full);
    free(dx_only);
    free(dgamma);
    free(dbeta);
    bn_teardown(&f);
}
END_TEST

START_TEST(test_bn_infer_gradient) {
    bn_fix f;
    bn_setup(&f, 2, 3, 3, 5, 1, 200);
    size_t big = (size_t)f.n * f.c * f.h * f.w;
    float *dx = sc_check_filled(big, NAN);
    ck_assert_int_eq(bn_dx_op(&f, dx, 0), SC_OK);
    sc_check_gradient("bn_infer_bwd dx", bn_forward, &f, f.x, big, big, f.r, dx, 1e-2f, 1e-3);
    sc_check_accumulate_flag("bn_infer_bwd dx", bn_dx_op, &f, big);
    free(dx);
    bn_teardown(&f);
}
END_TEST

static Suite *gradcheck_bn_suite(void) {
    Suite *s = suite_create("gradcheck_bn");
    TCase *tc = tcase_create("batch-norm backward");
    tcase_add_loop_test(tc, test_bn_train_gradients, 0,
                        (int)(sizeof bn_shapes / sizeof bn_shapes[0]));
    tcase_add_test(tc, test_bn_infer_gradient);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    return sc_check_run(gradcheck_bn_suite());
}
