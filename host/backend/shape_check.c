/* Shape and dtype validation shared by every backend (see shape_check.h). */
#include "shape_check.h"

#include <stdint.h>
#include <stdio.h>

int64_t sc_rows(const sc_tensor *t) { return t->ndim > 0 ? t->shape[0] : 1; }

int64_t sc_cols(const sc_tensor *t) {
    int64_t c = 1;
    for (int i = 1; i < t->ndim; i++)
        c *= t->shape[i];
    return c;
}

sc_status sc_check_f32(sc_error *err, sc_op op, const sc_tensor *t, const char *what) {
    if (!t || !t->data)
        return sc_fail(err, SC_ERR_SHAPE, "%s: %s is missing", sc_op_name(op), what);
    if (t->dtype != SC_F32 || t->layout != SC_NCHW)
        return sc_fail(err, SC_ERR_UNSUPPORTED, "%s: %s must be F32 NCHW, got %s", sc_op_name(op),
                       what, sc_dtype_name(t->dtype));
    return SC_OK;
}

static sc_status check_4d(sc_error *err, sc_op op, const sc_tensor *t, const char *what) {
    if (t->ndim != 4) {
        char s[96];
        return sc_fail(err, SC_ERR_SHAPE, "%s: %s must be 4-D (N, C, H, W), got %s", sc_op_name(op),
                       what, sc_tensor_shape_str(t, s, sizeof s));
    }
    return SC_OK;
}

sc_status sc_check_conv(sc_error *err, sc_op op, const sc_conv_params *p, const sc_tensor *x,
                        const sc_tensor *w, const sc_tensor *y) {
    SC_TRY(check_4d(err, op, x, "x"));
    SC_TRY(check_4d(err, op, w, "w"));
    SC_TRY(check_4d(err, op, y, "y"));
    if (p->stride < 1 || p->pad < 0)
        return sc_fail(err, SC_ERR_SHAPE, "%s: stride %d / pad %d invalid", sc_op_name(op),
                       p->stride, p->pad);
    int64_t oh = sc_window_out(x->shape[2], (int)w->shape[2], p->stride, p->pad);
    int64_t ow = sc_window_out(x->shape[3], (int)w->shape[3], p->stride, p->pad);
    if (w->shape[1] != x->shape[1] || y->shape[0] != x->shape[0] || y->shape[1] != w->shape[0] ||
        y->shape[2] != oh || y->shape[3] != ow || oh <= 0 || ow <= 0) {
        char sx[96], sw[96], sy[96];
        return sc_fail(err, SC_ERR_SHAPE,
                       "%s: shapes disagree: x %s, w %s, y %s (stride %d, pad %d; expected y "
                       "(%lld, %lld, %lld, %lld))",
                       sc_op_name(op), sc_tensor_shape_str(x, sx, sizeof sx),
                       sc_tensor_shape_str(w, sw, sizeof sw), sc_tensor_shape_str(y, sy, sizeof sy),
                       p->stride, p->pad, (long long)x->shape[0], (long long)w->shape[0],
                       (long long)oh, (long long)ow);
    }
    return SC_OK;
}

sc_status sc_check_bn(sc_error *err, sc_op op, const sc_bn_params *p, const sc_tensor *x,
                      const sc_tensor *y, const sc_tensor *const *per_channel, int n_per_channel) {
    SC_TRY(check_4d(err, op, x, "x"));
    SC_TRY(sc_check_same(err, op, x, y));
    if (!(p->eps > 0.0f) || p->momentum < 0.0f || p->momentum > 1.0f)
        return sc_fail(err, SC_ERR_SHAPE, "%s: eps %g / momentum %g invalid", sc_op_name(op),
                       (double)p->eps, (double)p->momentum);
    for (int i = 0; i < n_per_channel; i++) {
        const sc_tensor *t = per_channel[i];
        if (!t)
            continue;
        if (sc_tensor_numel(t) != x->shape[1])
            return sc_fail(err, SC_ERR_SHAPE, "%s: per-channel tensor %d has %lld elements, x has %lld "
                           "channels", sc_op_name(op), i, (long long)sc_tensor_numel(t),
                           (long long)x->shape[1]);
        SC_TRY(sc_check_f32(err, op, t, "per-channel tensor"));
    }
    return SC_OK;
}

