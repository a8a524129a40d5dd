/* Finite-difference checks of every backward op of the CPU backend (tests/common/gradcheck.h),
 * and of the gradient conventions of backend.h: input gradients overwrite (accumulate = 0,
 * whatever the buffer held, NaN included) or add (accumulate = 1), weight gradients always add.
 * Loss = sum(r * y) for a fixed random r, so every analytic gradient is its op's backward pass
 * seeded with dy = r. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/gradcheck.h"
#include "common/test_util.h"
#include "host/backend/backend.h"
#include "host/core/rng.h"
#include "tests/common/check_ops.h"
#include "tests/common/check_run.h"

/* ---- helpers ------------------------------------------------------------------------------ */

static float *uniform_buf(size_t n, uint64_t seed, float lo, float hi) {
    float *x = malloc((n ? n : 1) * sizeof(float));
    ck_assert_ptr_nonnull(x);
    sc_test_fill_uniform(x, n, seed, lo, hi);
    return x;
}

static float *filled_buf(size_t n, float value) {
    float *x = malloc((n ? n : 1) * sizeof(float));
    ck_assert_ptr_nonnull(x);
    for (size_t i = 0; i < n; i++)
        x[i] = value;
    return x;
}

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

static void expect_grad(const char *what, sc_gradcheck_forward_fn forward, void *ctx, float *input,
                        size_t n_input, size_t n_out, const float *r, const float *analytic,
                        float eps, double tolerance) {
    sc_gradcheck_opts opts = sc_gradcheck_opts_default();
    opts.eps = eps;
    sc_gradcheck_result res;
    sc_error err;
    sc_error_clear(&err);
    ck_assert_msg(sc_gradcheck_run(forward, ctx, input, n_input, n_out, r, analytic, &opts, &res,
                                   &err) == SC_OK, "%s: %s", what, err.msg);
    char buf[256];
    ck_assert_msg(res.checked == n_input, "%s: %zu of %zu checked", what, res.checked, n_input);
    ck_assert_msg(res.max_err <= tolerance, "%s: %s (tolerance %g)", what,
                  sc_gradcheck_describe(&res, buf, sizeof buf), tolerance);
}

/* An input-gradient op writing into dx with the given accumulate flag. */
typedef sc_status (*input_grad_fn)(void *ctx, float *dx, int accumulate);

/* accumulate = 0 overwrites (a NaN-filled buffer comes out finite and equal to the gradient
 * computed into zeros), accumulate = 1 adds to what the buffer held. */
static void expect_accumulate_flag(const char *what, input_grad_fn op, void *ctx, size_t n) {
    float *from_nan = filled_buf(n, NAN);
    float *from_zero = filled_buf(n, 0.0f);
    float *base = uniform_buf(n, 991, -1.0f, 1.0f);
    float *added = malloc(n * sizeof(float));
    ck_assert_ptr_nonnull(added);
    memcpy(added, base, n * sizeof(float));
    ck_assert_int_eq(op(ctx, from_nan, 0), SC_OK);
    ck_assert_int_eq(op(ctx, from_zero, 1), SC_OK);
    ck_assert_int_eq(op(ctx, added, 1), SC_OK);
    ck_assert_msg(sc_test_count_nonfinite(from_nan, n) == 0, "%s: overwrite kept NaN", what);
    ck_assert_msg(sc_test_max_rel_err(from_nan, from_zero, n, 1e-6) <= 1e-6,
                  "%s: overwrite differs from accumulation into zeros", what);
    double nonzero = 0.0;
    for (size_t i = 0; i < n; i++) {
        nonzero = fmax(nonzero, fabs(from_nan[i]));
        float expect = base[i] + from_nan[i];
        ck_assert_msg(fabsf(added[i] - expect) <= 1e-5f * (1.0f + fabsf(expect)),
                      "%s: accumulate: element %zu is %g, expected %g + %g", what, i,
                      (double)added[i], (double)base[i], (double)from_nan[i]);
    }
    ck_assert_msg(nonzero > 0.0, "%s: the gradient is all zeros (test would prove nothing)", what);
    free(from_nan);
    free(from_zero);
    free(base);
    free(added);
}

