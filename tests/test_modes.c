/* The training modes on the CPU backend (resnet8, batches of 1-6 images of 12x12 or 12x16,
 * normalisation mean 0.286 std 0.353), through the step functions and their shared pieces
 * (tests/common/mode_fixture.h builds them as the trainer does):
 * 1. lambda = 0: sgt and scaat (both --saliency-bn) give bit-identical weight gradients to the
 *    standard step (every KL gradient is an exact zero); with lambda = 1 they differ.
 * 2. the saliency pass and the attacks leave the BN running statistics, num_batches_tracked and
 *    the weight gradients untouched; a full step updates the running statistics once per
 *    training forward (standard/adv 1, sgt/scaat 2, asgt 3), bit-identical to replaying them.
 * 3. scaat's perturbation: exactly floor(k H W) lowest-saliency pixels masked, budget
 *    eps_t (1 - s / max s) inside the mask, delta exactly 0 outside it, |delta| <= budget / std,
 *    x + delta in the valid range, eps 0 gives x; adv's delta within eps / std.
 * 4. finite differences of the sgt / scaat objective in the weights (x~ held fixed, both
 *    forwards with frozen batch statistics, L in double from the logits) against the pieces'
 *    analytic gradient, which equals the step's bit for bit; also the KL term alone, and
 *    --kl-detach-target against a frozen target (steps and tolerances per tensor: fd_tensors);
 *    the other KL objective is told apart.
 * 5. every mode steps on one image and on a non-square image with sane statistics. */
#include <check.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/gradcheck.h"
#include "common/mode_fixture.h"
#include "common/test_util.h"
#include "host/train/attack.h"
#include "host/train/evaluate.h"
#include "tests/common/check_ops.h"
#include "tests/common/check_run.h"

#define OK(call) ck_assert_msg((call) == SC_OK, "%s: %s", #call, err.msg)

static void make_fixture(sc_backend *be, const sc_mode_config *m, int batch, int h, int w,
                         uint64_t seed, sc_mode_fixture *f) {
    sc_error err = {0};
    OK(sc_mode_fixture_create(be, m, batch, h, w, seed, f, &err));
}

static sc_mode_config config_for(sc_mode_kind kind, int bn_batch) {
    sc_mode_config m = sc_mode_fixture_config(kind);
    if (sc_mode_options_used(kind) & SC_OPT_SALIENCY_BN) {
        m.saliency_bn_batch = bn_batch;
        m.given |= SC_OPT_SALIENCY_BN;
    }
    if (kind == SC_MODE_SCAAT) { /* the full eps from the first epoch */
        m.eps_warmup = 0.0f;
        m.given |= SC_OPT_EPS_WARMUP;
    }
    return m;
}

static float *download(const sc_mode_fixture *f, const sc_tensor *t) {
    float *h = sc_mode_fixture_download(f, t);
    ck_assert_ptr_nonnull(h);
    return h;
}

static float *running(const sc_mode_fixture *f) {
    sc_error err = {0};
    float *r = malloc(sc_mode_fixture_running_count(f) * sizeof *r);
    ck_assert_ptr_nonnull(r);
    OK(sc_mode_fixture_get_running(f, r, &err));
    return r;
}

/* Number of elements where a and b differ (-0 == +0). */
static size_t count_diff(const float *a, const float *b, size_t n) {
    size_t d = 0;
    for (size_t i = 0; i < n; i++)
        d += !(a[i] == b[i]);
    return d;
}

static sc_status run_step(sc_mode_fixture *f, float lr, uint64_t step, sc_error *err) {
    sc_train_step_args a = sc_mode_fixture_args(f, lr, step, 0);
    return sc_train_step_for_mode(f->cfg.mode.kind)(&a, err);
}

/* ---- 1. lambda = 0 ------------------------------------------------------------------------ */

