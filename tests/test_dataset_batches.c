/* Epoch order, augmentation and batch assembly: the shuffle is a reproducible permutation,
 * crop / flip move exact pixels, a batch takes its samples and draws from the epoch order, and
 * the shards of a data-parallel run cover every batch exactly once. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/test_util.h"
#include "datasets/augment.h"
#include "datasets/batch.h"
#include "datasets/dataset.h"
#include "datasets/shuffle.h"
#include "tests/common/check_run.h"
#include "tests/common/random_dataset.h"

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
    sc_test_random_dataset(&ds, 11, 3, 5, 6, 4, 1);
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
    sc_test_random_dataset(&ds, 11, 3, 5, 6, 4, 1);
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

static Suite *batches_suite(void) {
    Suite *s = suite_create("dataset_batches");
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
    return s;
}

int main(void) {
    return sc_check_run(batches_suite());
}
