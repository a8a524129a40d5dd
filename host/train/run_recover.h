/* Putting a run directory back in order when a run starts, resumes or ends (with the run lock
 * held): temporary files of atomic writes whose process died, a log.jsonl longer than the
 * checkpoint a run resumes from, and whether checkpoint-best holds the best accuracy a
 * checkpoint records. */
#ifndef SC_RUN_RECOVER_H
#define SC_RUN_RECOVER_H

#include <stdint.h>

#include "host/core/status.h"

/* Remove dir's "<name>.tmp.<pid>" files (left by an atomic write that was killed) whose
 * process no longer runs on this host; returns how many were removed. */
int sc_run_remove_stale_temporaries(const char *dir);

/* When resuming from checkpoint_path with the log's length log_bytes (>= 0): if the checkpoint
 * lies in dir and dir/log.jsonl is longer, cut the log back to log_bytes, dropping the lines
 * written after the checkpoint (they are written again by the resumed run). *cut_bytes tells
 * how many bytes were dropped. */
sc_status sc_run_truncate_log(const char *dir, const char *checkpoint_path, int64_t log_bytes,
                              int64_t *cut_bytes, sc_error *err);

/* 1 when dir/checkpoint-best.safetensors exists, is a checkpoint of model `model` and seed
 * `seed`, and holds test accuracy best_accuracy exactly; else 0. */
int sc_run_best_checkpoint_holds(const char *dir, const char *model, uint64_t seed,
                                 double best_accuracy);

#endif
