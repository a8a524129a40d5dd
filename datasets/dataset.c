/* The in-memory dataset (see dataset.h): the table of known datasets (default directory,
 * channel count, standard normalisation), loading by name, limit and free. */
#include "dataset.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cifar.h"
#include "idx.h"

typedef enum dataset_format { FORMAT_IDX, FORMAT_CIFAR10, FORMAT_CIFAR100 } dataset_format;

typedef struct dataset_spec {
    const char *name;
    const char *default_dir;
    dataset_format format;
    int channels;
    float mean[3];
    float std[3];
} dataset_spec;

static const dataset_spec k_dataset_specs[] = {
    {"fashion-mnist", "/usr/share/datasets/fashion-mnist", FORMAT_IDX, 1,
     {0.2860f}, {0.3530f}},
    {"mnist", "/usr/share/datasets/mnist", FORMAT_IDX, 1, {0.1307f}, {0.3081f}},
    {"cifar10", "./data/cifar-10-batches-bin", FORMAT_CIFAR10, 3,
     {0.4914f, 0.4822f, 0.4465f}, {0.2470f, 0.2435f, 0.2616f}},
    {"cifar100", "./data/cifar-100-binary", FORMAT_CIFAR100, 3,
     {0.5071f, 0.4865f, 0.4409f}, {0.2673f, 0.2564f, 0.2762f}},
};

#define DATASET_SPEC_COUNT ((int)(sizeof k_dataset_specs / sizeof k_dataset_specs[0]))

static const dataset_spec *find_spec(const char *name) {
    if (!name)
        return NULL;
    for (int i = 0; i < DATASET_SPEC_COUNT; i++)
        if (strcmp(k_dataset_specs[i].name, name) == 0)
            return &k_dataset_specs[i];
    return NULL;
}

const char *sc_dataset_default_dir(const char *name) {
    const dataset_spec *spec = find_spec(name);
    return spec ? spec->default_dir : NULL;
}

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

sc_status sc_dataset_set_standard_norm(sc_dataset *ds, sc_error *err) {
    const dataset_spec *spec = find_spec(ds->name);
    if (!spec)
        return sc_fail(err, SC_ERR_USAGE, "dataset '%s' has no standard normalisation", ds->name);
    if (spec->channels != ds->channels)
        return sc_fail(err, SC_ERR_FORMAT, "dataset %s: images have %d channels, expected %d",
                       ds->name, ds->channels, spec->channels);
    for (int c = 0; c < spec->channels; c++) {
        ds->mean[c] = spec->mean[c];
        ds->std[c] = spec->std[c];
    }
    return SC_OK;
}

sc_status sc_dataset_load(const char *name, const char *dir, int train, sc_dataset *out,
                          sc_error *err) {
    memset(out, 0, sizeof *out);
    const dataset_spec *spec = find_spec(name);
    if (!spec)
        return sc_fail(err, SC_ERR_USAGE,
                       "unknown dataset '%s' (expected fashion-mnist, mnist, cifar10 or cifar100)",
                       name ? name : "(null)");
    if (!dir)
        dir = spec->default_dir;
    sc_status st = SC_OK;
    switch (spec->format) {
    case FORMAT_IDX: st = sc_idx_load(dir, train, spec->name, out, err); break;
    case FORMAT_CIFAR10: st = sc_cifar10_load(dir, train, out, err); break;
    case FORMAT_CIFAR100: st = sc_cifar100_load(dir, train, out, err); break;
    }
    if (st == SC_OK)
        st = sc_dataset_set_standard_norm(out, err);
    if (st != SC_OK)
        sc_dataset_free(out);
    return st;
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
    memset(ds, 0, sizeof *ds);
}
