/* Mean Gini of a dataset split's gradient maps (see saliency_eval.h). */
#include "saliency_eval.h"

#include <math.h>

#include "host/train/evaluate.h"
#include "saliency.h"

typedef struct gini_buffers {
    sc_arena arena;
    sc_tensor map;     /* (B, 1, H, W) */
    sc_tensor targets; /* (B) int32 */
    sc_tensor stats;   /* (2): valid Gini sum, valid count */
} gini_buffers;

static sc_status buffers_create(sc_net *net, int batch, gini_buffers *b, sc_error *err) {
    sc_arena_init(&b->arena, net->be, "saliency");
    b->map = sc_tensor_4d(NULL, SC_F32, batch, 1, net->in_h, net->in_w);
    size_t off_map = sc_arena_reserve(&b->arena, sc_tensor_bytes(&b->map));
    size_t off_targets = sc_arena_reserve(&b->arena, sizeof(int32_t) * (size_t)batch);
    size_t off_stats = sc_arena_reserve(&b->arena, 2 * sizeof(float));
    SC_TRY(sc_arena_commit(&b->arena, err));
    b->map.data = sc_arena_ptr(&b->arena, off_map);
    b->targets = sc_tensor_1d(sc_arena_ptr(&b->arena, off_targets), SC_I32, batch);
    b->stats = sc_tensor_1d(sc_arena_ptr(&b->arena, off_stats), SC_F32, 2);
    return SC_OK;
}

static sc_status batch_gini(sc_net *net, sc_acts *acts, gini_buffers *b,
                            const sc_saliency_params *p, sc_error *err) {
    sc_backend *be = net->be;
    SC_TRY(sc_net_forward(net, acts, SC_FWD_EVAL, err));
    sc_tensor targets = b->targets, map = b->map;
    targets.shape[0] = map.shape[0] = acts->n_rows;
    SC_TRY(sc_saliency_predicted(net, acts, &targets, err));
    SC_TRY(sc_saliency_gradient(net, acts, SC_FWD_EVAL, 1, &targets, p, &map, err));
    sc_status st = be->ops->map_gini(be, &map, NULL, &b->stats);
    return st == SC_OK ? SC_OK : sc_fail(err, st, "saliency Gini: %s", be->err.msg);
}

sc_status sc_saliency_mean_gini(sc_net *net, sc_loader *loader, int batch,
                                const sc_saliency_params *p, sc_saliency_gini_result *out,
                                sc_error *err) {
    sc_backend *be = net->be;
    out->mean_gini = NAN;
    out->valid = out->degenerate = 0;
    sc_acts *acts = NULL;
    gini_buffers b = {0};
    sc_status st = sc_acts_create(net, batch, 1, 1, &acts, err);
    if (st == SC_OK)
        st = buffers_create(net, batch, &b, err);
    if (st == SC_OK)
        st = sc_loader_start_epoch(loader, 0, 0, 0, err);
    int64_t samples = 0;
    sc_batch hb;
    while (st == SC_OK && sc_loader_next(loader, &hb)) {
        st = sc_upload_batch(acts, &hb, err);
        if (st == SC_OK)
            st = batch_gini(net, acts, &b, p, err);
        if (st == SC_OK)
            st = sc_upload_batch_wait(acts, err);
        samples += hb.n;
    }
    if (st == SC_OK)
        st = sc_loader_status(loader, err); /* a bad image ends the pass early */
    float stats[2] = {0, 0};
    if (st == SC_OK && (st = be->ops->download(be, stats, b.stats.data, sizeof stats)) != SC_OK)
        sc_fail(err, st, "saliency Gini: %s", be->err.msg);
    if (st == SC_OK) {
        out->valid = (int64_t)stats[1];
        out->degenerate = samples - out->valid;
        out->mean_gini = out->valid > 0 ? (double)stats[0] / (double)out->valid : NAN;
    }
    sc_arena_release(&b.arena);
    sc_acts_destroy(acts);
    return st;
}
