/* Shape and dtype validation shared by every backend, so the CPU and CUDA implementations
 * reject exactly the same calls with the same message. Each returns SC_OK or SC_ERR_SHAPE /
 * SC_ERR_UNSUPPORTED with a message naming the op and the offending shapes. */
#ifndef SC_SHAPE_CHECK_H
#define SC_SHAPE_CHECK_H

#include "backend.h"

/* Output size of a convolution / pooling window along one axis (may be <= 0: invalid). */
static inline int64_t sc_window_out(int64_t in, int kernel, int stride, int pad) {
    return (in + 2 * pad - kernel) / stride + 1;
}

sc_status sc_check_f32(sc_error *err, sc_op op, const sc_tensor *t, const char *what);
sc_status sc_check_conv(sc_error *err, sc_op op, const sc_conv_params *p, const sc_tensor *x,
                        const sc_tensor *w, const sc_tensor *y);
/* x and y (N, C, H, W) with per-channel tensors (C); per_channel may contain NULLs. */
sc_status sc_check_bn(sc_error *err, sc_op op, const sc_bn_params *p, const sc_tensor *x,
                      const sc_tensor *y, const sc_tensor *const *per_channel, int n_per_channel);
/* Batch norm never runs in place (backend.h): the output out shares no byte with the input a,
 * nor with b when b is given. */
sc_status sc_check_bn_apart(sc_error *err, sc_op op, const sc_tensor *out, const char *out_name,
                            const sc_tensor *a, const char *a_name, const sc_tensor *b,
                            const char *b_name);
sc_status sc_check_same(sc_error *err, sc_op op, const sc_tensor *a, const sc_tensor *b);
/* bn_bwd_sums / bn_bwd_apply: x, dy (N, C, H, W), the per-channel tensors (C) and sums (2, C),
 * all F32. */
sc_status sc_check_bn_split_bwd(sc_error *err, sc_op op, const sc_tensor *x, const sc_tensor *dy,
                                const sc_tensor *const *per_channel, int n_per_channel,
                                const sc_tensor *sums);
/* bn_bwd_apply: the split-backward checks, plus dx F32 like x and apart from x and dy (batch
 * norm never runs in place), and a batch count of at least 1. */
sc_status sc_check_bn_bwd_apply(sc_error *err, double count, const sc_tensor *x,
                                const sc_tensor *dy, const sc_tensor *gamma,
                                const sc_tensor *mean, const sc_tensor *invstd,
                                const sc_tensor *sums, const sc_tensor *dx);
sc_status sc_check_pool(sc_error *err, sc_op op, const sc_pool_params *p, const sc_tensor *x,
                        const sc_tensor *y);
sc_status sc_check_gap(sc_error *err, sc_op op, const sc_tensor *x, const sc_tensor *y);
/* x (N, IN) (or (N, IN, 1, 1)), w (OUT, IN), b (OUT) or NULL, y (N, OUT). */
sc_status sc_check_linear(sc_error *err, sc_op op, const sc_tensor *x, const sc_tensor *w,
                          const sc_tensor *b, const sc_tensor *y);
/* logits (N, K) F32, labels (N) int32 with data, dlogits NULL or like logits, stats (2) F32,
 * label smoothing in [0, 1]. */
sc_status sc_check_xent(sc_error *err, const sc_xent_params *p, const sc_tensor *logits,
                        const sc_tensor *labels, const sc_tensor *dlogits, const sc_tensor *stats);

/* Building blocks of the per-op checks below (each names the op and the argument `what`):
 * image: a present F32 NCHW 4-D tensor with every size >= 1; map: an image with one channel
 * (N, 1, H, W); map_of: (N, 1, H, W) with the N, H, W of ref, NULL passing unless required;
 * like: NULL, or F32 with the shape of ref; i32_vector: a present int32 (n); logits: a present
 * F32 (N, K) with N, K >= 1; sortable: at most UINT32_MAX pixels per map (32-bit indices). */
sc_status sc_check_image(sc_error *err, sc_op op, const sc_tensor *t, const char *what);
sc_status sc_check_map(sc_error *err, sc_op op, const sc_tensor *map);
sc_status sc_check_map_of(sc_error *err, sc_op op, const sc_tensor *t, const char *what,
                          const sc_tensor *ref, int required);
sc_status sc_check_like(sc_error *err, sc_op op, const sc_tensor *t, const char *what,
                        const sc_tensor *ref, const char *ref_name);
sc_status sc_check_i32_vector(sc_error *err, sc_op op, const sc_tensor *t, const char *what,
                              int64_t n);
sc_status sc_check_logits(sc_error *err, sc_op op, const sc_tensor *t, const char *what);
sc_status sc_check_sortable(sc_error *err, sc_op op, const sc_tensor *map);

