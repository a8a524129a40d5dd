/* adv: Madry PGD adversarial training. delta0 ~ U(-eps, eps), T signed steps on CE with BN in
 * eval mode, projected and clipped; L = CE(f(x + delta), y). */
#include "attack.h"

sc_status sc_train_step_adv(const sc_train_step_args *args, sc_error *err) {
    sc_net *net = args->net;
    sc_acts *adv = args->mode->branch[0];
    SC_TRY(sc_net_zero_grads(net, err));
    SC_TRY(sc_train_copy_batch(args->acts, adv, err));
    SC_TRY(sc_train_attack(args, adv, NULL, args->mode->cfg.eps, 1, SC_ATTACK_CE, err));
    SC_TRY(sc_net_forward(net, adv, SC_FWD_TRAIN, err));
    SC_TRY(sc_train_xent(args, adv, 1, SC_STAT_CE_ADV, err));
    return sc_train_last_backward_sgd(args, adv, err);
}
