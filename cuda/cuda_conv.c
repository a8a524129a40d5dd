/* Convolutions of the CUDA backend through cuDNN's legacy C API, with a plan cache per shape.
 *
 * A plan (cuda_conv_plan.h) holds the descriptors of one (x, w, stride, pad, tf32) shape and
 * the algorithm of each direction. prepare() builds the plan: cuda_conv_algo.c chooses each
 * direction's algorithm (measured by cudnnFind*, or by heuristics among the deterministic ones
 * with config.deterministic) within config.workspace_limit and the math type TF32 allows, and
 * the shared workspace grows to the largest need. Ops then only look the plan up; an
 * unprepared shape is prepared on first use.
 *
 * Accumulation: forward overwrites y (beta 0); backward-data blends dx with beta = accumulate;
 * backward-filter always adds into dw (beta 1), the contract for weight gradients. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../host/backend/shape_check.h"
#include "cuda_check.h"
#include "cuda_conv_plan.h"
#include "cuda_ops.h"

struct sc_cuda_conv_cache {
    conv_plan **plans; /* pointers, so a plan never moves when the array grows */
    int count;
    int capacity;
};

sc_status sc_cuda_conv_cache_create(sc_backend *be, sc_cuda_conv_cache **out) {
    *out = calloc(1, sizeof **out);
    if (!*out)
        return sc_fail(&be->err, SC_ERR_OOM,
                       "cuda: out of host memory for the convolution plan cache");
    return SC_OK;
}

static void conv_plan_destroy(conv_plan *plan) {
    if (plan->x_desc)
        (void)cudnnDestroyTensorDescriptor(plan->x_desc);
    if (plan->y_desc)
        (void)cudnnDestroyTensorDescriptor(plan->y_desc);
    if (plan->w_desc)
        (void)cudnnDestroyFilterDescriptor(plan->w_desc);
    if (plan->fwd_desc)
        (void)cudnnDestroyConvolutionDescriptor(plan->fwd_desc);
    if (plan->bwd_data_desc)
        (void)cudnnDestroyConvolutionDescriptor(plan->bwd_data_desc);
    if (plan->bwd_filter_desc)
        (void)cudnnDestroyConvolutionDescriptor(plan->bwd_filter_desc);
    free(plan);
}

void sc_cuda_conv_cache_destroy(sc_cuda_conv_cache *cache) {
    if (!cache)
        return;
    for (int i = 0; i < cache->count; i++)
        conv_plan_destroy(cache->plans[i]);
    free(cache->plans);
    free(cache);
}

/* The plan key of x (N, C, H, W) and w (K, C, R, S); cuDNN's legacy descriptors take int
 * sizes and strides, so every tensor must hold fewer than 2^31 elements. */
static sc_status conv_key_make(sc_backend *be, sc_op op, const sc_conv_params *p,
                               const sc_tensor *x, const sc_tensor *w, const sc_tensor *y,
                               conv_key *key) {
    if (sc_tensor_numel(x) > INT_MAX || sc_tensor_numel(w) > INT_MAX ||
        sc_tensor_numel(y) > INT_MAX)
        return sc_fail(&be->err, SC_ERR_UNSUPPORTED,
                       "%s: tensors of 2^31 or more elements exceed "
                       "cuDNN's int sizes (x %lld, w %lld, y %lld elements)",
                       sc_op_name(op), (long long)sc_tensor_numel(x), (long long)sc_tensor_numel(w),
                       (long long)sc_tensor_numel(y));
    memset(key, 0, sizeof *key);
    key->n = (int)x->shape[0];
    key->c = (int)x->shape[1];
    key->h = (int)x->shape[2];
    key->w = (int)x->shape[3];
    key->k = (int)w->shape[0];
    key->r = (int)w->shape[2];
    key->s = (int)w->shape[3];
    key->stride = p->stride;
    key->pad = p->pad;
    key->tf32 = be->config.tf32 ? 1 : 0;
    return SC_OK;
}

