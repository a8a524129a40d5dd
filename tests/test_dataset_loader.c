/* Epoch order, augmentation, batch assembly and the prefetching loader: the shuffle is a
 * reproducible permutation, crop / flip move exact pixels, the loader yields every sample once
 * per epoch, prefetching equals a synchronous computation, and a resumed run gets the batches
 * of the uninterrupted one. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/test_util.h"
#include "datasets/augment.h"
#include "datasets/batch.h"
#include "datasets/dataset.h"
#include "datasets/loader.h"
#include "datasets/shuffle.h"
#include "tests/common/check_run.h"

/* A dataset of `count` images (channels, height, width): pixel bytes from Philox, label of
 * sample i = i % classes. mean 0.25..., std 0.5... per channel. */
static void make_random_dataset(sc_dataset *ds, int64_t count, int channels, int height,
                                int width, int classes, uint64_t seed) {
    sc_error err;
    ck_assert_int_eq(sc_dataset_alloc(ds, "synthetic", count, channels, height, width, classes,
                                      &err),
                     SC_OK);
    int64_t bytes = count * sc_dataset_image_bytes(ds);
    float *u = malloc((size_t)bytes * sizeof *u);
    sc_test_fill_uniform(u, (size_t)bytes, seed, 0.0f, 256.0f);
    for (int64_t i = 0; i < bytes; i++)
        ds->images[i] = (uint8_t)u[i];
    free(u);
    for (int64_t i = 0; i < count; i++)
        ds->labels[i] = (int32_t)(i % classes);
    for (int c = 0; c < channels; c++) {
        ds->mean[c] = 0.25f + 0.1f * (float)c;
        ds->std[c] = 0.5f - 0.05f * (float)c;
    }
}

/* A dataset whose sample i has every pixel = i and label i (count <= 256), mean 0, std 1, so a
 * normalised pixel * 255 gives back the sample index. */
static void make_index_dataset(sc_dataset *ds, int64_t count) {
    sc_error err;
    ck_assert_int_le(count, 256);
    ck_assert_int_eq(sc_dataset_alloc(ds, "index", count, 1, 2, 2, (int)count, &err), SC_OK);
    for (int64_t i = 0; i < count; i++) {
        memset(ds->images + i * 4, (int)i, 4);
        ds->labels[i] = (int32_t)i;
    }
}

static int sample_of(const sc_batch *b, int k) {
    size_t image = (size_t)b->channels * b->height * b->width;
    return (int)(b->images[(size_t)k * image] * 255.0f + 0.5f);
}

/* ---- shuffle ---------------------------------------------------------------------------- */

static int is_permutation(const int32_t *order, int64_t count) {
    char *seen = calloc((size_t)count, 1);
    int ok = 1;
    for (int64_t i = 0; i < count && ok; i++) {
        if (order[i] < 0 || order[i] >= count || seen[order[i]])
            ok = 0;
        else
            seen[order[i]] = 1;
    }
    free(seen);
    return ok;
}

START_TEST(shuffle_is_reproducible_permutation) {
    enum { N = 1000 };
    static int32_t a[N], b[N], c[N], d[N];
    sc_order_shuffle(a, N, 42, 3);
    sc_order_shuffle(b, N, 42, 3);
    sc_order_shuffle(c, N, 42, 4);
    sc_order_shuffle(d, N, 43, 3);
    ck_assert(is_permutation(a, N));
    ck_assert(is_permutation(c, N));
    ck_assert(is_permutation(d, N));
    ck_assert_int_eq(memcmp(a, b, sizeof a), 0);
    ck_assert_int_ne(memcmp(a, c, sizeof a), 0);
    ck_assert_int_ne(memcmp(a, d, sizeof a), 0);
    int fixed = 0;
    for (int i = 0; i < N; i++)
        fixed += a[i] == i;
    ck_assert_int_lt(fixed, 10); /* a shuffled order, not the identity (expected ~1) */
    sc_order_identity(a, N);
    for (int i = 0; i < N; i++)
        ck_assert_int_eq(a[i], i);
    int32_t one[1];
    sc_order_shuffle(one, 1, 7, 0);
    ck_assert_int_eq(one[0], 0);
}
END_TEST

START_TEST(shuffle_positions_are_uniform) {
    /* Over 4000 epochs, element 0 lands in each of 8 positions about 500 times. */
    int32_t order[8];
    int where[8] = {0};
    for (uint32_t epoch = 0; epoch < 4000; epoch++) {
        sc_order_shuffle(order, 8, 1, epoch);
        for (int i = 0; i < 8; i++)
            if (order[i] == 0)
                where[i]++;
    }
    for (int i = 0; i < 8; i++)
        ck_assert_msg(where[i] > 400 && where[i] < 600, "position %d: %d of 4000", i, where[i]);
}
END_TEST

