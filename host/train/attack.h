/* The adversarial perturbation shared by adv, scaat and asgt: a random start (or none), then
 * T signed steps on the gradient of a loss with respect to the input, each projected around
 * the clean x into the per-pixel budget and clipped to the valid range. Input-gradient-only
 * passes with BN per --saliency-bn (always eval for adv): no weight gradient, no update of the
 * running statistics. */
#ifndef SC_ATTACK_H
#define SC_ATTACK_H

#include "train_step.h"

typedef enum sc_attack_loss {
    SC_ATTACK_CE = 0, /* CE(f(x + delta), y) */
    SC_ATTACK_KL      /* KL(p_ref || softmax(f(x + delta))), p_ref = the mode's ref_logits */
} sc_attack_loss;

/* branch->values[0] holds the clean x (sc_train_copy_batch) and receives x + delta; the clean
 * x is read from args->acts->values[0]. budget (B, 1, H, W) in pixel units, or NULL for eps
 * everywhere. The mean |delta| of the final iterate goes into SC_STAT_DELTA. */
sc_status sc_train_attack(const sc_train_step_args *args, sc_acts *branch, const sc_tensor *budget,
                          float eps, int random_start, sc_attack_loss loss, sc_error *err);

#endif
