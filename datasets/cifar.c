/* Reader of the CIFAR-10 / CIFAR-100 binary files (see cifar.h): sizes are checked for every
 * file before anything is allocated, then records are read in chunks and split into labels
 * and pixels. */
#include "cifar.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define CIFAR_MAX_FILES 5
#define CIFAR_CHUNK_RECORDS 1024

typedef struct cifar_format {
    const char *name;   /* dataset name */
    int label_bytes;    /* bytes before the pixels: 1 (CIFAR-10) or 2 (CIFAR-100) */
    int num_classes;    /* classes of the kept (last) label byte */
    int coarse_classes; /* classes of the first label byte when there are two, else 0 */
} cifar_format;

static const cifar_format k_cifar10 = {"cifar10", 1, 10, 0};
static const cifar_format k_cifar100 = {"cifar100", 2, 100, 20};

/* Size of one file in records; checks it exists, is regular, non-empty and whole records. */
static sc_status cifar_count_records(const char *path, long record_bytes, int64_t *records,
                                     sc_error *err) {
    struct stat info;
    if (stat(path, &info) != 0)
        return sc_fail(err, SC_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    if (!S_ISREG(info.st_mode))
        return sc_fail(err, SC_ERR_IO, "%s: not a regular file", path);
    if (info.st_size == 0)
        return sc_fail(err, SC_ERR_FORMAT, "%s: empty file (expected %ld-byte CIFAR records)",
                       path, record_bytes);
    if (info.st_size % record_bytes != 0)
        return sc_fail(err, SC_ERR_FORMAT,
                       "%s: size %lld bytes is not a whole number of %ld-byte records "
                       "(%lld records and %lld bytes)",
                       path, (long long)info.st_size, record_bytes,
                       (long long)(info.st_size / record_bytes),
                       (long long)(info.st_size % record_bytes));
    *records = (int64_t)(info.st_size / record_bytes);
    return SC_OK;
}

/* Read `records` records of one file into images / labels (already sized for them). */
static sc_status cifar_read_file(const char *path, const cifar_format *fmt, int64_t records,
                                 uint8_t *chunk, uint8_t *images, int32_t *labels,
                                 sc_error *err) {
    size_t record_bytes = (size_t)fmt->label_bytes + SC_CIFAR_IMAGE_BYTES;
    FILE *f = fopen(path, "rb");
    if (!f)
        return sc_fail(err, SC_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    sc_status st = SC_OK;
    for (int64_t first = 0; first < records && st == SC_OK; first += CIFAR_CHUNK_RECORDS) {
        int64_t n = records - first < CIFAR_CHUNK_RECORDS ? records - first : CIFAR_CHUNK_RECORDS;
        size_t got = fread(chunk, record_bytes, (size_t)n, f);
        if (got != (size_t)n) {
            st = sc_fail(err, SC_ERR_IO, "%s: read failed at record %lld: %s", path,
                         (long long)(first + (int64_t)got),
                         ferror(f) ? strerror(errno) : "file shrank while reading");
            break;
        }
        for (int64_t r = 0; r < n; r++) {
            const uint8_t *record = chunk + (size_t)r * record_bytes;
            int64_t index = first + r;
            if (fmt->coarse_classes > 0 && record[0] >= fmt->coarse_classes) {
                st = sc_fail(err, SC_ERR_FORMAT,
                             "%s: coarse label %u of record %lld is out of range [0, %d)", path,
                             (unsigned)record[0], (long long)index, fmt->coarse_classes);
                break;
            }
            uint8_t label = record[fmt->label_bytes - 1];
            if (label >= fmt->num_classes) {
                st = sc_fail(err, SC_ERR_FORMAT, "%s: label %u of record %lld is out of range "
                             "[0, %d)", path, (unsigned)label, (long long)index, fmt->num_classes);
                break;
            }
            labels[index] = label;
            memcpy(images + (size_t)index * SC_CIFAR_IMAGE_BYTES, record + fmt->label_bytes,
                   SC_CIFAR_IMAGE_BYTES);
        }
    }
    fclose(f);
    return st;
}

static sc_status cifar_load(const char *dir, const char *const *files, int nfiles,
                            const cifar_format *fmt, sc_dataset *out, sc_error *err) {
    memset(out, 0, sizeof *out);
    long record_bytes = fmt->label_bytes + SC_CIFAR_IMAGE_BYTES;
    char paths[CIFAR_MAX_FILES][PATH_MAX];
    int64_t records[CIFAR_MAX_FILES] = {0};
    int64_t total = 0;
    for (int i = 0; i < nfiles; i++) {
        int n = snprintf(paths[i], sizeof paths[i], "%s/%s", dir, files[i]);
        if (n < 0 || (size_t)n >= sizeof paths[i])
            return sc_fail(err, SC_ERR_USAGE, "%s/%s: path too long (at most %d bytes)", dir,
                           files[i], PATH_MAX - 1);
        SC_TRY(cifar_count_records(paths[i], record_bytes, &records[i], err));
        total += records[i];
    }
    SC_TRY(sc_dataset_alloc(out, fmt->name, total, SC_CIFAR_CHANNELS, SC_CIFAR_SIDE,
                            SC_CIFAR_SIDE, fmt->num_classes, err));
    uint8_t *chunk = malloc((size_t)CIFAR_CHUNK_RECORDS * (size_t)record_bytes);
    if (!chunk) {
        sc_dataset_free(out);
        return sc_fail(err, SC_ERR_OOM, "%s: cannot allocate a read buffer", dir);
    }
    sc_status st = SC_OK;
    int64_t first = 0;
    for (int i = 0; i < nfiles && st == SC_OK; i++) {
        st = cifar_read_file(paths[i], fmt, records[i], chunk,
                             out->images + (size_t)first * SC_CIFAR_IMAGE_BYTES,
                             out->labels + first, err);
        first += records[i];
    }
    free(chunk);
    if (st != SC_OK)
        sc_dataset_free(out);
    return st;
}

sc_status sc_cifar10_load(const char *dir, int train, sc_dataset *out, sc_error *err) {
    static const char *const train_files[] = {"data_batch_1.bin", "data_batch_2.bin",
                                              "data_batch_3.bin", "data_batch_4.bin",
                                              "data_batch_5.bin"};
    static const char *const test_files[] = {"test_batch.bin"};
    if (train)
        return cifar_load(dir, train_files, 5, &k_cifar10, out, err);
    return cifar_load(dir, test_files, 1, &k_cifar10, out, err);
}

sc_status sc_cifar100_load(const char *dir, int train, sc_dataset *out, sc_error *err) {
    static const char *const train_files[] = {"train.bin"};
    static const char *const test_files[] = {"test.bin"};
    return cifar_load(dir, train ? train_files : test_files, 1, &k_cifar100, out, err);
}
