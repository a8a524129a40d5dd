/* Heatmap images and line plots (host/explain/heatmap.h, plot.h): every PNG is decoded back
 * with libpng and checked for its size and the pixels at known points (colormap ends, white
 * zero of the diverging map, the alpha blend, nearest-neighbour blocks, 99th-percentile
 * clipping, NaN in neutral grey); grids put cells where their layout says; plots are drawn
 * when the build has cairo and refused otherwise; bad requests and unwritable paths fail with
 * one message and leave no file behind. */
#include <check.h>
#include <math.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host/explain/heatmap.h"
#include "host/explain/heatmap_grid.h"
#include "host/explain/plot.h"
#include "tests/common/check_run.h"
#include "tests/common/test_util.h"

/* ---- helpers -------------------------------------------------------------------------------- */

typedef struct decoded {
    int w, h;
    uint8_t *rgb;
} decoded;

static decoded read_png(const char *path) {
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    ck_assert_msg(png_image_begin_read_from_file(&img, path), "%s: %s", path, img.message);
    img.format = PNG_FORMAT_RGB;
    decoded d = {(int)img.width, (int)img.height, malloc(PNG_IMAGE_SIZE(img))};
    ck_assert_ptr_nonnull(d.rgb);
    ck_assert_msg(png_image_finish_read(&img, NULL, d.rgb, 0, NULL), "%s: %s", path, img.message);
    return d;
}

static const uint8_t *px_at(const decoded *d, int x, int y) {
    return d->rgb + ((size_t)y * (size_t)d->w + (size_t)x) * 3;
}

/* a pixel that must be inside the image (checked: use px_at in loops over many pixels, a
 * Check assertion costs a system call) */
static const uint8_t *px(const decoded *d, int x, int y) {
    ck_assert_msg(x >= 0 && x < d->w && y >= 0 && y < d->h, "pixel (%d, %d) outside %dx%d", x, y,
                  d->w, d->h);
    return px_at(d, x, y);
}

static void assert_rgb_near(const uint8_t *got, const uint8_t *want, int tol, const char *what) {
    for (int k = 0; k < 3; k++)
        ck_assert_msg(abs(got[k] - want[k]) <= tol, "%s: got (%d,%d,%d), expected (%d,%d,%d)", what,
                      got[0], got[1], got[2], want[0], want[1], want[2]);
}

static void cmap(sc_colormap m, float t, uint8_t rgb[3]) {
    sc_colormap_rgb(m, t, rgb);
}

/* the expected blend of an image byte and a map colour */
static void blend(const uint8_t img[3], const uint8_t map[3], float alpha, uint8_t out[3]) {
    for (int k = 0; k < 3; k++)
        out[k] = (uint8_t)lrintf((1.0f - alpha) * img[k] + alpha * map[k]);
}

static int count_files(const char *dir) {
    char names[1024];
    return sc_test_dir_entries(dir, names, sizeof names);
}

/* pixels that are not white in the rectangle */
static long inked(const decoded *d, int x0, int y0, int x1, int y1) {
    ck_assert(x0 >= 0 && y0 >= 0 && x1 <= d->w && y1 <= d->h);
    long n = 0;
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++) {
            const uint8_t *p = px_at(d, x, y);
            n += p[0] < 200 || p[1] < 200 || p[2] < 200;
        }
    return n;
}

/* ---- colormaps and clipping ----------------------------------------------------------------- */

START_TEST(test_colormap_ends) {
    uint8_t c[3];
    cmap(SC_CMAP_INFERNO, 0.0f, c);
    assert_rgb_near(c, (const uint8_t[3]){0, 0, 4}, 0, "inferno(0)");
    cmap(SC_CMAP_INFERNO, 1.0f, c);
    assert_rgb_near(c, (const uint8_t[3]){252, 255, 164}, 0, "inferno(1)");
    cmap(SC_CMAP_INFERNO, 128.0f / 255.0f, c); /* matplotlib's inferno(128) is #BC3754 */
    assert_rgb_near(c, (const uint8_t[3]){188, 55, 84}, 0, "inferno(128/255)");
    cmap(SC_CMAP_INFERNO, 7.0f, c); /* clamped */
    assert_rgb_near(c, (const uint8_t[3]){252, 255, 164}, 0, "inferno(7)");
    cmap(SC_CMAP_DIVERGING, 0.5f, c);
    assert_rgb_near(c, (const uint8_t[3]){255, 255, 255}, 0, "diverging(0.5)");
    cmap(SC_CMAP_DIVERGING, 0.0f, c);
    assert_rgb_near(c, (const uint8_t[3]){33, 102, 172}, 1, "diverging(0)"); /* RdBu #2166AC */
    cmap(SC_CMAP_DIVERGING, 1.0f, c);
    assert_rgb_near(c, (const uint8_t[3]){178, 24, 43}, 1, "diverging(1)"); /* RdBu #B2182B */
    cmap(SC_CMAP_DIVERGING, 0.3f, c);
    ck_assert(c[2] > c[0] + 30 && c[0] > 100); /* light blue */
    cmap(SC_CMAP_INFERNO, NAN, c);
    assert_rgb_near(c, (const uint8_t[3]){128, 128, 128}, 0, "inferno(NaN)");
    cmap(SC_CMAP_DIVERGING, NAN, c);
    assert_rgb_near(c, (const uint8_t[3]){128, 128, 128}, 0, "diverging(NaN)");
    /* inferno gets lighter all the way */
    int last = -1;
    for (int i = 0; i <= 255; i++) {
        cmap(SC_CMAP_INFERNO, i / 255.0f, c);
        int sum = c[0] + c[1] + c[2];
        ck_assert_int_ge(sum, last);
        last = sum;
    }
}
END_TEST

