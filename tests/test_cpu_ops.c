/* The CPU backend's ops against independent references: convolutions against direct loops on
 * many shapes (with guard zones around every output), batch norm and its running statistics,
 * max pooling's tie and padding rules, global average pooling, linear layers, the loss and
 * SGD against hand computations, and the convolution scratch contract of conv2d_prepare. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/test_util.h"
#include "host/backend/backend.h"
#include "host/cpu/cpu_internal.h"
#include "tests/common/check_ops.h"
#include "tests/common/check_run.h"

/* ---- buffers with guard zones ------------------------------------------------------------- */

#define GUARD 64
#define GUARD_VALUE 12345.0f

/* n floats with GUARD sentinel floats on both sides; returns the start of the n. */
static float *guarded_alloc(size_t n, float fill) {
    float *block = malloc((n + 2 * GUARD) * sizeof(float));
    ck_assert_ptr_nonnull(block);
    for (size_t i = 0; i < n + 2 * GUARD; i++)
        block[i] = GUARD_VALUE;
    for (size_t i = 0; i < n; i++)
        block[GUARD + i] = fill;
    return block + GUARD;
}

static void guarded_check_free(float *data, size_t n, const char *what) {
    float *block = data - GUARD;
    for (size_t i = 0; i < GUARD; i++) {
        ck_assert_msg(block[i] == GUARD_VALUE, "%s: wrote %zu floats before its output", what,
                      GUARD - i);
        ck_assert_msg(block[GUARD + n + i] == GUARD_VALUE, "%s: wrote past its output (+%zu)",
                      what, i);
    }
    free(block);
}

static float *uniform_buf(size_t n, uint64_t seed) {
    float *x = malloc((n ? n : 1) * sizeof(float));
    ck_assert_ptr_nonnull(x);
    sc_test_fill_uniform(x, n, seed, -1.0f, 1.0f);
    return x;
}

/* ---- convolution against direct loops ----------------------------------------------------- */

typedef struct conv_shape {
    int n, c, h, w, k, kernel, stride, pad, oh, ow;
} conv_shape;

static size_t x_count(const conv_shape *s) { return (size_t)s->n * s->c * s->h * s->w; }
static size_t w_count(const conv_shape *s) { return (size_t)s->k * s->c * s->kernel * s->kernel; }
static size_t y_count(const conv_shape *s) { return (size_t)s->n * s->k * s->oh * s->ow; }

typedef enum naive_conv_kind { NAIVE_FWD, NAIVE_BWD_DATA, NAIVE_BWD_FILTER } naive_conv_kind;

/* The convolution as its 7 loops, in double. Every term x[n,c,ih,iw] * w[k,c,r,q] of
 * y[n,k,oh,ow] that reads a real pixel (not padding) goes to y (forward), to dx (bwd_data:
 * dy * w) or to dw (bwd_filter: x * dy). a and b are (x, w), (dy, w) or (x, dy). */
static void naive_conv(const conv_shape *s, naive_conv_kind kind, const float *a, const float *b,
                       double *out) {
    size_t n_out = kind == NAIVE_FWD        ? y_count(s)
                   : kind == NAIVE_BWD_DATA ? x_count(s)
                                            : w_count(s);
    memset(out, 0, n_out * sizeof(double));
    for (int n = 0; n < s->n; n++)
        for (int k = 0; k < s->k; k++)
            for (int oh = 0; oh < s->oh; oh++)
                for (int ow = 0; ow < s->ow; ow++)
                    for (int c = 0; c < s->c; c++)
                        for (int r = 0; r < s->kernel; r++)
                            for (int q = 0; q < s->kernel; q++) {
                                int ih = oh * s->stride - s->pad + r;
                                int iw = ow * s->stride - s->pad + q;
                                if (ih < 0 || ih >= s->h || iw < 0 || iw >= s->w)
                                    continue;
                                size_t xi = (((size_t)n * s->c + c) * s->h + ih) * s->w + iw;
                                size_t wi =
                                    (((size_t)k * s->c + c) * s->kernel + r) * s->kernel + q;
                                size_t yi = (((size_t)n * s->k + k) * s->oh + oh) * s->ow + ow;
                                if (kind == NAIVE_FWD)
                                    out[yi] += (double)a[xi] * (double)b[wi];
                                else if (kind == NAIVE_BWD_DATA)
                                    out[xi] += (double)a[yi] * (double)b[wi];
                                else
                                    out[wi] += (double)a[xi] * (double)b[yi];
                            }
}

/* max |got - (base + ref)| / max(|base + ref|_inf, 1e-3); base may be NULL. */
static double rel_err_vs(const float *got, const float *base, const double *ref, size_t n) {
    double scale = 1e-3, worst = 0.0;
    for (size_t i = 0; i < n; i++)
        scale = fmax(scale, fabs(ref[i] + (base ? base[i] : 0.0)));
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)got[i] - (ref[i] + (base ? base[i] : 0.0)));
        if (!(d == d))
            return INFINITY;
        worst = fmax(worst, d);
    }
    return worst / scale;
}

/* Edge cases of the stride-1 "same" convolutions (output as wide as the input), whose im2col
 * copies whole blocks: images smaller than the kernel, one pixel wide, 5x5 taps. */
