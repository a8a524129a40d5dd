/* scaat bench: training throughput on synthetic data, timed on the device after warm-up
 * (CUDA events on the GPU, the monotonic clock on the CPU). Prints one JSON line in the form
 * of the PyTorch peer's (shared/peer/peer_scaat.py), so the two can be compared in one run.
 * With --metrics, saliency + Gini and deletion-AUC throughput instead (bench_metrics.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "bench_metrics.h"
#include "commands.h"
#include "host/core/log.h"
#include "host/core/rng.h"
#include "host/train/train_step.h"
#include "mode_options.h"
#include "models/resnet.h"

typedef struct bench_options {
    sc_model_spec spec;
    int batch, steps, warmup, tf32, threads;
    int metrics; /* --metrics: the saliency / metric benchmark */
    char device[16];
    char precision[8];
    sc_mode_config mode;
} bench_options;

static void print_help(void) {
    puts("usage: scaat bench [options]\n"
         "\n"
         "Training-step throughput (every pass of the mode's step, SGD included) on synthetic\n"
         "data normalised with mean 0.5 and std 0.25 (valid range [-2, 2], as the PyTorch peer).\n"
         "Prints one JSON line: images/s, ms per step and the planned device memory.\n"
         "\n"
         "  --metrics           instead: vanilla-gradient maps + Gini, and the deletion curve\n"
         "                      (100 steps) + AUC of one batch of N(0, 1) inputs through the\n"
         "                      evaluation's code path (as peer_scaat.py --metrics); two JSON\n"
         "                      lines, maps/s and samples/s\n"
         "  --model NAME        (default resnet18)\n"
         "  --stem imagenet|cifar  (default cifar)\n"
         "  --size S            input height and width (default 32)\n"
         "  --channels C        input channels (default 3)\n"
         "  --classes K         (default 10)\n"
         "  --batch B           (default 512)\n"
         "  --precision fp32|tf32  GPU math for convolutions and GEMMs (default tf32)\n"
         "  --iters N           timed steps (default 20; --metrics: timed passes, default 1)\n"
         "  --warmup N          untimed steps first (default 5; --metrics: 1)\n"
         "  --device D          auto | cpu | cuda (default auto)\n"
         "  --threads N         CPU threads (default: all cores)\n");
    sc_cli_mode_help();
}

