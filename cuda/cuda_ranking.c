/* The per-sample ranking ops of the CUDA backend: the constraint mask (mask_select,
 * cuda/kernels/mask.cu) and the Gini index of maps (map_gini, cuda/kernels/gini.cu). Both sort
 * every sample's pixels with CUB in the context's kernel scratch, which the first call of a
 * larger shape grows (cuda_context.h); nothing is allocated otherwise. Also the size check of
 * every per-sample sort (sc_cuda_check_sortable, shared with cuda_metric_ranks.c). */
#include <limits.h>

#include "../host/backend/shape_check.h"
#include "cuda_check.h"
#include "cuda_ops.h"
#include "kernels/kernels.h"

sc_status sc_cuda_check_sortable(sc_backend *be, sc_op op, int64_t n, int64_t per_sample,
                                 const char *samples, const char *values) {
    if (n * per_sample > INT_MAX)
        return sc_fail(&be->err, SC_ERR_UNSUPPORTED,
                       "%s: %lld %s of %lld %s exceed the %d %s one call can sort",
                       sc_op_name(op), (long long)n, samples, (long long)per_sample, values,
                       INT_MAX, values);
    return SC_OK;
}

static sc_status mask_select_issue(sc_backend *be, const sc_mask_params *p, const sc_tensor *map,
                                   const sc_tensor *mask, const sc_tensor *stats, int64_t n,
                                   int64_t hw) {
    sc_cuda_ctx *ctx = sc_cuda_ctx_of(be);
    size_t bytes = 0;
    SC_CUDA_CHECK(be, sc_mask_select_scratch_bytes(n, hw, &bytes));
    SC_TRY(sc_cuda_reserve_scratch(be, bytes));
    SC_CUDA_CHECK(be,
                  sc_launch_mask_select(sc_f32(map), sc_f32(mask), stats ? sc_f32(stats) : NULL, n,
                                        hw, *p, ctx->scratch, ctx->scratch_bytes, ctx->stream));
    return SC_OK;
}

sc_status sc_cuda_mask_select(sc_backend *be, const sc_mask_params *p, const sc_tensor *map,
                              const sc_tensor *mask, const sc_tensor *stats) {
    SC_TRY(sc_check_mask_select(&be->err, p, map, mask, stats));
    const int64_t n = map->shape[0], hw = map->shape[2] * map->shape[3];
    SC_TRY(sc_cuda_check_sortable(be, SC_OP_MASK_SELECT, n, hw, "maps", "pixels"));
    sc_cuda_op_begin(be, "mask_select %s %lldx%lld", p->kind == SC_MASK_MASS ? "mass" : "lowest",
                     (long long)n, (long long)hw);
    return sc_cuda_op_end(be, SC_OP_MASK_SELECT, mask_select_issue(be, p, map, mask, stats, n, hw));
}

static sc_status map_gini_issue(sc_backend *be, const sc_tensor *map, const sc_tensor *gini,
                                const sc_tensor *stats, int64_t n, int64_t hw) {
    sc_cuda_ctx *ctx = sc_cuda_ctx_of(be);
    size_t bytes = 0;
    SC_CUDA_CHECK(be, sc_map_gini_scratch_bytes(n, hw, &bytes));
    SC_TRY(sc_cuda_reserve_scratch(be, bytes));
    SC_CUDA_CHECK(be, sc_launch_map_gini(sc_f32(map), gini ? sc_f32(gini) : NULL,
                                         stats ? sc_f32(stats) : NULL, n, hw, ctx->scratch,
                                         ctx->scratch_bytes, ctx->stream));
    return SC_OK;
}

sc_status sc_cuda_map_gini(sc_backend *be, const sc_tensor *map, const sc_tensor *gini,
                           const sc_tensor *stats) {
    SC_TRY(sc_check_map_gini(&be->err, map, gini, stats));
    const int64_t n = map->shape[0], hw = map->shape[2] * map->shape[3];
    SC_TRY(sc_cuda_check_sortable(be, SC_OP_MAP_GINI, n, hw, "maps", "pixels"));
    sc_cuda_op_begin(be, "map_gini %lldx%lld", (long long)n, (long long)hw);
    return sc_cuda_op_end(be, SC_OP_MAP_GINI, map_gini_issue(be, map, gini, stats, n, hw));
}