START_TEST(test_lambda_zero_is_standard) {
    sc_backend *be = sc_check_cpu(2);
    sc_error err = {0};
    const sc_mode_kind kinds[2] = {SC_MODE_SGT, SC_MODE_SCAAT};
    for (int c = 0; c < 4; c++) {
        sc_mode_config m = config_for(kinds[c / 2], c % 2);
        m.lambda = 0.0f;
        m.given |= SC_OPT_LAMBDA;
        sc_mode_fixture f;
        make_fixture(be, &m, 6, 12, 12, 11, &f);
        size_t n = (size_t)sc_tensor_numel(&f.net->flat_grads);
        float *w0 = download(&f, &f.net->flat_params);
        sc_train_step_args a = sc_mode_fixture_args(&f, 0.0f, 3, 0);
        OK(sc_train_step_standard(&a, &err));
        float *g_std = download(&f, &f.net->flat_grads);
        OK(run_step(&f, 0.0f, 3, &err));
        float *g_mode = download(&f, &f.net->flat_grads);
        float *w1 = download(&f, &f.net->flat_params);
        const char *what = sc_mode_name(m.kind);
        ck_assert_msg(count_diff(w0, w1, n) == 0, "%s: lr 0 moved the weights", what);
        ck_assert_msg(sc_test_count_nonfinite(g_std, n) == 0, "%s: non-finite gradient", what);
        size_t diff = count_diff(g_std, g_mode, n);
        ck_assert_msg(diff == 0, "%s bn %d, lambda 0: %zu of %zu gradients differ from standard "
                      "(max rel err %g)", what, c % 2, diff, n,
                      sc_test_max_rel_err(g_mode, g_std, n, 1e-12));
        /* the second branch was really there: its input differs from x */
        float *x = download(&f, &f.clean->values[0]), *xt = download(&f, &f.mode->branch[0]->values[0]);
        ck_assert_msg(count_diff(x, xt, (size_t)sc_tensor_numel(&f.clean->values[0])) > 0,
                      "%s: the masked/perturbed input equals x", what);
        /* and with lambda = 1 the KL term changes the gradient */
        f.mode->cfg.lambda = 1.0f;
        OK(run_step(&f, 0.0f, 3, &err));
        float *g_kl = download(&f, &f.net->flat_grads);
        ck_assert_msg(count_diff(g_std, g_kl, n) > n / 2, "%s: lambda 1 left the gradient as "
                      "standard's", what);
        free(w0), free(w1), free(g_std), free(g_mode), free(g_kl), free(x), free(xt);
        sc_mode_fixture_destroy(&f);
    }
    sc_backend_destroy(be);
}
END_TEST

/* asgt with --kl-detach-target: the KL's first argument is f(x~), so x~'s branch must receive
 * no gradient at all; at lambda 0 the step is CE(f(x)) + CE(f(x_a)) with or without detach.
 * (The masked branch's logits gradient still held the saliency pass's one-hot seed once.) */
START_TEST(test_asgt_detach_leaves_masked_branch_out) {
    sc_backend *be = sc_check_cpu(2);
    sc_error err = {0};
    float *g[2];
    size_t n = 0;
    for (int detach = 0; detach < 2; detach++) {
        sc_mode_config m = config_for(SC_MODE_ASGT, 0);
        m.lambda = 0.0f;
        m.kl_detach_target = detach;
        m.given |= SC_OPT_LAMBDA | (detach ? SC_OPT_KL_DETACH : 0u);
        sc_mode_fixture f;
        make_fixture(be, &m, 5, 12, 12, 17, &f);
        n = (size_t)sc_tensor_numel(&f.net->flat_grads);
        OK(run_step(&f, 0.0f, 2, &err));
        g[detach] = download(&f, &f.net->flat_grads);
        sc_mode_fixture_destroy(&f);
    }
    size_t diff = count_diff(g[0], g[1], n);
    ck_assert_msg(diff == 0, "asgt lambda 0: %zu of %zu gradients differ with --kl-detach-target "
                  "(max rel err %g)", diff, n, sc_test_max_rel_err(g[1], g[0], n, 1e-12));
    free(g[0]), free(g[1]);
    sc_backend_destroy(be);
}
END_TEST

/* ---- 2. running statistics ---------------------------------------------------------------- */

/* The running statistics, num_batches_tracked and the (zeroed) weight gradients are as in
 * `before` / nbt / all zero. */
static void expect_untouched(const sc_mode_fixture *f, const float *before, int64_t nbt,
                             const char *what) {
    float *now = running(f);
    size_t diff = count_diff(before, now, sc_mode_fixture_running_count(f));
    ck_assert_msg(diff == 0, "%s changed %zu running statistics", what, diff);
    ck_assert_msg(f->net->num_batches_tracked == nbt, "%s: num_batches_tracked %lld, expected "
                  "%lld", what, (long long)f->net->num_batches_tracked, (long long)nbt);
    float *g = download(f, &f->net->flat_grads);
    size_t n = (size_t)sc_tensor_numel(&f->net->flat_grads), nonzero = 0;
    for (size_t i = 0; i < n; i++)
        nonzero += g[i] != 0.0f;
    ck_assert_msg(nonzero == 0, "%s wrote %zu weight gradients", what, nonzero);
    free(now);
    free(g);
}

