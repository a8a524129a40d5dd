/* Saliency-quality metrics (host/explain/metrics.h) against closed forms on tiny models whose
 * answers are known exactly:
 * - a constant-score model (linear layer, zero weights, a bias): its deletion and insertion
 *   curves are flat at the softmax probability of its prediction, so both AUCs equal it, and its
 *   masked-accuracy curve is flat; its gradient maps are all zero, so every map-based metric is
 *   counted as degenerate and left out of the means, without a crash;
 * - a linear model f(x) = W x + b with positive weights and positive inputs: the input-x-gradient
 *   map s_i = w_t,i x_i is exactly each pixel's contribution to f_t(x) - f_t(x_S), so the
 *   faithfulness correlation is 1; its gradient map |w_t| does not depend on x, so the
 *   max-sensitivity is 0; re-initialising its only layer decorrelates the map, and the weights
 *   come back afterwards;
 * - robust accuracy never exceeds clean accuracy, and equals it sample by sample at eps 0. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/test_util.h"
#include "host/core/rng.h"
#include "host/explain/metric_batch.h"
#include "tests/common/check_ops.h"
#include "tests/common/check_run.h"

#define SIDE 8
#define HW (SIDE * SIDE)
#define CLASSES 3
#define SAMPLES 24

/* f(x) = W x + b on (1, SIDE, SIDE) images: weight (CLASSES, HW), bias (CLASSES). */
static sc_net *linear_net(sc_backend *be, const float *weight, const float *bias) {
    sc_net_builder b;
    sc_nb_init(&b, 1, SIDE, SIDE);
    sc_nb_linear(&b, "fc", 0, CLASSES);
    sc_net *net = NULL;
    sc_error err = {0};
    ck_assert_msg(sc_net_create(&b, be, 7, &net, &err) == SC_OK, "%s", err.msg);
    const sc_param *w = &net->params[sc_net_find_param(net, "fc.weight")];
    const sc_param *bi = &net->params[sc_net_find_param(net, "fc.bias")];
    ck_assert_int_eq(be->ops->upload(be, w->value.data, weight, sizeof(float) * CLASSES * HW),
                     SC_OK);
    ck_assert_int_eq(be->ops->upload(be, bi->value.data, bias, sizeof(float) * CLASSES), SC_OK);
    return net;
}

/* SAMPLES images with pixels in [1, 255] (positive after normalisation by mean 0, std 1) and
 * labels cycling through the classes. */
static void tiny_dataset(sc_dataset *ds, uint64_t seed) {
    sc_error err = {0};
    ck_assert_msg(sc_dataset_alloc(ds, "tiny", SAMPLES, 1, SIDE, SIDE, CLASSES, &err) == SC_OK,
                  "%s", err.msg);
    sc_rng_key key = sc_rng_key_make(seed, 0, SC_RNG_TEST);
    for (int64_t i = 0; i < SAMPLES * HW; i++)
        ds->images[i] = (uint8_t)(1 + sc_rng_below(key, (uint64_t)i, 255));
    for (int i = 0; i < SAMPLES; i++)
        ds->labels[i] = i % CLASSES;
}

static sc_metric_config config(unsigned metrics, sc_method_kind method) {
    sc_metric_config c;
    sc_metric_config_default(&c);
    c.metrics = metrics;
    c.method.kind = method;
    c.batch = 10; /* three batches, the last one partial */
    c.internal_batch = 40;
    c.method.internal_batch = 40;
    c.faith_subsets = 30;
    c.steps = 16;
    return c;
}

static void evaluate(sc_net *net, const sc_dataset *ds, const sc_metric_config *c,
                     sc_metric_table *t) {
    sc_selection sel = {0};
    sc_error err = {0};
    ck_assert_msg(sc_selection_make(ds, NULL, 0, &sel, &err) == SC_OK, "%s", err.msg);
    ck_assert_msg(sc_metrics_evaluate(net, ds, &sel, c, NULL, NULL, t, &err) == SC_OK, "%s",
                  err.msg);
    ck_assert_int_eq(t->count, SAMPLES);
    sc_selection_free(&sel);
}

