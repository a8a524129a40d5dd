/* Shape, dtype and parameter validation of the saliency-guided training ops (see
 * shape_check.h and backend.h), shared by every backend so they refuse the same calls with the
 * same message. Bad shapes and bad parameters are SC_ERR_SHAPE, a wrong dtype is
 * SC_ERR_UNSUPPORTED, as in shape_check.c. */
#include <math.h>
#include <stdio.h>

#include "shape_check.h"

/* The mass rule sums up to H*W fixed-point masses of at most 2^40 each in int64. */
#define SC_MASS_MAX_PIXELS ((int64_t)(1 << 23) - 1)

static const char *shape_of(const sc_tensor *t, char *buf, size_t len) {
    return sc_tensor_shape_str(t, buf, len);
}

/* An optional stats tensor of exactly count floats. */
static sc_status check_stats(sc_error *err, sc_op op, const sc_tensor *stats, int64_t count) {
    if (!stats)
        return SC_OK;
    SC_TRY(sc_check_f32(err, op, stats, "stats"));
    if (sc_tensor_numel(stats) != count) {
        char s[96];
        return sc_fail(err, SC_ERR_SHAPE, "%s: stats must hold %lld float%s, got %s",
                       sc_op_name(op), (long long)count, count == 1 ? "" : "s",
                       shape_of(stats, s, sizeof s));
    }
    return SC_OK;
}

/* v in [0, 1] (NaN fails). */
static int unit_interval(float v) { return v >= 0.0f && v <= 1.0f; }

sc_status sc_check_saliency_reduce(sc_error *err, const sc_saliency_params *p, const sc_tensor *g,
                                   const sc_tensor *x, const sc_tensor *map) {
    const sc_op op = SC_OP_SALIENCY_REDUCE;
    if (!p || p->reduce < SC_REDUCE_MEAN || p->reduce > SC_REDUCE_SIGNED)
        return sc_fail(err, SC_ERR_SHAPE, "saliency_reduce: unknown reduction %d",
                       p ? (int)p->reduce : -1);
    SC_TRY(sc_check_image(err, op, g, "g"));
    SC_TRY(sc_check_like(err, op, x, "x", g, "g"));
    return sc_check_map_of(err, op, map, "map", g, 1);
}

sc_status sc_check_mask_select(sc_error *err, const sc_mask_params *p, const sc_tensor *map,
                               const sc_tensor *mask, const sc_tensor *stats) {
    const sc_op op = SC_OP_MASK_SELECT;
    if (!p || (p->kind != SC_MASK_LOWEST && p->kind != SC_MASK_MASS))
        return sc_fail(err, SC_ERR_SHAPE, "mask_select: unknown mask kind %d",
                       p ? (int)p->kind : -1);
    if (p->kind == SC_MASK_LOWEST && !unit_interval(p->k))
        return sc_fail(err, SC_ERR_SHAPE, "mask_select: k %g outside [0, 1]", (double)p->k);
    if (p->kind == SC_MASK_MASS &&
        (!unit_interval(p->tau) || !unit_interval(p->k_min) || !unit_interval(p->k_max) ||
         p->k_min > p->k_max))
        return sc_fail(err, SC_ERR_SHAPE,
                       "mask_select: tau %g, k_min %g, k_max %g invalid (each in [0, 1], "
                       "k_min <= k_max)",
                       (double)p->tau, (double)p->k_min, (double)p->k_max);
    SC_TRY(sc_check_map(err, op, map));
    SC_TRY(sc_check_sortable(err, op, map));
    if (p->kind == SC_MASK_MASS && map->shape[2] * map->shape[3] > SC_MASS_MAX_PIXELS)
        return sc_fail(err, SC_ERR_SHAPE, "mask_select: the mass rule takes at most %lld pixels "
                       "per map, got %lld", (long long)SC_MASS_MAX_PIXELS,
                       (long long)(map->shape[2] * map->shape[3]));
    SC_TRY(sc_check_map_of(err, op, mask, "mask", map, 1));
    return check_stats(err, op, stats, 1);
}

