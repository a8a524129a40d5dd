/* Data-parallel pieces of the training run (see train_dist.h). */
#include "train_dist.h"

#include <math.h>

#include "host/core/log.h"

sc_status sc_train_dist_check(const sc_dist *d, const sc_train_config *cfg, sc_error *err) {
    int world = sc_train_dist_world(d);
    if (cfg->batch % world != 0)
        return sc_fail(err, SC_ERR_USAGE, "--batch %d is the global batch and must divide by "
                       "the %d ranks of this job", cfg->batch, world);
    if (cfg->eval_batch % world != 0)
        return sc_fail(err, SC_ERR_USAGE, "--eval-batch %d must divide by the %d ranks of this "
                       "job", cfg->eval_batch, world);
    return SC_OK;
}

int sc_train_dist_world(const sc_dist *d) {
    return d ? d->world_size : 1;
}

int sc_train_dist_rank(const sc_dist *d) {
    return d ? d->rank : 0;
}

int sc_train_dist_local_batch(const sc_dist *d, int global_batch) {
    return global_batch / sc_train_dist_world(d);
}

sc_status sc_train_dist_open(sc_train_dist *t, sc_dist *d, sc_net *net,
                             const sc_train_config *cfg, sc_error *err) {
    t->dist = d;
    t->grads = NULL;
    t->sync_bn = NULL;
    if (!d || !d->launched) /* mpirun -np 1 still runs the data-parallel path (NCCL of size 1) */
        return SC_OK;
    int64_t bucket_floats = (int64_t)((double)cfg->bucket_mb * 1024.0 * 1024.0 / sizeof(float));
    SC_TRY(sc_gradient_sync_create(d, net, bucket_floats > 0 ? bucket_floats : 1,
                                   cfg->grad_overlap, &t->grads, err));
    if (d->rank == 0)
        sc_log("gradient all-reduce: %d bucket%s of up to %g MiB, %s",
               sc_gradient_sync_bucket_count(t->grads),
               sc_gradient_sync_bucket_count(t->grads) == 1 ? "" : "s", (double)cfg->bucket_mb,
               sc_gradient_sync_hook(t->grads) ? "started during the backward pass"
                                               : "after the backward pass");
    if (cfg->sync_bn)
        SC_TRY(sc_sync_bn_create(d, net, &t->sync_bn, err));
    return SC_OK;
}

void sc_train_dist_close(sc_train_dist *t) {
    sc_sync_bn_destroy(t->sync_bn);
    sc_gradient_sync_destroy(t->grads);
    t->sync_bn = NULL;
    t->grads = NULL;
}

sc_status sc_train_dist_stats(sc_train_dist *t, float *stats, int count, sc_error *err) {
    if (!sc_dist_active(t->dist))
        return SC_OK;
    double sums[64];
    if (count > 64)
        return sc_fail(err, SC_ERR_INTERNAL, "%d statistics exceed the 64 summed over ranks",
                       count);
    for (int i = 0; i < count; i++)
        sums[i] = stats[i];
    SC_TRY(sc_dist_sum(t->dist, sums, count, err));
    for (int i = 0; i < count; i++)
        stats[i] = (float)sums[i];
    return SC_OK;
}

sc_status sc_train_dist_eval(sc_train_dist *t, sc_eval_result *ev, sc_error *err) {
    if (!sc_dist_active(t->dist))
        return SC_OK;
    double n = (double)ev->samples;
    double sums[3] = {ev->loss * n, ev->accuracy * n, n};
    SC_TRY(sc_dist_sum(t->dist, sums, 3, err));
    ev->samples = (int64_t)sums[2];
    ev->loss = sums[2] > 0 ? sums[0] / sums[2] : 0.0;
    ev->accuracy = sums[2] > 0 ? sums[1] / sums[2] : 0.0;
    return SC_OK;
}

sc_status sc_train_dist_gini(sc_train_dist *t, sc_saliency_gini_result *g, sc_error *err) {
    if (!sc_dist_active(t->dist))
        return SC_OK;
    double valid = (double)g->valid;
    double sums[3] = {valid > 0 ? g->mean_gini * valid : 0.0, valid, (double)g->degenerate};
    SC_TRY(sc_dist_sum(t->dist, sums, 3, err));
    g->valid = (int64_t)sums[1];
    g->degenerate = (int64_t)sums[2];
    g->mean_gini = sums[1] > 0 ? sums[0] / sums[1] : NAN;
    return SC_OK;
}

sc_status sc_train_dist_any_stop(sc_train_dist *t, int *stop, sc_error *err) {
    return sc_dist_any(t->dist, stop, err);
}

double sc_train_dist_comm_seconds(const sc_train_dist *t) {
    return t->dist ? t->dist->comm_seconds : 0.0;
}
