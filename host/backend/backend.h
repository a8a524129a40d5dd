/* The backend table: one function pointer per op, implemented once for the CPU (host/cpu, the
 * reference) and once for CUDA (cuda/). Network, training and explanation code call only this
 * table, so two backends can live in one process (the parity tests do exactly that).
 *
 * Conventions, stated once:
 * - Every op takes the backend first, then a params struct where the op has configuration,
 *   then tensors: inputs before outputs. Shapes come from the tensors (logical NCHW order) and
 *   are validated by the backend (SC_ERR_SHAPE with a message in be->err).
 * - Input gradients (dx) are overwritten when `accumulate` is 0 and added to (dx += ...) when
 *   it is 1; the network uses 1 for a tensor that feeds several layers.
 * - Weight gradients (dw, db, dgamma, dbeta) always accumulate (+=); the training step zeroes
 *   them once per step, so several backward passes (SGT/SCAAT's two branches) add up.
 * - Memory handed to ops belongs to the backend's memory space (alloc/upload/download).
 * - Ops are asynchronous on GPU backends; download and sync wait. Errors of an asynchronous
 *   op surface at the next checked call (or immediately with debug_sync); a class label outside
 *   [0, K), which the CPU refuses at the call, is refused by a GPU at its next download, upload
 *   or sync, with the same status and message.
 * - A dtype/layout a backend cannot do returns SC_ERR_UNSUPPORTED; supports() asks first. */
#ifndef SC_BACKEND_H
#define SC_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "../core/rng.h"
#include "../core/status.h"
#include "../core/tensor.h"

typedef struct sc_backend sc_backend;

#define SC_TIMER_SLOTS 4

/* Every op of the table, for supports(), the parity test and profiling names. */
typedef enum sc_op {
    SC_OP_CONV2D_FWD = 0,
    SC_OP_CONV2D_BWD_DATA,
    SC_OP_CONV2D_BWD_FILTER,
    SC_OP_BN_TRAIN_FWD,
    SC_OP_BN_INFER_FWD,
    SC_OP_BN_TRAIN_BWD,
    SC_OP_BN_INFER_BWD,
    SC_OP_BN_BWD_SUMS,
    SC_OP_BN_BWD_APPLY,
    SC_OP_RELU_FWD,
    SC_OP_RELU_BWD,
    SC_OP_ADD_FWD,
    SC_OP_ADD_BWD,
    SC_OP_MAXPOOL_FWD,
    SC_OP_MAXPOOL_BWD,
    SC_OP_GAP_FWD,
    SC_OP_GAP_BWD,
    SC_OP_LINEAR_FWD,
    SC_OP_LINEAR_BWD_DATA,
    SC_OP_LINEAR_BWD_WEIGHT,
    SC_OP_SOFTMAX_XENT,
    SC_OP_SGD_UPDATE,
    SC_OP_RNG_UNIFORM,
    SC_OP_RNG_NORMAL,
    /* saliency-guided training (host/explain, host/train) */
    SC_OP_SALIENCY_REDUCE,
    SC_OP_MASK_SELECT,
    SC_OP_IMAGE_STATS,
    SC_OP_MASK_FILL,
    SC_OP_PERTURB_BUDGET,
    SC_OP_PERTURB_INIT,
    SC_OP_PERTURB_STEP,
    SC_OP_KL_DIV,
    SC_OP_MAP_GINI,
    SC_OP_ONEHOT,
    SC_OP_ARGMAX,
    /* saliency methods and metrics (host/explain) */
    SC_OP_AXPBY,
    SC_OP_ADD_NOISE,
    SC_OP_GRADCAM,
    SC_OP_RESIZE_BILINEAR,
    SC_OP_MAP_SPARSITY,
    SC_OP_RANK_PIXELS,
    SC_OP_RANKED_REPLACE,
    SC_OP_GAUSSIAN_BLUR,
    SC_OP_TARGET_SCORE,
    SC_OP_CURVE_AUC,
    SC_OP_RANK_ROWS,
    SC_OP_PEARSON_ROWS,
    SC_OP_MASKED_SUM,
    SC_OP_RELATIVE_DISTANCE,
    SC_OP_IMPUTE_LINEAR,
    SC_OP_COUNT
} sc_op;

