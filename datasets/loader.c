/* Batch loader (see loader.h): open and close, epochs, and handing ready batches to the
 * caller. The workers and the queue's rules are in loader_work.c and loader_internal.h. */
#include "loader.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "loader_internal.h"
#include "shuffle.h"

static void *default_alloc(void *ctx, size_t bytes) {
    (void)ctx;
    return malloc(bytes);
}

static void default_free(void *ctx, void *ptr) {
    (void)ctx;
    free(ptr);
}

static sc_status check_config(const sc_source *src, const sc_loader_config *cfg,
                              sc_error *err) {
    if (cfg->batch_size <= 0)
        return sc_fail(err, SC_ERR_USAGE, "loader: batch size %d, expected at least 1",
                       cfg->batch_size);
    if (src->count <= 0 || src->count > INT32_MAX)
        return sc_fail(err, SC_ERR_USAGE, "loader: dataset %s has %lld samples, expected 1..%d",
                       src->name, (long long)src->count, INT32_MAX);
    if (cfg->shard_count < 0 || (cfg->shard_count > 0 && (cfg->shard_rank < 0 ||
                                                          cfg->shard_rank >= cfg->shard_count)))
        return sc_fail(err, SC_ERR_USAGE, "loader: shard %d of %d, expected 0..count-1",
                       cfg->shard_rank, cfg->shard_count);
    if (cfg->drop_last && src->count < cfg->batch_size)
        return sc_fail(err, SC_ERR_USAGE,
                       "loader: dataset %s has %lld samples, fewer than one batch of %d (with "
                       "drop_last an epoch would be empty)",
                       src->name, (long long)src->count, cfg->batch_size);
    if (cfg->workers < 0 || cfg->workers > LOADER_MAX_WORKERS)
        return sc_fail(err, SC_ERR_USAGE, "loader: %d workers, expected 0..%d", cfg->workers,
                       LOADER_MAX_WORKERS);
    if (cfg->queue_depth != 0 && (cfg->queue_depth < 2 || cfg->queue_depth > LOADER_MAX_DEPTH))
        return sc_fail(err, SC_ERR_USAGE, "loader: queue depth %d, expected 2..%d",
                       cfg->queue_depth, LOADER_MAX_DEPTH);
    if ((cfg->host_alloc == NULL) != (cfg->host_free == NULL))
        return sc_fail(err, SC_ERR_USAGE,
                       "loader: host_alloc and host_free must be given together");
    return SC_OK;
}

static sc_status allocate(sc_loader *l, sc_error *err) {
    const sc_source *src = l->src;
    int shard_batch = (l->cfg.batch_size + l->shards - 1) / l->shards; /* the largest shard */
    size_t image_floats =
        (size_t)shard_batch * (size_t)src->channels * (size_t)src->height * (size_t)src->width;
    l->order = malloc((size_t)src->count * sizeof *l->order);
    l->bad = calloc((size_t)src->count / 8 + 1, 1);
    int ok = l->order != NULL && l->bad != NULL;
    for (int s = 0; s < l->depth && ok; s++) {
        l->slots[s].step = -1;
        l->slots[s].images = l->cfg.host_alloc(l->cfg.alloc_ctx, image_floats * sizeof(float));
        l->slots[s].labels =
            l->cfg.host_alloc(l->cfg.alloc_ctx, (size_t)shard_batch * sizeof(int32_t));
        ok = l->slots[s].images != NULL && l->slots[s].labels != NULL;
    }
    if (!ok)
        return sc_fail(err, SC_ERR_OOM, "loader: cannot allocate %d batches of %d images (%zu "
                       "bytes each)", l->depth, shard_batch, image_floats * sizeof(float));
    sc_order_identity(l->order, src->count);
    return SC_OK;
}

sc_status sc_loader_open_source(sc_loader **out, const sc_source *src,
                                const sc_loader_config *cfg, sc_error *err) {
    *out = NULL;
    SC_TRY(check_config(src, cfg, err));
    sc_loader *l = calloc(1, sizeof *l);
    if (!l)
        return sc_fail(err, SC_ERR_OOM, "loader: cannot allocate the loader");
    l->src = src;
    l->cfg = *cfg;
    if (!l->cfg.host_alloc) {
        l->cfg.host_alloc = default_alloc;
        l->cfg.host_free = default_free;
    }
    l->shards = cfg->shard_count > 1 ? cfg->shard_count : 1;
    l->depth = cfg->queue_depth > 0 ? cfg->queue_depth : 2;
    pthread_mutex_init(&l->mutex, NULL);
    pthread_cond_init(&l->changed, NULL);
    l->steps_per_epoch = sc_batch_steps_per_epoch(src->count, cfg->batch_size, cfg->drop_last);
    sc_status st = allocate(l, err);
    if (st == SC_OK && cfg->synchronous)
        st = src->ops->scratch_create(src, &l->caller_scratch, err);
    else if (st == SC_OK)
        st = sc_loader_start_workers(l, err);
    if (st != SC_OK) {
        sc_loader_close(l);
        return st;
    }
    *out = l;
    return SC_OK;
}

