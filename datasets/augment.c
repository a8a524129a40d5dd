/* Crop with zero padding, horizontal flip and normalisation of one image (see augment.h). */
#include "augment.h"

#include <stddef.h>

#include "host/core/rng.h"

sc_augment_draw sc_augment_draw_sample(const sc_augment_config *cfg, uint64_t seed,
                                       uint64_t global_step, int64_t position) {
    /* The step is 32 bits in the Philox counter: 4 billion steps are never reached. */
    sc_rng_key key = sc_rng_key_make(seed, (uint32_t)global_step, SC_RNG_AUGMENT);
    uint64_t first = 4u * (uint64_t)position; /* block `position`: words 0..3 */
    sc_augment_draw draw = {0, 0, 0};
    if (cfg->crop_padding > 0) {
        uint32_t offsets = 2u * (uint32_t)cfg->crop_padding + 1u;
        draw.offset_y = (int)sc_rng_below(key, first + 0, offsets);
        draw.offset_x = (int)sc_rng_below(key, first + 1, offsets);
    }
    if (cfg->flip)
        draw.flip = (int)sc_rng_below(key, first + 2, 2);
    return draw;
}

void sc_normalizer_init(sc_normalizer *norm, int channels, const float *mean, const float *std) {
    norm->channels = channels;
    for (int c = 0; c < channels; c++)
        for (int p = 0; p < 256; p++)
            norm->value[c][p] = ((float)p / 255.0f - mean[c]) / std[c];
}

void sc_augment_image(const uint8_t *src, int height, int width, int crop_padding,
                      const sc_augment_draw *draw, const sc_normalizer *norm, float *dst) {
    /* Output pixel (y, x) is padded(y + offset_y, x' + offset_x) with x' = W-1-x when flipped,
     * i.e. src(y + offset_y - pad, x' + offset_x - pad), or 0 outside the source. */
    int shift_y = draw->offset_y - crop_padding;
    int shift_x = draw->offset_x - crop_padding;
    for (int c = 0; c < norm->channels; c++) {
        const float *value = norm->value[c];
        const uint8_t *plane = src + (size_t)c * height * width; /* (H, W) */
        float *out = dst + (size_t)c * height * width;           /* (H, W) */
        for (int y = 0; y < height; y++) {
            int sy = y + shift_y;
            float *out_row = out + (size_t)y * width;
            if (sy < 0 || sy >= height) {
                for (int x = 0; x < width; x++)
                    out_row[x] = value[0];
                continue;
            }
            const uint8_t *row = plane + (size_t)sy * width;
            for (int x = 0; x < width; x++) {
                int sx = (draw->flip ? width - 1 - x : x) + shift_x;
                out_row[x] = (sx >= 0 && sx < width) ? value[row[sx]] : value[0];
            }
        }
    }
}
