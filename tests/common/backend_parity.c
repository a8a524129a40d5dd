/* Paired tensors with guards for backend parity tests (see backend_parity.h). */
#include "backend_parity.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/core/rng.h"

void sc_parity_begin(sc_parity_run *r, sc_backend *reference, sc_backend *tested, uint64_t seed) {
    memset(r, 0, sizeof *r);
    r->be[SC_PARITY_REF] = reference;
    r->be[SC_PARITY_TESTED] = tested;
    r->seed = seed;
}

void sc_parity_end(sc_parity_run *r) {
    for (int i = 0; i < r->n_tensors; i++) {
        sc_parity_tensor *t = &r->tensors[i];
        for (int side = 0; side < 2; side++)
            if (t->base[side])
                r->be[side]->ops->free(r->be[side], t->base[side]);
        free(t->init);
    }
    r->n_tensors = 0;
}

void sc_parity_fail(sc_parity_run *r, const char *fmt, ...) {
    if (r->failed || r->unsupported)
        return;
    r->failed = 1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->why, sizeof r->why, fmt, ap);
    va_end(ap);
}

int sc_parity_step(sc_parity_run *r, int side, sc_status status) {
    if (status == SC_OK)
        return 1;
    sc_backend *be = r->be[side];
    if (side == SC_PARITY_TESTED && status == SC_ERR_UNSUPPORTED && !r->failed) {
        r->unsupported = 1;
        snprintf(r->why, sizeof r->why, "%s: %s", be->name, be->err.msg);
    } else {
        sc_parity_fail(r, "%s%s: %s (%s)", side == SC_PARITY_REF ? "reference " : "", be->name,
                       be->err.msg, sc_status_name(status));
    }
    return 0;
}

void sc_parity_expect_rejected(sc_parity_run *r, const sc_status status[2]) {
    const sc_backend *ref = r->be[SC_PARITY_REF], *tested = r->be[SC_PARITY_TESTED];
    if (status[SC_PARITY_REF] == SC_OK)
        sc_parity_fail(r, "test bug: the reference accepted a call meant to be refused");
    else if (status[SC_PARITY_TESTED] != status[SC_PARITY_REF])
        sc_parity_fail(r, "the reference refused with %s (%s), %s answered %s (%s)",
                       sc_status_name(status[SC_PARITY_REF]), ref->err.msg, tested->name,
                       sc_status_name(status[SC_PARITY_TESTED]),
                       status[SC_PARITY_TESTED] == SC_OK ? "accepted" : tested->err.msg);
}

float *sc_parity_values(sc_parity_tensor *t) { return (float *)t->init; }

void sc_parity_upload(sc_parity_run *r, sc_parity_tensor *t) {
    size_t total = (size_t)t->n + 2 * SC_PARITY_GUARD;
    uint32_t *stage = malloc(total * sizeof *stage);
    if (!stage) {
        sc_parity_fail(r, "out of host memory staging %s", t->name);
        return;
    }
    for (size_t i = 0; i < total; i++)
        stage[i] = SC_PARITY_GUARD_BITS;
    memcpy(stage + SC_PARITY_GUARD, t->init, (size_t)t->n * sizeof *stage);
    for (int side = 0; side < 2; side++)
        if (t->base[side])
            sc_parity_step(
                r, side,
                r->be[side]->ops->upload(r->be[side], t->base[side], stage, total * sizeof *stage));
    free(stage);
}

