/* Every value a training run uses. The CLI fills it from options; config.json records it;
 * a checkpoint's metadata carries the parts needed to rebuild the model. */
#ifndef SC_TRAIN_CONFIG_H
#define SC_TRAIN_CONFIG_H

#include <stdint.h>

#include "datasets/registry.h"
#include "host/core/json_write.h"
#include "lr_schedule.h"
#include "mode_config.h"

#define SC_PATH_LEN 1024

typedef struct sc_train_config {
    char dataset[32];       /* a name of datasets/registry.h: mnist, cifar10, imagefolder, ... */
    char data_dir[SC_PATH_LEN]; /* "" = the dataset's default directory */
    char model[32];
    char stem[16];          /* imagenet | cifar | "" = cifar for images up to 64 pixels */
    char device[16];        /* auto | cpu | cuda */
    char out_dir[SC_PATH_LEN];
    char resume[SC_PATH_LEN]; /* checkpoint to continue from, "" = fresh run */
    char init[SC_PATH_LEN];   /* --init: safetensors state_dict to start from, "" = random init */
    char init_skip[256];      /* --init-skip: comma list of name prefixes left initialised */
    int epochs;
    int batch;
    int eval_batch;         /* 0 = the training batch */
    float lr;
    float momentum;
    float weight_decay;
    int nesterov;
    float label_smoothing;
    sc_lr_kind lr_schedule;
    float warmup_epochs;
    int n_milestones;       /* multistep: epochs at which lr *= lr_gamma */
    int milestones[SC_LR_MAX_MILESTONES];
    float lr_gamma;
    int crop_padding;       /* -1 = dataset default (4 for CIFAR, 0 otherwise) */
    int flip;               /* -1 = dataset default (1 for CIFAR, 0 otherwise) */
    uint64_t seed;
    int64_t limit_train;    /* 0 = all */
    int64_t limit_test;
    int log_every;          /* steps per logged loss (a device readback each time) */
    int tf32;
    int debug_sync;
    int deterministic;      /* GPU: deterministic cuDNN algorithms chosen by heuristics */
    int threads;            /* CPU threads, 0 = all cores */
    int checkpoint_every_epoch; /* 1: checkpoint-last after every epoch */
    int sync_bn;            /* data-parallel runs: BN statistics over the global batch */
    float bucket_mb;        /* data-parallel runs: MiB of gradient floats per all-reduce bucket */
    int grad_overlap;       /* data-parallel runs: start buckets during the backward pass */
    sc_data_config data;    /* image datasets: size, resize, channels, workers, bad images */
    sc_mode_config mode;    /* training mode and its knobs */
    /* the dataset's normalisation, filled in once the dataset is loaded (config.json records
     * it with the per-channel budgets and valid ranges it implies) */
    sc_channel_norm norm;
} sc_train_config;

void sc_train_config_default(sc_train_config *cfg);
/* Fill dataset-dependent defaults (stem, augmentation) once the dataset is known. */
void sc_train_config_resolve(sc_train_config *cfg, int image_height);
/* Write every field as members of the current JSON object. */
void sc_train_config_write_json(const sc_train_config *cfg, sc_json_writer *w);

#endif
