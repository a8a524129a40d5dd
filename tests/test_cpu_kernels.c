/* Which kernels the CPU backend really runs, so that a silent fallback to slow code fails a
 * test rather than a benchmark:
 *   - OpenBLAS on a generic core of an AVX2 / AVX-512 CPU is reported with the fix (CTest also
 *     runs this file with OPENBLAS_CORETYPE=Prescott, which forces that case);
 *   - in builds with oneDNN: the instruction set oneDNN picked matches the CPU's (AVX-512 or
 *     AVX2; CTest also runs it with ONEDNN_MAX_CPU_ISA=AVX2), every convolution primitive of
 *     the ResNet-8 / ResNet-18 CIFAR shapes is a JIT kernel of that ISA (never "ref"), and
 *     oneDNN's results equal the im2col + OpenBLAS path's within 1e-5 and are bit-identical
 *     from call to call. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/test_util.h"
#include "host/backend/backend.h"
#include "host/cpu/cpu_internal.h"
#include "tests/common/check_ops.h"
#include "tests/common/check_run.h"

static int cpu_has_avx512(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq");
}

static int cpu_has_avx2(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2");
}

START_TEST(test_openblas_generic_core_is_reported) {
    sc_backend *be = sc_check_cpu(1);
    char warning[192], line[512];
    sc_cpu_openblas_core_check(warning, sizeof warning);
    be->ops->describe(be, line, sizeof line);
    const char *forced = getenv("OPENBLAS_CORETYPE");
    if (forced && strcasecmp(forced, "Prescott") == 0 && cpu_has_avx2()) {
        ck_assert_msg(strstr(warning, "OPENBLAS_CORETYPE=") != NULL, "no fix in '%s'", warning);
        ck_assert_msg(strstr(warning, cpu_has_avx512() ? "SkylakeX" : "Haswell") != NULL,
                      "wrong core suggested: '%s'", warning);
        ck_assert_msg(strstr(line, "warning: ") && strstr(line, warning),
                      "the description does not carry the warning: '%s'", line);
    } else if (!warning[0]) {
        ck_assert_msg(strstr(line, "warning") == NULL, "unexpected warning in '%s'", line);
    } else {
        ck_assert_msg(strstr(line, warning) != NULL, "the warning '%s' is missing from '%s'",
                      warning, line);
    }
    sc_backend_destroy(be);
}
END_TEST

#ifdef SCAAT_HAVE_DNNL

/* "avx512" or "avx2": the family oneDNN must use on this CPU (ONEDNN_MAX_CPU_ISA=AVX2 caps
 * it), NULL on an older CPU. */
static const char *expected_isa_family(void) {
    const char *cap = getenv("ONEDNN_MAX_CPU_ISA");
    if (cpu_has_avx512() && !(cap && strcasecmp(cap, "AVX2") == 0))
        return "avx512";
    return cpu_has_avx2() ? "avx2" : NULL;
}

/* (C, K, H, W, kernel, stride, pad) of ResNet-8 on 28x28 and ResNet-18 (CIFAR stem) on 32x32. */
static const int resnet_convs[][7] = {
    {1, 16, 28, 28, 3, 1, 1},  {16, 16, 28, 28, 3, 1, 1}, {16, 32, 28, 28, 3, 2, 1},
    {16, 32, 28, 28, 1, 2, 0}, {32, 64, 14, 14, 3, 2, 1}, {64, 64, 7, 7, 3, 1, 1},
    {3, 64, 32, 32, 3, 1, 1},  {64, 64, 32, 32, 3, 1, 1}, {128, 256, 8, 8, 3, 2, 1},
    {256, 512, 8, 8, 1, 2, 0}, {512, 512, 4, 4, 3, 1, 1},
};
#define RESNET_CONVS (int)(sizeof resnet_convs / sizeof resnet_convs[0])

typedef struct conv_case {
    sc_conv_params p;
    sc_tensor x, w, y;
} conv_case;

static conv_case conv_case_of(int i, int batch, float *x, float *w, float *y) {
    const int *s = resnet_convs[i];
    conv_case c;
    c.p.stride = s[5];
    c.p.pad = s[6];
    int oh = (s[2] + 2 * s[6] - s[4]) / s[5] + 1, ow = (s[3] + 2 * s[6] - s[4]) / s[5] + 1;
    c.x = sc_tensor_4d(x, SC_F32, batch, s[0], s[2], s[3]);
    c.w = sc_tensor_4d(w, SC_F32, s[1], s[0], s[4], s[4]);
    c.y = sc_tensor_4d(y, SC_F32, batch, s[1], oh, ow);
    return c;
}

START_TEST(test_onednn_uses_jit_kernels_of_this_cpu) {
    sc_backend *be = sc_check_cpu(2);
    sc_cpu_ctx *ctx = sc_cpu_ctx_of(be);
    ck_assert_msg(ctx->dnnl != NULL, "a build with oneDNN must use it by default");
    const char *family = expected_isa_family();
    const char *isa = sc_cpu_dnnl_isa_name();
    char line[512];
    be->ops->describe(be, line, sizeof line);
    ck_assert_msg(strstr(line, "oneDNN") && strstr(line, isa), "description '%s'", line);
    if (family)
        ck_assert_msg(strncmp(isa, family, strlen(family)) == 0,
                      "oneDNN picked ISA %s on a CPU with %s", isa, family);
    for (int i = 0; i < RESNET_CONVS; i++) {
        conv_case c = conv_case_of(i, 128, NULL, NULL, NULL);
        const char *names[3];
        ck_assert_msg(sc_cpu_dnnl_conv_impls(be, ctx->dnnl, &c.p, &c.x, &c.w, &c.y, names) ==
                          SC_OK, "%s", be->err.msg);
        for (int d = 0; d < 3; d++) {
            ck_assert_msg(strstr(names[d], "ref") == NULL && strncmp(names[d], "jit", 3) == 0,
                          "resnet conv %d, direction %d: oneDNN chose '%s'", i, d, names[d]);
            if (family)
                ck_assert_msg(strstr(names[d], family) != NULL,
                              "resnet conv %d, direction %d: '%s' is not an %s kernel", i, d,
                              names[d], family);
        }
    }
    sc_backend_destroy(be);
}
END_TEST

