/* What `scaat explain` and `scaat evaluate` share before any map is computed: the selection of
 * test images (--indices / --limit, with one clear usage error for bad input), its batches
 * normalised as the loader does, and sc_explain_model_load (the checkpoint's model rebuilt
 * and loaded, refused when it does not fit the dataset). */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "common/synthetic_data.h"
#include "common/test_util.h"
#include "host/explain/explain_model.h"
#include "host/explain/selection.h"
#include "tests/common/check_run.h"

/* 10 images (1, 16, 16) of 4 classes, pixel i of image n = (n * 7 + i) % 256, MNIST's norm. */
static void make_dataset(sc_dataset *ds, int size, int classes) {
    sc_error err = {0};
    ck_assert_int_eq(sc_dataset_alloc(ds, "mnist", 10, 1, size, size, classes, &err), SC_OK);
    for (int64_t i = 0; i < 10 * (int64_t)size * size; i++)
        ds->images[i] = (uint8_t)((i / (size * size) * 7 + i % (size * size)) % 256);
    for (int n = 0; n < 10; n++)
        ds->labels[n] = n % classes;
    ds->mean[0] = 0.1307f;
    ds->std[0] = 0.3081f;
}

static void expect_usage(const sc_dataset *ds, const char *indices, int64_t limit,
                         const char *needle) {
    sc_selection s;
    sc_error err = {0};
    ck_assert_int_eq(sc_selection_make(ds, indices, limit, &s, &err), SC_ERR_USAGE);
    ck_assert_msg(strstr(err.msg, needle) != NULL, "'%s' does not say '%s'", err.msg, needle);
    ck_assert_msg(strchr(err.msg, '\n') == NULL, "one line: '%s'", err.msg);
    ck_assert_ptr_null(s.indices);
}

START_TEST(test_selection) {
    sc_dataset ds;
    make_dataset(&ds, 16, 4);
    sc_error err = {0};
    sc_selection s;
    ck_assert_int_eq(sc_selection_make(&ds, "3,0,9", 0, &s, &err), SC_OK);
    ck_assert_int_eq(s.count, 3);
    ck_assert_int_eq(s.indices[0], 3);
    ck_assert_int_eq(s.indices[2], 9);
    float images[2 * 256];
    int32_t labels[2];
    ck_assert_int_eq(sc_selection_batch(&ds, &s, 1, 2, images, labels, &err), SC_OK);
    ck_assert_int_eq(labels[0], 0);
    ck_assert_int_eq(labels[1], 1);
    for (int i = 0; i < 256; i++) /* entry 2 is image 9: the loader's float32 arithmetic */
        ck_assert_float_eq(images[256 + i], ((float)ds.images[9 * 256 + i] / 255.0f - 0.1307f) / 0.3081f);
    ck_assert_int_eq(sc_selection_batch(&ds, &s, 2, 2, images, labels, &err), SC_ERR_INTERNAL);
    sc_selection_free(&s);
    ck_assert_int_eq(sc_selection_make(&ds, NULL, 4, &s, &err), SC_OK);
    ck_assert_int_eq(s.count, 4);
    ck_assert_int_eq(s.indices[3], 3);
    sc_selection_free(&s);
    ck_assert_int_eq(sc_selection_make(&ds, NULL, 0, &s, &err), SC_OK); /* 0 = all */
    ck_assert_int_eq(s.count, 10);
    sc_selection_free(&s);
    ck_assert_int_eq(sc_selection_make(&ds, NULL, 1000, &s, &err), SC_OK);
    ck_assert_int_eq(s.count, 10);
    sc_selection_free(&s);
    expect_usage(&ds, "0,10", 0, "index 10 is out of range");
    expect_usage(&ds, "0,,5", 0, "comma-separated");
    expect_usage(&ds, "0,5,", 0, "comma-separated");
    expect_usage(&ds, "", 0, "comma-separated");
    expect_usage(&ds, "-1", 0, "comma-separated");
    expect_usage(&ds, "2,x", 0, "comma-separated");
    expect_usage(&ds, "99999999999999999999999", 0, "comma-separated");
    expect_usage(&ds, NULL, -1, "--limit");
    ds.count = 0;
    expect_usage(&ds, NULL, 0, "no image");
    sc_dataset_free(&ds);
}
END_TEST

START_TEST(test_model_load_checks_the_dataset) {
    char dir[256], path[400];
    ck_assert_ptr_nonnull(sc_test_tmpdir("explain-model", dir, sizeof dir));
    snprintf(path, sizeof path, "%s/c.safetensors", dir);
    sc_error err = {0};
    sc_backend *be = NULL;
    ck_assert_int_eq(sc_backend_create("cpu", NULL, &be, &err), SC_OK);
    sc_checkpoint_meta meta = sc_synthetic_checkpoint_meta(4, 16, "scaat");
    sc_net *saved = NULL;
    ck_assert_int_eq(sc_model_create(&meta.model, be, 3, &saved, &err), SC_OK);
    ck_assert_msg(sc_checkpoint_save(path, saved, &meta, 0, &err) == SC_OK, "%s", err.msg);

    sc_dataset fits, bigger, fewer;
    make_dataset(&fits, 16, 4);
    make_dataset(&bigger, 28, 4);
    make_dataset(&fewer, 16, 3);
    sc_explain_model m;
    ck_assert_msg(sc_explain_model_load(be, path, &fits, &m, &err) == SC_OK, "%s", err.msg);
    ck_assert_str_eq(m.meta.mode, "scaat");
    ck_assert_str_eq(m.path, path);
    ck_assert_int_eq(memcmp(m.net->param_arena.base, saved->param_arena.base,
                            saved->param_arena.size), 0);
    sc_explain_model_free(&m);
    sc_explain_model_free(&m); /* freeing twice is harmless */
    ck_assert_int_eq(sc_explain_model_load(be, path, &bigger, &m, &err), SC_ERR_USAGE);
    ck_assert_ptr_nonnull(strstr(err.msg, "1x16x16 images with 4 classes"));
    ck_assert_ptr_null(m.net);
    ck_assert_int_eq(sc_explain_model_load(be, path, &fewer, &m, &err), SC_ERR_USAGE);
    fits.std[0] = 0.5f;
    ck_assert_int_eq(sc_explain_model_load(be, path, &fits, &m, &err), SC_ERR_USAGE);
    ck_assert_ptr_nonnull(strstr(err.msg, "normalised"));
    snprintf(path, sizeof path, "%s/absent.safetensors", dir);
    ck_assert_int_eq(sc_explain_model_load(be, path, &fits, &m, &err), SC_ERR_IO);
    sc_dataset_free(&fits);
    sc_dataset_free(&bigger);
    sc_dataset_free(&fewer);
    sc_net_destroy(saved);
    sc_backend_destroy(be);
    sc_test_rmtree(dir);
}
END_TEST

static Suite *explain_setup_suite(void) {
    Suite *s = suite_create("explain_setup");
    TCase *t = tcase_create("setup");
    tcase_add_test(t, test_selection);
    tcase_add_test(t, test_model_load_checks_the_dataset);
    suite_add_tcase(s, t);
    return s;
}

int main(void) { return sc_check_run(explain_setup_suite()); }