/* Weights that make class 0 win by a wide margin: w_0 = 1, the others 0.1 (all positive). */
static sc_net *dominant_linear_net(sc_backend *be) {
    static float weight[CLASSES * HW], bias[CLASSES] = {0.0f, 0.5f, -0.5f};
    for (int k = 0; k < CLASSES; k++)
        for (int i = 0; i < HW; i++)
            weight[k * HW + i] = (k == 0 ? 1.0f : 0.1f) * (1.0f + 0.01f * (float)(i % 7));
    return linear_net(be, weight, bias);
}

START_TEST(test_metric_list) {
    unsigned set;
    sc_error err = {0};
    ck_assert_int_eq(sc_metric_parse_list("gini,deletion,robust", &set, &err), SC_OK);
    ck_assert_uint_eq(set, SC_METRIC_BIT(SC_METRIC_GINI) | SC_METRIC_BIT(SC_METRIC_DELETION) |
                               SC_METRIC_BIT(SC_METRIC_ROBUST));
    ck_assert_int_eq(sc_metric_parse_list("all", &set, &err), SC_OK);
    ck_assert_uint_eq(set, SC_METRIC_BIT(SC_METRIC_COUNT) - 1u);
    ck_assert_int_eq(sc_metric_parse_list("gini,shapley", &set, &err), SC_ERR_USAGE);
    ck_assert_ptr_nonnull(strstr(err.msg, "'shapley'"));
    ck_assert_int_eq(sc_metric_parse_list("gini,", &set, &err), SC_ERR_USAGE);
    unsigned def = sc_metric_default_set();
    ck_assert(!(def & SC_METRIC_BIT(SC_METRIC_ROAD)));
    ck_assert(!(def & SC_METRIC_BIT(SC_METRIC_RANDOMISATION)));
    ck_assert(def & SC_METRIC_BIT(SC_METRIC_ROBUST));
}
END_TEST

