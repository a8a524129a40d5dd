/* The Gini index of saliency maps on the CPU (map_gini; Chalasani et al. 2020, Quantus'
 * Sparseness): per sample, |map| sorted ascending (cpu_sort.c), a_i = |v|_(i) / max + 1e-7
 * (sc_gini_term_a), G = sum (2i - n - 1) a_i / (n sum a_i) with both sums in double
 * (sc_gini_finish). A degenerate map (max |v| zero or not finite, or any NaN) gets NaN and
 * is left out of stats. Samples are spread over the OpenMP team, each thread sorting in its
 * own scratch slot; batch sums add per-sample results in sample order. */
#include <math.h>
#include <omp.h>

#include "../backend/shape_check.h"
#include "../core/saliency_math.h"
#include "cpu_internal.h"

/* Gini of one map of n pixels, or NaN when it is degenerate; keys and tmp hold n keys. */
static double sample_gini(const float *values, int64_t n, uint64_t *keys, uint64_t *tmp) {
    float max_abs = 0.0f;
    for (int64_t i = 0; i < n; i++) {
        if (isnan(values[i]))
            return NAN;
        max_abs = fmaxf(max_abs, fabsf(values[i]));
    }
    if (!(max_abs > 0.0f) || isinf(max_abs))
        return NAN;
    sc_cpu_sort_pixels(values, n, 1, keys, tmp);
    double weighted = 0.0, sum = 0.0;
    for (int64_t i = 1; i <= n; i++) {
        const double a = sc_gini_term_a(fabsf(values[(uint32_t)keys[i - 1]]), max_abs);
        weighted += (double)(2 * i - n - 1) * a;
        sum += a;
    }
    return sc_gini_finish(weighted, sum, n);
}

sc_status sc_cpu_map_gini(sc_backend *be, const sc_tensor *map, const sc_tensor *gini,
                          const sc_tensor *stats) {
    SC_TRY(sc_check_map_gini(&be->err, map, gini, stats));
    const int64_t samples = map->shape[0], hw = map->shape[2] * map->shape[3];
    SC_TRY(sc_cpu_reserve_sample_scratch(be, (size_t)hw, (size_t)samples));
    const sc_cpu_ctx *ctx = sc_cpu_ctx_of(be);
    const float *map_data = sc_f32(map);          /* (N, 1, H, W) */
    float *gini_data = gini ? sc_f32(gini) : NULL; /* (N) or NULL */
    double *ginis = ctx->sample_values;           /* (N), NaN where degenerate */
#pragma omp parallel for num_threads(ctx->threads) \
    if (sc_tensor_numel(map) >= SC_CPU_PARALLEL_MIN) schedule(dynamic, 1)
    for (int64_t n = 0; n < samples; n++) {
        uint64_t *keys = sc_cpu_sort_slot(ctx, omp_get_thread_num()); /* (2, capacity) */
        ginis[n] = sample_gini(map_data + n * hw, hw, keys, keys + ctx->sort_capacity);
        if (gini_data)
            gini_data[n] = (float)ginis[n];
    }
    if (stats) {
        double sum = 0.0;
        int64_t valid = 0;
        for (int64_t n = 0; n < samples; n++)
            if (!isnan(ginis[n])) {
                sum += ginis[n];
                valid++;
            }
        float *stat_data = sc_f32(stats); /* (2): gini sum, valid count */
        stat_data[0] += (float)sum;
        stat_data[1] += (float)valid;
    }
    return SC_OK;
}
