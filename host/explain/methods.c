/* Saliency methods: names, defaults, the explainer's planning, the gradient and
 * input-x-gradient maps, predictions and the dispatch to the other methods (see methods.h). */
#include "methods.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "explainer_internal.h"
#include "gauss_legendre.h"
#include "saliency.h"

static const char *const method_names[SC_METHOD_COUNT] = {
    "gradient", "input-x-gradient", "smoothgrad", "integrated-gradients", "gradcam"};

sc_status sc_method_parse(const char *name, sc_method_kind *out, sc_error *err) {
    for (int k = 0; k < SC_METHOD_COUNT; k++)
        if (strcmp(name, method_names[k]) == 0) {
            *out = (sc_method_kind)k;
            return SC_OK;
        }
    return sc_fail(err, SC_ERR_USAGE, "unknown saliency method '%s' (expected gradient, "
                   "input-x-gradient, smoothgrad, integrated-gradients or gradcam)", name);
}

const char *sc_method_name(sc_method_kind k) {
    return k >= 0 && k < SC_METHOD_COUNT ? method_names[k] : "unknown";
}

void sc_method_config_default(sc_method_config *c) {
    memset(c, 0, sizeof *c);
    c->kind = SC_METHOD_GRADIENT;
    c->samples = 25;
    c->noise = 0.15f;
    c->steps = 32;
    c->internal_batch = 0;
    c->seed = 0;
}

sc_tensor sc_explainer_rows(const sc_tensor *t, int64_t first, int64_t n) {
    sc_tensor v = *t;
    int64_t row = 1;
    for (int i = 1; i < t->ndim; i++)
        row *= t->shape[i];
    v.data = (char *)t->data + (size_t)(first * row) * sc_dtype_size(t->dtype);
    v.shape[0] = n;
    return v;
}

sc_status sc_explainer_load_rows(sc_explainer *e, const sc_tensor *x, int first, int n,
                                 sc_error *err) {
    sc_backend *be = e->net->be;
    sc_tensor src = sc_explainer_rows(x, first, n);
    sc_status st = be->ops->copy(be, e->acts->values[0].data, src.data, sc_tensor_bytes(&src));
    if (st != SC_OK)
        return sc_fail(err, st, "explain input: %s", be->err.msg);
    sc_acts_set_rows(e->acts, n);
    return SC_OK;
}

static sc_status check_config(int batch, const sc_method_config *c, sc_error *err) {
    if (c->kind < 0 || c->kind >= SC_METHOD_COUNT)
        return sc_fail(err, SC_ERR_USAGE, "unknown saliency method %d", (int)c->kind);
    if (batch < 1 || c->samples < 1 || c->steps < 1 || c->internal_batch < 0)
        return sc_fail(err, SC_ERR_USAGE, "explainer: batch %d, samples %d, steps %d and internal "
                       "batch %d must be positive (internal batch 0 = the batch)", batch,
                       c->samples, c->steps, c->internal_batch);
    if (!isfinite(c->noise) || c->noise < 0.0f)
        return sc_fail(err, SC_ERR_USAGE, "smoothgrad noise must be a finite value >= 0, got %g",
                       c->noise);
    return SC_OK;
}

/* The value feeding the global-average pool (Grad-CAM's last convolutional stage). */
static sc_status find_cam_value(const sc_net *net, int *value, sc_error *err) {
    for (int l = net->n_layers - 1; l >= 0; l--)
        if (net->layers[l].kind == SC_LAYER_GAP && net->layers[l].inputs[0] > 0) {
            *value = net->layers[l].inputs[0];
            return SC_OK;
        }
    return sc_fail(err, SC_ERR_UNSUPPORTED, "gradcam needs a network whose last convolutional "
                   "stage feeds a global-average-pool layer; this one has none");
}

