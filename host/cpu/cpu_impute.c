/* ROAD's noisy linear imputation on the CPU (impute_linear; formulas in metric_math.h). Per
 * image plane: out starts as x with the masked pixels at 0 (the dataset mean in normalised
 * units); `iterations` Jacobi sweeps set every masked pixel to the weighted mean of its
 * in-image neighbours in the previous sweep (sc_impute_pixel), ping-ponging between out and
 * the thread's plane scratch, known pixels never written after the copy; finally the masked
 * element i (flat NCHW) gets + noise * sc_rng_normal(key, i). Planes are spread over the
 * OpenMP team; a sweep reads only the previous one, so the result does not depend on the
 * thread count. */
#include <omp.h>
#include <string.h>

#include "../backend/shape_check.h"
#include "../core/metric_math.h"
#include "../core/rng.h"
#include "cpu_internal.h"

/* Imputes one plane (height, width) of x into out; mask (height, width); spare holds one
 * plane; first is the flat NCHW index of the plane's first element (for the noise). */
static void impute_plane(const sc_impute_params *p, const float *x, const float *mask, float *out,
                         float *spare, int64_t height, int64_t width, int64_t first) {
    const int64_t hw = height * width;
    for (int64_t i = 0; i < hw; i++)
        out[i] = mask[i] != 0.0f ? 0.0f : x[i];
    memcpy(spare, out, (size_t)hw * sizeof(float));
    float *src = out, *dst = spare;
    for (int sweep = 0; sweep < p->iterations; sweep++) {
        for (int64_t h = 0; h < height; h++)
            for (int64_t w = 0; w < width; w++)
                if (mask[h * width + w] != 0.0f)
                    dst[h * width + w] = sc_impute_pixel(src, h, w, height, width);
        float *swap = src;
        src = dst;
        dst = swap;
    }
    if (src != out)
        memcpy(out, src, (size_t)hw * sizeof(float));
    for (int64_t i = 0; i < hw; i++)
        if (mask[i] != 0.0f)
            out[i] = sc_impute_noise_elem(out[i], p->noise,
                                          sc_rng_normal(p->key, (uint64_t)(first + i)));
}

sc_status sc_cpu_impute_linear(sc_backend *be, const sc_impute_params *p, const sc_tensor *x,
                               const sc_tensor *mask, const sc_tensor *out) {
    SC_TRY(sc_check_impute_linear(&be->err, p, x, mask, out));
    const int64_t channels = x->shape[1], height = x->shape[2], width = x->shape[3];
    const int64_t hw = height * width, planes = x->shape[0] * channels;
    SC_TRY(sc_cpu_reserve_plane_scratch(be, (size_t)hw));
    const sc_cpu_ctx *ctx = sc_cpu_ctx_of(be);
    const float *x_data = sc_f32(x);       /* (N, C, H, W) */
    const float *mask_data = sc_f32(mask); /* (N, 1, H, W) */
    float *out_data = sc_f32(out);         /* (N, C, H, W), apart from x */
#pragma omp parallel for num_threads(ctx->threads) \
    if (sc_tensor_numel(x) >= SC_CPU_PARALLEL_MIN) schedule(dynamic, 1)
    for (int64_t plane = 0; plane < planes; plane++) {
        float *spare = ctx->plane_scratch + (size_t)omp_get_thread_num() * ctx->plane_stride;
        impute_plane(p, x_data + plane * hw, mask_data + (plane / channels) * hw,
                     out_data + plane * hw, spare, height, width, plane * hw);
    }
    return SC_OK;
}
