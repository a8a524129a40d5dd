/* Parity case runners of the saliency-guided training ops (see parity_saliency.h).
 *
 * Limits: the ops that select, fill, draw or step element by element must match bit for bit
 * (mask_select with its stats, mask_fill, perturb_init, perturb_step's xadv, onehot, argmax,
 * perturb_budget for gamma 0, 1, 2, and saliency_reduce, whose channel loop runs in the CPU's
 * order on both sides without FMA, so the maps a mask is selected from agree exactly).
 * image_stats is exact too: the harness's inputs (lo + (hi - lo) * u, u a multiple of 2^-24)
 * are multiples of 2^-24 below 2 in magnitude, so the mean's double sum of at most 2^16 of them
 * is exact in any order. Sums in another order or another libm get a small limit: map_gini,
 * perturb_step's stats, perturb_budget through powf, kl_div through expf/logf. */
#include "parity_saliency.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "host/core/rng.h"

#define EXACT           0.0
#define REDUCTION_LIMIT 1e-6 /* sums in another order */
#define POW_LIMIT       1e-6 /* powf of two libms: a few ulp */
#define LIBM_LIMIT      1e-5 /* expf / logf of two libms, as softmax_xent */

#define EPS_PIXELS (8.0f / 255.0f) /* SCAAT's default budget in pixel units */

int sc_parity_saliency_op(sc_op op) { return op >= SC_OP_SALIENCY_REDUCE && op <= SC_OP_ARGMAX; }

/* ---- inputs shaped for a case ---------------------------------------------------------- */

/* A saliency map (N, 1, H, W) in [0, 1) ([-1, 1) with FLAG_SIGNED), rewritten per the case's
 * pattern flags and uploaded. */
static sc_parity_tensor *map_input(sc_parity_run *r, const op_case *c) {
    const int64_t ms[4] = {c->n, 1, c->h, c->w};
    sc_parity_tensor *map =
        sc_parity_input(r, "map", 4, ms, (c->flags & FLAG_SIGNED) ? -1.0f : 0.0f, 1.0f);
    if (r->failed)
        return map;
    float *v = sc_parity_values(map);
    const int64_t hw = (int64_t)c->h * c->w;
    for (int64_t i = 0; i < map->n; i++) {
        if (c->flags & FLAG_TIES)
            v[i] = v[i] < 0.5f ? 0.0f : 1.0f;
        if (c->flags & FLAG_CONSTANT)
            v[i] = 0.25f;
        if ((c->flags & FLAG_ZERO) || ((c->flags & FLAG_SOME_ZERO) && (i / hw) % 2 == 1))
            v[i] = 0.0f;
        if ((c->flags & FLAG_NAN) && i % 97 == 3)
            v[i] = (i / 97) % 2 ? NAN : -NAN;
    }
    sc_parity_upload(r, map);
    return map;
}

/* A mask (N, 1, H, W) from {0, 1}, about half inside M, uploaded. */
static sc_parity_tensor *mask_input(sc_parity_run *r, const op_case *c) {
    const int64_t ms[4] = {c->n, 1, c->h, c->w};
    sc_parity_tensor *mask = sc_parity_input(r, "mask", 4, ms, 0.0f, 1.0f);
    if (r->failed)
        return mask;
    float *v = sc_parity_values(mask);
    for (int64_t i = 0; i < mask->n; i++)
        v[i] = v[i] < 0.5f ? 0.0f : 1.0f;
    sc_parity_upload(r, mask);
    return mask;
}

/* A budget map (N, 1, H, W) in [0, eps) pixel units, zero at every fourth pixel (outside M),
 * uploaded. */
static sc_parity_tensor *budget_input(sc_parity_run *r, const op_case *c) {
    const int64_t ms[4] = {c->n, 1, c->h, c->w};
    sc_parity_tensor *budget = sc_parity_input(r, "budget", 4, ms, 0.0f, EPS_PIXELS);
    if (r->failed)
        return budget;
    float *v = sc_parity_values(budget);
    for (int64_t i = 0; i < budget->n; i += 4)
        v[i] = 0.0f;
    sc_parity_upload(r, budget);
    return budget;
}

