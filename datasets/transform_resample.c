/* Antialiased bilinear resampling as torchvision's tensor path (torch's
 * _upsample_bilinear2d_aa, align_corners=False), restricted to an output window, followed by
 * the horizontal flip and the normalisation.
 *
 * For output pixel i of an axis stretching `length` source pixels onto `out_full` pixels:
 *   scale = length / out_full, support = max(scale, 1), center = start + scale (i + 0.5),
 *   taps j in [max(floor(center - support + 0.5), lo), min(floor(center + support + 0.5), hi)),
 *   weight(j) = triangle((j - center + 0.5) / max(scale, 1)), normalised to sum 1,
 *   triangle(x) = max(0, 1 - |x|).
 * Horizontal pass first (over the source rows the vertical taps need), then vertical, in float. */
#include "transform_resample.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Grow a scratch buffer to hold `count` elements of `size` bytes. */
static sc_status scratch_grow(void **buffer, size_t *capacity, size_t count, size_t size, sc_error *err) {
    if (count <= *capacity)
        return SC_OK;
    void *grown = realloc(*buffer, count * size);
    if (grown == NULL)
        return sc_fail(err, SC_ERR_OOM, "transform: cannot allocate %zu bytes of scratch", count * size);
    *buffer = grown;
    *capacity = count;
    return SC_OK;
}

/* Most taps any output pixel of this axis can have. */
static int axis_max_taps(const sc_resample_axis *a) {
    double scale = a->length / a->out_full;
    double support = scale >= 1.0 ? scale : 1.0;
    return (int)ceil(2.0 * support) + 2;
}

/* Fill taps[2 i] (first source index), taps[2 i + 1] (count; 0 = padding) and
 * weights[i * max_taps + k] for the window's pixels; returns the source index range used. */
static void axis_weights(const sc_resample_axis *a, int max_taps, int *taps, float *weights,
                         int *used_lo, int *used_hi) {
    double scale = a->length / a->out_full;
    double support = scale >= 1.0 ? scale : 1.0;
    double invscale = scale >= 1.0 ? 1.0 / scale : 1.0;
    *used_lo = a->hi;
    *used_hi = a->lo;
    for (int i = 0; i < a->window_length; i++) {
        int o = a->window_start + i;
        float *w = weights + (size_t)i * max_taps;
        taps[2 * i] = 0;
        taps[2 * i + 1] = 0;
        if (o < 0 || o >= a->out_full)
            continue;
        double center = a->start + scale * (o + 0.5);
        int first = (int)floor(center - support + 0.5);
        int end = (int)floor(center + support + 0.5);
        first = first < a->lo ? a->lo : first;
        end = end > a->hi ? a->hi : end;
        if (end - first > max_taps)
            end = first + max_taps;
        double total = 0.0;
        for (int j = first; j < end; j++) {
            double x = fabs((j - center + 0.5) * invscale);
            total += x < 1.0 ? 1.0 - x : 0.0;
        }
        for (int j = first; j < end; j++) {
            double x = fabs((j - center + 0.5) * invscale);
            double weight = x < 1.0 ? 1.0 - x : 0.0;
            w[j - first] = (float)(total != 0.0 ? weight / total : weight);
        }
        taps[2 * i] = first;
        taps[2 * i + 1] = end - first;
        if (end > first) {
            *used_lo = first < *used_lo ? first : *used_lo;
            *used_hi = end > *used_hi ? end : *used_hi;
        }
    }
}

