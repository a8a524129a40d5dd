/* Device buffers and shared steps of the metrics evaluation (see metric_batch.h). */
#include "metric_batch.h"

#include <string.h>

sc_tensor sc_metric_rows(const sc_tensor *t, int64_t first, int64_t n) {
    sc_tensor v = *t;
    int64_t per_row = t->shape[0] > 0 ? sc_tensor_numel(t) / t->shape[0] : 0;
    v.data = t->data ? (char *)t->data + (size_t)(first * per_row) * sc_dtype_size(t->dtype)
                     : NULL;
    v.shape[0] = n;
    return v;
}

sc_tensor sc_metric_cur(const sc_metric_batch *b, const sc_tensor *t) {
    return sc_metric_rows(t, 0, b->n);
}

sc_status sc_metric_op(sc_metric_batch *b, sc_status st, const char *what, sc_error *err) {
    return st == SC_OK ? SC_OK : sc_fail(err, st, "%s: %s", what, b->be->err.msg);
}

sc_rng_key sc_metric_key(const sc_metric_batch *b, sc_metric m, int j) {
    uint64_t stream = b->cfg->seed + (uint64_t)m * 0x9E3779B97F4A7C15ull; /* one per metric */
    return sc_rng_key_make(stream, b->batch_index * 4096u + (uint32_t)j, SC_RNG_METRIC);
}

/* The logits of rows [first, first + n) of the forward-only activations, (n, K). */
static sc_tensor fwd_logits(const sc_metric_batch *b, int64_t first, int64_t n) {
    sc_tensor all = sc_tensor_2d(sc_acts_logits(b->fwd)->data, SC_F32, b->fwd->batch,
                                 b->net->num_classes);
    return sc_metric_rows(&all, first, n);
}

sc_status sc_metric_predict(sc_metric_batch *b, const sc_tensor *x, const sc_tensor *pred,
                            sc_error *err) {
    sc_backend *be = b->be;
    int64_t n = x->shape[0];
    SC_TRY(sc_metric_op(b, be->ops->copy(be, b->fwd->values[0].data, x->data, sc_tensor_bytes(x)),
                        "prediction input", err));
    sc_acts_set_rows(b->fwd, (int)n);
    SC_TRY(sc_net_forward(b->net, b->fwd, SC_FWD_EVAL, err));
    sc_tensor logits = fwd_logits(b, 0, n);
    return sc_metric_op(b, be->ops->argmax(be, &logits, pred), "prediction", err);
}

sc_status sc_metric_rank_mask(sc_metric_batch *b, int64_t count, int from_least,
                              const sc_tensor *mask, sc_error *err) {
    sc_backend *be = b->be;
    sc_tensor zeros = sc_metric_cur(b, &b->zeros), ones = sc_metric_cur(b, &b->ones);
    sc_tensor ranks = sc_metric_cur(b, &b->ranks);
    return sc_metric_op(b, be->ops->ranked_replace(be, count, from_least, &zeros, &ones, &ranks,
                                                   mask),
                        "ranked mask", err);
}

sc_status sc_metric_run_copies(sc_metric_batch *b, const sc_copy_job *job, sc_error *err) {
    int n = b->n;
    int per_forward = b->fwd->batch / n;
    for (int first = 0; first < job->copies; first += per_forward) {
        int count = job->copies - first < per_forward ? job->copies - first : per_forward;
        for (int j = 0; j < count; j++) {
            sc_tensor dst = sc_metric_rows(&b->fwd->values[0], (int64_t)j * n, n);
            SC_TRY(job->make(b, job->ctx, first + j, &dst, err));
        }
        sc_acts_set_rows(b->fwd, count * n);
        SC_TRY(sc_net_forward(b->net, b->fwd, SC_FWD_EVAL, err));
        for (int j = 0; j < count; j++) {
            sc_tensor input = sc_metric_rows(&b->fwd->values[0], (int64_t)j * n, n);
            sc_tensor logits = fwd_logits(b, (int64_t)j * n, n);
            SC_TRY(job->score(b, job->ctx, first + j, &input, &logits, err));
        }
    }
    return SC_OK;
}

