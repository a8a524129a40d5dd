/* Grad-CAM and the bilinear resize that brings its map to the image size, on the CPU
 * (formulas in metric_math.h). gradcam: alpha[n, k] = the spatial mean of grad[n, k] (summed in
 * double, in pixel order), then map[n, pixel] = ReLU(sum over k ascending of alpha * act) in
 * double. resize_bilinear: torch's interpolate(mode="bilinear", align_corners=False), one
 * output element from its four source values. Each output is computed by one thread, so the
 * results do not depend on the thread count. */
#include "../backend/shape_check.h"
#include "../core/metric_math.h"
#include "cpu_internal.h"

sc_status sc_cpu_gradcam(sc_backend *be, const sc_tensor *act, const sc_tensor *grad,
                         const sc_tensor *map) {
    SC_TRY(sc_check_gradcam(&be->err, act, grad, map));
    const int64_t samples = act->shape[0], channels = act->shape[1];
    const int64_t hw = act->shape[2] * act->shape[3];
    const int64_t planes = samples * channels, pixels = samples * hw;
    SC_TRY(sc_cpu_reserve_sample_scratch(be, 0, (size_t)planes));
    const sc_cpu_ctx *ctx = sc_cpu_ctx_of(be);
    const int parallel = sc_tensor_numel(act) >= SC_CPU_PARALLEL_MIN;
    const float *act_data = sc_f32(act);   /* (N, K, h, w) */
    const float *grad_data = sc_f32(grad); /* (N, K, h, w) */
    float *map_data = sc_f32(map);         /* (N, 1, h, w) */
    double *alpha = ctx->sample_values;    /* (N, K) */
#pragma omp parallel for num_threads(ctx->threads) if (parallel) schedule(static)
    for (int64_t plane = 0; plane < planes; plane++) {
        const float *g = grad_data + plane * hw; /* (h, w) */
        double sum = 0.0;
        for (int64_t i = 0; i < hw; i++)
            sum += (double)g[i];
        alpha[plane] = sc_gradcam_weight(sum, hw);
    }
#pragma omp parallel for num_threads(ctx->threads) if (parallel) schedule(static)
    for (int64_t p = 0; p < pixels; p++) {
        const int64_t n = p / hw, i = p % hw;
        const float *a = act_data + n * channels * hw + i; /* (K) at stride hw */
        double acc = 0.0;
        for (int64_t k = 0; k < channels; k++)
            acc += alpha[n * channels + k] * (double)a[k * hw];
        map_data[p] = sc_gradcam_finish(acc);
    }
    return SC_OK;
}

sc_status sc_cpu_resize_bilinear(sc_backend *be, const sc_tensor *in, const sc_tensor *out) {
    SC_TRY(sc_check_resize_bilinear(&be->err, in, out));
    const int team = sc_cpu_ctx_of(be)->threads;
    const int64_t in_h = in->shape[2], in_w = in->shape[3];
    const int64_t out_h = out->shape[2], out_w = out->shape[3];
    const int64_t out_plane = out_h * out_w, total = sc_tensor_numel(out);
    const float scale_h = sc_bilinear_scale(in_h, out_h), scale_w = sc_bilinear_scale(in_w, out_w);
    const float *in_data = sc_f32(in); /* (N, C, h, w) */
    float *out_data = sc_f32(out);     /* (N, C, H, W) */
#pragma omp parallel for num_threads(team) if (total >= SC_CPU_PARALLEL_MIN) schedule(static)
    for (int64_t i = 0; i < total; i++) {
        const int64_t plane = i / out_plane, y = (i % out_plane) / out_w, x = i % out_w;
        const float *src = in_data + plane * in_h * in_w; /* (h, w) */
        const sc_lerp_index hl = sc_bilinear_source(y, scale_h, in_h);
        const sc_lerp_index wl = sc_bilinear_source(x, scale_w, in_w);
        out_data[i] = sc_bilinear_elem(hl, wl, src[hl.i0 * in_w + wl.i0], src[hl.i0 * in_w + wl.i1],
                                       src[hl.i1 * in_w + wl.i0], src[hl.i1 * in_w + wl.i1]);
    }
    return SC_OK;
}
