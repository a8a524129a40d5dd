/* One checkpoint of `scaat explain`: the selected images in batches through the explainer,
 * each batch's maps downloaded and written as files at once (see explain_cli.h). */
#include <stdlib.h>
#include <string.h>

#include "explain_cli.h"
#include "host/core/log.h"

/* Device tensors of one batch and their host copies. */
typedef struct batch_buffers {
    sc_arena arena;
    sc_tensor x, labels, preds, maps, gaps; /* (b, C, H, W), (b), (b), (b, 1, H, W), (b) */
    float *images;                          /* host (b, C, H, W) normalised */
    int32_t *host_labels, *host_preds;      /* host (b) */
    float *host_maps, *host_gaps;           /* host (b, H, W), (b) */
} batch_buffers;

static sc_status buffers_create(sc_backend *be, const sc_dataset *ds, int b, batch_buffers *bb,
                                sc_error *err) {
    memset(bb, 0, sizeof *bb);
    int c = ds->channels, h = ds->height, w = ds->width;
    bb->x = sc_tensor_4d(NULL, SC_F32, b, c, h, w);
    bb->labels = sc_tensor_1d(NULL, SC_I32, b);
    bb->preds = sc_tensor_1d(NULL, SC_I32, b);
    bb->maps = sc_tensor_4d(NULL, SC_F32, b, 1, h, w);
    bb->gaps = sc_tensor_1d(NULL, SC_F32, b);
    sc_tensor *t[] = {&bb->x, &bb->labels, &bb->preds, &bb->maps, &bb->gaps};
    size_t off[5];
    sc_arena_init(&bb->arena, be, "explain batch");
    for (int i = 0; i < 5; i++)
        off[i] = sc_arena_reserve(&bb->arena, sc_tensor_bytes(t[i]));
    SC_TRY(sc_arena_commit(&bb->arena, err));
    for (int i = 0; i < 5; i++)
        t[i]->data = sc_arena_ptr(&bb->arena, off[i]);
    bb->images = malloc(sc_tensor_bytes(&bb->x));
    bb->host_labels = malloc((size_t)b * sizeof *bb->host_labels);
    bb->host_preds = malloc((size_t)b * sizeof *bb->host_preds);
    bb->host_maps = malloc(sc_tensor_bytes(&bb->maps));
    bb->host_gaps = malloc((size_t)b * sizeof *bb->host_gaps);
    if (!bb->images || !bb->host_labels || !bb->host_preds || !bb->host_maps || !bb->host_gaps)
        return sc_fail(err, SC_ERR_OOM, "no host memory for a batch of %d images", b);
    return SC_OK;
}

static void buffers_free(batch_buffers *bb) {
    sc_arena_release(&bb->arena);
    free(bb->images);
    free(bb->host_labels);
    free(bb->host_preds);
    free(bb->host_maps);
    free(bb->host_gaps);
}

static sc_tensor rows(const sc_tensor *t, int n) {
    sc_tensor v = *t;
    v.shape[0] = n;
    return v;
}

/* Uploads selection entries [first, first + n), predicts and explains them, downloads. */
static sc_status explain_batch(const explain_options *o, const sc_dataset *ds,
                               const sc_selection *sel, sc_explainer *e, sc_backend *be,
                               batch_buffers *bb, int64_t first, int n, sc_error *err) {
    SC_TRY(sc_selection_batch(ds, sel, first, n, bb->images, bb->host_labels, err));
    sc_tensor x = rows(&bb->x, n), labels = rows(&bb->labels, n), preds = rows(&bb->preds, n);
    sc_tensor maps = rows(&bb->maps, n), gaps = rows(&bb->gaps, n);
    sc_status st = be->ops->upload(be, x.data, bb->images, sc_tensor_bytes(&x));
    if (st == SC_OK)
        st = be->ops->upload(be, labels.data, bb->host_labels, sc_tensor_bytes(&labels));
    if (st != SC_OK)
        return sc_fail(err, st, "explain upload: %s", be->err.msg);
    SC_TRY(sc_explainer_predict(e, &x, &preds, err));
    int ig = o->method.kind == SC_METHOD_INTEGRATED_GRADIENTS;
    SC_TRY(sc_explainer_run(e, &x, o->target_label ? &labels : &preds, &maps, ig ? &gaps : NULL,
                            err));
    st = be->ops->download(be, bb->host_maps, maps.data, sc_tensor_bytes(&maps));
    if (st == SC_OK)
        st = be->ops->download(be, bb->host_preds, preds.data, sc_tensor_bytes(&preds));
    if (st == SC_OK && ig)
        st = be->ops->download(be, bb->host_gaps, gaps.data, sc_tensor_bytes(&gaps));
    return st == SC_OK ? SC_OK : sc_fail(err, st, "explain download: %s", be->err.msg);
}

/* Files and results of the batch's images. */
static sc_status record_batch(const explain_options *o, const sc_dataset *ds,
                              const sc_selection *sel, const batch_buffers *bb, int ck,
                              explain_results *r, int64_t first, int n, sc_error *err) {
    size_t hw = (size_t)ds->height * (size_t)ds->width;
    for (int i = 0; i < n; i++) {
        int64_t pos = first + i;
        size_t at = (size_t)ck * (size_t)r->count + (size_t)pos;
        const float *map = bb->host_maps + (size_t)i * hw;
        r->predictions[at] = bb->host_preds[i];
        r->targets[at] = o->target_label ? bb->host_labels[i] : bb->host_preds[i];
        if (r->ig_gaps)
            r->ig_gaps[at] = bb->host_gaps[i];
        if (pos < r->grid_rows)
            memcpy(r->grid_maps + ((size_t)ck * (size_t)r->grid_rows + (size_t)pos) * hw, map,
                   hw * sizeof *map);
        SC_TRY(sc_explain_write_image(o, ds, r, ck, sel->indices[pos], r->targets[at], map, err));
    }
    return SC_OK;
}

sc_status sc_explain_checkpoint(const explain_options *o, const sc_dataset *ds,
                                const sc_selection *sel, sc_explain_model *m, int ck,
                                explain_results *r, sc_error *err) {
    sc_backend *be = m->net->be;
    int b = sel->count < o->batch ? (int)sel->count : o->batch;
    sc_explainer *e = NULL;
    batch_buffers bb;
    sc_status st = buffers_create(be, ds, b, &bb, err);
    if (st == SC_OK)
        st = sc_explainer_create(m->net, b, &o->method, &e, err);
    double last_note = sc_now_seconds();
    for (int64_t first = 0; first < sel->count && st == SC_OK; first += b) {
        int n = sel->count - first < b ? (int)(sel->count - first) : b;
        st = explain_batch(o, ds, sel, e, be, &bb, first, n, err);
        if (st == SC_OK)
            st = record_batch(o, ds, sel, &bb, ck, r, first, n, err);
        double now = sc_now_seconds();
        if (st == SC_OK && (now - last_note >= 1.0 || first + n == sel->count)) {
            sc_log("explain %s (%d/%d, %s): %lld/%lld images", r->names[ck], ck + 1,
                   r->n_checkpoints, m->meta.mode, (long long)(first + n),
                   (long long)sel->count);
            last_note = now;
        }
    }
    sc_explainer_destroy(e);
    buffers_free(&bb);
    return st;
}
