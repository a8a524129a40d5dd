/* Private to the CUDA backend: the op functions each file of cuda/ contributes to the op table
 * in cuda_backend.c, and the convolution plan cache the context owns. Every op validates its
 * tensors with host/backend/shape_check.h (the same messages as the CPU backend), then issues
 * its work on the context's stream inside an op scope (cuda_context.h). */
#ifndef SC_CUDA_OPS_H
#define SC_CUDA_OPS_H

#include "../host/backend/backend.h"
#include "cuda_context.h"

/* cuda_conv.c: cuDNN convolutions with descriptors and algorithms cached per shape. */
sc_status sc_cuda_conv_cache_create(sc_backend *be, sc_cuda_conv_cache **out);
void sc_cuda_conv_cache_destroy(sc_cuda_conv_cache *cache);
sc_status sc_cuda_conv2d_prepare(sc_backend *be, const sc_conv_params *p, const sc_tensor *x,
                                 const sc_tensor *w, const sc_tensor *y);
sc_status sc_cuda_conv2d_fwd(sc_backend *be, const sc_conv_params *p, const sc_tensor *x,
                             const sc_tensor *w, const sc_tensor *y);
sc_status sc_cuda_conv2d_bwd_data(sc_backend *be, const sc_conv_params *p, const sc_tensor *dy,
                                  const sc_tensor *w, const sc_tensor *dx, int accumulate);
sc_status sc_cuda_conv2d_bwd_filter(sc_backend *be, const sc_conv_params *p, const sc_tensor *x,
                                    const sc_tensor *dy, const sc_tensor *dw);

/* cuda_batchnorm.c: cuDNN spatial batch norm; the inference backward is a kernel. */
sc_status sc_cuda_bn_train_fwd(sc_backend *be, const sc_bn_params *p, const sc_tensor *x,
                               const sc_tensor *gamma, const sc_tensor *beta,
                               const sc_tensor *running_mean, const sc_tensor *running_var,
                               const sc_tensor *save_mean, const sc_tensor *save_invstd,
                               const sc_tensor *y);
sc_status sc_cuda_bn_infer_fwd(sc_backend *be, const sc_bn_params *p, const sc_tensor *x,
                               const sc_tensor *gamma, const sc_tensor *beta,
                               const sc_tensor *running_mean, const sc_tensor *running_var,
                               const sc_tensor *y);
sc_status sc_cuda_bn_train_bwd(sc_backend *be, const sc_bn_params *p, const sc_tensor *x,
                               const sc_tensor *dy, const sc_tensor *gamma,
                               const sc_tensor *save_mean, const sc_tensor *save_invstd,
                               const sc_tensor *dx, const sc_tensor *dgamma, const sc_tensor *dbeta,
                               int accumulate);
sc_status sc_cuda_bn_infer_bwd(sc_backend *be, const sc_bn_params *p, const sc_tensor *dy,
                               const sc_tensor *gamma, const sc_tensor *running_var,
                               const sc_tensor *dx, int accumulate);

/* cuda_elementwise.c */
sc_status sc_cuda_relu_fwd(sc_backend *be, const sc_tensor *x, const sc_tensor *y);
sc_status sc_cuda_relu_bwd(sc_backend *be, const sc_tensor *y, const sc_tensor *dy,
                           const sc_tensor *dx, int accumulate);
sc_status sc_cuda_add_fwd(sc_backend *be, const sc_tensor *a, const sc_tensor *b,
                          const sc_tensor *y);
sc_status sc_cuda_add_bwd(sc_backend *be, const sc_tensor *dy, const sc_tensor *dx, int accumulate);

/* cuda_pool.c: max pooling and global average pooling kernels. */
sc_status sc_cuda_maxpool_fwd(sc_backend *be, const sc_pool_params *p, const sc_tensor *x,
                              const sc_tensor *y);
sc_status sc_cuda_maxpool_bwd(sc_backend *be, const sc_pool_params *p, const sc_tensor *x,
                              const sc_tensor *y, const sc_tensor *dy, const sc_tensor *dx,
                              int accumulate);
sc_status sc_cuda_gap_fwd(sc_backend *be, const sc_tensor *x, const sc_tensor *y);
sc_status sc_cuda_gap_bwd(sc_backend *be, const sc_tensor *dy, const sc_tensor *dx, int accumulate);

/* cuda_linear.c: cuBLAS GEMMs plus bias kernels. */
sc_status sc_cuda_linear_fwd(sc_backend *be, const sc_tensor *x, const sc_tensor *w,
                             const sc_tensor *b, const sc_tensor *y);
sc_status sc_cuda_linear_bwd_data(sc_backend *be, const sc_tensor *dy, const sc_tensor *w,
                                  const sc_tensor *dx, int accumulate);
sc_status sc_cuda_linear_bwd_weight(sc_backend *be, const sc_tensor *x, const sc_tensor *dy,
                                    const sc_tensor *dw, const sc_tensor *db);

/* cuda_loss.c */
sc_status sc_cuda_softmax_xent(sc_backend *be, const sc_xent_params *p, const sc_tensor *logits,
                               const sc_tensor *labels, const sc_tensor *dlogits,
                               const sc_tensor *stats);

/* cuda_sgd.c */
sc_status sc_cuda_sgd_update(sc_backend *be, const sc_sgd_params *p, const sc_tensor *param,
                             const sc_tensor *grad, const sc_tensor *momentum_buf);

/* cuda_rng.c */
sc_status sc_cuda_rng_uniform(sc_backend *be, sc_rng_key key, float lo, float hi,
                              const sc_tensor *out);
sc_status sc_cuda_rng_normal(sc_backend *be, sc_rng_key key, float mean, float std,
                             const sc_tensor *out);

#endif
