/* Parity case runners of the saliency-method and metric ops (see parity_metrics.h).
 *
 * Limits: what the CUDA backend computes element by element in the CPU's order must match bit
 * for bit: axpby, add_noise (Philox draws), ranked_replace, resize_bilinear, gaussian_blur
 * (the CPU's float weights and tap order), impute_linear (the same Jacobi sweeps and noise),
 * rank_pixels and rank_rows (the same sort keys), target_score's logit and correctness, and
 * curve_auc (one thread per row sums in the CPU's order). Sums in another order get a small
 * limit (gradcam's channel weights, map_sparsity, pearson_rows, masked_sum,
 * relative_distance), and target_score's probability goes through another libm's expf. */
#include "parity_metrics.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "host/core/rng.h"

#define EXACT 0.0
#define REDUCTION_LIMIT 1e-6 /* sums in another order */
#define LIBM_LIMIT 1e-5      /* expf of two libms, as softmax_xent */

/* ---- inputs shaped for a case ---------------------------------------------------------- */

/* Rewrites count values, per_sample to a sample (or row), with the case's pattern flags:
 * TIES quarter steps; CONSTANT 0.25 everywhere; ONE_HOT one 1 per sample, 0 elsewhere; ZERO
 * all zero (-0 at odd indices with SIGNED); SOME_ZERO every other sample zero; NAN a few NaN
 * of either sign in the even samples (the odd ones stay clean). */
static void apply_pattern(float *v, int64_t count, int64_t per_sample, int flags) {
    for (int64_t i = 0; i < count; i++) {
        const int64_t s = i / per_sample, j = i % per_sample;
        if (flags & FLAG_TIES)
            v[i] = floorf(v[i] * 4.0f) / 4.0f;
        if (flags & FLAG_CONSTANT)
            v[i] = 0.25f;
        if (flags & FLAG_ONE_HOT)
            v[i] = j == (s * 7919) % per_sample ? 1.0f : 0.0f;
        if (flags & FLAG_ZERO)
            v[i] = (flags & FLAG_SIGNED) && i % 2 ? -0.0f : 0.0f;
        if ((flags & FLAG_SOME_ZERO) && s % 2 == 1)
            v[i] = 0.0f;
        if ((flags & FLAG_NAN) && s % 2 == 0 && i % 97 == 3)
            v[i] = (i / 97) % 2 ? NAN : -NAN;
    }
}

/* An F32 tensor uniform in [0, 1) ([-1, 1) with FLAG_SIGNED), rewritten with `flags`'
 * patterns per sample of per_sample values, uploaded. */
static sc_parity_tensor *pattern_tensor(sc_parity_run *r, const char *name, int ndim,
                                        const int64_t *shape, sc_parity_role role, double limit,
                                        int64_t per_sample, int flags) {
    sc_parity_tensor *t = sc_parity_tensor_new(r, name, SC_F32, ndim, shape, role, limit,
                                               (flags & FLAG_SIGNED) ? -1.0f : 0.0f, 1.0f);
    if (r->failed)
        return t;
    apply_pattern(sc_parity_values(t), t->n, per_sample, flags);
    sc_parity_upload(r, t);
    return t;
}

/* The case's map (N, 1, H, W) as an input. */
static sc_parity_tensor *map_input(sc_parity_run *r, const op_case *c) {
    const int64_t ms[4] = {c->n, 1, c->h, c->w};
    return pattern_tensor(r, "map", 4, ms, SC_PARITY_INPUT, EXACT, (int64_t)c->h * c->w, c->flags);
}

/* A mask (N, 1, H, W): about 45 % zeros, the rest 1 or (masked_sum) 0.5, which also counts as
 * inside; all ones with FLAG_CONSTANT, all zeros with FLAG_ZERO. */
static sc_parity_tensor *mask_input(sc_parity_run *r, const op_case *c, int halves) {
    const int64_t ms[4] = {c->n, 1, c->h, c->w};
    sc_parity_tensor *mask = sc_parity_input(r, "mask", 4, ms, 0.0f, 1.0f);
    if (r->failed)
        return mask;
    float *v = sc_parity_values(mask);
    for (int64_t i = 0; i < mask->n; i++) {
        const float u = v[i];
        v[i] = u < 0.45f ? 0.0f : (halves && u >= 0.75f ? 0.5f : 1.0f);
        if (c->flags & FLAG_CONSTANT)
            v[i] = 1.0f;
        if (c->flags & FLAG_ZERO)
            v[i] = 0.0f;
    }
    sc_parity_upload(r, mask);
    return mask;
}

