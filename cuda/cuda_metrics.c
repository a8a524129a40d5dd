/* Per-sample metric figures on the CUDA backend (kernels in cuda/kernels/sparsity.cu and
 * cuda/kernels/scores.cu): map_sparsity, target_score, curve_auc, pearson_rows, masked_sum and
 * relative_distance. target_score's classes are data on the device: a target outside [0, K)
 * is scored NaN and refused at the next stream wait, with the CPU's message
 * (cuda_label_check.c). */
#include <limits.h>

#include "../host/backend/shape_check.h"
#include "cuda_check.h"
#include "cuda_ops.h"
#include "kernels/kernels.h"

static sc_status map_sparsity_issue(sc_backend *be, const sc_tensor *map, const sc_tensor *hoyer,
                                    const sc_tensor *entropy) {
    SC_CUDA_CHECK(be, sc_launch_map_sparsity(sc_f32(map), hoyer ? sc_f32(hoyer) : NULL,
                                             entropy ? sc_f32(entropy) : NULL, map->shape[0],
                                             map->shape[2] * map->shape[3],
                                             sc_cuda_ctx_of(be)->stream));
    return SC_OK;
}

sc_status sc_cuda_map_sparsity(sc_backend *be, const sc_tensor *map, const sc_tensor *hoyer,
                               const sc_tensor *entropy) {
    SC_TRY(sc_check_map_sparsity(&be->err, map, hoyer, entropy));
    sc_cuda_op_begin(be, "map_sparsity %lldx%lldx%lld", (long long)map->shape[0],
                     (long long)map->shape[2], (long long)map->shape[3]);
    return sc_cuda_op_end(be, SC_OP_MAP_SPARSITY, map_sparsity_issue(be, map, hoyer, entropy));
}

static sc_status target_score_issue(sc_backend *be, sc_score_kind kind, const sc_tensor *logits,
                                    const sc_tensor *targets, int column, const sc_tensor *out) {
    SC_CUDA_CHECK(be, sc_launch_target_score(sc_f32(logits), sc_i32(targets), sc_f32(out),
                                             logits->shape[0], (int)logits->shape[1], out->shape[1],
                                             column, kind, sc_cuda_label_check_next(be),
                                             sc_cuda_ctx_of(be)->stream));
    return SC_OK;
}

sc_status sc_cuda_target_score(sc_backend *be, sc_score_kind kind, const sc_tensor *logits,
                               const sc_tensor *targets, int column, const sc_tensor *out) {
    SC_TRY(sc_check_target_score(&be->err, kind, logits, targets, column, out));
    if (logits->shape[1] > INT_MAX)
        return sc_fail(&be->err, SC_ERR_SHAPE, "target_score: %lld classes (at most %d)",
                       (long long)logits->shape[1], INT_MAX);
    static const char *const kind_names[] = {"prob", "logit", "correct"};
    sc_cuda_op_begin(be, "target_score %s %lldx%lld", kind_names[kind], (long long)logits->shape[0],
                     (long long)logits->shape[1]);
    return sc_cuda_op_end(be, SC_OP_TARGET_SCORE,
                          target_score_issue(be, kind, logits, targets, column, out));
}

static sc_status curve_auc_issue(sc_backend *be, const sc_tensor *curves, const sc_tensor *auc) {
    SC_CUDA_CHECK(be, sc_launch_curve_auc(sc_f32(curves), sc_f32(auc), curves->shape[0],
                                          curves->shape[1], sc_cuda_ctx_of(be)->stream));
    return SC_OK;
}

sc_status sc_cuda_curve_auc(sc_backend *be, const sc_tensor *curves, const sc_tensor *auc) {
    SC_TRY(sc_check_curve_auc(&be->err, curves, auc));
    sc_cuda_op_begin(be, "curve_auc %lldx%lld", (long long)curves->shape[0],
                     (long long)curves->shape[1]);
    return sc_cuda_op_end(be, SC_OP_CURVE_AUC, curve_auc_issue(be, curves, auc));
}

static sc_status pearson_rows_issue(sc_backend *be, const sc_tensor *a, const sc_tensor *b,
                                    const sc_tensor *out) {
    SC_CUDA_CHECK(be, sc_launch_pearson_rows(sc_f32(a), sc_f32(b), sc_f32(out), a->shape[0],
                                             a->shape[1], sc_cuda_ctx_of(be)->stream));
    return SC_OK;
}

sc_status sc_cuda_pearson_rows(sc_backend *be, const sc_tensor *a, const sc_tensor *b,
                               const sc_tensor *out) {
    SC_TRY(sc_check_pearson_rows(&be->err, a, b, out));
    sc_cuda_op_begin(be, "pearson_rows %lldx%lld", (long long)a->shape[0], (long long)a->shape[1]);
    return sc_cuda_op_end(be, SC_OP_PEARSON_ROWS, pearson_rows_issue(be, a, b, out));
}

static sc_status masked_sum_issue(sc_backend *be, const sc_tensor *map, const sc_tensor *mask,
                                  int column, const sc_tensor *out) {
    SC_CUDA_CHECK(be, sc_launch_masked_sum(sc_f32(map), mask ? sc_f32(mask) : NULL, sc_f32(out),
                                           map->shape[0], map->shape[2] * map->shape[3],
                                           out->shape[1], column, sc_cuda_ctx_of(be)->stream));
    return SC_OK;
}

sc_status sc_cuda_masked_sum(sc_backend *be, const sc_tensor *map, const sc_tensor *mask,
                             int column, const sc_tensor *out) {
    SC_TRY(sc_check_masked_sum(&be->err, map, mask, column, out));
    sc_cuda_op_begin(be, "masked_sum %lldx%lldx%lld%s", (long long)map->shape[0],
                     (long long)map->shape[2], (long long)map->shape[3], mask ? " masked" : "");
    return sc_cuda_op_end(be, SC_OP_MASKED_SUM, masked_sum_issue(be, map, mask, column, out));
}

static sc_status relative_distance_issue(sc_backend *be, const sc_tensor *a, const sc_tensor *b,
                                         const sc_tensor *out) {
    SC_CUDA_CHECK(be, sc_launch_relative_distance(sc_f32(a), sc_f32(b), sc_f32(out), a->shape[0],
                                                  sc_cols(a), sc_cuda_ctx_of(be)->stream));
    return SC_OK;
}

sc_status sc_cuda_relative_distance(sc_backend *be, const sc_tensor *a, const sc_tensor *b,
                                    const sc_tensor *out) {
    SC_TRY(sc_check_relative_distance(&be->err, a, b, out));
    sc_cuda_op_begin(be, "relative_distance %lldx%lld", (long long)a->shape[0],
                     (long long)sc_cols(a));
    return sc_cuda_op_end(be, SC_OP_RELATIVE_DISTANCE, relative_distance_issue(be, a, b, out));
}
