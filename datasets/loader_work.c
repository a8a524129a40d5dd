/* The loader's workers (see loader_internal.h): each claims a chunk of samples of the oldest
 * unfinished step, writes them into that step's slot through the source, and marks them done;
 * bad samples are replaced by the next good sample of the epoch order when skip_bad is on. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "host/core/log.h"
#include "loader_internal.h"

uint64_t sc_loader_global_step_of(const sc_loader *l, int64_t step) {
    return l->first_global_step + (uint64_t)(step - l->first_step);
}

void sc_loader_slot_begin(sc_loader *l, int64_t step) {
    loader_slot *slot = &l->slots[step % l->depth];
    int64_t first = step * l->cfg.batch_size;
    int64_t left = l->src->count - first;
    int n = left < l->cfg.batch_size ? (int)left : l->cfg.batch_size;
    int begin, end;
    sc_batch_shard(n, l->cfg.shard_rank, l->shards, &begin, &end);
    slot->step = step;
    slot->begin = begin;
    slot->count = end - begin;
    slot->done = 0;
}

static int is_bad_sample(sc_loader *l, int64_t index) {
    pthread_mutex_lock(&l->mutex);
    int bad = (l->bad[index / 8] >> (index % 8)) & 1;
    pthread_mutex_unlock(&l->mutex);
    return bad;
}

/* Count a bad sample once and name the first few in the log. */
static void note_bad_sample(sc_loader *l, int64_t index, const sc_error *why) {
    pthread_mutex_lock(&l->mutex);
    int fresh = !((l->bad[index / 8] >> (index % 8)) & 1);
    l->bad[index / 8] |= (uint8_t)(1u << (index % 8));
    int64_t count = fresh ? ++l->bad_count : 0;
    pthread_mutex_unlock(&l->mutex);
    if (!fresh || count > LOADER_NAMED_BAD)
        return;
    const char *more = count == LOADER_NAMED_BAD ? "; further bad samples are counted, not named"
                                                 : "";
    if (l->cfg.shard_count > 1) /* each rank reads its own share: say whose it is */
        sc_log("rank %d of %d: skipping a bad sample (%s)%s", l->cfg.shard_rank,
               l->cfg.shard_count, why->msg, more);
    else
        sc_log("skipping a bad sample (%s)%s", why->msg, more);
}

/* One sample at `position` of the batch of `step`: order[first + position], or with skip_bad
 * the first good sample after it in the epoch order. */
static sc_status write_one(sc_loader *l, void *scratch, int64_t step, int position, float *dst,
                           int32_t *label, sc_error *err) {
    const sc_source *src = l->src;
    int64_t first = step * l->cfg.batch_size;
    sc_sample_request req = {0, position, l->cfg.seed, l->epoch,
                             sc_loader_global_step_of(l, step)};
    for (int64_t attempt = 0; attempt < src->count; attempt++) {
        req.index = l->order[(first + position + attempt) % src->count];
        if (attempt > 0 && is_bad_sample(l, req.index))
            continue;
        sc_status st = src->ops->read_sample(src, scratch, &req, dst, err);
        if (st == SC_OK) {
            *label = src->labels[req.index];
            return SC_OK;
        }
        if (!l->cfg.skip_bad || (st != SC_ERR_FORMAT && st != SC_ERR_IO))
            return st;
        note_bad_sample(l, req.index, err);
    }
    return sc_fail(err, SC_ERR_FORMAT, "%s: every one of the %lld samples is bad", src->name,
                   (long long)src->count);
}

sc_status sc_loader_write_samples(sc_loader *l, void *scratch, int64_t step, int from, int to,
                                  sc_error *err) {
    loader_slot *slot = &l->slots[step % l->depth];
    size_t floats = (size_t)l->src->channels * l->src->height * l->src->width;
    for (int j = from; j < to; j++)
        SC_TRY(write_one(l, scratch, step, slot->begin + j, slot->images + (size_t)j * floats,
                         &slot->labels[j], err));
    return SC_OK;
}

static int may_claim(const sc_loader *l) {
    return l->active && !l->failed && l->claim_step < l->steps_per_epoch &&
           l->claim_step <= l->consumed + l->depth - 2;
}

/* Samples per claim: about two chunks per worker and batch, so workers share every batch. */
static int chunk_of(const sc_loader *l, int count) {
    int workers = l->cfg.workers > 0 ? l->cfg.workers : 1;
    int chunk = count / (2 * workers);
    return chunk < 1 ? 1 : chunk;
}

static void *worker_main(void *arg) {
    sc_loader *l = arg;
    sc_error err = {0};
    void *scratch = NULL;
    sc_status scratch_st = l->src->ops->scratch_create(l->src, &scratch, &err);
    pthread_mutex_lock(&l->mutex);
    for (;;) {
        while (!l->stop && !may_claim(l))
            pthread_cond_wait(&l->changed, &l->mutex);
        if (l->stop)
            break;
        int64_t step = l->claim_step;
        if (l->claim_pos == 0)
            sc_loader_slot_begin(l, step);
        loader_slot *slot = &l->slots[step % l->depth];
        int from = l->claim_pos;
        int to = from + chunk_of(l, slot->count);
        if (to >= slot->count) {
            to = slot->count;
            l->claim_step++;
            l->claim_pos = 0;
        } else {
            l->claim_pos = to;
        }
        l->busy++;
        pthread_mutex_unlock(&l->mutex);
        sc_status st = scratch_st != SC_OK ? scratch_st
                                           : sc_loader_write_samples(l, scratch, step, from, to,
                                                                     &err);
        pthread_mutex_lock(&l->mutex);
        l->busy--;
        slot->done += to - from;
        if (st != SC_OK && !l->failed) {
            l->failed = 1;
            l->failure = err;
        }
        pthread_cond_broadcast(&l->changed);
    }
    pthread_mutex_unlock(&l->mutex);
    if (scratch_st == SC_OK)
        l->src->ops->scratch_free(scratch);
    return NULL;
}

sc_status sc_loader_start_workers(sc_loader *l, sc_error *err) {
    int workers = l->cfg.workers > 0 ? l->cfg.workers : 1;
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    int rc = 0;
    for (int w = 0; w < workers && rc == 0; w++) {
        rc = pthread_create(&l->threads[w], NULL, worker_main, l);
        if (rc == 0)
            l->threads_started++;
    }
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    if (rc != 0)
        return sc_fail(err, SC_ERR_OOM, "loader: cannot start worker thread %d of %d: %s",
                       l->threads_started + 1, workers, strerror(rc));
    return SC_OK;
}
