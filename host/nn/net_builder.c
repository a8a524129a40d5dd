/* Network builder: models/ describe a network layer by layer; shapes are inferred as layers are
 * added and parameters are named "<module>.<param>" as in torchvision's state_dict. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../backend/shape_check.h"
#include "net.h"

void sc_nb_init(sc_net_builder *b, int in_c, int in_h, int in_w) {
    memset(b, 0, sizeof *b);
    b->in_c = in_c;
    b->in_h = in_h;
    b->in_w = in_w;
}

void sc_nb_free(sc_net_builder *b) {
    free(b->layers);
    free(b->params);
    b->layers = NULL;
    b->params = NULL;
    b->n_layers = b->n_params = b->cap_layers = b->cap_params = 0;
}

static int builder_fail(sc_net_builder *b, const char *fmt, ...) {
    if (!b->failed) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(b->error, sizeof b->error, fmt, ap);
        va_end(ap);
        b->failed = 1;
    }
    return -1;
}

void sc_nb_value_shape(const sc_net_builder *b, int value, int *c, int *h, int *w) {
    if (value == 0) {
        *c = b->in_c;
        *h = b->in_h;
        *w = b->in_w;
        return;
    }
    const sc_layer *l = &b->layers[value - 1];
    *c = l->out_c;
    *h = l->out_h;
    *w = l->out_w;
}

static int valid_value(const sc_net_builder *b, int value) {
    return !b->failed && value >= 0 && value <= b->n_layers;
}

static sc_layer *add_layer(sc_net_builder *b, sc_layer_kind kind, const char *name, int input) {
    if (b->n_layers == b->cap_layers) {
        int cap = b->cap_layers ? 2 * b->cap_layers : 64;
        sc_layer *grown = realloc(b->layers, (size_t)cap * sizeof *grown);
        if (!grown) {
            builder_fail(b, "out of memory building the network");
            return NULL;
        }
        b->layers = grown;
        b->cap_layers = cap;
    }
    sc_layer *l = &b->layers[b->n_layers];
    memset(l, 0, sizeof *l);
    l->kind = kind;
    snprintf(l->name, sizeof l->name, "%s", name ? name : "");
    l->inputs[0] = input;
    l->n_inputs = 1;
    l->param_weight = l->param_bias = l->buf_mean = l->buf_var = -1;
    sc_nb_value_shape(b, input, &l->out_c, &l->out_h, &l->out_w);
    return l;
}

static int add_param(sc_net_builder *b, const char *module, const char *suffix, int trainable,
                     sc_param_init init, int64_t fan, int ndim, const int64_t *shape) {
    if (b->n_params == b->cap_params) {
        int cap = b->cap_params ? 2 * b->cap_params : 128;
        sc_param *grown = realloc(b->params, (size_t)cap * sizeof *grown);
        if (!grown)
            return builder_fail(b, "out of memory building the network");
        b->params = grown;
        b->cap_params = cap;
    }
    sc_param *p = &b->params[b->n_params];
    memset(p, 0, sizeof *p);
    int written = snprintf(p->name, sizeof p->name, "%s.%s", module, suffix);
    if (written < 0 || (size_t)written >= sizeof p->name)
        return builder_fail(b, "parameter name '%s.%s' is too long", module, suffix);
    p->value = sc_tensor_make(NULL, SC_F32, ndim, shape);
    p->trainable = trainable;
    p->init = init;
    p->fan = fan;
    return b->n_params++;
}

/* The layer just added produces this value. */
static int produced(const sc_net_builder *b) { return b->failed ? -1 : b->n_layers; }

int sc_nb_conv(sc_net_builder *b, const char *name, int input, int out_c, int kernel, int stride,
               int pad) {
    if (!valid_value(b, input) || out_c < 1 || kernel < 1 || stride < 1 || pad < 0)
        return builder_fail(b, "conv '%s': invalid input %d or geometry", name, input);
    sc_layer *l = add_layer(b, SC_LAYER_CONV, name, input);
    if (!l)
        return -1;
    int in_c = l->out_c;
    l->conv.stride = stride;
    l->conv.pad = pad;
    l->out_c = out_c;
    l->out_h = (int)sc_window_out(l->out_h, kernel, stride, pad);
    l->out_w = (int)sc_window_out(l->out_w, kernel, stride, pad);
    if (l->out_h < 1 || l->out_w < 1)
        return builder_fail(b, "conv '%s': input too small for a %dx%d kernel", name, kernel, kernel);
    int64_t shape[4] = {out_c, in_c, kernel, kernel};
    int layer_index = b->n_layers;
    b->n_layers++;
    int w = add_param(b, name, "weight", 1, SC_INIT_KAIMING_FAN_OUT,
                      (int64_t)out_c * kernel * kernel, 4, shape);
    b->layers[layer_index].param_weight = w;
    return produced(b);
}

