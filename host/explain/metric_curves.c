/* Ranked-removal curves: deletion and insertion (Petsiuk et al. 2018) and the masked-accuracy
 * curve (SGT's evaluation). Pixels are ranked by the map, most salient first (rank_pixels);
 * point k of a curve replaces the first floor(k * H * W / D) ranks, all channels, and scores
 * the model on the result. Every point of every sample is one slice of a batched forward. */
#include "metric_batch.h"

typedef struct ranked_curve {
    const sc_tensor *start;   /* (n, C, H, W) the image at point 0 */
    const sc_tensor *alt;     /* (n, C, H, W) value of the replaced pixels; NULL = 0 */
    int64_t denominator;      /* D */
    sc_score_kind kind;
    const sc_tensor *targets; /* (n) int32 the class scored */
    sc_tensor curve;          /* (n, points) */
} ranked_curve;

static sc_status curve_make(sc_metric_batch *b, const void *ctx, int k, const sc_tensor *dst,
                            sc_error *err) {
    const ranked_curve *c = ctx;
    sc_backend *be = b->be;
    int64_t hw = b->net->in_h * b->net->in_w;
    int64_t count = (int64_t)k * hw / c->denominator;
    sc_tensor ranks = sc_metric_cur(b, &b->ranks);
    return sc_metric_op(b, be->ops->ranked_replace(be, count, 0, c->start, c->alt, &ranks, dst),
                        "ranked replacement", err);
}

static sc_status curve_score(sc_metric_batch *b, const void *ctx, int k, const sc_tensor *input,
                             const sc_tensor *logits, sc_error *err) {
    const ranked_curve *c = ctx;
    sc_backend *be = b->be;
    return sc_metric_op(b, be->ops->target_score(be, c->kind, logits, c->targets, k, &c->curve),
                        "curve score", err);
}

/* The curve of field f and its trapezoid area on [0, 1] into the field's value. */
static sc_status run_curve(sc_metric_batch *b, sc_metric_field f, const ranked_curve *c,
                           sc_error *err) {
    sc_backend *be = b->be;
    sc_copy_job job = {(int)c->curve.shape[1], curve_make, curve_score, c};
    SC_TRY(sc_metric_run_copies(b, &job, err));
    sc_tensor auc = sc_metric_cur(b, &b->value[f]);
    return sc_metric_op(b, be->ops->curve_auc(be, &c->curve, &auc), "curve area", err);
}

sc_status sc_metric_deletion(sc_metric_batch *b, sc_error *err) {
    sc_tensor x = sc_metric_cur(b, &b->x), pred = sc_metric_cur(b, &b->pred);
    ranked_curve c = {&x, NULL, b->cfg->steps, SC_SCORE_PROB, &pred,
                      sc_metric_cur(b, &b->curve[SC_FIELD_DELETION])};
    return run_curve(b, SC_FIELD_DELETION, &c, err);
}

sc_status sc_metric_insertion(sc_metric_batch *b, sc_error *err) {
    sc_backend *be = b->be;
    sc_tensor x = sc_metric_cur(b, &b->x), pred = sc_metric_cur(b, &b->pred);
    sc_tensor blurred = sc_metric_cur(b, &b->image);
    sc_blur_params bp = {b->cfg->blur_kernel, b->cfg->blur_sigma};
    SC_TRY(sc_metric_op(b, be->ops->gaussian_blur(be, &bp, &x, &blurred), "insertion blur", err));
    ranked_curve c = {&blurred, &x, b->cfg->steps, SC_SCORE_PROB, &pred,
                      sc_metric_cur(b, &b->curve[SC_FIELD_INSERTION])};
    return run_curve(b, SC_FIELD_INSERTION, &c, err);
}

/* Points p = 0, 10, ..., 90 %: curve_auc's unit interval is p in [0, 0.9], so the area over
 * p is 0.9 times it. */
sc_status sc_metric_masked_accuracy(sc_metric_batch *b, sc_error *err) {
    sc_backend *be = b->be;
    sc_tensor x = sc_metric_cur(b, &b->x), labels = sc_metric_cur(b, &b->labels);
    ranked_curve c = {&x, NULL, SC_METRIC_PERCENT_POINTS, SC_SCORE_CORRECT, &labels,
                      sc_metric_cur(b, &b->curve[SC_FIELD_MASKED_ACCURACY])};
    SC_TRY(run_curve(b, SC_FIELD_MASKED_ACCURACY, &c, err));
    sc_tensor area = sc_metric_cur(b, &b->value[SC_FIELD_MASKED_ACCURACY]);
    float span = (float)(SC_METRIC_PERCENT_POINTS - 1) / (float)SC_METRIC_PERCENT_POINTS;
    return sc_metric_op(b, be->ops->axpby(be, 0.0f, &area, span, &area), "masked-accuracy area",
                        err);
}
