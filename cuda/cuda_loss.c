/* Softmax cross-entropy of the CUDA backend, fused forward + backward (kernel in
 * cuda/kernels/xent.cu, formula sc_xent_row from host/core/op_math.h). The per-row losses and
 * correct flags behind stats live in the context's kernel scratch (2 N doubles); a label
 * outside [0, K) is refused at the next stream wait (cuda_label_check.c). */
#include <limits.h>

#include "../host/backend/shape_check.h"
#include "cuda_check.h"
#include "cuda_ops.h"
#include "kernels/kernels.h"

static sc_status softmax_xent_issue(sc_backend *be, const sc_xent_params *p,
                                    const sc_tensor *logits, const sc_tensor *labels,
                                    const sc_tensor *dlogits, const sc_tensor *stats) {
    sc_cuda_ctx *ctx = sc_cuda_ctx_of(be);
    int64_t rows = logits->shape[0];
    int k = (int)logits->shape[1];
    /* The CPU's expression for grad_scale / N, evaluated once on the host. */
    float grad_scale_over_n = p->grad_scale / (float)rows;
    SC_TRY(sc_cuda_reserve_scratch(be, 2 * (size_t)rows * sizeof(double)));
    SC_CUDA_CHECK(be, sc_launch_softmax_xent(sc_f32(logits), sc_i32(labels),
                                             dlogits ? sc_f32(dlogits) : NULL, sc_f32(stats),
                                             (double *)ctx->scratch, rows, k, p->label_smoothing,
                                             grad_scale_over_n, sc_cuda_label_check_next(be),
                                             ctx->stream));
    return SC_OK;
}

sc_status sc_cuda_softmax_xent(sc_backend *be, const sc_xent_params *p, const sc_tensor *logits,
                               const sc_tensor *labels, const sc_tensor *dlogits,
                               const sc_tensor *stats) {
    SC_TRY(sc_check_xent(&be->err, p, logits, labels, dlogits, stats));
    if (logits->shape[1] < 1 || logits->shape[1] > INT_MAX)
        return sc_fail(&be->err, SC_ERR_SHAPE, "softmax_xent: %lld classes (expected 1 to %d)",
                       (long long)logits->shape[1], INT_MAX);
    sc_cuda_op_begin(be, "softmax_xent %lldx%lld", (long long)logits->shape[0],
                     (long long)logits->shape[1]);
    return sc_cuda_op_end(be, SC_OP_SOFTMAX_XENT,
                          softmax_xent_issue(be, p, logits, labels, dlogits, stats));
}
