/* Checkpoints: safetensors files whose tensor names are torchvision's state_dict names
 * ("conv1.weight", "layer1.0.bn1.running_mean", "layer1.0.bn1.num_batches_tracked", "fc.bias"),
 * so `model.load_state_dict(safetensors.torch.load_file(path))` works in PyTorch once the
 * optimizer entries are dropped. Optimizer state is stored as "optim.<name>.momentum_buffer".
 * String metadata (__metadata__) records the format version, the model, the dataset and its
 * normalisation, and the position of the run (epoch, step), from which a run resumes exactly.
 * Written atomically (temporary file, fsync, rename): a crash never leaves half a checkpoint. */
#ifndef SC_CHECKPOINT_H
#define SC_CHECKPOINT_H

#include <stdint.h>

#include "host/nn/net.h"
#include "models/resnet.h"
#include "train_stats.h"

#define SC_CHECKPOINT_FORMAT "scaat-checkpoint"
#define SC_CHECKPOINT_VERSION 1
#define SC_CHECKPOINT_CLASS_NAMES_LEN 32768

typedef struct sc_checkpoint_meta {
    sc_model_spec model;
    char dataset[32];
    int norm_channels;
    float norm_mean[4], norm_std[4];
    int64_t epoch;          /* epochs completed */
    int64_t step_in_epoch;  /* batches done in the unfinished epoch (0 at an epoch boundary) */
    int64_t global_step;    /* optimizer steps done */
    uint64_t seed;
    double best_accuracy;   /* best test accuracy so far (0..1), -1 if never evaluated */
    double test_accuracy;   /* test accuracy of these weights, -1 if not evaluated */
    /* training figures of the unfinished epoch so far (sums over its logged steps of the
     * per-step mean loss and accuracy, and the number of those steps) */
    double epoch_loss_sum, epoch_correct_sum;
    int64_t epoch_logged_steps;
    char mode[16];          /* training mode ("standard" for checkpoints that do not say) */
    /* the unfinished epoch's saliency figures so far: sums of the training maps' Gini, the
     * number of valid maps, the mean |delta| and the mask fraction (zeros where absent) */
    double epoch_saliency_sums[4];
    /* the steps since the last log line (a run stopped between log lines) and the training
     * statistics they summed on the device, restored as they were so the resumed run logs the
     * same lines with the same figures (0 steps and zeros in checkpoints that do not say) */
    int64_t interval_steps;
    float interval_stats[SC_STAT_COUNT];
    /* length of the run's log.jsonl (synced) when the checkpoint was written, -1 when unknown:
     * a resume cuts the log back to it */
    int64_t log_bytes;
    /* the training data's class names, '\n'-separated, "" when the dataset has built-in names
     * (datasets/class_names.h) or the names do not fit */
    char class_names[SC_CHECKPOINT_CLASS_NAMES_LEN];
    int image_resize; /* image folders: the evaluation Resize trained with, 0 = the default */
} sc_checkpoint_meta;

/* Save parameters, BN statistics (with num_batches_tracked) and, with with_optimizer, the
 * momentum buffers. */
sc_status sc_checkpoint_save(const char *path, sc_net *net, const sc_checkpoint_meta *meta,
                             int with_optimizer, sc_error *err);
/* Read only the metadata (to build the right model before loading). */
sc_status sc_checkpoint_read_meta(const char *path, sc_checkpoint_meta *meta, sc_error *err);
/* Load into a network built from the checkpoint's model: every parameter and buffer must be
 * present with the right shape and hold finite values (a batch-norm running variance also
 * non-negative); with_optimizer also restores the momentum buffers. */
sc_status sc_checkpoint_load(const char *path, sc_net *net, int with_optimizer, sc_error *err);

#endif