START_TEST(test_running_statistics) {
    sc_backend *be = sc_check_cpu(2);
    sc_error err = {0};
    for (int bn = 0; bn < 2; bn++) { /* the passes on their own */
        sc_mode_config m = config_for(SC_MODE_SCAAT, bn);
        m.steps = 2;
        m.given |= SC_OPT_STEPS;
        sc_mode_fixture f;
        make_fixture(be, &m, 4, 12, 12, 5, &f);
        sc_train_step_args a = sc_mode_fixture_args(&f, 0.0f, 1, 0);
        sc_acts *adv = f.mode->branch[0];
        OK(sc_net_zero_grads(f.net, &err));
        OK(sc_train_copy_batch(f.clean, adv, &err));
        if (bn) /* the clean training forward the saliency reuses (it counts, as in the step) */
            OK(sc_net_forward(f.net, f.clean, SC_FWD_TRAIN, &err));
        float *r0 = running(&f);
        int64_t nbt = f.net->num_batches_tracked;
        OK(sc_train_saliency_mask(&a, bn ? f.clean : adv, bn, &err));
        expect_untouched(&f, r0, nbt, bn ? "saliency (batch, reused forward)" : "saliency (eval)");
        OK(sc_train_saliency_mask(&a, adv, 0, &err));
        expect_untouched(&f, r0, nbt, bn ? "saliency (frozen batch)" : "saliency (eval) again");
        sc_tensor logits = sc_acts_logits_rows(adv);
        OK(be->ops->copy(be, f.mode->ref_logits.data, logits.data, sc_tensor_bytes(&logits)));
        sc_budget_params bp = {m.eps, m.gamma};
        OK(be->ops->perturb_budget(be, &bp, &f.mode->map, &f.mode->mask, &f.mode->budget));
        OK(sc_train_attack(&a, adv, &f.mode->budget, m.eps, 1, SC_ATTACK_KL, &err));
        expect_untouched(&f, r0, nbt, "scaat attack");
        OK(sc_train_copy_batch(f.clean, adv, &err));
        OK(sc_train_attack(&a, adv, NULL, m.eps, 0, SC_ATTACK_CE, &err));
        expect_untouched(&f, r0, nbt, "CE attack without random start");
        free(r0);
        sc_mode_fixture_destroy(&f);
    }
    /* full steps: one update per training forward, in the order of the branches */
    for (int kind = 0; kind < SC_MODE_COUNT; kind++)
        for (int bn = 0; bn < 2; bn++) {
            if (bn && !(sc_mode_options_used((sc_mode_kind)kind) & SC_OPT_SALIENCY_BN))
                continue;
            sc_mode_config m = config_for((sc_mode_kind)kind, bn);
            sc_mode_fixture f;
            make_fixture(be, &m, 4, 12, 12, 6, &f);
            OK(run_step(&f, 0.0f, 1, &err)); /* running statistics away from their init */
            float *r1 = running(&f);
            int64_t nbt = f.net->num_batches_tracked;
            OK(run_step(&f, 0.0f, 2, &err));
            float *r2 = running(&f);
            sc_acts *order[3] = {f.clean, f.mode->branch[0], f.mode->branch[1]};
            int forwards = kind == SC_MODE_ASGT ? 3 : kind == SC_MODE_SGT || kind == SC_MODE_SCAAT ? 2 : 1;
            int first = kind == SC_MODE_ADV; /* adv trains on x + delta only */
            ck_assert_msg(f.net->num_batches_tracked == nbt + forwards, "%s: num_batches_tracked "
                          "+%lld, expected +%d", sc_mode_name(m.kind),
                          (long long)(f.net->num_batches_tracked - nbt), forwards);
            size_t count = sc_mode_fixture_running_count(&f);
            ck_assert_msg(count_diff(r1, r2, count) > count / 2, "%s: running statistics not "
                          "updated", sc_mode_name(m.kind));
            OK(sc_mode_fixture_set_running(&f, r1, &err)); /* replay the training forwards */
            for (int b = 0; b < forwards; b++)
                OK(sc_net_forward(f.net, order[first + b], SC_FWD_TRAIN, &err));
            float *r3 = running(&f);
            size_t diff = count_diff(r2, r3, count);
            ck_assert_msg(diff == 0, "%s bn %d: %zu running statistics differ from %d training "
                          "forwards of the branches", sc_mode_name(m.kind), bn, diff, forwards);
            free(r1), free(r2), free(r3);
            sc_mode_fixture_destroy(&f);
        }
    sc_backend_destroy(be);
}
END_TEST

