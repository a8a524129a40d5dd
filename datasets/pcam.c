/* The PatchCamelyon sample source (see pcam.h): HDF5 files opened once, labels read at open,
 * one image read per sample through a hyperslab under the source's mutex. */
#include <hdf5.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcam.h"
#include "transform.h"

#define PCAM_CHUNK_CACHE ((size_t)32 << 20) /* bytes of decompressed chunks kept per split */

typedef struct pcam_source {
    char x_path[1100], y_path[1100];
    hid_t x_file, x_set, x_space; /* guarded by mutex once the source is open */
    pthread_mutex_t mutex;
    int32_t *labels;
    sc_image_transform transform; /* eval mode: Resize(size) of the whole patch */
} pcam_source;

typedef struct pcam_scratch {
    sc_image patch; /* (96, 96, 3) */
    sc_transform_scratch transform;
} pcam_scratch;

/* Open `path` and its dataset `name`; check it is a uint8 array of `rank` dimensions whose
 * trailing dimensions are `tail`; *count = its first dimension. */
static sc_status open_array(const char *path, const char *name, int rank, const hsize_t *tail,
                            hid_t *file, hid_t *set, hsize_t *count, sc_error *err) {
    *file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (*file < 0)
        return sc_fail(err, SC_ERR_IO, "%s: cannot open as an HDF5 file", path);
    /* a chunk cache of PCAM_CHUNK_CACHE bytes: chunks holding several patches (compressed
     * files) are not decompressed again for every patch read from them */
    hid_t access = H5Pcreate(H5P_DATASET_ACCESS);
    H5Pset_chunk_cache(access, 12421, PCAM_CHUNK_CACHE, 1.0);
    *set = H5Dopen2(*file, name, access);
    H5Pclose(access);
    if (*set < 0)
        return sc_fail(err, SC_ERR_FORMAT, "%s: no dataset '%s' (expected PatchCamelyon's "
                       "official layout)", path, name);
    hid_t type = H5Dget_type(*set);
    int is_u8 = H5Tget_class(type) == H5T_INTEGER && H5Tget_size(type) == 1 &&
                H5Tget_sign(type) == H5T_SGN_NONE;
    H5Tclose(type);
    if (!is_u8)
        return sc_fail(err, SC_ERR_FORMAT, "%s: dataset '%s' is not of type uint8", path, name);
    hid_t space = H5Dget_space(*set);
    hsize_t dims[8] = {0};
    int got = H5Sget_simple_extent_ndims(space);
    if (got == rank)
        H5Sget_simple_extent_dims(space, dims, NULL);
    H5Sclose(space);
    int ok = got == rank && dims[0] > 0;
    for (int d = 1; d < rank && ok; d++)
        ok = dims[d] == tail[d - 1];
    if (!ok) {
        if (rank == 4 && tail[0] == SC_PCAM_SIDE)
            return sc_fail(err, SC_ERR_FORMAT, "%s: dataset '%s' has %d dimensions (%llu x ...), "
                           "expected N x 96 x 96 x 3", path, name, got,
                           (unsigned long long)dims[0]);
        return sc_fail(err, SC_ERR_FORMAT, "%s: dataset '%s' has %d dimensions, expected "
                       "N x 1 x 1 x 1", path, name, got);
    }
    *count = dims[0];
    return SC_OK;
}

static void close_ids(hid_t file, hid_t set) {
    if (set >= 0)
        H5Dclose(set);
    if (file >= 0)
        H5Fclose(file);
}

static sc_status read_labels(pcam_source *p, hsize_t images, sc_error *err) {
    static const hsize_t ones[3] = {1, 1, 1};
    hid_t file = -1, set = -1;
    hsize_t count = 0;
    sc_status st = open_array(p->y_path, "y", 4, ones, &file, &set, &count, err);
    uint8_t *bytes = NULL;
    if (st == SC_OK && count != images)
        st = sc_fail(err, SC_ERR_FORMAT, "%s has %llu labels but %s has %llu images", p->y_path,
                     (unsigned long long)count, p->x_path, (unsigned long long)images);
    if (st == SC_OK && count > INT32_MAX)
        st = sc_fail(err, SC_ERR_FORMAT, "%s: %llu samples, at most %d are supported",
                     p->y_path, (unsigned long long)count, INT32_MAX);
    if (st == SC_OK) {
        bytes = malloc((size_t)count);
        p->labels = malloc((size_t)count * sizeof *p->labels);
        if (!bytes || !p->labels)
            st = sc_fail(err, SC_ERR_OOM, "%s: cannot allocate %llu labels", p->y_path,
                         (unsigned long long)count);
    }
    if (st == SC_OK && H5Dread(set, H5T_NATIVE_UINT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, bytes) < 0)
        st = sc_fail(err, SC_ERR_FORMAT, "%s: cannot read dataset 'y'", p->y_path);
    for (hsize_t i = 0; st == SC_OK && i < count; i++) {
        if (bytes[i] > 1)
            st = sc_fail(err, SC_ERR_FORMAT, "%s: label %u of sample %llu, expected 0 or 1",
                         p->y_path, (unsigned)bytes[i], (unsigned long long)i);
        else
            p->labels[i] = bytes[i];
    }
    free(bytes);
    close_ids(file, set);
    return st;
}

static sc_status pcam_scratch_create(const sc_source *src, void **scratch, sc_error *err) {
    (void)src;
    pcam_scratch *s = calloc(1, sizeof *s);
    *scratch = s;
    if (!s)
        return sc_fail(err, SC_ERR_OOM, "pcam: cannot allocate a worker's scratch");
    return sc_image_reserve(&s->patch, SC_PCAM_SIDE, SC_PCAM_SIDE, 3, err);
}

