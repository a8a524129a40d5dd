/* How many CPU threads one process of a job uses by default (decode workers, OpenMP threads),
 * so that several ranks on one node do not each start a thread per core: the cores this
 * process may run on (its affinity mask: srun --cpus-per-task, mpirun --bind-to), but no more
 * than the node's online cores divided by the job's processes on the node; at least 1. */
#ifndef SC_DIST_CPU_SHARE_H
#define SC_DIST_CPU_SHARE_H

#include "dist.h"

/* The rule above on given counts (affinity_cores <= 0: unknown, online cores alone). */
int sc_cpu_share(long online_cores, long affinity_cores, int ranks_on_node);
/* The rule for this process: sysconf's online cores, sched_getaffinity, d->local_size
 * (1 without a job or for d == NULL). */
int sc_dist_cpu_share(const sc_dist *d);

#endif
