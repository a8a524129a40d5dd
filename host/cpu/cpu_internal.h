/* Private to the CPU backend: its context (thread count, the convolution and saliency-op
 * scratch buffers) and the op functions each file of host/cpu contributes to the op table in
 * cpu_backend.c.
 *
 * Threading: ops parallelise with OpenMP over ctx->threads threads (images for convolutions,
 * channels for batch norm, elements for element-wise ops); OpenBLAS runs single-threaded inside
 * them (set once in sc_cpu_backend_create), so there is never nested parallelism.
 * Convolutions, batch norm and pooling hand their images, channels or planes out
 * dynamically, so a thread the OS preempts on a busy machine delays an op less. Results are deterministic for a given thread count; only the
 * convolution filter gradient's reduction order depends on it.
 *
 * On a machine whose cores are busy with other work, libgomp's default spin-waiting between
 * parallel regions costs far more than the regions gain; OMP_WAIT_POLICY=passive avoids it
 * (it must be set before the program starts: libgomp reads it when it is loaded). */
#ifndef SC_CPU_INTERNAL_H
#define SC_CPU_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "../backend/backend.h"
#include "cpu_dnnl.h"

/* Work below these sizes runs on one thread: starting a team costs more than it saves, and on
 * a loaded machine every barrier of a tiny op can wait for a descheduled thread. */
#define SC_CPU_PARALLEL_MIN 32768          /* elements of an element-wise or per-channel op */
#define SC_CPU_PARALLEL_MIN_MACS 262144    /* multiply-adds of a convolution */

/* The filter gradient splits a batch into this many image groups per thread, handed out
 * dynamically: a thread the OS delays holds up less, and the groups' fixed order keeps the
 * sum deterministic. */
#define SC_CPU_WGRAD_GROUPS_PER_THREAD 2

typedef struct sc_cpu_ctx {
    int threads;             /* OpenMP team size of every parallel op */
    /* Convolutions through oneDNN (cpu_dnnl.h); NULL in a build without oneDNN or when
     * SCAAT_CPU_CONV=im2col: im2col + OpenBLAS below (cpu_conv.c). dnnl_everywhere
     * (SCAAT_CPU_CONV=onednn) also sends the stem's backward passes to oneDNN. */
    sc_cpu_dnnl *dnnl;
    int dnnl_everywhere;
    /* Convolution scratch: an im2col column matrix per thread and a filter-gradient partial
     * sum per image group (SC_CPU_WGRAD_GROUPS_PER_THREAD groups per thread). conv2d_prepare
     * sizes them for the largest shape so that no op allocates during a step. Strides are in
     * floats and multiples of 16 (no false sharing between threads). */
    float *columns;          /* (threads, column_stride) */
    size_t column_stride;
    float *wgrad_partials;   /* (threads * SC_CPU_WGRAD_GROUPS_PER_THREAD, wgrad_stride) */
    size_t wgrad_stride;
    /* Saliency-op scratch, grown on first use and never shrunk: per thread, a radix sort's
     * two key buffers of sort_capacity keys each (mask_select, map_gini, rank_pixels,
     * rank_rows); and doubles for per-sample values, so batch sums add per-sample results in
     * sample order whatever the thread count (also add_noise's image ranges and gradcam's
     * (N, K) channel weights). sort_capacity is a multiple of 8 (no false sharing between
     * threads). */
    uint64_t *sort_keys;     /* (threads, 2, sort_capacity) */
    size_t sort_capacity;
    double *sample_values;   /* (sample_capacity) */
    size_t sample_capacity;
    /* Metric-op scratch, grown on first use and never shrunk: one image plane of floats per
     * thread (impute_linear's second Jacobi buffer). plane_stride is a multiple of 16. */
    float *plane_scratch;    /* (threads, plane_stride) */
    size_t plane_stride;
    double timer_marks[SC_TIMER_SLOTS]; /* seconds on the monotonic clock */
} sc_cpu_ctx;

static inline sc_cpu_ctx *sc_cpu_ctx_of(sc_backend *be) { return (sc_cpu_ctx *)be->ctx; }

