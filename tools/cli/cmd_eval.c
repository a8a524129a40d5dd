/* scaat eval: rebuild the model a checkpoint describes, load it, and measure test accuracy. */
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "commands.h"
#include "data_options.h"
#include "eval_source.h"
#include "out_dir.h"
#include "datasets/loader.h"
#include "host/core/json_write.h"
#include "host/core/log.h"
#include "host/train/checkpoint.h"
#include "host/train/evaluate.h"
#include "host/train/train_data.h"
#include "host/train/run_files.h"

typedef struct eval_options {
    char checkpoint[1024];
    char dataset[32];
    char data_dir[1024];
    char device[16];
    char out_dir[1024];
    int batch;
    long long limit_test;
    int threads;
    sc_data_config data; /* --workers, --resize, --on-bad-image, ... */
} eval_options;

static void print_help(void) {
    puts("usage: scaat eval --checkpoint FILE [options]\n"
         "\n"
         "Evaluate a checkpoint on the test split of a dataset (BN in inference mode).\n"
         "\n"
         "  --checkpoint FILE   a scaat checkpoint (.safetensors)\n"
         "  --dataset NAME      fashion-mnist | mnist | cifar10 | cifar100 | imagefolder |\n"
         "                      pcam (default: the checkpoint's training dataset); image\n"
         "                      datasets get the checkpoint's input size, channels and\n"
         "                      normalisation\n"
         "  --data DIR          dataset directory (default: the dataset's default directory)\n"
         "  --limit-test N      evaluate only the first N test images\n"
         "  --batch B           evaluation batch (default 500)\n"
         "  --device D          auto | cpu | cuda (default auto)\n"
         "  --threads N         CPU threads (default: all cores)\n"
         "  --out DIR           also write DIR/metrics.json\n"
         "  --workers N         image datasets: decode threads (default: all cores)\n"
         "  --resize N          imagefolder: Resize(N) before CenterCrop (default: the\n"
         "                      training run's, else size * 256 / 224)\n"
         "  --on-bad-image M    error | skip (default error)\n"
         "  --pcam-eval S       valid | test: PCam's evaluation split (default valid)");
}

static sc_status parse(int argc, char **argv, eval_options *o, int *help, sc_error *err) {
    memset(o, 0, sizeof *o);
    snprintf(o->device, sizeof o->device, "auto");
    o->batch = 500;
    sc_args a;
    sc_args_init(&a, argc, argv);
    sc_status st = SC_OK;
    long long v;
    while (st == SC_OK && sc_args_next(&a, &st, err)) {
        if (sc_args_is(&a, "--help") || sc_args_is(&a, "-h")) {
            *help = 1;
            return SC_OK;
        } else if (sc_args_is(&a, "--checkpoint")) {
            st = sc_args_string(&a, o->checkpoint, sizeof o->checkpoint, err);
        } else if (sc_args_is(&a, "--dataset")) {
            st = sc_args_string(&a, o->dataset, sizeof o->dataset, err);
        } else if (sc_args_is(&a, "--data")) {
            st = sc_args_string(&a, o->data_dir, sizeof o->data_dir, err);
        } else if (sc_args_is(&a, "--device")) {
            st = sc_args_string(&a, o->device, sizeof o->device, err);
        } else if (sc_args_is(&a, "--out")) {
            st = sc_args_string(&a, o->out_dir, sizeof o->out_dir, err);
        } else if (sc_args_is(&a, "--batch")) {
            st = sc_args_int(&a, 1, 1 << 20, &v, err);
            o->batch = (int)v;
        } else if (sc_args_is(&a, "--limit-test")) {
            st = sc_args_int(&a, 1, (long long)1 << 40, &o->limit_test, err);
        } else if (sc_args_is(&a, "--threads")) {
            st = sc_args_threads(&a, &o->threads, err);
        } else {
            int matched;
            st = sc_cli_data_option(&a, &o->data, &matched, err);
            if (!matched)
                st = sc_args_unknown(&a, "eval", err);
        }
    }
    if (st == SC_OK)
        st = sc_cli_data_validate(&o->data, err);
    if (st == SC_OK && !o->checkpoint[0])
        st = sc_fail(err, SC_ERR_USAGE, "scaat eval needs --checkpoint FILE");
    return st;
}

