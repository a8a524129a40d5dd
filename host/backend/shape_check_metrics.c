/* Shape, dtype and parameter validation of the saliency-method and metric ops (see
 * shape_check.h and backend.h), shared by every backend so they refuse the same calls with the
 * same message. Bad shapes, bad parameters and missing tensors are SC_ERR_SHAPE, a wrong dtype
 * is SC_ERR_UNSUPPORTED, as in shape_check_saliency.c. */
#include <math.h>
#include <stdio.h>

#include "../core/metric_math.h"
#include "shape_check.h"

/* A present F32 (n) vector: one value per sample. */
static sc_status check_vector(sc_error *err, sc_op op, const sc_tensor *t, const char *what,
                              int64_t n) {
    SC_TRY(sc_check_f32(err, op, t, what));
    if (t->ndim != 1 || t->shape[0] != n) {
        char s[96];
        return sc_fail(err, SC_ERR_SHAPE, "%s: %s must be (%lld), got %s", sc_op_name(op), what,
                       (long long)n, sc_tensor_shape_str(t, s, sizeof s));
    }
    return SC_OK;
}

/* A present F32 (N, M) matrix of rows with N, M >= 1. */
static sc_status check_rows(sc_error *err, sc_op op, const sc_tensor *t, const char *what) {
    SC_TRY(sc_check_f32(err, op, t, what));
    if (t->ndim != 2 || t->shape[0] < 1 || t->shape[1] < 1) {
        char s[96];
        return sc_fail(err, SC_ERR_SHAPE, "%s: %s must be (N, M) with N, M >= 1, got %s",
                       sc_op_name(op), what, sc_tensor_shape_str(t, s, sizeof s));
    }
    return SC_OK;
}

/* A present F32 (n, S) output whose column `column` is written: 0 <= column < S. */
static sc_status check_column_out(sc_error *err, sc_op op, const sc_tensor *out, int64_t n,
                                  int column) {
    SC_TRY(sc_check_f32(err, op, out, "out"));
    if (out->ndim != 2 || out->shape[0] != n || out->shape[1] < 1) {
        char s[96];
        return sc_fail(err, SC_ERR_SHAPE, "%s: out must be (%lld, S) with S >= 1, got %s",
                       sc_op_name(op), (long long)n, sc_tensor_shape_str(out, s, sizeof s));
    }
    if (column < 0 || column >= out->shape[1])
        return sc_fail(err, SC_ERR_SHAPE, "%s: column %d outside [0, %lld)", sc_op_name(op),
                       column, (long long)out->shape[1]);
    return SC_OK;
}

/* A present output of the shape of x that does not start at x's address. */
static sc_status check_out_apart(sc_error *err, sc_op op, const sc_tensor *x,
                                 const sc_tensor *out) {
    if (!out)
        return sc_fail(err, SC_ERR_SHAPE, "%s: out is missing", sc_op_name(op));
    SC_TRY(sc_check_like(err, op, out, "out", x, "x"));
    if (out->data == x->data)
        return sc_fail(err, SC_ERR_SHAPE, "%s: out may not alias x", sc_op_name(op));
    return SC_OK;
}

/* v finite and >= 0 (NaN fails). */
static int non_negative(float v) { return v >= 0.0f && isfinite(v); }

sc_status sc_check_axpby(sc_error *err, const sc_tensor *x, const sc_tensor *y) {
    SC_TRY(sc_check_f32(err, SC_OP_AXPBY, x, "x"));
    SC_TRY(sc_check_f32(err, SC_OP_AXPBY, y, "y"));
    return sc_check_like(err, SC_OP_AXPBY, y, "y", x, "x");
}

sc_status sc_check_add_noise(sc_error *err, const sc_noise_params *p, const sc_tensor *x,
                             const sc_tensor *out) {
    const sc_op op = SC_OP_ADD_NOISE;
    if (!p || (p->kind != SC_NOISE_NORMAL_RANGE && p->kind != SC_NOISE_UNIFORM))
        return sc_fail(err, SC_ERR_SHAPE, "add_noise: unknown noise kind %d",
                       p ? (int)p->kind : -1);
    if (!non_negative(p->scale))
        return sc_fail(err, SC_ERR_SHAPE, "add_noise: scale %g invalid (finite, >= 0)",
                       (double)p->scale);
    SC_TRY(sc_check_image(err, op, x, "x"));
    return check_out_apart(err, op, x, out);
}

sc_status sc_check_gradcam(sc_error *err, const sc_tensor *act, const sc_tensor *grad,
                           const sc_tensor *map) {
    const sc_op op = SC_OP_GRADCAM;
    SC_TRY(sc_check_image(err, op, act, "act"));
    if (!grad)
        return sc_fail(err, SC_ERR_SHAPE, "gradcam: grad is missing");
    SC_TRY(sc_check_like(err, op, grad, "grad", act, "act"));
    return sc_check_map_of(err, op, map, "map", act, 1);
}

