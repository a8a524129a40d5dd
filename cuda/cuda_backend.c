/* The CUDA backend's op table (host/backend/backend.h) and its lifetime: create, destroy and
 * supports(). The ops live in one file per family (cuda_conv.c, cuda_batchnorm.c, ...). */
#include "cuda_backend.h"

#include <stdlib.h>

#include "cuda_context.h"
#include "cuda_ops.h"

static int cuda_supports(sc_backend *be, sc_op op, sc_dtype dtype, sc_layout layout) {
    (void)be;
    return op >= 0 && op < SC_OP_COUNT && dtype == SC_F32 && layout == SC_NCHW;
}

static void cuda_destroy(sc_backend *be) {
    sc_cuda_ctx_destroy(be);
    free(be);
}

static const sc_backend_ops cuda_ops = {
    .alloc = sc_cuda_alloc,
    .free = sc_cuda_free,
    .host_alloc = sc_cuda_host_alloc,
    .host_free = sc_cuda_host_free,
    .upload = sc_cuda_upload,
    .upload_async = sc_cuda_upload_async,
    .upload_wait = sc_cuda_upload_wait,
    .download = sc_cuda_download,
    .zero = sc_cuda_zero,
    .copy = sc_cuda_copy,
    .sync = sc_cuda_sync,
    .supports = cuda_supports,
    .range_push = sc_cuda_range_push,
    .range_pop = sc_cuda_range_pop,
    .timer_mark = sc_cuda_timer_mark,
    .timer_elapsed = sc_cuda_timer_elapsed,
    .describe = sc_cuda_describe,
    .destroy = cuda_destroy,
    .conv2d_prepare = sc_cuda_conv2d_prepare,
    .conv2d_fwd = sc_cuda_conv2d_fwd,
    .conv2d_bwd_data = sc_cuda_conv2d_bwd_data,
    .conv2d_bwd_filter = sc_cuda_conv2d_bwd_filter,
    .bn_train_fwd = sc_cuda_bn_train_fwd,
    .bn_infer_fwd = sc_cuda_bn_infer_fwd,
    .bn_train_bwd = sc_cuda_bn_train_bwd,
    .bn_infer_bwd = sc_cuda_bn_infer_bwd,
    .bn_bwd_sums = sc_cuda_bn_bwd_sums,
    .bn_bwd_apply = sc_cuda_bn_bwd_apply,
    .relu_fwd = sc_cuda_relu_fwd,
    .relu_bwd = sc_cuda_relu_bwd,
    .add_fwd = sc_cuda_add_fwd,
    .add_bwd = sc_cuda_add_bwd,
    .maxpool_fwd = sc_cuda_maxpool_fwd,
    .maxpool_bwd = sc_cuda_maxpool_bwd,
    .gap_fwd = sc_cuda_gap_fwd,
    .gap_bwd = sc_cuda_gap_bwd,
    .linear_fwd = sc_cuda_linear_fwd,
    .linear_bwd_data = sc_cuda_linear_bwd_data,
    .linear_bwd_weight = sc_cuda_linear_bwd_weight,
    .softmax_xent = sc_cuda_softmax_xent,
    .sgd_update = sc_cuda_sgd_update,
    .rng_uniform = sc_cuda_rng_uniform,
    .rng_normal = sc_cuda_rng_normal,
    .saliency_reduce = sc_cuda_saliency_reduce,
    .mask_select = sc_cuda_mask_select,
    .image_stats = sc_cuda_image_stats,
    .mask_fill = sc_cuda_mask_fill,
    .perturb_budget = sc_cuda_perturb_budget,
    .perturb_init = sc_cuda_perturb_init,
    .perturb_step = sc_cuda_perturb_step,
    .kl_div = sc_cuda_kl_div,
    .map_gini = sc_cuda_map_gini,
    .onehot = sc_cuda_onehot,
    .argmax = sc_cuda_argmax,
    .axpby = sc_cuda_axpby,
    .add_noise = sc_cuda_add_noise,
    .gradcam = sc_cuda_gradcam,
    .resize_bilinear = sc_cuda_resize_bilinear,
    .map_sparsity = sc_cuda_map_sparsity,
    .rank_pixels = sc_cuda_rank_pixels,
    .ranked_replace = sc_cuda_ranked_replace,
    .gaussian_blur = sc_cuda_gaussian_blur,
    .target_score = sc_cuda_target_score,
    .curve_auc = sc_cuda_curve_auc,
    .rank_rows = sc_cuda_rank_rows,
    .pearson_rows = sc_cuda_pearson_rows,
    .masked_sum = sc_cuda_masked_sum,
    .relative_distance = sc_cuda_relative_distance,
    .impute_linear = sc_cuda_impute_linear,
};

sc_status sc_cuda_backend_create(const sc_backend_config *config, sc_backend **out, sc_error *err) {
    *out = NULL;
    sc_backend *be = calloc(1, sizeof *be);
    if (!be)
        return sc_fail(err, SC_ERR_OOM, "cuda: out of host memory for the backend");
    be->name = "cuda";
    be->kind = SC_BACKEND_CUDA;
    be->ops = &cuda_ops;
    be->config = *config;
    sc_status status = sc_cuda_ctx_create(be);
    if (status != SC_OK) {
        sc_fail(err, status, "%s", be->err.msg);
        cuda_destroy(be);
        return status;
    }
    *out = be;
    return SC_OK;
}
