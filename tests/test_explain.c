/* The saliency methods of host/explain/methods.h against closed forms and hand computations
 * on the CPU backend: Integrated Gradients' completeness (exact for a linear model, shrinking
 * with more steps otherwise), input-x-gradient and SmoothGrad against the gradient, Grad-CAM
 * by hand on a tiny network, independence from the internal batch. (Selections and checkpoint
 * loading: test_explain_setup.c.) */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/test_util.h"
#include "host/explain/explain_model.h"
#include "host/explain/methods.h"
#include "host/explain/saliency.h"
#include "host/explain/selection.h"
#include "models/resnet.h"
#include "tests/common/check_ops.h"
#include "tests/common/check_run.h"

#define N_IMAGES 3

/* A resnet8 on (1, 16, 16) with 4 classes whose BN biases and running means are random, so it
 * is not positively homogeneous (f(a x) = a f(x) would make IG exact with any steps). */
static sc_net *make_resnet8(sc_backend *be) {
    sc_model_spec spec = {"resnet8", "cifar", 1, 4, 16, 16};
    sc_net *net = NULL;
    sc_error err = {0};
    ck_assert_msg(sc_model_create(&spec, be, 7, &net, &err) == SC_OK, "%s", err.msg);
    for (int i = 0; i < net->n_params; i++) {
        sc_param *p = &net->params[i];
        const char *dot = strrchr(p->name, '.');
        if (strncmp(p->name, "fc.", 3) != 0 && (strcmp(dot, ".bias") == 0 || strcmp(dot, ".running_mean") == 0))
            sc_test_fill_uniform(sc_f32(&p->value), (size_t)sc_tensor_numel(&p->value), (uint64_t)i,
                                 -0.5f, 0.5f);
    }
    return net;
}

/* logits = fc(x) straight on the (2, 4, 4) input: a linear model. */
static sc_net *make_linear(sc_backend *be) {
    sc_net_builder b;
    sc_nb_init(&b, 2, 4, 4);
    sc_nb_linear(&b, "fc", 0, 3);
    sc_net *net = NULL;
    sc_error err = {0};
    ck_assert_msg(sc_net_create(&b, be, 5, &net, &err) == SC_OK, "%s", err.msg);
    sc_nb_free(&b);
    return net;
}

/* conv (3 filters 3x3, stride 2, pad 1) -> relu -> global average pool -> fc (3 -> 2). */
static sc_net *make_tiny_cam(sc_backend *be) {
    sc_net_builder b;
    sc_nb_init(&b, 1, 8, 8);
    int v = sc_nb_conv(&b, "conv", 0, 3, 3, 2, 1);
    v = sc_nb_relu(&b, v);
    v = sc_nb_gap(&b, v);
    sc_nb_linear(&b, "fc", v, 2);
    sc_net *net = NULL;
    sc_error err = {0};
    ck_assert_msg(sc_net_create(&b, be, 11, &net, &err) == SC_OK, "%s", err.msg);
    sc_nb_free(&b);
    return net;
}

/* Explains N_IMAGES random images of the net's input shape (seeded) with targets t_n = n % 2;
 * maps (N_IMAGES, H, W) and gaps (N_IMAGES) into host arrays; x copied out when asked. */
