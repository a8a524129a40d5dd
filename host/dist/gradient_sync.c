/* Bucketed gradient all-reduce (see gradient_sync.h). The CPU backend's gradients are host
 * memory and go straight to MPI; a CUDA backend uses NCCL on a stream of its own when the build
 * has it (nccl_comm.c), else stages the buffer through host memory for MPI. */
#include "gradient_sync.h"

#include <stdlib.h>

#include "nccl_comm.h"

struct sc_gradient_sync {
    sc_dist *dist;
    sc_net *net;
    int n_buckets;
    sc_dist_bucket *buckets;
    int *ready_layer;      /* (n_buckets) bucket i may start once the backward did this layer */
    int next;              /* first bucket not started in this step */
    int overlap;
    sc_backward_hook hook;
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

/* ready_layer[i] = the lowest layer owning a parameter whose gradient floats meet bucket i,
 * then made non-increasing down the list, so buckets start in listed order (the same order on
 * every rank, as collectives need). Parameters sit in the flat buffer at their arena offsets. */
static sc_status plan_readiness(sc_gradient_sync *g, sc_error *err) {
    const sc_net *net = g->net;
    int *owner = malloc((size_t)(net->n_params > 0 ? net->n_params : 1) * sizeof *owner);
    if (!owner)
        return sc_fail(err, SC_ERR_OOM, "no host memory for the gradient bucket plan");
    for (int p = 0; p < net->n_params; p++)
        owner[p] = 0; /* a parameter no layer claims is final only at the end */
    for (int l = 0; l < net->n_layers; l++) {
        if (net->layers[l].param_weight >= 0)
            owner[net->layers[l].param_weight] = l;
        if (net->layers[l].param_bias >= 0)
            owner[net->layers[l].param_bias] = l;
    }
    for (int i = 0; i < g->n_buckets; i++) {
        int64_t begin = g->buckets[i].offset, end = begin + g->buckets[i].count;
        int ready = net->n_layers - 1;
        for (int p = 0; p < net->n_params; p++) {
            const sc_param *param = &net->params[p];
            if (!param->trainable)
                continue;
            int64_t first = (int64_t)(param->offset / sizeof(float));
            int64_t last = first + sc_tensor_numel(&param->grad);
            if (first < end && begin < last && owner[p] < ready)
                ready = owner[p];
        }
        g->ready_layer[i] = i > 0 && g->ready_layer[i - 1] < ready ? g->ready_layer[i - 1] : ready;
    }
    free(owner);
    return SC_OK;
}

static sc_status start_bucket(sc_gradient_sync *g, int i, sc_error *err) {
    float *flat = sc_f32(&g->net->flat_grads);
    if (g->nccl)
        return sc_nccl_comm_start(g->nccl, flat + g->buckets[i].offset, g->buckets[i].count, err);
    return sc_dist_sum_floats_start(g->dist, flat + g->buckets[i].offset, g->buckets[i].count,
                                    err);
}

static sc_status on_layer_done(void *ctx, int layer, sc_error *err) {
    sc_gradient_sync *g = ctx;
    int ready = sc_gradient_sync_ready_count(g, layer);
    for (; g->next < ready; g->next++)
        SC_TRY(start_bucket(g, g->next, err));
    return g->nccl ? SC_OK : sc_dist_sum_floats_progress(g->dist, err);
}

sc_status sc_gradient_sync_create(sc_dist *d, sc_net *net, int64_t bucket_floats, int overlap,
                                  sc_gradient_sync **out, sc_error *err) {
    *out = NULL;
    sc_gradient_sync *g = calloc(1, sizeof *g);
    if (!g)
        return sc_fail(err, SC_ERR_OOM, "no host memory for the gradient all-reduce");
    g->dist = d;
    g->net = net;
    g->hook = (sc_backward_hook){on_layer_done, g};
    int64_t total = sc_tensor_numel(&net->flat_grads);
    int64_t bucket = bucket_floats > 0 ? bucket_floats : SC_DIST_BUCKET_FLOATS;
    g->n_buckets = sc_dist_plan_buckets(total, bucket, NULL, 0);
    g->buckets = calloc((size_t)g->n_buckets + 1, sizeof *g->buckets);
    g->ready_layer = calloc((size_t)g->n_buckets + 1, sizeof *g->ready_layer);
    sc_status st = g->buckets && g->ready_layer
                       ? SC_OK
                       : sc_fail(err, SC_ERR_OOM, "no host memory for %d gradient buckets",
                                 g->n_buckets);
    if (st == SC_OK && g->n_buckets > SC_DIST_MAX_PENDING)
        st = sc_fail(err, SC_ERR_USAGE, "%d gradient buckets exceed the %d an all-reduce can "
                     "have pending: use larger buckets (--bucket-mb)", g->n_buckets,
                     SC_DIST_MAX_PENDING);
    if (st == SC_OK) {
        sc_dist_plan_buckets(total, bucket, g->buckets, g->n_buckets);
        st = plan_readiness(g, err);
    }
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
    g->overlap = overlap && !g->staging && (g->nccl || sc_dist_active(d));
    *out = g;
    return SC_OK;
}

const sc_backward_hook *sc_gradient_sync_hook(sc_gradient_sync *g) {
    return g && g->overlap ? &g->hook : NULL;
}

int sc_gradient_sync_ready_count(const sc_gradient_sync *g, int layer) {
    int n = 0;
    while (n < g->n_buckets && layer <= g->ready_layer[n])
        n++;
    return n;
}

int sc_gradient_sync_bucket_count(const sc_gradient_sync *g) {
    return g->n_buckets;
}

/* The buckets not started during the backward, then the wait; the sum becomes the mean. */
static sc_status finish_host(sc_gradient_sync *g, float *data, sc_error *err) {
    for (; g->next < g->n_buckets; g->next++)
        SC_TRY(sc_dist_sum_floats_start(g->dist, data + g->buckets[g->next].offset,
                                        g->buckets[g->next].count, err));
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
        for (; st == SC_OK && g->next < g->n_buckets; g->next++)
            st = start_bucket(g, g->next, err);
        if (st == SC_OK)
            st = sc_nccl_comm_finish(g->nccl, g->dist, err);
    } else {
        if (g->staging && (st = be->ops->download(be, g->staging, flat->data, bytes)) != SC_OK)
            sc_fail(err, st, "gradient all-reduce: %s", be->err.msg);
        if (st == SC_OK)
            st = finish_host(g, g->staging ? g->staging : sc_f32(flat), err);
        if (st == SC_OK && g->staging &&
            (st = be->ops->upload(be, flat->data, g->staging, bytes)) != SC_OK)
            sc_fail(err, st, "gradient all-reduce: %s", be->err.msg);
        if (st == SC_OK &&
            (st = be->ops->axpby(be, 1.0f / (float)g->dist->world_size, flat, 0.0f, flat)) != SC_OK)
            sc_fail(err, st, "gradient all-reduce (mean): %s", be->err.msg);
    }
    g->next = 0;
    be->ops->range_pop(be);
    return st;
}

void sc_gradient_sync_destroy(sc_gradient_sync *g) {
    if (!g)
        return;
    sc_nccl_comm_destroy(g->nccl);
    free(g->staging);
    free(g->ready_layer);
    free(g->buckets);
    free(g);
}
