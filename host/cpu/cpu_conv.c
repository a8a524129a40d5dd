/* Convolution on the CPU: per image, im2col (cpu_im2col.c) then one OpenBLAS GEMM, with the
 * images of a batch spread over an OpenMP team (OpenBLAS itself runs single-threaded).
 *
 *   forward      y_n (K, OH*OW)    = w (K, C*R*S) x columns_n (C*R*S, OH*OW)
 *   bwd_data     columns (C*R*S, OH*OW) = w^T x dy_n, then col2im into dx_n
 *   bwd_filter   dw (K, C*R*S)     += sum_n dy_n x columns_n^T, one partial sum per thread
 *
 * A 1x1 convolution with stride 1 and no padding needs no im2col (x_n is its own column
 * matrix). The column buffers and filter-gradient partials come from the backend's scratch,
 * which conv2d_prepare sizes for every shape before training; an op called with a larger
 * shape than prepared grows the scratch itself (correct, but it allocates inside the step). */
#include <cblas.h>
#include <limits.h>
#include <omp.h>
#include <string.h>

#include "../backend/shape_check.h"
#include "cpu_im2col.h"
#include "cpu_internal.h"

static sc_conv_geom geom_of(const sc_conv_params *p, const sc_tensor *x, const sc_tensor *w,
                            const sc_tensor *y) {
    sc_conv_geom g;
    g.channels = (int)x->shape[1];
    g.height = (int)x->shape[2];
    g.width = (int)x->shape[3];
    g.kernel_h = (int)w->shape[2];
    g.kernel_w = (int)w->shape[3];
    g.stride = p->stride;
    g.pad = p->pad;
    g.out_height = (int)y->shape[2];
    g.out_width = (int)y->shape[3];
    return g;
}

/* Rows of the column matrix (C * R * S) and its columns (OH * OW). */
static int64_t column_rows(const sc_tensor *w) { return w->shape[1] * w->shape[2] * w->shape[3]; }
static int64_t out_plane(const sc_tensor *y) { return y->shape[2] * y->shape[3]; }

static int is_pointwise(const sc_conv_params *p, const sc_tensor *w) {
    return w->shape[2] == 1 && w->shape[3] == 1 && p->stride == 1 && p->pad == 0;
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
    int64_t per_image = x->shape[1] * x->shape[2] * x->shape[3];
    if (column_rows(w) * out_plane(y) > INT_MAX || per_image > INT_MAX ||
        w->shape[0] * column_rows(w) > INT_MAX)
        return sc_fail(&be->err, SC_ERR_UNSUPPORTED,
                       "%s: one image's im2col matrix (%lld x %lld) exceeds the 2^31 elements "
                       "OpenBLAS can address", sc_op_name(op), (long long)column_rows(w),
                       (long long)out_plane(y));
    return SC_OK;
}

static sc_status check_call(sc_backend *be, sc_op op, const sc_conv_params *p, const sc_tensor *x,
                            const sc_tensor *w, const sc_tensor *y, const char *const names[3]) {
    const sc_tensor *tensors[3] = {x, w, y};
    SC_TRY(sc_cpu_check_f32_all(be, op, tensors, names, 3));
    return check_geometry(be, op, p, x, w, y);
}

/* Whether a convolution is big enough to spread its images over the team. */
static int worth_parallel(const sc_tensor *w, const sc_tensor *y) {
    return y->shape[0] > 1 &&
           y->shape[0] * w->shape[0] * column_rows(w) * out_plane(y) >= SC_CPU_PARALLEL_MIN_MACS;
}

static sc_status reserve_for(sc_backend *be, const sc_conv_params *p, const sc_tensor *w,
                             const sc_tensor *y) {
    size_t columns = is_pointwise(p, w) ? 0 : (size_t)(column_rows(w) * out_plane(y));
    size_t wgrad = (size_t)(w->shape[0] * column_rows(w));
    return sc_cpu_reserve_conv_scratch(be, columns, wgrad);
}

sc_status sc_cpu_conv2d_prepare(sc_backend *be, const sc_conv_params *p, const sc_tensor *x,
                                const sc_tensor *w, const sc_tensor *y) {
    SC_TRY(check_geometry(be, SC_OP_CONV2D_FWD, p, x, w, y));
    return reserve_for(be, p, w, y);
}

sc_status sc_cpu_conv2d_fwd(sc_backend *be, const sc_conv_params *p, const sc_tensor *x,
                            const sc_tensor *w, const sc_tensor *y) {
    static const char *const names[3] = {"x", "w", "y"};
    SC_TRY(check_call(be, SC_OP_CONV2D_FWD, p, x, w, y, names));
    SC_TRY(reserve_for(be, p, w, y));
    sc_cpu_ctx *ctx = sc_cpu_ctx_of(be);
    const sc_conv_geom g = geom_of(p, x, w, y);
    const int batch = (int)x->shape[0];
    const int out_c = (int)w->shape[0];
    const int rows = (int)column_rows(w);
    const int plane = (int)out_plane(y);
    const size_t x_image = (size_t)g.channels * g.height * g.width;
    const size_t y_image = (size_t)out_c * plane;
    const int pointwise = is_pointwise(p, w);
    const int parallel = worth_parallel(w, y);
    const float *x_data = sc_f32(x); /* (N, C, H, W) */
    const float *w_data = sc_f32(w); /* (K, C, R, S) */
    float *y_data = sc_f32(y);       /* (N, K, OH, OW) */
#pragma omp parallel for num_threads(ctx->threads) if (parallel) schedule(static)
    for (int n = 0; n < batch; n++) {
        const float *x_n = x_data + n * x_image; /* (C, H, W) */
        const float *columns = x_n;              /* (C*R*S, OH*OW) */
        if (!pointwise) {
            float *own = ctx->columns + (size_t)omp_get_thread_num() * ctx->column_stride;
            sc_cpu_im2col(&g, x_n, own);
            columns = own;
        }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, out_c, plane, rows, 1.0f, w_data,
                    rows, columns, plane, 0.0f, y_data + n * y_image, plane);
    }
    return SC_OK;
}

