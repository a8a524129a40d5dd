/* The PatchCamelyon reader on small HDF5 files written here with the HDF5 C API in the
 * official layout: labels, exact pixels after normalisation, flips only in training, the
 * valid/test choice, and one clear error for each kind of bad file. In builds without HDF5 it
 * checks that --dataset pcam is refused with SC_ERR_UNSUPPORTED. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/test_util.h"
#include "datasets/registry.h"
#include "tests/common/check_run.h"

#ifdef SCAAT_HAVE_HDF5
#include <hdf5.h>

#include "datasets/pcam.h"

enum { N = 5 };

/* dir/camelyonpatch_level_2_split_<split>_<xy>.h5 holding dataset `name` of the given dims
 * and type, filled with value(i) = (i * 7 + seed) % 256. */
static void write_h5(const char *dir, const char *split, const char *xy, const char *name,
                     int rank, const hsize_t *dims, hid_t type, int seed) {
    char path[512];
    snprintf(path, sizeof path, "%s/camelyonpatch_level_2_split_%s_%s.h5", dir, split, xy);
    hid_t file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    ck_assert_int_ge(file, 0);
    hid_t space = H5Screate_simple(rank, dims, NULL);
    hid_t set = H5Dcreate2(file, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    size_t n = 1;
    for (int d = 0; d < rank; d++)
        n *= dims[d];
    size_t bytes = n * H5Tget_size(type);
    uint8_t *data = calloc(bytes, 1);
    for (size_t i = 0; i < n && H5Tget_size(type) == 1; i++)
        data[i] = (uint8_t)((i * 7 + (size_t)seed) % 256);
    ck_assert_int_ge(H5Dwrite(set, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), 0);
    free(data);
    H5Dclose(set);
    H5Sclose(space);
    H5Fclose(file);
}

static void write_labels(const char *dir, const char *split, const uint8_t *labels, int n) {
    char path[512];
    snprintf(path, sizeof path, "%s/camelyonpatch_level_2_split_%s_y.h5", dir, split);
    hsize_t dims[4] = {(hsize_t)n, 1, 1, 1};
    hid_t file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    hid_t space = H5Screate_simple(4, dims, NULL);
    hid_t set = H5Dcreate2(file, "y", H5T_STD_U8LE, space, H5P_DEFAULT, H5P_DEFAULT,
                           H5P_DEFAULT);
    ck_assert_int_ge(H5Dwrite(set, H5T_NATIVE_UINT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, labels), 0);
    H5Dclose(set);
    H5Sclose(space);
    H5Fclose(file);
}

static const uint8_t k_labels[N] = {1, 0, 0, 1, 1};

static void write_split(const char *dir, const char *split, int seed) {
    hsize_t dims[4] = {N, 96, 96, 3};
    write_h5(dir, split, "x", "x", 4, dims, H5T_STD_U8LE, seed);
    write_labels(dir, split, k_labels, N);
}

static sc_status open_pcam(const char *dir, int train, int eval_test, sc_source **src,
                           sc_error *err) {
    sc_data_config data = {.pcam_eval_test = eval_test,
                           .norm_channels = 3, .norm_mean = {0, 0, 0}, .norm_std = {1, 1, 1}};
    sc_data_request req = {.dir = dir, .train = train, .augment = {0, 1}, .data = &data};
    return sc_source_open("pcam", &req, src, err);
}

/* Expected value of channel c, row y, column x of image i of a split written with `seed`. */
static float expected(int seed, int i, int c, int y, int x) {
    size_t flat = (((size_t)i * 96 + (size_t)y) * 96 + (size_t)x) * 3 + (size_t)c;
    return (float)((flat * 7 + (size_t)seed) % 256) / 255.0f;
}

START_TEST(pcam_reads_labels_and_pixels) {
    char dir[256];
    ck_assert_ptr_nonnull(sc_test_tmpdir("pcam", dir, sizeof dir));
    write_split(dir, "train", 1);
    write_split(dir, "valid", 2);
    write_split(dir, "test", 3);
    sc_error err;
    sc_source *src;
    ck_assert_msg(open_pcam(dir, 0, 1, &src, &err) == SC_OK, "%s", err.msg);
    ck_assert_int_eq(src->count, N);
    ck_assert_int_eq(src->num_classes, 2);
    ck_assert_int_eq(src->channels, 3);
    ck_assert_int_eq(src->height, 96);
    for (int i = 0; i < N; i++)
        ck_assert_int_eq(src->labels[i], k_labels[i]);
    void *scratch;
    ck_assert_int_eq(src->ops->scratch_create(src, &scratch, &err), SC_OK);
    static float out[3 * 96 * 96];
    for (int i = 0; i < N; i += 2) { /* evaluation: the test split's pixels, unflipped */
        sc_sample_request req = {i, 0, 9, 0, 0};
        ck_assert_msg(src->ops->read_sample(src, scratch, &req, out, &err) == SC_OK, "%s",
                      err.msg);
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < 96; y += 5)
                for (int x = 0; x < 96; x += 3)
                    ck_assert_float_eq_tol(out[(c * 96 + y) * 96 + x], expected(3, i, c, y, x),
                                           1e-6f);
    }
    src->ops->scratch_free(scratch);
    sc_source_close(src);

    /* training: the train split, each sample as it is or mirrored, both seen */
    ck_assert_msg(open_pcam(dir, 1, 0, &src, &err) == SC_OK, "%s", err.msg);
    ck_assert_int_eq(src->ops->scratch_create(src, &scratch, &err), SC_OK);
    int flips = 0;
    for (int i = 0; i < 16; i++) {
        sc_sample_request req = {i % N, 0, 9, (uint32_t)(i / N), 0};
        ck_assert_int_eq(src->ops->read_sample(src, scratch, &req, out, &err), SC_OK);
        int flipped = fabsf(out[0] - expected(1, i % N, 0, 0, 95)) < 1e-6f &&
                      fabsf(out[0] - expected(1, i % N, 0, 0, 0)) > 1e-6f;
        for (int x = 0; x < 96; x++)
            ck_assert_float_eq_tol(out[5 * 96 + x],
                                   expected(1, i % N, 0, 5, flipped ? 95 - x : x), 1e-6f);
        flips += flipped;
    }
    ck_assert_int_gt(flips, 0);
    ck_assert_int_lt(flips, 16);
    src->ops->scratch_free(scratch);
    sc_source_close(src);
    sc_test_rmtree(dir);
}
END_TEST

