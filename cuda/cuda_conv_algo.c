/* The choice of a convolution algorithm for one direction of a plan (cuda_conv_plan.h).
 *
 * Candidates: by default cudnnFind* measures every algorithm once (the non-Ex variants
 * allocate their own scratch) and lists them fastest first; with config.deterministic the
 * heuristics of cudnnGet*Algorithm_v7 list them instead, so the same GPU model and library
 * version always choose the same algorithm (timing does not decide), and only algorithms that
 * cuDNN labels CUDNN_DETERMINISTIC are accepted.
 *
 * The first candidate is taken that ran (or is supported), is deterministic when asked, has
 * an acceptable math type, and whose workspace need (the larger of the listed figure and
 * cudnnGet*WorkspaceSize's at its math type) fits config.workspace_limit, so a plan never
 * needs more workspace than the limit it was chosen under.
 *
 * Precision: with TF32 on, the search runs at CUDNN_DEFAULT_MATH and the descriptor takes the
 * math type the chosen result was listed with, as cuDNN requires. With TF32 off, the search
 * runs at CUDNN_FMA_MATH (strict fp32); cuDNN may label such results CUDNN_FMA_MATH or
 * CUDNN_DEFAULT_MATH, so both are accepted (tensor-op labels never are) and the descriptor is
 * set back to CUDNN_FMA_MATH. */
#include <stdio.h>

#include "cuda_check.h"
#include "cuda_context.h"
#include "cuda_conv_plan.h"

/* Results asked from one cudnnFind* / cudnnGet*_v7 call (cuDNN has at most 8 algorithms per
 * direction, listed once per math type). */
#define SC_CONV_FIND_RESULTS 16

/* One listed algorithm, whatever its direction. */
typedef struct listed_algo {
    int algo;
    cudnnStatus_t status;
    size_t memory;
    cudnnMathType_t math;
    cudnnDeterminism_t determinism;
} listed_algo;

static const char *const direction_names[] = {"forward", "backward-data", "backward-filter"};

/* How many results to ask for: cuDNN's maximum, within our array. */
static int find_count(int max_count) {
    return max_count < 1 || max_count > SC_CONV_FIND_RESULTS ? SC_CONV_FIND_RESULTS : max_count;
}

#define SC_COPY_LISTED(perf, count, out)                                                           \
    for (int i_ = 0; i_ < (count); i_++)                                                           \
        (out)[i_] = (listed_algo){(int)(perf)[i_].algo, (perf)[i_].status, (perf)[i_].memory,     \
                                  (perf)[i_].mathType, (perf)[i_].determinism};

static sc_status list_fwd(sc_backend *be, const conv_plan *p, listed_algo *out, int *count) {
    sc_cuda_ctx *ctx = sc_cuda_ctx_of(be);
    cudnnConvolutionFwdAlgoPerf_t perf[SC_CONV_FIND_RESULTS];
    int max_count = 0;
    SC_CUDNN_CHECK(be, cudnnGetConvolutionForwardAlgorithmMaxCount(ctx->cudnn, &max_count));
    if (be->config.deterministic)
        SC_CUDNN_CHECK(be, cudnnGetConvolutionForwardAlgorithm_v7(
                               ctx->cudnn, p->x_desc, p->w_desc, p->fwd_desc, p->y_desc,
                               find_count(max_count), count, perf));
    else
        SC_CUDNN_CHECK(be, cudnnFindConvolutionForwardAlgorithm(
                               ctx->cudnn, p->x_desc, p->w_desc, p->fwd_desc, p->y_desc,
                               find_count(max_count), count, perf));
    SC_COPY_LISTED(perf, *count, out);
    return SC_OK;
}

static sc_status list_bwd_data(sc_backend *be, const conv_plan *p, listed_algo *out, int *count) {
    sc_cuda_ctx *ctx = sc_cuda_ctx_of(be);
    cudnnConvolutionBwdDataAlgoPerf_t perf[SC_CONV_FIND_RESULTS];
    int max_count = 0;
    SC_CUDNN_CHECK(be, cudnnGetConvolutionBackwardDataAlgorithmMaxCount(ctx->cudnn, &max_count));
    if (be->config.deterministic)
        SC_CUDNN_CHECK(be, cudnnGetConvolutionBackwardDataAlgorithm_v7(
                               ctx->cudnn, p->w_desc, p->y_desc, p->bwd_data_desc, p->x_desc,
                               find_count(max_count), count, perf));
    else
        SC_CUDNN_CHECK(be, cudnnFindConvolutionBackwardDataAlgorithm(
                               ctx->cudnn, p->w_desc, p->y_desc, p->bwd_data_desc, p->x_desc,
                               find_count(max_count), count, perf));
    SC_COPY_LISTED(perf, *count, out);
    return SC_OK;
}

static sc_status list_bwd_filter(sc_backend *be, const conv_plan *p, listed_algo *out,
                                 int *count) {
    sc_cuda_ctx *ctx = sc_cuda_ctx_of(be);
    cudnnConvolutionBwdFilterAlgoPerf_t perf[SC_CONV_FIND_RESULTS];
    int max_count = 0;
    SC_CUDNN_CHECK(be,
                   cudnnGetConvolutionBackwardFilterAlgorithmMaxCount(ctx->cudnn, &max_count));
    if (be->config.deterministic)
        SC_CUDNN_CHECK(be, cudnnGetConvolutionBackwardFilterAlgorithm_v7(
                               ctx->cudnn, p->x_desc, p->y_desc, p->bwd_filter_desc, p->w_desc,
                               find_count(max_count), count, perf));
    else
        SC_CUDNN_CHECK(be, cudnnFindConvolutionBackwardFilterAlgorithm(
                               ctx->cudnn, p->x_desc, p->y_desc, p->bwd_filter_desc, p->w_desc,
                               find_count(max_count), count, perf));
    SC_COPY_LISTED(perf, *count, out);
    return SC_OK;
}

