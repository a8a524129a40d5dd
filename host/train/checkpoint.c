/* Checkpoint save / load through safetensors (see checkpoint.h). */
#include "checkpoint.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkpoint_values.h"
#include "host/core/safetensors.h"

#define OPTIM_PREFIX "optim."
#define MOMENTUM_SUFFIX ".momentum_buffer"

/* Host copy of the three arenas, downloaded for saving. */
typedef struct host_state {
    float *params;   /* (param_arena.size bytes) */
    float *momentum; /* (trainable bytes) */
    int64_t batches_tracked;
} host_state;

static int layer_has_bn(const sc_net *net, int l) { return net->layers[l].kind == SC_LAYER_BN; }

static void set_meta_int(sc_st_writer *w, const char *key, long long v, sc_status *st,
                         sc_error *err) {
    char buf[32];
    snprintf(buf, sizeof buf, "%lld", v);
    if (*st == SC_OK)
        *st = sc_st_writer_set_metadata(w, key, buf, err);
}

static void set_meta_str(sc_st_writer *w, const char *key, const char *v, sc_status *st,
                         sc_error *err) {
    if (*st == SC_OK)
        *st = sc_st_writer_set_metadata(w, key, v, err);
}

static void set_meta_float_list(sc_st_writer *w, const char *key, const float *v, int n,
                                sc_status *st, sc_error *err) {
    char buf[256];
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < n && used < sizeof buf; i++)
        used += (size_t)snprintf(buf + used, sizeof buf - used, i ? ",%.9g" : "%.9g", (double)v[i]);
    set_meta_str(w, key, buf, st, err);
}

static sc_status write_metadata(sc_st_writer *w, const sc_checkpoint_meta *m, sc_error *err) {
    sc_status st = SC_OK;
    char buf[64];
    set_meta_str(w, "format", SC_CHECKPOINT_FORMAT, &st, err);
    set_meta_int(w, "format_version", SC_CHECKPOINT_VERSION, &st, err);
    set_meta_str(w, "model", m->model.name, &st, err);
    set_meta_str(w, "stem", m->model.stem, &st, err);
    set_meta_int(w, "in_channels", m->model.in_channels, &st, err);
    set_meta_int(w, "in_height", m->model.in_h, &st, err);
    set_meta_int(w, "in_width", m->model.in_w, &st, err);
    set_meta_int(w, "num_classes", m->model.num_classes, &st, err);
    set_meta_str(w, "dataset", m->dataset, &st, err);
    set_meta_float_list(w, "norm_mean", m->norm_mean, m->norm_channels, &st, err);
    set_meta_float_list(w, "norm_std", m->norm_std, m->norm_channels, &st, err);
    set_meta_int(w, "epoch", m->epoch, &st, err);
    set_meta_int(w, "step_in_epoch", m->step_in_epoch, &st, err);
    set_meta_int(w, "global_step", m->global_step, &st, err);
    snprintf(buf, sizeof buf, "%llu", (unsigned long long)m->seed);
    set_meta_str(w, "seed", buf, &st, err);
    snprintf(buf, sizeof buf, "%.17g", m->best_accuracy);
    set_meta_str(w, "best_accuracy", buf, &st, err);
    snprintf(buf, sizeof buf, "%.17g", m->test_accuracy);
    set_meta_str(w, "test_accuracy", buf, &st, err);
    snprintf(buf, sizeof buf, "%.17g", m->epoch_loss_sum);
    set_meta_str(w, "epoch_train_loss_sum", buf, &st, err);
    snprintf(buf, sizeof buf, "%.17g", m->epoch_correct_sum);
    set_meta_str(w, "epoch_train_accuracy_sum", buf, &st, err);
    set_meta_int(w, "epoch_train_steps", m->epoch_logged_steps, &st, err);
    set_meta_str(w, "mode", m->mode[0] ? m->mode : "standard", &st, err);
    size_t used = 0;
    char sums[160];
    for (int i = 0; i < 4; i++)
        used += (size_t)snprintf(sums + used, sizeof sums - used, i ? ",%.17g" : "%.17g",
                                 m->epoch_saliency_sums[i]);
    set_meta_str(w, "epoch_train_saliency_sums", sums, &st, err);
    set_meta_int(w, "interval_steps", m->interval_steps, &st, err);
    set_meta_float_list(w, "interval_stats", m->interval_stats, SC_STAT_COUNT, &st, err);
    set_meta_int(w, "log_bytes", m->log_bytes, &st, err);
    if (m->class_names[0])
        set_meta_str(w, "class_names", m->class_names, &st, err);
    if (m->image_resize > 0)
        set_meta_int(w, "image_resize", m->image_resize, &st, err);
    return st;
}