static sc_status parse(int argc, char **argv, bench_options *o, int *help, sc_error *err) {
    memset(o, 0, sizeof *o);
    snprintf(o->spec.name, sizeof o->spec.name, "resnet18");
    snprintf(o->spec.stem, sizeof o->spec.stem, "cifar");
    o->spec.in_channels = 3;
    o->spec.num_classes = 10;
    o->spec.in_h = o->spec.in_w = 32;
    o->batch = 512;
    o->steps = 0;   /* unset: 20 (training) or 1 (--metrics) */
    o->warmup = -1; /* unset: 5 (training) or 1 (--metrics) */
    snprintf(o->device, sizeof o->device, "auto");
    snprintf(o->precision, sizeof o->precision, "tf32");
    sc_mode_config_default(&o->mode);
    sc_args a;
    sc_args_init(&a, argc, argv);
    sc_status st = SC_OK;
    long long v = 0;
    while (st == SC_OK && sc_args_next(&a, &st, err)) {
        if (sc_args_is(&a, "--help") || sc_args_is(&a, "-h")) {
            *help = 1;
            return SC_OK;
        } else if (sc_cli_mode_option(&a, &o->mode, &st, err)) {
            continue;
        } else if (sc_args_is(&a, "--metrics")) {
            o->metrics = 1;
        } else if (sc_args_is(&a, "--model")) {
            st = sc_args_string(&a, o->spec.name, sizeof o->spec.name, err);
        } else if (sc_args_is(&a, "--stem")) {
            st = sc_args_string(&a, o->spec.stem, sizeof o->spec.stem, err);
        } else if (sc_args_is(&a, "--device")) {
            st = sc_args_string(&a, o->device, sizeof o->device, err);
        } else if (sc_args_is(&a, "--precision")) {
            st = sc_args_string(&a, o->precision, sizeof o->precision, err);
        } else if (sc_args_is(&a, "--size")) {
            st = sc_args_int(&a, 8, 4096, &v, err);
            o->spec.in_h = o->spec.in_w = (int)v;
        } else if (sc_args_is(&a, "--channels")) {
            st = sc_args_int(&a, 1, 64, &v, err);
            o->spec.in_channels = (int)v;
        } else if (sc_args_is(&a, "--classes")) {
            st = sc_args_int(&a, 2, 100000, &v, err);
            o->spec.num_classes = (int)v;
        } else if (sc_args_is(&a, "--batch")) {
            st = sc_args_int(&a, 1, 1 << 16, &v, err);
            o->batch = (int)v;
        } else if (sc_args_is(&a, "--iters")) { /* --steps is the mode's attack steps T */
            st = sc_args_int(&a, 1, 100000, &v, err);
            o->steps = (int)v;
        } else if (sc_args_is(&a, "--warmup")) {
            st = sc_args_int(&a, 0, 100000, &v, err);
            o->warmup = (int)v;
        } else if (sc_args_is(&a, "--threads")) {
            st = sc_args_threads(&a, &o->threads, err);
        } else {
            st = sc_args_unknown(&a, "bench", err);
        }
    }
    if (st == SC_OK && strcmp(o->precision, "fp32") != 0 && strcmp(o->precision, "tf32") != 0)
        st = sc_fail(err, SC_ERR_USAGE, "--precision: expected fp32 or tf32, got '%s'", o->precision);
    o->tf32 = strcmp(o->precision, "tf32") == 0;
    if (o->steps == 0)
        o->steps = o->metrics ? 1 : 20;
    if (o->warmup < 0)
        o->warmup = o->metrics ? 1 : 5;
    if (st == SC_OK)
        st = sc_mode_config_resolve(&o->mode, err);
    return st;
}

/* Random inputs on the device and random labels uploaded once. */
static sc_status fill_batch(sc_acts *acts, int classes, sc_error *err) {
    sc_backend *be = acts->net->be;
    sc_status st = be->ops->rng_normal(be, sc_rng_key_make(0, 0, SC_RNG_TEST), 0.0f, 1.0f,
                                       &acts->values[0]);
    int32_t *labels = malloc(sizeof(int32_t) * (size_t)acts->batch);
    if (!labels)
        return sc_fail(err, SC_ERR_OOM, "no host memory for labels");
    sc_rng_key key = sc_rng_key_make(0, 1, SC_RNG_TEST);
    for (int i = 0; i < acts->batch; i++)
        labels[i] = (int32_t)sc_rng_below(key, (uint64_t)i, (uint32_t)classes);
    if (st == SC_OK)
        st = be->ops->upload(be, acts->labels.data, labels, sizeof(int32_t) * (size_t)acts->batch);
    free(labels);
    if (st != SC_OK)
        return sc_fail(err, st, "synthetic batch: %s", be->err.msg);
    return SC_OK;
}

/* A backend status with the backend's message attached. */
static sc_status backend_call(sc_backend *be, sc_status st, const char *what, sc_error *err) {
    return st == SC_OK ? SC_OK : sc_fail(err, st, "%s: %s", what, be->err.msg);
}

static sc_status timed_steps(const bench_options *o, const sc_train_step_args *args,
                             double *seconds, sc_error *err) {
    sc_backend *be = args->net->be;
    sc_train_step_fn step = sc_train_step_for_mode(o->mode.kind);
    sc_status st = SC_OK;
    for (int i = 0; st == SC_OK && i < o->warmup; i++)
        st = step(args, err);
    if (st == SC_OK)
        st = backend_call(be, be->ops->timer_mark(be, 0), "timer", err);
    for (int i = 0; st == SC_OK && i < o->steps; i++)
        st = step(args, err);
    if (st == SC_OK)
        st = backend_call(be, be->ops->timer_mark(be, 1), "timer", err);
    if (st == SC_OK)
        st = backend_call(be, be->ops->timer_elapsed(be, 0, 1, seconds), "timer", err);
    return st;
}

