/* Re-drawing a layer's parameters with the rule the network was built with (the cascading
 * model-randomisation check of `scaat evaluate`): convolutions N(0, 2 / fan_out), linear
 * layers U(-1/sqrt(fan_in), 1/sqrt(fan_in)), BN gamma 1 and beta 0. The draws are the backend's
 * Philox fills keyed by (seed, parameter index, SC_RNG_INIT), so with the network's own seed
 * they reproduce its initial weights exactly, and they run on the device. BN running
 * statistics are buffers, not parameters: they are left as they are. */
#ifndef SC_NET_REINIT_H
#define SC_NET_REINIT_H

#include <stdint.h>

#include "net.h"

/* Whether layer l has trainable parameters (convolution, batch norm, linear). */
int sc_net_layer_has_params(const sc_net *net, int layer);
/* Re-initialise the weight and bias of layer l (a layer without parameters is an error). */
sc_status sc_net_reinit_layer(sc_net *net, int layer, uint64_t seed, sc_error *err);

#endif
