/* The image-folder sample source (see imagefolder.h): the index of one split, and a
 * read_sample that reads one file whole, decodes and transforms it (transform.h) into the
 * caller's per-thread scratch. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "image.h"
#include "imagefolder.h"
#include "transform.h"

#define FOLDER_MAX_FILE_BYTES ((int64_t)1 << 30) /* a bigger "image" is a bad file */

typedef struct folder_source {
    sc_folder_index index;
    sc_image_transform transform;
    sc_decode_options decode;
} folder_source;

typedef struct folder_scratch {
    uint8_t *file; /* the encoded bytes of the current image */
    size_t file_capacity;
    sc_transform_scratch transform;
} folder_scratch;

static sc_status folder_scratch_create(const sc_source *src, void **scratch, sc_error *err) {
    (void)src;
    *scratch = calloc(1, sizeof(folder_scratch));
    if (!*scratch)
        return sc_fail(err, SC_ERR_OOM, "image folder: cannot allocate a worker's scratch");
    return SC_OK;
}

static void folder_scratch_free(void *scratch) {
    folder_scratch *s = scratch;
    if (!s)
        return;
    free(s->file);
    sc_transform_scratch_free(&s->transform);
    free(s);
}

sc_status sc_imagefolder_read_file(const char *path, uint8_t **buf, size_t *capacity,
                                   size_t *bytes, sc_error *err) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return sc_fail(err, SC_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    struct stat info;
    sc_status st = SC_OK;
    if (fstat(fileno(f), &info) != 0 || !S_ISREG(info.st_mode))
        st = sc_fail(err, SC_ERR_IO, "%s: not a regular file", path);
    else if (info.st_size == 0)
        st = sc_fail(err, SC_ERR_FORMAT, "%s: empty file (expected a JPEG, PNG or TIFF image)",
                     path);
    else if (info.st_size > FOLDER_MAX_FILE_BYTES)
        st = sc_fail(err, SC_ERR_FORMAT, "%s: %lld bytes, more than the %lld an image may have",
                     path, (long long)info.st_size, (long long)FOLDER_MAX_FILE_BYTES);
    size_t size = st == SC_OK ? (size_t)info.st_size : 0;
    if (st == SC_OK && size > *capacity) {
        uint8_t *grown = realloc(*buf, size);
        if (!grown)
            st = sc_fail(err, SC_ERR_OOM, "%s: cannot allocate %zu bytes to read it", path, size);
        else {
            *buf = grown;
            *capacity = size;
        }
    }
    if (st == SC_OK && fread(*buf, 1, size, f) != size)
        st = sc_fail(err, SC_ERR_IO, "%s: read failed: %s", path,
                     ferror(f) ? strerror(errno) : "the file shrank while reading");
    fclose(f);
    *bytes = size;
    return st;
}

static sc_status folder_read_sample(const sc_source *src, void *scratch,
                                    const sc_sample_request *req, float *dst, sc_error *err) {
    const folder_source *fs = src->impl;
    folder_scratch *s = scratch;
    char path[2048];
    sc_folder_index_path(&fs->index, req->index, path, sizeof path);
    size_t bytes = 0;
    SC_TRY(sc_imagefolder_read_file(path, &s->file, &s->file_capacity, &bytes, err));
    sc_status st = sc_image_load_sample(s->file, bytes, path, &fs->decode, &fs->transform,
                                        req->seed, req->epoch, (uint64_t)req->index,
                                        &s->transform, dst, err);
    if (st == SC_ERR_UNSUPPORTED) /* a listed extension this build cannot decode */
        st = SC_ERR_FORMAT;
    return st;
}

static const char *folder_sample_name(const sc_source *src, int64_t index, char *buf,
                                      size_t len) {
    const folder_source *fs = src->impl;
    return sc_folder_index_path(&fs->index, index, buf, len);
}

static void folder_close(sc_source *src) {
    folder_source *fs = src->impl;
    sc_folder_index_free(&fs->index);
    free(fs);
}

static const sc_source_ops k_folder_ops = {folder_scratch_create, folder_scratch_free,
                                           folder_read_sample, folder_sample_name, folder_close};

const sc_folder_index *sc_imagefolder_index_of(const sc_source *src) {
    if (!src || src->ops != &k_folder_ops)
        return NULL;
    return &((const folder_source *)src->impl)->index;
}

const sc_decode_options *sc_imagefolder_decode_options(const sc_source *src) {
    if (!src || src->ops != &k_folder_ops)
        return NULL;
    return &((const folder_source *)src->impl)->decode;
}

static sc_status setup_transform(const sc_reader *reader, const sc_data_request *req,
                                 sc_source *src, folder_source *fs, sc_error *err) {
    static const sc_data_config defaults = {0};
    const sc_data_config *data = req->data ? req->data : &defaults;
    int size = data->image_size > 0 ? data->image_size : 224;
    int resize = data->resize > 0 ? data->resize : (size * 256 + 112) / 224;
    int channels = data->channels > 0 ? data->channels : 3;
    if (channels != 1 && channels != 3)
        return sc_fail(err, SC_ERR_USAGE, "--channels %d, expected 1 or 3", channels);
    int train = req->train && !req->eval_transform;
    sc_image_transform_defaults(&fs->transform, train, size, resize, channels);
    fs->transform.hflip = train && req->augment.flip;
    SC_TRY(sc_reader_norm(reader, data, channels, src->mean, src->std, err));
    for (int c = 0; c < channels; c++) {
        fs->transform.mean[c] = src->mean[c];
        fs->transform.std[c] = src->std[c];
    }
    SC_TRY(sc_image_transform_validate(&fs->transform, err));
    fs->decode.channels = channels;
    fs->decode.max_pixels = data->max_pixels;
    src->channels = channels;
    src->height = size;
    src->width = size;
    return SC_OK;
}

sc_status sc_imagefolder_open(const sc_reader *reader, const sc_data_request *req,
                              sc_source **out, sc_error *err) {
    *out = NULL;
    sc_source *src = calloc(1, sizeof *src);
    folder_source *fs = calloc(1, sizeof *fs);
    if (!src || !fs) {
        free(src);
        free(fs);
        return sc_fail(err, SC_ERR_OOM, "image folder %s: cannot allocate a source", req->dir);
    }
    src->ops = &k_folder_ops;
    src->impl = fs;
    snprintf(src->name, sizeof src->name, "%s", reader->name);
    char root[1100];
    snprintf(root, sizeof root, "%s/%s", req->dir, req->train ? "train" : "val");
    int allow_empty = req->data && req->data->skip_bad;
    sc_status st = sc_folder_index_build(root, allow_empty, &fs->index, err);
    char other[1100];
    snprintf(other, sizeof other, "%s/%s", req->dir, req->train ? "val" : "train");
    if (st == SC_OK)
        st = sc_folder_check_classes(&fs->index, other, err);
    if (st == SC_OK)
        st = setup_transform(reader, req, src, fs, err);
    if (st != SC_OK) {
        sc_source_close(src);
        return st;
    }
    src->count = fs->index.count;
    src->num_classes = fs->index.num_classes;
    src->labels = fs->index.labels;
    src->class_names = fs->index.classes;
    *out = src;
    return SC_OK;
}
