/* The transport under host/dist/dist.c: MPI (transport_mpi.c) or a single process
 * (transport_single.c), chosen at configure time. Collectives here are raw: dist.c adds the
 * timing and the rank-order sums. */
#ifndef SC_DIST_TRANSPORT_H
#define SC_DIST_TRANSPORT_H

#include "dist.h"

/* Fills rank, world_size, local_rank and transport (launched = 1 when it joins a job). */
sc_status sc_transport_init(sc_dist *d, int launched, sc_error *err);
void sc_transport_finalize(sc_dist *d);
void sc_transport_abort(sc_dist *d, int exit_code);
/* 1 when every rank calls this with the same signature within `seconds` (they all failed the
 * same way); 0 when some rank does not come (it failed alone, or differently) or on any MPI
 * error. Uses a communicator of its own, so it never meets a collective of the others. */
int sc_transport_failed_together(sc_dist *d, long long signature, double seconds);
sc_status sc_transport_allgather(sc_dist *d, const double *mine, int count, double *all,
                                 sc_error *err);
sc_status sc_transport_max_int(sc_dist *d, int *value, sc_error *err);
sc_status sc_transport_broadcast(sc_dist *d, void *bytes, size_t size, sc_error *err);
sc_status sc_transport_sum_floats_start(sc_dist *d, float *data, int64_t count, sc_error *err);
sc_status sc_transport_sum_floats_wait(sc_dist *d, sc_error *err);
sc_status sc_transport_sum_floats_progress(sc_dist *d, sc_error *err);

#endif
