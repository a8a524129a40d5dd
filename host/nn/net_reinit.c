/* Re-initialisation of one layer's parameters on the device (see net_reinit.h). */
#include "net_reinit.h"

#include <math.h>

int sc_net_layer_has_params(const sc_net *net, int layer) {
    return layer >= 0 && layer < net->n_layers && net->layers[layer].param_weight >= 0;
}

/* Parameter `index` drawn by its init rule: the same formula as sc_net_create's host draw. */
static sc_status reinit_param(sc_net *net, int index, uint64_t seed) {
    sc_backend *be = net->be;
    const sc_param *p = &net->params[index];
    sc_rng_key key = sc_rng_key_make(seed, (uint32_t)index, SC_RNG_INIT);
    switch (p->init) {
    case SC_INIT_KAIMING_FAN_OUT:
        return be->ops->rng_normal(be, key, 0.0f, sqrtf(2.0f / (float)p->fan), &p->value);
    case SC_INIT_UNIFORM_FAN_IN: {
        float bound = 1.0f / sqrtf((float)p->fan);
        return be->ops->rng_uniform(be, key, -bound, bound, &p->value);
    }
    case SC_INIT_ONES: /* lo = hi = 1: every draw is exactly 1 */
        return be->ops->rng_uniform(be, key, 1.0f, 1.0f, &p->value);
    case SC_INIT_ZEROS:
        return be->ops->zero(be, p->value.data, sc_tensor_bytes(&p->value));
    }
    return SC_ERR_INTERNAL;
}

sc_status sc_net_reinit_layer(sc_net *net, int layer, uint64_t seed, sc_error *err) {
    if (!sc_net_layer_has_params(net, layer))
        return sc_fail(err, SC_ERR_INTERNAL, "layer %d of the network has no parameters", layer);
    const sc_layer *l = &net->layers[layer];
    int params[2] = {l->param_weight, l->param_bias};
    for (int i = 0; i < 2; i++) {
        if (params[i] < 0)
            continue;
        sc_status st = reinit_param(net, params[i], seed);
        if (st != SC_OK)
            return sc_fail(err, st, "re-initialising %s: %s", net->params[params[i]].name,
                           net->be->err.msg);
    }
    return SC_OK;
}
