/* Activation planning: one arena per (network, batch size) holding every value, the gradients
 * of the values, BN saved statistics, labels and loss statistics.
 *
 * In-place layers: a ReLU or residual add writes over its (first) input when that input has no
 * other consumer and its producer's backward does not need its own output (everything but
 * ReLU and max-pool). Their gradients share storage the same way. This is what torchvision's
 * inplace ReLU does and it cuts activation memory by about a third.
 *
 * Gradient buffers are packed by their lifetime in the backward pass (grad_plan.c): for
 * ResNet-50 at 224 px they take 11 MB per image instead of 90 MB. */
#include <stdlib.h>
#include <string.h>

#include "grad_plan.h"
#include "net.h"

typedef struct acts_plan {
    int *consumers;    /* per value: number of (layer, slot) uses */
    int *storage_root; /* per value: the value whose buffer it uses */
    size_t *offset;    /* per value root: byte offset in the arena */
    size_t *grad_offset;
} acts_plan;

static void free_plan(acts_plan *plan) {
    free(plan->consumers);
    free(plan->storage_root);
    free(plan->offset);
    free(plan->grad_offset);
}

static int is_inplace_candidate(const sc_net *net, const sc_layer *l, const int *consumers) {
    if (l->kind != SC_LAYER_RELU && l->kind != SC_LAYER_ADD)
        return 0;
    int input = l->inputs[0];
    if (input == 0 || consumers[input] != 1)
        return 0;
    sc_layer_kind producer = net->layers[input - 1].kind;
    return producer != SC_LAYER_RELU && producer != SC_LAYER_MAXPOOL;
}

/* Gradient buffers of every value (but the input unless asked for), packed by lifetime into
 * one block of the arena. Every value other than the logits must have a consumer, or its
 * gradient would never be written. */
static sc_status plan_gradients(const sc_net *net, sc_acts *a, acts_plan *plan, sc_error *err) {
    int n_values = a->n_values;
    int *has_grad = calloc((size_t)n_values, sizeof *has_grad);
    size_t *bytes = calloc((size_t)n_values, sizeof *bytes);
    if (!has_grad || !bytes) {
        free(has_grad);
        free(bytes);
        return sc_fail(err, SC_ERR_OOM, "no host memory for the gradient plan");
    }
    sc_status st = SC_OK;
    for (int v = 0; v < n_values && st == SC_OK; v++) {
        bytes[v] = sc_tensor_bytes(&a->values[v]);
        has_grad[v] = v > 0 || a->want_input_grad;
        if (v < n_values - 1 && plan->consumers[v] == 0)
            st = sc_fail(err, SC_ERR_INTERNAL, "value %d of the network is never used", v);
        if (has_grad[v])
            a->grads[v] = a->values[v];
    }
    size_t block_bytes = 0;
    if (st == SC_OK)
        st = sc_grad_plan(net, plan->storage_root, has_grad, bytes, plan->grad_offset,
                          &block_bytes, err);
    if (st == SC_OK) {
        size_t block = sc_arena_reserve(&a->arena, block_bytes);
        for (int v = 0; v < n_values; v++)
            if (has_grad[v] && plan->storage_root[v] == v)
                plan->grad_offset[v] += block;
    }
    free(has_grad);
    free(bytes);
    return st;
}

static sc_tensor value_tensor(const sc_net *net, int value, int batch) {
    if (value == 0)
        return sc_tensor_4d(NULL, SC_F32, batch, net->in_c, net->in_h, net->in_w);
    const sc_layer *l = &net->layers[value - 1];
    return sc_tensor_4d(NULL, SC_F32, batch, l->out_c, l->out_h, l->out_w);
}

static void free_acts_arrays(sc_acts *a) {
    free(a->values);
    free(a->grads);
    free(a->grad_accumulate);
    free(a->grad_skip);
    free(a->save_mean);
    free(a->save_invstd);
}

void sc_acts_destroy(sc_acts *acts) {
    if (!acts)
        return;
    sc_arena_release(&acts->arena);
    free_acts_arrays(acts);
    free(acts);
}

static sc_status prepare_convolutions(sc_net *net, sc_acts *a, sc_error *err) {
    sc_backend *be = net->be;
    for (int l = 0; l < net->n_layers; l++) {
        const sc_layer *layer = &net->layers[l];
        if (layer->kind != SC_LAYER_CONV)
            continue;
        sc_status st = be->ops->conv2d_prepare(be, &layer->conv, &a->values[layer->inputs[0]],
                                               &net->params[layer->param_weight].value,
                                               &a->values[l + 1]);
        if (st != SC_OK)
            return sc_fail(err, st, "preparing convolution %s: %s", layer->name, be->err.msg);
    }
    return SC_OK;
}

