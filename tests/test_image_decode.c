/* The JPEG / PNG / TIFF decoders (datasets/image.h) against Pillow: tests/make_image_fixtures.py
 * wrote small images of every kind (grey, RGB, RGBA, CMYK JPEG and TIFF, palette with and
 * without transparency, 1-, 4-, 8- and 16-bit PNG, interlaced PNG, compressed TIFF) and what
 * Pillow's convert("RGB") / convert("L") makes of them. Decoded pixels must equal Pillow's
 * exactly for lossless files and within one level for JPEG and CMYK TIFF (libtiff rounds CMYK
 * down, Pillow to nearest). Then the bad inputs: non-image bytes,
 * every truncation of every file, corrupted bytes, the pixel limit; DCT-scaled JPEG sizes; a
 * tiled LZW TIFF written here with libtiff; and decodes from several threads at once. */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef SCAAT_HAVE_TIFF
#include <tiffio.h>
#endif

#include "common/test_util.h"
#include "datasets/image.h"
#include "host/core/fileio.h"
#include "host/core/safetensors.h"
#include "tests/common/check_run.h"

typedef struct image_case {
    const char *file;
    int rgb_tolerance, grey_tolerance;
} image_case;

static const image_case CASES[] = {
    {"rgb.jpg", 1, 1},        {"progressive.jpg", 1, 1}, {"grey.jpg", 1, 1},
    {"cmyk.jpg", 1, 1},       {"large.jpg", 1, 1},       {"rgb.png", 0, 0},
    {"rgba.png", 0, 0},       {"grey.png", 0, 0},        {"grey_alpha.png", 0, 0},
    {"bilevel.png", 0, 0},    {"palette.png", 0, 0},     {"palette4.png", 0, 0},
    {"palette_trns.png", 0, 0}, {"grey16.png", 0, 0},    {"rgb16.png", 0, 0},
    {"interlaced.png", 0, 0}, {"rgb.tif", 0, 0},         {"rgb_lzw.tif", 0, 0},
    {"rgb_deflate.tif", 0, 0}, {"rgba.tif", 0, 0},       {"grey.tif", 0, 0},
    {"palette.tif", 0, 0},    {"cmyk.tif", 1, 1},        {"grey16.tif", 0, 0},
};
#define N_CASES ((int)(sizeof CASES / sizeof CASES[0]))

typedef struct file_bytes {
    char *data;
    size_t len;
} file_bytes;

static file_bytes read_fixture(const char *file) {
    char rel[256], path[1024];
    snprintf(rel, sizeof rel, "tests/fixtures/images/%s", file);
    sc_test_source_path(rel, path, sizeof path);
    file_bytes fb = {NULL, 0};
    sc_error err = {0};
    ck_assert_msg(sc_file_read_all(path, 1 << 20, &fb.data, &fb.len, &err) == SC_OK, "%s", err.msg);
    return fb;
}

static void open_expected(sc_st_file *f) {
    char path[1024];
    sc_error err = {0};
    sc_test_source_path("tests/fixtures/images_expected.safetensors", path, sizeof path);
    ck_assert_msg(sc_st_open(f, path, &err) == SC_OK, "%s", err.msg);
}

static sc_image_format format_of_name(const char *file) {
    const char *ext = strrchr(file, '.');
    return strcmp(ext, ".jpg") == 0 ? SC_IMAGE_JPEG : strcmp(ext, ".png") == 0 ? SC_IMAGE_PNG : SC_IMAGE_TIFF;
}

