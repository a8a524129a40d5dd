/* scaat bench --metrics: saliency-map and deletion-metric throughput on a synthetic batch
 * (bench_metrics.c), called by cmd_bench.c with the training bench's options. */
#ifndef SC_CLI_BENCH_METRICS_H
#define SC_CLI_BENCH_METRICS_H

#include "host/core/status.h"
#include "models/resnet.h"

typedef struct sc_bench_metrics_args {
    const sc_model_spec *spec;
    const char *device;    /* auto | cpu | cuda */
    const char *precision; /* fp32 | tf32, printed */
    int tf32, threads;
    int batch;
    int repeats, warmup; /* timed and untimed passes of each part */
    int steps;           /* deletion steps (100, as the PyTorch peer) */
} sc_bench_metrics_args;

/* Prints two JSON lines: "saliency+gini" (maps_per_s, gini_mean) and "deletion_auc"
 * (samples_per_s, auc_mean). */
sc_status sc_bench_metrics_run(const sc_bench_metrics_args *a, sc_error *err);

#endif
