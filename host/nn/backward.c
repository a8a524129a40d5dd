/* Backward pass, last layer to first: full (weight and input gradients) or input-gradient
 * only (saliency and attacks: no weight gradient is computed, and the pass ends with the
 * gradient of the network input). Input gradients are written by the last consumer of a
 * value and accumulated by the others (plan in acts.c). */
#include "net.h"

static sc_status backward_layer(sc_net *net, sc_acts *a, int l, sc_bwd_mode mode) {
    sc_backend *be = net->be;
    const sc_backend_ops *ops = be->ops;
    const sc_layer *layer = &net->layers[l];
    int full = mode == SC_BWD_FULL;
    const sc_tensor *x = &a->values[layer->inputs[0]];
    const sc_tensor *y = &a->values[l + 1];
    const sc_tensor *dy = &a->grads[l + 1];
    const sc_tensor *dx = &a->grads[layer->inputs[0]];
    int need_dx = dx->data != NULL;
    int acc = a->grad_accumulate[2 * l];
    const sc_param *P = net->params;
    switch (layer->kind) {
    case SC_LAYER_CONV: {
        const sc_tensor *w = &P[layer->param_weight].value;
        if (full)
            SC_TRY(ops->conv2d_bwd_filter(be, &layer->conv, x, dy, &P[layer->param_weight].grad));
        return need_dx ? ops->conv2d_bwd_data(be, &layer->conv, dy, w, dx, acc) : SC_OK;
    }
    case SC_LAYER_BN: {
        const sc_tensor *gamma = &P[layer->param_weight].value;
        if (a->last_fwd == SC_FWD_EVAL) {
            if (full)
                return SC_ERR_UNSUPPORTED; /* weight gradients need batch statistics */
            return need_dx ? ops->bn_infer_bwd(be, &layer->bn, dy, gamma, &P[layer->buf_var].value,
                                               dx, acc)
                           : SC_OK;
        }
        if (!need_dx && !full)
            return SC_OK;
        if (a->last_fwd == SC_FWD_TRAIN && net->bn_sync)
            return net->bn_sync->backward(net->bn_sync->ctx, net, a, l, full,
                                          need_dx ? dx : NULL, acc);
        return ops->bn_train_bwd(be, &layer->bn, x, dy, gamma, &a->save_mean[l], &a->save_invstd[l],
                                 dx, full ? &P[layer->param_weight].grad : NULL,
                                 full ? &P[layer->param_bias].grad : NULL, acc);
    }
    case SC_LAYER_RELU:
        return need_dx ? ops->relu_bwd(be, y, dy, dx, acc) : SC_OK;
    case SC_LAYER_MAXPOOL:
        return need_dx ? ops->maxpool_bwd(be, &layer->pool, x, y, dy, dx, acc) : SC_OK;
    case SC_LAYER_GAP:
        return need_dx ? ops->gap_bwd(be, dy, dx, acc) : SC_OK;
    case SC_LAYER_ADD: {
        if (need_dx && !a->grad_skip[2 * l])
            SC_TRY(ops->add_bwd(be, dy, dx, acc));
        const sc_tensor *dshort = &a->grads[layer->inputs[1]];
        return dshort->data ? ops->add_bwd(be, dy, dshort, a->grad_accumulate[2 * l + 1]) : SC_OK;
    }
    case SC_LAYER_LINEAR: {
        sc_tensor xm = sc_as_matrix(x), dym = sc_as_matrix(dy);
        if (full)
            SC_TRY(ops->linear_bwd_weight(be, &xm, &dym, &P[layer->param_weight].grad,
                                          &P[layer->param_bias].grad));
        if (!need_dx)
            return SC_OK;
        sc_tensor dxm = sc_as_matrix(dx);
        return ops->linear_bwd_data(be, &dym, &P[layer->param_weight].value, &dxm, acc);
    }
    }
    return SC_ERR_INTERNAL;
}

sc_status sc_net_backward(sc_net *net, sc_acts *acts, sc_bwd_mode mode, sc_error *err) {
    return sc_net_backward_hooked(net, acts, mode, NULL, err);
}

sc_status sc_net_backward_hooked(sc_net *net, sc_acts *acts, sc_bwd_mode mode,
                                 const sc_backward_hook *hook, sc_error *err) {
    sc_backend *be = net->be;
    if (!acts->grads[acts->n_values - 1].data)
        return sc_fail(err, SC_ERR_INTERNAL, "backward on activations created without gradients");
    if (mode == SC_BWD_INPUT_ONLY && !acts->grads[0].data)
        return sc_fail(err, SC_ERR_INTERNAL, "input-gradient backward needs activations created "
                                             "with want_input_grad");
    be->ops->range_push(be, mode == SC_BWD_FULL ? "backward" : "backward_input_grad");
    for (int l = net->n_layers - 1; l >= 0; l--) {
        sc_status st = backward_layer(net, acts, l, mode);
        if (st != SC_OK) {
            be->ops->range_pop(be);
            if (st == SC_ERR_UNSUPPORTED && net->layers[l].kind == SC_LAYER_BN)
                return sc_fail(err, st, "backward, %s: full backward after an evaluation-mode "
                               "forward (weight gradients need batch statistics)", net->layers[l].name);
            return sc_fail(err, st, "backward, layer %d (%s): %s", l,
                           net->layers[l].name[0] ? net->layers[l].name : "unnamed", be->err.msg);
        }
        if (hook && (st = hook->layer_done(hook->ctx, l, err)) != SC_OK) {
            be->ops->range_pop(be);
            return st;
        }
    }
    be->ops->range_pop(be);
    return SC_OK;
}