/* An image batch (N, C, H, W) of normalised values in [-1.9, 2); with FLAG_CONSTANT every
 * plane holds one value. */
static sc_parity_tensor *image(sc_parity_run *r, const char *name, const op_case *c,
                               sc_parity_role role) {
    const int64_t xs[4] = {c->n, c->c, c->h, c->w};
    sc_parity_tensor *x = sc_parity_tensor_new(r, name, SC_F32, 4, xs, role, EXACT, -1.9f, 2.0f);
    if (r->failed || !(c->flags & FLAG_CONSTANT))
        return x;
    float *v = sc_parity_values(x);
    const int64_t hw = (int64_t)c->h * c->w;
    for (int64_t i = 0; i < x->n; i++)
        v[i] = 0.125f * (float)((i / hw) % 7) - 0.5f;
    sc_parity_upload(r, x);
    return x;
}

/* The (N, C, 3) min / max / mean table of image x, as image_stats computes it. */
static void host_image_stats(const float *x, int64_t planes, int64_t hw, float *out) {
    for (int64_t plane = 0; plane < planes; plane++) {
        const float *v = x + plane * hw;
        float lo = v[0], hi = v[0];
        double sum = 0.0;
        for (int64_t i = 0; i < hw; i++) {
            lo = fminf(lo, v[i]);
            hi = fmaxf(hi, v[i]);
            sum += (double)v[i];
        }
        out[plane * 3 + 0] = lo;
        out[plane * 3 + 1] = hi;
        out[plane * 3 + 2] = (float)(sum / (double)hw);
    }
}

/* SCAAT's parameters for MNIST (1 channel) or CIFAR-10 (3) normalisation: eps 8/255, one step
 * of 2.5 budgets, the valid range of channel c the normalised images of pixels 0 and 1. */
static sc_perturb_params perturb_params(int channels, uint64_t seed) {
    static const float mnist_mean[1] = {0.1307f}, mnist_std[1] = {0.3081f};
    static const float cifar_mean[3] = {0.4914f, 0.4822f, 0.4465f};
    static const float cifar_std[3] = {0.2470f, 0.2435f, 0.2616f};
    const float *mean = channels == 1 ? mnist_mean : cifar_mean;
    const float *std = channels == 1 ? mnist_std : cifar_std;
    sc_perturb_params p;
    memset(&p, 0, sizeof p);
    p.eps = EPS_PIXELS;
    p.step_size = 2.5f;
    p.channels = channels;
    for (int ch = 0; ch < channels; ch++) {
        p.std[ch] = std[ch];
        p.lo[ch] = (0.0f - mean[ch]) / std[ch];
        p.hi[ch] = (1.0f - mean[ch]) / std[ch];
    }
    p.key = sc_rng_key_make(seed, 3, SC_RNG_DELTA);
    return p;
}

/* ---- the ops ------------------------------------------------------------------------------ */

static void run_saliency_reduce(sc_parity_run *r, const op_case *c) {
    const sc_saliency_params p = {(sc_reduce_kind)c->kind};
    const int64_t xs[4] = {c->n, c->c, c->h, c->w}, ms[4] = {c->n, 1, c->h, c->w};
    sc_parity_tensor *g = sc_parity_input(r, "g", 4, xs, -1, 1);
    sc_parity_tensor *x = (c->flags & FLAG_INPUT_X) ? sc_parity_input(r, "x", 4, xs, -2, 2) : NULL;
    sc_parity_tensor *map = sc_parity_output(r, "map", 4, ms, EXACT, -1, 1);
    if (r->failed)
        return;
    SC_PARITY_ON_BOTH(
        r, be->ops->saliency_reduce(be, &p, &g->t[side], x ? &x->t[side] : NULL, &map->t[side]));
}

