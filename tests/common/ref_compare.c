/* Reference-fixture comparisons (see ref_compare.h). */
#include "ref_compare.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

static const char *const KIND_NAMES[SC_REF_KINDS] = {"scalars", "tensors", "gradient sums",
                                                     "gradient norms", "exact (count)"};

void sc_ref_report_init(sc_ref_report *r, double tolerance) {
    memset(r, 0, sizeof *r);
    r->tolerance = tolerance;
    for (int k = 0; k < SC_REF_KINDS; k++)
        r->worst[k] = -1.0; /* nothing compared yet */
}

void sc_ref_record(sc_ref_report *r, sc_ref_kind kind, const char *name, double error) {
    int ok = kind == SC_REF_EXACT ? error == 0.0 : error <= r->tolerance; /* NaN fails */
    if (!ok) {
        size_t used = strlen(r->text);
        if (r->failures < 16)
            snprintf(r->text + used, sizeof r->text - used, "\n  %s %s: %.3g", KIND_NAMES[kind],
                     name, error);
        r->failures++;
    }
    if (error > r->worst[kind] || isnan(error))
        r->worst[kind] = error;
}

void sc_ref_compare_tensor(sc_ref_report *r, const char *name, const float *engine,
                           const float *reference, size_t n) {
    sc_ref_record(r, SC_REF_TENSOR, name, sc_test_max_rel_err(engine, reference, n, 0.0));
}

void sc_ref_compare_scalar(sc_ref_report *r, const char *name, double engine, double reference) {
    sc_ref_record(r, SC_REF_SCALAR, name, fabs(engine - reference) / fabs(reference));
}

void sc_ref_compare_grad_stats(sc_ref_report *r, const char *name, const float *grad, int64_t n,
                               const double stats[3]) {
    double sum = 0.0, sq = 0.0;
    for (int64_t i = 0; i < n; i++) {
        sum += grad[i];
        sq += (double)grad[i] * grad[i];
    }
    sc_ref_record(r, SC_REF_SUM, name, fabs(sum - stats[0]) / stats[2]);
    sc_ref_record(r, SC_REF_NORM, name, fabs(sqrt(sq) - stats[1]) / stats[1]);
}

void sc_ref_summary(const sc_ref_report *r, char *buf, size_t len) {
    size_t used = 0;
    buf[0] = '\0';
    for (int k = 0; k < SC_REF_KINDS && used < len; k++) {
        if (r->worst[k] < 0.0)
            continue;
        int n = snprintf(buf + used, len - used, "%s%s %.2g", used ? ", " : "", KIND_NAMES[k],
                         r->worst[k]);
        used += n > 0 ? (size_t)n : 0;
    }
}

const sc_st_entry *sc_ref_entry(const sc_st_file *f, const char *name, sc_st_dtype dtype,
                                int64_t numel, char *why, size_t why_len) {
    const sc_st_entry *e = sc_st_find(f, name);
    if (!e) {
        snprintf(why, why_len, "%s: no tensor '%s'", f->name, name);
        return NULL;
    }
    if (e->dtype != dtype || (numel >= 0 && e->numel != numel)) {
        snprintf(why, why_len, "%s: '%s' is %s with %lld elements, expected %s with %lld",
                 f->name, name, sc_st_dtype_name(e->dtype), (long long)e->numel,
                 sc_st_dtype_name(dtype), (long long)numel);
        return NULL;
    }
    return e;
}

void *sc_ref_entry_copy(const sc_st_file *f, const char *name, sc_st_dtype dtype, int64_t numel,
                        char *why, size_t why_len) {
    const sc_st_entry *e = sc_ref_entry(f, name, dtype, numel, why, why_len);
    if (!e)
        return NULL;
    void *out = malloc(e->nbytes ? e->nbytes : 1);
    if (!out) {
        snprintf(why, why_len, "no memory for '%s'", name);
        return NULL;
    }
    memcpy(out, e->data, e->nbytes);
    return out;
}