static conv_plan *conv_cache_find(const sc_cuda_conv_cache *cache, const conv_key *key) {
    for (int i = 0; i < cache->count; i++)
        if (memcmp(&cache->plans[i]->key, key, sizeof *key) == 0)
            return cache->plans[i];
    return NULL;
}

/* Descriptors of the plan's key; each convolution descriptor starts at the math type the
 * search may use. */
static sc_status conv_plan_describe(sc_backend *be, conv_plan *plan) {
    const conv_key *k = &plan->key;
    const cudnnMathType_t search_math = k->tf32 ? CUDNN_DEFAULT_MATH : CUDNN_FMA_MATH;
    SC_CUDNN_CHECK(be, cudnnCreateTensorDescriptor(&plan->x_desc));
    SC_CUDNN_CHECK(be, cudnnCreateTensorDescriptor(&plan->y_desc));
    SC_CUDNN_CHECK(be, cudnnCreateFilterDescriptor(&plan->w_desc));
    SC_CUDNN_CHECK(be, cudnnCreateConvolutionDescriptor(&plan->fwd_desc));
    SC_CUDNN_CHECK(be, cudnnCreateConvolutionDescriptor(&plan->bwd_data_desc));
    SC_CUDNN_CHECK(be, cudnnCreateConvolutionDescriptor(&plan->bwd_filter_desc));
    SC_CUDNN_CHECK(be, cudnnSetTensor4dDescriptor(plan->x_desc, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT,
                                                  k->n, k->c, k->h, k->w));
    SC_CUDNN_CHECK(be, cudnnSetFilter4dDescriptor(plan->w_desc, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW,
                                                  k->k, k->c, k->r, k->s));
    cudnnConvolutionDescriptor_t descs[3] = {plan->fwd_desc, plan->bwd_data_desc,
                                             plan->bwd_filter_desc};
    for (int i = 0; i < 3; i++) {
        SC_CUDNN_CHECK(be, cudnnSetConvolution2dDescriptor(descs[i], k->pad, k->pad, k->stride,
                                                           k->stride, 1, 1, CUDNN_CROSS_CORRELATION,
                                                           CUDNN_DATA_FLOAT));
        SC_CUDNN_CHECK(be, cudnnSetConvolutionMathType(descs[i], search_math));
    }
    int on = 0, oc = 0, oh = 0, ow = 0;
    SC_CUDNN_CHECK(be, cudnnGetConvolution2dForwardOutputDim(plan->fwd_desc, plan->x_desc,
                                                             plan->w_desc, &on, &oc, &oh, &ow));
    int64_t expect_oh = sc_window_out(k->h, k->r, k->stride, k->pad);
    int64_t expect_ow = sc_window_out(k->w, k->s, k->stride, k->pad);
    if (on != k->n || oc != k->k || oh != expect_oh || ow != expect_ow)
        return sc_fail(&be->err, SC_ERR_INTERNAL,
                       "conv2d_prepare: cuDNN's output shape (%d, %d, %d, %d) differs from "
                       "the contract's (%d, %d, %lld, %lld)",
                       on, oc, oh, ow, k->n, k->k, (long long)expect_oh, (long long)expect_ow);
    SC_CUDNN_CHECK(be, cudnnSetTensor4dDescriptor(plan->y_desc, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT,
                                                  on, oc, oh, ow));
    return SC_OK;
}

