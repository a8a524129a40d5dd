/* Fuzz harness of the PatchCamelyon reader (datasets/pcam.h), through HDF5 files in the scratch
 * directory (libhdf5 reads files, not memory, in the reader's code path).
 *
 * Two kinds of input, chosen by bit 5 of byte 0:
 * - described files (bit 5 clear): the first HEADER_BYTES bytes describe the x and y files,
 *   which the harness writes with the HDF5 API: dataset names, element types, ranks and
 *   dimensions (the PCam shapes unless a flag asks for fuzzed ones), whether y exists; the
 *   rest gives the label bytes. This reaches every check of the reader on well-formed HDF5.
 * - raw x file (bit 5 set): the rest of the input is the x file itself, with a valid y file of
 *   one label; this feeds mutated HDF5 bytes to libhdf5 as the reader opens them.
 * An accepted split must have as many labels as images, each the 0 or 1 written, and its
 * first and last samples must read back as the pixels written (divided by 255: the harness
 * asks for mean 0 and std 1). */
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datasets/pcam.h"
#include "fuzz_target.h"

#define HARNESS "pcam"
#define HEADER_BYTES 16 /* flags, x type, x dims (6), y type, y dims (6), same N */
#define SIDE SC_PCAM_SIDE
#define MAX_N 3

enum {
    FLAG_X_NAME = 1,    /* dataset "images" instead of "x" */
    FLAG_Y_NAME = 2,    /* dataset "labels" instead of "y" */
    FLAG_X_SHAPE = 4,   /* x rank and trailing dimensions from the input */
    FLAG_Y_SHAPE = 8,   /* y rank and trailing dimensions from the input */
    FLAG_NO_Y = 16,     /* no y file */
    FLAG_RAW_X = 32     /* the x file is the input's bytes */
};

/* One dataset to write: name, element type, dims (rank). */
typedef struct h5_array {
    const char *name;
    hid_t type;
    int rank;
    hsize_t dims[5];
} h5_array;

/* U8 (little- or big-endian) for half the values, else a type the reader refuses */
static hid_t element_type(uint8_t b) {
    switch (b % 6) {
    case 0:
    case 1: return H5T_STD_U8LE;
    case 2: return H5T_STD_U8BE;
    case 3: return H5T_STD_I8LE;
    case 4: return H5T_STD_U16LE;
    default: return H5T_IEEE_F32LE;
    }
}

/* dims from the 6 descriptor bytes d: N = d[0] % (MAX_N + 1); rank and the trailing dimensions
 * the PCam ones (tail), or with fuzzed_shape rank 1 + d[1] % 5 and dimensions from d[2..5] */
static void describe(h5_array *a, const uint8_t *d, int fuzzed_shape, const hsize_t tail[3]) {
    a->rank = fuzzed_shape ? 1 + d[1] % 5 : 4;
    a->dims[0] = d[0] % (MAX_N + 1);
    for (int i = 1; i < a->rank; i++)
        a->dims[i] = fuzzed_shape ? (hsize_t)(d[1 + i] % 4) * (d[1 + i] & 4 ? 32 : 1) : tail[i - 1];
}

/* Write `a` to path, its bytes (i * 7 + 3) % 256, or the cyclic `labels` when given. Returns 0
 * on success; 1 for a shape the harness does not write (too many elements). */