static sc_status plan_buffers(sc_explainer *e, sc_error *err) {
    sc_net *net = e->net;
    int b = e->batch, rows = e->acts->batch;
    sc_method_kind k = e->cfg.kind;
    sc_arena_init(&e->arena, net->be, "explainer");
    e->accum = sc_tensor_4d(NULL, SC_F32, b, net->in_c, net->in_h, net->in_w);
    e->noisy = sc_tensor_4d(NULL, SC_F32, b, net->in_c, net->in_h, net->in_w);
    e->row_targets = sc_tensor_1d(NULL, SC_I32, rows);
    e->row_map = sc_tensor_4d(NULL, SC_F32, rows, 1, net->in_h, net->in_w);
    e->scores = sc_tensor_2d(NULL, SC_F32, 3, b);
    e->signed_map = sc_tensor_4d(NULL, SC_F32, b, 1, net->in_h, net->in_w);
    if (k == SC_METHOD_GRADCAM) {
        const sc_layer *l = &net->layers[e->cam_value - 1];
        e->cam = sc_tensor_4d(NULL, SC_F32, b, 1, l->out_h, l->out_w);
    }
    int copies = k == SC_METHOD_SMOOTHGRAD || k == SC_METHOD_INTEGRATED_GRADIENTS;
    sc_tensor *wanted[] = {copies ? &e->accum : NULL,
                           k == SC_METHOD_SMOOTHGRAD ? &e->noisy : NULL,
                           copies ? &e->row_targets : NULL,
                           copies ? &e->row_map : NULL,
                           k == SC_METHOD_INTEGRATED_GRADIENTS ? &e->scores : NULL,
                           k == SC_METHOD_INTEGRATED_GRADIENTS ? &e->signed_map : NULL,
                           k == SC_METHOD_GRADCAM ? &e->cam : NULL};
    size_t n = sizeof wanted / sizeof wanted[0], offsets[sizeof wanted / sizeof wanted[0]];
    for (size_t i = 0; i < n; i++)
        offsets[i] = wanted[i] ? sc_arena_reserve(&e->arena, sc_tensor_bytes(wanted[i])) : 0;
    if (e->arena.size == 0)
        return SC_OK;
    SC_TRY(sc_arena_commit(&e->arena, err));
    for (size_t i = 0; i < n; i++)
        if (wanted[i])
            wanted[i]->data = sc_arena_ptr(&e->arena, offsets[i]);
    return SC_OK;
}

sc_status sc_explainer_create(sc_net *net, int batch, const sc_method_config *cfg,
                              sc_explainer **out, sc_error *err) {
    *out = NULL;
    SC_TRY(check_config(batch, cfg, err));
    sc_explainer *e = calloc(1, sizeof *e);
    if (!e)
        return sc_fail(err, SC_ERR_OOM, "no host memory for the explainer");
    e->net = net;
    e->cfg = *cfg;
    e->batch = batch;
    e->copies = cfg->kind == SC_METHOD_SMOOTHGRAD               ? cfg->samples
                : cfg->kind == SC_METHOD_INTEGRATED_GRADIENTS ? cfg->steps
                                                               : 1;
    int64_t rows = batch; /* the device batch: the images, or packed copies of them */
    if (cfg->kind == SC_METHOD_SMOOTHGRAD || cfg->kind == SC_METHOD_INTEGRATED_GRADIENTS) {
        int64_t jobs = (int64_t)batch * e->copies;
        rows = cfg->internal_batch > 0 ? cfg->internal_batch : batch;
        rows = rows < jobs ? rows : jobs;
    }
    sc_status st = SC_OK;
    if (cfg->kind == SC_METHOD_GRADCAM)
        st = find_cam_value(net, &e->cam_value, err);
    if (st == SC_OK)
        st = sc_acts_create(net, (int)rows, 1, cfg->kind != SC_METHOD_GRADCAM, &e->acts, err);
    if (st == SC_OK)
        st = plan_buffers(e, err);
    if (st == SC_OK) {
        e->segments = malloc((size_t)rows * sizeof *e->segments);
        e->ig_nodes = malloc((size_t)cfg->steps * sizeof *e->ig_nodes);
        e->ig_weights = malloc((size_t)cfg->steps * sizeof *e->ig_weights);
        if (!e->segments || !e->ig_nodes || !e->ig_weights)
            st = sc_fail(err, SC_ERR_OOM, "no host memory for the explainer");
    }
    if (st != SC_OK) {
        sc_explainer_destroy(e);
        return st;
    }
    sc_gauss_legendre_01(cfg->steps, e->ig_nodes, e->ig_weights);
    *out = e;
    return SC_OK;
}

void sc_explainer_destroy(sc_explainer *e) {
    if (!e)
        return;
    sc_arena_release(&e->arena);
    sc_acts_destroy(e->acts);
    free(e->segments);
    free(e->ig_nodes);
    free(e->ig_weights);
    free(e);
}