static const conv_shape conv_edge_cases[] = {
    {2, 3, 1, 1, 4, 3, 1, 1, 1, 1},
    {2, 2, 2, 2, 3, 3, 1, 1, 2, 2},
    {1, 2, 5, 6, 3, 5, 1, 2, 5, 6},
    {3, 4, 3, 8, 5, 3, 1, 1, 3, 8},
    {2, 3, 9, 1, 2, 3, 1, 1, 9, 1},
    {2, 1, 4, 4, 2, 7, 1, 3, 4, 4},
};

#define CONV_SWEEP_CASES (48 + (int)(sizeof conv_edge_cases / sizeof conv_edge_cases[0]))

/* Case i of the sweep: first 48 of kernel 1/3/7, stride 1/2, pad 0..3, batch 1..3, channel
 * counts that are not multiples of 8, odd and even image sizes; then the edge cases. */
static conv_shape conv_sweep_case(int i) {
    if (i >= 48)
        return conv_edge_cases[i - 48];
    static const int kernels[3] = {1, 3, 7};
    static const int channels[4][2] = {{1, 5}, {3, 7}, {5, 9}, {10, 3}};
    static const int sizes[4][2] = {{9, 11}, {8, 7}, {13, 10}, {7, 9}};
    conv_shape s;
    s.kernel = kernels[i % 3];
    s.stride = 1 + (i / 3) % 2;
    s.pad = (i / 6) % 4;
    s.n = 1 + (i / 2) % 3;
    s.c = channels[(i / 5) % 4][0];
    s.k = channels[(i / 5) % 4][1];
    s.h = sizes[(i / 7) % 4][0];
    s.w = sizes[(i / 7) % 4][1];
    s.oh = (s.h + 2 * s.pad - s.kernel) / s.stride + 1;
    s.ow = (s.w + 2 * s.pad - s.kernel) / s.stride + 1;
    return s;
}

START_TEST(test_conv_against_direct_loops) {
    sc_backend *be = sc_check_cpu(2);
    for (int i = 0; i < CONV_SWEEP_CASES; i++) {
        conv_shape s = conv_sweep_case(i);
        char what[160];
        snprintf(what, sizeof what,
                 "conv case %d: x (%d, %d, %d, %d), w (%d, %d, %d, %d), stride %d, pad %d", i,
                 s.n, s.c, s.h, s.w, s.k, s.c, s.kernel, s.kernel, s.stride, s.pad);
        sc_conv_params p = {s.stride, s.pad};
        float *x = uniform_buf(x_count(&s), 1000 + (uint64_t)i);
        float *w = uniform_buf(w_count(&s), 2000 + (uint64_t)i);
        float *dy = uniform_buf(y_count(&s), 3000 + (uint64_t)i);
        float *dw_base = uniform_buf(w_count(&s), 4000 + (uint64_t)i);
        float *y = guarded_alloc(y_count(&s), NAN);
        float *dx = guarded_alloc(x_count(&s), NAN);
        float *dw = guarded_alloc(w_count(&s), 0.0f);
        memcpy(dw, dw_base, w_count(&s) * sizeof(float));
        sc_tensor tx = sc_tensor_4d(x, SC_F32, s.n, s.c, s.h, s.w);
        sc_tensor tw = sc_tensor_4d(w, SC_F32, s.k, s.c, s.kernel, s.kernel);
        sc_tensor ty = sc_tensor_4d(y, SC_F32, s.n, s.k, s.oh, s.ow);
        sc_tensor tdy = sc_tensor_4d(dy, SC_F32, s.n, s.k, s.oh, s.ow);
        sc_tensor tdx = sc_tensor_4d(dx, SC_F32, s.n, s.c, s.h, s.w);
        sc_tensor tdw = sc_tensor_4d(dw, SC_F32, s.k, s.c, s.kernel, s.kernel);
        ck_assert_msg(be->ops->conv2d_prepare(be, &p, &tx, &tw, &ty) == SC_OK, "%s: %s", what,
                      be->err.msg);
        ck_assert_msg(be->ops->conv2d_fwd(be, &p, &tx, &tw, &ty) == SC_OK, "%s", be->err.msg);
        ck_assert_msg(be->ops->conv2d_bwd_data(be, &p, &tdy, &tw, &tdx, 0) == SC_OK, "%s",
                      be->err.msg);
        ck_assert_msg(be->ops->conv2d_bwd_filter(be, &p, &tx, &tdy, &tdw) == SC_OK, "%s",
                      be->err.msg);

        size_t most = x_count(&s) > y_count(&s) ? x_count(&s) : y_count(&s);
        most = most > w_count(&s) ? most : w_count(&s);
        double *ref = malloc(most * sizeof(double));
        ck_assert_ptr_nonnull(ref);
        naive_conv(&s, NAIVE_FWD, x, w, ref);
        double e = rel_err_vs(y, NULL, ref, y_count(&s));
        ck_assert_msg(e <= 1e-5, "%s: forward error %g", what, e);
        naive_conv(&s, NAIVE_BWD_DATA, dy, w, ref);
        e = rel_err_vs(dx, NULL, ref, x_count(&s));
        ck_assert_msg(e <= 1e-5, "%s: bwd_data error %g", what, e);
        naive_conv(&s, NAIVE_BWD_FILTER, x, dy, ref);
        e = rel_err_vs(dw, dw_base, ref, w_count(&s));
        ck_assert_msg(e <= 1e-5, "%s: bwd_filter (+= onto a random dw) error %g", what, e);

        guarded_check_free(y, y_count(&s), what);
        guarded_check_free(dx, x_count(&s), what);
        guarded_check_free(dw, w_count(&s), what);
        free(ref);
        free(x);
        free(w);
        free(dy);
        free(dw_base);
    }
    sc_backend_destroy(be);
}
END_TEST