START_TEST(test_clip_scale) {
    float zeros[12] = {0};
    ck_assert_float_eq(sc_map_clip_scale(zeros, 3, 4), 0.0f);
    float onehot[100] = {0};
    onehot[37] = -3.0f; /* the percentile is 0: the largest |value| instead */
    ck_assert_float_eq(sc_map_clip_scale(onehot, 10, 10), 3.0f);
    float ramp[100];
    for (int i = 0; i < 100; i++)
        ramp[i] = (float)(i + 1); /* 1 .. 100: rank floor(0.99 * 99) = 98 -> 99 */
    ck_assert_float_eq(sc_map_clip_scale(ramp, 10, 10), 99.0f);
    ramp[5] = 1e6f; /* one outlier does not move the scale to itself */
    ck_assert_float_eq(sc_map_clip_scale(ramp, 10, 10), 100.0f);
    float one = -2.5f;
    ck_assert_float_eq(sc_map_clip_scale(&one, 1, 1), 2.5f);
    float with_nan[4] = {NAN, INFINITY, 0.5f, -1.0f};
    ck_assert_float_eq(sc_map_clip_scale(with_nan, 2, 2), 0.5f); /* |.| sorted: 0 0 0.5 1 */
    float all_nan[2] = {NAN, NAN};
    ck_assert_float_eq(sc_map_clip_scale(all_nan, 1, 2), 0.0f);
}
END_TEST

/* ---- single heatmaps ------------------------------------------------------------------------ */

START_TEST(test_heatmap_onehot_upscaled) {
    char dir[256], path[512];
    ck_assert_ptr_nonnull(sc_test_tmpdir("heatmap", dir, sizeof dir));
    snprintf(path, sizeof path, "%s/map.png", dir);
    float map[28 * 28] = {0};
    map[5 * 28 + 7] = 3.0f; /* row 5, column 7 */
    sc_heatmap_style s = {.signed_map = 0, .scale = 4, .alpha = 0.5f};
    sc_error err = {0};
    ck_assert_msg(sc_heatmap_png(path, map, 28, 28, &s, &err) == SC_OK, "%s", err.msg);
    decoded d = read_png(path);
    ck_assert_int_eq(d.w, 112);
    ck_assert_int_eq(d.h, 112);
    uint8_t top[3], bottom[3];
    cmap(SC_CMAP_INFERNO, 1.0f, top);
    cmap(SC_CMAP_INFERNO, 0.0f, bottom);
    for (int dy = 0; dy < 4; dy++) /* the whole 4x4 block, and nothing beside it */
        for (int dx = 0; dx < 4; dx++)
            assert_rgb_near(px(&d, 7 * 4 + dx, 5 * 4 + dy), top, 0, "the hot pixel's block");
    assert_rgb_near(px(&d, 7 * 4 + 4, 5 * 4), bottom, 0, "right of the block");
    assert_rgb_near(px(&d, 7 * 4 - 1, 5 * 4 + 3), bottom, 0, "left of the block");
    assert_rgb_near(px(&d, 0, 0), bottom, 0, "a zero pixel");
    assert_rgb_near(px(&d, 111, 111), bottom, 0, "the last pixel");
    free(d.rgb);
    ck_assert_int_eq(count_files(dir), 1); /* no temporary file left */
    sc_test_rmtree(dir);
}
END_TEST

