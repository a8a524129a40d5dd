/* Pooling ops of the CUDA backend: max pooling and global average pooling, both custom kernels
 * (cuda/kernels/pool.cu). Max pooling does not go through cuDNN because the contract's tie rule
 * (the first maximum in row-major order receives the gradient) is not one cuDNN documents. */
#include <limits.h>

#include "../host/backend/shape_check.h"
#include "cuda_check.h"
#include "cuda_ops.h"
#include "kernels/kernels.h"

/* Window geometry of x (N, C, H, W) -> y (N, C, OH, OW); planes are indexed with int inside
 * the kernels, so one plane must hold fewer than 2^31 elements. */
static sc_status pool_geometry(sc_backend *be, sc_op op, const sc_pool_params *p,
                               const sc_tensor *x, const sc_tensor *y, sc_pool_geometry *g) {
    if (x->shape[2] * x->shape[3] > INT_MAX)
        return sc_fail(&be->err, SC_ERR_UNSUPPORTED,
                       "%s: a %lldx%lld plane is too large (at most 2^31 - 1 elements)",
                       sc_op_name(op), (long long)x->shape[2], (long long)x->shape[3]);
    g->planes = x->shape[0] * x->shape[1];
    g->h = (int)x->shape[2];
    g->w = (int)x->shape[3];
    g->oh = (int)y->shape[2];
    g->ow = (int)y->shape[3];
    g->kernel = p->kernel;
    g->stride = p->stride;
    g->pad = p->pad;
    return SC_OK;
}

static sc_status maxpool_fwd_issue(sc_backend *be, const sc_tensor *x, const sc_tensor *y,
                                   sc_pool_geometry g) {
    SC_CUDA_CHECK(be, sc_launch_maxpool_fwd(sc_f32(x), sc_f32(y), g, sc_cuda_ctx_of(be)->stream));
    return SC_OK;
}

sc_status sc_cuda_maxpool_fwd(sc_backend *be, const sc_pool_params *p, const sc_tensor *x,
                              const sc_tensor *y) {
    SC_TRY(sc_check_pool(&be->err, SC_OP_MAXPOOL_FWD, p, x, y));
    SC_TRY(sc_check_f32(&be->err, SC_OP_MAXPOOL_FWD, x, "x"));
    SC_TRY(sc_check_f32(&be->err, SC_OP_MAXPOOL_FWD, y, "y"));
    sc_pool_geometry g;
    SC_TRY(pool_geometry(be, SC_OP_MAXPOOL_FWD, p, x, y, &g));
    sc_cuda_op_begin(be, "maxpool_fwd %lldx%dx%d k%d s%d", (long long)x->shape[1], g.h, g.w,
                     p->kernel, p->stride);
    return sc_cuda_op_end(be, SC_OP_MAXPOOL_FWD, maxpool_fwd_issue(be, x, y, g));
}

static sc_status maxpool_bwd_issue(sc_backend *be, const sc_tensor *x, const sc_tensor *dy,
                                   const sc_tensor *dx, sc_pool_geometry g, int accumulate) {
    SC_CUDA_CHECK(be, sc_launch_maxpool_bwd(sc_f32(x), sc_f32(dy), sc_f32(dx), g, accumulate,
                                            sc_cuda_ctx_of(be)->stream));
    return SC_OK;
}

sc_status sc_cuda_maxpool_bwd(sc_backend *be, const sc_pool_params *p, const sc_tensor *x,
                              const sc_tensor *y, const sc_tensor *dy, const sc_tensor *dx,
                              int accumulate) {
    SC_TRY(sc_check_pool(&be->err, SC_OP_MAXPOOL_BWD, p, x, y));
    SC_TRY(sc_check_same(&be->err, SC_OP_MAXPOOL_BWD, y, dy));
    SC_TRY(sc_check_same(&be->err, SC_OP_MAXPOOL_BWD, x, dx));
    sc_pool_geometry g;
    SC_TRY(pool_geometry(be, SC_OP_MAXPOOL_BWD, p, x, y, &g));
    sc_cuda_op_begin(be, "maxpool_bwd %lldx%dx%d k%d s%d%s", (long long)x->shape[1], g.h, g.w,
                     p->kernel, p->stride, accumulate ? " +=" : "");
    return sc_cuda_op_end(be, SC_OP_MAXPOOL_BWD, maxpool_bwd_issue(be, x, dy, dx, g, accumulate));
}

static sc_status gap_fwd_issue(sc_backend *be, const sc_tensor *x, const sc_tensor *y) {
    SC_CUDA_CHECK(be, sc_launch_gap_fwd(sc_f32(x), sc_f32(y), x->shape[0] * x->shape[1],
                                        x->shape[2] * x->shape[3], sc_cuda_ctx_of(be)->stream));
    return SC_OK;
}

sc_status sc_cuda_gap_fwd(sc_backend *be, const sc_tensor *x, const sc_tensor *y) {
    SC_TRY(sc_check_gap(&be->err, SC_OP_GAP_FWD, x, y));
    SC_TRY(sc_check_f32(&be->err, SC_OP_GAP_FWD, x, "x"));
    SC_TRY(sc_check_f32(&be->err, SC_OP_GAP_FWD, y, "y"));
    sc_cuda_op_begin(be, "gap_fwd %lldx%lldx%lld", (long long)x->shape[1], (long long)x->shape[2],
                     (long long)x->shape[3]);
    return sc_cuda_op_end(be, SC_OP_GAP_FWD, gap_fwd_issue(be, x, y));
}

static sc_status gap_bwd_issue(sc_backend *be, const sc_tensor *dy, const sc_tensor *dx,
                               int accumulate) {
    SC_CUDA_CHECK(be, sc_launch_gap_bwd(sc_f32(dy), sc_f32(dx), dx->shape[0] * dx->shape[1],
                                        dx->shape[2] * dx->shape[3], accumulate,
                                        sc_cuda_ctx_of(be)->stream));
    return SC_OK;
}

sc_status sc_cuda_gap_bwd(sc_backend *be, const sc_tensor *dy, const sc_tensor *dx,
                          int accumulate) {
    SC_TRY(sc_check_gap(&be->err, SC_OP_GAP_BWD, dx, dy));
    SC_TRY(sc_check_f32(&be->err, SC_OP_GAP_BWD, dy, "dy"));
    SC_TRY(sc_check_f32(&be->err, SC_OP_GAP_BWD, dx, "dx"));
    sc_cuda_op_begin(be, "gap_bwd %lldx%lldx%lld%s", (long long)dx->shape[1],
                     (long long)dx->shape[2], (long long)dx->shape[3], accumulate ? " +=" : "");
    return sc_cuda_op_end(be, SC_OP_GAP_BWD, gap_bwd_issue(be, dy, dx, accumulate));
}
