/* The CPU backend's contract outside the numerics: every op rejects bad shapes, missing data
 * and unsupported dtypes with a status and a message naming the op (never a crash), the
 * backend stays usable afterwards; memory operations, supports(), timers and describe(). */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "host/backend/backend.h"
#include "tests/common/check_ops.h"
#include "tests/common/check_run.h"

static sc_tensor t4(float *data, int64_t n, int64_t c, int64_t h, int64_t w) {
    return sc_tensor_4d(data, SC_F32, n, c, h, w);
}

START_TEST(test_conv_shape_errors) {
    sc_backend *be = sc_check_cpu(2);
    sc_op_scratch *m = sc_check_scratch();
    sc_conv_params p = {1, 1};
    sc_tensor x = t4(m->a, 2, 3, 8, 8), w = t4(m->b, 4, 3, 3, 3), y = t4(m->c, 2, 4, 8, 8);
    sc_tensor w_bad_c = t4(m->b, 4, 5, 3, 3);  /* 5 input channels, x has 3 */
    sc_tensor y_bad_hw = t4(m->c, 2, 4, 7, 8); /* 7 rows, 8 expected */
    sc_tensor y_bad_k = t4(m->c, 2, 6, 8, 8);  /* 6 channels, w has 4 filters */
    sc_tensor x_3d = sc_tensor_make(m->a, SC_F32, 3, (int64_t[]){3, 8, 8});
    sc_tensor x_missing = t4(NULL, 2, 3, 8, 8);
    sc_conv_params bad_stride = {0, 1};
    const sc_backend_ops *o = be->ops;
    EXPECT_FAIL(be, SC_ERR_SHAPE, "conv2d_fwd", o->conv2d_fwd(be, &p, &x, &w_bad_c, &y));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "conv2d_fwd", o->conv2d_fwd(be, &p, &x, &w, &y_bad_hw));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "conv2d_fwd", o->conv2d_fwd(be, &p, &x, &w, &y_bad_k));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "conv2d_fwd", o->conv2d_fwd(be, &p, &x_3d, &w, &y));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "conv2d_fwd", o->conv2d_fwd(be, &p, &x_missing, &w, &y));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "conv2d_fwd", o->conv2d_fwd(be, &bad_stride, &x, &w, &y));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "conv2d_fwd", o->conv2d_prepare(be, &p, &x, &w_bad_c, &y));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "conv2d_bwd_data",
                o->conv2d_bwd_data(be, &p, &y_bad_hw, &w, &x, 0));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "conv2d_bwd_filter",
                o->conv2d_bwd_filter(be, &p, &x, &y, &w_bad_c));
    /* a 9x9 kernel on a 2x2 image without padding has no output */
    sc_tensor tiny = t4(m->a, 1, 1, 2, 2), big_w = t4(m->b, 1, 1, 9, 9);
    sc_tensor none = t4(m->c, 1, 1, 0, 0);
    sc_conv_params no_pad = {1, 0};
    EXPECT_FAIL(be, SC_ERR_SHAPE, "conv2d_fwd", o->conv2d_fwd(be, &no_pad, &tiny, &big_w, &none));
    /* still usable */
    ck_assert_int_eq(o->conv2d_fwd(be, &p, &x, &w, &y), SC_OK);
    free(m);
    sc_backend_destroy(be);
}
END_TEST

