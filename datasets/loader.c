/* Batch loader with a prefetch thread (see loader.h).
 *
 * Two slots: batch s of the epoch goes to slot s % 2. The caller holds the slot of the batch
 * it was last given (step consumed - 1); the worker may fill step `prepared` as long as
 * prepared <= consumed, i.e. into the other slot. Every shared field is guarded by `mutex`;
 * `changed` is broadcast whenever one of them changes. start_epoch waits for the worker to be
 * idle before it rewrites the order, so no batch is ever assembled from a half-written one. */
#include "loader.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "shuffle.h"

#define LOADER_SLOTS 2

struct sc_loader {
    const sc_dataset *ds;
    sc_loader_config cfg;
    sc_normalizer norm;
    sc_batch_source source;
    int64_t steps_per_epoch;
    int32_t *order;                 /* (ds->count): the current epoch's order */
    float *images[LOADER_SLOTS];    /* each (batch_size, C, H, W) */
    int32_t *labels[LOADER_SLOTS];  /* each (batch_size) */
    int counts[LOADER_SLOTS];       /* samples in each slot */

    /* Guarded by mutex. */
    int active;                 /* an epoch is running */
    int busy;                   /* the worker is assembling a batch */
    int stop;                   /* close was called */
    int64_t prepared;           /* next step the worker assembles */
    int64_t consumed;           /* next step next() returns */
    int64_t first_step;         /* the epoch's first step and its global step */
    uint64_t first_global_step;

    int thread_started;
    pthread_t worker;
    pthread_mutex_t mutex;
    pthread_cond_t changed;
};

static void *default_alloc(void *ctx, size_t bytes) {
    (void)ctx;
    return malloc(bytes);
}

static void default_free(void *ctx, void *ptr) {
    (void)ctx;
    free(ptr);
}

static uint64_t global_step_of(const sc_loader *l, int64_t step) {
    return l->first_global_step + (uint64_t)(step - l->first_step);
}

static void assemble_step(sc_loader *l, int64_t step, uint64_t global_step) {
    int slot = (int)(step % LOADER_SLOTS);
    l->counts[slot] =
        sc_batch_assemble(&l->source, step, global_step, l->images[slot], l->labels[slot]);
}

static int worker_may_assemble(const sc_loader *l) {
    return l->active && l->prepared < l->steps_per_epoch && l->prepared <= l->consumed;
}

static void *worker_main(void *arg) {
    sc_loader *l = arg;
    pthread_mutex_lock(&l->mutex);
    for (;;) {
        while (!l->stop && !worker_may_assemble(l))
            pthread_cond_wait(&l->changed, &l->mutex);
        if (l->stop)
            break;
        int64_t step = l->prepared;
        uint64_t global_step = global_step_of(l, step);
        l->busy = 1;
        pthread_mutex_unlock(&l->mutex);
        assemble_step(l, step, global_step);
        pthread_mutex_lock(&l->mutex);
        l->busy = 0;
        l->prepared = step + 1;
        pthread_cond_broadcast(&l->changed);
    }
    pthread_mutex_unlock(&l->mutex);
    return NULL;
}

static sc_status check_config(const sc_dataset *ds, const sc_loader_config *cfg, sc_error *err) {
    if (cfg->batch_size <= 0)
        return sc_fail(err, SC_ERR_USAGE, "loader: batch size %d, expected at least 1",
                       cfg->batch_size);
    if (!ds->images || !ds->labels || ds->count <= 0 || ds->count > INT32_MAX)
        return sc_fail(err, SC_ERR_USAGE,
                       "loader: dataset %s has %lld samples, expected 1..%d", ds->name,
                       (long long)ds->count, INT32_MAX);
    if (ds->channels <= 0 || ds->channels > SC_DATASET_MAX_CHANNELS)
        return sc_fail(err, SC_ERR_USAGE, "loader: dataset %s has %d channels, expected 1..%d",
                       ds->name, ds->channels, SC_DATASET_MAX_CHANNELS);
    if (cfg->shard_count < 0 || (cfg->shard_count > 0 && (cfg->shard_rank < 0 ||
                                                          cfg->shard_rank >= cfg->shard_count)))
        return sc_fail(err, SC_ERR_USAGE, "loader: shard %d of %d, expected 0..count-1",
                       cfg->shard_rank, cfg->shard_count);
    if (cfg->drop_last && ds->count < cfg->batch_size)
        return sc_fail(err, SC_ERR_USAGE,
                       "loader: dataset %s has %lld samples, fewer than one batch of %d (with "
                       "drop_last an epoch would be empty)",
                       ds->name, (long long)ds->count, cfg->batch_size);
    int largest_side = ds->height > ds->width ? ds->height : ds->width;
    if (cfg->augment.crop_padding < 0 || cfg->augment.crop_padding > largest_side)
        return sc_fail(err, SC_ERR_USAGE, "loader: crop padding %d, expected 0..%d",
                       cfg->augment.crop_padding, largest_side);
    if ((cfg->host_alloc == NULL) != (cfg->host_free == NULL))
        return sc_fail(err, SC_ERR_USAGE,
                       "loader: host_alloc and host_free must be given together");
    return SC_OK;
}

/* Start the worker with every signal blocked, so signals go to the caller's threads. */
static sc_status start_worker(sc_loader *l, sc_error *err) {
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    int rc = pthread_create(&l->worker, NULL, worker_main, l);
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    if (rc != 0)
        return sc_fail(err, SC_ERR_OOM, "loader: cannot start the prefetch thread: %s",
                       strerror(rc));
    l->thread_started = 1;
    return SC_OK;
}

