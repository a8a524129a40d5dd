/* The reader table, the image-folder index, the PCam reader and the worker pool: table
 * lookups; folder order, labels and bad layouts; batches identical for any worker count and
 * after a resume; bad images stop the epoch with the file's name or are replaced by the next
 * good sample; the queue's memory is fixed at open. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/image_folder.h"
#include "common/test_util.h"
#include "datasets/class_names.h"
#include "datasets/imagefolder.h"
#include "datasets/loader.h"
#include "datasets/registry.h"
#include "datasets/shuffle.h"
#include "tests/common/check_run.h"

/* ---- the table ----------------------------------------------------------------------------- */

START_TEST(table_knows_every_dataset) {
    const char *memory[] = {"fashion-mnist", "mnist", "cifar10", "cifar100"};
    for (int i = 0; i < 4; i++) {
        const sc_reader *r = sc_reader_find(memory[i]);
        ck_assert_ptr_nonnull(r);
        ck_assert_str_eq(r->name, memory[i]);
        ck_assert_ptr_nonnull(r->open);
        ck_assert_ptr_nonnull(r->load);
    }
    const char *streamed[] = {"imagefolder", "pcam"};
    for (int i = 0; i < 2; i++) {
        const sc_reader *r = sc_reader_find(streamed[i]);
        ck_assert_ptr_nonnull(r);
        ck_assert_ptr_nonnull(r->open);
        ck_assert_ptr_null(r->load);
        ck_assert_float_eq(r->mean[0], 0.485f); /* ImageNet's */
    }
    ck_assert_ptr_null(sc_reader_find("imagenet"));
    ck_assert_ptr_null(sc_reader_find(NULL));
    sc_source *src = (sc_source *)(void *)&src;
    sc_error err;
    sc_data_request req = {.train = 1};
    ck_assert_int_eq(sc_source_open("imagenet", &req, &src, &err), SC_ERR_USAGE);
    ck_assert_ptr_null(src);
    ck_assert_ptr_nonnull(strstr(err.msg, "imagefolder or pcam"));
    sc_dataset ds;
    ck_assert_int_eq(sc_dataset_load("imagefolder", "/nonexistent", 1, &ds, &err), SC_ERR_USAGE);
    ck_assert_ptr_nonnull(strstr(err.msg, "image by image"));
}
END_TEST

START_TEST(norm_override_and_grey) {
    const sc_reader *r = sc_reader_find("imagefolder");
    float mean[SC_DATASET_MAX_CHANNELS], std[SC_DATASET_MAX_CHANNELS];
    sc_error err;
    ck_assert_int_eq(sc_reader_norm(r, NULL, 1, mean, std, &err), SC_OK);
    ck_assert_float_eq_tol(mean[0], (0.485f + 0.456f + 0.406f) / 3.0f, 1e-7f);
    sc_data_config data = {.norm_channels = 3, .norm_mean = {0.1f, 0.2f, 0.3f},
                           .norm_std = {0.4f, 0.5f, 0.6f}};
    ck_assert_int_eq(sc_reader_norm(r, &data, 3, mean, std, &err), SC_OK);
    ck_assert_float_eq(mean[2], 0.3f);
    ck_assert_float_eq(std[1], 0.5f);
    ck_assert_int_eq(sc_reader_norm(r, &data, 1, mean, std, &err), SC_ERR_USAGE);
    ck_assert_ptr_nonnull(strstr(err.msg, "3 values"));
    data.norm_std[1] = 0.0f;
    ck_assert_int_eq(sc_reader_norm(r, &data, 3, mean, std, &err), SC_ERR_USAGE);
    ck_assert_ptr_nonnull(strstr(err.msg, "--norm-std"));
}
END_TEST

START_TEST(class_names_round_trip) {
    const char *names[] = {"cat", "dog house", "n01440764"};
    char joined[64], one[32];
    ck_assert_int_eq(sc_class_names_join(names, 3, joined, sizeof joined), 0);
    ck_assert_str_eq(joined, "cat\ndog house\nn01440764");
    for (int c = 0; c < 3; c++)
        ck_assert_str_eq(sc_class_name_in_list(joined, c, one, sizeof one), names[c]);
    ck_assert_str_eq(sc_class_name_in_list(joined, 3, one, sizeof one), "3");
    ck_assert_str_eq(sc_class_name_in_list("", 1, one, sizeof one), "1");
    ck_assert_int_eq(sc_class_names_join(names, 3, joined, 12), -1); /* does not fit */
    ck_assert_str_eq(joined, "");
    const char *newline[] = {"a\nb"};
    ck_assert_int_eq(sc_class_names_join(newline, 1, joined, sizeof joined), -1);
}
END_TEST

