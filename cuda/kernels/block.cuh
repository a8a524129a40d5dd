/* Helpers of the kernels that give one block to each sample or image plane (mask.cu, gini.cu,
 * fill.cu, perturb.cu): the block loop over samples, the min/max operators of the CPU
 * backend (fminf/fmaxf: a NaN loses against a number) and the broadcast of a block
 * reduction's result, which CUB leaves in thread 0 only. */
#ifndef SC_CUDA_BLOCK_CUH
#define SC_CUDA_BLOCK_CUH

#include <math.h>
#include <stdint.h>

/* Block b handles samples b, b + gridDim.x, ...: the condition is uniform in a block, so the
 * body may synchronise. */
#define SC_BLOCK_PER_SAMPLE_LOOP(s, count) for (int64_t s = blockIdx.x; s < (count); s += gridDim.x)

/* Strided loop of the block's threads over [0, count). */
#define SC_BLOCK_STRIDE_LOOP(j, count) for (int64_t j = threadIdx.x; j < (count); j += blockDim.x)

struct sc_fmin_op {
    __device__ float operator()(float a, float b) const { return fminf(a, b); }
};

struct sc_fmax_op {
    __device__ float operator()(float a, float b) const { return fmaxf(a, b); }
};

/* Thread 0's v in every thread of the block; slot is a __shared__ variable of the caller. The
 * leading barrier lets the block reuse slot and any CUB temporary storage read before. */
template <typename T> __device__ T sc_block_broadcast(T v, T &slot) {
    __syncthreads();
    if (threadIdx.x == 0)
        slot = v;
    __syncthreads();
    return slot;
}

#endif
