/* Finite-difference checks of the CPU backend's backward ops of single-input layers, which share
 * one fixture: the relu activation, the element-wise (residual) add, max pooling (stem pool,
 * 2x2, overlapping windows), global average pooling and linear (dx, dw, db; input given as
 * (N, IN) and as (N, C, 1, 1)); and of their gradient conventions: dx overwrites or adds by its
 * accumulate flag, dw and db always add (tests/common/check_grad.h). Loss = sum(r * y) for a
 * fixed random r, so the analytic gradient is the backward pass seeded with dy = r. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/backend/backend.h"
#include "host/core/rng.h"
#include "tests/common/check_grad.h"
#include "tests/common/check_ops.h"
#include "tests/common/check_run.h"

/* Distinct values spread over (-1, 1) in random order, spacing 2 / n (no ties for max pool). */
static float *distinct_buf(size_t n, uint64_t seed) {
    float *x = malloc(n * sizeof(float));
    ck_assert_ptr_nonnull(x);
    for (size_t i = 0; i < n; i++)
        x[i] = -1.0f + 2.0f * ((float)i + 0.5f) / (float)n;
    sc_rng_key key = sc_rng_key_make(seed, 1, SC_RNG_TEST);
    for (size_t i = n - 1; i > 0; i--) {
        size_t j = sc_rng_below(key, i, (uint32_t)(i + 1));
        float t = x[i];
        x[i] = x[j];
        x[j] = t;
    }
    return x;
}

typedef struct simple_fix {
    sc_backend *be;
    sc_tensor in_shape, out_shape; /* shapes only; data set per call */
    sc_pool_params pool;
    float *x;     /* the input (in_shape) */
    float *other; /* add: the second summand; linear: the weight (OUT, IN) */
    float *bias;  /* linear: (OUT) */
    float *y;     /* the forward output at x (out_shape) */
    float *r;     /* loss weights (out_shape) */
} simple_fix;

static sc_tensor with_data(sc_tensor shape, float *data) {
    shape.data = data;
    return shape;
}

static sc_tensor linear_w(const simple_fix *f, float *data) {
    return sc_tensor_2d(data, SC_F32, sc_tensor_numel(&f->out_shape) / f->out_shape.shape[0],
                        sc_tensor_numel(&f->in_shape) / f->in_shape.shape[0]);
}
static sc_tensor linear_b(const simple_fix *f, float *data) {
    return sc_tensor_1d(data, SC_F32, sc_tensor_numel(&f->out_shape) / f->out_shape.shape[0]);
}

static sc_status relu_forward(void *ctx, float *out) {
    simple_fix *f = ctx;
    sc_tensor x = with_data(f->in_shape, f->x), y = with_data(f->out_shape, out);
    return f->be->ops->relu_fwd(f->be, &x, &y);
}
static sc_status relu_dx_op(void *ctx, float *dx_data, int accumulate) {
    simple_fix *f = ctx;
    sc_tensor y = with_data(f->out_shape, f->y), dy = with_data(f->out_shape, f->r);
    sc_tensor dx = with_data(f->in_shape, dx_data);
    return f->be->ops->relu_bwd(f->be, &y, &dy, &dx, accumulate);
}

static sc_status add_forward(void *ctx, float *out) {
    simple_fix *f = ctx;
    sc_tensor a = with_data(f->in_shape, f->x), b = with_data(f->in_shape, f->other);
    sc_tensor y = with_data(f->out_shape, out);
    return f->be->ops->add_fwd(f->be, &a, &b, &y);
}
static sc_status add_dx_op(void *ctx, float *dx_data, int accumulate) {
    simple_fix *f = ctx;
    sc_tensor dy = with_data(f->out_shape, f->r), dx = with_data(f->in_shape, dx_data);
    return f->be->ops->add_bwd(f->be, &dy, &dx, accumulate);
}

static sc_status maxpool_forward(void *ctx, float *out) {
    simple_fix *f = ctx;
    sc_tensor x = with_data(f->in_shape, f->x), y = with_data(f->out_shape, out);
    return f->be->ops->maxpool_fwd(f->be, &f->pool, &x, &y);
}
static sc_status maxpool_dx_op(void *ctx, float *dx_data, int accumulate) {
    simple_fix *f = ctx;
    sc_tensor x = with_data(f->in_shape, f->x), y = with_data(f->out_shape, f->y);
    sc_tensor dy = with_data(f->out_shape, f->r), dx = with_data(f->in_shape, dx_data);
    return f->be->ops->maxpool_bwd(f->be, &f->pool, &x, &y, &dy, &dx, accumulate);
}

