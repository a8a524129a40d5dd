/* Backward of a network's tail (see backward_tail.h), done by running the ordinary backward
 * pass on a view of the network and its activations that starts at `value`: the tail's layers
 * with their input ids shifted down by `value`, and the activation arrays offset by it, so
 * the view's input is `value` and the pass ends with its gradient. */
#include "backward_tail.h"

#include <stdlib.h>

sc_status sc_net_backward_to_value(sc_net *net, sc_acts *acts, int value, sc_error *err) {
    if (value < 1 || value > net->n_layers)
        return sc_fail(err, SC_ERR_INTERNAL, "backward to value %d: not in [1, %d]", value,
                       net->n_layers);
    if (!acts->grads[value].data)
        return sc_fail(err, SC_ERR_INTERNAL, "backward to value %d: activations without "
                       "gradients", value);
    int n_tail = net->n_layers - value;
    sc_layer *tail = malloc((size_t)(n_tail > 0 ? n_tail : 1) * sizeof *tail);
    if (!tail)
        return sc_fail(err, SC_ERR_OOM, "no host memory for a backward view");
    for (int l = 0; l < n_tail; l++) {
        tail[l] = net->layers[value + l];
        for (int s = 0; s < tail[l].n_inputs; s++) {
            int read = tail[l].inputs[s];
            if (read < value) {
                free(tail);
                return sc_fail(err, SC_ERR_UNSUPPORTED, "backward to value %d: layer %d reads "
                               "value %d from before it", value, value + l, read);
            }
            tail[l].inputs[s] -= value;
        }
    }
    sc_net view_net = *net;
    view_net.layers = tail;
    view_net.n_layers = n_tail;
    sc_acts view = *acts;
    view.n_values = n_tail + 1;
    view.values = acts->values + value;
    view.grads = acts->grads + value;
    view.grad_accumulate = acts->grad_accumulate + 2 * value;
    view.grad_skip = acts->grad_skip + 2 * value;
    view.save_mean = acts->save_mean + value;
    view.save_invstd = acts->save_invstd + value;
    sc_status st = sc_net_backward(&view_net, &view, SC_BWD_INPUT_ONLY, err);
    free(tail);
    return st;
}