START_TEST(test_bn_shape_errors) {
    sc_backend *be = sc_check_cpu(2);
    sc_op_scratch *m = sc_check_scratch();
    const sc_backend_ops *o = be->ops;
    sc_bn_params p = {1e-5f, 0.1f};
    sc_tensor x = t4(m->a, 2, 3, 4, 4), y = t4(m->b, 2, 3, 4, 4), y_bad = t4(m->b, 2, 3, 4, 5);
    sc_tensor c3 = sc_tensor_1d(m->e, SC_F32, 3), c4 = sc_tensor_1d(m->f, SC_F32, 4);
    sc_tensor missing = sc_tensor_1d(NULL, SC_F32, 3);
    for (int i = 0; i < 3; i++)
        m->f[i] = m->e[i] = 1.0f;
    EXPECT_FAIL(be, SC_ERR_SHAPE, "bn_train_fwd",
                o->bn_train_fwd(be, &p, &x, &c4, &c3, &c3, &c3, &c3, &c3, &y));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "bn_train_fwd",
                o->bn_train_fwd(be, &p, &x, &c3, &c3, &c3, &c3, &c3, &c3, &y_bad));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "bn_train_fwd",
                o->bn_train_fwd(be, &p, &x, &c3, &c3, &missing, &c3, &c3, &c3, &y));
    sc_bn_params zero_eps = {0.0f, 0.1f};
    EXPECT_FAIL(be, SC_ERR_SHAPE, "bn_train_fwd",
                o->bn_train_fwd(be, &zero_eps, &x, &c3, &c3, &c3, &c3, &c3, &c3, &y));
    /* one value per channel cannot give an unbiased variance for the running statistics */
    sc_tensor single = t4(m->a, 1, 3, 1, 1), single_y = t4(m->b, 1, 3, 1, 1);
    EXPECT_FAIL(be, SC_ERR_SHAPE, "bn_train_fwd",
                o->bn_train_fwd(be, &p, &single, &c3, &c3, &c3, &c3, &c3, &c3, &single_y));
    sc_bn_params frozen = {1e-5f, 0.0f};
    sc_tensor empty = t4(m->a, 0, 3, 4, 4), empty_y = t4(m->b, 0, 3, 4, 4);
    EXPECT_FAIL(be, SC_ERR_SHAPE, "bn_train_fwd",
                o->bn_train_fwd(be, &frozen, &empty, &c3, &c3, &c3, &c3, &c3, &c3, &empty_y));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "bn_infer_fwd",
                o->bn_infer_fwd(be, &p, &x, &c3, &c4, &c3, &c3, &y));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "bn_train_bwd",
                o->bn_train_bwd(be, &p, &x, &y, &c3, &c3, &c3, &y_bad, NULL, NULL, 0));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "bn_train_bwd",
                o->bn_train_bwd(be, &p, &x, &y, &c3, &c3, &c3, &y, &c4, &c3, 0));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "bn_infer_bwd",
                o->bn_infer_bwd(be, &p, &x, &c4, &c3, &y, 0));
    ck_assert_int_eq(o->bn_train_fwd(be, &p, &x, &c3, &c3, &c3, &c3, &c3, &c3, &y), SC_OK);
    free(m);
    sc_backend_destroy(be);
}
END_TEST

/* backend.h: batch norm never runs in place; an output overlapping an input (the same start
 * or a partial overlap) is refused by every batch-norm op, and apart buffers still work. */
START_TEST(test_bn_not_in_place) {
    sc_backend *be = sc_check_cpu(2);
    sc_op_scratch *m = sc_check_scratch();
    const sc_backend_ops *o = be->ops;
    sc_bn_params p = {1e-5f, 0.1f};
    sc_tensor x = t4(m->a, 2, 3, 4, 4), y = t4(m->b, 2, 3, 4, 4), dx = t4(m->c, 2, 3, 4, 4);
    sc_tensor shifted = t4(m->a + 5, 2, 3, 4, 4); /* starts inside x */
    sc_tensor c3 = sc_tensor_1d(m->e, SC_F32, 3), v3 = sc_tensor_1d(m->f, SC_F32, 3);
    for (int i = 0; i < 3; i++)
        m->f[i] = m->e[i] = 1.0f;
    for (int i = 0; i < 96; i++)
        m->a[i] = m->b[i] = (float)(i % 7);
    EXPECT_FAIL(be, SC_ERR_SHAPE, "bn_train_fwd",
                o->bn_train_fwd(be, &p, &x, &c3, &c3, &c3, &v3, &c3, &v3, &x));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "bn_train_fwd",
                o->bn_train_fwd(be, &p, &x, &c3, &c3, &c3, &v3, &c3, &v3, &shifted));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "bn_infer_fwd",
                o->bn_infer_fwd(be, &p, &x, &c3, &c3, &c3, &v3, &x));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "bn_train_bwd",
                o->bn_train_bwd(be, &p, &x, &y, &c3, &c3, &v3, &x, NULL, NULL, 0));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "bn_train_bwd",
                o->bn_train_bwd(be, &p, &x, &y, &c3, &c3, &v3, &y, NULL, NULL, 0));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "bn_infer_bwd",
                o->bn_infer_bwd(be, &p, &y, &c3, &v3, &y, 0));
    ck_assert_ptr_nonnull(strstr(be->err.msg, "does not run in place"));
    EXPECT_OK(be, o->bn_infer_fwd(be, &p, &x, &c3, &c3, &c3, &v3, &y));
    EXPECT_OK(be, o->bn_train_bwd(be, &p, &x, &y, &c3, &c3, &v3, &dx, NULL, NULL, 0));
    EXPECT_OK(be, o->bn_infer_bwd(be, &p, &y, &c3, &v3, &dx, 0));
    free(m);
    sc_backend_destroy(be);
}
END_TEST

