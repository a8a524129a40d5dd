/* Fuzz harness of the CIFAR-10 / CIFAR-100 binary readers (datasets/cifar.h).
 *
 * Input: byte 0 picks the format (even: CIFAR-10, odd: CIFAR-100); the rest is the test-split
 * file (test_batch.bin or test.bin). An accepted file must come back record by record: every
 * label and every pixel as the file holds them. */
#include <stdio.h>
#include <string.h>

#include "datasets/cifar.h"
#include "fuzz_target.h"

#define HARNESS "cifar"

static int run(const uint8_t *data, size_t size) {
    if (size < 1)
        return 0;
    int cifar100 = data[0] & 1;
    const uint8_t *file = data + 1;
    size_t file_len = size - 1;
    const char *path = sc_fuzz_scratch_write(HARNESS, cifar100 ? "test.bin" : "test_batch.bin",
                                             file, file_len);
    char dir[1024];
    snprintf(dir, sizeof dir, "%s", path);
    *strrchr(dir, '/') = '\0';
    sc_dataset ds;
    sc_error err = {0};
    sc_status st = cifar100 ? sc_cifar100_load(dir, 0, &ds, &err) : sc_cifar10_load(dir, 0, &ds, &err);
    if (st != SC_OK)
        return sc_fuzz_refused(HARNESS, st, &err);
    size_t label_bytes = cifar100 ? 2 : 1;
    size_t record_bytes = label_bytes + SC_CIFAR_IMAGE_BYTES;
    int classes = cifar100 ? 100 : 10;
    if (ds.count < 1 || (size_t)ds.count * record_bytes != file_len || ds.num_classes != classes ||
        ds.channels != SC_CIFAR_CHANNELS || ds.height != SC_CIFAR_SIDE || ds.width != SC_CIFAR_SIDE)
        sc_fuzz_fail(HARNESS, "accepted %lld images (%dx%dx%d, %d classes) from %zu bytes",
                     (long long)ds.count, ds.channels, ds.height, ds.width, ds.num_classes, file_len);
    for (int64_t i = 0; i < ds.count; i++) {
        const uint8_t *record = file + (size_t)i * record_bytes;
        if (ds.labels[i] != record[label_bytes - 1] || ds.labels[i] >= classes)
            sc_fuzz_fail(HARNESS, "record %lld: label %d, the file says %u", (long long)i,
                         ds.labels[i], record[label_bytes - 1]);
        if (memcmp(ds.images + (size_t)i * SC_CIFAR_IMAGE_BYTES, record + label_bytes,
                   SC_CIFAR_IMAGE_BYTES) != 0)
            sc_fuzz_fail(HARNESS, "record %lld: pixels differ from the file", (long long)i);
    }
    sc_dataset_free(&ds);
    return 1;
}

/* ---- seeds: two records of each format ------------------------------------------------------ */

static int emit_seed(sc_fuzz_emit_fn emit, void *ctx, const char *name, int cifar100) {
    size_t record_bytes = (size_t)(cifar100 ? 2 : 1) + SC_CIFAR_IMAGE_BYTES;
    uint8_t seed[1 + 2 * (2 + SC_CIFAR_IMAGE_BYTES)];
    seed[0] = (uint8_t)cifar100;
    for (int r = 0; r < 2; r++) {
        uint8_t *record = seed + 1 + (size_t)r * record_bytes;
        if (cifar100)
            *record++ = (uint8_t)(7 + r);
        *record++ = (uint8_t)(3 + r * 5);
        for (int i = 0; i < SC_CIFAR_IMAGE_BYTES; i++)
            record[i] = (uint8_t)(i * 13 + r);
    }
    return emit(ctx, name, seed, 1 + 2 * record_bytes);
}

static int write_seeds(sc_fuzz_emit_fn emit, void *ctx) {
    if (emit_seed(emit, ctx, "cifar10-two-records", 0) != 0)
        return -1;
    return emit_seed(emit, ctx, "cifar100-two-records", 1);
}

/* up to three CIFAR-100 records and the selector byte */
const sc_fuzz_target sc_fuzz_target_cifar = {HARNESS, 1 + 3 * (2 + SC_CIFAR_IMAGE_BYTES), run,
                                             write_seeds};