static int write_array(const char *path, const h5_array *a, const uint8_t *labels, size_t n_labels) {
    size_t n = 1;
    for (int i = 0; i < a->rank; i++)
        n *= (size_t)a->dims[i];
    if (n > (size_t)MAX_N * SIDE * SIDE * 3)
        return 1;
    size_t bytes = n * H5Tget_size(a->type);
    uint8_t *data = malloc(bytes ? bytes : 1);
    if (!data)
        sc_fuzz_fail(HARNESS, "out of memory");
    for (size_t i = 0; i < bytes; i++)
        data[i] = labels ? (n_labels ? labels[i % n_labels] : 0) : (uint8_t)((i * 7 + 3) % 256);
    hid_t file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    hid_t space = H5Screate_simple(a->rank, a->dims, NULL);
    hid_t set = H5Dcreate2(file, a->name, a->type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    herr_t rc = set < 0 ? -1 : H5Dwrite(set, a->type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
    free(data);
    if (set >= 0)
        H5Dclose(set);
    H5Sclose(space);
    H5Fclose(file);
    if (file < 0 || rc < 0)
        sc_fuzz_fail(HARNESS, "cannot write %s", path);
    return 0;
}

/* The scratch path of file `xy` of the valid split. */
static const char *split_path(const char *xy) {
    char name[64];
    snprintf(name, sizeof name, "camelyonpatch_level_2_split_valid_%s.h5", xy);
    return sc_fuzz_scratch_write(HARNESS, name, "", 0);
}

static void check_sample(const sc_source *src, void *scratch, int64_t index, int raw) {
    static float out[3 * SIDE * SIDE];
    sc_sample_request req = {index, 0, 1, 0, 0};
    sc_error err = {0};
    sc_status st = src->ops->read_sample(src, scratch, &req, out, &err);
    if (st != SC_OK) {
        sc_fuzz_refused(HARNESS, st, &err);
        if (!raw) /* a file written by libhdf5 reads back */
            sc_fuzz_fail(HARNESS, "sample %lld of an accepted split: %s", (long long)index, err.msg);
        return;
    }
    for (int c = 0; c < 3; c++)
        for (int y = 0; y < SIDE; y++)
            for (int x = 0; x < SIDE; x++) {
                float v = out[(c * SIDE + y) * SIDE + x];
                size_t flat = (((size_t)index * SIDE + (size_t)y) * SIDE + (size_t)x) * 3 + (size_t)c;
                float want = (float)((flat * 7 + 3) % 256) / 255.0f;
                if (!isfinite(v) || (!raw && fabsf(v - want) > 1e-6f) || v < 0 || v > 1)
                    sc_fuzz_fail(HARNESS, "sample %lld (c %d, y %d, x %d) is %g, expected %g",
                                 (long long)index, c, y, x, v, want);
            }
}

static int run(const uint8_t *data, size_t size) {
    if (size < HEADER_BYTES)
        return 0;
    uint8_t flags = data[0];
    int raw = flags & FLAG_RAW_X;
    const uint8_t *rest = data + HEADER_BYTES;
    size_t rest_len = size - HEADER_BYTES;
    static const hsize_t x_tail[3] = {SIDE, SIDE, 3}, y_tail[3] = {1, 1, 1};
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL); /* refusals are checked, not printed */
    h5_array x = {flags & FLAG_X_NAME ? "images" : "x", element_type(data[1]), 0, {0}};
    h5_array y = {flags & FLAG_Y_NAME ? "labels" : "y", element_type(data[8]), 0, {0}};
    describe(&x, data + 2, flags & FLAG_X_SHAPE, x_tail);
    describe(&y, data + 9, flags & FLAG_Y_SHAPE, y_tail);
    if (data[15] & 1) /* as many labels as images, the usual case */
        y.dims[0] = x.dims[0];
    const char *y_path = split_path("y");
    if (raw) {
        y = (h5_array){"y", H5T_STD_U8LE, 4, {1, 1, 1, 1}};
        static const uint8_t one = 1;
        write_array(y_path, &y, &one, 1);
        sc_fuzz_scratch_write(HARNESS, "camelyonpatch_level_2_split_valid_x.h5", rest, rest_len);
    } else {
        if (flags & FLAG_NO_Y)
            remove(y_path);
        else if (write_array(y_path, &y, rest, rest_len) != 0)
            return 0;
        if (write_array(split_path("x"), &x, NULL, 0) != 0)
            return 0;
    }
    sc_data_config config = {.norm_channels = 3, .norm_std_channels = 3, .norm_std = {1, 1, 1}};
    char dir[1024];
    snprintf(dir, sizeof dir, "%s", y_path);
    *strrchr(dir, '/') = '\0';
    sc_data_request req = {.dir = dir, .train = 0, .data = &config};
    sc_source *src = NULL;
    sc_error err = {0};
    sc_status st = sc_source_open("pcam", &req, &src, &err);
    if (st != SC_OK)
        return sc_fuzz_refused(HARNESS, st, &err);
    if (src->count < 1 || src->count != (int64_t)y.dims[0] || src->num_classes != 2 ||
        src->channels != 3 || (!raw && src->count != (int64_t)x.dims[0]))
        sc_fuzz_fail(HARNESS, "accepted %lld samples of %d channels, %d classes (x has %llu, y %llu)",
                     (long long)src->count, src->channels, src->num_classes,
                     (unsigned long long)x.dims[0], (unsigned long long)y.dims[0]);
    for (int64_t i = 0; i < src->count; i++) {
        int written = raw ? 1 : rest_len ? rest[(size_t)i % rest_len] : 0;
        if (src->labels[i] != written)
            sc_fuzz_fail(HARNESS, "label %lld is %d, the file holds %d", (long long)i,
                         src->labels[i], written);
    }
    void *scratch = NULL;
    st = src->ops->scratch_create(src, &scratch, &err);
    if (st != SC_OK)
        sc_fuzz_fail(HARNESS, "no scratch for a sample: %s", err.msg);
    check_sample(src, scratch, 0, raw);
    check_sample(src, scratch, src->count - 1, raw);
    src->ops->scratch_free(scratch);
    sc_source_close(src);
    return 1;
}

/* ---- seeds ---------------------------------------------------------------------------------- */

/* described files: n images and labels in the official layout */
static int emit_described(sc_fuzz_emit_fn emit, void *ctx, const char *name, int n,
                          const uint8_t *labels) {
    uint8_t seed[HEADER_BYTES + MAX_N] = {0};
    seed[2] = seed[9] = (uint8_t)n;
    seed[15] = 1;
    memcpy(seed + HEADER_BYTES, labels, (size_t)n);
    return emit(ctx, name, seed, HEADER_BYTES + (size_t)n);
}

/* raw x file: one image, stored in deflated chunks so the file stays small */
static int emit_raw(sc_fuzz_emit_fn emit, void *ctx) {
    const char *path = sc_fuzz_scratch_write(HARNESS, "seed.h5", "", 0);
    hsize_t dims[4] = {1, SIDE, SIDE, 3};
    uint8_t *pixels = malloc(SIDE * SIDE * 3);
    if (!pixels)
        return -1;
    for (size_t i = 0; i < SIDE * SIDE * 3; i++)
        pixels[i] = (uint8_t)((i * 7 + 3) % 256);
    hid_t file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    hid_t space = H5Screate_simple(4, dims, NULL);
    hid_t plist = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_chunk(plist, 4, dims);
    H5Pset_deflate(plist, 9);
    hid_t set = H5Dcreate2(file, "x", H5T_STD_U8LE, space, H5P_DEFAULT, plist, H5P_DEFAULT);
    herr_t rc = set < 0 ? -1 : H5Dwrite(set, H5T_NATIVE_UINT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, pixels);
    free(pixels);
    if (set >= 0)
        H5Dclose(set);
    H5Pclose(plist);
    H5Sclose(space);
    H5Fclose(file);
    if (file < 0 || rc < 0)
        return -1;
    FILE *f = fopen(path, "rb");
    uint8_t seed[HEADER_BYTES + 8192] = {FLAG_RAW_X};
    size_t len = f ? fread(seed + HEADER_BYTES, 1, sizeof seed - HEADER_BYTES, f) : 0;
    int whole = f && feof(f) && !ferror(f);
    if (f)
        fclose(f);
    return whole ? emit(ctx, "raw-x-deflated", seed, HEADER_BYTES + len) : -1;
}

static int write_seeds(sc_fuzz_emit_fn emit, void *ctx) {
    static const uint8_t labels[MAX_N] = {1, 0, 1};
    if (emit_described(emit, ctx, "one-sample", 1, labels) != 0 ||
        emit_described(emit, ctx, "three-samples", 3, labels) != 0)
        return -1;
    return emit_raw(emit, ctx);
}

const sc_fuzz_target sc_fuzz_target_pcam = {HARNESS, 8192, run, write_seeds};