static sc_status download_state(sc_net *net, host_state *h, int with_optimizer, sc_error *err) {
    sc_backend *be = net->be;
    h->params = malloc(net->param_arena.size);
    h->momentum = with_optimizer ? malloc(net->trainable_bytes ? net->trainable_bytes : 1) : NULL;
    if (!h->params || (with_optimizer && !h->momentum))
        return sc_fail(err, SC_ERR_OOM, "no host memory to save the checkpoint");
    sc_status st = be->ops->download(be, h->params, net->param_arena.base, net->param_arena.size);
    if (st == SC_OK && with_optimizer)
        st = be->ops->download(be, h->momentum, net->momentum_arena.base, net->trainable_bytes);
    if (st != SC_OK)
        return sc_fail(err, st, "reading parameters from the device: %s", be->err.msg);
    h->batches_tracked = net->num_batches_tracked;
    return SC_OK;
}

static sc_status add_entries(sc_st_writer *w, const sc_net *net, const host_state *h,
                             int with_optimizer, sc_error *err) {
    int64_t scalar_shape[1] = {0};
    for (int i = 0; i < net->n_params; i++) {
        const sc_param *p = &net->params[i];
        const char *data = (const char *)h->params + p->offset;
        SC_TRY(sc_st_writer_add(w, p->name, SC_ST_F32, p->value.ndim, p->value.shape, data, err));
        /* torchvision orders num_batches_tracked after running_var */
        for (int l = 0; l < net->n_layers; l++) {
            if (!layer_has_bn(net, l) || net->layers[l].buf_var != i)
                continue;
            char name[SC_NAME_LEN + 32];
            snprintf(name, sizeof name, "%s.num_batches_tracked", net->layers[l].name);
            SC_TRY(sc_st_writer_add(w, name, SC_ST_I64, 0, scalar_shape, &h->batches_tracked, err));
        }
    }
    if (!with_optimizer)
        return SC_OK;
    for (int i = 0; i < net->n_params; i++) {
        const sc_param *p = &net->params[i];
        if (!p->trainable)
            continue;
        char name[SC_NAME_LEN + 32];
        snprintf(name, sizeof name, OPTIM_PREFIX "%s" MOMENTUM_SUFFIX, p->name);
        const char *data = (const char *)h->momentum + p->offset;
        SC_TRY(sc_st_writer_add(w, name, SC_ST_F32, p->value.ndim, p->value.shape, data, err));
    }
    return SC_OK;
}

sc_status sc_checkpoint_save(const char *path, sc_net *net, const sc_checkpoint_meta *meta,
                             int with_optimizer, sc_error *err) {
    host_state h = {0};
    sc_st_writer w;
    sc_st_writer_init(&w);
    sc_status st = download_state(net, &h, with_optimizer, err);
    if (st == SC_OK)
        st = write_metadata(&w, meta, err);
    if (st == SC_OK)
        st = add_entries(&w, net, &h, with_optimizer, err);
    if (st == SC_OK)
        st = sc_st_writer_write(&w, path, err);
    sc_st_writer_free(&w);
    free(h.params);
    free(h.momentum);
    if (st != SC_OK)
        sc_error_prefix(err, "saving checkpoint %s", path);
    return st;
}

/* ---- reading ---------------------------------------------------------------------------- */

