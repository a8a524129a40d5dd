/* Faithfulness correlation (Bhatt et al. 2020): for each sample, `subsets` random sets S of
 * floor(fraction * H * W) pixels (the lowest pixels of a uniform random map: mask_select), the
 * Pearson correlation over the subsets between sum_S s (masked_sum) and
 * f_t(x) - f_t(x with S set to 0) (logits; S set to 0 in every channel). Since f_t(x) is the
 * same along a row, corr(sum_S s, f_t(x) - f_t(x_S)) = -corr(sum_S s, f_t(x_S)): the op
 * correlates with the masked logits and the sign is flipped. */
#include "metric_batch.h"

typedef struct faith_rows {
    sc_tensor sums;   /* (n, subsets) sum of the map over S */
    sc_tensor scores; /* (n, subsets) f_t(x_S) */
} faith_rows;

static sc_status faith_make(sc_metric_batch *b, const void *ctx, int j, const sc_tensor *dst,
                            sc_error *err) {
    const faith_rows *r = ctx;
    sc_backend *be = b->be;
    sc_tensor random = sc_metric_cur(b, &b->map2), mask = sc_metric_cur(b, &b->mask);
    sc_tensor map = sc_metric_cur(b, &b->map), x = sc_metric_cur(b, &b->x);
    sc_tensor zero_stats = sc_metric_cur(b, &b->zero_stats);
    sc_rng_key key = sc_metric_key(b, SC_METRIC_FAITHFULNESS, j);
    SC_TRY(sc_metric_op(b, be->ops->rng_uniform(be, key, 0.0f, 1.0f, &random),
                        "faithfulness subset", err));
    sc_mask_params mp = {SC_MASK_LOWEST, b->cfg->faith_fraction, 0.0f, 0.0f, 0.0f};
    SC_TRY(sc_metric_op(b, be->ops->mask_select(be, &mp, &random, &mask, NULL),
                        "faithfulness subset", err));
    SC_TRY(sc_metric_op(b, be->ops->masked_sum(be, &map, &mask, j, &r->sums),
                        "faithfulness subset sum", err));
    sc_fill_params fp = {SC_FILL_MEAN, key}; /* the mean of zero_stats: S becomes 0 */
    return sc_metric_op(b, be->ops->mask_fill(be, &fp, &x, &mask, &zero_stats, dst),
                        "faithfulness masking", err);
}

static sc_status faith_score(sc_metric_batch *b, const void *ctx, int j, const sc_tensor *input,
                             const sc_tensor *logits, sc_error *err) {
    const faith_rows *r = ctx;
    sc_backend *be = b->be;
    sc_tensor target = sc_metric_cur(b, &b->target);
    return sc_metric_op(b, be->ops->target_score(be, SC_SCORE_LOGIT, logits, &target, j,
                                                 &r->scores),
                        "faithfulness score", err);
}

sc_status sc_metric_faithfulness(sc_metric_batch *b, sc_error *err) {
    sc_backend *be = b->be;
    int subsets = b->cfg->faith_subsets;
    faith_rows r = {sc_tensor_2d(b->scratch_a.data, SC_F32, b->n, subsets),
                    sc_tensor_2d(b->scratch_b.data, SC_F32, b->n, subsets)};
    sc_copy_job job = {subsets, faith_make, faith_score, &r};
    SC_TRY(sc_metric_run_copies(b, &job, err));
    sc_tensor corr = sc_metric_cur(b, &b->value[SC_FIELD_FAITHFULNESS]);
    SC_TRY(sc_metric_op(b, be->ops->pearson_rows(be, &r.sums, &r.scores, &corr),
                        "faithfulness correlation", err));
    return sc_metric_op(b, be->ops->axpby(be, 0.0f, &corr, -1.0f, &corr), "faithfulness sign",
                        err);
}
