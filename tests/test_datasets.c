/* Dataset file readers: IDX (plain and gzip) and CIFAR-10/100 binary files written into a
 * scratch directory, good and malformed; loading by name, limit, standard normalisation, and
 * the installed Fashion-MNIST when it is present. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "common/test_util.h"
#include "datasets/cifar.h"
#include "datasets/dataset.h"
#include "datasets/idx.h"
#include "tests/common/check_run.h"

#define FASHION_MNIST_DIR "/usr/share/datasets/fashion-mnist"

/* ---- writing test files ------------------------------------------------------------------ */

static void write_bytes(const char *path, int gz, const void *data, size_t len) {
    if (gz) {
        gzFile f = gzopen(path, "wb");
        ck_assert_ptr_nonnull(f);
        if (len > 0)
            ck_assert_int_eq(gzwrite(f, data, (unsigned)len), (int)len);
        ck_assert_int_eq(gzclose(f), Z_OK);
    } else {
        FILE *f = fopen(path, "wb");
        ck_assert_ptr_nonnull(f);
        if (len > 0)
            ck_assert_uint_eq(fwrite(data, 1, len, f), len);
        ck_assert_int_eq(fclose(f), 0);
    }
}

static void put_be32(unsigned char *p, uint32_t v) {
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* An IDX image file: header (magic, header_count, rows, cols) then `payload` bytes of pixels
 * where pixel i = (seed + 7 * i) mod 256. */
static void write_idx_images(const char *path, int gz, uint32_t magic, uint32_t header_count,
                             int rows, int cols, size_t payload, int seed) {
    unsigned char *buf = malloc(16 + payload);
    put_be32(buf, magic);
    put_be32(buf + 4, header_count);
    put_be32(buf + 8, (uint32_t)rows);
    put_be32(buf + 12, (uint32_t)cols);
    for (size_t i = 0; i < payload; i++)
        buf[16 + i] = (unsigned char)((size_t)seed + 7 * i);
    write_bytes(path, gz, buf, 16 + payload);
    free(buf);
}

/* An IDX label file: header (magic, header_count) then labels[0..n). */
static void write_idx_labels(const char *path, int gz, uint32_t magic, uint32_t header_count,
                             const unsigned char *labels, size_t n) {
    unsigned char *buf = malloc(8 + n);
    put_be32(buf, magic);
    put_be32(buf + 4, header_count);
    memcpy(buf + 8, labels, n);
    write_bytes(path, gz, buf, 8 + n);
    free(buf);
}

static void path_in(char *out, size_t len, const char *dir, const char *name) {
    snprintf(out, len, "%s/%s", dir, name);
}

static const unsigned char k_train_labels[5] = {3, 0, 9, 1, 7};
static const unsigned char k_test_labels[3] = {2, 5, 8};

/* A good IDX dataset: train 5 images of 4x3, test 3 images of 4x3. `gz` adds .gz suffixes. */
static void write_good_idx(const char *dir, int gz) {
    char path[512];
    const char *suffix = gz ? ".gz" : "";
    char name[128];
    snprintf(name, sizeof name, "train-images-idx3-ubyte%s", suffix);
    path_in(path, sizeof path, dir, name);
    write_idx_images(path, gz, SC_IDX_IMAGES_MAGIC, 5, 4, 3, 5 * 12, 11);
    snprintf(name, sizeof name, "train-labels-idx1-ubyte%s", suffix);
    path_in(path, sizeof path, dir, name);
    write_idx_labels(path, gz, SC_IDX_LABELS_MAGIC, 5, k_train_labels, 5);
    snprintf(name, sizeof name, "t10k-images-idx3-ubyte%s", suffix);
    path_in(path, sizeof path, dir, name);
    write_idx_images(path, gz, SC_IDX_IMAGES_MAGIC, 3, 4, 3, 3 * 12, 100);
    snprintf(name, sizeof name, "t10k-labels-idx1-ubyte%s", suffix);
    path_in(path, sizeof path, dir, name);
    write_idx_labels(path, gz, SC_IDX_LABELS_MAGIC, 3, k_test_labels, 3);
}

static void check_good_idx(const sc_dataset *ds, int train, int seed_shift) {
    int64_t count = train ? 5 : 3;
    int seed = (train ? 11 : 100) + seed_shift;
    const unsigned char *labels = train ? k_train_labels : k_test_labels;
    ck_assert_int_eq(ds->count, count);
    ck_assert_int_eq(ds->channels, 1);
    ck_assert_int_eq(ds->height, 4);
    ck_assert_int_eq(ds->width, 3);
    ck_assert_int_eq(ds->num_classes, 10);
    for (int64_t i = 0; i < count * 12; i++)
        ck_assert_uint_eq(ds->images[i], (unsigned char)(seed + 7 * i));
    for (int64_t i = 0; i < count; i++)
        ck_assert_int_eq(ds->labels[i], labels[i]);
}

/* Load the train split and expect failure `code` with a message containing both needles. */
static void expect_idx_failure(const char *dir, int train, sc_status code, const char *needle1,
                               const char *needle2) {
    sc_dataset ds;
    sc_error err;
    sc_error_clear(&err);
    sc_status st = sc_dataset_load("fashion-mnist", dir, train, &ds, &err);
    ck_assert_msg(st == code, "expected %s, got %s: %s", sc_status_name(code),
                  sc_status_name(st), err.msg);
    ck_assert_int_eq(err.code, code);
    ck_assert_msg(strstr(err.msg, needle1) != NULL, "'%s' not in: %s", needle1, err.msg);
    if (needle2)
        ck_assert_msg(strstr(err.msg, needle2) != NULL, "'%s' not in: %s", needle2, err.msg);
    ck_assert_ptr_null(ds.images);
    ck_assert_ptr_null(ds.labels);
}

/* ---- IDX: good files ----------------------------------------------------------------------- */

START_TEST(idx_good_files_load) {
    /* _i = 0: plain files, 1: gzip */
    char dir[256];
    ck_assert_ptr_nonnull(sc_test_tmpdir("idx-good", dir, sizeof dir));
    write_good_idx(dir, _i);
    sc_error err;
    sc_dataset ds;
    ck_assert_msg(sc_dataset_load("fashion-mnist", dir, 1, &ds, &err) == SC_OK, "%s", err.msg);
    check_good_idx(&ds, 1, 0);
    ck_assert_str_eq(ds.name, "fashion-mnist");
    ck_assert_float_eq(ds.mean[0], 0.2860f);
    ck_assert_float_eq(ds.std[0], 0.3530f);
    sc_dataset_free(&ds);
    ck_assert_ptr_null(ds.images);
    ck_assert_msg(sc_dataset_load("mnist", dir, 0, &ds, &err) == SC_OK, "%s", err.msg);
    check_good_idx(&ds, 0, 0);
    ck_assert_str_eq(ds.name, "mnist");
    ck_assert_float_eq(ds.mean[0], 0.1307f);
    ck_assert_float_eq(ds.std[0], 0.3081f);
    sc_dataset_free(&ds);
    sc_test_rmtree(dir);
}
END_TEST

START_TEST(idx_prefers_gz) {
    char dir[256], path[512];
    ck_assert_ptr_nonnull(sc_test_tmpdir("idx-prefer", dir, sizeof dir));
    write_good_idx(dir, 1);
    /* A plain train image file with other pixels next to the .gz one: the .gz one wins. */
    path_in(path, sizeof path, dir, "train-images-idx3-ubyte");
    write_idx_images(path, 0, SC_IDX_IMAGES_MAGIC, 5, 4, 3, 5 * 12, 50);
    sc_error err;
    ck_assert_int_eq(sc_idx_find_file(dir, "train-images-idx3-ubyte", path, sizeof path, &err),
                     SC_OK);
    ck_assert_ptr_nonnull(strstr(path, ".gz"));
    sc_dataset ds;
    ck_assert_msg(sc_dataset_load("fashion-mnist", dir, 1, &ds, &err) == SC_OK, "%s", err.msg);
    check_good_idx(&ds, 1, 0);
    sc_dataset_free(&ds);
    /* Without the .gz one, the plain one is read. */
    path_in(path, sizeof path, dir, "train-images-idx3-ubyte.gz");
    ck_assert_int_eq(unlink(path), 0);
    ck_assert_msg(sc_dataset_load("fashion-mnist", dir, 1, &ds, &err) == SC_OK, "%s", err.msg);
    check_good_idx(&ds, 1, 50 - 11);
    sc_dataset_free(&ds);
    sc_test_rmtree(dir);
}
END_TEST

/* ---- IDX: malformed files ------------------------------------------------------------------ */

START_TEST(idx_wrong_magic) {
    char dir[256], path[512];
    ck_assert_ptr_nonnull(sc_test_tmpdir("idx-magic", dir, sizeof dir));
    write_good_idx(dir, _i);
    path_in(path, sizeof path, dir, _i ? "train-images-idx3-ubyte.gz" : "train-images-idx3-ubyte");
    write_idx_images(path, _i, SC_IDX_LABELS_MAGIC, 5, 4, 3, 5 * 12, 11);
    expect_idx_failure(dir, 1, SC_ERR_FORMAT, path, "wrong magic 0x00000801, expected 0x00000803");
    /* A label file with an image magic. */
    write_good_idx(dir, _i);
    path_in(path, sizeof path, dir, _i ? "t10k-labels-idx1-ubyte.gz" : "t10k-labels-idx1-ubyte");
    write_idx_labels(path, _i, SC_IDX_IMAGES_MAGIC, 3, k_test_labels, 3);
    expect_idx_failure(dir, 0, SC_ERR_FORMAT, path, "wrong magic 0x00000803, expected 0x00000801");
    sc_test_rmtree(dir);
}
END_TEST

START_TEST(idx_truncated_images) {
    char dir[256], path[512];
    ck_assert_ptr_nonnull(sc_test_tmpdir("idx-trunc-img", dir, sizeof dir));
    write_good_idx(dir, _i);
    path_in(path, sizeof path, dir, _i ? "train-images-idx3-ubyte.gz" : "train-images-idx3-ubyte");
    /* 4 images and 5 bytes of the fifth. */
    write_idx_images(path, _i, SC_IDX_IMAGES_MAGIC, 5, 4, 3, 4 * 12 + 5, 11);
    expect_idx_failure(dir, 1, SC_ERR_FORMAT, path,
                       "truncated: header says 5 images of 4x3, file holds 4 and 5 bytes");
    /* Cut inside the header. */
    unsigned char header[10] = {0, 0, 8, 3, 0, 0, 0, 5, 0, 0};
    write_bytes(path, _i, header, sizeof header);
    expect_idx_failure(dir, 1, SC_ERR_FORMAT, path, "truncated header");
    sc_test_rmtree(dir);
}
END_TEST

START_TEST(idx_truncated_gzip_stream) {
    /* A gzip file cut in the middle of its compressed stream. */
    char dir[256], path[512];
    ck_assert_ptr_nonnull(sc_test_tmpdir("idx-cut-gz", dir, sizeof dir));
    write_good_idx(dir, 1);
    path_in(path, sizeof path, dir, "train-images-idx3-ubyte.gz");
    write_idx_images(path, 1, SC_IDX_IMAGES_MAGIC, 2000, 28, 28, 2000 * 784, 3);
    struct stat info;
    ck_assert_int_eq(stat(path, &info), 0);
    ck_assert_int_eq(truncate(path, info.st_size / 2), 0);
    expect_idx_failure(dir, 1, SC_ERR_FORMAT, path, "truncated: header says 2000 images");
    sc_test_rmtree(dir);
}
END_TEST

START_TEST(idx_truncated_labels) {
    char dir[256], path[512];
    ck_assert_ptr_nonnull(sc_test_tmpdir("idx-trunc-lab", dir, sizeof dir));
    write_good_idx(dir, _i);
    path_in(path, sizeof path, dir, _i ? "train-labels-idx1-ubyte.gz" : "train-labels-idx1-ubyte");
    write_idx_labels(path, _i, SC_IDX_LABELS_MAGIC, 5, k_train_labels, 3);
    expect_idx_failure(dir, 1, SC_ERR_FORMAT, path, "truncated: header says 5 labels, file holds 3");
    sc_test_rmtree(dir);
}
END_TEST

START_TEST(idx_trailing_data) {
    char dir[256], path[512];
    ck_assert_ptr_nonnull(sc_test_tmpdir("idx-trailing", dir, sizeof dir));
    write_good_idx(dir, _i);
    path_in(path, sizeof path, dir, _i ? "train-labels-idx1-ubyte.gz" : "train-labels-idx1-ubyte");
    unsigned char six[6] = {3, 0, 9, 1, 7, 4};
    write_idx_labels(path, _i, SC_IDX_LABELS_MAGIC, 5, six, 6);
    expect_idx_failure(dir, 1, SC_ERR_FORMAT, path, "trailing data");
    sc_test_rmtree(dir);
}
END_TEST

START_TEST(idx_counts_disagree) {
    char dir[256], images[512], labels[512];
    ck_assert_ptr_nonnull(sc_test_tmpdir("idx-counts", dir, sizeof dir));
    write_good_idx(dir, _i);
    path_in(images, sizeof images, dir,
            _i ? "train-images-idx3-ubyte.gz" : "train-images-idx3-ubyte");
    path_in(labels, sizeof labels, dir,
            _i ? "train-labels-idx1-ubyte.gz" : "train-labels-idx1-ubyte");
    write_idx_labels(labels, _i, SC_IDX_LABELS_MAGIC, 4, k_train_labels, 4);
    expect_idx_failure(dir, 1, SC_ERR_FORMAT, images, labels);
    expect_idx_failure(dir, 1, SC_ERR_FORMAT, "holds 5 images but", "holds 4 labels");
    sc_test_rmtree(dir);
}
END_TEST

START_TEST(idx_label_out_of_range) {
    char dir[256], path[512];
    ck_assert_ptr_nonnull(sc_test_tmpdir("idx-label", dir, sizeof dir));
    write_good_idx(dir, _i);
    path_in(path, sizeof path, dir, _i ? "t10k-labels-idx1-ubyte.gz" : "t10k-labels-idx1-ubyte");
    unsigned char bad[3] = {2, 10, 8};
    write_idx_labels(path, _i, SC_IDX_LABELS_MAGIC, 3, bad, 3);
    expect_idx_failure(dir, 0, SC_ERR_FORMAT, path, "label 10 at index 1 is out of range [0, 10)");
    sc_test_rmtree(dir);
}
END_TEST

START_TEST(idx_missing_file) {
    char dir[256], path[512];
    ck_assert_ptr_nonnull(sc_test_tmpdir("idx-missing", dir, sizeof dir));
    write_good_idx(dir, _i);
    path_in(path, sizeof path, dir, _i ? "train-labels-idx1-ubyte.gz" : "train-labels-idx1-ubyte");
    ck_assert_int_eq(unlink(path), 0);
    char expected[512];
    snprintf(expected, sizeof expected, "%s/train-labels-idx1-ubyte(.gz): no such file", dir);
    expect_idx_failure(dir, 1, SC_ERR_IO, expected, NULL);
    /* The test split is still complete. */
    sc_dataset ds;
    sc_error err;
    ck_assert_msg(sc_dataset_load("fashion-mnist", dir, 0, &ds, &err) == SC_OK, "%s", err.msg);
    sc_dataset_free(&ds);
    /* A directory that does not exist at all. */
    path_in(path, sizeof path, dir, "nowhere");
    expect_idx_failure(path, 1, SC_ERR_IO, path, "no such file");
    sc_test_rmtree(dir);
}
END_TEST

START_TEST(idx_empty_file) {
    char dir[256], path[512];
    ck_assert_ptr_nonnull(sc_test_tmpdir("idx-empty", dir, sizeof dir));
    write_good_idx(dir, _i);
    path_in(path, sizeof path, dir, _i ? "train-images-idx3-ubyte.gz" : "train-images-idx3-ubyte");
    write_bytes(path, _i, NULL, 0);
    expect_idx_failure(dir, 1, SC_ERR_FORMAT, path, "empty file");
    sc_test_rmtree(dir);
}
END_TEST

START_TEST(idx_bad_dimensions) {
    char dir[256], path[512];
    ck_assert_ptr_nonnull(sc_test_tmpdir("idx-dims", dir, sizeof dir));
    write_good_idx(dir, 0);
    path_in(path, sizeof path, dir, "train-images-idx3-ubyte");
    write_idx_images(path, 0, SC_IDX_IMAGES_MAGIC, 5, 0, 3, 0, 11);
    expect_idx_failure(dir, 1, SC_ERR_FORMAT, path, "bad dimensions");
    /* A header that claims far more data than the file holds is truncation, not OOM. */
    write_idx_images(path, 0, SC_IDX_IMAGES_MAGIC, 4000000000u, 60000, 60000, 24, 11);
    expect_idx_failure(dir, 1, SC_ERR_FORMAT, path, "truncated");
    sc_test_rmtree(dir);
}
END_TEST

/* ---- CIFAR --------------------------------------------------------------------------------- */

/* Record r of a CIFAR file: label bytes then pixels (pixel i = (tag + r + 3 * i) mod 256). */
static void fill_cifar_record(unsigned char *rec, int label_bytes, const unsigned char *label,
                              int tag, int r) {
    memcpy(rec, label, (size_t)label_bytes);
    for (int i = 0; i < SC_CIFAR_IMAGE_BYTES; i++)
        rec[label_bytes + i] = (unsigned char)(tag + r + 3 * i);
}

/* A CIFAR file of n records with labels from `labels` (label_bytes per record). */
static void write_cifar_file(const char *path, int label_bytes, const unsigned char *labels,
                             int n, int tag) {
    size_t rec_bytes = (size_t)label_bytes + SC_CIFAR_IMAGE_BYTES;
    unsigned char *buf = malloc(rec_bytes * (size_t)(n > 0 ? n : 1));
    for (int r = 0; r < n; r++)
        fill_cifar_record(buf + (size_t)r * rec_bytes, label_bytes, labels + r * label_bytes,
                          tag, r);
    write_bytes(path, 0, buf, rec_bytes * (size_t)n);
    free(buf);
}

static const int k_cifar10_batch_sizes[5] = {2, 3, 1, 1, 2};
static const unsigned char k_cifar10_labels[9] = {6, 9, 9, 4, 1, 1, 2, 7, 8};

static void write_good_cifar10(const char *dir) {
    char path[512];
    int first = 0;
    for (int b = 0; b < 5; b++) {
        char name[64];
        snprintf(name, sizeof name, "data_batch_%d.bin", b + 1);
        path_in(path, sizeof path, dir, name);
        write_cifar_file(path, 1, k_cifar10_labels + first, k_cifar10_batch_sizes[b], 10 * b);
        first += k_cifar10_batch_sizes[b];
    }
    path_in(path, sizeof path, dir, "test_batch.bin");
    write_cifar_file(path, 1, (const unsigned char *)"\x03\x05", 2, 77);
}

static void expect_load_failure(const char *name, const char *dir, int train, sc_status code,
                                const char *needle1, const char *needle2) {
    sc_dataset ds;
    sc_error err;
    sc_error_clear(&err);
    sc_status st = sc_dataset_load(name, dir, train, &ds, &err);
    ck_assert_msg(st == code, "expected %s, got %s: %s", sc_status_name(code),
                  sc_status_name(st), err.msg);
    ck_assert_msg(strstr(err.msg, needle1) != NULL, "'%s' not in: %s", needle1, err.msg);
    if (needle2)
        ck_assert_msg(strstr(err.msg, needle2) != NULL, "'%s' not in: %s", needle2, err.msg);
    ck_assert_ptr_null(ds.images);
}

START_TEST(cifar10_good_files_load) {
    char dir[256];
    ck_assert_ptr_nonnull(sc_test_tmpdir("cifar10-good", dir, sizeof dir));
    write_good_cifar10(dir);
    sc_dataset ds;
    sc_error err;
    ck_assert_msg(sc_dataset_load("cifar10", dir, 1, &ds, &err) == SC_OK, "%s", err.msg);
    ck_assert_str_eq(ds.name, "cifar10");
    ck_assert_int_eq(ds.count, 9);
    ck_assert_int_eq(ds.channels, 3);
    ck_assert_int_eq(ds.height, 32);
    ck_assert_int_eq(ds.width, 32);
    ck_assert_int_eq(ds.num_classes, 10);
    int index = 0;
    for (int b = 0; b < 5; b++) {
        for (int r = 0; r < k_cifar10_batch_sizes[b]; r++, index++) {
            ck_assert_int_eq(ds.labels[index], k_cifar10_labels[index]);
            const uint8_t *img = ds.images + (size_t)index * SC_CIFAR_IMAGE_BYTES;
            for (int i = 0; i < SC_CIFAR_IMAGE_BYTES; i++)
                ck_assert_uint_eq(img[i], (unsigned char)(10 * b + r + 3 * i));
        }
    }
    const float mean[3] = {0.4914f, 0.4822f, 0.4465f}, std[3] = {0.2470f, 0.2435f, 0.2616f};
    for (int c = 0; c < 3; c++) {
        ck_assert_float_eq(ds.mean[c], mean[c]);
        ck_assert_float_eq(ds.std[c], std[c]);
    }
    sc_dataset_free(&ds);
    ck_assert_msg(sc_dataset_load("cifar10", dir, 0, &ds, &err) == SC_OK, "%s", err.msg);
    ck_assert_int_eq(ds.count, 2);
    ck_assert_int_eq(ds.labels[0], 3);
    ck_assert_int_eq(ds.labels[1], 5);
    ck_assert_uint_eq(ds.images[SC_CIFAR_IMAGE_BYTES + 5], (unsigned char)(77 + 1 + 15));
    sc_dataset_free(&ds);
    sc_test_rmtree(dir);
}
END_TEST

START_TEST(cifar100_good_files_load) {
    char dir[256], path[512];
    ck_assert_ptr_nonnull(sc_test_tmpdir("cifar100-good", dir, sizeof dir));
    const unsigned char train_labels[6] = {19, 99, 0, 0, 7, 42}; /* (coarse, fine) pairs */
    path_in(path, sizeof path, dir, "train.bin");
    write_cifar_file(path, 2, train_labels, 3, 5);
    path_in(path, sizeof path, dir, "test.bin");
    write_cifar_file(path, 2, train_labels + 2, 2, 9);
    sc_dataset ds;
    sc_error err;
    ck_assert_msg(sc_dataset_load("cifar100", dir, 1, &ds, &err) == SC_OK, "%s", err.msg);
    ck_assert_str_eq(ds.name, "cifar100");
    ck_assert_int_eq(ds.count, 3);
    ck_assert_int_eq(ds.num_classes, 100);
    ck_assert_int_eq(ds.labels[0], 99);
    ck_assert_int_eq(ds.labels[1], 0);
    ck_assert_int_eq(ds.labels[2], 42);
    for (int r = 0; r < 3; r++)
        for (int i = 0; i < SC_CIFAR_IMAGE_BYTES; i += 97)
            ck_assert_uint_eq(ds.images[(size_t)r * SC_CIFAR_IMAGE_BYTES + i],
                              (unsigned char)(5 + r + 3 * i));
    ck_assert_float_eq(ds.mean[2], 0.4409f);
    ck_assert_float_eq(ds.std[1], 0.2564f);
    sc_dataset_free(&ds);
    ck_assert_msg(sc_dataset_load("cifar100", dir, 0, &ds, &err) == SC_OK, "%s", err.msg);
    ck_assert_int_eq(ds.count, 2);
    ck_assert_int_eq(ds.labels[0], 0);
    ck_assert_int_eq(ds.labels[1], 42);
    sc_dataset_free(&ds);
    sc_test_rmtree(dir);
}
END_TEST

START_TEST(cifar_malformed_files) {
    char dir[256], path[512];
    ck_assert_ptr_nonnull(sc_test_tmpdir("cifar-bad", dir, sizeof dir));

    /* Not a whole number of records. */
    write_good_cifar10(dir);
    path_in(path, sizeof path, dir, "data_batch_2.bin");
    unsigned char partial[3073 + 10];
    memset(partial, 1, sizeof partial);
    write_bytes(path, 0, partial, sizeof partial);
    expect_load_failure("cifar10", dir, 1, SC_ERR_FORMAT, path,
                        "size 3083 bytes is not a whole number of 3073-byte records");

    /* Label out of range. */
    write_good_cifar10(dir);
    path_in(path, sizeof path, dir, "data_batch_3.bin");
    write_cifar_file(path, 1, (const unsigned char *)"\x0a", 1, 0);
    expect_load_failure("cifar10", dir, 1, SC_ERR_FORMAT, path,
                        "label 10 of record 0 is out of range [0, 10)");

    /* Missing file. */
    write_good_cifar10(dir);
    path_in(path, sizeof path, dir, "data_batch_4.bin");
    ck_assert_int_eq(unlink(path), 0);
    expect_load_failure("cifar10", dir, 1, SC_ERR_IO, path, "cannot open");

    /* Empty file. */
    path_in(path, sizeof path, dir, "test_batch.bin");
    write_bytes(path, 0, NULL, 0);
    expect_load_failure("cifar10", dir, 0, SC_ERR_FORMAT, path, "empty file");

    /* CIFAR-100: fine label 100, then coarse label 20. */
    path_in(path, sizeof path, dir, "train.bin");
    write_cifar_file(path, 2, (const unsigned char *)"\x01\x02\x03\x64", 2, 0);
    expect_load_failure("cifar100", dir, 1, SC_ERR_FORMAT, path,
                        "label 100 of record 1 is out of range [0, 100)");
    write_cifar_file(path, 2, (const unsigned char *)"\x14\x02", 1, 0);
    expect_load_failure("cifar100", dir, 1, SC_ERR_FORMAT, path,
                        "coarse label 20 of record 0 is out of range [0, 20)");
    /* A CIFAR-10 file is not whole CIFAR-100 records. */
    path_in(path, sizeof path, dir, "test.bin");
    write_cifar_file(path, 1, (const unsigned char *)"\x01\x02", 2, 0);
    expect_load_failure("cifar100", dir, 0, SC_ERR_FORMAT, path, "3074-byte records");
    sc_test_rmtree(dir);
}
END_TEST

/* ---- loading by name, limit, normalisation --------------------------------------------------- */

START_TEST(unknown_dataset_name) {
    expect_load_failure("imagenet", NULL, 1, SC_ERR_USAGE, "unknown dataset 'imagenet'",
                        "fashion-mnist, mnist, cifar10, cifar100, imagefolder or pcam");
    ck_assert_ptr_null(sc_dataset_default_dir("imagenet"));
}
END_TEST

START_TEST(default_dirs) {
    ck_assert_str_eq(sc_dataset_default_dir("fashion-mnist"), "/usr/share/datasets/fashion-mnist");
    ck_assert_str_eq(sc_dataset_default_dir("mnist"), "/usr/share/datasets/mnist");
    ck_assert_str_eq(sc_dataset_default_dir("cifar10"), "./data/cifar-10-batches-bin");
    ck_assert_str_eq(sc_dataset_default_dir("cifar100"), "./data/cifar-100-binary");
}
END_TEST

START_TEST(limit_keeps_first_samples) {
    char dir[256];
    ck_assert_ptr_nonnull(sc_test_tmpdir("limit", dir, sizeof dir));
    write_good_idx(dir, 1);
    sc_dataset ds;
    sc_error err;
    ck_assert_msg(sc_dataset_load("fashion-mnist", dir, 1, &ds, &err) == SC_OK, "%s", err.msg);
    sc_dataset_limit(&ds, 0);
    ck_assert_int_eq(ds.count, 5);
    sc_dataset_limit(&ds, 9);
    ck_assert_int_eq(ds.count, 5);
    sc_dataset_limit(&ds, 3);
    ck_assert_int_eq(ds.count, 3);
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(ds.labels[i], k_train_labels[i]);
    for (int i = 0; i < 3 * 12; i++)
        ck_assert_uint_eq(ds.images[i], (unsigned char)(11 + 7 * i));
    sc_dataset_limit(&ds, 4); /* a limit never grows the dataset back */
    ck_assert_int_eq(ds.count, 3);
    sc_dataset_free(&ds);
    sc_test_rmtree(dir);
}
END_TEST

START_TEST(standard_normalisation_table) {
    struct {
        const char *name;
        int channels;
        float mean[3], std[3];
    } expected[] = {
        {"mnist", 1, {0.1307f}, {0.3081f}},
        {"fashion-mnist", 1, {0.2860f}, {0.3530f}},
        {"cifar10", 3, {0.4914f, 0.4822f, 0.4465f}, {0.2470f, 0.2435f, 0.2616f}},
        {"cifar100", 3, {0.5071f, 0.4865f, 0.4409f}, {0.2673f, 0.2564f, 0.2762f}},
    };
    for (int k = 0; k < 4; k++) {
        sc_dataset ds;
        sc_error err;
        ck_assert_int_eq(sc_dataset_alloc(&ds, expected[k].name, 2, expected[k].channels, 3, 3,
                                          10, &err),
                         SC_OK);
        ck_assert_float_eq(ds.mean[0], 0.0f);
        ck_assert_float_eq(ds.std[0], 1.0f);
        ck_assert_int_eq(sc_dataset_set_standard_norm(&ds, &err), SC_OK);
        for (int c = 0; c < expected[k].channels; c++) {
            ck_assert_float_eq(ds.mean[c], expected[k].mean[c]);
            ck_assert_float_eq(ds.std[c], expected[k].std[c]);
        }
        sc_dataset_free(&ds);
    }
    /* A channel count that does not match the name is refused. */
    sc_dataset ds;
    sc_error err;
    ck_assert_int_eq(sc_dataset_alloc(&ds, "cifar10", 2, 1, 3, 3, 10, &err), SC_OK);
    ck_assert_int_eq(sc_dataset_set_standard_norm(&ds, &err), SC_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(err.msg, "1 channels, expected 3"));
    sc_dataset_free(&ds);
    ck_assert_int_eq(sc_dataset_alloc(&ds, "x", 0, 1, 3, 3, 10, &err), SC_ERR_USAGE);
    ck_assert_ptr_null(ds.images);
}
END_TEST

/* ---- the installed Fashion-MNIST ------------------------------------------------------------ */

START_TEST(installed_fashion_mnist) {
    struct stat info;
    if (stat(FASHION_MNIST_DIR, &info) != 0) {
        fprintf(stderr, "skipped: %s is not installed\n", FASHION_MNIST_DIR);
        return;
    }
    for (int train = 0; train <= 1; train++) {
        sc_dataset ds;
        sc_error err;
        ck_assert_msg(sc_dataset_load("fashion-mnist", NULL, train, &ds, &err) == SC_OK, "%s",
                      err.msg);
        ck_assert_int_eq(ds.count, train ? 60000 : 10000);
        ck_assert_int_eq(ds.channels, 1);
        ck_assert_int_eq(ds.height, 28);
        ck_assert_int_eq(ds.width, 28);
        /* Fashion-MNIST is balanced: 6000 / 1000 images per class. */
        int64_t per_class[10] = {0};
        for (int64_t i = 0; i < ds.count; i++) {
            ck_assert(ds.labels[i] >= 0 && ds.labels[i] < 10);
            per_class[ds.labels[i]]++;
        }
        for (int c = 0; c < 10; c++)
            ck_assert_int_eq(per_class[c], train ? 6000 : 1000);
        ck_assert_int_eq(ds.labels[0], 9); /* the first image of both splits is an ankle boot */
        sc_dataset_free(&ds);
    }
}
END_TEST

static Suite *datasets_suite(void) {
    Suite *s = suite_create("datasets");
    TCase *idx = tcase_create("idx");
    tcase_add_loop_test(idx, idx_good_files_load, 0, 2);
    tcase_add_test(idx, idx_prefers_gz);
    tcase_add_loop_test(idx, idx_wrong_magic, 0, 2);
    tcase_add_loop_test(idx, idx_truncated_images, 0, 2);
    tcase_add_test(idx, idx_truncated_gzip_stream);
    tcase_add_loop_test(idx, idx_truncated_labels, 0, 2);
    tcase_add_loop_test(idx, idx_trailing_data, 0, 2);
    tcase_add_loop_test(idx, idx_counts_disagree, 0, 2);
    tcase_add_loop_test(idx, idx_label_out_of_range, 0, 2);
    tcase_add_loop_test(idx, idx_missing_file, 0, 2);
    tcase_add_loop_test(idx, idx_empty_file, 0, 2);
    tcase_add_test(idx, idx_bad_dimensions);
    suite_add_tcase(s, idx);

    TCase *cifar = tcase_create("cifar");
    tcase_add_test(cifar, cifar10_good_files_load);
    tcase_add_test(cifar, cifar100_good_files_load);
    tcase_add_test(cifar, cifar_malformed_files);
    suite_add_tcase(s, cifar);

    TCase *named = tcase_create("dataset");
    tcase_add_test(named, unknown_dataset_name);
    tcase_add_test(named, default_dirs);
    tcase_add_test(named, limit_keeps_first_samples);
    tcase_add_test(named, standard_normalisation_table);
    tcase_add_test(named, installed_fashion_mnist);
    suite_add_tcase(s, named);
    return s;
}

int main(void) {
    return sc_check_run(datasets_suite());
}
