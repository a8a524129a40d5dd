/* Linear layer of the CUDA backend: cuBLAS SGEMMs plus bias kernels (cuda/kernels/linear.cu).
 *
 * cuBLAS is column-major; a row-major (R, C) matrix is the column-major (C, R) matrix with
 * leading dimension C. With x (N, IN), w (OUT, IN), y (N, OUT) row-major:
 *   forward      y^T (OUT, N)  = (w as IN x OUT)^T * (x as IN x N)      gemm(T, N, OUT, N, IN)
 *   bwd_data     dx^T (IN, N)  = (w as IN x OUT) * (dy as OUT x N)      gemm(N, N, IN, N, OUT)
 *   bwd_weight   dw^T (IN, OUT) += (x as IN x N) * (dy as OUT x N)^T    gemm(N, T, IN, OUT, N)
 * The handle's math mode (cuda_context.c) decides fp32 versus TF32. */
#include <limits.h>

#include "../host/backend/shape_check.h"
#include "cuda_check.h"
#include "cuda_ops.h"
#include "kernels/kernels.h"

/* GEMM sizes of x (N, IN) and w (OUT, IN); cuBLAS takes int dimensions. */
typedef struct gemm_dims {
    int n, in, out;
} gemm_dims;

static sc_status linear_dims(sc_backend *be, sc_op op, const sc_tensor *x, const sc_tensor *w,
                             gemm_dims *d) {
    int64_t n = sc_rows(x), in = sc_cols(x), out = w->shape[0];
    if (n > INT_MAX || in > INT_MAX || out > INT_MAX)
        return sc_fail(&be->err, SC_ERR_UNSUPPORTED,
                       "%s: %lld x %lld -> %lld is too large for cuBLAS int dimensions",
                       sc_op_name(op), (long long)n, (long long)in, (long long)out);
    d->n = (int)n;
    d->in = (int)in;
    d->out = (int)out;
    return SC_OK;
}

static sc_status linear_fwd_issue(sc_backend *be, const sc_tensor *x, const sc_tensor *w,
                                  const sc_tensor *b, const sc_tensor *y, gemm_dims d) {
    sc_cuda_ctx *ctx = sc_cuda_ctx_of(be);
    const float one = 1.0f, zero = 0.0f;
    SC_CUBLAS_CHECK(be, cublasSgemm(ctx->cublas, CUBLAS_OP_T, CUBLAS_OP_N, d.out, d.n, d.in, &one,
                                    sc_f32(w), d.in, sc_f32(x), d.in, &zero, sc_f32(y), d.out));
    if (b)
        SC_CUDA_CHECK(be, sc_launch_bias_add(sc_f32(y), sc_f32(b), d.n, d.out, ctx->stream));
    return SC_OK;
}

sc_status sc_cuda_linear_fwd(sc_backend *be, const sc_tensor *x, const sc_tensor *w,
                             const sc_tensor *b, const sc_tensor *y) {
    SC_TRY(sc_check_f32(&be->err, SC_OP_LINEAR_FWD, x, "x"));
    SC_TRY(sc_check_f32(&be->err, SC_OP_LINEAR_FWD, w, "w"));
    SC_TRY(sc_check_f32(&be->err, SC_OP_LINEAR_FWD, y, "y"));
    if (b)
        SC_TRY(sc_check_f32(&be->err, SC_OP_LINEAR_FWD, b, "b"));
    SC_TRY(sc_check_linear(&be->err, SC_OP_LINEAR_FWD, x, w, b, y));
    gemm_dims d;
    SC_TRY(linear_dims(be, SC_OP_LINEAR_FWD, x, w, &d));
    sc_cuda_op_begin(be, "linear_fwd %dx%d->%d", d.n, d.in, d.out);
    return sc_cuda_op_end(be, SC_OP_LINEAR_FWD, linear_fwd_issue(be, x, w, b, y, d));
}

