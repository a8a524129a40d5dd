/* Synchronised batch norm across ranks (see sync_bn.h). */
#include "sync_bn.h"

#include <math.h>
#include <stdlib.h>

struct sc_sync_bn {
    sc_dist *dist;
    sc_net *net;
    sc_bn_sync hook;
    int max_channels;
    void *device_scratch; /* var (C) then sums (2, C) on the backend */
    float *host_a, *host_b, *host_c, *host_d; /* (2 C) each: statistics on their way */
    double *mine, *all;   /* (2 C), (world, 2 C) */
};

/* A failed collective, reported through the backend's err as the layer hooks do. */
static sc_status collective_failed(sc_sync_bn *s, const sc_error *err) {
    return sc_fail(&s->net->be->err, SC_ERR_BACKEND, "sync-BN: %s", err->msg);
}

/* The tensor's floats into host memory, and back. */
static sc_status fetch(sc_backend *be, float *host, const sc_tensor *t) {
    return be->ops->download(be, host, t->data, sc_tensor_bytes(t));
}

static sc_status put(sc_backend *be, const sc_tensor *t, const float *host) {
    return be->ops->upload(be, t->data, host, sc_tensor_bytes(t));
}

/* Merge every rank's (mean, sum of squared deviations) of C channels over m values each, in
 * rank order (Chan et al.): host_a = global mean, host_b = 1 / sqrt(biased var + eps),
 * host_a + C = biased var; with momentum > 0 the running statistics in host_c / host_d take
 * the global mean and unbiased variance, as bn_train_fwd updates them. */
static void merge_statistics(sc_sync_bn *s, int C, double m, double eps, float momentum) {
    const int world = s->dist->world_size;
    const double total = m * world;
    for (int c = 0; c < C; c++) {
        double mean = 0.0;
        for (int r = 0; r < world; r++)
            mean += s->all[(size_t)r * 2 * C + 2 * c];
        mean /= world;
        double sq = 0.0;
        for (int r = 0; r < world; r++) {
            double d = s->all[(size_t)r * 2 * C + 2 * c] - mean;
            sq += s->all[(size_t)r * 2 * C + 2 * c + 1] + d * d * m;
        }
        const double biased = sq / total;
        s->host_a[c] = (float)mean;
        s->host_b[c] = (float)(1.0 / sqrt(biased + eps));
        s->host_a[C + c] = (float)biased;
        if (momentum > 0.0f) {
            const float unbiased = (float)(biased * total / (total - 1.0));
            s->host_c[c] = (1.0f - momentum) * s->host_c[c] + momentum * (float)mean;
            s->host_d[c] = (1.0f - momentum) * s->host_d[c] + momentum * unbiased;
        }
    }
}

static sc_status sync_forward(void *ctx, sc_net *net, sc_acts *a, int l) {
    sc_sync_bn *s = ctx;
    sc_backend *be = net->be;
    const sc_layer *layer = &net->layers[l];
    const sc_param *P = net->params;
    const sc_tensor *x = &a->values[layer->inputs[0]], *y = &a->values[l + 1];
    const sc_tensor *gamma = &P[layer->param_weight].value, *beta = &P[layer->param_bias].value;
    const sc_tensor *rm = &P[layer->buf_mean].value, *rv = &P[layer->buf_var].value;
    const sc_tensor *save_mean = &a->save_mean[l], *save_invstd = &a->save_invstd[l];
    const int updates = layer->bn.momentum > 0.0f;
    sc_bn_params local = layer->bn; /* this rank's statistics; running ones untouched */
    local.momentum = 0.0f;
    SC_TRY(be->ops->bn_train_fwd(be, &local, x, gamma, beta, rm, rv, save_mean, save_invstd, y));
    const int C = (int)x->shape[1];
    const double eps = (double)layer->bn.eps;
    const double m = (double)x->shape[0] * (double)(x->shape[2] * x->shape[3]);
    SC_TRY(fetch(be, s->host_a, save_mean));
    SC_TRY(fetch(be, s->host_b, save_invstd));
    for (int c = 0; c < C; c++) {
        double invstd = s->host_b[c];
        s->mine[2 * c] = s->host_a[c];
        s->mine[2 * c + 1] = (1.0 / (invstd * invstd) - eps) * m; /* sum of squared deviations */
    }
    sc_error err;
    if (sc_dist_allgather(s->dist, s->mine, 2 * C, s->all, &err) != SC_OK)
        return collective_failed(s, &err);
    if (updates) {
        SC_TRY(fetch(be, s->host_c, rm));
        SC_TRY(fetch(be, s->host_d, rv));
    }
    merge_statistics(s, C, m, eps, layer->bn.momentum);
    sc_tensor var = sc_tensor_1d(s->device_scratch, SC_F32, C);
    SC_TRY(put(be, save_mean, s->host_a));
    SC_TRY(put(be, save_invstd, s->host_b));
    SC_TRY(put(be, &var, s->host_a + C));
    if (updates) {
        SC_TRY(put(be, rm, s->host_c));
        SC_TRY(put(be, rv, s->host_d));
    }
    return be->ops->bn_infer_fwd(be, &layer->bn, x, gamma, beta, save_mean, &var, y);
}

