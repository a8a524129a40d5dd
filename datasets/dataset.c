/* The in-memory dataset (see dataset.h): allocation, limit and free. Loading by name and the
 * standard normalisations are in registry.c, the table of readers. */
#include "dataset.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

sc_status sc_dataset_alloc(sc_dataset *ds, const char *name, int64_t count, int channels,
                           int height, int width, int num_classes, sc_error *err) {
    memset(ds, 0, sizeof *ds);
    if (count <= 0 || channels <= 0 || channels > SC_DATASET_MAX_CHANNELS || height <= 0 ||
        width <= 0 || num_classes <= 0)
        return sc_fail(err, SC_ERR_USAGE,
                       "dataset %s: invalid shape: %lld images of (%d, %d, %d), %d classes "
                       "(expected positive sizes, at most %d channels)",
                       name, (long long)count, channels, height, width, num_classes,
                       SC_DATASET_MAX_CHANNELS);
    size_t image_bytes = (size_t)channels * (size_t)height * (size_t)width;
    ds->images = calloc((size_t)count, image_bytes);
    ds->labels = calloc((size_t)count, sizeof *ds->labels);
    if (!ds->images || !ds->labels) {
        sc_dataset_free(ds);
        return sc_fail(err, SC_ERR_OOM, "dataset %s: cannot allocate %lld images of %zu bytes",
                       name, (long long)count, image_bytes);
    }
    snprintf(ds->name, sizeof ds->name, "%s", name);
    ds->count = count;
    ds->channels = channels;
    ds->height = height;
    ds->width = width;
    ds->num_classes = num_classes;
    for (int c = 0; c < SC_DATASET_MAX_CHANNELS; c++) {
        ds->mean[c] = 0.0f;
        ds->std[c] = 1.0f;
    }
    return SC_OK;
}

void sc_dataset_limit(sc_dataset *ds, int64_t limit) {
    if (limit > 0 && limit < ds->count)
        ds->count = limit;
}

int64_t sc_dataset_image_bytes(const sc_dataset *ds) {
    return (int64_t)ds->channels * ds->height * ds->width;
}

void sc_dataset_free(sc_dataset *ds) {
    if (!ds)
        return;
    free(ds->images);
    free(ds->labels);
    free(ds->class_names);
    memset(ds, 0, sizeof *ds);
}
