/* Private to trainer*.c, not for other callers: the state of a training run (`trainer`) and
 * the functions trainer.c (the run loop) and trainer_setup.c (set-up, resume, teardown, and
 * writing checkpoints) share. The public API is trainer.h. */
#ifndef SC_TRAINER_INTERNAL_H
#define SC_TRAINER_INTERNAL_H

#include <stdint.h>

#include "datasets/loader.h"
#include "host/backend/backend.h"
#include "lr_schedule.h"
#include "mode_state.h"
#include "progress.h"
#include "run_files.h"
#include "train_dist.h"
#include "train_step.h"
#include "trainer.h"

typedef struct trainer {
    sc_train_config resolved; /* the caller's configuration with dataset defaults filled in */
    const sc_train_config *cfg; /* = &resolved */
    const sc_train_hooks *hooks;
    sc_backend *be;
    sc_source *train_src, *test_src; /* the two splits (datasets/source.h) */
    sc_net *net;
    sc_acts *train_acts, *eval_acts;
    sc_mode_state *mode;
    sc_loader *train_loader, *test_loader;
    sc_lr_schedule lr;
    sc_run_files files;     /* opened on rank 0 only: the other ranks write nothing */
    sc_train_dist dist;     /* data-parallel runs: gradient all-reduce, sync-BN, global figures */
    sc_progress progress;
    sc_train_step_fn step_fn;
    int64_t steps_per_epoch;
    int epoch;              /* current epoch (0-based) */
    int64_t step_in_epoch;  /* batches done in the current epoch */
    int64_t global_step;
    double best_accuracy;
    double last_test_accuracy;
    /* the current epoch's logged training steps: sums of per-step loss and accuracy (carried
     * in checkpoints so a resumed epoch reports the same figures) */
    double epoch_loss_sum, epoch_correct_sum;
    int64_t epoch_logged_steps;
    double epoch_saliency_sums[4]; /* Gini sum, valid maps, |delta| sum, mask-fraction sum */
    double epoch_images, epoch_seconds; /* throughput of the current epoch in this process */
    /* steps since the last log line, and throughput over this process's steps */
    int64_t interval_steps;
    float interval_stats[SC_STAT_COUNT]; /* their statistics, read back when a stop saves them */
    double interval_start;
    double images_timed, seconds_timed;
    sc_train_result *result;
    int64_t resumed_log_bytes; /* the resumed checkpoint's log length (-1: unknown) */
    int resumed_finished;      /* the resumed checkpoint had completed every epoch */
} trainer;

/* Opens the run (data, backend, model, activations, loaders, schedule, run files) and resumes. */
sc_status sc_trainer_setup(trainer *t, sc_error *err);
/* Releases everything sc_trainer_setup opened, also after it failed part-way. */
void sc_trainer_teardown(trainer *t);
/* Writes out_dir/name from the current weights and position (rank 0 only; others: no-op). */
sc_status sc_trainer_save_checkpoint(trainer *t, const char *name, double test_accuracy,
                                     sc_error *err);

#endif
