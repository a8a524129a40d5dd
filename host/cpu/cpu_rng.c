/* Random fills on the CPU from Philox (rng.h): element i is a pure function of (key, i), so
 * the fill is bit-identical to the CUDA backend's whatever the thread split. */
#include "../backend/shape_check.h"
#include "../core/rng.h"
#include "cpu_internal.h"

sc_status sc_cpu_rng_uniform(sc_backend *be, sc_rng_key key, float lo, float hi,
                             const sc_tensor *out) {
    SC_TRY(sc_check_f32(&be->err, SC_OP_RNG_UNIFORM, out, "out"));
    const int team = sc_cpu_ctx_of(be)->threads;
    const int64_t n = sc_tensor_numel(out);
    const float range = hi - lo;
    float *out_data = sc_f32(out); /* (n) */
#pragma omp parallel for num_threads(team) if (n >= SC_CPU_PARALLEL_MIN) schedule(static)
    for (int64_t i = 0; i < n; i++)
        out_data[i] = lo + range * sc_rng_uniform(key, (uint64_t)i);
    return SC_OK;
}

sc_status sc_cpu_rng_normal(sc_backend *be, sc_rng_key key, float mean, float std,
                            const sc_tensor *out) {
    SC_TRY(sc_check_f32(&be->err, SC_OP_RNG_NORMAL, out, "out"));
    const int team = sc_cpu_ctx_of(be)->threads;
    const int64_t n = sc_tensor_numel(out);
    float *out_data = sc_f32(out); /* (n) */
#pragma omp parallel for num_threads(team) if (n >= SC_CPU_PARALLEL_MIN) schedule(static)
    for (int64_t i = 0; i < n; i++)
        out_data[i] = mean + std * sc_rng_normal(key, (uint64_t)i);
    return SC_OK;
}