static void expect_open_failure(const char *dir, sc_status code, const char *text) {
    sc_source *src = (sc_source *)(void *)&src;
    sc_error err;
    ck_assert_int_eq(open_pcam(dir, 1, 0, &src, &err), code);
    ck_assert_ptr_null(src);
    ck_assert_msg(strstr(err.msg, text) != NULL, "'%s' not in '%s'", text, err.msg);
}

START_TEST(pcam_bad_files) {
    char dir[256];
    ck_assert_ptr_nonnull(sc_test_tmpdir("pcam-bad", dir, sizeof dir));
    expect_open_failure(dir, SC_ERR_IO, "split_train_x.h5: cannot open");
    hsize_t grey[4] = {N, 96, 96, 1};
    write_h5(dir, "train", "x", "x", 4, grey, H5T_STD_U8LE, 0);
    expect_open_failure(dir, SC_ERR_FORMAT, "expected N x 96 x 96 x 3");
    hsize_t dims[4] = {N, 96, 96, 3};
    write_h5(dir, "train", "x", "x", 4, dims, H5T_IEEE_F32LE, 0);
    expect_open_failure(dir, SC_ERR_FORMAT, "not of type uint8");
    write_h5(dir, "train", "x", "images", 4, dims, H5T_STD_U8LE, 0);
    expect_open_failure(dir, SC_ERR_FORMAT, "no dataset 'x'");
    write_h5(dir, "train", "x", "x", 4, dims, H5T_STD_U8LE, 0);
    expect_open_failure(dir, SC_ERR_IO, "split_train_y.h5: cannot open");
    const uint8_t two[N] = {0, 1, 2, 0, 1};
    write_labels(dir, "train", two, N);
    expect_open_failure(dir, SC_ERR_FORMAT, "label 2 of sample 2, expected 0 or 1");
    write_labels(dir, "train", two, 2);
    expect_open_failure(dir, SC_ERR_FORMAT, "has 2 labels but");
    sc_test_rmtree(dir);
}
END_TEST

static Suite *pcam_suite(void) {
    Suite *s = suite_create("dataset_pcam");
    TCase *tc = tcase_create("pcam");
    tcase_add_test(tc, pcam_reads_labels_and_pixels);
    tcase_add_test(tc, pcam_bad_files);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    return sc_check_run(pcam_suite());
}
#else
int main(void) {
    sc_source *src = NULL;
    sc_error err;
    sc_data_request req = {.dir = "/nonexistent", .train = 1};
    if (sc_source_open("pcam", &req, &src, &err) != SC_ERR_UNSUPPORTED)
        return 1;
    puts("dataset_pcam: this build has no HDF5: --dataset pcam is refused as it should be");
    return 0;
}
#endif
