/* Convolution on the CPU. Builds with oneDNN run it through oneDNN (cpu_dnnl_conv.c) after the
 * shape checks here, except the backward passes of convolutions with fewer than
 * SC_CPU_DNNL_MIN_BWD_CHANNELS input channels (a network's stem): oneDNN pads those channels to
 * a vector block and took 3-14x the CPU time of im2col + OpenBLAS there (tools/BENCHMARKS.md).
 * (SCAAT_CPU_CONV=onednn sends those to oneDNN too.)
 * Without oneDNN, or with SCAAT_CPU_CONV=im2col, per image, im2col (cpu_im2col.c) and one
 * OpenBLAS GEMM, with the images of a batch spread over an OpenMP team (OpenBLAS itself runs
 * single-threaded):
 *
 *   forward      y_n (K, P)             = w (K, C*R*S) x columns_n (C*R*S, P)
 *   bwd_data     columns (C*R*S, P)     = w^T x dy_n, then col2im into dx_n
 *   bwd_filter   dw (K, C*R*S)         += sum_n dy_n x columns_n^T, one partial sum per image
 *                                          group, the groups added in order
 *
 * (P = OH*OW.) A 1x1 convolution with stride 1 and no padding needs no im2col: x_n is its own
 * column matrix. Taking several images per GEMM (wider matrices for small planes) was
 * measured on ResNet-8's shapes and gained nothing, and on ResNet-18's 7x7 and 4x4 stages
 * (2026-11-26) about 2% end to end, within noise; so each GEMM is one image.
 * The column buffers and filter-gradient partials come from the backend context;
 * conv2d_prepare sizes them for every shape before training, and an op called with a larger
 * shape than prepared grows them itself (correct, but it allocates inside the step). */
#include <cblas.h>
#include <limits.h>
#include <omp.h>
#include <string.h>

#include "../backend/shape_check.h"
#include "cpu_im2col.h"
#include "cpu_internal.h"

#ifdef SCAAT_HAVE_DNNL
#define SC_CPU_DNNL_MIN_BWD_CHANNELS 16

/* The oneDNN context when it runs this direction for an x (N, C, H, W), else NULL. */
static sc_cpu_dnnl *onednn_for(sc_backend *be, sc_op op, const sc_tensor *x) {
    const sc_cpu_ctx *ctx = sc_cpu_ctx_of(be);
    if (op != SC_OP_CONV2D_FWD && x->shape[1] < SC_CPU_DNNL_MIN_BWD_CHANNELS &&
        !ctx->dnnl_everywhere)
        return NULL;
    return ctx->dnnl;
}
#endif

/* Everything a convolution call needs to know about its shapes and work split. */
typedef struct conv_plan {
    sc_conv_geom g;
    int batch, out_c;
    int rows;       /* C * R * S: rows of the column matrix */
    int plane;      /* OH * OW: its columns */
    size_t x_image; /* floats per image of x (C * H * W) */
    size_t y_image; /* floats per image of y (K * OH * OW) */
    int direct;     /* 1x1, stride 1, no padding: x_n is its own column matrix */
    int parallel;   /* big enough to use the team */
} conv_plan;

static conv_plan plan_of(const sc_conv_params *p, const sc_tensor *x, const sc_tensor *w,
                         const sc_tensor *y) {
    conv_plan c;
    c.g.channels = (int)x->shape[1];
    c.g.height = (int)x->shape[2];
    c.g.width = (int)x->shape[3];
    c.g.kernel_h = (int)w->shape[2];
    c.g.kernel_w = (int)w->shape[3];
    c.g.stride = p->stride;
    c.g.pad = p->pad;
    c.g.out_height = (int)y->shape[2];
    c.g.out_width = (int)y->shape[3];
    c.batch = (int)x->shape[0];
    c.out_c = (int)w->shape[0];
    c.rows = c.g.channels * c.g.kernel_h * c.g.kernel_w;
    c.plane = c.g.out_height * c.g.out_width;
    c.x_image = (size_t)c.g.channels * c.g.height * c.g.width;
    c.y_image = (size_t)c.out_c * c.plane;
    c.direct = c.g.kernel_h == 1 && c.g.kernel_w == 1 && p->stride == 1 && p->pad == 0;
    c.parallel = c.batch > 1 &&
                 (int64_t)c.batch * c.out_c * c.rows * c.plane >= SC_CPU_PARALLEL_MIN_MACS;
    return c;
}

/* Shape validation without touching data (prepare gets NULL pointers), plus the limits of
 * OpenBLAS's int dimensions. */