/* A weight-gradient op adding into dw. */
typedef sc_status (*weight_grad_fn)(void *ctx, float *dw);

/* Weight gradients accumulate: from d0, one call gives d0 + g and a second d0 + 2 g. */
static void expect_weight_accumulates(const char *what, weight_grad_fn op, void *ctx, size_t n) {
    float *once = filled_buf(n, 0.0f);
    float *base = uniform_buf(n, 992, -1.0f, 1.0f);
    float *twice = malloc(n * sizeof(float));
    ck_assert_ptr_nonnull(twice);
    memcpy(twice, base, n * sizeof(float));
    ck_assert_int_eq(op(ctx, once), SC_OK);
    ck_assert_int_eq(op(ctx, twice), SC_OK);
    ck_assert_int_eq(op(ctx, twice), SC_OK);
    double nonzero = 0.0;
    for (size_t i = 0; i < n; i++) {
        nonzero = fmax(nonzero, fabs(once[i]));
        float expect = base[i] + 2.0f * once[i];
        ck_assert_msg(fabsf(twice[i] - expect) <= 1e-5f * (1.0f + fabsf(expect)),
                      "%s: element %zu is %g after two calls from %g, one call gives %g", what, i,
                      (double)twice[i], (double)base[i], (double)once[i]);
    }
    ck_assert_msg(nonzero > 0.0, "%s: the gradient is all zeros (test would prove nothing)", what);
    free(once);
    free(base);
    free(twice);
}

/* ---- the checker itself ------------------------------------------------------------------ */

/* out[j] = x[j]^2 + x[(j + 1) % n]: d(sum r out)/dx[i] = 2 r[i] x[i] + r[i - 1]. */
typedef struct square_fix {
    float *x;
    size_t n;
} square_fix;

static sc_status square_forward(void *ctx, float *out) {
    square_fix *f = ctx;
    for (size_t j = 0; j < f->n; j++)
        out[j] = f->x[j] * f->x[j] + f->x[(j + 1) % f->n];
    return SC_OK;
}

START_TEST(test_checker_judges_gradients) {
    enum { N = 40 };
    square_fix f = {uniform_buf(N, 501, -1.0f, 1.0f), N};
    float *r = uniform_buf(N, 502, -1.0f, 1.0f);
    float grad[N];
    for (size_t i = 0; i < N; i++)
        grad[i] = 2.0f * r[i] * f.x[i] + r[(i + N - 1) % N];
    float before[N];
    memcpy(before, f.x, sizeof before);
    sc_gradcheck_opts opts = sc_gradcheck_opts_default();
    sc_gradcheck_result res;
    sc_error err;
    ck_assert_int_eq(sc_gradcheck_run(square_forward, &f, f.x, N, N, r, grad, &opts, &res, &err),
                     SC_OK);
    ck_assert_msg(res.max_err < 1e-4, "right gradient judged wrong: %g", res.max_err);
    ck_assert(memcmp(before, f.x, sizeof before) == 0); /* inputs restored */

    grad[17] += 0.1f; /* one wrong element is found and named */
    ck_assert_int_eq(sc_gradcheck_run(square_forward, &f, f.x, N, N, r, grad, &opts, &res, &err),
                     SC_OK);
    ck_assert_msg(res.max_err > 0.03, "wrong gradient passed: %g", res.max_err);
    ck_assert_uint_eq(res.worst_index, 17);

    grad[17] = NAN; /* NaN never passes */
    ck_assert_int_eq(sc_gradcheck_run(square_forward, &f, f.x, N, N, r, grad, &opts, &res, &err),
                     SC_OK);
    ck_assert(isinf(res.max_err));

    opts.max_points = 8; /* a subset of evenly spaced elements */
    ck_assert_int_eq(sc_gradcheck_run(square_forward, &f, f.x, N, N, r, grad, &opts, &res, &err),
                     SC_OK);
    ck_assert_uint_eq(res.checked, 8);
    free(f.x);
    free(r);
}
END_TEST

/* ---- conv2d ------------------------------------------------------------------------------- */

typedef struct conv_case {
    int n, c, h, w, k, kernel, stride, pad;
} conv_case;

