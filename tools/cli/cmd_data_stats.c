/* scaat data-stats: per-channel mean and standard deviation of a dataset's training split
 * after the evaluation transform (image folders: Resize + CenterCrop), in [0, 1] pixel units,
 * printed ready to paste as --norm-mean / --norm-std. The images go through the loader's
 * worker pool; the sums of the normalised samples are taken in double on the calling thread
 * and mapped back through the source's mean / std. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "commands.h"
#include "data_options.h"
#include "datasets/loader.h"

typedef struct stats_options {
    sc_cli_dataset in;
    long long limit; /* 0: every training image */
} stats_options;

static void print_help(void) {
    printf("usage: scaat data-stats [--dataset NAME] --data DIR [options]\n"
           "\n"
           "Per-channel mean and standard deviation of the training split after the evaluation\n"
           "transform (imagefolder: Resize + CenterCrop; pcam: the patches), in [0, 1] pixel\n"
           "units, printed as --norm-mean A,B,C --norm-std A,B,C for scaat train.\n"
           "\n"
           "  --dataset NAME      imagefolder | pcam | fashion-mnist | ... (default imagefolder)\n"
           "  --data DIR          dataset directory\n"
           "  --limit N           only the first N training images (default: all)\n"
           "  --image-size N      --resize N  --channels 1|3  --workers N  --on-bad-image M\n"
           "                      as for scaat train\n");
}

static sc_status own_option(sc_args *a, void *ctx, int *matched, sc_error *err) {
    stats_options *o = ctx;
    *matched = sc_args_is(a, "--limit");
    return *matched ? sc_args_int(a, 1, (long long)1 << 40, &o->limit, err) : SC_OK;
}

typedef struct channel_sums {
    double sum[SC_DATASET_MAX_CHANNELS], squares[SC_DATASET_MAX_CHANNELS];
    int64_t pixels; /* per channel */
} channel_sums;

static void add_batch(const sc_batch *b, channel_sums *s) {
    size_t plane = (size_t)b->height * b->width;
    for (int n = 0; n < b->n; n++)
        for (int c = 0; c < b->channels; c++) {
            const float *x = b->images + ((size_t)n * b->channels + c) * plane; /* (H, W) */
            double sum = 0.0, squares = 0.0;
            for (size_t i = 0; i < plane; i++) {
                sum += x[i];
                squares += (double)x[i] * x[i];
            }
            s->sum[c] += sum;
            s->squares[c] += squares;
        }
    s->pixels += (int64_t)b->n * (int64_t)plane;
}

static sc_status measure(const sc_source *src, const sc_data_config *data, channel_sums *s,
                         sc_error *err) {
    sc_loader_config lc;
    memset(&lc, 0, sizeof lc);
    lc.batch_size = 64;
    lc.workers = sc_data_workers(data);
    lc.queue_depth = 4;
    lc.skip_bad = data->skip_bad;
    sc_loader *loader;
    SC_TRY(sc_loader_open_source(&loader, src, &lc, err));
    sc_status st = sc_loader_start_epoch(loader, 0, 0, 0, err);
    sc_batch b;
    while (st == SC_OK && sc_loader_next(loader, &b))
        add_batch(&b, s);
    if (st == SC_OK)
        st = sc_loader_status(loader, err);
    sc_loader_close(loader);
    return st;
}

static sc_status run_stats(stats_options *o, sc_error *err) {
    sc_data_request req = {o->in.data_dir, 1, 1, {0, 0}, &o->in.data};
    sc_source *src;
    SC_TRY(sc_source_open(o->in.dataset, &req, &src, err));
    sc_source_limit(src, o->limit);
    channel_sums s;
    memset(&s, 0, sizeof s);
    sc_status st = measure(src, &o->in.data, &s, err);
    if (st == SC_OK) {
        char mean[128] = "", std[128] = "";
        size_t m = 0, d = 0;
        for (int c = 0; c < src->channels; c++) {
            /* the samples are (pixel - mean) / std: undo the source's normalisation */
            double z_mean = s.sum[c] / (double)s.pixels;
            double z_var = s.squares[c] / (double)s.pixels - z_mean * z_mean;
            double mu = z_mean * src->std[c] + src->mean[c];
            double var = z_var * (double)src->std[c] * src->std[c];
            m += (size_t)snprintf(mean + m, sizeof mean - m, c ? ",%.4f" : "%.4f", mu);
            d += (size_t)snprintf(std + d, sizeof std - d, c ? ",%.4f" : "%.4f",
                                  sqrt(var > 0.0 ? var : 0.0));
        }
        printf("%s training split: %lld images of %d x %d x %d after the evaluation transform\n"
               "--norm-mean %s --norm-std %s\n",
               o->in.dataset, (long long)src->count, src->channels, src->height, src->width, mean,
               std);
    }
    sc_source_close(src);
    return st;
}

int sc_cmd_data_stats(int argc, char **argv) {
    stats_options o;
    sc_error err = {0};
    int help = 0;
    o.limit = 0;
    sc_status st = sc_cli_parse_data_command(argc, argv, "data-stats", &o.in, own_option, &o,
                                             &help, &err);
    if (help) {
        print_help();
        return 0;
    }
    if (st == SC_OK)
        st = run_stats(&o, &err);
    return sc_cli_exit(st, &err);
}