const char *sc_op_name(sc_op op); /* "conv2d_fwd", ... */

/* conv2d, groups = 1, dilation = 1, no bias; square stride and padding.
 * x (N, C, H, W), w (K, C, R, S), y (N, K, OH, OW), OH = (H + 2*pad - R) / stride + 1. */
typedef struct sc_conv_params {
    int stride;
    int pad;
} sc_conv_params;

/* Batch normalisation over (N, H, W) per channel, as torch.nn.BatchNorm2d.
 * Training forward normalises with the batch mean and biased variance and, when momentum > 0,
 * updates running_mean/var as running = (1 - momentum) * running + momentum * batch, using the
 * unbiased variance for running_var. momentum = 0 leaves the running statistics untouched
 * (saliency and attack passes with batch statistics). */
typedef struct sc_bn_params {
    float eps;
    float momentum;
} sc_bn_params;

/* Max pooling. x (N, C, H, W), y (N, C, OH, OW), OH = (H + 2*pad - kernel) / stride + 1;
 * padding never wins the max. Backward routes dy to the first maximum in row-major order. */
typedef struct sc_pool_params {
    int kernel;
    int stride;
    int pad;
} sc_pool_params;

/* Softmax cross-entropy, fused forward + backward, with label smoothing as PyTorch
 * (target = (1 - s) * onehot + s / classes). logits (N, K), labels (N) int32.
 * stats (2) on the device: stats[0] += sum over the batch of the per-sample loss,
 * stats[1] += number of samples whose argmax (lowest index on ties) equals the label.
 * dlogits (N, K), may be NULL: dlogits = grad_scale * (softmax - target) / N. */
typedef struct sc_xent_params {
    float label_smoothing;
    float grad_scale;
} sc_xent_params;

/* SGD as torch.optim.SGD (dampening 0), one fused update over flat tensors:
 * g = grad + weight_decay * param; buf = momentum * buf + g;
 * g = nesterov ? g + momentum * buf : buf; param -= lr * g. */
typedef struct sc_sgd_params {
    float lr;
    float momentum;
    float weight_decay;
    int nesterov;
} sc_sgd_params;

/* ---- saliency-guided training ops (formulas in host/core/saliency_math.h) ----------------
 * A saliency map or mask is (N, 1, H, W) F32, broadcast over the channels of an image
 * (N, C, H, W). `stats` arguments are optional (NULL) single floats on the device that the op
 * adds a batch sum to (stats[0] += ...), so a step's figures are read back once per log line. */

/* Channel reduction of an input gradient g into a map s (N, 1, H, W):
 * MEAN / MAX / SUM: mean / max / sum over c of |v|; SIGNED: mean over c of v (no abs);
 * v = g, or x * g (input-x-gradient) when an input x is given. */
typedef enum sc_reduce_kind {
    SC_REDUCE_MEAN = 0,
    SC_REDUCE_MAX,
    SC_REDUCE_SUM,
    SC_REDUCE_SIGNED
} sc_reduce_kind;

typedef struct sc_saliency_params {
    sc_reduce_kind reduce;
} sc_saliency_params;

/* The per-sample constraint mask M (1 = inside M: masked / perturbable, 0 = kept).
 * Pixels are ordered by (value, flat index) ascending: ties go to the lower index, so every
 * backend selects exactly the same set (sc_saliency_sort_key).
 * LOWEST: the sc_mask_count(k, H*W) = floor(k * H * W) lowest pixels (k in [0, 1]).
 * MASS: the salient set is the smallest set of highest pixels whose mass reaches tau of the
 *   total; mass is measured in fixed point (sc_mass_fixed: 2^-40 of the sample's largest
 *   |value|, summed in int64, so the sum is exact and order-free on every backend). M is
 *   the complement, its size clamped to [count(k_min), count(k_max)], i.e. the lowest
 *   clamp(H*W - salient, ...) pixels. An all-zero map has an empty salient set. */
