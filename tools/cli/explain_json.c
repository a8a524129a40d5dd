/* explain.json of `scaat explain` (see explain_cli.h): the parameters used, the checkpoints
 * with their training modes, and one entry per image with each checkpoint's result. */
#include <stdio.h>

#include "datasets/class_names.h"
#include "explain_cli.h"
#include "host/core/json_write.h"
#include "host/train/run_files.h"

static void write_parameters(sc_json_writer *w, const explain_options *o, const sc_dataset *ds,
                             const char *device) {
    const sc_method_config *m = &o->method;
    sc_json_field_string(w, "method", sc_method_name(m->kind));
    sc_json_field_string(w, "target", o->target_label ? "label" : "pred");
    sc_json_key(w, "parameters");
    sc_json_begin_object(w);
    sc_json_field_string(w, "reduce", "mean over channels of |map|");
    sc_json_field_string(w, "bn", "eval");
    if (m->kind == SC_METHOD_SMOOTHGRAD) {
        sc_json_field_int(w, "samples", m->samples);
        sc_json_field_float(w, "noise", m->noise);
        sc_json_field_uint(w, "seed", m->seed);
        sc_json_field_string(w, "noise_key", "(seed, copy index, noise) over the batch's images");
    }
    if (m->kind == SC_METHOD_INTEGRATED_GRADIENTS) {
        sc_json_field_int(w, "steps", m->steps);
        sc_json_field_string(w, "quadrature", "gauss-legendre on [0,1]");
        sc_json_field_string(w, "baseline", "0 (the dataset mean)");
    }
    if (m->kind == SC_METHOD_GRADCAM)
        sc_json_field_string(w, "layer", "the input of the global-average pool");
    if (m->kind == SC_METHOD_SMOOTHGRAD || m->kind == SC_METHOD_INTEGRATED_GRADIENTS)
        sc_json_field_int(w, "internal_batch", m->internal_batch ? m->internal_batch : o->batch);
    sc_json_field_int(w, "batch", o->batch);
    sc_json_end_object(w);
    sc_json_key(w, "dataset");
    sc_json_begin_object(w);
    sc_json_field_string(w, "name", ds->name);
    const char *dir = o->session.data_dir;
    sc_json_field_string(w, "dir", dir[0] ? dir : sc_dataset_default_dir(ds->name));
    sc_json_field_string(w, "split", "test");
    sc_json_key(w, "mean");
    sc_json_begin_array(w);
    for (int c = 0; c < ds->channels; c++)
        sc_json_value_float(w, ds->mean[c]);
    sc_json_end_array(w);
    sc_json_key(w, "std");
    sc_json_begin_array(w);
    for (int c = 0; c < ds->channels; c++)
        sc_json_value_float(w, ds->std[c]);
    sc_json_end_array(w);
    sc_json_end_object(w);
    sc_json_key(w, "selection");
    sc_json_begin_object(w);
    if (o->session.indices[0])
        sc_json_field_string(w, "indices", o->session.indices);
    else
        sc_json_field_int(w, "limit", o->session.limit);
    sc_json_end_object(w);
    sc_json_field_string(w, "device", device);
    sc_json_field_int(w, "threads", o->session.threads);
    sc_json_field_bool(w, "raw", o->raw);
    sc_json_field_int(w, "scale", sc_explain_scale(ds->height, ds->width));
}

static void write_checkpoints(sc_json_writer *w, const sc_explain_model *models,
                              const explain_results *r) {
    sc_json_key(w, "checkpoints");
    sc_json_begin_array(w);
    for (int ck = 0; ck < r->n_checkpoints; ck++) {
        const sc_checkpoint_meta *m = &models[ck].meta;
        sc_json_begin_object(w);
        sc_json_field_string(w, "path", models[ck].path);
        sc_json_field_string(w, "name", r->names[ck]);
        sc_json_field_string(w, "model", m->model.name);
        sc_json_field_string(w, "mode", m->mode);
        sc_json_field_string(w, "dataset", m->dataset);
        sc_json_field_int(w, "epoch", m->epoch);
        sc_json_field_double(w, "test_accuracy", m->test_accuracy);
        sc_json_end_object(w);
    }
    sc_json_end_array(w);
}

static void write_images(sc_json_writer *w, const sc_dataset *ds, const sc_selection *sel,
                         const explain_results *r) {
    sc_json_key(w, "images");
    sc_json_begin_array(w);
    for (int64_t i = 0; i < sel->count; i++) {
        int64_t index = sel->indices[i];
        char name[48];
        sc_json_begin_object(w);
        sc_json_field_int(w, "index", index);
        sc_json_field_int(w, "label", ds->labels[index]);
        sc_json_field_string(w, "class", sc_dataset_class_name(ds, ds->labels[index], name, sizeof name));
        sc_json_key(w, "results");
        sc_json_begin_array(w);
        for (int ck = 0; ck < r->n_checkpoints; ck++) {
            size_t at = (size_t)ck * (size_t)r->count + (size_t)i;
            sc_json_begin_object(w);
            sc_json_field_string(w, "checkpoint", r->names[ck]);
            sc_json_field_int(w, "target", r->targets[at]);
            sc_json_field_int(w, "prediction", r->predictions[at]);
            if (r->ig_gaps)
                sc_json_field_float(w, "ig_gap", r->ig_gaps[at]);
            sc_json_end_object(w);
        }
        sc_json_end_array(w);
        sc_json_end_object(w);
    }
    sc_json_end_array(w);
}

sc_status sc_explain_write_json(const explain_options *o, const sc_dataset *ds,
                                const sc_selection *sel, const sc_explain_model *models,
                                const explain_results *r, const char *device, sc_error *err) {
    sc_json_writer w;
    sc_json_writer_init(&w, 2);
    sc_json_begin_object(&w);
    sc_json_field_string(&w, "command", "explain");
    write_parameters(&w, o, ds, device);
    write_checkpoints(&w, models, r);
    write_images(&w, ds, sel, r);
    sc_json_end_object(&w);
    char path[1100];
    snprintf(path, sizeof path, "%s/explain.json", o->out_dir);
    sc_status st = sc_write_json_file(path, &w, err);
    sc_json_writer_free(&w);
    return st;
}
