/* Random fills from the counter-based Philox streams of host/core/rng.h: element i depends only
 * on (key, i), so the GPU writes exactly the CPU's values. */
#include "kernels.h"
#include "launch.cuh"

__global__ void rng_uniform_kernel(float *__restrict__ out, int64_t n, sc_rng_key key, float lo,
                                   float hi) {
    SC_GRID_STRIDE_LOOP(i, n) { out[i] = lo + (hi - lo) * sc_rng_uniform(key, (uint64_t)i); }
}

__global__ void rng_normal_kernel(float *__restrict__ out, int64_t n, sc_rng_key key, float mean,
                                  float std) {
    SC_GRID_STRIDE_LOOP(i, n) { out[i] = mean + std * sc_rng_normal(key, (uint64_t)i); }
}

extern "C" cudaError_t sc_launch_rng_uniform(float *out, int64_t n, sc_rng_key key, float lo,
                                             float hi, cudaStream_t stream) {
    if (n <= 0)
        return cudaSuccess;
    rng_uniform_kernel<<<sc_grid_blocks(n, SC_BLOCK_THREADS), SC_BLOCK_THREADS, 0, stream>>>(
        out, n, key, lo, hi);
    return cudaGetLastError();
}

extern "C" cudaError_t sc_launch_rng_normal(float *out, int64_t n, sc_rng_key key, float mean,
                                            float std, cudaStream_t stream) {
    if (n <= 0)
        return cudaSuccess;
    rng_normal_kernel<<<sc_grid_blocks(n, SC_BLOCK_THREADS), SC_BLOCK_THREADS, 0, stream>>>(
        out, n, key, mean, std);
    return cudaGetLastError();
}