/* ---- 3. perturbation ---------------------------------------------------------------------- */

/* |x + delta - x| <= e (normalised units) up to the rounding of x + d and its difference. */
static int within_budget(float x, float xadv, float e) {
    return fabsf(xadv - x) <= e + 2.0f * FLT_EPSILON * (fabsf(x) + e);
}

static void check_scaat_attack(sc_backend *be, int steps, float k, int bn, float eps, int epoch,
                               float expect_eps_t) {
    sc_error err = {0};
    sc_mode_config m = sc_mode_fixture_config(SC_MODE_SCAAT);
    m.steps = steps, m.k = k, m.saliency_bn_batch = bn, m.eps = eps;
    m.given |= SC_OPT_STEPS | SC_OPT_K | SC_OPT_SALIENCY_BN | SC_OPT_EPS;
    sc_mode_fixture f;
    make_fixture(be, &m, 5, 12, 16, 21, &f);
    sc_train_step_args a = sc_mode_fixture_args(&f, 0.0f, 4, epoch);
    OK(sc_mode_fixture_scaat_attack(&a, &err));
    float stats[SC_STAT_COUNT];
    OK(sc_mode_fixture_read_stats(&f, stats, &err));
    float *x = download(&f, &f.clean->values[0]), *xadv = download(&f, &f.mode->branch[0]->values[0]);
    float *map = download(&f, &f.mode->map), *mask = download(&f, &f.mode->mask);
    float *budget = download(&f, &f.mode->budget);
    const int hw = f.h * f.w;
    const int expect_count = (int)floor((double)k * hw);
    const float std = SC_FIXTURE_STD, lo = (0.0f - SC_FIXTURE_MEAN) / std,
                hi = (1.0f - SC_FIXTURE_MEAN) / std;
    double delta_sum = 0.0;
    int moved = 0;
    for (int n = 0; n < f.batch; n++) {
        const float *s = map + n * hw, *mk = mask + n * hw, *e = budget + n * hw;
        int count = 0;
        float max_in = -INFINITY, min_out = INFINITY, max_s = -INFINITY;
        for (int i = 0; i < hw; i++) {
            ck_assert_msg(mk[i] == 0.0f || mk[i] == 1.0f, "mask value %g", (double)mk[i]);
            count += mk[i] == 1.0f;
            if (mk[i] == 1.0f)
                max_in = fmaxf(max_in, s[i]);
            else
                min_out = fminf(min_out, s[i]);
            max_s = fmaxf(max_s, s[i]);
        }
        ck_assert_msg(count == expect_count, "image %d: %d masked pixels, expected %d", n, count,
                      expect_count);
        ck_assert_msg(max_in <= min_out, "image %d: a masked pixel (%g) is more salient than a "
                      "kept one (%g)", n, (double)max_in, (double)min_out);
        double sample = 0.0;
        for (int i = 0; i < hw; i++) {
            float expect_e = mk[i] == 1.0f ? expect_eps_t * (1.0f - (max_s > 0.0f ? s[i] / max_s : 0.0f)) : 0.0f;
            ck_assert_msg(fabsf(e[i] - expect_e) <= 1e-6f * expect_eps_t, "budget %g, expected %g",
                          (double)e[i], (double)expect_e);
            float xi = x[n * hw + i], ai = xadv[n * hw + i];
            if (mk[i] == 0.0f)
                ck_assert_msg(ai == xi, "image %d pixel %d outside the mask moved by %g", n, i,
                              (double)(ai - xi));
            ck_assert_msg(within_budget(xi, ai, e[i] / std), "image %d pixel %d: |delta| %g > "
                          "budget %g", n, i, (double)fabsf(ai - xi), (double)(e[i] / std));
            ck_assert_msg(ai >= lo && ai <= hi, "x + delta %g outside [%g, %g]", (double)ai,
                          (double)lo, (double)hi);
            sample += (double)fabsf(ai - xi) * std;
            moved += ai != xi;
        }
        delta_sum += sample / hw;
    }
    if (expect_eps_t > 0.0f)
        ck_assert_msg(moved > f.batch * expect_count / 2, "only %d pixels moved", moved);
    else
        ck_assert_msg(moved == 0 && count_diff(x, xadv, (size_t)(f.batch * hw)) == 0,
                      "eps 0 moved %d pixels", moved);
    ck_assert_msg(fabs(stats[SC_STAT_DELTA] - delta_sum) <= 1e-5 * (delta_sum + 1e-6),
                  "delta statistic %g, recomputed %g", (double)stats[SC_STAT_DELTA], delta_sum);
    ck_assert_msg(fabs(stats[SC_STAT_MASK] - (double)f.batch * expect_count / hw) <= 1e-5,
                  "mask statistic %g", (double)stats[SC_STAT_MASK]);
    free(x), free(xadv), free(map), free(mask), free(budget);
    sc_mode_fixture_destroy(&f);
}

