/* Batch normalisation of the CUDA backend: cuDNN's spatial batch norm (legacy C API) for the
 * training forward, inference forward and training backward; the inference backward is a
 * kernel (cuda/kernels/batchnorm.cu).
 *
 * How the contract maps onto cuDNN:
 * - running = (1 - momentum) * running + momentum * batch is cuDNN's exponentialAverageFactor =
 *   momentum, and cuDNN's running variance uses the unbiased batch variance as PyTorch does.
 *   momentum = 0 hands cuDNN NULL running statistics (documented: both NULL together), so
 *   they are never touched, not even rewritten.
 * - save_invstd is cuDNN's resultSaveInvVariance, 1 / sqrt(biased var + eps).
 * - dx accumulate is betaDataDiff = 1; dgamma / dbeta always accumulate: betaParamDiff = 1.
 *   cuDNN always writes dgamma and dbeta, so NULL ones go to the context's scratch.
 * - cuDNN does not document in-place batch norm, so the contract forbids it (backend.h) and
 *   every op refuses an output that overlaps its input, as the CPU does. */
#include <limits.h>

#include "../host/backend/shape_check.h"
#include "cuda_check.h"
#include "cuda_ops.h"
#include "kernels/kernels.h"

/* x (N, C, H, W) into bn_x_desc and (1, C, 1, 1) into bn_param_desc. */
static sc_status set_bn_descriptors(sc_backend *be, const sc_tensor *x) {
    sc_cuda_ctx *ctx = sc_cuda_ctx_of(be);
    SC_CUDNN_CHECK(be, cudnnSetTensor4dDescriptor(
                           ctx->bn_x_desc, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, (int)x->shape[0],
                           (int)x->shape[1], (int)x->shape[2], (int)x->shape[3]));
    SC_CUDNN_CHECK(be, cudnnSetTensor4dDescriptor(ctx->bn_param_desc, CUDNN_TENSOR_NCHW,
                                                  CUDNN_DATA_FLOAT, 1, (int)x->shape[1], 1, 1));
    return SC_OK;
}

/* Every tensor of the list present and F32 NCHW. */
static sc_status check_all_f32(sc_backend *be, sc_op op, const sc_tensor *const *tensors,
                               const char *const *names, int count) {
    for (int i = 0; i < count; i++)
        SC_TRY(sc_check_f32(&be->err, op, tensors[i], names[i]));
    return SC_OK;
}

/* What cuDNN accepts beyond the shared shape checks: int-sized tensors, eps >= its minimum. */
static sc_status check_cudnn_limits(sc_backend *be, sc_op op, const sc_bn_params *p,
                                    const sc_tensor *x) {
    if (sc_tensor_numel(x) > INT_MAX)
        return sc_fail(&be->err, SC_ERR_UNSUPPORTED,
                       "%s: %lld elements exceed cuDNN's int tensor sizes",
                       sc_op_name(op), (long long)sc_tensor_numel(x));
    if ((double)p->eps < CUDNN_BN_MIN_EPSILON)
        return sc_fail(&be->err, SC_ERR_UNSUPPORTED, "%s: eps %g is below cuDNN's minimum %g",
                       sc_op_name(op), (double)p->eps, (double)CUDNN_BN_MIN_EPSILON);
    return SC_OK;
}

static sc_status bn_train_fwd_issue(sc_backend *be, const sc_bn_params *p, const sc_tensor *x,
                                    const sc_tensor *gamma, const sc_tensor *beta,
                                    const sc_tensor *running_mean, const sc_tensor *running_var,
                                    const sc_tensor *save_mean, const sc_tensor *save_invstd,
                                    const sc_tensor *y) {
    sc_cuda_ctx *ctx = sc_cuda_ctx_of(be);
    SC_TRY(set_bn_descriptors(be, x));
    const float one = 1.0f, zero = 0.0f;
    int update_running = p->momentum > 0.0f;
    SC_CUDNN_CHECK(be,
                   cudnnBatchNormalizationForwardTraining(
                       ctx->cudnn, CUDNN_BATCHNORM_SPATIAL, &one, &zero, ctx->bn_x_desc, sc_f32(x),
                       ctx->bn_x_desc, sc_f32(y), ctx->bn_param_desc, sc_f32(gamma), sc_f32(beta),
                       (double)p->momentum, update_running ? sc_f32(running_mean) : NULL,
                       update_running ? sc_f32(running_var) : NULL, (double)p->eps,
                       sc_f32(save_mean), sc_f32(save_invstd)));
    return SC_OK;
}

