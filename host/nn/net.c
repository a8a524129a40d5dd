/* Network creation: parameter/gradient/optimizer arenas sized from the builder's spec table,
 * torchvision-style initialisation from Philox, parameter lookup. */
#include "net.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../core/rng.h"

/* Fill a host buffer with a parameter's initial values (deterministic in seed and index). */
static void init_param_host(const sc_param *p, int param_index, uint64_t seed, float *host) {
    int64_t n = sc_tensor_numel(&p->value);
    sc_rng_key key = sc_rng_key_make(seed, (uint32_t)param_index, SC_RNG_INIT);
    switch (p->init) {
    case SC_INIT_KAIMING_FAN_OUT: {
        float std = sqrtf(2.0f / (float)p->fan);
        for (int64_t i = 0; i < n; i++)
            host[i] = std * sc_rng_normal(key, (uint64_t)i);
        break;
    }
    case SC_INIT_UNIFORM_FAN_IN: {
        float bound = 1.0f / sqrtf((float)p->fan);
        for (int64_t i = 0; i < n; i++)
            host[i] = bound * (2.0f * sc_rng_uniform(key, (uint64_t)i) - 1.0f);
        break;
    }
    case SC_INIT_ONES:
        for (int64_t i = 0; i < n; i++)
            host[i] = 1.0f;
        break;
    case SC_INIT_ZEROS:
        memset(host, 0, (size_t)n * sizeof *host);
        break;
    }
}

static sc_status init_params(sc_net *net, uint64_t seed, sc_error *err) {
    size_t largest = 0;
    for (int i = 0; i < net->n_params; i++)
        if (sc_tensor_bytes(&net->params[i].value) > largest)
            largest = sc_tensor_bytes(&net->params[i].value);
    float *host = malloc(largest ? largest : sizeof(float));
    if (!host)
        return sc_fail(err, SC_ERR_OOM, "no host memory to initialise parameters");
    sc_backend *be = net->be;
    for (int i = 0; i < net->n_params; i++) {
        sc_param *p = &net->params[i];
        init_param_host(p, i, seed, host);
        sc_status st = be->ops->upload(be, p->value.data, host, sc_tensor_bytes(&p->value));
        if (st != SC_OK) {
            free(host);
            return sc_fail(err, st, "initialising %s: %s", p->name, be->err.msg);
        }
    }
    free(host);
    return SC_OK;
}

static int last_value_is_logits(const sc_net_builder *b) {
    return b->n_layers > 0 && b->layers[b->n_layers - 1].kind == SC_LAYER_LINEAR;
}

sc_status sc_net_create(sc_net_builder *b, sc_backend *be, uint64_t seed, sc_net **out,
                        sc_error *err) {
    *out = NULL;
    if (b->failed)
        return sc_fail(err, SC_ERR_INTERNAL, "building the network: %s", b->error);
    if (!last_value_is_logits(b))
        return sc_fail(err, SC_ERR_INTERNAL, "a network must end with a linear layer");
    sc_net *net = calloc(1, sizeof *net);
    if (!net)
        return sc_fail(err, SC_ERR_OOM, "no host memory for the network");
    net->be = be;
    net->in_c = b->in_c;
    net->in_h = b->in_h;
    net->in_w = b->in_w;
    net->n_layers = b->n_layers;
    net->layers = b->layers;
    net->n_params = b->n_params;
    net->params = b->params;
    net->num_classes = b->layers[b->n_layers - 1].out_c;
    b->layers = NULL;
    b->params = NULL;
    sc_nb_free(b);

    /* Trainable tensors first, packed at 64-float alignment; the gaps stay zero in the
     * parameter, gradient and momentum arenas alike, so one flat update covers them all. */
    sc_arena_init(&net->param_arena, be, "parameter");
    sc_arena_init(&net->grad_arena, be, "gradient");
    sc_arena_init(&net->momentum_arena, be, "optimizer state");
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < net->n_params; i++) {
            sc_param *p = &net->params[i];
            if (p->trainable != (pass == 0))
                continue;
            size_t bytes = sc_tensor_bytes(&p->value);
            p->offset = sc_arena_reserve(&net->param_arena, bytes);
            if (pass == 0) {
                sc_arena_reserve(&net->grad_arena, bytes);
                sc_arena_reserve(&net->momentum_arena, bytes);
                net->trainable_bytes = net->param_arena.size;
            }
        }
    sc_status st = sc_arena_commit(&net->param_arena, err);
    if (st == SC_OK)
        st = sc_arena_commit(&net->grad_arena, err);
    if (st == SC_OK)
        st = sc_arena_commit(&net->momentum_arena, err);
    if (st != SC_OK) {
        sc_net_destroy(net);
        return st;
    }
    for (int i = 0; i < net->n_params; i++) {
        sc_param *p = &net->params[i];
        p->value.data = sc_arena_ptr(&net->param_arena, p->offset);
        if (p->trainable) {
            p->grad = p->value;
            p->grad.data = sc_arena_ptr(&net->grad_arena, p->offset);
            p->momentum = p->value;
            p->momentum.data = sc_arena_ptr(&net->momentum_arena, p->offset);
        }
    }
    int64_t flat = (int64_t)(net->trainable_bytes / sizeof(float));
    net->flat_params = sc_tensor_1d(net->param_arena.base, SC_F32, flat);
    net->flat_grads = sc_tensor_1d(net->grad_arena.base, SC_F32, flat);
    net->flat_momentum = sc_tensor_1d(net->momentum_arena.base, SC_F32, flat);
    st = init_params(net, seed, err);
    if (st != SC_OK) {
        sc_net_destroy(net);
        return st;
    }
    *out = net;
    return SC_OK;
}

void sc_net_destroy(sc_net *net) {
    if (!net)
        return;
    sc_arena_release(&net->param_arena);
    sc_arena_release(&net->grad_arena);
    sc_arena_release(&net->momentum_arena);
    free(net->layers);
    free(net->params);
    free(net);
}

int sc_net_find_param(const sc_net *net, const char *name) {
    for (int i = 0; i < net->n_params; i++)
        if (strcmp(net->params[i].name, name) == 0)
            return i;
    return -1;
}

int64_t sc_net_trainable_count(const sc_net *net) {
    int64_t n = 0;
    for (int i = 0; i < net->n_params; i++)
        if (net->params[i].trainable)
            n += sc_tensor_numel(&net->params[i].value);
    return n;
}

sc_status sc_net_zero_grads(sc_net *net, sc_error *err) {
    sc_backend *be = net->be;
    sc_status st = be->ops->zero(be, net->grad_arena.base, net->trainable_bytes);
    if (st != SC_OK)
        return sc_fail(err, st, "zeroing gradients: %s", be->err.msg);
    return SC_OK;
}
