/* Progress line and summary table of `scaat evaluate` (see evaluate_cli.h). */
#include <string.h>
#include <unistd.h>

#include "evaluate_cli.h"
#include "host/core/log.h"

void sc_evaluate_progress_start(evaluate_progress *p, int model, int models, const char *label,
                                int batch) {
    memset(p, 0, sizeof *p);
    p->out = stderr;
    p->tty = isatty(fileno(stderr));
    p->model = model;
    p->models = models;
    p->label = label;
    p->batch = batch;
    p->started = p->last_print = sc_now_seconds();
}

void sc_evaluate_progress_update(void *ctx, int64_t done, int64_t total) {
    evaluate_progress *p = ctx;
    double now = sc_now_seconds(), elapsed = now - p->started;
    int last = done >= total;
    if (!last && now - p->last_print < (p->tty ? 0.25 : 10.0))
        return;
    p->last_print = now;
    double rate = elapsed > 0.0 ? (double)done / elapsed : 0.0;
    double eta = rate > 0.0 ? (double)(total - done) / rate : 0.0;
    int64_t batches = (total + p->batch - 1) / p->batch;
    int64_t batches_done = (done + p->batch - 1) / p->batch;
    fprintf(p->out, "%sscaat: evaluate %d/%d (%s): batch %lld/%lld, %.1f samples/s, ETA %.0f s%s",
            p->tty ? "\r" : "", p->model, p->models, p->label, (long long)batches_done,
            (long long)batches, rate, eta, p->tty ? "\033[K" : "\n");
    fflush(p->out);
}

void sc_evaluate_progress_finish(evaluate_progress *p) {
    if (p->tty)
        fputc('\n', p->out);
}

/* Width of a numeric column: its header, at least 8. */
static int column_width(const char *name) {
    int n = (int)strlen(name);
    return n > 8 ? n : 8;
}

void sc_evaluate_print_table(FILE *out, const sc_metrics_report *r) {
    if (r->n_runs < 1)
        return;
    const sc_metric_table *first = &r->runs[0].table;
    fprintf(out, "%-40s %-9s %8s %8s", "checkpoint", "mode", "accuracy", "samples");
    for (int f = 0; f < SC_FIELD_COUNT; f++)
        if (first->value[f])
            fprintf(out, " %*s", column_width(sc_metric_field_get(f)->name),
                    sc_metric_field_get(f)->name);
    fputc('\n', out);
    for (int i = 0; i < r->n_runs; i++) {
        const sc_metrics_run *run = &r->runs[i];
        char name[160];
        sc_metrics_run_name(run, name, sizeof name);
        fprintf(out, "%-40.40s %-9s %8.4f %8lld", name, run->mode, run->table.accuracy,
                (long long)run->table.count);
        for (int f = 0; f < SC_FIELD_COUNT; f++) {
            if (!first->value[f])
                continue;
            sc_metric_summary s;
            int width = column_width(sc_metric_field_get(f)->name);
            if (sc_metric_summarise(&run->table, f, &s, NULL) == SC_OK)
                fprintf(out, " %*.4f", width, s.mean);
            else
                fprintf(out, " %*s", width, "-");
            sc_metric_summary_free(&s);
        }
        fputc('\n', out);
    }
}
