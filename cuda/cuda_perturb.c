/* SCAAT's adversarial perturbation on the CUDA backend (cuda/kernels/perturb.cu): the per-pixel
 * budget, the random start and one signed step. The step's per-sample figures for stats live in
 * the context's kernel scratch (n doubles). */
#include "../host/backend/shape_check.h"
#include "cuda_check.h"
#include "cuda_ops.h"
#include "kernels/kernels.h"

static sc_status perturb_budget_issue(sc_backend *be, const sc_budget_params *p,
                                      const sc_tensor *map, const sc_tensor *mask,
                                      const sc_tensor *budget) {
    SC_CUDA_CHECK(be, sc_launch_perturb_budget(
                          sc_f32(map), mask ? sc_f32(mask) : NULL, sc_f32(budget), map->shape[0],
                          map->shape[2] * map->shape[3], *p, sc_cuda_ctx_of(be)->stream));
    return SC_OK;
}

sc_status sc_cuda_perturb_budget(sc_backend *be, const sc_budget_params *p, const sc_tensor *map,
                                 const sc_tensor *mask, const sc_tensor *budget) {
    SC_TRY(sc_check_perturb_budget(&be->err, p, map, mask, budget));
    sc_cuda_op_begin(be, "perturb_budget %lldx%lldx%lld%s", (long long)map->shape[0],
                     (long long)map->shape[2], (long long)map->shape[3], mask ? " masked" : "");
    return sc_cuda_op_end(be, SC_OP_PERTURB_BUDGET, perturb_budget_issue(be, p, map, mask, budget));
}

static sc_status perturb_init_issue(sc_backend *be, const sc_perturb_params *p, const sc_tensor *x,
                                    const sc_tensor *budget, const sc_tensor *xadv) {
    SC_CUDA_CHECK(be, sc_launch_perturb_init(
                          sc_f32(x), budget ? sc_f32(budget) : NULL, sc_f32(xadv), x->shape[0],
                          x->shape[1], x->shape[2] * x->shape[3], *p, sc_cuda_ctx_of(be)->stream));
    return SC_OK;
}

sc_status sc_cuda_perturb_init(sc_backend *be, const sc_perturb_params *p, const sc_tensor *x,
                               const sc_tensor *budget, const sc_tensor *xadv) {
    SC_TRY(sc_check_perturb(&be->err, SC_OP_PERTURB_INIT, p, x, NULL, budget, xadv, NULL));
    sc_cuda_op_begin(be, "perturb_init %lldx%lldx%lldx%lld%s", (long long)x->shape[0],
                     (long long)x->shape[1], (long long)x->shape[2], (long long)x->shape[3],
                     budget ? " budget" : "");
    return sc_cuda_op_end(be, SC_OP_PERTURB_INIT, perturb_init_issue(be, p, x, budget, xadv));
}

static sc_status perturb_step_issue(sc_backend *be, const sc_perturb_params *p, const sc_tensor *x,
                                    const sc_tensor *g, const sc_tensor *budget,
                                    const sc_tensor *xadv, const sc_tensor *stats) {
    sc_cuda_ctx *ctx = sc_cuda_ctx_of(be);
    const int64_t n = x->shape[0];
    if (stats)
        SC_TRY(sc_cuda_reserve_scratch(be, (size_t)n * sizeof(double)));
    SC_CUDA_CHECK(be, sc_launch_perturb_step(sc_f32(x), sc_f32(g), budget ? sc_f32(budget) : NULL,
                                             sc_f32(xadv), stats ? sc_f32(stats) : NULL,
                                             (double *)ctx->scratch, n, x->shape[1],
                                             x->shape[2] * x->shape[3], *p, ctx->stream));
    return SC_OK;
}

sc_status sc_cuda_perturb_step(sc_backend *be, const sc_perturb_params *p, const sc_tensor *x,
                               const sc_tensor *g, const sc_tensor *budget, const sc_tensor *xadv,
                               const sc_tensor *stats) {
    SC_TRY(sc_check_perturb(&be->err, SC_OP_PERTURB_STEP, p, x, g, budget, xadv, stats));
    sc_cuda_op_begin(be, "perturb_step %lldx%lldx%lldx%lld%s", (long long)x->shape[0],
                     (long long)x->shape[1], (long long)x->shape[2], (long long)x->shape[3],
                     budget ? " budget" : "");
    return sc_cuda_op_end(be, SC_OP_PERTURB_STEP,
                          perturb_step_issue(be, p, x, g, budget, xadv, stats));
}