/* max |decoded - expected| over the image, after checking the shape. */
static int max_difference(const sc_image *img, const sc_st_entry *e, const char *what) {
    ck_assert_msg(e != NULL, "%s: no expected pixels in the fixture", what);
    ck_assert_int_eq(e->dtype, SC_ST_U8);
    ck_assert_int_eq(e->ndim, 3);
    ck_assert_msg(img->height == e->shape[0] && img->width == e->shape[1] && img->channels == e->shape[2],
                  "%s: decoded %d x %d x %d, Pillow %lld x %lld x %lld", what, img->height, img->width,
                  img->channels, (long long)e->shape[0], (long long)e->shape[1], (long long)e->shape[2]);
    const uint8_t *ref = e->data;
    int worst = 0;
    for (int64_t i = 0; i < e->numel; i++) {
        int d = abs((int)img->pixels[i] - (int)ref[i]);
        worst = d > worst ? d : worst;
    }
    return worst;
}

START_TEST(test_decode_matches_pillow) {
    sc_st_file expected;
    open_expected(&expected);
    sc_image img = {0};
    for (int k = 0; k < N_CASES; k++) {
        const image_case *c = &CASES[k];
        if (!sc_image_format_available(format_of_name(c->file)))
            continue;
        file_bytes fb = read_fixture(c->file);
        for (int channels = 1; channels <= 3; channels += 2) {
            sc_decode_options opt = {channels, 0, 0, 0};
            sc_error err = {0};
            ck_assert_msg(sc_image_decode((const uint8_t *)fb.data, fb.len, c->file, &opt, &img, &err) == SC_OK,
                          "%s: %s", c->file, err.msg);
            char key[128], what[160];
            snprintf(key, sizeof key, "%s.%s", c->file, channels == 3 ? "rgb" : "l");
            snprintf(what, sizeof what, "%s (%d channels)", c->file, channels);
            int worst = max_difference(&img, sc_st_find(&expected, key), what);
            int allowed = channels == 3 ? c->rgb_tolerance : c->grey_tolerance;
            ck_assert_msg(worst <= allowed, "%s: max difference to Pillow %d (allowed %d)", what, worst, allowed);
        }
        sc_image_format format;
        int h = 0, w = 0;
        sc_error err = {0};
        ck_assert_msg(sc_image_probe((const uint8_t *)fb.data, fb.len, c->file, &format, &h, &w, &err) == SC_OK,
                      "%s: %s", c->file, err.msg);
        ck_assert_int_eq(format, format_of_name(c->file));
        ck_assert_int_eq(h, img.height);
        ck_assert_int_eq(w, img.width);
        free(fb.data);
    }
    sc_image_free(&img);
    sc_st_close(&expected);
}
END_TEST

START_TEST(test_bad_bytes_are_refused) {
    sc_image img = {0};
    sc_error err = {0};
    const char *text = "hello, this is not an image";
    ck_assert_int_eq(sc_image_decode((const uint8_t *)text, strlen(text), "notes.txt", NULL, &img, &err), SC_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(err.msg, "notes.txt"));
    ck_assert_ptr_nonnull(strstr(err.msg, "not a JPEG, PNG or TIFF"));
    ck_assert_int_eq(sc_image_decode(NULL, 0, "empty.jpg", NULL, &img, &err), SC_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(err.msg, "empty.jpg"));
    sc_decode_options four = {4, 0, 0, 0};
    file_bytes fb = read_fixture("rgb.png");
    ck_assert_int_eq(sc_image_decode((const uint8_t *)fb.data, fb.len, "rgb.png", &four, &img, &err), SC_ERR_USAGE);
    ck_assert_ptr_nonnull(strstr(err.msg, "expected 1 or 3"));
    free(fb.data);
    /* A format this build lacks: refused as unsupported, naming the file and the build. */
    const char *optional[] = {"rgb.jpg", "rgb.tif"};
    for (int k = 0; k < 2; k++) {
        if (sc_image_format_available(format_of_name(optional[k])))
            continue;
        fb = read_fixture(optional[k]);
        ck_assert_int_eq(sc_image_decode((const uint8_t *)fb.data, fb.len, optional[k], NULL, &img, &err),
                         SC_ERR_UNSUPPORTED);
        ck_assert_ptr_nonnull(strstr(err.msg, "this build has no"));
        ck_assert_ptr_nonnull(strstr(err.msg, optional[k]));
        free(fb.data);
    }
    sc_image_free(&img);
}
END_TEST

