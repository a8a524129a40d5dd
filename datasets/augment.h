/* Training-time augmentation and normalisation of one image: random crop with zero padding
 * (torchvision RandomCrop(size, padding=p): pad with pixel value 0, then crop a window at a
 * uniform offset in [0, 2p] x [0, 2p]), then random horizontal flip (p = 0.5), then
 * normalisation to float: (pixel / 255 - mean_c) / std_c, layout (C, H, W).
 *
 * The random choices of a sample are a pure function of (seed, global step, position of the
 * sample in its batch): Philox keyed by sc_rng_key_make(seed, global_step, SC_RNG_AUGMENT),
 * block `position` (words 0, 1: crop offsets y, x; word 2: flip). A resumed run therefore
 * draws exactly what the uninterrupted run drew. */
#ifndef SC_AUGMENT_H
#define SC_AUGMENT_H

#include <stdint.h>

#include "dataset.h"

typedef struct sc_augment_config {
    int crop_padding; /* random crop with this much zero padding on each side; 0 = no crop */
    int flip;         /* 1 = random horizontal flip with p = 0.5 */
} sc_augment_config;

/* The random choices for one sample. */
typedef struct sc_augment_draw {
    int offset_y; /* crop window's top row in the padded image, in [0, 2 * crop_padding] */
    int offset_x; /* crop window's left column in the padded image */
    int flip;     /* 1 = mirror left-right */
} sc_augment_draw;

sc_augment_draw sc_augment_draw_sample(const sc_augment_config *cfg, uint64_t seed,
                                       uint64_t global_step, int64_t position);

/* Normalisation lookup: value[c][p] = ((float)p / 255 - mean[c]) / std[c], the float32
 * arithmetic of torchvision's ToTensor + Normalize. */
typedef struct sc_normalizer {
    int channels;
    float value[SC_DATASET_MAX_CHANNELS][256];
} sc_normalizer;

void sc_normalizer_init(sc_normalizer *norm, int channels, const float *mean, const float *std);

/* Crop (with padding `crop_padding`), flip and normalise one image.
 * src (C, H, W) uint8, dst (C, H, W) float; C = norm->channels. */
void sc_augment_image(const uint8_t *src, int height, int width, int crop_padding,
                      const sc_augment_draw *draw, const sc_normalizer *norm, float *dst);

#endif
