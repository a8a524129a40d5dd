/* ROAD's noisy linear imputation on the CUDA backend (kernels in cuda/kernels/impute.cu). The
 * second Jacobi buffer, one image batch of floats, lives in the context's kernel scratch. */
#include "../host/backend/shape_check.h"
#include "cuda_check.h"
#include "cuda_ops.h"
#include "kernels/kernels.h"

static sc_status impute_linear_issue(sc_backend *be, const sc_impute_params *p, const sc_tensor *x,
                                     const sc_tensor *mask, const sc_tensor *out) {
    sc_cuda_ctx *ctx = sc_cuda_ctx_of(be);
    SC_TRY(sc_cuda_reserve_scratch(be, (size_t)sc_tensor_numel(x) * sizeof(float)));
    SC_CUDA_CHECK(be, sc_launch_impute_linear(sc_f32(x), sc_f32(mask), sc_f32(out),
                                              (float *)ctx->scratch, x->shape[0], x->shape[1],
                                              x->shape[2], x->shape[3], *p, ctx->stream));
    return SC_OK;
}

sc_status sc_cuda_impute_linear(sc_backend *be, const sc_impute_params *p, const sc_tensor *x,
                                const sc_tensor *mask, const sc_tensor *out) {
    SC_TRY(sc_check_impute_linear(&be->err, p, x, mask, out));
    sc_cuda_op_begin(be, "impute_linear %d sweeps %lldx%lldx%lldx%lld", p->iterations,
                     (long long)x->shape[0], (long long)x->shape[1], (long long)x->shape[2],
                     (long long)x->shape[3]);
    return sc_cuda_op_end(be, SC_OP_IMPUTE_LINEAR, impute_linear_issue(be, p, x, mask, out));
}
