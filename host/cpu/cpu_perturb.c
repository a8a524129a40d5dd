/* SCAAT's adversarial perturbation on the CPU (see backend.h): the per-pixel budget from a
 * saliency map and the mask (perturb_budget, sc_budget_elem against the sample's max), the
 * random start (perturb_init) and one signed step projected around the clean x
 * (perturb_step). The budget of element (n, c, h, w) in normalised units is
 * e_c = budget[n, 0, h, w] / std[c], or eps / std[c] without a budget map. */
#include <math.h>

#include "../backend/shape_check.h"
#include "../core/rng.h"
#include "../core/saliency_math.h"
#include "cpu_internal.h"

/* e_c of element i of channel c; budget_data (N, 1, H, W) may be NULL. */
static inline float element_budget(const sc_perturb_params *p, const float *budget_data,
                                   int64_t pixel, int64_t c) {
    return (budget_data ? budget_data[pixel] : p->eps) / p->std[c];
}

sc_status sc_cpu_perturb_budget(sc_backend *be, const sc_budget_params *p, const sc_tensor *map,
                                const sc_tensor *mask, const sc_tensor *budget) {
    SC_TRY(sc_check_perturb_budget(&be->err, p, map, mask, budget));
    const int team = sc_cpu_ctx_of(be)->threads;
    const int64_t samples = map->shape[0], hw = map->shape[2] * map->shape[3];
    const float *map_data = sc_f32(map);                     /* (N, 1, H, W) */
    const float *mask_data = mask ? sc_f32(mask) : NULL;     /* (N, 1, H, W) or NULL */
    float *budget_data = sc_f32(budget);                     /* (N, 1, H, W) */
    const float eps = p->eps, gamma = p->gamma;
#pragma omp parallel for num_threads(team) if (sc_tensor_numel(map) >= SC_CPU_PARALLEL_MIN) \
    schedule(static)
    for (int64_t n = 0; n < samples; n++) {
        const float *s = map_data + n * hw; /* (H, W) */
        float max_value = -INFINITY;
        for (int64_t i = 0; i < hw; i++)
            max_value = fmaxf(max_value, s[i]);
        for (int64_t i = 0; i < hw; i++) {
            const int inside = mask_data ? mask_data[n * hw + i] != 0.0f : 1;
            budget_data[n * hw + i] = sc_budget_elem(eps, gamma, s[i], max_value, inside);
        }
    }
    return SC_OK;
}

sc_status sc_cpu_perturb_init(sc_backend *be, const sc_perturb_params *p, const sc_tensor *x,
                              const sc_tensor *budget, const sc_tensor *xadv) {
    SC_TRY(sc_check_perturb(&be->err, SC_OP_PERTURB_INIT, p, x, NULL, budget, xadv, NULL));
    const int team = sc_cpu_ctx_of(be)->threads;
    const int64_t channels = x->shape[1], hw = x->shape[2] * x->shape[3];
    const int64_t total = sc_tensor_numel(x);
    const float *x_data = sc_f32(x);                          /* (N, C, H, W) */
    const float *budget_data = budget ? sc_f32(budget) : NULL; /* (N, 1, H, W) or NULL */
    float *xadv_data = sc_f32(xadv);                          /* (N, C, H, W) */
#pragma omp parallel for num_threads(team) if (total >= SC_CPU_PARALLEL_MIN) schedule(static)
    for (int64_t i = 0; i < total; i++) {
        const int64_t plane = i / hw, c = plane % channels;
        const int64_t pixel = (plane / channels) * hw + i % hw;
        const float e = element_budget(p, budget_data, pixel, c);
        xadv_data[i] = sc_perturb_init_elem(x_data[i], e, sc_rng_uniform(p->key, (uint64_t)i),
                                            p->lo[c], p->hi[c]);
    }
    return SC_OK;
}

sc_status sc_cpu_perturb_step(sc_backend *be, const sc_perturb_params *p, const sc_tensor *x,
                              const sc_tensor *g, const sc_tensor *budget,
                              const sc_tensor *xadv, const sc_tensor *stats) {
    SC_TRY(sc_check_perturb(&be->err, SC_OP_PERTURB_STEP, p, x, g, budget, xadv, stats));
    const int64_t samples = x->shape[0], channels = x->shape[1];
    const int64_t hw = x->shape[2] * x->shape[3];
    SC_TRY(sc_cpu_reserve_sample_scratch(be, 0, (size_t)samples));
    const sc_cpu_ctx *ctx = sc_cpu_ctx_of(be);
    const float *x_data = sc_f32(x);                          /* (N, C, H, W) */
    const float *g_data = sc_f32(g);                          /* (N, C, H, W) */
    const float *budget_data = budget ? sc_f32(budget) : NULL; /* (N, 1, H, W) or NULL */
    float *xadv_data = sc_f32(xadv);                          /* (N, C, H, W), in place */
    double *mean_delta = ctx->sample_values;                  /* (N): mean |delta| * std */
#pragma omp parallel for num_threads(ctx->threads) \
    if (sc_tensor_numel(x) >= SC_CPU_PARALLEL_MIN) schedule(static)
    for (int64_t n = 0; n < samples; n++) {
        double sum = 0.0;
        for (int64_t c = 0; c < channels; c++) {
            const int64_t base = (n * channels + c) * hw;
            for (int64_t i = 0; i < hw; i++) {
                const float e = element_budget(p, budget_data, n * hw + i, c);
                const float moved = sc_perturb_step_elem(x_data[base + i], xadv_data[base + i],
                                                         g_data[base + i], e, p->step_size,
                                                         p->lo[c], p->hi[c]);
                xadv_data[base + i] = moved;
                sum += (double)fabsf(moved - x_data[base + i]) * (double)p->std[c];
            }
        }
        mean_delta[n] = sum / (double)(channels * hw);
    }
    if (stats) {
        double sum = 0.0;
        for (int64_t n = 0; n < samples; n++)
            sum += mean_delta[n];
        sc_f32(stats)[0] += (float)sum;
    }
    return SC_OK;
}