static sc_status check_geometry(sc_backend *be, sc_op op, const sc_conv_params *p,
                                const sc_tensor *x, const sc_tensor *w, const sc_tensor *y) {
    const sc_tensor *tensors[3] = {x, w, y};
    const char *names[3] = {"x", "w", "y"};
    for (int i = 0; i < 3; i++)
        if (!tensors[i] || tensors[i]->dtype != SC_F32 || tensors[i]->layout != SC_NCHW)
            return sc_fail(&be->err, SC_ERR_UNSUPPORTED, "%s: %s must be a F32 NCHW tensor",
                           sc_op_name(op), names[i]);
    SC_TRY(sc_check_conv(&be->err, op, p, x, w, y));
    int64_t rows = w->shape[1] * w->shape[2] * w->shape[3];
    int64_t plane = y->shape[2] * y->shape[3];
    if (rows * plane > INT_MAX || w->shape[0] * rows > INT_MAX ||
        x->shape[1] * x->shape[2] * x->shape[3] > INT_MAX)
        return sc_fail(&be->err, SC_ERR_UNSUPPORTED,
                       "%s: one image's im2col matrix (%lld x %lld) exceeds the 2^31 elements "
                       "OpenBLAS can address", sc_op_name(op), (long long)rows, (long long)plane);
    return SC_OK;
}

static sc_status check_call(sc_backend *be, sc_op op, const sc_conv_params *p, const sc_tensor *x,
                            const sc_tensor *w, const sc_tensor *y, const char *const names[3]) {
    const sc_tensor *tensors[3] = {x, w, y};
    SC_TRY(sc_cpu_check_f32_all(be, op, tensors, names, 3));
    return check_geometry(be, op, p, x, w, y);
}

static sc_status reserve_for(sc_backend *be, const conv_plan *c) {
    size_t columns = c->direct ? 0 : (size_t)c->rows * c->plane;
    return sc_cpu_reserve_conv_scratch(be, columns, (size_t)c->out_c * c->rows);
}

/* This thread's column buffer (C*R*S, P). */
static float *own_columns(const sc_cpu_ctx *ctx) {
    return ctx->columns + (size_t)omp_get_thread_num() * ctx->column_stride;
}

sc_status sc_cpu_conv2d_prepare(sc_backend *be, const sc_conv_params *p, const sc_tensor *x,
                                const sc_tensor *w, const sc_tensor *y) {
    SC_TRY(check_geometry(be, SC_OP_CONV2D_FWD, p, x, w, y));
#ifdef SCAAT_HAVE_DNNL
    sc_cpu_dnnl *dnnl = sc_cpu_ctx_of(be)->dnnl;
    if (dnnl)
        SC_TRY(sc_cpu_dnnl_conv_prepare(be, dnnl, p, x, w, y));
    if (onednn_for(be, SC_OP_CONV2D_BWD_DATA, x))
        return SC_OK;
#endif
    const conv_plan c = plan_of(p, x, w, y);
    return reserve_for(be, &c);
}

sc_status sc_cpu_conv2d_fwd(sc_backend *be, const sc_conv_params *p, const sc_tensor *x,
                            const sc_tensor *w, const sc_tensor *y) {
    static const char *const names[3] = {"x", "w", "y"};
    SC_TRY(check_call(be, SC_OP_CONV2D_FWD, p, x, w, y, names));
#ifdef SCAAT_HAVE_DNNL
    sc_cpu_dnnl *dnnl = onednn_for(be, SC_OP_CONV2D_FWD, x);
    if (dnnl)
        return sc_cpu_dnnl_conv_fwd(be, dnnl, p, x, w, y);
#endif
    const conv_plan c = plan_of(p, x, w, y);
    SC_TRY(reserve_for(be, &c));
    const sc_cpu_ctx *ctx = sc_cpu_ctx_of(be);
    const float *x_data = sc_f32(x); /* (N, C, H, W) */
    const float *w_data = sc_f32(w); /* (K, C, R, S) */
    float *y_data = sc_f32(y);       /* (N, K, OH, OW) */
#pragma omp parallel for num_threads(ctx->threads) if (c.parallel) schedule(dynamic)
    for (int n = 0; n < c.batch; n++) {
        const float *x_n = x_data + n * c.x_image; /* (C, H, W) */
        const float *columns = x_n;                /* (C*R*S, P) */
        if (!c.direct) {
            float *own = own_columns(ctx);
            sc_cpu_im2col(&c.g, x_n, own);
            columns = own;
        }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, c.out_c, c.plane, c.rows, 1.0f,
                    w_data, c.rows, columns, c.plane, 0.0f, y_data + n * c.y_image, c.plane);
    }
    return SC_OK;
}

