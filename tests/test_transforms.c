/* The torchvision-equivalent transforms (datasets/transform.h) against torchvision's tensor
 * path: tests/make_image_fixtures.py stored a random uint8 image and, for fixed crop boxes,
 * resized_crop (+ hflip), Resize + CenterCrop (down, up, and with CenterCrop's zero padding) and
 * a grey crop, all antialiased bilinear on float values and normalised; each must match within
 * 1e-3 per value. Then the random draws: inside the image, within the scale and ratio ranges,
 * a pure function of (seed, epoch, sample index), flips about half the time, torchvision's
 * fallback on extreme aspect ratios; decode + transform of a file, with DCT-scaled JPEG
 * decoding; no scratch growth after warm-up; one clear error on a channel mismatch. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/test_util.h"
#include "datasets/transform.h"
#include "host/core/fileio.h"
#include "host/core/safetensors.h"
#include "tests/common/check_run.h"

#define TOLERANCE 1e-3

static void open_fixture(sc_st_file *f) {
    char path[1024];
    sc_error err = {0};
    sc_test_source_path("tests/fixtures/transforms.safetensors", path, sizeof path);
    ck_assert_msg(sc_st_open(f, path, &err) == SC_OK, "%s", err.msg);
}

static const sc_st_entry *entry(const sc_st_file *f, const char *name, sc_st_dtype dtype) {
    const sc_st_entry *e = sc_st_find(f, name);
    ck_assert_msg(e != NULL, "fixture has no %s", name);
    ck_assert_int_eq(e->dtype, dtype);
    return e;
}

/* The fixture's uint8 (H, W, C) image as an sc_image (pixels copied). */
static sc_image fixture_image(const sc_st_file *f, const char *name) {
    const sc_st_entry *e = entry(f, name, SC_ST_U8);
    sc_image img = {0};
    sc_error err = {0};
    ck_assert_int_eq(sc_image_reserve(&img, (int)e->shape[0], (int)e->shape[1], (int)e->shape[2], &err), SC_OK);
    memcpy(img.pixels, e->data, e->nbytes);
    return img;
}

static void fixture_ints(const sc_st_file *f, const char *name, int32_t *out, int count) {
    const sc_st_entry *e = entry(f, name, SC_ST_I32);
    ck_assert_int_eq(e->numel, count);
    memcpy(out, e->data, (size_t)count * sizeof(int32_t));
}

/* max |out - fixture| over the (C, size, size) result. */
static double max_error(const sc_st_file *f, const char *name, const float *out, int64_t count) {
    const sc_st_entry *e = entry(f, name, SC_ST_F32);
    ck_assert_int_eq(e->numel, count);
    double worst = 0.0;
    for (int64_t i = 0; i < count; i++) {
        float ref;
        memcpy(&ref, (const char *)e->data + i * 4, 4);
        ck_assert_msg(isfinite(out[i]), "%s: value %lld is not finite", name, (long long)i);
        double d = fabs((double)out[i] - ref);
        worst = d > worst ? d : worst;
    }
    return worst;
}

START_TEST(test_resized_crop_matches_torchvision) {
    sc_st_file f;
    open_fixture(&f);
    sc_image src = fixture_image(&f, "src");
    sc_transform_scratch scratch = {0};
    int cases = 0;
    for (int k = 0;; k++) {
        char name[64];
        snprintf(name, sizeof name, "train%d.box", k);
        if (sc_st_find(&f, name) == NULL)
            break;
        int32_t b[6];
        fixture_ints(&f, name, b, 6);
        sc_image_transform t;
        sc_image_transform_defaults(&t, 1, b[4], 0, 3);
        sc_crop_box box = {b[0], b[1], b[2], b[3], 0, 0, b[5]};
        float *out = malloc(sizeof(float) * 3 * b[4] * b[4]);
        sc_error err = {0};
        ck_assert_msg(sc_image_transform_apply(&src, &t, &box, &scratch, out, &err) == SC_OK, "%s", err.msg);
        snprintf(name, sizeof name, "train%d.out", k);
        double worst = max_error(&f, name, out, 3 * b[4] * b[4]);
        ck_assert_msg(worst <= TOLERANCE, "%s (box %d %d %d %d -> %d, flip %d): max error %g", name, b[0], b[1],
                      b[2], b[3], b[4], b[5], worst);
        free(out);
        cases++;
    }
    ck_assert_int_ge(cases, 5);
    sc_transform_scratch_free(&scratch);
    sc_image_free(&src);
    sc_st_close(&f);
}
END_TEST

