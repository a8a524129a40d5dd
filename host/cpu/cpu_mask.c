/* The per-sample constraint mask M on the CPU (mask_select, see backend.h): each sample's
 * pixels are ranked by sc_saliency_sort_key (value, then flat index; cpu_sort.c), M is the
 * lowest `count` of them, with count = floor(k * H * W) (LOWEST) or the complement of the
 * tau-mass salient set clamped to [count(k_min), count(k_max)] (MASS, in the exact fixed point
 * of saliency_math.h). Samples are spread over the OpenMP team, each thread sorting in its
 * own scratch slot, so the result does not depend on the thread count. */
#include <math.h>
#include <omp.h>

#include "../backend/shape_check.h"
#include "../core/saliency_math.h"
#include "cpu_internal.h"

/* Size of M under the mass rule for one sample; keys hold its hw pixels sorted ascending.
 * The salient set grows from the highest key until its mass reaches tau of the total, so an
 * all-zero map (total 0) has an empty salient set. */
static int64_t mass_mask_count(const sc_mask_params *p, const float *values,
                               const uint64_t *keys, int64_t hw) {
    float max_abs = 0.0f;
    for (int64_t i = 0; i < hw; i++)
        max_abs = fmaxf(max_abs, fabsf(values[i]));
    int64_t total = 0;
    for (int64_t i = 0; i < hw; i++)
        total += sc_mass_fixed(values[i], max_abs);
    int64_t salient = 0, top = 0;
    while (salient < hw && !sc_mass_reached(top, total, p->tau)) {
        uint32_t index = (uint32_t)keys[hw - 1 - salient];
        top += sc_mass_fixed(values[index], max_abs);
        salient++;
    }
    return sc_mass_mask_count(salient, hw, p->k_min, p->k_max);
}

/* Writes one sample's mask (1 inside M, 0 outside) and returns |M|. keys and tmp hold hw
 * keys each. */
static int64_t select_sample(const sc_mask_params *p, const float *values, float *mask,
                             int64_t hw, uint64_t *keys, uint64_t *tmp) {
    sc_cpu_sort_pixels(values, hw, 0, keys, tmp);
    const int64_t count = p->kind == SC_MASK_LOWEST ? sc_mask_count(p->k, hw)
                                                    : mass_mask_count(p, values, keys, hw);
    for (int64_t i = 0; i < hw; i++)
        mask[i] = 0.0f;
    for (int64_t r = 0; r < count; r++)
        mask[(uint32_t)keys[r]] = 1.0f;
    return count;
}

sc_status sc_cpu_mask_select(sc_backend *be, const sc_mask_params *p, const sc_tensor *map,
                             const sc_tensor *mask, const sc_tensor *stats) {
    SC_TRY(sc_check_mask_select(&be->err, p, map, mask, stats));
    const int64_t samples = map->shape[0], hw = map->shape[2] * map->shape[3];
    SC_TRY(sc_cpu_reserve_sample_scratch(be, (size_t)hw, (size_t)samples));
    const sc_cpu_ctx *ctx = sc_cpu_ctx_of(be);
    const float *map_data = sc_f32(map);    /* (N, 1, H, W) */
    float *mask_data = sc_f32(mask);        /* (N, 1, H, W) */
    double *fractions = ctx->sample_values; /* (N): |M_n| / (H * W) */
#pragma omp parallel for num_threads(ctx->threads) \
    if (sc_tensor_numel(map) >= SC_CPU_PARALLEL_MIN) schedule(dynamic, 1)
    for (int64_t n = 0; n < samples; n++) {
        uint64_t *keys = sc_cpu_sort_slot(ctx, omp_get_thread_num()); /* (2, capacity) */
        int64_t count = select_sample(p, map_data + n * hw, mask_data + n * hw, hw, keys,
                                      keys + ctx->sort_capacity);
        fractions[n] = (double)count / (double)hw;
    }
    if (stats) {
        double sum = 0.0;
        for (int64_t n = 0; n < samples; n++)
            sum += fractions[n];
        sc_f32(stats)[0] += (float)sum;
    }
    return SC_OK;
}