sc_status sc_cuda_bn_train_fwd(sc_backend *be, const sc_bn_params *p, const sc_tensor *x,
                               const sc_tensor *gamma, const sc_tensor *beta,
                               const sc_tensor *running_mean, const sc_tensor *running_var,
                               const sc_tensor *save_mean, const sc_tensor *save_invstd,
                               const sc_tensor *y) {
    const sc_op op = SC_OP_BN_TRAIN_FWD;
    const sc_tensor *per_channel[6] = {gamma,       beta,      running_mean,
                                       running_var, save_mean, save_invstd};
    const char *names[6] = {"gamma",       "beta",      "running_mean",
                            "running_var", "save_mean", "save_invstd"};
    SC_TRY(check_all_f32(be, op, per_channel, names, 6));
    SC_TRY(sc_check_bn(&be->err, op, p, x, y, per_channel, 6));
    SC_TRY(sc_check_bn_apart(&be->err, op, y, "y", x, "x", NULL, NULL));
    /* The CPU's check and message: batch statistics need a value per channel (an empty batch
     * would reach cuDNN as a 0-sized descriptor), the unbiased variance of the update 2. */
    const int needed = p->momentum > 0.0f ? 2 : 1;
    if (x->shape[0] * x->shape[2] * x->shape[3] < needed)
        return sc_fail(&be->err, SC_ERR_SHAPE,
                       "bn_train_fwd: batch statistics%s need at least %d values per channel, "
                       "got x (%lld, %lld, %lld, %lld)",
                       p->momentum > 0.0f ? " with a running-statistics update" : "", needed,
                       (long long)x->shape[0], (long long)x->shape[1], (long long)x->shape[2],
                       (long long)x->shape[3]);
    SC_TRY(check_cudnn_limits(be, op, p, x));
    sc_cuda_op_begin(be, "bn_train_fwd %lldx%lldx%lld", (long long)x->shape[1],
                     (long long)x->shape[2], (long long)x->shape[3]);
    return sc_cuda_op_end(be, op,
                          bn_train_fwd_issue(be, p, x, gamma, beta, running_mean, running_var,
                                             save_mean, save_invstd, y));
}

static sc_status bn_infer_fwd_issue(sc_backend *be, const sc_bn_params *p, const sc_tensor *x,
                                    const sc_tensor *gamma, const sc_tensor *beta,
                                    const sc_tensor *running_mean, const sc_tensor *running_var,
                                    const sc_tensor *y) {
    sc_cuda_ctx *ctx = sc_cuda_ctx_of(be);
    SC_TRY(set_bn_descriptors(be, x));
    const float one = 1.0f, zero = 0.0f;
    SC_CUDNN_CHECK(be,
                   cudnnBatchNormalizationForwardInference(
                       ctx->cudnn, CUDNN_BATCHNORM_SPATIAL, &one, &zero, ctx->bn_x_desc, sc_f32(x),
                       ctx->bn_x_desc, sc_f32(y), ctx->bn_param_desc, sc_f32(gamma), sc_f32(beta),
                       sc_f32(running_mean), sc_f32(running_var), (double)p->eps));
    return SC_OK;
}

sc_status sc_cuda_bn_infer_fwd(sc_backend *be, const sc_bn_params *p, const sc_tensor *x,
                               const sc_tensor *gamma, const sc_tensor *beta,
                               const sc_tensor *running_mean, const sc_tensor *running_var,
                               const sc_tensor *y) {
    const sc_op op = SC_OP_BN_INFER_FWD;
    const sc_tensor *per_channel[4] = {gamma, beta, running_mean, running_var};
    const char *names[4] = {"gamma", "beta", "running_mean", "running_var"};
    SC_TRY(check_all_f32(be, op, per_channel, names, 4));
    SC_TRY(sc_check_bn(&be->err, op, p, x, y, per_channel, 4));
    SC_TRY(sc_check_bn_apart(&be->err, op, y, "y", x, "x", NULL, NULL));
    SC_TRY(check_cudnn_limits(be, op, p, x));
    sc_cuda_op_begin(be, "bn_infer_fwd %lldx%lldx%lld", (long long)x->shape[1],
                     (long long)x->shape[2], (long long)x->shape[3]);
    return sc_cuda_op_end(be, op,
                          bn_infer_fwd_issue(be, p, x, gamma, beta, running_mean, running_var, y));
}

