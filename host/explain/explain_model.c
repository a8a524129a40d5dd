/* Loading a checkpoint for explanation (see explain_model.h). */
#include "explain_model.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* SC_ERR_USAGE naming what differs when the checkpoint's model does not fit ds. */
static sc_status check_fits(const char *path, const sc_checkpoint_meta *meta,
                            const sc_dataset *ds, sc_error *err) {
    const sc_model_spec *m = &meta->model;
    if (ds->channels != m->in_channels || ds->height != m->in_h || ds->width != m->in_w ||
        ds->num_classes != m->num_classes)
        return sc_fail(err, SC_ERR_USAGE, "%s was trained on %dx%dx%d images with %d classes; %s "
                       "has %dx%dx%d images with %d classes", path, m->in_channels, m->in_h,
                       m->in_w, m->num_classes, ds->name, ds->channels, ds->height, ds->width,
                       ds->num_classes);
    if (meta->norm_channels != ds->channels)
        return sc_fail(err, SC_ERR_USAGE, "%s records a normalisation of %d channels; %s has %d",
                       path, meta->norm_channels, ds->name, ds->channels);
    for (int c = 0; c < ds->channels; c++)
        if (fabsf(meta->norm_mean[c] - ds->mean[c]) > 1e-6f ||
            fabsf(meta->norm_std[c] - ds->std[c]) > 1e-6f)
            return sc_fail(err, SC_ERR_USAGE, "%s was trained with channel %d normalised by mean "
                           "%g, std %g; %s uses mean %g, std %g", path, c, meta->norm_mean[c],
                           meta->norm_std[c], ds->name, ds->mean[c], ds->std[c]);
    return SC_OK;
}

sc_status sc_explain_model_load(sc_backend *be, const char *checkpoint, const sc_dataset *ds,
                                sc_explain_model *out, sc_error *err) {
    memset(out, 0, sizeof *out);
    if (strlen(checkpoint) >= sizeof out->path)
        return sc_fail(err, SC_ERR_USAGE, "checkpoint path too long (%zu bytes, at most %zu)",
                       strlen(checkpoint), sizeof out->path - 1);
    snprintf(out->path, sizeof out->path, "%s", checkpoint);
    SC_TRY(sc_checkpoint_read_meta(checkpoint, &out->meta, err));
    SC_TRY(check_fits(checkpoint, &out->meta, ds, err));
    SC_TRY(sc_model_create(&out->meta.model, be, out->meta.seed, &out->net, err));
    sc_status st = sc_checkpoint_load(checkpoint, out->net, 0, err);
    if (st != SC_OK)
        sc_explain_model_free(out);
    return st;
}

void sc_explain_model_free(sc_explain_model *m) {
    sc_net_destroy(m->net);
    m->net = NULL;
}
