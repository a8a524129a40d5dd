/* Closed-form parameters of the PyTorch reference fixtures (see closed_form_params.h). */
#include "closed_form_params.h"

#include <math.h>
#include <stdlib.h>

static uint64_t splitmix64(uint64_t x) {
    uint64_t z = x + 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

double sc_closed_form_unit(uint32_t param_index, uint64_t element) {
    uint64_t h = splitmix64(((uint64_t)param_index << 32) + element);
    return ((double)(h >> 40) + 0.5) / (double)(1u << 23) - 1.0;
}

float sc_closed_form_value(sc_closed_form_kind kind, int64_t fan_in, uint32_t param_index,
                           uint64_t element) {
    double u = sc_closed_form_unit(param_index, element);
    double v = 0.0;
    switch (kind) {
    case SC_CF_CONV_WEIGHT:
        v = sqrt(6.0 / (double)fan_in) * u;
        break;
    case SC_CF_BN_WEIGHT:
        v = 1.0 + 0.2 * u;
        break;
    case SC_CF_BN_RESIDUAL_WEIGHT:
        v = 0.2 + 0.04 * u;
        break;
    case SC_CF_BN_BIAS:
    case SC_CF_BN_RUNNING_MEAN:
        v = 0.1 * u;
        break;
    case SC_CF_BN_RUNNING_VAR:
        v = 1.0 + 0.2 * fabs(u);
        break;
    case SC_CF_LINEAR_WEIGHT:
        v = u / sqrt((double)fan_in);
        break;
    case SC_CF_LINEAR_BIAS:
        v = 0.05 * u;
        break;
    }
    return (float)v;
}

/* Whether BN layer l produces the residual input (inputs[0]) of an add. */
static int is_residual_end(const sc_net *net, int l) {
    for (int a = 0; a < net->n_layers; a++)
        if (net->layers[a].kind == SC_LAYER_ADD && net->layers[a].inputs[0] == l + 1)
            return 1;
    return 0;
}

sc_status sc_closed_form_kind_of(const sc_net *net, int param_index, sc_closed_form_kind *kind,
                                 int64_t *fan_in, sc_error *err) {
    *fan_in = 0;
    for (int l = 0; l < net->n_layers; l++) {
        const sc_layer *layer = &net->layers[l];
        const sc_param *weight =
            layer->param_weight >= 0 ? &net->params[layer->param_weight] : NULL;
        switch (layer->kind) {
        case SC_LAYER_CONV:
            if (layer->param_weight == param_index) {
                /* (K, C, R, S) */
                *fan_in = weight->value.shape[1] * weight->value.shape[2] * weight->value.shape[3];
                *kind = SC_CF_CONV_WEIGHT;
                return SC_OK;
            }
            break;
        case SC_LAYER_BN:
            if (layer->param_weight == param_index) {
                *kind = is_residual_end(net, l) ? SC_CF_BN_RESIDUAL_WEIGHT : SC_CF_BN_WEIGHT;
                return SC_OK;
            }
            if (layer->param_bias == param_index) {
                *kind = SC_CF_BN_BIAS;
                return SC_OK;
            }
            if (layer->buf_mean == param_index) {
                *kind = SC_CF_BN_RUNNING_MEAN;
                return SC_OK;
            }
            if (layer->buf_var == param_index) {
                *kind = SC_CF_BN_RUNNING_VAR;
                return SC_OK;
            }
            break;
        case SC_LAYER_LINEAR:
            if (layer->param_weight == param_index || layer->param_bias == param_index) {
                *fan_in = weight->value.shape[1]; /* weight (OUT, IN) */
                *kind = layer->param_weight == param_index ? SC_CF_LINEAR_WEIGHT
                                                           : SC_CF_LINEAR_BIAS;
                return SC_OK;
            }
            break;
        default:
            break;
        }
    }
    return sc_fail(err, SC_ERR_INTERNAL, "closed-form parameters: no layer owns parameter %d (%s)",
                   param_index, param_index < net->n_params ? net->params[param_index].name : "?");
}

sc_status sc_closed_form_set_params(sc_net *net, sc_error *err) {
    sc_backend *be = net->be;
    size_t largest = sizeof(float);
    for (int p = 0; p < net->n_params; p++)
        if (sc_tensor_bytes(&net->params[p].value) > largest)
            largest = sc_tensor_bytes(&net->params[p].value);
    float *host = malloc(largest);
    if (!host)
        return sc_fail(err, SC_ERR_OOM, "closed-form parameters: no host memory");
    sc_status st = SC_OK;
    for (int p = 0; p < net->n_params && st == SC_OK; p++) {
        const sc_param *param = &net->params[p];
        sc_closed_form_kind kind;
        int64_t fan_in;
        st = sc_closed_form_kind_of(net, p, &kind, &fan_in, err);
        if (st != SC_OK)
            break;
        int64_t n = sc_tensor_numel(&param->value);
        for (int64_t i = 0; i < n; i++)
            host[i] = sc_closed_form_value(kind, fan_in, (uint32_t)p, (uint64_t)i);
        st = be->ops->upload(be, param->value.data, host, sc_tensor_bytes(&param->value));
        if (st != SC_OK)
            st = sc_fail(err, st, "closed-form parameters: uploading %s: %s", param->name,
                         be->err.msg);
    }
    free(host);
    net->num_batches_tracked = 0;
    return st;
}
