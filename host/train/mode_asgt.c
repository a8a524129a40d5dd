/* asgt: Adversarial Saliency-Guided Training (arXiv 2405.06278), the peer baseline.
 * x_a = FGSM(x) on CE with budget eps (no random start), clipped to the valid range; the
 * saliency of x_a (target: the label) masks its lowest-k pixels, filled as in sgt, giving x~;
 * L = CE(f(x), y) + CE(f(x_a), y) + lambda KL(f(x~) || f(x)); the three forwards run in
 * training mode in the order x, x_a, x~. */
#include "attack.h"

sc_status sc_train_step_asgt(const sc_train_step_args *args, sc_error *err) {
    sc_net *net = args->net;
    sc_mode_state *s = args->mode;
    sc_acts *clean = args->acts, *adv = s->branch[0], *masked = s->branch[1];
    SC_TRY(sc_net_zero_grads(net, err));
    SC_TRY(sc_train_copy_batch(clean, adv, err));
    SC_TRY(sc_train_attack(args, adv, NULL, s->cfg.eps, 0, SC_ATTACK_CE, err));
    SC_TRY(sc_train_copy_batch(adv, masked, err));
    SC_TRY(sc_train_saliency_mask(args, masked, 0, err));
    SC_TRY(sc_train_fill_masked(args, adv, masked, err));
    SC_TRY(sc_net_forward(net, clean, SC_FWD_TRAIN, err));
    SC_TRY(sc_train_xent(args, clean, 1, SC_STAT_CE, err));
    SC_TRY(sc_net_forward(net, adv, SC_FWD_TRAIN, err));
    SC_TRY(sc_train_xent(args, adv, 1, SC_STAT_CE_ADV, err));
    SC_TRY(sc_net_forward(net, masked, SC_FWD_TRAIN, err));
    SC_TRY(sc_train_kl(args, masked, 1, clean, 0, err));
    SC_TRY(sc_net_backward(net, clean, SC_BWD_FULL, err));
    if (s->cfg.kl_detach_target) /* detached, x~'s branch gets no gradient at all */
        return sc_train_last_backward_sgd(args, adv, err);
    SC_TRY(sc_net_backward(net, adv, SC_BWD_FULL, err));
    return sc_train_last_backward_sgd(args, masked, err);
}