/* ---- augmentation --------------------------------------------------------------------- */

START_TEST(normalizer_matches_formula) {
    const float mean[3] = {0.4914f, 0.4822f, 0.4465f}, std[3] = {0.2470f, 0.2435f, 0.2616f};
    sc_normalizer norm;
    sc_normalizer_init(&norm, 3, mean, std);
    ck_assert_int_eq(norm.channels, 3);
    for (int c = 0; c < 3; c++)
        for (int p = 0; p < 256; p++) {
            float expected = ((float)p / 255.0f - mean[c]) / std[c];
            ck_assert_float_eq(norm.value[c][p], expected);
        }
    ck_assert_float_eq_tol(norm.value[0][0], -0.4914f / 0.2470f, 1e-6f);
    ck_assert_float_eq_tol(norm.value[2][255], (1.0f - 0.4465f) / 0.2616f, 1e-6f);
}
END_TEST

/* A 2-channel 3x4 image with pixel (c, y, x) = 1 + 100c + 10y + x and an identity normaliser
 * scaled so that value = pixel. */
enum { AH = 3, AW = 4 };
static void make_small_image(uint8_t src[2 * AH * AW], sc_normalizer *norm) {
    for (int c = 0; c < 2; c++)
        for (int y = 0; y < AH; y++)
            for (int x = 0; x < AW; x++)
                src[(c * AH + y) * AW + x] = (uint8_t)(1 + 100 * c + 10 * y + x);
    norm->channels = 2;
    for (int c = 0; c < 2; c++)
        for (int p = 0; p < 256; p++)
            norm->value[c][p] = (float)p;
}

static float pixel_at(const uint8_t *src, int c, int y, int x) {
    if (y < 0 || y >= AH || x < 0 || x >= AW)
        return 0.0f;
    return (float)src[(c * AH + y) * AW + x];
}

START_TEST(augment_flip_mirrors) {
    uint8_t src[2 * AH * AW];
    sc_normalizer norm;
    make_small_image(src, &norm);
    float dst[2 * AH * AW];
    sc_augment_draw identity = {0, 0, 0};
    sc_augment_image(src, AH, AW, 0, &identity, &norm, dst);
    for (int i = 0; i < 2 * AH * AW; i++)
        ck_assert_float_eq(dst[i], (float)src[i]);
    sc_augment_draw flip = {0, 0, 1};
    sc_augment_image(src, AH, AW, 0, &flip, &norm, dst);
    for (int c = 0; c < 2; c++)
        for (int y = 0; y < AH; y++)
            for (int x = 0; x < AW; x++)
                ck_assert_float_eq(dst[(c * AH + y) * AW + x], pixel_at(src, c, y, AW - 1 - x));
    ck_assert_float_eq(dst[0], 4.0f); /* (0, 0, 0) is the old (0, 0, 3) = 1 + 3 */
}
END_TEST

START_TEST(augment_crop_shifts_and_zero_pads) {
    uint8_t src[2 * AH * AW];
    sc_normalizer norm;
    make_small_image(src, &norm);
    float dst[2 * AH * AW];
    const int pad = 2;
    /* Every offset in [0, 2p]^2, with and without flip, against the definition. */
    for (int oy = 0; oy <= 2 * pad; oy++)
        for (int ox = 0; ox <= 2 * pad; ox++)
            for (int f = 0; f <= 1; f++) {
                sc_augment_draw draw = {oy, ox, f};
                sc_augment_image(src, AH, AW, pad, &draw, &norm, dst);
                for (int c = 0; c < 2; c++)
                    for (int y = 0; y < AH; y++)
                        for (int x = 0; x < AW; x++) {
                            int xc = f ? AW - 1 - x : x;
                            ck_assert_float_eq(dst[(c * AH + y) * AW + x],
                                               pixel_at(src, c, y + oy - pad, xc + ox - pad));
                        }
            }
    /* Offset (0, 0): the image moves 2 down and 2 right, zeros above and to the left. */
    sc_augment_draw corner = {0, 0, 0};
    sc_augment_image(src, AH, AW, pad, &corner, &norm, dst);
    const float expected_channel0[AH * AW] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2};
    for (int i = 0; i < AH * AW; i++)
        ck_assert_float_eq(dst[i], expected_channel0[i]);
    /* Offset (p, p) is the identity. */
    sc_augment_draw centre = {pad, pad, 0};
    sc_augment_image(src, AH, AW, pad, &centre, &norm, dst);
    for (int i = 0; i < 2 * AH * AW; i++)
        ck_assert_float_eq(dst[i], (float)src[i]);
}
END_TEST

