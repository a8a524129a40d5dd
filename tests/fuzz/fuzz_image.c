/* Fuzz harness of the image decoders (datasets/image.h): JPEG, PNG and TIFF from memory,
 * through libjpeg, libpng and libtiff and the engine's conversions to grey or RGB.
 *
 * Input: byte 0 holds the options: bit 0 decodes to 1 channel (else 3), bits 1..2 pick the
 * smallest size a JPEG may be scaled down to (full size, 1, 8 or 17 pixels); the rest is the
 * file. The file is probed, then decoded twice into one sc_image (the second time to the other
 * channel count, so the reused buffer is exercised). An accepted image must have the probed
 * size (or, scaled, a size between the minimum and the full size), the channels asked for,
 * at most the pixel limit, and every byte readable. Images are limited to 2^16 pixels, so
 * a claimed huge size is refused quickly instead of decoded. */
#include <dirent.h>
#include <stdio.h>
#include <string.h>

#include "datasets/image.h"
#include "fuzz_target.h"

#define HARNESS "image"
#define MAX_PIXELS ((int64_t)1 << 16)

static void check_decoded(const sc_image *img, int channels, int probed_h, int probed_w,
                          int min_side) {
    if (img->channels != channels || img->height < 1 || img->width < 1 ||
        (int64_t)img->height * img->width > MAX_PIXELS ||
        img->capacity < (size_t)img->height * (size_t)img->width * (size_t)channels)
        sc_fuzz_fail(HARNESS, "decoded %dx%dx%d (capacity %zu), asked for %d channels",
                     img->height, img->width, img->channels, img->capacity, channels);
    int full = img->height == probed_h && img->width == probed_w;
    int scaled = img->height <= probed_h && img->width <= probed_w &&
                 (img->height >= min_side || img->height == probed_h) &&
                 (img->width >= min_side || img->width == probed_w);
    if (!(min_side == 0 ? full : scaled))
        sc_fuzz_fail(HARNESS, "decoded %dx%d, the header says %dx%d (smallest side allowed %d)",
                     img->height, img->width, probed_h, probed_w, min_side);
    sc_fuzz_touch(img->pixels, (size_t)img->height * (size_t)img->width * (size_t)channels);
}

static int run(const uint8_t *data, size_t size) {
    if (size < 1)
        return 0;
    static const int min_sides[4] = {0, 1, 8, 17};
    int channels = data[0] & 1 ? 1 : 3;
    int min_side = min_sides[(data[0] >> 1) & 3];
    const uint8_t *file = data + 1;
    size_t file_len = size - 1;
    sc_error err = {0};
    sc_image_format format = SC_IMAGE_UNKNOWN;
    int probed_h = 0, probed_w = 0;
    sc_status probe = sc_image_probe(file, file_len, "fuzz.image", &format, &probed_h, &probed_w,
                                     &err);
    if (probe != SC_OK)
        sc_fuzz_refused(HARNESS, probe, &err);
    else if (probed_h < 1 || probed_w < 1 || format != sc_image_format_of(file, file_len))
        sc_fuzz_fail(HARNESS, "probed %dx%d, format %d", probed_h, probed_w, (int)format);

    sc_image img = {0};
    int accepted = 1;
    for (int pass = 0; pass < 2; pass++) {
        sc_decode_options opt = {channels, MAX_PIXELS, min_side, min_side};
        sc_status st = sc_image_decode(file, file_len, "fuzz.image", &opt, &img, &err);
        if (st != SC_OK) {
            accepted = sc_fuzz_refused(HARNESS, st, &err);
        } else {
            if (probe != SC_OK)
                sc_fuzz_fail(HARNESS, "decoded an image whose header the probe refused");
            check_decoded(&img, channels, probed_h, probed_w, min_side);
        }
        channels = 4 - channels;
    }
    sc_image_free(&img);
    return accepted;
}

/* ---- seeds: the decoder tests' fixtures (tests/fixtures/images) in formats this build has ---- */

static int write_seeds(sc_fuzz_emit_fn emit, void *ctx) {
    const char *dir = SCAAT_SOURCE_DIR "/tests/fixtures/images";
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "fuzz %s: cannot read %s\n", HARNESS, dir);
        return -1;
    }
    int rc = 0;
    for (struct dirent *e; rc == 0 && (e = readdir(d)) != NULL;) {
        if (e->d_name[0] == '.')
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        uint8_t seed[4096];
        FILE *f = fopen(path, "rb");
        size_t len = f ? fread(seed + 1, 1, sizeof seed - 1, f) : 0;
        if (!f || ferror(f) || !feof(f))
            rc = -1;
        if (f)
            fclose(f);
        if (rc != 0) {
            fprintf(stderr, "fuzz %s: cannot read %s (or it is over %zu bytes)\n", HARNESS, path,
                    sizeof seed - 1);
            break;
        }
        if (!sc_image_format_available(sc_image_format_of(seed + 1, len)))
            continue;
        for (uint8_t options = 0; options < 2 && rc == 0; options++) { /* 3 and 1 channels */
            char name[300];
            snprintf(name, sizeof name, "%s-%dch", e->d_name, options ? 1 : 3);
            seed[0] = options;
            rc = emit(ctx, name, seed, len + 1);
        }
    }
    closedir(d);
    return rc;
}

const sc_fuzz_target sc_fuzz_target_image = {HARNESS, 4096, run, write_seeds};
