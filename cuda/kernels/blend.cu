/* Blends of images (backend.h) with the CPU's formulas (host/core/metric_math.h), every output
 * element computed by one thread from its own inputs, so the results match the CPU bit for bit:
 * axpby (y = alpha x + beta y), add_noise (Philox draws keyed by the flat NCHW index; for
 * NORMAL_RANGE scaled by the image's max - min, found by one block per image with fminf / fmaxf,
 * which are exact in any order and skip NaN as the CPU's loop does) and ranked_replace (the
 * most or least salient pixels, by the ranks of rank_pixels, take alt's value or 0). */
#include <math.h>

#include <cub/block/block_reduce.cuh>

#include "block.cuh"
#include "kernels.h"
#include "launch.cuh"

#include "../../host/core/metric_math.h"
#include "../../host/core/rng.h"

#define SC_RANGE_THREADS 256

/* x, y (n), any shape; y in place (x may alias y). */
__global__ void axpby_kernel(float alpha, const float *x, float beta, float *y, int64_t n) {
    SC_GRID_STRIDE_LOOP(i, n) { y[i] = sc_axpby_elem(alpha, x[i], beta, y[i]); }
}

typedef cub::BlockReduce<float, SC_RANGE_THREADS> range_reduce;

/* One block per image of x (n, per_sample) -> ranges (n) = max - min of the image. */
__global__ void __launch_bounds__(SC_RANGE_THREADS)
    image_range_kernel(const float *__restrict__ x, float *__restrict__ ranges, int64_t n,
                       int64_t per_sample) {
    __shared__ range_reduce::TempStorage storage;
    __shared__ float slot;
    SC_BLOCK_PER_SAMPLE_LOOP(s, n) {
        const float *v = x + s * per_sample; /* (C, H, W) */
        /* NaN is the identity of fminf / fmaxf: a thread without elements changes nothing. */
        float lo = NAN, hi = NAN;
        SC_BLOCK_STRIDE_LOOP(i, per_sample) {
            lo = fminf(lo, v[i]);
            hi = fmaxf(hi, v[i]);
        }
        lo = sc_block_broadcast(range_reduce(storage).Reduce(lo, sc_fmin_op()), slot);
        hi = sc_block_broadcast(range_reduce(storage).Reduce(hi, sc_fmax_op()), slot);
        if (threadIdx.x == 0)
            ranges[s] = hi - lo;
    }
}

/* x, out (total) = (n, per_sample); ranges (n) for NORMAL_RANGE. */
__global__ void add_noise_kernel(const float *__restrict__ x, const float *__restrict__ ranges,
                                 float *__restrict__ out, int64_t total, int64_t per_sample,
                                 sc_noise_params p) {
    SC_GRID_STRIDE_LOOP(i, total) {
        out[i] = p.kind == SC_NOISE_NORMAL_RANGE
                     ? sc_noise_normal_range_elem(x[i], p.scale, ranges[i / per_sample],
                                                  sc_rng_normal(p.key, (uint64_t)i))
                     : sc_noise_uniform_elem(x[i], p.scale, sc_rng_uniform(p.key, (uint64_t)i));
    }
}

/* x, alt, out (n, channels, hw), out may alias x, alt NULL (zeros); ranks (n, hw). */
__global__ void ranked_replace_kernel(const float *x, const float *__restrict__ alt,
                                      const int32_t *__restrict__ ranks, float *out, int64_t total,
                                      int64_t channels, int64_t hw, int64_t count, int from_least) {
    SC_GRID_STRIDE_LOOP(i, total) {
        const int64_t pixel = (i / hw / channels) * hw + i % hw; /* (n, 0, h, w) */
        if (sc_ranked_selected(ranks[pixel], count, hw, from_least))
            out[i] = alt ? alt[i] : 0.0f;
        else
            out[i] = x[i];
    }
}

extern "C" cudaError_t sc_launch_axpby(float alpha, const float *x, float beta, float *y, int64_t n,
                                       cudaStream_t stream) {
    if (n <= 0)
        return cudaSuccess;
    axpby_kernel<<<sc_grid_blocks(n, SC_BLOCK_THREADS), SC_BLOCK_THREADS, 0, stream>>>(alpha, x,
                                                                                       beta, y, n);
    return cudaGetLastError();
}

extern "C" cudaError_t sc_launch_add_noise(const float *x, float *out, float *ranges, int64_t n,
                                           int64_t per_sample, sc_noise_params p,
                                           cudaStream_t stream) {
    const int64_t total = n * per_sample;
    if (total <= 0)
        return cudaSuccess;
    if (p.kind == SC_NOISE_NORMAL_RANGE) {
        if (!ranges)
            return cudaErrorInvalidValue;
        image_range_kernel<<<sc_grid_blocks(n, 1), SC_RANGE_THREADS, 0, stream>>>(x, ranges, n,
                                                                                  per_sample);
        cudaError_t status = cudaGetLastError();
        if (status != cudaSuccess)
            return status;
    }
    add_noise_kernel<<<sc_grid_blocks(total, SC_BLOCK_THREADS), SC_BLOCK_THREADS, 0, stream>>>(
        x, ranges, out, total, per_sample, p);
    return cudaGetLastError();
}

extern "C" cudaError_t sc_launch_ranked_replace(const float *x, const float *alt,
                                                const int32_t *ranks, float *out, int64_t n,
                                                int64_t channels, int64_t hw, int64_t count,
                                                int from_least, cudaStream_t stream) {
    const int64_t total = n * channels * hw;
    if (total <= 0)
        return cudaSuccess;
    ranked_replace_kernel<<<sc_grid_blocks(total, SC_BLOCK_THREADS), SC_BLOCK_THREADS, 0, stream>>>(
        x, alt, ranks, out, total, channels, hw, count, from_least);
    return cudaGetLastError();
}
