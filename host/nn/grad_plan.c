/* Gradient buffers packed by lifetime: the gradient of a value lives only from the backward
 * step that first writes it (its last consumer, or the loss for the logits) to the backward
 * step that reads it (its producer; the end of the pass for the network input). Buffers whose
 * lifetimes do not overlap share memory, so the gradients of a ResNet need about as much as a
 * few activations instead of as much as all of them. */
#include "grad_plan.h"

#include <stdlib.h>

#include "../core/arena.h"

typedef struct lifetime {
    int root;     /* storage root (value id) */
    int start;    /* first backward time step that writes it */
    int end;      /* last backward time step that reads it */
    size_t bytes; /* aligned size */
} lifetime;

typedef struct placed {
    size_t offset, bytes;
    int end;
} placed;

/* Backward time of processing layer l: the loss is step 0, the last layer step 1, ... */
static int backward_time(const sc_net *net, int layer) { return net->n_layers - layer; }

static int by_start_then_size(const void *pa, const void *pb) {
    const lifetime *a = pa, *b = pb;
    if (a->start != b->start)
        return a->start < b->start ? -1 : 1;
    if (a->bytes != b->bytes)
        return a->bytes > b->bytes ? -1 : 1;
    return a->root - b->root;
}

static int by_offset(const void *pa, const void *pb) {
    const placed *a = pa, *b = pb;
    return a->offset < b->offset ? -1 : (a->offset > b->offset);
}

/* Lowest offset where `bytes` fits between the live buffers (sorted by offset). */
static size_t first_fit(const placed *live, int n_live, size_t bytes) {
    size_t candidate = 0;
    for (int i = 0; i < n_live; i++) {
        if (live[i].offset >= candidate + bytes)
            break;
        if (live[i].offset + live[i].bytes > candidate)
            candidate = live[i].offset + live[i].bytes;
    }
    return candidate;
}

sc_status sc_grad_plan(const sc_net *net, const int *storage_root, const int *has_grad,
                       const size_t *value_bytes, size_t *grad_offset, size_t *total_bytes,
                       sc_error *err) {
    int n_values = net->n_layers + 1;
    lifetime *life = malloc((size_t)n_values * sizeof *life);
    int *root_slot = malloc((size_t)n_values * sizeof *root_slot);
    placed *live = malloc((size_t)n_values * sizeof *live);
    if (!life || !root_slot || !live) {
        free(life);
        free(root_slot);
        free(live);
        return sc_fail(err, SC_ERR_OOM, "no host memory for the gradient plan");
    }
    int n_roots = 0;
    for (int v = 0; v < n_values; v++)
        root_slot[v] = -1;
    for (int v = 0; v < n_values; v++) {
        if (!has_grad[v])
            continue;
        /* written by the last consumer in forward order (first in backward order), or the loss */
        int start = 0;
        for (int l = net->n_layers - 1; l >= 0 && v != n_values - 1; l--) {
            const sc_layer *layer = &net->layers[l];
            if (layer->inputs[0] == v || (layer->n_inputs > 1 && layer->inputs[1] == v)) {
                start = backward_time(net, l);
                break;
            }
        }
        int end = v == 0 ? net->n_layers + 1 : backward_time(net, v - 1);
        int r = storage_root[v];
        if (root_slot[r] < 0) {
            root_slot[r] = n_roots;
            life[n_roots++] = (lifetime){r, start, end, sc_arena_align_size(value_bytes[r])};
        } else {
            lifetime *lt = &life[root_slot[r]];
            lt->start = start < lt->start ? start : lt->start;
            lt->end = end > lt->end ? end : lt->end;
        }
    }
    qsort(life, (size_t)n_roots, sizeof *life, by_start_then_size);
    int n_live = 0;
    size_t peak = 0;
    for (int i = 0; i < n_roots; i++) {
        int kept = 0;
        for (int j = 0; j < n_live; j++)
            if (live[j].end >= life[i].start) /* still read at or after this start */
                live[kept++] = live[j];
        n_live = kept;
        size_t offset = first_fit(live, n_live, life[i].bytes);
        grad_offset[life[i].root] = offset;
        live[n_live++] = (placed){offset, life[i].bytes, life[i].end};
        qsort(live, (size_t)n_live, sizeof *live, by_offset);
        if (offset + life[i].bytes > peak)
            peak = offset + life[i].bytes;
    }
    *total_bytes = peak;
    free(life);
    free(root_slot);
    free(live);
    return SC_OK;
}