static const conv_case conv_cases[] = {
    {2, 3, 7, 6, 4, 3, 1, 1},   /* 3x3, stride 1, pad 1, odd sizes */
    {2, 3, 7, 6, 4, 3, 2, 1},   /* 3x3, stride 2, pad 1 */
    {1, 2, 9, 9, 3, 3, 2, 0},   /* 3x3, stride 2, no padding */
    {2, 3, 5, 6, 4, 3, 1, 0},   /* 3x3, stride 1, no padding */
    {1, 3, 6, 5, 2, 3, 1, 2},   /* padding wider than the kernel's half */
    {2, 3, 5, 7, 4, 1, 1, 0},   /* 1x1, stride 1: the GEMM-only path */
    {2, 3, 7, 7, 5, 1, 2, 0},   /* 1x1, stride 2: a ResNet projection */
    {1, 2, 11, 10, 3, 7, 2, 3}, /* 7x7, stride 2, pad 3: the ImageNet stem */
    {2, 2, 8, 9, 3, 7, 1, 0},   /* 7x7, stride 1, no padding */
};

typedef struct conv_fix {
    sc_backend *be;
    sc_conv_params p;
    conv_case cc;
    int out_h, out_w;
    float *x; /* (N, C, H, W) */
    float *w; /* (K, C, R, S) */
    float *r; /* (N, K, OH, OW): the loss weights, i.e. dy */
} conv_fix;

static sc_tensor conv_x(const conv_fix *f, float *data) {
    return sc_tensor_4d(data, SC_F32, f->cc.n, f->cc.c, f->cc.h, f->cc.w);
}
static sc_tensor conv_w(const conv_fix *f, float *data) {
    return sc_tensor_4d(data, SC_F32, f->cc.k, f->cc.c, f->cc.kernel, f->cc.kernel);
}
static sc_tensor conv_y(const conv_fix *f, float *data) {
    return sc_tensor_4d(data, SC_F32, f->cc.n, f->cc.k, f->out_h, f->out_w);
}

static sc_status conv_forward(void *ctx, float *out) {
    conv_fix *f = ctx;
    sc_tensor x = conv_x(f, f->x), w = conv_w(f, f->w), y = conv_y(f, out);
    return f->be->ops->conv2d_fwd(f->be, &f->p, &x, &w, &y);
}

static sc_status conv_dx_op(void *ctx, float *dx_data, int accumulate) {
    conv_fix *f = ctx;
    sc_tensor dy = conv_y(f, f->r), w = conv_w(f, f->w), dx = conv_x(f, dx_data);
    return f->be->ops->conv2d_bwd_data(f->be, &f->p, &dy, &w, &dx, accumulate);
}

static sc_status conv_dw_op(void *ctx, float *dw_data) {
    conv_fix *f = ctx;
    sc_tensor x = conv_x(f, f->x), dy = conv_y(f, f->r), dw = conv_w(f, dw_data);
    return f->be->ops->conv2d_bwd_filter(f->be, &f->p, &x, &dy, &dw);
}

START_TEST(test_conv_gradients) {
    conv_fix f;
    f.be = sc_check_cpu(2);
    f.cc = conv_cases[_i];
    f.p.stride = f.cc.stride;
    f.p.pad = f.cc.pad;
    f.out_h = (f.cc.h + 2 * f.cc.pad - f.cc.kernel) / f.cc.stride + 1;
    f.out_w = (f.cc.w + 2 * f.cc.pad - f.cc.kernel) / f.cc.stride + 1;
    size_t nx = (size_t)f.cc.n * f.cc.c * f.cc.h * f.cc.w;
    size_t nw = (size_t)f.cc.k * f.cc.c * f.cc.kernel * f.cc.kernel;
    size_t ny = (size_t)f.cc.n * f.cc.k * f.out_h * f.out_w;
    f.x = uniform_buf(nx, 11 + _i, -1.0f, 1.0f);
    f.w = uniform_buf(nw, 12 + _i, -1.0f, 1.0f);
    f.r = uniform_buf(ny, 13 + _i, -1.0f, 1.0f);
    char what[128];
    snprintf(what, sizeof what, "conv case %d (%dx%d, stride %d, pad %d)", _i, f.cc.kernel,
             f.cc.kernel, f.cc.stride, f.cc.pad);

    float *dx = filled_buf(nx, NAN);
    ck_assert_int_eq(conv_dx_op(&f, dx, 0), SC_OK);
    expect_grad(what, conv_forward, &f, f.x, nx, ny, f.r, dx, 1e-2f, 1e-3);
    float *dw = filled_buf(nw, 0.0f);
    ck_assert_int_eq(conv_dw_op(&f, dw), SC_OK);
    expect_grad(what, conv_forward, &f, f.w, nw, ny, f.r, dw, 1e-2f, 1e-3);

    expect_accumulate_flag(what, conv_dx_op, &f, nx);
    expect_weight_accumulates(what, conv_dw_op, &f, nw);
    free(dx);
    free(dw);
    free(f.x);
    free(f.w);
    free(f.r);
    sc_backend_destroy(f.be);
}
END_TEST

