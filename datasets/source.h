/* A sample source: one split of a dataset as the loader sees it, whatever the format.
 *
 * A source knows its size, its classes, the shape of the float samples it writes and every
 * label (labels are small and stay in memory; pixels may not). Its read_sample writes one
 * normalised sample (C, H, W), augmentation included, as a pure function of the request:
 * (seed, epoch, global step, position in the batch, sample index). In-memory sources (IDX,
 * CIFAR) key their draws by (seed, global step, position), as the loader always did; image
 * sources key theirs by (seed, epoch, sample index). Either way a batch never depends on which
 * thread wrote which sample, so any worker count gives the same batches.
 *
 * read_sample may be called from several threads at once, each with its own scratch (from
 * scratch_create). A failure is a status and one error line; SC_ERR_FORMAT and SC_ERR_IO
 * mean "this sample is bad" (the loader may skip it, see loader.h), anything else is fatal. */
#ifndef SC_SOURCE_H
#define SC_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "augment.h"
#include "dataset.h"
#include "host/core/status.h"

typedef struct sc_source sc_source;

/* Which sample to write, and the keys of its random draws. */
typedef struct sc_sample_request {
    int64_t index;        /* sample in [0, count) */
    int64_t position;     /* position in the whole (unsharded) batch */
    uint64_t seed;
    uint32_t epoch;
    uint64_t global_step; /* step of the batch over the whole run */
} sc_sample_request;

typedef struct sc_source_ops {
    /* Per-thread working memory; *scratch may be set to NULL when none is needed. */
    sc_status (*scratch_create)(const sc_source *src, void **scratch, sc_error *err);
    void (*scratch_free)(void *scratch);
    /* dst (channels, height, width) floats, normalised. */
    sc_status (*read_sample)(const sc_source *src, void *scratch, const sc_sample_request *req,
                             float *dst, sc_error *err);
    /* Short name of a sample for messages (a file path, "index 17 of <file>"). */
    const char *(*sample_name)(const sc_source *src, int64_t index, char *buf, size_t len);
    void (*close)(sc_source *src); /* frees impl */
} sc_source_ops;

struct sc_source {
    const sc_source_ops *ops;
    void *impl;
    char name[SC_DATASET_NAME_LEN]; /* canonical dataset name */
    int64_t count;                  /* samples */
    int channels, height, width;    /* of each written sample */
    int num_classes;
    const int32_t *labels;          /* (count), each in [0, num_classes) */
    const char *const *class_names; /* (num_classes), or NULL: names from class_names.h */
    float mean[SC_DATASET_MAX_CHANNELS]; /* the normalisation applied, pixel units in [0, 1] */
    float std[SC_DATASET_MAX_CHANNELS];
    const sc_dataset *dataset;      /* in-memory sources: the pixels (explain reads them) */
};

/* Wrap an in-memory dataset (which must outlive the source) with the crop / flip of `augment`
 * (all zero = none) and the dataset's normalisation. The source is heap-allocated. */
sc_status sc_source_from_dataset(const sc_dataset *ds, const sc_augment_config *augment,
                                 sc_source **out, sc_error *err);

/* Like sc_source_from_dataset, but the source owns *ds (moved in; *ds is left empty). */
sc_status sc_source_own_dataset(sc_dataset *ds, const sc_augment_config *augment,
                                sc_source **out, sc_error *err);

/* Keep only the first `limit` samples (no-op when limit <= 0 or limit >= count). */
void sc_source_limit(sc_source *src, int64_t limit);

/* The name of class cls into buf (the source's own names, else class_names.h). */
const char *sc_source_class_name(const sc_source *src, int cls, char *buf, size_t len);

/* The first `count` samples of src (all when count <= 0 or more than it has) as an in-memory
 * dataset, for the commands that work on decoded pixels (explain, evaluate): each sample is
 * written by read_sample with `workers` threads, then stored as 8-bit pixels
 * round((x * std + mean) * 255), with src's normalisation. An image source's samples thus come
 * back normalised again within half a grey level of the evaluation transform's float output. */
sc_status sc_source_materialize(const sc_source *src, int64_t count, int workers,
                                sc_dataset *out, sc_error *err);

/* Closes and frees; NULL is a no-op. */
void sc_source_close(sc_source *src);

#endif
