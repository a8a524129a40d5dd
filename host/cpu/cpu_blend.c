/* Blends of images on the CPU (formulas in metric_math.h): y = alpha x + beta y (axpby), the
 * random copies of SmoothGrad and max-sensitivity (add_noise: Philox draws keyed by the flat
 * NCHW index, scaled by the image's max - min for NORMAL_RANGE) and the replacement of the most
 * or least salient pixels, all channels, by another image or 0 (ranked_replace, by the ranks of
 * rank_pixels). Every output element is computed by one thread from its own inputs, so the
 * results do not depend on the thread count. */
#include <math.h>

#include "../backend/shape_check.h"
#include "../core/metric_math.h"
#include "../core/rng.h"
#include "cpu_internal.h"

sc_status sc_cpu_axpby(sc_backend *be, float alpha, const sc_tensor *x, float beta,
                       const sc_tensor *y) {
    SC_TRY(sc_check_axpby(&be->err, x, y));
    const int team = sc_cpu_ctx_of(be)->threads;
    const int64_t n = sc_tensor_numel(x);
    const float *x_data = sc_f32(x); /* (n), any shape */
    float *y_data = sc_f32(y);       /* (n), in place */
#pragma omp parallel for num_threads(team) if (n >= SC_CPU_PARALLEL_MIN) schedule(static)
    for (int64_t i = 0; i < n; i++)
        y_data[i] = sc_axpby_elem(alpha, x_data[i], beta, y_data[i]);
    return SC_OK;
}

sc_status sc_cpu_add_noise(sc_backend *be, const sc_noise_params *p, const sc_tensor *x,
                           const sc_tensor *out) {
    SC_TRY(sc_check_add_noise(&be->err, p, x, out));
    const int64_t samples = x->shape[0], per_sample = sc_cols(x);
    const int64_t total = sc_tensor_numel(x);
    SC_TRY(sc_cpu_reserve_sample_scratch(be, 0, (size_t)samples));
    const sc_cpu_ctx *ctx = sc_cpu_ctx_of(be);
    const float *x_data = sc_f32(x); /* (N, C, H, W) */
    float *out_data = sc_f32(out);   /* (N, C, H, W) */
    double *ranges = ctx->sample_values; /* (N): max - min of image n, a float */
    const sc_rng_key key = p->key;
    const float scale = p->scale;
    if (p->kind == SC_NOISE_NORMAL_RANGE) {
#pragma omp parallel for num_threads(ctx->threads) if (total >= SC_CPU_PARALLEL_MIN) \
    schedule(static)
        for (int64_t n = 0; n < samples; n++) {
            const float *v = x_data + n * per_sample; /* (C, H, W) */
            float lo = v[0], hi = v[0];
            for (int64_t i = 1; i < per_sample; i++) {
                lo = fminf(lo, v[i]);
                hi = fmaxf(hi, v[i]);
            }
            ranges[n] = (double)(hi - lo);
        }
#pragma omp parallel for num_threads(ctx->threads) if (total >= SC_CPU_PARALLEL_MIN) \
    schedule(static)
        for (int64_t i = 0; i < total; i++)
            out_data[i] = sc_noise_normal_range_elem(x_data[i], scale,
                                                     (float)ranges[i / per_sample],
                                                     sc_rng_normal(key, (uint64_t)i));
    } else {
#pragma omp parallel for num_threads(ctx->threads) if (total >= SC_CPU_PARALLEL_MIN) \
    schedule(static)
        for (int64_t i = 0; i < total; i++)
            out_data[i] = sc_noise_uniform_elem(x_data[i], scale, sc_rng_uniform(key, (uint64_t)i));
    }
    return SC_OK;
}

sc_status sc_cpu_ranked_replace(sc_backend *be, int64_t count, int from_least, const sc_tensor *x,
                                const sc_tensor *alt, const sc_tensor *ranks,
                                const sc_tensor *out) {
    SC_TRY(sc_check_ranked_replace(&be->err, count, x, alt, ranks, out));
    const int team = sc_cpu_ctx_of(be)->threads;
    const int64_t channels = x->shape[1], hw = x->shape[2] * x->shape[3];
    const int64_t total = sc_tensor_numel(x);
    const float *x_data = sc_f32(x);                  /* (N, C, H, W) */
    const float *alt_data = alt ? sc_f32(alt) : NULL; /* (N, C, H, W) or NULL (zeros) */
    const int32_t *rank_data = sc_i32(ranks);         /* (N, 1, H, W) */
    float *out_data = sc_f32(out);                    /* (N, C, H, W), may alias x */
#pragma omp parallel for num_threads(team) if (total >= SC_CPU_PARALLEL_MIN) schedule(static)
    for (int64_t i = 0; i < total; i++) {
        const int64_t pixel = (i / hw / channels) * hw + i % hw; /* (n, 0, h, w) */
        if (sc_ranked_selected(rank_data[pixel], count, hw, from_least))
            out_data[i] = alt_data ? alt_data[i] : 0.0f;
        else
            out_data[i] = x_data[i];
    }
    return SC_OK;
}
