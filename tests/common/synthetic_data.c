/* Synthetic separable IDX data for end-to-end tests (see synthetic_data.h). */
#include "synthetic_data.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/core/rng.h"

void sc_synthetic_image(uint64_t seed, int64_t i, int classes, int size, uint8_t *pixels) {
    sc_rng_key key = sc_rng_key_make(seed, (uint32_t)i, SC_RNG_TEST);
    int label = (int)(i % classes);
    int grid = 1;
    while (grid * grid < classes)
        grid++;
    int cell = size / grid;
    int cy = (label / grid) * cell, cx = (label % grid) * cell;
    for (int y = 0; y < size; y++)
        for (int x = 0; x < size; x++) {
            int inside = y >= cy && y < cy + cell && x >= cx && x < cx + cell;
            float noise = sc_rng_uniform(key, (uint64_t)(y * size + x));
            float v = inside ? 150.0f + 100.0f * noise : 90.0f * noise;
            pixels[y * size + x] = (uint8_t)v;
        }
}

static void put_be32(FILE *f, uint32_t v) {
    unsigned char b[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 8), (unsigned char)v};
    fwrite(b, 1, 4, f);
}

static int write_split(const char *dir, const char *images_name, const char *labels_name,
                       int64_t first, int64_t n, int classes, int size, uint64_t seed) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, images_name);
    FILE *fi = fopen(path, "wb");
    snprintf(path, sizeof path, "%s/%s", dir, labels_name);
    FILE *fl = fopen(path, "wb");
    uint8_t *pixels = malloc((size_t)size * (size_t)size);
    int ok = fi && fl && pixels;
    if (ok) {
        put_be32(fi, 0x00000803u);
        put_be32(fi, (uint32_t)n);
        put_be32(fi, (uint32_t)size);
        put_be32(fi, (uint32_t)size);
        put_be32(fl, 0x00000801u);
        put_be32(fl, (uint32_t)n);
        for (int64_t i = first; i < first + n; i++) {
            sc_synthetic_image(seed, i, classes, size, pixels);
            fwrite(pixels, 1, (size_t)size * (size_t)size, fi);
            unsigned char label = (unsigned char)(i % classes);
            fwrite(&label, 1, 1, fl);
        }
    }
    free(pixels);
    if (fi && fclose(fi) != 0)
        ok = 0;
    if (fl && fclose(fl) != 0)
        ok = 0;
    return ok ? 0 : -1;
}

int sc_synthetic_write_idx(const char *dir, int64_t n_train, int64_t n_test, int classes,
                           int size, uint64_t seed) {
    if (write_split(dir, "train-images-idx3-ubyte", "train-labels-idx1-ubyte", 0, n_train,
                    classes, size, seed) != 0)
        return -1;
    return write_split(dir, "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", n_train, n_test,
                       classes, size, seed);
}

void sc_synthetic_train_config(sc_train_config *cfg, const char *data_dir, const char *out_dir,
                               uint64_t seed) {
    sc_train_config_default(cfg);
    snprintf(cfg->dataset, sizeof cfg->dataset, "mnist");
    snprintf(cfg->data_dir, sizeof cfg->data_dir, "%s", data_dir);
    snprintf(cfg->out_dir, sizeof cfg->out_dir, "%s", out_dir);
    snprintf(cfg->device, sizeof cfg->device, "cpu");
    snprintf(cfg->model, sizeof cfg->model, "resnet8");
    cfg->batch = 32;
    cfg->eval_batch = 64;
    cfg->lr = 0.05f;
    cfg->seed = seed;
    sc_train_config_resolve(cfg, 28);
}

int sc_stop_after_steps(void *stop_after) {
    sc_stop_after *s = stop_after;
    return s->calls++ >= s->limit;
}

sc_checkpoint_meta sc_synthetic_checkpoint_meta(int classes, int size, const char *mode) {
    sc_checkpoint_meta meta;
    memset(&meta, 0, sizeof meta);
    meta.model = (sc_model_spec){"resnet8", "cifar", 1, classes, size, size};
    snprintf(meta.dataset, sizeof meta.dataset, "mnist");
    if (mode)
        snprintf(meta.mode, sizeof meta.mode, "%s", mode);
    meta.norm_channels = 1;
    meta.norm_mean[0] = 0.1307f;
    meta.norm_std[0] = 0.3081f;
    return meta;
}