/* Deletion, insertion and masked accuracy of a constant-score model, on a random map. */
START_TEST(test_constant_model_curves) {
    sc_backend *be = sc_check_cpu(1);
    static float weight[CLASSES * HW];
    const float bias[CLASSES] = {0.5f, 2.0f, -1.0f};
    sc_net *net = linear_net(be, weight, bias);
    sc_dataset ds;
    tiny_dataset(&ds, 3);
    sc_metric_config c = config(SC_METRIC_BIT(SC_METRIC_DELETION) |
                                    SC_METRIC_BIT(SC_METRIC_INSERTION) |
                                    SC_METRIC_BIT(SC_METRIC_MASKED_ACCURACY),
                                SC_METHOD_GRADIENT);
    sc_metric_batch b;
    sc_error err = {0};
    ck_assert_msg(sc_metric_batch_create(net, &ds, &c, &b, &err) == SC_OK, "%s", err.msg);
    int n = 7;
    float x[7 * HW], map[7 * HW];
    int32_t labels[7], pred[7];
    sc_test_fill_uniform(x, 7 * HW, 11, 0.0f, 1.0f);
    sc_test_fill_uniform(map, 7 * HW, 12, 0.01f, 1.0f);
    for (int i = 0; i < n; i++) {
        labels[i] = i % 2; /* the model always predicts class 1 */
        pred[i] = 1;
    }
    b.n = n;
    ck_assert_int_eq(be->ops->upload(be, b.x.data, x, sizeof x), SC_OK);
    ck_assert_int_eq(be->ops->upload(be, b.map.data, map, sizeof map), SC_OK);
    ck_assert_int_eq(be->ops->upload(be, b.labels.data, labels, sizeof labels), SC_OK);
    ck_assert_int_eq(be->ops->upload(be, b.pred.data, pred, sizeof pred), SC_OK);
    ck_assert_int_eq(be->ops->upload(be, b.target.data, pred, sizeof pred), SC_OK);
    sc_tensor m = sc_metric_cur(&b, &b.map), ranks = sc_metric_cur(&b, &b.ranks);
    ck_assert_int_eq(be->ops->rank_pixels(be, &m, &ranks), SC_OK);
    ck_assert_msg(sc_metric_deletion(&b, &err) == SC_OK, "%s", err.msg);
    ck_assert_msg(sc_metric_insertion(&b, &err) == SC_OK, "%s", err.msg);
    ck_assert_msg(sc_metric_masked_accuracy(&b, &err) == SC_OK, "%s", err.msg);
    double z = exp(0.5) + exp(2.0) + exp(-1.0), p = exp(2.0) / z;
    float del[7], ins[7], area[7], curve[7 * SC_METRIC_PERCENT_POINTS];
    ck_assert_int_eq(be->ops->download(be, del, b.value[SC_FIELD_DELETION].data, sizeof del),
                     SC_OK);
    ck_assert_int_eq(be->ops->download(be, ins, b.value[SC_FIELD_INSERTION].data, sizeof ins),
                     SC_OK);
    ck_assert_int_eq(be->ops->download(be, area, b.value[SC_FIELD_MASKED_ACCURACY].data,
                                       sizeof area), SC_OK);
    ck_assert_int_eq(be->ops->download(be, curve, b.curve[SC_FIELD_MASKED_ACCURACY].data,
                                       sizeof curve), SC_OK);
    for (int i = 0; i < n; i++) {
        ck_assert_msg(fabs(del[i] - p) < 1e-5, "deletion AUC %g, score %g", del[i], p);
        ck_assert_msg(fabs(ins[i] - p) < 1e-5, "insertion AUC %g, score %g", ins[i], p);
        float correct = labels[i] == 1 ? 1.0f : 0.0f;
        for (int k = 0; k < SC_METRIC_PERCENT_POINTS; k++)
            ck_assert_float_eq(curve[i * SC_METRIC_PERCENT_POINTS + k], correct);
        ck_assert_msg(fabsf(area[i] - 0.9f * correct) < 1e-6f, "masked-accuracy area %g", area[i]);
    }
    sc_metric_batch_destroy(&b);
    sc_net_destroy(net);
    sc_dataset_free(&ds);
    sc_backend_destroy(be);
}
END_TEST

/* The constant model's gradient maps are all zero: every map-based value is NaN, counted as
 * degenerate; robust accuracy is still there. */
START_TEST(test_degenerate_maps_counted) {
    sc_backend *be = sc_check_cpu(1);
    static float weight[CLASSES * HW];
    const float bias[CLASSES] = {0.5f, 2.0f, -1.0f};
    sc_net *net = linear_net(be, weight, bias);
    sc_dataset ds;
    tiny_dataset(&ds, 4);
    sc_metric_config c = config(sc_metric_default_set() | SC_METRIC_BIT(SC_METRIC_ROAD) |
                                    SC_METRIC_BIT(SC_METRIC_RANDOMISATION),
                                SC_METHOD_GRADIENT);
    sc_metric_table t;
    evaluate(net, &ds, &c, &t);
    ck_assert_int_eq(t.degenerate_maps, SAMPLES);
    for (int f = 0; f < SC_FIELD_COUNT; f++) {
        sc_metric_summary s;
        ck_assert_int_eq(sc_metric_summarise(&t, f, &s, NULL), SC_OK);
        if (sc_metric_field_get(f)->map_based) {
            ck_assert_msg(s.count == 0 && s.degenerate == SAMPLES, "%s: %lld valid",
                          sc_metric_field_get(f)->name, (long long)s.count);
            ck_assert(isnan(s.mean));
        } else {
            ck_assert_int_eq(s.count, SAMPLES);
            ck_assert(isfinite(s.mean));
        }
        sc_metric_summary_free(&s);
    }
    sc_metric_table_free(&t);
    sc_net_destroy(net);
    sc_dataset_free(&ds);
    sc_backend_destroy(be);
}
END_TEST