static sc_status write_metrics(const eval_options *o, const sc_checkpoint_meta *meta,
                               const sc_eval_result *r, sc_error *err) {
    SC_TRY(sc_mkdirs(o->out_dir, err));
    sc_json_writer w;
    sc_json_writer_init(&w, 2);
    sc_json_begin_object(&w);
    sc_json_field_string(&w, "checkpoint", o->checkpoint);
    sc_json_field_string(&w, "model", meta->model.name);
    sc_json_field_string(&w, "dataset", o->dataset);
    sc_json_field_double(&w, "test_accuracy", r->accuracy);
    sc_json_field_double(&w, "test_loss", r->loss);
    sc_json_field_int(&w, "test_samples", r->samples);
    sc_json_end_object(&w);
    char path[1100];
    snprintf(path, sizeof path, "%s/metrics.json", o->out_dir);
    sc_status st = sc_write_json_file(path, &w, err);
    sc_json_writer_free(&w);
    return st;
}

static sc_status run_eval(eval_options *o, sc_error *err) {
    sc_checkpoint_meta meta;
    SC_TRY(sc_checkpoint_read_meta(o->checkpoint, &meta, err));
    if (!o->dataset[0])
        snprintf(o->dataset, sizeof o->dataset, "%s", meta.dataset);
    sc_source *src;
    SC_TRY(sc_cli_open_eval_source(o->dataset, o->data_dir, o->checkpoint, &meta, &o->data,
                                   o->limit_test, &src, err));
    if (src->count > 0 && o->batch > src->count) /* a bigger batch would only plan more memory */
        o->batch = (int)src->count;
    sc_backend *be = NULL;
    sc_net *net = NULL;
    sc_acts *acts = NULL;
    sc_loader *loader = NULL;
    sc_status st = SC_OK;
    sc_backend_config bc = sc_backend_config_default();
    bc.threads = o->threads;
    if (st == SC_OK)
        st = sc_backend_create(o->device, &bc, &be, err);
    if (st == SC_OK)
        st = sc_model_create(&meta.model, be, meta.seed, &net, err);
    if (st == SC_OK)
        st = sc_checkpoint_load(o->checkpoint, net, 0, err);
    if (st == SC_OK)
        st = sc_acts_create(net, o->batch, 0, 0, &acts, err);
    if (st == SC_OK) {
        sc_loader_config lc;
        memset(&lc, 0, sizeof lc);
        lc.batch_size = o->batch;
        sc_loader_use_backend_memory(&lc, be);
        sc_train_data_loader_config(&o->data, src, &lc);
        st = sc_loader_open_source(&loader, src, &lc, err);
    }
    sc_run_lock lock = {0};
    if (st == SC_OK && o->out_dir[0])
        st = sc_cli_out_dir_lock(o->out_dir, &lock, err);
    sc_eval_result r;
    if (st == SC_OK)
        st = sc_evaluate(net, acts, loader, &r, err);
    if (st == SC_OK) {
        printf("%s on %s (%lld test images, %s): accuracy %.2f%%, loss %.4f\n", meta.model.name,
               o->dataset, (long long)r.samples, be->name, 100.0 * r.accuracy, r.loss);
        if (o->out_dir[0])
            st = write_metrics(o, &meta, &r, err);
    }
    sc_run_lock_release(&lock);
    sc_loader_close(loader);
    sc_acts_destroy(acts);
    sc_net_destroy(net);
    sc_backend_destroy(be);
    sc_source_close(src);
    return st;
}

int sc_cmd_eval(int argc, char **argv) {
    eval_options o;
    sc_error err = {0};
    int help = 0;
    sc_status st = parse(argc, argv, &o, &help, &err);
    if (help) {
        print_help();
        return 0;
    }
    if (st == SC_OK)
        st = run_eval(&o, &err);
    return sc_cli_exit(st, &err);
}
