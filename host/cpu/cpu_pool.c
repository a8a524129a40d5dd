/* Pooling on the CPU: max pooling (padding never wins; backward routes each dy to the first
 * maximum of its window in row-major order, recomputed from x) and global average pooling.
 * The (n, c) planes are spread over the OpenMP team. */
#include <math.h>
#include <string.h>

#include "../backend/shape_check.h"
#include "cpu_internal.h"

/* Index in the (H, W) plane of the first maximum of the window of output (oh, ow); the
 * padding is skipped, and every window holds at least one pixel (sc_check_pool: 2 pad <= k). */
static int window_argmax(const float *x_plane, int height, int width, const sc_pool_params *p,
                         int oh, int ow) {
    const int h0 = oh * p->stride - p->pad;
    const int w0 = ow * p->stride - p->pad;
    const int h_lo = h0 < 0 ? 0 : h0;
    const int w_lo = w0 < 0 ? 0 : w0;
    const int h_hi = h0 + p->kernel < height ? h0 + p->kernel : height;
    const int w_hi = w0 + p->kernel < width ? w0 + p->kernel : width;
    int best = h_lo * width + w_lo;
    float best_value = -INFINITY;
    for (int h = h_lo; h < h_hi; h++)
        for (int w = w_lo; w < w_hi; w++)
            if (x_plane[h * width + w] > best_value) {
                best_value = x_plane[h * width + w];
                best = h * width + w;
            }
    return best;
}

/* Whether an input is big enough to spread its planes over the team. */
static int worth_parallel(const sc_tensor *x) { return sc_tensor_numel(x) >= SC_CPU_PARALLEL_MIN; }

sc_status sc_cpu_maxpool_fwd(sc_backend *be, const sc_pool_params *p, const sc_tensor *x,
                             const sc_tensor *y) {
    const sc_tensor *tensors[2] = {x, y};
    const char *names[2] = {"x", "y"};
    SC_TRY(sc_cpu_check_f32_all(be, SC_OP_MAXPOOL_FWD, tensors, names, 2));
    SC_TRY(sc_check_pool(&be->err, SC_OP_MAXPOOL_FWD, p, x, y));
    const int team = sc_cpu_ctx_of(be)->threads;
    const int64_t planes = x->shape[0] * x->shape[1];
    const int height = (int)x->shape[2], width = (int)x->shape[3];
    const int out_h = (int)y->shape[2], out_w = (int)y->shape[3];
    const float *x_data = sc_f32(x); /* (N, C, H, W) */
    float *y_data = sc_f32(y);       /* (N, C, OH, OW) */
#pragma omp parallel for num_threads(team) if (worth_parallel(x)) schedule(dynamic, 16)
    for (int64_t plane = 0; plane < planes; plane++) {
        const float *x_plane = x_data + plane * height * width; /* (H, W) */
        float *y_plane = y_data + plane * out_h * out_w;         /* (OH, OW) */
        for (int oh = 0; oh < out_h; oh++)
            for (int ow = 0; ow < out_w; ow++)
                y_plane[oh * out_w + ow] =
                    x_plane[window_argmax(x_plane, height, width, p, oh, ow)];
    }
    return SC_OK;
}