START_TEST(augment_pads_with_normalised_zero) {
    /* Padding is pixel 0 before normalisation: (0 - mean) / std, not 0. */
    uint8_t src[4] = {255, 255, 255, 255};
    const float mean[1] = {0.5f}, std[1] = {0.25f};
    sc_normalizer norm;
    sc_normalizer_init(&norm, 1, mean, std);
    sc_augment_draw draw = {2, 2, 0}; /* pad 1, offset 2: moves up-left by 1 */
    float dst[4];
    sc_augment_image(src, 2, 2, 1, &draw, &norm, dst);
    ck_assert_float_eq(dst[0], 2.0f);
    ck_assert_float_eq(dst[1], -2.0f);
    ck_assert_float_eq(dst[2], -2.0f);
    ck_assert_float_eq(dst[3], -2.0f);
}
END_TEST

START_TEST(augment_draws_reproducible_and_in_range) {
    sc_augment_config cfg = {4, 1};
    int flips = 0;
    int seen_offset[9] = {0};
    int differs_by_step = 0;
    for (int pos = 0; pos < 2000; pos++) {
        sc_augment_draw a = sc_augment_draw_sample(&cfg, 9, 17, pos);
        sc_augment_draw b = sc_augment_draw_sample(&cfg, 9, 17, pos);
        sc_augment_draw other_step = sc_augment_draw_sample(&cfg, 9, 18, pos);
        ck_assert_int_eq(a.offset_y, b.offset_y);
        ck_assert_int_eq(a.offset_x, b.offset_x);
        ck_assert_int_eq(a.flip, b.flip);
        ck_assert(a.offset_y >= 0 && a.offset_y <= 8 && a.offset_x >= 0 && a.offset_x <= 8);
        ck_assert(a.flip == 0 || a.flip == 1);
        seen_offset[a.offset_y]++;
        flips += a.flip;
        differs_by_step += a.offset_y != other_step.offset_y || a.offset_x != other_step.offset_x ||
                           a.flip != other_step.flip;
    }
    ck_assert_msg(flips > 900 && flips < 1100, "%d flips of 2000", flips);
    for (int o = 0; o <= 8; o++)
        ck_assert_msg(seen_offset[o] > 150, "offset %d drawn %d times", o, seen_offset[o]);
    ck_assert_int_gt(differs_by_step, 1500);
    /* Each choice is off when not configured; flips do not depend on the crop setting. */
    sc_augment_config no_crop = {0, 1}, no_flip = {4, 0};
    for (int pos = 0; pos < 50; pos++) {
        sc_augment_draw full = sc_augment_draw_sample(&cfg, 9, 17, pos);
        sc_augment_draw a = sc_augment_draw_sample(&no_crop, 9, 17, pos);
        sc_augment_draw b = sc_augment_draw_sample(&no_flip, 9, 17, pos);
        ck_assert_int_eq(a.offset_y, 0);
        ck_assert_int_eq(a.offset_x, 0);
        ck_assert_int_eq(a.flip, full.flip);
        ck_assert_int_eq(b.flip, 0);
        ck_assert_int_eq(b.offset_y, full.offset_y);
    }
}
END_TEST

/* ---- batches ------------------------------------------------------------------------------ */

START_TEST(steps_per_epoch) {
    ck_assert_int_eq(sc_batch_steps_per_epoch(10, 4, 0), 3);
    ck_assert_int_eq(sc_batch_steps_per_epoch(10, 4, 1), 2);
    ck_assert_int_eq(sc_batch_steps_per_epoch(8, 4, 1), 2);
    ck_assert_int_eq(sc_batch_steps_per_epoch(8, 4, 0), 2);
    ck_assert_int_eq(sc_batch_steps_per_epoch(3, 4, 1), 0);
    ck_assert_int_eq(sc_batch_steps_per_epoch(3, 4, 0), 1);
}
END_TEST