sc_status sc_check_resize_bilinear(sc_error *err, const sc_tensor *in, const sc_tensor *out) {
    const sc_op op = SC_OP_RESIZE_BILINEAR;
    SC_TRY(sc_check_image(err, op, in, "in"));
    SC_TRY(sc_check_image(err, op, out, "out"));
    if (out->shape[0] != in->shape[0] || out->shape[1] != in->shape[1]) {
        char si[96], so[96];
        return sc_fail(err, SC_ERR_SHAPE, "resize_bilinear: in %s and out %s differ in N or C",
                       sc_tensor_shape_str(in, si, sizeof si),
                       sc_tensor_shape_str(out, so, sizeof so));
    }
    return SC_OK;
}

sc_status sc_check_map_sparsity(sc_error *err, const sc_tensor *map, const sc_tensor *hoyer,
                                const sc_tensor *entropy) {
    const sc_op op = SC_OP_MAP_SPARSITY;
    SC_TRY(sc_check_map(err, op, map));
    if (hoyer)
        SC_TRY(check_vector(err, op, hoyer, "hoyer", map->shape[0]));
    if (entropy)
        SC_TRY(check_vector(err, op, entropy, "entropy", map->shape[0]));
    return SC_OK;
}

/* Ranks: a present int32 (N, 1, H, W) with the N, H, W of ref, and every rank of H*W pixels
 * representable in int32. */
static sc_status check_ranks(sc_error *err, sc_op op, const sc_tensor *ranks,
                             const sc_tensor *ref) {
    if (!ranks || !ranks->data)
        return sc_fail(err, SC_ERR_SHAPE, "%s: ranks is missing", sc_op_name(op));
    if (ranks->dtype != SC_I32 || ranks->layout != SC_NCHW)
        return sc_fail(err, SC_ERR_UNSUPPORTED, "%s: ranks must be I32 NCHW, got %s",
                       sc_op_name(op), sc_dtype_name(ranks->dtype));
    if (ranks->ndim != 4 || ranks->shape[0] != ref->shape[0] || ranks->shape[1] != 1 ||
        ranks->shape[2] != ref->shape[2] || ranks->shape[3] != ref->shape[3]) {
        char s[96], sr[96];
        return sc_fail(err, SC_ERR_SHAPE, "%s: ranks %s must be (N, 1, H, W) of %s",
                       sc_op_name(op), sc_tensor_shape_str(ranks, s, sizeof s),
                       sc_tensor_shape_str(ref, sr, sizeof sr));
    }
    const int64_t hw = ref->shape[2] * ref->shape[3];
    if (hw > (int64_t)INT32_MAX)
        return sc_fail(err, SC_ERR_SHAPE, "%s: %lld pixels per map, at most %lld can be ranked",
                       sc_op_name(op), (long long)hw, (long long)INT32_MAX);
    return SC_OK;
}

sc_status sc_check_rank_pixels(sc_error *err, const sc_tensor *map, const sc_tensor *ranks) {
    SC_TRY(sc_check_map(err, SC_OP_RANK_PIXELS, map));
    return check_ranks(err, SC_OP_RANK_PIXELS, ranks, map);
}

sc_status sc_check_ranked_replace(sc_error *err, int64_t count, const sc_tensor *x,
                                  const sc_tensor *alt, const sc_tensor *ranks,
                                  const sc_tensor *out) {
    const sc_op op = SC_OP_RANKED_REPLACE;
    SC_TRY(sc_check_image(err, op, x, "x"));
    SC_TRY(sc_check_like(err, op, alt, "alt", x, "x"));
    SC_TRY(check_ranks(err, op, ranks, x));
    if (!out)
        return sc_fail(err, SC_ERR_SHAPE, "ranked_replace: out is missing");
    SC_TRY(sc_check_like(err, op, out, "out", x, "x"));
    const int64_t hw = x->shape[2] * x->shape[3];
    if (count < 0 || count > hw)
        return sc_fail(err, SC_ERR_SHAPE, "ranked_replace: count %lld outside [0, %lld]",
                       (long long)count, (long long)hw);
    return SC_OK;
}

sc_status sc_check_gaussian_blur(sc_error *err, const sc_blur_params *p, const sc_tensor *x,
                                 const sc_tensor *out) {
    const sc_op op = SC_OP_GAUSSIAN_BLUR;
    if (!p || p->kernel < 1 || p->kernel > SC_BLUR_MAX_KERNEL || p->kernel % 2 == 0 ||
        !(p->sigma > 0.0f) || !isfinite(p->sigma))
        return sc_fail(err, SC_ERR_SHAPE,
                       "gaussian_blur: kernel %d / sigma %g invalid (odd kernel in [1, %d], "
                       "finite sigma > 0)",
                       p ? p->kernel : 0, p ? (double)p->sigma : 0.0, SC_BLUR_MAX_KERNEL);
    SC_TRY(sc_check_image(err, op, x, "x"));
    return check_out_apart(err, op, x, out);
}