START_TEST(test_heatmap_signed) {
    char dir[256], path[512];
    ck_assert_ptr_nonnull(sc_test_tmpdir("heatmap", dir, sizeof dir));
    snprintf(path, sizeof path, "%s/signed.png", dir);
    float map[3 * 4] = {0};
    map[1] = 2.0f;   /* (0,1) */
    map[6] = -2.0f;  /* (1,2) */
    map[11] = -1.0f; /* (2,3): half the clip scale */
    sc_heatmap_style s = {.signed_map = 1, .scale = 2, .alpha = 0.5f};
    sc_error err = {0};
    ck_assert_msg(sc_heatmap_png(path, map, 3, 4, &s, &err) == SC_OK, "%s", err.msg);
    decoded d = read_png(path);
    ck_assert_int_eq(d.w, 8);
    ck_assert_int_eq(d.h, 6);
    uint8_t want[3];
    assert_rgb_near(px(&d, 0, 0), (const uint8_t[3]){255, 255, 255}, 0, "zero is white");
    cmap(SC_CMAP_DIVERGING, 1.0f, want);
    assert_rgb_near(px(&d, 3, 1), want, 0, "+clip is the red end");
    cmap(SC_CMAP_DIVERGING, 0.0f, want);
    assert_rgb_near(px(&d, 5, 2), want, 0, "-clip is the blue end");
    ck_assert(want[2] > want[0] + 100);
    cmap(SC_CMAP_DIVERGING, 0.25f, want);
    assert_rgb_near(px(&d, 7, 5), want, 0, "-clip/2 is half way to blue");
    free(d.rgb);
    sc_test_rmtree(dir);
}
END_TEST

START_TEST(test_heatmap_outlier_clipped) {
    char dir[256], path[512];
    ck_assert_ptr_nonnull(sc_test_tmpdir("heatmap", dir, sizeof dir));
    snprintf(path, sizeof path, "%s/outlier.png", dir);
    float map[20 * 20];
    for (int i = 0; i < 400; i++)
        map[i] = (float)(i % 20) / 19.0f; /* a ramp 0..1 along each row */
    map[0] = 1e9f;                        /* one huge outlier */
    sc_heatmap_style s = {.signed_map = 0, .scale = 1, .alpha = 0.5f};
    sc_error err = {0};
    ck_assert_msg(sc_heatmap_png(path, map, 20, 20, &s, &err) == SC_OK, "%s", err.msg);
    ck_assert_float_eq(sc_map_clip_scale(map, 20, 20), 1.0f);
    decoded d = read_png(path);
    uint8_t want[3];
    cmap(SC_CMAP_INFERNO, 1.0f, want);
    assert_rgb_near(px(&d, 0, 0), want, 0, "the outlier saturates");
    assert_rgb_near(px(&d, 19, 3), want, 0, "the ramp's top");
    cmap(SC_CMAP_INFERNO, 10.0f / 19.0f, want);
    assert_rgb_near(px(&d, 10, 7), want, 0, "the ramp's middle still shows");
    ck_assert_int_gt(px(&d, 10, 7)[0], 150);
    free(d.rgb);
    sc_test_rmtree(dir);
}
END_TEST

START_TEST(test_heatmap_nan_and_tiny) {
    char dir[256], path[512];
    ck_assert_ptr_nonnull(sc_test_tmpdir("heatmap", dir, sizeof dir));
    snprintf(path, sizeof path, "%s/nan.png", dir);
    float map[5] = {NAN, 1.0f, INFINITY, 0.0f, -NAN};
    sc_heatmap_style s = {.signed_map = 0, .scale = 3, .alpha = 0.5f};
    sc_error err = {0};
    ck_assert_msg(sc_heatmap_png(path, map, 5, 1, &s, &err) == SC_OK, "%s", err.msg);
    decoded d = read_png(path);
    ck_assert_int_eq(d.w, 3);
    ck_assert_int_eq(d.h, 15);
    uint8_t top[3], bottom[3], grey[3] = {128, 128, 128};
    cmap(SC_CMAP_INFERNO, 1.0f, top);
    cmap(SC_CMAP_INFERNO, 0.0f, bottom);
    assert_rgb_near(px(&d, 1, 1), grey, 0, "NaN");
    assert_rgb_near(px(&d, 1, 4), top, 0, "1 with NaN and Inf around");
    assert_rgb_near(px(&d, 1, 7), grey, 0, "Inf");
    assert_rgb_near(px(&d, 1, 10), bottom, 0, "0");
    assert_rgb_near(px(&d, 2, 14), grey, 0, "-NaN");
    free(d.rgb);
    /* 1x1 maps, all-NaN and all-zero maps */
    float zero = 0.0f, nan1 = NAN;
    s.scale = 1;
    ck_assert_int_eq(sc_heatmap_png(path, &zero, 1, 1, &s, &err), SC_OK);
    d = read_png(path);
    ck_assert_int_eq(d.w * d.h, 1);
    assert_rgb_near(px(&d, 0, 0), bottom, 0, "an all-zero map");
    free(d.rgb);
    s.signed_map = 1;
    ck_assert_int_eq(sc_heatmap_png(path, &nan1, 1, 1, &s, &err), SC_OK);
    d = read_png(path);
    assert_rgb_near(px(&d, 0, 0), grey, 0, "an all-NaN map");
    free(d.rgb);
    ck_assert_int_eq(count_files(dir), 1);
    sc_test_rmtree(dir);
}
END_TEST