/* One thread or three: forward and bwd_data are bit-identical (each output comes from one
 * GEMM), bwd_filter agrees up to the order of its per-thread partial sums. */
START_TEST(test_conv_thread_count_independent) {
    conv_shape s = {6, 8, 16, 15, 12, 3, 1, 1, 16, 15}; /* big enough to run in parallel */
    sc_conv_params p = {1, 1};
    sc_backend *one = sc_check_cpu(1), *three = sc_check_cpu(3);
    float *x = uniform_buf(x_count(&s), 51), *w = uniform_buf(w_count(&s), 52);
    float *dy = uniform_buf(y_count(&s), 53);
    float *out[2][3];
    sc_backend *bes[2] = {one, three};
    for (int b = 0; b < 2; b++) {
        out[b][0] = calloc(y_count(&s), sizeof(float));
        out[b][1] = calloc(x_count(&s), sizeof(float));
        out[b][2] = calloc(w_count(&s), sizeof(float));
        sc_tensor tx = sc_tensor_4d(x, SC_F32, s.n, s.c, s.h, s.w);
        sc_tensor tw = sc_tensor_4d(w, SC_F32, s.k, s.c, 3, 3);
        sc_tensor tdy = sc_tensor_4d(dy, SC_F32, s.n, s.k, s.oh, s.ow);
        sc_tensor ty = sc_tensor_4d(out[b][0], SC_F32, s.n, s.k, s.oh, s.ow);
        sc_tensor tdx = sc_tensor_4d(out[b][1], SC_F32, s.n, s.c, s.h, s.w);
        sc_tensor tdw = sc_tensor_4d(out[b][2], SC_F32, s.k, s.c, 3, 3);
        ck_assert_int_eq(bes[b]->ops->conv2d_fwd(bes[b], &p, &tx, &tw, &ty), SC_OK);
        ck_assert_int_eq(bes[b]->ops->conv2d_bwd_data(bes[b], &p, &tdy, &tw, &tdx, 0), SC_OK);
        ck_assert_int_eq(bes[b]->ops->conv2d_bwd_filter(bes[b], &p, &tx, &tdy, &tdw), SC_OK);
    }
    ck_assert(memcmp(out[0][0], out[1][0], y_count(&s) * sizeof(float)) == 0);
    ck_assert(memcmp(out[0][1], out[1][1], x_count(&s) * sizeof(float)) == 0);
    ck_assert(sc_test_max_rel_err(out[1][2], out[0][2], w_count(&s), 1e-3) <= 1e-6);
    for (int b = 0; b < 2; b++) {
        for (int j = 0; j < 3; j++)
            free(out[b][j]);
        sc_backend_destroy(bes[b]);
    }
    free(x);
    free(w);
    free(dy);
}
END_TEST

/* conv2d_prepare sizes the im2col path's scratch for the largest shape: later ops on prepared
 * (or smaller) shapes never reallocate it; an unprepared larger shape still works (it grows
 * the scratch). oneDNN convolutions (cpu_dnnl_conv.c) keep their own, checked in
 * test_cpu_dnnl.c. */
