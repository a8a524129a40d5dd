/* scaat train: parse the options into a training configuration and run it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "commands.h"
#include "data_options.h"
#include "dist_job.h"
#include "host/core/log.h"
#include "host/train/trainer.h"
#include "mode_options.h"
#include "models/resnet.h"

static void print_help(void) {
    printf(
        "usage: scaat train [options]\n"
        "\n"
        "Train a classifier and write a run directory (config.json, log.jsonl, metrics.json,\n"
        "checkpoint-last.safetensors, checkpoint-best.safetensors).\n"
        "\n"
        "data:\n"
        "  --dataset NAME        fashion-mnist | mnist | cifar10 | cifar100 | imagefolder | pcam\n"
        "                        (default fashion-mnist)\n"
        "  --data DIR            dataset directory (default: /usr/share/datasets/<name> for the\n"
        "                        MNIST family, ./data/cifar-10-batches-bin, ./data/cifar-100-binary,\n"
        "                        ./data/imagefolder with DIR/train/<class>/*, DIR/val/<class>/*,\n"
        "                        ./data/pcam with PatchCamelyon's .h5 files)\n"
        "  --limit-train N       use only the first N training images (default: all)\n"
        "  --limit-test N        use only the first N test images (default: all)\n"
        "  --crop-padding P      random crop with P pixels of zero padding (default 4 for CIFAR, 0)\n"
        "  --flip on|off         random horizontal flip (default on for CIFAR, imagefolder and\n"
        "                        pcam, off otherwise)\n"
        "%s"
        "model:\n"
        "  --model NAME          %s (default resnet8)\n"
        "  --stem imagenet|cifar first layers of resnet18/34/50 (default: cifar for images of at\n"
        "                        most 64 pixels, imagenet otherwise)\n"
        "  --init FILE           start from a PyTorch state_dict saved with safetensors (torchvision\n"
        "                        names: conv1.weight, ..., fc.bias); names and shapes must match\n"
        "  --init-skip P,...     with --init: leave parameters under these name prefixes freshly\n"
        "                        initialised (e.g. fc when the class count differs)\n"
        "training:\n"
        "  --epochs N            (default 3)\n"
        "  --batch B             training batch (default 128)\n"
        "  --eval-batch B        evaluation batch (default: the training batch)\n"
        "  --lr X                peak learning rate (default 0.1)\n"
        "  --lr-schedule S       cosine | multistep | constant (default cosine)\n"
        "  --warmup-epochs E     linear warm-up length in epochs, may be fractional (default 0.1)\n"
        "  --milestones A,B,..   multistep: epochs at which lr is multiplied by --lr-gamma\n"
        "  --lr-gamma G          multistep factor (default 0.1)\n"
        "  --momentum M          SGD momentum (default 0.9)\n"
        "  --nesterov            Nesterov momentum\n"
        "  --weight-decay W      L2 weight decay on every parameter (default 5e-4)\n"
        "  --label-smoothing S   (default 0)\n"
        "  --seed S              seeds initialisation, data order and augmentation (default 0)\n"
        "run:\n"
        "  --out DIR             run directory (default runs/default); one run at a time: a\n"
        "                        directory another run holds (run.lock) is refused\n"
        "  --resume FILE         continue exactly from a checkpoint (e.g. DIR/checkpoint-last.safetensors;\n"
        "                        give the same --dataset, --seed, --batch and --limit-train)\n"
        "  --device D            auto | cpu | cuda (default auto: the GPU when there is one)\n"
        "  --threads N           CPU threads (default: all cores)\n"
        "  --tf32 on|off         TF32 tensor-op math on the GPU (default on)\n"
        "  --debug-sync          synchronise after every GPU op (pins asynchronous faults)\n"
        "  --deterministic       the same GPU losses every run: deterministic cuDNN algorithms\n"
        "                        chosen by heuristics, not timing (may be slower; README, The GPU)\n"
        "  --log-every N         steps per loss readback and log.jsonl line (default 10)\n"
        "data-parallel (mpirun -np N scaat train ..., srun scaat train ...; see tools/docs/cluster.md):\n"
        "  --batch is the global batch, split evenly over the ranks (it must divide by N)\n"
        "  --threads and --workers default to the node's cores divided by its ranks\n"
        "  (at most the cores the launcher bound the rank to)\n"
        "  --sync-bn             batch-norm statistics over the global batch on every rank\n"
        "                        (default: each rank's own share, as PyTorch DDP)\n"
        "  --bucket-mb M         MiB of gradients per all-reduce bucket (default 25, as DDP)\n"
        "  --grad-overlap on|off all-reduce each bucket as soon as the backward pass has\n"
        "                        finished its layers (default on; off: after the whole pass)\n"
        "\n"
        "\n",
        sc_cli_data_help(), sc_model_names());
    sc_cli_mode_help();
    printf("\nCtrl-C (or SIGTERM) saves checkpoint-last.safetensors and exits; --resume continues\n"
           "with exactly the losses and log lines of an uninterrupted run, also after a kill (the\n"
           "log is cut back to the checkpoint); resuming a finished run writes its missing files.\n");
}

static sc_status parse_milestones(sc_args *a, sc_train_config *cfg, sc_error *err) {
    return sc_args_increasing_ints(a, 1, 100000, SC_LR_MAX_MILESTONES, cfg->milestones,
                                   &cfg->n_milestones, err);
}

static sc_status parse_option(sc_args *a, sc_train_config *cfg, sc_error *err) {
    long long v;
    if (sc_args_is(a, "--dataset"))
        return sc_args_string(a, cfg->dataset, sizeof cfg->dataset, err);
    if (sc_args_is(a, "--data"))
        return sc_args_string(a, cfg->data_dir, sizeof cfg->data_dir, err);
    if (sc_args_is(a, "--model"))
        return sc_args_string(a, cfg->model, sizeof cfg->model, err);
    if (sc_args_is(a, "--stem"))
        return sc_args_string(a, cfg->stem, sizeof cfg->stem, err);
    sc_status st = SC_OK;
    if (sc_cli_mode_option(a, &cfg->mode, &st, err))
        return st;
    if (sc_args_is(a, "--device"))
        return sc_args_string(a, cfg->device, sizeof cfg->device, err);
    if (sc_args_is(a, "--out"))
        return sc_args_string(a, cfg->out_dir, sizeof cfg->out_dir, err);
    if (sc_args_is(a, "--resume"))
        return sc_args_string(a, cfg->resume, sizeof cfg->resume, err);
    if (sc_args_is(a, "--init"))
        return sc_args_string(a, cfg->init, sizeof cfg->init, err);
    if (sc_args_is(a, "--init-skip"))
        return sc_args_string(a, cfg->init_skip, sizeof cfg->init_skip, err);
    if (sc_args_is(a, "--lr-schedule")) {
        char name[32];
        SC_TRY(sc_args_string(a, name, sizeof name, err));
        return sc_lr_kind_parse(name, &cfg->lr_schedule, err);
    }
    if (sc_args_is(a, "--milestones"))
        return parse_milestones(a, cfg, err);
    if (sc_args_is(a, "--epochs")) {
        SC_TRY(sc_args_int(a, 1, 100000, &v, err));
        cfg->epochs = (int)v;
        return SC_OK;
    }
    if (sc_args_is(a, "--batch")) {
        SC_TRY(sc_args_int(a, 1, 1 << 20, &v, err));
        cfg->batch = (int)v;
        return SC_OK;
    }
    if (sc_args_is(a, "--eval-batch")) {
        SC_TRY(sc_args_int(a, 1, 1 << 20, &v, err));
        cfg->eval_batch = (int)v;
        return SC_OK;
    }
    if (sc_args_is(a, "--limit-train")) {
        SC_TRY(sc_args_int(a, 1, (long long)1 << 40, &v, err));
        cfg->limit_train = v;
        return SC_OK;
    }
    if (sc_args_is(a, "--limit-test")) {
        SC_TRY(sc_args_int(a, 1, (long long)1 << 40, &v, err));
        cfg->limit_test = v;
        return SC_OK;
    }
    if (sc_args_is(a, "--crop-padding")) {
        SC_TRY(sc_args_int(a, 0, 64, &v, err));
        cfg->crop_padding = (int)v;
        return SC_OK;
    }
    if (sc_args_is(a, "--flip"))
        return sc_args_on_off(a, &cfg->flip, err);
    if (sc_args_is(a, "--log-every")) {
        SC_TRY(sc_args_int(a, 1, 1000000, &v, err));
        cfg->log_every = (int)v;
        return SC_OK;
    }
    if (sc_args_is(a, "--threads")) {
        return sc_args_threads(a, &cfg->threads, err);
    }
    if (sc_args_is(a, "--lr"))
        return sc_args_float(a, 0.0, 100.0, &cfg->lr, err);
    if (sc_args_is(a, "--momentum"))
        return sc_args_float(a, 0.0, 0.9999, &cfg->momentum, err);
    if (sc_args_is(a, "--weight-decay"))
        return sc_args_float(a, 0.0, 1.0, &cfg->weight_decay, err);
    if (sc_args_is(a, "--label-smoothing"))
        return sc_args_float(a, 0.0, 0.99, &cfg->label_smoothing, err);
    if (sc_args_is(a, "--warmup-epochs"))
        return sc_args_float(a, 0.0, 100000.0, &cfg->warmup_epochs, err);
    if (sc_args_is(a, "--lr-gamma"))
        return sc_args_float(a, 0.0, 1.0, &cfg->lr_gamma, err);
    if (sc_args_is(a, "--seed"))
        return sc_args_u64(a, &cfg->seed, err);
    if (sc_args_is(a, "--tf32"))
        return sc_args_on_off(a, &cfg->tf32, err);
    if (sc_args_is(a, "--nesterov")) {
        cfg->nesterov = 1;
        return sc_args_flag(a, err);
    }
    if (sc_args_is(a, "--bucket-mb"))
        return sc_args_float(a, 1e-3, 1024.0, &cfg->bucket_mb, err);
    if (sc_args_is(a, "--grad-overlap"))
        return sc_args_on_off(a, &cfg->grad_overlap, err);
    if (sc_args_is(a, "--sync-bn")) {
        cfg->sync_bn = 1;
        return sc_args_flag(a, err);
    }
    if (sc_args_is(a, "--debug-sync")) {
        cfg->debug_sync = 1;
        return sc_args_flag(a, err);
    }
    if (sc_args_is(a, "--deterministic")) {
        cfg->deterministic = 1;
        return sc_args_flag(a, err);
    }
    int matched;
    sc_status data_st = sc_cli_data_option(a, &cfg->data, &matched, err);
    if (matched)
        return data_st;
    return sc_args_unknown(a, "train", err);
}

/* Checks that need no file: names and combinations. */
static sc_status validate(sc_train_config *cfg, sc_error *err) {
    if (!sc_model_known(cfg->model))
        return sc_fail(err, SC_ERR_USAGE, "--model: unknown model '%s' (expected one of: %s)",
                       cfg->model, sc_model_names());
    if (cfg->stem[0] && strcmp(cfg->stem, "imagenet") != 0 && strcmp(cfg->stem, "cifar") != 0)
        return sc_fail(err, SC_ERR_USAGE, "--stem: expected imagenet or cifar, got '%s'", cfg->stem);
    if (strcmp(cfg->device, "auto") != 0 && strcmp(cfg->device, "cpu") != 0 &&
        strcmp(cfg->device, "cuda") != 0)
        return sc_fail(err, SC_ERR_USAGE, "--device: expected auto, cpu or cuda, got '%s'", cfg->device);
    if (cfg->lr_schedule == SC_LR_MULTISTEP && cfg->n_milestones == 0)
        return sc_fail(err, SC_ERR_USAGE, "--lr-schedule multistep needs --milestones");
    if (cfg->init_skip[0] && !cfg->init[0])
        return sc_fail(err, SC_ERR_USAGE, "--init-skip needs --init");
    if (cfg->init[0] && cfg->resume[0])
        return sc_fail(err, SC_ERR_USAGE, "--init and --resume exclude each other (a resumed run "
                       "continues from its checkpoint's weights)");
    SC_TRY(sc_cli_data_validate(&cfg->data, err));
    return sc_mode_config_resolve(&cfg->mode, err);
}