START_TEST(test_overlay_blend) {
    char dir[256], path[512];
    ck_assert_ptr_nonnull(sc_test_tmpdir("heatmap", dir, sizeof dir));
    snprintf(path, sizeof path, "%s/overlay.png", dir);
    /* grey image at 0.5, map hot at (1,2) */
    float grey_img[4 * 4], map[4 * 4] = {0};
    for (int i = 0; i < 16; i++)
        grey_img[i] = 0.5f;
    grey_img[0] = NAN; /* drawn as black */
    map[1 * 4 + 2] = 1.0f;
    sc_heatmap_style s = {.signed_map = 0, .scale = 2, .alpha = 0.25f};
    sc_error err = {0};
    ck_assert_msg(sc_heatmap_overlay_png(path, grey_img, 1, map, 4, 4, &s, &err) == SC_OK, "%s",
                  err.msg);
    decoded d = read_png(path);
    ck_assert_int_eq(d.w, 8);
    ck_assert_int_eq(d.h, 8);
    uint8_t top[3], bottom[3], want[3];
    const uint8_t half[3] = {128, 128, 128}, black[3] = {0, 0, 0};
    cmap(SC_CMAP_INFERNO, 1.0f, top);
    cmap(SC_CMAP_INFERNO, 0.0f, bottom);
    blend(half, top, 0.25f, want);
    assert_rgb_near(px(&d, 5, 3), want, 0, "grey under the hot pixel");
    blend(half, bottom, 0.25f, want);
    assert_rgb_near(px(&d, 7, 7), want, 0, "grey under a cold pixel");
    ck_assert_int_eq(want[0], 96); /* 0.75 * 128 + 0.25 * 0 */
    blend(black, bottom, 0.25f, want);
    assert_rgb_near(px(&d, 0, 0), want, 0, "a NaN image pixel");
    free(d.rgb);
    /* RGB image: red, alpha 1 shows the map only, alpha 0 the image only */
    float rgb_img[3 * 2 * 2] = {1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0};
    float map2[4] = {0, 0, 0, 2.0f};
    s.scale = 1;
    s.alpha = 0.0f;
    ck_assert_int_eq(sc_heatmap_overlay_png(path, rgb_img, 3, map2, 2, 2, &s, &err), SC_OK);
    d = read_png(path);
    assert_rgb_near(px(&d, 1, 1), (const uint8_t[3]){255, 0, 0}, 0, "alpha 0: the image");
    free(d.rgb);
    s.alpha = 1.0f;
    ck_assert_int_eq(sc_heatmap_overlay_png(path, rgb_img, 3, map2, 2, 2, &s, &err), SC_OK);
    d = read_png(path);
    assert_rgb_near(px(&d, 1, 1), top, 0, "alpha 1: the map");
    free(d.rgb);
    s.alpha = 0.5f;
    ck_assert_int_eq(sc_heatmap_overlay_png(path, rgb_img, 2, map2, 2, 2, &s, &err), SC_ERR_USAGE);
    ck_assert_ptr_nonnull(strstr(err.msg, "2 channels"));
    sc_test_rmtree(dir);
}
END_TEST

START_TEST(test_heatmap_bad_requests) {
    char dir[256], path[512];
    ck_assert_ptr_nonnull(sc_test_tmpdir("heatmap", dir, sizeof dir));
    snprintf(path, sizeof path, "%s/bad.png", dir);
    float map[28 * 28] = {0};
    sc_error err = {0};
    sc_heatmap_style s = {.signed_map = 0, .scale = 1000, .alpha = 0.5f};
    ck_assert_int_eq(sc_heatmap_png(path, map, 28, 28, &s, &err), SC_ERR_USAGE);
    ck_assert_ptr_nonnull(strstr(err.msg, path));
    ck_assert_ptr_nonnull(strstr(err.msg, "8192"));
    s.scale = 0;
    ck_assert_int_eq(sc_heatmap_png(path, map, 28, 28, &s, &err), SC_ERR_USAGE);
    s.scale = 1;
    s.alpha = NAN;
    ck_assert_int_eq(sc_heatmap_png(path, map, 28, 28, &s, &err), SC_ERR_USAGE);
    s.alpha = 0.5f;
    ck_assert_int_eq(sc_heatmap_png(path, map, 0, 28, &s, &err), SC_ERR_USAGE);
    ck_assert_int_eq(sc_heatmap_png(path, NULL, 28, 28, &s, &err), SC_ERR_USAGE);
    ck_assert_int_eq(sc_heatmap_png(path, map, 28, 28, NULL, &err), SC_ERR_USAGE);
    ck_assert_int_eq(count_files(dir), 0);
    sc_test_rmtree(dir);
}
END_TEST