/* Whether the bytes of two present tensors overlap. */
static int tensors_overlap(const sc_tensor *a, const sc_tensor *b) {
    const uintptr_t a0 = (uintptr_t)a->data, b0 = (uintptr_t)b->data;
    const uintptr_t a1 = a0 + (uintptr_t)sc_tensor_bytes(a), b1 = b0 + (uintptr_t)sc_tensor_bytes(b);
    return a0 < b1 && b0 < a1;
}

sc_status sc_check_bn_apart(sc_error *err, sc_op op, const sc_tensor *out, const char *out_name,
                            const sc_tensor *a, const char *a_name, const sc_tensor *b,
                            const char *b_name) {
    const sc_tensor *inputs[2] = {a, b};
    const char *names[2] = {a_name, b_name};
    for (int i = 0; i < 2; i++)
        if (inputs[i] && inputs[i]->data && out->data && tensors_overlap(out, inputs[i]))
            return sc_fail(err, SC_ERR_SHAPE,
                           "%s: %s overlaps %s (batch norm does not run in place)",
                           sc_op_name(op), out_name, names[i]);
    return SC_OK;
}

sc_status sc_check_same(sc_error *err, sc_op op, const sc_tensor *a, const sc_tensor *b) {
    SC_TRY(sc_check_f32(err, op, a, "input"));
    SC_TRY(sc_check_f32(err, op, b, "output"));
    if (!sc_tensor_same_shape(a, b)) {
        char sa[96], sb[96];
        return sc_fail(err, SC_ERR_SHAPE, "%s: shapes differ: %s vs %s", sc_op_name(op),
                       sc_tensor_shape_str(a, sa, sizeof sa), sc_tensor_shape_str(b, sb, sizeof sb));
    }
    return SC_OK;
}

sc_status sc_check_pool(sc_error *err, sc_op op, const sc_pool_params *p, const sc_tensor *x,
                        const sc_tensor *y) {
    SC_TRY(check_4d(err, op, x, "x"));
    SC_TRY(check_4d(err, op, y, "y"));
    if (p->kernel < 1 || p->stride < 1 || p->pad < 0 || 2 * p->pad > p->kernel)
        return sc_fail(err, SC_ERR_SHAPE, "%s: kernel %d / stride %d / pad %d invalid",
                       sc_op_name(op), p->kernel, p->stride, p->pad);
    int64_t oh = sc_window_out(x->shape[2], p->kernel, p->stride, p->pad);
    int64_t ow = sc_window_out(x->shape[3], p->kernel, p->stride, p->pad);
    if (y->shape[0] != x->shape[0] || y->shape[1] != x->shape[1] || y->shape[2] != oh ||
        y->shape[3] != ow || oh <= 0 || ow <= 0) {
        char sx[96], sy[96];
        return sc_fail(err, SC_ERR_SHAPE, "%s: x %s and y %s disagree (expected %lldx%lld output)",
                       sc_op_name(op), sc_tensor_shape_str(x, sx, sizeof sx),
                       sc_tensor_shape_str(y, sy, sizeof sy), (long long)oh, (long long)ow);
    }
    return SC_OK;
}

sc_status sc_check_gap(sc_error *err, sc_op op, const sc_tensor *x, const sc_tensor *y) {
    SC_TRY(check_4d(err, op, x, "x"));
    if (sc_tensor_numel(y) != x->shape[0] * x->shape[1] || y->shape[0] != x->shape[0]) {
        char sx[96], sy[96];
        return sc_fail(err, SC_ERR_SHAPE, "%s: x %s and y %s disagree (expected (N, C, 1, 1))",
                       sc_op_name(op), sc_tensor_shape_str(x, sx, sizeof sx),
                       sc_tensor_shape_str(y, sy, sizeof sy));
    }
    return SC_OK;
}

sc_status sc_check_linear(sc_error *err, sc_op op, const sc_tensor *x, const sc_tensor *w,
                          const sc_tensor *b, const sc_tensor *y) {
    if (w->ndim != 2 || sc_cols(x) != w->shape[1] || sc_rows(y) != sc_rows(x) ||
        sc_cols(y) != w->shape[0] || (b && sc_tensor_numel(b) != w->shape[0])) {
        char sx[96], sw[96], sy[96];
        return sc_fail(err, SC_ERR_SHAPE, "%s: x %s, w %s, y %s disagree (expected x (N, IN), "
                       "w (OUT, IN), y (N, OUT))", sc_op_name(op),
                       sc_tensor_shape_str(x, sx, sizeof sx), sc_tensor_shape_str(w, sw, sizeof sw),
                       sc_tensor_shape_str(y, sy, sizeof sy));
    }
    return SC_OK;
}

