/* Launchers of the custom CUDA kernels (the .cu files of cuda/kernels), callable from C.
 *
 * Every launcher enqueues its kernel on `stream` and returns cudaGetLastError() right after
 * the launch (cudaSuccess without launching when there is nothing to do), so the caller's
 * SC_CUDA_CHECK is the last-error check of that launch; a launcher that enqueues several
 * kernels checks each launch and returns the first error. Pointers are device memory; shapes
 * are logical NCHW; element counts are 64-bit. Element-wise formulas come from
 * host/core/op_math.h, host/core/saliency_math.h and host/core/rng.h, the same functions the
 * CPU backend calls. Launchers never allocate: temporaries live in a scratch the caller
 * provides (the context's, see cuda_context.h), sized by the matching *_scratch_bytes query.
 * Per-sample results that the ops add to a stats tensor are summed in double in sample order
 * by one thread, as the CPU backend sums them, so stats are deterministic (no float atomics
 * anywhere in these kernels). */
#ifndef SC_CUDA_KERNELS_H
#define SC_CUDA_KERNELS_H

#include <stdint.h>

#include <cuda_runtime_api.h>

#include "../../host/backend/backend.h"
#include "../../host/core/rng.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Class labels are data on the device, so the kernels that index by one (softmax_xent, onehot,
 * target_score) check it there: a label outside [0, classes) is recorded in a fault record in
 * device memory, which the host reads at its next stream wait (cuda_label_check.c). The record
 * keeps the first launch that found a bad label since it was last cleared, and within it the
 * lowest sample, so the message names the same sample as the CPU's refusal. All zero = none. */
typedef struct sc_label_fault {
    unsigned long long inverted_key; /* ~((sample << 32) | (uint32)label), the largest kept */
    unsigned int launch;             /* the launch that owns the record; 0: no fault */
    int op;                          /* its sc_op */
    long long classes;               /* its class count */
} sc_label_fault;

/* What a checking launch gets: the record and its own launch number (never 0). */
typedef struct sc_label_check {
    sc_label_fault *fault;
    unsigned int launch;
} sc_label_check;

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

/* bn_sync.cu: x, dy, dx (n, channels, hw); mean, invstd, gamma (channels); sums (2, channels):
 * bn_bwd_sums writes sums[0][c] = sum dy, sums[1][c] = sum dy * xhat (double accumulation);
 * bn_bwd_apply writes or adds dx from sums covering `count` values per channel. */
cudaError_t sc_launch_bn_bwd_sums(const float *x, const float *dy, const float *mean,
                                  const float *invstd, float *sums, int64_t n, int64_t channels,
                                  int64_t hw, cudaStream_t stream);
cudaError_t sc_launch_bn_bwd_apply(const float *x, const float *dy, const float *gamma,
                                   const float *mean, const float *invstd, const float *sums,
                                   float *dx, double count, int64_t n, int64_t channels,
                                   int64_t hw, int accumulate, cudaStream_t stream);

/* linear.cu: y (rows, cols) += bias (cols); db (cols) += column sums of dy (rows, cols), each
 * summed in double. */
cudaError_t sc_launch_bias_add(float *y, const float *bias, int64_t rows, int64_t cols,
                               cudaStream_t stream);
cudaError_t sc_launch_bias_grad(const float *dy, float *db, int64_t rows, int64_t cols,
                                cudaStream_t stream);

/* xent.cu: logits, dlogits (rows, k) (dlogits may be NULL), labels (rows), stats (2):
 * sc_xent_row per row, its loss and correct flag kept in row_values (2 * rows doubles of
 * scratch), then stats[0] += loss sum, stats[1] += correct count, each summed in row order by
 * one thread as on the CPU. A bad label is recorded in check, its row's loss is NaN and its
 * dlogits row zero. */
cudaError_t sc_launch_softmax_xent(const float *logits, const int32_t *labels, float *dlogits,
                                   float *stats, double *row_values, int64_t rows, int k,
                                   float smoothing, float grad_scale_over_n, sc_label_check check,
                                   cudaStream_t stream);

/* sgd.cu: param, grad, momentum_buf (n): sc_sgd_update_elem per element. */
cudaError_t sc_launch_sgd_update(float *param, const float *grad, float *momentum_buf, int64_t n,
                                 float lr, float momentum, float weight_decay, int nesterov,
                                 cudaStream_t stream);

/* rng.cu: out (n) = lo + (hi - lo) * sc_rng_uniform(key, i), or mean + std * sc_rng_normal. */
cudaError_t sc_launch_rng_uniform(float *out, int64_t n, sc_rng_key key, float lo, float hi,
                                  cudaStream_t stream);
