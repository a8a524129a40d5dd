/* Network graph: a list of layers with explicit inputs (a DAG, for residual connections),
 * their parameters named as torchvision's state_dict, forward, and the two backward forms.
 *
 * Values: value 0 is the network input; layer l produces value l + 1. The last layer's value
 * is the logits. Parameters live in one arena (trainable tensors packed first, so the whole
 * set is one flat tensor for the fused optimizer), BN running statistics after them;
 * gradients and optimizer state mirror the trainable part. Activations live in sc_acts, one
 * per batch size and use (training, evaluation, saliency), so several can share one network.
 *
 * Built in two steps: an sc_net_builder collects layers (models/ fills it), then
 * sc_net_create() sizes every arena from that spec table and allocates once. */
#ifndef SC_NET_H
#define SC_NET_H

#include <stdint.h>

#include "../backend/backend.h"
#include "../core/arena.h"

#define SC_NAME_LEN 64

typedef enum sc_layer_kind {
    SC_LAYER_CONV = 0, /* params: weight (K, C, R, S) */
    SC_LAYER_BN,       /* params: weight, bias (C); buffers: running_mean, running_var (C) */
    SC_LAYER_RELU,
    SC_LAYER_MAXPOOL,
    SC_LAYER_GAP,      /* global average pool to (N, C, 1, 1) */
    SC_LAYER_ADD,      /* inputs[0] + inputs[1] */
    SC_LAYER_LINEAR    /* params: weight (OUT, IN), bias (OUT) */
} sc_layer_kind;

typedef enum sc_param_init {
    SC_INIT_KAIMING_FAN_OUT = 0, /* N(0, 2 / fan_out), torchvision's ResNet conv init */
    SC_INIT_UNIFORM_FAN_IN,      /* U(-1/sqrt(fan_in), 1/sqrt(fan_in)), nn.Linear's default */
    SC_INIT_ONES,
    SC_INIT_ZEROS
} sc_param_init;

typedef struct sc_param {
    char name[SC_NAME_LEN];  /* torchvision state_dict name, e.g. "layer1.0.conv1.weight" */
    sc_tensor value;         /* in the parameter arena */
    sc_tensor grad;          /* in the gradient arena; data NULL for buffers */
    sc_tensor momentum;      /* optimizer state; data NULL for buffers */
    int trainable;           /* 0 for BN running statistics */
    sc_param_init init;
    int64_t fan;             /* fan_out or fan_in for the init */
    size_t offset;           /* byte offset in the parameter arena (grads/momentum share it) */
} sc_param;

typedef struct sc_layer {
    sc_layer_kind kind;
    char name[SC_NAME_LEN]; /* module name: "layer1.0.conv1"; "" for parameter-free layers */
    int inputs[2];          /* value ids */
    int n_inputs;
    sc_conv_params conv;
    sc_pool_params pool;
    sc_bn_params bn;
    int param_weight, param_bias;  /* indices into params, -1 when absent */
    int buf_mean, buf_var;         /* BN running statistics, -1 when absent */
    int out_c, out_h, out_w;       /* per-image output shape */
} sc_layer;

typedef struct sc_net_builder {
    int in_c, in_h, in_w;
    int n_layers, cap_layers;
    sc_layer *layers;
    int n_params, cap_params;
    sc_param *params;
    int failed; /* set when a builder call got invalid arguments; sc_net_create reports it */
    char error[SC_ERROR_MSG_LEN];
} sc_net_builder;

void sc_nb_init(sc_net_builder *b, int in_c, int in_h, int in_w);
void sc_nb_free(sc_net_builder *b);
/* Each returns the id of the value the new layer produces (or -1 after a failure). */
int sc_nb_conv(sc_net_builder *b, const char *name, int input, int out_c, int kernel, int stride,
               int pad);
int sc_nb_bn(sc_net_builder *b, const char *name, int input);
int sc_nb_relu(sc_net_builder *b, int input);
int sc_nb_maxpool(sc_net_builder *b, int input, int kernel, int stride, int pad);
int sc_nb_gap(sc_net_builder *b, int input);
int sc_nb_add(sc_net_builder *b, int residual, int shortcut);
int sc_nb_linear(sc_net_builder *b, const char *name, int input, int out_features);
/* Per-image shape of a value. */
void sc_nb_value_shape(const sc_net_builder *b, int value, int *c, int *h, int *w);

struct sc_acts;
struct sc_net;
/* Batch norm over the batches of every process of a data-parallel run (--sync-bn,
 * host/dist/sync_bn.c): when set, the BN layers of an SC_FWD_TRAIN forward, and the backward
 * that follows it, go through these instead of bn_train_fwd / bn_train_bwd. backward gets
 * dx = NULL when no input gradient is wanted and full = 1 for weight gradients. Failures
 * leave their message in the backend's err. */
typedef struct sc_bn_sync {
    sc_status (*forward)(void *ctx, struct sc_net *net, struct sc_acts *acts, int layer);
    sc_status (*backward)(void *ctx, struct sc_net *net, struct sc_acts *acts, int layer,
                          int full, const sc_tensor *dx, int accumulate);
    void *ctx;
} sc_bn_sync;

