/* Element-wise kernels: ReLU and the residual add, forward and backward. Outputs may alias
 * inputs (the network runs ReLU and add in place), so no pointer is __restrict__. */
#include "kernels.h"
#include "launch.cuh"

#include "../../host/core/op_math.h"

__global__ void relu_fwd_kernel(const float *x, float *y, int64_t n) {
    SC_GRID_STRIDE_LOOP(i, n) { y[i] = sc_relu(x[i]); }
}

__global__ void relu_bwd_kernel(const float *y, const float *dy, float *dx, int64_t n,
                                int accumulate) {
    SC_GRID_STRIDE_LOOP(i, n) {
        float g = sc_relu_grad(y[i], dy[i]);
        dx[i] = accumulate ? dx[i] + g : g;
    }
}

__global__ void add_fwd_kernel(const float *a, const float *b, float *y, int64_t n) {
    SC_GRID_STRIDE_LOOP(i, n) { y[i] = a[i] + b[i]; }
}

__global__ void add_bwd_kernel(const float *dy, float *dx, int64_t n, int accumulate) {
    SC_GRID_STRIDE_LOOP(i, n) { dx[i] = accumulate ? dx[i] + dy[i] : dy[i]; }
}

extern "C" cudaError_t sc_launch_relu_fwd(const float *x, float *y, int64_t n,
                                          cudaStream_t stream) {
    if (n <= 0)
        return cudaSuccess;
    relu_fwd_kernel<<<sc_grid_blocks(n, SC_BLOCK_THREADS), SC_BLOCK_THREADS, 0, stream>>>(x, y, n);
    return cudaGetLastError();
}

extern "C" cudaError_t sc_launch_relu_bwd(const float *y, const float *dy, float *dx, int64_t n,
                                          int accumulate, cudaStream_t stream) {
    if (n <= 0)
        return cudaSuccess;
    relu_bwd_kernel<<<sc_grid_blocks(n, SC_BLOCK_THREADS), SC_BLOCK_THREADS, 0, stream>>>(
        y, dy, dx, n, accumulate);
    return cudaGetLastError();
}

extern "C" cudaError_t sc_launch_add_fwd(const float *a, const float *b, float *y, int64_t n,
                                         cudaStream_t stream) {
    if (n <= 0)
        return cudaSuccess;
    add_fwd_kernel<<<sc_grid_blocks(n, SC_BLOCK_THREADS), SC_BLOCK_THREADS, 0, stream>>>(a, b, y,
                                                                                         n);
    return cudaGetLastError();
}

extern "C" cudaError_t sc_launch_add_bwd(const float *dy, float *dx, int64_t n, int accumulate,
                                         cudaStream_t stream) {
    if (n <= 0)
        return cudaSuccess;
    add_bwd_kernel<<<sc_grid_blocks(n, SC_BLOCK_THREADS), SC_BLOCK_THREADS, 0, stream>>>(
        dy, dx, n, accumulate);
    return cudaGetLastError();
}
