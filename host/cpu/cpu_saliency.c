/* Saliency helpers on the CPU: the channel reduction of an input gradient into a map
 * (saliency_reduce), the one-hot logits gradient that seeds a saliency backward pass (onehot)
 * and the predicted class (argmax), with the per-pixel and per-row formulas of
 * host/core/saliency_math.h and metric_math.h shared with the CUDA kernels. */
#include "../backend/shape_check.h"
#include "../core/metric_math.h"
#include "../core/saliency_math.h"
#include "cpu_internal.h"

_Static_assert(SC_REDUCE_MEAN == SC_HD_REDUCE_MEAN && SC_REDUCE_MAX == SC_HD_REDUCE_MAX &&
                   SC_REDUCE_SUM == SC_HD_REDUCE_SUM && SC_REDUCE_SIGNED == SC_HD_REDUCE_SIGNED,
               "saliency_math.h's reduction codes must match sc_reduce_kind");

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
        map_data[i] = sc_saliency_reduce_pixel((int)kind, g_data + first,
                                               x_data ? x_data + first : NULL, channels, plane);
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
    for (int64_t n = 0; n < rows; n++)
        out_data[n] = (int32_t)sc_argmax_row(logit_data + n * classes, (int)classes);
    return SC_OK;
}