static sc_status gap_forward(void *ctx, float *out) {
    simple_fix *f = ctx;
    sc_tensor x = with_data(f->in_shape, f->x), y = with_data(f->out_shape, out);
    return f->be->ops->gap_fwd(f->be, &x, &y);
}
static sc_status gap_dx_op(void *ctx, float *dx_data, int accumulate) {
    simple_fix *f = ctx;
    sc_tensor dy = with_data(f->out_shape, f->r), dx = with_data(f->in_shape, dx_data);
    return f->be->ops->gap_bwd(f->be, &dy, &dx, accumulate);
}

static sc_status linear_forward(void *ctx, float *out) {
    simple_fix *f = ctx;
    sc_tensor x = with_data(f->in_shape, f->x), w = linear_w(f, f->other);
    sc_tensor b = linear_b(f, f->bias), y = with_data(f->out_shape, out);
    return f->be->ops->linear_fwd(f->be, &x, &w, &b, &y);
}
static sc_status linear_dx_op(void *ctx, float *dx_data, int accumulate) {
    simple_fix *f = ctx;
    sc_tensor dy = with_data(f->out_shape, f->r), w = linear_w(f, f->other);
    sc_tensor dx = with_data(f->in_shape, dx_data);
    return f->be->ops->linear_bwd_data(f->be, &dy, &w, &dx, accumulate);
}
static sc_status linear_dw_op(void *ctx, float *dw_data) {
    simple_fix *f = ctx;
    sc_tensor x = with_data(f->in_shape, f->x), dy = with_data(f->out_shape, f->r);
    sc_tensor dw = linear_w(f, dw_data);
    return f->be->ops->linear_bwd_weight(f->be, &x, &dy, &dw, NULL);
}
static sc_status linear_db_op(void *ctx, float *db_data) {
    simple_fix *f = ctx;
    size_t nw = (size_t)sc_tensor_numel(&f->out_shape) / (size_t)f->out_shape.shape[0] *
                (size_t)(sc_tensor_numel(&f->in_shape) / f->in_shape.shape[0]);
    float *dw_data = sc_check_filled(nw, 0.0f);
    sc_tensor x = with_data(f->in_shape, f->x), dy = with_data(f->out_shape, f->r);
    sc_tensor dw = linear_w(f, dw_data), db = linear_b(f, db_data);
    sc_status st = f->be->ops->linear_bwd_weight(f->be, &x, &dy, &dw, &db);
    free(dw_data);
    return st;
}

static void simple_setup(simple_fix *f, sc_tensor in_shape, sc_tensor out_shape, uint64_t seed) {
    memset(f, 0, sizeof *f);
    f->be = sc_check_cpu(2);
    f->in_shape = in_shape;
    f->out_shape = out_shape;
    f->x = sc_check_uniform((size_t)sc_tensor_numel(&in_shape), seed, -1.0f, 1.0f);
    f->r = sc_check_uniform((size_t)sc_tensor_numel(&out_shape), seed + 1, -1.0f, 1.0f);
    f->y = sc_check_filled((size_t)sc_tensor_numel(&out_shape), 0.0f);
}

static void simple_teardown(simple_fix *f) {
    free(f->x);
    free(f->other);
    free(f->bias);
    free(f->y);
    free(f->r);
    sc_backend_destroy(f->be);
}

/* Checks the input gradient of a single-input op against finite differences, then its
 * accumulate flag. The forward output at x is left in f->y for backward ops that need it. */
static void check_input_grad(const char *what, simple_fix *f, sc_gradcheck_forward_fn forward,
                             sc_input_grad_fn dx_op, float eps, double tolerance) {
    size_t nx = (size_t)sc_tensor_numel(&f->in_shape);
    size_t ny = (size_t)sc_tensor_numel(&f->out_shape);
    ck_assert_int_eq(forward(f, f->y), SC_OK);
    float *dx = sc_check_filled(nx, NAN);
    ck_assert_int_eq(dx_op(f, dx, 0), SC_OK);
    sc_check_gradient(what, forward, f, f->x, nx, ny, f->r, dx, eps, tolerance);
    sc_check_accumulate_flag(what, dx_op, f, nx);
    free(dx);
}

START_TEST(test_relu_gradient) {
    simple_fix f;
    sc_tensor shape = sc_tensor_4d(NULL, SC_F32, 2, 3, 4, 5);
    simple_setup(&f, shape, shape, 300);
    /* keep every input at least 0.05 from the kink, farther than the step */
    for (int64_t i = 0; i < sc_tensor_numel(&shape); i++)
        f.x[i] = f.x[i] < 0.0f ? f.x[i] - 0.05f : f.x[i] + 0.05f;
    check_input_grad("relu", &f, relu_forward, relu_dx_op, 1e-2f, 1e-4);
    simple_teardown(&f);
}
END_TEST