static void run_mask_select(sc_parity_run *r, const op_case *c) {
    const sc_mask_params p = {(sc_mask_kind)c->kind, c->param, c->tau, c->k_min, c->k_max};
    const int64_t ms[4] = {c->n, 1, c->h, c->w}, ss[1] = {1};
    sc_parity_tensor *map = map_input(r, c);
    /* starts outside {0, 1}, so a pixel left unwritten shows */
    sc_parity_tensor *mask = sc_parity_output(r, "mask", 4, ms, EXACT, 2, 3);
    sc_parity_tensor *stats =
        (c->flags & FLAG_NO_STATS) ? NULL : sc_parity_output(r, "stats", 1, ss, EXACT, 1, 3);
    if (r->failed)
        return;
    SC_PARITY_ON_BOTH(r, be->ops->mask_select(be, &p, &map->t[side], &mask->t[side],
                                              stats ? &stats->t[side] : NULL));
}

static void run_image_stats(sc_parity_run *r, const op_case *c) {
    const int64_t os[3] = {c->n, c->c, 3};
    sc_parity_tensor *x = image(r, "x", c, SC_PARITY_INPUT);
    sc_parity_tensor *out = sc_parity_output(r, "out", 3, os, EXACT, -1, 1);
    if (r->failed)
        return;
    SC_PARITY_ON_BOTH(r, be->ops->image_stats(be, &x->t[side], &out->t[side]));
}

static void run_mask_fill(sc_parity_run *r, const op_case *c) {
    const sc_fill_params p = {(sc_fill_kind)c->kind,
                              sc_rng_key_make(0x5C77ull + (uint64_t)c->n, 11, SC_RNG_FILL)};
    const int64_t ts[3] = {c->n, c->c, 3};
    const int in_place = (c->flags & FLAG_IN_PLACE) != 0;
    sc_parity_tensor *x = image(r, "x", c, in_place ? SC_PARITY_OUTPUT : SC_PARITY_INPUT);
    sc_parity_tensor *mask = mask_input(r, c);
    sc_parity_tensor *table = sc_parity_input(r, "image_stats", 3, ts, 0, 0);
    sc_parity_tensor *out = in_place ? x : image(r, "out", c, SC_PARITY_OUTPUT);
    if (r->failed)
        return;
    host_image_stats(sc_parity_values(x), (int64_t)c->n * c->c, (int64_t)c->h * c->w,
                     sc_parity_values(table));
    sc_parity_upload(r, table);
    if (r->failed)
        return;
    SC_PARITY_ON_BOTH(
        r, be->ops->mask_fill(be, &p, &x->t[side], &mask->t[side], &table->t[side], &out->t[side]));
}

static void run_perturb_budget(sc_parity_run *r, const op_case *c) {
    const sc_budget_params p = {EPS_PIXELS, c->param};
    const int64_t ms[4] = {c->n, 1, c->h, c->w};
    const int exact = c->param == 0.0f || c->param == 1.0f || c->param == 2.0f;
    sc_parity_tensor *map = map_input(r, c);
    sc_parity_tensor *mask = (c->flags & FLAG_NO_MASK) ? NULL : mask_input(r, c);
    sc_parity_tensor *budget =
        sc_parity_output(r, "budget", 4, ms, exact ? EXACT : POW_LIMIT, -1, 1);
    if (r->failed)
        return;
    SC_PARITY_ON_BOTH(r, be->ops->perturb_budget(be, &p, &map->t[side],
                                                 mask ? &mask->t[side] : NULL, &budget->t[side]));
}

static void run_perturb_init(sc_parity_run *r, const op_case *c) {
    const sc_perturb_params p = perturb_params(c->c, 0xDE17Aull + (uint64_t)c->n);
    sc_parity_tensor *x = image(r, "x", c, SC_PARITY_INPUT);
    sc_parity_tensor *budget = (c->flags & FLAG_NO_BUDGET) ? NULL : budget_input(r, c);
    sc_parity_tensor *xadv = image(r, "xadv", c, SC_PARITY_OUTPUT);
    if (r->failed)
        return;
    SC_PARITY_ON_BOTH(r, be->ops->perturb_init(be, &p, &x->t[side],
                                               budget ? &budget->t[side] : NULL, &xadv->t[side]));
}