sc_status sc_check_xent(sc_error *err, const sc_xent_params *p, const sc_tensor *logits,
                        const sc_tensor *labels, const sc_tensor *dlogits, const sc_tensor *stats) {
    SC_TRY(sc_check_f32(err, SC_OP_SOFTMAX_XENT, logits, "logits"));
    if (logits->ndim != 2 || logits->shape[1] < 1 || !labels || labels->dtype != SC_I32 ||
        sc_tensor_numel(labels) != logits->shape[0])
        return sc_fail(err, SC_ERR_SHAPE, "softmax_xent: logits must be (N, K) with K >= 1 and labels (N) int32");
    if (dlogits && !sc_tensor_same_shape(logits, dlogits))
        return sc_fail(err, SC_ERR_SHAPE, "softmax_xent: dlogits must have the shape of logits");
    if (!stats || sc_tensor_numel(stats) < 2)
        return sc_fail(err, SC_ERR_SHAPE, "softmax_xent: stats must hold 2 floats");
    SC_TRY(sc_check_f32(err, SC_OP_SOFTMAX_XENT, stats, "stats"));
    if (dlogits)
        SC_TRY(sc_check_f32(err, SC_OP_SOFTMAX_XENT, dlogits, "dlogits"));
    if (!labels->data)
        return sc_fail(err, SC_ERR_SHAPE, "softmax_xent: labels are missing");
    if (!(p->label_smoothing >= 0.0f && p->label_smoothing <= 1.0f))
        return sc_fail(err, SC_ERR_SHAPE, "softmax_xent: label smoothing %g outside [0, 1]",
                       (double)p->label_smoothing);
    return SC_OK;
}

/* ---- building blocks of the per-op checks (shape_check_saliency.c, shape_check_metrics.c) */

sc_status sc_check_image(sc_error *err, sc_op op, const sc_tensor *t, const char *what) {
    SC_TRY(sc_check_f32(err, op, t, what));
    if (t->ndim != 4 || t->shape[0] < 1 || t->shape[1] < 1 || t->shape[2] < 1 ||
        t->shape[3] < 1) {
        char s[96];
        return sc_fail(err, SC_ERR_SHAPE, "%s: %s must be 4-D (N, C, H, W) with sizes >= 1, got %s",
                       sc_op_name(op), what, sc_tensor_shape_str(t, s, sizeof s));
    }
    return SC_OK;
}

sc_status sc_check_map(sc_error *err, sc_op op, const sc_tensor *map) {
    SC_TRY(sc_check_image(err, op, map, "map"));
    if (map->shape[1] != 1) {
        char s[96];
        return sc_fail(err, SC_ERR_SHAPE, "%s: map must have one channel (N, 1, H, W), got %s",
                       sc_op_name(op), sc_tensor_shape_str(map, s, sizeof s));
    }
    return SC_OK;
}

sc_status sc_check_map_of(sc_error *err, sc_op op, const sc_tensor *t, const char *what,
                          const sc_tensor *ref, int required) {
    if (!t && !required)
        return SC_OK;
    SC_TRY(sc_check_f32(err, op, t, what));
    if (t->ndim != 4 || t->shape[0] != ref->shape[0] || t->shape[1] != 1 ||
        t->shape[2] != ref->shape[2] || t->shape[3] != ref->shape[3]) {
        char s[96], sr[96];
        return sc_fail(err, SC_ERR_SHAPE,
                       "%s: %s must be (%lld, 1, %lld, %lld) to match %s, got %s",
                       sc_op_name(op), what, (long long)ref->shape[0], (long long)ref->shape[2],
                       (long long)ref->shape[3], sc_tensor_shape_str(ref, sr, sizeof sr),
                       sc_tensor_shape_str(t, s, sizeof s));
    }
    return SC_OK;
}

