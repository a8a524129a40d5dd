/* SGD-momentum update of the CUDA backend: one fused kernel over the flat parameter tensor
 * (cuda/kernels/sgd.cu, formula sc_sgd_update_elem from host/core/op_math.h). */
#include "../host/backend/shape_check.h"
#include "cuda_check.h"
#include "cuda_ops.h"
#include "kernels/kernels.h"

static sc_status sgd_update_issue(sc_backend *be, const sc_sgd_params *p, const sc_tensor *param,
                                  const sc_tensor *grad, const sc_tensor *momentum_buf) {
    SC_CUDA_CHECK(be,
                  sc_launch_sgd_update(sc_f32(param), sc_f32(grad), sc_f32(momentum_buf),
                                       sc_tensor_numel(param), p->lr, p->momentum, p->weight_decay,
                                       p->nesterov, sc_cuda_ctx_of(be)->stream));
    return SC_OK;
}

sc_status sc_cuda_sgd_update(sc_backend *be, const sc_sgd_params *p, const sc_tensor *param,
                             const sc_tensor *grad, const sc_tensor *momentum_buf) {
    SC_TRY(sc_check_same(&be->err, SC_OP_SGD_UPDATE, param, grad));
    SC_TRY(sc_check_same(&be->err, SC_OP_SGD_UPDATE, param, momentum_buf));
    sc_cuda_op_begin(be, "sgd_update %lld", (long long)sc_tensor_numel(param));
    return sc_cuda_op_end(be, SC_OP_SGD_UPDATE, sgd_update_issue(be, p, param, grad, momentum_buf));
}