START_TEST(test_resize_center_crop_matches_torchvision) {
    sc_st_file f;
    open_fixture(&f);
    sc_image src = fixture_image(&f, "src");
    sc_transform_scratch scratch = {0};
    int cases = 0;
    for (int k = 0;; k++) {
        char name[64];
        snprintf(name, sizeof name, "eval%d.params", k);
        if (sc_st_find(&f, name) == NULL)
            break;
        int32_t p[2];
        fixture_ints(&f, name, p, 2);
        sc_image_transform t;
        sc_image_transform_defaults(&t, 0, p[1], p[0], 3);
        float *out = malloc(sizeof(float) * 3 * p[1] * p[1]);
        sc_error err = {0};
        ck_assert_msg(sc_image_transform_sample(&src, &t, 1, 0, (uint64_t)k, &scratch, out, &err) == SC_OK, "%s",
                      err.msg);
        snprintf(name, sizeof name, "eval%d.out", k);
        double worst = max_error(&f, name, out, 3 * p[1] * p[1]);
        ck_assert_msg(worst <= TOLERANCE, "%s (Resize(%d) + CenterCrop(%d)): max error %g", name, p[0], p[1], worst);
        free(out);
        cases++;
    }
    ck_assert_int_ge(cases, 5);
    sc_transform_scratch_free(&scratch);
    sc_image_free(&src);
    sc_st_close(&f);
}
END_TEST

START_TEST(test_grey_matches_torchvision) {
    sc_st_file f;
    open_fixture(&f);
    sc_image src = fixture_image(&f, "src_grey");
    sc_transform_scratch scratch = {0};
    for (int k = 0; k < 2; k++) {
        char name[64];
        snprintf(name, sizeof name, "grey%d.params", k);
        int32_t p[5];
        fixture_ints(&f, name, p, 5);
        sc_image_transform t;
        sc_image_transform_defaults(&t, 1, p[4], 0, 1);
        sc_crop_box box = {p[0], p[1], p[2], p[3], 0, 0, 0};
        float out[32 * 32];
        sc_error err = {0};
        ck_assert_msg(sc_image_transform_apply(&src, &t, &box, &scratch, out, &err) == SC_OK, "%s", err.msg);
        snprintf(name, sizeof name, "grey%d.out", k);
        double worst = max_error(&f, name, out, (int64_t)p[4] * p[4]);
        ck_assert_msg(worst <= TOLERANCE, "%s: max error %g", name, worst);
    }
    sc_transform_scratch_free(&scratch);
    sc_image_free(&src);
    sc_st_close(&f);
}
END_TEST

