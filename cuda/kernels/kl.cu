/* KL(softmax(p_logits) || softmax(q_logits)) fused with both gradients (kl_div, backend.h):
 * one thread per row runs sc_kl_row (saliency_math.h), the CPU's formula; with stats, each
 * row's KL is kept in double and the rows are summed in row order as on the CPU. */
#include "kernels.h"
#include "launch.cuh"
#include "sample_sum.cuh"

#include "../../host/core/saliency_math.h"

/* p_logits, q_logits, dp, dq (rows, k); dp, dq, kl_rows may be NULL. */
__global__ void kl_div_kernel(const float *__restrict__ p_logits,
                              const float *__restrict__ q_logits, float *__restrict__ dp,
                              float *__restrict__ dq, double *__restrict__ kl_rows, int64_t rows,
                              int k, float scale_over_n, int accumulate) {
    SC_GRID_STRIDE_LOOP(row, rows) {
        const int64_t at = row * k;
        const float kl = sc_kl_row(p_logits + at, q_logits + at, k, scale_over_n,
                                   dp ? dp + at : NULL, dq ? dq + at : NULL, accumulate);
        if (kl_rows)
            kl_rows[row] = (double)kl;
    }
}

extern "C" cudaError_t sc_launch_kl_div(const float *p_logits, const float *q_logits, float *dp,
                                        float *dq, float *stats, double *sample_values,
                                        int64_t rows, int k, float scale_over_n, int accumulate,
                                        cudaStream_t stream) {
    if (rows <= 0)
        return cudaSuccess;
    if (stats && !sample_values)
        return cudaErrorInvalidValue;
    kl_div_kernel<<<sc_grid_blocks(rows, SC_BLOCK_THREADS), SC_BLOCK_THREADS, 0, stream>>>(
        p_logits, q_logits, dp, dq, stats ? sample_values : NULL, rows, k, scale_over_n,
        accumulate);
    cudaError_t status = cudaGetLastError();
    if (status != cudaSuccess || !stats)
        return status;
    return sc_sample_sum(sample_values, rows, 0, stats, stream);
}
