/* The table of dataset readers: one line per dataset name maps it to the function that opens
 * one of its splits as a sample source (source.h). Adding a format is one file (its reader)
 * and one line in registry.c.
 *
 *   fashion-mnist, mnist   IDX files, in memory (idx.h)
 *   cifar10, cifar100      CIFAR binary files, in memory (cifar.h)
 *   imagefolder            DIR/train/<class>/<image>, DIR/val/<class>/<image> (imagefolder.h)
 *   pcam                   PatchCamelyon's HDF5 files (pcam.h), when the build has HDF5
 *
 * sc_dataset_load, sc_dataset_default_dir and sc_dataset_set_standard_norm (dataset.h) are
 * answered from this table too. */
#ifndef SC_REGISTRY_H
#define SC_REGISTRY_H

#include <stdint.h>

#include "augment.h"
#include "dataset.h"
#include "host/core/json_write.h"
#include "source.h"

/* How to read image datasets; every 0 means "the reader's default". */
typedef struct sc_data_config {
    int image_size;     /* output side (folders 224, PCam 96) */
    int resize;         /* evaluation Resize before CenterCrop (folders 256 * size / 224) */
    int channels;       /* 1 or 3 (3) */
    int workers;        /* decode threads (all cores) */
    int skip_bad;       /* 1 = replace bad images by the next good one; 0 = stop */
    int norm_channels;  /* > 0: norm_mean / norm_std below replace the standard ones */
    int norm_std_channels; /* values given for norm_std (must equal norm_channels) */
    float norm_mean[SC_DATASET_MAX_CHANNELS];
    float norm_std[SC_DATASET_MAX_CHANNELS];
    int pcam_eval_test; /* PCam's evaluation split: 0 = valid, 1 = test */
    int64_t max_pixels; /* refuse larger images (SC_IMAGE_DEFAULT_MAX_PIXELS) */
} sc_data_config;

/* One split to open. */
typedef struct sc_data_request {
    const char *dir;            /* NULL or "" = the reader's default directory */
    int train;                  /* 1 = training split and transform, 0 = evaluation */
    int eval_transform;         /* 1 = the evaluation transform even for the training split
                                   (data-stats) */
    sc_augment_config augment;  /* in-memory training splits: crop padding and flip;
                                   image training splits: flip */
    const sc_data_config *data; /* NULL = every default */
} sc_data_request;

typedef struct sc_reader sc_reader;
typedef sc_status (*sc_reader_open_fn)(const sc_reader *reader, const sc_data_request *req,
                                       sc_source **out, sc_error *err);
typedef sc_status (*sc_reader_load_fn)(const char *dir, int train, sc_dataset *out,
                                       sc_error *err);

struct sc_reader {
    const char *name;
    const char *default_dir;
    sc_reader_open_fn open;     /* every reader */
    sc_reader_load_fn load;     /* in-memory readers: the whole split as an sc_dataset */
    int channels;               /* of the standard normalisation below */
    float mean[3], std[3];
};

/* The reader of a dataset name, or NULL. */
const sc_reader *sc_reader_find(const char *name);

/* "fashion-mnist, mnist, cifar10, cifar100, imagefolder or pcam" for messages and --help. */
const char *sc_reader_names(void);

/* Open one split of a named dataset; SC_ERR_USAGE naming the known ones for an unknown name. */
sc_status sc_source_open(const char *name, const sc_data_request *req, sc_source **out,
                         sc_error *err);

/* The normalisation a source applies: the request's override when it gives one (its channel
 * count must match), else the reader's standard one. mean / std have SC_DATASET_MAX_CHANNELS. */
sc_status sc_reader_norm(const sc_reader *reader, const sc_data_config *data, int channels,
                         float *mean, float *std, sc_error *err);

/* Decode threads to use: data->workers, or every online core when 0. */
int sc_data_workers(const sc_data_config *data);

/* config.json: the fields of data as members of the current object (0 = default). */
void sc_data_config_write_json(const sc_data_config *data, sc_json_writer *w);

#endif