START_TEST(test_random_resized_crop_draws) {
    sc_image_transform t;
    sc_image_transform_defaults(&t, 1, 224, 0, 3);
    const int height = 375, width = 500;
    int flips = 0, distinct = 0;
    sc_crop_box previous = {0};
    for (uint64_t i = 0; i < 2000; i++) {
        sc_crop_box box = sc_image_transform_draw(&t, height, width, 42, 3, i);
        sc_crop_box again = sc_image_transform_draw(&t, height, width, 42, 3, i);
        ck_assert_msg(memcmp(&box, &again, sizeof box) == 0, "sample %llu drew twice differently", (unsigned long long)i);
        ck_assert(box.top >= 0 && box.left >= 0 && box.height > 0 && box.width > 0);
        ck_assert(box.top + box.height <= height && box.left + box.width <= width);
        double area = (double)box.height * box.width / ((double)height * width);
        double ratio = (double)box.width / box.height;
        /* rounding w and h to integers moves area and ratio a little past the drawn values */
        ck_assert_msg(area > 0.08 * 0.98 && area < 1.0 + 1e-9, "sample %llu: area fraction %g", (unsigned long long)i, area);
        ck_assert_msg(ratio > 0.75 * 0.97 && ratio < 4.0 / 3.0 * 1.03, "sample %llu: ratio %g", (unsigned long long)i, ratio);
        flips += box.flip;
        distinct += memcmp(&box, &previous, sizeof box) != 0;
        previous = box;
    }
    ck_assert_msg(flips > 900 && flips < 1100, "%d flips in 2000 samples", flips);
    ck_assert_int_gt(distinct, 1990);
    sc_crop_box a = sc_image_transform_draw(&t, height, width, 42, 3, 7);
    sc_crop_box other_epoch = sc_image_transform_draw(&t, height, width, 42, 4, 7);
    sc_crop_box other_seed = sc_image_transform_draw(&t, height, width, 43, 3, 7);
    ck_assert(memcmp(&a, &other_epoch, sizeof a) != 0);
    ck_assert(memcmp(&a, &other_seed, sizeof a) != 0);
    /* 10 x 1000: no attempt can fit (h >= sqrt(0.08 * 10000 * 3/4) > 10), torchvision's
     * fallback is the central crop of the clamped ratio: h = 10, w = round(10 * 4/3) = 13. */
    sc_crop_box wide = sc_image_transform_draw(&t, 10, 1000, 1, 0, 5);
    ck_assert_int_eq(wide.height, 10);
    ck_assert_int_eq(wide.width, 13);
    ck_assert_int_eq(wide.top, 0);
    ck_assert_int_eq(wide.left, (1000 - 13) / 2);
    sc_crop_box tall = sc_image_transform_draw(&t, 1000, 10, 1, 0, 5);
    ck_assert_int_eq(tall.width, 10);
    ck_assert_int_eq(tall.height, 13); /* round(10 / (3/4)) */
    ck_assert_int_eq(tall.top, (1000 - 13) / 2);
    /* No flip when the transform has none. */
    t.hflip = 0;
    for (uint64_t i = 0; i < 100; i++)
        ck_assert_int_eq(sc_image_transform_draw(&t, height, width, 42, 3, i).flip, 0);
}
END_TEST

static char *read_image_fixture(const char *file, size_t *len) {
    char rel[256], path[1024];
    snprintf(rel, sizeof rel, "tests/fixtures/images/%s", file);
    sc_test_source_path(rel, path, sizeof path);
    char *data = NULL;
    sc_error err = {0};
    ck_assert_msg(sc_file_read_all(path, 1 << 20, &data, len, &err) == SC_OK, "%s", err.msg);
    return data;
}

/* Decode + transform of a PNG equals decode, then transform; the scratch stops growing. */
START_TEST(test_load_sample_png) {
    size_t len;
    char *data = read_image_fixture("rgb.png", &len);
    sc_image_transform t;
    sc_image_transform_defaults(&t, 1, 12, 0, 3);
    sc_transform_scratch scratch = {0};
    sc_image img = {0};
    sc_error err = {0};
    ck_assert_int_eq(sc_image_decode((const uint8_t *)data, len, "rgb.png", NULL, &img, &err), SC_OK);
    float a[3 * 12 * 12], b[3 * 12 * 12];
    for (uint64_t i = 0; i < 20; i++) {
        ck_assert_msg(sc_image_load_sample((const uint8_t *)data, len, "rgb.png", NULL, &t, 9, 1, i, &scratch, a, &err) ==
                          SC_OK, "%s", err.msg);
        ck_assert_int_eq(sc_image_transform_sample(&img, &t, 9, 1, i, &scratch, b, &err), SC_OK);
        ck_assert(memcmp(a, b, sizeof a) == 0);
    }
    void *weights = scratch.weights, *rows = scratch.rows, *pixels = scratch.decoded.pixels;
    for (uint64_t i = 20; i < 40; i++)
        ck_assert_int_eq(sc_image_load_sample((const uint8_t *)data, len, "rgb.png", NULL, &t, 9, 1, i, &scratch, a, &err),
                         SC_OK);
    ck_assert_ptr_eq(weights, scratch.weights); /* allocated once the largest box was seen */
    ck_assert_ptr_eq(rows, scratch.rows);
    ck_assert_ptr_eq(pixels, scratch.decoded.pixels);
    sc_decode_options grey = {1, 0, 0, 0};
    ck_assert_int_eq(sc_image_load_sample((const uint8_t *)data, len, "rgb.png", &grey, &t, 9, 1, 0, &scratch, a, &err),
                     SC_ERR_USAGE);
    ck_assert_ptr_nonnull(strstr(err.msg, "rgb.png"));
    ck_assert_int_eq(sc_image_load_sample((const uint8_t *)data, 5, "cut.png", NULL, &t, 9, 1, 0, &scratch, a, &err),
                     SC_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(err.msg, "cut.png"));
    t.channels = 1;
    ck_assert_int_eq(sc_image_transform_sample(&img, &t, 9, 1, 0, &scratch, b, &err), SC_ERR_SHAPE);
    ck_assert_ptr_nonnull(strstr(err.msg, "3 channels, transform expects 1"));
    sc_image_free(&img);
    sc_transform_scratch_free(&scratch);
    free(data);
}
END_TEST