/* Grow the convolution scratch to at least column_floats per thread and wgrad_floats per
 * image group (never shrinks). SC_ERR_OOM with a message in be->err when memory runs out. */
sc_status sc_cpu_reserve_conv_scratch(sc_backend *be, size_t column_floats, size_t wgrad_floats);

/* Grow the saliency-op scratch to at least keys sort keys per thread buffer and samples
 * per-sample doubles (never shrinks). SC_ERR_OOM with a message in be->err. */
sc_status sc_cpu_reserve_sample_scratch(sc_backend *be, size_t keys, size_t samples);

/* Grow the plane scratch to at least floats per thread (never shrinks). SC_ERR_OOM with a
 * message in be->err. */
sc_status sc_cpu_reserve_plane_scratch(sc_backend *be, size_t floats);

/* The two sort buffers of the calling OpenMP thread (each sort_capacity keys). */
static inline uint64_t *sc_cpu_sort_slot(const sc_cpu_ctx *ctx, int thread) {
    return ctx->sort_keys + (size_t)thread * 2 * ctx->sort_capacity;
}

/* Checks that every tensor of a list is present and F32 NCHW (NULL entries fail as missing). */
sc_status sc_cpu_check_f32_all(sc_backend *be, sc_op op, const sc_tensor *const *tensors,
                               const char *const *names, int count);

/* cpu_describe.c: the backend's description line; and, when OpenBLAS runs generic kernels on
 * an AVX2 / AVX-512 CPU, one sentence with the OPENBLAS_CORETYPE fix in buf (else ""). */
void sc_cpu_describe(const sc_cpu_ctx *ctx, char *buf, size_t len);
void sc_cpu_openblas_core_check(char *buf, size_t len);

/* cpu_conv.c */
sc_status sc_cpu_conv2d_prepare(sc_backend *be, const sc_conv_params *p, const sc_tensor *x,
                                const sc_tensor *w, const sc_tensor *y);
sc_status sc_cpu_conv2d_fwd(sc_backend *be, const sc_conv_params *p, const sc_tensor *x,
                            const sc_tensor *w, const sc_tensor *y);
sc_status sc_cpu_conv2d_bwd_data(sc_backend *be, const sc_conv_params *p, const sc_tensor *dy,
                                 const sc_tensor *w, const sc_tensor *dx, int accumulate);
sc_status sc_cpu_conv2d_bwd_filter(sc_backend *be, const sc_conv_params *p, const sc_tensor *x,
                                   const sc_tensor *dy, const sc_tensor *dw);

/* cpu_batchnorm.c */
sc_status sc_cpu_bn_train_fwd(sc_backend *be, const sc_bn_params *p, const sc_tensor *x,
                              const sc_tensor *gamma, const sc_tensor *beta,
                              const sc_tensor *running_mean, const sc_tensor *running_var,
                              const sc_tensor *save_mean, const sc_tensor *save_invstd,
                              const sc_tensor *y);
sc_status sc_cpu_bn_infer_fwd(sc_backend *be, const sc_bn_params *p, const sc_tensor *x,
                              const sc_tensor *gamma, const sc_tensor *beta,
                              const sc_tensor *running_mean, const sc_tensor *running_var,
                              const sc_tensor *y);
sc_status sc_cpu_bn_train_bwd(sc_backend *be, const sc_bn_params *p, const sc_tensor *x,
                              const sc_tensor *dy, const sc_tensor *gamma,
                              const sc_tensor *save_mean, const sc_tensor *save_invstd,
                              const sc_tensor *dx, const sc_tensor *dgamma,
                              const sc_tensor *dbeta, int accumulate);
sc_status sc_cpu_bn_infer_bwd(sc_backend *be, const sc_bn_params *p, const sc_tensor *dy,
                              const sc_tensor *gamma, const sc_tensor *running_var,
                              const sc_tensor *dx, int accumulate);
sc_status sc_cpu_bn_bwd_sums(sc_backend *be, const sc_tensor *x, const sc_tensor *dy,
                             const sc_tensor *mean, const sc_tensor *invstd, const sc_tensor *sums);