START_TEST(test_conv_prepare_sizes_scratch) {
    sc_backend *be = sc_check_cpu_conv(2, "im2col");
    ck_assert_ptr_null(sc_cpu_ctx_of(be)->dnnl);
    sc_cpu_ctx *ctx = sc_cpu_ctx_of(be);
    sc_conv_params p = {1, 1};
    sc_tensor big_x = sc_tensor_4d(NULL, SC_F32, 4, 16, 28, 28);
    sc_tensor big_w = sc_tensor_4d(NULL, SC_F32, 16, 16, 3, 3);
    sc_tensor big_y = sc_tensor_4d(NULL, SC_F32, 4, 16, 28, 28);
    ck_assert_msg(be->ops->conv2d_prepare(be, &p, &big_x, &big_w, &big_y) == SC_OK, "%s",
                  be->err.msg);
    ck_assert_ptr_nonnull(ctx->columns);
    ck_assert_uint_ge(ctx->column_stride, 16 * 9 * 28 * 28);
    ck_assert_uint_ge(ctx->wgrad_stride, 16 * 16 * 9);
    float *columns = ctx->columns, *partials = ctx->wgrad_partials;

    conv_shape s = {2, 16, 14, 14, 16, 3, 1, 1, 14, 14};
    float *x = uniform_buf(x_count(&s), 61), *w = uniform_buf(w_count(&s), 62);
    float *y = calloc(y_count(&s), sizeof(float)), *dw = calloc(w_count(&s), sizeof(float));
    sc_tensor tx = sc_tensor_4d(x, SC_F32, s.n, s.c, s.h, s.w);
    sc_tensor tw = sc_tensor_4d(w, SC_F32, s.k, s.c, 3, 3);
    sc_tensor ty = sc_tensor_4d(y, SC_F32, s.n, s.k, s.oh, s.ow);
    sc_tensor tdw = sc_tensor_4d(dw, SC_F32, s.k, s.c, 3, 3);
    ck_assert_int_eq(be->ops->conv2d_fwd(be, &p, &tx, &tw, &ty), SC_OK);
    ck_assert_int_eq(be->ops->conv2d_bwd_data(be, &p, &ty, &tw, &tx, 0), SC_OK);
    ck_assert_int_eq(be->ops->conv2d_bwd_filter(be, &p, &tx, &ty, &tdw), SC_OK);
    ck_assert_ptr_eq(ctx->columns, columns);
    ck_assert_ptr_eq(ctx->wgrad_partials, partials);

    /* larger than prepared: 32 channels at 30x30 */
    conv_shape l = {1, 32, 30, 30, 8, 3, 1, 1, 30, 30};
    float *lx = uniform_buf(x_count(&l), 63), *lw = uniform_buf(w_count(&l), 64);
    float *ly = calloc(y_count(&l), sizeof(float));
    double *ref = malloc(y_count(&l) * sizeof(double));
    sc_tensor tlx = sc_tensor_4d(lx, SC_F32, l.n, l.c, l.h, l.w);
    sc_tensor tlw = sc_tensor_4d(lw, SC_F32, l.k, l.c, 3, 3);
    sc_tensor tly = sc_tensor_4d(ly, SC_F32, l.n, l.k, l.oh, l.ow);
    ck_assert_int_eq(be->ops->conv2d_fwd(be, &p, &tlx, &tlw, &tly), SC_OK);
    ck_assert_uint_ge(ctx->column_stride, 32 * 9 * 30 * 30);
    naive_conv(&l, NAIVE_FWD, lx, lw, ref);
    ck_assert(rel_err_vs(ly, NULL, ref, y_count(&l)) <= 1e-5);
    free(x);
    free(w);
    free(y);
    free(dw);
    free(lx);
    free(lw);
    free(ly);
    free(ref);
    sc_backend_destroy(be);
}
END_TEST

/* ---- batch norm --------------------------------------------------------------------------- */

/* x (N=2, C=2, H=1, W=2): channel 0 holds {1, 2, 3, 4}, channel 1 {10, 10.5, 9, 12}. */
static const float bn_x[8] = {1.0f, 2.0f, 10.0f, 10.5f, 3.0f, 4.0f, 9.0f, 12.0f};
/* By hand: channel 0 mean 2.5, biased var 1.25, unbiased 5/3; channel 1 mean 10.375, squared
 * deviations 0.140625 + 0.015625 + 1.890625 + 2.640625 = 4.6875, biased var 1.171875,
 * unbiased 1.5625. */
static const double bn_mean[2] = {2.5, 10.375};
static const double bn_var_biased[2] = {1.25, 1.171875};

START_TEST(test_bn_train_running_stats) {
    sc_backend *be = sc_check_cpu(2);
    sc_bn_params p = {1e-5f, 0.1f};
    float gamma[2] = {2.0f, 0.5f}, beta[2] = {0.1f, -0.2f};
    float running_mean[2] = {0.5f, -1.0f}, running_var[2] = {2.0f, 0.5f};
    float save_mean[2], save_invstd[2], y[8];
    sc_tensor x = sc_tensor_4d((float *)bn_x, SC_F32, 2, 2, 1, 2);
    sc_tensor ty = sc_tensor_4d(y, SC_F32, 2, 2, 1, 2);
    sc_tensor g = sc_tensor_1d(gamma, SC_F32, 2), b = sc_tensor_1d(beta, SC_F32, 2);
    sc_tensor rm = sc_tensor_1d(running_mean, SC_F32, 2), rv = sc_tensor_1d(running_var, SC_F32, 2);
    sc_tensor sm = sc_tensor_1d(save_mean, SC_F32, 2), si = sc_tensor_1d(save_invstd, SC_F32, 2);
    ck_assert_msg(be->ops->bn_train_fwd(be, &p, &x, &g, &b, &rm, &rv, &sm, &si, &ty) == SC_OK, "%s",
                  be->err.msg);
    /* running = 0.9 * running + 0.1 * batch, with the unbiased variance:
     * mean: 0.9 * 0.5 + 0.25 = 0.7, 0.9 * -1 + 1.0375 = 0.1375;
     * var: 0.9 * 2 + 0.1 * 5/3 = 1.9666667, 0.9 * 0.5 + 0.15625 = 0.60625. */
    ck_assert_float_eq_tol(running_mean[0], 0.7f, 1e-6f);
    ck_assert_float_eq_tol(running_mean[1], 0.1375f, 1e-6f);
    ck_assert_float_eq_tol(running_var[0], 1.9666667f, 1e-6f);
    ck_assert_float_eq_tol(running_var[1], 0.60625f, 1e-6f);
    for (int c = 0; c < 2; c++) {
        double invstd = 1.0 / sqrt(bn_var_biased[c] + 1e-5);
        ck_assert_float_eq_tol(save_mean[c], (float)bn_mean[c], 1e-6f);
        ck_assert_float_eq_tol(save_invstd[c], (float)invstd, 1e-6f);
        for (int n = 0; n < 2; n++)
            for (int i = 0; i < 2; i++) {
                int at = (n * 2 + c) * 2 + i;
                double expect = (bn_x[at] - bn_mean[c]) * invstd * gamma[c] + beta[c];
                ck_assert_msg(fabs(y[at] - expect) <= 1e-5, "y[%d] = %g, expected %g", at,
                              (double)y[at], expect);
            }
    }

    /* momentum 0: batch statistics, running statistics untouched (bit for bit) */
    float mean_before[2], var_before[2];
    memcpy(mean_before, running_mean, sizeof mean_before);
    memcpy(var_before, running_var, sizeof var_before);
    sc_bn_params frozen = {1e-5f, 0.0f};
    float y_frozen[8];
    sc_tensor tyf = sc_tensor_4d(y_frozen, SC_F32, 2, 2, 1, 2);
    ck_assert_int_eq(be->ops->bn_train_fwd(be, &frozen, &x, &g, &b, &rm, &rv, &sm, &si, &tyf),
                     SC_OK);
    ck_assert(memcmp(mean_before, running_mean, sizeof mean_before) == 0);
    ck_assert(memcmp(var_before, running_var, sizeof var_before) == 0);
    ck_assert(memcmp(y, y_frozen, sizeof y) == 0);
    sc_backend_destroy(be);
}
END_TEST