typedef enum sc_mask_kind { SC_MASK_LOWEST = 0, SC_MASK_MASS } sc_mask_kind;

typedef struct sc_mask_params {
    sc_mask_kind kind;
    float k;                /* LOWEST */
    float tau, k_min, k_max; /* MASS */
} sc_mask_params;

/* SGT's fill of the masked pixels: UNIFORM draws element (n, c, h, w) (flat NCHW index i)
 * from lo + (hi - lo) * sc_rng_uniform(key, i) with lo/hi the image channel's min/max;
 * MEAN sets it to the image channel's mean. Outside M the output equals x. */
typedef enum sc_fill_kind { SC_FILL_UNIFORM = 0, SC_FILL_MEAN } sc_fill_kind;

typedef struct sc_fill_params {
    sc_fill_kind kind;
    sc_rng_key key;
} sc_fill_params;

/* Per-pixel budget of SCAAT in pixel units: e = eps * (1 - s/max_n(s))^gamma inside M, 0
 * outside (sc_budget_elem); s/max is 0 where the sample's max is <= 0. */
typedef struct sc_budget_params {
    float eps;
    float gamma;
} sc_budget_params;

#define SC_MAX_CHANNELS 4

/* The adversarial perturbation in normalised units. The budget of element (n, c, h, w) is
 * e_c = budget[n, 0, h, w] / std[c] (or eps / std[c] where the budget map is NULL); the
 * valid range of channel c is [lo[c], hi[c]] (the normalised images of pixels 0 and 1).
 * init:  xadv = clip(x + (2u - 1) * e_c, lo_c, hi_c), u = sc_rng_uniform(key, i)
 * step:  d = xadv - x; d = clip(d + step_size * e_c * sign(g), -e_c, e_c);
 *        xadv = clip(x + d, lo_c, hi_c)    (sign(0) = 0; projection around the clean x)
 * The step's stats (optional) += sum over samples of mean_{c,h,w} |xadv - x| * std[c]
 * (the mean |delta| in pixel units). */
typedef struct sc_perturb_params {
    float eps;        /* pixel units: the budget where no budget map is given */
    float step_size;  /* beta, a fraction of the budget per step */
    int channels;     /* must equal C, at most SC_MAX_CHANNELS */
    float std[SC_MAX_CHANNELS];
    float lo[SC_MAX_CHANNELS];
    float hi[SC_MAX_CHANNELS];
    sc_rng_key key;   /* init only */
} sc_perturb_params;

/* KL(softmax(p_logits) || softmax(q_logits)) per row, fused with both backward passes:
 * kl_n = sum_j p_j (log p_j - log q_j); stats += sum_n kl_n;
 * dq = grad_scale / N * (q - p); dp = grad_scale / N * p_j (log p_j - log q_j - kl_n).
 * dp / dq may be NULL (not wanted; detach_p makes dp NULL by definition upstream); with
 * accumulate they are added to (the clean branch's CE gradient is already there). */
typedef struct sc_kl_params {
    float grad_scale;
    int accumulate;
} sc_kl_params;

/* ---- saliency-method and metric ops (formulas in host/core/metric_math.h) ---------------
 * Maps are (N, 1, H, W); "rows" are (N, M) matrices, one row per sample; a "column" argument
 * writes entry [n, column] of an (N, S) output so curves fill one column per step. */

/* Random copies of images for SmoothGrad and max-sensitivity, element i = flat NCHW index:
 * NORMAL_RANGE: out = x + scale * (max_n(x) - min_n(x)) * sc_rng_normal(key, i), the range over
 *   the whole image n (SmoothGrad's sigma = 0.15 of the range);
 * UNIFORM: out = x + scale * (2 sc_rng_uniform(key, i) - 1). */
typedef enum sc_noise_kind { SC_NOISE_NORMAL_RANGE = 0, SC_NOISE_UNIFORM } sc_noise_kind;

typedef struct sc_noise_params {
    sc_noise_kind kind;
    float scale;
    sc_rng_key key;
} sc_noise_params;