static void run_perturb_step(sc_parity_run *r, const op_case *c) {
    const sc_perturb_params p = perturb_params(c->c, 0);
    const int64_t xs[4] = {c->n, c->c, c->h, c->w}, ss[1] = {1};
    sc_parity_tensor *x = image(r, "x", c, SC_PARITY_INPUT);
    sc_parity_tensor *g = sc_parity_input(r, "g", 4, xs, -1, 1);
    sc_parity_tensor *budget = (c->flags & FLAG_NO_BUDGET) ? NULL : budget_input(r, c);
    /* a previous iterate: x plus up to 0.05, beyond the budget where that is 0 */
    sc_parity_tensor *xadv = sc_parity_output(r, "xadv", 4, xs, EXACT, -0.05f, 0.05f);
    sc_parity_tensor *stats = (c->flags & FLAG_NO_STATS)
                                  ? NULL
                                  : sc_parity_output(r, "stats", 1, ss, REDUCTION_LIMIT, 1, 3);
    if (r->failed)
        return;
    float *gv = sc_parity_values(g), *xadv_v = sc_parity_values(xadv);
    const float *xv = sc_parity_values(x);
    for (int64_t i = 0; i < g->n; i++) {
        if (i % 7 == 0)
            gv[i] = 0.0f; /* sign(0) = 0: no step */
        xadv_v[i] = xv[i] + xadv_v[i];
    }
    sc_parity_upload(r, g);
    sc_parity_upload(r, xadv);
    if (r->failed)
        return;
    SC_PARITY_ON_BOTH(r, be->ops->perturb_step(be, &p, &x->t[side], &g->t[side],
                                               budget ? &budget->t[side] : NULL, &xadv->t[side],
                                               stats ? &stats->t[side] : NULL));
}

static void run_kl_div(sc_parity_run *r, const op_case *c) {
    const sc_kl_params p = {0.75f, c->accumulate};
    const int64_t ls[2] = {c->n, c->c}, ss[1] = {1};
    sc_parity_tensor *pl = sc_parity_input(r, "p_logits", 2, ls, -4, 4);
    sc_parity_tensor *ql = sc_parity_input(r, "q_logits", 2, ls, -4, 4);
    sc_parity_tensor *dp =
        (c->flags & FLAG_NO_DP) ? NULL : sc_parity_output(r, "dp", 2, ls, LIBM_LIMIT, -1, 1);
    sc_parity_tensor *dq =
        (c->flags & FLAG_NO_DQ) ? NULL : sc_parity_output(r, "dq", 2, ls, LIBM_LIMIT, -1, 1);
    sc_parity_tensor *stats =
        (c->flags & FLAG_NO_STATS) ? NULL : sc_parity_output(r, "stats", 1, ss, LIBM_LIMIT, 1, 3);
    if (r->failed)
        return;
    if (c->flags & FLAG_CONSTANT) { /* identical distributions: KL and gradients 0 */
        memcpy(ql->init, pl->init, (size_t)pl->n * sizeof *pl->init);
        sc_parity_upload(r, ql);
        if (r->failed)
            return;
    }
    SC_PARITY_ON_BOTH(r,
                      be->ops->kl_div(be, &p, &pl->t[side], &ql->t[side], dp ? &dp->t[side] : NULL,
                                      dq ? &dq->t[side] : NULL, stats ? &stats->t[side] : NULL));
}

