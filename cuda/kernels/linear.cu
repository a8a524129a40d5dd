/* Bias kernels of the linear layer (the GEMMs are cuBLAS): the forward's bias add and the
 * bias gradient, a column sum of dy. */
#include "kernels.h"
#include "launch.cuh"

/* y (rows, cols) += bias broadcast over rows. */
__global__ void bias_add_kernel(float *__restrict__ y, const float *__restrict__ bias, int64_t rows,
                                int64_t cols) {
    SC_GRID_STRIDE_LOOP(i, rows * cols) { y[i] = y[i] + bias[i % cols]; }
}

/* One thread per column j: the CPU's sum, in double and in row order, added to db[j];
 * neighbouring threads read neighbouring columns, so each row is read coalesced. */
__global__ void bias_grad_kernel(const float *__restrict__ dy, float *__restrict__ db, int64_t rows,
                                 int64_t cols) {
    SC_GRID_STRIDE_LOOP(j, cols) {
        double sum = 0.0;
        for (int64_t r = 0; r < rows; r++)
            sum += dy[r * cols + j];
        db[j] += (float)sum;
    }
}

extern "C" cudaError_t sc_launch_bias_add(float *y, const float *bias, int64_t rows, int64_t cols,
                                          cudaStream_t stream) {
    int64_t n = rows * cols;
    if (n <= 0)
        return cudaSuccess;
    bias_add_kernel<<<sc_grid_blocks(n, SC_BLOCK_THREADS), SC_BLOCK_THREADS, 0, stream>>>(
        y, bias, rows, cols);
    return cudaGetLastError();
}

extern "C" cudaError_t sc_launch_bias_grad(const float *dy, float *db, int64_t rows, int64_t cols,
                                           cudaStream_t stream) {
    if (cols <= 0)
        return cudaSuccess;
    bias_grad_kernel<<<sc_grid_blocks(cols, SC_BLOCK_THREADS), SC_BLOCK_THREADS, 0, stream>>>(
        dy, db, rows, cols);
    return cudaGetLastError();
}