static void explain(sc_net *net, const sc_method_config *cfg, float *maps, float *gaps,
                    float *x_out) {
    int64_t chw = (int64_t)net->in_c * net->in_h * net->in_w, hw = net->in_h * net->in_w;
    float *x = malloc(sizeof(float) * (size_t)(N_IMAGES * chw));
    ck_assert_ptr_nonnull(x);
    sc_test_fill_uniform(x, (size_t)(N_IMAGES * chw), 3, -1.5f, 2.0f);
    int32_t targets[N_IMAGES];
    for (int i = 0; i < N_IMAGES; i++)
        targets[i] = i % 2;
    sc_tensor tx = sc_tensor_4d(x, SC_F32, N_IMAGES, net->in_c, net->in_h, net->in_w);
    sc_tensor tt = sc_tensor_1d(targets, SC_I32, N_IMAGES);
    sc_tensor tm = sc_tensor_4d(maps, SC_F32, N_IMAGES, 1, net->in_h, net->in_w);
    sc_tensor tg = sc_tensor_1d(gaps, SC_F32, N_IMAGES);
    sc_explainer *e = NULL;
    sc_error err = {0};
    ck_assert_msg(sc_explainer_create(net, N_IMAGES, cfg, &e, &err) == SC_OK, "%s", err.msg);
    ck_assert_msg(sc_explainer_run(e, &tx, &tt, &tm, gaps ? &tg : NULL, &err) == SC_OK, "%s",
                  err.msg);
    sc_explainer_destroy(e);
    for (int64_t i = 0; i < N_IMAGES * hw; i++)
        ck_assert_msg(isfinite(maps[i]) && maps[i] >= 0.0f, "map[%lld] = %g", (long long)i, maps[i]);
    if (x_out)
        memcpy(x_out, x, sizeof(float) * (size_t)(N_IMAGES * chw));
    free(x);
}

static sc_method_config method(sc_method_kind kind) {
    sc_method_config c;
    sc_method_config_default(&c);
    c.kind = kind;
    return c;
}

static double sum_abs(const float *v, int n) {
    double s = 0;
    for (int i = 0; i < n; i++)
        s += fabs(v[i]);
    return s;
}

START_TEST(test_ig_complete_for_linear_model) {
    sc_backend *be = sc_check_cpu(2);
    sc_net *net = make_linear(be);
    sc_method_config c = method(SC_METHOD_INTEGRATED_GRADIENTS);
    c.steps = 4;
    float maps[N_IMAGES * 16], gaps[N_IMAGES], x[N_IMAGES * 32];
    explain(net, &c, maps, gaps, x);
    const float *w = sc_f32(&net->params[sc_net_find_param(net, "fc.weight")].value); /* (3, 32) */
    for (int n = 0; n < N_IMAGES; n++) {
        double diff = 0, mag = 0; /* f_t(x) - f_t(0) = w_t . x */
        for (int i = 0; i < 32; i++) {
            diff += (double)w[(n % 2) * 32 + i] * x[n * 32 + i];
            mag += fabs((double)w[(n % 2) * 32 + i] * x[n * 32 + i]);
        }
        ck_assert_msg(fabs(gaps[n]) < 1e-4 * mag, "gap %g for f_t(x) - f_t(0) = %g", gaps[n], diff);
    }
    sc_net_destroy(net);
    sc_backend_destroy(be);
}
END_TEST

START_TEST(test_ig_gap_shrinks_with_steps) {
    sc_backend *be = sc_check_cpu(2);
    sc_net *net = make_resnet8(be);
    sc_method_config c = method(SC_METHOD_INTEGRATED_GRADIENTS);
    float maps[N_IMAGES * 256], gap4[N_IMAGES], gap32[N_IMAGES];
    c.steps = 4;
    explain(net, &c, maps, gap4, NULL);
    c.steps = 32;
    explain(net, &c, maps, gap32, NULL);
    ck_assert_msg(sum_abs(gap32, N_IMAGES) < 0.5 * sum_abs(gap4, N_IMAGES),
                  "sum |gap|: %g with 32 steps, %g with 4", sum_abs(gap32, N_IMAGES),
                  sum_abs(gap4, N_IMAGES));
    sc_net_destroy(net);
    sc_backend_destroy(be);
}
END_TEST

/* The raw input gradients (N_IMAGES, C, H, W) of the images explain() uses. */
static void input_gradients(sc_net *net, const float *x, float *g) {
    sc_acts *acts = NULL;
    sc_error err = {0};
    ck_assert_msg(sc_acts_create(net, N_IMAGES, 1, 1, &acts, &err) == SC_OK, "%s", err.msg);
    size_t bytes = sc_tensor_bytes(&acts->values[0]);
    memcpy(acts->values[0].data, x, bytes);
    int32_t targets[N_IMAGES] = {0, 1, 0};
    float map[N_IMAGES * 256];
    sc_tensor tt = sc_tensor_1d(targets, SC_I32, N_IMAGES);
    sc_tensor tm = sc_tensor_4d(map, SC_F32, N_IMAGES, 1, net->in_h, net->in_w);
    sc_saliency_params mean = {SC_REDUCE_MEAN};
    ck_assert_msg(sc_saliency_gradient(net, acts, SC_FWD_EVAL, 0, &tt, &mean, &tm, &err) == SC_OK,
                  "%s", err.msg);
    memcpy(g, acts->grads[0].data, bytes);
    sc_acts_destroy(acts);
}