static sc_status check_run_shapes(const sc_explainer *e, const sc_tensor *x,
                                  const sc_tensor *targets, const sc_tensor *maps,
                                  const sc_tensor *ig_gap, sc_error *err) {
    const sc_net *net = e->net;
    int64_t n = x->shape[0];
    int ok = x->ndim == 4 && n >= 1 && n <= e->batch && x->shape[1] == net->in_c &&
             x->shape[2] == net->in_h && x->shape[3] == net->in_w && targets->ndim == 1 &&
             targets->shape[0] == n && targets->dtype == SC_I32;
    if (maps)
        ok = ok && maps->ndim == 4 && maps->shape[0] == n && maps->shape[1] == 1 &&
             maps->shape[2] == net->in_h && maps->shape[3] == net->in_w;
    if (ig_gap)
        ok = ok && ig_gap->ndim == 1 && ig_gap->shape[0] == n;
    char xs[64];
    return ok ? SC_OK
              : sc_fail(err, SC_ERR_SHAPE, "explainer: input %s does not fit batches of up to %d "
                        "images of %dx%dx%d, with targets (n), maps (n, 1, H, W), gaps (n)",
                        sc_tensor_shape_str(x, xs, sizeof xs), e->batch, net->in_c, net->in_h,
                        net->in_w);
}

/* gradient: mean over c of |g|; input-x-gradient: mean over c of |x * g|. */
static sc_status explain_gradient(sc_explainer *e, const sc_tensor *x, const sc_tensor *targets,
                                  const sc_tensor *maps, int times_input, sc_error *err) {
    sc_backend *be = e->net->be;
    int n = (int)x->shape[0];
    sc_saliency_params mean = {SC_REDUCE_MEAN};
    SC_TRY(sc_explainer_load_rows(e, x, 0, n, err));
    SC_TRY(sc_saliency_gradient(e->net, e->acts, SC_FWD_EVAL, 0, targets, &mean, maps, err));
    if (!times_input)
        return SC_OK;
    sc_tensor g = sc_explainer_rows(&e->acts->grads[0], 0, n); /* (n, C, H, W) */
    sc_status st = be->ops->saliency_reduce(be, &mean, &g, x, maps);
    return st == SC_OK ? SC_OK : sc_fail(err, st, "input-x-gradient map: %s", be->err.msg);
}

sc_status sc_explainer_run(sc_explainer *e, const sc_tensor *x, const sc_tensor *targets,
                           const sc_tensor *maps, const sc_tensor *ig_gap, sc_error *err) {
    SC_TRY(check_run_shapes(e, x, targets, maps, ig_gap, err));
    switch (e->cfg.kind) {
    case SC_METHOD_GRADIENT:
        return explain_gradient(e, x, targets, maps, 0, err);
    case SC_METHOD_INPUT_X_GRADIENT:
        return explain_gradient(e, x, targets, maps, 1, err);
    case SC_METHOD_SMOOTHGRAD:
        return sc_explain_smoothgrad(e, x, targets, maps, err);
    case SC_METHOD_INTEGRATED_GRADIENTS:
        return sc_explain_integrated_gradients(e, x, targets, maps, ig_gap, err);
    case SC_METHOD_GRADCAM:
        return sc_explain_gradcam(e, x, targets, maps, err);
    case SC_METHOD_COUNT:
        break;
    }
    return sc_fail(err, SC_ERR_INTERNAL, "explainer: unknown method %d", (int)e->cfg.kind);
}

sc_status sc_explainer_predict(sc_explainer *e, const sc_tensor *x, const sc_tensor *targets,
                               sc_error *err) {
    SC_TRY(check_run_shapes(e, x, targets, NULL, NULL, err));
    int n = (int)x->shape[0], rows = e->acts->batch;
    for (int first = 0; first < n; first += rows) {
        int count = n - first < rows ? n - first : rows;
        sc_tensor t = sc_explainer_rows(targets, first, count);
        SC_TRY(sc_explainer_load_rows(e, x, first, count, err));
        SC_TRY(sc_net_forward(e->net, e->acts, SC_FWD_EVAL, err));
        SC_TRY(sc_saliency_predicted(e->net, e->acts, &t, err));
    }
    return SC_OK;
}