sc_status sc_check_like(sc_error *err, sc_op op, const sc_tensor *t, const char *what,
                        const sc_tensor *ref, const char *ref_name) {
    if (!t)
        return SC_OK;
    SC_TRY(sc_check_f32(err, op, t, what));
    if (!sc_tensor_same_shape(t, ref)) {
        char s[96], sr[96];
        return sc_fail(err, SC_ERR_SHAPE, "%s: %s %s must have the shape of %s %s",
                       sc_op_name(op), what, sc_tensor_shape_str(t, s, sizeof s), ref_name,
                       sc_tensor_shape_str(ref, sr, sizeof sr));
    }
    return SC_OK;
}

sc_status sc_check_i32_vector(sc_error *err, sc_op op, const sc_tensor *t, const char *what,
                              int64_t n) {
    if (!t || !t->data)
        return sc_fail(err, SC_ERR_SHAPE, "%s: %s is missing", sc_op_name(op), what);
    if (t->dtype != SC_I32)
        return sc_fail(err, SC_ERR_UNSUPPORTED, "%s: %s must be I32, got %s", sc_op_name(op),
                       what, sc_dtype_name(t->dtype));
    if (t->ndim != 1 || t->shape[0] != n) {
        char s[96];
        return sc_fail(err, SC_ERR_SHAPE, "%s: %s must be (%lld), got %s", sc_op_name(op), what,
                       (long long)n, sc_tensor_shape_str(t, s, sizeof s));
    }
    return SC_OK;
}

sc_status sc_check_logits(sc_error *err, sc_op op, const sc_tensor *t, const char *what) {
    SC_TRY(sc_check_f32(err, op, t, what));
    if (t->ndim != 2 || t->shape[0] < 1 || t->shape[1] < 1) {
        char s[96];
        return sc_fail(err, SC_ERR_SHAPE, "%s: %s must be (N, K) with N, K >= 1, got %s",
                       sc_op_name(op), what, sc_tensor_shape_str(t, s, sizeof s));
    }
    return SC_OK;
}

sc_status sc_check_sortable(sc_error *err, sc_op op, const sc_tensor *map) {
    int64_t hw = map->shape[2] * map->shape[3];
    if (hw > (int64_t)UINT32_MAX)
        return sc_fail(err, SC_ERR_SHAPE, "%s: %lld pixels per map, at most %lld can be ranked",
                       sc_op_name(op), (long long)hw, (long long)UINT32_MAX);
    return SC_OK;
}

sc_status sc_check_bn_split_bwd(sc_error *err, sc_op op, const sc_tensor *x, const sc_tensor *dy,
                                const sc_tensor *const *per_channel, int n_per_channel,
                                const sc_tensor *sums) {
    SC_TRY(sc_check_f32(err, op, x, "x"));
    SC_TRY(sc_check_f32(err, op, dy, "dy"));
    SC_TRY(sc_check_f32(err, op, sums, "sums"));
    for (int i = 0; i < n_per_channel; i++)
        SC_TRY(sc_check_f32(err, op, per_channel[i], "per-channel tensor"));
    const sc_bn_params valid = {1e-5f, 0.0f}; /* these ops take no eps or momentum */
    SC_TRY(sc_check_bn(err, op, &valid, x, dy, per_channel, n_per_channel));
    if (sc_tensor_numel(sums) != 2 * x->shape[1])
        return sc_fail(err, SC_ERR_SHAPE, "%s: sums has %lld values, expected (2, %lld)",
                       sc_op_name(op), (long long)sc_tensor_numel(sums), (long long)x->shape[1]);
    return SC_OK;
}

sc_status sc_check_bn_bwd_apply(sc_error *err, double count, const sc_tensor *x,
                                const sc_tensor *dy, const sc_tensor *gamma,
                                const sc_tensor *mean, const sc_tensor *invstd,
                                const sc_tensor *sums, const sc_tensor *dx) {
    const sc_tensor *per_channel[3] = {gamma, mean, invstd};
    SC_TRY(sc_check_bn_split_bwd(err, SC_OP_BN_BWD_APPLY, x, dy, per_channel, 3, sums));
    SC_TRY(sc_check_f32(err, SC_OP_BN_BWD_APPLY, dx, "dx"));
    SC_TRY(sc_check_same(err, SC_OP_BN_BWD_APPLY, x, dx));
    SC_TRY(sc_check_bn_apart(err, SC_OP_BN_BWD_APPLY, dx, "dx", x, "x", dy, "dy"));
    if (!(count >= 1.0))
        return sc_fail(err, SC_ERR_SHAPE, "bn_bwd_apply: count %g, expected at least 1", count);
    return SC_OK;
}