sc_parity_tensor *sc_parity_tensor_new(sc_parity_run *r, const char *name, sc_dtype dtype, int ndim,
                                       const int64_t *shape, sc_parity_role role, double limit,
                                       float lo, float hi) {
    if (r->n_tensors == SC_PARITY_MAX_TENSORS) {
        sc_parity_fail(r, "test bug: more than %d tensors in one case", SC_PARITY_MAX_TENSORS);
        memset(&r->overflow, 0, sizeof r->overflow);
        return &r->overflow;
    }
    sc_parity_tensor *t = &r->tensors[r->n_tensors++];
    memset(t, 0, sizeof *t);
    t->name = name;
    t->role = role;
    t->dtype = dtype;
    t->limit = limit;
    sc_tensor shape_only = sc_tensor_make(NULL, dtype, ndim, shape);
    t->n = sc_tensor_numel(&shape_only);
    t->init = malloc((size_t)t->n * sizeof *t->init + 1);
    if (!t->init) {
        sc_parity_fail(r, "out of host memory for %s", name);
        return t;
    }
    sc_rng_key key = sc_rng_key_make(r->seed++, 0, SC_RNG_TEST);
    for (int64_t i = 0; i < t->n; i++) {
        float v = dtype == SC_F32 ? lo + (hi - lo) * sc_rng_uniform(key, (uint64_t)i) : 0.0f;
        memcpy(&t->init[i], &v, sizeof v);
    }
    size_t bytes = ((size_t)t->n + 2 * SC_PARITY_GUARD) * sizeof(uint32_t);
    for (int side = 0; side < 2; side++) {
        if (!sc_parity_step(r, side, r->be[side]->ops->alloc(r->be[side], bytes, &t->base[side]))) {
            t->base[side] = NULL;
            return t;
        }
        t->t[side] =
            sc_tensor_make((uint32_t *)t->base[side] + SC_PARITY_GUARD, dtype, ndim, shape);
    }
    sc_parity_upload(r, t);
    return t;
}

sc_parity_tensor *sc_parity_input(sc_parity_run *r, const char *name, int ndim,
                                  const int64_t *shape, float lo, float hi) {
    return sc_parity_tensor_new(r, name, SC_F32, ndim, shape, SC_PARITY_INPUT, 0.0, lo, hi);
}

sc_parity_tensor *sc_parity_output(sc_parity_run *r, const char *name, int ndim,
                                   const int64_t *shape, double limit, float lo, float hi) {
    return sc_parity_tensor_new(r, name, SC_F32, ndim, shape, SC_PARITY_OUTPUT, limit, lo, hi);
}

sc_parity_tensor *sc_parity_i32(sc_parity_run *r, const char *name, int ndim, const int64_t *shape,
                                sc_parity_role role) {
    return sc_parity_tensor_new(r, name, SC_I32, ndim, shape, role, 0.0, 0.0f, 0.0f);
}

/* max |a - b| / max(max |b|, floor) and where it is; INFINITY when a difference is NaN. */
static double normalised_error(const float *a, const float *b, int64_t n, int64_t *worst) {
    double scale = SC_PARITY_ERR_FLOOR, largest = 0.0;
    *worst = 0;
    for (int64_t i = 0; i < n; i++)
        if (fabs((double)b[i]) > scale)
            scale = fabs((double)b[i]);
    for (int64_t i = 0; i < n; i++) {
        double d = fabs((double)a[i] - (double)b[i]);
        if (isnan(d)) {
            *worst = i;
            return INFINITY;
        }
        if (d > largest) {
            largest = d;
            *worst = i;
        }
    }
    return largest / scale;
}

static int64_t count_nonfinite(const float *x, int64_t n) {
    int64_t bad = 0;
    for (int64_t i = 0; i < n; i++)
        bad += !isfinite(x[i]);
    return bad;
}

/* An I32 output: equal to the reference element for element. */
static void compare_i32(sc_parity_run *r, const sc_parity_tensor *t, const int32_t *got,
                        const int32_t *ref, const char *tested_name) {
    for (int64_t i = 0; i < t->n; i++)
        if (got[i] != ref[i]) {
            r->err = INFINITY;
            sc_parity_fail(r, "%s: element %lld differs (%s %d, reference %d)", t->name,
                           (long long)i, tested_name, (int)got[i], (int)ref[i]);
            return;
        }
}

/* An output that may be NaN where the reference is: the NaN positions must agree, and both
 * sides' NaN become 0 in place so the error measure skips them. */
static int match_expected_nan(sc_parity_run *r, const sc_parity_tensor *t, float *got, float *ref,
                              const char *tested_name) {
    for (int64_t i = 0; i < t->n; i++) {
        if (isnan(got[i]) != isnan(ref[i])) {
            sc_parity_fail(r, "%s: element %lld is %.9g on %s, %.9g on the reference", t->name,
                           (long long)i, (double)got[i], tested_name, (double)ref[i]);
            return 0;
        }
        if (isnan(ref[i]))
            got[i] = ref[i] = 0.0f;
    }
    return 1;
}

