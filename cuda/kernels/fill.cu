/* SGT's masked-pixel fill: the per-image-channel min / max / mean table (image_stats, one block
 * per plane: fminf/fmaxf as the CPU, so min and max are exact; the mean is summed in double in a
 * fixed tree order, the CPU's in (h, w) order) and the fill of the pixels inside M (mask_fill,
 * element-wise: a Philox uniform in [min, max] of the channel keyed by the flat NCHW index, or
 * the channel mean; outside M a copy of x). A mask value other than 0 counts as inside M. */
#include <math.h>

#include <cub/block/block_reduce.cuh>

#include "block.cuh"
#include "kernels.h"
#include "launch.cuh"

#include "../../host/core/rng.h"
#include "../../host/core/saliency_math.h"

#define SC_STATS_THREADS 256

typedef cub::BlockReduce<float, SC_STATS_THREADS> stats_float_reduce;
typedef cub::BlockReduce<double, SC_STATS_THREADS> stats_double_reduce;

/* One block per plane of x (planes, hw) -> out (planes, 3). */
__global__ void __launch_bounds__(SC_STATS_THREADS)
    image_stats_kernel(const float *__restrict__ x, float *__restrict__ out, int64_t planes,
                       int64_t hw) {
    __shared__ union {
        stats_float_reduce::TempStorage float_reduce;
        stats_double_reduce::TempStorage double_reduce;
    } storage;
    __shared__ float float_slot;
    __shared__ double double_slot;
    SC_BLOCK_PER_SAMPLE_LOOP(plane, planes) {
        const float *v = x + plane * hw; /* (hw) */
        /* NaN is the identity of fminf / fmaxf: a thread without elements changes nothing. */
        float lo = NAN, hi = NAN;
        double sum = 0.0;
        SC_BLOCK_STRIDE_LOOP(i, hw) {
            lo = fminf(lo, v[i]);
            hi = fmaxf(hi, v[i]);
            sum += (double)v[i];
        }
        lo = sc_block_broadcast(stats_float_reduce(storage.float_reduce).Reduce(lo, sc_fmin_op()),
                                float_slot);
        hi = sc_block_broadcast(stats_float_reduce(storage.float_reduce).Reduce(hi, sc_fmax_op()),
                                float_slot);
        sum = sc_block_broadcast(stats_double_reduce(storage.double_reduce).Sum(sum), double_slot);
        if (threadIdx.x == 0) {
            out[plane * 3 + 0] = lo;
            out[plane * 3 + 1] = hi;
            out[plane * 3 + 2] = (float)(sum / (double)hw);
        }
    }
}

/* One thread per element of x, out (n, channels, hw); out may alias x. */
__global__ void mask_fill_kernel(const float *x, const float *__restrict__ mask,
                                 const float *__restrict__ image_stats, float *out, int64_t n,
                                 int64_t channels, int64_t hw, sc_fill_params p) {
    SC_GRID_STRIDE_LOOP(i, n * channels * hw) {
        const int64_t plane = i / hw, sample = plane / channels;
        if (mask[sample * hw + i % hw] == 0.0f) {
            out[i] = x[i];
            continue;
        }
        const float *s = image_stats + plane * 3; /* (3) of channel (n, c) */
        out[i] = p.kind == SC_FILL_MEAN
                     ? s[2]
                     : sc_fill_uniform_elem(s[0], s[1], sc_rng_uniform(p.key, (uint64_t)i));
    }
}

extern "C" cudaError_t sc_launch_image_stats(const float *x, float *out, int64_t planes, int64_t hw,
                                             cudaStream_t stream) {
    if (planes * hw <= 0)
        return cudaSuccess;
    image_stats_kernel<<<sc_grid_blocks(planes, 1), SC_STATS_THREADS, 0, stream>>>(x, out, planes,
                                                                                   hw);
    return cudaGetLastError();
}

extern "C" cudaError_t sc_launch_mask_fill(const float *x, const float *mask,
                                           const float *image_stats, float *out, int64_t n,
                                           int64_t channels, int64_t hw, sc_fill_params p,
                                           cudaStream_t stream) {
    const int64_t total = n * channels * hw;
    if (total <= 0)
        return cudaSuccess;
    mask_fill_kernel<<<sc_grid_blocks(total, SC_BLOCK_THREADS), SC_BLOCK_THREADS, 0, stream>>>(
        x, mask, image_stats, out, n, channels, hw, p);
    return cudaGetLastError();
}
