/* ROAD (Rong et al. 2022, remove-and-debias): for p = 0, 10, ..., 90 % the p% most salient
 * (MoRF) or least salient (LeRF) pixels are replaced by noisy linear imputation from their
 * neighbours (impute_linear), and the model's correctness against the label is recorded
 * (point 0 is the clean image). AOPC = acc_0 - mean over p > 0 of acc_p per sample; the
 * dataset's AOPC is the mean of the per-sample values. */
#include "metric_batch.h"

typedef struct road_curve {
    int from_least;  /* LeRF */
    sc_tensor curve; /* (n, P) correct (1/0) at each point */
    sc_tensor first; /* (n, 1) correct on the clean image, then the AOPC */
} road_curve;

static sc_status road_make(sc_metric_batch *b, const void *ctx, int k, const sc_tensor *dst,
                           sc_error *err) {
    const road_curve *c = ctx;
    sc_backend *be = b->be;
    int64_t hw = b->net->in_h * b->net->in_w;
    sc_tensor mask = sc_metric_cur(b, &b->mask), x = sc_metric_cur(b, &b->x);
    SC_TRY(sc_metric_rank_mask(b, (int64_t)k * hw / SC_METRIC_PERCENT_POINTS, c->from_least, &mask,
                               err));
    sc_impute_params ip = {b->cfg->road_iterations, b->cfg->road_noise,
                           sc_metric_key(b, SC_METRIC_ROAD, 2 * k + c->from_least)};
    return sc_metric_op(b, be->ops->impute_linear(be, &ip, &x, &mask, dst), "ROAD imputation",
                        err);
}

static sc_status road_score(sc_metric_batch *b, const void *ctx, int k, const sc_tensor *input,
                            const sc_tensor *logits, sc_error *err) {
    const road_curve *c = ctx;
    sc_backend *be = b->be;
    sc_tensor labels = sc_metric_cur(b, &b->labels);
    if (k == 0)
        SC_TRY(sc_metric_op(b, be->ops->target_score(be, SC_SCORE_CORRECT, logits, &labels, 0,
                                                     &c->first),
                            "ROAD accuracy", err));
    return sc_metric_op(b, be->ops->target_score(be, SC_SCORE_CORRECT, logits, &labels, k,
                                                 &c->curve),
                        "ROAD accuracy", err);
}

/* One direction's curve, then aopc = (P acc_0 - sum_k acc_k) / (P - 1) over its P points. */
static sc_status road_direction(sc_metric_batch *b, sc_metric_field f, int from_least,
                                sc_error *err) {
    sc_backend *be = b->be;
    int64_t n = b->n, points = SC_METRIC_PERCENT_POINTS;
    road_curve c = {from_least, sc_metric_cur(b, &b->curve[f]),
                    sc_tensor_2d(b->value[f].data, SC_F32, n, 1)};
    sc_copy_job job = {(int)points, road_make, road_score, &c};
    SC_TRY(sc_metric_run_copies(b, &job, err));
    sc_tensor rows = sc_tensor_4d(c.curve.data, SC_F32, n, 1, 1, points);
    sc_tensor sum = sc_tensor_2d(b->scratch_a.data, SC_F32, n, 1);
    SC_TRY(sc_metric_op(b, be->ops->masked_sum(be, &rows, NULL, 0, &sum), "AOPC sum", err));
    sc_tensor sum_v = sc_tensor_1d(sum.data, SC_F32, n), aopc = sc_metric_cur(b, &b->value[f]);
    float scale = 1.0f / (float)(points - 1);
    return sc_metric_op(b, be->ops->axpby(be, -scale, &sum_v, (float)points * scale, &aopc),
                        "AOPC", err);
}

sc_status sc_metric_road(sc_metric_batch *b, sc_error *err) {
    SC_TRY(road_direction(b, SC_FIELD_ROAD_MORF, 0, err));
    return road_direction(b, SC_FIELD_ROAD_LERF, 1, err);
}