sc_status sc_cpu_bn_bwd_apply(sc_backend *be, double count, const sc_tensor *x,
                              const sc_tensor *dy, const sc_tensor *gamma, const sc_tensor *mean,
                              const sc_tensor *invstd, const sc_tensor *sums, const sc_tensor *dx,
                              int accumulate);

/* cpu_elementwise.c */
sc_status sc_cpu_relu_fwd(sc_backend *be, const sc_tensor *x, const sc_tensor *y);
sc_status sc_cpu_relu_bwd(sc_backend *be, const sc_tensor *y, const sc_tensor *dy,
                          const sc_tensor *dx, int accumulate);
sc_status sc_cpu_add_fwd(sc_backend *be, const sc_tensor *a, const sc_tensor *b,
                         const sc_tensor *y);
sc_status sc_cpu_add_bwd(sc_backend *be, const sc_tensor *dy, const sc_tensor *dx, int accumulate);

/* cpu_pool.c */
sc_status sc_cpu_maxpool_fwd(sc_backend *be, const sc_pool_params *p, const sc_tensor *x,
                             const sc_tensor *y);
sc_status sc_cpu_maxpool_bwd(sc_backend *be, const sc_pool_params *p, const sc_tensor *x,
                             const sc_tensor *y, const sc_tensor *dy, const sc_tensor *dx,
                             int accumulate);
sc_status sc_cpu_gap_fwd(sc_backend *be, const sc_tensor *x, const sc_tensor *y);
sc_status sc_cpu_gap_bwd(sc_backend *be, const sc_tensor *dy, const sc_tensor *dx, int accumulate);

/* cpu_linear.c */
sc_status sc_cpu_linear_fwd(sc_backend *be, const sc_tensor *x, const sc_tensor *w,
                            const sc_tensor *b, const sc_tensor *y);
sc_status sc_cpu_linear_bwd_data(sc_backend *be, const sc_tensor *dy, const sc_tensor *w,
                                 const sc_tensor *dx, int accumulate);
sc_status sc_cpu_linear_bwd_weight(sc_backend *be, const sc_tensor *x, const sc_tensor *dy,
                                   const sc_tensor *dw, const sc_tensor *db);

/* cpu_loss.c */
sc_status sc_cpu_softmax_xent(sc_backend *be, const sc_xent_params *p, const sc_tensor *logits,
                              const sc_tensor *labels, const sc_tensor *dlogits,
                              const sc_tensor *stats);

/* cpu_sgd.c */
sc_status sc_cpu_sgd_update(sc_backend *be, const sc_sgd_params *p, const sc_tensor *param,
                            const sc_tensor *grad, const sc_tensor *momentum_buf);

/* cpu_rng.c */
sc_status sc_cpu_rng_uniform(sc_backend *be, sc_rng_key key, float lo, float hi,
                             const sc_tensor *out);
sc_status sc_cpu_rng_normal(sc_backend *be, sc_rng_key key, float mean, float std,
                            const sc_tensor *out);

/* cpu_sort.c: keys[i] = sc_saliency_sort_key(values[i] or |values[i]|, i) for i < n, sorted
 * ascending (by value, ties by the lower index); tmp holds n keys of scratch. */
void sc_cpu_sort_pixels(const float *values, int64_t n, int absolute, uint64_t *keys,
                        uint64_t *tmp);
/* The same with sc_salient_first_key: by value descending, ties by the lower index, NaN last. */
void sc_cpu_sort_salient_first(const float *values, int64_t n, uint64_t *keys, uint64_t *tmp);

/* cpu_saliency.c */
sc_status sc_cpu_saliency_reduce(sc_backend *be, const sc_saliency_params *p, const sc_tensor *g,
                                 const sc_tensor *x, const sc_tensor *map);
sc_status sc_cpu_onehot(sc_backend *be, float scale, const sc_tensor *targets,
                        const sc_tensor *out);
sc_status sc_cpu_argmax(sc_backend *be, const sc_tensor *logits, const sc_tensor *out);

