/* One training step of every mode against PyTorch. tests/make_mode_fixtures.py computes, in
 * float64, one step of standard, adv, sgt, scaat and asgt (and variants: --saliency-bn batch,
 * --kl-detach-target, gamma 2, lambda != 1, the eps warm-up) on resnet8 (1 channel, 8x8 images,
 * a batch of 4, the closed-form parameters of tests/common/closed_form_params.c with fc scaled
 * by 8) and stores it in tests/fixtures/modes_resnet8.safetensors. Here the engine builds the
 * same network on the CPU backend, resolves the same mode options, runs the mode's step
 * (sc_train_step_for_mode) once with lr 0, and compares within TOLERANCE (ref_compare.h):
 *   the statistics the step accumulates (batch sums of CE, CE on the perturbed input, KL,
 *       saliency Gini, mean |delta|, mask fraction; slots the mode has no term for stay 0) and
 *       the total loss sc_loss_terms_from_stats makes of them;
 *   the saliency map, the mask (exactly) and scaat's per-pixel budget;
 *   the input of every extra branch after the step (xadv, x_a, x~);
 *   the training-mode logits of every branch (the fixture's logits gradients are for
 *       debugging: the engine's backward pass reuses that memory);
 *   every weight gradient (whole, or sampled with its sum and norm) and the BN running
 *   statistics, and num_batches_tracked (one per training forward).
 * The engine's random draws (sgt/asgt fill values, adv/scaat random start) are replaced through
 * sc_mode_state.random_hook by the fixture's, after checking that the engine's own draw obeys
 * the reference's mask (x outside it, the image channel's [min, max] inside) or budget
 * (|x0 - x| <= e_c, inside the valid range). The fixture's inputs are chosen clear of the
 * step's discontinuities (mask boundaries, signs of the attack gradient, ReLU kinks) by the
 * margins it records, and float32 PyTorch reproduces it within 2.5e-5. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/ref_compare.h"
#include "host/core/safetensors.h"
#include "host/train/evaluate.h"
#include "host/train/train_step.h"
#include "models/resnet.h"
#include "tests/common/check_ref.h"
#include "tests/common/check_run.h"

#define TOLERANCE 1e-4
#define FIXTURE "tests/fixtures/modes_resnet8.safetensors"

static const char *const CASES[] = {"standard", "adv",          "sgt", "sgt_batch",
                                    "scaat",    "scaat_detach", "asgt"};
#define N_CASES ((int)(sizeof CASES / sizeof CASES[0]))

/* ---- the fixture ------------------------------------------------------------------------------ */

typedef struct fixture {
    sc_st_file file;
    const char *name; /* the case: its tensors and metadata are prefixed "name." */
    sc_model_spec spec;
    int batch;
    sc_channel_norm norm;
} fixture;

static const char *meta(const fixture *fx, const char *key) {
    return sc_check_meta(&fx->file, key);
}

/* Metadata of the case, or NULL. */
static const char *case_meta(const fixture *fx, const char *key) {
    char full[SC_REF_KEY_LEN];
    snprintf(full, sizeof full, "%s.%s", fx->name, key);
    return sc_st_metadata_get(&fx->file, full);
}

static const char *case_meta_req(const fixture *fx, const char *key) {
    const char *v = case_meta(fx, key);
    ck_assert_msg(v != NULL, "%s: no metadata '%s.%s'", fx->file.name, fx->name, key);
    return v;
}

static int has(const fixture *fx, const char *key) {
    char full[SC_REF_KEY_LEN];
    snprintf(full, sizeof full, "%s.%s", fx->name, key);
    return sc_st_find(&fx->file, full) != NULL;
}

/* A copy of the case's tensor `key` (numel < 0: any count). */
static void *ref_copy(const fixture *fx, const char *key, sc_st_dtype dtype, int64_t numel) {
    return sc_check_ref_copy(&fx->file, fx->name, key, dtype, numel);
}

static float *ref_f32(const fixture *fx, const char *key, int64_t numel) {
    return ref_copy(fx, key, SC_ST_F32, numel);
}