/* Statistics of values far from zero (1000 + U(-1, 1)) stay accurate: the variance is not
 * taken as E[x^2] - E[x]^2, which loses every digit in float (and six in double). */
START_TEST(test_bn_statistics_with_large_offset) {
    sc_backend *be = sc_check_cpu(2);
    enum { N = 8, C = 3, H = 30, W = 31 };
    const size_t count = (size_t)N * C * H * W;
    float *x_data = uniform_buf(count, 81);
    for (size_t i = 0; i < count; i++)
        x_data[i] += 1000.0f;
    float *y_data = malloc(count * sizeof(float));
    ck_assert_ptr_nonnull(y_data);
    float gamma[C] = {1, 1, 1}, beta[C] = {0, 0, 0};
    float running_mean[C] = {0}, running_var[C] = {1, 1, 1};
    float save_mean[C], save_invstd[C];
    sc_bn_params p = {1e-5f, 1.0f}; /* momentum 1: running = batch statistics */
    sc_tensor x = sc_tensor_4d(x_data, SC_F32, N, C, H, W);
    sc_tensor y = sc_tensor_4d(y_data, SC_F32, N, C, H, W);
    sc_tensor g = sc_tensor_1d(gamma, SC_F32, C), b = sc_tensor_1d(beta, SC_F32, C);
    sc_tensor rm = sc_tensor_1d(running_mean, SC_F32, C), rv = sc_tensor_1d(running_var, SC_F32, C);
    sc_tensor sm = sc_tensor_1d(save_mean, SC_F32, C), si = sc_tensor_1d(save_invstd, SC_F32, C);
    ck_assert_int_eq(be->ops->bn_train_fwd(be, &p, &x, &g, &b, &rm, &rv, &sm, &si, &y), SC_OK);
    const size_t per_channel = (size_t)N * H * W, hw = (size_t)H * W;
    for (int c = 0; c < C; c++) {
        double mean = 0.0, sq = 0.0;
        for (int n = 0; n < N; n++)
            for (size_t i = 0; i < hw; i++)
                mean += x_data[((size_t)n * C + c) * hw + i];
        mean /= (double)per_channel;
        for (int n = 0; n < N; n++)
            for (size_t i = 0; i < hw; i++) {
                double d = x_data[((size_t)n * C + c) * hw + i] - mean;
                sq += d * d;
            }
        double unbiased = sq / (double)(per_channel - 1);
        ck_assert_msg(fabs(running_mean[c] - mean) <= 1e-4, "channel %d mean %.9g, expected %.9g",
                      c, (double)running_mean[c], mean);
        ck_assert_msg(fabs(running_var[c] / unbiased - 1.0) <= 1e-5,
                      "channel %d variance %.9g, expected %.9g", c, (double)running_var[c],
                      unbiased);
        ck_assert_msg(fabs(save_invstd[c] * sqrt(sq / (double)per_channel + 1e-5) - 1.0) <= 1e-5,
                      "channel %d invstd %.9g", c, (double)save_invstd[c]);
    }
    free(x_data);
    free(y_data);
    sc_backend_destroy(be);
}
END_TEST

