/* The engine against PyTorch (llm.c style): tests/make_fixtures.py sets every parameter of
 * torchvision's resnet18 (CIFAR stem), resnet50 (ImageNet stem) and the engine's resnet8 by a
 * closed-form formula (tests/common/closed_form_params.c), runs a training-mode forward, the
 * cross-entropy loss and the backward pass in float64, then 3 SGD steps, and stores the results
 * in tests/fixtures/ (one safetensors file per model). Here the same networks are built with
 * sc_model_create on the CPU backend, given the same parameters, and every result is compared
 * within TOLERANCE:
 *   tensors (logits, BN running statistics, input gradient, sampled or full weight gradients):
 *       max |engine - reference| / max |reference|;
 *   scalars (loss, SGD losses): |engine - reference| / |reference|;
 *   gradient sums: |sum_engine - sum_ref| / sum |ref| (a sum's rounding error is a fraction of
 *       the sum of magnitudes; the sum itself may be 0: fc.bias's gradient sums to 0);
 *   gradient L2 norms: |norm_engine - norm_ref| / norm_ref.
 * ReLU inputs within rounding of 0 are aligned with the reference (align_relu_kinks). float32
 * PyTorch lands within 4e-5 of the reference on all of them, NCHW and channels-last, on 1 and 2
 * threads (the fixtures record it); this engine within 1.5e-5.
 * A separate test checks that the engine's parameter names and shapes are exactly torchvision's
 * state_dict (num_batches_tracked after each BN's running_var), another that the C formula gives
 * the values the Python one gave. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/test_util.h"
#include "host/backend/backend.h"
#include "host/core/json.h"
#include "host/core/safetensors.h"
#include "host/train/evaluate.h"
#include "host/train/train_step.h"
#include "models/resnet.h"
#include "tests/common/check_ref.h"
#include "tests/common/check_run.h"

#define TOLERANCE 1e-4
#define REPORT_LEN 4096

static const char *const FIXTURES[] = {
    "tests/fixtures/resnet8.safetensors",
    "tests/fixtures/resnet18_cifar.safetensors",
    "tests/fixtures/resnet50_imagenet.safetensors",
};
#define N_FIXTURES ((int)(sizeof FIXTURES / sizeof FIXTURES[0]))

/* ---- reading the fixture --------------------------------------------------------------------- */

typedef struct fixture {
    sc_st_file file;
    sc_model_spec spec;
    int batch;
    int full_grads;
} fixture;

static const char *meta(const fixture *fx, const char *key) {
    return sc_check_meta(&fx->file, key);
}

static int meta_int(const fixture *fx, const char *key) { return atoi(meta(fx, key)); }

static double meta_double(const fixture *fx, const char *key) {
    return strtod(meta(fx, key), NULL);
}

static void fixture_open(fixture *fx, int index) {
    memset(fx, 0, sizeof *fx);
    sc_check_fixture_open(&fx->file, FIXTURES[index], "scaat-pytorch-reference-1", &fx->spec,
                          &fx->batch);
    fx->full_grads = meta_int(fx, "full_grads");
    ck_assert_int_gt(fx->batch, 0);
}

/* The entry `name`, which must have this dtype and element count. */
static const sc_st_entry *entry(const fixture *fx, const char *name, sc_st_dtype dtype,
                                int64_t numel) {
    char why[SC_REF_WHY_LEN];
    const sc_st_entry *e = sc_ref_entry(&fx->file, name, dtype, numel, why, sizeof why);
    ck_assert_msg(e != NULL, "%s", why);
    return e;
}

/* A copy of the entry's data (the file's data may be unaligned). */
static void *entry_copy(const fixture *fx, const char *name, sc_st_dtype dtype, int64_t numel) {
    return sc_check_ref_copy(&fx->file, NULL, name, dtype, numel);
}

static float *ref_f32(const fixture *fx, const char *name, int64_t numel) {
    return entry_copy(fx, name, SC_ST_F32, numel);
}

static void fixture_close(fixture *fx) { sc_st_close(&fx->file); }

/* ---- the engine side ------------------------------------------------------------------------- */

typedef struct engine {
    sc_backend *be;
    sc_net *net;
    sc_acts *acts;
} engine;