/* Saliency-guided training ops (see backend.h), one check per op with the op's arguments;
 * NULL is accepted exactly where backend.h says an argument is optional. They also check the
 * parameters (k in [0, 1], tau in [0, 1], k_min <= k_max, gamma >= 0, eps >= 0, channels
 * equal to C and at most SC_MAX_CHANNELS, lo <= hi, std > 0). */
sc_status sc_check_saliency_reduce(sc_error *err, const sc_saliency_params *p, const sc_tensor *g,
                                   const sc_tensor *x, const sc_tensor *map);
sc_status sc_check_mask_select(sc_error *err, const sc_mask_params *p, const sc_tensor *map,
                               const sc_tensor *mask, const sc_tensor *stats);
sc_status sc_check_image_stats(sc_error *err, const sc_tensor *x, const sc_tensor *out);
sc_status sc_check_mask_fill(sc_error *err, const sc_fill_params *p, const sc_tensor *x,
                             const sc_tensor *mask, const sc_tensor *image_stats,
                             const sc_tensor *out);
sc_status sc_check_perturb_budget(sc_error *err, const sc_budget_params *p, const sc_tensor *map,
                                  const sc_tensor *mask, const sc_tensor *budget);
sc_status sc_check_perturb(sc_error *err, sc_op op, const sc_perturb_params *p,
                           const sc_tensor *x, const sc_tensor *g, const sc_tensor *budget,
                           const sc_tensor *xadv, const sc_tensor *stats);
sc_status sc_check_kl_div(sc_error *err, const sc_kl_params *p, const sc_tensor *p_logits,
                          const sc_tensor *q_logits, const sc_tensor *dp, const sc_tensor *dq,
                          const sc_tensor *stats);
sc_status sc_check_map_gini(sc_error *err, const sc_tensor *map, const sc_tensor *gini,
                            const sc_tensor *stats);
sc_status sc_check_onehot(sc_error *err, const sc_tensor *targets, const sc_tensor *out);
sc_status sc_check_argmax(sc_error *err, const sc_tensor *logits, const sc_tensor *out);

/* Saliency-method and metric ops (see backend.h), one check per op with the op's arguments,
 * in shape_check_metrics.c. They also check the parameters: kind values, scale / noise >= 0
 * and finite, blur kernel odd in [1, SC_BLUR_MAX_KERNEL] with sigma > 0, iterations >= 0,
 * count in [0, H*W], column in [0, S), curves with S >= 2, and that an output which may not
 * alias its input does not start at the same address. Target classes are data: target_score
 * checks their range when it runs (as onehot does). */
sc_status sc_check_axpby(sc_error *err, const sc_tensor *x, const sc_tensor *y);
sc_status sc_check_add_noise(sc_error *err, const sc_noise_params *p, const sc_tensor *x,
                             const sc_tensor *out);
sc_status sc_check_gradcam(sc_error *err, const sc_tensor *act, const sc_tensor *grad,
                           const sc_tensor *map);
sc_status sc_check_resize_bilinear(sc_error *err, const sc_tensor *in, const sc_tensor *out);
sc_status sc_check_map_sparsity(sc_error *err, const sc_tensor *map, const sc_tensor *hoyer,
                                const sc_tensor *entropy);
sc_status sc_check_rank_pixels(sc_error *err, const sc_tensor *map, const sc_tensor *ranks);
sc_status sc_check_ranked_replace(sc_error *err, int64_t count, const sc_tensor *x,
                                  const sc_tensor *alt, const sc_tensor *ranks,
                                  const sc_tensor *out);
sc_status sc_check_gaussian_blur(sc_error *err, const sc_blur_params *p, const sc_tensor *x,
                                 const sc_tensor *out);
sc_status sc_check_target_score(sc_error *err, sc_score_kind kind, const sc_tensor *logits,
                                const sc_tensor *targets, int column, const sc_tensor *out);
sc_status sc_check_curve_auc(sc_error *err, const sc_tensor *curves, const sc_tensor *auc);
sc_status sc_check_rank_rows(sc_error *err, const sc_tensor *in, const sc_tensor *out);
sc_status sc_check_pearson_rows(sc_error *err, const sc_tensor *a, const sc_tensor *b,
                                const sc_tensor *out);
sc_status sc_check_masked_sum(sc_error *err, const sc_tensor *map, const sc_tensor *mask,
                              int column, const sc_tensor *out);
sc_status sc_check_relative_distance(sc_error *err, const sc_tensor *a, const sc_tensor *b,
                                     const sc_tensor *out);
sc_status sc_check_impute_linear(sc_error *err, const sc_impute_params *p, const sc_tensor *x,
                                 const sc_tensor *mask, const sc_tensor *out);

/* Rows and columns of a tensor seen as a matrix (first dim, product of the others). */
int64_t sc_rows(const sc_tensor *t);
int64_t sc_cols(const sc_tensor *t);

#endif
