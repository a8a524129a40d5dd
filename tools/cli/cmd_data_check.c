/* scaat data-check: walk the splits of a dataset, decode every image with a pool of threads,
 * and report counts per class, image sizes, bad files with their reasons and the decode
 * throughput. Exit 0 when every image decodes, 2 when some are bad (or a class is empty). */
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "commands.h"
#include "data_options.h"
#include "datasets/data_check.h"
#include "datasets/imagefolder.h"
#include "datasets/loader.h"
#include "host/core/log.h"

typedef struct check_options {
    sc_cli_dataset in;
    int pipeline; /* 1 = time the training pipeline instead of checking */
} check_options;

static void print_help(void) {
    printf("usage: scaat data-check [--dataset imagefolder|pcam] --data DIR [options]\n"
           "\n"
           "Walk the training and evaluation splits, decode every image in full with a pool of\n"
           "threads and report images per class, image sizes (min / median / max), bad files\n"
           "with the reason, and the decode throughput. Exit 0 when every image decodes, 2 when\n"
           "some do not or a class folder is empty.\n"
           "\n"
           "  --dataset NAME      imagefolder | pcam | another dataset name (default imagefolder)\n"
           "  --data DIR          dataset directory (imagefolder: DIR/train/<class>/*, DIR/val)\n"
           "  --workers N         decode threads (default: all cores)\n"
           "  --channels 1|3      decode to grey or RGB (default 3)\n"
           "  --max-pixels N      images with more pixels are bad (default 178956970)\n"
           "  --pcam-eval S       valid | test: PCam's evaluation split to check (default valid)\n"
           "  --pipeline          instead: time one epoch of the training pipeline (decode,\n"
           "                      RandomResizedCrop(--image-size, default 224), flip, normalise)\n"
           "                      through the loader with --workers threads; prints images/s\n");
}

static sc_status own_option(sc_args *a, void *ctx, int *matched, sc_error *err) {
    check_options *o = ctx;
    *matched = sc_args_is(a, "--pipeline");
    if (!*matched)
        return SC_OK;
    o->pipeline = 1;
    return sc_args_flag(a, err);
}

static void print_sizes(const sc_source *src, const sc_data_check_result *r) {
    if (!sc_imagefolder_index_of(src)) {
        printf("  every image is %d x %d\n", src->width, src->height);
        return;
    }
    int32_t lo, mid, hi;
    sc_data_check_sizes(r, 0, &lo, &mid, &hi);
    printf("  width  min %d, median %d, max %d\n", lo, mid, hi);
    sc_data_check_sizes(r, 1, &lo, &mid, &hi);
    printf("  height min %d, median %d, max %d\n", lo, mid, hi);
}

/* Report one split; *problems += bad images and empty classes. */
static sc_status check_split(const check_options *o, int train, int64_t *problems,
                             sc_error *err) {
    sc_data_config data = o->in.data;
    data.skip_bad = 1; /* keep empty class folders: they are reported below */
    sc_data_request req = {o->in.data_dir, train, 1, {0, 0}, &data};
    sc_source *src;
    SC_TRY(sc_source_open(o->in.dataset, &req, &src, err));
    int workers = sc_data_workers(&o->in.data);
    sc_data_check_result r;
    sc_status st = sc_data_check_run(src, workers, &r, err);
    if (st != SC_OK) {
        sc_source_close(src);
        return st;
    }
    const sc_folder_index *index = sc_imagefolder_index_of(src);
    printf("%s split: %lld images in %d classes", train ? "training" : "evaluation",
           (long long)r.count, src->num_classes);
    if (index)
        printf(" (%s; %lld other files ignored)", index->root, (long long)index->ignored_files);
    printf("\n");
    int empty = 0;
    for (int c = 0; c < src->num_classes; c++) {
        char name[256];
        sc_source_class_name(src, c, name, sizeof name);
        printf("  class %d %-24s %lld images%s\n", c, name, (long long)r.class_counts[c],
               r.class_counts[c] == 0 ? "  <- no image decodes" : "");
        empty += r.class_counts[c] == 0;
    }
    print_sizes(src, &r);
    printf("  bad images: %lld\n", (long long)r.bad);
    for (int i = 0; i < r.named_bad; i++)
        printf("    %s\n", r.bad_lines[i]);
    if (r.bad > r.named_bad)
        printf("    ... and %lld more\n", (long long)(r.bad - r.named_bad));
    printf("  decoded %lld images in %.2f s: %.0f images/s with %d workers (%.0f per worker)\n",
           (long long)(r.count - r.bad), r.seconds,
           r.seconds > 0 ? (double)(r.count - r.bad) / r.seconds : 0.0, workers,
           r.seconds > 0 ? (double)(r.count - r.bad) / r.seconds / workers : 0.0);
    *problems += r.bad + empty;
    sc_data_check_free(&r);
    sc_source_close(src);
    return SC_OK;
}

/* One epoch of the training split through the loader, timed. */
static sc_status time_pipeline(const check_options *o, sc_error *err) {
    sc_data_request req = {o->in.data_dir, 1, 0, {0, 1}, &o->in.data};
    sc_source *src;
    SC_TRY(sc_source_open(o->in.dataset, &req, &src, err));
    sc_loader_config lc;
    memset(&lc, 0, sizeof lc);
    lc.batch_size = 64;
    lc.shuffle = 1;
    lc.workers = sc_data_workers(&o->in.data);
    lc.queue_depth = 4;
    lc.skip_bad = o->in.data.skip_bad;
    sc_loader *loader = NULL;
    sc_status st = sc_loader_open_source(&loader, src, &lc, err);
    double start = sc_now_seconds();
    int64_t images = 0;
    if (st == SC_OK)
        st = sc_loader_start_epoch(loader, 0, 0, 0, err);
    sc_batch b;
    while (st == SC_OK && sc_loader_next(loader, &b))
        images += b.n;
    if (st == SC_OK)
        st = sc_loader_status(loader, err);
    double seconds = sc_now_seconds() - start;
    if (st == SC_OK)
        printf("pipeline: %lld images of %d x %d x %d in %.2f s: %.1f images/s with %d workers "
               "(%.1f per worker)\n", (long long)images, src->channels, src->height, src->width,
               seconds, (double)images / seconds, lc.workers,
               (double)images / seconds / lc.workers);
    sc_loader_close(loader);
    sc_source_close(src);
    return st;
}

int sc_cmd_data_check(int argc, char **argv) {
    check_options o;
    sc_error err = {0};
    int help = 0;
    o.pipeline = 0;
    sc_status st = sc_cli_parse_data_command(argc, argv, "data-check", &o.in, own_option, &o,
                                             &help, &err);
    if (help) {
        print_help();
        return 0;
    }
    if (st == SC_OK && o.pipeline)
        return sc_cli_exit(time_pipeline(&o, &err), &err);
    int64_t problems = 0;
    if (st == SC_OK)
        st = check_split(&o, 1, &problems, &err);
    if (st == SC_OK)
        st = check_split(&o, 0, &problems, &err);
    if (st == SC_OK && problems > 0)
        st = sc_fail(&err, SC_ERR_FORMAT, "%s: %lld bad images or empty classes (listed above)",
                     o.in.data_dir, (long long)problems);
    return sc_cli_exit(st, &err);
}