/* An image batch (N, C, H, W) in [-1.9, 2); with FLAG_CONSTANT every image holds one value. */
static sc_parity_tensor *image(sc_parity_run *r, const char *name, const op_case *c,
                               sc_parity_role role) {
    const int64_t xs[4] = {c->n, c->c, c->h, c->w};
    sc_parity_tensor *x = sc_parity_tensor_new(r, name, SC_F32, 4, xs, role, EXACT, -1.9f, 2.0f);
    if (r->failed || !(c->flags & FLAG_CONSTANT))
        return x;
    float *v = sc_parity_values(x);
    const int64_t per_sample = (int64_t)c->c * c->h * c->w;
    for (int64_t i = 0; i < x->n; i++)
        v[i] = 0.125f * (float)((i / per_sample) % 7) - 0.5f;
    sc_parity_upload(r, x);
    return x;
}

/* Ranks (N, 1, H, W) int32: a random permutation of 0 .. H*W - 1 per sample, uploaded. */
static sc_parity_tensor *rank_input(sc_parity_run *r, const op_case *c) {
    const int64_t ms[4] = {c->n, 1, c->h, c->w}, hw = (int64_t)c->h * c->w;
    sc_parity_tensor *ranks = sc_parity_i32(r, "ranks", 4, ms, SC_PARITY_INPUT);
    if (r->failed)
        return ranks;
    const sc_rng_key key = sc_rng_key_make(r->seed++, 2, SC_RNG_TEST);
    for (int64_t s = 0; s < c->n; s++) {
        uint32_t *p = ranks->init + s * hw; /* Fisher-Yates */
        for (int64_t j = 0; j < hw; j++)
            p[j] = (uint32_t)j;
        for (int64_t j = hw - 1; j > 0; j--) {
            const int64_t k = sc_rng_below(key, (uint64_t)(s * hw + j), (uint32_t)(j + 1));
            const uint32_t swap = p[j];
            p[j] = p[k];
            p[k] = swap;
        }
    }
    sc_parity_upload(r, ranks);
    return ranks;
}

/* Uniform targets in [0, classes) (N) int32, uploaded. */
static sc_parity_tensor *target_input(sc_parity_run *r, int64_t n, int classes) {
    const int64_t ns[1] = {n};
    sc_parity_tensor *targets = sc_parity_i32(r, "targets", 1, ns, SC_PARITY_INPUT);
    if (r->failed)
        return targets;
    const sc_rng_key key = sc_rng_key_make(r->seed++, 1, SC_RNG_TEST);
    for (int64_t i = 0; i < n; i++)
        targets->init[i] = sc_rng_below(key, (uint64_t)i, (uint32_t)classes);
    sc_parity_upload(r, targets);
    return targets;
}

/* ---- blends ------------------------------------------------------------------------------- */

static void run_axpby(sc_parity_run *r, const op_case *c) {
    const int64_t xs[4] = {c->n, c->c, c->h, c->w};
    const int in_place = (c->flags & FLAG_IN_PLACE) != 0;
    sc_parity_tensor *x = in_place ? sc_parity_output(r, "y", 4, xs, EXACT, -1, 1)
                                   : sc_parity_input(r, "x", 4, xs, -1, 1);
    sc_parity_tensor *y = in_place ? x : sc_parity_output(r, "y", 4, xs, EXACT, -1, 1);
    if (r->failed)
        return;
    if (c->flags & FLAG_NAN) { /* beta 0 must not read y */
        float *yv = sc_parity_values(y);
        for (int64_t i = 0; i < y->n; i++)
            yv[i] = NAN;
        sc_parity_upload(r, y);
        if (r->failed)
            return;
    }
    SC_PARITY_ON_BOTH(r, be->ops->axpby(be, 0.75f, &x->t[side], c->param, &y->t[side]));
}

static void run_add_noise(sc_parity_run *r, const op_case *c) {
    const sc_noise_params p = {(sc_noise_kind)c->kind, c->param,
                               sc_rng_key_make(0x4015Eull + (uint64_t)c->n, 9, SC_RNG_NOISE)};
    sc_parity_tensor *x = image(r, "x", c, SC_PARITY_INPUT);
    sc_parity_tensor *out = image(r, "out", c, SC_PARITY_OUTPUT);
    if (r->failed)
        return;
    SC_PARITY_ON_BOTH(r, be->ops->add_noise(be, &p, &x->t[side], &out->t[side]));
}

