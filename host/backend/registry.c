/* Backend registry: turns "auto" | "cpu" | "cuda" into a backend instance. */
#include "backend.h"

#include <stdio.h>
#include <string.h>

#include "../cpu/cpu_backend.h"
#ifdef SCAAT_HAVE_CUDA
#include "../../cuda/cuda_backend.h"
#endif

sc_backend_config sc_backend_config_default(void) {
    sc_backend_config c;
    memset(&c, 0, sizeof c);
    c.tf32 = 1;
    return c;
}

int sc_backend_cuda_compiled(void) {
#ifdef SCAAT_HAVE_CUDA
    return 1;
#else
    return 0;
#endif
}

void sc_backend_gpu_info(char *buf, size_t len) {
#ifdef SCAAT_HAVE_CUDA
    sc_cuda_describe_system(buf, len);
#else
    snprintf(buf, len, "this build has no CUDA backend (configured with -DSCAAT_CUDA=OFF or "
                       "nvcc/cuDNN not found)");
#endif
}

sc_status sc_backend_create(const char *name, const sc_backend_config *config, sc_backend **out,
                            sc_error *err) {
    sc_backend_config defaults = sc_backend_config_default();
    if (!config)
        config = &defaults;
    *out = NULL;
    if (strcmp(name, "cpu") == 0)
        return sc_cpu_backend_create(config, out, err);
    if (strcmp(name, "cuda") == 0) {
#ifdef SCAAT_HAVE_CUDA
        if (sc_cuda_device_count() == 0)
            return sc_fail(err, SC_ERR_UNSUPPORTED, "--device cuda: no CUDA GPU is present");
        return sc_cuda_backend_create(config, out, err);
#else
        return sc_fail(err, SC_ERR_USAGE,
                       "--device cuda: this build has no CUDA backend (rebuild with nvcc and "
                       "cuDNN available, -DSCAAT_CUDA=ON)");
#endif
    }
    if (strcmp(name, "auto") == 0) {
#ifdef SCAAT_HAVE_CUDA
        if (sc_cuda_device_count() > 0)
            return sc_cuda_backend_create(config, out, err);
#endif
        return sc_cpu_backend_create(config, out, err);
    }
    return sc_fail(err, SC_ERR_USAGE, "unknown device '%s' (expected auto, cpu or cuda)", name);
}

void sc_backend_destroy(sc_backend *be) {
    if (be)
        be->ops->destroy(be);
}

const char *sc_op_name(sc_op op) {
    static const char *const names[SC_OP_COUNT] = {
        [SC_OP_CONV2D_FWD] = "conv2d_fwd",
        [SC_OP_CONV2D_BWD_DATA] = "conv2d_bwd_data",
        [SC_OP_CONV2D_BWD_FILTER] = "conv2d_bwd_filter",
        [SC_OP_BN_TRAIN_FWD] = "bn_train_fwd",
        [SC_OP_BN_INFER_FWD] = "bn_infer_fwd",
        [SC_OP_BN_TRAIN_BWD] = "bn_train_bwd",
        [SC_OP_BN_INFER_BWD] = "bn_infer_bwd",
        [SC_OP_BN_BWD_SUMS] = "bn_bwd_sums",
        [SC_OP_BN_BWD_APPLY] = "bn_bwd_apply",
        [SC_OP_RELU_FWD] = "relu_fwd",
        [SC_OP_RELU_BWD] = "relu_bwd",
        [SC_OP_ADD_FWD] = "add_fwd",
        [SC_OP_ADD_BWD] = "add_bwd",
        [SC_OP_MAXPOOL_FWD] = "maxpool_fwd",
        [SC_OP_MAXPOOL_BWD] = "maxpool_bwd",
        [SC_OP_GAP_FWD] = "gap_fwd",
        [SC_OP_GAP_BWD] = "gap_bwd",
        [SC_OP_LINEAR_FWD] = "linear_fwd",
        [SC_OP_LINEAR_BWD_DATA] = "linear_bwd_data",
        [SC_OP_LINEAR_BWD_WEIGHT] = "linear_bwd_weight",
        [SC_OP_SOFTMAX_XENT] = "softmax_xent",
        [SC_OP_SGD_UPDATE] = "sgd_update",
        [SC_OP_RNG_UNIFORM] = "rng_uniform",
        [SC_OP_RNG_NORMAL] = "rng_normal",
        [SC_OP_SALIENCY_REDUCE] = "saliency_reduce",
        [SC_OP_MASK_SELECT] = "mask_select",
        [SC_OP_IMAGE_STATS] = "image_stats",
        [SC_OP_MASK_FILL] = "mask_fill",
        [SC_OP_PERTURB_BUDGET] = "perturb_budget",
        [SC_OP_PERTURB_INIT] = "perturb_init",
        [SC_OP_PERTURB_STEP] = "perturb_step",
        [SC_OP_KL_DIV] = "kl_div",
        [SC_OP_MAP_GINI] = "map_gini",
        [SC_OP_ONEHOT] = "onehot",
        [SC_OP_ARGMAX] = "argmax",
        [SC_OP_AXPBY] = "axpby",
        [SC_OP_ADD_NOISE] = "add_noise",
        [SC_OP_GRADCAM] = "gradcam",
        [SC_OP_RESIZE_BILINEAR] = "resize_bilinear",
        [SC_OP_MAP_SPARSITY] = "map_sparsity",
        [SC_OP_RANK_PIXELS] = "rank_pixels",
        [SC_OP_RANKED_REPLACE] = "ranked_replace",
        [SC_OP_GAUSSIAN_BLUR] = "gaussian_blur",
        [SC_OP_TARGET_SCORE] = "target_score",
        [SC_OP_CURVE_AUC] = "curve_auc",
        [SC_OP_RANK_ROWS] = "rank_rows",
        [SC_OP_PEARSON_ROWS] = "pearson_rows",
        [SC_OP_MASKED_SUM] = "masked_sum",
        [SC_OP_RELATIVE_DISTANCE] = "relative_distance",
        [SC_OP_IMPUTE_LINEAR] = "impute_linear",
    };
    return (op >= 0 && op < SC_OP_COUNT && names[op]) ? names[op] : "unknown_op";
}