static sc_status sync_backward(void *ctx, sc_net *net, sc_acts *a, int l, int full,
                               const sc_tensor *dx, int accumulate) {
    sc_sync_bn *s = ctx;
    sc_backend *be = net->be;
    const sc_layer *layer = &net->layers[l];
    const sc_param *P = net->params;
    const sc_tensor *x = &a->values[layer->inputs[0]], *dy = &a->grads[l + 1];
    const sc_tensor *mean = &a->save_mean[l], *invstd = &a->save_invstd[l];
    const int C = (int)x->shape[1];
    float *scratch = s->device_scratch;
    sc_tensor sums = sc_tensor_2d(scratch + s->max_channels, SC_F32, 2, C);
    sc_tensor sum_dy = sc_tensor_1d(scratch + s->max_channels, SC_F32, C);
    sc_tensor sum_dy_xhat = sc_tensor_1d(scratch + s->max_channels + C, SC_F32, C);
    SC_TRY(be->ops->bn_bwd_sums(be, x, dy, mean, invstd, &sums));
    if (full) { /* this rank's weight gradients; the gradient all-reduce averages them */
        SC_TRY(be->ops->axpby(be, 1.0f, &sum_dy_xhat, 1.0f, &P[layer->param_weight].grad));
        SC_TRY(be->ops->axpby(be, 1.0f, &sum_dy, 1.0f, &P[layer->param_bias].grad));
    }
    if (!dx)
        return SC_OK;
    SC_TRY(fetch(be, s->host_a, &sums));
    for (int i = 0; i < 2 * C; i++)
        s->mine[i] = s->host_a[i];
    sc_error err;
    if (sc_dist_sum(s->dist, s->mine, 2 * C, &err) != SC_OK)
        return collective_failed(s, &err);
    for (int i = 0; i < 2 * C; i++)
        s->host_a[i] = (float)s->mine[i];
    SC_TRY(put(be, &sums, s->host_a));
    double count = (double)x->shape[0] * (double)(x->shape[2] * x->shape[3]) *
                   (double)s->dist->world_size;
    return be->ops->bn_bwd_apply(be, count, x, dy, &P[layer->param_weight].value, mean, invstd,
                                 &sums, dx, accumulate);
}

sc_status sc_sync_bn_create(sc_dist *d, sc_net *net, sc_sync_bn **out, sc_error *err) {
    *out = NULL;
    sc_sync_bn *s = calloc(1, sizeof *s);
    if (!s)
        return sc_fail(err, SC_ERR_OOM, "no host memory for sync-BN");
    s->dist = d;
    s->net = net;
    for (int l = 0; l < net->n_layers; l++)
        if (net->layers[l].kind == SC_LAYER_BN && net->layers[l].out_c > s->max_channels)
            s->max_channels = net->layers[l].out_c;
    size_t c2 = 2 * (size_t)(s->max_channels > 0 ? s->max_channels : 1);
    s->host_a = malloc(c2 * sizeof(float));
    s->host_b = malloc(c2 * sizeof(float));
    s->host_c = malloc(c2 * sizeof(float));
    s->host_d = malloc(c2 * sizeof(float));
    s->mine = malloc(c2 * sizeof(double));
    s->all = malloc(c2 * (size_t)d->world_size * sizeof(double));
    sc_status st = SC_OK;
    if (!s->host_a || !s->host_b || !s->host_c || !s->host_d || !s->mine || !s->all)
        st = sc_fail(err, SC_ERR_OOM, "no host memory for sync-BN");
    if (st == SC_OK &&
        (st = net->be->ops->alloc(net->be, 3 * c2 / 2 * sizeof(float), &s->device_scratch)))
        sc_fail(err, st, "sync-BN scratch: %s", net->be->err.msg);
    if (st != SC_OK) {
        sc_sync_bn_destroy(s);
        return st;
    }
    s->hook.forward = sync_forward;
    s->hook.backward = sync_backward;
    s->hook.ctx = s;
    net->bn_sync = &s->hook;
    *out = s;
    return SC_OK;
}

void sc_sync_bn_destroy(sc_sync_bn *s) {
    if (!s)
        return;
    if (s->net->bn_sync == &s->hook)
        s->net->bn_sync = NULL;
    if (s->device_scratch)
        s->net->be->ops->free(s->net->be, s->device_scratch);
    free(s->host_a);
    free(s->host_b);
    free(s->host_c);
    free(s->host_d);
    free(s->mine);
    free(s->all);
    free(s);
}
