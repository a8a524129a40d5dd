/* PNG plots of the mean curves of `scaat evaluate`, one line per model (see metrics_report.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics_report.h"
#include "plot.h"

typedef struct curve_plot {
    sc_metric_field field;
    const char *file, *title, *x_label, *y_label;
} curve_plot;

static const curve_plot plots[] = {
    {SC_FIELD_DELETION, "deletion.png", "Deletion (lower is better)",
     "fraction of pixels removed (most salient first)", "probability of the clean prediction"},
    {SC_FIELD_INSERTION, "insertion.png", "Insertion (higher is better)",
     "fraction of pixels restored (most salient first)", "probability of the clean prediction"},
    {SC_FIELD_MASKED_ACCURACY, "masked_accuracy.png", "Masked accuracy (steeper drop is better)",
     "fraction of most salient pixels set to 0", "accuracy"},
    {SC_FIELD_ROAD_MORF, "road_morf.png", "ROAD, most relevant first (steeper drop is better)",
     "fraction of pixels imputed", "accuracy"},
    {SC_FIELD_ROAD_LERF, "road_lerf.png", "ROAD, least relevant first (flatter is better)",
     "fraction of pixels imputed", "accuracy"},
    {SC_FIELD_RANDOMISATION, "randomisation.png", "Cascading randomisation (lower is better)",
     "parameterised layers re-initialised from the top",
     "Spearman correlation with the original map"},
};

void sc_metrics_run_name(const sc_metrics_run *run, char *buf, size_t len) {
    const char *path = run->checkpoint, *start = path;
    int slashes = 0;
    for (const char *p = path + strlen(path); p > path; p--)
        if (p[-1] == '/' && ++slashes == 2) {
            start = p;
            break;
        }
    snprintf(buf, len, "%s", start);
}

/* x of point k of a field's curve. */
static double point_x(const sc_metric_config *c, sc_metric_field f, int k) {
    if (f == SC_FIELD_DELETION || f == SC_FIELD_INSERTION)
        return (double)k / c->steps;
    if (f == SC_FIELD_RANDOMISATION)
        return k + 1;
    return (double)k / SC_METRIC_PERCENT_POINTS;
}

typedef struct plot_data {
    sc_plot_series series[SC_METRICS_MAX_RUNS];
    sc_metric_summary summary[SC_METRICS_MAX_RUNS];
    double *x[SC_METRICS_MAX_RUNS];
    char label[SC_METRICS_MAX_RUNS][160];
    int n;
} plot_data;

static void plot_data_free(plot_data *d) {
    for (int i = 0; i < d->n; i++) {
        sc_metric_summary_free(&d->summary[i]);
        free(d->x[i]);
    }
}

static sc_status collect(const sc_metrics_report *r, sc_metric_field f, plot_data *d,
                         sc_error *err) {
    d->n = 0;
    for (int i = 0; i < r->n_runs && d->n < SC_METRICS_MAX_RUNS; i++) {
        int j = d->n;
        SC_TRY(sc_metric_summarise(&r->runs[i].table, f, &d->summary[j], err));
        d->n++;
        int points = d->summary[j].points;
        d->x[j] = malloc(((size_t)points + 1) * sizeof(double));
        if (!d->x[j])
            return sc_fail(err, SC_ERR_OOM, "no host memory for a plot");
        for (int k = 0; k < points; k++)
            d->x[j][k] = point_x(r->cfg, f, k);
        char name[140];
        sc_metrics_run_name(&r->runs[i], name, sizeof name);
        snprintf(d->label[j], sizeof d->label[j], "%s (%s)", name, r->runs[i].mode);
        d->series[j] = (sc_plot_series){d->label[j], d->x[j], d->summary[j].curve_mean, points};
    }
    return SC_OK;
}

static sc_status write_plot(const char *dir, const sc_metrics_report *r, const curve_plot *cp,
                            sc_error *err) {
    plot_data d = {0};
    sc_status st = collect(r, cp->field, &d, err);
    char path[1200];
    snprintf(path, sizeof path, "%s/%s", dir, cp->file);
    sc_plot p = {cp->title, cp->x_label, cp->y_label, d.series, d.n, 0, 0};
    if (st == SC_OK)
        st = sc_plot_png(path, &p, err);
    plot_data_free(&d);
    return st;
}

sc_status sc_metrics_write_plots(const char *dir, const sc_metrics_report *r, int *written,
                                 sc_error *err) {
    *written = 0;
    if (!sc_plot_available())
        return sc_fail(err, SC_ERR_UNSUPPORTED, "this build has no cairo: no PNG plots");
    if (r->n_runs < 1)
        return SC_OK;
    for (size_t i = 0; i < sizeof plots / sizeof plots[0]; i++) {
        if (!sc_metric_field_on(r->cfg, plots[i].field) || r->runs[0].table.count == 0)
            continue;
        SC_TRY(write_plot(dir, r, &plots[i], err));
        (*written)++;
    }
    return SC_OK;
}
