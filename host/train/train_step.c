/* Training steps by mode (see train_step.h). */
#include "train_step.h"

#include <string.h>

#include "evaluate.h"

sc_status sc_train_step_for_mode(const char *mode, sc_train_step_fn *out, sc_error *err) {
    if (strcmp(mode, "standard") == 0) {
        *out = sc_train_step_standard;
        return SC_OK;
    }
    if (strcmp(mode, "sgt") == 0 || strcmp(mode, "scaat") == 0 || strcmp(mode, "adv") == 0)
        return sc_fail(err, SC_ERR_USAGE, "--mode %s: this build trains only --mode standard "
                       "so far", mode);
    return sc_fail(err, SC_ERR_USAGE, "--mode: unknown mode '%s' (expected standard, adv, sgt or "
                   "scaat)", mode);
}

sc_status sc_train_apply_sgd(const sc_train_step_args *args, sc_error *err) {
    sc_net *net = args->net;
    sc_backend *be = net->be;
    sc_sgd_params p = {args->lr, args->cfg->momentum, args->cfg->weight_decay, args->cfg->nesterov};
    be->ops->range_push(be, "optimizer");
    sc_status st = be->ops->sgd_update(be, &p, &net->flat_params, &net->flat_grads,
                                       &net->flat_momentum);
    be->ops->range_pop(be);
    if (st != SC_OK)
        return sc_fail(err, st, "optimizer step: %s", be->err.msg);
    return SC_OK;
}

sc_status sc_train_step_standard(const sc_train_step_args *args, sc_error *err) {
    sc_net *net = args->net;
    sc_acts *acts = args->acts;
    sc_backend *be = net->be;
    SC_TRY(sc_net_zero_grads(net, err));
    SC_TRY(sc_net_forward(net, acts, SC_FWD_TRAIN, err));
    sc_xent_params xp = {args->cfg->label_smoothing, 1.0f};
    sc_tensor logits = sc_acts_logits_rows(acts), dlogits = sc_acts_dlogits_rows(acts);
    sc_tensor labels = sc_acts_labels_rows(acts);
    be->ops->range_push(be, "loss");
    sc_status st = be->ops->softmax_xent(be, &xp, &logits, &labels, &dlogits, &acts->loss_stats);
    be->ops->range_pop(be);
    if (st != SC_OK)
        return sc_fail(err, st, "loss: %s", be->err.msg);
    SC_TRY(sc_net_backward(net, acts, SC_BWD_FULL, err));
    return sc_train_apply_sgd(args, err);
}