typedef struct sc_net {
    sc_backend *be;
    int in_c, in_h, in_w, num_classes;
    int n_layers;
    sc_layer *layers;
    int n_params;
    sc_param *params;
    sc_arena param_arena, grad_arena, momentum_arena;
    size_t trainable_bytes; /* the packed trainable prefix of the parameter arena */
    sc_tensor flat_params, flat_grads, flat_momentum; /* (trainable floats) */
    int64_t num_batches_tracked; /* BN forward passes in training mode (torchvision buffer) */
    const sc_bn_sync *bn_sync;   /* NULL: every process normalises with its own batch */
} sc_net;

/* Takes the builder's layers and parameters (the builder is emptied), allocates the three
 * arenas and initialises the parameters from Philox keyed by (seed, parameter index). */
sc_status sc_net_create(sc_net_builder *b, sc_backend *be, uint64_t seed, sc_net **out,
                        sc_error *err);
void sc_net_destroy(sc_net *net);
int sc_net_find_param(const sc_net *net, const char *name);
int64_t sc_net_trainable_count(const sc_net *net);
sc_status sc_net_zero_grads(sc_net *net, sc_error *err);

/* Forward modes. TRAIN uses batch statistics and updates the running statistics;
 * TRAIN_FROZEN uses batch statistics and leaves them untouched; EVAL uses running statistics. */
typedef enum sc_fwd_mode { SC_FWD_TRAIN = 0, SC_FWD_TRAIN_FROZEN, SC_FWD_EVAL } sc_fwd_mode;
/* FULL computes weight gradients (accumulated into net->params[].grad) and every input
 * gradient layers need; INPUT_ONLY computes no weight gradient and ends with the gradient of
 * the network input (acts->grads[0]). */
typedef enum sc_bwd_mode { SC_BWD_FULL = 0, SC_BWD_INPUT_ONLY } sc_bwd_mode;

typedef struct sc_acts {
    sc_net *net;
    int batch;
    int want_input_grad;
    sc_arena arena;
    int n_values;
    sc_tensor *values;     /* (n_layers + 1): values[0] = input (N, C, H, W) */
    sc_tensor *grads;      /* gradients of the values (same shapes); data NULL if unused */
    int *grad_accumulate;  /* per (layer, input slot): 0 = first writer, 1 = add to it */
    int *grad_skip;        /* per (layer, input slot): gradient already in place (alias) */
    sc_tensor *save_mean, *save_invstd; /* per layer, BN only */
    sc_tensor labels;      /* (N) int32 */
    sc_tensor loss_stats;  /* (2): loss sum, correct count (see softmax_xent) */
    sc_fwd_mode last_fwd;
    int n_rows;            /* rows of the current batch, <= batch (last partial batch) */
} sc_acts;

/* Activations for batches of up to `batch` images; with_grads = 0 for evaluation only.
 * Prepares every convolution shape on the backend (algorithms, workspace). */
sc_status sc_acts_create(sc_net *net, int batch, int with_grads, int want_input_grad,
                         sc_acts **out, sc_error *err);
void sc_acts_destroy(sc_acts *acts);
/* The logits value (N, classes) and its gradient. */
sc_tensor *sc_acts_logits(sc_acts *acts);
sc_tensor *sc_acts_dlogits(sc_acts *acts);
/* Set the number of rows of the current batch (1..batch): every value's N becomes n. */
void sc_acts_set_rows(sc_acts *acts, int n);

/* A value (N, C, H, W) seen as a matrix (N, C*H*W), for linear layers. */
static inline sc_tensor sc_as_matrix(const sc_tensor *t) {
    sc_tensor m = *t;
    int64_t cols = 1;
    for (int i = 1; i < t->ndim; i++)
        cols *= t->shape[i];
    m.ndim = 2;
    m.shape[1] = cols;
    m.shape[2] = m.shape[3] = 0;
    return m;
}

sc_status sc_net_forward(sc_net *net, sc_acts *acts, sc_fwd_mode mode, sc_error *err);
/* Starts from the logits gradient already in sc_acts_dlogits(acts) (e.g. from softmax_xent). */
sc_status sc_net_backward(sc_net *net, sc_acts *acts, sc_bwd_mode mode, sc_error *err);

/* Told by a full backward each time a layer is done (on a device backend: its work is queued
 * on the stream). Layers run from the last to the first and a layer writes only its own
 * parameters' gradients, so when layer l is done the gradients of the parameters of layers
 * l .. n_layers - 1 are final for this pass: a data-parallel run starts their all-reduce while
 * the backward of the earlier layers goes on (host/dist/gradient_sync.c). */
typedef struct sc_backward_hook {
    sc_status (*layer_done)(void *ctx, int layer, sc_error *err);
    void *ctx;
} sc_backward_hook;
/* sc_net_backward, calling hook->layer_done after every layer (hook NULL: none). */
sc_status sc_net_backward_hooked(sc_net *net, sc_acts *acts, sc_bwd_mode mode,
                                 const sc_backward_hook *hook, sc_error *err);

#endif
