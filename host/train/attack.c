/* The projected signed-gradient attack of the adversarial modes (see attack.h). */
#include "attack.h"

#include "evaluate.h"

static sc_status attack_gradient(const sc_train_step_args *args, sc_acts *branch,
                                 sc_attack_loss loss, sc_error *err) {
    sc_backend *be = args->net->be;
    SC_TRY(sc_net_forward(args->net, branch, sc_train_probe_mode(args), err));
    if (loss == SC_ATTACK_CE) {
        SC_TRY(sc_train_xent(args, branch, 1, SC_STAT_SCRATCH, err));
    } else {
        sc_kl_params kp = {1.0f, 0};
        sc_tensor q = sc_acts_logits_rows(branch), dq = sc_acts_dlogits_rows(branch);
        sc_tensor ref = args->mode->ref_logits;
        ref.shape[0] = branch->n_rows;
        SC_TRY(sc_train_op(be, be->ops->kl_div(be, &kp, &ref, &q, NULL, &dq, NULL), "attack loss",
                           err));
    }
    return sc_net_backward(args->net, branch, SC_BWD_INPUT_ONLY, err);
}

sc_status sc_train_attack(const sc_train_step_args *args, sc_acts *branch, const sc_tensor *budget,
                          float eps, int random_start, sc_attack_loss loss, sc_error *err) {
    sc_mode_state *s = args->mode;
    sc_backend *be = args->net->be;
    const sc_tensor *x = &args->acts->values[0];
    const sc_tensor *xadv = &branch->values[0];
    sc_perturb_params p = s->perturb;
    p.eps = eps;
    p.step_size = s->cfg.step_size;
    p.key = sc_rng_key_make(args->cfg->seed, (uint32_t)args->global_step, SC_RNG_DELTA);
    be->ops->range_push(be, "attack");
    sc_status st = SC_OK;
    if (random_start) {
        st = sc_train_op(be, be->ops->perturb_init(be, &p, x, budget, xadv), "random start", err);
        if (st == SC_OK && s->random_hook)
            st = s->random_hook(s->random_hook_ctx, SC_RNG_DELTA, xadv, err);
    }
    sc_tensor delta_stats = sc_mode_stat(s, SC_STAT_DELTA, 1);
    for (int t = 0; st == SC_OK && t < s->cfg.steps; t++) {
        st = attack_gradient(args, branch, loss, err);
        if (st == SC_OK)
            st = sc_train_op(be, be->ops->perturb_step(be, &p, x, &branch->grads[0], budget, xadv,
                                                       t == s->cfg.steps - 1 ? &delta_stats : NULL),
                             "perturbation step", err);
    }
    be->ops->range_pop(be);
    return st;
}