/* cpu_mask.c */
sc_status sc_cpu_mask_select(sc_backend *be, const sc_mask_params *p, const sc_tensor *map,
                             const sc_tensor *mask, const sc_tensor *stats);

/* cpu_fill.c */
sc_status sc_cpu_image_stats(sc_backend *be, const sc_tensor *x, const sc_tensor *out);
sc_status sc_cpu_mask_fill(sc_backend *be, const sc_fill_params *p, const sc_tensor *x,
                           const sc_tensor *mask, const sc_tensor *image_stats,
                           const sc_tensor *out);

/* cpu_perturb.c */
sc_status sc_cpu_perturb_budget(sc_backend *be, const sc_budget_params *p, const sc_tensor *map,
                                const sc_tensor *mask, const sc_tensor *budget);
sc_status sc_cpu_perturb_init(sc_backend *be, const sc_perturb_params *p, const sc_tensor *x,
                              const sc_tensor *budget, const sc_tensor *xadv);
sc_status sc_cpu_perturb_step(sc_backend *be, const sc_perturb_params *p, const sc_tensor *x,
                              const sc_tensor *g, const sc_tensor *budget,
                              const sc_tensor *xadv, const sc_tensor *stats);

/* cpu_kl.c */
sc_status sc_cpu_kl_div(sc_backend *be, const sc_kl_params *p, const sc_tensor *p_logits,
                        const sc_tensor *q_logits, const sc_tensor *dp, const sc_tensor *dq,
                        const sc_tensor *stats);

/* cpu_gini.c */
sc_status sc_cpu_map_gini(sc_backend *be, const sc_tensor *map, const sc_tensor *gini,
                          const sc_tensor *stats);

/* cpu_blend.c */
sc_status sc_cpu_axpby(sc_backend *be, float alpha, const sc_tensor *x, float beta,
                       const sc_tensor *y);
sc_status sc_cpu_add_noise(sc_backend *be, const sc_noise_params *p, const sc_tensor *x,
                           const sc_tensor *out);
sc_status sc_cpu_ranked_replace(sc_backend *be, int64_t count, int from_least, const sc_tensor *x,
                                const sc_tensor *alt, const sc_tensor *ranks,
                                const sc_tensor *out);

/* cpu_gradcam.c */
sc_status sc_cpu_gradcam(sc_backend *be, const sc_tensor *act, const sc_tensor *grad,
                         const sc_tensor *map);
sc_status sc_cpu_resize_bilinear(sc_backend *be, const sc_tensor *in, const sc_tensor *out);

/* cpu_sparsity.c */
sc_status sc_cpu_map_sparsity(sc_backend *be, const sc_tensor *map, const sc_tensor *hoyer,
                              const sc_tensor *entropy);

/* cpu_rank.c */
sc_status sc_cpu_rank_pixels(sc_backend *be, const sc_tensor *map, const sc_tensor *ranks);
sc_status sc_cpu_rank_rows(sc_backend *be, const sc_tensor *in, const sc_tensor *out);

/* cpu_blur.c */
sc_status sc_cpu_gaussian_blur(sc_backend *be, const sc_blur_params *p, const sc_tensor *x,
                               const sc_tensor *out);

/* cpu_scores.c */
sc_status sc_cpu_target_score(sc_backend *be, sc_score_kind kind, const sc_tensor *logits,
                              const sc_tensor *targets, int column, const sc_tensor *out);
sc_status sc_cpu_curve_auc(sc_backend *be, const sc_tensor *curves, const sc_tensor *auc);
sc_status sc_cpu_pearson_rows(sc_backend *be, const sc_tensor *a, const sc_tensor *b,
                              const sc_tensor *out);
sc_status sc_cpu_masked_sum(sc_backend *be, const sc_tensor *map, const sc_tensor *mask,
                            int column, const sc_tensor *out);
sc_status sc_cpu_relative_distance(sc_backend *be, const sc_tensor *a, const sc_tensor *b,
                                   const sc_tensor *out);

/* cpu_impute.c */
sc_status sc_cpu_impute_linear(sc_backend *be, const sc_impute_params *p, const sc_tensor *x,
                               const sc_tensor *mask, const sc_tensor *out);

#endif
