/* The saliency methods and metrics against Captum and Quantus. tests/make_explain_fixtures.py
 * computes, in float64 with Captum 0.9 and Quantus 0.6, for resnet8 (1 channel, 12x12 images, 10
 * classes, BN in eval mode, the closed-form parameters of tests/common/closed_form_params.c with
 * fc scaled by 8) and 4 images given as uint8 pixels (Fashion-MNIST normalisation), explaining
 * each image's label:
 *   the gradient, input-x-gradient, integrated-gradients (32 Gauss-Legendre steps, baseline 0)
 *   and Grad-CAM (layer3, bilinear to 12x12) maps, and IG's convergence delta;
 *   per map and sample, METHOD.md's Gini, entropy and deletion curve (the map's ranking, pixels
 *   set to 0, softmax probability of the clean prediction, trapezoid AUC on [0, 1]) with 36
 *   steps (12 for Grad-CAM), which the script checks against quantus.Sparseness, Complexity
 *   and PixelFlipping (one sample per call) with their known differences (see the script).
 * Here the engine builds the same network on the CPU backend and a dataset of the same pixels;
 * its loader's normalisation must reproduce the fixture's input exactly. Then, per method:
 *   sc_explainer_run on the 4 images with the labels as targets: every map within
 *   MAP_TOLERANCE (max |engine - reference| / max |reference|, per sample), IG's completeness
 *   gap within GAP_TOLERANCE (absolute) of Captum's delta;
 *   sc_metrics_evaluate (gini, entropy, deletion; --target label; the fixture's steps) on the
 *   same dataset: the clean predictions exactly, Gini, entropy and deletion AUC per sample within
 *   METRIC_TOLERANCE relative, every deletion point within METRIC_TOLERANCE relative.
 * The fixture's images are chosen so that no ReLU kink and no deletion step boundary is within
 * float32 rounding (margins recorded in its metadata; a boundary may fall inside a group of
 * Grad-CAM values that are exactly equal in every implementation, zeros or border pixels read
 * from the same sources, which rank_pixels breaks by the lower index as the reference does);
 * float32 PyTorch reproduces every compared number within 2.5e-6. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/ref_compare.h"
#include "host/core/safetensors.h"
#include "host/explain/methods.h"
#include "host/explain/metrics.h"
#include "host/explain/selection.h"
#include "models/resnet.h"
#include "tests/common/check_ref.h"
#include "tests/common/check_run.h"

#define MAP_TOLERANCE 1e-4
#define METRIC_TOLERANCE 1e-5
#define GAP_TOLERANCE 1e-4
#define FIXTURE "tests/fixtures/explain_resnet8.safetensors"

/* The fixture's method names, and the engine's methods they are. */
static const struct {
    const char *name;
    sc_method_kind kind;
} METHODS[] = {{"gradient", SC_METHOD_GRADIENT},
               {"input_x_gradient", SC_METHOD_INPUT_X_GRADIENT},
               {"integrated_gradients", SC_METHOD_INTEGRATED_GRADIENTS},
               {"gradcam", SC_METHOD_GRADCAM}};
#define N_METHODS ((int)(sizeof METHODS / sizeof METHODS[0]))

typedef struct fixture {
    sc_st_file file;
    sc_model_spec spec;
    int batch;
    int64_t hw;
    float mean, std;
} fixture;

static const char *meta(const fixture *fx, const char *key) {
    return sc_check_meta(&fx->file, key);
}

/* A copy of tensor `prefix.key` (prefix NULL: `key`) of this dtype and element count. */
static void *ref_copy(const fixture *fx, const char *prefix, const char *key, sc_st_dtype dtype,
                      int64_t numel) {
    return sc_check_ref_copy(&fx->file, prefix, key, dtype, numel);
}

static void fixture_open(fixture *fx) {
    memset(fx, 0, sizeof *fx);
    sc_check_fixture_open(&fx->file, FIXTURE, "scaat-explain-reference-1", &fx->spec, &fx->batch);
    fx->hw = (int64_t)fx->spec.in_h * fx->spec.in_w;
    fx->mean = strtof(meta(fx, "norm_mean"), NULL);
    fx->std = strtof(meta(fx, "norm_std"), NULL);
    ck_assert_int_eq(fx->spec.in_channels, 1);
    ck_assert_int_gt(fx->batch, 0);
    ck_assert_str_eq(meta(fx, "ig_baseline"), "0");
    ck_assert_str_eq(meta(fx, "ig_method"), "gausslegendre");
}

/* ---- the engine ------------------------------------------------------------------------------ */

typedef struct engine {
    sc_backend *be;
    sc_net *net;
    sc_dataset ds;
    sc_selection sel;
    float *x;       /* (N, 1, H, W) the loader's normalised images */
    int32_t *labels; /* (N) */
} engine;

