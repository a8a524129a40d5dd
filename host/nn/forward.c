/* Forward pass over the layer list, through the backend table. */
#include "net.h"

static sc_status forward_layer(sc_net *net, sc_acts *a, int l, sc_fwd_mode mode) {
    sc_backend *be = net->be;
    const sc_backend_ops *ops = be->ops;
    const sc_layer *layer = &net->layers[l];
    const sc_tensor *x = &a->values[layer->inputs[0]];
    const sc_tensor *y = &a->values[l + 1];
    const sc_param *P = net->params;
    switch (layer->kind) {
    case SC_LAYER_CONV:
        return ops->conv2d_fwd(be, &layer->conv, x, &P[layer->param_weight].value, y);
    case SC_LAYER_BN: {
        const sc_tensor *gamma = &P[layer->param_weight].value, *beta = &P[layer->param_bias].value;
        const sc_tensor *mean = &P[layer->buf_mean].value, *var = &P[layer->buf_var].value;
        if (mode == SC_FWD_EVAL)
            return ops->bn_infer_fwd(be, &layer->bn, x, gamma, beta, mean, var, y);
        if (mode == SC_FWD_TRAIN && net->bn_sync)
            return net->bn_sync->forward(net->bn_sync->ctx, net, a, l);
        sc_bn_params p = layer->bn;
        if (mode == SC_FWD_TRAIN_FROZEN)
            p.momentum = 0.0f;
        return ops->bn_train_fwd(be, &p, x, gamma, beta, mean, var, &a->save_mean[l],
                                 &a->save_invstd[l], y);
    }
    case SC_LAYER_RELU:
        return ops->relu_fwd(be, x, y);
    case SC_LAYER_MAXPOOL:
        return ops->maxpool_fwd(be, &layer->pool, x, y);
    case SC_LAYER_GAP:
        return ops->gap_fwd(be, x, y);
    case SC_LAYER_ADD:
        return ops->add_fwd(be, x, &a->values[layer->inputs[1]], y);
    case SC_LAYER_LINEAR: {
        sc_tensor xm = sc_as_matrix(x), ym = sc_as_matrix(y);
        return ops->linear_fwd(be, &xm, &P[layer->param_weight].value, &P[layer->param_bias].value,
                               &ym);
    }
    }
    return SC_ERR_INTERNAL;
}

sc_status sc_net_forward(sc_net *net, sc_acts *acts, sc_fwd_mode mode, sc_error *err) {
    sc_backend *be = net->be;
    be->ops->range_push(be, "forward");
    for (int l = 0; l < net->n_layers; l++) {
        sc_status st = forward_layer(net, acts, l, mode);
        if (st != SC_OK) {
            be->ops->range_pop(be);
            return sc_fail(err, st, "forward, layer %d (%s): %s", l,
                           net->layers[l].name[0] ? net->layers[l].name : "unnamed", be->err.msg);
        }
    }
    be->ops->range_pop(be);
    acts->last_fwd = mode;
    if (mode == SC_FWD_TRAIN)
        net->num_batches_tracked++;
    return SC_OK;
}
