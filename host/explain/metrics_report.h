/* The files of `scaat evaluate`: metrics.json (per model: path, training mode, accuracy, and per
 * field mean, std, count, degenerate count and mean curve; every parameter used),
 * metrics.csv (one row per sample and model, curve points as columns), both written
 * atomically, and PNG plots of the mean curves with one line per model. */
#ifndef SC_METRICS_REPORT_H
#define SC_METRICS_REPORT_H

#include "metrics.h"

/* Models compared in one report. */
#define SC_METRICS_MAX_RUNS 16

/* One evaluated model. */
typedef struct sc_metrics_run {
    const char *checkpoint; /* path as given */
    const char *mode;       /* training mode recorded in the checkpoint */
    const char *model;      /* "resnet8", ... */
    sc_metric_table table;
    double seconds;         /* wall time of its evaluation */
} sc_metrics_run;

typedef struct sc_metrics_report {
    const char *dataset;  /* canonical name */
    const char *data_dir; /* NULL = the default directory */
    const char *backend;  /* "cpu" / "cuda" */
    int threads;
    int64_t limit;        /* 0 = the whole test split */
    const sc_metric_config *cfg;
    const sc_metrics_run *runs; /* (n_runs) */
    int n_runs;
} sc_metrics_report;

sc_status sc_metrics_write_json(const char *path, const sc_metrics_report *r, sc_error *err);
sc_status sc_metrics_write_csv(const char *path, const sc_metrics_report *r, sc_error *err);
/* One PNG per curve field that was computed (deletion.png, insertion.png,
 * masked_accuracy.png, road_morf.png, road_lerf.png, randomisation.png) into dir; *written
 * counts them. SC_ERR_UNSUPPORTED (nothing written) in a build without cairo. */
sc_status sc_metrics_write_plots(const char *dir, const sc_metrics_report *r, int *written,
                                 sc_error *err);

/* A short name of a run's checkpoint: "<parent dir>/<file name>" (the path's last two parts). */
void sc_metrics_run_name(const sc_metrics_run *run, char *buf, size_t len);

#endif
