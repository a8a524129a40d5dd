/* Progress output of long work: on a terminal one line rewritten in place a few times a
 * second (epoch, step, loss, accuracy, images/s, ETA); otherwise plain lines, about ten per
 * epoch and at least every 30 seconds, so logs of batch jobs stay readable. */
#ifndef SC_PROGRESS_H
#define SC_PROGRESS_H

#include <stdint.h>
#include <stdio.h>

typedef struct sc_progress {
    FILE *out;
    int tty;
    int line_open;        /* a rewritten line is on screen */
    double started;       /* seconds (monotonic) */
    double last_print;
    int64_t first_step;   /* global step when this run started (resume) */
    int64_t total_steps;  /* global step at which the run ends */
    int64_t last_plain_step;
} sc_progress;

typedef struct sc_progress_sample {
    int epoch, epochs;            /* epoch is 0-based */
    int64_t step_in_epoch, steps_per_epoch;
    int64_t global_step;          /* steps completed */
    double loss, accuracy;        /* means over the last logging interval */
    double images_per_s;
    double lr;
} sc_progress_sample;

/* out NULL: print nothing (the ranks other than 0 of a data-parallel run). */
void sc_progress_init(sc_progress *p, FILE *out, int64_t first_step, int64_t total_steps);
void sc_progress_update(sc_progress *p, const sc_progress_sample *s);
/* Print a finished line (e.g. the epoch's evaluation) without breaking the rewritten line. */
void sc_progress_message(sc_progress *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sc_progress_finish(sc_progress *p);

#endif
