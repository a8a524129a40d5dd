/* Loading a PyTorch state_dict (safetensors) into a freshly built model: names and shapes
 * checked tensor by tensor, some prefixes optionally left at their initialisation (see
 * init_weights.h). */
#include "init_weights.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/core/safetensors.h"

#define MAX_SKIP_PREFIXES 16
#define SKIP_PREFIX_LEN 128

typedef struct skip_list {
    int count;
    char prefix[MAX_SKIP_PREFIXES][SKIP_PREFIX_LEN];
} skip_list;

static sc_status parse_skip_list(const char *text, skip_list *skip, sc_error *err) {
    skip->count = 0;
    const char *s = text ? text : "";
    while (*s) {
        const char *end = strchr(s, ',');
        size_t len = end ? (size_t)(end - s) : strlen(s);
        if (len == 0 || len >= SKIP_PREFIX_LEN)
            return sc_fail(err, SC_ERR_USAGE, "--init-skip '%s': expected a comma list of parameter-name "
                           "prefixes (each 1 to %d characters), e.g. fc", text, SKIP_PREFIX_LEN - 1);
        if (skip->count == MAX_SKIP_PREFIXES)
            return sc_fail(err, SC_ERR_USAGE, "--init-skip '%s': more than %d prefixes", text, MAX_SKIP_PREFIXES);
        memcpy(skip->prefix[skip->count], s, len);
        skip->prefix[skip->count][len] = '\0';
        skip->count++;
        s = end ? end + 1 : s + len;
    }
    return SC_OK;
}

static int prefix_matches(const char *prefix, const char *name) {
    size_t len = strlen(prefix);
    return strncmp(name, prefix, len) == 0 && (name[len] == '\0' || name[len] == '.');
}

static int is_skipped(const skip_list *skip, const char *name) {
    for (int i = 0; i < skip->count; i++)
        if (prefix_matches(skip->prefix[i], name))
            return 1;
    return 0;
}

static int ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Each prefix must name something in the model (a typo would silently load nothing else). */
static sc_status check_prefixes_used(const skip_list *skip, const sc_net *net, sc_error *err) {
    for (int i = 0; i < skip->count; i++) {
        int used = 0;
        for (int p = 0; p < net->n_params && !used; p++)
            used = prefix_matches(skip->prefix[i], net->params[p].name);
        if (!used)
            return sc_fail(err, SC_ERR_USAGE, "--init-skip: prefix '%s' matches no parameter of the model "
                           "(names as torchvision's state_dict: conv1, bn1, layer1.0, fc, ...)", skip->prefix[i]);
    }
    return SC_OK;
}

/* One file tensor into the host copy of the parameter arena, after checking it. */
static sc_status load_param(const sc_st_file *f, const sc_param *p, void *host, sc_error *err) {
    const sc_st_entry *e = sc_st_find(f, p->name);
    char want[96];
    sc_tensor_shape_str(&p->value, want, sizeof want);
    if (e == NULL)
        return sc_fail(err, SC_ERR_FORMAT, "--init %s: tensor '%s' %s of the model is missing from the file "
                       "(give --init-skip to keep it initialised)", f->name, p->name, want);
    int same = e->dtype == SC_ST_F32 && e->ndim == p->value.ndim;
    for (int d = 0; same && d < e->ndim; d++)
        same = e->shape[d] == p->value.shape[d];
    if (!same) {
        char have[96] = "";
        size_t used = 0;
        for (int d = 0; d < e->ndim && used < sizeof have; d++)
            used += (size_t)snprintf(have + used, sizeof have - used, "%s%lld", d ? ", " : "", (long long)e->shape[d]);
        return sc_fail(err, SC_ERR_SHAPE, "--init %s: tensor '%s' is %s (%s), the model needs F32 %s%s", f->name,
                       p->name, sc_st_dtype_name(e->dtype), have, want,
                       strncmp(p->name, "fc.", 3) == 0 ? " (a different class count? give --init-skip fc)" : "");
    }
    float *dst = (float *)((char *)host + p->offset);
    memcpy(dst, e->data, e->nbytes);
    int is_variance = ends_with(p->name, ".running_var");
    for (int64_t i = 0; i < e->numel; i++)
        if (!isfinite(dst[i]) || (is_variance && dst[i] < 0.0f))
            return sc_fail(err, SC_ERR_FORMAT, "--init %s: tensor '%s' holds %g at element %lld (expected %s)",
                           f->name, p->name, (double)dst[i], (long long)i,
                           is_variance ? "a finite variance >= 0" : "finite values");
    return SC_OK;
}

static sc_status load_into(const sc_st_file *f, const skip_list *skip, sc_net *net, void *host,
                           sc_error *err) {
    for (size_t i = 0; i < f->count; i++) {
        const char *name = f->entries[i].name;
        if (ends_with(name, ".num_batches_tracked") || is_skipped(skip, name))
            continue;
        if (sc_net_find_param(net, name) < 0)
            return sc_fail(err, SC_ERR_FORMAT, "--init %s: tensor '%s' is not a parameter of this model (another "
                           "architecture or stem? give --init-skip to ignore it)", f->name, name);
    }
    for (int p = 0; p < net->n_params; p++)
        if (!is_skipped(skip, net->params[p].name))
            SC_TRY(load_param(f, &net->params[p], host, err));
    return SC_OK;
}

sc_status sc_init_weights_load(const char *path, const char *skip_prefixes, sc_net *net,
                               sc_error *err) {
    skip_list skip;
    SC_TRY(parse_skip_list(skip_prefixes, &skip, err));
    SC_TRY(check_prefixes_used(&skip, net, err));
    sc_st_file f;
    if (sc_st_open(&f, path, err) != SC_OK)
        return sc_error_prefix(err, "--init");
    sc_backend *be = net->be;
    void *host = malloc(net->param_arena.size ? net->param_arena.size : 1);
    sc_status st = host ? SC_OK : sc_fail(err, SC_ERR_OOM, "--init %s: no host memory for the parameters", path);
    /* Start from the fresh parameters so skipped ones keep their initialisation. */
    if (st == SC_OK && be->ops->download(be, host, net->param_arena.base, net->param_arena.size) != SC_OK)
        st = sc_fail(err, SC_ERR_BACKEND, "--init %s: reading parameters from the device: %s", path, be->err.msg);
    if (st == SC_OK)
        st = load_into(&f, &skip, net, host, err);
    if (st == SC_OK && be->ops->upload(be, net->param_arena.base, host, net->param_arena.size) != SC_OK)
        st = sc_fail(err, SC_ERR_BACKEND, "--init %s: writing parameters to the device: %s", path, be->err.msg);
    free(host);
    sc_st_close(&f);
    return st;
}