static void fixture_open(fixture *fx, int index) {
    memset(fx, 0, sizeof *fx);
    fx->name = CASES[index];
    sc_check_fixture_open(&fx->file, FIXTURE, "scaat-mode-reference-1", &fx->spec, &fx->batch);
    ck_assert_int_gt(fx->batch, 0);
    ck_assert_int_le(fx->spec.in_channels, SC_MAX_CHANNELS);
    fx->norm.channels = fx->spec.in_channels;
    for (int c = 0; c < fx->norm.channels; c++) {
        fx->norm.mean[c] = strtof(meta(fx, "norm_mean"), NULL);
        fx->norm.std[c] = strtof(meta(fx, "norm_std"), NULL);
    }
    ck_assert_float_eq(sc_channel_lo(&fx->norm, 0), strtof(meta(fx, "valid_lo"), NULL));
    ck_assert_float_eq(sc_channel_hi(&fx->norm, 0), strtof(meta(fx, "valid_hi"), NULL));
    ck_assert_str_eq(meta(fx, "stat_names"),
                     "[\"ce\", \"ce_adv\", \"kl\", \"gini\", \"gini_count\", \"delta\", \"mask\"]");
}

/* The case's mode options as the command line would give them, resolved; the resolved values
 * must be the ones the reference used. */
static void mode_config_of(const fixture *fx, sc_mode_config *m) {
    static const struct {
        const char *key;
        unsigned bit;
    } options[] = {{"lambda", SC_OPT_LAMBDA}, {"k", SC_OPT_K}, {"eps", SC_OPT_EPS},
                   {"eps_warmup", SC_OPT_EPS_WARMUP}, {"gamma", SC_OPT_GAMMA},
                   {"steps", SC_OPT_STEPS}, {"saliency_bn", SC_OPT_SALIENCY_BN},
                   {"kl_detach_target", SC_OPT_KL_DETACH}};
    sc_error err;
    sc_error_clear(&err);
    sc_mode_config_default(m);
    ck_assert_msg(sc_mode_parse(case_meta_req(fx, "mode"), &m->kind, &err) == SC_OK, "%s", err.msg);
    for (size_t i = 0; i < sizeof options / sizeof options[0]; i++) {
        char key[64];
        snprintf(key, sizeof key, "opt.%s", options[i].key);
        const char *v = case_meta(fx, key);
        if (!v)
            continue;
        m->given |= options[i].bit;
        float f = strtof(v, NULL);
        switch (options[i].bit) {
        case SC_OPT_LAMBDA: m->lambda = f; break;
        case SC_OPT_K: m->k = f; break;
        case SC_OPT_EPS: m->eps = f; break;
        case SC_OPT_EPS_WARMUP: m->eps_warmup = f; break;
        case SC_OPT_GAMMA: m->gamma = f; break;
        case SC_OPT_STEPS: m->steps = atoi(v); break;
        case SC_OPT_SALIENCY_BN: m->saliency_bn_batch = strcmp(v, "batch") == 0; break;
        default: m->kl_detach_target = atoi(v); break;
        }
    }
    ck_assert_msg(sc_mode_config_resolve(m, &err) == SC_OK, "%s", err.msg);
    int epoch = atoi(case_meta_req(fx, "epoch"));
    ck_assert_float_eq(sc_mode_eps_at(m, epoch), strtof(case_meta_req(fx, "eps_t"), NULL));
    ck_assert_float_eq(m->k, strtof(case_meta_req(fx, "k"), NULL));
    ck_assert_float_eq(m->step_size, strtof(case_meta_req(fx, "step_size"), NULL));
    ck_assert_float_eq(m->lambda, strtof(case_meta_req(fx, "lambda"), NULL));
    ck_assert_int_eq(m->steps, atoi(case_meta_req(fx, "steps")));
}

/* ---- the engine --------------------------------------------------------------------------------- */

typedef struct engine {
    sc_backend *be;
    sc_net *net;
    sc_acts *acts; /* the clean branch */
    sc_mode_state *mode;
    sc_train_config cfg;
} engine;

static float *download(const engine *e, const sc_tensor *t) {
    float *host = malloc(sc_tensor_bytes(t) ? sc_tensor_bytes(t) : 1);
    ck_assert_ptr_nonnull(host);
    ck_assert(e->be->ops->download(e->be, host, t->data, sc_tensor_bytes(t)) == SC_OK);
    return host;
}

static void upload(const engine *e, const sc_tensor *t, const float *host) {
    ck_assert(e->be->ops->upload(e->be, t->data, host, sc_tensor_bytes(t)) == SC_OK);
}