/* The (N, C, 3) per-channel min / max / mean table of image x. */
static sc_status check_stats_table(sc_error *err, sc_op op, const sc_tensor *x,
                                   const sc_tensor *t, const char *what) {
    SC_TRY(sc_check_f32(err, op, t, what));
    if (t->ndim != 3 || t->shape[0] != x->shape[0] || t->shape[1] != x->shape[1] ||
        t->shape[2] != 3) {
        char s[96], sx[96];
        return sc_fail(err, SC_ERR_SHAPE, "%s: %s must be (%lld, %lld, 3) for x %s, got %s",
                       sc_op_name(op), what, (long long)x->shape[0], (long long)x->shape[1],
                       shape_of(x, sx, sizeof sx), shape_of(t, s, sizeof s));
    }
    return SC_OK;
}

sc_status sc_check_image_stats(sc_error *err, const sc_tensor *x, const sc_tensor *out) {
    SC_TRY(sc_check_image(err, SC_OP_IMAGE_STATS, x, "x"));
    return check_stats_table(err, SC_OP_IMAGE_STATS, x, out, "out");
}

sc_status sc_check_mask_fill(sc_error *err, const sc_fill_params *p, const sc_tensor *x,
                             const sc_tensor *mask, const sc_tensor *image_stats,
                             const sc_tensor *out) {
    const sc_op op = SC_OP_MASK_FILL;
    if (!p || (p->kind != SC_FILL_UNIFORM && p->kind != SC_FILL_MEAN))
        return sc_fail(err, SC_ERR_SHAPE, "mask_fill: unknown fill kind %d",
                       p ? (int)p->kind : -1);
    SC_TRY(sc_check_image(err, op, x, "x"));
    SC_TRY(sc_check_map_of(err, op, mask, "mask", x, 1));
    SC_TRY(check_stats_table(err, op, x, image_stats, "image_stats"));
    if (!out)
        return sc_fail(err, SC_ERR_SHAPE, "mask_fill: out is missing");
    return sc_check_like(err, op, out, "out", x, "x");
}

sc_status sc_check_perturb_budget(sc_error *err, const sc_budget_params *p, const sc_tensor *map,
                                  const sc_tensor *mask, const sc_tensor *budget) {
    const sc_op op = SC_OP_PERTURB_BUDGET;
    if (!p || !(p->eps >= 0.0f) || !isfinite(p->eps) || !(p->gamma >= 0.0f) ||
        !isfinite(p->gamma))
        return sc_fail(err, SC_ERR_SHAPE,
                       "perturb_budget: eps %g / gamma %g invalid (finite, >= 0)",
                       p ? (double)p->eps : 0.0, p ? (double)p->gamma : 0.0);
    SC_TRY(sc_check_map(err, op, map));
    SC_TRY(sc_check_map_of(err, op, mask, "mask", map, 0));
    return sc_check_map_of(err, op, budget, "budget", map, 1);
}

/* The perturbation parameters for an image of `channels` channels. */
static sc_status check_perturb_params(sc_error *err, sc_op op, const sc_perturb_params *p,
                                      int64_t channels) {
    if (!p)
        return sc_fail(err, SC_ERR_SHAPE, "%s: parameters are missing", sc_op_name(op));
    if (p->channels != channels || p->channels < 1 || p->channels > SC_MAX_CHANNELS)
        return sc_fail(err, SC_ERR_SHAPE, "%s: params give %d channels, x has %lld (at most %d)",
                       sc_op_name(op), p->channels, (long long)channels, SC_MAX_CHANNELS);
    if (!(p->eps >= 0.0f) || !isfinite(p->eps))
        return sc_fail(err, SC_ERR_SHAPE, "%s: eps %g invalid (finite, >= 0)", sc_op_name(op),
                       (double)p->eps);
    if (op == SC_OP_PERTURB_STEP && (!(p->step_size >= 0.0f) || !isfinite(p->step_size)))
        return sc_fail(err, SC_ERR_SHAPE, "%s: step size %g invalid (finite, >= 0)",
                       sc_op_name(op), (double)p->step_size);
    for (int c = 0; c < p->channels; c++)
        if (!(p->std[c] > 0.0f) || !isfinite(p->std[c]) || !(p->lo[c] <= p->hi[c]))
            return sc_fail(err, SC_ERR_SHAPE,
                           "%s: channel %d: std %g must be > 0 and lo %g <= hi %g",
                           sc_op_name(op), c, (double)p->std[c], (double)p->lo[c],
                           (double)p->hi[c]);
    return SC_OK;
}