/* ---- creation ----------------------------------------------------------------------------- */

#define MAX_SLOTS (16 + 2 * SC_FIELD_COUNT)

/* Tensors reserved in one arena, their pointers set after the commit. */
typedef struct slot_list {
    sc_tensor *tensor[MAX_SLOTS];
    size_t offset[MAX_SLOTS];
    int count;
} slot_list;

static void reserve(sc_arena *a, slot_list *s, sc_tensor *t, sc_tensor shape) {
    *t = shape;
    s->tensor[s->count] = t;
    s->offset[s->count++] = sc_arena_reserve(a, sc_tensor_bytes(&shape));
}

static int max_int(int a, int b) { return a > b ? a : b; }

/* Field outputs on the device: a value per sample for every field computed there, and the
 * curves of the device-curve fields (randomisation's curve is (points, B), one row per layer). */
static void reserve_fields(sc_metric_batch *b, slot_list *s, int B) {
    for (int f = 0; f < SC_FIELD_COUNT; f++) {
        if (!sc_metric_field_on(b->cfg, f) || f == SC_FIELD_MAX_SENSITIVITY)
            continue;
        int points = sc_metric_field_points(b->cfg, b->net, f);
        if (f != SC_FIELD_RANDOMISATION)
            reserve(&b->arena, s, &b->value[f], sc_tensor_1d(NULL, SC_F32, B));
        if (f == SC_FIELD_RANDOMISATION)
            reserve(&b->arena, s, &b->curve[f], sc_tensor_2d(NULL, SC_F32, points, B));
        else if (points > 0)
            reserve(&b->arena, s, &b->curve[f], sc_tensor_2d(NULL, SC_F32, B, points));
    }
}

static sc_status buffers_create(sc_metric_batch *b, sc_error *err) {
    const sc_net *net = b->net;
    int B = b->capacity, C = net->in_c, H = net->in_h, W = net->in_w;
    int cols = max_int(max_int(H * W, b->cfg->faith_subsets), b->cfg->sens_copies);
    slot_list s = {0};
    sc_arena_init(&b->arena, b->be, "metrics");
    reserve(&b->arena, &s, &b->x, sc_tensor_4d(NULL, SC_F32, B, C, H, W));
    reserve(&b->arena, &s, &b->labels, sc_tensor_1d(NULL, SC_I32, B));
    reserve(&b->arena, &s, &b->pred, sc_tensor_1d(NULL, SC_I32, B));
    reserve(&b->arena, &s, &b->target, sc_tensor_1d(NULL, SC_I32, B));
    reserve(&b->arena, &s, &b->map, sc_tensor_4d(NULL, SC_F32, B, 1, H, W));
    reserve(&b->arena, &s, &b->ranks, sc_tensor_4d(NULL, SC_I32, B, 1, H, W));
    reserve(&b->arena, &s, &b->image, sc_tensor_4d(NULL, SC_F32, B, C, H, W));
    reserve(&b->arena, &s, &b->map2, sc_tensor_4d(NULL, SC_F32, B, 1, H, W));
    reserve(&b->arena, &s, &b->mask, sc_tensor_4d(NULL, SC_F32, B, 1, H, W));
    reserve(&b->arena, &s, &b->zeros, sc_tensor_4d(NULL, SC_F32, B, 1, H, W));
    reserve(&b->arena, &s, &b->ones, sc_tensor_4d(NULL, SC_F32, B, 1, H, W));
    reserve(&b->arena, &s, &b->zero_stats,
            sc_tensor_make(NULL, SC_F32, 3, (const int64_t[]){B, C, 3}));
    reserve(&b->arena, &s, &b->gini, sc_tensor_1d(NULL, SC_F32, B));
    reserve(&b->arena, &s, &b->scratch_a, sc_tensor_2d(NULL, SC_F32, B, cols));
    reserve(&b->arena, &s, &b->scratch_b, sc_tensor_2d(NULL, SC_F32, B, cols));
    reserve(&b->arena, &s, &b->stats, sc_tensor_1d(NULL, SC_F32, 2));
    reserve_fields(b, &s, B);
    SC_TRY(sc_arena_commit(&b->arena, err)); /* zero-filled: zeros and zero_stats are ready */
    for (int i = 0; i < s.count; i++)
        s.tensor[i]->data = sc_arena_ptr(&b->arena, s.offset[i]);
    sc_rng_key unused = sc_rng_key_make(0, 0, SC_RNG_METRIC); /* lo = hi = 1: exactly 1 */
    return sc_metric_op(b, b->be->ops->rng_uniform(b->be, unused, 1.0f, 1.0f, &b->ones),
                        "constant map", err);
}

