/* The batch sum of per-sample results that an op adds to its stats tensor, computed as the CPU
 * backend computes it: one thread adds the n doubles in sample order and adds the float of the
 * sum to stats[0], so the figure is deterministic and matches the CPU's bit for bit when the
 * per-sample values do. With skip_nan (map_gini), NaN values are left out and stats[1] += the
 * number of values that were added. */
#ifndef SC_CUDA_SAMPLE_SUM_CUH
#define SC_CUDA_SAMPLE_SUM_CUH

#include <math.h>
#include <stdint.h>

#include <cuda_runtime_api.h>

static __global__ void sample_sum_kernel(const double *__restrict__ values, int64_t n, int skip_nan,
                                         float *__restrict__ stats) {
    double sum = 0.0;
    int64_t valid = 0;
    for (int64_t s = 0; s < n; s++) {
        if (skip_nan && isnan(values[s]))
            continue;
        sum += values[s];
        valid++;
    }
    stats[0] += (float)sum;
    if (skip_nan)
        stats[1] += (float)valid;
}

/* values (n), stats (1, or 2 with skip_nan). */
static inline cudaError_t sc_sample_sum(const double *values, int64_t n, int skip_nan, float *stats,
                                        cudaStream_t stream) {
    sample_sum_kernel<<<1, 1, 0, stream>>>(values, n, skip_nan, stats);
    return cudaGetLastError();
}

#endif
