/* Rankings of the metric ops on the CPU, both through the radix sort of cpu_sort.c.
 * rank_pixels: per sample, the keys sc_salient_first_key (metric_math.h) sorted ascending give
 * the pixels by value descending, ties by the lower flat index, NaN last; ranks[pixel] = its
 * position (0 = most salient). rank_rows: per row, the keys sc_saliency_sort_key sorted
 * ascending; each run of equal values (==, so -0 ties with +0) gets its 1-based average rank
 * (sc_average_rank, as scipy's rankdata); a row with a NaN gets NaN everywhere. Samples / rows
 * are spread over the OpenMP team, each thread sorting in its own scratch slot, so the results
 * do not depend on the thread count. */
#include <math.h>
#include <omp.h>

#include "../backend/shape_check.h"
#include "../core/metric_math.h"
#include "cpu_internal.h"

sc_status sc_cpu_rank_pixels(sc_backend *be, const sc_tensor *map, const sc_tensor *ranks) {
    SC_TRY(sc_check_rank_pixels(&be->err, map, ranks));
    const int64_t samples = map->shape[0], hw = map->shape[2] * map->shape[3];
    SC_TRY(sc_cpu_reserve_sample_scratch(be, (size_t)hw, 0));
    const sc_cpu_ctx *ctx = sc_cpu_ctx_of(be);
    const float *map_data = sc_f32(map);  /* (N, 1, H, W) */
    int32_t *rank_data = sc_i32(ranks);   /* (N, 1, H, W) */
#pragma omp parallel for num_threads(ctx->threads) \
    if (sc_tensor_numel(map) >= SC_CPU_PARALLEL_MIN) schedule(dynamic, 1)
    for (int64_t n = 0; n < samples; n++) {
        uint64_t *keys = sc_cpu_sort_slot(ctx, omp_get_thread_num()); /* (2, capacity) */
        sc_cpu_sort_salient_first(map_data + n * hw, hw, keys, keys + ctx->sort_capacity);
        int32_t *r = rank_data + n * hw; /* (H, W) */
        for (int64_t position = 0; position < hw; position++)
            r[(uint32_t)keys[position]] = (int32_t)position;
    }
    return SC_OK;
}

/* Average ranks of one row of m values into out; keys and tmp hold m keys each. */
static void rank_row(const float *values, float *out, int64_t m, uint64_t *keys, uint64_t *tmp) {
    for (int64_t i = 0; i < m; i++)
        if (isnan(values[i])) {
            for (int64_t j = 0; j < m; j++)
                out[j] = NAN;
            return;
        }
    sc_cpu_sort_pixels(values, m, 0, keys, tmp);
    int64_t first = 0;
    while (first < m) {
        const float v = values[(uint32_t)keys[first]];
        int64_t end = first + 1;
        while (end < m && values[(uint32_t)keys[end]] == v)
            end++;
        const float rank = (float)sc_average_rank(first, end);
        for (int64_t position = first; position < end; position++)
            out[(uint32_t)keys[position]] = rank;
        first = end;
    }
}

sc_status sc_cpu_rank_rows(sc_backend *be, const sc_tensor *in, const sc_tensor *out) {
    SC_TRY(sc_check_rank_rows(&be->err, in, out));
    const int64_t rows = in->shape[0], cols = in->shape[1];
    SC_TRY(sc_cpu_reserve_sample_scratch(be, (size_t)cols, 0));
    const sc_cpu_ctx *ctx = sc_cpu_ctx_of(be);
    const float *in_data = sc_f32(in); /* (N, M) */
    float *out_data = sc_f32(out);     /* (N, M) */
#pragma omp parallel for num_threads(ctx->threads) \
    if (sc_tensor_numel(in) >= SC_CPU_PARALLEL_MIN) schedule(dynamic, 1)
    for (int64_t n = 0; n < rows; n++) {
        uint64_t *keys = sc_cpu_sort_slot(ctx, omp_get_thread_num()); /* (2, capacity) */
        rank_row(in_data + n * cols, out_data + n * cols, cols, keys, keys + ctx->sort_capacity);
    }
    return SC_OK;
}
