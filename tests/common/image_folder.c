/* Small generated image folders (see image_folder.h). */
#include "image_folder.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "host/core/rng.h"
#include "host/explain/png_write.h"

/* Sample i of class k: noise in [0, 64), a square of side size/3 at place k % 4 of a 2x2
 * grid (folded for more classes), bright in channel k % 3. */
static void draw_image(uint8_t *rgb, int size, int k, int64_t i, uint64_t seed) {
    sc_rng_key key = sc_rng_key_make(seed, (uint32_t)i, SC_RNG_TEST);
    int n = size * size * 3;
    for (int p = 0; p < n; p++)
        rgb[p] = (uint8_t)(sc_rng_u32(key, (uint64_t)p) & 63u);
    int side = size / 3 > 0 ? size / 3 : 1;
    int place = k % 4;
    int top = (place / 2) * (size - side), left = (place % 2) * (size - side);
    for (int y = top; y < top + side; y++)
        for (int x = left; x < left + side; x++)
            rgb[(y * size + x) * 3 + k % 3] = 255;
}

static int write_split(const char *dir, const char *split, int classes, int per_class,
                       int size, uint64_t seed) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, split);
    mkdir(path, 0755);
    uint8_t *rgb = malloc((size_t)size * size * 3);
    int rc = rgb ? 0 : 1;
    for (int k = 0; k < classes && rc == 0; k++) {
        snprintf(path, sizeof path, "%s/%s/class_%d", dir, split, k);
        mkdir(path, 0755);
        for (int i = 0; i < per_class && rc == 0; i++) {
            draw_image(rgb, size, k, (int64_t)k * 1000 + i + (split[0] == 'v' ? 500 : 0), seed);
            snprintf(path, sizeof path, "%s/%s/class_%d/img_%d.png", dir, split, k, i);
            sc_error err;
            rc = sc_png_write_rgb(path, rgb, size, size, &err) == SC_OK ? 0 : 1;
        }
    }
    free(rgb);
    return rc;
}

int sc_test_write_image_folder(const char *dir, int classes, int train_per_class,
                               int val_per_class, int size, uint64_t seed) {
    if (write_split(dir, "train", classes, train_per_class, size, seed) != 0)
        return 1;
    return write_split(dir, "val", classes, val_per_class, size, seed);
}

int sc_test_write_bytes(const char *path, const void *data, size_t bytes) {
    FILE *f = fopen(path, "wb");
    if (!f)
        return 1;
    size_t wrote = fwrite(data, 1, bytes, f);
    return (fclose(f) != 0 || wrote != bytes) ? 1 : 0;
}
