/* The training batch-norm backward in two halves on the CUDA backend (bn_bwd_sums,
 * bn_bwd_apply; contract in backend.h; kernels in cuda/kernels/bn_sync.cu). Used by --sync-bn. */
#include "../host/backend/shape_check.h"
#include "cuda_check.h"
#include "cuda_ops.h"
#include "kernels/kernels.h"

static sc_status bn_bwd_sums_issue(sc_backend *be, const sc_tensor *x, const sc_tensor *dy,
                                   const sc_tensor *mean, const sc_tensor *invstd,
                                   const sc_tensor *sums) {
    SC_CUDA_CHECK(be, sc_launch_bn_bwd_sums(sc_f32(x), sc_f32(dy), sc_f32(mean), sc_f32(invstd),
                                            sc_f32(sums), x->shape[0], x->shape[1],
                                            x->shape[2] * x->shape[3], sc_cuda_ctx_of(be)->stream));
    return SC_OK;
}

static sc_status bn_bwd_apply_issue(sc_backend *be, double count, const sc_tensor *x,
                                    const sc_tensor *dy, const sc_tensor *gamma,
                                    const sc_tensor *mean, const sc_tensor *invstd,
                                    const sc_tensor *sums, const sc_tensor *dx, int accumulate) {
    SC_CUDA_CHECK(be, sc_launch_bn_bwd_apply(sc_f32(x), sc_f32(dy), sc_f32(gamma), sc_f32(mean),
                                             sc_f32(invstd), sc_f32(sums), sc_f32(dx), count,
                                             x->shape[0], x->shape[1], x->shape[2] * x->shape[3],
                                             accumulate, sc_cuda_ctx_of(be)->stream));
    return SC_OK;
}

sc_status sc_cuda_bn_bwd_sums(sc_backend *be, const sc_tensor *x, const sc_tensor *dy,
                              const sc_tensor *mean, const sc_tensor *invstd,
                              const sc_tensor *sums) {
    const sc_tensor *per_channel[2] = {mean, invstd};
    SC_TRY(sc_check_bn_split_bwd(&be->err, SC_OP_BN_BWD_SUMS, x, dy, per_channel, 2, sums));
    sc_cuda_op_begin(be, "bn_bwd_sums %lldx%lldx%lld", (long long)x->shape[1],
                     (long long)x->shape[2], (long long)x->shape[3]);
    return sc_cuda_op_end(be, SC_OP_BN_BWD_SUMS, bn_bwd_sums_issue(be, x, dy, mean, invstd, sums));
}

sc_status sc_cuda_bn_bwd_apply(sc_backend *be, double count, const sc_tensor *x,
                               const sc_tensor *dy, const sc_tensor *gamma, const sc_tensor *mean,
                               const sc_tensor *invstd, const sc_tensor *sums, const sc_tensor *dx,
                               int accumulate) {
    SC_TRY(sc_check_bn_bwd_apply(&be->err, count, x, dy, gamma, mean, invstd, sums, dx));
    sc_cuda_op_begin(be, "bn_bwd_apply %lldx%lldx%lld%s", (long long)x->shape[1],
                     (long long)x->shape[2], (long long)x->shape[3], accumulate ? " +=" : "");
    return sc_cuda_op_end(be, SC_OP_BN_BWD_APPLY, bn_bwd_apply_issue(be, count, x, dy, gamma, mean,
                                                                     invstd, sums, dx, accumulate));
}
