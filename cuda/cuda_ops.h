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
/* cuda_bn_sync.c */
sc_status sc_cuda_bn_bwd_sums(sc_backend *be, const sc_tensor *x, const sc_tensor *dy,
                              const sc_tensor *mean, const sc_tensor *invstd,
                              const sc_tensor *sums);
sc_status sc_cuda_bn_bwd_apply(sc_backend *be, double count, const sc_tensor *x,
                               const sc_tensor *dy, const sc_tensor *gamma, const sc_tensor *mean,
                               const sc_tensor *invstd, const sc_tensor *sums, const sc_tensor *dx,
                               int accumulate);

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

/* cuda_saliency.c */
sc_status sc_cuda_saliency_reduce(sc_backend *be, const sc_saliency_params *p, const sc_tensor *g,
                                  const sc_tensor *x, const sc_tensor *map);
sc_status sc_cuda_onehot(sc_backend *be, float scale, const sc_tensor *targets,
                         const sc_tensor *out);
sc_status sc_cuda_argmax(sc_backend *be, const sc_tensor *logits, const sc_tensor *out);

/* cuda_ranking.c: per-sample sorts with CUB in the context's kernel scratch. */
sc_status sc_cuda_mask_select(sc_backend *be, const sc_mask_params *p, const sc_tensor *map,
                              const sc_tensor *mask, const sc_tensor *stats);
sc_status sc_cuda_map_gini(sc_backend *be, const sc_tensor *map, const sc_tensor *gini,
                           const sc_tensor *stats);
/* CUB's segmented sort counts keys in int: SC_ERR_UNSUPPORTED (naming op, and n samples and
 * per_sample values as `samples` of `values`) when n * per_sample exceeds INT_MAX. */
sc_status sc_cuda_check_sortable(sc_backend *be, sc_op op, int64_t n, int64_t per_sample,
                                 const char *samples, const char *values);

/* cuda_fill.c */
sc_status sc_cuda_image_stats(sc_backend *be, const sc_tensor *x, const sc_tensor *out);
sc_status sc_cuda_mask_fill(sc_backend *be, const sc_fill_params *p, const sc_tensor *x,
                            const sc_tensor *mask, const sc_tensor *image_stats,
                            const sc_tensor *out);

/* cuda_perturb.c */
sc_status sc_cuda_perturb_budget(sc_backend *be, const sc_budget_params *p, const sc_tensor *map,
                                 const sc_tensor *mask, const sc_tensor *budget);
sc_status sc_cuda_perturb_init(sc_backend *be, const sc_perturb_params *p, const sc_tensor *x,
                               const sc_tensor *budget, const sc_tensor *xadv);
sc_status sc_cuda_perturb_step(sc_backend *be, const sc_perturb_params *p, const sc_tensor *x,
                               const sc_tensor *g, const sc_tensor *budget, const sc_tensor *xadv,
                               const sc_tensor *stats);

/* cuda_kl.c */
sc_status sc_cuda_kl_div(sc_backend *be, const sc_kl_params *p, const sc_tensor *p_logits,
                         const sc_tensor *q_logits, const sc_tensor *dp, const sc_tensor *dq,
                         const sc_tensor *stats);

/* cuda_blend.c */
sc_status sc_cuda_axpby(sc_backend *be, float alpha, const sc_tensor *x, float beta,
                        const sc_tensor *y);
sc_status sc_cuda_add_noise(sc_backend *be, const sc_noise_params *p, const sc_tensor *x,
                            const sc_tensor *out);
sc_status sc_cuda_ranked_replace(sc_backend *be, int64_t count, int from_least, const sc_tensor *x,
                                 const sc_tensor *alt, const sc_tensor *ranks,
                                 const sc_tensor *out);

/* cuda_gradcam.c */
sc_status sc_cuda_gradcam(sc_backend *be, const sc_tensor *act, const sc_tensor *grad,
                          const sc_tensor *map);
sc_status sc_cuda_resize_bilinear(sc_backend *be, const sc_tensor *in, const sc_tensor *out);

/* cuda_metric_ranks.c: per-sample sorts with CUB in the context's kernel scratch. */
sc_status sc_cuda_rank_pixels(sc_backend *be, const sc_tensor *map, const sc_tensor *ranks);
sc_status sc_cuda_rank_rows(sc_backend *be, const sc_tensor *in, const sc_tensor *out);

/* cuda_blur.c */
sc_status sc_cuda_gaussian_blur(sc_backend *be, const sc_blur_params *p, const sc_tensor *x,
                                const sc_tensor *out);

/* cuda_metrics.c */
sc_status sc_cuda_map_sparsity(sc_backend *be, const sc_tensor *map, const sc_tensor *hoyer,
                               const sc_tensor *entropy);
sc_status sc_cuda_target_score(sc_backend *be, sc_score_kind kind, const sc_tensor *logits,
                               const sc_tensor *targets, int column, const sc_tensor *out);
sc_status sc_cuda_curve_auc(sc_backend *be, const sc_tensor *curves, const sc_tensor *auc);
sc_status sc_cuda_pearson_rows(sc_backend *be, const sc_tensor *a, const sc_tensor *b,
                               const sc_tensor *out);
sc_status sc_cuda_masked_sum(sc_backend *be, const sc_tensor *map, const sc_tensor *mask,
                             int column, const sc_tensor *out);
sc_status sc_cuda_relative_distance(sc_backend *be, const sc_tensor *a, const sc_tensor *b,
                                    const sc_tensor *out);

/* cuda_impute.c */
sc_status sc_cuda_impute_linear(sc_backend *be, const sc_impute_params *p, const sc_tensor *x,
                                const sc_tensor *mask, const sc_tensor *out);

#endif