static void engine_create(engine *e, const fixture *fx) {
    sc_error err;
    sc_error_clear(&err);
    memset(e, 0, sizeof *e);
    sc_check_fixture_net(&fx->spec, strtof(meta(fx, "logit_gain"), NULL), &e->be, &e->net);
    ck_assert_msg(sc_acts_create(e->net, fx->batch, 1, 1, &e->acts, &err) == SC_OK, "%s", err.msg);
    const sc_tensor *input = &e->acts->values[0];
    float *x = ref_f32(fx, "input", sc_tensor_numel(input));
    int32_t *labels = ref_copy(fx, "labels", SC_ST_I32, fx->batch);
    upload(e, input, x);
    ck_assert(e->be->ops->upload(e->be, e->acts->labels.data, labels,
                                 sizeof(int32_t) * (size_t)fx->batch) == SC_OK);
    free(x);
    free(labels);
    sc_train_config_default(&e->cfg);
    e->cfg.label_smoothing = 0.0f;
    mode_config_of(fx, &e->cfg.mode);
    e->cfg.norm = fx->norm;
    ck_assert_msg(sc_mode_state_create(e->net, fx->batch, &e->cfg.mode, &fx->norm, &e->mode, &err) ==
                  SC_OK, "%s", err.msg);
}

static void engine_destroy(engine *e) {
    sc_mode_state_destroy(e->mode);
    sc_acts_destroy(e->acts);
    sc_net_destroy(e->net);
    sc_backend_destroy(e->be);
}

/* ---- the random hook ------------------------------------------------------------------------ */

typedef struct hook_ctx {
    engine *e;
    const fixture *fx;
    sc_ref_report *report;
    int calls;
    sc_rng_purpose purpose;
} hook_ctx;

/* How far the engine's own fill is from obeying the reference: equal to the base image outside
 * the mask, within the image channel's [min, max] inside; relative to the valid range. */
static double fill_violation(const hook_ctx *h, const float *own, int64_t n_pixels) {
    const fixture *fx = h->fx;
    const sc_tensor *x = &h->e->acts->values[0]; /* (N, C, H, W) */
    int64_t planes = x->shape[0] * x->shape[1], hw = x->shape[2] * x->shape[3];
    /* asgt fills x_a (input.branch0), sgt the clean x */
    float *base = ref_f32(fx, has(fx, "input.branch1") ? "input.branch0" : "input", n_pixels);
    float *mask = ref_f32(fx, "mask", x->shape[0] * hw);
    double worst = 0.0;
    for (int64_t plane = 0; plane < planes; plane++) {
        const float *b = base + plane * hw, *m = mask + (plane / x->shape[1]) * hw;
        float lo = b[0], hi = b[0];
        for (int64_t i = 1; i < hw; i++) {
            lo = fminf(lo, b[i]);
            hi = fmaxf(hi, b[i]);
        }
        for (int64_t i = 0; i < hw; i++) {
            float v = own[plane * hw + i];
            double off = m[i] == 0.0f ? fabs((double)v - b[i]) : fmax(0.0, fmax(lo - v, v - hi));
            worst = fmax(worst, off);
        }
    }
    free(base);
    free(mask);
    return worst / (sc_channel_hi(&fx->norm, 0) - sc_channel_lo(&fx->norm, 0));
}

/* The same for a random start: |x0 - x| <= e_c (the reference's budget, or eps / std) and x0 in
 * the valid range; relative to the largest e_c. */
static double start_violation(const hook_ctx *h, const float *own, int64_t n_pixels) {
    const fixture *fx = h->fx;
    const sc_tensor *xt = &h->e->acts->values[0]; /* (N, C, H, W) */
    int64_t channels = xt->shape[1], hw = xt->shape[2] * xt->shape[3];
    float *x = ref_f32(fx, "input", n_pixels);
    float *budget = has(fx, "budget") ? ref_f32(fx, "budget", xt->shape[0] * hw) : NULL;
    float eps = strtof(case_meta_req(fx, "eps_t"), NULL);
    double worst = 0.0, scale = 0.0;
    for (int64_t i = 0; i < n_pixels; i++) {
        int64_t c = (i / hw) % channels, pixel = (i / hw / channels) * hw + i % hw;
        double ec = (budget ? budget[pixel] : eps) / fx->norm.std[c];
        double lo = sc_channel_lo(&fx->norm, (int)c), hi = sc_channel_hi(&fx->norm, (int)c);
        double off = fmax(fabs((double)own[i] - x[i]) - ec, fmax(lo - own[i], own[i] - hi));
        worst = fmax(worst, off);
        scale = fmax(scale, ec);
    }
    free(x);
    free(budget);
    return worst / scale;
}