/* ---- unwritable paths ----------------------------------------------------------------------- */

START_TEST(test_unwritable_path) {
    char dir[256], path[512];
    ck_assert_ptr_nonnull(sc_test_tmpdir("heatmap", dir, sizeof dir));
    float map[4] = {0, 1, 2, 3};
    sc_heatmap_style s = {.signed_map = 0, .scale = 1, .alpha = 0.5f};
    sc_error err = {0};
    snprintf(path, sizeof path, "%s/missing/map.png", dir);
    ck_assert_int_eq(sc_heatmap_png(path, map, 2, 2, &s, &err), SC_ERR_IO);
    ck_assert_ptr_nonnull(strstr(err.msg, path));
    ck_assert_int_eq(count_files(dir), 0);
    /* the target is a directory: the rename fails, the temporary file goes */
    snprintf(path, sizeof path, "%s/taken", dir);
    ck_assert_int_eq(mkdir(path, 0755), 0);
    ck_assert_int_eq(sc_heatmap_overlay_png(path, map, 1, map, 2, 2, &s, &err), SC_ERR_IO);
    ck_assert_ptr_nonnull(strstr(err.msg, path));
    ck_assert_int_eq(count_files(dir), 1);
    const float *maps[1] = {map};
    sc_heatmap_grid g = {
        .rows = 1, .map_sets = 1, .c = 1, .h = 2, .w = 2, .images = map, .maps = maps, .style = s};
    int wrote_text = -1;
    ck_assert_int_eq(sc_heatmap_grid_png(path, &g, &wrote_text, &err), SC_ERR_IO);
    ck_assert_int_eq(wrote_text, 0);
    double x[2] = {0, 1}, y[2] = {1, 0};
    sc_plot_series series = {"a", x, y, 2};
    sc_plot p = {.title = "t", .series = &series, .n_series = 1};
    ck_assert_int_eq(sc_plot_png(path, &p, &err),
                     sc_plot_available() ? SC_ERR_IO : SC_ERR_UNSUPPORTED);
    ck_assert_int_eq(count_files(dir), 1);
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert(S_ISDIR(st.st_mode));
    sc_test_rmtree(dir);
}
END_TEST

/* ---- grids ---------------------------------------------------------------------------------- */

