/* Input-gradient backward of the tail of a network only: the layers that come after a given
 * value, ending with the gradient of that value (Grad-CAM needs the gradient of the last
 * convolutional stage, whose buffer the full backward pass reuses for earlier gradients). */
#ifndef SC_BACKWARD_TAIL_H
#define SC_BACKWARD_TAIL_H

#include "net.h"

/* Starts from the logits gradient in sc_acts_dlogits(acts), runs the input-gradient backward of
 * layers value .. n_layers - 1 (no weight gradient) and leaves d(logits)/d(value) in
 * acts->grads[value]. Those layers must read only values >= value (SC_ERR_UNSUPPORTED
 * otherwise); acts must have been created with gradients; value in [1, n_layers]. */
sc_status sc_net_backward_to_value(sc_net *net, sc_acts *acts, int value, sc_error *err);

#endif