int sc_nb_bn(sc_net_builder *b, const char *name, int input) {
    if (!valid_value(b, input))
        return builder_fail(b, "batchnorm '%s': invalid input %d", name, input);
    sc_layer *l = add_layer(b, SC_LAYER_BN, name, input);
    if (!l)
        return -1;
    l->bn.eps = 1e-5f;
    l->bn.momentum = 0.1f;
    int64_t c = l->out_c;
    int layer_index = b->n_layers;
    b->n_layers++;
    int weight = add_param(b, name, "weight", 1, SC_INIT_ONES, 0, 1, &c);
    int bias = add_param(b, name, "bias", 1, SC_INIT_ZEROS, 0, 1, &c);
    int mean = add_param(b, name, "running_mean", 0, SC_INIT_ZEROS, 0, 1, &c);
    int var = add_param(b, name, "running_var", 0, SC_INIT_ONES, 0, 1, &c);
    sc_layer *added = &b->layers[layer_index];
    added->param_weight = weight;
    added->param_bias = bias;
    added->buf_mean = mean;
    added->buf_var = var;
    return produced(b);
}

int sc_nb_relu(sc_net_builder *b, int input) {
    if (!valid_value(b, input))
        return builder_fail(b, "relu: invalid input %d", input);
    if (!add_layer(b, SC_LAYER_RELU, NULL, input))
        return -1;
    b->n_layers++;
    return produced(b);
}

int sc_nb_maxpool(sc_net_builder *b, int input, int kernel, int stride, int pad) {
    if (!valid_value(b, input) || kernel < 1 || stride < 1 || pad < 0 || 2 * pad > kernel)
        return builder_fail(b, "maxpool: invalid input %d or geometry", input);
    sc_layer *l = add_layer(b, SC_LAYER_MAXPOOL, NULL, input);
    if (!l)
        return -1;
    l->pool.kernel = kernel;
    l->pool.stride = stride;
    l->pool.pad = pad;
    l->out_h = (int)sc_window_out(l->out_h, kernel, stride, pad);
    l->out_w = (int)sc_window_out(l->out_w, kernel, stride, pad);
    if (l->out_h < 1 || l->out_w < 1)
        return builder_fail(b, "maxpool: input too small");
    b->n_layers++;
    return produced(b);
}

int sc_nb_gap(sc_net_builder *b, int input) {
    if (!valid_value(b, input))
        return builder_fail(b, "global average pool: invalid input %d", input);
    sc_layer *l = add_layer(b, SC_LAYER_GAP, NULL, input);
    if (!l)
        return -1;
    l->out_h = l->out_w = 1;
    b->n_layers++;
    return produced(b);
}

int sc_nb_add(sc_net_builder *b, int residual, int shortcut) {
    if (!valid_value(b, residual) || !valid_value(b, shortcut))
        return builder_fail(b, "add: invalid inputs %d, %d", residual, shortcut);
    int c0, h0, w0, c1, h1, w1;
    sc_nb_value_shape(b, residual, &c0, &h0, &w0);
    sc_nb_value_shape(b, shortcut, &c1, &h1, &w1);
    if (c0 != c1 || h0 != h1 || w0 != w1)
        return builder_fail(b, "add: shapes differ (%dx%dx%d vs %dx%dx%d)", c0, h0, w0, c1, h1, w1);
    sc_layer *l = add_layer(b, SC_LAYER_ADD, NULL, residual);
    if (!l)
        return -1;
    l->inputs[1] = shortcut;
    l->n_inputs = 2;
    b->n_layers++;
    return produced(b);
}

int sc_nb_linear(sc_net_builder *b, const char *name, int input, int out_features) {
    if (!valid_value(b, input) || out_features < 1)
        return builder_fail(b, "linear '%s': invalid input %d or size", name, input);
    sc_layer *l = add_layer(b, SC_LAYER_LINEAR, name, input);
    if (!l)
        return -1;
    int64_t in_features = (int64_t)l->out_c * l->out_h * l->out_w;
    l->out_c = out_features;
    l->out_h = l->out_w = 1;
    int layer_index = b->n_layers;
    b->n_layers++;
    int64_t wshape[2] = {out_features, in_features};
    int64_t bshape[1] = {out_features};
    int w = add_param(b, name, "weight", 1, SC_INIT_UNIFORM_FAN_IN, in_features, 2, wshape);
    int bias = add_param(b, name, "bias", 1, SC_INIT_UNIFORM_FAN_IN, in_features, 1, bshape);
    b->layers[layer_index].param_weight = w;
    b->layers[layer_index].param_bias = bias;
    return produced(b);
}
