/* Batch loader with a prefetch thread: while the caller trains on batch i, a background thread
 * assembles batch i + 1 (epoch order, augmentation, normalisation into float, int32 labels).
 *
 * Batches are a pure function of (dataset, config, epoch, step, global step) (see batch.h), so
 * their content never depends on thread timing, and a run resumed at (epoch, step k) with the
 * same global step gets exactly the batches the uninterrupted run got from step k on.
 *
 * Memory: two batch buffers (the one the caller holds and the one being prepared), allocated
 * once at open through the caller's allocator (the CUDA backend passes pinned memory) or
 * malloc; nothing is allocated per batch.
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

typedef void *(*sc_host_alloc_fn)(void *ctx, size_t bytes);
typedef void (*sc_host_free_fn)(void *ctx, void *ptr);

typedef struct sc_loader_config {
    int batch_size;            /* the global batch: every shard's batches together */
    int shard_rank;            /* data-parallel runs: this process takes part shard_rank of */
    int shard_count;           /* shard_count of every batch (sc_batch_shard); 0 = unsharded */
    int shuffle;               /* 1 = a new permutation every epoch; 0 = dataset order */
    int drop_last;             /* 1 = drop the last partial batch (training: constant batch) */
    sc_augment_config augment; /* all zero for evaluation */
    uint64_t seed;             /* keys the shuffle and the augmentation */
    int synchronous;           /* 1 = next() assembles its batch itself, no thread */
    sc_host_alloc_fn host_alloc; /* batch buffers; both NULL = malloc / free */
    sc_host_free_fn host_free;
    void *alloc_ctx;             /* passed to host_alloc / host_free */
} sc_loader_config;

typedef struct sc_loader sc_loader;

/* The dataset must outlive the loader and not change while it is open. */
sc_status sc_loader_open(sc_loader **out, const sc_dataset *ds, const sc_loader_config *cfg,
                         sc_error *err);

/* Begin epoch `epoch` at step first_step (0 for a fresh epoch, k to resume after k batches);
 * global_step is the run's step count at that batch (it keys the augmentation). Invalidates a
 * batch still held from the previous epoch. first_step must be in [0, steps_per_epoch]. */
sc_status sc_loader_start_epoch(sc_loader *loader, uint32_t epoch, int64_t first_step,
                                uint64_t global_step, sc_error *err);

/* The next batch of the epoch into *out (valid until the next call of next, start_epoch or
 * close): returns 1, or 0 at the end of the epoch (and before the first start_epoch). */
int sc_loader_next(sc_loader *loader, sc_batch *out);

int64_t sc_loader_steps_per_epoch(const sc_loader *loader);

/* Stops the prefetch thread (mid-epoch is fine) and frees everything; NULL is a no-op. */
void sc_loader_close(sc_loader *loader);

#endif
