/* metrics.csv of `scaat evaluate`: one row per (model, sample) with the checkpoint, dataset
 * index, label, explained class, prediction, every computed scalar and every curve point
 * (deletion_0..deletion_S, ...). Non-finite values are written as "nan". Built in memory,
 * then written atomically. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/core/fileio.h"
#include "metrics_report.h"

typedef struct text {
    char *buf;
    size_t len, cap;
    int failed;
} text;

static void append(text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void append(text *t, const char *fmt, ...) {
    if (t->failed)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(t->buf ? t->buf + t->len : NULL, t->buf ? t->cap - t->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            t->failed = 1;
            return;
        }
        if (t->buf && t->len + (size_t)n < t->cap) {
            t->len += (size_t)n;
            return;
        }
        size_t cap = (t->cap ? t->cap * 2 : 1 << 16) + (size_t)n;
        char *grown = realloc(t->buf, cap);
        if (!grown) {
            t->failed = 1;
            return;
        }
        t->buf = grown;
        t->cap = cap;
    }
}

static void append_number(text *t, float v) {
    if (isfinite(v))
        append(t, ",%.9g", (double)v);
    else
        append(t, ",nan");
}

/* A CSV field in double quotes, inner quotes doubled. */
static void append_quoted(text *t, const char *s) {
    append(t, "\"");
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            append(t, "\"\"");
        else
            append(t, "%c", *p);
    }
    append(t, "\"");
}

/* Every run computes the same fields; curve lengths may differ between models (randomisation
 * has one point per parameterised layer), so each curve gets the longest run's columns and
 * shorter rows are padded with empty cells. */
static void curve_columns(const sc_metrics_report *r, int *columns) {
    for (int f = 0; f < SC_FIELD_COUNT; f++) {
        columns[f] = 0;
        for (int i = 0; i < r->n_runs; i++)
            if (r->runs[i].table.value[f] && r->runs[i].table.points[f] > columns[f])
                columns[f] = r->runs[i].table.points[f];
    }
}

static void header(text *t, const sc_metric_table *first, const int *columns) {
    append(t, "checkpoint,index,label,target,prediction");
    for (int f = 0; f < SC_FIELD_COUNT; f++)
        if (first->value[f])
            append(t, ",%s", sc_metric_field_get(f)->name);
    for (int f = 0; f < SC_FIELD_COUNT; f++)
        for (int k = 0; k < columns[f]; k++)
            append(t, ",%s_%d", sc_metric_field_get(f)->curve, k);
    append(t, "\n");
}

static void rows(text *t, const sc_metrics_run *run, const int *columns) {
    const sc_metric_table *tab = &run->table;
    for (int64_t i = 0; i < tab->count; i++) {
        append_quoted(t, run->checkpoint);
        append(t, ",%lld,%d,%d,%d", (long long)tab->index[i], tab->label[i], tab->target[i],
               tab->pred[i]);
        for (int f = 0; f < SC_FIELD_COUNT; f++)
            if (tab->value[f])
                append_number(t, tab->value[f][i]);
        for (int f = 0; f < SC_FIELD_COUNT; f++)
            for (int k = 0; k < columns[f]; k++) {
                if (k < tab->points[f])
                    append_number(t, tab->curve[f][i * tab->points[f] + k]);
                else
                    append(t, ",");
            }
        append(t, "\n");
    }
}

sc_status sc_metrics_write_csv(const char *path, const sc_metrics_report *r, sc_error *err) {
    text t = {0};
    int columns[SC_FIELD_COUNT];
    curve_columns(r, columns);
    if (r->n_runs > 0)
        header(&t, &r->runs[0].table, columns);
    for (int i = 0; i < r->n_runs; i++)
        rows(&t, &r->runs[i], columns);
    sc_status st = t.failed ? sc_fail(err, SC_ERR_OOM, "no host memory for %s", path)
                            : sc_file_write_atomic(path, t.buf, t.len, err);
    free(t.buf);
    return st;
}
