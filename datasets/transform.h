/* torchvision-equivalent image transforms for image folders and PCam: one decoded image in,
 * one normalised float tensor (C, size, size) out.
 *
 *   train: RandomResizedCrop(size, scale, ratio) [+ RandomHorizontalFlip(p = 0.5)]
 *   eval:  Resize(resize) (shorter side; longer side int(resize * long / short)) + CenterCrop(size)
 *   then:  Normalize(mean, std) of pixel / 255.
 *
 * Resampling is torchvision's tensor path: bilinear with antialias=True (separable triangle
 * filter whose support is stretched by the downscale factor, align_corners=False, horizontal
 * pass then vertical), on float values. The result is kept in float (no rounding to uint8
 * between the resize and the normalisation), as torchvision gives on a float tensor.
 *
 * Randomness: every draw of a sample is a pure function of (seed, epoch, sample index):
 * Philox keyed by sc_rng_key_make(seed, epoch, SC_RNG_AUGMENT), elements
 * 32 * sample_index + k (k = 2a, 2a+1: scale and log-ratio of attempt a < 10; 20, 21: crop top
 * and left; 22: flip). The same sample therefore gets the same crop in any thread, with any
 * number of workers, and after a resume.
 *
 * Which function to call: a decode worker calls sc_image_load_sample (decode + transform, with
 * JPEGs DCT-scaled when the crop allows it). sc_image_transform_sample transforms an image that
 * is already decoded (PCam); sc_image_transform_apply applies a given crop box (tests). */
#ifndef SC_TRANSFORM_H
#define SC_TRANSFORM_H

#include <stdint.h>

#include "image.h"

typedef struct sc_image_transform {
    int train;  /* 1: RandomResizedCrop(size, scale, ratio) + horizontal flip p=0.5 (if hflip);
                   0: Resize(resize) + CenterCrop(size) */
    int size;   /* output side */
    int resize; /* eval: shorter side after Resize; 0 = no resize (CenterCrop only) */
    float scale_min, scale_max; /* RandomResizedCrop area fraction, torchvision (0.08, 1) */
    float ratio_min, ratio_max; /* RandomResizedCrop aspect ratio, torchvision (3/4, 4/3) */
    int hflip;    /* train: random horizontal flip with p = 0.5 */
    int channels; /* 1 or 3; the image must have this many */
    float mean[3], std[3];
} sc_image_transform;

/* The region of the source image that becomes the output, and the flip.
 * Train: the RandomResizedCrop box (top, left, height, width), resized to (size, size).
 * Eval: the whole image resized to (resized_height, resized_width), of which the window
 * (top, left, size, size) is kept (top/left negative or window past the edge: zero padding,
 * as torchvision's CenterCrop pads). */
typedef struct sc_crop_box {
    int top, left, height, width;
    int resized_height, resized_width; /* eval only */
    int flip;
} sc_crop_box;

/* Reusable per-thread buffers (resampling weights, the horizontal pass, the decoded image):
 * no allocation per sample once they have grown to the largest need. Zero-initialise. */
typedef struct sc_transform_scratch {
    sc_image decoded;
    float *weights;  /* filter taps of the rows then the columns */
    int *taps;       /* per output row/column: first source index, tap count */
    float *rows;     /* horizontal pass: (source rows, size, channels) */
    size_t weights_capacity, taps_capacity, rows_capacity;
} sc_transform_scratch;

void sc_transform_scratch_free(sc_transform_scratch *scratch);

/* torchvision defaults: train RandomResizedCrop(size, (0.08, 1), (3/4, 4/3)) + flip, or eval
 * Resize(resize) + CenterCrop(size); ImageNet mean/std (grey: their channel mean). */
void sc_image_transform_defaults(sc_image_transform *t, int train, int size, int resize,
                                 int channels);

/* Check a transform's fields; one line naming the bad one (the functions below check too). */
sc_status sc_image_transform_validate(const sc_image_transform *t, sc_error *err);

/* The crop box of sample `sample_index` for an image of the given full size. */
sc_crop_box sc_image_transform_draw(const sc_image_transform *t, int height, int width,
                                    uint64_t seed, uint64_t epoch, uint64_t sample_index);

/* Resize/crop/flip/normalise src by `box` (in src's pixel coordinates) into out (C, size, size). */
sc_status sc_image_transform_apply(const sc_image *src, const sc_image_transform *t,
                                   const sc_crop_box *box, sc_transform_scratch *scratch,
                                   float *out, sc_error *err);

/* Draw sample `sample_index`'s box for src and apply it: out (C, size, size). */
sc_status sc_image_transform_sample(const sc_image *src, const sc_image_transform *t,
                                    uint64_t seed, uint64_t epoch, uint64_t sample_index,
                                    sc_transform_scratch *scratch, float *out, sc_error *err);

/* Decode one encoded file and transform it: out (C, size, size). The box is drawn on the
 * file's full size (so the draws do not depend on the decode scale); a JPEG is then decoded
 * at the smallest n/8 scale that keeps the box at least `size` pixels on each side (eval: the
 * shorter side at least `resize`), and the box is mapped onto the decoded pixels.
 * opt gives max_pixels (0 = default); its channels must equal t->channels; its min_width and
 * min_height are ignored (computed here). */
sc_status sc_image_load_sample(const uint8_t *data, size_t bytes, const char *name,
                               const sc_decode_options *opt, const sc_image_transform *t,
                               uint64_t seed, uint64_t epoch, uint64_t sample_index,
                               sc_transform_scratch *scratch, float *out, sc_error *err);

#endif
