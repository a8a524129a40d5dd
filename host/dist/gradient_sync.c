/* Bucketed gradient all-reduce (see gradient_sync.h). The CPU backend's gradients are host
 * memory and go straight to MPI; a CUDA backend uses NCCL on its stream when the build has it
 * (nccl_comm.c), else stages the buffer through host memory for MPI. */
#include "gradient_sync.h"

#include <stdlib.h>

#include "nccl_comm.h"

struct sc_gradient_sync {
    sc_dist *dist;
    sc_net *net;
    int n_buckets;
    sc_dist_bucket *buckets;
    float *staging;        /* (trainable floats) host copy for a device backend without NCCL */
    sc_nccl_comm *nccl;    /* NULL unless NCCL carries the gradients */
};

int sc_dist_plan_buckets(int64_t total, int64_t bucket_floats, sc_dist_bucket *out, int max) {
    if (total <= 0 || bucket_floats <= 0)
        return 0;
    int64_t n = (total + bucket_floats - 1) / bucket_floats;
    for (int64_t i = 0; i < n && i < max; i++) {
        int64_t end = total - i * bucket_floats;
        int64_t begin = end > bucket_floats ? end - bucket_floats : 0;
        out[i].offset = begin;
        out[i].count = end - begin;
    }
    return (int)n;
}

sc_status sc_gradient_sync_create(sc_dist *d, sc_net *net, int64_t bucket_floats,
                                  sc_gradient_sync **out, sc_error *err) {
    *out = NULL;
    sc_gradient_sync *g = calloc(1, sizeof *g);
    if (!g)
        return sc_fail(err, SC_ERR_OOM, "no host memory for the gradient all-reduce");
    g->dist = d;
    g->net = net;
    int64_t total = sc_tensor_numel(&net->flat_grads);
    int64_t bucket = bucket_floats > 0 ? bucket_floats : SC_DIST_BUCKET_FLOATS;
    g->n_buckets = sc_dist_plan_buckets(total, bucket, NULL, 0);
    g->buckets = calloc((size_t)g->n_buckets + 1, sizeof *g->buckets);
    sc_status st = g->buckets ? SC_OK
                              : sc_fail(err, SC_ERR_OOM, "no host memory for %d gradient buckets",
                                        g->n_buckets);
    if (st == SC_OK && g->n_buckets > SC_DIST_MAX_PENDING)
        st = sc_fail(err, SC_ERR_USAGE, "%d gradient buckets exceed the %d an all-reduce can "
                     "have pending: use larger buckets", g->n_buckets, SC_DIST_MAX_PENDING);
    if (st == SC_OK)
        sc_dist_plan_buckets(total, bucket, g->buckets, g->n_buckets);
    if (st == SC_OK && net->be->kind != SC_BACKEND_CPU) {
        if (sc_dist_nccl_compiled())
            st = sc_nccl_comm_create(d, net->be, &g->nccl, err);
        else if (!(g->staging = malloc((size_t)total * sizeof *g->staging)))
            st = sc_fail(err, SC_ERR_OOM, "no host memory to stage %lld gradient floats",
                         (long long)total);
    }
    if (st != SC_OK) {
        sc_gradient_sync_destroy(g);
        return st;
    }
    *out = g;
    return SC_OK;
}

/* Every bucket's sum over ranks, in host memory. */
static sc_status sum_host_buckets(sc_gradient_sync *g, float *data, sc_error *err) {
    for (int i = 0; i < g->n_buckets; i++)
        SC_TRY(sc_dist_sum_floats_start(g->dist, data + g->buckets[i].offset,
                                        g->buckets[i].count, err));
    return sc_dist_sum_floats_wait(g->dist, err);
}

sc_status sc_gradient_sync_run(sc_gradient_sync *g, sc_error *err) {
    if (g->n_buckets == 0 || (!sc_dist_active(g->dist) && !g->nccl))
        return SC_OK; /* one rank: only NCCL (a communicator of size 1) has work to check */
    sc_backend *be = g->net->be;
    sc_tensor *flat = &g->net->flat_grads;
    size_t bytes = sc_tensor_bytes(flat);
    be->ops->range_push(be, "allreduce");
    sc_status st = SC_OK;
    if (g->nccl) {
        st = sc_nccl_comm_mean(g->nccl, g->dist, sc_f32(flat), g->buckets, g->n_buckets, err);
        be->ops->range_pop(be);
        return st;
    }
    if (g->staging) {
        st = be->ops->download(be, g->staging, flat->data, bytes);
        if (st != SC_OK)
            sc_fail(err, st, "gradient all-reduce: %s", be->err.msg);
    }
    if (st == SC_OK)
        st = sum_host_buckets(g, g->staging ? g->staging : sc_f32(flat), err);
    if (st == SC_OK && g->staging && (st = be->ops->upload(be, flat->data, g->staging, bytes)))
        sc_fail(err, st, "gradient all-reduce: %s", be->err.msg);
    if (st == SC_OK &&
        (st = be->ops->axpby(be, 1.0f / (float)g->dist->world_size, flat, 0.0f, flat)) != SC_OK)
        sc_fail(err, st, "gradient all-reduce (mean): %s", be->err.msg);
    be->ops->range_pop(be);
    return st;
}

void sc_gradient_sync_destroy(sc_gradient_sync *g) {
    if (!g)
        return;
    sc_nccl_comm_destroy(g->nccl);
    free(g->staging);
    free(g->buckets);
    free(g);
}
