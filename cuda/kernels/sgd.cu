/* Fused SGD-momentum update over a flat parameter tensor: sc_sgd_update_elem per element, the
 * CPU's formula (host/core/op_math.h), so both backends update bit-identically. */
#include "kernels.h"
#include "launch.cuh"

#include "../../host/core/op_math.h"

__global__ void sgd_update_kernel(float *__restrict__ param, const float *__restrict__ grad,
                                  float *__restrict__ momentum_buf, int64_t n, float lr,
                                  float momentum, float weight_decay, int nesterov) {
    SC_GRID_STRIDE_LOOP(i, n) {
        sc_sgd_update_elem(&param[i], grad[i], &momentum_buf[i], lr, momentum, weight_decay,
                           nesterov);
    }
}

extern "C" cudaError_t sc_launch_sgd_update(float *param, const float *grad, float *momentum_buf,
                                            int64_t n, float lr, float momentum, float weight_decay,
                                            int nesterov, cudaStream_t stream) {
    if (n <= 0)
        return cudaSuccess;
    sgd_update_kernel<<<sc_grid_blocks(n, SC_BLOCK_THREADS), SC_BLOCK_THREADS, 0, stream>>>(
        param, grad, momentum_buf, n, lr, momentum, weight_decay, nesterov);
    return cudaGetLastError();
}