START_TEST(batch_assemble_uses_order_and_draws) {
    sc_dataset ds;
    make_random_dataset(&ds, 11, 3, 5, 6, 4, 1);
    int32_t order[11];
    sc_order_shuffle(order, 11, 5, 2);
    sc_normalizer norm;
    sc_normalizer_init(&norm, 3, ds.mean, ds.std);
    sc_batch_source src = {&ds, order, 4, {2, 1}, 77, &norm, 0, 1};
    const int image = 3 * 5 * 6;
    float images[4 * 3 * 5 * 6];
    float expected[3 * 5 * 6];
    int32_t labels[4];
    ck_assert_int_eq(sc_batch_assemble(&src, 1, 123, images, labels), 4);
    for (int b = 0; b < 4; b++) {
        int sample = order[4 + b];
        ck_assert_int_eq(labels[b], ds.labels[sample]);
        sc_augment_draw draw = sc_augment_draw_sample(&src.augment, 77, 123, b);
        sc_augment_image(ds.images + sample * image, 5, 6, 2, &draw, &norm, expected);
        ck_assert_int_eq(memcmp(images + b * image, expected, sizeof expected), 0);
    }
    ck_assert_int_eq(sc_batch_assemble(&src, 2, 124, images, labels), 3); /* the tail */
    ck_assert_int_eq(labels[2], ds.labels[order[10]]);
    ck_assert_int_eq(sc_batch_assemble(&src, 3, 125, images, labels), 0);
    sc_dataset_free(&ds);
}
END_TEST

/* Three shards of every batch (the full ones and the tail) together are the unsharded batch,
 * image for image, draws included. */
START_TEST(batch_shards_cover_the_batch_exactly_once) {
    sc_dataset ds;
    make_random_dataset(&ds, 11, 3, 5, 6, 4, 1);
    int32_t order[11];
    sc_order_shuffle(order, 11, 5, 2);
    sc_normalizer norm;
    sc_normalizer_init(&norm, 3, ds.mean, ds.std);
    enum { IMAGE = 3 * 5 * 6, BATCH = 5, SHARDS = 3 };
    sc_batch_source whole = {&ds, order, BATCH, {2, 1}, 77, &norm, 0, 1};
    float expected[BATCH * IMAGE], images[BATCH * IMAGE];
    int32_t expected_labels[BATCH], labels[BATCH];
    for (int64_t step = 0; step < 3; step++) {
        int n = sc_batch_assemble(&whole, step, 40 + (uint64_t)step, expected, expected_labels);
        int covered = 0;
        for (int rank = 0; rank < SHARDS; rank++) {
            sc_batch_source shard = whole;
            shard.shard_rank = rank;
            shard.shard_count = SHARDS;
            int begin, end;
            sc_batch_shard(n, rank, SHARDS, &begin, &end);
            ck_assert_int_eq(begin, covered);
            ck_assert_int_le(end - begin, (BATCH + SHARDS - 1) / SHARDS);
            int got = sc_batch_assemble(&shard, step, 40 + (uint64_t)step, images, labels);
            ck_assert_int_eq(got, end - begin);
            ck_assert_int_eq(memcmp(images, expected + begin * IMAGE,
                                    (size_t)got * IMAGE * sizeof(float)), 0);
            ck_assert_int_eq(memcmp(labels, expected_labels + begin,
                                    (size_t)got * sizeof(int32_t)), 0);
            covered = end;
        }
        ck_assert_int_eq(covered, n);
    }
    sc_dataset_free(&ds);
}
END_TEST

/* ---- loader ------------------------------------------------------------------------------ */

static sc_loader *open_loader(const sc_dataset *ds, const sc_loader_config *cfg) {
    sc_loader *loader = NULL;
    sc_error err;
    ck_assert_msg(sc_loader_open(&loader, ds, cfg, &err) == SC_OK, "%s", err.msg);
    return loader;
}

static void start_epoch(sc_loader *loader, uint32_t epoch, int64_t step, uint64_t global_step) {
    sc_error err;
    ck_assert_msg(sc_loader_start_epoch(loader, epoch, step, global_step, &err) == SC_OK, "%s",
                  err.msg);
}