static sc_status meta_string(const sc_st_file *f, const char *key, const char **out,
                             sc_error *err) {
    *out = sc_st_metadata_get(f, key);
    if (!*out)
        return sc_fail(err, SC_ERR_FORMAT, "%s: metadata has no '%s'", f->name, key);
    return SC_OK;
}

static sc_status meta_int(const sc_st_file *f, const char *key, long long lo, long long hi,
                          long long *out, sc_error *err) {
    const char *s;
    SC_TRY(meta_string(f, key, &s, err));
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return sc_fail(err, SC_ERR_FORMAT, "%s: metadata '%s' = '%s' is not an integer in [%lld, %lld]",
                       f->name, key, s, lo, hi);
    *out = v;
    return SC_OK;
}

static sc_status meta_double(const sc_st_file *f, const char *key, double *out, sc_error *err) {
    const char *s;
    SC_TRY(meta_string(f, key, &s, err));
    char *end;
    *out = strtod(s, &end);
    if (end == s || *end)
        return sc_fail(err, SC_ERR_FORMAT, "%s: metadata '%s' = '%s' is not a number", f->name, key, s);
    return SC_OK;
}

static sc_status meta_float_list(const sc_st_file *f, const char *key, float *out, int max_n,
                                 int *n, sc_error *err) {
    const char *s;
    SC_TRY(meta_string(f, key, &s, err));
    *n = 0;
    while (*s && *n < max_n) {
        char *end;
        out[*n] = strtof(s, &end);
        if (end == s)
            return sc_fail(err, SC_ERR_FORMAT, "%s: metadata '%s' is not a list of numbers",
                           f->name, key);
        (*n)++;
        s = *end == ',' ? end + 1 : end;
    }
    return SC_OK;
}

/* The optional keys of later checkpoints: the pending interval and the log's length. */
static sc_status parse_interval_meta(const sc_st_file *f, sc_checkpoint_meta *m, sc_error *err) {
    long long v;
    m->log_bytes = -1;
    if (sc_st_metadata_get(f, "log_bytes")) {
        SC_TRY(meta_int(f, "log_bytes", -1, (long long)1 << 60, &v, err));
        m->log_bytes = v;
    }
    if (!sc_st_metadata_get(f, "interval_steps"))
        return SC_OK;
    SC_TRY(meta_int(f, "interval_steps", 0, (long long)1 << 40, &v, err));
    m->interval_steps = v;
    int n;
    SC_TRY(meta_float_list(f, "interval_stats", m->interval_stats, SC_STAT_COUNT, &n, err));
    if (n != SC_STAT_COUNT)
        return sc_fail(err, SC_ERR_FORMAT, "%s: metadata 'interval_stats' has %d numbers, expected "
                       "%d", f->name, n, SC_STAT_COUNT);
    return SC_OK;
}