static sc_status linear_bwd_data_issue(sc_backend *be, const sc_tensor *dy, const sc_tensor *w,
                                       const sc_tensor *dx, int accumulate, gemm_dims d) {
    sc_cuda_ctx *ctx = sc_cuda_ctx_of(be);
    const float one = 1.0f;
    const float beta = accumulate ? 1.0f : 0.0f;
    SC_CUBLAS_CHECK(be, cublasSgemm(ctx->cublas, CUBLAS_OP_N, CUBLAS_OP_N, d.in, d.n, d.out, &one,
                                    sc_f32(w), d.in, sc_f32(dy), d.out, &beta, sc_f32(dx), d.in));
    return SC_OK;
}

sc_status sc_cuda_linear_bwd_data(sc_backend *be, const sc_tensor *dy, const sc_tensor *w,
                                  const sc_tensor *dx, int accumulate) {
    SC_TRY(sc_check_f32(&be->err, SC_OP_LINEAR_BWD_DATA, dy, "dy"));
    SC_TRY(sc_check_f32(&be->err, SC_OP_LINEAR_BWD_DATA, w, "w"));
    SC_TRY(sc_check_f32(&be->err, SC_OP_LINEAR_BWD_DATA, dx, "dx"));
    SC_TRY(sc_check_linear(&be->err, SC_OP_LINEAR_BWD_DATA, dx, w, NULL, dy));
    gemm_dims d;
    SC_TRY(linear_dims(be, SC_OP_LINEAR_BWD_DATA, dx, w, &d));
    sc_cuda_op_begin(be, "linear_bwd_data %dx%d->%d%s", d.n, d.out, d.in, accumulate ? " +=" : "");
    return sc_cuda_op_end(be, SC_OP_LINEAR_BWD_DATA,
                          linear_bwd_data_issue(be, dy, w, dx, accumulate, d));
}

static sc_status linear_bwd_weight_issue(sc_backend *be, const sc_tensor *x, const sc_tensor *dy,
                                         const sc_tensor *dw, const sc_tensor *db, gemm_dims d) {
    sc_cuda_ctx *ctx = sc_cuda_ctx_of(be);
    const float one = 1.0f;
    /* Weight gradients accumulate: beta = 1. */
    SC_CUBLAS_CHECK(be, cublasSgemm(ctx->cublas, CUBLAS_OP_N, CUBLAS_OP_T, d.in, d.out, d.n, &one,
                                    sc_f32(x), d.in, sc_f32(dy), d.out, &one, sc_f32(dw), d.in));
    if (db)
        SC_CUDA_CHECK(be, sc_launch_bias_grad(sc_f32(dy), sc_f32(db), d.n, d.out, ctx->stream));
    return SC_OK;
}

sc_status sc_cuda_linear_bwd_weight(sc_backend *be, const sc_tensor *x, const sc_tensor *dy,
                                    const sc_tensor *dw, const sc_tensor *db) {
    SC_TRY(sc_check_f32(&be->err, SC_OP_LINEAR_BWD_WEIGHT, x, "x"));
    SC_TRY(sc_check_f32(&be->err, SC_OP_LINEAR_BWD_WEIGHT, dy, "dy"));
    SC_TRY(sc_check_f32(&be->err, SC_OP_LINEAR_BWD_WEIGHT, dw, "dw"));
    if (db)
        SC_TRY(sc_check_f32(&be->err, SC_OP_LINEAR_BWD_WEIGHT, db, "db"));
    SC_TRY(sc_check_linear(&be->err, SC_OP_LINEAR_BWD_WEIGHT, x, dw, db, dy));
    gemm_dims d;
    SC_TRY(linear_dims(be, SC_OP_LINEAR_BWD_WEIGHT, x, dw, &d));
    sc_cuda_op_begin(be, "linear_bwd_weight %dx%d->%d", d.n, d.in, d.out);
    return sc_cuda_op_end(be, SC_OP_LINEAR_BWD_WEIGHT,
                          linear_bwd_weight_issue(be, x, dy, dw, db, d));
}
