/* The in-memory sample source (see source.h): IDX and CIFAR splits held as uint8 pixels, with
 * the zero-padded random crop, flip and normalisation of augment.h. A sample is written by
 * sc_batch_write_sample, as sc_batch_assemble writes it, so batches are bit-identical to the
 * loader's of before. */
#include "source.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "class_names.h"

typedef struct memory_source {
    const sc_dataset *ds;
    sc_dataset owned; /* the dataset when the source owns it */
    sc_augment_config augment;
    sc_normalizer norm;
} memory_source;

static sc_status memory_scratch_create(const sc_source *src, void **scratch, sc_error *err) {
    (void)src;
    (void)err;
    *scratch = NULL;
    return SC_OK;
}

static void memory_scratch_free(void *scratch) {
    (void)scratch;
}

static sc_status memory_read_sample(const sc_source *src, void *scratch,
                                    const sc_sample_request *req, float *dst, sc_error *err) {
    (void)scratch;
    (void)err;
    const memory_source *m = src->impl;
    sc_batch_write_sample(m->ds, &m->augment, &m->norm, req->seed, req->global_step,
                          req->position, req->index, dst);
    return SC_OK;
}

static const char *memory_sample_name(const sc_source *src, int64_t index, char *buf,
                                      size_t len) {
    snprintf(buf, len, "%s sample %lld", src->name, (long long)index);
    return buf;
}

static void memory_close(sc_source *src) {
    memory_source *m = src->impl;
    sc_dataset_free(&m->owned);
    free(m);
}

static const sc_source_ops k_memory_ops = {memory_scratch_create, memory_scratch_free,
                                           memory_read_sample, memory_sample_name, memory_close};

static sc_status check_augment(const sc_dataset *ds, const sc_augment_config *augment,
                               sc_error *err) {
    int largest_side = ds->height > ds->width ? ds->height : ds->width;
    if (augment->crop_padding < 0 || augment->crop_padding > largest_side)
        return sc_fail(err, SC_ERR_USAGE, "dataset %s: crop padding %d, expected 0..%d",
                       ds->name, augment->crop_padding, largest_side);
    if (!ds->images || !ds->labels || ds->count <= 0 || ds->count > INT32_MAX)
        return sc_fail(err, SC_ERR_USAGE, "dataset %s has %lld samples, expected 1..%d",
                       ds->name, (long long)ds->count, INT32_MAX);
    if (ds->channels <= 0 || ds->channels > SC_DATASET_MAX_CHANNELS)
        return sc_fail(err, SC_ERR_USAGE, "dataset %s has %d channels, expected 1..%d",
                       ds->name, ds->channels, SC_DATASET_MAX_CHANNELS);
    return SC_OK;
}

static sc_status make_source(memory_source *m, const sc_dataset *ds,
                             const sc_augment_config *augment, sc_source **out, sc_error *err) {
    sc_source *src = calloc(1, sizeof *src);
    if (!src) {
        sc_dataset_free(&m->owned);
        free(m);
        return sc_fail(err, SC_ERR_OOM, "dataset %s: cannot allocate a source", ds->name);
    }
    m->ds = ds;
    m->augment = augment ? *augment : (sc_augment_config){0, 0};
    sc_normalizer_init(&m->norm, ds->channels, ds->mean, ds->std);
    src->ops = &k_memory_ops;
    src->impl = m;
    snprintf(src->name, sizeof src->name, "%s", ds->name);
    src->count = ds->count;
    src->channels = ds->channels;
    src->height = ds->height;
    src->width = ds->width;
    src->num_classes = ds->num_classes;
    src->labels = ds->labels;
    memcpy(src->mean, ds->mean, sizeof src->mean);
    memcpy(src->std, ds->std, sizeof src->std);
    src->dataset = ds;
    *out = src;
    return SC_OK;
}

sc_status sc_source_from_dataset(const sc_dataset *ds, const sc_augment_config *augment,
                                 sc_source **out, sc_error *err) {
    *out = NULL;
    static const sc_augment_config none = {0, 0};
    SC_TRY(check_augment(ds, augment ? augment : &none, err));
    memory_source *m = calloc(1, sizeof *m);
    if (!m)
        return sc_fail(err, SC_ERR_OOM, "dataset %s: cannot allocate a source", ds->name);
    return make_source(m, ds, augment, out, err);
}

sc_status sc_source_own_dataset(sc_dataset *ds, const sc_augment_config *augment,
                                sc_source **out, sc_error *err) {
    *out = NULL;
    static const sc_augment_config none = {0, 0};
    sc_status st = check_augment(ds, augment ? augment : &none, err);
    memory_source *m = st == SC_OK ? calloc(1, sizeof *m) : NULL;
    if (st == SC_OK && !m)
        st = sc_fail(err, SC_ERR_OOM, "dataset %s: cannot allocate a source", ds->name);
    if (st != SC_OK) {
        sc_dataset_free(ds);
        return st;
    }
    m->owned = *ds;
    memset(ds, 0, sizeof *ds);
    return make_source(m, &m->owned, augment, out, err);
}

void sc_source_limit(sc_source *src, int64_t limit) {
    if (limit > 0 && limit < src->count)
        src->count = limit;
}

const char *sc_source_class_name(const sc_source *src, int cls, char *buf, size_t len) {
    if (src->class_names && cls >= 0 && cls < src->num_classes) {
        snprintf(buf, len, "%s", src->class_names[cls]);
        return buf;
    }
    return sc_class_name(src->name, cls, buf, len);
}

void sc_source_close(sc_source *src) {
    if (!src)
        return;
    if (src->ops && src->ops->close)
        src->ops->close(src);
    free(src);
}