static void run_ranked_replace(sc_parity_run *r, const op_case *c) {
    const int64_t xs[4] = {c->n, c->c, c->h, c->w};
    const int64_t count = (int64_t)((double)c->param * c->h * c->w);
    const int in_place = (c->flags & FLAG_IN_PLACE) != 0;
    sc_parity_tensor *x = image(r, "x", c, in_place ? SC_PARITY_OUTPUT : SC_PARITY_INPUT);
    sc_parity_tensor *alt =
        (c->flags & FLAG_NO_ALT) ? NULL : sc_parity_input(r, "alt", 4, xs, -5.0f, -4.0f);
    sc_parity_tensor *ranks = rank_input(r, c);
    sc_parity_tensor *out = in_place ? x : sc_parity_output(r, "out", 4, xs, EXACT, 7.0f, 8.0f);
    if (r->failed)
        return;
    SC_PARITY_ON_BOTH(r, be->ops->ranked_replace(be, count, c->kind, &x->t[side],
                                                 alt ? &alt->t[side] : NULL, &ranks->t[side],
                                                 &out->t[side]));
}

/* ---- maps ------------------------------------------------------------------------------- */

static void run_gradcam(sc_parity_run *r, const op_case *c) {
    const int64_t as[4] = {c->n, c->c, c->h, c->w}, ms[4] = {c->n, 1, c->h, c->w};
    /* signed activations: the weighted sum changes sign from pixel to pixel, so every map has
     * pixels on both sides of the ReLU */
    sc_parity_tensor *act = sc_parity_input(r, "act", 4, as, -1.0f, 1.0f);
    sc_parity_tensor *grad = sc_parity_input(r, "grad", 4, as, -1.0f, 1.0f);
    sc_parity_tensor *map = sc_parity_output(r, "map", 4, ms, REDUCTION_LIMIT, -1, 1);
    if (r->failed)
        return;
    SC_PARITY_ON_BOTH(r, be->ops->gradcam(be, &act->t[side], &grad->t[side], &map->t[side]));
}

static void run_resize_bilinear(sc_parity_run *r, const op_case *c) {
    const int64_t is[4] = {c->n, c->c, c->h, c->w}, os[4] = {c->n, c->c, c->k, c->r};
    sc_parity_tensor *in = sc_parity_input(r, "in", 4, is, -1, 1);
    sc_parity_tensor *out = sc_parity_output(r, "out", 4, os, EXACT, -1, 1);
    if (r->failed)
        return;
    SC_PARITY_ON_BOTH(r, be->ops->resize_bilinear(be, &in->t[side], &out->t[side]));
}

static void run_map_sparsity(sc_parity_run *r, const op_case *c) {
    const int64_t ns[1] = {c->n};
    sc_parity_tensor *map = map_input(r, c);
    sc_parity_tensor *hoyer = (c->flags & FLAG_NO_HOYER)
                                  ? NULL
                                  : sc_parity_output(r, "hoyer", 1, ns, REDUCTION_LIMIT, 2, 3);
    sc_parity_tensor *entropy = (c->flags & FLAG_NO_ENTROPY)
                                    ? NULL
                                    : sc_parity_output(r, "entropy", 1, ns, REDUCTION_LIMIT, 2, 3);
    if (r->failed)
        return;
    if (hoyer) /* a degenerate map (or a single pixel's Hoyer) is NaN */
        hoyer->nan_expected = 1;
    if (entropy)
        entropy->nan_expected = 1;
    SC_PARITY_ON_BOTH(r, be->ops->map_sparsity(be, &map->t[side], hoyer ? &hoyer->t[side] : NULL,
                                               entropy ? &entropy->t[side] : NULL));
}

static void run_rank_pixels(sc_parity_run *r, const op_case *c) {
    const int64_t ms[4] = {c->n, 1, c->h, c->w};
    sc_parity_tensor *map = map_input(r, c);
    sc_parity_tensor *ranks = sc_parity_i32(r, "ranks", 4, ms, SC_PARITY_OUTPUT);
    if (r->failed)
        return;
    for (int64_t i = 0; i < ranks->n; i++)
        ranks->init[i] = UINT32_MAX; /* -1: a rank left unwritten shows */
    sc_parity_upload(r, ranks);
    if (r->failed)
        return;
    SC_PARITY_ON_BOTH(r, be->ops->rank_pixels(be, &map->t[side], &ranks->t[side]));
}

static void run_gaussian_blur(sc_parity_run *r, const op_case *c) {
    const sc_blur_params p = {c->k, c->param};
    sc_parity_tensor *x = image(r, "x", c, SC_PARITY_INPUT);
    sc_parity_tensor *out = image(r, "out", c, SC_PARITY_OUTPUT);
    if (r->failed)
        return;
    SC_PARITY_ON_BOTH(r, be->ops->gaussian_blur(be, &p, &x->t[side], &out->t[side]));
}