/* A 64 x 48 JPEG through Resize(16) + CenterCrop(12) is decoded at 3/8 (24 x 18, the smallest
 * n/8 keeping the 21 x 16 resize a downscale); the result stays close to the full decode's. */
START_TEST(test_load_sample_jpeg_scaled) {
    if (!sc_image_format_available(SC_IMAGE_JPEG))
        return;
    size_t len;
    char *data = read_image_fixture("large.jpg", &len);
    sc_transform_scratch scratch = {0};
    sc_image full = {0};
    sc_error err = {0};
    ck_assert_int_eq(sc_image_decode((const uint8_t *)data, len, "large.jpg", NULL, &full, &err), SC_OK);
    for (int train = 0; train <= 1; train++) {
        sc_image_transform t;
        sc_image_transform_defaults(&t, train, 12, 16, 3);
        t.scale_min = 0.5f;
        float scaled[3 * 12 * 12], reference[3 * 12 * 12];
        for (uint64_t i = 0; i < 8; i++) {
            ck_assert_int_eq(sc_image_load_sample((const uint8_t *)data, len, "large.jpg", NULL, &t, 5, 0, i, &scratch,
                                                  scaled, &err), SC_OK);
            if (!train) {
                ck_assert_int_eq(scratch.decoded.width, 24);
                ck_assert_int_eq(scratch.decoded.height, 18);
            } else {
                ck_assert_int_lt(scratch.decoded.width, 64);
            }
            ck_assert_int_eq(sc_image_transform_sample(&full, &t, 5, 0, i, &scratch, reference, &err), SC_OK);
            double sum = 0.0;
            for (int k = 0; k < 3 * 12 * 12; k++)
                sum += fabs(scaled[k] - reference[k]);
            ck_assert_msg(sum / (3 * 12 * 12) < 0.15, "train %d sample %llu: mean difference %g to the full decode",
                          train, (unsigned long long)i, sum / (3 * 12 * 12));
        }
    }
    sc_image_free(&full);
    sc_transform_scratch_free(&scratch);
    free(data);
}
END_TEST

START_TEST(test_validate) {
    sc_image_transform t;
    sc_error err = {0};
    sc_image_transform_defaults(&t, 1, 224, 256, 3);
    ck_assert_int_eq(sc_image_transform_validate(&t, &err), SC_OK);
    t.scale_min = 0.0f;
    ck_assert_int_eq(sc_image_transform_validate(&t, &err), SC_ERR_USAGE);
    ck_assert_ptr_nonnull(strstr(err.msg, "crop scale"));
    sc_image_transform_defaults(&t, 0, 224, 256, 3);
    t.std[2] = 0.0f;
    ck_assert_int_eq(sc_image_transform_validate(&t, &err), SC_ERR_USAGE);
    ck_assert_ptr_nonnull(strstr(err.msg, "channel 2"));
}
END_TEST

int main(void) {
    Suite *s = suite_create("transforms");
    TCase *tc = tcase_create("transforms");
    tcase_add_test(tc, test_resized_crop_matches_torchvision);
    tcase_add_test(tc, test_resize_center_crop_matches_torchvision);
    tcase_add_test(tc, test_grey_matches_torchvision);
    tcase_add_test(tc, test_random_resized_crop_draws);
    tcase_add_test(tc, test_load_sample_png);
    tcase_add_test(tc, test_load_sample_jpeg_scaled);
    tcase_add_test(tc, test_validate);
    suite_add_tcase(s, tc);
    return sc_check_run(s);
}
