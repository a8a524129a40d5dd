/* Gaussian blur on the CUDA backend (kernel in cuda/kernels/blur.cu). The 1-D weights are
 * computed here, on the host, by the CPU backend's own function (sc_gaussian_kernel1d), so
 * both backends blur with the same floats. */
#include "../host/backend/shape_check.h"
#include "../host/core/metric_math.h"
#include "cuda_check.h"
#include "cuda_ops.h"
#include "kernels/kernels.h"

static sc_status gaussian_blur_issue(sc_backend *be, const sc_blur_params *p, const sc_tensor *x,
                                     const sc_tensor *out) {
    float weights[SC_BLUR_MAX_KERNEL]; /* (kernel) */
    sc_gaussian_kernel1d(p->kernel, p->sigma, weights);
    SC_CUDA_CHECK(be, sc_launch_gaussian_blur(sc_f32(x), sc_f32(out), x->shape[0] * x->shape[1],
                                              x->shape[2], x->shape[3], weights, p->kernel,
                                              sc_cuda_ctx_of(be)->stream));
    return SC_OK;
}

sc_status sc_cuda_gaussian_blur(sc_backend *be, const sc_blur_params *p, const sc_tensor *x,
                                const sc_tensor *out) {
    SC_TRY(sc_check_gaussian_blur(&be->err, p, x, out));
    sc_cuda_op_begin(be, "gaussian_blur k%d %lldx%lldx%lldx%lld", p->kernel, (long long)x->shape[0],
                     (long long)x->shape[1], (long long)x->shape[2], (long long)x->shape[3]);
    return sc_cuda_op_end(be, SC_OP_GAUSSIAN_BLUR, gaussian_blur_issue(be, p, x, out));
}
