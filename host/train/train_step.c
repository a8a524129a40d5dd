/* Standard training and the pieces every mode shares (see train_step.h). */
#include "train_step.h"

#include "evaluate.h"
#include "host/dist/gradient_sync.h"
#include "host/explain/saliency.h"

sc_train_step_fn sc_train_step_for_mode(sc_mode_kind kind) {
    switch (kind) {
    case SC_MODE_ADV: return sc_train_step_adv;
    case SC_MODE_SGT: return sc_train_step_sgt;
    case SC_MODE_SCAAT: return sc_train_step_scaat;
    case SC_MODE_ASGT: return sc_train_step_asgt;
    default: return sc_train_step_standard;
    }
}

sc_status sc_train_op(sc_backend *be, sc_status st, const char *what, sc_error *err) {
    return st == SC_OK ? SC_OK : sc_fail(err, st, "%s: %s", what, be->err.msg);
}

sc_status sc_train_apply_sgd(const sc_train_step_args *args, sc_error *err) {
    sc_net *net = args->net;
    sc_backend *be = net->be;
    sc_sgd_params p = {args->lr, args->cfg->momentum, args->cfg->weight_decay, args->cfg->nesterov};
    if (args->grad_sync)
        SC_TRY(sc_gradient_sync_run(args->grad_sync, err));
    be->ops->range_push(be, "optimizer");
    sc_status st = be->ops->sgd_update(be, &p, &net->flat_params, &net->flat_grads,
                                       &net->flat_momentum);
    be->ops->range_pop(be);
    return sc_train_op(be, st, "optimizer step", err);
}

sc_status sc_train_last_backward_sgd(const sc_train_step_args *args, sc_acts *branch,
                                     sc_error *err) {
    SC_TRY(sc_net_backward_hooked(args->net, branch, SC_BWD_FULL,
                                  sc_gradient_sync_hook(args->grad_sync), err));
    return sc_train_apply_sgd(args, err);
}

sc_status sc_train_copy_batch(sc_acts *from, sc_acts *to, sc_error *err) {
    sc_backend *be = from->net->be;
    sc_status st = be->ops->copy(be, to->values[0].data, from->values[0].data,
                                 sc_tensor_bytes(&from->values[0]));
    if (st == SC_OK)
        st = be->ops->copy(be, to->labels.data, from->labels.data, sc_tensor_bytes(&from->labels));
    sc_acts_set_rows(to, from->n_rows);
    return sc_train_op(be, st, "copying the batch to another branch", err);
}

sc_status sc_train_xent(const sc_train_step_args *args, sc_acts *branch, int with_grad,
                        sc_train_stat slot, sc_error *err) {
    sc_backend *be = args->net->be;
    sc_xent_params xp = {args->cfg->label_smoothing, 1.0f};
    sc_tensor logits = sc_acts_logits_rows(branch), dlogits = sc_acts_dlogits_rows(branch);
    sc_tensor labels = sc_acts_labels_rows(branch);
    sc_tensor stats = sc_mode_stat(args->mode, slot, 2);
    be->ops->range_push(be, "loss");
    sc_status st = be->ops->softmax_xent(be, &xp, &logits, &labels, with_grad ? &dlogits : NULL,
                                         &stats);
    be->ops->range_pop(be);
    return sc_train_op(be, st, "loss", err);
}

sc_status sc_train_kl(const sc_train_step_args *args, sc_acts *p, int p_fresh, sc_acts *q,
                      int q_fresh, sc_error *err) {
    sc_backend *be = args->net->be;
    const sc_mode_config *m = &args->mode->cfg;
    int want_dp = !m->kl_detach_target;
    sc_tensor p_logits = sc_acts_logits_rows(p), q_logits = sc_acts_logits_rows(q);
    sc_tensor dp = sc_acts_dlogits_rows(p), dq = sc_acts_dlogits_rows(q);
    sc_tensor stats = sc_mode_stat(args->mode, SC_STAT_KL, 1);
    sc_kl_params kp = {m->lambda, 1};
    be->ops->range_push(be, "loss");
    sc_status st = SC_OK;
    if (q_fresh)
        st = be->ops->zero(be, dq.data, sc_tensor_bytes(&dq));
    if (st == SC_OK && p_fresh) /* detached or not, p's branch carries no stale gradient */
        st = be->ops->zero(be, dp.data, sc_tensor_bytes(&dp));
    if (st == SC_OK)
        st = be->ops->kl_div(be, &kp, &p_logits, &q_logits, want_dp ? &dp : NULL, &dq, &stats);
    be->ops->range_pop(be);
    return sc_train_op(be, st, "KL term", err);
}

sc_fwd_mode sc_train_probe_mode(const sc_train_step_args *args) {
    return args->mode->cfg.saliency_bn_batch ? SC_FWD_TRAIN_FROZEN : SC_FWD_EVAL;
}

sc_status sc_train_saliency_mask(const sc_train_step_args *args, sc_acts *branch,
                                 int reuse_forward, sc_error *err) {
    sc_mode_state *s = args->mode;
    sc_backend *be = args->net->be;
    sc_saliency_params sp = {s->cfg.saliency};
    sc_tensor targets = sc_acts_labels_rows(branch);
    SC_TRY(sc_saliency_gradient(args->net, branch, sc_train_probe_mode(args), reuse_forward,
                                &targets, &sp, &s->map, err));
    sc_tensor gini_stats = sc_mode_stat(s, SC_STAT_GINI, 2);
    sc_tensor mask_stats = sc_mode_stat(s, SC_STAT_MASK, 1);
    sc_mask_params mp = {s->cfg.mask, s->cfg.k, s->cfg.tau, s->cfg.k_min, s->cfg.k_max};
    be->ops->range_push(be, "mask");
    sc_status st = be->ops->map_gini(be, &s->map, NULL, &gini_stats);
    if (st == SC_OK)
        st = be->ops->mask_select(be, &mp, &s->map, &s->mask, &mask_stats);
    be->ops->range_pop(be);
    return sc_train_op(be, st, "saliency mask", err);
}

sc_status sc_train_fill_masked(const sc_train_step_args *args, sc_acts *from, sc_acts *to,
                               sc_error *err) {
    sc_mode_state *s = args->mode;
    sc_backend *be = args->net->be;
    sc_fill_params fp = {s->cfg.fill, sc_rng_key_make(args->cfg->seed, (uint32_t)args->global_step,
                                                      SC_RNG_FILL)};
    be->ops->range_push(be, "mask");
    sc_status st = be->ops->image_stats(be, &from->values[0], &s->image_stats);
    if (st == SC_OK)
        st = be->ops->mask_fill(be, &fp, &from->values[0], &s->mask, &s->image_stats,
                                &to->values[0]);
    be->ops->range_pop(be);
    SC_TRY(sc_train_op(be, st, "masked fill", err));
    if (s->random_hook)
        return s->random_hook(s->random_hook_ctx, SC_RNG_FILL, &to->values[0], err);
    return SC_OK;
}

sc_status sc_train_step_standard(const sc_train_step_args *args, sc_error *err) {
    SC_TRY(sc_net_zero_grads(args->net, err));
    SC_TRY(sc_net_forward(args->net, args->acts, SC_FWD_TRAIN, err));
    SC_TRY(sc_train_xent(args, args->acts, 1, SC_STAT_CE, err));
    return sc_train_last_backward_sgd(args, args->acts, err);
}
