/* Blends of images on the CUDA backend (kernels in cuda/kernels/blend.cu): axpby, the noisy
 * copies of SmoothGrad and max-sensitivity (add_noise; NORMAL_RANGE keeps the images' ranges in
 * the context's kernel scratch, n floats) and ranked_replace. All bit-identical to the CPU. */
#include "../host/backend/shape_check.h"
#include "cuda_check.h"
#include "cuda_ops.h"
#include "kernels/kernels.h"

static sc_status axpby_issue(sc_backend *be, float alpha, const sc_tensor *x, float beta,
                             const sc_tensor *y) {
    SC_CUDA_CHECK(be, sc_launch_axpby(alpha, sc_f32(x), beta, sc_f32(y), sc_tensor_numel(x),
                                      sc_cuda_ctx_of(be)->stream));
    return SC_OK;
}

sc_status sc_cuda_axpby(sc_backend *be, float alpha, const sc_tensor *x, float beta,
                        const sc_tensor *y) {
    SC_TRY(sc_check_axpby(&be->err, x, y));
    sc_cuda_op_begin(be, "axpby %lld", (long long)sc_tensor_numel(x));
    return sc_cuda_op_end(be, SC_OP_AXPBY, axpby_issue(be, alpha, x, beta, y));
}

static sc_status add_noise_issue(sc_backend *be, const sc_noise_params *p, const sc_tensor *x,
                                 const sc_tensor *out) {
    sc_cuda_ctx *ctx = sc_cuda_ctx_of(be);
    const int64_t n = x->shape[0];
    float *ranges = NULL; /* (n), NORMAL_RANGE only */
    if (p->kind == SC_NOISE_NORMAL_RANGE) {
        SC_TRY(sc_cuda_reserve_scratch(be, (size_t)n * sizeof(float)));
        ranges = (float *)ctx->scratch;
    }
    SC_CUDA_CHECK(
        be, sc_launch_add_noise(sc_f32(x), sc_f32(out), ranges, n, sc_cols(x), *p, ctx->stream));
    return SC_OK;
}

sc_status sc_cuda_add_noise(sc_backend *be, const sc_noise_params *p, const sc_tensor *x,
                            const sc_tensor *out) {
    SC_TRY(sc_check_add_noise(&be->err, p, x, out));
    sc_cuda_op_begin(be, "add_noise %s %lldx%lldx%lldx%lld",
                     p->kind == SC_NOISE_UNIFORM ? "uniform" : "normal_range",
                     (long long)x->shape[0], (long long)x->shape[1], (long long)x->shape[2],
                     (long long)x->shape[3]);
    return sc_cuda_op_end(be, SC_OP_ADD_NOISE, add_noise_issue(be, p, x, out));
}

static sc_status ranked_replace_issue(sc_backend *be, int64_t count, int from_least,
                                      const sc_tensor *x, const sc_tensor *alt,
                                      const sc_tensor *ranks, const sc_tensor *out) {
    SC_CUDA_CHECK(be, sc_launch_ranked_replace(sc_f32(x), alt ? sc_f32(alt) : NULL, sc_i32(ranks),
                                               sc_f32(out), x->shape[0], x->shape[1],
                                               x->shape[2] * x->shape[3], count, from_least,
                                               sc_cuda_ctx_of(be)->stream));
    return SC_OK;
}

sc_status sc_cuda_ranked_replace(sc_backend *be, int64_t count, int from_least, const sc_tensor *x,
                                 const sc_tensor *alt, const sc_tensor *ranks,
                                 const sc_tensor *out) {
    SC_TRY(sc_check_ranked_replace(&be->err, count, x, alt, ranks, out));
    sc_cuda_op_begin(be, "ranked_replace %lld %s %lldx%lldx%lldx%lld%s", (long long)count,
                     from_least ? "least" : "most", (long long)x->shape[0], (long long)x->shape[1],
                     (long long)x->shape[2], (long long)x->shape[3], alt ? "" : " zeros");
    return sc_cuda_op_end(be, SC_OP_RANKED_REPLACE,
                          ranked_replace_issue(be, count, from_least, x, alt, ranks, out));
}