sc_status sc_acts_create(sc_net *net, int batch, int with_grads, int want_input_grad,
                         sc_acts **out, sc_error *err) {
    *out = NULL;
    if (batch < 1)
        return sc_fail(err, SC_ERR_USAGE, "batch size must be at least 1, got %d", batch);
    int n_values = net->n_layers + 1;
    sc_acts *a = calloc(1, sizeof *a);
    acts_plan plan = {0};
    plan.consumers = calloc((size_t)n_values, sizeof *plan.consumers);
    plan.storage_root = calloc((size_t)n_values, sizeof *plan.storage_root);
    plan.offset = calloc((size_t)n_values, sizeof *plan.offset);
    plan.grad_offset = calloc((size_t)n_values, sizeof *plan.grad_offset);
    if (a) {
        a->values = calloc((size_t)n_values, sizeof *a->values);
        a->grads = calloc((size_t)n_values, sizeof *a->grads);
        a->grad_accumulate = calloc((size_t)net->n_layers * 2, sizeof *a->grad_accumulate);
        a->grad_skip = calloc((size_t)net->n_layers * 2, sizeof *a->grad_skip);
        a->save_mean = calloc((size_t)net->n_layers, sizeof *a->save_mean);
        a->save_invstd = calloc((size_t)net->n_layers, sizeof *a->save_invstd);
    }
    if (!a || !plan.consumers || !plan.storage_root || !plan.offset || !plan.grad_offset ||
        !a->values || !a->grads || !a->grad_accumulate || !a->grad_skip || !a->save_mean ||
        !a->save_invstd) {
        free_plan(&plan);
        if (a)
            free_acts_arrays(a);
        free(a);
        return sc_fail(err, SC_ERR_OOM, "no host memory for the activation plan");
    }
    a->net = net;
    a->batch = batch;
    a->n_rows = batch;
    a->n_values = n_values;
    a->want_input_grad = want_input_grad;
    a->last_fwd = SC_FWD_EVAL;

    for (int l = 0; l < net->n_layers; l++)
        for (int s = 0; s < net->layers[l].n_inputs; s++)
            plan.consumers[net->layers[l].inputs[s]]++;

    /* Backward visits layers last to first: the last consumer of a value writes its gradient,
     * earlier consumers add to it. */
    int *seen_in_backward = calloc((size_t)n_values, sizeof *seen_in_backward);
    if (!seen_in_backward) {
        sc_acts_destroy(a);
        free_plan(&plan);
        return sc_fail(err, SC_ERR_OOM, "no host memory for the activation plan");
    }
    for (int l = net->n_layers - 1; l >= 0; l--)
        for (int s = 0; s < net->layers[l].n_inputs; s++) {
            int v = net->layers[l].inputs[s];
            a->grad_accumulate[2 * l + s] = seen_in_backward[v] > 0;
            seen_in_backward[v]++;
        }
    free(seen_in_backward);

    sc_arena_init(&a->arena, net->be, "activation");
    for (int v = 0; v < n_values; v++) {
        a->values[v] = value_tensor(net, v, batch);
        plan.storage_root[v] = v;
        if (v > 0 && is_inplace_candidate(net, &net->layers[v - 1], plan.consumers)) {
            int input = net->layers[v - 1].inputs[0];
            plan.storage_root[v] = plan.storage_root[input];
            if (net->layers[v - 1].kind == SC_LAYER_ADD)
                a->grad_skip[2 * (v - 1)] = 1;
        } else {
            plan.offset[v] = sc_arena_reserve(&a->arena, sc_tensor_bytes(&a->values[v]));
        }
    }
    if (with_grads) {
        sc_status st = plan_gradients(net, a, &plan, err);
        if (st != SC_OK) {
            sc_acts_destroy(a);
            free_plan(&plan);
            return st;
        }
    }
    size_t *bn_offset = calloc((size_t)net->n_layers, sizeof *bn_offset);
    if (!bn_offset) {
        sc_acts_destroy(a);
        free_plan(&plan);
        return sc_fail(err, SC_ERR_OOM, "no host memory for the activation plan");
    }
    for (int l = 0; l < net->n_layers; l++)
        if (net->layers[l].kind == SC_LAYER_BN)
            bn_offset[l] = sc_arena_reserve(&a->arena, 2 * sizeof(float) * (size_t)net->layers[l].out_c);
    size_t labels_offset = sc_arena_reserve(&a->arena, sizeof(int32_t) * (size_t)batch);
    size_t stats_offset = sc_arena_reserve(&a->arena, 2 * sizeof(float));

    sc_status st = sc_arena_commit(&a->arena, err);
    if (st == SC_OK) {
        for (int v = 0; v < n_values; v++) {
            int root = plan.storage_root[v];
            a->values[v].data = sc_arena_ptr(&a->arena, plan.offset[root]);
            if (a->grads[v].ndim)
                a->grads[v].data = sc_arena_ptr(&a->arena, plan.grad_offset[root]);
        }
        for (int l = 0; l < net->n_layers; l++) {
            if (net->layers[l].kind != SC_LAYER_BN)
                continue;
            int64_t c = net->layers[l].out_c;
            float *base = sc_arena_ptr(&a->arena, bn_offset[l]);
            a->save_mean[l] = sc_tensor_1d(base, SC_F32, c);
            a->save_invstd[l] = sc_tensor_1d(base + c, SC_F32, c);
        }
        a->labels = sc_tensor_1d(sc_arena_ptr(&a->arena, labels_offset), SC_I32, batch);
        a->loss_stats = sc_tensor_1d(sc_arena_ptr(&a->arena, stats_offset), SC_F32, 2);
        st = prepare_convolutions(net, a, err);
    }
    free(bn_offset);
    free_plan(&plan);
    if (st != SC_OK) {
        sc_acts_destroy(a);
        return st;
    }
    *out = a;
    return SC_OK;
}

sc_tensor *sc_acts_logits(sc_acts *acts) { return &acts->values[acts->n_values - 1]; }

sc_tensor *sc_acts_dlogits(sc_acts *acts) { return &acts->grads[acts->n_values - 1]; }

void sc_acts_set_rows(sc_acts *acts, int n) {
    acts->n_rows = n < 1 ? 1 : (n > acts->batch ? acts->batch : n);
}
