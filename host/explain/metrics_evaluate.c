/* The metrics evaluation driver (see metrics.h): a prediction pass over the selection (clean
 * accuracy and the --correct-only filter), then per batch: upload, prediction, target, map,
 * validity (Gini), ranks, every metric on the device, one download per field into the table. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "metric_batch.h"
#include "metric_table.h"

typedef struct host_batch {
    float *images;   /* (B, C, H, W) normalised */
    int32_t *labels; /* (B) */
    float *gini;     /* (B) */
} host_batch;

static sc_status check_config(const sc_metric_config *c, sc_error *err) {
    if (c->batch < 1 || c->internal_batch < 1)
        return sc_fail(err, SC_ERR_USAGE, "metrics: batch sizes must be at least 1");
    if (c->steps < 1 || c->faith_subsets < 2 || c->sens_copies < 1 || c->pgd_steps < 1 ||
        c->road_iterations < 0 || c->blur_kernel < 1 || c->blur_kernel % 2 == 0)
        return sc_fail(err, SC_ERR_USAGE, "metrics: steps, subsets, copies and the blur kernel "
                       "must be positive (the kernel odd; at least 2 subsets)");
    if (!(c->eps >= 0.0f && c->eps <= 1.0f))
        return sc_fail(err, SC_ERR_USAGE, "metrics: eps %g is outside [0, 1] (pixel units)",
                       (double)c->eps);
    if (c->faith_subsets > 4096 || c->sens_copies > 4096)
        return sc_fail(err, SC_ERR_USAGE, "metrics: at most 4096 random draws per sample");
    return SC_OK;
}

/* Images and labels of selection entries [first, first + n) onto the device. */
static sc_status upload(sc_metric_batch *b, const sc_dataset *ds, const sc_selection *sel,
                        int64_t first, int n, const host_batch *hb, sc_error *err) {
    sc_backend *be = b->be;
    SC_TRY(sc_selection_batch(ds, sel, first, n, hb->images, hb->labels, err));
    b->n = n;
    size_t image = (size_t)(b->x.shape[1] * b->x.shape[2] * b->x.shape[3]);
    SC_TRY(sc_metric_op(b, be->ops->upload(be, b->x.data, hb->images,
                                           (size_t)n * image * sizeof(float)),
                        "uploading images", err));
    return sc_metric_op(b, be->ops->upload(be, b->labels.data, hb->labels,
                                           (size_t)n * sizeof(int32_t)),
                        "uploading labels", err);
}

/* Predicted classes of every selected image into pred (count). */
static sc_status predict_all(sc_metric_batch *b, const sc_dataset *ds, const sc_selection *sel,
                             const host_batch *hb, int32_t *pred, sc_error *err) {
    for (int64_t first = 0; first < sel->count; first += b->capacity) {
        int n = (int)(sel->count - first < b->capacity ? sel->count - first : b->capacity);
        SC_TRY(upload(b, ds, sel, first, n, hb, err));
        sc_tensor x = sc_metric_cur(b, &b->x), p = sc_metric_cur(b, &b->pred);
        SC_TRY(sc_metric_predict(b, &x, &p, err));
        SC_TRY(sc_metric_op(b, b->be->ops->download(b->be, pred + first, p.data,
                                                    (size_t)n * sizeof(int32_t)),
                            "predictions", err));
    }
    return SC_OK;
}

static int ranking_on(const sc_metric_config *c) {
    unsigned ranked = SC_METRIC_BIT(SC_METRIC_DELETION) | SC_METRIC_BIT(SC_METRIC_INSERTION) |
                      SC_METRIC_BIT(SC_METRIC_MASKED_ACCURACY) | SC_METRIC_BIT(SC_METRIC_ROAD);
    return (c->metrics & ranked) != 0;
}