/* The fixture's model on the CPU backend with the closed-form parameters, and activations
 * holding the fixture's batch (with the input gradient). */
static void engine_create(engine *e, const fixture *fx) {
    sc_error err;
    sc_error_clear(&err);
    sc_check_fixture_net(&fx->spec, 1.0f, &e->be, &e->net);
    ck_assert_msg(sc_acts_create(e->net, fx->batch, 1, 1, &e->acts, &err) == SC_OK, "%s", err.msg);
    const sc_tensor *input = &e->acts->values[0]; /* (N, C, H, W) */
    int64_t n_input = sc_tensor_numel(input);
    const sc_st_entry *images = entry(fx, "input", SC_ST_F32, n_input);
    const sc_st_entry *labels = entry(fx, "labels", SC_ST_I32, fx->batch);
    ck_assert(e->be->ops->upload(e->be, input->data, images->data, images->nbytes) == SC_OK);
    ck_assert(e->be->ops->upload(e->be, e->acts->labels.data, labels->data, labels->nbytes) ==
              SC_OK);
}

static void engine_destroy(engine *e) {
    sc_acts_destroy(e->acts);
    sc_net_destroy(e->net);
    sc_backend_destroy(e->be);
}

static float *download_tensor(const engine *e, const sc_tensor *t) {
    float *host = malloc(sc_tensor_bytes(t) ? sc_tensor_bytes(t) : 1);
    ck_assert_ptr_nonnull(host);
    ck_assert(e->be->ops->download(e->be, host, t->data, sc_tensor_bytes(t)) == SC_OK);
    return host;
}

/* ReLU kinks. A ReLU input within float32 rounding of 0 may fall on either side in two correct
 * float32 implementations, and the gradient through it jumps by the whole upstream gradient (in
 * resnet50 one such element moves a layer1 weight gradient by 4e-2). The fixture lists, for the
 * forward of SGD step s, every ReLU input within 1e-4 of its tensor's max of 0 (kinks<s>.relu:
 * which ReLU in forward order, kinks<s>.index: the element, kinks<s>.value: the reference's
 * input); after the forward those outputs are set to max(value, 0), so the backward takes the
 * reference's side (a change of at most 1e-4 of the tensor's scale to the saved output).
 * Prints how many of them the engine had on the other side of 0 and fails when that is more
 * than a quarter. */
static void align_relu_kinks(engine *e, const fixture *fx, int step) {
    const sc_net *net = e->net;
    const sc_st_entry *numel_entry = sc_st_find(&fx->file, "relu_numel");
    ck_assert_msg(numel_entry && numel_entry->dtype == SC_ST_I64, "%s: no relu_numel",
                  fx->file.name);
    int64_t *relu_numel = entry_copy(fx, "relu_numel", SC_ST_I64, numel_entry->numel);
    char key[32];
    snprintf(key, sizeof key, "kinks%d.relu", step);
    const sc_st_entry *relu_entry = sc_st_find(&fx->file, key);
    ck_assert_msg(relu_entry && relu_entry->dtype == SC_ST_I32, "%s: no %s", fx->file.name, key);
    int64_t n_kinks = relu_entry->numel;
    int32_t *kink_relu = entry_copy(fx, key, SC_ST_I32, n_kinks);
    snprintf(key, sizeof key, "kinks%d.index", step);
    int64_t *kink_index = entry_copy(fx, key, SC_ST_I64, n_kinks);
    snprintf(key, sizeof key, "kinks%d.value", step);
    double *kink_value = entry_copy(fx, key, SC_ST_F64, n_kinks);

    int flipped = 0;
    int64_t k = 0; /* kinks are sorted by ReLU */
    int relu = 0;
    for (int l = 0; l < net->n_layers; l++) {
        if (net->layers[l].kind != SC_LAYER_RELU)
            continue;
        const sc_tensor *y = &e->acts->values[l + 1]; /* (N, C, H, W) */
        int64_t n = sc_tensor_numel(y);
        ck_assert_msg(relu < numel_entry->numel && relu_numel[relu] == n, "%s: ReLU %d of the "
                      "engine has %lld elements, PyTorch's %lld", fx->spec.name, relu, (long long)n,
                      relu < numel_entry->numel ? (long long)relu_numel[relu] : -1LL);
        if (k < n_kinks && kink_relu[k] == relu) {
            float *host = download_tensor(e, y);
            for (; k < n_kinks && kink_relu[k] == relu; k++) {
                ck_assert(kink_index[k] >= 0 && kink_index[k] < n);
                float aligned = kink_value[k] > 0.0 ? (float)kink_value[k] : 0.0f;
                flipped += (host[kink_index[k]] > 0.0f) != (aligned > 0.0f);
                host[kink_index[k]] = aligned;
            }
            ck_assert(e->be->ops->upload(e->be, y->data, host, sc_tensor_bytes(y)) == SC_OK);
            free(host);
        }
        relu++;
    }
    ck_assert_msg(relu == numel_entry->numel && k == n_kinks, "%s: the engine has %d ReLUs, "
                  "PyTorch %lld; %lld of %lld kinks placed", fx->spec.name, relu,
                  (long long)numel_entry->numel, (long long)k, (long long)n_kinks);
    /* Rounding moves a few inputs across 0; a forward that is off moves many. */
    ck_assert_msg(4 * flipped <= n_kinks, "%s: %d of the %lld ReLU inputs near 0 are on the other "
                  "side of 0 than PyTorch's", fx->spec.name, flipped, (long long)n_kinks);
    printf("%s forward of step %d: %d of %lld ReLU inputs near 0 aligned across 0\n", fx->spec.name,
           step, flipped, (long long)n_kinks);
    free(relu_numel);
    free(kink_relu);
    free(kink_index);
    free(kink_value);
}

