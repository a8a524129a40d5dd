/* Batch loader: a pool of worker threads fills a bounded queue of ready batches (epoch order,
 * decoding, augmentation, normalisation into float, int32 labels) while the caller trains.
 *
 * Batches are a pure function of (source, config, epoch, step, global step): every sample is
 * written by the source's read_sample from its (seed, epoch, global step, position, index)
 * (see source.h), so their content never depends on the worker count or thread timing, and a
 * run resumed at (epoch, step k) with the same global step gets exactly the batches the
 * uninterrupted run got from step k on. The workers share a batch sample by sample.
 *
 * Memory: queue_depth batch buffers (the one the caller holds and the ones being prepared),
 * allocated once at open through the caller's allocator (the CUDA backend passes pinned
 * memory) or malloc, plus one scratch per worker from the source; nothing is allocated per
 * batch, whatever the dataset size.
 *
 * Bad samples (the source fails with SC_ERR_FORMAT or SC_ERR_IO): by default the epoch stops
 * and sc_loader_status gives the error, which names the sample. With skip_bad the sample is
 * replaced by the next good one of the epoch order (wrapping around), which does not depend on
 * the worker count; bad samples are counted and the first few are logged with the reason.
 *
 * Use: open; for each epoch: start_epoch, then next until it returns 0; close (also fine in
 * the middle of an epoch). One caller thread drives a loader. */
#ifndef SC_LOADER_H
#define SC_LOADER_H

#include <stddef.h>
#include <stdint.h>

#include "augment.h"
#include "batch.h"
#include "dataset.h"
#include "host/core/status.h"
#include "source.h"

typedef void *(*sc_host_alloc_fn)(void *ctx, size_t bytes);
typedef void (*sc_host_free_fn)(void *ctx, void *ptr);

typedef struct sc_loader_config {
    int batch_size;            /* the global batch: every shard's batches together */
    int shard_rank;            /* data-parallel runs: this process takes part shard_rank of */
    int shard_count;           /* shard_count of every batch (sc_batch_shard); 0 = unsharded */
    int shuffle;               /* 1 = a new permutation every epoch; 0 = dataset order */
    int drop_last;             /* 1 = drop the last partial batch (training: constant batch) */
    sc_augment_config augment; /* sc_loader_open only: all zero for evaluation */
    uint64_t seed;             /* keys the shuffle and the augmentation */
    int synchronous;           /* 1 = next() assembles its batch itself, no thread */
    int workers;               /* worker threads (0 = 1); ignored when synchronous */
    int queue_depth;           /* batch buffers, at least 2 (0 = 2: one held, one prepared) */
    int skip_bad;              /* 1 = replace bad samples (see above); 0 = stop with an error */
    sc_host_alloc_fn host_alloc; /* batch buffers; both NULL = malloc / free */
    sc_host_free_fn host_free;
    void *alloc_ctx;             /* passed to host_alloc / host_free */
} sc_loader_config;

typedef struct sc_loader sc_loader;

/* The dataset must outlive the loader and not change while it is open; its samples get the
 * crop / flip of cfg->augment. */
sc_status sc_loader_open(sc_loader **out, const sc_dataset *ds, const sc_loader_config *cfg,
                         sc_error *err);

/* A loader over any sample source (which must outlive the loader); cfg->augment is unused:
 * the source applies its own transform. */
sc_status sc_loader_open_source(sc_loader **out, const sc_source *src,
                                const sc_loader_config *cfg, sc_error *err);

/* Begin epoch `epoch` at step first_step (0 for a fresh epoch, k to resume after k batches);
 * global_step is the run's step count at that batch (it keys the augmentation). Invalidates a
 * batch still held from the previous epoch. first_step must be in [0, steps_per_epoch]. */
sc_status sc_loader_start_epoch(sc_loader *loader, uint32_t epoch, int64_t first_step,
                                uint64_t global_step, sc_error *err);

/* The next batch of the epoch into *out (valid until the next call of next, start_epoch or
 * close): returns 1, or 0 at the end of the epoch (and before the first start_epoch), or 0
 * early when a sample failed: check sc_loader_status after the loop. */
int sc_loader_next(sc_loader *loader, sc_batch *out);

/* SC_OK, or the failure that ended the current epoch early (its message in err). */
sc_status sc_loader_status(const sc_loader *loader, sc_error *err);

/* Bad samples met so far (each counted once) when skip_bad is on. */
int64_t sc_loader_bad_count(const sc_loader *loader);

int64_t sc_loader_steps_per_epoch(const sc_loader *loader);

/* Stops the workers (mid-epoch is fine) and frees everything; NULL is a no-op. */
void sc_loader_close(sc_loader *loader);

#endif