/* Prediction, target, map, validity and ranks of the current batch. */
static sc_status prepare(sc_metric_batch *b, sc_error *err) {
    sc_backend *be = b->be;
    sc_tensor x = sc_metric_cur(b, &b->x), pred = sc_metric_cur(b, &b->pred);
    sc_tensor target = sc_metric_cur(b, &b->target), map = sc_metric_cur(b, &b->map);
    sc_tensor gini = sc_metric_cur(b, &b->gini), ranks = sc_metric_cur(b, &b->ranks);
    SC_TRY(sc_metric_predict(b, &x, &pred, err));
    const void *src = b->cfg->target_label ? b->labels.data : pred.data;
    SC_TRY(sc_metric_op(b, be->ops->copy(be, target.data, src, (size_t)b->n * sizeof(int32_t)),
                        "targets", err));
    if (!b->explainer)
        return SC_OK;
    SC_TRY(sc_explainer_run(b->explainer, &x, &target, &map, NULL, err));
    SC_TRY(sc_metric_op(b, be->ops->map_gini(be, &map, &gini, NULL), "map validity", err));
    if (!ranking_on(b->cfg))
        return SC_OK;
    return sc_metric_op(b, be->ops->rank_pixels(be, &map, &ranks), "pixel ranks", err);
}

static sc_status device_metrics(sc_metric_batch *b, sc_error *err) {
    unsigned m = b->cfg->metrics;
    unsigned sparsity = SC_METRIC_BIT(SC_METRIC_GINI) | SC_METRIC_BIT(SC_METRIC_HOYER) |
                        SC_METRIC_BIT(SC_METRIC_ENTROPY);
    if (m & sparsity)
        SC_TRY(sc_metric_sparsity(b, err));
    if (m & SC_METRIC_BIT(SC_METRIC_DELETION))
        SC_TRY(sc_metric_deletion(b, err));
    if (m & SC_METRIC_BIT(SC_METRIC_INSERTION))
        SC_TRY(sc_metric_insertion(b, err));
    if (m & SC_METRIC_BIT(SC_METRIC_MASKED_ACCURACY))
        SC_TRY(sc_metric_masked_accuracy(b, err));
    if (m & SC_METRIC_BIT(SC_METRIC_ROAD))
        SC_TRY(sc_metric_road(b, err));
    if (m & SC_METRIC_BIT(SC_METRIC_FAITHFULNESS))
        SC_TRY(sc_metric_faithfulness(b, err));
    if (m & SC_METRIC_BIT(SC_METRIC_ROBUST))
        SC_TRY(sc_metric_robust(b, err));
    return SC_OK;
}

static sc_status download(sc_metric_batch *b, void *dst, const void *src, size_t bytes,
                          sc_error *err) {
    return sc_metric_op(b, b->be->ops->download(b->be, dst, src, bytes), "downloading results",
                        err);
}

/* The batch's device results into rows [first, first + n) of the table. */
static sc_status gather(sc_metric_batch *b, sc_metric_table *t, int64_t first, host_batch *hb,
                        sc_error *err) {
    size_t n = (size_t)b->n;
    SC_TRY(download(b, t->pred + first, b->pred.data, n * sizeof(int32_t), err));
    SC_TRY(download(b, t->target + first, b->target.data, n * sizeof(int32_t), err));
    memcpy(t->label + first, hb->labels, n * sizeof(int32_t));
    for (int f = 0; f < SC_FIELD_COUNT; f++) {
        if (b->value[f].data)
            SC_TRY(download(b, t->value[f] + first, b->value[f].data, n * sizeof(float), err));
        if (b->curve[f].data && f != SC_FIELD_RANDOMISATION)
            SC_TRY(download(b, t->curve[f] + first * t->points[f], b->curve[f].data,
                            n * (size_t)t->points[f] * sizeof(float), err));
    }
    if (b->explainer) {
        SC_TRY(download(b, hb->gini, b->gini.data, n * sizeof(float), err));
        sc_metric_table_mark_degenerate(t, first, hb->gini, b->n);
    }
    return SC_OK;
}

static sc_status run_batch(sc_metric_batch *b, sc_metric_table *t, int64_t first,
                           host_batch *hb, sc_error *err) {
    const sc_metric_config *cfg = b->cfg;
    SC_TRY(prepare(b, err));
    SC_TRY(device_metrics(b, err));
    if (cfg->metrics & SC_METRIC_BIT(SC_METRIC_MAX_SENSITIVITY))
        SC_TRY(sc_metric_max_sensitivity(b, t->value[SC_FIELD_MAX_SENSITIVITY] + first, err));
    if (cfg->metrics & SC_METRIC_BIT(SC_METRIC_RANDOMISATION))
        SC_TRY(sc_metric_randomisation(b, t->curve[SC_FIELD_RANDOMISATION] +
                                              first * t->points[SC_FIELD_RANDOMISATION],
                                       t->value[SC_FIELD_RANDOMISATION] + first, err));
    return gather(b, t, first, hb, err);
}

