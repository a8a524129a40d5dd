/* Per-sample result tables and their summaries (see metrics.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "metric_table.h"

sc_status sc_metric_table_alloc(sc_metric_table *t, const sc_metric_config *cfg,
                                const sc_net *net, int64_t count, sc_error *err) {
    size_t rows = (size_t)count + 1; /* never a zero-byte allocation */
    t->count = count;
    t->index = malloc(rows * sizeof *t->index);
    t->label = malloc(rows * sizeof *t->label);
    t->target = malloc(rows * sizeof *t->target);
    t->pred = malloc(rows * sizeof *t->pred);
    int ok = t->index && t->label && t->target && t->pred;
    for (int f = 0; f < SC_FIELD_COUNT && ok; f++) {
        if (!sc_metric_field_on(cfg, f))
            continue;
        t->points[f] = sc_metric_field_points(cfg, net, f);
        t->value[f] = malloc(rows * sizeof(float));
        ok = t->value[f] != NULL;
        if (ok && t->points[f] > 0) {
            t->curve[f] = malloc(rows * (size_t)t->points[f] * sizeof(float));
            ok = t->curve[f] != NULL;
        }
    }
    if (ok)
        return SC_OK;
    sc_metric_table_free(t);
    return sc_fail(err, SC_ERR_OOM, "no host memory for the results of %lld samples",
                   (long long)count);
}

void sc_metric_table_free(sc_metric_table *t) {
    free(t->index);
    free(t->label);
    free(t->target);
    free(t->pred);
    for (int f = 0; f < SC_FIELD_COUNT; f++) {
        free(t->value[f]);
        free(t->curve[f]);
    }
    memset(t, 0, sizeof *t);
}

void sc_metric_table_mark_degenerate(sc_metric_table *t, int64_t first, const float *gini,
                                     int64_t n) {
    for (int64_t i = 0; i < n; i++) {
        if (!isnan(gini[i]))
            continue;
        t->degenerate_maps++;
        for (int f = 0; f < SC_FIELD_COUNT; f++)
            if (t->value[f] && sc_metric_field_get(f)->map_based)
                t->value[f][first + i] = NAN;
    }
}

/* Mean over the samples with a finite scalar of each curve point that is finite. */
static void curve_mean(const sc_metric_table *t, sc_metric_field f, double *out) {
    int points = t->points[f];
    for (int k = 0; k < points; k++) {
        double sum = 0.0;
        int64_t count = 0;
        for (int64_t i = 0; i < t->count; i++) {
            float v = t->curve[f][i * points + k];
            if (isfinite(t->value[f][i]) && isfinite(v)) {
                sum += v;
                count++;
            }
        }
        out[k] = count > 0 ? sum / (double)count : NAN;
    }
}

sc_status sc_metric_summarise(const sc_metric_table *t, sc_metric_field f, sc_metric_summary *out,
                              sc_error *err) {
    memset(out, 0, sizeof *out);
    out->mean = out->std = NAN;
    if (!t->value[f])
        return SC_OK;
    double sum = 0.0;
    for (int64_t i = 0; i < t->count; i++) {
        if (isfinite(t->value[f][i])) {
            sum += t->value[f][i];
            out->count++;
        } else {
            out->degenerate++;
        }
    }
    if (out->count > 0) {
        out->mean = sum / (double)out->count;
        double sq = 0.0;
        for (int64_t i = 0; i < t->count; i++)
            if (isfinite(t->value[f][i]))
                sq += (t->value[f][i] - out->mean) * (t->value[f][i] - out->mean);
        out->std = sqrt(sq / (double)out->count);
    }
    if (t->points[f] > 0) {
        out->curve_mean = malloc((size_t)t->points[f] * sizeof *out->curve_mean);
        if (!out->curve_mean)
            return sc_fail(err, SC_ERR_OOM, "no host memory for a mean curve");
        out->points = t->points[f];
        curve_mean(t, f, out->curve_mean);
    }
    return SC_OK;
}

void sc_metric_summary_free(sc_metric_summary *s) {
    free(s->curve_mean);
    s->curve_mean = NULL;
}