START_TEST(test_linear_faithfulness_is_one) {
    sc_backend *be = sc_check_cpu(1);
    sc_net *net = dominant_linear_net(be);
    sc_dataset ds;
    tiny_dataset(&ds, 5);
    sc_metric_config c = config(SC_METRIC_BIT(SC_METRIC_FAITHFULNESS),
                                SC_METHOD_INPUT_X_GRADIENT);
    sc_metric_table t;
    evaluate(net, &ds, &c, &t);
    for (int i = 0; i < SAMPLES; i++)
        ck_assert_msg(fabsf(t.value[SC_FIELD_FAITHFULNESS][i] - 1.0f) < 1e-4f,
                      "sample %d: faithfulness %g", i, t.value[SC_FIELD_FAITHFULNESS][i]);
    sc_metric_table_free(&t);
    sc_net_destroy(net);
    sc_dataset_free(&ds);
    sc_backend_destroy(be);
}
END_TEST

START_TEST(test_linear_gradient_sensitivity_is_zero) {
    sc_backend *be = sc_check_cpu(1);
    sc_net *net = dominant_linear_net(be);
    sc_dataset ds;
    tiny_dataset(&ds, 6);
    sc_metric_config c = config(SC_METRIC_BIT(SC_METRIC_MAX_SENSITIVITY), SC_METHOD_GRADIENT);
    sc_metric_table t;
    evaluate(net, &ds, &c, &t);
    for (int i = 0; i < SAMPLES; i++) {
        ck_assert_int_eq(t.pred[i], 0);
        ck_assert_msg(t.value[SC_FIELD_MAX_SENSITIVITY][i] == 0.0f, "sample %d: %g", i,
                      t.value[SC_FIELD_MAX_SENSITIVITY][i]);
    }
    sc_metric_table_free(&t);
    sc_net_destroy(net);
    sc_dataset_free(&ds);
    sc_backend_destroy(be);
}
END_TEST

START_TEST(test_randomisation_decorrelates_and_restores) {
    sc_backend *be = sc_check_cpu(1);
    sc_net *net = dominant_linear_net(be);
    sc_dataset ds;
    tiny_dataset(&ds, 7);
    sc_metric_config c = config(SC_METRIC_BIT(SC_METRIC_RANDOMISATION), SC_METHOD_GRADIENT);
    const sc_param *w = &net->params[sc_net_find_param(net, "fc.weight")];
    static float before[CLASSES * HW], after[CLASSES * HW];
    ck_assert_int_eq(be->ops->download(be, before, w->value.data, sizeof before), SC_OK);
    sc_metric_table t;
    evaluate(net, &ds, &c, &t);
    ck_assert_int_eq(t.points[SC_FIELD_RANDOMISATION], 1);
    for (int i = 0; i < SAMPLES; i++)
        ck_assert_msg(t.value[SC_FIELD_RANDOMISATION][i] < 0.9f, "sample %d: Spearman %g", i,
                      t.value[SC_FIELD_RANDOMISATION][i]);
    ck_assert_int_eq(be->ops->download(be, after, w->value.data, sizeof after), SC_OK);
    ck_assert_int_eq(memcmp(before, after, sizeof before), 0);
    sc_metric_table_free(&t);
    sc_net_destroy(net);
    sc_dataset_free(&ds);
    sc_backend_destroy(be);
}
END_TEST

