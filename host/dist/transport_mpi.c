/* The MPI transport (see transport.h): MPI_COMM_WORLD with errors returned rather than
 * fatal, the node-local rank from a shared-memory split, and non-blocking float sums
 * (MPI_Iallreduce) for the gradient buckets. Only the main thread calls MPI
 * (MPI_THREAD_FUNNELED: the loader's threads never do). */
#include <limits.h>
#include <mpi.h>
#include <stdlib.h>
#include <time.h>

#include "transport.h"

struct sc_dist_transport {
    MPI_Comm comm;
    MPI_Comm failure_comm; /* a duplicate only failing ranks use (sc_transport_failed_together) */
    int initialised_here; /* MPI_Init was ours: finalize it */
    int pending;
    MPI_Request requests[SC_DIST_MAX_PENDING];
};

static sc_status mpi_fail(sc_error *err, int code, const char *what) {
    char text[MPI_MAX_ERROR_STRING];
    int len = 0;
    if (MPI_Error_string(code, text, &len) != MPI_SUCCESS)
        len = 0;
    text[len] = '\0';
    return sc_fail(err, SC_ERR_BACKEND, "MPI %s failed: %s", what, len ? text : "unknown error");
}

sc_status sc_transport_init(sc_dist *d, int launched, sc_error *err) {
    d->rank = d->local_rank = 0;
    d->world_size = d->local_size = 1;
    d->launched = 0;
    d->transport = NULL;
    if (!launched)
        return SC_OK;
    sc_dist_transport *t = calloc(1, sizeof *t);
    if (!t)
        return sc_fail(err, SC_ERR_OOM, "no host memory for the MPI transport");
    int already = 0, provided = 0;
    MPI_Initialized(&already);
    if (!already) {
        int rc = MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided);
        if (rc != MPI_SUCCESS) {
            free(t);
            return mpi_fail(err, rc, "initialisation (MPI_Init_thread)");
        }
        t->initialised_here = 1;
    }
    t->comm = MPI_COMM_WORLD;
    MPI_Comm_set_errhandler(t->comm, MPI_ERRORS_RETURN);
    if (MPI_Comm_dup(t->comm, &t->failure_comm) != MPI_SUCCESS)
        t->failure_comm = MPI_COMM_NULL;
    MPI_Comm_rank(t->comm, &d->rank);
    MPI_Comm_size(t->comm, &d->world_size);
    MPI_Comm node;
    if (MPI_Comm_split_type(t->comm, MPI_COMM_TYPE_SHARED, d->rank, MPI_INFO_NULL, &node) ==
        MPI_SUCCESS) {
        MPI_Comm_rank(node, &d->local_rank);
        MPI_Comm_size(node, &d->local_size);
        MPI_Comm_free(&node);
    }
    d->transport = t;
    d->launched = 1;
    return SC_OK;
}

void sc_transport_finalize(sc_dist *d) {
    sc_dist_transport *t = d->transport;
    if (!t)
        return;
    if (t->failure_comm != MPI_COMM_NULL)
        MPI_Comm_free(&t->failure_comm);
    if (t->initialised_here)
        MPI_Finalize();
    free(t);
    d->transport = NULL;
}

void sc_transport_abort(sc_dist *d, int exit_code) {
    MPI_Abort(MPI_COMM_WORLD, exit_code);
}

int sc_transport_failed_together(sc_dist *d, long long signature, double seconds) {
    sc_dist_transport *t = d->transport;
    if (!t || t->failure_comm == MPI_COMM_NULL)
        return 0;
    long long extremes[2] = {signature, -signature}; /* MAX: the largest and -(the smallest) */
    MPI_Request request;
    if (MPI_Iallreduce(MPI_IN_PLACE, extremes, 2, MPI_LONG_LONG, MPI_MAX, t->failure_comm,
                       &request) != MPI_SUCCESS)
        return 0;
    const double deadline = MPI_Wtime() + seconds;
    int done = 0;
    while (!done && MPI_Wtime() < deadline) {
        if (MPI_Test(&request, &done, MPI_STATUS_IGNORE) != MPI_SUCCESS)
            return 0;
        if (!done)
            nanosleep(&(struct timespec){0, 1000000}, NULL);
    }
    return done && extremes[0] == -extremes[1]; /* unfinished: left pending, the job aborts */
}

sc_status sc_transport_allgather(sc_dist *d, const double *mine, int count, double *all,
                                 sc_error *err) {
    int rc = MPI_Allgather(mine, count, MPI_DOUBLE, all, count, MPI_DOUBLE, d->transport->comm);
    return rc == MPI_SUCCESS ? SC_OK : mpi_fail(err, rc, "all-gather");
}

sc_status sc_transport_max_int(sc_dist *d, int *value, sc_error *err) {
    int rc = MPI_Allreduce(MPI_IN_PLACE, value, 1, MPI_INT, MPI_MAX, d->transport->comm);
    return rc == MPI_SUCCESS ? SC_OK : mpi_fail(err, rc, "all-reduce (max)");
}

sc_status sc_transport_broadcast(sc_dist *d, void *bytes, size_t size, sc_error *err) {
    if (size > INT_MAX)
        return sc_fail(err, SC_ERR_INTERNAL, "broadcast of %zu bytes exceeds MPI's int count",
                       size);
    int rc = MPI_Bcast(bytes, (int)size, MPI_BYTE, 0, d->transport->comm);
    return rc == MPI_SUCCESS ? SC_OK : mpi_fail(err, rc, "broadcast");
}

sc_status sc_transport_sum_floats_start(sc_dist *d, float *data, int64_t count, sc_error *err) {
    sc_dist_transport *t = d->transport;
    if (count > INT_MAX)
        return sc_fail(err, SC_ERR_INTERNAL, "an all-reduce of %lld floats exceeds MPI's int "
                       "count: use smaller buckets", (long long)count);
    if (t->pending == SC_DIST_MAX_PENDING)
        return sc_fail(err, SC_ERR_INTERNAL, "more than %d all-reduces pending",
                       SC_DIST_MAX_PENDING);
    int rc = MPI_Iallreduce(MPI_IN_PLACE, data, (int)count, MPI_FLOAT, MPI_SUM, t->comm,
                            &t->requests[t->pending]);
    if (rc != MPI_SUCCESS)
        return mpi_fail(err, rc, "all-reduce (MPI_Iallreduce)");
    t->pending++;
    return SC_OK;
}

/* MPI_Testall: the library moves pending transfers along only inside MPI calls (no progress
 * thread in a default OpenMPI), so the backward pass calls this between layers. */
sc_status sc_transport_sum_floats_progress(sc_dist *d, sc_error *err) {
    sc_dist_transport *t = d->transport;
    int done = 0;
    if (t->pending == 0)
        return SC_OK;
    int rc = MPI_Testall(t->pending, t->requests, &done, MPI_STATUSES_IGNORE);
    return rc == MPI_SUCCESS ? SC_OK : mpi_fail(err, rc, "all-reduce progress (MPI_Testall)");
}

sc_status sc_transport_sum_floats_wait(sc_dist *d, sc_error *err) {
    sc_dist_transport *t = d->transport;
    int rc = MPI_Waitall(t->pending, t->requests, MPI_STATUSES_IGNORE);
    t->pending = 0;
    return rc == MPI_SUCCESS ? SC_OK : mpi_fail(err, rc, "all-reduce wait (MPI_Waitall)");
}
