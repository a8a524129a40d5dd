/* Fused softmax cross-entropy forward + backward: one thread per row runs sc_xent_row (the
 * CPU's formula, host/core/op_math.h) and keeps the row's loss and correct flag in double;
 * then one thread sums each in row order into stats, exactly as the CPU does (no atomics, so
 * the figures are the same every run). */
#include <math.h>

#include "kernels.h"
#include "label_check.cuh"
#include "launch.cuh"
#include "sample_sum.cuh"

#include "../../host/core/op_math.h"

/* logits, dlogits (rows, k); labels (rows); row_loss, row_correct (rows). */
__global__ void softmax_xent_kernel(const float *__restrict__ logits,
                                    const int32_t *__restrict__ labels, float *__restrict__ dlogits,
                                    double *__restrict__ row_loss, double *__restrict__ row_correct,
                                    int64_t rows, int k, float smoothing, float grad_scale_over_n,
                                    sc_label_check check) {
    SC_GRID_STRIDE_LOOP(row, rows) {
        const int32_t label = labels[row];
        float *dlogits_row = dlogits ? dlogits + row * k : NULL; /* (k) */
        if (!sc_label_ok(check, SC_OP_SOFTMAX_XENT, row, label, k)) {
            row_loss[row] = NAN;
            row_correct[row] = 0.0;
            if (dlogits_row)
                for (int j = 0; j < k; j++)
                    dlogits_row[j] = 0.0f;
            continue;
        }
        int is_correct = 0;
        row_loss[row] = (double)sc_xent_row(logits + row * k, k, label, smoothing,
                                            grad_scale_over_n, dlogits_row, &is_correct);
        row_correct[row] = (double)is_correct;
    }
}

extern "C" cudaError_t sc_launch_softmax_xent(const float *logits, const int32_t *labels,
                                              float *dlogits, float *stats, double *row_values,
                                              int64_t rows, int k, float smoothing,
                                              float grad_scale_over_n, sc_label_check check,
                                              cudaStream_t stream) {
    if (rows <= 0)
        return cudaSuccess;
    double *row_loss = row_values, *row_correct = row_values + rows;
    softmax_xent_kernel<<<sc_grid_blocks(rows, SC_BLOCK_THREADS), SC_BLOCK_THREADS, 0, stream>>>(
        logits, labels, dlogits, row_loss, row_correct, rows, k, smoothing, grad_scale_over_n,
        check);
    cudaError_t status = cudaGetLastError();
    if (status == cudaSuccess)
        status = sc_sample_sum(row_loss, rows, 0, stats, stream);
    if (status == cudaSuccess)
        status = sc_sample_sum(row_correct, rows, 0, stats + 1, stream);
    return status;
}
