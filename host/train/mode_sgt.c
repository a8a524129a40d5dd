/* sgt: Saliency Guided Training (Ismail et al. 2021). The lowest-saliency pixels (mask M) are
 * replaced by random values (or the image mean); L = CE(f(x), y) + lambda KL(f(x) || f(x~)),
 * both branches in training mode with their own batch statistics, clean first. */
#include "train_step.h"

sc_status sc_train_step_sgt(const sc_train_step_args *args, sc_error *err) {
    sc_net *net = args->net;
    sc_acts *clean = args->acts, *masked = args->mode->branch[0];
    int reuse = args->mode->cfg.saliency_bn_batch;
    SC_TRY(sc_net_zero_grads(net, err));
    SC_TRY(sc_train_copy_batch(clean, masked, err));
    if (reuse) {
        SC_TRY(sc_net_forward(net, clean, SC_FWD_TRAIN, err));
        SC_TRY(sc_train_saliency_mask(args, clean, 1, err));
    } else {
        SC_TRY(sc_train_saliency_mask(args, masked, 0, err));
    }
    SC_TRY(sc_train_fill_masked(args, clean, masked, err));
    if (!reuse)
        SC_TRY(sc_net_forward(net, clean, SC_FWD_TRAIN, err));
    SC_TRY(sc_train_xent(args, clean, 1, SC_STAT_CE, err));
    SC_TRY(sc_net_forward(net, masked, SC_FWD_TRAIN, err));
    SC_TRY(sc_train_kl(args, clean, 0, masked, 1, err));
    SC_TRY(sc_net_backward(net, clean, SC_BWD_FULL, err));
    return sc_train_last_backward_sgd(args, masked, err);
}
