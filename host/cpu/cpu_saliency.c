/* Saliency helpers on the CPU: the channel reduction of an input gradient into a map
 * (saliency_reduce), the one-hot logits gradient that seeds a saliency backward pass (onehot)
 * and the predicted class (argmax).
 *
 * saliency_reduce accumulates over c = 0..C-1 in float, in that order; MEAN and SIGNED divide
 * the sum by (float)C; MAX is fmaxf over the |v| starting from 0. */
#include <math.h>

#include "../backend/shape_check.h"
#include "cpu_internal.h"

/* The map value of one pixel from its C channel values at stride plane (g, x may be NULL). */
static float reduce_pixel(sc_reduce_kind kind, const float *g, const float *x, int64_t channels,
                          int64_t plane) {
    float acc = 0.0f;
    for (int64_t c = 0; c < channels; c++) {
        float v = x ? x[c * plane] * g[c * plane] : g[c * plane];
        if (kind == SC_REDUCE_SIGNED)
            acc += v;
        else if (kind == SC_REDUCE_MAX)
            acc = fmaxf(acc, fabsf(v));
        else
            acc += fabsf(v);
    }
    return (kind == SC_REDUCE_MEAN || kind == SC_REDUCE_SIGNED) ? acc / (float)channels : acc;
}

sc_status sc_cpu_saliency_reduce(sc_backend *be, const sc_saliency_params *p, const sc_tensor *g,
                                 const sc_tensor *x, const sc_tensor *map) {
    SC_TRY(sc_check_saliency_reduce(&be->err, p, g, x, map));
    const int team = sc_cpu_ctx_of(be)->threads;
    const int64_t channels = g->shape[1], plane = g->shape[2] * g->shape[3];
    const int64_t pixels = g->shape[0] * plane;
    const float *g_data = sc_f32(g);             /* (N, C, H, W) */
    const float *x_data = x ? sc_f32(x) : NULL;  /* (N, C, H, W) or NULL */
    float *map_data = sc_f32(map);               /* (N, 1, H, W) */
    const sc_reduce_kind kind = p->reduce;
#pragma omp parallel for num_threads(team) if (sc_tensor_numel(g) >= SC_CPU_PARALLEL_MIN) \
    schedule(static)
    for (int64_t i = 0; i < pixels; i++) {
        const int64_t first = (i / plane) * channels * plane + i % plane; /* (n, 0, h, w) */
        map_data[i] = reduce_pixel(kind, g_data + first, x_data ? x_data + first : NULL,
                                   channels, plane);
    }
    return SC_OK;
}

sc_status sc_cpu_onehot(sc_backend *be, float scale, const sc_tensor *targets,
                        const sc_tensor *out) {
    SC_TRY(sc_check_onehot(&be->err, targets, out));
    const int64_t rows = out->shape[0], classes = out->shape[1];
    const int32_t *target_data = sc_i32(targets); /* (N) */
    float *out_data = sc_f32(out);                /* (N, K) */
    for (int64_t n = 0; n < rows; n++)
        if (target_data[n] < 0 || target_data[n] >= classes)
            return sc_fail(&be->err, SC_ERR_SHAPE,
                           "onehot: target %d of sample %lld outside [0, %lld)",
                           (int)target_data[n], (long long)n, (long long)classes);
    for (int64_t n = 0; n < rows; n++)
        for (int64_t j = 0; j < classes; j++)
            out_data[n * classes + j] = j == target_data[n] ? scale : 0.0f;
    return SC_OK;
}

sc_status sc_cpu_argmax(sc_backend *be, const sc_tensor *logits, const sc_tensor *out) {
    SC_TRY(sc_check_argmax(&be->err, logits, out));
    const int64_t rows = logits->shape[0], classes = logits->shape[1];
    const float *logit_data = sc_f32(logits); /* (N, K) */
    int32_t *out_data = sc_i32(out);          /* (N) */
    for (int64_t n = 0; n < rows; n++) {
        const float *row = logit_data + n * classes; /* (K) */
        int64_t best = 0;
        for (int64_t j = 1; j < classes; j++)
            if (row[j] > row[best])
                best = j;
        out_data[n] = (int32_t)best;
    }
    return SC_OK;
}