/* ---- the folder index ---------------------------------------------------------------------- */

static void touch(const char *dir, const char *rel) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    ck_assert_int_eq(sc_test_write_bytes(path, "x", 1), 0);
}

static void make_dir(const char *dir, const char *rel) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    ck_assert_int_eq(mkdir(path, 0755), 0);
}

START_TEST(folder_index_orders_as_torchvision) {
    char dir[256];
    ck_assert_ptr_nonnull(sc_test_tmpdir("folder-index", dir, sizeof dir));
    /* Classes in byte order: "B" < "a" < "a b" < "b"; files by directory path, then name. */
    const char *dirs[] = {"b", "a", "B", "a b", "a/sub", "a/sub-x", "a/sub/deep"};
    for (int i = 0; i < 7; i++)
        make_dir(dir, dirs[i]);
    const char *files[] = {"b/x10.png", "b/x9.PNG", "b/notes.txt", "a/z.jpeg", "a/sub/y.tif",
                           "a/sub-x/w.tiff", "a/sub/deep/v.JPG", "a/sub/u.webp", "B/only.png",
                           "a b/c.bmp", "a b/README"};
    for (int i = 0; i < 11; i++)
        touch(dir, files[i]);
    sc_folder_index idx;
    sc_error err;
    ck_assert_msg(sc_folder_index_build(dir, 0, &idx, &err) == SC_OK, "%s", err.msg);
    ck_assert_int_eq(idx.num_classes, 4);
    const char *classes[] = {"B", "a", "a b", "b"};
    for (int c = 0; c < 4; c++)
        ck_assert_str_eq(idx.classes[c], classes[c]);
    /* sorted(os.walk) compares the folder paths as strings: "a" < "a/sub" < "a/sub-x" <
     * "a/sub/deep" ('-' is 0x2d, '/' is 0x2f); files by name within a folder. */
    const char *expected[] = {"B/only.png",     "a/z.jpeg",       "a/sub/u.webp",
                              "a/sub/y.tif",    "a/sub-x/w.tiff", "a/sub/deep/v.JPG",
                              "a b/c.bmp",      "b/x10.png",      "b/x9.PNG"};
    const int labels[] = {0, 1, 1, 1, 1, 1, 2, 3, 3};
    ck_assert_int_eq(idx.count, 9);
    for (int i = 0; i < 9; i++) {
        char path[1024], want[1024];
        snprintf(want, sizeof want, "%s/%s", dir, expected[i]);
        ck_assert_str_eq(sc_folder_index_path(&idx, i, path, sizeof path), want);
        ck_assert_int_eq(idx.labels[i], labels[i]);
    }
    ck_assert_int_eq(idx.ignored_files, 2);
    sc_folder_index_free(&idx);
    sc_test_rmtree(dir);
}
END_TEST

START_TEST(folder_index_bad_layouts) {
    char dir[256], path[512];
    ck_assert_ptr_nonnull(sc_test_tmpdir("folder-bad", dir, sizeof dir));
    sc_folder_index idx;
    sc_error err;
    snprintf(path, sizeof path, "%s/missing", dir);
    ck_assert_int_eq(sc_folder_index_build(path, 0, &idx, &err), SC_ERR_IO);
    ck_assert_ptr_nonnull(strstr(err.msg, "missing"));
    ck_assert_int_eq(sc_folder_index_build(dir, 0, &idx, &err), SC_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(err.msg, "no class folders"));
    make_dir(dir, "cat");
    make_dir(dir, "dog");
    touch(dir, "cat/a.png");
    touch(dir, "dog/readme.txt");
    ck_assert_int_eq(sc_folder_index_build(dir, 0, &idx, &err), SC_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(err.msg, "/dog: empty class folder"));
    ck_assert_msg(sc_folder_index_build(dir, 1, &idx, &err) == SC_OK, "%s", err.msg);
    ck_assert_int_eq(idx.num_classes, 2);
    ck_assert_int_eq(idx.count, 1);
    ck_assert_int_eq(idx.empty_classes, 1);
    sc_folder_index_free(&idx);
    sc_test_rmtree(dir);
}
END_TEST

START_TEST(folder_splits_need_the_same_classes) {
    char dir[256];
    ck_assert_ptr_nonnull(sc_test_tmpdir("folder-splits", dir, sizeof dir));
    ck_assert_int_eq(sc_test_write_image_folder(dir, 3, 2, 1, 8, 1), 0);
    char extra[512];
    snprintf(extra, sizeof extra, "%s/val/class_9", dir);
    ck_assert_int_eq(mkdir(extra, 0755), 0);
    sc_data_request req = {.dir = dir, .train = 1};
    sc_source *src;
    sc_error err;
    ck_assert_int_eq(sc_source_open("imagefolder", &req, &src, &err), SC_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(err.msg, "class folders"));
    sc_test_rmtree(dir);
}
END_TEST

