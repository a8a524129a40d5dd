/* Hoyer sparseness and entropy (complexity) of saliency maps on the CPU (map_sparsity; formulas
 * in metric_math.h). Per sample, pass 1 over |s| finds a NaN, the max |s| and the l1 and
 * squared l2 norms in double; a degenerate map (a NaN, or max |s| zero or infinite) gets NaN
 * for both. Pass 2, only when the entropy is wanted, sums q ln(q + 1e-12) in double with
 * q = a / sum a, a = |s| / max + 1e-7. Samples are spread over the OpenMP team, each computed
 * by one thread in pixel order, so the results do not depend on the thread count. */
#include <math.h>

#include "../backend/shape_check.h"
#include "../core/metric_math.h"
#include "cpu_internal.h"

/* Hoyer and entropy of one map of n pixels (NaN when degenerate); entropy may be NULL. */
static void sample_sparsity(const float *values, int64_t n, double *hoyer, double *entropy) {
    int has_nan = 0;
    float max_abs = 0.0f;
    double l1 = 0.0, l2sq = 0.0;
    for (int64_t i = 0; i < n; i++) {
        const float a = fabsf(values[i]);
        has_nan |= isnan(a);
        max_abs = fmaxf(max_abs, a);
        l1 += (double)a;
        l2sq += (double)a * (double)a;
    }
    if (sc_map_degenerate(has_nan, max_abs)) {
        *hoyer = NAN;
        if (entropy)
            *entropy = NAN;
        return;
    }
    *hoyer = sc_hoyer_finish(l1, l2sq, n);
    if (!entropy)
        return;
    const double total = sc_entropy_total(l1, max_abs, n);
    double terms = 0.0;
    for (int64_t i = 0; i < n; i++)
        terms += sc_entropy_term(sc_sparsity_a(values[i], max_abs), total);
    *entropy = sc_entropy_finish(terms);
}

sc_status sc_cpu_map_sparsity(sc_backend *be, const sc_tensor *map, const sc_tensor *hoyer,
                              const sc_tensor *entropy) {
    SC_TRY(sc_check_map_sparsity(&be->err, map, hoyer, entropy));
    const int team = sc_cpu_ctx_of(be)->threads;
    const int64_t samples = map->shape[0], hw = map->shape[2] * map->shape[3];
    const float *map_data = sc_f32(map);                     /* (N, 1, H, W) */
    float *hoyer_data = hoyer ? sc_f32(hoyer) : NULL;        /* (N) or NULL */
    float *entropy_data = entropy ? sc_f32(entropy) : NULL;  /* (N) or NULL */
#pragma omp parallel for num_threads(team) if (sc_tensor_numel(map) >= SC_CPU_PARALLEL_MIN) \
    schedule(dynamic, 1)
    for (int64_t n = 0; n < samples; n++) {
        double h = NAN, e = NAN;
        sample_sparsity(map_data + n * hw, hw, &h, entropy_data ? &e : NULL);
        if (hoyer_data)
            hoyer_data[n] = (float)h;
        if (entropy_data)
            entropy_data[n] = (float)e;
    }
    return SC_OK;
}