/* One direction of case i on a backend: forward into y, bwd_data (accumulate or not) into dx,
 * bwd_filter onto dw. */
static void run_directions(sc_backend *be, int i, const float *x, const float *w,
                           const float *dy, float *y, float *dx, float *dw, int accumulate) {
    conv_case c = conv_case_of(i, 3, (float *)x, (float *)w, y);
    sc_tensor tdy = c.y, tdx = c.x, tdw = c.w;
    tdy.data = (void *)dy;
    tdx.data = dx;
    tdw.data = dw;
    EXPECT_OK(be, be->ops->conv2d_prepare(be, &c.p, &c.x, &c.w, &c.y));
    EXPECT_OK(be, be->ops->conv2d_fwd(be, &c.p, &c.x, &c.w, &c.y));
    EXPECT_OK(be, be->ops->conv2d_bwd_data(be, &c.p, &tdy, &c.w, &tdx, accumulate));
    EXPECT_OK(be, be->ops->conv2d_bwd_filter(be, &c.p, &c.x, &tdy, &tdw));
}

START_TEST(test_onednn_matches_im2col_and_repeats_bitwise) {
    const int accumulate = _i % 2, i = _i / 2;
    sc_backend *onednn = sc_check_cpu(2), *im2col = sc_check_cpu_conv(2, "im2col");
    ck_assert_ptr_nonnull(sc_cpu_ctx_of(onednn)->dnnl);
    ck_assert_ptr_null(sc_cpu_ctx_of(im2col)->dnnl);
    conv_case c = conv_case_of(i, 3, NULL, NULL, NULL);
    const size_t nx = (size_t)sc_tensor_numel(&c.x), nw = (size_t)sc_tensor_numel(&c.w),
                 ny = (size_t)sc_tensor_numel(&c.y);
    float *x = sc_check_floats(nx), *w = sc_check_floats(nw), *dy = sc_check_floats(ny);
    float *dx0 = sc_check_floats(nx), *dw0 = sc_check_floats(nw);
    sc_test_fill_uniform(x, nx, 11 + (uint64_t)i, -1.0f, 1.0f);
    sc_test_fill_uniform(w, nw, 12 + (uint64_t)i, -1.0f, 1.0f);
    sc_test_fill_uniform(dy, ny, 13 + (uint64_t)i, -1.0f, 1.0f);
    sc_test_fill_uniform(dx0, nx, 14 + (uint64_t)i, -1.0f, 1.0f);
    sc_test_fill_uniform(dw0, nw, 15 + (uint64_t)i, -1.0f, 1.0f);
    float *out[3][3]; /* [run: oneDNN, oneDNN again, im2col][y, dx, dw] */
    for (int run = 0; run < 3; run++) {
        out[run][0] = sc_check_floats(ny);
        out[run][1] = sc_check_floats(nx);
        out[run][2] = sc_check_floats(nw);
        memcpy(out[run][1], dx0, nx * sizeof(float));
        memcpy(out[run][2], dw0, nw * sizeof(float));
        run_directions(run < 2 ? onednn : im2col, i, x, w, dy, out[run][0], out[run][1],
                       out[run][2], accumulate);
    }
    const size_t counts[3] = {ny, nx, nw};
    static const char *const names[3] = {"forward", "bwd_data", "bwd_filter"};
    for (int d = 0; d < 3; d++) {
        ck_assert_msg(memcmp(out[0][d], out[1][d], counts[d] * sizeof(float)) == 0,
                      "resnet conv %d %s: two oneDNN calls differ", i, names[d]);
        double e = sc_test_max_rel_err(out[0][d], out[2][d], counts[d], 1e-3);
        ck_assert_msg(e <= 1e-5, "resnet conv %d %s (accumulate %d): oneDNN vs im2col %g", i,
                      names[d], accumulate, e);
    }
    for (int run = 0; run < 3; run++)
        for (int d = 0; d < 3; d++)
            free(out[run][d]);
    free(x);
    free(w);
    free(dy);
    free(dx0);
    free(dw0);
    sc_backend_destroy(onednn);
    sc_backend_destroy(im2col);
}
END_TEST

#else

START_TEST(test_build_without_onednn_uses_im2col) {
    sc_backend *be = sc_check_cpu(1);
    char line[512];
    be->ops->describe(be, line, sizeof line);
    ck_assert_msg(strstr(line, "convolutions im2col + OpenBLAS") != NULL, "'%s'", line);
    sc_backend_destroy(be);
}
END_TEST

#endif

static Suite *cpu_kernels_suite(void) {
    Suite *s = suite_create("cpu_kernels");
    TCase *tc = tcase_create("kernels");
    tcase_add_test(tc, test_openblas_generic_core_is_reported);
#ifdef SCAAT_HAVE_DNNL
    tcase_add_test(tc, test_onednn_uses_jit_kernels_of_this_cpu);
    tcase_add_loop_test(tc, test_onednn_matches_im2col_and_repeats_bitwise, 0, 2 * RESNET_CONVS);
#else
    tcase_add_test(tc, test_build_without_onednn_uses_im2col);
#endif
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return sc_check_run(cpu_kernels_suite()); }