/* ---- scores and rows -------------------------------------------------------------------- */

static void run_target_score(sc_parity_run *r, const op_case *c) {
    const int64_t ls[2] = {c->n, c->c}, os[2] = {c->n, c->k};
    const double limit = c->kind == SC_SCORE_PROB ? LIBM_LIMIT : EXACT;
    sc_parity_tensor *logits = sc_parity_input(r, "logits", 2, ls, -4, 4);
    sc_parity_tensor *targets = target_input(r, c->n, c->c);
    sc_parity_tensor *out = sc_parity_output(r, "out", 2, os, limit, -1, 1);
    if (r->failed)
        return;
    if (c->flags & FLAG_TIES) { /* rows full of tied maxima */
        float *lv = sc_parity_values(logits);
        for (int64_t i = 0; i < logits->n; i++)
            lv[i] = lv[i] < 0.0f ? 0.0f : 1.0f;
        sc_parity_upload(r, logits);
        if (r->failed)
            return;
    }
    SC_PARITY_ON_BOTH(r, be->ops->target_score(be, (sc_score_kind)c->kind, &logits->t[side],
                                               &targets->t[side], c->r, &out->t[side]));
}

static void run_curve_auc(sc_parity_run *r, const op_case *c) {
    const int64_t cs[2] = {c->n, c->c}, ns[1] = {c->n};
    sc_parity_tensor *curves =
        pattern_tensor(r, "curves", 2, cs, SC_PARITY_INPUT, EXACT, c->c, c->flags);
    sc_parity_tensor *auc = sc_parity_output(r, "auc", 1, ns, EXACT, 2, 3);
    if (r->failed)
        return;
    SC_PARITY_ON_BOTH(r, be->ops->curve_auc(be, &curves->t[side], &auc->t[side]));
}

static void run_rank_rows(sc_parity_run *r, const op_case *c) {
    const int64_t rs[2] = {c->n, c->c};
    sc_parity_tensor *in = pattern_tensor(r, "in", 2, rs, SC_PARITY_INPUT, EXACT, c->c, c->flags);
    sc_parity_tensor *out = sc_parity_output(r, "out", 2, rs, EXACT, -1, 1);
    if (r->failed)
        return;
    out->nan_expected = 1; /* a row holding a NaN */
    SC_PARITY_ON_BOTH(r, be->ops->rank_rows(be, &in->t[side], &out->t[side]));
}

/* pearson_rows: a and b with the case's patterns, except that FLAG_CONSTANT makes a constant
 * in rows 1, 4, ... and b in rows 2, 5, ... (NaN there, rows 0, 3, ... clean), FLAG_NAN puts
 * its NaN into a only, and kind 1 makes b = 0.5 a + 0.5 noise. */
static void run_pearson_rows(sc_parity_run *r, const op_case *c) {
    const int64_t rs[2] = {c->n, c->c}, ns[1] = {c->n};
    const int flags = c->flags & ~FLAG_CONSTANT;
    sc_parity_tensor *a = pattern_tensor(r, "a", 2, rs, SC_PARITY_INPUT, EXACT, c->c, flags);
    sc_parity_tensor *b =
        pattern_tensor(r, "b", 2, rs, SC_PARITY_INPUT, EXACT, c->c, flags & ~FLAG_NAN);
    sc_parity_tensor *out = sc_parity_output(r, "out", 1, ns, REDUCTION_LIMIT, 2, 3);
    if (r->failed)
        return;
    out->nan_expected = 1; /* constant rows and rows holding a NaN */
    float *av = sc_parity_values(a), *bv = sc_parity_values(b);
    for (int64_t i = 0; i < a->n; i++) {
        const int64_t row = i / c->c;
        if (c->kind == 1)
            bv[i] = 0.5f * av[i] + 0.5f * bv[i];
        if ((c->flags & FLAG_CONSTANT) && row % 3 == 1)
            av[i] = 0.25f;
        if ((c->flags & FLAG_CONSTANT) && row % 3 == 2)
            bv[i] = -0.5f;
    }
    sc_parity_upload(r, a);
    sc_parity_upload(r, b);
    if (r->failed)
        return;
    SC_PARITY_ON_BOTH(r, be->ops->pearson_rows(be, &a->t[side], &b->t[side], &out->t[side]));
}