START_TEST(test_elementwise_pool_linear_errors) {
    sc_backend *be = sc_check_cpu(2);
    sc_op_scratch *m = sc_check_scratch();
    const sc_backend_ops *o = be->ops;
    sc_tensor a = t4(m->a, 2, 3, 4, 4), b = t4(m->b, 2, 3, 4, 5), c = t4(m->c, 2, 3, 4, 4);
    EXPECT_FAIL(be, SC_ERR_SHAPE, "relu_fwd", o->relu_fwd(be, &a, &b));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "relu_bwd", o->relu_bwd(be, &a, &c, &b, 0));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "add_fwd", o->add_fwd(be, &a, &b, &c));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "add_bwd", o->add_bwd(be, &a, &b, 1));

    sc_pool_params pool = {3, 2, 1};
    sc_tensor pooled_bad = t4(m->b, 2, 3, 3, 3); /* 4x4 with 3/2/1 gives 2x2 */
    sc_tensor pooled = t4(m->b, 2, 3, 2, 2);
    sc_pool_params wide_pad = {2, 2, 2};           /* padding wider than half the window */
    EXPECT_FAIL(be, SC_ERR_SHAPE, "maxpool_fwd", o->maxpool_fwd(be, &pool, &a, &pooled_bad));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "maxpool_fwd", o->maxpool_fwd(be, &wide_pad, &a, &pooled));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "maxpool_bwd",
                o->maxpool_bwd(be, &pool, &a, &pooled, &pooled_bad, &c, 0));
    sc_tensor gap_bad = t4(m->b, 2, 4, 1, 1);
    EXPECT_FAIL(be, SC_ERR_SHAPE, "gap_fwd", o->gap_fwd(be, &a, &gap_bad));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "gap_bwd", o->gap_bwd(be, &gap_bad, &a, 0));

    sc_tensor x = sc_tensor_2d(m->a, SC_F32, 4, 6), w = sc_tensor_2d(m->b, SC_F32, 5, 6);
    sc_tensor w_bad = sc_tensor_2d(m->b, SC_F32, 5, 7), y = sc_tensor_2d(m->c, SC_F32, 4, 5);
    sc_tensor bias_bad = sc_tensor_1d(m->d, SC_F32, 4);
    EXPECT_FAIL(be, SC_ERR_SHAPE, "linear_fwd", o->linear_fwd(be, &x, &w_bad, NULL, &y));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "linear_fwd", o->linear_fwd(be, &x, &w, &bias_bad, &y));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "linear_bwd_data", o->linear_bwd_data(be, &y, &w_bad, &x, 0));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "linear_bwd_weight",
                o->linear_bwd_weight(be, &x, &y, &w_bad, NULL));
    ck_assert_int_eq(o->linear_fwd(be, &x, &w, NULL, &y), SC_OK);
    free(m);
    sc_backend_destroy(be);
}
END_TEST