START_TEST(loader_yields_every_sample_once) {
    /* _i = 0: prefetch thread, 1: synchronous */
    sc_dataset ds;
    make_index_dataset(&ds, 10);
    sc_loader_config cfg = {.batch_size = 4, .shuffle = 1, .seed = 3, .synchronous = _i};
    sc_loader *loader = open_loader(&ds, &cfg);
    ck_assert_int_eq(sc_loader_steps_per_epoch(loader), 3);
    sc_batch batch;
    ck_assert_int_eq(sc_loader_next(loader, &batch), 0); /* before the first epoch */
    int32_t previous[10] = {0};
    for (uint32_t epoch = 0; epoch < 3; epoch++) {
        start_epoch(loader, epoch, 0, epoch * 3);
        int count[10] = {0};
        int32_t seen_order[10];
        int seen = 0;
        const int sizes[3] = {4, 4, 2};
        for (int step = 0; step < 3; step++) {
            ck_assert_int_eq(sc_loader_next(loader, &batch), 1);
            ck_assert_int_eq(batch.n, sizes[step]);
            ck_assert_int_eq(batch.step, step);
            ck_assert_int_eq(batch.global_step, epoch * 3 + (uint64_t)step);
            ck_assert_int_eq(batch.channels, 1);
            ck_assert_int_eq(batch.height, 2);
            ck_assert_int_eq(batch.width, 2);
            for (int k = 0; k < batch.n; k++) {
                int sample = sample_of(&batch, k);
                ck_assert_int_eq(batch.labels[k], sample);
                ck_assert(sample >= 0 && sample < 10);
                count[sample]++;
                seen_order[seen++] = sample;
            }
        }
        ck_assert_int_eq(sc_loader_next(loader, &batch), 0);
        ck_assert_int_eq(sc_loader_next(loader, &batch), 0);
        for (int i = 0; i < 10; i++)
            ck_assert_int_eq(count[i], 1);
        int32_t expected[10];
        sc_order_shuffle(expected, 10, 3, epoch);
        ck_assert_int_eq(memcmp(seen_order, expected, sizeof expected), 0);
        if (epoch > 0)
            ck_assert_int_ne(memcmp(seen_order, previous, sizeof previous), 0);
        memcpy(previous, seen_order, sizeof previous);
    }
    sc_loader_close(loader);
    sc_dataset_free(&ds);
}
END_TEST

START_TEST(loader_drop_last_drops_only_the_tail) {
    sc_dataset ds;
    make_index_dataset(&ds, 10);
    sc_loader_config cfg = {.batch_size = 4, .shuffle = 1, .drop_last = 1, .seed = 8};
    sc_loader *loader = open_loader(&ds, &cfg);
    ck_assert_int_eq(sc_loader_steps_per_epoch(loader), 2);
    start_epoch(loader, 5, 0, 0);
    int32_t expected[10];
    sc_order_shuffle(expected, 10, 8, 5);
    sc_batch batch;
    for (int step = 0; step < 2; step++) {
        ck_assert_int_eq(sc_loader_next(loader, &batch), 1);
        ck_assert_int_eq(batch.n, 4);
        for (int k = 0; k < 4; k++)
            ck_assert_int_eq(sample_of(&batch, k), expected[step * 4 + k]);
    }
    ck_assert_int_eq(sc_loader_next(loader, &batch), 0);
    sc_loader_close(loader);

    /* Without shuffle the order is the dataset order. */
    cfg.shuffle = 0;
    loader = open_loader(&ds, &cfg);
    start_epoch(loader, 5, 0, 0);
    for (int step = 0; step < 2; step++) {
        ck_assert_int_eq(sc_loader_next(loader, &batch), 1);
        for (int k = 0; k < 4; k++)
            ck_assert_int_eq(sample_of(&batch, k), step * 4 + k);
    }
    sc_loader_close(loader);
    sc_dataset_free(&ds);
}
END_TEST

static void sleep_microseconds(long us) {
    struct timespec t = {0, us * 1000};
    nanosleep(&t, NULL);
}