START_TEST(test_grid) {
    char dir[256], path[512];
    ck_assert_ptr_nonnull(sc_test_tmpdir("heatmap", dir, sizeof dir));
    snprintf(path, sizeof path, "%s/grid.png", dir);
    enum { ROWS = 3, SETS = 2, C = 3, H = 8, W = 6 };
    float images[ROWS * C * H * W], maps_a[ROWS * H * W], maps_b[ROWS * H * W];
    sc_test_fill_uniform(images, ROWS * C * H * W, 1, 0.0f, 1.0f);
    sc_test_fill_uniform(maps_a, ROWS * H * W, 2, -1.0f, 1.0f);
    sc_test_fill_uniform(maps_b, ROWS * H * W, 3, 0.0f, 1.0f);
    const float *maps[SETS] = {maps_a, maps_b};
    const char *labels[ROWS] = {"T-shirt/top", "Ankle boot", "Sneaker"};
    const char *titles[SETS] = {"standard", "scaat"};
    sc_heatmap_grid g = {.rows = ROWS,
                         .map_sets = SETS,
                         .c = C,
                         .h = H,
                         .w = W,
                         .images = images,
                         .maps = maps,
                         .row_labels = labels,
                         .set_titles = titles,
                         .style = {.signed_map = 0, .scale = 4, .alpha = 0.6f}};
    sc_error err = {0};
    int wrote_text = -1;
    ck_assert_msg(sc_heatmap_grid_png(path, &g, &wrote_text, &err) == SC_OK, "%s", err.msg);
    ck_assert_int_eq(wrote_text, sc_plot_available());
    sc_grid_text_size text = {0};
#ifdef SCAAT_HAVE_CAIRO
    ck_assert_int_eq(sc_grid_text_measure(path, &g, &text, &err), SC_OK);
    ck_assert_int_gt(text.label_w, 0);
#endif
    sc_grid_layout L;
    ck_assert_int_eq(sc_grid_layout_compute(path, &g, &text, &L, &err), SC_OK);
    decoded d = read_png(path);
    ck_assert_int_eq(d.w, L.width);
    ck_assert_int_eq(d.h, L.height);
    ck_assert_int_ge(d.w, (1 + SETS) * W * 4 + L.bar_w);
    ck_assert_int_ge(d.h, ROWS * H * 4);
    /* row 2, map pixel (5, 3): the image, then each set's overlay */
    int r = 2, my = 5, mx = 3;
    int y = L.row_y + r * L.row_pitch + my * 4 + 1;
    size_t plane = H * W, at = (size_t)my * W + mx;
    uint8_t img[3], colour[3], want[3];
    for (int k = 0; k < 3; k++)
        img[k] = (uint8_t)lrintf(images[(size_t)r * C * plane + k * plane + at] * 255.0f);
    assert_rgb_near(px(&d, sc_grid_cell_x(&L, 0) + mx * 4 + 2, y), img, 0, "the image cell");
    for (int s = 0; s < SETS; s++) {
        const float *m = maps[s] + (size_t)r * plane;
        float clip = sc_map_clip_scale(m, H, W);
        cmap(SC_CMAP_INFERNO, fminf(fabsf(m[at]) / clip, 1.0f), colour);
        blend(img, colour, 0.6f, want);
        assert_rgb_near(px(&d, sc_grid_cell_x(&L, 1 + s) + mx * 4 + 3, y), want, 0,
                        "an overlay cell");
    }
    /* the colour bar: top colour at the top, bottom colour at the bottom */
    uint8_t top[3], bottom[3];
    cmap(SC_CMAP_INFERNO, 1.0f, top);
    cmap(SC_CMAP_INFERNO, 0.0f, bottom);
    assert_rgb_near(px(&d, L.bar_x + L.bar_w / 2, L.bar_y), top, 0, "the bar's top");
    assert_rgb_near(px(&d, L.bar_x + L.bar_w / 2, L.bar_y + L.bar_h - 1), bottom, 0,
                    "the bar's bottom");
    /* text: ink in the label column and the title row exactly when the build has cairo */
    long label_ink = inked(&d, 0, L.row_y, L.col_x - 1, L.row_y + L.row_pitch * ROWS);
    long title_ink = inked(&d, L.col_x, 0, L.bar_x - 2, L.row_y - 1);
    if (sc_plot_available()) {
        ck_assert_int_gt(label_ink, 20);
        ck_assert_int_gt(title_ink, 20);
    } else {
        ck_assert_int_eq(label_ink + title_ink, 0);
    }
    free(d.rgb);
    ck_assert_int_eq(count_files(dir), 1);
    sc_test_rmtree(dir);
}
END_TEST