static void run_map_gini(sc_parity_run *r, const op_case *c) {
    const int64_t ns[1] = {c->n}, ss[1] = {2};
    sc_parity_tensor *map = map_input(r, c);
    sc_parity_tensor *gini = (c->flags & FLAG_NO_GINI)
                                 ? NULL
                                 : sc_parity_output(r, "gini", 1, ns, REDUCTION_LIMIT, 2, 3);
    sc_parity_tensor *stats = (c->flags & FLAG_NO_STATS)
                                  ? NULL
                                  : sc_parity_output(r, "stats", 1, ss, REDUCTION_LIMIT, 1, 3);
    if (r->failed)
        return;
    if (gini)
        gini->nan_expected = 1; /* a degenerate map's Gini is NaN */
    SC_PARITY_ON_BOTH(r, be->ops->map_gini(be, &map->t[side], gini ? &gini->t[side] : NULL,
                                           stats ? &stats->t[side] : NULL));
}

static void run_onehot(sc_parity_run *r, const op_case *c) {
    const int64_t ns[1] = {c->n}, os[2] = {c->n, c->c};
    sc_parity_tensor *targets = sc_parity_i32(r, "targets", 1, ns, SC_PARITY_INPUT);
    sc_parity_tensor *out = sc_parity_output(r, "out", 2, os, EXACT, -1, 1);
    if (r->failed)
        return;
    const sc_rng_key key = sc_rng_key_make(r->seed++, 1, SC_RNG_TEST);
    for (int64_t i = 0; i < targets->n; i++)
        targets->init[i] = sc_rng_below(key, (uint64_t)i, (uint32_t)c->c);
    sc_parity_upload(r, targets);
    if (r->failed)
        return;
    SC_PARITY_ON_BOTH(r, be->ops->onehot(be, c->param, &targets->t[side], &out->t[side]));
}

static void run_argmax(sc_parity_run *r, const op_case *c) {
    const int64_t ls[2] = {c->n, c->c}, ns[1] = {c->n};
    sc_parity_tensor *logits = sc_parity_input(r, "logits", 2, ls, -4, 4);
    sc_parity_tensor *out = sc_parity_i32(r, "out", 1, ns, SC_PARITY_OUTPUT);
    if (r->failed)
        return;
    float *lv = sc_parity_values(logits);
    if (c->flags & FLAG_TIES)
        for (int64_t i = 0; i < logits->n; i++)
            lv[i] = lv[i] < 0.0f ? 0.0f : 1.0f; /* rows full of tied maxima */
    for (int64_t i = 0; i < out->n; i++)
        out->init[i] = UINT32_MAX; /* -1: never an answer */
    sc_parity_upload(r, logits);
    sc_parity_upload(r, out);
    if (r->failed)
        return;
    SC_PARITY_ON_BOTH(r, be->ops->argmax(be, &logits->t[side], &out->t[side]));
}

/* ---- calls with one shape off by one (all tensors inputs: nothing may change) ------------- */

