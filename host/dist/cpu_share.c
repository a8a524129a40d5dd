/* Default CPU threads of one process of a job (see cpu_share.h). */
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */
#include "cpu_share.h"

#include <sched.h>
#include <unistd.h>

int sc_cpu_share(long online_cores, long affinity_cores, int ranks_on_node) {
    long share = online_cores > 0 ? online_cores : 1;
    if (ranks_on_node > 1)
        share /= ranks_on_node;
    if (affinity_cores > 0 && affinity_cores < share)
        share = affinity_cores;
    return share >= 1 ? (int)share : 1;
}

int sc_dist_cpu_share(const sc_dist *d) {
    long affinity = 0;
    cpu_set_t mask;
    if (sched_getaffinity(0, sizeof mask, &mask) == 0)
        affinity = CPU_COUNT(&mask);
    int ranks = d && d->local_size > 1 ? d->local_size : 1;
    return sc_cpu_share(sysconf(_SC_NPROCESSORS_ONLN), affinity, ranks);
}