sc_status sc_cpu_conv2d_bwd_data(sc_backend *be, const sc_conv_params *p, const sc_tensor *dy,
                                 const sc_tensor *w, const sc_tensor *dx, int accumulate) {
    static const char *const names[3] = {"dx", "w", "dy"};
    SC_TRY(check_call(be, SC_OP_CONV2D_BWD_DATA, p, dx, w, dy, names));
    SC_TRY(reserve_for(be, p, w, dy));
    sc_cpu_ctx *ctx = sc_cpu_ctx_of(be);
    const sc_conv_geom g = geom_of(p, dx, w, dy);
    const int batch = (int)dx->shape[0];
    const int out_c = (int)w->shape[0];
    const int rows = (int)column_rows(w);
    const int plane = (int)out_plane(dy);
    const size_t x_image = (size_t)g.channels * g.height * g.width;
    const size_t y_image = (size_t)out_c * plane;
    const int pointwise = is_pointwise(p, w);
    const int parallel = worth_parallel(w, dy);
    const float *dy_data = sc_f32(dy); /* (N, K, OH, OW) */
    const float *w_data = sc_f32(w);   /* (K, C, R, S) */
    float *dx_data = sc_f32(dx);       /* (N, C, H, W) */
#pragma omp parallel for num_threads(ctx->threads) if (parallel) schedule(static)
    for (int n = 0; n < batch; n++) {
        float *dx_n = dx_data + n * x_image;             /* (C, H, W) */
        const float *dy_n = dy_data + n * y_image;       /* (K, OH*OW) */
        if (pointwise) {
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, rows, plane, out_c, 1.0f, w_data,
                        rows, dy_n, plane, accumulate ? 1.0f : 0.0f, dx_n, plane);
            continue;
        }
        float *columns = ctx->columns + (size_t)omp_get_thread_num() * ctx->column_stride;
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, rows, plane, out_c, 1.0f, w_data,
                    rows, dy_n, plane, 0.0f, columns, plane);
        if (!accumulate)
            memset(dx_n, 0, x_image * sizeof(float));
        sc_cpu_col2im_add(&g, columns, dx_n);
    }
    return SC_OK;
}

sc_status sc_cpu_conv2d_bwd_filter(sc_backend *be, const sc_conv_params *p, const sc_tensor *x,
                                   const sc_tensor *dy, const sc_tensor *dw) {
    static const char *const names[3] = {"x", "dw", "dy"};
    SC_TRY(check_call(be, SC_OP_CONV2D_BWD_FILTER, p, x, dw, dy, names));
    SC_TRY(reserve_for(be, p, dw, dy));
    sc_cpu_ctx *ctx = sc_cpu_ctx_of(be);
    const sc_conv_geom g = geom_of(p, x, dw, dy);
    const int batch = (int)x->shape[0];
    const int out_c = (int)dw->shape[0];
    const int rows = (int)column_rows(dw);
    const int plane = (int)out_plane(dy);
    const int wgrad_size = out_c * rows;
    const size_t x_image = (size_t)g.channels * g.height * g.width;
    const size_t y_image = (size_t)out_c * plane;
    const int pointwise = is_pointwise(p, dw);
    const int parallel = worth_parallel(dw, dy);
    const float *x_data = sc_f32(x);   /* (N, C, H, W) */
    const float *dy_data = sc_f32(dy); /* (N, K, OH, OW) */
    float *dw_data = sc_f32(dw);       /* (K, C, R, S) */
#pragma omp parallel num_threads(ctx->threads) if (parallel)
    {
        /* Each thread sums its contiguous share of the images into its own partial... */
        const int team = omp_get_num_threads();
        const int tid = omp_get_thread_num();
        float *partial = ctx->wgrad_partials + (size_t)tid * ctx->wgrad_stride; /* (K, C*R*S) */
        float *own_columns = ctx->columns + (size_t)tid * ctx->column_stride;
        memset(partial, 0, (size_t)wgrad_size * sizeof(float));
        const int first = (int)((int64_t)batch * tid / team);
        const int last = (int)((int64_t)batch * (tid + 1) / team);
        for (int n = first; n < last; n++) {
            const float *x_n = x_data + n * x_image; /* (C, H, W) */
            const float *columns = x_n;              /* (C*R*S, OH*OW) */
            if (!pointwise) {
                sc_cpu_im2col(&g, x_n, own_columns);
                columns = own_columns;
            }
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, out_c, rows, plane, 1.0f,
                        dy_data + n * y_image, plane, columns, plane, 1.0f, partial, rows);
        }
        /* ...then the partials are added to dw in thread order (deterministic for a team). */
#pragma omp barrier
#pragma omp for schedule(static)
        for (int i = 0; i < wgrad_size; i++) {
            float sum = 0.0f;
            for (int t = 0; t < team; t++)
                sum += ctx->wgrad_partials[(size_t)t * ctx->wgrad_stride + i];
            dw_data[i] += sum;
        }
    }
    return SC_OK;
}