static void run_rejected_maps(sc_parity_run *r, const op_case *c) {
    const int64_t xs[4] = {c->n, c->c, c->h, c->w}, ms[4] = {c->n, 1, c->h, c->w};
    const int64_t wide[4] = {c->n, 1, c->h, c->w + 1}, tall[4] = {c->n, 1, c->h + 1, c->w};
    const int64_t more[4] = {c->n + 1, 1, c->h, c->w}, one[1] = {1};
    if (c->op == SC_OP_SALIENCY_REDUCE) {
        const sc_saliency_params p = {SC_REDUCE_MEAN};
        sc_parity_tensor *g = sc_parity_input(r, "g", 4, xs, -1, 1);
        sc_parity_tensor *map = sc_parity_input(r, "map", 4, wide, -1, 1);
        if (r->failed)
            return;
        SC_PARITY_EXPECT_REJECTED(
            r, be->ops->saliency_reduce(be, &p, &g->t[side], NULL, &map->t[side]));
    } else if (c->op == SC_OP_MASK_SELECT) {
        const sc_mask_params p = {SC_MASK_LOWEST, 0.5f, 0.0f, 0.0f, 0.0f};
        sc_parity_tensor *map = sc_parity_input(r, "map", 4, ms, 0, 1);
        sc_parity_tensor *mask = sc_parity_input(r, "mask", 4, tall, 0, 1);
        sc_parity_tensor *stats = sc_parity_input(r, "stats", 1, one, 0, 1);
        if (r->failed)
            return;
        SC_PARITY_EXPECT_REJECTED(
            r, be->ops->mask_select(be, &p, &map->t[side], &mask->t[side], &stats->t[side]));
    } else if (c->op == SC_OP_PERTURB_BUDGET) {
        const sc_budget_params p = {EPS_PIXELS, 1.0f};
        sc_parity_tensor *map = sc_parity_input(r, "map", 4, ms, 0, 1);
        sc_parity_tensor *budget = sc_parity_input(r, "budget", 4, more, 0, 1);
        if (r->failed)
            return;
        SC_PARITY_EXPECT_REJECTED(
            r, be->ops->perturb_budget(be, &p, &map->t[side], NULL, &budget->t[side]));
    } else {
        const int64_t gs[1] = {c->n + 1}, ss[1] = {2};
        sc_parity_tensor *map = sc_parity_input(r, "map", 4, ms, 0, 1);
        sc_parity_tensor *gini = sc_parity_input(r, "gini", 1, gs, 0, 1);
        sc_parity_tensor *stats = sc_parity_input(r, "stats", 1, ss, 0, 1);
        if (r->failed)
            return;
        SC_PARITY_EXPECT_REJECTED(
            r, be->ops->map_gini(be, &map->t[side], &gini->t[side], &stats->t[side]));
    }
}

static void run_rejected_images(sc_parity_run *r, const op_case *c) {
    const int64_t xs[4] = {c->n, c->c, c->h, c->w}, ms[4] = {c->n, 1, c->h, c->w};
    const int64_t one[1] = {1};
    sc_parity_tensor *x = sc_parity_input(r, "x", 4, xs, -1, 1);
    if (r->failed)
        return;
    if (c->op == SC_OP_IMAGE_STATS) {
        const int64_t os[3] = {c->n, c->c + 1, 3};
        sc_parity_tensor *out = sc_parity_input(r, "out", 3, os, -1, 1);
        if (r->failed)
            return;
        SC_PARITY_EXPECT_REJECTED(r, be->ops->image_stats(be, &x->t[side], &out->t[side]));
    } else if (c->op == SC_OP_MASK_FILL) {
        const sc_fill_params p = {SC_FILL_MEAN, sc_rng_key_make(1, 0, SC_RNG_FILL)};
        const int64_t ts[3] = {c->n, c->c, 3}, os[4] = {c->n, c->c, c->h, c->w + 1};
        sc_parity_tensor *mask = sc_parity_input(r, "mask", 4, ms, 0, 1);
        sc_parity_tensor *table = sc_parity_input(r, "image_stats", 3, ts, -1, 1);
        sc_parity_tensor *out = sc_parity_input(r, "out", 4, os, -1, 1);
        if (r->failed)
            return;
        SC_PARITY_EXPECT_REJECTED(r, be->ops->mask_fill(be, &p, &x->t[side], &mask->t[side],
                                                        &table->t[side], &out->t[side]));
    } else if (c->op == SC_OP_PERTURB_INIT) {
        const sc_perturb_params p = perturb_params(c->c, 1);
        const int64_t bs[4] = {c->n, 2, c->h, c->w};
        sc_parity_tensor *budget = sc_parity_input(r, "budget", 4, bs, 0, 0.01f);
        sc_parity_tensor *xadv = sc_parity_input(r, "xadv", 4, xs, -1, 1);
        if (r->failed)
            return;
        SC_PARITY_EXPECT_REJECTED(
            r, be->ops->perturb_init(be, &p, &x->t[side], &budget->t[side], &xadv->t[side]));
    } else {
        const sc_perturb_params p = perturb_params(c->c, 1);
        const int64_t gs[4] = {c->n, c->c, c->h + 1, c->w};
        sc_parity_tensor *g = sc_parity_input(r, "g", 4, gs, -1, 1);
        sc_parity_tensor *xadv = sc_parity_input(r, "xadv", 4, xs, -1, 1);
        sc_parity_tensor *stats = sc_parity_input(r, "stats", 1, one, 0, 1);
        if (r->failed)
            return;
        SC_PARITY_EXPECT_REJECTED(r, be->ops->perturb_step(be, &p, &x->t[side], &g->t[side], NULL,
                                                           &xadv->t[side], &stats->t[side]));
    }
}

