/* The in-memory dataset: every image of one split as uint8 pixels plus int32 labels, with the
 * per-channel normalisation the loader applies ((pixel / 255 - mean_c) / std_c).
 *
 * Datasets are loaded by name ("fashion-mnist", "mnist", "cifar10", "cifar100") from a
 * directory (NULL = the default directory of that name), one split (train or test) at a time.
 * The dataset owns its two buffers; sc_dataset_free releases them. */
#ifndef SC_DATASET_H
#define SC_DATASET_H

#include <stdint.h>

#include "host/core/status.h"

#define SC_DATASET_MAX_CHANNELS 4
#define SC_DATASET_NAME_LEN 32

typedef struct sc_dataset {
    char name[SC_DATASET_NAME_LEN]; /* canonical name: "fashion-mnist", "cifar10", ... */
    int64_t count;                  /* samples kept (after sc_dataset_limit) */
    int channels, height, width;
    int num_classes;
    uint8_t *images; /* (count, channels, height, width) */
    int32_t *labels; /* (count), each in [0, num_classes) */
    float mean[SC_DATASET_MAX_CHANNELS]; /* per channel, in [0, 1] pixel units */
    float std[SC_DATASET_MAX_CHANNELS];
    char *class_names; /* malloc'd, '\n'-separated (image datasets), NULL = built-in names */
} sc_dataset;

/* Load one split of a named in-memory dataset (registry.c answers this and the next two). dir NULL = sc_dataset_default_dir(name). On failure out is
 * left empty (nothing to free) and err names the file and what is wrong. */
sc_status sc_dataset_load(const char *name, const char *dir, int train, sc_dataset *out,
                          sc_error *err);

/* Default directory of a dataset name, or NULL for an unknown name. */
const char *sc_dataset_default_dir(const char *name);

/* Allocate an empty dataset of count images of (channels, height, width), zero-filled, with
 * mean 0 and std 1 in every channel. Used by the file readers and by tests. */
sc_status sc_dataset_alloc(sc_dataset *ds, const char *name, int64_t count, int channels,
                           int height, int width, int num_classes, sc_error *err);

/* Set the normalisation from the standard table for ds->name (SC_ERR_USAGE if unknown). */
sc_status sc_dataset_set_standard_norm(sc_dataset *ds, sc_error *err);

/* Keep only the first `limit` samples (no-op when limit <= 0 or limit >= count). */
void sc_dataset_limit(sc_dataset *ds, int64_t limit);

/* Bytes of one image: channels * height * width. */
int64_t sc_dataset_image_bytes(const sc_dataset *ds);

void sc_dataset_free(sc_dataset *ds);

#endif
