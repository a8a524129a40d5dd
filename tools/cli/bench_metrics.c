/* scaat bench --metrics: throughput of the evaluation's own device code path (host/explain's
 * metric batch) on a synthetic batch, mirroring the PyTorch peer's metrics_bench
 * (shared/peer/peer_scaat.py): random N(0, 1) inputs, a randomly initialised model, BN in eval
 * mode. Part (a): vanilla-gradient maps for random target labels + per-sample Gini; part (b):
 * the class predicted on the clean x, the pixel ranking of the map, the deletion curve of
 * `steps` + 1 points and its AUC (sc_metric_deletion). Each part runs `warmup` untimed passes,
 * then `repeats` timed passes between two backend timer marks (CUDA events / monotonic clock).
 * metric_batch.h is internal to host/explain; the bench uses it so that it times exactly what
 * `scaat evaluate` runs per batch, with no copy of its op sequence. */
#include "bench_metrics.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "host/core/rng.h"
#include "host/explain/metric_batch.h"

/* Random inputs into b->x and random labels into b->target (the explained class). */
static sc_status fill_synthetic(sc_metric_batch *b, int classes, sc_error *err) {
    sc_backend *be = b->be;
    sc_tensor x = sc_metric_cur(b, &b->x);
    SC_TRY(sc_metric_op(b, be->ops->rng_normal(be, sc_rng_key_make(0, 0, SC_RNG_TEST), 0.0f,
                                               1.0f, &x),
                        "synthetic inputs", err));
    int32_t *labels = malloc(sizeof(int32_t) * (size_t)b->n);
    if (!labels)
        return sc_fail(err, SC_ERR_OOM, "no host memory for labels");
    sc_rng_key key = sc_rng_key_make(0, 1, SC_RNG_TEST);
    for (int i = 0; i < b->n; i++)
        labels[i] = (int32_t)sc_rng_below(key, (uint64_t)i, (uint32_t)classes);
    sc_status st = be->ops->upload(be, b->target.data, labels, sizeof(int32_t) * (size_t)b->n);
    free(labels);
    return sc_metric_op(b, st, "synthetic labels", err);
}

/* (a) maps of x for the targets, their Gini (the driver's validity pass) and the Gini field. */
static sc_status saliency_gini(sc_metric_batch *b, sc_error *err) {
    sc_backend *be = b->be;
    sc_tensor x = sc_metric_cur(b, &b->x), target = sc_metric_cur(b, &b->target);
    sc_tensor map = sc_metric_cur(b, &b->map), gini = sc_metric_cur(b, &b->gini);
    SC_TRY(sc_explainer_run(b->explainer, &x, &target, &map, NULL, err));
    SC_TRY(sc_metric_op(b, be->ops->map_gini(be, &map, &gini, NULL), "map gini", err));
    return sc_metric_sparsity(b, err);
}

/* (b) the clean prediction, the ranks of the map and the deletion curve + AUC. */
static sc_status deletion(sc_metric_batch *b, sc_error *err) {
    sc_backend *be = b->be;
    sc_tensor x = sc_metric_cur(b, &b->x), pred = sc_metric_cur(b, &b->pred);
    sc_tensor map = sc_metric_cur(b, &b->map), ranks = sc_metric_cur(b, &b->ranks);
    SC_TRY(sc_metric_predict(b, &x, &pred, err));
    SC_TRY(sc_metric_op(b, be->ops->rank_pixels(be, &map, &ranks), "pixel ranks", err));
    return sc_metric_deletion(b, err);
}

typedef sc_status (*part_fn)(sc_metric_batch *b, sc_error *err);

/* Seconds per pass of one part after its warm-up. */
static sc_status time_part(sc_metric_batch *b, part_fn part, int warmup, int repeats,
                           double *seconds, sc_error *err) {
    sc_backend *be = b->be;
    for (int i = 0; i < warmup; i++)
        SC_TRY(part(b, err));
    SC_TRY(sc_metric_op(b, be->ops->timer_mark(be, 0), "timer", err));
    for (int i = 0; i < repeats; i++)
        SC_TRY(part(b, err));
    SC_TRY(sc_metric_op(b, be->ops->timer_mark(be, 1), "timer", err));
    SC_TRY(sc_metric_op(b, be->ops->timer_elapsed(be, 0, 1, seconds), "timer", err));
    *seconds /= repeats;
    return SC_OK;
}