/* Zero the gradients and loss statistics, forward in training mode, ReLU kinks aligned for SGD
 * step `step`, loss and full backward; returns the mean loss. */
static double engine_forward_backward(engine *e, const fixture *fx, int step) {
    sc_error err;
    sc_error_clear(&err);
    sc_backend *be = e->be;
    sc_acts *acts = e->acts;
    ck_assert_msg(sc_net_zero_grads(e->net, &err) == SC_OK, "%s", err.msg);
    ck_assert(be->ops->zero(be, acts->loss_stats.data, 2 * sizeof(float)) == SC_OK);
    ck_assert_msg(sc_net_forward(e->net, acts, SC_FWD_TRAIN, &err) == SC_OK, "%s", err.msg);
    align_relu_kinks(e, fx, step);
    sc_xent_params xp = {0.0f, 1.0f};
    sc_tensor logits = sc_acts_logits_rows(acts), dlogits = sc_acts_dlogits_rows(acts);
    sc_tensor labels = sc_acts_labels_rows(acts);
    ck_assert_msg(be->ops->softmax_xent(be, &xp, &logits, &labels, &dlogits, &acts->loss_stats) ==
                  SC_OK, "%s", be->err.msg);
    ck_assert_msg(sc_net_backward(e->net, acts, SC_BWD_FULL, &err) == SC_OK, "%s", err.msg);
    float stats[2];
    ck_assert(be->ops->download(be, stats, acts->loss_stats.data, sizeof stats) == SC_OK);
    return (double)stats[0] / acts->n_rows;
}

/* ---- comparisons ----------------------------------------------------------------------------- */

/* Worst error per kind of comparison, and the failures in words. */
typedef struct report {
    const char *model;
    int failures;
    double worst_tensor, worst_scalar, worst_sum, worst_norm;
    char text[REPORT_LEN];
} report;

static void record(report *r, double *worst, const char *what, const char *name, double error) {
    if (!(error <= TOLERANCE)) { /* NaN fails too */
        size_t used = strlen(r->text);
        if (r->failures < 12)
            snprintf(r->text + used, sizeof r->text - used, "\n  %s %s: error %.3g", what, name,
                     error);
        r->failures++;
    }
    if (error > *worst || isnan(error))
        *worst = error;
}

static void compare_tensor(report *r, const char *name, const float *engine_values,
                           const float *reference, size_t n) {
    record(r, &r->worst_tensor, "tensor", name,
           sc_test_max_rel_err(engine_values, reference, n, 0.0));
}

static void compare_scalar(report *r, const char *name, double engine_value, double reference) {
    record(r, &r->worst_scalar, "scalar", name, fabs(engine_value - reference) / fabs(reference));
}