/* Run `epochs` epochs of a loader and compare every batch with a direct sc_batch_assemble. */
START_TEST(loader_prefetch_equals_synchronous) {
    enum { COUNT = 37, C = 3, H = 8, W = 8, BATCH = 5 };
    sc_dataset ds;
    make_random_dataset(&ds, COUNT, C, H, W, 7, 11);
    sc_loader_config cfg = {.batch_size = BATCH, .shuffle = 1, .drop_last = 1,
                            .augment = {2, 1}, .seed = 99};
    sc_loader *prefetch = open_loader(&ds, &cfg);
    cfg.synchronous = 1;
    sc_loader *sync = open_loader(&ds, &cfg);
    sc_normalizer norm;
    sc_normalizer_init(&norm, C, ds.mean, ds.std);
    int32_t order[COUNT];
    sc_batch_source src = {&ds, order, BATCH, cfg.augment, cfg.seed, &norm, 0, 1};
    static float expected_images[BATCH * C * H * W];
    int32_t expected_labels[BATCH];
    int64_t steps = sc_loader_steps_per_epoch(prefetch);
    ck_assert_int_eq(steps, 7);
    uint64_t global_step = 0;
    for (uint32_t epoch = 0; epoch < 3; epoch++) {
        start_epoch(prefetch, epoch, 0, global_step);
        start_epoch(sync, epoch, 0, global_step);
        sc_order_shuffle(order, COUNT, cfg.seed, epoch);
        for (int64_t step = 0; step < steps; step++, global_step++) {
            /* Vary the caller's pace so the worker runs ahead or behind. */
            if ((step + epoch) % 3 == 0)
                sleep_microseconds(2000);
            sc_batch a, b;
            ck_assert_int_eq(sc_loader_next(prefetch, &a), 1);
            ck_assert_int_eq(sc_loader_next(sync, &b), 1);
            int n = sc_batch_assemble(&src, step, global_step, expected_images, expected_labels);
            ck_assert_int_eq(a.n, n);
            ck_assert_int_eq(b.n, n);
            size_t bytes = (size_t)n * C * H * W * sizeof(float);
            ck_assert_int_eq(memcmp(a.images, expected_images, bytes), 0);
            ck_assert_int_eq(memcmp(b.images, expected_images, bytes), 0);
            ck_assert_int_eq(memcmp(a.labels, expected_labels, (size_t)n * sizeof(int32_t)), 0);
            ck_assert_int_eq(memcmp(b.labels, expected_labels, (size_t)n * sizeof(int32_t)), 0);
            ck_assert_int_eq(a.global_step, global_step);
        }
        sc_batch end;
        ck_assert_int_eq(sc_loader_next(prefetch, &end), 0);
    }
    sc_loader_close(prefetch);
    sc_loader_close(sync);
    sc_dataset_free(&ds);
}
END_TEST

/* Copy of one batch, to compare runs. */
typedef struct saved_batch {
    float images[4 * 3 * 6 * 6];
    int32_t labels[4];
    int n;
} saved_batch;

START_TEST(loader_resume_reproduces_batches) {
    enum { COUNT = 23, BATCH = 4, EPOCHS = 3 };
    sc_dataset ds;
    make_random_dataset(&ds, COUNT, 3, 6, 6, 5, 21);
    sc_loader_config cfg = {.batch_size = BATCH, .shuffle = 1, .drop_last = 1,
                            .augment = {1, 1}, .seed = 1234};
    sc_loader *loader = open_loader(&ds, &cfg);
    int64_t steps = sc_loader_steps_per_epoch(loader);
    ck_assert_int_eq(steps, 5);
    static saved_batch full[EPOCHS][5];
    uint64_t global_step = 100;
    for (uint32_t epoch = 0; epoch < EPOCHS; epoch++) {
        start_epoch(loader, epoch, 0, global_step);
        sc_batch b;
        for (int64_t step = 0; step < steps; step++, global_step++) {
            ck_assert_int_eq(sc_loader_next(loader, &b), 1);
            saved_batch *s = &full[epoch][step];
            s->n = b.n;
            memcpy(s->images, b.images, sizeof s->images);
            memcpy(s->labels, b.labels, sizeof s->labels);
        }
    }
    sc_loader_close(loader);

    /* A fresh loader resumed at (epoch 1, step k) for every k, then on into epoch 2. */
    for (int64_t k = 0; k <= steps; k++) {
        loader = open_loader(&ds, &cfg);
        global_step = 100 + (uint64_t)steps + (uint64_t)k;
        start_epoch(loader, 1, k, global_step);
        sc_batch b;
        for (uint32_t epoch = 1; epoch < EPOCHS; epoch++) {
            for (int64_t step = epoch == 1 ? k : 0; step < steps; step++, global_step++) {
                ck_assert_int_eq(sc_loader_next(loader, &b), 1);
                ck_assert_int_eq(b.step, step);
                const saved_batch *s = &full[epoch][step];
                ck_assert_int_eq(b.n, s->n);
                ck_assert_int_eq(memcmp(b.images, s->images, sizeof s->images), 0);
                ck_assert_int_eq(memcmp(b.labels, s->labels, sizeof s->labels), 0);
            }
            ck_assert_int_eq(sc_loader_next(loader, &b), 0);
            if (epoch + 1 < EPOCHS)
                start_epoch(loader, epoch + 1, 0, global_step);
        }
        sc_loader_close(loader);
    }

    /* The same loader restarted in the middle of an epoch (a batch held, one prefetched). */
    loader = open_loader(&ds, &cfg);
    start_epoch(loader, 0, 0, 100);
    sc_batch b;
    ck_assert_int_eq(sc_loader_next(loader, &b), 1);
    ck_assert_int_eq(sc_loader_next(loader, &b), 1);
    start_epoch(loader, 2, 3, 100 + 2 * (uint64_t)steps + 3);
    for (int64_t step = 3; step < steps; step++) {
        ck_assert_int_eq(sc_loader_next(loader, &b), 1);
        ck_assert_int_eq(memcmp(b.images, full[2][step].images, sizeof full[2][step].images), 0);
        ck_assert_int_eq(memcmp(b.labels, full[2][step].labels, sizeof full[2][step].labels), 0);
    }
    ck_assert_int_eq(sc_loader_next(loader, &b), 0);
    sc_loader_close(loader);
    sc_dataset_free(&ds);
}
END_TEST