/* ---- folder sources through the loader ----------------------------------------------------- */

enum { CLASSES = 3, PER_CLASS = 7, SIDE = 20, OUT = 16, BATCH = 4 };

static sc_source *open_folder(const char *dir, int train, int skip_bad) {
    sc_data_config data = {.image_size = OUT, .resize = 18, .skip_bad = skip_bad};
    sc_data_request req = {.dir = dir, .train = train, .augment = {0, 1}, .data = &data};
    sc_source *src = NULL;
    sc_error err;
    ck_assert_msg(sc_source_open("imagefolder", &req, &src, &err) == SC_OK, "%s", err.msg);
    return src;
}

/* Every batch of `epochs` epochs (from epoch first_epoch, step first_step) into out. */
static size_t run_epochs(const sc_source *src, int workers, int synchronous, int skip_bad,
                         uint32_t first_epoch, int64_t first_step, int epochs, float *out,
                         int32_t *labels) {
    sc_loader_config cfg = {.batch_size = BATCH, .shuffle = 1, .seed = 5, .workers = workers,
                            .synchronous = synchronous, .queue_depth = 3, .skip_bad = skip_bad};
    sc_loader *loader = NULL;
    sc_error err;
    ck_assert_msg(sc_loader_open_source(&loader, src, &cfg, &err) == SC_OK, "%s", err.msg);
    size_t sample = (size_t)src->channels * src->height * src->width, written = 0;
    int64_t steps = sc_loader_steps_per_epoch(loader);
    for (int e = 0; e < epochs; e++) {
        uint32_t epoch = first_epoch + (uint32_t)e;
        int64_t step = e == 0 ? first_step : 0;
        ck_assert_msg(sc_loader_start_epoch(loader, epoch, step, epoch * (uint64_t)steps + step,
                                            &err) == SC_OK, "%s", err.msg);
        sc_batch b;
        while (sc_loader_next(loader, &b)) {
            memcpy(out + written * sample, b.images, (size_t)b.n * sample * sizeof(float));
            memcpy(labels + written, b.labels, (size_t)b.n * sizeof(int32_t));
            written += (size_t)b.n;
        }
        ck_assert_msg(sc_loader_status(loader, &err) == SC_OK, "%s", err.msg);
    }
    sc_loader_close(loader);
    return written;
}

START_TEST(folder_batches_same_for_any_worker_count) {
    char dir[256];
    ck_assert_ptr_nonnull(sc_test_tmpdir("folder-workers", dir, sizeof dir));
    ck_assert_int_eq(sc_test_write_image_folder(dir, CLASSES, PER_CLASS, 2, SIDE, 2), 0);
    sc_source *src = open_folder(dir, 1, 0);
    ck_assert_int_eq(src->count, CLASSES * PER_CLASS);
    ck_assert_int_eq(src->height, OUT);
    ck_assert_str_eq(src->class_names[2], "class_2");
    size_t sample = 3 * OUT * OUT, n = 2 * (size_t)src->count;
    float *a = malloc(n * sample * sizeof *a), *b = malloc(n * sample * sizeof *b);
    int32_t *la = malloc(n * sizeof *la), *lb = malloc(n * sizeof *lb);
    ck_assert_int_eq(run_epochs(src, 1, 0, 0, 0, 0, 2, a, la), n);
    ck_assert_int_eq(sc_test_count_nonfinite(a, n * sample), 0);
    const int variants[][2] = {{2, 0}, {3, 0}, {4, 0}, {0, 1}}; /* workers, synchronous */
    for (int v = 0; v < 4; v++) {
        memset(b, 0, n * sample * sizeof *b);
        ck_assert_int_eq(run_epochs(src, variants[v][0], variants[v][1], 0, 0, 0, 2, b, lb), n);
        ck_assert_int_eq(memcmp(a, b, n * sample * sizeof *a), 0);
        ck_assert_int_eq(memcmp(la, lb, n * sizeof *la), 0);
    }
    /* Labels follow the epoch order; the two epochs differ (shuffle and random crops). */
    int32_t order[CLASSES * PER_CLASS];
    sc_order_shuffle(order, src->count, 5, 0);
    for (int i = 0; i < 20; i++)
        ck_assert_int_eq(la[i], src->labels[order[i]]);
    size_t epoch = (size_t)src->count;
    ck_assert_int_ne(memcmp(a, a + epoch * sample, epoch * sample * sizeof *a), 0);
    /* A resumed run (epoch 1 from step 2) gets the uninterrupted run's batches. */
    size_t resumed = run_epochs(src, 2, 0, 0, 1, 2, 1, b, lb);
    ck_assert_int_eq(resumed, epoch - 2 * BATCH);
    ck_assert_int_eq(memcmp(b, a + (epoch + 2 * BATCH) * sample, resumed * sample * sizeof *a),
                     0);
    free(a);
    free(b);
    free(la);
    free(lb);
    sc_source_close(src);
    sc_test_rmtree(dir);
}
END_TEST

