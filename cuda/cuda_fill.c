/* SGT's masked-pixel fill of the CUDA backend (cuda/kernels/fill.cu): the per-image-channel
 * min / max / mean table and the fill of the pixels inside M. */
#include "../host/backend/shape_check.h"
#include "cuda_check.h"
#include "cuda_ops.h"
#include "kernels/kernels.h"

static sc_status image_stats_issue(sc_backend *be, const sc_tensor *x, const sc_tensor *out) {
    SC_CUDA_CHECK(be, sc_launch_image_stats(sc_f32(x), sc_f32(out), x->shape[0] * x->shape[1],
                                            x->shape[2] * x->shape[3], sc_cuda_ctx_of(be)->stream));
    return SC_OK;
}

sc_status sc_cuda_image_stats(sc_backend *be, const sc_tensor *x, const sc_tensor *out) {
    SC_TRY(sc_check_image_stats(&be->err, x, out));
    sc_cuda_op_begin(be, "image_stats %lldx%lldx%lldx%lld", (long long)x->shape[0],
                     (long long)x->shape[1], (long long)x->shape[2], (long long)x->shape[3]);
    return sc_cuda_op_end(be, SC_OP_IMAGE_STATS, image_stats_issue(be, x, out));
}

static sc_status mask_fill_issue(sc_backend *be, const sc_fill_params *p, const sc_tensor *x,
                                 const sc_tensor *mask, const sc_tensor *image_stats,
                                 const sc_tensor *out) {
    SC_CUDA_CHECK(be, sc_launch_mask_fill(sc_f32(x), sc_f32(mask), sc_f32(image_stats), sc_f32(out),
                                          x->shape[0], x->shape[1], x->shape[2] * x->shape[3], *p,
                                          sc_cuda_ctx_of(be)->stream));
    return SC_OK;
}

sc_status sc_cuda_mask_fill(sc_backend *be, const sc_fill_params *p, const sc_tensor *x,
                            const sc_tensor *mask, const sc_tensor *image_stats,
                            const sc_tensor *out) {
    SC_TRY(sc_check_mask_fill(&be->err, p, x, mask, image_stats, out));
    sc_cuda_op_begin(be, "mask_fill %s %lldx%lldx%lldx%lld",
                     p->kind == SC_FILL_MEAN ? "mean" : "uniform", (long long)x->shape[0],
                     (long long)x->shape[1], (long long)x->shape[2], (long long)x->shape[3]);
    return sc_cuda_op_end(be, SC_OP_MASK_FILL, mask_fill_issue(be, p, x, mask, image_stats, out));
}