/* Build the plan of key, grow the workspace to its need and add it to the cache. */
static sc_status conv_plan_build(sc_backend *be, const conv_key *key, conv_plan **out) {
    sc_cuda_conv_cache *cache = sc_cuda_ctx_of(be)->conv_cache;
    if (cache->count == cache->capacity) {
        int capacity = cache->capacity ? 2 * cache->capacity : 16;
        conv_plan **grown = realloc(cache->plans, (size_t)capacity * sizeof *grown);
        if (!grown)
            return sc_fail(&be->err, SC_ERR_OOM,
                           "conv2d_prepare: out of host memory for the plan cache");
        cache->plans = grown;
        cache->capacity = capacity;
    }
    conv_plan *plan = calloc(1, sizeof *plan);
    if (!plan)
        return sc_fail(&be->err, SC_ERR_OOM, "conv2d_prepare: out of host memory for a plan");
    plan->key = *key;
    sc_status status = conv_plan_describe(be, plan);
    for (int d = CONV_FWD; status == SC_OK && d <= CONV_BWD_FILTER; d++)
        status = sc_cuda_conv_choose(be, plan, (conv_direction)d);
    if (status == SC_OK)
        status = sc_cuda_reserve_workspace(be, plan->workspace_bytes);
    if (status != SC_OK) {
        conv_plan_destroy(plan);
        return status;
    }
    cache->plans[cache->count++] = plan;
    *out = plan;
    return SC_OK;
}

/* The cached plan of this shape, built on first use. */
static sc_status conv_plan_get(sc_backend *be, sc_op op, const sc_conv_params *p,
                               const sc_tensor *x, const sc_tensor *w, const sc_tensor *y,
                               conv_plan **out) {
    conv_key key;
    SC_TRY(conv_key_make(be, op, p, x, w, y, &key));
    *out = conv_cache_find(sc_cuda_ctx_of(be)->conv_cache, &key);
    if (*out)
        return SC_OK;
    return conv_plan_build(be, &key, out);
}

/* Shape checks of an op whose tensors are (x, w, y) in forward terms, data present. */
static sc_status check_conv_op(sc_backend *be, sc_op op, const sc_conv_params *p,
                               const sc_tensor *x, const sc_tensor *w, const sc_tensor *y,
                               const char *x_name, const char *w_name, const char *y_name) {
    SC_TRY(sc_check_f32(&be->err, op, x, x_name));
    SC_TRY(sc_check_f32(&be->err, op, w, w_name));
    SC_TRY(sc_check_f32(&be->err, op, y, y_name));
    return sc_check_conv(&be->err, op, p, x, w, y);
}

sc_status sc_cuda_conv2d_prepare(sc_backend *be, const sc_conv_params *p, const sc_tensor *x,
                                 const sc_tensor *w, const sc_tensor *y) {
    /* Data pointers may be NULL here: check dtype and layout without sc_check_f32. */
    const sc_tensor *tensors[3] = {x, w, y};
    for (int i = 0; i < 3; i++)
        if (tensors[i]->dtype != SC_F32 || tensors[i]->layout != SC_NCHW)
            return sc_fail(&be->err, SC_ERR_UNSUPPORTED,
                           "conv2d_prepare: tensors must be F32 NCHW, got %s",
                           sc_dtype_name(tensors[i]->dtype));
    SC_TRY(sc_check_conv(&be->err, SC_OP_CONV2D_FWD, p, x, w, y));
    conv_plan *plan;
    return conv_plan_get(be, SC_OP_CONV2D_FWD, p, x, w, y, &plan);
}

static sc_status conv2d_fwd_issue(sc_backend *be, const conv_plan *plan, const sc_tensor *x,
                                  const sc_tensor *w, const sc_tensor *y) {
    sc_cuda_ctx *ctx = sc_cuda_ctx_of(be);
    const float one = 1.0f, zero = 0.0f;
    SC_CUDNN_CHECK(be,
                   cudnnConvolutionForward(ctx->cudnn, &one, plan->x_desc, x->data, plan->w_desc,
                                           w->data, plan->fwd_desc, plan->fwd_algo, ctx->workspace,
                                           ctx->workspace_bytes, &zero, plan->y_desc, y->data));
    return SC_OK;
}