static void run_rejected_classes(sc_parity_run *r, const op_case *c) {
    const int64_t ls[2] = {c->n, c->k}, bad_ns[1] = {c->n + 1};
    sc_parity_tensor *logits = sc_parity_input(r, "logits", 2, ls, -1, 1);
    if (r->failed)
        return;
    if (c->op == SC_OP_KL_DIV) {
        const sc_kl_params p = {1.0f, 0};
        const int64_t qs[2] = {c->n, c->k + 1}, ss[1] = {1};
        sc_parity_tensor *q = sc_parity_input(r, "q_logits", 2, qs, -1, 1);
        sc_parity_tensor *stats = sc_parity_input(r, "stats", 1, ss, 0, 1);
        if (r->failed)
            return;
        SC_PARITY_EXPECT_REJECTED(
            r, be->ops->kl_div(be, &p, &logits->t[side], &q->t[side], NULL, NULL, &stats->t[side]));
    } else if (c->op == SC_OP_ONEHOT) {
        sc_parity_tensor *targets = sc_parity_i32(r, "targets", 1, bad_ns, SC_PARITY_INPUT);
        if (r->failed)
            return;
        SC_PARITY_EXPECT_REJECTED(r,
                                  be->ops->onehot(be, 1.0f, &targets->t[side], &logits->t[side]));
    } else {
        sc_parity_tensor *out = sc_parity_i32(r, "out", 1, bad_ns, SC_PARITY_INPUT);
        if (r->failed)
            return;
        SC_PARITY_EXPECT_REJECTED(r, be->ops->argmax(be, &logits->t[side], &out->t[side]));
    }
}

static void run_rejected(sc_parity_run *r, const op_case *c) {
    switch (c->op) {
    case SC_OP_SALIENCY_REDUCE:
    case SC_OP_MASK_SELECT:
    case SC_OP_PERTURB_BUDGET:
    case SC_OP_MAP_GINI: run_rejected_maps(r, c); break;
    case SC_OP_IMAGE_STATS:
    case SC_OP_MASK_FILL:
    case SC_OP_PERTURB_INIT:
    case SC_OP_PERTURB_STEP: run_rejected_images(r, c); break;
    default: run_rejected_classes(r, c); break;
    }
}

void sc_parity_run_saliency(sc_parity_run *r, const op_case *c) {
    if (c->flags & FLAG_REJECTED) {
        run_rejected(r, c);
        return;
    }
    switch (c->op) {
    case SC_OP_SALIENCY_REDUCE: run_saliency_reduce(r, c); break;
    case SC_OP_MASK_SELECT: run_mask_select(r, c); break;
    case SC_OP_IMAGE_STATS: run_image_stats(r, c); break;
    case SC_OP_MASK_FILL: run_mask_fill(r, c); break;
    case SC_OP_PERTURB_BUDGET: run_perturb_budget(r, c); break;
    case SC_OP_PERTURB_INIT: run_perturb_init(r, c); break;
    case SC_OP_PERTURB_STEP: run_perturb_step(r, c); break;
    case SC_OP_KL_DIV: run_kl_div(r, c); break;
    case SC_OP_MAP_GINI: run_map_gini(r, c); break;
    case SC_OP_ONEHOT: run_onehot(r, c); break;
    case SC_OP_ARGMAX: run_argmax(r, c); break;
    default: sc_parity_fail(r, "test bug: no case runner for op %d", (int)c->op); break;
    }
}