START_TEST(test_scaat_perturbation) {
    sc_backend *be = sc_check_cpu(2);
    /* epoch 1 of the default 5-epoch warmup: eps_t = eps * 2 / 5 */
    check_scaat_attack(be, 1, 0.5f, 0, 8.0f / 255.0f, 1, 8.0f / 255.0f * 0.4f);
    check_scaat_attack(be, 3, 0.3f, 1, 0.1f, 7, 0.1f);
    check_scaat_attack(be, 3, 0.5f, 0, 0.0f, 7, 0.0f);
    check_scaat_attack(be, 1, 0.3f, 1, 0.0f, 7, 0.0f);
    sc_backend_destroy(be);
}
END_TEST

START_TEST(test_adv_perturbation) {
    sc_backend *be = sc_check_cpu(2);
    sc_error err = {0};
    sc_mode_config m = sc_mode_fixture_config(SC_MODE_ADV);
    m.steps = 2;
    m.given |= SC_OPT_STEPS;
    sc_mode_fixture f;
    make_fixture(be, &m, 4, 12, 12, 8, &f);
    sc_train_step_args a = sc_mode_fixture_args(&f, 0.0f, 2, 0);
    sc_acts *adv = f.mode->branch[0];
    OK(sc_train_copy_batch(f.clean, adv, &err));
    OK(sc_train_attack(&a, adv, NULL, m.eps, 1, SC_ATTACK_CE, &err));
    size_t n = (size_t)sc_tensor_numel(&adv->values[0]);
    float *x = download(&f, &f.clean->values[0]), *xadv = download(&f, &adv->values[0]);
    const float e = m.eps / SC_FIXTURE_STD, lo = -SC_FIXTURE_MEAN / SC_FIXTURE_STD,
                hi = (1.0f - SC_FIXTURE_MEAN) / SC_FIXTURE_STD;
    size_t at_edge = 0;
    for (size_t i = 0; i < n; i++) {
        ck_assert_msg(within_budget(x[i], xadv[i], e), "element %zu: |delta| %g > %g", i,
                      (double)fabsf(xadv[i] - x[i]), (double)e);
        ck_assert(xadv[i] >= lo && xadv[i] <= hi);
        at_edge += fabsf(xadv[i] - x[i]) >= 0.999f * e || xadv[i] == lo || xadv[i] == hi;
    }
    /* beta = 2.5 / 2 per step: the second step takes every element with a gradient to the edge */
    ck_assert_msg(at_edge > n / 2, "only %zu of %zu elements at the budget's edge", at_edge, n);
    free(x), free(xadv);
    sc_mode_fixture_destroy(&f);
    sc_backend_destroy(be);
}
END_TEST

/* ---- 4. finite differences of the objective in the weights -------------------------------- */

typedef struct fd_ctx {
    sc_mode_fixture *f;
    const sc_param *param; /* the tensor under test */
    float *values;         /* its values, perturbed by the checker */
    int with_ce;           /* L includes CE(f(x), y) */
    const float *frozen_p; /* detached KL target: the clean logits at the unperturbed weights */
    sc_error err;
} fd_ctx;

/* log-softmax of a row of k logits, in double. */
static void log_softmax(const float *z, int k, double *out) {
    double mx = z[0], sum = 0.0;
    for (int j = 1; j < k; j++)
        mx = fmax(mx, z[j]);
    for (int j = 0; j < k; j++)
        sum += exp((double)z[j] - mx);
    for (int j = 0; j < k; j++)
        out[j] = (double)z[j] - mx - log(sum);
}

/* out[0] + out[1] = L = mean CE(f(x), y) + lambda mean KL(softmax p || softmax f(x~)), in
 * double (split into two floats), both forwards with batch statistics left unrecorded. */