START_TEST(loader_eval_keeps_partial_batch) {
    sc_dataset ds;
    make_random_dataset(&ds, 7, 1, 4, 4, 3, 2);
    sc_loader_config cfg = {.batch_size = 3};
    sc_loader *loader = open_loader(&ds, &cfg);
    ck_assert_int_eq(sc_loader_steps_per_epoch(loader), 3);
    start_epoch(loader, 0, 0, 0);
    sc_normalizer norm;
    sc_normalizer_init(&norm, 1, ds.mean, ds.std);
    sc_batch b;
    int sizes[3] = {3, 3, 1};
    for (int step = 0; step < 3; step++) {
        ck_assert_int_eq(sc_loader_next(loader, &b), 1);
        ck_assert_int_eq(b.n, sizes[step]);
        for (int k = 0; k < b.n; k++) {
            int sample = step * 3 + k; /* dataset order, no augmentation */
            ck_assert_int_eq(b.labels[k], ds.labels[sample]);
            for (int i = 0; i < 16; i++)
                ck_assert_float_eq(b.images[k * 16 + i], norm.value[0][ds.images[sample * 16 + i]]);
        }
    }
    ck_assert_int_eq(sc_loader_next(loader, &b), 0);
    sc_loader_close(loader);
    sc_dataset_free(&ds);
}
END_TEST

/* A counting allocator standing in for pinned memory. */
typedef struct counting_alloc {
    int allocs, frees;
    void *blocks[8];
} counting_alloc;

static void *counting_alloc_fn(void *ctx, size_t bytes) {
    counting_alloc *a = ctx;
    void *p = malloc(bytes);
    if (a->allocs < 8)
        a->blocks[a->allocs] = p;
    a->allocs++;
    return p;
}

static void counting_free_fn(void *ctx, void *ptr) {
    counting_alloc *a = ctx;
    a->frees++;
    free(ptr);
}

static int is_block(const counting_alloc *a, const void *p) {
    for (int i = 0; i < a->allocs && i < 8; i++)
        if (a->blocks[i] == p)
            return 1;
    return 0;
}

START_TEST(loader_uses_caller_allocator) {
    sc_dataset ds;
    make_random_dataset(&ds, 20, 3, 4, 4, 5, 3);
    counting_alloc counter = {0};
    sc_loader_config cfg = {.batch_size = 4, .shuffle = 1, .augment = {1, 1}, .seed = 1,
                            .host_alloc = counting_alloc_fn, .host_free = counting_free_fn,
                            .alloc_ctx = &counter};
    sc_loader *loader = open_loader(&ds, &cfg);
    ck_assert_int_eq(counter.allocs, 4); /* images and labels of two slots */
    for (uint32_t epoch = 0; epoch < 2; epoch++) {
        start_epoch(loader, epoch, 0, epoch * 5);
        sc_batch b;
        while (sc_loader_next(loader, &b)) {
            ck_assert(is_block(&counter, b.images));
            ck_assert(is_block(&counter, b.labels));
        }
    }
    ck_assert_int_eq(counter.allocs, 4); /* nothing per batch */
    ck_assert_int_eq(counter.frees, 0);
    sc_loader_close(loader);
    ck_assert_int_eq(counter.frees, 4);
    sc_dataset_free(&ds);
}
END_TEST