/* Sum and norm of an engine gradient against grad_stats.<name> = (sum, L2 norm, L1 norm), then
 * its sampled (grad_index/grad_value) or full (grad.<name>) elements. */
static void compare_gradient(report *r, const fixture *fx, const sc_param *p, const float *grad) {
    int64_t n = sc_tensor_numel(&p->grad);
    char key[SC_NAME_LEN + 16];
    snprintf(key, sizeof key, "grad_stats.%s", p->name);
    double *stats = entry_copy(fx, key, SC_ST_F64, 3);
    double sum = 0.0, sq = 0.0;
    for (int64_t i = 0; i < n; i++) {
        sum += grad[i];
        sq += (double)grad[i] * grad[i];
    }
    record(r, &r->worst_sum, "gradient sum", p->name, fabs(sum - stats[0]) / stats[2]);
    record(r, &r->worst_norm, "gradient norm", p->name, fabs(sqrt(sq) - stats[1]) / stats[1]);
    free(stats);

    snprintf(key, sizeof key, "grad_index.%s", p->name);
    const sc_st_entry *index_entry = sc_st_find(&fx->file, key);
    ck_assert_msg(index_entry != NULL && index_entry->dtype == SC_ST_I64 && index_entry->ndim == 1,
                  "%s: no int64 vector '%s'", fx->file.name, key);
    int64_t n_samples = index_entry->numel;
    ck_assert_int_gt(n_samples, 0);
    int64_t *index = entry_copy(fx, key, SC_ST_I64, n_samples);
    snprintf(key, sizeof key, "grad_value.%s", p->name);
    float *expected = ref_f32(fx, key, n_samples);
    float *sampled = malloc((size_t)n_samples * sizeof *sampled);
    ck_assert_ptr_nonnull(sampled);
    for (int64_t s = 0; s < n_samples; s++) {
        ck_assert_msg(index[s] >= 0 && index[s] < n, "%s: sample index %lld out of range",
                      key, (long long)index[s]);
        sampled[s] = grad[index[s]];
    }
    compare_tensor(r, key, sampled, expected, (size_t)n_samples);
    free(sampled);
    free(expected);
    free(index);

    if (fx->full_grads) {
        snprintf(key, sizeof key, "grad.%s", p->name);
        float *full = ref_f32(fx, key, n);
        compare_tensor(r, key, grad, full, (size_t)n);
        free(full);
    }
}

static void report_check(const report *r, const char *what) {
    printf("%s %s: worst error scalars %.2e", r->model, what, r->worst_scalar);
    if (r->worst_tensor > 0.0 || r->worst_sum > 0.0 || r->worst_norm > 0.0)
        printf(", tensors %.2e, gradient sums %.2e, norms %.2e", r->worst_tensor, r->worst_sum,
               r->worst_norm);
    printf("\n");
    ck_assert_msg(r->failures == 0, "%s %s: %d comparisons beyond %g:%s", r->model, what,
                  r->failures, TOLERANCE, r->text);
}

/* ---- tests ----------------------------------------------------------------------------------- */

/* The engine's state_dict, in order: every parameter and buffer, with num_batches_tracked after
 * each BN's running_var; names and shapes exactly torchvision's. */