static sc_status fd_forward(void *vctx, float *out) {
    fd_ctx *c = vctx;
    sc_mode_fixture *f = c->f;
    sc_backend *be = f->be;
    sc_acts *clean = f->clean, *other = f->mode->branch[0];
    if (f->net->num_classes > 64)
        return sc_fail(&c->err, SC_ERR_SHAPE, "fd_forward: at most 64 classes");
    SC_TRY(sc_train_op(be, be->ops->upload(be, c->param->value.data, c->values,
                                           sc_tensor_bytes(&c->param->value)), "upload", &c->err));
    SC_TRY(sc_net_forward(f->net, clean, SC_FWD_TRAIN_FROZEN, &c->err));
    SC_TRY(sc_net_forward(f->net, other, SC_FWD_TRAIN_FROZEN, &c->err));
    sc_tensor zc = sc_acts_logits_rows(clean), zo = sc_acts_logits_rows(other);
    float *lc = sc_mode_fixture_download(f, &zc), *lo = sc_mode_fixture_download(f, &zo);
    const int32_t *labels = sc_i32(&clean->labels); /* host memory on the CPU backend */
    const int k = f->net->num_classes, n = clean->n_rows;
    double lp[64], lq[64], total = 0.0;
    for (int r = 0; lc && lo && r < n; r++) {
        log_softmax(lc + r * k, k, lp);
        if (c->with_ce)
            total -= lp[labels[r]] / n;
        if (c->frozen_p)
            log_softmax(c->frozen_p + r * k, k, lp);
        log_softmax(lo + r * k, k, lq);
        for (int j = 0; j < k; j++)
            total += f->mode->cfg.lambda * exp(lp[j]) * (lp[j] - lq[j]) / n;
    }
    sc_status st = lc && lo ? SC_OK : sc_fail(&c->err, SC_ERR_OOM, "logits");
    free(lc), free(lo);
    out[0] = (float)total;
    out[1] = (float)(total - (double)out[0]);
    return st;
}

/* The analytic gradient from the shared pieces: zero grads, both forwards, CE (when asked) and
 * KL into the logits gradients, full backward of both branches. */
static void pieces_gradient(sc_mode_fixture *f, int with_ce) {
    sc_error err = {0};
    sc_backend *be = f->be;
    sc_train_step_args a = sc_mode_fixture_args(f, 0.0f, 9, 0);
    sc_acts *clean = f->clean, *other = f->mode->branch[0];
    sc_tensor dclean = sc_acts_dlogits_rows(clean);
    OK(sc_net_zero_grads(f->net, &err));
    OK(be->ops->zero(be, dclean.data, sc_tensor_bytes(&dclean))); /* KL alone, detached */
    OK(sc_net_forward(f->net, clean, SC_FWD_TRAIN_FROZEN, &err));
    OK(sc_net_forward(f->net, other, SC_FWD_TRAIN_FROZEN, &err));
    if (with_ce)
        OK(sc_train_xent(&a, clean, 1, SC_STAT_SCRATCH, &err));
    OK(sc_train_kl(&a, clean, !with_ce, other, 1, &err));
    OK(sc_net_backward(f->net, clean, SC_BWD_FULL, &err));
    OK(sc_net_backward(f->net, other, SC_BWD_FULL, &err));
}

/* The checked tensors, with a central-difference step and a tolerance each. float32 logits
 * put a noise floor of ~1e-7 / eps under the differences and ReLU kinks crossed within +-eps a
 * truncation error that grows with eps; the first layers (whose single weights move a whole BN
 * channel) are the worst: there the errors fall only slowly with eps (conv1.weight, CE + KL:
 * 0.09 at 1e-3, 0.02 at 1e-4), so they are checked on the whole objective only, where the
 * gradient is large; the KL term alone (gradients 10-100 times smaller) on the deeper tensors. */
static const struct {
    const char *name;
    float eps;
    double tol;
    int kl_alone;
} fd_tensors[] = {
    {"conv1.weight", 1e-4f, 5e-2, 0},          {"bn1.weight", 1e-4f, 2.5e-2, 0},
    {"layer2.0.conv2.weight", 3e-4f, 1e-2, 1}, {"layer3.0.bn2.bias", 3e-4f, 1e-2, 1},
    {"fc.weight", 1e-3f, 2e-3, 1},             {"fc.bias", 1e-3f, 2e-3, 1},
};

/* Finite differences of L (with or without CE; KL against frozen_p when given) in the
 * tensor `name` against the analytic gradient the last pieces_gradient left. */
