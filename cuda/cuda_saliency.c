/* Saliency helpers of the CUDA backend (kernels in cuda/kernels/saliency.cu): the channel
 * reduction of an input gradient into a map, the one-hot logits gradient that seeds a saliency
 * backward pass (a target outside [0, K) refused at the next stream wait, cuda_label_check.c)
 * and the predicted class. */
#include "../host/backend/shape_check.h"
#include "cuda_check.h"
#include "cuda_ops.h"
#include "kernels/kernels.h"

static sc_status saliency_reduce_issue(sc_backend *be, const sc_saliency_params *p,
                                       const sc_tensor *g, const sc_tensor *x,
                                       const sc_tensor *map) {
    SC_CUDA_CHECK(be, sc_launch_saliency_reduce(sc_f32(g), x ? sc_f32(x) : NULL, sc_f32(map),
                                                g->shape[0], g->shape[1], g->shape[2] * g->shape[3],
                                                p->reduce, sc_cuda_ctx_of(be)->stream));
    return SC_OK;
}

sc_status sc_cuda_saliency_reduce(sc_backend *be, const sc_saliency_params *p, const sc_tensor *g,
                                  const sc_tensor *x, const sc_tensor *map) {
    SC_TRY(sc_check_saliency_reduce(&be->err, p, g, x, map));
    sc_cuda_op_begin(be, "saliency_reduce %lldx%lldx%lldx%lld%s", (long long)g->shape[0],
                     (long long)g->shape[1], (long long)g->shape[2], (long long)g->shape[3],
                     x ? " x*g" : "");
    return sc_cuda_op_end(be, SC_OP_SALIENCY_REDUCE, saliency_reduce_issue(be, p, g, x, map));
}

static sc_status onehot_issue(sc_backend *be, float scale, const sc_tensor *targets,
                              const sc_tensor *out) {
    SC_CUDA_CHECK(be, sc_launch_onehot(sc_i32(targets), sc_f32(out), out->shape[0], out->shape[1],
                                       scale, sc_cuda_label_check_next(be),
                                       sc_cuda_ctx_of(be)->stream));
    return SC_OK;
}

sc_status sc_cuda_onehot(sc_backend *be, float scale, const sc_tensor *targets,
                         const sc_tensor *out) {
    SC_TRY(sc_check_onehot(&be->err, targets, out));
    sc_cuda_op_begin(be, "onehot %lldx%lld", (long long)out->shape[0], (long long)out->shape[1]);
    return sc_cuda_op_end(be, SC_OP_ONEHOT, onehot_issue(be, scale, targets, out));
}

static sc_status argmax_issue(sc_backend *be, const sc_tensor *logits, const sc_tensor *out) {
    SC_CUDA_CHECK(be, sc_launch_argmax(sc_f32(logits), sc_i32(out), logits->shape[0],
                                       logits->shape[1], sc_cuda_ctx_of(be)->stream));
    return SC_OK;
}

sc_status sc_cuda_argmax(sc_backend *be, const sc_tensor *logits, const sc_tensor *out) {
    SC_TRY(sc_check_argmax(&be->err, logits, out));
    sc_cuda_op_begin(be, "argmax %lldx%lld", (long long)logits->shape[0],
                     (long long)logits->shape[1]);
    return sc_cuda_op_end(be, SC_OP_ARGMAX, argmax_issue(be, logits, out));
}
