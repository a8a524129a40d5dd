/* Learning-rate schedules, a pure function of the global step so a resumed run follows the
 * same curve: constant, cosine (to 0) and multi-step, each after an optional linear warm-up
 * from 0 over warmup_steps. */
#ifndef SC_LR_SCHEDULE_H
#define SC_LR_SCHEDULE_H

#include <stdint.h>

#include "host/core/status.h"

#define SC_LR_MAX_MILESTONES 8

typedef enum sc_lr_kind { SC_LR_CONSTANT = 0, SC_LR_COSINE, SC_LR_MULTISTEP } sc_lr_kind;

typedef struct sc_lr_schedule {
    sc_lr_kind kind;
    float base_lr;
    int64_t total_steps;
    int64_t warmup_steps;
    int n_milestones;
    int64_t milestones[SC_LR_MAX_MILESTONES]; /* steps at which lr is multiplied by gamma */
    float gamma;
} sc_lr_schedule;

/* "cosine" | "multistep" | "constant". */
sc_status sc_lr_kind_parse(const char *name, sc_lr_kind *out, sc_error *err);
const char *sc_lr_kind_name(sc_lr_kind kind);
float sc_lr_at(const sc_lr_schedule *s, int64_t step);

#endif