/* Every prefix of every file: a clear error (or, for a prefix that happens to hold a whole
 * image, success), never a crash; the full truncation in the middle is always an error. */
START_TEST(test_truncated_files) {
    sc_image img = {0};
    for (int k = 0; k < N_CASES; k++) {
        if (!sc_image_format_available(format_of_name(CASES[k].file)))
            continue;
        file_bytes fb = read_fixture(CASES[k].file);
        for (size_t len = 0; len < fb.len; len += 1 + len / 64) {
            sc_error err = {0};
            sc_status st = sc_image_decode((const uint8_t *)fb.data, len, CASES[k].file, NULL, &img, &err);
            ck_assert_msg(st == SC_OK || st == SC_ERR_FORMAT, "%s cut at %zu: status %s", CASES[k].file, len,
                          sc_status_name(st));
            if (st != SC_OK)
                ck_assert_msg(strstr(err.msg, CASES[k].file) != NULL, "error does not name the file: %s", err.msg);
        }
        sc_error err = {0};
        ck_assert_msg(sc_image_decode((const uint8_t *)fb.data, fb.len / 2, CASES[k].file, NULL, &img, &err) ==
                          SC_ERR_FORMAT,
                      "%s cut in half was accepted", CASES[k].file);
        free(fb.data);
    }
    sc_image_free(&img);
}
END_TEST

/* Bytes overwritten in the middle of each file: any status but a crash; PNG (CRCs) refuses. */
START_TEST(test_corrupt_files) {
    sc_image img = {0};
    for (int k = 0; k < N_CASES; k++) {
        if (!sc_image_format_available(format_of_name(CASES[k].file)))
            continue;
        file_bytes fb = read_fixture(CASES[k].file);
        for (int trial = 0; trial < 16; trial++) {
            char *copy = malloc(fb.len);
            memcpy(copy, fb.data, fb.len);
            for (int b = 0; b < 8; b++)
                copy[(fb.len / 3 + (size_t)trial * 37 + (size_t)b * 11) % fb.len] ^= (char)(0x5a + trial + b);
            sc_error err = {0};
            sc_status st = sc_image_decode((const uint8_t *)copy, fb.len, CASES[k].file, NULL, &img, &err);
            ck_assert_msg(st == SC_OK || st == SC_ERR_FORMAT, "%s corrupted: status %s", CASES[k].file,
                          sc_status_name(st));
            if (format_of_name(CASES[k].file) == SC_IMAGE_PNG)
                ck_assert_msg(st == SC_ERR_FORMAT, "%s corrupted (trial %d) was accepted", CASES[k].file, trial);
            free(copy);
        }
        free(fb.data);
    }
    sc_image_free(&img);
}
END_TEST

START_TEST(test_pixel_limit) {
    sc_image img = {0};
    const char *files[] = {"rgb.jpg", "rgb.png", "rgb.tif"};
    for (int k = 0; k < 3; k++) {
        if (!sc_image_format_available(format_of_name(files[k])))
            continue;
        file_bytes fb = read_fixture(files[k]);
        sc_decode_options opt = {3, 17 * 13 - 1, 0, 0};
        sc_error err = {0};
        ck_assert_int_eq(sc_image_decode((const uint8_t *)fb.data, fb.len, files[k], &opt, &img, &err), SC_ERR_FORMAT);
        ck_assert_ptr_nonnull(strstr(err.msg, "above the limit of 220 pixels"));
        ck_assert_ptr_nonnull(strstr(err.msg, files[k]));
        opt.max_pixels = 17 * 13;
        ck_assert_int_eq(sc_image_decode((const uint8_t *)fb.data, fb.len, files[k], &opt, &img, &err), SC_OK);
        free(fb.data);
    }
    sc_image_free(&img);
}
END_TEST