static sc_status run_bench(const bench_options *o, sc_error *err) {
    sc_backend_config bc = sc_backend_config_default();
    bc.tf32 = o->tf32;
    bc.threads = o->threads;
    sc_backend *be = NULL;
    sc_net *net = NULL;
    sc_acts *acts = NULL;
    sc_mode_state *mode = NULL;
    sc_channel_norm norm = {o->spec.in_channels, {0}, {0}};
    for (int c = 0; c < SC_MAX_CHANNELS; c++) {
        norm.mean[c] = 0.5f;
        norm.std[c] = 0.25f;
    }
    SC_TRY(sc_backend_create(o->device, &bc, &be, err));
    sc_status st = sc_model_create(&o->spec, be, 0, &net, err);
    if (st == SC_OK)
        st = sc_acts_create(net, o->batch, 1, sc_mode_needs_clean_input_grad(&o->mode), &acts, err);
    if (st == SC_OK)
        st = sc_mode_state_create(net, o->batch, &o->mode, &norm, &mode, err);
    if (st == SC_OK)
        st = fill_batch(acts, o->spec.num_classes, err);
    sc_train_config cfg;
    sc_train_config_default(&cfg);
    cfg.mode = o->mode;
    sc_train_step_args args = {net, acts, mode, &cfg, 0.01f, 0, 0, NULL};
    double seconds = 0.0;
    if (st == SC_OK)
        st = timed_steps(o, &args, &seconds, err);
    float stats[SC_STAT_COUNT] = {0};
    if (st == SC_OK)
        st = backend_call(be, be->ops->download(be, stats, mode->stats.data, sizeof stats),
                          "reading the loss", err);
    if (st == SC_OK) {
        double ms = 1e3 * seconds / o->steps;
        size_t bytes = net->param_arena.size + net->grad_arena.size + net->momentum_arena.size +
                       acts->arena.size + sc_mode_state_bytes(mode);
        sc_loss_terms terms;
        sc_loss_terms_from_stats(&o->mode, stats, (double)(o->warmup + o->steps) * o->batch, &terms);
        printf("{\"engine\": \"scaat\", \"device\": \"%s\", \"model\": \"%s\", \"stem\": \"%s\", "
               "\"size\": %d, \"channels\": %d, \"batch\": %d, \"precision\": \"%s\", "
               "\"mode\": \"%s\", \"T\": %d, \"saliency_bn\": \"%s\", \"ms_per_step\": %.3f, "
               "\"img_per_s\": %.1f, \"planned_mem_gib\": %.3f, \"loss\": %.4f}\n",
               be->name, o->spec.name, o->spec.stem, o->spec.in_h, o->spec.in_channels, o->batch,
               o->precision, sc_mode_name(o->mode.kind), o->mode.steps,
               o->mode.saliency_bn_batch ? "batch" : "eval", ms, o->batch / (ms * 1e-3),
               (double)bytes / (1 << 30), terms.loss);
    }
    sc_mode_state_destroy(mode);
    sc_acts_destroy(acts);
    sc_net_destroy(net);
    sc_backend_destroy(be);
    return st;
}

int sc_cmd_bench(int argc, char **argv) {
    bench_options o;
    sc_error err = {0};
    int help = 0;
    sc_status st = parse(argc, argv, &o, &help, &err);
    if (help) {
        print_help();
        return 0;
    }
    sc_bench_metrics_args m = {&o.spec, o.device, o.precision, o.tf32, o.threads, o.batch,
                               o.steps, o.warmup, 100};
    if (st == SC_OK)
        st = o.metrics ? sc_bench_metrics_run(&m, &err) : run_bench(&o, &err);
    return sc_cli_exit(st, &err);
}