static void run_masked_sum(sc_parity_run *r, const op_case *c) {
    const int64_t os[2] = {c->n, c->k};
    sc_parity_tensor *map = map_input(r, c);
    sc_parity_tensor *mask = (c->flags & FLAG_NO_MASK) ? NULL : mask_input(r, c, 1);
    sc_parity_tensor *out = sc_parity_output(r, "out", 2, os, REDUCTION_LIMIT, -1, 1);
    if (r->failed)
        return;
    SC_PARITY_ON_BOTH(r, be->ops->masked_sum(be, &map->t[side], mask ? &mask->t[side] : NULL, c->r,
                                             &out->t[side]));
}

/* relative_distance: FLAG_SOME_ZERO makes b zero in every other sample (NaN there),
 * FLAG_CONSTANT makes a = b (0). */
static void run_relative_distance(sc_parity_run *r, const op_case *c) {
    const int64_t xs[4] = {c->n, c->c, c->h, c->w}, ns[1] = {c->n};
    const int ndim = c->kind == 1 ? 2 : 4;
    sc_parity_tensor *a = sc_parity_input(r, "a", ndim, xs, -1, 1);
    sc_parity_tensor *b = sc_parity_input(r, "b", ndim, xs, -1, 1);
    sc_parity_tensor *out = sc_parity_output(r, "out", 1, ns, REDUCTION_LIMIT, 2, 3);
    if (r->failed)
        return;
    out->nan_expected = 1;
    if (c->flags & FLAG_CONSTANT)
        memcpy(b->init, a->init, (size_t)a->n * sizeof *a->init);
    apply_pattern(sc_parity_values(b), b->n, b->n / c->n, c->flags & FLAG_SOME_ZERO);
    sc_parity_upload(r, b);
    if (r->failed)
        return;
    SC_PARITY_ON_BOTH(r, be->ops->relative_distance(be, &a->t[side], &b->t[side], &out->t[side]));
}

/* impute_linear: about half the pixels masked; every pixel with FLAG_CONSTANT, none with
 * FLAG_ZERO. */
static void run_impute_linear(sc_parity_run *r, const op_case *c) {
    const sc_impute_params p = {c->k, c->param,
                                sc_rng_key_make(0x20ADull + (uint64_t)c->n, 5, SC_RNG_METRIC)};
    op_case plain = *c;
    plain.flags = 0; /* the flags shape the mask, not the image */
    sc_parity_tensor *x = image(r, "x", &plain, SC_PARITY_INPUT);
    sc_parity_tensor *mask = mask_input(r, c, 0);
    sc_parity_tensor *out = image(r, "out", &plain, SC_PARITY_OUTPUT);
    if (r->failed)
        return;
    SC_PARITY_ON_BOTH(r,
                      be->ops->impute_linear(be, &p, &x->t[side], &mask->t[side], &out->t[side]));
}

void sc_parity_run_metrics(sc_parity_run *r, const op_case *c) {
    if (c->flags & FLAG_REJECTED) {
        sc_parity_run_metrics_rejected(r, c);
        return;
    }
    switch (c->op) {
    case SC_OP_AXPBY:
        run_axpby(r, c);
        break;
    case SC_OP_ADD_NOISE:
        run_add_noise(r, c);
        break;
    case SC_OP_RANKED_REPLACE:
        run_ranked_replace(r, c);
        break;
    case SC_OP_GRADCAM:
        run_gradcam(r, c);
        break;
    case SC_OP_RESIZE_BILINEAR:
        run_resize_bilinear(r, c);
        break;
    case SC_OP_MAP_SPARSITY:
        run_map_sparsity(r, c);
        break;
    case SC_OP_RANK_PIXELS:
        run_rank_pixels(r, c);
        break;
    case SC_OP_GAUSSIAN_BLUR:
        run_gaussian_blur(r, c);
        break;
    case SC_OP_TARGET_SCORE:
        run_target_score(r, c);
        break;
    case SC_OP_CURVE_AUC:
        run_curve_auc(r, c);
        break;
    case SC_OP_RANK_ROWS:
        run_rank_rows(r, c);
        break;
    case SC_OP_PEARSON_ROWS:
        run_pearson_rows(r, c);
        break;
    case SC_OP_MASKED_SUM:
        run_masked_sum(r, c);
        break;
    case SC_OP_RELATIVE_DISTANCE:
        run_relative_distance(r, c);
        break;
    case SC_OP_IMPUTE_LINEAR:
        run_impute_linear(r, c);
        break;
    default:
        sc_parity_fail(r, "test bug: no case runner for op %d", (int)c->op);
        break;
    }
}