/* Mean of the finite values of a field's device row (n). */
static sc_status field_mean(sc_metric_batch *b, sc_metric_field f, double *mean, sc_error *err) {
    float *v = malloc(sizeof(float) * (size_t)b->n);
    if (!v)
        return sc_fail(err, SC_ERR_OOM, "no host memory for results");
    sc_status st = sc_metric_op(b, b->be->ops->download(b->be, v, b->value[f].data,
                                                        sizeof(float) * (size_t)b->n),
                                "reading results", err);
    double sum = 0.0;
    int count = 0;
    for (int i = 0; st == SC_OK && i < b->n; i++)
        if (isfinite(v[i])) {
            sum += v[i];
            count++;
        }
    free(v);
    *mean = count > 0 ? sum / count : NAN;
    return st;
}

static void print_line(const sc_bench_metrics_args *a, const char *be_name, const char *what,
                       const char *fields) {
    printf("{\"engine\": \"scaat\", \"what\": \"%s\", \"device\": \"%s\", \"model\": \"%s\", "
           "\"stem\": \"%s\", \"size\": %d, \"channels\": %d, \"batch\": %d, "
           "\"precision\": \"%s\", %s}\n",
           what, be_name, a->spec->name, a->spec->stem, a->spec->in_h, a->spec->in_channels,
           a->batch, a->precision, fields);
}

static sc_status bench_batch(const sc_bench_metrics_args *a, sc_metric_batch *b,
                             sc_error *err) {
    b->n = a->batch;
    b->batch_index = 0;
    SC_TRY(fill_synthetic(b, a->spec->num_classes, err));
    double t_maps = 0.0, t_del = 0.0, gini = NAN, auc = NAN;
    SC_TRY(time_part(b, saliency_gini, a->warmup, a->repeats, &t_maps, err));
    SC_TRY(time_part(b, deletion, a->warmup, a->repeats, &t_del, err));
    SC_TRY(field_mean(b, SC_FIELD_GINI, &gini, err));
    SC_TRY(field_mean(b, SC_FIELD_DELETION, &auc, err));
    char fields[160];
    snprintf(fields, sizeof fields, "\"ms\": %.3f, \"maps_per_s\": %.1f, \"gini_mean\": %.4f",
             1e3 * t_maps, a->batch / t_maps, gini);
    print_line(a, b->be->name, "saliency+gini", fields);
    snprintf(fields, sizeof fields,
             "\"steps\": %d, \"ms\": %.3f, \"samples_per_s\": %.1f, \"auc_mean\": %.4f", a->steps,
             1e3 * t_del, a->batch / t_del, auc);
    print_line(a, b->be->name, "deletion_auc", fields);
    fflush(stdout);
    return SC_OK;
}

sc_status sc_bench_metrics_run(const sc_bench_metrics_args *a, sc_error *err) {
    sc_backend_config bc = sc_backend_config_default();
    bc.tf32 = a->tf32;
    bc.threads = a->threads;
    sc_backend *be = NULL;
    sc_net *net = NULL;
    SC_TRY(sc_backend_create(a->device, &bc, &be, err));
    sc_status st = sc_model_create(a->spec, be, 0, &net, err);
    /* The metric batch reads only the normalisation of the dataset (for the attacks, off here). */
    sc_dataset ds = {.name = "synthetic", .channels = a->spec->in_channels,
                     .height = a->spec->in_h, .width = a->spec->in_w,
                     .num_classes = a->spec->num_classes};
    for (int c = 0; c < SC_DATASET_MAX_CHANNELS; c++) {
        ds.mean[c] = 0.5f;
        ds.std[c] = 0.25f;
    }
    sc_metric_config cfg;
    sc_metric_config_default(&cfg);
    cfg.metrics = SC_METRIC_BIT(SC_METRIC_GINI) | SC_METRIC_BIT(SC_METRIC_DELETION);
    cfg.batch = cfg.internal_batch = a->batch; /* one copy of the batch per forward, as the peer */
    cfg.steps = a->steps;
    sc_metric_batch b;
    int have_batch = 0;
    if (st == SC_OK && a->spec->in_channels > SC_DATASET_MAX_CHANNELS)
        st = sc_fail(err, SC_ERR_USAGE, "bench --metrics: at most %d channels",
                     SC_DATASET_MAX_CHANNELS);
    if (st == SC_OK) {
        st = sc_metric_batch_create(net, &ds, &cfg, &b, err);
        have_batch = st == SC_OK;
    }
    if (st == SC_OK)
        st = bench_batch(a, &b, err);
    if (have_batch)
        sc_metric_batch_destroy(&b);
    sc_net_destroy(net);
    sc_backend_destroy(be);
    return st;
}