START_TEST(test_jpeg_dct_scaling) {
    if (!sc_image_format_available(SC_IMAGE_JPEG))
        return;
    file_bytes fb = read_fixture("large.jpg"); /* 64 x 48 */
    sc_image img = {0};
    sc_error err = {0};
    /* (min width, min height) -> decoded (width, height): the smallest n/8 that fits. */
    const int sizes[][4] = {{0, 0, 64, 48}, {32, 0, 32, 24}, {20, 0, 24, 18}, {0, 7, 16, 12},
                            {1, 1, 8, 6},   {33, 0, 40, 30}, {100, 0, 64, 48}, {0, 48, 64, 48}};
    for (int k = 0; k < 8; k++) {
        sc_decode_options opt = {3, 0, sizes[k][0], sizes[k][1]};
        ck_assert_msg(sc_image_decode((const uint8_t *)fb.data, fb.len, "large.jpg", &opt, &img, &err) == SC_OK,
                      "%s", err.msg);
        ck_assert_msg(img.width == sizes[k][2] && img.height == sizes[k][3],
                      "min %d x %d: decoded %d x %d, expected %d x %d", sizes[k][0], sizes[k][1], img.width,
                      img.height, sizes[k][2], sizes[k][3]);
    }
    /* Half size equals Pillow's draft mode (the same libjpeg scaling) within a level. */
    sc_decode_options half = {3, 0, 32, 24};
    ck_assert_int_eq(sc_image_decode((const uint8_t *)fb.data, fb.len, "large.jpg", &half, &img, &err), SC_OK);
    sc_st_file expected;
    open_expected(&expected);
    int worst = max_difference(&img, sc_st_find(&expected, "large.jpg.half"), "large.jpg at 1/2");
    ck_assert_msg(worst <= 1, "large.jpg at 1/2: max difference to Pillow's draft %d", worst);
    sc_st_close(&expected);
    sc_image_free(&img);
    free(fb.data);
}
END_TEST

#ifdef SCAAT_HAVE_TIFF
/* A 40 x 23 RGBA image in 16 x 16 LZW tiles (edge tiles partly outside), as pathology tiles
 * come, written with libtiff and decoded back exactly (alpha dropped). */
START_TEST(test_tiled_tiff) {
    enum { W = 40, H = 23, TILE = 16 };
    char dir[256], path[512];
    ck_assert_ptr_nonnull(sc_test_tmpdir("image-tiff", dir, sizeof dir));
    snprintf(path, sizeof path, "%s/tiled.tif", dir);
    uint8_t pixels[H][W][4];
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            for (int c = 0; c < 4; c++)
                pixels[y][x][c] = (uint8_t)(x * 5 + y * 11 + c * 60 + (x * y) % 7);
    TIFF *tif = TIFFOpen(path, "w");
    ck_assert_ptr_nonnull(tif);
    uint16_t extra = EXTRASAMPLE_UNASSALPHA;
    TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, W);
    TIFFSetField(tif, TIFFTAG_IMAGELENGTH, H);
    TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, 4);
    TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, 8);
    TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_RGB);
    TIFFSetField(tif, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
    TIFFSetField(tif, TIFFTAG_EXTRASAMPLES, 1, &extra);
    TIFFSetField(tif, TIFFTAG_COMPRESSION, COMPRESSION_LZW);
    TIFFSetField(tif, TIFFTAG_TILEWIDTH, TILE);
    TIFFSetField(tif, TIFFTAG_TILELENGTH, TILE);
    uint8_t tile[TILE * TILE * 4];
    for (int ty = 0; ty < H; ty += TILE)
        for (int tx = 0; tx < W; tx += TILE) {
            memset(tile, 0, sizeof tile);
            for (int y = 0; y < TILE && ty + y < H; y++)
                for (int x = 0; x < TILE && tx + x < W; x++)
                    memcpy(tile + (y * TILE + x) * 4, pixels[ty + y][tx + x], 4);
            ck_assert_int_ge(TIFFWriteTile(tif, tile, (uint32_t)tx, (uint32_t)ty, 0, 0), 0);
        }
    TIFFClose(tif);
    file_bytes fb = {NULL, 0};
    sc_error err = {0};
    ck_assert_int_eq(sc_file_read_all(path, 1 << 20, &fb.data, &fb.len, &err), SC_OK);
    sc_image img = {0};
    ck_assert_msg(sc_image_decode((const uint8_t *)fb.data, fb.len, "tiled.tif", NULL, &img, &err) == SC_OK, "%s",
                  err.msg);
    ck_assert_int_eq(img.width, W);
    ck_assert_int_eq(img.height, H);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            for (int c = 0; c < 3; c++)
                ck_assert_int_eq(img.pixels[(y * W + x) * 3 + c], pixels[y][x][c]);
    sc_image_free(&img);
    free(fb.data);
    sc_test_rmtree(dir);
}
END_TEST
#endif