static cudnnConvolutionDescriptor_t direction_desc(const conv_plan *p, conv_direction d) {
    return d == CONV_FWD ? p->fwd_desc : d == CONV_BWD_DATA ? p->bwd_data_desc : p->bwd_filter_desc;
}

/* cudnnGet*WorkspaceSize of algo in direction d at the descriptor's current math type. */
static sc_status workspace_size(sc_backend *be, const conv_plan *p, conv_direction d, int algo,
                                size_t *bytes) {
    cudnnHandle_t h = sc_cuda_ctx_of(be)->cudnn;
    if (d == CONV_FWD)
        SC_CUDNN_CHECK(be, cudnnGetConvolutionForwardWorkspaceSize(
                               h, p->x_desc, p->w_desc, p->fwd_desc, p->y_desc,
                               (cudnnConvolutionFwdAlgo_t)algo, bytes));
    else if (d == CONV_BWD_DATA)
        SC_CUDNN_CHECK(be, cudnnGetConvolutionBackwardDataWorkspaceSize(
                               h, p->w_desc, p->y_desc, p->bwd_data_desc, p->x_desc,
                               (cudnnConvolutionBwdDataAlgo_t)algo, bytes));
    else
        SC_CUDNN_CHECK(be, cudnnGetConvolutionBackwardFilterWorkspaceSize(
                               h, p->x_desc, p->y_desc, p->bwd_filter_desc, p->w_desc,
                               (cudnnConvolutionBwdFilterAlgo_t)algo, bytes));
    return SC_OK;
}

/* Whether a listed result may be chosen before its workspace is checked. */
static int acceptable(const sc_backend *be, const listed_algo *a) {
    if (a->status != CUDNN_STATUS_SUCCESS)
        return 0;
    if (be->config.deterministic && a->determinism != CUDNN_DETERMINISTIC)
        return 0;
    return be->config.tf32 || a->math == CUDNN_FMA_MATH || a->math == CUDNN_DEFAULT_MATH;
}

/* The message when no listed algorithm is acceptable: the key and what each result was. */
static sc_status no_algorithm(sc_backend *be, conv_direction d, const conv_key *key,
                              const listed_algo *results, int count) {
    char listed[320];
    size_t used = 0;
    listed[0] = '\0';
    for (int i = 0; i < count && used < sizeof listed; i++) {
        int n = snprintf(listed + used, sizeof listed - used,
                         "%salgo %d: %s, %zu bytes, math %d, %s", i ? "; " : "", results[i].algo,
                         cudnnGetErrorString(results[i].status), results[i].memory,
                         (int)results[i].math,
                         results[i].determinism == CUDNN_DETERMINISTIC ? "deterministic"
                                                                       : "non-deterministic");
        if (n < 0)
            break;
        used += (size_t)n;
    }
    return sc_fail(
        &be->err, SC_ERR_BACKEND,
        "conv2d_prepare: no usable cuDNN %s algorithm for x (%d, %d, %d, %d), w (%d, %d, "
        "%d, %d), stride %d, pad %d (workspace limit %zu bytes, TF32 %s, deterministic %s): %s",
        direction_names[d], key->n, key->c, key->h, key->w, key->k, key->c, key->r, key->s,
        key->stride, key->pad, sc_cuda_ctx_of(be)->workspace_limit, key->tf32 ? "on" : "off",
        be->config.deterministic ? "on" : "off", count ? listed : "cuDNN returned no results");
}

static void set_algo(conv_plan *p, conv_direction d, int algo) {
    if (d == CONV_FWD)
        p->fwd_algo = (cudnnConvolutionFwdAlgo_t)algo;
    else if (d == CONV_BWD_DATA)
        p->bwd_data_algo = (cudnnConvolutionBwdDataAlgo_t)algo;
    else
        p->bwd_filter_algo = (cudnnConvolutionBwdFilterAlgo_t)algo;
}

sc_status sc_cuda_conv_choose(sc_backend *be, conv_plan *plan, conv_direction d) {
    const size_t limit = sc_cuda_ctx_of(be)->workspace_limit;
    listed_algo results[SC_CONV_FIND_RESULTS];
    int count = 0;
    if (d == CONV_FWD)
        SC_TRY(list_fwd(be, plan, results, &count));
    else if (d == CONV_BWD_DATA)
        SC_TRY(list_bwd_data(be, plan, results, &count));
    else
        SC_TRY(list_bwd_filter(be, plan, results, &count));
    cudnnConvolutionDescriptor_t desc = direction_desc(plan, d);
    for (int i = 0; i < count; i++) {
        if (!acceptable(be, &results[i]) || results[i].memory > limit)
            continue;
        const cudnnMathType_t math = be->config.tf32 ? results[i].math : CUDNN_FMA_MATH;
        SC_CUDNN_CHECK(be, cudnnSetConvolutionMathType(desc, math));
        size_t needed = 0;
        SC_TRY(workspace_size(be, plan, d, results[i].algo, &needed));
        if (needed < results[i].memory)
            needed = results[i].memory;
        if (needed > limit)
            continue;
        set_algo(plan, d, results[i].algo);
        if (needed > plan->workspace_bytes)
            plan->workspace_bytes = needed;
        return SC_OK;
    }
    return no_algorithm(be, d, &plan->key, results, count);
}