sc_status sc_cpu_maxpool_bwd(sc_backend *be, const sc_pool_params *p, const sc_tensor *x,
                             const sc_tensor *y, const sc_tensor *dy, const sc_tensor *dx,
                             int accumulate) {
    const sc_tensor *tensors[4] = {x, y, dy, dx};
    const char *names[4] = {"x", "y", "dy", "dx"};
    SC_TRY(sc_cpu_check_f32_all(be, SC_OP_MAXPOOL_BWD, tensors, names, 4));
    SC_TRY(sc_check_pool(&be->err, SC_OP_MAXPOOL_BWD, p, x, y));
    SC_TRY(sc_check_same(&be->err, SC_OP_MAXPOOL_BWD, y, dy));
    SC_TRY(sc_check_same(&be->err, SC_OP_MAXPOOL_BWD, x, dx));
    const int team = sc_cpu_ctx_of(be)->threads;
    const int64_t planes = x->shape[0] * x->shape[1];
    const int height = (int)x->shape[2], width = (int)x->shape[3];
    const int out_h = (int)y->shape[2], out_w = (int)y->shape[3];
    const float *x_data = sc_f32(x);   /* (N, C, H, W) */
    const float *dy_data = sc_f32(dy); /* (N, C, OH, OW) */
    float *dx_data = sc_f32(dx);       /* (N, C, H, W) */
#pragma omp parallel for num_threads(team) if (worth_parallel(x)) schedule(dynamic, 16)
    for (int64_t plane = 0; plane < planes; plane++) {
        const float *x_plane = x_data + plane * height * width; /* (H, W) */
        const float *dy_plane = dy_data + plane * out_h * out_w; /* (OH, OW) */
        float *dx_plane = dx_data + plane * height * width;      /* (H, W) */
        if (!accumulate)
            memset(dx_plane, 0, (size_t)height * width * sizeof(float));
        for (int oh = 0; oh < out_h; oh++)
            for (int ow = 0; ow < out_w; ow++)
                dx_plane[window_argmax(x_plane, height, width, p, oh, ow)] +=
                    dy_plane[oh * out_w + ow];
    }
    return SC_OK;
}

sc_status sc_cpu_gap_fwd(sc_backend *be, const sc_tensor *x, const sc_tensor *y) {
    const sc_tensor *tensors[2] = {x, y};
    const char *names[2] = {"x", "y"};
    SC_TRY(sc_cpu_check_f32_all(be, SC_OP_GAP_FWD, tensors, names, 2));
    SC_TRY(sc_check_gap(&be->err, SC_OP_GAP_FWD, x, y));
    const int team = sc_cpu_ctx_of(be)->threads;
    const int64_t planes = x->shape[0] * x->shape[1];
    const int64_t hw = x->shape[2] * x->shape[3];
    const float *x_data = sc_f32(x); /* (N, C, H, W) */
    float *y_data = sc_f32(y);       /* (N, C, 1, 1) */
#pragma omp parallel for num_threads(team) if (worth_parallel(x)) schedule(dynamic, 16)
    for (int64_t plane = 0; plane < planes; plane++) {
        const float *x_plane = x_data + plane * hw; /* (H * W) */
        double sum = 0.0;
        for (int64_t i = 0; i < hw; i++)
            sum += x_plane[i];
        y_data[plane] = (float)(sum / (double)hw);
    }
    return SC_OK;
}

sc_status sc_cpu_gap_bwd(sc_backend *be, const sc_tensor *dy, const sc_tensor *dx, int accumulate) {
    const sc_tensor *tensors[2] = {dy, dx};
    const char *names[2] = {"dy", "dx"};
    SC_TRY(sc_cpu_check_f32_all(be, SC_OP_GAP_BWD, tensors, names, 2));
    SC_TRY(sc_check_gap(&be->err, SC_OP_GAP_BWD, dx, dy));
    const int team = sc_cpu_ctx_of(be)->threads;
    const int64_t planes = dx->shape[0] * dx->shape[1];
    const int64_t hw = dx->shape[2] * dx->shape[3];
    const float *dy_data = sc_f32(dy); /* (N, C, 1, 1) */
    float *dx_data = sc_f32(dx);       /* (N, C, H, W) */
#pragma omp parallel for num_threads(team) if (worth_parallel(dx)) schedule(static)
    for (int64_t plane = 0; plane < planes; plane++) {
        float *dx_plane = dx_data + plane * hw; /* (H * W) */
        const float g = dy_data[plane] / (float)hw;
        for (int64_t i = 0; i < hw; i++)
            dx_plane[i] = accumulate ? dx_plane[i] + g : g;
    }
    return SC_OK;
}