static sc_status inject(void *ctx, sc_rng_purpose purpose, const sc_tensor *drawn, sc_error *err) {
    (void)err;
    hook_ctx *h = ctx;
    h->calls++;
    h->purpose = purpose;
    int64_t n = sc_tensor_numel(drawn);
    float *own = download(h->e, drawn);
    if (purpose == SC_RNG_FILL)
        sc_ref_record(h->report, SC_REF_TENSOR, "engine's own fill against the reference mask",
                      fill_violation(h, own, n));
    else
        sc_ref_record(h->report, SC_REF_TENSOR, "engine's own random start against the budget",
                      start_violation(h, own, n));
    float *injected = ref_f32(h->fx, "injected", n);
    upload(h->e, drawn, injected);
    free(injected);
    free(own);
    return SC_OK;
}

/* ---- comparisons ---------------------------------------------------------------------------- */

static void compare_stats(const engine *e, const fixture *fx, sc_ref_report *r) {
    static const struct {
        const char *name;
        sc_train_stat slot;
    } slots[] = {{"ce", SC_STAT_CE},         {"ce_adv", SC_STAT_CE_ADV},
                 {"kl", SC_STAT_KL},         {"gini", SC_STAT_GINI},
                 {"gini_count", SC_STAT_GINI_COUNT}, {"delta", SC_STAT_DELTA},
                 {"mask", SC_STAT_MASK}};
    const int n_slots = (int)(sizeof slots / sizeof slots[0]);
    float stats[SC_STAT_COUNT];
    ck_assert(e->be->ops->download(e->be, stats, e->mode->stats.data, sizeof stats) == SC_OK);
    double *sums = ref_copy(fx, "sums", SC_ST_F64, n_slots);
    for (int i = 0; i < n_slots; i++) {
        double v = stats[slots[i].slot];
        char name[64];
        snprintf(name, sizeof name, "statistic %s", slots[i].name);
        if (isnan(sums[i]))
            sc_ref_record(r, SC_REF_EXACT, name, v != 0.0); /* the mode has no such term */
        else if (slots[i].slot == SC_STAT_GINI_COUNT)
            sc_ref_record(r, SC_REF_EXACT, name, fabs(v - sums[i]));
        else
            sc_ref_compare_scalar(r, name, v, sums[i]);
    }
    double *loss = ref_copy(fx, "loss", SC_ST_F64, 1);
    sc_loss_terms terms;
    sc_loss_terms_from_stats(&e->mode->cfg, stats, (double)fx->batch, &terms);
    sc_ref_compare_scalar(r, "total loss", terms.loss, loss[0]);
    free(loss);
    free(sums);
}

static void compare_tensor(const engine *e, const fixture *fx, sc_ref_report *r, const char *key,
                           const sc_tensor *t) {
    if (!has(fx, key))
        return;
    int64_t n = sc_tensor_numel(t);
    float *engine_values = download(e, t), *reference = ref_f32(fx, key, n);
    if (strcmp(key, "mask") == 0) {
        int64_t differ = 0;
        for (int64_t i = 0; i < n; i++)
            differ += engine_values[i] != reference[i];
        sc_ref_record(r, SC_REF_EXACT, "mask elements differing", (double)differ);
    } else {
        sc_ref_compare_tensor(r, key, engine_values, reference, (size_t)n);
    }
    free(engine_values);
    free(reference);
}

static void compare_branches(engine *e, const fixture *fx, sc_ref_report *r) {
    sc_mode_state *s = e->mode;
    compare_tensor(e, fx, r, "map", &s->map);
    compare_tensor(e, fx, r, "mask", &s->mask);
    compare_tensor(e, fx, r, "budget", &s->budget);
    static const char *const names[3] = {"clean", "branch0", "branch1"};
    for (int b = 0; b < 3; b++) {
        sc_acts *acts = b == 0 ? e->acts : b - 1 < s->n_branches ? s->branch[b - 1] : NULL;
        char key[64];
        snprintf(key, sizeof key, "logits.%s", names[b]);
        ck_assert_msg(acts || !has(fx, key), "%s: the engine has no %s", fx->name, names[b]);
        if (!acts)
            continue;
        /* Not dlogits.<b>: the backward pass reuses that memory (grad_plan.c). fc.bias's
         * gradient is their sum over samples and branches. */
        sc_tensor logits = sc_acts_logits_rows(acts);
        compare_tensor(e, fx, r, key, &logits);
        snprintf(key, sizeof key, "input.%s", names[b]);
        compare_tensor(e, fx, r, key, &acts->values[0]);
    }
}

