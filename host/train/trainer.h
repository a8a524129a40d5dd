/* The training run: datasets, backend, model, loaders, the epoch loop with evaluation,
 * checkpoints (last and best), log.jsonl / config.json / metrics.json in the run directory,
 * progress output, and exact resumption from a checkpoint. */
#ifndef SC_TRAINER_H
#define SC_TRAINER_H

#include "train_config.h"

/* Polled once per step; returning non-zero stops the run after saving checkpoint-last
 * (the CLI uses it for Ctrl-C / SIGTERM). */
typedef struct sc_train_hooks {
    int (*should_stop)(void *ctx);
    void *ctx;
    struct sc_dist *dist; /* data-parallel job (host/dist/dist.h); NULL: a single process */
} sc_train_hooks;

typedef struct sc_train_result {
    double test_accuracy;      /* after the last completed epoch; NaN (null in metrics.json)
                                  when no epoch was evaluated */
    double test_loss;
    double best_test_accuracy; /* NaN when no epoch was evaluated */
    /* mean Gini of the test set's gradient maps (predicted class, BN in eval mode) of the
     * final weights, NaN when not measured; maps that were all zero or NaN are counted apart */
    double test_saliency_gini;
    int64_t test_saliency_degenerate;
    double train_images_per_s; /* over the steps of this process, all ranks' images */
    int ranks;                 /* processes of a data-parallel run (1 otherwise) */
    double comm_seconds;       /* time this rank spent in collectives */
    double wall_seconds;
    int epochs_completed;
    int64_t global_step;
    int interrupted;           /* stopped by the hook; checkpoint-last holds the position */
} sc_train_result;

/* Runs the whole training. Returns SC_ERR_INTERRUPTED (result->interrupted = 1) when the hook
 * stopped it, after the checkpoint was written. */
sc_status sc_train_run(const sc_train_config *cfg, const sc_train_hooks *hooks,
                       sc_train_result *result, sc_error *err);

#endif
