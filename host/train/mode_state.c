/* Planning and allocation of a training mode's buffers (see mode_state.h). */
#include "mode_state.h"

#include <stdlib.h>
#include <string.h>

int sc_mode_needs_clean_input_grad(const sc_mode_config *cfg) {
    return cfg->saliency_bn_batch && (cfg->kind == SC_MODE_SGT || cfg->kind == SC_MODE_SCAAT);
}

static int branches_of(sc_mode_kind kind) {
    switch (kind) {
    case SC_MODE_STANDARD: return 0;
    case SC_MODE_ASGT: return 2;
    default: return 1;
    }
}

sc_status sc_mode_state_create(sc_net *net, int batch, const sc_mode_config *cfg,
                               const sc_channel_norm *norm, sc_mode_state **out, sc_error *err) {
    *out = NULL;
    if (norm->channels != net->in_c || norm->channels > SC_MAX_CHANNELS)
        return sc_fail(err, SC_ERR_SHAPE, "training mode %s: the normalisation has %d channels, "
                       "the network %d (at most %d supported)", sc_mode_name(cfg->kind),
                       norm->channels, net->in_c, SC_MAX_CHANNELS);
    sc_mode_state *s = calloc(1, sizeof *s);
    if (!s)
        return sc_fail(err, SC_ERR_OOM, "no host memory for the training mode");
    s->cfg = *cfg;
    s->net = net;
    s->batch = batch;
    s->perturb.channels = norm->channels;
    for (int c = 0; c < norm->channels; c++) {
        s->perturb.std[c] = norm->std[c];
        s->perturb.lo[c] = sc_channel_lo(norm, c);
        s->perturb.hi[c] = sc_channel_hi(norm, c);
    }
    s->perturb.eps = cfg->eps;
    s->perturb.step_size = cfg->step_size;
    s->n_branches = branches_of(cfg->kind);
    sc_status st = SC_OK;
    for (int b = 0; b < s->n_branches && st == SC_OK; b++)
        st = sc_acts_create(net, batch, 1, 1, &s->branch[b], err);
    if (st != SC_OK) {
        sc_mode_state_destroy(s);
        return st;
    }
    sc_arena_init(&s->arena, net->be, "training mode");
    sc_tensor map = sc_tensor_4d(NULL, SC_F32, batch, 1, net->in_h, net->in_w);
    size_t map_bytes = s->n_branches ? sc_tensor_bytes(&map) : 0;
    size_t off_map = sc_arena_reserve(&s->arena, map_bytes);
    size_t off_mask = sc_arena_reserve(&s->arena, map_bytes);
    size_t off_budget = sc_arena_reserve(&s->arena, map_bytes);
    size_t off_istats = sc_arena_reserve(&s->arena, s->n_branches ? sizeof(float) * 3 * (size_t)batch * (size_t)net->in_c : 0);
    size_t off_ref = sc_arena_reserve(&s->arena, s->n_branches ? sizeof(float) * (size_t)batch * (size_t)net->num_classes : 0);
    size_t off_stats = sc_arena_reserve(&s->arena, sizeof(float) * SC_STAT_COUNT);
    st = sc_arena_commit(&s->arena, err);
    if (st != SC_OK) {
        sc_mode_state_destroy(s);
        return st;
    }
    if (s->n_branches) {
        s->map = s->mask = s->budget = map;
        s->map.data = sc_arena_ptr(&s->arena, off_map);
        s->mask.data = sc_arena_ptr(&s->arena, off_mask);
        s->budget.data = sc_arena_ptr(&s->arena, off_budget);
        int64_t shape[3] = {batch, net->in_c, 3};
        s->image_stats = sc_tensor_make(sc_arena_ptr(&s->arena, off_istats), SC_F32, 3, shape);
        s->ref_logits = sc_tensor_2d(sc_arena_ptr(&s->arena, off_ref), SC_F32, batch, net->num_classes);
    }
    s->stats = sc_tensor_1d(sc_arena_ptr(&s->arena, off_stats), SC_F32, SC_STAT_COUNT);
    *out = s;
    return SC_OK;
}

void sc_mode_state_destroy(sc_mode_state *s) {
    if (!s)
        return;
    for (int b = 0; b < SC_MODE_MAX_BRANCHES; b++)
        sc_acts_destroy(s->branch[b]);
    sc_arena_release(&s->arena);
    free(s);
}

size_t sc_mode_state_bytes(const sc_mode_state *s) {
    size_t bytes = s->arena.size;
    for (int b = 0; b < s->n_branches; b++)
        bytes += s->branch[b]->arena.size;
    return bytes;
}

sc_tensor sc_mode_stat(const sc_mode_state *s, sc_train_stat slot, int count) {
    return sc_tensor_1d(sc_f32(&s->stats) + slot, SC_F32, count);
}
