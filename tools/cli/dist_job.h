/* scaat train as one rank of a data-parallel job (mpirun / srun): joining the job, the stop
 * hook shared by every rank, the test hooks, and ending every rank together. */
#ifndef SC_CLI_DIST_JOB_H
#define SC_CLI_DIST_JOB_H

#include <stdint.h>

#include "host/dist/dist.h"
#include "host/train/train_config.h"

/* Polled once per step (sc_train_hooks.should_stop): Ctrl-C / SIGTERM, or the test hook
 * SCAAT_TEST_STOP_AFTER_STEPS=N (stop after N steps of this process). */
typedef struct sc_cli_stop {
    int64_t polls;
    int64_t stop_after; /* 0 = never */
} sc_cli_stop;

void sc_cli_stop_init(sc_cli_stop *s);
int sc_cli_should_stop(void *ctx);

/* Join the job (a single process without a launcher) and pick this rank's GPU. Test hook: SCAAT_TEST_BAD_DATA_RANK=R
 * points rank R at a data directory that does not exist, so it fails while loading. */
sc_status sc_cli_dist_join(sc_dist *d, sc_train_config *cfg, sc_error *err);
/* End this rank with exit_code: leave the job normally for 0 and 130 (every rank gets
 * there together); after a failure that every rank hit the same way (sc_dist_failed_together)
 * rank 0 alone prints the error line and every rank leaves normally; a failure of some ranks
 * only is printed as "rank r of N: ..." and ends every rank (MPI_Abort). Returns the exit code
 * for main. */
int sc_cli_dist_exit(sc_dist *d, int exit_code, const sc_error *err);

#endif