START_TEST(bad_image_stops_or_is_replaced) {
    char dir[256], bad[512];
    ck_assert_ptr_nonnull(sc_test_tmpdir("folder-badimg", dir, sizeof dir));
    ck_assert_int_eq(sc_test_write_image_folder(dir, CLASSES, PER_CLASS, 2, SIDE, 3), 0);
    snprintf(bad, sizeof bad, "%s/train/class_1/img_3.png", dir);
    ck_assert_int_eq(sc_test_write_bytes(bad, "\x89PNG\r\n\x1a\n garbage", 17), 0);
    /* error: the epoch stops, the status names the file */
    sc_source *src = open_folder(dir, 1, 0);
    sc_loader_config cfg = {.batch_size = BATCH, .shuffle = 1, .seed = 5, .workers = 3};
    sc_loader *loader;
    sc_error err;
    ck_assert_int_eq(sc_loader_open_source(&loader, src, &cfg, &err), SC_OK);
    ck_assert_int_eq(sc_loader_start_epoch(loader, 0, 0, 0, &err), SC_OK);
    sc_batch b;
    int batches = 0;
    while (sc_loader_next(loader, &b))
        batches++;
    ck_assert_int_lt(batches, (int)sc_loader_steps_per_epoch(loader));
    ck_assert_int_eq(sc_loader_status(loader, &err), SC_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(err.msg, "class_1/img_3.png"));
    sc_loader_close(loader);
    sc_source_close(src);

    /* skip: the same batches for 1 and 3 workers and a synchronous loader; the bad one's place
     * holds the next sample */
    src = open_folder(dir, 1, 1);
    size_t sample = 3 * OUT * OUT, n = (size_t)src->count;
    float *a = malloc(n * sample * sizeof *a), *c = malloc(n * sample * sizeof *c);
    int32_t *la = malloc(n * sizeof *la), *lc = malloc(n * sizeof *lc);
    ck_assert_int_eq(run_epochs(src, 1, 0, 1, 0, 0, 1, a, la), n);
    const int variants[][2] = {{3, 0}, {0, 1}}; /* workers, synchronous */
    for (int v = 0; v < 2; v++) {
        memset(c, 0, n * sample * sizeof *c);
        ck_assert_int_eq(run_epochs(src, variants[v][0], variants[v][1], 1, 0, 0, 1, c, lc), n);
        ck_assert_int_eq(memcmp(a, c, n * sample * sizeof *a), 0);
        ck_assert_int_eq(memcmp(la, lc, n * sizeof *la), 0);
    }
    int32_t order[CLASSES * PER_CLASS];
    sc_order_shuffle(order, src->count, 5, 0);
    int64_t bad_index = PER_CLASS + 3;
    for (size_t k = 0; k < n; k++) {
        if (order[k] == bad_index) {
            size_t next = (k + 1) % n;
            ck_assert_int_eq(la[k], src->labels[order[next]]);
            ck_assert_int_eq(memcmp(a + k * sample, a + next * sample, sample * sizeof *a), 0);
        }
    }
    free(a);
    free(c);
    free(la);
    free(lc);
    sc_source_close(src);
    sc_test_rmtree(dir);
}
END_TEST

typedef struct counting_alloc {
    int allocs, frees;
} counting_alloc;

static void *count_alloc(void *ctx, size_t bytes) {
    ((counting_alloc *)ctx)->allocs++;
    return malloc(bytes);
}

static void count_free(void *ctx, void *ptr) {
    ((counting_alloc *)ctx)->frees++;
    free(ptr);
}