cudaError_t sc_launch_rng_normal(float *out, int64_t n, sc_rng_key key, float mean, float std,
                                 cudaStream_t stream);

/* ---- saliency-guided training ops (backend.h); map, mask, budget (n, hw), images
 * (n, channels, hw). Optional pointers are NULL. -------------------------------------------- */

/* saliency.cu: map = the reduction over channels of g or x * g (x NULL: g), as the CPU. */
cudaError_t sc_launch_saliency_reduce(const float *g, const float *x, float *map, int64_t n,
                                      int64_t channels, int64_t hw, sc_reduce_kind kind,
                                      cudaStream_t stream);
/* saliency.cu: out (rows, classes) = scale where j == targets[row] (rows), else 0; a target
 * outside [0, classes) is recorded in check and leaves its row all zero. */
cudaError_t sc_launch_onehot(const int32_t *targets, float *out, int64_t rows, int64_t classes,
                             float scale, sc_label_check check, cudaStream_t stream);
/* saliency.cu: out (rows) = the first index of each row's maximum of logits (rows, classes). */
cudaError_t sc_launch_argmax(const float *logits, int32_t *out, int64_t rows, int64_t classes,
                             cudaStream_t stream);

/* mask.cu: the constraint mask (1 inside M, 0 outside) of every sample: the pixels are sorted
 * per sample by sc_saliency_sort_key with CUB's segmented radix sort and the lowest |M_n| of
 * them are marked; stats (1) += sum over samples of |M_n| / hw. n * hw <= INT_MAX. */
cudaError_t sc_mask_select_scratch_bytes(int64_t n, int64_t hw, size_t *bytes);
cudaError_t sc_launch_mask_select(const float *map, float *mask, float *stats, int64_t n,
                                  int64_t hw, sc_mask_params p, void *scratch, size_t scratch_bytes,
                                  cudaStream_t stream);

/* fill.cu: out (planes, 3) = min, max and mean (summed in double) of each plane of x
 * (planes, hw); mask_fill as backend.h (out may alias x). */
cudaError_t sc_launch_image_stats(const float *x, float *out, int64_t planes, int64_t hw,
                                  cudaStream_t stream);
cudaError_t sc_launch_mask_fill(const float *x, const float *mask, const float *image_stats,
                                float *out, int64_t n, int64_t channels, int64_t hw,
                                sc_fill_params p, cudaStream_t stream);

/* perturb.cu: SCAAT's budget, random start and signed step (backend.h). perturb_step writes
 * each sample's mean |delta| in pixel units to sample_values (n doubles) and adds their sum to
 * stats when stats is given (sample_values is then required). */
cudaError_t sc_launch_perturb_budget(const float *map, const float *mask, float *budget, int64_t n,
                                     int64_t hw, sc_budget_params p, cudaStream_t stream);
cudaError_t sc_launch_perturb_init(const float *x, const float *budget, float *xadv, int64_t n,
                                   int64_t channels, int64_t hw, sc_perturb_params p,
                                   cudaStream_t stream);
cudaError_t sc_launch_perturb_step(const float *x, const float *g, const float *budget, float *xadv,
                                   float *stats, double *sample_values, int64_t n, int64_t channels,
                                   int64_t hw, sc_perturb_params p, cudaStream_t stream);

/* kl.cu: sc_kl_row per row of p_logits, q_logits (rows, k) with gradients dp, dq (rows, k);
 * with stats, each row's KL goes to sample_values (rows doubles) and their sum to stats. */
cudaError_t sc_launch_kl_div(const float *p_logits, const float *q_logits, float *dp, float *dq,
                             float *stats, double *sample_values, int64_t rows, int k,
                             float scale_over_n, int accumulate, cudaStream_t stream);

/* gini.cu: the Gini index of |map| per sample (|values| sorted with CUB's segmented radix
 * sort), NaN for a degenerate map; gini (n) and stats (2) optional. n * hw <= INT_MAX. */
cudaError_t sc_map_gini_scratch_bytes(int64_t n, int64_t hw, size_t *bytes);
cudaError_t sc_launch_map_gini(const float *map, float *gini, float *stats, int64_t n, int64_t hw,
                               void *scratch, size_t scratch_bytes, cudaStream_t stream);

/* ---- saliency-method and metric ops (backend.h); maps (n, hw), images (n, channels, hw),
 * rows (n, m). Optional pointers are NULL; formulas from host/core/metric_math.h. ---------- */

/* blend.cu: y = alpha x + beta y (n elements, x may alias y); add_noise of x into out
 * (n, per_sample) with ranges (n floats of scratch, NORMAL_RANGE only: each image's max - min);
 * ranked_replace: out = x except the selected pixels (sc_ranked_selected), all channels, which
 * take alt (NULL: 0); out may alias x. */
