/* The rankings of the metric ops on the CUDA backend (kernels in cuda/kernels/rank.cu):
 * rank_pixels (salient first) and rank_rows (scipy's average ranks), both exactly the CPU's.
 * They sort every sample or row with CUB in the context's kernel scratch, which the first call
 * of a larger shape grows (cuda_context.h); nothing is allocated otherwise. */
#include "../host/backend/shape_check.h"
#include "cuda_check.h"
#include "cuda_ops.h"
#include "kernels/kernels.h"

static sc_status rank_pixels_issue(sc_backend *be, const sc_tensor *map, const sc_tensor *ranks,
                                   int64_t n, int64_t hw) {
    sc_cuda_ctx *ctx = sc_cuda_ctx_of(be);
    size_t bytes = 0;
    SC_CUDA_CHECK(be, sc_rank_pixels_scratch_bytes(n, hw, &bytes));
    SC_TRY(sc_cuda_reserve_scratch(be, bytes));
    SC_CUDA_CHECK(be, sc_launch_rank_pixels(sc_f32(map), sc_i32(ranks), n, hw, ctx->scratch,
                                            ctx->scratch_bytes, ctx->stream));
    return SC_OK;
}

sc_status sc_cuda_rank_pixels(sc_backend *be, const sc_tensor *map, const sc_tensor *ranks) {
    SC_TRY(sc_check_rank_pixels(&be->err, map, ranks));
    const int64_t n = map->shape[0], hw = map->shape[2] * map->shape[3];
    SC_TRY(sc_cuda_check_sortable(be, SC_OP_RANK_PIXELS, n, hw, "samples", "values"));
    sc_cuda_op_begin(be, "rank_pixels %lldx%lld", (long long)n, (long long)hw);
    return sc_cuda_op_end(be, SC_OP_RANK_PIXELS, rank_pixels_issue(be, map, ranks, n, hw));
}

static sc_status rank_rows_issue(sc_backend *be, const sc_tensor *in, const sc_tensor *out,
                                 int64_t n, int64_t m) {
    sc_cuda_ctx *ctx = sc_cuda_ctx_of(be);
    size_t bytes = 0;
    SC_CUDA_CHECK(be, sc_rank_rows_scratch_bytes(n, m, &bytes));
    SC_TRY(sc_cuda_reserve_scratch(be, bytes));
    SC_CUDA_CHECK(be, sc_launch_rank_rows(sc_f32(in), sc_f32(out), n, m, ctx->scratch,
                                          ctx->scratch_bytes, ctx->stream));
    return SC_OK;
}

sc_status sc_cuda_rank_rows(sc_backend *be, const sc_tensor *in, const sc_tensor *out) {
    SC_TRY(sc_check_rank_rows(&be->err, in, out));
    const int64_t n = in->shape[0], m = in->shape[1];
    SC_TRY(sc_cuda_check_sortable(be, SC_OP_RANK_ROWS, n, m, "samples", "values"));
    sc_cuda_op_begin(be, "rank_rows %lldx%lld", (long long)n, (long long)m);
    return sc_cuda_op_end(be, SC_OP_RANK_ROWS, rank_rows_issue(be, in, out, n, m));
}
