/* The table of dataset readers (see registry.h) and the loading-by-name functions of
 * dataset.h answered from it. */
#include "registry.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cifar.h"
#include "idx.h"
#include "imagefolder.h"
#include "pcam.h"

static sc_status load_fashion_mnist(const char *dir, int train, sc_dataset *out, sc_error *err) {
    return sc_idx_load(dir, train, "fashion-mnist", out, err);
}

static sc_status load_mnist(const char *dir, int train, sc_dataset *out, sc_error *err) {
    return sc_idx_load(dir, train, "mnist", out, err);
}

static sc_status open_in_memory(const sc_reader *reader, const sc_data_request *req,
                                sc_source **out, sc_error *err);

#define IMAGENET_MEAN {0.485f, 0.456f, 0.406f}
#define IMAGENET_STD {0.229f, 0.224f, 0.225f}

static const sc_reader k_readers[] = {
    {"fashion-mnist", "/usr/share/datasets/fashion-mnist", open_in_memory, load_fashion_mnist,
     1, {0.2860f}, {0.3530f}},
    {"mnist", "/usr/share/datasets/mnist", open_in_memory, load_mnist, 1, {0.1307f},
     {0.3081f}},
    {"cifar10", "./data/cifar-10-batches-bin", open_in_memory, sc_cifar10_load, 3,
     {0.4914f, 0.4822f, 0.4465f}, {0.2470f, 0.2435f, 0.2616f}},
    {"cifar100", "./data/cifar-100-binary", open_in_memory, sc_cifar100_load, 3,
     {0.5071f, 0.4865f, 0.4409f}, {0.2673f, 0.2564f, 0.2762f}},
    {"imagefolder", "./data/imagefolder", sc_imagefolder_open, NULL, 3, IMAGENET_MEAN,
     IMAGENET_STD},
    {"pcam", "./data/pcam", sc_pcam_open, NULL, 3, IMAGENET_MEAN, IMAGENET_STD},
};

#define READER_COUNT ((int)(sizeof k_readers / sizeof k_readers[0]))

const sc_reader *sc_reader_find(const char *name) {
    if (!name)
        return NULL;
    for (int i = 0; i < READER_COUNT; i++)
        if (strcmp(k_readers[i].name, name) == 0)
            return &k_readers[i];
    return NULL;
}

const char *sc_reader_names(void) {
    return "fashion-mnist, mnist, cifar10, cifar100, imagefolder or pcam";
}

static sc_status unknown_dataset(const char *name, sc_error *err) {
    return sc_fail(err, SC_ERR_USAGE, "unknown dataset '%s' (expected %s)",
                   name ? name : "(null)", sc_reader_names());
}

sc_status sc_reader_norm(const sc_reader *reader, const sc_data_config *data, int channels,
                         float *mean, float *std, sc_error *err) {
    for (int c = 0; c < SC_DATASET_MAX_CHANNELS; c++) {
        mean[c] = 0.0f;
        std[c] = 1.0f;
    }
    if (data && data->norm_channels > 0) {
        if (data->norm_channels != channels)
            return sc_fail(err, SC_ERR_USAGE, "%s: --norm-mean/--norm-std give %d values, the "
                           "images have %d channels", reader->name, data->norm_channels,
                           channels);
        for (int c = 0; c < channels; c++) {
            if (!(data->norm_std[c] > 0.0f))
                return sc_fail(err, SC_ERR_USAGE, "%s: --norm-std value %g of channel %d, "
                               "expected a positive number", reader->name,
                               (double)data->norm_std[c], c);
            mean[c] = data->norm_mean[c];
            std[c] = data->norm_std[c];
        }
        return SC_OK;
    }
    if (channels == reader->channels) {
        memcpy(mean, reader->mean, (size_t)channels * sizeof *mean);
        memcpy(std, reader->std, (size_t)channels * sizeof *std);
    } else if (channels == 1 && reader->channels == 3) { /* grey: the channels' mean */
        mean[0] = (reader->mean[0] + reader->mean[1] + reader->mean[2]) / 3.0f;
        std[0] = (reader->std[0] + reader->std[1] + reader->std[2]) / 3.0f;
    } else {
        return sc_fail(err, SC_ERR_FORMAT, "dataset %s: images have %d channels, expected %d",
                       reader->name, channels, reader->channels);
    }
    return SC_OK;
}

int sc_data_workers(const sc_data_config *data) {
    if (data && data->workers > 0)
        return data->workers;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    return cores > 0 ? (int)cores : 1;
}

void sc_data_config_write_json(const sc_data_config *data, sc_json_writer *w) {
    sc_json_field_int(w, "image_size", data->image_size);
    sc_json_field_int(w, "resize", data->resize);
    sc_json_field_int(w, "image_channels", data->channels);
    sc_json_field_int(w, "workers", data->workers);
    sc_json_field_string(w, "on_bad_image", data->skip_bad ? "skip" : "error");
    sc_json_field_string(w, "pcam_eval", data->pcam_eval_test ? "test" : "valid");
}

static const char *dir_of(const sc_reader *reader, const char *dir) {
    return dir && dir[0] ? dir : reader->default_dir;
}

static sc_status open_in_memory(const sc_reader *reader, const sc_data_request *req,
                                sc_source **out, sc_error *err) {
    sc_dataset ds;
    SC_TRY(reader->load(dir_of(reader, req->dir), req->train, &ds, err));
    sc_status st = sc_reader_norm(reader, req->data, ds.channels, ds.mean, ds.std, err);
    if (st != SC_OK) {
        sc_dataset_free(&ds);
        return st;
    }
    static const sc_augment_config none = {0, 0};
    int augmented = req->train && !req->eval_transform;
    return sc_source_own_dataset(&ds, augmented ? &req->augment : &none, out, err);
}

sc_status sc_source_open(const char *name, const sc_data_request *req, sc_source **out,
                         sc_error *err) {
    *out = NULL;
    const sc_reader *reader = sc_reader_find(name);
    if (!reader)
        return unknown_dataset(name, err);
    sc_data_request resolved = *req;
    resolved.dir = dir_of(reader, req->dir);
    return reader->open(reader, &resolved, out, err);
}

const char *sc_dataset_default_dir(const char *name) {
    const sc_reader *reader = sc_reader_find(name);
    return reader ? reader->default_dir : NULL;
}

sc_status sc_dataset_set_standard_norm(sc_dataset *ds, sc_error *err) {
    const sc_reader *reader = sc_reader_find(ds->name);
    if (!reader)
        return sc_fail(err, SC_ERR_USAGE, "dataset '%s' has no standard normalisation", ds->name);
    if (reader->channels != ds->channels)
        return sc_fail(err, SC_ERR_FORMAT, "dataset %s: images have %d channels, expected %d",
                       ds->name, ds->channels, reader->channels);
    return sc_reader_norm(reader, NULL, ds->channels, ds->mean, ds->std, err);
}

sc_status sc_dataset_load(const char *name, const char *dir, int train, sc_dataset *out,
                          sc_error *err) {
    memset(out, 0, sizeof *out);
    const sc_reader *reader = sc_reader_find(name);
    if (!reader)
        return unknown_dataset(name, err);
    if (!reader->load)
        return sc_fail(err, SC_ERR_USAGE, "dataset %s is read image by image, not loaded into "
                       "memory (this command supports fashion-mnist, mnist, cifar10 and "
                       "cifar100)", name);
    sc_status st = reader->load(dir_of(reader, dir), train, out, err);
    if (st == SC_OK)
        st = sc_dataset_set_standard_norm(out, err);
    if (st != SC_OK)
        sc_dataset_free(out);
    return st;
}
