/* Calls of the saliency-method and metric ops with one shape off by one (see
 * parity_metrics.h): every tensor is an input, so sc_parity_verify checks that neither backend
 * wrote anything, and both must refuse the call with the same status. */
#include "parity_metrics.h"

/* Images (N, C, H, W) and maps (N, 1, H, W): one argument disagrees with x or the map. */
static void run_rejected_images(sc_parity_run *r, const op_case *c) {
    const int64_t xs[4] = {c->n, c->c, c->h, c->w}, ms[4] = {c->n, 1, c->h, c->w};
    const int64_t wide[4] = {c->n, c->c, c->h, c->w + 1}, tall[4] = {c->n, 1, c->h + 1, c->w};
    sc_parity_tensor *x = sc_parity_input(r, "x", 4, xs, -1, 1);
    if (r->failed)
        return;
    if (c->op == SC_OP_AXPBY || c->op == SC_OP_ADD_NOISE || c->op == SC_OP_GAUSSIAN_BLUR) {
        const sc_noise_params noise = {SC_NOISE_UNIFORM, 0.1f, sc_rng_key_make(1, 0, SC_RNG_NOISE)};
        const sc_blur_params blur = {3, 1.0f};
        sc_parity_tensor *y = sc_parity_input(r, "y", 4, wide, -1, 1);
        if (r->failed)
            return;
        if (c->op == SC_OP_AXPBY)
            SC_PARITY_EXPECT_REJECTED(r, be->ops->axpby(be, 1.0f, &x->t[side], 1.0f, &y->t[side]));
        else if (c->op == SC_OP_ADD_NOISE)
            SC_PARITY_EXPECT_REJECTED(r, be->ops->add_noise(be, &noise, &x->t[side], &y->t[side]));
        else
            SC_PARITY_EXPECT_REJECTED(r,
                                      be->ops->gaussian_blur(be, &blur, &x->t[side], &y->t[side]));
    } else if (c->op == SC_OP_GRADCAM) {
        const int64_t gs[4] = {c->n, c->c, c->h + 1, c->w};
        sc_parity_tensor *grad = sc_parity_input(r, "grad", 4, gs, -1, 1);
        sc_parity_tensor *map = sc_parity_input(r, "map", 4, ms, -1, 1);
        if (r->failed)
            return;
        SC_PARITY_EXPECT_REJECTED(r,
                                  be->ops->gradcam(be, &x->t[side], &grad->t[side], &map->t[side]));
    } else if (c->op == SC_OP_RESIZE_BILINEAR) {
        const int64_t os[4] = {c->n, c->c + 1, 8, 8};
        sc_parity_tensor *out = sc_parity_input(r, "out", 4, os, -1, 1);
        if (r->failed)
            return;
        SC_PARITY_EXPECT_REJECTED(r, be->ops->resize_bilinear(be, &x->t[side], &out->t[side]));
    } else if (c->op == SC_OP_RANKED_REPLACE) {
        sc_parity_tensor *ranks = sc_parity_i32(r, "ranks", 4, tall, SC_PARITY_INPUT);
        sc_parity_tensor *out = sc_parity_input(r, "out", 4, xs, -1, 1);
        if (r->failed)
            return;
        SC_PARITY_EXPECT_REJECTED(r, be->ops->ranked_replace(be, 1, 0, &x->t[side], NULL,
                                                             &ranks->t[side], &out->t[side]));
    } else {
        const sc_impute_params p = {3, 0.01f, sc_rng_key_make(1, 0, SC_RNG_METRIC)};
        sc_parity_tensor *mask = sc_parity_input(r, "mask", 4, tall, 0, 1);
        sc_parity_tensor *out = sc_parity_input(r, "out", 4, xs, -1, 1);
        if (r->failed)
            return;
        SC_PARITY_EXPECT_REJECTED(
            r, be->ops->impute_linear(be, &p, &x->t[side], &mask->t[side], &out->t[side]));
    }
}

