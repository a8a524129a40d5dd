/* Reader of IDX files (see idx.h). zlib's gzread reads gzip and plain files alike. The payload
 * is read in growing chunks, so a header that claims more data than the file holds is reported
 * as truncated instead of causing one huge allocation. */
#include "idx.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "host/core/fileio.h"

#define IDX_MAX_SIDE 65535u                /* rows and cols; keeps count*rows*cols < 2^64 */
#define IDX_READ_CHUNK ((size_t)16 << 20)  /* first payload buffer, doubled as data arrives */
#define IDX_GZ_BUFFER (1u << 20)

static sc_status idx_open(const char *path, gzFile *out, sc_error *err) {
    SC_TRY(sc_file_check_regular(path, err));
    errno = 0;
    gzFile f = gzopen(path, "rb");
    if (!f)
        return sc_fail(err, SC_ERR_IO, "%s: cannot open: %s", path,
                       errno ? strerror(errno) : "out of memory");
    gzbuffer(f, IDX_GZ_BUFFER);
    *out = f;
    return SC_OK;
}

/* Read up to `want` bytes; *got < want only at the end of the data. A gzip stream cut short
 * counts as the end of the data (the caller reports the truncation with counts). */
static sc_status idx_read(gzFile f, const char *path, void *buf, size_t want, size_t *got,
                          sc_error *err) {
    size_t have = 0;
    while (have < want) {
        size_t left = want - have;
        unsigned int ask = left > (size_t)INT_MAX ? (unsigned int)INT_MAX : (unsigned int)left;
        int n = gzread(f, (unsigned char *)buf + have, ask);
        if (n < 0) {
            int read_errno = errno;
            int errnum = Z_OK;
            const char *msg = gzerror(f, &errnum);
            if (errnum == Z_ERRNO)
                return sc_fail(err, SC_ERR_IO, "%s: read failed: %s", path, strerror(read_errno));
            return sc_fail(err, SC_ERR_FORMAT, "%s: corrupt gzip data: %s", path, msg);
        }
        if (n == 0)
            break;
        have += (size_t)n;
    }
    *got = have;
    return SC_OK;
}