/* What target_score writes for each row: the softmax probability or the logit of the target
 * class, or 1/0 for whether the row's argmax (first index on ties) is the target. */
typedef enum sc_score_kind { SC_SCORE_PROB = 0, SC_SCORE_LOGIT, SC_SCORE_CORRECT } sc_score_kind;

/* Gaussian blur of every channel with an odd kernel size (at most SC_BLUR_MAX_KERNEL) and
 * sigma, weights normalised to sum 1, reflect padding (torchvision.transforms.functional.
 * gaussian_blur; a kernel wider than the image keeps reflecting where torch refuses). */
typedef struct sc_blur_params {
    int kernel;
    float sigma;
} sc_blur_params;

/* ROAD's noisy linear imputation (Rong et al. 2022): every pixel with mask != 0 (all channels)
 * becomes the weighted mean of its in-image 8 neighbours (weight 2 for the 4 direct, 1 for the
 * 4 diagonal, renormalised over the neighbours present), known pixels held fixed: the sparse
 * linear system solved by `iterations` Jacobi sweeps from the image mean start (0), then
 * + noise * sc_rng_normal(key, i) on the imputed elements. */
typedef struct sc_impute_params {
    int iterations;
    float noise;
    sc_rng_key key;
} sc_impute_params;

typedef struct sc_backend_ops {
    /* memory */
    sc_status (*alloc)(sc_backend *be, size_t bytes, void **ptr);
    void (*free)(sc_backend *be, void *ptr);
    /* Host memory for fast transfers (pinned on CUDA, plain malloc on the CPU). */
    sc_status (*host_alloc)(sc_backend *be, size_t bytes, void **ptr);
    /* Waits for uploads still reading from ptr (upload_async) before freeing it. */
    void (*host_free)(sc_backend *be, void *ptr);
    /* Returns once src may be reused; the copy is ordered after every op issued before. */
    sc_status (*upload)(sc_backend *be, void *dst, const void *src_host, size_t bytes);
    /* Asynchronous upload for batches: the data lands in dst after every op issued before and
     * before every op issued after (stream order), while the host-to-device transfer itself
     * overlaps the ops in flight (CUDA: a copy stream into a staging buffer, then a device
     * move in order). src (host_alloc memory on CUDA) must stay untouched until upload_wait()
     * returns, which waits for the transfers only, not for the ops. */
    sc_status (*upload_async)(sc_backend *be, void *dst, const void *src_host, size_t bytes);
    sc_status (*upload_wait)(sc_backend *be);
    /* Waits for every op issued before, then copies. */
    sc_status (*download)(sc_backend *be, void *dst_host, const void *src, size_t bytes);
    sc_status (*zero)(sc_backend *be, void *ptr, size_t bytes);
    sc_status (*copy)(sc_backend *be, void *dst, const void *src, size_t bytes);
    sc_status (*sync)(sc_backend *be);
    int (*supports)(sc_backend *be, sc_op op, sc_dtype dtype, sc_layout layout);
    /* Profiling ranges around phases of a step (NVTX on CUDA, nothing on the CPU). */
    void (*range_push)(sc_backend *be, const char *name);
    void (*range_pop)(sc_backend *be);
    /* Device-side timing: mark(slot) records a point in the op stream (a CUDA event; the
     * monotonic clock after a sync on the CPU); elapsed() waits for `to` and returns the
     * seconds between two marks. Slots 0..SC_TIMER_SLOTS-1. */
    sc_status (*timer_mark)(sc_backend *be, int slot);
    sc_status (*timer_elapsed)(sc_backend *be, int from, int to, double *seconds);
    /* One line per fact: device, versions, settings. */
    void (*describe)(sc_backend *be, char *buf, size_t len);
    void (*destroy)(sc_backend *be);

    /* conv2d. prepare() is called for every shape before the first step: it chooses the
     * algorithms and sizes the shared workspace, so nothing is allocated inside a step
     * (tensor data pointers may be NULL there). */
    sc_status (*conv2d_prepare)(sc_backend *be, const sc_conv_params *p, const sc_tensor *x,
                                const sc_tensor *w, const sc_tensor *y);
    sc_status (*conv2d_fwd)(sc_backend *be, const sc_conv_params *p, const sc_tensor *x,
                            const sc_tensor *w, const sc_tensor *y);
    sc_status (*conv2d_bwd_data)(sc_backend *be, const sc_conv_params *p, const sc_tensor *dy,
                                 const sc_tensor *w, const sc_tensor *dx, int accumulate);
    sc_status (*conv2d_bwd_filter)(sc_backend *be, const sc_conv_params *p, const sc_tensor *x,
                                   const sc_tensor *dy, const sc_tensor *dw);

    /* batchnorm. gamma, beta, running_*, save_* are (C). save_mean / save_invstd receive the
     * batch mean and 1/sqrt(biased var + eps) for the backward pass. Never in place (cuDNN
     * does not document it): y may not overlap x, nor dx overlap x or dy; every backend
     * refuses such a call (SC_ERR_SHAPE). */
    sc_status (*bn_train_fwd)(sc_backend *be, const sc_bn_params *p, const sc_tensor *x,
                              const sc_tensor *gamma, const sc_tensor *beta,
                              const sc_tensor *running_mean, const sc_tensor *running_var,
                              const sc_tensor *save_mean, const sc_tensor *save_invstd,
                              const sc_tensor *y);
    sc_status (*bn_infer_fwd)(sc_backend *be, const sc_bn_params *p, const sc_tensor *x,
                              const sc_tensor *gamma, const sc_tensor *beta,
                              const sc_tensor *running_mean, const sc_tensor *running_var,
                              const sc_tensor *y);
    /* dgamma and dbeta may both be NULL (input gradient only). */
    sc_status (*bn_train_bwd)(sc_backend *be, const sc_bn_params *p, const sc_tensor *x,
                              const sc_tensor *dy, const sc_tensor *gamma,
                              const sc_tensor *save_mean, const sc_tensor *save_invstd,
                              const sc_tensor *dx, const sc_tensor *dgamma,
                              const sc_tensor *dbeta, int accumulate);
    /* Backward of the inference form (an affine map): dx = dy * gamma / sqrt(running_var + eps). */
    sc_status (*bn_infer_bwd)(sc_backend *be, const sc_bn_params *p, const sc_tensor *dy,
                              const sc_tensor *gamma, const sc_tensor *running_var,
                              const sc_tensor *dx, int accumulate);

    /* The training backward in two halves, so that data-parallel runs (--sync-bn,
     * host/dist/sync_bn.c) can add the per-channel sums of every process in between.
     * bn_bwd_sums writes sums (2, C): row 0 sum(dy), row 1 sum(dy * xhat) over this batch's
     * (N, H, W), xhat = (x - mean) * invstd. bn_bwd_apply writes (or adds) dx = gamma * invstd *
     * (dy - sums[0][c] / count - xhat * sums[1][c] / count), count = values per channel over
     * the batches the sums cover. With this batch's sums and count = N H W, bn_train_bwd's dx. */
    sc_status (*bn_bwd_sums)(sc_backend *be, const sc_tensor *x, const sc_tensor *dy,
                             const sc_tensor *mean, const sc_tensor *invstd, const sc_tensor *sums);
    sc_status (*bn_bwd_apply)(sc_backend *be, double count, const sc_tensor *x,
                              const sc_tensor *dy, const sc_tensor *gamma, const sc_tensor *mean,
                              const sc_tensor *invstd, const sc_tensor *sums, const sc_tensor *dx,
                              int accumulate);

    /* element-wise; x, y, dy, dx of one shape. relu_bwd uses the forward output y. */
    sc_status (*relu_fwd)(sc_backend *be, const sc_tensor *x, const sc_tensor *y);
    sc_status (*relu_bwd)(sc_backend *be, const sc_tensor *y, const sc_tensor *dy,
                          const sc_tensor *dx, int accumulate);
    /* y = a + b (y may alias a). add_bwd passes the gradient through: dx = dy or dx += dy. */
    sc_status (*add_fwd)(sc_backend *be, const sc_tensor *a, const sc_tensor *b,
                         const sc_tensor *y);
    sc_status (*add_bwd)(sc_backend *be, const sc_tensor *dy, const sc_tensor *dx, int accumulate);

    /* pooling */
    sc_status (*maxpool_fwd)(sc_backend *be, const sc_pool_params *p, const sc_tensor *x,
                             const sc_tensor *y);
    sc_status (*maxpool_bwd)(sc_backend *be, const sc_pool_params *p, const sc_tensor *x,
                             const sc_tensor *y, const sc_tensor *dy, const sc_tensor *dx,
                             int accumulate);
    /* global average pool: x (N, C, H, W) -> y (N, C, 1, 1). */
    sc_status (*gap_fwd)(sc_backend *be, const sc_tensor *x, const sc_tensor *y);
    sc_status (*gap_bwd)(sc_backend *be, const sc_tensor *dy, const sc_tensor *dx, int accumulate);

    /* linear, as torch.nn.Linear: x (N, IN), w (OUT, IN), b (OUT), y (N, OUT); y = x w^T + b. */
    sc_status (*linear_fwd)(sc_backend *be, const sc_tensor *x, const sc_tensor *w,
                            const sc_tensor *b, const sc_tensor *y);
    sc_status (*linear_bwd_data)(sc_backend *be, const sc_tensor *dy, const sc_tensor *w,
                                 const sc_tensor *dx, int accumulate);
    sc_status (*linear_bwd_weight)(sc_backend *be, const sc_tensor *x, const sc_tensor *dy,
                                   const sc_tensor *dw, const sc_tensor *db);

    /* loss; see sc_xent_params. */
    sc_status (*softmax_xent)(sc_backend *be, const sc_xent_params *p, const sc_tensor *logits,
                              const sc_tensor *labels, const sc_tensor *dlogits,
                              const sc_tensor *stats);

    /* optimizer; param, grad, momentum_buf are flat (n) tensors. */
    sc_status (*sgd_update)(sc_backend *be, const sc_sgd_params *p, const sc_tensor *param,
                            const sc_tensor *grad, const sc_tensor *momentum_buf);

    /* random fills: out[i] = lo + (hi - lo) * sc_rng_uniform(key, i), or
     * mean + std * sc_rng_normal(key, i); bit-identical across backends. */
    sc_status (*rng_uniform)(sc_backend *be, sc_rng_key key, float lo, float hi,
                             const sc_tensor *out);
    sc_status (*rng_normal)(sc_backend *be, sc_rng_key key, float mean, float std,
                            const sc_tensor *out);

    /* saliency-guided training; see the parameter structs above. */
    /* g (N, C, H, W), x NULL or (N, C, H, W), map (N, 1, H, W). */
    sc_status (*saliency_reduce)(sc_backend *be, const sc_saliency_params *p, const sc_tensor *g,
                                 const sc_tensor *x, const sc_tensor *map);
    /* map, mask (N, 1, H, W); stats += sum over samples of |M_n| / (H*W). */
    sc_status (*mask_select)(sc_backend *be, const sc_mask_params *p, const sc_tensor *map,
                             const sc_tensor *mask, const sc_tensor *stats);
    /* x (N, C, H, W) -> out (N, C, 3): min, max and mean over (H, W) of each image channel
     * (the mean summed in double). */
    sc_status (*image_stats)(sc_backend *be, const sc_tensor *x, const sc_tensor *out);
    /* x, out (N, C, H, W), mask (N, 1, H, W), image_stats (N, C, 3) from image_stats. */
    sc_status (*mask_fill)(sc_backend *be, const sc_fill_params *p, const sc_tensor *x,
                           const sc_tensor *mask, const sc_tensor *image_stats,
                           const sc_tensor *out);
    /* map, mask, budget (N, 1, H, W); mask NULL = every pixel inside M. */
    sc_status (*perturb_budget)(sc_backend *be, const sc_budget_params *p, const sc_tensor *map,
                                const sc_tensor *mask, const sc_tensor *budget);
    /* x, xadv (N, C, H, W); budget (N, 1, H, W) or NULL (uniform eps). */
    sc_status (*perturb_init)(sc_backend *be, const sc_perturb_params *p, const sc_tensor *x,
                              const sc_tensor *budget, const sc_tensor *xadv);
    /* x, g, xadv (N, C, H, W), xadv updated in place; budget as perturb_init. */
    sc_status (*perturb_step)(sc_backend *be, const sc_perturb_params *p, const sc_tensor *x,
                              const sc_tensor *g, const sc_tensor *budget,
                              const sc_tensor *xadv, const sc_tensor *stats);
    /* p_logits, q_logits, dp, dq (N, K); dp, dq, stats may be NULL. */
    sc_status (*kl_div)(sc_backend *be, const sc_kl_params *p, const sc_tensor *p_logits,
                        const sc_tensor *q_logits, const sc_tensor *dp, const sc_tensor *dq,
                        const sc_tensor *stats);
    /* Gini index of |map| per sample (sc_gini_term_a, sc_gini_finish on the ascending values): map
     * (N, 1, H, W), gini (N) or NULL; a degenerate map (all zero or any NaN) gets NaN and is
     * left out of stats (2): stats[0] += sum of the valid ginis, stats[1] += their count. */
    sc_status (*map_gini)(sc_backend *be, const sc_tensor *map, const sc_tensor *gini,
                          const sc_tensor *stats);
    /* targets (N) int32 in [0, K) -> out (N, K): scale where j == targets[n], 0 elsewhere
     * (the logits gradient of sum_n scale * f_{t_n}(x)). */
    sc_status (*onehot)(sc_backend *be, float scale, const sc_tensor *targets,
                        const sc_tensor *out);
    /* logits (N, K) -> out (N) int32: the first index of each row's maximum. */
    sc_status (*argmax)(sc_backend *be, const sc_tensor *logits, const sc_tensor *out);

    /* saliency methods and metrics; see the parameter structs above. */
    /* y = alpha * x + beta * y element-wise, x and y of one shape (any rank); beta = 0 does
     * not read y (as BLAS). */
    sc_status (*axpby)(sc_backend *be, float alpha, const sc_tensor *x, float beta,
                       const sc_tensor *y);
    /* x, out (N, C, H, W); out may not alias x. */
    sc_status (*add_noise)(sc_backend *be, const sc_noise_params *p, const sc_tensor *x,
                           const sc_tensor *out);
    /* Grad-CAM: act, grad (N, K, h, w) -> map (N, 1, h, w) =
     * ReLU(sum_k (mean over h, w of grad[n, k]) * act[n, k]), the means summed in double. */
    sc_status (*gradcam)(sc_backend *be, const sc_tensor *act, const sc_tensor *grad,
                         const sc_tensor *map);
    /* Bilinear resize in (N, C, h, w) -> out (N, C, H, W), as torch's interpolate with
     * mode="bilinear", align_corners=False. */
    sc_status (*resize_bilinear)(sc_backend *be, const sc_tensor *in, const sc_tensor *out);
    /* Per-sample sparsity of |map| (N, 1, H, W): hoyer (N) = (sqrt(n) - l1/l2)/(sqrt(n) - 1);
     * entropy (N) = -sum q ln(q + 1e-12), q = a / sum a, a = |s|/max|s| + 1e-7; either output may
     * be NULL; a degenerate map (all zero or any NaN) gets NaN. */
    sc_status (*map_sparsity)(sc_backend *be, const sc_tensor *map, const sc_tensor *hoyer,
                              const sc_tensor *entropy);
    /* ranks (N, 1, H, W) int32: 0 for the most salient pixel, by value descending, ties by the
     * lower flat index (NaN counts as the least salient). */
    sc_status (*rank_pixels)(sc_backend *be, const sc_tensor *map, const sc_tensor *ranks);
    /* out = x except the `count` most salient pixels (rank < count; with from_least the count
     * least salient, rank >= H*W - count), which take alt's value (0 when alt is NULL), all
     * channels. x, alt, out (N, C, H, W); ranks (N, 1, H, W); out may alias x. */
    sc_status (*ranked_replace)(sc_backend *be, int64_t count, int from_least, const sc_tensor *x,
                                const sc_tensor *alt, const sc_tensor *ranks, const sc_tensor *out);
    /* x, out (N, C, H, W), out may not alias x. */
    sc_status (*gaussian_blur)(sc_backend *be, const sc_blur_params *p, const sc_tensor *x,
                               const sc_tensor *out);
    /* logits (N, K), targets (N) int32 -> out[n, column] of out (N, S). */
    sc_status (*target_score)(sc_backend *be, sc_score_kind kind, const sc_tensor *logits,
                              const sc_tensor *targets, int column, const sc_tensor *out);
    /* Trapezoid area of each row of curves (N, S), S >= 2 points equally spaced on [0, 1]
     * -> auc (N); summed in double. */
    sc_status (*curve_auc)(sc_backend *be, const sc_tensor *curves, const sc_tensor *auc);
    /* Average ranks (1-based, ties share their mean rank, as scipy's rankdata) of each row of
     * in (N, M) -> out (N, M) F32, all NaN for a row holding a NaN; Spearman's rho =
     * pearson_rows of two rank matrices. */
    sc_status (*rank_rows)(sc_backend *be, const sc_tensor *in, const sc_tensor *out);
    /* Pearson correlation of the rows of a and b (N, M) -> out (N), in double; NaN where a
     * row is constant or holds a NaN. */
    sc_status (*pearson_rows)(sc_backend *be, const sc_tensor *a, const sc_tensor *b,
                              const sc_tensor *out);
    /* Sum over (H, W) of map (N, 1, H, W) where mask != 0 (every pixel when mask is NULL) ->
     * out[n, column] of out (N, S); summed in double. */
    sc_status (*masked_sum)(sc_backend *be, const sc_tensor *map, const sc_tensor *mask,
                            int column, const sc_tensor *out);
    /* ||a_n - b_n||_2 / ||b_n||_2 per sample of a, b (N, ...) -> out (N); NaN where b_n is 0. */
    sc_status (*relative_distance)(sc_backend *be, const sc_tensor *a, const sc_tensor *b,
                                   const sc_tensor *out);
    /* x, out (N, C, H, W), mask (N, 1, H, W); out may not alias x. */
    sc_status (*impute_linear)(sc_backend *be, const sc_impute_params *p, const sc_tensor *x,
                               const sc_tensor *mask, const sc_tensor *out);
} sc_backend_ops;

