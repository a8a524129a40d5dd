/* Data-parallel runs: one process per GPU (or per CPU backend), started by mpirun or srun.
 * Each process learns its rank, the world size and its rank on the node from MPI; the
 * collectives below are what the trainer needs (sums of statistics, the stop flag, the
 * gradient all-reduce in gradient_sync.h, sync-BN in sync_bn.h). Without a launcher, or in a
 * build without MPI, a run is one process of rank 0 and every collective is the identity.
 *
 * Sums of doubles are gathered and added in rank order on every rank, so every rank gets
 * the same bits and a run's figures do not depend on MPI's reduction order. On a failure in
 * one rank the CLI calls sc_dist_abort, which ends every rank (MPI_Abort): no rank waits in
 * a collective for a peer that has gone. */
#ifndef SC_DIST_H
#define SC_DIST_H

#include <stddef.h>
#include <stdint.h>

#include "host/core/status.h"

typedef struct sc_dist_transport sc_dist_transport; /* MPI communicator and requests */

typedef struct sc_dist {
    int rank;          /* 0 .. world_size - 1 */
    int world_size;    /* 1 for a plain run */
    int local_rank;    /* rank among the processes of this node (selects the GPU) */
    int local_size;    /* processes of this job on this node (1 for a plain run) */
    int launched;      /* 1 when started by mpirun / srun and MPI is initialised */
    double comm_seconds; /* wall time spent in collectives since sc_dist_init */
    sc_dist_transport *transport;
} sc_dist;

/* Whether this build has MPI (and NCCL), and a one-line description for `scaat info`. */
int sc_dist_mpi_compiled(void);
int sc_dist_nccl_compiled(void);
void sc_dist_describe_build(char *buf, size_t len);

/* Join the job when a launcher started this process (OMPI_COMM_WORLD_SIZE, PMI_SIZE,
 * PMIX_RANK or SLURM_NTASKS > 1 with SLURM_PROCID in the environment), else a single process.
 * A launched process in a build without MPI is a usage error. */
sc_status sc_dist_init(sc_dist *d, sc_error *err);
/* Leave the job normally (every rank must call it). */
void sc_dist_finalize(sc_dist *d);
/* After a failure on this rank, in a job of several: 1 when every rank failed with the same
 * exit code and message within SC_DIST_FAILURE_WAIT_S seconds (an error of the options or the
 * data that all of them hit: rank 0 alone need print it, and every rank can leave normally),
 * 0 when some rank did not (it failed alone: print with the rank, then sc_dist_abort). Returns
 * 0 at once for a single process. */
#define SC_DIST_FAILURE_WAIT_S 3.0
int sc_dist_failed_together(sc_dist *d, int exit_code, const char *message);
/* End every rank of the job with exit_code (after a failure on this rank); returns only in a
 * single-process run. */
void sc_dist_abort(sc_dist *d, int exit_code);
/* One GPU per rank on a node, before the CUDA backend starts: when CUDA_VISIBLE_DEVICES is
 * unset, it becomes the node-local rank; when it lists several devices, the local rank's entry
 * of the list; one device (srun --gpus-per-task=1) is left as it is. No-op for one process. */
sc_status sc_dist_select_gpu(const sc_dist *d, sc_error *err);
/* Rank 0 (or no data-parallel context at all): the process that writes files and prints. */
int sc_dist_is_root(const sc_dist *d);
/* 1 when d is a job of several processes. */
int sc_dist_active(const sc_dist *d);

/* values (count) = the sum over ranks, added in rank order. */
sc_status sc_dist_sum(sc_dist *d, double *values, int count, sc_error *err);
/* all (world_size, count) = every rank's mine (count), in rank order. */
sc_status sc_dist_allgather(sc_dist *d, const double *mine, int count, double *all,
                            sc_error *err);
/* *flag = 1 on every rank when it is non-zero on any rank. */
sc_status sc_dist_any(sc_dist *d, int *flag, sc_error *err);
/* bytes from rank 0 to every rank. */
sc_status sc_dist_broadcast(sc_dist *d, void *bytes, size_t size, sc_error *err);

/* In-place float sums over ranks of host buffers, started without waiting (MPI_Iallreduce);
 * sc_dist_sum_floats_wait completes every one started. At most SC_DIST_MAX_PENDING pending.
 * The buffers must not be touched until the wait. sc_dist_sum_floats_progress lets MPI move
 * the pending ones along (it completes none for the caller): call it while other work runs. */
#define SC_DIST_MAX_PENDING 4096
sc_status sc_dist_sum_floats_start(sc_dist *d, float *data, int64_t count, sc_error *err);
sc_status sc_dist_sum_floats_progress(sc_dist *d, sc_error *err);
sc_status sc_dist_sum_floats_wait(sc_dist *d, sc_error *err);

#endif