cudaError_t sc_launch_axpby(float alpha, const float *x, float beta, float *y, int64_t n,
                            cudaStream_t stream);
cudaError_t sc_launch_add_noise(const float *x, float *out, float *ranges, int64_t n,
                                int64_t per_sample, sc_noise_params p, cudaStream_t stream);
cudaError_t sc_launch_ranked_replace(const float *x, const float *alt, const int32_t *ranks,
                                     float *out, int64_t n, int64_t channels, int64_t hw,
                                     int64_t count, int from_least, cudaStream_t stream);

/* gradcam.cu: act, grad (n, channels, hw) -> map (n, hw), alpha (n * channels doubles of
 * scratch) the channel weights; resize_bilinear of in (planes, in_h, in_w) into out
 * (planes, out_h, out_w). */
cudaError_t sc_launch_gradcam(const float *act, const float *grad, float *map, double *alpha,
                              int64_t n, int64_t channels, int64_t hw, cudaStream_t stream);
cudaError_t sc_launch_resize_bilinear(const float *in, float *out, int64_t planes, int64_t in_h,
                                      int64_t in_w, int64_t out_h, int64_t out_w,
                                      cudaStream_t stream);

/* sparsity.cu: Hoyer sparseness and entropy of |map| per sample, NaN for a degenerate map;
 * hoyer (n) and entropy (n) optional. */
cudaError_t sc_launch_map_sparsity(const float *map, float *hoyer, float *entropy, int64_t n,
                                   int64_t hw, cudaStream_t stream);

/* rank.cu: rank_pixels (ranks (n, hw) int32, 0 = most salient) and rank_rows (average ranks of
 * in (n, m) into out (n, m)), exact, through a per-sample sort in the scratch sized by the
 * matching *_scratch_bytes query. n * hw and n * m <= INT_MAX. */
cudaError_t sc_rank_pixels_scratch_bytes(int64_t n, int64_t hw, size_t *bytes);
cudaError_t sc_launch_rank_pixels(const float *map, int32_t *ranks, int64_t n, int64_t hw,
                                  void *scratch, size_t scratch_bytes, cudaStream_t stream);
cudaError_t sc_rank_rows_scratch_bytes(int64_t n, int64_t m, size_t *bytes);
cudaError_t sc_launch_rank_rows(const float *in, float *out, int64_t n, int64_t m, void *scratch,
                                size_t scratch_bytes, cudaStream_t stream);

/* blur.cu: x, out (planes, height, width), weights (kernel floats in host memory: the
 * normalised 1-D kernel of sc_gaussian_kernel1d), kernel odd in [1, SC_BLUR_MAX_KERNEL]. */
cudaError_t sc_launch_gaussian_blur(const float *x, float *out, int64_t planes, int64_t height,
                                    int64_t width, const float *weights, int kernel,
                                    cudaStream_t stream);

/* scores.cu: target_score of logits (rows, k), targets (rows) into out[row, column] of out
 * (rows, steps), a target outside [0, k) recorded in check and scored NaN; curve_auc of curves (rows, points) into auc
 * (rows); pearson_rows of a, b (rows, m) into out (rows); masked_sum of map, mask (n, hw) into
 * out[s, column] of out (n, steps); relative_distance of a, b (n, per_sample) into out (n). */
cudaError_t sc_launch_target_score(const float *logits, const int32_t *targets, float *out,
                                   int64_t rows, int k, int64_t steps, int column,
                                   sc_score_kind kind, sc_label_check check, cudaStream_t stream);
cudaError_t sc_launch_curve_auc(const float *curves, float *auc, int64_t rows, int64_t points,
                                cudaStream_t stream);
cudaError_t sc_launch_pearson_rows(const float *a, const float *b, float *out, int64_t rows,
                                   int64_t m, cudaStream_t stream);
cudaError_t sc_launch_masked_sum(const float *map, const float *mask, float *out, int64_t n,
                                 int64_t hw, int64_t steps, int column, cudaStream_t stream);
cudaError_t sc_launch_relative_distance(const float *a, const float *b, float *out, int64_t n,
                                        int64_t per_sample, cudaStream_t stream);

/* impute.cu: impute_linear of x (n, channels, height, width) with mask (n, height, width) into
 * out, spare (n * channels * height * width floats of scratch) the second Jacobi buffer. */
cudaError_t sc_launch_impute_linear(const float *x, const float *mask, float *out, float *spare,
                                    int64_t n, int64_t channels, int64_t height, int64_t width,
                                    sc_impute_params p, cudaStream_t stream);

#ifdef __cplusplus
}
#endif

#endif