typedef enum sc_backend_kind { SC_BACKEND_CPU = 0, SC_BACKEND_CUDA } sc_backend_kind;

typedef struct sc_backend_config {
    int device_index;       /* CUDA device ordinal */
    int tf32;               /* allow TF32 tensor-op math in convolutions and GEMMs */
    int debug_sync;         /* synchronise and check after every op */
    int deterministic;      /* bit-identical results run to run on one GPU model and library
                               version: cuDNN algorithms chosen by heuristics (not timing) among
                               the deterministic ones; no effect on the CPU, which always is */
    int threads;            /* CPU threads; 0 = all cores */
    size_t workspace_limit; /* cap on the convolution workspace in bytes; 0 = 1 GiB default */
} sc_backend_config;

struct sc_backend {
    const char *name; /* "cpu" or "cuda" */
    sc_backend_kind kind;
    const sc_backend_ops *ops;
    void *ctx;        /* the implementation's context */
    sc_backend_config config;
    sc_error err;     /* message of the last failed op */
};

sc_backend_config sc_backend_config_default(void);

/* name: "auto" (CUDA when a GPU is present and the build has it, else CPU), "cpu" or "cuda". */
sc_status sc_backend_create(const char *name, const sc_backend_config *config, sc_backend **out,
                            sc_error *err);
void sc_backend_destroy(sc_backend *be);

/* Whether this build contains the CUDA backend, and a description of the GPU (name, SMs,
 * memory, driver, runtime, cuDNN and cuBLAS versions) or why there is none. */
int sc_backend_cuda_compiled(void);
void sc_backend_gpu_info(char *buf, size_t len);

#endif