int sc_cmd_train(int argc, char **argv) {
    sc_train_config cfg;
    sc_train_config_default(&cfg);
    sc_args a;
    sc_args_init(&a, argc, argv);
    sc_error err = {0};
    sc_status st = SC_OK;
    while (st == SC_OK && sc_args_next(&a, &st, &err)) {
        if (sc_args_is(&a, "--help") || sc_args_is(&a, "-h")) {
            print_help();
            return 0;
        }
        st = parse_option(&a, &cfg, &err);
    }
    if (st == SC_OK)
        st = validate(&cfg, &err);
    if (st != SC_OK) {
        sc_log_error("%s", err.msg);
        return 2;
    }
    sc_signals_install();
    sc_dist dist;
    st = sc_cli_dist_join(&dist, &cfg, &err);
    if (st != SC_OK)
        return sc_cli_dist_exit(&dist, sc_status_exit_code(st), &err);
    sc_cli_stop stop;
    sc_cli_stop_init(&stop);
    sc_train_hooks hooks = {sc_cli_should_stop, &stop, &dist};
    sc_train_result result;
    st = sc_train_run(&cfg, &hooks, &result, &err);
    if (st == SC_ERR_INTERRUPTED) {
        if (sc_dist_is_root(&dist))
            sc_log("%s", err.msg);
        return sc_cli_dist_exit(&dist, 130, &err);
    }
    if (st != SC_OK)
        return sc_cli_dist_exit(&dist, sc_status_exit_code(st), &err);
    if (sc_dist_is_root(&dist))
        printf("test accuracy %.2f%% (best %.2f%%) after %d epochs, %.0f training images/s "
               "(%d rank%s, %.1f s in communication), %.1f s; run directory %s\n",
               100.0 * result.test_accuracy, 100.0 * result.best_test_accuracy,
               result.epochs_completed, result.train_images_per_s, result.ranks,
               result.ranks == 1 ? "" : "s", result.comm_seconds, result.wall_seconds,
               cfg.out_dir);
    return sc_cli_dist_exit(&dist, 0, &err);
}
