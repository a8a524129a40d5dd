/* scaat: Saliency Constrained Adaptive Adversarial Training (our reconstruction, see
 * tools/docs/training-modes.md). The saliency map s of the clean x (target: the label) picks
 * the mask M of least salient pixels; inside M each pixel may move by
 * e = eps_t (1 - s / max s)^gamma, outside it not at all. delta starts uniform in the budget
 * and takes T signed steps up the gradient of KL(p_ref || f(x + delta)), p_ref the detached
 * clean prediction of the saliency pass; L = CE(f(x), y) + lambda KL(f(x) || f(x + delta)). */
#include "attack.h"
#include "evaluate.h"

sc_status sc_train_step_scaat(const sc_train_step_args *args, sc_error *err) {
    sc_net *net = args->net;
    sc_backend *be = net->be;
    sc_mode_state *s = args->mode;
    sc_acts *clean = args->acts, *adv = s->branch[0];
    int reuse = s->cfg.saliency_bn_batch;
    SC_TRY(sc_net_zero_grads(net, err));
    SC_TRY(sc_train_copy_batch(clean, adv, err));
    sc_acts *probe = reuse ? clean : adv;
    if (reuse)
        SC_TRY(sc_net_forward(net, clean, SC_FWD_TRAIN, err));
    SC_TRY(sc_train_saliency_mask(args, probe, reuse, err));
    sc_tensor probe_logits = sc_acts_logits_rows(probe);
    SC_TRY(sc_train_op(be, be->ops->copy(be, s->ref_logits.data, probe_logits.data,
                                         sc_tensor_bytes(&probe_logits)),
                       "reference prediction", err));
    float eps = sc_mode_eps_at(&s->cfg, args->epoch);
    sc_budget_params bp = {eps, s->cfg.gamma};
    SC_TRY(sc_train_op(be, be->ops->perturb_budget(be, &bp, &s->map, &s->mask, &s->budget),
                       "perturbation budget", err));
    SC_TRY(sc_train_attack(args, adv, &s->budget, eps, 1, SC_ATTACK_KL, err));
    if (!reuse)
        SC_TRY(sc_net_forward(net, clean, SC_FWD_TRAIN, err));
    SC_TRY(sc_train_xent(args, clean, 1, SC_STAT_CE, err));
    SC_TRY(sc_net_forward(net, adv, SC_FWD_TRAIN, err));
    SC_TRY(sc_train_kl(args, clean, 0, adv, 1, err));
    SC_TRY(sc_net_backward(net, clean, SC_BWD_FULL, err));
    return sc_train_last_backward_sgd(args, adv, err);
}