/* tmp (rows, out_w, C) = source rows [row_lo, row_lo + rows) filtered along x. */
static void horizontal_pass(const sc_image *src, int row_lo, int rows, int out_w, const int *col_index,
                            const float *col_weights, int col_taps, float *tmp) {
    int channels = src->channels;
    size_t src_stride = (size_t)src->width * channels;
    for (int r = 0; r < rows; r++) {
        const uint8_t *src_row = src->pixels + (size_t)(row_lo + r) * src_stride;
        float *tmp_row = tmp + (size_t)r * out_w * channels;
        for (int x = 0; x < out_w; x++) {
            int count = col_index[2 * x + 1];
            const uint8_t *p = src_row + (size_t)col_index[2 * x] * channels;
            const float *w = col_weights + (size_t)x * col_taps;
            if (channels == 3) {
                float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f;
                for (int k = 0; k < count; k++, p += 3) {
                    s0 += w[k] * (float)p[0];
                    s1 += w[k] * (float)p[1];
                    s2 += w[k] * (float)p[2];
                }
                tmp_row[3 * x] = s0;
                tmp_row[3 * x + 1] = s1;
                tmp_row[3 * x + 2] = s2;
            } else {
                for (int c = 0; c < channels; c++) {
                    float sum = 0.0f;
                    for (int k = 0; k < count; k++)
                        sum += w[k] * (float)p[(size_t)k * channels + c];
                    tmp_row[(size_t)x * channels + c] = sum;
                }
            }
        }
    }
}

sc_status sc_resample_normalise(const sc_image *src, const sc_resample_axis *rows,
                                const sc_resample_axis *cols, int flip,
                                const sc_image_transform *t, sc_transform_scratch *scratch,
                                float *out, sc_error *err) {
    int channels = src->channels, out_h = rows->window_length, out_w = cols->window_length;
    int row_taps = axis_max_taps(rows), col_taps = axis_max_taps(cols);
    size_t weight_count = (size_t)out_h * row_taps + (size_t)out_w * col_taps;
    SC_TRY(scratch_grow((void **)&scratch->weights, &scratch->weights_capacity, weight_count, sizeof(float), err));
    SC_TRY(scratch_grow((void **)&scratch->taps, &scratch->taps_capacity, 2 * (size_t)(out_h + out_w), sizeof(int), err));
    float *row_weights = scratch->weights, *col_weights = scratch->weights + (size_t)out_h * row_taps;
    int *row_index = scratch->taps, *col_index = scratch->taps + 2 * out_h;
    int src_row_lo, src_row_hi, src_col_lo, src_col_hi;
    axis_weights(rows, row_taps, row_index, row_weights, &src_row_lo, &src_row_hi);
    axis_weights(cols, col_taps, col_index, col_weights, &src_col_lo, &src_col_hi);
    int needed_rows = src_row_hi > src_row_lo ? src_row_hi - src_row_lo : 0;
    size_t row_floats = (size_t)out_w * channels;
    size_t tmp_count = ((size_t)needed_rows + 1) * row_floats; /* + one accumulator row */
    SC_TRY(scratch_grow((void **)&scratch->rows, &scratch->rows_capacity, tmp_count, sizeof(float), err));
    float *tmp = scratch->rows;                         /* (needed_rows, out_w, C) */
    float *acc = scratch->rows + (size_t)needed_rows * row_floats; /* (out_w, C) */
    horizontal_pass(src, src_row_lo, needed_rows, out_w, col_index, col_weights, col_taps, tmp);
    /* Vertical pass into acc, then flip and normalise into out (C, out_h, out_w); padded
     * rows and columns have no taps and stay 0. */
    for (int y = 0; y < out_h; y++) {
        int first = row_index[2 * y], count = row_index[2 * y + 1];
        const float *w = row_weights + (size_t)y * row_taps;
        memset(acc, 0, row_floats * sizeof(float));
        for (int k = 0; k < count; k++) {
            const float *row = tmp + (size_t)(first - src_row_lo + k) * row_floats;
            float wk = w[k];
            for (size_t i = 0; i < row_floats; i++)
                acc[i] += wk * row[i];
        }
        for (int c = 0; c < channels; c++) {
            float mean = t->mean[c], inv_std = 1.0f / t->std[c];
            float *dst = out + ((size_t)c * out_h + y) * out_w;
            for (int x = 0; x < out_w; x++)
                dst[flip ? out_w - 1 - x : x] = (acc[(size_t)x * channels + c] * (1.0f / 255.0f) - mean) * inv_std;
        }
    }
    return SC_OK;
}
