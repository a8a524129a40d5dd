/* Batch-norm kernel cuDNN has no call for: the backward of the inference form, an affine map
 * per channel, dx = dy * gamma / sqrt(running_var + eps). The scale is the CPU backend's
 * expression, in double and rounded once (double division and sqrt are correctly rounded on
 * both), so both backends produce the same bits. */
#include <math.h>

#include "kernels.h"
#include "launch.cuh"

__global__ void bn_infer_bwd_kernel(const float *dy, const float *__restrict__ gamma,
                                    const float *__restrict__ running_var, float *dx, float eps,
                                    int64_t count, int64_t channels, int64_t hw, int accumulate) {
    SC_GRID_STRIDE_LOOP(i, count) {
        int64_t c = (i / hw) % channels;
        float scale = (float)((double)gamma[c] / sqrt((double)running_var[c] + (double)eps));
        float g = dy[i] * scale;
        dx[i] = accumulate ? dx[i] + g : g;
    }
}

extern "C" cudaError_t sc_launch_bn_infer_bwd(const float *dy, const float *gamma,
                                              const float *running_var, float *dx, float eps,
                                              int64_t n, int64_t channels, int64_t hw,
                                              int accumulate, cudaStream_t stream) {
    int64_t count = n * channels * hw;
    if (count <= 0)
        return cudaSuccess;
    bn_infer_bwd_kernel<<<sc_grid_blocks(count, SC_BLOCK_THREADS), SC_BLOCK_THREADS, 0, stream>>>(
        dy, gamma, running_var, dx, eps, count, channels, hw, accumulate);
    return cudaGetLastError();
}
