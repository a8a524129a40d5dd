/* The CPU backend's fused KL op (kl_div) against its definition: zero with zero gradients for
 * equal logits, the value and both gradients against double precision, central differences of
 * both gradients, accumulate, and either gradient left out. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/test_util.h"
#include "host/backend/backend.h"
#include "tests/common/check_ops.h"
#include "tests/common/check_run.h"
#include "tests/common/gradcheck.h"

enum { KN = 3, KK = 5 };

/* KL and both gradients of every row in double: kl (KN), dp and dq (KN, KK). */
static void kl_reference(const float *a, const float *b, double scale_over_n, double *kl,
                         double *dp, double *dq) {
    for (int n = 0; n < KN; n++) {
        double za = 0.0, zb = 0.0, p[KK], q[KK];
        for (int j = 0; j < KK; j++) {
            za += exp(a[n * KK + j]);
            zb += exp(b[n * KK + j]);
        }
        kl[n] = 0.0;
        for (int j = 0; j < KK; j++) {
            p[j] = exp(a[n * KK + j]) / za;
            q[j] = exp(b[n * KK + j]) / zb;
            kl[n] += p[j] * (log(p[j]) - log(q[j]));
        }
        for (int j = 0; j < KK; j++) {
            dq[n * KK + j] = scale_over_n * (q[j] - p[j]);
            dp[n * KK + j] = scale_over_n * p[j] * (log(p[j]) - log(q[j]) - kl[n]);
        }
    }
}

typedef struct kl_fix {
    sc_backend *be;
    float a[KN * KK], b[KN * KK], dp[KN * KK], dq[KN * KK], stats;
    sc_tensor ta, tb, tdp, tdq, tstats;
} kl_fix;

static void kl_fix_init(kl_fix *f) {
    f->be = sc_check_cpu(1);
    sc_test_fill_uniform(f->a, KN * KK, 61, -2.0f, 2.0f);
    sc_test_fill_uniform(f->b, KN * KK, 62, -2.0f, 2.0f);
    f->ta = sc_tensor_2d(f->a, SC_F32, KN, KK);
    f->tb = sc_tensor_2d(f->b, SC_F32, KN, KK);
    f->tdp = sc_tensor_2d(f->dp, SC_F32, KN, KK);
    f->tdq = sc_tensor_2d(f->dq, SC_F32, KN, KK);
    f->tstats = sc_tensor_1d(&f->stats, SC_F32, 1);
}

/* The gradcheck forward: out[0] = sum over rows of KL (the stats value). */
static sc_status kl_forward(void *ctx, float *out) {
    kl_fix *f = ctx;
    sc_kl_params p = {1.0f, 0};
    f->stats = 0.0f;
    SC_TRY(f->be->ops->kl_div(f->be, &p, &f->ta, &f->tb, NULL, NULL, &f->tstats));
    out[0] = f->stats;
    return SC_OK;
}

START_TEST(test_kl_equal_logits_is_zero) {
    kl_fix f;
    kl_fix_init(&f);
    memcpy(f.b, f.a, sizeof f.a);
    for (int i = 0; i < KN * KK; i++)
        f.dp[i] = f.dq[i] = 9.0f; /* overwritten without accumulate */
    f.stats = 0.0f;
    sc_kl_params p = {1.0f, 0};
    EXPECT_OK(f.be, f.be->ops->kl_div(f.be, &p, &f.ta, &f.tb, &f.tdp, &f.tdq, &f.tstats));
    ck_assert_float_eq(f.stats, 0.0f);
    for (int i = 0; i < KN * KK; i++)
        ck_assert(f.dp[i] == 0.0f && f.dq[i] == 0.0f);
    sc_backend_destroy(f.be);
}
END_TEST

