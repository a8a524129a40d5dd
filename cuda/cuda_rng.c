/* Random fills of the CUDA backend (cuda/kernels/rng.cu): Philox streams of host/core/rng.h,
 * bit-identical to the CPU backend's. */
#include "../host/backend/shape_check.h"
#include "cuda_check.h"
#include "cuda_ops.h"
#include "kernels/kernels.h"

static sc_status rng_uniform_issue(sc_backend *be, sc_rng_key key, float lo, float hi,
                                   const sc_tensor *out) {
    SC_CUDA_CHECK(be, sc_launch_rng_uniform(sc_f32(out), sc_tensor_numel(out), key, lo, hi,
                                            sc_cuda_ctx_of(be)->stream));
    return SC_OK;
}

sc_status sc_cuda_rng_uniform(sc_backend *be, sc_rng_key key, float lo, float hi,
                              const sc_tensor *out) {
    SC_TRY(sc_check_f32(&be->err, SC_OP_RNG_UNIFORM, out, "out"));
    sc_cuda_op_begin(be, "rng_uniform %lld", (long long)sc_tensor_numel(out));
    return sc_cuda_op_end(be, SC_OP_RNG_UNIFORM, rng_uniform_issue(be, key, lo, hi, out));
}

static sc_status rng_normal_issue(sc_backend *be, sc_rng_key key, float mean, float std,
                                  const sc_tensor *out) {
    SC_CUDA_CHECK(be, sc_launch_rng_normal(sc_f32(out), sc_tensor_numel(out), key, mean, std,
                                           sc_cuda_ctx_of(be)->stream));
    return SC_OK;
}

sc_status sc_cuda_rng_normal(sc_backend *be, sc_rng_key key, float mean, float std,
                             const sc_tensor *out) {
    SC_TRY(sc_check_f32(&be->err, SC_OP_RNG_NORMAL, out, "out"));
    sc_cuda_op_begin(be, "rng_normal %lld", (long long)sc_tensor_numel(out));
    return sc_cuda_op_end(be, SC_OP_RNG_NORMAL, rng_normal_issue(be, key, mean, std, out));
}
