/* KL(softmax(p_logits) || softmax(q_logits)) of the CUDA backend, fused with both gradients
 * (cuda/kernels/kl.cu, formula sc_kl_row from host/core/saliency_math.h). The per-row KL values
 * for stats live in the context's kernel scratch (N doubles). */
#include <limits.h>

#include "../host/backend/shape_check.h"
#include "cuda_check.h"
#include "cuda_ops.h"
#include "kernels/kernels.h"

static sc_status kl_div_issue(sc_backend *be, const sc_kl_params *p, const sc_tensor *p_logits,
                              const sc_tensor *q_logits, const sc_tensor *dp, const sc_tensor *dq,
                              const sc_tensor *stats) {
    sc_cuda_ctx *ctx = sc_cuda_ctx_of(be);
    const int64_t rows = p_logits->shape[0];
    /* The CPU's expression for grad_scale / N, evaluated once on the host. */
    const float scale_over_n = p->grad_scale / (float)rows;
    if (stats)
        SC_TRY(sc_cuda_reserve_scratch(be, (size_t)rows * sizeof(double)));
    SC_CUDA_CHECK(be, sc_launch_kl_div(sc_f32(p_logits), sc_f32(q_logits), dp ? sc_f32(dp) : NULL,
                                       dq ? sc_f32(dq) : NULL, stats ? sc_f32(stats) : NULL,
                                       (double *)ctx->scratch, rows, (int)p_logits->shape[1],
                                       scale_over_n, p->accumulate, ctx->stream));
    return SC_OK;
}

sc_status sc_cuda_kl_div(sc_backend *be, const sc_kl_params *p, const sc_tensor *p_logits,
                         const sc_tensor *q_logits, const sc_tensor *dp, const sc_tensor *dq,
                         const sc_tensor *stats) {
    SC_TRY(sc_check_kl_div(&be->err, p, p_logits, q_logits, dp, dq, stats));
    if (p_logits->shape[1] > INT_MAX)
        return sc_fail(&be->err, SC_ERR_SHAPE, "kl_div: %lld classes (expected 1 to %d)",
                       (long long)p_logits->shape[1], INT_MAX);
    sc_cuda_op_begin(be, "kl_div %lldx%lld%s", (long long)p_logits->shape[0],
                     (long long)p_logits->shape[1], p->accumulate ? " +=" : "");
    return sc_cuda_op_end(be, SC_OP_KL_DIV, kl_div_issue(be, p, p_logits, q_logits, dp, dq, stats));
}
