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
sc_status sc_check_same(sc_error *err, sc_op op, const sc_tensor *a, const sc_tensor *b);
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

/* Rows and columns of a tensor seen as a matrix (first dim, product of the others). */
int64_t sc_rows(const sc_tensor *t);
int64_t sc_cols(const sc_tensor *t);

#endif