START_TEST(test_bn_infer_forward) {
    sc_backend *be = sc_check_cpu(2);
    sc_bn_params p = {1e-3f, 0.1f};
    float gamma[2] = {2.0f, 0.5f}, beta[2] = {0.1f, -0.2f};
    float running_mean[2] = {0.5f, -1.0f}, running_var[2] = {2.0f, 0.5f};
    float y[8];
    sc_tensor x = sc_tensor_4d((float *)bn_x, SC_F32, 2, 2, 1, 2);
    sc_tensor ty = sc_tensor_4d(y, SC_F32, 2, 2, 1, 2);
    sc_tensor g = sc_tensor_1d(gamma, SC_F32, 2), b = sc_tensor_1d(beta, SC_F32, 2);
    sc_tensor rm = sc_tensor_1d(running_mean, SC_F32, 2), rv = sc_tensor_1d(running_var, SC_F32, 2);
    ck_assert_int_eq(be->ops->bn_infer_fwd(be, &p, &x, &g, &b, &rm, &rv, &ty), SC_OK);
    for (int at = 0; at < 8; at++) {
        int c = (at / 2) % 2;
        double expect =
            (bn_x[at] - running_mean[c]) / sqrt(running_var[c] + 1e-3) * gamma[c] + beta[c];
        ck_assert_msg(fabs(y[at] - expect) <= 1e-5, "y[%d] = %g, expected %g", at, (double)y[at],
                      expect);
    }
    ck_assert_float_eq(running_mean[0], 0.5f); /* inference never touches the statistics */
    ck_assert_float_eq(running_var[1], 0.5f);
    sc_backend_destroy(be);
}
END_TEST

/* ---- pooling ------------------------------------------------------------------------------ */

static void maxpool_run(sc_backend *be, sc_pool_params p, int h, int w, const float *x_data,
                        int oh, int ow, float *y_data, const float *dy_data, float *dx_data) {
    sc_tensor x = sc_tensor_4d((float *)x_data, SC_F32, 1, 1, h, w);
    sc_tensor y = sc_tensor_4d(y_data, SC_F32, 1, 1, oh, ow);
    sc_tensor dy = sc_tensor_4d((float *)dy_data, SC_F32, 1, 1, oh, ow);
    sc_tensor dx = sc_tensor_4d(dx_data, SC_F32, 1, 1, h, w);
    ck_assert_msg(be->ops->maxpool_fwd(be, &p, &x, &y) == SC_OK, "%s", be->err.msg);
    ck_assert_msg(be->ops->maxpool_bwd(be, &p, &x, &y, &dy, &dx, 0) == SC_OK, "%s", be->err.msg);
}

START_TEST(test_maxpool_ties_and_padding) {
    sc_backend *be = sc_check_cpu(2);
    float y[4], dx[9];
    /* ties: the first maximum in row-major window order gets the gradient */
    const float x_tie[8] = {0, 5, 2, 2,
                            5, 1, 2, 2};
    const float dy2[2] = {3.0f, 7.0f};
    maxpool_run(be, (sc_pool_params){2, 2, 0}, 2, 4, x_tie, 1, 2, y, dy2, dx);
    ck_assert_float_eq(y[0], 5.0f);
    ck_assert_float_eq(y[1], 2.0f);
    const float dx_tie[8] = {0, 3, 7, 0,
                             0, 0, 0, 0};
    for (int i = 0; i < 8; i++)
        ck_assert_msg(dx[i] == dx_tie[i], "tie: dx[%d] = %g, expected %g", i, (double)dx[i],
                      (double)dx_tie[i]);

    /* padding never wins: all-negative input, 3x3 stride 2 pad 1 */
    float x_neg[9];
    for (int i = 0; i < 9; i++)
        x_neg[i] = -3.0f;
    const float dy4[4] = {1, 2, 4, 8};
    maxpool_run(be, (sc_pool_params){3, 2, 1}, 3, 3, x_neg, 2, 2, y, dy4, dx);
    for (int i = 0; i < 4; i++)
        ck_assert_msg(y[i] == -3.0f, "padding won: y[%d] = %g", i, (double)y[i]);
    /* each window's first real pixel: (0,0), (0,1), (1,0), (1,1) */
    const float dx_neg[9] = {1, 2, 0,
                             4, 8, 0,
                             0, 0, 0};
    for (int i = 0; i < 9; i++)
        ck_assert_msg(dx[i] == dx_neg[i], "padding: dx[%d] = %g, expected %g", i, (double)dx[i],
                      (double)dx_neg[i]);

    /* overlapping windows (3, stride 1, pad 1) that share one maximum add up there */
    const float x_row[3] = {1, 3, 2};
    const float dy3[3] = {1, 10, 100};
    maxpool_run(be, (sc_pool_params){3, 1, 1}, 1, 3, x_row, 1, 3, y, dy3, dx);
    ck_assert(y[0] == 3.0f && y[1] == 3.0f && y[2] == 3.0f);
    ck_assert(dx[0] == 0.0f && dx[1] == 111.0f && dx[2] == 0.0f);
    sc_backend_destroy(be);
}
END_TEST

