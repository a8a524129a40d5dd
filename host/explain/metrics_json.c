/* metrics.json of `scaat evaluate` (see metrics_report.h). */
#include <stdio.h>

#include "host/core/json_write.h"
#include "host/train/run_files.h"
#include "metrics_report.h"

static void write_method(sc_json_writer *w, const sc_method_config *m) {
    sc_json_key(w, "method");
    sc_json_begin_object(w);
    sc_json_field_string(w, "name", sc_method_name(m->kind));
    sc_json_field_int(w, "smoothgrad_samples", m->samples);
    sc_json_field_float(w, "smoothgrad_noise", m->noise);
    sc_json_field_int(w, "ig_steps", m->steps);
    sc_json_field_int(w, "internal_batch", m->internal_batch);
    sc_json_field_uint(w, "seed", m->seed);
    sc_json_end_object(w);
}

/* The curve's p in percent: 0 (or 10), 10, ..., 90. */
static void write_percentages(sc_json_writer *w, const char *key, int first) {
    sc_json_key(w, key);
    sc_json_begin_array(w);
    for (int k = first; k < SC_METRIC_PERCENT_POINTS; k++)
        sc_json_value_int(w, 100 * k / SC_METRIC_PERCENT_POINTS);
    sc_json_end_array(w);
}

static void write_parameters(sc_json_writer *w, const sc_metrics_report *r) {
    const sc_metric_config *c = r->cfg;
    sc_json_key(w, "parameters");
    sc_json_begin_object(w);
    sc_json_key(w, "metrics");
    sc_json_begin_array(w);
    for (int m = 0; m < SC_METRIC_COUNT; m++)
        if (c->metrics & SC_METRIC_BIT(m))
            sc_json_value_string(w, sc_metric_name(m));
    sc_json_end_array(w);
    sc_json_field_int(w, "limit", r->limit);
    sc_json_field_bool(w, "correct_only", c->correct_only);
    sc_json_field_string(w, "target", c->target_label ? "label" : "pred");
    sc_json_field_int(w, "batch", c->batch);
    sc_json_field_int(w, "internal_batch", c->internal_batch);
    sc_json_field_uint(w, "seed", c->seed);
    sc_json_field_int(w, "deletion_steps", c->steps);
    sc_json_field_string(w, "deletion_score", "softmax probability of the clean prediction");
    sc_json_field_int(w, "insertion_blur_kernel", c->blur_kernel);
    sc_json_field_float(w, "insertion_blur_sigma", c->blur_sigma);
    write_percentages(w, "masked_accuracy_percent", 0);
    sc_json_field_string(w, "masked_accuracy_area", "trapezoid rule over p in [0, 0.9]");
    write_percentages(w, "road_percent", 1);
    sc_json_field_int(w, "road_jacobi_iterations", c->road_iterations);
    sc_json_field_float(w, "road_noise", c->road_noise);
    sc_json_field_int(w, "faithfulness_subsets", c->faith_subsets);
    sc_json_field_float(w, "faithfulness_fraction", c->faith_fraction);
    sc_json_field_int(w, "sensitivity_copies", c->sens_copies);
    sc_json_field_float(w, "sensitivity_radius", c->sens_radius);
    sc_json_field_float(w, "eps", c->eps);
    sc_json_field_int(w, "pgd_steps", c->pgd_steps);
    sc_json_field_double(w, "pgd_alpha", (double)c->pgd_alpha * c->eps / c->pgd_steps);
    sc_json_field_bool(w, "pgd_random_start", 1);
    sc_json_field_double(w, "fgsm_step", c->eps);
    sc_json_end_object(w);
}

static sc_status write_field(sc_json_writer *w, const sc_metric_table *t, sc_metric_field f,
                             sc_error *err) {
    sc_metric_summary s;
    SC_TRY(sc_metric_summarise(t, f, &s, err));
    sc_json_key(w, sc_metric_field_get(f)->name);
    sc_json_begin_object(w);
    sc_json_field_double(w, "mean", s.mean);
    sc_json_field_double(w, "std", s.std);
    sc_json_field_int(w, "count", s.count);
    sc_json_field_int(w, "degenerate", s.degenerate);
    sc_json_field_bool(w, "higher_is_better", sc_metric_field_get(f)->higher_better);
    if (s.curve_mean) {
        sc_json_key(w, "curve");
        sc_json_begin_array(w);
        for (int k = 0; k < s.points; k++)
            sc_json_value_double(w, s.curve_mean[k]);
        sc_json_end_array(w);
    }
    sc_json_end_object(w);
    sc_metric_summary_free(&s);
    return SC_OK;
}

static sc_status write_run(sc_json_writer *w, const sc_metrics_run *run, sc_error *err) {
    const sc_metric_table *t = &run->table;
    sc_json_begin_object(w);
    sc_json_field_string(w, "path", run->checkpoint);
    sc_json_field_string(w, "mode", run->mode);
    sc_json_field_string(w, "model", run->model);
    sc_json_field_int(w, "selected", t->selected);
    sc_json_field_double(w, "accuracy", t->accuracy);
    sc_json_field_int(w, "evaluated", t->count);
    sc_json_field_int(w, "degenerate_maps", t->degenerate_maps);
    sc_json_field_double(w, "seconds", run->seconds);
    sc_json_key(w, "metrics");
    sc_json_begin_object(w);
    for (int f = 0; f < SC_FIELD_COUNT; f++)
        if (t->value[f])
            SC_TRY(write_field(w, t, f, err));
    sc_json_end_object(w);
    sc_json_end_object(w);
    return SC_OK;
}

sc_status sc_metrics_write_json(const char *path, const sc_metrics_report *r, sc_error *err) {
    sc_json_writer w;
    sc_json_writer_init(&w, 2);
    sc_json_begin_object(&w);
    sc_json_field_string(&w, "dataset", r->dataset);
    if (r->data_dir)
        sc_json_field_string(&w, "data_dir", r->data_dir);
    sc_json_field_string(&w, "device", r->backend);
    sc_json_field_int(&w, "threads", r->threads);
    write_method(&w, &r->cfg->method);
    write_parameters(&w, r);
    sc_json_key(&w, "checkpoints");
    sc_json_begin_array(&w);
    sc_status st = SC_OK;
    for (int i = 0; i < r->n_runs && st == SC_OK; i++)
        st = write_run(&w, &r->runs[i], err);
    sc_json_end_array(&w);
    sc_json_end_object(&w);
    if (st == SC_OK)
        st = sc_write_json_file(path, &w, err);
    sc_json_writer_free(&w);
    return st;
}