START_TEST(test_input_x_gradient_and_smoothgrad_by_hand) {
    sc_backend *be = sc_check_cpu(2);
    sc_net *net = make_resnet8(be);
    float x[N_IMAGES * 256], g[N_IMAGES * 256], ixg[N_IMAGES * 256], grad[N_IMAGES * 256];
    float smooth[N_IMAGES * 256];
    sc_method_config c = method(SC_METHOD_INPUT_X_GRADIENT);
    explain(net, &c, ixg, NULL, x);
    input_gradients(net, x, g);
    for (int i = 0; i < N_IMAGES * 256; i++) /* one channel: the mean over c is the value */
        ck_assert_float_eq_tol(ixg[i], fabsf(x[i] * g[i]), 1e-6f * (1.0f + fabsf(x[i] * g[i])));
    c = method(SC_METHOD_GRADIENT);
    explain(net, &c, grad, NULL, NULL);
    c = method(SC_METHOD_SMOOTHGRAD);
    c.noise = 0.0f;
    c.samples = 5;
    explain(net, &c, smooth, NULL, NULL);
    for (int i = 0; i < N_IMAGES * 256; i++) {
        ck_assert_float_eq(grad[i], fabsf(g[i]));
        ck_assert_float_eq_tol(smooth[i], grad[i], 1e-6f * (1.0f + grad[i]));
    }
    sc_net_destroy(net);
    sc_backend_destroy(be);
}
END_TEST

/* torch.nn.functional.interpolate(mode="bilinear", align_corners=False) of (h, w) to (H, W). */
static float bilinear(const float *in, int h, int w, int H, int W, int y, int x) {
    float sy = fmaxf(((float)y + 0.5f) * (float)h / (float)H - 0.5f, 0.0f);
    float sx = fmaxf(((float)x + 0.5f) * (float)w / (float)W - 0.5f, 0.0f);
    int y0 = (int)sy, x0 = (int)sx, y1 = y0 + (y0 < h - 1), x1 = x0 + (x0 < w - 1);
    float ly = sy - (float)y0, lx = sx - (float)x0;
    return (1 - ly) * ((1 - lx) * in[y0 * w + x0] + lx * in[y0 * w + x1]) +
           ly * ((1 - lx) * in[y1 * w + x0] + lx * in[y1 * w + x1]);
}

START_TEST(test_gradcam_by_hand) {
    sc_backend *be = sc_check_cpu(2);
    sc_net *net = make_tiny_cam(be);
    sc_method_config c = method(SC_METHOD_GRADCAM);
    float maps[N_IMAGES * 64], x[N_IMAGES * 64];
    explain(net, &c, maps, NULL, x);
    const float *k = sc_f32(&net->params[sc_net_find_param(net, "conv.weight")].value); /* (3,1,3,3) */
    const float *w = sc_f32(&net->params[sc_net_find_param(net, "fc.weight")].value);   /* (2, 3) */
    double peak = 0;
    for (int n = 0; n < N_IMAGES; n++) {
        float cam[16] = {0}; /* (4, 4): relu(sum_k alpha_k A_k), alpha_k = w[t, k] / 16 */
        for (int f = 0; f < 3; f++)
            for (int oy = 0; oy < 4; oy++)
                for (int ox = 0; ox < 4; ox++) {
                    float a = 0;
                    for (int r = 0; r < 3; r++)
                        for (int s = 0; s < 3; s++) {
                            int iy = 2 * oy - 1 + r, ix = 2 * ox - 1 + s;
                            if (iy >= 0 && iy < 8 && ix >= 0 && ix < 8)
                                a += k[f * 9 + r * 3 + s] * x[n * 64 + iy * 8 + ix];
                        }
                    cam[oy * 4 + ox] += w[(n % 2) * 3 + f] / 16.0f * fmaxf(a, 0.0f);
                }
        for (int i = 0; i < 16; i++)
            cam[i] = fmaxf(cam[i], 0.0f);
        for (int y = 0; y < 8; y++)
            for (int xx = 0; xx < 8; xx++) {
                float want = bilinear(cam, 4, 4, 8, 8, y, xx);
                peak = fmax(peak, want);
                ck_assert_float_eq_tol(maps[n * 64 + y * 8 + xx], want, 1e-5f * (1.0f + want));
            }
    }
    ck_assert_msg(peak > 0, "a cam that is zero everywhere tests nothing");
    sc_net_destroy(net);
    sc_backend_destroy(be);
}
END_TEST