START_TEST(test_loss_optimizer_rng_errors) {
    sc_backend *be = sc_check_cpu(2);
    sc_op_scratch *m = sc_check_scratch();
    const sc_backend_ops *o = be->ops;
    int32_t labels_data[4] = {0, 1, 2, 3};
    sc_tensor logits = sc_tensor_2d(m->a, SC_F32, 4, 3);
    sc_tensor labels = sc_tensor_1d(labels_data, SC_I32, 4); /* label 3 with 3 classes */
    sc_tensor labels_f32 = sc_tensor_1d(m->b, SC_F32, 4);
    sc_tensor stats = sc_tensor_1d(m->c, SC_F32, 2), stats_short = sc_tensor_1d(m->c, SC_F32, 1);
    sc_xent_params xp = {0.0f, 1.0f};
    EXPECT_FAIL(be, SC_ERR_SHAPE, "softmax_xent",
                o->softmax_xent(be, &xp, &logits, &labels, NULL, &stats));
    labels_data[3] = 2;
    EXPECT_FAIL(be, SC_ERR_SHAPE, "softmax_xent",
                o->softmax_xent(be, &xp, &logits, &labels_f32, NULL, &stats));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "softmax_xent",
                o->softmax_xent(be, &xp, &logits, &labels, NULL, &stats_short));
    sc_tensor dlogits_bad = sc_tensor_2d(m->d, SC_F32, 4, 4);
    EXPECT_FAIL(be, SC_ERR_SHAPE, "softmax_xent",
                o->softmax_xent(be, &xp, &logits, &labels, &dlogits_bad, &stats));
    ck_assert_int_eq(o->softmax_xent(be, &xp, &logits, &labels, NULL, &stats), SC_OK);

    sc_sgd_params sp = {0.1f, 0.9f, 0.0f, 0};
    sc_tensor p10 = sc_tensor_1d(m->a, SC_F32, 10), g11 = sc_tensor_1d(m->b, SC_F32, 11);
    sc_tensor m10 = sc_tensor_1d(m->c, SC_F32, 10), missing = sc_tensor_1d(NULL, SC_F32, 10);
    EXPECT_FAIL(be, SC_ERR_SHAPE, "sgd_update", o->sgd_update(be, &sp, &p10, &g11, &m10));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "sgd_update", o->sgd_update(be, &sp, &p10, &m10, &missing));

    sc_rng_key key = sc_rng_key_make(1, 2, SC_RNG_TEST);
    EXPECT_FAIL(be, SC_ERR_SHAPE, "rng_uniform", o->rng_uniform(be, key, 0.0f, 1.0f, &missing));
    EXPECT_FAIL(be, SC_ERR_SHAPE, "rng_normal", o->rng_normal(be, key, 0.0f, 1.0f, &missing));
    free(m);
    sc_backend_destroy(be);
}
END_TEST

START_TEST(test_unsupported_dtype) {
    sc_backend *be = sc_check_cpu(2);
    sc_op_scratch *m = sc_check_scratch();
    sc_tensor bf = sc_tensor_1d(m->a, SC_BF16, 8), f = sc_tensor_1d(m->b, SC_F32, 8);
    EXPECT_FAIL(be, SC_ERR_UNSUPPORTED, "relu_fwd", be->ops->relu_fwd(be, &bf, &f));
    sc_tensor nhwc = t4(m->a, 1, 2, 2, 2);
    nhwc.layout = SC_NHWC;
    sc_tensor w = t4(m->b, 2, 2, 1, 1), y = t4(m->c, 1, 2, 2, 2);
    sc_conv_params p = {1, 0};
    EXPECT_FAIL(be, SC_ERR_UNSUPPORTED, "conv2d_fwd", be->ops->conv2d_fwd(be, &p, &nhwc, &w, &y));
    ck_assert(be->ops->supports(be, SC_OP_CONV2D_FWD, SC_F32, SC_NCHW));
    ck_assert(!be->ops->supports(be, SC_OP_CONV2D_FWD, SC_BF16, SC_NCHW));
    ck_assert(!be->ops->supports(be, SC_OP_RELU_FWD, SC_F32, SC_NHWC));
    free(m);
    sc_backend_destroy(be);
}
END_TEST

