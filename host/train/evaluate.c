/* Evaluation over a loader (see evaluate.h). */
#include "evaluate.h"

#include <math.h>

static void *backend_host_alloc(void *ctx, size_t bytes) {
    sc_backend *be = ctx;
    void *ptr = NULL;
    return be->ops->host_alloc(be, bytes, &ptr) == SC_OK ? ptr : NULL;
}

static void backend_host_free(void *ctx, void *ptr) {
    sc_backend *be = ctx;
    be->ops->host_free(be, ptr);
}

void sc_loader_use_backend_memory(sc_loader_config *lc, sc_backend *be) {
    lc->host_alloc = backend_host_alloc;
    lc->host_free = backend_host_free;
    lc->alloc_ctx = be;
}

sc_status sc_upload_batch(sc_acts *acts, const sc_batch *batch, sc_error *err) {
    sc_backend *be = acts->net->be;
    const sc_tensor *input = &acts->values[0];
    int64_t per_image = input->shape[1] * input->shape[2] * input->shape[3];
    if (batch->n > acts->batch || batch->channels * batch->height * batch->width != per_image)
        return sc_fail(err, SC_ERR_SHAPE, "batch of %d images %dx%dx%d does not fit the network "
                       "input (%d, %lld, %lld, %lld)", batch->n, batch->channels, batch->height,
                       batch->width, acts->batch, (long long)input->shape[1],
                       (long long)input->shape[2], (long long)input->shape[3]);
    be->ops->range_push(be, "data");
    sc_status st = be->ops->upload_async(be, input->data, batch->images,
                                         (size_t)batch->n * (size_t)per_image * sizeof(float));
    if (st == SC_OK)
        st = be->ops->upload_async(be, acts->labels.data, batch->labels,
                                   (size_t)batch->n * sizeof(int32_t));
    be->ops->range_pop(be);
    if (st != SC_OK)
        return sc_fail(err, st, "uploading a batch: %s", be->err.msg);
    sc_acts_set_rows(acts, batch->n);
    return SC_OK;
}

sc_status sc_upload_batch_wait(sc_acts *acts, sc_error *err) {
    sc_backend *be = acts->net->be;
    sc_status st = be->ops->upload_wait(be);
    return st == SC_OK ? SC_OK : sc_fail(err, st, "uploading a batch: %s", be->err.msg);
}

sc_tensor sc_acts_logits_rows(sc_acts *acts) {
    return sc_tensor_2d(sc_acts_logits(acts)->data, SC_F32, acts->n_rows, acts->net->num_classes);
}

sc_tensor sc_acts_dlogits_rows(sc_acts *acts) {
    return sc_tensor_2d(sc_acts_dlogits(acts)->data, SC_F32, acts->n_rows, acts->net->num_classes);
}

sc_tensor sc_acts_labels_rows(sc_acts *acts) {
    return sc_tensor_1d(acts->labels.data, SC_I32, acts->n_rows);
}

sc_status sc_evaluate(sc_net *net, sc_acts *acts, sc_loader *loader, sc_eval_result *out,
                      sc_error *err) {
    sc_backend *be = net->be;
    out->accuracy = out->loss = 0.0;
    out->samples = 0;
    SC_TRY(sc_loader_start_epoch(loader, 0, 0, 0, err));
    be->ops->range_push(be, "eval");
    sc_status st = be->ops->zero(be, acts->loss_stats.data, 2 * sizeof(float));
    if (st != SC_OK) {
        be->ops->range_pop(be);
        return sc_fail(err, st, "evaluation: %s", be->err.msg);
    }
    sc_batch batch;
    sc_xent_params xp = {0.0f, 1.0f};
    while (sc_loader_next(loader, &batch)) {
        st = sc_upload_batch(acts, &batch, err);
        if (st == SC_OK)
            st = sc_net_forward(net, acts, SC_FWD_EVAL, err);
        if (st == SC_OK) {
            sc_tensor logits = sc_acts_logits_rows(acts), labels = sc_acts_labels_rows(acts);
            st = be->ops->softmax_xent(be, &xp, &logits, &labels, NULL, &acts->loss_stats);
            if (st != SC_OK)
                sc_fail(err, st, "evaluation loss: %s", be->err.msg);
        }
        if (st == SC_OK)
            st = sc_upload_batch_wait(acts, err);
        if (st != SC_OK) {
            be->ops->range_pop(be);
            return st;
        }
        out->samples += batch.n;
    }
    st = sc_loader_status(loader, err); /* a bad image ends the pass early */
    if (st != SC_OK) {
        be->ops->range_pop(be);
        return st;
    }
    float stats[2];
    st = be->ops->download(be, stats, acts->loss_stats.data, sizeof stats);
    be->ops->range_pop(be);
    if (st != SC_OK)
        return sc_fail(err, st, "evaluation: %s", be->err.msg);
    if (out->samples > 0) {
        out->loss = (double)stats[0] / (double)out->samples;
        out->accuracy = (double)stats[1] / (double)out->samples;
    }
    if (!isfinite(out->loss))
        return sc_fail(err, SC_ERR_NUMERIC, "evaluation loss is %g: the network produces NaN/Inf",
                       out->loss);
    return SC_OK;
}
