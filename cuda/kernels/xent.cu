/* Fused softmax cross-entropy forward + backward: one thread per row runs sc_xent_row (the
 * CPU's formula, host/core/op_math.h); each block sums its rows' loss and correct count in a
 * fixed tree order and adds the block totals to stats with one atomicAdd each. */
#include "kernels.h"
#include "launch.cuh"

#include "../../host/core/op_math.h"

#define SC_XENT_THREADS 128 /* a power of two: the tree reduction halves it */

__global__ void softmax_xent_kernel(const float *__restrict__ logits,
                                    const int32_t *__restrict__ labels, float *__restrict__ dlogits,
                                    float *__restrict__ stats, int64_t rows, int k, float smoothing,
                                    float grad_scale_over_n) {
    __shared__ float block_loss[SC_XENT_THREADS];
    __shared__ float block_correct[SC_XENT_THREADS];
    const int tid = threadIdx.x;
    const int64_t row = (int64_t)blockIdx.x * SC_XENT_THREADS + tid;
    float loss = 0.0f;
    float correct = 0.0f;
    if (row < rows) {
        int is_correct = 0;
        loss = sc_xent_row(logits + row * k, k, labels[row], smoothing, grad_scale_over_n,
                           dlogits ? dlogits + row * k : NULL, &is_correct);
        correct = (float)is_correct;
    }
    block_loss[tid] = loss;
    block_correct[tid] = correct;
    __syncthreads();
    for (int half = SC_XENT_THREADS / 2; half > 0; half >>= 1) {
        if (tid < half) {
            block_loss[tid] += block_loss[tid + half];
            block_correct[tid] += block_correct[tid + half];
        }
        __syncthreads();
    }
    if (tid == 0) {
        atomicAdd(&stats[0], block_loss[0]);
        atomicAdd(&stats[1], block_correct[0]);
    }
}

extern "C" cudaError_t sc_launch_softmax_xent(const float *logits, const int32_t *labels,
                                              float *dlogits, float *stats, int64_t rows, int k,
                                              float smoothing, float grad_scale_over_n,
                                              cudaStream_t stream) {
    if (rows <= 0)
        return cudaSuccess;
    unsigned int blocks = (unsigned int)((rows + SC_XENT_THREADS - 1) / SC_XENT_THREADS);
    softmax_xent_kernel<<<blocks, SC_XENT_THREADS, 0, stream>>>(
        logits, labels, dlogits, stats, rows, k, smoothing, grad_scale_over_n);
    return cudaGetLastError();
}