/* Four threads decode good and truncated files at once: the per-decode error handling must
 * not mix their states (each result still equals the single-threaded one). */
typedef struct thread_job {
    file_bytes files[N_CASES];
    sc_image reference[N_CASES];
    int failures;
} thread_job;

static void *decode_many(void *arg) {
    thread_job *job = arg;
    sc_image img = {0};
    for (int round = 0; round < 20; round++)
        for (int k = 0; k < N_CASES; k++) {
            if (job->files[k].data == NULL)
                continue;
            sc_error err = {0};
            if (sc_image_decode((const uint8_t *)job->files[k].data, job->files[k].len / 2, CASES[k].file, NULL, &img,
                                &err) != SC_ERR_FORMAT)
                job->failures++;
            if (sc_image_decode((const uint8_t *)job->files[k].data, job->files[k].len, CASES[k].file, NULL, &img,
                                &err) != SC_OK ||
                img.height != job->reference[k].height || img.width != job->reference[k].width ||
                memcmp(img.pixels, job->reference[k].pixels, (size_t)img.height * img.width * 3) != 0)
                job->failures++;
        }
    sc_image_free(&img);
    return NULL;
}

START_TEST(test_decode_threads) {
    thread_job job;
    memset(&job, 0, sizeof job);
    for (int k = 0; k < N_CASES; k++) {
        if (!sc_image_format_available(format_of_name(CASES[k].file)))
            continue;
        job.files[k] = read_fixture(CASES[k].file);
        sc_error err = {0};
        ck_assert_int_eq(sc_image_decode((const uint8_t *)job.files[k].data, job.files[k].len, CASES[k].file, NULL,
                                         &job.reference[k], &err), SC_OK);
    }
    enum { THREADS = 4 };
    thread_job jobs[THREADS];
    pthread_t threads[THREADS];
    for (int t = 0; t < THREADS; t++) {
        jobs[t] = job;
        ck_assert_int_eq(pthread_create(&threads[t], NULL, decode_many, &jobs[t]), 0);
    }
    for (int t = 0; t < THREADS; t++) {
        pthread_join(threads[t], NULL);
        ck_assert_int_eq(jobs[t].failures, 0);
    }
    for (int k = 0; k < N_CASES; k++) {
        free(job.files[k].data);
        sc_image_free(&job.reference[k]);
    }
}
END_TEST

int main(void) {
    Suite *s = suite_create("image_decode");
    TCase *tc = tcase_create("image_decode");
    tcase_add_test(tc, test_decode_matches_pillow);
    tcase_add_test(tc, test_bad_bytes_are_refused);
    tcase_add_test(tc, test_truncated_files);
    tcase_add_test(tc, test_corrupt_files);
    tcase_add_test(tc, test_pixel_limit);
    tcase_add_test(tc, test_jpeg_dct_scaling);
#ifdef SCAAT_HAVE_TIFF
    tcase_add_test(tc, test_tiled_tiff);
#endif
    tcase_add_test(tc, test_decode_threads);
    suite_add_tcase(s, tc);
    return sc_check_run(s);
}
