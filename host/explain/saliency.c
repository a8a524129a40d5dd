/* Vanilla-gradient saliency through the backend table (see saliency.h). */
#include "saliency.h"

sc_status sc_saliency_gradient(sc_net *net, sc_acts *acts, sc_fwd_mode fwd, int reuse_forward,
                               const sc_tensor *targets, const sc_saliency_params *p,
                               const sc_tensor *map, sc_error *err) {
    sc_backend *be = net->be;
    if (fwd == SC_FWD_TRAIN)
        return sc_fail(err, SC_ERR_INTERNAL, "saliency: a forward that updates running "
                       "statistics was asked for");
    be->ops->range_push(be, "saliency");
    sc_status st = SC_OK;
    if (!reuse_forward)
        st = sc_net_forward(net, acts, fwd, err);
    sc_tensor dlogits = sc_tensor_2d(sc_acts_dlogits(acts)->data, SC_F32, acts->n_rows,
                                     net->num_classes);
    if (st == SC_OK) {
        st = be->ops->onehot(be, 1.0f, targets, &dlogits);
        if (st != SC_OK)
            sc_fail(err, st, "saliency target: %s", be->err.msg);
    }
    if (st == SC_OK)
        st = sc_net_backward(net, acts, SC_BWD_INPUT_ONLY, err);
    if (st == SC_OK) {
        sc_tensor grad = acts->grads[0];
        grad.shape[0] = acts->n_rows;
        st = be->ops->saliency_reduce(be, p, &grad, NULL, map);
        if (st != SC_OK)
            sc_fail(err, st, "saliency map: %s", be->err.msg);
    }
    be->ops->range_pop(be);
    return st;
}

sc_status sc_saliency_predicted(sc_net *net, sc_acts *acts, const sc_tensor *targets,
                                sc_error *err) {
    sc_backend *be = net->be;
    sc_tensor logits = sc_tensor_2d(sc_acts_logits(acts)->data, SC_F32, acts->n_rows,
                                    net->num_classes);
    sc_status st = be->ops->argmax(be, &logits, targets);
    return st == SC_OK ? SC_OK : sc_fail(err, st, "predicted class: %s", be->err.msg);
}
