/* SGT's masked-pixel fill on the CPU: the per-image-channel min / max / mean table
 * (image_stats; the mean summed in double in (h, w) order) and the fill of the pixels inside M
 * (mask_fill): a Philox uniform draw in [min, max] of the channel, keyed by the flat NCHW
 * index (sc_fill_uniform_elem), or the channel mean; pixels outside M are copied from x.
 * A mask value other than 0 counts as inside M. */
#include <math.h>

#include "../backend/shape_check.h"
#include "../core/rng.h"
#include "../core/saliency_math.h"
#include "cpu_internal.h"

sc_status sc_cpu_image_stats(sc_backend *be, const sc_tensor *x, const sc_tensor *out) {
    SC_TRY(sc_check_image_stats(&be->err, x, out));
    const int team = sc_cpu_ctx_of(be)->threads;
    const int64_t planes = x->shape[0] * x->shape[1], hw = x->shape[2] * x->shape[3];
    const float *x_data = sc_f32(x); /* (N, C, H, W) */
    float *out_data = sc_f32(out);   /* (N, C, 3): min, max, mean */
#pragma omp parallel for num_threads(team) if (sc_tensor_numel(x) >= SC_CPU_PARALLEL_MIN) \
    schedule(static)
    for (int64_t plane = 0; plane < planes; plane++) {
        const float *v = x_data + plane * hw; /* (H, W) */
        float lo = v[0], hi = v[0];
        double sum = 0.0;
        for (int64_t i = 0; i < hw; i++) {
            lo = fminf(lo, v[i]);
            hi = fmaxf(hi, v[i]);
            sum += (double)v[i];
        }
        out_data[plane * 3 + 0] = lo;
        out_data[plane * 3 + 1] = hi;
        out_data[plane * 3 + 2] = (float)(sum / (double)hw);
    }
    return SC_OK;
}

sc_status sc_cpu_mask_fill(sc_backend *be, const sc_fill_params *p, const sc_tensor *x,
                           const sc_tensor *mask, const sc_tensor *image_stats,
                           const sc_tensor *out) {
    SC_TRY(sc_check_mask_fill(&be->err, p, x, mask, image_stats, out));
    const int team = sc_cpu_ctx_of(be)->threads;
    const int64_t channels = x->shape[1], hw = x->shape[2] * x->shape[3];
    const int64_t total = sc_tensor_numel(x);
    const float *x_data = sc_f32(x);                /* (N, C, H, W) */
    const float *mask_data = sc_f32(mask);          /* (N, 1, H, W) */
    const float *stat_data = sc_f32(image_stats);   /* (N, C, 3): min, max, mean */
    float *out_data = sc_f32(out);                  /* (N, C, H, W), may alias x */
    const sc_fill_kind kind = p->kind;
    const sc_rng_key key = p->key;
#pragma omp parallel for num_threads(team) if (total >= SC_CPU_PARALLEL_MIN) schedule(static)
    for (int64_t i = 0; i < total; i++) {
        const int64_t plane = i / hw, n = plane / channels;
        if (mask_data[n * hw + i % hw] == 0.0f) {
            out_data[i] = x_data[i];
            continue;
        }
        const float *s = stat_data + plane * 3; /* (3) of channel (n, c) */
        out_data[i] = kind == SC_FILL_MEAN
                          ? s[2]
                          : sc_fill_uniform_elem(s[0], s[1], sc_rng_uniform(key, (uint64_t)i));
    }
    return SC_OK;
}