/* Maps (N, 1, H, W) with per-sample outputs. */
static void run_rejected_maps(sc_parity_run *r, const op_case *c) {
    const int64_t ms[4] = {c->n, 1, c->h, c->w}, wide[4] = {c->n, 1, c->h, c->w + 1};
    const int64_t more[1] = {c->n + 1}, os[2] = {c->n, 2};
    sc_parity_tensor *map = sc_parity_input(r, "map", 4, ms, 0, 1);
    if (r->failed)
        return;
    if (c->op == SC_OP_MAP_SPARSITY) {
        sc_parity_tensor *hoyer = sc_parity_input(r, "hoyer", 1, more, 0, 1);
        if (r->failed)
            return;
        SC_PARITY_EXPECT_REJECTED(r,
                                  be->ops->map_sparsity(be, &map->t[side], &hoyer->t[side], NULL));
    } else if (c->op == SC_OP_RANK_PIXELS) {
        sc_parity_tensor *ranks = sc_parity_i32(r, "ranks", 4, wide, SC_PARITY_INPUT);
        if (r->failed)
            return;
        SC_PARITY_EXPECT_REJECTED(r, be->ops->rank_pixels(be, &map->t[side], &ranks->t[side]));
    } else {
        sc_parity_tensor *mask = sc_parity_input(r, "mask", 4, wide, 0, 1);
        sc_parity_tensor *out = sc_parity_input(r, "out", 2, os, -1, 1);
        if (r->failed)
            return;
        SC_PARITY_EXPECT_REJECTED(
            r, be->ops->masked_sum(be, &map->t[side], &mask->t[side], 0, &out->t[side]));
    }
}

/* Rows (N, M = C*H*W) and logits (N, K = C). */
static void run_rejected_rows(sc_parity_run *r, const op_case *c) {
    const int64_t m = (int64_t)c->c * c->h * c->w;
    const int64_t rs[2] = {c->n, m}, long_rs[2] = {c->n, m + 1}, ls[2] = {c->n, c->c};
    const int64_t ns[1] = {c->n}, more[1] = {c->n + 1}, os[2] = {c->n, 2};
    if (c->op == SC_OP_TARGET_SCORE) {
        sc_parity_tensor *logits = sc_parity_input(r, "logits", 2, ls, -1, 1);
        sc_parity_tensor *targets = sc_parity_i32(r, "targets", 1, more, SC_PARITY_INPUT);
        sc_parity_tensor *out = sc_parity_input(r, "out", 2, os, -1, 1);
        if (r->failed)
            return;
        SC_PARITY_EXPECT_REJECTED(r, be->ops->target_score(be, SC_SCORE_PROB, &logits->t[side],
                                                           &targets->t[side], 0, &out->t[side]));
        return;
    }
    sc_parity_tensor *a = sc_parity_input(r, "a", 2, rs, -1, 1);
    if (r->failed)
        return;
    if (c->op == SC_OP_CURVE_AUC) {
        sc_parity_tensor *auc = sc_parity_input(r, "auc", 1, more, -1, 1);
        if (r->failed)
            return;
        SC_PARITY_EXPECT_REJECTED(r, be->ops->curve_auc(be, &a->t[side], &auc->t[side]));
    } else if (c->op == SC_OP_RANK_ROWS) {
        sc_parity_tensor *out = sc_parity_input(r, "out", 2, long_rs, -1, 1);
        if (r->failed)
            return;
        SC_PARITY_EXPECT_REJECTED(r, be->ops->rank_rows(be, &a->t[side], &out->t[side]));
    } else if (c->op == SC_OP_PEARSON_ROWS) {
        sc_parity_tensor *b = sc_parity_input(r, "b", 2, long_rs, -1, 1);
        sc_parity_tensor *out = sc_parity_input(r, "out", 1, ns, -1, 1);
        if (r->failed)
            return;
        SC_PARITY_EXPECT_REJECTED(
            r, be->ops->pearson_rows(be, &a->t[side], &b->t[side], &out->t[side]));
    } else {
        sc_parity_tensor *b = sc_parity_input(r, "b", 2, rs, -1, 1);
        sc_parity_tensor *out = sc_parity_input(r, "out", 1, more, -1, 1);
        if (r->failed)
            return;
        SC_PARITY_EXPECT_REJECTED(
            r, be->ops->relative_distance(be, &a->t[side], &b->t[side], &out->t[side]));
    }
}

void sc_parity_run_metrics_rejected(sc_parity_run *r, const op_case *c) {
    switch (c->op) {
    case SC_OP_MAP_SPARSITY:
    case SC_OP_RANK_PIXELS:
    case SC_OP_MASKED_SUM:
        run_rejected_maps(r, c);
        break;
    case SC_OP_TARGET_SCORE:
    case SC_OP_CURVE_AUC:
    case SC_OP_RANK_ROWS:
    case SC_OP_PEARSON_ROWS:
    case SC_OP_RELATIVE_DISTANCE:
        run_rejected_rows(r, c);
        break;
    default:
        run_rejected_images(r, c);
        break;
    }
}