sc_status sc_cpu_conv2d_bwd_data(sc_backend *be, const sc_conv_params *p, const sc_tensor *dy,
                                 const sc_tensor *w, const sc_tensor *dx, int accumulate) {
    static const char *const names[3] = {"dx", "w", "dy"};
    SC_TRY(check_call(be, SC_OP_CONV2D_BWD_DATA, p, dx, w, dy, names));
#ifdef SCAAT_HAVE_DNNL
    sc_cpu_dnnl *dnnl = onednn_for(be, SC_OP_CONV2D_BWD_DATA, dx);
    if (dnnl)
        return sc_cpu_dnnl_conv_bwd_data(be, dnnl, p, dy, w, dx, accumulate);
#endif
    const conv_plan c = plan_of(p, dx, w, dy);
    SC_TRY(reserve_for(be, &c));
    const sc_cpu_ctx *ctx = sc_cpu_ctx_of(be);
    const float *dy_data = sc_f32(dy); /* (N, K, OH, OW) */
    const float *w_data = sc_f32(w);   /* (K, C, R, S) */
    float *dx_data = sc_f32(dx);       /* (N, C, H, W) */
#pragma omp parallel for num_threads(ctx->threads) if (c.parallel) schedule(dynamic)
    for (int n = 0; n < c.batch; n++) {
        float *dx_n = dx_data + n * c.x_image;       /* (C, H, W) */
        const float *dy_n = dy_data + n * c.y_image; /* (K, P) */
        if (c.direct) {
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, c.rows, c.plane, c.out_c, 1.0f,
                        w_data, c.rows, dy_n, c.plane, accumulate ? 1.0f : 0.0f, dx_n, c.plane);
            continue;
        }
        float *columns = own_columns(ctx); /* (C*R*S, P) */
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, c.rows, c.plane, c.out_c, 1.0f,
                    w_data, c.rows, dy_n, c.plane, 0.0f, columns, c.plane);
        if (!accumulate)
            memset(dx_n, 0, c.x_image * sizeof(float));
        sc_cpu_col2im_add(&c.g, columns, dx_n);
    }
    return SC_OK;
}

sc_status sc_cpu_conv2d_bwd_filter(sc_backend *be, const sc_conv_params *p, const sc_tensor *x,
                                   const sc_tensor *dy, const sc_tensor *dw) {
    static const char *const names[3] = {"x", "dw", "dy"};
    SC_TRY(check_call(be, SC_OP_CONV2D_BWD_FILTER, p, x, dw, dy, names));
#ifdef SCAAT_HAVE_DNNL
    sc_cpu_dnnl *dnnl = onednn_for(be, SC_OP_CONV2D_BWD_FILTER, x);
    if (dnnl)
        return sc_cpu_dnnl_conv_bwd_filter(be, dnnl, p, x, dy, dw);
#endif
    const conv_plan c = plan_of(p, x, dw, dy);
    SC_TRY(reserve_for(be, &c));
    const sc_cpu_ctx *ctx = sc_cpu_ctx_of(be);
    const int wgrad_size = c.out_c * c.rows;
    const float *x_data = sc_f32(x);   /* (N, C, H, W) */
    const float *dy_data = sc_f32(dy); /* (N, K, OH, OW) */
    float *dw_data = sc_f32(dw);       /* (K, C, R, S) */
    /* Groups of consecutive images, each summed into its own partial by whichever thread
     * takes it; the partials are then added to dw in group order (deterministic). */
    const int groups = c.parallel ? ctx->threads * SC_CPU_WGRAD_GROUPS_PER_THREAD : 1;
#pragma omp parallel num_threads(ctx->threads) if (c.parallel)
    {
#pragma omp for schedule(dynamic)
        for (int group = 0; group < groups; group++) {
            /* (K, C*R*S) */
            float *partial = ctx->wgrad_partials + (size_t)group * ctx->wgrad_stride;
            memset(partial, 0, (size_t)wgrad_size * sizeof(float));
            const int last = (int)((int64_t)c.batch * (group + 1) / groups);
            for (int n = (int)((int64_t)c.batch * group / groups); n < last; n++) {
                const float *x_n = x_data + n * c.x_image; /* (C, H, W) */
                const float *columns = x_n;                /* (C*R*S, P) */
                if (!c.direct) {
                    float *own = own_columns(ctx);
                    sc_cpu_im2col(&c.g, x_n, own);
                    columns = own;
                }
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, c.out_c, c.rows, c.plane,
                            1.0f, dy_data + n * c.y_image, c.plane, columns, c.plane, 1.0f,
                            partial, c.rows);
            }
        }
#pragma omp for schedule(static)
        for (int i = 0; i < wgrad_size; i++) {
            float sum = 0.0f;
            for (int group = 0; group < groups; group++)
                sum += ctx->wgrad_partials[(size_t)group * ctx->wgrad_stride + i];
            dw_data[i] += sum;
        }
    }
    return SC_OK;
}
