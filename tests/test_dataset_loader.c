/* The prefetching loader: it yields every sample once per epoch, prefetching equals a
 * synchronous computation, a resumed run gets the batches of the uninterrupted one, and bad
 * configurations are refused. Order, augmentation and batch assembly: test_dataset_batches.c. */
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
#include "tests/common/random_dataset.h"

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
    sc_test_random_dataset(&ds, COUNT, C, H, W, 7, 11);
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
    sc_test_random_dataset(&ds, COUNT, 3, 6, 6, 5, 21);
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
    sc_test_random_dataset(&ds, 7, 1, 4, 4, 3, 2);
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
    sc_test_random_dataset(&ds, 20, 3, 4, 4, 5, 3);
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
    sc_test_random_dataset(&ds, 64, 3, 8, 8, 5, 4);
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
    sc_test_random_dataset(&ds, 10, 1, 4, 4, 5, 4);
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