static sc_status parse_meta(const sc_st_file *f, sc_checkpoint_meta *m, sc_error *err) {
    memset(m, 0, sizeof *m);
    const char *s;
    long long v;
    SC_TRY(meta_string(f, "format", &s, err));
    if (strcmp(s, SC_CHECKPOINT_FORMAT) != 0)
        return sc_fail(err, SC_ERR_FORMAT, "%s: not a scaat checkpoint (format '%s')", f->name, s);
    SC_TRY(meta_int(f, "format_version", 1, 1000, &v, err));
    if (v > SC_CHECKPOINT_VERSION)
        return sc_fail(err, SC_ERR_FORMAT, "%s: checkpoint format version %lld is newer than this "
                       "build reads (%d)", f->name, v, SC_CHECKPOINT_VERSION);
    SC_TRY(meta_string(f, "model", &s, err));
    snprintf(m->model.name, sizeof m->model.name, "%s", s);
    SC_TRY(meta_string(f, "stem", &s, err));
    snprintf(m->model.stem, sizeof m->model.stem, "%s", s);
    SC_TRY(meta_int(f, "in_channels", 1, 64, &v, err));
    m->model.in_channels = (int)v;
    SC_TRY(meta_int(f, "in_height", 1, 1 << 16, &v, err));
    m->model.in_h = (int)v;
    SC_TRY(meta_int(f, "in_width", 1, 1 << 16, &v, err));
    m->model.in_w = (int)v;
    SC_TRY(meta_int(f, "num_classes", 1, 1 << 20, &v, err));
    m->model.num_classes = (int)v;
    SC_TRY(meta_string(f, "dataset", &s, err));
    snprintf(m->dataset, sizeof m->dataset, "%s", s);
    int n_std;
    SC_TRY(meta_float_list(f, "norm_mean", m->norm_mean, 4, &m->norm_channels, err));
    SC_TRY(meta_float_list(f, "norm_std", m->norm_std, 4, &n_std, err));
    SC_TRY(meta_int(f, "epoch", 0, 1 << 30, &v, err));
    m->epoch = v;
    SC_TRY(meta_int(f, "step_in_epoch", 0, (long long)1 << 40, &v, err));
    m->step_in_epoch = v;
    SC_TRY(meta_int(f, "global_step", 0, (long long)1 << 50, &v, err));
    m->global_step = v;
    SC_TRY(meta_string(f, "seed", &s, err));
    m->seed = strtoull(s, NULL, 10);
    SC_TRY(meta_double(f, "best_accuracy", &m->best_accuracy, err));
    SC_TRY(meta_double(f, "test_accuracy", &m->test_accuracy, err));
    SC_TRY(meta_double(f, "epoch_train_loss_sum", &m->epoch_loss_sum, err));
    SC_TRY(meta_double(f, "epoch_train_accuracy_sum", &m->epoch_correct_sum, err));
    SC_TRY(meta_int(f, "epoch_train_steps", 0, (long long)1 << 40, &v, err));
    m->epoch_logged_steps = v;
    s = sc_st_metadata_get(f, "mode");
    snprintf(m->mode, sizeof m->mode, "%s", s ? s : "standard");
    s = sc_st_metadata_get(f, "epoch_train_saliency_sums");
    for (int i = 0; s && i < 4; i++) {
        char *end;
        m->epoch_saliency_sums[i] = strtod(s, &end);
        if (end == s || (*end != ',' && *end != '\0') || (i < 3) != (*end == ','))
            return sc_fail(err, SC_ERR_FORMAT, "%s: metadata 'epoch_train_saliency_sums' is not "
                           "a list of 4 numbers", f->name);
        s = end + (*end == ',');
    }
    s = sc_st_metadata_get(f, "class_names");
    snprintf(m->class_names, sizeof m->class_names, "%s", s ? s : "");
    if (sc_st_metadata_get(f, "image_resize")) {
        SC_TRY(meta_int(f, "image_resize", 1, 1 << 16, &v, err));
        m->image_resize = (int)v;
    }
    return parse_interval_meta(f, m, err);
}

sc_status sc_checkpoint_read_meta(const char *path, sc_checkpoint_meta *meta, sc_error *err) {
    sc_st_file f;
    sc_status st = sc_st_open(&f, path, err);
    if (st == SC_OK)
        st = parse_meta(&f, meta, err);
    sc_st_close(&f);
    return st;
}

/* Check an entry against the tensor the model expects. */
static sc_status check_entry(const sc_st_file *f, const sc_st_entry *e, const char *name,
                             const sc_tensor *expected, sc_error *err) {
    if (!e)
        return sc_fail(err, SC_ERR_FORMAT, "%s: tensor '%s' is missing", f->name, name);
    int same = e->dtype == SC_ST_F32 && e->ndim == expected->ndim;
    for (int d = 0; same && d < e->ndim; d++)
        same = e->shape[d] == expected->shape[d];
    if (!same) {
        char want[96];
        return sc_fail(err, SC_ERR_SHAPE, "%s: tensor '%s' is %s with %d dims, the model needs F32 %s",
                       f->name, name, sc_st_dtype_name(e->dtype), e->ndim,
                       sc_tensor_shape_str(expected, want, sizeof want));
    }
    return SC_OK;
}

