/* torchvision's RandomResizedCrop / Resize + CenterCrop / flip parameters drawn from Philox,
 * and the decode + transform of one sample with DCT-scaled JPEG decoding (see transform.h). */
#include "transform.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "host/core/rng.h"
#include "transform_resample.h"

enum { DRAWS_PER_SAMPLE = 32, CROP_ATTEMPTS = 10, DRAW_TOP = 20, DRAW_LEFT = 21, DRAW_FLIP = 22 };

void sc_image_transform_defaults(sc_image_transform *t, int train, int size, int resize,
                                 int channels) {
    static const float imagenet_mean[3] = {0.485f, 0.456f, 0.406f};
    static const float imagenet_std[3] = {0.229f, 0.224f, 0.225f};
    memset(t, 0, sizeof(*t));
    t->train = train;
    t->size = size;
    t->resize = resize;
    t->scale_min = 0.08f;
    t->scale_max = 1.0f;
    t->ratio_min = 3.0f / 4.0f;
    t->ratio_max = 4.0f / 3.0f;
    t->hflip = train;
    t->channels = channels;
    for (int c = 0; c < 3; c++) {
        t->mean[c] = channels == 1 ? (imagenet_mean[0] + imagenet_mean[1] + imagenet_mean[2]) / 3.0f : imagenet_mean[c];
        t->std[c] = channels == 1 ? (imagenet_std[0] + imagenet_std[1] + imagenet_std[2]) / 3.0f : imagenet_std[c];
    }
}

sc_status sc_image_transform_validate(const sc_image_transform *t, sc_error *err) {
    if (t->channels != 1 && t->channels != 3)
        return sc_fail(err, SC_ERR_USAGE, "transform: %d channels (expected 1 or 3)", t->channels);
    if (t->size <= 0 || t->size > 16384)
        return sc_fail(err, SC_ERR_USAGE, "transform: image size %d (expected 1..16384)", t->size);
    if (t->resize < 0 || t->resize > 16384)
        return sc_fail(err, SC_ERR_USAGE, "transform: resize %d (expected 0..16384)", t->resize);
    if (t->train && !(t->scale_min > 0.0f && t->scale_min <= t->scale_max && t->scale_max <= 1.0f))
        return sc_fail(err, SC_ERR_USAGE, "transform: crop scale (%g, %g) (expected 0 < min <= max <= 1)",
                       (double)t->scale_min, (double)t->scale_max);
    if (t->train && !(t->ratio_min > 0.0f && t->ratio_min <= t->ratio_max))
        return sc_fail(err, SC_ERR_USAGE, "transform: crop ratio (%g, %g) (expected 0 < min <= max)",
                       (double)t->ratio_min, (double)t->ratio_max);
    for (int c = 0; c < t->channels; c++)
        if (!(t->std[c] > 0.0f) || !isfinite(t->mean[c]))
            return sc_fail(err, SC_ERR_USAGE, "transform: channel %d has mean %g, std %g (expected std > 0)",
                           c, (double)t->mean[c], (double)t->std[c]);
    return SC_OK;
}

/* Python's round(): nearest, ties to even (the default rounding mode). */
static int round_half_even(double x) { return (int)nearbyint(x); }

/* torchvision's Resize(int): shorter side to `resize`, longer side int(resize * long / short). */
static void resized_size(int height, int width, int resize, int *out_h, int *out_w) {
    if (resize <= 0) {
        *out_h = height;
        *out_w = width;
    } else if (width <= height) {
        *out_w = resize;
        *out_h = (int)((long long)resize * height / width);
    } else {
        *out_h = resize;
        *out_w = (int)((long long)resize * width / height);
    }
}

/* torchvision's CenterCrop start along one axis of length n (negative: zero padding). */
static int center_crop_start(int n, int crop) {
    if (crop > n)
        return -((crop - n) / 2);
    return round_half_even((n - crop) / 2.0);
}

