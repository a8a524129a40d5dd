/* SmoothGrad and Integrated Gradients: methods that average the input gradients of many
 * copies of each image (noisy copies, or points on the straight path from the baseline 0).
 *
 * The n images times `copies` copies are laid out copy-major (all images of copy 0, then of
 * copy 1, ...) and packed into device batches of acts->batch rows, so copies of several images
 * share a batch. Each finished batch's raw input gradients are added, weighted, to the
 * per-image accumulator with axpby, in copy order, whatever the packing: the result does not
 * depend on the internal batch size. SmoothGrad's copy c of all n images is drawn at once
 * (add_noise over the (n, C, H, W) batch with key (seed, c, SC_RNG_NOISE)), so the noise of
 * an image does not depend on the packing either. */
#include <stdint.h>

#include "explainer_internal.h"
#include "saliency.h"

static sc_status op_failed(sc_explainer *e, sc_status st, const char *what, sc_error *err) {
    return sc_fail(err, st, "%s %s: %s", sc_method_name(e->cfg.kind), what, e->net->be->err.msg);
}

/* Whatever copy `copy` needs before its rows are laid out (SmoothGrad: the noisy images). */
static sc_status prepare_copy(sc_explainer *e, const sc_tensor *x, int copy, sc_error *err) {
    if (e->cfg.kind != SC_METHOD_SMOOTHGRAD)
        return SC_OK;
    sc_backend *be = e->net->be;
    sc_noise_params p = {SC_NOISE_NORMAL_RANGE, e->cfg.noise,
                         sc_rng_key_make(e->cfg.seed, (uint32_t)copy, SC_RNG_NOISE)};
    sc_tensor noisy = sc_explainer_rows(&e->noisy, 0, x->shape[0]); /* (n, C, H, W) */
    sc_status st = be->ops->add_noise(be, &p, x, &noisy);
    return st == SC_OK ? SC_OK : op_failed(e, st, "noise", err);
}

/* Lays copy seg->copy of images [seg->image, + count) into device rows [seg->row, + count). */
static sc_status fill_segment(sc_explainer *e, const sc_tensor *x, const sc_tensor *targets,
                              const sc_copy_segment *seg, sc_error *err) {
    sc_backend *be = e->net->be;
    sc_tensor dst = sc_explainer_rows(&e->acts->values[0], seg->row, seg->count);
    sc_tensor src = sc_explainer_rows(x, seg->image, seg->count);
    sc_status st;
    if (e->cfg.kind == SC_METHOD_SMOOTHGRAD) {
        sc_tensor noisy = sc_explainer_rows(&e->noisy, seg->image, seg->count);
        st = be->ops->copy(be, dst.data, noisy.data, sc_tensor_bytes(&dst));
    } else { /* the path point alpha * x */
        st = be->ops->zero(be, dst.data, sc_tensor_bytes(&dst));
        if (st == SC_OK)
            st = be->ops->axpby(be, (float)e->ig_nodes[seg->copy], &src, 1.0f, &dst);
    }
    sc_tensor t_dst = sc_explainer_rows(&e->row_targets, seg->row, seg->count);
    sc_tensor t_src = sc_explainer_rows(targets, seg->image, seg->count);
    if (st == SC_OK)
        st = be->ops->copy(be, t_dst.data, t_src.data, sc_tensor_bytes(&t_dst));
    return st == SC_OK ? SC_OK : op_failed(e, st, "copies", err);
}

static float copy_weight(const sc_explainer *e, int copy) {
    return e->cfg.kind == SC_METHOD_SMOOTHGRAD ? 1.0f / (float)e->cfg.samples
                                               : (float)e->ig_weights[copy];
}

/* Gradients of the `rows` filled device rows, added into the accumulator segment by segment. */
static sc_status flush(sc_explainer *e, int n_segments, int rows, sc_error *err) {
    sc_backend *be = e->net->be;
    sc_saliency_params mean = {SC_REDUCE_MEAN};
    sc_tensor targets = sc_explainer_rows(&e->row_targets, 0, rows);
    sc_tensor map = sc_explainer_rows(&e->row_map, 0, rows);
    sc_acts_set_rows(e->acts, rows);
    SC_TRY(sc_saliency_gradient(e->net, e->acts, SC_FWD_EVAL, 0, &targets, &mean, &map, err));
    for (int i = 0; i < n_segments; i++) {
        const sc_copy_segment *s = &e->segments[i];
        sc_tensor g = sc_explainer_rows(&e->acts->grads[0], s->row, s->count);
        sc_tensor acc = sc_explainer_rows(&e->accum, s->image, s->count);
        sc_status st = be->ops->axpby(be, copy_weight(e, s->copy), &g, 1.0f, &acc);
        if (st != SC_OK)
            return op_failed(e, st, "accumulation", err);
    }
    return SC_OK;
}

/* accum[i] = sum over copies c of weight(c) * (input gradient of copy c of image i). */
static sc_status accumulate_copies(sc_explainer *e, const sc_tensor *x, const sc_tensor *targets,
                                   sc_error *err) {
    sc_backend *be = e->net->be;
    int n = (int)x->shape[0], capacity = e->acts->batch;
    sc_tensor acc = sc_explainer_rows(&e->accum, 0, n);
    sc_status st = be->ops->zero(be, acc.data, sc_tensor_bytes(&acc));
    if (st != SC_OK)
        return op_failed(e, st, "accumulator", err);
    int rows = 0, n_segments = 0;
    for (int copy = 0; copy < e->copies; copy++) {
        SC_TRY(prepare_copy(e, x, copy, err));
        for (int image = 0; image < n;) {
            int count = n - image < capacity - rows ? n - image : capacity - rows;
            sc_copy_segment seg = {copy, image, rows, count};
            SC_TRY(fill_segment(e, x, targets, &seg, err));
            e->segments[n_segments++] = seg;
            rows += count;
            image += count;
            if (rows == capacity) {
                SC_TRY(flush(e, n_segments, rows, err));
                rows = n_segments = 0;
            }
        }
    }
    return rows > 0 ? flush(e, n_segments, rows, err) : SC_OK;
}