START_TEST(test_state_dict_names) {
    fixture fx;
    fixture_open(&fx, _i);
    sc_backend *be = NULL;
    sc_net *net = NULL;
    sc_error err;
    sc_error_clear(&err);
    sc_backend_config config = sc_backend_config_default();
    config.threads = 2;
    ck_assert_msg(sc_backend_create("cpu", &config, &be, &err) == SC_OK, "%s", err.msg);
    ck_assert_msg(sc_model_create(&fx.spec, be, 1, &net, &err) == SC_OK, "%s", err.msg);

    const char *names_json = meta(&fx, "state_dict_names");
    const char *shapes_json = meta(&fx, "state_dict_shapes");
    sc_json_doc names_doc, shapes_doc;
    ck_assert_msg(sc_json_parse(&names_doc, names_json, strlen(names_json), "state_dict_names",
                                &err) == SC_OK, "%s", err.msg);
    ck_assert_msg(sc_json_parse(&shapes_doc, shapes_json, strlen(shapes_json), "state_dict_shapes",
                                &err) == SC_OK, "%s", err.msg);
    size_t n_expected = sc_json_count(names_doc.root);
    ck_assert_uint_eq(sc_json_count(shapes_doc.root), n_expected);

    size_t at = 0;
    for (int i = 0; i < net->n_params; i++) {
        const sc_param *p = &net->params[i];
        ck_assert_msg(at < n_expected, "%s: the engine has more entries than torchvision's %zu "
                      "(next: %s)", fx.spec.name, n_expected, p->name);
        const char *name = sc_json_get_string(sc_json_array_at(names_doc.root, at));
        ck_assert_msg(name && strcmp(name, p->name) == 0, "%s entry %zu: engine '%s', torchvision "
                      "'%s'", fx.spec.name, at, p->name, name ? name : "(not a string)");
        const sc_json_value *shape = sc_json_array_at(shapes_doc.root, at);
        ck_assert_msg(sc_json_count(shape) == (size_t)p->value.ndim, "%s: %s has %d dimensions, "
                      "torchvision %zu", fx.spec.name, p->name, p->value.ndim,
                      sc_json_count(shape));
        for (int d = 0; d < p->value.ndim; d++) {
            int64_t dim = -1;
            ck_assert(sc_json_get_i64(sc_json_array_at(shape, (size_t)d), &dim));
            ck_assert_msg(dim == p->value.shape[d], "%s: %s dimension %d is %lld, torchvision %lld",
                          fx.spec.name, p->name, d, (long long)p->value.shape[d], (long long)dim);
        }
        at++;
        for (int l = 0; l < net->n_layers; l++) {
            if (net->layers[l].kind != SC_LAYER_BN || net->layers[l].buf_var != i)
                continue;
            char tracked[SC_NAME_LEN + 32];
            snprintf(tracked, sizeof tracked, "%s.num_batches_tracked", net->layers[l].name);
            ck_assert_msg(at < n_expected, "%s: torchvision's state_dict ends before %s",
                          fx.spec.name, tracked);
            name = sc_json_get_string(sc_json_array_at(names_doc.root, at));
            ck_assert_msg(name && strcmp(name, tracked) == 0, "%s entry %zu: engine '%s', "
                          "torchvision '%s'", fx.spec.name, at, tracked, name ? name : "?");
            ck_assert_uint_eq(sc_json_count(sc_json_array_at(shapes_doc.root, at)), 0);
            at++;
        }
    }
    ck_assert_msg(at == n_expected, "%s: the engine has %zu entries, torchvision %zu", fx.spec.name,
                  at, n_expected);
    sc_json_doc_free(&names_doc);
    sc_json_doc_free(&shapes_doc);
    sc_net_destroy(net);
    sc_backend_destroy(be);
    fixture_close(&fx);
}
END_TEST

/* The C formula, uploaded into the network, gives the values the Python one gave: the sum of
 * every parameter's values matches param_sums to double rounding. */
START_TEST(test_closed_form_matches_python) {
    fixture fx;
    fixture_open(&fx, _i);
    engine e;
    engine_create(&e, &fx);
    double *expected = entry_copy(&fx, "param_sums", SC_ST_F64, e.net->n_params);
    for (int i = 0; i < e.net->n_params; i++) {
        const sc_param *p = &e.net->params[i];
        float *values = download_tensor(&e, &p->value);
        double sum = 0.0, magnitude = 0.0;
        for (int64_t k = 0; k < sc_tensor_numel(&p->value); k++) {
            sum += values[k];
            magnitude += fabs((double)values[k]);
        }
        ck_assert_msg(fabs(sum - expected[i]) <= 1e-9 * magnitude, "%s: %s sums to %.17g, the "
                      "Python formula to %.17g", fx.spec.name, p->name, sum, expected[i]);
        free(values);
    }
    free(expected);
    engine_destroy(&e);
    fixture_close(&fx);
}
END_TEST