sc_crop_box sc_image_transform_draw(const sc_image_transform *t, int height, int width,
                                    uint64_t seed, uint64_t epoch, uint64_t sample_index) {
    sc_crop_box box;
    memset(&box, 0, sizeof(box));
    if (!t->train) {
        resized_size(height, width, t->resize, &box.resized_height, &box.resized_width);
        box.top = center_crop_start(box.resized_height, t->size);
        box.left = center_crop_start(box.resized_width, t->size);
        box.height = box.width = t->size;
        return box;
    }
    sc_rng_key key = sc_rng_key_make(seed, (uint32_t)epoch, SC_RNG_AUGMENT);
    uint64_t base = sample_index * DRAWS_PER_SAMPLE;
    double area = (double)height * width;
    double log_ratio_min = log((double)t->ratio_min), log_ratio_max = log((double)t->ratio_max);
    int found = 0;
    for (int attempt = 0; attempt < CROP_ATTEMPTS && !found; attempt++) {
        double u_scale = sc_rng_uniform(key, base + 2 * attempt);
        double u_ratio = sc_rng_uniform(key, base + 2 * attempt + 1);
        double target_area = area * (t->scale_min + u_scale * (t->scale_max - t->scale_min));
        double aspect = exp(log_ratio_min + u_ratio * (log_ratio_max - log_ratio_min));
        int w = round_half_even(sqrt(target_area * aspect));
        int h = round_half_even(sqrt(target_area / aspect));
        if (w > 0 && w <= width && h > 0 && h <= height) {
            box.top = (int)sc_rng_below(key, base + DRAW_TOP, (uint32_t)(height - h + 1));
            box.left = (int)sc_rng_below(key, base + DRAW_LEFT, (uint32_t)(width - w + 1));
            box.height = h;
            box.width = w;
            found = 1;
        }
    }
    if (!found) { /* torchvision's fallback: central crop with the ratio clamped */
        double in_ratio = (double)width / height;
        int w = width, h = height;
        if (in_ratio < t->ratio_min)
            h = round_half_even(w / (double)t->ratio_min);
        else if (in_ratio > t->ratio_max)
            w = round_half_even(h * (double)t->ratio_max);
        box.top = (height - h) / 2;
        box.left = (width - w) / 2;
        box.height = h;
        box.width = w;
    }
    box.flip = t->hflip && (sc_rng_u32(key, base + DRAW_FLIP) >> 31);
    return box;
}

/* The resample axes of `box` for a source decoded at decoded/full of the full size. */
static void box_axes(const sc_image_transform *t, const sc_crop_box *box, int full_h, int full_w,
                     int decoded_h, int decoded_w, sc_resample_axis *rows, sc_resample_axis *cols) {
    double sy = (double)decoded_h / full_h, sx = (double)decoded_w / full_w;
    if (t->train) {
        double top = box->top * sy, bottom = (box->top + box->height) * sy;
        double left = box->left * sx, right = (box->left + box->width) * sx;
        int lo_y = (int)floor(top), hi_y = (int)ceil(bottom), lo_x = (int)floor(left), hi_x = (int)ceil(right);
        *rows = (sc_resample_axis){top, bottom - top, lo_y, hi_y < decoded_h ? hi_y : decoded_h, t->size, 0, t->size};
        *cols = (sc_resample_axis){left, right - left, lo_x, hi_x < decoded_w ? hi_x : decoded_w, t->size, 0, t->size};
    } else {
        *rows = (sc_resample_axis){0.0, decoded_h, 0, decoded_h, box->resized_height, box->top, t->size};
        *cols = (sc_resample_axis){0.0, decoded_w, 0, decoded_w, box->resized_width, box->left, t->size};
    }
}

static sc_status check_image(const sc_image *src, const sc_image_transform *t, sc_error *err) {
    if (src->channels != t->channels)
        return sc_fail(err, SC_ERR_SHAPE, "transform: image has %d channels, transform expects %d",
                       src->channels, t->channels);
    if (src->height <= 0 || src->width <= 0 || src->pixels == NULL)
        return sc_fail(err, SC_ERR_SHAPE, "transform: empty image (%d x %d)", src->width, src->height);
    return SC_OK;
}