START_TEST(test_internal_batch_does_not_change_maps) {
    sc_backend *be = sc_check_cpu(2);
    sc_net *net = make_resnet8(be);
    sc_method_kind kinds[2] = {SC_METHOD_SMOOTHGRAD, SC_METHOD_INTEGRATED_GRADIENTS};
    for (int k = 0; k < 2; k++) {
        float one[N_IMAGES * 256], many[N_IMAGES * 256], gap_one[N_IMAGES], gap_many[N_IMAGES];
        sc_method_config c = method(kinds[k]);
        c.samples = 5;
        c.steps = 6;
        c.seed = 9;
        c.internal_batch = 1;
        explain(net, &c, one, kinds[k] == SC_METHOD_SMOOTHGRAD ? NULL : gap_one, NULL);
        c.internal_batch = 64;
        explain(net, &c, many, kinds[k] == SC_METHOD_SMOOTHGRAD ? NULL : gap_many, NULL);
        ck_assert_msg(memcmp(one, many, sizeof one) == 0, "%s maps differ",
                      sc_method_name(kinds[k]));
        if (kinds[k] == SC_METHOD_INTEGRATED_GRADIENTS)
            ck_assert_int_eq(memcmp(gap_one, gap_many, sizeof gap_one), 0);
    }
    sc_net_destroy(net);
    sc_backend_destroy(be);
}
END_TEST

START_TEST(test_methods_by_name_and_refusals) {
    sc_error err = {0};
    for (int k = 0; k < SC_METHOD_COUNT; k++) {
        sc_method_kind back;
        ck_assert_int_eq(sc_method_parse(sc_method_name((sc_method_kind)k), &back, &err), SC_OK);
        ck_assert_int_eq(back, k);
    }
    sc_method_kind kind;
    ck_assert_int_eq(sc_method_parse("saliency", &kind, &err), SC_ERR_USAGE);
    ck_assert_ptr_nonnull(strstr(err.msg, "'saliency'"));
    sc_backend *be = sc_check_cpu(2);
    sc_net *net = make_linear(be);
    sc_explainer *e = NULL;
    sc_method_config c = method(SC_METHOD_GRADCAM);
    ck_assert_int_eq(sc_explainer_create(net, 4, &c, &e, &err), SC_ERR_UNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(err.msg, "gradcam"));
    c = method(SC_METHOD_SMOOTHGRAD);
    c.samples = 0;
    ck_assert_int_eq(sc_explainer_create(net, 4, &c, &e, &err), SC_ERR_USAGE);
    ck_assert_ptr_null(e);
    sc_net_destroy(net);
    sc_backend_destroy(be);
}
END_TEST

static Suite *explain_suite(void) {
    Suite *s = suite_create("explain");
    TCase *t = tcase_create("methods");
    tcase_set_timeout(t, 600);
    tcase_add_test(t, test_ig_complete_for_linear_model);
    tcase_add_test(t, test_ig_gap_shrinks_with_steps);
    tcase_add_test(t, test_input_x_gradient_and_smoothgrad_by_hand);
    tcase_add_test(t, test_gradcam_by_hand);
    tcase_add_test(t, test_internal_batch_does_not_change_maps);
    tcase_add_test(t, test_methods_by_name_and_refusals);
    suite_add_tcase(s, t);
    return s;
}

int main(void) { return sc_check_run(explain_suite()); }
