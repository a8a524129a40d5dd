/* The transport of a build without MPI: one process of rank 0 (see transport.h). */
#include <string.h>

#include "transport.h"

sc_status sc_transport_init(sc_dist *d, int launched, sc_error *err) {
    (void)launched;
    d->rank = d->local_rank = 0;
    d->world_size = d->local_size = 1;
    d->launched = 0;
    d->transport = NULL;
    return SC_OK;
}

void sc_transport_finalize(sc_dist *d) { (void)d; }

void sc_transport_abort(sc_dist *d, int exit_code) {
    (void)d;
    (void)exit_code;
}

int sc_transport_failed_together(sc_dist *d, long long signature, double seconds) {
    (void)d;
    (void)signature;
    (void)seconds;
    return 0;
}

sc_status sc_transport_allgather(sc_dist *d, const double *mine, int count, double *all,
                                 sc_error *err) {
    memmove(all, mine, (size_t)count * sizeof *all);
    return SC_OK;
}

sc_status sc_transport_max_int(sc_dist *d, int *value, sc_error *err) { return SC_OK; }

sc_status sc_transport_broadcast(sc_dist *d, void *bytes, size_t size, sc_error *err) {
    return SC_OK;
}

sc_status sc_transport_sum_floats_start(sc_dist *d, float *data, int64_t count, sc_error *err) {
    return SC_OK;
}

sc_status sc_transport_sum_floats_wait(sc_dist *d, sc_error *err) { return SC_OK; }

sc_status sc_transport_sum_floats_progress(sc_dist *d, sc_error *err) { return SC_OK; }
