/* Launchers of the custom CUDA kernels (the .cu files of cuda/kernels), callable from C.
 *
 * Every launcher enqueues its kernel on `stream` and returns cudaGetLastError() right after
 * the launch (cudaSuccess without launching when there is nothing to do), so the caller's
 * SC_CUDA_CHECK is the last-error check of that launch. Pointers are device memory; shapes are
 * logical NCHW; element counts are 64-bit. Element-wise formulas come from host/core/op_math.h
 * and host/core/rng.h, the same functions the CPU backend calls. */
#ifndef SC_CUDA_KERNELS_H
#define SC_CUDA_KERNELS_H

#include <stdint.h>

#include <cuda_runtime_api.h>

#include "../../host/core/rng.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Window geometry of max pooling: planes = N * C, input (h, w), output (oh, ow). */
typedef struct sc_pool_geometry {
    int64_t planes;
    int h, w;
    int oh, ow;
    int kernel, stride, pad;
} sc_pool_geometry;

/* elementwise.cu: x, y, dy, dx (n); outputs may alias inputs (in-place ReLU and add). */
cudaError_t sc_launch_relu_fwd(const float *x, float *y, int64_t n, cudaStream_t stream);
cudaError_t sc_launch_relu_bwd(const float *y, const float *dy, float *dx, int64_t n,
                               int accumulate, cudaStream_t stream);
cudaError_t sc_launch_add_fwd(const float *a, const float *b, float *y, int64_t n,
                              cudaStream_t stream);
cudaError_t sc_launch_add_bwd(const float *dy, float *dx, int64_t n, int accumulate,
                              cudaStream_t stream);

/* pool.cu: x, dx (planes, h, w); y, dy (planes, oh, ow). The forward takes the first maximum
 * of each window in row-major order (padding never takes part); the backward gives each input
 * element the sum of dy over the windows whose first maximum it is, one thread per input
 * element (deterministic, no atomics). */
cudaError_t sc_launch_maxpool_fwd(const float *x, float *y, sc_pool_geometry g,
                                  cudaStream_t stream);
cudaError_t sc_launch_maxpool_bwd(const float *x, const float *dy, float *dx, sc_pool_geometry g,
                                  int accumulate, cudaStream_t stream);
/* x, dx (planes, hw); y, dy (planes): y = mean over hw; dx = dy / hw. */
cudaError_t sc_launch_gap_fwd(const float *x, float *y, int64_t planes, int64_t hw,
                              cudaStream_t stream);
cudaError_t sc_launch_gap_bwd(const float *dy, float *dx, int64_t planes, int64_t hw,
                              int accumulate, cudaStream_t stream);

/* batchnorm.cu: dy, dx (n, channels, hw); gamma, running_var (channels):
 * dx = dy * (float)(gamma / sqrt(running_var + eps)), the scale computed in double. */
cudaError_t sc_launch_bn_infer_bwd(const float *dy, const float *gamma, const float *running_var,
                                   float *dx, float eps, int64_t n, int64_t channels, int64_t hw,
                                   int accumulate, cudaStream_t stream);

/* linear.cu: y (rows, cols) += bias (cols); db (cols) += column sums of dy (rows, cols), each
 * summed in double. */
cudaError_t sc_launch_bias_add(float *y, const float *bias, int64_t rows, int64_t cols,
                               cudaStream_t stream);
cudaError_t sc_launch_bias_grad(const float *dy, float *db, int64_t rows, int64_t cols,
                                cudaStream_t stream);

/* xent.cu: logits, dlogits (rows, k) (dlogits may be NULL), labels (rows), stats (2):
 * sc_xent_row per row, stats[0] += loss sum, stats[1] += correct count. */
cudaError_t sc_launch_softmax_xent(const float *logits, const int32_t *labels, float *dlogits,
                                   float *stats, int64_t rows, int k, float smoothing,
                                   float grad_scale_over_n, cudaStream_t stream);

/* sgd.cu: param, grad, momentum_buf (n): sc_sgd_update_elem per element. */
cudaError_t sc_launch_sgd_update(float *param, const float *grad, float *momentum_buf, int64_t n,
                                 float lr, float momentum, float weight_decay, int nesterov,
                                 cudaStream_t stream);

/* rng.cu: out (n) = lo + (hi - lo) * sc_rng_uniform(key, i), or mean + std * sc_rng_normal. */
cudaError_t sc_launch_rng_uniform(float *out, int64_t n, sc_rng_key key, float lo, float hi,
                                  cudaStream_t stream);
cudaError_t sc_launch_rng_normal(float *out, int64_t n, sc_rng_key key, float mean, float std,
                                 cudaStream_t stream);

#ifdef __cplusplus
}
#endif

#endif