static uint32_t be32(const unsigned char *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* Read the magic and `ndims` big-endian sizes; checks the magic. */
static sc_status idx_read_header(gzFile f, const char *path, uint32_t magic, const char *what,
                                 int ndims, uint32_t *dims, sc_error *err) {
    unsigned char header[16];
    size_t want = 4u * (size_t)(1 + ndims);
    size_t got = 0;
    SC_TRY(idx_read(f, path, header, want, &got, err));
    if (got == 0)
        return sc_fail(err, SC_ERR_FORMAT, "%s: empty file (expected an IDX %s header)", path,
                       what);
    if (got >= 4 && be32(header) != magic)
        return sc_fail(err, SC_ERR_FORMAT, "%s: wrong magic 0x%08x, expected 0x%08x (IDX %s)",
                       path, (unsigned)be32(header), (unsigned)magic, what);
    if (got < want)
        return sc_fail(err, SC_ERR_FORMAT,
                       "%s: truncated header: %zu bytes, expected %zu (IDX %s)", path, got, want,
                       what);
    for (int d = 0; d < ndims; d++)
        dims[d] = be32(header + 4 * (d + 1));
    return SC_OK;
}

/* Read exactly `want` payload bytes into a malloc'd buffer; *got < want when the file is short.
 * Fails when the file holds more than `want` bytes. */
static sc_status idx_read_payload(gzFile f, const char *path, uint64_t want, uint8_t **out,
                                  uint64_t *got, sc_error *err) {
    size_t cap = want < IDX_READ_CHUNK ? (size_t)want : IDX_READ_CHUNK;
    uint8_t *buf = malloc(cap);
    if (!buf)
        return sc_fail(err, SC_ERR_OOM, "%s: cannot allocate %zu bytes", path, cap);
    size_t have = 0;
    for (;;) {
        size_t n = 0;
        sc_status st = idx_read(f, path, buf + have, cap - have, &n, err);
        if (st != SC_OK) {
            free(buf);
            return st;
        }
        have += n;
        if (have < cap || have == want)
            break;
        size_t grown = cap * 2 < want ? cap * 2 : (size_t)want;
        uint8_t *bigger = realloc(buf, grown);
        if (!bigger) {
            free(buf);
            return sc_fail(err, SC_ERR_OOM, "%s: cannot allocate %zu bytes", path, grown);
        }
        buf = bigger;
        cap = grown;
    }
    if (have == want) {
        unsigned char extra;
        size_t n = 0;
        sc_status st = idx_read(f, path, &extra, 1, &n, err);
        if (st == SC_OK && n != 0)
            st = sc_fail(err, SC_ERR_FORMAT,
                         "%s: trailing data: the file holds more than the %llu bytes of data "
                         "its header says",
                         path, (unsigned long long)want);
        if (st != SC_OK) {
            free(buf);
            return st;
        }
    }
    *out = buf;
    *got = have;
    return SC_OK;
}

sc_status sc_idx_read_images(const char *path, uint8_t **pixels, int64_t *count, int *rows,
                             int *cols, sc_error *err) {
    gzFile f = NULL;
    SC_TRY(idx_open(path, &f, err));
    uint32_t dims[3] = {0, 0, 0};
    uint8_t *buf = NULL;
    uint64_t got = 0;
    sc_status st = idx_read_header(f, path, SC_IDX_IMAGES_MAGIC, "images", 3, dims, err);
    if (st == SC_OK && (dims[0] == 0 || dims[1] == 0 || dims[2] == 0 || dims[1] > IDX_MAX_SIDE ||
                        dims[2] > IDX_MAX_SIDE))
        st = sc_fail(err, SC_ERR_FORMAT,
                     "%s: bad dimensions: header says %u images of %ux%u (expected at least one "
                     "image, sides 1..%u)",
                     path, (unsigned)dims[0], (unsigned)dims[1], (unsigned)dims[2], IDX_MAX_SIDE);
    uint64_t image_bytes = (uint64_t)dims[1] * dims[2];
    uint64_t want = (uint64_t)dims[0] * image_bytes;
    if (st == SC_OK)
        st = idx_read_payload(f, path, want, &buf, &got, err);
    if (st == SC_OK && got < want) {
        char partial[64] = "";
        if (got % image_bytes != 0)
            snprintf(partial, sizeof partial, " and %llu bytes of a partial image",
                     (unsigned long long)(got % image_bytes));
        st = sc_fail(err, SC_ERR_FORMAT,
                     "%s: truncated: header says %u images of %ux%u, file holds %llu%s", path,
                     (unsigned)dims[0], (unsigned)dims[1], (unsigned)dims[2],
                     (unsigned long long)(got / image_bytes), partial);
        free(buf);
    }
    gzclose(f);
    if (st != SC_OK)
        return st;
    *pixels = buf;
    *count = dims[0];
    *rows = (int)dims[1];
    *cols = (int)dims[2];
    return SC_OK;
}

sc_status sc_idx_read_labels(const char *path, int num_classes, uint8_t **labels,
                             int64_t *count, sc_error *err) {
    gzFile f = NULL;
    SC_TRY(idx_open(path, &f, err));
    uint32_t dims[1] = {0};
    uint8_t *buf = NULL;
    uint64_t got = 0;
    sc_status st = idx_read_header(f, path, SC_IDX_LABELS_MAGIC, "labels", 1, dims, err);
    if (st == SC_OK && dims[0] == 0)
        st = sc_fail(err, SC_ERR_FORMAT, "%s: header says 0 labels (expected at least one)",
                     path);
    if (st == SC_OK)
        st = idx_read_payload(f, path, dims[0], &buf, &got, err);
    gzclose(f);
    if (st != SC_OK)
        return st;
    if (got < dims[0]) {
        free(buf);
        return sc_fail(err, SC_ERR_FORMAT, "%s: truncated: header says %u labels, file holds %llu",
                       path, (unsigned)dims[0], (unsigned long long)got);
    }
    for (uint64_t i = 0; i < got; i++) {
        if (buf[i] >= num_classes) {
            st = sc_fail(err, SC_ERR_FORMAT, "%s: label %u at index %llu is out of range [0, %d)",
                         path, (unsigned)buf[i], (unsigned long long)i, num_classes);
            free(buf);
            return st;
        }
    }
    *labels = buf;
    *count = dims[0];
    return SC_OK;
}

sc_status sc_idx_find_file(const char *dir, const char *base, char *path, size_t len,
                           sc_error *err) {
    int n = snprintf(path, len, "%s/%s.gz", dir, base);
    if (n < 0 || (size_t)n >= len)
        return sc_fail(err, SC_ERR_USAGE, "%s/%s: path too long (at most %zu bytes)", dir, base,
                       len - 1);
    if (access(path, F_OK) == 0)
        return SC_OK;
    snprintf(path, len, "%s/%s", dir, base);
    if (access(path, F_OK) == 0)
        return SC_OK;
    return sc_fail(err, SC_ERR_IO, "%s/%s(.gz): no such file (expected an IDX dataset in %s)",
                   dir, base, dir);
}

sc_status sc_idx_load(const char *dir, int train, const char *name, sc_dataset *out,
                      sc_error *err) {
    memset(out, 0, sizeof *out);
    const char *split = train ? "train" : "t10k";
    char base[64];
    char images_path[PATH_MAX];
    char labels_path[PATH_MAX];
    snprintf(base, sizeof base, "%s-images-idx3-ubyte", split);
    SC_TRY(sc_idx_find_file(dir, base, images_path, sizeof images_path, err));
    snprintf(base, sizeof base, "%s-labels-idx1-ubyte", split);
    SC_TRY(sc_idx_find_file(dir, base, labels_path, sizeof labels_path, err));

    uint8_t *pixels = NULL;
    uint8_t *labels = NULL;
    int64_t image_count = 0, label_count = 0;
    int rows = 0, cols = 0;
    SC_TRY(sc_idx_read_images(images_path, &pixels, &image_count, &rows, &cols, err));
    sc_status st = sc_idx_read_labels(labels_path, SC_IDX_NUM_CLASSES, &labels, &label_count, err);
    if (st == SC_OK && image_count != label_count)
        st = sc_fail(err, SC_ERR_FORMAT, "%s holds %lld images but %s holds %lld labels",
                     images_path, (long long)image_count, labels_path, (long long)label_count);
    int32_t *labels32 = NULL;
    if (st == SC_OK) {
        labels32 = malloc((size_t)label_count * sizeof *labels32);
        if (!labels32)
            st = sc_fail(err, SC_ERR_OOM, "%s: cannot allocate %lld labels", labels_path,
                         (long long)label_count);
    }
    if (st != SC_OK) {
        free(pixels);
        free(labels);
        return st;
    }
    for (int64_t i = 0; i < label_count; i++)
        labels32[i] = labels[i];
    free(labels);

    snprintf(out->name, sizeof out->name, "%s", name);
    out->count = image_count;
    out->channels = 1;
    out->height = rows;
    out->width = cols;
    out->num_classes = SC_IDX_NUM_CLASSES;
    out->images = pixels; /* IDX order (count, rows, cols) is (count, 1, rows, cols) */
    out->labels = labels32;
    for (int c = 0; c < SC_DATASET_MAX_CHANNELS; c++) {
        out->mean[c] = 0.0f;
        out->std[c] = 1.0f;
    }
    return SC_OK;
}