static sc_status bn_train_bwd_issue(sc_backend *be, const sc_bn_params *p, const sc_tensor *x,
                                    const sc_tensor *dy, const sc_tensor *gamma,
                                    const sc_tensor *save_mean, const sc_tensor *save_invstd,
                                    const sc_tensor *dx, const sc_tensor *dgamma,
                                    const sc_tensor *dbeta, int accumulate) {
    sc_cuda_ctx *ctx = sc_cuda_ctx_of(be);
    int64_t channels = x->shape[1];
    SC_TRY(sc_cuda_reserve_bn_scratch(be, channels));
    float *dgamma_out = dgamma ? sc_f32(dgamma) : ctx->bn_param_grad_scratch;         // (C)
    float *dbeta_out = dbeta ? sc_f32(dbeta) : ctx->bn_param_grad_scratch + channels; // (C)
    SC_TRY(set_bn_descriptors(be, x));
    const float one = 1.0f, zero = 0.0f;
    SC_CUDNN_CHECK(be,
                   cudnnBatchNormalizationBackward(
                       ctx->cudnn, CUDNN_BATCHNORM_SPATIAL, &one, accumulate ? &one : &zero, &one,
                       &one, ctx->bn_x_desc, sc_f32(x), ctx->bn_x_desc, sc_f32(dy), ctx->bn_x_desc,
                       sc_f32(dx), ctx->bn_param_desc, sc_f32(gamma), dgamma_out, dbeta_out,
                       (double)p->eps, sc_f32(save_mean), sc_f32(save_invstd)));
    return SC_OK;
}

sc_status sc_cuda_bn_train_bwd(sc_backend *be, const sc_bn_params *p, const sc_tensor *x,
                               const sc_tensor *dy, const sc_tensor *gamma,
                               const sc_tensor *save_mean, const sc_tensor *save_invstd,
                               const sc_tensor *dx, const sc_tensor *dgamma, const sc_tensor *dbeta,
                               int accumulate) {
    const sc_op op = SC_OP_BN_TRAIN_BWD;
    const sc_tensor *per_channel[5] = {gamma, save_mean, save_invstd, dgamma, dbeta};
    const char *names[3] = {"gamma", "save_mean", "save_invstd"};
    SC_TRY(check_all_f32(be, op, per_channel, names, 3)); /* dgamma, dbeta may be NULL */
    SC_TRY(sc_check_bn(&be->err, op, p, x, dy, per_channel, 5));
    SC_TRY(sc_check_same(&be->err, op, x, dx));
    SC_TRY(sc_check_bn_apart(&be->err, op, dx, "dx", x, "x", dy, "dy"));
    SC_TRY(check_cudnn_limits(be, op, p, x));
    sc_cuda_op_begin(be, "bn_train_bwd %lldx%lldx%lld%s", (long long)x->shape[1],
                     (long long)x->shape[2], (long long)x->shape[3], accumulate ? " +=" : "");
    return sc_cuda_op_end(be, op,
                          bn_train_bwd_issue(be, p, x, dy, gamma, save_mean, save_invstd, dx,
                                             dgamma, dbeta, accumulate));
}

static sc_status bn_infer_bwd_issue(sc_backend *be, const sc_bn_params *p, const sc_tensor *dy,
                                    const sc_tensor *gamma, const sc_tensor *running_var,
                                    const sc_tensor *dx, int accumulate) {
    SC_CUDA_CHECK(be, sc_launch_bn_infer_bwd(sc_f32(dy), sc_f32(gamma), sc_f32(running_var),
                                             sc_f32(dx), p->eps, dy->shape[0], dy->shape[1],
                                             dy->shape[2] * dy->shape[3], accumulate,
                                             sc_cuda_ctx_of(be)->stream));
    return SC_OK;
}

sc_status sc_cuda_bn_infer_bwd(sc_backend *be, const sc_bn_params *p, const sc_tensor *dy,
                               const sc_tensor *gamma, const sc_tensor *running_var,
                               const sc_tensor *dx, int accumulate) {
    const sc_op op = SC_OP_BN_INFER_BWD;
    const sc_tensor *per_channel[2] = {gamma, running_var};
    const char *names[2] = {"gamma", "running_var"};
    SC_TRY(check_all_f32(be, op, per_channel, names, 2));
    SC_TRY(sc_check_bn(&be->err, op, p, dy, dx, per_channel, 2));
    SC_TRY(sc_check_bn_apart(&be->err, op, dx, "dx", dy, "dy", NULL, NULL));
    sc_cuda_op_begin(be, "bn_infer_bwd %lldx%lldx%lld%s", (long long)dy->shape[1],
                     (long long)dy->shape[2], (long long)dy->shape[3], accumulate ? " +=" : "");
    return sc_cuda_op_end(be, op,
                          bn_infer_bwd_issue(be, p, dy, gamma, running_var, dx, accumulate));
}