START_TEST(queue_memory_is_fixed_at_open) {
    char dir[256];
    ck_assert_ptr_nonnull(sc_test_tmpdir("folder-queue", dir, sizeof dir));
    ck_assert_int_eq(sc_test_write_image_folder(dir, 2, 6, 1, 12, 4), 0);
    sc_source *src = open_folder(dir, 1, 0);
    counting_alloc counter = {0};
    sc_loader_config cfg = {.batch_size = 3, .shuffle = 1, .workers = 4, .queue_depth = 3,
                            .host_alloc = count_alloc, .host_free = count_free,
                            .alloc_ctx = &counter};
    sc_loader *loader;
    sc_error err;
    ck_assert_int_eq(sc_loader_open_source(&loader, src, &cfg, &err), SC_OK);
    ck_assert_int_eq(counter.allocs, 6); /* images and labels of three slots */
    for (uint32_t epoch = 0; epoch < 3; epoch++) {
        ck_assert_int_eq(sc_loader_start_epoch(loader, epoch, 0, epoch * 4, &err), SC_OK);
        sc_batch b;
        while (sc_loader_next(loader, &b))
            ck_assert_int_eq(b.n, 3);
    }
    ck_assert_int_eq(counter.allocs, 6);
    sc_loader_close(loader);
    ck_assert_int_eq(counter.frees, 6);
    cfg.queue_depth = 1;
    ck_assert_int_eq(sc_loader_open_source(&loader, src, &cfg, &err), SC_ERR_USAGE);
    ck_assert_ptr_nonnull(strstr(err.msg, "queue depth 1"));
    sc_source_close(src);
    sc_test_rmtree(dir);
}
END_TEST

/* At the images' own size the evaluation transform is the identity: materialised pixels are
 * the decoded files' pixels exactly, labels and class names carried along. */
START_TEST(materialize_gives_the_decoded_pixels) {
    char dir[256];
    ck_assert_ptr_nonnull(sc_test_tmpdir("folder-materialize", dir, sizeof dir));
    ck_assert_int_eq(sc_test_write_image_folder(dir, 2, 2, 3, 10, 6), 0);
    sc_data_config data = {.image_size = 10, .resize = 10};
    sc_data_request req = {.dir = dir, .train = 0, .data = &data};
    sc_source *src;
    sc_error err;
    ck_assert_msg(sc_source_open("imagefolder", &req, &src, &err) == SC_OK, "%s", err.msg);
    sc_dataset ds;
    ck_assert_msg(sc_source_materialize(src, 4, 2, &ds, &err) == SC_OK, "%s", err.msg);
    ck_assert_int_eq(ds.count, 4);
    ck_assert_int_eq(ds.channels, 3);
    ck_assert_float_eq(ds.mean[0], src->mean[0]);
    char name[32];
    ck_assert_str_eq(sc_dataset_class_name(&ds, 1, name, sizeof name), "class_1");
    const sc_folder_index *idx = sc_imagefolder_index_of(src);
    for (int64_t i = 0; i < 4; i++) {
        ck_assert_int_eq(ds.labels[i], src->labels[i]);
        char path[1024];
        uint8_t *file = NULL;
        size_t capacity = 0, bytes = 0;
        ck_assert_int_eq(sc_imagefolder_read_file(sc_folder_index_path(idx, i, path, sizeof path),
                                                  &file, &capacity, &bytes, &err),
                         SC_OK);
        sc_image image = {0};
        ck_assert_int_eq(sc_image_decode(file, bytes, path, NULL, &image, &err), SC_OK);
        for (int c = 0; c < 3; c++)
            for (int p = 0; p < 100; p++)
                ck_assert_int_eq(ds.images[(i * 3 + c) * 100 + p], image.pixels[p * 3 + c]);
        sc_image_free(&image);
        free(file);
    }
    sc_dataset_free(&ds);
    sc_source_close(src);
    sc_test_rmtree(dir);
}
END_TEST

static Suite *sources_suite(void) {
    Suite *s = suite_create("dataset_sources");
    TCase *table = tcase_create("table");
    tcase_add_test(table, table_knows_every_dataset);
    tcase_add_test(table, norm_override_and_grey);
    tcase_add_test(table, class_names_round_trip);
    suite_add_tcase(s, table);
    TCase *folder = tcase_create("imagefolder");
    tcase_add_test(folder, folder_index_orders_as_torchvision);
    tcase_add_test(folder, folder_index_bad_layouts);
    tcase_add_test(folder, folder_splits_need_the_same_classes);
    suite_add_tcase(s, folder);
    TCase *pipeline = tcase_create("pipeline");
    tcase_add_test(pipeline, folder_batches_same_for_any_worker_count);
    tcase_add_test(pipeline, bad_image_stops_or_is_replaced);
    tcase_add_test(pipeline, queue_memory_is_fixed_at_open);
    tcase_add_test(pipeline, materialize_gives_the_decoded_pixels);
    suite_add_tcase(s, pipeline);
    return s;
}

int main(void) {
    return sc_check_run(sources_suite());
}