START_TEST(test_add_gradient) {
    simple_fix f;
    sc_tensor shape = sc_tensor_4d(NULL, SC_F32, 2, 3, 4, 5);
    simple_setup(&f, shape, shape, 310);
    size_t n = (size_t)sc_tensor_numel(&shape);
    f.other = sc_check_uniform(n, 312, -1.0f, 1.0f);
    check_input_grad("add (first summand)", &f, add_forward, add_dx_op, 1e-2f, 1e-4);
    /* the second summand has the same gradient: swap the roles */
    float *t = f.x;
    f.x = f.other;
    f.other = t;
    check_input_grad("add (second summand)", &f, add_forward, add_dx_op, 1e-2f, 1e-4);
    simple_teardown(&f);
}
END_TEST

/* (N, C, H, W, kernel, stride, pad) of the max-pool cases. */
static const int maxpool_cases[][7] = {
    {2, 2, 7, 7, 3, 2, 1}, /* ResNet stem pool, odd size */
    {2, 2, 6, 8, 2, 2, 0}, /* 2x2 stride 2 */
    {1, 2, 5, 6, 3, 1, 1}, /* overlapping windows: one pixel feeds several outputs */
};

START_TEST(test_maxpool_gradient) {
    const int *c = maxpool_cases[_i];
    simple_fix f;
    sc_pool_params p = {c[4], c[5], c[6]};
    int oh = (c[2] + 2 * p.pad - p.kernel) / p.stride + 1;
    int ow = (c[3] + 2 * p.pad - p.kernel) / p.stride + 1;
    simple_setup(&f, sc_tensor_4d(NULL, SC_F32, c[0], c[1], c[2], c[3]),
                 sc_tensor_4d(NULL, SC_F32, c[0], c[1], oh, ow), 320 + 10 * (uint64_t)_i);
    f.pool = p;
    size_t n = (size_t)sc_tensor_numel(&f.in_shape);
    free(f.x);
    f.x = distinct_buf(n, 321 + (uint64_t)_i); /* spacing 2/n: no tie within the step */
    char what[64];
    snprintf(what, sizeof what, "maxpool case %d", _i);
    check_input_grad(what, &f, maxpool_forward, maxpool_dx_op, 0.5f / (float)n, 1e-3);
    simple_teardown(&f);
}
END_TEST

START_TEST(test_gap_gradient) {
    simple_fix f;
    simple_setup(&f, sc_tensor_4d(NULL, SC_F32, 2, 3, 4, 5), sc_tensor_4d(NULL, SC_F32, 2, 3, 1, 1),
                 330);
    check_input_grad("gap", &f, gap_forward, gap_dx_op, 1e-2f, 1e-4);
    simple_teardown(&f);
}
END_TEST

START_TEST(test_linear_gradients) {
    /* _i = 0: x (N, IN) = (3, 5); _i = 1: x given as (N, C, 1, 1) = (3, 5, 1, 1) */
    simple_fix f;
    sc_tensor in = _i == 0 ? sc_tensor_2d(NULL, SC_F32, 3, 5)
                           : sc_tensor_4d(NULL, SC_F32, 3, 5, 1, 1);
    simple_setup(&f, in, sc_tensor_2d(NULL, SC_F32, 3, 4), 340 + 10 * (uint64_t)_i);
    f.other = sc_check_uniform(4 * 5, 342, -1.0f, 1.0f);
    f.bias = sc_check_uniform(4, 343, -1.0f, 1.0f);
    check_input_grad("linear dx", &f, linear_forward, linear_dx_op, 1e-2f, 1e-4);

    float *dw = sc_check_filled(20, 0.0f), *db = sc_check_filled(4, 0.0f);
    ck_assert_int_eq(linear_dw_op(&f, dw), SC_OK);
    ck_assert_int_eq(linear_db_op(&f, db), SC_OK);
    sc_check_gradient("linear dw", linear_forward, &f, f.other, 20, 12, f.r, dw, 1e-2f, 1e-4);
    sc_check_gradient("linear db", linear_forward, &f, f.bias, 4, 12, f.r, db, 1e-2f, 1e-4);
    sc_check_weight_accumulates("linear dw", linear_dw_op, &f, 20);
    sc_check_weight_accumulates("linear db", linear_db_op, &f, 4);
    free(dw);
    free(db);
    simple_teardown(&f);
}
END_TEST

static Suite *gradcheck_linear_pool_act_suite(void) {
    Suite *s = suite_create("gradcheck_linear_pool_act");
    TCase *tc = tcase_create("single-input backward");
    tcase_add_test(tc, test_relu_gradient);
    tcase_add_test(tc, test_add_gradient);
    tcase_add_loop_test(tc, test_maxpool_gradient, 0,
                        (int)(sizeof maxpool_cases / sizeof maxpool_cases[0]));
    tcase_add_test(tc, test_gap_gradient);
    tcase_add_loop_test(tc, test_linear_gradients, 0, 2);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    return sc_check_run(gradcheck_linear_pool_act_suite());
}