START_TEST(test_grid_signed_and_bad) {
    char dir[256], path[512];
    ck_assert_ptr_nonnull(sc_test_tmpdir("heatmap", dir, sizeof dir));
    snprintf(path, sizeof path, "%s/grid.png", dir);
    float image[1] = {0.5f}, map[1] = {-1.0f};
    const float *maps[1] = {map};
    sc_heatmap_grid g = {.rows = 1,
                         .map_sets = 1,
                         .c = 1,
                         .h = 1,
                         .w = 1,
                         .images = image,
                         .maps = maps,
                         .style = {.signed_map = 1, .scale = 1, .alpha = 1.0f}};
    sc_error err = {0};
    ck_assert_msg(sc_heatmap_grid_png(path, &g, NULL, &err) == SC_OK, "%s", err.msg);
    decoded d = read_png(path);
    sc_grid_text_size text = {0};
#ifdef SCAAT_HAVE_CAIRO
    ck_assert_int_eq(sc_grid_text_measure(path, &g, &text, &err), SC_OK);
#endif
    sc_grid_layout L;
    ck_assert_int_eq(sc_grid_layout_compute(path, &g, &text, &L, &err), SC_OK);
    uint8_t blue[3], white[3] = {255, 255, 255};
    cmap(SC_CMAP_DIVERGING, 0.0f, blue);
    assert_rgb_near(px(&d, sc_grid_cell_x(&L, 1), L.row_y), blue, 0, "a -1 map");
    assert_rgb_near(px(&d, L.bar_x + 3, L.bar_y + L.bar_h - 1), blue, 0, "the bar's bottom");
    assert_rgb_near(px(&d, L.bar_x + 3, L.bar_y + (L.bar_h - 1) / 2), white, 6, "the bar's middle");
    free(d.rgb);
    unlink(path);
    /* too large, missing parts */
    float big_img[28 * 28] = {0};
    const float *big_maps[1] = {big_img};
    sc_heatmap_grid big = {.rows = 1,
                           .map_sets = 1,
                           .c = 1,
                           .h = 28,
                           .w = 28,
                           .images = big_img,
                           .maps = big_maps,
                           .style = {.signed_map = 0, .scale = 200, .alpha = 0.5f}};
    ck_assert_int_eq(sc_heatmap_grid_png(path, &big, NULL, &err), SC_ERR_USAGE);
    big.style.scale = 150; /* a 4200-pixel cell fits, two columns and the bar do not */
    ck_assert_int_eq(sc_heatmap_grid_png(path, &big, NULL, &err), SC_ERR_USAGE);
    ck_assert_ptr_nonnull(strstr(err.msg, "8192"));
    big.style.scale = 1;
    big.c = 2;
    ck_assert_int_eq(sc_heatmap_grid_png(path, &big, NULL, &err), SC_ERR_USAGE);
    big.c = 1;
    big_maps[0] = NULL;
    ck_assert_int_eq(sc_heatmap_grid_png(path, &big, NULL, &err), SC_ERR_USAGE);
    big_maps[0] = big_img;
    big.rows = 0;
    ck_assert_int_eq(sc_heatmap_grid_png(path, &big, NULL, &err), SC_ERR_USAGE);
    ck_assert_int_eq(sc_heatmap_grid_png(path, NULL, NULL, &err), SC_ERR_USAGE);
    ck_assert_int_eq(count_files(dir), 0);
    sc_test_rmtree(dir);
}
END_TEST

/* ---- plots ---------------------------------------------------------------------------------- */

/* pixels close to the colour (r, g, b) */
static long count_colour(const decoded *d, int r, int g, int b) {
    long n = 0;
    for (int y = 0; y < d->h; y++)
        for (int x = 0; x < d->w; x++) {
            const uint8_t *p = px_at(d, x, y);
            n += abs(p[0] - r) < 24 && abs(p[1] - g) < 24 && abs(p[2] - b) < 24;
        }
    return n;
}

START_TEST(test_plot) {
    char dir[256], path[512];
    ck_assert_ptr_nonnull(sc_test_tmpdir("heatmap", dir, sizeof dir));
    snprintf(path, sizeof path, "%s/deletion.png", dir);
    double x[11], y_std[11], y_scaat[11];
    for (int i = 0; i <= 10; i++) {
        x[i] = i / 10.0;
        y_std[i] = exp(-3.0 * x[i]);
        y_scaat[i] = exp(-6.0 * x[i]);
    }
    y_std[4] = NAN; /* breaks the line */
    sc_plot_series series[2] = {{"standard", x, y_std, 11}, {"scaat", x, y_scaat, 11}};
    sc_plot p = {.title = "Deletion",
                 .x_label = "fraction of pixels removed",
                 .y_label = "accuracy",
                 .series = series,
                 .n_series = 2,
                 .width = 640,
                 .height = 400};
    sc_error err = {0};
    sc_status st = sc_plot_png(path, &p, &err);
    if (!sc_plot_available()) {
        ck_assert_int_eq(st, SC_ERR_UNSUPPORTED);
        ck_assert_ptr_nonnull(strstr(err.msg, "cairo"));
        ck_assert_int_eq(count_files(dir), 0);
        sc_test_rmtree(dir);
        return;
    }
    ck_assert_msg(st == SC_OK, "%s", err.msg);
    decoded d = read_png(path);
    ck_assert_int_eq(d.w, 640);
    ck_assert_int_eq(d.h, 400);
    ck_assert_int_gt(inked(&d, 0, 0, d.w, d.h), 2000);
    ck_assert_int_gt(count_colour(&d, 0, 114, 178), 200); /* Okabe-Ito blue: series 1 */
    ck_assert_int_gt(count_colour(&d, 213, 94, 0), 200);  /* vermillion: series 2 */
    ck_assert_int_gt(inked(&d, 0, 0, d.w, 30), 50);       /* the title */
    assert_rgb_near(px(&d, 1, 1), (const uint8_t[3]){255, 255, 255}, 0, "the background");
    free(d.rgb);
    /* default size, a one-point series, an unnamed one, no labels, more series than colours */
    double one_x = 3.0, one_y = 0.5;
    sc_plot_series many[10];
    for (int k = 0; k < 10; k++)
        many[k] = (sc_plot_series){k == 0 ? NULL : "ckpt", k == 1 ? &one_x : x,
                                   k == 1 ? &one_y : y_scaat, k == 1 ? 1 : 11};
    sc_plot q = {.series = many, .n_series = 10};
    ck_assert_msg(sc_plot_png(path, &q, &err) == SC_OK, "%s", err.msg);
    d = read_png(path);
    ck_assert_int_eq(d.w, 800);
    ck_assert_int_eq(d.h, 500);
    free(d.rgb);
    ck_assert_int_eq(count_files(dir), 1);
    sc_test_rmtree(dir);
}
END_TEST