/* std and the valid range [lo, hi] of each channel in normalised units, for the attacks. */
static sc_status perturb_from_dataset(const sc_dataset *ds, sc_perturb_params *p, sc_error *err) {
    memset(p, 0, sizeof *p);
    if (ds->channels > SC_MAX_CHANNELS)
        return sc_fail(err, SC_ERR_UNSUPPORTED, "robust accuracy: at most %d channels, %s has %d",
                       SC_MAX_CHANNELS, ds->name, ds->channels);
    p->channels = ds->channels;
    for (int c = 0; c < ds->channels; c++) {
        p->std[c] = ds->std[c];
        p->lo[c] = (0.0f - ds->mean[c]) / ds->std[c];
        p->hi[c] = (1.0f - ds->mean[c]) / ds->std[c];
    }
    return SC_OK;
}

/* The parameters as loaded, for restoring them after each randomisation cascade. */
static sc_status backup_params(sc_metric_batch *b, sc_error *err) {
    sc_backend *be = b->be;
    size_t bytes = b->net->param_arena.size;
    SC_TRY(sc_metric_op(b, be->ops->alloc(be, bytes, &b->param_backup), "parameter copy", err));
    return sc_metric_op(b, be->ops->copy(be, b->param_backup, b->net->param_arena.base, bytes),
                        "parameter copy", err);
}

static int any_map_metric(const sc_metric_config *cfg) {
    for (int f = 0; f < SC_FIELD_COUNT; f++)
        if (sc_metric_field_on(cfg, f) && sc_metric_field_get(f)->map_based)
            return 1;
    return 0;
}

sc_status sc_metric_batch_create(sc_net *net, const sc_dataset *ds, const sc_metric_config *cfg,
                                 sc_metric_batch *b, sc_error *err) {
    memset(b, 0, sizeof *b);
    b->be = net->be;
    b->net = net;
    b->cfg = cfg;
    b->capacity = cfg->batch;
    int forward_batch = max_int(cfg->batch, cfg->internal_batch);
    sc_status st = perturb_from_dataset(ds, &b->perturb, err);
    if (st == SC_OK && any_map_metric(cfg))
        st = sc_explainer_create(net, cfg->batch, &cfg->method, &b->explainer, err);
    if (st == SC_OK)
        st = sc_acts_create(net, forward_batch, 0, 0, &b->fwd, err);
    if (st == SC_OK && (cfg->metrics & SC_METRIC_BIT(SC_METRIC_ROBUST)))
        st = sc_acts_create(net, cfg->batch, 1, 1, &b->attack, err);
    if (st == SC_OK)
        st = buffers_create(b, err);
    if (st == SC_OK && (cfg->metrics & SC_METRIC_BIT(SC_METRIC_RANDOMISATION)))
        st = backup_params(b, err);
    if (st != SC_OK)
        sc_metric_batch_destroy(b);
    return st;
}

void sc_metric_batch_destroy(sc_metric_batch *b) {
    if (b->param_backup)
        b->be->ops->free(b->be, b->param_backup);
    sc_arena_release(&b->arena);
    sc_acts_destroy(b->attack);
    sc_acts_destroy(b->fwd);
    if (b->explainer)
        sc_explainer_destroy(b->explainer);
    memset(b, 0, sizeof *b);
}