static sc_gradcheck_result fd_check(sc_mode_fixture *f, const char *name, float eps, int with_ce,
                                    const float *frozen_p) {
    sc_error err = {0};
    int pi = sc_net_find_param(f->net, name);
    ck_assert_msg(pi >= 0, "no parameter %s", name);
    const sc_param *p = &f->net->params[pi];
    float *analytic = download(f, &p->grad), *values = download(f, &p->value);
    fd_ctx ctx = {f, p, values, with_ce, frozen_p, {0}};
    sc_gradcheck_opts opts = sc_gradcheck_opts_default();
    opts.eps = eps;
    opts.floor = 1e-4;
    opts.max_points = 32;
    const float r[2] = {1.0f, 1.0f};
    sc_gradcheck_result res;
    ck_assert_msg(sc_gradcheck_run(fd_forward, &ctx, values, (size_t)sc_tensor_numel(&p->value),
                                   2, r, analytic, &opts, &res, &err) == SC_OK,
                  "%s: %s / %s", name, err.msg, ctx.err.msg);
    free(analytic), free(values);
    return res;
}

static void check_objective(sc_backend *be, sc_mode_config m, const char *what) {
    sc_error err = {0};
    sc_mode_fixture f;
    make_fixture(be, &m, 4, 12, 12, 31, &f);
    OK(run_step(&f, 0.0f, 9, &err)); /* x~ now in branch[0]; the weights stay (lr 0) */
    size_t n = (size_t)sc_tensor_numel(&f.net->flat_grads);
    float *g_step = download(&f, &f.net->flat_grads);
    pieces_gradient(&f, 1);
    float *g_pieces = download(&f, &f.net->flat_grads);
    ck_assert_msg(count_diff(g_step, g_pieces, n) == 0, "%s: the pieces' gradient differs from "
                  "the step's (max rel err %g)", what, sc_test_max_rel_err(g_pieces, g_step, n, 1e-12));
    sc_tensor zc = sc_acts_logits_rows(f.clean);
    float *frozen = m.kl_detach_target ? download(&f, &zc) : NULL;
    char buf[256];
    for (int with_ce = 1; with_ce >= 0; with_ce--) {
        pieces_gradient(&f, with_ce);
        for (size_t t = 0; t < sizeof fd_tensors / sizeof fd_tensors[0]; t++) {
            if (!with_ce && !fd_tensors[t].kl_alone)
                continue;
            sc_gradcheck_result res = fd_check(&f, fd_tensors[t].name, fd_tensors[t].eps, with_ce,
                                               frozen);
            ck_assert_msg(res.max_err <= fd_tensors[t].tol, "%s, %s, %s: %s (tolerance %g)", what,
                          with_ce ? "CE + KL" : "KL alone", fd_tensors[t].name,
                          sc_gradcheck_describe(&res, buf, sizeof buf), fd_tensors[t].tol);
        }
    }
    /* the check tells the two objectives apart: the KL gradient (detached or not) against the
     * differences of the other objective is far off */
    pieces_gradient(&f, 0);
    float *other_p = m.kl_detach_target ? NULL : download(&f, &zc);
    sc_gradcheck_result res = fd_check(&f, "fc.weight", 1e-3f, 0, other_p);
    ck_assert_msg(res.max_err > 0.1, "%s: the other KL objective also matches: %s", what,
                  sc_gradcheck_describe(&res, buf, sizeof buf));
    free(g_step), free(g_pieces), free(frozen), free(other_p);
    sc_mode_fixture_destroy(&f);
}

START_TEST(test_objective_gradients) {
    sc_backend *be = sc_check_cpu(2);
    sc_mode_config m = config_for(SC_MODE_SGT, 0);
    check_objective(be, m, "sgt");
    m = config_for(SC_MODE_SCAAT, 1);
    m.eps = 0.3f, m.steps = 2, m.lambda = 2.0f;
    m.given |= SC_OPT_EPS | SC_OPT_STEPS | SC_OPT_LAMBDA;
    check_objective(be, m, "scaat");
    m.kl_detach_target = 1;
    m.given |= SC_OPT_KL_DETACH;
    check_objective(be, m, "scaat --kl-detach-target");
    sc_backend_destroy(be);
}
END_TEST

/* ---- 5. every mode on one image and on a non-square image --------------------------------- */