/* ---- batch norm --------------------------------------------------------------------------- */

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
    f->x = uniform_buf(big, seed, -1.0f, 1.0f);
    f->r = uniform_buf(big, seed + 1, -1.0f, 1.0f);
    f->scratch = filled_buf(big, 0.0f);
    f->gamma = uniform_buf(c, seed + 2, 0.5f, 1.5f);
    f->beta = uniform_buf(c, seed + 3, -0.5f, 0.5f);
    f->running_mean = uniform_buf(c, seed + 4, -0.2f, 0.2f);
    f->running_var = uniform_buf(c, seed + 5, 0.5f, 1.5f);
    f->save_mean = filled_buf(c, 0.0f);
    f->save_invstd = filled_buf(c, 0.0f);
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
    float *y = filled_buf(big, 0.0f);
    ck_assert_int_eq(bn_forward(&f, y), SC_OK); /* save_mean / save_invstd of the batch */

    float *dx_full = filled_buf(big, NAN), *dx_only = filled_buf(big, NAN);
    float *dgamma = filled_buf(f.c, 0.0f), *dbeta = filled_buf(f.c, 0.0f);
    ck_assert_int_eq(bn_train_bwd_into(&f, dx_full, dgamma, dbeta, 0), SC_OK);
    ck_assert_int_eq(bn_train_bwd_into(&f, dx_only, NULL, NULL, 0), SC_OK);
    ck_assert_msg(memcmp(dx_full, dx_only, big * sizeof(float)) == 0,
                  "bn_train_bwd: dx differs when dgamma/dbeta are NULL");
    expect_grad("bn_train_bwd dx", bn_forward, &f, f.x, big, big, f.r, dx_full, 1e-3f, 2e-3);
    expect_grad("bn_train_bwd dx (no weight grads)", bn_forward, &f, f.x, big, big, f.r, dx_only,
                1e-3f, 2e-3);
    expect_grad("bn_train_bwd dgamma", bn_forward, &f, f.gamma, (size_t)f.c, big, f.r, dgamma,
                1e-2f, 1e-3);
    expect_grad("bn_train_bwd dbeta", bn_forward, &f, f.beta, (size_t)f.c, big, f.r, dbeta, 1e-2f,
                1e-3);

    expect_accumulate_flag("bn_train_bwd dx", bn_dx_op, &f, big);
    expect_weight_accumulates("bn_train_bwd dgamma", bn_dgamma_op, &f, (size_t)f.c);
    expect_weight_accumulates("bn_train_bwd dbeta", bn_dbeta_op, &f, (size_t)f.c);
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
    float *dx = filled_buf(big, NAN);
    ck_assert_int_eq(bn_dx_op(&f, dx, 0), SC_OK);
    expect_grad("bn_infer_bwd dx", bn_forward, &f, f.x, big, big, f.r, dx, 1e-2f, 1e-3);
    expect_accumulate_flag("bn_infer_bwd dx", bn_dx_op, &f, big);
    free(dx);
    bn_teardown(&f);
}
END_TEST

