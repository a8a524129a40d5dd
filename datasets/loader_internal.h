/* The loader's state, shared by loader.c (open, epochs, next, close) and loader_work.c (the
 * workers that fill batches sample by sample). Not part of the public interface.
 *
 * Queue: batch s of the epoch goes to slot s % depth. The caller holds the slot of the batch
 * it was last given (step consumed - 1); workers claim samples of steps up to
 * consumed + depth - 2, so they never touch the held slot. A step is claimed in chunks of
 * samples (claim_step, claim_pos); a slot is ready when all its samples are written. Every
 * field under "guarded" is read and written with `mutex` held; `changed` is broadcast whenever
 * one of them changes. start_epoch waits until no worker is busy before it rewrites the
 * order, so no sample is ever read through a half-written order. */
#ifndef SC_LOADER_INTERNAL_H
#define SC_LOADER_INTERNAL_H

#include <pthread.h>
#include <stdint.h>

#include "loader.h"

#define LOADER_MAX_WORKERS 256
#define LOADER_MAX_DEPTH 64
#define LOADER_NAMED_BAD 5 /* bad samples named in the log; later ones are only counted */

typedef struct loader_slot {
    float *images;    /* (shard batch, C, H, W) */
    int32_t *labels;  /* (shard batch) */
    int64_t step;     /* the step this slot holds or is being filled with, -1 = none */
    int begin, count; /* this shard's positions [begin, begin + count) of the batch */
    int done;         /* samples written (guarded) */
} loader_slot;

struct sc_loader {
    const sc_source *src;
    sc_source *owned_src; /* the wrapper made by sc_loader_open, else NULL */
    sc_loader_config cfg;
    int shards;
    int depth;
    int64_t steps_per_epoch;
    int32_t *order; /* (src->count): the current epoch's order */
    loader_slot slots[LOADER_MAX_DEPTH];
    void *caller_scratch; /* synchronous loaders: the caller's scratch */
    uint8_t *bad;         /* (count / 8 + 1) bits: samples known to be bad (guarded) */

    /* Guarded by mutex. */
    int active;       /* an epoch is running */
    int busy;         /* workers writing samples right now */
    int stop;         /* close was called */
    int failed;       /* a sample failed: the epoch ends early */
    sc_error failure; /* what failed */
    int64_t bad_count;
    uint32_t epoch;
    int64_t consumed;   /* next step next() returns */
    int64_t claim_step; /* next samples to hand out: step and position among its count */
    int claim_pos;
    int64_t first_step; /* the epoch's first step and its global step */
    uint64_t first_global_step;

    int threads_started;
    pthread_t threads[LOADER_MAX_WORKERS];
    pthread_mutex_t mutex;
    pthread_cond_t changed;
};

uint64_t sc_loader_global_step_of(const sc_loader *l, int64_t step);

/* Point slot step % depth at `step` (its shard's positions, nothing written yet). */
void sc_loader_slot_begin(sc_loader *l, int64_t step);

/* Write samples [from, to) of the slot of `step` (positions begin + from ...), replacing bad
 * samples when skip_bad is on. Called without the mutex. */
sc_status sc_loader_write_samples(sc_loader *l, void *scratch, int64_t step, int from, int to,
                                  sc_error *err);

/* Start cfg.workers threads (every signal blocked in them). */
sc_status sc_loader_start_workers(sc_loader *l, sc_error *err);

#endif