START_TEST(test_robust_accuracy_bounds) {
    sc_backend *be = sc_check_cpu(1);
    static float weight[CLASSES * HW];
    const float bias[CLASSES] = {0.0f, 0.0f, 0.0f};
    sc_test_fill_uniform(weight, CLASSES * HW, 21, -0.5f, 0.5f);
    sc_net *net = linear_net(be, weight, bias);
    sc_dataset ds;
    tiny_dataset(&ds, 8);
    sc_metric_config c = config(SC_METRIC_BIT(SC_METRIC_ROBUST), SC_METHOD_GRADIENT);
    c.eps = 0.0f;
    sc_metric_table t;
    evaluate(net, &ds, &c, &t);
    for (int i = 0; i < SAMPLES; i++) {
        float correct = t.pred[i] == t.label[i] ? 1.0f : 0.0f;
        ck_assert_float_eq(t.value[SC_FIELD_FGSM][i], correct);
        ck_assert_float_eq(t.value[SC_FIELD_PGD][i], correct);
    }
    double clean = t.accuracy;
    ck_assert(clean > 0.0);
    sc_metric_table_free(&t);
    c.eps = 0.1f;
    evaluate(net, &ds, &c, &t);
    sc_metric_summary fgsm, pgd;
    ck_assert_int_eq(sc_metric_summarise(&t, SC_FIELD_FGSM, &fgsm, NULL), SC_OK);
    ck_assert_int_eq(sc_metric_summarise(&t, SC_FIELD_PGD, &pgd, NULL), SC_OK);
    ck_assert_msg(fgsm.mean <= clean && pgd.mean <= clean, "fgsm %g pgd %g clean %g", fgsm.mean,
                  pgd.mean, clean);
    ck_assert_msg(pgd.mean < clean, "eps 0.1 should break a random linear model: %g", pgd.mean);
    sc_metric_table_free(&t);
    sc_net_destroy(net);
    sc_dataset_free(&ds);
    sc_backend_destroy(be);
}
END_TEST

/* --correct-only keeps exactly the correctly classified samples. */
START_TEST(test_correct_only) {
    sc_backend *be = sc_check_cpu(1);
    sc_net *net = dominant_linear_net(be); /* always predicts 0: a third of the labels */
    sc_dataset ds;
    tiny_dataset(&ds, 9);
    sc_metric_config c = config(SC_METRIC_BIT(SC_METRIC_GINI), SC_METHOD_GRADIENT);
    c.correct_only = 1;
    sc_selection sel = {0};
    sc_metric_table t;
    sc_error err = {0};
    ck_assert_int_eq(sc_selection_make(&ds, NULL, 0, &sel, &err), SC_OK);
    ck_assert_msg(sc_metrics_evaluate(net, &ds, &sel, &c, NULL, NULL, &t, &err) == SC_OK, "%s",
                  err.msg);
    ck_assert_int_eq(t.selected, SAMPLES);
    ck_assert_int_eq(t.count, SAMPLES / CLASSES);
    ck_assert(fabs(t.accuracy - 1.0 / CLASSES) < 1e-9);
    for (int64_t i = 0; i < t.count; i++) {
        ck_assert_int_eq(t.label[i], 0);
        ck_assert_int_eq(t.index[i] % CLASSES, 0);
        ck_assert(t.value[SC_FIELD_GINI][i] > 0.0f && t.value[SC_FIELD_GINI][i] < 1.0f);
    }
    sc_metric_table_free(&t);
    sc_selection_free(&sel);
    sc_net_destroy(net);
    sc_dataset_free(&ds);
    sc_backend_destroy(be);
}
END_TEST

int main(void) {
    Suite *s = suite_create("metrics");
    TCase *tc = tcase_create("metrics");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_metric_list);
    tcase_add_test(tc, test_constant_model_curves);
    tcase_add_test(tc, test_degenerate_maps_counted);
    tcase_add_test(tc, test_linear_faithfulness_is_one);
    tcase_add_test(tc, test_linear_gradient_sensitivity_is_zero);
    tcase_add_test(tc, test_randomisation_decorrelates_and_restores);
    tcase_add_test(tc, test_robust_accuracy_bounds);
    tcase_add_test(tc, test_correct_only);
    suite_add_tcase(s, tc);
    return sc_check_run(s);
}