sc_status sc_loader_open(sc_loader **out, const sc_dataset *ds, const sc_loader_config *cfg,
                         sc_error *err) {
    *out = NULL;
    if (cfg->batch_size <= 0) /* the first complaint, before the dataset's */
        return sc_fail(err, SC_ERR_USAGE, "loader: batch size %d, expected at least 1",
                       cfg->batch_size);
    sc_source *src = NULL;
    SC_TRY(sc_source_from_dataset(ds, &cfg->augment, &src, err));
    sc_status st = sc_loader_open_source(out, src, cfg, err);
    if (st != SC_OK) {
        sc_source_close(src);
        return st;
    }
    (*out)->owned_src = src;
    return SC_OK;
}

sc_status sc_loader_start_epoch(sc_loader *l, uint32_t epoch, int64_t first_step,
                                uint64_t global_step, sc_error *err) {
    if (first_step < 0 || first_step > l->steps_per_epoch)
        return sc_fail(err, SC_ERR_USAGE, "loader: first step %lld of epoch %u, expected 0..%lld",
                       (long long)first_step, (unsigned)epoch, (long long)l->steps_per_epoch);
    pthread_mutex_lock(&l->mutex);
    l->active = 0;
    while (l->busy > 0)
        pthread_cond_wait(&l->changed, &l->mutex);
    pthread_mutex_unlock(&l->mutex);

    /* The workers are idle and stay so while active is 0. */
    if (l->cfg.shuffle)
        sc_order_shuffle(l->order, l->src->count, l->cfg.seed, epoch);
    else
        sc_order_identity(l->order, l->src->count);

    pthread_mutex_lock(&l->mutex);
    for (int s = 0; s < l->depth; s++)
        l->slots[s].step = -1;
    l->epoch = epoch;
    l->failed = 0;
    l->first_step = first_step;
    l->first_global_step = global_step;
    l->consumed = first_step;
    l->claim_step = first_step;
    l->claim_pos = 0;
    l->active = 1;
    pthread_cond_broadcast(&l->changed);
    pthread_mutex_unlock(&l->mutex);
    return SC_OK;
}

static int slot_ready(const loader_slot *slot, int64_t step) {
    return slot->step == step && slot->done == slot->count;
}

/* Synchronous loaders write the whole batch on the caller's thread. Called with the mutex
 * held; released while writing (bad samples take it to be counted). */
static void write_batch_here(sc_loader *l, int64_t step) {
    sc_loader_slot_begin(l, step);
    loader_slot *slot = &l->slots[step % l->depth];
    pthread_mutex_unlock(&l->mutex);
    sc_error err = {0};
    sc_status st = sc_loader_write_samples(l, l->caller_scratch, step, 0, slot->count, &err);
    pthread_mutex_lock(&l->mutex);
    slot->done = slot->count;
    if (st != SC_OK) {
        l->failed = 1;
        l->failure = err;
    }
}

int sc_loader_next(sc_loader *l, sc_batch *out) {
    pthread_mutex_lock(&l->mutex);
    if (!l->active || l->failed || l->consumed >= l->steps_per_epoch) {
        pthread_mutex_unlock(&l->mutex);
        return 0;
    }
    int64_t step = l->consumed;
    loader_slot *slot = &l->slots[step % l->depth];
    if (l->threads_started) {
        while (!l->failed && !slot_ready(slot, step))
            pthread_cond_wait(&l->changed, &l->mutex);
    } else {
        write_batch_here(l, step);
    }
    if (l->failed) {
        pthread_mutex_unlock(&l->mutex);
        return 0;
    }
    out->images = slot->images;
    out->labels = slot->labels;
    out->n = slot->count;
    out->channels = l->src->channels;
    out->height = l->src->height;
    out->width = l->src->width;
    out->step = step;
    out->global_step = sc_loader_global_step_of(l, step);
    l->consumed = step + 1; /* frees the previous slot for the workers */
    pthread_cond_broadcast(&l->changed);
    pthread_mutex_unlock(&l->mutex);
    return 1;
}

sc_status sc_loader_status(const sc_loader *l, sc_error *err) {
    sc_loader *m = (sc_loader *)l; /* the mutex, not the state, changes */
    pthread_mutex_lock(&m->mutex);
    sc_status st = l->failed ? l->failure.code : SC_OK;
    if (st != SC_OK && err)
        *err = l->failure;
    pthread_mutex_unlock(&m->mutex);
    return st;
}

int64_t sc_loader_bad_count(const sc_loader *l) {
    sc_loader *m = (sc_loader *)l;
    pthread_mutex_lock(&m->mutex);
    int64_t count = l->bad_count;
    pthread_mutex_unlock(&m->mutex);
    return count;
}

int64_t sc_loader_steps_per_epoch(const sc_loader *l) {
    return l->steps_per_epoch;
}

void sc_loader_close(sc_loader *l) {
    if (!l)
        return;
    pthread_mutex_lock(&l->mutex);
    l->stop = 1;
    pthread_cond_broadcast(&l->changed);
    pthread_mutex_unlock(&l->mutex);
    for (int w = 0; w < l->threads_started; w++)
        pthread_join(l->threads[w], NULL);
    if (l->caller_scratch)
        l->src->ops->scratch_free(l->caller_scratch);
    for (int s = 0; s < l->depth; s++) {
        if (l->slots[s].images)
            l->cfg.host_free(l->cfg.alloc_ctx, l->slots[s].images);
        if (l->slots[s].labels)
            l->cfg.host_free(l->cfg.alloc_ctx, l->slots[s].labels);
    }
    free(l->order);
    free(l->bad);
    pthread_cond_destroy(&l->changed);
    pthread_mutex_destroy(&l->mutex);
    sc_source_close(l->owned_src);
    free(l);
}
