/* Grad-CAM and the bilinear resize of its map on the CUDA backend (kernels in
 * cuda/kernels/gradcam.cu). gradcam keeps its (N, K) channel weights in the context's kernel
 * scratch (doubles). */
#include "../host/backend/shape_check.h"
#include "cuda_check.h"
#include "cuda_ops.h"
#include "kernels/kernels.h"

static sc_status gradcam_issue(sc_backend *be, const sc_tensor *act, const sc_tensor *grad,
                               const sc_tensor *map) {
    sc_cuda_ctx *ctx = sc_cuda_ctx_of(be);
    const int64_t n = act->shape[0], channels = act->shape[1];
    SC_TRY(sc_cuda_reserve_scratch(be, (size_t)(n * channels) * sizeof(double)));
    SC_CUDA_CHECK(be,
                  sc_launch_gradcam(sc_f32(act), sc_f32(grad), sc_f32(map), (double *)ctx->scratch,
                                    n, channels, act->shape[2] * act->shape[3], ctx->stream));
    return SC_OK;
}

sc_status sc_cuda_gradcam(sc_backend *be, const sc_tensor *act, const sc_tensor *grad,
                          const sc_tensor *map) {
    SC_TRY(sc_check_gradcam(&be->err, act, grad, map));
    sc_cuda_op_begin(be, "gradcam %lldx%lldx%lldx%lld", (long long)act->shape[0],
                     (long long)act->shape[1], (long long)act->shape[2], (long long)act->shape[3]);
    return sc_cuda_op_end(be, SC_OP_GRADCAM, gradcam_issue(be, act, grad, map));
}

static sc_status resize_bilinear_issue(sc_backend *be, const sc_tensor *in, const sc_tensor *out) {
    SC_CUDA_CHECK(be, sc_launch_resize_bilinear(
                          sc_f32(in), sc_f32(out), in->shape[0] * in->shape[1], in->shape[2],
                          in->shape[3], out->shape[2], out->shape[3], sc_cuda_ctx_of(be)->stream));
    return SC_OK;
}

sc_status sc_cuda_resize_bilinear(sc_backend *be, const sc_tensor *in, const sc_tensor *out) {
    SC_TRY(sc_check_resize_bilinear(&be->err, in, out));
    sc_cuda_op_begin(be, "resize_bilinear %lldx%lldx%lldx%lld -> %lldx%lld",
                     (long long)in->shape[0], (long long)in->shape[1], (long long)in->shape[2],
                     (long long)in->shape[3], (long long)out->shape[2], (long long)out->shape[3]);
    return sc_cuda_op_end(be, SC_OP_RESIZE_BILINEAR, resize_bilinear_issue(be, in, out));
}