/* Guards intact on both sides; 0 and a failure recorded otherwise. */
static int guards_intact(sc_parity_run *r, const sc_parity_tensor *t, uint32_t *const stage[2],
                         const char *const side_name[2]) {
    for (int side = 0; side < 2; side++) {
        for (size_t i = 0; i < SC_PARITY_GUARD; i++) {
            if (stage[side][i] != SC_PARITY_GUARD_BITS) {
                sc_parity_fail(r, "%s: %s wrote %zu elements before the tensor", t->name,
                               side_name[side], SC_PARITY_GUARD - i);
                return 0;
            }
            if (stage[side][SC_PARITY_GUARD + (size_t)t->n + i] != SC_PARITY_GUARD_BITS) {
                sc_parity_fail(r, "%s: %s wrote past the end of the tensor (guard element %zu)",
                               t->name, side_name[side], i);
                return 0;
            }
        }
    }
    return 1;
}

/* Inputs bit-unchanged; outputs finite and within the limit of the reference. */
static void compare_contents(sc_parity_run *r, const sc_parity_tensor *t, uint32_t *const stage[2],
                             const char *const side_name[2]) {
    if (t->role == SC_PARITY_INPUT) {
        for (int side = 0; side < 2; side++)
            if (memcmp(stage[side] + SC_PARITY_GUARD, t->init, (size_t)t->n * sizeof(uint32_t)) !=
                0) {
                sc_parity_fail(r, "%s: %s changed an input", t->name, side_name[side]);
                return;
            }
        return;
    }
    if (t->dtype == SC_I32) {
        compare_i32(r, t, (const int32_t *)(stage[SC_PARITY_TESTED] + SC_PARITY_GUARD),
                    (const int32_t *)(stage[SC_PARITY_REF] + SC_PARITY_GUARD),
                    side_name[SC_PARITY_TESTED]);
        return;
    }
    float *ref = (float *)(stage[SC_PARITY_REF] + SC_PARITY_GUARD);
    float *got = (float *)(stage[SC_PARITY_TESTED] + SC_PARITY_GUARD);
    if (t->nan_expected && !match_expected_nan(r, t, got, ref, side_name[SC_PARITY_TESTED]))
        return;
    int64_t bad_got = count_nonfinite(got, t->n), bad_ref = count_nonfinite(ref, t->n);
    if (bad_got || bad_ref) {
        sc_parity_fail(r, "%s: %lld NaN/Inf from %s, %lld from the reference", t->name,
                       (long long)bad_got, side_name[SC_PARITY_TESTED], (long long)bad_ref);
        return;
    }
    int64_t worst;
    double err = normalised_error(got, ref, t->n, &worst);
    if (err > r->err)
        r->err = err;
    if (err > t->limit)
        sc_parity_fail(r, "%s: error %.3g > limit %.3g at element %lld (%s %.9g, reference %.9g)",
                       t->name, err, t->limit, (long long)worst, side_name[SC_PARITY_TESTED],
                       (double)got[worst], (double)ref[worst]);
}

static void verify_tensor(sc_parity_run *r, const sc_parity_tensor *t) {
    const char *side_name[2] = {"the reference", r->be[SC_PARITY_TESTED]->name};
    size_t total = (size_t)t->n + 2 * SC_PARITY_GUARD;
    uint32_t *stage[2] = {malloc(total * sizeof(uint32_t)), malloc(total * sizeof(uint32_t))};
    int downloaded = stage[0] && stage[1];
    if (!downloaded)
        sc_parity_fail(r, "out of host memory checking %s", t->name);
    for (int side = 0; side < 2 && downloaded; side++)
        downloaded =
            sc_parity_step(r, side,
                           r->be[side]->ops->download(r->be[side], stage[side], t->base[side],
                                                      total * sizeof(uint32_t)));
    if (downloaded && guards_intact(r, t, stage, side_name))
        compare_contents(r, t, stage, side_name);
    free(stage[0]);
    free(stage[1]);
}

void sc_parity_verify(sc_parity_run *r) {
    for (int i = 0; i < r->n_tensors && !r->failed && !r->unsupported; i++)
        if (r->tensors[i].base[SC_PARITY_REF] && r->tensors[i].base[SC_PARITY_TESTED])
            verify_tensor(r, &r->tensors[i]);
}
