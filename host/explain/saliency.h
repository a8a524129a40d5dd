/* Saliency maps by input gradients, shared by the training modes and `scaat explain`:
 * the vanilla gradient map s[n,h,w] = reduce over c of |d f_t(x) / dx| (or its signed mean),
 * computed with the input-gradient-only backward (no weight gradient; running statistics
 * untouched unless the caller's forward mode updates them, which it never should). */
#ifndef SC_SALIENCY_H
#define SC_SALIENCY_H

#include "host/nn/net.h"

/* The map of the batch in acts->values[0] for the target classes targets (n_rows) int32:
 * forward in `fwd` (SC_FWD_EVAL or SC_FWD_TRAIN_FROZEN; skipped when reuse_forward says the
 * activations already hold a forward of this input), logits gradient = onehot(targets),
 * input-gradient backward, channel reduction into map (n_rows, 1, H, W). The activations must
 * have been created with gradients and want_input_grad; acts->grads[0] keeps the raw input
 * gradient (N, C, H, W) afterwards. */
sc_status sc_saliency_gradient(sc_net *net, sc_acts *acts, sc_fwd_mode fwd, int reuse_forward,
                               const sc_tensor *targets, const sc_saliency_params *p,
                               const sc_tensor *map, sc_error *err);

/* The predicted classes of the last forward of acts into targets (n_rows) int32. */
sc_status sc_saliency_predicted(sc_net *net, sc_acts *acts, const sc_tensor *targets,
                                sc_error *err);

#endif