START_TEST(test_every_mode_edge_shapes) {
    sc_backend *be = sc_check_cpu(2);
    sc_error err = {0};
    const int shapes[2][3] = {{1, 12, 12}, {4, 12, 16}};
    for (int s = 0; s < 2; s++)
        for (int kind = 0; kind < SC_MODE_COUNT; kind++)
            for (int bn = 0; bn < 2; bn++) {
                unsigned used = sc_mode_options_used((sc_mode_kind)kind);
                if (bn && !(used & SC_OPT_SALIENCY_BN))
                    continue;
                sc_mode_config m = config_for((sc_mode_kind)kind, bn);
                sc_mode_fixture f;
                const int batch = shapes[s][0], hw = shapes[s][1] * shapes[s][2];
                make_fixture(be, &m, batch, shapes[s][1], shapes[s][2], 40 + (uint64_t)s, &f);
                size_t n = (size_t)sc_tensor_numel(&f.net->flat_params);
                float *w0 = download(&f, &f.net->flat_params);
                OK(run_step(&f, 0.05f, 0, &err));
                float st[SC_STAT_COUNT];
                OK(sc_mode_fixture_read_stats(&f, st, &err));
                float *w1 = download(&f, &f.net->flat_params);
                const char *name = sc_mode_name(m.kind);
                ck_assert_msg(sc_test_count_nonfinite(st, SC_STAT_COUNT) == 0, "%s: non-finite "
                              "statistics", name);
                ck_assert_msg(sc_test_count_nonfinite(w1, n) == 0, "%s: non-finite weights", name);
                ck_assert_msg(count_diff(w0, w1, n) > n / 2, "%s: the weights did not move", name);
                int adv_only = kind == SC_MODE_ADV;
                int has_ce_adv = adv_only || kind == SC_MODE_ASGT;
                int saliency = (used & SC_OPT_SALIENCY) != 0;
                ck_assert_msg(adv_only ? st[SC_STAT_CE] == 0.0f : st[SC_STAT_CE] > 0.0f,
                              "%s: ce %g", name, (double)st[SC_STAT_CE]);
                ck_assert_msg(has_ce_adv ? st[SC_STAT_CE_ADV] > 0.0f : st[SC_STAT_CE_ADV] == 0.0f,
                              "%s: ce_adv %g", name, (double)st[SC_STAT_CE_ADV]);
                ck_assert(st[SC_STAT_CORRECT] >= 0.0f && st[SC_STAT_CORRECT] <= batch);
                if (used & SC_OPT_LAMBDA)
                    ck_assert_msg(st[SC_STAT_KL] > 0.0f, "%s: kl %g", name, (double)st[SC_STAT_KL]);
                else
                    ck_assert_float_eq(st[SC_STAT_KL], 0.0f);
                ck_assert_msg(st[SC_STAT_GINI_COUNT] == (saliency ? batch : 0), "%s: %g Gini maps",
                              name, (double)st[SC_STAT_GINI_COUNT]);
                if (saliency)
                    ck_assert(st[SC_STAT_GINI] > 0.0f && st[SC_STAT_GINI] < batch);
                double k = kind == SC_MODE_ASGT ? 0.3 : 0.5;
                double mask = saliency ? batch * floor((double)(float)k * hw) / hw : 0.0;
                ck_assert_msg(fabs(st[SC_STAT_MASK] - mask) <= 1e-6 * batch, "%s: mask %g, "
                              "expected %g", name, (double)st[SC_STAT_MASK], mask);
                double max_delta = batch * (double)m.eps;
                if (used & SC_OPT_EPS)
                    ck_assert_msg(st[SC_STAT_DELTA] > 0.0f && st[SC_STAT_DELTA] <= max_delta,
                                  "%s: delta %g", name, (double)st[SC_STAT_DELTA]);
                else
                    ck_assert_float_eq(st[SC_STAT_DELTA], 0.0f);
                sc_loss_terms terms;
                sc_loss_terms_from_stats(&f.mode->cfg, st, batch, &terms);
                ck_assert_msg(isfinite(terms.loss) && terms.loss > 0.0, "%s: loss %g", name,
                              terms.loss);
                free(w0), free(w1);
                sc_mode_fixture_destroy(&f);
            }
    sc_backend_destroy(be);
}
END_TEST

int main(void) {
    Suite *s = suite_create("modes");
    TCase *tc = tcase_create("modes");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_lambda_zero_is_standard);
    tcase_add_test(tc, test_asgt_detach_leaves_masked_branch_out);
    tcase_add_test(tc, test_running_statistics);
    tcase_add_test(tc, test_scaat_perturbation);
    tcase_add_test(tc, test_adv_perturbation);
    tcase_add_test(tc, test_objective_gradients);
    tcase_add_test(tc, test_every_mode_edge_shapes);
    suite_add_tcase(s, tc);
    return sc_check_run(s);
}
