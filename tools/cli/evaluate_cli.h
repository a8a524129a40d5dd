/* `scaat evaluate`, shared between its files: the progress line on stderr and the summary
 * table on stdout (evaluate_print.c); cmd_evaluate.c parses the options and runs the models. */
#ifndef SC_EVALUATE_CLI_H
#define SC_EVALUATE_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "host/explain/metrics_report.h"

/* Progress of one model's evaluation: batches done / total, samples/s and ETA, rewritten in
 * place on a terminal, otherwise a plain line at most every 10 seconds and at the end. */
typedef struct evaluate_progress {
    FILE *out;
    int tty;
    int model, models; /* 1-based position of the model being evaluated */
    const char *label;
    int batch;
    double started, last_print;
} evaluate_progress;

void sc_evaluate_progress_start(evaluate_progress *p, int model, int models, const char *label,
                                int batch);
/* An sc_metric_progress_fn; ctx is the evaluate_progress. */
void sc_evaluate_progress_update(void *ctx, int64_t done, int64_t total);
void sc_evaluate_progress_finish(evaluate_progress *p);

/* One row per model: label, training mode, clean accuracy, evaluated samples and the mean of
 * every computed field; with several models this is the comparison. */
void sc_evaluate_print_table(FILE *out, const sc_metrics_report *r);

#endif
