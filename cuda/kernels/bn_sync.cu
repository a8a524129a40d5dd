/* The training batch-norm backward in two halves (bn_bwd_sums, bn_bwd_apply; contract in
 * backend.h), used by --sync-bn runs: one block per channel sums dy and dy * xhat in double,
 * then an element-wise kernel writes dx from sums that may cover several processes' batches.
 * The element math is host/core/bn_sync_math.h, shared with the CPU backend. */
#include <cub/block/block_reduce.cuh>

#include "block.cuh"
#include "kernels.h"
#include "launch.cuh"

#include "../../host/core/bn_sync_math.h"

#define SC_BN_SUM_THREADS 256

typedef cub::BlockReduce<double, SC_BN_SUM_THREADS> bn_sum_reduce;

__global__ void bn_bwd_sums_kernel(const float *__restrict__ x, const float *__restrict__ dy,
                                   const float *__restrict__ mean,
                                   const float *__restrict__ invstd, float *sums, int64_t n,
                                   int64_t channels, int64_t hw) {
    __shared__ typename bn_sum_reduce::TempStorage temp;
    SC_BLOCK_PER_SAMPLE_LOOP(c, channels) {
        const float m = mean[c], s = invstd[c];
        double sum_dy = 0.0, sum_dy_xhat = 0.0;
        SC_BLOCK_STRIDE_LOOP(j, n * hw) {
            int64_t i = ((j / hw) * channels + c) * hw + j % hw;
            sum_dy += dy[i];
            sum_dy_xhat += (double)dy[i] * sc_bn_xhat(x[i], m, s);
        }
        double total_dy = bn_sum_reduce(temp).Sum(sum_dy);
        __syncthreads();
        double total_dy_xhat = bn_sum_reduce(temp).Sum(sum_dy_xhat);
        if (threadIdx.x == 0) {
            sums[c] = (float)total_dy;
            sums[channels + c] = (float)total_dy_xhat;
        }
        __syncthreads();
    }
}

__global__ void bn_bwd_apply_kernel(const float *x, const float *dy,
                                    const float *__restrict__ gamma,
                                    const float *__restrict__ mean,
                                    const float *__restrict__ invstd,
                                    const float *__restrict__ sums, float *dx, double count,
                                    int64_t total, int64_t channels, int64_t hw, int accumulate) {
    SC_GRID_STRIDE_LOOP(i, total) {
        int64_t c = (i / hw) % channels;
        const float s = invstd[c];
        const float scale = gamma[c] * s;
        const float mean_dy = (float)((double)sums[c] / count);
        const float mean_dy_xhat = (float)((double)sums[channels + c] / count);
        float g = sc_bn_apply_dx(dy[i], x[i], mean[c], s, scale, mean_dy, mean_dy_xhat);
        dx[i] = accumulate ? dx[i] + g : g;
    }
}

extern "C" cudaError_t sc_launch_bn_bwd_sums(const float *x, const float *dy, const float *mean,
                                             const float *invstd, float *sums, int64_t n,
                                             int64_t channels, int64_t hw, cudaStream_t stream) {
    if (channels <= 0)
        return cudaSuccess;
    int blocks = channels < 65535 ? (int)channels : 65535;
    bn_bwd_sums_kernel<<<blocks, SC_BN_SUM_THREADS, 0, stream>>>(x, dy, mean, invstd, sums, n,
                                                                 channels, hw);
    return cudaGetLastError();
}

extern "C" cudaError_t sc_launch_bn_bwd_apply(const float *x, const float *dy, const float *gamma,
                                              const float *mean, const float *invstd,
                                              const float *sums, float *dx, double count,
                                              int64_t n, int64_t channels, int64_t hw,
                                              int accumulate, cudaStream_t stream) {
    int64_t total = n * channels * hw;
    if (total <= 0)
        return cudaSuccess;
    bn_bwd_apply_kernel<<<sc_grid_blocks(total, SC_BLOCK_THREADS), SC_BLOCK_THREADS, 0, stream>>>(
        x, dy, gamma, mean, invstd, sums, dx, count, total, channels, hw, accumulate);
    return cudaGetLastError();
}