START_TEST(test_memory_and_description) {
    sc_backend *be = sc_check_cpu(2);
    sc_op_scratch *m = sc_check_scratch();
    const sc_backend_ops *o = be->ops;
    void *dev = NULL, *other = NULL, *host = NULL;
    ck_assert_int_eq(o->alloc(be, 1000, &dev), SC_OK);
    ck_assert_int_eq(o->alloc(be, 0, &other), SC_OK); /* a zero-byte request is still freeable */
    ck_assert_int_eq(o->host_alloc(be, 1000, &host), SC_OK);
    ck_assert_ptr_nonnull(dev);
    ck_assert_ptr_nonnull(other);
    ck_assert_uint_eq((uintptr_t)dev % 64, 0);
    unsigned char pattern[1000], back[1000];
    for (int i = 0; i < 1000; i++)
        pattern[i] = (unsigned char)(i * 7 + 3);
    ck_assert_int_eq(o->upload(be, dev, pattern, sizeof pattern), SC_OK);
    ck_assert_int_eq(o->copy(be, host, dev, sizeof pattern), SC_OK);
    ck_assert_int_eq(o->sync(be), SC_OK);
    ck_assert(memcmp(host, pattern, sizeof pattern) == 0);
    ck_assert_int_eq(o->upload_async(be, (char *)dev + 500, pattern, 100), SC_OK);
    ck_assert_int_eq(o->upload_wait(be), SC_OK);
    ck_assert(memcmp((char *)dev + 500, pattern, 100) == 0);
    ck_assert_int_eq(o->zero(be, (char *)dev + 100, 50), SC_OK);
    ck_assert_int_eq(o->download(be, back, dev, sizeof back), SC_OK);
    for (int i = 0; i < 1000; i++)
        ck_assert_uint_eq(back[i], i >= 100 && i < 150   ? 0
                                   : i >= 500 && i < 600 ? pattern[i - 500]
                                                         : pattern[i]);
    o->free(be, dev);
    o->free(be, other);
    o->host_free(be, host);

    char desc[512];
    o->describe(be, desc, sizeof desc);
    ck_assert_msg(strncmp(desc, "cpu: 2 threads, convolutions ", 29) == 0 &&
                      strstr(desc, ", GEMM OpenBLAS ") != NULL,
                  "describe: '%s'", desc);
    ck_assert_str_eq(be->name, "cpu");
    o->range_push(be, "phase");
    o->range_pop(be);

    double seconds = -1.0;
    ck_assert_int_eq(o->timer_mark(be, 0), SC_OK);
    ck_assert_int_eq(o->timer_mark(be, SC_TIMER_SLOTS - 1), SC_OK);
    ck_assert_int_eq(o->timer_elapsed(be, 0, SC_TIMER_SLOTS - 1, &seconds), SC_OK);
    ck_assert(seconds >= 0.0 && seconds < 60.0);
    ck_assert_int_eq(o->timer_mark(be, SC_TIMER_SLOTS), SC_ERR_USAGE);
    ck_assert_int_eq(o->timer_elapsed(be, -1, 0, &seconds), SC_ERR_USAGE);

    sc_backend_config bad = sc_backend_config_default();
    bad.threads = -1;
    sc_backend *none = NULL;
    sc_error err;
    sc_error_clear(&err);
    ck_assert_int_eq(sc_backend_create("cpu", &bad, &none, &err), SC_ERR_USAGE);
    ck_assert_ptr_null(none);
    ck_assert(strlen(err.msg) > 0);
    free(m);
    sc_backend_destroy(be);
}
END_TEST

static Suite *errors_suite(void) {
    Suite *s = suite_create("cpu_errors");
    TCase *tc = tcase_create("contract");
    tcase_add_test(tc, test_conv_shape_errors);
    tcase_add_test(tc, test_bn_shape_errors);
    tcase_add_test(tc, test_bn_not_in_place);
    tcase_add_test(tc, test_elementwise_pool_linear_errors);
    tcase_add_test(tc, test_loss_optimizer_rng_errors);
    tcase_add_test(tc, test_unsupported_dtype);
    tcase_add_test(tc, test_memory_and_description);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    return sc_check_run(errors_suite());
}