START_TEST(loader_closes_mid_epoch) {
    sc_dataset ds;
    make_random_dataset(&ds, 64, 3, 8, 8, 5, 4);
    sc_loader_config cfg = {.batch_size = 8, .shuffle = 1, .augment = {2, 1}};
    /* Never started, started but not read, and in the middle of an epoch. */
    sc_loader_close(open_loader(&ds, &cfg));
    sc_loader *loader = open_loader(&ds, &cfg);
    start_epoch(loader, 0, 0, 0);
    sc_loader_close(loader);
    loader = open_loader(&ds, &cfg);
    start_epoch(loader, 0, 0, 0);
    sc_batch b;
    ck_assert_int_eq(sc_loader_next(loader, &b), 1);
    ck_assert_int_eq(sc_loader_next(loader, &b), 1);
    ck_assert_int_eq(b.step, 1);
    sc_loader_close(loader);
    sc_loader_close(NULL);
    sc_dataset_free(&ds);
}
END_TEST

START_TEST(loader_rejects_bad_config) {
    sc_dataset ds;
    make_random_dataset(&ds, 10, 1, 4, 4, 5, 4);
    static char sentinel;
    sc_loader *loader = (sc_loader *)(void *)&sentinel; /* open must reset it to NULL */
    sc_error err;
    sc_loader_config cfg = {.batch_size = 0};
    ck_assert_int_eq(sc_loader_open(&loader, &ds, &cfg, &err), SC_ERR_USAGE);
    ck_assert_ptr_null(loader);
    ck_assert_ptr_nonnull(strstr(err.msg, "batch size 0"));
    cfg.batch_size = 11;
    cfg.drop_last = 1;
    ck_assert_int_eq(sc_loader_open(&loader, &ds, &cfg, &err), SC_ERR_USAGE);
    ck_assert_ptr_nonnull(strstr(err.msg, "fewer than one batch of 11"));
    cfg.batch_size = 2;
    cfg.augment.crop_padding = -1;
    ck_assert_int_eq(sc_loader_open(&loader, &ds, &cfg, &err), SC_ERR_USAGE);
    ck_assert_ptr_nonnull(strstr(err.msg, "crop padding -1"));
    cfg.augment.crop_padding = 0;
    cfg.host_alloc = counting_alloc_fn;
    ck_assert_int_eq(sc_loader_open(&loader, &ds, &cfg, &err), SC_ERR_USAGE);
    ck_assert_ptr_nonnull(strstr(err.msg, "together"));
    cfg.host_alloc = NULL;
    loader = open_loader(&ds, &cfg);
    ck_assert_int_eq(sc_loader_start_epoch(loader, 0, 6, 0, &err), SC_ERR_USAGE);
    ck_assert_ptr_nonnull(strstr(err.msg, "first step 6 of epoch 0, expected 0..5"));
    ck_assert_int_eq(sc_loader_start_epoch(loader, 0, -1, 0, &err), SC_ERR_USAGE);
    /* Starting at the last step is an empty remainder of the epoch. */
    start_epoch(loader, 0, 5, 0);
    sc_batch b;
    ck_assert_int_eq(sc_loader_next(loader, &b), 0);
    sc_loader_close(loader);
    sc_dataset_free(&ds);
}
END_TEST

static Suite *loader_suite(void) {
    Suite *s = suite_create("dataset_loader");
    TCase *order = tcase_create("shuffle");
    tcase_add_test(order, shuffle_is_reproducible_permutation);
    tcase_add_test(order, shuffle_positions_are_uniform);
    suite_add_tcase(s, order);

    TCase *augment = tcase_create("augment");
    tcase_add_test(augment, normalizer_matches_formula);
    tcase_add_test(augment, augment_flip_mirrors);
    tcase_add_test(augment, augment_crop_shifts_and_zero_pads);
    tcase_add_test(augment, augment_pads_with_normalised_zero);
    tcase_add_test(augment, augment_draws_reproducible_and_in_range);
    tcase_add_test(augment, steps_per_epoch);
    tcase_add_test(augment, batch_assemble_uses_order_and_draws);
    tcase_add_test(augment, batch_shards_cover_the_batch_exactly_once);
    suite_add_tcase(s, augment);

    TCase *loader = tcase_create("loader");
    tcase_add_loop_test(loader, loader_yields_every_sample_once, 0, 2);
    tcase_add_test(loader, loader_drop_last_drops_only_the_tail);
    tcase_add_test(loader, loader_prefetch_equals_synchronous);
    tcase_add_test(loader, loader_resume_reproduces_batches);
    tcase_add_test(loader, loader_eval_keeps_partial_batch);
    tcase_add_test(loader, loader_uses_caller_allocator);
    tcase_add_test(loader, loader_closes_mid_epoch);
    tcase_add_test(loader, loader_rejects_bad_config);
    suite_add_tcase(s, loader);
    return s;
}

int main(void) {
    return sc_check_run(loader_suite());
}