/* The selection minus, with --correct-only, the samples predicted wrongly; clean accuracy. */
static sc_status keep_samples(const sc_dataset *ds, const sc_selection *sel, const int32_t *pred,
                              int correct_only, sc_selection *kept, double *accuracy,
                              sc_error *err) {
    kept->indices = malloc(((size_t)sel->count + 1) * sizeof *kept->indices);
    kept->count = 0;
    if (!kept->indices)
        return sc_fail(err, SC_ERR_OOM, "no host memory for %lld indices", (long long)sel->count);
    int64_t correct = 0;
    for (int64_t i = 0; i < sel->count; i++) {
        int ok = pred[i] == ds->labels[sel->indices[i]];
        correct += ok;
        if (ok || !correct_only)
            kept->indices[kept->count++] = sel->indices[i];
    }
    *accuracy = sel->count > 0 ? (double)correct / (double)sel->count : NAN;
    return SC_OK;
}

static sc_status evaluate_selected(sc_metric_batch *b, const sc_dataset *ds,
                                   const sc_selection *sel, host_batch *hb,
                                   sc_metric_progress_fn progress, void *progress_ctx,
                                   sc_metric_table *t, sc_error *err) {
    int32_t *pred = malloc(((size_t)sel->count + 1) * sizeof *pred);
    if (!pred)
        return sc_fail(err, SC_ERR_OOM, "no host memory for %lld predictions",
                       (long long)sel->count);
    sc_selection kept = {0};
    sc_status st = predict_all(b, ds, sel, hb, pred, err);
    if (st == SC_OK)
        st = keep_samples(ds, sel, pred, b->cfg->correct_only, &kept, &t->accuracy, err);
    free(pred);
    if (st == SC_OK)
        st = sc_metric_table_alloc(t, b->cfg, b->net, kept.count, err);
    t->selected = sel->count;
    for (int64_t first = 0; st == SC_OK && first < kept.count; first += b->capacity) {
        int n = (int)(kept.count - first < b->capacity ? kept.count - first : b->capacity);
        b->batch_index = (uint32_t)(first / b->capacity);
        memcpy(t->index + first, kept.indices + first, (size_t)n * sizeof *t->index);
        st = upload(b, ds, &kept, first, n, hb, err);
        if (st == SC_OK)
            st = run_batch(b, t, first, hb, err);
        if (st == SC_OK && progress)
            progress(progress_ctx, first + n, kept.count);
    }
    free(kept.indices);
    return st;
}

sc_status sc_metrics_evaluate(sc_net *net, const sc_dataset *ds, const sc_selection *sel,
                              const sc_metric_config *cfg, sc_metric_progress_fn progress,
                              void *progress_ctx, sc_metric_table *out, sc_error *err) {
    memset(out, 0, sizeof *out);
    SC_TRY(check_config(cfg, err));
    sc_metric_batch b;
    SC_TRY(sc_metric_batch_create(net, ds, cfg, &b, err));
    size_t image = (size_t)net->in_c * (size_t)net->in_h * (size_t)net->in_w;
    host_batch hb = {malloc((size_t)cfg->batch * image * sizeof(float)),
                     malloc((size_t)cfg->batch * sizeof(int32_t)),
                     malloc((size_t)cfg->batch * sizeof(float))};
    sc_status st = (hb.images && hb.labels && hb.gini)
                       ? SC_OK
                       : sc_fail(err, SC_ERR_OOM, "no host memory for a batch of %d images",
                                 cfg->batch);
    if (st == SC_OK)
        st = evaluate_selected(&b, ds, sel, &hb, progress, progress_ctx, out, err);
    if (st != SC_OK)
        sc_metric_table_free(out);
    free(hb.images);
    free(hb.labels);
    free(hb.gini);
    sc_metric_batch_destroy(&b);
    return st;
}