sc_status sc_explain_smoothgrad(sc_explainer *e, const sc_tensor *x, const sc_tensor *targets,
                                const sc_tensor *maps, sc_error *err) {
    sc_backend *be = e->net->be;
    SC_TRY(accumulate_copies(e, x, targets, err));
    sc_saliency_params mean = {SC_REDUCE_MEAN};
    sc_tensor acc = sc_explainer_rows(&e->accum, 0, x->shape[0]);
    sc_status st = be->ops->saliency_reduce(be, &mean, &acc, NULL, maps);
    return st == SC_OK ? SC_OK : op_failed(e, st, "map", err);
}

/* The target logits of x (or of the baseline 0 when x is NULL) into out (n, 1). */
static sc_status target_logits(sc_explainer *e, const sc_tensor *x, int n,
                               const sc_tensor *targets, const sc_tensor *out, sc_error *err) {
    sc_backend *be = e->net->be;
    sc_acts *a = e->acts;
    for (int first = 0; first < n; first += a->batch) {
        int count = n - first < a->batch ? n - first : a->batch;
        sc_status st = SC_OK;
        if (x) {
            SC_TRY(sc_explainer_load_rows(e, x, first, count, err));
        } else {
            st = be->ops->zero(be, a->values[0].data, sc_tensor_bytes(&a->values[0]));
            if (st != SC_OK)
                return op_failed(e, st, "baseline", err);
            sc_acts_set_rows(a, count);
        }
        SC_TRY(sc_net_forward(e->net, a, SC_FWD_EVAL, err));
        sc_tensor logits = sc_tensor_2d(sc_acts_logits(a)->data, SC_F32, count,
                                        e->net->num_classes);
        sc_tensor t = sc_explainer_rows(targets, first, count);
        sc_tensor o = sc_explainer_rows(out, first, count);
        if ((st = be->ops->target_score(be, SC_SCORE_LOGIT, &logits, &t, 0, &o)) != SC_OK)
            return op_failed(e, st, "target logit", err);
    }
    return SC_OK;
}

/* gap = sum over (c, h, w) of the attribution x * accum - (f_t(x) - f_t(0)). */
static sc_status completeness_gap(sc_explainer *e, const sc_tensor *x, const sc_tensor *targets,
                                  const sc_tensor *gap, sc_error *err) {
    sc_backend *be = e->net->be;
    int n = (int)x->shape[0];
    float *scores = sc_f32(&e->scores); /* (3, batch): attribution sum, f_t(x), f_t(0) */
    sc_tensor sum = sc_tensor_2d(scores, SC_F32, n, 1);
    sc_tensor fx = sc_tensor_2d(scores + e->batch, SC_F32, n, 1);
    sc_tensor f0 = sc_tensor_2d(scores + 2 * e->batch, SC_F32, n, 1);
    sc_tensor acc = sc_explainer_rows(&e->accum, 0, n);
    sc_tensor smap = sc_explainer_rows(&e->signed_map, 0, n);
    sc_saliency_params signed_mean = {SC_REDUCE_SIGNED};
    sc_status st = be->ops->saliency_reduce(be, &signed_mean, &acc, x, &smap);
    if (st == SC_OK)
        st = be->ops->masked_sum(be, &smap, NULL, 0, &sum);
    if (st != SC_OK)
        return op_failed(e, st, "attribution sum", err);
    SC_TRY(target_logits(e, x, n, targets, &fx, err));
    SC_TRY(target_logits(e, NULL, n, targets, &f0, err));
    sc_tensor sum1 = sc_tensor_1d(sum.data, SC_F32, n), fx1 = sc_tensor_1d(fx.data, SC_F32, n);
    sc_tensor f01 = sc_tensor_1d(f0.data, SC_F32, n);
    st = be->ops->copy(be, gap->data, sum1.data, sc_tensor_bytes(&sum1));
    if (st == SC_OK) /* the signed map is a mean over channels: times C for the sum */
        st = be->ops->axpby(be, -1.0f, &fx1, (float)x->shape[1], gap);
    if (st == SC_OK)
        st = be->ops->axpby(be, 1.0f, &f01, 1.0f, gap);
    return st == SC_OK ? SC_OK : op_failed(e, st, "completeness gap", err);
}

sc_status sc_explain_integrated_gradients(sc_explainer *e, const sc_tensor *x,
                                          const sc_tensor *targets, const sc_tensor *maps,
                                          const sc_tensor *ig_gap, sc_error *err) {
    sc_backend *be = e->net->be;
    SC_TRY(accumulate_copies(e, x, targets, err));
    sc_saliency_params mean = {SC_REDUCE_MEAN};
    sc_tensor acc = sc_explainer_rows(&e->accum, 0, x->shape[0]);
    sc_status st = be->ops->saliency_reduce(be, &mean, &acc, x, maps);
    if (st != SC_OK)
        return op_failed(e, st, "map", err);
    return ig_gap ? completeness_gap(e, x, targets, ig_gap, err) : SC_OK;
}
