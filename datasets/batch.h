/* One batch of an epoch, computed from nothing but (dataset, epoch order, step, global step):
 * the samples order[step * batch_size ...], each cropped / flipped with the draws of its
 * position in the batch and normalised. sc_batch_assemble is the definition of an in-memory
 * dataset's batches: the loader's workers write the same samples one by one (with
 * sc_batch_write_sample, through the in-memory source), and the loader tests compare the
 * two. Because it is a
 * pure function, a batch never depends on thread timing. sc_batch_shard splits a batch over
 * the ranks of a data-parallel run, for every source. */
#ifndef SC_BATCH_H
#define SC_BATCH_H

#include <stdint.h>

#include "augment.h"
#include "dataset.h"

/* A ready host batch. */
typedef struct sc_batch {
    float *images;   /* (n, channels, height, width), normalised */
    int32_t *labels; /* (n) */
    int n;           /* batch size, or fewer for the last batch of an epoch without drop_last */
    int channels, height, width;
    int64_t step;         /* step within the epoch */
    uint64_t global_step; /* step counted over the whole run (keys the augmentation) */
} sc_batch;

/* What a batch is assembled from. */
typedef struct sc_batch_source {
    const sc_dataset *ds;
    const int32_t *order; /* (ds->count): the epoch order */
    int batch_size;
    sc_augment_config augment;
    uint64_t seed;
    const sc_normalizer *norm;
    int shard_rank, shard_count; /* this process takes part shard_rank of shard_count of every
                                    batch (see sc_batch_shard); 0, 1 = the whole batch */
} sc_batch_source;

/* Steps of an epoch: count / batch (drop_last) or ceil(count / batch). */
int64_t sc_batch_steps_per_epoch(int64_t count, int batch_size, int drop_last);

/* The part of a batch of n samples that shard `rank` of `count` takes: positions
 * [*begin, *end) of the batch, contiguous and as even as possible (rank r takes
 * [n r / count, n (r + 1) / count)), so the shards of all ranks cover the batch exactly once. */
void sc_batch_shard(int n, int rank, int count, int *begin, int *end);

/* One sample as sc_batch_assemble writes it: image `index` of ds, cropped / flipped with the
 * draws of `position` (its place in the whole batch) and normalised into dst (C, H, W). The
 * in-memory sample source (source_memory.c) writes its samples with this. */
void sc_batch_write_sample(const sc_dataset *ds, const sc_augment_config *augment,
                           const sc_normalizer *norm, uint64_t seed, uint64_t global_step,
                           int64_t position, int64_t index, float *dst);

/* Assemble this shard's part of batch `step` into images (shard, C, H, W) and labels (shard),
 * where the shard is at most ceil(batch_size / shard_count) samples; returns the number of
 * samples written (0 when step is past the data or the shard is empty). Each sample's
 * augmentation draws are keyed by its position in the whole batch, so a sharded run sees exactly
 * the samples and draws of an unsharded one. */
int sc_batch_assemble(const sc_batch_source *src, int64_t step, uint64_t global_step,
                      float *images, int32_t *labels);

#endif