sc_status sc_cuda_conv2d_fwd(sc_backend *be, const sc_conv_params *p, const sc_tensor *x,
                             const sc_tensor *w, const sc_tensor *y) {
    const sc_op op = SC_OP_CONV2D_FWD;
    SC_TRY(check_conv_op(be, op, p, x, w, y, "x", "w", "y"));
    conv_plan *plan;
    SC_TRY(conv_plan_get(be, op, p, x, w, y, &plan));
    sc_cuda_op_begin(be, "conv2d_fwd %dx%dx%d->%d k%d s%d", plan->key.c, plan->key.h, plan->key.w,
                     plan->key.k, plan->key.r, plan->key.stride);
    return sc_cuda_op_end(be, op, conv2d_fwd_issue(be, plan, x, w, y));
}

static sc_status conv2d_bwd_data_issue(sc_backend *be, const conv_plan *plan, const sc_tensor *dy,
                                       const sc_tensor *w, const sc_tensor *dx, int accumulate) {
    sc_cuda_ctx *ctx = sc_cuda_ctx_of(be);
    const float one = 1.0f;
    const float beta = accumulate ? 1.0f : 0.0f;
    SC_CUDNN_CHECK(be, cudnnConvolutionBackwardData(
                           ctx->cudnn, &one, plan->w_desc, w->data, plan->y_desc, dy->data,
                           plan->bwd_data_desc, plan->bwd_data_algo, ctx->workspace,
                           ctx->workspace_bytes, &beta, plan->x_desc, dx->data));
    return SC_OK;
}

sc_status sc_cuda_conv2d_bwd_data(sc_backend *be, const sc_conv_params *p, const sc_tensor *dy,
                                  const sc_tensor *w, const sc_tensor *dx, int accumulate) {
    const sc_op op = SC_OP_CONV2D_BWD_DATA;
    SC_TRY(check_conv_op(be, op, p, dx, w, dy, "dx", "w", "dy"));
    conv_plan *plan;
    SC_TRY(conv_plan_get(be, op, p, dx, w, dy, &plan));
    sc_cuda_op_begin(be, "conv2d_bwd_data %dx%dx%d->%d k%d s%d%s", plan->key.c, plan->key.h,
                     plan->key.w, plan->key.k, plan->key.r, plan->key.stride,
                     accumulate ? " +=" : "");
    return sc_cuda_op_end(be, op, conv2d_bwd_data_issue(be, plan, dy, w, dx, accumulate));
}

static sc_status conv2d_bwd_filter_issue(sc_backend *be, const conv_plan *plan, const sc_tensor *x,
                                         const sc_tensor *dy, const sc_tensor *dw) {
    sc_cuda_ctx *ctx = sc_cuda_ctx_of(be);
    const float one = 1.0f;
    SC_CUDNN_CHECK(be, cudnnConvolutionBackwardFilter(
                           ctx->cudnn, &one, plan->x_desc, x->data, plan->y_desc, dy->data,
                           plan->bwd_filter_desc, plan->bwd_filter_algo, ctx->workspace,
                           ctx->workspace_bytes, &one, plan->w_desc, dw->data));
    return SC_OK;
}

sc_status sc_cuda_conv2d_bwd_filter(sc_backend *be, const sc_conv_params *p, const sc_tensor *x,
                                    const sc_tensor *dy, const sc_tensor *dw) {
    const sc_op op = SC_OP_CONV2D_BWD_FILTER;
    SC_TRY(check_conv_op(be, op, p, x, dw, dy, "x", "dw", "dy"));
    conv_plan *plan;
    SC_TRY(conv_plan_get(be, op, p, x, dw, dy, &plan));
    sc_cuda_op_begin(be, "conv2d_bwd_filter %dx%dx%d->%d k%d s%d", plan->key.c, plan->key.h,
                     plan->key.w, plan->key.k, plan->key.r, plan->key.stride);
    return sc_cuda_op_end(be, op, conv2d_bwd_filter_issue(be, plan, x, dy, dw));
}
