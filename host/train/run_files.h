/* The files of a run directory: config.json (every value used), log.jsonl (one JSON line per
 * logging interval and per epoch), metrics.json (final figures), run.lock (see run_lock.h).
 * config.json and metrics.json are written atomically; log.jsonl is appended and flushed line
 * by line, and synced before each checkpoint, which records its length. */
#ifndef SC_RUN_FILES_H
#define SC_RUN_FILES_H

#include <stdio.h>

#include "host/core/json_write.h"
#include "run_lock.h"
#include "train_config.h"
#include "trainer.h"

typedef struct sc_run_files {
    char dir[SC_PATH_LEN];
    FILE *log;
    sc_json_writer line;
    sc_run_lock lock; /* held from open to close */
} sc_run_files;

/* mkdir -p for the run directory (and parents). */
sc_status sc_mkdirs(const char *path, sc_error *err);
/* Create the directory, take its lock (SC_ERR_USAGE when another run holds it), remove the
 * temporary files of dead writers, write config.json, open log.jsonl (appending when
 * resuming). */
sc_status sc_run_files_open(sc_run_files *f, const sc_train_config *cfg, int append,
                            sc_error *err);
/* One logging interval: the total loss and its terms (NaN for a term the mode does not have:
 * written as null), accuracy, learning rate and throughput. */
typedef struct sc_step_record {
    int epoch; /* 0-based */
    int64_t global_step;
    double loss, accuracy;
    double ce, ce_adv, kl;
    float lr;
    double images_per_s;
} sc_step_record;

/* One finished epoch: training and test figures and the training maps' saliency figures
 * (NaN, written as null, where the mode has none). */
typedef struct sc_epoch_record {
    int epoch; /* 0-based */
    int64_t global_step;
    double train_loss, train_accuracy, test_loss, test_accuracy;
    double saliency_gini, delta_mean, mask_fraction;
    double images_per_s;
    double comm_seconds; /* this rank's time in collectives so far (data-parallel runs) */
} sc_epoch_record;

sc_status sc_run_files_log_step(sc_run_files *f, const sc_step_record *r, sc_error *err);
sc_status sc_run_files_log_epoch(sc_run_files *f, const sc_epoch_record *r, sc_error *err);
sc_status sc_run_files_write_metrics(sc_run_files *f, const sc_train_config *cfg,
                                     const sc_train_result *r, sc_error *err);
/* Write a finished JSON document to path atomically. */
sc_status sc_write_json_file(const char *path, const sc_json_writer *w, sc_error *err);
/* Flush and fsync log.jsonl; *log_bytes = its length (recorded in a checkpoint). */
sc_status sc_run_files_sync_log(sc_run_files *f, int64_t *log_bytes, sc_error *err);
/* Close the log, remove temporary files of dead writers, release the lock. */
void sc_run_files_close(sc_run_files *f);

#endif