sc_status sc_image_transform_apply(const sc_image *src, const sc_image_transform *t,
                                   const sc_crop_box *box, sc_transform_scratch *scratch,
                                   float *out, sc_error *err) {
    SC_TRY(sc_image_transform_validate(t, err));
    SC_TRY(check_image(src, t, err));
    if (t->train && (box->top < 0 || box->left < 0 || box->height <= 0 || box->width <= 0 ||
                     box->top + box->height > src->height || box->left + box->width > src->width))
        return sc_fail(err, SC_ERR_SHAPE, "transform: crop box (%d, %d, %d, %d) outside the %d x %d image",
                       box->top, box->left, box->height, box->width, src->height, src->width);
    sc_resample_axis rows, cols;
    box_axes(t, box, src->height, src->width, src->height, src->width, &rows, &cols);
    return sc_resample_normalise(src, &rows, &cols, t->train && box->flip, t, scratch, out, err);
}

sc_status sc_image_transform_sample(const sc_image *src, const sc_image_transform *t,
                                    uint64_t seed, uint64_t epoch, uint64_t sample_index,
                                    sc_transform_scratch *scratch, float *out, sc_error *err) {
    SC_TRY(check_image(src, t, err));
    sc_crop_box box = sc_image_transform_draw(t, src->height, src->width, seed, epoch, sample_index);
    return sc_image_transform_apply(src, t, &box, scratch, out, err);
}

sc_status sc_image_load_sample(const uint8_t *data, size_t bytes, const char *name,
                               const sc_decode_options *opt, const sc_image_transform *t,
                               uint64_t seed, uint64_t epoch, uint64_t sample_index,
                               sc_transform_scratch *scratch, float *out, sc_error *err) {
    SC_TRY(sc_image_transform_validate(t, err));
    sc_decode_options decode = {t->channels, 0, 0, 0};
    if (opt != NULL) {
        if (opt->channels != t->channels)
            return sc_fail(err, SC_ERR_USAGE, "%s: decode asks for %d channels, transform for %d", name,
                           opt->channels, t->channels);
        decode.max_pixels = opt->max_pixels;
    }
    sc_image_format format;
    int full_h, full_w;
    SC_TRY(sc_image_probe(data, bytes, name, &format, &full_h, &full_w, err));
    sc_crop_box box = sc_image_transform_draw(t, full_h, full_w, seed, epoch, sample_index);
    if (format == SC_IMAGE_JPEG) { /* smallest decode that keeps the output a downscale */
        if (t->train) {
            decode.min_width = (int)(((long long)full_w * t->size + box.width - 1) / box.width);
            decode.min_height = (int)(((long long)full_h * t->size + box.height - 1) / box.height);
        } else {
            decode.min_width = box.resized_width;
            decode.min_height = box.resized_height;
        }
    }
    SC_TRY(sc_image_decode(data, bytes, name, &decode, &scratch->decoded, err));
    const sc_image *img = &scratch->decoded;
    if (format != SC_IMAGE_JPEG && (img->height != full_h || img->width != full_w))
        return sc_fail(err, SC_ERR_FORMAT, "%s: decoded size %d x %d differs from the header's %d x %d",
                       name, img->width, img->height, full_w, full_h);
    sc_resample_axis rows, cols;
    box_axes(t, &box, full_h, full_w, img->height, img->width, &rows, &cols);
    return sc_resample_normalise(img, &rows, &cols, t->train && box.flip, t, scratch, out, err);
}

void sc_transform_scratch_free(sc_transform_scratch *scratch) {
    if (scratch == NULL)
        return;
    sc_image_free(&scratch->decoded);
    free(scratch->weights);
    free(scratch->taps);
    free(scratch->rows);
    memset(scratch, 0, sizeof(*scratch));
}