/* ---- element-wise, pooling, linear: one fixture for single-input ops ----------------------- */

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
    float *dw_data = filled_buf(nw, 0.0f);
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
    f->x = uniform_buf((size_t)sc_tensor_numel(&in_shape), seed, -1.0f, 1.0f);
    f->r = uniform_buf((size_t)sc_tensor_numel(&out_shape), seed + 1, -1.0f, 1.0f);
    f->y = filled_buf((size_t)sc_tensor_numel(&out_shape), 0.0f);
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
                             input_grad_fn dx_op, float eps, double tolerance) {
    size_t nx = (size_t)sc_tensor_numel(&f->in_shape);
    size_t ny = (size_t)sc_tensor_numel(&f->out_shape);
    ck_assert_int_eq(forward(f, f->y), SC_OK);
    float *dx = filled_buf(nx, NAN);
    ck_assert_int_eq(dx_op(f, dx, 0), SC_OK);
    expect_grad(what, forward, f, f->x, nx, ny, f->r, dx, eps, tolerance);
    expect_accumulate_flag(what, dx_op, f, nx);
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
    f.other = uniform_buf(n, 312, -1.0f, 1.0f);
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
    f.other = uniform_buf(4 * 5, 342, -1.0f, 1.0f);
    f.bias = uniform_buf(4, 343, -1.0f, 1.0f);
    check_input_grad("linear dx", &f, linear_forward, linear_dx_op, 1e-2f, 1e-4);

    float *dw = filled_buf(20, 0.0f), *db = filled_buf(4, 0.0f);
    ck_assert_int_eq(linear_dw_op(&f, dw), SC_OK);
    ck_assert_int_eq(linear_db_op(&f, db), SC_OK);
    expect_grad("linear dw", linear_forward, &f, f.other, 20, 12, f.r, dw, 1e-2f, 1e-4);
    expect_grad("linear db", linear_forward, &f, f.bias, 4, 12, f.r, db, 1e-2f, 1e-4);
    expect_weight_accumulates("linear dw", linear_dw_op, &f, 20);
    expect_weight_accumulates("linear db", linear_db_op, &f, 4);
    free(dw);
    free(db);
    simple_teardown(&f);
}
END_TEST

/* ---- softmax cross-entropy ---------------------------------------------------------------- */

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
    f.logits = uniform_buf(15, 400 + (uint64_t)_i, -2.0f, 2.0f);
    int32_t labels[3] = {0, 4, 2};
    f.labels = labels;
    float *dlogits = filled_buf(15, NAN);
    float stats_with[2] = {0.0f, 0.0f}, stats_without[2] = {0.0f, 0.0f};
    ck_assert_int_eq(xent_run(&f, dlogits, stats_with), SC_OK);
    ck_assert_int_eq(xent_run(&f, NULL, stats_without), SC_OK);
    ck_assert_msg(stats_with[0] == stats_without[0] && stats_with[1] == stats_without[1],
                  "softmax_xent: stats depend on whether dlogits is computed");
    float r = f.p.grad_scale / (float)f.n;
    char what[64];
    snprintf(what, sizeof what, "softmax_xent smoothing %g grad_scale %g",
             (double)f.p.label_smoothing, (double)f.p.grad_scale);
    expect_grad(what, xent_forward, &f, f.logits, 15, 1, &r, dlogits, 1e-2f, 2e-3);
    free(dlogits);
    free(f.logits);
    sc_backend_destroy(f.be);
}
END_TEST

static Suite *gradcheck_suite(void) {
    Suite *s = suite_create("gradcheck");
    TCase *tc = tcase_create("backward ops");
    tcase_add_test(tc, test_checker_judges_gradients);
    tcase_add_loop_test(tc, test_conv_gradients, 0,
                        (int)(sizeof conv_cases / sizeof conv_cases[0]));
    tcase_add_loop_test(tc, test_bn_train_gradients, 0,
                        (int)(sizeof bn_shapes / sizeof bn_shapes[0]));
    tcase_add_test(tc, test_bn_infer_gradient);
    tcase_add_test(tc, test_relu_gradient);
    tcase_add_test(tc, test_add_gradient);
    tcase_add_loop_test(tc, test_maxpool_gradient, 0,
                        (int)(sizeof maxpool_cases / sizeof maxpool_cases[0]));
    tcase_add_test(tc, test_gap_gradient);
    tcase_add_loop_test(tc, test_linear_gradients, 0, 2);
    tcase_add_loop_test(tc, test_xent_gradient, 0, (int)(sizeof xent_cases / sizeof xent_cases[0]));
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    return sc_check_run(gradcheck_suite());
}
