/* The training batch-norm backward in two halves on the CPU (bn_bwd_sums, bn_bwd_apply; the
 * contract is in backend.h): per-channel sums in double, then dx from sums that may cover the
 * batches of several processes (--sync-bn). Channels are spread over an OpenMP team. */
#include "../backend/shape_check.h"
#include "../core/bn_sync_math.h"
#include "cpu_internal.h"

sc_status sc_cpu_bn_bwd_sums(sc_backend *be, const sc_tensor *x, const sc_tensor *dy,
                             const sc_tensor *mean, const sc_tensor *invstd,
                             const sc_tensor *sums) {
    const sc_tensor *per_channel[2] = {mean, invstd};
    SC_TRY(sc_check_bn_split_bwd(&be->err, SC_OP_BN_BWD_SUMS, x, dy, per_channel, 2, sums));
    const int batch = (int)x->shape[0], channels = (int)x->shape[1];
    const size_t hw = (size_t)(x->shape[2] * x->shape[3]);
    const float *x_data = sc_f32(x);   /* (N, C, H, W) */
    const float *dy_data = sc_f32(dy); /* (N, C, H, W) */
    float *sums_data = sc_f32(sums);   /* (2, C) */
    sc_cpu_ctx *ctx = sc_cpu_ctx_of(be);
    const int parallel = (double)sc_tensor_numel(x) >= SC_CPU_PARALLEL_MIN;
#pragma omp parallel for num_threads(ctx->threads) if (parallel) schedule(dynamic)
    for (int c = 0; c < channels; c++) {
        const float m = sc_f32(mean)[c], s = sc_f32(invstd)[c];
        double sum_dy = 0.0, sum_dy_xhat = 0.0;
        for (int n = 0; n < batch; n++) {
            size_t off = ((size_t)n * channels + c) * hw;
            for (size_t i = 0; i < hw; i++) {
                sum_dy += dy_data[off + i];
                sum_dy_xhat += (double)dy_data[off + i] * sc_bn_xhat(x_data[off + i], m, s);
            }
        }
        sums_data[c] = (float)sum_dy;
        sums_data[channels + c] = (float)sum_dy_xhat;
    }
    return SC_OK;
}

sc_status sc_cpu_bn_bwd_apply(sc_backend *be, double count, const sc_tensor *x,
                              const sc_tensor *dy, const sc_tensor *gamma, const sc_tensor *mean,
                              const sc_tensor *invstd, const sc_tensor *sums, const sc_tensor *dx,
                              int accumulate) {
    SC_TRY(sc_check_bn_bwd_apply(&be->err, count, x, dy, gamma, mean, invstd, sums, dx));
    const int batch = (int)x->shape[0], channels = (int)x->shape[1];
    const size_t hw = (size_t)(x->shape[2] * x->shape[3]);
    const float *x_data = sc_f32(x);     /* (N, C, H, W) */
    const float *dy_data = sc_f32(dy);   /* (N, C, H, W) */
    const float *sums_data = sc_f32(sums); /* (2, C) */
    float *dx_data = sc_f32(dx);         /* (N, C, H, W) */
    sc_cpu_ctx *ctx = sc_cpu_ctx_of(be);
    const int parallel = (double)sc_tensor_numel(x) >= SC_CPU_PARALLEL_MIN;
#pragma omp parallel for num_threads(ctx->threads) if (parallel) schedule(dynamic)
    for (int c = 0; c < channels; c++) {
        const float m = sc_f32(mean)[c], s = sc_f32(invstd)[c];
        const float scale = sc_f32(gamma)[c] * s;
        const float mean_dy = (float)((double)sums_data[c] / count);
        const float mean_dy_xhat = (float)((double)sums_data[channels + c] / count);
        for (int n = 0; n < batch; n++) {
            size_t off = ((size_t)n * channels + c) * hw;
            for (size_t i = 0; i < hw; i++) {
                float g = sc_bn_apply_dx(dy_data[off + i], x_data[off + i], m, s, scale, mean_dy,
                                         mean_dy_xhat);
                dx_data[off + i] = accumulate ? dx_data[off + i] + g : g;
            }
        }
    }
    return SC_OK;
}