sc_status sc_check_target_score(sc_error *err, sc_score_kind kind, const sc_tensor *logits,
                                const sc_tensor *targets, int column, const sc_tensor *out) {
    const sc_op op = SC_OP_TARGET_SCORE;
    if (kind != SC_SCORE_PROB && kind != SC_SCORE_LOGIT && kind != SC_SCORE_CORRECT)
        return sc_fail(err, SC_ERR_SHAPE, "target_score: unknown score kind %d", (int)kind);
    SC_TRY(sc_check_logits(err, op, logits, "logits"));
    SC_TRY(sc_check_i32_vector(err, op, targets, "targets", logits->shape[0]));
    return check_column_out(err, op, out, logits->shape[0], column);
}

sc_status sc_check_curve_auc(sc_error *err, const sc_tensor *curves, const sc_tensor *auc) {
    const sc_op op = SC_OP_CURVE_AUC;
    SC_TRY(check_rows(err, op, curves, "curves"));
    if (curves->shape[1] < 2)
        return sc_fail(err, SC_ERR_SHAPE, "curve_auc: curves need S >= 2 points, got %lld",
                       (long long)curves->shape[1]);
    return check_vector(err, op, auc, "auc", curves->shape[0]);
}

sc_status sc_check_rank_rows(sc_error *err, const sc_tensor *in, const sc_tensor *out) {
    const sc_op op = SC_OP_RANK_ROWS;
    SC_TRY(check_rows(err, op, in, "in"));
    if (in->shape[1] > (int64_t)UINT32_MAX)
        return sc_fail(err, SC_ERR_SHAPE, "rank_rows: rows of %lld entries, at most %lld can be "
                       "ranked", (long long)in->shape[1], (long long)UINT32_MAX);
    if (!out)
        return sc_fail(err, SC_ERR_SHAPE, "rank_rows: out is missing");
    return sc_check_like(err, op, out, "out", in, "in");
}

sc_status sc_check_pearson_rows(sc_error *err, const sc_tensor *a, const sc_tensor *b,
                                const sc_tensor *out) {
    const sc_op op = SC_OP_PEARSON_ROWS;
    SC_TRY(check_rows(err, op, a, "a"));
    if (!b)
        return sc_fail(err, SC_ERR_SHAPE, "pearson_rows: b is missing");
    SC_TRY(sc_check_like(err, op, b, "b", a, "a"));
    return check_vector(err, op, out, "out", a->shape[0]);
}

sc_status sc_check_masked_sum(sc_error *err, const sc_tensor *map, const sc_tensor *mask,
                              int column, const sc_tensor *out) {
    const sc_op op = SC_OP_MASKED_SUM;
    SC_TRY(sc_check_map(err, op, map));
    SC_TRY(sc_check_map_of(err, op, mask, "mask", map, 0));
    return check_column_out(err, op, out, map->shape[0], column);
}

sc_status sc_check_relative_distance(sc_error *err, const sc_tensor *a, const sc_tensor *b,
                                     const sc_tensor *out) {
    const sc_op op = SC_OP_RELATIVE_DISTANCE;
    SC_TRY(sc_check_f32(err, op, a, "a"));
    if (a->ndim < 1 || sc_tensor_numel(a) < 1) {
        char s[96];
        return sc_fail(err, SC_ERR_SHAPE, "relative_distance: a must be (N, ...) with sizes >= 1, "
                       "got %s", sc_tensor_shape_str(a, s, sizeof s));
    }
    if (!b)
        return sc_fail(err, SC_ERR_SHAPE, "relative_distance: b is missing");
    SC_TRY(sc_check_like(err, op, b, "b", a, "a"));
    return check_vector(err, op, out, "out", a->shape[0]);
}

sc_status sc_check_impute_linear(sc_error *err, const sc_impute_params *p, const sc_tensor *x,
                                 const sc_tensor *mask, const sc_tensor *out) {
    const sc_op op = SC_OP_IMPUTE_LINEAR;
    if (!p || p->iterations < 0 || !non_negative(p->noise))
        return sc_fail(err, SC_ERR_SHAPE,
                       "impute_linear: iterations %d / noise %g invalid (iterations >= 0, "
                       "finite noise >= 0)",
                       p ? p->iterations : 0, p ? (double)p->noise : 0.0);
    SC_TRY(sc_check_image(err, op, x, "x"));
    SC_TRY(sc_check_map_of(err, op, mask, "mask", x, 1));
    return check_out_apart(err, op, x, out);
}