/* The network, and the dataset of the fixture's pixels and labels with its normalisation. */
static void engine_create(engine *e, const fixture *fx) {
    sc_error err;
    sc_error_clear(&err);
    memset(e, 0, sizeof *e);
    sc_check_fixture_net(&fx->spec, strtof(meta(fx, "logit_gain"), NULL), &e->be, &e->net);

    int n = fx->batch;
    ck_assert_msg(sc_dataset_alloc(&e->ds, "explain-reference", n, 1, fx->spec.in_h,
                                   fx->spec.in_w, fx->spec.num_classes, &err) == SC_OK,
                  "%s", err.msg);
    e->ds.mean[0] = fx->mean;
    e->ds.std[0] = fx->std;
    uint8_t *pixels = ref_copy(fx, NULL, "pixels", SC_ST_U8, n * fx->hw);
    int32_t *labels = ref_copy(fx, NULL, "labels", SC_ST_I32, n);
    memcpy(e->ds.images, pixels, (size_t)(n * fx->hw));
    memcpy(e->ds.labels, labels, (size_t)n * sizeof *labels);
    free(pixels);
    free(labels);
    ck_assert_msg(sc_selection_make(&e->ds, NULL, 0, &e->sel, &err) == SC_OK, "%s", err.msg);
    ck_assert_int_eq(e->sel.count, n);

    /* the loader's normalisation reproduces the fixture's input bit for bit */
    e->x = malloc((size_t)(n * fx->hw) * sizeof *e->x);
    e->labels = malloc((size_t)n * sizeof *e->labels);
    ck_assert(e->x && e->labels);
    ck_assert_msg(sc_selection_batch(&e->ds, &e->sel, 0, n, e->x, e->labels, &err) == SC_OK, "%s",
                  err.msg);
    float *input = ref_copy(fx, NULL, "input", SC_ST_F32, n * fx->hw);
    for (int64_t i = 0; i < n * fx->hw; i++)
        ck_assert_msg(e->x[i] == input[i], "normalised pixel %lld: %.9g, the fixture has %.9g",
                      (long long)i, e->x[i], input[i]);
    free(input);
}

static void engine_destroy(engine *e) {
    free(e->x);
    free(e->labels);
    sc_selection_free(&e->sel);
    sc_dataset_free(&e->ds);
    sc_net_destroy(e->net);
    sc_backend_destroy(e->be);
}

/* ---- comparisons ----------------------------------------------------------------------------- */

/* The method's maps (per sample, relative to the sample's max) and, for IG, the gap. */
static void compare_maps(engine *e, const fixture *fx, int m, sc_ref_report *r, double *gap_err) {
    const char *name = METHODS[m].name;
    int n = fx->batch;
    int64_t hw = fx->hw;
    sc_method_config cfg;
    sc_method_config_default(&cfg);
    cfg.kind = METHODS[m].kind;
    cfg.steps = atoi(meta(fx, "ig_steps"));
    float *maps = malloc((size_t)(n * hw) * sizeof *maps);
    float gaps[64];
    ck_assert(maps != NULL && n <= 64);
    sc_tensor tx = sc_tensor_4d(e->x, SC_F32, n, 1, fx->spec.in_h, fx->spec.in_w);
    sc_tensor tt = sc_tensor_1d(e->labels, SC_I32, n);
    sc_tensor tm = sc_tensor_4d(maps, SC_F32, n, 1, fx->spec.in_h, fx->spec.in_w);
    sc_tensor tg = sc_tensor_1d(gaps, SC_F32, n);
    int ig = METHODS[m].kind == SC_METHOD_INTEGRATED_GRADIENTS;
    sc_explainer *ex = NULL;
    sc_error err;
    sc_error_clear(&err);
    ck_assert_msg(sc_explainer_create(e->net, n, &cfg, &ex, &err) == SC_OK, "%s", err.msg);
    ck_assert_msg(sc_explainer_run(ex, &tx, &tt, &tm, ig ? &tg : NULL, &err) == SC_OK,
                  "%s: %s", name, err.msg);
    sc_explainer_destroy(ex);

    float *ref = ref_copy(fx, name, "map", SC_ST_F32, n * hw);
    for (int i = 0; i < n; i++) {
        char what[96];
        snprintf(what, sizeof what, "%s map of image %d", name, i);
        sc_ref_compare_tensor(r, what, maps + i * hw, ref + i * hw, (size_t)hw);
    }
    *gap_err = 0.0;
    if (ig) {
        double *delta = ref_copy(fx, name, "captum_delta", SC_ST_F64, n);
        for (int i = 0; i < n; i++) {
            double d = fabs((double)gaps[i] - delta[i]);
            printf("  IG completeness gap of image %d: engine %.6g, Captum's delta %.6g\n", i,
                   (double)gaps[i], delta[i]);
            ck_assert_msg(d <= GAP_TOLERANCE, "IG gap of image %d: engine %.9g, Captum %.9g", i,
                          (double)gaps[i], delta[i]);
            *gap_err = fmax(*gap_err, d);
        }
        free(delta);
    }
    free(ref);
    free(maps);
}

