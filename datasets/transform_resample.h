/* Internal: the antialiased bilinear resample + crop + flip + normalise kernel behind
 * transform.c, in torchvision's formulation (see transform_resample.c). */
#ifndef SC_TRANSFORM_RESAMPLE_H
#define SC_TRANSFORM_RESAMPLE_H

#include "transform.h"

/* One axis of a resample: source region [start, start + length) (float, in source pixels;
 * taps clamped to [lo, hi)) stretched onto out_full output pixels, of which the window
 * [window_start, window_start + window_length) is written; window pixels outside
 * [0, out_full) are zero padding. */
typedef struct sc_resample_axis {
    double start, length;
    int lo, hi;
    int out_full;
    int window_start, window_length;
} sc_resample_axis;

/* src (H, W, C) uint8 -> out (C, rows.window_length, cols.window_length) float:
 * (resampled / 255 - mean) / std, mirrored left-right when flip. */
sc_status sc_resample_normalise(const sc_image *src, const sc_resample_axis *rows,
                                const sc_resample_axis *cols, int flip,
                                const sc_image_transform *t, sc_transform_scratch *scratch,
                                float *out, sc_error *err);

#endif