sc_status sc_check_perturb(sc_error *err, sc_op op, const sc_perturb_params *p,
                           const sc_tensor *x, const sc_tensor *g, const sc_tensor *budget,
                           const sc_tensor *xadv, const sc_tensor *stats) {
    SC_TRY(sc_check_image(err, op, x, "x"));
    SC_TRY(check_perturb_params(err, op, p, x->shape[1]));
    if (op == SC_OP_PERTURB_STEP) {
        if (!g)
            return sc_fail(err, SC_ERR_SHAPE, "%s: g is missing", sc_op_name(op));
        SC_TRY(sc_check_like(err, op, g, "g", x, "x"));
    }
    SC_TRY(sc_check_map_of(err, op, budget, "budget", x, 0));
    if (!xadv)
        return sc_fail(err, SC_ERR_SHAPE, "%s: xadv is missing", sc_op_name(op));
    SC_TRY(sc_check_like(err, op, xadv, "xadv", x, "x"));
    return check_stats(err, op, stats, 1);
}

sc_status sc_check_kl_div(sc_error *err, const sc_kl_params *p, const sc_tensor *p_logits,
                          const sc_tensor *q_logits, const sc_tensor *dp, const sc_tensor *dq,
                          const sc_tensor *stats) {
    const sc_op op = SC_OP_KL_DIV;
    if (!p || !isfinite(p->grad_scale))
        return sc_fail(err, SC_ERR_SHAPE, "kl_div: grad scale %g invalid",
                       p ? (double)p->grad_scale : 0.0);
    SC_TRY(sc_check_logits(err, op, p_logits, "p_logits"));
    SC_TRY(sc_check_f32(err, op, q_logits, "q_logits"));
    SC_TRY(sc_check_like(err, op, q_logits, "q_logits", p_logits, "p_logits"));
    SC_TRY(sc_check_like(err, op, dp, "dp", p_logits, "p_logits"));
    SC_TRY(sc_check_like(err, op, dq, "dq", p_logits, "p_logits"));
    return check_stats(err, op, stats, 1);
}

sc_status sc_check_map_gini(sc_error *err, const sc_tensor *map, const sc_tensor *gini,
                            const sc_tensor *stats) {
    const sc_op op = SC_OP_MAP_GINI;
    SC_TRY(sc_check_map(err, op, map));
    SC_TRY(sc_check_sortable(err, op, map));
    if (gini) {
        SC_TRY(sc_check_f32(err, op, gini, "gini"));
        if (gini->ndim != 1 || gini->shape[0] != map->shape[0]) {
            char s[96];
            return sc_fail(err, SC_ERR_SHAPE, "map_gini: gini must be (%lld), got %s",
                           (long long)map->shape[0], shape_of(gini, s, sizeof s));
        }
    }
    return check_stats(err, op, stats, 2);
}

sc_status sc_check_onehot(sc_error *err, const sc_tensor *targets, const sc_tensor *out) {
    const sc_op op = SC_OP_ONEHOT;
    SC_TRY(sc_check_logits(err, op, out, "out"));
    return sc_check_i32_vector(err, op, targets, "targets", out->shape[0]);
}

sc_status sc_check_argmax(sc_error *err, const sc_tensor *logits, const sc_tensor *out) {
    const sc_op op = SC_OP_ARGMAX;
    SC_TRY(sc_check_logits(err, op, logits, "logits"));
    return sc_check_i32_vector(err, op, out, "out", logits->shape[0]);
}