START_TEST(test_plot_bad) {
    char dir[256], path[512];
    ck_assert_ptr_nonnull(sc_test_tmpdir("heatmap", dir, sizeof dir));
    snprintf(path, sizeof path, "%s/bad.png", dir);
    double x[2] = {0, 1}, y[2] = {NAN, NAN};
    sc_plot_series s = {"a", x, y, 2};
    sc_plot p = {.series = &s, .n_series = 0};
    sc_error err = {0};
    ck_assert_int_eq(sc_plot_png(path, &p, &err), SC_ERR_USAGE);
    p.n_series = 1;
    p.width = 10;
    ck_assert_int_eq(sc_plot_png(path, &p, &err), SC_ERR_USAGE);
    ck_assert_ptr_nonnull(strstr(err.msg, path));
    p.width = 0;
    s.n = 0;
    ck_assert_int_eq(sc_plot_png(path, &p, &err), SC_ERR_USAGE);
    ck_assert_int_eq(count_files(dir), 0);
    s.n = 2; /* nothing drawable: still a plot, with axes 0..1 */
    ck_assert_int_eq(sc_plot_png(path, &p, &err), sc_plot_available() ? SC_OK : SC_ERR_UNSUPPORTED);
    sc_test_rmtree(dir);
}
END_TEST

/* cairo falls back to its built-in font when fontconfig has no fonts at all */
START_TEST(test_plot_without_fonts) {
    if (!sc_plot_available())
        return;
    char dir[256], path[512], conf[512];
    ck_assert_ptr_nonnull(sc_test_tmpdir("heatmap", dir, sizeof dir));
    snprintf(conf, sizeof conf, "%s/fonts.conf", dir);
    FILE *f = fopen(conf, "w");
    ck_assert_ptr_nonnull(f);
    fputs("<?xml version=\"1.0\"?>\n<fontconfig></fontconfig>\n", f);
    ck_assert_int_eq(fclose(f), 0);
    setenv("FONTCONFIG_FILE", conf, 1); /* this forked test process only */
    snprintf(path, sizeof path, "%s/plot.png", dir);
    double x[3] = {0, 0.5, 1}, y[3] = {1, 0.4, 0.1};
    sc_plot_series s = {"no fonts", x, y, 3};
    sc_plot p = {.title = "Insertion", .x_label = "x", .y_label = "y", .series = &s, .n_series = 1};
    sc_error err = {0};
    ck_assert_msg(sc_plot_png(path, &p, &err) == SC_OK, "%s", err.msg);
    decoded d = read_png(path);
    ck_assert_int_gt(inked(&d, 0, 0, d.w, 30), 20); /* the title is still drawn */
    free(d.rgb);
    sc_test_rmtree(dir);
}
END_TEST

START_TEST(test_render_info) {
    const char *info = sc_explain_render_info();
    ck_assert_ptr_nonnull(info);
    ck_assert_int_eq(strncmp(info, "cairo ", 6) == 0, sc_plot_available());
}
END_TEST

int main(void) {
    Suite *s = suite_create("heatmap");
    TCase *tc = tcase_create("heatmap");
    tcase_add_test(tc, test_colormap_ends);
    tcase_add_test(tc, test_clip_scale);
    tcase_add_test(tc, test_heatmap_onehot_upscaled);
    tcase_add_test(tc, test_heatmap_signed);
    tcase_add_test(tc, test_heatmap_outlier_clipped);
    tcase_add_test(tc, test_heatmap_nan_and_tiny);
    tcase_add_test(tc, test_overlay_blend);
    tcase_add_test(tc, test_heatmap_bad_requests);
    tcase_add_test(tc, test_unwritable_path);
    tcase_add_test(tc, test_grid);
    tcase_add_test(tc, test_grid_signed_and_bad);
    tcase_add_test(tc, test_plot);
    tcase_add_test(tc, test_plot_bad);
    tcase_add_test(tc, test_plot_without_fonts);
    tcase_add_test(tc, test_render_info);
    suite_add_tcase(s, tc);
    return sc_check_run(s);
}
