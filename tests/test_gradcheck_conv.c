/* Finite-difference checks of the CPU backend's conv2d backward ops (conv2d_bwd_data,
 * conv2d_bwd_filter) over kernel sizes 1, 3 and 7, strides 1 and 2 and paddings 0 to 3, and of
 * their gradient conventions: dx overwrites or adds by its accumulate flag, dw always adds
 * (tests/common/check_grad.h). Loss = sum(r * y) for a fixed random r, so the analytic gradient
 * is the backward pass seeded with dy = r. Builds with oneDNN run it again with every shape on
 * im2col + OpenBLAS and on oneDNN (tests/CMakeLists.txt, SCAAT_CPU_CONV). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "host/backend/backend.h"
#include "tests/common/check_grad.h"
#include "tests/common/check_ops.h"
#include "tests/common/check_run.h"

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
    f.x = sc_check_uniform(nx, 11 + _i, -1.0f, 1.0f);
    f.w = sc_check_uniform(nw, 12 + _i, -1.0f, 1.0f);
    f.r = sc_check_uniform(ny, 13 + _i, -1.0f, 1.0f);
    char what[128];
    snprintf(what, sizeof what, "conv case %d (%dx%d, stride %d, pad %d)", _i, f.cc.kernel,
             f.cc.kernel, f.cc.stride, f.cc.pad);

    float *dx = sc_check_filled(nx, NAN);
    ck_assert_int_eq(conv_dx_op(&f, dx, 0), SC_OK);
    sc_check_gradient(what, conv_forward, &f, f.x, nx, ny, f.r, dx, 1e-2f, 1e-3);
    float *dw = sc_check_filled(nw, 0.0f);
    ck_assert_int_eq(conv_dw_op(&f, dw), SC_OK);
    sc_check_gradient(what, conv_forward, &f, f.w, nw, ny, f.r, dw, 1e-2f, 1e-3);

    sc_check_accumulate_flag(what, conv_dx_op, &f, nx);
    sc_check_weight_accumulates(what, conv_dw_op, &f, nw);
    free(dx);
    free(dw);
    free(f.x);
    free(f.w);
    free(f.r);
    sc_backend_destroy(f.be);
}
END_TEST

static Suite *gradcheck_conv_suite(void) {
    Suite *s = suite_create("gradcheck_conv");
    TCase *tc = tcase_create("conv2d backward");
    tcase_add_loop_test(tc, test_conv_gradients, 0,
                        (int)(sizeof conv_cases / sizeof conv_cases[0]));
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    return sc_check_run(gradcheck_conv_suite());
}
