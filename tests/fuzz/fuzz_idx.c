/* Fuzz harness of the IDX reader (datasets/idx.h): image files, label files and the loader of
 * a directory holding both, plain or gzip-compressed (zlib reads either).
 *
 * Input: byte 0 picks the entry point (mod 3): 0 an image file, 1 a label file, 2 a directory
 * whose image file is the first `split` bytes of the file part and whose label file is the
 * rest, split = bytes 1..2 (little-endian) capped at the file part. The file part is the input
 * from byte 3 on. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "datasets/idx.h"
#include "fuzz_target.h"

#define HARNESS "idx"

static int run_images(const uint8_t *data, size_t size) {
    const char *path = sc_fuzz_scratch_write(HARNESS, "images-idx3-ubyte", data, size);
    uint8_t *pixels = NULL;
    int64_t count = 0;
    int rows = 0, cols = 0;
    sc_error err = {0};
    sc_status st = sc_idx_read_images(path, &pixels, &count, &rows, &cols, &err);
    if (st != SC_OK)
        return sc_fuzz_refused(HARNESS, st, &err);
    if (count < 1 || rows < 1 || cols < 1 || !pixels)
        sc_fuzz_fail(HARNESS, "accepted %lld images of %dx%d", (long long)count, rows, cols);
    sc_fuzz_touch(pixels, (size_t)count * (size_t)rows * (size_t)cols);
    free(pixels);
    return 1;
}

static int run_labels(const uint8_t *data, size_t size) {
    const char *path = sc_fuzz_scratch_write(HARNESS, "labels-idx1-ubyte", data, size);
    uint8_t *labels = NULL;
    int64_t count = 0;
    sc_error err = {0};
    sc_status st = sc_idx_read_labels(path, SC_IDX_NUM_CLASSES, &labels, &count, &err);
    if (st != SC_OK)
        return sc_fuzz_refused(HARNESS, st, &err);
    if (count < 1 || !labels)
        sc_fuzz_fail(HARNESS, "accepted %lld labels", (long long)count);
    for (int64_t i = 0; i < count; i++)
        if (labels[i] >= SC_IDX_NUM_CLASSES)
            sc_fuzz_fail(HARNESS, "accepted label %u at %lld", labels[i], (long long)i);
    free(labels);
    return 1;
}

static int run_directory(const uint8_t *data, size_t size, size_t split) {
    if (split > size)
        split = size;
    sc_fuzz_scratch_write(HARNESS, "t10k-images-idx3-ubyte", data, split);
    const char *path = sc_fuzz_scratch_write(HARNESS, "t10k-labels-idx1-ubyte", data + split,
                                             size - split);
    char dir[1024];
    snprintf(dir, sizeof dir, "%s", path);
    *strrchr(dir, '/') = '\0';
    sc_dataset ds;
    sc_error err = {0};
    sc_status st = sc_idx_load(dir, 0, "mnist", &ds, &err);
    if (st != SC_OK)
        return sc_fuzz_refused(HARNESS, st, &err);
    if (ds.count < 1 || ds.channels != 1 || ds.num_classes != SC_IDX_NUM_CLASSES)
        sc_fuzz_fail(HARNESS, "accepted a dataset of %lld images, %d channels, %d classes",
                     (long long)ds.count, ds.channels, ds.num_classes);
    sc_fuzz_touch(ds.images, (size_t)ds.count * (size_t)sc_dataset_image_bytes(&ds));
    for (int64_t i = 0; i < ds.count; i++)
        if (ds.labels[i] < 0 || ds.labels[i] >= ds.num_classes)
            sc_fuzz_fail(HARNESS, "accepted label %d at %lld", ds.labels[i], (long long)i);
    sc_dataset_free(&ds);
    return 1;
}

static int run(const uint8_t *data, size_t size) {
    if (size < 3)
        return 0;
    size_t split = (size_t)data[1] | (size_t)data[2] << 8;
    switch (data[0] % 3) {
    case 0:
        return run_images(data + 3, size - 3);
    case 1:
        return run_labels(data + 3, size - 3);
    default:
        return run_directory(data + 3, size - 3, split);
    }
}

/* ---- seeds: 3 images of 5x5 and their labels, plain and gzip-compressed ---------------------- */

#define SEED_IMAGES 3
#define SEED_SIDE 5
#define SEED_IMAGES_BYTES (16 + SEED_IMAGES * SEED_SIDE * SEED_SIDE)
#define SEED_LABELS_BYTES (8 + SEED_IMAGES)

static void put_be32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static size_t write_images(uint8_t *p) {
    put_be32(p, SC_IDX_IMAGES_MAGIC);
    put_be32(p + 4, SEED_IMAGES);
    put_be32(p + 8, SEED_SIDE);
    put_be32(p + 12, SEED_SIDE);
    for (int i = 0; i < SEED_IMAGES * SEED_SIDE * SEED_SIDE; i++)
        p[16 + i] = (uint8_t)(i * 37);
    return SEED_IMAGES_BYTES;
}

static size_t write_labels(uint8_t *p) {
    put_be32(p, SC_IDX_LABELS_MAGIC);
    put_be32(p + 4, SEED_IMAGES);
    for (int i = 0; i < SEED_IMAGES; i++)
        p[8 + i] = (uint8_t)(i * 4 % SC_IDX_NUM_CLASSES);
    return SEED_LABELS_BYTES;
}

/* gzip-compress in[0 .. len) into out (cap bytes); returns the compressed length, 0 on failure. */
static size_t gzip_bytes(const uint8_t *in, size_t len, uint8_t *out, size_t cap) {
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return 0;
    z.next_in = (Bytef *)in;
    z.avail_in = (uInt)len;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    int rc = deflate(&z, Z_FINISH);
    size_t written = cap - z.avail_out;
    deflateEnd(&z);
    return rc == Z_STREAM_END ? written : 0;
}

/* One seed: the 3 selector bytes, then the file(s) of the mode, each gzip-compressed when gz. */
static int emit_seed(sc_fuzz_emit_fn emit, void *ctx, const char *name, int mode, int gz) {
    uint8_t plain[2][SEED_IMAGES_BYTES];
    size_t plain_len[2] = {0, 0};
    if (mode != 1)
        plain_len[0] = write_images(plain[0]);
    if (mode != 0)
        plain_len[mode == 2] = write_labels(plain[mode == 2]);
    uint8_t seed[3 + 2 * (SEED_IMAGES_BYTES + 64)];
    size_t len = 3, first_len = 0;
    for (int f = 0; f < 2 && plain_len[f] > 0; f++) {
        size_t n = plain_len[f];
        if (gz)
            n = gzip_bytes(plain[f], plain_len[f], seed + len, sizeof seed - len);
        else
            memcpy(seed + len, plain[f], n);
        if (n == 0)
            return -1;
        if (f == 0)
            first_len = n;
        len += n;
    }
    seed[0] = (uint8_t)mode;
    seed[1] = (uint8_t)(first_len & 0xff);
    seed[2] = (uint8_t)(first_len >> 8);
    return emit(ctx, name, seed, len);
}

static int write_seeds(sc_fuzz_emit_fn emit, void *ctx) {
    static const char *const names[3][2] = {{"images", "images-gz"},
                                            {"labels", "labels-gz"},
                                            {"directory", "directory-gz"}};
    for (int mode = 0; mode < 3; mode++)
        for (int gz = 0; gz < 2; gz++)
            if (emit_seed(emit, ctx, names[mode][gz], mode, gz) != 0)
                return -1;
    return 0;
}

const sc_fuzz_target sc_fuzz_target_idx = {HARNESS, 4096, run, write_seeds};