START_TEST(test_gap_forward_backward) {
    sc_backend *be = sc_check_cpu(2);
    const float x_data[6] = {1, 2, 3, 4, 5, 9};
    float y_data[2], dx_data[6];
    const float dy_data[2] = {3, 6};
    sc_tensor x = sc_tensor_4d((float *)x_data, SC_F32, 1, 2, 1, 3);
    sc_tensor y = sc_tensor_4d(y_data, SC_F32, 1, 2, 1, 1);
    sc_tensor dy = sc_tensor_4d((float *)dy_data, SC_F32, 1, 2, 1, 1);
    sc_tensor dx = sc_tensor_4d(dx_data, SC_F32, 1, 2, 1, 3);
    ck_assert_int_eq(be->ops->gap_fwd(be, &x, &y), SC_OK);
    ck_assert_float_eq(y_data[0], 2.0f);
    ck_assert_float_eq(y_data[1], 6.0f);
    ck_assert_int_eq(be->ops->gap_bwd(be, &dy, &dx, 0), SC_OK);
    for (int i = 0; i < 6; i++)
        ck_assert_float_eq(dx_data[i], i < 3 ? 1.0f : 2.0f);
    sc_backend_destroy(be);
}
END_TEST

START_TEST(test_linear_forward) {
    sc_backend *be = sc_check_cpu(2);
    enum { N = 3, IN = 7, OUT = 5 };
    float *x_data = uniform_buf(N * IN, 71), *w_data = uniform_buf(OUT * IN, 72);
    float *b_data = uniform_buf(OUT, 73);
    float y_bias[N * OUT], y_plain[N * OUT];
    sc_tensor x = sc_tensor_4d(x_data, SC_F32, N, IN, 1, 1); /* as it comes out of a GAP */
    sc_tensor w = sc_tensor_2d(w_data, SC_F32, OUT, IN), b = sc_tensor_1d(b_data, SC_F32, OUT);
    sc_tensor yb = sc_tensor_2d(y_bias, SC_F32, N, OUT), yp = sc_tensor_2d(y_plain, SC_F32, N, OUT);
    ck_assert_int_eq(be->ops->linear_fwd(be, &x, &w, &b, &yb), SC_OK);
    ck_assert_int_eq(be->ops->linear_fwd(be, &x, &w, NULL, &yp), SC_OK);
    for (int n = 0; n < N; n++)
        for (int o = 0; o < OUT; o++) {
            double dot = 0.0;
            for (int i = 0; i < IN; i++)
                dot += (double)x_data[n * IN + i] * w_data[o * IN + i];
            ck_assert(fabs(y_plain[n * OUT + o] - dot) <= 1e-5);
            ck_assert(fabs(y_bias[n * OUT + o] - (dot + b_data[o])) <= 1e-5);
        }
    free(x_data);
    free(w_data);
    free(b_data);
    sc_backend_destroy(be);
}
END_TEST

/* ---- loss and optimizer ------------------------------------------------------------------- */

START_TEST(test_xent_by_hand) {
    sc_backend *be = sc_check_cpu(2);
    /* row 0: label 2 is the argmax (correct); row 1: a tie between classes 0 and 1, label 1:
     * the lowest index (0) is the prediction, so it counts as wrong. */
    const float logits_data[6] = {1, 2, 3, 2, 2, 1};
    int32_t labels_data[2] = {2, 1};
    float dlogits_data[6];
    float stats_data[2] = {1.0f, 5.0f}; /* stats accumulate */
    sc_tensor logits = sc_tensor_2d((float *)logits_data, SC_F32, 2, 3);
    sc_tensor labels = sc_tensor_1d(labels_data, SC_I32, 2);
    sc_tensor dlogits = sc_tensor_2d(dlogits_data, SC_F32, 2, 3);
    sc_tensor stats = sc_tensor_1d(stats_data, SC_F32, 2);
    for (int smoothing_case = 0; smoothing_case < 2; smoothing_case++) {
        sc_xent_params p = {smoothing_case ? 0.1f : 0.0f, 2.0f};
        float before[2] = {stats_data[0], stats_data[1]};
        ck_assert_msg(be->ops->softmax_xent(be, &p, &logits, &labels, &dlogits, &stats) == SC_OK,
                      "%s", be->err.msg);
        double loss_sum = 0.0;
        for (int n = 0; n < 2; n++) {
            const float *row = logits_data + 3 * n;
            double z = exp(row[0]) + exp(row[1]) + exp(row[2]);
            for (int j = 0; j < 3; j++) {
                double prob = exp(row[j]) / z;
                double target = (j == labels_data[n] ? 1.0 - p.label_smoothing : 0.0) +
                                p.label_smoothing / 3.0;
                loss_sum -= target * log(prob);
                double grad = 2.0 * (prob - target) / 2.0; /* grad_scale (prob - t) / N */
                ck_assert_msg(fabs(dlogits_data[3 * n + j] - grad) <= 1e-6,
                              "smoothing %g: dlogits[%d][%d] = %g, expected %g",
                              (double)p.label_smoothing, n, j, (double)dlogits_data[3 * n + j],
                              grad);
            }
        }
        ck_assert_msg(fabs(stats_data[0] - before[0] - loss_sum) <= 1e-5,
                      "loss sum %g, expected %g", (double)(stats_data[0] - before[0]), loss_sum);
        ck_assert_float_eq(stats_data[1] - before[1], 1.0f);
    }
    /* without smoothing the first row's loss is log(1 + e^-1 + e^-2) = 0.40760596 */
    float fresh[2] = {0.0f, 0.0f};
    const int32_t one_label = 2;
    sc_tensor first_row = sc_tensor_2d((float *)logits_data, SC_F32, 1, 3);
    sc_tensor first_label = sc_tensor_1d((int32_t *)&one_label, SC_I32, 1);
    sc_tensor fresh_stats = sc_tensor_1d(fresh, SC_F32, 2);
    sc_xent_params plain = {0.0f, 1.0f};
    ck_assert_int_eq(
        be->ops->softmax_xent(be, &plain, &first_row, &first_label, NULL, &fresh_stats), SC_OK);
    ck_assert_float_eq_tol(fresh[0], 0.40760596f, 1e-6f);
    ck_assert_float_eq(fresh[1], 1.0f);
    sc_backend_destroy(be);
}
END_TEST

