/* Reference-fixture comparisons (see ref_compare.h). */
#include "ref_compare.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "closed_form_params.h"
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

/* Metadata `key`, or NULL with the reason in why. */
static const char *fixture_meta(const sc_st_file *f, const char *key, char *why, size_t why_len) {
    const char *v = sc_st_metadata_get(f, key);
    if (!v)
        snprintf(why, why_len, "%s: no metadata '%s'", f->name, key);
    return v;
}

int sc_ref_fixture_open(sc_st_file *file, const char *rel, const char *format,
                        sc_model_spec *spec, int *batch, char *why, size_t why_len) {
    char path[1024];
    sc_error err;
    sc_error_clear(&err);
    memset(file, 0, sizeof *file);
    memset(spec, 0, sizeof *spec);
    sc_test_source_path(rel, path, sizeof path);
    if (sc_st_open(file, path, &err) != SC_OK) {
        snprintf(why, why_len, "%s", err.msg);
        return -1;
    }
    static const char *const keys[] = {"format", "model", "stem", "in_channels",
                                       "num_classes", "height", "width", "batch"};
    const char *v[sizeof keys / sizeof keys[0]];
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        if (!(v[i] = fixture_meta(file, keys[i], why, why_len))) {
            sc_st_close(file);
            return -1;
        }
    }
    if (strcmp(v[0], format) != 0) {
        snprintf(why, why_len, "%s: format '%s', expected '%s'", file->name, v[0], format);
        sc_st_close(file);
        return -1;
    }
    snprintf(spec->name, sizeof spec->name, "%s", v[1]);
    snprintf(spec->stem, sizeof spec->stem, "%s", v[2]);
    spec->in_channels = atoi(v[3]);
    spec->num_classes = atoi(v[4]);
    spec->in_h = atoi(v[5]);
    spec->in_w = atoi(v[6]);
    *batch = atoi(v[7]);
    if (*batch <= 0) {
        snprintf(why, why_len, "%s: batch %d", file->name, *batch);
        sc_st_close(file);
        return -1;
    }
    return 0;
}

/* Multiplies a parameter by gain through the backend. */
static sc_status scale_param(sc_backend *be, sc_net *net, const char *name, float gain,
                             sc_error *err) {
    int p = sc_net_find_param(net, name);
    if (p < 0)
        return sc_fail(err, SC_ERR_USAGE, "no parameter %s", name);
    const sc_tensor *v = &net->params[p].value;
    size_t n = (size_t)sc_tensor_numel(v);
    float *host = malloc((n ? n : 1) * sizeof *host);
    if (!host)
        return sc_fail(err, SC_ERR_OOM, "no memory to scale %s", name);
    sc_status st = be->ops->download(be, host, v->data, n * sizeof *host);
    for (size_t i = 0; st == SC_OK && i < n; i++)
        host[i] *= gain;
    if (st == SC_OK)
        st = be->ops->upload(be, v->data, host, n * sizeof *host);
    free(host);
    if (st != SC_OK)
        return sc_fail(err, st, "scaling %s: %s", name, be->err.msg);
    return SC_OK;
}

sc_status sc_ref_fixture_net(const sc_model_spec *spec, float logit_gain, sc_backend **be,
                             sc_net **net, sc_error *err) {
    sc_backend_config config = sc_backend_config_default();
    config.threads = 2;
    *be = NULL;
    *net = NULL;
    sc_status st = sc_backend_create("cpu", &config, be, err);
    if (st == SC_OK)
        st = sc_model_create(spec, *be, 1, net, err);
    if (st == SC_OK)
        st = sc_closed_form_set_params(*net, err);
    if (st == SC_OK && logit_gain != 1.0f)
        st = scale_param(*be, *net, "fc.weight", logit_gain, err);
    if (st == SC_OK && logit_gain != 1.0f)
        st = scale_param(*be, *net, "fc.bias", logit_gain, err);
    if (st != SC_OK) {
        sc_net_destroy(*net);
        sc_backend_destroy(*be);
        *net = NULL;
        *be = NULL;
    }
    return st;
}