START_TEST(test_kl_against_double) {
    kl_fix f;
    kl_fix_init(&f);
    const float grad_scale = 2.0f;
    double kl[KN], dp[KN * KK], dq[KN * KK];
    kl_reference(f.a, f.b, grad_scale / (double)KN, kl, dp, dq);
    f.stats = 0.25f;
    sc_kl_params p = {grad_scale, 0};
    EXPECT_OK(f.be, f.be->ops->kl_div(f.be, &p, &f.ta, &f.tb, &f.tdp, &f.tdq, &f.tstats));
    double kl_sum = kl[0] + kl[1] + kl[2];
    ck_assert_msg(kl_sum > 0.1, "the test logits are too close: KL %g", kl_sum);
    ck_assert_msg(fabs((f.stats - 0.25) - kl_sum) <= 1e-5, "KL %g, expected %g",
                  f.stats - 0.25, kl_sum);
    for (int i = 0; i < KN * KK; i++) {
        ck_assert_msg(fabs(f.dp[i] - dp[i]) <= 1e-6, "dp[%d] %g, expected %g", i,
                      (double)f.dp[i], dp[i]);
        ck_assert_msg(fabs(f.dq[i] - dq[i]) <= 1e-6, "dq[%d] %g, expected %g", i,
                      (double)f.dq[i], dq[i]);
    }
    /* accumulate adds the same gradients to what is there */
    float dp0[KN * KK], dq0[KN * KK];
    memcpy(dp0, f.dp, sizeof dp0);
    memcpy(dq0, f.dq, sizeof dq0);
    for (int i = 0; i < KN * KK; i++)
        f.dp[i] = f.dq[i] = 0.5f;
    sc_kl_params acc = {grad_scale, 1};
    EXPECT_OK(f.be, f.be->ops->kl_div(f.be, &acc, &f.ta, &f.tb, &f.tdp, &f.tdq, NULL));
    for (int i = 0; i < KN * KK; i++)
        ck_assert(f.dp[i] == 0.5f + dp0[i] && f.dq[i] == 0.5f + dq0[i]);
    /* either gradient alone, and neither (stats only) */
    memset(f.dp, 0, sizeof f.dp);
    memset(f.dq, 0, sizeof f.dq);
    EXPECT_OK(f.be, f.be->ops->kl_div(f.be, &p, &f.ta, &f.tb, NULL, &f.tdq, NULL));
    ck_assert(memcmp(f.dq, dq0, sizeof dq0) == 0);
    EXPECT_OK(f.be, f.be->ops->kl_div(f.be, &p, &f.ta, &f.tb, &f.tdp, NULL, NULL));
    ck_assert(memcmp(f.dp, dp0, sizeof dp0) == 0);
    f.stats = 0.0f;
    EXPECT_OK(f.be, f.be->ops->kl_div(f.be, &p, &f.ta, &f.tb, NULL, NULL, &f.tstats));
    ck_assert(fabs(f.stats - kl_sum) <= 1e-5);
    sc_backend_destroy(f.be);
}
END_TEST

/* Central differences of sum_n KL_n against dp and dq (grad_scale 1: the gradients of
 * (1 / N) sum_n KL_n, so r = 1 / N). */
START_TEST(test_kl_gradcheck) {
    kl_fix f;
    kl_fix_init(&f);
    sc_kl_params p = {1.0f, 0};
    EXPECT_OK(f.be, f.be->ops->kl_div(f.be, &p, &f.ta, &f.tb, &f.tdp, &f.tdq, NULL));
    const float r = 1.0f / (float)KN;
    float *inputs[2] = {f.a, f.b}, *analytic[2] = {f.dp, f.dq};
    for (int which = 0; which < 2; which++) {
        sc_gradcheck_opts opts = sc_gradcheck_opts_default();
        sc_gradcheck_result res;
        sc_error err;
        sc_error_clear(&err);
        char desc[160];
        ck_assert_msg(sc_gradcheck_run(kl_forward, &f, inputs[which], KN * KK, 1, &r,
                                       analytic[which], &opts, &res, &err) == SC_OK,
                      "%s", err.msg);
        ck_assert_msg(res.max_err < 1e-3, "%s: %s", which ? "dq" : "dp",
                      sc_gradcheck_describe(&res, desc, sizeof desc));
    }
    sc_backend_destroy(f.be);
}
END_TEST

static Suite *kl_op_suite(void) {
    Suite *s = suite_create("kl_op");
    TCase *tc = tcase_create("kl_div");
    tcase_add_test(tc, test_kl_equal_logits_is_zero);
    tcase_add_test(tc, test_kl_against_double);
    tcase_add_test(tc, test_kl_gradcheck);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    return sc_check_run(kl_op_suite());
}