/* Two steps of torch.optim.SGD from param 1.0 with gradients 0.5 then -0.25, lr 0.1, worked
 * out by hand (momentum buffers start at 0, so the first buffer is the gradient):
 *   plain:            0.95, then 0.975
 *   momentum 0.9:     buf 0.5, p 0.95; buf 0.45 - 0.25 = 0.2, p 0.93
 *   nesterov 0.9:     step 0.5 + 0.45 = 0.95, p 0.905; buf 0.2, step -0.25 + 0.18, p 0.912
 *   momentum 0.9, wd 0.01: g 0.51, p 0.949; g -0.25 + 0.00949 = -0.24051,
 *                     buf 0.459 - 0.24051 = 0.21849, p 0.949 - 0.021849 = 0.927151 */
START_TEST(test_sgd_two_steps_by_hand) {
    static const struct {
        sc_sgd_params p;
        float after_one, after_two;
    } cases[4] = {
        {{0.1f, 0.0f, 0.0f, 0}, 0.95f, 0.975f},
        {{0.1f, 0.9f, 0.0f, 0}, 0.95f, 0.93f},
        {{0.1f, 0.9f, 0.0f, 1}, 0.905f, 0.912f},
        {{0.1f, 0.9f, 0.01f, 0}, 0.949f, 0.927151f},
    };
    sc_backend *be = sc_check_cpu(2);
    const size_t n = 40000; /* above the parallel threshold: every element must agree */
    float *param = malloc(n * sizeof(float)), *grad = malloc(n * sizeof(float));
    float *momentum = malloc(n * sizeof(float));
    ck_assert(param && grad && momentum);
    sc_tensor tp = sc_tensor_1d(param, SC_F32, (int64_t)n);
    sc_tensor tg = sc_tensor_1d(grad, SC_F32, (int64_t)n);
    sc_tensor tm = sc_tensor_1d(momentum, SC_F32, (int64_t)n);
    for (int c = 0; c < 4; c++) {
        for (size_t i = 0; i < n; i++) {
            param[i] = 1.0f;
            grad[i] = 0.5f;
            momentum[i] = 0.0f;
        }
        ck_assert_int_eq(be->ops->sgd_update(be, &cases[c].p, &tp, &tg, &tm), SC_OK);
        for (size_t i = 0; i < n; i++)
            ck_assert_msg(fabsf(param[i] - cases[c].after_one) <= 1e-6f,
                          "case %d step 1: param[%zu] = %.7g, expected %.7g", c, i,
                          (double)param[i], (double)cases[c].after_one);
        for (size_t i = 0; i < n; i++)
            grad[i] = -0.25f;
        ck_assert_int_eq(be->ops->sgd_update(be, &cases[c].p, &tp, &tg, &tm), SC_OK);
        for (size_t i = 0; i < n; i++)
            ck_assert_msg(fabsf(param[i] - cases[c].after_two) <= 1e-6f,
                          "case %d step 2: param[%zu] = %.7g, expected %.7g", c, i,
                          (double)param[i], (double)cases[c].after_two);
    }
    free(param);
    free(grad);
    free(momentum);
    sc_backend_destroy(be);
}
END_TEST

static Suite *cpu_ops_suite(void) {
    Suite *s = suite_create("cpu_ops");
    TCase *conv = tcase_create("conv2d");
    tcase_add_test(conv, test_conv_against_direct_loops);
    tcase_add_test(conv, test_conv_thread_count_independent);
    tcase_add_test(conv, test_conv_prepare_sizes_scratch);
    suite_add_tcase(s, conv);
    TCase *other = tcase_create("other ops");
    tcase_add_test(other, test_bn_train_running_stats);
    tcase_add_test(other, test_bn_statistics_with_large_offset);
    tcase_add_test(other, test_bn_infer_forward);
    tcase_add_test(other, test_maxpool_ties_and_padding);
    tcase_add_test(other, test_gap_forward_backward);
    tcase_add_test(other, test_linear_forward);
    tcase_add_test(other, test_xent_by_hand);
    tcase_add_test(other, test_sgd_two_steps_by_hand);
    suite_add_tcase(s, other);
    return s;
}

int main(void) {
    return sc_check_run(cpu_ops_suite());
}