static void compare_gradient(const engine *e, const fixture *fx, sc_ref_report *r,
                             const sc_param *p) {
    int64_t n = sc_tensor_numel(&p->grad);
    char key[SC_REF_KEY_LEN];
    float *grad = download(e, &p->grad);
    snprintf(key, sizeof key, "grad_stats.%s", p->name);
    double *stats = ref_copy(fx, key, SC_ST_F64, 3);
    sc_ref_compare_grad_stats(r, p->name, grad, n, stats);
    snprintf(key, sizeof key, "grad.%s", p->name);
    if (has(fx, key)) {
        float *full = ref_f32(fx, key, n);
        sc_ref_compare_tensor(r, key, grad, full, (size_t)n);
        free(full);
    } else {
        snprintf(key, sizeof key, "grad_index.%s", p->name);
        int32_t *index = ref_copy(fx, key, SC_ST_I32, -1);
        char full_key[SC_REF_KEY_LEN + 32];
        snprintf(full_key, sizeof full_key, "%s.%s", fx->name, key);
        int64_t samples = sc_st_find(&fx->file, full_key)->numel;
        snprintf(key, sizeof key, "grad_value.%s", p->name);
        float *expected = ref_f32(fx, key, samples), *sampled = malloc(sizeof(float) * (size_t)samples);
        ck_assert_ptr_nonnull(sampled);
        for (int64_t i = 0; i < samples; i++) {
            ck_assert(index[i] >= 0 && index[i] < n);
            sampled[i] = grad[index[i]];
        }
        sc_ref_compare_tensor(r, key, sampled, expected, (size_t)samples);
        free(sampled);
        free(expected);
        free(index);
    }
    free(stats);
    free(grad);
}

static void compare_params(const engine *e, const fixture *fx, sc_ref_report *r) {
    const sc_net *net = e->net;
    for (int i = 0; i < net->n_params; i++) {
        const sc_param *p = &net->params[i];
        if (p->trainable) {
            compare_gradient(e, fx, r, p);
            continue;
        }
        char key[SC_REF_KEY_LEN];
        snprintf(key, sizeof key, "running.%s", p->name);
        compare_tensor(e, fx, r, key, &p->value);
        ck_assert_msg(has(fx, key), "%s: no reference for %s", fx->name, key);
    }
    sc_ref_record(r, SC_REF_EXACT, "num_batches_tracked",
                  fabs((double)net->num_batches_tracked - atof(case_meta_req(fx, "train_forwards"))));
}

/* ---- the test ------------------------------------------------------------------------------- */

START_TEST(test_mode_step_matches_pytorch) {
    fixture fx;
    fixture_open(&fx, _i);
    engine e;
    engine_create(&e, &fx);
    sc_ref_report r;
    sc_ref_report_init(&r, TOLERANCE);
    hook_ctx hook = {.e = &e, .fx = &fx, .report = &r};
    e.mode->random_hook = inject;
    e.mode->random_hook_ctx = &hook;
    ck_assert(e.be->ops->zero(e.be, e.mode->stats.data, sc_tensor_bytes(&e.mode->stats)) == SC_OK);

    sc_error err;
    sc_error_clear(&err);
    sc_train_step_args args = {.net = e.net, .acts = e.acts, .mode = e.mode, .cfg = &e.cfg,
                               .lr = 0.0f, .global_step = 0,
                               .epoch = atoi(case_meta_req(&fx, "epoch"))};
    sc_train_step_fn step = sc_train_step_for_mode(e.mode->cfg.kind);
    ck_assert_msg(step(&args, &err) == SC_OK, "%s: %s", fx.name, err.msg);

    const char *random = case_meta_req(&fx, "random");
    int want_calls = strcmp(random, "none") != 0;
    ck_assert_msg(hook.calls == want_calls, "%s: %d random draws, expected %d", fx.name, hook.calls,
                  want_calls);
    if (want_calls)
        ck_assert_int_eq(hook.purpose, strcmp(random, "fill") == 0 ? SC_RNG_FILL : SC_RNG_DELTA);
    compare_stats(&e, &fx, &r);
    compare_branches(&e, &fx, &r);
    compare_params(&e, &fx, &r);

    char summary[512];
    sc_ref_summary(&r, summary, sizeof summary);
    printf("mode step %-13s worst errors: %s\n", fx.name, summary);
    ck_assert_msg(r.failures == 0, "%s: %d comparisons beyond %g:%s", fx.name, r.failures,
                  TOLERANCE, r.text);
    engine_destroy(&e);
    sc_st_close(&fx.file);
}
END_TEST

static Suite *mode_reference_suite(void) {
    Suite *s = suite_create("mode_reference");
    TCase *tc = tcase_create("fixtures");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, test_mode_step_matches_pytorch, 0, N_CASES);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    return sc_check_run(mode_reference_suite());
}