static int is_known_name(const sc_net *net, const char *name) {
    if (strncmp(name, OPTIM_PREFIX, strlen(OPTIM_PREFIX)) == 0)
        return 1;
    if (sc_net_find_param(net, name) >= 0)
        return 1;
    const char *dot = strrchr(name, '.');
    if (dot && strcmp(dot, ".num_batches_tracked") == 0)
        return 1;
    return 0;
}

static sc_status load_entries(const sc_st_file *f, sc_net *net, int with_optimizer,
                              host_state *h, sc_error *err) {
    for (size_t i = 0; i < f->count; i++)
        if (!is_known_name(net, f->entries[i].name))
            return sc_fail(err, SC_ERR_FORMAT, "%s: unexpected tensor '%s': not a parameter of this model",
                           f->name, f->entries[i].name);
    for (int i = 0; i < net->n_params; i++) {
        const sc_param *p = &net->params[i];
        const sc_st_entry *e = sc_st_find(f, p->name);
        SC_TRY(check_entry(f, e, p->name, &p->value, err));
        memcpy((char *)h->params + p->offset, e->data, e->nbytes);
        SC_TRY(sc_checkpoint_check_values(f->name, p->name,
                                          (const float *)((char *)h->params + p->offset), e->numel,
                                          err));
        if (!with_optimizer || !p->trainable)
            continue;
        char name[SC_NAME_LEN + 32];
        snprintf(name, sizeof name, OPTIM_PREFIX "%s" MOMENTUM_SUFFIX, p->name);
        e = sc_st_find(f, name);
        if (!e)
            return sc_fail(err, SC_ERR_FORMAT, "%s: no optimizer state ('%s'): it cannot be resumed",
                           f->name, name);
        SC_TRY(check_entry(f, e, name, &p->value, err));
        memcpy((char *)h->momentum + p->offset, e->data, e->nbytes);
        SC_TRY(sc_checkpoint_check_values(f->name, name,
                                          (const float *)((char *)h->momentum + p->offset),
                                          e->numel, err));
    }
    h->batches_tracked = 0;
    for (int l = 0; l < net->n_layers; l++) {
        if (!layer_has_bn(net, l))
            continue;
        char name[SC_NAME_LEN + 32];
        snprintf(name, sizeof name, "%s.num_batches_tracked", net->layers[l].name);
        const sc_st_entry *e = sc_st_find(f, name);
        if (!e || e->dtype != SC_ST_I64 || e->numel != 1)
            return sc_fail(err, SC_ERR_FORMAT, "%s: '%s' missing or not an I64 scalar", f->name, name);
        memcpy(&h->batches_tracked, e->data, sizeof h->batches_tracked);
        if (h->batches_tracked < 0)
            return sc_fail(err, SC_ERR_FORMAT, "%s: '%s' is %lld, expected a count >= 0", f->name,
                           name, (long long)h->batches_tracked);
    }
    return SC_OK;
}

sc_status sc_checkpoint_load(const char *path, sc_net *net, int with_optimizer, sc_error *err) {
    sc_st_file f;
    host_state h = {0};
    sc_status st = sc_st_open(&f, path, err);
    if (st == SC_OK) {
        h.params = calloc(1, net->param_arena.size);
        h.momentum = calloc(1, net->trainable_bytes ? net->trainable_bytes : 1);
        if (!h.params || !h.momentum)
            st = sc_fail(err, SC_ERR_OOM, "no host memory to load %s", path);
    }
    if (st == SC_OK)
        st = load_entries(&f, net, with_optimizer, &h, err);
    if (st == SC_OK) {
        sc_backend *be = net->be;
        st = be->ops->upload(be, net->param_arena.base, h.params, net->param_arena.size);
        if (st == SC_OK && with_optimizer)
            st = be->ops->upload(be, net->momentum_arena.base, h.momentum, net->trainable_bytes);
        if (st != SC_OK)
            sc_fail(err, st, "loading %s onto the device: %s", path, be->err.msg);
        else
            net->num_batches_tracked = h.batches_tracked;
    }
    sc_st_close(&f);
    free(h.params);
    free(h.momentum);
    return st;
}