sc_status sc_loader_open(sc_loader **out, const sc_dataset *ds, const sc_loader_config *cfg,
                         sc_error *err) {
    *out = NULL;
    SC_TRY(check_config(ds, cfg, err));
    sc_loader *l = calloc(1, sizeof *l);
    if (!l)
        return sc_fail(err, SC_ERR_OOM, "loader: cannot allocate the loader");
    l->ds = ds;
    l->cfg = *cfg;
    if (!l->cfg.host_alloc) {
        l->cfg.host_alloc = default_alloc;
        l->cfg.host_free = default_free;
    }
    pthread_mutex_init(&l->mutex, NULL);
    pthread_cond_init(&l->changed, NULL);
    sc_normalizer_init(&l->norm, ds->channels, ds->mean, ds->std);
    l->steps_per_epoch = sc_batch_steps_per_epoch(ds->count, cfg->batch_size, cfg->drop_last);

    int shards = cfg->shard_count > 1 ? cfg->shard_count : 1;
    int shard_batch = (cfg->batch_size + shards - 1) / shards; /* the largest shard */
    size_t image_floats = (size_t)shard_batch * (size_t)sc_dataset_image_bytes(ds);
    l->order = malloc((size_t)ds->count * sizeof *l->order);
    int ok = l->order != NULL;
    for (int s = 0; s < LOADER_SLOTS && ok; s++) {
        l->images[s] = l->cfg.host_alloc(l->cfg.alloc_ctx, image_floats * sizeof(float));
        l->labels[s] = l->cfg.host_alloc(l->cfg.alloc_ctx, (size_t)shard_batch * sizeof(int32_t));
        ok = l->images[s] != NULL && l->labels[s] != NULL;
    }
    if (!ok) {
        sc_loader_close(l);
        return sc_fail(err, SC_ERR_OOM,
                       "loader: cannot allocate two batches of %d images (%zu bytes each)",
                       shard_batch, image_floats * sizeof(float));
    }
    sc_order_identity(l->order, ds->count);
    l->source.ds = ds;
    l->source.order = l->order;
    l->source.batch_size = cfg->batch_size;
    l->source.augment = cfg->augment;
    l->source.seed = cfg->seed;
    l->source.norm = &l->norm;
    l->source.shard_rank = cfg->shard_rank;
    l->source.shard_count = shards;

    if (!cfg->synchronous) {
        sc_status st = start_worker(l, err);
        if (st != SC_OK) {
            sc_loader_close(l);
            return st;
        }
    }
    *out = l;
    return SC_OK;
}

sc_status sc_loader_start_epoch(sc_loader *l, uint32_t epoch, int64_t first_step,
                                uint64_t global_step, sc_error *err) {
    if (first_step < 0 || first_step > l->steps_per_epoch)
        return sc_fail(err, SC_ERR_USAGE, "loader: first step %lld of epoch %u, expected 0..%lld",
                       (long long)first_step, (unsigned)epoch, (long long)l->steps_per_epoch);
    pthread_mutex_lock(&l->mutex);
    l->active = 0;
    while (l->busy)
        pthread_cond_wait(&l->changed, &l->mutex);
    pthread_mutex_unlock(&l->mutex);

    /* The worker is idle and stays so while active is 0. */
    if (l->cfg.shuffle)
        sc_order_shuffle(l->order, l->ds->count, l->cfg.seed, epoch);
    else
        sc_order_identity(l->order, l->ds->count);

    pthread_mutex_lock(&l->mutex);
    l->first_step = first_step;
    l->first_global_step = global_step;
    l->prepared = first_step;
    l->consumed = first_step;
    l->active = 1;
    pthread_cond_broadcast(&l->changed);
    pthread_mutex_unlock(&l->mutex);
    return SC_OK;
}

int sc_loader_next(sc_loader *l, sc_batch *out) {
    pthread_mutex_lock(&l->mutex);
    if (!l->active || l->consumed >= l->steps_per_epoch) {
        pthread_mutex_unlock(&l->mutex);
        return 0;
    }
    int64_t step = l->consumed;
    if (l->thread_started) {
        while (l->prepared <= step)
            pthread_cond_wait(&l->changed, &l->mutex);
    } else {
        assemble_step(l, step, global_step_of(l, step));
        l->prepared = step + 1;
    }
    int slot = (int)(step % LOADER_SLOTS);
    out->images = l->images[slot];
    out->labels = l->labels[slot];
    out->n = l->counts[slot];
    out->channels = l->ds->channels;
    out->height = l->ds->height;
    out->width = l->ds->width;
    out->step = step;
    out->global_step = global_step_of(l, step);
    l->consumed = step + 1; /* frees the previous slot: the worker starts on step + 1 */
    pthread_cond_broadcast(&l->changed);
    pthread_mutex_unlock(&l->mutex);
    return 1;
}

int64_t sc_loader_steps_per_epoch(const sc_loader *l) {
    return l->steps_per_epoch;
}

void sc_loader_close(sc_loader *l) {
    if (!l)
        return;
    if (l->thread_started) {
        pthread_mutex_lock(&l->mutex);
        l->stop = 1;
        pthread_cond_broadcast(&l->changed);
        pthread_mutex_unlock(&l->mutex);
        pthread_join(l->worker, NULL);
    }
    for (int s = 0; s < LOADER_SLOTS; s++) {
        if (l->images[s])
            l->cfg.host_free(l->cfg.alloc_ctx, l->images[s]);
        if (l->labels[s])
            l->cfg.host_free(l->cfg.alloc_ctx, l->labels[s]);
    }
    free(l->order);
    pthread_cond_destroy(&l->changed);
    pthread_mutex_destroy(&l->mutex);
    free(l);
}