/* Step 0: logits, loss, running statistics, input gradient and every weight gradient. */
START_TEST(test_step0_matches_pytorch) {
    fixture fx;
    fixture_open(&fx, _i);
    engine e;
    engine_create(&e, &fx);
    sc_net *net = e.net;
    report r = {.model = fx.spec.name};

    double loss = engine_forward_backward(&e, &fx, 0);
    ck_assert_int_eq(net->num_batches_tracked, 1);

    const sc_tensor *logits = sc_acts_logits(e.acts); /* (N, K) */
    size_t n_logits = (size_t)sc_tensor_numel(logits);
    float *logits_engine = download_tensor(&e, logits);
    float *logits_ref = ref_f32(&fx, "logits", (int64_t)n_logits);
    compare_tensor(&r, "logits", logits_engine, logits_ref, n_logits);
    float *loss_ref = ref_f32(&fx, "loss", 1);
    compare_scalar(&r, "loss", loss, loss_ref[0]);

    const sc_tensor *input_grad = &e.acts->grads[0]; /* (N, C, H, W) */
    ck_assert_ptr_nonnull(input_grad->data);
    size_t n_input = (size_t)sc_tensor_numel(input_grad);
    float *input_grad_engine = download_tensor(&e, input_grad);
    float *input_grad_ref = ref_f32(&fx, "input_grad", (int64_t)n_input);
    compare_tensor(&r, "input_grad", input_grad_engine, input_grad_ref, n_input);

    for (int i = 0; i < net->n_params; i++) {
        const sc_param *p = &net->params[i];
        if (p->trainable) {
            float *grad = download_tensor(&e, &p->grad);
            compare_gradient(&r, &fx, p, grad);
            free(grad);
        } else {
            char key[SC_NAME_LEN + 16];
            snprintf(key, sizeof key, "running.%s", p->name);
            int64_t n = sc_tensor_numel(&p->value);
            float *stat = download_tensor(&e, &p->value);
            float *stat_ref = ref_f32(&fx, key, n);
            compare_tensor(&r, key, stat, stat_ref, (size_t)n);
            free(stat);
            free(stat_ref);
        }
    }
    report_check(&r, "step 0");
    free(logits_engine);
    free(logits_ref);
    free(loss_ref);
    free(input_grad_engine);
    free(input_grad_ref);
    engine_destroy(&e);
    fixture_close(&fx);
}
END_TEST

/* Three steps of the engine's standard training step (forward, loss, full backward and the
 * optimizer of every mode, SGD with momentum and weight decay as torch.optim.SGD) with the ReLU
 * kinks of each step aligned: the loss before each step. */
START_TEST(test_sgd_losses_match_pytorch) {
    fixture fx;
    fixture_open(&fx, _i);
    engine e;
    engine_create(&e, &fx);
    report r = {.model = fx.spec.name};
    sc_error err;
    sc_error_clear(&err);

    sc_train_config cfg;
    sc_train_config_default(&cfg);
    cfg.momentum = (float)meta_double(&fx, "momentum");
    cfg.weight_decay = (float)meta_double(&fx, "weight_decay");
    cfg.nesterov = meta_int(&fx, "nesterov");
    ck_assert_msg(meta_double(&fx, "label_smoothing") == 0.0, "the loss here has no smoothing");
    int steps = meta_int(&fx, "sgd_steps");
    ck_assert_int_gt(steps, 0);
    float *expected = ref_f32(&fx, "sgd_losses", steps);
    sc_train_step_args args = {e.net, e.acts, NULL, &cfg, (float)meta_double(&fx, "lr"), 0, 0,
                               NULL};
    for (int s = 0; s < steps; s++) {
        double loss = engine_forward_backward(&e, &fx, s);
        args.global_step = (uint64_t)s;
        ck_assert_msg(sc_train_apply_sgd(&args, &err) == SC_OK, "%s", err.msg);
        char name[32];
        snprintf(name, sizeof name, "loss before step %d", s + 1);
        compare_scalar(&r, name, loss, expected[s]);
    }
    report_check(&r, "SGD losses");
    free(expected);
    engine_destroy(&e);
    fixture_close(&fx);
}
END_TEST

static Suite *pytorch_reference_suite(void) {
    Suite *s = suite_create("pytorch_reference");
    TCase *tc = tcase_create("fixtures");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, test_state_dict_names, 0, N_FIXTURES);
    tcase_add_loop_test(tc, test_closed_form_matches_python, 0, N_FIXTURES);
    tcase_add_loop_test(tc, test_step0_matches_pytorch, 0, N_FIXTURES);
    tcase_add_loop_test(tc, test_sgd_losses_match_pytorch, 0, N_FIXTURES);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    return sc_check_run(pytorch_reference_suite());
}