static void pcam_scratch_free(void *scratch) {
    pcam_scratch *s = scratch;
    if (!s)
        return;
    sc_image_free(&s->patch);
    sc_transform_scratch_free(&s->transform);
    free(s);
}

static sc_status read_patch(pcam_source *p, int64_t index, uint8_t *pixels, sc_error *err) {
    hsize_t start[4] = {(hsize_t)index, 0, 0, 0};
    hsize_t count[4] = {1, SC_PCAM_SIDE, SC_PCAM_SIDE, 3};
    pthread_mutex_lock(&p->mutex);
    hid_t memory = H5Screate_simple(4, count, NULL);
    herr_t rc = H5Sselect_hyperslab(p->x_space, H5S_SELECT_SET, start, NULL, count, NULL);
    if (rc >= 0)
        rc = H5Dread(p->x_set, H5T_NATIVE_UINT8, memory, p->x_space, H5P_DEFAULT, pixels);
    H5Sclose(memory);
    pthread_mutex_unlock(&p->mutex);
    if (rc < 0)
        return sc_fail(err, SC_ERR_IO, "%s: cannot read image %lld of dataset 'x'", p->x_path,
                       (long long)index);
    return SC_OK;
}

static sc_status pcam_read_sample(const sc_source *src, void *scratch,
                                  const sc_sample_request *req, float *dst, sc_error *err) {
    pcam_source *p = src->impl;
    pcam_scratch *s = scratch;
    SC_TRY(read_patch(p, req->index, s->patch.pixels, err));
    /* The flip drawn as transform.h draws it; the box is always the whole patch. */
    sc_crop_box drawn = sc_image_transform_draw(&p->transform, SC_PCAM_SIDE, SC_PCAM_SIDE,
                                                req->seed, req->epoch, (uint64_t)req->index);
    sc_crop_box box = {0, 0, SC_PCAM_SIDE, SC_PCAM_SIDE, 0, 0, drawn.flip};
    return sc_image_transform_apply(&s->patch, &p->transform, &box, &s->transform, dst, err);
}

static const char *pcam_sample_name(const sc_source *src, int64_t index, char *buf,
                                    size_t len) {
    const pcam_source *p = src->impl;
    snprintf(buf, len, "%s image %lld", p->x_path, (long long)index);
    return buf;
}

static void pcam_close(sc_source *src) {
    pcam_source *p = src->impl;
    if (p->x_space >= 0)
        H5Sclose(p->x_space);
    close_ids(p->x_file, p->x_set);
    pthread_mutex_destroy(&p->mutex);
    free(p->labels);
    free(p);
}

static const sc_source_ops k_pcam_ops = {pcam_scratch_create, pcam_scratch_free,
                                         pcam_read_sample, pcam_sample_name, pcam_close};

static sc_status setup(const sc_reader *reader, const sc_data_request *req, sc_source *src,
                       pcam_source *p, sc_error *err) {
    static const sc_data_config defaults = {0};
    const sc_data_config *data = req->data ? req->data : &defaults;
    const char *split = req->train ? "train" : data->pcam_eval_test ? "test" : "valid";
    snprintf(p->x_path, sizeof p->x_path, "%s/camelyonpatch_level_2_split_%s_x.h5", req->dir,
             split);
    snprintf(p->y_path, sizeof p->y_path, "%s/camelyonpatch_level_2_split_%s_y.h5", req->dir,
             split);
    if (data->channels != 0 && data->channels != 3)
        return sc_fail(err, SC_ERR_USAGE, "--dataset pcam has 3 channels, not --channels %d",
                       data->channels);
    int size = data->image_size > 0 ? data->image_size : SC_PCAM_SIDE;
    /* "train" mode with a whole-patch box: Resize(size), then the flip when hflip is set. */
    sc_image_transform_defaults(&p->transform, 1, size, size, 3);
    p->transform.hflip = req->train && !req->eval_transform && req->augment.flip;
    SC_TRY(sc_reader_norm(reader, data, 3, src->mean, src->std, err));
    memcpy(p->transform.mean, src->mean, sizeof p->transform.mean);
    memcpy(p->transform.std, src->std, sizeof p->transform.std);
    SC_TRY(sc_image_transform_validate(&p->transform, err));
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL); /* errors are reported as sc_error lines */
    static const hsize_t patch[3] = {SC_PCAM_SIDE, SC_PCAM_SIDE, 3};
    hsize_t count = 0;
    SC_TRY(open_array(p->x_path, "x", 4, patch, &p->x_file, &p->x_set, &count, err));
    p->x_space = H5Dget_space(p->x_set);
    SC_TRY(read_labels(p, count, err));
    src->count = (int64_t)count;
    src->channels = 3;
    src->height = size;
    src->width = size;
    src->num_classes = 2;
    src->labels = p->labels;
    return SC_OK;
}

sc_status sc_pcam_open(const sc_reader *reader, const sc_data_request *req, sc_source **out,
                       sc_error *err) {
    *out = NULL;
    sc_source *src = calloc(1, sizeof *src);
    pcam_source *p = calloc(1, sizeof *p);
    if (!src || !p) {
        free(src);
        free(p);
        return sc_fail(err, SC_ERR_OOM, "pcam %s: cannot allocate a source", req->dir);
    }
    p->x_file = p->x_set = p->x_space = -1;
    pthread_mutex_init(&p->mutex, NULL);
    src->ops = &k_pcam_ops;
    src->impl = p;
    snprintf(src->name, sizeof src->name, "%s", reader->name);
    sc_status st = setup(reader, req, src, p, err);
    if (st != SC_OK) {
        sc_source_close(src);
        return st;
    }
    *out = src;
    return SC_OK;
}

const char *sc_pcam_build_info(void) {
    return "yes (" H5_VERS_INFO ")";
}
