/* The closed-form parameter values of the PyTorch reference fixtures: the C twin of the formula in
 * tests/make_fixtures.py, reproduced bit for bit. Parameter p (index in net->params, which is
 * torchvision's state_dict order without num_batches_tracked), element i of the flattened tensor:
 *
 *   h = splitmix64(p * 2^32 + i),  u = ((h >> 40) + 0.5) / 2^23 - 1   (exact, in (-1, 1))
 *
 * then, in double and rounded once to float:
 *   conv weight             sqrt(6 / fan_in) * u       fan_in = in_channels * kh * kw
 *   BN weight               1 + 0.2 * u
 *   BN weight, residual end 0.2 + 0.04 * u   (the BN whose output is the residual input of an add)
 *   BN bias                 0.1 * u
 *   BN running_mean         0.1 * u
 *   BN running_var          1 + 0.2 * |u|
 *   linear weight           u / sqrt(fan_in)           fan_in = in_features
 *   linear bias             0.05 * u */
#ifndef SC_CLOSED_FORM_PARAMS_H
#define SC_CLOSED_FORM_PARAMS_H

#include <stdint.h>

#include "host/nn/net.h"

typedef enum sc_closed_form_kind {
    SC_CF_CONV_WEIGHT = 0,
    SC_CF_BN_WEIGHT,
    SC_CF_BN_RESIDUAL_WEIGHT,
    SC_CF_BN_BIAS,
    SC_CF_BN_RUNNING_MEAN,
    SC_CF_BN_RUNNING_VAR,
    SC_CF_LINEAR_WEIGHT,
    SC_CF_LINEAR_BIAS
} sc_closed_form_kind;

/* u(p, i) in (-1, 1). */
double sc_closed_form_unit(uint32_t param_index, uint64_t element);
/* The value of element i of parameter p of this kind (fan_in used by the weight kinds). */
float sc_closed_form_value(sc_closed_form_kind kind, int64_t fan_in, uint32_t param_index,
                           uint64_t element);
/* The kind and fan_in of net->params[param_index], from the layer that owns it
 * (SC_ERR_INTERNAL when no layer does). */
sc_status sc_closed_form_kind_of(const sc_net *net, int param_index, sc_closed_form_kind *kind,
                                 int64_t *fan_in, sc_error *err);
/* Overwrite every parameter and BN buffer of the network with the formula (uploaded through the
 * backend) and set num_batches_tracked to 0. */
sc_status sc_closed_form_set_params(sc_net *net, sc_error *err);

#endif