/* Gini, entropy and the deletion curve through sc_metrics_evaluate. */
static void compare_metrics(engine *e, const fixture *fx, int m, sc_ref_report *r) {
    const char *name = METHODS[m].name;
    int n = fx->batch;
    char key[SC_REF_KEY_LEN];
    snprintf(key, sizeof key, "%s.deletion_steps", name);
    int steps = atoi(meta(fx, key));
    ck_assert_int_gt(steps, 0);
    ck_assert_int_eq(fx->hw % steps, 0);
    sc_metric_config c;
    sc_metric_config_default(&c);
    c.metrics = SC_METRIC_BIT(SC_METRIC_GINI) | SC_METRIC_BIT(SC_METRIC_ENTROPY) |
                SC_METRIC_BIT(SC_METRIC_DELETION);
    c.method.kind = METHODS[m].kind;
    c.method.steps = atoi(meta(fx, "ig_steps"));
    c.batch = n;
    c.internal_batch = 64;
    c.target_label = 1;
    c.steps = steps;
    sc_metric_table t;
    sc_error err;
    sc_error_clear(&err);
    ck_assert_msg(sc_metrics_evaluate(e->net, &e->ds, &e->sel, &c, NULL, NULL, &t, &err) ==
                      SC_OK,
                  "%s: %s", name, err.msg);
    ck_assert_int_eq(t.count, n);
    ck_assert_int_eq(t.degenerate_maps, 0);
    ck_assert_int_eq(t.points[SC_FIELD_DELETION], steps + 1);

    int32_t *pred = ref_copy(fx, NULL, "pred", SC_ST_I32, n);
    double *gini = ref_copy(fx, name, "gini", SC_ST_F64, n);
    double *entropy = ref_copy(fx, name, "entropy", SC_ST_F64, n);
    double *auc = ref_copy(fx, name, "deletion_auc", SC_ST_F64, n);
    double *curve = ref_copy(fx, name, "deletion_curve", SC_ST_F64, (int64_t)n * (steps + 1));
    for (int i = 0; i < n; i++) {
        char what[96];
        ck_assert_int_eq(t.index[i], i);
        ck_assert_msg(t.pred[i] == pred[i], "image %d: the engine predicts %d, the reference %d",
                      i, t.pred[i], pred[i]);
        ck_assert_int_eq(t.target[i], e->labels[i]);
        snprintf(what, sizeof what, "%s gini of image %d", name, i);
        sc_ref_compare_scalar(r, what, t.value[SC_FIELD_GINI][i], gini[i]);
        snprintf(what, sizeof what, "%s entropy of image %d", name, i);
        sc_ref_compare_scalar(r, what, t.value[SC_FIELD_ENTROPY][i], entropy[i]);
        snprintf(what, sizeof what, "%s deletion AUC of image %d", name, i);
        sc_ref_compare_scalar(r, what, t.value[SC_FIELD_DELETION][i], auc[i]);
        for (int k = 0; k <= steps; k++) {
            snprintf(what, sizeof what, "%s deletion point %d of image %d", name, k, i);
            sc_ref_compare_scalar(r, what, t.curve[SC_FIELD_DELETION][i * (steps + 1) + k],
                                  curve[i * (steps + 1) + k]);
        }
    }
    free(pred);
    free(gini);
    free(entropy);
    free(auc);
    free(curve);
    sc_metric_table_free(&t);
}

/* ---- the test -------------------------------------------------------------------------------- */

START_TEST(test_method_matches_captum_and_quantus) {
    fixture fx;
    fixture_open(&fx);
    engine e;
    engine_create(&e, &fx);
    sc_ref_report maps, metrics;
    sc_ref_report_init(&maps, MAP_TOLERANCE);
    sc_ref_report_init(&metrics, METRIC_TOLERANCE);
    double gap_err;
    compare_maps(&e, &fx, _i, &maps, &gap_err);
    compare_metrics(&e, &fx, _i, &metrics);

    char map_summary[256], metric_summary[256];
    sc_ref_summary(&maps, map_summary, sizeof map_summary);
    sc_ref_summary(&metrics, metric_summary, sizeof metric_summary);
    printf("explain %-21s worst errors: maps (%s), metrics (%s)", METHODS[_i].name, map_summary,
           metric_summary);
    if (METHODS[_i].kind == SC_METHOD_INTEGRATED_GRADIENTS)
        printf(", IG gap %.2g absolute", gap_err);
    printf("\n");
    ck_assert_msg(maps.failures == 0, "%s: %d map comparisons beyond %g:%s", METHODS[_i].name,
                  maps.failures, MAP_TOLERANCE, maps.text);
    ck_assert_msg(metrics.failures == 0, "%s: %d metric comparisons beyond %g:%s",
                  METHODS[_i].name, metrics.failures, METRIC_TOLERANCE, metrics.text);
    engine_destroy(&e);
    sc_st_close(&fx.file);
}
END_TEST

static Suite *explain_reference_suite(void) {
    Suite *s = suite_create("explain_reference");
    TCase *tc = tcase_create("fixture");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, test_method_matches_captum_and_quantus, 0, N_METHODS);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    return sc_check_run(explain_reference_suite());
}
