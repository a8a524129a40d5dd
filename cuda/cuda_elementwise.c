/* Element-wise ops of the CUDA backend: ReLU and the residual add, forward and backward
 * (kernels in cuda/kernels/elementwise.cu). */
#include "../host/backend/shape_check.h"
#include "cuda_check.h"
#include "cuda_ops.h"
#include "kernels/kernels.h"

static sc_status relu_fwd_issue(sc_backend *be, const sc_tensor *x, const sc_tensor *y) {
    SC_CUDA_CHECK(be, sc_launch_relu_fwd(sc_f32(x), sc_f32(y), sc_tensor_numel(x),
                                         sc_cuda_ctx_of(be)->stream));
    return SC_OK;
}

sc_status sc_cuda_relu_fwd(sc_backend *be, const sc_tensor *x, const sc_tensor *y) {
    SC_TRY(sc_check_same(&be->err, SC_OP_RELU_FWD, x, y));
    sc_cuda_op_begin(be, "relu_fwd %lld", (long long)sc_tensor_numel(x));
    return sc_cuda_op_end(be, SC_OP_RELU_FWD, relu_fwd_issue(be, x, y));
}

static sc_status relu_bwd_issue(sc_backend *be, const sc_tensor *y, const sc_tensor *dy,
                                const sc_tensor *dx, int accumulate) {
    SC_CUDA_CHECK(be, sc_launch_relu_bwd(sc_f32(y), sc_f32(dy), sc_f32(dx), sc_tensor_numel(y),
                                         accumulate, sc_cuda_ctx_of(be)->stream));
    return SC_OK;
}

sc_status sc_cuda_relu_bwd(sc_backend *be, const sc_tensor *y, const sc_tensor *dy,
                           const sc_tensor *dx, int accumulate) {
    SC_TRY(sc_check_same(&be->err, SC_OP_RELU_BWD, y, dy));
    SC_TRY(sc_check_same(&be->err, SC_OP_RELU_BWD, dy, dx));
    sc_cuda_op_begin(be, "relu_bwd %lld%s", (long long)sc_tensor_numel(y), accumulate ? " +=" : "");
    return sc_cuda_op_end(be, SC_OP_RELU_BWD, relu_bwd_issue(be, y, dy, dx, accumulate));
}

static sc_status add_fwd_issue(sc_backend *be, const sc_tensor *a, const sc_tensor *b,
                               const sc_tensor *y) {
    SC_CUDA_CHECK(be, sc_launch_add_fwd(sc_f32(a), sc_f32(b), sc_f32(y), sc_tensor_numel(a),
                                        sc_cuda_ctx_of(be)->stream));
    return SC_OK;
}

sc_status sc_cuda_add_fwd(sc_backend *be, const sc_tensor *a, const sc_tensor *b,
                          const sc_tensor *y) {
    SC_TRY(sc_check_same(&be->err, SC_OP_ADD_FWD, a, b));
    SC_TRY(sc_check_same(&be->err, SC_OP_ADD_FWD, a, y));
    sc_cuda_op_begin(be, "add_fwd %lld", (long long)sc_tensor_numel(a));
    return sc_cuda_op_end(be, SC_OP_ADD_FWD, add_fwd_issue(be, a, b, y));
}

static sc_status add_bwd_issue(sc_backend *be, const sc_tensor *dy, const sc_tensor *dx,
                               int accumulate) {
    SC_CUDA_CHECK(be, sc_launch_add_bwd(sc_f32(dy), sc_f32(dx), sc_tensor_numel(dy), accumulate,
                                        sc_cuda_ctx_of(be)->stream));
    return SC_OK;
}

sc_status sc_cuda_add_bwd(sc_backend *be, const sc_tensor *dy, const sc_tensor *dx,
                          int accumulate) {
    SC_TRY(sc_check_same(&be->err, SC_OP_ADD_BWD, dy, dx));
    sc_cuda_op_begin(be, "add_bwd %lld%s", (long long)sc_tensor_numel(dy), accumulate ? " +=" : "");
    return sc_cuda_op_end(be, SC_OP_ADD_BWD, add_bwd_issue(be, dy, dx, accumulate));
}
